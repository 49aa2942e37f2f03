package login

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/kafka"
)

// Every size from the smallest the App allows to a large one fits,
// line for line, in every mode, with and without a failure.
func TestViewFits(t *testing.T) {
	sizes := [][2]int{{60, 13}, {60, 15}, {72, 20}, {80, 24}, {119, 30}, {120, 30}, {160, 48}}
	for _, mode := range auth.Modes {
		for _, sz := range sizes {
			m := newScreen(t, auth.Config{Mode: mode, Brokers: []string{"b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9096"}, User: "alice"}, sz[0], sz[1])
			m.secrets = secretList{asked: true, items: []auth.SecretInfo{{Name: "AmazonMSK_a"}, {Name: "AmazonMSK_b"}}}
			check := func(what string) {
				lines := strings.Split(view(m), "\n")
				if len(lines) != sz[1] {
					t.Errorf("%s %dx%d %s: %d lines", mode, sz[0], sz[1], what, len(lines))
				}
				for _, ln := range lines {
					if ansi.StringWidth(ln) > sz[0] {
						t.Errorf("%s %dx%d %s: line %q is %d wide", mode, sz[0], sz[1], what, ln, ansi.StringWidth(ln))
					}
				}
			}
			check("form")
			m.att = failedAttempt()
			check("failed")
			m.focusRow(rowBrokers)
			check("brokers focused")
			if mode == auth.SCRAM {
				m.focusRow(rowSecret)
				check("secret focused")
				if !strings.Contains(view(m), "Password") {
					t.Errorf("%dx%d: the password field was pushed off:\n%s", sz[0], sz[1], view(m))
				}
			}
		}
	}
}

func failedAttempt() attempt {
	err := &kafka.HintedError{Err: errString("SCRAM-SHA-512 login to b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9096: SASL_AUTHENTICATION_FAILED"),
		Hint: "the broker refused the SCRAM user or password: check the credentials, that the secret is associated with the cluster (aws kafka list-scram-secrets), and the mechanism (MSK uses SCRAM-SHA-512)"}
	return attempt{mode: auth.SCRAM, plan: plan(auth.Config{Mode: auth.SCRAM}), err: err, steps: []step{
		{name: "config", detail: "SCRAM-SHA-512 as alice, 1 broker", duration: 300 * time.Microsecond},
		{name: "resolve", detail: "b-1.demo -> 10.0.1.17", duration: 2 * time.Millisecond},
		{name: "tcp", detail: "connected to b-1.demo:9096", duration: 1200 * time.Microsecond},
		{name: "tls", detail: "TLS 1.3", duration: 9 * time.Millisecond},
		{name: "sasl", duration: 31 * time.Millisecond, err: err},
	}}
}

type errString string

func (e errString) Error() string { return string(e) }

// goldenForm is the SCRAM form with the secrets found, the cursor in the
// secret field. The brokers are fixed MSK names, and the secrets come from
// the AWS stand-in, so nothing in it changes between runs.
func goldenForm(t *testing.T, w, h int) string {
	srv := awstest.New(t)
	srv.Env(t)
	for _, n := range []string{"AmazonMSK_orders-service", "AmazonMSK_alice", "AmazonMSK_billing", "AmazonMSK_analytics-ro", "db-password"} {
		srv.PutSecret(n, `{"username":"u","password":"p"}`)
	}
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, Brokers: []string{
		"b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9096", "b-2.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9096"}}, w, h)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.run(nil)
	l.key("down", nil)
	return view(m)
}

func TestGoldenForm80x24(t *testing.T)   { golden.RequireEqual(t, goldenForm(t, 80, 24)) }
func TestGoldenForm160x48(t *testing.T)  { golden.RequireEqual(t, goldenForm(t, 160, 48)) }
func TestGoldenFailed80x24(t *testing.T) { golden.RequireEqual(t, goldenFailed(t, 80, 24)) }
func TestGoldenFailed160x48(t *testing.T) {
	golden.RequireEqual(t, goldenFailed(t, 160, 48))
}

var expiresRE = regexp.MustCompile(`expires \d{4}-\d{2}-\d{2}`)

// goldenFailed is a real refused login. What varies between runs is masked:
// step times go through a fixed formatter, the broker's port becomes x's of
// the same width (so wrapping is unchanged) and the certificate's expiry
// date a placeholder. Verification is skipped instead of giving the CA
// file, whose temporary path would vary.
func goldenFailed(t *testing.T, w, h int) string {
	srv := awstest.New(t)
	srv.Env(t)
	c := scramCluster(t, "right")
	const pw = "wrong-pw"
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, Brokers: c.Brokers, User: "alice", InsecureSkipVerify: true}, w, h)
	m.durText = func(time.Duration) string { return "1.0ms" }
	l := newLoop(t, m, pw)
	l.spawn(m.Init())
	l.run(nil)
	l.typeText(pw)
	l.key("ctrl+s", isDone)
	l.run(nil)
	if m.failedStep() != "sasl" {
		t.Fatalf("failed at %q:\n%s", m.failedStep(), view(m))
	}
	v := view(m)
	_, port, _ := net.SplitHostPort(c.Brokers[0])
	v = strings.ReplaceAll(v, c.Brokers[0], "127.0.0.1:"+strings.Repeat("x", len(port)))
	return expiresRE.ReplaceAllString(v, "expires YYYY-MM-DD")
}

// The picker at every stage, and the form with every note a pick and an
// identity add, fit every size line for line.
func TestPickerAndNotesFit(t *testing.T) {
	sizes := [][2]int{{60, 13}, {60, 15}, {72, 20}, {80, 22}, {80, 24}, {119, 30}, {120, 30}, {160, 46}}
	items := []auth.ClusterInfo{
		{Name: "orders", State: "ACTIVE", Modes: []auth.Mode{auth.IAM, auth.SCRAM}},
		{Name: "a-cluster-with-a-rather-long-name-indeed", State: "ACTIVE", Modes: auth.Modes},
		{Name: "events", Serverless: true, State: "ACTIVE", Modes: []auth.Mode{auth.IAM}},
	}
	for range 4 {
		items = append(items, items...)
	}
	boot := auth.BootstrapStrings{Private: ordersIAM, Public: ordersPublicIAM, VPC: ordersVPCIAM}
	for _, sz := range sizes {
		m := newScreen(t, auth.Config{Mode: auth.SCRAM, User: "alice"}, sz[0], sz[1])
		check := func(what string) {
			t.Helper()
			lines := strings.Split(view(m), "\n")
			if len(lines) != sz[1] {
				t.Errorf("%dx%d %s: %d lines", sz[0], sz[1], what, len(lines))
			}
			for _, ln := range lines {
				if ansi.StringWidth(ln) > sz[0] {
					t.Errorf("%dx%d %s: line %q is %d wide", sz[0], sz[1], what, ln, ansi.StringWidth(ln))
				}
			}
		}
		m.picker = picker{stage: stageList, loading: true}
		check("listing")
		m.picker = picker{stage: stageList, region: "us-east-1", items: items, pick: len(items) - 1}
		check("list, last picked")
		if !strings.Contains(view(m), "▸ events") {
			t.Errorf("%dx%d: the highlighted cluster is not in view:\n%s", sz[0], sz[1], view(m))
		}
		m.picker.err = errString("not allowed to look up the brokers of arn:aws:kafka:us-east-1:123456789012:cluster/orders/0b1c: the credentials need kafka:GetBootstrapBrokers, or pass -b with the bootstrap string")
		check("lookup failed")
		pc := &pickedCluster{info: items[0], mode: auth.IAM, modes: []auth.Mode{auth.IAM, auth.SCRAM},
			boot: map[auth.Mode]auth.BootstrapStrings{auth.IAM: boot, auth.SCRAM: {Private: ordersSCRAM}}, secrets: []string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_zed-AbCdEf"}}
		m.picker = picker{stage: stagePath, found: pc, paths: boot.Paths(), pathPick: 2}
		check("paths")
		if !strings.Contains(view(m), "vpce-1.orders") {
			t.Errorf("%dx%d: the highlighted path's brokers are not in view:\n%s", sz[0], sz[1], view(m))
		}
		m.applyCluster(pc, boot.Paths()[1])
		m.modeIdx = 1 // scram, as if chosen after the pick
		m.refillBrokers(pc)
		m.inputs[rowSecret].SetValue("AmazonMSK_zed")
		m.ident = awsIdentity{key: m.awsKey(), profile: "prod-admin", id: &auth.Identity{Account: awstest.Account,
			ARN: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUserAccess_0123456789abcdef/someone@example.com", Source: "SSO"}}
		m.secrets = secretList{asked: true, items: []auth.SecretInfo{{Name: "AmazonMSK_a"}, {Name: "AmazonMSK_b"}}}
		m.focusRow(rowSecret)
		check("picked, identity")
		if !strings.Contains(view(m), "Password") {
			t.Errorf("%dx%d: the password field was pushed off:\n%s", sz[0], sz[1], view(m))
		}
		m.picker.note = clustersNote(auth.ErrListClustersDenied)
		m.att = failedAttempt()
		check("note, failed")
	}
}
