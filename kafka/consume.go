package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// defaultCommitTimeout bounds the final commit of a group consume, so that
// quitting never waits long on an unreachable coordinator.
const defaultCommitTimeout = 10 * time.Second

// ErrStop, returned by a consume callback, ends the consume without error.
var ErrStop = errors.New("stop consuming")

// ConsumeOptions says what to read.
type ConsumeOptions struct {
	// Start is where to begin in every partition; with Group, only where the
	// group has no committed offset.
	Start Start
	// Partitions limits reading to these partitions; nil reads all.
	Partitions []int32
	// Count stops after this many records; 0 means no limit.
	Count int
	// UntilEnd stops once every partition reaches the end it had when
	// reading began.
	UntilEnd bool
	// Group joins this consumer group and commits what was handed to the
	// callback. Without it nothing is committed and nobody's offsets move.
	Group string
	// Uncommitted reads every record, those of transactions still open or
	// aborted too (Kafka's read_uncommitted). Without it only committed
	// records are read (read_committed, as librdkafka and kcat do) and the
	// end that UntilEnd stops at is the last stable offset: a transaction
	// left open does not hold a read back until it times out.
	Uncommitted bool
	// OnError, when set, is told about fetch errors and reading goes on
	// (franz-go retries what is retryable); without it the first fetch
	// error ends the consume.
	OnError func(error)

	// hooks are added to the consumer's client. recheck, when positive,
	// is how often the topic is looked up again while reading all or
	// chosen partitions without a group and without UntilEnd: partitions
	// added since are read from their start when all are read,
	// onPartitions is told the new count, and a topic gone from the
	// cluster ends the consume with ErrTopicDeleted. (A group is given
	// new partitions by its coordinator.)
	hooks        []kgo.Hook
	recheck      time.Duration
	onPartitions func(n int, reading bool)
	// maxFetchBytes, when positive, caps what one fetch response may hold
	// (franz-go's default is 50 MiB a broker), bounding the memory of a
	// reader that keeps little of what it reads.
	maxFetchBytes int32
}

// ErrTopicDeleted ends a tail whose topic was deleted while it read.
var ErrTopicDeleted = errors.New("topic deleted")

// followFetchWait is how long the broker may hold an idle fetch of a
// consume that follows its topic: Kafka's own consumers wait 500ms,
// franz-go 5s, which would leave added partitions unread that long.
const followFetchWait = time.Second

// Consume reads topic and calls fn for every record, in offset order within
// each partition, until ctx is done, fn returns an error (ErrStop ends it
// cleanly), Count records were handed over, or UntilEnd is met.
func (s *Session) Consume(ctx context.Context, topic string, o ConsumeOptions, fn func(*kgo.Record) error) error {
	n := 0
	return s.consume(ctx, topic, o, func(p *kgo.FetchPartition, _ int64) error {
		for i, r := range p.Records {
			err := fn(r)
			if err == nil {
				n++
				if o.Count > 0 && n >= o.Count {
					i, err = i+1, ErrStop
				}
			}
			if err != nil {
				// A group commits only what was handed over.
				p.Records = p.Records[:i]
				return err
			}
		}
		return nil
	})
}

// positions resolves where each partition starts and, for UntilEnd, where it
// ends, from the watermarks listed now.
type positions struct {
	start map[int32]int64
	end   map[int32]int64
}

func (s *Session) resolve(ctx context.Context, topic string, parts []int32, st Start, uncommitted bool) (positions, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	lows, err := s.adm.ListStartOffsets(ctx, topic)
	if err == nil {
		err = lows.Error()
	}
	if err != nil {
		return positions{}, s.fail(OpRead, topic, "", fmt.Errorf("list start offsets of %s: %w", topic, err))
	}
	list := s.adm.ListCommittedOffsets // the last stable offsets
	if uncommitted {
		list = s.adm.ListEndOffsets
	}
	highs, err := list(ctx, topic)
	if err == nil {
		err = highs.Error()
	}
	if err != nil {
		return positions{}, s.fail(OpRead, topic, "", fmt.Errorf("list end offsets of %s: %w", topic, err))
	}
	var atTime map[int32]int64
	if st.Kind == FromTime {
		listed, err := s.adm.ListOffsetsAfterMilli(ctx, st.Time.UnixMilli(), topic)
		if err == nil {
			err = listed.Error()
		}
		if err != nil {
			return positions{}, s.fail(OpRead, topic, "", fmt.Errorf("find offsets of %s at %s: %w", topic, st, err))
		}
		atTime = map[int32]int64{}
		listed.Each(func(l kadm.ListedOffset) { atTime[l.Partition] = l.Offset })
	}
	pos := positions{start: map[int32]int64{}, end: map[int32]int64{}}
	for _, p := range parts {
		lo, _ := lows.Lookup(topic, p)
		hi, _ := highs.Lookup(topic, p)
		pos.end[p] = hi.Offset
		var at int64
		switch st.Kind {
		case FromBeginning:
			at = lo.Offset
		case FromEnd:
			at = hi.Offset
		case FromOffset:
			at = min(max(st.Offset, lo.Offset), hi.Offset)
		case FromTail:
			at = max(hi.Offset-st.Offset, lo.Offset)
		case FromTime:
			at = atTime[p]
			if at < 0 { // no record at or after the time
				at = hi.Offset
			}
		}
		pos.start[p] = at
	}
	return pos, nil
}

// consume is the engine behind Consume and Tail: it hands over whole fetched
// partitions so that callers can take a lock once per batch, not per record,
// with next, the offset after the last one fetched. Transaction markers take
// offsets but are no records: they are taken out of the batch, so next can
// be past its last record, and a batch of markers only has none. A callback
// that fails truncates the batch to the records it took, which are the ones
// a group commits.
func (s *Session) consume(ctx context.Context, topic string, o ConsumeOptions, fn func(fp *kgo.FetchPartition, next int64) error) error {
	all, err := s.partitionsOf(ctx, topic)
	if err != nil {
		return err
	}
	parts := all
	if o.Partitions != nil {
		for _, p := range o.Partitions {
			if !slices.Contains(all, p) {
				return fmt.Errorf("topic %s has no partition %d: it has partitions 0 to %d", topic, p, len(all)-1)
			}
		}
		parts = o.Partitions
	}
	pos, err := s.resolve(ctx, topic, parts, o.Start, o.Uncommitted)
	if err != nil {
		return err
	}
	var opts []kgo.Opt
	if o.Group != "" {
		if o.Partitions != nil {
			return fmt.Errorf("a consumer group is assigned partitions by the cluster: drop -p, or drop -g to read chosen partitions")
		}
		opts = append(opts, kgo.ConsumerGroup(o.Group), kgo.ConsumeTopics(topic),
			kgo.ConsumeResetOffset(kgoOffset(o.Start)), kgo.AutoCommitMarks())
	} else {
		assign := map[int32]kgo.Offset{}
		for _, p := range parts {
			assign[p] = kgo.NewOffset().At(pos.start[p])
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: assign}))
	}
	opts = append(opts, kgo.WithHooks(o.hooks...), kgo.KeepControlRecords())
	if !o.Uncommitted {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	if o.Group == "" {
		// Ending ctx then fails the requests in flight at once. Else
		// Close waits for a fetch out to a silent broker until its read
		// deadline, seconds away. A group's client must outlive ctx to
		// commit and leave the group on the way out.
		opts = append(opts, kgo.WithContext(ctx))
	}
	if o.maxFetchBytes > 0 {
		opts = append(opts, kgo.FetchMaxBytes(o.maxFetchBytes))
	}
	if o.recheck > 0 {
		// Partitions added to a running consumer start being read when
		// its fetch in flight returns; an idle fetch waits up to this.
		opts = append(opts, kgo.FetchMaxWait(followFetchWait))
	}
	cl, err := kgo.NewClient(s.clientOpts(opts...)...)
	if err != nil {
		return fmt.Errorf("configure consumer: %w", err)
	}
	defer cl.Close()
	// Polling stops when ctx ends or, with its cause, when the topic goes.
	pctx, stopPolling := context.WithCancelCause(ctx)
	defer stopPolling(nil)
	if o.recheck > 0 && o.Group == "" && !o.UntilEnd {
		go s.follow(pctx, cl, topic, len(all), o.Partitions == nil, o, stopPolling)
	}

	// Partitions already at their end count as done for UntilEnd; with a
	// group, a partition starts at its committed offset when it has one.
	pending := map[int32]bool{}
	if o.UntilEnd {
		start := pos.start
		if o.Group != "" {
			if start, err = s.groupStarts(ctx, o.Group, topic, pos.start); err != nil {
				return err
			}
		}
		for _, p := range parts {
			if start[p] < pos.end[p] {
				pending[p] = true
			}
		}
		if len(pending) == 0 {
			return nil
		}
	}

	for {
		fetches := cl.PollFetches(pctx)
		if ctx.Err() != nil {
			return s.commitOnExit(cl, topic, o.Group, nil)
		}
		if pctx.Err() != nil {
			return context.Cause(pctx)
		}
		var fetchErr error
		fetches.EachError(func(t string, p int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, kgo.ErrClientClosed) {
				return
			}
			// A group's errors come without a topic; the read is still
			// of topic, which the advice needs alongside the group.
			err = s.fail(OpRead, topic, o.Group, fmt.Errorf("fetch %s/%d: %w", t, p, err))
			if o.OnError != nil {
				o.OnError(err)
			} else if fetchErr == nil {
				fetchErr = err
			}
		})
		if fetchErr != nil {
			return s.commitOnExit(cl, topic, o.Group, fetchErr)
		}
		var stop error
		fetches.EachPartition(func(ftp kgo.FetchTopicPartition) {
			fp := ftp.FetchPartition
			if stop != nil || len(fp.Records) == 0 {
				return
			}
			end := pos.end[fp.Partition]
			if o.UntilEnd {
				// Records past the end seen at start belong to a later run.
				i := len(fp.Records)
				for i > 0 && fp.Records[i-1].Offset >= end {
					i--
				}
				fp.Records = fp.Records[:i]
			}
			if len(fp.Records) == 0 {
				delete(pending, fp.Partition)
				return
			}
			last := fp.Records[len(fp.Records)-1]
			if last.Offset+1 >= end {
				delete(pending, fp.Partition)
			}
			fp.Records = dropMarkers(fp.Records)
			stop = fn(&fp, last.Offset+1)
			if o.Group != "" {
				// Committing past a batch's markers leaves no lag behind.
				if stop == nil {
					cl.MarkCommitRecords(last)
				} else if k := len(fp.Records); k > 0 {
					cl.MarkCommitRecords(fp.Records[k-1])
				}
			}
		})
		if stop != nil {
			if errors.Is(stop, ErrStop) {
				stop = nil
			}
			return s.commitOnExit(cl, topic, o.Group, stop)
		}
		if o.UntilEnd && len(pending) == 0 {
			return s.commitOnExit(cl, topic, o.Group, nil)
		}
	}
}

// dropMarkers takes transaction markers (control records) out of recs in
// place; a batch without any, the usual case, is only scanned.
func dropMarkers(recs []*kgo.Record) []*kgo.Record {
	i := slices.IndexFunc(recs, func(r *kgo.Record) bool { return r.Attrs.IsControl() })
	if i < 0 {
		return recs
	}
	kept := recs[:i]
	for _, r := range recs[i+1:] {
		if !r.Attrs.IsControl() {
			kept = append(kept, r)
		}
	}
	return kept
}

// follow looks topic up every o.recheck until ctx ends. Partitions beyond
// the known count are added to cl from their start when all partitions are
// read; a topic the cluster says twice in a row it does not have stops the
// polling with ErrTopicDeleted. Twice, because a broker that has just
// restarted, or one behind on metadata, can deny a topic for a moment.
// Failed lookups are skipped: the consumer's own errors say what is wrong.
func (s *Session) follow(ctx context.Context, cl *kgo.Client, topic string, known int, all bool, o ConsumeOptions, stop context.CancelCauseFunc) {
	tick := time.NewTicker(o.recheck)
	defer tick.Stop()
	missing := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := s.countPartitions(ctx, cl, topic)
		switch {
		case errors.Is(err, kerr.UnknownTopicOrPartition):
			if missing++; missing >= 2 {
				stop(fmt.Errorf("%w: %s no longer exists on the cluster", ErrTopicDeleted, topic))
				return
			}
			continue
		case err != nil:
			continue
		}
		missing = 0
		if n <= known {
			continue
		}
		if all {
			add := map[int32]kgo.Offset{}
			for p := known; p < n; p++ {
				add[int32(p)] = kgo.NewOffset().AtStart()
			}
			cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{topic: add})
			// Else the client learns where they live only at its next
			// scheduled metadata refresh, seconds away.
			cl.ForceMetadataRefresh()
		}
		known = n
		if o.onPartitions != nil {
			o.onPartitions(n, all)
		}
	}
}

// countPartitions asks the cluster, not a cache, how many partitions topic
// has; kerr.UnknownTopicOrPartition means it has no such topic.
func (s *Session) countPartitions(ctx context.Context, cl *kgo.Client, topic string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return 0, err
	}
	for _, t := range resp.Topics {
		if t.Topic != nil && *t.Topic == topic {
			if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
				return 0, err
			}
			return len(t.Partitions), nil
		}
	}
	return 0, kerr.UnknownTopicOrPartition
}

// commitOnExit commits what was handed over when reading with a group, so
// that the next run continues after it; err is passed through.
func (s *Session) commitOnExit(cl *kgo.Client, topic, group string, err error) error {
	if group == "" {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), defaultCommitTimeout)
	defer cancel()
	if cerr := cl.CommitMarkedOffsets(ctx); cerr != nil && err == nil {
		return s.fail(OpCommit, topic, group, fmt.Errorf("commit offsets of group %s: %w", group, cerr))
	}
	return err
}

// groupStarts returns where a group will start in each partition: its
// committed offset, or the resolved start where it has none.
func (s *Session) groupStarts(ctx context.Context, group, topic string, resolved map[int32]int64) (map[int32]int64, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	committed, err := s.adm.FetchOffsets(ctx, group)
	if err == nil {
		err = committed.Error()
	}
	if errors.Is(err, kerr.GroupIDNotFound) {
		err = nil // a new group: nothing committed yet
	}
	if err != nil {
		return nil, s.fail(OpDescribeGroup, topic, group, fmt.Errorf("fetch offsets of group %s: %w", group, err))
	}
	out := map[int32]int64{}
	for p, at := range resolved {
		out[p] = at
		if c, ok := committed.Lookup(topic, p); ok && c.At >= 0 {
			out[p] = c.At
		}
	}
	return out, nil
}

// kgoOffset turns a start into the offset a group uses where it has no
// commit. An absolute offset or a time cannot be expressed per partition
// there, so they map to their nearest franz-go form.
func kgoOffset(st Start) kgo.Offset {
	switch st.Kind {
	case FromBeginning:
		return kgo.NewOffset().AtStart()
	case FromOffset:
		return kgo.NewOffset().At(st.Offset)
	case FromTail:
		return kgo.NewOffset().AtEnd().Relative(-st.Offset)
	case FromTime:
		return kgo.NewOffset().AfterMilli(st.Time.UnixMilli())
	}
	return kgo.NewOffset().AtEnd()
}
