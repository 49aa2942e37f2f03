package detail

import (
	tea "charm.land/bubbletea/v2"
	"github.com/twmb/franz-go/pkg/kgo"
)

// sendCmd captures the record now, so a later SetRecord cannot change what
// reaches the producer form.
func sendCmd(r *kgo.Record) tea.Cmd {
	return func() tea.Msg { return SendToProducerMsg{Record: r} }
}

func closeCmd() tea.Msg { return CloseMsg{} }
