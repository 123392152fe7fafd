package evtx

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"testing"
	"time"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The round trip writes logs with the project's EVTX writer and checks that
// Walk gives back exactly what was written. No public log holds Hyper-V
// VMMS/Worker events, so this is what covers the UserData/VmlEventLog path.
// Hosts, VMs and ids below are invented.

const (
	rtHost    = "HVNODE3.fabrikam.test"
	rtVMSID   = "S-1-5-83-1-2210467121-1183049822-3182442129-3563171542"
	rtVMID    = "83C0A531-1E5E-4683-91D4-A5BDD6F0619E"
	rtVMMS    = "{6066F867-7CA1-4418-85FD-36E3F9C0600C}"
	rtWorker  = "{51DDFA29-D5C8-4803-BE4B-2ECB715570FE}"
	rtKernelG = "{A68CA8B7-004F-D7B6-A698-07E2DE0F1F5D}"
	rtNtfs    = "{3FF37A1C-A68D-4D6E-8C9B-F79E8B16C482}"
)

// rtField is a written field with the text Walk must render for it (Windows'
// rendering: decimal integers, 0x-hex HexInt, braced upper-case GUIDs,
// 9-digit time fractions, upper-case hex binary).
type rtField struct {
	f    evtxwrite.Field
	want string
}

func str(name, v string) rtField { return rtField{evtxwrite.Field{Name: name, Value: v}, v} }
func typed(name, v string, t evtxwrite.Type, want string) rtField {
	return rtField{evtxwrite.Field{Name: name, Value: v, Type: t}, want}
}

type rtCase struct {
	rec  evtxwrite.Record
	data []rtField // EventData, or UserData fields when userData is set
	// userData names the UserData element; empty for EventData payloads.
	userData string
}

var rtTime = time.Date(2024, 11, 3, 22, 41, 7, 123456700, time.UTC)

func rtManifest(provider, guid, channel string, id uint16, level uint8, sec int) evtxwrite.Record {
	return evtxwrite.Record{
		Provider: provider, ProviderGUID: guid, Channel: channel, Computer: rtHost,
		EventID: id, Level: level, Task: 7, Opcode: 1, Version: 2, Keywords: 0x8000000000000000,
		Time: rtTime.Add(time.Duration(sec) * time.Second), UserSID: "S-1-5-18", ProcessID: 4, ThreadID: 88,
	}
}

func rtClassic(provider string, id, qual uint16, level uint8, sec int, bin []byte) evtxwrite.Record {
	return evtxwrite.Record{
		Provider: provider, Channel: "System", Computer: rtHost,
		EventID: id, Qualifiers: qual, HasQualifiers: true, Level: level, Keywords: 0x80000000000000,
		Time: rtTime.Add(time.Duration(sec) * time.Second), Binary: bin,
	}
}

func rtCases() []rtCase {
	vmms := func(id uint16, level uint8, sec int, fields ...rtField) rtCase {
		r := rtManifest("Microsoft-Windows-Hyper-V-VMMS", rtVMMS, "Microsoft-Windows-Hyper-V-VMMS-Admin", id, level, sec)
		r.UserSID = rtVMSID
		return rtCase{rec: r, data: fields, userData: "VmlEventLog"}
	}
	worker := vmms(3040, 2, 3,
		str("VmName", "SQL02"), str("VmId", rtVMID), typed("ErrorCode", "0x80070490", evtxwrite.HexInt32, "0x80070490"))
	worker.rec.Provider, worker.rec.ProviderGUID, worker.rec.Channel = "Microsoft-Windows-Hyper-V-Worker", rtWorker, "Microsoft-Windows-Hyper-V-Worker-Admin"

	classic := func(provider string, id, qual uint16, level uint8, sec int, bin []byte, data ...string) rtCase {
		c := rtCase{rec: rtClassic(provider, id, qual, level, sec, bin)}
		for _, d := range data {
			c.data = append(c.data, str("", d))
		}
		return c
	}
	vss := classic("VSS", 8229, 0, 3, 5, []byte("- Code: WRTWRTIC00000424"),
		"", "0x800423f4, The writer experienced a non-transient error.\n", "",
		"\n\nOperation:\n   PrepareForSnapshot Event\n\nContext:\n   Writer Name: Microsoft Hyper-V VSS Writer", "")
	vss.rec.Channel = "Application"

	kernel := rtCase{rec: rtManifest("Microsoft-Windows-Kernel-General", rtKernelG, "System", 12, 4, 9), data: []rtField{
		typed("MajorVersion", "10", evtxwrite.UInt32, "10"),
		typed("MinorVersion", "0", evtxwrite.UInt32, "0"),
		typed("BuildVersion", "20348", evtxwrite.UInt32, "20348"),
		typed("QfeVersion", "2762", evtxwrite.UInt32, "2762"),
		typed("ServiceVersion", "0", evtxwrite.UInt16, "0"),
		typed("BootMode", "0", evtxwrite.UInt32, "0"),
		typed("StartTime", "2024-11-03T22:40:58.5000001Z", evtxwrite.FileTime, "2024-11-03T22:40:58.500000100Z"),
	}}
	ntfs := rtCase{rec: rtManifest("Microsoft-Windows-Ntfs", rtNtfs, "System", 55, 2, 11), data: []rtField{
		str("DriveName", "E:"),
		str("DeviceName", `\Device\HarddiskVolume7`),
		typed("CorruptionState", "0x1", evtxwrite.HexInt32, "0x1"),
		typed("HeaderFlags", "0x922", evtxwrite.HexInt32, "0x922"),
		str("Severity", "Critical"),
		str("Origin", "File System Driver"),
		str("Verb", "Bad FRS"),
		str("Description", "The file record segment is unreadable."),
		typed("Signature", "0xb26ce8b5", evtxwrite.HexInt32, "0xb26ce8b5"),
		str("Outcome", "Pseudo-Bugcheck"),
		typed("SampleLength", "4", evtxwrite.UInt32, "4"),
		typed("SampleData", "46494c45", evtxwrite.Binary, "46494C45"),
		typed("SourceFile", "20", evtxwrite.UInt32, "20"),
		typed("SourceLine", "2141", evtxwrite.UInt32, "2141"),
		typed("SourceTag", "412", evtxwrite.UInt32, "412"),
		str("CallStack", ""),
		typed("VolumeGuid", "{5bd8a4a6-0000-0000-0000-100000000000}", evtxwrite.GUID, "{5BD8A4A6-0000-0000-0000-100000000000}"),
	}}

	return []rtCase{
		vmms(18350, 2, 1,
			str("VmName", "WEB-FE01"), str("VmId", rtVMID),
			typed("ErrorCode", "0x80070005", evtxwrite.HexInt32, "0x80070005"),
			str("Parameter0", ""), str("Parameter1", `D:\Hyper-V\WEB-FE01 & Co <prod>`)),
		vmms(18012, 2, 2, str("VmName", "WEB-FE01"), str("VmId", rtVMID), str("ErrorMessage", "Die Prüfpunktoperation ist fehlgeschlagen – 日本語")),
		worker,
		vss,
		classic("disk", 153, 0x8004, 3, 6, []byte{0x0f, 0x01, 0x04, 0x00, 0x03, 0x00, 0x2c, 0x00}, `\Device\Harddisk3\DR3`, "0x2a81f400", "3", `\Device\00000052`),
		classic("storahci", 129, 0x8004, 3, 7, []byte{0x0f, 0x01, 0x04, 0x00, 0x03, 0x00, 0x68, 0x00}, `\Device\RaidPort0`),
		classic("Ntfs", 55, 0xc004, 2, 8, []byte{0, 0, 4, 0, 2, 0, 0x30, 0}, "", "D:", ""),
		classic("EventLog", 6006, 0x8000, 4, 8, nil),
		kernel,
		ntfs,
	}
}

func (c rtCase) record() evtxwrite.Record {
	r := c.rec
	var fs []evtxwrite.Field
	for _, f := range c.data {
		fs = append(fs, f.f)
	}
	if c.userData != "" {
		r.UserData = &evtxwrite.UserData{Name: c.userData, Namespace: evtxwrite.VMLNamespace, Fields: fs}
	} else {
		r.Data = fs
	}
	return r
}

// expected is the Event Walk must produce for c written with record id id.
func (c rtCase) expected(id uint64) Event {
	r := c.rec
	ev := Event{
		RecordID: id, Time: r.Time.Truncate(100 * time.Nanosecond),
		Provider: r.Provider, ProviderGUID: r.ProviderGUID, EventSourceName: r.EventSourceName,
		Channel: r.Channel, Computer: r.Computer, UserSID: r.UserSID,
		ProcessID: r.ProcessID, ThreadID: r.ThreadID, ActivityID: r.ActivityID,
		EventID: r.EventID, Qualifiers: r.Qualifiers, HasQualifiers: r.HasQualifiers,
		Version: r.Version, Level: r.Level, Opcode: r.Opcode, Task: r.Task, Keywords: r.Keywords,
		Binary: r.Binary,
	}
	var fs []Field
	var ts []uint8
	classic := true
	for _, f := range c.data {
		classic = classic && f.f.Name == ""
	}
	for _, f := range c.data {
		fs = append(fs, Field{Name: f.f.Name, Value: f.want})
		t := f.f.Type.Code()
		if classic && c.userData == "" {
			t |= 0x80 // classic insertion strings are one string array
		}
		ts = append(ts, t)
	}
	if c.userData != "" {
		ev.UserDataName, ev.UserData, ev.UserDataTypes = c.userData, fs, ts
	} else {
		ev.Data, ev.DataTypes = fs, ts
	}
	return ev
}

func marshalCases(t testing.TB, cases []rtCase, opt evtxwrite.Options) []byte {
	t.Helper()
	recs := make([]evtxwrite.Record, len(cases))
	for i, c := range cases {
		recs[i] = c.record()
	}
	b, err := evtxwrite.Marshal(recs, opt)
	require.NoError(t, err)
	return b
}

// comparable clears what Walk adds on its own (the file offset).
func comparable(ev *Event) Event {
	e := *ev
	e.Offset = 0
	return e
}

func TestRoundTrip_Fields(t *testing.T) {
	cases := rtCases()
	b := marshalCases(t, cases, evtxwrite.Options{FirstRecordID: 7001})
	st, evs, err := walkBytes(t, b)
	require.NoError(t, err)
	require.Len(t, evs, len(cases))
	assert.Empty(t, st.Skipped)
	assert.Zero(t, st.ChecksumErrors)
	for i, c := range cases {
		id := uint64(7001 + i)
		t.Run(fmt.Sprintf("%s_%d", c.rec.Provider, c.rec.EventID), func(t *testing.T) {
			ev := evs[i]
			assert.Positive(t, ev.Offset)
			assert.Zero(t, ev.Line)
			assert.Equal(t, time.UTC, ev.Time.Location())
			assert.Equal(t, c.expected(id), comparable(ev))
		})
	}
	// The VMMS accessors the rules use.
	name, ok := evs[0].UserDataValue("VmName")
	assert.True(t, ok)
	assert.Equal(t, "WEB-FE01", name)
	p0, ok := evs[0].UserDataValue("Parameter0")
	assert.True(t, ok)
	assert.Empty(t, p0)
	state, ok := evs[9].DataValue("CorruptionState")
	assert.True(t, ok)
	assert.Equal(t, "0x1", state)
}

// bulkCases makes n records cycling through the case shapes, each with its
// own values, so that every chunk holds a mix and names/templates recur.
func bulkCases(n int) []rtCase {
	base := rtCases()
	out := make([]rtCase, n)
	for i := range out {
		c := base[i%len(base)]
		c.rec.Time = rtTime.Add(time.Duration(i) * 1234567 * time.Microsecond)
		c.data = append([]rtField(nil), c.data...)
		if len(c.data) > 0 && c.data[0].f.Type == evtxwrite.String {
			v := fmt.Sprintf("%s-%05d", c.data[0].want, i)
			c.data[0] = rtField{evtxwrite.Field{Name: c.data[0].f.Name, Value: v}, v}
		}
		out[i] = c
	}
	return out
}

func TestRoundTrip_ManyChunks(t *testing.T) {
	cases := bulkCases(3000)
	b := marshalCases(t, cases, evtxwrite.Options{FirstRecordID: 1, Dirty: true, Full: true})
	chunks := (len(b) - fileHeaderBlock) / chunkSize
	require.GreaterOrEqual(t, chunks, 4, "the test needs several chunks")

	st, evs, err := walkBytes(t, b)
	require.NoError(t, err)
	require.Len(t, evs, len(cases))
	assert.Empty(t, st.Skipped)
	assert.Equal(t, chunks, st.Chunks)
	assert.Equal(t, chunks, st.HeaderChunkCount)
	assert.Equal(t, uint64(len(cases)+1), st.HeaderNextRecordID)
	assert.Equal(t, 3, st.MajorVersion)
	assert.Equal(t, 1, st.MinorVersion)
	// Flags 3: golang-evtx's Verify calls only flags == 1 dirty; we read bits.
	assert.True(t, st.Dirty)
	assert.True(t, st.Full)
	assert.False(t, st.HeaderDamaged)
	assert.Zero(t, st.ChecksumErrors)
	assert.Zero(t, st.BadChunkHeaders)
	for i, c := range cases {
		require.Equal(t, c.expected(uint64(i+1)), comparable(evs[i]), "record %d", i+1)
	}
}

// TestRoundTrip_Damage checks the damage decisions fed by the header facts
// on a multi-chunk log whose undamaged content is known exactly.
func TestRoundTrip_Damage(t *testing.T) {
	cases := bulkCases(1500)
	good := marshalCases(t, cases, evtxwrite.Options{})
	chunks := (len(good) - fileHeaderBlock) / chunkSize
	require.GreaterOrEqual(t, chunks, 3)
	// Records per chunk, from the undamaged walk.
	_, all, err := walkBytes(t, good)
	require.NoError(t, err)
	require.Len(t, all, len(cases))
	inChunk := func(k int) int {
		n := 0
		for _, ev := range all {
			if int((ev.Offset-fileHeaderBlock)/chunkSize) == k {
				n++
			}
		}
		return n
	}
	le := binary.LittleEndian

	tests := []struct {
		name   string
		damage func(t *testing.T) []byte
		check  func(t *testing.T, st Stats, evs []*Event)
	}{
		{"chunk header checksum", func(t *testing.T) []byte {
			b, err := evtxwrite.Damaged(good, evtxwrite.ChunkHeaderChecksum, 1)
			require.NoError(t, err)
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Len(t, evs, len(cases))
			assert.Equal(t, 1, st.ChecksumErrors)
			assert.Empty(t, st.Skipped)
		}},
		{"records checksum", func(t *testing.T) []byte {
			b, err := evtxwrite.Damaged(good, evtxwrite.RecordsChecksum, 2)
			require.NoError(t, err)
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Len(t, evs, len(cases))
			assert.Equal(t, 1, st.ChecksumErrors)
		}},
		{"zeroed chunk", func(t *testing.T) []byte {
			b, err := evtxwrite.Damaged(good, evtxwrite.ZeroedChunk, 1)
			require.NoError(t, err)
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Len(t, evs, len(cases)-inChunk(1))
			assert.Equal(t, 1, st.EmptySlots)
			assert.Equal(t, 1, st.ZeroedChunks, "a zeroed chunk before live ones is a hole")
			assert.Equal(t, chunks-1, st.Chunks)
		}},
		{"truncated last chunk", func(t *testing.T) []byte {
			b, err := evtxwrite.Damaged(good, evtxwrite.TruncatedChunk, chunks-1)
			require.NoError(t, err)
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Less(t, len(evs), len(cases))
			assert.Greater(t, len(evs), len(cases)-inChunk(chunks-1))
			require.Len(t, st.Skipped, 1)
			assert.ErrorIs(t, &st.Skipped[0], ErrTruncated)
			assert.Equal(t, 1, st.ChecksumErrors, "records checksum over the cut chunk")
		}},
		{"header understates chunk count", func(t *testing.T) []byte {
			b, err := evtxwrite.Damaged(good, evtxwrite.HeaderChunkCount, 0)
			require.NoError(t, err)
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Len(t, evs, len(cases))
			assert.Equal(t, chunks-1, st.HeaderChunkCount)
			assert.Equal(t, chunks, st.Chunks)
			assert.False(t, st.HeaderDamaged)
		}},
		{"file header checksum", func(t *testing.T) []byte {
			b := append([]byte(nil), good...)
			b[100] ^= 0x55 // inside the checksummed, otherwise unused area
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Len(t, evs, len(cases))
			assert.True(t, st.HeaderDamaged)
			assert.Equal(t, chunks, st.HeaderChunkCount)
		}},
		{"chunk header size field wrong but sealed", func(t *testing.T) []byte {
			b := append([]byte(nil), good...)
			c := b[fileHeaderBlock+chunkSize : fileHeaderBlock+2*chunkSize]
			le.PutUint32(c[40:], 0x90)
			le.PutUint32(c[124:], chunkHeaderCRC(c))
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Len(t, evs, len(cases))
			assert.Equal(t, 1, st.BadChunkHeaders)
			assert.Zero(t, st.ChecksumErrors)
		}},
		{"file header from another version", func(t *testing.T) []byte {
			b := append([]byte(nil), good...)
			le.PutUint16(b[38:], 2)
			le.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
			return b
		}, func(t *testing.T, st Stats, evs []*Event) {
			assert.Len(t, evs, len(cases))
			assert.True(t, st.HeaderDamaged)
			assert.Equal(t, 2, st.MajorVersion)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, evs, err := walkBytes(t, tc.damage(t))
			require.NoError(t, err)
			tc.check(t, st, evs)
			// Whatever survived must be exactly what was written.
			byID := map[uint64]*Event{}
			for _, ev := range all {
				byID[ev.RecordID] = ev
			}
			for _, ev := range evs {
				want, ok := byID[ev.RecordID]
				require.True(t, ok, "record %d was never written", ev.RecordID)
				require.Equal(t, comparable(want), comparable(ev))
			}
		})
	}
}
