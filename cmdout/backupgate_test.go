package cmdout

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// gateTexts is the test data's lines, their case variants, and random
// texts built from the parts of paths, codes and product messages.
func gateTexts(t *testing.T) []string {
	t.Helper()
	texts := []string{"", `\`, `C:\`, `\\srv\share`, `'C:\VMs\a.vhdx'`, `"\\srv\x\b.avhdx"`, `C:\VMs\a.vhdx`, `(C:\VMs\a.vhdx:String)`,
		`‘D:\x’`, "error code '2155348129'", "%%2147754996", "0x80070005", "0X8007000E", "error code: 32768", "returned 4096",
		"Failed to create VM recovery checkpoint (mode: Veeam application-aware processing) Details: Job failed ('Checkpoint operation for 'SQL-CRM1' failed.'). Error code: '32768'."}
	texts = append(texts, testDataLines(t)...)
	for _, l := range texts[:len(texts):len(texts)] {
		texts = append(texts, strings.ToUpper(l), strings.ToLower(l))
	}
	r := rand.New(rand.NewPCG(7, 8))
	parts := []string{`C:\`, `\\`, `\`, "VMs", `a.vhdx`, ".avhdx", ".xml", "'", `"`, "‘", "’", ":String)", "(", ")", " ", ":", "0x8007", "0005",
		"2147942405", "%%", "error code: '", "2155348129", "4096", "32768", "returned ", "access is denied", "repository", "Backup File", "B2D", "x"}
	for range 100_000 {
		var b strings.Builder
		for range r.IntN(10) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		texts = append(texts, b.String())
	}
	return texts
}

// errorPath searches a text only when it holds a backslash: it finds what
// it found when it searched every text.
func TestErrorPathGate(t *testing.T) {
	found := 0
	for _, l := range gateTexts(t) {
		want := errorPathPlain(l, "", l)
		if want != "" {
			found++
		}
		assert.Equal(t, want, errorPath(l, "", l), "%q", l)
		assert.Equal(t, errorPathPlain("x", l, "y"), errorPath("x", l, "y"), "%q", l)
		assert.Equal(t, errorPathPlain("", "", l), errorPath("", "", l), "%q", l)
	}
	assert.Greater(t, found, 1000)
}

func errorPathPlain(msg, category, all string) string {
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

// backupCodes runs its code expressions only on texts that can hold a
// match: it returns what running them on every text returned.
func TestBackupCodesGate(t *testing.T) {
	found := 0
	for _, l := range gateTexts(t) {
		want := backupCodesPlain(l)
		if len(want) > 0 {
			found++
		}
		assert.Equal(t, want, backupCodes(l), "%q", l)
	}
	assert.Greater(t, found, 1000)
}

func backupCodesPlain(msg string) []string {
	var out []string
	for _, c := range freeCodeRe.FindAllStringSubmatch(msg, -1) {
		code := "0x" + strings.ToUpper(c[1]+c[2])
		if !containsString(out, code) {
			out = append(out, code)
		}
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
	for _, c := range CodesInText(msg) {
		if !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}
