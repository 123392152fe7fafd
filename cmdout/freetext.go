package cmdout

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hvtriage/hvtriage/wintext"
)

// Mention is what one line of free text (a ticket note, a mail, a console
// transcript, a tool's log) says about a Hyper-V, VSS or storage failure.
// Free text is read last, when no structured reader claims a file.
type Mention struct {
	Line    int
	Text    string // the line, normalized and cut to maxMentionText
	Command string // a cmdlet the line names ("Start-VM"), if any
	Codes   []string
	VM      string
	VMID    string
	WMICode string
	Path    string
}

const maxMentionText = 400

var (
	// Codes from the facilities Hyper-V, VSS and storage report with:
	// Win32 as HRESULT (0x8007…), COM/VSS (0x8004…), E_UNEXPECTED and
	// friends (0x8000…), virtual disk (0xC03A…) and NTSTATUS (0xC000…).
	freeCodeRe = regexp.MustCompile(`\b0[xX](8007|8004|8000|[cC]03[aA]|[cC]000)([0-9A-Fa-f]{4})\b`)
	// shortWin32Re is a Win32 error printed short, "(0x2)" or "(0x20)",
	// which HRESULT_FROM_WIN32 turns into 0x8007….
	shortWin32Re = regexp.MustCompile(`\(0[xX]([0-9A-Fa-f]{1,4})\)`)
	// hyperVContextRe is what makes a line about Hyper-V or VM storage
	// rather than any Windows program.
	hyperVContextRe = regexp.MustCompile(`(?i)hyper-?v|vmms|vmwp|virtual machine|\bVM\b|checkpoint|snapshot|\.a?vhdx?\b|vhdmp|volume shadow|\bVSS\b|shadow cop|cluster shared|CSV|storvsp|[A-Z][a-z]+-VM[A-Za-z]*\b|[A-Z][a-z]+-VHD\b|vmcx|vmrs|DockerDesktopVM|WSL|vagrant|packer|SCVMM|minikube`)
	// lookAlikeRe marks lines about other hypervisors: their codes and
	// "failed to start" are not Hyper-V's.
	lookAlikeRe = regexp.MustCompile(`(?i)vmware|virtualbox|vbox|esxi|vsphere|vmdk|\bkvm\b|qemu|parallels|E_FAIL \(0x80004005\)`)
	// hyperVNameRe names Hyper-V itself, or its files and services.
	hyperVNameRe = regexp.MustCompile(`(?i)hyper-?v|vmms|vmwp|\.a?vhdx\b|vmcx|[A-Z][a-z]+-VM[A-Za-z]*\b|DockerDesktopVM`)
	// failurePhraseRe matches the sentences Hyper-V prints for failures
	// that carry no code (the VM's setting refuses checkpoints, the
	// hypervisor is not running, the configuration version is not one the
	// host runs): a line saying one is a mention even without a code.
	failurePhraseRe = regexp.MustCompile(`(?i)checkpoints (?:have been|are) disabled|hypervisor is not running|hyper-v components? (?:is|are) not running|\bVM version is (?:unsupported|not supported)|configuration version [0-9.]* ?(?:is not supported|is unsupported)|virtual machine configuration could not be (?:read|loaded)|missing checkpoint present|is missing a checkpoint|failed to start because there is not enough disk space|Saveset contains VM with checkpoint|change tracking data[^|]{0,40}(?:unavailable|unusable|invalid|does not match)|incremental[^|]{0,40}promoted to (?:a )?full|references resource \S+ which is not in the cluster database`)
	freeCmdletRe    = regexp.MustCompile(`\b((?:Start|Stop|Save|Suspend|Resume|Restart|Import|Export|Checkpoint|Restore|Remove|Get|Set|New|Merge|Mount|Dismount|Convert|Resize|Optimize|Test|Move|Compare|Repair)-(?:VM[A-Za-z]*|VHD[A-Za-z]*))\b`)
)

// NamesOtherHypervisor reports whether the text names another hypervisor
// or its files (VMware, vSphere, ESXi, VirtualBox, KVM, QEMU, Parallels).
func NamesOtherHypervisor(text string) bool { return matchGated(lookAlikeRe, text) }

// ScanFreeText finds the mentions in text, which should be normalized
// first (NormalizeFreeText). A line counts when it carries a code (printed,
// short Win32 form in a Hyper-V context, or named by its message text), a
// Hyper-V WMI return code, or a VM ID, and is not about another hypervisor.
func ScanFreeText(text string) []Mention {
	if matchGated(lookAlikeRe, text) && !hyperVNameRe.MatchString(text) {
		// A text about another hypervisor that never names Hyper-V: its
		// snapshot and VSS lines are that product's (VMware Tools quiesces
		// with VSS too).
		return nil
	}
	var out []Mention
	for i, l := range Lines(text) {
		if m, ok := scanLine(l, i+1); ok {
			out = append(out, m)
		}
	}
	return out
}

// scanLine reads one line of free text; ok is false when the line holds
// nothing of ours.
func scanLine(l string, line int) (m Mention, ok bool) {
	if strings.TrimSpace(l) == "" || matchGated(lookAlikeRe, l) {
		return m, false
	}
	if mayMatch(vmIDRe, l) {
		if id := vmIDRe.FindStringSubmatch(l); id != nil {
			m.VMID = strings.ToLower(id[1])
		}
	}
	phrase := matchGated(failurePhraseRe, l)
	textCodes := CodesInText(l)
	if m.VMID == "" && !phrase && len(textCodes) == 0 && !strings.Contains(l, "0x") && !strings.Contains(l, "0X") &&
		!mayMatch(wmiCodeRe, l) {
		// Nothing here can make a mention: no VM ID, no failure phrase,
		// and no code of any form (each printed one holds "0x"). The
		// Hyper-V context, the costliest test, is not needed.
		return m, false
	}
	ctx := matchGated(hyperVContextRe, l)
	m.Line, m.Codes = line, lineCodes(l, ctx, textCodes)
	if ctx {
		if w := wmiCodeRe.FindStringSubmatch(l); w != nil {
			m.WMICode = w[1]
		}
	}
	switch {
	case len(m.Codes) == 0 && m.WMICode == "" && m.VMID == "" && !phrase:
		return m, false
	case len(m.Codes) > 0 && !ctx && m.VMID == "" && !phrase:
		// A bare code with nothing about Hyper-V around it (an installer
		// log, a printer) is not ours.
		return m, false
	}
	if v := vmFailedRe.FindStringSubmatch(l); v != nil && !looksLikePath(v[1]) {
		m.VM = v[1]
	} else if v := vmNamedRe.FindStringSubmatch(l); v != nil && !looksLikePath(v[1]) {
		m.VM = v[1]
	}
	if c := freeCmdletRe.FindStringSubmatch(l); c != nil {
		m.Command = c[1]
	}
	m.Path = errorPath(l, "", l)
	m.Text = mentionText(strings.TrimSpace(l))
	return m, true
}

// mentionText cuts a long line to maxMentionText. A line whose breaks were
// lost holds a whole paste, and its first code may sit far in: the cut
// then keeps the sentence that leads to that code.
func mentionText(l string) string {
	if len(l) <= maxMentionText {
		return l
	}
	from := 0
	if loc := freeCodeRe.FindStringIndex(l); loc != nil && loc[1] > maxMentionText {
		from = max(0, loc[1]-maxMentionText*3/4)
		for from < loc[0] && l[from] != ' ' {
			from++ // start at a word
		}
		for from < len(l) && (l[from] == ' ' || !utf8.RuneStart(l[from])) {
			from++
		}
	}
	t := l[from:min(len(l), from+maxMentionText)]
	for !utf8.ValidString(t) {
		t = t[:len(t)-1]
	}
	return t
}

// lineCodes gathers a line's codes once each: HRESULT and NTSTATUS forms,
// short Win32 forms such as "(0x2)" when the line is about Hyper-V, and
// codes named only by their message text.
func lineCodes(l string, ctx bool, textCodes []string) []string {
	var codes []string
	add := func(c string) {
		if !containsString(codes, c) {
			codes = append(codes, c)
		}
	}
	if strings.Contains(l, "0x") || strings.Contains(l, "0X") { // every code printed starts so
		for _, c := range freeCodeRe.FindAllStringSubmatch(l, -1) {
			add("0x" + strings.ToUpper(c[1]+c[2]))
		}
	}
	if ctx {
		for _, c := range shortWin32Re.FindAllStringSubmatch(l, -1) {
			if n, err := strconv.ParseUint(c[1], 16, 16); err == nil && n != 0 {
				add("0x8007" + strings.ToUpper(leftPad4(strconv.FormatUint(n, 16))))
			}
		}
	}
	for _, c := range textCodes { // CodesInText(l)
		add(c)
	}
	return codes
}

func leftPad4(s string) string { return strings.Repeat("0", 4-len(s)) + s }

// HasMentions reports whether text holds at least one mention: the test
// classification uses for free text, the last resort.
func HasMentions(text string) bool { return len(ScanFreeText(NormalizeFreeText(text))) > 0 }

var (
	quoteMarkRe = regexp.MustCompile(`^(?:[ \t]*>)+[ \t]?`)
	smartQuotes = strings.NewReplacer("‘", "'", "’", "'", "‚", "'", "“", `"`, "”", `"`, "„", `"`, "«", `"`, "»", `"`, "\u00a0", " ")
	// glued sentences of text whose line breaks were lost: a code or ID
	// in parentheses followed directly by the next message.
	lostBreakRe = regexp.MustCompile(`(\)\.?)((?:'[^']{1,100}' failed)|(?:[A-Z][a-z]+-VM[A-Za-z]* :)|(?:At line:))`)
)

// NormalizeFreeText undoes what mail clients, forums and wrong code pages
// do to pasted text, line by line so line numbers stay: UTF-8 read as
// cp1252 ("â€™" for "’") is re-decoded, forum and mail quote markers ("> ")
// are dropped, smart quotes become ASCII ones, and messages glued together
// by a lost line break get a space between them.
func NormalizeFreeText(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		l = wintext.FixMojibake(l)
		if strings.IndexByte(l, '>') >= 0 { // every quote marker holds one
			l = quoteMarkRe.ReplaceAllString(l, "")
		}
		if !isASCII(l) { // every quote replaced is not ASCII
			l = smartQuotes.Replace(l)
		}
		if strings.IndexByte(l, ')') >= 0 { // every lost break follows one
			l = lostBreakRe.ReplaceAllString(l, "$1 $2")
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
