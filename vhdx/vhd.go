package vhdx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
)

const (
	vhdFooterLen      = 512
	vhdDynamicLen     = 1024
	vhdLocatorCount   = 8
	vhdLocatorLen     = 24
	maxVHDLocatorData = 64 << 10 // a UTF-16 Windows path never needs more
)

// VHD disk type codes.
const (
	vhdTypeFixed        = 2
	vhdTypeDynamic      = 3
	vhdTypeDifferencing = 4
)

// vhdEpoch is the origin of VHD timestamps.
var vhdEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// VHDFooter is the 512-byte "conectix" footer (or its copy at offset 0).
type VHDFooter struct {
	Off              int64
	Features         uint32
	Version          uint32
	DataOffset       uint64
	Timestamp        uint32 // seconds since 2000-01-01 UTC
	CreatorApp       string // "win ", "vpc ", "qemu", "d2v"...
	CreatorVersion   uint32
	CreatorHostOS    string
	OriginalSize     uint64
	CurrentSize      uint64
	Cylinders        uint16
	Heads            uint8
	SectorsPerTrack  uint8
	DiskType         uint32 // 2 fixed, 3 dynamic, 4 differencing
	Checksum         uint32
	ComputedChecksum uint32
	UniqueID         GUID // raw 16 bytes at footer+68
	SavedState       uint8
}

// Time returns the footer timestamp.
func (h *VHDFooter) Time() time.Time { return vhdEpoch.Add(time.Duration(h.Timestamp) * time.Second) }

// ChecksumOK reports whether the stored checksum matches.
func (h *VHDFooter) ChecksumOK() bool { return h.Checksum == h.ComputedChecksum }

// VHDLocator is one of the eight parent locator entries of a dynamic header.
type VHDLocator struct {
	Off        int64  // byte offset of the 24-byte entry
	Code       string // platform code: "W2ku", "W2ru", "Wi2k", "Wi2r", "MacX"...
	DataSpace  uint32
	DataLength uint32
	DataOffset uint64
	// Path is the decoded platform data (UTF-16LE for W2ku/W2ru, bytes for
	// Wi2k/Wi2r and MacX); empty when it was not collected or not decodable.
	Path string
}

// VHDDynamicHeader is the 1024-byte "cxsparse" header of dynamic and
// differencing VHDs.
type VHDDynamicHeader struct {
	Off              int64
	TableOffset      uint64
	HeaderVersion    uint32
	MaxTableEntries  uint32
	BlockSize        uint32
	Checksum         uint32
	ComputedChecksum uint32
	ParentUniqueID   GUID   // raw copy of the parent footer's unique ID
	ParentTimestamp  uint32 // Hyper-V writes 0
	ParentName       string // UTF-16BE
	Locators         []VHDLocator
}

// ChecksumOK reports whether the stored checksum matches.
func (h *VHDDynamicHeader) ChecksumOK() bool { return h.Checksum == h.ComputedChecksum }

// VHD is a parsed VHD or AVHD file.
type VHD struct {
	Size int64
	// Footer is the footer used: the one at the end of the file when it
	// is readable, else the copy at offset 0.
	Footer VHDFooter
	// FooterCopy is the copy at offset 0 of dynamic and differencing disks
	// (nil when absent or when Footer already is that copy).
	FooterCopy *VHDFooter
	Dynamic    *VHDDynamicHeader

	Truncated bool
	Problems  []Problem
	corrupt   bool
}

// Type maps the footer disk type.
func (v *VHD) Type() DiskType {
	switch v.Footer.DiskType {
	case vhdTypeFixed:
		return DiskTypeFixed
	case vhdTypeDynamic:
		return DiskTypeDynamic
	case vhdTypeDifferencing:
		return DiskTypeDifferencing
	}
	return DiskTypeUnknown
}

// Corrupt reports damage that makes Hyper-V refuse the file.
func (v *VHD) Corrupt() bool { return v.corrupt }

// ParentPaths returns the parent paths of a differencing VHD in lookup
// order: relative locators, absolute locators, then the parent name.
func (v *VHD) ParentPaths() []ParentPath {
	if v.Dynamic == nil {
		return nil
	}
	var rel, abs []ParentPath
	for _, l := range v.Dynamic.Locators {
		if l.Path == "" {
			continue
		}
		switch l.Code {
		case "W2ru", "Wi2r":
			rel = append(rel, ParentPath{Kind: PathRelative, Path: l.Path, Off: int64(l.DataOffset)})
		case "W2ku", "Wi2k":
			abs = append(abs, ParentPath{Kind: PathAbsolute, Path: l.Path, Off: int64(l.DataOffset)})
		}
	}
	out := append(rel, abs...)
	if v.Dynamic.ParentName != "" {
		out = append(out, ParentPath{Kind: PathParentName, Path: v.Dynamic.ParentName, Off: v.Dynamic.Off + 64})
	}
	return out
}

// vhdChecksum is the one's complement of the byte sum with the checksum
// field (4 bytes at field) counted as zero.
func vhdChecksum(b []byte, field int) uint32 {
	var sum uint32
	for i, c := range b {
		if i >= field && i < field+4 {
			continue
		}
		sum += uint32(c)
	}
	return ^sum
}

func parseVHDFooter(b []byte, off int64) VHDFooter {
	be := binary.BigEndian
	return VHDFooter{
		Off:              off,
		Features:         be.Uint32(b[8:]),
		Version:          be.Uint32(b[12:]),
		DataOffset:       be.Uint64(b[16:]),
		Timestamp:        be.Uint32(b[24:]),
		CreatorApp:       decodeASCII(b[28:32]),
		CreatorVersion:   be.Uint32(b[32:]),
		CreatorHostOS:    decodeASCII(b[36:40]),
		OriginalSize:     be.Uint64(b[40:]),
		CurrentSize:      be.Uint64(b[48:]),
		Cylinders:        be.Uint16(b[56:]),
		Heads:            b[58],
		SectorsPerTrack:  b[59],
		DiskType:         be.Uint32(b[60:]),
		Checksum:         be.Uint32(b[64:]),
		ComputedChecksum: vhdChecksum(b[:vhdFooterLen], 64),
		UniqueID:         GUID(b[68:84]),
		SavedState:       b[84],
	}
}

// OpenVHD parses the footer, footer copy and dynamic header of a VHD or
// AVHD. It returns an error only when no "conectix" footer is found at the
// end (size-512 or size-511) nor at offset 0, or when r fails.
func OpenVHD(r io.ReaderAt, size int64) (*VHD, error) {
	if size < 0 {
		return nil, &FormatError{Off: 0, Msg: "negative file size", Val: size}
	}
	v := &VHD{Size: size}
	var probs problems
	tail, err := readTailFooter(r, size, &probs)
	if err != nil {
		return nil, err
	}
	head, err := readHeadFooter(r, size, tail)
	if err != nil {
		return nil, err
	}
	if tail == nil && head == nil {
		return nil, &FormatError{Off: size - vhdFooterLen, Msg: "no VHD footer (\"conectix\") at the end of the file or at offset 0"}
	}
	v.chooseFooter(tail, head, &probs)
	v.checkFooter(&probs)
	switch v.Footer.DiskType {
	case vhdTypeFixed:
		if head != nil && tail != nil {
			probs.add(0, ProblemNote, SeverityInfo, "fixed VHD with a footer copy at offset 0")
		}
	case vhdTypeDynamic, vhdTypeDifferencing:
		if err := v.parseDynamic(r, size, &probs); err != nil {
			return nil, err
		}
	default:
		probs.add(v.Footer.Off+60, ProblemUnsupported, SeverityError, "footer disk type %d is not fixed (2), dynamic (3) or differencing (4)", v.Footer.DiskType)
		v.corrupt = true
	}
	v.Problems = probs
	return v, nil
}

// readTailFooter reads the footer at the end of the file, nil when there
// is none. Old producers wrote a 511-byte footer, so it also tries
// size-511 and pads.
func readTailFooter(r io.ReaderAt, size int64, probs *problems) (*VHDFooter, error) {
	for _, back := range []int64{512, 511} {
		b, err := readAt(r, size, size-back, int(back))
		if err != nil {
			if isTruncation(err) {
				continue
			}
			return nil, err
		}
		if !bytes.Equal(b[:8], vhdMagic) {
			continue
		}
		if back == 511 {
			b = append(b, 0)
			probs.add(size-back, ProblemNote, SeverityInfo, "511-byte footer (written by old producers)")
		}
		ft := parseVHDFooter(b, size-back)
		return &ft, nil
	}
	return nil, nil
}

// readHeadFooter reads the footer copy at offset 0, nil when there is none
// or when the tail footer already is the one at offset 0 (a file of just
// a footer).
func readHeadFooter(r io.ReaderAt, size int64, tail *VHDFooter) (*VHDFooter, error) {
	b, err := readAt(r, size, 0, vhdFooterLen)
	if err != nil {
		if isTruncation(err) {
			return nil, nil
		}
		return nil, err
	}
	if !bytes.Equal(b[:8], vhdMagic) || (tail != nil && tail.Off == 0) {
		return nil, nil
	}
	ft := parseVHDFooter(b, 0)
	return &ft, nil
}

// chooseFooter sets the footer used and the copy, from the tail and head
// footers (at least one is not nil): the tail one unless it is missing or
// only the head one has a valid checksum.
func (v *VHD) chooseFooter(tail, head *VHDFooter, probs *problems) {
	switch {
	case tail == nil:
		v.Footer = *head
		v.Truncated = true
		probs.add(v.Size-vhdFooterLen, ProblemTruncated, SeverityInfo, "no footer at the end of the collected bytes (header-only collection or truncated file); the copy at offset 0 is used")
	case head == nil:
		v.Footer = *tail
	default:
		v.Footer = *tail
		v.FooterCopy = head
		if !tail.ChecksumOK() && head.ChecksumOK() {
			v.Footer, v.FooterCopy = *head, tail
			probs.add(tail.Off+64, ProblemChecksum, SeverityWarning, "footer checksum mismatch (stored 0x%08x, computed 0x%08x); the valid copy at offset 0 is used", tail.Checksum, tail.ComputedChecksum)
		}
	}
}

// checkFooter reports a bad checksum, a copy that names another disk, and
// a format version Hyper-V does not read.
func (v *VHD) checkFooter(probs *problems) {
	ft, cp := &v.Footer, v.FooterCopy
	if !ft.ChecksumOK() {
		both := ""
		if cp != nil && cp.Checksum == ft.Checksum && cp.ComputedChecksum == ft.ComputedChecksum {
			both = fmt.Sprintf("; the copy at 0x%x has the same mismatch", cp.Off)
		}
		probs.add(ft.Off+64, ProblemChecksum, SeverityWarning, "footer checksum mismatch: stored 0x%08x, computed 0x%08x%s (Windows reports this as 0xC03A0002)", ft.Checksum, ft.ComputedChecksum, both)
		if cp != nil && both == "" && !cp.ChecksumOK() {
			probs.add(cp.Off+64, ProblemChecksum, SeverityWarning, "footer copy checksum mismatch: stored 0x%08x, computed 0x%08x", cp.Checksum, cp.ComputedChecksum)
		}
	}
	if cp != nil && cp.UniqueID != ft.UniqueID {
		probs.add(cp.Off+68, ProblemFormat, SeverityWarning, "footer copy at 0x%x has unique ID %s, the footer %s", cp.Off, cp.UniqueID, ft.UniqueID)
	}
	if ft.Version>>16 != 1 {
		probs.add(ft.Off+12, ProblemUnsupported, SeverityError, "footer file format version 0x%08x is not 1.x", ft.Version)
		v.corrupt = true
	}
}

func (v *VHD) parseDynamic(r io.ReaderAt, size int64, probs *problems) error {
	ft := &v.Footer
	if ft.DataOffset > uint64(size) || ft.DataOffset < vhdFooterLen {
		probs.add(ft.Off+16, ProblemFormat, SeverityError, "dynamic header offset 0x%x is outside the file", ft.DataOffset)
		v.corrupt = true
		return nil
	}
	off := int64(ft.DataOffset)
	b, err := readAt(r, size, off, vhdDynamicLen)
	if err != nil {
		if !isTruncation(err) {
			return err
		}
		v.Truncated = true
		probs.add(off, ProblemTruncated, SeverityWarning, "dynamic header (1024 bytes at 0x%x) lies beyond the collected 0x%x bytes", off, size)
		return nil
	}
	if !bytes.Equal(b[:8], []byte("cxsparse")) {
		probs.add(off, ProblemFormat, SeverityError, "dynamic header has no \"cxsparse\" cookie (found %q)", b[:8])
		v.corrupt = true
		return nil
	}
	be := binary.BigEndian
	d := &VHDDynamicHeader{
		Off:              off,
		TableOffset:      be.Uint64(b[16:]),
		HeaderVersion:    be.Uint32(b[24:]),
		MaxTableEntries:  be.Uint32(b[28:]),
		BlockSize:        be.Uint32(b[32:]),
		Checksum:         be.Uint32(b[36:]),
		ComputedChecksum: vhdChecksum(b, 36),
		ParentUniqueID:   GUID(b[40:56]),
		ParentTimestamp:  be.Uint32(b[56:]),
		ParentName:       decodeUTF16BE(b[64:576]),
	}
	v.Dynamic = d
	if !d.ChecksumOK() {
		probs.add(off+36, ProblemChecksum, SeverityWarning, "dynamic header checksum mismatch: stored 0x%08x, computed 0x%08x (Windows reports this as 0xC03A0006)", d.Checksum, d.ComputedChecksum)
	}
	if d.BlockSize == 0 || d.BlockSize&(d.BlockSize-1) != 0 || d.BlockSize%512 != 0 {
		probs.add(off+32, ProblemFormat, SeverityError, "block size %d is not a power of two multiple of 512", d.BlockSize)
		v.corrupt = true
	}
	if d.TableOffset > uint64(size) {
		v.Truncated = true
		probs.add(off+16, ProblemTruncated, SeverityInfo, "block allocation table at 0x%x lies beyond the collected 0x%x bytes", d.TableOffset, size)
	}
	for i := 0; i < vhdLocatorCount; i++ {
		e := b[576+i*vhdLocatorLen:]
		l := VHDLocator{
			Off:        off + 576 + int64(i*vhdLocatorLen),
			Code:       decodeASCII(e[0:4]),
			DataSpace:  be.Uint32(e[4:]),
			DataLength: be.Uint32(e[8:]),
			DataOffset: be.Uint64(e[16:]),
		}
		if be.Uint32(e[0:]) == 0 {
			continue
		}
		if err := v.readLocator(r, size, &l, probs); err != nil {
			return err
		}
		d.Locators = append(d.Locators, l)
	}
	if ft.DiskType == vhdTypeDifferencing {
		if d.ParentUniqueID.IsZero() {
			probs.add(off+40, ProblemFormat, SeverityError, "differencing disk with an all-zero parent unique ID")
			v.corrupt = true
		}
		if len(v.ParentPaths()) == 0 {
			probs.add(off+64, ProblemFormat, SeverityError, "differencing disk names no parent (no parent name and no readable locator)")
		}
	}
	return nil
}

func (v *VHD) readLocator(r io.ReaderAt, size int64, l *VHDLocator, probs *problems) error {
	if l.DataLength == 0 {
		return nil
	}
	if l.DataLength > maxVHDLocatorData {
		probs.add(l.Off+8, ProblemFormat, SeverityWarning, "parent locator %s data length %d is implausibly large; not read", l.Code, l.DataLength)
		return nil
	}
	if l.DataOffset > uint64(size) {
		v.Truncated = true
		probs.add(l.Off+16, ProblemTruncated, SeverityWarning, "parent locator %s data at 0x%x lies beyond the collected 0x%x bytes", l.Code, l.DataOffset, size)
		return nil
	}
	b, err := readAt(r, size, int64(l.DataOffset), int(l.DataLength))
	if err != nil {
		if !isTruncation(err) {
			return err
		}
		v.Truncated = true
		probs.add(int64(l.DataOffset), ProblemTruncated, SeverityWarning, "parent locator %s data (%d bytes at 0x%x) lies beyond the collected 0x%x bytes", l.Code, l.DataLength, l.DataOffset, size)
		return nil
	}
	switch l.Code {
	case "W2ku", "W2ru":
		l.Path = decodeUTF16LE(b)
	case "Wi2k", "Wi2r", "MacX":
		l.Path = strings.ToValidUTF8(string(bytes.TrimRight(b, "\x00")), "?")
	default:
		probs.add(l.Off, ProblemNote, SeverityInfo, "parent locator with platform code %q not decoded", l.Code)
	}
	return nil
}
