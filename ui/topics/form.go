package topics

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/ui/common"
)

// The admin forms: one small form type serves the create form and the
// one- or two-field prompts (add partitions, edit config, confirm delete),
// so that they all move, check and draw alike.

// formKind says what a form does when submitted.
type formKind int

const (
	formCreate formKind = iota
	formPartitions
	formConfig
	formDelete
)

// Form layout.
const (
	formLabelW = 22 // the cursor, the longest label (min.insync.replicas) and a gap
	maxInputW  = 48 // wide screens do not need a wider field
	hintsAt    = 120
)

// field is one line of a form.
type field struct {
	label string
	hint  string // what the field wants, in a few words
	in    textinput.Model
	// check says what is wrong with the value; nil accepts anything.
	check func(f *form, v string) error
	// raw keeps the value as typed: a topic name with a stray space is
	// an error to show, not something to fix silently.
	raw bool
	// onSubmit defers the check to submission, for a confirmation that is
	// wrong on every key until it is complete.
	onSubmit bool
	dirty    bool
}

// form is an open admin form. topic is the topic it acts on (empty for
// create), config the config being edited when it came from a config row.
type form struct {
	kind   formKind
	title  string
	intro  []string
	warn   bool   // the intro is a warning
	verb   string // what submitting does: "create", "delete"…
	topic  string
	config string
	// current is the partition count the add-partitions form starts from.
	current int
	fields  []field
	focus   int
	tried   bool
}

// addField appends a field with the pane's input style.
func (f *form) addField(c common.Common, label, placeholder, value, hint string, check func(*form, string) error) *field {
	in := common.NewInput(c, "", placeholder)
	in.SetValue(value)
	in.CursorEnd()
	f.fields = append(f.fields, field{label: label, hint: hint, in: in, check: check})
	return &f.fields[len(f.fields)-1]
}

// value returns field i's text, trimmed unless the field is raw.
func (f *form) value(i int) string {
	v := f.fields[i].in.Value()
	if f.fields[i].raw {
		return v
	}
	return strings.TrimSpace(v)
}

// fieldByLabel returns the index of the field labelled l, or -1.
func (f *form) fieldByLabel(l string) int {
	for i := range f.fields {
		if f.fields[i].label == l {
			return i
		}
	}
	return -1
}

// problem is what is wrong with field i, if it is to be shown: fields are
// judged once touched, or all of them once submission was tried.
func (f *form) problem(i int) error {
	fd := &f.fields[i]
	if fd.check == nil || (!fd.dirty && !f.tried) || (fd.onSubmit && !f.tried) {
		return nil
	}
	return fd.check(f, f.value(i))
}

// problems lists every field's problem, the focused field first, as
// "Label: reason".
func (f *form) problems() []string {
	var out []string
	for k := range f.fields {
		i := (f.focus + k) % len(f.fields)
		if err := f.problem(i); err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, f.fields[i].label) { // config checks name the config already
				msg = f.fields[i].label + ": " + msg
			}
			out = append(out, msg)
		}
	}
	return out
}

// focusOn moves the cursor to field i and gives it the keyboard.
func (f *form) focusOn(i int) tea.Cmd {
	for k := range f.fields {
		f.fields[k].in.Blur()
	}
	f.focus = (i + len(f.fields)) % len(f.fields)
	return f.fields[f.focus].in.Focus()
}

// update hands a key or paste to the focused field.
func (f *form) update(msg tea.Msg) tea.Cmd {
	fd := &f.fields[f.focus]
	before := fd.in.Value()
	var cmd tea.Cmd
	fd.in, cmd = fd.in.Update(msg)
	if fd.in.Value() != before {
		fd.dirty = true
	}
	return cmd
}

// inputWidth is the text width of the fields in a pane w cells wide: the
// label, the problem mark and the cursor's cell take the rest.
func inputWidth(w int) int { return max(min(w-formLabelW-4, maxInputW), 8) }

// setWidth sizes the fields for a pane w cells wide.
func (f *form) setWidth(w int) {
	iw := inputWidth(w)
	for i := range f.fields {
		f.fields[i].in.SetWidth(iw)
	}
}

// view draws the form in h lines of w cells. Wide, each field's hint
// stands beside it; narrow, only the focused field's hint shows, under the
// fields.
func (f *form) view(c common.Common, w, h int) []string {
	s := c.Styles
	keys := " · enter: " + f.verb
	if len(f.fields) > 1 {
		keys += " · tab: next field"
	}
	lines := []string{s.Title.Render(f.title) + s.Muted.Render(keys+" · esc: cancel")}
	introStyle := s.Muted
	if f.warn {
		introStyle = s.Warning
	}
	for _, text := range f.intro {
		for _, l := range wrap(text, w) {
			lines = append(lines, introStyle.Render(l))
		}
	}
	lines = append(lines, "")
	wide := w >= hintsAt
	iw := inputWidth(w)
	for i := range f.fields {
		fd := &f.fields[i]
		cur, style := "  ", s.Muted
		if i == f.focus {
			cur, style = "▸ ", s.Title
		}
		mark := "  "
		if f.problem(i) != nil {
			mark = s.Error.Render("✗") + " "
		}
		line := style.Render(cur+fmt.Sprintf("%-*s", formLabelW-2, fd.label)) + mark + fd.in.View()
		if wide && fd.hint != "" {
			line = common.Pad(line, formLabelW+2+iw+1) + "  " + s.Muted.Render(fd.hint)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "")
	if !wide && f.fields[f.focus].hint != "" {
		for _, l := range wrap(f.fields[f.focus].hint, w-2) {
			lines = append(lines, "  "+s.Muted.Render(l))
		}
	}
	for _, p := range f.problems() {
		for _, l := range wrap("✗ "+p, w) {
			lines = append(lines, s.Error.Render(l))
		}
	}
	lines = common.FitLines(lines, h)
	for i, l := range lines {
		lines[i] = common.Truncate(l, w)
	}
	return lines
}
