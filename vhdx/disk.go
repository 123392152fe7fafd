package vhdx

import (
	"fmt"
	"path"
	"strings"
)

// DiskType is the kind of virtual disk.
type DiskType int

const (
	DiskTypeUnknown DiskType = iota
	DiskTypeFixed
	DiskTypeDynamic
	DiskTypeDifferencing
)

func (t DiskType) String() string {
	switch t {
	case DiskTypeFixed:
		return "fixed"
	case DiskTypeDynamic:
		return "dynamic"
	case DiskTypeDifferencing:
		return "differencing"
	}
	return "unknown"
}

// MarshalText encodes the type as its String form.
func (t DiskType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// PathKind says where a parent path came from.
type PathKind int

const (
	PathRelative   PathKind = iota // VHDX relative_path, VHD W2ru/Wi2r: relative to the child's directory
	PathVolume                     // VHDX volume_path: \\?\Volume{GUID}\...
	PathAbsolute                   // VHDX absolute_win32_path, VHD W2ku/Wi2k
	PathParentName                 // VHD parent Unicode name in the dynamic header
)

func (k PathKind) String() string {
	switch k {
	case PathRelative:
		return "relative"
	case PathVolume:
		return "volume"
	case PathAbsolute:
		return "absolute"
	case PathParentName:
		return "parent name"
	}
	return fmt.Sprintf("PathKind(%d)", int(k))
}

// MarshalText encodes the kind as its String form.
func (k PathKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParentPath is one parent path a differencing disk records.
type ParentPath struct {
	Kind PathKind
	Path string // as stored: a Windows path
	Off  int64  // byte offset of the stored string
}

// Disk is the format-independent description of one disk file that the
// chain logic works on.
type Disk struct {
	// Path is the slash-separated path of the file inside the bundle.
	Path string
	// HostPath is the file's original Windows path on the host, when the
	// caller knows it (from a listing or Get-VHD output); optional. It lets
	// absolute parent paths be matched exactly.
	HostPath string
	Format   Format
	Type     DiskType
	// ID is what children link to: the VHDX current header's DataWriteGuid
	// or the VHD footer's unique ID. IDOffset is where it was read.
	ID       GUID
	IDOffset int64
	HasID    bool
	// ParentLinkage lists the IDs a parent must have (VHDX parent_linkage
	// and a non-zero parent_linkage2; VHD parent unique ID). LinkageOffset
	// is where the first one was read, -1 if none.
	ParentLinkage []GUID
	LinkageOffset int64
	// ParentPaths in lookup order (relative, volume, absolute, name).
	ParentPaths []ParentPath
	// ParentInfo is false when the disk is (or may be) differencing but its
	// parent locator could not be read, e.g. metadata beyond the collected bytes.
	ParentInfo bool

	VirtualSize       uint64
	LogicalSectorSize uint32 // 0 when unknown; always 512 for VHD
	VirtualDiskID     GUID   // VHDX page 83 ID; zero for VHD
	Log               LogState
	Dirty             bool // VHDX log must be replayed
	Corrupt           bool // Hyper-V cannot open the file
	Truncated         bool
	Problems          []Problem
}

// DiskFromVHDX describes a parsed VHDX for BuildChains. path is the file's
// slash path inside the bundle.
func DiskFromVHDX(path string, f *File) Disk {
	d := Disk{
		Path:          path,
		Format:        FormatVHDX,
		Type:          f.Type(),
		IDOffset:      -1,
		LinkageOffset: -1,
		VirtualSize:   f.VirtualSize,
		Log:           f.Log.State,
		Dirty:         f.Log.State == LogDirty,
		Corrupt:       f.Corrupt(),
		Truncated:     f.Truncated,
		Problems:      append([]Problem(nil), f.Problems...),
	}
	d.LogicalSectorSize = f.LogicalSectorSize
	d.VirtualDiskID = f.VirtualDiskID
	if h := f.CurrentHeader(); h != nil {
		d.ID, d.IDOffset, d.HasID = h.DataWriteGUID, h.Off+32, true
	}
	if loc := f.Parent; loc != nil && f.HasParent {
		d.ParentInfo = true
		d.ParentLinkage = loc.Linkages()
		d.LinkageOffset = loc.LinkageOff
		add := func(kind PathKind, p, key string) {
			if strings.TrimSpace(p) == "" {
				return
			}
			off := loc.Off
			for _, e := range loc.Entries {
				if e.Key == key {
					off = e.ValueOff
					break
				}
			}
			d.ParentPaths = append(d.ParentPaths, ParentPath{Kind: kind, Path: p, Off: off})
		}
		add(PathRelative, loc.RelativePath, KeyRelativePath)
		add(PathVolume, loc.VolumePath, KeyVolumePath)
		add(PathAbsolute, loc.AbsolutePath, KeyAbsolutePath)
	}
	d.Problems = append(d.Problems, extensionProblems(path, FormatVHDX)...)
	return d
}

// DiskFromVHD describes a parsed VHD for BuildChains.
func DiskFromVHD(path string, v *VHD) Disk {
	d := Disk{
		Path:              path,
		Format:            FormatVHD,
		Type:              v.Type(),
		ID:                v.Footer.UniqueID,
		IDOffset:          v.Footer.Off + 68,
		HasID:             true,
		LinkageOffset:     -1,
		VirtualSize:       v.Footer.CurrentSize,
		LogicalSectorSize: 512,
		Corrupt:           v.Corrupt(),
		Truncated:         v.Truncated,
		Problems:          append([]Problem(nil), v.Problems...),
	}
	if v.Dynamic != nil && d.Type == DiskTypeDifferencing {
		d.ParentInfo = true
		d.ParentLinkage = []GUID{v.Dynamic.ParentUniqueID}
		d.LinkageOffset = v.Dynamic.Off + 40
		d.ParentPaths = v.ParentPaths()
	}
	d.Problems = append(d.Problems, extensionProblems(path, FormatVHD)...)
	return d
}

// extensionProblems notes a file whose extension does not match its format
// (for example a VHD renamed to .avhdx): Hyper-V picks the format by extension
// and refuses such a file.
func extensionProblems(p string, f Format) []Problem {
	ext := strings.ToLower(path.Ext(p))
	var want Format
	switch ext {
	case ".vhdx", ".avhdx":
		want = FormatVHDX
	case ".vhd", ".avhd":
		want = FormatVHD
	default:
		return nil
	}
	if want == f {
		return nil
	}
	return []Problem{{Off: 0, Kind: ProblemFormat, Severity: SeverityError,
		Msg: fmt.Sprintf("file is named %s but contains a %s disk; Hyper-V selects the format by extension and will refuse it", ext, f)}}
}
