// Package sigv4 is the AWS Signature Version 4 arithmetic shared by the test
// servers that check signatures: the URI encoding, the canonical query string,
// the signing-key derivation and the signature of a canonical request.
//
// It exists so that there is one SigV4 implementation for the test servers,
// and it is written from the SigV4 specification rather than built on the AWS
// SDK's signer: a server that recomputed signatures with the SDK would agree
// with the SDK by construction, and tests against it could not catch a signer
// bug or a request the SDK signs differently from AWS. What to check in a
// request, how to parse it and how to refuse it stays with each server.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
)

// Algorithm is the name of the SigV4 signing algorithm, as it appears in
// Authorization headers, X-Amz-Algorithm and the string to sign.
const Algorithm = "AWS4-HMAC-SHA256"

// terminator ends every credential scope.
const terminator = "aws4_request"

// Scope is a credential scope without its access key and terminator: the day
// a signature was made, and the region and service it is valid for.
type Scope struct {
	Day     string // yyyymmdd
	Region  string
	Service string
}

// String returns the scope as it appears in the string to sign:
// DAY/REGION/SERVICE/aws4_request.
func (s Scope) String() string {
	return s.Day + "/" + s.Region + "/" + s.Service + "/" + terminator
}

// URIEncode percent-encodes everything but the RFC 3986 unreserved characters
// (A-Z a-z 0-9 - _ . ~), byte by byte with upper-case hex, as SigV4 requires.
// url.QueryEscape differs only in writing a space as '+' instead of %20.
func URIEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}

// CanonicalQuery returns SigV4's canonical query string of q: every name and
// value URI-encoded, the pairs sorted by encoded name then encoded value and
// joined with '&'. Sorting after encoding is why this is not url.Values.Encode.
// Parameters named in unsigned (the signature of a presigned URL, say, or
// anything added after signing) are left out.
func CanonicalQuery(q url.Values, unsigned ...string) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range q {
		if slices.Contains(unsigned, k) {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, pair{URIEncode(k), URIEncode(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// SigningKey derives the key that signs for scope from a secret access key:
// HMAC-SHA256 chained over "AWS4"+secret, the day, the region, the service
// and "aws4_request".
func SigningKey(secret string, scope Scope) []byte {
	key := hmacSHA256([]byte("AWS4"+secret), scope.Day)
	key = hmacSHA256(key, scope.Region)
	key = hmacSHA256(key, scope.Service)
	return hmacSHA256(key, terminator)
}

// StringToSign returns the string SigV4 signs for a canonical request made at
// amzDate (yyyymmddThhmmssZ) within scope: the algorithm, amzDate, the scope
// and the hex SHA-256 of the canonical request, one per line.
func StringToSign(amzDate string, scope Scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + amzDate + "\n" + scope.String() + "\n" + hex.EncodeToString(sum[:])
}

// Signature returns the lower-case hex SigV4 signature of canonicalRequest,
// made at amzDate within scope with the given secret access key.
func Signature(secret, amzDate string, scope Scope, canonicalRequest string) string {
	mac := hmacSHA256(SigningKey(secret, scope), StringToSign(amzDate, scope, canonicalRequest))
	return hex.EncodeToString(mac)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
