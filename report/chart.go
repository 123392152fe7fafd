package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The incident chart: events per time bucket, stacked by level, with the
// moments the findings cite marked above the bars. Everything is laid out
// here in Go; the template only prints numbers and escaped text.

const (
	chartWidth    = 960
	chartLeft     = 52 // room for the count labels
	chartRight    = 12
	chartPlotH    = 150
	chartAxisH    = 38
	chartMarkStep = 16
	maxChartBars  = 96    // more buckets than this and the buckets grow
	maxGapBuckets = 2     // longer runs of empty buckets are compressed
	gapUnits      = 1.6   // a compressed gap is this many bar widths
	maxBarWidth   = 120.0 // few buckets must not give absurdly fat bars
)

// bucketHours are the bucket sizes the chart may use, smallest first.
var bucketHours = []int64{1, 2, 3, 6, 12, 24, 48, 168, 336, 720, 2160, 8760}

type chartView struct {
	Width, Height int
	PlotTop       int
	PlotBottom    int
	PlotLeft      int
	PlotRight     int
	LabelX        int
	Bucket        string // "1 hour", "6 hours", "1 day"
	Bars          []chartBar
	Gaps          []chartGap
	Ticks         []chartTick
	Grid          []chartGrid
	Marks         []chartMark
	Span          string // first and last hour, for the caption
	Total         int
}

type chartBar struct {
	X, W  float64
	Title string
	Segs  []chartSeg
}

type chartSeg struct {
	Y, H  float64
	Level string
}

type chartGap struct {
	X     float64 // centre
	Y     int
	Label string
}

type chartTick struct {
	X     float64
	Line1 string
	Line2 string
}

type chartGrid struct {
	Y     float64
	Label string
}

type chartMark struct {
	X, LineTop, Y float64
	CY            float64
	Num           int
	Severity      string
	Title         string
}

type chartSlot struct {
	bucket int64 // bucket number: unix hours / bucket size
	gap    int64 // > 0: a compressed run of this many empty buckets
	counts [len(levelNames)]int
	marks  []chartMarkIn
	x, w   float64
}

type chartMarkIn struct {
	at       int64 // unix seconds, to place the mark inside its bucket
	num      int
	severity string
	title    string
	time     string
}

// buildChart lays out the chart, or returns nil when nothing in the bundle
// has a time. It runs in stages: count events per hour and place the
// findings' marks, group hours into buckets and slots (compressing long
// empty runs), give each slot its x, then draw grid, bars, marks and ticks.
func buildChart(d *Document) *chartView {
	hourly := hourlyCounts(d)
	marks := findingMarks(d)
	if len(hourly) == 0 && len(marks) == 0 {
		return nil
	}
	var hours []int64
	for h := range hourly {
		hours = append(hours, h)
	}
	for _, m := range marks {
		hours = append(hours, m.hour)
	}
	slices.Sort(hours)
	hours = slices.Compact(hours)

	size := bucketHours[len(bucketHours)-1]
	for _, b := range bucketHours {
		if distinctBuckets(hours, b) <= maxChartBars {
			size = b
			break
		}
	}
	slots, maxMarks := fillSlots(hours, size, hourly, marks)
	right := placeSlots(slots)

	v := &chartView{Width: chartWidth, Bucket: bucketLabel(size), PlotLeft: chartLeft - 4, PlotRight: int(right) + 4, LabelX: chartLeft - 8}
	v.PlotTop = 10 + maxMarks*chartMarkStep
	if maxMarks > 0 {
		v.PlotTop += 6
	}
	v.PlotBottom = v.PlotTop + chartPlotH
	v.Height = v.PlotBottom + chartAxisH
	scaleMax := v.drawGrid(slots)
	v.drawSlots(slots, size, scaleMax)
	first := time.Unix(hours[0]*3600, 0).UTC()
	last := time.Unix((hours[len(hours)-1]+1)*3600, 0).UTC()
	v.Span = first.Format("2006-01-02 15:04") + " to " + last.Format("2006-01-02 15:04") + " UTC"
	return v
}

// hourlyCounts is the bundle's event activity by hour (Unix hour) and level.
func hourlyCounts(d *Document) map[int64]*[len(levelNames)]int {
	hourly := map[int64]*[len(levelNames)]int{}
	for _, a := range d.Timeline.Activity {
		t, err := time.Parse(time.RFC3339, a.Hour)
		if err != nil {
			continue
		}
		h := t.Unix() / 3600
		if hourly[h] == nil {
			hourly[h] = &[len(levelNames)]int{}
		}
		hourly[h][min(levelRank(a.Level), len(levelNames)-1)] += a.Count
	}
	return hourly
}

// markAt is a finding's mark with the hour it falls in.
type markAt struct {
	hour int64
	m    chartMarkIn
}

// findingMarks places one mark per finding and hour at the cited evidence.
func findingMarks(d *Document) []markAt {
	var marks []markAt
	seen := map[[2]int64]bool{}
	for i, f := range d.Findings {
		for _, e := range f.Evidence {
			t, err := time.Parse(time.RFC3339Nano, e.Time)
			if e.Time == "" || err != nil {
				continue
			}
			h := t.Unix() / 3600
			if seen[[2]int64{int64(i), h}] {
				continue
			}
			seen[[2]int64{int64(i), h}] = true
			marks = append(marks, markAt{h, chartMarkIn{at: t.Unix(), num: i + 1, severity: f.Severity.String(), title: f.Title,
				time: t.UTC().Format("2006-01-02 15:04:05")}})
		}
	}
	return marks
}

// fillSlots makes one slot per bucket with data, the short empty runs
// between them as empty slots and the long ones as one compressed gap, and
// puts the counts and marks in them. It returns the slots and the most
// marks any slot holds.
func fillSlots(hours []int64, size int64, hourly map[int64]*[len(levelNames)]int, marks []markAt) ([]*chartSlot, int) {
	bucketOf := func(h int64) int64 { return floorDiv(h, size) }
	var slots []*chartSlot
	byBucket := map[int64]*chartSlot{}
	var buckets []int64
	for _, h := range hours {
		buckets = append(buckets, bucketOf(h))
	}
	buckets = slices.Compact(buckets)
	for i, b := range buckets {
		if i > 0 {
			empty := b - buckets[i-1] - 1
			if empty > maxGapBuckets {
				slots = append(slots, &chartSlot{gap: empty})
			} else {
				for k := buckets[i-1] + 1; k < b; k++ {
					slots = append(slots, &chartSlot{bucket: k})
				}
			}
		}
		s := &chartSlot{bucket: b}
		slots = append(slots, s)
		byBucket[b] = s
	}
	for h, c := range hourly {
		s := byBucket[bucketOf(h)]
		for l := range c {
			s.counts[l] += c[l]
		}
	}
	maxMarks := 0
	for _, m := range marks {
		s := byBucket[bucketOf(m.hour)]
		dup := false
		for _, x := range s.marks {
			dup = dup || x.num == m.m.num
		}
		if !dup {
			s.marks = append(s.marks, m.m)
		}
		maxMarks = max(maxMarks, len(s.marks))
	}
	return slots, maxMarks
}

// placeSlots gives each slot its x and width (a gap is gapUnits wide) and
// returns the right edge of the last one.
func placeSlots(slots []*chartSlot) float64 {
	units := 0.0
	for _, s := range slots {
		if s.gap > 0 {
			units += gapUnits
		} else {
			units++
		}
	}
	unit := min(float64(chartWidth-chartLeft-chartRight)/units, maxBarWidth)
	x := float64(chartLeft)
	for _, s := range slots {
		s.x = x
		s.w = unit
		if s.gap > 0 {
			s.w = unit * gapUnits
		}
		x += s.w
	}
	return x
}

// drawGrid adds the horizontal grid lines and the total, and returns the
// value at the top of the scale.
func (v *chartView) drawGrid(slots []*chartSlot) int {
	top := 0
	for _, s := range slots {
		top = max(top, sum(s.counts[:]))
		v.Total += sum(s.counts[:])
	}
	scaleMax := niceCeil(top)
	for _, frac := range []int{0, 2, 4} {
		val := scaleMax * frac / 4
		v.Grid = append(v.Grid, chartGrid{Y: float64(v.PlotBottom) - float64(chartPlotH)*float64(frac)/4, Label: strconv.Itoa(val)})
	}
	return scaleMax
}

// drawSlots adds each slot's bar, marks and time tick, and each gap's label.
func (v *chartView) drawSlots(slots []*chartSlot, size int64, scaleMax int) {
	lastTickX := -1000.0
	lastDay := int64(-1 << 62)
	afterGap := true
	for _, s := range slots {
		if s.gap > 0 {
			v.Gaps = append(v.Gaps, chartGap{X: s.x + s.w/2, Y: v.PlotBottom, Label: "+" + durationLabel(s.gap*size)})
			afterGap = true
			continue
		}
		start := time.Unix(s.bucket*size*3600, 0).UTC()
		if total := sum(s.counts[:]); total > 0 {
			v.Bars = append(v.Bars, v.bar(s, start, size, scaleMax))
		}
		v.drawMarks(s, size)
		day := floorDiv(s.bucket*size, 24)
		cx := s.x + s.w/2
		if afterGap || cx-lastTickX >= 78 {
			v.Ticks = append(v.Ticks, tick(cx, start, size, day != lastDay || afterGap))
			lastTickX, lastDay = cx, day
		}
		afterGap = false
	}
}

// bar stacks a slot's counts by level.
func (v *chartView) bar(s *chartSlot, start time.Time, size int64, scaleMax int) chartBar {
	bar := chartBar{X: s.x + s.w*0.14, W: s.w * 0.72, Title: barTitle(start, size, s.counts)}
	y := float64(v.PlotBottom)
	for l := 1; l < len(levelNames); l++ {
		if s.counts[l] == 0 {
			continue
		}
		h := float64(chartPlotH) * float64(s.counts[l]) / float64(scaleMax)
		y -= h
		bar.Segs = append(bar.Segs, chartSeg{Y: y, H: h, Level: levelNames[l]})
	}
	return bar
}

// drawMarks adds a slot's finding marks. A mark sits where its moment falls
// inside the bucket, so two findings in one hour still show their order.
func (v *chartView) drawMarks(s *chartSlot, size int64) {
	for j, m := range s.marks {
		within := float64(m.at-s.bucket*size*3600) / float64(size*3600)
		v.Marks = append(v.Marks, chartMark{
			X: s.x + s.w*(0.14+0.72*min(max(within, 0), 1)), LineTop: float64(v.PlotTop - 4), Y: float64(v.PlotBottom),
			CY:  float64(v.PlotTop) - 10 - float64(j*chartMarkStep),
			Num: m.num, Severity: m.severity,
			Title: fmt.Sprintf("Finding %d (%s): %s; evidence at %s UTC", m.num, m.severity, m.title, m.time),
		})
	}
}

// tick labels a slot's time; newDay adds the date under the hour.
func tick(x float64, start time.Time, size int64, newDay bool) chartTick {
	t := chartTick{X: x}
	switch {
	case size >= 24:
		t.Line1 = start.Format("2006-01-02")
	case newDay:
		t.Line1, t.Line2 = start.Format("15:04"), start.Format("2006-01-02")
	default:
		t.Line1 = start.Format("15:04")
	}
	return t
}

func distinctBuckets(hours []int64, size int64) int {
	n := 0
	prev := int64(-1 << 62)
	for _, h := range hours {
		if b := floorDiv(h, size); b != prev {
			n++
			prev = b
		}
	}
	return n
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) {
		q--
	}
	return q
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// niceCeil rounds a maximum up to four grid steps of a round size (1, 2,
// 3, 4, 5, 6 or 8 times a power of ten), so the labels stay whole numbers.
func niceCeil(n int) int {
	need := (n + 3) / 4
	if need <= 1 {
		return 4
	}
	for p := 1; p <= 1<<50; p *= 10 {
		for _, m := range []int{1, 2, 3, 4, 5, 6, 8} {
			if m*p >= need {
				return 4 * m * p
			}
		}
	}
	return 4 * need
}

func bucketLabel(h int64) string {
	switch {
	case h == 1:
		return "1 hour"
	case h%24 == 0 && h/24 == 1:
		return "1 day"
	case h%168 == 0 && h/168 == 1:
		return "1 week"
	case h%24 == 0:
		return strconv.FormatInt(h/24, 10) + " days"
	}
	return strconv.FormatInt(h, 10) + " hours"
}

// durationLabel writes a gap length compactly: "5 h", "3 d 4 h", "41 d".
func durationLabel(hours int64) string {
	d, h := hours/24, hours%24
	switch {
	case d == 0:
		return strconv.FormatInt(h, 10) + " h"
	case h == 0 || d >= 10:
		return strconv.FormatInt(d, 10) + " d"
	}
	return strconv.FormatInt(d, 10) + " d " + strconv.FormatInt(h, 10) + " h"
}

func barTitle(start time.Time, size int64, counts [len(levelNames)]int) string {
	end := start.Add(time.Duration(size) * time.Hour)
	var parts []string
	for l := 1; l < len(levelNames); l++ {
		if counts[l] > 0 {
			parts = append(parts, strconv.Itoa(counts[l])+" "+levelNames[l])
		}
	}
	return start.Format("2006-01-02 15:04") + " to " + end.Format("15:04") + " UTC: " + strings.Join(parts, ", ")
}

func formatFloat(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
