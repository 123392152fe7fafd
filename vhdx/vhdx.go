package vhdx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// Layout constants from [MS-VHDX] 2.2.
const (
	mib             = 1 << 20
	kib64           = 64 << 10
	headerSize      = 4096
	regionTableSize = kib64
	maxTableEntries = 2047     // region table and metadata table limit
	maxMetadataItem = mib      // metadata item length limit
	maxVirtualSize  = 64 << 40 // 64 TiB
	logSectorSize   = 4096
)

var (
	headerOffsets      = [2]int64{0x10000, 0x20000}
	regionTableOffsets = [2]int64{0x30000, 0x40000}
)

// Well-known GUIDs of the format.
var (
	RegionBAT      = mustGUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
	RegionMetadata = mustGUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")

	ItemFileParameters     = mustGUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
	ItemVirtualDiskSize    = mustGUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
	ItemVirtualDiskID      = mustGUID("BECA12AB-B2E6-4523-93EF-C309E000C746") // page 83 data
	ItemLogicalSectorSize  = mustGUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
	ItemPhysicalSectorSize = mustGUID("CDA348C7-445D-4471-9CC9-E9885251C556")
	ItemParentLocator      = mustGUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")

	LocatorTypeVHDX = mustGUID("B04AEFB7-D19E-4A81-B789-25B8E9445913")
)

// Header is one of the two 4 KiB VHDX headers.
type Header struct {
	Off              int64 // 0x10000 or 0x20000
	Present          bool  // the 4 KiB were within the collected bytes
	Valid            bool  // signature "head" and CRC-32C both good
	Checksum         uint32
	ComputedChecksum uint32
	SequenceNumber   uint64
	FileWriteGUID    GUID
	DataWriteGUID    GUID
	LogGUID          GUID
	LogVersion       uint16
	Version          uint16
	LogLength        uint32
	LogOffset        uint64

	raw []byte // kept to recognise byte-identical copies
}

// Region is one region table entry.
type Region struct {
	Off        int64 // byte offset of the entry in the file
	GUID       GUID
	FileOffset uint64
	Length     uint32
	Required   bool
}

// Name returns "BAT", "metadata" or "unknown".
func (r Region) Name() string {
	switch r.GUID {
	case RegionBAT:
		return "BAT"
	case RegionMetadata:
		return "metadata"
	}
	return "unknown"
}

// MetadataItem is one metadata table entry.
type MetadataItem struct {
	Off           int64 // byte offset of the table entry in the file
	ItemID        GUID
	Offset        uint32 // relative to the metadata region
	Length        uint32
	IsUser        bool
	IsVirtualDisk bool
	IsRequired    bool
}

// Parts records which structures were found within the collected bytes and
// could be read.
type Parts uint8

const (
	PartFileID        Parts = 1 << iota // file type identifier and creator
	PartHeader                          // a current header was chosen
	PartRegionTable                     // a valid region table was read
	PartMetadata                        // metadata table and its system items
	PartParentLocator                   // parent locator item (differencing disks)
	PartLog                             // log region, when the header names a log
	PartBAT                             // BAT region lies within the collected bytes
)

// Has reports whether all parts in q are present.
func (p Parts) Has(q Parts) bool { return p&q == q }

// LogState is the result of the dirty-log test.
type LogState int

const (
	// LogClean: LogGuid is zero, or the collected log holds no valid entry
	// carrying it. Stale entries with another GUID are normal.
	LogClean LogState = iota
	// LogDirty: LogGuid is set and a valid log entry carries it; Hyper-V
	// replays the log on the next read-write open.
	LogDirty
	// LogUnverifiable: LogGuid is set but the log was not collected or its
	// location is invalid.
	LogUnverifiable
)

func (s LogState) String() string {
	switch s {
	case LogClean:
		return "clean"
	case LogDirty:
		return "dirty"
	case LogUnverifiable:
		return "not verifiable"
	}
	return fmt.Sprintf("LogState(%d)", int(s))
}

// MarshalText encodes the state as its String form.
func (s LogState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogInfo summarises the log region.
type LogInfo struct {
	State        LogState
	Off          int64  // log region offset from the current header
	Length       uint32 // log region length from the current header
	Entries      int    // valid entries carrying the current LogGuid
	StaleEntries int    // valid entries carrying another LogGuid
	FirstEntry   int64  // byte offset of the first entry carrying LogGuid, -1 if none
}

// File is a parsed VHDX or AVHDX file.
type File struct {
	Size    int64
	Creator string // UTF-16LE creator from the file type identifier

	Headers [2]Header
	// Current is the index of the current header in Headers, -1 if none.
	Current int

	// Copied from the current header (zero when Current is -1).
	FileWriteGUID GUID
	DataWriteGUID GUID
	LogGUID       GUID

	// RegionTable is the index (0 or 1) of the region table copy in use, -1 if none.
	RegionTable int
	Regions     []Region
	Metadata    []MetadataItem

	BlockSize            uint32
	LeaveBlocksAllocated bool
	HasParent            bool
	VirtualSize          uint64
	LogicalSectorSize    uint32
	PhysicalSectorSize   uint32
	VirtualDiskID        GUID
	VirtualDiskIDOff     int64 // byte offset of the page 83 item, -1 if unknown
	Parent               *ParentLocator

	Log LogInfo

	Parts     Parts
	Truncated bool // a structure the headers reference lies beyond Size
	Problems  []Problem
	// corrupt is set by problems that make the file unusable for Hyper-V.
	corrupt bool
}

// CurrentHeader returns the current header, or nil.
func (f *File) CurrentHeader() *Header {
	if f.Current < 0 {
		return nil
	}
	return &f.Headers[f.Current]
}

// Type derives the disk type from the file parameters; DiskTypeUnknown when
// the metadata could not be read.
func (f *File) Type() DiskType {
	switch {
	case !f.Parts.Has(PartMetadata):
		return DiskTypeUnknown
	case f.HasParent:
		return DiskTypeDifferencing
	case f.LeaveBlocksAllocated:
		return DiskTypeFixed
	}
	return DiskTypeDynamic
}

// Corrupt reports whether the file has damage Hyper-V cannot open past:
// no valid header, no valid region table, or invalid required metadata.
// Truncation of the collected copy alone does not make a file corrupt.
func (f *File) Corrupt() bool { return f.corrupt }

// Open parses the VHDX structures of r. It returns an error only when r is
// not a VHDX file at all (no "vhdxfile" identifier) or when r itself fails;
// damage and truncation are recorded in File.Problems.
func Open(r io.ReaderAt, size int64) (*File, error) {
	if size < 0 {
		return nil, &FormatError{Off: 0, Msg: "negative file size", Val: size}
	}
	sig, err := readAt(r, size, 0, 8)
	if err != nil {
		if isTruncation(err) {
			return nil, &FormatError{Off: 0, Msg: "file too short for a VHDX file type identifier", Val: size}
		}
		return nil, err
	}
	if !bytes.Equal(sig, vhdxMagic) {
		return nil, &FormatError{Off: 0, Msg: "bad VHDX file type identifier", Val: fmt.Sprintf("%q", sig)}
	}
	p := &parser{r: r, size: size, f: &File{Size: size, Current: -1, RegionTable: -1, VirtualDiskIDOff: -1}}
	p.f.Log.FirstEntry = -1
	err = p.parse()
	p.f.Problems = p.probs
	if err != nil {
		return nil, err
	}
	return p.f, nil
}

type parser struct {
	r     io.ReaderAt
	size  int64
	f     *File
	probs problems
}

// read wraps readAt and records truncation as a problem with the given
// severity and description. ok is false when the bytes are not available;
// err is non-nil only for a failing reader.
func (p *parser) read(off int64, n int, sev Severity, what string) (b []byte, ok bool, err error) {
	b, err = readAt(p.r, p.size, off, n)
	if err == nil {
		return b, true, nil
	}
	if !isTruncation(err) {
		return nil, false, err
	}
	p.f.Truncated = true
	p.probs.add(off, ProblemTruncated, sev, "%s (0x%x bytes at 0x%x) lies beyond the collected 0x%x bytes", what, n, off, p.size)
	return nil, false, nil
}

func (p *parser) parse() error {
	f := p.f
	// Creator: up to 512 bytes at 8; a shorter file keeps what there is.
	n := int64(512)
	if p.size-8 < n {
		n = p.size - 8
	}
	if b, err := readAt(p.r, p.size, 8, int(n)); err == nil {
		f.Creator = decodeUTF16LE(b)
	} else if !isTruncation(err) {
		return err
	}
	f.Parts |= PartFileID

	if err := p.parseHeaders(); err != nil {
		return err
	}
	if err := p.parseRegionTables(); err != nil {
		return err
	}
	if err := p.parseMetadata(); err != nil {
		return err
	}
	if err := p.checkBAT(); err != nil {
		return err
	}
	return p.parseLog()
}

func (p *parser) parseHeaders() error {
	f := p.f
	for i, off := range headerOffsets {
		h := &f.Headers[i]
		h.Off = off
		b, ok, err := p.read(off, headerSize, SeverityWarning, fmt.Sprintf("header %d", i+1))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		h.Present = true
		h.raw = b
		le := binary.LittleEndian
		h.Checksum = le.Uint32(b[4:])
		h.ComputedChecksum = crc32cZeroed(b)
		h.SequenceNumber = le.Uint64(b[8:])
		copy(h.FileWriteGUID[:], b[16:32])
		copy(h.DataWriteGUID[:], b[32:48])
		copy(h.LogGUID[:], b[48:64])
		h.LogVersion = le.Uint16(b[64:])
		h.Version = le.Uint16(b[66:])
		h.LogLength = le.Uint32(b[68:])
		h.LogOffset = le.Uint64(b[72:])
		switch {
		case !bytes.Equal(b[0:4], []byte("head")):
			p.probs.add(off, ProblemFormat, SeverityWarning, "header %d has no \"head\" signature (found %q)", i+1, b[0:4])
		case h.Checksum != h.ComputedChecksum:
			p.probs.add(off+4, ProblemChecksum, SeverityWarning, "header %d CRC-32C mismatch: stored 0x%08x, computed 0x%08x", i+1, h.Checksum, h.ComputedChecksum)
		default:
			h.Valid = true
		}
	}

	h1, h2 := &f.Headers[0], &f.Headers[1]
	switch {
	case h1.Valid && h2.Valid:
		switch {
		case h1.SequenceNumber > h2.SequenceNumber:
			f.Current = 0
		case h2.SequenceNumber > h1.SequenceNumber:
			f.Current = 1
		case bytes.Equal(h1.raw, h2.raw):
			// Disk2VHD writes two identical headers; qemu accepts that too.
			f.Current = 0
			p.probs.add(h2.Off, ProblemNote, SeverityInfo, "both headers are byte-identical with sequence number %d (written this way by Disk2VHD); header 1 used", h1.SequenceNumber)
		default:
			p.probs.add(h1.Off, ProblemFormat, SeverityError, "both headers are valid with the same sequence number %d but different contents: no current header", h1.SequenceNumber)
		}
	case h1.Valid:
		f.Current = 0
		if h2.Present {
			p.probs.add(h2.Off, ProblemNote, SeverityWarning, "header 2 is invalid; header 1 (sequence %d) used", h1.SequenceNumber)
		}
	case h2.Valid:
		f.Current = 1
		if h1.Present {
			p.probs.add(h1.Off, ProblemNote, SeverityWarning, "header 1 is invalid; header 2 (sequence %d) used", h2.SequenceNumber)
		}
	default:
		switch {
		case h1.Present && h2.Present:
			p.probs.add(h1.Off, ProblemFormat, SeverityError, "no valid VHDX header: the file cannot be opened")
			f.corrupt = true
		case h1.Present:
			// Header 2 may be fine in the original file; only a truncation here.
			p.probs.add(h1.Off, ProblemFormat, SeverityWarning, "header 1 is invalid and header 2 was not collected: no usable header in the collected bytes")
		}
	}
	if f.Current < 0 {
		if h1.Valid && h2.Valid {
			f.corrupt = true
		}
		return nil
	}
	h := &f.Headers[f.Current]
	f.FileWriteGUID, f.DataWriteGUID, f.LogGUID = h.FileWriteGUID, h.DataWriteGUID, h.LogGUID
	f.Parts |= PartHeader
	if h.Version != 1 {
		p.probs.add(h.Off+66, ProblemUnsupported, SeverityError, "header version %d, only version 1 is defined", h.Version)
		f.corrupt = true
	}
	return nil
}

func (p *parser) parseRegionTables() error {
	f := p.f
	var tables [2][]Region
	var valid [2]bool
	for i, off := range regionTableOffsets {
		b, ok, err := p.read(off, regionTableSize, SeverityWarning, fmt.Sprintf("region table %d", i+1))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		le := binary.LittleEndian
		if !bytes.Equal(b[0:4], []byte("regi")) {
			p.probs.add(off, ProblemFormat, SeverityWarning, "region table %d has no \"regi\" signature (found %q)", i+1, b[0:4])
			continue
		}
		if stored, computed := le.Uint32(b[4:]), crc32cZeroed(b); stored != computed {
			p.probs.add(off+4, ProblemChecksum, SeverityWarning, "region table %d CRC-32C mismatch: stored 0x%08x, computed 0x%08x", i+1, stored, computed)
			continue
		}
		count := le.Uint32(b[8:])
		if count > maxTableEntries {
			p.probs.add(off+8, ProblemFormat, SeverityWarning, "region table %d claims %d entries, more than the limit %d", i+1, count, maxTableEntries)
			continue
		}
		regions := make([]Region, 0, count)
		for j := uint32(0); j < count; j++ {
			e := b[16+32*j:]
			var rg Region
			rg.Off = off + 16 + 32*int64(j)
			copy(rg.GUID[:], e[0:16])
			rg.FileOffset = le.Uint64(e[16:])
			rg.Length = le.Uint32(e[24:])
			rg.Required = le.Uint32(e[28:])&1 != 0
			regions = append(regions, rg)
		}
		tables[i], valid[i] = regions, true
	}
	use := -1
	switch {
	case valid[0]:
		use = 0
		// A bad table 2 needs a note only when it was collected; a
		// truncated copy was already reported.
		if !valid[1] && p.size >= regionTableOffsets[1]+regionTableSize {
			p.probs.add(regionTableOffsets[1], ProblemNote, SeverityWarning, "region table 2 is invalid; region table 1 used")
		} else if valid[1] && !regionsEqual(tables[0], tables[1]) {
			p.probs.add(regionTableOffsets[1], ProblemFormat, SeverityWarning, "the two region tables differ; region table 1 used")
		}
	case valid[1]:
		use = 1
		p.probs.add(regionTableOffsets[0], ProblemNote, SeverityWarning, "region table 1 is invalid; region table 2 used")
	default:
		if p.size >= regionTableOffsets[0]+regionTableSize {
			p.probs.add(regionTableOffsets[0], ProblemFormat, SeverityError, "no valid region table: the file cannot be opened")
			f.corrupt = true
		}
		return nil
	}
	f.RegionTable = use
	f.Regions = tables[use]
	f.Parts |= PartRegionTable

	seen := map[GUID]bool{}
	for _, rg := range f.Regions {
		if seen[rg.GUID] {
			p.probs.add(rg.Off, ProblemFormat, SeverityError, "region %s listed twice", rg.GUID)
			f.corrupt = true
		}
		seen[rg.GUID] = true
		if rg.FileOffset%mib != 0 || rg.FileOffset < mib || rg.Length%mib != 0 || rg.Length == 0 {
			p.probs.add(rg.Off, ProblemFormat, SeverityError, "%s region at 0x%x length 0x%x is not a non-empty 1 MiB-aligned range after the header section", rg.Name(), rg.FileOffset, rg.Length)
			f.corrupt = true
		}
		if rg.Name() == "unknown" && rg.Required {
			p.probs.add(rg.Off, ProblemUnsupported, SeverityError, "unknown region %s is marked required", rg.GUID)
			f.corrupt = true
		}
	}
	for _, want := range []GUID{RegionBAT, RegionMetadata} {
		if !seen[want] {
			p.probs.add(regionTableOffsets[use], ProblemFormat, SeverityError, "region table has no %s region", Region{GUID: want}.Name())
			f.corrupt = true
		}
	}
	return nil
}

func regionsEqual(a, b []Region) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Off, y.Off = 0, 0
		if x != y {
			return false
		}
	}
	return true
}

// region returns the entry with GUID g from the table in use.
func (f *File) region(g GUID) (Region, bool) {
	for _, rg := range f.Regions {
		if rg.GUID == g {
			return rg, true
		}
	}
	return Region{}, false
}

// validRange reports whether a region is usable as a byte range.
func validRange(rg Region) bool {
	return rg.FileOffset%mib == 0 && rg.FileOffset >= mib && rg.Length%mib == 0 && rg.Length > 0 &&
		rg.FileOffset <= 1<<62
}

func (p *parser) checkBAT() error {
	f := p.f
	rg, ok := f.region(RegionBAT)
	if !ok || !validRange(rg) {
		return nil
	}
	end := rg.FileOffset + uint64(rg.Length)
	if end > uint64(p.size) {
		f.Truncated = true
		p.probs.add(int64(rg.FileOffset), ProblemTruncated, SeverityInfo, "BAT region (0x%x bytes at 0x%x) is not fully within the collected 0x%x bytes; block data cannot be checked", rg.Length, rg.FileOffset, p.size)
		return nil
	}
	f.Parts |= PartBAT
	return nil
}
