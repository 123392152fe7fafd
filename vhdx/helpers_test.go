package vhdx_test

import (
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/sharedcorpus"
)

// corpusDir returns ../shared/corpus/vhdx next to the module root, or skips.
func corpusDir(t testing.TB) string {
	t.Helper()
	return sharedcorpus.Path(t, "vhdx")
}

// sparseFile keeps the head and the tail of a large, mostly-zero file. Reads
// that touch the bytes in between fail, so a test notices if the parser
// reads more than the header area a support bundle would hold.
type sparseFile struct {
	head []byte
	tail []byte // the last len(tail) bytes of the file
	size int64
}

func (s *sparseFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset")
	}
	end := off + int64(len(p))
	tailStart := s.size - int64(len(s.tail))
	switch {
	case end <= int64(len(s.head)):
		return copy(p, s.head[off:]), nil
	case off >= tailStart:
		n := copy(p, s.tail[off-tailStart:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	return 0, fmt.Errorf("sparseFile: read of %d bytes at 0x%x outside the kept head (0x%x) and tail (from 0x%x)", len(p), off, len(s.head), tailStart)
}

// loadBZ2 streams a .bz2 corpus file keeping the first headLen bytes and the
// last 512.
func loadBZ2(t testing.TB, path string, headLen int) *sparseFile {
	t.Helper()
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	zr := bzip2.NewReader(fh)
	head := make([]byte, headLen)
	n, err := io.ReadFull(zr, head)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return &sparseFile{head: head[:n], size: int64(n)}
	}
	require.NoError(t, err)
	// Keep a rolling window of the last 512 bytes of the rest.
	const tailLen = 512
	var tail []byte
	buf := make([]byte, 1<<20)
	total := int64(n)
	for {
		k, err := zr.Read(buf)
		total += int64(k)
		tail = append(tail, buf[:k]...)
		if len(tail) > tailLen {
			tail = tail[len(tail)-tailLen:]
		}
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	if len(tail) < tailLen {
		// The file ended within tailLen of the head: take the tail from both.
		all := append(append([]byte(nil), head...), tail...)
		if len(all) > tailLen {
			tail = all[len(all)-tailLen:]
		} else {
			tail = all
		}
	}
	return &sparseFile{head: head, tail: tail, size: total}
}

// readFile returns a whole small corpus file as a ReaderAt.
func readFile(t testing.TB, path string) (*bytes.Reader, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return bytes.NewReader(b), int64(len(b))
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
