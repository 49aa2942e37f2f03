package main

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka/kafkatest"
)

// The UI's screens: 80x24 is what a Session Manager shell often has; the
// larger one keeps the whole tail header in view at any count.
const (
	smallW, smallH = 80, 24
	largeW, largeH = 100, 30
)

// tuiArgs opens the UI on topic of the bench cluster from start.
func tuiArgs(c *config, brokers []string, topic, start string) []string {
	return []string{c.bin, "-b", strings.Join(brokers, ","), "--auth", "plaintext", "-t", topic, "-o", start}
}

var receivedRE = regexp.MustCompile(`(\d+) received`)

// received is the tail's record count on screen, or -1.
func received(screen string) int64 {
	m := receivedRE.FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

func hasReceived(n int) func(string) bool {
	want := strconv.Itoa(n) + " received"
	return func(s string) bool { return strings.Contains(s, want) }
}

// measureStartup times `mskx demo` from exec to its first frame (the tab
// line on screen), against kcat listing the bench cluster's metadata, from
// exec to exit.
func measureStartup(c *config, brokers []string) row {
	metric := "start-up: exec to first frame of mskx demo (80x24)"
	var tm, tk []time.Duration
	for i := range max(c.rounds, 5) {
		step("start-up: round %d", i+1)
		t, err := startTerm(smallW, smallH, c.env(), c.bin, "demo")
		if err != nil {
			return row{metric: metric, err: err}
		}
		at, err := t.waitText("1 Topics", 10*time.Second)
		t.Close()
		if err != nil {
			return row{metric: metric, err: err}
		}
		tm = append(tm, at.Sub(t.start))
		d, err := timeRun([]string{"kcat", "-L", "-b", brokers[0]}, nil, nil)
		if err != nil {
			return row{metric: metric, err: err}
		}
		tk = append(tk, d)
	}
	m, k := median(tm), median(tk)
	return row{metric: metric, mskx: ms(m) + " (max " + ms(slices.Max(tm)) + ")", baseline: "kcat -L " + ms(k),
		ratio: fmt.Sprintf("%.2fx", m.Seconds()/k.Seconds()), target: "< 150 ms", pass: m < 150*time.Millisecond}
}

// measureSize reports the size of the binary and whether it is static.
func measureSize(c *config) row {
	metric := "binary size (CGO_ENABLED=0, -trimpath, -s -w)"
	st, err := os.Stat(c.bin)
	if err != nil {
		return row{metric: metric, err: err}
	}
	f, err := elf.Open(c.bin)
	if err != nil {
		return row{metric: metric, err: err}
	}
	defer f.Close()
	static := true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			static = false
		}
	}
	kind := "static"
	if !static {
		kind = "dynamic"
	}
	size := float64(st.Size()) / 1e6
	baseline, ratio := "-", "-"
	if path, err := exec.LookPath("kcat"); err == nil {
		if ks, err := os.Stat(path); err == nil {
			baseline = fmt.Sprintf("kcat %.1f MB + shared libraries", float64(ks.Size())/1e6)
		}
	}
	return row{metric: metric, mskx: fmt.Sprintf("%.1f MB, %s", size, kind), baseline: baseline, ratio: ratio,
		target: "< 40 MB, static", pass: size < 40 && static}
}

// measureIngest times the UI from exec until the tail header counts every
// record of the 200-byte topic, against kcat printing them all.
func measureIngest(c *config, brokers []string, kcatWall time.Duration) row {
	metric := fmt.Sprintf("UI tail: exec until %s records counted on screen", count(c.records))
	if kcatWall == 0 {
		return row{metric: metric, err: errors.New("no kcat baseline: consume did not run")}
	}
	var ds []time.Duration
	for i := range c.rounds {
		step("UI ingest: round %d of %d", i+1, c.rounds)
		t, err := startTerm(largeW, largeH, c.env(), tuiArgs(c, brokers, topicSmall, "beginning")...)
		if err != nil {
			return row{metric: metric, err: err}
		}
		at, err := t.waitFor(hasReceived(c.records), 2*time.Minute)
		t.Close()
		if err != nil {
			return row{metric: metric, err: err}
		}
		ds = append(ds, at.Sub(t.start))
	}
	m := median(ds)
	speed := kcatWall.Seconds() / m.Seconds()
	rate := float64(c.records) / m.Seconds()
	return row{metric: metric, mskx: fmt.Sprintf("%s (%.0fk rec/s)", ms(m), rate/1000), baseline: "kcat -e " + ms(kcatWall),
		ratio: fmt.Sprintf("%.2fx faster", speed), target: "faster than kcat", pass: speed > 1}
}

// measureMemory tails the 1 KiB topic from the beginning in the UI with
// the default ring and reads the peak resident set once every record is
// counted, against kcat reading the same records.
func measureMemory(c *config, brokers []string) row {
	metric := fmt.Sprintf("peak RSS (VmHWM), UI tailing %s×1 KiB from the beginning, default ring", count(c.records))
	step("memory: UI tails %s", topicLarge)
	t, err := startTerm(largeW, largeH, c.env(), tuiArgs(c, brokers, topicLarge, "beginning")...)
	if err != nil {
		return row{metric: metric, err: err}
	}
	_, err = t.waitFor(hasReceived(c.records), 3*time.Minute)
	var hwm int64
	if err == nil {
		time.Sleep(300 * time.Millisecond) // a few frames more
		hwm, err = vmHWM(t.Pid())
	}
	t.Close()
	if err != nil {
		return row{metric: metric, err: err}
	}
	cmd := exec.Command("kcat", "-C", "-b", brokers[0], "-t", topicLarge, "-o", "beginning", "-e", "-q")
	if err := cmd.Run(); err != nil {
		return row{metric: metric, err: fmt.Errorf("kcat: %w", err)}
	}
	k := maxRSS(cmd)
	return row{metric: metric, mskx: mib(hwm), baseline: "kcat -e " + mib(k), ratio: fmt.Sprintf("%.2fx", float64(hwm)/float64(k)),
		target: "< 100 MiB", pass: hwm < 100<<20}
}

// liveProducer writes rate records a second to topic until stopped.
type liveProducer struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startLive(brokers []string, topic string, rate int) (*liveProducer, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(0))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &liveProducer{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer cl.Close()
		const tick = 10 * time.Millisecond
		per := rate / int(time.Second/tick)
		t := time.NewTicker(tick)
		defer t.Stop()
		i := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for range per {
				cl.Produce(ctx, &kgo.Record{Key: []byte("sensor-" + strconv.Itoa(i%50)), Value: kafkatest.FillValue(i, 200)}, nil)
				i++
			}
		}
	}()
	return p, nil
}

func (p *liveProducer) stop() {
	p.cancel()
	<-p.done
}

// measureTraffic counts the bytes the UI writes to an 80x24 terminal while
// it tails a topic receiving 1,000 records a second, against kcat printing
// the same records on the same kind of terminal; then, with the producer
// stopped, what the UI writes when nothing happens, and how long a key
// takes to show when idle (the baseline of the responsiveness row).
func measureTraffic(c *config, brokers []string) ([]row, []time.Duration) {
	metric := "terminal output, 80x24, tailing 1,000 rec/s"
	metricIdle := "terminal output, idle (no new records)"
	fail := func(err error) ([]row, []time.Duration) {
		return []row{{metric: metric, err: err}, {metric: metricIdle, err: err}}, nil
	}
	live, err := startLive(brokers, topicLive, 1000)
	if err != nil {
		return fail(err)
	}
	defer func() {
		if live != nil {
			live.stop()
		}
	}()
	step("terminal: UI tails %s at 1,000 rec/s for %s", topicLive, c.traffic)
	t, err := startTerm(smallW, smallH, c.env(), tuiArgs(c, brokers, topicLive, "end")...)
	if err != nil {
		return fail(err)
	}
	defer t.Close()
	if _, err := t.waitText(`{"id":`, 20*time.Second); err != nil {
		return fail(err)
	}
	time.Sleep(time.Second)
	busy := bytesPerSecond(t, c.traffic)

	step("terminal: kcat prints %s for %s", topicLive, c.traffic)
	k, err := startTerm(smallW, smallH, nil, "kcat", "-C", "-b", brokers[0], "-t", topicLive, "-o", "end", "-q")
	if err != nil {
		return fail(err)
	}
	time.Sleep(time.Second)
	kbusy := bytesPerSecond(k, c.traffic)
	k.Close()

	live.stop()
	live = nil
	step("terminal: UI idle for %s", c.idle)
	time.Sleep(2 * time.Second) // the rate on screen falls to 0 first
	idle := bytesPerSecond(t, c.idle)

	step("keys: idle baseline")
	lat, err := pressKeys(t, 20, nil)
	if err != nil {
		return fail(err)
	}
	return []row{
		{metric: metric, mskx: kbps(busy), baseline: "kcat " + kbps(kbusy), ratio: fmt.Sprintf("%.3fx", busy/kbusy),
			target: "< 30 KB/s", pass: busy < 30_000},
		{metric: metricIdle, mskx: fmt.Sprintf("%.0f B/s", idle), baseline: "-", ratio: "-", target: "< 100 B/s", pass: idle < 100},
	}, lat
}

func bytesPerSecond(t *term, d time.Duration) float64 {
	b0, t0 := t.Bytes(), time.Now()
	time.Sleep(d)
	return float64(t.Bytes()-b0) / time.Since(t0).Seconds()
}

func kbps(b float64) string { return fmt.Sprintf("%.1f KB/s", b/1000) }

// pressKeys toggles the tail's pause n times with space and returns how
// long each press took to show on screen ("⏸ paused", then "● live"
// again). While busy is set, presses stop early when it reports false.
func pressKeys(t *term, n int, busy func(screen string) bool) ([]time.Duration, error) {
	paused := func(s string) bool { return strings.Contains(s, "⏸ paused") }
	live := func(s string) bool { return strings.Contains(s, "● live") }
	var out []time.Duration
	for len(out) < n {
		s := t.Screen()
		if busy != nil && !busy(s) {
			break
		}
		want := paused
		if paused(s) {
			want = live
		}
		sent := time.Now()
		if err := t.Type(" "); err != nil {
			return out, err
		}
		at, err := t.waitFor(want, 5*time.Second)
		if err != nil {
			return out, err
		}
		out = append(out, at.Sub(sent))
		// Not in step with the frame tick.
		time.Sleep(time.Duration(10+rand.IntN(90)) * time.Millisecond)
	}
	return out, nil
}

// measureKeys times key presses while the UI ingests the 1 KiB topic from
// the beginning at full speed, against the same presses while idle. The
// terminal side runs in a child process (keysProbe): this process serves
// the cluster at full speed meanwhile, and its busy CPUs would delay the
// reads that the timestamps are taken at.
func measureKeys(c *config, brokers []string, idle []time.Duration) row {
	metric := "key to screen (space: pause) while ingesting at full speed, p99"
	if len(idle) == 0 {
		return row{metric: metric, err: errors.New("no idle baseline: the terminal measurement did not run")}
	}
	self, err := os.Executable()
	if err != nil {
		return row{metric: metric, err: err}
	}
	maxRuns := 40
	if c.quick {
		maxRuns = 15
	}
	argv := append([]string{self, "-keys-probe", fmt.Sprintf("%d,%d,%d", c.records, c.keySamples, maxRuns), "--"},
		tuiArgs(c, brokers, topicLarge, "beginning")...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), probeEnv+"="+strings.Join(c.env(), "\x1f"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return row{metric: metric, err: fmt.Errorf("key probe: %w", err)}
	}
	var lat []time.Duration
	for _, l := range strings.Fields(string(out)) {
		ns, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			return row{metric: metric, err: fmt.Errorf("key probe said %q", l)}
		}
		lat = append(lat, time.Duration(ns))
	}
	if len(lat) == 0 {
		return row{metric: metric, err: errors.New("ingest ended before a key could be timed")}
	}
	p99, idle99 := percentile(lat, 0.99), percentile(idle, 0.99)
	step("keys: p50 %s p90 %s p95 %s p99 %s max %s", msf(percentile(lat, 0.5)), msf(percentile(lat, 0.9)), msf(percentile(lat, 0.95)), msf(p99), msf(percentile(lat, 1)))
	return row{metric: metric, mskx: fmt.Sprintf("%s (p50 %s, %d presses)", msf(p99), msf(percentile(lat, 0.5)), len(lat)),
		baseline: "idle " + msf(idle99), ratio: fmt.Sprintf("%.2fx", p99.Seconds()/idle99.Seconds()),
		target: "< 50 ms", pass: p99 < 50*time.Millisecond}
}

// probeEnv passes keysProbe the environment of the program it runs.
const probeEnv = "MSKX_BENCH_PROBE_ENV"

// keysProbe is the child of measureKeys: it runs argv on a terminal, and
// each time the tail counts some but not all of records it times up to
// samples presses in all, then starts the tail again from the beginning
// through its start prompt (o), at most maxRuns times. It prints each
// latency in nanoseconds on a line of its own.
func keysProbe(spec string, argv []string) error {
	var records, samples, maxRuns int
	if _, err := fmt.Sscanf(spec, "%d,%d,%d", &records, &samples, &maxRuns); err != nil {
		return fmt.Errorf("-keys-probe %q: want RECORDS,SAMPLES,RUNS", spec)
	}
	t, err := startTerm(largeW, largeH, strings.Split(os.Getenv(probeEnv), "\x1f"), argv...)
	if err != nil {
		return err
	}
	defer t.Close()
	ingesting := func(s string) bool {
		n := received(s)
		return n > 0 && n < int64(records) && !strings.Contains(s, "start at:")
	}
	timed := 0
	for run := 0; timed < samples && run < maxRuns; run++ {
		step("keys: run %d, %d of %d presses timed", run+1, timed, samples)
		if run > 0 {
			if err := t.Type("o"); err != nil {
				return err
			}
			if _, err := t.waitText("start at:", 5*time.Second); err != nil {
				return err
			}
			if err := t.Type("beginning\r"); err != nil {
				return err
			}
		}
		// A small topic may be read between two frames: then this run
		// times nothing.
		if _, err := t.waitFor(ingesting, 5*time.Second); errors.Is(err, errTimeout) {
			continue
		} else if err != nil {
			return err
		}
		got, err := pressKeys(t, samples-timed, ingesting)
		if err != nil {
			return err
		}
		for _, d := range got {
			fmt.Println(d.Nanoseconds())
		}
		timed += len(got)
		if _, err := t.waitFor(hasReceived(records), time.Minute); err != nil {
			return err
		}
	}
	return nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func msf(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
