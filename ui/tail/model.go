// Package tail is the live tail pane: the newest records of a topic as they
// arrive, read from the tail's ring one window per frame, with pause,
// scrolling back, and per-partition progress.
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

	// What the last frame read; View draws only from these.
	rows  []*kgo.Record
	stats kafka.TailStats
	seq   uint64

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

// New returns the tail pane; opts sets the start and ring size of every
// tail it opens.
func New(c common.Common, o Opener, opts kafka.TailOptions) *Model {
	return &Model{c: c, keys: DefaultKeyMap(), opener: o, opts: opts}
}

// Init does nothing until a topic is opened.
func (m *Model) Init() tea.Cmd { return nil }

// Open starts tailing topic, closing the previous tail in the background.
func (m *Model) Open(topic string) tea.Cmd {
	var cmd tea.Cmd
	if m.tail != nil {
		cmd = closeCmd(m.tail)
	}
	m.topic = topic
	m.tail = m.opener.Tail(context.Background(), topic, m.opts)
	m.paused, m.back, m.sel, m.rows, m.seq = false, 0, 0, nil, 0
	m.marks = nil
	m.stats = kafka.TailStats{}
	m.rate, m.rateAt, m.rateCount = 0, m.c.Now(), 0
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
		m.frame()
	case tea.KeyPressMsg:
		if m.focused {
			return m.handleKey(msg)
		}
	}
	return nil
}

// frame reads the newest window when something changed. This is the only
// place that touches the ring, and it copies at most a screenful.
func (m *Model) frame() {
	if m.tail == nil {
		return
	}
	now := m.c.Now()
	if seq := m.tail.Seq(); seq != m.seq || !m.lastLoaded {
		m.seq, m.lastLoaded = seq, true
		m.stats = m.tail.Stats()
		if !m.paused {
			m.rows = m.tail.Window(m.back, m.visibleRows())
		}
	}
	if el := now.Sub(m.rateAt); el >= time.Second {
		m.rate = float64(m.stats.Received-m.rateCount) / el.Seconds()
		m.rateAt, m.rateCount = now, m.stats.Received
	}
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Pause):
		m.paused = !m.paused
	case key.Matches(msg, m.keys.Older):
		// Moving off the newest record stops following, as in less.
		m.paused = true
		if m.sel < len(m.rows)-1 {
			m.sel++
		} else if m.tail != nil && m.back+m.visibleRows() < m.tail.Len() {
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
	if m.tail != nil {
		m.rows = m.tail.Window(m.back, m.visibleRows())
		m.sel = min(m.sel, max(len(m.rows)-1, 0))
	}
	return nil
}

// visibleRows is how many records fit: the pane less its header, column
// header and partition line.
func (m *Model) visibleRows() int { return max(m.height-3, 1) }

// SetSize sets the pane's box.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.lastLoaded = false // re-read a window of the new height
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() tea.Cmd { m.focused = true; return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// ShortHelp lists the keys shown in the footer.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Open, m.keys.Pause, m.keys.Older, m.keys.Follow, m.keys.Back}
}

// FullHelp lists every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Open, k.Pause, k.Follow}, {k.Older, k.Newer, k.Back}}
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
	const timeW, partW, offW = 12, 3, 9
	keyW := min(max(m.width/6, 6), 24)
	valW := max(m.width-timeW-partW-offW-keyW-4-2, 4)
	b.WriteString(s.Header.Render(fmt.Sprintf("  %-*s %*s %*s %s %s", timeW, "TIME (UTC)", partW, "P", offW, "OFFSET", common.Pad("KEY", keyW), "VALUE")) + "\n")
	rows := m.visibleRows()
	if len(m.rows) == 0 {
		b.WriteString(s.Muted.Render("  waiting for records…") + "\n")
		rows--
	}
	for i := len(m.rows); i < rows; i++ {
		b.WriteByte('\n') // newest records sit at the bottom, as in a log
	}
	for i, r := range m.rows {
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
		if m.focused && i == len(m.rows)-1-m.sel {
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
	case m.paused && m.back > 0:
		state = s.Warning.Render(fmt.Sprintf("⏸ paused, %d back", m.back))
	case m.paused:
		state = s.Warning.Render("⏸ paused")
	case m.stats.Err != nil:
		state = s.Warning.Render("↻ retrying: " + errText(m.stats.Err))
	}
	return fmt.Sprintf("%s · from %s · %s · %s received · %.0f rec/s",
		s.Title.Render("▶ "+m.topic), m.opts.Start, state, strconv.FormatInt(m.stats.Received, 10), m.rate)
}

func (m *Model) partitionLine() string {
	var parts []string
	for _, p := range m.stats.Partitions {
		parts = append(parts, fmt.Sprintf("p%d %d/%d", p.Partition, p.Next, p.High))
	}
	if len(parts) == 0 {
		return "partitions: no records yet"
	}
	return "offset/high: " + strings.Join(parts, "  ")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
