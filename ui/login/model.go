// Package login is the login screen: a form for the auth mode, the brokers
// and the credentials of that mode, pre-filled from flags, environment and
// config, and a Connect that shows each step (config, AWS identity, resolve,
// TCP, TLS, SASL, metadata, session) with its time as it happens. On success
// it hands the App a ConnectedMsg; on failure it stays, with the failed step,
// its explanation and everything typed.
//
// Instead of typing the brokers, ctrl+f lists the MSK clusters of the
// region in a picker that covers the form; picking one fills the mode, the
// brokers (on the network path chosen) and the cluster's ARN, and puts the
// secrets associated with it first in the list of secrets. While the mode
// uses AWS credentials the screen also shows who STS says the user is.
//
// The cursor moves over rows: the mode selector, the text fields and the
// Connect button. On a text field letters are text and Editing reports true,
// so that the App hands every key but ctrl+c to the screen; elsewhere the
// App's q and ? work. The password field shows bullets only, and the
// password never leaves the form except to auth.Build's password prompt.
package login

import (
	"context"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/ui/common"
)

var _ common.Component = (*Model)(nil)

// Option configures the login screen.
type Option func(*options)

type options struct {
	dialTimeout time.Duration
	kopts       []kafka.Opt
}

// DialTimeout bounds each network step of a connect (resolve, TCP, TLS,
// SASL, metadata) and each connection attempt of the session; the default
// is 10s, and a duration that is not positive keeps it.
func DialTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.dialTimeout = d
		}
	}
}

// SessionOpts are passed to kafka.Check and kafka.Open, e.g. kafka.Logger
// for -v. A DialTimeout given here overrides the option above for Open.
func SessionOpts(opts ...kafka.Opt) Option {
	return func(o *options) { o.kopts = append(o.kopts, opts...) }
}

// secretList is what is known of the AmazonMSK_ secrets the credentials
// can list.
type secretList struct {
	gen     int
	key     string // the awsKey the list was asked for
	asked   bool
	loading bool
	cancel  context.CancelFunc
	items   []auth.SecretInfo
	err     error
	pick    int // the highlighted entry of matches()
}

// attempt is the state of the last connect.
type attempt struct {
	mode      auth.Mode
	plan      []string // the steps expected, to show those still to come
	steps     []step   // the steps ended, in order
	running   bool
	cancelled bool
	connected bool
	err       error
	// warnings are Build's, less the port warnings the form shows anyway.
	warnings     []string
	portWarnings []string
}

// Model is the login screen.
type Model struct {
	c    common.Common
	keys KeyMap
	opts options
	// base holds what the form has no field for (SCRAM mechanism, skipping
	// verification, cluster ARN); the caller's flags decide those.
	base auth.Config

	width, height int
	focused       bool
	row           int
	modeIdx       int
	inputs        [rowCount]textinput.Model

	secrets secretList
	picker  picker
	cluster *pickedCluster // the last cluster picked; see picked()
	ident   awsIdentity
	att     attempt
	gen     int // of connect attempts; messages of older ones are dropped
	cancel  context.CancelFunc
	notice  string // why Connect did nothing; cleared by the next key

	// durText renders step times; tests fix it so views are reproducible.
	durText func(time.Duration) string
}

// New returns the login screen pre-filled from cfg, which the caller has
// merged from flags, environment and config file. The mode is cfg.Mode, else
// the one the broker port implies, else IAM. The cursor starts on the first
// field that still needs filling, or on Connect when none does.
func New(c common.Common, cfg auth.Config, opts ...Option) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), opts: options{dialTimeout: 10 * time.Second}, base: cfg, durText: common.Duration}
	for _, o := range opts {
		o(&m.opts)
	}
	mode := cfg.Mode
	if _, err := auth.ParseMode(string(mode)); err != nil {
		mode = auth.IAM
		if pm, ok := auth.ModeForPort(cfg.Brokers); ok {
			mode = pm
		}
	}
	m.modeIdx = slices.Index(auth.Modes, mode)
	values := [rowCount]string{
		rowBrokers: strings.Join(cfg.Brokers, ","), rowRegion: cfg.Region, rowProfile: cfg.Profile, rowRole: cfg.RoleARN,
		rowSecret: cfg.Secret, rowUser: cfg.User, rowPassword: cfg.Password,
		rowCA: cfg.CAFile, rowCert: cfg.CertFile, rowKey: cfg.KeyFile,
	}
	for r := range rowCount {
		if !isText(r) {
			continue
		}
		m.inputs[r] = common.NewInput(c, "", placeholders[r])
		m.inputs[r].SetValue(values[r])
		m.inputs[r].CursorStart()
	}
	m.inputs[rowPassword].EchoMode = textinput.EchoPassword
	m.inputs[rowPassword].EchoCharacter = '•'
	m.row = m.firstRow()
	if m.wantsIdentity() {
		m.ident.key = m.awsKey() // Init asks
	}
	return m
}

// firstRow is where a person most likely has to type next.
func (m *Model) firstRow() int {
	if m.value(rowBrokers) == "" && m.base.ClusterARN == "" {
		return rowBrokers
	}
	switch m.mode() {
	case auth.SCRAM:
		switch {
		case m.value(rowSecret) == "" && m.value(rowUser) == "":
			return rowSecret
		case m.value(rowSecret) == "" && m.inputs[rowPassword].Value() == "":
			return rowPassword
		}
	case auth.MTLS:
		if m.value(rowCert) == "" {
			return rowCert
		}
		if m.value(rowKey) == "" {
			return rowKey
		}
	}
	return rowConnect
}

// Init lists the SCRAM secrets when the form opens in SCRAM mode, and
// asks who AWS says the user is when the mode uses AWS credentials.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.listSecrets(false), m.initIdentity()) }

// Editing reports whether a text field has the keyboard. While it does,
// the App should pass every key but ctrl+c to the screen: q, ? and digits
// are text then. It is false during a connect, when the fields are locked
// and esc cancels, and while the cluster picker covers the form.
func (m *Model) Editing() bool {
	return isText(m.row) && !m.att.running && !m.att.connected && m.picker.stage == stageClosed
}

// Connecting reports whether a connect is in progress.
func (m *Model) Connecting() bool { return m.att.running }

// Close cancels a connect or a listing of secrets in progress. The App
// calls it when it quits or leaves the login screen; a session a cancelled
// connect opened anyway is closed when its result reaches Update.
func (m *Model) Close() {
	if m.att.running {
		m.cancelAttempt()
	}
	if m.secrets.cancel != nil {
		m.secrets.cancel()
		m.secrets.cancel = nil
	}
	m.stopPicker()
	if m.ident.cancel != nil {
		m.ident.cancel()
		m.ident.cancel = nil
	}
}

// Update handles the results of connects, listings and lookups, and keys
// when the screen has the keyboard. Whatever changed the AWS settings
// also has STS asked again who they belong to.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	cmd := m.handleMsg(msg)
	return tea.Batch(cmd, m.watchIdentity())
}

func (m *Model) handleMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stepMsg:
		return m.onStep(msg)
	case doneMsg:
		return m.onDone(msg)
	case secretsMsg:
		m.onSecrets(msg)
		return nil
	case clustersMsg:
		return m.onClusters(msg)
	case clusterMsg:
		return m.onCluster(msg)
	case identityTickMsg:
		return m.onIdentityTick(msg)
	case identityMsg:
		m.onIdentity(msg)
		return nil
	case tea.KeyPressMsg:
		if !m.focused {
			return nil
		}
		m.notice = ""
		return m.handleKey(msg)
	}
	// Pastes and the fields' own messages.
	if m.focused && m.Editing() {
		return m.updateInput(msg)
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case m.att.running:
		if key.Matches(msg, k.Cancel) {
			return m.cancelAttempt()
		}
		return nil
	case m.att.connected:
		return nil // the session is the App's now; a second one would leak
	case m.picker.stage != stageClosed:
		return m.handlePickerKey(msg)
	}
	switch {
	case key.Matches(msg, k.Connect):
		return m.connect()
	case key.Matches(msg, k.Find):
		return m.findClusters()
	case key.Matches(msg, k.Reload) && m.mode() == auth.SCRAM:
		return m.listSecrets(true)
	}
	if m.row == rowSecret && len(m.matches()) > 0 {
		if cmd, ok := m.handlePickKey(msg); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, k.Next):
		return m.move(1)
	case key.Matches(msg, k.Prev):
		return m.move(-1)
	}
	switch m.row {
	case rowMode:
		switch {
		case key.Matches(msg, k.ModeNext):
			return m.setMode(1)
		case key.Matches(msg, k.ModePrev):
			return m.setMode(-1)
		case key.Matches(msg, k.Accept):
			return m.move(1)
		}
		return nil
	case rowConnect:
		if key.Matches(msg, k.Accept) {
			return m.connect()
		}
		return nil
	}
	if key.Matches(msg, k.Accept) {
		return m.move(1)
	}
	return m.updateInput(msg)
}

// handlePickKey moves over the list of secrets and picks one. Past either
// end of the list the arrows move between fields as elsewhere. A pick skips
// the user and password, which a secret replaces.
func (m *Model) handlePickKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	ms := m.matches()
	pick := min(m.secrets.pick, len(ms)-1)
	switch {
	case key.Matches(msg, m.keys.PickDown) && pick < len(ms)-1:
		m.secrets.pick = pick + 1
	case key.Matches(msg, m.keys.PickUp) && pick > 0:
		m.secrets.pick = pick - 1
	case key.Matches(msg, m.keys.Accept):
		m.inputs[rowSecret].SetValue(ms[pick].Name)
		m.inputs[rowSecret].CursorEnd()
		m.secrets.pick = 0
		return m.goTo(rowCA), true
	default:
		return nil, false
	}
	return nil, true
}

func (m *Model) updateInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	before := m.inputs[m.row].Value()
	m.inputs[m.row], cmd = m.inputs[m.row].Update(msg)
	if m.row == rowSecret && m.inputs[m.row].Value() != before {
		m.secrets.pick = 0 // the list has just been narrowed or widened
	}
	if m.row == rowBrokers && m.inputs[m.row].Value() != before {
		m.picker.note = "" // typing is what the note asked for
	}
	return cmd
}

// move steps the cursor over the rows the mode shows, wrapping around.
func (m *Model) move(d int) tea.Cmd {
	rows := rowsFor(m.mode())
	i := max(slices.Index(rows, m.row), 0)
	return m.goTo(rows[(i+d+len(rows))%len(rows)])
}

// goTo puts the cursor on row r. Leaving a row may have changed the AWS
// settings, so the secrets are listed again when they did.
func (m *Model) goTo(r int) tea.Cmd {
	cmd := m.focusRow(r)
	return tea.Batch(cmd, m.listSecrets(false))
}

func (m *Model) focusRow(r int) tea.Cmd {
	m.blurInputs()
	m.row = r
	if !m.focused || !isText(r) || m.att.running || m.picker.stage != stageClosed {
		return nil
	}
	m.inputs[r].CursorEnd() // typing most often adds to what is there
	return m.inputs[r].Focus()
}

// blurInputs takes the keyboard from the fields. A field left shows its
// text from the start, which is what a person reads a broker list or a
// path by.
func (m *Model) blurInputs() {
	for r := range rowCount {
		if isText(r) && m.inputs[r].Focused() {
			m.inputs[r].Blur()
			m.inputs[r].CursorStart()
		}
	}
}

// setMode steps through the modes offered. With a picked cluster in
// force, those are the cluster's, and its brokers for the new mode
// replace the old mode's.
func (m *Model) setMode(d int) tea.Cmd {
	pc := m.picked()
	modes := m.modesOffered()
	n := len(modes)
	i := max(slices.Index(modes, m.mode()), 0)
	m.modeIdx = slices.Index(auth.Modes, modes[(i+d+n)%n])
	if pc != nil {
		m.refillBrokers(pc)
	}
	return m.listSecrets(false)
}

// listSecrets asks for the AmazonMSK_ secrets in SCRAM mode, when the AWS
// settings changed since the last list or when forced.
func (m *Model) listSecrets(force bool) tea.Cmd {
	if m.mode() != auth.SCRAM {
		return nil
	}
	k := m.awsKey()
	if !force && m.secrets.asked && k == m.secrets.key {
		return nil
	}
	if m.secrets.cancel != nil {
		m.secrets.cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
	m.secrets = secretList{gen: m.secrets.gen + 1, key: k, asked: true, loading: true, cancel: cancel}
	return listSecretsCmd(ctx, m.secrets.gen, m.awsConfig())
}

func (m *Model) onSecrets(msg secretsMsg) {
	if msg.gen != m.secrets.gen {
		return
	}
	if m.secrets.cancel != nil {
		m.secrets.cancel()
		m.secrets.cancel = nil
	}
	m.secrets.loading = false
	m.secrets.items, m.secrets.err, m.secrets.pick = msg.items, msg.err, 0
}

// plan lists the steps a connect with c goes through; identity only where
// Build loads AWS credentials.
func plan(c auth.Config) []string {
	p := []string{"config"}
	if c.Mode == auth.IAM || (c.Mode == auth.SCRAM && c.Secret != "") || len(c.Brokers) == 0 {
		p = append(p, "identity")
	}
	return append(p, "resolve", "tcp", "tls", "sasl", "metadata", "session")
}

// connect starts an attempt with a copy of the form. The attempt runs in
// Cmds; its messages carry its generation so that a cancelled attempt's
// late steps are dropped.
func (m *Model) connect() tea.Cmd {
	if p := m.problem(); p != "" {
		m.notice = p
		return nil
	}
	r := m.request()
	if m.cancel != nil {
		m.cancel()
	}
	m.gen++
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.att = attempt{mode: r.cfg.Mode, running: true, plan: plan(r.cfg), portWarnings: auth.PortWarnings(r.cfg.Mode, r.cfg.Brokers)}
	m.blurInputs()
	ch := make(chan tea.Msg, attemptBuffer)
	return tea.Batch(connectCmd(ctx, m.gen, r, ch), waitCmd(ch))
}

func (m *Model) cancelAttempt() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.gen++
	m.att.running, m.att.cancelled = false, true
	return m.focusRow(m.row)
}

func (m *Model) onStep(msg stepMsg) tea.Cmd {
	if msg.gen == m.gen {
		m.att.steps = append(m.att.steps, msg.step)
		for _, w := range msg.warnings {
			if !slices.Contains(m.att.portWarnings, w) {
				m.att.warnings = append(m.att.warnings, w)
			}
		}
	}
	// A stale attempt is drained too, to the doneMsg that may hold a
	// session to close.
	return waitCmd(msg.ch)
}

func (m *Model) onDone(msg doneMsg) tea.Cmd {
	if msg.gen != m.gen {
		if msg.session != nil {
			return closeCmd(msg.session)
		}
		return nil
	}
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.att.running = false
	if msg.err != nil {
		m.att.err = msg.err
		return m.focusRow(m.row)
	}
	m.att.connected = true
	cm := ConnectedMsg{Session: msg.session, Client: msg.client, Identity: msg.identity, AWS: msg.aws, Cluster: msg.cluster}
	return func() tea.Msg { return cm }
}

// SetSize sets the screen's box and sizes the fields to it.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	fw := max(m.layout().fieldW()-1, 4) // the cursor takes a cell past the text
	for r := range rowCount {
		if isText(r) {
			m.inputs[r].SetWidth(fw)
			reflow(&m.inputs[r])
		}
	}
}

// reflow makes a field recompute which part of its text shows after a
// width change, keeping the cursor in view. The field does so only as its
// cursor moves past the shown part, so it is emptied and refilled, which
// puts the cursor at the end, then moved back.
func reflow(in *textinput.Model) {
	v, pos := in.Value(), in.Position()
	in.SetValue("")
	in.SetValue(v)
	in.SetCursor(pos)
}

// Focus gives the screen the keyboard and the field under the cursor.
func (m *Model) Focus() tea.Cmd {
	m.focused = true
	return m.focusRow(m.row)
}

// Blur takes the keyboard away.
func (m *Model) Blur() {
	m.focused = false
	m.blurInputs()
}

// ShortHelp lists the keys that work on the current row.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.att.running:
		return []key.Binding{k.Cancel}
	case m.picker.stage != stageClosed:
		enter := k.Accept
		enter.SetHelp("enter", "pick")
		return []key.Binding{k.ListDown, k.ListUp, enter, k.Back}
	case m.row == rowMode:
		return []key.Binding{k.ModeNext, k.ModePrev, k.Next, k.Connect}
	case m.row == rowConnect:
		enter := k.Accept
		enter.SetHelp("enter", "connect")
		return []key.Binding{enter, k.Prev, k.Next}
	case m.row == rowSecret && len(m.matches()) > 0:
		enter := k.Accept
		enter.SetHelp("enter", "pick secret")
		return []key.Binding{k.PickDown, k.PickUp, enter, k.Connect, k.Reload}
	}
	return []key.Binding{k.Next, k.Prev, k.Connect, k.Find}
}

// FullHelp lists every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Next, k.Prev, k.Accept, k.Connect, k.Cancel},
		{k.ModeNext, k.ModePrev},
		{k.PickDown, k.PickUp, k.Reload},
		{k.Find, k.ListDown, k.ListUp, k.Back},
	}
}
