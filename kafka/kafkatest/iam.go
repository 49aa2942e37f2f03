package kafkatest

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kfake knows PLAIN and SCRAM but not OAUTHBEARER, so an IAM cluster runs
// kfake without SASL and puts an interceptor on each accepted connection: it
// speaks TLS, answers SASLHandshake and SASLAuthenticate itself, and hands
// every other request frame to kfake byte for byte once the connection has
// authenticated. kfake never learns SASL is involved.

const (
	mechOAuthBearer = "OAUTHBEARER"

	// maxUnauthFrame bounds what an unauthenticated peer can make us
	// allocate: Kafka's sasl.server.max.receive.size default.
	maxUnauthFrame = 512 * 1024

	accessDenied = "Access denied" // all MSK tells a refused client
)

// iamServer is shared by the listeners of all brokers of one cluster.
type iamServer struct {
	tls      *tls.Config
	verifier *verifier
	lifetime time.Duration
	logf     func(format string, args ...any)
	auths    atomic.Int64
}

// listen is a kfake.ListenFn. kfake wraps what it returns with TLS only when
// kfake.TLS is given, which it is not, so TLS happens here, under the
// interceptor.
func (s *iamServer) listen(network, address string) (net.Listener, error) {
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	return &iamListener{Listener: ln, s: s}, nil
}

type iamListener struct {
	net.Listener
	s *iamServer
}

// Accept does not handshake TLS: that happens on the connection's first read,
// in kfake's per-connection goroutine, so a slow client cannot hold up the
// accept loop.
func (l *iamListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &iamConn{Conn: tls.Server(c, l.s.tls), s: l.s}, nil
}

type saslState uint8

const (
	stateBegin         saslState = iota // ApiVersions and SASLHandshake only
	stateHandshaked                     // OAUTHBEARER chosen; SASLAuthenticate only
	stateAuthenticated                  // everything goes to kfake
)

// iamConn is what kfake reads requests from and writes responses to.
//
// kfake reads each frame with two io.ReadFull calls (size, then body) from a
// single goroutine at a time, and writes each response with one Write call
// from its writing goroutine. Read therefore runs the SASL state machine
// without locks, and Write only needs wmu to keep kfake's responses and ours
// from interleaving.
type iamConn struct {
	net.Conn
	s   *iamServer
	wmu sync.Mutex

	// Only the reading goroutine touches these.
	pending []byte    // rest of a frame being handed to kfake
	state   saslState // where the SASL exchange stands
	reauth  bool      // the SASL exchange under way renews a session (KIP-368)
	expires time.Time // end of the session when a lifetime is set
}

func (c *iamConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.Conn.Write(p)
}

// Read returns bytes of frames meant for kfake, answering SASL frames along
// the way. A protocol or authentication failure closes the connection and
// surfaces to kfake as a read error, which makes it drop the connection too.
func (c *iamConn) Read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		limit := uint32(0)
		if c.state != stateAuthenticated {
			limit = maxUnauthFrame
		}
		frame, err := readFrame(c.Conn, limit)
		if err != nil {
			if errors.Is(err, errFrameSize) {
				c.refuse(err)
			}
			return 0, err
		}
		pass, err := c.handle(frame)
		if err != nil {
			c.refuse(err)
			return 0, err
		}
		if pass {
			c.pending = frame
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

func (c *iamConn) refuse(why error) {
	c.s.logf("iam: %s: closing connection: %v", c.RemoteAddr(), why)
	c.Conn.Close()
}

var errFrameSize = errors.New("bad request frame size")

// readFrame returns one whole request frame, size prefix included, refusing
// frames larger than limit unless limit is 0.
func readFrame(r io.Reader, limit uint32) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(size[:])
	if n < 8 || limit > 0 && n > limit || n > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d bytes", errFrameSize, n)
	}
	frame := make([]byte, 4+n)
	copy(frame, size[:])
	if _, err := io.ReadFull(r, frame[4:]); err != nil {
		return nil, err
	}
	return frame, nil
}

// handle reports whether frame goes on to kfake. An error means the
// connection must close, after whatever response has already been written.
func (c *iamConn) handle(frame []byte) (pass bool, err error) {
	body := frame[4:]
	key := int16(binary.BigEndian.Uint16(body))
	switch {
	case key == int16(kmsg.SASLHandshake), key == int16(kmsg.SASLAuthenticate):
		return false, c.handleSASL(body)
	case c.state == stateAuthenticated:
		// Like a broker (KIP-368), refuse to serve a session the client
		// let lapse instead of re-authenticating.
		if !c.expires.IsZero() && time.Now().After(c.expires) {
			return false, errors.New("session expired without reauthentication")
		}
		return true, nil
	case key == int16(kmsg.ApiVersions) && c.state == stateBegin:
		return true, nil // clients learn the SASL versions from it
	default:
		return false, fmt.Errorf("%s request before authentication", kmsg.NameForKey(key))
	}
}

func (c *iamConn) handleSASL(body []byte) error {
	r := kbin.Reader{Src: body}
	key, version, corr := r.Int16(), r.Int16(), r.Int32()
	req := kmsg.RequestForKey(key)
	req.SetVersion(version)
	r.NullableString() // client ID
	if req.IsFlexible() {
		kmsg.SkipTags(&r)
	}
	if err := r.Complete(); err != nil {
		return fmt.Errorf("%s header: %w", kmsg.NameForKey(key), err)
	}
	if err := req.ReadFrom(r.Src); err != nil {
		return fmt.Errorf("%s v%d body: %w", kmsg.NameForKey(key), version, err)
	}
	switch req := req.(type) {
	case *kmsg.SASLHandshakeRequest:
		return c.handshake(corr, req)
	case *kmsg.SASLAuthenticateRequest:
		return c.authenticate(corr, req)
	}
	panic("unreachable: handle routes only SASL keys here")
}

func (c *iamConn) handshake(corr int32, req *kmsg.SASLHandshakeRequest) error {
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	resp.SupportedMechanisms = []string{mechOAuthBearer}
	// v0 means raw SASL bytes follow instead of SASLAuthenticate frames;
	// kfake advertises only v1, so no client we serve asks for v0.
	if req.Version < 1 {
		resp.ErrorCode = kerr.UnsupportedVersion.Code
		return errors.Join(c.reply(corr, resp), errors.New("SASLHandshake v0"))
	}
	switch c.state {
	case stateHandshaked:
		resp.ErrorCode = kerr.IllegalSaslState.Code
		return errors.Join(c.reply(corr, resp), errors.New("second SASLHandshake before SASLAuthenticate"))
	case stateAuthenticated:
		if c.expires.IsZero() {
			// Without a session lifetime there is nothing to
			// re-authenticate; a broker answers this from its
			// request handler and keeps the connection.
			resp.ErrorCode = kerr.IllegalSaslState.Code
			return c.reply(corr, resp)
		}
	}
	c.reauth = c.state == stateAuthenticated
	if req.Mechanism != mechOAuthBearer {
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		return errors.Join(c.reply(corr, resp), fmt.Errorf("unsupported SASL mechanism %q", req.Mechanism))
	}
	c.state = stateHandshaked
	return c.reply(corr, resp)
}

func (c *iamConn) authenticate(corr int32, req *kmsg.SASLAuthenticateRequest) error {
	resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
	switch c.state {
	case stateBegin:
		resp.ErrorCode = kerr.IllegalSaslState.Code
		return errors.Join(c.reply(corr, resp), errors.New("SASLAuthenticate before SASLHandshake"))
	case stateAuthenticated:
		resp.ErrorCode = kerr.IllegalSaslState.Code
		return c.reply(corr, resp)
	}

	akid, tokenExpires, err := c.check(req.SASLAuthBytes)
	if err != nil {
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := accessDenied
		resp.ErrorMessage = &msg
		return errors.Join(c.reply(corr, resp), fmt.Errorf("authentication failed: %w", err))
	}

	c.state = stateAuthenticated
	c.expires = time.Time{}
	if c.s.lifetime > 0 {
		// A broker ends the session at the earlier of its configured
		// lifetime and the credential's expiry. The token is judged
		// by the cluster clock, the session by the real one, since
		// the client times re-authentication with the real one.
		lifetime := min(c.s.lifetime, tokenExpires.Sub(c.s.verifier.now()))
		resp.SessionLifetimeMillis = max(lifetime.Milliseconds(), 1)
		c.expires = time.Now().Add(lifetime)
	}
	c.s.auths.Add(1)
	what := "authenticated"
	if c.reauth {
		what = "reauthenticated"
	}
	c.s.logf("iam: %s: %s access key %s", c.RemoteAddr(), what, akid)
	return c.reply(corr, resp)
}

func (c *iamConn) check(authBytes []byte) (akid string, expires time.Time, err error) {
	token, err := parseOAuthBearer(authBytes)
	if err != nil {
		return "", time.Time{}, err
	}
	return c.s.verifier.verify(token)
}

func (c *iamConn) reply(corr int32, resp kmsg.Response) error {
	_, err := c.Write(appendResponse(nil, corr, resp))
	return err
}

// appendResponse appends a response frame: size, correlation ID, the
// header's tagged fields for flexible versions, then the body.
func appendResponse(dst []byte, corr int32, resp kmsg.Response) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = binary.BigEndian.AppendUint32(dst, uint32(corr))
	if resp.IsFlexible() && resp.Key() != int16(kmsg.ApiVersions) { // ApiVersions keeps header v0 (KIP-511)
		dst = append(dst, 0)
	}
	dst = resp.AppendTo(dst)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst
}
