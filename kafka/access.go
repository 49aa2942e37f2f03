package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// AccessOptions says what CheckAccess tries: the cluster always, a topic's
// describe and read, a write only when asked (it leaves a record behind),
// and a consumer group's offsets when a group is named.
type AccessOptions struct {
	Topic string
	Group string
	// Write produces one small record to Topic, the only way to know a
	// write is allowed. Without it the write is reported skipped.
	Write bool
	// Resources names the cluster in the ARNs of the results and advice.
	Resources Resources
	// Timeout bounds each step, so that a check never hangs on a broker
	// that does not answer; 0 means 10s.
	Timeout time.Duration
}

// The verdicts of an AccessResult.
const (
	VerdictAllowed = "allowed"
	VerdictDenied  = "denied"
	VerdictError   = "error"
	VerdictSkipped = "skipped"
)

// AccessResult is what one check found for one kafka-cluster action.
// Verdict is "allowed", "denied" (an authorization or authentication
// refusal), "error" (the step failed for another reason, so the action is
// unknown) or "skipped" (not tried; Detail says why).
type AccessResult struct {
	// Action is the IAM action the step needs, e.g. kafka-cluster:DescribeTopic.
	// On SCRAM, TLS and plaintext clusters ACLs decide instead, but the
	// action still names what was tried.
	Action string
	// Resource is the ARN the action applies to; unknown parts are wildcards.
	Resource string
	Verdict  string
	// Detail is what was found when allowed, the explained error otherwise,
	// or why the step was skipped.
	Detail string
	// Advice is set for a refusal on an IAM connection.
	Advice *Advice
	// Err is the step's error for denied and error verdicts.
	Err error
}

// defaultAccessTimeout bounds each access step when the options do not.
const defaultAccessTimeout = 10 * time.Second

// checkHeader marks the record a write check leaves in the topic, so that
// whoever reads the topic can tell it apart from real data.
const checkHeader = "mskx-check"

// describeOp is the bit of the ACL operation DESCRIBE in an authorized
// operations bitfield (KIP-430).
const describeOp = 1 << kmsg.ACLOperationDescribe

// CheckAccess tries, in order, what the tool needs of the cluster with
// these credentials and returns one result per action: Connect (a metadata
// request), DescribeCluster, then for o.Topic DescribeTopic (metadata and
// offsets), ReadData (a fetch from the earliest offsets, which an empty
// topic answers too), WriteData and WriteDataIdempotently (only with
// o.Write), and for o.Group DescribeGroup (the group and its committed
// offsets); AlterGroup is reported skipped, as trying it would move the
// group's offsets. With a topic but no group, DescribeGroup is reported
// skipped. A step that depends on a failed one is skipped. Every
// step is bounded by o.Timeout. It reports rather than fails, so that one
// run shows everything a policy lacks.
func (s *Session) CheckAccess(ctx context.Context, o AccessOptions) []AccessResult {
	if o.Timeout <= 0 {
		o.Timeout = defaultAccessTimeout
	}
	a := &accessRun{s: s, o: o, arns: newARNs(o.Resources)}
	if !a.cluster(ctx) {
		a.skipRest("the cluster did not answer")
		return a.results
	}
	if o.Topic != "" {
		if td, ok := a.describeTopic(ctx); ok {
			a.read(ctx, td)
			a.write(ctx)
		} else {
			why := "the topic could not be described"
			a.skip("kafka-cluster:ReadData", a.arns.topic(o.Topic), why)
			a.skip("kafka-cluster:WriteData", a.arns.topic(o.Topic), why)
		}
	}
	if o.Topic != "" || o.Group != "" {
		a.group(ctx)
	}
	return a.results
}

// accessRun collects the results of one CheckAccess.
type accessRun struct {
	s       *Session
	o       AccessOptions
	arns    arns
	results []AccessResult
}

// step runs fn bounded by the step timeout.
func (a *accessRun) step(ctx context.Context, fn func(ctx context.Context) (string, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, a.o.Timeout)
	defer cancel()
	return fn(ctx)
}

// add records the outcome of a step: allowed without error, denied for a
// refusal, error otherwise.
func (a *accessRun) add(action, resource, detail string, err error) bool {
	r := AccessResult{Action: action, Resource: resource, Verdict: VerdictAllowed, Detail: detail}
	if err != nil {
		r.Verdict, r.Detail, r.Err = VerdictError, err.Error(), err
		if isRefusal(err) {
			r.Verdict = VerdictDenied
		}
		if adv, ok := Advise(err, a.o.Resources); ok {
			r.Advice = &adv
		}
	}
	a.results = append(a.results, r)
	return err == nil
}

func (a *accessRun) skip(action, resource, why string) {
	a.results = append(a.results, AccessResult{Action: action, Resource: resource, Verdict: VerdictSkipped, Detail: why})
}

// skipRest reports every step after the cluster's as skipped.
func (a *accessRun) skipRest(why string) {
	if a.o.Topic != "" {
		for _, act := range []string{"kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:WriteData"} {
			a.skip(act, a.arns.topic(a.o.Topic), why)
		}
	}
	if a.o.Group != "" {
		a.skip("kafka-cluster:DescribeGroup", a.arns.group(a.o.Group), why)
	}
}

// isRefusal reports whether err is the cluster saying no to these
// credentials, as opposed to failing.
func isRefusal(err error) bool {
	var ke *kerr.Error
	return errors.As(err, &ke) && (isAuthzErr(ke) || ke == kerr.SaslAuthenticationFailed)
}

// cluster checks Connect with a metadata request and DescribeCluster with
// the DescribeCluster API; it reports whether the cluster answered.
func (a *accessRun) cluster(ctx context.Context) bool {
	detail, err := a.step(ctx, func(ctx context.Context) (string, error) {
		c, err := a.s.Metadata(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("cluster %s answered: %d brokers", c.ID, len(c.Brokers)), nil
	})
	if !a.add("kafka-cluster:Connect", a.arns.cluster(), detail, err) {
		a.skip("kafka-cluster:DescribeCluster", a.arns.cluster(), "the cluster did not answer")
		return false
	}

	var unsupported bool
	detail, err = a.step(ctx, func(ctx context.Context) (string, error) {
		// Kafka answers DescribeCluster to anyone connected; what
		// DESCRIBE on the cluster allows shows in the authorized
		// operations, 0 when it is refused.
		req := kmsg.NewPtrDescribeClusterRequest()
		req.IncludeClusterAuthorizedOperations = true
		resp, err := req.RequestWith(ctx, a.s.cl)
		if err == nil {
			err = kerr.ErrorForCode(resp.ErrorCode)
		}
		switch {
		case errors.Is(err, kerr.UnsupportedVersion) || err != nil && strings.Contains(err.Error(), "broker is too old"):
			unsupported = true
			return "", nil
		case err != nil:
			return "", a.s.fail(OpDescribeCluster, "", "", fmt.Errorf("describe cluster: %w", err))
		case resp.ClusterAuthorizedOperations == math.MinInt32:
			return "answered; the cluster does not report what it allows", nil
		case resp.ClusterAuthorizedOperations&describeOp == 0:
			return "", a.s.fail(OpDescribeCluster, "", "", fmt.Errorf("describe cluster: the cluster reports DESCRIBE on it is not allowed: %w", kerr.ClusterAuthorizationFailed))
		}
		return fmt.Sprintf("cluster %s, controller %d", resp.ClusterID, resp.ControllerID), nil
	})
	if unsupported {
		a.skip("kafka-cluster:DescribeCluster", a.arns.cluster(), "the cluster does not support the DescribeCluster API (Kafka before 2.8)")
		return true
	}
	a.add("kafka-cluster:DescribeCluster", a.arns.cluster(), detail, err)
	return true
}

// topicState is what describing the topic found, for the read.
type topicState struct {
	id     kadm.TopicID
	leader map[int32]int32 // partition -> leader broker
	start  map[int32]int64 // partition -> earliest offset
}

// describeTopic checks DescribeTopic: the topic's metadata and its offsets,
// which MSK allows with the same action.
func (a *accessRun) describeTopic(ctx context.Context) (topicState, bool) {
	topic := a.o.Topic
	ts := topicState{leader: map[int32]int32{}, start: map[int32]int64{}}
	detail, err := a.step(ctx, func(ctx context.Context) (string, error) {
		details, err := a.s.adm.ListTopicsWithInternal(ctx, topic)
		if err != nil {
			return "", a.s.fail(OpDescribeTopic, topic, "", fmt.Errorf("describe topic %s: %w", topic, err))
		}
		d, ok := details[topic]
		if !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
			// Not a refusal: a cluster answers unknown only to
			// those allowed to describe the topic.
			return "", fmt.Errorf("topic %q does not exist: check the name with `mskx topics`", topic)
		}
		if d.Err != nil {
			return "", a.s.fail(OpDescribeTopic, topic, "", fmt.Errorf("describe topic %s: %w", topic, d.Err))
		}
		ts.id = d.ID
		for _, p := range d.Partitions {
			ts.leader[p.Partition] = p.Leader
		}
		starts, err := a.s.adm.ListStartOffsets(ctx, topic)
		if err == nil {
			err = starts.Error()
		}
		if err != nil {
			return "", a.s.fail(OpDescribeTopic, topic, "", fmt.Errorf("list start offsets of %s: %w", topic, err))
		}
		ends, err := a.s.adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = ends.Error()
		}
		if err != nil {
			return "", a.s.fail(OpDescribeTopic, topic, "", fmt.Errorf("list end offsets of %s: %w", topic, err))
		}
		var msgs int64
		starts.Each(func(l kadm.ListedOffset) {
			ts.start[l.Partition] = l.Offset
			if e, ok := ends.Lookup(topic, l.Partition); ok && e.Offset > l.Offset {
				msgs += e.Offset - l.Offset
			}
		})
		return fmt.Sprintf("%d partitions, %d messages", len(d.Partitions), msgs), nil
	})
	return ts, a.add("kafka-cluster:DescribeTopic", a.arns.topic(topic), detail, err)
}

// read checks ReadData with one fetch per leader from the earliest offsets.
// A fetch is answered, empty or not, only when reading is allowed, so an
// empty topic proves it as well as a full one.
func (a *accessRun) read(ctx context.Context, ts topicState) {
	topic := a.o.Topic
	detail, err := a.step(ctx, func(ctx context.Context) (string, error) {
		byLeader := map[int32][]int32{}
		for p, l := range ts.leader {
			if l >= 0 {
				byLeader[l] = append(byLeader[l], p)
			}
		}
		if len(byLeader) == 0 {
			return "", fmt.Errorf("no partition of %s has a leader: the topic cannot be read now", topic)
		}
		var bytes, parts int
		for _, leader := range slices.Sorted(maps.Keys(byLeader)) {
			req := kmsg.NewPtrFetchRequest()
			req.MaxWaitMillis, req.MinBytes, req.MaxBytes = 100, 1, 1<<20
			ft := kmsg.NewFetchRequestTopic()
			ft.Topic, ft.TopicID = topic, [16]byte(ts.id)
			for _, p := range slices.Sorted(slices.Values(byLeader[leader])) {
				fp := kmsg.NewFetchRequestTopicPartition()
				fp.Partition, fp.FetchOffset, fp.PartitionMaxBytes = p, ts.start[p], 64<<10
				ft.Partitions = append(ft.Partitions, fp)
			}
			req.Topics = append(req.Topics, ft)
			kresp, err := a.s.cl.Broker(int(leader)).Request(ctx, req)
			if err != nil {
				return "", a.s.fail(OpRead, topic, "", fmt.Errorf("fetch %s from broker %d: %w", topic, leader, err))
			}
			resp := kresp.(*kmsg.FetchResponse)
			if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
				return "", a.s.fail(OpRead, topic, "", fmt.Errorf("fetch %s from broker %d: %w", topic, leader, err))
			}
			for _, rt := range resp.Topics {
				for _, rp := range rt.Partitions {
					if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
						return "", a.s.fail(OpRead, topic, "", fmt.Errorf("fetch %s/%d: %w", topic, rp.Partition, err))
					}
					bytes += len(rp.RecordBatches)
					parts++
				}
			}
		}
		if bytes == 0 {
			return fmt.Sprintf("fetched %d partitions from the earliest offset: nothing there yet", parts), nil
		}
		return fmt.Sprintf("fetched %d bytes from %d partitions at the earliest offset", bytes, parts), nil
	})
	a.add("kafka-cluster:ReadData", a.arns.topic(topic), detail, err)
}

// write checks WriteData by producing one record, and from how the
// session's producer fared, WriteDataIdempotently.
func (a *accessRun) write(ctx context.Context) {
	topic := a.o.Topic
	switch {
	case !a.o.Write:
		a.skip("kafka-cluster:WriteData", a.arns.topic(topic), "pass --write to test it (it writes one record)")
		return
	case a.s.cfg.readOnly:
		a.skip("kafka-cluster:WriteData", a.arns.topic(topic), "the session is read-only")
		return
	}
	detail, err := a.step(ctx, func(ctx context.Context) (string, error) {
		m := Message{
			Topic:     topic,
			Partition: AnyPartition,
			Value:     []byte("mskx check: write access test"),
			Headers:   []kgo.RecordHeader{{Key: checkHeader, Value: []byte("written by mskx check --write to test write access; safe to ignore")}},
		}
		ch := make(chan Delivery, 1)
		a.s.Produce(ctx, m, func(d Delivery) { ch <- d })
		select {
		case d := <-ch:
			if d.Err != nil {
				return "", d.Err
			}
			return fmt.Sprintf("wrote one record to partition %d at offset %d", d.Partition, d.Offset), nil
		case <-ctx.Done():
			return "", a.s.fail(OpWrite, topic, "", fmt.Errorf("produce to %s: no acknowledgement: %w", topic, ctx.Err()))
		}
	})
	if !a.add("kafka-cluster:WriteData", a.arns.topic(topic), detail, err) {
		a.skip("kafka-cluster:WriteDataIdempotently", a.arns.cluster(), "the write failed")
		return
	}
	a.s.prodMu.Lock()
	idem := a.s.idempotent
	a.s.prodMu.Unlock()
	if idem {
		a.add("kafka-cluster:WriteDataIdempotently", a.arns.cluster(), "the write was idempotent", nil)
		return
	}
	// The session fell back to plain writes; the refusal behind that is
	// only in its notice, so it is restated here for Advise.
	a.add("kafka-cluster:WriteDataIdempotently", a.arns.cluster(), "",
		a.s.fail(OpWrite, topic, "", fmt.Errorf("%s: %w", idemRefusedNotice, kerr.ClusterAuthorizationFailed)))
}

// group checks DescribeGroup by describing the group and fetching its
// committed offsets, both of which leave it as it is.
func (a *accessRun) group(ctx context.Context) {
	g := a.o.Group
	if g == "" {
		a.skip("kafka-cluster:DescribeGroup", a.arns.group(""), "pass --group to test it")
		return
	}
	detail, err := a.step(ctx, func(ctx context.Context) (string, error) {
		described, err := a.s.adm.DescribeGroups(ctx, g)
		if err == nil {
			err = described[g].Err
		}
		if errors.Is(err, kerr.GroupIDNotFound) {
			err = nil // allowed to ask: the group just has no members or commits yet
		}
		if err != nil {
			return "", a.s.fail(OpDescribeGroup, a.o.Topic, g, fmt.Errorf("describe group %s: %w", g, err))
		}
		d := described[g]
		offs, err := a.s.adm.FetchOffsets(ctx, g)
		if err == nil {
			err = offs.Error()
		}
		if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
			return "", a.s.fail(OpDescribeGroup, a.o.Topic, g, fmt.Errorf("fetch offsets of group %s: %w", g, err))
		}
		n := 0
		offs.Each(func(o kadm.OffsetResponse) {
			if (a.o.Topic == "" || o.Topic == a.o.Topic) && o.At >= 0 {
				n++
			}
		})
		state := d.State
		if state == "" || state == "Dead" {
			state = "not active"
		}
		detail := fmt.Sprintf("group %s: %s, %d members, %d committed offsets", g, state, len(d.Members), n)
		if a.o.Topic != "" {
			detail += " on " + a.o.Topic
		}
		return detail, nil
	})
	a.add("kafka-cluster:DescribeGroup", a.arns.group(g), detail, err)
	a.skip("kafka-cluster:AlterGroup", a.arns.group(g), "testing it would commit offsets for the group")
}

// AccessPolicy is one IAM policy document that allows every refused action
// in results, merged from their advice so that a user adds one policy
// rather than one per refusal. It is "" when no result has advice.
func AccessPolicy(results []AccessResult) string {
	type statement struct {
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource []string `json:"Resource"`
	}
	var merged []statement
	for _, r := range results {
		if r.Advice == nil {
			continue
		}
		var doc struct{ Statement []statement }
		if err := json.Unmarshal([]byte(r.Advice.Policy), &doc); err != nil {
			continue // Advise writes valid JSON; nothing to merge otherwise
		}
	next:
		for _, st := range doc.Statement {
			for i := range merged {
				if slices.Equal(merged[i].Resource, st.Resource) {
					for _, act := range st.Action {
						if !slices.Contains(merged[i].Action, act) {
							merged[i].Action = append(merged[i].Action, act)
						}
					}
					continue next
				}
			}
			merged = append(merged, st)
		}
	}
	if len(merged) == 0 {
		return ""
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", merged}
	b, _ := json.MarshalIndent(doc, "", "  ") // plain strings: cannot fail
	return string(b)
}
