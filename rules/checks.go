package rules

import "github.com/hvtriage/hvtriage/evidence"

// A check is Go code for a signal that attribute matching cannot express:
// absence, comparison across items, time order. It returns the evidence the
// signal rests on; an empty result means the signal did not fire.
type check func(ix *index) []*evidence.Evidence

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

// checkEvents joins what each area declares beside its check map: the
// event providers each check reads, so extractors keep those events even
// when no attribute signal asks for them. A check that reads a family of
// providers (the Hyper-V stack, storage miniports) names the members no
// catalog signal keeps; TestCheckEventsDeclared runs every check on every
// sample with the engine's event filter and without it.
var checkEvents = joinCheckEvents(vssCheckEvents, backupCheckEvents, chainCheckEvents, storageCheckEvents, permissionCheckEvents, checkpointCheckEvents, configCheckEvents, clusterCheckEvents)

func joinCheckEvents(maps ...map[string][]string) map[string][]string {
	all := map[string][]string{}
	for _, m := range maps {
		for name, providers := range m {
			if _, ok := checks[name]; !ok {
				panic("rules: events declared for check " + name + ", which is not registered") // a programming error caught by every test run
			}
			all[name] = providers
		}
	}
	return all
}

// Providers the checks read that no area file names as a constant of its own.
const (
	providerADDS  = "Microsoft-Windows-ActiveDirectory_DomainService"
	providerVSS   = "VSS"
	providerVHDMP = "Microsoft-Windows-VHDMP"
	providerDisk  = "disk"
	providerWER   = "Microsoft-Windows-WER-SystemErrorReporting"
)
