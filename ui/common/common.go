// Package common holds what every pane of the UI shares: the Component
// contract, the Common value handed to constructors, styles built from a
// theme palette, and the global key map.
package common

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/themes"
)

// Component is what the root App asks of every pane. Only the App is a
// tea.Model; panes update in place (pointer receivers) and return commands.
type Component interface {
	help.KeyMap
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	Focus() tea.Cmd
	Blur()
}

// Common is handed to every pane's constructor.
type Common struct {
	Styles *Styles
	// Now is the clock; tests fix it so rates and ages are reproducible.
	Now func() time.Time
}

// New returns a Common for the palette, with the real clock.
func New(p themes.Palette) Common {
	return Common{Styles: NewStyles(p), Now: time.Now}
}

// Styles are the styles of a theme. Switching theme builds a new set.
type Styles struct {
	Palette     themes.Palette
	Title       lipgloss.Style
	Text        lipgloss.Style
	Muted       lipgloss.Style
	Header      lipgloss.Style // column headers
	Selected    lipgloss.Style // the selected row; also marked with a glyph
	Error       lipgloss.Style
	Warning     lipgloss.Style
	Success     lipgloss.Style
	StatusBar   lipgloss.Style
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	Help        help.Styles
}

// color turns a palette entry into a colour; empty means the terminal's
// default, so the mono palette carries no colour at all.
func colour(s string) color.Color {
	if s == "" {
		return lipgloss.NoColor{}
	}
	return lipgloss.Color(s)
}

// NewStyles builds the style set of a palette. Focus, selection and errors
// also show as glyphs or reverse video, so they survive NO_COLOR.
func NewStyles(p themes.Palette) *Styles {
	s := &Styles{Palette: p}
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(colour(p.Primary))
	s.Text = lipgloss.NewStyle().Foreground(colour(p.Text))
	s.Muted = lipgloss.NewStyle().Foreground(colour(p.Muted))
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(colour(p.Muted))
	s.Selected = lipgloss.NewStyle().Bold(true).Foreground(colour(p.Focus))
	if p.Selection == "" {
		s.Selected = s.Selected.Reverse(true)
	} else {
		s.Selected = s.Selected.Background(colour(p.Selection))
	}
	s.Error = lipgloss.NewStyle().Bold(true).Foreground(colour(p.Error))
	s.Warning = lipgloss.NewStyle().Foreground(colour(p.Warning))
	s.Success = lipgloss.NewStyle().Foreground(colour(p.Success))
	s.StatusBar = lipgloss.NewStyle().Foreground(colour(p.Text))
	s.TabActive = lipgloss.NewStyle().Bold(true).Foreground(colour(p.Focus)).Underline(true)
	s.TabInactive = lipgloss.NewStyle().Foreground(colour(p.Muted))
	s.Help = help.Styles{
		ShortKey:       lipgloss.NewStyle().Foreground(colour(p.Primary)),
		ShortDesc:      lipgloss.NewStyle().Foreground(colour(p.Muted)),
		ShortSeparator: lipgloss.NewStyle().Foreground(colour(p.Muted)),
		Ellipsis:       lipgloss.NewStyle().Foreground(colour(p.Muted)),
		FullKey:        lipgloss.NewStyle().Foreground(colour(p.Primary)),
		FullDesc:       lipgloss.NewStyle().Foreground(colour(p.Muted)),
		FullSeparator:  lipgloss.NewStyle().Foreground(colour(p.Muted)),
	}
	return s
}

// GlobalKeyMap are the keys that work everywhere outside text fields.
type GlobalKeyMap struct {
	Topics    key.Binding
	Tail      key.Binding
	Produce   key.Binding
	Groups    key.Binding
	Advice    key.Binding
	Next      key.Binding
	Prev      key.Binding
	Help      key.Binding
	Quit      key.Binding
	ForceQuit key.Binding
}

// DefaultGlobalKeyMap returns the global keys: the habits of k9s and lazygit.
func DefaultGlobalKeyMap() GlobalKeyMap {
	return GlobalKeyMap{
		Topics:  key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "topics")),
		Tail:    key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "tail")),
		Produce: key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "produce")),
		Groups:  key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "groups")),
		// Advice shows the IAM policy the last refusal needs; the App
		// enables it once there is one.
		Advice:    key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "IAM policy needed")),
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// ShortHelp is the global part of the footer.
func (k GlobalKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Help, k.Quit} }

// FullHelp lists every global key in one column, so that a pane's own
// columns and these fit 80 columns together. The pane and quit keys are
// folded into one line each; the bindings that match keys stay separate.
func (k GlobalKeyMap) FullHelp() [][]key.Binding {
	panes := key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "go to pane (see tabs)"))
	cycle := key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab/⇧tab", "next/previous pane"))
	quit := key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q/ctrl+c", "quit"))
	return [][]key.Binding{{panes, cycle, k.Advice, k.Help, quit}}
}

// Truncate cuts s, which may hold styles, to width cells with an ellipsis.
// Payload text must already be sanitised: this only measures it.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// Pad pads or cuts s to exactly width cells.
func Pad(s string, width int) string {
	s = Truncate(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// NewInput returns a one-line text field styled from the theme: the
// field's own defaults are colours picked for a dark terminal, which the
// mono and light themes must not show. The cursor is steady, because a
// blinking one redraws twice a second over slow links.
func NewInput(c Common, prompt, placeholder string) textinput.Model {
	s := c.Styles
	ti := textinput.New()
	ti.Prompt = prompt
	ti.Placeholder = placeholder
	st := textinput.StyleState{Text: s.Text, Placeholder: s.Muted, Suggestion: s.Muted, Prompt: s.Title}
	ti.SetStyles(textinput.Styles{Focused: st, Blurred: st, Cursor: textinput.CursorStyle{Color: s.Selected.GetForeground(), Shape: tea.CursorBlock}})
	return ti
}

// EditFilter handles a key while a list's filter field has the keyboard:
// done keeps the text and clear empties it, both giving the keyboard back
// (editing is then false); any other key edits the text. The caller applies
// the filter again afterwards.
func EditFilter(f *textinput.Model, msg tea.KeyPressMsg, done, clear key.Binding) (cmd tea.Cmd, editing bool) {
	switch {
	case key.Matches(msg, done):
		f.Blur()
		return nil, false
	case key.Matches(msg, clear):
		f.Blur()
		f.SetValue("")
		return nil, false
	}
	*f, cmd = f.Update(msg)
	return cmd, true
}

// Duration is short and keeps its precision where it matters: one decimal
// of a millisecond below 10ms, whole ms below a second, then seconds.
func Duration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", ms)
	case d < time.Second:
		return fmt.Sprintf("%.0fms", ms)
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// FitLines pads or cuts lines to exactly n, so that what follows a box
// always lands on the same row whatever the box drew.
func FitLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}
