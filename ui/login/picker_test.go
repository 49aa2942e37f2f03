package login

import (
	"strings"
	"testing"

	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
)

// Bootstrap strings of the clusters below, as MSK names its brokers.
const (
	ordersIAM       = "b-1.orders.k7x2qa.c2.kafka.us-east-1.amazonaws.com:9098,b-2.orders.k7x2qa.c2.kafka.us-east-1.amazonaws.com:9098"
	ordersPublicIAM = "b-1-public.orders.k7x2qa.c2.kafka.us-east-1.amazonaws.com:9198"
	ordersVPCIAM    = "vpce-1.orders.k7x2qa.c2.kafka.us-east-1.vpce.amazonaws.com:14001"
	ordersSCRAM     = "b-1.orders.k7x2qa.c2.kafka.us-east-1.amazonaws.com:9096"
	analyticsIAM    = "b-1.analytics.p3m9vd.c3.kafka.us-east-1.amazonaws.com:9098"
	analyticsTLS    = "b-1.analytics.p3m9vd.c3.kafka.us-east-1.amazonaws.com:9094"
	eventsIAM       = "boot-w4r8zt5n.c1.kafka-serverless.us-east-1.amazonaws.com:9098"
	legacyPlain     = "b-1.legacy.q0h5kc.c1.kafka.us-east-1.amazonaws.com:9092"
)

// mskClusters fills the AWS stand-in with a region of fixed clusters:
// orders (IAM on three network paths, SCRAM), analytics (IAM and mTLS),
// events (serverless), legacy (plaintext and TLS, still updating).
func mskClusters(srv *awstest.Server) map[string]string {
	return map[string]string{
		"orders": srv.AddCluster(awstest.Cluster{Name: "orders", IAM: true, SCRAM: true, Bootstrap: awstest.Bootstrap{
			IAM: ordersIAM, PublicIAM: ordersPublicIAM, VPCIAM: ordersVPCIAM, SCRAM: ordersSCRAM}}),
		"events": srv.AddCluster(awstest.Cluster{Name: "events", Type: kafkatypes.ClusterTypeServerless,
			Bootstrap: awstest.Bootstrap{IAM: eventsIAM}}),
		"analytics": srv.AddCluster(awstest.Cluster{Name: "analytics", IAM: true, TLS: true, Bootstrap: awstest.Bootstrap{
			IAM: analyticsIAM, TLS: analyticsTLS}}),
		"legacy": srv.AddCluster(awstest.Cluster{Name: "legacy", Unauthenticated: true, State: kafkatypes.ClusterStateUpdating,
			ClientBroker: kafkatypes.ClientBrokerTlsPlaintext, Bootstrap: awstest.Bootstrap{Plaintext: legacyPlain}}),
	}
}

// pickCluster opens the picker, waits for the list, moves to name and
// presses enter.
func pickCluster(t *testing.T, l *loop, name string) {
	t.Helper()
	l.key("ctrl+f", nil)
	if l.m.picker.stage != stageList || len(l.m.picker.items) == 0 {
		t.Fatalf("no clusters listed:\n%s", view(l.m))
	}
	for l.m.picker.items[l.m.picker.pick].Name != name {
		before := l.m.picker.pick
		l.key("down", nil)
		if l.m.picker.pick == before {
			t.Fatalf("cluster %s not in the list:\n%s", name, view(l.m))
		}
	}
	l.key("enter", nil)
}

func TestPickerListsClustersAndFillsBrokersPerMode(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	arns := mskClusters(srv)
	m := newScreen(t, auth.Config{Mode: auth.IAM}, 100, 30)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.run(nil)

	l.key("ctrl+f", nil)
	v := view(m)
	wantIn(t, v, "MSK clusters in us-east-1", "NAME", "TYPE", "STATE", "AUTH",
		"▸ analytics  provisioned  ACTIVE    iam mtls",
		"events     serverless   ACTIVE    iam",
		"legacy     provisioned  UPDATING  tls plaintext",
		"orders     provisioned  ACTIVE    iam scram",
		"4 clusters")
	if m.Editing() {
		t.Error("the picker reports editing: q and ? would be text")
	}
	l.key("esc", nil)
	if m.picker.stage != stageClosed || m.value(rowBrokers) != "" || m.mode() != auth.IAM {
		t.Fatalf("esc changed the form: brokers %q, mode %s", m.value(rowBrokers), m.mode())
	}

	pickCluster(t, l, "analytics")
	if got := m.value(rowBrokers); got != analyticsIAM || m.mode() != auth.IAM || m.picker.stage != stageClosed {
		t.Fatalf("picked analytics: brokers %q, mode %s\n%s", got, m.mode(), view(m))
	}
	v = view(m)
	wantIn(t, v, "[iam] mtls", "the modes of analytics", "cluster analytics (provisioned) · private network path")
	if strings.Contains(v, " scram ") || strings.Contains(v, "plaintext") {
		t.Errorf("the selector offers modes analytics does not have:\n%s", v)
	}
	if r := m.request(); r.cfg.ClusterARN != arns["analytics"] || r.cfg.Serverless {
		t.Errorf("request: cluster %q, serverless %v", r.cfg.ClusterARN, r.cfg.Serverless)
	}

	// The mode follows the cluster's modes, and the brokers the mode.
	m.focusRow(rowMode)
	l.key("right", nil)
	if m.mode() != auth.MTLS || m.value(rowBrokers) != analyticsTLS {
		t.Errorf("after right: mode %s, brokers %q", m.mode(), m.value(rowBrokers))
	}
	l.key("right", nil)
	if m.mode() != auth.IAM || m.value(rowBrokers) != analyticsIAM {
		t.Errorf("after right again: mode %s, brokers %q", m.mode(), m.value(rowBrokers))
	}

	// The current mode is kept when the cluster has it: plaintext on legacy.
	m.focusRow(rowBrokers)
	m.inputs[rowBrokers].SetValue("")
	if m.picked() != nil || len(m.modesOffered()) != len(auth.Modes) {
		t.Fatal("emptied brokers keep the pick in force")
	}
	m.modeIdx = 4 // plaintext
	pickCluster(t, l, "legacy")
	if m.mode() != auth.Plaintext || m.value(rowBrokers) != legacyPlain {
		t.Errorf("legacy: mode %s, brokers %q", m.mode(), m.value(rowBrokers))
	}
	// Typing other brokers lets the cluster go.
	m.focusRow(rowBrokers)
	l.typeText(",b-2:9092")
	if m.picked() != nil || m.request().cfg.ClusterARN != "" || len(m.modesOffered()) != len(auth.Modes) {
		t.Error("typed brokers keep the picked cluster in force")
	}
}

func TestPickerChoosesNetworkPath(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	arns := mskClusters(srv)
	m := newScreen(t, auth.Config{Mode: auth.IAM}, 100, 30)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.run(nil)

	pickCluster(t, l, "orders")
	if m.picker.stage != stagePath {
		t.Fatalf("three network paths, yet no choice:\n%s", view(m))
	}
	v := view(m)
	wantIn(t, v, "orders · iam: choose a network path",
		"▸ private · from inside the cluster's VPC", ordersIAM[:80],
		"public · over the internet", ordersPublicIAM,
		"VPC connectivity · from another VPC", ordersVPCIAM)
	// esc at this stage, too, leaves the form as it was.
	l.key("esc", nil)
	if m.value(rowBrokers) != "" || m.picked() != nil {
		t.Fatalf("esc at the paths filled the form: %q", m.value(rowBrokers))
	}

	pickCluster(t, l, "orders")
	l.key("down", nil)
	l.key("enter", nil)
	if got := m.value(rowBrokers); got != ordersPublicIAM {
		t.Fatalf("public path: brokers %q\n%s", got, view(m))
	}
	wantIn(t, view(m), "cluster orders (provisioned) · public network path")
	if m.request().cfg.ClusterARN != arns["orders"] {
		t.Errorf("cluster ARN %q", m.request().cfg.ClusterARN)
	}

	// SCRAM has a private path only; back to IAM, the public one again.
	m.focusRow(rowMode)
	l.key("right", nil)
	if m.mode() != auth.SCRAM || m.value(rowBrokers) != ordersSCRAM {
		t.Errorf("scram: mode %s, brokers %q", m.mode(), m.value(rowBrokers))
	}
	l.key("left", nil)
	if m.mode() != auth.IAM || m.value(rowBrokers) != ordersIAM {
		t.Errorf("iam again: mode %s, brokers %q (the path followed SCRAM's)", m.mode(), m.value(rowBrokers))
	}

	// Picking again starts on the path in force.
	pickCluster(t, l, "orders")
	if m.picker.stage != stagePath || m.picker.paths[m.picker.pathPick].Name != auth.PathPrivate {
		t.Errorf("picking again: stage %d, path %d", m.picker.stage, m.picker.pathPick)
	}
	l.key("down", nil)
	l.key("down", nil)
	l.key("enter", nil)
	if got := m.value(rowBrokers); got != ordersVPCIAM {
		t.Errorf("VPC path: brokers %q", got)
	}
}

func TestPickerServerlessOffersOnlyIAM(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	arns := mskClusters(srv)
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, User: "alice"}, 100, 30)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.run(nil)

	pickCluster(t, l, "events")
	if m.mode() != auth.IAM || m.value(rowBrokers) != eventsIAM {
		t.Fatalf("events: mode %s, brokers %q", m.mode(), m.value(rowBrokers))
	}
	v := view(m)
	wantIn(t, v, "[iam]", "cluster events (serverless, IAM only)")
	for _, md := range []string{"scram", "tls", "plaintext"} {
		if strings.Contains(v, " "+md+" ") {
			t.Errorf("serverless offers %s:\n%s", md, v)
		}
	}
	m.focusRow(rowMode)
	l.key("right", nil)
	l.key("left", nil)
	if m.mode() != auth.IAM {
		t.Errorf("the mode moved to %s on a serverless cluster", m.mode())
	}
	if r := m.request(); !r.cfg.Serverless || r.cfg.ClusterARN != arns["events"] {
		t.Errorf("request: serverless %v, cluster %q", r.cfg.Serverless, r.cfg.ClusterARN)
	}
	if srv.Calls("ListScramSecrets") != 0 {
		t.Error("the secrets of a serverless cluster were listed")
	}

	// Typed serverless brokers with another mode are stopped before Build.
	m = newScreen(t, auth.Config{Mode: auth.SCRAM, User: "alice", Password: "pw", Brokers: []string{eventsIAM}}, 100, 30)
	if cmd := m.Update(press("ctrl+s")); cmd != nil {
		t.Error("connect started with SCRAM on serverless brokers")
	}
	wantIn(t, view(m), "MSK Serverless accepts only IAM")
}

func TestPickerSCRAMListsClusterSecretsFirst(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	const pw = "Pw-Associated-8804"
	c := scramCluster(t, pw)
	srv.PutSecret("AmazonMSK_alpha", `{"username":"nobody","password":"x"}`)
	zed := srv.PutSecret("AmazonMSK_zed", `{"username":"alice","password":"`+pw+`"}`)
	mid := srv.PutSecret("AmazonMSK_mid", `{"username":"bob","password":"y"}`)
	arn := srv.AddCluster(awstest.Cluster{Name: "orders", IAM: true, SCRAM: true, ScramSecrets: []string{zed, mid},
		Bootstrap: awstest.Bootstrap{IAM: ordersIAM, SCRAM: strings.Join(c.Brokers, ",")}})
	m := newScreen(t, auth.Config{Mode: auth.SCRAM, CAFile: c.CAFile}, 100, 30)
	l := newLoop(t, m, pw)
	l.spawn(m.Init())
	l.run(nil)

	pickCluster(t, l, "orders")
	l.run(nil)
	if m.mode() != auth.SCRAM || m.row != rowSecret || m.value(rowBrokers) != strings.Join(c.Brokers, ",") {
		t.Fatalf("after the pick: mode %s, row %s, brokers %q", m.mode(), rowNames[m.row], m.value(rowBrokers))
	}
	var names []string
	for _, s := range m.matches() {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "AmazonMSK_zed,AmazonMSK_mid,AmazonMSK_alpha" {
		t.Errorf("secrets in order %s, want the cluster's two first", got)
	}
	v := view(m)
	wantIn(t, v, "2 associated with orders, listed first", "▸ AmazonMSK_zed  ✓ associated with orders",
		"AmazonMSK_mid  ✓ associated with orders")
	if strings.Contains(v, "AmazonMSK_alpha  ✓") {
		t.Errorf("alpha marked as associated:\n%s", v)
	}

	l.key("enter", nil)
	if got := m.value(rowSecret); got != "AmazonMSK_zed" {
		t.Fatalf("picked secret %q", got)
	}
	l.key("ctrl+s", isConnected)
	cm, ok := l.connected()
	if !ok {
		t.Fatalf("not connected:\n%s", view(m))
	}
	t.Cleanup(cm.Session.Close)
	if cm.Client.Config.ClusterARN != arn || cm.Client.SCRAMUser != "alice" || cm.Client.Config.Serverless {
		t.Errorf("connected: cluster %q, user %q, serverless %v", cm.Client.Config.ClusterARN, cm.Client.SCRAMUser, cm.Client.Config.Serverless)
	}
	if cm.AWS == nil || cm.AWS.ARN != awstest.UserARN || cm.AWS.Account != awstest.Account || cm.Identity != awstest.UserARN {
		t.Errorf("connected as %+v (%q)", cm.AWS, cm.Identity)
	}
}

func TestFindClustersDeniedFallsBackToTyping(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	mskClusters(srv)
	srv.Deny("ListClustersV2")
	m := newScreen(t, auth.Config{Mode: auth.IAM}, 100, 30)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.run(nil)
	m.focusRow(rowConnect)

	l.key("ctrl+f", nil)
	const want = "⚠ listing clusters was denied (kafka:ListClustersV2): type the bootstrap brokers"
	v := view(m)
	if m.picker.stage != stageClosed || !strings.Contains(v, want) {
		t.Fatalf("after a denied listing, want %q in one line:\n%s", want, v)
	}
	if !m.Editing() || m.row != rowBrokers {
		t.Fatalf("not typing the brokers: row %s", rowNames[m.row])
	}
	l.typeText(ordersIAM)
	if got := m.value(rowBrokers); got != ordersIAM {
		t.Errorf("typed %q", got)
	}
	if strings.Contains(view(m), "denied") {
		t.Errorf("the note stays after typing:\n%s", view(m))
	}

	// No region anywhere: said in one line too.
	t.Setenv("AWS_REGION", "")
	m = newScreen(t, auth.Config{Mode: auth.TLS}, 100, 30)
	l = newLoop(t, m, "")
	l.key("ctrl+f", nil)
	wantIn(t, view(m), "⚠ no AWS region to find clusters in: type the region, or the bootstrap brokers")
	if !m.Editing() {
		t.Error("not editing after a listing without a region")
	}

	// No credentials: the SDK's list of every provider it tried is not shown.
	t.Setenv("AWS_REGION", awstest.Region)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	m = newScreen(t, auth.Config{Mode: auth.TLS}, 100, 30)
	l = newLoop(t, m, "")
	l.key("ctrl+f", nil)
	v = view(m)
	wantIn(t, v, "⚠ no AWS credentials to find clusters with: set a profile, or type the bootstrap brokers")
	if strings.Contains(v, "IMDS") || strings.Contains(v, "EC2") || !m.Editing() {
		t.Errorf("no credentials, editing %v:\n%s", m.Editing(), v)
	}
}

// 80x22 and 160x46: the picker fits the smallest common terminal, less the
// App's status and help lines, and a large one.
func goldenPicker(t *testing.T, w, h int) string {
	srv := awstest.New(t)
	srv.Env(t)
	mskClusters(srv)
	for i := range 3 {
		srv.AddCluster(awstest.Cluster{Name: []string{"billing", "clickstream", "inventory"}[i], SCRAM: true,
			State: []kafkatypes.ClusterState{kafkatypes.ClusterStateActive, kafkatypes.ClusterStateCreating, kafkatypes.ClusterStateActive}[i]})
	}
	m := newScreen(t, auth.Config{Mode: auth.IAM}, w, h)
	l := newLoop(t, m, "")
	l.key("ctrl+f", nil)
	l.key("down", nil)
	l.key("down", nil)
	return view(m)
}

func TestGoldenPicker80x22(t *testing.T)  { golden.RequireEqual(t, goldenPicker(t, 80, 22)) }
func TestGoldenPicker160x46(t *testing.T) { golden.RequireEqual(t, goldenPicker(t, 160, 46)) }
