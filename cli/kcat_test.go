package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mskx/mskx/kafka/kafkatest"
)

// kcat runs the kcat binary, an independent librdkafka client.
func kcat(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat is not installed: apt-get install kcat (.ci/run does)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kcat %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// Values chosen to catch re-encoding: UTF-8, tabs, quotes, '=' and ',' (kcat's
// header separators), an empty value, and bytes that are not UTF-8.
var interopValues = []string{
	`{"id":1,"note":"a \"quoted\" word"}`,
	"tab\tseparated\tfields",
	"ünïcödé ✓ 漢字",
	"",
	"raw \xff\xfe bytes \x01\x7f",
	"k=v,x=y",
}

func TestKcatReadsWhatMskxProduces(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(3, "interop"))
	in := strings.Join(interopValues, "\n") + "\n"
	run(t, nil, in, append([]string{"produce", "-t", "interop", "-k", "key ü", "-H", "source=mskx", "-H", "eq=a=b"}, connArgs(c)...)...).must(t, "produce")

	out := kcat(t, nil, "-C", "-b", c.Brokers[0], "-t", "interop", "-o", "beginning", "-e", "-q",
		"-f", "%K|%k|%S|%s|%h\n")
	got := splitRecords(out, len(interopValues))
	var want []string
	for _, v := range interopValues {
		want = append(want, fmt.Sprintf("%d|%s|%d|%s|%s", len("key ü"), "key ü", len(v), v, "source=mskx,eq=a=b"))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("kcat read:\n%q\nwant:\n%q", got, want)
	}
}

// splitRecords splits kcat output on the record separator; values here
// contain no newline, so lines are records.
func splitRecords(out []byte, n int) []string {
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != n {
		return append(lines, fmt.Sprintf("(%d lines, want %d)", len(lines), n))
	}
	return lines
}

func TestMskxPrintsExactlyWhatKcatProduces(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(1, "interop"))
	var in bytes.Buffer
	for i, v := range interopValues {
		fmt.Fprintf(&in, "key-%d\t%s\n", i, v)
	}
	kcat(t, in.Bytes(), "-P", "-b", c.Brokers[0], "-t", "interop", "-p", "0", "-K", "\t", "-H", "origin=kcat", "-H", "empty=")

	// Text to a pipe is byte for byte.
	text := run(t, nil, "", append([]string{"consume", "-t", "interop", "-o", "beginning", "-e"}, connArgs(c)...)...).must(t, "consume text")
	if want := strings.Join(interopValues, "\n") + "\n"; text.stdout != want {
		t.Errorf("consume --format text:\n%q\nwant\n%q", text.stdout, want)
	}

	// JSON keeps keys, headers and values, non-UTF-8 as base64.
	js := run(t, nil, "", append([]string{"consume", "-t", "interop", "-o", "beginning", "-e", "--format", "json"}, connArgs(c)...)...).must(t, "consume json")
	lines := strings.Split(strings.TrimSuffix(js.stdout, "\n"), "\n")
	if len(lines) != len(interopValues) {
		t.Fatalf("%d JSON lines, want %d", len(lines), len(interopValues))
	}
	for i, l := range lines {
		var rec struct {
			Partition     int32
			Offset        int64
			Key           string
			Value         string
			ValueEncoding string `json:"value_encoding"`
			Headers       []struct{ Key, Value string }
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d %q: %v", i, l, err)
		}
		value := rec.Value
		if rec.ValueEncoding == "base64" {
			b, err := base64.StdEncoding.DecodeString(rec.Value)
			if err != nil {
				t.Fatal(err)
			}
			value = string(b)
		}
		if rec.Offset != int64(i) || rec.Key != fmt.Sprintf("key-%d", i) || value != interopValues[i] ||
			fmt.Sprint(rec.Headers) != "[{origin kcat} {empty }]" {
			t.Errorf("record %d = %+v (value %q), want key-%d, %q and the two headers", i, rec, value, i, interopValues[i])
		}
	}
}

// On a topic written in transactions, committed and aborted, with one still
// open, mskx consume -e and kcat -e (librdkafka reads committed records by
// default) print the same records and both stop by themselves.
func TestMskxAndKcatAgreeOnTransactions(t *testing.T) {
	c := kafkatest.New(t, kafkatest.Topics(2, "txn"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, w := range []struct {
		part   int32
		commit bool
		values []string
	}{{0, true, []string{"a", "b"}}, {0, false, []string{"aborted"}}, {1, true, []string{"c"}}, {1, false, []string{"aborted too"}}} {
		if err := c.ProduceTxn(ctx, "txn", w.part, w.commit, w.values...); err != nil {
			t.Fatal(err)
		}
	}
	abort, err := c.OpenTxn(ctx, "txn", 1, "open")
	if err != nil {
		t.Fatal(err)
	}
	defer abort()

	lines := func(out string) string {
		l := strings.Fields(out)
		sort.Strings(l)
		return strings.Join(l, " ")
	}
	args := append([]string{"consume", "-t", "txn", "-o", "beginning", "-e"}, connArgs(c)...)
	got := lines(run(t, nil, "", args...).must(t, "consume -e").stdout)
	theirs := lines(string(kcat(t, nil, "-C", "-b", c.Brokers[0], "-t", "txn", "-o", "beginning", "-e", "-q")))
	if got != "a b c" || got != theirs {
		t.Errorf("mskx consume -e printed %q, kcat %q; want both \"a b c\"", got, theirs)
	}
	all := lines(run(t, nil, "", append(args, "--uncommitted")...).must(t, "consume -e --uncommitted").stdout)
	if all != "a aborted aborted b c open too" {
		t.Errorf("consume -e --uncommitted printed %q, want every record", all)
	}
}
