package kafkatest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// demoAdmin is an admin client of d that the test closes.
func demoAdmin(t *testing.T, d *Demo) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(d.Brokers...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// endOffsets sums the high watermarks of topic's partitions.
func endOffsets(t *testing.T, adm *kadm.Client, topic string) (map[int32]int64, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatalf("list end offsets of %s: %v", topic, err)
	}
	byPart := make(map[int32]int64)
	var sum int64
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Fatalf("end offset of %s/%d: %v", o.Topic, o.Partition, o.Err)
		}
		byPart[o.Partition] = o.Offset
		sum += o.Offset
	})
	return byPart, sum
}

// readTopic consumes topic from the start up to the end offsets it sees
// first, without a group, and returns the records by partition then offset.
func readTopic(t *testing.T, d *Demo, adm *kadm.Client, topic string) []*kgo.Record {
	t.Helper()
	ends, _ := endOffsets(t, adm, topic)
	from := make(map[int32]kgo.Offset)
	for p, end := range ends {
		if end > 0 {
			from[p] = kgo.NewOffset().AtStart()
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(d.Brokers...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: from}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(from) > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %s: %v; partitions left %v", topic, ctx.Err(), from)
		}
		fs.EachError(func(_ string, p int32, err error) { t.Fatalf("read %s/%d: %v", topic, p, err) })
		for _, r := range fs.Records() {
			if r.Offset < ends[r.Partition] {
				out = append(out, r)
			}
			if r.Offset >= ends[r.Partition]-1 {
				delete(from, r.Partition)
			}
		}
	}
	slices.SortFunc(out, func(a, b *kgo.Record) int {
		if a.Partition != b.Partition {
			return int(a.Partition - b.Partition)
		}
		return int(a.Offset - b.Offset)
	})
	return out
}

func headerValue(r *kgo.Record, key string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

// eventually retries check until it returns "" or timeout passes, and fails
// with its last complaint.
func eventually(t *testing.T, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDemo runs one demo and checks what each pane will show. It is not
// parallel, so that the goroutine count at the end means something.
func TestDemo(t *testing.T) {
	baseline := runtime.NumGoroutine()
	start := time.Now()
	d, err := StartDemo(DemoRate(50), DemoSeed(7), DemoLogf(t.Logf))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	t.Logf("started in %s on %v", time.Since(start), d.Brokers)
	if len(d.Brokers) != demoBrokers {
		t.Errorf("brokers %v, want %d", d.Brokers, demoBrokers)
	}

	// The clients are closed before the goroutine count below.
	t.Run("panes", func(t *testing.T) { checkDemo(t, d) })

	start = time.Now()
	d.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Close took %s", took)
	}
	d.Close() // a second Close does nothing

	// Connection goroutines end shortly after Close; allow them a moment
	// and a little slack for the runtime's own.
	eventually(t, 3*time.Second, func() string {
		if n := runtime.NumGoroutine(); n > baseline+3 {
			return fmt.Sprintf("%d goroutines, %d before StartDemo", n, baseline)
		}
		return ""
	})
}

func checkDemo(t *testing.T, d *Demo) {
	adm := demoAdmin(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	t.Run("topics", func(t *testing.T) {
		want := []string{DemoTopicOrders, DemoTopicAppLogs, DemoTopicSensors, DemoTopicDLQ}
		if got := d.Topics(); !slices.Equal(got, want) {
			t.Errorf("Topics() = %v, want %v", got, want)
		}
		details, err := adm.ListTopics(ctx, want...)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			topic      string
			partitions int
			records    int64
		}{
			{DemoTopicOrders, 6, 500},
			{DemoTopicAppLogs, 3, 300},
			{DemoTopicSensors, 2, 200},
			{DemoTopicDLQ, 1, 7},
		} {
			td, ok := details[tc.topic]
			if !ok || td.Err != nil {
				t.Errorf("topic %s missing: %v", tc.topic, td.Err)
				continue
			}
			if len(td.Partitions) != tc.partitions {
				t.Errorf("%s has %d partitions, want %d", tc.topic, len(td.Partitions), tc.partitions)
			}
			leaders := make(map[int32]bool)
			for _, p := range td.Partitions {
				leaders[p.Leader] = true
			}
			if tc.partitions >= demoBrokers && len(leaders) != demoBrokers {
				t.Errorf("%s partitions are led by %v, want every broker", tc.topic, leaders)
			}
			if _, n := endOffsets(t, adm, tc.topic); n < tc.records {
				t.Errorf("%s holds %d records, want at least %d", tc.topic, n, tc.records)
			}
		}
	})

	t.Run("orders", func(t *testing.T) {
		recs := readTopic(t, d, adm, DemoTopicOrders)
		hex := regexp.MustCompile(`^[0-9a-f]{32}$`)
		for _, r := range recs {
			var o struct {
				OrderID, Customer, Currency, Status, CreatedAt string
				Items                                          []struct{ Qty int }
				Total                                          float64
			}
			if err := json.Unmarshal(r.Value, &o); err != nil {
				t.Fatalf("offset %d: %v in %s", r.Offset, err, r.Value)
			}
			if !json.Valid(r.Value) || o.Customer != string(r.Key) || len(o.Items) == 0 || o.Total <= 0 {
				t.Errorf("order %s keyed %q", r.Value, r.Key)
			}
			if ev, _ := headerValue(r, "event-type"); ev != "order."+o.Status || !slices.Contains([]string{"created", "paid", "shipped"}, o.Status) {
				t.Errorf("event-type %q for status %q", ev, o.Status)
			}
			if id, _ := headerValue(r, "trace-id"); !hex.MatchString(id) {
				t.Errorf("trace-id %q", id)
			}
			if ct, _ := headerValue(r, "content-type"); ct != "application/json" {
				t.Errorf("content-type %q", ct)
			}
			if age := time.Since(r.Timestamp); age < -time.Minute || age > 2*time.Hour {
				t.Errorf("timestamp %s is not recent", r.Timestamp)
			}
		}
	})

	t.Run("app-logs", func(t *testing.T) {
		line := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) ([a-z-]+) `)
		levels := make(map[string]int)
		for _, r := range readTopic(t, d, adm, DemoTopicAppLogs) {
			m := line.FindStringSubmatch(string(r.Value))
			if m == nil || m[2] != string(r.Key) {
				t.Fatalf("log line %q keyed %q", r.Value, r.Key)
			}
			levels[strings.TrimSpace(m[1])]++
		}
		if levels["INFO"] == 0 || levels["WARN"] == 0 || levels["ERROR"] == 0 {
			t.Errorf("levels %v, want some of each", levels)
		}
	})

	t.Run("sensors are binary", func(t *testing.T) {
		for _, r := range readTopic(t, d, adm, DemoTopicSensors) {
			if len(r.Value) != 16 || !bytes.Equal(r.Key, r.Value[:4]) {
				t.Fatalf("reading %x keyed %x", r.Value, r.Key)
			}
			if utf8.Valid(r.Value) && !bytes.ContainsFunc(r.Value, func(c rune) bool { return !unicode.IsPrint(c) }) {
				t.Errorf("reading %q is printable text", r.Value)
			}
			if c := math.Float64frombits(binary.LittleEndian.Uint64(r.Value[4:])); c < 5 || c > 40 {
				t.Errorf("reading %x: %v °C", r.Value, c)
			}
		}
	})

	t.Run("dead letters", func(t *testing.T) {
		var tombstones, hostile, payments int
		for _, r := range readTopic(t, d, adm, DemoTopicDLQ) {
			switch {
			case r.Value == nil:
				tombstones++
			case strings.Contains(string(r.Value), "\x1b[31m") && strings.Contains(string(r.Value), "\u202e"):
				if reason, _ := headerValue(r, "error"); !strings.Contains(reason, "\x1b") {
					t.Errorf("hostile record's error header %q has no raw escape", reason)
				}
				hostile++
			case json.Valid(r.Value):
				if reason, ok := headerValue(r, "error"); !ok || reason == "" {
					t.Errorf("dead letter %s has no error header", r.Value)
				}
				payments++
			default:
				t.Errorf("unexpected dead letter %q", r.Value)
			}
		}
		if tombstones != 1 || hostile != 1 || payments < 3 {
			t.Errorf("%d tombstones, %d hostile, %d payments; want 1, 1, 3+", tombstones, hostile, payments)
		}
	})

	t.Run("live traffic", func(t *testing.T) {
		_, before := endOffsets(t, adm, DemoTopicOrders)
		eventually(t, 2*time.Second, func() string {
			if _, now := endOffsets(t, adm, DemoTopicOrders); now <= before {
				return "orders did not grow"
			}
			return ""
		})
	})

	t.Run("groups", func(t *testing.T) {
		eventually(t, 5*time.Second, func() string {
			listed, err := adm.ListGroups(ctx)
			if err != nil {
				return err.Error()
			}
			for _, g := range []string{DemoGroupBilling, DemoGroupArchiver} {
				if _, ok := listed[g]; !ok {
					return "group " + g + " not listed"
				}
			}
			lags, err := adm.Lag(ctx, DemoGroupBilling, DemoGroupArchiver)
			if err != nil {
				return err.Error()
			}
			billing, archiver := lags[DemoGroupBilling], lags[DemoGroupArchiver]
			if err := billing.Error(); err != nil {
				return err.Error()
			}
			if err := archiver.Error(); err != nil {
				return err.Error()
			}
			if billing.State != "Stable" || len(billing.Members) != 1 {
				return "billing-service is " + billing.State
			}
			committed := 0
			for _, l := range billing.Lag[DemoTopicOrders] {
				if l.Commit.At >= 0 {
					committed++
				}
			}
			if committed == 0 {
				return "billing-service has not committed"
			}
			if n := billing.Lag.Total(); n <= 0 {
				return "billing-service has no lag"
			}
			// At 50 records a second the archiver is a poll behind at most.
			if n := archiver.Lag.Total(); len(archiver.Lag[DemoTopicAppLogs]) != 3 || n > 30 {
				return fmt.Sprintf("log-archiver lags %d over %d partitions", n, len(archiver.Lag[DemoTopicAppLogs]))
			}
			t.Logf("billing-service lag %d over %d committed partitions, log-archiver lag %d",
				billing.Lag.Total(), committed, archiver.Lag.Total())
			return ""
		})
	})
}

// TestDemoSeed checks that a seed and a history end pin the pre-filled
// records, so tests of the panes can rely on them.
func TestDemoSeed(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	read := func(seed int64) map[string][]string {
		d, err := StartDemo(DemoRate(0), DemoSeed(seed), DemoHistoryEnd(end), DemoLogf(t.Logf))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		adm := demoAdmin(t, d)
		out := make(map[string][]string)
		for _, topic := range d.Topics() {
			for _, r := range readTopic(t, d, adm, topic) {
				out[topic] = append(out[topic], strings.Join([]string{
					string(rune('0' + r.Partition)), r.Timestamp.UTC().Format(time.RFC3339Nano),
					string(r.Key), string(r.Value), headerString(r),
				}, "|"))
			}
		}
		return out
	}
	a, b, c := read(1), read(1), read(2)
	for _, topic := range []string{DemoTopicOrders, DemoTopicAppLogs, DemoTopicSensors, DemoTopicDLQ} {
		if !slices.Equal(a[topic], b[topic]) {
			t.Errorf("%s differs between two demos with one seed", topic)
		}
		if slices.Equal(a[topic], c[topic]) {
			t.Errorf("%s is the same with another seed", topic)
		}
	}
	if first := a[DemoTopicAppLogs][0]; !strings.Contains(first, "2026-11-21T09:") {
		t.Errorf("first log line %q is not from the hour before the history end", first)
	}
}

func headerString(r *kgo.Record) string {
	var b strings.Builder
	for _, h := range r.Headers {
		b.WriteString(h.Key + "=" + string(h.Value) + ";")
	}
	return b.String()
}

func TestDemoOptions(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{-1, math.NaN(), maxDemoRate + 1} {
		if d, err := StartDemo(DemoRate(rate)); err == nil {
			d.Close()
			t.Errorf("DemoRate(%v) accepted", rate)
		}
	}
}

func TestDemoBillingBatch(t *testing.T) {
	t.Parallel()
	// At the start the target is low, so a backlog is worked off at once
	// but only a tick's worth at a time.
	if n := billingBatch(4, 0, 500); n != 16 {
		t.Errorf("batch at start = %d, want the per-tick cap of 16", n)
	}
	// Half a period in, the target is at its highest: no work below it.
	if n := billingBatch(4, billingPeriod/2, 100); n != 0 {
		t.Errorf("batch under the target = %d, want 0", n)
	}
	// A huge rate must not aim above what the queue can hold.
	if n := billingBatch(maxDemoRate, billingPeriod/2, billingQueueCap); n <= 0 {
		t.Errorf("batch with a full queue = %d, want progress", n)
	}
}
