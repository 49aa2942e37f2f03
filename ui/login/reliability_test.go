package login

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/auth"
)

// A connect to a broker that accepts and then never answers gives up
// within the dial timeout, at the step that got no answer, saying why.
func TestConnectGivesUpOnASilentBroker(t *testing.T) {
	m := newScreen(t, auth.Config{Mode: auth.Plaintext, Brokers: []string{hangingBroker(t)}}, 80, 24)
	m.opts.dialTimeout = time.Second
	l := newLoop(t, m, "")
	start := time.Now()
	l.key("ctrl+s", isDone)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("gave up after %s with a 1s dial timeout", took)
	}
	v := view(m)
	wantIn(t, v, "✓ tcp", "✗ metadata", "no answer in time")
	if m.Connecting() {
		t.Errorf("still connecting:\n%s", v)
	}
}

// esc gives up a connect waiting on a silent broker's metadata at once.
func TestEscDuringMetadataIsInstant(t *testing.T) {
	m := newScreen(t, auth.Config{Mode: auth.Plaintext, Brokers: []string{hangingBroker(t)}}, 80, 24)
	m.opts.dialTimeout = time.Minute // only esc may end the wait
	l := newLoop(t, m, "")
	esc := press("esc")
	var pressed time.Time
	l.onMsg = func(msg tea.Msg) *tea.KeyPressMsg {
		if sm, ok := msg.(stepMsg); ok && sm.step.name == "sasl" { // skipped: metadata is next
			pressed = time.Now()
			return &esc
		}
		return nil
	}
	l.key("ctrl+s", isDone)
	if took := time.Since(pressed); pressed.IsZero() || took > 2*time.Second {
		t.Errorf("the attempt wound down %s after esc", took)
	}
	v := view(m)
	wantIn(t, v, "cancelled")
	if m.Connecting() || strings.Contains(v, "✗") {
		t.Errorf("after esc: connecting %v\n%s", m.Connecting(), v)
	}
}
