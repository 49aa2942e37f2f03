package tail

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
)

// What the pane says while its cluster goes away, errs or changes, and that
// it never makes the event loop wait meanwhile.

// promptly bounds an Update. It does no I/O and takes microseconds; one
// that waited on the cluster would take seconds. The margin is for a busy
// machine, which can hold up even a no-op for a good fraction of a second.
const promptly = time.Second

// watch is a pane on brokers that tails from the beginning, rechecks its
// topic often, and is 100 columns wide so that its header has room for a
// reason.
func watch(t *testing.T, brokers []string, topic string) (*Model, *kafka.Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: brokers}, kafka.DialTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	p, _ := themes.ByName("mono")
	m := New(common.New(p), s, kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, RingSize: 100, Recheck: 50 * time.Millisecond})
	m.SetSize(100, 12) // 9 record rows
	m.Focus()
	t.Cleanup(m.Close)
	m.Open(topic)
	return m, s
}

// step sends msg to the pane and draws it, failing t if Update is slow.
func step(t *testing.T, m *Model, msg tea.Msg) (tea.Cmd, string) {
	t.Helper()
	start := time.Now()
	cmd := m.Update(msg)
	if took := time.Since(start); took > promptly {
		t.Fatalf("Update of %T took %s", msg, took)
	}
	return cmd, ansi.Strip(m.View())
}

// framesUntil draws frames until the view holds every want, and returns it
// with what the frames reported to the App.
func framesUntil(t *testing.T, m *Model, wants ...string) (string, []common.FailedMsg) {
	t.Helper()
	var reported []common.FailedMsg
	deadline := time.Now().Add(10 * time.Second)
	for {
		cmd, v := step(t, m, FrameMsg{})
		if cmd != nil {
			if f, ok := cmd().(common.FailedMsg); ok {
				reported = append(reported, f)
			}
		}
		all := true
		for _, w := range wants {
			all = all && strings.Contains(v, w)
		}
		if all {
			return v, reported
		}
		if time.Now().After(deadline) {
			t.Fatalf("the view never showed %q:\n%s", wants, v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// offsets are the offsets of the record rows shown, top to bottom.
func offsets(t *testing.T, v string) []int64 {
	t.Helper()
	var out []int64
	for _, ln := range strings.Split(v, "\n") {
		// TIME P OFFSET KEY VALUE, keys "-" and values "value-N" being
		// one word each.
		f := strings.Fields(ln)
		if len(f) < 4 || !strings.HasPrefix(f[len(f)-1], "value-") {
			continue
		}
		off, err := strconv.ParseInt(f[len(f)-3], 10, 64)
		if err != nil {
			t.Fatalf("no offset in %q", ln)
		}
		out = append(out, off)
	}
	return out
}

func TestPaneRidesOutBrokerRestart(t *testing.T) {
	r := kafkatest.NewRestartable(t, kafkatest.Topics(1, "t"))
	m, s := watch(t, r.Brokers(), "t")
	produce(t, s, 0, 5)
	framesUntil(t, m, "value-4", "● live")
	if m.Reconnecting() {
		t.Error("reconnecting before the broker went")
	}

	r.Stop()
	v, reported := framesUntil(t, m, "◌ reconnecting: ")
	header := strings.SplitN(v, "\n", 2)[0]
	if !strings.Contains(header, "127.0.0.1:") {
		t.Errorf("the header does not name the broker: %s", header)
	}
	if !m.Reconnecting() {
		t.Error("Reconnecting is false while the header says so")
	}
	// Reported to the App once per reason, not once per frame.
	for range 20 {
		cmd, _ := step(t, m, FrameMsg{})
		if cmd != nil {
			if f, ok := cmd().(common.FailedMsg); ok {
				reported = append(reported, f)
			}
		}
	}
	if len(reported) == 0 || len(reported) > 3 {
		t.Errorf("the outage was reported to the App %d times", len(reported))
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		produce(t, s, 5, 5) // waits in the producer for the broker
	}()
	r.Start()
	<-sent
	produce(t, s, 10, 5)
	v, _ = framesUntil(t, m, "value-14", "● live")
	if m.Reconnecting() {
		t.Error("still reconnecting after the broker came back")
	}
	got := offsets(t, v)
	if len(got) != 9 {
		t.Fatalf("%d rows shown, want 9:\n%s", len(got), v)
	}
	for i, off := range got {
		if want := int64(15 - len(got) + i); off != want {
			t.Fatalf("rows show offsets %v after the restart, want the newest in order ending at 14", got)
		}
	}
}

func TestPaneSaysTopicChanges(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "t"), kafkatest.Topics(2, "grows"))
	m, s := watch(t, c.Brokers, "grows")
	doomed, _ := watch(t, c.Brokers, "t")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	if err := s.AddPartitions(ctx, "grows", 3); err != nil {
		t.Fatal(err)
	}
	// A client of its own: this session's producer has not been told of
	// partition 2 yet.
	other, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if d := other.ProduceSync(ctx, kafka.Message{Topic: "grows", Partition: 2, Value: []byte("value-new")}); d.Err != nil {
		t.Fatal(d.Err)
	}
	v, _ := framesUntil(t, m, "partitions added: now 3", "value-new")
	if ln := lineWith(v, "value-new"); !strings.Contains(ln, " 2 ") {
		t.Errorf("the record of the new partition shows as %q", ln)
	}

	if err := s.DeleteTopic(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	framesUntil(t, doomed, "✗ stopped: topic deleted: t no longer exists")
}

func TestPaneThroughInjectedErrors(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "t"))
	m, s := watch(t, c.Brokers, "t")
	produce(t, s, 0, 3)
	framesUntil(t, m, "value-2")

	// A burst of NOT_LEADER_FOR_PARTITION is retried: the tail goes on.
	h := c.Kfake.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Fetch}, Topic: "t", Err: kerr.NotLeaderForPartition, Count: 3})
	deadline := time.Now().Add(10 * time.Second)
	for h.Hits() < 3 {
		step(t, m, FrameMsg{}) // the pane keeps drawing meanwhile
		if time.Now().After(deadline) {
			t.Fatalf("the fault answered %d fetches", h.Hits())
		}
		time.Sleep(10 * time.Millisecond)
	}
	produce(t, s, 3, 3)
	framesUntil(t, m, "value-5", "● live")

	// A refusal is said in words, and lifting it lets the tail go on.
	refusal := c.Kfake.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Fetch}, Topic: "t", Err: kerr.TopicAuthorizationFailed, Count: -1})
	v, reported := framesUntil(t, m, "↻ retrying: ", "TOPIC_AUTHORIZATION_FAILED")
	if len(reported) == 0 || !strings.Contains(reported[0].Err.Error(), "ACLs do not allow") {
		t.Errorf("the App was told %v\n%s", reported, v)
	}
	// Keys work while it retries.
	step(t, m, press("space"))
	step(t, m, press("space"))
	refusal.Remove()
	produce(t, s, 6, 3)
	framesUntil(t, m, "value-8", "● live")
}

func TestPaneClosesAtOnceOnASilentBroker(t *testing.T) {
	h := &kafkatest.Blackhole{}
	kc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"), kfake.ListenFn(h.Listen))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	m, s := watch(t, kc.ListenAddrs(), "t")
	produce(t, s, 0, 2)
	framesUntil(t, m, "value-1")
	h.Silence()
	for range 10 {
		step(t, m, FrameMsg{})
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	m.Close()
	if took := time.Since(start); took > time.Second {
		t.Errorf("closing the pane took %s with the broker silent", took)
	}
}
