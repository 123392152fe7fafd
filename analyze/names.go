package analyze

import (
	"errors"
	"path"
	"strings"
)

// errEscapes marks an entry name that climbs out of the bundle ("../x").
var errEscapes = errors.New("name climbs out of the bundle with '..'")

// normalizeName turns an archive entry name into a clean slash path inside
// the bundle. Windows tools write backslashes, drive letters and absolute
// names into zips; those are normalised. A name that climbs above the
// bundle root is refused: it is either damage or an attack, and no later
// stage should ever see it. The result is only ever a key inside the
// bundle, never a path on this machine.
func normalizeName(raw string) (string, error) {
	name := strings.ReplaceAll(raw, `\`, "/")
	if len(name) >= 2 && name[1] == ':' && isLetter(name[0]) {
		name = name[2:] // "C:/MS_DATA/x" → "/MS_DATA/x"
	}
	name = strings.TrimLeft(name, "/")
	if name == "" {
		return "", errors.New("empty name")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return "", errEscapes
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", errors.New("empty name")
	}
	return clean, nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
