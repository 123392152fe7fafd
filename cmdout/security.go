package cmdout

import (
	"regexp"
	"strings"

	"github.com/hvtriage/hvtriage/wintext"
)

// VirtualMachinesSID is NT VIRTUAL MACHINE\Virtual Machines.
const VirtualMachinesSID = wintext.VirtualMachinesSID

// VMSID is wintext.VMSID.
func VMSID(vmID string) (string, error) { return wintext.VMSID(vmID) }

// VMIDFromSID is wintext.VMIDFromSID.
func VMIDFromSID(sid string) (string, error) { return wintext.VMIDFromSID(sid) }

// Account is one entry of a secedit privilege list.
type Account struct {
	Value string // SID or name, "*" removed
	// Star reports the "*" prefix secedit puts before SIDs. An entry
	// without it is a name the exporter could not turn into a SID.
	Star bool
}

// PrivilegeRight is one "SeXxxRight = …" line of a secedit export.
type PrivilegeRight struct {
	Line     int
	Right    string
	Accounts []Account
}

// Has reports whether the right lists v (a SID or name, case-insensitive).
func (r PrivilegeRight) Has(v string) bool {
	for _, a := range r.Accounts {
		if strings.EqualFold(a.Value, v) {
			return true
		}
	}
	return false
}

var iniKeyRe = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$`)

// seRightRe matches a bare "SeXxxRight = …" line (an export pasted or
// filtered without its section header).
var seRightRe = regexp.MustCompile(`^Se[A-Za-z]+(?:Right|Privilege)\s*=`)

func isPrivilegeRightsHead(l string) bool {
	return strings.EqualFold(strings.TrimSpace(l), "[Privilege Rights]")
}

// parseSecedit reads "Right = accounts" lines from lines[i] up to the next
// INI section.
func parseSecedit(lines []string, i int, d *Doc) int {
	j := i
	for ; j < len(lines); j++ {
		l := strings.TrimSpace(lines[j])
		if strings.HasPrefix(l, "[") {
			break
		}
		if l == "" || strings.HasPrefix(l, ";") {
			continue
		}
		m := iniKeyRe.FindStringSubmatch(l)
		if m == nil {
			d.problem(j+1, "secedit: line is not \"Right = accounts\"")
			continue
		}
		r := PrivilegeRight{Line: j + 1, Right: m[1]}
		for _, a := range splitList(m[2]) {
			star := strings.HasPrefix(a, "*")
			r.Accounts = append(r.Accounts, Account{Value: strings.TrimPrefix(a, "*"), Star: star})
		}
		d.Rights = append(d.Rights, r)
	}
	return j
}

// ACL is the icacls output for one path.
type ACL struct {
	Line int
	Path string
	ACEs []ACE
}

// ACE is one icacls entry: "principal:(flags)(rights)".
type ACE struct {
	Line      int
	Principal string // as printed: a name, or a raw SID when unresolved
	// SID is set when the principal printed as a raw SID, which icacls
	// does when the account cannot be resolved on the host.
	SID       string
	Deny      bool
	Inherited bool
	Flags     []string // OI, CI, IO, NP, I
	Rights    []string // F, M, RX, R, W, D, … (a specific list is split)
}

// IcaclsSummary is "Successfully processed N files; Failed processing M files".
type IcaclsSummary struct {
	Line      int
	Succeeded int
	Failed    int
}

var (
	aceTailRe      = regexp.MustCompile(`:((?:\([A-Za-z,]+\))+)\s*$`)
	sidRe          = regexp.MustCompile(`^[Ss]-1-\d+(?:-\d+)+$`)
	icaclsSummRe   = regexp.MustCompile(`^\D*?(\d+)\D+;\D*?(\d+)\D*$`)
	icaclsErrRe    = regexp.MustCompile(`^((?:[A-Za-z]:\\|\\\\)[^:]*): ([^(].*)$`)
	knownPrincipal = regexp.MustCompile(`(?i)^(NT AUTHORITY\\|BUILTIN\\|NT VIRTUAL MACHINE\\|NT SERVICE\\|APPLICATION PACKAGE AUTHORITY\\|Everyone:|CREATOR OWNER:|CREATOR GROUP:|S-1-)`)
)

func isACELine(l string) bool { return aceTailRe.MatchString(l) }

func parseACE(s string, line int) (ACE, bool) {
	s = strings.TrimSpace(s)
	loc := aceTailRe.FindStringSubmatchIndex(s)
	if loc == nil {
		return ACE{}, false
	}
	a := ACE{Line: line, Principal: s[:loc[0]]}
	if sidRe.MatchString(a.Principal) {
		a.SID = strings.ToUpper(a.Principal[:1]) + a.Principal[1:]
	}
	for _, g := range strings.Split(strings.Trim(s[loc[2]:loc[3]], "()"), ")(") {
		switch up := strings.ToUpper(g); up {
		case "I":
			a.Inherited = true
			a.Flags = append(a.Flags, up)
		case "OI", "CI", "IO", "NP":
			a.Flags = append(a.Flags, up)
		case "DENY":
			a.Deny = true
		default:
			a.Rights = append(a.Rights, splitList(up)...)
		}
	}
	return a, true
}

// isIcaclsHead: a column-0 line "<path> <principal>:(…)".
func isIcaclsHead(l string) bool {
	if indentOf(l) != 0 || !isACELine(l) {
		return false
	}
	return strings.HasPrefix(l, `\\`) || (len(l) > 2 && l[1] == ':' && (l[2] == '\\' || l[2] == '/'))
}

// parseIcacls reads one path's ACL. Later ACEs are indented to the column
// after the path, which tells where the path ends; with a single ACE the
// principal is found by its well-known prefix, else at the last space.
func parseIcacls(lines []string, i int, d *Doc) int {
	first := []rune(lines[i])
	j := i + 1
	split := -1
	if j < len(lines) && indentOf(lines[j]) > 0 && isACELine(lines[j]) {
		k := len([]rune(lines[j])) - len([]rune(strings.TrimLeft(lines[j], " \t")))
		if k-1 < len(first) && k >= 2 && first[k-1] == ' ' {
			split = k - 1
		}
	}
	head := string(first)
	if split < 0 {
		split = guessPathEnd(head)
	} else {
		split = len(string(first[:split]))
	}
	acl := ACL{Line: i + 1, Path: strings.TrimSpace(head[:split])}
	if a, ok := parseACE(head[split:], i+1); ok {
		acl.ACEs = append(acl.ACEs, a)
	}
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) || indentOf(l) == 0 {
			break
		}
		a, ok := parseACE(l, j+1)
		if !ok {
			d.problem(j+1, "icacls %s: line is not an ACE", acl.Path)
			continue
		}
		acl.ACEs = append(acl.ACEs, a)
	}
	d.ACLs = append(d.ACLs, acl)
	return j
}

// guessPathEnd returns the byte offset where the principal starts in a
// single-ACE icacls line.
func guessPathEnd(l string) int {
	for k := 0; k < len(l); k++ {
		if l[k] == ' ' && knownPrincipal.MatchString(l[k+1:]) {
			return k + 1
		}
	}
	tail := aceTailRe.FindStringIndex(l)
	if tail == nil {
		return 0
	}
	if k := strings.LastIndexByte(l[:tail[0]], ' '); k >= 0 {
		return k + 1
	}
	return 0
}
