package cmdout

import (
	"regexp"
	"strconv"
	"strings"
)

// FileEntry is one file or folder from a directory listing (cmd `dir`,
// PowerShell Get-ChildItem).
type FileEntry struct {
	Line     int
	Dir      string // folder heading the entry ("" when the listing had none)
	Name     string
	IsDir    bool
	Size     int64 // bytes; -1 for folders or when not printed
	Modified Timestamp
	Mode     string // Get-ChildItem Mode column ("-a----"); "" for dir
	// Truncated reports a name cut with "..." by Format-Table.
	Truncated bool
}

// Path joins Dir and Name with a backslash.
func (f FileEntry) Path() string {
	if f.Dir == "" {
		return f.Name
	}
	return strings.TrimRight(f.Dir, `\`) + `\` + f.Name
}

var (
	// " Directory of D:\…" in any language: one leading space, words, a path.
	dirHeadRe = regexp.MustCompile(`^ \S[^:\\]*? ((?:[A-Za-z]:\\|\\\\)\S.*|[A-Za-z]:\\)$`)
	// The same line pasted without its leading space ("Directory of D:\…"
	// in a mail): at most four words, and taken only above a dir entry.
	dirHeadTrimmedRe = regexp.MustCompile(`^[^\s:\\]+(?: [^\s:\\]+){0,3} ((?:[A-Za-z]:\\|\\\\)\S.*|[A-Za-z]:\\)$`)
	// A dir entry: date, time (12- or 24-hour), <DIR>-like tag or size, name.
	// Sizes use the culture's grouping: "8,623,489,024", "8.623.489.024",
	// "8 623 489 024" (NBSP or narrow NBSP in French), "8'623'489'024".
	// "  2 Dir(s)  12,345,678,912 bytes free" in the languages cmd speaks:
	// the count, a word, the number, a bytes word, a free word.
	dirFreeRe  = regexp.MustCompile(`^\s+\d+\s+\S+\s+(\d{1,3}(?:[.,\x{a0}\x{202f} ']\d{3})+|\d+)\s+(?:bytes|Bytes|byte|octets|Byte)\s+(?:free|frei|libres?|disponibles?|liberi|vrij|wolnych)\b`)
	dirEntryRe = regexp.MustCompile(`^(\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\s+(\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?)\s+(<[A-Z]+>|\d{1,3}(?:[.,\x{a0}\x{202f} ']\d{3})+|\d+)\s+(.+)$`)
	// "    Directory: D:\…" above a Get-ChildItem table (label localized).
	gciDirRe = regexp.MustCompile(`^\s+[^\s:]+:\s+((?:[A-Za-z]:\\|\\\\|Microsoft\.PowerShell\.Core\\FileSystem::)\S?.*)$`)
	spacesRe = regexp.MustCompile(`\s+`)
)

func digitsOnly(s string) (int64, bool) {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return -1, false
	}
	n, err := strconv.ParseInt(b.String(), 10, 64)
	if err != nil {
		return -1, false
	}
	return n, true
}

// FreeSpace is the free space `dir` prints at the end of a listing, for the
// volume that holds the listed folder.
type FreeSpace struct {
	Line  int
	Dir   string // the last folder listed before the line
	Drive string // "D:", from Dir; "" for UNC paths
	Bytes int64
}

func driveOf(dir string) string {
	if len(dir) >= 2 && dir[1] == ':' {
		return strings.ToUpper(dir[:2])
	}
	return ""
}

// parseDirListing reads cmd `dir` output from its " Directory of" line:
// headings, entries and summary lines, across all folders of `dir /s`.
// isDirHead matches the " Directory of D:\…" line of a dir listing, or the
// same line without its leading space when a dir entry follows it.
func isDirHead(lines []string, i int) bool {
	if isDirHeadLine(lines[i]) {
		return true
	}
	if !isDirHeadTrimmed(lines[i]) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+2; j++ {
		if !blank(lines[j]) {
			return isDirEntry(lines[j])
		}
	}
	return false
}

// dirHeadOf returns the folder a dir listing's head line names.
func dirHeadOf(l string) string {
	if m := dirHeadRe.FindStringSubmatch(l); m != nil {
		return m[1]
	}
	if m := dirHeadTrimmedRe.FindStringSubmatch(l); m != nil {
		return m[1]
	}
	return ""
}

func parseDirListing(lines []string, i int, d *Doc) int {
	dir := ""
	j := i
	for ; j < len(lines); j++ {
		l := lines[j]
		switch {
		case blank(l):
		case isDirHead(lines, j):
			dir = dirHeadOf(l)
		case isDirEntry(l):
			m, _ := parseDirEntry(l)
			name := m.name
			e := FileEntry{Line: j + 1, Dir: dir, Size: -1,
				Modified: d.timestamp(m.date+" "+collapseSpace(m.time), j+1)}
			if strings.HasPrefix(m.size, "<") {
				e.IsDir = m.size == "<DIR>" || m.size == "<JUNCTION>" || m.size == "<SYMLINKD>"
				// Links print their target in brackets after the name.
				if k := strings.LastIndex(name, " ["); k > 0 && strings.HasSuffix(name, "]") && m.size != "<DIR>" {
					name = name[:k]
				}
			} else {
				e.Size, _ = digitsOnly(m.size)
			}
			e.Name = name
			if name == "." || name == ".." {
				continue
			}
			d.Files = append(d.Files, e)
		case isDirFree(l):
			n, _ := digitsOnly(dirFreeRe.FindStringSubmatch(l)[1])
			d.FreeSpace = append(d.FreeSpace, FreeSpace{Line: j + 1, Dir: dir, Drive: driveOf(dir), Bytes: n})
		case indentOf(l) > 0:
			// Volume lines, "N File(s) … bytes", "Total Files Listed:".
		default:
			return j
		}
	}
	return j
}

// addSelectedFiles reads Get-ChildItem rows cut to some of their columns
// (ft Name,Length,LastWriteTime): the cells by their titles.
func (d *Doc) addSelectedFiles(t *table) {
	for _, r := range t.rows {
		e := FileEntry{Line: r.line, Dir: d.listDir, Name: t.cell(r, "Name"), Size: -1}
		if full := t.cell(r, "FullName"); e.Name == "" && full != "" {
			// A recursive listing selects FullName: the folder is in it.
			if i := strings.LastIndexByte(full, '\\'); i > 0 && i < len(full)-1 {
				e.Dir, e.Name = full[:i], full[i+1:]
			} else {
				e.Name = full
			}
		}
		if e.Name == "" {
			continue
		}
		e.Truncated = cutValue(e.Name)
		if n, ok := digitsOnly(t.cell(r, "Length")); ok {
			e.Size = n
		} else if t.has("Length") && t.cell(r, "Length") == "" {
			e.IsDir = true // Get-ChildItem prints no length for a folder
		}
		if v := t.cell(r, "LastWriteTime"); v != "" {
			e.Modified = d.timestamp(spacesRe.ReplaceAllString(v, " "), r.line)
		}
		d.Files = append(d.Files, e)
	}
}

// addGCITable reads Get-ChildItem rows. LastWriteTime and Length are
// right-aligned to their underline ends, so they are cut by position: the
// mode is the first word, the name starts at the Name column.
func (d *Doc) addGCITable(t *table, lines []string) {
	mode, lwt, length, name := t.col("Mode"), t.col("LastWriteTime"), t.col("Length"), t.col("Name")
	if name < 0 && t.col("FullName") < 0 {
		return
	}
	if mode < 0 || name < 0 {
		d.addSelectedFiles(t)
		return
	}
	for _, r := range t.rows {
		l := lines[r.line-1]
		fields := strings.Fields(l)
		if len(fields) == 0 {
			continue
		}
		e := FileEntry{Line: r.line, Dir: d.listDir, Mode: fields[0], Size: -1}
		e.IsDir = strings.HasPrefix(e.Mode, "d")
		// A length wider than its column pushes the name right (or a
		// hand-aligned paste is off by one): a name column that starts
		// inside a word starts at that word.
		at := t.cols[name].start
		for at > 0 && at <= len(l) && l[at-1] != ' ' {
			at--
		}
		e.Name = strings.TrimSpace(sliceCols(l, at, -1))
		e.Truncated = cutValue(e.Name)
		modeEnd := len(fields[0]) + indentOf(l)
		if lwt >= 0 {
			lwtEnd := t.cols[lwt].end
			e.Modified = d.timestamp(spacesRe.ReplaceAllString(strings.TrimSpace(sliceCols(l, modeEnd, lwtEnd)), " "), r.line)
			if length >= 0 && lwtEnd < t.cols[name].start {
				if n, ok := digitsOnly(sliceCols(l, lwtEnd, t.cols[name].start)); ok {
					e.Size = n
				}
			}
		}
		d.Files = append(d.Files, e)
	}
}
