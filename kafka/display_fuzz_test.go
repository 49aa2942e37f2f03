package kafka

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// unsafeBlock says why s, a multi-line view, could harm or mislead a
// terminal, or "": bytes that are not UTF-8, C0 controls other than the
// newline (tabs are expanded), DEL, C1 controls, and the invisible and
// bidi characters Sanitize escapes, except tag characters that continue an
// emoji flag.
func unsafeBlock(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	prev := rune(0)
	for i, r := range s {
		switch {
		case r < 0x20 && r != '\n', r == 0x7f:
			return fmt.Sprintf("control %#02x at %d", r, i)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("C1 %U at %d", r, i)
		case flagged(r) && !(r >= 0xe0000 && r <= 0xe007f && (prev == 0x1f3f4 || prev >= 0xe0000 && prev <= 0xe007f)):
			return fmt.Sprintf("invisible or bidi %U at %d", r, i)
		}
		prev = r
	}
	return ""
}

// unhex reads a hexdump -C style dump back into bytes.
func unhex(dump string) ([]byte, error) {
	var out []byte
	if dump == "" {
		return out, nil
	}
	for _, line := range strings.Split(dump, "\n") {
		// The ASCII column of a last, short row is short too.
		if len(line) > HexLineWidth || len(line) < HexLineWidth-15 {
			return nil, fmt.Errorf("line %q is %d wide, want up to %d", line, len(line), HexLineWidth)
		}
		bar := strings.IndexByte(line, '|')
		if bar < 10 {
			return nil, fmt.Errorf("line %q has no ASCII column", line)
		}
		b, err := hex.DecodeString(strings.Join(strings.Fields(line[10:bar]), ""))
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// compactJSONText is b without insignificant whitespace.
func compactJSONText(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return "invalid: " + err.Error()
	}
	return buf.String()
}

// FuzzDisplay: no payload panics Display in any format; what it returns is
// safe on a terminal; the format it reports is the one asked for (auto:
// Detect's; JSON only for valid JSON); the hex dump reads back to the
// payload; pretty JSON of a payload Sanitize leaves alone is the same
// document; text keeps the payload's lines and makes no more.
func FuzzDisplay(f *testing.F) {
	for _, s := range []string{
		`{"order_id":"ord-1","total":12.50,"items":[1,2,{"a":null}]}`,
		"  [1, 2, 3]\r\n", `{"a": "\u001b[31m"}`, "{\"a\": \"\x7f\u009b\u202e\"}", `[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]`,
		"plain text\nsecond line\ttab\r\n", "\x1b]52;c;aGVsbG8=\x07", "\x1b[2J\x1b[H", "\u202eevil\u2066x\u2069",
		"\x00\x01\x02\xff\xfe binary", "👩‍👩‍👧 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", "\U000e0041hidden",
		"{\"a\":1}\x00", "", "\n", "\xc2", "\xe2\x80\xae", "1e400", `"just a string"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if b == nil {
			b = []byte{} // nil means a null payload, checked below
		}
		trimmed := bytes.Trim(b, " \t\r\n")
		for _, asked := range []Format{FormatAuto, FormatJSON, FormatText, FormatHex} {
			out, got := Display(b, asked)
			if why := unsafeBlock(out); why != "" {
				t.Fatalf("Display(%q, %v) = %q: %s", b, asked, out, why)
			}
			want := asked
			switch asked {
			case FormatAuto:
				want = Detect(b)
			case FormatJSON:
				if !json.Valid(trimmed) {
					want = FormatText
				}
			}
			if got != want {
				t.Fatalf("Display(%q, %v) reports %v, want %v", b, asked, got, want)
			}
			switch got {
			case FormatHex:
				back, err := unhex(out)
				if err != nil || !bytes.Equal(back, b) {
					t.Fatalf("Display(%q, hex) = %q reads back as %q (%v)", b, out, back, err)
				}
			case FormatJSON:
				// Raw tabs and CRs in valid JSON are whitespace between
				// tokens; anything else Sanitize would change is text
				// inside a string, shown escaped.
				bare := strings.NewReplacer("\t", "", "\r", "").Replace(string(trimmed))
				if SanitizeBlock([]byte(bare)) == bare {
					if a, w := compactJSONText([]byte(out)), compactJSONText(trimmed); a != w {
						t.Fatalf("Display(%q, json) = %q: the document changed:\n got %s\nwant %s", b, out, a, w)
					}
				}
			case FormatText:
				if n, m := strings.Count(out, "\n"), bytes.Count(b, []byte{'\n'}); n != m {
					t.Fatalf("Display(%q, %v) = %q has %d newlines, the payload %d", b, asked, out, n, m)
				}
			}
		}
	})
}
