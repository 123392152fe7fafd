package cmdout

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// scanLine leaves the Hyper-V context test for the lines that can be a
// mention: over the test data, their case variants and random texts of
// paths, codes and product messages (gateTexts), and those texts with a
// Hyper-V word, a VM ID, a short Win32 code or a failure phrase added, it
// finds the mentions the plain scan found.
func TestScanLineSameAsPlain(t *testing.T) {
	texts := gateTexts(t)
	for i, l := range texts[:len(texts):len(texts)] {
		if i%4 == 0 {
			texts = append(texts, l+" on Hyper-V", l+" (Virtual machine ID 0F3A6C1E-1111-2222-3333-444455556666)",
				"Checkpoint failed (0x2) "+l, l+" checkpoints are disabled", "vmware "+l, l+" returned 32775")
		}
	}
	step := 1
	if testing.Short() {
		step = 5 // the plain scan takes seconds over every text
	}
	found := 0
	for i := 0; i < len(texts); i += step {
		l := texts[i]
		want, wantOK := scanLinePlain(l, i+1)
		got, ok := scanLine(l, i+1)
		if assert.Equal(t, wantOK, ok, "%q", l) && ok {
			found++
			assert.Equal(t, want, got, "%q", l)
		}
	}
	assert.Greater(t, found, 1000/step)
}

// scanLinePlain is scanLine as it was: every test on every line.
func scanLinePlain(l string, line int) (m Mention, ok bool) {
	if strings.TrimSpace(l) == "" || lookAlikeRe.MatchString(l) {
		return m, false
	}
	ctx := hyperVContextRe.MatchString(l)
	m = Mention{Line: line, Codes: lineCodesPlain(l, ctx)}
	if ctx {
		if w := wmiCodeRe.FindStringSubmatch(l); w != nil {
			m.WMICode = w[1]
		}
	}
	if id := vmIDRe.FindStringSubmatch(l); id != nil {
		m.VMID = strings.ToLower(id[1])
	}
	phrase := failurePhraseRe.MatchString(l)
	switch {
	case len(m.Codes) == 0 && m.WMICode == "" && m.VMID == "" && !phrase:
		return m, false
	case len(m.Codes) > 0 && !ctx && m.VMID == "" && !phrase:
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
	m.Path = errorPathPlain(l, "", l)
	m.Text = mentionText(strings.TrimSpace(l))
	return m, true
}

func lineCodesPlain(l string, ctx bool) []string {
	var codes []string
	add := func(c string) {
		if !containsString(codes, c) {
			codes = append(codes, c)
		}
	}
	for _, c := range freeCodeRe.FindAllStringSubmatch(l, -1) {
		add("0x" + strings.ToUpper(c[1]+c[2]))
	}
	if ctx {
		for _, c := range shortWin32Re.FindAllStringSubmatch(l, -1) {
			if n, err := strconv.ParseUint(c[1], 16, 16); err == nil && n != 0 {
				add("0x8007" + strings.ToUpper(leftPad4(strconv.FormatUint(n, 16))))
			}
		}
	}
	for _, c := range ungatedCodesInText(l) {
		add(c)
	}
	return codes
}

// ungatedCodesInText is CodesInText with decimalCodes ungated.
func ungatedCodesInText(s string) []string {
	s = strings.ToLower(collapseSpace(s))
	var out []string
	for _, m := range normalizedMessages {
		if strings.Contains(s, m[0]) && !containsString(out, m[1]) {
			out = append(out, m[1])
		}
	}
	for _, c := range ungatedDecimalCodes(s) {
		if !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}
