package tail

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
)

// Opener starts tails; *kafka.Session is one.
type Opener interface {
	Tail(ctx context.Context, topic string, o kafka.TailOptions) *kafka.Tail
}

// closeCmd closes a tail off the event loop: closing waits for its
// consumer to leave the cluster.
func closeCmd(t *kafka.Tail) tea.Cmd {
	return func() tea.Msg {
		t.Close()
		return nil
	}
}

func backCmd() tea.Msg { return BackMsg{} }
