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
	// Date: 1–4, 1–2 and 1–4 digits with . / or - between them.
	p := 0
	for k, max := range [3]int{4, 2, 4} {
		n := digitRun(l, p)
		if n == 0 || n > max {
			return e, false
		}
		p += n
		if k < 2 {
			if p == len(l) || l[p] != '.' && l[p] != '/' && l[p] != '-' {
				return e, false
			}
			p++
		}
	}
	e.date = l[:p]
	q := spaceRun(l, p)
	if q == p {
		return e, false
	}
	// Time: h:mm, optional :ss, optional " AM" (one optional space, dots).
	t := q
	n := digitRun(l, q)
	if n == 0 || n > 2 || q+n == len(l) || l[q+n] != ':' || digitRun(l, q+n+1) < 2 {
		return e, false
	}
	q += n + 3
	if q < len(l) && l[q] == ':' && digitRun(l, q+1) >= 2 {
		q += 3
	}
	if m := ampm(l, q); m > 0 {
		q += m
	}
	e.time = l[t:q]
	p = spaceRun(l, q)
	if p == q {
		return e, false
	}
	// Size or <TYPE>, then white space and a name.
	s := p
	if p < len(l) && l[p] == '<' {
		k := p + 1
		for k < len(l) && 'A' <= l[k] && l[k] <= 'Z' {
			k++
		}
		if k == p+1 || k == len(l) || l[k] != '>' {
			return e, false
		}
		e.size = l[p : k+1]
		e.name, ok = dirName(l, k+1)
		return e, ok
	}
	n = digitRun(l, p)
	if n == 0 {
		return e, false
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
				e.size, e.name = l[s:ends[i]], name
				return e, true
			}
		}
	}
	e.size = l[s : p+n]
	e.name, ok = dirName(l, p+n)
	return e, ok
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
