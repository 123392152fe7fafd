package extract

import (
	"context"
	"strconv"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/vhdx"
)

// DiskHeaders reads VHDX/AVHDX and VHD/AVHD files, whole or (as usual in
// bundles) only their first megabytes.
type DiskHeaders struct{}

// Name identifies the extractor.
func (DiskHeaders) Name() string { return "vhdx" }

// Kinds lists the inventory kinds it reads.
func (DiskHeaders) Kinds() []string { return []string{KindVHDX, KindVHD} }

// Sniff claims a file by the signature at its start (vhdx.DetectHead), or a
// binary file named .vhd or .avhd: a fixed VHD has its only footer at the
// end of the file, which the disk reader checks.
func (DiskHeaders) Sniff(h *Head) Claim {
	switch vhdx.DetectHead(h.bytes) {
	case vhdx.FormatVHDX:
		return Claim{Kind: KindVHDX}
	case vhdx.FormatVHD:
		return Claim{Kind: KindVHD}
	}
	if (h.ext == ".vhd" || h.ext == ".avhd") && h.isBinary() {
		return Claim{Kind: KindVHD}
	}
	return Claim{}
}

// Extract parses the headers and describes the disk for the chain stage.
func (DiskHeaders) Extract(ctx context.Context, in Input) (Extraction, error) {
	ra, err := in.Entry.ReaderAt()
	if err != nil {
		return Extraction{}, err
	}
	var d vhdx.Disk
	switch in.Kind {
	case KindVHDX:
		f, err := vhdx.Open(ra, in.Size)
		if err != nil {
			return Extraction{}, err
		}
		d = vhdx.DiskFromVHDX(in.Path, f)
	default:
		v, err := vhdx.OpenVHD(ra, in.Size)
		if err != nil {
			return Extraction{}, err
		}
		d = vhdx.DiskFromVHD(in.Path, v)
	}
	out := Extraction{Records: 1, Disks: []vhdx.Disk{d}, Evidence: []evidence.Evidence{diskEvidence(d)}}
	for _, p := range d.Problems {
		if p.Severity > vhdx.SeverityInfo {
			out.Problems = append(out.Problems, diskProblem(p))
		}
	}
	return out, nil
}

func diskEvidence(d vhdx.Disk) evidence.Evidence {
	attrs := map[string]string{
		evidence.AttrPath:   d.Path,
		"format":            d.Format.String(),
		"type":              d.Type.String(),
		"virtual_size":      strconv.FormatUint(d.VirtualSize, 10),
		"dirty":             strconv.FormatBool(d.Dirty),
		"corrupt":           strconv.FormatBool(d.Corrupt),
		"truncated":         strconv.FormatBool(d.Truncated),
		"logical_sector":    strconv.FormatUint(uint64(d.LogicalSectorSize), 10),
		"virtual_disk_id":   d.VirtualDiskID.String(),
		"parent_info_known": strconv.FormatBool(d.ParentInfo),
	}
	at := evidence.Locator{}
	if d.HasID {
		attrs["id"] = d.ID.String()
		at = evidence.AtOffset(d.IDOffset)
	}
	var parents []string
	for _, p := range d.ParentPaths {
		parents = append(parents, p.Path)
	}
	if len(parents) > 0 {
		attrs["parent_paths"] = strings.Join(parents, "\n")
	}
	summary := d.Format.String() + " " + d.Type.String() + " disk"
	if d.Dirty {
		summary += ", log needs replay"
	}
	if d.Corrupt {
		summary += ", corrupt"
	}
	if d.Truncated {
		summary += ", collected partially"
	}
	return evidence.Evidence{Kind: evidence.KindDisk, Source: d.Path, At: at, Summary: summary, Attrs: attrs}
}
