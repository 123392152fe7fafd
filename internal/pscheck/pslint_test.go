package pscheck

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pslintPath finds the reviewers' checker in ../shared/tools beside the
// module root, where CI lays it, or skips the test.
func pslintPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "tools", "pslint.py")
	if _, err := os.Stat(p); err != nil {
		t.Skip("pslint.py not present:", err)
	}
	return p
}

// pslintParseHazards runs pslint.py's parse_hazards on every command.
func pslintParseHazards(t *testing.T, script string, cmds []string) [][]string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	in, err := json.Marshal(cmds)
	require.NoError(t, err)
	c := exec.Command(python, "-c", `import json, sys
sys.path.insert(0, sys.argv[1])
import pslint
json.dump([pslint.parse_hazards(c) for c in json.load(sys.stdin)], sys.stdout)`, filepath.Dir(script))
	c.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	require.NoError(t, err, stderr.String())
	var res [][]string
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res, len(cmds))
	return res
}

// lintCorpus returns the commands of TestLint's kind plus many made of the
// characters and pieces that the checks look at, in random order, seeded
// so that every run sees the same ones.
func lintCorpus() []string {
	cmds := []string{
		`Get-VM -Name 'web01'`, `Write-Output 'It''s'`, "Write-Output \"a`\"b\"", `cmd /c "dir %TEMP% && echo x"`,
		`Get-ChildItem | Where-Object { $_.Length -lt 5 }`, `icacls "D:\a" /grant "NT VIRTUAL MACHINE\x":(F)`,
		`vssadmin list shadows /shadow={1234abcd-1111-2222-3333-444455556666}`, `net stop vss & net start vss`,
		`Get-VM 2>&1`, `gpresult /h "%TEMP%\x.html"`, `cmd /c sort < x.txt`, `Get-VM -Name <vm>`,
		`$x = & 'tool.exe'`, `Get-VM # it's`, "Get-VM\n& 'tool.exe'",
	}
	pieces := []string{"'", "''", `"`, "`", "`\"", "&", "&&", "||", "|", ";", "(", "{", "}", "=", ">", "<", " ", " ",
		"a", "Get-VM", "cmd /c ", "%TEMP%", "%a1%", ":(F)", "={1234abcd-0000}", "{1234abcd-1111-2222-3333-444455556666}",
		"\n", "\t", "\u00a0", "é", "$env:TEMP", "-lt", "2>&1"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		if r.IntN(4) == 0 {
			b.WriteString("cmd /c ")
		}
		for range 1 + r.IntN(8) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		cmds = append(cmds, b.String())
	}
	return cmds
}

// pslintCodes maps the start of each pslint.py parse hazard to the Lint
// codes that cover it.
var pslintCodes = map[string][]string{
	"quotes do not balance":   {CodeQuotes},
	"'&&' or '||'":            {CodeAndAnd, CodeOrOr},
	"a bare '&'":              {CodeBareAmp, CodeRedirectAmp},
	"'<' outside quotes":      {CodeBareLt},
	"%VAR% is cmd syntax":     {CodeCmdVar},
	"'\":(F)'-style argument": {CodeParenArg},
	"unquoted {GUID} inside":  {CodeBraceArg},
}

// TestLintCoversPslint: for every parse hazard that pslint.py finds in a
// command, Lint finds one of the same kind, so a step that passes Lint
// passes the reviewers' check.
func TestLintCoversPslint(t *testing.T) {
	script := pslintPath(t)
	cmds := lintCorpus()
	theirs := pslintParseHazards(t, script, cmds)
	seen := map[string]int{}
	for i, c := range cmds {
		ours := codes(Lint(c))
		for _, h := range theirs[i] {
			var want []string
			for prefix, cs := range pslintCodes {
				if strings.HasPrefix(h, prefix) {
					want = cs
					seen[prefix]++
				}
			}
			require.NotNil(t, want, "pslint.py has a hazard this test does not know: %q", h)
			covered := false
			for _, w := range want {
				covered = covered || slices.Contains(ours, w)
			}
			assert.True(t, covered, "pslint.py: %q in %q; Lint: %v", h, c, ours)
		}
	}
	for prefix := range pslintCodes {
		assert.Greater(t, seen[prefix], 10, "the corpus should exercise pslint's %q", prefix)
	}
}
