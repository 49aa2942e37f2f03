package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// TLSConfig builds the client TLS configuration for c: the system roots, or
// the CA in CAFile; a client certificate for mutual TLS; no verification
// when InsecureSkipVerify is set. It returns nil for plaintext.
func TLSConfig(c Config) (*tls.Config, error) {
	if !c.Mode.UsesTLS() {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // the user asked for it
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fileError("CA file", c.CAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate: pass the CA certificate that signed the brokers' certificates", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	if c.CertFile != "" {
		if _, err := os.Stat(c.CertFile); err != nil {
			return nil, fileError("certificate file", c.CertFile, err)
		}
		if _, err := os.Stat(c.KeyFile); err != nil {
			return nil, fileError("key file", c.KeyFile, err)
		}
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s and key %s do not load as a pair (%v): pass the PEM certificate and its matching unencrypted private key", c.CertFile, c.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func fileError(what, path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s does not exist: check the path", what, path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s %s is not readable by this user: check its permissions", what, path)
	case errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("%s %s is a directory: pass the PEM file itself", what, path)
	}
	return fmt.Errorf("read %s %s: %w", what, path, err)
}
