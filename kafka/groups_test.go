package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// commitGroup sets a group's committed offsets as a tool would, without joining
// it: topic -> partition -> offset.
func commitGroup(t *testing.T, s *kafka.Session, group string, offsets map[string]map[int32]int64) {
	t.Helper()
	os := make(kadm.Offsets)
	for topic, ps := range offsets {
		for p, at := range ps {
			os.AddOffset(topic, p, at, -1)
		}
	}
	if err := kadm.NewClient(s.Client()).CommitAllOffsets(ctxT(t), group, os); err != nil {
		t.Fatalf("commit for %s: %v", group, err)
	}
}

// findGroup returns the named group of the list, failing when absent.
func findGroup(t *testing.T, gs []kafka.Group, name string) kafka.Group {
	t.Helper()
	for _, g := range gs {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("group %s not listed in %+v", name, gs)
	return kafka.Group{}
}

// groupRows renders partitions as "topic/p committed high lag member" lines.
func groupRows(ps []kafka.GroupPartition) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s/%d %d %d %d %q err=%v\n", p.Topic, p.Partition, p.Committed, p.High, p.Lag, p.Member, p.Err != nil)
	}
	return b.String()
}

func TestEmptyGroupLag(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"), kafkatest.Topics(1, "logs"))
	s := open(t, c)
	fill(t, s, "orders", 3, 10)
	commitGroup(t, s, "billing", map[string]map[int32]int64{"orders": {0: 4, 1: 10}})
	commitGroup(t, s, "audit", map[string]map[int32]int64{"logs": {0: 0}})
	fill(t, s, "orders", 1, 5) // partition 0 grows to 15

	gs, err := s.Groups(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || gs[0].Name != "audit" || gs[1].Name != "billing" {
		t.Fatalf("groups %+v, want audit and billing, sorted", gs)
	}
	g := gs[1]
	if g.State != "Empty" || g.Members != 0 || g.Lag != 11 || g.Err != nil {
		t.Errorf("billing %+v, want Empty, no members, lag 15-4 + 10-10 = 11", g)
	}
	if a := gs[0]; a.Lag != 0 || a.Err != nil {
		t.Errorf("audit %+v, want lag 0 on an empty topic", a)
	}

	d, err := s.DescribeGroup(ctxT(t), "billing")
	if err != nil {
		t.Fatal(err)
	}
	// Partition 2 is neither assigned nor committed: not shown.
	want := "orders/0 4 15 11 \"\" err=false\norders/1 10 10 0 \"\" err=false\n"
	if got := groupRows(d.Partitions); got != want {
		t.Errorf("partitions:\n%s\nwant:\n%s", got, want)
	}
	if d.Lag != 11 || len(d.Members) != 0 || d.Coordinator < 0 {
		t.Errorf("detail %+v", d)
	}
}

func TestActiveMemberAssignmentsAndLag(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"))
	s := open(t, c)
	fill(t, s, "orders", 3, 10)

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.ClientID("worker-1"), kgo.InstanceID("worker-a"),
		kgo.ConsumerGroup("shipping"), kgo.ConsumeTopics("orders"), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := ctxT(t)
	for n := 0; n < 30; {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("poll: %v", err)
		}
		n += fs.NumRecords()
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	// The member lags by what arrives after its commit.
	for i := 0; i < 7; i++ {
		if d := s.ProduceSync(ctx, kafka.Message{Topic: "orders", Partition: 1, Value: []byte("late")}); d.Err != nil {
			t.Fatal(d.Err)
		}
	}
	commitGroup(t, s, "shipping-old", map[string]map[int32]int64{"orders": {2: 3}})

	g := findGroup(t, mustGroups(t, s), "shipping")
	if g.State != "Stable" || g.Members != 1 || g.ProtocolType != "consumer" || g.Protocol == "" || g.Lag != 7 || g.Err != nil {
		t.Errorf("shipping %+v, want Stable, 1 consumer member, an assignor, lag 7", g)
	}

	d, err := s.DescribeGroup(ctx, "shipping")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Members) != 1 {
		t.Fatalf("members %+v", d.Members)
	}
	m := d.Members[0]
	if m.ClientID != "worker-1" || m.InstanceID != "worker-a" || m.ID == "" || m.Host == "" || fmt.Sprint(m.Assigned) != "[{orders [0 1 2]}]" {
		t.Errorf("member %+v, want worker-1 with orders [0 1 2]", m)
	}
	want := "orders/0 10 10 0 \"worker-1\" err=false\norders/1 10 17 7 \"worker-1\" err=false\norders/2 10 10 0 \"worker-1\" err=false\n"
	if got := groupRows(d.Partitions); got != want {
		t.Errorf("partitions:\n%s\nwant:\n%s", got, want)
	}
}

func TestAssignedWithoutCommitAndCommittedUnassigned(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"), kafkatest.Topics(1, "old"))
	s := open(t, c)
	fill(t, s, "orders", 2, 5)
	fill(t, s, "old", 1, 8)
	// A past commit on a topic the group no longer reads.
	commitGroup(t, s, "mixed", map[string]map[int32]int64{"old": {0: 2}})

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.ClientID("reader"),
		kgo.ConsumerGroup("mixed"), kgo.ConsumeTopics("orders"), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := ctxT(t)
	deadline := time.Now().Add(15 * time.Second)
	var d kafka.GroupDetail
	for {
		// Polling joins the group and reads, but never commits.
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		cl.PollFetches(pctx)
		cancel()
		if d, err = s.DescribeGroup(ctx, "mixed"); err == nil && d.State == "Stable" && len(d.Members) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("group never became stable: %+v, %v", d, err)
		}
	}
	want := "old/0 2 8 6 \"\" err=false\norders/0 -1 5 -1 \"reader\" err=false\norders/1 -1 5 -1 \"reader\" err=false\n"
	if got := groupRows(d.Partitions); got != want {
		t.Errorf("partitions:\n%s\nwant:\n%s", got, want)
	}
	if d.Lag != 6 {
		t.Errorf("lag %d, want 6: only committed partitions count", d.Lag)
	}
}

func TestUnknownGroup(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"))
	s := open(t, c)
	_, err := s.DescribeGroup(ctxT(t), "nobody")
	if err == nil || !errors.Is(err, kerr.GroupIDNotFound) || !strings.Contains(err.Error(), `group "nobody" does not exist`) {
		t.Fatalf("err %v, want a clear does-not-exist error", err)
	}
	var oe *kafka.OpError
	if !errors.As(err, &oe) || oe.Op != kafka.OpDescribeGroup || oe.Group != "nobody" {
		t.Errorf("err %#v does not say its operation and group", err)
	}
	gs, err := s.Groups(ctxT(t))
	if err != nil || len(gs) != 0 {
		t.Errorf("groups %+v, %v; want none", gs, err)
	}
}

// A topic the credentials may not list offsets of leaves the lag of the
// groups reading it unknown, with the refusal, and no other group's.
func TestRefusedTopicKeepsOtherGroups(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"), kafkatest.Topics(1, "secret"))
	s := open(t, c)
	fill(t, s, "orders", 1, 4)
	fill(t, s, "secret", 1, 4)
	commitGroup(t, s, "open", map[string]map[int32]int64{"orders": {0: 1}})
	commitGroup(t, s, "closed", map[string]map[int32]int64{"secret": {0: 1}})
	c.Kfake.ControlKey(int16(kmsg.ListOffsets), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.Kfake.KeepControl()
		req := kr.(*kmsg.ListOffsetsRequest)
		refused := false
		for _, rt := range req.Topics {
			refused = refused || rt.Topic == "secret"
		}
		if !refused {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewListOffsetsResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewListOffsetsResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.TopicAuthorizationFailed.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})

	gs := mustGroups(t, s)
	if g := findGroup(t, gs, "open"); g.Lag != 3 || g.Err != nil {
		t.Errorf("open %+v, want lag 3 despite the refusal elsewhere", g)
	}
	g := findGroup(t, gs, "closed")
	var oe *kafka.OpError
	if g.Lag != -1 || !errors.Is(g.Err, kerr.TopicAuthorizationFailed) || !errors.As(g.Err, &oe) || oe.Topic != "secret" || oe.Group != "closed" {
		t.Errorf("closed %+v, want lag -1 and the refusal naming topic and group", g)
	}
	d, err := s.DescribeGroup(ctxT(t), "closed")
	if err != nil {
		t.Fatal(err)
	}
	if want := "secret/0 1 -1 -1 \"\" err=true\n"; groupRows(d.Partitions) != want {
		t.Errorf("partitions:\n%s\nwant:\n%s", groupRows(d.Partitions), want)
	}
}

func mustGroups(t *testing.T, s *kafka.Session) []kafka.Group {
	t.Helper()
	gs, err := s.Groups(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return gs
}
