package sigv4

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// TestSignatureAWSExample checks every step against the example AWS documents
// for the SigV4 signing process: an IAM ListUsers request,
// GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08,
// signed on 2015-08-30 at 12:36:00 UTC in us-east-1.
func TestSignatureAWSExample(t *testing.T) {
	const (
		secret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
		amzDate = "20150830T123600Z"

		wantQuery         = "Action=ListUsers&Version=2010-05-08"
		wantRequestHash   = "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
		wantSigningKey    = "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
		wantSignature     = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
		emptyPayloadHash  = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		wantScopeAsString = "20150830/us-east-1/iam/aws4_request"
	)
	scope := Scope{Day: "20150830", Region: "us-east-1", Service: "iam"}

	u, err := url.Parse("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
	if err != nil {
		t.Fatal(err)
	}
	query := CanonicalQuery(u.Query())
	if query != wantQuery {
		t.Errorf("CanonicalQuery = %q, want %q", query, wantQuery)
	}
	canonicalRequest := strings.Join([]string{
		"GET",
		"/",
		query,
		"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:" + amzDate + "\n",
		"content-type;host;x-amz-date",
		emptyPayloadHash,
	}, "\n")

	if got := scope.String(); got != wantScopeAsString {
		t.Errorf("Scope.String() = %q, want %q", got, wantScopeAsString)
	}
	wantStringToSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + wantScopeAsString + "\n" + wantRequestHash
	if got := StringToSign(amzDate, scope, canonicalRequest); got != wantStringToSign {
		t.Errorf("StringToSign =\n%s\nwant\n%s", got, wantStringToSign)
	}
	if got := hex.EncodeToString(SigningKey(secret, scope)); got != wantSigningKey {
		t.Errorf("SigningKey = %s, want %s", got, wantSigningKey)
	}
	if got := Signature(secret, amzDate, scope, canonicalRequest); got != wantSignature {
		t.Errorf("Signature = %s, want %s", got, wantSignature)
	}
}

func TestURIEncode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"AZaz09-_.~", "AZaz09-_.~"},
		{"a b", "a%20b"},
		{"a+b", "a%2Bb"},
		{"kafka-cluster:Connect", "kafka-cluster%3AConnect"},
		{"AKID/20240101/eu-west-1/kafka-cluster/aws4_request", "AKID%2F20240101%2Feu-west-1%2Fkafka-cluster%2Faws4_request"},
		{"session/token==", "session%2Ftoken%3D%3D"},
		{"*!'()$&,;?@#%[]", "%2A%21%27%28%29%24%26%2C%3B%3F%40%23%25%5B%5D"},
		{"é\x00\xff", "%C3%A9%00%FF"},
	} {
		if got := URIEncode(tc.in); got != tc.want {
			t.Errorf("URIEncode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// queryEscape20 is url.QueryEscape with %20 for a space, the usual way to get
// SigV4's encoding from the standard library; URIEncode must agree with it.
func queryEscape20(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func TestURIEncodeMatchesQueryEscape(t *testing.T) {
	var all strings.Builder
	for c := range 256 {
		s := string([]byte{byte(c)})
		if got, want := URIEncode(s), queryEscape20(s); got != want {
			t.Errorf("URIEncode(%q) = %q, url.QueryEscape with %%20 gives %q", s, got, want)
		}
		all.WriteByte(byte(c))
	}
	if got, want := URIEncode(all.String()), queryEscape20(all.String()); got != want {
		t.Errorf("URIEncode of all bytes = %q, url.QueryEscape with %%20 gives %q", got, want)
	}
}

func FuzzURIEncodeMatchesQueryEscape(f *testing.F) {
	for _, s := range []string{"", "a b+c", "x/y=z&w", "ünï cødé", "\x00\x7f\x80\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := URIEncode(s), queryEscape20(s); got != want {
			t.Errorf("URIEncode(%q) = %q, url.QueryEscape with %%20 gives %q", s, got, want)
		}
	})
}

func TestCanonicalQuery(t *testing.T) {
	for _, tc := range []struct {
		name     string
		q        url.Values
		unsigned []string
		want     string
	}{
		{"empty", nil, nil, ""},
		{"sorted by name", url.Values{"b": {"1"}, "a": {"2"}, "C": {"3"}}, nil, "C=3&a=2&b=1"},
		{"repeated name sorted by value", url.Values{"k": {"z", "a", "m"}}, nil, "k=a&k=m&k=z"},
		{"empty value kept", url.Values{"k": {""}}, nil, "k="},
		{"encoded before sorting", url.Values{"a b": {"1"}, "a-b": {"2"}, "a~b": {"3"}}, nil, "a%20b=1&a-b=2&a~b=3"},
		{"values encoded", url.Values{"Action": {"kafka-cluster:Connect"}, "t": {"x y+z"}}, nil, "Action=kafka-cluster%3AConnect&t=x%20y%2Bz"},
		{
			"unsigned parameters left out",
			url.Values{"X-Amz-Signature": {"abc"}, "User-Agent": {"signer/1.0"}, "X-Amz-Date": {"20240101T000000Z"}},
			[]string{"X-Amz-Signature", "User-Agent"},
			"X-Amz-Date=20240101T000000Z",
		},
		{"unsigned names are exact", url.Values{"user-agent": {"x"}}, []string{"User-Agent"}, "user-agent=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CanonicalQuery(tc.q, tc.unsigned...); got != tc.want {
				t.Errorf("CanonicalQuery = %q, want %q", got, tc.want)
			}
		})
	}
}
