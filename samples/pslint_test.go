package samples

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoldenCommandsPassPslint runs the reviewers' checker
// (../shared/tools/pslint.py) over every sample's golden JSON report: every
// resolution and collect command must be safe to paste into Windows
// PowerShell 5.1. Skipped without python3 or without ../shared.
func TestGoldenCommandsPassPslint(t *testing.T) {
	pslint := filepath.Join("..", "..", "shared", "tools", "pslint.py")
	if _, err := os.Stat(pslint); err != nil {
		t.Skip("pslint.py not present:", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	goldens, err := filepath.Glob(filepath.Join("*", "report.golden.json"))
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	out, err := exec.Command(python, append([]string{pslint}, goldens...)...).CombinedOutput()
	assert.NoError(t, err, "pslint found hazards:\n%s", out)
	assert.Contains(t, string(out), " 0 hazards", string(out))
}
