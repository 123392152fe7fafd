package rules

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// storageChecks are the checks of catalog/storage.json.
var storageChecks = map[string]check{
	"storage.vm-disk-not-in-listing": storageVMDiskNotListed,
	"storage.avhdx-outgrew-parent":   storageAVHDXOutgrewParent,
	"storage.resets-on-several-days": storageResetsOnSeveralDays,
	"storage.volume-nearly-full":     storageVolumeNearlyFull,
	"storage.host-crashes":           storageHostCrashes,
}

// storageCheckEvents are the event providers the storage checks read (see checkEvents).
var storageCheckEvents = map[string][]string{
	"storage.resets-on-several-days": {providerDisk + ":153", providerDisk + ":154"},
	"storage.host-crashes":           {providerWER, providerKernelPower, providerEventLog},
}

// storageHostCrashes returns the records of each host crash: WER 1001
// reporting a bugcheck, Kernel-Power 41 and EventLog 6008. Windows writes
// all three at the boot after one crash, so they are grouped by time (the
// signal's incident_minutes): one crash is one incident however many logs
// record it. A restart without a bugcheck (Kernel-Power 41 with code 0,
// 6008 alone) is a power loss or a reset button, not a hardware witness,
// and is left out.
func storageHostCrashes(ix *index) []*evidence.Evidence {
	var recs []*evidence.Evidence
	for _, k := range []providerID{
		{"microsoft-windows-wer-systemerrorreporting", "1001"},
		{"microsoft-windows-kernel-power", "41"},
		{"eventlog", "6008"},
	} {
		recs = append(recs, ix.eventsByPID[k]...)
	}
	slices.SortFunc(recs, chronological)
	var out, incident []*evidence.Evidence
	bugcheck := false
	flush := func() {
		if bugcheck {
			out = append(out, incident...)
		}
		incident, bugcheck = nil, false
	}
	for _, e := range recs {
		if len(incident) > 0 && e.Time.Sub(incident[len(incident)-1].Time) >= crashIncident {
			flush()
		}
		incident = append(incident, e)
		switch strings.ToLower(e.Attrs[evidence.AttrProvider]) {
		case "microsoft-windows-wer-systemerrorreporting":
			bugcheck = true
		case "microsoft-windows-kernel-power":
			if c := strings.TrimSpace(e.Attrs["data.BugcheckCode"]); c != "" && c != "0" && c != "0x0" {
				bugcheck = true
			}
		}
	}
	flush()
	return out
}

// crashIncident is how far apart the records of one crash can be: they
// are written during the next boot, minutes apart.
const crashIncident = 30 * time.Minute

// storageLowFreeBytes is the free space under which a VM volume is about
// to stop its VMs: a checkpoint's AVHDX grows by the VM's writes, a merge
// needs room, and Hyper-V pauses VMs when the volume fills.
const storageLowFreeBytes = 2 << 30

// storageVolumeNearlyFull fires for each volume a listing reports with less
// than storageLowFreeBytes free.
func storageVolumeNearlyFull(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, v := range ix.of(evidence.KindVolume) {
		if n, err := strconv.ParseInt(v.Attrs["free_bytes"], 10, 64); err == nil && n < storageLowFreeBytes {
			out = append(out, v)
		}
	}
	return out
}

// storageResetDays is how many distinct days must carry resets or retries
// before they point at failing hardware or drivers rather than one incident
// (a backup window, a SAN failover).
const storageResetDays = 3

// storagePathKey normalizes a Windows path for comparison: backslashes, case.
func storagePathKey(p string) string {
	return strings.ToLower(strings.TrimRight(strings.ReplaceAll(strings.TrimSpace(p), "/", `\`), `\`))
}

// storageBase and storageDir split a path normalized by storagePathKey.
func storageBase(p string) string {
	return path.Base(strings.ReplaceAll(p, `\`, "/"))
}

func storageDir(p string) string {
	if i := strings.LastIndexByte(p, '\\'); i >= 0 {
		return p[:i]
	}
	return ""
}

// storageVMDiskNotListed fires for a disk a VM is configured to use
// (Get-VMHardDiskDrive, Get-VM HardDrives, SDP basic info) when a listing
// covers the disk's folder, the file is not in it, and no file of that name
// appears anywhere else in the bundle's listings or disk headers. A file
// found elsewhere is a VM pointing at the wrong place (vm-path-misconfigured),
// not a missing file; a folder no listing covers says nothing either way.
// Checkpoint disks are left to checkpoint-missing-files.
func storageVMDiskNotListed(ix *index) []*evidence.Evidence {
	files := ix.of(evidence.KindFile)
	if len(files) == 0 {
		return nil
	}
	listedDirs := map[string]bool{}
	listed := map[string]bool{}
	names := map[string]bool{}
	for _, f := range files {
		p := storagePathKey(f.Attrs[evidence.AttrPath])
		listed[p] = true
		listedDirs[storageDir(p)] = true
		names[storageBase(p)] = true
	}
	for _, d := range ix.of(evidence.KindDisk) {
		names[strings.ToLower(path.Base(d.Source))] = true
	}
	missing := func(p string) bool {
		k := storagePathKey(p)
		return k != "" && listedDirs[storageDir(k)] && !listed[k] && !names[storageBase(k)]
	}
	var out []*evidence.Evidence
	seen := map[string]bool{}
	for _, d := range ix.of(evidence.KindVMDisk) {
		if p := d.Attrs[evidence.AttrPath]; missing(p) && !seen[storagePathKey(p)] {
			seen[storagePathKey(p)] = true
			out = append(out, d)
		}
	}
	for _, vm := range ix.of(evidence.KindVM) {
		for _, p := range strings.Split(vm.Attrs[evidence.AttrDiskPaths], "\n") {
			if missing(p) && !seen[storagePathKey(p)] {
				seen[storagePathKey(p)] = true
				out = append(out, vm)
			}
		}
	}
	return out
}

// storageAVHDXOutgrewParent fires for a differencing disk in a listing that
// is at least as large as its base disk in the same folder (matched by
// Hyper-V's <base>_<GUID>.avhdx naming): the checkpoint has lived long
// enough to rewrite the whole disk, and the volume is carrying it twice.
func storageAVHDXOutgrewParent(ix *index) []*evidence.Evidence {
	sizes := map[string]int64{}
	for _, f := range ix.of(evidence.KindFile) {
		if f.Attrs["ext"] == ".vhdx" || f.Attrs["ext"] == ".vhd" {
			sizes[storagePathKey(f.Attrs[evidence.AttrPath])] = parseSize(f.Attrs["size"])
		}
	}
	var out []*evidence.Evidence
	for _, f := range ix.of(evidence.KindFile) {
		ext := f.Attrs["ext"]
		if ext != ".avhdx" && ext != ".avhd" {
			continue
		}
		p := storagePathKey(f.Attrs[evidence.AttrPath])
		stem := strings.TrimSuffix(p, ext)
		i := strings.LastIndexByte(stem, '_')
		if i <= 0 {
			continue
		}
		base := stem[:i]
		child := parseSize(f.Attrs["size"])
		for _, pext := range []string{".vhdx", ".vhd"} {
			if parent, ok := sizes[base+pext]; ok && parent > 0 && child >= parent {
				out = append(out, f)
			}
		}
	}
	return out
}

func parseSize(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	if s == "" {
		return -1
	}
	return n
}

// isMiniport tells a storage miniport's event source (storahci, iaStorA,
// LSI_SAS2i…: service names, never hyphenated) from a manifest provider
// that reuses the same event ID (Microsoft-Windows-Time-Service 129).
func isMiniport(provider string) bool {
	return provider != "" && !strings.ContainsAny(provider, "- ")
}

// storageResetsOnSeveralDays fires when storage resets (event 129 from any
// miniport) or disk retries and hardware errors (disk 153, 154) appear on
// storageResetDays or more distinct days: a recurring fault of the
// controller, its driver or firmware, or the device. It cites the first
// such event of each day.
func storageResetsOnSeveralDays(ix *index) []*evidence.Evidence {
	firstOfDay := map[string]*evidence.Evidence{}
	var days []string
	for _, e := range ix.of(evidence.KindEvent) {
		id := e.Attrs[evidence.AttrEventID]
		isReset := id == "129" && isMiniport(e.Attrs[evidence.AttrProvider]) && !strings.EqualFold(e.Attrs[evidence.AttrProvider], "storvsc")
		isDisk := strings.EqualFold(e.Attrs[evidence.AttrProvider], "disk") && (id == "153" || id == "154")
		if (!isReset && !isDisk) || e.Time.IsZero() {
			continue
		}
		day := e.Time.UTC().Format("2006-01-02")
		if _, ok := firstOfDay[day]; !ok {
			firstOfDay[day] = e
			days = append(days, day)
		}
	}
	if len(days) < storageResetDays {
		return nil
	}
	out := make([]*evidence.Evidence, 0, len(days))
	for _, d := range days {
		out = append(out, firstOfDay[d])
	}
	return out
}
