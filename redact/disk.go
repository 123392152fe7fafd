package redact

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/vhdx"
	"golang.org/x/text/encoding/unicode"
)

// Disk files are copied as their structures only: the guest's data (the
// payload blocks) is unknown binary and is zeroed, the file keeping its
// size. The structures hold no names except the parent locator's paths,
// which are rewritten.

type span struct{ off, n int64 }

// keepSpans copies the spans of src into a zeroed buffer of the same size.
func keepSpans(src []byte, spans []span) []byte {
	out := make([]byte, len(src))
	size := int64(len(src))
	for _, s := range spans {
		if s.off < 0 || s.n <= 0 || s.off >= size {
			continue
		}
		end := min(size, s.off+s.n)
		copy(out[s.off:end], src[s.off:end])
	}
	return out
}

// vhdxHeaderArea is the header section: file identifier, both headers and
// both region tables (MS-VHDX 2.2).
const vhdxHeaderArea = 1 << 20

// rewriteVHDX keeps the header section, the log, the metadata region and
// the BAT, and rewrites the parent locator's values. The locator lives in
// the metadata region, which has no checksum; the headers and region
// tables, which do, are not changed, so a chain that was intact stays so.
func rewriteVHDX(_ context.Context, m *Map, e *analyze.Entry) ([]byte, []string, error) {
	b, err := readAll(e)
	if err != nil {
		return nil, nil, err
	}
	f, err := vhdx.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, err
	}
	spans := []span{{0, vhdxHeaderArea}}
	if h := f.CurrentHeader(); h != nil {
		spans = append(spans, span{int64(h.LogOffset), int64(h.LogLength)})
	}
	var meta *vhdx.Region
	for i, r := range f.Regions {
		spans = append(spans, span{int64(r.FileOffset), int64(r.Length)})
		if r.GUID == vhdx.RegionMetadata {
			meta = &f.Regions[i]
		}
	}
	out := keepSpans(b, spans)
	var want map[string]string
	if f.Parent != nil {
		if meta == nil {
			return nil, nil, errors.New("parent locator found but no metadata region")
		}
		if want, err = rewriteLocator(m, out, f, meta); err != nil {
			return nil, nil, err
		}
	}
	return out, nil, verifyVHDX(m, b, out, want)
}

func rewriteLocator(m *Map, out []byte, f *vhdx.File, meta *vhdx.Region) (map[string]string, error) {
	var item *vhdx.MetadataItem
	for i, it := range f.Metadata {
		if it.ItemID == vhdx.ItemParentLocator {
			item = &f.Metadata[i]
		}
	}
	if item == nil {
		return nil, errors.New("parent locator item not found in the metadata table")
	}
	base := int64(meta.FileOffset)
	start := base + int64(item.Offset)
	// The item may grow into free space up to the next item or the region end.
	limit := base + int64(meta.Length)
	for _, it := range f.Metadata {
		if o := base + int64(it.Offset); it.Length > 0 && o > start && o < limit {
			limit = o
		}
	}
	limit = min(limit, int64(len(out)))
	old := out[start:min(int64(len(out)), start+int64(item.Length))]
	if len(old) < 20 {
		return nil, errors.New("parent locator item truncated")
	}
	enc := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder()
	n := len(f.Parent.Entries)
	item2 := make([]byte, 20+12*n)
	copy(item2, old[:20])
	binary.LittleEndian.PutUint16(item2[18:], uint16(n))
	want := map[string]string{}
	for i, en := range f.Parent.Entries {
		v := en.Value
		if en.Key != vhdx.KeyParentLinkage && en.Key != vhdx.KeyParentLinkage2 {
			v = m.Apply(v)
		}
		want[en.Key] = v
		k16, err := enc.Bytes([]byte(en.Key))
		if err != nil {
			return nil, err
		}
		v16, err := enc.Bytes([]byte(v))
		if err != nil {
			return nil, err
		}
		if len(k16) > 0xffff || len(v16) > 0xffff {
			return nil, errors.New("parent locator string too long")
		}
		e := item2[20+12*i:]
		binary.LittleEndian.PutUint32(e[0:], uint32(len(item2)))
		binary.LittleEndian.PutUint16(e[8:], uint16(len(k16)))
		item2 = append(item2, k16...)
		e = item2[20+12*i:]
		binary.LittleEndian.PutUint32(e[4:], uint32(len(item2)))
		binary.LittleEndian.PutUint16(e[10:], uint16(len(v16)))
		item2 = append(item2, v16...)
	}
	if start+int64(len(item2)) > limit {
		return nil, fmt.Errorf("redacted parent locator (%d bytes) does not fit before the next metadata item", len(item2))
	}
	clear(out[start:min(int64(len(out)), start+max(int64(item.Length), int64(len(item2))))])
	copy(out[start:], item2)
	binary.LittleEndian.PutUint32(out[item.Off+20:], uint32(len(item2)))
	return want, nil
}

// verifyVHDX reopens the copy: it must read as the original did (same
// header, region table and problems) with the locator values redacted.
func verifyVHDX(m *Map, orig, out []byte, want map[string]string) error {
	a, err := vhdx.Open(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		return err
	}
	b, err := vhdx.Open(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		return fmt.Errorf("redacted copy does not open: %w", err)
	}
	switch {
	case a.Current != b.Current || a.RegionTable != b.RegionTable || a.DataWriteGUID != b.DataWriteGUID:
		return errors.New("redacted copy has another current header or region table")
	case len(a.Problems) != len(b.Problems):
		return fmt.Errorf("redacted copy reads with %d problems, the original with %d", len(b.Problems), len(a.Problems))
	case (a.Parent == nil) != (b.Parent == nil):
		return errors.New("parent locator lost")
	}
	if b.Parent != nil {
		for k, v := range want {
			if b.Parent.Keys[k] != v {
				return fmt.Errorf("parent locator %s reads %q, want %q", k, b.Parent.Keys[k], v)
			}
		}
	}
	return binarySafeChunks(m, out)
}

// rewriteVHD keeps the footer, its copy, the dynamic header, the BAT and
// the parent locator data, rewrites the parent name and W2ku/W2ru (and
// the older Wi2k/Wi2r) locators, and recomputes the dynamic header's
// checksum. The footer holds no names and is not changed.
func rewriteVHD(_ context.Context, m *Map, e *analyze.Entry) ([]byte, []string, error) {
	b, err := readAll(e)
	if err != nil {
		return nil, nil, err
	}
	v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, err
	}
	size := int64(len(b))
	spans := []span{{v.Footer.Off, 512}}
	if v.FooterCopy != nil {
		spans = append(spans, span{v.FooterCopy.Off, 512})
	}
	d := v.Dynamic
	if d != nil {
		spans = append(spans, span{d.Off, 1024}, span{int64(d.TableOffset), (int64(d.MaxTableEntries)*4 + 511) &^ 511})
		for _, l := range d.Locators {
			spans = append(spans, span{int64(l.DataOffset), locatorSpace(l)})
		}
	}
	out := keepSpans(b, spans)
	if d == nil {
		return out, nil, binarySafeChunks(m, out)
	}
	if d.Off+1024 > size {
		return nil, nil, errors.New("dynamic header truncated")
	}
	hdr := out[d.Off : d.Off+1024]
	if name := m.Apply(d.ParentName); name != d.ParentName {
		be, err := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(name))
		if err != nil || len(be) > 512 {
			return nil, nil, errors.New("redacted parent name does not fit its 512 bytes")
		}
		clear(hdr[64:576])
		copy(hdr[64:], be)
	}
	for _, l := range d.Locators {
		if l.DataLength == 0 || l.Path == "" {
			continue
		}
		p := m.Apply(l.Path)
		if p == l.Path {
			continue
		}
		var data []byte
		switch l.Code {
		case "W2ku", "W2ru":
			data, err = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(p))
		case "Wi2k", "Wi2r", "MacX":
			data = []byte(p)
		default:
			return nil, nil, fmt.Errorf("parent locator %q cannot be rewritten", l.Code)
		}
		if err != nil || int64(len(data)) > locatorSpace(l) || int64(l.DataOffset)+locatorSpace(l) > size {
			return nil, nil, fmt.Errorf("redacted %s locator does not fit its space", l.Code)
		}
		at := int64(l.DataOffset)
		clear(out[at : at+locatorSpace(l)])
		copy(out[at:], data)
		binary.BigEndian.PutUint32(out[l.Off+8:], uint32(len(data)))
	}
	if d.ChecksumOK() {
		binary.BigEndian.PutUint32(hdr[36:], 0)
		binary.BigEndian.PutUint32(hdr[36:], onesComplementSum(hdr))
	}
	return out, nil, verifyVHD(m, b, out)
}

// locatorSpace is the room a VHD locator has: a byte count as Hyper-V
// writes it, or sectors as the specification says when that is too small.
func locatorSpace(l vhdx.VHDLocator) int64 {
	s := int64(l.DataSpace)
	if s < int64(l.DataLength) {
		s *= 512
	}
	return s
}

func onesComplementSum(b []byte) uint32 {
	var s uint32
	for _, c := range b {
		s += uint32(c)
	}
	return ^s
}

func verifyVHD(m *Map, orig, out []byte) error {
	a, err := vhdx.OpenVHD(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		return err
	}
	b, err := vhdx.OpenVHD(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		return fmt.Errorf("redacted copy does not open: %w", err)
	}
	if len(a.Problems) != len(b.Problems) || a.Footer.UniqueID != b.Footer.UniqueID {
		return fmt.Errorf("redacted copy reads with %d problems, the original with %d", len(b.Problems), len(a.Problems))
	}
	if a.Dynamic != nil && (b.Dynamic == nil || a.Dynamic.ChecksumOK() != b.Dynamic.ChecksumOK() ||
		a.Dynamic.ParentUniqueID != b.Dynamic.ParentUniqueID || m.Apply(a.Dynamic.ParentName) != b.Dynamic.ParentName) {
		return errors.New("redacted dynamic header does not read back as intended")
	}
	if a.Dynamic != nil {
		pa, pb := a.ParentPaths(), b.ParentPaths()
		if len(pa) != len(pb) || !slices.EqualFunc(pa, pb, func(x, y vhdx.ParentPath) bool { return m.Apply(x.Path) == y.Path }) {
			return errors.New("redacted parent paths do not read back as intended")
		}
	}
	return binarySafeChunks(m, out)
}

// binarySafeChunks is binarySafe over a large buffer, in overlapping
// pieces, skipping the zeroed ones.
func binarySafeChunks(m *Map, b []byte) error {
	const piece, overlap = 1 << 20, 1024
	for off := 0; off < len(b); off += piece {
		end := min(len(b), off+piece+overlap)
		p := b[off:end]
		if !slices.ContainsFunc(p, func(c byte) bool { return c != 0 }) {
			continue
		}
		if err := binarySafe(m, p); err != nil {
			return fmt.Errorf("bytes 0x%x-0x%x: %w", off, end, err)
		}
	}
	return nil
}
