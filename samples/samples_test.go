package samples

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

			// A pending sample's expectations are checked on a recorder:
			// they must still fail, or the Pending mark is stale.
			var at assert.TestingT = t
			rec := &recorder{}
			if s.Pending != "" {
				at = rec
			}
			found := map[string]report.Finding{}
			for _, f := range doc.Findings {
				found[f.Cause] = f
			}
			for _, c := range exp.MustFind {
				assert.Contains(at, found, c, "cause that must be found")
			}
			for _, c := range exp.MustNot {
				assert.NotContains(at, found, c, "cause that must not appear")
			}
			if exp.TopCause != "" && assert.NotEmpty(at, doc.Findings) {
				assert.Equal(at, exp.TopCause, doc.Findings[0].Cause, "top cause")
			}
			if exp.MaxSeverity != "" {
				limit, err := rules.ParseSeverity(exp.MaxSeverity)
				require.NoError(t, err)
				for _, f := range doc.Findings {
					assert.LessOrEqual(at, f.Severity, limit, "finding %s above the sample's max severity", f.Cause)
				}
			}
			cited := map[string]bool{}
			for _, f := range doc.Findings {
				for _, e := range f.Evidence {
					cited[f.Cause+" "+e.Source+" "+e.Locator] = true
				}
			}
			for _, c := range exp.Cites {
				assert.True(at, cited[c], "evidence that must be cited: %s", c)
			}

			inventory := map[string]report.FileEntry{}
			for _, e := range doc.Inventory {
				inventory[e.Path] = e
			}
			for _, p := range exp.Damaged {
				e, ok := inventory[p]
				if assert.True(at, ok, "damaged file %s missing from the inventory", p) {
					assert.True(at, len(e.Problems) > 0 || e.Status != "parsed", "%s must be listed as damaged: %+v", p, e)
				}
			}
			if s.Pending != "" {
				assert.True(t, rec.failed, "%s is marked pending (%s) but meets its expectations now: remove Pending", s.Name, s.Pending)
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
			if s.Pending != "" && rec.failed {
				t.Logf("pending, expectations not met yet: %s\n%s", s.Pending, strings.Join(rec.msgs, "\n"))
			}
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

// recorder collects assertion failures of a pending sample instead of
// failing the test.
type recorder struct {
	failed bool
	msgs   []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
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

// TestLayoutsAreFullyClassified: in the bundles laid out the way TSS and
// SDP write them, every command output and log is recognized; the only
// file left unknown is the customer's own note, which no parser reads.
func TestLayoutsAreFullyClassified(t *testing.T) {
	for _, name := range []string{"tss-layout", "sdp-layout"} {
		t.Run(name, func(t *testing.T) {
			var s samplegen.Sample
			for _, x := range samplegen.All() {
				if x.Name == name {
					s = x
				}
			}
			require.Equal(t, name, s.Name)
			res, err := analyze.Run(t.Context(), filepath.Join(s.Name, s.Bundle), analyze.Options{})
			require.NoError(t, err)
			for _, f := range res.Inventory {
				if f.Kind == "unknown" {
					assert.Equal(t, "upload_note.txt", f.Path, "file left unclassified")
				}
			}
		})
	}
}
