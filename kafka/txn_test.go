package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// produceTxn writes values to topic/partition in one committed or aborted
// transaction.
func produceTxn(t *testing.T, c *kafkatest.Cluster, topic string, partition int32, commit bool, values ...string) {
	t.Helper()
	if err := c.ProduceTxn(ctxT(t), topic, partition, commit, values...); err != nil {
		t.Fatal(err)
	}
}

// consumeAll reads topic until its end with o and returns "partition:value"
// of each record. A read still waiting when ctx would end fails the test:
// Consume ends quietly on ctx, which would hide a read that never finishes.
func consumeAll(t *testing.T, s *kafka.Session, topic string, o kafka.ConsumeOptions) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []string
	o.UntilEnd = true
	err := s.Consume(ctx, topic, o, func(r *kgo.Record) error {
		got = append(got, fmt.Sprintf("%d:%s", r.Partition, r.Value))
		return nil
	})
	if err != nil || ctx.Err() != nil {
		t.Fatalf("consume %+v: err %v, context %v (read %v): it did not end by itself", o, err, ctx.Err(), got)
	}
	return got
}

// A partition whose last offsets are transaction markers has no record at
// its high watermark minus one: reading to the end must still end there,
// and by default only committed records are read.
func TestConsumeUntilEndPastTransactionMarkers(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "txn"))
	s := open(t, c)
	produceTxn(t, c, "txn", 0, true, "a", "b")
	produceTxn(t, c, "txn", 0, false, "gone")
	produceTxn(t, c, "txn", 1, true, "c")

	from := kafka.Start{Kind: kafka.FromBeginning}
	if got := fmt.Sprint(consumeAll(t, s, "txn", kafka.ConsumeOptions{Start: from, Partitions: []int32{0}})); got != "[0:a 0:b]" {
		t.Errorf("committed read of partition 0 = %s, want [0:a 0:b]", got)
	}
	if got := fmt.Sprint(consumeAll(t, s, "txn", kafka.ConsumeOptions{Start: from, Partitions: []int32{0}, Uncommitted: true})); got != "[0:a 0:b 0:gone]" {
		t.Errorf("uncommitted read of partition 0 = %s, want the aborted record too", got)
	}

	// A group commits past the markers: nothing is left for it to read.
	o := kafka.ConsumeOptions{Start: from, Group: "txn-readers"}
	if got := consumeAll(t, s, "txn", o); len(got) != 3 {
		t.Errorf("group read = %v, want the 3 committed records", got)
	}
	d, err := s.DescribeGroup(ctxT(t), "txn-readers")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Partitions {
		if p.Lag != 0 {
			t.Errorf("group partition %+v: lag %d after reading to the end, want 0", p, p.Lag)
		}
	}
	if got := consumeAll(t, s, "txn", o); len(got) != 0 {
		t.Errorf("group read again = %v, want nothing", got)
	}

	// A tail's position passes the markers: it is caught up, not behind.
	tail := s.Tail(ctxT(t), "txn", kafka.TailOptions{Start: from})
	defer tail.Close()
	waitFor(t, func() bool {
		st := tail.Stats()
		caught := len(st.Partitions) == 2
		for _, p := range st.Partitions {
			caught = caught && p.High > 0 && p.Next == p.High
		}
		return caught && st.Received == 3
	})
}

// A transaction still open holds committed readers at its first record;
// reading to the end stops there instead of waiting for it to finish.
func TestConsumeUntilEndBeforeAnOpenTransaction(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "open"))
	s := open(t, c)
	produceTxn(t, c, "open", 0, true, "done")
	abort, err := c.OpenTxn(ctxT(t), "open", 0, "pending")
	if err != nil {
		t.Fatal(err)
	}
	defer abort()
	from := kafka.Start{Kind: kafka.FromBeginning}
	if got := fmt.Sprint(consumeAll(t, s, "open", kafka.ConsumeOptions{Start: from})); got != "[0:done]" {
		t.Errorf("committed read = %s, want [0:done]", got)
	}
	if got := fmt.Sprint(consumeAll(t, s, "open", kafka.ConsumeOptions{Start: from, Uncommitted: true})); got != "[0:done 0:pending]" {
		t.Errorf("uncommitted read = %s, want the open transaction's record too", got)
	}
}

// A group reading a count commits only the records handed over, even when
// a fetch brought more.
func TestConsumeGroupCountCommitsWhatWasRead(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "t"))
	s := open(t, c)
	fill(t, s, "t", 1, 10)
	o := kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, Group: "counted", Count: 3}
	if got := collect(t, s, "t", o); fmt.Sprint(got[0]) != "[p0-0 p0-1 p0-2]" {
		t.Fatalf("first read = %v", got)
	}
	o.Count = 0
	o.UntilEnd = true
	if got := collect(t, s, "t", o); len(got[0]) != 7 || got[0][0] != "p0-3" {
		t.Errorf("second read = %v, want the 7 records after the first 3", got)
	}
}
