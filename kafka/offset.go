package kafka

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StartKind says where reading starts.
type StartKind int

// Where reading can start.
const (
	FromEnd       StartKind = iota // only records produced from now on
	FromBeginning                  // the oldest retained record
	FromOffset                     // an absolute offset in every partition
	FromTail                       // N records before the end of every partition
	FromTime                       // the first record at or after a time
)

// Start is where a tail or consume begins in each partition.
type Start struct {
	Kind   StartKind
	Offset int64     // FromOffset: the offset; FromTail: how many records back
	Time   time.Time // FromTime
}

// String gives the start back in the form ParseStart reads.
func (s Start) String() string {
	switch s.Kind {
	case FromBeginning:
		return "beginning"
	case FromOffset:
		return strconv.FormatInt(s.Offset, 10)
	case FromTail:
		return "-" + strconv.FormatInt(s.Offset, 10)
	case FromTime:
		return "@" + s.Time.UTC().Format(time.RFC3339Nano)
	}
	return "end"
}

// ParseStart reads a start position: "beginning" (or "earliest"), "end" (or
// "latest"), an offset "1234", "-N" for N records before the end, or
// "@TIME" where TIME is Unix milliseconds, RFC 3339 ("2024-05-01T10:00:00Z"),
// or a date ("2024-05-01", UTC midnight).
func ParseStart(s string) (Start, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "beginning", "earliest", "oldest", "start":
		return Start{Kind: FromBeginning}, nil
	case "end", "latest", "newest", "":
		return Start{Kind: FromEnd}, nil
	}
	if strings.HasPrefix(t, "@") {
		ts, err := parseTime(t[1:])
		if err != nil {
			return Start{}, err
		}
		return Start{Kind: FromTime, Time: ts}, nil
	}
	if strings.HasPrefix(t, "-") {
		n, err := strconv.ParseInt(t[1:], 10, 64)
		if err != nil || n <= 0 {
			return Start{}, fmt.Errorf("offset %q is not valid: -N needs a positive count of records before the end, like -10", s)
		}
		return Start{Kind: FromTail, Offset: n}, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return Start{}, fmt.Errorf("offset %q is not valid: use beginning, end, an offset like 1234, -N for the last N records, or @TIME like @2024-05-01T10:00:00Z", s)
	}
	return Start{Kind: FromOffset, Offset: n}, nil
}

// parseTime reads Unix milliseconds, RFC 3339 or a plain date.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms < 0 || ms > 1e14 {
			return time.Time{}, fmt.Errorf("timestamp %q is out of range: use Unix milliseconds like @1714557600000", s)
		}
		return time.UnixMilli(ms), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		ts, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		// Kafka timestamps are milliseconds since 1970, and ListOffsets
		// reads -1 and -2 as "end" and "beginning": a time before 1970
		// must not pass for one of those.
		switch ms := ts.UnixMilli(); {
		case ms < 0:
			return time.Time{}, fmt.Errorf("timestamp %q is before 1970, where Kafka timestamps start: use a later time", s)
		case ms > 1e14:
			return time.Time{}, fmt.Errorf("timestamp %q is out of range: use a time before the year 5000", s)
		}
		return ts, nil
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not valid: use Unix milliseconds (@1714557600000), RFC 3339 (@2024-05-01T10:00:00Z) or a date (@2024-05-01)", s)
}
