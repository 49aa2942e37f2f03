package groups

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
)

// Lister lists and describes consumer groups; *kafka.Session is one.
type Lister interface {
	Groups(ctx context.Context) ([]kafka.Group, error)
	DescribeGroup(ctx context.Context, name string) (kafka.GroupDetail, error)
}

// RefreshEvery is how often the pane refreshes by itself while focused:
// often enough to watch lag move, rare enough to cost the cluster little.
const RefreshEvery = 3 * time.Second

// callTimeout bounds one call, so a hung cluster cannot stall refreshes.
const callTimeout = 30 * time.Second

// loadCmd lists groups off the event loop.
func loadCmd(l Lister, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		gs, err := l.Groups(ctx)
		return loadedMsg{gen: gen, groups: gs, err: err}
	}
}

// describeCmd describes one group off the event loop.
func describeCmd(l Lister, gen int, name string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		d, err := l.DescribeGroup(ctx, name)
		return describedMsg{gen: gen, name: name, detail: d, err: err}
	}
}
