package kafkatest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

var txnIDs atomic.Int64

// ProduceTxn writes values to one partition of topic in one transaction,
// committed or aborted, as a transactional producer (Kafka Streams and
// other exactly-once applications) does. The transaction ends in a marker,
// a control record that takes an offset but is given to no consumer.
// Plaintext and TLS clusters only.
func (c *Cluster) ProduceTxn(ctx context.Context, topic string, partition int32, commit bool, values ...string) error {
	cl, err := c.beginTxn(ctx, topic, partition, values)
	if err != nil {
		return err
	}
	defer cl.Close()
	return cl.EndTransaction(ctx, kgo.TransactionEndTry(commit))
}

// OpenTxn writes values to one partition of topic in a transaction it
// leaves open (for up to a minute) until the returned function is called,
// which aborts it. Plaintext and TLS clusters only.
func (c *Cluster) OpenTxn(ctx context.Context, topic string, partition int32, values ...string) (abort func(), err error) {
	cl, err := c.beginTxn(ctx, topic, partition, values)
	if err != nil {
		return nil, err
	}
	return func() {
		cl.EndTransaction(context.Background(), kgo.TryAbort)
		cl.Close()
	}, nil
}

// beginTxn starts a transaction as a new transactional producer and writes
// values in it.
func (c *Cluster) beginTxn(ctx context.Context, topic string, partition int32, values []string) (*kgo.Client, error) {
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...), kgo.TransactionalID(fmt.Sprintf("kafkatest-txn-%d", txnIDs.Add(1))),
		kgo.TransactionTimeout(time.Minute), kgo.RecordPartitioner(kgo.ManualPartitioner())}
	if c.Mode != ModePlaintext {
		opts = append(opts, kgo.DialTLSConfig(c.TLSConfig()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	if err := cl.BeginTransaction(); err != nil {
		cl.Close()
		return nil, err
	}
	for _, v := range values {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: partition, Value: []byte(v)}).FirstErr(); err != nil {
			cl.Close()
			return nil, fmt.Errorf("transactional produce to %s/%d: %w", topic, partition, err)
		}
	}
	return cl, nil
}
