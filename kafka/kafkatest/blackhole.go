package kafkatest

import (
	"net"
	"sync"
	"sync/atomic"
)

// Blackhole goes between brokers and their clients and, once silenced,
// swallows whatever clients send on any connection, old or new, and answers
// nothing: the way a broker behind a dropped route or on a frozen host looks.
// Connections still open, so only timeouts tell. Give Listen to a plaintext
// kfake cluster with kfake.ListenFn.
type Blackhole struct{ on atomic.Bool }

// Silence makes the brokers go quiet from now on.
func (b *Blackhole) Silence() { b.on.Store(true) }

// Listen is a kfake.ListenFn.
func (b *Blackhole) Listen(network, address string) (net.Listener, error) {
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	return &holeListener{Listener: ln, b: b}, nil
}

type holeListener struct {
	net.Listener
	b *Blackhole
}

func (l *holeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &holeConn{Conn: c, b: l.b, closed: make(chan struct{})}, nil
}

type holeConn struct {
	net.Conn
	b      *Blackhole
	once   sync.Once
	closed chan struct{}
}

// Read hands the broker what the client sent until the hole is silenced;
// from then on what arrives is dropped and the broker waits until the
// connection closes.
func (c *holeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.b.on.Load() {
		<-c.closed
		return 0, net.ErrClosed
	}
	return n, err
}

// Write drops the broker's answers once the hole is silenced.
func (c *holeConn) Write(p []byte) (int, error) {
	if c.b.on.Load() {
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *holeConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}
