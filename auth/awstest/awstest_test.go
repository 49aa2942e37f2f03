package awstest_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/mskx/mskx/auth/awstest"
)

// setup starts a server and loads the SDK's default configuration the way
// mskx does, so the tests prove the environment Env sets is enough.
func setup(t *testing.T) (*awstest.Server, aws.Config) {
	t.Helper()
	s := awstest.New(t)
	s.Env(t)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	return s, cfg
}

// apiError asserts err carries an AWS error code and returns it.
func apiError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want an API error %s", err, err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %q (%v), want %q", ae.ErrorCode(), err, code)
	}
	return ae
}

func TestGetSecretValue(t *testing.T) {
	s, cfg := setup(t)
	const value = `{"username":"alice","password":"s3cret"}`
	arn := s.PutSecret("AmazonMSK_alice", value)
	if !regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_alice-[A-Za-z0-9]{6}$`).MatchString(arn) {
		t.Fatalf("arn = %q", arn)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	partial := strings.TrimSuffix(arn, arn[len(arn)-7:])
	for _, id := range []string{"AmazonMSK_alice", arn, partial} {
		out, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("get %q: %v", id, err)
		}
		if aws.ToString(out.SecretString) != value || aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "AmazonMSK_alice" {
			t.Errorf("get %q = %q %q %q", id, aws.ToString(out.SecretString), aws.ToString(out.ARN), aws.ToString(out.Name))
		}
		if out.CreatedDate == nil || time.Since(*out.CreatedDate) > time.Minute {
			t.Errorf("CreatedDate = %v", out.CreatedDate)
		}
	}

	// A new value keeps the ARN, as PutSecretValue does.
	if again := s.PutSecret("AmazonMSK_alice", "v2"); again != arn {
		t.Errorf("second put arn = %q, want %q", again, arn)
	}
	out, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil || aws.ToString(out.SecretString) != "v2" {
		t.Fatalf("after update: %v %v", out, err)
	}
	if got := s.Calls("GetSecretValue"); got != 4 {
		t.Errorf("Calls(GetSecretValue) = %d, want 4", got)
	}
}

func TestGetSecretValueNotFound(t *testing.T) {
	_, cfg := setup(t)
	sm := secretsmanager.NewFromConfig(cfg)
	_, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("AmazonMSK_nobody")})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v (%T), want ResourceNotFoundException", err, err)
	}
	if nf.ErrorMessage() != "Secrets Manager can't find the specified secret." {
		t.Errorf("message = %q", nf.ErrorMessage())
	}
}

func TestGetSecretValueDenied(t *testing.T) {
	s, cfg := setup(t)
	s.PutSecret("AmazonMSK_alice", "x")
	s.Deny("GetSecretValue")
	sm := secretsmanager.NewFromConfig(cfg)
	_, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("AmazonMSK_alice")})
	// Secrets Manager does not model AccessDeniedException: the SDK returns
	// a generic API error carrying the code.
	ae := apiError(t, err, "AccessDeniedException")
	want := "User: " + awstest.UserARN + " is not authorized to perform: secretsmanager:GetSecretValue on resource: AmazonMSK_alice " +
		"because no identity-based policy allows the secretsmanager:GetSecretValue action"
	if ae.ErrorMessage() != want {
		t.Errorf("message = %q\nwant      %q", ae.ErrorMessage(), want)
	}

	s.Allow("GetSecretValue")
	if _, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("AmazonMSK_alice")}); err != nil {
		t.Fatalf("after Allow: %v", err)
	}
}

func TestListSecrets(t *testing.T) {
	s, cfg := setup(t)
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("AmazonMSK_user%d", i)
		want = append(want, name)
		s.PutSecret(name, "x")
	}
	s.PutSecret("other", "x")
	s.PutSecret("amazonmsk_lowercase", "x") // the name filter is case-sensitive
	s.SetPageSize(2)
	sm := secretsmanager.NewFromConfig(cfg)

	list := func(in *secretsmanager.ListSecretsInput) (names []string, pages int) {
		t.Helper()
		p := secretsmanager.NewListSecretsPaginator(sm, in)
		for p.HasMorePages() {
			out, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			pages++
			for _, e := range out.SecretList {
				names = append(names, aws.ToString(e.Name))
			}
		}
		return names, pages
	}
	byName := []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{"AmazonMSK_"}}}

	names, pages := list(&secretsmanager.ListSecretsInput{Filters: byName})
	if fmt.Sprint(names) != fmt.Sprint(want) || pages != 3 {
		t.Errorf("names = %v in %d pages, want %v in 3", names, pages, want)
	}
	names, pages = list(&secretsmanager.ListSecretsInput{Filters: byName, MaxResults: aws.Int32(1)})
	if len(names) != 5 || pages != 5 {
		t.Errorf("MaxResults 1: %d names in %d pages, want 5 in 5", len(names), pages)
	}
	names, _ = list(&secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{"!AmazonMSK_"}}}})
	if fmt.Sprint(names) != "[other amazonmsk_lowercase]" {
		t.Errorf("negated filter = %v", names)
	}
	if got := s.Calls("ListSecrets"); got != 3+5+1 {
		t.Errorf("Calls(ListSecrets) = %d, want 9", got)
	}

	_, err := sm.ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{NextToken: aws.String("garbage")})
	var bad *smtypes.InvalidNextTokenException
	if !errors.As(err, &bad) {
		t.Errorf("bad token err = %v (%T), want InvalidNextTokenException", err, err)
	}
}

func TestCallerIdentity(t *testing.T) {
	_, cfg := setup(t)
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != awstest.UserARN || aws.ToString(out.Account) != awstest.Account || aws.ToString(out.UserId) != awstest.UserID {
		t.Errorf("identity = %s %s %s", aws.ToString(out.Arn), aws.ToString(out.Account), aws.ToString(out.UserId))
	}
}

func TestAssumeRole(t *testing.T) {
	s, cfg := setup(t)
	const role = "arn:aws:iam::123456789012:role/team/mskx-reader"
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "mskx-session"
	})
	assumed := cfg.Copy()
	assumed.Credentials = aws.NewCredentialsCache(provider)
	client := sts.NewFromConfig(assumed)
	for range 3 {
		out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(out.Arn), "arn:aws:sts::123456789012:assumed-role/mskx-reader/mskx-session"; got != want {
			t.Fatalf("arn = %q, want %q", got, want)
		}
		if !strings.HasPrefix(aws.ToString(out.UserId), "AROA") || !strings.HasSuffix(aws.ToString(out.UserId), ":mskx-session") {
			t.Errorf("user id = %q", aws.ToString(out.UserId))
		}
	}
	if got := s.Calls("AssumeRole"); got != 1 {
		t.Errorf("Calls(AssumeRole) = %d, want 1 (credentials cached)", got)
	}
	if got := s.Calls("GetCallerIdentity"); got != 3 {
		t.Errorf("Calls(GetCallerIdentity) = %d, want 3", got)
	}

	// The other services accept the assumed keys too, and see the role.
	s.Deny("GetSecretValue")
	_, err := secretsmanager.NewFromConfig(assumed).GetSecretValue(context.Background(),
		&secretsmanager.GetSecretValueInput{SecretId: aws.String("x")})
	if ae := apiError(t, err, "AccessDeniedException"); !strings.Contains(ae.ErrorMessage(), "assumed-role/mskx-reader/mskx-session") {
		t.Errorf("denied message does not name the role: %q", ae.ErrorMessage())
	}
}

func TestAssumeRoleCredentials(t *testing.T) {
	s, cfg := setup(t)
	client := sts.NewFromConfig(cfg)
	const role = "arn:aws:iam::123456789012:role/mskx"

	// Duration follows DurationSeconds: stscreds asks for 15 minutes by default.
	creds, err := stscreds.NewAssumeRoleProvider(client, role).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(creds.Expires); d < 14*time.Minute || d > 15*time.Minute {
		t.Errorf("expires in %v, want about 15m", d)
	}
	id, ok := s.Identity(creds.AccessKeyID)
	if !ok || id.SecretAccessKey != creds.SecretAccessKey || id.SessionToken != creds.SessionToken ||
		!strings.HasPrefix(id.ARN, "arn:aws:sts::123456789012:assumed-role/mskx/") {
		t.Errorf("Identity(%s) = %+v, %v", creds.AccessKeyID, id, ok)
	}

	s.SetAssumeRoleCredentials("ASIAFIXEDKEY", "fixed-secret", "fixed-token", 2*time.Hour)
	creds, err = stscreds.NewAssumeRoleProvider(client, role, func(o *stscreds.AssumeRoleOptions) {
		o.Duration = 30 * time.Minute
	}).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAFIXEDKEY" || creds.SecretAccessKey != "fixed-secret" || creds.SessionToken != "fixed-token" {
		t.Errorf("creds = %+v", creds)
	}
	if d := time.Until(creds.Expires); d < 119*time.Minute || d > 2*time.Hour {
		t.Errorf("expires in %v, want about 2h (the ttl override)", d)
	}

	// Beyond the role's MaxSessionDuration, as in IAM.
	_, err = stscreds.NewAssumeRoleProvider(client, role, func(o *stscreds.AssumeRoleOptions) {
		o.Duration = 2 * time.Hour
	}).Retrieve(context.Background())
	apiError(t, err, "ValidationError")
}

func TestAssumedKeysExpire(t *testing.T) {
	s, cfg := setup(t)
	s.SetAssumeRoleCredentials("ASIASHORTLIVED", "secret", "token", time.Second)
	creds, err := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::123456789012:role/mskx").Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// creds.Expires is rounded down to the second on the wire; the server's
	// own record is exact.
	id, _ := s.Identity(creds.AccessKeyID)
	time.Sleep(time.Until(id.Expires) + 50*time.Millisecond)
	stale := cfg.Copy()
	stale.Credentials = credentials.StaticCredentialsProvider{Value: creds}
	_, err = sts.NewFromConfig(stale).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	apiError(t, err, "ExpiredToken")
	_, err = secretsmanager.NewFromConfig(stale).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
	apiError(t, err, "ExpiredTokenException")
}

func TestAssumeRoleDenied(t *testing.T) {
	s, cfg := setup(t)
	s.Deny("AssumeRole")
	_, err := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::123456789012:role/mskx").Retrieve(context.Background())
	ae := apiError(t, err, "AccessDenied")
	if !strings.Contains(ae.ErrorMessage(), "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/mskx") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
}

// TestRefusedKeys proves every service refuses keys it does not know or a
// wrong secret, each in its own shape.
func TestRefusedKeys(t *testing.T) {
	_, cfg := setup(t)
	cases := []struct {
		name                   string
		creds                  aws.Credentials
		sts, secrets, kafkaAPI string
	}{
		{"unknown key", aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: "x"},
			"InvalidClientTokenId", "UnrecognizedClientException", "UnrecognizedClientException"},
		{"wrong secret", aws.Credentials{AccessKeyID: awstest.AccessKeyID, SecretAccessKey: "wrong"},
			"SignatureDoesNotMatch", "InvalidSignatureException", "InvalidSignatureException"},
		{"unexpected session token", aws.Credentials{AccessKeyID: awstest.AccessKeyID, SecretAccessKey: awstest.SecretAccessKey, SessionToken: "t"},
			"InvalidClientTokenId", "UnrecognizedClientException", "UnrecognizedClientException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg.Copy()
			c.Credentials = credentials.StaticCredentialsProvider{Value: tc.creds}
			ctx := context.Background()
			_, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			apiError(t, err, tc.sts)
			_, err = secretsmanager.NewFromConfig(c).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			apiError(t, err, tc.secrets)
			_, err = kafka.NewFromConfig(c).ListClustersV2(ctx, &kafka.ListClustersV2Input{})
			apiError(t, err, tc.kafkaAPI)
		})
	}
}

func TestUnknownOperation(t *testing.T) {
	s, cfg := setup(t)
	ctx := context.Background()
	_, err := secretsmanager.NewFromConfig(cfg).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("x")})
	if ae := apiError(t, err, "UnknownOperationException"); !strings.Contains(ae.ErrorMessage(), "secretsmanager.DescribeSecret") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	_, err = sts.NewFromConfig(cfg).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if ae := apiError(t, err, "InvalidAction"); !strings.Contains(ae.ErrorMessage(), "GetSessionToken") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	_, err = kafka.NewFromConfig(cfg).ListClusters(ctx, &kafka.ListClustersInput{})
	if ae := apiError(t, err, "UnknownOperationException"); !strings.Contains(ae.ErrorMessage(), "GET /v1/clusters") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	if s.Calls("DescribeSecret") != 1 || s.Calls("GetSessionToken") != 1 {
		t.Errorf("unknown operations not counted")
	}
}

func TestFault(t *testing.T) {
	s, cfg := setup(t)
	s.PutSecret("AmazonMSK_a", "x")
	s.Fail("GetSecretValue", awstest.Fault{Code: "DecryptionFailure", Message: "KMS says no"})
	sm := secretsmanager.NewFromConfig(cfg)
	_, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("AmazonMSK_a")})
	var df *smtypes.DecryptionFailure
	if !errors.As(err, &df) || df.ErrorMessage() != "KMS says no" {
		t.Fatalf("err = %v (%T), want DecryptionFailure", err, err)
	}
	s.Fail("GetSecretValue", awstest.Fault{})
	if _, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("AmazonMSK_a")}); err != nil {
		t.Fatalf("after clearing: %v", err)
	}
}

// TestConcurrent is for the race detector.
func TestConcurrent(t *testing.T) {
	s, cfg := setup(t)
	sm := secretsmanager.NewFromConfig(cfg)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("AmazonMSK_%d", i)
			s.PutSecret(name, "x")
			if _, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); err != nil {
				t.Error(err)
			}
			_ = s.Calls("GetSecretValue")
		})
	}
	wg.Wait()
	if got := s.Calls("GetSecretValue"); got != 8 {
		t.Errorf("Calls = %d, want 8", got)
	}
}
