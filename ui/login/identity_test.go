package login

import (
	"strings"
	"testing"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/kafka/kafkatest"
)

func TestIdentityShownFromSTS(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	m := newScreen(t, auth.Config{Mode: auth.IAM, Brokers: []string{ordersIAM}}, 100, 30)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.run(nil)
	wantIn(t, view(m), "as "+awstest.UserARN+" · account "+awstest.Account+" · environment")
	if n := srv.Calls("GetCallerIdentity"); n != 1 {
		t.Errorf("GetCallerIdentity called %d times, want 1", n)
	}

	// A role typed letter by letter is asked about once, after a pause.
	m.focusRow(rowRole)
	before := srv.Calls("GetCallerIdentity")
	l.typeText("arn:aws:iam::123456789012:role/reader")
	if v := view(m); strings.Contains(v, awstest.UserARN) || !strings.Contains(v, "… asking AWS") {
		t.Errorf("while the role is typed, the old identity shows:\n%s", v)
	}
	l.run(nil)
	wantIn(t, view(m), "as arn:aws:sts::123456789012:assumed-role/reader/mskx", "assumed role")
	if n := srv.Calls("GetCallerIdentity") - before; n != 1 {
		t.Errorf("GetCallerIdentity called %d times for one typed role, want 1", n)
	}

	// Modes without AWS credentials show none; SCRAM shows it once a
	// secret is given.
	m.focusRow(rowMode)
	l.key("right", nil)
	if v := view(m); strings.Contains(v, "assumed-role") {
		t.Errorf("SCRAM without a secret shows the AWS identity:\n%s", v)
	}
	m.focusRow(rowSecret)
	l.typeText("AmazonMSK_x")
	l.run(nil)
	wantIn(t, view(m), "assumed-role/reader/mskx")
	m.focusRow(rowMode)
	l.key("right", nil) // tls
	if v := view(m); strings.Contains(v, "assumed-role") || strings.Contains(v, "asking AWS") {
		t.Errorf("TLS shows the AWS identity:\n%s", v)
	}
}

func TestIdentityFailureDoesNotBlockConnect(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	srv.Deny("GetCallerIdentity")
	c := kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey), kafkatest.Topics(1, "orders"))
	m := newScreen(t, auth.Config{Mode: auth.IAM, Brokers: c.Brokers, CAFile: c.CAFile}, 100, 30)
	l := newLoop(t, m, "")
	l.spawn(m.Init())
	l.run(nil)
	v := view(m)
	wantIn(t, v, "· AWS identity unknown: ask STS who the credentials belong to: AccessDenied")
	if strings.Count(v, "AccessDenied") != 1 {
		t.Errorf("the failure takes more than one line:\n%s", v)
	}
	l.key("ctrl+s", isConnected)
	cm, ok := l.connected()
	if !ok {
		t.Fatalf("not connected:\n%s", view(m))
	}
	t.Cleanup(cm.Session.Close)
	if cm.AWS != nil || cm.Identity != "" {
		t.Errorf("a failed lookup gave identity %+v %q", cm.AWS, cm.Identity)
	}

	// Allowed again, the connect's own lookup fills ConnectedMsg.AWS.
	srv.Allow("GetCallerIdentity")
	m = newScreen(t, auth.Config{Mode: auth.IAM, Brokers: c.Brokers, CAFile: c.CAFile}, 100, 30)
	l = newLoop(t, m, "")
	l.key("ctrl+s", isConnected)
	cm, ok = l.connected()
	if !ok {
		t.Fatalf("not connected:\n%s", view(m))
	}
	t.Cleanup(cm.Session.Close)
	if cm.AWS == nil || cm.AWS.ARN != awstest.UserARN || cm.AWS.Account != awstest.Account || cm.AWS.Source != "environment" {
		t.Errorf("ConnectedMsg.AWS = %+v", cm.AWS)
	}
}
