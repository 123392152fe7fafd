package vhdxtest

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"

	"github.com/hvtriage/hvtriage/vhdx"
)

// VHDOptions describes a fixed, dynamic or differencing VHD.
type VHDOptions struct {
	Seed           string
	Type           vhdx.DiskType // default dynamic; differencing when ParentUniqueID is set
	CreatorApp     string        // 4 bytes, default "win "
	CreatorVersion uint32        // default 0x000a0000 (Hyper-V)
	CurrentSize    uint64        // default 127 GiB; fixed disks write this many data bytes
	Timestamp      uint32        // seconds since 2000-01-01 UTC
	UniqueID       vhdx.GUID

	// Differencing disks: the parent footer's unique ID and where to find it.
	ParentUniqueID vhdx.GUID
	ParentName     string // UTF-16BE parent name; Hyper-V stores the absolute path
	AbsolutePath   string // W2ku locator
	RelativePath   string // W2ru locator
}

// VHD layout used for dynamic and differencing disks: Hyper-V puts locator
// data at 0x1000 and 0x3000 and the BAT at 0x2000; this writer keeps the
// locators first so the BAT can grow.
const (
	VHDDynamicHeaderOffset = 512
	VHDW2kuOffset          = 0x1000
	VHDW2ruOffset          = 0x2000
	VHDBATOffset           = 0x3000
	vhdBlockSize           = 2 * mib
)

// VHD returns the bytes of a complete VHD file with no allocated blocks.
func VHD(o VHDOptions) ([]byte, error) {
	if o.CreatorApp == "" {
		o.CreatorApp = "win "
	}
	if o.CreatorVersion == 0 {
		o.CreatorVersion = 0x000a0000
	}
	if o.CurrentSize == 0 {
		o.CurrentSize = 127 << 30
	}
	if o.UniqueID.IsZero() {
		o.UniqueID = GUID(o.Seed, "vhd-unique")
	}
	if o.Type == vhdx.DiskTypeUnknown {
		o.Type = vhdx.DiskTypeDynamic
		if !o.ParentUniqueID.IsZero() {
			o.Type = vhdx.DiskTypeDifferencing
		}
	}
	be := binary.BigEndian
	footer := make([]byte, 512)
	copy(footer, "conectix")
	be.PutUint32(footer[8:], 2)
	be.PutUint32(footer[12:], 0x00010000)
	copy(footer[28:32], o.CreatorApp)
	be.PutUint32(footer[24:], o.Timestamp)
	be.PutUint32(footer[32:], o.CreatorVersion)
	copy(footer[36:], "Wi2k")
	be.PutUint64(footer[40:], o.CurrentSize)
	be.PutUint64(footer[48:], o.CurrentSize)
	c, h, s := chs(o.CurrentSize / 512)
	be.PutUint16(footer[56:], c)
	footer[58], footer[59] = h, s
	copy(footer[68:], o.UniqueID[:])

	switch o.Type {
	case vhdx.DiskTypeFixed:
		if o.CurrentSize > 64*mib {
			return nil, fmt.Errorf("vhdxtest: fixed VHD of %d bytes is too large for a test file", o.CurrentSize)
		}
		be.PutUint64(footer[16:], ^uint64(0))
		be.PutUint32(footer[60:], 2)
		PutVHDChecksum(footer, 64)
		return append(make([]byte, o.CurrentSize), footer...), nil
	case vhdx.DiskTypeDynamic, vhdx.DiskTypeDifferencing:
	default:
		return nil, fmt.Errorf("vhdxtest: unsupported VHD type %v", o.Type)
	}
	be.PutUint64(footer[16:], VHDDynamicHeaderOffset)
	diskType := uint32(3)
	if o.Type == vhdx.DiskTypeDifferencing {
		diskType = 4
	}
	be.PutUint32(footer[60:], diskType)
	PutVHDChecksum(footer, 64)

	entries := (o.CurrentSize + vhdBlockSize - 1) / vhdBlockSize
	batLen := (entries*4 + 511) / 512 * 512
	if batLen > 16*mib {
		return nil, fmt.Errorf("vhdxtest: BAT of %d bytes is too large for a test file", batLen)
	}
	b := make([]byte, VHDBATOffset+int(batLen), VHDBATOffset+int(batLen)+512)
	copy(b, footer)
	for i := VHDBATOffset; i < len(b); i++ {
		b[i] = 0xff
	}
	d := b[VHDDynamicHeaderOffset : VHDDynamicHeaderOffset+1024]
	copy(d, "cxsparse")
	be.PutUint64(d[8:], ^uint64(0))
	be.PutUint64(d[16:], VHDBATOffset)
	be.PutUint32(d[24:], 0x00010000)
	be.PutUint32(d[28:], uint32(entries))
	be.PutUint32(d[32:], vhdBlockSize)
	copy(d[40:], o.ParentUniqueID[:])
	for i, u := range utf16.Encode([]rune(o.ParentName)) {
		if 64+2*i+2 > 576 {
			return nil, fmt.Errorf("vhdxtest: parent name longer than 256 UTF-16 units")
		}
		be.PutUint16(d[64+2*i:], u)
	}
	slot := 0
	for _, l := range []struct {
		code string
		path string
		off  int
	}{{"W2ku", o.AbsolutePath, VHDW2kuOffset}, {"W2ru", o.RelativePath, VHDW2ruOffset}} {
		if l.path == "" {
			continue
		}
		data := utf16le(l.path)
		if len(data) > 0x1000 {
			return nil, fmt.Errorf("vhdxtest: locator path too long")
		}
		copy(b[l.off:], data)
		e := d[576+24*slot:]
		copy(e, l.code)
		be.PutUint32(e[4:], 0x1000) // Hyper-V stores a byte count here
		be.PutUint32(e[8:], uint32(len(data)))
		be.PutUint64(e[16:], uint64(l.off))
		slot++
	}
	PutVHDChecksum(d, 36)
	return append(b, footer...), nil
}

// PutVHDChecksum stores the VHD checksum (one's complement of the byte sum,
// field counted as zero) of b into the 4 bytes at field.
func PutVHDChecksum(b []byte, field int) {
	binary.BigEndian.PutUint32(b[field:], 0)
	var sum uint32
	for _, c := range b {
		sum += uint32(c)
	}
	binary.BigEndian.PutUint32(b[field:], ^sum)
}

// chs computes the VHD geometry for a sector count (VHD specification
// appendix).
func chs(sectors uint64) (uint16, uint8, uint8) {
	if sectors > 65535*16*255 {
		sectors = 65535 * 16 * 255
	}
	var spt, heads, cth uint64
	if sectors >= 65535*16*63 {
		spt, heads = 255, 16
		cth = sectors / spt
	} else {
		spt = 17
		cth = sectors / spt
		heads = (cth + 1023) / 1024
		if heads < 4 {
			heads = 4
		}
		if cth >= heads*1024 || heads > 16 {
			spt, heads = 31, 16
			cth = sectors / spt
		}
		if cth >= heads*1024 {
			spt, heads = 63, 16
			cth = sectors / spt
		}
	}
	return uint16(cth / heads), uint8(heads), uint8(spt)
}
