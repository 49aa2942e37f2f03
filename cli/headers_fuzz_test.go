package cli_test

import (
	"strings"
	"testing"

	"github.com/mskx/mskx/cli"
)

// FuzzParseHeaders: no input panics; an error is one line that quotes the
// bad header (so control characters in it are escaped); headers that parse
// have a key and print back as the very -H arguments they came from.
func FuzzParseHeaders(f *testing.F) {
	for _, s := range [][2]string{
		{"trace-id=abc123", "source=test"},
		{"a=b=c", "empty="},
		{"noequals", "x=y"},
		{"=v", ""},
		{"k=\x1b[31mred", "\u202e=rtl"},
		{"k=\n", "\xff=\xfe"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		in := []string{a, b}
		hs, err := cli.ParseHeaders(in)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r\x1b") || strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }) {
				t.Fatalf("ParseHeaders(%q): error %q is not one safe line", in, msg)
			}
			if !strings.Contains(msg, "-H") {
				t.Fatalf("ParseHeaders(%q): error %q does not say how to write a header", in, msg)
			}
			return
		}
		if len(hs) != len(in) {
			t.Fatalf("ParseHeaders(%q) = %d headers", in, len(hs))
		}
		for i, h := range hs {
			if h.Key == "" || strings.Contains(h.Key, "=") {
				t.Fatalf("ParseHeaders(%q): header %d has key %q", in, i, h.Key)
			}
			if back := h.Key + "=" + string(h.Value); back != in[i] {
				t.Fatalf("ParseHeaders(%q): header %d prints back as %q", in, i, back)
			}
		}
	})
}
