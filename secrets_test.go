package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/cli"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui"
	"github.com/mskx/mskx/ui/login"
)

// Distinctive values, so that any of them turning up anywhere is found.
const (
	typedPw  = "Typed-Pw-Never-Shown-3141"  // alice's, from MSK_SCRAM_PASSWORD or typed
	secretPw = "Secret-Pw-Never-Shown-2236" // bob's, only in AmazonMSK_bob's value
	wrongPw  = "Wrong-Pw-Never-Shown-2718"  // refused by the brokers
	brokenPw = "Broken-Json-Pw-Never-1618"  // in secret values that are not what MSK wants

	// Temporary keys in the environment, and those --role-arn assumes.
	sessionKeyID  = "ASIASECRETSTEST00001"
	sessionSecret = "Session-Secret-Never-5772"
	sessionToken  = "Session-Token-Never-Shown-6931"
	roleKeyID     = "ASIASECRETSROLE00001"
	roleSecret    = "Role-Secret-Never-Shown-1123"
	roleToken     = "Role-Token-Never-Shown-5813"
	roleARN       = "arn:aws:iam::" + awstest.Account + ":role/reader"
)

// secrets are every value that must never be printed, logged, drawn,
// saved or put in a process's arguments, and the marks of a signed IAM
// token (its base64 starts with https://kafka.).
var secrets = []string{typedPw, secretPw, wrongPw, brokenPw, sessionSecret, sessionToken, roleSecret, roleToken,
	awstest.SecretAccessKey, "X-Amz-Signature", "X-Amz-Security-Token", "aHR0cHM6Ly9rYWZrYS", "auth=Bearer"}

// leaked returns the first secret in s, or "".
func leaked(s string) string {
	for _, v := range secrets {
		if strings.Contains(s, v) {
			return v
		}
	}
	return ""
}

func noSecret(t *testing.T, where, s string) {
	t.Helper()
	if v := leaked(s); v != "" {
		t.Errorf("%s holds %q:\n%s", where, v, s)
	}
}

// secretsWorld is an AWS stand-in whose environment holds temporary keys
// with a session token, a SCRAM cluster with alice (typed password) and
// bob (password in Secrets Manager), and an IAM cluster that accepts the
// base keys, the session keys and the keys of the role.
type secretsWorld struct {
	aws   *awstest.Server
	scram *kafkatest.Cluster
	iam   *kafkatest.Cluster
	// env is what a child process needs to reach the stand-in as this
	// process does, with nothing inherited.
	env []string
}

func newSecretsWorld(t *testing.T) *secretsWorld {
	t.Helper()
	srv := awstest.New(t)
	srv.Env(t)
	// Temporary keys exist on the server once STS has handed them out.
	srv.SetAssumeRoleCredentials(sessionKeyID, sessionSecret, sessionToken, 0)
	awsCfg, err := auth.LoadAWS(context.Background(), auth.Config{RoleARN: "arn:aws:iam::" + awstest.Account + ":role/session"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsCfg.Credentials.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.SetAssumeRoleCredentials(roleKeyID, roleSecret, roleToken, 0)
	t.Setenv("AWS_ACCESS_KEY_ID", sessionKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", sessionSecret)
	t.Setenv("AWS_SESSION_TOKEN", sessionToken)

	w := &secretsWorld{aws: srv}
	w.scram = kafkatest.New(t, kafkatest.SCRAM("alice", typedPw), kafkatest.SCRAM("bob", secretPw), kafkatest.Topics(2, "orders"))
	w.iam = kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey),
		kafkatest.IAMCredential(sessionKeyID, sessionSecret, sessionToken),
		kafkatest.IAMCredential(roleKeyID, roleSecret, roleToken), kafkatest.Topics(2, "orders"))
	seed(t, w.scram, "orders", 5)
	seed(t, w.iam, "orders", 5)
	srv.PutSecret("AmazonMSK_bob", `{"username":"bob","password":"`+secretPw+`"}`)
	srv.PutSecret("AmazonMSK_broken", `{"username":"bob","password":"`+brokenPw)
	srv.PutSecret("AmazonMSK_keys", `{"user":"bob","pass":"`+brokenPw+`"}`)
	srv.PutSecret("AmazonMSK_number", `{"username":"bob","password":["`+brokenPw+`"]}`)
	srv.PutSecret("AmazonMSK_wrong", `{"username":"bob","password":"`+wrongPw+`"}`)

	home := t.TempDir()
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_EC2_METADATA_DISABLED", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		w.env = append(w.env, k+"="+os.Getenv(k))
	}
	w.env = append(w.env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "cfg"), "PATH="+os.Getenv("PATH"), "TERM=xterm-256color")
	return w
}

// args are the flags that reach c, its CA included.
func clusterArgs(c *kafkatest.Cluster) []string {
	return []string{"-b", strings.Join(c.Brokers, ","), "--ca-file", c.CAFile, "--timeout", "5s"}
}

// runIn runs mskx in this process with env over the process's own, no
// config file, and prompt answering a password prompt when not nil.
func runIn(t *testing.T, env map[string]string, prompt func(string) (string, error), stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	home := t.TempDir()
	st := cli.IO{Stdout: &out, Stderr: &errb, Prompt: prompt, Getenv: func(k string) string {
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
	code = cli.Run(ctx, args, st)
	return out.String(), errb.String(), code
}

// Passwords, secret values, secret keys and session tokens appear in no
// -v log and no error message, whether the login works or is refused, and
// whether the credentials come from the environment, a prompt, a Secrets
// Manager secret (well formed or not) or an assumed role.
func TestSecretsNotInLogsOrErrors(t *testing.T) {
	w := newSecretsWorld(t)
	type runCase struct {
		name   string
		env    map[string]string
		prompt func(string) (string, error)
		stdin  string
		args   []string
		code   int
		want   string // in stdout+stderr
	}
	scram := func(cmd string, extra ...string) []string {
		return append(append([]string{cmd, "-v", "--auth", "scram"}, clusterArgs(w.scram)...), extra...)
	}
	iam := func(cmd string, extra ...string) []string {
		return append(append([]string{cmd, "-v", "--auth", "iam"}, clusterArgs(w.iam)...), extra...)
	}
	alice := map[string]string{"MSK_SCRAM_PASSWORD": typedPw}
	answer := func(pw string) func(string) (string, error) { return func(string) (string, error) { return pw, nil } }
	cases := []runCase{
		{name: "topics, password from the environment", env: alice, args: scram("topics", "--user", "alice"), want: "orders"},
		{name: "consume, password from the environment", env: alice, args: scram("consume", "--user", "alice", "-t", "orders", "-o", "beginning", "-e"), want: "ord-"},
		{name: "produce, password from the environment", env: alice, stdin: "one\ntwo\n", args: scram("produce", "--user", "alice", "-t", "orders"), want: "record 2: partition"},
		{name: "check, password typed at the prompt", prompt: answer(typedPw), args: scram("check", "--user", "alice"), want: "all steps passed"},
		{name: "check, password from a secret", args: scram("check", "--secret", "AmazonMSK_bob"), want: "all steps passed"},
		{name: "consume, password from a secret", args: scram("consume", "--secret", "AmazonMSK_bob", "-t", "orders", "-o", "-2", "-e"), want: "ord-"},
		{name: "wrong password from the environment", env: map[string]string{"MSK_SCRAM_PASSWORD": wrongPw}, args: scram("topics", "--user", "alice"), code: 1, want: "refused the SCRAM user or password"},
		{name: "wrong password typed", prompt: answer(wrongPw), args: scram("topics", "--user", "alice"), code: 1, want: "refused the SCRAM user or password"},
		{name: "wrong password in a secret", args: scram("topics", "--secret", "AmazonMSK_wrong"), code: 1, want: "refused the SCRAM user or password"},
		{name: "secret value cut short", args: scram("topics", "--secret", "AmazonMSK_broken"), code: 1, want: "is not a JSON object"},
		{name: "secret value with other keys", args: scram("topics", "--secret", "AmazonMSK_keys"), code: 1, want: `has no "username"`},
		{name: "secret value with a password that is not a string", args: scram("topics", "--secret", "AmazonMSK_number"), code: 1, want: "AmazonMSK_number"},
		{name: "secret value given as the secret's name", args: scram("topics", "--secret", `{"username":"bob","password":"`+secretPw+`"}`), code: 2, want: "not its value"},
		{name: "IAM check with a session token", args: iam("check"), want: "OAUTHBEARER accepted"},
		{name: "IAM consume with a session token", args: iam("consume", "-t", "orders", "-o", "beginning", "-e"), want: "ord-"},
		{name: "IAM check with an assumed role", args: iam("check", "--role-arn", roleARN), want: "assumed-role/reader"},
		{name: "IAM produce with an assumed role", stdin: "x\n", args: iam("produce", "--role-arn", roleARN, "-t", "orders"), want: "record 1: partition"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runIn(t, tc.env, tc.prompt, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Fatalf("exit %d (want %d), output lacks %q?\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.want, out, errOut)
			}
			// The client logs once it runs: always, unless the secret
			// could not be read or the command line was refused.
			if (tc.code == 0 || strings.Contains(tc.want, "refused")) && !strings.Contains(errOut, "level=DEBUG") {
				t.Errorf("-v logged nothing:\n%s", errOut)
			}
			noSecret(t, "stdout", out)
			noSecret(t, "stderr (the -v log and the error)", errOut)
		})
	}
}

// A password and a secret's value never show on the login screen or the
// main screen, in any frame drawn, nor in the bytes sent to the terminal:
// typed and right, typed and refused, or read from a Secrets Manager
// secret, with AWS credentials that carry a session token.
func TestSecretsNotOnScreen(t *testing.T) {
	w := newSecretsWorld(t)
	pal, _ := themes.ByName("mono")
	base := auth.Config{Mode: auth.SCRAM, Brokers: w.scram.Brokers, CAFile: w.scram.CAFile}
	cases := []struct {
		name  string
		cfg   auth.Config
		typed string // into the field the cursor starts on
		want  string // on the screen after ctrl+s
	}{
		{"typed password", withUser(base, "alice"), typedPw, "[1 Topics]"},
		{"typed wrong password", withUser(base, "alice"), wrongPw, "refused the SCRAM user or password"},
		{"secret", base, "AmazonMSK_bob", "[1 Topics]"},
		{"secret with a wrong password", base, "AmazonMSK_wrong", "refused the SCRAM user or password"},
		{"secret cut short", base, "AmazonMSK_broken", "is not a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := ui.NewLoginApp(tc.cfg, ui.Options{Palette: pal}, login.DialTimeout(5*time.Second))
			var screen atomic.Value
			screen.Store("")
			var mu sync.Mutex
			var seen string // the first secret seen in a frame
			filter := func(m tea.Model, msg tea.Msg) tea.Msg {
				s := ansi.Strip(m.View().Content)
				screen.Store(s)
				if v := leaked(s); v != "" {
					mu.Lock()
					if seen == "" {
						seen = v + " in the frame:\n" + s
					}
					mu.Unlock()
				}
				return msg
			}
			tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(120, 40),
				teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(filter)))
			t.Cleanup(app.Close)
			wait := func(want string) {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				for flat := ""; !strings.Contains(flat, want); flat = strings.Join(strings.Fields(screen.Load().(string)), " ") {
					if time.Now().After(deadline) {
						t.Fatalf("the screen never showed %q:\n%s", want, screen.Load())
					}
					tm.Send(poke{})
					time.Sleep(20 * time.Millisecond)
				}
			}
			wait("Connect to a Kafka cluster")
			tm.Type(tc.typed)
			tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
			wait(tc.want)
			tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
			tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
			raw, err := io.ReadAll(tm.FinalOutput(t))
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if seen != "" {
				t.Errorf("secret shown: %s", seen)
			}
			noSecret(t, "the bytes sent to the terminal", string(raw))
			if tc.want == "[1 Topics]" && app.Connected == nil {
				t.Error("no connection was made")
			}
		})
	}
}

type poke struct{}

func withUser(c auth.Config, user string) auth.Config {
	c.User = user
	return c
}

// The real binary, run as a person would, holds no secret in its process
// arguments while it runs, and prints none: passwords come from the
// environment or the login screen, AWS keys and session tokens from the
// SDK's chain, never from flags.
func TestSecretsNotInProcessArgs(t *testing.T) {
	w := newSecretsWorld(t)
	bin := buildBinary(t)
	consume := func(c *kafkatest.Cluster, mode string, extra ...string) []string {
		args := append([]string{"consume", "-v", "--auth", mode, "-t", "orders", "-o", "beginning"}, clusterArgs(c)...)
		return append(args, extra...)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"SCRAM password from the environment", []string{"MSK_SCRAM_PASSWORD=" + typedPw}, consume(w.scram, "scram", "--user", "alice")},
		{"SCRAM secret", nil, consume(w.scram, "scram", "--secret", "AmazonMSK_bob")},
		{"IAM with a session token", nil, consume(w.iam, "iam")},
		{"IAM with an assumed role", nil, consume(w.iam, "iam", "--role-arn", roleARN)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(append([]string(nil), w.env...), tc.env...)
			var out bytes.Buffer
			cmd.Stdout = &out
			errb := &syncBuffer{}
			cmd.Stderr = errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var waitErr error
			exited := make(chan struct{})
			go func() { waitErr = cmd.Wait(); close(exited) }()
			defer func() {
				select {
				case <-exited:
				default:
					cmd.Process.Kill()
					<-exited
				}
			}()
			// Records go to a pipe in large writes, so the -v log says
			// when the client is authenticated and fetching, with every
			// credential in use.
			deadline := time.After(20 * time.Second)
			for !strings.Contains(errb.String(), `msg="read Fetch`) {
				select {
				case <-exited:
					t.Fatalf("mskx ended (%v) before fetching:\n%s", waitErr, errb.String())
				case <-deadline:
					t.Fatalf("no fetch after 20s:\n%s", errb.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			argv, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/cmdline")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(argv, []byte("consume")) {
				t.Fatalf("/proc cmdline %q is not mskx's", argv)
			}
			noSecret(t, "the process arguments", string(bytes.ReplaceAll(argv, []byte{0}, []byte{' '})))
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Fatal("mskx did not stop within 10s of an interrupt")
			}
			if !strings.Contains(out.String(), "ord-") {
				t.Errorf("no record was printed:\n%s", out.String())
			}
			noSecret(t, "stdout", out.String())
			noSecret(t, "stderr (the -v log)", errb.String())
		})
	}
}

// syncBuffer is a bytes.Buffer a process writes while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Logging in through the login screen of the real binary, in a real
// terminal, with a typed password or a Secrets Manager secret and AWS keys
// with a session token: no screen shows a secret, the saved config file
// holds none, and neither do the running process's arguments.
func TestSecretsNotInSavedConfig(t *testing.T) {
	w := newSecretsWorld(t)
	bin := buildBinary(t)
	for _, tc := range []struct {
		name string
		// keys after the mode is SCRAM and the cursor on the secret field
		keys [][]string
		want string // in the saved connection
	}{
		{"typed password", [][]string{{"Tab"}, {"-l", "alice"}, {"Tab"}, {"-l", typedPw}}, "user: alice"},
		{"secret", [][]string{{"-l", "AmazonMSK_bob"}}, "secret: AmazonMSK_bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			env := append(append([]string(nil), w.env...), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "cfg"))
			tm := startTmux(t, 100, 30, env, bin, "-b", w.scram.Brokers[0], "--ca-file", w.scram.CAFile)
			tm.never = secrets
			tm.waitText("Connect to a Kafka cluster")
			tm.waitText("[ Connect ]")
			tm.keys("Tab") // from Connect round to the auth mode
			tm.keys("Right")
			tm.waitText("[scram]")
			tm.keys("Tab", "Tab", "Tab", "Tab", "Tab") // brokers, region, profile, role, secret
			for _, k := range tc.keys {
				tm.keys(k...)
			}
			tm.keys("C-s")
			tm.waitText("[1 Topics]")
			tm.waitText("orders")
			pane := strings.TrimSpace(tm.run("list-panes", "-t", tm.name, "-F", "#{pane_pid}"))
			checkChildArgs(t, pane)
			tm.keys("q")
			tm.waitText("EXITED 0")

			saved, err := os.ReadFile(filepath.Join(home, "cfg", "mskx", "config.yaml"))
			if err != nil {
				t.Fatalf("the connection was not saved: %v", err)
			}
			if !strings.Contains(string(saved), tc.want) {
				t.Errorf("the saved config lacks %q:\n%s", tc.want, saved)
			}
			noSecret(t, "the saved config", string(saved))
			for _, k := range []string{sessionKeyID, roleKeyID} {
				if strings.Contains(string(saved), k) {
					t.Errorf("the saved config holds the access key %s:\n%s", k, saved)
				}
			}
		})
	}
}

// checkChildArgs reads the arguments of the processes the shell with pid
// started, mskx among them.
func checkChildArgs(t *testing.T, pid string) {
	t.Helper()
	children, err := os.ReadFile("/proc/" + pid + "/task/" + pid + "/children")
	if err != nil {
		t.Fatalf("children of the pane's shell: %v", err)
	}
	found := false
	for _, c := range strings.Fields(string(children)) {
		argv, err := os.ReadFile("/proc/" + c + "/cmdline")
		if err != nil {
			continue
		}
		found = found || bytes.Contains(argv, []byte("mskx"))
		noSecret(t, "the arguments of process "+c, string(bytes.ReplaceAll(argv, []byte{0}, []byte{' '})))
	}
	if !found {
		t.Errorf("no mskx among the pane's processes %q", children)
	}
}
