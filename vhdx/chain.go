package vhdx

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// IssueKind classifies a chain Issue.
type IssueKind string

const (
	// IssueParentMissing: no disk in the bundle matches any parent path
	// (Hyper-V: 0xC03A000D).
	IssueParentMissing IssueKind = "parent-missing"
	// IssueParentNotCollected: the parent is not in the bundle but a known
	// listing shows it exists on the host; the link cannot be verified.
	IssueParentNotCollected IssueKind = "parent-not-collected"
	// IssueParentUnverifiable: the child's parent locator was not collected
	// (metadata beyond the collected bytes), so its parent is unknown.
	IssueParentUnverifiable IssueKind = "parent-unverifiable"
	// IssueLinkageMismatch: the parent's ID (VHDX DataWriteGuid, VHD unique
	// ID) is not the one the child recorded: the parent was modified after
	// the child was created (Hyper-V: 0xC03A000E).
	IssueLinkageMismatch IssueKind = "linkage-mismatch"
	// IssueSizeMismatch: parent and child virtual sizes differ (0xC03A0017).
	IssueSizeMismatch IssueKind = "size-mismatch"
	// IssueSectorSizeMismatch: logical sector sizes differ.
	IssueSectorSizeMismatch IssueKind = "sector-size-mismatch"
	// IssueCycle: a disk is its own ancestor (0xC03A0018).
	IssueCycle IssueKind = "cycle"
	// IssueParentCorrupt: the parent itself cannot be opened (0xC03A0019).
	IssueParentCorrupt IssueKind = "parent-corrupt"
	// IssueParentDirty: the parent has a log that must be replayed.
	IssueParentDirty IssueKind = "parent-dirty"
	// IssueVirtualDiskIDMismatch: a VHDX child's virtual disk ID (page 83)
	// differs from its parent's; Hyper-V copies it on fork, so the locator
	// may point at an unrelated disk. A warning only: other tools do not copy it.
	IssueVirtualDiskIDMismatch IssueKind = "virtual-disk-id-mismatch"
	// IssueOrphan: a differencing disk that no VM uses and that no used disk
	// descends from.
	IssueOrphan IssueKind = "orphan"
)

// Code returns the Windows error code Hyper-V reports for the issue, or 0.
func (k IssueKind) Code() uint32 {
	switch k {
	case IssueParentMissing:
		return 0xC03A000D
	case IssueLinkageMismatch:
		return 0xC03A000E
	case IssueSizeMismatch:
		return 0xC03A0017
	case IssueCycle:
		return 0xC03A0018
	case IssueParentCorrupt:
		return 0xC03A0019
	}
	return 0
}

// Issue is one chain problem. It names both files, both GUIDs and where they
// were read, so a report can cite the evidence.
type Issue struct {
	Kind     IssueKind
	Severity Severity
	Code     uint32 // Windows error code, 0 if none
	Child    string // bundle path of the child (or of the orphan)
	// Parent is the bundle path of the resolved parent; for an unresolved
	// parent, the locator path that was looked for.
	Parent       string
	ChildGUID    GUID  // what the child expects (its first parent linkage)
	ParentGUID   GUID  // what the parent has (its ID)
	ChildOffset  int64 // byte offset of ChildGUID in the child, -1 if none
	ParentOffset int64 // byte offset of ParentGUID in the parent, -1 if none
	Fix          string
	Msg          string
}

// LinkStatus is the verdict on one child→parent link.
type LinkStatus int

const (
	LinkOK         LinkStatus = iota
	LinkWarning               // usable, with an anomaly worth reporting
	LinkBroken                // Hyper-V will refuse the chain
	LinkUnverified            // the parent or the locator was not collected
)

func (s LinkStatus) String() string {
	switch s {
	case LinkOK:
		return "ok"
	case LinkWarning:
		return "warning"
	case LinkBroken:
		return "broken"
	case LinkUnverified:
		return "unverified"
	}
	return fmt.Sprintf("LinkStatus(%d)", int(s))
}

// MarshalText encodes the status as its String form.
func (s LinkStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Link is the edge from a differencing disk to its parent.
type Link struct {
	Child  string
	Parent string // bundle path of the resolved parent, "" if not found
	// Via is the parent path that found the parent (or, when unresolved,
	// the first recorded one); MatchedBy says how it matched.
	Via            ParentPath
	MatchedBy      string
	Status         LinkStatus
	Reason         string // message of the most severe issue, "" when OK
	ChildLinkage   []GUID
	ParentID       GUID
	LinkageOffset  int64
	ParentIDOffset int64
}

// Node is one disk as the chain report draws it.
type Node struct {
	Path          string
	HostPath      string
	Format        Format
	Type          DiskType
	VirtualSize   uint64
	ID            GUID
	VirtualDiskID GUID
	Dirty         bool
	Corrupt       bool
	Truncated     bool
	Referenced    bool // named in ChainOptions.References
	Leaf          bool // no disk in the bundle has it as parent
}

// Chain is the path from a leaf disk towards its base.
type Chain struct {
	Leaf string
	// Disks from the leaf to the last disk reached (the base when complete).
	Disks []string
	// Complete: the walk ended at a fixed or dynamic disk over links that
	// are all OK or warnings.
	Complete bool
	Broken   bool // some link on the way is broken
	Issues   []int
}

// ChainSet is the result of BuildChains.
type ChainSet struct {
	Nodes  []Node // sorted by path
	Links  []Link // one per differencing disk, sorted by child path
	Chains []Chain
	Issues []Issue
}

// ChainOptions carries what the caller knows beyond the collected disks.
type ChainOptions struct {
	// KnownPaths are files known to exist on the host (directory listings,
	// Get-VHD output) that may not have been collected. A parent found
	// only here is reported as not collected rather than missing.
	KnownPaths []string
	// References are the disk paths VMs use (Windows or bundle paths).
	// Orphans are reported only when References is non-empty.
	References []string
}

// winKey normalises a Windows path for comparison: lower case, forward
// slashes, without \\?\ or \\.\ prefixes and without a Volume{GUID} root.
func winKey(p string) string {
	s := strings.ReplaceAll(strings.TrimSpace(p), `\`, "/")
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(low, "//?/unc/"):
		s = "//" + s[len("//?/unc/"):]
	case strings.HasPrefix(low, "//?/"), strings.HasPrefix(low, "//./"):
		s = s[4:]
	}
	s = strings.ToLower(s)
	if strings.HasPrefix(s, "volume{") {
		if i := strings.IndexByte(s, '/'); i >= 0 {
			s = s[i:]
		} else {
			s = "/"
		}
	}
	unc := strings.HasPrefix(s, "//")
	s = path.Clean(s)
	if unc {
		s = "/" + s
	}
	return s
}

// dropDrive removes a leading "c:" so volume-relative and absolute paths
// compare against bundle paths.
func dropDrive(k string) string {
	if len(k) >= 2 && k[1] == ':' {
		return k[2:]
	}
	return k
}

// baseName returns the last element of a Windows or slash path, lower case.
func baseName(p string) string {
	k := winKey(p)
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		k = k[i+1:]
	}
	return k
}

// hasPathSuffix reports whether full ends with suffix at a path-element
// boundary. Both are winKey-normalised.
func hasPathSuffix(full, suffix string) bool {
	suffix = strings.TrimPrefix(suffix, "/")
	if suffix == "" || suffix == "." {
		return false
	}
	return full == suffix || strings.HasSuffix(full, "/"+suffix)
}

type chainBuilder struct {
	disks  []Disk
	opt    ChainOptions
	parent []int // resolved parent index per disk, -1 none
	set    ChainSet
	// Normalised keys per disk, computed once: bundle path, host path
	// without drive ("" when unknown) and file name.
	pathKey, hostKey, nameKey []string
}

// BuildChains rebuilds the differencing chains among disks. It does no I/O.
func BuildChains(disks []Disk, opt ChainOptions) ChainSet {
	b := &chainBuilder{disks: slices.Clone(disks), opt: opt}
	slices.SortStableFunc(b.disks, func(x, y Disk) int { return strings.Compare(x.Path, y.Path) })
	b.parent = make([]int, len(b.disks))
	for _, d := range b.disks {
		b.pathKey = append(b.pathKey, winKey(d.Path))
		h := ""
		if d.HostPath != "" {
			h = dropDrive(winKey(d.HostPath))
		}
		b.hostKey = append(b.hostKey, h)
		b.nameKey = append(b.nameKey, baseName(d.Path))
	}
	linkIdx := make([]int, len(b.disks))
	for i := range b.parent {
		b.parent[i] = -1
		linkIdx[i] = -1
	}
	for i := range b.disks {
		if l, ok := b.link(i); ok {
			linkIdx[i] = len(b.set.Links)
			b.set.Links = append(b.set.Links, l)
		}
	}
	b.cycles(linkIdx)
	b.nodesAndChains(linkIdx)
	return b.set
}

func (b *chainBuilder) addIssue(is Issue) int {
	is.Code = is.Kind.Code()
	b.set.Issues = append(b.set.Issues, is)
	return len(b.set.Issues) - 1
}

// mayBeDifferencing: differencing, or of unknown type but named like a
// checkpoint disk.
func mayBeDifferencing(d *Disk) bool {
	if d.Type == DiskTypeDifferencing {
		return true
	}
	ext := strings.ToLower(path.Ext(d.Path))
	return d.Type == DiskTypeUnknown && (ext == ".avhdx" || ext == ".avhd")
}

// link resolves and checks the parent of disk i.
func (b *chainBuilder) link(i int) (Link, bool) {
	c := &b.disks[i]
	if !mayBeDifferencing(c) {
		return Link{}, false
	}
	l := Link{Child: c.Path, ChildLinkage: c.ParentLinkage, LinkageOffset: c.LinkageOffset, ParentIDOffset: -1}
	var first GUID
	if len(c.ParentLinkage) > 0 {
		first = c.ParentLinkage[0]
	}
	if len(c.ParentPaths) > 0 {
		l.Via = c.ParentPaths[0]
	}
	if !c.ParentInfo {
		return b.unverifiable(c, l), true
	}
	p, via, how := b.resolve(i)
	if p < 0 {
		return b.unresolved(c, l, first), true
	}
	b.parent[i] = p
	pd := &b.disks[p]
	l.Parent, l.Via, l.MatchedBy = pd.Path, via, how
	l.ParentID, l.ParentIDOffset = pd.ID, pd.IDOffset
	issues, unverified := linkIssues(c, pd, first)
	if unverified {
		l.Status = LinkUnverified
	}
	worst := SeverityInfo
	for k, is := range issues {
		if k == 0 || is.Severity > worst {
			worst, l.Reason = is.Severity, is.Msg
		}
		b.addIssue(is)
	}
	switch {
	case l.Status == LinkUnverified:
	case worst == SeverityError:
		l.Status = LinkBroken
	case len(issues) > 0:
		l.Status = LinkWarning
	}
	return l, true
}

// unverifiable fills the link of a child whose parent locator was not
// collected.
func (b *chainBuilder) unverifiable(c *Disk, l Link) Link {
	l.Status = LinkUnverified
	what := "its metadata (disk type and parent locator) was not collected"
	if c.Type == DiskTypeDifferencing {
		what = "its parent locator was not collected"
	}
	l.Reason = fmt.Sprintf("%s: %s, so its parent cannot be identified", c.Path, what)
	b.addIssue(Issue{Kind: IssueParentUnverifiable, Severity: SeverityWarning, Child: c.Path,
		ChildOffset: -1, ParentOffset: -1, Fix: c.Path,
		Msg: l.Reason + "; collect at least the first 4 MiB of the file"})
	return l
}

// linkIssues checks child c against its parent pd (first is the child's
// first parent linkage): identity, state, size and sector size.
// unverified is set when the parent's headers were not collected.
func linkIssues(c, pd *Disk, first GUID) (issues []Issue, unverified bool) {
	base := Issue{Child: c.Path, Parent: pd.Path, ChildGUID: first, ParentGUID: pd.ID,
		ChildOffset: c.LinkageOffset, ParentOffset: pd.IDOffset}
	add := func(kind IssueKind, sev Severity, fix, msg string) {
		is := base
		is.Kind, is.Severity, is.Fix, is.Msg = kind, sev, fix, msg
		issues = append(issues, is)
	}
	idName := "unique ID"
	if pd.Format == FormatVHDX {
		idName = "DataWriteGuid"
	}
	switch {
	case pd.Corrupt:
		add(IssueParentCorrupt, SeverityError, pd.Path, fmt.Sprintf(
			"parent %s of %s is damaged and cannot be opened; every disk below it fails", pd.Path, c.Path))
	case !pd.HasID:
		unverified = true
		add(IssueParentNotCollected, SeverityWarning, pd.Path, fmt.Sprintf(
			"the headers of parent %s of %s were not collected; the link cannot be verified", pd.Path, c.Path))
	case len(c.ParentLinkage) == 0:
		add(IssueLinkageMismatch, SeverityError, c.Path, fmt.Sprintf(
			"%s records no readable parent linkage, so its parent %s cannot be verified", c.Path, pd.Path))
	case !slices.Contains(c.ParentLinkage, pd.ID):
		add(IssueLinkageMismatch, SeverityError, c.Path, linkageMsg(c, pd, first, idName))
	}
	if pd.Dirty {
		add(IssueParentDirty, SeverityWarning, pd.Path, fmt.Sprintf(
			"parent %s of %s has a log that must be replayed; Hyper-V opens parents read-only and cannot replay it", pd.Path, c.Path))
	}
	if c.VirtualSize != 0 && pd.VirtualSize != 0 && c.VirtualSize != pd.VirtualSize {
		add(IssueSizeMismatch, SeverityError, c.Path, fmt.Sprintf(
			"virtual size of %s is %d bytes but its parent %s has %d bytes (the parent was resized after the child was created)",
			c.Path, c.VirtualSize, pd.Path, pd.VirtualSize))
	}
	if c.LogicalSectorSize != 0 && pd.LogicalSectorSize != 0 && c.LogicalSectorSize != pd.LogicalSectorSize {
		add(IssueSectorSizeMismatch, SeverityError, c.Path, fmt.Sprintf(
			"logical sector size of %s is %d but its parent %s has %d", c.Path, c.LogicalSectorSize, pd.Path, pd.LogicalSectorSize))
	}
	if c.Format == FormatVHDX && pd.Format == FormatVHDX && !c.VirtualDiskID.IsZero() && !pd.VirtualDiskID.IsZero() &&
		c.VirtualDiskID != pd.VirtualDiskID {
		is := base
		is.Kind, is.Severity, is.Fix = IssueVirtualDiskIDMismatch, SeverityWarning, c.Path
		is.ChildGUID, is.ParentGUID = c.VirtualDiskID, pd.VirtualDiskID
		is.ChildOffset, is.ParentOffset = -1, -1
		is.Msg = fmt.Sprintf("virtual disk ID of %s is %s but its parent %s has %s; Hyper-V copies it to checkpoints, so the locator may point at an unrelated disk",
			c.Path, c.VirtualDiskID, pd.Path, pd.VirtualDiskID)
		issues = append(issues, is)
	}
	return issues, unverified
}

func linkageMsg(c, pd *Disk, want GUID, idName string) string {
	if pd.Format == FormatVHDX {
		return fmt.Sprintf("%s was modified after its child %s was created: its DataWriteGuid is %s (at 0x%x) but the child's parent_linkage (at 0x%x) is %s",
			pd.Path, c.Path, pd.ID, pd.IDOffset, c.LinkageOffset, want.Braced())
	}
	return fmt.Sprintf("parent %s has %s %s (at 0x%x) but its child %s expects %s (at 0x%x); the parent's identity was reset or the locator points at another disk",
		pd.Path, idName, pd.ID, pd.IDOffset, c.Path, want, c.LinkageOffset)
}

// unresolved fills the link of a child whose parent is not in the bundle.
func (b *chainBuilder) unresolved(c *Disk, l Link, first GUID) Link {
	want := ""
	if len(c.ParentPaths) > 0 {
		want = c.ParentPaths[0].Path
	}
	is := Issue{Child: c.Path, Parent: want, ChildGUID: first, ChildOffset: c.LinkageOffset, ParentOffset: -1, Fix: c.Path}
	if known, ok := b.known(c); ok {
		l.Status = LinkUnverified
		l.Reason = fmt.Sprintf("parent %s of %s exists on the host but was not collected", known, c.Path)
		is.Kind, is.Severity, is.Parent = IssueParentNotCollected, SeverityWarning, known
		is.Fix = known
		is.Msg = l.Reason + "; collect it to verify the chain"
		b.addIssue(is)
		return l
	}
	l.Status = LinkBroken
	paths := make([]string, 0, len(c.ParentPaths))
	for _, pp := range c.ParentPaths {
		paths = append(paths, fmt.Sprintf("%s path %s", pp.Kind, pp.Path))
	}
	if len(paths) == 0 {
		l.Reason = fmt.Sprintf("%s is a differencing disk but records no parent path", c.Path)
	} else {
		l.Reason = fmt.Sprintf("parent of %s not found: looked for %s", c.Path, strings.Join(paths, ", "))
	}
	is.Kind, is.Severity, is.Msg = IssueParentMissing, SeverityError, l.Reason
	// A disk carrying the expected ID elsewhere is the likely moved parent.
	for j := range b.disks {
		if d := &b.disks[j]; d.Path != c.Path && d.HasID && slices.Contains(c.ParentLinkage, d.ID) {
			is.ParentGUID, is.ParentOffset = d.ID, d.IDOffset
			is.Msg += fmt.Sprintf("; %s has the expected ID %s, so the parent was probably moved or renamed: point %s at it (Set-VHD -ParentPath)", d.Path, d.ID, c.Path)
			break
		}
	}
	b.addIssue(is)
	return l
}

// resolve finds the parent of disk i among the bundle's disks: by relative
// path, then by the host paths the caller supplied, then by path suffix,
// then by file name (preferring the child's directory and a matching ID).
func (b *chainBuilder) resolve(i int) (int, ParentPath, string) {
	c := &b.disks[i]
	childDir := path.Dir(winKey(c.Path))
	childHostDir := ""
	if c.HostPath != "" {
		childHostDir = path.Dir(winKey(c.HostPath))
	}
	find := func(match func(j int) bool) int {
		for j := range b.disks {
			if match(j) {
				return j
			}
		}
		return -1
	}
	for _, pp := range c.ParentPaths {
		k := winKey(pp.Path)
		if pp.Kind == PathRelative {
			target := path.Clean(path.Join(childDir, k))
			if j := find(func(j int) bool { return b.pathKey[j] == target }); j >= 0 {
				return j, pp, "relative path"
			}
			if childHostDir != "" {
				ht := dropDrive(path.Clean(path.Join(childHostDir, k)))
				if j := find(func(j int) bool { return b.hostKey[j] != "" && b.hostKey[j] == ht }); j >= 0 {
					return j, pp, "relative path on the host"
				}
			}
			continue
		}
		dk := dropDrive(k)
		if j := find(func(j int) bool { return b.hostKey[j] != "" && b.hostKey[j] == dk }); j >= 0 {
			return j, pp, "host path"
		}
		if strings.Contains(strings.TrimPrefix(dk, "/"), "/") {
			if j := find(func(j int) bool { return hasPathSuffix(b.pathKey[j], dk) }); j >= 0 {
				return j, pp, "path suffix"
			}
		}
	}
	best, bestScore := -1, -1
	var bestVia ParentPath
	for _, pp := range c.ParentPaths {
		name := baseName(pp.Path)
		if name == "" || name == "." || name == "/" {
			continue
		}
		for j := range b.disks {
			d := &b.disks[j]
			if j == i || b.nameKey[j] != name {
				continue
			}
			// A matching ID outweighs everything, then the number of
			// trailing path elements shared, then the child's directory.
			score := 10 * commonSuffix(b.pathKey[j], dropDrive(winKey(pp.Path)))
			if path.Dir(b.pathKey[j]) == childDir {
				score++
			}
			if d.HasID && slices.Contains(c.ParentLinkage, d.ID) {
				score += 1 << 20
			}
			if score > bestScore {
				best, bestScore, bestVia = j, score, pp
			}
		}
		if best >= 0 {
			return best, bestVia, "file name"
		}
	}
	return -1, ParentPath{}, ""
}

// known looks the child's parent paths up in ChainOptions.KnownPaths.
func (b *chainBuilder) known(c *Disk) (string, bool) {
	if len(b.opt.KnownPaths) == 0 {
		return "", false
	}
	hostDir := ""
	if c.HostPath != "" {
		hostDir = path.Dir(winKey(c.HostPath))
	}
	for _, pp := range c.ParentPaths {
		k := winKey(pp.Path)
		if pp.Kind == PathRelative {
			if hostDir == "" {
				continue
			}
			k = path.Clean(path.Join(hostDir, k))
		}
		for _, kp := range b.opt.KnownPaths {
			if dropDrive(winKey(kp)) == dropDrive(k) {
				return kp, true
			}
		}
	}
	for _, pp := range c.ParentPaths {
		name := baseName(pp.Path)
		for _, kp := range b.opt.KnownPaths {
			if name != "" && baseName(kp) == name {
				return kp, true
			}
		}
	}
	return "", false
}

// cycles reports every set of disks that are their own ancestors and marks
// the links on the cycle broken.
func (b *chainBuilder) cycles(linkIdx []int) {
	const (
		unseen = iota
		active
		done
	)
	state := make([]int, len(b.disks))
	for start := range b.disks {
		var stack []int
		j := start
		for j >= 0 && state[j] == unseen {
			state[j] = active
			stack = append(stack, j)
			j = b.parent[j]
		}
		if j >= 0 && state[j] == active {
			// The cycle is the tail of the stack from j.
			k := slices.Index(stack, j)
			members := stack[k:]
			names := make([]string, len(members))
			for m, idx := range members {
				names[m] = b.disks[idx].Path
			}
			c, p := &b.disks[members[0]], &b.disks[b.parent[members[0]]]
			var want GUID
			if len(c.ParentLinkage) > 0 {
				want = c.ParentLinkage[0]
			}
			msg := fmt.Sprintf("differencing chain cycle: %s", strings.Join(append(names, names[0]), " -> "))
			b.addIssue(Issue{Kind: IssueCycle, Severity: SeverityError, Child: c.Path, Parent: p.Path,
				ChildGUID: want, ParentGUID: p.ID, ChildOffset: c.LinkageOffset, ParentOffset: p.IDOffset,
				Fix: c.Path, Msg: msg})
			for _, idx := range members {
				if li := linkIdx[idx]; li >= 0 {
					b.set.Links[li].Status = LinkBroken
					b.set.Links[li].Reason = msg
				}
			}
		}
		for _, idx := range stack {
			state[idx] = done
		}
	}
}

// commonSuffix counts the trailing path elements two winKey-normalised
// paths share.
func commonSuffix(a, b string) int {
	n := 0
	for a != "" && b != "" {
		i, j := strings.LastIndexByte(a, '/'), strings.LastIndexByte(b, '/')
		if a[i+1:] != b[j+1:] || a[i+1:] == "" {
			break
		}
		n++
		if i < 0 || j < 0 {
			break
		}
		a, b = a[:i], b[:j]
	}
	return n
}

// nodesAndChains lists every disk as a node, reports the orphans, and
// follows each leaf up to its base to make the chains.
func (b *chainBuilder) nodesAndChains(linkIdx []int) {
	isParent := make([]bool, len(b.disks))
	for _, p := range b.parent {
		if p >= 0 {
			isParent[p] = true
		}
	}
	referenced := b.referenced()
	used := b.used(referenced)
	for j := range b.disks {
		d := &b.disks[j]
		b.set.Nodes = append(b.set.Nodes, Node{
			Path: d.Path, HostPath: d.HostPath, Format: d.Format, Type: d.Type, VirtualSize: d.VirtualSize,
			ID: d.ID, VirtualDiskID: d.VirtualDiskID, Dirty: d.Dirty, Corrupt: d.Corrupt, Truncated: d.Truncated,
			Referenced: referenced[j], Leaf: !isParent[j],
		})
		if len(b.opt.References) > 0 && mayBeDifferencing(d) && !used[j] {
			b.addIssue(Issue{Kind: IssueOrphan, Severity: SeverityWarning, Child: d.Path, ParentOffset: -1,
				ChildGUID: d.ID, ChildOffset: d.IDOffset, Fix: d.Path,
				Msg: fmt.Sprintf("%s is a differencing disk that no VM uses and no used disk descends from (virtual disk ID %s); it is left over from a deleted checkpoint or an interrupted merge, and its changes are not part of any VM", d.Path, d.VirtualDiskID)})
		}
	}
	// Index the link issues by child so chains can list theirs.
	byChild := map[string][]int{}
	for k, is := range b.set.Issues {
		byChild[is.Child] = append(byChild[is.Child], k)
	}
	for j := range b.disks {
		if !isParent[j] {
			b.set.Chains = append(b.set.Chains, b.chain(j, linkIdx, byChild))
		}
	}
}

// referenced tells which disks the references (ChainOptions.References)
// name. The disks that share the most trailing path elements with a
// reference are the ones it names: bundles rarely mirror host paths.
func (b *chainBuilder) referenced() []bool {
	referenced := make([]bool, len(b.disks))
	for _, ref := range b.opt.References {
		k := dropDrive(winKey(ref))
		best, bestScore := []int(nil), 0
		for j := range b.disks {
			score := commonSuffix(b.pathKey[j], k)
			if b.hostKey[j] != "" && b.hostKey[j] == k {
				score = 1 << 20
			}
			switch {
			case score > bestScore:
				best, bestScore = []int{j}, score
			case score == bestScore && score > 0:
				best = append(best, j)
			}
		}
		for _, j := range best {
			referenced[j] = true
		}
	}
	return referenced
}

// used tells which disks are in use: the referenced ones and the disks
// they descend from.
func (b *chainBuilder) used(referenced []bool) []bool {
	n := len(b.disks)
	used := make([]bool, n)
	for j := range b.disks {
		if !referenced[j] {
			continue
		}
		for k, steps := j, 0; k >= 0 && !used[k] && steps <= n; k, steps = b.parent[k], steps+1 {
			used[k] = true
		}
	}
	return used
}

// chain follows leaf disk j up through its parents. It is complete when it
// reaches a dynamic or fixed base with every link verified and none broken.
func (b *chainBuilder) chain(j int, linkIdx []int, byChild map[string][]int) Chain {
	ch := Chain{Leaf: b.disks[j].Path}
	seen := make([]bool, len(b.disks))
	verified := true
	k, last := j, j
	for ; k >= 0 && !seen[k]; k = b.parent[k] {
		seen[k], last = true, k
		ch.Disks = append(ch.Disks, b.disks[k].Path)
		ch.Issues = append(ch.Issues, byChild[b.disks[k].Path]...)
		if li := linkIdx[k]; li >= 0 {
			switch b.set.Links[li].Status {
			case LinkBroken:
				ch.Broken = true
			case LinkUnverified:
				verified = false
			}
		}
	}
	base := b.disks[last].Type
	ch.Complete = k < 0 && !ch.Broken && verified && (base == DiskTypeDynamic || base == DiskTypeFixed)
	return ch
}
