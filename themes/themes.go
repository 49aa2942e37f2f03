// Package themes names the colours of the terminal UI by role. A theme is a
// Palette; style sets are built from a palette, never changed in place.
package themes

import (
	"fmt"
	"sort"
	"strings"
)

// Palette names colours by what they mean on screen. Colours are hex
// strings ("#rrggbb"); an empty string means the terminal's default, which is
// how the mono palette works. Meaning never rests on colour alone: focus,
// selection, errors and delivery state also have glyphs or borders.
type Palette struct {
	Name      string
	Primary   string // titles, the focused pane's border
	Muted     string // secondary text, unfocused borders
	Text      string
	Selection string // background of the selected row
	Focus     string
	Success   string // acknowledged deliveries, passed checks
	Warning   string
	Error     string
}

var palettes = map[string]Palette{
	"dark": {Name: "dark", Primary: "#7aa2f7", Muted: "#565f89", Text: "#c0caf5", Selection: "#283457",
		Focus: "#bb9af7", Success: "#9ece6a", Warning: "#e0af68", Error: "#f7768e"},
	"light": {Name: "light", Primary: "#2e59a8", Muted: "#8990a3", Text: "#343b58", Selection: "#d5d9e6",
		Focus: "#7847bd", Success: "#33635c", Warning: "#8f5e15", Error: "#b3263f"},
	"high-contrast": {Name: "high-contrast", Primary: "#ffffff", Muted: "#c0c0c0", Text: "#ffffff", Selection: "#0000ff",
		Focus: "#ffff00", Success: "#00ff00", Warning: "#ffff00", Error: "#ff0000"},
	"mono": {Name: "mono"},
}

// Names lists the themes, sorted.
func Names() []string {
	var out []string
	for n := range palettes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ByName returns the named palette.
func ByName(name string) (Palette, error) {
	p, ok := palettes[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Palette{}, fmt.Errorf("unknown theme %q: use one of %s", name, strings.Join(Names(), ", "))
	}
	return p, nil
}

// Default is the theme to use: mono when NO_COLOR is set (any value, as
// no-color.org says), dark otherwise.
func Default(getenv func(string) string) Palette {
	if getenv("NO_COLOR") != "" {
		return palettes["mono"]
	}
	return palettes["dark"]
}
