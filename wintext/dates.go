// Package wintext holds the conventions of text that Windows prints, shared
// by the readers of command outputs (cmdout) and of event exports (evtx):
// culture-formatted dates and the day/month order of a whole text, and the
// identifiers Windows prints in many styles (GUIDs, per-VM SIDs).
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
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	// A hand scan for "a/b/yyyy": a regexp over a whole bundle file costs
	// more than all the parsing.
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '/')
		if k < 0 {
			break
		}
		s := i + k // first slash
		i = s + 1
		a0 := s
		for a0 > 0 && s-a0 < 3 && isDigit(text[a0-1]) {
			a0--
		}
		if n := s - a0; n < 1 || n > 2 || (a0 > 0 && isDigit(text[a0-1])) {
			continue
		}
		b1 := s + 1
		for b1 < len(text) && b1-s-1 < 3 && isDigit(text[b1]) {
			b1++
		}
		if n := b1 - s - 1; n < 1 || n > 2 || b1+5 > len(text) || text[b1] != '/' {
			continue
		}
		y := text[b1+1 : b1+5]
		if !isDigit(y[0]) || !isDigit(y[1]) || !isDigit(y[2]) || !isDigit(y[3]) || (b1+5 < len(text) && isDigit(text[b1+5])) {
			continue
		}
		a, _ := strconv.Atoi(text[a0:s])
		b, _ := strconv.Atoi(text[s+1 : b1])
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
	var y, mo, d, h, mi, se, ns int
	loc := time.UTC
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	switch {
	case isoTimeRe.MatchString(s):
		m := isoTimeRe.FindStringSubmatch(s)
		y, mo, d, h, mi, se = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6])
		if m[7] != "" {
			frac := (m[7] + "000000000")[:9]
			ns = atoi(frac)
		}
		if z := m[8]; z != "" && z != "Z" {
			z = strings.ReplaceAll(z, ":", "")
			off := atoi(z[1:3])*3600 + atoi(z[3:5])*60
			if z[0] == '-' {
				off = -off
			}
			loc = time.FixedZone(z, off)
		}
	case ymdSlashRe.MatchString(s):
		m := ymdSlashRe.FindStringSubmatch(s)
		y, mo, d, h, mi, se = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6])
	case dmyDotRe.MatchString(s):
		m := dmyDotRe.FindStringSubmatch(s)
		d, mo, y, h, mi, se = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6])
	case slashTimeRe.MatchString(s):
		m := slashTimeRe.FindStringSubmatch(s)
		a, b := atoi(m[1]), atoi(m[2])
		y = atoi(m[3])
		ampm := strings.ToUpper(m[7])
		if ampm != "" {
			h, mi, se = atoi(m[4]), atoi(m[5]), atoi(m[6])
			if h < 1 || h > 12 {
				return ts, fmt.Sprintf("time %q: hour %d with AM/PM", raw, h)
			}
			if ampm == "P" && h != 12 {
				h += 12
			} else if ampm == "A" && h == 12 {
				h = 0
			}
		} else {
			h, mi, se = atoi(m[8]), atoi(m[9]), atoi(m[10])
		}
		switch {
		case a > 12 && b <= 12:
			d, mo = a, b
		case b > 12 && a <= 12:
			mo, d = a, b
		case ampm != "" && order != DayFirst:
			mo, d = a, b // en-US is the culture that pairs d/d/yyyy with AM/PM
		case order == MonthFirst:
			mo, d = a, b
		case order == DayFirst:
			d, mo = a, b
		default:
			ts.Ambiguous = true
			return ts, fmt.Sprintf("time %q: day and month order is ambiguous", raw)
		}
	case cutValue(s):
		return ts, fmt.Sprintf("time %q: cut short by the output width", raw)
	default:
		return ts, fmt.Sprintf("time %q: unrecognised date format", raw)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, ns, loc)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d || t.Hour() != h || t.Minute() != mi || t.Second() != se {
		return ts, fmt.Sprintf("time %q: field out of range", raw)
	}
	ts.Time = t
	return ts, ""
}

// cutValue reports whether a value was cut by a table column and ends in
// "..." (a time cannot be read from it).
func cutValue(s string) bool {
	s = strings.TrimSuffix(s, "}")
	return strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…")
}
