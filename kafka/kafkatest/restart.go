package kafkatest

import (
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Restartable is a plaintext cluster that can go down and come back the way
// a broker restart looks to a client: the brokers listen on the same ports
// again and, through kfake's DataDir, keep their topics, records, producer
// sequence numbers and committed offsets. Between Stop and Start nothing
// listens, so dials are refused.
//
// Only ModePlaintext: the other modes make a new CA on every start, which
// the clients of the previous start would not trust.
type Restartable struct {
	t    testing.TB
	opts []Opt

	mu sync.Mutex
	c  *Cluster
}

// NewRestartable starts a Restartable cluster with opts, failing t if it
// cannot; the cluster closes when t ends.
func NewRestartable(t testing.TB, opts ...Opt) *Restartable {
	t.Helper()
	var probe cfg
	for _, o := range opts {
		o.apply(&probe)
	}
	if m := probe.mode(); m != ModePlaintext {
		t.Fatalf("kafkatest: a Restartable cluster is plaintext, not %s", m)
	}
	if len(probe.ports) == 0 {
		// Port 0 per broker lets the system choose; the chosen ports
		// are kept for every later start.
		opts = append(opts, Ports(make([]int, probe.brokers())...))
	}
	r := &Restartable{t: t, opts: append(opts, KfakeOpts(kfake.DataDir(t.TempDir())))}
	r.c = New(t, r.opts...)
	ports := make([]int, len(r.c.Brokers))
	for i, addr := range r.c.Brokers {
		_, p, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		if ports[i], err = strconv.Atoi(p); err != nil {
			t.Fatal(err)
		}
	}
	r.opts = append(r.opts, Ports(ports...))
	return r
}

// Cluster is the cluster of the latest start, for fault injection and
// admin shortcuts; it is closed while stopped.
func (r *Restartable) Cluster() *Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c
}

// Brokers are the brokers' addresses, the same for every start.
func (r *Restartable) Brokers() []string { return r.Cluster().Brokers }

// Stop closes the brokers and their connections, saving their data.
func (r *Restartable) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.c.Close()
}

// Start starts the brokers again on their ports with the data saved by
// Stop, failing t if it cannot.
func (r *Restartable) Start() {
	r.t.Helper()
	c := New(r.t, r.opts...)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.c = c
}

// Restart is Stop then Start.
func (r *Restartable) Restart() {
	r.t.Helper()
	r.Stop()
	r.Start()
}
