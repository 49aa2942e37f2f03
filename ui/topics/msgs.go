package topics

import "github.com/mskx/mskx/kafka"

// loadedMsg carries a topic list back from the cluster. gen is the
// pane's load generation when it was asked for; older answers are dropped.
type loadedMsg struct {
	gen    int
	topics []kafka.Topic
	err    error
}

// refreshMsg asks for the periodic reload of generation gen's timer.
type refreshMsg struct{ gen int }

// OpenTailMsg asks the App to tail a topic.
type OpenTailMsg struct{ Topic string }

// describedMsg carries one topic's detail back; gen drops stale answers.
type describedMsg struct {
	gen    int
	topic  string
	detail kafka.TopicDetail
	err    error
}

// adminAction is one admin call as the pane describes it: what it is for,
// what to say while it runs and once it is done.
type adminAction struct {
	kind  formKind
	topic string
	busy  string // e.g. "creating topic orders…"
	done  string // e.g. "✓ created topic orders"
}

// adminDoneMsg carries the outcome of an admin call back to the pane.
type adminDoneMsg struct {
	action adminAction
	err    error
}
