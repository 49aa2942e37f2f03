package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The topics and consumer groups a Demo creates.
const (
	DemoTopicOrders  = "orders"          // JSON order events with headers; live traffic
	DemoTopicAppLogs = "app-logs"        // plain-text log lines keyed by service; live traffic
	DemoTopicSensors = "sensor-readings" // 16-byte little-endian binary readings
	DemoTopicDLQ     = "payments.dlq"    // failed payments, a tombstone and hostile text

	DemoGroupBilling  = "billing-service" // consumes orders and stays behind
	DemoGroupArchiver = "log-archiver"    // consumes app-logs and keeps up
)

// demoTopic is one sample topic: its shape and how many records it starts
// with, so that every pane has something to show before live traffic arrives.
type demoTopic struct {
	name       string
	partitions int32
	prefill    int
	configs    map[string]string
}

func demoTopics() []demoTopic {
	// retention.bytes on the live topics bounds the memory a demo left
	// running for days can take; kfake enforces it on its own timer.
	const perPartition = "8388608"
	return []demoTopic{
		{DemoTopicOrders, 6, 500, map[string]string{"retention.bytes": perPartition}},
		{DemoTopicAppLogs, 3, 300, map[string]string{"retention.bytes": perPartition}},
		{DemoTopicSensors, 2, 200, nil},
		// 14 days, a common choice for a DLQ: long enough to replay
		// after a holiday.
		{DemoTopicDLQ, 1, 0, map[string]string{"retention.ms": "1209600000"}},
	}
}

// demoBrokers is three so that partitions have different leaders, which the
// topic detail is there to show.
const demoBrokers = 3

// DemoOpt configures a Demo started by StartDemo.
type DemoOpt interface{ applyDemo(*demoCfg) }

type demoOpt func(*demoCfg)

func (o demoOpt) applyDemo(c *demoCfg) { o(c) }

type demoCfg struct {
	rate       float64
	seed       int64
	seeded     bool
	historyEnd time.Time
	logf       func(format string, args ...any)
}

// maxDemoRate keeps a typo from turning the demo into a load test.
const maxDemoRate = 5000

// DemoRate sets how many records per second, in total, the live traffic
// produces to orders and app-logs, with jitter around it. The default is 4,
// slow enough to read as it scrolls. 0 stops live traffic, leaving only the
// pre-filled records, which tests use to compare demos.
func DemoRate(recordsPerSecond float64) DemoOpt {
	return demoOpt(func(c *demoCfg) { c.rate = recordsPerSecond })
}

// DemoSeed makes the content of the records deterministic: the same seed and
// DemoHistoryEnd give the same pre-filled records and the same sequence of
// live ones. By default the seed comes from the clock.
func DemoSeed(seed int64) DemoOpt {
	return demoOpt(func(c *demoCfg) { c.seed, c.seeded = seed, true })
}

// DemoHistoryEnd sets when the pre-filled records' hour of history ends,
// overriding the time StartDemo is called; with DemoSeed it pins every
// timestamp of the pre-filled records. Live records carry the wall clock.
func DemoHistoryEnd(t time.Time) DemoOpt {
	return demoOpt(func(c *demoCfg) { c.historyEnd = t })
}

// DemoLogf receives problems the background traffic meets, such as a failed
// produce or commit. By default they are dropped. Nothing is logged after
// Close returns.
func DemoLogf(fn func(format string, args ...any)) DemoOpt {
	return demoOpt(func(c *demoCfg) { c.logf = fn })
}

func (c *demoCfg) validate() error {
	if math.IsNaN(c.rate) || c.rate < 0 || c.rate > maxDemoRate {
		return fmt.Errorf("DemoRate %v is not between 0 and %d records per second", c.rate, maxDemoRate)
	}
	return nil
}

// Demo is a running demo cluster with live traffic: sample topics in several
// formats, a producer, and two consumer groups, one lagging and one not.
type Demo struct {
	*Cluster

	topics    []string
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	clients   []*kgo.Client
	closeOnce sync.Once
}

// StartDemo starts a plaintext cluster of three brokers on 127.0.0.1 with
// ports the system picks, creates and fills the sample topics, and runs
// background traffic and consumer groups until Close. If it fails, nothing
// is left running.
func StartDemo(opts ...DemoOpt) (*Demo, error) {
	cfg := demoCfg{rate: 4}
	for _, o := range opts {
		o.applyDemo(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("kafkatest: %w", err)
	}
	if !cfg.seeded {
		cfg.seed = time.Now().UnixNano()
	}
	if cfg.historyEnd.IsZero() {
		cfg.historyEnd = time.Now()
	}

	c, err := Start(Plaintext(), NumBrokers(demoBrokers), Logf(cfg.logf))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Demo{Cluster: c, cancel: cancel}
	if err := d.start(ctx, &cfg); err != nil {
		d.Close()
		return nil, fmt.Errorf("kafkatest: start demo: %w", err)
	}
	return d, nil
}

// Topics returns the names of the sample topics, in a fixed order.
func (d *Demo) Topics() []string { return slices.Clone(d.topics) }

// Close stops the traffic and the consumer groups, waits for their
// goroutines, then stops the cluster. It is safe to call more than once.
func (d *Demo) Close() {
	d.closeOnce.Do(func() {
		d.cancel()
		d.wg.Wait()
		for _, cl := range d.clients {
			cl.Close() // leaves the group, so it shows Empty, as after a deploy
		}
		d.Cluster.Close()
	})
}

func (d *Demo) start(ctx context.Context, cfg *demoCfg) error {
	topics := demoTopics()
	for i, t := range topics {
		if err := d.Kfake.CreateTopic(t.name, t.partitions, t.configs); err != nil {
			return fmt.Errorf("create topic %s: %w", t.name, err)
		}
		// kfake picks leaders at random; spread them instead so that
		// every broker leads something in every demo.
		for p := range t.partitions {
			if err := d.Kfake.MoveTopicPartition(t.name, p, (p+int32(i))%demoBrokers); err != nil {
				return fmt.Errorf("place %s/%d: %w", t.name, p, err)
			}
		}
		d.topics = append(d.topics, t.name)
	}

	prod, err := d.client(kgo.ClientID("mskx-demo-producer"), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		return err
	}
	g := newDemoGen(cfg.seed)
	fillCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := prod.ProduceSync(fillCtx, g.history(cfg.historyEnd, topics)...).FirstErr(); err != nil {
		return fmt.Errorf("fill sample topics: %w", err)
	}

	// billing-service has been running before: it has a commit on every
	// partition, so its lag counts from there from the first refresh rather
	// than only on the partitions its first batches happen to come from.
	start := kadm.Offsets{}
	for _, t := range topics {
		if t.name == DemoTopicOrders {
			for p := range t.partitions {
				start.Add(kadm.Offset{Topic: t.name, Partition: p, At: 0, LeaderEpoch: -1})
			}
		}
	}
	if err := kadm.NewClient(prod).CommitAllOffsets(fillCtx, DemoGroupBilling, start); err != nil {
		return fmt.Errorf("commit billing-service's start: %w", err)
	}

	billing := &billingQueue{}
	drop := func(_ context.Context, _ *kgo.Client, lost map[string][]int32) { billing.drop(lost) }
	billCl, err := d.groupClient(DemoGroupBilling, DemoTopicOrders, kgo.OnPartitionsRevoked(drop), kgo.OnPartitionsLost(drop))
	if err != nil {
		return err
	}
	archCl, err := d.groupClient(DemoGroupArchiver, DemoTopicAppLogs)
	if err != nil {
		return err
	}

	if cfg.rate > 0 {
		d.wg.Add(1)
		go d.produce(ctx, prod, g, cfg.rate)
	}
	d.wg.Add(2)
	go d.bill(ctx, billCl, billing, cfg.rate)
	go d.archive(ctx, archCl)
	return nil
}

// client makes a client of the demo cluster that Close closes.
func (d *Demo) client(opts ...kgo.Opt) (*kgo.Client, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(d.Brokers...)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("demo client: %w", err)
	}
	d.clients = append(d.clients, cl)
	return cl, nil
}

// groupClient joins group on topic with manual commits, the way services that
// must not lose records consume. Rebalances wait for the loop between polls,
// so the revoke callbacks never race a commit.
func (d *Demo) groupClient(group, topic string, opts ...kgo.Opt) (*kgo.Client, error) {
	return d.client(append([]kgo.Opt{
		kgo.ClientID(group),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
	}, opts...)...)
}

// produce sends live records until ctx ends: three in five are orders, the
// rest log lines, spaced around 1/rate apart.
func (d *Demo) produce(ctx context.Context, cl *kgo.Client, g *demoGen, rate float64) {
	defer d.wg.Done()
	period := time.Duration(float64(time.Second) / rate)
	t := time.NewTimer(period)
	defer t.Stop()
	failed := func(r *kgo.Record, err error) {
		if err != nil && ctx.Err() == nil {
			d.logf("demo: produce to %s: %v", r.Topic, err)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now().Truncate(time.Millisecond)
		var r *kgo.Record
		if g.rng.IntN(5) < 3 {
			r = g.order(now)
		} else {
			r = g.logLine(now)
		}
		cl.Produce(ctx, r, failed)
		t.Reset(time.Duration(float64(period) * (0.5 + g.rng.Float64())))
	}
}

// archive is log-archiver: it commits everything it polls, so its lag stays
// near zero.
func (d *Demo) archive(ctx context.Context, cl *kgo.Client) {
	defer d.wg.Done()
	defer cl.AllowRebalance()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return
		}
		if d.fetchErrors(DemoGroupArchiver, fs) {
			sleep(ctx, time.Second) // do not spin on a broken cluster
		}
		if fs.NumRecords() > 0 {
			if err := cl.CommitUncommittedOffsets(ctx); err != nil && ctx.Err() == nil {
				d.logf("demo: %s commit: %v", DemoGroupArchiver, err)
			}
		}
		cl.AllowRebalance()
	}
}

// The billing service's pace: every billingTick it works off part of its
// backlog, aiming at a lag that swings over billingPeriod, so the groups pane
// shows lag that is never zero and never still.
const (
	billingTick     = 500 * time.Millisecond
	billingPeriod   = 90 * time.Second
	billingQueueCap = 4096 // records fetched but not yet "billed"
)

// billingBatch is how many queued records to bill now: those above the target
// lag, at most a few times the produce rate so that the initial backlog
// drains visibly rather than at once. The target starts low so that the first
// commits come within a tick.
func billingBatch(rate float64, elapsed time.Duration, queued int) int {
	base := 20 + 10*rate
	target := int(base * (1 - 0.75*math.Cos(2*math.Pi*elapsed.Seconds()/billingPeriod.Seconds())))
	target = min(target, billingQueueCap/2)
	perTick := max(1, int(math.Ceil((3*rate+20)*billingTick.Seconds())))
	return max(0, min(queued-target, perTick))
}

// bill is billing-service: it fetches eagerly into a queue and commits only
// what it has worked off, so its committed offsets trail the head.
func (d *Demo) bill(ctx context.Context, cl *kgo.Client, q *billingQueue, rate float64) {
	defer d.wg.Done()
	defer cl.AllowRebalance()
	start := time.Now()
	next := start.Add(billingTick)
	for {
		wait := time.Until(next)
		switch room := billingQueueCap - q.len(); {
		case wait > 0 && room > 0:
			pctx, cancel := context.WithTimeout(ctx, wait)
			fs := cl.PollRecords(pctx, room)
			cancel()
			if d.fetchErrors(DemoGroupBilling, fs) {
				sleep(ctx, time.Until(next))
			}
			q.push(fs.Records())
		case wait > 0:
			sleep(ctx, wait)
		}
		if ctx.Err() != nil {
			return
		}
		if now := time.Now(); !now.Before(next) {
			next = now.Add(billingTick)
			if done := q.pop(billingBatch(rate, now.Sub(start), q.len())); len(done) > 0 {
				if err := cl.CommitRecords(ctx, done...); err != nil && ctx.Err() == nil {
					d.logf("demo: %s commit: %v", DemoGroupBilling, err)
				}
			}
		}
		cl.AllowRebalance()
	}
}

// fetchErrors logs a poll's errors other than the end of a wait, and reports
// whether there were any.
func (d *Demo) fetchErrors(group string, fs kgo.Fetches) bool {
	var found bool
	fs.EachError(func(t string, p int32, err error) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		found = true
		d.logf("demo: %s fetch %s/%d: %v", group, t, p, err)
	})
	return found
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// billingQueue holds what billing-service has fetched and not yet billed. A
// rebalance callback drops what it no longer owns, from another goroutine.
type billingQueue struct {
	mu   sync.Mutex
	recs []*kgo.Record
}

func (q *billingQueue) push(rs []*kgo.Record) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.recs = append(q.recs, rs...)
}

func (q *billingQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.recs)
}

// pop removes and returns the n oldest records. They are in fetch order, so
// the last of each partition among them is the one to commit past.
func (q *billingQueue) pop(n int) []*kgo.Record {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.recs))
	out := slices.Clone(q.recs[:n])
	q.recs = slices.Delete(q.recs, 0, n)
	return out
}

func (q *billingQueue) drop(lost map[string][]int32) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.recs = slices.DeleteFunc(q.recs, func(r *kgo.Record) bool { return slices.Contains(lost[r.Topic], r.Partition) })
}
