package detail

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/rivo/uniseg"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// maxRows bounds the wrap index of one block. Layout is already bounded by
// layoutCap bytes; this bounds it again in rows, which matters only on an
// absurdly narrow pane where every cell of 4 MiB would become a row.
const maxRows = 1 << 19

// kind is how a line is styled.
type kind int

const (
	kindText kind = iota
	kindMuted
	kindWarning
)

// line is one logical line of the document. A line with a label column
// shows its label on the first row and blanks on the rows it wraps onto, so
// wrapped text hangs under the value column instead of under the labels.
type line struct {
	label  string // plain ASCII
	column int    // width of the label column, 0 for full-width text
	text   string // sanitised
	kind   kind
}

// block is a run of document rows. Blocks lay themselves out for a width
// and then hand out rows one at a time, so drawing a screen costs the same
// whatever the block holds.
type block interface {
	layout(width int, wrap bool)
	rows() int
	row(i int) string
}

// document is the record as a sequence of blocks.
type document struct {
	blocks []block
	starts []int // first row of each block
	total  int
}

func (d *document) layout(width int, wrap bool) {
	d.starts = d.starts[:0]
	d.total = 0
	for _, b := range d.blocks {
		b.layout(width, wrap)
		d.starts = append(d.starts, d.total)
		d.total += b.rows()
	}
}

// window returns rows [from, from+n) of the document, or fewer at its end.
func (d *document) window(from, n int) []string {
	var out []string
	for i, b := range d.blocks {
		end := d.starts[i] + b.rows()
		for r := max(from, d.starts[i]); r < end && len(out) < n; r++ {
			out = append(out, b.row(r-d.starts[i]))
		}
	}
	return out
}

// seg is the byte range of a line shown on one row.
type seg struct{ line, start, end int32 }

// textBlock holds lines whose text exists in memory, bounded by the caps in
// build.go, and a wrap index saying where each row starts.
type textBlock struct {
	st    *common.Styles
	lines []line
	width int
	wrap  bool
	segs  []seg
	full  bool // the index stopped at maxRows
}

func (b *textBlock) layout(width int, wrap bool) {
	b.width, b.wrap, b.full = width, wrap, false
	b.segs = b.segs[:0]
	for i, l := range b.lines {
		if len(b.segs) >= maxRows {
			b.full = true
			return
		}
		avail := max(width-l.column, 1)
		// A line no longer in bytes than the width fits: no grapheme is
		// wider in cells than it is long in bytes.
		if !wrap || len(l.text) <= avail {
			b.segs = append(b.segs, seg{int32(i), 0, int32(len(l.text))})
			continue
		}
		b.segs = wrapLine(b.segs, int32(i), l.text, avail)
	}
}

// wrapLine appends the rows of text at avail cells each, never splitting a
// grapheme cluster, so a wide character moves whole to the next row.
func wrapLine(segs []seg, i int32, text string, avail int) []seg {
	if isASCII(text) {
		for s := 0; s < len(text); s += avail {
			segs = append(segs, seg{i, int32(s), int32(min(s+avail, len(text)))})
		}
		return segs
	}
	start, w, state := 0, 0, -1
	for rest := text; len(rest) > 0; {
		var cw int
		pos := len(text) - len(rest)
		_, rest, cw, state = uniseg.FirstGraphemeClusterInString(rest, state)
		// A cluster wider than the whole row still gets a row of its own.
		if w+cw > avail && pos > start {
			segs = append(segs, seg{i, int32(start), int32(pos)})
			start, w = pos, 0
		}
		w += cw
	}
	return append(segs, seg{i, int32(start), int32(len(text))})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (b *textBlock) rows() int {
	if b.full {
		return len(b.segs) + 1
	}
	return len(b.segs)
}

func (b *textBlock) row(i int) string {
	if i >= len(b.segs) {
		return b.st.Warning.Render(fmt.Sprintf("… stopped after %d rows; f → hex shows every byte", maxRows))
	}
	s := b.segs[i]
	l := b.lines[s.line]
	avail := max(b.width-l.column, 1)
	text := l.text[s.start:s.end]
	if !b.wrap {
		// Reads only as much of a long line as fits.
		text = kafka.TruncateWidth(text, avail)
	}
	var prefix string
	if l.column > 0 {
		label := ""
		if s.start == 0 && l.label != "" {
			label = l.label
			prefix = b.st.Header.Render(label)
		}
		prefix += strings.Repeat(" ", max(l.column-len(label), 0))
	}
	return prefix + styleOf(b.st, l.kind).Render(text)
}

func styleOf(st *common.Styles, k kind) lipgloss.Style {
	switch k {
	case kindMuted:
		return st.Muted
	case kindWarning:
		return st.Warning
	}
	return st.Text
}

// hexBlock shows a whole value as a hex dump. Line i depends only on bytes
// 16i to 16i+15, so rows are made when drawn and a 10 MB value costs no
// more than a short one: this is the view that can show every byte.
type hexBlock struct {
	st    *common.Styles
	b     []byte
	width int
	wrap  bool
}

func (h *hexBlock) layout(width int, wrap bool) { h.width, h.wrap = width, wrap }

func (h *hexBlock) lines() int { return (len(h.b) + 15) / 16 }

// per is how many rows line i takes.
func (h *hexBlock) per(i int) int {
	if !h.wrap {
		return 1
	}
	w := max(h.width, 1)
	return (hexWidth(min(16, len(h.b)-16*i)) + w - 1) / w
}

func hexWidth(n int) int { return kafka.HexLineWidth - 16 + n }

func (h *hexBlock) rows() int {
	n := h.lines()
	if n == 0 {
		return 0
	}
	return (n-1)*h.per(0) + h.per(n-1)
}

func (h *hexBlock) row(r int) string {
	per, n := h.per(0), h.lines()
	i, part := r/per, r%per
	if i >= n-1 {
		i, part = n-1, r-(n-1)*per
	}
	text := kafka.HexLine(h.b, 16*i)
	w := max(h.width, 1)
	if h.wrap {
		text = text[min(part*w, len(text)):min((part+1)*w, len(text))]
	} else {
		text = kafka.TruncateWidth(text, w)
	}
	return h.st.Text.Render(text)
}
