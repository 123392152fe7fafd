package evidence

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind says what an evidence item is. Extractors and the catalog agree on
// these names; the catalog loader rejects a signal naming an unknown kind.
type Kind string

// Evidence kinds, produced by the extractors in analyze/.
const (
	KindEvent       Kind = "event"           // one event record (EVTX or XML export)
	KindVSSWriter   Kind = "vss.writer"      // one writer block of `vssadmin list writers`
	KindVSSProvider Kind = "vss.provider"    // one provider of `vssadmin list providers`
	KindVSSShadow   Kind = "vss.shadow"      // one shadow copy of `vssadmin list shadows`
	KindVSSStorage  Kind = "vss.storage"     // one association of `vssadmin list shadowstorage`
	KindDisk        Kind = "disk"            // one VHDX/VHD header
	KindDiskInfo    Kind = "disk.info"       // one disk as reported by Get-VHD
	KindChainLink   Kind = "chain.link"      // one child→parent link of a rebuilt chain, with its verdict
	KindChainIssue  Kind = "chain.issue"     // one problem the chain rebuild found (linkage mismatch, missing parent, orphan…)
	KindChainError  Kind = "chain.error"     // a Get-VHDChain row of type Error or a Get-VHD error record
	KindSnapshot    Kind = "vm.snapshot"     // one checkpoint (Get-VMSnapshot, SDP basic info)
	KindVM          Kind = "vm"              // one VM (Get-VM, SDP basic info)
	KindVMDisk      Kind = "vm.disk"         // one disk attached to a VM (Get-VMHardDiskDrive)
	KindFilter      Kind = "filter"          // one file-system minifilter (fltmc filters)
	KindFilterInst  Kind = "filter.instance" // one filter attached to one volume (fltmc instances)
	KindHost        Kind = "host"            // the Hyper-V host's settings (Get-VMHost)
	KindCmdError    Kind = "command.error"   // a PowerShell or command error printed instead of output
	KindRight       Kind = "right"           // one user right assignment (secedit) or token privilege (whoami /priv)
	KindACL         Kind = "acl"             // one path's ACL (icacls)
	KindFile        Kind = "file"            // one file in a directory listing
	KindVolume      Kind = "volume"          // free space of a volume (dir listings, Get-Volume)
	KindHandle      Kind = "handle"          // an open handle on a file (Handle.exe)
	KindIntegration Kind = "vm.integration"  // one integration service of one VM (Get-VMIntegrationService)
	KindCSVState    Kind = "csv.state"       // one CSV's I/O mode on one node (Get-ClusterSharedVolumeState)
	KindBootEntry   Kind = "boot.entry"      // one entry of the boot configuration (bcdedit /enum)
	KindSysinfo     Kind = "host.sysinfo"    // the Hyper-V requirements systeminfo prints
	KindFileAttr    Kind = "file.attr"       // one file's compression or encryption state (compact, cipher)
	KindService     Kind = "service"         // how one Windows service starts (sc qc, Get-Service)
	KindDerived     Kind = "derived"         // a fact computed by a Go check from other evidence
)

// Attribute keys shared by extractors and the catalog. Event payload fields
// are added as "data.<Name>" (or "data.<N>" for positional classic data) and
// "user.<Name>" for UserData children.
const (
	AttrProvider  = "provider"
	AttrEventID   = "event_id"
	AttrLevel     = "level"
	AttrChannel   = "channel"
	AttrComputer  = "computer"
	AttrText      = "text"     // every payload value joined, for fragment matching
	AttrHResults  = "hresults" // space-separated 0x… codes found in the payload
	AttrVM        = "vm"
	AttrVMID      = "vm_id"
	AttrPath      = "path"
	AttrName      = "name"
	AttrState     = "state"
	AttrLastError = "last_error"
	AttrFailed    = "failed"
	// AttrDiskPaths holds the virtual disk paths a VM or checkpoint uses,
	// one per line (Get-VM / Get-VMSnapshot HardDrives, SDP basic info).
	AttrDiskPaths = "disk_paths"
	// AttrDrive and AttrDriveLetter name the volume an item is about ("D:",
	// "D"), taken from the first path or drive in an event's payload.
	AttrDrive       = "drive"
	AttrDriveLetter = "drive_letter"
	// AttrCSVPath names the Cluster Shared Volume an item is about
	// ("C:\ClusterStorage\Volume1"). A path under C:\ClusterStorage sets
	// it instead of AttrDrive: the drive letter there is the system
	// volume's, and a repair aimed at it would hit the wrong volume.
	AttrCSVPath = "csv_path"
	// AttrTimeLocal marks an item whose time was printed in the host's
	// local time (command outputs, text exports): "true" until the
	// pipeline converts it to UTC, then a note saying how.
	AttrTimeLocal = "time_local"
	// AttrMore counts further identical items an extractor did not keep
	// after this one (to bound memory); the engine counts them as hits.
	AttrMore = "more"
	// AttrWeak marks evidence read from free text (a note, a mail, a
	// transcript) rather than a structured record; AttrSourceKind says
	// which reader found it ("free-text"). See WeakFactor.
	AttrWeak       = "weak"
	AttrSourceKind = "source"
)

// LocatorUnit names what a Locator counts.
type LocatorUnit string

// Locator units.
const (
	UnitRecord LocatorUnit = "record" // an EVTX EventRecordID
	UnitLine   LocatorUnit = "line"   // a 1-based line number in a text file
	UnitOffset LocatorUnit = "offset" // a byte offset in a binary file
	UnitEvent  LocatorUnit = "event"  // the n-th <Event> of an XML export, when no record ID exists
)

// Locator points at the exact place inside a bundle file that an evidence
// item was read from. A zero Locator means "the file as a whole".
type Locator struct {
	Unit  LocatorUnit
	Value int64
}

// AtRecord, AtLine and AtOffset build locators.
func AtRecord(id uint64) Locator { return Locator{UnitRecord, int64(id)} }

// AtLine locates a 1-based line.
func AtLine(n int) Locator { return Locator{UnitLine, int64(n)} }

// AtOffset locates a byte offset.
func AtOffset(off int64) Locator { return Locator{UnitOffset, off} }

// String renders the locator the way reports print it: "record 4711",
// "line 12", "offset 0x10000".
func (l Locator) String() string {
	switch l.Unit {
	case "":
		return "whole file"
	case UnitOffset:
		return fmt.Sprintf("offset 0x%x", l.Value)
	default:
		return string(l.Unit) + " " + strconv.FormatInt(l.Value, 10)
	}
}

// Evidence is one typed fact read from the bundle, with its provenance.
type Evidence struct {
	Kind    Kind
	Source  string    // slash path of the file inside the bundle
	At      Locator   // where in Source
	Time    time.Time // zero when the fact has no time
	Summary string    // one line for people
	Attrs   map[string]string
}

// Attr returns an attribute value ("" when absent).
func (e *Evidence) Attr(key string) string { return e.Attrs[key] }

// VM returns the name of the VM the item concerns, if known.
func (e *Evidence) VM() string { return e.Attrs[AttrVM] }

// Less orders evidence deterministically: by source, then place.
func (e *Evidence) Less(o *Evidence) bool {
	if e.Source != o.Source {
		return e.Source < o.Source
	}
	if e.At.Unit != o.At.Unit {
		return e.At.Unit < o.At.Unit
	}
	if e.At.Value != o.At.Value {
		return e.At.Value < o.At.Value
	}
	if e.Kind != o.Kind {
		return e.Kind < o.Kind
	}
	return e.Summary < o.Summary
}

// Coverage records what kinds of input a bundle holds, so that a cause with
// no evidence can be told apart from a cause nobody collected evidence for.
// Keys are "file:<inventory kind>" and "channel:<event channel>", lower-case.
type Coverage map[string]bool

// CoverOtherHypervisor is the coverage key of a bundle whose text names
// another hypervisor (VMware, VirtualBox, KVM…): its storage and VSS
// events may be another product's guest's.
const CoverOtherHypervisor = "context:other-hypervisor"

// Has reports whether any of the keys is covered.
func (c Coverage) Has(keys ...string) bool {
	for _, k := range keys {
		if c[strings.ToLower(k)] {
			return true
		}
	}
	return false
}

// Add marks a key as covered.
func (c Coverage) Add(key string) { c[strings.ToLower(key)] = true }
