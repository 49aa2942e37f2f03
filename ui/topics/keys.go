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
	// FilterDone leaves the filter field, keeping what it holds.
	FilterDone key.Binding

	// Topic administration. On a read-only pane they only say why they do
	// nothing, and their help says read-only.
	Create        key.Binding
	AddPartitions key.Binding
	EditConfig    key.Binding
	Delete        key.Binding

	// In an admin form, where every other key is text.
	Submit    key.Binding
	NextField key.Binding
	PrevField key.Binding
	Cancel    key.Binding
}

// DefaultKeyMap returns the topics pane's keys. Delete is the capital D so
// that it is never hit by a slip from d (detail).
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "tail")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Clear:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Internal:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "internal topics")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Detail:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "detail")),
		FilterDone: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),

		Create:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "create")),
		AddPartitions: key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "add partitions")),
		EditConfig:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit config")),
		Delete:        key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete topic")),

		Submit:    key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "apply")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// readOnly marks the admin keys' help, so the help still lists them but
// says they are off rather than hiding them.
func (k KeyMap) readOnly() KeyMap {
	for _, b := range []*key.Binding{&k.Create, &k.AddPartitions, &k.EditConfig, &k.Delete} {
		h := b.Help()
		b.SetHelp(h.Key, h.Desc+" (read-only)")
	}
	return k
}
