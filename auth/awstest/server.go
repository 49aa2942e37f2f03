// Package awstest runs an in-process stand-in for the AWS APIs mskx calls, so
// that the real aws-sdk-go-v2 clients can be exercised end to end without a
// network or an AWS account.
//
// One server answers Secrets Manager (awsJson1_1), STS (awsQuery) and the MSK
// control plane (restJson1) on a single 127.0.0.1 URL, because the SDK sends
// every service to the one AWS_ENDPOINT_URL that [Server.Env] sets. Requests
// are told apart by their shape: an X-Amz-Target header means awsJson, a form
// body means awsQuery, anything else is matched against the MSK REST routes.
// Answers and errors use the wire formats the services send, so the SDK's own
// deserializers produce the same typed errors and fields as against AWS.
//
// Every request must be SigV4 signed by a known access key: the base user's
// keys ([AccessKeyID], [SecretAccessKey]) or keys handed out by AssumeRole.
// The server checks that the Authorization header is well formed, that the
// key is known and not expired, that X-Amz-Security-Token matches the key's
// session token (none for the base keys), that the credential scope names the
// service the request was routed to, and that the signature recomputed from
// the request and the key's secret matches. It does not check the signing
// time against the clock, nor the region in the scope (any region is
// accepted), and it knows no IAM policies: every known identity may do
// everything except what [Server.Deny] forbids.
package awstest

import (
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fixed identity of the stand-in account. Tests may compare against these.
const (
	// Region is the region [Server.Env] configures.
	Region = "us-east-1"
	// Account is the account every ARN the server makes belongs to.
	Account = "123456789012"
	// AccessKeyID is the base user's access key, the one [Server.Env] exports.
	AccessKeyID = "AKIDMSKXTEST"
	// SecretAccessKey is the base user's secret key.
	SecretAccessKey = "mskxTestSecretAccessKey/0123456789abcdef"
	// UserARN is the base user's identity, as GetCallerIdentity reports it
	// and as access-denied messages name it.
	UserARN = "arn:aws:iam::" + Account + ":user/test"
	// UserID is the base user's unique ID.
	UserID = "AIDAMSKXTESTUSER00001"
)

// defaultPageSize is what list operations return per page when neither the
// caller's MaxResults nor [Server.SetPageSize] asks for fewer; 100 is the
// largest page Secrets Manager and MSK hand out.
const defaultPageSize = 100

// Server is the stand-in. Its methods are safe for concurrent use, also
// while the SDK is calling it.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:PORT.
	URL string

	mu       sync.Mutex
	keys     map[string]*Identity
	secrets  []*secret
	clusters []*cluster
	denied   map[string]bool
	faults   map[string]Fault
	calls    map[string]int
	pageSize int
	assume   assumeConfig
	issued   int // AssumeRole calls that handed out keys, for unique keys
	requests int // for request IDs
}

// Identity is what the server knows about one access key. The base user's
// keys and every key pair AssumeRole handed out have one.
type Identity struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is empty for the base user's long-term keys.
	SessionToken string
	// ARN is the IAM user ARN, or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	// for assumed-role keys.
	ARN string
	// UserID is the unique ID GetCallerIdentity reports: AIDA... for the
	// user, AROA...:SESSION for an assumed role.
	UserID string
	// Expires is zero for keys that do not expire.
	Expires time.Time
}

// Fault is an error an operation answers with instead of its result, in the
// wire shape of that operation's protocol, so the SDK decodes it as it would
// the same error from AWS (a modelled code becomes the SDK's typed error).
type Fault struct {
	// Status is the HTTP status; 400 when zero.
	Status int
	// Code is the error code, e.g. "ForbiddenException", "ThrottlingException".
	Code string
	// Message is the error message.
	Message string
}

// New starts a server on 127.0.0.1 and closes it when t's test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		keys:   map[string]*Identity{},
		denied: map[string]bool{},
		faults: map[string]Fault{},
		calls:  map[string]int{},
	}
	s.keys[AccessKeyID] = &Identity{
		AccessKeyID:     AccessKeyID,
		SecretAccessKey: SecretAccessKey,
		ARN:             UserARN,
		UserID:          UserID,
	}
	// Bound explicitly to the IPv4 loopback: httptest would fall back to
	// [::1], and nothing outside this machine may reach the server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("awstest: listen: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// unsetEnv lists what could make the SDK's default chain find other
// credentials, another endpoint or another region than the ones Env sets.
var unsetEnv = []string{
	"AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION",
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_ENDPOINT_URL_STS",
	"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_KAFKA",
	"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_CA_BUNDLE",
	"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_AUTH_SCHEME_PREFERENCE",
	"AWS_ACCOUNT_ID", "AWS_ACCOUNT_ID_ENDPOINT_MODE",
}

// Env points the SDK's default configuration at the server for the rest of
// t's test: AWS_ENDPOINT_URL is the server, the region is [Region], the
// credentials are the base user's keys, the shared config and credentials
// files are empty files in t.TempDir(), and EC2 instance metadata is off, so
// config.LoadDefaultConfig finds exactly these keys and never reaches the
// network. Like t.Setenv, it cannot be used in parallel tests.
func (s *Server) Env(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	configFile := filepath.Join(dir, "config")
	credentialsFile := filepath.Join(dir, "credentials")
	for _, f := range []string{configFile, credentialsFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatalf("awstest: %v", err)
		}
	}
	for _, k := range unsetEnv {
		t.Setenv(k, "") // registers the restore
		if err := os.Unsetenv(k); err != nil {
			t.Fatalf("awstest: unset %s: %v", k, err)
		}
	}
	t.Setenv("AWS_ENDPOINT_URL", s.URL)
	t.Setenv("AWS_REGION", Region)
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretAccessKey)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentialsFile)
}

// Deny makes operation (e.g. "GetSecretValue", "AssumeRole",
// "ListClustersV2") answer access denied, in that service's shape, to every
// caller: AccessDeniedException for Secrets Manager and MSK, AccessDenied for
// STS.
func (s *Server) Deny(operation string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[operation] = true
}

// Allow undoes [Server.Deny].
func (s *Server) Allow(operation string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.denied, operation)
}

// Fail makes operation answer f until Fail is called again with a zero
// Fault. The SDK retries throttling codes and 5xx statuses, which
// [Server.Calls] will show.
func (s *Server) Fail(operation string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults, operation)
		return
	}
	s.faults[operation] = f
}

// Calls reports how many requests named operation, refused ones included,
// so a test can prove that a result was cached. Operation names are the
// API's ("AssumeRole", "ListClustersV2"); a request matching no MSK route
// counts under its method and path, e.g. "GET /v1/clusters".
func (s *Server) Calls(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[operation]
}

// SetPageSize caps how many items one page of ListSecrets, ListClustersV2
// and ListScramSecrets holds, below the caller's MaxResults, as the services
// may; n <= 0 restores the default of 100. Small pages prove that a caller
// follows NextToken.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Identity returns what the server knows about an access key, so that a
// stand-in for the MSK IAM authenticator can check a token signed with keys
// the server handed out.
func (s *Server) Identity(accessKeyID string) (Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.keys[accessKeyID]
	if !ok {
		return Identity{}, false
	}
	return *id, true
}

// protocol is the wire format an operation speaks; errors take its shape.
type protocol int

const (
	awsJSON  protocol = iota + 1 // Secrets Manager
	awsQuery                     // STS
	restJSON                     // MSK
)

// apiError is an error answer before it is put into a protocol's shape.
type apiError struct {
	status  int
	code    string
	message string
	// param is MSK's invalidParameter; restJson only.
	param string
}

// request is one routed call, as the operation handlers see it.
type request struct {
	r         *http.Request
	body      []byte
	proto     protocol
	service   string // signing name the credential scope must carry
	operation string
	caller    Identity
	id        string
	params    map[string]string // parsed form (awsQuery) or path labels (MSK)
}

// handler answers one operation: a JSON or XML value to send with 200, or an
// error. It runs with s.mu held.
type handler func(s *Server, req *request) (any, *apiError)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := &request{r: r, body: body}
	h, unknown := route(req)

	s.mu.Lock()
	s.requests++
	req.id = requestID(s.requests)
	s.calls[req.operation]++
	// An unknown operation is named before the signature is looked at: the
	// credential scope of a service this server does not know would
	// otherwise hide what the test needs to see.
	var out any
	apiErr := unknown
	if h != nil {
		apiErr = s.authenticate(req)
		if apiErr == nil {
			apiErr = s.policy(req)
		}
		if apiErr == nil {
			out, apiErr = h(s, req)
		}
	}
	s.mu.Unlock()

	if apiErr != nil {
		writeError(w, req, apiErr)
		return
	}
	writeResult(w, req, out)
}

// route decides protocol and operation from the request's shape. A nil
// handler comes with the error naming what is not implemented.
func route(req *request) (handler, *apiError) {
	r := req.r
	if target := r.Header.Get("X-Amz-Target"); target != "" && r.Method == http.MethodPost {
		req.proto = awsJSON
		service, op, _ := strings.Cut(target, ".")
		req.operation = op
		if service == "secretsmanager" {
			req.service = "secretsmanager"
			if h, ok := secretsManagerOps[op]; ok {
				return h, nil
			}
		}
		return nil, &apiError{status: http.StatusBadRequest, code: "UnknownOperationException",
			message: fmt.Sprintf("The operation %s is not implemented by the awstest server.", target)}
	}
	if isForm(r) && r.Method == http.MethodPost {
		req.proto = awsQuery
		return routeSTS(req)
	}
	req.proto = restJSON
	return routeMSK(req)
}

func isForm(r *http.Request) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

// policy applies Fail and Deny, in that order, after authentication, as AWS
// evaluates IAM only for a caller it has recognised.
func (s *Server) policy(req *request) *apiError {
	if f, ok := s.faults[req.operation]; ok {
		status := f.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		return &apiError{status: status, code: f.Code, message: f.Message}
	}
	if !s.denied[req.operation] {
		return nil
	}
	action := req.service + ":" + req.operation
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s", req.caller.ARN, action)
	if res := deniedResource(req); res != "" {
		msg += " on resource: " + res
	}
	msg += " because no identity-based policy allows the " + action + " action"
	switch req.proto {
	case awsQuery:
		return &apiError{status: http.StatusForbidden, code: "AccessDenied", message: msg}
	case restJSON:
		return &apiError{status: http.StatusForbidden, code: "AccessDeniedException", message: msg}
	default:
		return &apiError{status: http.StatusBadRequest, code: "AccessDeniedException", message: msg}
	}
}

// deniedResource names the resource an access-denied message mentions, as
// IAM does: the one the request targets, or none for list actions.
func deniedResource(req *request) string {
	switch req.operation {
	case "GetSecretValue":
		return jsonString(req.body, "SecretId")
	case "AssumeRole":
		return req.params["RoleArn"]
	case "GetCallerIdentity":
		return req.caller.ARN
	case "ListClustersV2":
		return "arn:aws:kafka:" + Region + ":" + Account + ":/api/v2/clusters"
	case "GetBootstrapBrokers", "ListScramSecrets":
		return req.params["clusterArn"]
	}
	return ""
}

// requestID makes a UUID-shaped, deterministic request ID.
func requestID(n int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
}

// pageLen is the page length for a caller asking for maxResults (0: any).
func (s *Server) pageLen(maxResults int) int {
	n := s.pageSize
	if n <= 0 {
		n = defaultPageSize
	}
	if maxResults > 0 && maxResults < n {
		n = maxResults
	}
	return n
}

// nextToken makes an opaque token for the page starting at offset; the
// operation name is inside so that a token cannot be replayed elsewhere.
func nextToken(operation string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(operation + ":" + strconv.Itoa(offset)))
}

// parseToken undoes nextToken; "" is the first page.
func parseToken(operation, token string) (int, bool) {
	if token == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	op, off, ok := strings.Cut(string(raw), ":")
	n, err := strconv.Atoi(off)
	if !ok || op != operation || err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// page cuts [offset, offset+size) out of n items and says where the next
// page starts, or -1 when this is the last one.
func page(n, offset, size int) (lo, hi, next int) {
	lo = min(offset, n)
	hi = min(lo+size, n)
	next = -1
	if hi < n {
		next = hi
	}
	return lo, hi, next
}
