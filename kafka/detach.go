package kafka

import "github.com/twmb/franz-go/pkg/kgo"

// Detach returns copies of recs that share no memory with what franz-go
// fetched. A fetched record's key, value and header values point into the
// fetch response, or the decompressed batch, it came in: keeping a record
// keeps that whole buffer alive. That is cheap for the tail's ring, whose
// records leave together with the rest of their fetch, but not for a
// reader that keeps a few records of many fetches long after the rest are
// gone, such as the tail's filter keeping its matches. The copies of one
// call share one allocation for their bytes, one for their headers and one
// for the records; a nil key or value stays nil.
func Detach(recs ...*kgo.Record) []*kgo.Record {
	if len(recs) == 0 {
		return nil
	}
	size, nh := 0, 0
	for _, r := range recs {
		size += len(r.Key) + len(r.Value)
		for _, h := range r.Headers {
			size += len(h.Value)
		}
		nh += len(r.Headers)
	}
	buf := make([]byte, 0, size)
	headers := make([]kgo.RecordHeader, 0, nh)
	copies := make([]kgo.Record, len(recs))
	out := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		c := &copies[i]
		*c = *r
		c.Key, buf = detachBytes(buf, r.Key)
		c.Value, buf = detachBytes(buf, r.Value)
		if r.Headers != nil {
			from := len(headers)
			for _, h := range r.Headers {
				var v []byte
				v, buf = detachBytes(buf, h.Value)
				headers = append(headers, kgo.RecordHeader{Key: h.Key, Value: v})
			}
			c.Headers = headers[from:len(headers):len(headers)]
		}
		out[i] = c
	}
	return out
}

// detachBytes appends b to buf and returns the copy, capped so that an
// append to it cannot write into the next one, and the grown buf.
func detachBytes(buf, b []byte) ([]byte, []byte) {
	if b == nil {
		return nil, buf
	}
	from := len(buf)
	buf = append(buf, b...)
	return buf[from:len(buf):len(buf)], buf
}
