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
	// Start, Partitions and Filter open a one-line prompt; while it is
	// open, Apply and Cancel are the only keys that are not text.
	Start      key.Binding
	Partitions key.Binding
	Filter     key.Binding
	// Clear drops the filter. It shares esc with Back: with a filter set,
	// esc clears it first, as in less.
	Clear  key.Binding
	Apply  key.Binding
	Cancel key.Binding
}

// DefaultKeyMap returns the tail pane's keys: less's habits for scrolling
// and searching.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Pause:      key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause")),
		Older:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "select older")),
		Newer:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "select newer")),
		Follow:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "follow live")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "view")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "topics")),
		Start:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "start")),
		Partitions: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "partitions")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Clear:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Apply:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
