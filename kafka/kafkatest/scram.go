package kafkatest

import (
	"crypto/tls"
	"encoding/binary"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kfake checks SCRAM itself, but when a password or user is wrong it drops
// the connection without answering, so a client sees EOF. A broker answers
// SASLAuthenticate with SASL_AUTHENTICATION_FAILED first, and a client (and
// the error screens built on it) should be tested against that. scramConn
// sits under kfake, notes each SASLAuthenticate kfake is given, and if kfake
// closes the connection before answering one, answers it the way a broker
// would.

// scramListen is a kfake.ListenFn that serves TLS itself, so that scramConn
// sees plaintext frames; kfake.TLS would put TLS on top of it.
func scramListen(cfg *tls.Config) func(network, address string) (net.Listener, error) {
	return func(network, address string) (net.Listener, error) {
		ln, err := net.Listen(network, address)
		if err != nil {
			return nil, err
		}
		return &scramListener{Listener: ln, tls: cfg}, nil
	}
}

type scramListener struct {
	net.Listener
	tls *tls.Config
}

func (l *scramListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &scramConn{Conn: tls.Server(c, l.tls)}, nil
}

type scramConn struct {
	net.Conn
	pending []byte // rest of the frame kfake is reading; reader goroutine only

	mu         sync.Mutex // serialises writes and guards the fields below
	mechanism  string     // from the last SASLHandshake
	unanswered bool       // a SASLAuthenticate awaits kfake's response
	authCorr   int32
	authVer    int16
	closed     bool
}

func (c *scramConn) Read(p []byte) (int, error) {
	if len(c.pending) == 0 {
		frame, err := readFrame(c.Conn, 0)
		if err != nil {
			return 0, err
		}
		c.note(frame)
		c.pending = frame
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// note remembers what is needed to answer a SASLAuthenticate kfake drops.
func (c *scramConn) note(frame []byte) {
	r := kbin.Reader{Src: frame[4:]}
	key, version, corr := r.Int16(), r.Int16(), r.Int32()
	switch kmsg.Key(key) {
	case kmsg.SASLHandshake:
		req := kmsg.NewPtrSASLHandshakeRequest()
		req.Version = version
		r.NullableString()
		if r.Complete() != nil || req.ReadFrom(r.Src) != nil {
			return // kfake will refuse it too
		}
		c.mu.Lock()
		c.mechanism = req.Mechanism
		c.mu.Unlock()
	case kmsg.SASLAuthenticate:
		c.mu.Lock()
		c.unanswered, c.authCorr, c.authVer = true, corr, version
		c.mu.Unlock()
	}
}

// Write is called by kfake once per response frame.
func (c *scramConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unanswered && len(p) >= 8 && int32(binary.BigEndian.Uint32(p[4:])) == c.authCorr {
		c.unanswered = false
	}
	return c.Conn.Write(p)
}

// Close answers a SASLAuthenticate that kfake gave up on. kfake also closes
// connections when the cluster shuts down; a client authenticating at that
// moment is told its credentials failed, which it will retry anyway.
func (c *scramConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && c.unanswered {
		resp := kmsg.NewPtrSASLAuthenticateResponse()
		resp.Version = c.authVer
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		// Kafka's wording, which clients show to users.
		msg := "Authentication failed during authentication due to invalid credentials with SASL mechanism " + c.mechanism
		resp.ErrorMessage = &msg
		// Bounded, since mu is held and kfake waits on this Close.
		c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		c.Conn.Write(appendResponse(nil, c.authCorr, resp))
	}
	c.closed = true
	return c.Conn.Close()
}
