package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// link follows whether one franz-go client reaches the cluster, from the
// client's connection hooks. franz-go retries lost connections by itself and
// tells a consumer nothing while it does, so this is how a tail, or the
// status line, knows to say that it is reconnecting and why.
//
// A broker is down from a failed dial or login, until a dial and login to
// it succeed; and from a connection dying under a request, until a dial or
// a request to it succeeds. A request answered on a connection opened
// before says nothing of whether a new one would log in: with credentials
// gone, old sessions go on until they expire while new ones are refused. A
// seed is only a way in: once any broker answers, failures of seeds no
// longer count, since the client may never dial them again.
type link struct {
	// explain words an authentication or TLS failure for the user; network
	// errors are kept as they are, since "connection refused" after a
	// broker restart says what happened and a hint about ports would not.
	explain func(error) error
	// onChange, when set, is called after the set of down brokers or their
	// errors change, without the link's lock held.
	onChange func()
	// onLoginFail, when set, is called after every failed login that is
	// not the network's (credentials that cannot be had or are refused,
	// an untrusted certificate) with how many came in a row, no login
	// succeeding between. Retrying those does not help until someone acts.
	onLoginFail func(err error, inARow int)

	mu         sync.Mutex
	down       map[string]downBroker // by host:port
	n          uint64                // orders failures, to tell the latest
	loginFails int                   // failed logins in a row
}

type downBroker struct {
	seed  bool
	login bool // a failed dial or login, not a connection that died
	err   error
	n     uint64
}

func newLink(explain func(error) error) *link {
	return &link{explain: explain, down: map[string]downBroker{}}
}

// OnBrokerConnect implements kgo.HookBrokerConnect: a dial, TLS handshake
// or SASL login failed, or a connection is up.
func (l *link) OnBrokerConnect(meta kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	l.observe(meta, err, true)
	if err != nil && (ignorable(err) || networkErr(err)) {
		return
	}
	l.mu.Lock()
	if err == nil {
		l.loginFails = 0
		l.mu.Unlock()
		return
	}
	l.loginFails++
	n := l.loginFails
	l.mu.Unlock()
	if l.onLoginFail != nil {
		l.onLoginFail(l.word(err), n)
	}
}

// OnBrokerE2E implements kgo.HookBrokerE2E: a request was answered, or its
// connection failed while writing or reading it.
func (l *link) OnBrokerE2E(meta kgo.BrokerMetadata, _ int16, e2e kgo.BrokerE2E) {
	l.observe(meta, e2e.Err(), false)
}

func (l *link) observe(meta kgo.BrokerMetadata, err error, login bool) {
	if err != nil && ignorable(err) {
		return
	}
	l.mu.Lock()
	if err == nil && len(l.down) == 0 {
		l.mu.Unlock() // the common case, once per request: nothing to do
		return
	}
	addr := net.JoinHostPort(meta.Host, strconv.Itoa(int(meta.Port)))
	changed := false
	if err != nil {
		l.n++
		l.down[addr] = downBroker{seed: meta.NodeID < 0, login: login, err: l.word(withAddr(err, addr)), n: l.n}
		changed = true
	} else {
		for a, d := range l.down {
			if a == addr && (login || !d.login) || d.seed {
				delete(l.down, a)
				changed = true
			}
		}
	}
	l.mu.Unlock()
	if changed && l.onChange != nil {
		l.onChange()
	}
}

// err is the latest failure of a broker that is still down, or nil when
// every broker the client talked to last answered.
func (l *link) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var latest downBroker
	for _, d := range l.down {
		if d.n > latest.n {
			latest = d
		}
	}
	return latest.err
}

func (l *link) word(err error) error {
	if networkErr(err) || l.explain == nil {
		return err
	}
	return l.explain(err)
}

// withAddr names the broker in an error that does not already.
func withAddr(err error, addr string) error {
	switch {
	case strings.Contains(err.Error(), addr):
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("broker %s closed the connection: %w", addr, err)
	}
	return fmt.Errorf("broker %s: %w", addr, err)
}

// ignorable errors are the client's own doing: a request given up or a
// client closed, not the cluster going away.
func ignorable(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, kgo.ErrClientClosed)
}

// networkErr reports whether err is the network's: a refused, reset,
// closed or timed out connection, which retrying can mend.
func networkErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded)
}

// whileAlive returns what fn returns, or ctx's error as soon as ctx ends,
// leaving fn to finish in the background. franz-go sets a connection up
// (ApiVersions, SASL) under its own read deadline of 10s whatever the
// context of the request that needed it, so a broker that accepts and then
// says nothing would hold the caller that long; closing the client
// afterwards cuts the setup short.
func whileAlive[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// connectErr words a failed login the way Open would: with a hint for the
// endpoint, and as a Connect refusal for IAM advice.
func (s *Session) connectErr(err error) error { return s.fail(OpConnect, "", "", err) }

// Reconnecting returns why the session's own clients (its admin client and
// its producer) cannot reach a broker they need, or nil while they can.
// franz-go goes on retrying meanwhile.
func (s *Session) Reconnecting() error {
	if err := s.link.err(); err != nil {
		return err
	}
	s.prodMu.Lock()
	l := s.prodLink
	s.prodMu.Unlock()
	if l == nil {
		return nil
	}
	return l.err()
}
