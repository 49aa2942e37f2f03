package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mskx/mskx/kafka/kafkatest"
)

// consumeAll returns the values of every record of topic, one per line.
func consumeAll(t *testing.T, c *kafkatest.Cluster, topic string) string {
	t.Helper()
	return run(t, nil, "", append([]string{"consume", "-t", topic, "-o", "beginning", "-e"}, connArgs(c)...)...).must(t, "consume").stdout
}

func TestReadOnlyRefusesProduce(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "orders"))
	r := run(t, nil, "one\ntwo\n", append([]string{"produce", "-t", "orders", "--read-only"}, connArgs(c)...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "read-only") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("produce --read-only: exit %d, stderr %q; want exit 1 and one line saying read-only", r.code, r.stderr)
	}
	// The config file's setting is honoured headless too.
	xdg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(xdg, "mskx"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "mskx", "config.yaml"), []byte("settings:\n  read_only: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, map[string]string{"XDG_CONFIG_HOME": xdg}, "three\n", append([]string{"produce", "-t", "orders"}, connArgs(c)...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("produce with read_only in the config: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := consumeAll(t, c, "orders"); got != "" {
		t.Fatalf("the topic holds records after refused produces: %q", got)
	}
	// Reading still works, and without the setting produce does.
	run(t, nil, "four\n", append([]string{"produce", "-t", "orders"}, connArgs(c)...)...).must(t, "produce")
	if got := consumeAll(t, c, "orders"); got != "four\n" {
		t.Fatalf("after a normal produce the topic holds %q", got)
	}
}
