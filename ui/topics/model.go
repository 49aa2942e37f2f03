// Package topics is the topics pane: name, partitions, replication and
// message count of every topic, filtered with /, internal topics hidden
// unless asked for, enter to tail the selected one.
package topics

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// Model is the topics pane.
type Model struct {
	c      common.Common
	keys   KeyMap
	lister Lister

	width, height int
	focused       bool

	all      []kafka.Topic
	visible  []kafka.Topic
	cursor   int
	selected string // kept across reloads and filtering
	internal bool
	loading  bool
	err      error
	gen      int

	filter    textinput.Model
	filtering bool

	// The detail of one topic, shown instead of the list while open.
	detailOpen  bool
	detailGen   int
	detailTopic string
	detail      *kafka.TopicDetail
	detailErr   error
	detailTop   int // first line shown
}

// New returns the topics pane reading from l.
func New(c common.Common, l Lister) *Model {
	f := common.NewInput(c, "/", "filter topics")
	return &Model{c: c, keys: DefaultKeyMap(), lister: l, filter: f}
}

// Init loads the list.
func (m *Model) Init() tea.Cmd { return m.reload() }

func (m *Model) reload() tea.Cmd {
	m.gen++
	m.loading = true
	return loadCmd(m.lister, m.gen)
}

// Update handles the pane's messages and, when focused, its keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return nil
		}
		m.loading = false
		m.err = msg.err
		if msg.err == nil {
			m.all = msg.topics
			m.apply()
		}
		return refreshCmd(m.gen)
	case describedMsg:
		if msg.gen == m.detailGen {
			m.detail, m.detailErr = &msg.detail, msg.err
		}
		return nil
	case refreshMsg:
		if msg.gen != m.gen {
			return nil
		}
		return m.reload()
	case tea.KeyPressMsg:
		if !m.focused {
			return nil
		}
		return m.handleKey(msg)
	}
	return nil
}

// DetailOpen reports whether a topic's detail is shown, so esc closes it
// rather than meaning anything else.
func (m *Model) DetailOpen() bool { return m.detailOpen }

func (m *Model) handleDetailKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Clear), key.Matches(msg, m.keys.Detail):
		m.detailOpen = false
	case key.Matches(msg, m.keys.Up):
		m.detailTop = max(m.detailTop-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.detailTop++
	case key.Matches(msg, m.keys.Refresh):
		m.detailGen++
		return describeCmd(m.lister, m.detailGen, m.detailTopic)
	case key.Matches(msg, m.keys.Open):
		t := m.detailTopic
		return func() tea.Msg { return OpenTailMsg{Topic: t} }
	}
	return nil
}

// Filtering reports whether the filter field has the keyboard, so the App
// does not treat letters as global keys.
func (m *Model) Filtering() bool { return m.filtering }

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.filtering {
		switch {
		case msg.String() == "enter":
			m.filtering = false
			m.filter.Blur()
			return nil
		case key.Matches(msg, m.keys.Clear):
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.apply()
			return nil
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		m.apply()
		return cmd
	}
	if m.detailOpen {
		return m.handleDetailKey(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Detail):
		if m.cursor < len(m.visible) {
			m.detailOpen, m.detail, m.detailErr, m.detailTop = true, nil, nil, 0
			m.detailTopic = m.visible[m.cursor].Name
			m.detailGen++
			return describeCmd(m.lister, m.detailGen, m.detailTopic)
		}
	case key.Matches(msg, m.keys.Up):
		m.move(-1)
	case key.Matches(msg, m.keys.Down):
		m.move(1)
	case key.Matches(msg, m.keys.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, m.keys.Clear):
		m.filter.SetValue("")
		m.apply()
	case key.Matches(msg, m.keys.Internal):
		m.internal = !m.internal
		m.apply()
	case key.Matches(msg, m.keys.Refresh):
		return m.reload()
	case key.Matches(msg, m.keys.Open):
		if m.cursor < len(m.visible) {
			t := m.visible[m.cursor].Name
			return func() tea.Msg { return OpenTailMsg{Topic: t} }
		}
	}
	return nil
}

func (m *Model) move(d int) {
	if len(m.visible) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+d, 0), len(m.visible)-1)
	m.selected = m.visible[m.cursor].Name
}

// apply recomputes the visible rows and keeps the selection on the same
// topic when it is still there.
func (m *Model) apply() {
	q := strings.ToLower(m.filter.Value())
	m.visible = m.visible[:0]
	for _, t := range m.all {
		if t.Internal && !m.internal {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(t.Name), q) {
			continue
		}
		m.visible = append(m.visible, t)
	}
	m.cursor = 0
	for i, t := range m.visible {
		if t.Name == m.selected {
			m.cursor = i
		}
	}
	if len(m.visible) > 0 {
		m.selected = m.visible[m.cursor].Name
	}
}

// Selected returns the selected topic's name, or "".
func (m *Model) Selected() string { return m.selected }

// SetSize sets the pane's box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(w-4, 10))
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() tea.Cmd { m.focused = true; return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// ShortHelp lists the keys shown in the footer.
func (m *Model) ShortHelp() []key.Binding {
	if m.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")), m.keys.Clear}
	}
	if m.detailOpen {
		return []key.Binding{m.keys.Open, m.keys.Up, m.keys.Down, m.keys.Refresh,
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to list"))}
	}
	return []key.Binding{m.keys.Open, m.keys.Detail, m.keys.Filter, m.keys.Internal, m.keys.Refresh}
}

// FullHelp lists every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.Detail}, {k.Filter, k.Clear, k.Internal, k.Refresh}}
}

// View draws the table for the current size; its cost depends on the
// height, not on the number of topics.
func (m *Model) View() string {
	s := m.c.Styles
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.detailOpen {
		return m.detailView()
	}
	var b strings.Builder
	nameW := max(m.width-2-8-6-12-3, 8)
	b.WriteString(s.Header.Render(fmt.Sprintf("  %s %8s %5s %12s", common.Pad("NAME", nameW), "PARTS", "REPL", "MESSAGES")))
	b.WriteByte('\n')
	rows := m.height - 3 // header, footer line, filter line
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
	}
	b.WriteString(s.Muted.Render(common.Truncate(status, m.width)) + "\n")
	if m.filtering || m.filter.Value() != "" {
		b.WriteString(common.Truncate(m.filter.View(), m.width))
	}
	return b.String()
}
