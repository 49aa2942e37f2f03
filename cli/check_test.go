package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/kafka/kafkatest"
)

const checkClusterARN = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-test/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-1"

func iamCheckCluster(t *testing.T) *kafkatest.Cluster {
	aws := awstest.New(t)
	aws.Env(t)
	return kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey), kafkatest.Topics(2, "orders"))
}

func TestCheckAccessReadRefusedOnIAM(t *testing.T) {
	c := iamCheckCluster(t)
	c.RefuseFetches(kerr.TopicAuthorizationFailed)

	r := run(t, nil, "", append([]string{"check", "--topic", "orders", "--cluster-arn", checkClusterARN}, connArgs(c)...)...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	topicARN := "arn:aws:kafka:us-east-1:123456789012:topic/orders-test/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab-1/orders"
	var denied string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, "kafka-cluster:ReadData ") {
			denied = l
		}
	}
	if !strings.HasPrefix(strings.TrimSpace(denied), "DENIED") || !strings.Contains(denied, topicARN) || !strings.Contains(denied, "the IAM policy needs kafka-cluster:ReadData") {
		t.Errorf("ReadData line %q: want DENIED on %s with the advice\n%s", denied, topicARN, r.stdout)
	}
	for _, allowed := range []string{"kafka-cluster:Connect", "kafka-cluster:DescribeTopic"} {
		if !strings.Contains(r.stdout, "allowed  "+allowed) {
			t.Errorf("%s not allowed:\n%s", allowed, r.stdout)
		}
	}
	// The policy is printed once, as JSON that allows the refused read.
	i := strings.Index(r.stdout, "{")
	j := strings.LastIndex(r.stdout, "}")
	var doc struct {
		Version   string
		Statement []struct{ Action, Resource []string }
	}
	if i < 0 || j < i || json.Unmarshal([]byte(r.stdout[i:j+1]), &doc) != nil || doc.Version != "2012-10-17" {
		t.Fatalf("no policy document in the output:\n%s", r.stdout)
	}
	if strings.Count(r.stdout, `"Version"`) != 1 || !strings.Contains(r.stdout[i:], topicARN) || !strings.Contains(r.stdout[i:], checkClusterARN) {
		t.Errorf("policy should appear once with the topic and cluster ARNs:\n%s", r.stdout[i:])
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 || !strings.Contains(r.stderr, "not allowed") {
		t.Errorf("stderr %q: want one sentence saying actions were not allowed", r.stderr)
	}

	// Without --cluster-arn the account comes from STS and the cluster's
	// name and ID are wildcards.
	r = run(t, nil, "", append([]string{"check", "-t", "orders"}, connArgs(c)...)...)
	if r.code != 1 || !strings.Contains(r.stdout, "arn:aws:kafka:us-east-1:"+awstest.Account+":topic/*/*/orders") {
		t.Errorf("without --cluster-arn: exit %d, want the account's wildcard topic ARN:\n%s", r.code, r.stdout)
	}
}

func TestCheckAccessAllowed(t *testing.T) {
	c := iamCheckCluster(t)
	r := run(t, nil, "", append([]string{"check", "--topic", "orders", "--group", "billing"}, connArgs(c)...)...).must(t, "check --topic")
	for _, want := range []string{
		"all steps passed",
		"allowed  kafka-cluster:Connect",
		"allowed  kafka-cluster:DescribeCluster",
		"allowed  kafka-cluster:DescribeTopic",
		"allowed  kafka-cluster:ReadData",
		"skipped  kafka-cluster:WriteData",
		"pass --write to test it (it writes one record)",
		"allowed  kafka-cluster:DescribeGroup",
		"skipped  kafka-cluster:AlterGroup",
		"all actions tried that mskx needs are allowed",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "Statement") {
		t.Errorf("a policy printed with nothing denied:\n%s", r.stdout)
	}
}

// --write writes exactly one record, which a consume then finds.
func TestCheckAccessWrite(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"))
	r := run(t, nil, "", append([]string{"check", "--topic", "orders", "--write"}, connArgs(c)...)...).must(t, "check --write")
	for _, want := range []string{"allowed  kafka-cluster:WriteData ", "allowed  kafka-cluster:WriteDataIdempotently", "the cluster's ACLs decide"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	got := run(t, nil, "", append([]string{"consume", "-t", "orders", "-o", "beginning", "-e", "--format", "json"}, connArgs(c)...)...).must(t, "consume")
	lines := strings.Split(strings.TrimSpace(got.stdout), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "mskx-check") {
		t.Errorf("topic after check --write holds %d records, want the one marked mskx-check:\n%s", len(lines), got.stdout)
	}
}

func TestCheckAccessUsage(t *testing.T) {
	for _, args := range [][]string{{"check", "--write"}, {"check", "--group", "billing"}} {
		r := run(t, nil, "", append(args, "-b", "127.0.0.1:9092")...)
		if r.code != 2 || !strings.Contains(r.stderr, "needs --topic") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one sentence asking for --topic", args, r.code, r.stderr)
		}
	}
	r := run(t, nil, "", "check", "--help").must(t, "check --help")
	for _, flag := range []string{"--topic", "--group", "--write"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("check --help lacks %s:\n%s", flag, r.stdout)
		}
	}
}

// mskx needs nothing that DescribeCluster allows, so a refusal of it is
// reported with its policy but does not fail the check.
func TestCheckAccessDescribeClusterRefusedIsReported(t *testing.T) {
	c := iamCheckCluster(t)
	c.Kfake.ControlKey(int16(kmsg.DescribeCluster), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.Kfake.KeepControl()
		resp := kreq.ResponseKind().(*kmsg.DescribeClusterResponse)
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		return resp, nil, true
	})
	r := run(t, nil, "", append([]string{"check", "--topic", "orders", "--cluster-arn", checkClusterARN}, connArgs(c)...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "DENIED   kafka-cluster:DescribeCluster") || !strings.Contains(r.stdout, "allowed  kafka-cluster:ReadData") {
		t.Fatalf("exit %d, want 0 with DescribeCluster DENIED and ReadData allowed\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
