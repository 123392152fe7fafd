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
}

var (
	psErrorHeadRe = regexp.MustCompile(`^([A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]+)\s?: (.*)$`)
	errPathRe     = regexp.MustCompile(`(?i)(?:[a-z]:\\|\\\\)[^'"<>|*?\r\n]*?\.(?:avhdx|avhd|vhdx|vhds|vhd|vmcx|vmrs|vmgs|iso|xml)\b`)
	quotedPathRe  = regexp.MustCompile(`['"‘’“”]((?:[A-Za-z]:\\|\\\\)[^'"‘’“”]+)['"‘’“”]`)
	catPathRe     = regexp.MustCompile(`\(((?:[A-Za-z]:\\|\\\\)[^:]*(?::[^:)]*)*?):String\)`)
	hresultParRe  = regexp.MustCompile(`\(0[xX]([0-9A-Fa-f]{8})\)`)
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
	m := psErrorHeadRe.FindStringSubmatch(l)
	if m == nil {
		return false
	}
	verb, _, _ := strings.Cut(m[1], "-")
	return psVerbs[verb]
}

// readPSError reads a PowerShell error record starting at lines[i]: the
// "Cmdlet : message" line, message lines, "At line:…", "+ …" echo lines,
// and the "+ CategoryInfo" / "+ FullyQualifiedErrorId" lines.
func readPSError(lines []string, i int) (ErrorRecord, int) {
	m := psErrorHeadRe.FindStringSubmatch(lines[i])
	e := ErrorRecord{Line: i + 1, Command: m[1]}
	msg := []string{strings.TrimSpace(m[2])}
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
		case inMsg:
			msg = append(msg, l)
		}
	}
	e.Message = strings.Join(msg, " ")
	e.Path = errorPath(e.Message, e.Category, strings.Join(lines[i:j], "\n"))
	setHResult(&e, strings.Join(lines[i:j], "\n"))
	return e, j
}

func afterColon(l string) string {
	if k := strings.IndexByte(l, ':'); k >= 0 {
		return strings.TrimSpace(l[k+1:])
	}
	return ""
}

func errorPath(msg, category, all string) string {
	if m := quotedPathRe.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	if m := errPathRe.FindString(msg); m != "" {
		return m
	}
	if m := catPathRe.FindStringSubmatch(category); m != nil {
		return m[1]
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
	return ""
}
