package tail

import "github.com/twmb/franz-go/pkg/kgo"

// FrameMsg is the App's frame tick: the moment the pane reads the newest
// window of its tail. Records never arrive as one message each.
type FrameMsg struct{}

// OpenRecordMsg asks the App to show a record whole.
type OpenRecordMsg struct{ Record *kgo.Record }

// BackMsg asks the App to go back to the topics pane.
type BackMsg struct{}
