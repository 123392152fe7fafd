package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/vhdx"
)

// Chains is every differencing chain rebuilt from the disk headers.
type Chains struct {
	Nodes  []ChainNode  `json:"nodes"`
	Links  []ChainLink  `json:"links"`
	Issues []ChainIssue `json:"issues"`
}

// ChainNode is one disk file of the bundle.
type ChainNode struct {
	Path          string   `json:"path"`
	HostPath      string   `json:"host_path,omitempty"`
	Format        string   `json:"format"`
	Type          string   `json:"type"`
	VirtualSize   uint64   `json:"virtual_size"`
	ID            string   `json:"id"`
	VirtualDiskID string   `json:"virtual_disk_id,omitempty"`
	VMs           []string `json:"vms"`
	Dirty         bool     `json:"dirty"`
	Corrupt       bool     `json:"corrupt"`
	Truncated     bool     `json:"truncated"`
	Referenced    bool     `json:"referenced"`
	Leaf          bool     `json:"leaf"`
	Orphan        bool     `json:"orphan"`
}

// ChainLink is the edge from a differencing disk to its parent.
type ChainLink struct {
	Child string `json:"child"`
	// Parent is the bundle path of the parent, "" when none was found;
	// ParentPath is the path the child recorded (the one that matched, or
	// the first one when nothing did).
	Parent       string `json:"parent"`
	ParentPath   string `json:"parent_path"`
	MatchedBy    string `json:"matched_by,omitempty"`
	Status       string `json:"status"`
	Reason       string `json:"reason,omitempty"`
	Code         string `json:"code,omitempty"`
	ChildLinkage string `json:"child_linkage,omitempty"`
	ParentID     string `json:"parent_id,omitempty"`
	LinkageAt    string `json:"linkage_locator,omitempty"`
	ParentIDAt   string `json:"parent_id_locator,omitempty"`
}

// ChainIssue is one problem the chain rebuild found.
type ChainIssue struct {
	Kind       string `json:"kind"`
	Severity   string `json:"severity"`
	Code       string `json:"code,omitempty"`
	Child      string `json:"child"`
	Parent     string `json:"parent,omitempty"`
	ChildGUID  string `json:"child_guid,omitempty"`
	ParentGUID string `json:"parent_guid,omitempty"`
	ChildAt    string `json:"child_locator,omitempty"`
	ParentAt   string `json:"parent_locator,omitempty"`
	Fix        string `json:"fix,omitempty"`
	Message    string `json:"message"`
}

// Timeline is what happened when: event counts per hour for the incident
// chart, and each VM's evidence in time order.
type Timeline struct {
	Activity []ActivityBucket `json:"activity"`
	VMs      []VMTimeline     `json:"vms"`
}

// ActivityBucket counts the events of one channel and level in one hour.
type ActivityBucket struct {
	Hour    string `json:"hour"`
	Channel string `json:"channel"`
	Level   string `json:"level"`
	Count   int    `json:"count"`
}

// VMTimeline is one VM: the disk files tied to it and its evidence.
type VMTimeline struct {
	VM    string   `json:"vm"`
	Disks []string `json:"disks"`
	// Findings are the causes naming this VM.
	Findings []string      `json:"findings"`
	Events   []EvidenceRef `json:"events"`
	// Omitted counts evidence left out to keep the report readable (the
	// least telling first: cited items and errors are always kept).
	Omitted int `json:"omitted"`
}

// EvidenceRef points at one evidence item of a VM.
type EvidenceRef struct {
	Time    string `json:"time,omitempty"`
	Source  string `json:"source"`
	Locator string `json:"locator"`
	Kind    string `json:"kind"`
	Level   string `json:"level,omitempty"`
	Summary string `json:"summary"`
	// CitedBy lists the causes whose findings cite this item.
	CitedBy []string `json:"cited_by,omitempty"`
}

// MaxVMEvents bounds each VM's timeline; a VM with thousands of events
// keeps the cited and most severe ones.
const MaxVMEvents = 200

// activityLevels are the event levels the timeline shows (1 to 4).
var activityLevels = [...]string{"", "critical", "error", "warning", "information"}

// activityLevel names an event level the way the timeline shows it; levels
// beyond 4 (verbose) count as information.
func activityLevel(l uint8) string {
	if int(l) < len(activityLevels) && l > 0 {
		return activityLevels[l]
	}
	return "information"
}

func buildChainView(set vhdx.ChainSet, diskVMs map[string][]string) Chains {
	out := Chains{Nodes: []ChainNode{}, Links: []ChainLink{}, Issues: []ChainIssue{}}
	orphan := map[string]bool{}
	for _, is := range set.Issues {
		if is.Kind == vhdx.IssueOrphan {
			orphan[is.Child] = true
		}
		out.Issues = append(out.Issues, ChainIssue{
			Kind: string(is.Kind), Severity: is.Severity.String(), Code: code(is.Code),
			Child: is.Child, Parent: is.Parent,
			ChildGUID: guid(is.ChildGUID), ParentGUID: guid(is.ParentGUID),
			ChildAt: offset(is.ChildOffset), ParentAt: offset(is.ParentOffset),
			Fix: is.Fix, Message: is.Msg,
		})
	}
	for _, n := range set.Nodes {
		out.Nodes = append(out.Nodes, ChainNode{
			Path: n.Path, HostPath: n.HostPath, Format: n.Format.String(), Type: n.Type.String(),
			VirtualSize: n.VirtualSize, ID: guid(n.ID), VirtualDiskID: guid(n.VirtualDiskID),
			VMs: nonNil(diskVMs[n.Path]), Dirty: n.Dirty, Corrupt: n.Corrupt, Truncated: n.Truncated,
			Referenced: n.Referenced, Leaf: n.Leaf, Orphan: orphan[n.Path],
		})
	}
	for _, l := range set.Links {
		cl := ChainLink{
			Child: l.Child, Parent: l.Parent, ParentPath: l.Via.Path, MatchedBy: l.MatchedBy,
			Status: l.Status.String(), Reason: l.Reason, ParentID: guid(l.ParentID),
			LinkageAt: offset(l.LinkageOffset), ParentIDAt: offset(l.ParentIDOffset),
		}
		if len(l.ChildLinkage) > 0 {
			cl.ChildLinkage = guid(l.ChildLinkage[0])
		}
		// The link's reason is the message of its most severe issue; that
		// issue carries the Windows error code Hyper-V shows.
		for _, is := range set.Issues {
			if is.Child == l.Child && is.Msg == l.Reason && is.Kind != vhdx.IssueOrphan {
				cl.Code = code(is.Code)
				break
			}
		}
		out.Links = append(out.Links, cl)
	}
	return out
}

func code(c uint32) string {
	if c == 0 {
		return ""
	}
	return fmt.Sprintf("0x%08X", c)
}

func guid(g vhdx.GUID) string {
	if g.IsZero() {
		return ""
	}
	return g.String()
}

func offset(off int64) string {
	if off < 0 {
		return ""
	}
	return evidence.AtOffset(off).String()
}

// diskVMs maps each disk file of the bundle to the VMs it belongs to, as
// the correlation stage tagged the disk header and chain evidence.
func diskVMs(evs []evidence.Evidence) map[string][]string {
	sets := map[string]map[string]bool{}
	add := func(disk, vm string) {
		if disk == "" || vm == "" {
			return
		}
		if sets[disk] == nil {
			sets[disk] = map[string]bool{}
		}
		sets[disk][vm] = true
	}
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case evidence.KindDisk:
			add(e.Source, e.Attrs[evidence.AttrVM])
		case evidence.KindChainLink, evidence.KindChainIssue:
			add(e.Attrs["child"], e.Attrs[evidence.AttrVM])
		}
	}
	out := map[string][]string{}
	for disk, set := range sets {
		out[disk] = sortedKeys(set)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func buildActivity(in []Activity) []ActivityBucket {
	out := make([]ActivityBucket, 0, len(in))
	for _, a := range in {
		out = append(out, ActivityBucket{Hour: a.Hour.UTC().Format(time.RFC3339), Channel: a.Channel,
			Level: activityLevel(a.Level), Count: a.Count})
	}
	// analyze sorts already; sorting again keeps the report deterministic
	// whatever the producer does.
	slices.SortStableFunc(out, func(a, b ActivityBucket) int {
		return cmp.Or(strings.Compare(a.Hour, b.Hour), strings.Compare(a.Channel, b.Channel), levelRank(a.Level)-levelRank(b.Level))
	})
	return out
}

func levelRank(name string) int {
	for i, n := range activityLevels {
		if i > 0 && n == name {
			return i
		}
	}
	return len(activityLevels)
}

// citedKey identifies an evidence item across the analysis and the
// findings that cite it.
func citedKey(source string, at evidence.Locator, summary string) string {
	return source + "\x00" + at.String() + "\x00" + summary
}

// buildVMs gathers every VM the bundle names, with its disks and its
// evidence in time order.
func buildVMs(res *Result, disks map[string][]string) []VMTimeline {
	names := map[string]bool{}
	byVM := map[string][]*evidence.Evidence{}
	for i := range res.Evidence {
		e := &res.Evidence[i]
		if vm := e.Attrs[evidence.AttrVM]; vm != "" {
			names[vm] = true
			byVM[vm] = append(byVM[vm], e)
		}
	}
	findingsOf := map[string][]string{}
	citedBy := map[string][]string{}
	for _, f := range res.Outcome.Findings {
		for _, vm := range f.VMs {
			names[vm] = true
			if !slices.Contains(findingsOf[vm], f.Cause.ID) {
				findingsOf[vm] = append(findingsOf[vm], f.Cause.ID)
			}
		}
		for _, c := range f.Evidence {
			k := citedKey(c.Source, c.At, c.Summary)
			if !slices.Contains(citedBy[k], f.Cause.ID) {
				citedBy[k] = append(citedBy[k], f.Cause.ID)
			}
		}
	}
	vmDisks := map[string][]string{}
	for disk, vms := range disks {
		for _, vm := range vms {
			vmDisks[vm] = append(vmDisks[vm], disk)
		}
	}
	out := []VMTimeline{}
	for _, vm := range sortedKeys(names) {
		t := VMTimeline{VM: vm, Disks: nonNil(vmDisks[vm]), Findings: nonNil(findingsOf[vm]), Events: []EvidenceRef{}}
		slices.Sort(t.Disks)
		refs := make([]EvidenceRef, 0, len(byVM[vm]))
		for _, e := range byVM[vm] {
			r := EvidenceRef{Source: e.Source, Locator: e.At.String(), Kind: string(e.Kind),
				Summary: e.Summary, CitedBy: citedBy[citedKey(e.Source, e.At, e.Summary)]}
			if !e.Time.IsZero() {
				r.Time = e.Time.UTC().Format(time.RFC3339Nano)
			}
			if e.Kind == evidence.KindEvent {
				if l, err := strconv.Atoi(e.Attrs[evidence.AttrLevel]); err == nil && l >= 0 && l < 256 {
					r.Level = activityLevel(uint8(l))
				}
			}
			refs = append(refs, r)
		}
		refs = slices.CompactFunc(sortRefs(refs, refPriority), func(a, b EvidenceRef) bool {
			return a.Source == b.Source && a.Locator == b.Locator && a.Summary == b.Summary
		})
		if len(refs) > MaxVMEvents {
			t.Omitted = len(refs) - MaxVMEvents
			refs = refs[:MaxVMEvents]
		}
		t.Events = sortRefs(refs, nil)
		out = append(out, t)
	}
	return out
}

// refPriority ranks what a VM timeline keeps when it must drop items:
// cited evidence, then errors, then warnings, then the rest.
func refPriority(r *EvidenceRef) int {
	switch {
	case len(r.CitedBy) > 0:
		return 0
	case r.Level == "critical" || r.Level == "error":
		return 1
	case r.Level == "warning" || r.Kind == string(evidence.KindChainIssue):
		return 2
	}
	return 3
}

// sortRefs orders by priority (when given), then time (undated items
// last), then place.
func sortRefs(refs []EvidenceRef, priority func(*EvidenceRef) int) []EvidenceRef {
	slices.SortStableFunc(refs, func(a, b EvidenceRef) int {
		if priority != nil {
			if c := cmp.Compare(priority(&a), priority(&b)); c != 0 {
				return c
			}
		}
		if (a.Time == "") != (b.Time == "") {
			if a.Time == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(strings.Compare(a.Time, b.Time), strings.Compare(a.Source, b.Source),
			naturalCompare(a.Locator, b.Locator), strings.Compare(a.Summary, b.Summary))
	})
	return refs
}

// naturalCompare orders "record 9" before "record 10".
func naturalCompare(a, b string) int {
	ua, na, oka := splitLocator(a)
	ub, nb, okb := splitLocator(b)
	if oka && okb && ua == ub {
		return cmp.Compare(na, nb)
	}
	return strings.Compare(a, b)
}

func splitLocator(s string) (string, int64, bool) {
	unit, num, ok := strings.Cut(s, " ")
	if !ok {
		return "", 0, false
	}
	base := 10
	if hex, isHex := strings.CutPrefix(num, "0x"); isHex {
		num, base = hex, 16
	}
	n, err := strconv.ParseInt(num, base, 64)
	return unit, n, err == nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// buildViews builds the models reports render: the rebuilt chains with the
// VMs each disk belongs to, the event activity per hour, and each VM's
// disks, findings and evidence in time order.
func (r *Result) buildViews() {
	disks := diskVMs(r.Evidence)
	r.ChainView = buildChainView(r.Chains, disks)
	r.Timeline = Timeline{Activity: buildActivity(r.Activity), VMs: buildVMs(r, disks)}
}
