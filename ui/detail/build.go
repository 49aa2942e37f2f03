package detail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// What is laid out is capped so that opening a 10 MB record costs about
// what opening a 1 MB one does. The hex view is not capped: it makes its
// rows when drawn, which is why the notes point there.
const (
	valueCap  = 1 << 20  // bytes of a value formatted as JSON or text
	layoutCap = 4 << 20  // bytes of pretty JSON, which grows with nesting depth
	fieldCap  = 16 << 10 // bytes of a key, header key or header value
	jsonSniff = 4 << 10  // bytes of a cut value checked for a JSON start

	labelWidth = 11
)

const jsonSpace = " \t\r\n"

// shown is what the document says about the value, for the status line.
type shown struct {
	used    kafka.Format
	notJSON bool // JSON was asked for and the value is not JSON
	left    int  // bytes of the value not laid out
	stopped bool // pretty JSON reached layoutCap
	null    bool
}

// build lays the record out as a document showing the value in format f.
// Payload bytes reach the document only through kafka's sanitising
// functions or as hex digits and printable ASCII in a dump.
func build(st *common.Styles, r *kgo.Record, f kafka.Format) (*document, shown) {
	fields := &textBlock{st: st}
	add := func(label, text string, k kind) {
		fields.lines = append(fields.lines, line{label: label, column: labelWidth, text: text, kind: k})
	}
	add("Topic", kafka.Sanitize([]byte(r.Topic)), kindText)
	add("Partition", strconv.Itoa(int(r.Partition)), kindText)
	add("Offset", strconv.FormatInt(r.Offset, 10), kindText)
	add("Timestamp", timestamp(r), kindText)
	keyLines(add, r.Key)

	add("Headers", strconv.Itoa(len(r.Headers)), kindText)
	hdrBytes := 0
	for _, h := range r.Headers {
		hdrBytes += len(h.Key) + len(h.Value)
		v := kafka.NullText
		if h.Value != nil {
			v = clipped(h.Value, kafka.Sanitize)
		}
		add("", clipped([]byte(h.Key), kafka.Sanitize)+": "+v, kindText)
	}

	keySize := "null"
	if r.Key != nil {
		keySize = bytesText(len(r.Key))
	}
	valueSize := "null"
	if r.Value != nil {
		valueSize = bytesText(len(r.Value))
	}
	add("Size", fmt.Sprintf("key %s · value %s · headers %s", keySize, valueSize, bytesText(hdrBytes)), kindText)

	doc := &document{blocks: []block{fields}}
	var sh shown
	switch {
	case r.Value == nil:
		sh = shown{used: kafka.FormatText, null: true}
		add("Value", kafka.NullText+" · tombstone (a null value)", kindMuted)
		return doc, sh
	case len(r.Value) == 0:
		sh = shown{used: kafka.FormatText}
		add("Value", "(empty) · 0 B", kindMuted)
		return doc, sh
	}

	p, left := clip(r.Value, valueCap)
	want := f
	if want == kafka.FormatAuto {
		want = detect(p, left > 0)
	}
	var body block
	if want == kafka.FormatHex {
		// The whole value, however large: its rows are made when drawn.
		sh = shown{used: kafka.FormatHex}
		body = &hexBlock{st: st, b: r.Value}
	} else {
		s, used, stopped := format(p, left > 0, want)
		sh = shown{used: used, notJSON: want == kafka.FormatJSON && used != kafka.FormatJSON, left: left, stopped: stopped}
		body = &textBlock{st: st, lines: plainLines(s)}
	}
	add("Value", fmt.Sprintf("%s · %s", sh.used, bytesText(len(r.Value))), kindText)
	if sh.notJSON {
		add("", "not JSON: shown as text", kindWarning)
	}
	if sh.left > 0 {
		add("", fmt.Sprintf("showing the first %s; %s left out", bytesText(len(p)), bytesText(left)), kindWarning)
	}
	if sh.left > 0 || sh.stopped {
		add("", "f → hex shows every byte", kindWarning)
	}
	doc.blocks = append(doc.blocks, body)
	var tail []string
	if sh.stopped {
		tail = append(tail, fmt.Sprintf("… pretty JSON stops at %s; f → hex shows every byte", bytesText(layoutCap)))
	}
	if sh.left > 0 {
		tail = append(tail, fmt.Sprintf("… %s of the value left out; f → hex shows every byte", bytesText(left)))
	}
	if len(tail) > 0 {
		end := &textBlock{st: st}
		for _, t := range tail {
			end.lines = append(end.lines, line{text: t, kind: kindWarning})
		}
		doc.blocks = append(doc.blocks, end)
	}
	return doc, sh
}

// keyLines adds the key: auto format like the value, but always as text
// since a key is small, with its first line beside the label.
func keyLines(add func(label, text string, k kind), key []byte) {
	switch {
	case key == nil:
		add("Key", kafka.NullText, kindMuted)
		return
	case len(key) == 0:
		add("Key", "(empty)", kindMuted)
		return
	}
	p, left := clip(key, fieldCap)
	s, _, _ := format(p, left > 0, kafka.FormatAuto)
	for i, l := range strings.Split(s, "\n") {
		label := ""
		if i == 0 {
			label = "Key"
		}
		add(label, l, kindText)
	}
	if left > 0 {
		add("", fmt.Sprintf("… %s of the key left out", bytesText(left)), kindWarning)
	}
}

func timestamp(r *kgo.Record) string {
	ts := r.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	switch r.Attrs.TimestampType() {
	case 0:
		ts += " (create time)"
	case 1:
		ts += " (log append time)"
	}
	return ts
}

func plainLines(s string) []line {
	parts := strings.Split(s, "\n")
	out := make([]line, len(parts))
	for i, p := range parts {
		out[i] = line{text: p}
	}
	return out
}

// clipped sanitises at most fieldCap bytes of b with sanitise, marking a
// cut with an ellipsis.
func clipped(b []byte, sanitise func([]byte) string) string {
	p, left := clip(b, fieldCap)
	if left > 0 {
		return sanitise(p) + kafka.Ellipsis
	}
	return sanitise(p)
}

// clip returns at most n bytes of b, not splitting a UTF-8 sequence (which
// would show as invalid bytes), and how many bytes it left out.
func clip(b []byte, n int) ([]byte, int) {
	if len(b) <= n {
		return b, 0
	}
	p := wholeRunes(b[:n])
	return p, len(b) - len(p)
}

// wholeRunes drops a UTF-8 sequence cut short at the end of p.
func wholeRunes(p []byte) []byte {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				return p[:i]
			}
			break
		}
	}
	return p
}

// detect is kafka.Detect for p, which with cut set is only the start of a
// value: a cut JSON document is never valid, so a JSON start is enough.
func detect(p []byte, cut bool) kafka.Format {
	if cut && isJSON(p, true) {
		return kafka.FormatJSON
	}
	return kafka.Detect(p)
}

// isJSON reports whether p is a JSON value, or with cut set whether it
// starts like a JSON object or array.
func isJSON(p []byte, cut bool) bool {
	t := bytes.Trim(p, jsonSpace)
	if !cut {
		return json.Valid(t)
	}
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && kafka.JSONPrefix(t[:min(len(t), jsonSniff)])
}

// format renders p (the start of a payload when cut is set) in format f,
// which is not FormatAuto for a value, and returns the format used and
// whether pretty JSON reached layoutCap. JSON is indented here with
// kafka.IndentJSON rather than by kafka.Display so that a cut document can
// be shown and the stop is reported in the status lines; text and hex are
// kafka.Display's.
func format(p []byte, cut bool, f kafka.Format) (string, kafka.Format, bool) {
	if f == kafka.FormatAuto {
		f = detect(p, cut)
	}
	if f == kafka.FormatJSON {
		if !isJSON(p, cut) {
			s, _ := kafka.Display(p, kafka.FormatText)
			return s, kafka.FormatText, false
		}
		out, stopped := kafka.IndentJSON(bytes.Trim(p, jsonSpace), layoutCap)
		// Valid JSON strings may still hold DEL, C1 and bidi controls.
		return kafka.SanitizeBlock(out), kafka.FormatJSON, stopped
	}
	s, used := kafka.Display(p, f)
	return s, used, false
}

// bytesText says how big something is: exact bytes, plus KiB or MiB when
// that is easier to read.
func bytesText(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB (%d B)", float64(n)/(1<<10), n)
	default:
		return fmt.Sprintf("%.1f MiB (%d B)", float64(n)/(1<<20), n)
	}
}
