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
	b := &basicInfoBlock{d: d, vm: BasicInfoVM{Line: i + 1, Name: basicInfoVMRe.FindStringSubmatch(lines[i])[1]}}
	j := i + 1
	for ; j < len(lines); j++ {
		raw := lines[j]
		l := strings.TrimSpace(raw)
		if equalsRuleRe.MatchString(l) || isBasicInfoHead(raw) {
			break
		}
		if l == "" {
			b.inACL, b.inFiles = false, false
			continue
		}
		b.line(raw, l, j+1)
	}
	b.flushDisk()
	b.flushSnap()
	if b.vm.GUID == "" {
		d.problem(b.vm.Line, "basic info %s: no GUID line", b.vm.Name)
	}
	d.BasicInfo = append(d.BasicInfo, b.vm)
	return j
}

// basicInfoBlock is the state of one VM block being read.
type basicInfoBlock struct {
	d       *Doc
	vm      BasicInfoVM
	disk    *BasicInfoDisk     // disk entry being read
	snap    *BasicInfoSnapshot // snapshot block being read
	inSnap  bool               // past the "Snapshot" line: the rest are snapshot lines
	inACL   bool               // the disk's ACL lines follow
	inFiles bool               // a snapshot's File List entries follow
}

func (b *basicInfoBlock) flushDisk() {
	if b.disk != nil {
		b.vm.Disks = append(b.vm.Disks, *b.disk)
		b.disk = nil
	}
}

func (b *basicInfoBlock) flushSnap() {
	if b.snap != nil {
		b.vm.Snapshots = append(b.vm.Snapshots, *b.snap)
		b.snap = nil
	}
}

// fileMissing applies "!!! WARNING: above file does not exist !!!" (line n)
// to the snapshot file listed before it.
func (b *basicInfoBlock) fileMissing(n int) {
	if b.snap == nil || len(b.snap.Files) == 0 {
		b.d.problem(n, "basic info %s: missing-file warning without a file", b.vm.Name)
		return
	}
	b.snap.Files[len(b.snap.Files)-1].Missing = true
}

// diskMissing applies "WARNING: the file does not exist." (line n) to the
// disk entry being read.
func (b *basicInfoBlock) diskMissing(n int) {
	if b.disk == nil {
		b.d.problem(n, "basic info %s: missing-file warning without a disk", b.vm.Name)
		return
	}
	b.disk.Missing = true
}

// line reads one non-blank line: raw as printed, l trimmed, n its line
// number. The cases are in order of precedence: warnings anywhere, the
// snapshot section, then disk entries and the VM's own fields.
func (b *basicInfoBlock) line(raw, l string, n int) {
	label, value, hasLabel := labelValue(l)
	low := strings.ToLower(label)
	switch {
	case strings.Contains(l, "above file does not exist"):
		b.fileMissing(n)
	case strings.Contains(l, "the file does not exist"):
		b.diskMissing(n)
	case strings.Contains(l, "IC version") && strings.Contains(l, "=>"):
		b.vm.ICVersionLine = n
		b.vm.ICVersionMismatch = strings.Contains(l, "WARNING")
	case hasLabel && low == "snapshot" && indentOf(raw) == 0:
		b.flushDisk()
		b.inSnap, b.inACL = true, false
	case b.inSnap:
		b.inFiles = b.snapLine(l, low, value, hasLabel, n)
	case strings.HasPrefix(l, "- ") && pathLikeRe.MatchString(strings.TrimSpace(l[2:])):
		b.flushDisk()
		b.disk = &BasicInfoDisk{Line: n, Path: strings.TrimSpace(l[2:])}
		b.inACL = false
	case hasLabel && low == "guid" && b.vm.GUID == "":
		b.vm.GUID = NormGUID(value)
	case hasLabel && low == "pid" && b.vm.PID == "":
		b.vm.PID = value
		b.vm.Running = digitsRe.MatchString(value)
	case hasLabel && low == "version" && b.vm.Version == "" && b.disk == nil:
		b.vm.Version = value
	case b.disk != nil && b.inACL && strings.Contains(l, " => "):
		b.disk.ACL = append(b.disk.ACL, basicInfoACE(l, n))
	case b.disk != nil && hasLabel:
		b.inACL = assignBasicInfoDiskField(b.disk, raw, l, low, value, n)
	}
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

// snapLine reads a line of the snapshot section (low is its label in
// lower case) and reports whether a File List continues after it.
func (b *basicInfoBlock) snapLine(l, low, value string, hasLabel bool, n int) bool {
	switch {
	case hasLabel && low == "name":
		b.flushSnap()
		b.snap = &BasicInfoSnapshot{Line: n, Name: value}
		return false
	case b.snap == nil:
		// "No snapshots in this VM." or text before the first block.
		return false
	case hasLabel && low == "type":
		b.snap.Type = value
	case hasLabel && low == "creation time":
		// The label's colon is the first one; the time keeps its own.
		b.snap.CreationTime = b.d.timestamp(strings.TrimSpace(l[strings.IndexByte(l, ':')+1:]), n)
	case hasLabel && low == "parent":
		b.snap.Parent = value
	case hasLabel && low == "file list":
		if v := strings.TrimSpace(l[strings.IndexByte(l, ':')+1:]); v != "" {
			b.snap.Files = append(b.snap.Files, BasicInfoFile{Line: n, Path: v})
		}
		return true
	case b.inFiles && pathLikeRe.MatchString(l):
		b.snap.Files = append(b.snap.Files, BasicInfoFile{Line: n, Path: l})
		return true
	default:
		b.d.problem(n, "basic info %s: unrecognised snapshot line", b.vm.Name)
	}
	return b.inFiles
}
