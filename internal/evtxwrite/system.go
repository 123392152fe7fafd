package evtxwrite

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Substitution indices of the <System> template, as Windows numbers them.
const (
	ixLevel = iota
	ixOpcode
	ixTask
	ixEventID
	ixQualifiers
	ixKeywords
	ixTimeCreated
	ixActivityID
	ixProcessID
	ixThreadID
	ixRecordID
	ixVersion
	ixUserID
	// Manifest layout: 13 RelatedActivityID, 14 provider name, 15 provider
	// GUID, 16 channel, 17 payload (18 values).
	ixManifestRelated  = 13
	ixManifestProvider = 14
	ixManifestGUID     = 15
	ixManifestChannel  = 16
	ixManifestPayload  = 17
	// Classic layout: provider and channel are literal text; 13–17 are
	// unused nulls, 18 RelatedActivityID, 19 payload (20 values).
	ixClassicRelated = 18
	ixClassicPayload = 19
)

// isClassic reports whether r is laid out like an event from a classic
// event source (provider attributes and channel literal in the template).
func isClassic(r *Record) bool {
	return r.ProviderGUID == "" || r.EventSourceName != ""
}

// system builds the outer template and its values for r.
func (e *encoder) system(r *Record, id uint64) (*template, []value, error) {
	classic := isClassic(r)
	related, payloadIx := uint16(ixManifestRelated), uint16(ixManifestPayload)
	n := ixManifestPayload + 1
	if classic {
		related, payloadIx = ixClassicRelated, ixClassicPayload
		n = ixClassicPayload + 1
	}

	var provider []attr
	var channel node
	if classic {
		provider = []attr{{name: "Name", text: r.Provider}}
		if r.ProviderGUID != "" {
			provider = append(provider, attr{name: "Guid", text: braced(r.ProviderGUID)})
		}
		if r.EventSourceName != "" {
			provider = append(provider, attr{name: "EventSourceName", text: r.EventSourceName})
		}
		channel = el("Channel")
		if r.Channel != "" {
			channel = el("Channel", text(r.Channel))
		}
	} else {
		provider = []attr{
			{name: "Name", sub: opt(ixManifestProvider, vtString)},
			{name: "Guid", sub: opt(ixManifestGUID, vtGUID)},
		}
		channel = el("Channel", sub(opt(ixManifestChannel, vtString)))
	}
	computer := el("Computer")
	if r.Computer != "" {
		computer = el("Computer", text(r.Computer))
	}
	payload := sub(opt(payloadIx, vtBinXML))
	if r.UserData != nil {
		payload = el("UserData", payload)
	}
	t := newTemplate(elAttrs("Event", []attr{{name: "xmlns", text: EventNamespace}},
		el("System",
			elAttrs("Provider", provider),
			elAttrs("EventID", []attr{{name: "Qualifiers", sub: opt(ixQualifiers, vtUInt16)}},
				sub(opt(ixEventID, vtUInt16))),
			el("Version", sub(opt(ixVersion, vtUInt8))),
			el("Level", sub(opt(ixLevel, vtUInt8))),
			el("Task", sub(opt(ixTask, vtUInt16))),
			el("Opcode", sub(opt(ixOpcode, vtUInt8))),
			el("Keywords", sub(opt(ixKeywords, vtHexInt64))),
			elAttrs("TimeCreated", []attr{{name: "SystemTime", sub: opt(ixTimeCreated, vtFileTime)}}),
			el("EventRecordID", sub(opt(ixRecordID, vtUInt64))),
			elAttrs("Correlation", []attr{
				{name: "ActivityID", sub: opt(ixActivityID, vtGUID)},
				{name: "RelatedActivityID", sub: opt(related, vtGUID)},
			}),
			elAttrs("Execution", []attr{
				{name: "ProcessID", sub: opt(ixProcessID, vtUInt32)},
				{name: "ThreadID", sub: opt(ixThreadID, vtUInt32)},
			}),
			channel,
			computer,
			elAttrs("Security", []attr{{name: "UserID", sub: opt(ixUserID, vtSID)}}),
		),
		payload,
	))

	vals := make([]value, n)
	for i := range vals {
		vals[i] = null()
	}
	le := binary.LittleEndian
	vals[ixLevel] = value{typ: vtUInt8, data: []byte{r.Level}}
	vals[ixOpcode] = value{typ: vtUInt8, data: []byte{r.Opcode}}
	vals[ixTask] = value{typ: vtUInt16, data: le.AppendUint16(nil, r.Task)}
	vals[ixEventID] = value{typ: vtUInt16, data: le.AppendUint16(nil, r.EventID)}
	if r.HasQualifiers {
		vals[ixQualifiers] = value{typ: vtUInt16, data: le.AppendUint16(nil, r.Qualifiers)}
	}
	vals[ixKeywords] = value{typ: vtHexInt64, data: le.AppendUint64(nil, r.Keywords)}
	ft, err := filetime(r.Time)
	if err != nil {
		return nil, nil, fmt.Errorf("time created: %w", err)
	}
	vals[ixTimeCreated] = value{typ: vtFileTime, data: le.AppendUint64(nil, ft)}
	if r.ActivityID != "" {
		g, err := parseGUID(r.ActivityID)
		if err != nil {
			return nil, nil, fmt.Errorf("activity ID: %w", err)
		}
		vals[ixActivityID] = value{typ: vtGUID, data: g}
	}
	vals[ixProcessID] = value{typ: vtUInt32, data: le.AppendUint32(nil, r.ProcessID)}
	vals[ixThreadID] = value{typ: vtUInt32, data: le.AppendUint32(nil, r.ThreadID)}
	vals[ixRecordID] = value{typ: vtUInt64, data: le.AppendUint64(nil, id)}
	vals[ixVersion] = value{typ: vtUInt8, data: []byte{r.Version}}
	if r.UserSID != "" {
		s, err := parseSID(r.UserSID)
		if err != nil {
			return nil, nil, fmt.Errorf("user SID: %w", err)
		}
		vals[ixUserID] = value{typ: vtSID, data: s}
	}
	if !classic {
		vals[ixManifestProvider] = value{typ: vtString, data: utf16le(r.Provider)}
		g, err := parseGUID(r.ProviderGUID)
		if err != nil {
			return nil, nil, fmt.Errorf("provider GUID: %w", err)
		}
		vals[ixManifestGUID] = value{typ: vtGUID, data: g}
		vals[ixManifestChannel] = value{typ: vtString, data: utf16le(r.Channel)}
	}

	pt, pvals, err := payloadTemplate(r)
	if err != nil {
		return nil, nil, err
	}
	vals[payloadIx] = value{typ: vtBinXML, nested: func(at uint32) ([]byte, error) {
		o := &out{base: at}
		if err := e.fragment(o, pt, pvals); err != nil {
			return nil, err
		}
		return o.b, nil
	}}
	return t, vals, nil
}

func braced(g string) string {
	if strings.HasPrefix(g, "{") {
		return g
	}
	return "{" + g + "}"
}

// payloadTemplate builds the template and values of the nested payload.
func payloadTemplate(r *Record) (*template, []value, error) {
	if r.UserData != nil {
		return userDataTemplate(r.UserData)
	}
	named := 0
	for _, f := range r.Data {
		if f.Name != "" {
			named++
		}
	}
	switch {
	case named > 0 && named != len(r.Data):
		return nil, nil, fmt.Errorf("%w: mixes named and unnamed Data", ErrInvalidRecord)
	case named > 0:
		return namedDataTemplate(r)
	case len(r.Data) > 0 || len(r.Binary) > 0 || isClassic(r):
		return positionalDataTemplate(r)
	}
	// A manifest event without data: an empty <EventData/>, as Windows
	// writes it.
	return newTemplate(el("EventData")), nil, nil
}

// positionalDataTemplate is the layout Windows uses for classic insertion
// strings: one optional string-array substitution rendered as one <Data>
// per string, the binary length, and the binary data.
func positionalDataTemplate(r *Record) (*template, []value, error) {
	t := newTemplate(el("EventData",
		el("Data", sub(opt(0, vtString|vtArray))),
		el("Binary", sub(opt(2, vtBinary))),
	))
	vals := []value{null(), {typ: vtUInt32, data: binary.LittleEndian.AppendUint32(nil, uint32(len(r.Binary)))}, null()}
	if len(r.Data) > 0 {
		var b []byte
		for _, f := range r.Data {
			if f.Type != String {
				return nil, nil, fmt.Errorf("%w: unnamed Data must be strings", ErrInvalidRecord)
			}
			b = append(b, utf16le(f.Value)...)
			b = append(b, 0, 0)
		}
		vals[0] = value{typ: vtString | vtArray, data: b}
	}
	if len(r.Binary) > 0 {
		vals[2] = value{typ: vtBinary, data: r.Binary}
	}
	return t, vals, nil
}

// namedDataTemplate is the manifest layout: <Data Name="…"> elements with
// normal substitutions, then <Binary> when binary data is present.
func namedDataTemplate(r *Record) (*template, []value, error) {
	var children []node
	var vals []value
	for i, f := range r.Data {
		v, err := fieldValue(f)
		if err != nil {
			return nil, nil, err
		}
		children = append(children, elAttrs("Data", []attr{{name: "Name", text: f.Name}},
			sub(norm(uint16(i), wireType(f.Type)))))
		vals = append(vals, v)
	}
	if len(r.Binary) > 0 {
		n := len(r.Data)
		children = append(children, el("Binary", sub(norm(uint16(n+1), vtBinary))))
		vals = append(vals,
			value{typ: vtUInt32, data: binary.LittleEndian.AppendUint32(nil, uint32(len(r.Binary)))},
			value{typ: vtBinary, data: r.Binary})
	}
	return newTemplate(el("EventData", children...)), vals, nil
}

func userDataTemplate(u *UserData) (*template, []value, error) {
	if u.Name == "" {
		return nil, nil, fmt.Errorf("%w: UserData without element name", ErrInvalidRecord)
	}
	var children []node
	var vals []value
	for i, f := range u.Fields {
		if f.Name == "" {
			return nil, nil, fmt.Errorf("%w: UserData field %d without name", ErrInvalidRecord, i)
		}
		v, err := fieldValue(f)
		if err != nil {
			return nil, nil, err
		}
		children = append(children, el(f.Name, sub(norm(uint16(i), wireType(f.Type)))))
		vals = append(vals, v)
	}
	var attrs []attr
	if u.Namespace != "" {
		attrs = []attr{{name: "xmlns", text: u.Namespace}}
	}
	return newTemplate(elAttrs(u.Name, attrs, children...)), vals, nil
}
