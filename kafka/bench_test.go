package kafka_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// The topic every benchmark here reads whole: benchRecords records of
// benchSize bytes over six partitions led by three brokers.
const (
	benchRecords = 500_000
	benchSize    = 200
	benchTopic   = "bench"
)

// benchCluster is filled once per run: filling takes longer than reading.
var benchCluster = sync.OnceValues(func() (*kafkatest.Cluster, error) {
	c, err := kafkatest.Start(kafkatest.NumBrokers(3), kafkatest.Topics(6, benchTopic))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := kafkatest.Fill(ctx, c.Brokers, benchTopic, 6, benchRecords, benchSize); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
})

func benchSession(b *testing.B) *kafka.Session {
	b.Helper()
	c, err := benchCluster()
	if err != nil {
		b.Fatal(err)
	}
	s, err := kafka.Open(context.Background(), kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "rec/s")
}

// BenchmarkTail reads the topic from the beginning into a tail's ring of
// the default size, with no UI: the count is checked every millisecond.
func BenchmarkTail(b *testing.B) {
	s := benchSession(b)
	b.ResetTimer() // the cluster was filled above
	for range b.N {
		t := s.Tail(context.Background(), benchTopic, kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}})
		for t.Stats().Received < benchRecords {
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		t.Close()
		b.StartTimer()
	}
	reportRate(b)
}

// BenchmarkConsume reads the topic whole with Consume, as mskx consume -e
// does, handing every record to a callback that only counts.
func BenchmarkConsume(b *testing.B) {
	s := benchSession(b)
	b.ResetTimer() // the cluster was filled above
	for range b.N {
		n := 0
		err := s.Consume(context.Background(), benchTopic, kafka.ConsumeOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, UntilEnd: true},
			func(*kgo.Record) error { n++; return nil })
		if err != nil {
			b.Fatal(err)
		}
		if n != benchRecords {
			b.Fatalf("consumed %d records, want %d", n, benchRecords)
		}
	}
	reportRate(b)
}

// BenchmarkRawPollFetches is the baseline of the two above: a bare franz-go
// client with its defaults, PollFetches in a loop, counting.
func BenchmarkRawPollFetches(b *testing.B) {
	c, err := benchCluster()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer() // the cluster was filled above
	for range b.N {
		if err := kafkatest.CountFromStart(context.Background(), c.Brokers, benchTopic, 6, benchRecords); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}
