package kafka_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
)

func TestDetachCopiesEverythingAndSharesNothing(t *testing.T) {
	fetched := []byte("key-1value-1hv-akey-2value-2")
	recs := []*kgo.Record{
		{Topic: "t", Partition: 2, Offset: 41, Timestamp: time.Unix(1700000000, 0),
			Key: fetched[0:5], Value: fetched[5:12], Headers: []kgo.RecordHeader{{Key: "h", Value: fetched[12:16]}, {Key: "nil"}}},
		{Topic: "t", Partition: 2, Offset: 42, Key: fetched[16:21], Value: fetched[21:28]},
		{Topic: "t", Partition: 2, Offset: 43, Key: nil, Value: []byte{}}, // a tombstone-like record: nil key, empty value
		{Topic: "t", Partition: 2, Offset: 44, Value: nil},
	}
	want := make([]kgo.Record, len(recs))
	for i, r := range recs {
		want[i] = *r
		want[i].Key, want[i].Value = bytes.Clone(r.Key), bytes.Clone(r.Value)
		want[i].Headers = nil
		for _, h := range r.Headers {
			want[i].Headers = append(want[i].Headers, kgo.RecordHeader{Key: h.Key, Value: bytes.Clone(h.Value)})
		}
	}

	got := kafka.Detach(recs...)
	for i := range fetched {
		fetched[i] = 'X' // franz-go reusing or the GC freeing the fetch
	}
	for i, r := range got {
		if r == recs[i] {
			t.Fatalf("record %d: Detach returned the record itself", i)
		}
		if !reflect.DeepEqual(*r, want[i]) {
			t.Errorf("record %d: got %+v, want %+v", i, *r, want[i])
		}
		if (r.Key == nil) != (recs[i].Key == nil) || (r.Value == nil) != (recs[i].Value == nil) {
			t.Errorf("record %d: nil key or value not kept nil (key %v, value %v)", i, r.Key == nil, r.Value == nil)
		}
	}
	// Appending to one copy must not write into the next one's bytes.
	_ = append(got[0].Key, "!!!!!!!!"...)
	if string(got[0].Value) != "value-1" {
		t.Errorf("an append to a key wrote into the value: %q", got[0].Value)
	}
	_ = append(got[0].Headers, kgo.RecordHeader{Key: "x"})
	if got[1].Headers != nil {
		t.Errorf("an append to headers reached the next record: %+v", got[1].Headers)
	}
	if kafka.Detach() != nil {
		t.Error("Detach of nothing is not nil")
	}
}
