//go:build !linux

package analyze

import (
	"io/fs"
	"os"
	"sync/atomic"
)

// Elsewhere a folder is listed and its files opened through os.Root.

func dirFD(*os.Root) (*os.File, int, bool) { return nil, -1, false }

func readDirFD(int, string, *os.Root) ([]fs.DirEntry, bool) { return nil, false }

func (f *listedFile) probeFD(int, *atomic.Int64) {}
