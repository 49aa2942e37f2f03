// Command harness measures the mskx binary on an in-process kfake cluster
// on 127.0.0.1 against baselines measured in the same run (kcat, a bare
// franz-go loop, or mskx itself when idle or with a small ring), and prints
// a table of each figure, its baseline, their ratio and the target. The
// terminal measurements run the binary on a pseudo-terminal and read what
// it draws through a small terminal emulator (vt.go).
//
// bench/run builds the binary and calls it; see README.md, "Performance".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mskx/mskx/kafka/kafkatest"
)

// config is what one run measures and at which sizes.
type config struct {
	bin     string // the mskx binary under test
	quick   bool
	records int // records in each bench topic
	rounds  int // timed repetitions of each command, interleaved
	brokers int
	// traffic and idle are how long terminal output is counted while the
	// live topic receives records, and after it stops.
	traffic, idle time.Duration
	keySamples    int // key presses timed for responsiveness
	gobench       string
	profileDir    string
	tmp           string
	only          map[string]bool // measurements to take; all when empty
	extraEnv      []string        // added to every mskx run
}

// want reports whether the measurement named name is to be taken.
func (c *config) want(name string) bool { return len(c.only) == 0 || c.only[name] }

// row is one line of the table.
type row struct {
	metric   string
	mskx     string
	baseline string
	ratio    string
	target   string
	pass     bool
	err      error // the measurement did not run
}

func main() {
	var c config
	rawTarget := flag.String("raw-consume", "", "internal: run the bare franz-go baseline on BROKERS/TOPIC and exit")
	probe := flag.String("keys-probe", "", "internal: RECORDS,SAMPLES,RUNS: time key presses on the command line given after the flags, print them and exit")
	profile := flag.String("profile-cli", "", "internal: run the mskx command line given after the flags in this process, CPU profile to this file")
	flag.StringVar(&c.bin, "bin", "", "the mskx binary to measure (required)")
	flag.BoolVar(&c.quick, "quick", false, "small sizes; targets are reported, not enforced")
	flag.IntVar(&c.records, "records", 0, "records per bench topic (default 1000000, quick 50000)")
	flag.IntVar(&c.rounds, "rounds", 0, "timed runs of each command (default 5, quick 3)")
	flag.IntVar(&c.brokers, "brokers", 3, "brokers in the cluster")
	flag.StringVar(&c.gobench, "gobench", "", "output of the repository's go benchmarks, to add to the table")
	flag.StringVar(&c.profileDir, "profile", "", "write CPU profiles of mskx consume here (run in-process)")
	out := flag.String("out", "", "also write the table here")
	only := flag.String("only", "", "take only these measurements, comma-separated: startup,size,consume,ingest,gobench,traffic,memory,keys")
	extraEnv := flag.String("mskx-env", "", "environment added to every mskx run, comma-separated KEY=VALUE (e.g. GODEBUG=gctrace=1)")
	flag.Parse()

	switch {
	case *rawTarget != "":
		b, t, _ := strings.Cut(*rawTarget, "/")
		n, err := rawConsume(strings.Split(b, ","), t)
		if err != nil {
			fmt.Fprintln(os.Stderr, "raw consume:", err)
			os.Exit(1)
		}
		fmt.Println(n)
		return
	case *probe != "":
		if err := keysProbe(*probe, flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "key probe:", err)
			os.Exit(1)
		}
		return
	case *profile != "":
		os.Exit(profileCLI(*profile, flag.Args()))
	}
	if c.bin == "" {
		fmt.Fprintln(os.Stderr, "harness: -bin is required")
		os.Exit(2)
	}
	c.defaults()
	if *only != "" {
		c.only = map[string]bool{}
		for _, m := range strings.Split(*only, ",") {
			c.only[m] = true
		}
	}
	if *extraEnv != "" {
		c.extraEnv = strings.Split(*extraEnv, ",")
	}
	rows, err := run(&c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
	table := render(rows, &c)
	fmt.Print(table)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(table), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
		}
	}
	failed, broken := 0, 0
	for _, r := range rows {
		switch {
		case r.err != nil:
			broken++
		case !r.pass:
			failed++
		}
	}
	switch {
	case broken > 0:
		fmt.Fprintf(os.Stderr, "%d measurement(s) did not run\n", broken)
		os.Exit(1)
	case failed > 0 && !c.quick:
		fmt.Fprintf(os.Stderr, "%d target(s) missed\n", failed)
		os.Exit(1)
	}
}

func (c *config) defaults() {
	if c.records == 0 {
		c.records = 1_000_000
		if c.quick {
			c.records = 50_000
		}
	}
	if c.rounds == 0 {
		c.rounds = 5
		if c.quick {
			c.rounds = 3
		}
	}
	c.traffic, c.idle, c.keySamples = 10*time.Second, 5*time.Second, 200
	if c.quick {
		c.traffic, c.idle, c.keySamples = 4*time.Second, 2*time.Second, 30
	}
}

const (
	topicSmall = "bench-200" // records of 200 bytes
	topicLarge = "bench-1k"  // records of 1 KiB
	topicLive  = "bench-live"
	partitions = 6
)

// run starts the cluster and takes every measurement. A measurement that
// cannot run is a row with its error; the others still run.
func run(c *config) ([]row, error) {
	tmp, err := os.MkdirTemp("", "mskx-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	c.tmp = tmp

	cl, err := kafkatest.Start(kafkatest.NumBrokers(c.brokers), kafkatest.Topics(partitions, topicSmall, topicLarge, topicLive))
	if err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	defer cl.Close()
	ctx := context.Background()

	var rows []row
	// First, while this process holds no records.
	if c.want("startup") {
		rows = append(rows, measureStartup(c, cl.Brokers))
	}
	if c.want("size") {
		rows = append(rows, measureSize(c))
	}
	if c.want("consume") || c.want("ingest") {
		step("fill %s: %d records of 200 B", topicSmall, c.records)
		if err := kafkatest.Fill(ctx, cl.Brokers, topicSmall, partitions, c.records, 200); err != nil {
			return nil, err
		}
		cons, kcatWall := measureConsume(c, cl.Brokers)
		if c.want("consume") {
			rows = append(rows, cons...)
		}
		if c.want("ingest") {
			rows = append(rows, measureIngest(c, cl.Brokers, kcatWall))
		}
	}
	if c.want("gobench") {
		rows = append(rows, goBenchRows(c)...)
	}
	var idleKeys []time.Duration
	if c.want("traffic") || c.want("keys") {
		var traffic []row
		traffic, idleKeys = measureTraffic(c, cl.Brokers)
		if c.want("traffic") {
			rows = append(rows, traffic...)
		}
	}
	if c.want("memory") || c.want("keys") {
		step("fill %s: %d records of 1 KiB", topicLarge, c.records)
		if err := kafkatest.Fill(ctx, cl.Brokers, topicLarge, partitions, c.records, 1024); err != nil {
			return nil, err
		}
	}
	if c.want("memory") {
		rows = append(rows, measureMemory(c, cl.Brokers))
	}
	if c.want("keys") {
		rows = append(rows, measureKeys(c, cl.Brokers, idleKeys))
	}
	return rows, nil
}

// step says what the harness is doing, on stderr.
func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func render(rows []row, c *config) string {
	var b strings.Builder
	mode := "full"
	if c.quick {
		mode = "quick (targets not enforced)"
	}
	fmt.Fprintf(&b, "\nmskx bench, %s run: %d records per topic, %d partitions, %d brokers (kfake on 127.0.0.1), %d rounds\n\n",
		mode, c.records, partitions, c.brokers, c.rounds)
	b.WriteString("| metric | mskx | baseline | ratio | target | result |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		result := "pass"
		switch {
		case r.err != nil:
			result = "DID NOT RUN: " + oneLine(r.err.Error())
		case !r.pass:
			result = "FAIL"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.metric, r.mskx, r.baseline, r.ratio, r.target, result)
	}
	return b.String()
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.ReplaceAll(s, "|", "/")
}

// env is the environment of every mskx run: a home of its own, so that no
// saved connection or setting of the machine's user is read or written.
func (c *config) env() []string {
	home := filepath.Join(c.tmp, "home")
	os.MkdirAll(home, 0o700)
	return append([]string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}, c.extraEnv...)
}

// lineCounter counts newlines written to it.
type lineCounter struct{ n int64 }

func (l *lineCounter) Write(b []byte) (int, error) {
	for _, c := range b {
		if c == '\n' {
			l.n++
		}
	}
	return len(b), nil
}

var _ io.Writer = (*lineCounter)(nil)
