package rules

import "strings"

// A check is Go code for a signal that attribute matching cannot express:
// absence, comparison across items, time order. It returns the evidence the
// signal rests on; an empty result means the signal did not fire.
type check func(ix *index) []*Evidence

// checks is the registry the catalog refers to by name; the loader rejects
// a catalog naming a check that is not here. Each area keeps its checks in
// its own file (checks_<area>.go) and its own map, joined here.
var checks = joinChecks(vssChecks)

// vssChecks are the checks of catalog/vss.json.
var vssChecks = map[string]check{
	"vss.hyperv-writer-missing": hypervWriterMissing,
}

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
var checkEventNeeds = []string{}

// hyperVWriterID is the stable writer ID of the Microsoft Hyper-V VSS Writer,
// in the canonical form extractors write (lower case, no braces).
const hyperVWriterID = "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de"

// hypervWriterMissing fires when a writer listing was collected but holds no
// Hyper-V writer: on a Hyper-V host that means VMMS is not running or its
// writer failed to register, and host-level backups of VMs cannot work. It
// cites every writer listing file (the first writer of each), since the
// evidence is what is absent from them.
func hypervWriterMissing(ix *index) []*Evidence {
	writers := ix.of(KindVSSWriter)
	if len(writers) == 0 {
		return nil
	}
	firstOfFile := map[string]*Evidence{}
	var order []string
	for _, w := range writers {
		if strings.EqualFold(w.Attrs["writer_id"], hyperVWriterID) || strings.Contains(strings.ToLower(w.Attrs[AttrName]), "hyper-v") {
			return nil
		}
		if _, ok := firstOfFile[w.Source]; !ok {
			firstOfFile[w.Source] = w
			order = append(order, w.Source)
		}
	}
	out := make([]*Evidence, 0, len(order))
	for _, src := range order {
		out = append(out, firstOfFile[src])
	}
	return out
}
