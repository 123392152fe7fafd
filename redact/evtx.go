package redact

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"golang.org/x/text/encoding/unicode"
)

const arrayFlag = 0x80

// rewriteEVTX decodes every record, redacts its strings and writes a new
// log with evtxwrite, keeping record IDs, times and the dirty and full
// flags. The new log is read back and compared with what was intended,
// record by record. Damaged pieces of the log (which cannot be read, so
// cannot be redacted) are left out and listed in the notes; a record the
// writer cannot express, or a binary payload that holds a name, leaves
// the whole file out.
func rewriteEVTX(ctx context.Context, m *Map, e *analyze.Entry) ([]byte, []string, error) {
	ra, err := e.ReaderAt()
	if err != nil {
		return nil, nil, err
	}
	var (
		recs []evtxwrite.Record
		want []*evtx.Event
		bad  error
	)
	st, err := evtx.Walk(ctx, ra, e.Size, func(ev *evtx.Event) error {
		r, w, err := redactRecord(m, ev)
		if err != nil {
			bad = fmt.Errorf("record %d: %w", ev.RecordID, err)
			return bad
		}
		if n := len(want); n > 0 && ev.RecordID <= want[n-1].RecordID {
			bad = fmt.Errorf("record %d follows record %d: the writer needs rising record IDs", ev.RecordID, want[n-1].RecordID)
			return bad
		}
		r.RecordID = ev.RecordID
		recs = append(recs, r)
		want = append(want, w)
		return nil
	})
	switch {
	case bad != nil:
		return nil, nil, bad
	case err != nil:
		return nil, nil, err
	}
	var notes []string
	for _, sk := range st.Skipped {
		notes = append(notes, fmt.Sprintf("damaged piece left out: %v", &sk))
	}
	if st.ChecksumErrors > 0 && len(st.Skipped) == 0 {
		notes = append(notes, fmt.Sprintf("%d chunk(s) had a checksum error; their records were read and re-encoded with good checksums", st.ChecksumErrors))
	}
	opt := evtxwrite.Options{Dirty: st.Dirty, Full: st.Full}
	if len(want) > 0 {
		opt.FirstRecordID = want[0].RecordID
	}
	out, err := evtxwrite.Marshal(recs, opt)
	if err != nil {
		return nil, nil, err
	}
	if err := verifyEVTX(ctx, out, want); err != nil {
		return nil, nil, fmt.Errorf("re-encoded log does not read back the same: %w", err)
	}
	return out, notes, nil
}

// redactRecord turns a decoded event into a writer record with its strings
// redacted, and the event the new record must read back as.
func redactRecord(m *Map, ev *evtx.Event) (evtxwrite.Record, *evtx.Event, error) {
	if ev.Unrepresented {
		return evtxwrite.Record{}, nil, errors.New("holds structure the writer cannot reproduce (nested UserData, RelatedActivityID or a non-hex Binary)")
	}
	if err := binarySafe(m, ev.Binary); err != nil {
		return evtxwrite.Record{}, nil, err
	}
	w := *ev
	w.Offset = 0
	w.Computer = m.Apply(ev.Computer)
	r := evtxwrite.Record{
		Provider: ev.Provider, ProviderGUID: ev.ProviderGUID, EventSourceName: ev.EventSourceName,
		Channel: ev.Channel, Computer: w.Computer, UserSID: ev.UserSID, ActivityID: ev.ActivityID,
		EventID: ev.EventID, Qualifiers: ev.Qualifiers, HasQualifiers: ev.HasQualifiers,
		Version: ev.Version, Level: ev.Level, Opcode: ev.Opcode, Task: ev.Task, Keywords: ev.Keywords,
		Time: ev.Time, ProcessID: ev.ProcessID, ThreadID: ev.ThreadID, Binary: ev.Binary,
	}
	classic := len(ev.Data) > 0
	for _, f := range ev.Data {
		classic = classic && f.Name == ""
	}
	var err error
	r.Data, w.Data, err = redactFields(m, ev.Data, ev.DataTypes, classic)
	if err != nil {
		return r, nil, err
	}
	if ev.UserDataName != "" {
		var fs []evtxwrite.Field
		fs, w.UserData, err = redactFields(m, ev.UserData, ev.UserDataTypes, false)
		if err != nil {
			return r, nil, err
		}
		if len(ev.Data) > 0 || len(ev.Binary) > 0 {
			return r, nil, errors.New("has both EventData and UserData")
		}
		r.UserData = &evtxwrite.UserData{Name: ev.UserDataName, Namespace: evtxwrite.VMLNamespace, Fields: fs}
		if ev.UserDataName != "VmlEventLog" {
			return r, nil, fmt.Errorf("UserData element %q: its namespace is not known to the reader", ev.UserDataName)
		}
	}
	return r, &w, nil
}

func redactFields(m *Map, fs []evtx.Field, types []uint8, classic bool) ([]evtxwrite.Field, []evtx.Field, error) {
	if len(types) != len(fs) {
		return nil, nil, errors.New("field types unknown")
	}
	var out []evtxwrite.Field
	var read []evtx.Field
	for i, f := range fs {
		code := types[i]
		typ := evtxwrite.String
		switch {
		case code == 0 || code == 0xff:
			// empty, or text in several parts: written as one string
		case classic && code == arrayFlag|1:
			// classic insertion strings: the writer makes them one array again
		case code&arrayFlag != 0:
			return nil, nil, fmt.Errorf("field %q is an array of type 0x%02x", f.Name, code&^arrayFlag)
		default:
			t, ok := evtxwrite.TypeOf(code)
			if !ok {
				return nil, nil, fmt.Errorf("field %q has value type 0x%02x, which the writer cannot write", f.Name, code)
			}
			typ = t
		}
		v := f.Value
		switch typ {
		case evtxwrite.String:
			v = m.Apply(v)
		case evtxwrite.Binary:
			raw, err := hex.DecodeString(v)
			if err != nil {
				return nil, nil, fmt.Errorf("field %q: %w", f.Name, err)
			}
			if err := binarySafe(m, raw); err != nil {
				return nil, nil, err
			}
		}
		out = append(out, evtxwrite.Field{Name: f.Name, Value: v, Type: typ})
		read = append(read, evtx.Field{Name: f.Name, Value: v})
	}
	return out, read, nil
}

// binarySafe refuses binary data that holds an original value in ASCII or
// UTF-16: it could only be replaced by changing the data's layout.
func binarySafe(m *Map, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	u16, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder().Bytes(b[:len(b)&^1])
	var odd []byte
	if len(b) > 1 {
		odd, _ = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder().Bytes(b[1 : 1+(len(b)-1)&^1])
	}
	for _, s := range []string{string(b), string(u16), string(odd)} {
		if m.Apply(s) != s {
			return errors.New("binary data holds a name that cannot be replaced without changing its layout")
		}
	}
	return nil
}

// verifyEVTX reads the new log back and compares every event with the
// intended one.
func verifyEVTX(ctx context.Context, out []byte, want []*evtx.Event) error {
	i := 0
	st, err := evtx.Walk(ctx, bytes.NewReader(out), int64(len(out)), func(ev *evtx.Event) error {
		if i >= len(want) {
			return errors.New("more records than written")
		}
		got, w := *ev, *want[i]
		got.Offset, w.Offset = 0, 0
		got.DataTypes, got.UserDataTypes, w.DataTypes, w.UserDataTypes = nil, nil, nil, nil
		if len(w.Data) == 0 {
			w.Data, got.Data = nil, nil
		}
		if len(w.UserData) == 0 {
			w.UserData, got.UserData = nil, nil
		}
		if !reflect.DeepEqual(got, w) {
			return fmt.Errorf("record %d differs: %s", w.RecordID, diffEvent(got, w))
		}
		i++
		return nil
	})
	if err != nil {
		return err
	}
	if i != len(want) || len(st.Skipped) > 0 {
		return fmt.Errorf("read %d of %d records", i, len(want))
	}
	return nil
}

func diffEvent(got, want evtx.Event) string {
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	var d []string
	for i := range gv.NumField() {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			d = append(d, fmt.Sprintf("%s: %v, want %v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface()))
		}
	}
	return strings.Join(d, "; ")
}
