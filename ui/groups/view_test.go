package groups

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mskx/mskx/kafka"
)

var errRefused = errors.New("list end offsets: TOPIC_AUTHORIZATION_FAILED: Not authorized to access topics: [Topic authorization failed.]")

// sample is two refreshes of a cluster's groups, so that trends show:
// growing, shrinking, steady, unknown, and a group seen only once.
func sample() *fixed {
	list := func(second bool) []kafka.Group {
		pick := func(a, b int64) int64 {
			if second {
				return b
			}
			return a
		}
		gs := []kafka.Group{
			{Name: "analytics-clickstream-aggregator", State: "Stable", Protocol: "cooperative-sticky", ProtocolType: "consumer", Members: 6, Lag: pick(1204, 1324)},
			{Name: "billing", State: "Empty", ProtocolType: "consumer", Lag: 0},
			{Name: "connect-s3-sink", State: "Stable", Protocol: "sessioned", ProtocolType: "connect", Members: 3, Lag: pick(52, 12)},
			{Name: "fraud-detector", State: "PreparingRebalance", ProtocolType: "consumer", Members: 4, Lag: pick(9876, 10000)},
			{Name: "inventory-sync", State: "Stable", Protocol: "range", ProtocolType: "consumer", Members: 2, Lag: -1, Err: errRefused},
			{Name: "notifications", State: "CompletingRebalance", ProtocolType: "consumer", Members: 2, Lag: 310},
			{Name: "orders-v2-processor-with-a-name-much-too-long-for-the-column", State: "Stable", Protocol: "roundrobin", ProtocolType: "consumer", Members: 1, Lag: 3},
			{Name: "shipping", State: "Stable", Protocol: "range", ProtocolType: "consumer", Members: 2, Lag: pick(13, 15)},
		}
		if second {
			gs = append(gs, kafka.Group{Name: "zz-new-reporting", State: "Empty", ProtocolType: "consumer", Lag: 42})
		}
		return gs
	}
	detail := func(second bool) kafka.GroupDetail {
		g := list(second)[7]
		p := func(topic string, part int32, committed, high int64, member string) kafka.GroupPartition {
			lag := int64(-1)
			if committed >= 0 {
				lag = high - committed
			}
			return kafka.GroupPartition{Topic: topic, Partition: part, Committed: committed, High: high, Lag: lag, Member: member}
		}
		d := kafka.GroupDetail{Group: g, Coordinator: 2, Members: []kafka.GroupMember{
			{ID: "worker-2-0b7d3c1e-5a4f-4f0e-9d6b-2c8e1a7f3b90", InstanceID: "shipping-b", ClientID: "worker-2", Host: "/10.0.4.22",
				Assigned: []kafka.TopicPartitions{{Topic: "orders", Partitions: []int32{3, 4, 5}}}},
			{ID: "worker-1-6f1c0d2e-8b8a-4c55-9a57-0f3b2f1d7a10", ClientID: "worker-1", Host: "/10.0.3.17",
				Assigned: []kafka.TopicPartitions{{Topic: "orders", Partitions: []int32{0, 1, 2}}, {Topic: "returns", Partitions: []int32{0}}}},
		}}
		if !second {
			d.Partitions = []kafka.GroupPartition{p("orders", 0, 120, 120, "worker-1"), p("orders", 1, 98, 100, "worker-1"), p("orders", 2, 77, 77, "worker-1"),
				p("orders", 3, 50, 52, "worker-2"), p("orders", 4, 61, 61, "worker-2"), p("orders", 5, -1, 12, "worker-2"),
				p("orders-archive", 0, 900, 905, ""), p("returns", 0, 4, 8, "worker-1")}
			return d
		}
		d.Partitions = []kafka.GroupPartition{p("orders", 0, 125, 128, "worker-1"), p("orders", 1, 100, 100, "worker-1"), p("orders", 2, 77, 77, "worker-1"),
			p("orders", 3, 50, 57, "worker-2"), p("orders", 4, 61, 61, "worker-2"), p("orders", 5, -1, 14, "worker-2"),
			p("orders-archive", 0, 900, 905, ""), p("returns", 0, 8, 8, "worker-1")}
		return d
	}
	return &fixed{
		lists:   [][]kafka.Group{list(false), list(true)},
		details: map[string][]kafka.GroupDetail{"shipping": {detail(false), detail(true)}},
	}
}

// listAfterTwo is the list after two refreshes with inventory-sync
// selected, whose error the status line shows.
func listAfterTwo(t *testing.T, w, h int) *harness {
	hs := newHarness(t, sample(), w, h)
	hs.fire()
	hs.press("j", "j", "j", "j")
	return hs
}

// detailAfterTwo is shipping's detail after two refreshes.
func detailAfterTwo(t *testing.T, w, h int) *harness {
	hs := newHarness(t, sample(), w, h)
	hs.press("j", "j", "j", "j", "j", "j", "j")
	hs.do(hs.press("enter"))
	hs.fire()
	return hs
}

func TestGoldenList80x22(t *testing.T) { golden.RequireEqual(t, listAfterTwo(t, 80, 22).view()) }

func TestGoldenList160x46(t *testing.T) { golden.RequireEqual(t, listAfterTwo(t, 160, 46).view()) }

func TestGoldenDetail80x22(t *testing.T) { golden.RequireEqual(t, detailAfterTwo(t, 80, 22).view()) }

func TestGoldenDetail160x46(t *testing.T) { golden.RequireEqual(t, detailAfterTwo(t, 160, 46).view()) }

func TestDetailShowsErrors(t *testing.T) {
	f := sample()
	d := f.details["shipping"][0]
	d.Lag, d.Err = -1, errRefused
	d.Partitions[7].High, d.Partitions[7].Lag, d.Partitions[7].Err = -1, -1, errRefused
	f.details["shipping"] = []kafka.GroupDetail{d}
	h := newHarness(t, f, 100, 30)
	h.press("j", "j", "j", "j", "j", "j", "j")
	h.do(h.press("enter"))
	if l := h.line("Members 2"); !strings.Contains(l, "Lag ✗ unknown") {
		t.Errorf("summary: %q", l)
	}
	if l := h.line("✗ list end offsets"); !strings.HasPrefix(l, "✗ list end offsets: TOPIC_AUTHORIZATION_FAILED") {
		t.Errorf("group error line: %q", l)
	}
	if l := h.line("returns"); !strings.Contains(l, "  4          ?         ✗") || !strings.Contains(l, "✗ list end offsets") {
		t.Errorf("partition with an error: %q", l)
	}
}

// Every line fits the box, and the box is filled exactly, at any size.
func TestViewFitsTheBox(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {20, 3}, {60, 15}, {80, 22}, {119, 40}, {120, 15}, {160, 46}, {250, 80}} {
		for name, h := range map[string]*harness{"list": listAfterTwo(t, sz[0], sz[1]), "detail": detailAfterTwo(t, sz[0], sz[1])} {
			h.press("/", "s") // the filter line too
			lines := strings.Split(h.m.View(), "\n")
			if len(lines) != sz[1] {
				t.Errorf("%s %dx%d: %d lines", name, sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%s %dx%d: line %d is %d wide: %q", name, sz[0], sz[1], i, w, ansi.Strip(l))
				}
			}
		}
	}
}

// Drawing costs the same for a few groups or partitions as for a great
// many: only what fits on the screen is drawn.
func TestViewCostDependsOnScreenOnly(t *testing.T) {
	allocs := func(groups, partitions int, detail bool) float64 {
		var gs []kafka.Group
		for i := range groups {
			gs = append(gs, kafka.Group{Name: fmt.Sprintf("group-%07d", i), State: "Stable", Protocol: "range", Members: 3, Lag: int64(1000 + i)})
		}
		d := kafka.GroupDetail{Group: gs[0]}
		for i := range partitions {
			d.Partitions = append(d.Partitions, kafka.GroupPartition{Topic: "t", Partition: int32(i), Committed: 1, High: 2, Lag: 1, Member: "m"})
		}
		h := newHarness(t, &fixed{lists: [][]kafka.Group{gs}, details: map[string][]kafka.GroupDetail{gs[0].Name: {d}}}, 80, 22)
		if detail {
			h.do(h.press("enter"))
		}
		return testing.AllocsPerRun(20, func() { _ = h.m.View() })
	}
	// A little slack: the counts in the status line grow a digit or two.
	if few, many := allocs(50, 50, false), allocs(200_000, 1, false); many > few+few/20 {
		t.Errorf("list: %v allocations for 50 groups, %v for 200000", few, many)
	}
	if few, many := allocs(1, 50, true), allocs(1, 200_000, true); many > few+few/20 {
		t.Errorf("detail: %v allocations for 50 partitions, %v for 200000", few, many)
	}
}
