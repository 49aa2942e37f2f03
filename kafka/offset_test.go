package kafka

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseStart(t *testing.T) {
	may1 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	good := []struct {
		in   string
		want Start
	}{
		{"", Start{Kind: FromEnd}},
		{" END ", Start{Kind: FromEnd}},
		{"latest", Start{Kind: FromEnd}},
		{"Beginning", Start{Kind: FromBeginning}},
		{"earliest", Start{Kind: FromBeginning}},
		{"0", Start{Kind: FromOffset}},
		{"1234", Start{Kind: FromOffset, Offset: 1234}},
		{"9223372036854775807", Start{Kind: FromOffset, Offset: 1<<63 - 1}},
		{"-10", Start{Kind: FromTail, Offset: 10}},
		{"@0", Start{Kind: FromTime, Time: time.UnixMilli(0)}},
		{"@1714521600000", Start{Kind: FromTime, Time: may1}},
		{"@2024-05-01", Start{Kind: FromTime, Time: may1}},
		{"@2024-05-01T00:00:00Z", Start{Kind: FromTime, Time: may1}},
		{"@2024-05-01T02:00:00+02:00", Start{Kind: FromTime, Time: may1}},
		{"@2024-05-01 00:00:00", Start{Kind: FromTime, Time: may1}},
		{"@1970-01-01", Start{Kind: FromTime, Time: time.UnixMilli(0)}},
	}
	for _, tc := range good {
		got, err := ParseStart(tc.in)
		if err != nil {
			t.Errorf("ParseStart(%q): %v", tc.in, err)
			continue
		}
		if got.Kind != tc.want.Kind || got.Offset != tc.want.Offset || !got.Time.Equal(tc.want.Time) {
			t.Errorf("ParseStart(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	bad := []struct{ in, want string }{
		{"garbage", `offset "garbage" is not valid`},
		{"yesterday", "@TIME like"},
		{"99999999999999999999", `offset "99999999999999999999" is not valid`},
		{"-0", "-N needs a positive count"},
		{"--5", "-N needs a positive count"},
		{"-99999999999999999999", "-N needs a positive count"},
		{"1.5", "is not valid"},
		{"0x10", "is not valid"},
		{"@", `timestamp "" is not valid`},
		{"@notadate", `timestamp "notadate" is not valid`},
		{"@2024-13-45", "is not valid"},
		{"@2024-02-30", "is not valid"},
		{"@-5", "out of range"},
		{"@99999999999999999999", "is not valid"},
		{"@100000000000001", "out of range"},
		{"@9999-12-31", "out of range"},
		// Before 1970 a time has no Kafka timestamp; -1 and -2 milliseconds
		// would even mean "end" and "beginning" to ListOffsets.
		{"@1969-12-31T23:59:59.999Z", "before 1970"},
		{"@1969-12-31T23:59:59.998Z", "before 1970"},
		{"@0000-01-01T00:00:00+01:00", "before 1970"},
		{"a\x1b[31mb", `"a\x1b[31mb"`},
		{"@\x9b2024", `\x9b`},
		{"1\n2", `"1\n2"`},
	}
	for _, tc := range bad {
		got, err := ParseStart(tc.in)
		if err == nil {
			t.Errorf("ParseStart(%q) = %+v, want an error", tc.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseStart(%q): %q does not say %q", tc.in, err, tc.want)
		}
		if why := notOneSafeLine(err.Error()); why != "" {
			t.Errorf("ParseStart(%q): error %q: %s", tc.in, err, why)
		}
	}
}

// notOneSafeLine says why s is not one line of text that is safe to print
// on a terminal, or "".
func notOneSafeLine(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n':
			return "more than one line"
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return "a control character"
		case flagged(r):
			return "an invisible or bidi character"
		}
	}
	return ""
}

// FuzzParseStart: no input panics; an error is one safe line that quotes
// the input; a start that parses prints back in a form that parses to the
// same start, and is one a broker can act on (no time before 1970, whose
// negative milliseconds ListOffsets reads as "end" or "beginning").
func FuzzParseStart(f *testing.F) {
	for _, s := range []string{"", "end", "BEGINNING", "earliest", "0", "42", "-1", "-10", "--1", "-0", "+7",
		"@0", "@1714557600000", "@2024-05-01", "@2024-05-01T10:00:00Z", "@2024-05-01T10:00:00.123456789+05:30",
		"@2024-05-01 10:00:00", "@1969-12-31T23:59:59.999Z", "@100000000000000", "@-1", "@", "@@", " 12 ",
		"9223372036854775807", "9223372036854775808", "a\x1b[31m", "\xff", "@\u202e2024"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		st, err := ParseStart(in)
		if err != nil {
			if why := notOneSafeLine(err.Error()); why != "" {
				t.Fatalf("ParseStart(%q): error %q has %s", in, err, why)
			}
			return
		}
		switch st.Kind {
		case FromOffset:
			if st.Offset < 0 {
				t.Fatalf("ParseStart(%q) = offset %d", in, st.Offset)
			}
		case FromTail:
			if st.Offset <= 0 {
				t.Fatalf("ParseStart(%q) = %d before the end", in, st.Offset)
			}
		case FromTime:
			if ms := st.Time.UnixMilli(); ms < 0 || ms > 1e14 {
				t.Fatalf("ParseStart(%q) = time %s, %d ms", in, st.Time, ms)
			}
		}
		text := st.String()
		again, err := ParseStart(text)
		if err != nil {
			t.Fatalf("ParseStart(%q) = %+v, whose String %q does not parse: %v", in, st, text, err)
		}
		if again.Kind != st.Kind || again.Offset != st.Offset || !again.Time.Equal(st.Time) {
			t.Fatalf("ParseStart(%q) = %+v, but its String %q parses to %+v", in, st, text, again)
		}
		if again.String() != text {
			t.Fatalf("String is not stable: %q then %q", text, again.String())
		}
	})
}
