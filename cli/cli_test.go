package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/cli"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// result is what one run of mskx printed and returned.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// run runs mskx in process with env as its only MSK_* environment (AWS
// variables come from the process, set by awstest.Env).
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	home := t.TempDir() // never the user's own config file
	st := cli.IO{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "XDG_CONFIG_HOME" {
			return home
		}
		if strings.HasPrefix(k, "MSK_") {
			return ""
		}
		return os.Getenv(k)
	}}
	if stdin != "" {
		st.Stdin = strings.NewReader(stdin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	code := cli.Run(ctx, args, st)
	return result{out.String(), errb.String(), code, time.Since(start)}
}

func (r result) must(t *testing.T, what string) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", what, r.code, r.stdout, r.stderr)
	}
	return r
}

// connArgs are the flags that reach c in its mode, without credentials that
// must come from the environment or AWS.
func connArgs(c *kafkatest.Cluster) []string {
	args := []string{"-b", strings.Join(c.Brokers, ","), "--auth", string(c.Mode), "--timeout", "3s"}
	if c.CAFile != "" {
		args = append(args, "--ca-file", c.CAFile)
	}
	if c.CertFile != "" {
		args = append(args, "--cert-file", c.CertFile, "--key-file", c.KeyFile)
	}
	return args
}

// roundTrip produces records with keys and headers through `mskx produce`
// and reads them back through `mskx consume --format json`.
func roundTrip(t *testing.T, c *kafkatest.Cluster, env map[string]string, extra ...string) {
	t.Helper()
	args := append(connArgs(c), extra...)
	values := []string{`{"order":1,"total":12.5}`, "plain text", "ünïcödé ✓", ""}
	out := run(t, env, strings.Join(values, "\n")+"\n", append([]string{"produce", "-t", "orders", "-k", "user-7", "-H", "source=test", "-H", "trace=a=b"}, args...)...).must(t, "produce")
	if n := strings.Count(out.stdout, ", offset "); n != len(values) {
		t.Fatalf("produce printed %d deliveries, want %d:\n%s", n, len(values), out.stdout)
	}
	got := run(t, env, "", append([]string{"consume", "-t", "orders", "-o", "beginning", "-e", "--format", "json"}, args...)...).must(t, "consume")
	lines := strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n")
	if len(lines) != len(values) {
		t.Fatalf("consume printed %d lines, want %d:\n%s", len(lines), len(values), got.stdout)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var rec struct {
			Topic   string
			Key     *string
			Value   *string
			Headers []struct{ Key, Value string }
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if rec.Topic != "orders" || rec.Key == nil || *rec.Key != "user-7" || rec.Value == nil ||
			fmt.Sprint(rec.Headers) != "[{source test} {trace a=b}]" {
			t.Errorf("record %s: wrong topic, key or headers", l)
		}
		seen[*rec.Value] = true
	}
	for _, v := range values {
		if !seen[v] {
			t.Errorf("value %q not read back", v)
		}
	}
}

func TestPlaintextRoundTrip(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"))
	roundTrip(t, c, nil)
}

func TestTLSRoundTrip(t *testing.T) {
	c := kafkatest.New(t, kafkatest.TLS(), kafkatest.Topics(3, "orders"))
	roundTrip(t, c, nil)
}

func TestMutualTLSRoundTrip(t *testing.T) {
	c := kafkatest.New(t, kafkatest.MutualTLS(), kafkatest.Topics(3, "orders"))
	roundTrip(t, c, nil)

	// Without the client certificate the broker refuses the handshake.
	args := []string{"topics", "-b", c.Brokers[0], "--auth", "tls", "--ca-file", c.CAFile, "--timeout", "3s"}
	r := run(t, nil, "", args...)
	if r.code != 1 || !strings.Contains(r.stderr, "client certificate") {
		t.Errorf("mTLS cluster without a client cert: exit %d, stderr %q; want 1 naming the client certificate", r.code, r.stderr)
	}
}

func TestSCRAMWithSecretFromSecretsManager(t *testing.T) {
	aws := awstest.New(t)
	aws.Env(t)
	c := kafkatest.New(t, kafkatest.SCRAM("alice", "s3cret-pw-42"), kafkatest.Topics(2, "orders"))
	aws.PutSecret("AmazonMSK_alice", `{"username":"alice","password":"s3cret-pw-42"}`)
	roundTrip(t, c, map[string]string{"MSK_SCRAM_SECRET_NAME": "AmazonMSK_alice"})
}

func TestSCRAMWithUserAndPasswordEnv(t *testing.T) {
	c := kafkatest.New(t, kafkatest.SCRAM("bob", "pw-bob"), kafkatest.Topics(1, "orders"))
	roundTrip(t, c, map[string]string{"MSK_SCRAM_PASSWORD": "pw-bob"}, "--user", "bob")

	r := run(t, map[string]string{"MSK_SCRAM_PASSWORD": "wrong"}, "", append([]string{"topics", "--user", "bob"}, connArgs(c)...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "refused the SCRAM user or password") {
		t.Errorf("wrong password: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, "wrong") {
		t.Errorf("the password appears in the output: %q", r.stderr)
	}
}

func TestIAMRoundTrip(t *testing.T) {
	aws := awstest.New(t)
	aws.Env(t)
	c := kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey), kafkatest.Topics(2, "orders"))
	roundTrip(t, c, nil)
	if c.Authentications() == 0 {
		t.Error("the IAM cluster saw no authentication")
	}
}

func TestIAMRefused(t *testing.T) {
	cases := []struct {
		name   string
		opts   []kafkatest.Opt
		env    func(t *testing.T)
		args   []string
		stderr []string
	}{
		{name: "wrong secret key",
			opts:   []kafkatest.Opt{kafkatest.IAM(awstest.Region, awstest.AccessKeyID, "not-the-secret")},
			stderr: []string{"Access denied", "get-caller-identity"}},
		{name: "wrong region",
			opts:   []kafkatest.Opt{kafkatest.IAM("eu-west-1", awstest.AccessKeyID, awstest.SecretAccessKey)},
			stderr: []string{"Access denied", "--region"}},
		{name: "expired token",
			opts: []kafkatest.Opt{kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey),
				kafkatest.IAMClock(func() time.Time { return time.Now().Add(20 * time.Minute) })},
			stderr: []string{"Access denied", "clock"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			aws := awstest.New(t)
			aws.Env(t)
			c := kafkatest.New(t, append(tc.opts, kafkatest.Topics(1, "orders"))...)
			r := run(t, nil, "", append([]string{"topics"}, connArgs(c)...)...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", r.code, r.stderr)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q does not mention %q", r.stderr, want)
				}
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("error is more than one line: %q", r.stderr)
			}
			if r.took > 15*time.Second {
				t.Errorf("took %s to fail", r.took)
			}
		})
	}
}

// The common mix-ups: the right credentials against another mode's port.
func TestWrongPortForMode(t *testing.T) {
	aws := awstest.New(t)
	aws.Env(t)
	iam := kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey))
	r := run(t, map[string]string{"MSK_SCRAM_PASSWORD": "pw"}, "", "topics", "-b", iam.Brokers[0], "--auth", "scram", "--user", "u", "--ca-file", iam.CAFile, "--timeout", "3s")
	if r.code != 1 || !strings.Contains(r.stderr, "likely the IAM listener") {
		t.Errorf("SCRAM at the IAM port: exit %d, stderr %q; want it to name the IAM listener", r.code, r.stderr)
	}
	if r.took > 5*time.Second {
		t.Errorf("SCRAM at the IAM port took %s, more than the 3s dial timeout allows", r.took)
	}

	tlsc := kafkatest.New(t, kafkatest.TLS())
	r = run(t, nil, "", "topics", "-b", tlsc.Brokers[0], "--auth", "plaintext", "--timeout", "3s")
	if r.code != 1 || !strings.Contains(r.stderr, "as a TLS listener does") {
		t.Errorf("plaintext at a TLS port: exit %d, stderr %q; want it to say the broker speaks TLS", r.code, r.stderr)
	}
	if r.took > 5*time.Second {
		t.Errorf("plaintext at a TLS port took %s", r.took)
	}

	plain := kafkatest.New(t)
	r = run(t, nil, "", "topics", "-b", plain.Brokers[0], "--auth", "tls", "--timeout", "3s")
	// kfake waits for the rest of what it takes for a huge request instead
	// of closing as Kafka does, so the handshake times out here; the hint
	// still names the plaintext port, and the wait is one dial timeout.
	if r.code != 1 || !strings.Contains(r.stderr, "port is plaintext") {
		t.Errorf("TLS at a plaintext port: exit %d, stderr %q", r.code, r.stderr)
	}
	if r.took > 6*time.Second {
		t.Errorf("TLS at a plaintext port took %s, want about the 3s dial timeout", r.took)
	}
}

func TestCheck(t *testing.T) {
	c := kafkatest.New(t, kafkatest.SCRAM("alice", "pw"))
	r := run(t, map[string]string{"MSK_SCRAM_PASSWORD": "pw"}, "", append([]string{"check", "--user", "alice"}, connArgs(c)...)...).must(t, "check")
	for _, step := range []string{"ok   resolve", "ok   tcp", "ok   tls", "ok   sasl", "ok   metadata", "all steps passed"} {
		if !strings.Contains(r.stdout, step) {
			t.Errorf("check output lacks %q:\n%s", step, r.stdout)
		}
	}
	r = run(t, map[string]string{"MSK_SCRAM_PASSWORD": "bad"}, "", append([]string{"check", "--user", "alice"}, connArgs(c)...)...)
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL sasl") || strings.Contains(r.stdout, "ok   metadata") {
		t.Errorf("check with a bad password: exit %d\n%s", r.code, r.stdout)
	}

	// A closed port fails at tcp, naming the port.
	r = run(t, nil, "", "check", "-b", "127.0.0.1:1", "--auth", "plaintext", "--timeout", "2s")
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL tcp") || !strings.Contains(r.stdout, "port") {
		t.Errorf("check of a closed port: exit %d\n%s", r.code, r.stdout)
	}
}

func TestTopicsCommand(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"), kafkatest.Topics(1, "logs"))
	run(t, nil, "a\nb\nc\n", append([]string{"produce", "-t", "orders"}, connArgs(c)...)...).must(t, "produce")
	r := run(t, nil, "", append([]string{"topics"}, connArgs(c)...)...).must(t, "topics")
	if !regexpMatch(`(?m)^orders\s+3\s+1\s+3\s*$`, r.stdout) || !regexpMatch(`(?m)^logs\s+1\s+1\s+0\s*$`, r.stdout) {
		t.Errorf("topics table:\n%s", r.stdout)
	}
	r = run(t, nil, "", append([]string{"topics", "--json"}, connArgs(c)...)...).must(t, "topics --json")
	var rows []struct {
		Name       string
		Partitions int
		Messages   int64
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("topics --json: %v\n%s", err, r.stdout)
	}
}

func TestConsumeEveryRecordOnce(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(6, "t"))
	var in strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&in, "v%d\n", i)
	}
	run(t, nil, in.String(), append([]string{"produce", "-t", "t"}, connArgs(c)...)...).must(t, "produce")
	r := run(t, nil, "", append([]string{"consume", "-t", "t", "-o", "beginning", "-e"}, connArgs(c)...)...).must(t, "consume")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	seen := map[string]int{}
	for _, l := range lines {
		seen[l]++
	}
	if len(lines) != 3000 || len(seen) != 3000 {
		t.Fatalf("consume printed %d lines, %d distinct; want 3000 each", len(lines), len(seen))
	}
	r = run(t, nil, "", append([]string{"consume", "-t", "t", "-o", "beginning", "-c", "7"}, connArgs(c)...)...).must(t, "consume -c")
	if n := strings.Count(r.stdout, "\n"); n != 7 {
		t.Errorf("-c 7 printed %d lines", n)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "needs a terminal"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"topics", "--nope"}, "unknown flag: --nope"},
		{[]string{"topics"}, "no brokers given"},
		{[]string{"topics", "-b", "localhost"}, "not host:port"},
		{[]string{"topics", "-b", "h:99999"}, "invalid port"},
		{[]string{"topics", "-b", "h:1234"}, "cannot tell the auth mode"},
		{[]string{"topics", "-b", "h:9092", "--auth", "kerberos"}, "unknown auth mode"},
		{[]string{"topics", "-b", "h:9096"}, "SCRAM needs credentials"},
		{[]string{"topics", "-b", "h:9094", "--auth", "mtls"}, "--cert-file and --key-file"},
		{[]string{"topics", "-b", "h:9098", "--region", "mars"}, "does not look like an AWS region"},
		{[]string{"topics", "-b", "h:9098", "--role-arn", "arn:aws:iam::12:user/x"}, "not an IAM role ARN"},
		{[]string{"topics", "--cluster-arn", "arn:aws:kafka:us-east-1:123456789012:cluster/x/y"}, "needs --auth"},
		{[]string{"topics", "--cluster-arn", "nope", "--auth", "iam"}, "not an MSK cluster ARN"},
		{[]string{"consume", "-b", "h:9092"}, "no topic"},
		{[]string{"consume", "-b", "h:9092", "-t", "x", "-o", "yesterday"}, "offset \"yesterday\" is not valid"},
		{[]string{"consume", "-b", "h:9092", "-t", "x", "-o", "@2024-13-45"}, "timestamp"},
		{[]string{"consume", "-b", "h:9092", "-t", "x", "--format", "xml"}, "use text or json"},
		{[]string{"consume", "-b", "h:9092", "-t", "x", "-c", "-1"}, "not a count"},
		{[]string{"consume", "-b", "h:9092", "-t", "x", "-p", "-2"}, "partitions are numbered from 0"},
		{[]string{"produce", "-b", "h:9092", "-t", "x", "-H", "novalue"}, "not key=value"},
		{[]string{"produce", "-b", "h:9092", "-t", "x", "-f", "/does/not/exist"}, "cannot read"},
		{[]string{"produce", "-b", "h:9092", "-t", "x"}, "no input"},
		{[]string{"topics", "-b", "h:9092", "--timeout", "0s"}, "--timeout must be positive"},
	}
	for _, tc := range cases {
		r := run(t, nil, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("mskx %v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
		if strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 && len(tc.args) > 0 {
			t.Errorf("mskx %v: error is more than one line: %q", tc.args, r.stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	r := run(t, nil, "", "--help").must(t, "--help")
	for _, c := range []string{"check", "topics", "consume", "produce"} {
		if !strings.Contains(r.stdout, "  "+c+" ") {
			t.Errorf("overview lacks %s:\n%s", c, r.stdout)
		}
		h := run(t, nil, "", c, "--help").must(t, c+" --help")
		for _, flag := range []string{"--brokers", "--auth", "--region", "--secret", "--user", "--ca-file", "--cluster-arn", "--verbose"} {
			if !strings.Contains(h.stdout, flag) {
				t.Errorf("%s --help lacks %s", c, flag)
			}
		}
	}
	h := run(t, nil, "", "consume", "--help").must(t, "consume --help")
	for _, flag := range []string{"--topic", "--partition", "--offset", "--count", "--exit", "--group", "--format", "--uncommitted", "@TIME"} {
		if !strings.Contains(h.stdout, flag) {
			t.Errorf("consume --help lacks %s", flag)
		}
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// -v logs what the client does, and never a password, secret key or token.
func TestVerboseLogsNoSecrets(t *testing.T) {
	aws := awstest.New(t)
	aws.Env(t)
	scram := kafkatest.New(t, kafkatest.SCRAM("carol", "Pw-Never-Shown-8271"), kafkatest.Topics(1, "orders"))
	aws.PutSecret("AmazonMSK_carol", `{"username":"carol","password":"Pw-Never-Shown-8271"}`)
	r := run(t, map[string]string{"MSK_SCRAM_SECRET_NAME": "AmazonMSK_carol"}, "", append([]string{"topics", "-v"}, connArgs(scram)...)...).must(t, "topics -v")
	if !strings.Contains(r.stderr, "sasl") || !strings.Contains(r.stderr, "connect") {
		t.Errorf("verbose log lacks connection and SASL steps:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, "Pw-Never-Shown-8271") {
		t.Error("the SCRAM password appears in the output")
	}

	iam := kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey), kafkatest.Topics(1, "orders"))
	r = run(t, nil, "", append([]string{"check", "-v"}, connArgs(iam)...)...).must(t, "check -v")
	out := r.stderr + r.stdout
	if !strings.Contains(r.stderr, "OAUTHBEARER") {
		t.Errorf("verbose check log lacks the SASL mechanism:\n%s", r.stderr)
	}
	// A token is base64 of https://kafka.REGION.amazonaws.com/?...
	for _, secret := range []string{awstest.SecretAccessKey, "X-Amz-Signature", "auth=Bearer", "aHR0cHM6Ly9rYWZrYS"} {
		if strings.Contains(out, secret) {
			t.Errorf("IAM output contains %q", secret)
		}
	}
	if !strings.Contains(r.stdout, "ok   identity") || !strings.Contains(r.stdout, awstest.UserARN) || !strings.Contains(r.stdout, "OAUTHBEARER accepted") {
		t.Errorf("IAM check output:\n%s", r.stdout)
	}
}
