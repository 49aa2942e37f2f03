package detail

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kgo"
)

// hostileText has one of each thing a terminal would act on, or that
// would hide or reorder text, rather than show it.
const hostileText = "title\x1b]0;pwned\x07 title2\x1b]2;pwned\x1b\\ clip\x1b]52;c;cm0gLXJmIH4=\x07 " +
	"csi\x1b[2J\x1b[H\x1b[999;999H\x1b[6n dcs\x1bP+q544e\x1b\\ c1\x9b31m c1u\u009b31m " +
	"bel\x07 nul\x00 bs\x08\x08 cr\rEVIL bad\xff\xfe bidi\u202eexe.pdf\u202c iso\u2066x\u2069\u2067y\u2068 " +
	"zw\u200bsp\ufeff zwj👩‍💻 comb e\u0301\u0327"

// hostileRecord carries hostileText in its key, header keys, header values
// and value.
func hostileRecord() *kgo.Record {
	return &kgo.Record{
		Topic: "hostile", Offset: 7, Timestamp: fixedNow,
		Key: []byte("user-key-mallory\x1b]0;pwned\x07\u202e"),
		Headers: []kgo.RecordHeader{
			{Key: "h\x1b[2J\u2066", Value: []byte(hostileText)},
			{Key: "bin", Value: []byte{0x00, 0x9b, 0xff, 0x07, 0x1b}},
		},
		Value: []byte(hostileText + "\nsecond line\ttab\r\n"),
	}
}

// assertInert fails on anything in s that a terminal would act on, or
// that would hide or reorder text: every control but newline, DEL, C1,
// invalid UTF-8, bidi embeddings, overrides, isolates and marks, and
// invisible format characters. Styles must be off (plainModel) or
// stripped first.
func assertInert(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s: invalid UTF-8 in:\n%q", what, s)
	}
	for i, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r == 0x061c, r == 0x200b, r == 0x200e, r == 0x200f,
			r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x206f, r == 0xfeff:
			t.Fatalf("%s: rune %U at byte %d in:\n%s", what, r, i, s)
		}
	}
}

func TestHostileRecordEveryFormat(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {30, 60}, {160, 48}} {
		m := plainModel(size[0], size[1])
		m.SetRecord(hostileRecord())
		for step := range 8 { // auto, json, text, hex; then again without wrap
			if step == 4 {
				m.Update(press("w"))
			}
			for range 3 {
				v := m.View()
				what := fmt.Sprintf("%dx%d step %d", size[0], size[1], step)
				assertInert(t, what, v)
				assertWidth(t, v, size[0])
				m.Update(press("space"))
			}
			m.Update(press("g"))
			m.Update(press("f"))
		}
	}
	// NUL and invalid UTF-8 make the value hex; f twice shows it as text.
	// The pane is wide enough that no line wraps.
	m := plainModel(400, 40)
	m.SetRecord(hostileRecord())
	if v := m.View(); !strings.Contains(v, "format auto → hex") || !strings.Contains(v, "|title.]0;pwned. |") {
		t.Errorf("the value should open as hex:\n%s", v)
	}
	m.Update(press("f"))
	m.Update(press("f"))
	v := m.View()
	for _, want := range []string{
		"format text",
		`Key        user-key-mallory\x1b]0;pwned\x07\u202e`,
		`h\x1b[2J\u2066: title\x1b]0;pwned\x07 title2\x1b]2;pwned\x1b\ clip\x1b]52;c;cm0gLXJmIH4=\x07`,
		`bin: \x00\x9b\xff\x07\x1b`,
		`csi\x1b[2J\x1b[H\x1b[999;999H\x1b[6n dcs\x1bP+q544e\x1b\ c1\x9b31m c1u\u009b31m`,
		`nul\x00 bs\x08\x08 cr\rEVIL bad\xff\xfe bidi\u202eexe.pdf\u202c iso\u2066x\u2069\u2067y\u2068`,
		"zw\\u200bsp\\ufeff zwj👩‍💻 comb e\u0301\u0327",
		"second line     tab\\r",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

// bigValue is a value of size bytes built to be expensive: escapes that
// make text several times longer (text), the same with NULs and raw bytes
// (binary, shown as hex), nesting that makes pretty JSON grow with its
// square, one grapheme cluster of combining marks, one line with no end,
// and a line per two bytes.
func bigValue(kind string, size int) []byte {
	fill := func(unit string) []byte { return bytes.Repeat([]byte(unit), size/len(unit)+1)[:size] }
	switch kind {
	case "text":
		return fill("\x1b]52;c;QUFBQUFBQUFB\x1b\\ \x1b[2J\x1b[999;999H\u202eevil\u2066x\u2069\u200b \u009b31m ")
	case "binary":
		return fill("\x1b]52;c;AAAA\x07\x1b[2J\x9b\u202e\x00")
	case "nested":
		return fill("[")
	case "zalgo":
		return append([]byte("Z"), fill("\u0301\u0327\u0308")[:size-1]...)
	case "longline":
		return fill("x")
	case "lines":
		return fill("a\n")
	}
	panic(kind)
}

var bigKinds = []string{"text", "binary", "nested", "zalgo", "longline", "lines"}

// openAndPage opens v, draws a screen, pages down twice (pgdown, space),
// draws, goes to the end and draws, returning the three screens and the
// bytes allocated.
func openAndPage(m *Model, v []byte) (screens []string, alloc uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m.SetRecord(&kgo.Record{Topic: "big", Value: v, Timestamp: fixedNow})
	screens = append(screens, m.View())
	m.Update(press("pgdown"))
	m.Update(press("space"))
	screens = append(screens, m.View())
	m.Update(press("G"))
	screens = append(screens, m.View())
	runtime.ReadMemStats(&after)
	return screens, after.TotalAlloc - before.TotalAlloc
}

// Opening a 10 MB value and paging through it costs what opening a 40 MB
// one does: what is laid out is bounded by the caps, not by the value.
// Every screen is inert, fits, and no row is longer in bytes than its
// cells can reasonably hold, so a frame's cost follows the screen.
func TestBigHostileValuesAreBounded(t *testing.T) {
	for _, kind := range bigKinds {
		t.Run(kind, func(t *testing.T) {
			m := plainModel(80, 22)
			screens, alloc10 := openAndPage(m, bigValue(kind, 10<<20))
			if rows, held := laidOut(m); rows > maxRows+20 || held > layoutCap+4096 {
				t.Errorf("laid out %d rows, %d bytes", rows, held)
			}
			_, alloc40 := openAndPage(plainModel(80, 22), bigValue(kind, 40<<20))
			t.Logf("allocated %d bytes for 10 MB, %d for 40 MB", alloc10, alloc40)
			if alloc10 > 96<<20 || alloc40 > alloc10+alloc10/10+1<<20 {
				t.Errorf("allocated %d bytes for 10 MB and %d for 40 MB: the cost follows the value", alloc10, alloc40)
			}
			for _, s := range screens {
				assertInert(t, kind, s)
				assertWidth(t, s, 80)
				if got := strings.Count(s, "\n") + 1; got != 22 {
					t.Errorf("%d lines, want 22:\n%s", got, s)
				}
				for _, l := range strings.Split(s, "\n") {
					if len(l) > 80*128 { // 128 bytes a cell: a character and 30 marks
						t.Errorf("a row of %d bytes: %.200q", len(l), l)
					}
				}
			}
			first, paged, end := screens[0], screens[1], screens[2]
			hex := kind == "binary"
			if !strings.Contains(first, "10.0 MiB (10485760 B)") || hex != strings.Contains(first, "format auto → hex") ||
				!hex && !strings.Contains(first, "f → hex shows every byte") {
				t.Errorf("first screen does not say the value is large:\n%s", first)
			}
			if !strings.Contains(paged, "rows 41–60 of") {
				t.Errorf("pgdown and space should move two pages:\n%s", paged)
			}
			if !strings.Contains(end, ", end") || !hex && !strings.Contains(end, "left out") && !strings.Contains(end, "stops at") {
				t.Errorf("G should show the end and what was left out:\n%s", end)
			}
		})
	}
}

// A thousand headers are listed and scroll; the value follows them.
func TestThousandHeaders(t *testing.T) {
	r := &kgo.Record{Topic: "t", Timestamp: fixedNow, Key: []byte("k"), Value: []byte(`{"ok":true}`)}
	for i := range 1000 {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: fmt.Sprintf("h-%04d", i), Value: []byte(fmt.Sprintf("v\x1b[%dA\u202e%d", i, i))})
	}
	m := plainModel(80, 24)
	m.SetRecord(r)
	v := m.View()
	if !strings.Contains(v, "Headers    1000") || !strings.Contains(v, `h-0000: v\x1b[0A\u202e0`) || strings.Contains(v, "h-0100") {
		t.Errorf("first screen:\n%s", v)
	}
	for range 5 {
		m.Update(press("pgdown"))
	}
	if v := m.View(); !strings.Contains(v, "h-0104: ") || !strings.Contains(v, "rows 111–132 of 1011") {
		t.Errorf("five pages down should show rows 111–132:\n%s", v)
	}
	m.Update(press("G"))
	v = m.View()
	assertInert(t, "end", v)
	if !strings.Contains(v, `h-0999: v\x1b[999A\u202e999`) || !strings.Contains(v, `"ok": true`) || !strings.Contains(v, "of 1011, end") {
		t.Errorf("the end shows the last headers and the value:\n%s", v)
	}
}

// BenchmarkOpenBigValue is the cost of opening a 10 MB value and drawing
// its end, the work between enter and the first screen.
func BenchmarkOpenBigValue(b *testing.B) {
	for _, kind := range bigKinds {
		b.Run(kind, func(b *testing.B) {
			r := &kgo.Record{Topic: "big", Value: bigValue(kind, 10<<20), Timestamp: fixedNow}
			m := plainModel(80, 22)
			b.ReportAllocs()
			for b.Loop() {
				m.SetRecord(r)
				m.Update(press("G"))
				_ = ansi.Strip(m.View())
			}
		})
	}
}
