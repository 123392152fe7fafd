package analyze

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/vhdx"
)

// buildChains rebuilds every differencing chain from the disk headers in
// the bundle. What the text outputs say about the host helps: listings and
// Get-VHD name files that exist but were not collected (so a parent is "not
// collected" rather than "missing"), and VM configurations and checkpoints
// name the disks in use (so an unreferenced AVHDX is an orphan).
//
// judgeOrphans is false for a case whose bundles do not all hold their
// host's VM inventory: the VM using a disk may run on the node missing.
func buildChains(disks []vhdx.Disk, evs []evidence.Evidence, judgeOrphans bool) (vhdx.ChainSet, []evidence.Evidence) {
	if len(disks) == 0 {
		return vhdx.ChainSet{}, nil
	}
	var opt vhdx.ChainOptions
	// A disk is only an orphan when nothing uses it: that can be judged
	// only when the VMs' current disks are known. Checkpoint disk lists
	// alone name the disks as they were when each checkpoint was taken,
	// never the AVHDX the VM runs on now.
	var current, checkpointed, mentioned []string
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case evidence.KindChainError, evidence.KindCmdError:
			mentioned = appendDiskPath(mentioned, e.Attrs[evidence.AttrPath])
		case evidence.KindFile, evidence.KindDiskInfo:
			if p := e.Attrs[evidence.AttrPath]; p != "" {
				opt.KnownPaths = append(opt.KnownPaths, p)
			}
		case evidence.KindVMDisk:
			current = appendDiskPath(current, e.Attrs[evidence.AttrPath])
		case evidence.KindVM:
			for _, p := range strings.Split(e.Attrs[evidence.AttrDiskPaths], "\n") {
				current = appendDiskPath(current, p)
			}
		case evidence.KindSnapshot:
			for _, p := range strings.Split(e.Attrs[evidence.AttrDiskPaths], "\n") {
				checkpointed = appendDiskPath(checkpointed, p)
			}
		}
	}
	if len(current) > 0 && judgeOrphans {
		opt.References = append(current, checkpointed...)
	}
	set := vhdx.BuildChains(disks, opt)
	// Where each collected disk lives on the host, by file name, from what
	// the text outputs say (Get-VHD, listings, VM disk lists): commands must
	// name the host's path, not the path inside the bundle.
	hostPath := map[string]string{}
	for _, p := range slices.Concat(opt.KnownPaths, current, checkpointed, mentioned) {
		if n := diskName(p); n != "" && strings.Contains(p, `\`) {
			if _, seen := hostPath[n]; !seen {
				hostPath[n] = p
			}
		}
	}
	byPath := map[string]*vhdx.Disk{}
	for i := range disks {
		byPath[disks[i].Path] = &disks[i]
	}
	var out []evidence.Evidence
	for _, l := range set.Links {
		out = append(out, linkEvidence(l))
	}
	for _, is := range set.Issues {
		e := issueEvidence(is)
		// The parent path the child recorded is the path Hyper-V looks
		// for, and what Set-VHD -ParentPath must be given.
		if d := byPath[is.Child]; d != nil {
			for _, p := range d.ParentPaths {
				if p.Kind == vhdx.PathAbsolute {
					e.Attrs["parent_recorded_path"] = p.Path
					break
				}
			}
		}
		if hp := hostPath[diskName(is.Child)]; hp != "" {
			e.Attrs["child_host_path"] = hp
		}
		out = append(out, e)
	}
	return set, out
}

// appendDiskPath keeps values that are paths to a virtual disk: Get-VM
// prints "Hard Drive on SCSI controller number 0 at location 0" when its
// list is not expanded, which names no file.
func appendDiskPath(list []string, p string) []string {
	p = strings.TrimSpace(p)
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(p, `\`, "/")))
	if strings.ContainsAny(p, `\/`) && (ext == ".vhdx" || ext == ".avhdx" || ext == ".vhd" || ext == ".avhd") {
		return append(list, p)
	}
	return list
}

func linkEvidence(l vhdx.Link) evidence.Evidence {
	at := evidence.Locator{}
	if l.LinkageOffset >= 0 {
		at = evidence.AtOffset(l.LinkageOffset)
	}
	attrs := map[string]string{
		"child": l.Child, "parent": l.Parent, "status": l.Status.String(), "reason": l.Reason,
		"matched_by": l.MatchedBy, "parent_id": l.ParentID.String(),
	}
	if len(l.ChildLinkage) > 0 {
		attrs["child_linkage"] = l.ChildLinkage[0].String()
	}
	summary := fmt.Sprintf("link %s → %s: %s", l.Child, orUnresolved(l.Parent, l.Via.Path), l.Status)
	if l.Reason != "" {
		summary += " (" + l.Reason + ")"
	}
	return evidence.Evidence{Kind: evidence.KindChainLink, Source: l.Child, At: at, Summary: summary, Attrs: attrs}
}

func issueEvidence(is vhdx.Issue) evidence.Evidence {
	at := evidence.Locator{}
	if is.ChildOffset >= 0 {
		at = evidence.AtOffset(is.ChildOffset)
	}
	attrs := map[string]string{
		"issue": string(is.Kind), "child": is.Child, "parent": is.Parent, "severity": is.Severity.String(),
		"fix": is.Fix, "child_guid": is.ChildGUID.String(), "parent_guid": is.ParentGUID.String(),
	}
	if is.Code != 0 {
		attrs["code"] = fmt.Sprintf("0x%08X", is.Code)
	}
	if is.ParentOffset >= 0 {
		attrs["parent_offset"] = "0x" + strconv.FormatInt(is.ParentOffset, 16)
	}
	return evidence.Evidence{Kind: evidence.KindChainIssue, Source: is.Child, At: at, Summary: is.Msg, Attrs: attrs}
}

func orUnresolved(parent, looked string) string {
	if parent != "" {
		return parent
	}
	return looked + " (not found)"
}
