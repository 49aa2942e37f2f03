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
	"github.com/mskx/mskx/ui/uitest"
)

func setup(t *testing.T) (*Model, *kafka.Session) {
	t.Helper()
	return setupWith(t, kafkatest.Topics(1, "t"), 100)
}

// setupWith starts a cluster with the given topics and a pane whose tails
// start from the beginning and keep ring records.
func setupWith(t *testing.T, topics kafkatest.Opt, ring int) (*Model, *kafka.Session) {
	t.Helper()
	c := kafkatest.New(t, topics)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	p, _ := themes.ByName("mono")
	m := New(common.New(p), s, kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, RingSize: ring})
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

var press = uitest.Key

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
	if r := m.Selected(); r == nil || string(r.Value) != "value-14" || !strings.Contains(lineWith(m.View(), "value-14"), "▸") {
		t.Errorf("5 up should select value-14 in place:\n%s", m.View())
	}
	for i := 0; i < 5; i++ {
		m.Update(press("k"))
	}
	// The selection reached the top row (value-13) after 6; 4 more scroll back.
	v := m.View()
	if r := m.Selected(); r == nil || string(r.Value) != "value-9" || strings.Contains(v, "value-16") || !strings.Contains(v, "4 back") {
		t.Errorf("10 up should show values 9..15 with value-9 selected:\n%s", v)
	}
	cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter gave no command")
	}
	if msg, ok := cmd().(OpenRecordMsg); !ok || string(msg.Record.Value) != "value-9" {
		t.Errorf("enter gave %#v, want the selected record", msg)
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

func TestMarkedRecordsShowAGlyph(t *testing.T) {
	m, s := setup(t)
	m.Open("t")
	produce(t, s, 0, 2)
	d := s.ProduceSync(context.Background(), kafka.Message{Topic: "t", Partition: kafka.AnyPartition, Value: []byte("mine")})
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	m.Mark("other-topic", d.Partition, d.Offset) // ignored
	m.Mark("t", d.Partition, d.Offset)
	m.Blur() // no selection glyph in the way
	v := frameUntil(t, m, "mine")
	for _, line := range strings.Split(v, "\n") {
		if strings.Contains(line, "value-") && strings.Contains(line, "◆") {
			t.Errorf("unsent record marked: %q", line)
		}
		if strings.Contains(line, "mine") && !strings.HasPrefix(line, " ◆") {
			t.Errorf("sent record not marked: %q", line)
		}
	}
}

func lineWith(v, s string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
