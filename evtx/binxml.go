package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// BinXML tokens. Bit 0x40 on some tokens means "more data follows"
// (attributes on an element, another attribute, another value).
const (
	tokEOF        = 0x00
	tokOpenStart  = 0x01
	tokCloseStart = 0x02
	tokCloseEmpty = 0x03
	tokEnd        = 0x04
	tokValue      = 0x05
	tokAttr       = 0x06
	tokCDATA      = 0x07
	tokCharRef    = 0x08
	tokEntityRef  = 0x09
	tokPITarget   = 0x0a
	tokPIData     = 0x0b
	tokTemplate   = 0x0c
	tokSubst      = 0x0d
	tokOptSubst   = 0x0e
	tokFragment   = 0x0f
	tokMoreFlag   = 0x40
)

// maxNesting bounds template and embedded-BinXML recursion, so a template
// that refers to itself cannot exhaust the stack.
const maxNesting = 16

// binxmlError locates a decoding failure inside the chunk.
type binxmlError struct {
	off int
	msg string
}

func (e *binxmlError) Error() string {
	return fmt.Sprintf("binxml: %s at chunk offset 0x%x", e.msg, e.off)
}

var errNesting = errors.New("binxml: templates nested too deeply")

// chunkDecoder decodes the BinXML of records inside one chunk. Every offset
// it follows is checked against the chunk buffer; it never panics on bad
// data (Walk still recovers, as a last line of defence).
type chunkDecoder struct {
	buf   []byte
	names map[uint32]string // name strings by chunk offset, cleared per chunk
	out   builder
	nest  int
	vals  []value // backing store for template substitution values
}

func newChunkDecoder() *chunkDecoder {
	return &chunkDecoder{names: make(map[uint32]string, 64)}
}

func (d *chunkDecoder) setChunk(buf []byte) {
	d.buf = buf
	clear(d.names)
}

func (d *chunkDecoder) fail(off int, format string, args ...any) error {
	return &binxmlError{off: off, msg: fmt.Sprintf(format, args...)}
}

func (d *chunkDecoder) u16(p int) uint16 { return binary.LittleEndian.Uint16(d.buf[p:]) }
func (d *chunkDecoder) u32(p int) uint32 { return binary.LittleEndian.Uint32(d.buf[p:]) }

// record decodes the BinXML in buf[start:end] into ev.
func (d *chunkDecoder) record(ev *Event, start, end int) error {
	d.out.reset(ev)
	d.out.binxml = true
	d.nest = 0
	d.vals = d.vals[:0]
	_, err := d.fragment(start, end, nil, false)
	if err != nil {
		return err
	}
	if d.out.depth != 0 {
		return d.fail(end, "record ends inside an element")
	}
	return nil
}

// fragment decodes tokens in buf[pos:end] until an end-of-fragment token.
// vals are the substitution values of the enclosing template instance.
// inTemplate selects the element header layout: elements inside template
// definitions carry a 2-byte dependency identifier, elements written directly
// in a record or in embedded BinXML values do not.
//
// Each token with a payload has its own method, which checks the payload
// against end and returns the position after it (or pos with an error).
func (d *chunkDecoder) fragment(pos, end int, vals []value, inTemplate bool) (int, error) {
	if end > len(d.buf) {
		return pos, d.fail(pos, "fragment end 0x%x beyond chunk", end)
	}
	out := &d.out
	var err error
	for pos < end {
		tok := d.buf[pos]
		switch tok &^ tokMoreFlag {
		case tokEOF:
			return pos + 1, nil
		case tokFragment:
			pos, err = d.fragmentHeader(pos, end)
		case tokTemplate:
			pos, err = d.template(pos, end)
		case tokOpenStart:
			pos, err = d.openStart(tok, pos, end, vals, inTemplate)
		case tokCloseStart:
			out.closeStart()
			pos++
		case tokCloseEmpty:
			out.closeStart()
			out.end()
			pos++
		case tokEnd:
			out.end()
			pos++
		case tokAttr:
			pos, err = d.attribute(pos, end)
		case tokValue:
			pos, err = d.valueText(pos, end)
		case tokCDATA:
			pos, err = d.cdata(pos, end)
		case tokCharRef:
			pos, err = d.charRef(pos, end)
		case tokEntityRef:
			pos, err = d.entityRef(pos, end)
		case tokPITarget:
			pos, err = d.piTarget(pos, end)
		case tokPIData:
			pos, err = d.piData(pos, end)
		case tokSubst, tokOptSubst:
			pos, err = d.substitution(tok, pos, end, vals)
		default:
			return pos, d.fail(pos, "unknown token 0x%02x", tok)
		}
		if err != nil {
			return pos, err
		}
	}
	return pos, nil
}

// fragmentHeader skips a fragment header: token, major and minor version,
// flags.
func (d *chunkDecoder) fragmentHeader(pos, end int) (int, error) {
	if pos+4 > end {
		return pos, d.fail(pos, "truncated fragment header")
	}
	return pos + 4, nil
}

// openStart starts an element: token, dependency identifier (in template
// definitions only), data size, name, and the attribute list size when the
// more flag says attributes follow.
func (d *chunkDecoder) openStart(tok byte, pos, end int, vals []value, inTemplate bool) (int, error) {
	p := pos + 1
	dep := -1
	if inTemplate {
		if p+2 > end {
			return pos, d.fail(pos, "truncated element header")
		}
		if id := d.u16(p); id != 0xffff {
			dep = int(id)
		}
		p += 2
	}
	p += 4 // element data size: not needed, the tokens delimit the element
	name, np, err := d.name(p, end)
	if err != nil {
		return pos, err
	}
	p = np
	if tok&tokMoreFlag != 0 {
		p += 4 // attribute list size
	}
	if p > end {
		return pos, d.fail(pos, "truncated element header")
	}
	// An element that depends on a substitution is left out when that
	// value is null, as Windows renders it.
	if dep >= 0 && dep < len(vals) && vals[dep].isNull() {
		d.out.startMuted()
	} else {
		d.out.start(name)
	}
	return p, nil
}

// attribute starts an attribute: token and name; its value tokens follow.
func (d *chunkDecoder) attribute(pos, end int) (int, error) {
	name, np, err := d.name(pos+1, end)
	if err != nil {
		return pos, err
	}
	d.out.attrStart(name)
	return np, nil
}

// valueText adds value text: token, value type (always a UTF-16 string in
// practice), character count, characters.
func (d *chunkDecoder) valueText(pos, end int) (int, error) {
	if pos+4 > end {
		return pos, d.fail(pos, "truncated value text")
	}
	n := int(d.u16(pos + 2))
	if pos+4+2*n > end {
		return pos, d.fail(pos, "value text of %d characters overruns", n)
	}
	d.out.value(value{typ: typeString, b: d.buf[pos+4 : pos+4+2*n], off: pos + 4})
	return pos + 4 + 2*n, nil
}

// cdata adds a CDATA section: token, character count, characters.
func (d *chunkDecoder) cdata(pos, end int) (int, error) {
	if pos+3 > end {
		return pos, d.fail(pos, "truncated CDATA")
	}
	n := int(d.u16(pos + 1))
	if pos+3+2*n > end {
		return pos, d.fail(pos, "CDATA of %d characters overruns", n)
	}
	d.out.value(value{typ: typeString, b: d.buf[pos+3 : pos+3+2*n], off: pos + 3})
	return pos + 3 + 2*n, nil
}

// charRef adds a character reference: token and a UTF-16 code unit.
func (d *chunkDecoder) charRef(pos, end int) (int, error) {
	if pos+3 > end {
		return pos, d.fail(pos, "truncated character reference")
	}
	d.out.value(textValue(string(rune(d.u16(pos + 1)))))
	return pos + 3, nil
}

// entityRef adds an entity reference: token and the entity's name.
func (d *chunkDecoder) entityRef(pos, end int) (int, error) {
	name, np, err := d.name(pos+1, end)
	if err != nil {
		return pos, err
	}
	d.out.value(textValue(entity(name)))
	return np, nil
}

// piTarget skips a processing instruction's target: token and name.
// Event XML has no use for processing instructions.
func (d *chunkDecoder) piTarget(pos, end int) (int, error) {
	_, np, err := d.name(pos+1, end)
	if err != nil {
		return pos, err
	}
	return np, nil
}

// piData skips a processing instruction's data: token, character count,
// characters.
func (d *chunkDecoder) piData(pos, end int) (int, error) {
	if pos+3 > end {
		return pos, d.fail(pos, "truncated processing instruction")
	}
	n := int(d.u16(pos + 1))
	if pos+3+2*n > end {
		return pos, d.fail(pos, "processing instruction overruns")
	}
	return pos + 3 + 2*n, nil
}

// substitution adds the template value a substitution token names: token,
// value index, value type. A value of embedded BinXML in element content is
// decoded in place.
func (d *chunkDecoder) substitution(tok byte, pos, end int, vals []value) (int, error) {
	if pos+4 > end {
		return pos, d.fail(pos, "truncated substitution")
	}
	idx := int(d.u16(pos + 1))
	optional := tok&^tokMoreFlag == tokOptSubst
	pos += 4
	if idx >= len(vals) {
		// Windows renders a missing value as nothing; keep going.
		return pos, nil
	}
	v := vals[idx]
	if optional && v.isNull() {
		return pos, nil
	}
	if v.typ == typeBinXML && !d.out.inAttr {
		return pos, d.embedded(v)
	}
	d.out.value(v)
	return pos, nil
}

// embedded decodes a BinXML document passed as a substitution value (CAPI2
// puts its whole UserData this way). It lives inside the chunk, so name
// offsets stay chunk-relative.
func (d *chunkDecoder) embedded(v value) error {
	if d.nest >= maxNesting {
		return errNesting
	}
	d.nest++
	defer func() { d.nest-- }()
	_, err := d.fragment(v.off, v.off+len(v.b), nil, false)
	return err
}

// template decodes a template instance at pos: the (possibly inline) template
// definition, then the substitution values that follow the instance header.
func (d *chunkDecoder) template(pos, end int) (int, error) {
	// token, 1 unknown byte, template id, definition offset
	if pos+10 > end {
		return pos, d.fail(pos, "truncated template instance")
	}
	defOff := int(d.u32(pos + 6))
	p := pos + 10
	if defOff+24 > len(d.buf) || defOff < 0 {
		return pos, d.fail(pos, "template definition offset 0x%x outside chunk", defOff)
	}
	// Definition header: next template offset, GUID, data size.
	defSize := int(d.u32(defOff + 20))
	defStart := defOff + 24
	defEnd := defStart + defSize
	if defSize < 0 || defEnd > len(d.buf) || defEnd < defStart {
		return pos, d.fail(defOff, "template definition of %d bytes overruns chunk", defSize)
	}
	if defOff == p {
		// The definition is written here, the first time the chunk uses it.
		p = defEnd
	}
	if p+4 > end {
		return pos, d.fail(p, "truncated template values")
	}
	n := int(d.u32(p))
	p += 4
	if n > (end-p)/4 {
		return pos, d.fail(p, "%d template values cannot fit in the record", n)
	}
	base := len(d.vals)
	q := p + 4*n
	for i := 0; i < n; i++ {
		size := int(d.u16(p + 4*i))
		typ := d.buf[p+4*i+2]
		if q+size > end {
			return pos, d.fail(q, "template value %d of %d bytes overruns the record", i, size)
		}
		d.vals = append(d.vals, value{typ: typ, b: d.buf[q : q+size : q+size], off: q})
		q += size
	}
	vals := d.vals[base : base+n : base+n]
	if d.nest >= maxNesting {
		return pos, errNesting
	}
	d.nest++
	_, err := d.fragment(defStart, defEnd, vals, true)
	d.nest--
	// vals may be referenced again by an enclosing fragment only through its
	// own slice, so the backing store can be reused from base.
	d.vals = d.vals[:base]
	if err != nil {
		return pos, err
	}
	return q, nil
}

// name reads a name reference at p. A name is stored once per chunk; the
// first use writes it inline right after the reference.
func (d *chunkDecoder) name(p, end int) (string, int, error) {
	if p+4 > end {
		return "", p, d.fail(p, "truncated name reference")
	}
	off := int(d.u32(p))
	p += 4
	s, size, err := d.nameAt(off)
	if err != nil {
		return "", p, err
	}
	if off == p {
		p += size
		if p > end {
			return "", p, d.fail(off, "inline name overruns its fragment")
		}
	}
	return s, p, nil
}

func (d *chunkDecoder) nameAt(off int) (string, int, error) {
	if off < 0 || off+8 > len(d.buf) {
		return "", 0, d.fail(off, "name offset outside chunk")
	}
	n := int(d.u16(off + 6))
	size := 8 + 2*n + 2 // next offset, hash, count, characters, NUL
	if off+size > len(d.buf) {
		return "", 0, d.fail(off, "name of %d characters overruns chunk", n)
	}
	if s, ok := d.names[uint32(off)]; ok {
		return s, size, nil
	}
	s := utf16String(d.buf[off+8 : off+8+2*n])
	d.names[uint32(off)] = s
	return s, size, nil
}

func entity(name string) string {
	switch name {
	case "amp":
		return "&"
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	return "&" + name + ";"
}
