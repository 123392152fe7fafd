package evtx

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmptyLogReportsNothingMissing: a log with one empty chunk (ids -1 to
// -1, no records) is not damaged and promises nothing.
func TestEmptyLogReportsNothingMissing(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(corpusDir(t), "evtx", "evtx-parser", "HardwareEvents.evtx"))
	require.NoError(t, err)
	st, evs, err := walkBytes(t, b)
	require.NoError(t, err)
	assert.Empty(t, evs)
	assert.Empty(t, st.Skipped)
	n, ok := DeclaredRecords(bytes.NewReader(b), int64(len(b)))
	assert.False(t, ok)
	assert.Zero(t, n)
}
