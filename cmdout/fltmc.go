package cmdout

import (
	"regexp"
	"strconv"
	"strings"
)

// Filter is one row of `fltmc` / `fltmc filters`.
type Filter struct {
	Line      int
	Name      string
	Instances int // -1 when blank (legacy filter)
	Altitude  string
	// AltitudeValue is Altitude as a number (altitudes may be fractional);
	// -1 when it does not parse.
	AltitudeValue float64
	Frame         int // -1 when blank or <Legacy>
	Legacy        bool
}

// FilterInstance is one row of `fltmc instances`.
type FilterInstance struct {
	Line              int
	Filter            string
	Volume            string
	Altitude          string
	AltitudeValue     float64
	Instance          string
	Frame             int
	SupportedFeatures string // SprtFtrs column (newer builds)
	VolumeStatus      string // VlStatus column (newer builds)
}

var altitudeRe = regexp.MustCompile(`^\d{1,6}(?:\.\d+)?$`)

func altitude(s string) float64 {
	if !altitudeRe.MatchString(s) {
		return -1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return f
}

// classifyNativeTable recognises the fltmc and whoami tables by shape, as
// their headers are localized.
func classifyNativeTable(t *table) Kind {
	if len(t.rows) == 0 {
		switch {
		case t.has("Filter Name", "Altitude"):
			return KindFltmcFilters
		case t.has("Filter", "Altitude") && t.has("Volume Name"):
			return KindFltmcInstances
		case t.has("Privilege Name"):
			return KindWhoamiPriv
		}
		return ""
	}
	r := t.rows[0]
	cell := func(i int) string {
		if i < len(r.cells) {
			return r.cells[i]
		}
		return ""
	}
	switch {
	case len(t.cols) == 4 && minifilterAltitude(cell(2)) && intOr(cell(1), -1) >= 0:
		// Name, instance count, altitude, frame: a Get-VM table (Name,
		// State, Version, Generation) has the same shape but a state
		// where the count is.
		return KindFltmcFilters
	case len(t.cols) >= 5 && minifilterAltitude(cell(2)) && volumeNameRe.MatchString(cell(1)):
		// Filter, volume, altitude, instance, frame: other wide tables
		// (Get-PSDrive, Get-VM) have a number where the altitude is but
		// no volume before it.
		return KindFltmcInstances
	case len(t.cols) == 3 && strings.HasPrefix(cell(0), "Se") && strings.HasSuffix(cell(0), "Privilege"):
		return KindWhoamiPriv
	}
	return ""
}

// volumeNameRe matches fltmc's Volume Name column: a drive or mount path,
// a device path or a volume GUID path.
var volumeNameRe = regexp.MustCompile(`^(?:[A-Za-z]:(?:\\.*)?|\\Device\\.+|\\\\\?\\Volume\{.+)$`)

// minifilterAltitude reports whether s is an altitude Microsoft allocates
// (the load-order groups span 20000 to 429999); a count, a size or a
// version in that column is not one.
func minifilterAltitude(s string) bool {
	a := altitude(s)
	return a >= 20000 && a < 430000
}

func intOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

// driverNameRe matches a filter driver's name as fltmc prints it.
var driverNameRe = regexp.MustCompile(`^[A-Za-z0-9_.$-]+$`)

// fltmcRow says whether the cells are a row of fltmc's tables: a driver's
// name or an altitude. A row with neither is the prose pasted right below
// the table (a chat reply, a comment), not a damaged row.
func fltmcRow(cells []string) bool {
	return len(cells) > 0 && driverNameRe.MatchString(cells[0]) || len(cells) > 2 && altitude(cells[2]) >= 0
}

// endAtProse ends a native table at its first row that isn't one
// (isRow): people paste their next sentence right below a table without
// a blank line, and those lines are theirs, not the table's.
func (t *table) endAtProse(isRow func(cells []string) bool) {
	for k, r := range t.rows {
		if !isRow(r.cells) {
			t.rows, t.end = t.rows[:k], r.line-1
			return
		}
	}
}

func (d *Doc) addNativeTable(k Kind, t *table) {
	for _, r := range t.rows {
		c := func(i int) string {
			if i < len(r.cells) {
				return r.cells[i]
			}
			return ""
		}
		switch k {
		case KindFltmcFilters:
			f := Filter{Line: r.line, Name: c(0), Instances: intOr(c(1), -1), Altitude: c(2), AltitudeValue: altitude(c(2)), Frame: -1}
			if strings.EqualFold(c(3), "<Legacy>") || strings.EqualFold(c(1), "<Legacy>") {
				f.Legacy = true
			} else {
				f.Frame = intOr(c(3), -1)
			}
			if f.AltitudeValue < 0 {
				d.problem(r.line, "fltmc: filter %q has altitude %q", f.Name, f.Altitude)
			}
			d.Filters = append(d.Filters, f)
		case KindFltmcInstances:
			fi := FilterInstance{Line: r.line, Filter: c(0), Volume: c(1), Altitude: c(2), AltitudeValue: altitude(c(2)),
				Instance: c(3), Frame: intOr(c(4), -1), SupportedFeatures: c(5), VolumeStatus: c(6)}
			if fi.AltitudeValue < 0 {
				d.problem(r.line, "fltmc instances: filter %q has altitude %q", fi.Filter, fi.Altitude)
			}
			d.FilterInstances = append(d.FilterInstances, fi)
		case KindWhoamiPriv:
			d.Privileges = append(d.Privileges, Privilege{Line: r.line, Name: c(0), Description: c(1), State: c(2)})
		}
	}
}

var fltmcErrRe = regexp.MustCompile(`(?i)^\s*filter listing failed with error:?\s*(0x[0-9a-f]{8})?`)

// readFltmcError reads "Filter listing failed with error: 0x80070005" and
// the message line after it.
func readFltmcError(lines []string, i int) (ErrorRecord, int) {
	e := ErrorRecord{Line: i + 1, Command: "fltmc", Message: strings.TrimSpace(lines[i])}
	setHResult(&e, lines[i])
	j := i + 1
	if j < len(lines) && !blank(lines[j]) && !underlineRe.MatchString(lines[j]) && !isTableHead(lines, j) {
		e.Message += " " + strings.TrimSpace(lines[j])
		j++
	}
	return e, j
}

// AltitudeBand is a range of minifilter altitudes Microsoft allocates to
// one purpose.
type AltitudeBand struct {
	Name      string
	Low, High float64
}

// AltitudeBands are Microsoft's load-order groups for minifilters.
var AltitudeBands = []AltitudeBand{
	{"Filter", 420000, 429999},
	{"Top", 400000, 409999},
	{"Activity Monitor", 360000, 389999},
	{"Undelete", 340000, 349999},
	{"Anti-Virus", 320000, 329998},
	{"Replication", 300000, 309998},
	{"Continuous Backup", 280000, 289999},
	{"Content Screener", 260000, 269998},
	{"Quota Management", 240000, 249999},
	{"System Recovery", 220000, 229999},
	{"Cluster File System", 200000, 209999},
	{"HSM", 180000, 189999},
	{"Imaging", 170000, 174999},
	{"Compression", 160000, 169999},
	{"Encryption", 140000, 149999},
	{"Virtualization", 130000, 139999},
	{"Physical Quota Management", 120000, 129999},
	{"Open File", 100000, 109999},
	{"Security Enhancer", 80000, 89999},
	{"Copy Protection", 60000, 69999},
	{"Bottom", 40000, 49999},
}

// BandOf returns the load-order group holding altitude a, or "" when a
// falls between groups. Fractional altitudes belong to their integer's band.
func BandOf(a float64) string {
	for _, b := range AltitudeBands {
		if a >= b.Low && a < b.High+1 {
			return b.Name
		}
	}
	return ""
}

// Privilege is one row of `whoami /priv`.
type Privilege struct {
	Line        int
	Name        string
	Description string // localized
	State       string // Enabled/Disabled, localized
}
