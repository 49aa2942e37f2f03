package produce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/mskx/mskx/kafka"
)

// The rules of the form's fields. They are pure functions of the text so
// that the form checks as the person types, and the send path uses the very
// same parse.

// maxRepeat bounds the repeat count: enough for a load poke, few enough
// that the delivery list and the producer's buffer stay reasonable.
const maxRepeat = 10000

// indexVar is replaced by the 1-based record index in the key and value.
const indexVar = "{{i}}"

// maxTopicLen is Kafka's limit on topic names.
const maxTopicLen = 249

// checkTopic applies Kafka's rule for topic names, so a typo such as a
// trailing space is caught here rather than as a broker error.
func checkTopic(t string) error {
	if t == "" {
		return errors.New("topic is empty")
	}
	if len(t) > maxTopicLen {
		return fmt.Errorf("topic name is %d characters; Kafka allows %d", len(t), maxTopicLen)
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("topic %q has %q: names hold only letters, digits, '.', '_' and '-'", t, r)
		}
	}
	return nil
}

// parseHeaders reads one key=value a line with the rule of the command
// line's -H: the key may not be empty, the value may be empty or hold '='.
// Blank lines are skipped, since a trailing newline is easy to type and
// means nothing. Every bad line is reported, each with its 1-based number,
// so that all of them can be fixed in one go.
func parseHeaders(text string) ([]kgo.RecordHeader, []string) {
	var (
		hs   []kgo.RecordHeader
		errs []string
	)
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("headers line %d: %q is not key=value", i+1, line))
		case k == "":
			errs = append(errs, fmt.Sprintf("headers line %d: the key before '=' is empty", i+1))
		default:
			hs = append(hs, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
	}
	return hs, errs
}

// parsePartition accepts "auto" (or nothing) for the partitioner's choice,
// or a partition number. Whether the number exists is the cluster's to say.
func parsePartition(s string) (int32, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "auto") {
		return kafka.AnyPartition, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("partition %q: write auto or a number from 0", s)
	}
	return int32(n), nil
}

// partitionText is the field text for a partition.
func partitionText(p int32) string {
	if p < 0 {
		return "auto"
	}
	return strconv.Itoa(int(p))
}

// parseRepeat reads the repeat count, 1 to maxRepeat.
func parseRepeat(s string) (int, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxRepeat {
		return 0, fmt.Errorf("repeat %q: write a count from 1 to %d", s, maxRepeat)
	}
	return n, nil
}

// expand replaces {{i}} with i. Without the placeholder b itself is
// returned, so N records of a large value share one copy.
func expand(b []byte, i int) []byte {
	if !bytes.Contains(b, []byte(indexVar)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(indexVar), []byte(strconv.Itoa(i)))
}

// jsonHint says whether the value is JSON, and if not, why, so that a typo
// in a payload meant to be JSON is seen before it is sent. It is a hint:
// text is a perfectly good value. The value is judged as the first record
// will carry it, so {"n": {{i}}} counts as JSON.
func jsonHint(value []byte) (ok bool, hint string) {
	v := expand(value, 1)
	if len(bytes.TrimSpace(v)) == 0 {
		return false, "empty value"
	}
	var raw json.RawMessage
	err := json.Unmarshal(v, &raw)
	if err == nil {
		return true, "✓ valid JSON"
	}
	reason := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && se.Offset < int64(len(v)) {
		line, col := position(v, int(se.Offset)-1)
		reason = fmt.Sprintf("%s at %d:%d", reason, line, col)
	}
	return false, "not JSON: " + reason + " (sent as text)"
}

// position turns a byte offset into a 1-based line and column (in runes),
// matching the line numbers beside the value field.
func position(b []byte, off int) (line, col int) {
	before := b[:off]
	nl := bytes.LastIndexByte(before, '\n')
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[nl+1:]) + 1
}

// The multi-line fields' line limits. A textarea numbers its lines with as
// many digits as its limit has, and drops lines past 10000 without a word,
// so longer texts are held rather than put in a field.
const (
	headersMaxLines = 99
	valueMaxLines   = 9999
)

// editable reports whether b can sit in a text field and come back out
// byte for byte, and be drawn without harm. The fields drop control
// characters, turn tabs into spaces and CRs into newlines, and drop U+FFFD;
// escape sequences and bidi controls would reach the terminal raw. Anything
// kafka.Sanitize would escape therefore disqualifies, as does a newline
// in a one-line field or more lines than a multi-line one keeps.
func editable(b []byte, multiline bool) bool {
	if !utf8.Valid(b) || bytes.ContainsRune(b, utf8.RuneError) {
		return false
	}
	if n := bytes.Count(b, []byte{'\n'}); n > 0 && !multiline || n >= valueMaxLines {
		return false
	}
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if kafka.Sanitize(line) != string(line) {
			return false
		}
	}
	return true
}

// headersText lays headers out one key=value a line, or reports false when
// some header cannot be written that way and read back the same. A header
// whose value is null comes back with an empty value: text has no null.
func headersText(hs []kgo.RecordHeader) (string, bool) {
	if len(hs) > headersMaxLines {
		return "", false
	}
	lines := make([]string, 0, len(hs))
	for _, h := range hs {
		if h.Key == "" || strings.Contains(h.Key, "=") || !editable([]byte(h.Key), false) || !editable(h.Value, false) {
			return "", false
		}
		lines = append(lines, h.Key+"="+string(h.Value))
	}
	return strings.Join(lines, "\n"), true
}

// headersAsText is the lossy text form of headers a person asked to edit
// anyway: escapes become literal text, and keys that hold '=' are cut there.
func headersAsText(hs []kgo.RecordHeader) string {
	lines := make([]string, 0, len(hs))
	for _, h := range hs {
		lines = append(lines, kafka.Sanitize([]byte(h.Key))+"="+kafka.Sanitize(h.Value))
	}
	return strings.Join(lines, "\n")
}

// size is a byte count for people.
func size(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}
