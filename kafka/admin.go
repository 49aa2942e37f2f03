package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Topic administration. Every write refuses on a read-only session before
// anything reaches the cluster, and cluster errors keep their operation
// (OpError) so that an IAM refusal can be turned into the policy it needs.

// RefreshMetadata fetches every topic's metadata afresh. The client serves
// topic lists and partition counts from a cache for up to five seconds
// (franz-go's MetadataMinAge); after a topic is created, deleted or grows,
// or when a person asks for a refresh, the next Topics and DescribeTopic
// should see the cluster as it is now. The admin methods here do it after
// every change.
func (s *Session) RefreshMetadata(ctx context.Context) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	// No topics named: all of them. Any cache entry older than the limit
	// is fetched again, which with a nanosecond is every entry.
	if _, err := s.cl.RequestCachedMetadata(ctx, kmsg.NewPtrMetadataRequest(), time.Nanosecond); err != nil {
		return Explain(fmt.Errorf("refresh metadata: %w", err), s.ep)
	}
	return nil
}

// changed refreshes the metadata after a successful change. A failure
// here is not the change's: the list is merely stale until the next
// refresh, so it is dropped.
func (s *Session) changed(ctx context.Context) {
	_ = s.RefreshMetadata(ctx)
}

// maxTopicNameLen is Kafka's limit on topic names (249, so that the
// partition directory name stays within file system limits).
const maxTopicNameLen = 249

// ValidateTopicName applies Kafka's rule for topic names, so that a typo
// such as a space is caught before a request is sent rather than coming
// back as a terse INVALID_TOPIC_EXCEPTION.
func ValidateTopicName(name string) error {
	switch {
	case name == "":
		return errors.New("topic name is empty: write 1 to 249 letters, digits, '.', '_' or '-'")
	case name == "." || name == "..":
		return fmt.Errorf("topic name %q is not allowed: Kafka reserves \".\" and \"..\"", name)
	case len(name) > maxTopicNameLen:
		return fmt.Errorf("topic name is %d characters long: Kafka allows at most %d", len(name), maxTopicNameLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("topic name %q has %q: names hold only letters, digits, '.', '_' and '-'", name, r)
		}
	}
	return nil
}

// ValidateTopicConfig checks the value of the topic configs the UI offers
// (retention.ms, retention.bytes, cleanup.policy, min.insync.replicas,
// max.message.bytes), so that a wrong value is named in one sentence before
// the broker answers INVALID_CONFIG. Other names pass: the broker knows its
// own configs better than a list kept here would.
func ValidateTopicConfig(name, value string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("config name is empty")
	}
	switch name {
	case "retention.ms":
		return checkInt(name, value, -1, 64, "milliseconds, or -1 to keep messages forever")
	case "retention.bytes":
		return checkInt(name, value, -1, 64, "bytes per partition, or -1 for no size limit")
	case "min.insync.replicas":
		return checkInt(name, value, 1, 32, "replicas, 1 or more")
	case "max.message.bytes":
		return checkInt(name, value, 0, 32, "bytes, 0 or more")
	case "cleanup.policy":
		return checkCleanupPolicy(value)
	}
	return nil
}

// checkInt requires value to be a whole number of bits bits, at least lo.
func checkInt(name, value string, lo int64, bits int, unit string) error {
	n, err := strconv.ParseInt(value, 10, bits)
	if err != nil || n < lo {
		return fmt.Errorf("%s %q: write a whole number of %s", name, value, unit)
	}
	return nil
}

// checkCleanupPolicy accepts delete, compact, or both in either order.
func checkCleanupPolicy(value string) error {
	bad := fmt.Errorf("cleanup.policy %q: write delete, compact or compact,delete", value)
	seen := map[string]bool{}
	for _, p := range strings.Split(value, ",") {
		p = strings.TrimSpace(p)
		if (p != "delete" && p != "compact") || seen[p] {
			return bad
		}
		seen[p] = true
	}
	return nil
}

// AddPartitions raises a topic's partition count to total. Kafka cannot
// remove partitions, so a total that is not above the current count is
// refused here with the count it has. Adding partitions changes which
// partition a key goes to, which the caller should have made clear.
func (s *Session) AddPartitions(ctx context.Context, topic string, total int) error {
	if s.cfg.readOnly {
		return fmt.Errorf("add partitions to %s: %w", topic, ErrReadOnly)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	parts, err := s.partitionsOf(ctx, topic)
	if err != nil {
		return s.fail(OpAddPartitions, topic, "", fmt.Errorf("add partitions to %s: %w", topic, err))
	}
	if total <= len(parts) {
		return fmt.Errorf("topic %s has %d partitions: the new total must be more than %d, since Kafka cannot remove partitions", topic, len(parts), len(parts))
	}
	resp, err := s.adm.UpdatePartitions(ctx, total, topic)
	if err == nil {
		_, err = resp.On(topic, func(r *kadm.CreatePartitionsResponse) error { return withMessage(r.Err, r.ErrMessage) })
	}
	if err != nil {
		return s.fail(OpAddPartitions, topic, "", fmt.Errorf("add partitions to %s: %w", topic, err))
	}
	s.changed(ctx)
	s.prodMu.Lock()
	if s.prod != nil {
		s.prod.ForceMetadataRefresh() // so that sends to the new partitions work at once
	}
	s.prodMu.Unlock()
	return nil
}

// SetTopicConfig sets one topic config with an incremental alter, leaving
// every other config as it is. Values of the configs ValidateTopicConfig
// knows are checked first.
func (s *Session) SetTopicConfig(ctx context.Context, topic, name, value string) error {
	if s.cfg.readOnly {
		return fmt.Errorf("set %s on %s: %w", name, topic, ErrReadOnly)
	}
	if err := ValidateTopicConfig(name, value); err != nil {
		return err
	}
	return s.alterConfig(ctx, topic, kadm.AlterConfig{Op: kadm.SetConfig, Name: name, Value: &value},
		fmt.Sprintf("set %s=%s on %s", name, value, topic))
}

// ResetTopicConfig removes a topic's own value of a config, so the broker
// (or cluster) default applies again.
func (s *Session) ResetTopicConfig(ctx context.Context, topic, name string) error {
	if s.cfg.readOnly {
		return fmt.Errorf("reset %s on %s: %w", name, topic, ErrReadOnly)
	}
	if strings.TrimSpace(name) == "" {
		return errors.New("config name is empty")
	}
	return s.alterConfig(ctx, topic, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: name},
		fmt.Sprintf("reset %s on %s", name, topic))
}

func (s *Session) alterConfig(ctx context.Context, topic string, c kadm.AlterConfig, what string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	resp, err := s.adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{c}, topic)
	if err == nil {
		_, err = resp.On(topic, func(r *kadm.AlterConfigsResponse) error { return withMessage(r.Err, r.ErrMessage) })
	}
	if err != nil {
		return s.fail(OpAlterConfig, topic, "", fmt.Errorf("%s: %w", what, unknownTopic(topic, err)))
	}
	return nil
}

// DeleteTopic deletes a topic and every message in it. There is no undo;
// callers ask for confirmation.
func (s *Session) DeleteTopic(ctx context.Context, topic string) error {
	if s.cfg.readOnly {
		return fmt.Errorf("delete topic %s: %w", topic, ErrReadOnly)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	resp, err := s.adm.DeleteTopics(ctx, topic)
	if err == nil {
		_, err = resp.On(topic, func(r *kadm.DeleteTopicResponse) error { return withMessage(r.Err, r.ErrMessage) })
	}
	if err != nil {
		return s.fail(OpDeleteTopic, topic, "", fmt.Errorf("delete topic %s: %w", topic, unknownTopic(topic, err)))
	}
	// A refresh keeps a cached topic younger than the cache's age even
	// when the cluster no longer lists it, so the deleted one is dropped
	// by name.
	s.cl.PurgeTopicsFromClient(topic)
	s.changed(ctx)
	return nil
}

// withMessage adds the broker's own explanation, when it gave one, to a
// per-item error: "INVALID_CONFIG" alone rarely says what was wrong.
func withMessage(err error, msg string) error {
	if err == nil || msg == "" || strings.Contains(err.Error(), msg) {
		return err
	}
	return fmt.Errorf("%w (%s)", err, msg)
}

// unknownTopic says in words that the topic does not exist, keeping the
// kerr error reachable with errors.Is.
func unknownTopic(topic string, err error) error {
	if errors.Is(err, kerr.UnknownTopicOrPartition) {
		return &noTopicError{topic: topic, err: err}
	}
	return err
}

// noTopicError reads as a sentence rather than as the broker's code.
type noTopicError struct {
	topic string
	err   error
}

func (e *noTopicError) Error() string {
	return fmt.Sprintf("topic %q does not exist: check the name with `mskx topics`", e.topic)
}

func (e *noTopicError) Unwrap() error { return e.err }
