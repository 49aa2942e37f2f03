package cli

import (
	"bufio"
	"context"
	"encoding/base64"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
)

func consumeCommand() command {
	return command{
		name:    "consume",
		summary: "print records of a topic",
		usage:   "[connection flags] -t TOPIC [-p PARTITION] [-o START] [-c COUNT] [-e] [-g GROUP] [--format text|json] [--uncommitted]",
		help: `Prints one line per record. --format text prints the value; --format json prints
one JSON object per line with topic, partition, offset, timestamp, key, headers
and value (a key or value that is not UTF-8 is base64 with key_encoding or
value_encoding "base64").

Text values are written byte for byte when stdout is a file or pipe; on a
terminal, control characters and escape sequences are shown escaped (\x1b) so
that a payload cannot take over the terminal.

Without -g no consumer group is joined and no offsets are committed. With -g
the group's committed offsets are used and what was printed is committed.

Only committed records are read (read_committed): records of aborted
transactions are skipped, and -e stops before a transaction still open.
--uncommitted reads them all.

START is beginning, end (the default), an offset like 1234, -N for the last N
records of each partition, or @TIME: Unix milliseconds, RFC 3339 such as
@2024-05-01T10:00:00Z, or a date such as @2024-05-01.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			topic := fs.StringP("topic", "t", "", "topic to read (env MSK_TOPIC)")
			partitions := fs.Int32SliceP("partition", "p", nil, "read only these partitions (repeatable or comma-separated)")
			offset := fs.StringP("offset", "o", "end", "where to start: beginning, end, OFFSET, -N or @TIME")
			count := fs.IntP("count", "c", 0, "stop after this many records")
			untilEnd := fs.BoolP("exit", "e", false, "stop at the end of every partition (as it was when reading began)")
			group := fs.StringP("group", "g", "", "join this consumer group and commit what was printed (never implied: MSK_CONSUMER_GROUP is not read here)")
			format := fs.String("format", "text", "output: text (the value) or json (one object per record)")
			uncommitted := fs.Bool("uncommitted", false, "also read records of transactions still open or aborted (read_uncommitted)")
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q: values are not read by consume", args[0])
				}
				if *topic == "" {
					*topic = st.getenv("MSK_TOPIC")
				}
				if *topic == "" {
					return usagef("no topic: pass -t TOPIC (or set MSK_TOPIC)")
				}
				start, err := kafka.ParseStart(*offset)
				if err != nil {
					return usageError{err}
				}
				if *count < 0 {
					return usagef("-c %d is not a count: use a positive number of records, or 0 for no limit", *count)
				}
				for _, p := range *partitions {
					if p < 0 {
						return usagef("partition %d is not valid: partitions are numbered from 0", p)
					}
				}
				if *format != "text" && *format != "json" {
					return usagef("--format %q is not known: use text or json", *format)
				}
				if _, err := conn.config(st); err != nil {
					return err
				}
				s, _, err := conn.connect(ctx, st)
				if err != nil {
					return err
				}
				defer s.Close()
				defer setGCPercent(st, consumeGCPercent)()
				out := bufio.NewWriterSize(st.Stdout, 256<<10)
				defer out.Flush()
				w := recordWriter{json: *format == "json", sanitize: st.terminal()}
				opts := kafka.ConsumeOptions{Start: start, Partitions: *partitions, Count: *count, UntilEnd: *untilEnd, Group: *group, Uncommitted: *uncommitted}
				if len(opts.Partitions) == 0 {
					opts.Partitions = nil
				}
				// A terminal wants each record as it comes; a pipe is
				// flushed when the buffer fills, or at the end. A group
				// commits what was handed over, so with -g each record
				// is written out first: one that could not be is not
				// committed, and a later read gets it again.
				flushEach := w.sanitize || *group != ""
				verbatim := !w.json && !w.sanitize
				return s.Consume(ctx, *topic, opts, func(r *kgo.Record) error {
					if verbatim {
						// Values are most of the output: copy them
						// once, into the buffer, not twice.
						out.Write(r.Value)
						out.WriteByte('\n')
					} else {
						out.Write(w.appendRecord(w.buf[:0], r))
					}
					if flushEach {
						return out.Flush()
					}
					return nil
				})
			}
		},
	}
}

// recordWriter formats records for consume, reusing one buffer.
type recordWriter struct {
	json     bool
	sanitize bool
	buf      []byte
}

func (w *recordWriter) appendRecord(b []byte, r *kgo.Record) []byte {
	defer func() { w.buf = b[:0] }()
	if !w.json {
		if w.sanitize {
			b = append(b, kafka.Sanitize(r.Value)...)
		} else {
			b = append(b, r.Value...)
		}
		return append(b, '\n')
	}
	b = append(b, `{"topic":`...)
	b = appendJSONString(b, r.Topic)
	b = append(b, `,"partition":`...)
	b = strconv.AppendInt(b, int64(r.Partition), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, r.Offset, 10)
	b = append(b, `,"timestamp":`...)
	b = appendJSONString(b, r.Timestamp.UTC().Format(time.RFC3339Nano))
	b = appendBytesField(b, "key", r.Key)
	b = append(b, `,"headers":[`...)
	for i, h := range r.Headers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":`...)
		b = appendJSONString(b, h.Key)
		b = appendBytesField(b, "value", h.Value)
		b = append(b, '}')
	}
	b = append(b, ']')
	b = appendBytesField(b, "value", r.Value)
	return append(b, "}\n"...)
}

// appendBytesField writes ,"name":value for bytes: null for nil, a string
// for UTF-8, base64 with name_encoding otherwise, so nothing is lost.
func appendBytesField(b []byte, name string, v []byte) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	switch {
	case v == nil:
		return append(b, "null"...)
	case utf8.Valid(v):
		return appendJSONString(b, string(v))
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	b = append(b, `","`...)
	b = append(b, name...)
	return append(b, `_encoding":"base64"`...)
}

// appendJSONString quotes s as JSON, escaping every control, format and
// bidi character as \uXXXX, so the line is safe on a terminal and decodes
// to exactly s.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r):
			if r > 0xffff {
				r1, r2 := utf16Pair(r)
				b = append(b, '\\', 'u', hex[r1>>12], hex[r1>>8&15], hex[r1>>4&15], hex[r1&15])
				r = r2
			}
			b = append(b, '\\', 'u', hex[r>>12], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}
