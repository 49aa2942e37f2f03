package topics

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// readOnlyNote is what an admin key says on a read-only pane.
const readOnlyNote = "✗ read-only: topic admin is disabled (started with --read-only)"

// Option configures the topics pane.
type Option func(*Model)

// ReadOnly turns topic administration off: the admin keys only say why,
// and the pane is marked read-only. A Lister that reports ReadOnly() true
// (a read-only *kafka.Session) has the same effect without the option.
func ReadOnly() Option { return func(m *Model) { m.readOnly = true } }

// Serverless leaves the replication factor out of the create form: MSK
// Serverless fixes it and refuses any other value.
func Serverless() Option { return func(m *Model) { m.serverless = true } }

// noteKind styles the pane's one-line note.
type noteKind int

const (
	noteInfo noteKind = iota
	noteOK
	noteErr
)

func (m *Model) setNote(text string, k noteKind) { m.note, m.noteKind = text, k }

// handleAdminKey opens the form of an admin key and reports whether msg
// was one. In the detail the keys act on the open topic (and e on the
// config row under the cursor), in the list on the selected one.
func (m *Model) handleAdminKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	if !key.Matches(msg, k.Create, k.AddPartitions, k.EditConfig, k.Delete) {
		return nil, false
	}
	if key.Matches(msg, k.Create) && m.detailOpen {
		return nil, false // create belongs to the list
	}
	if m.readOnly {
		m.setNote(readOnlyNote, noteErr)
		return nil, true
	}
	if m.busy {
		m.setNote("one change at a time: still "+m.busyText, noteInfo)
		return nil, true
	}
	switch {
	case key.Matches(msg, k.Create):
		return m.openForm(m.createForm()), true
	case key.Matches(msg, k.EditConfig) && m.detailOpen:
		return m.openForm(m.configForm(m.detailTopic, m.detailConfig())), true
	}
	topic, parts, msgs, ok := m.target()
	if !ok {
		m.setNote("no topic selected", noteErr)
		return nil, true
	}
	switch {
	case key.Matches(msg, k.AddPartitions):
		return m.openForm(m.partitionsForm(topic, parts)), true
	case key.Matches(msg, k.EditConfig):
		return m.openForm(m.configForm(topic, nil)), true
	default:
		return m.openForm(m.deleteForm(topic, msgs)), true
	}
}

// target is the topic the admin keys act on: the open detail's, or the
// selected row's, with its partition and message counts (-1 when unknown).
func (m *Model) target() (topic string, parts int, msgs int64, ok bool) {
	name := m.selected
	if m.detailOpen {
		name = m.detailTopic
	} else if m.cursor >= len(m.visible) {
		return "", 0, 0, false
	}
	parts, msgs = -1, -1
	for _, t := range m.all {
		if t.Name == name {
			parts, msgs = t.Partitions, t.Messages
			if t.Err != nil {
				msgs = -1
			}
		}
	}
	if m.detailOpen && m.detail != nil && m.detailErr == nil {
		parts = len(m.detail.Partitions)
	}
	return name, parts, msgs, name != ""
}

func (m *Model) openForm(f *form) tea.Cmd {
	m.form = f
	f.setWidth(m.width)
	return f.focusOn(0)
}

// handleFormKey moves through, submits or cancels the open form; every
// other key is text for the focused field.
func (m *Model) handleFormKey(msg tea.KeyPressMsg) tea.Cmd {
	f, k := m.form, m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.form = nil
		m.setNote("cancelled", noteInfo)
		return nil
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.NextField):
		return f.focusOn(f.focus + 1)
	case key.Matches(msg, k.PrevField):
		return f.focusOn(f.focus - 1)
	}
	return f.update(msg)
}

// submit checks every field and, when all are fine, closes the form and
// returns the admin call as a Cmd.
func (m *Model) submit() tea.Cmd {
	f := m.form
	f.tried = true
	for i := range f.fields {
		if f.problem(i) != nil {
			return f.focusOn(i)
		}
	}
	var (
		a  adminAction
		do func(context.Context) error
	)
	switch f.kind {
	case formCreate:
		a, do = m.createAction(f)
	case formPartitions:
		total, _ := strconv.Atoi(f.value(0))
		a = adminAction{kind: f.kind, topic: f.topic, busy: fmt.Sprintf("adding partitions to %s…", f.topic),
			done: fmt.Sprintf("✓ %s now has %d partitions", f.topic, total)}
		l, topic := m.lister, f.topic
		do = func(ctx context.Context) error { return l.AddPartitions(ctx, topic, total) }
	case formConfig:
		a, do = m.configAction(f)
	case formDelete:
		a = adminAction{kind: f.kind, topic: f.topic, busy: fmt.Sprintf("deleting topic %s…", f.topic),
			done: fmt.Sprintf("✓ deleted topic %s", f.topic)}
		l, topic := m.lister, f.topic
		do = func(ctx context.Context) error { return l.DeleteTopic(ctx, topic) }
	}
	m.form = nil
	m.busy, m.busyText = true, a.busy
	m.setNote(a.busy, noteInfo)
	return adminCmd(a, do)
}

func (m *Model) createAction(f *form) (adminAction, func(context.Context) error) {
	name := f.value(0)
	parts, _ := strconv.ParseInt(f.value(f.fieldByLabel(labelPartitions)), 10, 32)
	repl := int64(-1)
	if i := f.fieldByLabel(labelReplication); i >= 0 {
		repl, _ = strconv.ParseInt(f.value(i), 10, 16)
	}
	configs := map[string]*string{}
	for i := range f.fields {
		if v := f.value(i); isConfigLabel(f.fields[i].label) && v != "" {
			configs[f.fields[i].label] = &v
		}
	}
	a := adminAction{kind: formCreate, topic: name, busy: fmt.Sprintf("creating topic %s…", name),
		done: fmt.Sprintf("✓ created topic %s with %d partitions", name, parts)}
	l := m.lister
	return a, func(ctx context.Context) error {
		return l.CreateTopic(ctx, name, int32(parts), int16(repl), configs)
	}
}

func (m *Model) configAction(f *form) (adminAction, func(context.Context) error) {
	name, value := f.config, f.value(f.fieldByLabel(labelValue))
	if name == "" {
		name = f.value(f.fieldByLabel(labelConfig))
	}
	l, topic := m.lister, f.topic
	if value == "" {
		a := adminAction{kind: formConfig, topic: topic, busy: fmt.Sprintf("resetting %s on %s…", name, topic),
			done: fmt.Sprintf("✓ %s on %s is back to the cluster default", name, topic)}
		return a, func(ctx context.Context) error { return l.ResetTopicConfig(ctx, topic, name) }
	}
	a := adminAction{kind: formConfig, topic: topic, busy: fmt.Sprintf("setting %s on %s…", name, topic),
		done: fmt.Sprintf("✓ set %s=%s on %s", name, value, topic)}
	return a, func(ctx context.Context) error { return l.SetTopicConfig(ctx, topic, name, value) }
}

// adminDone shows the outcome of an admin call. A success reloads the
// list (and the open detail); a failure also goes to the App, which keeps
// it in the status line and explains IAM refusals.
func (m *Model) adminDone(msg adminDoneMsg) tea.Cmd {
	m.busy, m.busyText = false, ""
	a := msg.action
	if msg.err != nil {
		m.setNote("✗ "+msg.err.Error(), noteErr)
		return common.Failed(msg.err)
	}
	m.setNote(a.done, noteOK)
	var cmds []tea.Cmd
	switch a.kind {
	case formCreate:
		m.selected = a.topic
		if q := strings.ToLower(m.filter.Value()); q != "" && !strings.Contains(strings.ToLower(a.topic), q) {
			m.filter.SetValue("") // the filter would hide the new topic
		}
	case formDelete:
		if m.detailOpen && m.detailTopic == a.topic {
			m.detailOpen = false
		}
		if m.selected == a.topic {
			m.selected = m.neighbour(a.topic)
		}
	default:
		if m.detailOpen && m.detailTopic == a.topic {
			m.detailGen++
			cmds = append(cmds, describeCmd(m.lister, m.detailGen, a.topic))
		}
	}
	return tea.Batch(append(cmds, m.reload(true))...)
}

// neighbour is the row to select once topic is gone: the next one, or the
// one before when it was the last.
func (m *Model) neighbour(topic string) string {
	for i, t := range m.visible {
		if t.Name != topic {
			continue
		}
		switch {
		case i+1 < len(m.visible):
			return m.visible[i+1].Name
		case i > 0:
			return m.visible[i-1].Name
		}
	}
	return ""
}

// Field labels; the config fields are labelled with the config's name.
const (
	labelName        = "Name"
	labelPartitions  = "Partitions"
	labelReplication = "Replication"
	labelConfig      = "Config"
	labelValue       = "Value"
	labelNewTotal    = "New total"
	labelConfirm     = "Confirm"
)

// createConfigs are the configs the create form offers, with their hints.
var createConfigs = []struct{ name, hint string }{
	{"retention.ms", "how long records are kept, in ms; -1 keeps them forever"},
	{"cleanup.policy", "delete, compact or compact,delete"},
	{"min.insync.replicas", "replicas that must have a write for acks=all to succeed"},
}

func isConfigLabel(l string) bool {
	for _, c := range createConfigs {
		if c.name == l {
			return true
		}
	}
	return false
}

func (m *Model) createForm() *form {
	f := &form{kind: formCreate, title: "New topic", verb: "create"}
	name := f.addField(m.c, labelName, "(required)", "", "letters, digits, '.', '_' and '-', up to 249", checkName)
	name.raw = true
	f.addField(m.c, labelPartitions, "3", "3", "how many; more can be added later, never fewer", checkPartitions)
	if !m.serverless {
		f.addField(m.c, labelReplication, "-1", "-1", "copies of each partition; -1 is the cluster's default", checkReplication)
	}
	for _, c := range createConfigs {
		f.addField(m.c, c.name, "(cluster default)", "", c.hint+"; empty: the cluster default", checkConfig(c.name))
	}
	if m.serverless {
		f.intro = []string{"MSK Serverless sets the replication factor itself."}
	}
	return f
}

func (m *Model) partitionsForm(topic string, current int) *form {
	f := &form{kind: formPartitions, topic: topic, current: current, title: "Add partitions to " + topic, verb: "add"}
	now := "Kafka cannot remove partitions, and keys may map to other partitions afterwards."
	if current > 0 {
		now = fmt.Sprintf("%s has %d partitions now. ", topic, current) + now
	}
	f.intro = []string{now}
	placeholder := "(the new partition count)"
	if current > 0 {
		placeholder = fmt.Sprintf("(more than %d)", current)
	}
	f.addField(m.c, labelNewTotal, placeholder, "", "the partition count the topic should have", checkTotal)
	return f
}

// configForm edits one config of topic: the one given, from a config row
// of the detail, or one whose name is typed.
func (m *Model) configForm(topic string, c *kafka.ConfigEntry) *form {
	f := &form{kind: formConfig, topic: topic, title: "Edit a config of " + topic, verb: "apply"}
	hint := "the new value; empty resets it to the cluster default"
	if c == nil {
		f.addField(m.c, labelConfig, "(e.g. retention.ms)", "", "the config's name", checkConfigName)
		f.addField(m.c, labelValue, "(empty: the cluster default)", "", hint, checkConfigValue)
		return f
	}
	f.config = c.Name
	f.title = fmt.Sprintf("Edit %s of %s", c.Name, topic)
	value, placeholder := "", "(empty: the cluster default)"
	switch {
	case c.Sensitive:
		f.intro = []string{c.Name + " is sensitive: its value is not shown."}
	case c.Source == "DEFAULT_CONFIG":
		f.intro = []string{fmt.Sprintf("%s is the default, %s.", c.Name, kafka.Sanitize([]byte(c.Value)))}
		placeholder = "(default: " + kafka.Sanitize([]byte(c.Value)) + ")"
	default:
		f.intro = []string{fmt.Sprintf("%s is %s (%s).", c.Name, kafka.Sanitize([]byte(c.Value)), strings.ToLower(c.Source))}
		value = c.Value
		if kafka.Sanitize([]byte(value)) != value {
			value = "" // not text a field can hold and give back unchanged
		}
	}
	f.addField(m.c, labelValue, placeholder, value, hint, checkConfigValue)
	return f
}

func (m *Model) deleteForm(topic string, msgs int64) *form {
	f := &form{kind: formDelete, topic: topic, warn: true, title: "Delete topic " + topic, verb: "delete"}
	what := "and every record in it"
	if msgs >= 0 {
		what = fmt.Sprintf("and its %d records", msgs)
	}
	f.intro = []string{
		fmt.Sprintf("⚠ This deletes %s %s for good: there is no undo.", topic, what),
		"Type the topic's name to confirm.",
	}
	c := f.addField(m.c, labelConfirm, "(type "+topic+")", "", "", checkConfirm)
	c.raw, c.onSubmit = true, true
	return f
}

// detailConfig is the config on the detail's cursor row, or nil.
func (m *Model) detailConfig() *kafka.ConfigEntry {
	rows := m.detailRows()
	if m.detailCur < 0 || m.detailCur >= len(rows) {
		return nil
	}
	return rows[m.detailCur].config
}

// The fields' checks: one sentence each, naming what to write.

func checkName(_ *form, v string) error { return kafka.ValidateTopicName(v) }

func checkPartitions(_ *form, v string) error {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a partition count: write a whole number from 1", v)
	}
	return nil
}

func checkReplication(_ *form, v string) error {
	n, err := strconv.ParseInt(v, 10, 16)
	if err != nil || n < 1 && n != -1 {
		return fmt.Errorf("%q is not a replication factor: write -1 for the cluster default, or 1 or more", v)
	}
	return nil
}

// checkConfig checks a create form's config field: empty is the default.
func checkConfig(name string) func(*form, string) error {
	return func(_ *form, v string) error {
		if v == "" {
			return nil
		}
		return kafka.ValidateTopicConfig(name, v)
	}
}

func checkConfigName(_ *form, v string) error {
	switch {
	case v == "":
		return errors.New("write the config's name, e.g. retention.ms")
	case strings.ContainsAny(v, " \t="):
		return fmt.Errorf("%q is not a config name: write the name alone, e.g. retention.ms", v)
	}
	return nil
}

// checkConfigValue checks the edit form's value against the config being
// edited: the one of the row, or the one typed.
func checkConfigValue(f *form, v string) error {
	if v == "" {
		return nil
	}
	name := f.config
	if name == "" {
		name = f.value(f.fieldByLabel(labelConfig))
	}
	if name == "" {
		return nil // the name field says what is missing
	}
	return kafka.ValidateTopicConfig(name, v)
}

func checkTotal(f *form, v string) error {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 1:
		return fmt.Errorf("%q is not a partition count: write a whole number", v)
	case f.current > 0 && n <= f.current:
		return fmt.Errorf("%s has %d partitions: write more than %d, since Kafka cannot remove partitions", f.topic, f.current, f.current)
	}
	return nil
}

func checkConfirm(f *form, v string) error {
	if v != f.topic {
		return fmt.Errorf("that is not the topic's name: type %s exactly to delete it, or esc to keep it", f.topic)
	}
	return nil
}
