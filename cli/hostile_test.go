package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/cli"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// hostileValue has one of each thing a terminal would act on, or that
// would hide or reorder text, rather than show it.
const hostileValue = "title\x1b]0;pwned\x07 title2\x1b]2;pwned\x1b\\ clip\x1b]52;c;cm0gLXJmIH4=\x07 " +
	"csi\x1b[2J\x1b[H\x1b[999;999H\x1b[6n dcs\x1bP+q544e\x1b\\ c1\x9b31m c1u\u009b31m " +
	"bel\x07 nul\x00 bs\x08\x08 cr\rEVIL bad\xff\xfe bidi\u202eexe.pdf\u202c iso\u2066x\u2069\u2067y\u2068 " +
	"zw\u200bsp\ufeff zwj👩‍💻 comb e\u0301\u0327"

// hostileRecords are, in offset order on one partition: the hostile text
// in key, header and value; a multi-line value; JSON with raw controls in
// a string; a record with 1,000 headers; a tombstone; a letter with 300
// combining marks; the hostile text without its invalid UTF-8, which JSON
// output gives as a string rather than base64.
func hostileRecords() []*kgo.Record {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	many := &kgo.Record{Key: []byte("many-headers"), Value: []byte("1000 headers")}
	for range 1000 {
		many.Headers = append(many.Headers, kgo.RecordHeader{Key: "h", Value: []byte("\x1b[5A\u202e\x07")})
	}
	recs := []*kgo.Record{
		{Key: []byte("user-key\x1b]0;pwned\x07\u202e"), Value: []byte(hostileValue),
			Headers: []kgo.RecordHeader{{Key: "h\x1b[2J\u2066", Value: []byte(hostileValue)}, {Key: "bin", Value: []byte{0x00, 0x9b, 0xff}}, {Key: "null"}}},
		{Key: []byte("lines"), Value: []byte("first\nsecond\ttab\r\nthird\x1b[5Aline")},
		{Key: []byte("json"), Value: []byte("{\"a\":\"\x7f\u009b\u202e\u2066\",\"b\":\"\\u001b]0;t\\u0007\"}")},
		many,
		{Key: []byte("tombstone")},
		{Key: []byte("zalgo"), Value: []byte("Z" + strings.Repeat("\u0301", 300) + " end")},
		{Key: []byte("utf8"), Value: []byte(strings.NewReplacer("c1\x9b31m ", "", "\xff\xfe", "").Replace(hostileValue))},
	}
	for i, r := range recs {
		r.Timestamp = at.Add(time.Duration(i) * time.Second)
	}
	return recs
}

// hostileCluster is a one-partition topic "hostile" holding recs.
func hostileCluster(t *testing.T, recs ...*kgo.Record) *kafkatest.Cluster {
	t.Helper()
	c := kafkatest.New(t, kafkatest.Topics(1, "hostile"),
		kafkatest.KfakeOpts(kfake.BrokerConfigs(map[string]string{"message.max.bytes": "16777216"})))
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.DefaultProduceTopic("hostile"), kgo.ProducerBatchMaxBytes(16<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, r := range recs {
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("produce %q: %v", r.Key, err)
		}
	}
	return c
}

// consumeOnTerminal runs `mskx consume` in process with stdout taken for a
// terminal, reading the whole topic.
func consumeOnTerminal(t *testing.T, c *kafkatest.Cluster, format string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	home := t.TempDir()
	st := cli.IO{Stdout: &out, Stderr: &errb, Terminal: func() bool { return true }, Getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return home
		}
		return ""
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := []string{"consume", "-b", strings.Join(c.Brokers, ","), "--auth", "plaintext", "--timeout", "5s",
		"-t", "hostile", "-o", "beginning", "-e", "--format", format}
	if code := cli.Run(ctx, args, st); code != 0 {
		t.Fatalf("consume --format %s: exit %d\nstderr:\n%s", format, code, errb.String())
	}
	return out.Bytes()
}

// assertTerminalSafe fails on anything in out a terminal would act on, or
// that would hide or reorder text: every control but newline, DEL, C1
// (as a code point or a raw byte), bidi controls, invisible format
// characters.
func assertTerminalSafe(t *testing.T, out []byte) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Fatalf("output is not UTF-8:\n%q", out)
	}
	for i, r := range string(out) {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0x061c, r == 0x200b, r == 0x200e, r == 0x200f,
			r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x206f, r == 0xfeff:
			t.Fatalf("output holds %U at byte %d: %q", r, i, out[max(i-40, 0):min(i+40, len(out))])
		}
	}
}

// On a terminal, text output is one escaped line per record.
func TestConsumeTextOnTerminalEscapesPayloads(t *testing.T) {
	recs := hostileRecords()
	out := consumeOnTerminal(t, hostileCluster(t, recs...), "text")
	assertTerminalSafe(t, out)
	if n := bytes.Count(out, []byte("\n")); n != len(recs) {
		t.Errorf("%d lines for %d records:\n%s", n, len(recs), out)
	}
	golden.RequireEqual(t, out)
}

// On a terminal, JSON output escapes every control, C1, bidi and format
// character as \uXXXX, gives bytes that are not UTF-8 as base64, and still
// decodes to exactly what was produced.
func TestConsumeJSONOnTerminalEscapesPayloads(t *testing.T) {
	recs := hostileRecords()
	out := consumeOnTerminal(t, hostileCluster(t, recs...), "json")
	assertTerminalSafe(t, out)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(recs) {
		t.Fatalf("%d lines for %d records:\n%s", len(lines), len(recs), out)
	}
	decode := func(v *string, enc string) []byte {
		if v == nil {
			return nil
		}
		if enc == "base64" {
			b, err := base64.StdEncoding.DecodeString(*v)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		return []byte(*v)
	}
	for i, l := range lines {
		var got struct {
			Key           *string
			KeyEncoding   string `json:"key_encoding"`
			Value         *string
			ValueEncoding string `json:"value_encoding"`
			Headers       []struct {
				Key      string
				Value    *string
				Encoding string `json:"value_encoding"`
			}
		}
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d %q: %v", i, l, err)
		}
		want := recs[i]
		if k := decode(got.Key, got.KeyEncoding); !bytes.Equal(k, want.Key) {
			t.Errorf("line %d: key %q, want %q", i, k, want.Key)
		}
		if v := decode(got.Value, got.ValueEncoding); !bytes.Equal(v, want.Value) || (v == nil) != (want.Value == nil) {
			t.Errorf("line %d: value %q, want %q", i, v, want.Value)
		}
		if len(got.Headers) != len(want.Headers) {
			t.Fatalf("line %d: %d headers, want %d", i, len(got.Headers), len(want.Headers))
		}
		for j, h := range got.Headers {
			if v := decode(h.Value, h.Encoding); h.Key != want.Headers[j].Key || !bytes.Equal(v, want.Headers[j].Value) {
				t.Errorf("line %d header %d: %q=%q, want %q=%q", i, j, h.Key, v, want.Headers[j].Key, want.Headers[j].Value)
			}
		}
	}
	// The first value is not UTF-8, so base64; its key and header are.
	for _, esc := range []string{`"key":"user-key\u001b]0;pwned\u0007\u202e"`, `"key":"h\u001b[2J\u2066"`, `"value_encoding":"base64"`} {
		if !strings.Contains(lines[0], esc) {
			t.Errorf("the first record's JSON lacks %s:\n%s", esc, lines[0])
		}
	}
	for _, esc := range []string{`\u001b[5A`, `\r\n`, `\t`} {
		if !strings.Contains(lines[1], esc) {
			t.Errorf("the second record's JSON lacks %s:\n%s", esc, lines[1])
		}
	}
	last := lines[len(lines)-1]
	for _, esc := range []string{`\u001b]0;pwned\u0007`, `\u001b]52;c;`, `\u001bP+q544e\u001b\\`, `\u009b31m`, `\u0000`, `\u0008\u0008`,
		`\r`, `\u202e`, `\u2066`, `\u200b`, `\ufeff`, `\u200d`} {
		if !strings.Contains(last, esc) {
			t.Errorf("the last record's JSON lacks %s:\n%s", esc, last)
		}
	}
	golden.RequireEqual(t, out)
}

// A 10 MB value is printed whole, escaped, on one line.
func TestConsumeTextOnTerminalBigValue(t *testing.T) {
	unit := "line \x1b]52;c;QUFBQQ==\x07 \x9b2J \u202eevil\n"
	v := bytes.Repeat([]byte(unit), 10<<20/len(unit))
	out := consumeOnTerminal(t, hostileCluster(t, &kgo.Record{Value: v}), "text")
	assertTerminalSafe(t, out)
	if n := bytes.Count(out, []byte("\n")); n != 1 || len(out) < len(v) {
		t.Errorf("%d bytes in %d lines for a %d-byte value", len(out), n, len(v))
	}
	if !bytes.HasPrefix(out, []byte(`line \x1b]52;c;QUFBQQ==\x07 \x9b2J \u202eevil\nline`)) {
		t.Errorf("output starts %q", out[:min(len(out), 100)])
	}
}
