package main

import (
	"runtime"
	"runtime/debug"
)

// reportMemoryLimit is the soft limit on the process's memory while the
// reports are built and written; twice the heap the analysis left is
// allowed when that is more.
const reportMemoryLimit = 192 << 20

// reportPhaseGC collects once the analysis is done and turns the
// proportional collector off while the reports are built and written,
// leaving a soft memory limit in charge; restore puts the settings back.
//
// Building and writing the reports is a burst of large allocations on one
// core after the analysis's heap has mostly become garbage. With the
// collector pacing on the small live heap that is left, each heap growth
// made the runtime return as many free pages to the system (madvise, and
// a TLB flush on both cores) as it took, and page new ones in: on 20,000
// small files the report phase spent more time in madvise, zeroing and
// page faults than in encoding. After one collection the free pages are
// reused instead, and another runs only if the limit is approached.
func reportPhaseGC() (restore func()) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := debug.SetMemoryLimit(max(reportMemoryLimit, 2*int64(ms.HeapAlloc)))
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
