package kafka

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Delivery is what became of one produced record.
type Delivery struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
	// Latency is from the call to Produce to the acknowledgement.
	Latency time.Duration
	// Err is why the record was not written; nil means acknowledged by all
	// in-sync replicas.
	Err error
}

// AnyPartition lets the partitioner choose (sticky, or by key hash).
const AnyPartition int32 = -1

// Message is a record to produce.
type Message struct {
	Topic     string
	Key       []byte // nil for no key
	Value     []byte
	Headers   []kgo.RecordHeader
	Partition int32 // AnyPartition, or a fixed partition
	// Timestamp is the record's time; zero means when it is produced.
	Timestamp time.Time
}

// deliveryTimeout bounds how long a record may wait for its acknowledgement,
// so that a produce never hangs on an unreachable cluster.
const deliveryTimeout = 60 * time.Second

// errSessionClosed fails a send on a closed session.
var errSessionClosed = errors.New("produce: the session is closed")

// producerMetadataMinAge is the least time between the producer's metadata
// refreshes.
const producerMetadataMinAge = 500 * time.Millisecond

// idemRefusedNotice is told once when the cluster refuses idempotent writes.
const idemRefusedNotice = "the cluster refused idempotent writes (on MSK with IAM the policy needs kafka-cluster:WriteDataIdempotently on the cluster): producing without idempotence, so a retried send may be written twice"

// Produce sends m with acks=all and calls done exactly once with its
// delivery, from a franz-go goroutine. The record is buffered: Produce
// blocks only when the buffer is full or ctx is done, or, when m names a
// partition the producer has not seen (one added since it looked), while it
// asks the cluster and waits for the producer to see it. Writes are idempotent by default; when the cluster refuses that,
// the session falls back to plain writes and says so in Notices.
func (s *Session) Produce(ctx context.Context, m Message, done func(Delivery)) {
	s.produce(ctx, m, time.Now(), done, true)
}

func (s *Session) produce(ctx context.Context, m Message, start time.Time, done func(Delivery), mayRetry bool) {
	if s.cfg.readOnly {
		done(Delivery{Topic: m.Topic, Partition: m.Partition, Offset: -1, Err: fmt.Errorf("produce to %s: %w", m.Topic, ErrReadOnly)})
		return
	}
	cl, idem, ret, err := s.producer()
	if err != nil {
		done(Delivery{Topic: m.Topic, Partition: m.Partition, Offset: -1, Err: err})
		return
	}
	if m.Partition >= 0 && mayRetry && !mayHave(cl, m.Topic, m.Partition) {
		if err := s.awaitPartition(ctx, cl, m.Topic, m.Partition); err != nil {
			done(Delivery{Topic: m.Topic, Partition: m.Partition, Offset: -1, Latency: time.Since(start), Err: err})
			return
		}
	}
	rec := m.record(ctx)
	cl.Produce(ctx, rec, func(r *kgo.Record, err error) {
		if why := ret.why(); why != nil && errors.Is(err, kgo.ErrClientClosed) {
			err = why // closed because the cluster would not let it log in
		}
		if err != nil && idem && mayRetry && (errors.Is(err, kerr.ClusterAuthorizationFailed) || errors.Is(err, kerr.TransactionalIDAuthorizationFailed) || (errors.Is(err, kgo.ErrClientClosed) && s.replaced(cl))) {
			s.dropIdempotence(cl)
			// Off the promise goroutine: producing from inside a
			// promise can block on a full buffer of the same client.
			go s.produce(ctx, m, start, done, false)
			return
		}
		if n, ok := partitionsSeen(err); ok {
			// The producer's first look at the topic, which is fresh.
			err = noPartition(m.Topic, m.Partition, n)
		}
		d := Delivery{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Timestamp: r.Timestamp, Latency: time.Since(start), Err: err}
		if err != nil {
			d.Offset = -1
			d.Err = s.fail(OpWrite, m.Topic, "", fmt.Errorf("produce to %s: %w", m.Topic, err))
		}
		done(d)
	})
}

// mayHave reports whether cl's metadata has partition p of topic, or has
// not loaded topic at all, in which case its first load, which is fresh,
// decides.
func mayHave(cl *kgo.Client, topic string, p int32) bool {
	if leader, _, err := cl.PartitionLeader(topic, 0); leader < 0 && err == nil {
		return true
	}
	leader, _, err := cl.PartitionLeader(topic, p)
	return leader >= 0 || err != nil
}

// partitionsSeenRE matches franz-go's refusal of a record for a partition
// its metadata does not have, for which it has no sentinel error.
var partitionsSeenRE = regexp.MustCompile(`invalid record partitioning choice of -?\d+ from (\d+) available`)

// partitionsSeen reads the partition count from such a refusal.
func partitionsSeen(err error) (int, bool) {
	if err == nil {
		return 0, false
	}
	m := partitionsSeenRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, true
}

func noPartition(topic string, p int32, n int) error {
	if n == 0 {
		return fmt.Errorf("topic %s has no partition %d: it has no partitions", topic, p)
	}
	return fmt.Errorf("topic %s has no partition %d: it has partitions 0 to %d", topic, p, n-1)
}

// missingFor is how long a partition found missing is taken as missing
// without asking again, so that a run of sends to it fails fast.
const missingFor = time.Second

// awaitPartition is called before sending to partition p of topic when the
// producer's metadata, loaded earlier, does not have it: partitions added
// since (by the topics pane or anyone else) would be refused for up to five
// minutes, until its next refresh. It asks the cluster: a partition that
// does not exist is said plainly; one that does is waited for while the
// producer loads its metadata again, up to the dial timeout.
func (s *Session) awaitPartition(ctx context.Context, cl *kgo.Client, topic string, p int32) error {
	s.missingMu.Lock()
	miss, ok := s.missing[topic]
	s.missingMu.Unlock()
	if ok && p >= miss.from && time.Since(miss.at) < missingFor {
		return noPartition(topic, p, int(miss.from))
	}
	n, err := s.partitionCount(ctx, topic)
	if err != nil {
		return s.fail(OpWrite, topic, "", fmt.Errorf("produce to %s: %w", topic, err))
	}
	if int(p) >= n {
		s.missingMu.Lock()
		if s.missing == nil {
			s.missing = map[string]missingPartitions{}
		}
		s.missing[topic] = missingPartitions{from: int32(n), at: time.Now()}
		s.missingMu.Unlock()
		return noPartition(topic, p, n)
	}
	cl.ForceMetadataRefresh()
	wait := time.NewTimer(s.cfg.dialTimeout)
	defer wait.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !mayHave(cl, topic, p) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("produce to %s/%d: %w", topic, p, ctx.Err())
		case <-wait.C:
			return fmt.Errorf("partition %d of %s is new and the producer has not seen it after %s: send again in a moment", p, topic, s.cfg.dialTimeout)
		case <-tick.C:
		}
	}
	return nil
}

// missingPartitions notes that topic had no partition from `from` on, at.
type missingPartitions struct {
	from int32
	at   time.Time
}

// partitionCount asks the cluster, not a cache, how many partitions topic
// has.
func (s *Session) partitionCount(ctx context.Context, topic string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := s.cl.RequestCachedMetadata(ctx, req, time.Nanosecond)
	if err != nil {
		return 0, fmt.Errorf("look up %s: %w", topic, err)
	}
	for _, t := range resp.Topics {
		if t.Topic == nil || *t.Topic != topic {
			continue
		}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			if errors.Is(err, kerr.UnknownTopicOrPartition) {
				return 0, fmt.Errorf("topic %q does not exist: check the name with `mskx topics`", topic)
			}
			return 0, fmt.Errorf("look up %s: %w", topic, err)
		}
		return len(t.Partitions), nil
	}
	return 0, fmt.Errorf("topic %q does not exist: check the name with `mskx topics`", topic)
}

// ProduceSync sends m and waits for its delivery.
func (s *Session) ProduceSync(ctx context.Context, m Message) Delivery {
	ch := make(chan Delivery, 1)
	s.Produce(ctx, m, func(d Delivery) { ch <- d })
	return <-ch
}

// Flush waits until every record produced so far has its delivery.
func (s *Session) Flush(ctx context.Context) error {
	s.prodMu.Lock()
	cl := s.prod
	s.prodMu.Unlock()
	if cl == nil {
		return nil
	}
	return cl.Flush(ctx)
}

// Notices returns things the session decided on its own that the user
// should know, such as producing without idempotence.
func (s *Session) Notices() []string {
	s.prodMu.Lock()
	defer s.prodMu.Unlock()
	return append([]string(nil), s.notices...)
}

func (m Message) record(ctx context.Context) *kgo.Record {
	r := &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers, Partition: m.Partition, Timestamp: m.Timestamp, Context: ctx}
	if m.Partition != AnyPartition {
		r.Context = context.WithValue(ctx, fixedPartitionKey{}, true)
	}
	return r
}

// producer returns the producing client, creating it on first use, and
// what will say why it was closed if failed logins close it.
func (s *Session) producer() (*kgo.Client, bool, *retirement, error) {
	s.prodMu.Lock()
	defer s.prodMu.Unlock()
	if s.prod != nil {
		return s.prod, s.idempotent, s.prodRet, nil
	}
	if s.closed {
		return nil, false, nil, errSessionClosed
	}
	l := newLink(s.connectErr)
	l.onLoginFail = func(err error, inARow int) { s.loginFailed(l, err, inARow) }
	opts := []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordPartitioner(fixedOrSticky{kgo.StickyKeyPartitioner(nil)}),
		kgo.RecordDeliveryTimeout(deliveryTimeout),
		kgo.ProducerLinger(0),
		kgo.WithHooks(l),
		// A partition whose leader moved waits for fresh metadata, and
		// franz-go's default spacing of 5s between refreshes would hold
		// a send that long per move; Kafka's own producer waits 100ms.
		kgo.MetadataMinAge(producerMetadataMinAge),
	}
	if !s.idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	cl, err := kgo.NewClient(s.clientOpts(opts...)...)
	if err != nil {
		return nil, false, nil, fmt.Errorf("configure producer: %w", err)
	}
	s.prod, s.prodLink, s.prodRet = cl, l, &retirement{}
	return cl, s.idempotent, s.prodRet, nil
}

// retirement is why a producer was closed under its records: set when the
// cluster would not let it log in, so that those records fail with that
// reason rather than with "client closed".
type retirement struct {
	mu  sync.Mutex
	err error
}

func (r *retirement) why() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// loginFailed closes the producer that l follows once logging in has
// failed twice in a row for a reason other than the network: credentials
// that cannot be had or are refused, an untrusted certificate. A record
// whose request went out on a connection that then died is one franz-go
// will not fail, to keep idempotent writes exact, until a broker answers
// for it; no broker will while the login fails, so it would wait forever,
// delivery timeout or not. Closing fails it, and every other record
// waiting, with the reason. The next send makes a new producer.
func (s *Session) loginFailed(l *link, err error, inARow int) {
	if inARow < 2 {
		return // MSK now and then refuses a good token once; twice is no fluke
	}
	// Not from the hook: Close holds no lock, but closing waits for the
	// client's connections, one of which is calling us.
	go s.retireProducer(l, err)
}

// retireProducer closes the producer that l follows, if it is still the
// session's, failing its records with err.
func (s *Session) retireProducer(l *link, err error) {
	s.prodMu.Lock()
	cl, ret := s.prod, s.prodRet
	if cl == nil || s.prodLink != l {
		s.prodMu.Unlock()
		return
	}
	s.prod, s.prodRet = nil, nil
	s.prodMu.Unlock()
	ret.mu.Lock()
	ret.err = err
	ret.mu.Unlock()
	cl.Close() // unlocked: its promises take prodMu
}

// replaced reports whether cl is no longer the session's producer but
// another has taken its place; after Close none does.
func (s *Session) replaced(cl *kgo.Client) bool {
	s.prodMu.Lock()
	defer s.prodMu.Unlock()
	return s.prod != cl && !s.closed
}

// dropIdempotence replaces the idempotent producer cl with a plain one, once.
func (s *Session) dropIdempotence(cl *kgo.Client) {
	s.prodMu.Lock()
	defer s.prodMu.Unlock()
	if s.prod != cl || !s.idempotent {
		return
	}
	s.idempotent = false
	s.prod, s.prodRet = nil, nil
	s.notices = append(s.notices, idemRefusedNotice)
	// Closing waits for this client's promises, one of which is running
	// now; close in the background. Records still buffered there fail
	// with ErrClientClosed and are sent again on the new client.
	go cl.Close()
}

type fixedPartitionKey struct{}

// fixedOrSticky uses the record's own partition when the caller fixed one
// and franz-go's sticky key partitioner otherwise, so that one producer
// serves both.
type fixedOrSticky struct{ kgo.Partitioner }

func (f fixedOrSticky) ForTopic(t string) kgo.TopicPartitioner {
	return &fixedOrStickyTopic{f.Partitioner.ForTopic(t)}
}

type fixedOrStickyTopic struct{ kgo.TopicPartitioner }

func (f *fixedOrStickyTopic) RequiresConsistency(r *kgo.Record) bool {
	return isFixed(r) || f.TopicPartitioner.RequiresConsistency(r)
}

func (f *fixedOrStickyTopic) Partition(r *kgo.Record, n int) int {
	if isFixed(r) {
		return int(r.Partition) // out of range fails the record
	}
	return f.TopicPartitioner.Partition(r, n)
}

func (f *fixedOrStickyTopic) OnNewBatch() {
	if nb, ok := f.TopicPartitioner.(kgo.TopicPartitionerOnNewBatch); ok {
		nb.OnNewBatch()
	}
}

func isFixed(r *kgo.Record) bool {
	return r.Context != nil && r.Context.Value(fixedPartitionKey{}) != nil
}
