package vhdx

import (
	"bytes"
	"io"
)

// Format names a virtual disk file format.
type Format int

const (
	FormatUnknown Format = iota
	FormatVHDX           // VHDX / AVHDX: "vhdxfile" at offset 0
	FormatVHD            // VHD / AVHD: "conectix" footer
)

func (f Format) String() string {
	switch f {
	case FormatVHDX:
		return "VHDX"
	case FormatVHD:
		return "VHD"
	}
	return "unknown"
}

// MarshalText encodes the format as its String form.
func (f Format) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

var (
	vhdxMagic = []byte("vhdxfile")
	vhdMagic  = []byte("conectix")
)

// Detect sniffs the format by magic: "vhdxfile" at offset 0 means VHDX;
// "conectix" at offset 0 (footer copy of dynamic and differencing disks), at
// size-512 or at size-511 (old producers) means VHD. The file name is not
// consulted: a VHD renamed to .avhdx is still a VHD. Read errors and short
// files yield FormatUnknown.
func Detect(r io.ReaderAt, size int64) Format {
	if b, err := readAt(r, size, 0, 8); err == nil {
		if f := DetectHead(b); f != FormatUnknown {
			return f
		}
	}
	for _, back := range []int64{512, 511} {
		if b, err := readAt(r, size, size-back, 8); err == nil && bytes.Equal(b, vhdMagic) {
			return FormatVHD
		}
	}
	return FormatUnknown
}

// DetectHead sniffs the format from the first bytes of a file alone:
// "vhdxfile" means VHDX, "conectix" (the footer copy that dynamic and
// differencing disks keep at offset 0) means VHD. A fixed VHD has its only
// footer at the end of the file, which a head cannot show: Detect, given
// the whole file, finds it there.
func DetectHead(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, vhdxMagic):
		return FormatVHDX
	case bytes.HasPrefix(head, vhdMagic):
		return FormatVHD
	}
	return FormatUnknown
}
