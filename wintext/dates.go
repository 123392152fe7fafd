// Package wintext holds the conventions of text that Windows prints, shared
// by the readers of command outputs (cmdout) and of event exports (evtx):
// the encodings it is written in (Decode, DecodeHead, Transcode, and Reader
// for streams), its lines (Lines, HeadLines), culture-formatted dates and
// the day/month order of a whole text, and the identifiers Windows prints
// in many styles (GUIDs, per-VM SIDs).
package wintext

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Timestamp is a culture-formatted time as printed, plus its parsed value.
// Text output carries the host's wall-clock time without a zone, so Time is
// expressed in UTC with the printed wall-clock fields; only ISO forms with
// an offset carry a real zone.
type Timestamp struct {
	Raw string
	// Time is zero when Raw is empty, not a recognised format, or when the
	// day/month order cannot be told (Ambiguous).
	Time      time.Time
	Ambiguous bool
}

// DateOrder says how to read d/d/yyyy dates whose value does not decide.
type DateOrder int

// Date orders.
const (
	OrderUnknown DateOrder = iota
	MonthFirst
	DayFirst
)

var (
	isoTimeRe   = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$`)
	ymdSlashRe  = regexp.MustCompile(`^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
	dmyDotRe    = regexp.MustCompile(`^(\d{1,2})[.-](\d{1,2})[.-](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
	slashTimeRe = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?\s?[Mm]\.?)?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
)

// InferDateOrder looks at every d/d/yyyy date in text: a first number above
// 12 proves day-first, a second number above 12 proves month-first. It
// returns OrderUnknown when nothing decides or the evidence conflicts.
func InferDateOrder(text string) DateOrder {
	dayFirst, monthFirst := false, false
	// A hand scan for "a/b/yyyy": a regexp over a whole bundle file costs
	// more than all the parsing.
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '/')
		if k < 0 {
			break
		}
		s := i + k // first slash
		i = s + 1
		a, b, ok := slashDate(text, s)
		if !ok {
			continue
		}
		if a > 12 && b <= 12 {
			dayFirst = true
		}
		if b > 12 && a <= 12 {
			monthFirst = true
		}
	}
	switch {
	case dayFirst && !monthFirst:
		return DayFirst
	case monthFirst && !dayFirst:
		return MonthFirst
	}
	return OrderUnknown
}

// slashDate reads the numbers of a date "a/b/yyyy" whose first slash is at
// text[s]: one or two digits each side of it, then a slash and four digits,
// with no digit before or after the date.
func slashDate(text string, s int) (a, b int, ok bool) {
	a0 := s
	for a0 > 0 && s-a0 < 3 && isDigit(text[a0-1]) {
		a0--
	}
	if n := s - a0; n < 1 || n > 2 || (a0 > 0 && isDigit(text[a0-1])) {
		return 0, 0, false
	}
	b1 := s + 1
	for b1 < len(text) && b1-s-1 < 3 && isDigit(text[b1]) {
		b1++
	}
	if n := b1 - s - 1; n < 1 || n > 2 || b1+5 > len(text) || text[b1] != '/' {
		return 0, 0, false
	}
	y := text[b1+1 : b1+5]
	if !isDigit(y[0]) || !isDigit(y[1]) || !isDigit(y[2]) || !isDigit(y[3]) || (b1+5 < len(text) && isDigit(text[b1+5])) {
		return 0, 0, false
	}
	a, _ = strconv.Atoi(text[a0:s])
	b, _ = strconv.Atoi(text[s+1 : b1])
	return a, b, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ParseTimestamp parses the date/time forms Windows prints: en-US
// "M/d/yyyy h:mm:ss tt", "dd.MM.yyyy HH:mm:ss", "d-M-yyyy HH:mm:ss",
// "yyyy/MM/dd H:mm:ss", ISO 8601 (with optional fraction and offset), and
// "dd/MM/yyyy HH:mm:ss". For d/d/yyyy the value decides when a number is
// above 12; otherwise an AM/PM marker means en-US month-first, and a 24-hour
// time uses order. When nothing decides, Ambiguous is set, Time stays zero
// and the returned message says why. The message is also set when raw is
// not empty and not a recognised format.
func ParseTimestamp(raw string, order DateOrder) (Timestamp, string) {
	ts := Timestamp{Raw: raw}
	s := strings.TrimSpace(raw)
	if s == "" {
		return ts, ""
	}
	form, m := matchTimestamp(s)
	switch {
	case form == nil && cutValue(s):
		return ts, fmt.Sprintf("time %q: cut short by the output width", raw)
	case form == nil:
		return ts, fmt.Sprintf("time %q: unrecognised date format", raw)
	}
	c, why := form.read(m, order)
	if why != "" {
		ts.Ambiguous = why == whyAmbiguous
		return ts, fmt.Sprintf("time %q: %s", raw, why)
	}
	t := time.Date(c.y, time.Month(c.mo), c.d, c.h, c.mi, c.se, c.ns, c.loc)
	if t.Year() != c.y || int(t.Month()) != c.mo || t.Day() != c.d || t.Hour() != c.h || t.Minute() != c.mi || t.Second() != c.se {
		return ts, fmt.Sprintf("time %q: field out of range", raw)
	}
	ts.Time = t
	return ts, ""
}

// clock holds the fields of a printed date and time, not yet checked.
type clock struct {
	y, mo, d, h, mi, se, ns int
	loc                     *time.Location
}

// timestampForm is one printed form of a time: its pattern, and how the
// submatches become a clock, or why they cannot.
type timestampForm struct {
	re   *regexp.Regexp
	read func(m []string, order DateOrder) (c clock, why string)
}

// timestampForms are the forms ParseTimestamp knows, tried in this order.
var timestampForms = []timestampForm{
	{isoTimeRe, isoClock},
	{ymdSlashRe, func(m []string, _ DateOrder) (clock, string) {
		return clock{y: atoi(m[1]), mo: atoi(m[2]), d: atoi(m[3]), h: atoi(m[4]), mi: atoi(m[5]), se: atoi(m[6]), loc: time.UTC}, ""
	}},
	{dmyDotRe, func(m []string, _ DateOrder) (clock, string) {
		return clock{d: atoi(m[1]), mo: atoi(m[2]), y: atoi(m[3]), h: atoi(m[4]), mi: atoi(m[5]), se: atoi(m[6]), loc: time.UTC}, ""
	}},
	{slashTimeRe, slashClock},
}

// whyAmbiguous is the reason slashClock gives when nothing tells the day
// from the month.
const whyAmbiguous = "day and month order is ambiguous"

// matchTimestamp returns the first form s matches, with its submatches.
func matchTimestamp(s string) (*timestampForm, []string) {
	for i := range timestampForms {
		if m := timestampForms[i].re.FindStringSubmatch(s); m != nil {
			return &timestampForms[i], m
		}
	}
	return nil, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// isoClock reads ISO 8601: a fraction of up to nine digits, and an offset
// that becomes the time's zone (UTC without one).
func isoClock(m []string, _ DateOrder) (clock, string) {
	c := clock{y: atoi(m[1]), mo: atoi(m[2]), d: atoi(m[3]), h: atoi(m[4]), mi: atoi(m[5]), se: atoi(m[6]), loc: time.UTC}
	if m[7] != "" {
		c.ns = atoi((m[7] + "000000000")[:9])
	}
	if z := m[8]; z != "" && z != "Z" {
		z = strings.ReplaceAll(z, ":", "")
		off := atoi(z[1:3])*3600 + atoi(z[3:5])*60
		if z[0] == '-' {
			off = -off
		}
		c.loc = time.FixedZone(z, off)
	}
	return c, ""
}

// slashClock reads d/d/yyyy with a 12-hour (AM/PM) or 24-hour time. A
// number above 12 tells the day; otherwise an AM/PM marker means en-US,
// the culture that pairs d/d/yyyy with AM/PM, month first; otherwise order
// decides.
func slashClock(m []string, order DateOrder) (clock, string) {
	c := clock{y: atoi(m[3]), loc: time.UTC}
	a, b := atoi(m[1]), atoi(m[2])
	ampm := strings.ToUpper(m[7])
	if ampm != "" {
		c.h, c.mi, c.se = atoi(m[4]), atoi(m[5]), atoi(m[6])
		if c.h < 1 || c.h > 12 {
			return c, fmt.Sprintf("hour %d with AM/PM", c.h)
		}
		if ampm == "P" && c.h != 12 {
			c.h += 12
		} else if ampm == "A" && c.h == 12 {
			c.h = 0
		}
	} else {
		c.h, c.mi, c.se = atoi(m[8]), atoi(m[9]), atoi(m[10])
	}
	switch {
	case a > 12 && b <= 12:
		c.d, c.mo = a, b
	case b > 12 && a <= 12:
		c.mo, c.d = a, b
	case ampm != "" && order != DayFirst:
		c.mo, c.d = a, b
	case order == MonthFirst:
		c.mo, c.d = a, b
	case order == DayFirst:
		c.d, c.mo = a, b
	default:
		return c, whyAmbiguous
	}
	return c, ""
}

// cutValue reports whether a value was cut by a table column and ends in
// "..." (a time cannot be read from it).
func cutValue(s string) bool {
	s = strings.TrimSuffix(s, "}")
	return strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…")
}
