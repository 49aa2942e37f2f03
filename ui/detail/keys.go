package detail

import "charm.land/bubbles/v2/key"

// KeyMap are the detail pane's keys. There is no binding for q: outside
// text fields the App quits on it, and a pane that reused it would make the
// same key mean two things.
type KeyMap struct {
	Down     key.Binding
	Up       key.Binding
	PageDown key.Binding
	PageUp   key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Format   key.Binding
	Wrap     key.Binding
	Produce  key.Binding
	Close    key.Binding
}

// DefaultKeyMap returns the detail pane's keys: less's habits for moving
// through a long value.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn/space", "page down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Format:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "format")),
		Wrap:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap")),
		Produce:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "producer")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}
