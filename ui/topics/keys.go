package topics

import "charm.land/bubbles/v2/key"

// KeyMap are the topics pane's keys.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	Open     key.Binding
	Filter   key.Binding
	Clear    key.Binding
	Internal key.Binding
	Refresh  key.Binding
	Detail   key.Binding
}

// DefaultKeyMap returns the topics pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "tail topic")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Internal: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "internal topics")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Detail:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "detail")),
	}
}
