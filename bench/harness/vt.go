package main

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// screen is a small terminal emulator: enough of xterm to follow what the
// bubbletea renderer sends (cursor moves, erases, scrolling regions,
// insert and delete of lines and characters, repeats, deferred wrap), so
// that the harness can read the screen the user would see from the bytes
// the program wrote. Colours and attributes are ignored.
type screen struct {
	w, h      int
	cells     [][]rune
	x, y      int
	wrapNext  bool // the last column was written: the next print wraps first
	autowrap  bool
	insert    bool
	top, bot  int // scrolling region, inclusive
	savedX    int
	savedY    int
	last      rune // the last printed rune, for REP
	parser    *ansi.Parser
	altScreen bool
	tabWidth  int
}

func newScreen(w, h int) *screen {
	s := &screen{w: w, h: h, autowrap: true, tabWidth: 8}
	s.cells = make([][]rune, h)
	for i := range s.cells {
		s.cells[i] = blankLine(w)
	}
	s.top, s.bot = 0, h-1
	s.parser = ansi.NewParser()
	s.parser.SetParamsSize(32)
	s.parser.SetDataSize(4096)
	s.parser.SetHandler(ansi.Handler{
		Print:     s.print,
		Execute:   s.execute,
		HandleCsi: s.csi,
		HandleEsc: s.esc,
	})
	return s
}

func blankLine(w int) []rune {
	l := make([]rune, w)
	for i := range l {
		l[i] = ' '
	}
	return l
}

// Write feeds bytes the program wrote.
func (s *screen) Write(b []byte) (int, error) {
	s.parser.Parse(b)
	return len(b), nil
}

// String is the screen as text, one line per row, trailing spaces cut.
func (s *screen) String() string {
	var b strings.Builder
	for i, l := range s.cells {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := make([]rune, 0, len(l))
		for _, r := range l {
			if r != 0 { // 0 is the second half of a wide character
				line = append(line, r)
			}
		}
		b.WriteString(strings.TrimRight(string(line), " "))
	}
	return b.String()
}

func (s *screen) print(r rune) {
	wd := ansi.WcWidth.StringWidth(string(r))
	if wd == 0 {
		return // combining marks and the like do not move the cursor
	}
	if s.wrapNext && s.autowrap {
		s.x = 0
		s.lineFeed()
	}
	s.wrapNext = false
	if s.x+wd > s.w {
		if !s.autowrap {
			s.x = s.w - wd
		} else {
			s.x = 0
			s.lineFeed()
		}
	}
	row := s.cells[s.y]
	if s.insert {
		copy(row[s.x+wd:], row[s.x:])
	}
	row[s.x] = r
	if wd == 2 && s.x+1 < s.w {
		row[s.x+1] = 0
	}
	s.last = r
	s.x += wd
	if s.x >= s.w {
		s.x = s.w - 1
		s.wrapNext = true
	}
}

func (s *screen) execute(b byte) {
	switch b {
	case '\r':
		s.x, s.wrapNext = 0, false
	case '\n', '\v', '\f':
		s.lineFeed()
		s.wrapNext = false
	case '\b':
		if s.x > 0 {
			s.x--
		}
		s.wrapNext = false
	case '\t':
		s.tab(1)
	}
}

func (s *screen) tab(n int) {
	for ; n > 0; n-- {
		s.x = min((s.x/s.tabWidth+1)*s.tabWidth, s.w-1)
	}
	s.wrapNext = false
}

// lineFeed moves down a row, scrolling the region at its bottom.
func (s *screen) lineFeed() {
	if s.y == s.bot {
		s.scrollUp(s.top, s.bot, 1)
	} else if s.y < s.h-1 {
		s.y++
	}
}

func (s *screen) scrollUp(top, bot, n int) {
	n = min(n, bot-top+1)
	copy(s.cells[top:bot+1], s.cells[top+n:bot+1])
	for i := bot - n + 1; i <= bot; i++ {
		s.cells[i] = blankLine(s.w)
	}
}

func (s *screen) scrollDown(top, bot, n int) {
	n = min(n, bot-top+1)
	copy(s.cells[top+n:bot+1], s.cells[top:bot+1-n])
	for i := top; i < top+n; i++ {
		s.cells[i] = blankLine(s.w)
	}
}

func (s *screen) esc(cmd ansi.Cmd) {
	switch cmd.Final() {
	case '7':
		s.savedX, s.savedY = s.x, s.y
	case '8':
		s.x, s.y, s.wrapNext = s.savedX, s.savedY, false
	case 'D':
		s.lineFeed()
	case 'E':
		s.x = 0
		s.lineFeed()
	case 'M':
		if s.y == s.top {
			s.scrollDown(s.top, s.bot, 1)
		} else if s.y > 0 {
			s.y--
		}
	case 'c':
		*s = *newScreen(s.w, s.h)
	}
	s.wrapNext = false
}

func (s *screen) clamp() {
	s.x = min(max(s.x, 0), s.w-1)
	s.y = min(max(s.y, 0), s.h-1)
	s.wrapNext = false
}

func (s *screen) erase(y, from, to int) {
	row := s.cells[y]
	for i := max(from, 0); i < min(to, s.w); i++ {
		row[i] = ' '
	}
}

func (s *screen) csi(cmd ansi.Cmd, params ansi.Params) {
	p := func(i, def int) int {
		v, _, _ := params.Param(i, def)
		if v == 0 && def > 0 {
			v = def
		}
		return v
	}
	if cmd.Prefix() == '?' {
		if f := cmd.Final(); f == 'h' || f == 'l' {
			for i := range params {
				s.mode(p(i, 0), f == 'h')
			}
		}
		return
	}
	if cmd.Intermediate() != 0 {
		return // DECSCUSR, DECRQM and friends change nothing on screen
	}
	switch cmd.Final() {
	case 'A':
		s.y -= p(0, 1)
		if s.y < s.top && s.y+p(0, 1) >= s.top {
			s.y = s.top
		}
		s.clamp()
	case 'B':
		s.y += p(0, 1)
		if s.y > s.bot && s.y-p(0, 1) <= s.bot {
			s.y = s.bot
		}
		s.clamp()
	case 'C':
		s.x += p(0, 1)
		s.clamp()
	case 'D':
		s.x -= p(0, 1)
		s.clamp()
	case 'E':
		s.y += p(0, 1)
		s.x = 0
		s.clamp()
	case 'F':
		s.y -= p(0, 1)
		s.x = 0
		s.clamp()
	case 'G', '`':
		s.x = p(0, 1) - 1
		s.clamp()
	case 'd':
		s.y = p(0, 1) - 1
		s.clamp()
	case 'H', 'f':
		s.y, s.x = p(0, 1)-1, p(1, 1)-1
		s.clamp()
	case 'I':
		s.tab(p(0, 1))
	case 'Z':
		for n := p(0, 1); n > 0 && s.x > 0; n-- {
			s.x = (s.x - 1) / s.tabWidth * s.tabWidth
		}
		s.wrapNext = false
	case 'J':
		switch p(0, 0) {
		case 0:
			s.erase(s.y, s.x, s.w)
			for y := s.y + 1; y < s.h; y++ {
				s.erase(y, 0, s.w)
			}
		case 1:
			s.erase(s.y, 0, s.x+1)
			for y := 0; y < s.y; y++ {
				s.erase(y, 0, s.w)
			}
		case 2, 3:
			for y := 0; y < s.h; y++ {
				s.erase(y, 0, s.w)
			}
		}
		s.wrapNext = false
	case 'K':
		switch p(0, 0) {
		case 0:
			s.erase(s.y, s.x, s.w)
		case 1:
			s.erase(s.y, 0, s.x+1)
		case 2:
			s.erase(s.y, 0, s.w)
		}
		s.wrapNext = false
	case 'X':
		s.erase(s.y, s.x, s.x+p(0, 1))
		s.wrapNext = false
	case 'b':
		for n := p(0, 1); n > 0; n-- {
			s.print(s.last)
		}
	case '@':
		n := min(p(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x+n:], row[s.x:])
		s.erase(s.y, s.x, s.x+n)
		s.wrapNext = false
	case 'P':
		n := min(p(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x:], row[s.x+n:])
		s.erase(s.y, s.w-n, s.w)
		s.wrapNext = false
	case 'L':
		if s.y >= s.top && s.y <= s.bot {
			s.scrollDown(s.y, s.bot, p(0, 1))
		}
		s.x, s.wrapNext = 0, false
	case 'M':
		if s.y >= s.top && s.y <= s.bot {
			s.scrollUp(s.y, s.bot, p(0, 1))
		}
		s.x, s.wrapNext = 0, false
	case 'S':
		s.scrollUp(s.top, s.bot, p(0, 1))
	case 'T':
		s.scrollDown(s.top, s.bot, p(0, 1))
	case 'r':
		top, bot := p(0, 1)-1, p(1, s.h)-1
		if top < bot && bot < s.h {
			s.top, s.bot = top, bot
		} else {
			s.top, s.bot = 0, s.h-1
		}
		s.x, s.y, s.wrapNext = 0, 0, false
	case 'h', 'l':
		for i := range params {
			if p(i, 0) == 4 {
				s.insert = cmd.Final() == 'h'
			}
		}
	case 's':
		s.savedX, s.savedY = s.x, s.y
	case 'u':
		s.x, s.y, s.wrapNext = s.savedX, s.savedY, false
	}
}

func (s *screen) mode(m int, on bool) {
	switch m {
	case 7:
		s.autowrap = on
	case 47, 1047, 1049:
		if on != s.altScreen {
			s.altScreen = on
			for y := range s.cells {
				s.erase(y, 0, s.w)
			}
		}
	}
}
