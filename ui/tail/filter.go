package tail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
)

// scanMax bounds how many records one frame tests against the filter. A
// new filter tests the newest scanMax records of the ring; after that each
// frame tests only what arrived since the last, so a ring of any size costs
// the same to filter, and a burst beyond scanMax a frame is skipped rather
// than slowing the screen down.
const scanMax = 5000

// matchKeep is how many matching records are kept to show and scroll
// through: the filter holds pointers the ring may already have dropped, so
// this bounds what it keeps alive on top of the ring.
const matchKeep = 1000

// matchBytes bounds how much of each key, value and header is searched, so
// that a topic of large payloads costs the same per record as a topic of
// small ones; what lies further into a payload is not found.
const matchBytes = 8 << 10

// filter keeps the records matching a text, found as they arrive.
type filter struct {
	text  string // as typed; "" means no filter
	query string // text in lower case

	started bool  // the newest records of the ring were tested
	from    int64 // the tail's received count up to which records were tested
	scanned int64
	matched int64
	skipped int64 // arrived faster than scanMax a frame and were not tested
	// lastScan is how many records the last frame tested; tests read it to
	// check the bound.
	lastScan int

	ring []*kgo.Record // matches, a ring of at most matchKeep
	head int           // index of the oldest match when full
	n    int
}

// on reports whether a filter is set.
func (f *filter) on() bool { return f.text != "" }

// set replaces the text and forgets what the old text found.
func (f *filter) set(text string) {
	*f = filter{text: text, query: strings.ToLower(text)}
}

// restart forgets what was found but keeps the text, for a new tail whose
// received count starts again from zero.
func (f *filter) restart() { f.set(f.text) }

// scan tests what the tail received since the last scan, at most scanMax
// records.
func (f *filter) scan(t *kafka.Tail) {
	recs, next := t.Since(f.from, scanMax)
	if f.started {
		f.skipped += next - f.from - int64(len(recs))
	}
	f.started, f.from, f.lastScan = true, next, len(recs)
	f.scanned += int64(len(recs))
	for _, r := range recs {
		if f.matches(r) {
			f.add(r)
		}
	}
}

// add keeps a match. It keeps a copy of its own: the tail's records share
// memory with the others of their fetch, which a match kept long after the
// ring dropped them would keep alive.
func (f *filter) add(r *kgo.Record) {
	f.matched++
	r = kafka.Detach(r)[0]
	if f.ring == nil {
		f.ring = make([]*kgo.Record, matchKeep)
	}
	if f.n < len(f.ring) {
		f.ring[(f.head+f.n)%len(f.ring)] = r
		f.n++
		return
	}
	f.ring[f.head] = r
	f.head = (f.head + 1) % len(f.ring)
}

// window is Tail.Window over the matches.
func (f *filter) window(back, n int) []*kgo.Record {
	end := f.n - max(back, 0)
	if end <= 0 || n <= 0 {
		return nil
	}
	start := max(end-n, 0)
	out := make([]*kgo.Record, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, f.ring[(f.head+i)%len(f.ring)])
	}
	return out
}

// matches tests the key, the value and every header of r. It searches the
// sanitised text, as the pane shows it, so that what you see is what
// matches: an escape byte is found by typing \x1b.
func (f *filter) matches(r *kgo.Record) bool {
	if contains(r.Key, f.query) || contains(r.Value, f.query) {
		return true
	}
	for _, h := range r.Headers {
		if contains([]byte(h.Key), f.query) || contains(h.Value, f.query) {
			return true
		}
	}
	return false
}

func contains(b []byte, query string) bool {
	if len(b) == 0 {
		return false
	}
	b = b[:min(len(b), matchBytes)]
	return strings.Contains(strings.ToLower(kafka.Sanitize(b)), query)
}

// status says what the filter found and out of how much, so that "no
// match" is never mistaken for "nothing looked at".
func (f *filter) status() string {
	text := kafka.TruncateWidth(f.text, 24)
	s := fmt.Sprintf("filter '%s': %s of %s scanned", text, thousands(f.matched), thousands(f.scanned))
	if f.skipped > 0 {
		s += fmt.Sprintf(", %s skipped (arriving faster than the screen)", thousands(f.skipped))
	}
	return s
}

// thousands writes n with comma separators: counts here run to millions.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
