package auth

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Client is a resolved connection: brokers found, credentials loaded, TLS
// built. Its Opts configure a franz-go client.
type Client struct {
	// Config is the normalised config, with Brokers filled in (from
	// --cluster-arn when needed) and Region resolved.
	Config Config
	// TLS is nil for plaintext.
	TLS *tls.Config
	// SASL is nil for TLS, mutual TLS and plaintext.
	SASL sasl.Mechanism
	// Tokens makes IAM tokens; nil for other modes.
	Tokens *TokenSource
	// AWS is the loaded AWS configuration; nil when the mode needed none.
	AWS *aws.Config
	// SCRAMUser is the SCRAM user name, for display.
	SCRAMUser string
	// Warnings are things worth telling the user before connecting.
	Warnings []string
}

// Opts returns the franz-go options for this connection.
func (c *Client) Opts() []kgo.Opt {
	opts := []kgo.Opt{kgo.SeedBrokers(c.Config.Brokers...)}
	if c.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(c.TLS.Clone()))
	}
	if c.SASL != nil {
		opts = append(opts, kgo.SASL(c.SASL))
	}
	return opts
}

// BuildOpt configures Build.
type BuildOpt func(*buildCfg)

type buildCfg struct {
	prompt func(prompt string) (string, error)
}

// WithPasswordPrompt sets how a SCRAM password is asked for when --user is
// given without MSK_SCRAM_PASSWORD. Without it, a missing password is an
// error. The prompt must not echo.
func WithPasswordPrompt(fn func(prompt string) (string, error)) BuildOpt {
	return func(b *buildCfg) { b.prompt = fn }
}

// Build resolves c into a Client: it normalises the config, loads AWS
// configuration when the mode or the options need it (IAM, a SCRAM secret,
// --cluster-arn), looks up brokers, reads SCRAM credentials and builds TLS.
// Brokers that are MSK Serverless ones set Config.Serverless, and any mode
// but IAM is then refused before AWS is asked. It does not dial the brokers.
func Build(ctx context.Context, c Config, opts ...BuildOpt) (*Client, error) {
	var bc buildCfg
	for _, o := range opts {
		o(&bc)
	}
	c.Brokers = append([]string(nil), c.Brokers...)
	if err := c.Normalize(); err != nil {
		return nil, err
	}
	cl := &Client{}
	needAWS := c.Mode == IAM || (c.Mode == SCRAM && c.Secret != "") || len(c.Brokers) == 0
	if needAWS {
		if c.Region == "" {
			c.Region = RegionFromClusterARN(c.ClusterARN)
		}
		awsCfg, err := LoadAWS(ctx, c)
		if err != nil {
			return nil, err
		}
		if c.Region == "" {
			c.Region = awsCfg.Region
		}
		if c.Region == "" {
			return nil, fmt.Errorf("no AWS region: pass --region or set AWS_REGION (the broker host names did not say)")
		}
		awsCfg.Region = c.Region
		cl.AWS = &awsCfg
	}
	if hostRegion := RegionFromBrokers(c.Brokers); hostRegion != "" && c.Region != "" && hostRegion != c.Region && c.Mode == IAM {
		cl.Warnings = append(cl.Warnings, fmt.Sprintf("the region is %s but the brokers are in %s: IAM tokens signed for the wrong region are refused, so pass --region %s", c.Region, hostRegion, hostRegion))
	}
	if len(c.Brokers) == 0 {
		bs, err := LookupBootstrap(ctx, kafka.NewFromConfig(*cl.AWS), c.ClusterARN, c.Mode)
		if err != nil {
			return nil, err
		}
		c.Brokers = SplitBrokers(bs.First())
		if err := c.checkServerless(); err != nil {
			return nil, err
		}
	}
	cl.Warnings = append(cl.Warnings, PortWarnings(c.Mode, c.Brokers)...)

	tlsCfg, err := TLSConfig(c)
	if err != nil {
		return nil, err
	}
	cl.TLS = tlsCfg

	switch c.Mode {
	case IAM:
		cl.Tokens = NewTokenSource(c.Region, cl.AWS.Credentials)
		cl.SASL = cl.Tokens.Mechanism()
	case SCRAM:
		creds, warn, err := scramCredentials(ctx, c, cl.AWS, bc.prompt)
		if err != nil {
			return nil, err
		}
		if warn != "" {
			cl.Warnings = append(cl.Warnings, warn)
		}
		cl.SCRAMUser = creds.User
		a := scram.Auth{User: creds.User, Pass: creds.Password}
		if c.SCRAMMechanism == ScramSHA256 {
			cl.SASL = a.AsSha256Mechanism()
		} else {
			cl.SASL = a.AsSha512Mechanism()
		}
	}
	c.Password = "" // held by the mechanism only
	cl.Config = c
	return cl, nil
}

// scramCredentials reads the SCRAM user and password from the secret, the
// config (MSK_SCRAM_PASSWORD) or the prompt, in that order.
func scramCredentials(ctx context.Context, c Config, awsCfg *aws.Config, prompt func(string) (string, error)) (SCRAMCredentials, string, error) {
	if c.Secret != "" {
		warn := SecretWarning(c.Secret)
		creds, err := ReadSCRAMSecret(ctx, secretsmanager.NewFromConfig(*awsCfg), c.Secret)
		return creds, warn, err
	}
	if c.Password != "" {
		return SCRAMCredentials{User: c.User, Password: c.Password}, "", nil
	}
	if prompt == nil {
		return SCRAMCredentials{}, "", fmt.Errorf("no password for SCRAM user %q: set %s or run in a terminal to be asked", c.User, EnvPassword)
	}
	pw, err := prompt(fmt.Sprintf("Password for SCRAM user %s: ", c.User))
	if err != nil {
		return SCRAMCredentials{}, "", fmt.Errorf("read the password: %w", err)
	}
	if pw == "" {
		return SCRAMCredentials{}, "", fmt.Errorf("empty password for SCRAM user %q: type the password, or set %s", c.User, EnvPassword)
	}
	return SCRAMCredentials{User: c.User, Password: pw}, "", nil
}
