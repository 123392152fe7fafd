package wintext

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// guidLen is the length of a GUID without braces: 8-4-4-4-12 hex digits.
const guidLen = 36

// isGUIDAt reports whether s starts with a GUID (no braces). GUIDs are
// checked byte by byte rather than with a regular expression: they are
// looked for on every line of large outputs.
func isGUIDAt(s string) bool {
	if len(s) < guidLen {
		return false
	}
	for i := range guidLen {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// NormGUID returns the GUID in s in canonical form (lower case, no braces),
// or "" when s holds none. GUIDs print in several styles (braced lower case
// in vssadmin, bare upper case in Get-VHD) and are compared in this form.
func NormGUID(s string) string {
	// The first dash of a GUID is its ninth byte: try each dash in turn,
	// so that the leftmost GUID wins as it would with a regular expression.
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			return ""
		}
		if d := i + j; d >= 8 && isGUIDAt(s[d-8:]) {
			return strings.ToLower(s[d-8 : d-8+guidLen])
		}
		i += j + 1
	}
}

// IsGUID reports whether s, trimmed, is a GUID and nothing else (braces
// allowed).
func IsGUID(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	return len(s) == guidLen && isGUIDAt(s)
}

// VirtualMachinesSID is NT VIRTUAL MACHINE\Virtual Machines.
const VirtualMachinesSID = "S-1-5-83-0"

// VMSID derives the per-VM account SID NT VIRTUAL MACHINE\<VMId>:
// S-1-5-83-1- followed by the GUID's 16 bytes (Windows byte order) read as
// four little-endian uint32 values.
func VMSID(vmID string) (string, error) {
	g := NormGUID(vmID)
	if g == "" || !IsGUID(vmID) {
		return "", fmt.Errorf("wintext: %q is not a GUID", vmID)
	}
	b, err := guidBytesLE(g)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("S-1-5-83-1-%d-%d-%d-%d",
		binary.LittleEndian.Uint32(b[0:4]), binary.LittleEndian.Uint32(b[4:8]),
		binary.LittleEndian.Uint32(b[8:12]), binary.LittleEndian.Uint32(b[12:16])), nil
}

var vmSIDRe = regexp.MustCompile(`^[Ss]-1-5-83-1-(\d{1,10})-(\d{1,10})-(\d{1,10})-(\d{1,10})$`)

// VMIDFromSID reverses VMSID: it returns the VM GUID (canonical form) of a
// per-VM SID, or an error when sid is not one.
func VMIDFromSID(sid string) (string, error) {
	m := vmSIDRe.FindStringSubmatch(strings.TrimSpace(sid))
	if m == nil {
		return "", fmt.Errorf("wintext: %q is not a per-VM SID (S-1-5-83-1-a-b-c-d)", sid)
	}
	var b [16]byte
	for i := 0; i < 4; i++ {
		v, err := strconv.ParseUint(m[i+1], 10, 32)
		if err != nil {
			return "", fmt.Errorf("wintext: SID %q: sub-authority %q out of range", sid, m[i+1])
		}
		binary.LittleEndian.PutUint32(b[4*i:], uint32(v))
	}
	// Windows GUID layout: Data1, Data2, Data3 little-endian, Data4 as is.
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(b[0:4]), binary.LittleEndian.Uint16(b[4:6]),
		binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16]), nil
}

func guidBytesLE(g string) ([16]byte, error) {
	var out [16]byte
	raw, err := hex.DecodeString(strings.ReplaceAll(g, "-", ""))
	if err != nil || len(raw) != 16 {
		return out, fmt.Errorf("wintext: %q is not a GUID", g)
	}
	// Data1 (4), Data2 (2), Data3 (2) are stored little-endian.
	out[0], out[1], out[2], out[3] = raw[3], raw[2], raw[1], raw[0]
	out[4], out[5] = raw[5], raw[4]
	out[6], out[7] = raw[7], raw[6]
	copy(out[8:], raw[8:])
	return out, nil
}
