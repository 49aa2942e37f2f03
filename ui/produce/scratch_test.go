package produce
import (
	"context"
	"testing"
	"time"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
)
func TestScratch(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "orders"))
	s, err := kafka.Open(context.Background(), kafka.Endpoint{Brokers: c.Brokers})
	if err != nil { t.Fatal(err) }
	defer s.Close()
	for _, m := range []kafka.Message{{Topic: "orders", Partition: 9}, {Topic: "nope", Partition: -1}, {Topic: "orders", Partition: -1, Key: []byte("a")}} {
		st := time.Now()
		d := s.ProduceSync(context.Background(), m)
		t.Logf("%v %+v", time.Since(st), d)
	}
}
