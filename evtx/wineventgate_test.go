package evtx

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvtriage/hvtriage/wintext"
	"github.com/stretchr/testify/assert"
)

// isWinEventCmd accepts exactly the lines winEventCmdRe matches, over the
// lines of the test data, their case variants and lines at the edge of
// the gate (Unicode letters, a hyphen look-alike, words around it).
func TestWinEventGateIsTheRegexp(t *testing.T) {
	lines := []string{"", "Get-WinEvent", "get-winevent -LogName System", "PS C:\\> GET-WINEVENT -ProviderName x", "xGet-WinEvent",
		"Get-WinEventx", "Get-WinEvent_", "Get‐WinEvent", "Get-WinEvenT", "Get-Wİnevent", "Get-WınEvent", "Get-WinEvent\u00e9", "éGet-WinEvent",
		"Get-Win Event", "Get-WinEvent | Format-List", "(Get-WinEvent)", "Get-WinEvents"}
	for _, text := range testDataTexts(filepath.Join("..", "analyze", "testdata"), filepath.Join("..", "cmdout", "testdata")) {
		lines = append(lines, wintext.Lines(text)...)
	}
	for _, l := range lines[:len(lines):len(lines)] {
		lines = append(lines, strings.ToUpper(l), strings.ToLower(l))
	}
	matched := 0
	for _, l := range lines {
		want := winEventCmdRe.MatchString(l)
		if want {
			matched++
		}
		assert.Equal(t, want, isWinEventCmd(l), "%q", l)
	}
	assert.Positive(t, matched)
	assert.Greater(t, len(lines), 10_000)
}
