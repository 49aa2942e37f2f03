// Package cli runs mskx's headless commands (check, topics, consume,
// produce): it parses flags, builds the connection with auth, runs the
// command with kafka, and writes results to stdout and one-sentence errors to
// stderr. main.go only hands it the process's arguments and streams.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// IO is where a command reads and writes. Stdin may be nil.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Terminal reports whether Stdout is a terminal, where payloads are
	// sanitised; nil means check os.Stdout when Stdout is os.Stdout.
	Terminal func() bool
	// Prompt asks for a password without echo; nil means no prompting.
	Prompt func(prompt string) (string, error)
}

func (s IO) getenv(k string) string {
	if s.Getenv != nil {
		return s.Getenv(k)
	}
	return os.Getenv(k)
}

func (s IO) terminal() bool {
	if s.Terminal != nil {
		return s.Terminal()
	}
	f, ok := s.Stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// usageError marks an error as the user's input, exiting 2.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

type command struct {
	name    string
	summary string
	usage   string // after "mskx NAME "
	help    string
	flags   func(fs *pflag.FlagSet) func(ctx context.Context, st IO, conn *connFlags, args []string) error
}

func commands() []command {
	return []command{demoCommand(), checkCommand(), topicsCommand(), topicCommand(), consumeCommand(), produceCommand()}
}

const overview = `mskx: a terminal explorer for Amazon MSK and any Kafka cluster.

Usage:
  mskx [connection flags] [-t TOPIC]    the terminal UI
  mskx COMMAND [connection flags] [flags]

Commands:
%s
Run 'mskx COMMAND --help' for a command's flags.

Connection:
  Brokers come from -b, --cluster-arn, or MSK_BOOTSTRAP_SERVERS (per mode:
  MSK_BOOTSTRAP_SERVERS_IAM, _SCRAM, _TLS). The auth mode comes from --auth or
  the broker port (9092 plaintext, 9094 TLS, 9096 SCRAM, 9098 IAM; 91xx public).
  IAM uses the AWS SDK's credential chain (AWS_PROFILE, environment, instance
  role) and signs tokens for --region, AWS_REGION, or the broker host's region.
  SCRAM reads {"username","password"} from the Secrets Manager secret --secret
  or MSK_SCRAM_SECRET_NAME, or uses --user with MSK_SCRAM_PASSWORD or a prompt.

Exit status: 0 success, 1 failure, 2 usage error.
`

func printOverview(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, overview, b.String())
}

// Run runs mskx with args (without the program name) and returns the exit
// status.
func Run(ctx context.Context, args []string, st IO) int {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help") {
		return runCommand(ctx, tuiCommand(), args, st)
	}
	switch args[0] {
	case "-h", "--help", "help":
		printOverview(st.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return runCommand(ctx, c, args[1:], st)
		}
	}
	fmt.Fprintf(st.Stderr, "mskx: unknown command %q: run 'mskx --help' for the list\n", args[0])
	return ExitUsage
}

func runCommand(ctx context.Context, c command, args []string, st IO) int {
	name := strings.TrimSpace("mskx " + c.name)
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	run := c.flags(fs)
	conn := addConnFlags(fs)
	printUsage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: %s %s\n\n%s\n\nFlags:\n%s", name, c.usage, strings.TrimSpace(c.help), fs.FlagUsagesWrapped(100))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printUsage(st.Stdout)
			return ExitOK
		}
		var bad *pflag.InvalidValueError
		if errors.As(err, &bad) {
			fmt.Fprintf(st.Stderr, "%s: %v\n", name, flagValueError(bad))
			return ExitUsage
		}
		fmt.Fprintf(st.Stderr, "%s: %v: run '%s --help' for the flags\n", name, err, name)
		return ExitUsage
	}
	err := run(ctx, st, conn, fs.Args())
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(st.Stderr, "%s: %v\n", name, err)
		return ExitUsage
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return ExitFailure
	default:
		fmt.Fprintf(st.Stderr, "%s: %v\n", name, err)
		return ExitFailure
	}
}

// flagValueError says what a flag's value should look like, in place of
// pflag's message, which quotes strconv ("strconv.ParseInt: parsing ...").
func flagValueError(e *pflag.InvalidValueError) error {
	f := e.GetFlag()
	name := "--" + f.Name
	if f.Shorthand != "" {
		name = "-" + f.Shorthand + "/--" + f.Name
	}
	want := "run the command with --help for what it takes"
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		want = "write a whole number"
		if errors.Is(e, strconv.ErrRange) {
			return fmt.Errorf("%s %q is out of range: write a smaller whole number", name, e.GetValue())
		}
	case "intSlice", "int32Slice", "int64Slice", "uintSlice":
		want = "write whole numbers separated by commas, like 0,2"
	case "duration":
		want = "write a number with a unit, like 10s, 500ms or 2m"
	case "bool":
		want = "write true or false, or the flag alone"
	case "stringSlice":
		want = "write values separated by commas, without quotes"
	}
	return fmt.Errorf("%s %q is not valid: %s", name, e.GetValue(), want)
}

// maxTimeout bounds --timeout: a connection attempt that needs longer is
// as good as failed, and a typo such as 1000h would look like a hang.
const maxTimeout = 10 * time.Minute

// checkTimeout checks --timeout.
func checkTimeout(d time.Duration) error {
	switch {
	case d <= 0:
		return usagef("--timeout must be positive, like 10s")
	case d > maxTimeout:
		return usagef("--timeout %s is too long: use at most 10m, like 30s", d)
	}
	return nil
}

// checkFiles checks the TLS files named by flags before anything connects,
// so that a wrong path is a usage error that names the flag.
func checkFiles(cfg auth.Config) error {
	for _, f := range []struct{ flag, path string }{{"--ca-file", cfg.CAFile}, {"--cert-file", cfg.CertFile}, {"--key-file", cfg.KeyFile}} {
		if f.path == "" {
			continue
		}
		if err := checkReadable(f.path); err != nil {
			return usagef("%s %s", f.flag, err)
		}
	}
	return nil
}

// checkReadable returns what keeps path from being read as a file, in
// words that follow the path: "does not exist: check the path".
func checkReadable(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist: check the path", path)
	case err != nil:
		return fmt.Errorf("%s cannot be read (%v): check the path and its permissions", path, errors.Unwrap(err))
	case st.IsDir():
		return fmt.Errorf("%s is a directory: pass a file", path)
	}
	// Non-blocking, so that a named pipe is not waited on here.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("%s cannot be read (%v): check its permissions", path, errors.Unwrap(err))
	}
	return f.Close()
}

// connFlags are the connection flags every command shares.
type connFlags struct {
	cfg     auth.Config
	mode    string
	brokers []string
	verbose bool
	timeout time.Duration
	// readOnly is --read-only, or read_only: true in the config file.
	readOnly     bool
	settingsRead bool
}

func addConnFlags(fs *pflag.FlagSet) *connFlags {
	c := &connFlags{}
	fs.StringSliceVarP(&c.brokers, "brokers", "b", nil, "bootstrap brokers, host:port[,host:port...] (env MSK_BOOTSTRAP_SERVERS)")
	fs.StringVar(&c.mode, "auth", "", "auth mode: iam, scram, tls, mtls or plaintext (default: from the broker port)")
	fs.StringVar(&c.cfg.Region, "region", "", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the broker host, the profile)")
	fs.StringVar(&c.cfg.Profile, "profile", "", "AWS shared config profile (env AWS_PROFILE)")
	fs.StringVar(&c.cfg.RoleARN, "role-arn", "", "IAM role to assume for IAM auth and AWS calls")
	fs.StringVar(&c.cfg.Secret, "secret", "", "Secrets Manager secret (name or ARN) with the SCRAM user and password (env MSK_SCRAM_SECRET_NAME)")
	fs.StringVar(&c.cfg.User, "user", "", "SCRAM user; the password comes from MSK_SCRAM_PASSWORD or a prompt, never a flag")
	fs.StringVar(&c.cfg.SCRAMMechanism, "scram-mechanism", "", "SCRAM-SHA-512 (default, what MSK uses) or SCRAM-SHA-256")
	fs.StringVar(&c.cfg.CAFile, "ca-file", "", "PEM CA certificate to trust instead of the system roots")
	fs.StringVar(&c.cfg.CertFile, "cert-file", "", "PEM client certificate for mutual TLS")
	fs.StringVar(&c.cfg.KeyFile, "key-file", "", "PEM private key of the client certificate")
	fs.StringVar(&c.cfg.ClusterARN, "cluster-arn", "", "MSK cluster ARN: look up its bootstrap brokers for the auth mode")
	fs.BoolVar(&c.cfg.InsecureSkipVerify, "insecure-skip-verify", false, "do not verify the brokers' certificates (debugging only)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "how long to wait for each connection attempt (at most 10m)")
	fs.BoolVar(&c.readOnly, "read-only", false, "refuse every write: producing and topic admin (also read_only: true in the config file)")
	fs.BoolVarP(&c.verbose, "verbose", "v", false, "log what the client does (connections, SASL, retries) to stderr; never secrets")
	return c
}

// config returns the auth config from flags, then the environment.
func (c *connFlags) config(st IO) (auth.Config, error) {
	cfg := c.cfg
	cfg.Brokers = c.brokers
	if c.mode != "" {
		m, err := auth.ParseMode(c.mode)
		if err != nil {
			return cfg, usageError{err}
		}
		cfg.Mode = m
	}
	if err := checkTimeout(c.timeout); err != nil {
		return cfg, err
	}
	cfg.FromEnv(st.getenv)
	if err := cfg.Normalize(); err != nil {
		return cfg, usageError{err}
	}
	return cfg, checkFiles(cfg)
}

// partialConfig is the config from flags and environment without the
// defaults and checks of Normalize, for the login screen to complete; full
// reports whether brokers (or a cluster ARN) and the mode are known, which is
// when the UI connects at once. Only a bad --auth is a usage error here.
func (c *connFlags) partialConfig(st IO) (auth.Config, bool, error) {
	cfg := c.cfg
	cfg.Brokers = c.brokers
	if c.mode != "" {
		m, err := auth.ParseMode(c.mode)
		if err != nil {
			return cfg, false, usageError{err}
		}
		cfg.Mode = m
	}
	if err := checkTimeout(c.timeout); err != nil {
		return cfg, false, err
	}
	cfg.FromEnv(st.getenv)
	full := cfg.Mode != "" && (len(cfg.Brokers) > 0 || cfg.ClusterARN != "")
	return cfg, full, nil
}

// connect builds the connection and opens a session, printing warnings.
func (c *connFlags) connect(ctx context.Context, st IO) (*kafka.Session, *auth.Client, error) {
	cl, err := c.build(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	s, err := kafka.Open(ctx, endpoint(cl), c.sessionOpts(st)...)
	if err != nil {
		return nil, nil, err
	}
	return s, cl, nil
}

func (c *connFlags) build(ctx context.Context, st IO) (*auth.Client, error) {
	cfg, err := c.config(st)
	if err != nil {
		return nil, err
	}
	var opts []auth.BuildOpt
	if st.Prompt != nil {
		opts = append(opts, auth.WithPasswordPrompt(st.Prompt))
	}
	cl, err := auth.Build(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	for _, w := range cl.Warnings {
		fmt.Fprintf(st.Stderr, "mskx: warning: %s\n", w)
	}
	return cl, nil
}

// isReadOnly reports whether writes are refused: --read-only, or the
// config file's read_only setting, which a headless command honours too so
// that a machine set up to look never writes by accident.
func (c *connFlags) isReadOnly(st IO) bool {
	if !c.readOnly && !c.settingsRead {
		c.settingsRead = true
		if f, _ := loadConfig(st); f.Settings.ReadOnly {
			c.readOnly = true
		}
	}
	return c.readOnly
}

func (c *connFlags) sessionOpts(st IO) []kafka.Opt {
	opts := []kafka.Opt{kafka.DialTimeout(c.timeout)}
	if c.isReadOnly(st) {
		opts = append(opts, kafka.ReadOnly())
	}
	if c.verbose {
		opts = append(opts, kafka.Logger(slog.New(slog.NewTextHandler(st.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	return opts
}

func endpoint(cl *auth.Client) kafka.Endpoint {
	return kafka.Endpoint{Brokers: cl.Config.Brokers, TLS: cl.TLS, SASL: cl.SASL}
}
