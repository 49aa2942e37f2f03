package cli

import "runtime/debug"

// The garbage collector's targets (GOGC) for the commands whose memory is
// mostly records passing through. GOGC, when set, wins over both.
const (
	// consumeGCPercent: consume keeps nothing of what it reads, so its
	// live heap is the few fetches in flight, but it allocates for every
	// batch. At the default of 100 the collector runs many times a second
	// at full speed and slows the decoding it runs beside (a third of the
	// CPU of mskx consume in a profile); four times the live heap is
	// still a few tens of megabytes.
	consumeGCPercent = 400
	// uiGCPercent: the UI keeps a bounded ring of records and little else,
	// and its memory is what a small instance or container notices. Half
	// the live heap over it, rather than all of it, keeps the peak near
	// what the ring holds (tailing a million 1 KiB records: 84 MiB at 100,
	// 64 MiB at 50) for more frequent collections while records pour in.
	uiGCPercent = 50
)

// setGCPercent sets the collector's target unless GOGC is set, and returns
// what puts it back.
func setGCPercent(st IO, percent int) (restore func()) {
	if st.getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(old) }
}
