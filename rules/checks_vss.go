package rules

import (
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
)

// vssChecks are the checks of catalog/vss.json.
var vssChecks = map[string]check{
	"vss.hyperv-writer-missing": hypervWriterMissing,
	"vss.no-hyperv-in-bundle":   vssNoHyperVInBundle,
}

// vssCheckEvents are the event providers the vss checks read (see checkEvents).
var vssCheckEvents = map[string][]string{
	"vss.no-hyperv-in-bundle": {providerVMMS, providerWorker},
}

// hyperVWriterID is the stable writer ID of the Microsoft Hyper-V VSS Writer,
// in the canonical form extractors write (lower case, no braces).
const hyperVWriterID = "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de"

// hostWriterListings returns the writers of the listings that may come from
// the Hyper-V host: listings taken inside a domain-controller guest (they
// hold the NTDS writer, ntdsWriterID) are left out, since a guest never has the Hyper-V
// writer. hasHyperV reports whether any of them lists the Hyper-V writer.
func hostWriterListings(ix *index) (writers []*evidence.Evidence, hasHyperV bool) {
	guest := map[string]bool{}
	for _, w := range ix.of(evidence.KindVSSWriter) {
		if strings.EqualFold(w.Attrs["writer_id"], ntdsWriterID) {
			guest[w.Source] = true
		}
	}
	for _, w := range ix.of(evidence.KindVSSWriter) {
		if guest[w.Source] {
			continue
		}
		writers = append(writers, w)
		hasHyperV = hasHyperV || isHyperVWriter(w)
	}
	return writers, hasHyperV
}

// hypervWriterMissing fires when a host writer listing was collected but
// holds no Hyper-V writer: on a Hyper-V host that means VMMS is not running
// or its writer failed to register, and host-level backups of VMs cannot
// work. It cites every such listing (the first writer of each), since the
// evidence is what is absent from them.
func hypervWriterMissing(ix *index) []*evidence.Evidence {
	writers, hasHyperV := hostWriterListings(ix)
	if len(writers) == 0 || hasHyperV {
		return nil
	}
	return firstPerSource(writers)
}

// vssNoHyperVInBundle is the innocent reading of a writer listing without
// the Hyper-V writer: nothing else in the bundle shows that the machine runs
// Hyper-V (no VM, checkpoint, virtual disk or Hyper-V event), so the listing
// may come from a guest or from a server without the role. It cites the
// listings, like hypervWriterMissing.
func vssNoHyperVInBundle(ix *index) []*evidence.Evidence {
	writers, hasHyperV := hostWriterListings(ix)
	if len(writers) == 0 || hasHyperV {
		return nil
	}
	for _, k := range []evidence.Kind{evidence.KindVM, evidence.KindSnapshot, evidence.KindVMDisk, evidence.KindHost, evidence.KindDisk, evidence.KindDiskInfo, evidence.KindChainLink} {
		if len(ix.of(k)) > 0 {
			return nil
		}
	}
	for _, e := range ix.of(evidence.KindEvent) {
		if isHyperVProvider(e.Attrs[evidence.AttrProvider]) {
			return nil
		}
	}
	return firstPerSource(writers)
}

func isHyperVWriter(w *evidence.Evidence) bool {
	return strings.EqualFold(w.Attrs["writer_id"], hyperVWriterID) || strings.Contains(strings.ToLower(w.Attrs[evidence.AttrName]), "hyper-v")
}

// isHyperVProvider reports the providers of the Hyper-V management stack
// (VMMS, Worker, StorageVSP, High-Availability, Config…).
func isHyperVProvider(p string) bool {
	return strings.HasPrefix(strings.ToLower(p), "microsoft-windows-hyper-v")
}

// firstPerSource keeps the first item of each source file, in order: the
// citation for a fact that is about a whole file.
func firstPerSource(list []*evidence.Evidence) []*evidence.Evidence {
	seen := map[string]bool{}
	var out []*evidence.Evidence
	for _, e := range list {
		if !seen[e.Source] {
			seen[e.Source] = true
			out = append(out, e)
		}
	}
	return out
}
