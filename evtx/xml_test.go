package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const vmmsEventXML = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Hyper-V-VMMS" Guid="{6066f867-7ca1-4418-85fd-36e3f9c0600c}" />
    <EventID>18350</EventID>
    <Version>0</Version>
    <Level>2</Level>
    <Task>0</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8000000000000000</Keywords>
    <TimeCreated SystemTime="2024-03-14T02:06:41.1180000Z" />
    <EventRecordID>4711</EventRecordID>
    <Channel>Microsoft-Windows-Hyper-V-VMMS-Admin</Channel>
    <Computer>HV01.example.test</Computer>
    <Security UserID="S-1-5-18" />
  </System>
  <UserData>
    <VmlEventLog xmlns="http://www.microsoft.com/Windows/Virtualization/Events">
      <VmName>APP01</VmName>
      <VmId>6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73</VmId>
      <ErrorCode>0x80070005</ErrorCode>
      <Parameter0></Parameter0>
      <Parameter1>C:\VMs\APP01 &amp; co</Parameter1>
    </VmlEventLog>
  </UserData>
</Event>`

const classicEventXML = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='disk'/><EventID Qualifiers='32772'>153</EventID><Level>3</Level><Task>0</Task><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='2024-03-14T02:06:41.118Z'/><EventRecordID>99</EventRecordID><Channel>System</Channel><Computer>HV01</Computer><Security/></System><EventData><Data>\Device\Harddisk3\DR3</Data><Data></Data><Data>3</Data><Binary>0F01040003002C00</Binary></EventData><RenderingInfo Culture='en-US'><Message>The IO operation was retried.</Message></RenderingInfo></Event>`

func walkXMLString(t *testing.T, input []byte) ([]*Event, Stats) {
	t.Helper()
	var got []*Event
	st, err := WalkXML(context.Background(), bytes.NewReader(input), func(ev *Event) error {
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, len(got), st.Records)
	return got, st
}

func utf16LE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xff, 0xfe)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func checkVMMS(t *testing.T, ev *Event) {
	t.Helper()
	assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", ev.Provider)
	assert.Equal(t, "{6066f867-7ca1-4418-85fd-36e3f9c0600c}", ev.ProviderGUID)
	assert.EqualValues(t, 18350, ev.EventID)
	assert.False(t, ev.HasQualifiers)
	assert.EqualValues(t, 2, ev.Level)
	assert.Equal(t, uint64(0x8000000000000000), ev.Keywords)
	assert.Equal(t, time.Date(2024, 3, 14, 2, 6, 41, 118000000, time.UTC), ev.Time)
	assert.EqualValues(t, 4711, ev.RecordID)
	assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS-Admin", ev.Channel)
	assert.Equal(t, "HV01.example.test", ev.Computer)
	assert.Equal(t, "S-1-5-18", ev.UserSID)
	assert.Equal(t, "VmlEventLog", ev.UserDataName)
	assert.Equal(t, []Field{
		{"VmName", "APP01"},
		{"VmId", "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73"},
		{"ErrorCode", "0x80070005"},
		{"Parameter0", ""},
		{"Parameter1", `C:\VMs\APP01 & co`},
	}, ev.UserData)
	assert.Empty(t, ev.Data)
	assert.Zero(t, ev.Offset)
}

func TestWalkXML_Encodings(t *testing.T) {
	saved := `<?xml version="1.0" encoding="UTF-16"?>` + "\r\n<Events>" + vmmsEventXML + "\r\n</Events>"
	tests := []struct {
		name  string
		input []byte
	}{
		{"utf-16le with BOM", utf16LE(saved, true)},
		{"utf-16le without BOM", utf16LE("<Events>"+vmmsEventXML+"</Events>", false)},
		{"utf-8 with BOM", append([]byte("\xef\xbb\xbf"), `<?xml version="1.0" encoding="utf-8"?><Events>`+vmmsEventXML+`</Events>`...)},
		{"utf-8 bare event", []byte(vmmsEventXML)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st := walkXMLString(t, tc.input)
			require.Len(t, got, 1)
			assert.Empty(t, st.Skipped)
			checkVMMS(t, got[0])
		})
	}
}

func TestWalkXML_BareConcatenationAndLines(t *testing.T) {
	input := vmmsEventXML + "\n" + classicEventXML + "\n" + vmmsEventXML
	got, st := walkXMLString(t, []byte(input))
	require.Len(t, got, 3)
	assert.Empty(t, st.Skipped)
	vmmsLines := strings.Count(vmmsEventXML, "\n")
	assert.Equal(t, []int{1, vmmsLines + 2, vmmsLines + 3}, []int{got[0].Line, got[1].Line, got[2].Line})
	checkVMMS(t, got[0])
	checkVMMS(t, got[2])
}

func TestWalkXML_ClassicEvent(t *testing.T) {
	got, _ := walkXMLString(t, []byte("<Events>"+classicEventXML+"</Events>"))
	require.Len(t, got, 1)
	ev := got[0]
	assert.Equal(t, "disk", ev.Provider)
	assert.Empty(t, ev.ProviderGUID)
	assert.EqualValues(t, 153, ev.EventID)
	assert.True(t, ev.HasQualifiers)
	assert.EqualValues(t, 32772, ev.Qualifiers)
	assert.Equal(t, []Field{{"", `\Device\Harddisk3\DR3`}, {"", ""}, {"", "3"}}, ev.Data)
	assert.Equal(t, []byte{0x0f, 0x01, 0x04, 0x00, 0x03, 0x00, 0x2c, 0x00}, ev.Binary)
	assert.Equal(t, "The IO operation was retried.", ev.Message)
	assert.Equal(t, time.Date(2024, 3, 14, 2, 6, 41, 118000000, time.UTC), ev.Time)
	assert.Empty(t, ev.UserSID)
}

func TestWalkXML_MalformedEventIsSkipped(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		events int
		line   int
	}{
		{"mismatched tag", "<Events>\n" + classicEventXML + "\n<Event><System><Level>2</Lvl></System></Event>\n" + classicEventXML + "</Events>", 2, 3},
		{"never closed", classicEventXML + "\n<Event><System>\n" + classicEventXML, 2, 2},
		{"cut off at the end", classicEventXML + "\n" + classicEventXML + "\n<Event><System><Provider Name='x'/>", 2, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st := walkXMLString(t, []byte(tc.input))
			assert.Len(t, got, tc.events)
			require.Len(t, st.Skipped, 1)
			assert.Equal(t, tc.line, st.Skipped[0].Line)
			assert.ErrorIs(t, &st.Skipped[0], ErrXMLEvent)
			for _, ev := range got {
				assert.Equal(t, "disk", ev.Provider)
			}
		})
	}
}

func TestWalkXML_CallbackErrorAndCancel(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := WalkXML(context.Background(), strings.NewReader(classicEventXML+classicEventXML), func(*Event) error {
		n++
		return stop
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = WalkXML(ctx, strings.NewReader(classicEventXML), func(*Event) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
}

func TestWalkXML_NoEvents(t *testing.T) {
	got, st := walkXMLString(t, []byte("<Events></Events>"))
	assert.Empty(t, got)
	assert.Empty(t, st.Skipped)
}
