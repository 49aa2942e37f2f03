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

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// tmux drives the real binary in a real terminal: keys in, screen out.
type tmux struct {
	t      *testing.T
	socket string
	name   string
	// never is text that must not appear on any screen read.
	never []string
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
	s := tm.run("capture-pane", "-p", "-t", tm.name)
	for _, text := range tm.never {
		if strings.Contains(s, text) {
			tm.t.Fatalf("the screen shows %q:\n%s", text, s)
		}
	}
	return s
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

// TestDemoGroupsAndAdminInTmux runs `mskx demo` in an 80x24 terminal: the
// groups pane shows billing-service with a lag that moves while the demo
// producer writes, and a trend that says by how much; its detail opens and
// closes; then a topic is created from the form (its name has a q, which
// is text there, not quit) and deleted after typing its name.
func TestDemoGroupsAndAdminInTmux(t *testing.T) {
	bin := buildBinary(t)
	tm := startTmux(t, 80, 24, []string{"TERM=xterm-256color", "HOME=" + t.TempDir()}, bin, "demo")
	tm.waitText("sensor-readings")

	const billing = "billing-service"
	tm.keys("4")
	// Right after the start nothing is committed on most partitions, which
	// the total leaves out: wait until the group is seen behind.
	first := tm.waitFor(billing+" lagging behind", func(s string) bool {
		r, ok := groupRow(s, billing)
		return ok && r.lag > 0 && strings.Contains(s, "log-archiver")
	})
	before, _ := groupRow(first, billing)
	changed := tm.waitFor("a new lag for "+billing+" (it was "+strconv.FormatInt(before.lag, 10)+")", func(s string) bool {
		r, ok := groupRow(s, billing)
		return ok && r.lag != before.lag
	})
	after, _ := groupRow(changed, billing)
	// The screen is read far more often than the pane refreshes, so the
	// refresh before this one showed the first lag.
	if want := trendText(after.lag - before.lag); after.trend != want {
		t.Errorf("the lag went from %d to %d but the trend says %q, not %q:\n%s", before.lag, after.lag, after.trend, want, changed)
	}

	tm.keys("Enter") // billing-service is the first group
	tm.waitFor("the detail of "+billing, func(s string) bool {
		return strings.Contains(s, "▶ "+billing) && strings.Contains(s, "Partitions (6)") && strings.Contains(s, "orders")
	})
	tm.keys("Escape")
	tm.waitFor("the groups list again", func(s string) bool {
		_, ok := groupRow(s, billing)
		return ok && !strings.Contains(s, "▶ "+billing)
	})

	const topic = "e2e-quick-topic"
	tm.keys("1")
	tm.waitText("[1 Topics]")
	tm.keys("c")
	tm.waitText("New topic")
	tm.keys("-l", topic)
	tm.waitFor("the name typed in the form", func(s string) bool {
		return strings.Contains(s, "New topic") && strings.Contains(s, "Name") && strings.Contains(s, topic)
	})
	tm.keys("Enter")
	created := tm.waitFor(topic+" created and selected", func(s string) bool {
		selected, ok := topicRow(s, topic)
		return ok && selected && strings.Contains(s, "✓ created topic "+topic)
	})
	if strings.Contains(created, "EXITED") {
		t.Fatalf("the q in the name quit:\n%s", created)
	}

	tm.keys("D")
	tm.waitText("Delete topic " + topic)
	tm.keys("-l", topic)
	tm.keys("Enter")
	tm.waitFor(topic+" gone from the list", func(s string) bool {
		_, ok := topicRow(s, topic)
		return !ok && strings.Contains(s, "✓ deleted topic "+topic) && strings.Contains(s, "sensor-readings")
	})

	tm.keys("q")
	tm.waitText("EXITED 0")
}

// groupLine is what the groups list shows of one group.
type groupLine struct {
	lag   int64
	trend string // "▲ +N", "▼ -N", "=" or "" before a second refresh
}

// groupRow finds a group's row in the groups list: name, state, protocol,
// members, lag and trend.
func groupRow(screen, group string) (groupLine, bool) {
	re := regexp.MustCompile(`(?m)^[▸ ] ` + regexp.QuoteMeta(group) + `\s+\S+\s+\S+\s+\d+\s+(\d+)(?:\s+(▲ \+\d+|▼ -\d+|=))?\s*$`)
	m := re.FindStringSubmatch(screen)
	if m == nil {
		return groupLine{}, false
	}
	lag, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return groupLine{}, false
	}
	return groupLine{lag: lag, trend: m[2]}, true
}

// trendText is how the groups list shows a lag that moved by delta.
func trendText(delta int64) string {
	switch {
	case delta > 0:
		return fmt.Sprintf("▲ +%d", delta)
	case delta < 0:
		return fmt.Sprintf("▼ %d", delta)
	}
	return "="
}

// topicRow finds a topic's row in the topics list and says whether the
// cursor is on it.
func topicRow(screen, topic string) (selected, ok bool) {
	for _, l := range strings.Split(screen, "\n") {
		switch {
		case strings.HasPrefix(l, "▸ "+topic+" "):
			return true, true
		case strings.HasPrefix(l, "  "+topic+" "):
			return false, true
		}
	}
	return false, false
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

// TestIAMPickerInTmux logs in to an IAM cluster found through the MSK API,
// as a person with AWS credentials and no broker list would: ctrl+f lists
// the clusters of the region, enter picks one and fills in its brokers,
// connect signs IAM tokens with the environment's keys, the status line
// names who AWS says the user is, and the topic's records show in the tail.
// The secret access key shows on no screen and is not saved.
func TestIAMPickerInTmux(t *testing.T) {
	bin := buildBinary(t)
	srv := awstest.New(t)
	// Clears this process's own AWS settings, which the tmux server and
	// so the binary would otherwise inherit.
	srv.Env(t)
	c := kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey), kafkatest.Topics(2, "orders"))
	seed(t, c, "orders", 20)
	const name = "payments-e2e"
	arn := srv.AddCluster(awstest.Cluster{Name: name, IAM: true, Bootstrap: awstest.Bootstrap{IAM: strings.Join(c.Brokers, ",")}})

	home := t.TempDir()
	env := []string{"TERM=xterm-256color", "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "cfg"),
		"AWS_ENDPOINT_URL=" + srv.URL, "AWS_REGION=" + awstest.Region, "AWS_ACCESS_KEY_ID=" + awstest.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + awstest.SecretAccessKey, "AWS_EC2_METADATA_DISABLED=true"}
	tm := startTmux(t, 120, 30, env, bin, "--ca-file", c.CAFile, "-o", "beginning")
	tm.never = []string{awstest.SecretAccessKey}
	tm.waitText("Connect to a Kafka cluster")

	tm.keys("C-f")
	tm.waitFor("the cluster in the picker", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, name) && strings.Contains(l, "provisioned") && strings.Contains(l, "ACTIVE") && strings.Contains(l, "iam") {
				return true
			}
		}
		return false
	})
	tm.waitText("1 cluster")
	tm.keys("Enter") // the only cluster, with one network path for IAM
	filled := tm.waitFor("the cluster's brokers in the form", func(s string) bool {
		return strings.Contains(s, "Brokers") && strings.Contains(s, c.Brokers[0]) && strings.Contains(s, "cluster "+name)
	})
	if !strings.Contains(filled, "[iam]") {
		t.Errorf("the form is not in IAM mode after the pick:\n%s", filled)
	}
	// Nothing is left to fill in, so the cursor waits on Connect.
	if !strings.Contains(filled, "▸ [ Connect ]") {
		t.Fatalf("the cursor is not on Connect after the pick:\n%s", filled)
	}

	tm.keys("Enter")
	tm.waitFor("the topics", func(s string) bool { return strings.Contains(s, "[1 Topics]") && strings.Contains(s, "orders") })
	main := tm.waitFor("the status line with the AWS identity", func(s string) bool {
		status, _, _ := strings.Cut(s, "\n")
		return strings.Contains(status, "● connected") && strings.Contains(status, awstest.UserARN)
	})
	if status, _, _ := strings.Cut(main, "\n"); !strings.Contains(status, "iam") {
		t.Errorf("the status line does not say iam:\n%s", main)
	}

	tm.keys("Enter") // orders is the only topic
	tailAndSend(t, tm, false)
	tm.keys("q")
	tm.waitText("EXITED 0")

	saved, err := os.ReadFile(filepath.Join(home, "cfg", "mskx", "config.yaml"))
	if err != nil {
		t.Fatalf("the connection was not saved: %v", err)
	}
	for _, secret := range []string{awstest.SecretAccessKey, awstest.AccessKeyID} {
		if strings.Contains(string(saved), secret) {
			t.Errorf("the saved config holds the credential %q:\n%s", secret, saved)
		}
	}
	if !strings.Contains(string(saved), "mode: iam") || !strings.Contains(string(saved), arn) || !strings.Contains(string(saved), c.Brokers[0]) {
		t.Errorf("the saved config does not describe the picked cluster %s:\n%s", arn, saved)
	}
}

// seed writes n small JSON order records to topic, authenticating as the
// cluster's mode wants: its first SCRAM user, or its IAM credential.
func seed(t *testing.T, c *kafkatest.Cluster, topic string, n int) {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...), kgo.DialTLSConfig(c.TLSConfig()), kgo.DefaultProduceTopic(topic)}
	switch c.Mode {
	case kafkatest.ModeSCRAM:
		opts = append(opts, kgo.SASL(scram.Auth{User: c.User, Pass: c.Password}.AsSha512Mechanism()))
	case kafkatest.ModeIAM:
		creds := credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")
		opts = append(opts, kgo.SASL(auth.NewTokenSource(c.Region, creds).Mechanism()))
	}
	cl, err := kgo.NewClient(opts...)
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
