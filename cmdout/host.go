package cmdout

import (
	"regexp"
	"strings"
)

// This file reads the host-side outputs that tell whether Hyper-V itself
// can work: integration services of each VM (Get-VMIntegrationService),
// Cluster Shared Volume I/O modes (Get-ClusterSharedVolumeState), the boot
// configuration (bcdedit /enum), the Hyper-V requirements of systeminfo,
// and the compression and encryption marks of compact and cipher listings.

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
	d.BootEntries = append(d.BootEntries, e)
	return j
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
		d.HyperVReqs = append(d.HyperVReqs, r)
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
	d.HyperVReqs = append(d.HyperVReqs, r)
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
			d.FileAttrs = append(d.FileAttrs, FileAttr{Line: j + 1, Tool: "compact", Dir: dir, Name: m[2], Set: m[1] == "C"})
			continue
		}
		if m := cipherRowRe.FindStringSubmatch(l); m != nil {
			d.addKind(KindCipher)
			d.FileAttrs = append(d.FileAttrs, FileAttr{Line: j + 1, Tool: "cipher", Dir: dir, Name: m[2], Set: m[1] == "E"})
			continue
		}
		break
	}
	return j
}

func (d *Doc) addIntegrationList(o *listObject) {
	d.Integration = append(d.Integration, IntegrationService{Line: o.line, VMName: o.get("VMName"),
		VMID: NormGUID(o.get("VMId")), Name: o.get("Name"), Enabled: o.get("Enabled"),
		PrimaryStatus: o.get("PrimaryStatusDescription"), SecondaryStatus: o.get("SecondaryStatusDescription"),
		Truncated: anyCut(propsOf(o))})
}

func (d *Doc) addCSVStateList(o *listObject) {
	d.CSVStates = append(d.CSVStates, CSVState{Line: o.line, Name: o.get("Name"), VolumeName: o.get("VolumeName"),
		VolumeFriendlyName: o.get("VolumeFriendlyName"), Node: o.get("Node"), StateInfo: o.get("StateInfo"),
		FileSystemRedirectedIOReason: o.get("FileSystemRedirectedIOReason"), BlockRedirectedIOReason: o.get("BlockRedirectedIOReason")})
}
