package cmdout

import (
	"fmt"
	"regexp"
	"strings"
)

// This file reads the host-side outputs that tell whether Hyper-V itself
// can work: integration services of each VM (Get-VMIntegrationService),
// Cluster Shared Volume I/O modes (Get-ClusterSharedVolumeState), the boot
// configuration (bcdedit /enum), the Hyper-V requirements of systeminfo,
// and the compression and encryption marks of compact and cipher listings.
// Each record is a Record: it goes to Doc.Records and says its evidence.

// Kinds of the outputs read here.
const (
	KindVMIntegration Kind = "vm-integration"
	KindCSVState      Kind = "csv-state"
	KindBcdedit       Kind = "bcdedit"
	KindSysteminfo    Kind = "systeminfo"
	KindCompact       Kind = "compact"
	KindCipher        Kind = "cipher"
)

// IntegrationService is one Get-VMIntegrationService object.
type IntegrationService struct {
	Line            int
	VMName          string
	VMID            string // canonical GUID form (list and CliXML forms)
	Name            string // as printed; localized on non-English hosts
	Enabled         string // True/False as printed
	PrimaryStatus   string // PrimaryStatusDescription: OK, No Contact, Lost Communication, …
	SecondaryStatus string
	Truncated       bool
}

// vssServiceNames are the names the Backup (volume shadow copy) service is
// printed under: "VSS" by Get-VMIntegrationService on Windows Server 2016
// and later, the Hyper-V Manager wording on older hosts.
var vssServiceName = regexp.MustCompile(`(?i)^vss$|^backup \(volume (shadow copy|snapshot)\)$`)

// IsVSS reports whether the service is Backup (volume shadow copy).
func (s IntegrationService) IsVSS() bool {
	return vssServiceName.MatchString(strings.TrimSpace(s.Name))
}

// integrationServices names the integration services by the names
// Get-VMIntegrationService prints on English hosts (and Hyper-V Manager's
// older wording), so that rules can ask for "the VSS service".
var integrationServices = map[string]string{
	"vss": "vss", "backup (volume shadow copy)": "vss", "backup (volume snapshot)": "vss",
	"heartbeat": "heartbeat", "shutdown": "shutdown", "operating system shutdown": "shutdown",
	"time synchronization": "time-sync", "key-value pair exchange": "kvp", "data exchange": "kvp",
	"guest service interface": "guest-services", "guest services": "guest-services",
}

// Evidence is a vm.integration item; status_ok is true for OK, false for
// any other status and "" when blank.
func (s IntegrationService) Evidence() Fact {
	ok := ""
	switch st := strings.TrimSpace(s.PrimaryStatus); {
	case strings.EqualFold(st, "OK"):
		ok = "true"
	case st != "":
		ok = "false"
	}
	summary := fmt.Sprintf("integration service %s of %s: enabled %s, status %s", quote(s.Name), s.VMName, s.Enabled, orText(s.PrimaryStatus, "(blank)"))
	if s.SecondaryStatus != "" {
		summary += " (" + s.SecondaryStatus + ")"
	}
	return Fact{Kind: "vm.integration", Line: s.Line, Summary: summary, Attrs: map[string]string{
		"vm": s.VMName, "vm_id": s.VMID, "name": s.Name,
		"service": integrationServices[strings.ToLower(strings.TrimSpace(s.Name))],
		"enabled": strings.ToLower(strings.TrimSpace(s.Enabled)), "primary_status": s.PrimaryStatus,
		"status_ok": ok, "secondary_status": s.SecondaryStatus,
	}}
}

// CSVState is one Get-ClusterSharedVolumeState object: one volume seen
// from one node.
type CSVState struct {
	Line                         int
	Name                         string // the cluster resource, "Cluster Disk 2"
	VolumeName                   string // "C:\ClusterStorage\Volume1\" or a \\?\Volume{…} path
	VolumeFriendlyName           string
	Node                         string
	StateInfo                    string // Direct, FileSystemRedirected, BlockRedirected, Unavailable
	FileSystemRedirectedIOReason string // NotFileSystemRedirected, UserRequest, IncompatibleFileSystemFilter, …
	BlockRedirectedIOReason      string // NotBlockRedirected, NoDiskConnectivity, StorageSpaceNotAttached, …
}

// csvRootRe finds a Cluster Shared Volume's root in a path.
var csvRootRe = regexp.MustCompile(`(?i)^(?:\\\\\?\\)?([a-z]:\\ClusterStorage\\[^\\]+)`)

// Evidence is a csv.state item; csv_path is the volume's root folder when
// VolumeName is one.
func (c CSVState) Evidence() Fact {
	attrs := map[string]string{"name": c.Name, "volume_name": c.VolumeName, "volume_friendly_name": c.VolumeFriendlyName,
		"computer": c.Node, "state_info": c.StateInfo, "fs_reason": c.FileSystemRedirectedIOReason,
		"block_reason": c.BlockRedirectedIOReason}
	if m := csvRootRe.FindStringSubmatch(strings.TrimSpace(c.VolumeName)); m != nil {
		attrs["csv_path"] = strings.ToUpper(m[1][:1]) + m[1][1:]
	}
	summary := fmt.Sprintf("CSV %s (%s) on %s: %s", c.Name, orText(c.VolumeName, c.VolumeFriendlyName), c.Node, c.StateInfo)
	if reason := strings.TrimSpace(c.FileSystemRedirectedIOReason + " " + c.BlockRedirectedIOReason); reason != "" {
		summary += ", " + reason
	}
	return Fact{Kind: "csv.state", Line: c.Line, Summary: summary, Attrs: attrs}
}

// BootEntry is one entry of `bcdedit /enum`: a title line (localized),
// a dashed underline, then "element value" lines whose element names are
// not localized, except sometimes the first, "identifier".
type BootEntry struct {
	Line                     int    // the title line
	Title                    string // "Windows Boot Loader", localized
	Identifier               string // "{current}", "{bootmgr}", "{9f2e…}"
	Description              string
	HypervisorLaunchType     string // Off, Auto, or "" when the element is absent
	HypervisorLaunchTypeLine int
	Props                    map[string]string // every element as printed, lower-case names
}

// Evidence is a boot.entry item, cited at its hypervisorlaunchtype line
// when it has one; current is true for {current}.
func (b BootEntry) Evidence() Fact {
	line := b.Line
	if b.HypervisorLaunchTypeLine > 0 {
		line = b.HypervisorLaunchTypeLine
	}
	return Fact{Kind: "boot.entry", Line: line,
		Summary: fmt.Sprintf("boot entry %s %s (%s): hypervisorlaunchtype %s", b.Identifier, quote(b.Description), b.Title, orText(b.HypervisorLaunchType, "not set")),
		Attrs: map[string]string{"identifier": b.Identifier, "title": b.Title, "description": b.Description,
			"hypervisorlaunchtype": b.HypervisorLaunchType, "current": boolText(strings.EqualFold(b.Identifier, "{current}"))}}
}

// HyperVRequirements is the "Hyper-V Requirements" part of systeminfo.
// Either a hypervisor runs (systeminfo then prints one sentence instead of
// the requirements) or the four requirement lines say what the machine has.
// The lines come in a fixed order, so they are read by position: their
// labels and the yes/no answers are localized.
type HyperVRequirements struct {
	Line               int
	HypervisorDetected bool
	// Each requirement is "yes", "no" or "" (not printed or not understood).
	VMMonitorMode            string
	VirtualizationInFirmware string
	SLAT                     string
	DEP                      string
	VirtualizationLine       int // the firmware line, the one that usually says no
}

// Evidence is a host.sysinfo item: each requirement true, false, or ""
// when not printed. It cites the firmware line when that says no.
func (r HyperVRequirements) Evidence() Fact {
	tf := func(v string) string {
		switch v {
		case "yes":
			return "true"
		case "no":
			return "false"
		}
		return ""
	}
	line := r.Line
	summary := "systeminfo: a hypervisor has been detected"
	if !r.HypervisorDetected {
		summary = fmt.Sprintf("systeminfo Hyper-V requirements: VM monitor mode extensions %s, virtualization in firmware %s, SLAT %s, DEP %s",
			orText(r.VMMonitorMode, "?"), orText(r.VirtualizationInFirmware, "?"), orText(r.SLAT, "?"), orText(r.DEP, "?"))
		if r.VirtualizationInFirmware == "no" && r.VirtualizationLine > 0 {
			line = r.VirtualizationLine
		}
	}
	return Fact{Kind: "host.sysinfo", Line: line, Summary: summary, Attrs: map[string]string{
		"hypervisor_detected": boolText(r.HypervisorDetected), "vm_monitor_mode": tf(r.VMMonitorMode),
		"virt_in_firmware": tf(r.VirtualizationInFirmware), "slat": tf(r.SLAT), "dep": tf(r.DEP),
	}}
}

// FileAttr is one file of a `compact` or `cipher` listing.
type FileAttr struct {
	Line int
	Tool string // "compact" or "cipher"
	Dir  string
	Name string
	// Set is the tool's mark: compressed (compact's C) or encrypted
	// (cipher's E).
	Set bool
}

// Path is the file's full path.
func (f FileAttr) Path() string {
	if f.Dir == "" {
		return f.Name
	}
	return strings.TrimRight(f.Dir, `\`) + `\` + f.Name
}

// Evidence is a file.attr item: compact sets compressed, cipher encrypted.
func (f FileAttr) Evidence() Fact {
	attrs := map[string]string{"path": f.Path(), "dir": f.Dir, "name": f.Name, "tool": f.Tool}
	state := "not compressed"
	switch f.Tool {
	case "compact":
		attrs["compressed"] = boolText(f.Set)
		if f.Set {
			state = "compressed"
		}
	case "cipher":
		attrs["encrypted"] = boolText(f.Set)
		state = "not encrypted"
		if f.Set {
			state = "encrypted"
		}
	}
	return Fact{Kind: "file.attr", Line: f.Line, Summary: fmt.Sprintf("%s: %s is %s", f.Tool, f.Path(), state), Attrs: attrs}
}

// isBcdHead reports the start of a bcdedit entry: a title, a line of
// dashes, then an element whose value is a {…} identifier.
func isBcdHead(lines []string, i int) bool {
	return i+2 < len(lines) && !blank(lines[i]) && indentOf(lines[i]) == 0 &&
		bcdDashRe.MatchString(lines[i+1]) && bcdIdentRe.MatchString(lines[i+2])
}

var (
	bcdDashRe    = regexp.MustCompile(`^-{3,}\s*$`)
	bcdIdentRe   = regexp.MustCompile(`^\S+(?: \S+)*\s{2,}\{[0-9A-Za-z-]+\}\s*$`)
	bcdElementRe = regexp.MustCompile(`^(\S+)\s{2,}(.*)$`)
)

// parseBcdEntry reads one bcdedit entry starting at its title line.
func parseBcdEntry(lines []string, i int, d *Doc) int {
	e := BootEntry{Line: i + 1, Title: strings.TrimSpace(lines[i]), Props: map[string]string{}}
	last := ""
	j := i + 2
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) {
			break
		}
		if indentOf(l) > 0 && last != "" { // a multi-valued element (displayorder) goes on
			e.Props[last] += " " + strings.TrimSpace(l)
			continue
		}
		if j == i+2 { // the identifier, whatever language its label is in
			m := bcdIdentRe.FindString(l)
			e.Identifier = strings.TrimSpace(m[strings.LastIndexByte(m, '{'):])
			last = "identifier"
			e.Props[last] = e.Identifier
			continue
		}
		m := bcdElementRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		last = strings.ToLower(m[1])
		e.Props[last] = strings.TrimSpace(m[2])
		switch last {
		case "description":
			e.Description = e.Props[last]
		case "hypervisorlaunchtype":
			e.HypervisorLaunchType = e.Props[last]
			e.HypervisorLaunchTypeLine = j + 1
		}
	}
	d.addRecord(e)
	return j
}

// bcdFilteredRe is the one element line left of a bcdedit entry filtered
// to the hypervisor (bcdedit /enum {current} | findstr hypervisor).
var (
	bcdFilteredRe = regexp.MustCompile(`(?i)^hypervisorlaunchtype\s+(\S+)\s*$`)
	bcdCommandRe  = regexp.MustCompile(`(?i)\bbcdedit(?:\.exe)?\b([^|]*)`)
	bcdEntryIDRe  = regexp.MustCompile(`\{[0-9A-Za-z-]+\}`)
)

// isBcdFiltered reports a hypervisorlaunchtype line under the bcdedit
// command that printed it (on one of the two lines above: people paste
// the prompt with its output).
func isBcdFiltered(lines []string, i int) bool {
	if !containsFoldASCII(lines[i], "hypervisorlaunchtype") || !bcdFilteredRe.MatchString(lines[i]) {
		return false
	}
	return bcdFilteredCommand(lines, i) >= 0
}

// bcdFilteredCommand is the index of the bcdedit command line above line
// i, or -1.
func bcdFilteredCommand(lines []string, i int) int {
	for j := i - 1; j >= max(0, i-2); j-- {
		if bcdCommandRe.MatchString(lines[j]) {
			return j
		}
	}
	return -1
}

// parseBcdFiltered reads the filtered line as the entry the command
// enumerated: the identifier it names, or {current}, the entry of the
// running system whose element a bare bcdedit shows.
func parseBcdFiltered(lines []string, i int, d *Doc) int {
	m := bcdFilteredRe.FindStringSubmatch(lines[i])
	id := "{current}"
	if j := bcdFilteredCommand(lines, i); j >= 0 {
		if x := bcdEntryIDRe.FindString(bcdCommandRe.FindStringSubmatch(lines[j])[1]); x != "" {
			id = x
		}
	}
	e := BootEntry{Line: i + 1, Title: "bcdedit (filtered)", Identifier: id, HypervisorLaunchType: m[1], HypervisorLaunchTypeLine: i + 1,
		Props: map[string]string{"identifier": id, "hypervisorlaunchtype": m[1]}}
	d.addRecord(e)
	return i + 1
}

// yesWords and noWords are the answers systeminfo prints, in the languages
// Windows Server is commonly installed in.
var (
	yesWords = map[string]bool{"yes": true, "ja": true, "oui": true, "sí": true, "si": true, "sim": true, "sì": true, "tak": true, "да": true, "是": true, "はい": true, "예": true, "evet": true, "igen": true, "ano": true}
	noWords  = map[string]bool{"no": true, "nein": true, "non": true, "não": true, "nao": true, "nie": true, "nee": true, "нет": true, "否": true, "いいえ": true, "아니요": true, "hayır": true, "nem": true, "ne": true}
	// hypervisorWord finds "hypervisor" in the languages of yesWords.
	hypervisorWord = regexp.MustCompile(`(?i)h[iy]perv[ie]s|гипервизор|ハイパーバイザー|虚拟机监控程序|하이퍼바이저`)
)

func yesNo(v string) string {
	w := strings.ToLower(strings.TrimRight(strings.TrimSpace(v), "."))
	switch {
	case yesWords[w]:
		return "yes"
	case noWords[w]:
		return "no"
	}
	return ""
}

// isHyperVReqHead reports systeminfo's "Hyper-V Requirements:" line: an
// unindented label naming Hyper-V whose value is either the first
// requirement ("VM Monitor Mode Extensions: Yes") or the sentence saying a
// hypervisor runs.
func isHyperVReqHead(lines []string, i int) bool {
	l := lines[i]
	// No letter of "hyper-v" is the lower case of a non-ASCII letter:
	// an ASCII fold finds what strings.ToLower would.
	if indentOf(l) > 0 || !containsFoldASCII(l, "hyper-v") {
		return false
	}
	label, value, ok := labelValue(l)
	if !ok || !strings.Contains(strings.ToLower(label), "hyper-v") {
		return false
	}
	if _, v, ok := labelValue(value); ok && yesNo(v) != "" {
		return true
	}
	return hypervisorWord.MatchString(value)
}

// parseHyperVReq reads the requirements block at lines[i].
func parseHyperVReq(lines []string, i int, d *Doc) int {
	r := HyperVRequirements{Line: i + 1}
	_, value, _ := labelValue(lines[i])
	_, first, ok := labelValue(value)
	if !ok || yesNo(first) == "" {
		r.HypervisorDetected = true
		d.addRecord(r)
		return i + 1
	}
	answers := []string{yesNo(first)}
	lineOf := []int{i + 1}
	j := i + 1
	for ; j < len(lines) && len(answers) < 4; j++ {
		l := lines[j]
		if blank(l) || indentOf(l) == 0 {
			break
		}
		_, v, ok := labelValue(l)
		if !ok {
			break
		}
		answers = append(answers, yesNo(v))
		lineOf = append(lineOf, j+1)
	}
	for len(answers) < 4 {
		answers = append(answers, "")
		lineOf = append(lineOf, 0)
	}
	r.VMMonitorMode, r.VirtualizationInFirmware, r.SLAT, r.DEP = answers[0], answers[1], answers[2], answers[3]
	r.VirtualizationLine = lineOf[1]
	d.addRecord(r)
	return j
}

var (
	// compact and cipher start each folder with " Listing <folder>"
	// (localized word, then an absolute path).
	attrListingRe = regexp.MustCompile(`^ \S+ ((?:[A-Za-z]:\\|\\\\).*)$`)
	// compact: "   7521 :   7521 = 1.0 to 1 C name" (C marks compression).
	compactRowRe = regexp.MustCompile(`^\s*[\d.,\s]*\d\s*:\s*[\d.,\s]*\d\s*=\s*[\d.,]+\s+\S+\s+1\s([C ])\s(.+)$`)
	// cipher: "E name" or "U name".
	cipherRowRe = regexp.MustCompile(`^([EU]) (.+)$`)
)

// isAttrListingHead reports the start of a compact or cipher folder block:
// the " Listing <folder>" line followed by the sentence about new files.
func isAttrListingHead(lines []string, i int) bool {
	return i+1 < len(lines) && attrListingRe.MatchString(lines[i]) && strings.HasPrefix(lines[i+1], " ") &&
		!blank(lines[i+1]) && !attrListingRe.MatchString(lines[i+1])
}

// parseAttrListing reads one folder block of compact or cipher output.
func parseAttrListing(lines []string, i int, d *Doc) int {
	dir := attrListingRe.FindStringSubmatch(lines[i])[1]
	j := i + 2
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) {
			continue
		}
		if m := compactRowRe.FindStringSubmatch(l); m != nil {
			d.addKind(KindCompact)
			d.addRecord(FileAttr{Line: j + 1, Tool: "compact", Dir: dir, Name: m[2], Set: m[1] == "C"})
			continue
		}
		if m := cipherRowRe.FindStringSubmatch(l); m != nil {
			d.addKind(KindCipher)
			d.addRecord(FileAttr{Line: j + 1, Tool: "cipher", Dir: dir, Name: m[2], Set: m[1] == "E"})
			continue
		}
		break
	}
	return j
}

func (d *Doc) addIntegrationList(o *listObject) {
	d.addRecord(IntegrationService{Line: o.line, VMName: o.get("VMName"),
		VMID: NormGUID(o.get("VMId")), Name: o.get("Name"), Enabled: o.get("Enabled"),
		PrimaryStatus: o.get("PrimaryStatusDescription"), SecondaryStatus: o.get("SecondaryStatusDescription"),
		Truncated: anyCut(propsOf(o))})
}

func (d *Doc) addCSVStateList(o *listObject) {
	d.addRecord(CSVState{Line: o.line, Name: o.get("Name"), VolumeName: o.get("VolumeName"),
		VolumeFriendlyName: o.get("VolumeFriendlyName"), Node: o.get("Node"), StateInfo: o.get("StateInfo"),
		FileSystemRedirectedIOReason: o.get("FileSystemRedirectedIOReason"), BlockRedirectedIOReason: o.get("BlockRedirectedIOReason")})
}
