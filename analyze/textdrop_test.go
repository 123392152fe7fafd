package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze/extract"
	"github.com/hvtriage/hvtriage/cmdout"
)

// letters names the n-th item with letters only: backup logs fold the
// digits of a message, so numbered names would repeat one entry.
func letters(n int) string {
	s := ""
	for {
		s = string(rune('a'+n%26)) + s
		n /= 26
		if n == 0 {
			return s
		}
	}
}

// TestTextReadersNoteWhatTheyDrop: every text reader that keeps at most
// so many items of a file says how many more it did not keep: free text
// over MaxTextEvidence mentions, a backup log over its distinct entries,
// and the free text in the rest of a command output (the mixed pass).
func TestTextReadersNoteWhatTheyDrop(t *testing.T) {
	const over = 7
	var mentions strings.Builder
	for i := range extract.MaxTextEvidence + over {
		fmt.Fprintf(&mentions, "Hi team, the checkpoint of VM %s failed again with 0x80070005.\n", letters(i))
	}
	var backup strings.Builder
	fmt.Fprintf(&backup, "[03.06.2025 22:00:01.102] <  9> Info     Service Svc.VeeamBackup started job 'HV-Nightly'\n")
	for i := range cmdout.MaxBackupEntries + over {
		fmt.Fprintf(&backup, "[03.06.2025 22:15:02.008] <  22> Error    Processing VM '%s' failed: General access denied error (0x80070005).\n", letters(i))
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"note.txt":    mentions.String(),
		"veeam.log":   backup.String(),
		"writers.txt": failedWriters + "\n" + mentions.String(),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, extract.KindFreeText, inv["note.txt"].Kind)
	assert.Contains(t, inv["note.txt"].Notes, fmt.Sprintf("%d more records not kept as evidence (at most %d per file)", over, extract.MaxTextEvidence))
	assert.Equal(t, extract.KindBackupLog, inv["veeam.log"].Kind)
	assert.Contains(t, inv["veeam.log"].Notes, fmt.Sprintf("%d more log lines with an error or warning not read (at most %d distinct entries per file)", over, cmdout.MaxBackupEntries))
	assert.Equal(t, string(cmdout.KindVSSWriters), inv["writers.txt"].Kind)
	assert.Contains(t, inv["writers.txt"].Notes, fmt.Sprintf("%d more items in the rest of the file not kept as evidence (at most %d per reader)", over, extract.MaxTextEvidence))
}
