// Package config reads and writes mskx's settings and saved connections in
// $XDG_CONFIG_HOME/mskx/config.yaml. The file never holds a secret value: a
// connection names its Secrets Manager secret, and a typed password lives only
// in memory, so the file can be shared, versioned or left world-readable.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/themes"
)

// File is the whole config file. Its zero value is what a missing file means.
type File struct {
	Settings    Settings     `yaml:"settings,omitempty"`
	Connections []Connection `yaml:"connections,omitempty"`
	// Last is the name of the connection used last, offered first at login.
	Last string `yaml:"last,omitempty"`
}

// Settings tune the UI. A zero field means the built-in default, so a file
// written by an older mskx keeps working when defaults change.
type Settings struct {
	// Theme is a themes name (dark, light, high-contrast, mono).
	Theme string `yaml:"theme,omitempty"`
	// MaxFPS caps how often the UI redraws while data flows; a lower cap
	// sends less over slow Session Manager links.
	MaxFPS int `yaml:"max_fps,omitempty"`
	// RingSize is how many records the tail keeps in memory.
	RingSize int `yaml:"ring_size,omitempty"`
	// ReadOnly hides producing and other writes to the cluster.
	ReadOnly bool `yaml:"read_only,omitempty"`
}

// Connection is a named auth.Config without its password. There is
// deliberately no password field: a secret cannot be saved by mistake if the
// type has nowhere to put it.
type Connection struct {
	Name    string    `yaml:"name"`
	Mode    auth.Mode `yaml:"mode,omitempty"`
	Brokers []string  `yaml:"brokers,omitempty"`
	Region  string    `yaml:"region,omitempty"`
	Profile string    `yaml:"profile,omitempty"`
	RoleARN string    `yaml:"role_arn,omitempty"`
	// Secret is the Secrets Manager secret's name or ARN, never its value.
	Secret             string `yaml:"secret,omitempty"`
	User               string `yaml:"user,omitempty"`
	SCRAMMechanism     string `yaml:"scram_mechanism,omitempty"`
	CAFile             string `yaml:"ca_file,omitempty"`
	CertFile           string `yaml:"cert_file,omitempty"`
	KeyFile            string `yaml:"key_file,omitempty"`
	ClusterARN         string `yaml:"cluster_arn,omitempty"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify,omitempty"`
}

// FromAuthConfig names a copy of a; its Password is dropped.
func FromAuthConfig(name string, a auth.Config) Connection {
	return Connection{
		Name: name, Mode: a.Mode, Brokers: clone(a.Brokers), Region: a.Region,
		Profile: a.Profile, RoleARN: a.RoleARN, Secret: a.Secret, User: a.User,
		SCRAMMechanism: scramMechanism(a), CAFile: a.CAFile, CertFile: a.CertFile,
		KeyFile: a.KeyFile, ClusterARN: a.ClusterARN, InsecureSkipVerify: a.InsecureSkipVerify,
	}
}

// scramMechanism is a's mechanism when it uses SCRAM: Normalize fills in a
// default for every mode, which would read as a choice in an IAM entry.
func scramMechanism(a auth.Config) string {
	if a.Mode != auth.SCRAM {
		return ""
	}
	return a.SCRAMMechanism
}

// AuthConfig returns the connection as an auth.Config with no Password; the
// caller fills it from the environment or a prompt, then calls Normalize.
func (c Connection) AuthConfig() auth.Config {
	return auth.Config{
		Mode: c.Mode, Brokers: clone(c.Brokers), Region: c.Region,
		Profile: c.Profile, RoleARN: c.RoleARN, Secret: c.Secret, User: c.User,
		SCRAMMechanism: c.SCRAMMechanism, CAFile: c.CAFile, CertFile: c.CertFile,
		KeyFile: c.KeyFile, ClusterARN: c.ClusterARN, InsecureSkipVerify: c.InsecureSkipVerify,
	}
}

// clone keeps a Connection and the auth.Config it came from from sharing a
// backing array: Normalize trims brokers in place.
func clone(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// Put adds c, or replaces the connection with the same name, and makes it Last.
func (f *File) Put(c Connection) {
	f.Last = c.Name
	for i := range f.Connections {
		if f.Connections[i].Name == c.Name {
			f.Connections[i] = c
			return
		}
	}
	f.Connections = append(f.Connections, c)
}

// Get returns the connection with the given name.
func (f File) Get(name string) (Connection, bool) {
	for _, c := range f.Connections {
		if c.Name == name {
			return c, true
		}
	}
	return Connection{}, false
}

// DefaultPath is $XDG_CONFIG_HOME/mskx/config.yaml, read through getenv
// (os.Getenv in production). A relative XDG_CONFIG_HOME is ignored, as the
// XDG spec asks, and $HOME/.config used instead.
func DefaultPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("cannot find the config directory: set HOME or XDG_CONFIG_HOME")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "mskx", "config.yaml"), nil
}

// Load reads the file at path. A missing file is not an error: it is a first
// run. Unknown keys are errors so that a misspelt key is not silently ignored.
func Load(path string) (File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("read config: %w", err)
	}
	f, err := decode(data)
	if err != nil {
		return File{}, fmt.Errorf("config %s: %w", path, err)
	}
	return f, nil
}

func decode(data []byte) (File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // EOF: empty file
		return File{}, yamlError(err)
	}
	if err := f.check(); err != nil {
		return File{}, err
	}
	return f, nil
}

var unknownFieldRE = regexp.MustCompile(`^line (\d+): field (.+) not found in type .*$`)

// yamlError rewrites yaml.v3's errors, which name Go types and span lines,
// into one line that names the key as the user wrote it.
func yamlError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return errors.New(printable(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		if sub := unknownFieldRE.FindStringSubmatch(m); sub != nil {
			m = fmt.Sprintf("line %s: unknown key %q (check its spelling or remove it)", sub[1], sub[2])
		}
		msgs[i] = m
	}
	return errors.New(printable(strings.Join(msgs, "; ")))
}

// printable escapes what yaml.v3 quotes raw from the file (a tag such as
// !%00 decodes to a NUL), since the message is printed on a terminal:
// control, C1 and bidi characters become \x, \u escapes, as do bytes that
// are not UTF-8, so the message stays one harmless line.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Bidi_Control, r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// secretNameRE is what Secrets Manager allows in a secret name, plus ':' for
// ARNs. Anything else, such as a pasted JSON value, is a secret value
// put where its name belongs, and must not be written to disk.
var secretNameRE = regexp.MustCompile(`^[A-Za-z0-9/_+=.@:-]+$`)

// check validates f and canonicalises its modes and theme, so that a file
// Save writes always loads and a hand-edited mistake is reported once, at
// load, with the connection it belongs to.
func (f *File) check() error {
	s := &f.Settings
	if s.Theme != "" {
		p, err := themes.ByName(s.Theme)
		if err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		s.Theme = p.Name
	}
	if s.MaxFPS < 0 || s.RingSize < 0 {
		return errors.New("settings: max_fps and ring_size cannot be negative: use 0 for the default")
	}
	if len(f.Connections) == 0 {
		f.Connections = nil // so that "connections: []" loads like no key at all
	}
	seen := map[string]bool{}
	for i := range f.Connections {
		c := &f.Connections[i]
		if strings.TrimSpace(c.Name) == "" {
			return fmt.Errorf("connection %d has no name: add name: to it", i+1)
		}
		if seen[c.Name] {
			return fmt.Errorf("two connections are named %q: rename or remove one", c.Name)
		}
		seen[c.Name] = true
		if c.Mode != "" {
			m, err := auth.ParseMode(string(c.Mode))
			if err != nil {
				return fmt.Errorf("connection %q has an unknown mode %q: use one of iam, scram, tls, mtls, plaintext", c.Name, c.Mode)
			}
			c.Mode = m
		}
		if c.SCRAMMechanism != "" && c.SCRAMMechanism != auth.ScramSHA512 && c.SCRAMMechanism != auth.ScramSHA256 {
			return fmt.Errorf("connection %q has an unknown scram_mechanism %q: use %s or %s", c.Name, c.SCRAMMechanism, auth.ScramSHA512, auth.ScramSHA256)
		}
		if c.Secret != "" && !secretNameRE.MatchString(c.Secret) {
			return fmt.Errorf("connection %q: secret must be the Secrets Manager secret's name or ARN, not its value", c.Name)
		}
		if len(c.Brokers) == 0 {
			c.Brokers = nil
		}
	}
	return nil
}

// header tells whoever opens the file why no password is in it.
const header = "# mskx settings and saved connections. Passwords are never stored here:\n" +
	"# SCRAM credentials come from the named Secrets Manager secret, MSK_SCRAM_PASSWORD or a prompt.\n"

// Save writes f to path, creating its directory (0700) if needed. The file is
// written 0600 to a temporary file beside it and renamed into place, so a
// crash or a full disk never leaves a half-written config. A symlinked path
// is written through, so dotfile managers keep their link.
func Save(path string, f File) error {
	f.Connections = append([]Connection(nil), f.Connections...) // check canonicalises; leave the caller's alone
	if err := f.check(); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	body, err := yaml.Marshal(f)
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml") // CreateTemp makes it 0600
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.WriteString(header)
	if err == nil {
		_, err = tmp.Write(body)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	return nil
}
