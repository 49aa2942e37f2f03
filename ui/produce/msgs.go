package produce

import "github.com/mskx/mskx/kafka"

// DeliveredMsg is what became of one record the form sent: ID is the
// number the delivery list shows (#ID), unique for the life of the pane.
//
// The pane updates its list from it; the App also passes it to the tail
// pane (as it passes every non-key message to all panes), which can mark
// the record at Delivery.Topic, Delivery.Partition and Delivery.Offset
// when Delivery.Err is nil.
type DeliveredMsg struct {
	ID       int
	Delivery kafka.Delivery
}
