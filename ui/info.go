package ui

import (
	"fmt"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
)

// NewInfo is what the status line says about a connection: the cluster by
// its MSK name when the ARN or broker names tell it, else by the ID metadata
// gives, with its broker count (zero when the lookup failed), the auth mode, who
// the user is (id is nil when AWS was not asked or did not answer), where
// the credentials came from, and for IAM a way to read the token's and the
// credentials' lifetimes. It also carries what IAM advice needs to name the
// cluster's resources.
func NewInfo(cl *auth.Client, id *auth.Identity, md kafka.Cluster) Info {
	in := Info{Auth: string(cl.Config.Mode), Serverless: cl.Config.Serverless}
	brokers := fmt.Sprintf("(%d brokers)", len(md.Brokers))
	if len(md.Brokers) == 1 {
		brokers = "(1 broker)"
	}
	switch name := auth.ClusterName(cl.Config); {
	case name != "" && len(md.Brokers) > 0:
		in.Cluster = name + " " + brokers
	case name != "":
		in.Cluster = name
	case md.ID != "" || len(md.Brokers) > 0:
		in.Cluster = "cluster " + md.ID + " " + brokers
	}
	in.Resources = kafka.Resources{ClusterARN: cl.Config.ClusterARN, Region: cl.Config.Region}
	switch {
	case cl.SCRAMUser != "":
		in.Identity = "user " + cl.SCRAMUser
	case id != nil:
		in.Identity = id.ARN
	}
	if id != nil {
		in.Resources.Account = id.Account
		in.Source = id.Source
		if cl.Config.Profile != "" && id.Source == "shared credentials file" {
			in.Source = "profile " + cl.Config.Profile
		}
	}
	if cl.Tokens != nil {
		in.Expiries = cl.Tokens.Expiries
	}
	return in
}
