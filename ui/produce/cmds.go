package produce

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
)

// Producer sends records and reports each delivery once, from any
// goroutine; *kafka.Session is one.
type Producer interface {
	Produce(ctx context.Context, m kafka.Message, done func(kafka.Delivery))
}

// batch is one press of send: n records built from one template, copied
// from the fields in Update.
type batch struct {
	topic     string
	key       []byte // nil for no key; may hold {{i}}
	value     []byte // may hold {{i}}
	headers   []kgo.RecordHeader
	partition int32
	n         int
	firstID   int
	// Held bytes go out as they are, {{i}} included.
	literalKey, literalValue bool
	done                     []chan kafka.Delivery
}

// outbox hands batches to the producer in the order they were sent. The
// Cmds of one send, and of sends in quick succession, run concurrently in
// any order; were each to produce its own record, record 2 could precede
// record 1 in a partition. Instead Update queues the batch here (a copy,
// under a lock, no I/O) and whichever Cmd runs first sends everything
// queued so far, in order. The outbox is the only thing Cmds share with
// the pane, and it is safe for that.
type outbox struct {
	p       Producer
	mu      sync.Mutex // guards queue
	queue   []*batch
	sending sync.Mutex // one sender at a time keeps the order
}

// sendCmds queues b and returns one Cmd per record, each waiting for its
// own delivery, so that deliveries come back as they arrive and neither
// Update nor the form ever waits for the cluster.
func (o *outbox) sendCmds(b batch) []tea.Cmd {
	b.done = make([]chan kafka.Delivery, b.n)
	for i := range b.done {
		b.done[i] = make(chan kafka.Delivery, 1) // so done never blocks franz-go
	}
	o.mu.Lock()
	o.queue = append(o.queue, &b)
	o.mu.Unlock()
	cmds := make([]tea.Cmd, b.n)
	for i := range cmds {
		id, ch := b.firstID+i, b.done[i]
		cmds[i] = func() tea.Msg {
			o.flush()
			return DeliveredMsg{ID: id, Delivery: <-ch}
		}
	}
	return cmds
}

// flush produces every queued batch, oldest first. Building the records
// here, off the event loop, keeps a large repeat from stalling the form.
func (o *outbox) flush() {
	o.sending.Lock()
	defer o.sending.Unlock()
	for {
		o.mu.Lock()
		q := o.queue
		o.queue = nil
		o.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, b := range q {
			b.produce(o.p)
		}
	}
}

func (b *batch) produce(p Producer) {
	for i := range b.n {
		m := kafka.Message{Topic: b.topic, Key: b.key, Value: b.value, Headers: b.headers, Partition: b.partition}
		if m.Key != nil && !b.literalKey {
			m.Key = expand(m.Key, i+1)
		}
		if !b.literalValue {
			m.Value = expand(m.Value, i+1)
		}
		ch := b.done[i]
		p.Produce(context.Background(), m, func(d kafka.Delivery) { ch <- d })
	}
}
