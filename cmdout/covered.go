package cmdout

// Span is a run of lines, 1-based and inclusive.
type Span struct{ First, Last int }

// AddSpan records that lines [first, last] were read into records: spans
// stay sorted and adjacent or overlapping ones merge.
func AddSpan(spans []Span, first, last int) []Span {
	if last < first {
		return spans
	}
	if n := len(spans); n > 0 && first <= spans[n-1].Last+1 && first >= spans[n-1].First {
		spans[n-1].Last = max(spans[n-1].Last, last)
		return spans
	}
	return append(spans, Span{first, last})
}

// records counts what the parse produced so far: a section that adds to
// it read its lines. Errors kept aside for icacls are counted when icacls
// output turns out to be there (see Parse).
func (d *Doc) records() int {
	return len(d.Kinds) + len(d.NoItems) + len(d.Writers) + len(d.Providers) + len(d.Shadows) + len(d.ShadowStorage) +
		len(d.VHDs) + len(d.Chain) + len(d.Snapshots) + len(d.VMs) + len(d.HardDrives) +
		len(d.Filters) + len(d.FilterInstances) + len(d.Privileges) + len(d.Rights) + len(d.ACLs) + len(d.IcaclsSummaries) +
		len(d.Handles) + len(d.Files) + len(d.FreeSpace) + len(d.BasicInfo) + len(d.Hosts) +
		len(d.Records) +
		len(d.Errors) + len(d.Problems)
}

// cover records lines[i:next] as read when the section that ended there
// produced records (before is records() from before it). The trailing
// blank lines a parser stepped over are left out.
func (d *Doc) cover(lines []string, i, next, before int) {
	if d.records() == before {
		return
	}
	last := min(next, len(lines))
	for last > i+1 && blank(lines[last-1]) {
		last--
	}
	d.Covered = AddSpan(d.Covered, i+1, last)
}

// coverIcaclsErrors adds the lines of icacls error records, which count
// only once the text proved to hold icacls output.
func (d *Doc) coverIcaclsErrors() {
	for _, e := range d.icaclsErrors {
		d.Covered = AddSpan(d.Covered, e.Line, e.Line)
	}
	d.sortCovered()
}

// sortCovered restores the order of Covered after out-of-order additions.
func (d *Doc) sortCovered() {
	spans := d.Covered
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].First < spans[j-1].First; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.First <= out[n-1].Last+1 {
			out[n-1].Last = max(out[n-1].Last, s.Last)
			continue
		}
		out = append(out, s)
	}
	d.Covered = out
}
