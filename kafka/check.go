package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Step is one stage of a connection check.
type Step struct {
	Name     string // resolve, tcp, tls, sasl, metadata
	Detail   string // what was found, e.g. the addresses or the broker count
	Duration time.Duration
	Skipped  bool  // the stage does not apply to the mode
	Err      error // explained; nil when the stage passed or was skipped
}

// Check connects step by step (resolve, TCP, TLS, SASL, metadata), calling
// report as each step ends, and stops at the first failure. It returns the
// steps and the first failure, or nil when every step passed. Each network
// step is bounded by dialTimeout. Of opts, only Logger applies.
func Check(ctx context.Context, ep Endpoint, dialTimeout time.Duration, report func(Step), opts ...Opt) ([]Step, error) {
	c := defaultCfg()
	for _, o := range opts {
		o(&c)
	}
	var steps []Step
	run := func(name string, fn func(ctx context.Context) (string, error)) error {
		sctx, cancel := context.WithTimeout(ctx, dialTimeout)
		defer cancel()
		start := time.Now()
		detail, err := fn(sctx)
		st := Step{Name: name, Detail: detail, Duration: time.Since(start), Err: Explain(err, ep)}
		if err != nil && st.Err == err {
			st.Err = fmt.Errorf("%w: %s", err, stepHint(name))
		}
		if st.Err != nil && (name == "sasl" || name == "metadata") {
			// Past TLS a refusal is the cluster's, so Advise can name
			// the kafka-cluster:Connect it needs.
			st.Err = &OpError{Op: OpConnect, IAM: ep.Mechanism() == "OAUTHBEARER", Err: st.Err}
		}
		steps = append(steps, st)
		if report != nil {
			report(st)
		}
		return st.Err
	}
	skip := func(name, why string) {
		st := Step{Name: name, Detail: why, Skipped: true}
		steps = append(steps, st)
		if report != nil {
			report(st)
		}
	}
	if len(ep.Brokers) == 0 {
		return nil, errors.New("no brokers to check: pass -b host:port")
	}

	var addrs []string // resolved host:port of each seed
	if err := run("resolve", func(ctx context.Context) (string, error) {
		var found []string
		for _, b := range ep.Brokers {
			host, port, err := net.SplitHostPort(b)
			if err != nil {
				return "", fmt.Errorf("broker %q is not host:port", b)
			}
			ips, err := net.DefaultResolver.LookupHost(ctx, host)
			if err != nil {
				return strings.Join(found, ", "), err
			}
			addrs = append(addrs, net.JoinHostPort(ips[0], port))
			found = append(found, host+" -> "+strings.Join(ips, " "))
		}
		return strings.Join(found, ", "), nil
	}); err != nil {
		return steps, err
	}

	var seed, seedHost string
	var conn net.Conn
	if err := run("tcp", func(ctx context.Context) (string, error) {
		var d net.Dialer
		var firstErr error
		for i, a := range addrs {
			c, err := d.DialContext(ctx, "tcp", a)
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("connect to %s: %w", ep.Brokers[i], err)
				}
				continue
			}
			conn, seed = c, ep.Brokers[i]
			seedHost, _, _ = net.SplitHostPort(seed)
			return "connected to " + seed, nil
		}
		return "", firstErr
	}); err != nil {
		return steps, err
	}
	defer conn.Close()

	if ep.TLS == nil {
		skip("tls", "plaintext: no TLS")
	} else if err := run("tls", func(ctx context.Context) (string, error) {
		cfg := ep.TLS.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = seedHost
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", fmt.Errorf("TLS handshake with %s: %w", seed, err)
		}
		st := tc.ConnectionState()
		detail := tls.VersionName(st.Version)
		if len(st.PeerCertificates) > 0 {
			detail += ", certificate for " + st.PeerCertificates[0].Subject.CommonName + " expires " + st.PeerCertificates[0].NotAfter.Format("2006-01-02")
		}
		return detail, nil
	}); err != nil {
		return steps, err
	}

	// The rest goes through franz-go, pinned to the seed that answered.
	kopts := []kgo.Opt{kgo.SeedBrokers(seed), kgo.DialTimeout(dialTimeout), kgo.RequestRetries(0), kgo.RetryTimeout(dialTimeout)}
	if ep.TLS != nil {
		kopts = append(kopts, kgo.DialTLSConfig(ep.TLS.Clone()))
	}
	if ep.SASL != nil {
		kopts = append(kopts, kgo.SASL(ep.SASL))
	}
	if c.logger != nil {
		kopts = append(kopts, kgo.WithLogger(slogLogger{c.logger}))
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return steps, fmt.Errorf("configure client: %w", err)
	}
	defer cl.Close()

	if ep.SASL == nil {
		skip("sasl", "no SASL in this mode")
	} else if err := run("sasl", func(ctx context.Context) (string, error) {
		// The first request on a connection authenticates it. Bounded by
		// ctx even while franz-go sets the connection up.
		_, err := whileAlive(ctx, func() (*kmsg.ApiVersionsResponse, error) { return kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, cl) })
		if err != nil {
			return "", fmt.Errorf("%s login to %s: %w", ep.Mechanism(), seed, err)
		}
		return ep.Mechanism() + " accepted", nil
	}); err != nil {
		return steps, err
	}

	if err := run("metadata", func(ctx context.Context) (string, error) {
		m, err := whileAlive(ctx, func() (kadm.Metadata, error) { return kadm.NewClient(cl).BrokerMetadata(ctx) })
		if err != nil {
			return "", fmt.Errorf("fetch metadata: %w", err)
		}
		return fmt.Sprintf("cluster %s: %d brokers, controller %d", m.Cluster, len(m.Brokers), m.Controller), nil
	}); err != nil {
		return steps, err
	}
	return steps, nil
}

// stepHint is the fallback advice for a step whose error Explain could not
// place.
func stepHint(step string) string {
	switch step {
	case "resolve":
		return "check the broker names; MSK private names resolve only inside the cluster's VPC"
	case "tcp":
		return "check the security group allows this host on the broker port, and the port for the mode (" + ports + ")"
	case "tls":
		return "check --ca-file, the system clock, and that the port serves TLS"
	case "sasl":
		return "check the credentials and that the auth mode matches the port (" + ports + ")"
	}
	return "check the IAM policy or ACLs allow describing the cluster"
}
