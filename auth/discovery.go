package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
)

// BootstrapAPI is the part of the MSK client used to find brokers.
type BootstrapAPI interface {
	GetBootstrapBrokers(context.Context, *kafka.GetBootstrapBrokersInput, ...func(*kafka.Options)) (*kafka.GetBootstrapBrokersOutput, error)
}

// BootstrapStrings are a cluster's bootstrap broker strings for one auth
// mode, by network path; empty when the cluster has none for that path.
type BootstrapStrings struct {
	Private string
	Public  string
	VPC     string // multi-VPC private connectivity
}

// First returns the first non-empty string, preferring private over public
// over VPC connectivity: mskx usually runs inside the cluster's VPC.
func (b BootstrapStrings) First() string { return firstNonEmpty(b.Private, b.Public, b.VPC) }

// Network path names, as the MSK console labels a cluster's bootstrap
// strings.
const (
	PathPrivate = "private"
	PathPublic  = "public"
	PathVPC     = "VPC connectivity"
)

// BootstrapPath is one network path to a cluster's brokers, so that a
// person can choose the one that reaches the cluster from where mskx runs.
type BootstrapPath struct {
	Name    string // PathPrivate, PathPublic or PathVPC
	Brokers string // "host:port,host:port"
}

// Paths lists the non-empty strings in First's order of preference.
func (b BootstrapStrings) Paths() []BootstrapPath {
	var out []BootstrapPath
	for _, p := range []BootstrapPath{{PathPrivate, b.Private}, {PathPublic, b.Public}, {PathVPC, b.VPC}} {
		if p.Brokers != "" {
			out = append(out, p)
		}
	}
	return out
}

// Path returns the string of the named path, or "".
func (b BootstrapStrings) Path(name string) string {
	for _, p := range b.Paths() {
		if p.Name == name {
			return p.Brokers
		}
	}
	return ""
}

// LookupBootstrap asks MSK for a cluster's bootstrap brokers and returns the
// strings for mode. A cluster without a listener for the mode is an error
// that says which modes the cluster does offer.
func LookupBootstrap(ctx context.Context, api BootstrapAPI, clusterARN string, mode Mode) (BootstrapStrings, error) {
	all, err := ClusterBootstrap(ctx, api, clusterARN)
	if err != nil {
		return BootstrapStrings{}, err
	}
	if s := all[mode]; s.First() != "" {
		return s, nil
	}
	var offered []Mode
	for _, m := range Modes {
		if all[m].First() != "" && m != MTLS {
			offered = append(offered, m)
		}
	}
	return BootstrapStrings{}, fmt.Errorf("cluster %s has no %s listener (it offers %v): choose one of those with --auth", clusterARN, mode, offered)
}

// ClusterBootstrap asks MSK once for every bootstrap string of a cluster,
// by mode (MTLS shares TLS's listener), so that switching modes after a
// cluster was picked needs no second call. Modes without a listener map to
// empty strings.
func ClusterBootstrap(ctx context.Context, api BootstrapAPI, clusterARN string) (map[Mode]BootstrapStrings, error) {
	out, err := api.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(clusterARN)})
	if err != nil {
		if isAccessDenied(err) {
			return nil, fmt.Errorf("not allowed to look up the brokers of %s: the credentials need kafka:GetBootstrapBrokers, or pass -b with the bootstrap string", clusterARN)
		}
		return nil, fmt.Errorf("look up the brokers of %s: %w", clusterARN, awsError(err))
	}
	all := map[Mode]BootstrapStrings{
		Plaintext: {Private: aws.ToString(out.BootstrapBrokerString)},
		TLS: {Private: aws.ToString(out.BootstrapBrokerStringTls), Public: aws.ToString(out.BootstrapBrokerStringPublicTls),
			VPC: aws.ToString(out.BootstrapBrokerStringVpcConnectivityTls)},
		SCRAM: {Private: aws.ToString(out.BootstrapBrokerStringSaslScram), Public: aws.ToString(out.BootstrapBrokerStringPublicSaslScram),
			VPC: aws.ToString(out.BootstrapBrokerStringVpcConnectivitySaslScram)},
		IAM: {Private: aws.ToString(out.BootstrapBrokerStringSaslIam), Public: aws.ToString(out.BootstrapBrokerStringPublicSaslIam),
			VPC: aws.ToString(out.BootstrapBrokerStringVpcConnectivitySaslIam)},
	}
	all[MTLS] = all[TLS]
	return all, nil
}

// ClusterInfo is what a person needs to pick an MSK cluster: what it is
// called, whether it is serverless, whether it is usable now, and which
// auth modes it accepts.
type ClusterInfo struct {
	ARN  string
	Name string
	// Serverless clusters accept IAM only, and the service fixes
	// replication and placement.
	Serverless bool
	// State is MSK's: ACTIVE, CREATING, UPDATING, ...
	State string
	// Modes are the auth modes the cluster has enabled, in the order of
	// Modes; serverless is IAM only. MTLS stands for client-certificate
	// authentication, TLS for unauthenticated access over TLS.
	Modes []Mode
}

// ClustersAPI is the part of the MSK client that lists clusters;
// *kafka.Client is one.
type ClustersAPI interface {
	ListClustersV2(context.Context, *kafka.ListClustersV2Input, ...func(*kafka.Options)) (*kafka.ListClustersV2Output, error)
}

// ErrListClustersDenied is what ListClusters wraps when AWS refuses the
// listing. It is not fatal: the bootstrap brokers can always be typed, so
// callers tell it apart with errors.Is and fall back to typing.
var ErrListClustersDenied = errors.New("listing clusters was denied")

// ListClusters lists the provisioned and serverless MSK clusters of the
// region the client is configured for, following every page, sorted by
// name.
func ListClusters(ctx context.Context, api ClustersAPI) ([]ClusterInfo, error) {
	var out []ClusterInfo
	p := kafka.NewListClustersV2Paginator(api, &kafka.ListClustersV2Input{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if isAccessDenied(err) {
				return nil, fmt.Errorf("%w: the credentials need kafka:ListClustersV2, so type the bootstrap brokers instead", ErrListClustersDenied)
			}
			return nil, fmt.Errorf("list MSK clusters: %w", awsError(err))
		}
		for _, c := range page.ClusterInfoList {
			out = append(out, clusterInfo(c))
		}
	}
	slices.SortFunc(out, func(a, b ClusterInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func clusterInfo(c kafkatypes.Cluster) ClusterInfo {
	info := ClusterInfo{ARN: aws.ToString(c.ClusterArn), Name: aws.ToString(c.ClusterName), State: string(c.State)}
	if c.ClusterType == kafkatypes.ClusterTypeServerless || c.Serverless != nil {
		info.Serverless = true
		info.Modes = []Mode{IAM}
		return info
	}
	info.Modes = provisionedModes(c.Provisioned)
	return info
}

// provisionedModes reads the modes a provisioned cluster accepts from its
// client authentication and client-broker encryption. A cluster created
// without client authentication settings is unauthenticated, and one
// without encryption settings uses TLS, MSK's defaults.
func provisionedModes(p *kafkatypes.Provisioned) []Mode {
	if p == nil {
		p = &kafkatypes.Provisioned{}
	}
	ca := kafkatypes.ClientAuthentication{Unauthenticated: &kafkatypes.Unauthenticated{Enabled: aws.Bool(true)}}
	if p.ClientAuthentication != nil {
		ca = *p.ClientAuthentication
	}
	var cb kafkatypes.ClientBroker
	if p.EncryptionInfo != nil && p.EncryptionInfo.EncryptionInTransit != nil {
		cb = p.EncryptionInfo.EncryptionInTransit.ClientBroker
	}
	if cb == "" {
		cb = kafkatypes.ClientBrokerTls
	}
	var iam, scram bool
	if ca.Sasl != nil {
		iam = ca.Sasl.Iam != nil && aws.ToBool(ca.Sasl.Iam.Enabled)
		scram = ca.Sasl.Scram != nil && aws.ToBool(ca.Sasl.Scram.Enabled)
	}
	mtls := ca.Tls != nil && aws.ToBool(ca.Tls.Enabled)
	unauth := ca.Unauthenticated != nil && aws.ToBool(ca.Unauthenticated.Enabled)
	on := map[Mode]bool{
		IAM:   iam,
		SCRAM: scram,
		// Unauthenticated clients on the TLS listener.
		TLS:  unauth && cb != kafkatypes.ClientBrokerPlaintext,
		MTLS: mtls,
		// The plaintext listener exists only where client-broker
		// encryption allows plaintext.
		Plaintext: cb == kafkatypes.ClientBrokerPlaintext || cb == kafkatypes.ClientBrokerTlsPlaintext,
	}
	var out []Mode
	for _, m := range Modes {
		if on[m] {
			out = append(out, m)
		}
	}
	return out
}

// ClusterSecretsAPI is the part of the MSK client that lists the secrets
// associated with a cluster; *kafka.Client is one.
type ClusterSecretsAPI interface {
	ListScramSecrets(context.Context, *kafka.ListScramSecretsInput, ...func(*kafka.Options)) (*kafka.ListScramSecretsOutput, error)
}

// ErrClusterSecretsDenied is what ClusterSCRAMSecrets wraps when AWS
// refuses the listing; like ErrListSecretsDenied it only costs the
// shortcut, since a secret can still be picked from all the secrets or typed.
var ErrClusterSecretsDenied = errors.New("listing the cluster's SCRAM secrets was denied")

// ClusterSCRAMSecrets returns the ARNs of the secrets associated with a
// cluster, the only ones its brokers accept, following every page in the
// order MSK gives them.
func ClusterSCRAMSecrets(ctx context.Context, api ClusterSecretsAPI, clusterARN string) ([]string, error) {
	var out []string
	p := kafka.NewListScramSecretsPaginator(api, &kafka.ListScramSecretsInput{ClusterArn: aws.String(clusterARN), MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if isAccessDenied(err) {
				return nil, fmt.Errorf("%w: the credentials need kafka:ListScramSecrets; picking or typing a secret still works", ErrClusterSecretsDenied)
			}
			return nil, fmt.Errorf("list the SCRAM secrets of %s: %w", clusterARN, awsError(err))
		}
		out = append(out, page.SecretArnList...)
	}
	return out, nil
}

// IsServerlessBroker reports whether a bootstrap address is an MSK
// Serverless one, whose host names contain ".kafka-serverless.".
func IsServerlessBroker(hostport string) bool {
	return strings.Contains(strings.ToLower(hostport), ".kafka-serverless.")
}
