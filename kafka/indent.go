package kafka

import (
	"bytes"
	"unicode/utf8"
)

// maxIndent is the deepest nesting that still moves a line right; deeper
// levels share its indent so a hostile [[[[… cannot turn each byte into
// thousands of spaces.
const maxIndent = 64

// IndentJSON lays b out as json.Indent(dst, b, "", "  ") does, keeping key
// order and numbers as written, with two differences that bound its output:
// nesting deeper than 64 levels is indented as level 64, and it stops once
// the output reaches limit bytes, at the last whole line, reporting whether
// it stopped. It also accepts a document cut short, which is what a view of
// the start of a large value has. It does not validate (check with
// json.Valid or JSONPrefix first) and does not sanitise: strings are copied
// as they are, for SanitizeBlock to make safe.
func IndentJSON(b []byte, limit int) ([]byte, bool) {
	out := make([]byte, 0, min(2*len(b), limit)+64)
	depth := 0
	inString, escaped, open := false, false, false
	newline := func() {
		out = append(out, '\n')
		for range min(max(depth, 0), maxIndent) {
			out = append(out, ' ', ' ')
		}
	}
	for _, c := range b {
		if len(out) >= limit {
			return cutLine(out), true
		}
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			continue
		}
		if open {
			// As json.Indent does, an empty object or array stays {} or [].
			open = false
			if c == '}' || c == ']' {
				depth--
				out = append(out, c)
				continue
			}
			newline()
		}
		switch c {
		case '"':
			inString = true
			out = append(out, c)
		case '{', '[':
			depth++
			open = true
			out = append(out, c)
		case '}', ']':
			depth--
			newline()
			out = append(out, c)
		case ',':
			out = append(out, c)
			newline()
		case ':':
			out = append(out, c, ' ')
		default:
			out = append(out, c)
		}
	}
	return out, false
}

// cutLine ends stopped output at its last complete line, or failing that
// at a rune boundary, so the cut never shows as invalid bytes.
func cutLine(out []byte) []byte {
	if i := bytes.LastIndexByte(out, '\n'); i > 0 {
		return out[:i]
	}
	for i := len(out) - 1; i >= 0 && i >= len(out)-utf8.UTFMax; i-- {
		if utf8.RuneStart(out[i]) {
			if !utf8.FullRune(out[i:]) {
				return out[:i]
			}
			break
		}
	}
	return out
}
