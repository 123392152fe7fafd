package vhdx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

const (
	metadataTableSize = kib64
	metadataHeaderLen = 32
	metadataEntryLen  = 32

	fileParamLeaveBlocksAllocated = 1 << 0
	fileParamHasParent            = 1 << 1
)

func (p *parser) parseMetadata() error {
	f := p.f
	rg, ok := f.region(RegionMetadata)
	if !ok || !validRange(rg) {
		return nil // already reported by parseRegionTables
	}
	base := int64(rg.FileOffset)
	hdr, ok, err := p.read(base, metadataHeaderLen, SeverityWarning,
		"metadata table (disk type, virtual size, sector sizes and parent locator are unknown)")
	if err != nil || !ok {
		return err
	}
	le := binary.LittleEndian
	if !bytes.Equal(hdr[0:8], []byte("metadata")) {
		p.probs.add(base, ProblemFormat, SeverityError, "metadata table has no \"metadata\" signature (found %q)", hdr[0:8])
		f.corrupt = true
		return nil
	}
	count := int(le.Uint16(hdr[10:]))
	if count > maxTableEntries {
		p.probs.add(base+10, ProblemFormat, SeverityError, "metadata table claims %d entries, more than the limit %d", count, maxTableEntries)
		f.corrupt = true
		return nil
	}
	tbl, ok, err := p.read(base+metadataHeaderLen, count*metadataEntryLen, SeverityWarning, "metadata table entries")
	if err != nil || !ok {
		return err
	}

	type key struct {
		id   GUID
		user bool
	}
	seen := map[key]bool{}
	items := make([]MetadataItem, 0, count)
	for i := 0; i < count; i++ {
		e := tbl[i*metadataEntryLen:]
		it := MetadataItem{Off: base + metadataHeaderLen + int64(i*metadataEntryLen)}
		copy(it.ItemID[:], e[0:16])
		it.Offset = le.Uint32(e[16:])
		it.Length = le.Uint32(e[20:])
		flags := le.Uint32(e[24:])
		it.IsUser = flags&1 != 0
		it.IsVirtualDisk = flags&2 != 0
		it.IsRequired = flags&4 != 0
		k := key{it.ItemID, it.IsUser}
		if seen[k] {
			p.probs.add(it.Off, ProblemFormat, SeverityError, "metadata item %s listed twice", it.ItemID)
			f.corrupt = true
			continue
		}
		seen[k] = true
		switch {
		case it.Length == 0 && it.Offset != 0:
			p.probs.add(it.Off, ProblemFormat, SeverityWarning, "empty metadata item %s has non-zero offset 0x%x", it.ItemID, it.Offset)
		case it.Length != 0 && (it.Offset < metadataTableSize || it.Length > maxMetadataItem ||
			uint64(it.Offset)+uint64(it.Length) > uint64(rg.Length)):
			p.probs.add(it.Off, ProblemFormat, SeverityError, "metadata item %s (0x%x bytes at region offset 0x%x) is outside the metadata region", it.ItemID, it.Length, it.Offset)
			f.corrupt = true
			continue
		}
		items = append(items, it)
	}
	f.Metadata = items
	return p.parseSystemItems(base, items)
}

// systemItem is a fixed-size system metadata item ([MS-VHDX] 2.6.2):
// its size, and how its bytes, read at file offset off, fill the File.
type systemItem struct {
	id    GUID
	size  int
	apply func(p *parser, off int64, b []byte)
}

// systemItems are the fixed-size system items, every one required, in the
// order a missing one is reported.
var systemItems = []systemItem{
	{ItemFileParameters, 8, (*parser).fileParameters},
	{ItemVirtualDiskSize, 8, (*parser).virtualDiskSize},
	{ItemVirtualDiskID, 16, (*parser).virtualDiskID},
	{ItemLogicalSectorSize, 4, (*parser).logicalSectorSize},
	{ItemPhysicalSectorSize, 4, (*parser).physicalSectorSize},
}

func lookupSystemItem(id GUID) (systemItem, bool) {
	for _, si := range systemItems {
		if si.id == id {
			return si, true
		}
	}
	return systemItem{}, false
}

// parseSystemItems reads the known system metadata items.
func (p *parser) parseSystemItems(base int64, items []MetadataItem) error {
	f := p.f
	found := map[GUID]bool{}
	complete := true
	var locator *MetadataItem
	for i := range items {
		it := &items[i]
		if it.IsUser {
			continue
		}
		if it.ItemID == ItemParentLocator {
			locator = it
			continue
		}
		si, known := lookupSystemItem(it.ItemID)
		if !known {
			if it.IsRequired {
				p.probs.add(it.Off, ProblemUnsupported, SeverityError, "unknown metadata item %s is marked required", it.ItemID)
				f.corrupt = true
			}
			continue
		}
		found[it.ItemID] = true
		truncated, err := p.readSystemItem(base, it, si)
		if err != nil {
			return err
		}
		if truncated {
			complete = false
		}
	}
	for _, si := range systemItems {
		if !found[si.id] {
			p.probs.add(base, ProblemFormat, SeverityError, "required metadata item %s is missing", itemName(si.id))
			f.corrupt = true
			complete = false
		}
	}
	if !complete {
		return nil
	}
	f.Parts |= PartMetadata
	if f.VirtualSize == 0 || f.VirtualSize > maxVirtualSize || (f.LogicalSectorSize != 0 && f.VirtualSize%uint64(f.LogicalSectorSize) != 0) {
		p.probs.add(-1, ProblemFormat, SeverityError, "virtual size %d is not a positive multiple of the logical sector size up to 64 TiB", f.VirtualSize)
		f.corrupt = true
	}
	return p.parseLocatorItem(base, locator)
}

// readSystemItem reads item it of kind si into the File. truncated is set
// when its bytes lie beyond the collected ones; an item of the wrong size
// is a problem, not read.
func (p *parser) readSystemItem(base int64, it *MetadataItem, si systemItem) (truncated bool, err error) {
	if int(it.Length) != si.size {
		p.probs.add(it.Off, ProblemFormat, SeverityError, "metadata item %s has length %d, want %d", it.ItemID, it.Length, si.size)
		p.f.corrupt = true
		return false, nil
	}
	off := base + int64(it.Offset)
	b, ok, err := p.read(off, si.size, SeverityWarning, "metadata item "+it.ItemID.String())
	if err != nil || !ok {
		return !ok, err
	}
	si.apply(p, off, b)
	return false, nil
}

// fileParameters reads the File Parameters item: block size and flags.
func (p *parser) fileParameters(off int64, b []byte) {
	f, le := p.f, binary.LittleEndian
	f.BlockSize = le.Uint32(b[0:])
	flags := le.Uint32(b[4:])
	f.LeaveBlocksAllocated = flags&fileParamLeaveBlocksAllocated != 0
	f.HasParent = flags&fileParamHasParent != 0
	if f.BlockSize < mib || f.BlockSize > 256*mib || f.BlockSize&(f.BlockSize-1) != 0 {
		p.probs.add(off, ProblemFormat, SeverityError, "block size %d is not a power of two between 1 MiB and 256 MiB", f.BlockSize)
		f.corrupt = true
	}
}

func (p *parser) virtualDiskSize(_ int64, b []byte) {
	p.f.VirtualSize = binary.LittleEndian.Uint64(b)
}

// virtualDiskID reads the Page 83 Data item, the ID the guest sees.
func (p *parser) virtualDiskID(off int64, b []byte) {
	copy(p.f.VirtualDiskID[:], b)
	p.f.VirtualDiskIDOff = off
}

func (p *parser) logicalSectorSize(off int64, b []byte) {
	p.f.LogicalSectorSize = p.sectorSize(off, b, "logical")
}

func (p *parser) physicalSectorSize(off int64, b []byte) {
	p.f.PhysicalSectorSize = p.sectorSize(off, b, "physical")
}

// sectorSize reads a sector size item; which names it in a problem.
func (p *parser) sectorSize(off int64, b []byte, which string) uint32 {
	n := binary.LittleEndian.Uint32(b)
	if n != 512 && n != 4096 {
		p.probs.add(off, ProblemFormat, SeverityError, "%s sector size %d is neither 512 nor 4096", which, n)
		p.f.corrupt = true
	}
	return n
}

// parseLocatorItem checks the parent locator item (nil when absent)
// against HasParent and reads it.
func (p *parser) parseLocatorItem(base int64, locator *MetadataItem) error {
	f := p.f
	switch {
	case locator == nil && f.HasParent:
		p.probs.add(base, ProblemFormat, SeverityError, "differencing disk (HasParent set) has no parent locator item")
		f.corrupt = true
	case locator != nil && !f.HasParent:
		p.probs.add(locator.Off, ProblemNote, SeverityWarning, "parent locator present although HasParent is not set; ignored by Hyper-V")
	}
	if locator == nil {
		return nil
	}
	off := base + int64(locator.Offset)
	b, ok, err := p.read(off, int(locator.Length), SeverityWarning, "parent locator item")
	if err != nil || !ok {
		return err
	}
	loc, err := ParseParentLocator(b, off)
	if err != nil {
		p.probs.add(off, ProblemFormat, SeverityError, "parent locator unreadable: %v", err)
		if f.HasParent {
			f.corrupt = true
		}
		return nil
	}
	p.probs = append(p.probs, loc.Problems...)
	if f.HasParent && !loc.HasLinkage {
		f.corrupt = true
	}
	f.Parent = loc
	f.Parts |= PartParentLocator
	return nil
}

func itemName(g GUID) string {
	switch g {
	case ItemFileParameters:
		return "File Parameters"
	case ItemVirtualDiskSize:
		return "Virtual Disk Size"
	case ItemVirtualDiskID:
		return "Page 83 Data (virtual disk ID)"
	case ItemLogicalSectorSize:
		return "Logical Sector Size"
	case ItemPhysicalSectorSize:
		return "Physical Sector Size"
	case ItemParentLocator:
		return "Parent Locator"
	}
	return g.String()
}

// Parent locator keys defined by [MS-VHDX] 2.6.2.6.3.
const (
	KeyParentLinkage  = "parent_linkage"
	KeyParentLinkage2 = "parent_linkage2"
	KeyRelativePath   = "relative_path"
	KeyVolumePath     = "volume_path"
	KeyAbsolutePath   = "absolute_win32_path"
)

// LocatorEntry is one key/value pair of a parent locator, in file order.
type LocatorEntry struct {
	Key, Value       string
	KeyOff, ValueOff int64 // byte offsets of the UTF-16LE strings
}

// ParentLocator is the parent locator metadata item of a differencing VHDX.
type ParentLocator struct {
	Off     int64 // byte offset of the item
	Type    GUID  // LocatorTypeVHDX for every known producer
	Entries []LocatorEntry
	Keys    map[string]string // every key as stored, raw values

	Linkage     GUID // parsed parent_linkage
	HasLinkage  bool
	LinkageOff  int64 // byte offset of the parent_linkage value, -1 if absent
	Linkage2    GUID
	HasLinkage2 bool  // parent_linkage2 present and parseable (it may be zero)
	Linkage2Off int64 // -1 if absent

	RelativePath string // relative_path: relative to the child's directory
	VolumePath   string // volume_path: \\?\Volume{...}\...
	AbsolutePath string // absolute_win32_path

	// Problems found in the key/value pairs (missing parent_linkage,
	// unparsable GUIDs, duplicate keys, no path at all).
	Problems []Problem
}

const (
	locatorHeaderLen = 20
	locatorEntryLen  = 12
)

// ParseParentLocator parses a parent locator item. off is the item's byte
// offset in the file and is only used to locate errors and values. Structural
// errors (entries or strings outside the item) return a *FormatError; faults
// in individual keys are listed in ParentLocator.Problems.
func ParseParentLocator(item []byte, off int64) (*ParentLocator, error) {
	if len(item) < locatorHeaderLen {
		return nil, &FormatError{Off: off, Msg: "parent locator shorter than its 20-byte header", Val: len(item)}
	}
	le := binary.LittleEndian
	loc := &ParentLocator{Off: off, Keys: map[string]string{}, LinkageOff: -1, Linkage2Off: -1}
	copy(loc.Type[:], item[0:16])
	count := int(le.Uint16(item[18:]))
	if locatorHeaderLen+count*locatorEntryLen > len(item) {
		return nil, &FormatError{Off: off + 18, Msg: "parent locator key/value count exceeds the item", Val: count}
	}
	var probs problems
	if loc.Type != LocatorTypeVHDX {
		probs.add(off, ProblemUnsupported, SeverityWarning, "parent locator type %s is not the VHDX locator type", loc.Type)
	}
	loc.Entries = make([]LocatorEntry, 0, count)
	// Strings that do not overlap cannot add up to more than the item;
	// enforcing that keeps decoding linear in the item size.
	total := 0
	for i := 0; i < count; i++ {
		eoff := locatorHeaderLen + i*locatorEntryLen
		e := item[eoff:]
		ko, vo := le.Uint32(e[0:]), le.Uint32(e[4:])
		kl, vl := le.Uint16(e[8:]), le.Uint16(e[10:])
		if kl == 0 || ko == 0 || uint64(ko)+uint64(kl) > uint64(len(item)) {
			return nil, &FormatError{Off: off + int64(eoff), Msg: fmt.Sprintf("parent locator entry %d key (0x%x bytes at 0x%x) outside the item", i, kl, ko)}
		}
		if uint64(vo)+uint64(vl) > uint64(len(item)) || (vl != 0 && vo == 0) {
			return nil, &FormatError{Off: off + int64(eoff), Msg: fmt.Sprintf("parent locator entry %d value (0x%x bytes at 0x%x) outside the item", i, vl, vo)}
		}
		if total += int(kl) + int(vl); total > len(item) {
			return nil, &FormatError{Off: off + int64(eoff), Msg: "parent locator strings overlap: their total length exceeds the item", Val: total}
		}
		ent := LocatorEntry{
			Key:      decodeUTF16LE(item[ko : ko+uint32(kl)]),
			Value:    decodeUTF16LE(item[vo : vo+uint32(vl)]),
			KeyOff:   off + int64(ko),
			ValueOff: off + int64(vo),
		}
		if _, dup := loc.Keys[ent.Key]; dup {
			probs.add(ent.KeyOff, ProblemFormat, SeverityWarning, "parent locator key %q appears more than once; first value kept", ent.Key)
			loc.Entries = append(loc.Entries, ent)
			continue
		}
		loc.Keys[ent.Key] = ent.Value
		loc.Entries = append(loc.Entries, ent)
		switch ent.Key {
		case KeyParentLinkage, KeyParentLinkage2:
			g, err := ParseGUID(ent.Value)
			if err != nil {
				probs.add(ent.ValueOff, ProblemFormat, SeverityError, "parent locator %s value %q is not a GUID", ent.Key, ent.Value)
				continue
			}
			if ent.Key == KeyParentLinkage {
				loc.Linkage, loc.HasLinkage, loc.LinkageOff = g, true, ent.ValueOff
			} else {
				loc.Linkage2, loc.HasLinkage2, loc.Linkage2Off = g, true, ent.ValueOff
			}
		case KeyRelativePath:
			loc.RelativePath = ent.Value
		case KeyVolumePath:
			loc.VolumePath = ent.Value
		case KeyAbsolutePath:
			loc.AbsolutePath = ent.Value
		}
	}
	if !loc.HasLinkage {
		if _, present := loc.Keys[KeyParentLinkage]; !present {
			probs.add(off, ProblemFormat, SeverityError, "parent locator has no parent_linkage key")
		}
	}
	if strings.TrimSpace(loc.RelativePath+loc.VolumePath+loc.AbsolutePath) == "" {
		probs.add(off, ProblemFormat, SeverityError, "parent locator has no relative_path, volume_path or absolute_win32_path")
	}
	loc.Problems = probs
	return loc, nil
}

// Linkages returns the GUIDs a parent's DataWriteGuid may match: parent_linkage
// and, when present and non-zero, parent_linkage2.
func (l *ParentLocator) Linkages() []GUID {
	var out []GUID
	if l.HasLinkage {
		out = append(out, l.Linkage)
	}
	if l.HasLinkage2 && !l.Linkage2.IsZero() {
		out = append(out, l.Linkage2)
	}
	return out
}
