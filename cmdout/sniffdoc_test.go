package cmdout

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSniffDocAgreesWithSniff: SniffDoc gives Sniff's kind on every
// test output, and Parse's result when it parsed the whole text.
func TestSniffDocAgreesWithSniff(t *testing.T) {
	files, _ := filepath.Glob("testdata/*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		text, _, _ := Decode(b)
		kind, doc, problems := SniffDoc(text)
		assert.Equal(t, Sniff(text), kind, f)
		if doc != nil {
			want, wantProblems := Parse(text)
			assert.Equal(t, want, doc, f)
			assert.Equal(t, wantProblems, problems, f)
		}
	}
	assert.NotEmpty(t, files)
}
