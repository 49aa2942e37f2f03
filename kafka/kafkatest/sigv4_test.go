package kafkatest

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

const (
	testRegion = "eu-west-1"
	testAKID   = "AKIAKAFKATEST0000001"
	testSecret = "kafkatest/secret+key/0000000000000000000"
)

// realToken signs a token with the MSK signer library, the one clients use.
func realToken(t *testing.T, region, akid, secret, sessionToken string) string {
	t.Helper()
	tok, _, err := signer.GenerateAuthTokenFromCredentialsProvider(context.Background(), region,
		credentials.NewStaticCredentialsProvider(akid, secret, sessionToken))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// rewriteToken edits the URL inside a token without re-signing it.
func rewriteToken(t *testing.T, token, old, new string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), old) {
		t.Fatalf("token URL %s has no %q", raw, old)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), old, new, 1)))
}

func TestVerifier(t *testing.T) {
	now := time.Now()
	newVerifier := func(clock time.Time) *verifier {
		return &verifier{
			region: testRegion,
			creds: map[string]iamCredential{
				testAKID:               {accessKeyID: testAKID, secret: testSecret},
				"ASIAKAFKATEST0000002": {accessKeyID: "ASIAKAFKATEST0000002", secret: "temporary-secret", sessionToken: "session/token=="},
			},
			now: func() time.Time { return clock },
		}
	}
	valid := realToken(t, testRegion, testAKID, testSecret, "")

	for _, tc := range []struct {
		name    string
		token   string
		clock   time.Time
		wantErr string // empty: accepted
	}{
		{"valid", valid, now, ""},
		{"valid with session token", realToken(t, testRegion, "ASIAKAFKATEST0000002", "temporary-secret", "session/token=="), now, ""},
		{"padded base64", valid + strings.Repeat("=", (4-len(valid)%4)%4), now, ""},
		{"clock skew within five minutes", valid, now.Add(-4 * time.Minute), ""},
		{"near expiry", valid, now.Add(14 * time.Minute), ""},

		{"wrong secret", realToken(t, testRegion, testAKID, "not-the-secret", ""), now, "signature does not match"},
		{"wrong region", realToken(t, "us-east-1", testAKID, testSecret, ""), now, "host"},
		{"wrong region, host rewritten", rewriteToken(t, realToken(t, "us-east-1", testAKID, testSecret, ""), "kafka.us-east-1.", "kafka.eu-west-1."), now, "credential scope region"},
		{"wrong access key", realToken(t, testRegion, "AKIAUNKNOWN000000000", testSecret, ""), now, "unknown access key"},
		{"tampered action", rewriteToken(t, valid, "Action=kafka-cluster%3AConnect", "Action=kafka-cluster%3AAlterCluster"), now, "action"},
		{"tampered expiry", rewriteToken(t, valid, "X-Amz-Expires=900", "X-Amz-Expires=901"), now, "signature does not match"},
		{"expired", valid, now.Add(16 * time.Minute), "expired"},
		{"future dated", valid, now.Add(-10 * time.Minute), "after server time"},
		{"wrong session token", realToken(t, testRegion, "ASIAKAFKATEST0000002", "temporary-secret", "other"), now, "wrong session token"},
		{"missing session token", realToken(t, testRegion, "ASIAKAFKATEST0000002", "temporary-secret", ""), now, "no session token"},
		{"session token on long-term key", realToken(t, testRegion, testAKID, testSecret, "extra"), now, "session token given"},
		{"not base64", "!!!", now, "base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			akid, expires, err := newVerifier(tc.clock).verify(tc.token)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if akid == "" || expires.Before(now) {
					t.Errorf("accepted as %q until %v", akid, expires)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want error with %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q, want it to mention %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error %q leaks the secret", err)
			}
		})
	}
}

// TestVerifierIgnoresUserAgent checks that the User-Agent the signer appends
// after signing is left out of the canonical query, whether present or not.
func TestVerifierIgnoresUserAgent(t *testing.T) {
	v := &verifier{region: testRegion, creds: map[string]iamCredential{testAKID: {accessKeyID: testAKID, secret: testSecret}}, now: time.Now}
	raw, _ := base64.RawURLEncoding.DecodeString(realToken(t, testRegion, testAKID, testSecret, ""))
	u := string(raw)
	i := strings.Index(u, "&User-Agent=")
	if i < 0 {
		t.Fatalf("signer no longer appends User-Agent: %s", u)
	}
	end := strings.IndexByte(u[i+1:], '&')
	stripped := u[:i]
	if end >= 0 {
		stripped += u[i+1+end:]
	}
	if _, _, err := v.verify(base64.RawURLEncoding.EncodeToString([]byte(stripped))); err != nil {
		t.Fatalf("token without User-Agent refused: %v", err)
	}
}

func TestParseOAuthBearer(t *testing.T) {
	for _, tc := range []struct {
		msg, want string
	}{
		{"n,,\x01auth=Bearer tok\x01\x01", "tok"},
		{"n,a=someone,\x01host=h\x01auth=Bearer tok\x01port=9098\x01\x01", "tok"},
		{"n,,\x01auth=bearer tok\x01\x01", "tok"},
		{"n,,\x01auth=Bearer tok\x01", ""},
		{"n,,\x01auth=Basic tok\x01\x01", ""},
		{"p=tls-unique,,\x01auth=Bearer tok\x01\x01", ""},
		{"n,,\x01host=h\x01\x01", ""},
		{"", ""},
	} {
		got, err := parseOAuthBearer([]byte(tc.msg))
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("parseOAuthBearer(%q) = %q, %v; want %q", tc.msg, got, err, tc.want)
		}
	}
}
