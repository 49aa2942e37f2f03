package kafka_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// byAction indexes results by action, failing on a repeated one.
func byAction(t *testing.T, rs []kafka.AccessResult) map[string]kafka.AccessResult {
	t.Helper()
	m := map[string]kafka.AccessResult{}
	for _, r := range rs {
		if _, dup := m[r.Action]; dup {
			t.Fatalf("%s reported twice: %+v", r.Action, rs)
		}
		m[r.Action] = r
	}
	return m
}

func verdicts(rs []kafka.AccessResult) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Verdict + " " + r.Action + " " + r.Resource + ": " + r.Detail + "\n")
	}
	return b.String()
}

func TestCheckAccessAllAllowed(t *testing.T) {
	c := newIAM(t, kafkatest.Topics(2, "orders"), kafkatest.Topics(1, "empty"))
	s := openAny(t, c)
	fill(t, s, "orders", 2, 3)

	rs := s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "orders", Group: "billing", Write: true, Resources: iamResources})
	want := map[string]string{
		"kafka-cluster:Connect":               kafka.VerdictAllowed,
		"kafka-cluster:DescribeCluster":       kafka.VerdictAllowed,
		"kafka-cluster:DescribeTopic":         kafka.VerdictAllowed,
		"kafka-cluster:ReadData":              kafka.VerdictAllowed,
		"kafka-cluster:WriteData":             kafka.VerdictAllowed,
		"kafka-cluster:WriteDataIdempotently": kafka.VerdictAllowed,
		"kafka-cluster:DescribeGroup":         kafka.VerdictAllowed,
		"kafka-cluster:AlterGroup":            kafka.VerdictSkipped,
	}
	got := byAction(t, rs)
	for act, v := range want {
		if got[act].Verdict != v {
			t.Errorf("%s: %s, want %s\n%s", act, got[act].Verdict, v, verdicts(rs))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d results, want %d:\n%s", len(got), len(want), verdicts(rs))
	}
	if r := got["kafka-cluster:ReadData"]; r.Resource != iamTopicARN+"orders" || !strings.Contains(r.Detail, "bytes") {
		t.Errorf("ReadData on a topic with records: %+v", r)
	}
	if r := got["kafka-cluster:DescribeGroup"]; r.Resource != iamGroupARN+"billing" {
		t.Errorf("DescribeGroup resource %s", r.Resource)
	}
	if p := kafka.AccessPolicy(rs); p != "" {
		t.Errorf("a policy with nothing denied:\n%s", p)
	}

	// The write left exactly one record, marked as the check's.
	var marked []*kgo.Record
	err := s.Consume(ctxT(t), "orders", kafka.ConsumeOptions{Start: beginning(), UntilEnd: true}, func(r *kgo.Record) error {
		for _, h := range r.Headers {
			if h.Key == "mskx-check" {
				marked = append(marked, r)
			}
		}
		return nil
	})
	if err != nil || len(marked) != 1 {
		t.Errorf("check records in the topic: %d (%v), want 1", len(marked), err)
	}

	// An empty topic is read too: the fetch is answered with nothing.
	rs = s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "empty", Resources: iamResources})
	got = byAction(t, rs)
	if r := got["kafka-cluster:ReadData"]; r.Verdict != kafka.VerdictAllowed {
		t.Errorf("ReadData on an empty topic: %+v", r)
	}
	if r := got["kafka-cluster:WriteData"]; r.Verdict != kafka.VerdictSkipped || !strings.Contains(r.Detail, "pass --write") {
		t.Errorf("WriteData without Write: %+v", r)
	}
	if r := got["kafka-cluster:DescribeGroup"]; r.Verdict != kafka.VerdictSkipped {
		t.Errorf("DescribeGroup without a group: %+v", r)
	}
}

// Each step refused on an IAM cluster is denied with advice naming its
// action and ARN, and the steps that need it are skipped, not failed.
func TestCheckAccessRefusals(t *testing.T) {
	cases := []struct {
		name     string
		refuse   func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session)
		action   string
		resource string
		skipped  []string
	}{
		{"describe cluster", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) { refuseDescribeCluster(c) },
			"kafka-cluster:DescribeCluster", iamClusterARN, nil},
		{"describe cluster by its operations", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			refuse(c, kmsg.DescribeCluster, func(_ kmsg.Request, resp kmsg.Response) {
				resp.(*kmsg.DescribeClusterResponse).ClusterAuthorizedOperations = 0
			})
		}, "kafka-cluster:DescribeCluster", iamClusterARN, nil},
		{"describe topic", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			refuseTopicMetadata(t, c, s, "orders", kerr.TopicAuthorizationFailed)
		}, "kafka-cluster:DescribeTopic", iamTopicARN + "orders", []string{"kafka-cluster:ReadData", "kafka-cluster:WriteData"}},
		{"read", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			c.RefuseFetches(kerr.TopicAuthorizationFailed)
		},
			"kafka-cluster:ReadData", iamTopicARN + "orders", nil},
		{"write", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			c.RefuseProduces(kerr.TopicAuthorizationFailed)
		},
			"kafka-cluster:WriteData", iamTopicARN + "orders", []string{"kafka-cluster:WriteDataIdempotently"}},
		{"idempotent write", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) { refuseInitProducerID(c) },
			"kafka-cluster:WriteDataIdempotently", iamClusterARN, nil},
		{"group", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			refuse(c, kmsg.DescribeGroups, func(kreq kmsg.Request, kresp kmsg.Response) {
				req, resp := kreq.(*kmsg.DescribeGroupsRequest), kresp.(*kmsg.DescribeGroupsResponse)
				for _, g := range req.Groups {
					rg := kmsg.NewDescribeGroupsResponseGroup()
					rg.Group, rg.ErrorCode = g, kerr.GroupAuthorizationFailed.Code
					resp.Groups = append(resp.Groups, rg)
				}
			})
		}, "kafka-cluster:DescribeGroup", iamGroupARN + "billing", nil},
		{"group offsets", func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) { refuseOffsetFetch(c) },
			"kafka-cluster:DescribeGroup", iamGroupARN + "billing", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newIAM(t, kafkatest.Topics(2, "orders"))
			s := openAny(t, c)
			tc.refuse(t, c, s)
			rs := s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "orders", Group: "billing", Write: true, Resources: iamResources})
			got := byAction(t, rs)
			r := got[tc.action]
			if r.Verdict != kafka.VerdictDenied || r.Err == nil || r.Advice == nil {
				t.Fatalf("%s = %+v, want denied with advice\n%s", tc.action, r, verdicts(rs))
			}
			if r.Resource != tc.resource || r.Advice.Resource != tc.resource || r.Advice.Actions[0] != tc.action {
				t.Errorf("%s on %s, advice %v on %s; want %s", tc.action, r.Resource, r.Advice.Actions, r.Advice.Resource, tc.resource)
			}
			for _, act := range tc.skipped {
				if got[act].Verdict != kafka.VerdictSkipped {
					t.Errorf("%s after the refusal: %s, want skipped", act, got[act].Verdict)
				}
			}
			for act, o := range got {
				if act != tc.action && o.Verdict == kafka.VerdictDenied || o.Verdict == kafka.VerdictError {
					t.Errorf("%s: %s (%s), only %s was refused", act, o.Verdict, o.Detail, tc.action)
				}
			}
			var doc struct {
				Statement []struct{ Action, Resource []string }
			}
			p := kafka.AccessPolicy(rs)
			if err := json.Unmarshal([]byte(p), &doc); err != nil {
				t.Fatalf("policy: %v\n%s", err, p)
			}
			var allows bool
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					allows = allows || a == tc.action && st.Resource[0] == tc.resource
				}
			}
			if !allows {
				t.Errorf("policy does not allow %s on %s:\n%s", tc.action, tc.resource, p)
			}
		})
	}
}

// Several refusals make one policy, each resource once.
func TestAccessPolicyMerges(t *testing.T) {
	c := newIAM(t, kafkatest.Topics(1, "orders"))
	s := openAny(t, c)
	c.RefuseFetches(kerr.TopicAuthorizationFailed)
	c.RefuseProduces(kerr.TopicAuthorizationFailed)
	refuseOffsetFetch(c)
	rs := s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "orders", Group: "billing", Write: true, Resources: iamResources})
	var doc struct {
		Statement []struct{ Action, Resource []string }
	}
	p := kafka.AccessPolicy(rs)
	if err := json.Unmarshal([]byte(p), &doc); err != nil {
		t.Fatalf("policy: %v\n%s", err, p)
	}
	seen := map[string][]string{}
	for _, st := range doc.Statement {
		if _, dup := seen[st.Resource[0]]; dup {
			t.Errorf("%s in two statements:\n%s", st.Resource[0], p)
		}
		seen[st.Resource[0]] = st.Action
	}
	topic := strings.Join(seen[iamTopicARN+"orders"], " ")
	for _, act := range []string{"kafka-cluster:ReadData", "kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"} {
		if !strings.Contains(topic, act) {
			t.Errorf("topic statement lacks %s:\n%s", act, p)
		}
	}
	if !strings.Contains(strings.Join(seen[iamGroupARN+"billing"], " "), "kafka-cluster:DescribeGroup") ||
		strings.Join(seen[iamClusterARN], " ") != "kafka-cluster:Connect" {
		t.Errorf("group or cluster statement wrong:\n%s", p)
	}
}

// An unknown topic is an error, not a refusal: nothing to add to a policy.
func TestCheckAccessUnknownTopic(t *testing.T) {
	c := newIAM(t)
	s := openAny(t, c)
	rs := s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "nope", Resources: iamResources})
	got := byAction(t, rs)
	if r := got["kafka-cluster:DescribeTopic"]; r.Verdict != kafka.VerdictError || !strings.Contains(r.Detail, "does not exist") || r.Advice != nil {
		t.Errorf("unknown topic: %+v", r)
	}
	if got["kafka-cluster:ReadData"].Verdict != kafka.VerdictSkipped {
		t.Errorf("ReadData of an unknown topic: %+v", got["kafka-cluster:ReadData"])
	}
}

// A broker that never answers costs one step's timeout, not a hang.
func TestCheckAccessBounded(t *testing.T) {
	c := newIAM(t, kafkatest.Topics(1, "orders"))
	s := openAny(t, c)
	c.Kfake.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.Kfake.KeepControl()
		return nil, nil, true // swallowed: no answer ever comes
	})
	start := time.Now()
	rs := s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "orders", Resources: iamResources, Timeout: time.Second})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s with a 1s step timeout", took)
	}
	if r := byAction(t, rs)["kafka-cluster:ReadData"]; r.Verdict != kafka.VerdictError {
		t.Errorf("unanswered fetch: %+v", r)
	}
}

// On SCRAM the same refusal is denied but has no IAM advice; the ACL hint
// is the detail.
func TestCheckAccessSCRAMRefusal(t *testing.T) {
	c := kafkatest.New(t, kafkatest.SCRAM("alice", "pw-alice"), kafkatest.Topics(1, "orders"))
	s := openAny(t, c)
	c.RefuseFetches(kerr.TopicAuthorizationFailed)
	rs := s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "orders", Resources: iamResources})
	r := byAction(t, rs)["kafka-cluster:ReadData"]
	if r.Verdict != kafka.VerdictDenied || r.Advice != nil || !strings.Contains(r.Detail, "ACLs") {
		t.Errorf("SCRAM refusal: %+v", r)
	}
	if p := kafka.AccessPolicy(rs); p != "" {
		t.Errorf("an IAM policy for an ACL refusal:\n%s", p)
	}
}
