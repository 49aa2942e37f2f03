package tail

import "charm.land/bubbles/v2/key"

// KeyMap are the tail pane's keys.
type KeyMap struct {
	Pause  key.Binding
	Older  key.Binding
	Newer  key.Binding
	Follow key.Binding
	Open   key.Binding
	Back   key.Binding
}

// DefaultKeyMap returns the tail pane's keys: less's habits for scrolling.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Pause:  key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause/resume")),
		Older:  key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "select older")),
		Newer:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "select newer")),
		Follow: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "follow newest")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show record")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "topics")),
	}
}
