package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Group is one line of the consumer group list: what it is, who is in it
// and how far behind it is.
type Group struct {
	Name string
	// State is the coordinator's word for the group: Stable, Empty,
	// PreparingRebalance, CompletingRebalance or Dead.
	State string
	// Protocol is the assignor the members agreed on (range,
	// cooperative-sticky...); brokers report it only while Stable.
	Protocol string
	// ProtocolType is "consumer" for consumers, "connect" for Kafka
	// Connect workers, anything else for home-grown group users.
	ProtocolType string
	Members      int
	// Lag is the sum, over the partitions the group has committed to, of
	// high watermark minus committed offset: the records its consumers
	// have still to process. It is -1 when it cannot be computed, and Err
	// says why. Commits left on a deleted topic do not count.
	Lag int64
	// Err is set when the group or some of its offsets could not be read;
	// the other fields hold what could.
	Err error
}

// TopicPartitions is a set of partitions of one topic, sorted.
type TopicPartitions struct {
	Topic      string
	Partitions []int32
}

// GroupMember is one member of a group and what it was assigned. Assigned
// is empty for groups that are not consumers or are rebalancing, since only
// a stable consumer group's assignment can be read.
type GroupMember struct {
	ID string
	// InstanceID is the static member ID (group.instance.id), or "".
	InstanceID string
	ClientID   string
	Host       string
	Assigned   []TopicPartitions
}

// GroupPartition is where a group stands in one partition it is assigned
// or has committed to.
type GroupPartition struct {
	Topic     string
	Partition int32
	// Committed is the group's committed offset, the next record it will
	// read; -1 when it has none.
	Committed int64
	// High is the partition's high watermark, -1 when unknown.
	High int64
	// Lag is High minus Committed, never negative; -1 when either is
	// missing, for without a commit where the group starts depends on
	// the consumer's reset policy.
	Lag int64
	// Member is the client ID of the member the partition is assigned to,
	// "" when none is.
	Member string
	Err    error
}

// GroupDetail is a group with its members and the partitions it consumes,
// sorted by topic then partition.
type GroupDetail struct {
	Group
	// Coordinator is the broker that runs the group, -1 when unknown.
	Coordinator int32
	Members     []GroupMember
	Partitions  []GroupPartition
}

// Groups lists every group the credentials can see, sorted by name, with
// state, members and total lag. Per-group failures are kept in Group.Err
// rather than failing the list. When some brokers could not be asked, the
// groups of the others are returned along with the error.
func (s *Session) Groups(ctx context.Context) ([]Group, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	listed, err := s.adm.ListGroups(ctx)
	var listErr error
	if err != nil {
		var se *kadm.ShardErrors
		if !errors.As(err, &se) || se.AllFailed || len(listed) == 0 {
			return nil, s.fail(OpListGroups, "", "", fmt.Errorf("list groups: %w", err))
		}
		listErr = s.fail(OpListGroups, "", "", fmt.Errorf("list groups (some brokers did not answer): %w", err))
	}
	names := listed.Groups()
	details := s.gather(ctx, names, listed)
	out := make([]Group, len(details))
	for i, d := range details {
		out[i] = d.Group
	}
	return out, listErr
}

// DescribeGroup returns a group's members with their assignments and, for
// every partition the group is assigned or has committed to, the committed
// offset, high watermark and lag. A group the cluster does not know is an
// error; offsets that could not be read are kept in Err fields.
func (s *Session) DescribeGroup(ctx context.Context, name string) (GroupDetail, error) {
	if name == "" {
		// kadm reads no names as all groups.
		return GroupDetail{}, errors.New("describe group: no group name given")
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	d := s.gather(ctx, []string{name}, nil)[0]
	if d.describeErr != nil {
		return GroupDetail{}, d.describeErr
	}
	if d.State == "Dead" && len(d.Members) == 0 && len(d.Partitions) == 0 {
		return GroupDetail{}, s.fail(OpDescribeGroup, "", name, unknownGroupError(name))
	}
	return d.GroupDetail, nil
}

// unknownGroupError says a group does not exist; errors.Is matches it with
// kerr.GroupIDNotFound.
type unknownGroupError string

func (e unknownGroupError) Error() string {
	return fmt.Sprintf("group %q does not exist: check its name against the group list", string(e))
}

func (e unknownGroupError) Is(target error) bool { return target == kerr.GroupIDNotFound }

// gathered is a group's detail and, apart, the error that left it without
// a description.
type gathered struct {
	GroupDetail
	describeErr error
}

// gather asks for everything known about the named groups, in the same
// few requests whatever their number (more only after a refusal): their
// descriptions, their committed offsets and the high watermarks of the
// partitions they are assigned or committed to. listed fills in what a failed description leaves out. It
// returns one detail per name, in order.
func (s *Session) gather(ctx context.Context, names []string, listed kadm.ListedGroups) []gathered {
	if len(names) == 0 {
		return nil
	}
	described, derrs := s.describeGroups(ctx, names)
	fetched := s.adm.FetchManyOffsets(ctx, names...)
	topics := described.AssignedPartitions()
	for _, f := range fetched {
		if f.Err == nil {
			topics.Merge(f.CommittedPartitions())
		}
	}
	ends, endErr := s.endOffsets(ctx, topics.Topics())
	out := make([]gathered, len(names))
	for i, name := range names {
		out[i] = s.build(name, described[name], derrs[name], listed[name], fetched[name], ends, endErr)
	}
	return out
}

// describeGroups describes the groups in one request, keeping each group's
// own error. kadm fails the whole request when one group is refused, so a
// refusal is followed by one request per group, which keeps the others.
func (s *Session) describeGroups(ctx context.Context, names []string) (kadm.DescribedGroups, map[string]error) {
	errs := make(map[string]error)
	described, err := s.adm.DescribeGroups(ctx, names...)
	var ae *kadm.AuthError
	var se *kadm.ShardErrors
	switch {
	case err == nil:
	case errors.As(err, &ae) && len(names) > 1:
		described = make(kadm.DescribedGroups)
		for _, n := range names {
			d, err := s.adm.DescribeGroups(ctx, n)
			if err != nil {
				errs[n] = err
				continue
			}
			maps.Copy(described, d)
		}
	case errors.As(err, &se):
		for _, e := range se.Errs {
			if req, ok := e.Req.(*kmsg.DescribeGroupsRequest); ok {
				for _, g := range req.Groups {
					errs[g] = e.Err
				}
			}
		}
	default:
		for _, n := range names {
			errs[n] = err
		}
	}
	if described == nil {
		described = make(kadm.DescribedGroups)
	}
	for _, n := range names {
		d, ok := described[n]
		switch {
		case errs[n] != nil:
		case !ok:
			errs[n] = errors.New("the coordinator did not describe it")
		case errors.Is(d.Err, kerr.GroupIDNotFound):
			// Gone since it was listed, or never there: Kafka 2.x says
			// so with state Dead, newer brokers with this error.
			d.State, d.Err = "Dead", nil
			described[n] = d
		case d.Err != nil:
			errs[n] = d.Err
		}
	}
	return described, errs
}

// endOffsets lists the high watermarks of topics. kadm fails the whole
// listing when one topic is refused, so a refusal is followed by one
// listing per topic, and a refused topic's error is kept as kadm keeps a
// topic it could not describe: as partition -1.
func (s *Session) endOffsets(ctx context.Context, topics []string) (kadm.ListedOffsets, error) {
	if len(topics) == 0 {
		return nil, nil
	}
	ends, err := s.adm.ListEndOffsets(ctx, topics...)
	var ae *kadm.AuthError
	if !errors.As(err, &ae) || len(topics) == 1 {
		return ends, err
	}
	ends, err = make(kadm.ListedOffsets), nil
	for _, t := range topics {
		one, terr := s.adm.ListEndOffsets(ctx, t)
		if errors.As(terr, &ae) {
			ends[t] = map[int32]kadm.ListedOffset{-1: {Topic: t, Partition: -1, Err: terr}}
			continue
		}
		err = cmp.Or(err, terr)
		maps.Copy(ends, one)
	}
	return ends, err
}

type topicPartition struct {
	topic     string
	partition int32
}

// build turns what was gathered about one group into its detail.
func (s *Session) build(name string, d kadm.DescribedGroup, derr error, l kadm.ListedGroup, f kadm.FetchOffsetsResponse, ends kadm.ListedOffsets, endErr error) gathered {
	g := gathered{GroupDetail: GroupDetail{Group: Group{Name: name}, Coordinator: -1}}
	if derr != nil {
		g.describeErr = s.fail(OpDescribeGroup, "", name, fmt.Errorf("describe group %s: %w", name, derr))
		g.Err = g.describeErr
		g.State, g.ProtocolType = l.State, l.ProtocolType
		if l.Group != "" {
			g.Coordinator = l.Coordinator
		}
	} else {
		g.State, g.Protocol, g.ProtocolType = d.State, d.Protocol, d.ProtocolType
		g.Coordinator = d.Coordinator.NodeID
		g.Members = members(d.Members)
		g.Group.Members = len(d.Members)
	}

	rows := make(map[topicPartition]*GroupPartition)
	row := func(t string, p int32) *GroupPartition {
		k := topicPartition{t, p}
		if r, ok := rows[k]; ok {
			return r
		}
		r := &GroupPartition{Topic: t, Partition: p, Committed: -1, High: -1, Lag: -1}
		rows[k] = r
		return r
	}
	for _, m := range g.Members {
		for _, a := range m.Assigned {
			for _, p := range a.Partitions {
				row(a.Topic, p).Member = m.ClientID
			}
		}
	}

	fetchErr := f.Err
	if errors.Is(fetchErr, kerr.GroupIDNotFound) {
		fetchErr = nil // nothing committed yet
	}
	if fetchErr != nil {
		fetchErr = s.fail(OpDescribeGroup, "", name, fmt.Errorf("fetch offsets of group %s: %w", name, fetchErr))
	}
	commitFailed := make(map[topicPartition]bool)
	for t, ps := range f.Fetched {
		for p, o := range ps {
			r := row(t, p)
			switch {
			case o.Err != nil:
				r.Err = o.Err
				commitFailed[topicPartition{t, p}] = true
			case o.At >= 0:
				r.Committed = o.At
			}
		}
	}

	g.Partitions = make([]GroupPartition, 0, len(rows))
	var lagErr error
	var total int64
	for _, r := range rows {
		high, herr := highWatermark(ends, endErr, r.Topic, r.Partition)
		r.High = high
		if r.Err == nil {
			r.Err = herr
		}
		if r.Err == nil && r.Committed >= 0 {
			r.Lag = max(r.High-r.Committed, 0)
		}
		if r.Err != nil {
			r.Err = s.fail(OpDescribeGroup, r.Topic, name, r.Err)
		}
		switch {
		case r.Lag >= 0:
			total += r.Lag
		case r.Committed < 0 && !commitFailed[topicPartition{r.Topic, r.Partition}]:
			// Nothing committed: not part of the total.
		case errors.Is(r.Err, kerr.UnknownTopicOrPartition):
			// A commit left on a deleted topic lags nothing.
		case lagErr == nil:
			lagErr = r.Err
		}
		g.Partitions = append(g.Partitions, *r)
	}
	slices.SortFunc(g.Partitions, func(a, b GroupPartition) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})

	g.Lag = total
	if fetchErr != nil || lagErr != nil {
		g.Lag = -1
	}
	if g.Err == nil {
		g.Err = cmp.Or(fetchErr, lagErr)
	}
	return g
}

// highWatermark looks up a partition's end offset, or says why there is
// none: the partition's own error, its topic's (kadm lists a topic that
// could not be described as partition -1), or the listing's.
func highWatermark(ends kadm.ListedOffsets, endErr error, topic string, p int32) (int64, error) {
	if o, ok := ends.Lookup(topic, p); ok {
		if o.Err != nil {
			return -1, o.Err
		}
		return o.Offset, nil
	}
	if o, ok := ends.Lookup(topic, -1); ok && o.Err != nil {
		return -1, o.Err
	}
	if endErr != nil {
		return -1, fmt.Errorf("list end offsets: %w", endErr)
	}
	return -1, fmt.Errorf("no end offset listed for %s/%d: the partition may no longer exist", topic, p)
}

// members converts kadm's members, keeping its order (static members by
// instance ID first, then by member ID), with their assignments sorted.
func members(ms []kadm.DescribedGroupMember) []GroupMember {
	out := make([]GroupMember, 0, len(ms))
	for _, m := range ms {
		gm := GroupMember{ID: m.MemberID, ClientID: m.ClientID, Host: m.ClientHost}
		if m.InstanceID != nil {
			gm.InstanceID = *m.InstanceID
		}
		if a, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range a.Topics {
				ps := slices.Clone(t.Partitions)
				slices.Sort(ps)
				gm.Assigned = append(gm.Assigned, TopicPartitions{Topic: t.Topic, Partitions: ps})
			}
			slices.SortFunc(gm.Assigned, func(a, b TopicPartitions) int { return cmp.Compare(a.Topic, b.Topic) })
		}
		out = append(out, gm)
	}
	return out
}
