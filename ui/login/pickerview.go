package login

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// pickerView draws the cluster picker over the whole box: the clusters of
// the region with their type, state and auth modes, or the network paths
// of the one picked. Short of room it drops the title first; the
// highlighted row always shows.
func (m *Model) pickerView() string {
	w, h := m.width, m.height
	s := m.c.Styles
	title := []string{s.Title.Render("Connect to a Kafka cluster") + s.Muted.Render("  ·  pick an MSK cluster"), ""}
	var head, rows, foot []string
	var cur int // the row of rows to keep in view
	p := m.picker
	if p.stage == stagePath {
		head = []string{s.Header.Render(fmt.Sprintf("%s · %s: choose a network path", p.found.info.Name, p.found.mode))}
		rows, cur = m.pathRows(w)
		foot = []string{"", s.Muted.Render("↑/↓ choose · enter picks · esc back to the form")}
	} else {
		region := p.region
		if region == "" {
			region = firstOr(m.awsConfig().Region, "the region")
		}
		head = []string{s.Header.Render("MSK clusters in " + region)}
		if len(p.items) > 0 {
			head = append(head, s.Muted.Render(m.clusterRow(clusterCols(p.items), "NAME", "TYPE", "STATE", "AUTH")))
		}
		rows, cur = m.clusterRows(w)
		foot = append([]string{""}, m.pickerStatus(w)...)
	}
	if len(title)+len(head)+len(rows)+len(foot) > h {
		title = nil
	}
	room := max(h-len(title)-len(head)-len(foot), 1)
	start := min(max(cur-room+1, 0), max(len(rows)-room, 0))
	rows = rows[start:min(len(rows), start+room)]
	lines := common.FitLines(append(append(append(title, head...), rows...), foot...), h)
	for i, ln := range lines {
		lines[i] = common.Truncate(ln, w)
	}
	return strings.Join(lines, "\n")
}

// cols are the widths of the cluster list's columns.
type cols struct{ name, state int }

func clusterCols(items []auth.ClusterInfo) cols {
	c := cols{name: 4, state: 5}
	for _, it := range items {
		c.name = max(c.name, ansi.StringWidth(kafka.Sanitize([]byte(it.Name))))
		c.state = max(c.state, len(it.State))
	}
	c.name = min(c.name, 32)
	return c
}

func (m *Model) clusterRow(c cols, name, typ, state, modes string) string {
	return fmt.Sprintf("  %s  %-11s  %-*s  %s", common.Pad(name, c.name), typ, c.state, state, modes)
}

// clusterRows are the clusters, the highlighted one marked with a glyph.
func (m *Model) clusterRows(w int) ([]string, int) {
	s := m.c.Styles
	p := m.picker
	c := clusterCols(p.items)
	var out []string
	for i, it := range p.items {
		typ := "provisioned"
		if it.Serverless {
			typ = "serverless"
		}
		var modes []string
		for _, md := range it.Modes {
			modes = append(modes, string(md))
		}
		row := m.clusterRow(c, kafka.Sanitize([]byte(it.Name)), typ, it.State, strings.Join(modes, " "))
		if i == p.pick {
			out = append(out, s.Selected.Render("▸"+common.Truncate(row[1:], w-1)))
		} else {
			out = append(out, s.Text.Render(row))
		}
	}
	return out, p.pick
}

// pathHints say where each network path is reachable from, which is
// what a person choosing among them needs to know.
var pathHints = map[string]string{
	auth.PathPrivate: "from inside the cluster's VPC",
	auth.PathPublic:  "over the internet",
	auth.PathVPC:     "from another VPC, through multi-VPC connectivity",
}

// pathRows are two rows per network path: its name and where it reaches
// from, then its brokers. The row to keep in view is the highlighted
// path's second, so that both of its rows show.
func (m *Model) pathRows(w int) ([]string, int) {
	s := m.c.Styles
	p := m.picker
	var out []string
	for i, path := range p.paths {
		lead, style := "  ", s.Text
		if i == p.pathPick {
			lead, style = "▸ ", s.Selected
		}
		out = append(out, style.Render(lead+path.Name)+s.Muted.Render(" · "+pathHints[path.Name]))
		out = append(out, "    "+common.Truncate(s.Text.Render(path.Brokers), w-4))
	}
	return out, 2*p.pathPick + 1
}

// pickerStatus says what the picker is doing, or how to use it.
func (m *Model) pickerStatus(w int) []string {
	s := m.c.Styles
	p := m.picker
	switch {
	case p.stage == stageCluster:
		return []string{s.Muted.Render("… looking up the brokers of " + kafka.Sanitize([]byte(p.items[p.pick].Name)))}
	case p.loading:
		return []string{s.Muted.Render("… listing the MSK clusters these credentials can see")}
	case p.err != nil:
		var out []string
		for _, ln := range clip(wrap("✗ "+kafka.Sanitize([]byte(p.err.Error())), w), 2) {
			out = append(out, s.Error.Render(ln))
		}
		return out
	}
	n := fmt.Sprintf("%d clusters", len(p.items))
	if len(p.items) == 1 {
		n = "1 cluster"
	}
	return []string{s.Muted.Render(n + " · ↑/↓ choose · enter picks · esc back to the form")}
}

// brokersNote is one line under the brokers: why no cluster could be
// listed, or which cluster the brokers are from.
func (m *Model) brokersNote(l layout) []string {
	s := m.c.Styles
	pad := strings.Repeat(" ", labelW)
	if note := m.picker.note; note != "" {
		text := "⚠ " + note
		if ansi.StringWidth(text) <= l.fieldW() {
			return []string{pad + s.Warning.Render(text)}
		}
		// Under the labels too, so that it stays one line where it can.
		var out []string
		for _, ln := range clip(wrap(text, l.formW), noteLines) {
			out = append(out, s.Warning.Render(ln))
		}
		return out
	}
	p := m.picked()
	if p == nil {
		return nil
	}
	kind := "provisioned"
	if p.info.Serverless {
		kind = "serverless, IAM only"
	}
	text := fmt.Sprintf("cluster %s (%s) · %s network path", kafka.Sanitize([]byte(p.info.Name)), kind, p.path)
	return []string{pad + common.Truncate(s.Muted.Render(text), l.fieldW())}
}

func firstOr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
