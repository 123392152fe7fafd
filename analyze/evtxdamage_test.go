package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
)

// systemLog is a System log of n storage resets, one a minute.
func systemLog(n int) []byte {
	h := fixture.Host{Computer: "HV01"}
	var recs []evtxwrite.Record
	for i := range n {
		recs = append(recs, h.Classic("System", "storahci", 129, fixture.QualWarning, fixture.LevelWarning,
			fixture.At(2, i/60, i%60), `\Device\RaidPort0`, strings.Repeat("x", 200)))
	}
	return fixture.EVTX(recs, 1)
}

func runOne(t *testing.T, name string, b []byte) FileRecord {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	return inventory(res)[name]
}

func TestEVTXWithDamagedFileSignatureIsRead(t *testing.T) {
	b := systemLog(20)
	whole := runOne(t, "System.evtx", b)
	require.Equal(t, StatusParsed, whole.Status)
	b[3] ^= 0x01 // "ElfFile" -> "ElfGile"
	got := runOne(t, "System.evtx", b)
	assert.Equal(t, KindEVTX, got.Kind)
	assert.Equal(t, StatusPartial, got.Status)
	assert.Equal(t, whole.Records, got.Records)
	require.NotEmpty(t, got.Problems)
	assert.Contains(t, got.Problems[0].Msg, "ElfFile signature")
}

func TestEVTXThatEndsEarlyIsPartial(t *testing.T) {
	b := systemLog(600)
	whole := runOne(t, "System.evtx", b)
	require.Equal(t, StatusParsed, whole.Status, "%v", whole.Problems)
	require.Greater(t, len(b), 4096+2*65536, "the log must span chunks")
	cut := runOne(t, "System.evtx", b[:4096+65536])
	assert.Equal(t, StatusPartial, cut.Status)
	missing := whole.Records - cut.Records
	require.Positive(t, missing)
	joined := strings.Join(evidence.ProblemTexts(cut.Problems), "\n")
	assert.Contains(t, joined, "records (IDs ")
	assert.Contains(t, joined, "the header promises are missing")
	assert.Contains(t, joined, fmt.Sprintf("%d records (IDs %d-%d)", missing, cut.Records+1, whole.Records))
	assert.Contains(t, joined, "what was logged after ")
}
