// Package sharedcorpus locates the public test corpus that CI keeps in
// ../shared/corpus beside the checkout. A clone elsewhere has no corpus,
// so tests that need it skip instead of failing.
package sharedcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the corpus path joined with elem (for example "evtx" or
// "vhdx", "qemu"), or skips the test when the module root or the path
// cannot be found.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Skip("working directory unknown:", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared", "corpus"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skip("shared corpus not present:", err)
	}
	return p
}
