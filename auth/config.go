// Package auth decides who the Kafka client is and how it reaches the
// brokers: IAM (OAUTHBEARER tokens signed with AWS credentials), SCRAM (a user
// and password, typed or read from Secrets Manager), TLS and mutual TLS, or
// plaintext. It turns one Config into franz-go options and never imports the UI.
package auth

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Mode is how the client authenticates to the brokers.
type Mode string

// The modes MSK offers, plus plaintext for local and non-MSK clusters.
const (
	IAM       Mode = "iam"
	SCRAM     Mode = "scram"
	TLS       Mode = "tls"
	MTLS      Mode = "mtls"
	Plaintext Mode = "plaintext"
)

// Modes lists every mode in the order they are offered to users.
var Modes = []Mode{IAM, SCRAM, TLS, MTLS, Plaintext}

// ParseMode reads a mode name as typed on the command line.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Modes {
		if m == known {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown auth mode %q: use one of iam, scram, tls, mtls, plaintext", s)
}

// UsesTLS reports whether the mode encrypts the connection. MSK requires TLS
// for IAM and SCRAM, so those modes always use it.
func (m Mode) UsesTLS() bool { return m != Plaintext }

// Config is everything needed to connect, filled from flags first, then the
// environment (FromEnv), then defaults (Normalize). It never holds a secret
// value except Password, which is only ever set from MSK_SCRAM_PASSWORD or a
// prompt and is excluded from every serialisation.
type Config struct {
	Mode    Mode
	Brokers []string
	// Region signs IAM tokens and scopes AWS API calls. Empty means AWS_REGION,
	// AWS_DEFAULT_REGION, the broker host name, then the profile's region.
	Region string
	// Profile is a named profile from the shared AWS config files.
	Profile string
	// RoleARN, when set, is assumed on top of the base credentials.
	RoleARN string
	// Secret is a Secrets Manager secret name or ARN holding the SCRAM user
	// and password as JSON {"username": ..., "password": ...}.
	Secret string
	// User is the SCRAM user when no secret is used.
	User string
	// Password is the SCRAM password when no secret is used.
	Password string `json:"-" yaml:"-"`
	// SCRAMMechanism is SCRAM-SHA-512 (what MSK uses, the default) or SCRAM-SHA-256.
	SCRAMMechanism string
	CAFile         string
	CertFile       string
	KeyFile        string
	// InsecureSkipVerify turns off certificate verification; for debugging only.
	InsecureSkipVerify bool
	// ClusterARN, when Brokers is empty, looks up the bootstrap brokers with
	// MSK GetBootstrapBrokers. With brokers given it still names the
	// cluster, so that advice on an IAM refusal can quote its ARN.
	ClusterARN string
	// Serverless marks an MSK Serverless cluster: the service fixes
	// replication and partition placement, and IAM is the only auth mode.
	// Normalize sets it when a broker's host name is a serverless one.
	Serverless bool
}

// SCRAM mechanism names.
const (
	ScramSHA512 = "SCRAM-SHA-512"
	ScramSHA256 = "SCRAM-SHA-256"
)

// Environment variable names MSK users already use.
const (
	EnvBootstrap      = "MSK_BOOTSTRAP_SERVERS"
	EnvBootstrapIAM   = "MSK_BOOTSTRAP_SERVERS_IAM"
	EnvBootstrapSCRAM = "MSK_BOOTSTRAP_SERVERS_SCRAM"
	EnvBootstrapTLS   = "MSK_BOOTSTRAP_SERVERS_TLS"
	EnvSecretName     = "MSK_SCRAM_SECRET_NAME"
	EnvPassword       = "MSK_SCRAM_PASSWORD"
)

// FromEnv fills the fields the flags left empty from the environment, read
// through getenv (os.Getenv in production). When no mode was chosen and
// exactly one per-mode bootstrap variable is set, that variable picks the mode.
func (c *Config) FromEnv(getenv func(string) string) {
	perMode := map[Mode]string{
		IAM:   getenv(EnvBootstrapIAM),
		SCRAM: getenv(EnvBootstrapSCRAM),
		TLS:   getenv(EnvBootstrapTLS),
	}
	if c.Mode == "" && len(c.Brokers) == 0 && getenv(EnvBootstrap) == "" {
		var only Mode
		n := 0
		for m, v := range perMode {
			if v != "" {
				only, n = m, n+1
			}
		}
		if n == 1 {
			c.Mode = only
		}
	}
	if len(c.Brokers) == 0 {
		v := getenv(EnvBootstrap)
		if c.Mode != "" {
			m := c.Mode
			if m == MTLS {
				m = TLS // mutual TLS uses the TLS listener
			}
			if pm := perMode[m]; pm != "" {
				v = pm
			}
		}
		c.Brokers = SplitBrokers(v)
	}
	if c.Region == "" {
		c.Region = firstNonEmpty(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
	}
	if c.Profile == "" {
		c.Profile = getenv("AWS_PROFILE")
	}
	if c.Secret == "" && c.User == "" {
		c.Secret = getenv(EnvSecretName)
	}
	if c.Password == "" && c.Secret == "" {
		c.Password = getenv(EnvPassword)
	}
}

// SplitBrokers splits a bootstrap string as MSK prints it ("h1:9098,h2:9098")
// and tolerates spaces and empty items.
func SplitBrokers(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		out = append(out, f)
	}
	return out
}

// Normalize applies defaults and checks the config, returning the first
// problem as one sentence that says what to change. Defaults: the mode is
// inferred from the brokers' port when every broker uses the same MSK port;
// SCRAMMechanism is SCRAM-SHA-512; the region comes from an MSK broker host
// name when nothing else set it (the SDK's profile region is applied later);
// Serverless is set when a broker is an MSK Serverless one, where only IAM
// is accepted.
func (c *Config) Normalize() error {
	for i, b := range c.Brokers {
		c.Brokers[i] = strings.TrimSpace(b)
		if err := checkBroker(c.Brokers[i]); err != nil {
			return err
		}
	}
	if len(c.Brokers) == 0 && c.ClusterARN == "" {
		return fmt.Errorf("no brokers given: pass -b host:port (or --cluster-arn, or set %s)", EnvBootstrap)
	}
	if c.ClusterARN != "" {
		if err := checkClusterARN(c.ClusterARN); err != nil {
			return err
		}
		if len(c.Brokers) == 0 && c.Mode == "" {
			return fmt.Errorf("--cluster-arn needs --auth to pick the bootstrap string: pass --auth iam, scram, tls or plaintext")
		}
	}
	if c.Mode == "" {
		m, ok := ModeForPort(c.Brokers)
		if !ok {
			return fmt.Errorf("cannot tell the auth mode from the broker port: pass --auth iam, scram, tls, mtls or plaintext")
		}
		c.Mode = m
	}
	if _, err := ParseMode(string(c.Mode)); err != nil {
		return err
	}
	if err := c.checkServerless(); err != nil {
		return err
	}
	if c.SCRAMMechanism == "" {
		c.SCRAMMechanism = ScramSHA512
	}
	if c.SCRAMMechanism != ScramSHA512 && c.SCRAMMechanism != ScramSHA256 {
		return fmt.Errorf("unknown SCRAM mechanism %q: use %s or %s", c.SCRAMMechanism, ScramSHA512, ScramSHA256)
	}
	if c.Region == "" {
		c.Region = RegionFromBrokers(c.Brokers)
	}
	if c.Region != "" && !regionRE.MatchString(c.Region) {
		return fmt.Errorf("region %q does not look like an AWS region: use a name such as us-east-1", c.Region)
	}
	if c.RoleARN != "" {
		if err := checkRoleARN(c.RoleARN); err != nil {
			return err
		}
	}
	switch c.Mode {
	case SCRAM:
		if c.Secret == "" && c.User == "" {
			return fmt.Errorf("SCRAM needs credentials: pass --secret NAME (or set %s) or --user with the password in %s", EnvSecretName, EnvPassword)
		}
		if c.Secret != "" && !secretIDRE.MatchString(c.Secret) {
			// Never quoted: what was given may be the secret's value.
			return fmt.Errorf("the secret must be a Secrets Manager secret's name or ARN, such as AmazonMSK_alice, not its value")
		}
		if c.Secret != "" && c.User != "" {
			return fmt.Errorf("both --secret and --user given: use one, the secret already holds the user name")
		}
	case MTLS:
		if c.CertFile == "" || c.KeyFile == "" {
			return fmt.Errorf("mutual TLS needs a client certificate: pass --cert-file and --key-file")
		}
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return fmt.Errorf("--cert-file and --key-file go together: pass both or neither")
	}
	if c.Mode == Plaintext && (c.CAFile != "" || c.CertFile != "") {
		return fmt.Errorf("--ca-file and --cert-file need TLS, but the auth mode is plaintext: use --auth tls or mtls")
	}
	return nil
}

// checkServerless marks the config serverless when a broker says so, and
// refuses a mode MSK Serverless does not offer before anything is dialled.
func (c *Config) checkServerless() error {
	if !c.Serverless && slices.ContainsFunc(c.Brokers, IsServerlessBroker) {
		c.Serverless = true
	}
	if c.Serverless && c.Mode != IAM {
		return fmt.Errorf("MSK Serverless clusters accept only IAM authentication, but the auth mode is %s: use --auth iam", c.Mode)
	}
	return nil
}

var (
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	// A role's path holds printable ASCII and its name only IAM's name
	// characters: a space means something else was pasted.
	roleARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/(?:[!-.0-~]+/)*[\w+=,.@-]{1,64}$`)
	// secretIDRE is what Secrets Manager allows in a secret name, plus ':'
	// for ARNs. Anything else, such as a pasted JSON value, is a secret value
	// put where its name belongs.
	secretIDRE = regexp.MustCompile(`^[A-Za-z0-9/_+=.@:-]+$`)
	// Provisioned brokers look like b-1.NAME.xxxx.c2.kafka.REGION.amazonaws.com;
	// serverless like boot-xxxx.c1.kafka-serverless.REGION.amazonaws.com.
	mskHostRE       = regexp.MustCompile(`\.kafka(-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(\.cn)?$`)
	clusterARNRE    = regexp.MustCompile(`^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$`)
	clusterRegionRE = regexp.MustCompile(`^arn:aws[a-z-]*:kafka:([a-z0-9-]+):`)
	clusterNameRE   = regexp.MustCompile(`^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster/([A-Za-z0-9][\w.-]*)/`)
	brokerClusterRE = regexp.MustCompile(`^b-\d+(?:-public)?\.([a-z0-9][a-z0-9-]*)\.[a-z0-9]+\.c\d+\.kafka\.`)
)

func checkBroker(b string) error {
	switch {
	case b == "":
		return fmt.Errorf("the broker list has an empty entry (two commas in a row, or one at an end): write host:port,host:port")
	case strings.ContainsFunc(b, unicode.IsSpace):
		return fmt.Errorf("broker %q holds a space: separate brokers with commas and write each as host:port", b)
	case strings.ContainsFunc(b, func(r rune) bool { return r < 0x20 || r >= 0x7f }):
		return fmt.Errorf("broker %q holds a character a host name cannot: write it like b-1.mycluster.abc123.c2.kafka.us-east-1.amazonaws.com:9098", b)
	}
	host, port, err := net.SplitHostPort(b)
	if err != nil || host == "" {
		return fmt.Errorf("broker %q is not host:port: write it like b-1.mycluster.abc123.c2.kafka.us-east-1.amazonaws.com:9098", b)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("broker %q has an invalid port: use a number from 1 to 65535", b)
	}
	return nil
}

func checkRoleARN(arn string) error {
	if !roleARNRE.MatchString(arn) {
		return fmt.Errorf("role ARN %q is not an IAM role ARN: use arn:aws:iam::ACCOUNT:role/NAME", arn)
	}
	return nil
}

func checkClusterARN(arn string) error {
	if !clusterARNRE.MatchString(arn) {
		return fmt.Errorf("cluster ARN %q is not an MSK cluster ARN: use arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID", arn)
	}
	return nil
}

// RegionFromBrokers returns the AWS region in the first MSK broker host name,
// or "" when no broker is an MSK host.
func RegionFromBrokers(brokers []string) string {
	for _, b := range brokers {
		host, _, err := net.SplitHostPort(b)
		if err != nil {
			host = b
		}
		if m := mskHostRE.FindStringSubmatch(strings.ToLower(host)); m != nil {
			return m[2]
		}
	}
	return ""
}

// ClusterName is the MSK cluster's name as far as c tells it: from its
// cluster ARN, else from a provisioned cluster's broker host names
// (b-1.NAME.xxxxxx.c2.kafka.REGION.amazonaws.com, names lower-cased there);
// "" when neither says.
func ClusterName(c Config) string {
	if m := clusterNameRE.FindStringSubmatch(c.ClusterARN); m != nil {
		return m[1]
	}
	for _, b := range c.Brokers {
		host, _, err := net.SplitHostPort(b)
		if err != nil {
			host = b
		}
		if m := brokerClusterRE.FindStringSubmatch(strings.ToLower(host)); m != nil {
			return m[1]
		}
	}
	return ""
}

// RegionFromClusterARN returns the region of an MSK cluster ARN, or "".
func RegionFromClusterARN(arn string) string {
	if m := clusterRegionRE.FindStringSubmatch(arn); m != nil {
		return m[1]
	}
	return ""
}

// mskPorts maps MSK's listener ports to the mode each one serves.
var mskPorts = map[string]Mode{
	"9092": Plaintext,
	"9094": TLS, "9194": TLS,
	"9096": SCRAM, "9196": SCRAM,
	"9098": IAM, "9198": IAM,
}

// ModeForPort infers the mode when every broker uses the same MSK port.
func ModeForPort(brokers []string) (Mode, bool) {
	var mode Mode
	for _, b := range brokers {
		_, port, err := net.SplitHostPort(b)
		if err != nil {
			return "", false
		}
		m, ok := mskPorts[port]
		if !ok || (mode != "" && m != mode) {
			return "", false
		}
		mode = m
	}
	return mode, mode != ""
}

// PortWarnings returns one warning per broker whose port is an MSK port
// serving another mode: the most common reason a connection hangs or is
// refused with a confusing error.
func PortWarnings(mode Mode, brokers []string) []string {
	var out []string
	for _, b := range brokers {
		_, port, err := net.SplitHostPort(b)
		if err != nil {
			continue
		}
		want := mode
		if want == MTLS {
			want = TLS
		}
		if got, ok := mskPorts[port]; ok && got != want {
			out = append(out, fmt.Sprintf("broker %s uses port %s, which MSK uses for %s, but the auth mode is %s: check --auth or use the %s bootstrap string", b, port, got, mode, mode))
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
