package cmdout

import (
	"strings"
	"unicode/utf8"
)

// column is one column of a Format-Table layout, located by its underline.
type column struct {
	name       string
	start, end int // byte offsets of the dash group; end exclusive
}

// tableRow is one data row cut into cells.
type tableRow struct {
	line      int // 1-based
	cells     []string
	truncated bool // some cell ends in "..." (Format-Table cut the value)
}

type table struct {
	headerLine int // 1-based
	cols       []column
	rows       []tableRow
	end        int // index of the first line after the table
}

func (t *table) col(name string) int {
	for i, c := range t.cols {
		if strings.EqualFold(c.name, name) {
			return i
		}
	}
	return -1
}

func (t *table) has(names ...string) bool {
	for _, n := range names {
		if t.col(n) < 0 {
			return false
		}
	}
	return true
}

// cell returns row r's cell for column name, or "".
func (t *table) cell(r tableRow, name string) string {
	if i := t.col(name); i >= 0 && i < len(r.cells) {
		return r.cells[i]
	}
	return ""
}

// isTableHead reports a header line followed by a dash or equals underline.
func isTableHead(lines []string, i int) bool {
	return i+1 < len(lines) && !blank(lines[i]) && underlineRe.MatchString(lines[i+1]) &&
		strings.ContainsAny(lines[i+1], "-=") && len(strings.TrimSpace(lines[i+1])) >= 2
}

// readTable reads the table whose header is lines[i]. Column positions
// come from the underline: each dash group starts a column and every
// column runs to the start of the next, the last to the end of the line.
// Values may contain spaces; right-aligned numbers end at the dash end;
// rows cut short (80-column output) just lack trailing cells. A row whose
// first cell is empty continues the previous row (Format-Table -Wrap).
func readTable(lines []string, i int) *table {
	t := &table{headerLine: i + 1}
	ul := lines[i+1]
	head := lines[i]
	for k := 0; k < len(ul); {
		if ul[k] == ' ' {
			k++
			continue
		}
		s := k
		for k < len(ul) && ul[k] != ' ' {
			k++
		}
		t.cols = append(t.cols, column{start: s, end: k})
	}
	for c := range t.cols {
		t.cols[c].name = strings.TrimSpace(sliceCols(head, t.cols[c].start, t.cols[c].end))
	}
	j := i + 2
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) {
			break
		}
		cells := cutRow(l, t.cols)
		trunc := false
		for _, c := range cells {
			if strings.HasSuffix(c, "...") || strings.HasSuffix(c, "…") {
				trunc = true
			}
		}
		// A row with an empty first cell continues the row above (a value
		// wrapped by -Wrap or the console), unless the first column is
		// right-aligned (its underline starts indented, as Length's does):
		// there an empty cell is a value of its own (a folder's length).
		if len(t.rows) > 0 && len(cells) > 0 && cells[0] == "" && len(t.cols) > 1 && t.cols[0].start == 0 {
			prev := &t.rows[len(t.rows)-1]
			for c, v := range cells {
				if v == "" || c >= len(prev.cells) {
					continue
				}
				prev.cells[c] = joinWrapped(prev.cells[c], v, t.cols[c], c == len(t.cols)-1)
			}
			prev.truncated = prev.truncated || trunc
			continue
		}
		t.rows = append(t.rows, tableRow{line: j + 1, cells: cells, truncated: trunc})
	}
	t.end = j
	return t
}

// joinWrapped glues a wrapped continuation onto a value. A value that
// filled its column was cut mid-word; otherwise the wrap replaced a space.
func joinWrapped(prev, next string, c column, last bool) string {
	if prev == "" {
		return next
	}
	if !last && utf8.RuneCountInString(prev) >= c.end-c.start {
		return prev + next
	}
	return prev + " " + next
}

// sliceCols returns l[s:e] clamped to the line.
func sliceCols(l string, s, e int) string {
	if s >= len(l) {
		return ""
	}
	if e > len(l) || e < 0 {
		e = len(l)
	}
	if e <= s {
		return ""
	}
	return l[s:e]
}

// cutRow cuts l at the column starts. When a boundary falls inside a word
// (a right-aligned value wider than its header, or a cut line), the word
// stays with the column it started in.
func cutRow(l string, cols []column) []string {
	cells := make([]string, len(cols))
	pos := 0
	for c := range cols {
		if pos >= len(l) {
			break
		}
		end := len(l)
		if c+1 < len(cols) {
			end = cols[c+1].start
			if end > len(l) {
				end = len(l)
			}
			if end < pos {
				end = pos
			}
			if end < len(l) && end > 0 && l[end-1] != ' ' && l[end] != ' ' {
				// The boundary cuts a word. A word that starts past the
				// left column's underline belongs to the right column
				// (e.g. fltmc's "<Legacy>"); otherwise it stays left.
				ws := end
				for ws > pos && l[ws-1] != ' ' {
					ws--
				}
				if ws > pos && ws >= cols[c].end {
					end = ws
				} else {
					for end < len(l) && l[end-1] != ' ' && l[end] != ' ' {
						end++
					}
				}
			}
		}
		// Keep multi-byte characters whole.
		for end < len(l) && !utf8.RuneStart(l[end]) {
			end++
		}
		cells[c] = strings.TrimSpace(l[pos:end])
		pos = end
	}
	return cells
}

// listObject is one Format-List object: "Key : value" lines, with
// continuation lines of wrapped values, ended by a blank line.
type listObject struct {
	line  int // 1-based, first key
	keys  []string
	vals  map[string]string
	lines map[string]int
	end   int
}

func (o *listObject) get(k string) string {
	var buf [64]byte
	if b, ok := lowerASCII(buf[:0], k); ok {
		return o.vals[string(b)] // no allocation for the lookup
	}
	return o.vals[strings.ToLower(k)]
}

func (o *listObject) has(k string) bool {
	_, ok := o.vals[strings.ToLower(k)]
	return ok
}

func (o *listObject) lineOf(k string) int {
	var buf [64]byte
	if b, ok := lowerASCII(buf[:0], k); ok {
		return o.lines[string(b)]
	}
	return o.lines[strings.ToLower(k)]
}

// lowerASCII appends strings.ToLower(k) to b when k is ASCII and fits in
// b's capacity; ok is false otherwise.
func lowerASCII(b []byte, k string) ([]byte, bool) {
	if len(k) > cap(b)-len(b) {
		return b, false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 0x80:
			return b, false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b, true
}

// Property names have no spaces or hyphens, which keeps "Writer name:" and
// "Get-VHD : …" out; PowerShell pads the name and writes " : ".
func isListLine(l string) bool { _, _, ok := matchListKey(l); return ok }

// matchListKey matches ^([A-Za-z_][A-Za-z0-9_.()%]*)\s+:(?: (.*))?$ byte
// by byte: every line of every output is tried as a list line, and the
// regular expression was a good part of reading them. It gives the key and
// the value after " : ".
func matchListKey(l string) (key, val string, ok bool) {
	if l == "" || !(isASCIILetter(l[0]) || l[0] == '_') {
		return "", "", false
	}
	i := 1
	for i < len(l) && (isASCIILetter(l[i]) || '0' <= l[i] && l[i] <= '9' || strings.IndexByte("_.()%", l[i]) >= 0) {
		i++
	}
	j := i
	for j < len(l) && strings.IndexByte("\t\n\f\r ", l[j]) >= 0 {
		j++
	}
	if j == i || j == len(l) || l[j] != ':' {
		return "", "", false
	}
	rest := l[j+1:]
	switch {
	case rest == "":
		return l[:i], "", true
	case rest[0] != ' ' || strings.IndexByte(rest, '\n') >= 0:
		return "", "", false
	}
	return l[:i], rest[1:], true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// readList reads one Format-List object starting at lines[i].
func readList(lines []string, i int) *listObject {
	o := &listObject{line: i + 1, vals: map[string]string{}, lines: map[string]int{}}
	cur := ""
	prevLen := 0
	j := i
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) {
			break
		}
		if key, val, ok := matchListKey(l); ok {
			cur = strings.ToLower(key)
			if _, dup := o.vals[cur]; !dup {
				o.keys = append(o.keys, key)
				o.lines[cur] = j + 1
			}
			o.vals[cur] = strings.TrimSpace(val)
			prevLen = utf8.RuneCountInString(l)
			continue
		}
		if indentOf(l) == 0 || cur == "" {
			break
		}
		// A wrapped value: lines cut at the host width (79/80 columns)
		// broke mid-word; shorter lines broke at a space.
		v := strings.TrimSpace(l)
		if prevLen >= 79 {
			o.vals[cur] += v
		} else if o.vals[cur] == "" {
			o.vals[cur] = v
		} else {
			o.vals[cur] += " " + v
		}
		prevLen = utf8.RuneCountInString(l)
	}
	o.end = j
	return o
}

// listItems splits a PowerShell collection rendering "{a, b, c}" into its
// items. Paths may contain ", " only rarely; items are trimmed. The second
// result reports a list cut by $FormatEnumerationLimit ("…" or "...").
func listItems(v string) ([]string, bool) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		v = v[1 : len(v)-1]
	}
	var out []string
	cut := false
	for _, p := range strings.Split(v, ", ") {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case p == "..." || p == "…":
			cut = true
		case strings.HasSuffix(p, "...") || strings.HasSuffix(p, "…"):
			// "{a, b, c, d...}": the last shown item is whole; more were cut.
			cut = true
			out = append(out, strings.TrimSuffix(strings.TrimSuffix(p, "..."), "…"))
		default:
			out = append(out, p)
		}
	}
	return out, cut
}
