package topics

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

func TestAdminHelp(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 80, 22)
	hasKey := func(bs []key.Binding, k string) bool {
		for _, b := range bs {
			if b.Help().Key == k {
				return true
			}
		}
		return false
	}
	var all []key.Binding
	for _, col := range d.m.FullHelp() {
		all = append(all, col...)
	}
	for _, k := range []string{"c", "+", "e", "D"} {
		if !hasKey(all, k) {
			t.Errorf("full help lacks %s", k)
		}
	}
	if !hasKey(d.m.ShortHelp(), "c") {
		t.Error("short help lacks c")
	}
	d.keys("c")
	if sh := d.m.ShortHelp(); !hasKey(sh, "enter/ctrl+s") || !hasKey(sh, "esc") {
		t.Errorf("form help = %v", sh)
	}
}

// createForm is the create form with a name, a partition count and a bad
// retention typed, the cursor on the retention field.
func createForm(t *testing.T, w, h int) []byte {
	d := drive(t, session(t, cluster(t)), w, h)
	d.keys("c")
	d.typeText("orders.v2")
	d.keys("tab")
	d.clear()
	d.typeText("6")
	d.keys("tab", "tab")
	d.typeText("7d")
	return []byte(d.view())
}

func TestCreateFormGolden80x22(t *testing.T) { golden.RequireEqual(t, createForm(t, 80, 22)) }

func TestCreateFormGolden160x46(t *testing.T) { golden.RequireEqual(t, createForm(t, 160, 46)) }

func TestDeleteConfirmGolden80x22(t *testing.T) {
	d := drive(t, session(t, cluster(t)), 80, 22)
	d.selectTopic("orders")
	d.keys("D")
	d.typeText("ord")
	golden.RequireEqual(t, []byte(d.view()))
}

func TestFormsFitThePane(t *testing.T) {
	d := drive(t, session(t, cluster(t)), 80, 22)
	for _, k := range []string{"c", "+", "e", "D"} {
		d.keys(k, "enter")
		for _, sz := range [][2]int{{60, 12}, {80, 22}, {160, 46}} {
			d.m.SetSize(sz[0], sz[1])
			lines := strings.Split(d.m.View(), "\n")
			if len(lines) != sz[1] {
				t.Errorf("%s form at %dx%d: %d lines", k, sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%s form at %dx%d: line %d is %d wide", k, sz[0], sz[1], i, w)
				}
			}
		}
		d.keys("esc")
		d.m.SetSize(80, 22)
	}
}
