package detail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
	"github.com/mskx/mskx/ui/uitest"
)

var fixedNow = time.Date(2026, 11, 21, 10, 0, 4, 250_000_000, time.UTC)

// newModel is the pane with the mono palette, as the goldens see it.
func newModel(t *testing.T, w, h int) *Model {
	t.Helper()
	p, err := themes.ByName("mono")
	if err != nil {
		t.Fatal(err)
	}
	c := common.New(p)
	c.Now = func() time.Time { return fixedNow }
	m := New(c)
	m.SetSize(w, h)
	m.Focus()
	return m
}

// plainModel is the pane with styles that add no escape sequences, so any
// ESC or control byte in its View can only have come from the record.
func plainModel(w, h int) *Model {
	m := New(common.Common{Styles: &common.Styles{}, Now: func() time.Time { return fixedNow }})
	m.SetSize(w, h)
	m.Focus()
	return m
}

var press = uitest.Key

// jsonRecord has a key, three headers (one hostile) and a JSON value whose
// key order, big numbers, wide characters and raw bidi override must all
// survive or be made visible.
func jsonRecord() *kgo.Record {
	return &kgo.Record{
		Topic: "orders", Partition: 2, Offset: 1234, Timestamp: fixedNow,
		Key: []byte("customer-42"),
		Headers: []kgo.RecordHeader{
			{Key: "trace-id", Value: []byte("5f2c9a1e-77b0-4c1d")},
			{Key: "content-type", Value: []byte("application/json")},
			{Key: "note", Value: []byte("\x1b[31mred\x1b[0m \x1b]0;owned\a \u202eevil")},
		},
		Value: []byte(`{"order_id":"ord-1042","zeta":true,"alpha":{"sku":"A-1","qty":2,"tags":[]},` +
			`"total":12345678901234567890,"ratio":1.0e400,"label":"ab` + "\u202e" + `cd",` +
			`"note":"a fairly long note that does not fit on one line of an eighty column terminal, so it wraps",` +
			`"名前":"東京都千代田区丸の内一丁目の倉庫から出荷された注文です。配送は翌日の予定です。"}`),
	}
}

// assertSafe fails on anything in s that a terminal would act on rather
// than show: control bytes other than newline, DEL, C1 controls, bidi
// overrides.
func assertSafe(t *testing.T, s string) {
	t.Helper()
	for i, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r == utf8.RuneError:
			t.Fatalf("unsafe rune %U at byte %d in:\n%s", r, i, s)
		}
	}
}

func assertWidth(t *testing.T, view string, w int) {
	t.Helper()
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("line %q is %d cells, wider than %d", l, got, w)
		}
	}
}

func TestJSONRecordWithHeaders(t *testing.T) {
	m := plainModel(80, 60)
	r := jsonRecord()
	m.SetRecord(r)
	if m.Record() != r {
		t.Fatal("Record is not the record set")
	}
	v := m.View()
	assertSafe(t, v)
	assertWidth(t, v, 80)
	for _, want := range []string{
		"Record · orders · partition 2 · offset 1234",
		"Timestamp  2026-11-21T10:00:04.250Z (create time)",
		"Key        customer-42",
		"Headers    3",
		"trace-id: 5f2c9a1e-77b0-4c1d",
		"content-type: application/json",
		`note: \x1b[31mred\x1b[0m \x1b]0;owned\x07 \u202eevil`,
		`"total": 12345678901234567890,`,
		`"ratio": 1.0e400,`,
		`"label": "ab\u202ecd",`,
		`"tags": []`,
		"Value      json · ",
		"format auto → json",
		"wrap on",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if z, a := strings.Index(v, `"zeta": true`), strings.Index(v, `"alpha": {`); z < 0 || a < z {
		t.Errorf("key order lost (zeta at %d, alpha at %d):\n%s", z, a, v)
	}

	// The themed view carries styling but, stripped, must be as safe.
	mono := newModel(t, 80, 60)
	mono.SetRecord(r)
	assertSafe(t, ansi.Strip(mono.View()))
}

func TestBinaryValueAndFormatCycle(t *testing.T) {
	m := plainModel(80, 30)
	bin := []byte{0x00, 0x01, 0xff, 'A', 'B', 0x1b, '[', '2', 'J', 0x9b, 0x7f}
	bin = append(bin, bytes.Repeat([]byte{0xfe}, 30)...)
	m.SetRecord(&kgo.Record{Topic: "bin", Key: []byte{0xde, 0xad}, Value: bin, Timestamp: fixedNow})
	v := m.View()
	assertSafe(t, v)
	if !strings.Contains(v, "00000000  00 01 ff 41 42 1b 5b 32  4a 9b 7f fe fe fe fe fe  |...AB.[2J.......|") ||
		!strings.Contains(v, "format auto → hex") {
		t.Fatalf("binary value should show as a hex dump:\n%s", v)
	}
	steps := []struct{ want, not string }{
		{"format json: not JSON, shown as text", "00000000  00 01"},
		{"format text", "00000000  00 01"},
		{"format hex", ""},
		{"format auto → hex", ""},
	}
	for _, s := range steps {
		m.Update(press("f"))
		v := m.View()
		assertSafe(t, v)
		if !strings.Contains(v, s.want) || s.not != "" && strings.Contains(v, s.not) {
			t.Errorf("after f, want %q and not %q:\n%s", s.want, s.not, v)
		}
	}

	m.SetRecord(&kgo.Record{Topic: "logs", Value: []byte("INFO started"), Timestamp: fixedNow})
	if v := m.View(); !strings.Contains(v, "format auto → text") || !strings.Contains(v, "\nINFO started") {
		t.Errorf("text value:\n%s", v)
	}
	m.Update(press("f"))
	if v := m.View(); !strings.Contains(v, "not JSON") || !strings.Contains(v, "INFO started") {
		t.Errorf("forcing json on text should say it is not JSON:\n%s", v)
	}
}

// laidOut counts the rows indexed and the bytes of text held for display.
func laidOut(m *Model) (rows, size int) {
	for _, b := range m.doc.blocks {
		if tb, ok := b.(*textBlock); ok {
			rows += len(tb.segs)
			for _, l := range tb.lines {
				size += len(l.text)
			}
		}
	}
	return rows, size
}

func TestLargeValueIsNotLaidOutWhole(t *testing.T) {
	const size = 10 << 20
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < size-20; i++ {
		fmt.Fprintf(&b, `"item-%07d",`, i)
	}
	b.WriteString(`"last"]}`)
	big := b.Bytes()
	if !json.Valid(big) {
		t.Fatal("test value is not JSON")
	}
	// Whole, this would be over 700,000 rows of pretty JSON.
	m := plainModel(80, 22)
	m.SetRecord(&kgo.Record{Topic: "big", Value: big, Timestamp: fixedNow})
	v := m.View()
	rows, held := laidOut(m)
	if rows > 100_000 || held > 2*valueCap {
		t.Errorf("laid out %d rows, %d bytes for a %d-byte value", rows, held, len(big))
	}
	if !strings.Contains(v, "format auto → json") || !strings.Contains(v, "left out") || !strings.Contains(v, "f → hex shows every byte") ||
		!strings.Contains(v, `"item-0000000",`) {
		t.Errorf("cut JSON value:\n%s", v)
	}
	m.Update(press("G"))
	if v := m.View(); !strings.Contains(v, "of the value left out") {
		t.Errorf("the end of a cut value should say what was left out:\n%s", v)
	}

	// Hex shows every byte and lays out none of them.
	for range 3 {
		m.Update(press("f"))
	}
	m.Update(press("G"))
	v = m.View()
	last := fmt.Sprintf("%08x", (len(big)-1)/16*16)
	if !strings.Contains(v, "format hex") || strings.Contains(v, "left out") || !strings.Contains(v, last+"  ") || !strings.Contains(v, `"last"]}|`) {
		t.Errorf("hex of a large value should reach its last line %s:\n%s", last, v)
	}
	if rows, _ := laidOut(m); rows > 40 {
		t.Errorf("hex laid out %d rows", rows)
	}

	// One 10 MB line of text, wrapped: bounded by the cap, not the value.
	m.SetRecord(&kgo.Record{Topic: "big", Value: bytes.Repeat([]byte("x"), size), Timestamp: fixedNow})
	v = m.View()
	if rows, held := laidOut(m); rows > valueCap/80+40 || held > valueCap+4096 {
		t.Errorf("text laid out %d rows, %d bytes", rows, held)
	}
	if !strings.Contains(v, "format auto → text") || !strings.Contains(v, "showing the first 1.0 MiB (1048576 B); 9.0 MiB (9437184 B) left out") {
		t.Errorf("cut text value:\n%s", v)
	}
}

func TestNullKeyAndTombstone(t *testing.T) {
	m := plainModel(80, 22)
	m.SetRecord(&kgo.Record{Topic: "t", Timestamp: fixedNow, Headers: []kgo.RecordHeader{{Key: "h"}}})
	v := m.View()
	for _, want := range []string{"Key        <null>", "h: <null>", "Value      <null> · tombstone", "key null · value null"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	m.Update(press("f"))
	if v := m.View(); !strings.Contains(v, "Value      <null>") {
		t.Errorf("a tombstone has no format to change:\n%s", v)
	}
}

func TestScrollingAndMessages(t *testing.T) {
	var items []string
	for i := range 60 {
		items = append(items, fmt.Sprintf(`{"n":%d}`, i))
	}
	r := &kgo.Record{Topic: "t", Timestamp: fixedNow, Value: []byte("[" + strings.Join(items, ",") + "]")}
	m := plainModel(80, 22)
	m.SetRecord(r)
	if v := m.View(); !strings.Contains(v, "Topic      t") || !strings.Contains(v, "rows 1–20 of") || !strings.Contains(v, ", top") {
		t.Fatalf("first screen:\n%s", v)
	}
	m.Update(press("j"))
	if v := m.View(); strings.Contains(v, "Topic      t") || !strings.Contains(v, "rows 2–21") {
		t.Errorf("j should move down a row:\n%s", v)
	}
	m.Update(press("G"))
	v := m.View()
	if !strings.Contains(v, `"n": 59`) || !strings.Contains(v, "\n]\n") || !strings.Contains(v, ", end") {
		t.Errorf("G should show the last lines:\n%s", v)
	}
	m.Update(press("j"))
	if m.View() != v {
		t.Error("j at the end moved past it")
	}
	m.Update(press("b"))
	m.Update(press("pgup"))
	m.Update(press("space"))
	m.Update(press("pgdown"))
	if m.View() != v {
		t.Error("two pages up and two down should come back to the end")
	}
	m.Update(press("g"))
	if v := m.View(); !strings.Contains(v, "Topic      t") {
		t.Errorf("g should show the first lines:\n%s", v)
	}

	cmd := m.Update(press("esc"))
	if cmd == nil {
		t.Fatal("esc gave no command")
	}
	if _, ok := cmd().(CloseMsg); !ok {
		t.Error("esc did not ask to close")
	}
	cmd = m.Update(press("p"))
	if cmd == nil {
		t.Fatal("p gave no command")
	}
	if msg, ok := cmd().(SendToProducerMsg); !ok || msg.Record != r {
		t.Errorf("p sent %#v, want the record shown", cmd())
	}
	if cmd := m.Update(press("q")); cmd != nil {
		t.Error("q is the App's quit key and must do nothing here")
	}
	m.Blur()
	if cmd := m.Update(press("esc")); cmd != nil {
		t.Error("an unfocused pane took a key")
	}
}

func TestFooterHelpFitsEightyColumns(t *testing.T) {
	m := plainModel(80, 22)
	h := help.New()
	h.SetWidth(80)
	g := common.DefaultGlobalKeyMap()
	if v := h.ShortHelpView(append(m.ShortHelp(), g.ShortHelp()...)); ansi.StringWidth(v) > 80 || strings.Contains(v, "…") {
		t.Errorf("footer does not fit: %q", v)
	}
	for _, col := range m.FullHelp() {
		for _, b := range col {
			if b.Help().Key == "q" || len(b.Keys()) == 0 {
				t.Errorf("binding %+v", b.Help())
			}
		}
	}
}

func TestWrapIsWidthAware(t *testing.T) {
	value := strings.Repeat("東京都千代田区 emoji 👩‍💻 ok ", 20)
	m := plainModel(30, 40)
	m.SetRecord(&kgo.Record{Topic: "t", Timestamp: fixedNow, Key: []byte("k"), Value: []byte(value)})
	v := m.View()
	assertWidth(t, v, 30)
	if !strings.Contains(v, "👩‍💻") {
		t.Errorf("an emoji sequence was split:\n%s", v)
	}
	m.Update(press("w"))
	v = m.View()
	assertWidth(t, v, 30)
	if !strings.Contains(v, "wrap off") || !strings.Contains(v, "…") || strings.Count(v, "東京都") != 1 {
		t.Errorf("without wrap the value is one cut line:\n%s", v)
	}
}

func TestGolden80x22(t *testing.T) {
	m := newModel(t, 80, 22)
	m.SetRecord(jsonRecord())
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

// TestGolden80x22End shows the end of the same record: long lines wrapped,
// wide characters kept whole.
func TestGolden80x22End(t *testing.T) {
	m := newModel(t, 80, 22)
	m.SetRecord(jsonRecord())
	m.Update(press("G"))
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestGolden160x46(t *testing.T) {
	m := newModel(t, 160, 46)
	m.SetRecord(jsonRecord())
	golden.RequireEqual(t, ansi.Strip(m.View()))
}
