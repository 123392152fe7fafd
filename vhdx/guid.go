package vhdx

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// GUID holds the 16 bytes of a Windows GUID exactly as they are stored on
// disk: Data1 (uint32), Data2 and Data3 (uint16) little-endian, then the 8
// bytes of Data4 as they are. VHD unique IDs, which are raw 16-byte values,
// use the same type and are printed the way Windows tools print them.
type GUID [16]byte

// String returns the canonical form in upper case without braces, for example
// "D247CBB2-15B6-404B-9133-790733D694C0", matching what Get-VHD and other
// Windows tools display. Use Braced for the lower-case braced form the VHDX
// parent locator stores.
func (g GUID) String() string {
	return fmt.Sprintf("%08X-%04X-%04X-%02X%02X-%X",
		binary.LittleEndian.Uint32(g[0:4]),
		binary.LittleEndian.Uint16(g[4:6]),
		binary.LittleEndian.Uint16(g[6:8]),
		g[8], g[9], g[10:16])
}

// Braced returns the lower-case braced form, "{d247cbb2-15b6-404b-9133-790733d694c0}",
// which is how Hyper-V writes parent_linkage values.
func (g GUID) Braced() string {
	return "{" + strings.ToLower(g.String()) + "}"
}

// IsZero reports whether g is the all-zero GUID.
func (g GUID) IsZero() bool { return g == GUID{} }

// MarshalText encodes g in the String form, so GUIDs appear readable in JSON.
func (g GUID) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText accepts any form ParseGUID accepts.
func (g *GUID) UnmarshalText(b []byte) error {
	v, err := ParseGUID(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// ParseGUID parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in either case,
// optionally enclosed in braces and surrounded by spaces, into its on-disk
// (mixed-endian) byte layout.
func ParseGUID(s string) (GUID, error) {
	var g GUID
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
		t = t[1 : len(t)-1]
	}
	if len(t) != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
		return g, fmt.Errorf("vhdx: malformed GUID %q", s)
	}
	var raw [16]byte
	if _, err := hex.Decode(raw[:], []byte(t[0:8]+t[9:13]+t[14:18]+t[19:23]+t[24:36])); err != nil {
		return g, fmt.Errorf("vhdx: malformed GUID %q: %w", s, err)
	}
	// raw holds the text order; the first three groups are stored little-endian.
	g[0], g[1], g[2], g[3] = raw[3], raw[2], raw[1], raw[0]
	g[4], g[5] = raw[5], raw[4]
	g[6], g[7] = raw[7], raw[6]
	copy(g[8:], raw[8:])
	return g, nil
}

// mustGUID is for the package's own constant GUIDs only.
func mustGUID(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}
