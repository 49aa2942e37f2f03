package ui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/ui/login"
)

// NewLoginApp returns an App that starts on the login screen, pre-filled
// from cfg, and opens the main screen once it connects.
func NewLoginApp(cfg auth.Config, o Options, lopts ...login.Option) *App {
	a := newApp(o)
	a.login = login.New(a.c, cfg, lopts...)
	return a
}

// updateLogin routes messages while the login screen shows: ctrl+c always
// quits; q and ? are the App's only outside text fields.
func (a *App) updateLogin(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, a.keys.ForceQuit):
			return tea.Quit
		case !a.login.Editing() && key.Matches(msg, a.keys.Quit):
			return tea.Quit
		case !a.login.Editing() && key.Matches(msg, a.keys.Help):
			a.showHelp = !a.showHelp
			return nil
		}
	case login.ConnectedMsg:
		return a.connected(msg)
	}
	return a.login.Update(msg)
}

// connected leaves the login screen for the main screen on the session the
// login opened.
func (a *App) connected(msg login.ConnectedMsg) tea.Cmd {
	info := NewInfo(msg.Client, msg.AWS, msg.Cluster)
	a.login.Close()
	a.login = nil
	a.session = msg.Session
	a.Connected = msg.Client
	a.showHelp = false
	a.connect(msg.Session, info)
	a.layout()
	return a.start()
}

func (a *App) renderLogin() string {
	var b strings.Builder
	b.WriteString(a.statusLine() + "\n")
	footer := a.help.ShortHelpView(a.login.ShortHelp())
	if a.showHelp {
		footer = a.help.FullHelpView(append(a.login.FullHelp(), a.keys.FullHelp()[1]))
	} else if !a.login.Editing() {
		footer = a.help.ShortHelpView(append(a.login.ShortHelp(), a.keys.ShortHelp()...))
	}
	bodyH := max(a.height-1-strings.Count(footer, "\n")-1, 1)
	b.WriteString(fitLines(a.login.View(), bodyH))
	b.WriteByte('\n')
	b.WriteString(footer)
	return b.String()
}

// RunLogin runs the UI from the login screen and returns the connection it
// made, so the caller can remember it; nil when the user quit before
// connecting.
func RunLogin(ctx context.Context, cfg auth.Config, o Options, lopts ...login.Option) (*auth.Client, error) {
	app := NewLoginApp(cfg, o, lopts...)
	defer app.Close()
	_, err := tea.NewProgram(app, tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil
	}
	return app.Connected, err
}
