package topics

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
	"github.com/mskx/mskx/ui/uitest"
)

type listerFunc func(context.Context) ([]kafka.Topic, error)

func (f listerFunc) Topics(ctx context.Context) ([]kafka.Topic, error) { return f(ctx) }

func (f listerFunc) DescribeTopic(_ context.Context, topic string) (kafka.TopicDetail, error) {
	return kafka.TopicDetail{Name: topic, Partitions: []kafka.PartitionInfo{
		{Partition: 0, Leader: 1, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}, Low: 0, High: 250},
		{Partition: 1, Leader: 2, Replicas: []int32{2, 3, 1}, ISR: []int32{2, 3}, Low: 10, High: 250},
	}, Configs: []kafka.ConfigEntry{
		{Name: "cleanup.policy", Value: "delete", Source: "DEFAULT_CONFIG"},
		{Name: "retention.ms", Value: "86400000", Source: "DYNAMIC_TOPIC_CONFIG"},
	}}, nil
}

// errNoAdmin is what the canned lister says to admin calls: these tests
// are about browsing; admin runs against a real cluster in admin_test.go.
var errNoAdmin = errors.New("not a cluster")

func (f listerFunc) CreateTopic(context.Context, string, int32, int16, map[string]*string) error {
	return errNoAdmin
}
func (f listerFunc) AddPartitions(context.Context, string, int) error             { return errNoAdmin }
func (f listerFunc) SetTopicConfig(context.Context, string, string, string) error { return errNoAdmin }
func (f listerFunc) ResetTopicConfig(context.Context, string, string) error       { return errNoAdmin }
func (f listerFunc) DeleteTopic(context.Context, string) error                    { return errNoAdmin }

var sample = []kafka.Topic{
	{Name: "__consumer_offsets", Internal: true, Partitions: 50, Replication: 3},
	{Name: "app-logs", Partitions: 3, Replication: 3, Messages: 300},
	{Name: "orders", Partitions: 6, Replication: 3, Messages: 500},
	{Name: "payments.dlq", Partitions: 1, Replication: 3, Messages: 7},
}

func newPane(t *testing.T, l Lister) *Model {
	t.Helper()
	p, _ := themes.ByName("mono")
	m := New(common.New(p), l)
	m.SetSize(80, 20)
	m.Focus()
	// Run the load the way the App would: the Cmd off the loop, its
	// message back through Update.
	msg := m.Init()()
	m.Update(msg)
	return m
}

func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = m.Update(uitest.Key(k))
	}
	return cmd
}

func TestListHidesInternalUntilToggled(t *testing.T) {
	m := newPane(t, listerFunc(func(context.Context) ([]kafka.Topic, error) { return sample, nil }))
	v := m.View()
	if strings.Contains(v, "__consumer_offsets") || !strings.Contains(v, "1 internal hidden") {
		t.Errorf("internal topic shown by default:\n%s", v)
	}
	if !strings.Contains(v, "▸ app-logs") {
		t.Errorf("first topic not selected with a glyph:\n%s", v)
	}
	press(m, "i")
	if v := m.View(); !strings.Contains(v, "__consumer_offsets (internal)") {
		t.Errorf("internal topic not shown after i:\n%s", v)
	}
}

func TestFilterKeepsSelectionAndOpens(t *testing.T) {
	m := newPane(t, listerFunc(func(context.Context) ([]kafka.Topic, error) { return sample, nil }))
	press(m, "j") // orders
	if m.Selected() != "orders" {
		t.Fatalf("selected %q after j, want orders", m.Selected())
	}
	press(m, "/", "d", "e", "r")
	if !m.Filtering() || !strings.Contains(m.View(), "1 of 4 topics") {
		t.Errorf("filter 'der' should leave orders only:\n%s", m.View())
	}
	press(m, "enter") // leaves the filter field
	cmd := press(m, "enter")
	if cmd == nil {
		t.Fatal("enter on a topic gave no command")
	}
	if msg, ok := cmd().(OpenTailMsg); !ok || msg.Topic != "orders" {
		t.Errorf("enter gave %#v, want OpenTailMsg{orders}", msg)
	}
	press(m, "esc")
	if strings.Contains(m.View(), "1 of 4") || m.Selected() != "orders" {
		t.Errorf("esc should clear the filter and keep the selection:\n%s", m.View())
	}
}

func TestStaleAndFailedLoads(t *testing.T) {
	calls := 0
	m := newPane(t, listerFunc(func(context.Context) ([]kafka.Topic, error) {
		calls++
		if calls > 1 {
			return nil, errors.New("TOPIC_AUTHORIZATION_FAILED")
		}
		return sample, nil
	}))
	press(m, "j", "j") // payments.dlq
	// A stale answer from an older load is dropped.
	m.Update(loadedMsg{gen: m.gen - 1, topics: sample[:1]})
	if !strings.Contains(m.View(), "orders") {
		t.Fatal("a stale load replaced the list")
	}
	// A failed refresh keeps the list and the selection, and says so.
	msg := press(m, "r")()
	m.Update(msg)
	v := m.View()
	if !strings.Contains(v, "▸ payments.dlq") || !strings.Contains(v, "✗ refresh failed: TOPIC_AUTH") {
		t.Errorf("failed refresh:\n%s", v)
	}
}

func TestDetail(t *testing.T) {
	m := newPane(t, listerFunc(func(context.Context) ([]kafka.Topic, error) { return sample, nil }))
	press(m, "j") // orders
	cmd := press(m, "d")
	if !m.DetailOpen() || cmd == nil {
		t.Fatal("d did not open the detail")
	}
	m.Update(cmd())
	v := m.View()
	for _, want := range []string{"▶ orders", "PARTITION", "1,2,3", "⚠ under-replicated", "retention.ms", "86400000", "(dynamic_topic_config)", "cleanup.policy"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	if strings.Index(v, "retention.ms") > strings.Index(v, "cleanup.policy") {
		t.Error("non-default configs should come first")
	}
	if msg, ok := press(m, "enter")().(OpenTailMsg); !ok || msg.Topic != "orders" {
		t.Errorf("enter in detail gave %#v", msg)
	}
	press(m, "esc")
	if m.DetailOpen() || !strings.Contains(m.View(), "▸ orders") {
		t.Errorf("esc should return to the list:\n%s", m.View())
	}
}
