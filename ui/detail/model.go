// Package detail is the record detail pane: one record shown whole (where
// it sits, when it was written, key, headers and value), the value as
// pretty JSON, text or a hex dump, scrolled the way less scrolls.
package detail

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// Model is the detail pane. It draws from a document built when the
// record, format or width changes; View only copies out the visible rows,
// so its cost depends on the pane's height and not on the record's size.
type Model struct {
	c    common.Common
	keys KeyMap

	width, height int
	focused       bool

	rec    *kgo.Record
	format kafka.Format // asked for with f
	wrap   bool

	doc   *document
	shown shown
	top   int // first document row on screen
}

// New returns an empty detail pane; long lines wrap until the user says
// otherwise, since a cut line hides data while a wrapped one only moves it.
func New(c common.Common) *Model {
	return &Model{c: c, keys: DefaultKeyMap(), wrap: true}
}

// Init does nothing until a record is set.
func (m *Model) Init() tea.Cmd { return nil }

// SetRecord shows r from the top in the automatic format: a format forced
// for one record says nothing about the next. Wrapping stays as it was.
// A nil r empties the pane.
func (m *Model) SetRecord(r *kgo.Record) {
	m.rec, m.format, m.top = r, kafka.FormatAuto, 0
	m.rebuild()
}

// Record is the record shown, or nil.
func (m *Model) Record() *kgo.Record { return m.rec }

func (m *Model) rebuild() {
	m.doc, m.shown = nil, shown{}
	if m.rec != nil {
		m.doc, m.shown = build(m.c.Styles, m.rec, m.format)
	}
	m.relayout()
}

func (m *Model) relayout() {
	if m.doc != nil {
		m.doc.layout(max(m.width, 1), m.wrap)
	}
	m.clamp()
}

// Update handles keys when focused.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok && m.focused {
		return m.handleKey(msg)
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Close):
		return closeCmd
	case key.Matches(msg, k.Produce):
		if m.rec != nil {
			return sendCmd(m.rec)
		}
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.PageDown):
		m.scroll(m.bodyHeight())
	case key.Matches(msg, k.PageUp):
		m.scroll(-m.bodyHeight())
	case key.Matches(msg, k.Top):
		m.top = 0
	case key.Matches(msg, k.Bottom):
		m.top = m.maxTop()
	case key.Matches(msg, k.Format):
		m.format = nextFormat(m.format)
		m.rebuild()
	case key.Matches(msg, k.Wrap):
		m.wrap = !m.wrap
		m.relayout()
	}
	return nil
}

// nextFormat is the order f cycles through.
func nextFormat(f kafka.Format) kafka.Format {
	switch f {
	case kafka.FormatAuto:
		return kafka.FormatJSON
	case kafka.FormatJSON:
		return kafka.FormatText
	case kafka.FormatText:
		return kafka.FormatHex
	}
	return kafka.FormatAuto
}

func (m *Model) scroll(n int) {
	m.top += n
	m.clamp()
}

func (m *Model) clamp() { m.top = max(min(m.top, m.maxTop()), 0) }

func (m *Model) total() int {
	if m.doc == nil {
		return 0
	}
	return m.doc.total
}

func (m *Model) maxTop() int { return max(m.total()-m.bodyHeight(), 0) }

// bodyHeight is the pane less its title and status lines.
func (m *Model) bodyHeight() int { return max(m.height-2, 1) }

// SetSize sets the pane's box. Only a new width changes the layout.
func (m *Model) SetSize(w, h int) {
	relayout := w != m.width
	m.width, m.height = w, h
	if relayout {
		m.relayout()
	} else {
		m.clamp()
	}
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() tea.Cmd { m.focused = true; return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// ShortHelp lists the keys shown in the footer, few enough to fit an
// 80-column footer beside the global keys; FullHelp has the rest.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	return []key.Binding{k.Down, k.Format, k.Wrap, k.Produce, k.Close}
}

// FullHelp lists every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Down, k.Up, k.PageDown, k.PageUp, k.Top, k.Bottom}, {k.Format, k.Wrap, k.Produce, k.Close}}
}

// View draws the title, the visible rows of the document and a status line.
func (m *Model) View() string {
	s := m.c.Styles
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.doc == nil {
		return s.Muted.Render(common.Truncate("No record: select one in the tail and press enter.", m.width))
	}
	var b strings.Builder
	b.WriteString(s.Title.Render(common.Truncate(m.title(), m.width)))
	rows := m.doc.window(m.top, m.bodyHeight())
	for _, r := range rows {
		b.WriteByte('\n')
		b.WriteString(r)
	}
	for range m.bodyHeight() - len(rows) {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(common.Truncate(m.status(), m.width))
	return b.String()
}

func (m *Model) title() string {
	return fmt.Sprintf("Record · %s · partition %d · offset %d", kafka.Sanitize([]byte(m.rec.Topic)), m.rec.Partition, m.rec.Offset)
}

// status says which format is in use (and why, when it is not the one
// asked for), whether lines wrap, and where the screen is in the record.
func (m *Model) status() string {
	s := m.c.Styles
	var f string
	switch {
	case m.shown.null:
		f = s.Muted.Render("value " + kafka.NullText)
	case m.shown.notJSON:
		f = s.Warning.Render("format json: not JSON, shown as text")
	case m.format == kafka.FormatAuto:
		f = s.Muted.Render("format auto → " + m.shown.used.String())
	default:
		f = s.Muted.Render("format " + m.shown.used.String())
	}
	wrap := "wrap off"
	if m.wrap {
		wrap = "wrap on"
	}
	return f + s.Muted.Render(" · "+wrap+" · "+m.position())
}

func (m *Model) position() string {
	total, h := m.total(), m.bodyHeight()
	if total <= h {
		return fmt.Sprintf("all %d rows", total)
	}
	where := fmt.Sprintf("%d%%", (m.top+h)*100/total)
	switch m.top {
	case 0:
		where = "top"
	case m.maxTop():
		where = "end"
	}
	return fmt.Sprintf("rows %d–%d of %d, %s", m.top+1, m.top+h, total, where)
}
