package rules

import (
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// chainChecks are the checks of catalog/chain.json.
var chainChecks = map[string]check{
	"chain.orphan-avhdx-in-listing":        orphanAVHDXInListing,
	"chain.vm-on-avhdx-without-checkpoint": vmOnAVHDXWithoutCheckpoint,
	"chain.stale-recovery-checkpoint":      staleRecoveryCheckpoint,
	"chain.orphan-header":                  orphanHeader,
	"chain.merge-failed-unexplained":       mergeFailedUnexplained,
}

// chainCheckEvents are the event providers the chain checks read (see checkEvents).
var chainCheckEvents = map[string][]string{
	"chain.merge-failed-unexplained": {providerVMMS},
}

// orphanHeader passes on the chain stage's orphan verdicts (a differencing
// disk header that no reference reaches) only where the bundle could tell:
// the chain stage counts any reference, so a bundle holding only
// Get-VMSnapshot output would make the disk the VM runs on look orphaned.
// It cites the chain issue (the child's header).
func orphanHeader(ix *index) []*evidence.Evidence {
	u := diskUsage(ix)
	var out []*evidence.Evidence
	for _, is := range ix.of(evidence.KindChainIssue) {
		if is.Attrs["issue"] == "orphan" && u.judgeable(is.Attrs["child"]) && !u.used[winBase(is.Attrs["child"])] {
			out = append(out, is)
		}
	}
	return out
}

// winBase is the lower-case file name of a Windows (or slash) path.
func winBase(p string) string {
	p = strings.TrimSpace(strings.ReplaceAll(p, `\`, "/"))
	if p == "" {
		return ""
	}
	return strings.ToLower(path.Base(p))
}

// winDir is the lower-case folder of a Windows path, with forward slashes.
func winDir(p string) string {
	p = strings.TrimSpace(strings.ReplaceAll(p, `\`, "/"))
	return strings.ToLower(path.Dir(p))
}

// diskExts are the virtual-disk file extensions, lower case.
var diskExts = []string{".vhd", ".vhdx", ".avhd", ".avhdx", ".vhds"}

func isDiskPath(p string) bool {
	low := strings.ToLower(strings.TrimSpace(p))
	for _, e := range diskExts {
		if strings.HasSuffix(low, e) {
			return true
		}
	}
	return false
}

func isCheckpointDisk(p string) bool {
	low := strings.ToLower(strings.TrimSpace(p))
	return strings.HasSuffix(low, ".avhdx") || strings.HasSuffix(low, ".avhd")
}

// diskPathsOf lists the disk paths an inventory item names: vm and
// vm.snapshot carry several (disk_paths), vm.disk one (path). Items that
// are not file paths (Format-List prints "Hard Drive on SCSI controller…"
// when HardDrives was not expanded) are dropped.
func diskPathsOf(e *evidence.Evidence) []string {
	var raw []string
	switch e.Kind {
	case evidence.KindVMDisk:
		raw = []string{e.Attrs[evidence.AttrPath]}
	case evidence.KindVM, evidence.KindSnapshot:
		raw = strings.Split(e.Attrs[evidence.AttrDiskPaths], "\n")
	}
	var out []string
	for _, p := range raw {
		if isDiskPath(p) {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// guidSuffix is the "_<GUID>" Hyper-V appends to a disk's name for each
// checkpoint differencing disk.
var guidSuffix = regexp.MustCompile(`(?i)_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// diskStem is the name of the disk a checkpoint disk was made from:
// "app01_6f0d…-….avhdx" and "app01.vhdx" both give "app01".
func diskStem(p string) string {
	b := winBase(p)
	if i := strings.LastIndexByte(b, '.'); i > 0 {
		b = b[:i]
	}
	return guidSuffix.ReplaceAllString(b, "")
}

// diskUse is what the bundle says about which disk files are in use.
type diskUse struct {
	// used holds lower-case file names that a VM or checkpoint uses, or
	// that a used disk descends from.
	used map[string]bool
	// current holds the VMs (lower case) whose current disks the bundle
	// shows (Get-VM, Get-VMHardDiskDrive, SDP basic info, Get-VHDChain);
	// anyCurrent is set when there is at least one. Checkpoint references
	// alone never suffice: the disk a VM runs on is not in them.
	current    map[string]bool
	anyCurrent bool
	// blind holds the VMs with a checkpoint whose disks are not listed
	// (the default Get-VMSnapshot table): their intermediate AVHDX files
	// are used by checkpoints the bundle cannot show.
	blind map[string]bool
	// stemVM maps a disk stem to the VM that uses a disk with that stem.
	stemVM map[string]string
}

// diskUsage collects the disk files in use from the VM inventory, the
// checkpoints, Get-VHDChain and the chain rebuilt from the headers.
func diskUsage(ix *index) diskUse {
	u := diskUse{used: map[string]bool{}, blind: map[string]bool{}, stemVM: map[string]string{}, current: map[string]bool{}}
	mark := func(p, vm string) {
		if n := winBase(p); n != "" {
			u.used[n] = true
			if vm != "" {
				if _, ok := u.stemVM[diskStem(p)]; !ok {
					u.stemVM[diskStem(p)] = strings.ToLower(vm)
				}
			}
		}
	}
	for _, k := range []evidence.Kind{evidence.KindVM, evidence.KindVMDisk, evidence.KindSnapshot} {
		for _, e := range ix.of(k) {
			paths := diskPathsOf(e)
			for _, p := range paths {
				mark(p, e.VM())
			}
			if k != evidence.KindSnapshot && len(paths) > 0 {
				u.current[strings.ToLower(e.VM())] = true
				u.anyCurrent = true
			}
			if k == evidence.KindSnapshot && len(paths) == 0 {
				u.blind[strings.ToLower(e.VM())] = true
			}
		}
	}
	// Get-VHDChain walks from each VM's disk to its base: every row it
	// printed is in use. Get-VHD rows are in use only if their disk is,
	// and then so is their parent; follow parents until nothing changes.
	parentOf := map[string]string{}
	for _, e := range ix.of(evidence.KindDiskInfo) {
		if e.Attrs["chain_number"] != "" && e.VM() != "" {
			mark(e.Attrs[evidence.AttrPath], e.VM())
			u.current[strings.ToLower(e.VM())] = true
			u.anyCurrent = true
		}
		if pp := e.Attrs["parent_path"]; pp != "" {
			parentOf[winBase(e.Attrs[evidence.AttrPath])] = winBase(pp)
		}
	}
	for _, e := range ix.of(evidence.KindChainLink) {
		if c, p := winBase(e.Attrs["child"]), winBase(e.Attrs["parent"]); c != "" && p != "" {
			if _, ok := parentOf[c]; !ok {
				parentOf[c] = p
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for c, p := range parentOf {
			if u.used[c] && !u.used[p] {
				u.used[p] = true
				changed = true
			}
		}
	}
	return u
}

// judgeable reports whether the bundle knows enough to call the disk file
// p unreferenced: the VM it belongs to (by disk stem) must have its current
// disks in the bundle and its checkpoints listed with their disks; a file
// no VM's disks resemble needs at least one VM's current disks known.
func (u diskUse) judgeable(p string) bool {
	if owner, ok := u.stemVM[diskStem(p)]; ok {
		return u.current[owner] && !u.blind[owner]
	}
	return u.anyCurrent
}

// orphanAVHDXInListing finds checkpoint disks (.avhdx/.avhd) that a folder
// listing shows but that no VM, no checkpoint and no chain in use refers
// to (hyperv-triage-facts.md §5.1 check 1). The header-based orphan check
// of the chain stage needs the disk headers; this one works from the
// listing alone, by file name. It stays silent when the bundle names no
// disk in use at all, and for a VM whose checkpoints were listed without
// their disks (intermediate AVHDX files then belong to checkpoints the
// bundle cannot show). It cites the listing line of each orphan.
func orphanAVHDXInListing(ix *index) []*evidence.Evidence {
	u := diskUsage(ix)
	var out []*evidence.Evidence
	seen := map[string]bool{}
	for _, f := range ix.of(evidence.KindFile) {
		p := f.Attrs[evidence.AttrPath]
		n := winBase(p)
		if f.Attrs["is_dir"] == "true" || !isCheckpointDisk(p) || u.used[n] || seen[strings.ToLower(p)] || !u.judgeable(p) {
			continue
		}
		seen[strings.ToLower(p)] = true
		out = append(out, f)
	}
	return out
}

// vmOnAVHDXWithoutCheckpoint finds VMs whose current disk is a checkpoint
// disk (.avhdx) while the bundle's checkpoint inventory lists no checkpoint
// for them (§5.1 check 2): a backup checkpoint whose merge never ran or
// failed, leaving the VM on a differencing disk nobody will merge. A
// differencing disk named .vhdx (a VDI or lab VM built on a golden image
// on purpose) is not a checkpoint disk and is not reported.
//
// "No checkpoint" is only believed when checkpoints were collected for the
// VM: the SDP basic info always has a snapshot section per VM, and a
// Get-VMSnapshot listing that shows other VMs' checkpoints was run for all
// VMs. It cites the inventory line that names the AVHDX.
func vmOnAVHDXWithoutCheckpoint(ix *index) []*evidence.Evidence {
	hasCheckpoint := map[string]bool{}
	snapshotFiles := map[string]bool{}
	for _, s := range ix.of(evidence.KindSnapshot) {
		hasCheckpoint[strings.ToLower(s.VM())] = true
		snapshotFiles[s.Source] = true
	}
	sdpVM := map[string]bool{}
	for _, v := range ix.of(evidence.KindVM) {
		if _, ok := v.Attrs["running"]; ok {
			sdpVM[strings.ToLower(v.VM())] = true
		}
	}
	var out []*evidence.Evidence
	reported := map[string]bool{}
	for _, k := range []evidence.Kind{evidence.KindVMDisk, evidence.KindVM} {
		for _, e := range ix.of(k) {
			vm := strings.ToLower(e.VM())
			if vm == "" || hasCheckpoint[vm] || reported[vm] {
				continue
			}
			if !sdpVM[vm] && len(snapshotFiles) == 0 {
				continue // nobody listed checkpoints: absence means nothing
			}
			for _, p := range diskPathsOf(e) {
				if isCheckpointDisk(p) && !strings.EqualFold(winBase(p), "autorecovery.avhdx") {
					out = append(out, e)
					reported[vm] = true
					break
				}
			}
		}
	}
	return out
}

// recoveryGrace is how long a backup product may keep its Recovery
// checkpoint: a job that runs longer than a day is itself a problem.
const recoveryGrace = 24 * time.Hour

// staleRecoveryCheckpoint finds Recovery checkpoints (created by backup
// software through VSS/WMI) created more than recoveryGrace before the
// newest time in the bundle. One taken during a running backup is normal;
// one that outlived its job was never merged back. Age is measured against
// ix.latest(), never the clock, and checkpoints whose creation time could
// not be read unambiguously are skipped.
func staleRecoveryCheckpoint(ix *index) []*evidence.Evidence {
	latest := ix.latest()
	var out []*evidence.Evidence
	for _, s := range ix.of(evidence.KindSnapshot) {
		if strings.EqualFold(s.Attrs["snapshot_type"], "Recovery") && !s.Time.IsZero() && latest.Sub(s.Time) > recoveryGrace {
			out = append(out, s)
		}
	}
	return out
}

// otherCauseMergeCodes are error codes that name the cause of a failed merge
// on their own: the file-system limitation, a compressed or encrypted disk,
// and change-tracking errors. A 19100 quoting one of them belongs to that
// cause, not to a leftover checkpoint.
var otherCauseMergeCodes = regexp.MustCompile(`(?i)0x80070299|0xc0000427|0xc03a001a|0xc03a00(2[0-4]|29|2a|30)`)

// mergeFailedUnexplained returns the VMMS 19100 events (background merge
// failed) whose error code does not belong to another cause.
func mergeFailedUnexplained(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, e := range ix.eventsByPID[providerID{"microsoft-windows-hyper-v-vmms", "19100"}] {
		if !otherCauseMergeCodes.MatchString(e.Attrs[evidence.AttrHResults]) && !otherCauseMergeCodes.MatchString(e.Attrs[evidence.AttrText]) {
			out = append(out, e)
		}
	}
	return out
}
