package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/rules"
)

// "First things to do" is read without the findings around it, so a step
// that rewrites data never appears there, even when it comes first in its
// finding's list.
func TestFirstStepsNeverRewriteData(t *testing.T) {
	d := &Document{Findings: []Finding{
		{Cause: "a", Resolution: []Step{
			{Text: "merge", Command: "Merge-VHD -Path 'x.avhdx'", Risk: rules.RiskRewritesData, Warning: "w"},
			{Text: "look", Command: "Get-VHD -Path 'x.avhdx'", Risk: rules.RiskReadOnly},
		}},
		{Cause: "b", Resolution: []Step{
			{Text: "copy", Command: "Export-VM -Name 'v' -Path 'E:\\x'", Risk: rules.RiskReadOnly},
			{Text: "delete", Command: "Remove-VM -Name 'v' -Force", Risk: rules.RiskRewritesData, Warning: "w"},
		}},
	}}
	steps := firstSteps(d, 3)
	var texts []string
	for _, s := range steps {
		assert.NotEqual(t, rules.RiskRewritesData, s.Risk, s.Command)
		texts = append(texts, s.Text)
	}
	assert.Equal(t, []string{"copy", "look"}, texts)
}
