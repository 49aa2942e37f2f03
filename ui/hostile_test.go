package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// hostileText has one of each thing a terminal would act on, or that would
// hide or reorder text, rather than show it: OSC title sets (BEL and ST
// ended), an OSC 52 clipboard write, CSI clears, cursor moves and a cursor
// position query, DCS, 8-bit CSI as a raw byte and as U+009B, BEL, NUL,
// backspaces, a CR, invalid UTF-8, bidi overrides and isolates, zero-width
// characters, a ZWJ emoji and combining marks.
const hostileText = "title\x1b]0;pwned\x07 title2\x1b]2;pwned\x1b\\ clip\x1b]52;c;cm0gLXJmIH4=\x07 " +
	"csi\x1b[2J\x1b[H\x1b[999;999H\x1b[6n dcs\x1bP+q544e\x1b\\ c1\x9b31m c1u\u009b31m " +
	"bel\x07 nul\x00 bs\x08\x08 cr\rEVIL bad\xff\xfe bidi\u202eexe.pdf\u202c iso\u2066x\u2069\u2067y\u2068 " +
	"zw\u200bsp\ufeff zwj👩‍💻 comb e\u0301\u0327"

// ownTitles are the only OSC sequences the program writes itself: the
// App's window title, and the empty title that restores it on exit.
var ownTitles = []string{"\x1b]2;mskx\x07", "\x1b]2;\x07"}

// injected are the sequences hostileText and the other records carry that
// the program itself never writes (once ownTitles are taken out), so finding
// one in its output means a payload reached the terminal raw: any OSC,
// DCS, APC, PM or SOS, ST, BEL, NUL, backspace, and the CSI sequences the
// renderer has no use for. ESC[2J and ESC[H are left out: the renderer
// uses them too.
var injected = []string{
	"\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX", "\x1b\\", "\x1b[999;999H", "\x1b[6n", "\x1b[5A",
	"\x07", "\x00", "\x08",
}

// forbiddenRune reports code points no frame may hold: C1 controls (8-bit
// CSI, OSC, ST...), bidi embeddings, overrides, isolates and marks, and
// invisible format characters.
func forbiddenRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f, r == 0x061c, r == 0x200b, r == 0x200e, r == 0x200f,
		r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x206f, r == 0xfeff:
		return true
	}
	return false
}

// assertRawOutputInert checks everything the program wrote to the
// terminal: valid UTF-8 (so no raw 0x9b or other stray byte), no injected
// sequence, no forbidden code point.
func assertRawOutputInert(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.Contains(raw, []byte(ownTitles[0])) {
		t.Fatalf("the program did not set its title as %q: is the first frame missing?", ownTitles[0])
	}
	for _, own := range ownTitles {
		raw = bytes.ReplaceAll(raw, []byte(own), nil)
	}
	if !utf8.Valid(raw) {
		i := 0
		for i < len(raw) {
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		t.Fatalf("output is not UTF-8 at byte %d: %q", i, raw[max(i-40, 0):min(i+40, len(raw))])
	}
	for _, seq := range injected {
		if i := bytes.Index(raw, []byte(seq)); i >= 0 {
			t.Errorf("output holds %q from a payload at byte %d: %q", seq, i, raw[max(i-40, 0):min(i+40, len(raw))])
		}
	}
	for i, r := range string(raw) {
		if forbiddenRune(r) {
			t.Errorf("output holds %U at byte %d: %q", r, i, raw[max(i-40, 0):min(i+40, len(raw))])
			return
		}
	}
}

// assertScreenInert checks a screen as text: no control but newline.
func assertScreenInert(t *testing.T, s string, w int) {
	t.Helper()
	for i, r := range s {
		if r != '\n' && (r < 0x20 || r == 0x7f || forbiddenRune(r)) {
			t.Fatalf("screen holds %U at byte %d:\n%s", r, i, s)
		}
	}
	for _, l := range strings.Split(s, "\n") {
		if ansi.StringWidth(l) > w {
			t.Errorf("line %q is wider than %d", l, w)
		}
	}
}

const bigSize = 10 << 20

// bigValue is 10 MB of text holding escapes, bidi overrides and long
// lines, valid UTF-8 with few enough controls to be shown as text.
func bigValue() []byte {
	unit := "line \x1b]52;c;QUFBQQ==\x1b\\ \x1b[999;999H\u202eevil\u2066 \u200b" + strings.Repeat("x", 200) + "\n"
	return bytes.Repeat([]byte(unit), bigSize/len(unit)+1)[:bigSize]
}

// hostileSession is a session on a one-partition topic "hostile" with, in
// offset order: JSON with escaped and raw controls in its strings, a record
// with 1,000 headers, a 10 MB value, a letter with 300,000 combining marks
// (one grapheme cluster of 600 kB), and a record with hostileText in its
// key, headers and value.
func hostileSession(t *testing.T) *kafka.Session {
	t.Helper()
	c := kafkatest.New(t, kafkatest.Topics(1, "hostile"),
		kafkatest.KfakeOpts(kfake.BrokerConfigs(map[string]string{"message.max.bytes": fmt.Sprint(16 << 20)})))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.DefaultProduceTopic("hostile"), kgo.ProducerBatchMaxBytes(16<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	at := func(i int) time.Time { return fixedNow.Add(time.Duration(i) * time.Second) }
	many := &kgo.Record{Key: []byte("many-headers"), Value: []byte("1000 headers"), Timestamp: at(1)}
	for i := range 1000 {
		many.Headers = append(many.Headers, kgo.RecordHeader{Key: fmt.Sprintf("h-%04d", i), Value: []byte(fmt.Sprintf("\x1b[5A\u202e%d\x07", i))})
	}
	recs := []*kgo.Record{
		{Key: []byte("json"), Timestamp: at(0), Value: []byte(`{"escaped":"\u001b]0;pwned\u0007","raw":"` + "ab\u202ecd\u2067ef" +
			`","nested":[[[[{"k":"v"}]]]]}`)},
		many,
		{Key: []byte("big"), Value: bigValue(), Timestamp: at(2)},
		{Key: []byte("zalgo"), Value: []byte("Z" + strings.Repeat("\u0301", 300_000) + " end"), Timestamp: at(3)},
		{Key: []byte("user-key-mallory\x1b]0;pwned\x07\u202e"), Value: []byte(hostileText + "\nsecond line\ttab\r\nthird\x1b[5Aline"), Timestamp: at(4),
			Headers: []kgo.RecordHeader{
				{Key: "h\x1b[2J\u2066", Value: []byte(hostileText)},
				{Key: "bin", Value: []byte{0x00, 0x9b, 0xff, 0x07, 0x1b}},
				{Key: "null"},
			}},
	}
	for _, r := range recs {
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("produce %q: %v", r.Key, err)
		}
	}
	return s
}

// finish quits and returns the final screen and every byte written to the
// terminal, after checking both.
func finish(t *testing.T, tm *teatest.TestModel, w int) (string, []byte) {
	t.Helper()
	out := screen(t, tm)
	raw, err := io.ReadAll(tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	assertScreenInert(t, out, w)
	assertRawOutputInert(t, raw)
	// What reaches the terminal follows the screen, not the payloads: a
	// few frames of these screens are a few kilobytes.
	if len(raw) > 64<<10 {
		t.Errorf("the program wrote %d bytes", len(raw))
	}
	return out, raw
}

func hostileTail(t *testing.T, w, h int) string {
	tm, p := start(t, newApp(hostileSession(t), "hostile"), w, h)
	waitScreen(t, tm, p, "p0 5/5")
	out, _ := finish(t, tm, w)
	// Each record is one row: the 1,000 headers add none and the 10 MB
	// value is cut to the width.
	for _, key := range []string{"json", "many-headers", "big", "zalgo"} {
		var row string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " "+key+" ") {
				row = l
			}
		}
		if row == "" {
			t.Fatalf("no row for %s:\n%s", key, out)
		}
		if (key == "big" || key == "zalgo") && (!strings.HasSuffix(row, "…") || ansi.StringWidth(row) != w) {
			t.Errorf("the %s row is not cut to %d cells: %q", key, w, row)
		}
	}
	return out
}

func TestHostileTail80x24(t *testing.T) {
	golden.RequireEqual(t, hostileTail(t, 80, 24))
}

func TestHostileTail160x48(t *testing.T) {
	golden.RequireEqual(t, hostileTail(t, 160, 48))
}

// hostileDetail opens the newest record, the one with hostileText in its
// key, headers and value. The value holds NUL and invalid UTF-8, so it
// opens as a hex dump; f twice shows it as text, escaped.
func hostileDetail(t *testing.T, w, h int) string {
	tm, p := start(t, newApp(hostileSession(t), "hostile"), w, h)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, p, "Record · hostile · partition 0 · offset 4")
	waitScreen(t, tm, p, "format auto → hex")
	tm.Type("ff")
	waitScreen(t, tm, p, "format text")
	out, _ := finish(t, tm, w)
	return out
}

func TestHostileDetail80x24(t *testing.T) {
	golden.RequireEqual(t, hostileDetail(t, 80, 24))
}

func TestHostileDetail160x48(t *testing.T) {
	out := hostileDetail(t, 160, 48)
	for _, want := range []string{
		`Key        user-key-mallory\x1b]0;pwned\x07\u202e`,
		`h\x1b[2J\u2066: title\x1b]0;pwned\x07 title2\x1b]2;pwned\x1b\ clip\x1b]52;c;cm0gLXJmIH4=\x07`,
		`bin: \x00\x9b\xff\x07\x1b`,
		`null: <null>`,
		`cr\rEVIL bad\xff\xfe bidi\u202eexe.pdf\u202c iso\u2066x\u2069\u2067y\u2068`,
		"zw\\u200bsp\\ufeff zwj👩‍💻 comb e\u0301\u0327",
		"second line     tab\\r",
		`third\x1b[5Aline`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, out)
}

// The JSON record: escapes written in JSON stay as written, raw controls
// inside strings are shown escaped, and the document is still pretty.
func TestHostileJSONDetail80x24(t *testing.T) {
	tm, p := start(t, newApp(hostileSession(t), "hostile"), 80, 24)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("kkkk")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, p, "offset 0")
	out, _ := finish(t, tm, 80)
	for _, want := range []string{`"escaped": "\u001b]0;pwned\u0007",`, `"raw": "ab\u202ecd\u2067ef",`, "format auto → json"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, out)
}

// The 10 MB value opens with a note that it is large, pages with pgdown
// and space, and G reaches the end of what was laid out, which says what
// was left out. The cost of opening it is BenchmarkOpenBigValue's, in
// ui/detail, and bounded there by allocation.
func TestHostileBigValue80x24(t *testing.T) {
	tm, p := start(t, newApp(hostileSession(t), "hostile"), 80, 24)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("kk")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, p, "Value      text · 10.0 MiB (10485760 B)")
	waitScreen(t, tm, p, "showing the first 1.0 MiB (1048576 B); 9.0 MiB (9437184 B) left out")
	waitScreen(t, tm, p, ", top")
	var page int // rows on a page
	if m := regexp.MustCompile(`rows 1–(\d+) of`).FindStringSubmatch(p.screen.Load().(string)); m != nil {
		page, _ = strconv.Atoi(m[1])
	}
	if page < 5 {
		t.Fatalf("no page size in:\n%s", p.screen.Load())
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyPgDown})
	tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	waitScreen(t, tm, p, fmt.Sprintf("rows %d–%d of", 2*page+1, 3*page))
	tm.Type("G")
	waitScreen(t, tm, p, ", end")
	out, _ := finish(t, tm, 80)
	if !strings.Contains(out, "… 9.0 MiB (9437184 B) of the value left out; f → hex shows every byte") {
		t.Errorf("the end should say what was left out:\n%s", out)
	}
	golden.RequireEqual(t, out)
}

// A letter with 300,000 combining marks shows its first 30 as they are and
// the rest escaped, so no cell is longer than a few hundred bytes: scrolling
// redraws a screen, not 600 kB.
func TestHostileZalgo80x24(t *testing.T) {
	tm, p := start(t, newApp(hostileSession(t), "hostile"), 80, 24)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("k")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, p, "Key        zalgo")
	waitScreen(t, tm, p, ", top")
	for range 10 {
		tm.Type("jk")
	}
	tm.Type("G")
	waitScreen(t, tm, p, `\u0301\u0301 end`)
	waitScreen(t, tm, p, ", end")
	tm.Type("g")
	waitScreen(t, tm, p, ", top")
	out, _ := finish(t, tm, 80)
	if !strings.Contains(out, "\nZ"+strings.Repeat("\u0301", 30)+`\u0301\u0301`) {
		t.Errorf("the value should start with Z, 30 marks and escapes:\n%s", out)
	}
	golden.RequireEqual(t, out)
}

// A record with 1,000 headers lists them all; G scrolls past them to the
// value.
func TestHostileThousandHeaders80x24(t *testing.T) {
	tm, p := start(t, newApp(hostileSession(t), "hostile"), 80, 24)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("kkk")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, p, "Headers    1000")
	waitScreen(t, tm, p, `h-0000: \x1b[5A\u202e0\x07`)
	tm.Type("G")
	waitScreen(t, tm, p, ", end")
	out, _ := finish(t, tm, 80)
	if !strings.Contains(out, `h-0999: \x1b[5A\u202e999\x07`) || !strings.Contains(out, "1000 headers") {
		t.Errorf("the end shows the last headers and the value:\n%s", out)
	}
	golden.RequireEqual(t, out)
}
