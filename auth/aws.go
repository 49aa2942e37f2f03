package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// assumeRoleDuration is how long assumed-role credentials last. The SDK's
// default (15 minutes) equals an IAM token's lifetime, which would force a
// new AssumeRole call for nearly every token; an hour is the longest every
// role allows by default.
const assumeRoleDuration = time.Hour

// LoadAWS loads the AWS configuration once for everything mskx calls: the
// SDK's default credential chain (or the named profile), the region from the
// config, and, with a role ARN, an assume-role provider behind a credentials
// cache so that neither connections nor tokens call STS each time.
// AWS_ENDPOINT_URL is honoured by the SDK itself.
func LoadAWS(ctx context.Context, c Config) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	// The SDK logs some warnings itself (such as "falling back to
	// IMDSv1" when no credentials are found) straight to stderr, which
	// would write over the terminal UI and make a second line of a one
	// line error. What matters of them is in the errors it returns.
	opts = append(opts, config.WithLogger(logging.Nop{}))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var pe config.SharedConfigProfileNotExistError
		if errors.As(err, &pe) {
			return aws.Config{}, fmt.Errorf("AWS profile %q is not in the shared config files: check the name with `aws configure list-profiles`", c.Profile)
		}
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if c.RoleARN != "" {
		// A malformed ARN (one still being typed, say) is never sent.
		if err := checkRoleARN(c.RoleARN); err != nil {
			return aws.Config{}, err
		}
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), c.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "mskx"
			o.Duration = assumeRoleDuration
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return cfg, nil
}

// Identity is who AWS says the caller is.
type Identity struct {
	Account string
	ARN     string
	UserID  string
	// Source names where the credentials came from (environment, a profile,
	// the instance role, an assumed role), as the SDK reports it.
	Source string
	// Expires is when the credentials expire; zero when they do not.
	Expires time.Time
}

// WhoAmI asks STS who the loaded credentials belong to.
func WhoAmI(ctx context.Context, cfg aws.Config) (Identity, error) {
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Identity{}, CredentialsError(err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("ask STS who the credentials belong to: %w", awsError(err))
	}
	id := Identity{
		Account: aws.ToString(out.Account),
		ARN:     aws.ToString(out.Arn),
		UserID:  aws.ToString(out.UserId),
		Source:  describeSource(creds.Source),
	}
	if creds.CanExpire {
		id.Expires = creds.Expires
	}
	return id, nil
}

// describeSource turns the SDK's provider names into words a user knows.
func describeSource(src string) string {
	switch {
	case src == "":
		return "unknown"
	case strings.HasPrefix(src, "EnvConfigCredentials"):
		return "environment"
	case strings.HasPrefix(src, "SharedConfigCredentials"):
		return "shared credentials file"
	case strings.HasPrefix(src, "EC2RoleProvider"):
		return "instance role"
	case strings.HasPrefix(src, "AssumeRoleProvider"):
		return "assumed role"
	case strings.HasPrefix(src, "SSOProvider"):
		return "SSO"
	case strings.Contains(src, "WebIdentity"):
		return "web identity"
	case strings.Contains(src, "ContainerCredentials") || strings.Contains(src, "Endpoint"):
		return "container role"
	}
	return src
}

// CredentialsError explains a failure to obtain AWS credentials.
func CredentialsError(err error) error {
	return fmt.Errorf("no usable AWS credentials (%w): set AWS_PROFILE or --profile, export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or attach an instance role", awsError(err))
}

// awsError shortens an SDK error to the service's code and message, which is
// what a user can act on; the SDK's full text repeats the operation and
// request ID.
func awsError(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}

// isAccessDenied reports whether AWS refused the call for lack of permission.
func isAccessDenied(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "ForbiddenException", "UnauthorizedException", "UnrecognizedClientException", "InvalidClientTokenId":
		return true
	}
	return false
}
