package evtx

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// Inputs are composed to look like what Windows PowerShell 5.1 writes with
// `Get-WinEvent … | Format-List > x.txt` (UTF-16LE with BOM, CRLF, values
// aligned on a column) and `… | Export-Csv x.csv`. Hosts and VMs are invented.

const vmmsMessage = "'WEB-FE01' could not initiate a checkpoint operation: Access is denied. (0x80070005). (Virtual machine ID 83C0A531-1E5E-4683-91D4-A5BDD6F0619E)"

// listDefault is the default Format-List view: four properties per event.
var listDefault = strings.Join([]string{
	"",
	"",
	"TimeCreated  : 11/3/2024 10:41:08 PM",
	"ProviderName : Microsoft-Windows-Hyper-V-VMMS",
	"Id           : 18350",
	"Message      : " + vmmsMessage,
	"",
	"TimeCreated  : 11/3/2024 10:40:59 PM",
	"ProviderName : VSS",
	"Id           : 8229",
	"Message      : A VSS writer has rejected an event with error 0x800423f4, The writer experienced a non-transient error.",
	"               . Changes that the writer made will not be available to the requester.",
	"",
	"               Operation:",
	"                  PrepareForSnapshot Event",
	"",
	"               Context:",
	"                  Writer Name: Microsoft Hyper-V VSS Writer",
	"",
	"TimeCreated  : 11/3/2024 9:02:11 AM",
	"ProviderName : storahci",
	"Id           : 129",
	"Message      : Reset to device, \\Device\\RaidPort0, was issued.",
	"",
	"",
	"",
}, "\r\n")

const wantVSSMessage = "A VSS writer has rejected an event with error 0x800423f4, The writer experienced a non-transient error.\n" +
	". Changes that the writer made will not be available to the requester.\n\nOperation:\n   PrepareForSnapshot Event\n\nContext:\n   Writer Name: Microsoft Hyper-V VSS Writer"

// listAllGerman is `Format-List *` on a de-DE host.
var listAllGerman = strings.Join([]string{
	"",
	"Message              : Der Prüfpunktvorgang für \"SQL02\" ist fehlgeschlagen. (ID des virtuellen Computers 83C0A531-1E5E-4683-91D4-A5BDD6F0619E)",
	"Id                   : 18012",
	"Version              : 0",
	"Qualifiers           :",
	"Level                : 2",
	"Task                 : 0",
	"Opcode               : 0",
	"Keywords             : -9223372036854775808",
	"RecordId             : 4711",
	"ProviderName         : Microsoft-Windows-Hyper-V-VMMS",
	"ProviderId           : 6066f867-7ca1-4418-85fd-36e3f9c0600c",
	"LogName              : Microsoft-Windows-Hyper-V-VMMS-Admin",
	"ProcessId            : 2740",
	"ThreadId             : 5136",
	"MachineName          : HVNODE3.fabrikam.test",
	"UserId               : S-1-5-18",
	"TimeCreated          : 03.11.2024 22:41:08",
	"ActivityId           :",
	"RelatedActivityId    :",
	"ContainerLog         : Microsoft-Windows-Hyper-V-VMMS-Admin",
	"MatchedQueryIds      : {}",
	"Bookmark             : System.Diagnostics.Eventing.Reader.EventBookmark",
	"LevelDisplayName     : Fehler",
	"OpcodeDisplayName    : Info",
	"TaskDisplayName      :",
	"KeywordsDisplayNames : {}",
	"Properties           : {System.Diagnostics.Eventing.Reader.EventProperty, System.Diagnostics.Eventing.Reader.EventProperty}",
	"",
	"Message              : Die E/A-Anforderung wurde wiederholt.",
	"Id                   : 153",
	"Version              : 0",
	"Qualifiers           : 32772",
	"Level                : 3",
	"Task                 : 0",
	"Opcode               : 0",
	"Keywords             : 36028797018963968",
	"RecordId             : 98231",
	"ProviderName         : disk",
	"ProviderId           :",
	"LogName              : System",
	"ProcessId            : 4",
	"ThreadId             : 312",
	"MachineName          : HVNODE3.fabrikam.test",
	"UserId               :",
	"TimeCreated          : 04.11.2024 01:15:00",
	"ActivityId           :",
	"RelatedActivityId    :",
	"ContainerLog         : System",
	"MatchedQueryIds      : {}",
	"Bookmark             : System.Diagnostics.Eventing.Reader.EventBookmark",
	"LevelDisplayName     : Warnung",
	"OpcodeDisplayName    :",
	"TaskDisplayName      :",
	"KeywordsDisplayNames : {Klassisch}",
	"Properties           : {System.Diagnostics.Eventing.Reader.EventProperty, System.Diagnostics.Eventing.Reader.EventProperty,",
	"                       System.Diagnostics.Eventing.Reader.EventProperty}",
	"",
	"",
}, "\r\n")

const csvHeader = `"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated","ActivityId","RelatedActivityId","ContainerLog","MatchedQueryIds","Bookmark","LevelDisplayName","OpcodeDisplayName","TaskDisplayName","KeywordsDisplayNames","Properties"`

var csvEnUS = "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n" + csvHeader + "\r\n" +
	`"` + vmmsMessage + `","18350","0",,"2","0","0","-9223372036854775808","4711","Microsoft-Windows-Hyper-V-VMMS","6066f867-7ca1-4418-85fd-36e3f9c0600c","Microsoft-Windows-Hyper-V-VMMS-Admin","2740","5136","HVNODE3.fabrikam.test","S-1-5-18","11/3/2024 10:41:08 PM",,,"Microsoft-Windows-Hyper-V-VMMS-Admin","System.UInt32[]","System.Diagnostics.Eventing.Reader.EventBookmark","Error","Info",,"System.Collections.ObjectModel.ReadOnlyCollection` + "`" + `1[System.String]","System.Collections.Generic.List` + "`" + `1[System.Diagnostics.Eventing.Reader.EventProperty]"` + "\r\n" +
	`"Volume Shadow Copy Service error: Unexpected error calling routine ""CoCreateInstance"".  hr = 0x80040154, Class not registered` + "\r\n\r\n" + `Operation:` + "\r\n" + `   Gathering Writer Data","8193","0","0","2","0","0","36028797018963968","30412","VSS",,"Application","0","0","HVNODE3.fabrikam.test",,"11/4/2024 1:15:00 AM",,,"Application","System.UInt32[]","System.Diagnostics.Eventing.Reader.EventBookmark","Error",,"None","System.Collections.ObjectModel.ReadOnlyCollection` + "`" + `1[System.String]","System.Collections.Generic.List` + "`" + `1[System.Diagnostics.Eventing.Reader.EventProperty]"` + "\r\n"

// csvGermanPS7 is PowerShell 7's Export-Csv -UseCulture on a de-DE host:
// no #TYPE line, ";" between fields, UTF-8 with BOM, fewer columns selected.
var csvGermanPS7 = "\xef\xbb\xbf" + `"TimeCreated";"ProviderName";"Id";"Level";"LevelDisplayName";"Message"` + "\n" +
	`"03.11.2024 22:41:08";"Microsoft-Windows-Hyper-V-Worker";"3040";"2";"Fehler";"""SQL02"" konnte nicht gestartet werden. (ID des virtuellen Computers 83C0A531-1E5E-4683-91D4-A5BDD6F0619E)"` + "\n" +
	`"04.11.2024 07:00:00";"Microsoft-Windows-Hyper-V-VMMS";"19100";"3";"Warnung";"Sicherung; Teil 2"` + "\n"

func walkTextString(t *testing.T, input []byte) ([]*Event, Stats) {
	t.Helper()
	var got []*Event
	st, err := WalkText(context.Background(), bytes.NewReader(input), func(ev *Event) error {
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, len(got), st.Records)
	return got, st
}

func TestWalkText_FormatListDefault(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input []byte
	}{
		{"utf-16le with BOM", utf16LE(listDefault, true)},
		{"utf-16le without BOM", utf16LE(listDefault, false)},
		{"utf-8 LF", []byte(strings.ReplaceAll(listDefault, "\r\n", "\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, SniffText(tc.input))
			got, st := walkTextString(t, tc.input)
			require.Len(t, got, 3)
			assert.Empty(t, st.Skipped)
			assert.True(t, st.LocalTimes)
			assert.False(t, st.DateOrderGuessed, "AM/PM dates are month-first")

			vmms := got[0]
			assert.Equal(t, 3, vmms.Line)
			assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", vmms.Provider)
			assert.EqualValues(t, 18350, vmms.EventID)
			assert.Equal(t, vmmsMessage, vmms.Message)
			assert.Equal(t, time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), vmms.Time)
			assert.Zero(t, vmms.Level, "the default view has no level")
			assert.Empty(t, vmms.Data)

			vss := got[1]
			assert.Equal(t, 8, vss.Line)
			assert.Equal(t, "VSS", vss.Provider)
			assert.Equal(t, wantVSSMessage, vss.Message)
			assert.Equal(t, time.Date(2024, 11, 3, 9, 2, 11, 0, time.UTC), got[2].Time)
			assert.Equal(t, `Reset to device, \Device\RaidPort0, was issued.`, got[2].Message)
		})
	}
}

func TestWalkText_FormatListAllGerman(t *testing.T) {
	got, st := walkTextString(t, utf16LE(listAllGerman, true))
	require.Len(t, got, 2)
	assert.Empty(t, st.Skipped)
	ev := got[0]
	assert.Equal(t, Event{
		Line: 2, EndLine: 28, RecordID: 4711, Time: time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), LocalTime: true,
		Provider: "Microsoft-Windows-Hyper-V-VMMS", ProviderGUID: "{6066f867-7ca1-4418-85fd-36e3f9c0600c}",
		Channel: "Microsoft-Windows-Hyper-V-VMMS-Admin", Computer: "HVNODE3.fabrikam.test", UserSID: "S-1-5-18",
		EventID: 18012, Level: 2, Keywords: 0x8000000000000000,
		Message: `Der Prüfpunktvorgang für "SQL02" ist fehlgeschlagen. (ID des virtuellen Computers 83C0A531-1E5E-4683-91D4-A5BDD6F0619E)`,
	}, *ev)
	disk := got[1]
	assert.Equal(t, "disk", disk.Provider)
	assert.Empty(t, disk.ProviderGUID)
	assert.True(t, disk.HasQualifiers)
	assert.EqualValues(t, 32772, disk.Qualifiers)
	assert.EqualValues(t, 3, disk.Level)
	assert.Equal(t, uint64(0x80000000000000), disk.Keywords)
	assert.Equal(t, time.Date(2024, 11, 4, 1, 15, 0, 0, time.UTC), disk.Time)
}

// listGerman8bit is the default Format-List view on a de-DE host written
// as 8-bit text: `Out-File -Encoding oem` or cmd.exe redirection write the
// OEM code page (CP850), Set-Content the ANSI one (Windows-1252).
var listGerman8bit = strings.Join([]string{
	"",
	"",
	"TimeCreated  : 03.11.2024 22:41:08",
	"ProviderName : Microsoft-Windows-Hyper-V-VMMS",
	"Id           : 18012",
	`Message      : Zugriff verweigert: Der Prüfpunktvorgang für "SQL02" ist fehlgeschlagen.`,
	"               Größe der Differenzdatenträgerdatei unbekannt.",
	"",
	"TimeCreated  : 04.11.2024 07:00:00",
	"ProviderName : Microsoft-Windows-Hyper-V-Worker",
	"Id           : 3040",
	`Message      : Schließen von "WEB-FE01" fehlgeschlagen: Zugriff verweigert.`,
	"",
	"",
}, "\r\n")

// TestWalkText_FormatList8bit: 8-bit exports are decoded with the code page
// wintext.Decode picks, not passed through as invalid UTF-8.
func TestWalkText_FormatList8bit(t *testing.T) {
	for _, cm := range []*charmap.Charmap{charmap.CodePage850, charmap.Windows1252} {
		t.Run(cm.String(), func(t *testing.T) {
			input, err := cm.NewEncoder().Bytes([]byte(listGerman8bit))
			require.NoError(t, err)
			require.True(t, SniffText(input))
			got, st := walkTextString(t, input)
			require.Len(t, got, 2)
			assert.Empty(t, st.Skipped)
			assert.Equal(t, "Zugriff verweigert: Der Prüfpunktvorgang für \"SQL02\" ist fehlgeschlagen.\nGröße der Differenzdatenträgerdatei unbekannt.", got[0].Message)
			assert.Equal(t, `Schließen von "WEB-FE01" fehlgeschlagen: Zugriff verweigert.`, got[1].Message)
			assert.Equal(t, time.Date(2024, 11, 4, 7, 0, 0, 0, time.UTC), got[1].Time)
		})
	}
}

func TestWalkText_DateOrder(t *testing.T) {
	block := func(when string, id int) string {
		return "TimeCreated  : " + when + "\r\nProviderName : VSS\r\nId           : " + strconv.Itoa(id) + "\r\nMessage      : m\r\n\r\n"
	}
	tests := []struct {
		name    string
		dates   []string
		want    []time.Time
		guessed bool
	}{
		{"en-GB, nothing decides: day first, flagged",
			[]string{"03/11/2024 22:41:08", "04/11/2024 01:00:00"},
			[]time.Time{time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), time.Date(2024, 11, 4, 1, 0, 0, 0, time.UTC)}, true},
		{"a later date proves day first",
			[]string{"03/11/2024 22:41:08", "13/11/2024 01:00:00"},
			[]time.Time{time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), time.Date(2024, 11, 13, 1, 0, 0, 0, time.UTC)}, false},
		{"a later date proves month first (24-hour month-first culture)",
			[]string{"03/11/2024 22:41:08", "03/13/2024 01:00:00"},
			[]time.Time{time.Date(2024, 3, 11, 22, 41, 8, 0, time.UTC), time.Date(2024, 3, 13, 1, 0, 0, 0, time.UTC)}, false},
		{"ja-JP year first",
			[]string{"2024/11/03 22:41:08", "2024/11/04 1:00:00"},
			[]time.Time{time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), time.Date(2024, 11, 4, 1, 0, 0, 0, time.UTC)}, false},
		{"nl-NL dashes",
			[]string{"3-11-2024 22:41:08", "4-11-2024 01:00:00"},
			[]time.Time{time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), time.Date(2024, 11, 4, 1, 0, 0, 0, time.UTC)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sb strings.Builder
			for i, d := range tc.dates {
				sb.WriteString(block(d, 8220+i))
			}
			got, st := walkTextString(t, []byte(sb.String()))
			require.Len(t, got, len(tc.want))
			assert.Empty(t, st.Skipped)
			for i := range got {
				assert.Equal(t, tc.want[i], got[i].Time, "event %d", i)
				assert.EqualValues(t, 8220+i, got[i].EventID, "order kept")
			}
			assert.Equal(t, tc.guessed, st.DateOrderGuessed)
		})
	}
}

func TestWalkText_DamagedList(t *testing.T) {
	lf := strings.ReplaceAll(listDefault, "\r\n", "\n")
	cutAt := strings.Index(lf, "Writer Name")
	tests := []struct {
		name   string
		input  string
		events int
		check  func(t *testing.T, got []*Event, st Stats)
	}{
		{"cut inside the last message", lf[:strings.Index(lf, "was issued")], 3, func(t *testing.T, got []*Event, st Stats) {
			assert.Equal(t, `Reset to device, \Device\RaidPort0,`, got[2].Message)
			require.Len(t, st.Skipped, 0, "all properties are there: nothing to report")
		}},
		{"cut inside a multi-line message", lf[:cutAt+6], 2, func(t *testing.T, got []*Event, st Stats) {
			assert.True(t, strings.HasSuffix(got[1].Message, "Writer"))
			assert.Empty(t, st.Skipped, "the block has all four properties")
		}},
		{"cut after TimeCreated", lf[:strings.Index(lf, "ProviderName : storahci")], 2, func(t *testing.T, got []*Event, st Stats) {
			require.Len(t, st.Skipped, 1)
			assert.ErrorIs(t, &st.Skipped[0], ErrTextTruncated)
			assert.Equal(t, 1, st.Skipped[0].Records)
			assert.Equal(t, 20, st.Skipped[0].Line)
		}},
		{"cut after Id", lf[:strings.Index(lf, "Message      : Reset")], 3, func(t *testing.T, got []*Event, st Stats) {
			require.Len(t, st.Skipped, 1)
			assert.ErrorIs(t, &st.Skipped[0], ErrTextTruncated)
			assert.Zero(t, st.Skipped[0].Records, "delivered without its message")
			assert.Empty(t, got[2].Message)
			assert.EqualValues(t, 129, got[2].EventID)
		}},
		{"garbage line between events", strings.Replace(lf, "\nTimeCreated  : 11/3/2024 9:02:11 AM", "\n@@@@ copy/paste residue\n\nTimeCreated  : 11/3/2024 9:02:11 AM", 1), 3, func(t *testing.T, got []*Event, st Stats) {
			require.Len(t, st.Skipped, 1)
			assert.ErrorIs(t, &st.Skipped[0], ErrTextEvent)
			assert.Equal(t, 20, st.Skipped[0].Line)
			assert.Equal(t, 22, got[2].Line)
		}},
		{"event id not a number", strings.Replace(lf, "Id           : 8229", "Id           : 8229x", 1), 2, func(t *testing.T, got []*Event, st Stats) {
			require.Len(t, st.Skipped, 1)
			assert.ErrorIs(t, &st.Skipped[0], ErrTextEvent)
			assert.Equal(t, 8, st.Skipped[0].Line)
		}},
		{"unreadable time", strings.Replace(lf, "11/3/2024 10:40:59 PM", "gestern", 1), 3, func(t *testing.T, got []*Event, st Stats) {
			require.Len(t, st.Skipped, 1)
			assert.ErrorIs(t, &st.Skipped[0], ErrTextTime)
			assert.True(t, got[1].Time.IsZero())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st := walkTextString(t, []byte(tc.input))
			require.Len(t, got, tc.events)
			tc.check(t, got, st)
		})
	}
}

func TestWalkText_CSV(t *testing.T) {
	t.Run("Windows PowerShell, en-US", func(t *testing.T) {
		require.True(t, SniffText([]byte(csvEnUS)))
		got, st := walkTextString(t, []byte(csvEnUS))
		require.Len(t, got, 2)
		assert.Empty(t, st.Skipped)
		assert.Equal(t, Event{
			Line: 3, EndLine: 3, RecordID: 4711, Time: time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), LocalTime: true,
			Provider: "Microsoft-Windows-Hyper-V-VMMS", ProviderGUID: "{6066f867-7ca1-4418-85fd-36e3f9c0600c}",
			Channel: "Microsoft-Windows-Hyper-V-VMMS-Admin", Computer: "HVNODE3.fabrikam.test", UserSID: "S-1-5-18",
			EventID: 18350, Level: 2, Keywords: 0x8000000000000000, Message: vmmsMessage,
		}, *got[0])
		vss := got[1]
		assert.Equal(t, 4, vss.Line)
		assert.Equal(t, "Volume Shadow Copy Service error: Unexpected error calling routine \"CoCreateInstance\".  hr = 0x80040154, Class not registered\n\nOperation:\n   Gathering Writer Data", vss.Message)
		assert.True(t, vss.HasQualifiers)
		assert.Zero(t, vss.Qualifiers)
		assert.Equal(t, time.Date(2024, 11, 4, 1, 15, 0, 0, time.UTC), vss.Time)
	})
	t.Run("PowerShell 7, de-DE, UseCulture", func(t *testing.T) {
		require.True(t, SniffText([]byte(csvGermanPS7)))
		got, st := walkTextString(t, []byte(csvGermanPS7))
		require.Len(t, got, 2)
		assert.Empty(t, st.Skipped)
		assert.Equal(t, "Microsoft-Windows-Hyper-V-Worker", got[0].Provider)
		assert.Equal(t, `"SQL02" konnte nicht gestartet werden. (ID des virtuellen Computers 83C0A531-1E5E-4683-91D4-A5BDD6F0619E)`, got[0].Message)
		assert.Equal(t, time.Date(2024, 11, 3, 22, 41, 8, 0, time.UTC), got[0].Time)
		assert.EqualValues(t, 2, got[0].Level)
		assert.Equal(t, "Sicherung; Teil 2", got[1].Message)
		assert.Equal(t, 3, got[1].Line)
	})
	t.Run("utf-16 with a garbage row and a cut last row", func(t *testing.T) {
		in := strings.Replace(csvEnUS, csvHeader+"\r\n", csvHeader+"\r\nnot,an,event\r\n", 1)
		in = in[:strings.Index(in, "Gathering Writer")]
		got, st := walkTextString(t, utf16LE(in, true))
		require.Len(t, got, 1)
		require.Len(t, st.Skipped, 2)
		assert.ErrorIs(t, &st.Skipped[0], ErrTextEvent)
		assert.Equal(t, 3, st.Skipped[0].Line)
		assert.ErrorIs(t, &st.Skipped[1], ErrTextTruncated)
		assert.Equal(t, 5, st.Skipped[1].Line)
		assert.Equal(t, 1, st.Skipped[1].Records)
	})
}

func TestSniffText(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want bool
	}{
		{"format-list utf-16", utf16LE(listDefault, true), true},
		{"format-list * utf-16", utf16LE(listAllGerman, true), true},
		{"csv", []byte(csvEnUS), true},
		{"csv without #TYPE", []byte(csvGermanPS7), true},
		{"event xml", []byte(vmmsEventXML), false},
		{"evtx header", craftFile(0)[:4096], false},
		{"get-vm list", []byte("Name             : APP01\r\nState            : Off\r\nId               : 83c0a531-1e5e-4683-91d4-a5bdd6f0619e\r\n"), false},
		{"vssadmin", []byte("vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\r\n\r\nWriter name: 'Microsoft Hyper-V VSS Writer'\r\n"), false},
		{"empty", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, SniffText(tc.in))
		})
	}
}

func TestWalkText_NotTextAndCallbacks(t *testing.T) {
	_, err := WalkText(context.Background(), strings.NewReader(vmmsEventXML), func(*Event) error { return nil })
	require.ErrorIs(t, err, ErrFormat)

	stop := errors.New("stop")
	n := 0
	_, err = WalkText(context.Background(), strings.NewReader(listDefault), func(*Event) error {
		n++
		return stop
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)

	// Many events so that the cancellation check (every 64) is reached.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = WalkText(ctx, strings.NewReader(strings.Repeat(listDefault, 40)), func(*Event) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
}

func FuzzWalkText(f *testing.F) {
	f.Add([]byte(listDefault))
	f.Add(utf16LE(listAllGerman, true))
	f.Add([]byte(csvEnUS))
	f.Add([]byte(csvGermanPS7))
	f.Add([]byte(listDefault[:200] + "\n@@\n" + csvEnUS[:300]))
	f.Fuzz(func(t *testing.T, b []byte) {
		SniffText(b)
		n := 0
		st, err := WalkText(context.Background(), bytes.NewReader(b), func(ev *Event) error {
			n++
			if ev.Line < 1 {
				t.Fatalf("event without a line: %+v", ev)
			}
			return nil
		})
		if err == nil && st.Records != n {
			t.Fatalf("Stats.Records %d, callback saw %d", st.Records, n)
		}
		if err != nil && !errors.Is(err, ErrFormat) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func BenchmarkWalkText(b *testing.B) {
	inputs := map[string][]byte{
		"format-list-utf16": utf16LE(strings.Repeat(listAllGerman, 500), true),
		"csv":               []byte(csvEnUS + strings.Repeat(csvEnUS[strings.Index(csvEnUS, csvHeader)+len(csvHeader)+2:], 500)),
	}
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				st, err := WalkText(context.Background(), bytes.NewReader(in), func(*Event) error { return nil })
				if err != nil || st.Records < 1000 {
					b.Fatalf("records %d, err %v", st.Records, err)
				}
			}
		})
	}
}
