package auth_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFromEnvPrecedence(t *testing.T) {
	// Flags win over the environment.
	c := auth.Config{Brokers: []string{"flag:9098"}, Region: "eu-west-1"}
	c.FromEnv(env(map[string]string{auth.EnvBootstrap: "env:9098", "AWS_REGION": "us-east-1"}))
	if c.Brokers[0] != "flag:9098" || c.Region != "eu-west-1" {
		t.Errorf("flags lost to env: %+v", c)
	}
	// The per-mode variable wins over the generic one for the chosen mode.
	c = auth.Config{Mode: auth.SCRAM}
	c.FromEnv(env(map[string]string{auth.EnvBootstrap: "any:9092", auth.EnvBootstrapSCRAM: "s1:9096,s2:9096", auth.EnvSecretName: "AmazonMSK_x"}))
	if strings.Join(c.Brokers, ",") != "s1:9096,s2:9096" || c.Secret != "AmazonMSK_x" {
		t.Errorf("scram env: %+v", c)
	}
	// With one per-mode variable and no mode, it picks the mode.
	c = auth.Config{}
	c.FromEnv(env(map[string]string{auth.EnvBootstrapIAM: "b-1.x.y.c2.kafka.ap-south-1.amazonaws.com:9098", "AWS_DEFAULT_REGION": "us-west-2"}))
	if c.Mode != auth.IAM || c.Region != "us-west-2" {
		t.Errorf("iam env: %+v", c)
	}
	// mTLS uses the TLS bootstrap variable.
	c = auth.Config{Mode: auth.MTLS}
	c.FromEnv(env(map[string]string{auth.EnvBootstrapTLS: "t:9094"}))
	if len(c.Brokers) != 1 || c.Brokers[0] != "t:9094" {
		t.Errorf("mtls env: %+v", c)
	}
	// The password comes from the environment only without a secret.
	c = auth.Config{User: "u"}
	c.FromEnv(env(map[string]string{auth.EnvPassword: "pw"}))
	if c.Password != "pw" {
		t.Errorf("password env not read")
	}
}

func TestNormalize(t *testing.T) {
	c := auth.Config{Brokers: []string{"b-1.demo.abc123.c2.kafka.eu-central-1.amazonaws.com:9098", "b-2.demo.abc123.c2.kafka.eu-central-1.amazonaws.com:9098"}}
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	if c.Mode != auth.IAM || c.Region != "eu-central-1" || c.SCRAMMechanism != auth.ScramSHA512 {
		t.Errorf("normalised %+v: want IAM from the port, region from the host", c)
	}
	c = auth.Config{Brokers: []string{"boot-abc.c1.kafka-serverless.us-east-2.amazonaws.com:9098"}}
	if err := c.Normalize(); err != nil || c.Region != "us-east-2" {
		t.Errorf("serverless host: %v, region %q", err, c.Region)
	}
	// Mixed ports cannot pick a mode.
	c = auth.Config{Brokers: []string{"a:9098", "b:9096"}}
	if err := c.Normalize(); err == nil || !strings.Contains(err.Error(), "--auth") {
		t.Errorf("mixed ports: %v", err)
	}
}

func TestPortWarnings(t *testing.T) {
	if w := auth.PortWarnings(auth.SCRAM, []string{"h:9098"}); len(w) != 1 || !strings.Contains(w[0], "which MSK uses for iam") {
		t.Errorf("scram on 9098: %q", w)
	}
	if w := auth.PortWarnings(auth.MTLS, []string{"h:9094", "h:9194"}); len(w) != 0 {
		t.Errorf("mtls on TLS ports: %q", w)
	}
	if w := auth.PortWarnings(auth.Plaintext, []string{"h:29092"}); len(w) != 0 {
		t.Errorf("non-MSK port: %q", w)
	}
}

func TestReadSCRAMSecretErrors(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	cfg, err := auth.LoadAWS(ctxT(t), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	const value = "TopSecretValue-Zq9"
	srv.PutSecret("AmazonMSK_good", `{"username":"alice","password":"`+value+`"}`)
	srv.PutSecret("AmazonMSK_notjson", "user="+value)
	srv.PutSecret("AmazonMSK_nouser", `{"password":"`+value+`"}`)
	srv.PutSecret("AmazonMSK_nopass", `{"username":"alice","pw":"`+value+`"}`)
	arn := srv.PutSecret("AmazonMSK_byarn", `{"username":"bob","password":"`+value+`"}`)

	got, err := auth.ReadSCRAMSecret(ctxT(t), sm, "AmazonMSK_good")
	if err != nil || got.User != "alice" || got.Password != value {
		t.Fatalf("good secret: %v %v", got, err)
	}
	if strings.Contains(got.String(), value) {
		t.Error("SCRAMCredentials.String shows the password")
	}
	if got, err := auth.ReadSCRAMSecret(ctxT(t), sm, arn); err != nil || got.User != "bob" {
		t.Errorf("by ARN: %v %v", got, err)
	}
	cases := map[string]string{
		"AmazonMSK_missing": "not found",
		"AmazonMSK_notjson": "is not a JSON object",
		"AmazonMSK_nouser":  `has no "username"`,
		"AmazonMSK_nopass":  `has no "password"`,
	}
	for name, want := range cases {
		_, err := auth.ReadSCRAMSecret(ctxT(t), sm, name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
		if err != nil && strings.Contains(err.Error(), value) {
			t.Errorf("%s: the error shows the secret value: %v", name, err)
		}
	}
	srv.Deny("GetSecretValue")
	if _, err := auth.ReadSCRAMSecret(ctxT(t), sm, "AmazonMSK_good"); err == nil || !strings.Contains(err.Error(), "secretsmanager:GetSecretValue") {
		t.Errorf("denied: %v", err)
	}

	if w := auth.SecretWarning("my-kafka-secret"); !strings.Contains(w, "AmazonMSK_") {
		t.Errorf("prefix warning = %q", w)
	}
	if w := auth.SecretWarning(arn); w != "" {
		t.Errorf("ARN of an AmazonMSK_ secret warned: %q", w)
	}
	if w := auth.SecretWarning("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf"); w == "" {
		t.Error("ARN of a non-AmazonMSK_ secret did not warn")
	}
}

func TestBuildSCRAMFromSecretWarnsOnPrefix(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	srv.PutSecret("kafka-creds", `{"username":"u","password":"p"}`)
	cl, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{"127.0.0.1:9096"}, Secret: "kafka-creds"})
	if err != nil {
		t.Fatal(err)
	}
	if cl.SASL == nil || cl.SASL.Name() != "SCRAM-SHA-512" || cl.SCRAMUser != "u" || cl.TLS == nil {
		t.Errorf("client: %+v", cl)
	}
	if len(cl.Warnings) != 1 || !strings.Contains(cl.Warnings[0], "AmazonMSK_") {
		t.Errorf("warnings = %q", cl.Warnings)
	}
	if cl.Config.Password != "" {
		t.Error("the built config keeps the password")
	}
}

func TestLookupBootstrapPerMode(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	arn := srv.AddCluster(awstest.Cluster{Name: "prod", IAM: true, SCRAM: true, TLS: true, Bootstrap: awstest.Bootstrap{
		TLS: "b-1.prod:9094", SCRAM: "b-1.prod:9096", IAM: "b-1.prod:9098,b-2.prod:9098",
		PublicIAM: "b-1-public.prod:9198", PublicSCRAM: "b-1-public.prod:9196",
	}})
	pubOnly := srv.AddCluster(awstest.Cluster{Name: "edge", IAM: true, Bootstrap: awstest.Bootstrap{PublicIAM: "b-1-public.edge:9198"}})
	serverless := srv.AddCluster(awstest.Cluster{Name: "sl", Type: kafkatypes.ClusterTypeServerless, Bootstrap: awstest.Bootstrap{IAM: "boot-x.c1.kafka-serverless.us-east-1.amazonaws.com:9098"}})

	for _, tc := range []struct {
		arn  string
		mode auth.Mode
		want string
	}{
		{arn, auth.IAM, "b-1.prod:9098,b-2.prod:9098"},
		{arn, auth.SCRAM, "b-1.prod:9096"},
		{arn, auth.TLS, "b-1.prod:9094"},
		{pubOnly, auth.IAM, "b-1-public.edge:9198"},
		{serverless, auth.IAM, "boot-x.c1.kafka-serverless.us-east-1.amazonaws.com:9098"},
	} {
		cl, err := auth.Build(ctxT(t), auth.Config{ClusterARN: tc.arn, Mode: tc.mode, User: "u", Password: "p"})
		if err != nil {
			t.Errorf("%s %s: %v", tc.arn, tc.mode, err)
			continue
		}
		if got := strings.Join(cl.Config.Brokers, ","); got != tc.want {
			t.Errorf("%s %s: brokers %s, want %s", tc.arn, tc.mode, got, tc.want)
		}
	}
	_, err := auth.Build(ctxT(t), auth.Config{ClusterARN: serverless, Mode: auth.Plaintext})
	if err == nil || !strings.Contains(err.Error(), "no plaintext listener") || !strings.Contains(err.Error(), "iam") {
		t.Errorf("plaintext on serverless: %v", err)
	}
	srv.Deny("GetBootstrapBrokers")
	_, err = auth.Build(ctxT(t), auth.Config{ClusterARN: arn, Mode: auth.IAM})
	if err == nil || !strings.Contains(err.Error(), "kafka:GetBootstrapBrokers") {
		t.Errorf("denied lookup: %v", err)
	}
}

func TestIAMNeedsRegion(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	t.Setenv("AWS_REGION", "")
	_, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{"127.0.0.1:9098"}})
	if err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("IAM without a region: %v", err)
	}
	cl, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{"b-1.x.y.c2.kafka.eu-west-1.amazonaws.com:9098"}, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Warnings) != 1 || !strings.Contains(cl.Warnings[0], "--region eu-west-1") {
		t.Errorf("region mismatch warnings = %q", cl.Warnings)
	}
}

// tokenURL decodes a signer token into its presigned URL.
func tokenURL(t *testing.T, tok string) *url.URL {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestIAMWithRoleAssumesOnceAndSignsWithRoleKeys(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	srv.SetAssumeRoleCredentials("ASIAROLEKEY", "role-secret", "role-token", 0)
	cl, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{"127.0.0.1:9098"}, RoleARN: "arn:aws:iam::123456789012:role/reader"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		tok, exp, err := cl.Tokens.Token(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		q := tokenURL(t, tok).Query()
		if !strings.HasPrefix(q.Get("X-Amz-Credential"), "ASIAROLEKEY/") || q.Get("X-Amz-Security-Token") != "role-token" || q.Get("Action") != "kafka-cluster:Connect" {
			t.Errorf("token not signed with the role's keys: %v", q)
		}
		if time.Until(exp) > 15*time.Minute || time.Until(exp) < 14*time.Minute {
			t.Errorf("token expires in %s, want 15m", time.Until(exp))
		}
	}
	if n := srv.Calls("AssumeRole"); n != 1 {
		t.Errorf("AssumeRole called %d times for 3 tokens, want 1 (cached)", n)
	}
	id, err := auth.WhoAmI(ctxT(t), *cl.AWS)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(id.ARN, "assumed-role/reader/mskx") || id.Account != awstest.Account || id.Source != "assumed role" || id.Expires.IsZero() {
		t.Errorf("identity = %+v", id)
	}
}

// A token must never outlive the credentials it was signed with: credentials
// that expire within a token's lifetime are refreshed first.
func TestIAMRefreshesCredentialsThatExpireSooner(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	srv.SetAssumeRoleCredentials("", "", "", 5*time.Minute) // shorter than a 15-minute token
	cl, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{"127.0.0.1:9098"}, RoleARN: "arn:aws:iam::123456789012:role/short"})
	if err != nil {
		t.Fatal(err)
	}
	_, exp, err := cl.Tokens.Token(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("AssumeRole"); n != 2 {
		t.Errorf("AssumeRole called %d times, want 2 (cached credentials refreshed because they expire before the token)", n)
	}
	_, credsExp := cl.Tokens.Expiries()
	if exp.After(credsExp) {
		t.Errorf("token expiry %s is after the credentials' %s", exp, credsExp)
	}

	// Credentials that cannot be had give a clear error, not a hang.
	srv.Deny("AssumeRole")
	cl2, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{"127.0.0.1:9098"}, RoleARN: "arn:aws:iam::123456789012:role/denied"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cl2.Tokens.Token(ctxT(t)); err == nil || !strings.Contains(err.Error(), "no usable AWS credentials") {
		t.Errorf("denied AssumeRole: %v", err)
	}
}

func TestWhoAmIBaseUser(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	cfg, err := auth.LoadAWS(ctxT(t), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := auth.WhoAmI(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if id.ARN != awstest.UserARN || id.Source != "environment" || !id.Expires.IsZero() {
		t.Errorf("identity = %+v", id)
	}
	_, err = auth.LoadAWS(ctxT(t), auth.Config{Profile: "nope"})
	if err == nil || !strings.Contains(err.Error(), `profile "nope"`) {
		t.Errorf("unknown profile: %v", err)
	}
}

// A role ARN still being typed on the login screen is refused before any
// AWS call: no AssumeRole with half an ARN.
func TestLoadAWSRefusesAMalformedRoleARN(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	for _, arn := range []string{"arn:aws:iam::1234", "arn:aws:iam::123456789012:role/", "reader"} {
		_, err := auth.LoadAWS(ctxT(t), auth.Config{RoleARN: arn})
		if err == nil || !strings.Contains(err.Error(), "is not an IAM role ARN") {
			t.Errorf("role ARN %q: %v", arn, err)
		}
	}
	cfg, err := auth.LoadAWS(ctxT(t), auth.Config{RoleARN: "arn:aws:iam::123456789012:role/reader"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.WhoAmI(ctxT(t), cfg); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("AssumeRole"); n != 1 {
		t.Errorf("AssumeRole called %d times, want 1: only for the whole ARN", n)
	}
}

func TestClusterName(t *testing.T) {
	for _, tc := range []struct {
		c    auth.Config
		want string
	}{
		{auth.Config{ClusterARN: "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"}, "orders-prod"},
		{auth.Config{Brokers: []string{"b-2.orders-prod.x7k2ab.c3.kafka.eu-west-1.amazonaws.com:9098"}}, "orders-prod"},
		{auth.Config{Brokers: []string{"b-1-public.Orders.x7k2ab.c3.kafka.eu-west-1.amazonaws.com:9198"}}, "orders"},
		{auth.Config{Brokers: []string{"boot-abcd1234.c1.kafka-serverless.us-east-1.amazonaws.com:9098"}}, ""},
		{auth.Config{Brokers: []string{"127.0.0.1:9092", "kafka-1.internal:9092"}}, ""},
		{auth.Config{ClusterARN: "arn:aws:kafka:us-east-1:123456789012:cluster/named/uuid", Brokers: []string{"b-1.other.x.c1.kafka.us-east-1.amazonaws.com:9098"}}, "named"},
	} {
		if got := auth.ClusterName(tc.c); got != tc.want {
			t.Errorf("ClusterName(%v, %v) = %q, want %q", tc.c.ClusterARN, tc.c.Brokers, got, tc.want)
		}
	}
}
