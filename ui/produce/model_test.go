package produce

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
	"github.com/mskx/mskx/ui/uitest"
)

// session is a real client on an in-process cluster with a topic "orders"
// of 3 partitions.
func session(t *testing.T) *kafka.Session {
	t.Helper()
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func newPane(p Producer, w, h int) *Model {
	pal, _ := themes.ByName("mono")
	m := New(common.New(pal), p)
	m.SetSize(w, h)
	m.Focus()
	return m
}

var press = uitest.Key

// typeText types s key by key; a newline is the enter key.
func typeText(m *Model, s string) {
	for _, r := range s {
		if r == '\n' {
			m.Update(press("enter"))
			continue
		}
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// form is what a person types; empty fields are left as they are.
type form struct{ topic, key, headers, partition, repeat, value string }

// compose enters the fields and fills them in tab order, leaving the
// cursor in the value field.
func compose(t *testing.T, m *Model, f form) {
	t.Helper()
	m.Update(press("enter"))
	if !m.Editing() {
		t.Fatal("enter did not enter the fields")
	}
	for i, v := range []string{f.topic, f.key, f.headers, f.partition, f.repeat, f.value} {
		if v != "" {
			m.Update(press("ctrl+u")) // clears a one-line field's default
			typeText(m, v)
		}
		if i < fieldValue {
			m.Update(press("tab"))
		}
	}
}

// run executes cmd the way the runtime would, batches included, and
// returns its messages without feeding them back.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, run(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// send presses ctrl+s, runs the Cmds and feeds their deliveries back.
func send(t *testing.T, m *Model) []DeliveredMsg {
	t.Helper()
	cmd := m.Update(press("ctrl+s"))
	if cmd == nil {
		t.Fatalf("ctrl+s sent nothing:\n%s", m.View())
	}
	var ds []DeliveredMsg
	for _, msg := range run(cmd) {
		d, ok := msg.(DeliveredMsg)
		if !ok {
			t.Fatalf("unexpected message %#v", msg)
		}
		ds = append(ds, d)
		m.Update(msg)
	}
	return ds
}

// readBack consumes topic from the beginning to its current end.
func readBack(t *testing.T, s *kafka.Session, topic string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var recs []*kgo.Record
	err := s.Consume(ctx, topic, kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true}, func(r *kgo.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// lineWith returns the view's line holding every part.
func lineWith(t *testing.T, view string, parts ...string) string {
	t.Helper()
	view = ansi.Strip(view)
next:
	for _, ln := range strings.Split(view, "\n") {
		for _, p := range parts {
			if !strings.Contains(ln, p) {
				continue next
			}
		}
		return ln
	}
	t.Fatalf("no line holds %q:\n%s", parts, view)
	return ""
}

func TestRepeatWithIndexMatchesWhatIsRead(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "orders", key: "k-{{i}}", repeat: "3", value: `{"n": {{i}}}`})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "✓ valid JSON") {
		t.Errorf("{{i}} should count as JSON once replaced:\n%s", v)
	}
	ds := send(t, m)
	if len(ds) != 3 {
		t.Fatalf("%d deliveries, want 3", len(ds))
	}
	v := ansi.Strip(m.View())
	recs := readBack(t, s, "orders")
	if len(recs) != 3 {
		t.Fatalf("read %d records, want 3", len(recs))
	}
	for _, r := range recs {
		var i int
		if _, err := fmt.Sscanf(string(r.Key), "k-%d", &i); err != nil {
			t.Fatalf("key %q", r.Key)
		}
		if want := fmt.Sprintf(`{"n": %d}`, i); string(r.Value) != want {
			t.Errorf("value of %s = %q, want %q", r.Key, r.Value, want)
		}
		lineWith(t, v, fmt.Sprintf("#%d orders", i), string(r.Key)+" ", fmt.Sprintf("✓ p%d @ %d ", r.Partition, r.Offset))
		if d := ds[i-1]; d.ID != i || d.Delivery.Partition != r.Partition || d.Delivery.Offset != r.Offset {
			t.Errorf("DeliveredMsg %+v does not match the record read at p%d @ %d", d, r.Partition, r.Offset)
		}
	}
	if !strings.Contains(v, "3 sent · ✓ 3 acked · ✗ 0 failed · … 0 queued") {
		t.Errorf("summary:\n%s", v)
	}
	// Newest first.
	if strings.Index(v, "#3 orders") > strings.Index(v, "#1 orders") {
		t.Errorf("#3 should be above #1:\n%s", v)
	}
}

// The runtime runs a batch's Cmds concurrently, in any order; records must
// still reach the partition in the order they were numbered and sent.
func TestOrderHoldsUnderConcurrentCmds(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "orders", partition: "1", repeat: "20", value: "a{{i}}"})
	cmdA := m.Update(press("ctrl+s"))
	m.Update(press("ctrl+u"))
	typeText(m, "b{{i}}")
	cmdB := m.Update(press("ctrl+s"))
	var cmds []tea.Cmd
	for _, c := range []tea.Cmd{cmdB, cmdA} {
		cmds = append(cmds, c().(tea.BatchMsg)...)
	}
	msgs := make(chan tea.Msg, len(cmds))
	for i := len(cmds) - 1; i >= 0; i-- {
		go func() { msgs <- cmds[i]() }()
	}
	for range cmds {
		m.Update(<-msgs)
	}
	lineWith(t, m.View(), "40 sent · ✓ 40 acked")
	recs := readBack(t, s, "orders")
	if len(recs) != 40 {
		t.Fatalf("read %d records, want 40", len(recs))
	}
	for i, r := range recs {
		want := fmt.Sprintf("a%d", i+1)
		if i >= 20 {
			want = fmt.Sprintf("b%d", i-19)
		}
		if string(r.Value) != want || r.Offset != int64(i) {
			t.Fatalf("record at offset %d = %q, want %q", r.Offset, r.Value, want)
		}
	}
}

func TestFixedPartition(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "orders", partition: "2", value: "hello"})
	send(t, m)
	lineWith(t, m.View(), "#1 orders", "✓ p2 @ 0 ")
	recs := readBack(t, s, "orders")
	if len(recs) != 1 || recs[0].Partition != 2 || string(recs[0].Value) != "hello" || recs[0].Key != nil {
		t.Fatalf("read %+v, want one keyless record in partition 2", recs)
	}
}

func TestBadHeaderLineBlocksSending(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "orders", headers: "trace=abc\noops", value: "x"})
	lineWith(t, m.View(), "Headers  ✗")
	if cmd := m.Update(press("ctrl+s")); cmd != nil {
		t.Fatal("sent with a bad header line")
	}
	lineWith(t, m.View(), `✗ not sent: headers line 2: "oops" is not key=value`)
	for range 3 { // value, repeat, partition, back to headers
		m.Update(press("shift+tab"))
	}
	typeText(m, "=a=b")
	send(t, m)
	lineWith(t, m.View(), "#1 orders", "✓ p")
	recs := readBack(t, s, "orders")
	want := []kgo.RecordHeader{{Key: "trace", Value: []byte("abc")}, {Key: "oops", Value: []byte("a=b")}}
	if len(recs) != 1 || fmt.Sprint(recs[0].Headers) != fmt.Sprint(want) {
		t.Fatalf("read %+v, want headers %v", recs, want)
	}
}

func TestInvalidJSONIsAHintNotABlock(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "orders", value: "{\"a\": 1,\n \"b\" 2}"})
	lineWith(t, m.View(), "not JSON: invalid character '2' after object key at 2:6 (sent as text)")
	send(t, m)
	lineWith(t, m.View(), "#1 orders", "✓ p")
	if recs := readBack(t, s, "orders"); len(recs) != 1 || string(recs[0].Value) != "{\"a\": 1,\n \"b\" 2}" {
		t.Fatalf("read %+v", recs)
	}
}

func TestFailuresShowInWords(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "nope", value: "x"})
	send(t, m)
	lineWith(t, m.View(), "#1 nope", "✗ UNKNOWN_TOPIC_OR_PARTITION")

	m.Update(press("esc"))
	m.Fill("orders", nil, nil, []byte("x"), 9)
	send(t, m)
	v := m.View()
	lineWith(t, v, "#2 orders", "✗ topic orders has no partition 9")
	lineWith(t, v, "2 sent · ✓ 0 acked · ✗ 2 failed")
}

func TestFormStaysUsableWhilePending(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "orders", partition: "0", value: "first"})
	first := m.Update(press("ctrl+s"))
	lineWith(t, m.View(), "#1 orders", "… queued")
	// Still in the value field, with the delivery outstanding.
	typeText(m, " edited")
	if !m.Editing() || !strings.Contains(ansi.Strip(m.View()), "first edited") {
		t.Fatalf("typing after a send did not reach the form:\n%s", m.View())
	}
	second := m.Update(press("ctrl+s"))
	lineWith(t, m.View(), "2 sent · ✓ 0 acked · ✗ 0 failed · … 2 queued")
	for _, msg := range append(run(second), run(first)...) { // answers in any order
		m.Update(msg)
	}
	v := m.View()
	lineWith(t, v, "#1 orders", "✓ p0 @ 0 ")
	lineWith(t, v, "#2 orders", "✓ p0 @ 1 ")
	recs := readBack(t, s, "orders")
	if len(recs) != 2 || string(recs[0].Value) != "first" || string(recs[1].Value) != "first edited" {
		t.Fatalf("each send should carry the form as it was: %v", recs)
	}
}

func TestFillKeepsBytesExact(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	hs := []kgo.RecordHeader{{Key: "trace", Value: []byte("a=b")}}
	m.Fill("orders", []byte("k1"), hs, []byte("{\n  \"a\": 1\n}"), 1)
	v := m.View()
	lineWith(t, v, "Key", "k1")
	lineWith(t, v, "Headers", "trace=a=b")
	lineWith(t, v, "Partition", "1")
	send(t, m)

	bin := []byte{0x00, 0xff, 'a', '\t', 0x1b}
	m.Fill("orders", []byte("k\x1b2"), nil, bin, 1)
	v = m.View()
	lineWith(t, v, "Key", "⚠ binary, 3 bytes")
	lineWith(t, v, "Value", "⚠ binary value, 5 bytes")
	lineWith(t, v, "Key", `k\x1b2`) // escaped, never raw
	send(t, m)
	recs := readBack(t, s, "orders")
	if len(recs) != 2 || string(recs[0].Value) != "{\n  \"a\": 1\n}" || fmt.Sprint(recs[0].Headers) != fmt.Sprint(hs) ||
		string(recs[1].Key) != "k\x1b2" || string(recs[1].Value) != string(bin) || recs[1].Partition != 1 {
		t.Fatalf("read %+v", recs)
	}

	// Held bytes can be cleared, or traded for text with visible escapes.
	m.Update(press("enter")) // into the value field, where Fill left the cursor
	m.Update(press("ctrl+t"))
	lineWith(t, m.View(), "Value", `\x00\xffa`)
	m.Update(press("shift+tab"))
	m.Update(press("shift+tab"))
	m.Update(press("shift+tab"))
	m.Update(press("shift+tab")) // the key field
	m.Update(press("backspace"))
	if strings.Contains(ansi.Strip(m.View()), "binary") {
		t.Errorf("held key not cleared:\n%s", m.View())
	}
}

func TestModesAndKeys(t *testing.T) {
	m := newPane(nil, 80, 22)
	m.Blur()
	m.Focus()
	if m.Editing() {
		t.Fatal("focus alone should not take the App's keys")
	}
	m.Update(press("i"))
	if !m.Editing() {
		t.Fatal("i should enter the fields")
	}
	typeText(m, "q1") // text here, not quit or pane 1
	m.Update(press("tab"))
	typeText(m, "i")
	if m.topic.Value() != "q1" || m.key.Value() != "i" {
		t.Errorf("topic %q key %q", m.topic.Value(), m.key.Value())
	}
	m.Update(press("esc"))
	if m.Editing() {
		t.Fatal("esc should leave the fields")
	}
	typeText(m, "x")
	if m.key.Value() != "i" {
		t.Error("a key outside the fields was typed into one")
	}
	m.Update(press("enter"))
	if !m.Editing() || m.field != fieldKey {
		t.Errorf("enter should go back to the key field (editing %v, field %d)", m.Editing(), m.field)
	}
	m.Blur()
	if m.Editing() {
		t.Error("blur should leave the fields")
	}
	if len(m.ShortHelp()) == 0 || len(m.FullHelp()) == 0 {
		t.Error("no help")
	}
}

func TestSetTopicIsADefault(t *testing.T) {
	m := newPane(nil, 80, 22)
	m.SetTopic("orders")
	m.SetTopic("payments")
	if m.topic.Value() != "payments" {
		t.Fatalf("topic %q, want the tailed topic", m.topic.Value())
	}
	m.Update(press("enter"))
	typeText(m, "-dlq")
	m.SetTopic("logs")
	if m.topic.Value() != "payments-dlq" {
		t.Errorf("a typed topic was replaced by %q", m.topic.Value())
	}
}

func TestListIsBoundedAndFitsAnySize(t *testing.T) {
	m := newPane(nil, 80, 22)
	// The Cmds are never run, so nothing is produced: only the list is
	// under test.
	m.Fill("orders", []byte("k-{{i}}"), nil, []byte("v"), kafka.AnyPartition)
	m.repeat.SetValue("1200")
	m.check(fieldRepeat)
	if cmd := m.Update(press("ctrl+s")); cmd == nil {
		t.Fatal("nothing sent")
	}
	if n := len(m.shown()); n != maxDeliveries {
		t.Errorf("list holds %d, want %d", n, maxDeliveries)
	}
	for range 1000 {
		m.Update(press("j"))
	}
	v := m.View()
	lineWith(t, v, "1200 sent")
	lineWith(t, v, "#701 orders", "k-701")
	m.Update(press("g"))
	lineWith(t, m.View(), "#1200 orders")
	m.Update(press("i"))
	typeText(m, "{{{") // not JSON any more
	m.headers.SetValue("no equals sign\n=v")
	m.check(fieldHeaders)
	for _, sz := range [][2]int{{60, 15}, {60, 12}, {60, 5}, {80, 22}, {119, 40}, {120, 15}, {160, 46}, {250, 80}} {
		m.SetSize(sz[0], sz[1])
		lines := strings.Split(m.View(), "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, ln := range lines {
			if w := ansi.StringWidth(ln); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d wide: %q", sz[0], sz[1], i, w, ansi.Strip(ln))
			}
		}
	}
}

// deliveryList is a form with a known delivery list: sends whose Cmds are
// never run, answered by deliveries made here with fixed latencies.
func deliveryList(w, h int) string {
	m := newPane(nil, w, h)
	m.Fill("orders", []byte("customer-{{i}}"), []kgo.RecordHeader{{Key: "trace-id", Value: []byte("7f3a")}, {Key: "source", Value: []byte("mskx")}},
		[]byte("{\n  \"order_id\": \"ord-{{i}}\",\n  \"total\": 12.50\n}"), kafka.AnyPartition)
	m.repeat.SetValue("3")
	m.check(fieldRepeat)
	m.Update(press("ctrl+s"))
	m.repeat.SetValue("1")
	m.check(fieldRepeat)
	m.partition.SetValue("2")
	m.check(fieldPartition)
	m.Update(press("ctrl+s"))
	m.partition.SetValue("9")
	m.check(fieldPartition)
	m.Update(press("ctrl+s"))
	m.Update(press("ctrl+s"))
	for _, d := range []DeliveredMsg{
		{ID: 1, Delivery: kafka.Delivery{Topic: "orders", Partition: 0, Offset: 1041, Latency: 3100 * time.Microsecond}},
		{ID: 2, Delivery: kafka.Delivery{Topic: "orders", Partition: 1, Offset: 977, Latency: 42 * time.Millisecond}},
		{ID: 3, Delivery: kafka.Delivery{Topic: "orders", Partition: 0, Offset: 1042, Latency: 1250 * time.Millisecond}},
		{ID: 4, Delivery: kafka.Delivery{Topic: "orders", Partition: 2, Offset: 17, Latency: 900 * time.Microsecond}},
		{ID: 5, Delivery: kafka.Delivery{Topic: "orders", Partition: 9, Offset: -1, Err: errors.New("topic orders has no partition 9: it has partitions 0 to 2")}},
	} {
		m.Update(d)
	}
	return ansi.Strip(m.View())
}

func TestDeliveryListGolden80x22(t *testing.T) {
	golden.RequireEqual(t, deliveryList(80, 22))
}

func TestDeliveryListGolden160x46(t *testing.T) {
	golden.RequireEqual(t, deliveryList(160, 46))
}

func TestFieldRules(t *testing.T) {
	hs, errs := parseHeaders("a=1\n\nb==2\n=x\nnope\nc=")
	if fmt.Sprint(hs) != fmt.Sprint([]kgo.RecordHeader{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("=2")}, {Key: "c", Value: []byte("")}}) {
		t.Errorf("headers %v", hs)
	}
	if want := `[headers line 4: the key before '=' is empty headers line 5: "nope" is not key=value]`; fmt.Sprint(errs) != want {
		t.Errorf("errors %v, want %s", errs, want)
	}
	for in, want := range map[string]int32{"auto": kafka.AnyPartition, "": kafka.AnyPartition, "AUTO": kafka.AnyPartition, " 2 ": 2, "0": 0, "-1": -2, "x": -2, "99999999999": -2} {
		got, err := parsePartition(in)
		if err != nil {
			got = -2
		}
		if got != want {
			t.Errorf("partition %q = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[string]int{"1": 1, "10000": 10000, "0": 0, "10001": 0, "": 0, "3x": 0} {
		if got, _ := parseRepeat(in); got != want {
			t.Errorf("repeat %q = %d, want %d", in, got, want)
		}
	}
	for in, want := range map[string]bool{"plain": true, "multi\nline": true, "tab\there": false, "crlf\r\n": false, "esc\x1b[31m": false,
		"bidi\u202e": false, "\xff": false, "repl\ufffd": false, "emoji 👍🏽 ünï": true} {
		if got := editable([]byte(in), true); got != want {
			t.Errorf("editable(%q) = %v", in, got)
		}
	}
	if editable([]byte("a\nb"), false) {
		t.Error("a newline fits a one-line field")
	}
	if _, ok := headersText([]kgo.RecordHeader{{Key: "a=b", Value: []byte("c")}}); ok {
		t.Error("a key with '=' cannot be read back from key=value")
	}
	if err := checkTopic("orders.v2_x-y"); err != nil {
		t.Error(err)
	}
	if err := checkTopic("orders "); err == nil {
		t.Error("a space in a topic name passed")
	}
	if ok, hint := jsonHint([]byte(`{"n": {{i}}}`)); !ok || hint != "✓ valid JSON" {
		t.Errorf("hint %q", hint)
	}
	if _, hint := jsonHint([]byte("{\n  \"a\" 1}")); hint != "not JSON: invalid character '1' after object key at 2:7 (sent as text)" {
		t.Errorf("hint %q", hint)
	}
	if got := string(expand([]byte("k-{{i}}-{{i}}"), 12)); got != "k-12-12" {
		t.Errorf("expand = %q", got)
	}
}

func TestReadOnlyRefusesToSend(t *testing.T) {
	s := session(t)
	m := newPane(s, 80, 22)
	m.SetReadOnly(true)
	compose(t, m, form{topic: "orders", value: "hello"})
	if cmd := m.Update(press("ctrl+s")); cmd != nil {
		t.Fatalf("a read-only form sent: %v", run(cmd))
	}
	lineWith(t, m.View(), "read-only", "--read-only")
	if recs := readBack(t, s, "orders"); len(recs) != 0 {
		t.Fatalf("topic holds %d records after a read-only send", len(recs))
	}
}
