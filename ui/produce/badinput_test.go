package produce

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/kafka"
)

// refuser is a Producer that must never be asked to send.
type refuser struct{ t *testing.T }

func (r refuser) Produce(_ context.Context, m kafka.Message, _ func(kafka.Delivery)) {
	r.t.Errorf("a form with a bad field sent a record to %s", m.Topic)
}

// fill enters the fields and replaces each one-line field's text, leaving
// the cursor in the value field.
func fill(t *testing.T, m *Model, f form) {
	t.Helper()
	m.Update(press("enter"))
	if !m.Editing() {
		t.Fatal("enter did not enter the fields")
	}
	for i, v := range []string{f.topic, f.key, f.headers, f.partition, f.repeat, f.value} {
		if i != fieldHeaders && i != fieldValue {
			m.Update(press("ctrl+u"))
		}
		typeText(m, v)
		if i < fieldValue {
			m.Update(press("tab"))
		}
	}
}

// Every bad field blocks sending: ctrl+s sends nothing and the form says,
// on one line, which field is wrong and what to write there.
func TestFormRefusesBadInput(t *testing.T) {
	good := form{topic: "orders", partition: "auto", repeat: "1", value: "x"}
	cases := []struct {
		name string
		form func(f *form)
		want string
	}{
		{"repeat 0", func(f *form) { f.repeat = "0" }, `repeat "0": write a count from 1 to 10000`},
		{"repeat -1", func(f *form) { f.repeat = "-1" }, `repeat "-1": write a count from 1 to 10000`},
		{"repeat 1e9", func(f *form) { f.repeat = "1e9" }, `repeat "1e9": write a count`},
		{"repeat 1000000000", func(f *form) { f.repeat = "1000000000" }, `repeat "1000000000": write a count from 1 to 10000`},
		{"repeat abc", func(f *form) { f.repeat = "abc" }, `repeat "abc"`},
		{"repeat empty", func(f *form) { f.repeat = "" }, `repeat "": write a count`},
		{"repeat 2.5", func(f *form) { f.repeat = "2.5" }, `repeat "2.5"`},
		{"partition -5", func(f *form) { f.partition = "-5" }, `partition "-5": write auto or a number from 0`},
		{"partition abc", func(f *form) { f.partition = "abc" }, `partition "abc": write auto or a number from 0`},
		{"partition huge", func(f *form) { f.partition = "99999999999" }, `partition "99999999999"`},
		{"partition 1.5", func(f *form) { f.partition = "1.5" }, `partition "1.5"`},
		{"header without =", func(f *form) { f.headers = "noequals" }, `headers line 1: "noequals" is not key=value`},
		{"header with an empty key", func(f *form) { f.headers = "=v" }, "headers line 1: the key before '=' is empty"},
		{"second header bad", func(f *form) { f.headers = "trace=abc\noops" }, `headers line 2: "oops" is not key=value`},
		{"topic empty", func(f *form) { f.topic = "" }, "topic is empty"},
		{"topic with a space", func(f *form) { f.topic = "my topic" }, `topic "my topic" has ' '`},
		{"topic with a slash", func(f *form) { f.topic = "a/b" }, `has '/'`},
		{"topic too long", func(f *form) { f.topic = strings.Repeat("t", 250) }, "topic name is 250 characters; Kafka allows 249"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newPane(refuser{t}, 200, 40)
			f := good
			tc.form(&f)
			fill(t, m, f)
			if cmd := m.Update(press("ctrl+s")); cmd != nil {
				t.Fatalf("ctrl+s sent with a bad field: %v", run(cmd))
			}
			if !strings.HasPrefix(m.notice, "✗ not sent: ") || !strings.Contains(m.notice, tc.want) || !m.noticeErr {
				t.Errorf("notice %q, want ✗ not sent: ... %q", m.notice, tc.want)
			}
			if strings.ContainsAny(m.notice, "\n\r") {
				t.Errorf("notice is more than one line: %q", m.notice)
			}
			lineWith(t, m.View(), "✗ not sent: ")
			if v := ansi.Strip(m.View()); !strings.Contains(v, "✗") {
				t.Errorf("no field is marked:\n%s", v)
			}
			if m.sent != 0 || len(m.entries) != 0 {
				t.Errorf("the delivery list has %d entries after a refused send", len(m.entries))
			}
		})
	}
}
