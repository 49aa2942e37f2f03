package auth_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
)

func mskClient(t *testing.T) *kafka.Client {
	t.Helper()
	cfg, err := auth.LoadAWS(ctxT(t), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return kafka.NewFromConfig(cfg)
}

func TestListClustersModesAndTypes(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	// Added out of name order, listed over several pages.
	arns := map[string]string{
		"orders": srv.AddCluster(awstest.Cluster{Name: "orders", IAM: true, SCRAM: true}),
		"events": srv.AddCluster(awstest.Cluster{Name: "events", Type: kafkatypes.ClusterTypeServerless}),
		"legacy": srv.AddCluster(awstest.Cluster{Name: "legacy", TLS: true, Unauthenticated: true,
			ClientBroker: kafkatypes.ClientBrokerTlsPlaintext, State: kafkatypes.ClusterStateUpdating}),
		"dev":   srv.AddCluster(awstest.Cluster{Name: "dev", Unauthenticated: true, ClientBroker: kafkatypes.ClientBrokerPlaintext}),
		"certs": srv.AddCluster(awstest.Cluster{Name: "certs", TLS: true, State: kafkatypes.ClusterStateCreating}),
	}
	srv.SetPageSize(2)

	got, err := auth.ListClusters(ctxT(t), mskClient(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, state string
		serverless  bool
		modes       string
	}{
		{"certs", "CREATING", false, "[mtls]"},
		{"dev", "ACTIVE", false, "[plaintext]"},
		{"events", "ACTIVE", true, "[iam]"},
		{"legacy", "UPDATING", false, "[tls mtls plaintext]"},
		{"orders", "ACTIVE", false, "[iam scram]"},
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d clusters, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.State != w.state || g.Serverless != w.serverless || fmt.Sprint(g.Modes) != w.modes || g.ARN != arns[w.name] {
			t.Errorf("cluster %d = %+v, want %+v (arn %s)", i, g, w, arns[w.name])
		}
	}
	if n := srv.Calls("ListClustersV2"); n != 3 {
		t.Errorf("ListClustersV2 called %d times for 5 clusters in pages of 2, want 3", n)
	}
}

func TestListClustersDenied(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	srv.AddCluster(awstest.Cluster{Name: "orders", IAM: true})
	srv.Deny("ListClustersV2")
	_, err := auth.ListClusters(ctxT(t), mskClient(t))
	if !errors.Is(err, auth.ErrListClustersDenied) {
		t.Fatalf("err = %v, want ErrListClustersDenied", err)
	}
	for _, want := range []string{"listing clusters was denied", "kafka:ListClustersV2", "type the bootstrap brokers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Count(err.Error(), ". ") > 0 {
		t.Errorf("%q is more than one sentence", err)
	}

	// Another failure is not a denial.
	srv.Allow("ListClustersV2")
	srv.Fail("ListClustersV2", awstest.Fault{Status: 400, Code: "BadRequestException", Message: "broken"})
	_, err = auth.ListClusters(ctxT(t), mskClient(t))
	if err == nil || errors.Is(err, auth.ErrListClustersDenied) || !strings.Contains(err.Error(), "broken") {
		t.Errorf("other failure: %v", err)
	}
}

func TestClusterSCRAMSecrets(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	secrets := []string{srv.PutSecret("AmazonMSK_b", "{}"), srv.PutSecret("AmazonMSK_a", "{}"), srv.PutSecret("AmazonMSK_c", "{}")}
	arn := srv.AddCluster(awstest.Cluster{Name: "orders", SCRAM: true, ScramSecrets: secrets})
	srv.SetPageSize(2)
	got, err := auth.ClusterSCRAMSecrets(ctxT(t), mskClient(t), arn)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(secrets) {
		t.Errorf("got %v, want %v", got, secrets)
	}
	if n := srv.Calls("ListScramSecrets"); n != 2 {
		t.Errorf("ListScramSecrets called %d times, want 2 pages", n)
	}
	if name := auth.SecretName(got[0]); name != "AmazonMSK_b" {
		t.Errorf("SecretName(%s) = %q", got[0], name)
	}

	srv.Deny("ListScramSecrets")
	_, err = auth.ClusterSCRAMSecrets(ctxT(t), mskClient(t), arn)
	if !errors.Is(err, auth.ErrClusterSecretsDenied) || errors.Is(err, auth.ErrListSecretsDenied) || !strings.Contains(err.Error(), "kafka:ListScramSecrets") {
		t.Errorf("denied: %v", err)
	}
}

// Every mode's string comes from its own field, on each network path.
func TestBootstrapPerModeAndPath(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	all := srv.AddCluster(awstest.Cluster{Name: "all", IAM: true, SCRAM: true, TLS: true, Unauthenticated: true,
		ClientBroker: kafkatypes.ClientBrokerTlsPlaintext, Bootstrap: awstest.Bootstrap{
			Plaintext: "b-1.all:9092",
			TLS:       "b-1.all:9094", PublicTLS: "b-1-public.all:9194", VPCTLS: "vpc-1.all:14001",
			SCRAM: "b-1.all:9096", PublicSCRAM: "b-1-public.all:9196", VPCSCRAM: "vpc-1.all:14002",
			IAM: "b-1.all:9098,b-2.all:9098", PublicIAM: "b-1-public.all:9198", VPCIAM: "vpc-1.all:14003",
		}})
	// No private path: public is preferred over VPC connectivity.
	edge := srv.AddCluster(awstest.Cluster{Name: "edge", IAM: true, Bootstrap: awstest.Bootstrap{
		PublicIAM: "b-1-public.edge:9198", VPCIAM: "vpc-1.edge:14003"}})
	api := mskClient(t)

	for _, tc := range []struct {
		arn                  string
		mode                 auth.Mode
		private, public, vpc string
	}{
		{all, auth.IAM, "b-1.all:9098,b-2.all:9098", "b-1-public.all:9198", "vpc-1.all:14003"},
		{all, auth.SCRAM, "b-1.all:9096", "b-1-public.all:9196", "vpc-1.all:14002"},
		{all, auth.TLS, "b-1.all:9094", "b-1-public.all:9194", "vpc-1.all:14001"},
		{all, auth.MTLS, "b-1.all:9094", "b-1-public.all:9194", "vpc-1.all:14001"},
		{all, auth.Plaintext, "b-1.all:9092", "", ""},
		{edge, auth.IAM, "", "b-1-public.edge:9198", "vpc-1.edge:14003"},
	} {
		bs, err := auth.LookupBootstrap(ctxT(t), api, tc.arn, tc.mode)
		if err != nil {
			t.Errorf("%s: %v", tc.mode, err)
			continue
		}
		if bs.Private != tc.private || bs.Public != tc.public || bs.VPC != tc.vpc {
			t.Errorf("%s %s = %+v", tc.arn, tc.mode, bs)
		}
		var names []string
		for _, p := range bs.Paths() {
			names = append(names, p.Name)
			if bs.Path(p.Name) != p.Brokers {
				t.Errorf("Path(%s) = %q, want %q", p.Name, bs.Path(p.Name), p.Brokers)
			}
		}
		wantFirst, wantPaths := tc.private, "[private public VPC connectivity]"
		switch {
		case tc.mode == auth.Plaintext:
			wantPaths = "[private]"
		case tc.private == "":
			wantFirst, wantPaths = tc.public, "[public VPC connectivity]"
		}
		if bs.First() != wantFirst || fmt.Sprint(names) != wantPaths {
			t.Errorf("%s %s: first %q, paths %v", tc.arn, tc.mode, bs.First(), names)
		}
	}

	byMode, err := auth.ClusterBootstrap(ctxT(t), api, edge)
	if err != nil {
		t.Fatal(err)
	}
	if byMode[auth.SCRAM].First() != "" || byMode[auth.IAM].Public != "b-1-public.edge:9198" {
		t.Errorf("edge by mode = %+v", byMode)
	}
	if n := srv.Calls("GetBootstrapBrokers"); n != 7 {
		t.Errorf("GetBootstrapBrokers called %d times, want one per lookup (7)", n)
	}
}

func TestServerlessIsIAMOnly(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	const boot = "boot-abc123.c1.kafka-serverless.us-east-1.amazonaws.com:9098"
	for hp, want := range map[string]bool{
		boot: true, "BOOT-X.C2.KAFKA-SERVERLESS.EU-WEST-1.AMAZONAWS.COM:9098": true,
		"b-1.orders.abc.c2.kafka.us-east-1.amazonaws.com:9098": false, "127.0.0.1:9098": false,
	} {
		if got := auth.IsServerlessBroker(hp); got != want {
			t.Errorf("IsServerlessBroker(%s) = %v", hp, got)
		}
	}

	cl, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{boot}})
	if err != nil {
		t.Fatal(err)
	}
	if !cl.Config.Serverless || cl.Config.Mode != auth.IAM {
		t.Errorf("serverless brokers: config %+v", cl.Config)
	}
	for _, mode := range []auth.Mode{auth.SCRAM, auth.TLS, auth.MTLS, auth.Plaintext} {
		_, err := auth.Build(ctxT(t), auth.Config{Brokers: []string{boot}, Mode: mode, User: "u", Password: "p", CertFile: "c", KeyFile: "k"})
		if err == nil || !strings.Contains(err.Error(), "MSK Serverless clusters accept only IAM authentication") ||
			!strings.Contains(err.Error(), "--auth iam") || strings.Contains(err.Error(), ". ") {
			t.Errorf("%s on serverless: %v", mode, err)
		}
	}
	// Told by the caller, as the cluster picker does, whatever the names.
	_, err = auth.Build(ctxT(t), auth.Config{Brokers: []string{"127.0.0.1:9094"}, Mode: auth.TLS, Serverless: true})
	if err == nil || !strings.Contains(err.Error(), "only IAM") {
		t.Errorf("TLS with Serverless set: %v", err)
	}

	// Found through the cluster ARN; the ARN stays on the built config.
	arn := srv.AddCluster(awstest.Cluster{Name: "events", Type: kafkatypes.ClusterTypeServerless, Bootstrap: awstest.Bootstrap{IAM: boot}})
	cl, err = auth.Build(ctxT(t), auth.Config{ClusterARN: arn, Mode: auth.IAM})
	if err != nil {
		t.Fatal(err)
	}
	if !cl.Config.Serverless || cl.Config.ClusterARN != arn || strings.Join(cl.Config.Brokers, ",") != boot {
		t.Errorf("by ARN: config %+v", cl.Config)
	}
	cl, err = auth.Build(ctxT(t), auth.Config{Brokers: []string{"127.0.0.1:9098"}})
	if err != nil || cl.Config.Serverless {
		t.Errorf("provisioned brokers: serverless %v, err %v", cl != nil && cl.Config.Serverless, err)
	}
}
