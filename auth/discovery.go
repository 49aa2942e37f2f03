package auth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
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

// LookupBootstrap asks MSK for a cluster's bootstrap brokers and returns the
// strings for mode. A cluster without a listener for the mode is an error
// that says which modes the cluster does offer.
func LookupBootstrap(ctx context.Context, api BootstrapAPI, clusterARN string, mode Mode) (BootstrapStrings, error) {
	out, err := api.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(clusterARN)})
	if err != nil {
		if isAccessDenied(err) {
			return BootstrapStrings{}, fmt.Errorf("not allowed to look up the brokers of %s: the credentials need kafka:GetBootstrapBrokers, or pass -b with the bootstrap string", clusterARN)
		}
		return BootstrapStrings{}, fmt.Errorf("look up the brokers of %s: %w", clusterARN, awsError(err))
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
