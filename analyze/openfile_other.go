//go:build !unix

package analyze

// openNonblock is unix only; elsewhere a named pipe cannot sit in a folder
// under a file's name.
const openNonblock = 0
