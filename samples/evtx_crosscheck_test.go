package samples

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/toolxml"

	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/samples/samplegen"
)

// The cross-check reads every event log of every sample with three
// independent parsers (the project's evtx.Walk, libevtx's evtxexport and
// python-evtx) and requires them to agree on every record. The samples are
// written by our own writer, so this is what proves they are real EVTX and
// not merely files our reader accepts.

// xrec is a parser-independent view of one record.
type xrec struct {
	ID                          uint64
	EventID, Qualifiers, Level  string
	Provider, Channel, Computer string
	Time                        time.Time
	Values                      []string // "name=value", payload order
	Binary                      string   // lower-case hex
}

func (r xrec) key() string {
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%s|%q|%s", r.ID, r.EventID, r.Qualifiers, r.Level, r.Provider, r.Channel, r.Computer,
		r.Time.UTC().Format(time.RFC3339Nano), r.Values, r.Binary)
}

// sampleLog is one event log found in a sample bundle.
type sampleLog struct {
	sample, path string
	data         []byte
}

// sampleLogs lists the EVTX files of every sample, also inside zips and
// zips within zips, recognised by their signature.
func sampleLogs(t *testing.T) []sampleLog {
	var out []sampleLog
	var walk func(sample, prefix string, files map[string][]byte, depth int)
	walk = func(sample, prefix string, files map[string][]byte, depth int) {
		for name, b := range files {
			switch {
			case bytes.HasPrefix(b, []byte("ElfFile\x00")):
				out = append(out, sampleLog{sample, prefix + name, b})
			case strings.EqualFold(path.Ext(name), ".zip") && bytes.HasPrefix(b, []byte("PK\x03\x04")) && depth < 3:
				walk(sample, prefix+name+"/", unzip(t, b), depth+1)
			}
		}
	}
	for _, s := range samplegen.All() {
		walk(s.Name, "", s.Files, 0)
	}
	return out
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		out[f.Name] = data
	}
	return out
}

// goRecords reads a log with the project's reader; damaged reports whether
// the reader had to skip or distrust anything (other parsers then differ by
// design, so the file is not cross-checked).
func goRecords(t *testing.T, b []byte) (recs []xrec, damaged bool) {
	st, err := evtx.Walk(t.Context(), bytes.NewReader(b), int64(len(b)), func(e *evtx.Event) error {
		r := xrec{ID: e.RecordID, EventID: strconv.Itoa(int(e.EventID)), Level: strconv.Itoa(int(e.Level)),
			Provider: e.Provider, Channel: e.Channel, Computer: e.Computer, Time: e.Time, Binary: hex.EncodeToString(e.Binary)}
		if e.HasQualifiers {
			r.Qualifiers = strconv.Itoa(int(e.Qualifiers))
		}
		fields := e.Data
		if e.UserDataName != "" {
			fields = e.UserData
		}
		for _, f := range fields {
			r.Values = append(r.Values, f.Name+"="+canonValue(f.Value))
		}
		recs = append(recs, r)
		return nil
	})
	require.NoError(t, err)
	damaged = len(st.Skipped) > 0 || st.ChecksumErrors > 0 || st.BadChunkHeaders > 0 || st.HeaderDamaged ||
		(st.HeaderChunkCount > 0 && st.Chunks != st.HeaderChunkCount)
	return recs, damaged
}

var (
	hexNumber = regexp.MustCompile(`^0x[0-9a-fA-F]+$`)
	guidText  = regexp.MustCompile(`^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$`)
)

// canonValue meets the parsers' renderings in the middle: GUIDs lower case
// without braces, hexadecimal numbers in decimal, times in RFC 3339.
func canonValue(s string) string {
	switch {
	case guidText.MatchString(s):
		return strings.ToLower(strings.Trim(s, "{}"))
	case hexNumber.MatchString(s):
		if u, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return strconv.FormatUint(u, 10)
		}
	}
	if tm, ok := parseTime(s); ok {
		return tm.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)
	}
	return s
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm, true
		}
	}
	return time.Time{}, false
}

var (
	pythonStrings = regexp.MustCompile(`(?s)<string>(.*?)</string>\n?`)
)

// toolRecords parses the <Event> stream a tool printed. python marks
// python-evtx, which prints classic insertion strings as one <Data> of
// <string> elements and binary data in base64.
func toolRecords(t *testing.T, out []byte, python bool) []xrec {
	events, err := toolxml.Events(out)
	require.NoError(t, err)
	var recs []xrec
	for _, ev := range events {
		sys := ev.Child("System")
		id, err := strconv.ParseUint(strings.TrimSpace(sys.Child("EventRecordID").Text), 10, 64)
		require.NoError(t, err)
		tm, ok := parseTime(sys.Child("TimeCreated").Attr("SystemTime"))
		require.True(t, ok, "record %d time %q", id, sys.Child("TimeCreated").Attr("SystemTime"))
		r := xrec{ID: id, EventID: sys.Child("EventID").Text, Qualifiers: sys.Child("EventID").Attr("Qualifiers"),
			Level: sys.Child("Level").Text, Provider: sys.Child("Provider").Attr("Name"), Channel: sys.Child("Channel").Text,
			Computer: sys.Child("Computer").Text, Time: tm}
		var payload []toolxml.Node
		userData := false
		if ud := ev.Child("UserData"); len(ud.Children) > 0 {
			payload, userData = ud.Children[0].Children, true
		} else {
			payload = ev.Child("EventData").Children
		}
		for _, d := range payload {
			name := d.XMLName.Local
			if !userData {
				if name == "Binary" {
					r.Binary = binaryText(t, d.Text, python)
					continue
				}
				name = d.Attr("Name")
			}
			if !userData && name == "" && python && strings.TrimSpace(d.Text) == "" {
				// python-evtx prints an empty <Data> for an event with no
				// insertion strings; there is no value in it.
				continue
			}
			if !userData && name == "" && python && strings.Contains(d.Text, "<string>") {
				for _, m := range pythonStrings.FindAllStringSubmatch(d.Text, -1) {
					r.Values = append(r.Values, "="+canonValue(m[1]))
				}
				continue
			}
			r.Values = append(r.Values, name+"="+canonValue(d.Text))
		}
		recs = append(recs, r)
	}
	return recs
}

func binaryText(t *testing.T, s string, python bool) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b []byte
	var err error
	if python {
		b, err = base64.StdEncoding.DecodeString(s)
	} else {
		b, err = hex.DecodeString(s)
	}
	require.NoError(t, err, "binary %q", s)
	return hex.EncodeToString(b)
}

// pythonView predicts what python-evtx 0.6.1 shows of our record: its
// string-array splitter moves leading empty strings after the first
// non-empty one, and it prints times at microsecond precision (with up to
// a few microseconds of float error, absorbed by comparing whole seconds
// here: sample times are whole seconds). Qualifiers it prints empty for
// manifest events, as does our reader.
func pythonView(r xrec) xrec {
	allPositional := len(r.Values) > 0
	for _, v := range r.Values {
		allPositional = allPositional && strings.HasPrefix(v, "=")
	}
	if allPositional {
		var written []string
		for _, v := range r.Values {
			written = append(written, v[1:])
		}
		r.Values = nil
		for _, s := range toolxml.PythonStrings(written) {
			r.Values = append(r.Values, "="+canonValue(s))
		}
	}
	return r
}

func TestSampleEVTXCrossCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-check with other EVTX readers skipped in -short mode")
	}
	exporter, errExport := exec.LookPath("evtxexport")
	interp, dump, pyErr := toolxml.PythonEvtx()
	havePython := pyErr == nil
	if errExport != nil && !havePython {
		t.Skip("neither evtxexport (apt-get install libevtx-utils) nor python-evtx (apt-get install python3-evtx) is installed")
	}
	logs := sampleLogs(t)
	require.NotEmpty(t, logs)
	dir := t.TempDir()
	var files, damaged, records, viaExport, viaPython int
	for i, l := range logs {
		want, isDamaged := goRecords(t, l.data)
		if isDamaged {
			// Readers legitimately differ on damaged logs (what to skip,
			// where to resynchronise); the damage itself is tested in
			// internal/evtxwrite and evtx.
			damaged++
			continue
		}
		files++
		records += len(want)
		p := filepath.Join(dir, fmt.Sprintf("%03d.evtx", i))
		require.NoError(t, os.WriteFile(p, l.data, 0o644))
		where := l.sample + ": " + l.path
		if errExport == nil {
			out, err := exec.Command(exporter, "-f", "xml", p).Output()
			require.NoError(t, err, where)
			got := toolRecords(t, out, false)
			viaExport += compareRecords(t, "evtxexport", where, want, got, func(r xrec) xrec { return r })
		}
		if havePython {
			out, err := exec.Command(interp, dump, p).Output()
			require.NoError(t, err, where)
			got := toolRecords(t, out, true)
			viaPython += compareRecords(t, "python-evtx", where, want, got, pythonView)
		}
	}
	t.Logf("%d sample logs cross-checked (%d records; evtxexport agreed on %d, python-evtx on %d); %d damaged logs left to the damage tests",
		files, records, viaExport, viaPython, damaged)
	assert.Positive(t, files)
}

// compareRecords requires the tool to show exactly our reader's records
// (after view models the tool's known rendering quirks) and returns how
// many matched.
func compareRecords(t *testing.T, tool, where string, ours, theirs []xrec, view func(xrec) xrec) int {
	if !assert.Len(t, theirs, len(ours), "%s: %s record count", where, tool) {
		return 0
	}
	matched := 0
	for i := range ours {
		want := view(ours[i])
		got := theirs[i]
		// Both tools print whole-second sample times exactly; python-evtx
		// goes through a float and may land a microsecond off.
		if d := got.Time.Sub(want.Time); d.Abs() <= 4*time.Microsecond {
			got.Time = want.Time
		}
		if assert.Equal(t, want.key(), got.key(), "%s: %s record %d", where, tool, want.ID) {
			matched++
		}
	}
	return matched
}
