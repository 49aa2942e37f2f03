package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kerr"
)

// HintedError is an error with the next thing the user should check. Its
// Error text is the cause followed by the hint, one sentence; Unwrap keeps
// franz-go's typed errors reachable with errors.Is and errors.As.
type HintedError struct {
	Err  error
	Hint string
}

func (e *HintedError) Error() string { return e.Err.Error() + ": " + e.Hint }

// Unwrap returns the underlying error.
func (e *HintedError) Unwrap() error { return e.Err }

// Explain adds a hint to a connection or request error, naming the likely
// cause for the endpoint's mode: a wrong port or auth mode, an untrusted
// certificate, a refused credential, an unreachable network. Errors it
// cannot place are returned unchanged; nil stays nil.
func Explain(err error, ep Endpoint) error {
	if err == nil {
		return nil
	}
	var he *HintedError
	if errors.As(err, &he) {
		return err
	}
	if hint := hintFor(err, ep); hint != "" {
		return &HintedError{Err: err, Hint: hint}
	}
	return err
}

// ports names MSK's listener ports for hints.
const ports = "MSK uses 9092 plaintext, 9094 TLS, 9096 SCRAM, 9098 IAM (91xx for public access)"

func hintFor(err error, ep Endpoint) string {
	mech := ep.Mechanism()
	var (
		dnsErr     *net.DNSError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recErr     tls.RecordHeaderError
		kErr       *kerr.Error
	)
	msg := err.Error()
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve %s: check the broker name; MSK private broker names resolve only inside the cluster's VPC", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listens on that port: check the port for the auth mode (" + ports + ")"
	case strings.Contains(msg, "appear to be a tls alert record"):
		return "the broker speaks TLS on this port but the auth mode is plaintext: use --auth tls, scram or iam (" + ports + ")"
	case errors.As(err, &recErr) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "the broker does not speak TLS on this port, so it is likely a plaintext listener (9092): use --auth plaintext or the TLS port for the mode"
	case errors.As(err, &unknownCA) || strings.Contains(msg, "certificate signed by unknown authority"):
		return "the broker's certificate is not trusted: pass --ca-file with the CA that signed it (MSK's certificates are trusted by the system roots)"
	case errors.As(err, &hostErr):
		return "the broker's certificate is not valid for this host name: connect with the name the certificate was issued for (the bootstrap string's names)"
	case errors.As(err, &invalidErr) && invalidErr.Reason == x509.Expired:
		return "the certificate is expired or not yet valid: check this machine's clock, then the certificate's dates"
	case strings.Contains(msg, "tls: ") && (strings.Contains(msg, "certificate required") || strings.Contains(msg, "bad certificate")):
		return "the broker wants a client certificate it trusts: use --auth mtls with --cert-file and --key-file signed by the cluster's private CA"
	case errors.Is(err, kerr.UnsupportedSaslMechanism):
		switch mech {
		case "OAUTHBEARER":
			return "the broker does not accept IAM on this port, so this is likely the SCRAM listener (9096): use --auth scram, or the IAM bootstrap string (port 9098)"
		case "":
			return "the broker expects SASL on this port: use --auth iam (port 9098) or --auth scram (port 9096)"
		default:
			return "the broker does not accept SCRAM on this port, so this is likely the IAM listener (9098): use --auth iam, or the SCRAM bootstrap string (port 9096)"
		}
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		if mech == "OAUTHBEARER" {
			return "the cluster refused the IAM token: check who the credentials are (aws sts get-caller-identity), that --region is the cluster's region, this machine's clock, and that the IAM policy allows kafka-cluster:Connect on the cluster"
		}
		return "the broker refused the SCRAM user or password: check the credentials, that the secret is associated with the cluster (aws kafka list-scram-secrets), and the mechanism (MSK uses SCRAM-SHA-512)"
	case errors.Is(err, kerr.IllegalSaslState):
		return "the broker does not expect SASL on this port: use the bootstrap string for the auth mode (" + ports + ")"
	case errors.As(err, &kErr) && isAuthzErr(kErr):
		return authzHint(kErr, mech)
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed):
		switch {
		case ep.TLS == nil:
			return "the broker closed the connection before answering, as a TLS listener does: use --auth tls, scram or iam (" + ports + ")"
		case mech == "":
			return "the broker closed the connection: it may require SASL (--auth scram on 9096, --auth iam on 9098) or a client certificate (--auth mtls)"
		default:
			return "the broker closed the connection during login: check the auth mode matches the port (" + ports + ")"
		}
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		hint := "no answer in time: check that the security group lets this host reach the brokers' port, and that the bootstrap string fits your network (private inside the VPC, public outside)"
		if ep.TLS != nil {
			hint += "; a TLS handshake that gets no answer can also mean the port is plaintext (9092)"
		}
		return hint
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isAuthzErr(e *kerr.Error) bool {
	switch e {
	case kerr.TopicAuthorizationFailed, kerr.GroupAuthorizationFailed, kerr.ClusterAuthorizationFailed,
		kerr.TransactionalIDAuthorizationFailed:
		return true
	}
	return false
}

func authzHint(e *kerr.Error, mech string) string {
	what := map[*kerr.Error]string{
		kerr.TopicAuthorizationFailed:           "the topic",
		kerr.GroupAuthorizationFailed:           "the consumer group",
		kerr.ClusterAuthorizationFailed:         "the cluster",
		kerr.TransactionalIDAuthorizationFailed: "the transactional ID",
	}[e]
	if mech == "OAUTHBEARER" {
		return "the IAM policy does not allow this on " + what + ": add the kafka-cluster: action for it (e.g. DescribeTopic, ReadData, WriteData, DescribeGroup, AlterGroup) on its ARN"
	}
	return "the cluster's ACLs do not allow this user on " + what + ": ask the cluster's operator for the ACL"
}
