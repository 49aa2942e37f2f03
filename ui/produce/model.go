// Package produce is the producer form: compose a record (topic, key,
// headers, partition, repeat count, value), send it, and watch each
// delivery arrive in a list under or beside the form.
//
// The form has two modes. While editing, a field has the keyboard: letters
// are text, tab and shift+tab move between fields and esc leaves them;
// Editing reports true so that the App hands the pane every key but ctrl+c.
// While browsing, the App's keys work as everywhere, enter or i goes back
// into the fields and the arrows scroll the deliveries. ctrl+s sends in both.
package produce

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// The form's fields, in tab order.
const (
	fieldTopic = iota
	fieldKey
	fieldHeaders
	fieldPartition
	fieldRepeat
	fieldValue
	fieldCount
)

var _ common.Component = (*Model)(nil)

var fieldNames = [fieldCount]string{"Topic", "Key", "Headers", "Partition", "Repeat", "Value"}

// maxDeliveries is how many sends the list keeps. Older ones drop off the
// list but still count in its summary.
const maxDeliveries = 500

type deliveryState int

const (
	statePending deliveryState = iota
	stateAcked
	stateFailed
)

// entry is one record in the delivery list.
type entry struct {
	id    int
	topic string
	key   string // a sanitised preview
	state deliveryState
	d     kafka.Delivery
}

// held is a field's content that is not editable text (binary, control
// characters, tabs): it is shown as a note and sent byte for byte, so that
// resending a record from the tail does not quietly change it.
type held struct {
	bytes   []byte
	headers []kgo.RecordHeader
}

// Model is the produce pane.
type Model struct {
	c    common.Common
	keys KeyMap
	out  *outbox

	width, height int
	focused       bool
	editing       bool
	field         int

	topic, key, partition, repeat textinput.Model
	headers, value                textarea.Model
	held                          [fieldCount]*held
	defaultTopic                  string

	// Derived from the fields after every edit; View reads only these.
	problems  [fieldCount][]string
	jsonOK    bool
	jsonHint  string
	notice    string
	noticeErr bool
	// readOnly refuses every send: the session was started read-only.
	readOnly bool

	entries             []entry // in ID order, IDs contiguous
	nextID              int
	scroll              int // rows scrolled from the newest
	sent, acked, failed int
}

// New returns the produce pane sending through p.
func New(c common.Common, p Producer) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), out: &outbox{p: p}, nextID: 1}
	// Placeholders are in parentheses: in a terminal without colour they
	// must not pass for content.
	m.topic = common.NewInput(c, "", "(required)")
	m.key = common.NewInput(c, "", "(none) · {{i}} is the record's number")
	m.partition = common.NewInput(c, "", "auto")
	m.partition.SetValue("auto")
	m.repeat = common.NewInput(c, "", "1")
	m.repeat.SetValue("1")
	// Line numbers are what bad header lines and JSON errors refer to.
	m.headers = newArea(c, "(none) · one key=value a line", headersMaxLines)
	m.value = newArea(c, "(empty) · {{i}} is the record's number", valueMaxLines)
	m.checkAll()
	return m
}

// newArea returns a multi-line field; maxLines bounds typed newlines and
// sets the width of the line numbers.
func newArea(c common.Common, placeholder string, maxLines int) textarea.Model {
	s := c.Styles
	ta := textarea.New()
	ta.Prompt = ""
	ta.Placeholder = placeholder
	ta.ShowLineNumbers = true
	ta.MaxHeight = maxLines
	st := textarea.StyleState{Base: lipgloss.NewStyle(), Text: s.Text, LineNumber: s.Muted, CursorLineNumber: s.Text,
		CursorLine: s.Text, EndOfBuffer: s.Muted, Placeholder: s.Muted, Prompt: s.Muted, Selection: s.Selected}
	blurred := st
	blurred.CursorLineNumber = s.Muted
	ta.SetStyles(textarea.Styles{Focused: st, Blurred: blurred, Cursor: textarea.CursorStyle{Color: s.Selected.GetForeground(), Shape: tea.CursorBlock}})
	return ta
}

// readOnlyNotice is why a read-only form does not send.
const readOnlyNotice = "✗ read-only: producing is disabled (started with --read-only or read_only in the config file)"

// SetReadOnly makes the form refuse to send, saying why; the fields stay
// editable so that a record can still be looked at and copied.
func (m *Model) SetReadOnly(ro bool) {
	m.readOnly = ro
	if ro {
		m.notice, m.noticeErr = readOnlyNotice, true
	}
}

// Init does nothing: the form waits for a person.
func (m *Model) Init() tea.Cmd { return nil }

// Editing reports whether a field has the keyboard. While it does, the App
// should pass every key but ctrl+c to the pane: tab, q and digits are
// text or field moves then, and esc is how the person gets out.
func (m *Model) Editing() bool { return m.editing }

// SetTopic makes topic the default: it fills the topic field unless the
// person has typed another topic there, so that following the tail from
// topic to topic does not overwrite a deliberate choice.
func (m *Model) SetTopic(topic string) {
	if cur := m.topic.Value(); cur == "" || cur == m.defaultTopic {
		m.topic.SetValue(topic)
		m.topic.CursorEnd()
		m.check(fieldTopic)
	}
	m.defaultTopic = topic
}

// Fill puts a record into the form to edit and resend (the tail's "send to
// producer"). Fields hold the real bytes as text when that is exact; a key,
// headers or value that text fields would alter (binary, control
// characters, tabs, CRs) is kept as it is and sent unchanged, with a note
// saying it cannot be edited as text. A nil or empty key both mean no key;
// partition is kafka.AnyPartition for auto. The repeat count goes back to 1.
func (m *Model) Fill(topic string, key []byte, headers []kgo.RecordHeader, value []byte, partition int32) {
	m.held = [fieldCount]*held{}
	m.topic.SetValue(topic)
	m.topic.CursorEnd()
	m.setBytes(fieldKey, key)
	if text, ok := headersText(headers); ok {
		m.setText(fieldHeaders, text)
	} else {
		hs := make([]kgo.RecordHeader, len(headers))
		for i, h := range headers {
			hs[i] = kgo.RecordHeader{Key: h.Key, Value: slices.Clone(h.Value)}
		}
		m.held[fieldHeaders] = &held{headers: hs}
		m.setText(fieldHeaders, "")
	}
	m.setBytes(fieldValue, value)
	m.partition.SetValue(partitionText(partition))
	m.repeat.SetValue("1")
	m.notice, m.noticeErr = "filled from a record: edit it, then ctrl+s sends", false
	m.checkAll()
	m.focusField(fieldValue)
}

// setBytes puts b into a key or value field as text, or holds it.
func (m *Model) setBytes(f int, b []byte) {
	if editable(b, f == fieldValue) {
		m.setText(f, string(b))
		return
	}
	m.held[f] = &held{bytes: slices.Clone(b)}
	m.setText(f, "")
}

func (m *Model) setText(f int, s string) {
	switch f {
	case fieldKey:
		m.key.SetValue(s)
		m.key.CursorEnd()
	case fieldHeaders:
		m.headers.SetValue(s)
		m.headers.MoveToBegin()
	case fieldValue:
		m.value.SetValue(s)
		m.value.MoveToBegin() // a long value shows from its start
	}
}

// Update handles deliveries whether or not the pane is focused, and keys
// when it is.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case DeliveredMsg:
		m.delivered(msg)
		return nil
	case tea.KeyPressMsg:
		if !m.focused {
			return nil
		}
		return m.handleKey(msg)
	}
	// Pastes and the fields' own messages, such as a clipboard read.
	if m.editing && m.held[m.field] == nil {
		cmd := m.updateField(msg)
		m.check(m.field)
		return cmd
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.Send) {
		return m.send()
	}
	if m.editing {
		return m.handleEditKey(msg)
	}
	switch {
	case key.Matches(msg, k.Edit):
		m.editing = true
		return m.focusField(m.field)
	case key.Matches(msg, k.Older):
		m.scrollBy(1)
	case key.Matches(msg, k.Newer):
		m.scrollBy(-1)
	case key.Matches(msg, k.Top):
		m.scroll = 0
	}
	return nil
}

func (m *Model) handleEditKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Leave):
		m.editing = false
		m.blurFields()
		return nil
	case key.Matches(msg, k.NextField):
		return m.focusField((m.field + 1) % fieldCount)
	case key.Matches(msg, k.PrevField):
		return m.focusField((m.field + fieldCount - 1) % fieldCount)
	case m.held[m.field] != nil:
		return m.handleHeldKey(msg)
	case key.Matches(msg, k.Accept) && m.field != fieldHeaders && m.field != fieldValue:
		return m.focusField(m.field + 1)
	}
	m.notice = ""
	cmd := m.updateField(msg)
	m.check(m.field)
	return cmd
}

// handleHeldKey lets a person drop held bytes, or trade them for an
// editable copy in which escapes such as \x00 are literal text.
func (m *Model) handleHeldKey(msg tea.KeyPressMsg) tea.Cmd {
	h := m.held[m.field]
	switch {
	case key.Matches(msg, m.keys.Discard):
		m.setText(m.field, "")
	case key.Matches(msg, m.keys.AsText):
		switch m.field {
		case fieldHeaders:
			m.setText(m.field, headersAsText(h.headers))
		case fieldValue:
			m.setText(m.field, kafka.SanitizeBlock(h.bytes))
		default:
			m.setText(m.field, kafka.Sanitize(h.bytes))
		}
	default:
		return nil
	}
	m.held[m.field] = nil
	m.notice = ""
	m.check(m.field)
	return m.focusField(m.field)
}

// updateField hands msg to the focused field.
func (m *Model) updateField(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.field {
	case fieldTopic:
		m.topic, cmd = m.topic.Update(msg)
	case fieldKey:
		m.key, cmd = m.key.Update(msg)
	case fieldHeaders:
		m.headers, cmd = m.headers.Update(msg)
	case fieldPartition:
		m.partition, cmd = m.partition.Update(msg)
	case fieldRepeat:
		m.repeat, cmd = m.repeat.Update(msg)
	case fieldValue:
		m.value, cmd = m.value.Update(msg)
	}
	return cmd
}

// focusField moves the form's cursor to f, giving it the keyboard while
// editing. A held field keeps its widget blurred: it cannot take text.
func (m *Model) focusField(f int) tea.Cmd {
	m.blurFields()
	m.field = f
	if !m.editing || m.held[f] != nil {
		return nil
	}
	switch f {
	case fieldTopic:
		return m.topic.Focus()
	case fieldKey:
		return m.key.Focus()
	case fieldHeaders:
		return m.headers.Focus()
	case fieldPartition:
		return m.partition.Focus()
	case fieldRepeat:
		return m.repeat.Focus()
	default:
		return m.value.Focus()
	}
}

func (m *Model) blurFields() {
	m.topic.Blur()
	m.key.Blur()
	m.headers.Blur()
	m.partition.Blur()
	m.repeat.Blur()
	m.value.Blur()
}

// check re-derives what View says about field f.
func (m *Model) check(f int) {
	var errs []string
	add := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	switch f {
	case fieldTopic:
		add(checkTopic(m.topic.Value()))
	case fieldHeaders:
		if m.held[f] == nil {
			_, errs = parseHeaders(m.headers.Value())
		}
	case fieldPartition:
		_, err := parsePartition(m.partition.Value())
		add(err)
	case fieldRepeat:
		_, err := parseRepeat(m.repeat.Value())
		add(err)
	case fieldValue:
		if h := m.held[f]; h != nil {
			m.jsonOK, m.jsonHint = false, "binary: sent as it is"
		} else {
			m.jsonOK, m.jsonHint = jsonHint([]byte(m.value.Value()))
		}
	}
	m.problems[f] = errs
}

func (m *Model) checkAll() {
	for f := range fieldCount {
		m.check(f)
	}
}

// allProblems lists what keeps the form from sending, starting with the
// field the cursor is on: a narrow screen may show only the first.
func (m *Model) allProblems() []string {
	var all []string
	for i := range fieldCount {
		all = append(all, m.problems[(m.field+i)%fieldCount]...)
	}
	return all
}

// send turns the form into a batch of records and returns the Cmds that
// produce them. The list shows each record as queued at once.
func (m *Model) send() tea.Cmd {
	if m.readOnly {
		m.notice, m.noticeErr = readOnlyNotice, true
		return nil
	}
	if errs := m.allProblems(); len(errs) > 0 {
		m.notice, m.noticeErr = "✗ not sent: "+strings.Join(errs, "; "), true
		return nil
	}
	b := m.batch()
	for i := range b.n {
		key := "-"
		if b.key != nil {
			k := b.key[:min(len(b.key), 256)] // a preview needs no more
			if !b.literalKey {
				k = expand(k, i+1)
			}
			key = kafka.Preview(k, 40)
		}
		m.entries = append(m.entries, entry{id: m.nextID + i, topic: b.topic, key: key})
	}
	if len(m.entries) > 2*maxDeliveries { // trimmed in bulk so sends stay cheap
		m.entries = slices.Clone(m.entries[len(m.entries)-maxDeliveries:])
	}
	m.nextID += b.n
	m.sent += b.n
	m.scroll = 0
	if b.n == 1 {
		m.notice = fmt.Sprintf("→ sending #%d to %s", b.firstID, b.topic)
	} else {
		m.notice = fmt.Sprintf("→ sending %d records to %s, #%d to #%d", b.n, b.topic, b.firstID, b.firstID+b.n-1)
	}
	m.noticeErr = false
	return tea.Batch(m.out.sendCmds(b)...)
}

// batch copies what the fields hold; the form must be free of problems.
func (m *Model) batch() batch {
	b := batch{topic: m.topic.Value(), firstID: m.nextID}
	b.partition, _ = parsePartition(m.partition.Value())
	b.n, _ = parseRepeat(m.repeat.Value())
	if h := m.held[fieldKey]; h != nil {
		b.key, b.literalKey = h.bytes, true // never changed once held
	} else if k := m.key.Value(); k != "" {
		b.key = []byte(k)
	}
	if h := m.held[fieldHeaders]; h != nil {
		b.headers = h.headers
	} else {
		b.headers, _ = parseHeaders(m.headers.Value())
	}
	if h := m.held[fieldValue]; h != nil {
		b.value, b.literalValue = h.bytes, true
	} else {
		b.value = []byte(m.value.Value())
	}
	return b
}

// delivered records a delivery. Its entry may have dropped off the list;
// the summary counts it all the same.
func (m *Model) delivered(msg DeliveredMsg) {
	var e *entry
	if len(m.entries) > 0 {
		if i := msg.ID - m.entries[0].id; i >= 0 && i < len(m.entries) {
			e = &m.entries[i]
		}
	}
	if e != nil && e.state != statePending {
		return // told twice
	}
	st := stateAcked
	if msg.Delivery.Err != nil {
		st = stateFailed
		m.failed++
	} else {
		m.acked++
	}
	if e != nil {
		e.state, e.d = st, msg.Delivery
	}
}

// shown are the entries the list can show: the newest maxDeliveries.
func (m *Model) shown() []entry {
	return m.entries[max(len(m.entries)-maxDeliveries, 0):]
}

func (m *Model) scrollBy(d int) {
	m.scroll = min(max(m.scroll+d, 0), max(len(m.shown())-m.layout().listRows, 0))
}

// SetSize sets the pane's box and sizes the fields to it.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	l := m.layout()
	fw := l.fieldW()
	m.topic.SetWidth(fw - 1) // the cursor takes a cell past the text
	m.key.SetWidth(fw - 1)
	pw, rw := l.pairW()
	m.partition.SetWidth(pw - 1)
	m.repeat.SetWidth(rw - 1)
	m.headers.SetWidth(fw)
	m.headers.SetHeight(l.headersH)
	m.value.SetWidth(fw)
	m.value.SetHeight(l.valueH)
	m.scrollBy(0)
}

// Focus gives the pane the keyboard. It does not enter the fields: tab
// must still reach the App so that passing through the pane is not a trap.
func (m *Model) Focus() tea.Cmd {
	m.focused = true
	return nil
}

// Blur takes the keyboard away and leaves the fields.
func (m *Model) Blur() {
	m.focused = false
	m.editing = false
	m.blurFields()
}

// ShortHelp lists the keys shown in the footer; they follow the mode.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.editing && m.held[m.field] != nil:
		return []key.Binding{k.Send, k.Discard, k.AsText, k.NextField, k.Leave}
	case m.editing:
		return []key.Binding{k.Send, k.NextField, k.PrevField, k.Leave}
	}
	return []key.Binding{k.Edit, k.Send, k.Older, k.Newer}
}

// FullHelp lists every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Edit, k.Send, k.Older, k.Newer, k.Top},
		{k.NextField, k.PrevField, k.Accept, k.Leave},
		{k.Discard, k.AsText},
	}
}
