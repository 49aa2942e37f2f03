package awstest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// secretsManagerOps are the Secrets Manager operations the server answers,
// by X-Amz-Target operation name.
var secretsManagerOps = map[string]handler{
	"GetSecretValue": (*Server).getSecretValue,
	"ListSecrets":    (*Server).listSecrets,
}

// secret is one stored secret; only its current version is kept, as mskx
// never reads another.
type secret struct {
	name      string
	arn       string
	value     string
	versionID string
	versions  int
	created   time.Time
	changed   time.Time
}

// PutSecret stores value as the current version of the secret called name,
// creating it if needed, and returns its ARN,
// arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX. The six-character
// suffix is derived from the name, so it is stable across runs but, as in
// AWS, not guessable from the name by the code under test.
func (s *Server) PutSecret(name, value string) (arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, sec := range s.secrets {
		if sec.name == name {
			sec.value = value
			sec.versions++
			sec.versionID = uuidFrom(fmt.Sprintf("%s#%d", name, sec.versions))
			sec.changed = now
			return sec.arn
		}
	}
	sec := &secret{
		name:      name,
		arn:       fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", Region, Account, name, suffixFrom(name)),
		value:     value,
		versions:  1,
		versionID: uuidFrom(name + "#1"),
		created:   now,
		changed:   now,
	}
	s.secrets = append(s.secrets, sec)
	return sec.arn
}

// findSecret resolves a SecretId the way Secrets Manager does: a name, a
// full ARN, or an ARN without the random suffix.
func (s *Server) findSecret(id string) *secret {
	for _, sec := range s.secrets {
		if id == sec.name || id == sec.arn || id == sec.arn[:len(sec.arn)-len("-XXXXXX")] {
			return sec
		}
	}
	return nil
}

func secretNotFound(message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ResourceNotFoundException", message: message}
}

func validationError(message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationException", message: message}
}

// epoch is the awsJson timestamp encoding: seconds since the epoch, with
// milliseconds as the fraction.
func epoch(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1e3
}

type getSecretValueInput struct {
	SecretID     string `json:"SecretId"`
	VersionID    string `json:"VersionId"`
	VersionStage string
}

type getSecretValueOutput struct {
	ARN           string
	Name          string
	VersionID     string `json:"VersionId"`
	SecretString  string
	VersionStages []string
	CreatedDate   float64
}

func (s *Server) getSecretValue(req *request) (any, *apiError) {
	var in getSecretValueInput
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "SerializationException", message: err.Error()}
	}
	if in.SecretID == "" {
		return nil, validationError("1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null")
	}
	sec := s.findSecret(in.SecretID)
	switch {
	case sec == nil:
		return nil, secretNotFound("Secrets Manager can't find the specified secret.")
	case in.VersionStage != "" && in.VersionStage != "AWSCURRENT":
		return nil, secretNotFound("Secrets Manager can't find the specified secret value for staging label: " + in.VersionStage)
	case in.VersionID != "" && in.VersionID != sec.versionID:
		return nil, secretNotFound("Secrets Manager can't find the specified secret value for VersionId: " + in.VersionID)
	}
	return getSecretValueOutput{
		ARN:           sec.arn,
		Name:          sec.name,
		VersionID:     sec.versionID,
		SecretString:  sec.value,
		VersionStages: []string{"AWSCURRENT"},
		CreatedDate:   epoch(sec.changed),
	}, nil
}

type secretFilter struct {
	Key    string
	Values []string
}

type listSecretsInput struct {
	Filters    []secretFilter
	MaxResults *int
	NextToken  string
	SortOrder  string
}

type secretListEntry struct {
	ARN                    string
	Name                   string
	CreatedDate            float64
	LastChangedDate        float64
	SecretVersionsToStages map[string][]string
}

type listSecretsOutput struct {
	SecretList []secretListEntry
	NextToken  string `json:",omitempty"`
}

// filterKeys are the keys ListSecrets accepts. Only name and all look at
// anything here: the server keeps no descriptions, tags, replicas or owning
// services, so a positive filter on those matches nothing.
var filterKeys = []string{"description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"}

func (s *Server) listSecrets(req *request) (any, *apiError) {
	var in listSecretsInput
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "SerializationException", message: err.Error()}
	}
	maxResults := 0
	if in.MaxResults != nil {
		maxResults = *in.MaxResults
		if maxResults < 1 || maxResults > 100 {
			return nil, validationError(fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' "+
				"failed to satisfy constraint: Member must have value between 1 and 100", maxResults))
		}
	}
	for i, f := range in.Filters {
		if !slices.Contains(filterKeys, f.Key) {
			return nil, validationError(fmt.Sprintf("1 validation error detected: Value '%s' at 'filters.%d.member.key' "+
				"failed to satisfy constraint: Member must satisfy enum value set: [%s]", f.Key, i+1, strings.Join(filterKeys, ", ")))
		}
	}
	offset, ok := parseToken("ListSecrets", in.NextToken)
	if !ok {
		return nil, &apiError{status: http.StatusBadRequest, code: "InvalidNextTokenException",
			message: "The NextToken value is invalid."}
	}

	// Creation order, oldest first, unless the caller asks for "desc".
	var matched []*secret
	for _, sec := range s.secrets {
		if secretMatches(sec, in.Filters) {
			matched = append(matched, sec)
		}
	}
	if in.SortOrder == "desc" {
		slices.Reverse(matched)
	}
	lo, hi, next := page(len(matched), offset, s.pageLen(maxResults))
	out := listSecretsOutput{SecretList: []secretListEntry{}}
	for _, sec := range matched[lo:hi] {
		out.SecretList = append(out.SecretList, secretListEntry{
			ARN:                    sec.arn,
			Name:                   sec.name,
			CreatedDate:            epoch(sec.created),
			LastChangedDate:        epoch(sec.changed),
			SecretVersionsToStages: map[string][]string{sec.versionID: {"AWSCURRENT"}},
		})
	}
	if next >= 0 {
		out.NextToken = nextToken("ListSecrets", next)
	}
	return out, nil
}

// secretMatches applies ListSecrets filters: every filter must match (AND),
// a filter matches when any of its values does (OR), and a value starting
// with "!" matches when the rest does not.
func secretMatches(sec *secret, filters []secretFilter) bool {
	for _, f := range filters {
		ok := false
		for _, v := range f.Values {
			negate := strings.HasPrefix(v, "!")
			v = strings.TrimPrefix(v, "!")
			var hit bool
			switch f.Key {
			case "name":
				hit = strings.HasPrefix(sec.name, v)
			case "all":
				hit = strings.Contains(strings.ToLower(sec.name), strings.ToLower(v))
			}
			if hit != negate {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// suffixFrom makes the six random-looking characters AWS appends to a
// secret's ARN.
func suffixFrom(name string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha256.Sum256([]byte(name))
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(b)
}

// uuidFrom makes a stable UUID-shaped string from seed, for version IDs and
// cluster ARNs that look like AWS's and repeat across runs.
func uuidFrom(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}
