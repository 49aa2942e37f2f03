package cli_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// badInput is one wrong command line: what mskx must say about it.
type badInput struct {
	name string
	args []string
	env  map[string]string
	want string // in the one line on stderr
	// skip, when it returns a reason, leaves the case out on this machine.
	skip func() string
}

// badInputs are wrong values for every kind of input the command line
// takes, each refused before anything is dialled.
func badInputs(t *testing.T) []badInput {
	dir := t.TempDir()
	socket := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	locked := filepath.Join(dir, "locked.pem")
	if err := os.WriteFile(locked, []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	cert := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(cert, []byte("not checked before the key"), 0o600); err != nil {
		t.Fatal(err)
	}
	asRoot := func() string {
		if os.Geteuid() == 0 {
			return "root reads files whatever their mode"
		}
		return ""
	}
	plain := []string{"-b", "h:9092"}
	tls := []string{"-b", "h:9094"}
	consume := func(extra ...string) []string {
		return append([]string{"consume", "-b", "h:9092", "-t", "orders"}, extra...)
	}
	produce := func(extra ...string) []string {
		return append([]string{"produce", "-b", "h:9092", "-t", "orders"}, extra...)
	}
	create := func(extra ...string) []string { return append([]string{"topic", "-b", "h:9092", "create"}, extra...) }
	topics := func(extra ...string) []string { return append([]string{"topics"}, extra...) }
	return []badInput{
		// Broker lists and ports.
		{name: "empty host", args: topics("-b", ":9092"), want: `broker ":9092" is not host:port`},
		{name: "no port", args: topics("-b", "h"), want: `broker "h" is not host:port`},
		{name: "empty port", args: topics("-b", "h:"), want: `broker "h:" has an invalid port`},
		{name: "port 0", args: topics("-b", "h:0"), want: "invalid port: use a number from 1 to 65535"},
		{name: "port 70000", args: topics("-b", "h:70000"), want: "invalid port"},
		{name: "port abc", args: topics("-b", "h:abc"), want: "invalid port"},
		{name: "negative port", args: topics("-b", "h:-1"), want: "invalid port"},
		{name: "space in host", args: topics("-b", "h :9092"), want: `broker "h :9092" holds a space`},
		{name: "spaces between brokers", args: topics("-b", "h1:9092 h2:9092"), want: "separate brokers with commas"},
		{name: "duplicate commas", args: topics("-b", "h1:9092,,h2:9092"), want: "the broker list has an empty entry"},
		{name: "trailing comma", args: topics("-b", "h1:9092,"), want: "empty entry"},
		{name: "escape in host", args: topics("-b", "h\x1b[31m:9092"), want: `broker "h\x1b[31m:9092" holds a character a host name cannot`},
		{name: "quote in broker list", args: topics("-b", `"h:9092`), want: `-b/--brokers "\"h:9092" is not valid`},
		{name: "URL for a broker", args: topics("-b", "SASL_SSL://h:9096"), want: "is not host:port"},
		{name: "bad broker in environment", args: topics(), env: map[string]string{"MSK_BOOTSTRAP_SERVERS": "h1:9092,h2"}, want: `broker "h2" is not host:port`},
		{name: "unknown auth mode", args: topics("-b", "h:9092", "--auth", "kerberos"), want: `unknown auth mode "kerberos"`},
		{name: "port of no mode", args: topics("-b", "h:1234"), want: "cannot tell the auth mode from the broker port"},

		// Offsets and timestamps.
		{name: "offset garbage", args: consume("-o", "garbage"), want: `offset "garbage" is not valid`},
		{name: "offset huge", args: consume("-o", "99999999999999999999"), want: `offset "99999999999999999999" is not valid`},
		{name: "offset -0", args: consume("-o", "-0"), want: "-N needs a positive count"},
		{name: "offset --5", args: consume("-o", "--5"), want: "-N needs a positive count"},
		{name: "timestamp not a date", args: consume("-o", "@notadate"), want: `timestamp "notadate" is not valid`},
		{name: "timestamp 30 February", args: consume("-o", "@2024-02-30"), want: `timestamp "2024-02-30" is not valid`},
		{name: "timestamp month 13", args: consume("-o", "@2024-13-45"), want: "is not valid"},
		{name: "timestamp huge", args: consume("-o", "@99999999999999999999"), want: "is not valid"},
		{name: "timestamp negative", args: consume("-o", "@-1"), want: "is out of range"},
		{name: "timestamp before 1970", args: consume("-o", "@1969-12-31T23:59:59.999Z"), want: "is before 1970"},
		{name: "timestamp empty", args: consume("-o", "@"), want: `timestamp "" is not valid`},
		{name: "offset with an escape", args: consume("-o", "1\x1b[2J"), want: `offset "1\x1b[2J" is not valid`},
		{name: "tail offset garbage", args: []string{"-o", "yesterday"}, want: `offset "yesterday" is not valid`},

		// Partitions and counts.
		{name: "consume partition -5", args: consume("-p", "-5"), want: "partition -5 is not valid: partitions are numbered from 0"},
		{name: "consume partition abc", args: consume("-p", "abc"), want: `-p/--partition "abc" is not valid: write whole numbers separated by commas`},
		{name: "consume partitions 1,,2", args: consume("-p", "1,,2"), want: `-p/--partition "1,,2" is not valid`},
		{name: "produce partition -5", args: produce("-p", "-5"), want: "partition -5 is not valid: partitions are numbered from 0"},
		{name: "produce partition abc", args: produce("-p", "abc"), want: `-p/--partition "abc" is not valid: write a whole number`},
		{name: "produce partition huge", args: produce("-p", "99999999999"), want: `-p/--partition "99999999999" is out of range`},
		{name: "count -1", args: consume("-c", "-1"), want: "-c -1 is not a count"},
		{name: "count 1e9", args: consume("-c", "1e9"), want: `-c/--count "1e9" is not valid: write a whole number`},
		{name: "format xml", args: consume("--format", "xml"), want: "use text or json"},

		// Headers.
		{name: "header without =", args: produce("-H", "noequals"), want: `header "noequals" is not key=value`},
		{name: "header with an empty key", args: produce("-H", "=v"), want: `header "=v" has an empty key`},
		{name: "empty header", args: produce("-H", ""), want: `header "" is not key=value`},

		// Regions, ARNs and secrets.
		{name: "region with spaces", args: topics("-b", "h:9098", "--region", "us east 1"), want: `region "us east 1" does not look like an AWS region`},
		{name: "region uppercase", args: topics("-b", "h:9098", "--region", "US-EAST-1"), want: "does not look like an AWS region"},
		{name: "region trailing space", args: topics("-b", "h:9098", "--region", "us-east-1 "), want: "does not look like an AWS region"},
		{name: "region junk", args: topics("-b", "h:9098", "--region", "mars"), want: "use a name such as us-east-1"},
		{name: "region from environment", args: topics("-b", "h:9098"), env: map[string]string{"AWS_REGION": "EU_WEST_1"}, want: `region "EU_WEST_1"`},
		{name: "cluster ARN not an ARN", args: topics("--auth", "iam", "--cluster-arn", "nope"), want: `cluster ARN "nope" is not an MSK cluster ARN`},
		{name: "cluster ARN without UUID", args: topics("--auth", "iam", "--cluster-arn", "arn:aws:kafka:us-east-1:123456789012:cluster/demo"), want: "not an MSK cluster ARN"},
		{name: "cluster ARN with a space", args: topics("--auth", "iam", "--cluster-arn", "arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc 1"), want: "not an MSK cluster ARN"},
		{name: "cluster ARN short account", args: topics("--auth", "iam", "--cluster-arn", "arn:aws:kafka:us-east-1:1234:cluster/demo/abc-1"), want: "not an MSK cluster ARN"},
		{name: "cluster ARN of another service", args: topics("--auth", "iam", "--cluster-arn", "arn:aws:iam::123456789012:role/x"), want: "use arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID"},
		{name: "role ARN of a user", args: topics("-b", "h:9098", "--role-arn", "arn:aws:iam::123456789012:user/x"), want: "is not an IAM role ARN"},
		{name: "role ARN short account", args: topics("-b", "h:9098", "--role-arn", "arn:aws:iam::12:role/x"), want: "is not an IAM role ARN"},
		{name: "role ARN with a space", args: topics("-b", "h:9098", "--role-arn", "arn:aws:iam::123456789012:role/a b"), want: "is not an IAM role ARN"},
		{name: "role ARN without a name", args: topics("-b", "h:9098", "--role-arn", "arn:aws:iam::123456789012:role/"), want: "use arn:aws:iam::ACCOUNT:role/NAME"},
		{name: "secret value for a name", args: topics("-b", "h:9096", "--secret", `{"username":"u","password":"p"}`), want: "must be a Secrets Manager secret's name or ARN"},
		{name: "SCRAM mechanism", args: topics("-b", "h:9096", "--user", "u", "--scram-mechanism", "MD5"), want: `unknown SCRAM mechanism "MD5"`},

		// Files.
		{name: "CA file missing", args: topics(append(tls, "--ca-file", missing)...), want: "--ca-file " + missing + " does not exist: check the path"},
		{name: "CA file a directory", args: topics(append(tls, "--ca-file", dir)...), want: "--ca-file " + dir + " is a directory"},
		{name: "CA file a socket", args: topics(append(tls, "--ca-file", socket)...), want: "--ca-file " + socket + " cannot be read"},
		{name: "CA file unreadable", args: topics(append(tls, "--ca-file", locked)...), want: "cannot be read", skip: asRoot},
		{name: "CA file with plaintext", args: topics(append(plain, "--ca-file", missing)...), want: "need TLS, but the auth mode is plaintext"},
		{name: "cert file missing", args: topics(append(tls, "--auth", "mtls", "--cert-file", missing, "--key-file", missing)...), want: "--cert-file " + missing + " does not exist"},
		{name: "key file a directory", args: topics(append(tls, "--auth", "mtls", "--cert-file", cert, "--key-file", dir)...), want: "--key-file " + dir + " is a directory"},
		{name: "cert without key", args: topics(append(tls, "--cert-file", missing)...), want: "--cert-file and --key-file go together"},
		{name: "values file missing", args: produce("-f", missing), want: "cannot read " + missing},
		{name: "values file a directory", args: produce("-f", dir), want: "it is a directory"},
		{name: "values file a socket", args: produce("-f", socket), want: "cannot read " + socket},
		{name: "values file unreadable", args: produce("-f", locked), want: "cannot read", skip: asRoot},

		// Timeouts and the UI's settings.
		{name: "timeout 0", args: topics(append(plain, "--timeout", "0s")...), want: "--timeout must be positive"},
		{name: "timeout negative", args: topics(append(plain, "--timeout", "-1s")...), want: "--timeout must be positive"},
		{name: "timeout abc", args: topics(append(plain, "--timeout", "abc")...), want: `--timeout "abc" is not valid: write a number with a unit`},
		{name: "timeout without unit", args: topics(append(plain, "--timeout", "5")...), want: `--timeout "5" is not valid`},
		{name: "timeout 1000h", args: topics(append(plain, "--timeout", "1000h")...), want: "is too long: use at most 10m"},
		{name: "max-fps 0", args: []string{"--max-fps", "0"}, want: "--max-fps 0 is out of range: use 1 to 120"},
		{name: "max-fps 1000", args: []string{"--max-fps", "1000"}, want: "--max-fps 1000 is out of range"},
		{name: "max-fps abc", args: []string{"--max-fps", "abc"}, want: `--max-fps "abc" is not valid: write a whole number`},
		{name: "ring-size 5", args: []string{"--ring-size", "5"}, want: "--ring-size 5 is out of range: use 100 to 10000000"},
		{name: "ring-size huge", args: []string{"--ring-size", "99999999999"}, want: "--ring-size 99999999999 is out of range"},
		{name: "ring-size x", args: []string{"--ring-size", "x"}, want: `--ring-size "x" is not valid`},
		{name: "theme neon", args: []string{"--theme", "neon"}, want: `unknown theme "neon"`},
		{name: "demo theme", args: []string{"demo", "--theme", "neon"}, want: `unknown theme "neon"`},
		{name: "demo max-fps", args: []string{"demo", "--max-fps", "-1"}, want: "--max-fps -1 is out of range"},
		{name: "read-only maybe", args: topics(append(plain, "--read-only=maybe")...), want: `--read-only "maybe" is not valid: write true or false`},

		// Topic names and settings for topic create.
		{name: "topic with a space", args: create("my topic"), want: `topic name "my topic" has ' '`},
		{name: "topic empty", args: create(""), want: "topic name is empty"},
		{name: "topic ..", args: create(".."), want: `Kafka reserves "." and ".."`},
		{name: "topic too long", args: create(strings.Repeat("a", 250)), want: "topic name is 250 characters long: Kafka allows at most 249"},
		{name: "topic with a slash", args: create("a/b"), want: `has '/'`},
		{name: "topic with an escape", args: create("a\x1b]0;owned\a"), want: `topic name "a\x1b]0;owned\a" has '\x1b'`},
		{name: "topic non-ASCII", args: create("zamówienia"), want: `has 'ó'`},
		{name: "partitions 0", args: create("ok", "--partitions", "0"), want: "--partitions 0 is not valid: a topic needs at least 1"},
		{name: "partitions abc", args: create("ok", "--partitions", "abc"), want: `--partitions "abc" is not valid: write a whole number`},
		{name: "replication 0", args: create("ok", "--replication", "0"), want: "--replication 0 is not valid"},
		{name: "replication huge", args: create("ok", "--replication", "99999"), want: `--replication "99999" is out of range`},
		{name: "config without =", args: create("ok", "--config", "retention.ms"), want: "is not key=value"},
		{name: "config retention 7d", args: create("ok", "--config", "retention.ms=7d"), want: `retention.ms "7d"`},
		{name: "create without a name", args: []string{"topic", "-b", "h:9092", "create"}, want: "create takes 1 argument(s)"},
		{name: "add no partitions", args: []string{"topic", "-b", "h:9092", "add-partitions", "ok", "0"}, want: `partition total "0" is not a positive number`},
		{name: "delete without --yes", args: []string{"topic", "-b", "h:9092", "delete", "ok"}, want: "pass --yes to confirm"},
	}
}

// Every wrong input is refused at once with exit 2 and one sentence on
// stderr that names what was wrong and what to write instead: no panic, no
// stack, no hang, nothing on stdout, no raw control character from the
// input on the terminal.
func TestBadInputEverywhere(t *testing.T) {
	cases := badInputs(t)
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != nil {
				if why := tc.skip(); why != "" {
					t.Skip(why)
				}
			}
			r := run(t, tc.env, "", tc.args...)
			line := strings.TrimSuffix(r.stderr, "\n")
			switch {
			case r.code != 2:
				t.Errorf("mskx %q: exit %d, want 2; stderr %q", tc.args, r.code, r.stderr)
			case !strings.Contains(r.stderr, tc.want):
				t.Errorf("mskx %q: stderr %q lacks %q", tc.args, r.stderr, tc.want)
			case strings.Contains(line, "\n") || !strings.HasSuffix(r.stderr, "\n"):
				t.Errorf("mskx %q: stderr is not one line: %q", tc.args, r.stderr)
			case !strings.HasPrefix(line, "mskx"):
				t.Errorf("mskx %q: stderr does not say it is mskx speaking: %q", tc.args, r.stderr)
			case !strings.Contains(line, ": ") || len(line) > 400:
				t.Errorf("mskx %q: not one sentence saying what is wrong and what to do: %q", tc.args, line)
			}
			for _, bad := range []string{"panic", "goroutine ", ".go:", "\x1b", "\a", "\r"} {
				if strings.Contains(r.stderr, bad) {
					t.Errorf("mskx %q: stderr holds %q: %q", tc.args, bad, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("mskx %q: printed on stdout: %q", tc.args, r.stdout)
			}
			if r.took > 5*time.Second {
				t.Errorf("mskx %q: took %s to refuse", tc.args, r.took)
			}
		})
	}
}
