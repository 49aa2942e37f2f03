package login

import "charm.land/bubbles/v2/key"

// KeyMap are the login screen's keys. The screen is a form: a cursor moves
// over the rows (the mode selector, the text fields, the Connect button)
// and letters are text whenever the cursor is on a text field.
type KeyMap struct {
	Next    key.Binding
	Prev    key.Binding
	Accept  key.Binding // enter: next field, pick the secret, or connect on the button
	Connect key.Binding // works from any row
	Cancel  key.Binding // stops a connect in progress

	// On the mode selector.
	ModeNext key.Binding
	ModePrev key.Binding

	// In the secret field, over the list of secrets found.
	PickDown key.Binding
	PickUp   key.Binding
	Reload   key.Binding

	// Find lists the MSK clusters of the region, to pick one instead of
	// typing its brokers; it works from any row.
	Find key.Binding
	// In the cluster picker, which has no text field, so j and k move too.
	ListDown key.Binding
	ListUp   key.Binding
	Back     key.Binding // leaves the picker without changing the form
}

// DefaultKeyMap returns the login screen's keys. ctrl+s connects from
// anywhere, as it sends from anywhere in the producer form; esc is the way
// out of a connect that hangs or of the cluster picker, and ctrl+c (the
// App's) always quits. ctrl+f, which a text field would take as "cursor
// right", finds clusters: the right arrow does the same in a field.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:     key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Accept:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field")),
		Connect:  key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "connect")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel connect")),
		ModeNext: key.NewBinding(key.WithKeys("right", "space"), key.WithHelp("→/space", "next mode")),
		ModePrev: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous mode")),
		PickDown: key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "next secret")),
		PickUp:   key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "previous secret")),
		Reload:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "list secrets again")),
		Find:     key.NewBinding(key.WithKeys("ctrl+f"), key.WithHelp("ctrl+f", "find clusters")),
		ListDown: key.NewBinding(key.WithKeys("down", "j", "ctrl+n"), key.WithHelp("↓/j", "next")),
		ListUp:   key.NewBinding(key.WithKeys("up", "k", "ctrl+p"), key.WithHelp("↑/k", "previous")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the form")),
	}
}
