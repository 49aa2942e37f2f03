// Package kafka is the background Kafka client of mskx, built on franz-go:
// a Session with its metadata, topics, live tails, produce with delivery
// reports, and the display of records. It takes contexts, returns domain types
// and errors, and never imports the UI, so the headless commands use it as is.
package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
)

// Endpoint is where and how to connect: the seed brokers, the TLS config
// (nil for plaintext) and the SASL mechanism (nil for none). Errors are
// explained in terms of these, so that a wrong port or mode is named.
type Endpoint struct {
	Brokers []string
	TLS     *tls.Config
	SASL    sasl.Mechanism
}

// Mechanism returns the SASL mechanism name, or "" without SASL.
func (e Endpoint) Mechanism() string {
	if e.SASL == nil {
		return ""
	}
	return e.SASL.Name()
}

// Opt configures a Session.
type Opt func(*cfg)

type cfg struct {
	dialTimeout time.Duration
	reqTimeout  time.Duration
	logger      *slog.Logger
	clientID    string
	readOnly    bool
	extra       []kgo.Opt
}

func defaultCfg() cfg {
	return cfg{dialTimeout: 10 * time.Second, reqTimeout: 30 * time.Second, clientID: "mskx"}
}

func (c *cfg) validate() error {
	if c.dialTimeout <= 0 {
		return fmt.Errorf("dial timeout must be positive, got %s", c.dialTimeout)
	}
	if c.reqTimeout <= 0 {
		return fmt.Errorf("request timeout must be positive, got %s", c.reqTimeout)
	}
	return nil
}

// DialTimeout bounds each connection attempt (TCP, TLS and SASL); the
// default is 10s. Open gives up after one such attempt per seed broker.
func DialTimeout(d time.Duration) Opt { return func(c *cfg) { c.dialTimeout = d } }

// RequestTimeout bounds admin and metadata calls; the default is 30s.
func RequestTimeout(d time.Duration) Opt { return func(c *cfg) { c.reqTimeout = d } }

// Logger sends the client's log (connections, SASL steps, retries) to l at
// debug level. The default is no log. franz-go never logs credentials.
func Logger(l *slog.Logger) Opt { return func(c *cfg) { c.logger = l } }

// ClientID sets the Kafka client ID; the default is "mskx".
func ClientID(id string) Opt { return func(c *cfg) { c.clientID = id } }

// ReadOnly makes a session that refuses every write: producing and all
// topic admin return ErrReadOnly before anything reaches the cluster. The
// default is read-write.
func ReadOnly() Opt { return func(c *cfg) { c.readOnly = true } }

// ErrReadOnly is returned by writes on a read-only session.
var ErrReadOnly = errors.New("read-only session: producing and topic admin are disabled (started with --read-only or read_only: true in the config file)")

// ClientOpts adds raw franz-go options to every client the session makes.
func ClientOpts(opts ...kgo.Opt) Opt { return func(c *cfg) { c.extra = append(c.extra, opts...) } }

// Session is a connection to one cluster. It owns an admin client; tails
// and the producer get clients of their own so that a slow consumer never
// holds up an admin call. Safe for concurrent use.
type Session struct {
	ep  Endpoint
	cfg cfg
	cl  *kgo.Client
	adm *kadm.Client

	prodMu     sync.Mutex
	prod       *kgo.Client
	prodRet    *retirement // says why prod was closed, if failed logins close it
	closed     bool        // no producer is made after Close
	idempotent bool
	notices    []string

	// missing remembers, per topic, partitions a send found missing, so
	// that a run of sends to one fails fast (see awaitPartition).
	missingMu sync.Mutex
	missing   map[string]missingPartitions

	// link follows the admin client's connections and prodLink those of
	// the producer (under prodMu), for Reconnecting.
	link, prodLink *link
}

// Open connects to the cluster and fetches metadata once, so that a wrong
// address, port, mode or credential fails here, explained.
func Open(ctx context.Context, ep Endpoint, opts ...Opt) (*Session, error) {
	c := defaultCfg()
	for _, o := range opts {
		o(&c)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if len(ep.Brokers) == 0 {
		return nil, errors.New("no brokers: pass -b host:port")
	}
	s := &Session{ep: ep, cfg: c, idempotent: true}
	s.link = newLink(s.connectErr)
	cl, err := kgo.NewClient(s.clientOpts(kgo.WithHooks(s.link))...)
	if err != nil {
		return nil, fmt.Errorf("configure client: %w", err)
	}
	s.cl, s.adm = cl, kadm.NewClient(cl)
	// One connection attempt per seed is enough to know: retrying dials
	// that time out only makes the user wait longer for the same answer.
	octx, cancel := context.WithTimeout(ctx, min(time.Duration(len(ep.Brokers))*c.dialTimeout+time.Second, c.reqTimeout))
	defer cancel()
	// Bounded by octx even while franz-go sets up a connection, which it
	// does under deadlines of its own; Metadata's own errors are worded.
	_, err = whileAlive(octx, func() (Cluster, error) { return s.Metadata(octx) })
	if err != nil && err == octx.Err() {
		err = s.fail(OpConnect, "", "", fmt.Errorf("fetch metadata: %w", err))
	}
	if err != nil {
		cl.Close()
		return nil, err
	}
	return s, nil
}

// clientOpts are the options shared by every client of the session.
func (s *Session) clientOpts(more ...kgo.Opt) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.ep.Brokers...),
		kgo.ClientID(s.cfg.clientID),
		kgo.DialTimeout(s.cfg.dialTimeout),
		// Without a bound, a request to an unreachable cluster retries for
		// a long time; the UI and the headless commands want an answer.
		kgo.RetryTimeout(s.cfg.reqTimeout),
		kgo.RequestRetries(3),
	}
	if s.ep.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(s.ep.TLS.Clone()))
	}
	if s.ep.SASL != nil {
		opts = append(opts, kgo.SASL(s.ep.SASL))
	}
	if s.cfg.logger != nil {
		opts = append(opts, kgo.WithLogger(slogLogger{s.cfg.logger}))
	}
	opts = append(opts, s.cfg.extra...)
	return append(opts, more...)
}

// ReadOnly reports whether the session refuses writes.
func (s *Session) ReadOnly() bool { return s.cfg.readOnly }

// Endpoint returns what the session connects to.
func (s *Session) Endpoint() Endpoint { return s.ep }

// Client returns the session's admin franz-go client, for callers that need
// a request this package does not wrap.
func (s *Session) Client() *kgo.Client { return s.cl }

// Close closes every client of the session.
func (s *Session) Close() {
	s.prodMu.Lock()
	prod := s.prod
	s.prod, s.closed = nil, true
	s.prodMu.Unlock()
	// Unlocked: the producer's promises, which closing runs, take prodMu.
	if prod != nil {
		prod.Close()
	}
	s.cl.Close()
}

// Cluster is what a metadata request says about the cluster.
type Cluster struct {
	ID         string
	Controller int32
	Brokers    []Broker
}

// Broker is one broker of the cluster.
type Broker struct {
	ID   int32
	Host string
	Port int32
	Rack string
}

// Metadata fetches the cluster's brokers and controller. Its errors carry
// OpConnect: this is the first request on a connection, so a refused login
// or credential surfaces here and its advice is kafka-cluster:Connect.
func (s *Session) Metadata(ctx context.Context) (Cluster, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	m, err := s.adm.BrokerMetadata(ctx)
	if err != nil {
		return Cluster{}, s.fail(OpConnect, "", "", fmt.Errorf("fetch metadata: %w", err))
	}
	c := Cluster{ID: m.Cluster, Controller: m.Controller}
	for _, b := range m.Brokers {
		rack := ""
		if b.Rack != nil {
			rack = *b.Rack
		}
		c.Brokers = append(c.Brokers, Broker{ID: b.NodeID, Host: b.Host, Port: b.Port, Rack: rack})
	}
	return c, nil
}

func (s *Session) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.reqTimeout)
}

// slogLogger adapts slog to franz-go's logger.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Level() kgo.LogLevel { return kgo.LogLevelDebug }

func (s slogLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	var lvl slog.Level
	switch level {
	case kgo.LogLevelError:
		lvl = slog.LevelError
	case kgo.LogLevelWarn:
		lvl = slog.LevelWarn
	case kgo.LogLevelInfo:
		lvl = slog.LevelInfo
	default:
		lvl = slog.LevelDebug
	}
	s.l.Log(context.Background(), lvl, msg, keyvals...)
}
