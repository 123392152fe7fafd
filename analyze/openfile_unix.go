//go:build unix

package analyze

import "syscall"

// openNonblock makes opening a named pipe return at once instead of
// waiting for a writer. Reads of regular files ignore it.
const openNonblock = syscall.O_NONBLOCK
