package tail

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// typeText sends each rune of s as a key press.
func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(press(string(r)))
	}
}

// plain is the view without styles, for text that a style may split.
func plain(m *Model) string { return ansi.Strip(m.View()) }

// run runs what a key returned, as the App would; closing the old tail is
// one such command, and it must not be left for the cleanup to find.
func run(cmd tea.Cmd) {
	if cmd != nil {
		cmd()
	}
}

// produceParts writes n records to each of parts partitions of t3, valued
// p<partition>-v<i>.
func produceParts(t *testing.T, s *kafka.Session, parts int32, n int) {
	t.Helper()
	for p := range parts {
		for i := range n {
			m := kafka.Message{Topic: "t3", Partition: p, Value: fmt.Appendf(nil, "p%d-v%d", p, i)}
			if d := s.ProduceSync(context.Background(), m); d.Err != nil {
				t.Fatal(d.Err)
			}
		}
	}
}

func TestStartPromptReopensFromLastN(t *testing.T) {
	m, s := setupWith(t, kafkatest.Topics(3, "t3"), 100)
	m.SetSize(80, 20) // 17 record rows: all 15 records fit
	m.Open("t3")
	produceParts(t, s, 3, 5)
	frameUntil(t, m, "15 received")
	m.Update(press("o"))
	if !m.Prompting() || !strings.Contains(plain(m), "start at:") {
		t.Fatalf("o should open the start prompt:\n%s", m.View())
	}
	typeText(m, "-3")
	run(m.Update(press("enter")))
	if m.Prompting() {
		t.Fatalf("a valid start should close the prompt:\n%s", m.View())
	}
	v := frameUntil(t, m, "9 received")
	if !strings.Contains(lineWith(v, "▶ t3"), "from -3 · all partitions") {
		t.Errorf("header should say the start and partitions in use:\n%s", v)
	}
	for p := range 3 {
		for i := range 5 {
			want := fmt.Sprintf("p%d-v%d", p, i)
			if shown := strings.Contains(v, want); shown != (i >= 2) {
				t.Errorf("%s shown: %v, want only the last 3 of each partition:\n%s", want, shown, v)
			}
		}
	}
}

func TestStartPromptRejectsBadValue(t *testing.T) {
	m, s := setup(t)
	m.Open("t")
	produce(t, s, 0, 3)
	frameUntil(t, m, "value-2")
	m.Update(press("o"))
	typeText(m, "bogus")
	run(m.Update(press("enter")))
	v := plain(m)
	if !m.Prompting() || !strings.Contains(v, "start at: bogus") || !strings.Contains(v, `✗ offset "bogus" is not valid: use beginning, end`) {
		t.Fatalf("a bad start should keep the prompt open and say why:\n%s", v)
	}
	if !strings.Contains(v, "value-2") || len(strings.Split(v, "\n")) != 10 {
		t.Errorf("the records should stay on screen within the pane's 10 lines:\n%s", v)
	}
	m.Update(press("x"))
	if strings.Contains(m.View(), "not valid") {
		t.Errorf("editing should drop the old explanation:\n%s", m.View())
	}
	m.Update(press("esc"))
	if v := m.View(); m.Prompting() || strings.Contains(v, "start at:") || !strings.Contains(v, "from beginning") {
		t.Errorf("esc should cancel and keep the start:\n%s", v)
	}
}

func TestPartitionsPromptReadsChosenPartitions(t *testing.T) {
	m, s := setupWith(t, kafkatest.Topics(3, "t3"), 100)
	m.SetSize(80, 20)
	m.Open("t3")
	produceParts(t, s, 3, 2)
	frameUntil(t, m, "6 received")

	m.Update(press("p"))
	typeText(m, "1,x")
	run(m.Update(press("enter")))
	if v := m.View(); !m.Prompting() || !strings.Contains(v, `✗ partition "x" is not valid`) {
		t.Fatalf("a bad list should keep the prompt open and say why:\n%s", v)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	run(m.Update(press("enter")))
	v := frameUntil(t, m, "2 received")
	if strings.Contains(v, "p0-") || strings.Contains(v, "p2-") || !strings.Contains(v, "p1-v0") || !strings.Contains(v, "p1-v1") {
		t.Errorf("only partition 1 should be read:\n%s", v)
	}
	if !strings.Contains(v, "from beginning · partitions 1 ·") || !strings.Contains(v, "offset/high: p1 2/2") || strings.Contains(v, "p0 ") {
		t.Errorf("header and partition line should say partition 1:\n%s", v)
	}

	m.Update(press("p"))
	typeText(m, "7")
	run(m.Update(press("enter")))
	frameUntil(t, m, "✗ stopped: topic t3 has no partition 7")

	m.Update(press("p"))
	typeText(m, "all")
	run(m.Update(press("enter")))
	frameUntil(t, m, "6 received")
	if v := m.View(); !strings.Contains(v, "all partitions") {
		t.Errorf("all should read every partition:\n%s", v)
	}
}

func TestParsePartitions(t *testing.T) {
	for in, want := range map[string]string{"all": "all", " ALL ": "all", "5, 0,2,0": "0,2,5", "3": "3"} {
		got, err := parsePartitions(in)
		if err != nil || partitionsText(got) != want {
			t.Errorf("parsePartitions(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"-1", "0,,2", "a", "1.5", "99999999999"} {
		if _, err := parsePartitions(in); err == nil {
			t.Errorf("parsePartitions(%q) should fail", in)
		}
	}
}
