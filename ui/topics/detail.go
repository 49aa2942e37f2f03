package topics

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// detailRow is one line of a topic's detail: its text, unstyled so that
// the cursor row can be drawn in the selection style, the style of the
// other rows, what follows in a style of its own, and the config it shows.
type detailRow struct {
	text   string
	style  lipgloss.Style
	suffix string
	config *kafka.ConfigEntry
}

// detailView draws the open topic's partitions and configs around the
// cursor; only the lines that fit are drawn.
func (m *Model) detailView() string {
	s := m.c.Styles
	head := s.Title.Render("▶ "+kafka.Sanitize([]byte(m.detailTopic))) + s.Muted.Render(" · detail (esc: back, enter: tail, e: edit config)")
	if m.readOnly {
		head += " " + s.Warning.Render("[read-only]")
	}
	var lines []string
	switch {
	case m.detailErr != nil:
		lines = append(lines, s.Error.Render("✗ "+m.detailErr.Error()))
	case m.detail == nil:
		lines = append(lines, s.Muted.Render("loading…"))
	default:
		rows := m.detailRows()
		top := m.detailWindow(len(rows))
		for i := top; i < len(rows) && i < top+m.detailBodyHeight(); i++ {
			r := rows[i]
			if i == m.detailCur {
				lines = append(lines, s.Selected.Render("▸ "+r.text)+r.suffix)
			} else {
				lines = append(lines, "  "+r.style.Render(r.text)+r.suffix)
			}
		}
	}
	lines = common.FitLines(lines, m.detailBodyHeight())
	for i, l := range lines {
		lines[i] = common.Truncate(l, m.width)
	}
	out := common.Truncate(head, m.width) + "\n" + strings.Join(lines, "\n")
	if m.note != "" {
		out += "\n" + m.noteView()
	}
	return out
}

// detailBodyHeight is the rows under the head, less the note line.
func (m *Model) detailBodyHeight() int {
	h := m.height - 1
	if m.note != "" {
		h--
	}
	return max(h, 1)
}

// detailWindow is the first row shown: detailTop, moved just enough to
// show the cursor. It only reads the model, so View can call it.
func (m *Model) detailWindow(n int) int {
	h := m.detailBodyHeight()
	top := m.detailTop
	if m.detailCur < top {
		top = m.detailCur
	}
	if m.detailCur >= top+h {
		top = m.detailCur - h + 1
	}
	return max(min(top, n-h), 0)
}

// moveDetail moves the detail's cursor by d rows and scrolls to it.
func (m *Model) moveDetail(d int) {
	n := len(m.detailRows())
	m.detailCur = min(max(m.detailCur+d, 0), max(n-1, 0))
	m.detailTop = m.detailWindow(n)
}

func (m *Model) detailRows() []detailRow {
	if m.detail == nil || m.detailErr != nil {
		return nil
	}
	s := m.c.Styles
	d := m.detail
	rows := []detailRow{{text: fmt.Sprintf("%9s %6s %-10s %-10s %9s %9s", "PARTITION", "LEADER", "REPLICAS", "ISR", "LOW", "HIGH"), style: s.Header}}
	for _, p := range d.Partitions {
		r := detailRow{text: fmt.Sprintf("%9d %6d %-10s %-10s %9d %9d", p.Partition, p.Leader, ids(p.Replicas), ids(p.ISR), p.Low, p.High), style: s.Text}
		if len(p.ISR) < len(p.Replicas) {
			r.suffix += s.Warning.Render(" ⚠ under-replicated")
		}
		if p.Err != nil {
			r.suffix += s.Error.Render(" ✗ " + p.Err.Error())
		}
		rows = append(rows, r)
	}
	rows = append(rows, detailRow{style: s.Text}, detailRow{text: "CONFIG (non-default first)", style: s.Header})
	if d.ConfigErr != nil {
		return append(rows, detailRow{text: "✗ " + d.ConfigErr.Error(), style: s.Error})
	}
	var set, dflt []detailRow
	for i := range d.Configs {
		c := &d.Configs[i]
		v := kafka.Sanitize([]byte(c.Value))
		if c.Sensitive {
			v = "(sensitive)"
		}
		r := detailRow{text: fmt.Sprintf("%-40s %s", c.Name, v), config: c}
		if c.Source == "DEFAULT_CONFIG" {
			r.style = s.Muted
			dflt = append(dflt, r)
		} else {
			r.style = s.Text
			r.suffix = s.Muted.Render("  (" + strings.ToLower(c.Source) + ")")
			set = append(set, r)
		}
	}
	return append(append(rows, set...), dflt...)
}

func (m *Model) handleDetailKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Clear), key.Matches(msg, m.keys.Detail):
		m.detailOpen = false
	case key.Matches(msg, m.keys.Up):
		m.moveDetail(-1)
	case key.Matches(msg, m.keys.Down):
		m.moveDetail(1)
	case key.Matches(msg, m.keys.Refresh):
		m.detailGen++
		return describeCmd(m.lister, m.detailGen, m.detailTopic)
	case key.Matches(msg, m.keys.Open):
		t := m.detailTopic
		return func() tea.Msg { return OpenTailMsg{Topic: t} }
	}
	return nil
}

// openDetail shows the selected topic's detail and asks for it.
func (m *Model) openDetail() tea.Cmd {
	if m.cursor >= len(m.visible) {
		return nil
	}
	m.detailOpen, m.detail, m.detailErr, m.detailTop, m.detailCur = true, nil, nil, 0, 0
	m.detailTopic = m.visible[m.cursor].Name
	m.detailGen++
	return describeCmd(m.lister, m.detailGen, m.detailTopic)
}

func ids(xs []int32) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}
