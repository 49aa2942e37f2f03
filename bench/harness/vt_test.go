package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// TestScreenFollowsRenderer draws frames with the renderer bubbletea uses,
// scroll optimisation on as in the program, and checks that the emulator
// ends each frame with exactly the frame on screen: log-like scrolling,
// rows changing in place, lines of every length, styles, wide glyphs.
func TestScreenFollowsRenderer(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}, {61, 15}} {
		w, h := size[0], size[1]
		var out bytes.Buffer
		r := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
		r.SetFullscreen(true)
		r.SetRelativeCursor(false)
		r.SetScrollOptim(true)
		r.SetTabStops(-1)
		r.EnterAltScreen()
		buf := uv.NewScreenBuffer(w, h)
		vt := newScreen(w, h)
		rng := rand.New(rand.NewSource(int64(w)))
		var log []string
		for frame := 0; frame < 300; frame++ {
			// A few new log lines, sometimes none, sometimes a screenful.
			for n := rng.Intn(4) + rng.Intn(2)*rng.Intn(h); n > 0; n-- {
				log = append(log, fmt.Sprintf("%6d %s", len(log), strings.Repeat("abc ✓ ", rng.Intn(w/4))))
			}
			var lines []string
			lines = append(lines, fmt.Sprintf("\x1b[1mheader\x1b[0m frame %d · %d lines · ● live", frame, len(log)))
			if rng.Intn(5) == 0 {
				lines = append(lines, "\x1b[33m⏸ paused\x1b[0m")
			}
			body := h - len(lines) - 1
			start := max(len(log)-body, 0)
			for _, l := range log[start:] {
				lines = append(lines, ansi.Truncate(l, w, ""))
			}
			for len(lines) < h-1 {
				lines = append(lines, "")
			}
			lines = append(lines, "\x1b[2mfooter\x1b[0m q quit")
			content := strings.Join(lines, "\n")
			buf.Clear()
			uv.NewStyledString(content).Draw(buf, buf.Bounds())
			r.Render(buf.RenderBuffer)
			if err := r.Flush(); err != nil {
				t.Fatal(err)
			}
			vt.Write(out.Bytes())
			out.Reset()
			want := plain(content)
			if got := vt.String(); got != want {
				t.Fatalf("%dx%d frame %d: the emulator shows\n%s\nwant\n%s", w, h, frame, got, want)
			}
		}
	}
}

func plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
