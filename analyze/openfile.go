package analyze

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// openRegular opens a file of a folder bundle for reading without
// blocking, and refuses it unless it is a regular file. The folder is
// listed before its files are read: a file replaced by a named pipe in
// between would block a plain open until someone writes to the pipe, and
// a device could be read forever. Opening non-blocking returns at once
// whatever the file is, and the descriptor's own type is checked before
// any read. (It also spares the two fcntl calls that make a regular
// file's descriptor blocking again.)
//
// rel is the file's name in root, which may be the root of its own folder
// (addDir), and name its path in the bundle, which errors cite.
func openRegular(root *os.Root, rel, name string) (*os.File, error) {
	f, err := root.OpenFile(rel, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			pe.Path = name
		}
		return nil, err
	}
	if err := checkRegular(f, name); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openRegularPath is openRegular for a path outside any root: the bundle
// itself, named on the command line.
func openRegularPath(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(f, p); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkRegular(f *os.File, name string) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %s, not a regular file (it replaced the file listed): not read", name, specialFile(st.Mode()))
	}
	return nil
}
