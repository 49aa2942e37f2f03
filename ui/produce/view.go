package produce

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// Layout. The form's lines are: topic, key, headers (several), partition
// and repeat side by side, value (several), the JSON hint and a status
// line. Narrow, the delivery list goes under the form; from wideAt columns
// it goes beside it, where it can use the whole height.
const (
	labelW       = 13 // "▸ " + name (9) + problem mark + " "
	nameW        = 9
	repeatLabelW = 11 // " ▸ Repeat✗ "
	formFixed    = 5  // the one-line rows of the form
	wideAt       = 120
	listSep      = " │ "
)

type layout struct {
	wide             bool
	formW, listW     int
	headersH, valueH int
	listRows         int // delivery rows, under the summary line
}

// layout shares the pane's height out. Narrow, the list gets about two
// fifths of what the one-line rows leave, the headers up to three lines and
// the value the rest, up to twelve lines; anything left goes to the list.
func (m *Model) layout() layout {
	w, h := m.width, m.height
	if w >= wideAt {
		l := layout{wide: true, formW: w / 2, listRows: max(h-1, 0)}
		l.listW = w - l.formW - len([]rune(listSep))
		avail := max(h-formFixed, 2)
		l.headersH = min(max(avail/5, 1), 5)
		l.valueH = max(avail-l.headersH, 1)
		return l
	}
	l := layout{formW: w, listW: w}
	avail := max(h-formFixed-1, 3) // less the list's summary line
	rest := max(avail-max(2, avail*2/5), 2)
	l.headersH = min(max(rest/4, 1), 3)
	l.valueH = min(max(rest-l.headersH, 1), 12)
	l.listRows = max(h-formFixed-1-l.headersH-l.valueH, 0)
	return l
}

// fieldW is the width of a field right of its label.
func (l layout) fieldW() int { return max(l.formW-labelW, 8) }

// pairW splits the field width between partition and repeat.
func (l layout) pairW() (pw, rw int) {
	fw := l.fieldW()
	pw = fw / 2
	return pw, max(fw-pw-repeatLabelW, 2)
}

// View draws the form and the visible part of the delivery list: its cost
// depends on the pane's size, not on how many records were sent.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	l := m.layout()
	form := m.formLines(l)
	list := m.listLines(l.listW, l.listRows)
	if !l.wide {
		lines := common.FitLines(append(form, list...), m.height)
		for i, ln := range lines {
			lines[i] = common.Truncate(ln, m.width)
		}
		return strings.Join(lines, "\n")
	}
	form, list = common.FitLines(form, m.height), common.FitLines(list, m.height)
	sep := m.c.Styles.Muted.Render(listSep)
	lines := make([]string, m.height)
	for i := range lines {
		lines[i] = common.Pad(form[i], l.formW) + sep + common.Truncate(list[i], l.listW)
	}
	return strings.Join(lines, "\n")
}

func (m *Model) formLines(l layout) []string {
	s := m.c.Styles
	fw := l.fieldW()
	out := []string{m.label(fieldTopic, nameW) + m.topic.View()}
	if h := m.held[fieldKey]; h != nil {
		out = append(out, m.label(fieldKey, nameW)+s.Warning.Render(common.Truncate(fmt.Sprintf("⚠ binary, %s, kept as is: %s", size(len(h.bytes)), kafka.Preview(h.bytes, fw)), fw)))
	} else {
		out = append(out, m.label(fieldKey, nameW)+m.key.View())
	}
	out = append(out, m.block(fieldHeaders, m.headers.View(), l.headersH, fw)...)
	pw, _ := l.pairW()
	out = append(out, m.label(fieldPartition, nameW)+common.Pad(m.partition.View(), pw)+" "+m.label(fieldRepeat, len(fieldNames[fieldRepeat]))+m.repeat.View())
	out = append(out, m.block(fieldValue, m.value.View(), l.valueH, fw)...)
	hint := s.Muted.Render(m.jsonHint)
	if m.jsonOK {
		hint = s.Success.Render(m.jsonHint)
	}
	// The hint starts under the labels: JSON's reasons are long.
	out = append(out, "  "+common.Truncate(hint, l.formW-2))
	return append(out, common.Truncate(m.status(), l.formW))
}

// label is a field's name with a glyph for the form's cursor and one for a
// problem, so that neither depends on colour.
func (m *Model) label(f, w int) string {
	s := m.c.Styles
	cur, style := " ", s.Muted
	if m.focused && m.field == f {
		cur, style = "▸", s.Title
	}
	mark := "  "
	if len(m.problems[f]) > 0 {
		mark = s.Error.Render("✗") + " "
	}
	return style.Render(cur+" "+fmt.Sprintf("%-*s", w, fieldNames[f])) + mark
}

// block lays out a multi-line field: its label on the first line, the
// field (or the note of held bytes) cut or padded to h lines.
func (m *Model) block(f int, view string, h, fw int) []string {
	body := strings.Split(view, "\n")
	if hd := m.held[f]; hd != nil {
		body = m.heldNote(f, hd, fw)
	}
	body = common.FitLines(body, h)
	out := make([]string, h)
	pad := strings.Repeat(" ", labelW)
	for i := range out {
		lab := pad
		if i == 0 {
			lab = m.label(f, nameW)
		}
		out[i] = lab + common.Truncate(body[i], fw)
	}
	return out
}

// heldNote describes held headers or a held value, with a preview.
func (m *Model) heldNote(f int, h *held, w int) []string {
	s := m.c.Styles
	how := s.Muted.Render("backspace clears · ctrl+t edits a copy as text")
	if f == fieldHeaders {
		out := []string{s.Warning.Render(fmt.Sprintf("⚠ %d headers kept as they are: not editable as text", len(h.headers))), how}
		for _, hd := range h.headers {
			out = append(out, kafka.Preview([]byte(hd.Key), w/3)+"="+kafka.Preview(hd.Value, w))
		}
		return out
	}
	return []string{s.Warning.Render(fmt.Sprintf("⚠ binary value, %s, kept as is: not editable as text", size(len(h.bytes)))), how, kafka.Preview(h.bytes, w)}
}

// status is the form's last line: what the last send did, else what is
// wrong with the form, else what the keys do now.
func (m *Model) status() string {
	s := m.c.Styles
	switch {
	case m.notice != "" && m.noticeErr:
		return s.Error.Render(m.notice)
	case m.notice != "":
		return s.Text.Render(m.notice)
	case m.readOnly:
		return s.Error.Render(readOnlyNotice)
	case m.editing && m.held[m.field] != nil:
		return s.Muted.Render("held bytes: backspace clears them, ctrl+t edits a copy as text (escapes become literal text)")
	}
	if errs := m.allProblems(); len(errs) > 0 {
		return s.Warning.Render("⚠ " + strings.Join(errs, "; "))
	}
	if m.editing {
		return s.Muted.Render("editing: tab next field · esc leave fields · ctrl+s send")
	}
	return s.Muted.Render("enter edits the form · ctrl+s sends")
}

// listLines is the summary and the visible rows, newest first.
func (m *Model) listLines(w, rows int) []string {
	s := m.c.Styles
	queued := m.sent - m.acked - m.failed
	sum := s.Header.Render("Deliveries") + s.Muted.Render(fmt.Sprintf("  %d sent · ", m.sent)) +
		s.Success.Render(fmt.Sprintf("✓ %d acked", m.acked)) + s.Muted.Render(" · ") +
		s.Error.Render(fmt.Sprintf("✗ %d failed", m.failed)) + s.Muted.Render(fmt.Sprintf(" · … %d queued", queued))
	if m.scroll > 0 {
		sum += s.Muted.Render(fmt.Sprintf(" · %d newer above", m.scroll))
	}
	out := []string{common.Truncate(sum, w)}
	shown := m.shown()
	if len(shown) == 0 {
		return append(out, s.Muted.Render(common.Truncate("  nothing sent yet: fill in the form, then ctrl+s", w)))
	}
	idW := len(strconv.Itoa(m.nextID-1)) + 1
	topicW, keyW := min(max(w/6, 6), 24), min(max(w/6, 4), 20)
	for r := range rows {
		i := len(shown) - 1 - m.scroll - r
		if i < 0 {
			break
		}
		e := &shown[i]
		row := fmt.Sprintf("%*s %s %s ", idW, "#"+strconv.Itoa(e.id), common.Pad(e.topic, topicW), common.Pad(e.key, keyW))
		out = append(out, common.Truncate(row+m.stateText(e), w))
	}
	return out
}

// stateText is a delivery's state in a glyph and words.
func (m *Model) stateText(e *entry) string {
	s := m.c.Styles
	switch e.state {
	case statePending:
		return s.Muted.Render("… queued")
	case stateAcked:
		return s.Success.Render(fmt.Sprintf("✓ p%d @ %d %s", e.d.Partition, e.d.Offset, common.Duration(e.d.Latency)))
	}
	// The row already names the topic; the session's "produce to T: "
	// prefix would only push the reason off a narrow screen.
	msg := strings.TrimPrefix(e.d.Err.Error(), "produce to "+e.topic+": ")
	return s.Error.Render("✗ " + kafka.Sanitize([]byte(msg)))
}
