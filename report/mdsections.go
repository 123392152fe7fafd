package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxTimelineRows bounds the Markdown timeline table; longer spans are
// counted in wider buckets.
const maxTimelineRows = 48

// maxKeyMoments bounds the table of cited moments.
const maxKeyMoments = 30

// timeline writes the event counts per time bucket and the moments the
// findings cite, both in time order.
func (m *mdWriter) timeline(d *Document) {
	m.printf("## Timeline\n\n")
	type row struct {
		counts   [len(levelNames)]int
		channels map[string]bool
	}
	byHour := map[int64]*row{}
	var hours []int64
	for _, a := range d.Timeline.Activity {
		t, err := time.Parse(time.RFC3339, a.Hour)
		if err != nil {
			continue
		}
		h := t.Unix() / 3600
		if byHour[h] == nil {
			byHour[h] = &row{channels: map[string]bool{}}
			hours = append(hours, h)
		}
		byHour[h].counts[min(levelRank(a.Level), len(levelNames)-1)] += a.Count
		byHour[h].channels[a.Channel] = true
	}
	if len(hours) == 0 {
		m.printf("No event log was read, so there is no event timeline.\n\n")
	} else {
		slices.Sort(hours)
		size := bucketHours[len(bucketHours)-1]
		for _, b := range bucketHours {
			if distinctBuckets(hours, b) <= maxTimelineRows {
				size = b
				break
			}
		}
		var keys []int64
		buckets := map[int64]*row{}
		for _, h := range hours {
			k := floorDiv(h, size)
			if buckets[k] == nil {
				buckets[k] = &row{channels: map[string]bool{}}
				keys = append(keys, k)
			}
			for l := range byHour[h].counts {
				buckets[k].counts[l] += byHour[h].counts[l]
			}
			for c := range byHour[h].channels {
				buckets[k].channels[c] = true
			}
		}
		m.printf("Events per %s (UTC), by level; only periods with events are listed.\n\n", bucketLabel(size))
		rows := [][]string{}
		for _, k := range keys {
			r := buckets[k]
			start := time.Unix(k*size*3600, 0).UTC()
			cells := []string{start.Format("2006-01-02 15:04")}
			for l := 1; l < len(levelNames); l++ {
				cells = append(cells, countCell(r.counts[l]))
			}
			cells = append(cells, mdCell.Replace(strings.Join(sortedKeys(r.channels), ", ")))
			rows = append(rows, cells)
		}
		m.table([]string{"From", "Critical", "Error", "Warning", "Information", "Logs"}, rows)
	}

	type moment struct {
		time, finding string
		e             Evidence
	}
	var moments []moment
	for i, f := range d.Findings {
		for _, e := range f.Evidence {
			if e.Time != "" {
				moments = append(moments, moment{e.Time, strconv.Itoa(i+1) + ". " + f.Title, e})
			}
		}
	}
	if len(moments) == 0 {
		return
	}
	slices.SortStableFunc(moments, func(a, b moment) int {
		return cmp.Or(strings.Compare(a.time, b.time), strings.Compare(a.finding, b.finding))
	})
	m.printf("Key moments the findings cite:\n\n")
	rows := [][]string{}
	for _, x := range moments[:min(len(moments), maxKeyMoments)] {
		rows = append(rows, []string{shortTime(x.time), x.finding, mdCell.Replace(x.e.Source), x.e.Locator, mdCell.Replace(x.e.Summary)})
	}
	m.table([]string{"Time (UTC)", "Finding", "Source", "Where", "What"}, rows)
	if len(moments) > maxKeyMoments {
		m.printf("%d more cited moments are in the findings below.\n\n", len(moments)-maxKeyMoments)
	}
}

func countCell(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// vms writes each VM's chains as a text tree and its evidence in time
// order, then the chains no VM is tied to.
func (m *mdWriter) vms(d *Document) {
	m.printf("## VMs and disks\n\n")
	trees := chainTrees(&d.Chains)
	used := make([]bool, len(trees))
	num := map[string]int{}
	for i, f := range d.Findings {
		num[f.Cause] = i + 1
	}
	if len(d.Timeline.VMs) == 0 {
		m.printf("No VM is named in this bundle.\n\n")
	}
	for _, vm := range d.Timeline.VMs {
		m.printf("### VM %s\n\n", mdInline.Replace(vm.VM))
		if len(vm.Findings) > 0 {
			var refs []string
			for _, c := range vm.Findings {
				refs = append(refs, strconv.Itoa(num[c])+" (`"+c+"`)")
			}
			m.printf("Findings: %s.\n\n", strings.Join(refs, ", "))
		}
		drawn := false
		for i, t := range trees {
			if slices.Contains(t.VMs, vm.VM) {
				if !drawn {
					m.printf("Checkpoint chain (base disk first, newest checkpoint last):\n")
				}
				m.tree(t)
				used[i], drawn = true, true
			}
		}
		if !drawn {
			m.printf("No disk header of this VM is in the bundle.\n\n")
		}
		var dated, undated []EvidenceRef
		for _, e := range vm.Events {
			if e.Time == "" {
				undated = append(undated, e)
			} else {
				dated = append(dated, e)
			}
		}
		if len(dated) > 0 {
			m.printf("Timeline:\n\n")
			m.refs(dated, num)
		}
		if len(undated) > 0 {
			m.printf("Without a time (disk headers, chain links, configuration):\n\n")
			m.refs(undated, num)
		}
		if vm.Omitted > 0 {
			m.printf("%d more items left out (the least telling first).\n\n", vm.Omitted)
		}
	}
	var loose []chainTree
	for i, t := range trees {
		if !used[i] {
			loose = append(loose, t)
		}
	}
	if len(loose) > 0 {
		m.printf("### Disks not tied to a VM\n")
		for _, t := range loose {
			m.tree(t)
		}
	}
}

// tree writes a chain as an indented text tree in a code block (nothing in
// it is interpreted, so file names need no escaping), then its issues.
func (m *mdWriter) tree(t chainTree) {
	m.fenced("text", textTree(t), "")
	m.printf("\n")
	if len(t.Issues) == 0 {
		return
	}
	rows := [][]string{}
	for _, is := range t.Issues {
		rows = append(rows, []string{is.Kind + " (" + is.Severity + ")", is.Code, mdCell.Replace(is.Child), is.ChildAt, mdCell.Replace(is.Message)})
	}
	m.table([]string{"Issue", "Code", "Disk", "Where", "What"}, rows)
}

func (m *mdWriter) refs(list []EvidenceRef, num map[string]int) {
	rows := [][]string{}
	for _, e := range list {
		var cited []string
		for _, c := range e.CitedBy {
			cited = append(cited, strconv.Itoa(num[c]))
		}
		what := mdCell.Replace(e.Summary)
		if e.Level != "" {
			what = e.Level + ": " + what
		}
		rows = append(rows, []string{shortTime(e.Time), mdCell.Replace(e.Source), e.Locator, what, strings.Join(cited, ", ")})
	}
	m.table([]string{"Time (UTC)", "Source", "Where", "What", "Cited by finding"}, rows)
}
