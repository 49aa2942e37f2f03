package kafka

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// allocated is how many bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// encoding/json accepts nesting up to 10,000 levels. Indented in full,
// each level adds two spaces to every line inside it, so this 18 kB
// document would become 162 MB of spaces (1.3 GB allocated, 1.8 s).
func TestDisplayJSONDeepNestingIsBounded(t *testing.T) {
	const depth = 9000
	doc := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	if !json.Valid(doc) {
		t.Fatal("test document is not JSON")
	}
	for _, f := range []Format{FormatAuto, FormatJSON} {
		var got string
		var used Format
		n := allocated(func() { got, used = Display(doc, f) })
		if n > 6*jsonDisplayMax || len(got) > jsonDisplayMax {
			t.Errorf("Display(%d-deep JSON, %v) allocated %d bytes for %d bytes of output", depth, f, n, len(got))
		}
		if used != FormatJSON || !strings.HasPrefix(got, "[\n  [\n    [") {
			t.Errorf("Display(%d-deep JSON, %v) = %v, starting %.40q", depth, f, used, got)
		}
		if why := checkSafe(got, true); why != "" {
			t.Errorf("Display(%d-deep JSON, %v): %s", depth, f, why)
		}
	}
}

// Many documents, each nested as deep as encoding/json allows before the
// indent stops growing, still cost output bounded by a cap.
func TestDisplayJSONStopsAtCap(t *testing.T) {
	nest := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	doc := []byte("[" + strings.Repeat(nest+",", 5000) + nest + "]") // 2 MB
	var got string
	n := allocated(func() { got, _ = Display(doc, FormatJSON) })
	if n > 6*jsonDisplayMax || len(got) > jsonDisplayMax+200 {
		t.Errorf("Display allocated %d bytes for %d bytes of output", n, len(got))
	}
	if !strings.HasSuffix(got, "\n"+jsonStoppedNote) {
		t.Errorf("stopped pretty JSON should end with a note, ends %q", got[max(len(got)-120, 0):])
	}
	if why := checkSafe(got, true); why != "" {
		t.Error(why)
	}
}

func TestIndentJSONMatchesEncodingJSON(t *testing.T) {
	for _, doc := range []string{
		`{"b":1,"a":[1,2,{"c":null}],"e":{},"f":[],"g":"x\"y\\","h":[[]]}`,
		` [ 1 , "two" , true , { "k" : "v" } ] `,
		`"just a string"`, `12345678901234567890`, `{"":{"":{"":[{}]}}}`,
		`{"a":"\u001b]0;t\u0007` + "\u202e\u2066" + `"}`,
	} {
		var want bytes.Buffer
		if err := json.Indent(&want, bytes.TrimSpace([]byte(doc)), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got, stopped := IndentJSON(bytes.TrimSpace([]byte(doc)), 4<<20); string(got) != want.String() || stopped {
			t.Errorf("indent %s:\n%s\nwant:\n%s", doc, got, want.String())
		}
	}
	deep := bytes.Repeat([]byte("["), 100_000)
	got, stopped := IndentJSON(deep, 1<<20)
	if !stopped || len(got) > 1<<20 || bytes.Contains(got, bytes.Repeat([]byte(" "), 2*maxIndent+1)) {
		t.Errorf("deep nesting: %d bytes, stopped %v", len(got), stopped)
	}
	// A cut inside a multi-byte rune is not left as invalid bytes.
	long := []byte(`"` + strings.Repeat("日", 100))
	if got, stopped := IndentJSON(long, 50); !stopped || !bytes.HasPrefix(long, got) || len(got)%3 != 1 {
		t.Errorf("cut string: %q, stopped %v", got, stopped)
	}
}

// A grapheme cluster of a letter and a million combining marks is one cell
// wide and megabytes long: a view would redraw all of it with every frame
// that row is on. Past Unicode's stream-safe limit of 30 marks in a row,
// which no script needs, the marks are shown escaped instead.
func TestSanitizeLongMarkRuns(t *testing.T) {
	in := "Z" + strings.Repeat("\u0301", 100) + " ok e\u0301\u0327 👍🏽 ❤\ufe0f"
	want := "Z" + strings.Repeat("\u0301", 30) + strings.Repeat(`\u0301`, 70) + " ok e\u0301\u0327 👍🏽 ❤\ufe0f"
	for _, got := range []string{Sanitize([]byte(in)), SanitizeBlock([]byte(in))} {
		if got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	}
	// Any mix of enclosing and non-spacing marks counts, and each new base
	// character starts a new run.
	mixed := strings.Repeat("a"+strings.Repeat("\u20dd\u0308", 15), 3)
	if got := Sanitize([]byte(mixed)); got != mixed {
		t.Errorf("30 marks on each letter should all be kept: %q", got)
	}
	zalgo := []byte("Z" + strings.Repeat("\u0301\u0327\u0308", 200_000))
	s := Sanitize(zalgo)
	if checkSafe(s, false) != "" || StringWidth(s) < 1000 {
		t.Errorf("a 1.2 MB cluster is %d cells", StringWidth(s))
	}
}

func BenchmarkDisplayDeepJSON(b *testing.B) {
	doc := []byte(strings.Repeat("[", 9000) + strings.Repeat("]", 9000))
	b.ReportAllocs()
	for b.Loop() {
		Display(doc, FormatJSON)
	}
}
