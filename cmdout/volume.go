package cmdout

import (
	"fmt"
	"strconv"
	"strings"
)

// This file reads Get-Volume: the free space of each lettered volume, in
// the default table ("SizeRemaining  77.85 GB", rounded), a Format-Table
// or Format-List of chosen properties (bytes), as the storage cause asks
// for it. Property names are not localized; the rounded sizes use the
// host's decimal separator.

// KindGetVolume is Get-Volume output.
const KindGetVolume Kind = "get-volume"

// Volume is one Get-Volume object with a drive letter. Volumes without one
// (recovery, EFI, a CSV seen by its \\?\Volume{…} path) and optical drives
// are not kept: their free space says nothing about room for VM files.
type Volume struct {
	Line        int    // the row, or the SizeRemaining line of a list
	DriveLetter string // "D"
	Label       string // FileSystemLabel (FriendlyName in the default table)
	FileSystem  string
	DriveType   string // Fixed, Removable, …
	Free        int64  // SizeRemaining in bytes
	Size        int64  // bytes; -1 when not printed
	FreeRaw     string // as printed
	SizeRaw     string
}

// Evidence is a volume item, as the free space of a dir listing is.
func (v Volume) Evidence() Fact {
	summary := fmt.Sprintf("Get-Volume: %s: has %s free", v.DriveLetter, volumeSize(v.FreeRaw))
	if v.SizeRaw != "" {
		summary += " of " + volumeSize(v.SizeRaw)
	}
	if v.Label != "" {
		summary += " (" + v.Label + ")"
	}
	return Fact{Kind: "volume", Line: v.Line, Summary: summary, Attrs: map[string]string{
		"drive": v.DriveLetter + ":", "free_bytes": strconv.FormatInt(v.Free, 10),
	}}
}

// volumeSize words a printed size: bytes as such, a rounded size as it is.
func volumeSize(raw string) string {
	if _, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return raw + " bytes"
	}
	return raw
}

// isGetVolumeHead matches the header of a Get-Volume table, or the first
// line of a Get-Volume list object (DriveLetter, or ObjectId for
// Format-List *) whose properties include SizeRemaining.
func isGetVolumeHead(lines []string, i int) bool {
	l := lines[i]
	if !strings.HasPrefix(l, "DriveLetter") && !strings.HasPrefix(l, "ObjectId") {
		return false
	}
	if isTableHead(lines, i) {
		f := strings.Fields(l)
		return containsFold(f, "DriveLetter") && containsFold(f, "SizeRemaining")
	}
	if !isListLine(l) {
		return false
	}
	for j := i + 1; j < len(lines) && !blank(lines[j]); j++ {
		if k, _, ok := matchListKey(lines[j]); ok && strings.EqualFold(k, "SizeRemaining") {
			return true
		}
	}
	return false
}

// parseGetVolume reads the table or the list object at lines[i].
func parseGetVolume(lines []string, i int, d *Doc) int {
	if isTableHead(lines, i) {
		// Rows are cut here, not by readTable: a volume without a letter
		// has an empty first cell, which readTable takes for a wrapped
		// continuation of the row above.
		t := readTable(lines, i)
		for j := i + 2; j < t.end; j++ {
			r := tableRow{line: j + 1, cells: cutRow(lines[j], t.cols)}
			d.addVolume(Volume{Line: r.line, DriveLetter: t.cell(r, "DriveLetter"),
				Label:      firstNonEmpty(t.cell(r, "FileSystemLabel"), t.cell(r, "FriendlyName")),
				FileSystem: firstNonEmpty(t.cell(r, "FileSystem"), t.cell(r, "FileSystemType")), DriveType: t.cell(r, "DriveType"),
				FreeRaw: t.cell(r, "SizeRemaining"), SizeRaw: t.cell(r, "Size")})
		}
		return max(t.end, i+2)
	}
	o := readList(lines, i)
	d.addVolume(Volume{Line: o.lineOf("SizeRemaining"), DriveLetter: o.get("DriveLetter"),
		Label:      firstNonEmpty(o.get("FileSystemLabel"), o.get("FriendlyName")),
		FileSystem: firstNonEmpty(o.get("FileSystem"), o.get("FileSystemType")), DriveType: o.get("DriveType"),
		FreeRaw: o.get("SizeRemaining"), SizeRaw: o.get("Size")})
	return max(o.end, i+1)
}

// addVolume keeps a lettered volume whose free space could be read.
func (d *Doc) addVolume(v Volume) {
	v.DriveLetter = strings.ToUpper(strings.TrimSpace(v.DriveLetter))
	if len(v.DriveLetter) != 1 || !isASCIILetter(v.DriveLetter[0]) || strings.EqualFold(v.DriveType, "CD-ROM") {
		return
	}
	var ok bool
	if v.Free, ok = volumeBytes(v.FreeRaw); !ok {
		return
	}
	if v.Size, ok = volumeBytes(v.SizeRaw); !ok {
		v.Size = -1
	}
	d.addRecord(v)
}

// volumeBytes reads a size printed as bytes (chosen properties) or rounded
// with a unit (the default table: "77.85 GB", "0 B").
func volumeBytes(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, n >= 0
	}
	z, ok := parseSize(s)
	if !ok || z.Unbounded || z.Bytes > 1<<62 {
		return 0, false
	}
	return int64(z.Bytes), true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
