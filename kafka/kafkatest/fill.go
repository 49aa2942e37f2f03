package kafkatest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Fill writes n records of about size bytes each to topic, spread evenly
// over its partitions in large batches, for benchmarks that need a topic
// of known shape quickly. Values are JSON text with an increasing id, keys
// repeat over a thousand customers, and every record has the same header.
// The producer compresses batches with franz-go's default, snappy, as most
// producers to MSK do.
func Fill(ctx context.Context, brokers []string, topic string, partitions int32, n, size int) error {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchMaxBytes(1<<20),
		kgo.ProducerLinger(20*time.Millisecond),
		kgo.MaxBufferedRecords(100_000),
		kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.DisableIdempotentWrite(),
	)
	if err != nil {
		return fmt.Errorf("fill %s: %w", topic, err)
	}
	defer cl.Close()
	errc := make(chan error, 1)
	done := func(_ *kgo.Record, err error) {
		if err != nil {
			select {
			case errc <- err:
			default:
			}
		}
	}
	headers := []kgo.RecordHeader{{Key: "source", Value: []byte("kafkatest")}}
	for i := range n {
		r := &kgo.Record{
			Topic:     topic,
			Partition: int32(i) % partitions,
			Key:       []byte("customer-" + strconv.Itoa(i%1000)),
			Value:     FillValue(i, size),
			Headers:   headers,
		}
		cl.Produce(ctx, r, done)
	}
	if err := cl.Flush(ctx); err != nil {
		return fmt.Errorf("fill %s: %w", topic, err)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("fill %s: %w", topic, err)
	default:
		return nil
	}
}

// FillValue is the value Fill writes as record i: a JSON object of size
// bytes (or a little more when size is too small to hold it) whose padding
// is pseudo-random letters and digits, so that it compresses about as well
// as real JSON payloads do, not to nothing.
func FillValue(i, size int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 0, size)
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `,"pad":"`...)
	x := uint64(i)*0x9e3779b97f4a7c15 + 1
	for len(b) < size-2 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b = append(b, alphabet[x%uint64(len(alphabet))])
	}
	return append(b, `"}`...)
}

// CountFromStart reads topic's partitions 0..partitions-1 from their start
// with a bare franz-go client on its defaults, counting records until it has
// n: the baseline that benchmarks of mskx's readers compare against.
func CountFromStart(ctx context.Context, brokers []string, topic string, partitions int32, n int) error {
	assign := map[int32]kgo.Offset{}
	for p := range partitions {
		assign[p] = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: assign}))
	if err != nil {
		return err
	}
	defer cl.Close()
	for got := 0; got < n; {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			return err
		}
		got += fs.NumRecords()
	}
	return nil
}
