package groups

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
)

var fixedNow = time.Date(2026, 11, 21, 10, 0, 4, 0, time.UTC)

// harness is the pane as the App runs it: commands run and their messages
// come back through Update, failures reported to the App are kept, and
// timers are recorded rather than started, to be fired by hand.
type harness struct {
	t      *testing.T
	m      *Model
	ticks  []tickMsg
	failed []error
}

func newHarness(t *testing.T, l Lister, w, h int) *harness {
	t.Helper()
	p, err := themes.ByName("mono")
	if err != nil {
		t.Fatal(err)
	}
	c := common.New(p)
	c.Now = func() time.Time { return fixedNow }
	hs := &harness{t: t, m: New(c, l)}
	hs.m.tick = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		hs.ticks = append(hs.ticks, fn(fixedNow).(tickMsg))
		return nil
	}
	hs.m.SetSize(w, h)
	hs.do(hs.m.Focus()) // the first load
	return hs
}

// do runs cmd the way the runtime would and feeds its messages back.
func (h *harness) do(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.do(c)
		}
	case common.FailedMsg:
		h.failed = append(h.failed, msg.Err)
	default:
		h.do(h.m.Update(msg))
	}
}

// fire fires the last timer started, as the runtime would after its
// interval.
func (h *harness) fire() {
	h.t.Helper()
	if len(h.ticks) == 0 {
		h.t.Fatal("no refresh timer running")
	}
	tk := h.ticks[len(h.ticks)-1]
	h.ticks = nil
	h.do(h.m.Update(tk))
}

// press sends keys; commands of the last one are returned, not run, since
// some belong to the text field.
func (h *harness) press(keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "pgdown":
			msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
		default:
			msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		}
		cmd = h.m.Update(msg)
	}
	return cmd
}

// view is the pane without styles.
func (h *harness) view() string { return ansi.Strip(h.m.View()) }

// line returns the view's line holding want, failing when none does.
func (h *harness) line(want string) string {
	h.t.Helper()
	for _, l := range strings.Split(h.view(), "\n") {
		if strings.Contains(l, want) {
			return l
		}
	}
	h.t.Fatalf("no line with %q:\n%s", want, h.view())
	return ""
}

// cluster is an in-process cluster with "orders" of 3 partitions holding
// 10 records each, and a session on it.
func cluster(t *testing.T) (*kafkatest.Cluster, *kafka.Session) {
	t.Helper()
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"))
	s := openSession(t, c)
	t.Cleanup(s.Close)
	for p := int32(0); p < 3; p++ {
		produce(t, s, p, 10)
	}
	return c, s
}

func openSession(t *testing.T, c *kafkatest.Cluster) *kafka.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func produce(t *testing.T, s *kafka.Session, partition int32, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if d := s.ProduceSync(context.Background(), kafka.Message{Topic: "orders", Partition: partition, Value: []byte("v")}); d.Err != nil {
			t.Fatal(d.Err)
		}
	}
}

// commit sets a group's committed offsets on "orders" without joining it.
func commit(t *testing.T, s *kafka.Session, group string, offsets map[int32]int64) {
	t.Helper()
	os := make(kadm.Offsets)
	for p, at := range offsets {
		os.AddOffset("orders", p, at, -1)
	}
	if err := kadm.NewClient(s.Client()).CommitAllOffsets(context.Background(), group, os); err != nil {
		t.Fatal(err)
	}
}

func TestTrendShowsGrowingAndShrinkingLag(t *testing.T) {
	_, s := cluster(t)
	commit(t, s, "billing", map[int32]int64{0: 4, 1: 10}) // lag 6
	commit(t, s, "shipping", map[int32]int64{0: 2})       // lag 8
	commit(t, s, "audit", map[int32]int64{1: 10, 2: 10})  // lag 0
	h := newHarness(t, s, 80, 12)
	if l := h.line("billing"); !strings.Contains(l, "Empty") || !strings.HasSuffix(strings.TrimSpace(l), " 6") {
		t.Errorf("billing before any trend: %q", l)
	}
	h.press("j", "j") // shipping
	if h.m.Selected() != "shipping" {
		t.Fatalf("selected %q", h.m.Selected())
	}

	produce(t, s, 0, 5)                              // billing falls behind by 5
	commit(t, s, "shipping", map[int32]int64{0: 10}) // shipping catches up: 15-10 = 5
	commit(t, s, "accounts", map[int32]int64{0: 15}) // a new group sorts first
	h.fire()

	for name, want := range map[string]string{"billing": "11 ▲ +5", "shipping": "5 ▼ -3", "audit": "0 ="} {
		if l := h.line(name); !strings.Contains(l, want) {
			t.Errorf("%s: %q lacks %q", name, l, want)
		}
	}
	if l := h.line("accounts"); strings.ContainsAny(l, "▲▼=") {
		t.Errorf("a group seen once has no trend: %q", l)
	}
	if !strings.HasPrefix(h.line("shipping"), "▸ shipping") || h.m.Selected() != "shipping" {
		t.Errorf("selection moved off shipping:\n%s", h.view())
	}
	if len(h.ticks) != 1 {
		t.Errorf("%d timers running after a refresh, want 1", len(h.ticks))
	}
}

func TestDetailOfActiveMember(t *testing.T) {
	c, s := cluster(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.ClientID("worker-1"), kgo.InstanceID("worker-a"),
		kgo.ConsumerGroup("shipping"), kgo.ConsumeTopics("orders"), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for n := 0; n < 30; {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		n += fs.NumRecords()
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	produce(t, s, 1, 7)

	h := newHarness(t, s, 80, 12)
	if l := h.line("shipping"); !strings.Contains(l, "Stable") || !strings.Contains(l, "      1 ") || !strings.Contains(l, " 7") {
		t.Errorf("list line: %q", l)
	}
	h.do(h.press("enter"))
	if !h.m.DetailOpen() {
		t.Fatal("enter did not open the detail")
	}
	for _, want := range []string{"▶ shipping", "State Stable", "Coordinator 0", "Members 1", "Lag 7", "Partitions (3)", "Members (1)"} {
		if !strings.Contains(h.view(), want) {
			t.Errorf("detail lacks %q:\n%s", want, h.view())
		}
	}
	if l := h.line("orders     "); !strings.Contains(l, "   0         10         10         0") || !strings.HasSuffix(l, "worker-1") {
		t.Errorf("partition 0: %q", l)
	}

	produce(t, s, 1, 3)
	h.fire()
	if l := h.line("  20  "); !strings.Contains(l, "orders               1         10         20        10 ▲ +3") {
		t.Errorf("partition 1 after 3 more records: %q\n%s", l, h.view())
	}
	if !strings.Contains(h.view(), "Lag 10 ▲ +3") {
		t.Errorf("the summary's trend is missing:\n%s", h.view())
	}
	// The members table is below the fold at this height: scroll to it.
	h.press("j", "j", "j", "j", "j", "j")
	if l := h.line("worker-1        "); !strings.Contains(l, "orders 0-2") || !strings.Contains(l, "worker-a (") {
		t.Errorf("member line: %q\n%s", l, h.view())
	}
	if !strings.Contains(h.view(), "lines 3-12 of 12 (j/k)") {
		t.Errorf("scroll position not shown:\n%s", h.view())
	}
	h.press("esc")
	if h.m.DetailOpen() || !strings.HasPrefix(h.line("shipping"), "▸ shipping") {
		t.Errorf("esc should return to the list:\n%s", h.view())
	}
}

func TestFailuresShowInPaneAndReachTheApp(t *testing.T) {
	c, s := cluster(t)
	commit(t, s, "gone", map[int32]int64{0: 1})
	commit(t, s, "kept", map[int32]int64{0: 1})
	h := newHarness(t, s, 80, 12)
	// Deleted after the list was read: its detail fails, clearly.
	if _, err := kadm.NewClient(s.Client()).DeleteGroup(context.Background(), "gone"); err != nil {
		t.Fatal(err)
	}
	h.do(h.press("enter"))
	if l := h.line("✗"); !strings.Contains(l, `group "gone" does not exist`) {
		t.Errorf("detail error: %q", l)
	}
	if len(h.failed) != 1 || !strings.Contains(h.failed[0].Error(), "does not exist") {
		t.Fatalf("failures reported: %v", h.failed)
	}
	h.press("esc")

	// A cluster that starts refusing: the list stays, with the error.
	c.Kfake.ControlKey(int16(kmsg.ListGroups), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.Kfake.KeepControl()
		resp := kr.(*kmsg.ListGroupsRequest).ResponseKind().(*kmsg.ListGroupsResponse)
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		return resp, nil, true
	})
	h.failed = nil
	h.do(h.press("r"))
	if !strings.Contains(h.view(), "▸ gone") {
		t.Errorf("a failed refresh dropped the list:\n%s", h.view())
	}
	if l := h.line("refresh failed"); !strings.Contains(l, "✗ refresh failed: list groups: CLUSTER_AUTHO") {
		t.Errorf("status: %q", l)
	}
	var oe *kafka.OpError
	if len(h.failed) != 1 || !errors.As(h.failed[0], &oe) || oe.Op != kafka.OpListGroups {
		t.Fatalf("failures reported: %v", h.failed)
	}
	// The same error again on the timer is not reported again; asked
	// for with r, it is.
	h.fire()
	if len(h.failed) != 1 {
		t.Errorf("a repeated timed failure was reported again: %v", h.failed)
	}
	h.do(h.press("r"))
	if len(h.failed) != 2 {
		t.Errorf("a refresh asked for with r was not reported: %v", h.failed)
	}
}

// fixed is a Lister with fixed answers: each call to Groups returns the
// next list, the last one again once they run out.
type fixed struct {
	lists   [][]kafka.Group
	details map[string][]kafka.GroupDetail
	err     error
	calls   int
	dcalls  map[string]int
}

func (f *fixed) Groups(context.Context) ([]kafka.Group, error) {
	i := min(f.calls, len(f.lists)-1)
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return f.lists[i], nil
}

func (f *fixed) DescribeGroup(_ context.Context, name string) (kafka.GroupDetail, error) {
	ds, ok := f.details[name]
	if !ok {
		return kafka.GroupDetail{}, errors.New("group " + name + " does not exist")
	}
	if f.dcalls == nil {
		f.dcalls = make(map[string]int)
	}
	i := min(f.dcalls[name], len(ds)-1)
	f.dcalls[name]++
	return ds[i], nil
}

func TestRefreshStopsWhenBlurredAndRestartsOnFocus(t *testing.T) {
	f := &fixed{lists: [][]kafka.Group{{{Name: "a", State: "Empty"}}}}
	h := newHarness(t, f, 80, 10)
	if f.calls != 1 || len(h.ticks) != 1 {
		t.Fatalf("after focus: %d loads, %d timers", f.calls, len(h.ticks))
	}
	h.fire()
	if f.calls != 2 || len(h.ticks) != 1 {
		t.Fatalf("after a timer: %d loads, %d timers", f.calls, len(h.ticks))
	}
	h.m.Blur()
	h.fire()
	if f.calls != 2 || len(h.ticks) != 0 {
		t.Errorf("blurred, the timer should stop: %d loads, %d timers", f.calls, len(h.ticks))
	}
	h.do(h.m.Focus())
	if f.calls != 3 || len(h.ticks) != 1 {
		t.Errorf("focus should restart at once: %d loads, %d timers", f.calls, len(h.ticks))
	}
	// Focus with a timer running does not load twice.
	h.m.Blur()
	h.do(h.m.Focus())
	if f.calls != 3 {
		t.Errorf("focus with a timer running loaded again: %d", f.calls)
	}
	// A timer replaced by a newer one is ignored.
	old := h.ticks[0]
	h.do(h.press("r"))
	h.do(h.m.Update(old))
	if f.calls != 4 {
		t.Errorf("a replaced timer loaded: %d", f.calls)
	}
}

func TestStaleAnswersAndRefreshWithoutFlicker(t *testing.T) {
	f := &fixed{lists: [][]kafka.Group{
		{{Name: "a", State: "Empty", Lag: 1}, {Name: "b", State: "Stable", Members: 2, Lag: 2}},
		{{Name: "b", State: "Stable", Members: 2, Lag: 5}},
	}}
	h := newHarness(t, f, 80, 10)
	before := h.view()
	cmd := h.press("r") // in flight: the data stays on screen
	if v := h.view(); !strings.Contains(v, "a ") || !strings.Contains(v, "↻") || strings.Replace(v, " ↻", "", 1) != before {
		t.Errorf("a refresh in flight changed the view:\n%s\nwas:\n%s", v, before)
	}
	h.m.Update(loadedMsg{gen: h.m.gen - 1, groups: []kafka.Group{{Name: "stale"}}})
	if strings.Contains(h.view(), "stale") {
		t.Error("an answer of an older generation was shown")
	}
	h.do(cmd)
	if v := h.view(); strings.Contains(v, "↻") || !strings.Contains(v, "1 of 1 groups") || !strings.Contains(h.line("b "), "5 ▲ +3") {
		t.Errorf("after the refresh:\n%s", v)
	}
	// A detail answer for a detail since closed is dropped.
	h.m.Update(describedMsg{gen: h.m.detailGen, name: "b"})
	if h.m.DetailOpen() || h.m.detail != nil {
		t.Error("a detail answer opened or filled a closed detail")
	}
}

func TestFilter(t *testing.T) {
	f := &fixed{lists: [][]kafka.Group{{{Name: "billing"}, {Name: "payments"}, {Name: "shipping"}}}}
	h := newHarness(t, f, 80, 10)
	h.press("j") // payments
	h.press("/", "i", "n", "g")
	if !h.m.Editing() || !strings.Contains(h.view(), "2 of 3 groups") || !strings.HasPrefix(h.line("billing"), "▸ billing") {
		t.Errorf("filter 'ing' should leave billing (selected) and shipping:\n%s", h.view())
	}
	h.press("r")
	if f.calls != 1 || !strings.Contains(h.view(), "0 of 3 groups") || !strings.Contains(h.view(), "no groups match") {
		t.Errorf("r typed in the filter should filter, not refresh:\n%s", h.view())
	}
	h.press("enter")
	if h.m.Editing() || !strings.Contains(h.view(), "/ingr") {
		t.Errorf("enter should leave the field and keep the filter:\n%s", h.view())
	}
	h.press("esc")
	if !strings.Contains(h.view(), "3 of 3 groups") || !strings.HasPrefix(h.line("billing"), "▸ billing") {
		t.Errorf("esc should clear the filter and keep the selection:\n%s", h.view())
	}
}
