package rules

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// checkpointChecks are the checks of catalog/checkpoint.json.
var checkpointChecks = map[string]check{
	"checkpoint.upgraded-after-checkpoint":    upgradedAfterCheckpoint,
	"checkpoint.restore-failed-after-upgrade": restoreFailedAfterUpgrade,
	"checkpoint.user-older-than-week":         userCheckpointsOlderThan(7 * 24 * time.Hour),
	"checkpoint.user-older-than-month":        userCheckpointsOlderThan(30 * 24 * time.Hour),
	"checkpoint.disk-not-in-listing":          checkpointDiskNotInListing,
	"checkpoint.standard-on-dc":               standardCheckpointOnDC,
	"checkpoint.standard-on-dc-named":         standardCheckpointOnDCByName,
	"checkpoint.standard-on-dc-genid":         standardCheckpointOnDCGenID,
	"checkpoint.dc-rollback-logged":           dcCheckpointRollbackLogged,
	"checkpoint.deep-chain":                   deepCheckpointChain,
	"checkpoint.disabled-with-failure":        checkpointTypeWithFailure("Disabled", false),
	"checkpoint.production-only-with-failure": checkpointTypeWithFailure("ProductionOnly", true),
}

// checkpointCheckEvents are the event providers the checkpoint checks read (see checkEvents).
var checkpointCheckEvents = map[string][]string{
	"checkpoint.upgraded-after-checkpoint":    {providerKernelGeneral, providerEventLog},
	"checkpoint.restore-failed-after-upgrade": {providerKernelGeneral, providerEventLog, providerVMMS, providerWorker},
	"checkpoint.standard-on-dc":               {providerKernelGeneral, providerEventLog},
	"checkpoint.standard-on-dc-genid":         {providerKernelGeneral, providerEventLog},
	"checkpoint.dc-rollback-logged":           {providerADDS + ":2095", providerADDS + ":2103", "NTDS Replication:2095", "NTDS General:2103"},
	"checkpoint.disabled-with-failure":        {providerVMMS, providerWorker},
	"checkpoint.production-only-with-failure": {providerVMMS, providerWorker},
}

// deepChainLinks is the chain depth from which every read of the VM's disk
// walks a long list of files: I/O slows down, merges take hours, and one
// damaged link costs every checkpoint above it.
const deepChainLinks = 8

// deepCheckpointChain fires for a differencing chain, rebuilt from the disk
// headers, that is deepChainLinks or more links long. It cites the links of
// the deepest chain, from the leaf down.
func deepCheckpointChain(ix *index) []*evidence.Evidence {
	parentOf := map[string]*evidence.Evidence{}
	isParent := map[string]bool{}
	for _, l := range ix.of(evidence.KindChainLink) {
		if p := l.Attrs["parent"]; p != "" {
			parentOf[l.Attrs["child"]] = l
			isParent[p] = true
		}
	}
	var deepest []*evidence.Evidence
	for child, l := range parentOf {
		if isParent[child] {
			continue // not a leaf
		}
		var chain []*evidence.Evidence
		seen := map[string]bool{}
		for cur := l; cur != nil && !seen[cur.Attrs["child"]]; cur = parentOf[cur.Attrs["parent"]] {
			seen[cur.Attrs["child"]] = true
			chain = append(chain, cur)
		}
		if len(chain) > len(deepest) || (len(chain) == len(deepest) && len(chain) > 0 && chain[0].Source < deepest[0].Source) {
			deepest = chain
		}
	}
	if len(deepest) < deepChainLinks {
		return nil
	}
	return deepest
}

// Providers whose events the checkpoint, config and cluster checks read.
const (
	providerKernelGeneral = "Microsoft-Windows-Kernel-General"
	providerEventLog      = "EventLog"
	providerVMMS          = "Microsoft-Windows-Hyper-V-VMMS"
	providerWorker        = "Microsoft-Windows-Hyper-V-Worker"
)

// osVersion is the Windows version a host reported at one boot. The QFE
// (monthly update revision) is left out on purpose: a cumulative update
// does not invalidate checkpoints, a feature or in-place upgrade does.
type osVersion struct {
	major, minor, build int
}

func (v osVersion) String() string {
	return strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor) + "." + strconv.Itoa(v.build)
}

// bootVersion reads the OS version from a boot event: Kernel-General 12
// (MajorVersion, MinorVersion, BuildVersion) or EventLog 6009 ("10.00."
// and "17763" as its first two strings).
func bootVersion(e *evidence.Evidence) (osVersion, bool) {
	atoi := func(s string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		return n, err == nil && n >= 0
	}
	switch {
	case strings.EqualFold(e.Attrs[evidence.AttrProvider], providerKernelGeneral) && e.Attrs[evidence.AttrEventID] == "12":
		maj, ok1 := atoi(e.Attrs["data.MajorVersion"])
		mnr, ok2 := atoi(e.Attrs["data.MinorVersion"])
		bld, ok3 := atoi(e.Attrs["data.BuildVersion"])
		return osVersion{maj, mnr, bld}, ok1 && ok2 && ok3 && bld > 0
	case strings.EqualFold(e.Attrs[evidence.AttrProvider], providerEventLog) && e.Attrs[evidence.AttrEventID] == "6009":
		parts := strings.Split(strings.Trim(strings.TrimSpace(e.Attrs["data.1"]), "."), ".")
		if len(parts) != 2 {
			// Pasted as text, the event has only its message:
			// "Microsoft (R) Windows (R) 10.00. 22631  Multiprocessor Free."
			m := bootMessageVersion.FindStringSubmatch(e.Attrs[evidence.AttrText])
			if m == nil {
				return osVersion{}, false
			}
			maj, ok1 := atoi(m[1])
			mnr, ok2 := atoi(m[2])
			bld, ok3 := atoi(m[3])
			return osVersion{maj, mnr, bld}, ok1 && ok2 && ok3 && bld > 0
		}
		maj, ok1 := atoi(parts[0])
		mnr, ok2 := atoi(parts[1])
		bld, ok3 := atoi(e.Attrs["data.2"])
		return osVersion{maj, mnr, bld}, ok1 && ok2 && ok3 && bld > 0
	}
	return osVersion{}, false
}

// bootMessageVersion reads the version in EventLog 6009's message.
var bootMessageVersion = regexp.MustCompile(`\b(\d{1,2})\.(\d{2})\.\s+(\d{4,6})\b`)

// osUpgrade is a boot that came up on another version than the boot
// before it on the same computer.
type osUpgrade struct {
	boot     *evidence.Evidence // the first boot event showing the new version
	from, to osVersion
}

// bootVersions lists, per computer and in time order, the boot events
// that carry an OS version.
func bootVersions(ix *index) map[string][]*evidence.Evidence {
	byHost := map[string][]*evidence.Evidence{}
	for _, e := range ix.of(evidence.KindEvent) {
		if e.Time.IsZero() {
			continue
		}
		if _, ok := bootVersion(e); ok {
			h := strings.ToLower(e.Attrs[evidence.AttrComputer])
			byHost[h] = append(byHost[h], e)
		}
	}
	return byHost
}

// osUpgrades finds every version change between consecutive boots of one
// computer, oldest first.
func osUpgrades(ix *index) []osUpgrade {
	var out []osUpgrade
	for _, boots := range bootVersions(ix) {
		prev, _ := bootVersion(boots[0])
		for _, b := range boots[1:] {
			v, _ := bootVersion(b)
			if v != prev {
				out = append(out, osUpgrade{boot: b, from: prev, to: v})
			}
			prev = v
		}
	}
	slices.SortFunc(out, func(a, b osUpgrade) int {
		return cmp.Or(a.boot.Time.Compare(b.boot.Time), strings.Compare(a.boot.Source, b.boot.Source))
	})
	return out
}

// checkpointsBefore lists the checkpoints still present in the bundle that
// were created before t. Checkpoint times come from cmdlet output in host
// local time while event times are UTC, so a checkpoint counts only when it
// is older than t by more than any time-zone offset (14 hours).
func checkpointsBefore(ix *index, t time.Time) []*evidence.Evidence {
	const tzSlack = 14 * time.Hour
	var out []*evidence.Evidence
	for _, s := range ix.of(evidence.KindSnapshot) {
		if !s.Time.IsZero() && s.Time.Add(tzSlack).Before(t) {
			out = append(out, s)
		}
	}
	return out
}

// upgradedAfterCheckpoint fires when the host's OS version changed at a
// boot that came after checkpoints that still exist: those checkpoints
// were taken on the old OS, and restoring or exporting them on the new
// one is what fails (hyperv-triage-facts.md §1.10). It cites the boot
// event that shows the new version and the checkpoints older than it.
func upgradedAfterCheckpoint(ix *index) []*evidence.Evidence {
	for _, up := range osUpgrades(ix) {
		if old := checkpointsBefore(ix, up.boot.Time); len(old) > 0 {
			return append([]*evidence.Evidence{up.boot}, old...)
		}
	}
	return nil
}

// checkpointUseText recognises a Hyper-V error about using a checkpoint
// that exists: apply, restore, revert, export or merge it. Making a new
// checkpoint is not among them: an upgrade does not break that, and a
// production checkpoint that VSS cannot make after the upgrade is a VSS
// story. checkpointWordText says the error is
// about a checkpoint at all; 0xC03A000E (identifier mismatch) and
// 0x8000FFFF (catastrophic failure) on a use of one say so too.
var (
	checkpointUseText  = regexp.MustCompile(`(?i)\b(?:appl(?:y|ied|ying)|restor\w*|revert\w*|export\w*|merg\w*)\b`)
	checkpointWordText = regexp.MustCompile(`(?i)checkpoint|snapshot|\.avhdx?\b`)
)

// isRestoreFailure reports whether a VMMS or Worker error says that using
// an existing checkpoint failed: the text names apply, restore, revert,
// export or merge, and either a checkpoint or one of the two codes. An
// error that names only the creation of a checkpoint is not one.
func isRestoreFailure(e *evidence.Evidence) bool {
	p := e.Attrs[evidence.AttrProvider]
	if !strings.EqualFold(p, providerVMMS) && !strings.EqualFold(p, providerWorker) {
		return false
	}
	if lvl := e.Attrs[evidence.AttrLevel]; lvl != "1" && lvl != "2" {
		return false
	}
	text := e.Attrs[evidence.AttrText]
	if !checkpointUseText.MatchString(text) {
		return false
	}
	h := e.Attrs[evidence.AttrHResults]
	return checkpointWordText.MatchString(text) || strings.Contains(h, "0xc03a000e") || strings.Contains(h, "0x8000ffff")
}

// concernsCheckpoints reports whether a failure is about a VM that has one
// of the checkpoints (by VM name or ID), or names one of them; a failure
// that says neither is not tied to them.
func concernsCheckpoints(e *evidence.Evidence, old []*evidence.Evidence) bool {
	vm, id := strings.ToLower(e.VM()), strings.ToLower(strings.Trim(e.Attrs[evidence.AttrVMID], "{}"))
	text := strings.ToLower(e.Attrs[evidence.AttrText])
	for _, s := range old {
		switch {
		case vm != "" && strings.EqualFold(s.VM(), vm),
			id != "" && strings.EqualFold(strings.Trim(s.Attrs[evidence.AttrVMID], "{}"), id),
			s.Attrs[evidence.AttrName] != "" && strings.Contains(text, strings.ToLower(s.Attrs[evidence.AttrName])):
			return true
		}
	}
	return false
}

// restoreFailedAfterUpgrade fires when, after an OS upgrade that came
// after surviving checkpoints, a VMMS or Worker error reports a failure to
// use one of those checkpoints (apply, restore, revert, export, merge) for
// a VM that has one, or names one. Alone an upgrade is only a risk; the
// failure after it is what ties the upgrade to the customer's problem. A
// checkpoint that fails to be created after the upgrade does not count.
// It cites the failure events.
func restoreFailedAfterUpgrade(ix *index) []*evidence.Evidence {
	for _, up := range osUpgrades(ix) {
		old := checkpointsBefore(ix, up.boot.Time)
		if len(old) == 0 {
			continue
		}
		var out []*evidence.Evidence
		for _, e := range ix.of(evidence.KindEvent) {
			if e.Time.After(up.boot.Time) && isRestoreFailure(e) && concernsCheckpoints(e, old) {
				out = append(out, e)
			}
		}
		// A cmdlet's or dialog's error carries no time: pasted with boot
		// events that show the upgrade, it is what the customer sees now.
		for _, k := range []evidence.Kind{evidence.KindCmdError, evidence.KindChainError} {
			for _, e := range ix.of(k) {
				text := e.Attrs[evidence.AttrText]
				if e.Time.IsZero() && checkpointUseText.MatchString(text) && checkpointWordText.MatchString(text) &&
					(concernsCheckpoints(e, old) || namesNoVM(e) && oneVM(old)) {
					out = append(out, e)
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// namesNoVM says an item names no VM, by name or ID.
func namesNoVM(e *evidence.Evidence) bool { return e.VM() == "" && e.Attrs[evidence.AttrVMID] == "" }

// oneVM says the checkpoints all belong to one VM.
func oneVM(list []*evidence.Evidence) bool {
	for _, s := range list {
		if !strings.EqualFold(s.VM(), list[0].VM()) {
			return false
		}
	}
	return len(list) > 0
}

// isUserCheckpoint reports whether a checkpoint was taken by a user:
// Windows lists production and standard checkpoints alike as Standard.
// Planned is a checkpoint of a planned VM (an import or a replica being
// prepared), Recovery a backup product's, Replica* Hyper-V Replica's.
func isUserCheckpoint(e *evidence.Evidence) bool {
	return strings.EqualFold(e.Attrs["snapshot_type"], "Standard")
}

// userCheckpointsOlderThan returns a check for user checkpoints (listed as
// Standard, production ones included) created more than age before the newest time in
// the bundle (ix.latest(), never the clock). Backup (Recovery) and Replica
// checkpoints have their own life cycle and are not counted. It cites
// every such checkpoint.
func userCheckpointsOlderThan(age time.Duration) check {
	return func(ix *index) []*evidence.Evidence {
		latest := ix.latest()
		var out []*evidence.Evidence
		for _, s := range ix.of(evidence.KindSnapshot) {
			if isUserCheckpoint(s) && !s.Time.IsZero() && latest.Sub(s.Time) > age {
				out = append(out, s)
			}
		}
		return out
	}
}

// listedDirs returns the folders a listing covers (lower case, slash
// separated) and the files it shows (lower-case full paths).
func listedDirs(ix *index) (dirs, files map[string]bool) {
	dirs, files = map[string]bool{}, map[string]bool{}
	for _, f := range ix.of(evidence.KindFile) {
		p := f.Attrs[evidence.AttrPath]
		if p == "" || f.Attrs["dir"] == "" {
			continue
		}
		dirs[winDir(p)] = true
		files[strings.ToLower(strings.ReplaceAll(p, `\`, "/"))] = true
	}
	return dirs, files
}

// checkpointDiskNotInListing fires for a checkpoint whose disk files are
// absent from a folder listing that covers their folder: the checkpoint is
// listed but its AVHDX (or the disk it was taken of) is gone. A folder the
// listing does not cover says nothing, so its files are not judged. It
// cites the checkpoint.
func checkpointDiskNotInListing(ix *index) []*evidence.Evidence {
	dirs, files := listedDirs(ix)
	if len(files) == 0 {
		return nil
	}
	var out []*evidence.Evidence
	for _, s := range ix.of(evidence.KindSnapshot) {
		for _, p := range diskPathsOf(s) {
			key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(p), `\`, "/"))
			if dirs[winDir(p)] && !files[key] {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// ntdsWriterID is the NTDS (Active Directory) VSS writer: it exists only on
// a domain controller.
const ntdsWriterID = "b2014c9e-8711-4c5c-a5a9-3cf384484757"

// nameTokens splits a bundle path into lower-case words, so that a writer
// listing saved as "guests/DC01/writers.txt" or "DC01_vss_writers.txt" can
// be tied to the guest DC01.
var tokenSep = regexp.MustCompile(`[^a-z0-9]+`)

func nameTokens(p string) map[string]bool {
	m := map[string]bool{}
	for _, t := range tokenSep.Split(strings.ToLower(p), -1) {
		if t != "" {
			m[t] = true
		}
	}
	return m
}

// guestDCWriters maps a VM name (lower case) to the NTDS writer block that
// proves the guest is a domain controller. A writer listing counts as the
// guest's when it has an NTDS writer, has no Hyper-V writer (so it was not
// taken on the host), and its file path names the VM.
func guestDCWriters(ix *index) map[string]*evidence.Evidence {
	type listing struct {
		ntds   *evidence.Evidence
		hyperv bool
	}
	bySource := map[string]*listing{}
	for _, w := range ix.of(evidence.KindVSSWriter) {
		l := bySource[w.Source]
		if l == nil {
			l = &listing{}
			bySource[w.Source] = l
		}
		id := strings.ToLower(strings.Trim(w.Attrs["writer_id"], "{}"))
		switch {
		case id == hyperVWriterIDForDC || strings.Contains(strings.ToLower(w.Attrs[evidence.AttrName]), "hyper-v"):
			l.hyperv = true
		case id == ntdsWriterID || strings.EqualFold(w.Attrs[evidence.AttrName], "NTDS"):
			l.ntds = w
		}
	}
	vms := map[string]bool{}
	for _, k := range []evidence.Kind{evidence.KindVM, evidence.KindSnapshot} {
		for _, e := range ix.of(k) {
			if vm := strings.ToLower(e.VM()); vm != "" {
				vms[vm] = true
			}
		}
	}
	out := map[string]*evidence.Evidence{}
	for src, l := range bySource {
		if l.ntds == nil || l.hyperv {
			continue
		}
		tokens := nameTokens(src)
		for vm := range vms {
			if tokens[vm] || (len(vm) >= 4 && strings.Contains(strings.ToLower(src), vm)) {
				out[vm] = l.ntds
			}
		}
	}
	return out
}

// hyperVWriterIDForDC is the Hyper-V writer ID, repeated here so that this
// area does not depend on the vss area's file.
const hyperVWriterIDForDC = "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de"

// Windows lists production and standard checkpoints alike as SnapshotType
// Standard ("Planned" is a checkpoint of a planned VM, not a production
// one). What tells them apart is what the checkpoint holds: a standard
// checkpoint of a running VM keeps its saved state (<ID>.vmrs, or .bin and
// .vsv for configuration version 5.0) beside its configuration; a
// production checkpoint has none.

// checkpointState says whether a checkpoint holds saved state, as far as
// the listings show: known is false when no listing shows the
// checkpoint's configuration file.
func checkpointState(ix *index, s *evidence.Evidence) (holds, known bool) {
	id := strings.ToLower(strings.Trim(s.Attrs["id"], "{} "))
	if id == "" {
		return false, false
	}
	for _, f := range ix.of(evidence.KindFile) {
		p := strings.ToLower(f.Attrs[evidence.AttrPath])
		name := strings.ToLower(f.Attrs[evidence.AttrName])
		stem := strings.TrimSuffix(name, path.Ext(name))
		switch {
		case stem == id && (f.Attrs["ext"] == ".vmcx" || f.Attrs["ext"] == ".xml"):
			known = true
		case stem == id && f.Attrs["ext"] == ".vmrs" && parseSize(f.Attrs["size"]) >= 1<<20:
			holds = true
		case strings.Contains(p, `\`+id+`\`) && (f.Attrs["ext"] == ".bin" || f.Attrs["ext"] == ".vsv"):
			holds, known = true, true
		}
	}
	return holds, known || holds
}

// vmGenerationIDBuild is the first Windows build with VM-Generation ID
// (Windows Server 2012): a DC on such a guest and host notices a revert
// and resets its invocation ID instead of rolling back silently.
const vmGenerationIDBuild = 9200

// silentRollback says whether reverting the DC VM would roll Active
// Directory back silently: its guest (boot events of a computer named like
// the VM) or a host (every other computer's boots) runs a build older than
// Windows Server 2012. It returns the boot event that shows it.
func silentRollback(ix *index, vm string) *evidence.Evidence {
	for host, boots := range bootVersions(ix) {
		_ = host
		for _, e := range boots {
			if v, ok := bootVersion(e); ok && v.build < vmGenerationIDBuild {
				return e
			}
		}
	}
	return nil
}

// dcCheckpoints returns, for each checkpoint of a VM whose own writer
// listing shows the NTDS writer, the checkpoint, the NTDS writer and
// whether the checkpoint holds saved state (a standard checkpoint) and is
// known to.
func dcCheckpoints(ix *index, each func(s, ntds *evidence.Evidence, holds, known bool)) {
	dcs := guestDCWriters(ix)
	for _, s := range ix.of(evidence.KindSnapshot) {
		w := dcs[strings.ToLower(s.VM())]
		if w == nil || !strings.EqualFold(s.Attrs["snapshot_type"], "Standard") {
			continue
		}
		holds, known := checkpointState(ix, s)
		each(s, w, holds, known)
	}
}

// standardCheckpointOnDC fires for a standard checkpoint (one holding saved
// state) of a domain controller where applying it is a silent USN
// rollback: the guest or the host predates VM-Generation ID. It cites the
// checkpoint, the NTDS writer and the boot event showing the old build.
func standardCheckpointOnDC(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	dcCheckpoints(ix, func(s, w *evidence.Evidence, holds, _ bool) {
		if !holds {
			return
		}
		if old := silentRollback(ix, s.VM()); old != nil {
			out = appendNew(out, s, w, old)
		}
	})
	return out
}

// standardCheckpointOnDCGenID fires for a standard checkpoint of a domain
// controller where nothing shows a build older than VM-Generation ID: the
// DC would notice a revert and discard its invocation ID, so the risk is
// stale data and a slower recovery, not silent divergence. It cites the
// checkpoint and the NTDS writer.
func standardCheckpointOnDCGenID(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	dcCheckpoints(ix, func(s, w *evidence.Evidence, holds, _ bool) {
		if holds && silentRollback(ix, s.VM()) == nil {
			out = appendNew(out, s, w)
		}
	})
	return out
}

// dcCheckpointRollbackLogged fires when Active Directory already logged a
// USN rollback or an unsupported restore (2095, 2103) and a checkpoint of
// that domain controller exists (production or standard: the damage is
// done). It cites the checkpoints and the AD events.
func dcCheckpointRollbackLogged(ix *index) []*evidence.Evidence {
	var ad []*evidence.Evidence
	for _, k := range []providerID{{"microsoft-windows-activedirectory_domainservice", "2095"}, {"microsoft-windows-activedirectory_domainservice", "2103"},
		{"ntds replication", "2095"}, {"ntds general", "2103"}} {
		ad = append(ad, ix.eventsByPID[k]...)
	}
	var out []*evidence.Evidence
	for _, s := range ix.of(evidence.KindSnapshot) {
		if !isUserCheckpoint(s) || s.VM() == "" {
			continue
		}
		for _, e := range ad {
			short, _, _ := strings.Cut(strings.ToLower(e.Attrs[evidence.AttrComputer]), ".")
			if short == strings.ToLower(s.VM()) || mentionsVM(e, s.VM()) || nameTokens(e.Source)[strings.ToLower(s.VM())] {
				out = appendNew(out, s, e)
			}
		}
	}
	return out
}

// appendNew appends the items not yet in list.
func appendNew(list []*evidence.Evidence, items ...*evidence.Evidence) []*evidence.Evidence {
	for _, e := range items {
		if !slices.Contains(list, e) {
			list = append(list, e)
		}
	}
	return list
}

// dcName matches the naming conventions domain controllers commonly get
// (DC01, CONTOSO-DC2, ADDS01, PDC). A name proves nothing, so the signal
// using it is weak.
var dcName = regexp.MustCompile(`(?i)(^|[-_.])(p?dc|adds?|addc)[0-9]*([-_.]|$)|^dc[0-9]`)

// NamedLikeDC reports whether a VM name follows a domain controller naming
// convention, the hint the standard-on-dc-named signal reads. The
// redactor keeps the hint in the pseudonym (VM-DC-n).
func NamedLikeDC(name string) bool { return dcName.MatchString(name) }

// standardCheckpointOnDCByName fires for a Standard checkpoint of a VM
// whose name looks like a domain controller's, when nothing proves it is
// one. It cites the checkpoint.
func standardCheckpointOnDCByName(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	proven := guestDCWriters(ix)
	for _, s := range ix.of(evidence.KindSnapshot) {
		if proven[strings.ToLower(s.VM())] != nil {
			continue // the writer listing decides, not the name
		}
		if !strings.EqualFold(s.Attrs["snapshot_type"], "Standard") || !dcName.MatchString(s.VM()) {
			continue
		}
		if holds, known := checkpointState(ix, s); known && !holds {
			continue // a production checkpoint: it went through the guest's VSS
		}
		out = append(out, s)
	}
	return out
}

// checkpointFailureText tells a failed checkpoint from other Hyper-V errors.
var checkpointFailureText = regexp.MustCompile(`(?i)checkpoint|snapshot`)

// checkpointFailuresOf returns the Hyper-V error events about a checkpoint
// of the VM: the event names the VM in its fields or in its text.
func checkpointFailuresOf(ix *index, vm string) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindEvent) {
		if !isHyperVProvider(e.Attrs[evidence.AttrProvider]) || (e.Attrs[evidence.AttrLevel] != "2" && e.Attrs[evidence.AttrLevel] != "1") {
			continue
		}
		if !checkpointFailureText.MatchString(e.Attrs[evidence.AttrText]) {
			continue
		}
		if strings.EqualFold(e.VM(), vm) || mentionsVM(e, vm) {
			out = append(out, e)
		}
	}
	return out
}

// checkpointTypeWithFailure finds VMs whose CheckpointType is the given
// setting and whose checkpoint failed (a Hyper-V error event about a
// checkpoint of that VM). With guestSide, a VM whose Backup (volume shadow
// copy) integration service is off or not answering counts too: with
// ProductionOnly it cannot get any checkpoint. It cites the VM's inventory
// line and what failed.
func checkpointTypeWithFailure(setting string, guestSide bool) check {
	return func(ix *index) []*evidence.Evidence {
		var out []*evidence.Evidence
		for _, vm := range ix.of(evidence.KindVM) {
			if !strings.EqualFold(vm.Attrs["checkpoint_type"], setting) || vm.VM() == "" {
				continue
			}
			why := checkpointFailuresOf(ix, vm.VM())
			if guestSide {
				for _, s := range ix.of(evidence.KindIntegration) {
					if s.Attrs["service"] == "vss" && strings.EqualFold(s.VM(), vm.VM()) &&
						(s.Attrs["enabled"] == "false" || s.Attrs["status_ok"] == "false") {
						why = append(why, s)
					}
				}
			}
			if len(why) > 0 {
				out = append(append(out, vm), why...)
			}
		}
		return out
	}
}
