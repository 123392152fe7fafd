package rules

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// Every Windows server logs storage, file-system and VSS warnings for
// reasons that have nothing to do with Hyper-V: a SATA DVD drive that
// storahci resets every night, a shadow copy whose device vanished, a VSS
// writer tripping over a deleted profile's SID. An engineer reads those
// events only where they can explain a VM's trouble: close before (or just
// after) a Hyper-V failure, and on the volumes that hold VM files. scopeNoise
// applies the same reading before any cause is weighed; what it sets aside
// is kept with the reason, so a ruled-out look-alike can say why its events
// did not count.

const (
	// scopeBefore and scopeAfter bound the window around a Hyper-V
	// failure in which storage, file-system and VSS events can explain it.
	scopeBefore = 6 * time.Hour
	scopeAfter  = time.Hour
	// scopeQuiet is the window before collection used when the bundle
	// shows no Hyper-V failure at all: what the host was doing when the
	// customer asked for help.
	scopeQuiet = 6 * time.Hour
)

// scopedProviders are the event sources whose events are read only in
// scope (lower case). Miniports (storahci, LSI_SAS…) are recognized by
// isMiniport and their event IDs.
var scopedProviders = map[string]bool{
	"disk": true, "ntfs": true, "microsoft-windows-ntfs": true, "microsoft-windows-refs": true, "refs": true,
	"vss": true, "volsnap": true, "iscsiprt": true, "srv": true, "microsoft-windows-storport": true,
	"mpio": true, "msdsm": true, "partmgr": true, "volmgr": true,
}

// miniportIDs are the IoLogMsg events a miniport logs in its own name.
var miniportIDs = map[string]bool{"9": true, "11": true, "15": true, "129": true}

// isScoped reports whether an event is storage, file-system or VSS
// evidence that counts only in scope.
func isScoped(e *evidence.Evidence) bool {
	if e.Kind != evidence.KindEvent {
		return false
	}
	p := strings.ToLower(e.Attrs[evidence.AttrProvider])
	return scopedProviders[p] || (miniportIDs[e.Attrs[evidence.AttrEventID]] && isMiniport(e.Attrs[evidence.AttrProvider]))
}

// neverVMDevice matches devices that never hold VM files: shadow copies,
// USB and removable media, optical drives.
var neverVMDevice = regexp.MustCompile(`(?i)HarddiskVolumeShadowCopy\d*|\\Device\\(CdRom|Floppy)\d*|USBSTOR|USBPDO|\\Device\\USB`)

// removableProviders log only for USB or removable devices.
var removableProviders = map[string]bool{"uaspstor": true, "usbstor": true, "cdrom": true, "sfloppy": true}

// isHyperVFailure reports whether an item is a failure of Hyper-V itself,
// or of a backup or cluster operation on a VM: the moments storage and VSS
// events are read around.
func isHyperVFailure(e *evidence.Evidence) bool {
	if e.Time.IsZero() {
		return false
	}
	switch e.Kind {
	case evidence.KindCmdError, evidence.KindChainError:
		return true
	case evidence.KindEvent:
	default:
		return false
	}
	p := strings.ToLower(e.Attrs[evidence.AttrProvider])
	level := e.Attrs[evidence.AttrLevel]
	failed := level == "1" || level == "2"
	switch {
	case strings.HasPrefix(p, "microsoft-windows-hyper-v-"), p == "microsoft-windows-vhdmp":
		return failed
	case p == "microsoft-windows-failoverclustering":
		switch e.Attrs[evidence.AttrEventID] {
		case "1069", "1205", "1254", "5120", "5142":
			return true
		}
	case p == "microsoft-windows-backup", defaultProducts.IsBackupEventSource(p):
		return failed
	case p == "vss":
		// A VSS error that names the Hyper-V writer is a failed VM backup.
		return (failed || level == "3") && hyperVText.MatchString(e.Attrs[evidence.AttrText])
	}
	return false
}

var hyperVText = regexp.MustCompile(`(?i)hyper-v|66841cd4-6ded-4f4b-8f17-fd23f8ddc3de`)

// window is a span of time in which scoped events count.
type window struct{ from, to time.Time }

// noiseScope is what the bundle tells about where and when VM trouble can be.
type noiseScope struct {
	windows []window
	// quiet is set when no Hyper-V failure was found: the only window is
	// the last hours before collection.
	quiet bool
	// vmVolumes are the volumes holding VM files ("D:", a CSV root, lower
	// case); empty when the bundle does not tell.
	vmVolumes map[string]bool
	// deviceVolume maps device names (\device\harddiskvolume3,
	// \\?\volume{…}) to the volume they are, lower case.
	deviceVolume map[string]string
	// otherHypervisor is set when the bundle names another hypervisor and
	// shows nothing of Hyper-V (showsHyperV): its storage, file-system and
	// VSS events are that product's guest's (VMware Tools quiesces with
	// VSS too), filed under "virtualization".
	otherHypervisor bool
}

// showsHyperV reports whether any item is about Hyper-V: an event of a
// Hyper-V provider, a VM, checkpoint, VM disk or integration service, a
// virtual disk or its chain, a VM file in a listing, or a Hyper-V
// cmdlet's error.
func showsHyperV(evs []evidence.Evidence) bool {
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case evidence.KindEvent:
			if p := e.Attrs[evidence.AttrProvider]; isHyperVProvider(p) || strings.EqualFold(p, "Microsoft-Windows-VHDMP") {
				return true
			}
		case evidence.KindVM, evidence.KindVMDisk, evidence.KindSnapshot, evidence.KindIntegration, evidence.KindHost,
			evidence.KindDisk, evidence.KindDiskInfo, evidence.KindChainLink, evidence.KindChainIssue, evidence.KindChainError:
			return true
		case evidence.KindFile:
			if vmFileExt.MatchString(e.Attrs[evidence.AttrName]) && !strings.HasSuffix(strings.ToLower(e.Attrs[evidence.AttrName]), ".xml") {
				return true
			}
		case evidence.KindCmdError:
			if hyperVCmdlet.MatchString(e.Attrs["command"]) || hyperVErrorText.MatchString(e.Attrs[evidence.AttrText]) {
				return true
			}
		}
	}
	return false
}

var (
	hyperVCmdlet    = regexp.MustCompile(`(?i)-(VM|VHD)[A-Za-z]*$|^Hyper-V Manager$`)
	hyperVErrorText = regexp.MustCompile(`(?i)hyper-?v|\.a?vhdx\b|\bvmms\b|\bvmwp\b`)
)

// Aside is evidence set aside by scoping, with the reason.
type Aside struct {
	evidence.Evidence
	Why string
}

// scopeNoise splits the evidence into what the rules weigh and what was set
// aside as routine noise.
func scopeNoise(evs []evidence.Evidence, cov evidence.Coverage) (kept []evidence.Evidence, aside []Aside) {
	sc := newScope(evs)
	sc.otherHypervisor = cov.Has(evidence.CoverOtherHypervisor) && !showsHyperV(evs)
	kept = make([]evidence.Evidence, 0, len(evs))
	for i := range evs {
		e := &evs[i]
		if !isScoped(e) {
			kept = append(kept, *e)
			continue
		}
		if why := sc.outside(e); why != "" {
			aside = append(aside, Aside{Evidence: *e, Why: why})
			continue
		}
		kept = append(kept, *e)
	}
	return kept, aside
}

func newScope(evs []evidence.Evidence) *noiseScope {
	sc := &noiseScope{vmVolumes: map[string]bool{}, deviceVolume: map[string]string{}}
	var latest time.Time
	var failures []time.Time
	for i := range evs {
		e := &evs[i]
		if e.Time.After(latest) {
			latest = e.Time
		}
		if isHyperVFailure(e) {
			failures = append(failures, e.Time)
		}
		sc.learnVolumes(e)
	}
	if len(failures) == 0 {
		if !latest.IsZero() {
			sc.windows = []window{{latest.Add(-scopeQuiet), latest}}
		}
		sc.quiet = true
		return sc
	}
	slices.SortFunc(failures, time.Time.Compare)
	for _, t := range failures {
		w := window{t.Add(-scopeBefore), t.Add(scopeAfter)}
		if n := len(sc.windows); n > 0 && !w.from.After(sc.windows[n-1].to) {
			sc.windows[n-1].to = w.to
			continue
		}
		sc.windows = append(sc.windows, w)
	}
	return sc
}

// vmFileExt matches the files that make a volume a VM volume.
var vmFileExt = regexp.MustCompile(`(?i)\.(a?vhdx?|vhds|vmcx|vmrs|vmgs|vsv|bin|xml)$`)

// volumeGUIDPattern finds a volume GUID path with the drive vssadmin prints
// before it: "(C:)\\?\Volume{…}\".
var volumeGUIDPattern = regexp.MustCompile(`(?i)(?:\(([a-z]:)\))?\s*(\\\\\?\\volume\{[0-9a-f-]+\})`)

// learnVolumes records the VM volumes and device names an item reveals.
func (sc *noiseScope) learnVolumes(e *evidence.Evidence) {
	addPath := func(p string) {
		if v := volumeOf(p); v != "" {
			sc.vmVolumes[v] = true
		}
	}
	switch e.Kind {
	case evidence.KindVM:
		addPath(e.Attrs[evidence.AttrPath])
		for _, p := range strings.Split(e.Attrs[evidence.AttrDiskPaths], "\n") {
			addPath(p)
		}
	case evidence.KindSnapshot:
		for _, p := range strings.Split(e.Attrs[evidence.AttrDiskPaths], "\n") {
			addPath(p)
		}
	case evidence.KindVMDisk, evidence.KindDiskInfo:
		addPath(e.Attrs[evidence.AttrPath])
	case evidence.KindFile:
		if e.Attrs["is_dir"] != "true" && vmFileExt.MatchString(e.Attrs[evidence.AttrPath]) && !strings.EqualFold(e.Attrs["ext"], ".xml") {
			addPath(e.Attrs[evidence.AttrPath])
		}
	case evidence.KindHost:
		addPath(e.Attrs["vm_path"])
		addPath(e.Attrs["vhd_path"])
	case evidence.KindVSSShadow, evidence.KindVSSStorage:
		for _, k := range []string{"volume", "storage_volume", "raw_volume"} {
			for _, m := range volumeGUIDPattern.FindAllStringSubmatch(e.Attrs[k], -1) {
				if m[1] != "" {
					sc.deviceVolume[strings.ToLower(m[2])] = strings.ToLower(m[1])
				}
			}
		}
	case evidence.KindEvent:
		p := strings.ToLower(e.Attrs[evidence.AttrProvider])
		if strings.HasPrefix(p, "microsoft-windows-hyper-v-") || p == "microsoft-windows-vhdmp" {
			addPath(e.Attrs[evidence.AttrPath])
		}
		// Ntfs events name the volume both ways (DriveName, DeviceName).
		if d, dev := e.Attrs["data.DriveName"], e.Attrs["data.DeviceName"]; d != "" && dev != "" {
			if v := volumeOf(d); v != "" {
				sc.deviceVolume[strings.ToLower(strings.TrimSpace(dev))] = v
			}
		}
	}
}

// volumeOf returns the volume of a Windows path, lower case: the CSV root
// for a path under C:\ClusterStorage, else the drive ("d:").
func volumeOf(p string) string {
	p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), `\\?\`))
	if m := csvRootIn.FindStringSubmatch(p); m != nil {
		return strings.ToLower(m[1])
	}
	if len(p) >= 2 && p[1] == ':' && (p[0]|0x20) >= 'a' && (p[0]|0x20) <= 'z' {
		return strings.ToLower(p[:2])
	}
	return ""
}

var csvRootIn = regexp.MustCompile(`(?i)^([a-z]:\\ClusterStorage\\[^\\]+)`)

// deviceInText finds the device names a storage event's payload quotes.
var deviceInText = regexp.MustCompile(`(?i)\\Device\\HarddiskVolume\d+|\\\\\?\\Volume\{[0-9a-f-]+\}`)

// outside says why a scoped event does not count, "" when it does.
func (sc *noiseScope) outside(e *evidence.Evidence) string {
	if sc.otherHypervisor {
		return "the bundle is about another hypervisor (VMware, VirtualBox, KVM…) and shows nothing of Hyper-V: they are that product's guest's"
	}
	text := e.Attrs[evidence.AttrText]
	if removableProviders[strings.ToLower(e.Attrs[evidence.AttrProvider])] || neverVMDevice.MatchString(text) {
		return "they are about a shadow-copy, USB or removable device, which never holds VM files"
	}
	if why := sc.offVMVolume(e); why != "" {
		return why
	}
	if e.Time.IsZero() {
		return "" // cannot be placed in time: it stays
	}
	for _, w := range sc.windows {
		if !e.Time.Before(w.from) && !e.Time.After(w.to) {
			return ""
		}
	}
	if sc.quiet {
		return fmt.Sprintf("the bundle shows no Hyper-V failure, and they are older than the last %s before collection", hours(scopeQuiet))
	}
	return fmt.Sprintf("they are not within %s before or %s after any Hyper-V failure", hours(scopeBefore), hours(scopeAfter))
}

// offVMVolume says when the event names a volume that holds no VM files,
// where the bundle tells which volumes do.
func (sc *noiseScope) offVMVolume(e *evidence.Evidence) string {
	if len(sc.vmVolumes) == 0 {
		return ""
	}
	var vol string
	switch {
	case e.Attrs[evidence.AttrCSVPath] != "":
		vol = strings.ToLower(e.Attrs[evidence.AttrCSVPath])
	case e.Attrs[evidence.AttrDrive] != "":
		vol = strings.ToLower(e.Attrs[evidence.AttrDrive])
	default:
		for _, dev := range deviceInText.FindAllString(e.Attrs[evidence.AttrText], -1) {
			if v, ok := sc.deviceVolume[strings.ToLower(dev)]; ok {
				vol = v
				break
			}
		}
	}
	if vol == "" || sc.vmVolumes[vol] {
		return ""
	}
	vms := make([]string, 0, len(sc.vmVolumes))
	for v := range sc.vmVolumes {
		vms = append(vms, strings.ToUpper(v[:1])+v[1:])
	}
	sort.Strings(vms)
	return fmt.Sprintf("volume %s holds no VM files (the VMs are on %s)", strings.ToUpper(vol[:1])+vol[1:], strings.Join(vms, ", "))
}

func hours(d time.Duration) string {
	if d == time.Hour {
		return "hour"
	}
	return fmt.Sprintf("%d hours", int(d.Hours()))
}

// asideIndex holds the evidence scoping set aside, to tell a ruled-out
// cause's reader which of its events were not counted and why.
type asideIndex struct {
	ix  *index
	why map[*evidence.Evidence]string
}

func newAsideIndex(aside []Aside) asideIndex {
	evs := make([]evidence.Evidence, len(aside))
	for i := range aside {
		evs[i] = aside[i].Evidence
	}
	ai := asideIndex{ix: newIndex(evs), why: map[*evidence.Evidence]string{}}
	// newIndex keeps pointers into evs; map them back to their reasons.
	for i := range evs {
		ai.why[&evs[i]] = aside[i].Why
	}
	return ai
}

// ruledOutWhy is the reason a cause is ruled out: its clear text, preceded
// by the events that would have matched had scoping not set them aside.
func (ai asideIndex) ruledOutWhy(c *Cause) string {
	if n := ai.note(c); n != "" {
		return n + ". Otherwise: " + c.Clear
	}
	return c.Clear
}

// note says which events a cause's signals would have matched had they not
// been set aside, and why they were: "" when there are none.
func (ai asideIndex) note(c *Cause) string {
	if len(ai.why) == 0 {
		return ""
	}
	seen := map[*evidence.Evidence]bool{}
	byWhy := map[string][]*evidence.Evidence{}
	for i := range c.Signals {
		s := &c.Signals[i]
		if s.Check == "" && s.Kind != evidence.KindEvent {
			continue
		}
		for _, h := range ai.ix.match(s) {
			if _, ok := ai.why[h]; ok && !seen[h] {
				seen[h] = true
				byWhy[ai.why[h]] = append(byWhy[ai.why[h]], h)
			}
		}
	}
	if len(byWhy) == 0 {
		return ""
	}
	reasons := make([]string, 0, len(byWhy))
	for why := range byWhy {
		reasons = append(reasons, why)
	}
	sort.Strings(reasons)
	var parts []string
	for _, why := range reasons {
		parts = append(parts, fmt.Sprintf("%s (%s) set aside as routine: %s", plural(countHits(byWhy[why]), "event"), eventNames(byWhy[why]), why))
	}
	return strings.Join(parts, "; ")
}

// eventNames lists the distinct "provider ID" of events, in first-seen order.
func eventNames(evs []*evidence.Evidence) string {
	var names []string
	for _, e := range evs {
		n := e.Attrs[evidence.AttrProvider] + " " + e.Attrs[evidence.AttrEventID]
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
