package kafka

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Operation names what the user was doing when a request failed, so that a
// refusal can be turned into the IAM action it needed.
type Operation string

// The operations the session performs.
const (
	OpConnect         Operation = "connect"
	OpDescribeCluster Operation = "describe cluster"
	OpListTopics      Operation = "list topics"
	OpDescribeTopic   Operation = "describe topic"
	OpDescribeConfigs Operation = "describe topic configs"
	OpRead            Operation = "read"
	OpWrite           Operation = "write"
	OpListGroups      Operation = "list groups"
	OpDescribeGroup   Operation = "describe group"
	OpCommit          Operation = "commit offsets"
	OpCreateTopic     Operation = "create topic"
	OpDeleteTopic     Operation = "delete topic"
	OpAddPartitions   Operation = "add partitions"
	OpAlterConfig     Operation = "alter topic config"
)

// OpError is a failed request with what it was for: the operation and the
// topic or group it named, and whether the connection used IAM. Error is
// the underlying error's text; Unwrap keeps kerr errors reachable.
type OpError struct {
	Op    Operation
	Topic string
	Group string
	// IAM is true on an OAUTHBEARER (MSK IAM) connection, where refusals
	// come from IAM policies rather than ACLs.
	IAM bool
	Err error
}

func (e *OpError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }

// fail explains err for the session's endpoint and records the operation
// it failed, for Advise. An error that already says its operation keeps it.
func (s *Session) fail(op Operation, topic, group string, err error) error {
	if err == nil {
		return nil
	}
	err = Explain(err, s.ep)
	var oe *OpError
	if errors.As(err, &oe) {
		return err
	}
	return &OpError{Op: op, Topic: topic, Group: group, IAM: s.ep.Mechanism() == "OAUTHBEARER", Err: err}
}

// Resources is what is known of the cluster for building ARNs. Empty
// fields become wildcards.
type Resources struct {
	// ClusterARN is arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID.
	ClusterARN string
	Region     string
	Account    string
}

// Advice is what an IAM refusal needs: the kafka-cluster actions on which
// resources, in a sentence and as a minimal policy document.
type Advice struct {
	Op Operation
	// Code is the Kafka error, e.g. TOPIC_AUTHORIZATION_FAILED.
	Code string
	// Actions are the kafka-cluster actions the operation needs, the one
	// refused first.
	Actions []string
	// Resource is the ARN the refused action applies to.
	Resource string
	// Summary says it in one sentence.
	Summary string
	// Policy is a minimal IAM policy document (JSON) that allows the
	// operation, Connect on the cluster included.
	Policy string
}

// Advise turns an authorization refusal on an IAM connection into Advice.
// It reports false for other errors and for refusals on SCRAM, TLS or
// plaintext connections, where ACLs rather than IAM decide.
func Advise(err error, r Resources) (Advice, bool) {
	var oe *OpError
	if err == nil || !errors.As(err, &oe) || !oe.IAM {
		return Advice{}, false
	}
	var ke *kerr.Error
	if !errors.As(err, &ke) {
		return Advice{}, false
	}
	arns := newARNs(r)
	a := Advice{Op: oe.Op, Code: ke.Message}
	switch ke {
	case kerr.SaslAuthenticationFailed:
		a.Actions, a.Resource = []string{"kafka-cluster:Connect"}, arns.cluster()
	case kerr.ClusterAuthorizationFailed:
		switch oe.Op {
		case OpWrite:
			a.Actions = []string{"kafka-cluster:WriteDataIdempotently", "kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"}
		default:
			a.Actions = []string{"kafka-cluster:DescribeCluster"}
		}
		a.Resource = arns.cluster()
	case kerr.TopicAuthorizationFailed:
		a.Actions = topicActions(oe.Op)
		a.Resource = arns.topic(oe.Topic)
	case kerr.GroupAuthorizationFailed:
		a.Actions = []string{"kafka-cluster:DescribeGroup"}
		if oe.Op == OpCommit || oe.Op == OpRead {
			a.Actions = []string{"kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"}
		}
		a.Resource = arns.group(oe.Group)
	default:
		return Advice{}, false
	}
	what := "the cluster"
	switch {
	case strings.Contains(a.Resource, ":topic/"):
		what = "topic " + orAll(oe.Topic)
	case strings.Contains(a.Resource, ":group/"):
		what = "group " + orAll(oe.Group)
	}
	a.Summary = fmt.Sprintf("%s was refused (%s): the IAM policy needs %s on %s (%s)", oe.Op, ke.Message, strings.Join(a.Actions, ", "), what, a.Resource)
	a.Policy = policy(arns, oe, a)
	return a, true
}

func orAll(name string) string {
	if name == "" {
		return "*"
	}
	return name
}

// topicActions are the actions an operation needs on a topic, the one most
// likely refused first.
func topicActions(op Operation) []string {
	switch op {
	case OpRead:
		return []string{"kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"}
	case OpWrite:
		return []string{"kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"}
	case OpCreateTopic:
		return []string{"kafka-cluster:CreateTopic"}
	case OpDeleteTopic:
		return []string{"kafka-cluster:DeleteTopic", "kafka-cluster:DescribeTopic"}
	case OpAddPartitions:
		return []string{"kafka-cluster:AlterTopic", "kafka-cluster:DescribeTopic"}
	case OpAlterConfig:
		return []string{"kafka-cluster:AlterTopicDynamicConfiguration", "kafka-cluster:DescribeTopic"}
	case OpDescribeConfigs:
		return []string{"kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:DescribeTopic"}
	}
	return []string{"kafka-cluster:DescribeTopic"}
}

// arns builds MSK resource ARNs: arn:aws:kafka:REGION:ACCOUNT:TYPE/CLUSTER/UUID[/NAME].
type arns struct {
	prefix      string // arn:aws:kafka:REGION:ACCOUNT:
	name, uuid  string
	clusterARN  string
	haveCluster bool
}

func newARNs(r Resources) arns {
	region, account := orAll(r.Region), orAll(r.Account)
	a := arns{name: "*", uuid: "*"}
	// arn:PARTITION:kafka:REGION:ACCOUNT:cluster/NAME/UUID
	if f := strings.SplitN(r.ClusterARN, ":", 6); len(f) == 6 && f[2] == "kafka" && strings.HasPrefix(f[5], "cluster/") {
		if parts := strings.Split(strings.TrimPrefix(f[5], "cluster/"), "/"); len(parts) == 2 && parts[0] != "" && parts[1] != "" {
			a.prefix = strings.Join(f[:5], ":") + ":"
			a.name, a.uuid = parts[0], parts[1]
			a.clusterARN, a.haveCluster = r.ClusterARN, true
			return a
		}
	}
	a.prefix = "arn:aws:kafka:" + region + ":" + account + ":"
	return a
}

func (a arns) cluster() string {
	if a.haveCluster {
		return a.clusterARN
	}
	return a.prefix + "cluster/*/*"
}

func (a arns) topic(name string) string {
	return a.prefix + "topic/" + a.name + "/" + a.uuid + "/" + orAll(name)
}

func (a arns) group(name string) string {
	return a.prefix + "group/" + a.name + "/" + a.uuid + "/" + orAll(name)
}

// policy is a minimal policy document for the advice: Connect on the
// cluster, which every operation needs, and the refused actions on their
// resource; reading with a group also needs the group.
func policy(arns arns, oe *OpError, a Advice) string {
	type statement struct {
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource []string `json:"Resource"`
	}
	stmts := []statement{{Effect: "Allow", Action: []string{"kafka-cluster:Connect"}, Resource: []string{arns.cluster()}}}
	if a.Actions[0] != "kafka-cluster:Connect" {
		stmts = append(stmts, statement{Effect: "Allow", Action: a.Actions, Resource: []string{a.Resource}})
	}
	// A refusal names one resource, but the operation needs the others too:
	// a group read needs the topic, a topic read with a group needs the group.
	if oe.Op == OpRead && oe.Group != "" && !strings.Contains(a.Resource, ":group/") {
		stmts = append(stmts, statement{Effect: "Allow", Action: []string{"kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"}, Resource: []string{arns.group(oe.Group)}})
	}
	if (oe.Op == OpRead || oe.Op == OpCommit) && strings.Contains(a.Resource, ":group/") && oe.Topic != "" {
		stmts = append(stmts, statement{Effect: "Allow", Action: []string{"kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"}, Resource: []string{arns.topic(oe.Topic)}})
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", stmts}
	b, _ := json.MarshalIndent(doc, "", "  ") // plain strings: cannot fail
	return string(b)
}
