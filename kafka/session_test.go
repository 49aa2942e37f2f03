package kafka_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

func open(t *testing.T, c *kafkatest.Cluster) *kafka.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers, TLS: tlsOf(c)}, kafka.DialTimeout(3*time.Second))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func tlsOf(c *kafkatest.Cluster) *tls.Config {
	if c.Mode == kafkatest.ModePlaintext {
		return nil
	}
	return c.TLSConfig()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fill produces n records per partition with values "p<part>-<i>".
func fill(t *testing.T, s *kafka.Session, topic string, parts, n int) {
	t.Helper()
	ctx := ctxT(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for p := 0; p < parts; p++ {
		for i := 0; i < n; i++ {
			wg.Add(1)
			s.Produce(ctx, kafka.Message{Topic: topic, Partition: int32(p), Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprintf("p%d-%d", p, i))}, func(d kafka.Delivery) {
				defer wg.Done()
				if d.Err != nil {
					mu.Lock()
					errs = append(errs, d.Err)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("produce: %d errors, first: %v", len(errs), errs[0])
	}
}

func TestTopicsAndDescribe(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"), kafkatest.Topics(1, "logs"))
	s := open(t, c)
	fill(t, s, "orders", 3, 4)
	fill(t, s, "logs", 1, 2)

	topics, err := s.Topics(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kafka.Topic{}
	for _, tp := range topics {
		got[tp.Name] = tp
	}
	if o := got["orders"]; o.Partitions != 3 || o.Messages != 12 || o.Replication != 1 || o.Err != nil {
		t.Errorf("orders = %+v, want 3 partitions, 12 messages, replication 1", o)
	}
	if l := got["logs"]; l.Partitions != 1 || l.Messages != 2 {
		t.Errorf("logs = %+v, want 1 partition, 2 messages", l)
	}

	d, err := s.DescribeTopic(ctxT(t), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Partitions) != 3 {
		t.Fatalf("partitions = %d, want 3", len(d.Partitions))
	}
	for _, p := range d.Partitions {
		if p.Low != 0 || p.High != 4 || p.Leader < 0 || len(p.Replicas) != 1 || len(p.ISR) != 1 || p.Err != nil {
			t.Errorf("partition %+v, want watermarks 0..4 with a leader and one replica in ISR", p)
		}
	}
	if d.ConfigErr != nil || len(d.Configs) == 0 {
		t.Errorf("configs = %d entries, err %v; want some", len(d.Configs), d.ConfigErr)
	}
	if _, err := s.DescribeTopic(ctxT(t), "nope"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("describe unknown topic: %v, want 'does not exist'", err)
	}
}

// collect consumes with o and returns the values per partition.
func collect(t *testing.T, s *kafka.Session, topic string, o kafka.ConsumeOptions) map[int32][]string {
	t.Helper()
	got := map[int32][]string{}
	err := s.Consume(ctxT(t), topic, o, func(r *kgo.Record) error {
		got[r.Partition] = append(got[r.Partition], string(r.Value))
		return nil
	})
	if err != nil {
		t.Fatalf("consume %+v: %v", o, err)
	}
	return got
}

func TestConsumeUntilEndExactlyOnce(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(4, "t"), kafkatest.Topics(2, "empty"))
	s := open(t, c)
	fill(t, s, "t", 4, 50)

	got := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true})
	for p := int32(0); p < 4; p++ {
		if len(got[p]) != 50 {
			t.Errorf("partition %d: %d records, want 50", p, len(got[p]))
		}
		seen := map[string]bool{}
		for i, v := range got[p] {
			if want := fmt.Sprintf("p%d-%d", p, i); v != want {
				t.Fatalf("partition %d record %d = %q, want %q (order or duplicate)", p, i, v, want)
			}
			if seen[v] {
				t.Fatalf("duplicate %q", v)
			}
			seen[v] = true
		}
	}
	// An empty topic and a start at the end both finish at once.
	if got := collect(t, s, "empty", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true}); len(got) != 0 {
		t.Errorf("empty topic gave %v", got)
	}
	if got := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromEnd}, UntilEnd: true}); len(got) != 0 {
		t.Errorf("from end gave %v", got)
	}
}

func TestConsumeStarts(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "t"))
	s := open(t, c)
	fill(t, s, "t", 2, 10)
	// The late records carry a time well after the others, so the test
	// does not depend on how finely this machine's clock moves.
	mid := time.Now().Add(time.Hour)
	for p := int32(0); p < 2; p++ {
		d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "t", Partition: p, Value: []byte("late"), Timestamp: mid.Add(time.Minute)})
		if d.Err != nil || d.Offset != 10 || d.Partition != p {
			t.Fatalf("late produce: %+v", d)
		}
	}

	tail := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromTail, Offset: 3}, UntilEnd: true})
	if want := []string{"p0-8", "p0-9", "late"}; fmt.Sprint(tail[0]) != fmt.Sprint(want) {
		t.Errorf("-3 on partition 0 = %v, want %v", tail[0], want)
	}
	at := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromOffset, Offset: 9}, Partitions: []int32{1}, UntilEnd: true})
	if len(at) != 1 || fmt.Sprint(at[1]) != "[p1-9 late]" {
		t.Errorf("offset 9 on partition 1 = %v", at)
	}
	byTime := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromTime, Time: mid}, UntilEnd: true})
	if fmt.Sprint(byTime[0]) != "[late]" || fmt.Sprint(byTime[1]) != "[late]" {
		t.Errorf("from time = %v, want only the late records", byTime)
	}
	counted := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, Count: 5})
	n := 0
	for _, v := range counted {
		n += len(v)
	}
	if n != 5 {
		t.Errorf("-c 5 gave %d records", n)
	}
	err := s.Consume(ctxT(t), "t", kafka.ConsumeOptions{Partitions: []int32{7}}, func(*kgo.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no partition 7") {
		t.Errorf("bad partition: %v", err)
	}
	err = s.Consume(ctxT(t), "missing", kafka.ConsumeOptions{}, func(*kgo.Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing topic: %v", err)
	}
}

func TestConsumeGroupCommits(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "t"))
	s := open(t, c)
	fill(t, s, "t", 2, 5)
	o := kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true, Group: "g1"}
	first := collect(t, s, "t", o)
	if len(first[0])+len(first[1]) != 10 {
		t.Fatalf("first group read: %v", first)
	}
	fill(t, s, "t", 1, 0)
	s.ProduceSync(ctxT(t), kafka.Message{Topic: "t", Partition: 0, Value: []byte("new")})
	second := collect(t, s, "t", o)
	if fmt.Sprint(second[0]) != "[new]" || len(second[1]) != 0 {
		t.Errorf("second group read = %v, want only the new record", second)
	}
}

func TestTailRing(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "t"))
	s := open(t, c)
	fill(t, s, "t", 2, 30)
	tail := s.Tail(ctxT(t), "t", kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, RingSize: 16})
	defer tail.Close()
	waitFor(t, func() bool { return tail.Stats().Received == 60 })
	st := tail.Stats()
	if tail.Len() != 16 || st.State != kafka.TailRunning || len(st.Partitions) != 2 {
		t.Fatalf("len %d, stats %+v", tail.Len(), st)
	}
	for _, p := range st.Partitions {
		if p.Next != 30 || p.High != 30 || p.Received != 30 {
			t.Errorf("partition stats %+v, want next 30, high 30, 30 received", p)
		}
	}
	w := tail.Window(0, 5)
	if len(w) != 5 {
		t.Fatalf("window = %d records", len(w))
	}
	seq := tail.Seq()
	d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "t", Partition: 1, Value: []byte("live")})
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	waitFor(t, func() bool { return tail.Seq() != seq })
	newest := tail.Window(0, 1)
	if len(newest) != 1 || string(newest[0].Value) != "live" || newest[0].Offset != d.Offset {
		t.Errorf("newest = %v, want the live record at offset %d", newest, d.Offset)
	}
	if older := tail.Window(15, 5); len(older) != 1 {
		t.Errorf("window past the ring's start = %d records, want 1", len(older))
	}
	tail.Close()
	if st := tail.Stats(); st.State != kafka.TailStopped {
		t.Errorf("state after close = %v", st.State)
	}
}

func TestProduceFixedPartitionAndErrors(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "t"))
	s := open(t, c)
	for i := 0; i < 5; i++ {
		d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "t", Partition: 2, Value: []byte("x")})
		if d.Err != nil || d.Partition != 2 || d.Offset != int64(i) || d.Latency <= 0 {
			t.Fatalf("delivery %d = %+v", i, d)
		}
	}
	d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "t", Partition: 9, Value: []byte("x")})
	if d.Err == nil {
		t.Errorf("partition 9 of 3 was accepted: %+v", d)
	}
	d = s.ProduceSync(ctxT(t), kafka.Message{Topic: "nope", Partition: kafka.AnyPartition, Value: []byte("x")})
	if !errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
		t.Errorf("unknown topic: %v, want UNKNOWN_TOPIC_OR_PARTITION", d.Err)
	}
}

// MSK with IAM refuses InitProducerID without kafka-cluster:WriteDataIdempotently.
func TestProduceFallsBackWithoutIdempotence(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "t"))
	c.Kfake.ControlKey(int16(kmsg.InitProducerID), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.Kfake.KeepControl()
		resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		return resp, nil, true
	})
	s := open(t, c)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ds []kafka.Delivery
	for i := 0; i < 20; i++ {
		wg.Add(1)
		s.Produce(ctxT(t), kafka.Message{Topic: "t", Partition: kafka.AnyPartition, Value: []byte(fmt.Sprint(i))}, func(d kafka.Delivery) {
			mu.Lock()
			ds = append(ds, d)
			mu.Unlock()
			wg.Done()
		})
	}
	wg.Wait()
	if len(ds) != 20 {
		t.Fatalf("%d deliveries for 20 records", len(ds))
	}
	offsets := map[int64]bool{}
	for _, d := range ds {
		if d.Err != nil {
			t.Fatalf("delivery failed: %v", d.Err)
		}
		offsets[d.Offset] = true
	}
	if len(offsets) != 20 {
		t.Errorf("distinct offsets = %d, want 20", len(offsets))
	}
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], "WriteDataIdempotently") {
		t.Errorf("notices = %q", n)
	}
	got := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true})
	if len(got[0]) != 20 {
		t.Errorf("topic holds %d records, want 20 (no loss, no duplicate)", len(got[0]))
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 15s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "t"))
	s, err := kafka.Open(ctxT(t), kafka.Endpoint{Brokers: c.Brokers}, kafka.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.ReadOnly() {
		t.Fatal("ReadOnly() = false")
	}
	d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "t", Partition: kafka.AnyPartition, Value: []byte("x")})
	if !errors.Is(d.Err, kafka.ErrReadOnly) {
		t.Errorf("produce on a read-only session: %v", d.Err)
	}
	if err := s.CreateTopic(ctxT(t), "new", 1, -1, nil); !errors.Is(err, kafka.ErrReadOnly) {
		t.Errorf("create topic on a read-only session: %v", err)
	}
	got := collect(t, s, "t", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true})
	if len(got[0]) != 0 {
		t.Errorf("topic holds %d records after refused produce", len(got[0]))
	}
	if ts, err := s.Topics(ctxT(t)); err != nil || len(ts) != 1 {
		t.Errorf("topics on a read-only session = %v, %v; reading must still work", ts, err)
	}
}
