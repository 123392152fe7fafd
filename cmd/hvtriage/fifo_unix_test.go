//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCLIWithin fails the test instead of hanging on a blocked open.
func runCLIWithin(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type out struct {
		code           int
		stdout, stderr string
	}
	done := make(chan out, 1)
	go func() {
		c, o, e := runCLI(t, args...)
		done <- out{c, o, e}
	}()
	select {
	case o := <-done:
		return o.code, o.stdout, o.stderr
	case <-time.After(60 * time.Second):
		t.Fatalf("hvtriage %v still blocked after 60s", args)
		return 0, "", ""
	}
}

func TestFIFOBundles(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "case-000.zip")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}

	code, _, stderr := runCLIWithin(t, "analyze", pipe)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "named pipe")

	copyFile(t, sample, filepath.Join(dir, "case-001.zip"))
	code, stdout, stderr := runCLIWithin(t, "analyze", "--batch", dir, "--report-dir", t.TempDir())
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "skipped "+pipe)
	assert.Contains(t, stdout, "case-001.zip")
}
