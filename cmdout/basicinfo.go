package cmdout

import (
	"regexp"
	"strings"
)

// BasicInfoVM is one VM block of the SDP <HOST>_Hyper-VBasicInfo.txt.
type BasicInfoVM struct {
	Line    int
	Name    string
	GUID    string // canonical GUID form
	PID     string // as printed; "N/A …" when the VM is not running
	Running bool   // PID is a number
	Version string
	// ICVersionMismatch is set by "=> WARNING: IC version is not same
	// with host version(…)".
	ICVersionMismatch bool
	ICVersionLine     int
	Disks             []BasicInfoDisk
	Snapshots         []BasicInfoSnapshot
}

// BasicInfoDisk is one "- <path>" disk entry of a VM.
type BasicInfoDisk struct {
	Line    int
	Path    string
	VhdType string
	// Missing is set by "WARNING: the file does not exist."
	Missing       bool
	CreationTime  string // as printed
	LastWriteTime string // as printed
	CurrentSize   string
	MaxFileSize   string
	Owner         string
	ACL           []BasicInfoACE
	ID            string // canonical GUID form
}

// BasicInfoACE is one "<identity> => <FileSystemRights>" ACL line.
type BasicInfoACE struct {
	Line     int
	Identity string
	Rights   string
}

// BasicInfoSnapshot is one snapshot block of a VM.
type BasicInfoSnapshot struct {
	Line         int
	Name         string
	Type         string
	CreationTime Timestamp
	Parent       string
	Files        []BasicInfoFile
}

// BasicInfoFile is one "File List" entry; Missing is set by the
// "!!! WARNING: above file does not exist !!!" line after it.
type BasicInfoFile struct {
	Line    int
	Path    string
	Missing bool
}

var (
	basicInfoVMRe = regexp.MustCompile(`^<{10}\s*(.*?)\s*>{10}\s*$`)
	equalsRuleRe  = regexp.MustCompile(`^={20,}\s*$`)
	pathLikeRe    = regexp.MustCompile(`^(?:[A-Za-z]:\\|\\\\)`)
	digitsRe      = regexp.MustCompile(`^\d+$`)
)

func isBasicInfoHead(l string) bool { return basicInfoVMRe.MatchString(l) }

// parseBasicInfoVM reads one VM block, up to a rule of '=' or the next VM.
func parseBasicInfoVM(lines []string, i int, d *Doc) int {
	vm := BasicInfoVM{Line: i + 1, Name: basicInfoVMRe.FindStringSubmatch(lines[i])[1]}
	inSnap, inACL, inFiles := false, false, false
	var disk *BasicInfoDisk
	var snap *BasicInfoSnapshot
	flushDisk := func() {
		if disk != nil {
			vm.Disks = append(vm.Disks, *disk)
			disk = nil
		}
	}
	flushSnap := func() {
		if snap != nil {
			vm.Snapshots = append(vm.Snapshots, *snap)
			snap = nil
		}
	}
	j := i + 1
	for ; j < len(lines); j++ {
		raw := lines[j]
		l := strings.TrimSpace(raw)
		if equalsRuleRe.MatchString(l) || isBasicInfoHead(raw) {
			break
		}
		if l == "" {
			inACL, inFiles = false, false
			continue
		}
		label, value, hasLabel := labelValue(l)
		low := strings.ToLower(label)
		switch {
		case strings.Contains(l, "above file does not exist"):
			if snap != nil && len(snap.Files) > 0 {
				snap.Files[len(snap.Files)-1].Missing = true
			} else {
				d.problem(j+1, "basic info %s: missing-file warning without a file", vm.Name)
			}
		case strings.Contains(l, "the file does not exist"):
			if disk != nil {
				disk.Missing = true
			} else {
				d.problem(j+1, "basic info %s: missing-file warning without a disk", vm.Name)
			}
		case strings.Contains(l, "IC version") && strings.Contains(l, "=>"):
			vm.ICVersionLine = j + 1
			vm.ICVersionMismatch = strings.Contains(l, "WARNING")
		case hasLabel && low == "snapshot" && indentOf(raw) == 0:
			flushDisk()
			inSnap, inACL = true, false
		case inSnap:
			inFiles = parseBasicInfoSnapLine(raw, l, label, value, hasLabel, inFiles, &snap, flushSnap, j, d, vm.Name)
		case strings.HasPrefix(l, "- ") && pathLikeRe.MatchString(strings.TrimSpace(l[2:])):
			flushDisk()
			disk = &BasicInfoDisk{Line: j + 1, Path: strings.TrimSpace(l[2:])}
			inACL = false
		case hasLabel && low == "guid" && vm.GUID == "":
			vm.GUID = NormGUID(value)
		case hasLabel && low == "pid" && vm.PID == "":
			vm.PID = value
			vm.Running = digitsRe.MatchString(value)
		case hasLabel && low == "version" && vm.Version == "" && disk == nil:
			vm.Version = value
		case disk != nil && inACL && strings.Contains(l, " => "):
			disk.ACL = append(disk.ACL, basicInfoACE(l, j+1))
		case disk != nil && hasLabel:
			inACL = assignBasicInfoDiskField(disk, raw, l, low, value, j+1)
		}
	}
	flushDisk()
	flushSnap()
	if vm.GUID == "" {
		d.problem(vm.Line, "basic info %s: no GUID line", vm.Name)
	}
	d.BasicInfo = append(d.BasicInfo, vm)
	return j
}

func basicInfoACE(l string, line int) BasicInfoACE {
	k := strings.Index(l, " => ")
	return BasicInfoACE{Line: line, Identity: strings.TrimSpace(l[:k]), Rights: strings.TrimSpace(l[k+4:])}
}

// assignBasicInfoDiskField fills one disk property and reports whether an
// ACL list has started.
func assignBasicInfoDiskField(disk *BasicInfoDisk, raw, l, low, value string, line int) bool {
	switch {
	case low == "vhdtype":
		disk.VhdType = value
	case low == "creation time":
		c, w, _ := strings.Cut(value, "/  ")
		if k := strings.Index(l, "Last write time:"); k >= 0 {
			disk.LastWriteTime = strings.TrimSpace(l[k+len("Last write time:"):])
			c = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(l[len("Creation time:"):k]), "/"))
		} else {
			disk.LastWriteTime = strings.TrimSpace(w)
		}
		disk.CreationTime = strings.TrimSpace(c)
	case low == "current size":
		c, m, _ := strings.Cut(value, "/")
		disk.CurrentSize = strings.TrimSpace(c)
		if _, mv, ok := labelValue(m); ok {
			disk.MaxFileSize = mv
		}
	case low == "owner":
		disk.Owner = value
	case low == "acl":
		if strings.Contains(value, " => ") {
			disk.ACL = append(disk.ACL, basicInfoACE(value, line))
		}
		return true
	case low == "id":
		disk.ID = NormGUID(value)
	}
	return false
}

func parseBasicInfoSnapLine(raw, l, label, value string, hasLabel, inFiles bool, snap **BasicInfoSnapshot,
	flush func(), j int, d *Doc, vmName string) bool {
	low := strings.ToLower(label)
	switch {
	case hasLabel && low == "name":
		flush()
		*snap = &BasicInfoSnapshot{Line: j + 1, Name: value}
		return false
	case *snap == nil:
		// "No snapshots in this VM." or text before the first block.
		return false
	case hasLabel && low == "type":
		(*snap).Type = value
	case hasLabel && low == "creation time":
		// The label's colon is the first one; the time keeps its own.
		(*snap).CreationTime = d.timestamp(strings.TrimSpace(l[strings.IndexByte(l, ':')+1:]), j+1)
	case hasLabel && low == "parent":
		(*snap).Parent = value
	case hasLabel && low == "file list":
		if v := strings.TrimSpace(l[strings.IndexByte(l, ':')+1:]); v != "" {
			(*snap).Files = append((*snap).Files, BasicInfoFile{Line: j + 1, Path: v})
		}
		return true
	case inFiles && pathLikeRe.MatchString(l):
		(*snap).Files = append((*snap).Files, BasicInfoFile{Line: j + 1, Path: l})
		return true
	default:
		d.problem(j+1, "basic info %s: unrecognised snapshot line", vmName)
	}
	return inFiles
}
