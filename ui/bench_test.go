package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
)

// viewRecords fill the topic the view benchmarks tail: enough for the
// largest ring measured.
const (
	viewRecords = 100_000
	viewTopic   = "view"
)

var viewCluster = sync.OnceValues(func() (*kafkatest.Cluster, error) {
	c, err := kafkatest.Start(kafkatest.Topics(6, viewTopic))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafkatest.Fill(ctx, c.Brokers, viewTopic, 6, viewRecords, 200); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
})

// BenchmarkView200x60 draws the main screen, the tail of a topic at
// 200x60, with a ring of 1,000 and of 100,000 records: the cost of a frame
// must depend on the screen, not on how much the ring holds.
func BenchmarkView200x60(b *testing.B) {
	c, err := viewCluster()
	if err != nil {
		b.Fatal(err)
	}
	for _, ring := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("ring=%dk", ring/1000), func(b *testing.B) {
			app, closeApp := tailingApp(b, c, ring)
			defer closeApp()
			b.ResetTimer()
			for b.Loop() {
				_ = app.View()
			}
		})
	}
}

// tailingApp returns an App at 200x60 whose tail has read every record of
// the view topic into a ring of the given size.
func tailingApp(b *testing.B, c *kafkatest.Cluster, ring int) (*App, func()) {
	b.Helper()
	s, err := kafka.Open(context.Background(), kafka.Endpoint{Brokers: c.Brokers})
	if err != nil {
		b.Fatal(err)
	}
	p, _ := themes.ByName("dark")
	app := NewApp(s, Info{Cluster: "bench (3 brokers)", Auth: "plaintext"}, Options{
		Palette: p, Topic: viewTopic,
		Tail: kafka.TailOptions{Start: kafka.Start{Kind: kafka.FromBeginning}, RingSize: ring},
	})
	app.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	app.Init() // opens the tail; the commands it returns are not needed here
	want := fmt.Sprintf("%d received", viewRecords)
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(app.render(), want) {
		if time.Now().After(deadline) {
			b.Fatalf("the tail never showed %q:\n%s", want, app.render())
		}
		time.Sleep(10 * time.Millisecond)
		app.Update(frameMsg{})
	}
	return app, func() { app.Close(); s.Close() }
}
