package rules

// A check is Go code for a signal that attribute matching cannot express:
// absence, comparison across items, time order. It returns the evidence the
// signal rests on; an empty result means the signal did not fire.
type check func(ix *index) []*Evidence

// checks is the registry the catalog refers to by name; the loader rejects
// a catalog naming a check that is not here. Each area keeps its checks in
// its own file (checks_<area>.go) and its own map, joined here.
var checks = joinChecks(vssChecks, backupChecks, chainChecks, storageChecks, permissionChecks, checkpointChecks, configChecks, clusterChecks)

func joinChecks(maps ...map[string]check) map[string]check {
	all := map[string]check{}
	for _, m := range maps {
		for name, c := range m {
			if _, dup := all[name]; dup {
				panic("rules: check " + name + " registered twice") // a programming error caught by every test run
			}
			all[name] = c
		}
	}
	return all
}

// checkEventNeeds names event providers that checks read, so extractors
// keep their events even when no attribute signal asks for them.
var checkEventNeeds = []string{
	// checkpoint area: OS build per boot, and Hyper-V errors after it
	"Microsoft-Windows-Kernel-General", "EventLog", "Microsoft-Windows-Hyper-V-VMMS", "Microsoft-Windows-Hyper-V-Worker",
	// cluster area: node restarts (planned and unexpected)
	"User32", "Microsoft-Windows-Kernel-Power",
	// cluster area: role failures and what they blame
	"Microsoft-Windows-FailoverClustering", "Microsoft-Windows-Hyper-V-High-Availability",
	// storage area: the bugcheck report of a host crash
	"Microsoft-Windows-WER-SystemErrorReporting",
}

// checkEventIDNeeds names single events that checks read from providers
// too busy to keep whole (provider, event ID).
var checkEventIDNeeds = [][2]string{
	// permissions area: SeServiceLogonRight assigned back (4704)
	{"Microsoft-Windows-Security-Auditing", "4704"},
}
