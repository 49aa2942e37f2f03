package topics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
	"github.com/mskx/mskx/ui/uitest"
)

// cluster is an in-process cluster with orders (3 partitions) and
// payments (1 partition).
func cluster(t *testing.T) *kafkatest.Cluster {
	t.Helper()
	return kafkatest.New(t, kafkatest.Topics(3, "orders"), kafkatest.Topics(1, "payments"))
}

// session opens a real client on c.
func session(t *testing.T, c *kafkatest.Cluster, opts ...kafka.Opt) *kafka.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// driver runs a pane the way the App does: Cmds off the pane, their
// messages back through Update. It records what the pane tells the App.
type driver struct {
	t      *testing.T
	m      *Model
	failed []error
}

func drive(t *testing.T, l Lister, w, h int, opts ...Option) *driver {
	t.Helper()
	p, _ := themes.ByName("mono")
	m := New(common.New(p), l, opts...)
	m.SetSize(w, h)
	m.Focus()
	d := &driver{t: t, m: m}
	d.settle(m.Init())
	return d
}

// settle runs cmd and everything that follows from it. The one Cmd not
// run is the one a loaded list returns: the periodic refresh, a 10s timer.
func (d *driver) settle(cmd tea.Cmd) {
	d.t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case common.FailedMsg:
			d.failed = append(d.failed, msg.Err)
		case loadedMsg:
			d.m.Update(msg) // returns the refresh timer only
		default:
			queue = append(queue, d.m.Update(msg))
		}
	}
}

// keys presses keys and settles what they start. Names are those of
// press in model_test.go, plus tab, backspace and ctrl+s/ctrl+u.
func (d *driver) keys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.settle(d.m.Update(keyMsg(k)))
	}
}

// typeText types s one key at a time.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.settle(d.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
}

var keyMsg = uitest.Key

// clear empties the focused field.
func (d *driver) clear() { d.keys("ctrl+u") }

// view is the pane's view without styles.
func (d *driver) view() string { return ansi.Strip(d.m.View()) }

// has fails unless the view holds every want.
func (d *driver) has(wants ...string) {
	d.t.Helper()
	v := d.view()
	for _, w := range wants {
		if !strings.Contains(v, w) {
			d.t.Errorf("view lacks %q:\n%s", w, v)
		}
	}
}

// line fails unless one line of the view holds every part, in order.
func (d *driver) line(parts ...string) {
	d.t.Helper()
	for _, l := range strings.Split(d.view(), "\n") {
		rest, ok := l, true
		for _, p := range parts {
			i := strings.Index(rest, p)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(p):]
		}
		if ok {
			return
		}
	}
	d.t.Errorf("no line holds %q:\n%s", parts, d.view())
}

// selectTopic moves the list's cursor to name.
func (d *driver) selectTopic(name string) {
	d.t.Helper()
	for range len(d.m.visible) {
		if d.m.Selected() == name {
			return
		}
		d.keys("j")
	}
	if d.m.Selected() != name {
		d.t.Fatalf("cannot select %s:\n%s", name, d.view())
	}
}

func describe(t *testing.T, s *kafka.Session, topic string) kafka.TopicDetail {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := s.DescribeTopic(ctx, topic)
	if err != nil {
		t.Fatalf("describe %s: %v", topic, err)
	}
	return d
}

func config(t *testing.T, s *kafka.Session, topic, name string) kafka.ConfigEntry {
	t.Helper()
	for _, c := range describe(t, s, topic).Configs {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("%s has no config %s", topic, name)
	return kafka.ConfigEntry{}
}

func topicNames(t *testing.T, s *kafka.Session) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ts, err := s.Topics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range ts {
		names = append(names, tp.Name)
	}
	return strings.Join(names, ",")
}

func TestCreateTopicWithConfigs(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.keys("c")
	if !d.m.Editing() {
		t.Fatal("the create form does not have the keyboard")
	}
	d.has("New topic", "Name", "Partitions", "Replication", "retention.ms", "cleanup.policy", "min.insync.replicas")
	d.typeText("quotes.v1") // q is text here, not quit
	d.keys("tab")
	d.clear()
	d.typeText("4")
	d.keys("tab", "tab") // replication stays -1: the cluster default
	d.typeText("3600000")
	d.keys("tab")
	d.typeText("compact")
	d.keys("tab")
	d.typeText("1")
	cmd := d.m.Update(keyMsg("enter"))
	d.has("creating topic quotes.v1…") // until the answer comes back
	d.settle(cmd)

	if d.m.Editing() || len(d.failed) > 0 {
		t.Fatalf("after create: editing %v, failures %v\n%s", d.m.Editing(), d.failed, d.view())
	}
	td := describe(t, s, "quotes.v1")
	if len(td.Partitions) != 4 {
		t.Errorf("created with %d partitions, want 4", len(td.Partitions))
	}
	for name, want := range map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact", "min.insync.replicas": "1"} {
		if c := config(t, s, "quotes.v1", name); c.Value != want || c.Source != "DYNAMIC_TOPIC_CONFIG" {
			t.Errorf("%s = %q from %s, want %q set on the topic", name, c.Value, c.Source, want)
		}
	}
	if d.m.Selected() != "quotes.v1" {
		t.Errorf("selected %q after create, want the new topic", d.m.Selected())
	}
	d.has("✓ created topic quotes.v1 with 4 partitions", "▸ quotes.v1")
	// The note lasts until the next key.
	d.keys("j")
	if strings.Contains(d.view(), "✓ created") {
		t.Errorf("the note outlived the next key:\n%s", d.view())
	}
}

func TestCreateLeavesConfigsToTheCluster(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.keys("c")
	d.typeText("plain")
	d.keys("ctrl+s")
	if n := len(describe(t, s, "plain").Partitions); n != 3 {
		t.Errorf("default partitions = %d, want 3", n)
	}
	if c := config(t, s, "plain", "retention.ms"); c.Source != "DEFAULT_CONFIG" {
		t.Errorf("retention.ms comes from %s; an empty field should leave the default", c.Source)
	}
}

func TestCreateFormValidation(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 160, 46)
	d.keys("c", "enter") // an empty name is named once submission is tried
	d.has("✗ Name: topic name is empty")
	d.typeText("my topic")
	d.keys("tab")
	d.clear()
	d.typeText("0")
	d.keys("tab")
	d.clear()
	d.typeText("0")
	d.keys("tab")
	d.typeText("1d")
	d.keys("tab")
	d.typeText("compacted")
	d.keys("tab")
	d.typeText("0")
	d.has(
		`Name: topic name "my topic" has ' ': names hold only letters, digits, '.', '_' and '-'`,
		`Partitions: "0" is not a partition count: write a whole number from 1`,
		`Replication: "0" is not a replication factor: write -1 for the cluster default, or 1 or more`,
		`✗ retention.ms "1d": write a whole number of milliseconds, or -1 to keep messages forever`,
		`✗ cleanup.policy "compacted": write delete, compact or compact,delete`,
		`✗ min.insync.replicas "0": write a whole number of replicas, 1 or more`,
	)
	d.keys("enter")
	if d.m.form == nil || d.m.busy {
		t.Fatalf("a form with problems was submitted:\n%s", d.view())
	}
	if d.m.form.focus != 0 {
		t.Errorf("the cursor is on field %d; it should go to the first with a problem", d.m.form.focus)
	}
	if got := topicNames(t, s); got != "orders,payments" {
		t.Errorf("topics = %s after a refused form", got)
	}
	d.keys("esc")
	if d.m.Editing() || d.m.form != nil {
		t.Error("esc did not close the form")
	}
	d.has("cancelled")
}

func TestServerlessFormHasNoReplication(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22, Serverless())
	d.keys("c")
	if v := d.view(); strings.Contains(v, "Replication") || !strings.Contains(v, "Serverless sets the replication factor") {
		t.Errorf("serverless create form:\n%s", v)
	}
	d.typeText("sls")
	d.keys("enter")
	if len(describe(t, s, "sls").Partitions) != 3 || len(d.failed) > 0 {
		t.Errorf("serverless create: %v", d.failed)
	}
}

func TestAddPartitions(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.selectTopic("orders")
	d.keys("+")
	d.has("Add partitions to orders", "orders has 3 partitions now")
	d.typeText("2")
	d.has("orders has 3 partitions: write more than 3")
	d.keys("enter")
	if d.m.form == nil {
		t.Fatal("a total below the current count was submitted")
	}
	d.clear()
	d.typeText("5")
	d.keys("enter")
	if n := len(describe(t, s, "orders").Partitions); n != 5 {
		t.Errorf("orders has %d partitions, want 5", n)
	}
	d.has("✓ orders now has 5 partitions")
	d.line("▸ orders", "5")
}

func TestEditAndResetConfigFromDetail(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 100, 40)
	d.selectTopic("orders")
	d.keys("d")
	for range 40 {
		if c := d.m.detailConfig(); c != nil && c.Name == "retention.ms" {
			break
		}
		d.keys("j")
	}
	d.has("▸ retention.ms")
	d.keys("e")
	d.has("Edit retention.ms of orders", "retention.ms is the default, 604800000", "(default: 604800000)")
	d.typeText("-2")
	d.has(`retention.ms "-2": write a whole number of milliseconds`)
	d.clear()
	d.typeText("3600000")
	d.keys("enter")
	if c := config(t, s, "orders", "retention.ms"); c.Value != "3600000" || c.Source != "DYNAMIC_TOPIC_CONFIG" {
		t.Fatalf("retention.ms = %q from %s after edit", c.Value, c.Source)
	}
	// The detail reloads and the cursor stays on the config it was on.
	d.has("✓ set retention.ms=3600000 on orders")
	d.line("▸ retention.ms", "3600000", "(dynamic_topic_config)")

	d.keys("e")
	d.has("retention.ms is 3600000 (dynamic_topic_config)")
	d.clear() // empty: back to the default
	d.keys("enter")
	if c := config(t, s, "orders", "retention.ms"); c.Source != "DEFAULT_CONFIG" {
		t.Errorf("retention.ms comes from %s after reset", c.Source)
	}
	d.has("✓ retention.ms on orders is back to the cluster default")
}

func TestEditConfigFromList(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.selectTopic("payments")
	d.keys("e")
	d.has("Edit a config of payments", "Config", "Value")
	d.keys("enter")
	d.has("Config: write the config's name, e.g. retention.ms")
	d.typeText("cleanup.policy")
	d.keys("tab")
	d.typeText("nope")
	d.has(`cleanup.policy "nope": write delete, compact or compact,delete`)
	d.clear()
	d.typeText("compact")
	d.keys("enter")
	if c := config(t, s, "payments", "cleanup.policy"); c.Value != "compact" {
		t.Errorf("cleanup.policy = %q after edit from the list", c.Value)
	}
}

func TestDeleteTopicAsksForTheName(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.selectTopic("orders")
	d.keys("D")
	d.has("Delete topic orders", "there is no undo", "Type the topic's name to confirm", "(type orders)")
	d.typeText("order")
	if strings.Contains(d.view(), "not the topic's name") {
		t.Errorf("the confirmation complained before it was submitted:\n%s", d.view())
	}
	d.keys("enter")
	d.has("✗ Confirm: that is not the topic's name: type orders exactly to delete it,", "esc to keep it")
	if got := topicNames(t, s); got != "orders,payments" {
		t.Fatalf("topics = %s after a wrong confirmation", got)
	}
	d.typeText("s")
	d.keys("enter")
	if got := topicNames(t, s); got != "payments" {
		t.Fatalf("topics = %s after delete", got)
	}
	d.has("✓ deleted topic orders", "▸ payments", "1 of 1 topics")
	if strings.Contains(d.view(), " orders ") {
		t.Errorf("the deleted topic is still listed:\n%s", d.view())
	}
}

func TestDeleteFromDetail(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.selectTopic("payments")
	d.keys("d", "D")
	d.has("Delete topic payments")
	d.typeText("payments")
	d.keys("enter")
	if d.m.DetailOpen() {
		t.Error("the detail of a deleted topic is still open")
	}
	if got := topicNames(t, s); got != "orders" {
		t.Errorf("topics = %s after delete", got)
	}
	d.has("✓ deleted topic payments", "▸ orders")
}

func TestDeleteCancelled(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.keys("D")
	d.typeText("orders")
	d.keys("esc")
	if got := topicNames(t, s); got != "orders,payments" {
		t.Errorf("topics = %s after esc", got)
	}
}

func TestAdminFailureGoesToTheApp(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	d.selectTopic("payments")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.DeleteTopic(ctx, "payments"); err != nil { // behind the pane's back
		t.Fatal(err)
	}
	d.keys("D")
	d.typeText("payments")
	d.keys("enter")
	if len(d.failed) != 1 || !strings.Contains(d.failed[0].Error(), `topic "payments" does not exist`) {
		t.Fatalf("failures reported = %v", d.failed)
	}
	var oe *kafka.OpError
	if !errors.As(d.failed[0], &oe) || oe.Op != kafka.OpDeleteTopic {
		t.Errorf("the failure lost its operation: %#v", d.failed[0])
	}
	d.has(`✗ delete topic payments: topic "payments" does not exist`)
}

func TestReadOnlyRefusesAdmin(t *testing.T) {
	c := cluster(t)
	rw := session(t, c)
	for _, tc := range []struct {
		name string
		l    *kafka.Session
		opts []Option
	}{
		{"option", rw, []Option{ReadOnly()}},
		{"read-only session", session(t, c, kafka.ReadOnly()), nil},
		{"both", session(t, c, kafka.ReadOnly()), []Option{ReadOnly(), Serverless()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := drive(t, tc.l, 80, 22, tc.opts...)
			if !d.m.ReadOnly() {
				t.Fatal("the pane is not read-only")
			}
			d.has("NAME [read-only]")
			d.selectTopic("orders")
			for _, k := range []string{"c", "+", "e", "D"} {
				d.keys(k)
				if d.m.Editing() || d.m.busy {
					t.Fatalf("%s opened a form on a read-only pane:\n%s", k, d.view())
				}
				d.has("✗ read-only: topic admin is disabled (started with --read-only)")
			}
			d.keys("d")
			d.has("▶ orders", "[read-only]")
			d.keys("e")
			d.has("✗ read-only: topic admin is disabled")
			if d.m.form != nil {
				t.Error("e in the detail opened a form")
			}

			var help []string
			for _, col := range d.m.FullHelp() {
				for _, b := range col {
					help = append(help, b.Help().Key+" "+b.Help().Desc)
				}
			}
			for _, want := range []string{"c create (read-only)", "+ add partitions (read-only)", "e edit config (read-only)", "D delete topic (read-only)"} {
				if !strings.Contains(strings.Join(help, "\n"), want) {
					t.Errorf("help lacks %q: %v", want, help)
				}
			}
			if got := topicNames(t, rw); got != "orders,payments" {
				t.Errorf("topics = %s", got)
			}
			if n := len(describe(t, rw, "orders").Partitions); n != 3 {
				t.Errorf("orders has %d partitions", n)
			}
			if cfg := config(t, rw, "orders", "retention.ms"); cfg.Source != "DEFAULT_CONFIG" {
				t.Errorf("retention.ms comes from %s", cfg.Source)
			}
			if len(d.failed) > 0 {
				t.Errorf("refusals went to the App as failures: %v", d.failed)
			}
		})
	}
}

func TestEditingCoversEveryTextField(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	for _, k := range []string{"/", "c", "+", "e", "D"} {
		d.keys(k)
		if !d.m.Editing() {
			t.Errorf("Editing() is false after %s", k)
		}
		d.keys("esc")
		if d.m.Editing() {
			t.Errorf("Editing() is true after %s and esc", k)
		}
	}
	d.keys("/")
	if !d.m.Filtering() {
		t.Error("Filtering() is false in the filter")
	}
	d.keys("esc")
}
