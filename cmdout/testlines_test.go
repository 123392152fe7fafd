package cmdout

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// testDataLines is every line of cmdout's and analyze's test data, decoded
// as the parsers see it: the corpus against which the hand-written
// prechecks, gates and parsers are held to the expressions they replace.
func testDataLines(t *testing.T) []string {
	t.Helper()
	var lines []string
	for _, dir := range []string{"testdata", filepath.Join("..", "analyze", "testdata")} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			raw, err := os.ReadFile(p)
			if err != nil || len(raw) > 1<<20 {
				return nil
			}
			text, _, _ := Decode(raw)
			lines = append(lines, Lines(text)...)
			return nil
		})
	}
	if len(lines) < 1000 {
		t.Fatalf("only %d lines of test data", len(lines))
	}
	return lines
}
