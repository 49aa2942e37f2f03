package groups

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// wideAt is the width from which columns get room for long assignor
// names and big offsets.
const wideAt = 120

// listRows is how many groups fit: the pane less the header, the status
// line and the filter line.
func (m *Model) listRows() int { return max(m.height-3, 1) }

type listCols struct{ name, state, proto, members, lag, trend int }

func (m *Model) listCols() listCols {
	c := listCols{state: 11, proto: 12, members: 7, lag: 10, trend: 10}
	if m.width >= wideAt {
		c.proto, c.lag, c.trend = 18, 12, 12
	}
	c.name = max(m.width-2-(1+c.state)-(1+c.proto)-(1+c.members)-(1+c.lag)-(1+c.trend), 8)
	return c
}

// View draws the list or the open detail for the current size; its cost
// depends on the size, not on the number of groups or partitions.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	if m.detailOpen {
		lines = m.detailView()
	} else {
		lines = m.listView()
	}
	lines = common.FitLines(lines, m.height)
	for i, l := range lines {
		lines[i] = common.Truncate(l, m.width)
	}
	return strings.Join(lines, "\n")
}

func (m *Model) listView() []string {
	s := m.c.Styles
	c := m.listCols()
	lines := []string{s.Header.Render(fmt.Sprintf("  %s %s %s %s %s %s", common.Pad("NAME", c.name), common.Pad("STATE", c.state),
		common.Pad("PROTOCOL", c.proto), padLeft("MEMBERS", c.members), padLeft("LAG", c.lag), common.Pad("TREND", c.trend)))}
	rows := m.listRows()
	switch {
	case m.err != nil && m.all == nil:
		lines = append(lines, s.Error.Render("✗ "+oneLine(m.err)))
	case m.all == nil:
		lines = append(lines, s.Muted.Render("  loading groups…"))
	case len(m.all) == 0:
		lines = append(lines, s.Muted.Render("  no consumer groups: none has committed offsets or members"))
	case len(m.visible) == 0:
		lines = append(lines, s.Muted.Render("  no groups match the filter"))
	}
	for i := m.top; i < len(m.visible) && i < m.top+rows; i++ {
		g := m.all[m.visible[i]]
		tr := m.trends[g.Name]
		line := fmt.Sprintf("%s %s %s %*d ", common.Pad(kafka.Sanitize([]byte(g.Name)), c.name), common.Pad(stateLabel(g.State), c.state),
			common.Pad(kafka.Sanitize([]byte(protocolLabel(g))), c.proto), c.members, g.Members)
		lag, trendText := padLeft(lagLabel(g.Lag, g.Err), c.lag), common.Pad(trendLabel(tr), c.trend)
		if i == m.cursor {
			// Plain inside the selection, whose style would be cut by
			// inner ones; the glyphs still say it all.
			lines = append(lines, s.Selected.Render("▸ "+line+lag+" "+trendText))
			continue
		}
		if g.Err != nil {
			lag = s.Error.Render(lag)
		}
		lines = append(lines, "  "+s.Text.Render(line)+lag+" "+m.trendStyle(tr).Render(trendText))
	}
	lines = common.FitLines(lines, 1+rows)
	return append(lines, m.listStatus(), m.filterLine())
}

// listStatus counts the groups, says when they were read, and shows the
// error of a failed refresh or of the selected group.
func (m *Model) listStatus() string {
	s := m.c.Styles
	status := fmt.Sprintf("%d of %d groups", len(m.visible), len(m.all))
	if !m.updated.IsZero() {
		status += " · updated " + m.updated.Format("15:04:05")
	}
	if m.loading && m.all != nil {
		status += " ↻"
	}
	status = s.Muted.Render(status)
	switch {
	case m.err != nil && m.all != nil:
		status += s.Error.Render(" · ✗ refresh failed: " + oneLine(m.err))
	case m.cursor < len(m.visible) && m.all[m.visible[m.cursor]].Err != nil:
		g := m.all[m.visible[m.cursor]]
		status += s.Error.Render(" · ✗ " + kafka.Sanitize([]byte(g.Name)) + ": " + oneLine(g.Err))
	}
	return status
}

func (m *Model) filterLine() string {
	if m.editing || m.filter.Value() != "" {
		return m.filter.View()
	}
	return ""
}

// stateLabel shortens the two rebalancing states, which are too long for
// the column and mean the same to the reader: the group is not consuming.
func stateLabel(s string) string {
	switch s {
	case "PreparingRebalance", "CompletingRebalance":
		return "Rebalancing"
	case "":
		return "?"
	}
	return s
}

// protocolLabel is the assignor, with the protocol type when the group is
// not made of plain consumers (Kafka Connect workers, for instance).
func protocolLabel(g kafka.Group) string {
	p := g.Protocol
	if p == "" {
		p = "-"
	}
	if g.ProtocolType != "" && g.ProtocolType != "consumer" {
		p = g.ProtocolType + "/" + p
	}
	return p
}

// lagLabel marks a lag that could not be read, or was read along with an
// error, with a glyph, so that NO_COLOR loses nothing.
func lagLabel(lag int64, err error) string {
	l := "unknown"
	if lag >= 0 {
		l = strconv.FormatInt(lag, 10)
	}
	if err != nil || lag < 0 {
		l = "✗ " + l
	}
	return l
}

// trendLabel says how a lag moved with a glyph and a signed number:
// growing means the consumers fall behind.
func trendLabel(t trend) string {
	switch {
	case !t.known:
		return ""
	case t.delta > 0:
		return "▲ +" + strconv.FormatInt(t.delta, 10)
	case t.delta < 0:
		return "▼ " + strconv.FormatInt(t.delta, 10)
	}
	return "="
}

func (m *Model) trendStyle(t trend) lipgloss.Style {
	s := m.c.Styles
	switch {
	case !t.known || t.delta == 0:
		return s.Muted
	case t.delta > 0:
		return s.Warning
	}
	return s.Success
}

// oneLine is an error's text on one line, safe to print.
func oneLine(err error) string {
	return kafka.Sanitize([]byte(strings.ReplaceAll(err.Error(), "\n", " ")))
}

// padLeft right-aligns s in width cells, cutting it when too long.
func padLeft(s string, width int) string {
	s = common.Truncate(s, width)
	if w := ansi.StringWidth(s); w < width {
		s = strings.Repeat(" ", width-w) + s
	}
	return s
}
