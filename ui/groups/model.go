// Package groups is the consumer groups pane: every group with its state,
// members and total lag, and whether that lag grew or shrank since the
// last refresh; enter shows a group's partitions (committed offset, high
// watermark, lag) and members. It refreshes itself every few seconds while
// focused, so a consumer falling behind shows as it happens.
package groups

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// Model is the groups pane.
type Model struct {
	c      common.Common
	keys   KeyMap
	lister Lister
	every  time.Duration
	// tick starts the refresh timer; tea.Tick, which tests replace to
	// fire timers by hand.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	width, height int
	focused       bool

	all      []kafka.Group
	trends   map[string]trend // by group name, against the refresh before
	visible  []int            // indexes into all that pass the filter
	cursor   int              // index into visible
	top      int              // first visible row shown
	selected string           // kept across refreshes and filtering
	gen      int
	loading  bool
	manual   bool // the load in flight was asked for with a key
	err      error
	updated  time.Time

	// The refresh timer: timerGen names the live one, waiting says it
	// is running. A focused pane always has a load or a timer going.
	timerGen int
	waiting  bool

	filter  textinput.Model
	editing bool

	// The detail of one group, shown instead of the list while open.
	detailOpen    bool
	detailGen     int
	detailName    string
	detail        *kafka.GroupDetail
	detailErr     error
	detailManual  bool
	detailUpdated time.Time
	partTrends    []trend // aligned with detail.Partitions
	memberRows    []memberRow
	detailTop     int
}

// trend is how a lag moved between two refreshes; known is false when
// either lag is missing.
type trend struct {
	known bool
	delta int64
}

// New returns the groups pane reading from l.
func New(c common.Common, l Lister) *Model {
	return &Model{
		c: c, keys: DefaultKeyMap(), lister: l, every: RefreshEvery, tick: tea.Tick,
		filter: common.NewInput(c, "/", "filter groups"),
	}
}

// SetRefreshInterval changes how often the pane refreshes itself; d <= 0
// keeps the current interval. It applies from the next refresh.
func (m *Model) SetRefreshInterval(d time.Duration) {
	if d > 0 {
		m.every = d
	}
}

// Init loads the list, unless a load is already under way.
func (m *Model) Init() tea.Cmd {
	if m.loading {
		return nil
	}
	return m.refresh(false)
}

// refresh asks for the list and, when open, the detail. A new generation
// makes any answer still in flight stale; the data shown stays until the
// new answer replaces it, so nothing flickers.
func (m *Model) refresh(manual bool) tea.Cmd {
	m.gen++
	m.loading, m.manual = true, manual
	cmd := loadCmd(m.lister, m.gen)
	if m.detailOpen {
		return tea.Batch(cmd, m.describe(manual))
	}
	return cmd
}

func (m *Model) describe(manual bool) tea.Cmd {
	m.detailGen++
	m.detailManual = manual
	return describeCmd(m.lister, m.detailGen, m.detailName)
}

// schedule starts the next refresh timer while focused; unfocused, the
// refreshes stop until Focus.
func (m *Model) schedule() tea.Cmd {
	if !m.focused {
		m.waiting = false
		return nil
	}
	m.timerGen++
	m.waiting = true
	gen := m.timerGen
	return m.tick(m.every, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// Update handles the pane's messages and, when focused, its keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.gen != m.gen {
			return nil
		}
		return tea.Batch(m.loaded(msg), m.schedule())
	case describedMsg:
		if !m.detailOpen || msg.gen != m.detailGen || msg.name != m.detailName {
			return nil
		}
		return m.described(msg)
	case tickMsg:
		if msg.gen != m.timerGen {
			return nil
		}
		m.waiting = false
		// Unfocused, refreshes stop until Focus; with a load in
		// flight, its answer starts the next timer.
		if !m.focused || m.loading {
			return nil
		}
		return m.refresh(false)
	case tea.KeyPressMsg:
		if !m.focused {
			return nil
		}
		return m.handleKey(msg)
	}
	return nil
}

// shouldReport says whether a failure goes to the App as well: when asked
// for with a key, or when it is new, so that a cluster refusing every
// refresh does not bring the same error back after each key.
func shouldReport(err, before error, manual bool) bool {
	return manual || before == nil || before.Error() != err.Error()
}

// loaded takes in a list: the trend of each group against the list it
// replaces, then the filter and the selection.
func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	m.loading = false
	before := m.err
	m.err = msg.err
	var report tea.Cmd
	if msg.err != nil && shouldReport(msg.err, before, m.manual) {
		report = common.Failed(msg.err)
	}
	// A list some brokers could not give in full is still shown.
	if msg.err != nil && msg.groups == nil {
		return report
	}
	prev := make(map[string]int64, len(m.all))
	for _, g := range m.all {
		prev[g.Name] = g.Lag
	}
	m.trends = make(map[string]trend, len(msg.groups))
	for _, g := range msg.groups {
		if p, ok := prev[g.Name]; ok && p >= 0 && g.Lag >= 0 {
			m.trends[g.Name] = trend{known: true, delta: g.Lag - p}
		}
	}
	m.all = msg.groups
	m.updated = m.c.Now()
	m.apply()
	return report
}

// described takes in a detail: the trend of each partition against the
// detail it replaces, and the member lines.
func (m *Model) described(msg describedMsg) tea.Cmd {
	before := m.detailErr
	m.detailErr = msg.err
	if msg.err != nil {
		if shouldReport(msg.err, before, m.detailManual) {
			return common.Failed(msg.err)
		}
		return nil
	}
	type tp struct {
		topic string
		p     int32
	}
	prev := make(map[tp]int64)
	if m.detail != nil {
		for _, p := range m.detail.Partitions {
			prev[tp{p.Topic, p.Partition}] = p.Lag
		}
	}
	d := msg.detail
	m.partTrends = make([]trend, len(d.Partitions))
	for i, p := range d.Partitions {
		if was, ok := prev[tp{p.Topic, p.Partition}]; ok && was >= 0 && p.Lag >= 0 {
			m.partTrends[i] = trend{known: true, delta: p.Lag - was}
		}
	}
	m.detail = &d
	m.memberRows = memberRowsOf(d.Members)
	m.detailUpdated = m.c.Now()
	m.clampDetail()
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.editing {
		return m.handleFilterKey(msg)
	}
	if m.detailOpen {
		return m.handleDetailKey(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Up):
		m.move(-1)
	case key.Matches(msg, m.keys.Down):
		m.move(1)
	case key.Matches(msg, m.keys.PageUp):
		m.move(-m.listRows())
	case key.Matches(msg, m.keys.PageDown):
		m.move(m.listRows())
	case key.Matches(msg, m.keys.Open):
		if m.cursor < len(m.visible) {
			return m.openDetail(m.all[m.visible[m.cursor]].Name)
		}
	case key.Matches(msg, m.keys.Filter):
		m.editing = true
		return m.filter.Focus()
	case key.Matches(msg, m.keys.Clear):
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			m.apply()
		}
	case key.Matches(msg, m.keys.Refresh):
		return m.refresh(true)
	}
	return nil
}

func (m *Model) handleFilterKey(msg tea.KeyPressMsg) tea.Cmd {
	cmd, editing := common.EditFilter(&m.filter, msg, m.keys.Apply, m.keys.Clear)
	m.editing = editing
	m.apply()
	return cmd
}

func (m *Model) handleDetailKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.detailOpen = false
		m.detailGen++ // an answer still in flight is for a closed detail
	case key.Matches(msg, m.keys.Up):
		m.detailTop--
	case key.Matches(msg, m.keys.Down):
		m.detailTop++
	case key.Matches(msg, m.keys.PageUp):
		m.detailTop -= m.detailRows()
	case key.Matches(msg, m.keys.PageDown):
		m.detailTop += m.detailRows()
	case key.Matches(msg, m.keys.Refresh):
		return m.refresh(true)
	}
	m.clampDetail()
	return nil
}

// openDetail shows a group's detail, empty until its first answer.
func (m *Model) openDetail(name string) tea.Cmd {
	m.detailOpen, m.detailName = true, name
	m.detail, m.detailErr, m.partTrends, m.memberRows, m.detailTop = nil, nil, nil, nil, 0
	return m.describe(false)
}

func (m *Model) move(d int) {
	if len(m.visible) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+d, 0), len(m.visible)-1)
	m.selected = m.all[m.visible[m.cursor]].Name
	m.clampList()
}

// apply recomputes the visible rows and keeps the selection on the same
// group while it is still there.
func (m *Model) apply() {
	q := strings.ToLower(m.filter.Value())
	m.visible = m.visible[:0]
	m.cursor = 0
	for i, g := range m.all {
		if q != "" && !strings.Contains(strings.ToLower(g.Name), q) {
			continue
		}
		if g.Name == m.selected {
			m.cursor = len(m.visible)
		}
		m.visible = append(m.visible, i)
	}
	if len(m.visible) > 0 {
		m.selected = m.all[m.visible[m.cursor]].Name
	}
	m.clampList()
}

// clampList keeps the cursor's row on screen, moving the window as little
// as possible, so the rows do not jump on every refresh.
func (m *Model) clampList() {
	rows := m.listRows()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	m.top = max(min(m.top, len(m.visible)-rows), 0)
}

// clampDetail keeps the detail's scroll within its lines.
func (m *Model) clampDetail() {
	m.detailTop = max(min(m.detailTop, m.detailLen()-m.detailRows()), 0)
}

// Selected returns the selected group's name, or "".
func (m *Model) Selected() string { return m.selected }

// Editing reports whether the filter field has the keyboard, so the App
// hands it every key rather than treating letters as global keys.
func (m *Model) Editing() bool { return m.editing }

// DetailOpen reports whether a group's detail is shown, where esc goes
// back to the list.
func (m *Model) DetailOpen() bool { return m.detailOpen }

// SetSize sets the pane's box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(w-4, 10))
	m.clampList()
	m.clampDetail()
}

// Focus gives the pane the keyboard and restarts the refreshes, at once
// when none is under way.
func (m *Model) Focus() tea.Cmd {
	m.focused = true
	if m.loading || m.waiting {
		return nil
	}
	return m.refresh(false)
}

// Blur takes the keyboard away; refreshes stop at the next timer.
func (m *Model) Blur() { m.focused = false }

// ShortHelp lists the keys shown in the footer.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.editing:
		return []key.Binding{k.Apply, k.Clear}
	case m.detailOpen:
		return []key.Binding{k.Up, k.Down, k.Refresh, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.Refresh}
}

// FullHelp lists every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Open, k.Back, k.Refresh}, {k.Filter, k.Apply, k.Clear}}
}
