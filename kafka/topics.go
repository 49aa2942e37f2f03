package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Topic is one line of the topic list.
type Topic struct {
	Name        string
	Internal    bool
	Partitions  int
	Replication int
	// Messages is the sum over partitions of high minus low watermark: what
	// the log holds, which overcounts compacted topics and transaction markers.
	Messages int64
	// Err is set when the topic or some of its offsets could not be read;
	// the other fields hold what could.
	Err error
}

// Topics lists every topic the credentials can describe, internal topics
// included (callers filter), sorted by name, with message counts. Per-topic
// failures are kept in Topic.Err rather than failing the whole list.
func (s *Session) Topics(ctx context.Context) ([]Topic, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	details, err := s.adm.ListTopicsWithInternal(ctx)
	if err != nil {
		return nil, s.fail(OpListTopics, "", "", fmt.Errorf("list topics: %w", err))
	}
	names := details.Names()
	starts, ends, offErr := s.watermarks(ctx, details)
	out := make([]Topic, 0, len(names))
	for _, name := range names {
		d := details[name]
		t := Topic{Name: name, Internal: d.IsInternal, Partitions: len(d.Partitions), Replication: d.Partitions.NumReplicas(), Err: d.Err}
		for p := range d.Partitions {
			lo, okLo := starts.Lookup(name, p)
			hi, okHi := ends.Lookup(name, p)
			switch {
			case !okLo || !okHi:
				if t.Err == nil {
					t.Err = offErr
				}
			case lo.Err != nil || hi.Err != nil:
				if t.Err == nil {
					t.Err = errors.Join(lo.Err, hi.Err)
				}
			case hi.Offset > lo.Offset:
				t.Messages += hi.Offset - lo.Offset
			}
		}
		// Kept per topic, with its name, so that a refusal names the topic
		// the policy must allow.
		t.Err = s.fail(OpListTopics, name, "", t.Err)
		out = append(out, t)
	}
	return out, nil
}

// watermarks lists the start and end offsets of topics. A partition that
// answers with a retryable error (a leader that has just moved, a request
// that timed out, a partition a broker does not know yet) is asked again,
// twice at most, so that a blip does not show as a failed row. A refused
// topic makes franz-go's admin client give up the whole listing part way,
// leaving the topics after it without offsets; then each topic is asked
// alone, so that the others keep their counts and the refusal shows on its
// own row.
func (s *Session) watermarks(ctx context.Context, details kadm.TopicDetails) (starts, ends kadm.ListedOffsets, err error) {
	names := details.Names()
	starts, ends, err = s.watermarksOf(ctx, names...)
	var ke *kerr.Error
	if len(names) < 2 || !errors.As(err, &ke) || !isAuthzErr(ke) {
		return starts, ends, err
	}
	starts, ends = kadm.ListedOffsets{}, kadm.ListedOffsets{}
	for _, name := range names {
		lo, hi, err := s.watermarksOf(ctx, name)
		if err != nil {
			failed := map[int32]kadm.ListedOffset{}
			for p := range details[name].Partitions {
				failed[p] = kadm.ListedOffset{Topic: name, Partition: p, Err: err}
			}
			lo, hi = kadm.ListedOffsets{name: failed}, kadm.ListedOffsets{name: failed}
		}
		starts[name], ends[name] = lo[name], hi[name]
	}
	return starts, ends, nil
}

func (s *Session) watermarksOf(ctx context.Context, names ...string) (starts, ends kadm.ListedOffsets, err error) {
	for try := 1; ; try++ {
		var errS, errE error
		starts, errS = s.adm.ListStartOffsets(ctx, names...)
		ends, errE = s.adm.ListEndOffsets(ctx, names...)
		err = errors.Join(errS, errE)
		if try == 3 || err != nil || !retriable(starts) && !retriable(ends) {
			return starts, ends, err
		}
		select {
		case <-ctx.Done():
			return starts, ends, err
		case <-time.After(time.Duration(try) * 200 * time.Millisecond):
		}
	}
}

func retriable(l kadm.ListedOffsets) bool {
	again := false
	l.Each(func(o kadm.ListedOffset) { again = again || kerr.IsRetriable(o.Err) })
	return again
}

// PartitionInfo is one partition of a topic's detail.
type PartitionInfo struct {
	Partition int32
	Leader    int32
	Replicas  []int32
	ISR       []int32
	Low, High int64
	Err       error
}

// ConfigEntry is one topic config and where its value comes from.
type ConfigEntry struct {
	Name      string
	Value     string
	Source    string // e.g. DEFAULT_CONFIG, DYNAMIC_TOPIC_CONFIG
	Sensitive bool
}

// TopicDetail is a topic's partitions and configs.
type TopicDetail struct {
	Name       string
	Internal   bool
	Partitions []PartitionInfo
	Configs    []ConfigEntry
	// ConfigErr is set when configs could not be read (for instance, the
	// IAM policy lacks kafka-cluster:DescribeTopicDynamicConfiguration);
	// partitions are still shown.
	ConfigErr error
}

// DescribeTopic returns a topic's partitions with leader, replicas, ISR and
// watermarks, and its configs.
func (s *Session) DescribeTopic(ctx context.Context, topic string) (TopicDetail, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	details, err := s.adm.ListTopicsWithInternal(ctx, topic)
	if err != nil {
		return TopicDetail{}, s.fail(OpDescribeTopic, topic, "", fmt.Errorf("describe topic %s: %w", topic, err))
	}
	d, ok := details[topic]
	if !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
		return TopicDetail{}, fmt.Errorf("topic %q does not exist: check the name with `mskx topics`", topic)
	}
	if d.Err != nil {
		return TopicDetail{}, s.fail(OpDescribeTopic, topic, "", fmt.Errorf("describe topic %s: %w", topic, d.Err))
	}
	td := TopicDetail{Name: topic, Internal: d.IsInternal}
	starts, errS := s.adm.ListStartOffsets(ctx, topic)
	ends, errE := s.adm.ListEndOffsets(ctx, topic)
	for _, p := range d.Partitions.Sorted() {
		pi := PartitionInfo{Partition: p.Partition, Leader: p.Leader, Replicas: p.Replicas, ISR: p.ISR, Low: -1, High: -1, Err: p.Err}
		if lo, ok := starts.Lookup(topic, p.Partition); ok && lo.Err == nil {
			pi.Low = lo.Offset
		} else if pi.Err == nil {
			pi.Err = errors.Join(errS, lo.Err)
		}
		if hi, ok := ends.Lookup(topic, p.Partition); ok && hi.Err == nil {
			pi.High = hi.Offset
		} else if pi.Err == nil {
			pi.Err = errors.Join(errE, hi.Err)
		}
		pi.Err = s.fail(OpDescribeTopic, topic, "", pi.Err)
		td.Partitions = append(td.Partitions, pi)
	}
	rcs, err := s.adm.DescribeTopicConfigs(ctx, topic)
	if err == nil && len(rcs) == 1 {
		err = rcs[0].Err
	}
	if err != nil {
		td.ConfigErr = s.fail(OpDescribeConfigs, topic, "", fmt.Errorf("describe configs of %s: %w", topic, err))
		return td, nil
	}
	for _, c := range rcs[0].Configs {
		e := ConfigEntry{Name: c.Key, Source: c.Source.String(), Sensitive: c.Sensitive}
		if c.Value != nil {
			e.Value = *c.Value
		}
		td.Configs = append(td.Configs, e)
	}
	sort.Slice(td.Configs, func(i, j int) bool { return td.Configs[i].Name < td.Configs[j].Name })
	return td, nil
}

// CreateTopic creates a topic; replication -1 uses the broker default (on
// MSK Serverless the service fixes it). A read-only session refuses with
// ErrReadOnly.
func (s *Session) CreateTopic(ctx context.Context, topic string, partitions int32, replication int16, configs map[string]*string) error {
	if s.cfg.readOnly {
		return fmt.Errorf("create topic %s: %w", topic, ErrReadOnly)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	resp, err := s.adm.CreateTopic(ctx, partitions, replication, configs, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		return s.fail(OpCreateTopic, topic, "", fmt.Errorf("create topic %s: %w", topic, err))
	}
	// The next list should show the new topic, not kadm's cached metadata.
	_ = s.RefreshMetadata(ctx) // best effort: the topic exists either way
	return nil
}

// partitionsOf returns a topic's partition numbers, or an error saying the
// topic does not exist.
func (s *Session) partitionsOf(ctx context.Context, topic string) ([]int32, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	details, err := s.adm.ListTopicsWithInternal(ctx, topic)
	if err != nil {
		return nil, s.fail(OpDescribeTopic, topic, "", fmt.Errorf("describe topic %s: %w", topic, err))
	}
	d, ok := details[topic]
	if !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
		return nil, fmt.Errorf("topic %q does not exist: check the name with `mskx topics`", topic)
	}
	if d.Err != nil {
		return nil, s.fail(OpDescribeTopic, topic, "", fmt.Errorf("describe topic %s: %w", topic, d.Err))
	}
	return d.Partitions.Numbers(), nil
}
