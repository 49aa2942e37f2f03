package advice

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/common"
)

func testAdvice(t *testing.T) kafka.Advice {
	err := &kafka.OpError{Op: kafka.OpRead, Topic: "orders", IAM: true, Err: kerr.TopicAuthorizationFailed}
	a, ok := kafka.Advise(err, kafka.Resources{ClusterARN: "arn:aws:kafka:us-east-1:123456789012:cluster/prod/abc-1"})
	if !ok {
		t.Fatal("no advice")
	}
	return a
}

func TestShowsAndWritesThePolicy(t *testing.T) {
	pal, _ := themes.ByName("mono")
	c := common.New(pal)
	c.Now = func() time.Time { return time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC) }
	dir := t.TempDir()
	m := New(c, dir)
	m.SetSize(80, 40)
	a := testAdvice(t)
	m.Set(a)
	view := ansi.Strip(m.View())
	for _, want := range []string{"kafka-cluster:ReadData", "arn:aws:kafka:us-east-1:123456789012:topic/prod/abc-1/orders", `"Version": "2012-10-17"`} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	for i := 0; i < 2; i++ { // a second write never overwrites the first
		cmd := m.Update(tea.KeyPressMsg{Code: 'w', Text: "w"})
		if cmd == nil {
			t.Fatal("w did nothing")
		}
		m.Update(cmd())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 || entries[1].Name() != "mskx-policy-20261121-101500.json" {
		t.Fatalf("files written: %v", entries)
	}
	b, err := os.ReadFile(dir + "/" + entries[1].Name())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || strings.TrimSpace(string(b)) != a.Policy {
		t.Fatalf("file is not the policy: %v\n%s", err, b)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "✓ policy written to "+dir) {
		t.Errorf("no notice of the write:\n%s", v)
	}
	m.dir = dir + "/missing"
	m.Update(m.Update(tea.KeyPressMsg{Code: 'w', Text: "w"})())
	if v := ansi.Strip(m.View()); !strings.Contains(v, "✗ cannot write the policy in") {
		t.Errorf("a failed write is not said:\n%s", v)
	}
	if msg := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})(); msg != (CloseMsg{}) {
		t.Errorf("esc sent %#v", msg)
	}
}
