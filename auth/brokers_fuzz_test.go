package auth_test

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mskx/mskx/auth"
)

// unsafeLine says why s is not one line that is safe to print on a
// terminal, or "".
func unsafeLine(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }) {
		return "a control character or a second line"
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }) {
		return "a bidi control"
	}
	return ""
}

// FuzzBrokers checks the broker list as the environment and the login
// form give it (SplitBrokers) and as -b gives it (one entry per item, kept
// as typed): no input panics; splitting drops empty items and separators
// and is stable; Normalize either refuses with one safe line or accepts
// only host:port entries with a port from 1 to 65535 and no space or
// control character, whose warnings are safe to print too.
func FuzzBrokers(f *testing.F) {
	for _, s := range []string{
		"b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9098,b-2.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9098",
		"localhost:9092", " h1:9092 , h2:9092 ,", "h:0", "h:70000", "h:abc", ":9092", "h", "h :9092", "a,,b",
		"[::1]:9092", "[::1]:9094,[fe80::1%eth0]:9096", "h\x1b[31m:9092", "h:9092\n", "\u202eh:9092", "h:+9092", "h:09092",
		"boot-x.c1.kafka-serverless.eu-west-1.amazonaws.com:9098", "SASL_SSL://h:9096",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items := auth.SplitBrokers(in)
		for _, b := range items {
			if b == "" || strings.ContainsAny(b, ", \n\t") {
				t.Fatalf("SplitBrokers(%q) = %q: item %q", in, items, b)
			}
		}
		if again := auth.SplitBrokers(strings.Join(items, ",")); !slices.Equal(again, items) {
			t.Fatalf("SplitBrokers(%q) = %q, but joined and split again %q", in, items, again)
		}
		for _, list := range [][]string{items, {in}} {
			for _, mode := range []auth.Mode{"", auth.Plaintext, auth.IAM} {
				c := auth.Config{Mode: mode, Brokers: slices.Clone(list), Region: "us-east-1"}
				if err := c.Normalize(); err != nil {
					if why := unsafeLine(err.Error()); why != "" {
						t.Fatalf("Normalize(%q): error %q has %s", list, err, why)
					}
					continue
				}
				for _, b := range c.Brokers {
					host, port, err := net.SplitHostPort(b)
					n, perr := strconv.Atoi(port)
					if err != nil || host == "" || perr != nil || n < 1 || n > 65535 || unsafeLine(b) != "" || strings.ContainsFunc(b, unicode.IsSpace) {
						t.Fatalf("Normalize(%q) accepted broker %q", list, b)
					}
				}
				for _, w := range auth.PortWarnings(c.Mode, c.Brokers) {
					if why := unsafeLine(w); why != "" {
						t.Fatalf("PortWarnings(%q): %q has %s", c.Brokers, w, why)
					}
				}
				auth.ModeForPort(c.Brokers)
				auth.RegionFromBrokers(c.Brokers)
			}
		}
	})
}
