package analyze

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
)

// TestTextProblemsKeepTheirLine: what a command output's parser could not
// read reaches the inventory with the line it is on, so an engineer can
// open the file there.
func TestTextProblemsKeepTheirLine(t *testing.T) {
	text := strings.Replace(failedWriters, "State: [9] Failed", "State: [42] Failed", 1)
	text = strings.Replace(text, "   Last error: Timed out\n", "   Last error: Timed out\n   \xff\xfe garbage\n", 1)
	got := runOne(t, "writers.txt", []byte(text))
	require.Equal(t, "vssadmin-writers", got.Kind)
	require.NotEmpty(t, got.Problems)
	lineRe := regexp.MustCompile(`^line [1-9][0-9]*: `)
	for _, p := range append(evidence.ProblemTexts(got.Problems), got.Notes...) {
		assert.Regexp(t, lineRe, p)
	}
	for _, p := range got.Problems {
		assert.Equal(t, evidence.UnitLine, p.At.Unit, "the line is kept as a locator too: %s", p)
	}
	assert.Contains(t, evidence.ProblemTexts(got.Problems), `line 7: writer "Microsoft Hyper-V VSS Writer": state "42" is not a VSS writer state (0-15)`)
}
