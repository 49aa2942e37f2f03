package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui"
)

// waitTimeout is how long a screen may take to show what a test waits
// for: connects, refreshes and the cluster's answers on a slow machine.
const waitTimeout = 15 * time.Second

// screenReader hands teatest.WaitFor the screen as the probe last saw it.
// Each read pokes the program, so that the filter looks again, and gives
// one whole screen after a form feed that marks where it begins: WaitFor
// keeps everything it has read, and only the last screen counts.
type screenReader struct {
	tm   *teatest.TestModel
	p    *probe
	buf  []byte
	open bool
}

func (r *screenReader) Read(b []byte) (int, error) {
	if !r.open {
		r.tm.Send(pokeMsg{})
		r.buf, r.open = []byte("\f"+r.p.screen.Load().(string)), true
	}
	if len(r.buf) == 0 {
		r.open = false
		return 0, io.EOF
	}
	n := copy(b, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// lastScreen reports a wait that timed out with the last screen only,
// rather than every screen WaitFor read.
type lastScreen struct {
	testing.TB
	p    *probe
	what string
}

func (l lastScreen) Fatal(...any) {
	l.TB.Helper()
	l.TB.Fatalf("the screen never showed %s within %s; last screen:\n%s", l.what, waitTimeout, l.p.screen.Load())
}

// waitUntil waits until the screen satisfies ok and returns that screen;
// what names the wait in a failure.
func waitUntil(t *testing.T, tm *teatest.TestModel, p *probe, what string, ok func(screen string) bool) string {
	t.Helper()
	var got string
	teatest.WaitFor(lastScreen{TB: t, p: p, what: what}, &screenReader{tm: tm, p: p}, func(b []byte) bool {
		s := string(b[bytes.LastIndexByte(b, '\f')+1:])
		if !ok(s) {
			return false
		}
		got = s
		return true
	}, teatest.WithDuration(waitTimeout), teatest.WithCheckInterval(25*time.Millisecond))
	return got
}

// waitText waits until the screen holds every one of want.
func waitText(t *testing.T, tm *teatest.TestModel, p *probe, want ...string) string {
	t.Helper()
	return waitUntil(t, tm, p, fmt.Sprintf("%q", want), func(s string) bool {
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

// waitGone waits until the screen no longer holds text.
func waitGone(t *testing.T, tm *teatest.TestModel, p *probe, text string) {
	t.Helper()
	waitUntil(t, tm, p, fmt.Sprintf("no %q", text), func(s string) bool { return !strings.Contains(s, text) })
}

// lineWith returns the first line of screen holding text, or "".
func lineWith(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

func firstLine(screen string) string {
	l, _, _ := strings.Cut(screen, "\n")
	return l
}

func pressKey(tm *teatest.TestModel, code rune) { tm.Send(tea.KeyPressMsg{Code: code}) }

func pressCtrl(tm *teatest.TestModel, r rune) { tm.Send(tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl}) }

func mono() themes.Palette {
	p, _ := themes.ByName("mono")
	return p
}

// ctxFor bounds a test's own calls to the cluster.
func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// iamCluster is a cluster that checks MSK IAM tokens signed with the
// awstest base user's keys, which awstest's Env exports.
func iamCluster(t *testing.T, opts ...kafkatest.Opt) *kafkatest.Cluster {
	return kafkatest.New(t, append([]kafkatest.Opt{kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey)}, opts...)...)
}

// Bootstrap strings of the picker's clusters, as MSK names its brokers.
const (
	ordersIAMBrokers    = "b-1.orders.k7x2qa.c2.kafka.us-east-1.amazonaws.com:9098,b-2.orders.k7x2qa.c2.kafka.us-east-1.amazonaws.com:9098"
	ordersSCRAMBrokers  = "b-1.orders.k7x2qa.c2.kafka.us-east-1.amazonaws.com:9096"
	storefrontIAM       = "b-1.storefront.p3m9vd.c3.kafka.us-east-1.amazonaws.com:9098"
	storefrontPublicIAM = "b-1-public.storefront.p3m9vd.c3.kafka.us-east-1.amazonaws.com:9198"
	eventsServerless    = "boot-w4r8zt5n.c1.kafka-serverless.us-east-1.amazonaws.com:9098"
)

// pickerApp is the login screen on an AWS stand-in whose region holds
// three clusters: orders (IAM and SCRAM), storefront (IAM, also public)
// and events (serverless).
func pickerApp(t *testing.T) *ui.App {
	srv := awstest.New(t)
	srv.Env(t)
	srv.AddCluster(awstest.Cluster{Name: "orders", IAM: true, SCRAM: true,
		Bootstrap: awstest.Bootstrap{IAM: ordersIAMBrokers, SCRAM: ordersSCRAMBrokers}})
	srv.AddCluster(awstest.Cluster{Name: "storefront", IAM: true,
		Bootstrap: awstest.Bootstrap{IAM: storefrontIAM, PublicIAM: storefrontPublicIAM}})
	srv.AddCluster(awstest.Cluster{Name: "events", Type: kafkatypes.ClusterTypeServerless,
		Bootstrap: awstest.Bootstrap{IAM: eventsServerless}})
	return ui.NewLoginApp(auth.Config{Mode: auth.IAM}, ui.Options{Palette: mono(), Now: func() time.Time { return fixedNow }})
}

func goldenPicker(t *testing.T, w, h int) {
	tm, p := start(t, pickerApp(t), w, h)
	waitText(t, tm, p, "[ Connect ]")
	pressCtrl(tm, 'f')
	waitText(t, tm, p, "MSK clusters in us-east-1", "3 clusters")
	golden.RequireEqual(t, screen(t, tm))
}

func TestMSKPicker80x24(t *testing.T)  { goldenPicker(t, 80, 24) }
func TestMSKPicker160x48(t *testing.T) { goldenPicker(t, 160, 48) }

// groupsSession is a session on a cluster whose groups have fixed
// committed offsets and no members, so lag, state and the member table
// are the same on every run:
//
//	audit     payments 0: 1 of 4 -> lag 3
//	billing   orders 0: 6 of 10, 1: 7 of 7, 2: 2 of 5 -> lag 7
//	shipping  orders 0: 10 of 10 -> lag 0
func groupsSession(t *testing.T) *kafka.Session {
	t.Helper()
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"), kafkatest.Topics(1, "payments"))
	ctx := ctxFor(t)
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	add := func(topic string, p int32, n int) {
		for i := range n {
			recs = append(recs, &kgo.Record{Topic: topic, Partition: p, Value: []byte(fmt.Sprintf("%s-%d-%d", topic, p, i)), Timestamp: fixedNow})
		}
	}
	add("orders", 0, 10)
	add("orders", 1, 7)
	add("orders", 2, 5)
	add("payments", 0, 4)
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	adm := kadm.NewClient(cl)
	for group, offsets := range map[string]map[string]map[int32]int64{
		"audit":    {"payments": {0: 1}},
		"billing":  {"orders": {0: 6, 1: 7, 2: 2}},
		"shipping": {"orders": {0: 10}},
	} {
		offs := make(kadm.Offsets)
		for topic, ps := range offsets {
			for p, at := range ps {
				offs.AddOffset(topic, p, at, -1)
			}
		}
		if err := adm.CommitAllOffsets(ctx, group, offs); err != nil {
			t.Fatalf("commit for %s: %v", group, err)
		}
	}
	return s
}

func groupsApp(t *testing.T) *ui.App {
	return ui.NewApp(groupsSession(t), ui.Info{Cluster: "cluster test (1 brokers)", Auth: "plaintext"},
		ui.Options{Palette: mono(), Now: func() time.Time { return fixedNow }})
}

// refreshing masks the mark of a refresh in flight, which depends on when
// the pane's timer fired.
var refreshing = regexp.MustCompile(` ↻`)

// everyRow reports whether screen has a row for each of groups and every
// such row ends with suffix.
func everyRow(screen, suffix string, groups ...string) bool {
	for _, g := range groups {
		l := lineWith(screen, "  "+g+" ")
		if l == "" {
			l = lineWith(screen, "▸ "+g+" ")
		}
		if l == "" || !strings.HasSuffix(strings.TrimSpace(l), suffix) {
			return false
		}
	}
	return true
}

// The groups pane once its lag has been read twice: the trends say "="
// from the second refresh on, so the screen no longer changes.
func goldenGroups(t *testing.T, w, h int) {
	tm, p := start(t, groupsApp(t), w, h)
	waitText(t, tm, p, "orders")
	tm.Type("4")
	waitUntil(t, tm, p, "three groups with steady lag", func(s string) bool {
		return strings.Contains(s, "[4 Groups]") && everyRow(s, "=", "audit", "billing", "shipping")
	})
	golden.RequireEqual(t, refreshing.ReplaceAllString(screen(t, tm), ""))
}

func TestGroupsPane80x24(t *testing.T)  { goldenGroups(t, 80, 24) }
func TestGroupsPane160x48(t *testing.T) { goldenGroups(t, 160, 48) }

// steadyPartition is a row of the detail whose lag did not move.
var steadyPartition = regexp.MustCompile(`(?m)^  orders +\d +\d+ +\d+ +\d+ = `)

// A group's detail, likewise after its second reading.
func goldenGroupDetail(t *testing.T, w, h int) {
	tm, p := start(t, groupsApp(t), w, h)
	waitText(t, tm, p, "orders")
	tm.Type("4")
	waitText(t, tm, p, "▸ audit", "billing", "shipping")
	tm.Type("j")
	waitText(t, tm, p, "▸ billing")
	pressKey(tm, tea.KeyEnter)
	waitUntil(t, tm, p, "billing's partitions with steady lag", func(s string) bool {
		if !strings.Contains(s, "▶ billing") || !strings.Contains(s, "Lag 7 =") {
			return false
		}
		return len(steadyPartition.FindAllString(s, -1)) == 3
	})
	golden.RequireEqual(t, refreshing.ReplaceAllString(screen(t, tm), ""))
}

func TestGroupDetail80x24(t *testing.T)  { goldenGroupDetail(t, 80, 24) }
func TestGroupDetail160x48(t *testing.T) { goldenGroupDetail(t, 160, 48) }

// endOffsets is where each partition of the cluster's topics ends.
func endOffsets(t *testing.T, brokers []string) map[string]map[int32]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	topics, err := adm.ListTopics(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	ends, err := adm.ListEndOffsets(ctxFor(t), topics.Names()...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.Offset
	})
	return out
}

// consumeAll reads every record of topic from the start to its end.
func consumeAll(t *testing.T, brokers []string, topic string, end int64) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := ctxFor(t)
	var recs []*kgo.Record
	for int64(len(recs)) < end {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("consume %s: %v", topic, err)
		}
		recs = append(recs, fs.Records()...)
	}
	return recs
}

// Read-only in the UI: the status line says so, the producer form refuses
// to send and the topics pane's admin keys refuse, and the cluster is left
// as it was.
func TestReadOnlyRefusesWrites(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"), kafkatest.Topics(2, "app-logs"))
	ctx := ctxFor(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.DefaultProduceTopic("orders"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("first")}, &kgo.Record{Value: []byte("second")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers}, kafka.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	before := endOffsets(t, c.Brokers)

	app := ui.NewApp(s, ui.Info{Cluster: "cluster test (1 brokers)", Auth: "plaintext"},
		ui.Options{Palette: mono(), Now: func() time.Time { return fixedNow }, ReadOnly: true})
	tm, p := start(t, app, 120, 30)
	v := waitText(t, tm, p, "▸ app-logs", "orders")
	if st := firstLine(v); !strings.Contains(st, "● connected │ read-only") {
		t.Errorf("the status line does not say read-only: %q", st)
	}

	// Each admin key says why it does nothing and opens no form; a move
	// in between clears the note, so each note is the key's own.
	const topicsNote = "✗ read-only: topic admin is disabled"
	for _, k := range []string{"c", "D", "+"} {
		tm.Type(k)
		v = waitText(t, tm, p, topicsNote)
		for _, form := range []string{"New topic", "Delete topic", "Add partitions"} {
			if strings.Contains(v, form) {
				t.Errorf("%s opened a form on a read-only session:\n%s", k, v)
			}
		}
		tm.Type("j")
		waitGone(t, tm, p, topicsNote)
	}

	// The producer form: filled in, ctrl+s sends nothing.
	tm.Type("3")
	waitText(t, tm, p, "[3 Produce]")
	pressKey(tm, tea.KeyEnter)
	tm.Type("orders")
	for range 5 { // key, headers, partition, repeat, value
		pressKey(tm, tea.KeyTab)
	}
	tm.Type("must-not-arrive")
	waitText(t, tm, p, "must-not-arrive")
	pressCtrl(tm, 's')
	tm.Type("!") // shows once ctrl+s has been handled
	v = waitText(t, tm, p, "must-not-arrive!")
	if !strings.Contains(v, "✗ read-only: producing is disabled") || !strings.Contains(v, "0 sent") {
		t.Errorf("after ctrl+s the form does not say read-only, or sent:\n%s", v)
	}
	pressKey(tm, tea.KeyEscape) // out of the fields, where q is text
	screen(t, tm)

	after := endOffsets(t, c.Brokers)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the cluster changed on a read-only session: %v, before %v", after, before)
	}
	for _, r := range consumeAll(t, c.Brokers, "orders", after["orders"][0]) {
		if strings.Contains(string(r.Value), "must-not-arrive") {
			t.Errorf("a read-only form wrote %q at offset %d", r.Value, r.Offset)
		}
	}
}

// MSK Serverless from the picker to a new topic: the picker offers the
// cluster's only mode, the session connects with a real IAM token, and
// the create form has no replication field.
func TestServerlessLoginAndCreateTopic(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	c := iamCluster(t, kafkatest.Topics(1, "orders"))
	srv.AddCluster(awstest.Cluster{Name: "analytics", IAM: true, Bootstrap: awstest.Bootstrap{IAM: storefrontIAM}})
	arn := srv.AddCluster(awstest.Cluster{Name: "events", Type: kafkatypes.ClusterTypeServerless,
		Bootstrap: awstest.Bootstrap{IAM: strings.Join(c.Brokers, ",")}})

	// Started in another mode, which the pick replaces.
	app := ui.NewLoginApp(auth.Config{Mode: auth.TLS, CAFile: c.CAFile}, ui.Options{Palette: mono()})
	tm, p := start(t, app, 120, 36)
	waitText(t, tm, p, "[ Connect ]")
	pressCtrl(tm, 'f')
	waitText(t, tm, p, "▸ analytics", "events", "2 clusters")
	tm.Type("j")
	waitText(t, tm, p, "▸ events")
	pressKey(tm, tea.KeyEnter)
	v := waitText(t, tm, p, "cluster events (serverless, IAM only)")
	mode := lineWith(v, "Auth")
	if !strings.Contains(mode, "[iam]") {
		t.Errorf("IAM is not the mode after picking a serverless cluster: %q", mode)
	}
	for _, other := range []string{"scram", "tls", "mtls", "plaintext"} {
		if strings.Contains(mode, " "+other+" ") {
			t.Errorf("a serverless cluster is offered %s: %q", other, mode)
		}
	}

	pressCtrl(tm, 's')
	v = waitText(t, tm, p, "● connected", "[1 Topics]", "orders")
	if st := firstLine(v); !strings.Contains(st, "│ iam │") {
		t.Errorf("status line %q, want the IAM mode", st)
	}
	if app.Connected == nil || !app.Connected.Config.Serverless || app.Connected.Config.ClusterARN != arn {
		t.Fatalf("connected with %+v, want serverless cluster %s", app.Connected, arn)
	}

	tm.Type("c")
	v = waitText(t, tm, p, "New topic", "MSK Serverless sets the replication factor itself.")
	if strings.Contains(v, "Replication") {
		t.Errorf("the create form of a serverless cluster asks for replication:\n%s", v)
	}
	tm.Type("payments")
	pressKey(tm, tea.KeyEnter)
	v = waitText(t, tm, p, "✓ created topic payments with 3 partitions", "▸ payments")
	if row := lineWith(v, "▸ payments"); !regexp.MustCompile(`▸ payments\s+3\s`).MatchString(row) {
		t.Errorf("the new topic's row: %q", row)
	}
	screen(t, tm)
}

// After an IAM login the status line says who AWS says the user is, where
// the credentials came from and how long the token has left.
func TestStatusLineShowsIAMIdentity(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	c := iamCluster(t, kafkatest.Topics(1, "orders"))
	app := ui.NewLoginApp(auth.Config{Mode: auth.IAM, Brokers: c.Brokers, CAFile: c.CAFile}, ui.Options{Palette: mono()})
	tm, p := start(t, app, 200, 30)
	waitText(t, tm, p, "[ Connect ]")
	pressCtrl(tm, 's')
	v := waitText(t, tm, p, "● connected", "orders")
	st := firstLine(v)
	parts := strings.Split(strings.TrimSpace(st), " │ ")
	if want := awstest.UserARN + " (environment)"; !slices.Contains(parts, want) {
		t.Errorf("status line %q lacks %q", st, want)
	}
	// A token lasts 15 minutes and was made moments ago; the base user's
	// keys do not expire, so no credential lifetime shows.
	if !slices.ContainsFunc(parts, regexp.MustCompile(`^token 1[45]m$`).MatchString) {
		t.Errorf("status line %q does not show the token's lifetime", st)
	}
	if strings.Contains(st, "creds") {
		t.Errorf("status line %q shows a lifetime for keys that do not expire", st)
	}
	screen(t, tm)
}

// The status line names an MSK cluster by its name and, where the whole
// identity does not fit, says it shorter rather than cut it off.
func TestStatusLineFitsTheIdentity(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	c := iamCluster(t, kafkatest.Topics(1, "orders"))
	arn := srv.AddCluster(awstest.Cluster{Name: "orders-prod", IAM: true, Bootstrap: awstest.Bootstrap{IAM: strings.Join(c.Brokers, ",")}})
	s, info := iamSession(t, c, arn)
	for _, tc := range []struct {
		width int
		who   string
	}{
		{200, awstest.UserARN + " (environment)"},
		{90, "user/test (environment)"},
		{80, "user/test"},
	} {
		app := ui.NewApp(s, info, ui.Options{Palette: mono()})
		tm, p := start(t, app, tc.width, 24)
		st := firstLine(waitText(t, tm, p, "● connected", "orders"))
		parts := strings.Split(strings.TrimSpace(st), " │ ")
		if len(parts) < 2 || parts[1] != "orders-prod (1 broker)" || parts[len(parts)-1] != tc.who || ansi.StringWidth(st) > tc.width {
			t.Errorf("at %d columns the status line is %q: want the cluster \"orders-prod (1 broker)\" and %q last", tc.width, st, tc.who)
		}
		tm.Quit()
	}
}

// iamSession connects to c with IAM as the login does, and says what the
// status line and IAM advice need to know about the connection.
func iamSession(t *testing.T, c *kafkatest.Cluster, clusterARN string) (*kafka.Session, ui.Info) {
	t.Helper()
	ctx := ctxFor(t)
	cl, err := auth.Build(ctx, auth.Config{Mode: auth.IAM, Brokers: c.Brokers, CAFile: c.CAFile, ClusterARN: clusterARN})
	if err != nil {
		t.Fatal(err)
	}
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: cl.Config.Brokers, TLS: cl.TLS, SASL: cl.SASL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	id, err := auth.WhoAmI(ctx, *cl.AWS)
	if err != nil {
		t.Fatal(err)
	}
	md, err := s.Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s, ui.NewInfo(cl, &id, md)
}

// adviceSetup is an IAM session on a cluster named in the AWS stand-in,
// an App on it that starts in a directory of its own, and the advice a
// refusal of op on topic orders should give.
func adviceSetup(t *testing.T, refuse func(*kafkatest.Cluster, *kerr.Error), op kafka.Operation) (app *ui.App, dir, arn string, want kafka.Advice) {
	t.Helper()
	dir = t.TempDir()
	t.Chdir(dir) // before the App, which writes policies where it started
	srv := awstest.New(t)
	srv.Env(t)
	c := iamCluster(t, kafkatest.Topics(1, "orders"))
	arn = srv.AddCluster(awstest.Cluster{Name: "orders", IAM: true, Bootstrap: awstest.Bootstrap{IAM: strings.Join(c.Brokers, ",")}})
	s, info := iamSession(t, c, arn)
	refuse(c, kerr.TopicAuthorizationFailed)
	want, ok := kafka.Advise(&kafka.OpError{Op: op, Topic: "orders", IAM: true, Err: kerr.TopicAuthorizationFailed}, info.Resources)
	if !ok {
		t.Fatalf("no advice for a refused %s", op)
	}
	app = ui.NewApp(s, info, ui.Options{Palette: mono(), Tail: kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}}})
	return app, dir, arn, want
}

// checkPolicy opens the advice with A, checks the policy shown, writes it
// with w and checks the file: the whole policy, nothing else.
func checkPolicy(t *testing.T, tm *teatest.TestModel, p *probe, dir, arn string, want kafka.Advice) {
	t.Helper()
	tm.Type("A")
	v := waitText(t, tm, p, "IAM policy needed", `"Version": "2012-10-17"`, `"`+want.Actions[0]+`"`)
	if topicARN := strings.Replace(arn, ":cluster/", ":topic/", 1) + "/orders"; !strings.Contains(v, topicARN) {
		t.Errorf("the policy does not name the topic %s:\n%s", topicARN, v)
	}
	tm.Type("w")
	v = waitText(t, tm, p, "✓ policy written to "+dir)
	screen(t, tm)

	files, err := filepath.Glob(filepath.Join(dir, "mskx-policy-*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("policy files in %s: %v %v\n%s", dir, files, err, v)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != want.Policy {
		t.Errorf("%s holds:\n%s\nwant:\n%s", files[0], got, want.Policy)
	}
}

// A tail the IAM policy refuses: the footer names the action and the
// topic and offers A, which shows the policy, and w writes it into the
// directory mskx was started in.
func TestIAMAdviceForRefusedTail(t *testing.T) {
	app, dir, arn, want := adviceSetup(t, (*kafkatest.Cluster).RefuseFetches, kafka.OpRead)
	tm, p := start(t, app, 160, 40)
	waitText(t, tm, p, "▸ orders")
	pressKey(tm, tea.KeyEnter)
	v := waitText(t, tm, p, "[2 Tail: orders]", "the IAM policy needs kafka-cluster:ReadData", "on topic orders", "· A: policy")
	if foot := lineWith(v, "A: policy"); !strings.HasPrefix(foot, "✗ read was refused (TOPIC_AUTHORIZATION_FAILED)") {
		t.Errorf("footer %q", foot)
	}
	checkPolicy(t, tm, p, dir, arn, want)
}

// The same advice for a send the policy refuses: the delivery's failure
// reaches the footer, which names kafka-cluster:WriteData and offers A.
func TestIAMAdviceForRefusedSend(t *testing.T) {
	app, dir, arn, want := adviceSetup(t, (*kafkatest.Cluster).RefuseProduces, kafka.OpWrite)
	tm, p := start(t, app, 160, 40)
	waitText(t, tm, p, "▸ orders")
	tm.Type("3")
	waitText(t, tm, p, "[3 Produce]")
	pressKey(tm, tea.KeyEnter)
	tm.Type("orders")
	for range 5 { // key, headers, partition, repeat, value
		pressKey(tm, tea.KeyTab)
	}
	tm.Type("refused")
	pressCtrl(tm, 's')
	v := waitText(t, tm, p, "the IAM policy needs kafka-cluster:WriteData", "on topic orders", "· A: policy")
	if foot := lineWith(v, "A: policy"); !strings.HasPrefix(foot, "✗ write was refused (TOPIC_AUTHORIZATION_FAILED)") {
		t.Errorf("footer %q", foot)
	}
	// esc leaves the fields, where A is text; the key clears the footer's
	// failure but not the advice.
	pressKey(tm, tea.KeyEscape)
	waitGone(t, tm, p, "A: policy")
	checkPolicy(t, tm, p, dir, arn, want)
}
