package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
)

// TokenLifetime is how long a signer token is valid (its X-Amz-Expires),
// counted from when Expiries says it was made.
const TokenLifetime = 15 * time.Minute

// TokenSource hands out MSK IAM tokens signed with one cached credential
// provider. It makes sure a token never outlives the credentials it was
// signed with: MSK caps the session at the credentials' expiry, and
// credentials about to expire give sessions too short to use, so such
// credentials are refreshed before signing.
type TokenSource struct {
	region string
	creds  aws.CredentialsProvider
	now    func() time.Time

	mu        sync.Mutex
	lastToken time.Time // when the last token was made, for the status line
	credsExp  time.Time // expiry of the credentials behind the last token
}

// NewTokenSource returns a token source for region using creds, which
// should be the SDK's cached provider (aws.Config.Credentials) so that
// credentials are loaded once, not per connection.
func NewTokenSource(region string, creds aws.CredentialsProvider) *TokenSource {
	return &TokenSource{region: region, creds: creds, now: time.Now}
}

// Token returns a fresh token and when it expires.
func (t *TokenSource) Token(ctx context.Context) (string, time.Time, error) {
	creds, err := t.credentials(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	tok, expMs, err := signer.GenerateAuthTokenFromCredentialsProvider(ctx, t.region, staticProvider{creds})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign IAM token: %w", err)
	}
	exp := time.UnixMilli(expMs)
	t.mu.Lock()
	t.lastToken = t.now()
	if creds.CanExpire {
		t.credsExp = creds.Expires
		if creds.Expires.Before(exp) {
			exp = creds.Expires
		}
	} else {
		t.credsExp = time.Time{}
	}
	t.mu.Unlock()
	return tok, exp, nil
}

// credentials returns credentials that outlive a token when the provider
// can give such; otherwise the freshest it has.
func (t *TokenSource) credentials(ctx context.Context) (aws.Credentials, error) {
	creds, err := t.creds.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, CredentialsError(err)
	}
	if creds.CanExpire && creds.Expires.Sub(t.now()) < TokenLifetime {
		if inv, ok := t.creds.(interface{ Invalidate() }); ok {
			inv.Invalidate()
			fresh, err := t.creds.Retrieve(ctx)
			if err != nil {
				return aws.Credentials{}, CredentialsError(err)
			}
			creds = fresh
		}
	}
	if creds.CanExpire && !creds.Expires.After(t.now()) {
		return aws.Credentials{}, fmt.Errorf("the AWS credentials expired at %s and could not be refreshed: renew them (aws sso login, a new session token, or the instance role)", creds.Expires.Format(time.RFC3339))
	}
	return creds, nil
}

// Expiries returns when the last token was made and when the credentials
// behind it expire (zero when they do not), for display.
func (t *TokenSource) Expiries() (lastToken, credentials time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastToken, t.credsExp
}

// Mechanism returns the SASL OAUTHBEARER mechanism that asks for a token on
// every authentication, including KIP-368 re-authentications.
func (t *TokenSource) Mechanism() sasl.Mechanism {
	return oauth.Oauth(func(ctx context.Context) (oauth.Auth, error) {
		tok, _, err := t.Token(ctx)
		if err != nil {
			return oauth.Auth{}, err
		}
		return oauth.Auth{Token: tok}, nil
	})
}

// staticProvider hands the signer the credentials already chosen, so the
// signer cannot pick others than those whose expiry was checked.
type staticProvider struct{ creds aws.Credentials }

func (s staticProvider) Retrieve(context.Context) (aws.Credentials, error) { return s.creds, nil }
