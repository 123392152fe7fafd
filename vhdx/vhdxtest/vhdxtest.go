// Package vhdxtest writes small, valid VHDX/AVHDX and VHD/AVHD files laid out
// the way Hyper-V lays them out, for tests and for building sample support
// bundles. It writes headers and metadata only: no block is ever allocated,
// which is exactly what a freshly created checkpoint disk looks like.
//
// Every GUID left zero in the options is derived from Options.Seed, so the
// same options always produce the same bytes.
package vhdxtest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"unicode/utf16"

	"github.com/hvtriage/hvtriage/vhdx"
)

const mib = 1 << 20

// Options describes a dynamic or differencing VHDX.
type Options struct {
	// Seed derives every GUID left zero below; use a different seed per file.
	Seed    string
	Creator string // default "Microsoft Windows 10.0.20348.1"

	VirtualSize        uint64 // default 127 GiB (Hyper-V's default)
	BlockSize          uint32 // default 32 MiB, or 2 MiB for differencing disks
	LogicalSectorSize  uint32 // default 512
	PhysicalSectorSize uint32 // default 4096

	FileWriteGUID vhdx.GUID
	DataWriteGUID vhdx.GUID
	VirtualDiskID vhdx.GUID
	// Sequence is header 1's sequence number; header 2 gets Sequence+1 and
	// is current. Default 1.
	Sequence uint64

	// Parent makes the disk differencing.
	Parent *Locator

	// DirtyLog sets LogGuid and writes one valid log entry carrying it.
	DirtyLog bool
	// StaleLogEntry writes a valid log entry with a GUID other than the
	// header's LogGuid, as Hyper-V leaves behind in clean files.
	StaleLogEntry bool
}

// Locator is the parent locator of a differencing VHDX.
type Locator struct {
	// Linkage is written as parent_linkage; it must equal the parent's
	// current DataWriteGuid for the chain to be intact.
	Linkage vhdx.GUID
	// Linkage2 is written as parent_linkage2 when Hyper-V-style keys are
	// wanted; Hyper-V writes the zero GUID.
	Linkage2 vhdx.GUID
	// HyperVKeys writes the five keys in Hyper-V's order (parent_linkage,
	// absolute_win32_path, relative_path, volume_path, parent_linkage2);
	// otherwise only parent_linkage and the non-empty paths are written.
	HyperVKeys   bool
	RelativePath string
	VolumePath   string
	AbsolutePath string
}

// ChildOf returns options for a Hyper-V-style differencing child of parent:
// linkage to the parent's current DataWriteGuid, the parent's virtual disk ID,
// size and sector sizes copied, 2 MiB blocks and the five locator keys.
func ChildOf(seed string, parent *vhdx.File, relativePath, absolutePath, volumePath string) Options {
	return Options{
		Seed:               seed,
		VirtualSize:        parent.VirtualSize,
		LogicalSectorSize:  parent.LogicalSectorSize,
		PhysicalSectorSize: parent.PhysicalSectorSize,
		VirtualDiskID:      parent.VirtualDiskID,
		Parent: &Locator{
			Linkage:      parent.DataWriteGUID,
			HyperVKeys:   true,
			RelativePath: relativePath,
			AbsolutePath: absolutePath,
			VolumePath:   volumePath,
		},
	}
}

// GUID derives a deterministic GUID from a seed and a label.
func GUID(seed, label string) vhdx.GUID {
	sum := sha256.Sum256([]byte(seed + "\x00" + label))
	var g vhdx.GUID
	copy(g[:], sum[:16])
	g[7] = g[7]&0x0f | 0x40 // version 4 in Windows byte order
	g[8] = g[8]&0x3f | 0x80
	return g
}

func (o *Options) defaults() {
	if o.Creator == "" {
		o.Creator = "Microsoft Windows 10.0.20348.1"
	}
	if o.VirtualSize == 0 {
		o.VirtualSize = 127 << 30
	}
	if o.BlockSize == 0 {
		o.BlockSize = 32 * mib
		if o.Parent != nil {
			o.BlockSize = 2 * mib
		}
	}
	if o.LogicalSectorSize == 0 {
		o.LogicalSectorSize = 512
	}
	if o.PhysicalSectorSize == 0 {
		o.PhysicalSectorSize = 4096
	}
	if o.Sequence == 0 {
		o.Sequence = 1
	}
	for _, g := range []struct {
		p     *vhdx.GUID
		label string
	}{{&o.FileWriteGUID, "file-write"}, {&o.DataWriteGUID, "data-write"}, {&o.VirtualDiskID, "virtual-disk"}} {
		if g.p.IsZero() {
			*g.p = GUID(o.Seed, g.label)
		}
	}
}

// Layout offsets of a written VHDX, as Hyper-V uses them.
const (
	LogOffset      = 1 * mib
	LogLength      = 1 * mib
	MetadataOffset = 2 * mib
	BATOffset      = 3 * mib
	// LocatorOffset is the file offset of the parent locator item
	// (metadata region + 0x10028).
	LocatorOffset = MetadataOffset + 0x10028
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func putCRC(b []byte) {
	binary.LittleEndian.PutUint32(b[4:], 0)
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b, castagnoli))
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// batLength returns the BAT region length for the options, in whole MiB.
func batLength(o *Options) (uint32, error) {
	chunkRatio := (uint64(1) << 23) * uint64(o.LogicalSectorSize) / uint64(o.BlockSize)
	if chunkRatio == 0 {
		return 0, fmt.Errorf("vhdxtest: block size %d too large for sector size %d", o.BlockSize, o.LogicalSectorSize)
	}
	dataBlocks := (o.VirtualSize + uint64(o.BlockSize) - 1) / uint64(o.BlockSize)
	bitmapBlocks := (dataBlocks + chunkRatio - 1) / chunkRatio
	var entries uint64
	if o.Parent != nil {
		entries = bitmapBlocks * (chunkRatio + 1)
	} else {
		entries = dataBlocks + (dataBlocks-1)/chunkRatio
	}
	n := (entries*8 + mib - 1) / mib * mib
	if n > 256*mib {
		return 0, fmt.Errorf("vhdxtest: BAT of %d bytes is too large for a test file", n)
	}
	return uint32(n), nil
}

// VHDX returns the bytes of a complete VHDX file with no allocated blocks.
func VHDX(o Options) ([]byte, error) {
	o.defaults()
	if o.VirtualSize%uint64(o.LogicalSectorSize) != 0 {
		return nil, fmt.Errorf("vhdxtest: virtual size %d is not a multiple of the sector size %d", o.VirtualSize, o.LogicalSectorSize)
	}
	batLen, err := batLength(&o)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	b := make([]byte, BATOffset+int(batLen))

	copy(b, "vhdxfile")
	copy(b[8:8+512], utf16le(o.Creator))

	var logGUID vhdx.GUID
	if o.DirtyLog {
		logGUID = GUID(o.Seed, "log")
	}
	for i, off := range []int{0x10000, 0x20000} {
		h := b[off : off+4096]
		copy(h, "head")
		le.PutUint64(h[8:], o.Sequence+uint64(i))
		copy(h[16:], o.FileWriteGUID[:])
		copy(h[32:], o.DataWriteGUID[:])
		copy(h[48:], logGUID[:])
		le.PutUint16(h[64:], 0)
		le.PutUint16(h[66:], 1)
		le.PutUint32(h[68:], LogLength)
		le.PutUint64(h[72:], LogOffset)
		putCRC(h)
	}
	for _, off := range []int{0x30000, 0x40000} {
		t := b[off : off+64<<10]
		copy(t, "regi")
		le.PutUint32(t[8:], 2)
		e := t[16:]
		copy(e, vhdx.RegionBAT[:])
		le.PutUint64(e[16:], BATOffset)
		le.PutUint32(e[24:], batLen)
		le.PutUint32(e[28:], 1)
		e = t[48:]
		copy(e, vhdx.RegionMetadata[:])
		le.PutUint64(e[16:], MetadataOffset)
		le.PutUint32(e[24:], mib)
		le.PutUint32(e[28:], 1)
		putCRC(t)
	}
	if o.DirtyLog {
		writeLogEntry(b[LogOffset:LogOffset+4096], 1, logGUID, uint64(len(b)))
	}
	if o.StaleLogEntry {
		at := LogOffset
		if o.DirtyLog {
			at += 4096
		}
		writeLogEntry(b[at:at+4096], 7, GUID(o.Seed, "stale-log"), uint64(len(b)))
	}

	md := b[MetadataOffset : MetadataOffset+mib]
	copy(md, "metadata")
	var flags uint32
	var locator []byte
	if o.Parent != nil {
		flags |= 2 // HasParent
		locator = o.Parent.bytes()
	}
	items := []struct {
		id    vhdx.GUID
		data  []byte
		flags uint32
	}{
		{vhdx.ItemFileParameters, le.AppendUint32(le.AppendUint32(nil, o.BlockSize), flags), 0x4},
		{vhdx.ItemVirtualDiskSize, le.AppendUint64(nil, o.VirtualSize), 0x6},
		{vhdx.ItemVirtualDiskID, o.VirtualDiskID[:], 0x6},
		{vhdx.ItemLogicalSectorSize, le.AppendUint32(nil, o.LogicalSectorSize), 0x6},
		{vhdx.ItemPhysicalSectorSize, le.AppendUint32(nil, o.PhysicalSectorSize), 0x6},
	}
	if locator != nil {
		items = append(items, struct {
			id    vhdx.GUID
			data  []byte
			flags uint32
		}{vhdx.ItemParentLocator, locator, 0x4})
	}
	le.PutUint16(md[10:], uint16(len(items)))
	at := 0x10000
	for i, it := range items {
		e := md[32+32*i:]
		copy(e, it.id[:])
		le.PutUint32(e[16:], uint32(at))
		le.PutUint32(e[20:], uint32(len(it.data)))
		le.PutUint32(e[24:], it.flags)
		copy(md[at:], it.data)
		at += len(it.data)
	}
	return b, nil
}

func writeLogEntry(e []byte, seq uint64, g vhdx.GUID, fileSize uint64) {
	le := binary.LittleEndian
	copy(e, "loge")
	le.PutUint32(e[8:], uint32(len(e)))
	le.PutUint64(e[16:], seq)
	copy(e[32:], g[:])
	le.PutUint64(e[48:], fileSize)
	le.PutUint64(e[56:], fileSize)
	putCRC(e)
}

func (l *Locator) bytes() []byte {
	type kv struct{ k, v string }
	var kvs []kv
	if l.HyperVKeys {
		kvs = []kv{
			{vhdx.KeyParentLinkage, l.Linkage.Braced()},
			{vhdx.KeyAbsolutePath, l.AbsolutePath},
			{vhdx.KeyRelativePath, l.RelativePath},
			{vhdx.KeyVolumePath, l.VolumePath},
			{vhdx.KeyParentLinkage2, l.Linkage2.Braced()},
		}
	} else {
		kvs = []kv{{vhdx.KeyParentLinkage, l.Linkage.Braced()}}
		for _, p := range []kv{{vhdx.KeyRelativePath, l.RelativePath}, {vhdx.KeyVolumePath, l.VolumePath}, {vhdx.KeyAbsolutePath, l.AbsolutePath}} {
			if p.v != "" {
				kvs = append(kvs, p)
			}
		}
	}
	// Hyper-V leaves out empty values even in its five-key form.
	var keep []kv
	for _, p := range kvs {
		if p.v != "" {
			keep = append(keep, p)
		}
	}
	le := binary.LittleEndian
	b := make([]byte, 20+12*len(keep))
	copy(b, vhdx.LocatorTypeVHDX[:])
	le.PutUint16(b[18:], uint16(len(keep)))
	for i, p := range keep {
		k, v := utf16le(p.k), utf16le(p.v)
		e := b[20+12*i:]
		le.PutUint32(e[0:], uint32(len(b)))
		le.PutUint16(e[8:], uint16(len(k)))
		b = append(b, k...)
		e = b[20+12*i:]
		le.PutUint32(e[4:], uint32(len(b)))
		le.PutUint16(e[10:], uint16(len(v)))
		b = append(b, v...)
	}
	return b
}
