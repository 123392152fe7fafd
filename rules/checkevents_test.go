package rules_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/samples/samplegen"
)

// TestCheckEventsDeclared proves that the events each check declares
// (<area>CheckEvents beside its check map) are enough: on every sample,
// every check gives the same result on all the events as on the events
// the engine keeps, and as on the events it declares itself (with all
// other evidence). A check that reads a provider it does not declare fails
// here on any sample holding such events, even when a catalog signal
// happens to keep them today.
func TestCheckEventsDeclared(t *testing.T) {
	cat, err := rules.Default()
	require.NoError(t, err)
	engine := rules.NewEngine(cat)
	for _, s := range samplegen.All() {
		t.Run(s.Name, func(t *testing.T) {
			path := filepath.Join("..", "samples", s.Name, s.Bundle)
			filtered, err := analyze.Run(t.Context(), path, analyze.Options{Engine: engine})
			require.NoError(t, err)
			all, err := analyze.Run(t.Context(), path, analyze.Options{})
			require.NoError(t, err)
			for _, name := range rules.CheckNames() {
				want := places(rules.RunCheck(name, all.Evidence))
				assert.Equal(t, want, places(rules.RunCheck(name, filtered.Evidence)),
					"check %s gives another result on the events the engine keeps", name)
				if !measuresAgainstLatest[name] {
					assert.Equal(t, want, places(rules.RunCheck(name, rules.DeclaredOnly(name, all.Evidence))),
						"check %s reads events it does not declare", name)
				}
			}
		})
	}
}

// measuresAgainstLatest are the checks that measure ages against the
// newest evidence of the bundle (index.latest): any kept event can move
// that moment, so only the engine-filter comparison applies to them.
var measuresAgainstLatest = map[string]bool{
	"checkpoint.user-older-than-week":  true,
	"checkpoint.user-older-than-month": true,
}

// places names each piece of evidence by its place in the bundle.
func places(list []*evidence.Evidence) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Source+" "+e.At.String())
	}
	return out
}
