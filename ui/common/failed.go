package common

import tea "charm.land/bubbletea/v2"

// FailedMsg reports a failed cluster call to the App, which keeps the
// latest one in the status line until the next key and, when it is an IAM
// refusal (kafka.Advise), offers the policy it needs. The pane that asked
// still shows the error where it happened; this is in addition.
type FailedMsg struct{ Err error }

// Failed returns a command that reports err to the App; nil for nil.
func Failed(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return FailedMsg{Err: err} }
}
