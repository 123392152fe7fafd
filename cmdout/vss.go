package cmdout

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Writer is one block of `vssadmin list writers`.
type Writer struct {
	Line       int
	Name       string
	ID         string // writer class ID, canonical GUID form
	InstanceID string // canonical GUID form
	// State is the VSS_WRITER_STATE number from "[n]"; -1 when the block
	// has no state line. The number, not the localized text, carries
	// the meaning.
	State     int
	StateText string // text after "[n]", as printed (may be localized)
	LastError string // as printed (may be localized)
	StateLine int
}

// Failed reports a VSS_WS_FAILED_AT_* state (6 to 15).
func (w Writer) Failed() bool { return w.State >= 6 && w.State <= 15 }

// Busy reports a state waiting on a backup step (2 to 5): with no backup
// running it points at a hung or abandoned session.
func (w Writer) Busy() bool { return w.State >= 2 && w.State <= 5 }

var writerStateNames = [...]string{
	"VSS_WS_UNKNOWN",
	"VSS_WS_STABLE",
	"VSS_WS_WAITING_FOR_FREEZE",
	"VSS_WS_WAITING_FOR_THAW",
	"VSS_WS_WAITING_FOR_POST_SNAPSHOT",
	"VSS_WS_WAITING_FOR_BACKUP_COMPLETE",
	"VSS_WS_FAILED_AT_IDENTIFY",
	"VSS_WS_FAILED_AT_PREPARE_BACKUP",
	"VSS_WS_FAILED_AT_PREPARE_SNAPSHOT",
	"VSS_WS_FAILED_AT_FREEZE",
	"VSS_WS_FAILED_AT_THAW",
	"VSS_WS_FAILED_AT_POST_SNAPSHOT",
	"VSS_WS_FAILED_AT_BACKUP_COMPLETE",
	"VSS_WS_FAILED_AT_PRE_RESTORE",
	"VSS_WS_FAILED_AT_POST_RESTORE",
	"VSS_WS_FAILED_AT_BACKUPSHUTDOWN",
}

// WriterStateName returns the VSS_WRITER_STATE enum name for n, or "" when
// n is outside 0-15.
func WriterStateName(n int) string {
	if n < 0 || n >= len(writerStateNames) {
		return ""
	}
	return writerStateNames[n]
}

// Provider is one block of `vssadmin list providers`.
type Provider struct {
	Line    int
	Name    string
	Type    string // System, Software, Hardware, Fileshare (may be localized)
	ID      string // canonical GUID form
	Version string
}

// Well-known Microsoft VSS provider IDs; any other provider is third-party.
const (
	ProviderMicrosoftSoftware  = "b5946137-7b9f-4925-af80-51abd60b20d5"
	ProviderMicrosoftFileShare = "89300202-3cec-4981-9171-19f59559e0f2"
)

// ThirdParty reports whether the provider is not one of the two in-box
// Microsoft providers.
func (p Provider) ThirdParty() bool {
	return p.ID != ProviderMicrosoftSoftware && p.ID != ProviderMicrosoftFileShare
}

// VolumeRef is a volume as vssadmin prints it: "(D:)\\?\Volume{guid}\".
type VolumeRef struct {
	Raw   string
	Drive string // "D:" when printed
	GUID  string // volume GUID, canonical form, when printed
}

var driveRe = regexp.MustCompile(`^\(([A-Za-z]:)\)`)

func parseVolumeRef(s string) VolumeRef {
	v := VolumeRef{Raw: s}
	if m := driveRe.FindStringSubmatch(s); m != nil {
		v.Drive = strings.ToUpper(m[1])
	}
	v.GUID = NormGUID(s)
	return v
}

// ShadowCopy is one shadow copy of `vssadmin list shadows`.
type ShadowCopy struct {
	Line               int
	SetID              string // canonical GUID form
	SetLine            int
	Count              int // "Contained N shadow copies"; -1 when absent
	CreationTime       Timestamp
	ID                 string // canonical GUID form
	OriginalVolume     VolumeRef
	ShadowVolume       string
	OriginatingMachine string
	ServiceMachine     string
	Provider           string
	Type               string
	Attributes         []string
}

// Size is a size as vssadmin prints it: "18.4 GB (1%)" or "UNBOUNDED (100%)".
type Size struct {
	Raw       string
	Value     float64
	Unit      string // B, KB, MB, GB, TB, PB, EB
	Bytes     uint64 // Value in bytes (binary units); 0 when unbounded
	Unbounded bool
	Percent   int // -1 when not printed
}

// ShadowStorage is one `vssadmin list shadowstorage` association.
type ShadowStorage struct {
	Line          int
	ForVolume     VolumeRef
	StorageVolume VolumeRef
	Used          Size
	Allocated     Size
	Maximum       Size
}

var (
	stateRe = regexp.MustCompile(`^\[(\d+)\]\s*(.*)$`)
	// Sizes in any culture: "18.4 GB", "18,4 GB", "1 024 KB".
	sizeRe    = regexp.MustCompile(`^(?:(UNBOUNDED|[A-ZÄÖÜÉÈa-zäöüéè]+)|([0-9][0-9.,\s\x{a0}\x{202f}]*)\s*([KMGTPE]?B|[Bb]ytes?|[KMGTPE]?o|octets?))\s*(?:\(\s*(\d+)\s*%\s*\))?$`)
	versionRe = regexp.MustCompile(`^\d+(?:\.\d+){1,3}$`)
	countRe   = regexp.MustCompile(`\d+`)
)

// vssBlock is a column-0 "label: value" line and the indented lines under it.
type vssBlock struct {
	head  int // index into lines
	label string
	value string
	body  []vssLine
	end   int // index after the block
}

type vssLine struct {
	idx    int
	indent int
	label  string
	value  string
	ok     bool // line had "label: value" form
}

func readVSSBlock(lines []string, i int) vssBlock {
	b := vssBlock{head: i}
	b.label, b.value, _ = labelValue(lines[i])
	j := i + 1
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) || indentOf(l) == 0 {
			break
		}
		lab, val, ok := labelValue(l)
		b.body = append(b.body, vssLine{idx: j, indent: indentOf(l), label: lab, value: val, ok: ok})
	}
	b.end = j
	return b
}

// vssBlockKind classifies a block by structure, so localized output works:
// a writer has a "[n]" state and two GUIDs; a provider has a version
// number and one GUID. English labels only break ties for cut blocks.
func vssBlockKind(b vssBlock) Kind {
	if _, quoted := unquote(b.value); !quoted {
		return ""
	}
	guids, version := 0, false
	for _, l := range b.body {
		if !l.ok {
			continue
		}
		if stateRe.MatchString(l.value) {
			return KindVSSWriters
		}
		if isGUID(l.value) {
			guids++
		}
		if versionRe.MatchString(l.value) {
			version = true
		}
	}
	switch {
	case version:
		return KindVSSProviders
	case guids >= 2:
		return KindVSSWriters
	case strings.Contains(strings.ToLower(b.label), "writer"):
		return KindVSSWriters
	case strings.Contains(strings.ToLower(b.label), "provider"):
		return KindVSSProviders
	}
	return ""
}

func parseWriterBlock(lines []string, b vssBlock, d *Doc) {
	name, _ := unquote(b.value)
	w := Writer{Line: b.head + 1, Name: name, State: -1}
	guids := 0
	afterState := false
	for _, l := range b.body {
		switch {
		case !l.ok:
			d.problem(l.idx+1, "writer %q: line is not \"label: value\"", name)
		case afterState && w.LastError == "":
			w.LastError = l.value
			afterState = false
		case stateRe.MatchString(l.value):
			m := stateRe.FindStringSubmatch(l.value)
			n, err := strconv.Atoi(m[1])
			if err != nil || n > 15 {
				d.problem(l.idx+1, "writer %q: state %q is not a VSS writer state (0-15)", name, m[1])
				n = -1
			}
			w.State, w.StateText, w.StateLine = n, m[2], l.idx+1
			afterState = true
		case isGUID(l.value):
			if guids == 0 {
				w.ID = NormGUID(l.value)
			} else if guids == 1 {
				w.InstanceID = NormGUID(l.value)
			} else {
				d.problem(l.idx+1, "writer %q: unexpected third GUID", name)
			}
			guids++
		default:
			d.problem(l.idx+1, "writer %q: unrecognised line %q", name, strings.TrimSpace(lines[l.idx]))
		}
	}
	if w.State < 0 && w.StateLine == 0 {
		d.problem(w.Line, "writer %q: block has no state line (truncated?)", name)
	}
	if w.ID == "" {
		d.problem(w.Line, "writer %q: block has no writer ID", name)
	}
	d.Writers = append(d.Writers, w)
}

func parseProviderBlock(lines []string, b vssBlock, d *Doc) {
	name, _ := unquote(b.value)
	p := Provider{Line: b.head + 1, Name: name}
	for _, l := range b.body {
		switch {
		case !l.ok:
			d.problem(l.idx+1, "provider %q: line is not \"label: value\"", name)
		case isGUID(l.value) && p.ID == "":
			p.ID = NormGUID(l.value)
		case versionRe.MatchString(l.value) && p.Version == "":
			p.Version = l.value
		case p.Type == "" && p.ID == "":
			p.Type = l.value
		default:
			d.problem(l.idx+1, "provider %q: unrecognised line %q", name, strings.TrimSpace(lines[l.idx]))
		}
	}
	if p.ID == "" {
		d.problem(p.Line, "provider %q: block has no provider ID (truncated?)", name)
	}
	d.Providers = append(d.Providers, p)
}

// isShadowSetHead: "Contents of shadow copy set ID: {guid}" (any language)
// followed by an indented "… N …: <time>" line.
func isShadowSetHead(lines []string, i int) bool {
	_, val, ok := labelValue(lines[i])
	if !ok || indentOf(lines[i]) != 0 || !isGUID(val) {
		return false
	}
	if i+1 >= len(lines) || indentOf(lines[i+1]) == 0 || blank(lines[i+1]) {
		return false
	}
	lab2, _, ok := labelValue(lines[i+1])
	return ok && countRe.MatchString(lab2)
}

func parseShadowSet(lines []string, i int, d *Doc) int {
	_, val, _ := labelValue(lines[i])
	setID := NormGUID(val)
	count := -1
	var created Timestamp
	lab, tv, _ := labelValue(lines[i+1])
	// The label holds the colon-free part; the time has colons of its own.
	idx := strings.Index(lines[i+1], lab) + len(lab)
	if k := strings.IndexByte(lines[i+1][idx:], ':'); k >= 0 {
		tv = strings.TrimSpace(lines[i+1][idx+k+1:])
	}
	if m := countRe.FindString(lab); m != "" {
		count, _ = strconv.Atoi(m)
	}
	created = d.timestamp(tv, i+2)
	copyIndent := -1
	var cur *ShadowCopy
	flush := func() {
		if cur != nil {
			d.Shadows = append(d.Shadows, *cur)
			cur = nil
		}
	}
	j := i + 2
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) || indentOf(l) == 0 {
			break
		}
		lab, val, ok := labelValue(l)
		if !ok {
			d.problem(j+1, "shadow copy set %s: line is not \"label: value\"", setID)
			continue
		}
		ind := indentOf(l)
		if isGUID(val) && (copyIndent < 0 || ind <= copyIndent) {
			flush()
			copyIndent = ind
			cur = &ShadowCopy{Line: j + 1, SetID: setID, SetLine: i + 1, Count: count, CreationTime: created, ID: NormGUID(val)}
			continue
		}
		if cur == nil {
			d.problem(j+1, "shadow copy set %s: field before any shadow copy ID", setID)
			continue
		}
		assignShadowField(cur, lab, val)
	}
	flush()
	return j
}

// assignShadowField fills a shadow-copy field from its English label when
// present, otherwise from the shape of the value.
func assignShadowField(c *ShadowCopy, lab, val string) {
	ll := strings.ToLower(lab)
	unq, quoted := unquote(val)
	switch {
	case strings.Contains(ll, "original volume") || (c.OriginalVolume.Raw == "" && driveRe.MatchString(val)) ||
		(c.OriginalVolume.Raw == "" && strings.HasPrefix(val, `\\?\Volume`)):
		c.OriginalVolume = parseVolumeRef(val)
	case strings.Contains(ll, "shadow copy volume") || strings.Contains(strings.ToUpper(val), `\GLOBALROOT\`):
		c.ShadowVolume = val
	case strings.Contains(ll, "originating machine"):
		c.OriginatingMachine = val
	case strings.Contains(ll, "service machine"):
		c.ServiceMachine = val
	case strings.Contains(ll, "provider") || quoted:
		c.Provider = unq
	case strings.Contains(ll, "attributes") || strings.Contains(val, ","):
		c.Attributes = splitList(val)
	case strings.Contains(ll, "type") || (c.Type == "" && c.OriginatingMachine != "" && c.Provider != ""):
		c.Type = val
	case c.OriginatingMachine == "":
		c.OriginatingMachine = val
	case c.ServiceMachine == "":
		c.ServiceMachine = val
	default:
		c.Attributes = splitList(val)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isShadowStorageHead: a column-0 line without a value ("Shadow Copy
// Storage association") whose indented lines include sizes with "(n%)".
func isShadowStorageHead(lines []string, i int) bool {
	l := lines[i]
	if indentOf(l) != 0 || blank(l) {
		return false
	}
	if _, v, ok := labelValue(l); ok && v != "" {
		return false
	}
	sizes := 0
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		if blank(lines[j]) || indentOf(lines[j]) == 0 {
			break
		}
		if _, v, ok := labelValue(lines[j]); ok && strings.Contains(v, "%)") {
			if _, ok := parseSize(v); ok {
				sizes++
			}
		}
	}
	return sizes >= 2
}

func parseShadowStorage(lines []string, i int, d *Doc) int {
	s := ShadowStorage{Line: i + 1}
	vols, sizes := 0, 0
	j := i + 1
	for ; j < len(lines); j++ {
		l := lines[j]
		if blank(l) || indentOf(l) == 0 {
			break
		}
		_, val, ok := labelValue(l)
		if !ok {
			d.problem(j+1, "shadow storage: line is not \"label: value\"")
			continue
		}
		if sz, ok := parseSize(val); ok && strings.Contains(val, "%") {
			switch sizes {
			case 0:
				s.Used = sz
			case 1:
				s.Allocated = sz
			case 2:
				s.Maximum = sz
			default:
				d.problem(j+1, "shadow storage: unexpected fourth size %q", val)
			}
			sizes++
			continue
		}
		// Volume lines: "(D:)\\?\Volume{…}\"; the value starts after the
		// first colon, which for "(D:)" is inside the value itself.
		if k := strings.Index(l, ": "); k >= 0 {
			val = strings.TrimSpace(l[k+2:])
		}
		switch vols {
		case 0:
			s.ForVolume = parseVolumeRef(val)
		case 1:
			s.StorageVolume = parseVolumeRef(val)
		default:
			d.problem(j+1, "shadow storage: unexpected line %q", strings.TrimSpace(l))
		}
		vols++
	}
	if sizes < 3 {
		d.problem(s.Line, "shadow storage: %d of 3 sizes present (truncated?)", sizes)
	}
	d.ShadowStorage = append(d.ShadowStorage, s)
	return j
}

var unitPow = map[string]int{"B": 0, "KB": 1, "MB": 2, "GB": 3, "TB": 4, "PB": 5, "EB": 6}

// parseSize reads "18.4 GB (1%)", "18,4 GB (1%)", "UNBOUNDED (100%)" (the
// word may be localized: any single word in place of a number counts as
// unbounded).
func parseSize(s string) (Size, bool) {
	z := Size{Raw: s, Percent: -1}
	m := sizeRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return z, false
	}
	if m[4] != "" {
		z.Percent, _ = strconv.Atoi(m[4])
	}
	if m[1] != "" {
		if m[4] == "" {
			return z, false // a bare word is not a size
		}
		z.Unbounded = true
		return z, true
	}
	num := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, m[2])
	num = normalizeDecimal(num)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return z, false
	}
	unit := strings.ToUpper(m[3])
	switch {
	case strings.HasPrefix(unit, "BYTE") || strings.HasPrefix(unit, "OCTET"):
		unit = "B"
	case strings.HasSuffix(unit, "O"):
		unit = strings.TrimSuffix(unit, "O") + "B"
	}
	z.Value, z.Unit = v, unit
	if p, ok := unitPow[unit]; ok {
		b := v * math.Pow(1024, float64(p))
		if b >= 0 && b < math.MaxUint64 {
			z.Bytes = uint64(b)
		}
	}
	return z, true
}

// normalizeDecimal turns "18,4" or "1.234,5" or "1,234.5" into Go syntax.
// The last separator is the decimal one when followed by fewer than three
// digits; otherwise separators are thousands groupings.
func normalizeDecimal(s string) string {
	last := strings.LastIndexAny(s, ".,")
	if last < 0 {
		return s
	}
	frac := s[last+1:]
	intPart := strings.Map(func(r rune) rune {
		if r == '.' || r == ',' {
			return -1
		}
		return r
	}, s[:last])
	if len(frac) == 3 && strings.Count(s, string(s[last])) >= 1 && (strings.ContainsAny(s[:last], ".,") || s[last] == ',') {
		// "1,234" or "1.234.567": grouping only.
		return intPart + frac
	}
	return intPart + "." + frac
}

func (d *Doc) problem(line int, format string, args ...any) {
	d.Problems = append(d.Problems, Problem{Line: line, Msg: fmt.Sprintf(format, args...)})
}
