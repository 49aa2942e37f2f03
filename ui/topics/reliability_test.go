package topics

import (
	"context"
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
)

// refresh asks for the list again the way r does and feeds the answer back,
// failing t if an Update is slow: Update does no I/O and takes microseconds,
// and the margin is for a busy machine.
func refresh(t *testing.T, m *Model) string {
	t.Helper()
	start := time.Now()
	cmd := press(m, "r")
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Update of r took %s", took)
	}
	if cmd == nil {
		t.Fatal("r asked for nothing")
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if c != nil {
				if m, ok := c().(loadedMsg); ok {
					msg = m
				}
			}
		}
	}
	start = time.Now()
	m.Update(msg)
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Update of the list took %s", took)
	}
	return ansi.Strip(m.View())
}

// Retryable errors while listing leave the counts right; a refused topic
// shows as failed on its row, with the reason in words when selected, and
// the other topics keep their counts.
func TestListThroughInjectedErrors(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"), kafkatest.Topics(1, "secret"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	for range 10 {
		if d := s.ProduceSync(ctx, kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("v")}); d.Err != nil {
			t.Fatal(d.Err)
		}
	}
	m := newPane(t, s)
	for _, e := range []*kerr.Error{kerr.NotLeaderForPartition, kerr.RequestTimedOut, kerr.UnknownTopicOrPartition} {
		c.Kfake.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.ListOffsets}, Topic: "orders", Err: e, Count: 2})
		v := refresh(t, m)
		if ln := rowOf(v, "orders"); !strings.HasSuffix(ln, " 10") {
			t.Errorf("through a burst of %s, orders shows %q", e.Message, ln)
		}
	}

	c.Kfake.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.ListOffsets}, Topic: "secret", Err: kerr.TopicAuthorizationFailed, Count: -1})
	v := refresh(t, m)
	if ln := rowOf(v, "orders"); !strings.HasSuffix(ln, " 10") {
		t.Errorf("beside a refused topic, orders shows %q", ln)
	}
	if ln := rowOf(v, "secret"); !strings.HasSuffix(ln, "✗ error") {
		t.Errorf("the refused topic shows %q", ln)
	}
	press(m, "down") // orders, secret: onto secret
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "✗ TOPIC_AUTHORIZATION_FAILED") {
		t.Errorf("with the refused topic selected the reason is not given:\n%s", v)
	}
}

func rowOf(v, name string) string {
	for _, ln := range strings.Split(v, "\n") {
		if f := strings.Fields(strings.TrimPrefix(ln, "▸")); len(f) > 0 && f[0] == name {
			return strings.TrimRight(ln, " ")
		}
	}
	return ""
}
