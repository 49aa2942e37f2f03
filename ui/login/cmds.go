package login

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
	msk "github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
)

// identityTimeout bounds the best-effort STS lookup: who the user is helps
// to read a refusal, but must not hold up the connect behind a slow STS.
const identityTimeout = 5 * time.Second

// listTimeout bounds the listing of secrets or clusters and the lookup of
// a cluster's brokers; the form works without them.
const listTimeout = 20 * time.Second

// identityDebounce is how long the AWS settings must rest before STS is
// asked who they belong to: long enough that typing a region or a profile
// asks once, short enough to feel immediate.
const identityDebounce = 400 * time.Millisecond

// attemptBuffer holds every message one attempt can send (config,
// identity, five check steps, session, done), so the attempt never waits
// for the UI and ends even when nobody reads its channel any more.
const attemptBuffer = 16

// request is what one connect needs, copied out of the form in Update.
type request struct {
	cfg         auth.Config // without the password
	password    string      // typed; handed to Build through the prompt only
	dialTimeout time.Duration
	kopts       []kafka.Opt
}

// connectCmd runs the whole connect off the event loop and sends each step
// on ch as it ends, then a doneMsg, then closes ch. waitCmd brings those
// messages to Update one at a time, so the screen shows every step as soon
// as it is known rather than all of them at the end.
func connectCmd(ctx context.Context, gen int, r request, ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		defer close(ch)
		ch <- r.run(ctx, gen, ch)
		return nil
	}
}

// waitCmd waits for the next message of an attempt.
func waitCmd(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// closeCmd closes a session nobody will use: one that a cancelled attempt
// opened anyway. Closing talks to the brokers, so it is not done in Update.
func closeCmd(s *kafka.Session) tea.Cmd {
	return func() tea.Msg {
		s.Close()
		return nil
	}
}

func (r request) run(ctx context.Context, gen int, ch chan tea.Msg) doneMsg {
	report := func(s step, warnings []string) {
		ch <- stepMsg{gen: gen, ch: ch, step: s, warnings: warnings}
	}
	start := time.Now()
	cl, err := auth.Build(ctx, r.cfg, auth.WithPasswordPrompt(func(string) (string, error) { return r.password, nil }))
	if err != nil {
		report(step{name: "config", duration: time.Since(start), err: err}, nil)
		return doneMsg{gen: gen, err: err}
	}
	report(step{name: "config", duration: time.Since(start), detail: describe(cl)}, cl.Warnings)

	var identity string
	var awsID *auth.Identity
	if cl.AWS != nil {
		start = time.Now()
		ictx, cancel := context.WithTimeout(ctx, identityTimeout)
		id, err := auth.WhoAmI(ictx, *cl.AWS)
		cancel()
		st := step{name: "identity", duration: time.Since(start)}
		if err != nil {
			st.soft, st.err = true, err
		} else {
			identity, awsID = id.ARN, &id
			st.detail = fmt.Sprintf("%s (%s)", id.ARN, id.Source)
		}
		report(st, nil)
	}

	ep := kafka.Endpoint{Brokers: cl.Config.Brokers, TLS: cl.TLS, SASL: cl.SASL}
	if _, err := kafka.Check(ctx, ep, r.dialTimeout, func(s kafka.Step) { report(fromCheck(s), nil) }, r.kopts...); err != nil {
		return doneMsg{gen: gen, client: cl, identity: identity, aws: awsID, err: err}
	}

	start = time.Now()
	s, err := kafka.Open(ctx, ep, append([]kafka.Opt{kafka.DialTimeout(r.dialTimeout)}, r.kopts...)...)
	st := step{name: "session", duration: time.Since(start), err: err}
	var cluster kafka.Cluster
	if err == nil {
		// Open has just fetched metadata; one more request gives the App
		// what its status line says without any I/O of its own.
		if md, merr := s.Metadata(ctx); merr == nil {
			cluster = md
			st.detail = fmt.Sprintf("ready: cluster %s, %d brokers", md.ID, len(md.Brokers))
		} else {
			st.detail = "ready"
		}
		st.duration = time.Since(start)
	}
	report(st, nil)
	if err != nil {
		return doneMsg{gen: gen, client: cl, identity: identity, aws: awsID, err: err}
	}
	if ctx.Err() != nil {
		s.Close()
		return doneMsg{gen: gen, err: ctx.Err()}
	}
	return doneMsg{gen: gen, session: s, client: cl, identity: identity, aws: awsID, cluster: cluster}
}

// describe says how the built client will authenticate, never with a
// secret in it.
func describe(cl *auth.Client) string {
	c := cl.Config
	brokers := fmt.Sprintf("%d brokers", len(c.Brokers))
	if len(c.Brokers) == 1 {
		brokers = "1 broker"
	}
	switch c.Mode {
	case auth.IAM:
		return fmt.Sprintf("IAM in %s, %s", c.Region, brokers)
	case auth.SCRAM:
		how := fmt.Sprintf("%s as %s", c.SCRAMMechanism, cl.SCRAMUser)
		if c.Secret != "" {
			how += " from " + c.Secret
		}
		return how + ", " + brokers
	case auth.TLS:
		return "TLS, " + brokers
	case auth.MTLS:
		return "mutual TLS, " + brokers
	}
	return "plaintext, " + brokers
}

// errNoRegion and errNoCredentials say why AWS was not asked at all.
var (
	errNoRegion      = errors.New("no AWS region")
	errNoCredentials = errors.New("no AWS credentials")
)

// listClustersCmd lists the MSK clusters the credentials of c can see in
// its region, or the profile's.
func listClustersCmd(ctx context.Context, gen int, c auth.Config) tea.Cmd {
	return func() tea.Msg {
		awsCfg, err := auth.LoadAWS(ctx, c)
		if err != nil {
			return clustersMsg{gen: gen, err: err}
		}
		if awsCfg.Region == "" {
			return clustersMsg{gen: gen, err: errNoRegion}
		}
		// Without credentials the SDK's error names every provider it
		// tried; what the person needs is shorter.
		if awsCfg.Credentials == nil {
			return clustersMsg{gen: gen, region: awsCfg.Region, err: errNoCredentials}
		}
		if _, err := awsCfg.Credentials.Retrieve(ctx); err != nil {
			return clustersMsg{gen: gen, region: awsCfg.Region, err: fmt.Errorf("%w: %w", errNoCredentials, err)}
		}
		items, err := auth.ListClusters(ctx, msk.NewFromConfig(awsCfg))
		return clustersMsg{gen: gen, region: awsCfg.Region, items: items, err: err}
	}
}

// clusterCmd looks up what picking info needs, in the cluster's own
// region.
func clusterCmd(ctx context.Context, gen int, c auth.Config, info auth.ClusterInfo) tea.Cmd {
	return func() tea.Msg {
		if r := auth.RegionFromClusterARN(info.ARN); r != "" {
			c.Region = r
		}
		out := clusterMsg{gen: gen, info: info}
		awsCfg, err := auth.LoadAWS(ctx, c)
		if err != nil {
			out.err = err
			return out
		}
		api := msk.NewFromConfig(awsCfg)
		if out.boot, out.err = auth.ClusterBootstrap(ctx, api, info.ARN); out.err != nil {
			return out
		}
		if slices.Contains(info.Modes, auth.SCRAM) {
			out.secrets, out.secretsErr = auth.ClusterSCRAMSecrets(ctx, api, info.ARN)
		}
		return out
	}
}

// tickIdentity waits out the pause after a change of the AWS settings.
func tickIdentity(gen int) tea.Cmd {
	return tea.Tick(identityDebounce, func(time.Time) tea.Msg { return identityTickMsg{gen: gen} })
}

// whoAmICmd asks STS who the credentials of c belong to.
func whoAmICmd(ctx context.Context, gen int, c auth.Config) tea.Cmd {
	return func() tea.Msg {
		awsCfg, err := auth.LoadAWS(ctx, c)
		if err != nil {
			return identityMsg{gen: gen, err: err}
		}
		if awsCfg.Region == "" {
			return identityMsg{gen: gen, noRegion: true}
		}
		id, err := auth.WhoAmI(ctx, awsCfg)
		if err != nil {
			return identityMsg{gen: gen, err: err}
		}
		return identityMsg{gen: gen, id: &id}
	}
}

// listSecretsCmd lists the AmazonMSK_ secrets the credentials of c can see.
func listSecretsCmd(ctx context.Context, gen int, c auth.Config) tea.Cmd {
	return func() tea.Msg {
		awsCfg, err := auth.LoadAWS(ctx, c)
		if err != nil {
			return secretsMsg{gen: gen, err: err}
		}
		if awsCfg.Region == "" {
			return secretsMsg{gen: gen, err: errors.New("no AWS region to list secrets in: type the region")}
		}
		items, err := auth.ListSCRAMSecrets(ctx, secretsmanager.NewFromConfig(awsCfg))
		return secretsMsg{gen: gen, items: items, err: err}
	}
}
