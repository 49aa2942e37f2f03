package groups

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// memberRow is one line of the members table: a member's first line holds
// its names, and each line one topic of its assignment, so that a member
// reading many topics stays readable on a narrow screen.
type memberRow struct {
	member int // index into the detail's Members
	topic  int // index into the member's Assigned, -1 when it has none
}

func memberRowsOf(ms []kafka.GroupMember) []memberRow {
	var rows []memberRow
	for i, m := range ms {
		if len(m.Assigned) == 0 {
			rows = append(rows, memberRow{member: i, topic: -1})
			continue
		}
		for j := range m.Assigned {
			rows = append(rows, memberRow{member: i, topic: j})
		}
	}
	return rows
}

// detailRows is how many body lines fit under the title, above the status.
func (m *Model) detailRows() int { return max(m.height-2, 1) }

// detailLayout places the sections of the detail's body, so that any one
// line can be drawn without drawing those before it: the summary's two
// lines (and the group's error), then partitions, then members, each with a title and a
// column header.
type detailLayout struct {
	head      int // summary lines
	partStart int // first partition row
	parts     int // partition rows, at least one to say there are none
	memStart  int
	members   int
	total     int
}

func (m *Model) layoutDetail() detailLayout {
	if m.detail == nil {
		return detailLayout{total: 1}
	}
	l := detailLayout{head: 2}
	if m.detail.Err != nil {
		l.head++
	}
	l.partStart = l.head + 3
	l.parts = max(len(m.detail.Partitions), 1)
	l.memStart = l.partStart + l.parts + 3
	l.members = max(len(m.memberRows), 1)
	l.total = l.memStart + l.members
	return l
}

func (m *Model) detailLen() int { return m.layoutDetail().total }

func (m *Model) detailView() []string {
	s := m.c.Styles
	lines := []string{s.Title.Render("▶ "+kafka.Sanitize([]byte(m.detailName))) + s.Muted.Render(" · consumer group (esc: back)")}
	l := m.layoutDetail()
	rows := m.detailRows()
	for i := m.detailTop; i < l.total && i < m.detailTop+rows; i++ {
		lines = append(lines, m.detailLine(l, i))
	}
	lines = common.FitLines(lines, 1+rows)
	return append(lines, m.detailStatus(l))
}

func (m *Model) detailLine(l detailLayout, i int) string {
	s := m.c.Styles
	d := m.detail
	if d == nil {
		if m.detailErr != nil {
			return s.Error.Render("✗ " + oneLine(m.detailErr))
		}
		return s.Muted.Render("  loading…")
	}
	switch {
	case i < 2:
		return m.summary(i)
	case i < l.head:
		return s.Error.Render("✗ " + oneLine(d.Err))
	case i == l.head, i == l.partStart+l.parts:
		return ""
	case i == l.head+1:
		return s.Title.Render(fmt.Sprintf("Partitions (%d)", len(d.Partitions)))
	case i == l.head+2:
		c := m.partCols()
		return s.Header.Render(fmt.Sprintf("  %s %s %s %s %s %s %s", common.Pad("TOPIC", c.topic), padLeft("PART", c.part),
			padLeft("COMMITTED", c.committed), padLeft("HIGH", c.high), padLeft("LAG", c.lag), common.Pad("TREND", c.trend), "MEMBER"))
	case i < l.partStart+l.parts:
		if len(d.Partitions) == 0 {
			return s.Muted.Render("  none: nothing assigned or committed")
		}
		return m.partitionLine(i - l.partStart)
	case i == l.partStart+l.parts+1:
		return s.Title.Render(fmt.Sprintf("Members (%d)", len(d.Members)))
	case i == l.partStart+l.parts+2:
		c := m.memberCols()
		return s.Header.Render(fmt.Sprintf("  %s %s %s %s", common.Pad("CLIENT ID", c.client), common.Pad("HOST", c.host),
			common.Pad("ASSIGNED", c.assigned), "MEMBER ID"))
	}
	if len(m.memberRows) == 0 {
		if d.State == "Empty" {
			return s.Muted.Render("  none: the group is empty, nobody is consuming")
		}
		return s.Muted.Render("  none")
	}
	return m.memberLine(i - l.memStart)
}

// summary is the group's state, assignor and coordinator on line 0, its
// members and total lag with its trend on line 1: two short lines rather
// than one that a narrow screen would cut.
func (m *Model) summary(line int) string {
	d := m.detail
	text := m.c.Styles.Text
	if line == 0 {
		proto := d.Protocol
		if proto == "" {
			proto = "-"
		}
		if d.ProtocolType != "" && d.ProtocolType != "consumer" {
			proto += " (" + d.ProtocolType + ")"
		}
		coord := "?"
		if d.Coordinator >= 0 {
			coord = strconv.Itoa(int(d.Coordinator))
		}
		return text.Render(fmt.Sprintf("  State %s · Protocol %s · Coordinator %s", d.State, kafka.Sanitize([]byte(proto)), coord))
	}
	s := text.Render(fmt.Sprintf("  Members %d · Lag %s", len(d.Members), lagLabel(d.Lag, d.Err)))
	if tr := m.trends[m.detailName]; tr.known {
		s += " " + m.trendStyle(tr).Render(trendLabel(tr))
	}
	return s
}

type partCols struct{ topic, part, committed, high, lag, trend int }

func (m *Model) partCols() partCols {
	c := partCols{part: 5, committed: 10, high: 10, lag: 9, trend: 10}
	if m.width >= wideAt {
		c.committed, c.high, c.lag, c.trend = 14, 14, 12, 12
	}
	rest := max(m.width-2-(1+c.part)-(1+c.committed)-(1+c.high)-(1+c.lag)-(1+c.trend)-1, 16)
	c.topic = rest * 3 / 5
	return c
}

// partitionLine is one partition: where the group is, where the log ends,
// the difference and how it moved, and who reads it or what failed.
func (m *Model) partitionLine(i int) string {
	s := m.c.Styles
	p := m.detail.Partitions[i]
	c := m.partCols()
	committed, high, lag := "-", "?", "-"
	if p.Committed >= 0 {
		committed = strconv.FormatInt(p.Committed, 10)
	}
	if p.High >= 0 {
		high = strconv.FormatInt(p.High, 10)
	}
	switch {
	case p.Lag >= 0:
		lag = strconv.FormatInt(p.Lag, 10)
	case p.Err != nil:
		lag = "✗"
	}
	var tr trend
	if i < len(m.partTrends) {
		tr = m.partTrends[i]
	}
	line := s.Text.Render(fmt.Sprintf("  %s %s %s %s %s ", common.Pad(kafka.Sanitize([]byte(p.Topic)), c.topic), padLeft(strconv.Itoa(int(p.Partition)), c.part),
		padLeft(committed, c.committed), padLeft(high, c.high), padLeft(lag, c.lag))) + m.trendStyle(tr).Render(common.Pad(trendLabel(tr), c.trend)) + " "
	switch {
	case p.Err != nil:
		return line + s.Error.Render("✗ "+oneLine(p.Err))
	case p.Member == "":
		return line + s.Muted.Render("-")
	}
	return line + s.Text.Render(kafka.Sanitize([]byte(p.Member)))
}

type memberCols struct{ client, host, assigned int }

func (m *Model) memberCols() memberCols {
	if m.width >= wideAt {
		return memberCols{client: 24, host: 20, assigned: 40}
	}
	return memberCols{client: 16, host: 15, assigned: 20}
}

// memberLine is one line of the members table; a member's later lines
// show only the rest of its assignment.
func (m *Model) memberLine(i int) string {
	r := m.memberRows[i]
	gm := m.detail.Members[r.member]
	c := m.memberCols()
	assigned := ""
	if r.topic >= 0 {
		a := gm.Assigned[r.topic]
		assigned = kafka.Sanitize([]byte(a.Topic)) + " " + ranges(a.Partitions)
	}
	if r.topic > 0 {
		return "  " + strings.Repeat(" ", c.client+1+c.host+1) + m.c.Styles.Text.Render(assigned)
	}
	id := gm.ID
	if gm.InstanceID != "" {
		id = gm.InstanceID + " (" + gm.ID + ")"
	}
	return m.c.Styles.Text.Render(fmt.Sprintf("  %s %s %s %s", common.Pad(kafka.Sanitize([]byte(gm.ClientID)), c.client),
		common.Pad(kafka.Sanitize([]byte(strings.TrimPrefix(gm.Host, "/"))), c.host), common.Pad(assigned, c.assigned), kafka.Sanitize([]byte(id))))
}

// ranges writes sorted partitions compactly: 0-3,5,7-8.
func ranges(ps []int32) string {
	var b strings.Builder
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1] == ps[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(ps[i])))
		if j > i {
			b.WriteString("-" + strconv.Itoa(int(ps[j])))
		}
		i = j + 1
	}
	return b.String()
}

// detailStatus says when the detail was read, which lines show, and the
// error of a failed refresh.
func (m *Model) detailStatus(l detailLayout) string {
	s := m.c.Styles
	var parts []string
	if !m.detailUpdated.IsZero() {
		parts = append(parts, "updated "+m.detailUpdated.Format("15:04:05"))
	}
	if rows := m.detailRows(); l.total > rows {
		parts = append(parts, fmt.Sprintf("lines %d-%d of %d (j/k)", m.detailTop+1, min(m.detailTop+rows, l.total), l.total))
	}
	status := strings.Join(parts, " · ")
	if m.loading && m.detail != nil {
		status += " ↻"
	}
	status = s.Muted.Render(status)
	if m.detailErr != nil && m.detail != nil {
		status += s.Error.Render(" · ✗ refresh failed: " + oneLine(m.detailErr))
	}
	return status
}
