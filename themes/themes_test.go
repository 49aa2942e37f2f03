package themes

import (
	"strings"
	"testing"
)

func TestByName(t *testing.T) {
	for _, n := range []string{"dark", "light", "high-contrast", "mono"} {
		p, err := ByName(n)
		if err != nil || p.Name != n {
			t.Errorf("%s: %+v %v", n, p, err)
		}
	}
	if _, err := ByName("neon"); err == nil || !strings.Contains(err.Error(), "dark, high-contrast, light, mono") {
		t.Errorf("unknown theme: %v", err)
	}
}

func TestDefaultHonoursNoColor(t *testing.T) {
	if p := Default(func(string) string { return "1" }); p.Name != "mono" || p.Error != "" {
		t.Errorf("NO_COLOR: %+v", p)
	}
	if p := Default(func(string) string { return "" }); p.Name != "dark" {
		t.Errorf("default: %+v", p)
	}
}
