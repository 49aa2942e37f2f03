package produce

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// What the form says when the cluster restarts or errs under a send, and
// that it never makes the event loop wait meanwhile.

// promptly bounds an Update. It does no I/O and takes microseconds; one
// that waited on the cluster would take seconds. The margin is for a busy
// machine, which can hold up even a no-op for a good fraction of a second.
const promptly = time.Second

func openOn(t *testing.T, brokers []string, opts ...kafka.Opt) *kafka.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: brokers}, append(opts, kafka.DialTimeout(time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// timed sends msg to the pane, failing t if Update is slow.
func timed(t *testing.T, m *Model, msg tea.Msg) tea.Cmd {
	t.Helper()
	start := time.Now()
	cmd := m.Update(msg)
	if took := time.Since(start); took > promptly {
		t.Fatalf("Update of %T took %s", msg, took)
	}
	return cmd
}

// deliver runs the Cmds of a send the way the runtime does, each on its own
// goroutine, and feeds the deliveries back one at a time as they arrive,
// calling each (when set) after every one with how many were fed and how
// many records still had no delivery.
func deliver(t *testing.T, m *Model, cmd tea.Cmd, within time.Duration, each func(fed, outstanding int)) map[int]kafka.Delivery {
	t.Helper()
	var cmds []tea.Cmd
	if b, ok := cmd().(tea.BatchMsg); ok {
		cmds = b
	} else {
		cmds = []tea.Cmd{cmd}
	}
	msgs := make(chan tea.Msg, len(cmds))
	for _, c := range cmds {
		go func() { msgs <- c() }()
	}
	got := map[int]kafka.Delivery{}
	deadline := time.After(within)
	for range cmds {
		select {
		case msg := <-msgs:
			d, ok := msg.(DeliveredMsg)
			if !ok {
				t.Fatalf("unexpected message %#v", msg)
			}
			if _, twice := got[d.ID]; twice {
				t.Fatalf("#%d delivered twice", d.ID)
			}
			got[d.ID] = d.Delivery
			timed(t, m, msg)
			if len(got)%50 == 0 {
				m.View() // as the runtime draws, at a capped rate
			}
			if each != nil {
				each(len(got), len(cmds)-len(got)-len(msgs))
			}
		case <-deadline:
			t.Fatalf("%d of %d deliveries after %s:\n%s", len(got), len(cmds), within, ansi.Strip(m.View()))
		}
	}
	return got
}

// A send of 5,000 records during which the broker restarts: each record is
// acknowledged once or reported failed, and the topic holds exactly the
// acknowledged ones.
func TestRepeatSendRidesOutARestart(t *testing.T) {
	const n = 5000
	r := kafkatest.NewRestartable(t, kafkatest.Topics(3, "orders"))
	// Small batches make many produce requests, so that the restart comes
	// with records acknowledged before it, in flight across it and sent
	// after it. (It is set off here, not from a kfake control function:
	// kfake goes on serving a request whose control function is running
	// while it shuts down, after saving its state, which a restart would
	// then lose.)
	s := openOn(t, r.Brokers(), kafka.ClientOpts(kgo.ProducerBatchMaxBytes(4<<10)))
	m := newPane(s, 80, 22)
	compose(t, m, form{topic: "orders", key: "k-{{i}}", repeat: fmt.Sprint(n), value: "v-{{i}}"})
	cmd := timed(t, m, press("ctrl+s"))
	if cmd == nil {
		t.Fatalf("ctrl+s sent nothing:\n%s", ansi.Strip(m.View()))
	}
	restarted, outstanding := false, 0
	got := deliver(t, m, cmd, 30*time.Second, func(fed, left int) {
		if !restarted && fed >= 100 {
			restarted, outstanding = true, left
			r.Restart()
		}
	})
	if !restarted || outstanding == 0 {
		t.Fatalf("no record was outstanding when the broker restarted")
	}

	acked := map[string]kafka.Delivery{}
	failed := 0
	for id := 1; id <= n; id++ {
		d, ok := got[id]
		switch {
		case !ok:
			t.Fatalf("#%d never delivered", id)
		case d.Err != nil:
			failed++
		default:
			acked[fmt.Sprintf("v-%d", id)] = d
		}
	}
	v := ansi.Strip(m.View())
	lineWith(t, v, fmt.Sprintf("%d sent · ✓ %d acked · ✗ %d failed · … 0 queued", n, len(acked), failed))
	t.Logf("%d acknowledged, %d failed; %d were outstanding at the restart", len(acked), failed, outstanding)

	recs := readBack(t, s, "orders")
	seen := map[string]bool{}
	for _, rec := range recs {
		val := string(rec.Value)
		d, ok := acked[val]
		switch {
		case seen[val]:
			t.Fatalf("%s is in the topic twice", val)
		case !ok:
			t.Fatalf("%s is in the topic but was reported failed", val)
		case d.Partition != rec.Partition || d.Offset != rec.Offset:
			t.Fatalf("%s is at p%d@%d, acknowledged at p%d@%d", val, rec.Partition, rec.Offset, d.Partition, d.Offset)
		}
		seen[val] = true
	}
	if len(seen) != len(acked) {
		t.Fatalf("the topic holds %d of the %d acknowledged records", len(seen), len(acked))
	}
}

// Transient errors are retried to an acknowledgement; a refusal shows on
// its row in words.
func TestFormThroughInjectedErrors(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"))
	s := openOn(t, c.Brokers)
	m := newPane(s, 100, 22)
	compose(t, m, form{topic: "orders", key: "k-{{i}}", repeat: "3", value: "v-{{i}}"})
	sent := 0
	for _, e := range []*kerr.Error{kerr.NotLeaderForPartition, kerr.RequestTimedOut, kerr.UnknownTopicOrPartition} {
		h := c.Kfake.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "orders", Err: e, Count: 3})
		for id, d := range deliver(t, m, timed(t, m, press("ctrl+s")), 20*time.Second, nil) {
			if d.Err != nil {
				t.Errorf("#%d through a burst of %s: %v", id, e.Message, d.Err)
			}
		}
		sent += 3
		if h.Hits() != 3 {
			t.Errorf("%s answered %d produce requests, want 3", e.Message, h.Hits())
		}
	}
	lineWith(t, ansi.Strip(m.View()), fmt.Sprintf("%d sent · ✓ %d acked", sent, sent))
	if recs := readBack(t, s, "orders"); len(recs) != sent {
		t.Errorf("the topic holds %d records, %d were sent and acked", len(recs), sent)
	}

	c.Kfake.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "orders", Err: kerr.TopicAuthorizationFailed, Count: -1})
	for id, d := range deliver(t, m, timed(t, m, press("ctrl+s")), 10*time.Second, nil) {
		if d.Err == nil {
			t.Errorf("#%d was acknowledged through a refusal", id)
		}
	}
	v := ansi.Strip(m.View())
	row := lineWith(t, v, fmt.Sprintf("#%d orders", sent+1))
	if !strings.Contains(row, "✗ TOPIC_AUTHORIZATION_FAILED") {
		t.Errorf("the refused row says %q", row)
	}
	lineWith(t, v, "✗ 3 failed")
}
