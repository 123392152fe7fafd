package analyze

import (
	"archive/zip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze/extract"
)

// TestLargeTextOutputIsCut: a command output over the text limit is read up
// to the limit, listed as partial with a problem naming the file and the
// limit, and what was read is analyzed; the other files are untouched.
// Copies of the same output keep their records once.
func TestLargeTextOutputIsCut(t *testing.T) {
	big := utf16(t, strings.Repeat(failedWriters, 1+(extract.MaxTextFile+extract.MaxTextFile/8)/(2*len(failedWriters))))
	require.Greater(t, len(big), extract.MaxTextFile)
	bundle := makeZip(t,
		zipEntry{name: "big1.txt", data: big, method: zip.Deflate},
		zipEntry{name: "big2.txt", data: big, method: zip.Deflate},
		zipEntry{name: "w.txt", data: utf16(t, failedWriters), method: zip.Store},
	)
	res, err := Run(t.Context(), writeTemp(t, "case.zip", bundle), Options{Workers: 2})
	require.NoError(t, err)
	inv := inventory(res)
	for _, name := range []string{"big1.txt", "big2.txt"} {
		rec := inv[name]
		assert.Equal(t, StatusPartial, rec.Status, name)
		assert.Positive(t, rec.Records, name)
		require.NotEmpty(t, rec.Problems, name)
		assert.Contains(t, rec.Problems[0].Msg, name+" is ")
		assert.Contains(t, rec.Problems[0].Msg, "over the 8.0 MiB limit for text files")
	}
	assert.Contains(t, strings.Join(inv["big2.txt"].Notes, "\n"), "records as big1.txt; counted once")
	assert.Equal(t, StatusParsed, inv["w.txt"].Status)
	cited := map[string]int{}
	for _, e := range res.Evidence {
		cited[e.Source]++
	}
	assert.Positive(t, cited["big1.txt"])
	assert.Zero(t, cited["big2.txt"])
}
