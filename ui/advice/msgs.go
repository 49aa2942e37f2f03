package advice

// CloseMsg asks the App to close the advice view.
type CloseMsg struct{}

// writtenMsg says where the policy was written, or why it was not.
type writtenMsg struct {
	path string
	err  error
}
