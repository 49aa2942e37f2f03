package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultRingSize is how many records a tail keeps when not told otherwise:
// enough to scroll back through, bounded so that a busy topic cannot
// exhaust memory.
const DefaultRingSize = 10000

// tailFetchBytes caps each fetch response of a tail's consumer, where
// franz-go's default allows 50 MiB a broker (and more once decompressed):
// the memory of a tail is its ring plus what is in flight, and the ring's
// records share the buffers of the fetches they came in, so small fetches
// keep both small however many partitions the topic has. A batch larger
// than this still comes whole.
const tailFetchBytes = 1 << 20

// TailOptions says what a tail reads and how much it keeps.
type TailOptions struct {
	Start      Start
	Partitions []int32 // nil for all
	// RingSize is how many of the newest records are kept; 0 means
	// DefaultRingSize.
	RingSize int
	// Recheck is how often the tail asks the cluster whether the topic
	// gained partitions (read from their start when all partitions are
	// tailed) or was deleted (which stops the tail); 0 means
	// DefaultRecheck.
	Recheck time.Duration
}

// DefaultRecheck is how often a tail rechecks its topic when not told
// otherwise: often enough that a change shows while someone watches, rare
// enough to cost the cluster nothing.
const DefaultRecheck = 10 * time.Second

// TailState is where a tail stands.
type TailState int

// Tail states.
const (
	TailStarting TailState = iota
	TailRunning
	TailFailed  // stopped with an error
	TailStopped // closed by the caller
	// TailReconnecting is a running tail that lost a broker it reads
	// from; TailStats.Err says why. It resumes by itself where it was.
	TailReconnecting
)

// PartitionStats is one partition's progress in a tail.
type PartitionStats struct {
	Partition int32
	// Next is the offset after the last record or transaction marker
	// received; -1 before any.
	Next int64
	// High is where the partition's committed records end as last fetched
	// (the last stable offset); -1 unknown.
	High int64
	// Received counts records received from this partition.
	Received int64
}

// TailStats is a snapshot of a tail's counters.
type TailStats struct {
	State      TailState
	Received   int64
	Started    time.Time
	Partitions []PartitionStats // sorted by partition
	// Err is the error that stopped the tail, why it is reconnecting, or
	// the latest fetch error while it goes on.
	Err error
	// Notice is something the tail did on its own that the reader should
	// know, such as "partitions added: now 6"; "" for nothing.
	Notice string
}

// Tail reads a topic in the background into a bounded ring of the newest
// records. Readers take a window of the ring (Window) and counters (Stats)
// whenever they draw, so the cost of looking depends on the window, never on
// how much was consumed.
type Tail struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	ring     []*kgo.Record
	head     int // index of the oldest record when full
	n        int // records in the ring
	received int64
	seq      uint64 // bumps on every change, so readers can skip redraws
	parts    map[int32]*PartitionStats
	state    TailState
	err      error
	notice   string
	started  time.Time
	// link follows the consumer's connections: franz-go retries a lost
	// broker without a word to the consumer, so Stats asks the link.
	link *link
}

// Tail starts reading topic with its own consumer (direct assignment, no
// group, so nobody's committed offsets move). Close stops it.
func (s *Session) Tail(ctx context.Context, topic string, o TailOptions) *Tail {
	size := o.RingSize
	if size <= 0 {
		size = DefaultRingSize
	}
	ctx, cancel := context.WithCancel(ctx)
	t := &Tail{cancel: cancel, done: make(chan struct{}), ring: make([]*kgo.Record, size), parts: map[int32]*PartitionStats{}, started: time.Now()}
	t.link = newLink(s.connectErr)
	t.link.onChange = t.bump
	recheck := o.Recheck
	if recheck <= 0 {
		recheck = DefaultRecheck
	}
	go func() {
		defer close(t.done)
		err := s.consume(ctx, topic, ConsumeOptions{
			Start:        o.Start,
			Partitions:   o.Partitions,
			OnError:      t.setErr,
			hooks:        []kgo.Hook{t.link},
			recheck:      recheck,
			onPartitions: t.partitionsAdded,

			maxFetchBytes: tailFetchBytes,
		}, t.ingest)
		t.mu.Lock()
		defer t.mu.Unlock()
		t.seq++
		switch {
		case err != nil && !errors.Is(err, context.Canceled):
			t.state, t.err = TailFailed, err
		default:
			t.state = TailStopped
		}
	}()
	return t
}

// bump tells readers that something changed.
func (t *Tail) bump() {
	t.mu.Lock()
	t.seq++
	t.mu.Unlock()
}

// partitionsAdded notes that the topic has grown to n partitions.
func (t *Tail) partitionsAdded(n int, reading bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.notice = fmt.Sprintf("partitions added: now %d", n)
	if !reading {
		t.notice += " (reading only those chosen)"
	}
	t.seq++
}

func (t *Tail) setErr(err error) {
	t.mu.Lock()
	t.err = err
	t.seq++
	t.mu.Unlock()
}

// ingest adds one fetched partition's records under one lock; next is the
// offset after the last one fetched, transaction markers included.
func (t *Tail) ingest(p *kgo.FetchPartition, next int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.state, t.err = TailRunning, nil
	ps := t.parts[p.Partition]
	if ps == nil {
		ps = &PartitionStats{Partition: p.Partition, Next: -1, High: -1}
		t.parts[p.Partition] = ps
	}
	// A tail reads committed records, so its end is the last stable offset
	// (the high watermark when no transaction is open).
	ps.High = p.HighWatermark
	if p.LastStableOffset >= 0 {
		ps.High = p.LastStableOffset
	}
	size := len(t.ring)
	recs := p.Records
	if len(recs) > size {
		recs = recs[len(recs)-size:]
	}
	for _, r := range recs {
		if t.n < size {
			t.ring[(t.head+t.n)%size] = r
			t.n++
		} else {
			t.ring[t.head] = r
			t.head = (t.head + 1) % size
		}
	}
	ps.Next = next
	ps.Received += int64(len(p.Records))
	t.received += int64(len(p.Records))
	t.seq++
	return nil
}

// Len is how many records the ring holds now.
func (t *Tail) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// Seq changes whenever the tail changes; equal values mean nothing to redraw.
func (t *Tail) Seq() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq
}

// Window returns up to n records ending `back` records before the newest,
// oldest first. Window(0, h) is the newest screenful.
func (t *Tail) Window(back, n int) []*kgo.Record {
	t.mu.Lock()
	defer t.mu.Unlock()
	if back < 0 {
		back = 0
	}
	end := t.n - back
	if end <= 0 || n <= 0 {
		return nil
	}
	start := max(end-n, 0)
	out := make([]*kgo.Record, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, t.ring[(t.head+i)%len(t.ring)])
	}
	return out
}

// Stats returns the tail's counters.
func (t *Tail) Stats() TailStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := TailStats{State: t.state, Received: t.received, Started: t.started, Err: t.err, Notice: t.notice}
	if st.State == TailStarting || st.State == TailRunning {
		if err := t.link.err(); err != nil {
			st.State, st.Err = TailReconnecting, err
		}
	}
	for _, p := range t.parts {
		st.Partitions = append(st.Partitions, *p)
	}
	sort.Slice(st.Partitions, func(i, j int) bool { return st.Partitions[i].Partition < st.Partitions[j].Partition })
	return st
}

// Close stops the tail and waits for its consumer to close.
func (t *Tail) Close() {
	t.cancel()
	<-t.done
}

// Done is closed when the tail has stopped.
func (t *Tail) Done() <-chan struct{} { return t.done }

// Since returns the records received after the first `from` the tail ever
// received, oldest first, at most the newest limit of them, and the count to
// pass as from next time. It lets a reader look at each new record once, at
// a cost bounded by limit, however fast records arrive: one that falls
// behind misses the oldest records it had not read, rather than making the
// tail keep them.
func (t *Tail) Since(from int64, limit int) ([]*kgo.Record, int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// The ring holds the newest t.n of all t.received records, even after a
	// fetch larger than the ring: ingest keeps that fetch's newest records,
	// the very ones the ring would have kept.
	k := min(t.received-max(from, 0), int64(t.n), int64(max(limit, 0)))
	if k <= 0 {
		return nil, t.received
	}
	out := make([]*kgo.Record, k)
	for i := range out {
		out[i] = t.ring[(t.head+t.n-int(k)+i)%len(t.ring)]
	}
	return out, t.received
}
