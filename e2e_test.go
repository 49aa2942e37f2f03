package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/mskx/mskx/kafka/kafkatest"
)

// tmux drives the real binary in a real terminal: keys in, screen out.
type tmux struct {
	t      *testing.T
	socket string
	name   string
}

func startTmux(t *testing.T, w, h int, env []string, argv ...string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed: apt-get install tmux (.ci/run does)")
	}
	tm := &tmux{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), name: "mskx"}
	args := []string{"new-session", "-d", "-s", tm.name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, strings.Join(argv, " ")+"; echo EXITED $?; sleep 30")
	tm.run(args...)
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmux) keys(keys ...string) {
	tm.t.Helper()
	tm.run(append([]string{"send-keys", "-t", tm.name}, keys...)...)
}

func (tm *tmux) screen() string {
	tm.t.Helper()
	return tm.run("capture-pane", "-p", "-t", tm.name)
}

// waitFor waits until the screen satisfies ok, and returns it.
func (tm *tmux) waitFor(what string, ok func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen never showed %s; last screen:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (tm *tmux) waitText(text string) string {
	tm.t.Helper()
	return tm.waitFor(strings.TrimSpace(text), func(s string) bool { return strings.Contains(s, text) })
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mskx")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestDemoInTmux runs `mskx demo` in an 80x24 terminal as a person would:
// open a topic's tail, see live records arrive, pause, send a record from
// the producer form and see its delivery and its arrival, go back, quit.
func TestDemoInTmux(t *testing.T) {
	bin := buildBinary(t)
	tm := startTmux(t, 80, 24, []string{"TERM=xterm-256color", "HOME=" + os.TempDir()}, bin, "demo")
	tm.waitText("sensor-readings")
	tm.waitText("? help")

	tm.keys("j", "Enter") // orders is the second topic
	tailAndSend(t, tm, true)
	tm.keys("Escape")
	tm.waitText("[1 Topics]")

	tm.keys("q")
	s := tm.waitText("EXITED 0")
	if strings.Contains(s, "order_id") {
		t.Errorf("the UI was left on screen after quitting:\n%s", s)
	}
}

// tailAndSend works the orders tail that was just opened: records appear
// (and, when live, keep coming), pause and resume, then a record sent from
// the producer form shows its partition and offset in the delivery list and
// arrives in the tail marked as sent. It ends on the tail pane.
func tailAndSend(t *testing.T, tm *tmux, live bool) {
	t.Helper()
	first := tm.waitFor("orders records", func(s string) bool {
		return strings.Contains(s, "Tail: orders") && strings.Contains(s, "order_id")
	})
	if live {
		// The demo producer keeps writing: the received count grows on screen.
		count := receivedCount(first)
		tm.waitFor("more records", func(s string) bool { return receivedCount(s) > count })
	}
	tm.keys("Space")
	tm.waitText("paused")
	tm.keys("Space")

	// Send a record from the producer form, already set to the tailed
	// topic, and watch its delivery and its arrival in the tail.
	tm.keys("3")
	tm.waitText("[3 Produce]")
	tm.keys("Enter", "Tab", "Tab", "Tab", "Tab", "Tab")
	tm.keys("-l", `{"sent":"from tmux"}`)
	tm.keys("C-s")
	delivered := tm.waitFor("a delivery with partition and offset", func(s string) bool {
		return regexp.MustCompile(`✓ p\d+ @ \d+`).MatchString(s)
	})
	if !strings.Contains(delivered, "orders") {
		t.Errorf("the delivery is not for orders:\n%s", delivered)
	}
	// Keys sent together after Escape read as alt+key: wait for the form to
	// leave its fields first, as a person's pause would.
	tm.keys("Escape")
	tm.waitFor("the form out of its fields", func(s string) bool { return !strings.Contains(s, "esc leave fields") })
	tm.keys("2")
	tm.waitFor("the sent record marked in the tail", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "from tmux") && strings.Contains(l, "◆") {
				return true
			}
		}
		return false
	})
}

// receivedCount reads "N received" from the tail's header.
func receivedCount(screen string) int {
	i := strings.Index(screen, " received")
	if i < 0 {
		return -1
	}
	j := i
	for j > 0 && screen[j-1] >= '0' && screen[j-1] <= '9' {
		j--
	}
	n := 0
	for _, c := range screen[j:i] {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestSCRAMLoginInTmux logs in through the login screen as a person would:
// choose SCRAM, type the user and password, connect, see the topics; the
// connection is remembered in the config file without the password.
func TestSCRAMLoginInTmux(t *testing.T) {
	bin := buildBinary(t)
	c := kafkatest.New(t, kafkatest.SCRAM("alice", "Tmux-Pw-7731"), kafkatest.Topics(2, "orders"))
	seed(t, c, "orders", 20)
	home := t.TempDir()
	env := []string{"TERM=xterm-256color", "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "cfg"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY="}
	tm := startTmux(t, 100, 30, env, bin, "-b", c.Brokers[0], "--ca-file", c.CAFile, "-o", "beginning")
	tm.waitText("Connect to a Kafka cluster")
	tm.waitText("[ Connect ]")

	tm.keys("Tab") // from Connect round to the auth mode
	tm.keys("Right")
	tm.waitText("[scram]")
	tm.keys("Tab", "Tab", "Tab", "Tab", "Tab", "Tab") // brokers, region, profile, role, secret, user
	tm.keys("-l", "alice")
	tm.keys("Tab")
	tm.keys("-l", "Tmux-Pw-7731")
	login := tm.waitText("••••")
	if strings.Contains(login, "Tmux-Pw-7731") {
		t.Fatalf("the password is on screen:\n%s", login)
	}
	tm.keys("C-s")
	main := tm.waitText("[1 Topics]")
	tm.waitText("orders")
	if !strings.Contains(main, "user alice") || !strings.Contains(main, "scram") {
		t.Errorf("status line does not show the SCRAM login:\n%s", main)
	}
	tm.keys("Enter") // orders is the only topic
	tailAndSend(t, tm, false)
	tm.keys("q")
	tm.waitText("EXITED 0")

	saved, err := os.ReadFile(filepath.Join(home, "cfg", "mskx", "config.yaml"))
	if err != nil {
		t.Fatalf("the connection was not saved: %v", err)
	}
	if strings.Contains(string(saved), "Tmux-Pw-7731") || !strings.Contains(string(saved), "mode: scram") || !strings.Contains(string(saved), "user: alice") {
		t.Errorf("saved config:\n%s", saved)
	}
}

// seed writes n small JSON order records to topic.
func seed(t *testing.T, c *kafkatest.Cluster, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.DialTLSConfig(c.TLSConfig()),
		kgo.SASL(scram.Auth{User: c.User, Pass: c.Password}.AsSha512Mechanism()), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < n; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte(fmt.Sprintf("customer-%d", i)), Value: []byte(fmt.Sprintf(`{"order_id":"ord-%d"}`, i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}
