package cmdout

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// BackupProduct is a backup product whose own logs and job messages
// hvtriage reads: Veeam, Backup Exec, NetBackup, Avamar, NetWorker NMM,
// DPM/MABS, Windows Server Backup, Commvault, Rubrik and Altaro.
type BackupProduct struct {
	ID   string // short stable name: "veeam", "backup-exec", …
	Name string // as people call it
	// marker recognizes the product's log or job text by its structure (a
	// line layout, a message ID form, a tool banner), never by its name
	// alone: a note that says "our Veeam job fails" is free text.
	marker *regexp.Regexp
	// named, when set, must also match somewhere in the text: markers
	// that other tools could share (a timestamp layout) need the name.
	named *regexp.Regexp
	// hints are lower-case literals, one of which the text must hold
	// before the regular expressions run: most text files are no backup
	// log, and classification sniffs every text file.
	hints []string
	// headMarker is a line layout looked for in the first headMarkerBytes
	// only (a log's first lines show it), where no literal can hint.
	headMarker *regexp.Regexp
	// headGate, when set, is a cheap test every text headMarker matches
	// passes: the expression runs on the head of every text sniffed.
	headGate func(string) bool
}

// headMarkerBytes bounds the text a headMarker is looked for in.
const headMarkerBytes = 2048

// backupProducts are tried in order; the first whose marker (and name,
// when it has one) matches claims the text.
var backupProducts = []BackupProduct{
	// Veeam B&R job, task and service logs ("[12.03.2024 01:02:03] <14>
	// Error …", "Svc.VeeamBackup"), and session text copied from the
	// console or the job mail ("01:02:03 :: Processing ERP-APP2 Error: …").
	// The session's action list copied from the console has no "::"
	// ("21.10.2025 23:00:12  Queued for processing at …"); its fixed
	// action texts mark it.
	{ID: "veeam", hints: []string{"] <", " :: ", "svc.veeam", "task failed", "queued for processing", "backup infrastructure resources"}, Name: "Veeam Backup & Replication",
		marker: regexp.MustCompile(`(?m)^\s*\[\d{1,2}[./]\d{1,2}[./]\d{4} \d{1,2}:\d{2}:\d{2}(?:\.\d+)?\] <\s*\d+>|Svc\.Veeam\w+|(?:^|\s)::\s+(?:Processing|Task failed|Job finished|Failed to|Error:|Retrying|Queued|Preparing)|Task failed\b.{0,40}\bError:|(?m)^\s*(?:\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\s+)?\d{1,2}:\d{2}:\d{2}(?:\s?[AP]M)?\s+(?:Queued for processing at|Required backup infrastructure resources have been assigned)`),
		named:  regexp.MustCompile(`(?i)veeam|\bVBR\b|Svc\.Veeam|Task failed|Job finished with (?:error|warning)|VM recovery (?:checkpoint|snapshot)|Required backup infrastructure resources have been assigned`)},
	// Backup Exec job logs: UMI codes ("V-79-57344-65233"), "Final error:".
	{ID: "backup-exec", hints: []string{"v-79-", "final error:", "completed status:"}, Name: "Backup Exec",
		marker: regexp.MustCompile(`\bV-79-\d{4,5}-\d{1,5}\b|(?m)^\s*Final error:\s*0x|(?m)^\s*Completed status:\s*(?:Failed|Succeeded|Canceled)`)},
	// NetBackup legacy logs (bpbkar, bpfis, bpbrm, ncfnbcs) and job details.
	{ID: "netbackup", hints: []string{"] <", " - info ", " - error ", " - warning ", " - critical ", "exit status", "bpfis:"}, Name: "NetBackup",
		marker: regexp.MustCompile(`(?m)^\s*\d{1,2}:\d{2}:\d{2}\.\d{3}(?: [AP]M)?:? \[\d+\.\d+\] <\d{1,2}>|(?m)^\s*\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}(?: [AP]M)? - (?:Info|Error|Warning|Critical) (?:bp\w+|nb\w+|ncf\w+|bpfis|bpbkar)\b|EXIT STATUS \d+:|\bbpfis:`)},
	// Avamar Hyper-V VSS plug-in log.
	{ID: "avamar", hints: []string{"avhypervvss"}, Name: "Avamar",
		marker: regexp.MustCompile(`avhypervvss (?:Info|Warning|Error|FATAL) <\d+>`)},
	// NetWorker Module for Microsoft (NMM) logs and savegroup notices.
	{ID: "networker", hints: []string{"nsrnmm", "networker module", "applications:\\microsoft hyper-v"}, Name: "NetWorker NMM",
		marker: regexp.MustCompile(`(?i)\bnsrnmm\w*\b|NetWorker Module for Microsoft|APPLICATIONS:\\Microsoft Hyper-V`)},
	// DPM / MABS alerts and job errors: "(ID 30111 Details: …)".
	{ID: "dpm", hints: []string{"(id"}, Name: "DPM / MABS",
		marker: regexp.MustCompile(`\(ID:? \d{2,5}(?:\s+Details:[^)]*)?\)`),
		named:  regexp.MustCompile(`(?i)\bDPM\b|Data Protection Manager|\bMABS\b|Azure Backup Server|replica|recovery point|Backup Using (?:Child Partition Snapshot|Saved State)`)},
	// Windows Server Backup: wbadmin output.
	{ID: "windows-server-backup", hints: []string{"wbadmin", "creating a backup of volume", "running the backup operation", "summary of the backup operation"}, Name: "Windows Server Backup",
		marker: regexp.MustCompile(`(?i)wbadmin \d\.\d - Backup command-line tool|(?m)^\s*(?:Creating a backup of volume|Running the backup operation|Summary of the backup operation:)`)},
	// Commvault logs ("vsbkp.log": pid tid date time jobid) and job details.
	{ID: "commvault", hints: []string{"error code: [", "vsbkp", "commserve"}, Name: "Commvault",
		marker:     regexp.MustCompile(`Error Code: \[\d+:\d+\]|\bvsbkp\b|CommServe`),
		headMarker: regexp.MustCompile(`(?m)^\s*\d{2,6}\s+[0-9a-f]{1,6}\s+\d{2}/\d{2} \d{2}:\d{2}:\d{2}\s+(?:\d+|###)\s`),
		headGate:   hasShortStamp},
	// Rubrik event exports and activity details.
	{ID: "rubrik", hints: []string{"rubrik", "hypervvirtualmachine"}, Name: "Rubrik",
		marker: regexp.MustCompile(`(?i)rubrik|\bHypervVirtualMachine\b`),
		named:  regexp.MustCompile(`(?m)^\s*"?(?:[A-Z][a-z]{2} \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2})[ T,]+\d{1,2}:\d{2}|Object Type`)},
	// Altaro VM Backup: its error codes ('RCTCONTROLLER_011' form).
	{ID: "altaro", hints: []string{"altaro"}, Name: "Altaro VM Backup",
		marker: regexp.MustCompile(`(?i)altaro`),
		named:  regexp.MustCompile(`Error code:? '?[A-Z]+_\d{2,4}'?`)},
}

// SniffBackupLog returns the backup product whose log or job text this
// is, or nil.
func SniffBackupLog(text string) *BackupProduct {
	lower := strings.ToLower(text)
	head := text[:min(len(text), headMarkerBytes)]
	for i := range backupProducts {
		p := &backupProducts[i]
		hinted := slices.ContainsFunc(p.hints, func(h string) bool { return strings.Contains(lower, h) })
		marked := hinted && p.marker.MatchString(text) ||
			p.headMarker != nil && (p.headGate == nil || p.headGate(head)) && p.headMarker.MatchString(head)
		if marked && (p.named == nil || p.named.MatchString(text)) {
			return p
		}
	}
	return nil
}

// hasShortStamp reports whether s holds "dd/dd dd:" (ASCII digits), the
// date and hour every line of a Commvault log starts with.
func hasShortStamp(s string) bool {
	for i := 2; i+7 <= len(s); i++ {
		j := strings.IndexByte(s[i:], '/')
		if j < 0 {
			return false
		}
		i += j
		if i+7 <= len(s) && isDigit(s[i-2]) && isDigit(s[i-1]) && isDigit(s[i+1]) && isDigit(s[i+2]) && s[i+3] == ' ' &&
			isDigit(s[i+4]) && isDigit(s[i+5]) && s[i+6] == ':' {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// BackupEntry is one error or warning a backup product logged, with the
// Hyper-V error it embeds.
type BackupEntry struct {
	Line    int
	Level   string // "error" or "warning"
	Text    string // the line without its timestamp prefix, cut to maxMentionText
	Codes   []string
	WMICode string
	VM      string
	VMID    string
	Path    string
	// Target says the entry is about the product's own storage (a
	// repository, a media server, a backup file), not the Hyper-V host:
	// its codes say nothing about the VM's volume.
	Target bool
	// Repeats counts later lines with the same text, folded into this one.
	Repeats int
}

// BackupLog is a backup product's log or job text, read.
type BackupLog struct {
	Product *BackupProduct
	Lines   int // lines that carry a log entry (the file's records)
	Entries []BackupEntry
	// Covered lists the lines read into entries (repeats folded into an
	// entry included) and the log lines that report no failure (a time
	// stamp or a level printed); other lines are left to other readers.
	Covered []Span
	// Dropped counts the lines with a failure past MaxBackupEntries
	// distinct entries, which are not read.
	Dropped int
}

// MaxBackupEntries bounds the entries kept from one log: a job that failed
// every night for a year repeats itself.
const MaxBackupEntries = 500

var (
	// backupPrefixRe strips what precedes a log entry's message: dates,
	// times, thread and process numbers, levels in brackets.
	backupPrefixRe = regexp.MustCompile(`^\s*(?:\[[^\]]{4,40}\]\s*)?(?:<\s*\d+>\s*)?(?:\d{1,4}[-./]\d{1,2}(?:[-./]\d{2,4})?[ T,]+)?(?:\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?[AP]M)?:?\s*)?(?:\[\d+(?:\.\d+)?\]\s*)?(?:<\d{1,2}>\s*)?(?:::\s*)?`)
	// backupLevelRe reads the level a product printed for the entry
	// ("Error    …", "bpfis: FTL - …", "avhypervvss Warning <43427>: …").
	backupLevelRe = regexp.MustCompile(`(?i)^(?:[\w.]+:?\s+)?(info(?:rmation)?|inf|warn(?:ing)?|wrn|error|err|ftl|fatal|critical)\b(?:\s+-|\s{2,}|\s*:|\s+<\d+>)`)
	backupErrorRe = regexp.MustCompile(`(?i)\b(?:error|errors|failed|failure|fatal|FTL|ERR|critical|unable to|cannot|could not|exception|non-retryable|inconsistent|Saveset contains VM with checkpoint)\b`)
	backupWarnRe  = regexp.MustCompile(`(?i)\b(?:warning|warn|WRN|skipped|crash[- ]consistent|retrying)\b`)
	backupOKRe    = regexp.MustCompile(`(?i)\b(?:success(?:ful(?:ly)?)?|succeeded|completed successfully|0 errors?)\b`)
	// backupTargetRe marks entries about the product's own storage.
	backupTargetRe = regexp.MustCompile(`(?i)repository|backup (?:storage|target|destination|file)|\.(?:vbk|vib|vrb|vbm)\b|media server|storage unit|disk pool|deduplication|data ?domain|cloud tier|backup-to-disk|\bB2D\b`)
	// decimalHRRe is an HRESULT printed as a decimal insertion string
	// ("%%2147754996", "error code '2155348129'").
	decimalHRRe = regexp.MustCompile(`(?:%%|error code:? ?'?)(2[0-9]{9}|3[0-9]{9}|4[0-2][0-9]{8})\b`)
	// backupVMRe finds the VM a product line is about when the Hyper-V
	// forms ("'X' failed to …", "virtual machine 'X'") are absent.
	backupVMRe   = regexp.MustCompile(`(?i)(?:Processing|virtual machine|\bVM)\s+(?:\[|')?([A-Za-z0-9][A-Za-z0-9_.-]{0,62})(?:\]|')?(?:\s|:|$)|Hyper-V[ ?]Virtual[ ?]Machine[?\\/]([A-Za-z0-9][A-Za-z0-9_.-]{0,62})|Child Partition Snapshot\\([A-Za-z0-9][A-Za-z0-9_.-]{0,62})`)
	nameWithIDRe = regexp.MustCompile(`(?i)^(.+?)<\{?([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})\}?>$`)
	backupGUIDRe = regexp.MustCompile(`(?i)\b(?:VM ID|VmId|VM GUID|Virtual machine ID)\W{0,3}\{?([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})`)
)

// notVMNames are words the VM patterns catch in product prose.
var notVMNames = map[string]bool{"id": true, "is": true, "has": true, "was": true, "the": true, "with": true,
	"recovery": true, "checkpoint": true, "snapshot": true, "backup": true, "failed": true, "in": true, "on": true,
	"error": true, "and": true, "guid": true, "group": true, "must": true, "cannot": true, "could": true, "will": true,
	"configuration": true, "files": true, "disk": true, "disks": true, "state": true, "not": true, "to": true}

// ParseBackupLog reads a backup product's log or job text: every line that
// reports an error or a warning becomes an entry with the codes, WMI code,
// VM name, VM ID and path it carries. Lines repeating an earlier entry's
// text are folded into it.
func ParseBackupLog(text string) BackupLog {
	text = NormalizeFreeText(text)
	log := BackupLog{Product: SniffBackupLog(text)}
	seen := map[string]int{}
	var cont continuation
	for i, line := range Lines(text) {
		for _, raw := range splitRunOn(line) {
			log.readLine(raw, i, seen, &cont)
		}
	}
	return log
}

// runOnStampRe is a log entry's time stamp inside a line: where the line
// breaks of a pasted log were lost, each entry still starts with one.
var runOnStampRe = regexp.MustCompile(`(?:\[|\b)\d{1,4}[./-]\d{1,2}[./-]\d{2,4}[ T]\d{1,2}:\d{2}:\d{2}`)

// runOnMin is the length from which a line is looked at for lost breaks:
// a log line with a date in its message is shorter.
const runOnMin = 240

// splitRunOn cuts a line whose breaks were lost (a portal or a mail joined
// the log's lines) before each time stamp after the first, so that each
// entry is read as the line it was. Other lines come back whole.
func splitRunOn(l string) []string {
	if len(l) < runOnMin {
		return []string{l}
	}
	at := runOnStampRe.FindAllStringIndex(l, MaxBackupEntries)
	if len(at) < 2 {
		return []string{l}
	}
	var out []string
	start := 0
	for _, m := range at {
		if m[0] > start {
			out = append(out, l[start:m[0]])
			start = m[0]
		}
	}
	return append(out, l[start:])
}

// readLine reads one line (or one entry of a run-on line) of the log,
// line i of the text.
func (log *BackupLog) readLine(raw string, i int, seen map[string]int, cont *continuation) {
	l := strings.TrimSpace(raw)
	if l == "" {
		cont.end()
		return
	}
	msg := strings.TrimSpace(backupPrefixRe.ReplaceAllString(l, ""))
	if len(msg) == len(l) && cont.takes(raw, i) {
		cont.add(log, msg, i)
		return
	}
	cont.end()
	log.Lines++
	if msg == "" {
		return
	}
	codes := backupCodes(msg)
	wmi := ""
	if mayMatch(wmiCodeRe, msg) {
		if w := wmiCodeRe.FindStringSubmatch(msg); w != nil {
			wmi = w[1]
		}
	}
	level := ""
	explicit := ""
	if m := backupLevelRe.FindStringSubmatch(msg); m != nil {
		explicit = strings.ToLower(m[1][:3])
	}
	switch {
	case explicit == "inf":
		// The product says it is information, whatever words it uses.
	case explicit == "war" || explicit == "wrn":
		level = "warning"
	case explicit != "":
		level = "error"
	case backupErrorRe.MatchString(msg):
		level = "error"
	case backupWarnRe.MatchString(msg):
		level = "warning"
	case len(codes) > 0 || wmi != "":
		level = "error"
	}
	if level == "" || (backupOKRe.MatchString(msg) && len(codes) == 0 && !strings.Contains(strings.ToLower(msg), "fail")) {
		if explicit != "" || len(msg) < len(l) {
			// A line of the log (its time stamp or level printed) that
			// reports no failure: read, and no one else's.
			log.Covered = AddSpan(log.Covered, i+1, i+1)
		}
		return
	}
	key := strings.ToLower(backupNumRe.ReplaceAllString(msg, "#"))
	if k, ok := seen[key]; ok {
		log.Entries[k].Repeats++
		log.Covered = AddSpan(log.Covered, i+1, i+1)
		cont.start(-1, i, "")
		return
	}
	if len(log.Entries) >= MaxBackupEntries {
		log.Dropped++
		return
	}
	cont.start(len(log.Entries), i, msg)
	log.Covered = AddSpan(log.Covered, i+1, i+1)
	e := BackupEntry{Line: i + 1, Level: level, Codes: codes, WMICode: wmi, Target: matchGated(backupTargetRe, msg)}
	e.read(msg)
	seen[key] = len(log.Entries)
	log.Entries = append(log.Entries, e)
}

// read fills the entry's text and what it names from its message.
func (e *BackupEntry) read(msg string) {
	e.Text = msg
	if len(e.Text) > maxMentionText {
		e.Text = e.Text[:maxMentionText]
		for !utf8.ValidString(e.Text) {
			e.Text = e.Text[:len(e.Text)-1]
		}
	}
	e.VM, e.VMID = backupVM(msg), ""
	if m := nameWithIDRe.FindStringSubmatch(e.VM); m != nil {
		// Avamar writes "'NAME<VM ID>'".
		e.VM, e.VMID = m[1], strings.ToLower(m[2])
	} else if m := vmIDRe.FindStringSubmatch(msg); m != nil {
		e.VMID = strings.ToLower(m[1])
	} else if m := backupGUIDRe.FindStringSubmatch(msg); m != nil {
		e.VMID = strings.ToLower(m[1])
	}
	e.Path = errorPath(msg, "", msg)
}

// maxContinuationLines bounds the wrapped lines joined to one entry.
const maxContinuationLines = 12

// continuation joins the lines a product or a console wrapped under an
// entry ("21.10.2025 23:01:03  Warning: Failed to get changed blocks for
// disk" and the indented lines below it, with no time stamp of their own)
// to that entry, so the codes and messages of the wrapped part belong to
// it instead of being lost or read as entries of their own. A blank line
// or a line with its own time stamp ends the entry.
type continuation struct {
	entry int    // the entry being continued; -1: a folded repeat's lines are only covered
	line  int    // the last line read into it (0-based)
	msg   string // the entry's message so far
	n     int    // lines joined
	open  bool
}

func (c *continuation) start(entry, line int, msg string) {
	*c = continuation{entry: entry, line: line, msg: msg, open: true}
}

func (c *continuation) end() { c.open = false }

// takes says whether raw, line i, wraps the entry above it: it directly
// follows the entry's last line and is indented.
func (c *continuation) takes(raw string, i int) bool {
	return c.open && c.line == i-1 && c.n < maxContinuationLines && raw != "" && (raw[0] == ' ' || raw[0] == '\t')
}

func (c *continuation) add(log *BackupLog, msg string, i int) {
	c.line, c.n = i, c.n+1
	log.Covered = AddSpan(log.Covered, i+1, i+1)
	if c.entry < 0 {
		return
	}
	c.msg += " " + msg
	e := &log.Entries[c.entry]
	for _, code := range backupCodes(c.msg) {
		if !containsString(e.Codes, code) {
			e.Codes = append(e.Codes, code)
		}
	}
	if e.WMICode == "" && mayMatch(wmiCodeRe, c.msg) {
		if w := wmiCodeRe.FindStringSubmatch(c.msg); w != nil {
			e.WMICode = w[1]
		}
	}
	e.Target = e.Target || matchGated(backupTargetRe, msg)
	vm, vmID, path := e.VM, e.VMID, e.Path
	e.read(c.msg)
	e.VM, e.VMID, e.Path = cmp.Or(vm, e.VM), cmp.Or(vmID, e.VMID), cmp.Or(path, e.Path)
}

// backupNumRe folds numbers (times, counters, IDs) when comparing entries.
var backupNumRe = regexp.MustCompile(`\d+`)

// backupCodes returns the HRESULTs and NTSTATUS codes a product line
// carries: printed in hex, as decimal insertion strings, or named by
// their message text. Product-specific codes (Backup Exec's 0xE000…,
// 0xA000…) are kept out: no cause reads them.
func backupCodes(msg string) []string {
	var out []string
	if mayMatch(freeCodeRe, msg) {
		for _, c := range freeCodeRe.FindAllStringSubmatch(msg, -1) {
			code := "0x" + strings.ToUpper(c[1]+c[2])
			if !containsString(out, code) {
				out = append(out, code)
			}
		}
	}
	if !hasDigitRun(msg, 10) { // every decimal HRESULT is ten digits
		return appendNew(out, CodesInText(msg))
	}
	for _, m := range decimalHRRe.FindAllStringSubmatch(msg, -1) {
		v, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil || v < 0x80000000 || v > 0xFFFFFFFF {
			continue
		}
		code := "0x" + strings.ToUpper(strconv.FormatUint(v, 16))
		if freeCodeRe.MatchString(code) && !containsString(out, code) {
			out = append(out, code)
		}
	}
	return appendNew(out, CodesInText(msg))
}

// appendNew appends the codes of more that out does not hold yet.
func appendNew(out, more []string) []string {
	for _, c := range more {
		if !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func backupVM(msg string) string {
	if v := vmFailedRe.FindStringSubmatch(msg); v != nil && !looksLikePath(v[1]) {
		return v[1]
	}
	if v := vmNamedRe.FindStringSubmatch(msg); v != nil && !looksLikePath(v[1]) {
		return v[1]
	}
	for _, m := range backupVMRe.FindAllStringSubmatch(msg, -1) {
		for _, name := range m[1:] {
			if name != "" && !notVMNames[strings.ToLower(name)] {
				return name
			}
		}
	}
	return ""
}
