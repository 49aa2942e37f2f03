package topics

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// SetSize sets the pane's box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(w-4, 10))
	if m.form != nil {
		m.form.setWidth(w)
	}
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() tea.Cmd { m.focused = true; return nil }

// Blur takes the keyboard away. An open form stays as it is, to be
// finished when the pane comes back.
func (m *Model) Blur() { m.focused = false }

// ShortHelp lists the keys shown in the footer.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.form != nil:
		submit := k.Submit
		submit.SetHelp("enter/ctrl+s", m.form.verb)
		return []key.Binding{submit, k.NextField, k.Cancel}
	case m.filtering:
		return []key.Binding{k.FilterDone, k.Clear}
	case m.detailOpen:
		return []key.Binding{k.Open, k.Up, k.Down, k.EditConfig, k.Refresh,
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to list"))}
	}
	return []key.Binding{k.Open, k.Detail, k.Filter, k.Create, k.Refresh}
}

// FullHelp lists every key of the pane: browsing in the first column, the
// list's own and the admin keys (marked when read-only) in the second. Two
// columns leave room for the App's at 80 columns.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	if m.form != nil {
		return [][]key.Binding{{k.Submit, k.NextField, k.PrevField, k.Cancel}}
	}
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.Detail, k.Filter, k.Clear},
		{k.Internal, k.Refresh, k.Create, k.AddPartitions, k.EditConfig, k.Delete}}
}

// noteView is the note about the last admin action, one line.
func (m *Model) noteView() string {
	s := m.c.Styles
	st := s.Muted
	switch m.noteKind {
	case noteOK:
		st = s.Success
	case noteErr:
		st = s.Error
	}
	return st.Render(common.Truncate(m.note, m.width))
}

// View draws the open form, the detail or the table for the current size;
// its cost depends on the height, not on the number of topics.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	switch {
	case m.form != nil:
		return m.formView()
	case m.detailOpen:
		return m.detailView()
	}
	return m.listView()
}

// formView is the open form over the whole pane, the note under it.
func (m *Model) formView() string {
	lines := m.form.view(m.c, m.width, m.height-1)
	return strings.Join(lines, "\n") + "\n" + m.noteView()
}

func (m *Model) listView() string {
	s := m.c.Styles
	var b strings.Builder
	nameW := max(m.width-2-8-6-12-3, 8)
	name := "NAME"
	if m.readOnly {
		name += " [read-only]"
	}
	b.WriteString(s.Header.Render(fmt.Sprintf("  %s %8s %5s %12s", common.Pad(name, nameW), "PARTS", "REPL", "MESSAGES")))
	b.WriteByte('\n')
	rows := m.height - 3 // header, footer line, filter line
	if m.note != "" {
		rows--
	}
	switch {
	case m.err != nil && len(m.all) == 0:
		b.WriteString(s.Error.Render(common.Truncate("✗ "+m.err.Error(), m.width)) + "\n")
		rows--
	case m.loading && m.all == nil:
		b.WriteString(s.Muted.Render("  loading topics…") + "\n")
		rows--
	case len(m.visible) == 0:
		b.WriteString(s.Muted.Render("  no topics match") + "\n")
		rows--
	}
	start := 0
	if m.cursor >= rows {
		start = m.cursor - rows + 1
	}
	for i := start; i < len(m.visible) && i < start+rows; i++ {
		t := m.visible[i]
		name := kafka.Sanitize([]byte(t.Name))
		if t.Internal {
			name += " (internal)"
		}
		msgs := strconv.FormatInt(t.Messages, 10)
		if t.Err != nil {
			msgs = "✗ error"
		}
		line := fmt.Sprintf("%s %8d %5d %12s", common.Pad(name, nameW), t.Partitions, t.Replication, msgs)
		if i == m.cursor {
			b.WriteString(s.Selected.Render("▸ " + line))
		} else {
			b.WriteString("  " + s.Text.Render(line))
		}
		b.WriteByte('\n')
		rows--
	}
	for ; rows > 0; rows-- {
		b.WriteByte('\n')
	}
	if m.note != "" {
		b.WriteString(m.noteView() + "\n")
	}
	b.WriteString(m.statusLine() + "\n")
	if m.filtering || m.filter.Value() != "" {
		b.WriteString(common.Truncate(m.filter.View(), m.width))
	}
	return b.String()
}

func (m *Model) statusLine() string {
	s := m.c.Styles
	hidden := 0
	for _, t := range m.all {
		if t.Internal && !m.internal {
			hidden++
		}
	}
	status := fmt.Sprintf("%d of %d topics", len(m.visible), len(m.all))
	if hidden > 0 {
		status += fmt.Sprintf(", %d internal hidden (i)", hidden)
	}
	if m.err != nil && len(m.all) > 0 {
		status += " · " + s.Error.Render("✗ refresh failed: "+m.err.Error())
	} else if m.cursor < len(m.visible) && m.visible[m.cursor].Err != nil {
		// Its row says only "✗ error"; here is why, in words.
		status += " · " + s.Error.Render("✗ "+kafka.Sanitize([]byte(m.visible[m.cursor].Err.Error())))
	}
	return s.Muted.Render(common.Truncate(status, m.width))
}

// wrap breaks text into lines of at most w cells, at spaces where it can.
func wrap(text string, w int) []string {
	return strings.Split(ansi.Wrap(text, max(w, 10), " "), "\n")
}
