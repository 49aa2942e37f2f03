package kafkatest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// demoGen makes the sample records. All randomness comes from one seeded
// source, and it is used by one goroutine at a time: StartDemo, then the
// live producer.
type demoGen struct {
	rng       *rand.Rand
	nextOrder int
	open      []*demoOrder // created or paid, not yet shipped
	sensors   []demoSensor
}

type demoOrder struct {
	ID        string      `json:"order_id"`
	Customer  string      `json:"customer"`
	Items     []demoItem  `json:"items"`
	Total     json.Number `json:"total"`
	Currency  string      `json:"currency"`
	Status    string      `json:"status"`
	CreatedAt string      `json:"created_at"`
	UpdatedAt string      `json:"updated_at"`
}

type demoItem struct {
	SKU   string      `json:"sku"`
	Qty   int         `json:"qty"`
	Price json.Number `json:"price"`
}

type demoSensor struct {
	id         uint32
	base, temp float64
	seq        uint32
}

// demoTime is RFC 3339 in UTC with milliseconds, as services log.
const demoTime = "2006-01-02T15:04:05.000Z"

func newDemoGen(seed int64) *demoGen {
	g := &demoGen{rng: rand.New(rand.NewPCG(uint64(seed), 0x6d736b78))}
	g.nextOrder = 10000 + g.rng.IntN(5000)
	for i := range 8 {
		base := 18 + 8*g.rng.Float64()
		g.sensors = append(g.sensors, demoSensor{id: 0x0a01 + uint32(i), base: base, temp: base})
	}
	return g
}

// history is the pre-filled records: each topic's spread over the hour
// before end, in time order.
func (g *demoGen) history(end time.Time, topics []demoTopic) []*kgo.Record {
	var out []*kgo.Record
	for _, t := range topics {
		gen := map[string]func(time.Time) *kgo.Record{
			DemoTopicOrders: g.order, DemoTopicAppLogs: g.logLine, DemoTopicSensors: g.sensor,
		}[t.name]
		if gen == nil {
			continue
		}
		step := time.Hour / time.Duration(t.prefill)
		for i := range t.prefill {
			at := end.Add(-time.Hour + time.Duration(i)*step + time.Duration(g.rng.Int64N(int64(step))))
			out = append(out, gen(at.Truncate(time.Millisecond)))
		}
	}
	return append(out, g.deadLetters(end)...)
}

// headers builds record headers from key, value pairs.
func headers(kv ...string) []kgo.RecordHeader {
	hs := make([]kgo.RecordHeader, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		hs = append(hs, kgo.RecordHeader{Key: kv[i], Value: []byte(kv[i+1])})
	}
	return hs
}

// cents writes an amount the way a JSON API does, with exactly two decimals.
func cents(c int) json.Number { return json.Number(fmt.Sprintf("%d.%02d", c/100, c%100)) }

// order advances the life of an order (created, paid, shipped) or starts a
// new one. Events are keyed by customer, so one order's events stay in order
// on one partition.
func (g *demoGen) order(at time.Time) *kgo.Record {
	var o *demoOrder
	if n := len(g.open); n > 0 && (n >= 40 || g.rng.IntN(100) < 55) {
		i := g.rng.IntN(n)
		o = g.open[i]
		if o.Status == "created" {
			o.Status = "paid"
		} else {
			o.Status = "shipped"
			g.open = slices.Delete(g.open, i, i+1)
		}
	} else {
		g.nextOrder++
		customer := 1 + g.rng.IntN(250)
		o = &demoOrder{
			ID:        fmt.Sprintf("ord-%d", g.nextOrder),
			Customer:  fmt.Sprintf("customer-%d", customer),
			Currency:  [...]string{"EUR", "EUR", "EUR", "GBP", "USD"}[customer%5],
			Status:    "created",
			CreatedAt: at.UTC().Format(demoTime),
		}
		total := 0
		for range 1 + g.rng.IntN(3) {
			price := [...]int{499, 999, 1299, 1999, 2450, 3999, 8900}[g.rng.IntN(7)]
			qty := 1 + g.rng.IntN(3)
			o.Items = append(o.Items, demoItem{SKU: fmt.Sprintf("SKU-%04d", 1000+g.rng.IntN(400)), Qty: qty, Price: cents(price)})
			total += price * qty
		}
		o.Total = cents(total)
		g.open = append(g.open, o)
	}
	o.UpdatedAt = at.UTC().Format(demoTime)
	value, err := json.Marshal(o)
	if err != nil {
		panic(err) // a fixed struct of strings and numbers always marshals
	}
	return &kgo.Record{
		Topic:     DemoTopicOrders,
		Key:       []byte(o.Customer),
		Value:     value,
		Timestamp: at,
		Headers: headers("event-type", "order."+o.Status,
			"trace-id", fmt.Sprintf("%016x%016x", g.rng.Uint64(), g.rng.Uint64()),
			"content-type", "application/json"),
	}
}

// logLine is one line of a service's log, mostly INFO with some WARN and
// ERROR, keyed by the service.
func (g *demoGen) logLine(at time.Time) *kgo.Record {
	s := [...]struct{ name, path1, path2, upstream string }{
		{"checkout-svc", "/checkout", "/cart", "payments-svc"},
		{"cart-svc", "/cart", "/cart/items", "inventory-svc"},
		{"auth-svc", "/login", "/token/refresh", "users-db"},
		{"inventory-svc", "/stock", "/reservations", "warehouse-api"},
		{"payments-svc", "/payments", "/refunds", "psp-gateway"},
	}[g.rng.IntN(5)]
	path := s.path1
	if g.rng.IntN(3) == 0 {
		path = s.path2
	}
	level, msg := "INFO", fmt.Sprintf("request served path=%s status=%d ms=%d", path, [...]int{200, 200, 200, 201, 204}[g.rng.IntN(5)], 2+g.rng.IntN(80))
	switch r := g.rng.IntN(100); {
	case r < 2:
		level, msg = "ERROR", fmt.Sprintf(`request failed path=%s status=%d ms=%d err="upstream timeout" upstream=%s`,
			path, [...]int{500, 502, 503}[g.rng.IntN(3)], 3000+g.rng.IntN(50), s.upstream)
	case r < 4:
		level, msg = "ERROR", `database error err="deadlock detected" table=orders retry=false`
	case r < 9:
		level, msg = "WARN", fmt.Sprintf("slow request path=%s status=200 ms=%d", path, 900+g.rng.IntN(1600))
	case r < 14:
		level, msg = "WARN", fmt.Sprintf("retrying upstream call upstream=%s attempt=%d", s.upstream, 2+g.rng.IntN(3))
	}
	return &kgo.Record{
		Topic:     DemoTopicAppLogs,
		Key:       []byte(s.name),
		Value:     fmt.Appendf(nil, "%s %-5s %s %s", at.UTC().Format(demoTime), level, s.name, msg),
		Timestamp: at,
	}
}

// sensorLayout tells a reader of the binary values what they hold.
const sensorLayout = "u32 device, f64 celsius, u32 seq; little-endian"

// sensor is one reading as a device would send it: a packed little-endian
// struct, keyed by the device ID in the same encoding.
func (g *demoGen) sensor(at time.Time) *kgo.Record {
	s := &g.sensors[g.rng.IntN(len(g.sensors))]
	s.seq++
	s.temp += 0.1*(s.base-s.temp) + 0.3*g.rng.NormFloat64()
	v := make([]byte, 16)
	binary.LittleEndian.PutUint32(v, s.id)
	binary.LittleEndian.PutUint64(v[4:], math.Float64bits(s.temp))
	binary.LittleEndian.PutUint32(v[12:], s.seq)
	return &kgo.Record{
		Topic:     DemoTopicSensors,
		Key:       binary.LittleEndian.AppendUint32(nil, s.id),
		Value:     v,
		Timestamp: at,
		Headers:   headers("content-type", "application/octet-stream", "schema", sensorLayout),
	}
}

// demoHostileText is what a careless producer forwards from a user: colour
// escapes and a right-to-left override that would reorder what follows.
const demoHostileText = "user input: \x1b[31mred\x1b[0m \u202eevil"

// deadLetters are failed payments, JSON with the reason in an error header,
// then a tombstone and a record whose value and header hold terminal escapes,
// a few minutes apart up to end.
func (g *demoGen) deadLetters(end time.Time) []*kgo.Record {
	var out []*kgo.Record
	for i, reason := range []string{
		"card_declined: insufficient_funds",
		"psp-gateway: timeout after 30000ms",
		"schema validation failed: amount must be positive",
		"duplicate payment_id",
		"fraud check unavailable: connection refused",
	} {
		id := fmt.Sprintf("pay-%06x", g.rng.IntN(1<<24))
		amount := 500 + g.rng.IntN(20000)
		if i == 2 {
			amount = 0
		}
		// The fields are plain ASCII, so Go quoting is JSON quoting.
		value := fmt.Appendf(nil, `{"payment_id":%q,"order_id":"ord-%d","amount":%s,"currency":"EUR","method":"card"}`,
			id, 10000+g.rng.IntN(5000), cents(amount))
		out = append(out, &kgo.Record{Key: []byte(id), Value: value, Headers: headers("error", reason,
			"original-topic", "payments", "retry-count", fmt.Sprint(1+g.rng.IntN(5)), "content-type", "application/json")})
	}
	// A purged payment: the key stays, the value goes.
	tombstone := &kgo.Record{Key: fmt.Appendf(nil, "pay-%06x", g.rng.IntN(1<<24))}
	// The error is what encoding/json says of such a payload, raw control
	// byte included.
	hostile := &kgo.Record{Key: fmt.Appendf(nil, "pay-%06x", g.rng.IntN(1<<24)), Value: []byte(demoHostileText),
		Headers: headers("error", "invalid character '\x1b' looking for beginning of value", "original-topic", "payments")}
	out = slices.Insert(out, 2, tombstone, hostile)
	for i, r := range out {
		r.Topic = DemoTopicDLQ
		r.Timestamp = end.Add(time.Duration(i-len(out))*7*time.Minute + time.Duration(g.rng.IntN(60000))*time.Millisecond).Truncate(time.Millisecond)
	}
	return out
}
