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
