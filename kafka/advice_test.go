package kafka

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

const testClusterARN = "arn:aws:kafka:eu-west-1:111122223333:cluster/orders-prod/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-3"

func TestAdviseActionsAndARNs(t *testing.T) {
	res := Resources{ClusterARN: testClusterARN, Region: "eu-west-1", Account: "111122223333"}
	topicARN := "arn:aws:kafka:eu-west-1:111122223333:topic/orders-prod/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-3/"
	groupARN := "arn:aws:kafka:eu-west-1:111122223333:group/orders-prod/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-3/"
	cases := []struct {
		op           Operation
		topic, group string
		err          *kerr.Error
		action, arn  string
	}{
		{OpConnect, "", "", kerr.SaslAuthenticationFailed, "kafka-cluster:Connect", testClusterARN},
		{OpListTopics, "", "", kerr.TopicAuthorizationFailed, "kafka-cluster:DescribeTopic", topicARN + "*"},
		{OpDescribeTopic, "orders", "", kerr.TopicAuthorizationFailed, "kafka-cluster:DescribeTopic", topicARN + "orders"},
		{OpRead, "orders", "", kerr.TopicAuthorizationFailed, "kafka-cluster:ReadData", topicARN + "orders"},
		{OpWrite, "orders", "", kerr.TopicAuthorizationFailed, "kafka-cluster:WriteData", topicARN + "orders"},
		{OpWrite, "orders", "", kerr.ClusterAuthorizationFailed, "kafka-cluster:WriteDataIdempotently", testClusterARN},
		{OpDescribeCluster, "", "", kerr.ClusterAuthorizationFailed, "kafka-cluster:DescribeCluster", testClusterARN},
		{OpDescribeGroup, "", "billing", kerr.GroupAuthorizationFailed, "kafka-cluster:DescribeGroup", groupARN + "billing"},
		{OpCommit, "orders", "billing", kerr.GroupAuthorizationFailed, "kafka-cluster:AlterGroup", groupARN + "billing"},
		{OpCreateTopic, "new", "", kerr.TopicAuthorizationFailed, "kafka-cluster:CreateTopic", topicARN + "new"},
		{OpDeleteTopic, "old", "", kerr.TopicAuthorizationFailed, "kafka-cluster:DeleteTopic", topicARN + "old"},
		{OpAddPartitions, "orders", "", kerr.TopicAuthorizationFailed, "kafka-cluster:AlterTopic", topicARN + "orders"},
		{OpAlterConfig, "orders", "", kerr.TopicAuthorizationFailed, "kafka-cluster:AlterTopicDynamicConfiguration", topicARN + "orders"},
	}
	for _, c := range cases {
		err := fmt.Errorf("outer: %w", &OpError{Op: c.op, Topic: c.topic, Group: c.group, IAM: true, Err: fmt.Errorf("x: %w", c.err)})
		a, ok := Advise(err, res)
		if !ok {
			t.Errorf("%s %s: no advice", c.op, c.err.Message)
			continue
		}
		if a.Actions[0] != c.action || a.Resource != c.arn {
			t.Errorf("%s %s: advice %v on %s, want %s on %s", c.op, c.err.Message, a.Actions, a.Resource, c.action, c.arn)
		}
		if !strings.Contains(a.Summary, c.action) || !strings.Contains(a.Summary, c.arn) {
			t.Errorf("summary %q lacks the action or the ARN", a.Summary)
		}
		var doc struct {
			Version   string
			Statement []struct {
				Effect   string
				Action   []string
				Resource []string
			}
		}
		if err := json.Unmarshal([]byte(a.Policy), &doc); err != nil || doc.Version != "2012-10-17" {
			t.Fatalf("policy is not a policy document: %v\n%s", err, a.Policy)
		}
		var connect, action bool
		for _, st := range doc.Statement {
			for _, act := range st.Action {
				connect = connect || act == "kafka-cluster:Connect" && st.Resource[0] == testClusterARN
				action = action || act == c.action && st.Resource[0] == c.arn
			}
		}
		if !connect || !action {
			t.Errorf("%s: policy lacks Connect on the cluster or %s on %s:\n%s", c.op, c.action, c.arn, a.Policy)
		}
	}
}

func TestAdviseWildcardsAndRefusals(t *testing.T) {
	err := &OpError{Op: OpRead, Topic: "orders", Group: "g", IAM: true, Err: kerr.TopicAuthorizationFailed}
	a, ok := Advise(err, Resources{Region: "us-east-1"})
	if !ok || a.Resource != "arn:aws:kafka:us-east-1:*:topic/*/*/orders" {
		t.Fatalf("without a cluster ARN: %q, %v", a.Resource, ok)
	}
	if !strings.Contains(a.Policy, "arn:aws:kafka:us-east-1:*:group/*/*/g") {
		t.Errorf("a group read's policy lacks the group:\n%s", a.Policy)
	}
	if _, ok := Advise(&OpError{Op: OpRead, Topic: "t", Err: kerr.TopicAuthorizationFailed}, Resources{}); ok {
		t.Error("advice for a SCRAM/ACL refusal")
	}
	if _, ok := Advise(&OpError{Op: OpRead, Topic: "t", IAM: true, Err: kerr.NotLeaderForPartition}, Resources{}); ok {
		t.Error("advice for a non-authorization error")
	}
	if _, ok := Advise(errors.New("plain"), Resources{}); ok {
		t.Error("advice for an error without an operation")
	}
	if _, ok := Advise(nil, Resources{}); ok {
		t.Error("advice for nil")
	}
	a, _ = Advise(&OpError{Op: OpRead, IAM: true, Err: kerr.TopicAuthorizationFailed}, Resources{ClusterARN: "not-an-arn"})
	if a.Resource != "arn:aws:kafka:*:*:topic/*/*/*" {
		t.Errorf("bad cluster ARN: resource %q, want all wildcards", a.Resource)
	}
}
