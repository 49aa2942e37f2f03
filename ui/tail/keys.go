package tail

import "charm.land/bubbles/v2/key"

// KeyMap are the tail pane's keys.
type KeyMap struct {
	Pause  key.Binding
	Older  key.Binding
	Newer  key.Binding
	Follow key.Binding
	Back   key.Binding
}

// DefaultKeyMap returns the tail pane's keys: less's habits for scrolling.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Pause:  key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause/resume")),
		Older:  key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "older")),
		Newer:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "newer")),
		Follow: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "follow newest")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "topics")),
	}
}
