package tail

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestFilterKeepsCopiesOfMatches checks that a match does not share memory
// with the fetch it came in: the filter keeps matches long after the ring
// dropped their neighbours, and a shared buffer would keep every one of
// those fetches alive.
func TestFilterKeepsCopiesOfMatches(t *testing.T) {
	fetched := []byte("key-1needle value")
	f := filter{}
	f.set("needle")
	r := &kgo.Record{Key: fetched[:5], Value: fetched[5:], Offset: 7}
	if !f.matches(r) {
		t.Fatal("the record should match")
	}
	f.add(r)
	for i := range fetched {
		fetched[i] = 'X' // the fetch's buffer, reused or freed
	}
	got := f.window(0, 1)
	if len(got) != 1 || got[0] == r || string(got[0].Key) != "key-1" || string(got[0].Value) != "needle value" || got[0].Offset != 7 {
		t.Fatalf("the filter kept %+v, not a copy of the match", got)
	}
}
