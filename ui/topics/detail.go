package topics

import (
	"fmt"
	"strings"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// detailView draws the open topic's partitions and configs, scrolled to
// detailTop; only the lines that fit are drawn.
func (m *Model) detailView() string {
	s := m.c.Styles
	head := s.Title.Render("▶ "+kafka.Sanitize([]byte(m.detailTopic))) + s.Muted.Render(" · detail (esc: back, enter: tail)")
	var lines []string
	switch {
	case m.detailErr != nil:
		lines = append(lines, s.Error.Render("✗ "+m.detailErr.Error()))
	case m.detail == nil:
		lines = append(lines, s.Muted.Render("loading…"))
	default:
		lines = m.detailLines()
	}
	top := min(m.detailTop, max(len(lines)-(m.height-1), 0))
	m.detailTop = top
	body := lines[top:min(len(lines), top+m.height-1)]
	for i, l := range body {
		body[i] = common.Truncate(l, m.width)
	}
	return common.Truncate(head, m.width) + "\n" + strings.Join(body, "\n")
}

func (m *Model) detailLines() []string {
	s := m.c.Styles
	d := m.detail
	lines := []string{s.Header.Render(fmt.Sprintf("%9s %6s %-10s %-10s %9s %9s", "PARTITION", "LEADER", "REPLICAS", "ISR", "LOW", "HIGH"))}
	for _, p := range d.Partitions {
		line := fmt.Sprintf("%9d %6d %-10s %-10s %9d %9d", p.Partition, p.Leader, ids(p.Replicas), ids(p.ISR), p.Low, p.High)
		if len(p.ISR) < len(p.Replicas) {
			line += s.Warning.Render(" ⚠ under-replicated")
		}
		if p.Err != nil {
			line += s.Error.Render(" ✗ " + p.Err.Error())
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", s.Header.Render("CONFIG (non-default first)"))
	if d.ConfigErr != nil {
		return append(lines, s.Error.Render("✗ "+d.ConfigErr.Error()))
	}
	var set, dflt []string
	for _, c := range d.Configs {
		v := kafka.Sanitize([]byte(c.Value))
		if c.Sensitive {
			v = "(sensitive)"
		}
		line := fmt.Sprintf("%-40s %s", c.Name, v)
		if c.Source == "DEFAULT_CONFIG" {
			dflt = append(dflt, s.Muted.Render(line))
		} else {
			set = append(set, line+s.Muted.Render("  ("+strings.ToLower(c.Source)+")"))
		}
	}
	return append(append(lines, set...), dflt...)
}

func ids(xs []int32) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}
