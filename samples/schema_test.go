package samples

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
)

// TestEvidenceFollowsTheSchema holds the extractors to the vocabulary the
// catalog is checked against (evidence.Schema): every attribute of every
// evidence item of every sample is declared for its kind.
func TestEvidenceFollowsTheSchema(t *testing.T) {
	bundles, err := filepath.Glob(filepath.Join("*", "*.zip"))
	require.NoError(t, err)
	require.NotEmpty(t, bundles)
	undeclared := map[string]string{}
	for _, b := range bundles {
		res, err := analyze.Run(t.Context(), b, analyze.Options{})
		require.NoError(t, err, b)
		for _, e := range res.Evidence {
			for a := range e.Attrs {
				if !evidence.Declares(e.Kind, a) {
					undeclared[string(e.Kind)+"."+a] = b
				}
			}
		}
	}
	var list []string
	for k, b := range undeclared {
		list = append(list, k+" (first in "+b+")")
	}
	assert.Empty(t, list, "attributes the extractors produce but evidence.Schema does not declare:\n%s", strings.Join(list, "\n"))
}
