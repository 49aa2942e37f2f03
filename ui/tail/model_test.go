package tail

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
)

func setup(t *testing.T) (*Model, *kafka.Session) {
	t.Helper()
	c := kafkatest.New(t, kafkatest.Topics(1, "t"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	p, _ := themes.ByName("mono")
	m := New(common.New(p), s, kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, RingSize: 100})
	m.SetSize(80, 10) // 7 record rows
	m.Focus()
	t.Cleanup(m.Close)
	return m, s
}

func produce(t *testing.T, s *kafka.Session, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if d := s.ProduceSync(context.Background(), kafka.Message{Topic: "t", Partition: 0, Value: []byte(fmt.Sprintf("value-%d", i))}); d.Err != nil {
			t.Fatal(d.Err)
		}
	}
}

// frameUntil sends frames until the view shows want.
func frameUntil(t *testing.T, m *Model, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m.Update(FrameMsg{})
		if v := m.View(); strings.Contains(v, want) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("view never showed %q:\n%s", want, m.View())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func press(k string) tea.KeyPressMsg {
	switch k {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func TestTailShowsNewestWindow(t *testing.T) {
	m, s := setup(t)
	if v := m.View(); !strings.Contains(v, "No topic open") {
		t.Errorf("before opening:\n%s", v)
	}
	m.Open("t")
	produce(t, s, 0, 20)
	v := frameUntil(t, m, "value-19")
	if strings.Contains(v, "value-12") || !strings.Contains(v, "value-13") {
		t.Errorf("7 rows should show values 13..19:\n%s", v)
	}
	if !strings.Contains(v, "20 received") || !strings.Contains(v, "p0 20/20") {
		t.Errorf("counters:\n%s", v)
	}
}

func TestPauseFreezesScreenNotIngest(t *testing.T) {
	m, s := setup(t)
	m.Open("t")
	produce(t, s, 0, 3)
	frameUntil(t, m, "value-2")
	m.Update(press("space"))
	produce(t, s, 3, 2)
	v := frameUntil(t, m, "5 received")
	if strings.Contains(v, "value-4") || !strings.Contains(v, "⏸ paused") {
		t.Errorf("paused screen moved on or lost its marker:\n%s", v)
	}
	m.Update(press("space"))
	frameUntil(t, m, "value-4")
}

func TestScrollBackAndFollow(t *testing.T) {
	m, s := setup(t)
	m.Open("t")
	produce(t, s, 0, 20)
	frameUntil(t, m, "value-19")
	for i := 0; i < 5; i++ {
		m.Update(press("k"))
	}
	v := m.View()
	if strings.Contains(v, "value-19") || !strings.Contains(v, "value-8") || !strings.Contains(v, "5 back") {
		t.Errorf("5 back should show values 8..14:\n%s", v)
	}
	m.Update(press("G"))
	if v := m.View(); !strings.Contains(v, "value-19") || !strings.Contains(v, "● live") {
		t.Errorf("G should follow the newest again:\n%s", v)
	}
	if cmd := m.Update(press("esc")); cmd == nil {
		t.Error("esc gave no command")
	} else if _, ok := cmd().(BackMsg); !ok {
		t.Error("esc did not ask to go back")
	}
}
