package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/ui"
	"github.com/mskx/mskx/ui/login"
)

// The status line while the cluster goes away and comes back, and quitting
// while a connect waits on a broker that never answers.

func TestStatusLineSaysReconnecting(t *testing.T) {
	r := kafkatest.NewRestartable(t, kafkatest.Topics(1, "orders"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: r.Brokers()}, kafka.DialTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	send := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			if d := s.ProduceSync(ctx, kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte(fmt.Sprintf("value-%d", i))}); d.Err != nil {
				t.Fatal(d.Err)
			}
		}
	}
	send(0, 3)
	app := ui.NewApp(s, ui.Info{Cluster: "cluster test", Auth: "plaintext"}, ui.Options{
		Palette: mono(), Topic: "orders",
		Tail: kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, Recheck: 100 * time.Millisecond},
	})
	tm, p := start(t, app, 100, 24)
	waitUntil(t, tm, p, "connected, showing value-2", func(s string) bool {
		return strings.Contains(firstLine(s), "● connected") && strings.Contains(s, "value-2")
	})

	r.Stop()
	v := waitUntil(t, tm, p, "reconnecting in the status line", func(s string) bool {
		return strings.Contains(firstLine(s), "◌ reconnecting")
	})
	if strings.Contains(firstLine(v), "● connected") {
		t.Errorf("the status line says both:\n%s", firstLine(v))
	}
	if !strings.Contains(v, "◌ reconnecting: ") {
		t.Errorf("the tail's header does not say why:\n%s", v)
	}

	sent := make(chan struct{})
	go func() {
		defer close(sent)
		send(3, 5)
	}()
	r.Start()
	<-sent
	waitUntil(t, tm, p, "connected again, showing value-4", func(s string) bool {
		return strings.Contains(firstLine(s), "● connected") && strings.Contains(s, "value-4")
	})
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// esc gives up a connect that waits on a silent broker at once, and ctrl+c
// quits in the middle of one at once, leaving nothing behind that waits.
func TestQuitDuringAConnectIsInstant(t *testing.T) {
	cfg := auth.Config{Mode: auth.Plaintext, Brokers: []string{kafkatest.SilentListener(t)}}
	// A dial timeout far longer than the test: only esc and ctrl+c may end
	// the waits.
	app := ui.NewLoginApp(cfg, ui.Options{Palette: mono()}, login.DialTimeout(time.Minute))
	tm, p := start(t, app, 80, 24)
	waitText(t, tm, p, "Connect")

	pressCtrl(tm, 's')
	waitText(t, tm, p, "✓ tcp")
	began := time.Now()
	pressKey(tm, tea.KeyEscape)
	waitText(t, tm, p, "cancelled")
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("esc took %s to give up the connect", took)
	}

	pressCtrl(tm, 's')
	waitText(t, tm, p, "✓ tcp")
	began = time.Now()
	pressCtrl(tm, 'c')
	tm.WaitFinished(t, teatest.WithFinalTimeout(2*time.Second))
	app.Close()
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("ctrl+c took %s to quit during a connect", took)
	}
}
