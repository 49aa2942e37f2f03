package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mskx/mskx/auth"
)

func sample() File {
	var f File
	f.Settings = Settings{Theme: "light", MaxFPS: 20, RingSize: 5000, ReadOnly: true}
	f.Put(Connection{Name: "prod", Mode: auth.IAM, Region: "eu-west-1", Profile: "ops",
		RoleARN:    "arn:aws:iam::123456789012:role/reader",
		Brokers:    []string{"b-1.prod.abc.c2.kafka.eu-west-1.amazonaws.com:9098", "b-2.prod.abc.c2.kafka.eu-west-1.amazonaws.com:9098"},
		ClusterARN: "arn:aws:kafka:eu-west-1:123456789012:cluster/prod/1234"})
	f.Put(Connection{Name: "stage", Mode: auth.SCRAM, Brokers: []string{"b-1.stage:9096"},
		Secret: "AmazonMSK_stage", SCRAMMechanism: auth.ScramSHA512, CAFile: "/etc/ca.pem", InsecureSkipVerify: true})
	return f
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mskx")
	path := filepath.Join(dir, "config.yaml")
	want := sample()
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	for p, mode := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), mode)
		}
	}
	// Saving again replaces the file and leaves no temporary file behind.
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only config.yaml", len(entries))
	}
}

func TestSaveNeverWritesPassword(t *testing.T) {
	const password = "hunter2-very-secret"
	a := auth.Config{Mode: auth.SCRAM, Brokers: []string{"b-1:9096"}, User: "alice", Password: password}
	var f File
	f.Put(FromAuthConfig("dev", a))
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(password)) {
		t.Fatalf("saved file contains the password:\n%s", data)
	}
	c, _ := f.Get("dev")
	if back := c.AuthConfig(); back.User != "alice" || back.Password != "" {
		t.Errorf("AuthConfig = %+v, want user alice and no password", back)
	}
}

func TestSaveRefusesSecretValue(t *testing.T) {
	var f File
	f.Put(Connection{Name: "dev", Mode: auth.SCRAM, Secret: `{"username":"u","password":"p"}`})
	path := filepath.Join(t.TempDir(), "config.yaml")
	err := Save(path, f)
	if err == nil || !strings.Contains(err.Error(), `"dev"`) {
		t.Fatalf("Save = %v, want an error naming the connection", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a file was written")
	}
}

func TestAuthConfigRoundTrip(t *testing.T) {
	a := auth.Config{Mode: auth.SCRAM, Brokers: []string{"h:9094"}, Region: "us-east-1", Profile: "p",
		RoleARN: "arn:aws:iam::123456789012:role/r", Secret: "AmazonMSK_x", User: "u",
		SCRAMMechanism: auth.ScramSHA256, CAFile: "ca", CertFile: "crt", KeyFile: "key",
		InsecureSkipVerify: true, ClusterARN: "arn:aws:kafka:us-east-1:123456789012:cluster/c/1"}
	c := FromAuthConfig("x", a)
	if got := c.AuthConfig(); !reflect.DeepEqual(got, a) {
		t.Fatalf("got %+v\nwant %+v", got, a)
	}
	// Normalize fills a SCRAM mechanism in for every mode; an IAM entry
	// should not read as if one had been chosen.
	a.Mode = auth.IAM
	if c := FromAuthConfig("x", a); c.SCRAMMechanism != "" {
		t.Errorf("an IAM connection saved SCRAM mechanism %q", c.SCRAMMechanism)
	}
	c.Brokers[0] = "changed:1" // Normalize edits brokers in place; the copy must not share them
	if a.Brokers[0] != "h:9094" {
		t.Error("FromAuthConfig shares the brokers slice")
	}
}

func TestLoadMissingFile(t *testing.T) {
	f, err := Load(filepath.Join(t.TempDir(), "nope", "config.yaml"))
	if err != nil || !reflect.DeepEqual(f, File{}) {
		t.Fatalf("Load = %+v, %v; want zero File, nil", f, err)
	}
}

func writeFile(t *testing.T, body string, perm os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), perm); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"unknown key", "connections:\n  - name: prod\n    pasword: x\n", `line 3: unknown key "pasword"`},
		{"unknown top key", "setings:\n  theme: dark\n", `line 1: unknown key "setings"`},
		{"bad mode", "connections:\n  - name: prod\n    mode: kerberos\n", `connection "prod" has an unknown mode "kerberos"`},
		{"bad theme", "settings:\n  theme: neon\n", `unknown theme "neon"`},
		{"bad mechanism", "connections:\n  - name: s\n    scram_mechanism: MD5\n", `connection "s" has an unknown scram_mechanism`},
		{"no name", "connections:\n  - mode: iam\n", "connection 1 has no name"},
		{"duplicate", "connections:\n  - name: a\n  - name: a\n", `two connections are named "a"`},
		{"negative", "settings:\n  max_fps: -1\n", "cannot be negative"},
		{"syntax", "connections: [\n", "line 1: did not find expected node content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.body, 0o600))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestLoadCanonicalisesAndTolerates(t *testing.T) {
	// World-readable is fine: the file holds no secrets. Empty lists and
	// upper-case names are what a hand edit produces.
	path := writeFile(t, "settings:\n  theme: Dark\nconnections:\n  - name: p\n    mode: IAM\n    brokers: []\nlast: p\n", 0o644)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := File{Settings: Settings{Theme: "dark"}, Connections: []Connection{{Name: "p", Mode: auth.IAM}}, Last: "p"}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("got %+v, want %+v", f, want)
	}
	if f, err := Load(writeFile(t, "", 0o600)); err != nil || !reflect.DeepEqual(f, File{}) {
		t.Fatalf("empty file: %+v, %v", f, err)
	}
}

func TestDefaultPath(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/home/u"}, "/x/mskx/config.yaml"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.config/mskx/config.yaml"},
		{map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/home/u"}, "/home/u/.config/mskx/config.yaml"},
	} {
		got, err := DefaultPath(func(k string) string { return tc.env[k] })
		if err != nil || got != filepath.FromSlash(tc.want) {
			t.Errorf("%v: %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
	if _, err := DefaultPath(func(string) string { return "" }); err == nil {
		t.Error("no HOME and no XDG_CONFIG_HOME: want an error")
	}
}

func TestPutReplacesByName(t *testing.T) {
	f := sample()
	f.Put(Connection{Name: "prod", Mode: auth.TLS})
	if len(f.Connections) != 2 || f.Last != "prod" {
		t.Fatalf("got %d connections, last %q; want 2, prod", len(f.Connections), f.Last)
	}
	if c, ok := f.Get("prod"); !ok || c.Mode != auth.TLS || f.Connections[0].Name != "prod" {
		t.Errorf("prod = %+v, %v; want replaced in place with mode tls", c, ok)
	}
	if _, ok := f.Get("missing"); ok {
		t.Error("Get(missing) found something")
	}
}

// FuzzLoad checks that no input panics, and that whatever loads survives a
// save and load unchanged, so Save can never write a file Load rejects.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"",
		"settings:\n  theme: mono\n  max_fps: 30\nconnections:\n  - name: a\n    mode: scram\n    secret: AmazonMSK_a\nlast: a\n",
		"connections:\n  - name: a\n    brokers: [h:1, h:2]\n    insecure_skip_verify: true\n",
		"connections: {}\n",
		"- - - [\n",
		"&a [*a]\n",
		"settings: !!binary aGVsbG8=\n",
	} {
		f.Add([]byte(seed))
	}
	f.Add([]byte("settings:\n  theme: \"\\e[31mred\"\n"))
	f.Add([]byte("connections:\n  - name: \"\\e]0;x\\a\"\n    mode: \"\\u202eiam\"\n"))
	f.Add([]byte("\x1b[2J: 1\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decode(data)
		if err != nil {
			// mskx prints it as a warning on one line of the terminal.
			if why := unsafeLine(err.Error()); why != "" {
				t.Fatalf("decode(%q): error %q has %s", data, err, why)
			}
			return
		}
		path := filepath.Join(dir, "config.yaml")
		if err := Save(path, got); err != nil {
			t.Fatalf("Save of a loaded file: %v", err)
		}
		again, err := Load(path)
		if err != nil {
			t.Fatalf("Load of a saved file: %v", err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("round trip changed the file:\n got %+v\nwant %+v", again, got)
		}
	})
}

func TestSaveWritesThroughSymlink(t *testing.T) {
	// Dotfile managers link config.yaml into a repository; the link must survive.
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real.yaml"), filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(real, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	if err := Save(link, sample()); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("config.yaml is no longer a symlink: %v", err)
	}
	if f, err := Load(real); err != nil || !reflect.DeepEqual(f, sample()) {
		t.Fatalf("target: %+v, %v", f, err)
	}
}

// unsafeLine says why s is not one line that is safe to print on a
// terminal, or "".
func unsafeLine(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n':
			return "a second line"
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return "a control character"
		case unicode.Is(unicode.Bidi_Control, r):
			return "a bidi control"
		}
	}
	return ""
}
