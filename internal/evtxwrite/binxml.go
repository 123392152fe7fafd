package evtxwrite

import (
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Binary XML tokens.
const (
	tokEOF             = 0x00
	tokOpenStart       = 0x01
	tokCloseStart      = 0x02
	tokCloseEmpty      = 0x03
	tokEndElement      = 0x04
	tokValue           = 0x05
	tokAttribute       = 0x06
	tokTemplate        = 0x0c
	tokNormalSubst     = 0x0d
	tokOptionalSubst   = 0x0e
	tokFragment        = 0x0f
	flagMoreFollows    = 0x40 // on tokOpenStart: has attributes; on tokAttribute: another follows
	noDependency       = 0xffff
	fragmentHeaderSize = 4
)

// Binary XML value types.
const (
	vtNull       = 0x00
	vtString     = 0x01
	vtInt8       = 0x03
	vtUInt8      = 0x04
	vtInt16      = 0x05
	vtUInt16     = 0x06
	vtInt32      = 0x07
	vtUInt32     = 0x08
	vtInt64      = 0x09
	vtUInt64     = 0x0a
	vtBool       = 0x0d
	vtBinary     = 0x0e
	vtGUID       = 0x0f
	vtFileTime   = 0x11
	vtSystemTime = 0x12
	vtSID        = 0x13
	vtHexInt32   = 0x14
	vtHexInt64   = 0x15
	vtBinXML     = 0x21
	vtArray      = 0x80
)

// subst is a substitution token in a template.
type subst struct {
	index    uint16
	typ      byte
	optional bool
}

type attr struct {
	name string
	text string // literal value, used when sub is nil
	sub  *subst
}

// node is one piece of element content: a child element, literal text or a
// substitution.
type node struct {
	elem *elem
	text string
	sub  *subst
}

type elem struct {
	name    string
	attrs   []attr
	content []node
}

// template is a template definition. Its key describes the whole structure;
// the GUID is derived from the key so that equal templates get equal GUIDs in
// every chunk and every file, as they do on Windows.
type template struct {
	key  string
	guid [16]byte
	root []node
}

func newTemplate(root ...node) *template {
	var sb strings.Builder
	describe(&sb, root)
	t := &template{key: sb.String(), root: root}
	sum := sha1.Sum([]byte("evtxwrite template\x00" + t.key))
	copy(t.guid[:], sum[:16])
	t.guid[7] = t.guid[7]&0x0f | 0x50 // name-based (version 5) GUID
	t.guid[8] = t.guid[8]&0x3f | 0x80
	return t
}

func (t *template) id() uint32 { return binary.LittleEndian.Uint32(t.guid[:4]) }

func describe(sb *strings.Builder, nodes []node) {
	for _, n := range nodes {
		switch {
		case n.elem != nil:
			fmt.Fprintf(sb, "<%q", n.elem.name)
			for _, a := range n.elem.attrs {
				fmt.Fprintf(sb, " %q=", a.name)
				if a.sub != nil {
					describeSubst(sb, a.sub)
				} else {
					fmt.Fprintf(sb, "%q", a.text)
				}
			}
			sb.WriteString(">")
			describe(sb, n.elem.content)
			sb.WriteString("</>")
		case n.sub != nil:
			describeSubst(sb, n.sub)
		default:
			fmt.Fprintf(sb, "%q", n.text)
		}
	}
}

func describeSubst(sb *strings.Builder, s *subst) {
	fmt.Fprintf(sb, "{%d:%d:%t}", s.index, s.typ, s.optional)
}

// Constructors that keep template definitions readable.
func el(name string, content ...node) node {
	return node{elem: &elem{name: name, content: content}}
}

func elAttrs(name string, attrs []attr, content ...node) node {
	return node{elem: &elem{name: name, attrs: attrs, content: content}}
}

func text(s string) node { return node{text: s} }

func opt(i uint16, typ byte) *subst { return &subst{index: i, typ: typ, optional: true} }

func norm(i uint16, typ byte) *subst { return &subst{index: i, typ: typ} }

func sub(s *subst) node { return node{sub: s} }

// value is one template instance value. nested values (Binary XML) are
// encoded only once their chunk offset is known, because names and templates
// they define inline are addressed by chunk offset.
type value struct {
	typ    byte
	data   []byte
	nested func(at uint32) ([]byte, error)
}

func null() value { return value{typ: vtNull} }

// out is an output buffer that knows the chunk offset of its first byte.
type out struct {
	b    []byte
	base uint32
}

func (o *out) pos() uint32    { return o.base + uint32(len(o.b)) }
func (o *out) u8(v byte)      { o.b = append(o.b, v) }
func (o *out) u16(v uint16)   { o.b = binary.LittleEndian.AppendUint16(o.b, v) }
func (o *out) u32(v uint32)   { o.b = binary.LittleEndian.AppendUint32(o.b, v) }
func (o *out) bytes(v []byte) { o.b = append(o.b, v...) }
func (o *out) patch32(at int, v uint32) {
	binary.LittleEndian.PutUint32(o.b[at:], v)
}

// encoder encodes one record against a chunk's state; definitions it adds
// stay in its own maps until the chunk commits them.
type encoder struct {
	st        *chunkState
	names     map[string]uint32
	templates map[string]uint32
	strHeads  [stringBuckets]uint32
	tmplHeads [templateBuckets]uint32
}

func (e *encoder) nameOffset(s string) (uint32, bool) {
	if off, ok := e.names[s]; ok {
		return off, true
	}
	off, ok := e.st.names[s]
	return off, ok
}

func (e *encoder) templateOffset(key string) (uint32, bool) {
	if off, ok := e.templates[key]; ok {
		return off, true
	}
	off, ok := e.st.templates[key]
	return off, ok
}

// name writes a name reference. The first use of a name in a chunk stores the
// name right after the reference and links it into its hash bucket.
func (e *encoder) name(o *out, s string) {
	if off, ok := e.nameOffset(s); ok {
		o.u32(off)
		return
	}
	off := o.pos() + 4
	o.u32(off)
	u := utf16.Encode([]rune(s))
	h := nameHash(u)
	bucket := h % stringBuckets
	o.u32(e.strHeads[bucket])
	o.u16(h)
	o.u16(uint16(len(u)))
	for _, c := range u {
		o.u16(c)
	}
	o.u16(0)
	e.strHeads[bucket] = off
	e.names[s] = off
}

func (e *encoder) content(o *out, nodes []node) {
	for _, n := range nodes {
		switch {
		case n.elem != nil:
			e.element(o, n.elem)
		case n.sub != nil:
			substToken(o, n.sub)
		default:
			valueText(o, n.text)
		}
	}
}

func substToken(o *out, s *subst) {
	if s.optional {
		o.u8(tokOptionalSubst)
	} else {
		o.u8(tokNormalSubst)
	}
	o.u16(s.index)
	o.u8(s.typ)
}

func valueText(o *out, s string) {
	u := utf16.Encode([]rune(s))
	o.u8(tokValue)
	o.u8(vtString)
	o.u16(uint16(len(u)))
	for _, c := range u {
		o.u16(c)
	}
}

func (e *encoder) element(o *out, x *elem) {
	tok := byte(tokOpenStart)
	if len(x.attrs) > 0 {
		tok |= flagMoreFollows
	}
	o.u8(tok)
	// Windows records which substitution an element depends on when the
	// element holds nothing but one optional substitution.
	dep := uint16(noDependency)
	if len(x.content) == 1 && x.content[0].sub != nil && x.content[0].sub.optional {
		dep = x.content[0].sub.index
	}
	o.u16(dep)
	sizeAt := len(o.b)
	o.u32(0)
	e.name(o, x.name)
	if len(x.attrs) > 0 {
		listAt := len(o.b)
		o.u32(0)
		for i, a := range x.attrs {
			t := byte(tokAttribute)
			if i < len(x.attrs)-1 {
				t |= flagMoreFollows
			}
			o.u8(t)
			e.name(o, a.name)
			if a.sub != nil {
				substToken(o, a.sub)
			} else {
				valueText(o, a.text)
			}
		}
		o.patch32(listAt, uint32(len(o.b)-listAt-4))
	}
	// Windows closes an attribute-only element with the empty-element token
	// but writes an element with neither attributes nor content as a start
	// and an end tag.
	if len(x.content) == 0 && len(x.attrs) > 0 {
		o.u8(tokCloseEmpty)
	} else {
		o.u8(tokCloseStart)
		e.content(o, x.content)
		o.u8(tokEndElement)
	}
	o.patch32(sizeAt, uint32(len(o.b)-sizeAt-4))
}

// fragment writes a Binary XML fragment: header, one template instance and,
// when eof is set, the end-of-stream token.
func (e *encoder) fragment(o *out, t *template, vals []value) error {
	o.bytes([]byte{tokFragment, 1, 1, 0})
	if err := e.instance(o, t, vals); err != nil {
		return err
	}
	o.u8(tokEOF)
	return nil
}

func (e *encoder) instance(o *out, t *template, vals []value) error {
	o.u8(tokTemplate)
	o.u8(1)
	o.u32(t.id())
	if off, ok := e.templateOffset(t.key); ok {
		o.u32(off)
	} else {
		off := o.pos() + 4
		o.u32(off)
		bucket := t.id() % templateBuckets
		o.u32(e.tmplHeads[bucket])
		o.bytes(t.guid[:])
		sizeAt := len(o.b)
		o.u32(0)
		o.bytes([]byte{tokFragment, 1, 1, 0})
		e.content(o, t.root)
		o.u8(tokEOF)
		o.patch32(sizeAt, uint32(len(o.b)-sizeAt-4))
		e.tmplHeads[bucket] = off
		e.templates[t.key] = off
	}
	return e.values(o, vals)
}

func (e *encoder) values(o *out, vals []value) error {
	o.u32(uint32(len(vals)))
	at := o.pos() + 4*uint32(len(vals))
	data := make([][]byte, len(vals))
	for i, v := range vals {
		d := v.data
		if v.nested != nil {
			var err error
			if d, err = v.nested(at); err != nil {
				return err
			}
		}
		if len(d) > 0xffff {
			return fmt.Errorf("value %d is %d bytes: %w", i, len(d), ErrRecordTooLarge)
		}
		data[i] = d
		at += uint32(len(d))
	}
	for i, v := range vals {
		o.u16(uint16(len(data[i])))
		o.u8(v.typ)
		o.u8(0)
	}
	for _, d := range data {
		o.bytes(d)
	}
	return nil
}

// record encodes a whole event record placed at chunk offset at.
func (e *encoder) record(r *Record, id uint64, at uint32) ([]byte, error) {
	o := &out{base: at}
	o.bytes(recordMagic)
	o.u32(0) // size, patched below
	o.b = binary.LittleEndian.AppendUint64(o.b, id)
	written := r.Written
	if written.IsZero() {
		written = r.Time
	}
	ft, err := filetime(written)
	if err != nil {
		return nil, fmt.Errorf("written time: %w", err)
	}
	o.b = binary.LittleEndian.AppendUint64(o.b, ft)

	t, vals, err := e.system(r, id)
	if err != nil {
		return nil, err
	}
	if err := e.fragment(o, t, vals); err != nil {
		return nil, err
	}
	// Windows pads records to a multiple of 8 bytes.
	for (len(o.b)+4)%8 != 0 {
		o.u8(0)
	}
	size := uint32(len(o.b) + 4)
	o.u32(size)
	binary.LittleEndian.PutUint32(o.b[4:], size)
	return o.b, nil
}
