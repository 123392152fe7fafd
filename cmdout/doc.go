// Package cmdout parses the text people capture from Windows commands
// (vssadmin, Hyper-V cmdlets, fltmc, icacls, secedit, whoami, dir,
// bcdedit, systeminfo, Get-Volume …) and PowerShell Export-Clixml files
// into typed records with line numbers.
//
// The package is pure: bytes or text in, records and problems out. Files
// are recognised by content, not by name, and one file may hold several
// command outputs (TSS Storage_VSSAdmin.txt, Storage_fltmc.txt).
//
// Typical use:
//
//	text, enc, problems := cmdout.Decode(raw) // any Windows encoding
//	doc, more := cmdout.Parse(text)           // every section found
//	for _, w := range doc.Writers { … }       // typed records with Line
//	for _, r := range doc.Records { … }       // records that say their evidence
//	cmdout.RecordsOf[cmdout.BootEntry](doc)   // one type of those
//
// Outputs whose every record is one piece of evidence (bcdedit,
// systeminfo, Get-VMIntegrationService, Get-ClusterSharedVolumeState,
// compact, cipher, Get-Volume) put Records in Doc.Records (see Record);
// the others keep a typed field in Doc.
//
// or cmdout.ParseBytes(raw) for both steps, cmdout.SniffBytes(raw) to
// classify a file from its first SniffSize bytes, and cmdout.ParseCliXML
// to stream a large Export-Clixml file. Decode, DecodeHead and Transcode
// are wintext's, shared with the evtx text readers.
//
// Records are recognised by structure where the output is localized:
// vssadmin blocks by "[n]" states, GUIDs and quoted names; fltmc and whoami
// tables by their shape. PowerShell property names are not localized and
// are matched literally. Values are kept as printed next to any parsed
// form (Timestamp.Raw, Size.Raw, Props), and GUIDs are normalised to lower
// case without braces.
package cmdout

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Kind names the command output a file or section holds. The strings
// appear in reports; do not change them.
type Kind string

// Kinds recognised by Sniff and Parse.
const (
	KindUnknown          Kind = "unknown"
	KindVSSWriters       Kind = "vssadmin-writers"
	KindVSSProviders     Kind = "vssadmin-providers"
	KindVSSShadows       Kind = "vssadmin-shadows"
	KindVSSShadowStorage Kind = "vssadmin-shadowstorage"
	KindGetVHD           Kind = "get-vhd"
	KindVHDChain         Kind = "vhd-chain"
	KindVMSnapshots      Kind = "vm-snapshots"
	KindVMList           Kind = "vm-list"
	KindVMHardDisk       Kind = "vm-harddisk"
	KindFltmcFilters     Kind = "fltmc-filters"
	KindFltmcInstances   Kind = "fltmc-instances"
	KindIcacls           Kind = "icacls"
	KindSecedit          Kind = "secedit"
	KindWhoamiPriv       Kind = "whoami-priv"
	KindListing          Kind = "listing"
	KindSDPBasicInfo     Kind = "sdp-basicinfo"
	KindCliXML           Kind = "clixml"
	KindHandle           Kind = "handle" // Sysinternals Handle.exe
	// KindPSError is a PowerShell error record of a cmdlet whose output
	// has no kind of its own (Start-VM, Import-VM, Checkpoint-VM, Merge-VHD
	// …), or a Hyper-V Manager error dialog copied as text.
	KindPSError Kind = "ps-error"
)

// AllKinds lists every Kind, KindUnknown last: the kinds of the rows of
// sections, the kinds the rows of kind "" decide (decidedKinds), and
// KindCliXML.
func AllKinds() []Kind { return slices.Clone(allKinds()) }

var allKinds = sync.OnceValue(func() []Kind {
	var kinds []Kind
	for _, r := range sections {
		if r.kind != "" && !slices.Contains(kinds, r.kind) {
			kinds = append(kinds, r.kind)
		}
	}
	for _, k := range append(decidedKinds, KindCliXML) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return append(kinds, KindUnknown)
})

// Doc is everything Parse found in one text. Records keep file order.
type Doc struct {
	// Kinds lists the sections found, in order of first appearance.
	Kinds []Kind
	// DateOrder is the d/d/yyyy order inferred from the whole text.
	DateOrder DateOrder
	// NoItems holds the lines of "No items found that satisfy the query."
	// (vssadmin's empty result for shadows and shadowstorage).
	NoItems []int

	Writers       []Writer
	Providers     []Provider
	Shadows       []ShadowCopy
	ShadowStorage []ShadowStorage

	VHDs       []VHD
	Chain      []ChainLink
	Snapshots  []Snapshot
	VMs        []VM
	HardDrives []HardDrive

	Filters         []Filter
	FilterInstances []FilterInstance
	Privileges      []Privilege

	Rights          []PrivilegeRight
	ACLs            []ACL
	IcaclsSummaries []IcaclsSummary

	Handles   []Handle // Handle.exe: open handles
	Files     []FileEntry
	FreeSpace []FreeSpace // "bytes free" lines of dir listings

	BasicInfo []BasicInfoVM
	Hosts     []VMHost

	// Records holds the records of the outputs that are one piece of
	// evidence each (bcdedit, systeminfo, Get-VMIntegrationService, …),
	// in file order; RecordsOf picks one type.
	Records []Record

	// Errors holds error records printed in place of output.
	Errors []ErrorRecord

	// Covered lists the lines the sections read into records, so that a
	// file mixing forms can offer the other lines to other readers.
	Covered []Span

	icaclsErrors []ErrorRecord // kept only if the text turns out to be icacls output
	listDir      string        // current "Directory:" of Get-ChildItem output

	Problems []Problem
}

func (d *Doc) addKind(k Kind) {
	if !slices.Contains(d.Kinds, k) {
		d.Kinds = append(d.Kinds, k)
	}
}

// Has reports whether a section of kind k was found.
func (d *Doc) Has(k Kind) bool { return slices.Contains(d.Kinds, k) }

// Parse reads every section it recognises in text and returns the records
// of all of them. Lines outside recognised sections are skipped silently;
// lines inside a section that cannot be read become Problems.
func Parse(text string) (*Doc, []Problem) {
	d := &Doc{DateOrder: InferDateOrder(text)}
	if isCliXML(text) {
		d.addKind(KindCliXML)
		// Blank out a remoting "#< CLIXML" marker, keeping line numbers.
		t := strings.TrimPrefix(text, "\ufeff")
		if k := strings.Index(t, "#< CLIXML"); k >= 0 && k < 16 {
			t = t[:k] + strings.Repeat(" ", len("#< CLIXML")) + t[k+len("#< CLIXML"):]
		}
		d.parseCliXML(strings.NewReader(t))
		// The XML reader counts a final newline as starting a line.
		if n := len(Lines(text)); n > 0 {
			for i := range d.Problems {
				d.Problems[i].Line = min(d.Problems[i].Line, n)
			}
		}
		return d, d.Problems
	}
	lines := Lines(text)
	for i := 0; i < len(lines); {
		i = d.section(lines, i)
	}
	d.vmsFromPrompts(lines)
	if d.Has(KindIcacls) {
		d.coverIcaclsErrors()
		d.Errors = append(d.Errors, d.icaclsErrors...)
		slices.SortStableFunc(d.Errors, func(a, b ErrorRecord) int { return a.Line - b.Line })
	}
	d.icaclsErrors = nil
	return d, d.Problems
}

// section parses the section starting at lines[i], if any, and returns the
// index of the first line after it (at least i+1): the first recognizer
// of sections whose match accepts the line reads it.
func (d *Doc) section(lines []string, i int) int {
	for _, r := range sections {
		if r.match(lines, i, d) {
			before := d.records()
			if r.kind != "" {
				d.addKind(r.kind)
			}
			next := r.parse(lines, i, d)
			d.cover(lines, i, next, before)
			return next
		}
	}
	return i + 1
}

// A recognizer finds one kind of section. match is a cheap test of the
// line at i (and the lines after it, for a head of several lines); parse
// reads the section and returns the index of the first line after it, at
// least i+1.
type recognizer struct {
	kind  Kind // added to Doc.Kinds on a match; "" when parse decides
	match func(lines []string, i int, d *Doc) bool
	parse func(lines []string, i int, d *Doc) int
}

// sections lists the recognizers in precedence order: the first match
// wins. A new command output is one parser file and one row here, above
// any row whose match would also accept its head.
var sections = []recognizer{
	{"", line(blank), skipLine},
	{"", line(isNoItems), parseNoItems},
	{KindHandle, isHandleLine, parseHandleLine},
	{KindSDPBasicInfo, line(isBasicInfoHead), parseBasicInfoVM},
	{"", head(isAttrListingHead), parseAttrListing}, // compact or cipher, from the rows
	{KindListing, head(isDirHead), parseDirListing},
	{"", line(isGCIDir), parseGCIDir},
	{"", line(isGCICommand), parseGCICommand},
	{KindListing, head(isTestPathTrue), parseTestPath},
	{KindVMSnapshots, head(isEmptySnapshotList), skipLine},
	{KindBcdedit, head(isBcdHead), parseBcdEntry},
	{KindBcdedit, head(isBcdFiltered), parseBcdFiltered},
	{KindSysteminfo, head(isHyperVReqHead), parseHyperVReq},
	{KindSecedit, line(isPrivilegeRightsHead), parseSeceditAfterHead},
	{KindSecedit, line(isSeRight), parseSecedit},
	{KindIcacls, line(isIcaclsHead), parseIcacls},
	{KindGetVolume, head(isGetVolumeHead), parseGetVolume},
	{KindServices, line(isSCQueryHead), parseSCQuery},
	{"", isIcaclsSummary, parseIcaclsSummary},
	{"", column0(isIcaclsErr), parseIcaclsError},
	{KindFltmcFilters, line(isFltmcErr), parseFltmcError},
	{"", line(isPSErrorHead), parsePSError}, // the cmdlet's kind, if it has one
	{"", head(isRelayedPSErrorHead), parseRelayedPSError},
	{KindPSError, line(isManagerErrorHead), parseManagerError},
	{"", head(isTableHead), parseTable},  // the kind from the columns
	{"", column0(isListLine), parseList}, // the kind from the properties
	{KindVSSShadows, column0Head(isShadowSetHead), parseShadowSet},
	{KindVSSShadowStorage, column0Head(isShadowStorageHead), parseShadowStorage},
	{"", column0(isLabelValue), parseVSSBlock}, // writers or providers
}

// decidedKinds lists the kinds the rows of kind "" find by reading the
// section. A row with a kind of its own needs no entry here.
var decidedKinds = []Kind{
	KindCompact, KindCipher, // parseAttrListing, from the rows
	// parseTable, parseList and parsePSError, from the columns, the
	// properties or the cmdlet
	KindGetVHD, KindVHDChain, KindVMSnapshots, KindVMList, KindVMHardDisk, KindListing,
	KindFltmcFilters, KindFltmcInstances, KindWhoamiPriv, KindVMIntegration, KindCSVState,
	KindVSSWriters, KindVSSProviders, // parseVSSBlock
}

// line makes a match of a test on the line alone.
func line(f func(string) bool) func([]string, int, *Doc) bool {
	return func(lines []string, i int, _ *Doc) bool { return f(lines[i]) }
}

// head makes a match of a test on a head of several lines.
func head(f func([]string, int) bool) func([]string, int, *Doc) bool {
	return func(lines []string, i int, _ *Doc) bool { return f(lines, i) }
}

// column0 is line for lines that start in the first column.
func column0(f func(string) bool) func([]string, int, *Doc) bool {
	return func(lines []string, i int, _ *Doc) bool { return indentOf(lines[i]) == 0 && f(lines[i]) }
}

// column0Head is column0 for a head of several lines.
func column0Head(f func([]string, int) bool) func([]string, int, *Doc) bool {
	return func(lines []string, i int, _ *Doc) bool { return indentOf(lines[i]) == 0 && f(lines, i) }
}

func skipLine(_ []string, i int, _ *Doc) int { return i + 1 }

func isNoItems(l string) bool {
	return strings.HasPrefix(strings.TrimSpace(l), "No items found that satisfy the query")
}

func parseNoItems(_ []string, i int, d *Doc) int {
	d.NoItems = append(d.NoItems, i+1)
	return i + 1
}

// gciCommandRe is a prompt with a Get-ChildItem (gci, dir, ls) of one
// literal folder: the table below it, cut to Name and Length by
// Format-Table, prints no "Directory:" line of its own.
var gciCommandRe = regexp.MustCompile(`(?i)` + promptRe + gciNamesRe + `\s+` + literalPathArgRe + `(?:\s|$)`)

// The parts of the prompt lines read for context: the prompt, Get-ChildItem
// under any of its names, and one literal path argument (quoted or not,
// with -Path or -LiteralPath or none; the path is in one of three groups).
const (
	promptRe         = `^PS [^>]{0,260}>\s*`
	gciNamesRe       = `(?:Get-ChildItem|gci|dir|ls)`
	literalPathArgRe = `(?:-(?:Literal)?Path\s+)?(?:'([A-Za-z]:\\[^'*?|]*)'|"([A-Za-z]:\\[^"*?|]*)"|([A-Za-z]:\\[^\s'"*?|]*))`
)

func isGCICommand(l string) bool {
	return strings.HasPrefix(l, "PS ") && strings.IndexByte(l, '>') > 0 && gciCommandRe.MatchString(l)
}

// parseGCICommand notes the folder a Get-ChildItem command line names, for
// the table that follows.
func parseGCICommand(lines []string, i int, d *Doc) int {
	m := gciCommandRe.FindStringSubmatch(lines[i])
	d.listDir = strings.TrimRight(m[1]+m[2]+m[3], `\`)
	return i + 1
}

// isEmptySnapshotList matches a Get-VMSnapshot prompt that printed
// nothing before the next prompt: the VM has no checkpoint Hyper-V knows
// of, which is itself what decides whether AVHDX files are orphans.
func isEmptySnapshotList(lines []string, i int) bool {
	l := lines[i]
	if !strings.HasPrefix(l, "PS ") || !containsFoldASCII(l, "get-vmsnapshot") || !strings.Contains(l, ">") {
		return false
	}
	for j := i + 1; j < len(lines); j++ {
		if t := strings.TrimSpace(lines[j]); t != "" {
			return strings.HasPrefix(t, "PS ") && strings.Contains(t, ">")
		}
	}
	return false
}

// testPathRe is a prompt with Test-Path of one literal file.
var testPathRe = regexp.MustCompile(`(?i)` + promptRe + `Test-Path\s+` + literalPathArgRe + `\s*$`)

// isTestPathTrue matches Test-Path of a file answered True on the next
// line: the file is there, as a listing would show it (a VM's disk moved
// by hand is found this way). False says nothing a missing listing line
// does not.
func isTestPathTrue(lines []string, i int) bool {
	l := lines[i]
	if !strings.HasPrefix(l, "PS ") || !containsFoldASCII(l, "test-path") || i+1 >= len(lines) {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(lines[i+1]), "True") && testPathRe.MatchString(l)
}

// parseTestPath adds the file Test-Path found, its size unknown.
func parseTestPath(lines []string, i int, d *Doc) int {
	m := testPathRe.FindStringSubmatch(lines[i])
	p := m[1] + m[2] + m[3]
	e := FileEntry{Line: i + 2, Name: p, Size: -1}
	if k := strings.LastIndexByte(p, '\\'); k > 0 && k < len(p)-1 {
		e.Dir, e.Name = p[:k], p[k+1:]
	}
	d.Files = append(d.Files, e)
	return i + 2
}

// parseGCIDir notes the "Directory:" of Get-ChildItem output, for the
// table of files that follows.
func parseGCIDir(lines []string, i int, d *Doc) int {
	m := gciDirRe.FindStringSubmatch(lines[i])
	d.listDir = strings.TrimPrefix(m[1], `Microsoft.PowerShell.Core\FileSystem::`)
	return i + 1
}

func parseSeceditAfterHead(lines []string, i int, d *Doc) int { return parseSecedit(lines, i+1, d) }

// isIcaclsSummary matches icacls' closing count, once icacls output was
// seen.
func isIcaclsSummary(lines []string, i int, d *Doc) bool {
	return indentOf(lines[i]) == 0 && d.Has(KindIcacls) && icaclsSummRe.MatchString(lines[i])
}

func parseIcaclsSummary(lines []string, i int, d *Doc) int {
	m := icaclsSummRe.FindStringSubmatch(lines[i])
	d.IcaclsSummaries = append(d.IcaclsSummaries, IcaclsSummary{Line: i + 1, Succeeded: intOr(m[1], -1), Failed: intOr(m[2], -1)})
	return i + 1
}

// parseIcaclsError keeps an icacls error line aside: it counts only if
// the text turns out to be icacls output.
func parseIcaclsError(lines []string, i int, d *Doc) int {
	m := icaclsErrRe.FindStringSubmatch(lines[i])
	e := ErrorRecord{Line: i + 1, Command: "icacls", Path: m[1], Message: m[2]}
	setHResult(&e, m[2])
	d.icaclsErrors = append(d.icaclsErrors, e)
	return i + 1
}

func parseFltmcError(lines []string, i int, d *Doc) int {
	e, next := readFltmcError(lines, i)
	d.Errors = append(d.Errors, e)
	return next
}

func parsePSError(lines []string, i int, d *Doc) int { return d.addPSError(lines, i, lines[i]) }

// parseRelayedPSError reads an error record whose head a tool printed
// after its own words (see isRelayedPSErrorHead), from the cmdlet on.
func parseRelayedPSError(lines []string, i int, d *Doc) int {
	return d.addPSError(lines, i, lines[i][relayedPSErrorAt(lines[i]):])
}

// addPSError reads the error record at lines[i], its head line being head.
func (d *Doc) addPSError(lines []string, i int, head string) int {
	e, next := readPSError(lines, i, head)
	if k := cmdletKind(e.Command); k != "" {
		d.addKind(k)
	}
	d.Errors = append(d.Errors, e)
	return next
}

func parseManagerError(lines []string, i int, d *Doc) int {
	e, next := readManagerError(lines, i)
	d.Errors = append(d.Errors, e)
	return next
}

// parseTable reads a PowerShell or native table; the columns tell its kind.
func parseTable(lines []string, i int, d *Doc) int {
	t := readTable(lines, i)
	k := classifyTable(t)
	if k == "" {
		// A table cut to a few columns ("select Path", "ft Name,
		// @{n='GB';…},LastWriteTime") may not tell its kind; the prompt
		// above it names the cmdlet.
		k = kindFromPrompt(t, lines, i)
	}
	switch k {
	case "":
		return i + 2
	case KindFltmcFilters, KindFltmcInstances:
		t.endAtProse(fltmcRow)
		d.addNativeTable(k, t)
	case KindWhoamiPriv:
		d.addNativeTable(k, t)
	case KindServices:
		d.addServiceTable(t)
	case KindListing:
		d.addGCITable(t, lines)
	default:
		d.addTable(k, t)
	}
	d.addKind(k)
	return t.end
}

// kindFromPrompt reads the prompt within the three lines above a table
// the columns did not classify: Get-VMHardDiskDrive with a Path column
// makes it a VM's disks (vmsFromPrompts names the VM), and Get-ChildItem
// (gci, dir, ls) with Name and LastWriteTime a listing.
func kindFromPrompt(t *table, lines []string, i int) Kind {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		l := lines[j]
		if !strings.HasPrefix(l, "PS ") {
			continue
		}
		if m := vmPromptRe.FindStringSubmatch(l); m != nil && strings.EqualFold(m[1], "Get-VMHardDiskDrive") && t.has("Path") {
			return KindVMHardDisk
		}
		if gciPromptRe.MatchString(l) && t.has("Name", "LastWriteTime") {
			return KindListing
		}
		return ""
	}
	return ""
}

// gciPromptRe is a prompt running Get-ChildItem under any of its names.
var gciPromptRe = regexp.MustCompile(`(?i)` + promptRe + gciNamesRe + `\b`)

// vmPromptRe is a prompt with a Hyper-V cmdlet of one VM, by -VMName,
// -Name or its first argument: "PS C:\> Get-VMSnapshot -VMName APP01 | fl".
var vmPromptRe = regexp.MustCompile(`(?i)` + promptRe + `(?:Hyper-V\\)?((?:Get|Checkpoint|Restore|Remove|Export)-VM\w*)(?:\s+-VMName|\s+-Name)?\s+['"]?([A-Za-z0-9][^\s'"|*,;]*)['"]?(?:\s|$)`)

// vmsFromPrompts names the VM of checkpoints and disks printed without
// one (Format-List of chosen properties, Select Path) from the prompt
// above them, when that prompt's cmdlet names one VM.
func (d *Doc) vmsFromPrompts(lines []string) {
	unnamed := false
	for _, s := range d.Snapshots {
		unnamed = unnamed || s.VMName == ""
	}
	for _, h := range d.HardDrives {
		unnamed = unnamed || h.VMName == ""
	}
	if !unnamed {
		return
	}
	vmAt := make([]string, len(lines)+1) // by 1-based line: the VM of the last prompt above
	vm := ""
	for i, l := range lines {
		if strings.HasPrefix(l, "PS ") && strings.IndexByte(l, '>') > 0 {
			vm = ""
			if m := vmPromptRe.FindStringSubmatch(l); m != nil && !strings.HasPrefix(m[2], "-") {
				vm = m[2]
			}
		}
		vmAt[i+1] = vm
	}
	for i := range d.Snapshots {
		if s := &d.Snapshots[i]; s.VMName == "" && s.Line < len(vmAt) {
			s.VMName = vmAt[s.Line]
		}
	}
	for i := range d.HardDrives {
		if h := &d.HardDrives[i]; h.VMName == "" && h.Line < len(vmAt) {
			h.VMName = vmAt[h.Line]
		}
	}
}

// parseList reads one object of PowerShell list output; its properties
// tell its kind.
func parseList(lines []string, i int, d *Doc) int {
	o := readList(lines, i)
	if k := classifyList(o); k != "" {
		d.addKind(k)
		d.addListObject(k, o)
	}
	if o.end > i {
		return o.end
	}
	return i + 1
}

func isLabelValue(l string) bool {
	_, v, ok := labelValue(l)
	return ok && v != ""
}

// parseVSSBlock reads one block of vssadmin list writers or providers.
func parseVSSBlock(lines []string, i int, d *Doc) int {
	b := readVSSBlock(lines, i)
	switch vssBlockKind(b) {
	case KindVSSWriters:
		d.addKind(KindVSSWriters)
		parseWriterBlock(lines, b, d)
		return b.end
	case KindVSSProviders:
		d.addKind(KindVSSProviders)
		parseProviderBlock(lines, b, d)
		return b.end
	}
	return i + 1
}

// ParseBytes decodes b (see Decode) and parses the text. The problems of
// both steps are returned, decoding ones first, and are also in Doc.Problems.
func ParseBytes(b []byte) (*Doc, Encoding, []Problem) {
	text, enc, dp := Decode(b)
	d, _ := Parse(text)
	d.Problems = append(dp, d.Problems...)
	return d, enc, d.Problems
}

// sniffTextLimit bounds how much text Sniff parses.
const sniffTextLimit = 16 << 10

// Sniff classifies text by content: the kind of the first section found
// in its first 16 KiB, or KindUnknown.
func Sniff(text string) Kind {
	if len(text) > sniffTextLimit {
		text = text[:sniffTextLimit]
		if i := strings.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i]
		}
	}
	if isCliXML(text) {
		return KindCliXML
	}
	d, _ := Parse(text)
	if len(d.Kinds) == 0 {
		if len(d.NoItems) > 0 {
			// Only list shadows and list shadowstorage print this; the
			// output does not say which.
			return KindVSSShadows
		}
		return KindUnknown
	}
	return d.Kinds[0]
}

// SniffBytes decodes at most SniffSize bytes of b and classifies them.
func SniffBytes(b []byte) Kind {
	text, _, _ := DecodeHead(b, SniffSize)
	return Sniff(text)
}

func isCliXML(text string) bool {
	t := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
	t = strings.TrimPrefix(t, "#< CLIXML")
	t = strings.TrimSpace(t)
	if strings.HasPrefix(t, "<?xml") {
		if i := strings.Index(t, "?>"); i >= 0 {
			t = strings.TrimSpace(t[i+2:])
		}
	}
	return strings.HasPrefix(t, "<Objs ") || strings.HasPrefix(t, "<Objs>")
}
