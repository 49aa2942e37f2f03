package login

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// Layout. Narrow, everything is one column: the form, the Connect button,
// warnings, then the steps and the error. From wideAt columns the steps
// move to the right, where a long explanation has room.
const (
	labelW      = 13 // "▸ " + name (9) + 2
	nameW       = 9
	wideAt      = 120
	colSep      = " │ "
	maxListRows = 8
	noteLines   = 2 // a note on the secrets wraps to at most this many lines
)

type layout struct {
	wide         bool
	formW, sideW int
}

func (m *Model) layout() layout {
	if m.width >= wideAt {
		fw := m.width / 2
		return layout{wide: true, formW: fw, sideW: m.width - fw - ansi.StringWidth(colSep)}
	}
	return layout{formW: m.width, sideW: m.width}
}

// fieldW is the width of a field right of its label.
func (l layout) fieldW() int { return max(l.formW-labelW, 8) }

// View draws the screen. Its size is the box SetSize gave, line for line.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.picker.stage != stageClosed {
		return m.pickerView()
	}
	l := m.layout()
	if l.wide {
		return m.wideView(l)
	}
	return m.narrowView(l)
}

// narrowView gives up room, when the screen is short, in this order: the
// title, blank lines, the notes under the brokers and the role (picked
// cluster, AWS identity), the steps' details (one line of glyphs instead of
// a row per step), then rows of the secrets list. The fields always show.
// While the cursor is in the secret field, a few rows of the list come
// before the steps' details: picking is what the person is doing.
func (m *Model) narrowView(l layout) string {
	w, h := m.width, m.height
	title := m.titleLines()
	btn := append([]string{""}, m.buttonLines(w)...)
	warn := m.warningLines(w)
	res := m.resultLines(w, false)
	if len(res) > 0 {
		res = append([]string{""}, res...)
	}
	extras := true
	form := m.formLines(l, 0, extras)
	used := func() int { return len(title) + len(form) + len(btn) + len(warn) + len(res) }
	if used() > h {
		title = nil
	}
	if used() > h {
		btn = btn[1:]
		if len(res) > 0 {
			res = res[1:]
		}
	}
	if used() > h {
		extras = false
		form = m.formLines(l, 0, extras)
	}
	want := m.listWanted()
	if len(res) > 0 && (used() > h || h-used() < min(want, 3)) {
		res = m.resultLines(w, true)
	}
	// The list takes the room left, and up to three rows from the steps.
	base := len(title) + len(form) + len(btn) + len(warn)
	if n := min(want, max(h-used(), min(3, h-base))); n > 0 {
		form = m.formLines(l, n, extras)
	}
	lines := slices.Concat(title, form, btn, warn)
	lines = append(lines, clip(res, max(h-len(lines), 0))...)
	lines = common.FitLines(lines, h)
	for i, ln := range lines {
		lines[i] = common.Truncate(ln, w)
	}
	return strings.Join(lines, "\n")
}

func (m *Model) wideView(l layout) string {
	h := m.height
	left := slices.Concat(m.titleLines(), m.formLines(l, 0, true))
	tail := slices.Concat([]string{""}, m.buttonLines(l.formW), m.warningLines(l.formW))
	if n := min(m.listWanted(), h-len(left)-len(tail)); n > 0 {
		left = slices.Concat(m.titleLines(), m.formLines(l, n, true))
	}
	left = common.FitLines(append(left, tail...), h)

	s := m.c.Styles
	right := []string{s.Header.Render("Connection"), ""}
	if res := m.resultLines(l.sideW, false); len(res) > 0 {
		right = append(right, clip(res, h-len(right))...)
	} else {
		for _, ln := range wrap("Connect checks each step in turn (config, AWS identity, resolve, TCP, TLS, SASL, metadata) and shows it here with its time as it happens.", l.sideW) {
			right = append(right, s.Muted.Render(ln))
		}
	}
	right = common.FitLines(right, h)
	sep := s.Muted.Render(colSep)
	out := make([]string, h)
	for i := range out {
		out[i] = common.Pad(left[i], l.formW) + sep + common.Truncate(right[i], l.sideW)
	}
	return strings.Join(out, "\n")
}

func (m *Model) titleLines() []string {
	s := m.c.Styles
	return []string{s.Title.Render("Connect to a Kafka cluster") + s.Muted.Render("  ·  "+modeHint(m.mode())), ""}
}

// modeHint says in a few words what the mode is for, which is what people
// new to MSK's listeners most often get wrong.
func modeHint(md auth.Mode) string {
	switch md {
	case auth.IAM:
		return "SASL/IAM with AWS credentials, MSK port 9098"
	case auth.SCRAM:
		return "SASL/SCRAM user and password, MSK port 9096"
	case auth.TLS:
		return "TLS without client auth, MSK port 9094"
	case auth.MTLS:
		return "TLS with a client certificate, MSK port 9094"
	}
	return "no TLS, no auth, MSK port 9092"
}

// listWanted is how many rows the secrets list would like: some only while
// the cursor is in the secret field, where they can be picked.
func (m *Model) listWanted() int {
	if m.row != rowSecret || m.mode() != auth.SCRAM || m.att.running {
		return 0
	}
	return min(len(m.matches()), maxListRows)
}

// formLines are the field rows, with the note and listRows rows of the
// secrets list under the secret field. Extras are the one-line notes on
// the picked cluster (under the brokers) and the AWS identity (under the
// role), which a short screen goes without.
func (m *Model) formLines(l layout, listRows int, extras bool) []string {
	var out []string
	for _, r := range rowsFor(m.mode()) {
		switch r {
		case rowConnect:
			continue
		case rowMode:
			out = append(out, m.label(r)+m.modeSelector())
		default:
			out = append(out, m.label(r)+m.inputs[r].View())
		}
		switch {
		case r == rowSecret:
			out = append(out, m.secretNote(l.fieldW())...)
			out = append(out, m.listLines(listRows, l.fieldW())...)
		case r == rowBrokers && extras:
			out = append(out, m.brokersNote(l)...)
		case r == rowRole && extras:
			out = append(out, m.identityLine(l.fieldW())...)
		}
	}
	return out
}

// label is a row's name with a glyph for the cursor, so that focus does
// not rest on colour.
func (m *Model) label(r int) string {
	s := m.c.Styles
	cur, style := " ", s.Muted
	if m.focused && m.row == r {
		cur, style = "▸", s.Title
	}
	return style.Render(cur+" "+fmt.Sprintf("%-*s", nameW, rowNames[r])) + "  "
}

func (m *Model) modeSelector() string {
	s := m.c.Styles
	var b strings.Builder
	for _, md := range m.modesOffered() {
		if md == m.mode() {
			b.WriteString(s.Selected.Render("[" + string(md) + "]"))
		} else {
			b.WriteString(s.Text.Render(" " + string(md) + " "))
		}
	}
	var hints []string
	if p := m.picked(); p != nil {
		hints = append(hints, "the modes of "+p.info.Name)
	}
	if m.focused && m.row == rowMode {
		hints = append(hints, "←/→ change")
	}
	if len(hints) > 0 {
		b.WriteString(s.Muted.Render("  " + strings.Join(hints, " · ")))
	}
	return b.String()
}

// secretNote says what the listing of secrets found, under the field. The
// secrets associated with a picked cluster come first and are enough to
// pick from even when listing all of them failed.
func (m *Model) secretNote(w int) []string {
	s := m.c.Styles
	sl := m.secrets
	p := m.picked()
	var text string
	style := s.Muted
	switch {
	case !sl.asked:
		return nil
	case p != nil && len(p.secrets) > 0:
		text = fmt.Sprintf("%d associated with %s, listed first; ", len(p.secrets), p.info.Name) + m.pickText()
	case sl.loading:
		text = "… listing the " + auth.SecretPrefix + " secrets these credentials can see"
	case errors.Is(sl.err, auth.ErrListSecretsDenied):
		text, style = "⚠ listing secrets was denied, so type the secret's name or ARN (a list needs secretsmanager:ListSecrets)", s.Warning
	case sl.err != nil:
		text, style = "⚠ "+kafka.Sanitize([]byte(sl.err.Error()))+"; typing the secret's name still works", s.Warning
	case len(sl.items) == 0:
		text = "no " + auth.SecretPrefix + " secrets found: type a name or ARN, or a user below"
	default:
		text = m.pickText()
	}
	if p != nil && p.secretsErr != nil {
		why := "could not be listed"
		if errors.Is(p.secretsErr, auth.ErrClusterSecretsDenied) {
			why = "could not be listed (kafka:ListScramSecrets was denied)"
		}
		text, style = "⚠ the secrets associated with "+p.info.Name+" "+why+"; "+strings.TrimPrefix(text, "⚠ "), s.Warning
	}
	pad := strings.Repeat(" ", labelW)
	var out []string
	for _, ln := range clip(wrap(text, w), noteLines) {
		out = append(out, pad+style.Render(ln))
	}
	return out
}

// pickText says how many secrets there are to pick from, and how.
func (m *Model) pickText() string {
	n, found := len(m.matches()), len(m.secretItems())
	switch {
	case m.row != rowSecret:
		return fmt.Sprintf("%d %s secrets found", found, auth.SecretPrefix)
	case n < found:
		return fmt.Sprintf("%d of %d match: ↑/↓ choose, enter picks", n, found)
	}
	return fmt.Sprintf("%d %s secrets: ↑/↓ choose, enter picks", found, auth.SecretPrefix)
}

// listLines are n rows of the matching secrets, scrolled so that the
// highlighted one shows.
func (m *Model) listLines(n, w int) []string {
	ms := m.matches()
	if n <= 0 || len(ms) == 0 {
		return nil
	}
	s := m.c.Styles
	pick := min(m.secrets.pick, len(ms)-1)
	start := max(pick-n+1, 0)
	pad := strings.Repeat(" ", labelW)
	var out []string
	for i := start; i < min(len(ms), start+n); i++ {
		row := "  " + ms[i].Name
		if i == pick {
			row = s.Selected.Render("▸ " + ms[i].Name)
		}
		if m.associated(ms[i].ARN) {
			row += s.Muted.Render("  ✓ associated with " + m.picked().info.Name)
		}
		if d := ms[i].Description; d != "" {
			row += s.Muted.Render("  " + kafka.Sanitize([]byte(d)))
		}
		out = append(out, pad+common.Truncate(row, w))
	}
	return out
}

// buttonLines are the Connect button and what the form is doing, on one
// line when they fit.
func (m *Model) buttonLines(w int) []string {
	s := m.c.Styles
	btn := "  " + s.Text.Render("[ Connect ]")
	if m.focused && m.row == rowConnect {
		btn = s.Title.Render("▸ ") + s.Selected.Render("[ Connect ]")
	}
	st := m.status()
	if one := btn + "  " + st; ansi.StringWidth(one) <= w {
		return []string{one}
	}
	return []string{btn, "  " + st}
}

func (m *Model) status() string {
	s := m.c.Styles
	switch {
	case m.att.running:
		return s.Muted.Render("… connecting · esc cancels")
	case m.notice != "":
		return s.Error.Render("✗ " + m.notice)
	case m.att.connected:
		return s.Success.Render("✓ connected")
	case m.att.err != nil:
		if f := m.failedStep(); f != "" {
			return s.Error.Render("✗ failed at " + f + ": fix and connect again")
		}
		return s.Error.Render("✗ failed: fix and connect again")
	case m.att.cancelled:
		return s.Muted.Render("– cancelled: fields kept")
	}
	if p := m.problem(); p != "" {
		return s.Warning.Render("⚠ " + p)
	}
	return s.Muted.Render("enter or ctrl+s connects")
}

func (m *Model) failedStep() string {
	for _, st := range m.att.steps {
		if st.err != nil && !st.soft {
			return st.name
		}
	}
	return ""
}

// warningLines are the port warnings for what is typed now, and what the
// last connect's Build warned about besides.
func (m *Model) warningLines(w int) []string {
	ws := auth.PortWarnings(m.mode(), auth.SplitBrokers(m.value(rowBrokers)))
	if m.att.mode == m.mode() {
		ws = append(ws, m.att.warnings...)
	}
	s := m.c.Styles
	var out []string
	for _, text := range ws {
		for i, ln := range wrap(text, w-2) {
			lead := "  "
			if i == 0 {
				lead = "⚠ "
			}
			out = append(out, s.Warning.Render(lead+ln))
		}
	}
	return out
}

// resultLines are the last connect's steps, those still to come while it
// runs, and the failure's explanation wrapped to w. Compact puts the steps
// on one line of glyphs, for short screens.
func (m *Model) resultLines(w int, compact bool) []string {
	a := m.att
	if len(a.plan) == 0 {
		return nil
	}
	s := m.c.Styles
	var rows, marks []string
	done := map[string]bool{}
	for _, st := range a.steps {
		done[st.name] = true
		g := m.glyph(st)
		marks = append(marks, g+" "+st.name)
		rows = append(rows, g+" "+m.stepText(st))
	}
	var rest []string
	for _, name := range a.plan {
		if !done[name] {
			rest = append(rest, name)
		}
	}
	switch {
	case a.running && len(rest) > 0:
		marks = append(marks, "… "+rest[0])
		rows = append(rows, "… "+s.Text.Render(rest[0]))
		for _, name := range rest[1:] {
			rows = append(rows, s.Muted.Render("· "+name))
		}
	case a.cancelled && len(rest) > 0:
		marks = append(marks, "– "+rest[0])
		rows = append(rows, s.Muted.Render(fmt.Sprintf("– %-9s %7s  cancelled", rest[0], "")))
	}
	out := rows
	if compact {
		out = []string{strings.Join(marks, "  ")}
	}
	if a.err != nil && !a.running {
		text := a.err.Error()
		// Short of room, what to check matters more than the cause.
		var he *kafka.HintedError
		if compact && errors.As(a.err, &he) {
			text = he.Hint
		}
		for _, ln := range wrap(kafka.Sanitize([]byte(text)), w-2) {
			out = append(out, "  "+s.Error.Render(ln))
		}
	}
	return out
}

func (m *Model) glyph(st step) string {
	s := m.c.Styles
	switch {
	case st.skipped:
		return s.Muted.Render("–")
	case st.soft:
		return s.Warning.Render("⚠")
	case st.err != nil:
		return s.Error.Render("✗")
	}
	return s.Success.Render("✓")
}

// stepText is a step's name, time and what it found. A failed step's error
// is shown whole below the steps, not cut to fit here.
func (m *Model) stepText(st step) string {
	dur := ""
	if !st.skipped {
		dur = m.durText(st.duration)
	}
	detail := st.detail
	switch {
	case st.soft:
		detail = "unknown: " + st.err.Error()
	case st.err != nil:
		detail = "failed"
	}
	return fmt.Sprintf("%-9s %7s  %s", st.name, dur, kafka.Sanitize([]byte(detail)))
}

// wrap breaks s into lines of at most w cells, at spaces where it can.
func wrap(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, max(w, 1), ""), "\n")
}

// clip keeps at most n lines and marks a cut with an ellipsis on the last
// one kept, so a cut explanation does not pass for a whole one.
func clip(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	if n <= 0 {
		return nil
	}
	out := slices.Clone(lines[:n])
	out[n-1] += " …"
	return out
}
