package awstest

import (
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MaxSessionDuration is the longest session any role here allows, the IAM
// default: AssumeRole refuses a longer DurationSeconds as AWS would, so a
// caller asking for more is caught in tests rather than in production.
const MaxSessionDuration = time.Hour

// defaultSessionDuration is what STS grants when DurationSeconds is absent.
const defaultSessionDuration = time.Hour

// assumeConfig is what [Server.SetAssumeRoleCredentials] fixed.
type assumeConfig struct {
	accessKeyID     string
	secretAccessKey string
	sessionToken    string
	ttl             time.Duration
}

// SetAssumeRoleCredentials fixes the temporary keys every later AssumeRole
// hands out, so that a test knows in advance which keys a Kafka IAM test
// cluster must accept; the key then stands for the role most recently
// assumed with it. An empty accessKeyID goes back to fresh keys per call
// (ASIAMSKXTEST00000001, ...). A ttl above zero sets how long the keys live
// whatever DurationSeconds asked for; zero follows DurationSeconds (an hour
// when absent).
func (s *Server) SetAssumeRoleCredentials(accessKeyID, secretAccessKey, sessionToken string, ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assume = assumeConfig{
		accessKeyID:     accessKeyID,
		secretAccessKey: secretAccessKey,
		sessionToken:    sessionToken,
		ttl:             ttl,
	}
}

func routeSTS(req *request) (handler, *apiError) {
	req.service = "sts"
	form, err := url.ParseQuery(string(req.body))
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "MalformedQueryString", message: err.Error()}
	}
	req.params = map[string]string{}
	for k := range form {
		req.params[k] = form.Get(k)
	}
	req.operation = form.Get("Action")
	switch req.operation {
	case "GetCallerIdentity":
		return (*Server).getCallerIdentity, nil
	case "AssumeRole":
		return (*Server).assumeRole, nil
	}
	return nil, &apiError{status: http.StatusBadRequest, code: "InvalidAction",
		message: fmt.Sprintf("Could not find operation %s for version %s (not implemented by the awstest server)",
			req.operation, form.Get("Version"))}
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetCallerIdentityResponse"`
	Result  struct {
		Arn     string
		UserID  string `xml:"UserId"`
		Account string
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func (s *Server) getCallerIdentity(req *request) (any, *apiError) {
	var out getCallerIdentityResponse
	out.Result.Arn = req.caller.ARN
	out.Result.UserID = req.caller.UserID
	out.Result.Account = accountOf(req.caller.ARN)
	out.RequestID = req.id
	return out, nil
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleResponse"`
	Result  struct {
		AssumedRoleUser struct {
			Arn           string
			AssumedRoleID string `xml:"AssumedRoleId"`
		}
		Credentials struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
			Expiration      string
		}
	} `xml:"AssumeRoleResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

var (
	// roleARN captures account and role name; a role's path is not part of
	// the assumed-role ARN.
	roleARN     = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
	sessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

func stsValidation(message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationError", message: message}
}

func (s *Server) assumeRole(req *request) (any, *apiError) {
	arn, session := req.params["RoleArn"], req.params["RoleSessionName"]
	m := roleARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, stsValidation(fmt.Sprintf("%s is invalid", arn))
	}
	if !sessionName.MatchString(session) {
		return nil, stsValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'roleSessionName' "+
			"failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", session))
	}
	duration := defaultSessionDuration
	if v, ok := req.params["DurationSeconds"]; ok {
		secs, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return nil, stsValidation(fmt.Sprintf("Value '%s' at 'durationSeconds' is not a number", v))
		case secs < 900:
			return nil, stsValidation(fmt.Sprintf("1 validation error detected: Value '%d' at 'durationSeconds' "+
				"failed to satisfy constraint: Member must have value greater than or equal to 900", secs))
		case time.Duration(secs)*time.Second > MaxSessionDuration:
			return nil, stsValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		duration = time.Duration(secs) * time.Second
	}
	if s.assume.ttl > 0 {
		duration = s.assume.ttl
	}

	account, role := m[1], m[2]
	roleID := "AROA" + idFrom(arn, 17)
	s.issued++
	id := &Identity{
		AccessKeyID:     fmt.Sprintf("ASIAMSKXTEST%08d", s.issued),
		SecretAccessKey: fmt.Sprintf("mskxTemporarySecret/%08d", s.issued),
		SessionToken:    fmt.Sprintf("mskxSessionToken/%s/%08d", role, s.issued),
		ARN:             fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, role, session),
		UserID:          roleID + ":" + session,
		Expires:         time.Now().Add(duration),
	}
	if a := s.assume; a.accessKeyID != "" {
		id.AccessKeyID, id.SecretAccessKey, id.SessionToken = a.accessKeyID, a.secretAccessKey, a.sessionToken
	}
	s.keys[id.AccessKeyID] = id

	var out assumeRoleResponse
	out.Result.AssumedRoleUser.Arn = id.ARN
	out.Result.AssumedRoleUser.AssumedRoleID = id.UserID
	out.Result.Credentials.AccessKeyID = id.AccessKeyID
	out.Result.Credentials.SecretAccessKey = id.SecretAccessKey
	out.Result.Credentials.SessionToken = id.SessionToken
	out.Result.Credentials.Expiration = id.Expires.UTC().Format(time.RFC3339)
	out.RequestID = req.id
	return out, nil
}

// accountOf reads the account field of an ARN.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// idFrom makes n characters in the style of an IAM unique ID, stable for a
// given seed.
func idFrom(seed string, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[int(sum[i%len(sum)])%len(alphabet)]
	}
	return string(b)
}
