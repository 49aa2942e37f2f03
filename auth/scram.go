package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// SecretPrefix is the prefix MSK requires of SCRAM secret names; MSK refuses
// to associate any other secret with a cluster.
const SecretPrefix = "AmazonMSK_"

// SCRAMCredentials is a user and password for SCRAM. The password is never
// printed: String hides it.
type SCRAMCredentials struct {
	User     string
	Password string
}

// String shows the user only.
func (c SCRAMCredentials) String() string { return "user " + c.User }

// SecretWarning returns a warning when the secret's name cannot be an MSK
// SCRAM secret, or "".
func SecretWarning(nameOrARN string) string {
	if !strings.HasPrefix(SecretName(nameOrARN), SecretPrefix) {
		return fmt.Sprintf("secret %q does not start with %s: MSK cannot associate it with a cluster, so the brokers will likely refuse these credentials", nameOrARN, SecretPrefix)
	}
	return ""
}

// SecretName returns the name part of a secret ARN (without the six random
// characters Secrets Manager appends), or the input when it is a name:
// MSK lists a cluster's secrets by ARN, people know them by name.
func SecretName(nameOrARN string) string {
	if !strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	i := strings.Index(nameOrARN, ":secret:")
	if i < 0 {
		return nameOrARN
	}
	name := nameOrARN[i+len(":secret:"):]
	if j := strings.LastIndexByte(name, '-'); j > 0 && len(name)-j == 7 {
		name = name[:j]
	}
	return name
}

// SecretsAPI is the part of the Secrets Manager client mskx uses.
type SecretsAPI interface {
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ReadSCRAMSecret reads a SCRAM user and password from a Secrets Manager
// secret holding {"username": ..., "password": ...}. Each way it can fail has
// its own sentence; none of them contains any part of the secret's value.
func ReadSCRAMSecret(ctx context.Context, api SecretsAPI, nameOrARN string) (SCRAMCredentials, error) {
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(nameOrARN)})
	if err != nil {
		var nf *smtypes.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			return SCRAMCredentials{}, fmt.Errorf("secret %q not found: check its name or ARN and the region", nameOrARN)
		case isAccessDenied(err):
			return SCRAMCredentials{}, fmt.Errorf("not allowed to read secret %q: the credentials need secretsmanager:GetSecretValue on it (and kms:Decrypt on its KMS key)", nameOrARN)
		}
		return SCRAMCredentials{}, fmt.Errorf("read secret %q: %w", nameOrARN, awsError(err))
	}
	if out.SecretString == nil {
		return SCRAMCredentials{}, fmt.Errorf("secret %q holds binary data, not JSON: MSK SCRAM secrets hold {\"username\": ..., \"password\": ...}", nameOrARN)
	}
	// The decoder's own error is not wrapped: its text can quote bytes of
	// the secret value.
	var v struct {
		Username *string `json:"username"`
		Password *string `json:"password"`
	}
	if json.Unmarshal([]byte(*out.SecretString), &v) != nil {
		return SCRAMCredentials{}, fmt.Errorf("secret %q is not a JSON object: MSK SCRAM secrets hold {\"username\": ..., \"password\": ...}", nameOrARN)
	}
	switch {
	case v.Username == nil || *v.Username == "":
		return SCRAMCredentials{}, fmt.Errorf("secret %q has no \"username\": MSK SCRAM secrets hold {\"username\": ..., \"password\": ...}", nameOrARN)
	case v.Password == nil || *v.Password == "":
		return SCRAMCredentials{}, fmt.Errorf("secret %q has no \"password\": MSK SCRAM secrets hold {\"username\": ..., \"password\": ...}", nameOrARN)
	}
	return SCRAMCredentials{User: *v.Username, Password: *v.Password}, nil
}
