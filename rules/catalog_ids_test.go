package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCatalogCoversEveryDocumentedCause holds the catalog to the list of
// documented causes in ../shared/causes.md: every ID there has a rule, and
// the catalog invents none. Skipped when ../shared is not beside the
// checkout.
func TestCatalogCoversEveryDocumentedCause(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "causes.md"))
	if err != nil {
		t.Skip("causes.md not present:", err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\|").FindAllSubmatch(raw, -1) {
		documented = append(documented, string(m[1]))
	}
	require.Len(t, documented, 34, "causes.md lists 34 causes")

	cat, err := Default()
	require.NoError(t, err)
	var ids []string
	for _, c := range cat.Causes {
		ids = append(ids, c.ID)
	}
	assert.ElementsMatch(t, documented, ids)
}
