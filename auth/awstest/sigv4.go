package awstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/mskx/mskx/internal/sigv4"
)

// authFailure is why a request's signature was refused; each protocol
// spells each reason differently.
type authFailure int

const (
	authMissing authFailure = iota + 1
	authIncomplete
	authInvalidToken
	authExpired
	authBadSignature
)

// authErrors holds the error each service answers for each refusal.
var authErrors = map[protocol]map[authFailure]apiError{
	awsJSON: {
		authMissing:      {status: http.StatusBadRequest, code: "MissingAuthenticationTokenException", message: "Missing Authentication Token"},
		authIncomplete:   {status: http.StatusBadRequest, code: "IncompleteSignatureException"},
		authInvalidToken: {status: http.StatusBadRequest, code: "UnrecognizedClientException", message: msgInvalidToken},
		authExpired:      {status: http.StatusBadRequest, code: "ExpiredTokenException", message: msgExpired},
		authBadSignature: {status: http.StatusBadRequest, code: "InvalidSignatureException", message: msgBadSignature},
	},
	awsQuery: {
		authMissing:      {status: http.StatusForbidden, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token"},
		authIncomplete:   {status: http.StatusBadRequest, code: "IncompleteSignature"},
		authInvalidToken: {status: http.StatusForbidden, code: "InvalidClientTokenId", message: msgInvalidToken},
		authExpired:      {status: http.StatusBadRequest, code: "ExpiredToken", message: msgExpired},
		authBadSignature: {status: http.StatusForbidden, code: "SignatureDoesNotMatch", message: msgBadSignature},
	},
	restJSON: {
		authMissing:      {status: http.StatusForbidden, code: "MissingAuthenticationTokenException", message: "Missing Authentication Token"},
		authIncomplete:   {status: http.StatusForbidden, code: "IncompleteSignatureException"},
		authInvalidToken: {status: http.StatusForbidden, code: "UnrecognizedClientException", message: msgInvalidToken},
		authExpired:      {status: http.StatusForbidden, code: "ExpiredTokenException", message: msgExpired},
		authBadSignature: {status: http.StatusForbidden, code: "InvalidSignatureException", message: msgBadSignature},
	},
}

const (
	msgInvalidToken = "The security token included in the request is invalid."
	msgExpired      = "The security token included in the request is expired"
	msgBadSignature = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func refuse(req *request, why authFailure, detail string) *apiError {
	e := authErrors[req.proto][why]
	if detail != "" {
		e.message = detail
	}
	return &e
}

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID   string
	date          string // yyyymmdd of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

func parseAuthorization(h string) (authorization, string) {
	var a authorization
	rest, ok := strings.CutPrefix(h, sigv4.Algorithm+" ")
	if !ok {
		return a, "Authorization header requires the " + sigv4.Algorithm + " algorithm."
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return a, "Credential should be AKID/DATE/REGION/SERVICE/aws4_request, got: " + v
			}
			a.accessKeyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	switch {
	case a.accessKeyID == "":
		return a, "Authorization header requires 'Credential' parameter."
	case len(a.signedHeaders) == 0:
		return a, "Authorization header requires 'SignedHeaders' parameter."
	case a.signature == "":
		return a, "Authorization header requires 'Signature' parameter."
	}
	return a, ""
}

// authenticate checks the request's SigV4 signature against the keys the
// server knows and records who the caller is; see the package comment for
// what is and is not checked.
func (s *Server) authenticate(req *request) *apiError {
	h := req.r.Header.Get("Authorization")
	if h == "" {
		return refuse(req, authMissing, "")
	}
	a, problem := parseAuthorization(h)
	if problem != "" {
		return refuse(req, authIncomplete, problem)
	}
	id, ok := s.keys[a.accessKeyID]
	if !ok || req.r.Header.Get("X-Amz-Security-Token") != id.SessionToken {
		return refuse(req, authInvalidToken, "")
	}
	if !id.Expires.IsZero() && time.Now().After(id.Expires) {
		return refuse(req, authExpired, "")
	}
	if a.service != req.service {
		return refuse(req, authBadSignature, "Credential should be scoped to correct service: '"+req.service+"'. ")
	}
	amzDate := req.r.Header.Get("X-Amz-Date")
	if !strings.HasPrefix(amzDate, a.date) {
		return refuse(req, authIncomplete, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.")
	}
	scope := sigv4.Scope{Day: a.date, Region: a.region, Service: a.service}
	want := sigv4.Signature(id.SecretAccessKey, amzDate, scope, canonicalRequest(req, a.signedHeaders))
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return refuse(req, authBadSignature, "")
	}
	req.caller = *id
	return nil
}

// canonicalRequest rebuilds the SigV4 canonical request from what arrived,
// taking only the headers the client says it signed: Go's transport adds
// some (Accept-Encoding) after signing.
func canonicalRequest(req *request, signed []string) string {
	r := req.r
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	// The SDK escapes the already escaped path once more (labels such as an
	// MSK cluster ARN are thus double encoded), except for S3.
	b.WriteString(httpbinding.EscapePath(path, false))
	b.WriteByte('\n')
	b.WriteString(sigv4.CanonicalQuery(r.URL.Query()))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		switch name {
		case "host":
			b.WriteString(r.Host)
		case "content-length":
			b.WriteString(strconv.FormatInt(r.ContentLength, 10))
		default:
			values := r.Header.Values(name)
			for i, v := range values {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strings.Join(strings.Fields(v), " "))
			}
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(req.body)
		payload = hex.EncodeToString(sum[:])
	}
	b.WriteString(payload)
	return b.String()
}
