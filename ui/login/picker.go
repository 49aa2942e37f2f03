package login

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
)

// stage is where the cluster picker is. It covers the form until a
// cluster is picked or esc is pressed; nothing in the form changes before
// the last stage ends, so esc always leaves the form as it was.
type stage int

const (
	stageClosed  stage = iota
	stageList          // the clusters of the region, or listing them
	stageCluster       // looking up the brokers of the highlighted cluster
	stagePath          // choosing among the cluster's network paths
)

// picker is the state of the cluster picker.
type picker struct {
	stage   stage
	gen     int
	cancel  context.CancelFunc
	loading bool
	region  string // what the listing found; empty until it answers
	items   []auth.ClusterInfo
	pick    int
	err     error // of the last lookup of a cluster's brokers
	// The cluster being picked, once its brokers are known.
	found    *pickedCluster
	paths    []auth.BootstrapPath
	pathPick int
	// note says, under the brokers, why no cluster could be listed; it
	// goes when the brokers are typed or the picker is opened again.
	note string
}

// pickedCluster is a cluster picked from the list. It is in force while
// the brokers field holds what the pick filled in; typing other brokers
// lets it go, with the cluster ARN and the restriction of the modes.
type pickedCluster struct {
	info auth.ClusterInfo
	boot map[auth.Mode]auth.BootstrapStrings
	// modes are the cluster's modes that have a bootstrap string, in the
	// order of auth.Modes.
	modes  []auth.Mode
	mode   auth.Mode // the mode picked with it
	path   string    // the network path chosen
	filled string    // the brokers filled in
	// secrets are the ARNs of the secrets associated with the cluster.
	secrets    []string
	secretsErr error
}

// picked is the cluster in force, or nil.
func (m *Model) picked() *pickedCluster {
	if c := m.cluster; c != nil && m.value(rowBrokers) == c.filled {
		return c
	}
	return nil
}

// modesOffered are the modes the selector offers: the picked cluster's
// while one is in force, else all.
func (m *Model) modesOffered() []auth.Mode {
	if p := m.picked(); p != nil {
		return p.modes
	}
	return auth.Modes
}

// findClusters opens the picker and lists the clusters of the region the
// AWS settings point at. A picker already open is listed again.
func (m *Model) findClusters() tea.Cmd {
	m.stopPicker()
	ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
	m.picker = picker{stage: stageList, gen: m.picker.gen + 1, loading: true, cancel: cancel}
	m.blurInputs()
	return listClustersCmd(ctx, m.picker.gen, m.awsConfig())
}

// stopPicker cancels what the picker is waiting for; the answer, should
// it come, is dropped by its generation.
func (m *Model) stopPicker() {
	if m.picker.cancel != nil {
		m.picker.cancel()
		m.picker.cancel = nil
	}
	m.picker.gen++
	m.picker.loading = false
}

// answered releases what the picker was waiting for.
func (p *picker) answered() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.loading = false
}

// closePicker goes back to the form. note, when not empty, says why.
func (m *Model) closePicker(note string) tea.Cmd {
	m.stopPicker()
	m.picker.stage, m.picker.note, m.picker.found = stageClosed, note, nil
	return m.focusRow(m.row)
}

func (m *Model) onClusters(msg clustersMsg) tea.Cmd {
	if msg.gen != m.picker.gen || m.picker.stage != stageList {
		return nil
	}
	m.picker.answered()
	switch {
	case msg.err != nil:
		m.row = rowBrokers
		return m.closePicker(clustersNote(msg.err))
	case len(msg.items) == 0:
		m.row = rowBrokers
		return m.closePicker(fmt.Sprintf("no MSK clusters in %s: type the bootstrap brokers, or another region", msg.region))
	}
	m.picker.region, m.picker.items, m.picker.pick = msg.region, msg.items, 0
	if p := m.picked(); p != nil {
		m.picker.pick = max(slices.IndexFunc(msg.items, func(c auth.ClusterInfo) bool { return c.ARN == p.info.ARN }), 0)
	}
	return nil
}

// clustersNote says in one line why no cluster can be picked, and that
// typing the brokers still works.
func clustersNote(err error) string {
	switch {
	case errors.Is(err, auth.ErrListClustersDenied):
		return "listing clusters was denied (kafka:ListClustersV2): type the bootstrap brokers"
	case errors.Is(err, errNoRegion):
		return "no AWS region to find clusters in: type the region, or the bootstrap brokers"
	case errors.Is(err, errNoCredentials):
		return "no AWS credentials to find clusters with: set a profile, or type the bootstrap brokers"
	}
	return "finding clusters failed (" + kafka.Sanitize([]byte(err.Error())) + "): type the bootstrap brokers"
}

// handlePickerKey moves over the picker's list and picks; esc leaves it
// from any stage without changing the form.
func (m *Model) handlePickerKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		return m.closePicker("")
	case key.Matches(msg, k.Find):
		return m.findClusters()
	case key.Matches(msg, k.Connect):
		return nil // the form is hidden: connecting now would surprise
	}
	p := &m.picker
	switch p.stage {
	case stageList:
		if p.loading || len(p.items) == 0 {
			return nil
		}
		switch {
		case key.Matches(msg, k.ListDown):
			p.pick = min(p.pick+1, len(p.items)-1)
		case key.Matches(msg, k.ListUp):
			p.pick = max(p.pick-1, 0)
		case key.Matches(msg, k.Accept):
			return m.lookUpCluster(p.items[p.pick])
		}
	case stagePath:
		switch {
		case key.Matches(msg, k.ListDown):
			p.pathPick = min(p.pathPick+1, len(p.paths)-1)
		case key.Matches(msg, k.ListUp):
			p.pathPick = max(p.pathPick-1, 0)
		case key.Matches(msg, k.Accept):
			return m.applyCluster(p.found, p.paths[p.pathPick])
		}
	}
	return nil
}

// lookUpCluster asks for the brokers (and SCRAM secrets) of a cluster.
func (m *Model) lookUpCluster(info auth.ClusterInfo) tea.Cmd {
	m.stopPicker()
	ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
	m.picker.stage, m.picker.loading, m.picker.cancel, m.picker.err = stageCluster, true, cancel, nil
	return clusterCmd(ctx, m.picker.gen, m.awsConfig(), info)
}

// onCluster picks the mode (the current one when the cluster has it,
// else its first) and the network path: the only one, or the person's
// choice among several.
func (m *Model) onCluster(msg clusterMsg) tea.Cmd {
	if msg.gen != m.picker.gen || m.picker.stage != stageCluster {
		return nil
	}
	m.picker.answered()
	m.picker.stage = stageList
	if msg.err != nil {
		m.picker.err = msg.err
		return nil
	}
	pc := &pickedCluster{info: msg.info, boot: msg.boot, secrets: msg.secrets, secretsErr: msg.secretsErr}
	for _, md := range msg.info.Modes {
		if msg.boot[md].First() != "" {
			pc.modes = append(pc.modes, md)
		}
	}
	if len(pc.modes) == 0 {
		m.picker.err = fmt.Errorf("cluster %s (%s) has no bootstrap brokers for the modes it enables: pick another, or esc and type them", msg.info.Name, msg.info.State)
		return nil
	}
	pc.mode = pc.modes[0]
	if slices.Contains(pc.modes, m.mode()) {
		pc.mode = m.mode()
	}
	paths := msg.boot[pc.mode].Paths()
	if len(paths) == 1 {
		return m.applyCluster(pc, paths[0])
	}
	m.picker.stage, m.picker.found, m.picker.paths, m.picker.pathPick = stagePath, pc, paths, 0
	if old := m.picked(); old != nil && old.info.ARN == pc.info.ARN {
		m.picker.pathPick = max(slices.IndexFunc(paths, func(p auth.BootstrapPath) bool { return p.Name == old.path }), 0)
	}
	return nil
}

// applyCluster fills the form from the picked cluster and closes the
// picker: mode, brokers, and the cluster's ARN and type for the connect.
func (m *Model) applyCluster(pc *pickedCluster, path auth.BootstrapPath) tea.Cmd {
	pc.path, pc.filled = path.Name, path.Brokers
	m.cluster = pc
	m.modeIdx = slices.Index(auth.Modes, pc.mode)
	m.inputs[rowBrokers].SetValue(path.Brokers)
	m.inputs[rowBrokers].CursorStart()
	m.stopPicker()
	m.picker.stage, m.picker.note, m.picker.found = stageClosed, "", nil
	return m.goTo(m.firstRow())
}

// refillBrokers puts the picked cluster's brokers for the new mode in the
// brokers field, on the network path chosen at the pick when the mode has
// it, else on the first.
func (m *Model) refillBrokers(pc *pickedCluster) {
	bs := pc.boot[m.mode()]
	brokers := bs.Path(pc.path)
	if brokers == "" {
		brokers = bs.First()
		if ps := bs.Paths(); len(ps) > 0 {
			pc.path = ps[0].Name
		}
	}
	pc.mode, pc.filled = m.mode(), brokers
	m.inputs[rowBrokers].SetValue(brokers)
	m.inputs[rowBrokers].CursorStart()
}

// associated reports whether a secret is associated with the picked
// cluster.
func (m *Model) associated(arn string) bool {
	p := m.picked()
	return p != nil && slices.Contains(p.secrets, arn)
}

// secretItems are the secrets to pick from: the picked cluster's own
// first, since its brokers accept no other, then the rest of those listed.
func (m *Model) secretItems() []auth.SecretInfo {
	p := m.picked()
	if p == nil || len(p.secrets) == 0 {
		return m.secrets.items
	}
	out := make([]auth.SecretInfo, 0, len(p.secrets)+len(m.secrets.items))
	for _, arn := range p.secrets {
		info := auth.SecretInfo{Name: auth.SecretName(arn), ARN: arn}
		if i := slices.IndexFunc(m.secrets.items, func(s auth.SecretInfo) bool { return s.ARN == arn }); i >= 0 {
			info = m.secrets.items[i]
		}
		out = append(out, info)
	}
	for _, s := range m.secrets.items {
		if !slices.Contains(p.secrets, s.ARN) {
			out = append(out, s)
		}
	}
	return out
}
