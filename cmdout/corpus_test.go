package cmdout

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/sharedcorpus"
)

// corpusDir finds ../shared/corpus next to the module root, or skips.
func corpusDir(t *testing.T) string {
	t.Helper()
	return sharedcorpus.Path(t)
}

// The shared corpus holds binary EVTX and VHDX files: none of them may be
// taken for command output, and parsing them must not panic.
func TestCorpus_binaryFilesAreUnknown(t *testing.T) {
	root := corpusDir(t)
	n := 0
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		ext := filepath.Ext(path)
		if ext != ".evtx" && ext != ".vhdx" && ext != ".vhd" && ext != ".avhdx" {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		head, err := io.ReadAll(io.LimitReader(f, 256<<10))
		if err != nil {
			return err
		}
		n++
		assert.Equal(t, KindUnknown, SniffBytes(head), path)
		d, _, _ := ParseBytes(head)
		assert.Empty(t, d.Kinds, path)
		return nil
	})
	require.NoError(t, err)
	t.Logf("%d binary corpus files checked", n)
}
