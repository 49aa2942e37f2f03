package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mskx/mskx/auth/awstest"
	"github.com/mskx/mskx/kafka/kafkatest"
)

// TestREADMECommands runs every sh block of README.md the way a reader
// would, with the built binary for `go run .`, against test clusters that
// stand in for the README's MSK hosts: the bootstrap variables a block
// exports are pointed at the cluster of that mode, the cluster ARN at the
// AWS test server's cluster, and the system roots at the test CAs. Blocks
// that only build or run the tests are left to CI, which runs them as is.
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "mskx")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	aws := awstest.New(t)
	aws.Env(t)
	iam := kafkatest.New(t, kafkatest.IAM(awstest.Region, awstest.AccessKeyID, awstest.SecretAccessKey), kafkatest.Topics(3, "orders"))
	scram := kafkatest.New(t, kafkatest.SCRAM("alice", "readme-pw"), kafkatest.Topics(1, "orders"))
	tlsc := kafkatest.New(t, kafkatest.TLS(), kafkatest.Topics(1, "orders"))
	mtls := kafkatest.New(t, kafkatest.MutualTLS(), kafkatest.Topics(1, "orders"))
	plain := kafkatest.New(t, kafkatest.Topics(1, "orders"))
	aws.PutSecret("AmazonMSK_alice", `{"username":"alice","password":"readme-pw"}`)
	arn := aws.AddCluster(awstest.Cluster{Name: "demo", IAM: true, Bootstrap: awstest.Bootstrap{IAM: strings.Join(iam.Brokers, ",")}})

	// The test CAs stand in for the public roots MSK's certificates chain to.
	var bundle []byte
	for _, c := range []*kafkatest.Cluster{iam, scram, tlsc, mtls} {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		bundle = append(bundle, pem...)
	}
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "roots.pem"), bundle)
	copyFile(t, mtls.CertFile, filepath.Join(work, "client.pem"))
	copyFile(t, mtls.KeyFile, filepath.Join(work, "client.key"))

	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	ran := 0
	for i, b := range blocks {
		script := b[1]
		// Building and testing are what CI does; the demo is interactive
		// and is run in a real terminal by TestDemoInTmux.
		if strings.Contains(script, "go test ./...") || strings.Contains(script, "go build") || strings.TrimSpace(script) == "go run . demo" {
			continue
		}
		brokers := map[string]*kafkatest.Cluster{
			"MSK_BOOTSTRAP_SERVERS_IAM":   iam,
			"MSK_BOOTSTRAP_SERVERS_SCRAM": scram,
			"MSK_BOOTSTRAP_SERVERS_TLS":   tlsc,
			"MSK_BOOTSTRAP_SERVERS":       plain,
		}
		if strings.Contains(script, "--auth mtls") {
			brokers["MSK_BOOTSTRAP_SERVERS_TLS"] = mtls
		}
		script = regexp.MustCompile(`(?m)^export (MSK_BOOTSTRAP_SERVERS\w*)=.*$`).ReplaceAllStringFunc(script, func(line string) string {
			name := strings.TrimPrefix(strings.SplitN(line, "=", 2)[0], "export ")
			return "export " + name + "=" + strings.Join(brokers[name].Brokers, ",")
		})
		script = regexp.MustCompile(`arn:aws:kafka:\S+`).ReplaceAllString(script, arn)
		script = strings.ReplaceAll(script, "go run . ", bin+" ")

		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
		cmd.Dir = work
		cmd.Env = append(cleanEnv(), "SSL_CERT_FILE="+filepath.Join(work, "roots.pem"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		if err != nil {
			t.Errorf("README block %d failed: %v\n--- script\n%s--- output\n%s", i+1, err, b[1], out.String())
			continue
		}
		if strings.Contains(b[1], "consume") && !strings.Contains(out.String(), `"value":"{\"order\":2}"`) {
			t.Errorf("README block %d: consume did not print the produced records:\n%s", i+1, out.String())
		}
		ran++
	}
	t.Logf("ran %d README blocks", ran)
	if ran < 6 {
		t.Errorf("ran %d README blocks, expected at least 6: has the README lost its examples?", ran)
	}
}

// cleanEnv is the test's environment without MSK_ variables, which the
// README's blocks set themselves.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MSK_") {
			env = append(env, kv)
		}
	}
	return env
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, b)
}
