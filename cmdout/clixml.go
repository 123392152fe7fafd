package cmdout

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// VMHost is a Get-VMHost object (TSS HyperV_Config.xml).
type VMHost struct {
	Line                  int
	ComputerName          string
	VirtualHardDiskPath   string
	VirtualMachinePath    string
	LogicalProcessorCount int64
	MemoryCapacity        int64
	Props                 map[string]string
}

// psObject is one deserialized CliXML object, flattened to strings.
type psObject struct {
	line  int
	types []string
	props map[string]string   // lower-case name → value
	names []string            // names in document order
	lists map[string][]string // collection properties, lower-case name → items
}

var escapedCharRe = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)

// unescapeCliXML decodes the _xHHHH_ escapes CliXML uses for control
// characters and for literal underscores.
func unescapeCliXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return escapedCharRe.ReplaceAllStringFunc(s, func(m string) string {
		v, err := strconv.ParseUint(m[2:6], 16, 16)
		if err != nil {
			return m
		}
		return string(rune(v))
	})
}

// lineCounter counts lines in what the XML parser consumes and records,
// for every object directly under <Objs>, the line its start tag is on.
// It sees the bytes before the parser returns the object, so the k-th
// recorded line belongs to the k-th object.
type lineCounter struct {
	r        io.Reader
	line     int
	depth    int
	inTag    bool
	tagStart bool // the byte after '<'
	special  bool // <? … ?> or <! … >
	closing  bool
	lastByte byte
	name     []byte
	nameDone bool
	starts   []int
	tagLine  int
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		c.scan(b)
	}
	return n, err
}

func (c *lineCounter) scan(b byte) {
	if b == '\n' {
		c.line++
	}
	switch {
	case !c.inTag:
		if b == '<' {
			c.inTag, c.tagStart, c.special, c.closing, c.nameDone = true, true, false, false, false
			c.name = c.name[:0]
			c.tagLine = c.line
		}
	case c.tagStart:
		c.tagStart = false
		switch b {
		case '?', '!':
			c.special = true
		case '/':
			c.closing = true
		default:
			c.name = append(c.name, b)
		}
	case b == '>':
		c.inTag = false
		isObj := string(c.name) == "Obj"
		switch {
		case c.special:
		case c.closing:
			c.depth--
		case c.lastByte == '/':
			if c.depth == 1 && isObj {
				c.starts = append(c.starts, c.tagLine+1)
			}
		default:
			if c.depth == 1 && isObj {
				c.starts = append(c.starts, c.tagLine+1)
			}
			c.depth++
		}
	case !c.nameDone && !c.special && !c.closing:
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '/' {
			c.nameDone = true
		} else if len(c.name) < 16 {
			c.name = append(c.name, b)
		}
	}
	c.lastByte = b
}

// ParseCliXML streams a PowerShell Export-Clixml file (UTF-16 with BOM as
// PowerShell 5.1 writes it, or UTF-8) and maps VM, VMSnapshot, VHD,
// HardDiskDrive and VMHost objects, or any object whose properties match
// one of these, to the same records as the text parsers. Line is the line
// of the object's <Obj> tag. Objects read before a syntax error are kept.
func ParseCliXML(r io.Reader) (*Doc, []Problem) {
	d := &Doc{}
	d.addKind(KindCliXML)
	d.parseCliXML(transform.NewReader(r, unicode.BOMOverride(unicode.UTF8.NewDecoder())))
	return d, d.Problems
}

func (d *Doc) parseCliXML(r io.Reader) {
	lc := &lineCounter{r: r}
	defer func() {
		// xmlquery is third-party code fed untrusted input.
		if v := recover(); v != nil {
			d.problem(lc.line+1, "clixml: parser panic: %v", v)
		}
		// A problem at the end of the input is on the last line read, not
		// on the line after a final newline.
		last := lc.line
		if lc.lastByte != '\n' {
			last++
		}
		for i := range d.Problems {
			d.Problems[i].Line = min(d.Problems[i].Line, max(last, 1))
		}
	}()
	opts := xmlquery.ParserOptions{Decoder: &xmlquery.DecoderOptions{
		Strict: true,
		// The stream is already UTF-8 whatever the declaration says.
		CharsetReader: func(_ string, in io.Reader) (io.Reader, error) { return in, nil },
	}}
	sp, err := xmlquery.CreateStreamParserWithOptions(lc, opts, "/Objs/Obj")
	if err != nil {
		d.problem(0, "clixml: %v", err)
		return
	}
	typeRefs := map[string][]string{}
	for k := 0; ; k++ {
		n, err := sp.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			d.problem(lc.line+1, "clixml: %v", err)
			return
		}
		o := readPSObject(n, typeRefs)
		if k < len(lc.starts) {
			o.line = lc.starts[k]
		}
		d.addPSObject(o)
	}
}

func childElems(n *xmlquery.Node) []*xmlquery.Node {
	var out []*xmlquery.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			out = append(out, c)
		}
	}
	return out
}

func child(n *xmlquery.Node, name string) *xmlquery.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode && c.Data == name {
			return c
		}
	}
	return nil
}

// typeNames reads <TN RefId><T>…</T></TN> or resolves <TNRef RefId>.
func typeNames(n *xmlquery.Node, refs map[string][]string) []string {
	if tn := child(n, "TN"); tn != nil {
		var ts []string
		for _, t := range childElems(tn) {
			if t.Data == "T" {
				ts = append(ts, strings.TrimPrefix(t.InnerText(), "Deserialized."))
			}
		}
		if id := tn.SelectAttr("RefId"); id != "" && len(refs) < 10000 {
			refs[id] = ts
		}
		return ts
	}
	if ref := child(n, "TNRef"); ref != nil {
		return refs[ref.SelectAttr("RefId")]
	}
	return nil
}

func readPSObject(n *xmlquery.Node, refs map[string][]string) psObject {
	o := psObject{types: typeNames(n, refs), props: map[string]string{}, lists: map[string][]string{}}
	for _, group := range []string{"Props", "MS"} {
		g := child(n, group)
		if g == nil {
			continue
		}
		for _, p := range childElems(g) {
			name := p.SelectAttr("N")
			if name == "" {
				continue
			}
			key := strings.ToLower(name)
			if _, dup := o.props[key]; !dup {
				o.names = append(o.names, name)
			}
			v, items, isList := psValue(p, refs)
			o.props[key] = v
			if isList {
				o.lists[key] = items
			}
		}
	}
	return o
}

// psValue flattens one property element: scalars to their text, enums to
// their ToString, collections to their items (an item object gives its
// Path property, else its ToString).
func psValue(p *xmlquery.Node, refs map[string][]string) (string, []string, bool) {
	switch p.Data {
	case "Nil", "Ref":
		return "", nil, false
	case "B":
		if strings.EqualFold(strings.TrimSpace(p.InnerText()), "true") {
			return "True", nil, false
		}
		return "False", nil, false
	case "Obj":
		for _, lt := range []string{"LST", "IE", "STK", "QUE"} {
			l := child(p, lt)
			if l == nil {
				continue
			}
			var items []string
			for _, it := range childElems(l) {
				if it.Data == "Obj" {
					if props := child(it, "Props"); props != nil {
						if path := propNamed(props, "Path"); path != "" {
							items = append(items, path)
							continue
						}
					}
					if ts := child(it, "ToString"); ts != nil {
						items = append(items, unescapeCliXML(ts.InnerText()))
					}
					continue
				}
				if v, _, _ := psValue(it, refs); v != "" {
					items = append(items, v)
				}
			}
			return "{" + strings.Join(items, ", ") + "}", items, true
		}
		if ts := child(p, "ToString"); ts != nil {
			return unescapeCliXML(ts.InnerText()), nil, false
		}
		return "", nil, false
	}
	return unescapeCliXML(p.InnerText()), nil, false
}

func propNamed(props *xmlquery.Node, name string) string {
	for _, c := range childElems(props) {
		if strings.EqualFold(c.SelectAttr("N"), name) {
			v, _, _ := psValue(c, nil)
			return v
		}
	}
	return ""
}

func (o psObject) typeIs(suffixes ...string) bool {
	for _, t := range o.types {
		for _, s := range suffixes {
			if strings.HasSuffix(t, s) {
				return true
			}
		}
	}
	return false
}

func (d *Doc) addPSObject(o psObject) {
	lo := &listObject{line: o.line, keys: o.names, vals: o.props, lines: map[string]int{}}
	var k Kind
	switch {
	case o.typeIs(".VMHost"):
		d.Hosts = append(d.Hosts, VMHost{Line: o.line, ComputerName: lo.get("ComputerName"),
			VirtualHardDiskPath: lo.get("VirtualHardDiskPath"), VirtualMachinePath: lo.get("VirtualMachinePath"),
			LogicalProcessorCount: num(lo.get("LogicalProcessorCount")), MemoryCapacity: num(lo.get("MemoryCapacity")),
			Props: propsOf(lo)})
		return
	case o.typeIs(".VMSnapshot", ".VMCheckpoint"):
		k = KindVMSnapshots
	case o.typeIs(".VirtualMachine"):
		k = KindVMList
	case o.typeIs(".VirtualHardDisk"):
		k = KindGetVHD
	case o.typeIs(".HardDiskDrive"):
		k = KindVMHardDisk
	default:
		k = classifyList(lo)
	}
	if k == "" {
		return
	}
	d.addKind(k)
	d.addListObject(k, lo)
	// Collections came as exact items; do not rely on splitting "{a, b}".
	if items, ok := o.lists["harddrives"]; ok {
		switch k {
		case KindVMSnapshots:
			d.Snapshots[len(d.Snapshots)-1].HardDrives = items
			d.Snapshots[len(d.Snapshots)-1].HardDrivesCut = false
		case KindVMList:
			d.VMs[len(d.VMs)-1].HardDrives = items
			d.VMs[len(d.VMs)-1].HardDrivesCut = false
		}
	}
}
