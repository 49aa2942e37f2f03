package kafka

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Format is how a payload is displayed. The zero value is FormatAuto.
type Format int

const (
	// FormatAuto picks JSON, text or hex per payload with Detect.
	FormatAuto Format = iota
	// FormatJSON pretty-prints JSON, keeping key order and numbers as written.
	FormatJSON
	// FormatText shows the payload as sanitised UTF-8 text.
	FormatText
	// FormatHex shows a hex dump: offset, 16 bytes, printable ASCII.
	FormatHex
)

var formatNames = [...]string{FormatAuto: "auto", FormatJSON: "json", FormatText: "text", FormatHex: "hex"}

// ParseFormat parses "auto", "json", "text" or "hex", ignoring case and
// surrounding space, as typed on a command line or in a config file.
func ParseFormat(s string) (Format, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for f, name := range formatNames {
		if t == name {
			return Format(f), nil
		}
	}
	return FormatAuto, fmt.Errorf("unknown format %q: want auto, json, text or hex", s)
}

// String returns the name ParseFormat accepts, or "Format(n)" for a value
// outside the defined set.
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// NullText is what Display and Preview show for a nil payload: Kafka
// distinguishes a null key or value (a tombstone) from an empty one, and so
// must the person reading it. Display and Preview show an empty payload as "".
// A payload that is literally "<null>" looks the same, so a view that styles
// nulls differently should test the bytes for nil rather than compare text.
const NullText = "<null>"

// Ellipsis marks text that was cut to fit.
const Ellipsis = "…"

// tabWidth is where SanitizeBlock puts tab stops. Tabs are expanded rather
// than passed through because the view lays text out by cell width, and a
// raw tab's width depends on where the terminal's cursor happens to be, which
// would desynchronise the renderer from the screen. 8 matches what `cat`
// shows in a terminal with default stops.
const tabWidth = 8

const hexDigits = "0123456789abcdef"

// Sanitize makes untrusted bytes safe to print on one terminal line.
//
// Escape scheme, close to Go's string literal syntax:
//   - \n, \t, \r for newline, tab and carriage return;
//   - \xNN for any other C0 control (ESC is \x1b), DEL (\x7f), and for each
//     byte that is not part of valid UTF-8 (a raw 0x9b is \x9b);
//   - \uNNNN (or \UNNNNNNNN above the BMP) for a valid code point that is a C1
//     control (U+009B is \u009b), a bidi override, isolate or mark, or an
//     invisible format character someone could use to make two different
//     strings look the same (U+200B, U+2028/2029, U+2060–206F, U+FEFF,
//     U+FFF9–FFFB, and Unicode tag characters outside an emoji flag).
//
// \x therefore always means "this raw byte", \u "this code point".
// Escaping ESC and the C1 introducers is enough to disarm whole CSI, OSC
// (title sets, OSC 52 clipboard writes), DCS, APC, PM and SOS sequences: the
// rest of a sequence is printable text that a terminal shows literally, which
// is also what someone debugging a producer wants to see.
//
// The backslash itself is not escaped. Payloads are full of backslashes
// (Windows paths, regexes, JSON's own \" and \u escapes) and doubling every
// one would make ordinary text hard to read. The price is that a payload
// containing the four characters `\x1b` looks like one containing ESC; the
// output is for reading safely, not for reversing, and the hex view is exact.
//
// The output is valid UTF-8 with no byte below 0x20, no 0x7f and no C1 code
// point. Zero-width joiners, variation selectors and combining marks are kept
// so emoji sequences and scripts that need them render intact, up to 30 in a
// row on one character; the rest of a longer run ("zalgo" text) is escaped
// as \uNNNN, so that no cell holds more than a few hundred bytes.
func Sanitize(b []byte) string { return sanitize(b, false) }

// SanitizeBlock is Sanitize for a multi-line view: newlines are kept and tabs
// are expanded to spaces up to the next multiple of 8 cells; everything else
// is escaped as in Sanitize, including \r, so a CR cannot overwrite a line
// (CRLF text shows a visible \r at each line end).
func SanitizeBlock(b []byte) string { return sanitize(b, true) }

func sanitize(b []byte, block bool) string {
	var sb strings.Builder
	sb.Grow(len(b))
	// For tab expansion: the cell column at segStart, where segStart is the
	// output offset of the last line start or tab. Measuring whole segments
	// keeps this linear however many tabs a line has.
	col, segStart := 0, 0
	inFlag := false // inside an emoji tag sequence such as the flag of England
	marks := 0      // extending code points in a row, kept or escaped
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			inFlag, marks = false, 0
			switch {
			case block && c == '\n':
				sb.WriteByte('\n')
				col, segStart = 0, sb.Len()
			case block && c == '\t':
				col += uniseg.StringWidth(sb.String()[segStart:])
				n := tabWidth - col%tabWidth
				sb.WriteString("        "[:n])
				col, segStart = col+n, sb.Len()
			case c < 0x20 || c == 0x7f:
				writeByteEscape(&sb, c)
			default:
				sb.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			// An escaped byte ends a flag: a tag after it would show
			// nothing where the flag was, yet hide text.
			inFlag, marks = false, 0
			writeByteEscape(&sb, c)
			i++
			continue
		}
		isTag := r >= 0xe0000 && r <= 0xe007f
		if extending(r) {
			marks++
		} else {
			marks = 0
		}
		switch {
		case flagged(r) && !(isTag && inFlag):
			writeRuneEscape(&sb, r)
			if marks <= maxMarks {
				marks = 0 // the escape is text that later marks sit on
			}
		case marks > maxMarks:
			writeRuneEscape(&sb, r)
		default:
			sb.Write(b[i : i+size])
		}
		inFlag = r == 0x1f3f4 || (isTag && inFlag)
		i += size
	}
	return sb.String()
}

// maxMarks is how many extending code points in a row Sanitize keeps: the
// limit of Unicode's stream-safe text format (UAX #15), beyond anything a
// script needs.
const maxMarks = 30

// extending reports code points that join the character before them into
// one grapheme cluster: combining marks and format characters such as ZWJ
// and emoji tags, and the skin tone modifiers. A long run of them makes one
// cell megabytes long, which a view would redraw in full whenever that
// cell is on screen.
func extending(r rune) bool {
	switch {
	case r < 0x300: // Latin and the like: only the soft hyphen
		return r == 0xad
	case r >= 0x3400 && r <= 0x9fff, r >= 0xac00 && r <= 0xd7a3: // CJK ideographs, Hangul syllables: none
		return false
	case r >= 0x1f3fb && r <= 0x1f3ff:
		return true
	}
	return unicode.In(r, unicode.M, unicode.Cf)
}

// flagged reports code points that are harmless to a terminal's parser but
// invisible or direction-changing on screen, so they could hide or reorder
// text without anyone noticing.
func flagged(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls: 8-bit CSI, OSC, ST, ...
		return true
	case r == 0x061c, r == 0x200b, r == 0x200e, r == 0x200f: // ALM, ZWSP, LRM, RLM
		return true
	case r >= 0x2028 && r <= 0x202e: // line and paragraph separators, bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, bidi isolates, deprecated formats
		return true
	case r == 0xfeff, r >= 0xfff9 && r <= 0xfffb: // ZWNBSP/BOM, interlinear annotations
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tags: invisible ASCII look-alikes, except inside emoji flags
		return true
	}
	return false
}

func writeByteEscape(sb *strings.Builder, c byte) {
	switch c {
	case '\n':
		sb.WriteString(`\n`)
	case '\t':
		sb.WriteString(`\t`)
	case '\r':
		sb.WriteString(`\r`)
	default:
		sb.WriteString(`\x`)
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&0xf])
	}
}

func writeRuneEscape(sb *strings.Builder, r rune) {
	digits := 4
	if r > 0xffff {
		sb.WriteString(`\U`)
		digits = 8
	} else {
		sb.WriteString(`\u`)
	}
	for shift := (digits - 1) * 4; shift >= 0; shift -= 4 {
		sb.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}

// Detect guesses how a payload is best displayed. JSON means a valid JSON
// object or array (surrounding whitespace allowed); a bare JSON number, string
// or literal is plain text to a reader and is reported as FormatText. Text means
// valid UTF-8 with no NUL and few other controls (newlines, tabs, CRs and ESC,
// common in coloured log lines, do not count). Everything else is FormatHex.
// Detect reads all of b; Preview uses a bounded variant.
func Detect(b []byte) Format { return classify(b, true) }

// classify is Detect for either a whole payload or, with complete false, a
// prefix of one, in which case JSON need only be a valid start of a document.
func classify(b []byte, complete bool) Format {
	t := bytes.Trim(b, " \t\r\n")
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		// A prefix is judged on its first bytes only: the tokenizer
		// allocates per token, and 256 bytes are plenty to tell
		// "[INFO] started" from a JSON array.
		if complete && json.Valid(t) || !complete && JSONPrefix(t[:min(len(t), 256)]) {
			return FormatJSON
		}
	}
	if looksText(b) {
		return FormatText
	}
	return FormatHex
}

// JSONPrefix reports whether b could be the start of a single JSON document:
// tokenising stops only because the input ran out, or the document closed and
// only whitespace follows. It lets a cut value be judged by its head.
func JSONPrefix(b []byte) bool {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // no float parsing of numbers we will not use
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		}
		if delim, ok := tok.(json.Delim); ok {
			if delim == '{' || delim == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return len(bytes.Trim(b[d.InputOffset():], " \t\r\n")) == 0
		}
	}
}

// looksText tolerates one odd control per 20 runes so that a stray BEL in a
// log line still reads as text, while serialised binary formats (protobuf
// tags and lengths, Avro, the Confluent wire format's leading zero byte) go to
// hex, where their structure is visible.
func looksText(b []byte) bool {
	runes, odd := 0, 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == 0:
				return false
			case c < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != 0x1b, c == 0x7f:
				odd++
			}
			runes++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if r <= 0x9f {
			odd++
		}
		runes++
		i += size
	}
	return odd*20 <= runes
}

// Display renders a payload for a detail view and returns the format it used.
// FormatAuto resolves with Detect. FormatJSON pretty-prints with two-space
// indent, keeping key order and numbers exactly as sent (12345678901234567890
// and 1.0e400 are not rounded through float64); any valid JSON value is
// accepted. If the payload is not valid JSON it falls back to text and returns
// FormatText, which the caller can compare with what it asked for to tell the
// user. Text is SanitizeBlock; hex is a `hexdump -C` style dump.
// Pretty JSON is laid out by IndentJSON, so nesting deeper than 64 levels
// stops moving right, and it stops at about 4 MiB with a last line saying
// so; text and hex show every byte.
// A nil payload renders as NullText with FormatText.
// The output has no trailing newline and is safe to print.
func Display(b []byte, f Format) (string, Format) {
	if b == nil {
		return NullText, FormatText
	}
	if f == FormatAuto {
		f = Detect(b)
	}
	switch f {
	case FormatJSON:
		t := bytes.Trim(b, " \t\r\n")
		if !json.Valid(t) {
			return SanitizeBlock(b), FormatText
		}
		// Valid JSON strings may still hold raw DEL, C1, bidi controls
		// or invalid UTF-8.
		out, stopped := IndentJSON(t, jsonDisplayMax)
		if stopped {
			return SanitizeBlock(out) + "\n" + jsonStoppedNote, FormatJSON
		}
		return SanitizeBlock(out), FormatJSON
	case FormatHex:
		return hexDump(b), FormatHex
	default:
		return SanitizeBlock(b), FormatText
	}
}

// jsonDisplayMax bounds the pretty JSON Display makes. encoding/json's own
// Indent is not used because its output grows with the square of the
// nesting depth: 18 kB of nested brackets would become 160 MB of spaces.
const jsonDisplayMax = 4 << 20

// jsonStoppedNote ends pretty JSON that reached jsonDisplayMax.
const jsonStoppedNote = "… pretty JSON stops at 4 MiB; the text and hex formats show every byte"

// hexDump lays out 16 bytes a line as `hexdump -C` does:
//
//	00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 ff  |Hello, world!...|
func hexDump(b []byte) string {
	var sb strings.Builder
	sb.Grow((len(b)+15)/16*(HexLineWidth+1) + 1)
	for off := 0; off < len(b); off += 16 {
		if off > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(HexLine(b, off))
	}
	return sb.String()
}

// HexLineWidth is the width of every line HexLine makes.
const HexLineWidth = 8 + 2 + 16*3 + 1 + 1 + 16 + 2 // offset, gaps, hex, ASCII column

// HexLine is the line of a hex dump for the 16 bytes of b at off: the
// offset, the bytes in hex, and the printable ASCII with '.' for the rest,
// as `hexdump -C` shows them. A detail view makes rows one at a time with it,
// so a large value is never dumped whole.
func HexLine(b []byte, off int) string {
	row := b[off:min(off+16, len(b))]
	var sb strings.Builder
	sb.Grow(HexLineWidth)
	for shift := 28; shift >= 0; shift -= 4 {
		sb.WriteByte(hexDigits[(off>>shift)&0xf])
	}
	sb.WriteString(" ")
	for i := range 16 {
		if i%8 == 0 {
			sb.WriteByte(' ')
		}
		if i < len(row) {
			sb.WriteByte(hexDigits[row[i]>>4])
			sb.WriteByte(hexDigits[row[i]&0xf])
			sb.WriteByte(' ')
		} else {
			sb.WriteString("   ")
		}
	}
	sb.WriteString(" |")
	for _, c := range row {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		sb.WriteByte(c)
	}
	sb.WriteByte('|')
	return sb.String()
}

// previewMax bounds how much of a payload Preview reads, so a list of 10 MB
// values costs the same to draw as a list of small ones.
const previewMax = 4 << 10

// Preview renders a payload on one line of at most width terminal cells for
// a list row: JSON with whitespace outside strings removed, text sanitised,
// binary as hex bytes ("0a ff 00 …"). Widths are counted per grapheme cluster
// (CJK and emoji take two cells) and a cut is marked with a single Ellipsis.
// Only a bounded prefix of b is read. A nil payload previews as NullText, an
// empty one as "", and width <= 0 gives "".
func Preview(b []byte, width int) string {
	if width <= 0 {
		return ""
	}
	if b == nil {
		return TruncateWidth(NullText, width)
	}
	// Sixteen bytes a cell leaves room for JSON indentation and combining
	// marks; escapes only make the text wider, never narrower.
	limit := min(max(width*16, 256), previewMax)
	p, cut := b, false
	if len(p) > limit {
		p, cut = p[:limit], true
		// Do not let the cut split a rune into bytes that would be shown as
		// invalid UTF-8.
		for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
			if utf8.RuneStart(p[i]) {
				if !utf8.FullRune(p[i:]) {
					p = p[:i]
				}
				break
			}
		}
	}
	switch classify(p, !cut) {
	case FormatJSON:
		return truncate(Sanitize(compactJSON(p)), width, cut)
	case FormatText:
		return truncate(Sanitize(p), width, cut)
	default:
		return hexPreview(b, width)
	}
}

// compactJSON drops whitespace outside strings. Unlike json.Compact it works
// on a document cut short, which is what Preview has for a large value.
func compactJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString, escaped := false, false
	for _, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			out = append(out, c)
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			inString = true
		}
		out = append(out, c)
	}
	return out
}

// hexPreview shows as many bytes as fit, reading no more than that.
func hexPreview(b []byte, width int) string {
	n := len(b)
	if 3*n-1 > width {
		n = (width - 1) / 3 // each byte "xx " plus the closing Ellipsis
	}
	var sb strings.Builder
	sb.Grow(3*n + len(Ellipsis))
	for i, c := range b[:n] {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&0xf])
	}
	if n < len(b) {
		if n > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(Ellipsis)
	}
	return sb.String()
}

// StringWidth returns how many terminal cells s takes, counting grapheme
// clusters: East Asian wide characters and emoji count 2. s should already be
// sanitised; control characters count 0.
func StringWidth(s string) int { return uniseg.StringWidth(s) }

// TruncateWidth cuts s to at most width cells without splitting a grapheme
// cluster, ending a cut with Ellipsis. It stops reading s once it knows the
// answer, so it is cheap on long strings.
func TruncateWidth(s string, width int) string { return truncate(s, width, false) }

// truncate is TruncateWidth that, with more set, also marks s as cut (because
// it is a prefix of something longer) even when s itself fits.
func truncate(s string, width int, more bool) string {
	if width <= 0 {
		return ""
	}
	if ascii(s[:min(len(s), width+1)]) {
		if len(s) <= width && !more {
			return s
		}
		if len(s) < width {
			return s + Ellipsis
		}
		return s[:width-1] + Ellipsis
	}
	// fit is the end of the longest prefix that leaves a cell for Ellipsis.
	w, fit, state := 0, 0, -1
	for rest := s; len(rest) > 0; {
		var cw int
		_, rest, cw, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if w+cw > width {
			return s[:fit] + Ellipsis
		}
		if w += cw; w < width {
			fit = len(s) - len(rest)
		}
	}
	if !more {
		return s
	}
	if w < width {
		return s + Ellipsis
	}
	return s[:fit] + Ellipsis
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
