package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// adminSession opens a session on c with opts; the test closes it.
func adminSession(t *testing.T, c *kafkatest.Cluster, opts ...kafka.Opt) *kafka.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers}, append([]kafka.Opt{kafka.DialTimeout(3 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func adminCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// configOf returns a topic's config value and source, failing the test
// when the topic cannot be described.
func configOf(t *testing.T, s *kafka.Session, topic, name string) (value, source string) {
	t.Helper()
	d, err := s.DescribeTopic(adminCtx(t), topic)
	if err != nil {
		t.Fatalf("describe %s: %v", topic, err)
	}
	if d.ConfigErr != nil {
		t.Fatalf("configs of %s: %v", topic, d.ConfigErr)
	}
	for _, c := range d.Configs {
		if c.Name == name {
			return c.Value, c.Source
		}
	}
	return "", ""
}

func partitionCount(t *testing.T, s *kafka.Session, topic string) int {
	t.Helper()
	d, err := s.DescribeTopic(adminCtx(t), topic)
	if err != nil {
		t.Fatalf("describe %s: %v", topic, err)
	}
	return len(d.Partitions)
}

func TestAddPartitions(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"))
	s := adminSession(t, c)
	if err := s.AddPartitions(adminCtx(t), "orders", 5); err != nil {
		t.Fatalf("add partitions: %v", err)
	}
	if n := partitionCount(t, s, "orders"); n != 5 {
		t.Errorf("orders has %d partitions after raising to 5", n)
	}

	for _, total := range []int{5, 3, 0} {
		err := s.AddPartitions(adminCtx(t), "orders", total)
		if err == nil || !strings.Contains(err.Error(), "has 5 partitions") {
			t.Errorf("total %d: error %v, want one naming the current count 5", total, err)
		}
	}
	if n := partitionCount(t, s, "orders"); n != 5 {
		t.Errorf("orders has %d partitions after refused changes, want 5", n)
	}

	err := s.AddPartitions(adminCtx(t), "nope", 3)
	if err == nil || !strings.Contains(err.Error(), `topic "nope" does not exist`) {
		t.Errorf("unknown topic: %v", err)
	}
	var oe *kafka.OpError
	if !errors.As(err, &oe) || oe.Op != kafka.OpAddPartitions || oe.Topic != "nope" {
		t.Errorf("unknown topic error does not carry its operation: %#v", err)
	}
}

func TestSetAndResetTopicConfig(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"))
	s := adminSession(t, c)
	ctx := adminCtx(t)
	_, src := configOf(t, s, "orders", "retention.ms")
	if src != "DEFAULT_CONFIG" {
		t.Fatalf("retention.ms starts from %s, want DEFAULT_CONFIG", src)
	}
	if err := s.SetTopicConfig(ctx, "orders", "retention.ms", "3600000"); err != nil {
		t.Fatalf("set: %v", err)
	}
	if err := s.SetTopicConfig(ctx, "orders", "cleanup.policy", "compact,delete"); err != nil {
		t.Fatalf("set: %v", err)
	}
	if v, src := configOf(t, s, "orders", "retention.ms"); v != "3600000" || src != "DYNAMIC_TOPIC_CONFIG" {
		t.Errorf("retention.ms = %q from %s after set", v, src)
	}
	if v, _ := configOf(t, s, "orders", "cleanup.policy"); v != "compact,delete" {
		t.Errorf("cleanup.policy = %q after set", v)
	}

	if err := s.ResetTopicConfig(ctx, "orders", "retention.ms"); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if v, src := configOf(t, s, "orders", "retention.ms"); src != "DEFAULT_CONFIG" || v == "3600000" {
		t.Errorf("retention.ms = %q from %s after reset, want the default", v, src)
	}
	if v, _ := configOf(t, s, "orders", "cleanup.policy"); v != "compact,delete" {
		t.Errorf("resetting retention.ms changed cleanup.policy to %q", v)
	}

	// A bad value is named before anything is sent.
	err := s.SetTopicConfig(ctx, "orders", "retention.ms", "1 day")
	if err == nil || !strings.Contains(err.Error(), `retention.ms "1 day"`) {
		t.Errorf("bad value: %v", err)
	}

	err = s.SetTopicConfig(ctx, "nope", "retention.ms", "1000")
	if err == nil || !strings.Contains(err.Error(), `topic "nope" does not exist`) || !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Errorf("unknown topic: %v", err)
	}
	var oe *kafka.OpError
	if !errors.As(err, &oe) || oe.Op != kafka.OpAlterConfig {
		t.Errorf("alter error does not carry its operation: %#v", err)
	}
}

func TestDeleteTopic(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders", "keep"))
	s := adminSession(t, c)
	if err := s.DeleteTopic(adminCtx(t), "orders"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := s.DescribeTopic(adminCtx(t), "orders"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("orders still described after delete: %v", err)
	}
	if n := partitionCount(t, s, "keep"); n != 1 {
		t.Errorf("the other topic has %d partitions", n)
	}

	err := s.DeleteTopic(adminCtx(t), "orders")
	if err == nil || !strings.Contains(err.Error(), `topic "orders" does not exist`) {
		t.Errorf("deleting again: %v", err)
	}
	var oe *kafka.OpError
	if !errors.As(err, &oe) || oe.Op != kafka.OpDeleteTopic || oe.Topic != "orders" {
		t.Errorf("delete error does not carry its operation: %#v", err)
	}
}

func TestAdminOnReadOnlySession(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"))
	rw := adminSession(t, c)
	if err := rw.SetTopicConfig(adminCtx(t), "orders", "retention.ms", "1000"); err != nil {
		t.Fatal(err)
	}
	ro := adminSession(t, c, kafka.ReadOnly())
	ctx := adminCtx(t)
	for name, err := range map[string]error{
		"create":         ro.CreateTopic(ctx, "new", 1, -1, nil),
		"add partitions": ro.AddPartitions(ctx, "orders", 4),
		"set config":     ro.SetTopicConfig(ctx, "orders", "retention.ms", "2000"),
		"reset config":   ro.ResetTopicConfig(ctx, "orders", "retention.ms"),
		"delete":         ro.DeleteTopic(ctx, "orders"),
	} {
		if !errors.Is(err, kafka.ErrReadOnly) {
			t.Errorf("%s on a read-only session: %v, want ErrReadOnly", name, err)
		}
	}
	ts, err := rw.Topics(adminCtx(t))
	if err != nil || len(ts) != 1 || ts[0].Name != "orders" || ts[0].Partitions != 2 {
		t.Errorf("topics after refused admin = %+v, %v; want orders with 2 partitions only", ts, err)
	}
	if v, _ := configOf(t, rw, "orders", "retention.ms"); v != "1000" {
		t.Errorf("retention.ms = %q after refused set and reset, want 1000", v)
	}
}

// names lists the topics with their partition counts, as Topics says.
func names(t *testing.T, s *kafka.Session) string {
	t.Helper()
	ts, err := s.Topics(adminCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tp := range ts {
		if tp.Err != nil {
			t.Errorf("%s: %v", tp.Name, tp.Err)
		}
		out = append(out, fmt.Sprintf("%s:%d", tp.Name, tp.Partitions))
	}
	return strings.Join(out, ",")
}

// The client caches topic metadata for a few seconds; a list taken right
// after a change must show it all the same.
func TestTopicsSeeChangesAtOnce(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "orders"), kafkatest.Topics(1, "logs"))
	s := adminSession(t, c)
	ctx := adminCtx(t)
	if got := names(t, s); got != "logs:1,orders:2" {
		t.Fatalf("topics = %s", got)
	}
	if err := s.AddPartitions(ctx, "orders", 4); err != nil {
		t.Fatal(err)
	}
	if got := names(t, s); got != "logs:1,orders:4" {
		t.Errorf("topics after adding partitions = %s", got)
	}
	if err := s.DeleteTopic(ctx, "logs"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, s); got != "orders:4" {
		t.Errorf("topics after delete = %s", got)
	}
	if err := s.CreateTopic(ctx, "new", 3, -1, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.RefreshMetadata(ctx); err != nil {
		t.Fatal(err)
	}
	if got := names(t, s); got != "new:3,orders:4" {
		t.Errorf("topics after create and refresh = %s", got)
	}
}

func TestValidateTopicName(t *testing.T) {
	for _, ok := range []string{"a", "orders", "app.logs-v2_x", strings.Repeat("x", 249), "..."} {
		if err := kafka.ValidateTopicName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for name, want := range map[string]string{
		"":                       "empty",
		".":                      "reserves",
		"..":                     "reserves",
		strings.Repeat("x", 250): "250 characters",
		"my topic":               `has ' '`,
		"orders/eu":              `has '/'`,
		"café":                   `has 'é'`,
	} {
		err := kafka.ValidateTopicName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", name, err, want)
		}
	}
}

func TestValidateTopicConfig(t *testing.T) {
	good := [][2]string{
		{"retention.ms", "-1"}, {"retention.ms", "604800000"},
		{"retention.bytes", "-1"}, {"retention.bytes", "1073741824"},
		{"cleanup.policy", "delete"}, {"cleanup.policy", "compact"},
		{"cleanup.policy", "compact,delete"}, {"cleanup.policy", "delete,compact"},
		{"min.insync.replicas", "2"}, {"max.message.bytes", "0"},
		{"segment.ms", "anything"}, // the broker decides
	}
	for _, c := range good {
		if err := kafka.ValidateTopicConfig(c[0], c[1]); err != nil {
			t.Errorf("%s=%s: %v", c[0], c[1], err)
		}
	}
	bad := [][2]string{
		{"retention.ms", "-2"}, {"retention.ms", "7d"}, {"retention.ms", ""},
		{"retention.bytes", "-5"}, {"cleanup.policy", "compacted"},
		{"cleanup.policy", "delete,delete"}, {"cleanup.policy", ""},
		{"min.insync.replicas", "0"}, {"max.message.bytes", "-1"},
		{"max.message.bytes", "99999999999"}, {"", "1"},
	}
	for _, c := range bad {
		err := kafka.ValidateTopicConfig(c[0], c[1])
		if err == nil {
			t.Errorf("%s=%s passed", c[0], c[1])
			continue
		}
		if msg := err.Error(); strings.Count(msg, "\n") > 0 || c[0] != "" && !strings.HasPrefix(msg, c[0]) {
			t.Errorf("%s=%s: %q should be one sentence naming the config", c[0], c[1], msg)
		}
	}
}

// Partitions added while a session's producer runs can be sent to at once,
// whoever added them; a partition that does not exist is named.
func TestProduceToAddedPartitions(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "grow"))
	s := open(t, c)
	other := open(t, c)
	if d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "grow", Partition: 1, Value: []byte("before")}); d.Err != nil {
		t.Fatal(d.Err) // the producer has loaded the topic's two partitions
	}
	if err := s.AddPartitions(ctxT(t), "grow", 3); err != nil {
		t.Fatal(err)
	}
	if d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "grow", Partition: 2, Value: []byte("own")}); d.Err != nil || d.Partition != 2 {
		t.Errorf("send to the partition this session added: %+v", d)
	}
	if err := other.AddPartitions(ctxT(t), "grow", 5); err != nil {
		t.Fatal(err)
	}
	// A run of sends to it lands whole and in order.
	var mu sync.Mutex
	var offsets []int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		s.Produce(ctxT(t), kafka.Message{Topic: "grow", Partition: 4, Value: []byte(fmt.Sprint(i))}, func(d kafka.Delivery) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if d.Err != nil || d.Partition != 4 || d.Offset != int64(i) {
				t.Errorf("send %d to a partition another client added: partition %d offset %d, %v", i, d.Partition, d.Offset, d.Err)
			}
			offsets = append(offsets, d.Offset)
		})
	}
	wg.Wait()
	if len(offsets) != 50 {
		t.Errorf("%d of 50 sends delivered", len(offsets))
	}
	d := s.ProduceSync(ctxT(t), kafka.Message{Topic: "grow", Partition: 9, Value: []byte("x")})
	if d.Err == nil || d.Err.Error() != "topic grow has no partition 9: it has partitions 0 to 4" {
		t.Errorf("send to partition 9 of 5: %v", d.Err)
	}
}
