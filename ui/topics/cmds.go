package topics

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
)

// Lister lists, describes and administers topics; *kafka.Session is one.
// The admin methods refuse with kafka.ErrReadOnly on a read-only session.
type Lister interface {
	Topics(ctx context.Context) ([]kafka.Topic, error)
	DescribeTopic(ctx context.Context, topic string) (kafka.TopicDetail, error)
	// CreateTopic takes replication -1 for the cluster default.
	CreateTopic(ctx context.Context, topic string, partitions int32, replication int16, configs map[string]*string) error
	// AddPartitions raises the partition count to total.
	AddPartitions(ctx context.Context, topic string, total int) error
	SetTopicConfig(ctx context.Context, topic, name, value string) error
	// ResetTopicConfig brings a config back to the cluster default.
	ResetTopicConfig(ctx context.Context, topic, name string) error
	DeleteTopic(ctx context.Context, topic string) error
}

// refreshEvery is how often the list reloads by itself.
const refreshEvery = 10 * time.Second

// refresher is a Lister that serves topics from a cache it can be told to
// refresh; *kafka.Session is one.
type refresher interface {
	RefreshMetadata(ctx context.Context) error
}

// loadCmd lists topics off the event loop. fresh refreshes the cache
// first, so that a change just made or a refresh asked for shows at once.
func loadCmd(l Lister, gen int, fresh bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if r, ok := l.(refresher); ok && fresh {
			_ = r.RefreshMetadata(ctx) // if the cluster is unreachable, Topics says so
		}
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

// adminTimeout bounds one admin call; the session has its own request
// timeout as well.
const adminTimeout = 60 * time.Second

// adminCmd runs one admin call off the event loop and reports it as an
// adminDoneMsg; do captures copies of what it needs, never the model.
func adminCmd(a adminAction, do func(ctx context.Context) error) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		return adminDoneMsg{action: a, err: do(ctx)}
	}
}
