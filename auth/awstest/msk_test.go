package awstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"

	"github.com/mskx/mskx/auth/awstest"
)

func TestListClustersV2(t *testing.T) {
	s, cfg := setup(t)
	provArn := s.AddCluster(awstest.Cluster{
		Name:         "orders",
		IAM:          true,
		SCRAM:        true,
		ClientBroker: kafkatypes.ClientBrokerTlsPlaintext,
		KafkaVersion: "3.5.1",
	})
	slArn := s.AddCluster(awstest.Cluster{
		Name:             "events",
		Type:             kafkatypes.ClusterTypeServerless,
		SubnetIDs:        []string{"subnet-1", "subnet-2"},
		SecurityGroupIDs: []string{"sg-1"},
	})
	s.AddCluster(awstest.Cluster{Name: "orders-staging", State: kafkatypes.ClusterStateCreating, Unauthenticated: true, TLS: true})
	if !strings.HasPrefix(provArn, "arn:aws:kafka:us-east-1:123456789012:cluster/orders/") ||
		!strings.HasPrefix(slArn, "arn:aws:kafka:us-east-1:123456789012:cluster/events/") || !strings.HasSuffix(slArn, "-s2") {
		t.Fatalf("arns = %q %q", provArn, slArn)
	}
	client := kafka.NewFromConfig(cfg)
	out, err := client.ListClustersV2(context.Background(), &kafka.ListClustersV2Input{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ClusterInfoList) != 3 || out.NextToken != nil {
		t.Fatalf("got %d clusters, next %v", len(out.ClusterInfoList), out.NextToken)
	}

	prov := out.ClusterInfoList[0]
	if aws.ToString(prov.ClusterArn) != provArn || aws.ToString(prov.ClusterName) != "orders" ||
		prov.ClusterType != kafkatypes.ClusterTypeProvisioned || prov.State != kafkatypes.ClusterStateActive ||
		prov.CreationTime == nil || prov.Serverless != nil || prov.Provisioned == nil {
		t.Fatalf("provisioned = %+v", prov)
	}
	auth := prov.Provisioned.ClientAuthentication
	if !aws.ToBool(auth.Sasl.Iam.Enabled) || !aws.ToBool(auth.Sasl.Scram.Enabled) ||
		aws.ToBool(auth.Tls.Enabled) || aws.ToBool(auth.Unauthenticated.Enabled) {
		t.Errorf("client authentication = iam %v scram %v tls %v unauth %v", aws.ToBool(auth.Sasl.Iam.Enabled),
			aws.ToBool(auth.Sasl.Scram.Enabled), aws.ToBool(auth.Tls.Enabled), aws.ToBool(auth.Unauthenticated.Enabled))
	}
	if got := prov.Provisioned.EncryptionInfo.EncryptionInTransit.ClientBroker; got != kafkatypes.ClientBrokerTlsPlaintext {
		t.Errorf("client broker = %q", got)
	}
	if got := aws.ToString(prov.Provisioned.CurrentBrokerSoftwareInfo.KafkaVersion); got != "3.5.1" {
		t.Errorf("kafka version = %q", got)
	}
	if got := aws.ToInt32(prov.Provisioned.NumberOfBrokerNodes); got != 3 {
		t.Errorf("broker nodes = %d", got)
	}

	sl := out.ClusterInfoList[1]
	if sl.ClusterType != kafkatypes.ClusterTypeServerless || sl.Provisioned != nil || sl.Serverless == nil {
		t.Fatalf("serverless = %+v", sl)
	}
	if !aws.ToBool(sl.Serverless.ClientAuthentication.Sasl.Iam.Enabled) {
		t.Error("serverless IAM not enabled")
	}
	if vpc := sl.Serverless.VpcConfigs; len(vpc) != 1 || fmt.Sprint(vpc[0].SubnetIds) != "[subnet-1 subnet-2]" ||
		fmt.Sprint(vpc[0].SecurityGroupIds) != "[sg-1]" {
		t.Errorf("vpc configs = %+v", vpc)
	}

	staging := out.ClusterInfoList[2].Provisioned.ClientAuthentication
	if out.ClusterInfoList[2].State != kafkatypes.ClusterStateCreating || !aws.ToBool(staging.Tls.Enabled) ||
		!aws.ToBool(staging.Unauthenticated.Enabled) {
		t.Errorf("staging = %+v", out.ClusterInfoList[2])
	}

	names := func(in *kafka.ListClustersV2Input) (names []string, pages int) {
		t.Helper()
		p := kafka.NewListClustersV2Paginator(client, in)
		for p.HasMorePages() {
			out, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, c := range out.ClusterInfoList {
				names = append(names, aws.ToString(c.ClusterName))
			}
		}
		return names, pages
	}
	if got, _ := names(&kafka.ListClustersV2Input{ClusterTypeFilter: aws.String("SERVERLESS")}); fmt.Sprint(got) != "[events]" {
		t.Errorf("type filter = %v", got)
	}
	if got, _ := names(&kafka.ListClustersV2Input{ClusterNameFilter: aws.String("orders")}); fmt.Sprint(got) != "[orders orders-staging]" {
		t.Errorf("name filter = %v", got)
	}
	s.SetPageSize(1)
	if got, pages := names(&kafka.ListClustersV2Input{}); len(got) != 3 || pages != 3 {
		t.Errorf("paged: %v in %d pages", got, pages)
	}
	s.SetPageSize(0)
	if got, pages := names(&kafka.ListClustersV2Input{MaxResults: aws.Int32(2)}); len(got) != 3 || pages != 2 {
		t.Errorf("MaxResults 2: %v in %d pages", got, pages)
	}
}

func TestGetBootstrapBrokers(t *testing.T) {
	s, cfg := setup(t)
	all := awstest.Bootstrap{
		Plaintext:   "b-1.orders:9092,b-2.orders:9092",
		TLS:         "b-1.orders:9094",
		SCRAM:       "b-1.orders:9096",
		IAM:         "b-1.orders:9098",
		PublicTLS:   "b-1-public.orders:9194",
		PublicSCRAM: "b-1-public.orders:9196",
		PublicIAM:   "b-1-public.orders:9198",
		VPCTLS:      "b-1-vpc.orders:14001",
		VPCSCRAM:    "b-1-vpc.orders:14002",
		VPCIAM:      "b-1-vpc.orders:14003",
	}
	arn := s.AddCluster(awstest.Cluster{Name: "orders", Bootstrap: all})
	out, err := kafka.NewFromConfig(cfg).GetBootstrapBrokers(context.Background(), &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	got := awstest.Bootstrap{
		Plaintext:   aws.ToString(out.BootstrapBrokerString),
		TLS:         aws.ToString(out.BootstrapBrokerStringTls),
		SCRAM:       aws.ToString(out.BootstrapBrokerStringSaslScram),
		IAM:         aws.ToString(out.BootstrapBrokerStringSaslIam),
		PublicTLS:   aws.ToString(out.BootstrapBrokerStringPublicTls),
		PublicSCRAM: aws.ToString(out.BootstrapBrokerStringPublicSaslScram),
		PublicIAM:   aws.ToString(out.BootstrapBrokerStringPublicSaslIam),
		VPCTLS:      aws.ToString(out.BootstrapBrokerStringVpcConnectivityTls),
		VPCSCRAM:    aws.ToString(out.BootstrapBrokerStringVpcConnectivitySaslScram),
		VPCIAM:      aws.ToString(out.BootstrapBrokerStringVpcConnectivitySaslIam),
	}
	if got != all {
		t.Errorf("got  %+v\nwant %+v", got, all)
	}

	// Modes a cluster lacks are absent, not empty strings.
	arn = s.AddCluster(awstest.Cluster{Name: "events", Type: kafkatypes.ClusterTypeServerless,
		Bootstrap: awstest.Bootstrap{IAM: "boot-abc.c1.kafka-serverless.us-east-1.amazonaws.com:9098"}})
	out, err = kafka.NewFromConfig(cfg).GetBootstrapBrokers(context.Background(), &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if out.BootstrapBrokerString != nil || out.BootstrapBrokerStringTls != nil || aws.ToString(out.BootstrapBrokerStringSaslIam) == "" {
		t.Errorf("serverless = %+v", out)
	}
}

func TestListScramSecrets(t *testing.T) {
	s, cfg := setup(t)
	secrets := []string{s.PutSecret("AmazonMSK_alice", "a"), s.PutSecret("AmazonMSK_bob", "b"), s.PutSecret("AmazonMSK_carol", "c")}
	arn := s.AddCluster(awstest.Cluster{Name: "orders", SCRAM: true, ScramSecrets: secrets})
	s.SetPageSize(2)
	client := kafka.NewFromConfig(cfg)
	p := kafka.NewListScramSecretsPaginator(client, &kafka.ListScramSecretsInput{ClusterArn: aws.String(arn)})
	var got []string
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.SecretArnList...)
	}
	if fmt.Sprint(got) != fmt.Sprint(secrets) {
		t.Errorf("got %v, want %v", got, secrets)
	}
	if n := s.Calls("ListScramSecrets"); n != 2 {
		t.Errorf("Calls = %d, want 2 pages", n)
	}

	sl := s.AddCluster(awstest.Cluster{Name: "events", Type: kafkatypes.ClusterTypeServerless})
	_, err := client.ListScramSecrets(context.Background(), &kafka.ListScramSecretsInput{ClusterArn: aws.String(sl)})
	var bad *kafkatypes.BadRequestException
	if !errors.As(err, &bad) {
		t.Errorf("serverless: err = %v (%T), want BadRequestException", err, err)
	}
}

func TestMSKErrors(t *testing.T) {
	s, cfg := setup(t)
	ctx := context.Background()
	client := kafka.NewFromConfig(cfg)
	arn := s.AddCluster(awstest.Cluster{Name: "orders"})
	missing := strings.Replace(arn, "cluster/orders/", "cluster/gone/", 1)

	_, err := client.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(missing)})
	var nf *kafkatypes.NotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.InvalidParameter) != "clusterArn" || !strings.Contains(nf.ErrorMessage(), missing) {
		t.Errorf("missing cluster: err = %v (%T)", err, err)
	}
	_, err = client.ListScramSecrets(ctx, &kafka.ListScramSecretsInput{ClusterArn: aws.String(missing)})
	if !errors.As(err, &nf) {
		t.Errorf("ListScramSecrets missing cluster: err = %v (%T)", err, err)
	}

	s.Fail("GetBootstrapBrokers", awstest.Fault{Status: 403, Code: "ForbiddenException", Message: "Access forbidden."})
	_, err = client.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(arn)})
	var fb *kafkatypes.ForbiddenException
	if !errors.As(err, &fb) || fb.ErrorMessage() != "Access forbidden." {
		t.Errorf("forbidden: err = %v (%T)", err, err)
	}
	s.Fail("GetBootstrapBrokers", awstest.Fault{Status: 401, Code: "UnauthorizedException", Message: "nope"})
	_, err = client.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(arn)})
	var ua *kafkatypes.UnauthorizedException
	if !errors.As(err, &ua) {
		t.Errorf("unauthorized: err = %v (%T)", err, err)
	}
	s.Fail("GetBootstrapBrokers", awstest.Fault{})

	s.Deny("ListClustersV2")
	_, err = client.ListClustersV2(ctx, &kafka.ListClustersV2Input{})
	ae := apiError(t, err, "AccessDeniedException")
	if !strings.Contains(ae.ErrorMessage(), "kafka:ListClustersV2 on resource: arn:aws:kafka:us-east-1:123456789012:/api/v2/clusters") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	s.Deny("GetBootstrapBrokers")
	_, err = client.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(arn)})
	if ae := apiError(t, err, "AccessDeniedException"); !strings.Contains(ae.ErrorMessage(), "on resource: "+arn+" ") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	s.Allow("GetBootstrapBrokers")

	creating := s.AddCluster(awstest.Cluster{Name: "new", State: kafkatypes.ClusterStateCreating})
	_, err = client.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(creating)})
	var bad *kafkatypes.BadRequestException
	if !errors.As(err, &bad) || bad.ErrorMessage() != "You can't get bootstrap broker nodes for a cluster in CREATING state." {
		t.Errorf("creating: err = %v (%T)", err, err)
	}
	_, err = client.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String("not-an-arn")})
	if !errors.As(err, &bad) {
		t.Errorf("malformed arn: err = %v (%T)", err, err)
	}
}
