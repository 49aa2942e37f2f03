// Package tail is the live tail pane: the newest records of a topic as they
// arrive, read from the tail's ring one window per frame, with pause,
// scrolling back, per-partition progress, a filter on key, value and
// headers, and prompts to change where the tail starts and which partitions
// it reads without leaving the pane.
package tail

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// Model is the tail pane.
type Model struct {
	c      common.Common
	keys   KeyMap
	opener Opener
	opts   kafka.TailOptions
	// defaultParts are the partitions given to New, which a new topic
	// goes back to: a list chosen for one topic rarely fits another.
	defaultParts []int32

	width, height int
	focused       bool

	topic  string
	tail   *kafka.Tail
	paused bool
	back   int // records scrolled back from the newest
	sel    int // selected row, counted up from the newest shown
	// marks are the records this session sent to the topic, shown with a
	// glyph when they arrive. Bounded: cleared when it grows past markCap.
	marks map[mark]bool

	prompt prompt
	filter filter
	// refilter asks the next frame to re-read the rows even when paused,
	// because the filter that chooses them changed.
	refilter bool

	// What the last frame read; View draws only from these.
	rows  []*kgo.Record
	stats kafka.TailStats
	// reported is the text of the tail error last reported to the App, so
	// that a run of retries of the same failure is reported once.
	reported string
	seq      uint64

	rate       float64
	rateAt     time.Time
	rateCount  int64
	lastLoaded bool
}

type mark struct {
	partition int32
	offset    int64
}

const markCap = 10000

// New returns the tail pane. opts sets the start, partitions and ring size
// of the tails it opens; o and p change the start and partitions from then
// on.
func New(c common.Common, o Opener, opts kafka.TailOptions) *Model {
	return &Model{c: c, keys: DefaultKeyMap(), opener: o, opts: opts, defaultParts: opts.Partitions, prompt: newPrompt(c)}
}

// Init does nothing until a topic is opened.
func (m *Model) Init() tea.Cmd { return nil }

// Open starts tailing topic, closing the previous tail in the background.
// A start chosen with o carries over to a new topic; partitions and the
// filter were chosen for the old topic and go back to the defaults.
func (m *Model) Open(topic string) tea.Cmd {
	if topic != m.topic {
		m.opts.Partitions = m.defaultParts
		m.filter.set("")
	}
	if m.Prompting() {
		m.closePrompt() // it asked about the old topic
	}
	m.topic = topic
	m.marks = nil
	return m.reopen()
}

// reopen replaces the tail with one reading m.opts. The old tail is closed
// off the event loop, since closing waits for its consumer to leave the
// cluster. With no topic yet, the options wait for the first Open.
func (m *Model) reopen() tea.Cmd {
	if m.topic == "" {
		return nil
	}
	var cmd tea.Cmd
	if m.tail != nil {
		cmd = closeCmd(m.tail)
	}
	m.tail = m.opener.Tail(context.Background(), m.topic, m.opts)
	m.paused, m.back, m.sel, m.rows, m.seq, m.lastLoaded = false, 0, 0, nil, 0, false
	m.stats, m.reported = kafka.TailStats{}, ""
	m.rate, m.rateAt, m.rateCount = 0, m.c.Now(), 0
	m.filter.restart() // the new tail counts its records from zero
	return cmd
}

// Close stops the current tail and waits for it; the App calls it on quit.
func (m *Model) Close() {
	if m.tail != nil {
		m.tail.Close()
		m.tail = nil
	}
}

// Active reports whether a tail is open, so the App keeps frames coming.
func (m *Model) Active() bool { return m.tail != nil }

// Topic is the tailed topic, or "".
func (m *Model) Topic() string { return m.topic }

// Rate is the records per second over the last second or so.
func (m *Model) Rate() float64 { return m.rate }

// Reconnecting reports whether the tail, as of the last frame, has lost a
// broker and is waiting for it to come back.
func (m *Model) Reconnecting() bool {
	return m.tail != nil && m.stats.State == kafka.TailReconnecting
}

// Mark flags a record this session produced, so the tail shows it when it
// arrives; records of other topics are ignored.
func (m *Model) Mark(topic string, partition int32, offset int64) {
	if topic != m.topic || offset < 0 {
		return
	}
	if m.marks == nil || len(m.marks) >= markCap {
		m.marks = map[mark]bool{}
	}
	m.marks[mark{partition, offset}] = true
}

// Selected returns the selected record, or nil.
func (m *Model) Selected() *kgo.Record {
	if i := len(m.rows) - 1 - m.sel; i >= 0 && i < len(m.rows) {
		return m.rows[i]
	}
	return nil
}

// Update handles frames and, when focused, keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case FrameMsg:
		return m.frame()
	case tea.KeyPressMsg:
		if m.focused {
			return m.handleKey(msg)
		}
	}
	return nil
}

// frame reads the newest window when something changed. It copies at most
// a screenful and the filter tests at most scanMax records, so a frame
// costs the same however many records the ring holds. A new tail error is
// reported to the App (common.Failed), which can advise on IAM refusals.
func (m *Model) frame() tea.Cmd {
	if m.tail == nil {
		return nil
	}
	var report tea.Cmd
	now := m.c.Now()
	m.filter.lastScan = 0
	if seq := m.tail.Seq(); seq != m.seq || !m.lastLoaded || m.refilter {
		m.seq, m.lastLoaded = seq, true
		m.stats = m.tail.Stats()
		report = m.reportErr()
		if m.filter.on() {
			m.filter.scan(m.tail) // even paused, so no match is missed
		}
		if !m.paused || m.refilter {
			m.reload()
		}
		m.refilter = false
	}
	if el := now.Sub(m.rateAt); el >= time.Second {
		m.rate = float64(m.stats.Received-m.rateCount) / el.Seconds()
		m.rateAt, m.rateCount = now, m.stats.Received
	}
	return report
}

// reportErr reports the tail's error once per run of the same failure.
func (m *Model) reportErr() tea.Cmd {
	err := m.stats.Err
	if err == nil {
		m.reported = ""
		return nil
	}
	if err.Error() == m.reported {
		return nil
	}
	m.reported = err.Error()
	return common.Failed(err)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.Prompting() {
		return m.handlePromptKey(msg)
	}
	switch {
	case m.tail == nil:
		return nil // nothing to reopen or filter, and no screen to prompt on
	case key.Matches(msg, m.keys.Start):
		return m.openPrompt(promptStart)
	case key.Matches(msg, m.keys.Partitions):
		return m.openPrompt(promptPartitions)
	case key.Matches(msg, m.keys.Filter):
		return m.openPrompt(promptFilter)
	case m.filter.on() && key.Matches(msg, m.keys.Clear):
		m.setFilter("")
		return nil
	case key.Matches(msg, m.keys.Pause):
		m.paused = !m.paused
	case key.Matches(msg, m.keys.Older):
		// Moving off the newest record stops following, as in less.
		m.paused = true
		if m.sel < len(m.rows)-1 {
			m.sel++
		} else if m.back+m.visibleRows() < m.available() {
			m.back++
		}
	case key.Matches(msg, m.keys.Newer):
		if m.sel > 0 {
			m.sel--
		} else if m.back > 0 {
			m.back--
		}
	case key.Matches(msg, m.keys.Follow):
		m.back, m.sel, m.paused = 0, 0, false
	case key.Matches(msg, m.keys.Open):
		if r := m.Selected(); r != nil {
			return func() tea.Msg { return OpenRecordMsg{Record: r} }
		}
		return nil
	case key.Matches(msg, m.keys.Back):
		return backCmd
	default:
		return nil
	}
	m.reload()
	return nil
}

// setFilter shows only records matching text, or all with "". The next
// frame tests the newest records and shows what matches, paused or not:
// the user asked to see them.
func (m *Model) setFilter(text string) {
	m.filter.set(text)
	m.back, m.sel, m.refilter = 0, 0, true
}

// reload reads the rows to show, from the filter's matches when a filter
// is set, else from the ring.
func (m *Model) reload() {
	switch {
	case m.tail == nil:
		m.rows = nil
	case m.filter.on():
		m.rows = m.filter.window(m.back, m.visibleRows())
	default:
		m.rows = m.tail.Window(m.back, m.visibleRows())
	}
	m.sel = min(m.sel, max(len(m.rows)-1, 0))
}

// available is how many records there are to scroll through.
func (m *Model) available() int {
	switch {
	case m.tail == nil:
		return 0
	case m.filter.on():
		return m.filter.n
	}
	return m.tail.Len()
}

// layoutChanged is called when lines above the records come or go: the
// next frame reads a window of the new height, and the selection stays on
// a row that is drawn.
func (m *Model) layoutChanged() {
	m.lastLoaded = false
	m.sel = min(m.sel, m.visibleRows()-1)
}

// visibleRows is how many records fit: the pane less its header, the
// prompt or filter lines, the column header and the partition line.
func (m *Model) visibleRows() int { return max(m.height-3-m.extraLines(), 1) }

// extraLines is how many lines the prompt, or the filter's status, takes
// under the header.
func (m *Model) extraLines() int {
	switch {
	case m.Prompting():
		return len(m.promptLines())
	case m.filter.on():
		return 1
	}
	return 0
}

// SetSize sets the pane's box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.prompt.input.SetWidth(max(w-len("partitions: ")-1, 10))
	m.lastLoaded = false // re-read a window of the new height
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() tea.Cmd { m.focused = true; return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// ShortHelp lists the keys shown in the footer, few enough to fit 80
// columns with the global ones; FullHelp has the rest.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.prompt.kind == promptFilter:
		return []key.Binding{k.Apply, k.Clear}
	case m.Prompting():
		return []key.Binding{k.Apply, k.Cancel}
	case m.filter.on():
		return []key.Binding{k.Open, k.Pause, k.Filter, k.Clear}
	}
	return []key.Binding{k.Open, k.Pause, k.Filter, k.Start, k.Partitions}
}

// FullHelp lists every key of the pane. It is the same in every state, so
// the App's help keeps its height while a prompt comes and goes.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Open, k.Pause, k.Follow, k.Older, k.Newer}, {k.Back, k.Start, k.Partitions, k.Filter, k.Clear}}
}

// View draws the last frame's window; it never reads the ring.
func (m *Model) View() string {
	s := m.c.Styles
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var b strings.Builder
	if m.tail == nil {
		b.WriteString(s.Muted.Render("No topic open: pick one in the topics pane (1) and press enter."))
		return b.String()
	}
	b.WriteString(common.Truncate(m.header(), m.width) + "\n")
	switch {
	case m.Prompting():
		for _, l := range m.promptLines() {
			b.WriteString(common.Truncate(l, m.width) + "\n")
		}
	case m.filter.on():
		b.WriteString(common.Truncate(m.filter.status()+" · esc clears", m.width) + "\n")
	}
	const timeW, partW, offW = 12, 3, 9
	keyW := min(max(m.width/6, 6), 24)
	valW := max(m.width-timeW-partW-offW-keyW-4-2, 4)
	b.WriteString(s.Header.Render(fmt.Sprintf("  %-*s %*s %*s %s %s", timeW, "TIME (UTC)", partW, "P", offW, "OFFSET", common.Pad("KEY", keyW), "VALUE")) + "\n")
	rows := m.visibleRows()
	// A prompt may have taken a line since the rows were read.
	shown := m.rows[max(len(m.rows)-rows, 0):]
	if len(shown) == 0 {
		wait := "  waiting for records…"
		if m.filter.on() {
			wait = "  no record matches yet…"
		}
		b.WriteString(s.Muted.Render(wait) + "\n")
		rows--
	}
	for i := len(shown); i < rows; i++ {
		b.WriteByte('\n') // newest records sit at the bottom, as in a log
	}
	for i, r := range shown {
		k := "-"
		if r.Key != nil {
			k = kafka.Preview(r.Key, keyW)
		}
		line := fmt.Sprintf("%-*s %*d %*d %s %s", timeW, r.Timestamp.UTC().Format("15:04:05.000"), partW, r.Partition, offW, r.Offset,
			common.Pad(k, keyW), kafka.Preview(r.Value, valW))
		sel, sent := " ", " "
		if m.marks[mark{r.Partition, r.Offset}] {
			sent = "◆" // sent from this session
		}
		if m.focused && i == len(shown)-1-m.sel {
			b.WriteString(s.Selected.Render("▸"+sent+line) + "\n")
			continue
		}
		b.WriteString(sel + sent + line + "\n")
	}
	b.WriteString(s.Muted.Render(common.Truncate(m.partitionLine(), m.width)))
	return b.String()
}

func (m *Model) header() string {
	s := m.c.Styles
	state := s.Success.Render("● live")
	switch {
	case m.stats.State == kafka.TailFailed:
		state = s.Error.Render("✗ stopped: " + errText(m.stats.Err))
	case m.stats.State == kafka.TailReconnecting:
		state = s.Warning.Render("◌ reconnecting: " + errText(m.stats.Err))
	case m.paused && m.back > 0:
		state = s.Warning.Render(fmt.Sprintf("⏸ paused, %d back", m.back))
	case m.paused:
		state = s.Warning.Render("⏸ paused")
	case m.stats.Err != nil:
		state = s.Warning.Render("↻ retrying: " + errText(m.stats.Err))
	}
	parts := "all partitions"
	if m.opts.Partitions != nil {
		parts = "partitions " + kafka.TruncateWidth(partitionsText(m.opts.Partitions), 20)
	}
	return fmt.Sprintf("%s · from %s · %s · %s · %s received · %.0f rec/s",
		s.Title.Render("▶ "+m.topic), m.opts.Start, parts, state, strconv.FormatInt(m.stats.Received, 10), m.rate)
}

func (m *Model) partitionLine() string {
	var parts []string
	for _, p := range m.stats.Partitions {
		parts = append(parts, fmt.Sprintf("p%d %d/%d", p.Partition, p.Next, p.High))
	}
	line := "offset/high: " + strings.Join(parts, "  ")
	if len(parts) == 0 {
		line = "partitions: no records yet"
	}
	if n := m.stats.Notice; n != "" {
		// First, so that a narrow screen cuts partitions, not the news.
		line = n + " · " + line
	}
	return line
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
