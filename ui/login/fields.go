package login

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mskx/mskx/auth"
)

// The form's rows, in the order they are shown. Which of them a mode shows
// is rowsFor's to say; the text fields keep their text while hidden, so
// trying another mode and coming back loses nothing.
const (
	rowMode = iota
	rowBrokers
	rowRegion
	rowProfile
	rowRole
	rowSecret
	rowUser
	rowPassword
	rowCA
	rowCert
	rowKey
	rowConnect
	rowCount
)

var rowNames = [rowCount]string{"Auth", "Brokers", "Region", "Profile", "Role ARN", "Secret", "User", "Password", "CA file", "Cert file", "Key file", "Connect"}

// isText reports whether a row is a text field.
func isText(r int) bool { return r > rowMode && r < rowConnect }

// rowsFor lists the rows a mode needs: AWS settings where AWS is asked
// (IAM tokens, Secrets Manager), credentials for SCRAM, files for TLS.
func rowsFor(m auth.Mode) []int {
	switch m {
	case auth.IAM:
		return []int{rowMode, rowBrokers, rowRegion, rowProfile, rowRole, rowCA, rowConnect}
	case auth.SCRAM:
		return []int{rowMode, rowBrokers, rowRegion, rowProfile, rowRole, rowSecret, rowUser, rowPassword, rowCA, rowConnect}
	case auth.TLS:
		return []int{rowMode, rowBrokers, rowCA, rowConnect}
	case auth.MTLS:
		return []int{rowMode, rowBrokers, rowCA, rowCert, rowKey, rowConnect}
	}
	return []int{rowMode, rowBrokers, rowConnect}
}

// placeholders are in parentheses: in a terminal without colour they must
// not pass for content.
var placeholders = [rowCount]string{
	rowBrokers:  "(required) host:port,host:port · ctrl+f finds MSK clusters",
	rowRegion:   "(from the broker names, AWS_REGION or the profile)",
	rowProfile:  "(the default credential chain)",
	rowRole:     "(none) arn:aws:iam::ACCOUNT:role/NAME",
	rowSecret:   "(pick from the list, or type a name or ARN)",
	rowUser:     "(or a user and password instead of a secret)",
	rowPassword: "(the user's password)",
	rowCA:       "(the system's trusted roots)",
	rowCert:     "(required) client certificate, PEM",
	rowKey:      "(required) its private key, PEM",
}

func (m *Model) mode() auth.Mode { return auth.Modes[m.modeIdx] }

func (m *Model) value(r int) string { return strings.TrimSpace(m.inputs[r].Value()) }

func (m *Model) shown(r int) bool { return slices.Contains(rowsFor(m.mode()), r) }

// usesAWS reports whether the AWS rows count: shown for the mode, or needed
// to look up the brokers of the cluster ARN the caller gave.
func (m *Model) usesAWS() bool {
	return m.shown(rowRegion) || (m.value(rowBrokers) == "" && m.base.ClusterARN != "")
}

// request copies what a connect needs out of the form. Hidden rows do not
// count: a CA file typed for TLS must not break a plaintext connect.
func (m *Model) request() request {
	c := auth.Config{
		Mode:               m.mode(),
		Brokers:            auth.SplitBrokers(m.value(rowBrokers)),
		SCRAMMechanism:     m.base.SCRAMMechanism,
		InsecureSkipVerify: m.base.InsecureSkipVerify,
		ClusterARN:         m.base.ClusterARN,
		Serverless:         m.base.Serverless,
	}
	if p := m.picked(); p != nil {
		// Named even though the brokers are given: advice on an IAM
		// refusal quotes the cluster's ARN.
		c.ClusterARN, c.Serverless = p.info.ARN, p.info.Serverless
	}
	if m.usesAWS() {
		c.Region, c.Profile, c.RoleARN = m.value(rowRegion), m.value(rowProfile), m.value(rowRole)
	}
	r := request{dialTimeout: m.opts.dialTimeout, kopts: m.opts.kopts}
	if m.shown(rowSecret) {
		c.Secret = m.value(rowSecret)
		if c.Secret == "" {
			c.User = m.value(rowUser)
			// Not trimmed: spaces may belong to a password.
			r.password = m.inputs[rowPassword].Value()
		}
	}
	if m.shown(rowCA) {
		c.CAFile = m.value(rowCA)
	}
	if m.shown(rowCert) {
		c.CertFile, c.KeyFile = m.value(rowCert), m.value(rowKey)
	}
	r.cfg = c
	return r
}

// problem is what keeps the form from connecting, in the form's words, or
// "". Everything else is auth.Build's to judge when Connect is pressed.
func (m *Model) problem() string {
	if m.value(rowBrokers) == "" && m.base.ClusterARN == "" {
		return "type the brokers, or ctrl+f to find clusters"
	}
	if m.mode() != auth.IAM && m.serverless() {
		return "MSK Serverless accepts only IAM: choose iam"
	}
	switch m.mode() {
	case auth.SCRAM:
		secret, user := m.value(rowSecret), m.value(rowUser)
		switch {
		case secret != "" && user != "":
			return "fill in a secret or a user, not both: the secret holds the user name"
		case secret == "" && user == "":
			return "SCRAM needs a secret, or a user and password"
		case secret == "" && m.inputs[rowPassword].Value() == "":
			return fmt.Sprintf("type the password of user %s", user)
		}
	case auth.MTLS:
		if m.value(rowCert) == "" || m.value(rowKey) == "" {
			return "mutual TLS needs the cert file and the key file"
		}
	}
	return ""
}

// serverless reports whether the form's brokers are an MSK Serverless
// cluster's, which accepts IAM only.
func (m *Model) serverless() bool {
	if p := m.picked(); p != nil {
		return p.info.Serverless
	}
	return m.base.Serverless || slices.ContainsFunc(auth.SplitBrokers(m.value(rowBrokers)), auth.IsServerlessBroker)
}

// awsConfig is what AWS calls made from the form (listing secrets and
// clusters, asking who the user is) are made with. The region is the
// field's, else the brokers' or the picked cluster's; LoadAWS falls back on
// the environment and the profile.
func (m *Model) awsConfig() auth.Config {
	c := auth.Config{Region: m.value(rowRegion), Profile: m.value(rowProfile), RoleARN: m.value(rowRole)}
	if c.Region == "" {
		c.Region = auth.RegionFromBrokers(auth.SplitBrokers(m.value(rowBrokers)))
	}
	if p := m.picked(); c.Region == "" && p != nil {
		c.Region = auth.RegionFromClusterARN(p.info.ARN)
	}
	return c
}

// awsKey identifies the AWS settings a list of secrets or an identity was
// asked with, so that they are asked again only when the settings change.
// It is never empty.
func (m *Model) awsKey() string {
	c := m.awsConfig()
	return c.Region + "\x00" + c.Profile + "\x00" + c.RoleARN
}

// matches are the listed secrets that contain what is typed in the secret
// field, ignoring case, so typing narrows a long list.
func (m *Model) matches() []auth.SecretInfo {
	typed := strings.ToLower(m.value(rowSecret))
	if typed == "" {
		return m.secretItems()
	}
	var out []auth.SecretInfo
	for _, s := range m.secretItems() {
		if strings.Contains(strings.ToLower(s.Name), typed) || s.ARN == m.value(rowSecret) {
			out = append(out, s)
		}
	}
	return out
}
