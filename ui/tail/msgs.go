package tail

// FrameMsg is the App's frame tick: the moment the pane reads the newest
// window of its tail. Records never arrive as one message each.
type FrameMsg struct{}

// BackMsg asks the App to go back to the topics pane.
type BackMsg struct{}
