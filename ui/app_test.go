package ui_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui"
)

// fixedNow keeps rates and ages identical from run to run.
var fixedNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// session returns a session on a cluster with known content: timestamps,
// keys and values fixed, one partition where order matters.
func session(t *testing.T) *kafka.Session {
	t.Helper()
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"), kafkatest.Topics(3, "app-logs"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.DefaultProduceTopic("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for i := 0; i < 4; i++ {
		recs = append(recs, &kgo.Record{
			Key:       []byte(fmt.Sprintf("customer-%d", i)),
			Value:     []byte(fmt.Sprintf(`{"order_id":"ord-%d","total":%d.50}`, 1000+i, 10+i)),
			Timestamp: fixedNow.Add(time.Duration(i) * time.Second),
		})
	}
	// A hostile payload: colour, a screen clear and a bidi override.
	recs = append(recs, &kgo.Record{Key: []byte("mallory\x1b]0;owned\a"), Value: []byte("note: \x1b[31mred\x1b[0m \x1b[2J \u202eevil"), Timestamp: fixedNow.Add(4 * time.Second)})
	recs = append(recs, &kgo.Record{Topic: "app-logs", Value: []byte("INFO started")})
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	return s
}

func newApp(s *kafka.Session, topic string) *ui.App {
	p, _ := themes.ByName("mono")
	return ui.NewApp(s, ui.Info{Cluster: "cluster test (1 brokers)", Auth: "plaintext"}, ui.Options{
		Palette: p, Topic: topic, Now: func() time.Time { return fixedNow },
		Tail: kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}},
	})
}

// probe sees the screen as the program draws it: a filter runs on the
// program's goroutine before each message, so reading the model there is
// safe, and the test polls with no-op messages.
type probe struct{ screen atomic.Value }

type pokeMsg struct{}

func start(t *testing.T, app *ui.App, w, h int) (*teatest.TestModel, *probe) {
	t.Helper()
	p := &probe{}
	p.screen.Store("")
	filter := func(m tea.Model, msg tea.Msg) tea.Msg {
		p.screen.Store(ansi.Strip(m.View().Content))
		return msg
	}
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(filter)))
	t.Cleanup(app.Close)
	return tm, p
}

// waitScreen waits until the screen shows want.
func waitScreen(t *testing.T, tm *teatest.TestModel, p *probe, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(p.screen.Load().(string), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; last screen:\n%s", want, p.screen.Load())
		}
		tm.Send(pokeMsg{})
		time.Sleep(20 * time.Millisecond)
	}
}

// screen quits and returns the final screen as plain text.
func screen(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	tm.Type("q")
	m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	return ansi.Strip(m.View().Content)
}

func TestMainScreenTopics80x24(t *testing.T) {
	tm, p := start(t, newApp(session(t), ""), 80, 24)
	waitScreen(t, tm, p, "app-logs")
	golden.RequireEqual(t, screen(t, tm))
}

func TestMainScreenTail80x24(t *testing.T) {
	tm, p := start(t, newApp(session(t), ""), 80, 24)
	waitScreen(t, tm, p, "app-logs")
	tm.Type("j") // orders, below app-logs
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, p, "p0 5/5")
	out := screen(t, tm)
	if strings.Contains(out, "\x1b") {
		t.Error("an escape sequence from a payload reached the screen")
	}
	golden.RequireEqual(t, out)
}

func TestMainScreenTail160x48(t *testing.T) {
	tm, p := start(t, newApp(session(t), "orders"), 160, 48)
	waitScreen(t, tm, p, "p0 5/5")
	golden.RequireEqual(t, screen(t, tm))
}

func TestHelpAndTooSmall(t *testing.T) {
	tm, p := start(t, newApp(session(t), ""), 80, 24)
	waitScreen(t, tm, p, "app-logs")
	tm.Type("?")
	waitScreen(t, tm, p, "previous pane")
	tm.Send(tea.WindowSizeMsg{Width: 50, Height: 10})
	waitScreen(t, tm, p, "too small")
	out := screen(t, tm)
	if !strings.Contains(out, "Terminal too small: 50x10") {
		t.Errorf("small terminal shows:\n%s", out)
	}
}

func TestRecordDetail80x24(t *testing.T) {
	tm, p := start(t, newApp(session(t), "orders"), 80, 24)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("k") // the record before the hostile one
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, p, "Record · orders")
	golden.RequireEqual(t, screen(t, tm))
}

// Sending from the producer form: the delivery shows partition and offset,
// and the record is marked when it arrives in the tail of the same topic.
func TestProduceFromFormMarksTail(t *testing.T) {
	tm, p := start(t, newApp(session(t), "orders"), 100, 30)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("3")
	waitScreen(t, tm, p, "[3 Produce]")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // into the fields
	for i := 0; i < 5; i++ {                     // topic, key, headers, partition, repeat
		tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	}
	tm.Type(`{"hello":"from the form"}`)
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	waitScreen(t, tm, p, "✓ p0 @ 5")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Type("2")
	waitScreen(t, tm, p, "[2 Tail: orders]")
	out := waitScreenLine(t, tm, p, "from the form")
	if !strings.HasPrefix(out, "▸◆") {
		t.Errorf("the sent record is not marked in the tail: %q", out)
	}
	screen(t, tm)
}

// waitScreenLine waits for a line containing want and returns that line.
func waitScreenLine(t *testing.T, tm *teatest.TestModel, p *probe, want string) string {
	t.Helper()
	waitScreen(t, tm, p, want)
	for _, l := range strings.Split(p.screen.Load().(string), "\n") {
		if strings.Contains(l, want) {
			return l
		}
	}
	return ""
}

// Letters typed into the tail's filter are text, not global keys.
func TestTailFilterTakesLetters(t *testing.T) {
	tm, p := start(t, newApp(session(t), "orders"), 80, 24)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("/q1")
	waitScreen(t, tm, p, "/q1") // still running, the letters went to the prompt
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm.Type("/ord-1003")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	out := waitScreenLine(t, tm, p, "1 of 5 scanned")
	if v := p.screen.Load().(string); !strings.Contains(v, "ord-1003") || strings.Contains(v, "ord-1002") {
		t.Errorf("filter shows the wrong records (%q):\n%s", out, v)
	}
	screen(t, tm)
}

func TestLoginScreen80x24(t *testing.T) {
	pal, _ := themes.ByName("mono")
	app := ui.NewLoginApp(auth.Config{Mode: auth.TLS, Brokers: []string{"b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9094"}},
		ui.Options{Palette: pal, Now: func() time.Time { return fixedNow }})
	tm, p := start(t, app, 80, 24)
	waitScreen(t, tm, p, "[ Connect ]")
	golden.RequireEqual(t, screen(t, tm))
}

// The delivery list after three sends with {{i}}; latencies vary from run
// to run and are masked.
func TestDeliveryList80x24(t *testing.T) {
	tm, p := start(t, newApp(session(t), "orders"), 80, 24)
	waitScreen(t, tm, p, "p0 5/5")
	tm.Type("3")
	waitScreen(t, tm, p, "[3 Produce]")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type("key-{{i}}")
	for i := 0; i < 3; i++ {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	tm.Type("3")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type(`{"n":{{i}}}`)
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	waitScreen(t, tm, p, "✓ 3 acked")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	out := regexp.MustCompile(`\d+(\.\d+)?(µs|ms|s)\b`).ReplaceAllString(screen(t, tm), "N.Nms")
	golden.RequireEqual(t, out)
}
