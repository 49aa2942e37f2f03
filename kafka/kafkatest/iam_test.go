package kafkatest

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// iamMechanism signs a fresh token for every authentication, as an MSK IAM
// client does.
func iamMechanism(region, akid, secret, sessionToken string) sasl.Mechanism {
	return oauth.Oauth(func(ctx context.Context) (oauth.Auth, error) {
		tok, _, err := signer.GenerateAuthTokenFromCredentialsProvider(ctx, region,
			credentials.NewStaticCredentialsProvider(akid, secret, sessionToken))
		return oauth.Auth{Token: tok}, err
	})
}

func TestIAM(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64 // how far the cluster clock runs ahead
	logs := &logSink{t: t}
	c := New(t,
		IAM(testRegion, testAKID, testSecret),
		IAMCredential("ASIAKAFKATEST0000002", "temporary-secret", "session-token"),
		IAMClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }),
		NumBrokers(2),
		Topics(2, testTopic),
		Logf(logs.logf),
	)
	tlsOpt := kgo.DialTLSConfig(c.TLSConfig())

	t.Run("round trip", func(t *testing.T) {
		roundTrip(t, c, tlsOpt, kgo.SASL(iamMechanism(c.Region, c.AccessKeyID, c.SecretAccessKey, "")))
		if c.Authentications() < 1 {
			t.Errorf("Authentications() = %d after a round trip", c.Authentications())
		}
	})
	t.Run("temporary credentials", func(t *testing.T) {
		roundTrip(t, c, tlsOpt, kgo.SASL(iamMechanism(c.Region, "ASIAKAFKATEST0000002", "temporary-secret", "session-token")))
	})

	valid := realToken(t, testRegion, testAKID, testSecret, "")
	for _, tc := range []struct {
		name   string
		mech   sasl.Mechanism
		skew   time.Duration
		reason string // what the server logs
	}{
		{"wrong secret", iamMechanism(testRegion, testAKID, "not-the-secret", ""), 0, "signature does not match"},
		{"wrong region", iamMechanism("us-east-1", testAKID, testSecret, ""), 0, "host"},
		{"wrong access key", iamMechanism(testRegion, "AKIAUNKNOWN000000000", testSecret, ""), 0, "unknown access key"},
		{"tampered action", oauth.Auth{Token: rewriteToken(t, valid, "Action=kafka-cluster%3AConnect", "Action=kafka-cluster%3AAlterCluster")}.AsMechanism(), 0, "action"},
		{"expired", iamMechanism(testRegion, testAKID, testSecret, ""), 20 * time.Minute, "expired"},
		{"future dated", iamMechanism(testRegion, testAKID, testSecret, ""), -10 * time.Minute, "after server time"},
		{"session token withheld", iamMechanism(testRegion, "ASIAKAFKATEST0000002", "temporary-secret", ""), 0, "no session token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			skew.Store(int64(tc.skew))
			defer skew.Store(0)
			before := c.Authentications()
			err := pingErr(t, c, tlsOpt, kgo.SASL(tc.mech))
			if !errors.Is(err, kerr.SaslAuthenticationFailed) || !strings.Contains(err.Error(), "Access denied") {
				t.Errorf("error %q, want SASL_AUTHENTICATION_FAILED: Access denied", err)
			}
			if got := c.Authentications(); got != before {
				t.Errorf("Authentications() went from %d to %d", before, got)
			}
			// The server logs as it closes the connection, which can
			// come just after the client has its answer.
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(logs.text(), tc.reason) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !strings.Contains(logs.text(), tc.reason) {
				t.Errorf("server log does not say %q:\n%s", tc.reason, logs.text())
			}
		})
	}

	t.Run("SCRAM is not offered", func(t *testing.T) {
		err := pingErr(t, c, tlsOpt, kgo.SASL(scram.Auth{User: "u", Pass: "p"}.AsSha512Mechanism()))
		if !errors.Is(err, kerr.UnsupportedSaslMechanism) {
			t.Errorf("error %v, want UNSUPPORTED_SASL_MECHANISM", err)
		}
	})
	t.Run("no SASL is refused", func(t *testing.T) {
		wantFirstReadEOF(t, pingErr(t, c, tlsOpt))
	})
	t.Run("plaintext client fails fast", func(t *testing.T) {
		wantFirstReadEOF(t, pingErr(t, c, kgo.SASL(iamMechanism(c.Region, c.AccessKeyID, c.SecretAccessKey, ""))))
	})

	if text := logs.text(); strings.Contains(text, testSecret) || strings.Contains(text, "temporary-secret") {
		t.Errorf("server log leaks a secret:\n%s", text)
	}
}

func TestIAMReauthentication(t *testing.T) {
	t.Parallel()
	logs := &logSink{t: t}
	c := New(t, IAM(testRegion, testAKID, testSecret), SessionLifetime(2*time.Second), Topics(1, testTopic), Logf(logs.logf))
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(c.Brokers...),
		kgo.DialTLSConfig(c.TLSConfig()),
		kgo.SASL(iamMechanism(c.Region, c.AccessKeyID, c.SecretAccessKey, "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: testTopic, Value: []byte("first")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	before := c.Authentications()
	for end := time.Now().Add(7 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: testTopic, Value: []byte("more")}).FirstErr(); err != nil {
			t.Fatalf("produce after %d authentications: %v", c.Authentications()-before, err)
		}
	}
	if n := c.Authentications() - before; n < 3 {
		t.Errorf("%d authentications in 7s with a 2s session lifetime, want >= 3", n)
	}
	if !strings.Contains(logs.text(), "reauthenticated") {
		t.Error("no connection re-authenticated in place")
	}
}

// TestIAMProtocol speaks the Kafka protocol by hand to check what a
// well-behaved client never does.
func TestIAMProtocol(t *testing.T) {
	t.Parallel()
	c := New(t, IAM(testRegion, testAKID, testSecret))

	dial := func(t *testing.T) *tls.Conn { return dialIAM(t, c) }

	t.Run("request before authentication closes the connection", func(t *testing.T) {
		conn := dial(t)
		req := kmsg.NewPtrMetadataRequest()
		req.Version = 4
		send(t, conn, 1, req)
		if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("read %v, want EOF", err)
		}
	})

	t.Run("PLAIN handshake", func(t *testing.T) {
		conn := dial(t)
		versions := kmsg.NewPtrApiVersionsRequest()
		versions.Version = 3
		versions.ClientSoftwareName, versions.ClientSoftwareVersion = "kafkatest", "1"
		send(t, conn, 1, versions)
		recv(t, conn, 1, versions.ResponseKind()) // from kfake, flexible but without header tags
		hs := kmsg.NewPtrSASLHandshakeRequest()
		hs.Version, hs.Mechanism = 1, "PLAIN"
		send(t, conn, 2, hs)
		resp := recv(t, conn, 2, hs.ResponseKind()).(*kmsg.SASLHandshakeResponse)
		if resp.ErrorCode != kerr.UnsupportedSaslMechanism.Code || strings.Join(resp.SupportedMechanisms, ",") != "OAUTHBEARER" {
			t.Errorf("handshake answered %d %v", resp.ErrorCode, resp.SupportedMechanisms)
		}
	})

	t.Run("flexible SASLAuthenticate before handshake", func(t *testing.T) {
		conn := dial(t)
		req := kmsg.NewPtrSASLAuthenticateRequest()
		req.Version, req.SASLAuthBytes = 2, []byte("n,,\x01auth=Bearer x\x01\x01")
		send(t, conn, 7, req)
		resp := recv(t, conn, 7, req.ResponseKind()).(*kmsg.SASLAuthenticateResponse)
		if resp.ErrorCode != kerr.IllegalSaslState.Code {
			t.Errorf("error code %d, want ILLEGAL_SASL_STATE", resp.ErrorCode)
		}
		if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("read %v, want EOF", err)
		}
	})
}

// TestIAMSession checks session rules on an authenticated connection.
func TestIAMSession(t *testing.T) {
	t.Parallel()
	metadata := func(t *testing.T, conn *tls.Conn, corr int32) {
		t.Helper()
		req := kmsg.NewPtrMetadataRequest()
		req.Version = 4
		send(t, conn, corr, req)
		recv(t, conn, corr, req.ResponseKind())
	}

	t.Run("handshake without a lifetime is illegal but harmless", func(t *testing.T) {
		c := New(t, IAM(testRegion, testAKID, testSecret))
		conn := dialIAM(t, c)
		if lifetime := authenticateRaw(t, conn, 1); lifetime != 0 {
			t.Errorf("session lifetime %dms without SessionLifetime", lifetime)
		}
		hs := kmsg.NewPtrSASLHandshakeRequest()
		hs.Version, hs.Mechanism = 1, mechOAuthBearer
		send(t, conn, 3, hs)
		if resp := recv(t, conn, 3, hs.ResponseKind()).(*kmsg.SASLHandshakeResponse); resp.ErrorCode != kerr.IllegalSaslState.Code {
			t.Errorf("error code %d, want ILLEGAL_SASL_STATE", resp.ErrorCode)
		}
		metadata(t, conn, 4)
	})

	t.Run("a lapsed session is closed", func(t *testing.T) {
		const lifetime = 300 * time.Millisecond
		c := New(t, IAM(testRegion, testAKID, testSecret), SessionLifetime(lifetime))
		conn := dialIAM(t, c)
		if got := authenticateRaw(t, conn, 1); got != lifetime.Milliseconds() {
			t.Errorf("session lifetime %dms, want %dms", got, lifetime.Milliseconds())
		}
		metadata(t, conn, 3)
		time.Sleep(lifetime + 100*time.Millisecond)
		req := kmsg.NewPtrMetadataRequest()
		req.Version = 4
		send(t, conn, 4, req)
		if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("read %v, want EOF", err)
		}
	})
}

func dialIAM(t *testing.T, c *Cluster) *tls.Conn {
	t.Helper()
	conn, err := tls.Dial("tcp", c.Brokers[0], c.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// Generous: it only bounds a failing test, and shared CI machines stall.
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	return conn
}

// authenticateRaw runs the OAUTHBEARER exchange with correlation IDs corr
// and corr+1 and returns the session lifetime the server gave.
func authenticateRaw(t *testing.T, conn *tls.Conn, corr int32) int64 {
	t.Helper()
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Version, hs.Mechanism = 1, mechOAuthBearer
	send(t, conn, corr, hs)
	if resp := recv(t, conn, corr, hs.ResponseKind()).(*kmsg.SASLHandshakeResponse); resp.ErrorCode != 0 {
		t.Fatalf("handshake error code %d", resp.ErrorCode)
	}
	auth := kmsg.NewPtrSASLAuthenticateRequest()
	auth.Version = 2
	auth.SASLAuthBytes = []byte("n,,\x01auth=Bearer " + realToken(t, testRegion, testAKID, testSecret, "") + "\x01\x01")
	send(t, conn, corr+1, auth)
	resp := recv(t, conn, corr+1, auth.ResponseKind()).(*kmsg.SASLAuthenticateResponse)
	if resp.ErrorCode != 0 {
		t.Fatalf("authenticate error code %d", resp.ErrorCode)
	}
	return resp.SessionLifetimeMillis
}

func send(t *testing.T, conn *tls.Conn, corr int32, req kmsg.Request) {
	t.Helper()
	buf := binary.BigEndian.AppendUint32(nil, 0)
	buf = binary.BigEndian.AppendUint16(buf, uint16(req.Key()))
	buf = binary.BigEndian.AppendUint16(buf, uint16(req.GetVersion()))
	buf = binary.BigEndian.AppendUint32(buf, uint32(corr))
	buf = binary.BigEndian.AppendUint16(buf, 3)
	buf = append(buf, "raw"...)
	if req.IsFlexible() {
		buf = append(buf, 0)
	}
	buf = req.AppendTo(buf)
	binary.BigEndian.PutUint32(buf, uint32(len(buf)-4))
	if _, err := conn.Write(buf); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, conn *tls.Conn, corr int32, resp kmsg.Response) kmsg.Response {
	t.Helper()
	var size [4]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(conn, buf); err != nil {
		t.Fatal(err)
	}
	if got := int32(binary.BigEndian.Uint32(buf)); got != corr {
		t.Fatalf("correlation ID %d, want %d", got, corr)
	}
	buf = buf[4:]
	if resp.IsFlexible() && resp.Key() != int16(kmsg.ApiVersions) {
		if buf[0] != 0 {
			t.Fatalf("response header has %d tagged fields", buf[0])
		}
		buf = buf[1:]
	}
	if err := resp.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	return resp
}
