package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measureConsume times `mskx consume -o beginning -e` of the 200-byte topic
// to /dev/null against kcat and against the bare franz-go loop, each run
// rounds times, interleaved so that a slow moment of the machine does not
// fall on one of them only. A first, untimed round checks that each
// printed (or counted) every record. It returns the rows and kcat's median
// wall time, the baseline of the UI's ingest.
func measureConsume(c *config, brokers []string) ([]row, time.Duration) {
	self, err := os.Executable()
	if err != nil {
		return []row{{metric: "consume", err: err}}, 0
	}
	kcat := []string{"kcat", "-C", "-b", brokers[0], "-t", topicSmall, "-o", "beginning", "-e", "-q"}
	mskx := []string{c.bin, "consume", "-b", strings.Join(brokers, ","), "--auth", "plaintext", "-t", topicSmall, "-o", "beginning", "-e"}
	raw := []string{self, "-raw-consume", strings.Join(brokers, ",") + "/" + topicSmall}
	metricK := fmt.Sprintf("consume %s×200 B to /dev/null (wall), vs kcat", count(c.records))
	metricR := "consume, vs bare franz-go PollFetches loop"

	step("consume: checking that each client reads %d records", c.records)
	for _, argv := range [][]string{kcat, mskx} {
		var lines lineCounter
		if _, err := timeRun(argv, c.env(), &lines); err != nil {
			return []row{{metric: metricK, err: err}, {metric: metricR, err: err}}, 0
		}
		if lines.n != int64(c.records) {
			err := fmt.Errorf("%s printed %d lines, not %d", filepath.Base(argv[0]), lines.n, c.records)
			return []row{{metric: metricK, err: err}, {metric: metricR, err: err}}, 0
		}
	}
	var out bytes.Buffer
	if _, err := timeRun(raw, nil, &out); err != nil || strings.TrimSpace(out.String()) != strconv.Itoa(c.records) {
		err = fmt.Errorf("the franz-go loop counted %q, not %d: %v", strings.TrimSpace(out.String()), c.records, err)
		return []row{{metric: metricK, err: err}, {metric: metricR, err: err}}, 0
	}

	var tk, tm, tr []time.Duration
	for i := range c.rounds {
		step("consume: round %d of %d", i+1, c.rounds)
		for _, r := range []struct {
			argv []string
			env  []string
			into *[]time.Duration
		}{{kcat, nil, &tk}, {mskx, c.env(), &tm}, {raw, nil, &tr}} {
			d, err := timeRun(r.argv, r.env, nil)
			if err != nil {
				return []row{{metric: metricK, err: err}, {metric: metricR, err: err}}, 0
			}
			*r.into = append(*r.into, d)
		}
	}
	if c.profileDir != "" {
		profileConsume(c, self, brokers)
	}
	mk, mm, mr := median(tk), median(tm), median(tr)
	speedK := mk.Seconds() / mm.Seconds()
	speedR := mr.Seconds() / mm.Seconds()
	return []row{
		{metric: metricK, mskx: ms(mm), baseline: "kcat " + ms(mk), ratio: fmt.Sprintf("%.2fx faster", speedK),
			target: "≥ 3x faster", pass: speedK >= 3},
		{metric: metricR, mskx: ms(mm), baseline: "franz-go " + ms(mr), ratio: fmt.Sprintf("%.2fx its speed", speedR),
			target: "≥ 0.5x its speed", pass: speedR >= 0.5},
	}, mk
}

// profileConsume runs mskx consume in a child harness with a CPU profile.
func profileConsume(c *config, self string, brokers []string) {
	if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
		step("profile: %v", err)
		return
	}
	path := filepath.Join(c.profileDir, "consume.pprof")
	argv := []string{self, "-profile-cli", path, "consume", "-b", strings.Join(brokers, ","), "--auth", "plaintext", "-t", topicSmall, "-o", "beginning", "-e"}
	if _, err := timeRun(argv, c.env(), nil); err != nil {
		step("profile: %v", err)
		return
	}
	step("profile: go tool pprof -top %s", path)
}

// timeRun runs argv with stdout to w (nil: /dev/null) and returns its wall
// time, from start to exit.
func timeRun(argv, env []string, w interface{ Write([]byte) (int, error) }) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if w != nil {
		cmd.Stdout = w
	} else {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return 0, err
		}
		defer null.Close()
		cmd.Stdout = null
	}
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, fmt.Errorf("%s: %v: %s", filepath.Base(argv[0]), err, strings.TrimSpace(stderr.String()))
	}
	return d, nil
}

// maxRSS is the peak resident set of a finished command.
func maxRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // kB on Linux
	}
	return 0
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// count writes 1000000 as 1M and 50000 as 50k.
func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}
