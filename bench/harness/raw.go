package main

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// rawConsume is the baseline for consume: a bare franz-go PollFetches loop
// with the client's defaults that reads topic from its start to the end it
// had when reading began, and only counts. It returns the count.
func rawConsume(brokers []string, topic string) (int64, error) {
	ctx := context.Background()
	adm, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return 0, err
	}
	ends, err := kadm.NewClient(adm).ListEndOffsets(ctx, topic)
	adm.Close()
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return 0, fmt.Errorf("list end offsets: %w", err)
	}
	var total int64
	assign := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) {
		total += o.Offset
		assign[o.Partition] = kgo.NewOffset().AtStart()
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: assign}))
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	var n int64
	for n < total {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			return n, err
		}
		n += int64(fs.NumRecords())
	}
	return n, nil
}
