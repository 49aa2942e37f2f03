package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

const (
	iamRegion     = "us-east-1"
	iamKeyID      = "AKIDMSKXTEST"
	iamSecret     = "msk-test-secret"
	iamClusterARN = "arn:aws:kafka:us-east-1:111122223333:cluster/orders-test/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-1"
	iamTopicARN   = "arn:aws:kafka:us-east-1:111122223333:topic/orders-test/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-1/"
	iamGroupARN   = "arn:aws:kafka:us-east-1:111122223333:group/orders-test/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-1/"
)

var iamResources = kafka.Resources{ClusterARN: iamClusterARN}

// newIAM starts a cluster that checks MSK IAM tokens signed for iamKeyID.
func newIAM(t *testing.T, opts ...kafkatest.Opt) *kafkatest.Cluster {
	return kafkatest.New(t, append([]kafkatest.Opt{kafkatest.IAM(iamRegion, iamKeyID, iamSecret)}, opts...)...)
}

// iamEndpoint signs tokens the way mskx does (auth's token source over the
// MSK signer), with secret as the secret key, so a wrong one is refused.
func iamEndpoint(c *kafkatest.Cluster, secret string) kafka.Endpoint {
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: secret, Source: "test"}, nil
	})
	return kafka.Endpoint{Brokers: c.Brokers, TLS: c.TLSConfig(), SASL: auth.NewTokenSource(c.Region, creds).Mechanism()}
}

// endpointOf reaches c in its own mode: IAM with the right key, SCRAM with
// its first user, TLS or plaintext as they are.
func endpointOf(t *testing.T, c *kafkatest.Cluster) kafka.Endpoint {
	t.Helper()
	switch c.Mode {
	case kafkatest.ModeIAM:
		return iamEndpoint(c, c.SecretAccessKey)
	case kafkatest.ModeSCRAM:
		cl, err := auth.Build(context.Background(), auth.Config{Mode: auth.SCRAM, Brokers: c.Brokers, User: c.User, Password: c.Password, CAFile: c.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		return kafka.Endpoint{Brokers: c.Brokers, TLS: cl.TLS, SASL: cl.SASL}
	}
	return kafka.Endpoint{Brokers: c.Brokers, TLS: tlsOf(c)}
}

func openAny(t *testing.T, c *kafkatest.Cluster) *kafka.Session {
	t.Helper()
	s, err := kafka.Open(ctxT(t), endpointOf(t, c), kafka.DialTimeout(3*time.Second))
	if err != nil {
		t.Fatalf("open %s: %v", c.Mode, err)
	}
	t.Cleanup(s.Close)
	return s
}

// refuse answers every request of key with the response set makes, as a
// broker that refuses it would.
func refuse(c *kafkatest.Cluster, key kmsg.Key, set func(req kmsg.Request, resp kmsg.Response)) {
	c.Kfake.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.Kfake.KeepControl()
		resp := req.ResponseKind()
		set(req, resp)
		return resp, nil, true
	})
}

// refuseTopicMetadata answers metadata requests for topic, or for all
// topics, with code on the topic and the real brokers, as a cluster does
// for a topic the credentials may not describe.
func refuseTopicMetadata(t *testing.T, c *kafkatest.Cluster, s *kafka.Session, topic string, code *kerr.Error) {
	t.Helper()
	// The brokers come from a client of its own: the session's client
	// caches what it learns, which would answer the call under test.
	other := openAny(t, c)
	snap, err := kmsg.NewPtrMetadataRequest().RequestWith(ctxT(t), other.Client())
	other.Close()
	if err != nil {
		t.Fatal(err)
	}
	c.Kfake.ControlKey(int16(kmsg.Metadata), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		req := kreq.(*kmsg.MetadataRequest)
		named := req.Topics == nil
		for _, rt := range req.Topics {
			named = named || rt.Topic != nil && *rt.Topic == topic
		}
		if !named {
			return nil, nil, false
		}
		c.Kfake.KeepControl()
		resp := req.ResponseKind().(*kmsg.MetadataResponse)
		resp.Brokers, resp.ClusterID, resp.ControllerID = snap.Brokers, snap.ClusterID, snap.ControllerID
		rt := kmsg.NewMetadataResponseTopic()
		rt.Topic, rt.ErrorCode = kmsg.StringPtr(topic), code.Code
		resp.Topics = []kmsg.MetadataResponseTopic{rt}
		return resp, nil, true
	})
}

func refuseInitProducerID(c *kafkatest.Cluster) {
	refuse(c, kmsg.InitProducerID, func(_ kmsg.Request, resp kmsg.Response) {
		resp.(*kmsg.InitProducerIDResponse).ErrorCode = kerr.ClusterAuthorizationFailed.Code
	})
}

func refuseDescribeCluster(c *kafkatest.Cluster) {
	refuse(c, kmsg.DescribeCluster, func(_ kmsg.Request, resp kmsg.Response) {
		resp.(*kmsg.DescribeClusterResponse).ErrorCode = kerr.ClusterAuthorizationFailed.Code
	})
}

// refuseOffsetFetch refuses reading a group's committed offsets, in the
// old single-group form and the batched one (v8+).
func refuseOffsetFetch(c *kafkatest.Cluster) {
	refuse(c, kmsg.OffsetFetch, func(kreq kmsg.Request, kresp kmsg.Response) {
		req, resp := kreq.(*kmsg.OffsetFetchRequest), kresp.(*kmsg.OffsetFetchResponse)
		resp.ErrorCode = kerr.GroupAuthorizationFailed.Code
		for _, g := range req.Groups {
			rg := kmsg.NewOffsetFetchResponseGroup()
			rg.Group, rg.ErrorCode = g.Group, kerr.GroupAuthorizationFailed.Code
			resp.Groups = append(resp.Groups, rg)
		}
	})
}

func refuseJoinGroup(c *kafkatest.Cluster) {
	refuse(c, kmsg.JoinGroup, func(_ kmsg.Request, resp kmsg.Response) {
		resp.(*kmsg.JoinGroupResponse).ErrorCode = kerr.GroupAuthorizationFailed.Code
	})
}

func refuseOffsetCommit(c *kafkatest.Cluster) {
	refuse(c, kmsg.OffsetCommit, func(kreq kmsg.Request, kresp kmsg.Response) {
		req, resp := kreq.(*kmsg.OffsetCommitRequest), kresp.(*kmsg.OffsetCommitResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition, sp.ErrorCode = rp.Partition, kerr.GroupAuthorizationFailed.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
	})
}

// refusal is one way the cluster says no, what the session does that
// meets it, and the action and resource the advice must name.
type refusal struct {
	name string
	// refuse installs the refusal on c after s is open.
	refuse func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session)
	// do is the session call that meets the refusal; it returns the error.
	do       func(t *testing.T, s *kafka.Session) error
	code     *kerr.Error
	action   string
	resource string
}

func beginning() kafka.Start { return kafka.Start{Kind: kafka.FromBeginning} }

func consumeErr(s *kafka.Session, ctx context.Context, o kafka.ConsumeOptions) error {
	return s.Consume(ctx, "orders", o, func(*kgo.Record) error { return nil })
}

var refusals = []refusal{
	{name: "list topics",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			refuseTopicMetadata(t, c, s, "orders", kerr.TopicAuthorizationFailed)
		},
		do: func(t *testing.T, s *kafka.Session) error {
			ts, err := s.Topics(ctxT(t))
			if err != nil {
				return err
			}
			for _, tp := range ts {
				if tp.Name == "orders" {
					return tp.Err
				}
			}
			return errors.New("orders not listed")
		},
		// kadm fails the whole list on a topic's refusal without naming
		// it, so the advice is for describing topics at large.
		code: kerr.TopicAuthorizationFailed, action: "kafka-cluster:DescribeTopic", resource: iamTopicARN + "*"},
	{name: "describe topic",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			refuseTopicMetadata(t, c, s, "orders", kerr.TopicAuthorizationFailed)
		},
		do: func(t *testing.T, s *kafka.Session) error {
			_, err := s.DescribeTopic(ctxT(t), "orders")
			return err
		},
		code: kerr.TopicAuthorizationFailed, action: "kafka-cluster:DescribeTopic", resource: iamTopicARN + "orders"},
	{name: "describe configs",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			refuse(c, kmsg.DescribeConfigs, func(kreq kmsg.Request, kresp kmsg.Response) {
				req, resp := kreq.(*kmsg.DescribeConfigsRequest), kresp.(*kmsg.DescribeConfigsResponse)
				for _, r := range req.Resources {
					rr := kmsg.NewDescribeConfigsResponseResource()
					rr.ResourceType, rr.ResourceName, rr.ErrorCode = r.ResourceType, r.ResourceName, kerr.TopicAuthorizationFailed.Code
					resp.Resources = append(resp.Resources, rr)
				}
			})
		},
		do: func(t *testing.T, s *kafka.Session) error {
			td, err := s.DescribeTopic(ctxT(t), "orders")
			if err != nil {
				return err
			}
			return td.ConfigErr
		},
		code: kerr.TopicAuthorizationFailed, action: "kafka-cluster:DescribeTopicDynamicConfiguration", resource: iamTopicARN + "orders"},
	{name: "read",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			c.RefuseFetches(kerr.TopicAuthorizationFailed)
		},
		do: func(t *testing.T, s *kafka.Session) error {
			return consumeErr(s, ctxT(t), kafka.ConsumeOptions{Start: beginning(), UntilEnd: true})
		},
		code: kerr.TopicAuthorizationFailed, action: "kafka-cluster:ReadData", resource: iamTopicARN + "orders"},
	{name: "tail",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			c.RefuseFetches(kerr.TopicAuthorizationFailed)
		},
		do: func(t *testing.T, s *kafka.Session) error {
			tail := s.Tail(ctxT(t), "orders", kafka.TailOptions{Start: beginning()})
			defer tail.Close()
			waitFor(t, func() bool { return tail.Stats().Err != nil })
			return tail.Stats().Err
		},
		code: kerr.TopicAuthorizationFailed, action: "kafka-cluster:ReadData", resource: iamTopicARN + "orders"},
	{name: "produce",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) {
			c.RefuseProduces(kerr.TopicAuthorizationFailed)
		},
		do: func(t *testing.T, s *kafka.Session) error {
			return s.ProduceSync(ctxT(t), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("x")}).Err
		},
		code: kerr.TopicAuthorizationFailed, action: "kafka-cluster:WriteData", resource: iamTopicARN + "orders"},
	{name: "describe cluster",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) { refuseDescribeCluster(c) },
		do: func(t *testing.T, s *kafka.Session) error {
			for _, r := range s.CheckAccess(ctxT(t), kafka.AccessOptions{Resources: iamResources}) {
				if r.Action == "kafka-cluster:DescribeCluster" {
					return r.Err
				}
			}
			return errors.New("no DescribeCluster result")
		},
		code: kerr.ClusterAuthorizationFailed, action: "kafka-cluster:DescribeCluster", resource: iamClusterARN},
	{name: "group offsets",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) { refuseOffsetFetch(c) },
		do: func(t *testing.T, s *kafka.Session) error {
			return consumeErr(s, ctxT(t), kafka.ConsumeOptions{Start: beginning(), UntilEnd: true, Group: "billing"})
		},
		code: kerr.GroupAuthorizationFailed, action: "kafka-cluster:DescribeGroup", resource: iamGroupARN + "billing"},
	{name: "consume with a group",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) { refuseJoinGroup(c) },
		do: func(t *testing.T, s *kafka.Session) error {
			return consumeErr(s, ctxT(t), kafka.ConsumeOptions{Start: beginning(), UntilEnd: true, Group: "billing"})
		},
		code: kerr.GroupAuthorizationFailed, action: "kafka-cluster:AlterGroup", resource: iamGroupARN + "billing"},
	{name: "commit",
		refuse: func(t *testing.T, c *kafkatest.Cluster, s *kafka.Session) { refuseOffsetCommit(c) },
		do: func(t *testing.T, s *kafka.Session) error {
			return consumeErr(s, ctxT(t), kafka.ConsumeOptions{Start: beginning(), Count: 1, Group: "billing"})
		},
		code: kerr.GroupAuthorizationFailed, action: "kafka-cluster:AlterGroup", resource: iamGroupARN + "billing"},
}

// Each refusal an IAM cluster can give, met by the call that meets it in
// use, comes back as advice naming the action the policy lacks and the
// ARN it lacks it on.
func TestIAMRefusalsAdvise(t *testing.T) {
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			c := newIAM(t, kafkatest.Topics(2, "orders"))
			s := openAny(t, c)
			fill(t, s, "orders", 2, 3)
			tc.refuse(t, c, s)
			err := tc.do(t, s)
			if !errors.Is(err, tc.code) {
				t.Fatalf("error %v, want %s", err, tc.code.Message)
			}
			a, ok := kafka.Advise(err, iamResources)
			if !ok {
				t.Fatalf("no advice for %v", err)
			}
			if a.Actions[0] != tc.action || a.Resource != tc.resource {
				t.Errorf("advice %v on %s, want %s on %s", a.Actions, a.Resource, tc.action, tc.resource)
			}
			if !strings.Contains(a.Summary, tc.action) || !strings.Contains(a.Policy, tc.resource) {
				t.Errorf("summary or policy lacks the action or ARN:\n%s\n%s", a.Summary, a.Policy)
			}
		})
	}
}

// The same refusals on SCRAM and plaintext clusters are the ACLs', not an
// IAM policy's: no IAM advice, and the error keeps the ACL hint.
func TestACLRefusalsGiveNoIAMAdvice(t *testing.T) {
	for _, mode := range []string{"scram", "plaintext"} {
		for _, tc := range refusals {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				opts := []kafkatest.Opt{kafkatest.Topics(2, "orders")}
				if mode == "scram" {
					opts = append(opts, kafkatest.SCRAM("alice", "pw-alice"))
				}
				c := kafkatest.New(t, opts...)
				s := openAny(t, c)
				fill(t, s, "orders", 2, 3)
				tc.refuse(t, c, s)
				err := tc.do(t, s)
				if !errors.Is(err, tc.code) {
					t.Fatalf("error %v, want %s", err, tc.code.Message)
				}
				if a, ok := kafka.Advise(err, iamResources); ok {
					t.Errorf("IAM advice on a %s connection: %s", mode, a.Summary)
				}
				if !strings.Contains(err.Error(), "the cluster's ACLs do not allow") {
					t.Errorf("error lacks the ACL hint: %v", err)
				}
			})
		}
	}
}

// MSK refuses InitProducerID without kafka-cluster:WriteDataIdempotently;
// the session writes anyway and says which action to add. The notice has
// no ARN (the session does not know the cluster's); CheckAccess, given
// the cluster's resources, names it.
func TestIAMIdempotenceRefusal(t *testing.T) {
	c := newIAM(t, kafkatest.Topics(1, "orders"))
	s := openAny(t, c)
	refuseInitProducerID(c)
	d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "orders", Partition: kafka.AnyPartition, Value: []byte("x")})
	if d.Err != nil {
		t.Fatalf("produce without idempotence: %v", d.Err)
	}
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], "kafka-cluster:WriteDataIdempotently") {
		t.Errorf("notices = %q, want one naming kafka-cluster:WriteDataIdempotently", n)
	}
	for _, r := range s.CheckAccess(ctxT(t), kafka.AccessOptions{Topic: "orders", Write: true, Resources: iamResources}) {
		if r.Action != "kafka-cluster:WriteDataIdempotently" {
			continue
		}
		if r.Verdict != kafka.VerdictDenied || r.Advice == nil || r.Advice.Actions[0] != "kafka-cluster:WriteDataIdempotently" || r.Advice.Resource != iamClusterARN {
			t.Errorf("WriteDataIdempotently = %+v, advice %+v; want denied on %s", r, r.Advice, iamClusterARN)
		}
		return
	}
	t.Error("no WriteDataIdempotently result")
}

// Wrong IAM credentials fail at Open, and the advice is Connect on the
// cluster.
func TestIAMBadCredentialsAdviseConnect(t *testing.T) {
	c := newIAM(t)
	_, err := kafka.Open(ctxT(t), iamEndpoint(c, "not-the-secret"), kafka.DialTimeout(3*time.Second))
	if !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Fatalf("open with a wrong secret: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	a, ok := kafka.Advise(err, iamResources)
	if !ok || a.Actions[0] != "kafka-cluster:Connect" || a.Resource != iamClusterARN {
		t.Errorf("advice %+v (%v), want kafka-cluster:Connect on %s", a, ok, iamClusterARN)
	}
	if want := fmt.Sprintf("%q", iamClusterARN); !strings.Contains(a.Policy, want) {
		t.Errorf("policy lacks the cluster:\n%s", a.Policy)
	}
}
