package cmdout

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/hvtriage/hvtriage/wintext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gateLines is every line of the test data (cmdout's, analyze's and the
// samples' unzipped texts are not needed: analyze's testdata holds the
// pastes), each also upper-cased, lower-cased and with the letters that
// fold to non-ASCII ones (k, s) replaced by them.
func gateLines(t *testing.T) []string {
	t.Helper()
	lines := []string{"", " ", "x", "K", "\u212a", "ſ", "vm", "VM", "V\u212aM", "Hyper-V", "HYPER‐V", "vmware", "VMWARE", "vmwaRE esxi",
		"E_FAIL (0x80004005)", "e_fail (0X80004005)", "(VM ID 0F3A6C1E-1111-2222-3333-444455556666)", "Error Code: 32775", "returned 4096",
		"retur\u212an 4096", "\xff\xfevm", "vm\xff", "\ufffd", "ab\ufffdcd"}
	lines = append(lines, testDataLines(t)...)
	folds := strings.NewReplacer("k", "\u212a", "K", "\u212a", "s", "ſ", "S", "ſ")
	for _, l := range lines[:len(lines):len(lines)] {
		lines = append(lines, strings.ToUpper(l), strings.ToLower(l), folds.Replace(l))
	}
	return lines
}

// TestGatesAgreeWithRegexps: a gated match is the plain match, for the
// expressions free text runs on every line and for expressions built to
// sit at the edges of the derivation (folds, repeats, empty branches,
// invalid UTF-8), over the test data and random texts built from each
// gate's literals.
func TestGatesAgreeWithRegexps(t *testing.T) {
	res := []*regexp.Regexp{hyperVContextRe, lookAlikeRe, failurePhraseRe, hyperVNameRe, freeCodeRe, shortWin32Re, vmIDRe, wmiCodeRe, freeCmdletRe, backupTargetRe,
		quoteMarkRe, lostBreakRe}
	for _, p := range backupProducts {
		for _, re := range []*regexp.Regexp{p.marker, p.named, p.headMarker} {
			if re != nil {
				res = append(res, re)
			}
		}
	}
	for _, expr := range []string{`(?i)kelvin`, `(?i)ask`, `(?i)Straße`, `(?i)σίγμα`, `ab+cd`, `(?:ab)*cd`, `(?:ab)+cd`, `(?:ab){2,}x`, `(?:ab){0,3}`,
		`xy|`, `(?i)xy|Zw`, `(?i:ab)CD`, `^ab$`, `(?m)^ab$`, `\bab\b`, `a\x{FFFD}b`, `(?i)[a-z]+-vm`, `(?s)ab.cd`, `ab\ncd`, `(?i)AB|(?-i:CD)`} {
		res = append(res, regexp.MustCompile(expr))
	}
	lines := gateLines(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{" ", "\n", "-", "(", ")", "a", "B", "k", "K", "\u212a", "s", "ſ", "\xff", "é", "0x", "vm", "VM"}
	for _, re := range res {
		var extra []string
		if g := newGate(re.String()); g != nil {
			for range 300 {
				var b strings.Builder
				for range rnd.IntN(6) {
					if rnd.IntN(2) == 0 {
						b.WriteString(alphabet[rnd.IntN(len(alphabet))])
						continue
					}
					l := g.lits[rnd.IntN(len(g.lits))].s
					if rnd.IntN(2) == 0 {
						l = strings.ToUpper(l)
					}
					if rnd.IntN(3) == 0 && len(l) > 1 {
						l = l[:rnd.IntN(len(l))] // a literal cut short
					}
					b.WriteString(l)
				}
				extra = append(extra, b.String())
			}
		}
		bad := 0
		for _, l := range append(lines, extra...) {
			if got, want := matchGated(re, l), re.MatchString(l); got != want && bad < 5 {
				bad++
				t.Errorf("%s on %q: gated %v, plain %v", re, l, got, want)
			}
		}
	}
}

// TestGatesOfFreeText: the expressions free text runs on every line have
// a gate (else each line pays for them again).
func TestGatesOfFreeText(t *testing.T) {
	for _, re := range []*regexp.Regexp{hyperVContextRe, lookAlikeRe, failurePhraseRe} {
		g := newGate(re.String())
		require.NotNil(t, g, re.String())
		assert.False(t, g.may("Waiting for responses."), re.String())
	}
}

// TestCollapseSpaceIsTheRegexp: collapseSpace is ReplaceAllString of \s+.
func TestCollapseSpaceIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`\s+`)
	lines := append(gateLines(t), "a  b", " a", "a ", "  ", "a\t\r\n\fb", "a \u00a0b", "a\u2003 b", "a \xff  b")
	for _, l := range lines {
		assert.Equal(t, re.ReplaceAllString(l, " "), collapseSpace(l), "%q", l)
	}
}

// TestNormalizeFreeTextPrechecks: the byte tests that skip the quote,
// smart-quote and lost-break rewrites change nothing.
func TestNormalizeFreeTextPrechecks(t *testing.T) {
	plain := func(text string) string {
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			l = wintext.FixMojibake(l)
			l = quoteMarkRe.ReplaceAllString(l, "")
			l = smartQuotes.Replace(l)
			l = lostBreakRe.ReplaceAllString(l, "$1 $2")
			lines[i] = l
		}
		return strings.Join(lines, "\n")
	}
	lines := append(gateLines(t), "> > quoted", " >x", "‘a’ “b”\u00a0c", "(0x2).'VM1' failed", "(0x2)Start-VM : x", "a)At line: 1")
	for _, l := range lines {
		assert.Equal(t, plain(l), NormalizeFreeText(l), "%q", l)
	}
	// Lines that print a code hold "0x" or "0X".
	for _, l := range lines {
		if freeCodeRe.MatchString(l) {
			assert.True(t, strings.Contains(l, "0x") || strings.Contains(l, "0X"), "%q", l)
		}
	}
}
