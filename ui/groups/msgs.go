package groups

import "github.com/mskx/mskx/kafka"

// loadedMsg carries the group list back from the cluster. gen is the
// pane's load generation when it was asked for; older answers are dropped.
type loadedMsg struct {
	gen    int
	groups []kafka.Group
	err    error
}

// describedMsg carries one group's detail back; gen drops stale answers,
// such as those for a group whose detail was closed since.
type describedMsg struct {
	gen    int
	name   string
	detail kafka.GroupDetail
	err    error
}

// tickMsg is the refresh timer of generation gen firing; a timer replaced
// by a newer one is ignored.
type tickMsg struct{ gen int }
