package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui/advice"
	"github.com/mskx/mskx/ui/common"
	"github.com/mskx/mskx/ui/detail"
	"github.com/mskx/mskx/ui/groups"
	"github.com/mskx/mskx/ui/login"
	"github.com/mskx/mskx/ui/produce"
	"github.com/mskx/mskx/ui/tail"
	"github.com/mskx/mskx/ui/topics"
)

// Session is what the UI needs of the cluster; *kafka.Session is one.
type Session interface {
	topics.Lister
	tail.Opener
	produce.Producer
	groups.Lister
}

// linkState is a Session that says whether it is reconnecting;
// *kafka.Session is one.
type linkState interface{ Reconnecting() error }

// Info is what the status line says about the connection.
type Info struct {
	Cluster  string // cluster ID or name
	Auth     string // auth mode
	Identity string // who AWS says the user is, or the SCRAM user
	// Source is where the AWS credentials came from (environment, profile
	// NAME, instance role, assumed role); empty without AWS.
	Source string
	// Expiries, for IAM, says when the last token was made and when the
	// credentials behind it expire (zero when they do not).
	Expiries func() (lastToken, credentials time.Time)
	// Resources name the cluster in IAM advice: its ARN when known, the
	// region and the account.
	Resources kafka.Resources
	// Serverless is an MSK Serverless cluster: no replication to choose.
	Serverless bool
}

// Options configure the App. Zero values take the defaults stated.
type Options struct {
	Palette themes.Palette
	// MaxFPS caps redraws while records flow; default 10.
	MaxFPS int
	// Tail sets where tails start and how many records they keep.
	Tail kafka.TailOptions
	// Topic, when set, opens its tail at start.
	Topic string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// ReadOnly disables producing and topic admin, and says so.
	ReadOnly bool
}

// Minimum usable terminal size.
const (
	MinWidth  = 60
	MinHeight = 15
)

const (
	paneTopics = iota
	paneTail
	paneProduce
	paneGroups
	paneCount
)

var paneNames = [paneCount]string{"Topics", "Tail", "Produce", "Groups"}

// App is the root model: it owns layout, focus, the status line and the
// frame tick, and routes messages to the panes.
type App struct {
	c          common.Common
	keys       common.GlobalKeyMap
	help       help.Model
	info       Info
	fps        int
	startTopic string
	opts       Options

	// login is the login screen, shown until it connects; nil when the App
	// started connected. session is what it opened, closed with the App.
	login   *login.Model
	session *kafka.Session
	// Connected is the connection the login screen made, for the caller
	// to remember; nil before (or without) a login.
	Connected *auth.Client
	// link says whether the session is reconnecting; nil when it cannot.
	link linkState

	width, height int
	topics        *topics.Model
	tail          *tail.Model
	detail        *detail.Model
	detailOpen    bool // the record detail covers the tail pane
	produce       *produce.Model
	groups        *groups.Model
	focus         int
	showHelp      bool
	ticking       bool

	// failure is the last failed cluster call, shown in the footer until
	// the next key; advice is what IAM needs for the last refusal, kept
	// until another replaces it, and shown whole while adviceOpen.
	failure    error
	advice     *kafka.Advice
	adviceView *advice.Model
	adviceOpen bool
}

// NewApp returns the App for a connected session.
func NewApp(s Session, info Info, o Options) *App {
	a := newApp(o)
	a.connect(s, info)
	return a
}

// newApp sets up what does not depend on a session.
func newApp(o Options) *App {
	if o.Palette.Name == "" {
		o.Palette, _ = themes.ByName("dark")
	}
	if o.MaxFPS <= 0 {
		o.MaxFPS = 10
	}
	c := common.New(o.Palette)
	if o.Now != nil {
		c.Now = o.Now
	}
	h := help.New()
	h.Styles = c.Styles.Help
	dir, err := os.Getwd()
	if err != nil {
		dir = os.TempDir()
	}
	keys := common.DefaultGlobalKeyMap()
	keys.Advice.SetEnabled(false)
	return &App{c: c, keys: keys, help: h, fps: o.MaxFPS, startTopic: o.Topic, opts: o, adviceView: advice.New(c, dir)}
}

// connect builds the panes on a session.
func (a *App) connect(s Session, info Info) {
	a.info = info
	a.link, _ = s.(linkState)
	var topts []topics.Option
	if a.opts.ReadOnly {
		topts = append(topts, topics.ReadOnly())
	}
	if info.Serverless {
		topts = append(topts, topics.Serverless())
	}
	a.topics = topics.New(a.c, s, topts...)
	a.tail = tail.New(a.c, s, a.opts.Tail)
	a.detail = detail.New(a.c)
	a.produce = produce.New(a.c, s)
	a.produce.SetReadOnly(a.opts.ReadOnly)
	a.groups = groups.New(a.c, s)
}

// Init loads topics and, with a start topic, opens its tail; before a
// login it starts the login screen.
func (a *App) Init() tea.Cmd {
	if a.login != nil {
		return tea.Batch(a.login.Init(), a.login.Focus())
	}
	return a.start()
}

func (a *App) start() tea.Cmd {
	cmds := []tea.Cmd{a.topics.Init(), a.topics.Focus(), a.statusTick()}
	if a.startTopic != "" {
		cmds = append(cmds, a.openTail(a.startTopic))
	}
	return tea.Batch(cmds...)
}

type frameMsg struct{}

func (a *App) frame() tea.Cmd {
	return tea.Tick(time.Second/time.Duration(a.fps), func(time.Time) tea.Msg { return frameMsg{} })
}

func (a *App) openTail(topic string) tea.Cmd {
	a.produce.SetTopic(topic)
	a.detailOpen = false
	cmds := []tea.Cmd{a.tail.Open(topic), a.setFocus(paneTail)}
	if !a.ticking {
		a.ticking = true
		cmds = append(cmds, a.frame())
	}
	return tea.Batch(cmds...)
}

func (a *App) pane(i int) common.Component {
	switch {
	case i == paneTail && a.detailOpen:
		return a.detail
	case i == paneTail:
		return a.tail
	case i == paneProduce:
		return a.produce
	case i == paneGroups:
		return a.groups
	}
	return a.topics
}

func (a *App) setFocus(i int) tea.Cmd {
	a.pane(a.focus).Blur()
	a.focus = i
	return a.pane(i).Focus()
}

// Update routes a message: global keys first, then the focused pane; data
// messages go to the pane that asked, focused or not.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.layout()
		return a, nil
	}
	if a.login != nil {
		return a, a.updateLogin(msg)
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		a.failure = nil
		return a, a.handleKey(msg)
	case common.FailedMsg:
		a.failed(msg.Err)
		return a, nil
	case advice.CloseMsg:
		a.adviceOpen = false
		return a, nil
	case statusTickMsg:
		return a, a.statusTick()
	case frameMsg:
		cmd := a.tail.Update(tail.FrameMsg{})
		if a.tail.Active() {
			return a, tea.Batch(cmd, a.frame())
		}
		a.ticking = false
		return a, cmd
	case topics.OpenTailMsg:
		return a, a.openTail(msg.Topic)
	case tail.BackMsg:
		return a, a.setFocus(paneTopics)
	case tail.OpenRecordMsg:
		a.tail.Blur()
		a.detail.SetRecord(msg.Record)
		a.detailOpen = true
		return a, a.setFocus(paneTail)
	case detail.CloseMsg:
		a.detail.Blur()
		a.detailOpen = false
		return a, a.setFocus(paneTail)
	case detail.SendToProducerMsg:
		r := msg.Record
		a.produce.Fill(r.Topic, r.Key, r.Headers, r.Value, kafka.AnyPartition)
		return a, a.setFocus(paneProduce)
	case produce.DeliveredMsg:
		if d := msg.Delivery; d.Err == nil {
			a.tail.Mark(d.Topic, d.Partition, d.Offset)
		} else {
			a.failed(d.Err)
		}
	}
	return a, tea.Batch(a.topics.Update(msg), a.tail.Update(msg), a.produce.Update(msg), a.groups.Update(msg), a.adviceView.Update(msg))
}

func (a *App) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, a.keys.ForceQuit) {
		return tea.Quit
	}
	if a.typing() {
		return a.pane(a.focus).Update(msg) // letters are text here
	}
	if a.adviceOpen {
		if key.Matches(msg, a.keys.Quit) {
			return tea.Quit
		}
		return a.adviceView.Update(msg)
	}
	switch {
	case key.Matches(msg, a.keys.Advice):
		a.adviceOpen = true
		return nil
	case key.Matches(msg, a.keys.Quit):
		return tea.Quit
	case key.Matches(msg, a.keys.Help):
		a.showHelp = !a.showHelp
		a.layout()
		return nil
	case key.Matches(msg, a.keys.Topics):
		return a.setFocus(paneTopics)
	case key.Matches(msg, a.keys.Tail):
		return a.setFocus(paneTail)
	case key.Matches(msg, a.keys.Produce):
		return a.setFocus(paneProduce)
	case key.Matches(msg, a.keys.Groups):
		return a.setFocus(paneGroups)
	case key.Matches(msg, a.keys.Next):
		return a.setFocus((a.focus + 1) % paneCount)
	case key.Matches(msg, a.keys.Prev):
		return a.setFocus((a.focus + paneCount - 1) % paneCount)
	}
	return a.pane(a.focus).Update(msg)
}

// typing reports whether a text field of the focused pane has the keyboard,
// where every key but ctrl+c is text.
func (a *App) typing() bool {
	return (a.focus == paneTopics && a.topics.Editing()) || (a.focus == paneProduce && a.produce.Editing()) ||
		(a.focus == paneTail && !a.detailOpen && a.tail.Prompting()) || (a.focus == paneGroups && a.groups.Editing())
}

// layout gives each pane its box: the screen less the status line, the tab
// line and the footer.
func (a *App) layout() {
	if a.login != nil {
		a.login.SetSize(a.width, max(a.height-2, 1))
		a.help.SetWidth(a.width)
		return
	}
	footer := 1
	if a.showHelp {
		footer = a.fullHelpHeight()
	}
	h := max(a.height-2-footer, 1)
	a.topics.SetSize(a.width, h)
	a.tail.SetSize(a.width, h)
	a.detail.SetSize(a.width, h)
	a.produce.SetSize(a.width, h)
	a.groups.SetSize(a.width, h)
	a.adviceView.SetSize(a.width, h)
	a.help.SetWidth(a.width)
}

func (a *App) fullHelpHeight() int {
	return strings.Count(a.help.FullHelpView(a.fullHelp()), "\n") + 1
}

func (a *App) fullHelp() [][]key.Binding {
	if a.adviceOpen {
		return append(a.adviceView.FullHelp(), a.keys.FullHelp()...)
	}
	return append(a.pane(a.focus).FullHelp(), a.keys.FullHelp()...)
}

// footer is the last line: a failure until the next key, else the keys of
// the focused pane and the global ones, or every key with ?.
func (a *App) footer() string {
	s := a.c.Styles
	if a.showHelp {
		return a.help.FullHelpView(a.fullHelp())
	}
	if a.failure != nil {
		line := "✗ " + a.failure.Error()
		if a.advice != nil {
			line = "✗ " + a.advice.Summary
		}
		hint := ""
		if a.keys.Advice.Enabled() {
			hint = " · A: policy"
		}
		return s.Error.Render(common.Truncate(kafka.Sanitize([]byte(line)), max(a.width-ansi.StringWidth(hint), 1))) + s.Muted.Render(hint)
	}
	if a.adviceOpen {
		return a.help.ShortHelpView(append(a.adviceView.ShortHelp(), a.keys.ShortHelp()...))
	}
	short := a.pane(a.focus).ShortHelp()
	if !a.typing() {
		short = append(short, a.keys.ShortHelp()...)
	}
	return a.help.ShortHelpView(short)
}

// failed keeps a failed call for the footer and, when it is an IAM
// refusal, the policy it needs for A.
func (a *App) failed(err error) {
	if err == nil {
		return
	}
	a.failure = err
	if adv, ok := kafka.Advise(err, a.info.Resources); ok {
		a.advice = &adv
		a.adviceView.Set(adv)
		a.keys.Advice.SetEnabled(true)
	}
}

type statusTickMsg struct{}

// statusTick redraws the status line every half minute while it shows
// token and credential lifetimes, which change without any event.
func (a *App) statusTick() tea.Cmd {
	if a.info.Expiries == nil {
		return nil
	}
	return tea.Tick(30*time.Second, func(time.Time) tea.Msg { return statusTickMsg{} })
}

// View draws the whole screen.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "mskx"
	return v
}

func (a *App) render() string {
	if a.width == 0 || a.height == 0 {
		return ""
	}
	if a.width < MinWidth || a.height < MinHeight {
		return fmt.Sprintf("Terminal too small: %dx%d.\nmskx needs at least %dx%d; enlarge the window or press q to quit.", a.width, a.height, MinWidth, MinHeight)
	}
	if a.login != nil {
		return a.renderLogin()
	}
	var b strings.Builder
	b.WriteString(common.Truncate(a.statusLine(), a.width) + "\n")
	b.WriteString(a.tabs() + "\n")
	footer := a.footer()
	bodyH := max(a.height-2-strings.Count(footer, "\n")-1, 1)
	body := a.pane(a.focus).View()
	if a.adviceOpen {
		body = a.adviceView.View()
	}
	b.WriteString(fitLines(body, bodyH))
	b.WriteByte('\n')
	b.WriteString(footer)
	return b.String()
}

// fitLines pads or cuts s to exactly n lines, so that the footer always
// sits on the last line whatever a pane drew.
func fitLines(s string, n int) string {
	return strings.Join(common.FitLines(strings.Split(strings.TrimSuffix(s, "\n"), "\n"), n), "\n")
}

func (a *App) statusLine() string {
	s := a.c.Styles
	parts := []string{s.Title.Render("mskx"), a.info.Cluster, a.info.Auth}
	if a.login != nil {
		return strings.Join(append(parts[:1], s.Muted.Render("○ not connected")), " │ ")
	}
	if a.reconnecting() {
		parts = append(parts, s.Warning.Render("◌ reconnecting"))
	} else {
		parts = append(parts, s.Success.Render("● connected"))
	}
	if a.opts.ReadOnly {
		parts = append(parts, s.Warning.Render("read-only"))
	}
	if a.tail.Active() {
		parts = append(parts, fmt.Sprintf("%.0f rec/s", a.tail.Rate()))
	}
	if exp := a.expiries(); exp != "" {
		parts = append(parts, exp)
	}
	// Who comes last: on a narrow screen the state, the rate and the
	// token's time matter more than an ARN, which the login screen showed
	// whole. What does not fit is said shorter: the ARN's resource (the
	// role and session) without the account, then without the source.
	line := strings.Join(parts, " │ ")
	if a.info.Identity == "" {
		return line
	}
	who := []string{a.info.Identity, shortARN(a.info.Identity)}
	if a.info.Source != "" {
		who = []string{who[0] + " (" + a.info.Source + ")", who[1] + " (" + a.info.Source + ")", who[1]}
	}
	for _, w := range who {
		if full := line + " │ " + w; ansi.StringWidth(full) <= a.width {
			return full
		}
	}
	return line + " │ " + who[len(who)-1]
}

// shortARN is the resource part of an ARN ("assumed-role/Reader/i-0abc" of
// arn:aws:sts::123456789012:assumed-role/Reader/i-0abc); other text as is.
func shortARN(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	if f := strings.SplitN(s, ":", 6); len(f) == 6 && f[5] != "" {
		return f[5]
	}
	return s
}

// reconnecting reports whether the focused tail or the session has lost a
// broker it needs; both retry by themselves, and the status line says so
// meanwhile rather than "connected".
func (a *App) reconnecting() bool {
	if a.focus == paneTail && a.tail.Reconnecting() {
		return true
	}
	return a.link != nil && a.link.Reconnecting() != nil
}

// expiries says how long the IAM token and the credentials behind it have
// left, e.g. "token 14m, creds 52m"; "" without IAM or before a token.
func (a *App) expiries() string {
	if a.info.Expiries == nil {
		return ""
	}
	tok, creds := a.info.Expiries()
	if tok.IsZero() {
		return ""
	}
	now := a.c.Now()
	tokExp := tok.Add(auth.TokenLifetime)
	if !creds.IsZero() && creds.Before(tokExp) {
		tokExp = creds
	}
	out := "token " + left(tokExp.Sub(now))
	if !creds.IsZero() {
		out += ", creds " + left(creds.Sub(now))
	}
	return out
}

// left is a remaining time in whole minutes, or "expired". A token is
// renewed before it expires, so the figure falls and jumps back up.
func left(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	if d < time.Minute {
		return "<1m"
	}
	if d >= 100*time.Hour {
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	if d >= 2*time.Hour {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

func (a *App) tabs() string {
	s := a.c.Styles
	var out []string
	for i, n := range paneNames {
		label := fmt.Sprintf("%d %s", i+1, n)
		if i == paneTail && a.tail.Topic() != "" {
			label += ": " + a.tail.Topic()
		}
		if i == a.focus {
			out = append(out, s.TabActive.Render("["+label+"]"))
		} else {
			out = append(out, s.TabInactive.Render(" "+label+" "))
		}
	}
	return common.Truncate(strings.Join(out, " "), a.width)
}

// Close stops the tail and a login's connect or session; call it after the
// program ends.
func (a *App) Close() {
	if a.login != nil {
		a.login.Close()
	}
	if a.tail != nil {
		a.tail.Close()
	}
	if a.session != nil {
		a.session.Close()
	}
}

// Run runs the UI on the terminal until the user quits or ctx ends, then
// closes the tail so the consumer leaves cleanly.
func Run(ctx context.Context, s Session, info Info, o Options) error {
	app := NewApp(s, info, o)
	defer app.Close()
	_, err := tea.NewProgram(app, tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
