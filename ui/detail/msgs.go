package detail

import "github.com/twmb/franz-go/pkg/kgo"

// SendToProducerMsg asks the App to open the producer form filled from
// Record. Record is the pane's own pointer, which may be shared with the
// tail's ring: the receiver copies it before editing anything.
type SendToProducerMsg struct {
	Record *kgo.Record
}

// CloseMsg asks the App to close the detail pane and go back to where it
// was opened from.
type CloseMsg struct{}
