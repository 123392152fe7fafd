package samples

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/samples/samplegen"
)

var update = flag.Bool("update", false, "rewrite the golden reports (review the diff like code)")

// goldenVersion is stamped into golden reports instead of the release
// version, so a version bump does not rewrite every golden file.
const goldenVersion = "golden"

// TestSamples analyzes every sample and checks what its expected.json
// demands, then compares the whole JSON report with the golden file.
func TestSamples(t *testing.T) {
	cat, err := rules.Default()
	require.NoError(t, err)
	for _, s := range samplegen.All() {
		t.Run(s.Name, func(t *testing.T) {
			res, err := analyze.Run(t.Context(), filepath.Join(s.Name, s.Bundle), analyze.Options{Engine: rules.NewEngine(cat)})
			require.NoError(t, err)
			doc := report.Build(res, goldenVersion)

			var exp samplegen.Expected
			raw, err := os.ReadFile(filepath.Join(s.Name, "expected.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &exp))

			found := map[string]report.Finding{}
			for _, f := range doc.Findings {
				found[f.Cause] = f
			}
			for _, c := range exp.MustFind {
				assert.Contains(t, found, c, "cause that must be found")
			}
			for _, c := range exp.MustNot {
				assert.NotContains(t, found, c, "cause that must not appear")
			}
			if exp.TopCause != "" && assert.NotEmpty(t, doc.Findings) {
				assert.Equal(t, exp.TopCause, doc.Findings[0].Cause, "top cause")
			}
			if exp.MaxSeverity != "" {
				limit, err := rules.ParseSeverity(exp.MaxSeverity)
				require.NoError(t, err)
				for _, f := range doc.Findings {
					assert.LessOrEqual(t, f.Severity, limit, "finding %s above the sample's max severity", f.Cause)
				}
			}
			cited := map[string]bool{}
			for _, f := range doc.Findings {
				for _, e := range f.Evidence {
					cited[f.Cause+" "+e.Source+" "+e.Locator] = true
				}
			}
			for _, c := range exp.Cites {
				assert.True(t, cited[c], "evidence that must be cited: %s", c)
			}

			var got bytes.Buffer
			require.NoError(t, report.JSON{}.Write(&got, doc))
			golden := filepath.Join(s.Name, "report.golden.json")
			if *update {
				require.NoError(t, os.WriteFile(golden, got.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run `go test ./samples -update` to create the golden report")
			assert.Equal(t, string(want), got.String(), "report differs from %s; if the change is intended, run `go test ./samples -update` and review the diff", golden)
		})
	}
}

// TestSamplesMatchGenerator proves the committed bundles are exactly what
// the generator writes: the generator is the source of truth.
func TestSamplesMatchGenerator(t *testing.T) {
	tmp := t.TempDir()
	require.NoError(t, samplegen.WriteAll(tmp, ""))
	for _, s := range samplegen.All() {
		generated := files(t, filepath.Join(tmp, s.Name))
		committed := files(t, s.Name)
		delete(committed, "report.golden.json")
		assert.Equal(t, keys(generated), keys(committed), "%s: files differ from the generator's; run `go generate ./samples/...`", s.Name)
		for name, b := range generated {
			assert.True(t, bytes.Equal(b, committed[name]), "%s/%s differs from the generator's output; run `go generate ./samples/...`", s.Name, name)
		}
	}
}

func files(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	}))
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
