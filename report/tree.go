package report

import (
	"slices"
	"strings"
)

// chainTree is one connected group of disks: every disk reachable from
// another through child→parent links, laid out as a tree from the base
// disks (or the missing parents) down to the newest checkpoints.
type chainTree struct {
	Rows []treeRow // depth-first, parents before children
	VMs  []string  // the VMs owning any disk of the group
	// Issues are the chain issues of the group's disks, for the table
	// under the drawing.
	Issues []ChainIssue
}

// treeRow is one disk (or missing parent) in a chainTree.
type treeRow struct {
	Depth int
	Node  *ChainNode // nil for a parent that is not in the bundle
	// Missing is the recorded path of a parent that is not in the bundle.
	Missing string
	// Link is the row's link to its parent row; nil for a root.
	Link *ChainLink
	// Cycle marks a disk reached again through a cycle of links.
	Cycle bool
}

// chainTrees groups the disks of a Chains into trees. Groups are ordered
// by their first disk path; inside a group, children by path.
func chainTrees(c *Chains) []chainTree {
	index := map[string]int{}
	for i := range c.Nodes {
		index[c.Nodes[i].Path] = i
	}
	// Union-find over disks joined by a resolved link.
	group := make([]int, len(c.Nodes))
	for i := range group {
		group[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for group[i] != i {
			group[i] = group[group[i]]
			i = group[i]
		}
		return i
	}
	linkOf := map[string]*ChainLink{}
	children := map[string][]string{}
	for i := range c.Links {
		l := &c.Links[i]
		linkOf[l.Child] = l
		ci, okc := index[l.Child]
		pi, okp := index[l.Parent]
		if okc && okp && l.Parent != "" {
			group[find(ci)] = find(pi)
			children[l.Parent] = append(children[l.Parent], l.Child)
		}
	}
	for k := range children {
		slices.Sort(children[k])
	}
	members := map[int][]int{}
	var roots []int
	for i := range c.Nodes {
		r := find(i)
		if _, seen := members[r]; !seen {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}

	var out []chainTree
	for _, r := range roots {
		t := chainTree{}
		vms := map[string]bool{}
		visited := map[string]bool{}
		var walk func(p string, depth int, l *ChainLink)
		walk = func(p string, depth int, l *ChainLink) {
			n := &c.Nodes[index[p]]
			if visited[p] {
				t.Rows = append(t.Rows, treeRow{Depth: depth, Node: n, Link: l, Cycle: true})
				return
			}
			visited[p] = true
			t.Rows = append(t.Rows, treeRow{Depth: depth, Node: n, Link: l})
			for _, ch := range children[p] {
				walk(ch, depth+1, linkOf[ch])
			}
		}
		// Roots: disks with no resolved parent. A disk whose parent was
		// not found hangs under a row for that missing parent.
		for _, i := range members[r] {
			n := &c.Nodes[i]
			for _, vm := range n.VMs {
				vms[vm] = true
			}
			l := linkOf[n.Path]
			if l != nil && l.Parent != "" {
				if _, ok := index[l.Parent]; ok {
					continue
				}
			}
			if l != nil {
				t.Rows = append(t.Rows, treeRow{Depth: 0, Missing: l.ParentPath})
				walk(n.Path, 1, l)
			} else {
				walk(n.Path, 0, nil)
			}
		}
		// Disks on a cycle have no root: start from the first unvisited.
		for _, i := range members[r] {
			if p := c.Nodes[i].Path; !visited[p] {
				walk(p, 0, nil)
			}
		}
		t.VMs = sortedKeys(vms)
		for _, is := range c.Issues {
			if _, ok := index[is.Child]; ok && find(index[is.Child]) == r {
				t.Issues = append(t.Issues, is)
			}
		}
		out = append(out, t)
	}
	return out
}

// textTree draws a chainTree with box-drawing characters, one disk per
// line, for Markdown and plain text.
func textTree(t chainTree) string {
	var b strings.Builder
	// open[d] says whether depth d still has siblings to come, which
	// decides between "│" and blank in the indentation.
	var open []bool
	for i, r := range t.Rows {
		if r.Depth > 0 {
			for d := 1; d < r.Depth; d++ {
				if d < len(open) && open[d] {
					b.WriteString("│   ")
				} else {
					b.WriteString("    ")
				}
			}
			last := !hasSibling(t.Rows, i)
			if last {
				b.WriteString("└── ")
			} else {
				b.WriteString("├── ")
			}
			for len(open) <= r.Depth {
				open = append(open, false)
			}
			open[r.Depth] = !last
		}
		b.WriteString(oneLine(rowLabel(r)))
		if s := linkNote(r.Link); s != "" {
			b.WriteString("  ← " + oneLine(s))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// hasSibling reports whether a later row has the same depth before a
// shallower one ends the parent.
func hasSibling(rows []treeRow, i int) bool {
	for _, r := range rows[i+1:] {
		if r.Depth < rows[i].Depth {
			return false
		}
		if r.Depth == rows[i].Depth {
			return true
		}
	}
	return false
}

func rowLabel(r treeRow) string {
	if r.Node == nil {
		return "MISSING PARENT " + baseOf(r.Missing) + " (not in the bundle)"
	}
	n := r.Node
	parts := []string{n.Format + " " + n.Type}
	if n.VirtualSize > 0 {
		parts = append(parts, bytesIEC(n.VirtualSize))
	}
	if n.ID != "" {
		parts = append(parts, "id "+shortID(n.ID))
	}
	parts = append(parts, nodeFlags(n, r.Cycle)...)
	return baseOf(n.Path) + " [" + strings.Join(parts, ", ") + "]"
}

func nodeFlags(n *ChainNode, cycle bool) []string {
	var f []string
	if n.Orphan {
		f = append(f, "ORPHAN")
	}
	if n.Corrupt {
		f = append(f, "CORRUPT")
	}
	if n.Truncated {
		f = append(f, "truncated copy")
	}
	if n.Dirty {
		f = append(f, "log not replayed")
	}
	if cycle {
		f = append(f, "CYCLE")
	}
	return f
}

// linkNote says how a row's link to its parent stands.
func linkNote(l *ChainLink) string {
	if l == nil {
		return ""
	}
	s := "link " + strings.ToUpper(l.Status)
	if l.Status == "ok" {
		s = "link ok"
	}
	if l.Code != "" {
		s += " " + l.Code
	}
	if l.Reason != "" && l.Status != "ok" {
		s += ": " + l.Reason
	}
	return s
}

// shortID keeps the first block of a GUID, enough to tell disks apart on
// screen; the full ID is in the JSON report and the tooltip.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i] + "…"
	}
	return id
}

// oneLine folds line breaks and tabs so bundle text cannot break a line
// of a tree or a label.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}

func bytesIEC(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == float64(int64(v)) || u == 0 {
		return formatFloat(v, 0) + " " + units[u]
	}
	return formatFloat(v, 1) + " " + units[u]
}
