package cmdout

import (
	"regexp"
	"strconv"
	"strings"
)

// ErrorRecord is a failure printed instead of records: a PowerShell error
// record ("Get-VHD : Failed to get the disk information." …) or a native
// tool's error line ("Filter listing failed with error: 0x80070005").
type ErrorRecord struct {
	Line    int
	Command string // "Get-VHD", "fltmc", "icacls", …
	Message string // message lines joined with spaces
	Path    string // the file the error names, when it names one
	// HResult is the 0x… code the message carries; HResultText its
	// printed form ("0xC03A000E"). Both are empty/zero when none is printed.
	HResult     uint32
	HResultText string
	Category    string // PowerShell CategoryInfo
	ErrorID     string // PowerShell FullyQualifiedErrorId
	// Codes lists every code the record carries, upper-case "0x…" HRESULTs
	// first (printed, then looked up from well-known message texts, see
	// CodesInText), without duplicates.
	Codes []string
	// VM and VMID name the virtual machine ("'WEB01' failed to start.
	// (Virtual machine ID …)", "-Name WEB01"); VMID is a normalized GUID.
	VM   string
	VMID string
	// WMICode is a Hyper-V WMI job return code ("32788") when printed.
	WMICode string
}

var (
	// A module-qualified name ("Hyper-V\Start-VM : …", as Docker Desktop
	// and minikube print it) names the same cmdlet; PowerShell 7 prints
	// "Start-VM: C:\script.ps1:12" without the space.
	psErrorHeadRe = regexp.MustCompile(`^(?:[A-Za-z][\w.-]*\\)?([A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]+)\s?:(?: (.*))?$`)
	// errorIDCmdletRe takes the cmdlet class from a FullyQualifiedErrorId
	// ("OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM").
	errorIDCmdletRe = regexp.MustCompile(`,Microsoft\.[\w.]*?(?:Commands|Cmdlets)\.([A-Z][A-Za-z0-9]+?)(?:Command)?\s*$`)
	categoryCmdRe   = regexp.MustCompile(`\[([A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]+)\]`)
	vmFailedRe      = regexp.MustCompile(`['‘’"]([^'‘’"\r\n]{1,100})['‘’"] (?:failed to|could not|cannot|is unable to|was unable to)`)
	vmNamedRe       = regexp.MustCompile(`(?i)(?:virtual machine|VM|-VMName|-Name) ['‘’"]([^'‘’"\r\n]{1,100})['‘’"]`)
	vmIDRe          = regexp.MustCompile(`(?i)\((?:Virtual machine|VM) ID \{?([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})\}?\)`)
	// wmiCodeRe finds a Msvm job or method return code: "Error Code:
	// 32788", "The operation failed with error code '32788'", "Job failed
	// with error code: 32788", "ReturnValue : 32775".
	wmiCodeRe    = regexp.MustCompile(`(?i)(?:error code|return ?value|returned)\W{0,4}(4096|32[0-9]{3})\b`)
	psParamRe    = regexp.MustCompile(`(?i)-(?:VM)?Name\s+['"]?([^'"\s|;]+)`)
	errPathRe    = regexp.MustCompile(`(?i)(?:[a-z]:\\|\\\\)[^'"<>|*?\r\n]*?\.(?:avhdx|avhd|vhdx|vhds|vhd|vmcx|vmrs|vmgs|iso|xml)\b`)
	quotedPathRe = regexp.MustCompile(`['"‘’“”]((?:[A-Za-z]:\\|\\\\)[^'"‘’“”]+)['"‘’“”]`)
	catPathRe    = regexp.MustCompile(`\(((?:[A-Za-z]:\\|\\\\)[^:]*(?::[^:)]*)*?):String\)`)
	hresultParRe = regexp.MustCompile(`\(0[xX]([0-9A-Fa-f]{8})\)`)
)

// psVerbs are PowerShell's approved verbs (the common ones); an error
// record names a cmdlet, which keeps lines like "Hyper-V : …" out.
var psVerbs = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields(`Add Approve Assert Backup Block Build Checkpoint Clear Close Compare Complete
		Compress Confirm Connect Convert ConvertFrom ConvertTo Copy Debug Deny Deploy Disable Disconnect Dismount
		Edit Enable Enter Exit Expand Export Find Format Get Grant Group Hide Import Initialize Install Invoke Join
		Limit Lock Measure Merge Mount Move New Open Optimize Out Ping Pop Protect Publish Push Read Receive Redo
		Register Remove Rename Repair Request Reset Resize Resolve Restart Restore Resume Revoke Save Search Select
		Send Set Show Skip Split Start Step Stop Submit Suspend Switch Sync Test Trace Unblock Undo Uninstall
		Unlock Unprotect Unpublish Unregister Update Use Wait Watch Write`) {
		m[v] = true
	}
	return m
}()

func isPSErrorHead(l string) bool {
	if strings.IndexByte(l, ':') < 0 || strings.IndexByte(l, '-') < 0 {
		return false // cannot match: skip the regexp
	}
	m := psErrorHeadRe.FindStringSubmatch(l)
	if m == nil {
		return false
	}
	verb, _, _ := strings.Cut(m[1], "-")
	return psVerbs[verb]
}

// relayedHeadRe finds a cmdlet's error head inside a line, after the words
// of the tool that ran the cmdlet and relayed its error ("Error cloning
// virtual machine: PowerShell error: Hyper-V\Compare-VM : …", as Packer,
// Vagrant, minikube and Docker Desktop print it).
var relayedHeadRe = regexp.MustCompile(`[\s:]((?:[A-Za-z][\w.-]*\\)?[A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]+ : \S)`)

// relayedRecordLines bounds how far below such a head the record's
// "+ CategoryInfo" or "+ FullyQualifiedErrorId" line must be.
const relayedRecordLines = 8

// relayedPSErrorAt returns where the cmdlet's error head starts in l, or 0.
func relayedPSErrorAt(l string) int {
	for _, m := range relayedHeadRe.FindAllStringSubmatchIndex(l, 4) {
		if at := m[2]; at > 0 && isPSErrorHead(l[at:]) {
			return at
		}
	}
	return 0
}

// isRelayedPSErrorHead matches a line that holds a cmdlet's error head
// after other words, when the record's own lines follow: the head alone
// could be any sentence with a colon in it.
func isRelayedPSErrorHead(lines []string, i int) bool {
	l := lines[i]
	if !strings.Contains(l, " : ") || !strings.Contains(l, "-") {
		return false
	}
	followed := false
	for j := i + 1; j < len(lines) && j <= i+relayedRecordLines && !followed; j++ {
		t := strings.TrimSpace(lines[j])
		followed = strings.HasPrefix(t, "+ CategoryInfo") || strings.HasPrefix(t, "+ FullyQualifiedErrorId")
	}
	return followed && relayedPSErrorAt(l) > 0
}

// readPSError reads a PowerShell error record starting at lines[i]: the
// "Cmdlet : message" line (head: lines[i], or the part of it from the
// cmdlet on when a tool printed its own words first), message lines, "At
// line:…", "+ …" echo lines, and the "+ CategoryInfo" /
// "+ FullyQualifiedErrorId" lines.
func readPSError(lines []string, i int, head string) (ErrorRecord, int) {
	m := psErrorHeadRe.FindStringSubmatch(head)
	e := ErrorRecord{Line: i + 1, Command: m[1]}
	var msg []string
	if head := strings.TrimSpace(m[2]); head != "" && !ps7PositionRe.MatchString(head) {
		msg = append(msg, head)
	}
	inMsg := true
	j := i + 1
	for ; j < len(lines); j++ {
		l := strings.TrimSpace(lines[j])
		if l == "" || isPSErrorHead(lines[j]) {
			break
		}
		switch {
		case strings.HasPrefix(l, "At line:") || strings.HasPrefix(l, "At ") && strings.Contains(l, " char:"):
			inMsg = false
		case strings.HasPrefix(l, "+ CategoryInfo"):
			e.Category = afterColon(l)
			inMsg = false
		case strings.HasPrefix(l, "+ FullyQualifiedErrorId"):
			e.ErrorID = afterColon(l)
			inMsg = false
		case strings.HasPrefix(l, "+"):
			inMsg = false
		case ps7LineRe.MatchString(l):
			// PowerShell 7: "Line |", "  12 |  Start-VM …", "     | ~~~~",
			// then "     | message".
			if t := strings.TrimSpace(ps7LineRe.FindStringSubmatch(l)[2]); ps7LineRe.FindStringSubmatch(l)[1] == "" && t != "" && strings.Trim(t, "~ ") != "" {
				msg = append(msg, t)
			}
		case inMsg:
			msg = append(msg, l)
		}
	}
	e.Message = strings.Join(msg, " ")
	all := strings.Join(append([]string{head}, lines[i+1:j]...), "\n")
	e.Path = errorPath(e.Message, e.Category, all)
	setHResult(&e, all)
	// The joined message too: a wrapped message is whole only there.
	e.fillDetails(all + "\n" + e.Message)
	return e, j
}

var (
	ps7LineRe     = regexp.MustCompile(`^(Line|\d+)?\s*\|(.*)$`)
	ps7PositionRe = regexp.MustCompile(`(?:^[A-Za-z]:\\|^\\\\).*:\d+$`)
)

// cmdletFromRecord names the cmdlet from the FullyQualifiedErrorId
// ("…Commands.StartVM" → "Start-VM") or the CategoryInfo ("[Start-VM]").
func cmdletFromRecord(errorID, category string) string {
	if m := categoryCmdRe.FindStringSubmatch(category); m != nil {
		return m[1]
	}
	m := errorIDCmdletRe.FindStringSubmatch(errorID)
	if m == nil {
		return ""
	}
	class := m[1]
	for k := len(class) - 1; k > 0; k-- {
		if psVerbs[class[:k]] && class[k] >= 'A' && class[k] <= 'Z' {
			return class[:k] + "-" + class[k:]
		}
	}
	return ""
}

// fillDetails reads what any Hyper-V error text says beyond its first
// code: the VM, its ID, a WMI return code and every code, including those
// only named by their message text.
func (e *ErrorRecord) fillDetails(all string) {
	if m := vmFailedRe.FindStringSubmatch(all); m != nil && !looksLikePath(m[1]) {
		e.VM = m[1]
	} else if m := vmNamedRe.FindStringSubmatch(all); m != nil && !looksLikePath(m[1]) {
		e.VM = m[1]
	} else if m := psParamRe.FindStringSubmatch(all); m != nil && !strings.HasPrefix(m[1], "$") {
		e.VM = m[1]
	}
	if m := vmIDRe.FindStringSubmatch(all); m != nil {
		e.VMID = strings.ToLower(m[1])
	}
	if m := wmiCodeRe.FindStringSubmatch(all); m != nil {
		e.WMICode = m[1]
	}
	e.Codes = Codes(all)
}

func looksLikePath(s string) bool {
	return len(s) > 2 && (s[1] == ':' || strings.HasPrefix(s, `\\`))
}

func afterColon(l string) string {
	if k := strings.IndexByte(l, ':'); k >= 0 {
		return strings.TrimSpace(l[k+1:])
	}
	return ""
}

func errorPath(msg, category, all string) string {
	// Every path these expressions find starts with a drive's or a
	// share's backslash: a text without one is not searched (most
	// messages name no path, and each expression costs microseconds).
	if strings.IndexByte(msg, '\\') >= 0 {
		if m := quotedPathRe.FindStringSubmatch(msg); m != nil {
			return m[1]
		}
		if m := errPathRe.FindString(msg); m != "" {
			return m
		}
	}
	if strings.IndexByte(category, '\\') >= 0 {
		if m := catPathRe.FindStringSubmatch(category); m != nil {
			return m[1]
		}
	}
	if strings.IndexByte(all, '\\') < 0 {
		return ""
	}
	if m := quotedPathRe.FindStringSubmatch(all); m != nil {
		return m[1]
	}
	return errPathRe.FindString(all)
}

func setHResult(e *ErrorRecord, text string) {
	m := hresultParRe.FindStringSubmatch(text)
	if m == nil {
		m = hresultRe.FindStringSubmatch(text)
	}
	if m == nil {
		return
	}
	v, err := strconv.ParseUint(m[1], 16, 32)
	if err != nil {
		return
	}
	e.HResult = uint32(v)
	e.HResultText = "0x" + strings.ToUpper(m[1])
}

// cmdletKind maps a cmdlet name in an error record to the kind of output
// it would have produced.
func cmdletKind(cmd string) Kind {
	switch strings.ToLower(cmd) {
	case "get-vhd":
		return KindGetVHD
	case "get-vm":
		return KindVMList
	case "get-vmsnapshot", "get-vmcheckpoint":
		return KindVMSnapshots
	case "get-vmharddiskdrive":
		return KindVMHardDisk
	case "get-vhdchain":
		return KindVHDChain
	case "get-childitem":
		return KindListing
	}
	return KindPSError
}

// managerErrorHeadRe matches the first line of a Hyper-V Manager error
// dialog copied as text (Ctrl+C on the dialog, or retyped into a ticket).
var managerErrorHeadRe = regexp.MustCompile(`(?i)^\s*(?:An error occurred while attempting to (?:start|stop|save|pause|resume|turn off|shut down|checkpoint|apply|delete|export|import|connect|merge|edit)|The application encountered an error while attempting to change the state of)\b`)

var (
	// dialogRuleRe is the rule Windows puts around the title and the
	// buttons of a message box copied with Ctrl+C.
	dialogRuleRe = regexp.MustCompile(`^-{5,}$`)
	// dialogButtonsRe is the button line of such a copy ("OK", "Yes No").
	dialogButtonsRe = regexp.MustCompile(`^\S{1,12}(?: {1,3}\S{1,12}){0,2}$`)
	// promptLineRe is a PowerShell or cmd prompt: the paste goes on with
	// another command.
	promptLineRe = regexp.MustCompile(`^(?:PS [^>]{0,260}>|[A-Za-z]:\\[^>]{0,260}>)`)
)

// dialogEnd returns the index after a message box's closing rule and
// buttons, given the index of the rule under its message.
func dialogEnd(lines []string, j int) int {
	k := j + 1
	if k < len(lines) && dialogButtonsRe.MatchString(strings.TrimSpace(lines[k])) {
		k++
		if k < len(lines) && dialogRuleRe.MatchString(strings.TrimSpace(lines[k])) {
			k++
		}
	}
	return k
}

// maxManagerLines bounds a dialog: the longest real ones hold a dozen
// component lines.
const maxManagerLines = 40

// readManagerError reads a Hyper-V Manager error dialog: the head, then
// its paragraphs ("'WEB01' failed to start.", component lines, "… Error:
// 'General access denied error' (0x80070005). (Virtual machine ID …)")
// up to two blank lines in a row or another dialog.
func readManagerError(lines []string, i int) (ErrorRecord, int) {
	e := ErrorRecord{Line: i + 1, Command: "Hyper-V Manager"}
	msg := []string{strings.TrimSpace(lines[i])}
	j, blanks := i+1, 0
	for ; j < len(lines) && j-i < maxManagerLines; j++ {
		l := strings.TrimSpace(lines[j])
		if l == "" {
			if blanks++; blanks == 2 {
				break
			}
			continue
		}
		if managerErrorHeadRe.MatchString(l) || isPSErrorHead(lines[j]) || promptLineRe.MatchString(l) {
			break
		}
		if dialogRuleRe.MatchString(l) {
			// The rule under the message of a copied message box: the
			// button line and the closing rule belong to the dialog,
			// what follows does not.
			j = dialogEnd(lines, j)
			break
		}
		blanks = 0
		msg = append(msg, l)
	}
	e.Message = strings.Join(msg, " ")
	e.Path = errorPath(e.Message, "", e.Message)
	setHResult(&e, e.Message)
	e.fillDetails(e.Message)
	for j > i+1 && blank(lines[j-1]) {
		j--
	}
	return e, max(j, i+1)
}
