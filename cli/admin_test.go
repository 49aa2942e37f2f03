package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

func describe(t *testing.T, c *kafkatest.Cluster, topic string) (kafka.TopicDetail, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return s.DescribeTopic(ctx, topic)
}

func configValue(d kafka.TopicDetail, name string) string {
	for _, c := range d.Configs {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func TestTopicAdminCommands(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"))
	topic := func(args ...string) result {
		return run(t, nil, "", append(append([]string{"topic"}, args...), connArgs(c)...)...)
	}

	topic("create", "audit", "--partitions", "4", "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact").must(t, "create")
	d, err := describe(t, c, "audit")
	if err != nil || len(d.Partitions) != 4 || configValue(d, "retention.ms") != "3600000" || configValue(d, "cleanup.policy") != "compact" {
		t.Fatalf("after create: %d partitions, retention.ms=%q, cleanup.policy=%q, err %v", len(d.Partitions), configValue(d, "retention.ms"), configValue(d, "cleanup.policy"), err)
	}
	topic("add-partitions", "audit", "6").must(t, "add-partitions")
	topic("set-config", "audit", "retention.ms=7200000").must(t, "set-config")
	if d, _ = describe(t, c, "audit"); len(d.Partitions) != 6 || configValue(d, "retention.ms") != "7200000" {
		t.Fatalf("after add-partitions and set-config: %d partitions, retention.ms=%q", len(d.Partitions), configValue(d, "retention.ms"))
	}
	if r := topic("add-partitions", "audit", "3"); r.code != 1 || !strings.Contains(r.stderr, "has 6 partitions") {
		t.Errorf("lowering partitions: exit %d, %q", r.code, r.stderr)
	}
	topic("reset-config", "audit", "retention.ms").must(t, "reset-config")
	if d, _ = describe(t, c, "audit"); configValue(d, "retention.ms") == "7200000" {
		t.Errorf("reset-config left retention.ms at 7200000")
	}
	if r := topic("delete", "audit"); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("delete without --yes: exit %d, %q", r.code, r.stderr)
	}
	topic("delete", "audit", "--yes").must(t, "delete")
	if _, err := describe(t, c, "audit"); err == nil {
		t.Errorf("audit still exists after delete")
	}
	if r := topic("delete", "missing", "--yes"); r.code != 1 || !strings.Contains(r.stderr, "missing") {
		t.Errorf("deleting a missing topic: exit %d, %q", r.code, r.stderr)
	}
}

func TestTopicAdminReadOnly(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"))
	for _, args := range [][]string{
		{"create", "new"},
		{"add-partitions", "orders", "5"},
		{"set-config", "orders", "retention.ms=1000"},
		{"reset-config", "orders", "retention.ms"},
		{"delete", "orders", "--yes"},
	} {
		r := run(t, nil, "", append(append(append([]string{"topic"}, args...), "--read-only"), connArgs(c)...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "read-only") {
			t.Errorf("topic %v --read-only: exit %d, %q", args, r.code, r.stderr)
		}
	}
	d, err := describe(t, c, "orders")
	if err != nil || len(d.Partitions) != 2 {
		t.Fatalf("orders changed under --read-only: %d partitions, %v", len(d.Partitions), err)
	}
	if _, err := describe(t, c, "new"); err == nil {
		t.Errorf("topic new was created under --read-only")
	}
}

func TestTopicAdminUsage(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"", "no action"},
		{"rename orders", "unknown action"},
		{"create", "takes 1 argument"},
		{"create bad/name", "has '/'"},
		{"create t --partitions 0", "--partitions 0"},
		{"create t --replication 0", "--replication 0"},
		{"create t --config retention.ms", "not key=value"},
		{"create t --config retention.ms=soon", "retention.ms"},
		{"add-partitions t many", "not a positive number"},
		{"set-config t retention.ms", "not key=value"},
		{"reset-config t retention.ms=1", "without a value"},
	} {
		r := run(t, nil, "", append([]string{"topic"}, strings.Fields(tc.args)...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("topic %s: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
