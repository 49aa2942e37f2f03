package topics

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
)

// Lister lists and describes topics; *kafka.Session is one.
type Lister interface {
	Topics(ctx context.Context) ([]kafka.Topic, error)
	DescribeTopic(ctx context.Context, topic string) (kafka.TopicDetail, error)
}

// refreshEvery is how often the list reloads by itself.
const refreshEvery = 10 * time.Second

// loadCmd lists topics off the event loop.
func loadCmd(l Lister, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ts, err := l.Topics(ctx)
		return loadedMsg{gen: gen, topics: ts, err: err}
	}
}

func refreshCmd(gen int) tea.Cmd {
	return tea.Tick(refreshEvery, func(time.Time) tea.Msg { return refreshMsg{gen: gen} })
}

// describeCmd describes one topic off the event loop.
func describeCmd(l Lister, gen int, topic string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		d, err := l.DescribeTopic(ctx, topic)
		return describedMsg{gen: gen, topic: topic, detail: d, err: err}
	}
}
