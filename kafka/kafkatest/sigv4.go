package kafkatest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mskx/mskx/internal/sigv4"
)

// iamCredential is one access key an IAM cluster accepts.
type iamCredential struct {
	accessKeyID  string
	secret       string
	sessionToken string // set for temporary credentials
}

// verifier checks MSK IAM auth tokens: base64url of a SigV4-presigned
// "GET https://kafka.REGION.amazonaws.com/?Action=kafka-cluster:Connect&...".
// It recomputes the signature itself rather than trusting the AWS SDK's
// signer, so that a signer bug or a token built by hand is caught the way MSK
// would catch it.
type verifier struct {
	region string
	creds  map[string]iamCredential
	now    func() time.Time
}

const (
	sigv4Service  = "kafka-cluster"
	sigv4Action   = "kafka-cluster:Connect"
	amzDateFormat = "20060102T150405Z"

	// maxClockSkew is how far in the future a token's X-Amz-Date may be,
	// as AWS allows for presigned URLs.
	maxClockSkew = 5 * time.Minute
	// maxExpires is SigV4's limit on X-Amz-Expires (seven days).
	maxExpires = 7 * 24 * 60 * 60

	// emptyPayloadHash is what the MSK signer passes as the payload hash:
	// the SHA-256 of an empty body. Presigned URLs for other services
	// often use UNSIGNED-PAYLOAD instead, so this is not a guess.
	emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// Query parameters that are not part of what was signed: the signature
// itself, and the User-Agent that aws-msk-iam-sasl-signer-go appends to the
// URL after presigning (addUserAgent in signer/msk_auth_token_provider.go).
var unsignedParams = []string{"X-Amz-Signature", "User-Agent"}

// verify returns the access key that signed token and when the token stops
// being valid. Errors say precisely what was wrong, for the server log; the
// client only ever learns "Access denied".
func (v *verifier) verify(token string) (accessKeyID string, expires time.Time, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(token, "="))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token is not base64url: %w", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token is not a URL: %w", err)
	}
	if want := "kafka." + v.region + ".amazonaws.com"; u.Host != want {
		return "", time.Time{}, fmt.Errorf("host %q, want %q", u.Host, want)
	}
	if u.Path != "/" {
		return "", time.Time{}, fmt.Errorf("path %q, want /", u.Path)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("query: %w", err)
	}
	param := func(k string) (string, error) {
		switch vs := q[k]; len(vs) {
		case 0:
			return "", fmt.Errorf("missing %s", k)
		case 1:
			return vs[0], nil
		default:
			return "", fmt.Errorf("%s given %d times", k, len(vs))
		}
	}
	var p struct{ action, algorithm, credential, date, expires, signedHeaders, signature string }
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"Action", &p.action},
		{"X-Amz-Algorithm", &p.algorithm},
		{"X-Amz-Credential", &p.credential},
		{"X-Amz-Date", &p.date},
		{"X-Amz-Expires", &p.expires},
		{"X-Amz-SignedHeaders", &p.signedHeaders},
		{"X-Amz-Signature", &p.signature},
	} {
		if *f.dst, err = param(f.key); err != nil {
			return "", time.Time{}, err
		}
	}

	if p.action != sigv4Action {
		return "", time.Time{}, fmt.Errorf("action %q, want %q", p.action, sigv4Action)
	}
	if p.algorithm != sigv4.Algorithm {
		return "", time.Time{}, fmt.Errorf("algorithm %q, want %q", p.algorithm, sigv4.Algorithm)
	}
	if p.signedHeaders != "host" {
		return "", time.Time{}, fmt.Errorf("signed headers %q, want host", p.signedHeaders)
	}

	scope := strings.Split(p.credential, "/")
	if len(scope) != 5 {
		return "", time.Time{}, fmt.Errorf("credential %q is not AKID/DATE/REGION/SERVICE/aws4_request", p.credential)
	}
	accessKeyID, day, region, service, terminator := scope[0], scope[1], scope[2], scope[3], scope[4]
	cred, ok := v.creds[accessKeyID]
	if !ok {
		return "", time.Time{}, fmt.Errorf("unknown access key %s", accessKeyID)
	}
	if region != v.region {
		return "", time.Time{}, fmt.Errorf("credential scope region %q, want %q", region, v.region)
	}
	if service != sigv4Service || terminator != "aws4_request" {
		return "", time.Time{}, fmt.Errorf("credential scope %s/%s, want %s/aws4_request", service, terminator, sigv4Service)
	}

	signedAt, err := time.Parse(amzDateFormat, p.date)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("X-Amz-Date %q: %w", p.date, err)
	}
	if day != p.date[:8] {
		return "", time.Time{}, fmt.Errorf("credential date %s does not match X-Amz-Date %s", day, p.date)
	}
	secs, err := strconv.Atoi(p.expires)
	if err != nil || secs <= 0 || secs > maxExpires {
		return "", time.Time{}, fmt.Errorf("X-Amz-Expires %q is not 1..%d seconds", p.expires, maxExpires)
	}
	expires = signedAt.Add(time.Duration(secs) * time.Second)
	now := v.now()
	if signedAt.After(now.Add(maxClockSkew)) {
		return "", time.Time{}, fmt.Errorf("signed at %s, more than %s after server time %s", p.date, maxClockSkew, now.UTC().Format(amzDateFormat))
	}
	if now.After(expires) {
		return "", time.Time{}, fmt.Errorf("expired at %s, server time %s", expires.Format(amzDateFormat), now.UTC().Format(amzDateFormat))
	}

	// A token with a session token signed in must carry exactly the one
	// issued with the key; a temporary key without its token is invalid.
	gotToken := q.Get("X-Amz-Security-Token")
	if subtle.ConstantTimeCompare([]byte(gotToken), []byte(cred.sessionToken)) != 1 {
		switch {
		case cred.sessionToken == "":
			return "", time.Time{}, fmt.Errorf("session token given for long-term key %s", accessKeyID)
		case gotToken == "":
			return "", time.Time{}, fmt.Errorf("no session token for temporary key %s", accessKeyID)
		default:
			return "", time.Time{}, fmt.Errorf("wrong session token for key %s", accessKeyID)
		}
	}

	want := signature(cred.secret, sigv4.Scope{Day: day, Region: region, Service: sigv4Service}, p.date, u.Host, q)
	// Hex in either case is accepted: compare the decoded bytes, re-encoded
	// the one way sigv4.Signature writes them.
	got, err := hex.DecodeString(p.signature)
	if err != nil || subtle.ConstantTimeCompare([]byte(hex.EncodeToString(got)), []byte(want)) != 1 {
		return "", time.Time{}, fmt.Errorf("signature does not match for key %s", accessKeyID)
	}
	return accessKeyID, expires, nil
}

// signature computes the hex signature of a presigned GET of "/" on host with
// query q, signed over the host header only, as in the AWS SigV4 specification.
func signature(secret string, scope sigv4.Scope, amzDate, host string, q url.Values) string {
	canonicalRequest := strings.Join([]string{
		"GET",
		"/",
		sigv4.CanonicalQuery(q, unsignedParams...),
		"host:" + host + "\n", // canonical headers end with a newline of their own
		"host",
		emptyPayloadHash,
	}, "\n")
	return sigv4.Signature(secret, amzDate, scope, canonicalRequest)
}

// parseOAuthBearer extracts the bearer token from an OAUTHBEARER
// client-first message (RFC 7628 section 3.1):
// gs2-header %x01 *(key "=" value %x01) %x01.
func parseOAuthBearer(msg []byte) (string, error) {
	s := string(msg)
	header, rest, ok := strings.Cut(s, "\x01")
	if !ok {
		return "", errors.New("oauthbearer: no key/value section")
	}
	// Channel binding ("p=") is not possible over Kafka's SASL framing.
	if !strings.HasPrefix(header, "n,") && !strings.HasPrefix(header, "y,") || !strings.HasSuffix(header, ",") || strings.Count(header, ",") != 2 {
		return "", fmt.Errorf("oauthbearer: bad GS2 header %q", header)
	}
	body, ok := strings.CutSuffix(rest, "\x01")
	if !ok || !strings.HasSuffix(body, "\x01") {
		return "", errors.New("oauthbearer: message does not end with two 0x01 separators")
	}
	var token string
	for _, kv := range strings.Split(strings.TrimSuffix(body, "\x01"), "\x01") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return "", fmt.Errorf("oauthbearer: bad key/value %q", kv)
		}
		if k != "auth" {
			continue // extensions carry nothing MSK IAM uses
		}
		scheme, t, ok := strings.Cut(v, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || t == "" {
			return "", errors.New("oauthbearer: auth is not \"Bearer <token>\"")
		}
		token = t
	}
	if token == "" {
		return "", errors.New("oauthbearer: no auth key")
	}
	return token, nil
}
