package login

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
)

// A bad field fails the connect at its first step, config, before anything
// is dialled or asked of AWS: the screen says in one sentence what is wrong
// and what to write, keeps everything typed, and never connects.
func TestFormRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	// A closed port: nothing may be dialled, and if something were, it
	// would fail at tcp rather than config.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	secretValue := `{"username":"alice","password":"Pasted-Secret-Pw-6604"}`
	cases := []struct {
		name string
		cfg  auth.Config
		want string
	}{
		{"port 0", auth.Config{Mode: auth.Plaintext, Brokers: []string{"h:0"}}, `broker "h:0" has an invalid port: use a number from 1 to 65535`},
		{"port 70000", auth.Config{Mode: auth.Plaintext, Brokers: []string{"h:70000"}}, "has an invalid port"},
		{"port abc", auth.Config{Mode: auth.Plaintext, Brokers: []string{"h:abc"}}, "has an invalid port"},
		{"no port", auth.Config{Mode: auth.Plaintext, Brokers: []string{"localhost"}}, `broker "localhost" is not host:port`},
		{"empty host", auth.Config{Mode: auth.Plaintext, Brokers: []string{":9092"}}, `broker ":9092" is not host:port`},
		{"space in host", auth.Config{Mode: auth.Plaintext, Brokers: []string{"my host:9092"}}, `broker "my" is not host:port`},
		{"region with spaces", auth.Config{Mode: auth.IAM, Brokers: []string{closed}, Region: "us east 1"}, `region "us east 1" does not look like an AWS region`},
		{"region uppercase", auth.Config{Mode: auth.IAM, Brokers: []string{closed}, Region: "US-EAST-1"}, "does not look like an AWS region: use a name such as us-east-1"},
		{"role ARN short account", auth.Config{Mode: auth.IAM, Brokers: []string{closed}, RoleARN: "arn:aws:iam::12:role/x"}, "is not an IAM role ARN: use arn:aws:iam::ACCOUNT:role/NAME"},
		{"role ARN with a space", auth.Config{Mode: auth.IAM, Brokers: []string{closed}, RoleARN: "arn:aws:iam::123456789012:role/a b"}, "is not an IAM role ARN"},
		{"role ARN of a user", auth.Config{Mode: auth.IAM, Brokers: []string{closed}, RoleARN: "arn:aws:iam::123456789012:user/x"}, "is not an IAM role ARN"},
		{"secret value for a name", auth.Config{Mode: auth.SCRAM, Brokers: []string{closed}, Secret: secretValue}, "must be a Secrets Manager secret's name or ARN"},
		{"CA file missing", auth.Config{Mode: auth.TLS, Brokers: []string{closed}, CAFile: missing}, "CA file " + missing + " does not exist: check the path"},
		{"CA file a directory", auth.Config{Mode: auth.TLS, Brokers: []string{closed}, CAFile: dir}, "CA file " + dir + " is a directory"},
		{"cert file missing", auth.Config{Mode: auth.MTLS, Brokers: []string{closed}, CertFile: missing, KeyFile: missing}, "certificate file " + missing + " does not exist"},
		{"serverless with SCRAM", auth.Config{Mode: auth.SCRAM, Brokers: []string{"boot-x.c1.kafka-serverless.us-east-1.amazonaws.com:9096"}, User: "u", Password: "p"}, "MSK Serverless accepts only IAM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := awstest.New(t)
			srv.Env(t)
			m := newScreen(t, tc.cfg, 100, 40)
			l := newLoop(t, m, "")
			l.spawn(m.Init())
			l.run(nil)
			before := m.inputs
			callsBefore := awsCalls(srv)
			l.key("ctrl+s", isDone)
			l.run(nil)
			v := view(m)
			flat := strings.Join(strings.Fields(v), " ")
			if m.notice != "" {
				// Refused by the form itself, before any attempt.
				if !strings.Contains(m.notice, strings.TrimSuffix(tc.want, ": choose iam")) {
					t.Errorf("notice %q, want %q", m.notice, tc.want)
				}
				return
			}
			if _, ok := l.connected(); ok {
				t.Fatalf("connected with a bad field:\n%s", v)
			}
			if m.att.err == nil || m.failedStep() != "config" {
				t.Fatalf("the attempt did not fail at config (err %v, step %q):\n%s", m.att.err, m.failedStep(), v)
			}
			if msg := m.att.err.Error(); strings.ContainsAny(msg, "\n\r\x1b") {
				t.Errorf("the error is not one safe line: %q", msg)
			}
			if !strings.Contains(flat, tc.want) {
				t.Errorf("the screen lacks %q:\n%s", tc.want, v)
			}
			for _, st := range m.att.steps {
				if st.name != "config" {
					t.Errorf("step %s ran after a bad config", st.name)
				}
			}
			// The form lists secrets and asks who the user is on its own;
			// the connect itself must not have read a secret or assumed a role.
			if n := awsCalls(srv) - callsBefore; n > 0 {
				t.Errorf("the connect asked AWS %d times for a config that cannot work", n)
			}
			if strings.Contains(v, "Pasted-Secret-Pw-6604") && !strings.Contains(m.inputs[rowSecret].Value(), "Pasted") {
				t.Errorf("the pasted secret value shows outside its field:\n%s", v)
			}
			for r := range rowCount {
				if isText(r) && m.inputs[r].Value() != before[r].Value() {
					t.Errorf("field %s changed from %q to %q", rowNames[r], before[r].Value(), m.inputs[r].Value())
				}
			}
		})
	}
}

// awsCalls counts the calls that fetch credentials: reading a secret,
// assuming a role.
func awsCalls(srv *awstest.Server) int {
	return srv.Calls("GetSecretValue") + srv.Calls("AssumeRole")
}
