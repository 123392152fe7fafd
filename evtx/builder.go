package evtx

import "encoding/hex"

// builder turns a stream of element/attribute/text callbacks (from the BinXML
// decoder or from XML tokens) into an Event. Both inputs share it, so both
// produce identical fields for the same event.
//
// Depths: 1 Event, 2 System/EventData/UserData/RenderingInfo, 3 their
// children, 4+ inside the first UserData child.
type builder struct {
	ev    *Event
	depth int
	sec   section
	names [maxTrackedDepth]string
	// hasChild[d] is true once the element at depth d got a child element.
	hasChild [maxTrackedDepth + 1]bool

	text     acc
	wantText bool

	inAttr     bool
	attrWanted bool
	attrName   string
	attr       acc

	dataName   string
	userDataOn bool // inside the first child of UserData
	userSeen   bool
	// binxml is set when the input is a binary record (types are known).
	binxml bool
	// mute > 0 while inside an element Windows would not render (its
	// dependency substitution is null); counts the nesting inside it.
	mute int
}

const maxTrackedDepth = 32

type section uint8

const (
	secNone section = iota
	secSystem
	secEventData
	secUserData
	secRendering
	secOther
)

// acc accumulates the parts of one text or attribute value. A single part
// keeps its binary type so numbers and times need no formatting round trip.
type acc struct {
	n     int
	first value
	buf   []byte
}

func (a *acc) reset() { a.n = 0; a.first = value{}; a.buf = a.buf[:0] }

func (a *acc) add(v value) {
	switch a.n {
	case 0:
		a.first = v
	case 1:
		a.buf = a.first.appendTo(a.buf[:0])
		a.buf = v.appendTo(a.buf)
	default:
		a.buf = v.appendTo(a.buf)
	}
	a.n++
}

func (a *acc) string() string {
	switch a.n {
	case 0:
		return ""
	case 1:
		return a.first.String()
	}
	return string(a.buf)
}

func (a *acc) uint() (uint64, bool) {
	switch a.n {
	case 0:
		return 0, false
	case 1:
		return a.first.uint()
	}
	return parseUint(string(a.buf))
}

func (b *builder) reset(ev *Event) {
	b.ev = ev
	b.depth = 0
	b.sec = secNone
	b.text.reset()
	b.attr.reset()
	b.wantText, b.inAttr, b.attrWanted = false, false, false
	b.dataName = ""
	b.userDataOn, b.userSeen = false, false
	b.hasChild[0] = false
	b.mute = 0
}

// startMuted opens an element whose whole subtree is ignored.
func (b *builder) startMuted() {
	b.closeAttr()
	b.mute++
}

func (b *builder) start(name string) {
	b.closeAttr()
	if b.mute > 0 {
		b.mute++
		return
	}
	if b.depth < len(b.hasChild) {
		b.hasChild[b.depth] = true
	}
	b.depth++
	d := b.depth
	if d <= maxTrackedDepth {
		b.names[d-1] = name
		b.hasChild[d] = false
	}
	b.text.reset()
	b.wantText = false
	switch {
	case d == 2:
		switch name {
		case "System":
			b.sec = secSystem
		case "EventData":
			b.sec = secEventData
		case "UserData":
			b.sec = secUserData
		case "RenderingInfo":
			b.sec = secRendering
		default:
			b.sec = secOther
		}
	case d == 3:
		switch b.sec {
		case secSystem:
			switch name {
			case "EventID", "Version", "Level", "Task", "Opcode", "Keywords",
				"EventRecordID", "Channel", "Computer":
				b.wantText = true
			}
		case secEventData:
			b.dataName = ""
			b.wantText = name == "Data" || name == "Binary"
		case secUserData:
			b.userDataOn = !b.userSeen
			if !b.userSeen {
				b.ev.UserDataName = name
				b.userSeen = true
			}
		case secRendering:
			b.wantText = name == "Message"
		}
	case d >= 4 && d <= maxTrackedDepth:
		b.wantText = b.sec == secUserData && b.userDataOn
	}
}

func (b *builder) attrStart(name string) {
	b.closeAttr()
	if b.mute > 0 {
		return
	}
	b.inAttr = true
	b.attrName = name
	b.attr.reset()
	b.attrWanted = false
	if b.depth == 3 && b.depth <= maxTrackedDepth {
		switch b.sec {
		case secSystem:
			switch b.names[2] {
			case "Provider":
				b.attrWanted = name == "Name" || name == "Guid" || name == "EventSourceName"
			case "EventID":
				b.attrWanted = name == "Qualifiers"
			case "TimeCreated":
				b.attrWanted = name == "SystemTime"
			case "Security":
				b.attrWanted = name == "UserID"
			case "Execution":
				b.attrWanted = name == "ProcessID" || name == "ThreadID"
			case "Correlation":
				b.attrWanted = name == "ActivityID" || name == "RelatedActivityID"
			}
		case secEventData:
			b.attrWanted = name == "Name" && b.names[2] == "Data"
		}
	}
}

func (b *builder) value(v value) {
	if b.mute > 0 {
		return
	}
	if b.inAttr {
		if b.attrWanted {
			b.attr.add(v)
		}
		return
	}
	if b.wantText {
		b.text.add(v)
	}
}

// closeStart ends the attribute list of the current element.
func (b *builder) closeStart() { b.closeAttr() }

func (b *builder) closeAttr() {
	if !b.inAttr {
		return
	}
	b.inAttr = false
	// An optional substitution that was null leaves no part: the attribute
	// is absent, as Windows renders it.
	if !b.attrWanted || b.attr.n == 0 {
		return
	}
	ev := b.ev
	switch b.names[2] {
	case "Provider":
		switch b.attrName {
		case "Name":
			ev.Provider = b.attr.string()
		case "Guid":
			ev.ProviderGUID = b.attr.string()
		case "EventSourceName":
			ev.EventSourceName = b.attr.string()
		}
	case "EventID":
		if n, ok := b.attr.uint(); ok {
			ev.Qualifiers = uint16(n)
			ev.HasQualifiers = true
		}
	case "TimeCreated":
		t := b.attr.first
		if b.attr.n > 1 {
			t = textValue(b.attr.string())
		}
		if tm, ok := t.time(); ok {
			ev.Time = tm
		}
	case "Security":
		ev.UserSID = b.attr.string()
	case "Execution":
		if n, ok := b.attr.uint(); ok && n <= 0xffffffff {
			if b.attrName == "ProcessID" {
				ev.ProcessID = uint32(n)
			} else {
				ev.ThreadID = uint32(n)
			}
		}
	case "Correlation":
		if b.attrName == "ActivityID" {
			ev.ActivityID = b.attr.string()
		} else {
			ev.Unrepresented = true
		}
	case "Data":
		b.dataName = b.attr.string()
	}
}

func (b *builder) end() {
	b.closeAttr()
	if b.mute > 0 {
		b.mute--
		return
	}
	d := b.depth
	if d == 0 {
		return // unbalanced end tag in damaged input
	}
	ev := b.ev
	switch {
	case d == 3 && b.sec == secSystem && b.wantText:
		b.systemText(b.names[2])
	case d == 3 && b.sec == secEventData && b.wantText:
		switch {
		case b.names[2] == "Binary":
			ev.Binary = b.binary()
			if ev.Binary == nil && b.text.n > 0 {
				ev.Unrepresented = true
			}
		default:
			n := len(ev.Data)
			ev.Data = b.appendFields(ev.Data, b.dataName)
			if b.binxml {
				ev.DataTypes = b.appendTypes(ev.DataTypes, len(ev.Data)-n)
			}
		}
	case d >= 4 && d <= maxTrackedDepth && b.wantText && !b.hasChild[d]:
		n := len(ev.UserData)
		ev.UserData = b.appendFields(ev.UserData, b.names[d-1])
		if b.binxml {
			ev.UserDataTypes = b.appendTypes(ev.UserDataTypes, len(ev.UserData)-n)
			if d > 4 {
				ev.Unrepresented = true
			}
		}
	case d == 3 && b.sec == secRendering && b.wantText:
		ev.Message = b.text.string()
	case d == 3 && b.sec == secUserData:
		b.userDataOn = false
	}
	if d == 2 {
		b.sec = secNone
	}
	b.depth--
	b.text.reset()
	b.wantText = false
	// Text after a child element belongs to the parent again (mixed content);
	// only UserData leaves care and they have no children by definition.
	if pd := b.depth; pd >= 4 && pd <= maxTrackedDepth && b.sec == secUserData && b.userDataOn {
		b.wantText = true
	}
}

// appendFields adds the current element's text as one field, or as one
// field per element when the text is a single array substitution: Windows
// renders an array by repeating the element (classic sources pass all their
// insertion strings as one string array).
func (b *builder) appendFields(fs []Field, name string) []Field {
	if b.text.n == 1 && b.text.first.typ&typeArray != 0 && b.text.first.typ != typeText {
		n := len(fs)
		forEachArrayElem(b.text.first, func(v value) {
			fs = append(fs, Field{Name: name, Value: v.String()})
		})
		if len(fs) == n { // an empty array still leaves the element
			fs = append(fs, Field{Name: name})
		}
		return fs
	}
	return append(fs, Field{Name: name, Value: b.text.string()})
}

// appendTypes records the value type of the n fields appendFields just
// added (see Event.DataTypes).
func (b *builder) appendTypes(ts []uint8, n int) []uint8 {
	t := uint8(0)
	switch {
	case b.text.n == 1 && b.text.first.typ == typeNull:
	case b.text.n == 1:
		t = b.text.first.typ
	case b.text.n > 1:
		t = typeText
	}
	for range n {
		ts = append(ts, t)
	}
	return ts
}

func (b *builder) systemText(name string) {
	ev := b.ev
	switch name {
	case "Channel":
		ev.Channel = b.text.string()
	case "Computer":
		ev.Computer = b.text.string()
	default:
		n, ok := b.text.uint()
		if !ok {
			return
		}
		switch name {
		case "EventID":
			ev.EventID = uint16(n)
		case "Version":
			ev.Version = uint8(n)
		case "Level":
			ev.Level = uint8(n)
		case "Task":
			ev.Task = uint16(n)
		case "Opcode":
			ev.Opcode = uint8(n)
		case "Keywords":
			ev.Keywords = n
		case "EventRecordID":
			// What Event Viewer shows. It differs from the record header's
			// number in logs saved with wevtutil epl, which renumbers records.
			ev.RecordID = n
		}
	}
}

func (b *builder) binary() []byte {
	if b.text.n == 1 && b.text.first.typ == typeBinary {
		return append([]byte(nil), b.text.first.b...)
	}
	s := trimSpace(b.text.string())
	if s == "" {
		return nil
	}
	out, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return out
}
