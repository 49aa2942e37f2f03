package kafkatest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki is a throwaway certificate authority with the certificates one cluster
// needs. Each cluster gets its own so that a client trusting one cluster's CA
// cannot reach another by accident.
type pki struct {
	caPEM  []byte
	pool   *x509.CertPool
	server tls.Certificate

	// Set only for mutual TLS.
	client                      *tls.Certificate
	clientCertPEM, clientKeyPEM []byte
}

// certValidity covers a long-running demo; nothing checks revocation, and the
// keys never leave the process and its temp dir.
const certValidity = 30 * 24 * time.Hour

func newPKI(withClient bool) (*pki, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "kafkatest CA", Organization: []string{"mskx"}},
		NotBefore:             now.Add(-time.Hour), // tolerate clock skew between processes
		NotAfter:              now.Add(certValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, caCert, err := sign(caTmpl, nil, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA: %w", err)
	}
	p := &pki{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pool:  x509.NewCertPool(),
	}
	p.pool.AddCert(caCert)

	serverTmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost", Organization: []string{"mskx"}},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(certValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	p.server, _, _, err = leaf(serverTmpl, caCert, caKey)
	if err != nil {
		return nil, fmt.Errorf("create server certificate: %w", err)
	}

	if withClient {
		clientTmpl := &x509.Certificate{
			Subject:     pkix.Name{CommonName: "kafkatest-client", Organization: []string{"mskx"}},
			NotBefore:   now.Add(-time.Hour),
			NotAfter:    now.Add(certValidity),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		client, certPEM, keyPEM, err := leaf(clientTmpl, caCert, caKey)
		if err != nil {
			return nil, fmt.Errorf("create client certificate: %w", err)
		}
		p.client, p.clientCertPEM, p.clientKeyPEM = &client, certPEM, keyPEM
	}
	return p, nil
}

// leaf creates a P-256 key and a certificate for it signed by the CA.
func leaf(tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (cert tls.Certificate, certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	der, _, err := sign(tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	return cert, certPEM, keyPEM, err
}

// sign self-signs tmpl when parent is nil.
func sign(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey) ([]byte, *x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return der, cert, err
}

func (p *pki) serverConfig() *tls.Config {
	c := &tls.Config{
		Certificates: []tls.Certificate{p.server},
		MinVersion:   tls.VersionTLS12, // MSK's floor
	}
	if p.client != nil {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = p.pool
	}
	return c
}

func (p *pki) clientConfig() *tls.Config {
	c := &tls.Config{RootCAs: p.pool, MinVersion: tls.VersionTLS12}
	if p.client != nil {
		c.Certificates = []tls.Certificate{*p.client}
	}
	return c
}

// writeFiles puts the PEM files a command-line client is pointed at into dir.
// Keys are written 0600 because some TLS tooling refuses wider permissions.
func (p *pki) writeFiles(dir string) (caFile, certFile, keyFile string, err error) {
	caFile = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, p.caPEM, 0o644); err != nil {
		return "", "", "", err
	}
	if p.client == nil {
		return caFile, "", "", nil
	}
	certFile = filepath.Join(dir, "client.pem")
	keyFile = filepath.Join(dir, "client-key.pem")
	if err := os.WriteFile(certFile, p.clientCertPEM, 0o644); err != nil {
		return "", "", "", err
	}
	if err := os.WriteFile(keyFile, p.clientKeyPEM, 0o600); err != nil {
		return "", "", "", err
	}
	return caFile, certFile, keyFile, nil
}
