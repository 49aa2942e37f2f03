package topics

import (
	"strings"
	"testing"
)

// Each admin form refuses a bad value: enter leaves the form open, asks
// nothing of the cluster, and the form says on its own line which field is
// wrong and what to write there.
func TestAdminFormsRefuseBadInput(t *testing.T) {
	s := session(t, cluster(t))
	d := drive(t, s, 160, 46)
	flat := func(v string) string { return strings.Join(strings.Fields(v), " ") }
	cases := []struct {
		name string
		open []string // keys that open the form
		tabs int      // to the field
		text string   // typed there, after clearing it
		want string
	}{
		{"name with a space", []string{"c"}, 0, "my topic", `✗ Name: topic name "my topic" has ' '`},
		{"name empty", []string{"c"}, 0, "", "✗ Name: topic name is empty"},
		{"name ..", []string{"c"}, 0, "..", `Kafka reserves "." and ".."`},
		{"name with a slash", []string{"c"}, 0, "a/b", `has '/'`},
		{"name non-ASCII", []string{"c"}, 0, "zamówienia", `has 'ó'`},
		{"name too long", []string{"c"}, 0, strings.Repeat("n", 250), "topic name is 250 characters long: Kafka allows at most 249"},
		{"partitions 0", []string{"c"}, 1, "0", `✗ Partitions: "0" is not a partition count: write a whole number from 1`},
		{"partitions -1", []string{"c"}, 1, "-1", `"-1" is not a partition count`},
		{"partitions abc", []string{"c"}, 1, "abc", `"abc" is not a partition count`},
		{"partitions huge", []string{"c"}, 1, "99999999999", `"99999999999" is not a partition count`},
		{"replication 0", []string{"c"}, 2, "0", `✗ Replication: "0" is not a replication factor: write -1 for the cluster default, or 1 or more`},
		{"replication -2", []string{"c"}, 2, "-2", `"-2" is not a replication factor`},
		{"replication huge", []string{"c"}, 2, "99999", `"99999" is not a replication factor`},
		{"retention 7d", []string{"c"}, 3, "7d", `✗ retention.ms "7d": write a whole number of milliseconds`},
		{"cleanup policy", []string{"c"}, 4, "compacted", `✗ cleanup.policy "compacted": write delete, compact or compact,delete`},
		{"min ISR 0", []string{"c"}, 5, "0", `✗ min.insync.replicas "0"`},
		{"new total abc", []string{"+"}, 0, "abc", `"abc" is not a partition count: write a whole number`},
		{"new total fewer", []string{"+"}, 0, "2", "orders has 3 partitions: write more than 3"},
		{"new total same", []string{"+"}, 0, "3", "write more than 3"},
		{"config name with =", []string{"e"}, 0, "retention.ms=1", `"retention.ms=1" is not a config name`},
		{"delete confirm wrong", []string{"D"}, 0, "order", "that is not the topic's name: type orders exactly"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d.t = t
			d.selectTopic("orders")
			d.keys(tc.open...)
			if d.m.form == nil {
				t.Fatalf("%v opened no form:\n%s", tc.open, d.view())
			}
			for range tc.tabs {
				d.keys("tab")
			}
			d.clear()
			d.typeText(tc.text)
			d.keys("enter")
			if d.m.form == nil || d.m.busy {
				t.Fatalf("the form was submitted:\n%s", d.view())
			}
			v := d.view()
			if !strings.Contains(flat(v), flat(tc.want)) {
				t.Errorf("view lacks %q:\n%s", tc.want, v)
			}
			for _, p := range d.m.form.problems() {
				if strings.ContainsAny(p, "\n\r\x1b") {
					t.Errorf("problem is not one safe line: %q", p)
				}
			}
			if len(d.failed) > 0 {
				t.Errorf("the App was told of a failure: %v", d.failed)
			}
			d.keys("esc")
			if d.m.form != nil {
				t.Fatal("esc did not close the form")
			}
		})
	}
	if got := topicNames(t, s); got != "orders,payments" {
		t.Errorf("topics = %s after refused forms", got)
	}
	if n := len(describe(t, s, "orders").Partitions); n != 3 {
		t.Errorf("orders has %d partitions after refused forms", n)
	}
}
