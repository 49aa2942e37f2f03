package login

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
	"github.com/mskx/mskx/ui/uitest"
)

func newScreen(t *testing.T, cfg auth.Config, w, h int) *Model {
	t.Helper()
	pal, err := themes.ByName("mono")
	if err != nil {
		t.Fatal(err)
	}
	m := New(common.New(pal), cfg, DialTimeout(3*time.Second))
	m.SetSize(w, h)
	m.Focus()
	return m
}

var press = uitest.Key

// loop runs Cmds as bubbletea does: each in its own goroutine, their
// messages fed to Update one at a time, batches unpacked. Every view drawn
// after a message is checked for the secret, which must never show.
type loop struct {
	t       *testing.T
	m       *Model
	secret  string
	msgs    chan tea.Msg
	pending int
	seen    []tea.Msg
	// onMsg, when set, is called after each message is handled and may
	// return a key to press then.
	onMsg func(tea.Msg) *tea.KeyPressMsg
}

func newLoop(t *testing.T, m *Model, secret string) *loop {
	return &loop{t: t, m: m, secret: secret, msgs: make(chan tea.Msg, 64)}
}

func (l *loop) spawn(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	l.pending++
	go func() { l.msgs <- cmd() }()
}

// key presses k and runs what follows until until says so or nothing is
// left to run.
func (l *loop) key(k string, until func(tea.Msg) bool) {
	l.t.Helper()
	l.spawn(l.m.Update(press(k)))
	l.check()
	l.run(until)
}

func (l *loop) typeText(s string) {
	for _, r := range s {
		l.spawn(l.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
	l.check()
}

func (l *loop) check() {
	l.t.Helper()
	if l.secret != "" && strings.Contains(l.m.View(), l.secret) {
		l.t.Fatalf("the password shows:\n%s", l.m.View())
	}
}

func (l *loop) run(until func(tea.Msg) bool) {
	l.t.Helper()
	deadline := time.After(30 * time.Second)
	for l.pending > 0 {
		select {
		case msg := <-l.msgs:
			l.pending--
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					l.spawn(c)
				}
				continue
			}
			if msg == nil {
				continue
			}
			l.seen = append(l.seen, msg)
			l.spawn(l.m.Update(msg))
			l.check()
			if l.onMsg != nil {
				if k := l.onMsg(msg); k != nil {
					l.spawn(l.m.Update(*k))
				}
			}
			if until != nil && until(msg) {
				return
			}
		case <-deadline:
			l.t.Fatalf("still waiting for %d Cmds after 30s:\n%s", l.pending, l.m.View())
		}
	}
}

func (l *loop) connected() (ConnectedMsg, bool) {
	for _, msg := range l.seen {
		if c, ok := msg.(ConnectedMsg); ok {
			return c, true
		}
	}
	return ConnectedMsg{}, false
}

func isConnected(msg tea.Msg) bool { _, ok := msg.(ConnectedMsg); return ok }

func isDone(msg tea.Msg) bool {
	switch msg.(type) {
	case ConnectedMsg:
		return true
	case doneMsg:
		return true
	}
	return false
}

// topics lists the topics through a session, proving it works.
func topics(t *testing.T, s *kafka.Session) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ts, err := s.Topics(ctx)
	if err != nil {
		t.Fatalf("list topics with the session: %v", err)
	}
	var names []string
	for _, tp := range ts {
		names = append(names, tp.Name)
	}
	return names
}

func view(m *Model) string { return ansi.Strip(m.View()) }

func wantIn(t *testing.T, v string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(v, w) {
			t.Errorf("view lacks %q:\n%s", w, v)
		}
	}
}

func scramCluster(t *testing.T, pw string) *kafkatest.Cluster {
	return kafkatest.New(t, kafkatest.SCRAM("alice", pw), kafkatest.Topics(2, "orders"))
}

func TestSCRAMUserAndPasswordConnects(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	const pw = "Pw-Alice-Typed-5521"
	c := scramCluster(t, pw)
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, Brokers: c.Brokers, CAFile: c.CAFile}, 100, 30)
	l := newLoop(t, m, pw)
	l.spawn(m.Init())
	l.run(nil)
	if m.row != rowSecret {
		t.Fatalf("cursor starts on row %s, want Secret", rowNames[m.row])
	}
	wantIn(t, view(m), "no AmazonMSK_ secrets found")
	l.key("tab", nil)
	l.typeText("alice")
	l.key("tab", nil)
	if !m.Editing() || m.row != rowPassword {
		t.Fatalf("not editing the password: row %s", rowNames[m.row])
	}
	l.typeText(pw)
	wantIn(t, view(m), strings.Repeat("•", len(pw)))

	// Steps show as each one ends: when tcp is done, tls is running.
	var during []string
	l.onMsg = func(msg tea.Msg) *tea.KeyPressMsg {
		if sm, ok := msg.(stepMsg); ok && sm.step.name == "tcp" {
			during = append(during, view(m))
		}
		return nil
	}
	l.key("ctrl+s", isConnected)
	if len(during) != 1 || !strings.Contains(during[0], "✓ tcp") || !strings.Contains(during[0], "… tls") || strings.Contains(during[0], "✓ metadata") {
		t.Errorf("view after the tcp step:\n%s", strings.Join(during, "\n---\n"))
	}
	v := view(m)
	wantIn(t, v, "✓ config", "✓ resolve", "✓ tcp", "✓ tls", "✓ sasl", "✓ metadata", "✓ session", "SCRAM-SHA-512 as alice", "✓ connected")
	cm, ok := l.connected()
	if !ok || cm.Session == nil {
		t.Fatalf("no ConnectedMsg:\n%s", v)
	}
	t.Cleanup(cm.Session.Close)
	if got := topics(t, cm.Session); len(got) != 1 || got[0] != "orders" {
		t.Errorf("topics through the session: %v", got)
	}
	if cm.Client.SCRAMUser != "alice" || cm.Identity != "" || len(cm.Cluster.Brokers) != 1 {
		t.Errorf("connected: user %q identity %q cluster %+v", cm.Client.SCRAMUser, cm.Identity, cm.Cluster)
	}
}

func TestSCRAMSecretPickedFromList(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	const pw = "Pw-From-Secret-9032"
	c := scramCluster(t, pw)
	srv.PutSecret("AmazonMSK_zeta", `{"username":"zeta","password":"nope"}`)
	srv.PutSecret("AmazonMSK_alice", `{"username":"alice","password":"`+pw+`"}`)
	srv.PutSecret("not-for-msk", `{"username":"x","password":"y"}`)
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, Brokers: c.Brokers, CAFile: c.CAFile}, 80, 24)
	l := newLoop(t, m, pw)
	l.spawn(m.Init())
	l.run(nil)
	v := view(m)
	wantIn(t, v, "2 AmazonMSK_ secrets", "▸ AmazonMSK_alice", "AmazonMSK_zeta")
	if strings.Contains(v, "not-for-msk") {
		t.Errorf("a secret without the prefix is listed:\n%s", v)
	}
	l.key("down", nil)
	wantIn(t, view(m), "▸ AmazonMSK_zeta")
	l.key("up", nil)
	l.key("up", nil) // past the top of the list: the previous field
	if m.row != rowRole {
		t.Fatalf("up from the top of the list went to %s", rowNames[m.row])
	}
	l.key("tab", nil)
	l.key("enter", nil)
	if got := m.inputs[rowSecret].Value(); got != "AmazonMSK_alice" || m.row != rowCA {
		t.Fatalf("after enter: secret %q, row %s", got, rowNames[m.row])
	}
	l.key("ctrl+s", isConnected)
	cm, ok := l.connected()
	if !ok {
		t.Fatalf("not connected:\n%s", view(m))
	}
	t.Cleanup(cm.Session.Close)
	wantIn(t, view(m), "✓ identity", awstest.UserARN, "✓ sasl", "from AmazonMSK_alice")
	if cm.Identity != awstest.UserARN || cm.Client.SCRAMUser != "alice" {
		t.Errorf("identity %q, user %q", cm.Identity, cm.Client.SCRAMUser)
	}
	if got := topics(t, cm.Session); len(got) != 1 {
		t.Errorf("topics: %v", got)
	}
}

func TestSCRAMWrongPasswordKeepsTheForm(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	c := scramCluster(t, "the-right-one")
	const pw = "Wrong-Pw-Typed-4410"
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, Brokers: c.Brokers, CAFile: c.CAFile, User: "alice"}, 80, 24)
	if m.row != rowPassword {
		t.Fatalf("with a user given, the cursor starts on row %s, want Password", rowNames[m.row])
	}
	l := newLoop(t, m, pw)
	l.spawn(m.Init())
	l.run(nil)
	l.typeText(pw)
	l.key("ctrl+s", isDone)
	l.run(nil)
	v := view(m)
	// The explanation is wrapped to the width: read it unwrapped.
	wantIn(t, strings.Join(strings.Fields(v), " "), "refused the SCRAM user or password")
	wantIn(t, v, "✓ tls", "✗ sasl", "✗ failed at sasl", strings.Repeat("•", len(pw)))
	if strings.Contains(v, "✓ metadata") {
		t.Errorf("metadata passed after a refused login:\n%s", v)
	}
	if _, ok := l.connected(); ok {
		t.Fatal("connected with a wrong password")
	}
	if m.inputs[rowUser].Value() != "alice" || m.inputs[rowPassword].Value() != pw || !m.Editing() {
		t.Errorf("form not kept: user %q, password kept %v, editing %v", m.inputs[rowUser].Value(), m.inputs[rowPassword].Value() == pw, m.Editing())
	}
	for _, line := range strings.Split(v, "\n") {
		if ansi.StringWidth(line) > 80 {
			t.Errorf("line wider than 80: %q", line)
		}
	}
}

func TestListSecretsDeniedFallsBackToTyping(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	const pw = "Pw-Denied-List-1187"
	c := scramCluster(t, pw)
	srv.PutSecret("AmazonMSK_alice", `{"username":"alice","password":"`+pw+`"}`)
	srv.Deny("ListSecrets")
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, Brokers: c.Brokers, CAFile: c.CAFile}, 80, 24)
	l := newLoop(t, m, pw)
	l.spawn(m.Init())
	l.run(nil)
	wantIn(t, view(m), "listing secrets was denied", "type the secret's name")
	if !m.Editing() || m.row != rowSecret {
		t.Fatalf("not typing in the secret field: row %s", rowNames[m.row])
	}
	l.typeText("AmazonMSK_alice")
	l.key("ctrl+s", isConnected)
	cm, ok := l.connected()
	if !ok {
		t.Fatalf("not connected with a typed secret:\n%s", view(m))
	}
	cm.Session.Close()
}

func TestIAMConnectsAndShowsIdentity(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	c := kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey), kafkatest.Topics(1, "orders"))
	m := newScreen(t, auth.Config{Mode: auth.IAM, Brokers: c.Brokers, CAFile: c.CAFile}, 160, 48)
	if m.row != rowConnect {
		t.Fatalf("everything given, yet the cursor starts on %s", rowNames[m.row])
	}
	wantIn(t, view(m), "Region", "Profile", "Role ARN", "CA file")
	if v := view(m); strings.Contains(v, "Password") || strings.Contains(v, "Secret ") {
		t.Errorf("IAM shows SCRAM fields:\n%s", v)
	}
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.key("enter", isConnected)
	cm, ok := l.connected()
	if !ok {
		t.Fatalf("not connected:\n%s", view(m))
	}
	t.Cleanup(cm.Session.Close)
	wantIn(t, view(m), "✓ identity", awstest.UserARN, "OAUTHBEARER accepted", "✓ metadata")
	if cm.Identity != awstest.UserARN || cm.Client.Config.Mode != auth.IAM {
		t.Errorf("identity %q mode %s", cm.Identity, cm.Client.Config.Mode)
	}
	if got := topics(t, cm.Session); len(got) != 1 || got[0] != "orders" {
		t.Errorf("topics: %v", got)
	}
	if c.Authentications() == 0 {
		t.Error("the cluster saw no IAM authentication")
	}
}

func TestModesShowTheirFields(t *testing.T) {
	m := newScreen(t, auth.Config{Mode: auth.Plaintext, Brokers: []string{"localhost:9092"}}, 80, 24)
	v := view(m)
	for _, hidden := range []string{"Secret", "User", "Password", "Region", "Profile", "Role ARN", "CA file", "Cert file"} {
		if strings.Contains(v, hidden) {
			t.Errorf("plaintext shows %s:\n%s", hidden, v)
		}
	}
	wantIn(t, v, "Brokers", "[plaintext]", "[ Connect ]")

	m.Update(press("shift+tab"))
	m.Update(press("shift+tab"))
	if m.row != rowMode || m.Editing() {
		t.Fatalf("row %s, editing %v: want the mode selector", rowNames[m.row], m.Editing())
	}
	m.Update(press("right")) // wraps around to iam
	wantIn(t, view(m), "[iam]", "Region", "Role ARN")
	m.Update(press("space"))
	m.Update(press("right"))
	m.Update(press("right"))
	v = view(m)
	wantIn(t, v, "[mtls]", "Cert file", "Key file", "CA file", "mutual TLS needs the cert file")
	if strings.Contains(v, "Region") {
		t.Errorf("mTLS shows AWS fields:\n%s", v)
	}
	m.Update(press("left"))
	if v := view(m); !strings.Contains(v, "[tls]") || strings.Contains(v, "Cert file") {
		t.Errorf("tls:\n%s", v)
	}
	// Port warnings show before connecting.
	m.inputs[rowBrokers].SetValue("b-1.x:9098")
	wantIn(t, view(m), "⚠ broker b-1.x:9098 uses port 9098")
}

func TestPlaintextConnects(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "logs"))
	m := newScreen(t, auth.Config{Brokers: c.Brokers, Mode: auth.Plaintext}, 80, 24)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.key("ctrl+s", isConnected)
	cm, ok := l.connected()
	if !ok {
		t.Fatalf("not connected:\n%s", view(m))
	}
	defer cm.Session.Close()
	wantIn(t, view(m), "– tls", "– sasl", "✓ metadata")
}

// hangingBroker accepts connections and never answers, the way a port
// behind a misconfigured load balancer does.
func hangingBroker(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

func TestEscCancelsAConnect(t *testing.T) {
	m := newScreen(t, auth.Config{Mode: auth.TLS, Brokers: []string{hangingBroker(t)}}, 80, 24)
	m.opts.dialTimeout = 20 * time.Second // the cancel, not the timeout, must end it
	l := newLoop(t, m, "")
	esc := press("esc")
	l.onMsg = func(msg tea.Msg) *tea.KeyPressMsg {
		if sm, ok := msg.(stepMsg); ok && sm.step.name == "tcp" {
			return &esc
		}
		return nil
	}
	start := time.Now()
	l.key("ctrl+s", nil)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the cancelled attempt took %s to wind down", took)
	}
	v := view(m)
	wantIn(t, v, "✓ tcp", "– tls", "cancelled")
	if m.Connecting() || strings.Contains(v, "✗") {
		t.Errorf("after esc: connecting %v\n%s", m.Connecting(), v)
	}
	if _, ok := l.connected(); ok {
		t.Error("a cancelled attempt connected")
	}
}

// A session that a cancelled attempt opened anyway is closed, not leaked.
func TestStaleSessionIsClosed(t *testing.T) {
	c := kafkatest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	m := newScreen(t, auth.Config{Brokers: c.Brokers}, 80, 24)
	m.gen = 2
	cmd := m.Update(doneMsg{gen: 1, session: s})
	if cmd == nil {
		t.Fatal("a stale session was not closed")
	}
	if msg := cmd(); msg != nil {
		t.Errorf("closing returned %v", msg)
	}
	if _, err := s.Topics(ctx); err == nil {
		t.Error("the stale session still works")
	}
	if m.att.connected {
		t.Error("a stale result changed the screen")
	}
}

func TestFormProblemsBlockConnect(t *testing.T) {
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, Brokers: []string{"h:9096"}, Secret: "AmazonMSK_a", User: "bob"}, 80, 24)
	if cmd := m.Update(press("ctrl+s")); cmd != nil {
		t.Error("connect started with both a secret and a user")
	}
	wantIn(t, view(m), "✗ fill in a secret or a user, not both")
	m = newScreen(t, auth.Config{Mode: auth.SCRAM}, 80, 24)
	if m.row != rowBrokers {
		t.Errorf("without brokers the cursor starts on %s", rowNames[m.row])
	}
	wantIn(t, view(m), "type the brokers")
}
