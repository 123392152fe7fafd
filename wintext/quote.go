package wintext

import (
	"regexp"
	"strings"
)

// quoteMarkRe is a forum or mail quote marker at the start of a line: one
// or more ">" (nested quotes), each maybe indented, and one space after.
var quoteMarkRe = regexp.MustCompile(`^(?:[ \t]*>)+[ \t]?`)

// Unquote drops forum and mail quote markers ("> ") from the regions of
// text where most lines carry one, so that the outputs people quote read
// as the outputs they are. A region is a run of lines between blank
// unquoted lines; a region where at most half of the lines are quoted, or
// fewer than two are, keeps its markers (a PowerShell ">>"
// continuation line is not a quote). Lines are edited in place, so line
// numbers do not change; every line of a region loses the same kind of
// marker, so the columns of a quoted table stay aligned.
//
// It also drops the prefix Packer and Vagrant put before every line they
// relay ("==> NAME: " for their own steps, "    NAME: " for the guest's or
// a script's output), so a PowerShell error record such a tool printed
// reads as one.
func Unquote(text string) string {
	if !strings.Contains(text, ">") {
		return text
	}
	lines := strings.Split(text, "\n")
	changed := dropToolPrefixes(lines)
	start := 0
	for i := 0; i <= len(lines); i++ {
		if i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			continue
		}
		// lines[start:i] is a region.
		quoted, plain := 0, 0
		for _, l := range lines[start:i] {
			if quoteMarkRe.MatchString(l) {
				quoted++
			} else {
				plain++
			}
		}
		if quoted >= 2 && quoted > plain {
			for j := start; j < i; j++ {
				if quoteMarkRe.MatchString(lines[j]) {
					lines[j] = quoteMarkRe.ReplaceAllString(lines[j], "")
					changed = true
				}
			}
		}
		start = i + 1
	}
	if !changed {
		return text
	}
	return strings.Join(lines, "\n")
}

// toolPrefixRe is the prefix of a line Packer or Vagrant relays: "==> "
// or four spaces, the builder's or machine's name, a colon and a space.
var toolPrefixRe = regexp.MustCompile(`^(?:==> | {4})([A-Za-z0-9][\w.-]{0,63}): `)

// dropToolPrefixes removes the relay prefixes of the names that at least
// two "==> NAME: " lines show, in place, and reports whether it did.
func dropToolPrefixes(lines []string) bool {
	names := map[string]int{}
	for _, l := range lines {
		if strings.HasPrefix(l, "==> ") {
			if m := toolPrefixRe.FindStringSubmatch(l); m != nil {
				names[m[1]]++
			}
		}
	}
	changed := false
	for i, l := range lines {
		if m := toolPrefixRe.FindStringSubmatch(l); m != nil && names[m[1]] >= 2 {
			lines[i] = l[len(m[0]):]
			changed = true
		}
	}
	return changed
}
