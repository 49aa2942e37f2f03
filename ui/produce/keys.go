package produce

import "charm.land/bubbles/v2/key"

// KeyMap are the produce pane's keys. The form has two modes: editing,
// where a field has the keyboard and letters are text, and browsing, where
// the App's global keys work and the delivery list scrolls.
type KeyMap struct {
	// Send works in both modes.
	Send key.Binding

	// Browsing.
	Edit  key.Binding
	Older key.Binding
	Newer key.Binding
	Top   key.Binding

	// Editing.
	NextField key.Binding
	PrevField key.Binding
	Accept    key.Binding // in one-line fields only; the value takes enter as a newline
	Leave     key.Binding

	// Editing a field that holds bytes the form cannot show as text.
	Discard key.Binding
	AsText  key.Binding
}

// DefaultKeyMap returns the produce pane's keys: tab moves between fields
// as in any form, esc gives the keyboard back to the App, and ctrl+s sends
// from anywhere so that a multi-line value can keep enter for newlines.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Send:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send")),
		Edit:      key.NewBinding(key.WithKeys("enter", "i"), key.WithHelp("enter/i", "edit fields")),
		Older:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "older deliveries")),
		Newer:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "newer deliveries")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "newest delivery")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Accept:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field")),
		Leave:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave fields")),
		Discard:   key.NewBinding(key.WithKeys("backspace", "delete"), key.WithHelp("backspace", "clear binary")),
		AsText:    key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "edit binary as text")),
	}
}
