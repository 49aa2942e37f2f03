package login

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
)

// ConnectedMsg says the login succeeded. The App takes over the session
// (and closes it when it ends) and replaces the login screen with the main
// one; the login Model has no further use.
type ConnectedMsg struct {
	Session *kafka.Session
	// Client is the resolved connection: mode, brokers, region, SCRAM user.
	Client *auth.Client
	// Identity is who AWS says the user is (the STS ARN) when the mode used
	// AWS credentials and the lookup worked; empty otherwise. For SCRAM,
	// Client.SCRAMUser names the Kafka user.
	Identity string
	// AWS is the whole of what STS said (account, ARN, where the
	// credentials came from) under the same conditions; nil when it was not
	// looked up or the lookup failed.
	AWS *auth.Identity
	// Cluster is the cluster's metadata as of the connect; zero when the
	// lookup after connecting failed, which does not fail the login.
	Cluster kafka.Cluster
}

// step is one row of the connect progress: a kafka.Check step, or one of the
// login's own (config, identity, session).
type step struct {
	name     string
	detail   string
	duration time.Duration
	skipped  bool
	// soft marks a best-effort step that failed without failing the login.
	soft bool
	err  error
}

func fromCheck(s kafka.Step) step {
	return step{name: s.Name, detail: s.Detail, duration: s.Duration, skipped: s.Skipped, err: s.Err}
}

// stepMsg is a step that has just ended. ch is the attempt's channel, so
// that Update can wait for the next message of the same attempt.
type stepMsg struct {
	gen      int
	ch       <-chan tea.Msg
	step     step
	warnings []string // set by the config step: what Build warned about
}

// doneMsg ends an attempt: a session on success, else err. It is always
// the last message on the attempt's channel.
type doneMsg struct {
	gen      int
	session  *kafka.Session
	client   *auth.Client
	identity string
	aws      *auth.Identity
	cluster  kafka.Cluster
	err      error
}

// secretsMsg carries the AmazonMSK_ secrets listed for the key the list
// was asked for; gen drops answers to older requests.
type secretsMsg struct {
	gen   int
	items []auth.SecretInfo
	err   error
}

// clustersMsg carries the MSK clusters of region, or why they could not
// be listed; gen drops answers to a picker since closed or reopened.
type clustersMsg struct {
	gen    int
	region string
	items  []auth.ClusterInfo
	err    error
}

// clusterMsg carries what picking a cluster needs: its bootstrap strings
// for every mode and, when it has SCRAM, the secrets associated with it.
type clusterMsg struct {
	gen        int
	info       auth.ClusterInfo
	boot       map[auth.Mode]auth.BootstrapStrings
	secrets    []string // ARNs
	secretsErr error
	err        error
}

// identityTickMsg ends the pause after the AWS settings last changed; only
// the tick of the latest change asks STS, so typing a region asks once.
type identityTickMsg struct{ gen int }

// identityMsg is who STS says the credentials of the form belong to.
type identityMsg struct {
	gen      int
	id       *auth.Identity
	noRegion bool
	err      error
}
