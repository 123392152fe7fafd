package evtxwrite

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/0xrawsec/golang-evtx/evtx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/toolxml"
)

// The cross-check writes the sample files and reads them back with three
// independent EVTX parsers: libevtx's evtxexport, python-evtx and
// golang-evtx. Every record must come back with the values written.

// canon is a parser-independent view of one record. Values are normalised
// (numbers in decimal, GUIDs lower case without braces, binary as lower-case
// hex, times in RFC 3339 at the parser's precision).
type canon struct {
	ID         uint64
	EventID    string
	Qualifiers string
	Provider   string
	GUID       string
	Channel    string
	Computer   string
	Time       string
	Level      string
	Task       string
	Opcode     string
	Keywords   string
	PID        string
	TID        string
	UserID     string
	ActivityID string
	Payload    string // "EventData", "UserData/<element>" or ""
	Fields     []Field
	Binary     string
}

// tool describes how a parser renders values.
type tool struct {
	name      string
	precision time.Duration
	// slack is how far a rendered time may be off: python-evtx converts
	// FILETIME through a float and can be 1 µs off.
	slack  time.Duration
	binary func(string) ([]byte, error)
	// sysTimeMsAsMicros: python-evtx passes a SYSTEMTIME's milliseconds to
	// Python's datetime as microseconds.
	sysTimeMsAsMicros bool
	// negativeAsMagnitude: evtxexport 20181227 prints a negative signed
	// integer as '-' followed by its two's-complement bits without the sign
	// bit (int8 -5, stored 0xfb, prints as -123). python-evtx prints -5.
	negativeAsMagnitude bool
}

var (
	toolEvtxexport = tool{name: "evtxexport", precision: 100 * time.Nanosecond, binary: hex.DecodeString,
		negativeAsMagnitude: true}
	toolPython = tool{name: "python-evtx", precision: time.Microsecond, slack: 4 * time.Microsecond,
		binary: base64.StdEncoding.DecodeString, sysTimeMsAsMicros: true}
)

// snapTime replaces got by want when both are times within the tool's slack.
func snapTime(got *string, want string, slack time.Duration) {
	if slack == 0 || *got == want {
		return
	}
	g, err1 := time.Parse(time.RFC3339Nano, *got)
	w, err2 := time.Parse(time.RFC3339Nano, want)
	if err1 == nil && err2 == nil && g.Sub(w).Abs() <= slack {
		*got = want
	}
}

// pythonArray predicts what python-evtx shows of a string array
// (toolxml.PythonStrings): evtxexport shows it as written.
func pythonArray(fields []Field) []Field {
	values := make([]string, len(fields))
	for i, f := range fields {
		values[i] = f.Value
	}
	var out []Field
	for _, v := range toolxml.PythonStrings(values) {
		out = append(out, Field{Value: v})
	}
	return out
}

func canonTime(t time.Time, prec time.Duration) string {
	return t.UTC().Truncate(prec).Format(time.RFC3339Nano)
}

func normGUID(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}"))
}

// canonValue normalises a field value of type typ. It is used both for the
// written text and for a parser's rendering, so both sides meet in the
// middle; bin decodes the parser's binary rendering (nil: hex, as written).
func canonValue(typ Type, s string, tl tool, written bool) (string, error) {
	if s == "" {
		return "", nil
	}
	switch typ {
	case String, SID:
		return s, nil
	case Bool:
		return strings.ToLower(s), nil
	case UInt8, UInt16, UInt32, UInt64, HexInt32, HexInt64:
		u, err := strconv.ParseUint(s, 0, 64)
		return strconv.FormatUint(u, 10), err
	case Int8, Int16, Int32, Int64:
		n, err := strconv.ParseInt(s, 0, 64)
		if written && n < 0 && tl.negativeAsMagnitude {
			bits := map[Type]uint{Int8: 8, Int16: 16, Int32: 32, Int64: 64}[typ]
			return "-" + strconv.FormatUint(uint64(n)&(1<<(bits-1)-1), 10), err
		}
		return strconv.FormatInt(n, 10), err
	case GUID:
		return normGUID(s), nil
	case Binary:
		dec := tl.binary
		if written {
			dec = hex.DecodeString
		}
		b, err := dec(s)
		return hex.EncodeToString(b), err
	case FileTime, SystemTime:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, s); err == nil {
				if written && typ == SystemTime {
					ms := t.Nanosecond() / 1e6
					t = t.Truncate(time.Second).Add(time.Duration(ms) * time.Millisecond)
					if tl.sysTimeMsAsMicros {
						t = t.Truncate(time.Second).Add(time.Duration(ms) * time.Microsecond)
					}
				}
				return canonTime(t, tl.precision), nil
			}
		}
		return "", fmt.Errorf("unparsable time %q", s)
	}
	return "", fmt.Errorf("unknown type %d", typ)
}

// expect builds the canonical form of what was written.
func expect(t *testing.T, r *Record, id uint64, tl tool) canon {
	c := canon{
		ID: id, EventID: strconv.Itoa(int(r.EventID)), Provider: r.Provider, GUID: normGUID(r.ProviderGUID),
		Channel: r.Channel, Computer: r.Computer, Time: canonTime(r.Time, tl.precision),
		Level: strconv.Itoa(int(r.Level)), Task: strconv.Itoa(int(r.Task)), Opcode: strconv.Itoa(int(r.Opcode)),
		Keywords: fmt.Sprintf("0x%016x", r.Keywords), PID: strconv.Itoa(int(r.ProcessID)),
		TID: strconv.Itoa(int(r.ThreadID)), UserID: r.UserSID, ActivityID: normGUID(r.ActivityID),
		Binary: hex.EncodeToString(r.Binary),
	}
	if r.HasQualifiers {
		c.Qualifiers = strconv.Itoa(int(r.Qualifiers))
	}
	fields := r.Data
	switch {
	case r.UserData != nil:
		c.Payload = "UserData/" + r.UserData.Name
		fields = r.UserData.Fields
	default:
		c.Payload = "EventData"
	}
	for _, f := range fields {
		v, err := canonValue(f.Type, f.Value, tl, true)
		require.NoError(t, err)
		c.Fields = append(c.Fields, Field{Name: f.Name, Value: v})
	}
	return c
}

// parseEvents reads a stream of <Event> elements as printed by a tool.
func parseEvents(t *testing.T, out []byte) []toolxml.Node {
	evs, err := toolxml.Events(out)
	require.NoError(t, err)
	return evs
}

// pythonStrings splits python-evtx's rendering of a string array.
var pythonStrings = regexp.MustCompile(`(?s)<string>(.*?)</string>\n?`)

// fromXML builds the canonical view of a parsed event, using the written
// record for the field types.
func fromXML(t *testing.T, ev *toolxml.Node, w *Record, tl tool) canon {
	sys := ev.Child("System")
	prov := sys.Child("Provider")
	id, err := strconv.ParseUint(strings.TrimSpace(sys.Child("EventRecordID").Text), 10, 64)
	require.NoError(t, err)
	c := canon{
		ID: id, EventID: sys.Child("EventID").Text, Qualifiers: sys.Child("EventID").Attr("Qualifiers"),
		Provider: prov.Attr("Name"), GUID: normGUID(prov.Attr("Guid")),
		Channel: sys.Child("Channel").Text, Computer: sys.Child("Computer").Text,
		Level: sys.Child("Level").Text, Task: sys.Child("Task").Text, Opcode: sys.Child("Opcode").Text,
		PID: sys.Child("Execution").Attr("ProcessID"), TID: sys.Child("Execution").Attr("ThreadID"),
		UserID: sys.Child("Security").Attr("UserID"), ActivityID: normGUID(sys.Child("Correlation").Attr("ActivityID")),
	}
	if ts, err := canonValue(FileTime, sys.Child("TimeCreated").Attr("SystemTime"), tl, false); assert.NoError(t, err) {
		c.Time = ts
	}
	if k, err := strconv.ParseUint(sys.Child("Keywords").Text, 0, 64); assert.NoError(t, err) {
		c.Keywords = fmt.Sprintf("0x%016x", k)
	}

	var payload *toolxml.Node
	var types []Type
	if ud := ev.Child("UserData"); len(ud.Children) > 0 {
		payload = &ud.Children[0]
		c.Payload = "UserData/" + payload.XMLName.Local
		if w.UserData != nil {
			for _, f := range w.UserData.Fields {
				types = append(types, f.Type)
			}
		}
	} else if ed := ev.Child("EventData"); ed.XMLName.Local != "" {
		payload = ed
		c.Payload = "EventData"
		for _, f := range w.Data {
			types = append(types, f.Type)
		}
	}
	if payload == nil {
		return c
	}
	typeOf := func(i int) Type {
		if i < len(types) {
			return types[i]
		}
		return String
	}
	for _, d := range payload.Children {
		name := d.XMLName.Local
		switch {
		case c.Payload == "EventData" && name == "Binary":
			b, err := canonValue(Binary, d.Text, tl, false)
			assert.NoError(t, err, "binary of record %d", id)
			c.Binary = b
			continue
		case c.Payload == "EventData" && name == "Data":
			name = d.Attr("Name")
		}
		if c.Payload == "EventData" && name == "" && tl.name == toolPython.name {
			// python-evtx renders a string array inside a single <Data>.
			for _, m := range pythonStrings.FindAllStringSubmatch(d.Text, -1) {
				c.Fields = append(c.Fields, Field{Value: m[1]})
			}
			continue
		}
		v, err := canonValue(typeOf(len(c.Fields)), d.Text, tl, false)
		assert.NoError(t, err, "record %d field %s", id, name)
		c.Fields = append(c.Fields, Field{Name: name, Value: v})
	}
	return c
}

type fileResult struct {
	file                       string
	written                    int
	evtxexport, python, golang int
	goFields, goFieldsChecked  int
	pyChunksOK, pyChunks       int
	pyHeaderOK                 bool
	evtxexportRan, pythonRan   bool
}

func writeSamples(t *testing.T) (string, []sampleFile) {
	dir := t.TempDir()
	files := sampleFiles()
	for _, sf := range files {
		b, err := Marshal(sf.recs, sf.opt)
		require.NoError(t, err, sf.name)
		require.NoError(t, os.WriteFile(filepath.Join(dir, sf.name), b, 0o644))
	}
	return dir, files
}

func firstID(o Options) uint64 {
	if o.FirstRecordID == 0 {
		return 1
	}
	return o.FirstRecordID
}

// checkTool compares a tool's events with what was written and returns the
// number of records that matched exactly.
func checkTool(t *testing.T, sf sampleFile, events []toolxml.Node, tl tool) int {
	byID := map[uint64]*toolxml.Node{}
	for i := range events {
		id, err := strconv.ParseUint(strings.TrimSpace(events[i].Child("System").Child("EventRecordID").Text), 10, 64)
		require.NoError(t, err)
		require.NotContains(t, byID, id, "%s: duplicate record %d", tl.name, id)
		byID[id] = &events[i]
	}
	assert.Len(t, events, len(sf.recs), "%s: %s record count", sf.name, tl.name)
	matched := 0
	for i := range sf.recs {
		id := firstID(sf.opt) + uint64(i)
		ev, ok := byID[id]
		if !assert.True(t, ok, "%s: %s lost record %d", sf.name, tl.name, id) {
			continue
		}
		want := expect(t, &sf.recs[i], id, tl)
		got := fromXML(t, ev, &sf.recs[i], tl)
		snapTime(&got.Time, want.Time, tl.slack)
		for j := range min(len(got.Fields), len(want.Fields)) {
			snapTime(&got.Fields[j].Value, want.Fields[j].Value, tl.slack)
		}
		if tl.name == toolPython.name && want.Payload == "EventData" && len(want.Fields) > 0 && want.Fields[0].Name == "" {
			want.Fields = pythonArray(want.Fields)
		}
		if assert.Equal(t, want, got, "%s: %s record %d", sf.name, tl.name, id) {
			matched++
		}
	}
	return matched
}

func TestCrossCheck_Evtxexport(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-check with evtxexport skipped in -short mode")
	}
	bin, err := exec.LookPath("evtxexport")
	if err != nil {
		t.Skip("evtxexport not installed: apt-get install libevtx-utils")
	}
	dir, files := writeSamples(t)
	total, written := 0, 0
	for _, sf := range files {
		cmd := exec.Command(bin, "-f", "xml", filepath.Join(dir, sf.name))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s: %s", sf.name, stderr.String())
		assert.Empty(t, strings.TrimSpace(stderr.String()), sf.name)
		// evtxexport reports records it cannot render on stdout.
		assert.NotContains(t, string(out), "Unable to", sf.name)
		n := checkTool(t, sf, parseEvents(t, out), toolEvtxexport)
		t.Logf("evtxexport %s: %d/%d records identical", sf.name, n, len(sf.recs))
		total += n
		written += len(sf.recs)
	}
	t.Logf("evtxexport total: %d/%d records identical", total, written)
}

const pyVerify = `
import sys, Evtx.Evtx as E
with E.Evtx(sys.argv[1]) as f:
    h = f.get_file_header()
    print("header", h.verify(), h.is_dirty(), h.is_full())
    for c in h.chunks():
        print("chunk", c.verify())
`

func TestCrossCheck_PythonEvtx(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-check with python-evtx skipped in -short mode")
	}
	interp, dump := pythonInterpreter(t)
	dir, files := writeSamples(t)
	total, written := 0, 0
	for _, sf := range files {
		path := filepath.Join(dir, sf.name)
		// Checksums and header checks as python-evtx computes them.
		out, err := exec.Command(interp, "-c", pyVerify, path).CombinedOutput()
		require.NoError(t, err, string(out))
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		assert.Equal(t, fmt.Sprintf("header True %s %s", pyBool(sf.opt.Dirty), pyBool(sf.opt.Full)), lines[0], sf.name)
		for _, l := range lines[1:] {
			assert.Equal(t, "chunk True", l, sf.name)
		}

		cmd := exec.Command(interp, dump, path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err = cmd.Output()
		require.NoError(t, err, "%s: %s", sf.name, stderr.String())
		n := checkTool(t, sf, parseEvents(t, out), toolPython)
		t.Logf("python-evtx %s: %d/%d records identical, %d chunks verified", sf.name, n, len(sf.recs), len(lines)-1)
		total += n
		written += len(sf.recs)
	}
	t.Logf("python-evtx total: %d/%d records identical", total, written)
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// goEvent is what golang-evtx returns for one record.
type goEvent struct {
	id                          uint64
	eventID                     int64
	time                        time.Time
	provider, channel, computer string
	system                      map[string]bool // keys under /Event/System
	fields                      map[string]string
}

// readGolangEvtx walks chunks synchronously with panics contained, the way
// the library must be driven on untrusted input.
func readGolangEvtx(t *testing.T, data []byte, userData []string) (evs []goEvent, problems []string) {
	var f evtx.File
	func() {
		defer func() {
			if r := recover(); r != nil {
				problems = append(problems, fmt.Sprintf("header: panic: %v", r))
			}
		}()
		f, _ = evtx.New(bytes.NewReader(data))
	}()
	if len(problems) > 0 {
		return nil, problems
	}
	// Verify also rejects the dirty flag, which every log copied from a
	// running host carries; only the magic matters here.
	if string(f.Header.Magic[:]) != "ElfFile\x00" {
		return nil, []string{"header: bad magic"}
	}
	for i := range int(f.Header.ChunkCount) {
		off := int64(0x1000 + i*0x10000)
		func() {
			defer func() {
				if r := recover(); r != nil {
					problems = append(problems, fmt.Sprintf("chunk at %#x: panic: %v", off, r))
				}
			}()
			c, err := f.FetchChunk(off)
			if err != nil {
				problems = append(problems, fmt.Sprintf("chunk at %#x: %v", off, err))
				return
			}
			for _, eo := range c.EventOffsets {
				e := c.ParseEvent(int64(eo))
				if !e.IsValid() {
					continue // the library lists the offset after the last record too
				}
				m, err := e.GoEvtxMap(&c)
				if err != nil {
					problems = append(problems, fmt.Sprintf("record at %#x: %v", off+int64(eo), err))
					continue
				}
				ge := goEvent{id: uint64(m.EventRecordID()), eventID: m.EventID(), time: m.TimeCreated(), fields: map[string]string{}}
				get := func(p string) string {
					path := evtx.Path(p)
					s, _ := m.GetString(&path)
					return s
				}
				ge.provider, ge.channel, ge.computer = get("/Event/System/Provider/Name"), m.Channel(), get("/Event/System/Computer")
				ge.system = map[string]bool{}
				if sys, err := m.Get(pathPtr("/Event/System")); err == nil {
					if sm, ok := (*sys).(evtx.GoEvtxMap); ok {
						for k := range sm {
							ge.system[k] = true
						}
					}
				}
				paths := []string{"/Event/EventData"}
				for _, name := range userData {
					paths = append(paths, "/Event/UserData/"+name)
				}
				for _, p := range paths {
					if el, err := m.Get(pathPtr(p)); err == nil {
						if fm, ok := (*el).(evtx.GoEvtxMap); ok {
							for k, v := range fm {
								if s, ok := v.(string); ok {
									ge.fields[k] = s
								}
							}
						}
					}
				}
				evs = append(evs, ge)
			}
		}()
	}
	return evs, problems
}

func pathPtr(s string) *evtx.GoEvtxPath {
	p := evtx.Path(s)
	return &p
}

func TestCrossCheck_GolangEvtx(t *testing.T) {
	total, written, fieldsOK, fieldsChecked := 0, 0, 0, 0
	for _, sf := range sampleFiles() {
		b, err := Marshal(sf.recs, sf.opt)
		require.NoError(t, err)
		evs, problems := readGolangEvtx(t, b, []string{"VmlEventLog"})
		assert.Empty(t, problems, sf.name)
		assert.Len(t, evs, len(sf.recs), sf.name)
		byID := map[uint64]goEvent{}
		for _, e := range evs {
			byID[e.id] = e
		}
		n := 0
		for i := range sf.recs {
			r := &sf.recs[i]
			id := firstID(sf.opt) + uint64(i)
			e, ok := byID[id]
			if !assert.True(t, ok, "%s: record %d lost", sf.name, id) {
				continue
			}
			okRec := assert.Equal(t, int64(r.EventID), e.eventID, "%s: %d event ID", sf.name, id) &&
				assert.True(t, r.Time.Equal(e.time), "%s: %d time %s != %s", sf.name, id, e.time, r.Time) &&
				checkGoProvider(t, r, e, sf.name, id) &&
				assert.Equal(t, r.Channel, e.channel, "%s: %d channel", sf.name, id) &&
				assert.Equal(t, r.Computer, e.computer, "%s: %d computer", sf.name, id)
			// Named string fields; golang-evtx drops empty strings, so
			// only non-empty ones are compared.
			fields := r.Data
			if r.UserData != nil {
				fields = r.UserData.Fields
			}
			for _, f := range fields {
				if f.Name == "" || f.Type != String || f.Value == "" {
					continue
				}
				fieldsChecked++
				if assert.Equal(t, f.Value, e.fields[f.Name], "%s: %d field %s", sf.name, id, f.Name) {
					fieldsOK++
				} else {
					okRec = false
				}
			}
			if okRec {
				n++
			}
		}
		t.Logf("golang-evtx %s: %d/%d records match", sf.name, n, len(sf.recs))
		total += n
		written += len(sf.recs)
	}
	t.Logf("golang-evtx total: %d/%d records match; %d/%d named string fields", total, written, fieldsOK, fieldsChecked)
}

// checkGoProvider checks the provider name. golang-evtx turns an element
// whose only attribute is Name into a key of its parent named after the
// attribute's value, so a classic event's <Provider Name="disk"/> shows up
// as System["disk"] = "" (it does the same on logs written by Windows).
func checkGoProvider(t *testing.T, r *Record, e goEvent, file string, id uint64) bool {
	if e.provider == "" && isClassic(r) && r.ProviderGUID == "" && r.EventSourceName == "" {
		return assert.True(t, e.system[r.Provider], "%s: %d provider key %q in %v", file, id, r.Provider, e.system)
	}
	return assert.Equal(t, r.Provider, e.provider, "%s: %d provider", file, id)
}

// pythonInterpreter is toolxml.PythonEvtx, skipping the test when
// python-evtx is not usable.
func pythonInterpreter(t *testing.T) (interp, dump string) {
	interp, dump, err := toolxml.PythonEvtx()
	if err != nil {
		t.Skip(err)
	}
	return interp, dump
}
