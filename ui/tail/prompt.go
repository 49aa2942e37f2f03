package tail

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// promptKind says what the one-line prompt asks for.
type promptKind int

const (
	promptNone promptKind = iota
	promptStart
	promptPartitions
	promptFilter
)

// promptErrLines bounds the lines a rejected value's explanation takes, so
// that the records stay on screen while the user corrects it.
const promptErrLines = 3

// prompt is the line where the pane asks where to start, which partitions
// to read, or what to filter on.
type prompt struct {
	kind  promptKind
	input textinput.Model
	err   error
}

// newPrompt makes the prompt line's field, styled from the theme.
func newPrompt(c common.Common) prompt {
	return prompt{input: common.NewInput(c, "", "")}
}

// Prompting reports whether a prompt has the keyboard. The App then sends
// the pane every key but ctrl+c, since letters such as q and digits are
// text there, not global keys.
func (m *Model) Prompting() bool { return m.prompt.kind != promptNone }

// openPrompt asks for a start, partitions or a filter. Start and partitions
// begin empty, with what is in use and the syntax as placeholder, so that
// typing replaces rather than appends; the filter begins with its text, to
// be refined.
func (m *Model) openPrompt(kind promptKind) tea.Cmd {
	p := &m.prompt
	p.kind, p.err = kind, nil
	p.input.Reset()
	switch kind {
	case promptStart:
		p.input.Prompt = "start at: "
		p.input.Placeholder = m.opts.Start.String() + " (beginning, end, 1234, -N or @TIME)"
	case promptPartitions:
		p.input.Prompt = "partitions: "
		p.input.Placeholder = partitionsText(m.opts.Partitions) + " (all, or a list like 0,2,5)"
	case promptFilter:
		p.input.Prompt = "/"
		p.input.Placeholder = "text in key, value or headers"
		p.input.SetValue(m.filter.text)
		p.input.CursorEnd()
	}
	m.layoutChanged()
	return p.input.Focus()
}

func (m *Model) closePrompt() {
	m.prompt.kind, m.prompt.err = promptNone, nil
	m.prompt.input.Blur()
	m.layoutChanged()
}

// handlePromptKey edits the prompt; enter applies a valid value and esc
// cancels. A value that does not parse keeps the prompt open with the
// reason, so the user corrects it instead of typing it again.
func (m *Model) handlePromptKey(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.prompt
	switch {
	case key.Matches(msg, m.keys.Cancel):
		if p.kind == promptFilter {
			m.setFilter("") // esc clears the filter wherever it is pressed
		}
		m.closePrompt()
		return nil
	case key.Matches(msg, m.keys.Apply):
		return m.submit()
	}
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before && p.err != nil {
		p.err = nil // the explanation was about the old text
		m.layoutChanged()
	}
	return cmd
}

// submit applies the prompt's value. An empty start or partition list
// changes nothing: esc is the way to cancel, and an empty line meaning
// "end" would be a surprise.
func (m *Model) submit() tea.Cmd {
	p := &m.prompt
	v := strings.TrimSpace(p.input.Value())
	kind := p.kind
	if v == "" && kind != promptFilter {
		m.closePrompt()
		return nil
	}
	switch kind {
	case promptStart:
		st, err := kafka.ParseStart(v)
		if err != nil {
			p.err = err
			m.layoutChanged()
			return nil
		}
		m.opts.Start = st
	case promptPartitions:
		parts, err := parsePartitions(v)
		if err != nil {
			p.err = err
			m.layoutChanged()
			return nil
		}
		m.opts.Partitions = parts
	case promptFilter:
		m.closePrompt()
		m.setFilter(v)
		return nil
	}
	m.closePrompt()
	return m.reopen()
}

// parsePartitions reads "all" as every partition (nil) and otherwise a
// comma list like 0,2,5, sorted and without repeats. Whether the topic has
// those partitions is for the tail to find out: it says so in its error.
func parsePartitions(s string) ([]int32, error) {
	if strings.EqualFold(strings.TrimSpace(s), "all") {
		return nil, nil
	}
	var out []int32
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.ParseInt(f, 10, 32)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("partition %q is not valid: use all, or partition numbers separated by commas like 0,2,5", f)
		}
		if !slices.Contains(out, int32(n)) {
			out = append(out, int32(n))
		}
	}
	slices.Sort(out)
	return out, nil
}

// partitionsText gives the partitions back in the form parsePartitions
// reads.
func partitionsText(parts []int32) string {
	if parts == nil {
		return "all"
	}
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ",")
}

// promptLines is the prompt and, for a rejected value, the reason wrapped
// under it: the sentences that say what to type are longer than a line.
func (m *Model) promptLines() []string {
	p := &m.prompt
	lines := []string{p.input.View()}
	if p.err != nil {
		wrapped := strings.Split(ansi.Wrap("✗ "+p.err.Error(), max(m.width, 1), ""), "\n")
		if len(wrapped) > promptErrLines {
			wrapped = wrapped[:promptErrLines]
			wrapped[promptErrLines-1] += kafka.Ellipsis
		}
		for _, l := range wrapped {
			lines = append(lines, m.c.Styles.Error.Render(l))
		}
	}
	return lines
}
