// Package topics is the topics pane: name, partitions, replication and
// message count of every topic, filtered with /, internal topics hidden
// unless asked for, enter to tail the selected one; a topic's detail with
// d; and topic administration: create (c), add partitions (+), edit a
// config (e) and delete (D), each in a small form that has the keyboard
// while it is open. A read-only pane keeps the admin keys in its help but
// only says why they do nothing.
package topics

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

var _ common.Component = (*Model)(nil)

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
	detailTop   int // first row shown
	detailCur   int // the cursor's row, where e edits a config

	readOnly   bool
	serverless bool
	// form is the open admin form, which has the keyboard; nil when none.
	form *form
	// busy is true while an admin call runs: one at a time, so that the
	// outcome shown is the outcome of what was asked last.
	busy     bool
	busyText string
	// note is one line about the last admin action, until the next key.
	note     string
	noteKind noteKind
}

// New returns the topics pane reading from l. A Lister that reports
// ReadOnly() true makes the pane read-only, as the ReadOnly option does.
func New(c common.Common, l Lister, opts ...Option) *Model {
	f := common.NewInput(c, "/", "filter topics")
	m := &Model{c: c, keys: DefaultKeyMap(), lister: l, filter: f}
	if ro, ok := l.(interface{ ReadOnly() bool }); ok && ro.ReadOnly() {
		m.readOnly = true
	}
	for _, o := range opts {
		o(m)
	}
	if m.readOnly {
		m.keys = m.keys.readOnly()
	}
	return m
}

// ReadOnly reports whether topic administration is off.
func (m *Model) ReadOnly() bool { return m.readOnly }

// Init loads the list.
func (m *Model) Init() tea.Cmd { return m.reload(false) }

// reload lists topics again; fresh skips the client's metadata cache.
func (m *Model) reload(fresh bool) tea.Cmd {
	m.gen++
	m.loading = true
	return loadCmd(m.lister, m.gen, fresh)
}

// Update handles the pane's messages and, when focused, its keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if !m.focused {
			return nil
		}
		return m.handleKey(k)
	}
	return m.handleMsg(msg)
}

func (m *Model) handleMsg(msg tea.Msg) tea.Cmd {
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
			m.described(msg)
		}
	case refreshMsg:
		if msg.gen != m.gen {
			return nil
		}
		return m.reload(false)
	case adminDoneMsg:
		return m.adminDone(msg)
	case tea.PasteMsg:
		switch {
		case !m.focused:
			return nil
		case m.form != nil:
			return m.form.update(msg)
		case m.filtering:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.apply()
			return cmd
		}
	}
	return nil
}

// described shows a topic's detail, keeping the cursor on the config it
// was on: an edit moves a config between the set and the default ones.
func (m *Model) described(msg describedMsg) {
	var was string
	if c := m.detailConfig(); c != nil {
		was = c.Name
	}
	m.detail, m.detailErr = &msg.detail, msg.err
	if was == "" {
		return
	}
	for i, r := range m.detailRows() {
		if r.config != nil && r.config.Name == was {
			m.detailCur = i
			m.detailTop = m.detailWindow(len(m.detailRows()))
		}
	}
}

// DetailOpen reports whether a topic's detail is shown, so esc closes it
// rather than meaning anything else.
func (m *Model) DetailOpen() bool { return m.detailOpen }

// Filtering reports whether the filter field has the keyboard.
func (m *Model) Filtering() bool { return m.filtering }

// Editing reports whether a text field of the pane has the keyboard: the
// filter or an admin form. While it does, the App should hand the pane
// every key but ctrl+c, since q, digits and tab are text or field moves.
func (m *Model) Editing() bool { return m.filtering || m.form != nil }

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.form != nil {
		return m.handleFormKey(msg)
	}
	if m.filtering {
		return m.handleFilterKey(msg)
	}
	if !m.busy {
		m.note = ""
	}
	if cmd, ok := m.handleAdminKey(msg); ok {
		return cmd
	}
	if m.detailOpen {
		return m.handleDetailKey(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Detail):
		return m.openDetail()
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
		return m.reload(true)
	case key.Matches(msg, m.keys.Open):
		if m.cursor < len(m.visible) {
			t := m.visible[m.cursor].Name
			return func() tea.Msg { return OpenTailMsg{Topic: t} }
		}
	}
	return nil
}

func (m *Model) handleFilterKey(msg tea.KeyPressMsg) tea.Cmd {
	cmd, filtering := common.EditFilter(&m.filter, msg, m.keys.FilterDone, m.keys.Clear)
	m.filtering = filtering
	m.apply()
	return cmd
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
