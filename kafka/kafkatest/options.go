package kafkatest

import (
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Mode names how clients reach a Cluster, one per kind of listener that
// Amazon MSK offers.
type Mode string

// The listener kinds. Every mode except ModePlaintext serves TLS.
const (
	ModePlaintext Mode = "plaintext" // no TLS, no authentication
	ModeTLS       Mode = "tls"       // TLS, no client authentication
	ModeMutualTLS Mode = "mtls"      // TLS with a required client certificate
	ModeSCRAM     Mode = "scram"     // SASL/SCRAM over TLS
	ModeIAM       Mode = "iam"       // SASL/OAUTHBEARER with MSK IAM tokens over TLS
)

// Opt configures a Cluster started by Start or New.
type Opt interface{ apply(*cfg) }

type opt func(*cfg)

func (o opt) apply(c *cfg) { o(c) }

type scramCred struct{ mechanism, user, pass string }

type cfg struct {
	modes    []Mode // one per mode option given; validate requires they agree
	scram    []scramCred
	region   string
	iamCreds []iamCredential
	// iamPrimary is the one IAM gave, whatever the order of options.
	iamPrimary iamCredential
	clock      func() time.Time
	lifetime   time.Duration
	topics     []kfake.Opt
	nbrokers   int // 0 until NumBrokers is given
	ports      []int
	kopts      []kfake.Opt
	logf       func(format string, args ...any)
}

// Plaintext serves Kafka without TLS or authentication. This is the default.
func Plaintext() Opt {
	return opt(func(c *cfg) { c.modes = append(c.modes, ModePlaintext) })
}

// TLS serves Kafka over TLS with a certificate from a CA generated for the
// cluster; the CA is written to Cluster.CAFile.
func TLS() Opt {
	return opt(func(c *cfg) { c.modes = append(c.modes, ModeTLS) })
}

// MutualTLS is TLS that also requires a client certificate signed by the
// cluster's CA. A client certificate and key are written to Cluster.CertFile
// and Cluster.KeyFile.
func MutualTLS() Opt {
	return opt(func(c *cfg) { c.modes = append(c.modes, ModeMutualTLS) })
}

// SCRAM serves SASL/SCRAM-SHA-512 over TLS, the mechanism MSK uses, and
// accepts user with pass. It may be given more than once, and together with
// SCRAM256; the first user becomes Cluster.User.
func SCRAM(user, pass string) Opt {
	return scramOpt("SCRAM-SHA-512", user, pass)
}

// SCRAM256 is SCRAM with SCRAM-SHA-256, which MSK does not offer but other
// Kafka deployments do.
func SCRAM256(user, pass string) Opt {
	return scramOpt("SCRAM-SHA-256", user, pass)
}

func scramOpt(mechanism, user, pass string) Opt {
	return opt(func(c *cfg) {
		c.modes = append(c.modes, ModeSCRAM)
		c.scram = append(c.scram, scramCred{mechanism, user, pass})
	})
}

// IAM serves SASL/OAUTHBEARER over TLS and checks tokens the way an MSK IAM
// listener does: a SigV4-presigned kafka-cluster:Connect URL for region,
// signed with accessKeyID and secretAccessKey.
func IAM(region, accessKeyID, secretAccessKey string) Opt {
	return opt(func(c *cfg) {
		c.modes = append(c.modes, ModeIAM)
		c.region = region
		c.iamPrimary = iamCredential{accessKeyID: accessKeyID, secret: secretAccessKey}
		c.iamCreds = append(c.iamCreds, c.iamPrimary)
	})
}

// IAMCredential makes an IAM cluster accept one more credential, such as the
// temporary keys an assumed role hands out. A non-empty sessionToken must be
// signed into the token, as AWS requires for temporary credentials.
func IAMCredential(accessKeyID, secretAccessKey, sessionToken string) Opt {
	return opt(func(c *cfg) {
		c.iamCreds = append(c.iamCreds, iamCredential{accessKeyID: accessKeyID, secret: secretAccessKey, sessionToken: sessionToken})
	})
}

// IAMClock sets the clock an IAM cluster checks token dates against,
// overriding time.Now, so tests can see expired and future-dated tokens.
func IAMClock(now func() time.Time) Opt {
	return opt(func(c *cfg) { c.clock = now })
}

// SessionLifetime makes SCRAM and IAM clusters tell clients their session
// ends after d (KIP-368), so clients re-authenticate on their open
// connections. By default sessions do not expire.
func SessionLifetime(d time.Duration) Opt {
	return opt(func(c *cfg) { c.lifetime = d })
}

// Topics creates topics with the given partitions when the cluster starts; a
// non-positive count means kfake's default of 10. Topics are not created on
// first use (MSK's auto.create.topics.enable defaults to false), so tests
// create what they need here or through the admin API.
func Topics(partitions int32, names ...string) Opt {
	return opt(func(c *cfg) { c.topics = append(c.topics, kfake.SeedTopics(partitions, names...)) })
}

// NumBrokers sets how many brokers the cluster runs, overriding the default
// of 1.
func NumBrokers(n int) Opt {
	return opt(func(c *cfg) {
		c.nbrokers = n
		if n < 1 {
			c.nbrokers = -1 // so validate tells "not given" from "given as 0"
		}
	})
}

// Ports sets the port of each broker, overriding ports the system picks, so a
// cluster can be restarted where clients expect it. It implies NumBrokers.
func Ports(ports ...int) Opt {
	return opt(func(c *cfg) { c.ports = ports })
}

// KfakeOpts passes options to kfake after ours, so they win. Do not pass
// kfake.TLS, kfake.ListenFn or SASL users: the mode options own those.
func KfakeOpts(opts ...kfake.Opt) Opt {
	return opt(func(c *cfg) { c.kopts = append(c.kopts, opts...) })
}

// Logf receives the cluster's own diagnostics, such as why an IAM
// authentication was refused. New defaults it to t.Logf. Nothing is logged
// after Close returns.
func Logf(fn func(format string, args ...any)) Opt {
	return opt(func(c *cfg) { c.logf = fn })
}

func (c *cfg) mode() Mode {
	if len(c.modes) == 0 {
		return ModePlaintext
	}
	return c.modes[0]
}

func (c *cfg) validate() error {
	mode := c.mode()
	for _, m := range c.modes {
		if m != mode {
			return fmt.Errorf("conflicting modes %q and %q", mode, m)
		}
	}
	for _, s := range c.scram {
		if s.user == "" || s.pass == "" {
			return errors.New("SCRAM needs a non-empty user and password")
		}
	}
	if len(c.iamCreds) > 0 && mode != ModeIAM {
		return errors.New("IAMCredential needs IAM")
	}
	if c.clock != nil && mode != ModeIAM {
		return errors.New("IAMClock needs IAM")
	}
	if mode == ModeIAM {
		if c.region == "" {
			return errors.New("IAM needs a region")
		}
		seen := make(map[string]bool)
		for _, cr := range c.iamCreds {
			if cr.accessKeyID == "" || cr.secret == "" {
				return errors.New("IAM credentials need an access key ID and a secret")
			}
			if seen[cr.accessKeyID] {
				return fmt.Errorf("access key %s given twice", cr.accessKeyID)
			}
			seen[cr.accessKeyID] = true
		}
	}
	if c.lifetime < 0 || c.lifetime > 0 && mode != ModeSCRAM && mode != ModeIAM {
		return errors.New("SessionLifetime needs a positive duration and SCRAM or IAM")
	}
	if c.nbrokers < 0 {
		return errors.New("NumBrokers needs at least 1")
	}
	if len(c.ports) > 0 && c.nbrokers > 0 && c.nbrokers != len(c.ports) {
		return fmt.Errorf("%d ports given for %d brokers", len(c.ports), c.nbrokers)
	}
	return nil
}

func (c *cfg) brokers() int {
	switch {
	case len(c.ports) > 0:
		return len(c.ports)
	case c.nbrokers > 0:
		return c.nbrokers
	}
	return 1
}
