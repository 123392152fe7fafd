package cmdout

import "strings"

// Every line of every text is tried against each recognizer of sections,
// and most lines match none. These tests run a recognizer's regular
// expression only when the line holds the bytes every match of it needs;
// each is checked against its expression in precheck_test.go.

// isDirHead: " Directory of C:\x" (any language) starts with a space and
// holds a backslash.
func isDirHeadLine(l string) bool {
	return len(l) > 2 && l[0] == ' ' && strings.IndexByte(l, '\\') >= 0 && dirHeadRe.MatchString(l)
}

// isDirHeadTrimmed: a dir head pasted without its leading space still
// names a path with a backslash and does not start with a space.
func isDirHeadTrimmed(l string) bool {
	return l != "" && l[0] != ' ' && strings.IndexByte(l, '\\') >= 0 && dirHeadTrimmedRe.MatchString(l)
}

// isDirEntry: a dir row starts with the digits of its date.
func isDirEntry(l string) bool {
	if l == "" || l[0] < '0' || '9' < l[0] {
		return false
	}
	_, ok := parseDirEntry(l)
	return ok
}

// isDirFree: "N Dir(s)  123 bytes free" is indented.
func isDirFree(l string) bool {
	return l != "" && isREspace(l[0]) && dirFreeRe.MatchString(l)
}

// isGCIDir: Get-ChildItem's "    Directory: C:\x" is indented and holds a
// colon and a backslash.
func isGCIDir(l string) bool {
	return l != "" && isREspace(l[0]) && strings.IndexByte(l, ':') >= 0 && strings.IndexByte(l, '\\') >= 0 &&
		gciDirRe.MatchString(l)
}

// isSeRight: a secedit line starts with "Se".
func isSeRight(l string) bool {
	return strings.HasPrefix(l, "Se") && seRightRe.MatchString(l)
}

// isIcaclsErr: an icacls error starts with a drive or a UNC path and
// holds ": ".
func isIcaclsErr(l string) bool {
	return (strings.HasPrefix(l, `\\`) || len(l) > 2 && l[1] == ':' && l[2] == '\\') && strings.Contains(l, ": ") &&
		icaclsErrRe.MatchString(l)
}

// isFltmcErr: "Filter listing failed …", in any case (the letters of
// "failed" fold to ASCII letters only).
func isFltmcErr(l string) bool {
	return containsFoldASCII(l, "failed") && fltmcErrRe.MatchString(l)
}

// isManagerErrorHead: both of Hyper-V Manager's heads hold "error", in any
// case (its letters fold to ASCII letters only).
func isManagerErrorHead(l string) bool {
	return containsFoldASCII(l, "error") && managerErrorHeadRe.MatchString(l)
}

// isREspace is \s of Go's regular expressions.
func isREspace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// containsFoldASCII reports whether s contains sub, a lower-case ASCII
// string, with ASCII letters of s in either case.
func containsFoldASCII(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	first, firstUp := sub[0], sub[0]
	if 'a' <= first && first <= 'z' {
		firstUp = first - 'a' + 'A'
	}
	for i := 0; i+n <= len(s); i++ {
		if c := s[i]; c != first && c != firstUp {
			continue
		}
		j := 1
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
