// Package advice is the view of an IAM refusal: which kafka-cluster action
// the operation needed on which resource, and a minimal policy document to
// copy from the screen or write to a file with one key.
package advice

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

var _ common.Component = (*Model)(nil)

// Model is the advice view.
type Model struct {
	c    common.Common
	keys KeyMap
	dir  string // where w writes the policy

	advice        kafka.Advice
	width, height int
	top           int
	notice        string
	noticeErr     bool
	writing       bool
}

// New returns the advice view; w writes policies into dir (the directory
// mskx was started in, where a person looks for it).
func New(c common.Common, dir string) *Model {
	return &Model{c: c, keys: DefaultKeyMap(), dir: dir}
}

// Set shows a, from the top.
func (m *Model) Set(a kafka.Advice) {
	m.advice, m.top, m.notice, m.noticeErr = a, 0, "", false
}

// Init does nothing.
func (m *Model) Init() tea.Cmd { return nil }

// Focus does nothing: the view has no field.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur does nothing.
func (m *Model) Blur() {}

// SetSize sets the view's box.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update handles keys and the file write's result.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case writtenMsg:
		m.writing = false
		if msg.err != nil {
			m.notice, m.noticeErr = "✗ "+msg.err.Error(), true
		} else {
			m.notice, m.noticeErr = "✓ policy written to "+msg.path, false
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Close):
			return func() tea.Msg { return CloseMsg{} }
		case key.Matches(msg, m.keys.Write) && !m.writing:
			m.writing = true
			m.notice, m.noticeErr = "writing…", false
			return writeCmd(m.dir, m.advice.Policy, m.c.Now())
		case key.Matches(msg, m.keys.Down):
			m.top = min(m.top+1, max(len(m.lines())-m.height, 0))
		case key.Matches(msg, m.keys.Up):
			m.top = max(m.top-1, 0)
		}
	}
	return nil
}

// lines is the whole view before scrolling: the summary wrapped to the
// width, then the policy as it will be written.
func (m *Model) lines() []string {
	s := m.c.Styles
	w := max(m.width, 20)
	out := []string{s.Title.Render("IAM policy needed"), ""}
	for _, ln := range strings.Split(ansi.Wordwrap(m.advice.Summary, w, " "), "\n") {
		out = append(out, s.Text.Render(ln))
	}
	out = append(out, "", s.Muted.Render("A minimal policy that allows it (w writes it to a file):"))
	for _, ln := range strings.Split(m.advice.Policy, "\n") {
		out = append(out, common.Truncate(ln, w))
	}
	return out
}

// View draws the advice, the notice on the last line.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	body := m.lines()
	rows := m.height
	if m.notice != "" {
		rows--
	}
	top := min(m.top, max(len(body)-rows, 0))
	body = common.FitLines(body[top:], max(rows, 0))
	if m.notice != "" {
		st := m.c.Styles.Success
		if m.noticeErr {
			st = m.c.Styles.Error
		}
		body = append(body, st.Render(common.Truncate(m.notice, m.width)))
	}
	return strings.Join(body, "\n")
}
