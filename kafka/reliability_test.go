package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// How a client rides out a cluster that goes away and comes back, answers
// with errors, or stops answering at all.

// openOn opens a session on brokers that gives up on a dial after a second,
// so that outages show quickly.
func openOn(t *testing.T, brokers []string) *kafka.Session {
	t.Helper()
	s, err := kafka.Open(ctxT(t), kafka.Endpoint{Brokers: brokers}, kafka.DialTimeout(time.Second))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// until polls cond every 10ms until it holds, failing t with what after d.
func until(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sendAll produces values to topic (any partition) and waits for every
// delivery, failing t on an error.
func sendAll(t *testing.T, s *kafka.Session, topic string, values ...string) []kafka.Delivery {
	t.Helper()
	out := make([]kafka.Delivery, len(values))
	var wg sync.WaitGroup
	for i, v := range values {
		wg.Add(1)
		s.Produce(ctxT(t), kafka.Message{Topic: topic, Partition: kafka.AnyPartition, Value: []byte(v)}, func(d kafka.Delivery) {
			out[i] = d
			wg.Done()
		})
	}
	wg.Wait()
	for _, d := range out {
		if d.Err != nil {
			t.Fatalf("produce to %s: %v", topic, d.Err)
		}
	}
	return out
}

func seq(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

// checkRing fails t unless the tail's ring holds, per partition, one run of
// consecutive offsets in order, and exactly the acked records: each at the
// partition and offset it was acked at, with its value.
func checkRing(t *testing.T, tail *kafka.Tail, acked []kafka.Delivery, values []string) {
	t.Helper()
	type at struct {
		p   int32
		off int64
	}
	ring := map[at]string{}
	next := map[int32]int64{}
	for _, r := range tail.Window(0, tail.Len()) {
		if n, seen := next[r.Partition]; seen && r.Offset != n {
			t.Fatalf("p%d: offset %d follows %d: a gap or a duplicate", r.Partition, r.Offset, n-1)
		}
		next[r.Partition] = r.Offset + 1
		ring[at{r.Partition, r.Offset}] = string(r.Value)
	}
	for i, d := range acked {
		got, ok := ring[at{d.Partition, d.Offset}]
		if !ok || got != values[i] {
			t.Fatalf("%s was acked at p%d@%d, where the tail has %q (found %v)", values[i], d.Partition, d.Offset, got, ok)
		}
	}
	if len(ring) != len(acked) {
		t.Fatalf("the tail holds %d records, %d were acked", len(ring), len(acked))
	}
}

// A broker restart shows as reconnecting, with the reason, and the tail
// goes on by itself where it was: no offset skipped or read twice.
func TestTailRidesOutBrokerRestart(t *testing.T) {
	r := kafkatest.NewRestartable(t, kafkatest.Topics(3, "orders"))
	s := openOn(t, r.Brokers())
	tail := s.Tail(ctxT(t), "orders", kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}})
	defer tail.Close()

	values := seq("before", 0, 300)
	acked := sendAll(t, s, "orders", values...)
	until(t, 10*time.Second, "the tail did not read the first 300", func() bool { return tail.Stats().Received == 300 })
	if st := tail.Stats(); st.State != kafka.TailRunning || st.Err != nil {
		t.Fatalf("before the restart: state %v, err %v", st.State, st.Err)
	}

	r.Stop()
	until(t, 10*time.Second, "the tail never said it lost the broker", func() bool {
		return tail.Stats().State == kafka.TailReconnecting
	})
	st := tail.Stats()
	if st.Err == nil || !strings.Contains(st.Err.Error(), "127.0.0.1:") {
		t.Errorf("reconnecting without naming the broker: %v", st.Err)
	}
	// Records sent while the broker is down wait in the producer and go
	// out when it is back.
	during := seq("during", 0, 100)
	var duringAcked []kafka.Delivery
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		duringAcked = sendAll(t, s, "orders", during...)
	}()
	r.Start()
	<-sent
	after := seq("after", 0, 300)
	afterAcked := sendAll(t, s, "orders", after...)

	values = append(append(values, during...), after...)
	acked = append(append(acked, duringAcked...), afterAcked...)
	until(t, 15*time.Second, "the tail did not catch up after the restart", func() bool {
		st := tail.Stats()
		return st.Received == int64(len(values)) && st.State == kafka.TailRunning
	})
	if st := tail.Stats(); st.Err != nil {
		t.Errorf("running again but still reporting %v", st.Err)
	}
	checkRing(t, tail, acked, values)
}

// 100,000 records produced with acks=all while the broker restarts twice:
// each is acknowledged exactly once or reported failed, and the topic holds
// exactly the acknowledged ones, at the offsets acknowledged.
func TestProduceAcrossRestartsExactlyOnce(t *testing.T) {
	const total = 100_000
	r := kafkatest.NewRestartable(t, kafkatest.Topics(3, "load"))
	s := openOn(t, r.Brokers())

	ds := make([]kafka.Delivery, total)
	reported := make([]atomic.Int32, total)
	var done atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() {
		for i := range total {
			s.Produce(ctx, kafka.Message{Topic: "load", Partition: kafka.AnyPartition, Value: []byte(strconv.Itoa(i))}, func(d kafka.Delivery) {
				if reported[i].Add(1) == 1 {
					ds[i] = d
				}
				done.Add(1)
			})
		}
	}()
	for _, at := range []int64{total / 4, total / 2} {
		until(t, 20*time.Second, fmt.Sprintf("%d deliveries before the restart", at), func() bool { return done.Load() >= at })
		r.Stop()
		until(t, 5*time.Second, "the session did not notice the outage", func() bool { return s.Reconnecting() != nil })
		t.Logf("restarting with %d of %d reported: %v", done.Load(), total, s.Reconnecting())
		r.Start()
	}
	until(t, 30*time.Second, "not every record was reported", func() bool { return done.Load() >= total })
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	acked := map[string]kafka.Delivery{}
	var failed []error
	for i := range total {
		if n := reported[i].Load(); n != 1 {
			t.Fatalf("record %d reported %d times", i, n)
		}
		if ds[i].Err != nil {
			failed = append(failed, ds[i].Err)
			continue
		}
		acked[strconv.Itoa(i)] = ds[i]
	}
	t.Logf("%d acknowledged, %d failed", len(acked), len(failed))
	if len(failed) > 0 {
		t.Logf("the first failure: %v", failed[0])
	}

	seen := map[string]bool{}
	err := s.Consume(ctx, "load", kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true}, func(rec *kgo.Record) error {
		v := string(rec.Value)
		d, ok := acked[v]
		switch {
		case seen[v]:
			return fmt.Errorf("record %s is in the topic twice, the second at p%d@%d", v, rec.Partition, rec.Offset)
		case !ok:
			return fmt.Errorf("record %s is in the topic at p%d@%d but was reported failed", v, rec.Partition, rec.Offset)
		case d.Partition != rec.Partition || d.Offset != rec.Offset:
			return fmt.Errorf("record %s is at p%d@%d but was acknowledged at p%d@%d", v, rec.Partition, rec.Offset, d.Partition, d.Offset)
		}
		seen[v] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(acked) {
		t.Fatalf("the topic holds %d of the %d acknowledged records", len(seen), len(acked))
	}
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged")
	}
}

// Partitions added while tailing are said and read from their start; a
// topic deleted while tailing stops the tail and says so.
func TestTailFollowsTopicChanges(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "grows"), kafkatest.Topics(1, "doomed"))
	s := openOn(t, c.Brokers)
	o := kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, Recheck: 50 * time.Millisecond}
	all := s.Tail(ctxT(t), "grows", o)
	defer all.Close()
	o.Partitions = []int32{0}
	chosen := s.Tail(ctxT(t), "grows", o)
	defer chosen.Close()
	o.Partitions = nil
	doomed := s.Tail(ctxT(t), "doomed", o)
	defer doomed.Close()

	sendAll(t, s, "grows", seq("old", 0, 10)...)
	if err := s.AddPartitions(ctxT(t), "grows", 4); err != nil {
		t.Fatal(err)
	}
	// Sent at once, before the tail can know of partition 3, so it must
	// read it from the start. Another client sends them, as it would be
	// in life: this session's producer has not been told of partition 3.
	other := openOn(t, c.Brokers)
	for _, v := range []string{"new-0", "new-1"} {
		if d := other.ProduceSync(ctxT(t), kafka.Message{Topic: "grows", Partition: 3, Value: []byte(v)}); d.Err != nil {
			t.Fatal(d.Err)
		}
	}
	until(t, 10*time.Second, "the tail did not read the added partition", func() bool {
		n := 0
		for _, r := range all.Window(0, all.Len()) {
			if r.Partition == 3 {
				n++
			}
		}
		return n == 2
	})
	if st := all.Stats(); st.Notice != "partitions added: now 4" || st.State != kafka.TailRunning {
		t.Errorf("after growing: notice %q, state %v", st.Notice, st.State)
	}
	until(t, 10*time.Second, "the tail of chosen partitions was not told", func() bool {
		return chosen.Stats().Notice == "partitions added: now 4 (reading only those chosen)"
	})
	for _, r := range chosen.Window(0, chosen.Len()) {
		if r.Partition != 0 {
			t.Fatalf("a tail of partition 0 read p%d", r.Partition)
		}
	}

	if err := s.DeleteTopic(ctxT(t), "doomed"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-doomed.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("the tail of a deleted topic goes on: %+v", doomed.Stats())
	}
	st := doomed.Stats()
	if st.State != kafka.TailFailed || !errors.Is(st.Err, kafka.ErrTopicDeleted) || !strings.Contains(st.Err.Error(), "topic deleted: doomed") {
		t.Errorf("after deleting the topic: state %v, err %v", st.State, st.Err)
	}
	if st := all.Stats(); st.State != kafka.TailRunning {
		t.Errorf("deleting another topic disturbed this tail: %v %v", st.State, st.Err)
	}
}

// fault fails the next n requests of key to topic with err (-1 for until
// removed).
func fault(c *kafkatest.Cluster, key kmsg.Key, topic string, err *kerr.Error, n int) *kfake.FaultHandle {
	return c.Kfake.Fault(kfake.Fault{Keys: []kmsg.Key{key}, Topic: topic, Err: err, Count: n})
}

// Transient errors in a fetch are retried and the tail goes on with no gap;
// a refusal is said in words until it is lifted.
func TestTailThroughInjectedErrors(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"))
	s := openOn(t, c.Brokers)
	tail := s.Tail(ctxT(t), "orders", kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, Recheck: 50 * time.Millisecond})
	defer tail.Close()
	var values []string
	var acked []kafka.Delivery
	round := func(name string) {
		t.Helper()
		vs := seq(name, 0, 20)
		acked = append(acked, sendAll(t, s, "orders", vs...)...)
		values = append(values, vs...)
		until(t, 10*time.Second, "the tail did not read on after "+name, func() bool {
			return tail.Stats().Received == int64(len(values))
		})
	}
	round("first")
	for _, e := range []*kerr.Error{kerr.NotLeaderForPartition, kerr.RequestTimedOut, kerr.UnknownTopicOrPartition} {
		h := fault(c, kmsg.Fetch, "orders", e, 3)
		until(t, 10*time.Second, e.Message+" was never injected", func() bool { return h.Hits() == 3 })
		round(e.Message)
		if st := tail.Stats(); st.State != kafka.TailRunning {
			t.Fatalf("after a burst of %s: %v %v", e.Message, st.State, st.Err)
		}
	}

	h := fault(c, kmsg.Fetch, "orders", kerr.TopicAuthorizationFailed, -1)
	until(t, 10*time.Second, "a refused fetch was not said", func() bool {
		err := tail.Stats().Err
		return err != nil && strings.Contains(err.Error(), "TOPIC_AUTHORIZATION_FAILED") && strings.Contains(err.Error(), "ACLs do not allow")
	})
	t.Logf("refused: %v", tail.Stats().Err)
	h.Remove()
	round("after the refusal")
	if st := tail.Stats(); st.State != kafka.TailRunning || st.Err != nil {
		t.Errorf("the refusal outlived its lifting: %v %v", st.State, st.Err)
	}
	checkRing(t, tail, acked, values)
}

// readAll reads topic from the beginning to its end.
func readAll(t *testing.T, s *kafka.Session, topic string) []*kgo.Record {
	t.Helper()
	var out []*kgo.Record
	err := s.Consume(ctxT(t), topic, kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true}, func(r *kgo.Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Transient produce errors are retried, and retrying writes nothing twice,
// even where the broker wrote the batch before answering with the error;
// a refusal comes back at once, in words.
func TestProduceThroughInjectedErrors(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"))
	s := openOn(t, c.Brokers)
	var values []string
	var acked []kafka.Delivery
	for _, e := range []*kerr.Error{kerr.NotLeaderForPartition, kerr.RequestTimedOut, kerr.UnknownTopicOrPartition} {
		h := fault(c, kmsg.Produce, "orders", e, 3)
		vs := seq(e.Message, 0, 20)
		acked = append(acked, sendAll(t, s, "orders", vs...)...)
		values = append(values, vs...)
		if h.Hits() != 3 {
			t.Errorf("%s answered %d produce requests, want 3", e.Message, h.Hits())
		}
	}

	h := fault(c, kmsg.Produce, "orders", kerr.TopicAuthorizationFailed, -1)
	start := time.Now()
	d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("refused")})
	if d.Err == nil || !strings.Contains(d.Err.Error(), "TOPIC_AUTHORIZATION_FAILED") || !strings.Contains(d.Err.Error(), "ACLs do not allow") {
		t.Errorf("a refused produce reported %v", d.Err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a refused produce took %s to fail", took)
	}
	h.Remove()

	recs := readAll(t, s, "orders")
	if len(recs) != len(values) {
		t.Fatalf("the topic holds %d records, %d were acked", len(recs), len(values))
	}
	at := map[string]*kgo.Record{}
	for _, r := range recs {
		if at[string(r.Value)] != nil {
			t.Fatalf("%s was written twice", r.Value)
		}
		at[string(r.Value)] = r
	}
	for i, d := range acked {
		if r := at[values[i]]; r == nil || r.Partition != d.Partition || r.Offset != d.Offset {
			t.Fatalf("%s acked at p%d@%d is not there", values[i], d.Partition, d.Offset)
		}
	}
}

// A topic list goes on through retryable errors and shows a refused topic
// with its error in words beside the others.
func TestTopicsThroughInjectedErrors(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"), kafkatest.Topics(1, "secret"))
	s := openOn(t, c.Brokers)
	sendAll(t, s, "orders", seq("o", 0, 10)...)
	for _, e := range []*kerr.Error{kerr.NotLeaderForPartition, kerr.RequestTimedOut, kerr.UnknownTopicOrPartition} {
		h := fault(c, kmsg.ListOffsets, "orders", e, 2)
		ts, err := s.Topics(ctxT(t))
		if err != nil {
			t.Fatalf("with %s: %v", e.Message, err)
		}
		for _, tp := range ts {
			if tp.Name == "orders" && (tp.Err != nil || tp.Messages != 10) {
				t.Errorf("with a burst of %s: orders has %d messages, err %v", e.Message, tp.Messages, tp.Err)
			}
		}
		if h.Hits() != 2 {
			t.Errorf("%s answered %d requests, want 2", e.Message, h.Hits())
		}
	}

	fault(c, kmsg.ListOffsets, "secret", kerr.TopicAuthorizationFailed, -1)
	ts, err := s.Topics(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kafka.Topic{}
	for _, tp := range ts {
		got[tp.Name] = tp
	}
	if o := got["orders"]; o.Err != nil || o.Messages != 10 {
		t.Errorf("orders beside a refusal: %d messages, err %v", o.Messages, o.Err)
	}
	if e := got["secret"].Err; e == nil || !strings.Contains(e.Error(), "TOPIC_AUTHORIZATION_FAILED") || !strings.Contains(e.Error(), "ACLs do not allow") {
		t.Errorf("secret: %+v", got["secret"])
	}
}

// rotatingCreds hands out temporary credentials that expire within the
// minute, a different one of a set the cluster knows on every call, until
// it is broken; then it fails the way an expired SSO session does.
type rotatingCreds struct {
	mu     sync.Mutex
	keys   []string
	calls  int
	broken bool
}

func (r *rotatingCreds) Retrieve(context.Context) (aws.Credentials, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broken {
		return aws.Credentials{}, errors.New("the SSO session has expired or is invalid")
	}
	key := r.keys[r.calls%len(r.keys)]
	r.calls++
	return aws.Credentials{AccessKeyID: key, SecretAccessKey: "secret-" + key, SessionToken: "token-" + key, Source: "test",
		CanExpire: true, Expires: time.Now().Add(time.Minute)}, nil
}

func (r *rotatingCreds) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

func (r *rotatingCreds) Break() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broken = true
}

// logLines keeps a cluster's log, to count re-authentications in it.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// reauths counts, per client connection, the re-authentications logged
// since line from, and the access keys they used.
func (l *logLines) reauths(from int) (perConn map[string]int, keys map[string]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	perConn, keys = map[string]int{}, map[string]bool{}
	for _, ln := range l.lines[from:] {
		// "iam: 127.0.0.1:PORT: reauthenticated access key KEY"
		f := strings.Fields(ln)
		if len(f) == 6 && f[2] == "reauthenticated" {
			perConn[strings.TrimSuffix(f[1], ":")]++
			keys[f[5]] = true
		}
	}
	return perConn, keys
}

func (l *logLines) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// With sessions that last two seconds, a tail and a producer go on through
// re-authentication after re-authentication, each with a fresh token signed
// with freshly fetched credentials. When credentials can no longer be had,
// a send fails at once naming them, the tail says so, and nothing hangs.
func TestIAMReauthenticationKeepsTailAndProducerGoing(t *testing.T) {
	creds := &rotatingCreds{}
	opts := []kafkatest.Opt{kafkatest.IAM(iamRegion, iamKeyID, iamSecret), kafkatest.SessionLifetime(2 * time.Second), kafkatest.Topics(1, "orders")}
	for i := range 3 {
		key := fmt.Sprintf("ASIAREAUTH%d", i)
		creds.keys = append(creds.keys, key)
		opts = append(opts, kafkatest.IAMCredential(key, "secret-"+key, "token-"+key))
	}
	logs := &logLines{}
	c := kafkatest.New(t, append(opts, kafkatest.Logf(logs.logf))...)
	tokens := auth.NewTokenSource(c.Region, aws.NewCredentialsCache(creds))
	s, err := kafka.Open(ctxT(t), kafka.Endpoint{Brokers: c.Brokers, TLS: c.TLSConfig(), SASL: tokens.Mechanism()}, kafka.DialTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tail := s.Tail(ctxT(t), "orders", kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, Recheck: 200 * time.Millisecond})
	defer tail.Close()

	sent := 0
	send := func() {
		t.Helper()
		sent++
		if d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte(strconv.Itoa(sent))}); d.Err != nil {
			t.Fatalf("send %d: %v", sent, d.Err)
		}
	}
	send()
	until(t, 10*time.Second, "the tail did not start", func() bool { return tail.Stats().Received == 1 })
	authsBefore, callsBefore, from := c.Authentications(), creds.Calls(), logs.len()
	// The tail's fetches and the producer's sends each have a connection
	// of their own; both must re-authenticate in place five times.
	busy := func() int {
		n := 0
		perConn, _ := logs.reauths(from)
		for _, k := range perConn {
			if k >= 5 {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(15 * time.Second)
	for busy() < 2 {
		send()
		until(t, 5*time.Second, fmt.Sprintf("record %d did not reach the tail", sent), func() bool { return tail.Stats().Received == int64(sent) })
		if time.Now().After(deadline) {
			perConn, _ := logs.reauths(from)
			t.Fatalf("re-authentications per connection after 15s: %v", perConn)
		}
		time.Sleep(50 * time.Millisecond)
	}
	perConn, keys := logs.reauths(from)
	total := 0
	for _, n := range perConn {
		total += n
	}
	t.Logf("%d sends; re-authentications per connection %v with keys %v; %d credential fetches", sent, perConn, keys, creds.Calls()-callsBefore)
	if n := c.Authentications() - authsBefore; n < total {
		t.Errorf("the cluster counted %d authentications, its log %d re-authentications", n, total)
	}
	if len(keys) < 2 || creds.Calls()-callsBefore < 5 {
		t.Errorf("credentials were not refreshed: %d fetches, keys %v", creds.Calls()-callsBefore, keys)
	}
	if st := tail.Stats(); st.State != kafka.TailRunning || st.Err != nil {
		t.Errorf("tail after re-authentications: %v %v", st.State, st.Err)
	}

	// Sessions already open go on until they expire; the first send that
	// needs a new token must fail, soon and saying why.
	creds.Break()
	start := time.Now()
	var failed kafka.Delivery
	for failed.Err == nil {
		if time.Since(start) > 10*time.Second {
			t.Fatal("sends kept succeeding 10s after the credentials went")
		}
		at := time.Now()
		failed = s.ProduceSync(ctxT(t), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("after")})
		if took := time.Since(at); took > 5*time.Second {
			t.Fatalf("a send took %s without credentials", took)
		}
	}
	if !strings.Contains(failed.Err.Error(), "no usable AWS credentials") {
		t.Errorf("a send without credentials reported %v", failed.Err)
	}
	t.Logf("sends failed %s after the credentials went: %v", time.Since(start), failed.Err)
	until(t, 10*time.Second, "the tail did not say the credentials are gone", func() bool {
		st := tail.Stats()
		return st.State == kafka.TailReconnecting && strings.Contains(st.Err.Error(), "credentials")
	})
	t.Logf("tail: %v", tail.Stats().Err)
	start = time.Now()
	tail.Close()
	s.Close()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("closing without credentials took %s", took)
	}
}

// unacceptingListener listens and never accepts: the kernel completes a
// few handshakes for it and then leaves connections waiting.
func unacceptingListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// Connecting to a broker that never answers gives up within the dial
// timeout and says why.
func TestOpenGivesUpOnSilentBrokers(t *testing.T) {
	for name, addr := range map[string]string{"accepts and never answers": kafkatest.SilentListener(t), "never accepts": unacceptingListener(t)} {
		t.Run(name, func(t *testing.T) {
			const dial = time.Second
			start := time.Now()
			_, err := kafka.Open(context.Background(), kafka.Endpoint{Brokers: []string{addr}}, kafka.DialTimeout(dial))
			took := time.Since(start)
			if err == nil {
				t.Fatal("connected to a broker that never answers")
			}
			if took > dial+2*time.Second {
				t.Errorf("gave up after %s with a %s dial timeout", took, dial)
			}
			if !strings.Contains(err.Error(), "no answer in time") {
				t.Errorf("the reason is not given: %v", err)
			}
			t.Logf("after %s: %v", took, err)
		})
	}
}

// Once the broker goes silent, closing a tail or the session does not wait
// for it, even with requests in flight.
func TestClosingDoesNotWaitForASilentBroker(t *testing.T) {
	h := &kafkatest.Blackhole{}
	kc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"), kfake.ListenFn(h.Listen))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	s, err := kafka.Open(ctxT(t), kafka.Endpoint{Brokers: kc.ListenAddrs()}, kafka.DialTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	tail := s.Tail(ctxT(t), "orders", kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, Recheck: 50 * time.Millisecond})
	sendAll(t, s, "orders", seq("v", 0, 5)...)
	until(t, 10*time.Second, "the tail did not start", func() bool { return tail.Stats().Received == 5 })

	h.Silence()
	pending := make(chan kafka.Delivery, 1)
	s.Produce(context.Background(), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("lost")}, func(d kafka.Delivery) { pending <- d })
	time.Sleep(100 * time.Millisecond) // let the send and a fetch reach the silence

	start := time.Now()
	tail.Close()
	if took := time.Since(start); took > time.Second {
		t.Errorf("closing the tail took %s", took)
	}
	start = time.Now()
	s.Close()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("closing the session took %s", took)
	}
	select {
	case d := <-pending:
		if d.Err == nil {
			t.Error("a send into the silence was acknowledged")
		}
	case <-time.After(2 * time.Second):
		t.Error("a send in flight was never reported after closing")
	}

	start = time.Now()
	_, err = kafka.Open(context.Background(), kafka.Endpoint{Brokers: kc.ListenAddrs()}, kafka.DialTimeout(time.Second))
	if took := time.Since(start); err == nil || took > 3*time.Second {
		t.Errorf("connecting to the silent broker: %v after %s", err, took)
	}
}

// The step-by-step check gives up on a silent broker within its dial
// timeout too, naming the step that got no answer.
func TestCheckGivesUpOnASilentBroker(t *testing.T) {
	const dial = time.Second
	start := time.Now()
	steps, err := kafka.Check(context.Background(), kafka.Endpoint{Brokers: []string{kafkatest.SilentListener(t)}}, dial, nil)
	took := time.Since(start)
	if err == nil {
		t.Fatal("a silent broker passed the check")
	}
	if took > dial+time.Second {
		t.Errorf("gave up after %s with a %s dial timeout", took, dial)
	}
	if last := steps[len(steps)-1]; last.Name != "metadata" || !strings.Contains(last.Err.Error(), "no answer in time") {
		t.Errorf("the failing step is %s: %v", last.Name, last.Err)
	}
}

// A send whose request went out on a connection that then died is one an
// idempotent producer will not give up on until a broker answers for it.
// When the credentials go with the connection, no broker ever will: the
// send must still fail, soon, naming the credentials, not wait forever.
func TestSendCutOffWithTheCredentialsFails(t *testing.T) {
	creds := &rotatingCreds{keys: []string{"ASIACUTOFF0"}}
	c := kafkatest.New(t, kafkatest.IAM(iamRegion, iamKeyID, iamSecret), kafkatest.IAMCredential("ASIACUTOFF0", "secret-ASIACUTOFF0", "token-ASIACUTOFF0"), kafkatest.Topics(1, "orders"))
	tokens := auth.NewTokenSource(c.Region, aws.NewCredentialsCache(creds))
	s, err := kafka.Open(ctxT(t), kafka.Endpoint{Brokers: c.Brokers, TLS: c.TLSConfig(), SASL: tokens.Mechanism()}, kafka.DialTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("first")}); d.Err != nil {
		t.Fatal(d.Err)
	}
	// The next produce request is read and its connection dropped with no
	// answer, as the credentials go.
	c.Kfake.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		creds.Break()
		return nil, errors.New("dropped"), true
	})
	start := time.Now()
	done := make(chan kafka.Delivery, 1)
	s.Produce(context.Background(), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("cut off")}, func(d kafka.Delivery) { done <- d })
	select {
	case d := <-done:
		if d.Err == nil || !strings.Contains(d.Err.Error(), "no usable AWS credentials") {
			t.Errorf("the cut-off send reported %v", d.Err)
		}
		t.Logf("failed after %s: %v", time.Since(start), d.Err)
	case <-time.After(15 * time.Second):
		t.Fatal("the cut-off send was still waiting after 15s")
	}
	// A send after that fails as soon, on a fresh producer.
	start = time.Now()
	if d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("later")}); d.Err == nil || !strings.Contains(d.Err.Error(), "credentials") {
		t.Errorf("a later send reported %v", d.Err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a later send took %s to fail", took)
	}
}
