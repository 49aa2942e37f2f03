package kafkatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

const testTopic = "orders"

// roundTrip produces a record with a real client and consumes it back.
func roundTrip(t *testing.T, c *Cluster, opts ...kgo.Opt) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ConsumeTopics(testTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	want := "hello " + t.Name()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: testTopic, Value: []byte(want)}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	for {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consume: %v", err)
		}
		for _, e := range fs.Errors() {
			t.Fatalf("consume %s/%d: %v", e.Topic, e.Partition, e.Err)
		}
		for _, r := range fs.Records() {
			if string(r.Value) == want {
				return
			}
		}
	}
}

// pingErr connects with a client that gives up quickly and returns what
// went wrong, failing t if it took long: refusals must not look like hangs.
func pingErr(t *testing.T, c *Cluster, opts ...kgo.Opt) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.DialTimeout(2 * time.Second),
		kgo.RequestTimeoutOverhead(2 * time.Second),
		kgo.RequestRetries(0),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	start := time.Now()
	err = cl.Ping(ctx)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s to fail", d)
	}
	if err == nil {
		t.Fatal("connected, want a refusal")
	}
	return err
}

// wantFirstReadEOF checks that a client was cut off at once, which kgo
// reports with a hint ("is TLS missing?") rather than as a timeout.
func wantFirstReadEOF(t *testing.T, err error) {
	t.Helper()
	var eof *kgo.ErrFirstReadEOF
	if !errors.As(err, &eof) {
		t.Errorf("error %v, want the broker to close the connection at once", err)
	}
}

// logSink collects a cluster's diagnostics so tests can check what the
// server saw.
type logSink struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *logSink) logf(format string, args ...any) {
	l.t.Logf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logSink) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestPlaintext(t *testing.T) {
	t.Parallel()
	c := New(t, Topics(1, testTopic))
	if c.Mode != ModePlaintext || c.TLSConfig() != nil || c.CAFile != "" {
		t.Errorf("plaintext cluster has TLS: mode %s, CA %q", c.Mode, c.CAFile)
	}
	roundTrip(t, c)
}

func TestTLS(t *testing.T) {
	t.Parallel()
	c := New(t, TLS(), NumBrokers(3), Topics(3, testTopic))
	if len(c.Brokers) != 3 {
		t.Fatalf("brokers %v, want 3", c.Brokers)
	}

	// Build the client config from the file, as a --ca-file flag would.
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", c.CAFile)
	}
	roundTrip(t, c, kgo.DialTLSConfig(&tls.Config{RootCAs: pool}))

	t.Run("plaintext client fails fast", func(t *testing.T) {
		wantFirstReadEOF(t, pingErr(t, c))
	})
	t.Run("untrusting client is refused", func(t *testing.T) {
		err := pingErr(t, c, kgo.DialTLSConfig(&tls.Config{}))
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("error %v, want an unknown authority", err)
		}
	})
}

func TestTLSServerNames(t *testing.T) {
	t.Parallel()
	c := New(t, TLS())
	_, port, _ := net.SplitHostPort(c.Brokers[0])
	for _, name := range []string{"127.0.0.1", "localhost"} {
		cfg := c.TLSConfig()
		cfg.ServerName = name
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", "127.0.0.1:"+port, cfg)
		if err != nil {
			t.Errorf("server name %s: %v", name, err)
			continue
		}
		conn.Close()
	}
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()
	c := New(t, MutualTLS(), Topics(1, testTopic))
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		t.Fatalf("client files: %v", err)
	}
	cfg := c.TLSConfig()
	cfg.Certificates = []tls.Certificate{cert}
	roundTrip(t, c, kgo.DialTLSConfig(cfg))

	t.Run("client without certificate is refused", func(t *testing.T) {
		cfg := c.TLSConfig()
		cfg.Certificates = nil
		pingErr(t, c, kgo.DialTLSConfig(cfg))
	})
}

func TestSCRAM(t *testing.T) {
	t.Parallel()
	c := New(t, SCRAM("alice", "alice-secret"), SCRAM256("bob", "bob-secret"), Topics(1, testTopic))
	if c.User != "alice" || c.Password != "alice-secret" {
		t.Errorf("user %q/%q, want the first SCRAM credential", c.User, c.Password)
	}
	t.Run("sha512", func(t *testing.T) {
		roundTrip(t, c, kgo.DialTLSConfig(c.TLSConfig()),
			kgo.SASL(scram.Auth{User: c.User, Pass: c.Password}.AsSha512Mechanism()))
	})
	t.Run("sha256", func(t *testing.T) {
		roundTrip(t, c, kgo.DialTLSConfig(c.TLSConfig()),
			kgo.SASL(scram.Auth{User: "bob", Pass: "bob-secret"}.AsSha256Mechanism()))
	})
	for name, auth := range map[string]scram.Auth{
		"wrong password": {User: c.User, Pass: "guess"},
		"unknown user":   {User: "mallory", Pass: "alice-secret"},
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			err := pingErr(t, c, kgo.DialTLSConfig(c.TLSConfig()), kgo.SASL(auth.AsSha512Mechanism()))
			if !errors.Is(err, kerr.SaslAuthenticationFailed) || !strings.Contains(err.Error(), "invalid credentials") {
				t.Errorf("error %q, want SASL_AUTHENTICATION_FAILED for invalid credentials", err)
			}
		})
	}
	t.Run("no SASL is refused", func(t *testing.T) {
		wantFirstReadEOF(t, pingErr(t, c, kgo.DialTLSConfig(c.TLSConfig())))
	})
}

func TestRestartOnSamePorts(t *testing.T) {
	t.Parallel()
	c := New(t, TLS(), NumBrokers(2))
	var ports []int
	for _, b := range c.Brokers {
		_, p, _ := net.SplitHostPort(b)
		n, _ := strconv.Atoi(p)
		ports = append(ports, n)
	}
	c.Close()
	if _, err := os.Stat(c.CAFile); !os.IsNotExist(err) {
		t.Errorf("CA file survives Close: %v", err)
	}

	c2 := New(t, TLS(), Ports(ports...), Topics(1, testTopic))
	if strings.Join(c2.Brokers, ",") != strings.Join(c.Brokers, ",") {
		t.Errorf("restarted on %v, want %v", c2.Brokers, c.Brokers)
	}
	roundTrip(t, c2, kgo.DialTLSConfig(c2.TLSConfig()))
}

func TestOptionErrors(t *testing.T) {
	for name, opts := range map[string][]Opt{
		"two modes":                 {TLS(), SCRAM("u", "p")},
		"IAM without region":        {IAM("", "AKID", "secret")},
		"IAMCredential without IAM": {TLS(), IAMCredential("AKID", "secret", "")},
		"duplicate access key":      {IAM(testRegion, "AKID", "a"), IAMCredential("AKID", "b", "")},
		"lifetime without SASL":     {TLS(), SessionLifetime(time.Second)},
		"ports and broker count":    {NumBrokers(2), Ports(1, 2, 3)},
		"zero brokers":              {NumBrokers(0)},
		"empty SCRAM password":      {SCRAM("u", "")},
	} {
		if c, err := Start(opts...); err == nil {
			c.Close()
			t.Errorf("%s: started", name)
		}
	}
}
