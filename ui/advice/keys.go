package advice

import "charm.land/bubbles/v2/key"

// KeyMap are the advice view's keys.
type KeyMap struct {
	Down  key.Binding
	Up    key.Binding
	Write key.Binding
	Close key.Binding
}

// DefaultKeyMap returns the advice view's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Down:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Write: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write policy to a file")),
		Close: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp is the footer's view of the keys.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Write, m.keys.Down, m.keys.Up, m.keys.Close}
}

// FullHelp lists every key.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
