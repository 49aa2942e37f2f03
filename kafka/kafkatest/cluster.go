// Package kafkatest runs in-process Kafka clusters on 127.0.0.1, one for each
// way Amazon MSK lets clients in: plaintext, TLS, mutual TLS, SASL/SCRAM and
// IAM. Tests use them to exercise real franz-go clients against real TLS and
// real authentication, and the demo mode runs on one.
//
// The brokers are kfake's. IAM, which kfake lacks, is an OAUTHBEARER
// front end that verifies MSK IAM tokens with its own SigV4 implementation.
package kafkatest

import (
	"crypto/tls"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Cluster is a running in-process Kafka cluster and what a client needs to
// reach it. The exported fields are set by Start and not changed afterwards.
type Cluster struct {
	// Mode is the kind of listener the brokers serve.
	Mode Mode
	// Brokers are the "127.0.0.1:PORT" addresses of the brokers, usable
	// as seeds.
	Brokers []string

	// CAFile is a PEM file with the CA that signed the brokers'
	// certificates; empty in ModePlaintext.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and PKCS#8 key
	// the brokers accept; set only in ModeMutualTLS.
	CertFile, KeyFile string

	// User and Password are the first SCRAM credential; set only in
	// ModeSCRAM.
	User, Password string

	// Region, AccessKeyID and SecretAccessKey are the credential given to
	// IAM; set only in ModeIAM.
	Region, AccessKeyID, SecretAccessKey string

	// Kfake is the underlying cluster, for fault injection with
	// ControlKey and for admin shortcuts. TLS in ModeSCRAM and ModeIAM,
	// and SASL in ModeIAM, happen in front of it, so kfake's own TLS
	// and SASL settings say nothing about those modes, and in ModeIAM
	// no SASL request ever reaches a ControlKey function.
	Kfake *kfake.Cluster

	pki *pki
	dir string
	iam *iamServer

	logMu     sync.RWMutex
	logfn     func(format string, args ...any)
	closed    bool
	closeOnce sync.Once
}

// Start starts a cluster, by default one plaintext broker. Certificate and
// key files go to a temporary directory that Close removes. Close the cluster
// when done; tests use New, which does so.
func Start(opts ...Opt) (*Cluster, error) {
	var cfg cfg
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("kafkatest: %w", err)
	}
	c := &Cluster{Mode: cfg.mode(), logfn: cfg.logf}
	if err := c.start(&cfg); err != nil {
		c.Close()
		return nil, fmt.Errorf("kafkatest: start %s cluster: %w", c.Mode, err)
	}
	return c, nil
}

// New is Start for tests: it fails t if the cluster cannot start, closes the
// cluster when t ends, and logs the cluster's diagnostics to t unless Logf
// says otherwise.
func New(t testing.TB, opts ...Opt) *Cluster {
	t.Helper()
	c, err := Start(append([]Opt{Logf(t.Logf)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func (c *Cluster) start(cfg *cfg) error {
	kopts := []kfake.Opt{kfake.NumBrokers(cfg.brokers())}
	if len(cfg.ports) > 0 {
		kopts = append(kopts, kfake.Ports(cfg.ports...))
	}
	kopts = append(kopts, cfg.topics...)

	if c.Mode != ModePlaintext {
		var err error
		if c.pki, err = newPKI(c.Mode == ModeMutualTLS); err != nil {
			return err
		}
		if c.dir, err = os.MkdirTemp("", "kafkatest-"); err != nil {
			return err
		}
		if c.CAFile, c.CertFile, c.KeyFile, err = c.pki.writeFiles(c.dir); err != nil {
			return fmt.Errorf("write certificates: %w", err)
		}
	}

	switch c.Mode {
	case ModeTLS, ModeMutualTLS:
		kopts = append(kopts, kfake.TLS(c.pki.serverConfig()))
	case ModeSCRAM:
		kopts = append(kopts, kfake.ListenFn(scramListen(c.pki.serverConfig())), kfake.EnableSASL())
		// Superusers, so that ACLs switched on through KfakeOpts do
		// not lock out the account a client logs in with.
		for _, s := range cfg.scram {
			kopts = append(kopts, kfake.Superuser(s.mechanism, s.user, s.pass))
		}
		c.User, c.Password = cfg.scram[0].user, cfg.scram[0].pass
		if cfg.lifetime > 0 {
			kopts = append(kopts, kfake.BrokerConfigs(map[string]string{
				"connections.max.reauth.ms": strconv.FormatInt(cfg.lifetime.Milliseconds(), 10),
			}))
		}
	case ModeIAM:
		now := cfg.clock
		if now == nil {
			now = time.Now
		}
		v := &verifier{region: cfg.region, creds: make(map[string]iamCredential), now: now}
		for _, cr := range cfg.iamCreds {
			v.creds[cr.accessKeyID] = cr
		}
		c.iam = &iamServer{tls: c.pki.serverConfig(), verifier: v, lifetime: cfg.lifetime, logf: c.logf}
		kopts = append(kopts, kfake.ListenFn(c.iam.listen))
		c.Region, c.AccessKeyID, c.SecretAccessKey = cfg.region, cfg.iamPrimary.accessKeyID, cfg.iamPrimary.secret
	}

	kc, err := kfake.NewCluster(append(kopts, cfg.kopts...)...)
	if err != nil {
		return err
	}
	c.Kfake = kc
	c.Brokers = kc.ListenAddrs()
	return nil
}

// Close stops the brokers, drops their connections and removes the
// certificate files. It is safe to call more than once.
func (c *Cluster) Close() {
	c.closeOnce.Do(func() {
		// Stop logging first: New logs to t, which panics if used
		// after the test ends, and connection goroutines can outlive
		// Close.
		c.logMu.Lock()
		c.closed = true
		c.logMu.Unlock()
		if c.Kfake != nil {
			c.Kfake.Close()
		}
		if c.dir != "" {
			os.RemoveAll(c.dir)
		}
	})
}

func (c *Cluster) logf(format string, args ...any) {
	c.logMu.RLock()
	defer c.logMu.RUnlock()
	if !c.closed && c.logfn != nil {
		c.logfn(format, args...)
	}
}

// TLSConfig returns a new client TLS config that trusts the cluster's CA and,
// in ModeMutualTLS, presents the client certificate. It is nil in
// ModePlaintext.
func (c *Cluster) TLSConfig() *tls.Config {
	if c.pki == nil {
		return nil
	}
	return c.pki.clientConfig()
}

// Authentications counts successful IAM authentications, first ones and
// re-authentications alike; it is always 0 outside ModeIAM.
func (c *Cluster) Authentications() int {
	if c.iam == nil {
		return 0
	}
	return int(c.iam.auths.Load())
}
