package login

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

// awsIdentity is what STS said about the AWS settings of the form. Who
// the credentials belong to is the first thing to check when IAM or
// Secrets Manager refuses, so it is shown before connecting; it never
// holds up a connect.
type awsIdentity struct {
	// key is awsKey() of the settings asked about, or "" before any
	// question; answers are shown only while the settings still match.
	key     string
	profile string // the profile asked with, to name the source
	gen     int
	loading bool
	cancel  context.CancelFunc
	id      *auth.Identity
	// noRegion: nothing said which region's STS to ask.
	noRegion bool
	err      error
}

// wantsIdentity reports whether the mode uses AWS credentials: IAM, or
// SCRAM with a secret read from Secrets Manager.
func (m *Model) wantsIdentity() bool {
	switch m.mode() {
	case auth.IAM:
		return true
	case auth.SCRAM:
		return m.value(rowSecret) != ""
	}
	return false
}

// initIdentity asks at once for the settings the form opened with.
func (m *Model) initIdentity() tea.Cmd {
	if !m.wantsIdentity() {
		return nil
	}
	m.restartIdentity()
	return m.askIdentity()
}

// watchIdentity asks again, after a pause, when the AWS settings differ
// from those last asked about. The result of the old settings is dropped
// at once: it would name the wrong principal.
func (m *Model) watchIdentity() tea.Cmd {
	if m.att.connected || !m.wantsIdentity() || m.awsKey() == m.ident.key {
		return nil
	}
	m.restartIdentity()
	return tickIdentity(m.ident.gen)
}

func (m *Model) restartIdentity() {
	if m.ident.cancel != nil {
		m.ident.cancel()
	}
	m.ident = awsIdentity{key: m.awsKey(), profile: m.value(rowProfile), gen: m.ident.gen + 1, loading: true}
}

func (m *Model) onIdentityTick(msg identityTickMsg) tea.Cmd {
	if msg.gen != m.ident.gen {
		return nil
	}
	return m.askIdentity()
}

func (m *Model) askIdentity() tea.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
	m.ident.cancel = cancel
	return whoAmICmd(ctx, m.ident.gen, m.awsConfig())
}

func (m *Model) onIdentity(msg identityMsg) {
	if msg.gen != m.ident.gen {
		return
	}
	if m.ident.cancel != nil {
		m.ident.cancel()
		m.ident.cancel = nil
	}
	m.ident.loading = false
	m.ident.id, m.ident.noRegion, m.ident.err = msg.id, msg.noRegion, msg.err
}

// identityLine says who AWS says the user is: the ARN, the account and
// where the credentials came from, on two lines when one is too narrow.
// Unknown, it is one muted line; it is empty while the mode does not use
// AWS.
func (m *Model) identityLine(w int) []string {
	id := m.ident
	if !m.wantsIdentity() || id.key == "" || id.key != m.awsKey() {
		return nil
	}
	s := m.c.Styles
	var text string
	switch {
	case id.loading:
		text = s.Muted.Render("… asking AWS who these credentials belong to")
	case id.noRegion:
		text = s.Muted.Render("· type a region to see who AWS says you are")
	case id.err != nil:
		msg, _, _ := strings.Cut(kafka.Sanitize([]byte(id.err.Error())), "\n")
		text = s.Muted.Render("· AWS identity unknown: " + msg)
	case id.id != nil:
		src := id.id.Source
		if id.profile != "" {
			src = "profile " + id.profile + ", " + src
		}
		who, more := "as "+id.id.ARN, "account "+id.id.Account+" · "+src
		pad := strings.Repeat(" ", labelW)
		if ansi.StringWidth(who+" · "+more) <= w {
			return []string{pad + s.Text.Render(who) + s.Muted.Render(" · "+more)}
		}
		// Long role session ARNs: the source on a line of its own rather
		// than cut off.
		return []string{pad + common.Truncate(s.Text.Render(who), w), pad + common.Truncate(s.Muted.Render(more), w)}
	default:
		return nil
	}
	return []string{strings.Repeat(" ", labelW) + common.Truncate(text, w)}
}
