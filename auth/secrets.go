package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// SecretsListAPI is the part of the Secrets Manager client that lists
// secrets; *secretsmanager.Client is one.
type SecretsListAPI interface {
	ListSecrets(context.Context, *secretsmanager.ListSecretsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
}

// SecretInfo describes a secret without its value: listing never reads one.
type SecretInfo struct {
	Name        string
	ARN         string
	Description string // empty when the secret has none
}

// ErrListSecretsDenied is what ListSCRAMSecrets wraps when AWS refuses the
// listing. Callers tell it apart with errors.Is because it is not fatal:
// many roles may read one named secret without being allowed to list them.
var ErrListSecretsDenied = errors.New("listing secrets was denied")

// ListSCRAMSecrets lists the secrets whose names start with SecretPrefix,
// the only ones MSK can associate with a cluster, following every page, and
// returns them sorted by name. A refusal is an error wrapping
// ErrListSecretsDenied that says typing the secret's name still works.
func ListSCRAMSecrets(ctx context.Context, api SecretsListAPI) ([]SecretInfo, error) {
	in := &secretsmanager.ListSecretsInput{
		Filters:    []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{SecretPrefix}}},
		MaxResults: aws.Int32(100),
	}
	var out []SecretInfo
	p := secretsmanager.NewListSecretsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if isAccessDenied(err) {
				return nil, fmt.Errorf("%w: the credentials need secretsmanager:ListSecrets; typing the secret's name still works", ErrListSecretsDenied)
			}
			return nil, fmt.Errorf("list %s secrets: %w", SecretPrefix, awsError(err))
		}
		for _, e := range page.SecretList {
			name := aws.ToString(e.Name)
			// The name filter matches prefixes, but a filter is easy to get
			// subtly wrong across services; the rule MSK applies is this one.
			if !strings.HasPrefix(name, SecretPrefix) {
				continue
			}
			out = append(out, SecretInfo{Name: name, ARN: aws.ToString(e.ARN), Description: aws.ToString(e.Description)})
		}
	}
	slices.SortFunc(out, func(a, b SecretInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
