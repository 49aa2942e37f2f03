package auth

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
)

// Clusters from before MSK had client authentication settings report none,
// and are unauthenticated; awstest always reports them, so this shape is
// checked here.
func TestProvisionedModesWithoutSettings(t *testing.T) {
	for _, tc := range []struct {
		p    *kafkatypes.Provisioned
		want string
	}{
		{&kafkatypes.Provisioned{}, "[tls]"},
		{nil, "[tls]"},
		{&kafkatypes.Provisioned{EncryptionInfo: &kafkatypes.EncryptionInfo{EncryptionInTransit: &kafkatypes.EncryptionInTransit{
			ClientBroker: kafkatypes.ClientBrokerTlsPlaintext}}}, "[tls plaintext]"},
		{&kafkatypes.Provisioned{EncryptionInfo: &kafkatypes.EncryptionInfo{EncryptionInTransit: &kafkatypes.EncryptionInTransit{
			ClientBroker: kafkatypes.ClientBrokerPlaintext}}}, "[plaintext]"},
		{&kafkatypes.Provisioned{ClientAuthentication: &kafkatypes.ClientAuthentication{
			Sasl: &kafkatypes.Sasl{Iam: &kafkatypes.Iam{Enabled: aws.Bool(true)}}}}, "[iam]"},
	} {
		if got := fmt.Sprint(provisionedModes(tc.p)); got != tc.want {
			t.Errorf("modes = %s, want %s", got, tc.want)
		}
	}
}
