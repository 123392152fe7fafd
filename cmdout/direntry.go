package cmdout

import "strings"

// dirEntry is one dir row split as dirEntryRe splits it: date, time, size
// or <TYPE>, name.
type dirEntry struct {
	date, time, size, name string
}

// parseDirEntry is dirEntryRe.FindStringSubmatch by hand (the expression
// backtracks on every row of a listing): ok false exactly when the
// expression does not match, and the same four groups when it does
// (direntry_test.go checks both over the test data, edge cases and random
// rows).
func parseDirEntry(l string) (e dirEntry, ok bool) {
	if strings.IndexByte(l, '\n') >= 0 {
		// Split lines hold no line feed; one in white space is the
		// expression's business.
		m := dirEntryRe.FindStringSubmatch(l)
		if m == nil {
			return e, false
		}
		return dirEntry{m[1], m[2], m[3], m[4]}, true
	}
	p, ok := dirDate(l)
	if !ok {
		return e, false
	}
	e.date = l[:p]
	q := spaceRun(l, p)
	if q == p {
		return e, false
	}
	end, ok := dirTime(l, q)
	if !ok {
		return e, false
	}
	e.time = l[q:end]
	p = spaceRun(l, end)
	if p == end {
		return e, false
	}
	e.size, e.name, ok = dirSizeName(l, p)
	return e, ok
}

// dirDate is the end of the date at the start of l: 1–4, 1–2 and 1–4
// digits with . / or - between them.
func dirDate(l string) (int, bool) {
	p := 0
	for k, most := range [3]int{4, 2, 4} {
		n := digitRun(l, p)
		if n == 0 || n > most {
			return 0, false
		}
		p += n
		if k < 2 {
			if p == len(l) || l[p] != '.' && l[p] != '/' && l[p] != '-' {
				return 0, false
			}
			p++
		}
	}
	return p, true
}

// dirTime is the end of the time at q: h:mm, optional :ss, optional " AM"
// (one optional space, dots).
func dirTime(l string, q int) (int, bool) {
	n := digitRun(l, q)
	if n == 0 || n > 2 || q+n == len(l) || l[q+n] != ':' || digitRun(l, q+n+1) < 2 {
		return 0, false
	}
	q += n + 3
	if q < len(l) && l[q] == ':' && digitRun(l, q+1) >= 2 {
		q += 3
	}
	return q + ampm(l, q), true
}

// dirSizeName reads the size or <TYPE> at p, then white space and a name.
func dirSizeName(l string, p int) (size, name string, ok bool) {
	if p < len(l) && l[p] == '<' {
		k := p + 1
		for k < len(l) && 'A' <= l[k] && l[k] <= 'Z' {
			k++
		}
		if k == p+1 || k == len(l) || l[k] != '>' {
			return "", "", false
		}
		name, ok = dirName(l, k+1)
		return l[p : k+1], name, ok
	}
	n := digitRun(l, p)
	if n == 0 {
		return "", "", false
	}
	// Groups of three after a separator, the most that leave a name; then
	// the whole digit run.
	if n <= 3 {
		var ends []int
		k := p + n
		for {
			w := thousandsSep(l, k)
			if w == 0 || digitRun(l, k+w) < 3 {
				break
			}
			k += w + 3
			ends = append(ends, k)
		}
		for i := len(ends) - 1; i >= 0; i-- {
			if name, ok := dirName(l, ends[i]); ok {
				return l[p:ends[i]], name, true
			}
		}
	}
	name, ok = dirName(l, p+n)
	return l[p : p+n], name, ok
}

// dirName is `\s+(.+)$` from p: the text after the white space, or its
// last white-space byte when the white space runs to the end.
func dirName(l string, p int) (string, bool) {
	q := spaceRun(l, p)
	switch {
	case q == p:
		return "", false
	case q < len(l):
		return l[q:], true
	case q-p >= 2:
		return l[q-1:], true
	}
	return "", false
}

func digitRun(l string, p int) int {
	n := 0
	for p+n < len(l) && '0' <= l[p+n] && l[p+n] <= '9' {
		n++
	}
	return n
}

func spaceRun(l string, p int) int {
	for p < len(l) && isREspace(l[p]) {
		p++
	}
	return p
}

// thousandsSep is the length of a separator of thousands at p: . , ' a
// space, a no-break or a narrow no-break space; 0 when there is none.
func thousandsSep(l string, p int) int {
	switch {
	case p >= len(l):
		return 0
	case l[p] == '.' || l[p] == ',' || l[p] == ' ' || l[p] == '\'':
		return 1
	case strings.HasPrefix(l[p:], "\u00a0"):
		return len("\u00a0")
	case strings.HasPrefix(l[p:], "\u202f"):
		return len("\u202f")
	}
	return 0
}

// ampm is the length of `\s?[AaPp]\.?[Mm]\.?` at p, 0 when there is none.
func ampm(l string, p int) int {
	q := p
	if q < len(l) && isREspace(l[q]) {
		q++
	}
	if q >= len(l) || !strings.ContainsRune("AaPp", rune(l[q])) {
		return 0
	}
	q++
	if q < len(l) && l[q] == '.' {
		q++
	}
	if q >= len(l) || l[q] != 'M' && l[q] != 'm' {
		return 0
	}
	q++
	if q < len(l) && l[q] == '.' {
		q++
	}
	return q - p
}
