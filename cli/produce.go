package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
)

func produceCommand() command {
	return command{
		name:    "produce",
		summary: "send records, one per input line, and print each delivery",
		usage:   "[connection flags] -t TOPIC [-k KEY] [-H key=value ...] [-p PARTITION] [-f FILE]",
		help: `Reads one record value per line from stdin (or -f FILE; the trailing newline is
not part of the value) and sends each with acks=all, idempotently unless the
cluster refuses it. Prints one line per record as it is acknowledged:
  record N: partition P, offset O, LATENCY
or its error. Exit status 0 only when every record was acknowledged.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			topic := fs.StringP("topic", "t", "", "topic to write to (env MSK_TOPIC)")
			key := fs.StringP("key", "k", "", "key for every record (default: no key)")
			headers := fs.StringArrayP("header", "H", nil, "header key=value (repeatable)")
			partition := fs.Int32P("partition", "p", -1, "partition to write to (default: chosen by key, or sticky)")
			file := fs.StringP("file", "f", "", "read values from this file, one per line, instead of stdin")
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q: values are read from stdin or -f FILE", args[0])
				}
				if conn.isReadOnly(st) {
					return fmt.Errorf("refusing to produce: %w", kafka.ErrReadOnly)
				}
				if *topic == "" {
					*topic = st.getenv("MSK_TOPIC")
				}
				if *topic == "" {
					return usagef("no topic: pass -t TOPIC (or set MSK_TOPIC)")
				}
				hs, err := ParseHeaders(*headers)
				if err != nil {
					return usageError{err}
				}
				if *partition < -1 {
					return usagef("partition %d is not valid: partitions are numbered from 0", *partition)
				}
				in := st.Stdin
				if *file != "" {
					f, err := os.Open(*file)
					if err != nil {
						return usagef("cannot read %s: %v: check the path and its permissions", *file, errors.Unwrap(err))
					}
					defer f.Close()
					if st, err := f.Stat(); err == nil && st.IsDir() {
						return usagef("cannot read %s: it is a directory: pass -f a file with one value per line", *file)
					}
					in = f
				}
				if in == nil {
					return usagef("no input: pipe values to stdin or pass -f FILE")
				}
				if _, err := conn.config(st); err != nil {
					return err
				}
				s, _, err := conn.connect(ctx, st)
				if err != nil {
					return err
				}
				defer s.Close()
				m := kafka.Message{Topic: *topic, Headers: hs, Partition: *partition}
				if fs.Changed("key") {
					m.Key = []byte(*key)
				}
				return produceLines(ctx, st, s, m, in)
			}
		},
	}
}

// ParseHeaders reads -H key=value flags. The value may be empty or contain
// '='; the key may not be empty.
func ParseHeaders(hs []string) ([]kgo.RecordHeader, error) {
	var out []kgo.RecordHeader
	for _, h := range hs {
		k, v, ok := strings.Cut(h, "=")
		if !ok {
			return nil, fmt.Errorf("header %q is not key=value: write it like -H trace-id=abc123", h)
		}
		if k == "" {
			return nil, fmt.Errorf("header %q has an empty key: write it like -H trace-id=abc123", h)
		}
		out = append(out, kgo.RecordHeader{Key: k, Value: []byte(v)})
	}
	return out, nil
}

// produceLines sends one record per line of in and prints deliveries as
// they arrive; it returns an error when any record was not acknowledged.
func produceLines(ctx context.Context, st IO, s *kafka.Session, m kafka.Message, in io.Reader) error {
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		failed int
		sent   int
		out    = bufio.NewWriter(st.Stdout)
	)
	defer func() {
		mu.Lock()
		out.Flush()
		mu.Unlock()
	}()
	interactive := st.terminal()
	r := bufio.NewReaderSize(in, 64<<10)
	var readErr error
	for n := 1; ctx.Err() == nil; n++ {
		line, err := r.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err != io.EOF {
				readErr = fmt.Errorf("read input: %w", err)
			}
			break
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		rec := m
		rec.Value = line
		wg.Add(1)
		sent++
		s.Produce(ctx, rec, func(d kafka.Delivery) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if d.Err != nil {
				failed++
				fmt.Fprintf(out, "record %d: failed: %v\n", n, d.Err)
				return
			}
			fmt.Fprintf(out, "record %d: partition %d, offset %d, %s\n", n, d.Partition, d.Offset, round(d.Latency))
			if interactive {
				out.Flush() // a person is watching: show each delivery at once
			}
		})
		if err != nil {
			break
		}
	}
	wg.Wait()
	for _, n := range s.Notices() {
		fmt.Fprintf(st.Stderr, "mskx: notice: %s\n", n)
	}
	switch {
	case readErr != nil:
		return readErr
	case failed > 0:
		return fmt.Errorf("%d of %d records were not acknowledged: see the errors above", failed, sent)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return nil
}
