package auth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
)

// Without credentials the SDK ends at the instance metadata service; when
// that refuses a session token, the SDK warns "falling back to IMDSv1" on
// its own. Nothing may reach stderr but mskx's own words: under the terminal
// UI a stray line writes over the screen.
func TestNoCredentialsWriteNothingToStderr(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	defer imds.Close()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED"} {
		os.Unsetenv(k) // Env registered their restore
	}
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = stderr }()
	cfg, err := auth.LoadAWS(ctxT(t), auth.Config{})
	if err == nil {
		_, err = auth.WhoAmI(ctxT(t), cfg)
	}
	os.Stderr = stderr
	w.Close()
	written, _ := io.ReadAll(r)
	if err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("no credentials: %v, want an error about credentials", err)
	}
	if len(written) > 0 {
		t.Errorf("the SDK wrote to stderr: %q", written)
	}
}
