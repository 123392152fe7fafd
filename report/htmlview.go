package report

import (
	"strconv"
	"strings"

	"github.com/hvtriage/hvtriage/rules"
)

// htmlView is what the HTML template renders: the Document plus the
// layouts (chart, chain drawings, per-VM groups) computed from it.
type htmlView struct {
	*Document
	Top      []numbered // the findings the verdict names
	Affected []vmLink   // VMs the findings name
	Steps    []Step
	Numbered []numbered
	Chart    *chartView
	VMs      []vmView
	Loose    []treeSVG // chains of disks not tied to any VM
	Problems int       // inventory files with problems
}

type numbered struct {
	Num int
	Finding
}

type vmLink struct {
	Name, Anchor string
}

type vmView struct {
	Anchor   string
	Name     string
	Findings []numbered
	Trees    []treeSVG
	Disks    []string
	Drawn    int        // disk files in the VM's chain drawings
	Items    int        // evidence items shown, dated and undated
	Events   []eventRow // dated, in time order
	Undated  []eventRow // disk headers, chain links, configuration lines
	Omitted  int
}

// cutEnd shortens a sentence at its end.
func cutEnd(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

type eventRow struct {
	EvidenceRef
	Cited []numbered
}

// treeSVG is one chainTree laid out for drawing.
type treeSVG struct {
	Width, Height int
	Boxes         []treeBox
	Edges         []treeEdge
	Issues        []ChainIssue
	Text          string // the same tree as text, for the accessible description
}

type treeBox struct {
	X, Y       int
	W, H       int
	Class      string
	Name       string
	Full       string
	Line2      string
	Line3      string
	Badges     []treeBadge
	LinkX      int
	LinkStatus string
	LinkLine1  string
	LinkLine2  string
	LinkTitle  string
}

type treeBadge struct {
	X     int
	W     int
	Text  string
	Class string
}

type treeEdge struct {
	D      string
	Status string
	// MX, MY place the warning dot on broken links.
	MX, MY int
	Broken bool
}

// Tree geometry, in SVG user units (pixels at 100 %).
const (
	treeBoxW     = 318
	treeBoxH     = 54
	treeRowH     = 70
	treeIndent   = 30
	treeMargin   = 8
	treeNameMax  = 40 // characters of a file name before it is shortened
	treeLabelMax = 86 // characters of a link reason on the drawing
	treeCharW    = 6.4
)

func buildHTMLView(d *Document) *htmlView {
	v := &htmlView{Document: d, Chart: buildChart(d)}
	num := map[string]int{}
	for i, f := range d.Findings {
		n := numbered{Num: i + 1, Finding: f}
		v.Numbered = append(v.Numbered, n)
		num[f.Cause] = i + 1
		// The verdict names the decided causes; when none is decided, the
		// most likely one.
		if i == 0 || (f.Confidence >= rules.DecidedThreshold && len(v.Top) < 3) {
			v.Top = append(v.Top, n)
		}
	}
	v.Steps = firstSteps(d, 3)
	if d.Verdict.Inconclusive() && len(d.Findings) == 0 {
		v.Steps = collectSteps(d, maxCollect)
	}
	for _, f := range d.Inventory {
		if len(f.Problems) > 0 {
			v.Problems++
		}
	}

	anchors := map[string]string{}
	for i, t := range d.Timeline.VMs {
		anchors[t.VM] = "vm-" + strconv.Itoa(i+1)
	}
	seen := map[string]bool{}
	for _, f := range d.Findings {
		for _, vm := range f.VMs {
			if !seen[vm] {
				seen[vm] = true
				v.Affected = append(v.Affected, vmLink{Name: vm, Anchor: anchors[vm]})
			}
		}
	}

	trees := chainTrees(&d.Chains)
	used := make([]bool, len(trees))
	for _, t := range d.Timeline.VMs {
		vm := vmView{Anchor: anchors[t.VM], Name: t.VM, Disks: t.Disks, Omitted: t.Omitted}
		for _, c := range t.Findings {
			if n, ok := num[c]; ok {
				vm.Findings = append(vm.Findings, v.Numbered[n-1])
			}
		}
		for i, tr := range trees {
			for _, owner := range tr.VMs {
				if owner == t.VM {
					vm.Trees = append(vm.Trees, layoutTree(tr))
					for _, r := range tr.Rows {
						if r.Node != nil && !r.Cycle {
							vm.Drawn++
						}
					}
					used[i] = true
					break
				}
			}
		}
		for _, e := range t.Events {
			row := eventRow{EvidenceRef: e}
			for _, c := range e.CitedBy {
				if n, ok := num[c]; ok {
					row.Cited = append(row.Cited, v.Numbered[n-1])
				}
			}
			if e.Time == "" {
				vm.Undated = append(vm.Undated, row)
			} else {
				vm.Events = append(vm.Events, row)
			}
		}
		vm.Items = len(vm.Events) + len(vm.Undated)
		v.VMs = append(v.VMs, vm)
	}
	for i, tr := range trees {
		if !used[i] {
			v.Loose = append(v.Loose, layoutTree(tr))
		}
	}
	return v
}

// layoutTree places a chainTree: one row per disk, children indented under
// their parent, the link's verdict written to the right of each child.
func layoutTree(t chainTree) treeSVG {
	out := treeSVG{Issues: t.Issues, Text: textTree(t)}
	parentRow := make([]int, len(t.Rows))
	last := map[int]int{} // depth → latest row at that depth
	width := 0
	for i, r := range t.Rows {
		parentRow[i] = -1
		if p, ok := last[r.Depth-1]; ok && r.Depth > 0 {
			parentRow[i] = p
		}
		last[r.Depth] = i
		b := treeBox{
			X: treeMargin + r.Depth*treeIndent, Y: treeMargin + i*treeRowH,
			W: treeBoxW, H: treeBoxH, Class: "disk",
		}
		if r.Node == nil {
			b.Class = "disk missing"
			b.Name = shorten(oneLine(baseOf(r.Missing)), treeNameMax)
			b.Full = "Parent not in the bundle: " + oneLine(r.Missing)
			b.Line2 = "parent not found in the bundle"
			b.Line3 = "recorded path: " + shorten(oneLine(r.Missing), 38)
		} else {
			n := r.Node
			b.Name = shorten(oneLine(baseOf(n.Path)), treeNameMax)
			b.Full = oneLine(n.Path)
			if n.HostPath != "" {
				b.Full += " (host: " + oneLine(n.HostPath) + ")"
			}
			parts := []string{n.Format, n.Type}
			if n.VirtualSize > 0 {
				parts = append(parts, bytesIEC(n.VirtualSize))
			}
			b.Line2 = strings.Join(parts, " · ")
			if n.ID != "" {
				b.Line3 = "ID " + shortID(n.ID)
				b.Full += "; ID " + n.ID
			}
			if n.Referenced {
				b.Line3 = strings.TrimPrefix(b.Line3+" · used by a VM or checkpoint", " · ")
			}
			switch {
			case n.Corrupt:
				b.Class = "disk corrupt"
			case n.Orphan:
				b.Class = "disk orphan"
			}
			bx := b.X + b.W - 8
			for _, f := range nodeFlags(n, r.Cycle) {
				w := int(float64(len(f))*7.0) + 12
				bx -= w
				cls := "badge"
				if f == "ORPHAN" {
					cls += " badge-orphan"
				} else if f == "CORRUPT" || f == "CYCLE" {
					cls += " badge-bad"
				}
				b.Badges = append(b.Badges, treeBadge{X: bx, W: w, Text: f, Class: cls})
				bx -= 4
			}
		}
		if l := r.Link; l != nil {
			b.LinkStatus = l.Status
			b.LinkX = b.X + b.W + 14
			b.LinkLine1 = "link " + l.Status
			if l.Status == "broken" {
				b.LinkLine1 = "BROKEN link"
			}
			if l.Code != "" {
				b.LinkLine1 += " · " + l.Code
			}
			if l.MatchedBy != "" && l.Status == "ok" {
				b.LinkLine1 += " · matched by " + l.MatchedBy
			}
			if l.Status != "ok" {
				b.LinkLine2 = cutEnd(oneLine(l.Reason), treeLabelMax)
			}
			b.LinkTitle = oneLine(linkNote(l))
			// The status line is bold and larger than the reason below it.
			width = max(width, b.LinkX+int(float64(len([]rune(b.LinkLine1)))*7.4), b.LinkX+int(float64(len([]rune(b.LinkLine2)))*treeCharW))
		}
		width = max(width, b.X+b.W)
		out.Boxes = append(out.Boxes, b)
	}
	for i, r := range t.Rows {
		p := parentRow[i]
		if p < 0 || r.Link == nil {
			continue
		}
		pb, cb := out.Boxes[p], out.Boxes[i]
		sx, sy := pb.X+14, pb.Y+pb.H
		cy := cb.Y + cb.H/2
		e := treeEdge{D: "M" + strconv.Itoa(sx) + " " + strconv.Itoa(sy) + " V" + strconv.Itoa(cy) + " H" + strconv.Itoa(cb.X),
			Status: r.Link.Status, Broken: r.Link.Status == "broken"}
		e.MX, e.MY = sx, (sy+cy)/2
		out.Edges = append(out.Edges, e)
	}
	out.Width = width + treeMargin
	out.Height = treeMargin*2 + len(t.Rows)*treeRowH - (treeRowH - treeBoxH)
	return out
}

// shorten cuts a label in the middle, keeping its start and its end (a
// checkpoint's GUID suffix and extension tell disks apart).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) * 3 / 5
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}
