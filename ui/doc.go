// Package ui is the terminal UI of mskx (bubbletea v2): the root App and one
// package per screen or pane. It reads from kafka and auth and never the other
// way round.
package ui
