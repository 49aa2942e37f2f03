package tail

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/ui/common"
)

func send(t *testing.T, s *kafka.Session, key, value string, headers ...kgo.RecordHeader) {
	t.Helper()
	m := kafka.Message{Topic: "t", Partition: 0, Key: []byte(key), Value: []byte(value), Headers: headers}
	if d := s.ProduceSync(context.Background(), m); d.Err != nil {
		t.Fatal(d.Err)
	}
}

// filterBy sets the filter as a user would and draws one frame.
func filterBy(m *Model, text string) string {
	m.Update(press("/"))
	typeText(m, text)
	m.Update(press("enter"))
	m.Update(FrameMsg{})
	return plain(m)
}

func TestFilterOnKeyValueAndHeaders(t *testing.T) {
	m, s := setup(t)
	m.Open("t")
	send(t, s, "Order-12", "created")
	send(t, s, "other", `{"status":"SHIPPED"}`)
	send(t, s, "x", "plain", kgo.RecordHeader{Key: "trace", Value: []byte("ABC-777")})
	send(t, s, "y", "esc \x1b[31mred")
	send(t, s, "z", "nothing here")
	frameUntil(t, m, "5 received")

	for _, c := range []struct{ filter, want string }{
		{"order-12", "created"},     // key, other case
		{"shipped", "SHIPPED"},      // value, other case
		{"abc-777", "plain"},        // header value
		{"TRACE", "plain"},          // header key
		{`\x1b[31m`, `\x1b[31mred`}, // what the screen shows of an escape byte
	} {
		v := filterBy(m, c.filter)
		if m.Prompting() {
			t.Fatalf("enter should apply the filter:\n%s", v)
		}
		if rows := recordLines(v); len(rows) != 1 || !strings.Contains(rows[0], c.want) {
			t.Errorf("filter %q should show only the record with %q:\n%s", c.filter, c.want, v)
		}
		if !strings.Contains(v, fmt.Sprintf("filter '%s': 1 of 5 scanned", c.filter)) {
			t.Errorf("filter %q: header should say what matches of how many:\n%s", c.filter, v)
		}
		m.Update(press("esc"))
		m.Update(FrameMsg{})
		if v := plain(m); len(recordLines(v)) != 5 || strings.Contains(v, "filter '") {
			t.Errorf("esc should clear the filter:\n%s", v)
		}
	}

	// Records that arrive later are tested as they come.
	filterBy(m, "ORDER")
	send(t, s, "order-13", "later")
	v := frameUntil(t, m, "later")
	if rows := recordLines(ansi.Strip(v)); len(rows) != 2 || !strings.Contains(ansi.Strip(v), "filter 'ORDER': 2 of 6 scanned") {
		t.Errorf("a new matching record should join the matches:\n%s", v)
	}

	// esc in the prompt clears the filter too; with no filter it goes back.
	m.Update(press("/"))
	if !m.Prompting() || !strings.Contains(plain(m), "/ORDER") {
		t.Errorf("/ should open the prompt with the filter to refine:\n%s", plain(m))
	}
	m.Update(press("esc"))
	if m.Prompting() || m.filter.on() {
		t.Errorf("esc in the prompt should close it and clear the filter:\n%s", plain(m))
	}
	if cmd := m.Update(press("esc")); cmd == nil {
		t.Error("esc without a filter should ask to go back")
	}
}

var recordTime = regexp.MustCompile(`^..\d\d:\d\d:\d\d\.\d{3} `)

// recordLines are the lines of a view that show a record.
func recordLines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if recordTime.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// A frame tests at most scanMax records, however large the ring: a filter
// that matches nothing must not make every frame read 50,000 records.
func TestFilterFrameIsBounded(t *testing.T) {
	const total = 50000
	m, s := setupWith(t, kafkatest.Topics(1, "t"), total)
	m.Open("t")
	for i := range total {
		s.Produce(context.Background(), kafka.Message{Topic: "t", Partition: 0, Value: fmt.Appendf(nil, "value-%d", i)}, func(d kafka.Delivery) {
			if d.Err != nil {
				t.Error(d.Err)
			}
		})
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	frameUntil(t, m, fmt.Sprintf("%d received", total))
	if m.tail.Len() != total {
		t.Fatalf("ring holds %d records, want %d", m.tail.Len(), total)
	}

	v := filterBy(m, "no such text")
	if m.filter.lastScan != scanMax || !strings.Contains(v, "filter 'no such text': 0 of 5,000 scanned") {
		t.Errorf("the first frame tested %d records, want the newest %d:\n%s", m.filter.lastScan, scanMax, v)
	}
	m.Update(FrameMsg{})
	if m.filter.lastScan != 0 {
		t.Errorf("a frame with nothing new tested %d records", m.filter.lastScan)
	}
	send(t, s, "k", "no such text, found")
	v = frameUntil(t, m, "found")
	if m.filter.lastScan != 1 || !strings.Contains(ansi.Strip(v), "1 of 5,001 scanned") {
		t.Errorf("a frame after one record tested %d records:\n%s", m.filter.lastScan, v)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 5000: "5,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// The footer fits 80 columns with the global keys in every state, and the
// full help shows every key without cutting a column.
func TestHelpFits80Columns(t *testing.T) {
	m, s := setup(t)
	m.Open("t")
	send(t, s, "k", "v")
	frameUntil(t, m, "1 received")
	h := help.New()
	h.SetWidth(80)
	g := common.DefaultGlobalKeyMap()
	check := func(state string) {
		t.Helper()
		short := ansi.Strip(h.ShortHelpView(append(m.ShortHelp(), g.ShortHelp()...)))
		if strings.Contains(short, "…") || !strings.HasSuffix(short, "q quit") {
			t.Errorf("%s: footer cut at 80 columns: %q", state, short)
		}
		if m.Prompting() {
			return // the App shows no global keys while a prompt has the keyboard
		}
		full := ansi.Strip(h.FullHelpView(append(m.FullHelp(), g.FullHelp()...)))
		if strings.Contains(full, "…") {
			t.Errorf("%s: full help cut at 80 columns:\n%s", state, full)
		}
		for _, b := range []key.Binding{m.keys.Start, m.keys.Partitions, m.keys.Filter, m.keys.Clear, g.ForceQuit} {
			if !strings.Contains(full, b.Help().Desc) {
				t.Errorf("%s: full help lacks %q:\n%s", state, b.Help().Desc, full)
			}
		}
	}
	check("plain")
	m.Update(press("o"))
	check("start prompt")
	m.Update(press("esc"))
	filterBy(m, "v")
	check("filtered")
	m.Update(press("/"))
	check("filter prompt")
}
