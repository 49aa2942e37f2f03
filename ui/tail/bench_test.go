package tail

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
)

// ingestRecords is how many records of ingestSize bytes each ingest
// benchmark operation reads, over six partitions.
const (
	ingestRecords = 500_000
	ingestSize    = 200
	ingestTopic   = "ingest"
)

// ingestCluster is one filled cluster for all ingest benchmarks of a run:
// filling it takes longer than reading it.
var ingestCluster = sync.OnceValues(func() (*kafkatest.Cluster, error) {
	c, err := kafkatest.Start(kafkatest.NumBrokers(3), kafkatest.Topics(6, ingestTopic))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := kafkatest.Fill(ctx, c.Brokers, ingestTopic, 6, ingestRecords, ingestSize); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
})

// recordingOpener opens real tails and keeps the last, so the benchmark
// can tell when it has read everything without going through the model.
type recordingOpener struct {
	s    *kafka.Session
	last *kafka.Tail
}

func (o *recordingOpener) Tail(ctx context.Context, topic string, opts kafka.TailOptions) *kafka.Tail {
	o.last = o.s.Tail(ctx, topic, opts)
	return o.last
}

// BenchmarkTailIngest reads the topic from the beginning through a real
// kafka.Tail while the pane runs as in the App: a frame tick every 100 ms
// (the default --max-fps 10) reads the window and draws it at 200x60. An
// operation ends when the tail has received every record.
func BenchmarkTailIngest(b *testing.B) {
	c, err := ingestCluster()
	if err != nil {
		b.Fatal(err)
	}
	s, err := kafka.Open(context.Background(), kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p, _ := themes.ByName("dark")
	op := &recordingOpener{s: s}
	m := New(common.New(p), op, kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}})
	m.SetSize(200, 57)
	m.Focus()
	b.ResetTimer() // the cluster was filled above
	for range b.N {
		m.Open(ingestTopic) // a new tail from the beginning; the last one was closed
		t := op.last
		frame := time.NewTicker(100 * time.Millisecond)
		for t.Stats().Received < ingestRecords {
			select {
			case <-frame.C:
				m.Update(FrameMsg{})
				_ = m.View()
			case <-time.After(time.Millisecond):
			}
		}
		frame.Stop()
		b.StopTimer()
		m.Update(FrameMsg{})
		if got := m.stats.Received; got != ingestRecords {
			b.Fatalf("received %d records, want %d", got, ingestRecords)
		}
		t.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(ingestRecords)*float64(b.N)/b.Elapsed().Seconds(), "rec/s")
}

// BenchmarkTailIngestRawBaseline is the baseline of BenchmarkTailIngest: a
// bare franz-go client with its defaults reading the same records with
// PollFetches and only counting them.
func BenchmarkTailIngestRawBaseline(b *testing.B) {
	c, err := ingestCluster()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer() // the cluster was filled above
	for range b.N {
		if err := kafkatest.CountFromStart(context.Background(), c.Brokers, ingestTopic, 6, ingestRecords); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(ingestRecords)*float64(b.N)/b.Elapsed().Seconds(), "rec/s")
}

// BenchmarkFrame200x60 is one frame tick of the pane while records arrive,
// with 100,000 records in the ring: it reads the newest window and draws
// it at 200x57 (the pane's share of a 200x60 screen). Each operation reads
// the window again, as when the tail has changed since the last frame.
func BenchmarkFrame200x60(b *testing.B) {
	c, err := ingestCluster()
	if err != nil {
		b.Fatal(err)
	}
	s, err := kafka.Open(context.Background(), kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p, _ := themes.ByName("dark")
	op := &recordingOpener{s: s}
	m := New(common.New(p), op, kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, RingSize: 100_000})
	m.SetSize(200, 57)
	m.Focus()
	m.Open(ingestTopic)
	defer m.Close()
	for op.last.Stats().Received < ingestRecords {
		time.Sleep(10 * time.Millisecond)
	}
	for b.Loop() {
		m.lastLoaded = false
		m.Update(FrameMsg{})
		_ = m.View()
	}
}
