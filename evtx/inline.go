package evtx

import (
	"regexp"
	"sort"
	"strings"
)

// An Event Viewer "Copy details as text" block whose line breaks were lost
// on its way (a chat client, a web form) arrives as one line:
//
//	… Log Name: Microsoft-Windows-Hyper-V-VMMS-Admin Source: Microsoft-Windows-Hyper-V-VMMS Date: … Event ID: 20100 Level: Error … Description: <message> …
//
// SplitDetailsLine puts the labels back on lines of their own so that the
// block reader reads it.

// inlineLabelRe finds any known header label followed by its colon, at the
// start of the line or after a space.
var inlineLabelRe = buildInlineLabelRe()

func buildInlineLabelRe() *regexp.Regexp {
	var alts []string
	seen := map[string]bool{}
	for _, set := range detailLabelSets {
		for _, labels := range set.labels {
			for _, l := range labels {
				if !seen[l] {
					seen[l] = true
					alts = append(alts, regexp.QuoteMeta(l))
				}
			}
		}
	}
	// Longest first, so "event id" wins over a shorter label inside it.
	sort.Slice(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) })
	for i, a := range alts {
		alts[i] = strings.ReplaceAll(a, `'`, `['’]`)
	}
	return regexp.MustCompile(`(?i)(?:^|[ \t\x{a0}])(` + strings.Join(alts, "|") + `)[ \t\x{a0}\x{202f}]?[:：]`)
}

// paragraphGapRe is where a lost line break left a run of spaces: the end
// of the pasted message.
var paragraphGapRe = regexp.MustCompile(`[ \t\x{a0}]{3,}`)

// SplitDetailsLine returns the "Copy details as text" blocks held in one
// line as the lines Event Viewer copied (a blank line between blocks), or
// ok false when the line holds no such block: a log name, an event ID and
// a description label, in that order, all before the message. A message
// runs from Description to the next block's log name, the end of the line
// or the first run of three or more spaces (a lost paragraph break),
// whichever comes first.
func SplitDetailsLine(l string) (lines []string, ok bool) {
	for blocks := 0; blocks < maxInlineBlocks; blocks++ {
		block, rest, found := splitDetailsBlock(l)
		if !found {
			break
		}
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, block...)
		l = rest
	}
	return lines, len(lines) > 0
}

// MinDetailsLine is the shortest line worth offering to SplitDetailsLine
// when looking through a whole text for copies whose breaks were lost: an
// Event Viewer copy's labels alone take more, and most lines are shorter.
const MinDetailsLine = 120

// maxInlineBlocks bounds the blocks read from one line.
const maxInlineBlocks = 1000

// splitDetailsBlock reads the first block of l and returns what follows
// it (from the next block's log name on, or "").
func splitDetailsBlock(l string) (lines []string, rest string, ok bool) {
	if !hasColons(l, 3) {
		return nil, "", false // every label match ends in its own colon
	}
	locs := inlineLabelRe.FindAllStringSubmatchIndex(l, -1)
	if len(locs) < 3 {
		return nil, "", false
	}
	start, desc, next := -1, -1, len(l)
	var cuts []int
	for _, m := range locs {
		f := detailLabels[normLabel(l[m[2]:m[3]])]
		if desc >= 0 {
			if f == detailLog {
				next = m[2]
				break
			}
			continue
		}
		if start < 0 {
			if f != detailLog {
				continue
			}
			start = m[2]
		}
		if f == detailLog && len(cuts) > 0 {
			// A second block before this one's description: the first
			// is not one.
			cuts, start = cuts[:0], m[2]
		}
		cuts = append(cuts, m[2])
		if f == detailDescription {
			desc = m[2]
		}
	}
	if start < 0 || desc < 0 || len(cuts) < 3 {
		return nil, "", false
	}
	hasID := false
	for _, c := range cuts {
		if m := inlineLabelRe.FindStringSubmatch(l[c:]); m != nil && detailLabels[normLabel(m[1])] == detailID {
			hasID = true
		}
	}
	if !hasID {
		return nil, "", false
	}
	for i, c := range cuts[:len(cuts)-1] {
		lines = append(lines, strings.TrimSpace(l[c:cuts[i+1]]))
	}
	d := l[desc:next]
	colon := strings.IndexAny(d, ":：")
	msg := strings.TrimSpace(d[colon+1:])
	if gap := paragraphGapRe.FindStringIndex(msg); gap != nil {
		msg = msg[:gap[0]]
	}
	lines = append(lines, strings.TrimSpace(d[:colon+1]), msg)
	return lines, l[next:], true
}

// hasColons reports whether l holds at least n colons, ASCII or fullwidth:
// a line with fewer cannot hold n matches of inlineLabelRe, each of which
// ends in a colon of its own.
func hasColons(l string, n int) bool {
	for i := 0; i < len(l) && n > 0; i++ {
		switch {
		case l[i] == ':':
			n--
		case l[i] == 0xef && strings.HasPrefix(l[i:], "："):
			n--
		}
	}
	return n <= 0
}
