package evtx

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fixtures for the forms Event Viewer and the PowerShell table views leave.
// Hosts, VMs, GUIDs and messages are invented; only the layouts follow what
// real pastes look like. Where each layout was learned is said above each
// fixture.

// copyDetailsEnglish: "Copy details as text" of a VMMS 19100 with its
// "Event Xml:" section, as in the Microsoft support article on TWinUI event
// 5961 (MicrosoftDocs/SupportArticles-docs: labels padded to a column, an
// empty "Keywords:") and a TaskScheduler 201 event pasted with its XML in a
// GitHub issue. Two blocks, quoted with "> " the way a mail reply quotes
// them, the message indented under a section title.
var copyDetailsEnglish = strings.Join([]string{
	"Hi, here is what the host logged:",
	"",
	"> Log Name:      Microsoft-Windows-Hyper-V-VMMS-Admin",
	"> Source:        Microsoft-Windows-Hyper-V-VMMS",
	"> Date:          12/5/2026 3:04:05 AM",
	"> Event ID:      19100",
	"> Task Category: None",
	"> Level:         Error",
	"> Keywords:      ",
	"> User:          SYSTEM",
	"> Computer:      HVQ-07.lab.example",
	"> Description:",
	"> 'ORCHARD-DB2' background disk merge failed to complete: The chain of virtual hard disks is broken. The system cannot locate the parent virtual hard disk for the differencing disk. (0xC03A000E). (Virtual machine ID 5B0E7A12-93C4-4D8E-A1F6-2C7D9E04B351)",
	">",
	">    Merge target: E:\\VMs\\ORCHARD-DB2\\disk0.vhdx",
	"> Event Xml:",
	"> <Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">",
	">   <System>",
	">     <Provider Name=\"Microsoft-Windows-Hyper-V-VMMS\" Guid=\"{6066f867-7ca1-4418-85fd-36e3f9c0600c}\" />",
	">     <EventID>19100</EventID>",
	">     <Level>2</Level>",
	">     <TimeCreated SystemTime=\"2026-12-05T11:04:05.3301245Z\" />",
	">     <EventRecordID>8812</EventRecordID>",
	">     <Channel>Microsoft-Windows-Hyper-V-VMMS-Admin</Channel>",
	">     <Computer>HVQ-07.lab.example</Computer>",
	">     <Security UserID=\"S-1-5-18\" />",
	">   </System>",
	">   <UserData>",
	">     <VmlEventLog xmlns=\"http://www.microsoft.com/Windows/Virtualization/Events\">",
	">       <VmName>ORCHARD-DB2</VmName>",
	">       <VmId>5B0E7A12-93C4-4D8E-A1F6-2C7D9E04B351</VmId>",
	">       <ErrorCodeString>%%3224043534</ErrorCodeString>",
	">     </VmlEventLog>",
	">   </UserData>",
	"> </Event>",
	">",
	"> Log Name:      System",
	"> Source:        Microsoft-Windows-Hyper-V-Worker",
	"> Date:          12/5/2026 3:02:44 AM",
	"> Event ID:      3080",
	"> Task Category: None",
	"> Level:         Error",
	"> Keywords:      ",
	"> User:          S-1-5-83-1-1527675410-1301107908-4128622241-1370818718",
	"> Computer:      HVQ-07.lab.example",
	"> Description:",
	"> 'ORCHARD-DB2' could not create or access saved state file E:\\VMs\\ORCHARD-DB2\\5B0E7A12.vmrs. (Virtual machine ID 5B0E7A12-93C4-4D8E-A1F6-2C7D9E04B351)",
	"",
	"Thanks",
}, "\r\n")

// copyDetailsGerman: the same block from a de-DE host, labels as in the
// de-de Azure article "troubleshoot-remote-desktop-services-issues" and a
// SharePoint event pasted on a German blog (Datum: 20.07.2010 00:00:01,
// Ebene: Fehler), pasted with a tab of indentation and without the XML.
// The last block is cut before its description, as a truncated mail is.
var copyDetailsGerman = strings.Join([]string{
	"\tProtokollname: Microsoft-Windows-VHDMP-Operational",
	"\tQuelle:        Microsoft-Windows-VHDMP",
	"\tDatum:         05.12.2026 03:04:05",
	"\tEreignis-ID:   7",
	"\tAufgabenkategorie:Keine",
	"\tEbene:         Fehler",
	"\tSchlüsselwörter:",
	"\tBenutzer:      SYSTEM",
	"\tComputer:      HVQ-07.lab.example",
	"\tBeschreibung:",
	"\tDie VHD-Kette für \"E:\\VMs\\ORCHARD-DB2\\disk0_5B0E7A12.avhdx\" ist beschädigt.",
	"\tFehler: 0xC03A000E",
	"",
	"\tProtokollname: Microsoft-Windows-VHDMP-Operational",
	"\tQuelle:        Microsoft-Windows-VHDMP",
	"\tDatum:         05.12.2026 03:05:10",
	"\tEreignis-ID:   7",
}, "\r\n")

// copyDetailsJapanese: labels and the year-first date as in events pasted
// in jpabrs-scem/blog and a Japanese blog's Defrag 259 paste.
var copyDetailsJapanese = strings.Join([]string{
	"ログの名前:         Microsoft-Windows-Hyper-V-Worker-Admin",
	"ソース:           Microsoft-Windows-Hyper-V-Worker",
	"日付:            2026/12/05 3:04:05",
	"イベント ID:       3080",
	"タスクのカテゴリ:      なし",
	"レベル:           エラー",
	"キーワード:         ",
	"ユーザー:          SYSTEM",
	"コンピューター:       HVQ-07",
	"説明:",
	"'ORCHARD-DB2' は保存状態ファイルを作成またはアクセスできませんでした。",
}, "\n")

// copyDetailsFrench and copyDetailsChinese: French puts a space before the
// colon (labels from the fr-fr Event Viewer help and a French Event Viewer
// simulation); zh-CN as in the Security 4688 events pasted in a Chinese
// ATT&CK notebook on GitHub.
var copyDetailsFrench = strings.Join([]string{
	"Nom du journal :Microsoft-Windows-Hyper-V-VMMS-Admin",
	"Source :       Microsoft-Windows-Hyper-V-VMMS",
	"Date :         05/12/2026 15:04:05",
	"ID de l’événement :19100",
	"Catégorie de la tâche :Aucun",
	"Niveau :       Erreur",
	"Mots clés :    ",
	"Utilisateur :  Système",
	"Ordinateur :   HVQ-07",
	"Description :",
	"Échec de la fusion du disque en arrière-plan de « ORCHARD-DB2 » (0xC03A000E).",
	"",
	"Nom du journal :Microsoft-Windows-Hyper-V-VMMS-Admin",
	"Source :       Microsoft-Windows-Hyper-V-VMMS",
	"Date :         14/12/2026 09:00:00",
	"ID de l’événement :19100",
	"Niveau :       Avertissement",
	"Description :",
	"Deuxième bloc.",
}, "\n")

var copyDetailsChinese = strings.Join([]string{
	"日志名称:          System",
	"来源:            Microsoft-Windows-Hyper-V-VMMS",
	"日期:            2026/12/5 3:04:05",
	"事件 ID:         19100",
	"任务类别:          无",
	"级别:            错误",
	"关键字:           ",
	"用户:            SYSTEM",
	"计算机:           HVQ-07",
	"描述:",
	"“ORCHARD-DB2”后台磁盘合并未能完成 (0xC03A000E)。",
}, "\r\n")

func walkAll(t *testing.T, input []byte) ([]*Event, Stats) {
	t.Helper()
	require.True(t, SniffText(input), "sniffed")
	return walkTextString(t, input)
}

func TestWalkText_CopyDetails(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input []byte
	}{
		{"utf-8 CRLF", []byte(copyDetailsEnglish)},
		{"utf-16le with BOM", utf16LE(copyDetailsEnglish, true)},
		{"utf-16le without BOM", utf16LE(copyDetailsEnglish, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, st := walkAll(t, tc.input)
			require.Len(t, got, 2)
			assert.Empty(t, st.Skipped)

			vmms := got[0]
			assert.Equal(t, 3, vmms.Line, "the line of Log Name")
			assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", vmms.Provider)
			assert.EqualValues(t, 19100, vmms.EventID)
			assert.EqualValues(t, 2, vmms.Level)
			assert.Equal(t, "HVQ-07.lab.example", vmms.Computer)
			assert.Zero(t, vmms.RecordID, "a pasted event is located by its line")
			assert.Equal(t, time.Date(2026, 12, 5, 11, 4, 5, 330124500, time.UTC), vmms.Time, "UTC from the XML")
			assert.False(t, vmms.LocalTime)
			v, ok := vmms.UserDataValue("VmName")
			assert.True(t, ok)
			assert.Equal(t, "ORCHARD-DB2", v)
			assert.True(t, strings.HasPrefix(vmms.Message, "'ORCHARD-DB2' background disk merge failed"))
			assert.True(t, strings.HasSuffix(vmms.Message, "\n\n   Merge target: E:\\VMs\\ORCHARD-DB2\\disk0.vhdx"), "the message keeps its own indentation: %q", vmms.Message)
			assert.NotContains(t, vmms.Message, "Event Xml")

			worker := got[1]
			assert.Equal(t, 37, worker.Line)
			assert.Equal(t, "Microsoft-Windows-Hyper-V-Worker", worker.Provider)
			assert.Equal(t, "System", worker.Channel)
			assert.EqualValues(t, 3080, worker.EventID)
			assert.Equal(t, "S-1-5-83-1-1527675410-1301107908-4128622241-1370818718", worker.UserSID)
			assert.Equal(t, time.Date(2026, 12, 5, 3, 2, 44, 0, time.UTC), worker.Time)
			assert.True(t, worker.LocalTime)
			assert.True(t, strings.HasSuffix(worker.Message, "(Virtual machine ID 5B0E7A12-93C4-4D8E-A1F6-2C7D9E04B351)\n\nThanks"),
				"prose after the last block cannot be told from its message: %q", worker.Message)
		})
	}
}

func TestWalkText_CopyDetailsLocalized(t *testing.T) {
	t.Run("German, indented, last block cut", func(t *testing.T) {
		got, st := walkAll(t, utf16LE(copyDetailsGerman, true))
		require.Len(t, got, 2)
		ev := got[0]
		assert.Equal(t, "Microsoft-Windows-VHDMP", ev.Provider)
		assert.EqualValues(t, 7, ev.EventID)
		assert.EqualValues(t, 2, ev.Level)
		assert.Equal(t, time.Date(2026, 12, 5, 3, 4, 5, 0, time.UTC), ev.Time)
		assert.Equal(t, "Die VHD-Kette für \"E:\\VMs\\ORCHARD-DB2\\disk0_5B0E7A12.avhdx\" ist beschädigt.\nFehler: 0xC03A000E", ev.Message)
		require.Len(t, st.Skipped, 1)
		assert.ErrorIs(t, &st.Skipped[0], ErrTextTruncated)
		assert.Equal(t, 14, st.Skipped[0].Line)
		assert.Equal(t, 14, got[1].Line)
		assert.Empty(t, got[1].Message)
	})
	t.Run("Japanese", func(t *testing.T) {
		got, st := walkAll(t, []byte(copyDetailsJapanese))
		require.Len(t, got, 1)
		assert.Empty(t, st.Skipped)
		assert.Equal(t, "Microsoft-Windows-Hyper-V-Worker", got[0].Provider)
		assert.EqualValues(t, 3080, got[0].EventID)
		assert.EqualValues(t, 2, got[0].Level)
		assert.Equal(t, "HVQ-07", got[0].Computer)
		assert.Equal(t, time.Date(2026, 12, 5, 3, 4, 5, 0, time.UTC), got[0].Time)
	})
	t.Run("French, a later date proves day first", func(t *testing.T) {
		got, st := walkAll(t, []byte(copyDetailsFrench))
		require.Len(t, got, 2)
		assert.Empty(t, st.Skipped)
		assert.False(t, st.DateOrderGuessed)
		assert.EqualValues(t, 19100, got[0].EventID)
		assert.EqualValues(t, 2, got[0].Level)
		assert.EqualValues(t, 3, got[1].Level)
		assert.Equal(t, "HVQ-07", got[0].Computer)
		assert.Equal(t, time.Date(2026, 12, 5, 15, 4, 5, 0, time.UTC), got[0].Time)
		assert.Equal(t, 13, got[1].Line)
	})
	t.Run("Simplified Chinese", func(t *testing.T) {
		got, _ := walkAll(t, []byte(copyDetailsChinese))
		require.Len(t, got, 1)
		assert.EqualValues(t, 19100, got[0].EventID)
		assert.EqualValues(t, 2, got[0].Level)
		assert.Contains(t, got[0].Message, "0xC03A000E")
	})
	t.Run("a block with a bad event id and an unreadable XML", func(t *testing.T) {
		in := strings.Replace(copyDetailsEnglish, "> Event ID:      3080", "> Event ID:      30x0", 1)
		in = strings.Replace(in, "<EventID>19100</EventID>", "<EventID>19100</EvntID>", 1)
		got, st := walkAll(t, []byte(in))
		require.Len(t, got, 1)
		assert.EqualValues(t, 19100, got[0].EventID, "the text fields stand in")
		assert.True(t, got[0].LocalTime)
		require.Len(t, st.Skipped, 2)
		assert.ErrorIs(t, &st.Skipped[0], ErrTextEvent)
		assert.Equal(t, 3, st.Skipped[0].Line)
		assert.ErrorIs(t, &st.Skipped[1], ErrTextEvent)
		assert.Equal(t, 37, st.Skipped[1].Line)
	})
}

// viewerCSV: Event Viewer "Save Selected Events…" as CSV: the header names
// five columns and the message is a sixth, untitled one, quoted when it
// holds commas or line breaks. Layout as in a Security.csv shown in the
// qsv/sscsv READMEs ("Level,Date and Time,Source,Event ID,Task Category",
// full provider names) and the German export in the EVTX-to-MITRE-Attack
// dataset description ("Ebene,Datum und Uhrzeit,…", "Informationen").
var viewerCSV = "Level,Date and Time,Source,Event ID,Task Category\r\n" +
	"Error,12/5/2026 3:04:05 AM,Microsoft-Windows-Hyper-V-VMMS,19100,None,\"'ORCHARD-DB2' background disk merge failed to complete: General access denied error (0x80070005).\r\n\r\nMerge target: E:\\VMs\\ORCHARD-DB2\\disk0.vhdx\"\r\n" +
	"Information,12/5/2026 3:05:00 AM,Microsoft-Windows-Hyper-V-VMMS,13002,None,A new checkpoint was created.\r\n" +
	"Error,12/5/2026 3:06:00 AM,Microsoft-Windows-Hyper-V-Worker\r\n" +
	"Error,12/5/2026 3:07:00 AM,Microsoft-Windows-Hyper-V-Worker,3080,None,\"'ORCHARD-DB2' could not create or access saved state"

var viewerCSVGerman = "Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\n" +
	"Fehler,05.12.2026 03:04:05,Microsoft-Windows-Hyper-V-VMMS,19100,Keine,Zusammenführung fehlgeschlagen (0xC03A000E).\n" +
	"Informationen,05.12.2026 03:05:00,Microsoft-Windows-Hyper-V-VMMS,13002,Keine,\"Prüfpunkt erstellt, Teil 2\"\n"

func TestWalkText_SavedEvents(t *testing.T) {
	t.Run("CSV, multi-line message, a short row, a cut row", func(t *testing.T) {
		got, st := walkAll(t, []byte(viewerCSV))
		require.Len(t, got, 2)
		assert.Equal(t, 2, got[0].Line)
		assert.EqualValues(t, 19100, got[0].EventID)
		assert.EqualValues(t, 2, got[0].Level)
		assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", got[0].Provider)
		assert.Equal(t, "'ORCHARD-DB2' background disk merge failed to complete: General access denied error (0x80070005).\n\nMerge target: E:\\VMs\\ORCHARD-DB2\\disk0.vhdx", got[0].Message)
		assert.Equal(t, time.Date(2026, 12, 5, 3, 4, 5, 0, time.UTC), got[0].Time)
		assert.Equal(t, 5, got[1].Line)
		require.Len(t, st.Skipped, 2)
		assert.ErrorIs(t, &st.Skipped[0], ErrTextEvent)
		assert.Equal(t, 6, st.Skipped[0].Line)
		assert.ErrorIs(t, &st.Skipped[1], ErrTextTruncated)
		assert.Equal(t, 7, st.Skipped[1].Line)
	})
	t.Run("German CSV", func(t *testing.T) {
		got, st := walkAll(t, []byte("\xef\xbb\xbf"+viewerCSVGerman))
		require.Len(t, got, 2)
		assert.Empty(t, st.Skipped)
		assert.EqualValues(t, 2, got[0].Level)
		assert.EqualValues(t, 4, got[1].Level)
		assert.Equal(t, "Prüfpunkt erstellt, Teil 2", got[1].Message)
	})
	t.Run("tab-delimited text, utf-16", func(t *testing.T) {
		tabbed := strings.ReplaceAll(strings.ReplaceAll(viewerCSVGerman, ",", "\t"), "\"Prüfpunkt erstellt\t Teil 2\"", "Prüfpunkt erstellt, Teil 2")
		got, st := walkAll(t, utf16LE(tabbed, true))
		require.Len(t, got, 2)
		assert.Empty(t, st.Skipped)
		assert.Equal(t, "Zusammenführung fehlgeschlagen (0xC03A000E).", got[0].Message)
		assert.Equal(t, "Prüfpunkt erstellt, Teil 2", got[1].Message)
	})
}

// The same fields under other tools' titles, in their own order, with ";"
// (a sheet an administrator exported from a script or a monitoring
// console, as pasted in a German ticket), and an unquoted message that
// holds the delimiter. Shape: the held-out paste of a CSV that paused
// after iSCSI timeouts (analyze/testdata/heldout/e, hv5_21).
func TestWalkText_SavedEventsAnyColumns(t *testing.T) {
	text := "Date/Time;Source;EventID;Level;Message\r\n" +
		"05.12.2026 03:04:05;Microsoft-Windows-FailoverClustering;5120;Error;Cluster Shared Volume 'Volume2' ('CSV-B') has entered a paused state because of 'STATUS_IO_TIMEOUT(c00000b5)'; I/O is queued.\r\n" +
		"05.12.2026 03:04:01;iScsiPrt;9;Error;Target did not respond in time for a SCSI request.\r\n" +
		"notes below\r\n"
	got, st := walkAll(t, []byte(text))
	require.Len(t, got, 2)
	assert.Equal(t, "Microsoft-Windows-FailoverClustering", got[0].Provider)
	assert.EqualValues(t, 5120, got[0].EventID)
	assert.EqualValues(t, 2, got[0].Level)
	assert.Equal(t, time.Date(2026, 12, 5, 3, 4, 5, 0, time.UTC), got[0].Time)
	assert.Equal(t, "Cluster Shared Volume 'Volume2' ('CSV-B') has entered a paused state because of 'STATUS_IO_TIMEOUT(c00000b5)'; I/O is queued.", got[0].Message)
	assert.Equal(t, "iScsiPrt", got[1].Provider)
	require.Len(t, st.Skipped, 1)
	assert.Equal(t, 4, st.Skipped[0].Line)

	// Lines about the export above Event Viewer's header are no damaged
	// events: the table is found below them and they are left alone.
	saved := "Node HV-7 System log, saved as tab delimited, 21:50-22:30.\r\nTwo guests froze.\r\n\r\n" +
		"Level\tDate and Time\tSource\tEvent ID\tTask Category\r\n" +
		"Error\t1/28/2025 10:22:51 PM\tiScsiPrt\t9\tNone\tTarget did not respond in time for a SCSI request.\r\n"
	assert.True(t, SniffText([]byte(saved)))
	got, st = walkAll(t, []byte(saved))
	require.Len(t, got, 1)
	assert.Equal(t, 5, got[0].Line)
	assert.Empty(t, st.Skipped)

	// A table without an event ID column is no event table.
	assert.False(t, SniffText([]byte("Date/Time;Source;Level;Message\r\n05.12.2026 03:04:05;disk;Error;x\r\n")))
}

// An Id wider than its column, as a paste aligned by hand has it, runs
// into the message column: the Id is the whole number.
func TestWalkText_TableWideID(t *testing.T) {
	text := "PS C:\\> Get-WinEvent -FilterHashtable @{LogName='System';ProviderName='Microsoft-Windows-FailoverClustering'} | ft TimeCreated,Id,Message -Wrap\r\n\r\n" +
		"TimeCreated         Id Message\r\n" +
		"-----------         -- -------\r\n" +
		"21.05.2024 09:31:47 1205 The Cluster service failed to bring clustered role 'APP-9' completely online or\r\n" +
		"                         offline.\r\n"
	got, _ := walkAll(t, []byte(text))
	require.Len(t, got, 1)
	assert.EqualValues(t, 1205, got[0].EventID)
	assert.Equal(t, "The Cluster service failed to bring clustered role 'APP-9' completely online or\noffline.", got[0].Message)
}

// winEventTableText: `Get-WinEvent -LogName … > x.txt` in Windows PowerShell:
// a "ProviderName:" group header per provider, the TimeCreated/Id/
// LevelDisplayName/Message columns, messages cut with "...". Layout from
// Windows PowerShell's default view for EventLogRecord (Format-Table
// grouped by ProviderName); no public paste of it was found in this
// repository's search index, so it is not checked against one.
var winEventTableText = strings.Join([]string{
	"",
	"",
	"   ProviderName: Microsoft-Windows-Hyper-V-VMMS",
	"",
	"TimeCreated                     Id LevelDisplayName Message",
	"-----------                     -- ---------------- -------",
	"12/5/2026 3:04:05 AM         19100 Error            'ORCHARD-DB2' background disk merge failed to complete: The chain...",
	"12/5/2026 3:01:00 AM         18350 Error            'ORCHARD-DB2' could not initiate a checkpoint operation: (0xC03A000E).",
	"12/5/2026 3:00:00 AM         13002 Information      A new checkpoint was created",
	"                                                    for 'ORCHARD-DB2'.",
	"garbage 12/5/2026",
	"",
	"",
	"   ProviderName: Microsoft-Windows-Hyper-V-Worker",
	"",
	"TimeCreated                     Id LevelDisplayName Message",
	"-----------                     -- ---------------- -------",
	"12/5/2026 3:02:44 AM          3080 Error            'ORCHARD-DB2' could not create or access saved state file E:\\VMs\\OR…",
	"",
}, "\r\n")

// winEventTableJapanese: the same on ja-JP, where the level is double-width
// and shifts the message by as many cells as it has characters.
var winEventTableJapanese = strings.Join([]string{
	"   ProviderName: Microsoft-Windows-Hyper-V-VMMS",
	"",
	"TimeCreated                     Id LevelDisplayName Message",
	"-----------                     -- ---------------- -------",
	"2026/12/05 3:04:05           19100 エラー                'ORCHARD-DB2' のマージに失敗しました (0xC03A000E)。",
}, "\r\n")

// eventLogTableText: Get-EventLog -LogName System, default table: Index right
// aligned, a year-less time, Source cut when long. Layout from Windows
// PowerShell's default view for EventLogEntry; like the Get-WinEvent table
// it was not checked against a public paste.
var eventLogTableText = strings.Join([]string{
	"",
	"   Index Time          EntryType   Source                 InstanceID Message",
	"   ----- ----          ---------   ------                 ---------- -------",
	"   48213 Dec 05 03:04  Error       Microsoft-Windows...   3221376662 The description for Event ID '-1073414 ...",
	"   48212 Dec 05 03:02  Error       Service Control M...   3221232503 The Hyper-V Virtual Machine Management service terminated.",
	"   48211 Dec 05 03:01  Warning     disk                   2147745945 The IO operation at logical block address 0x2a81f400 was retried.",
	"   48210 Dec 05 03:00  Information Garbage",
	"",
}, "\r\n")

func TestWalkText_Tables(t *testing.T) {
	t.Run("Get-WinEvent, two providers", func(t *testing.T) {
		got, st := walkAll(t, utf16LE(winEventTableText, true))
		require.Len(t, got, 4)
		assert.Equal(t, 7, got[0].Line)
		assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", got[0].Provider)
		assert.EqualValues(t, 19100, got[0].EventID)
		assert.EqualValues(t, 2, got[0].Level)
		assert.Equal(t, time.Date(2026, 12, 5, 3, 4, 5, 0, time.UTC), got[0].Time)
		assert.Equal(t, "'ORCHARD-DB2' background disk merge failed to complete: The chain", got[0].Message, "the cut mark is dropped")
		assert.Equal(t, "A new checkpoint was created\nfor 'ORCHARD-DB2'.", got[2].Message, "a wrapped row continues under Message")
		assert.EqualValues(t, 4, got[2].Level)
		assert.Equal(t, "Microsoft-Windows-Hyper-V-Worker", got[3].Provider)
		assert.EqualValues(t, 3080, got[3].EventID)
		assert.Equal(t, 18, got[3].Line)
		require.Len(t, st.Skipped, 1)
		assert.ErrorIs(t, &st.Skipped[0], ErrTextEvent)
		assert.Equal(t, 11, st.Skipped[0].Line)
	})
	t.Run("Get-WinEvent, double-width level", func(t *testing.T) {
		got, st := walkAll(t, []byte(winEventTableJapanese))
		require.Len(t, got, 1)
		assert.Empty(t, st.Skipped)
		assert.EqualValues(t, 2, got[0].Level)
		assert.Equal(t, "'ORCHARD-DB2' のマージに失敗しました (0xC03A000E)。", got[0].Message)
	})
	t.Run("Get-EventLog", func(t *testing.T) {
		got, st := walkAll(t, []byte(eventLogTableText))
		require.Len(t, got, 3)
		assert.Equal(t, 4, got[0].Line)
		assert.Equal(t, "Microsoft-Windows", got[0].Provider, "cut by the table")
		assert.EqualValues(t, 0x4E96, got[0].EventID)
		assert.True(t, got[0].HasQualifiers)
		assert.EqualValues(t, 0xC002, got[0].Qualifiers)
		assert.True(t, got[0].Time.IsZero(), "Get-EventLog prints no year")
		assert.Equal(t, "Service Control M", got[1].Provider)
		assert.EqualValues(t, 7031, got[1].EventID)
		assert.Equal(t, "disk", got[2].Provider)
		assert.EqualValues(t, 3, got[2].Level)
		assert.EqualValues(t, 153, got[2].EventID)
		assert.Equal(t, "The IO operation at logical block address 0x2a81f400 was retried.", got[2].Message)
		require.Len(t, st.Skipped, 1)
		assert.Equal(t, 7, st.Skipped[0].Line)
	})
}

// TestSniffText_Precedence: each form is taken for itself, and look-alikes
// are not taken at all.
func TestSniffText_Precedence(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"export-csv", csvEnUS, "Export-Csv of Get-WinEvent"},
		{"format-list", listDefault, "Format-List of Get-WinEvent"},
		{"copy details", copyDetailsEnglish, "Event Viewer \"Copy details as text\""},
		{"copy details, German", copyDetailsGerman, "Event Viewer \"Copy details as text\""},
		{"saved events", viewerCSV, "Event Viewer \"Save Selected Events\" as CSV or tab-delimited text"},
		{"get-winevent table", winEventTableText, "Get-WinEvent default table"},
		{"get-eventlog table", eventLogTableText, "Get-EventLog default table"},
		{"get-vm table", "Name   State CPUUsage(%) MemoryAssigned(M)\r\n----   ----- ----------- -----------------\r\nAPP01  Off   0           0\r\n", ""},
		{"a mail quoting only a message", "> Log Name is what we need.\r\n> The event ID was 19100.\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := sniffTextFormat(tc.in)
			if tc.want == "" {
				assert.Nil(t, f)
				return
			}
			require.NotNil(t, f)
			assert.Equal(t, tc.want, f.name)
		})
	}
}

func FuzzWalkTextForms(f *testing.F) {
	for _, s := range []string{copyDetailsEnglish, copyDetailsGerman, copyDetailsJapanese, copyDetailsFrench, copyDetailsChinese,
		viewerCSV, viewerCSVGerman, winEventTableText, winEventTableJapanese, eventLogTableText} {
		f.Add([]byte(s))
	}
	f.Add(utf16LE(copyDetailsEnglish, false))
	f.Add([]byte(copyDetailsEnglish[:400] + "\n" + winEventTableText[:300]))
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

// ft TimeCreated,ProviderName,Id,Message: the provider is a column of its
// own between the time and the id, under its title or (a time wider than
// its column) pushed right of it. Names are our own.
func TestWalkText_TableWithProviderColumn(t *testing.T) {
	text := "TimeCreated           ProviderName                          Id Message\n" +
		"-----------           ------------                          -- -------\n" +
		"6/14/2026 3:10:22 AM  iScsiPrt                               9 Target did not respond in time for a SCSI request.\n" +
		"6/14/2026 3:10:25 AM  Service Control Manager             7031 The Acme Agent service terminated unexpectedly.\n" +
		"14.06.2026 03:11:02 Microsoft-Windows-FailoverClustering 5120 Cluster Shared Volume 'Volume3' has entered a paused state\n"
	got, st := walkAll(t, []byte(text))
	require.Len(t, got, 3)
	assert.Empty(t, st.Skipped)
	assert.Equal(t, "iScsiPrt", got[0].Provider)
	assert.EqualValues(t, 9, got[0].EventID)
	assert.Equal(t, time.Date(2026, 6, 14, 3, 10, 22, 0, time.UTC), got[0].Time)
	assert.Equal(t, "Service Control Manager", got[1].Provider)
	assert.EqualValues(t, 7031, got[1].EventID)
	assert.Equal(t, "Microsoft-Windows-FailoverClustering", got[2].Provider)
	assert.EqualValues(t, 5120, got[2].EventID)
	assert.False(t, got[2].Time.IsZero())
}

// The Windows 2003/XP Event Viewer's "copy to clipboard" block, quoted in a
// forum post; names and values are our own.
const copyDetailsClassic = "> the old DC logs this:\r\n>\r\n" +
	"> Event Type:\tError\r\n" +
	"> Event Source:\tNTDS Replication\r\n" +
	"> Event Category:\tReplication\r\n" +
	"> Event ID:\t2095\r\n" +
	"> Date:\t\t03.04.2010\r\n" +
	"> Time:\t\t21:15:09\r\n" +
	"> User:\t\tNT AUTHORITY\\ANONYMOUS LOGON\r\n" +
	"> Computer:\tOLDDC7\r\n" +
	"> Description:\r\n" +
	"> The local domain controller detected a USN problem on its partner.\r\n" +
	">\r\n" +
	"> Event Type:     Warning\r\n" +
	"> Event Source:   NTDS General\r\n" +
	"> Event ID:       1113\r\n" +
	"> Computer:       OLDDC7\r\n" +
	"> Description:    Inbound replication is off.\r\n"

func TestWalkText_CopyDetailsClassic(t *testing.T) {
	got, _ := walkAll(t, []byte(copyDetailsClassic))
	require.Len(t, got, 2)
	assert.Equal(t, 3, got[0].Line, "the line of Event Type")
	assert.Equal(t, "NTDS Replication", got[0].Provider)
	assert.EqualValues(t, 2095, got[0].EventID)
	assert.EqualValues(t, 2, got[0].Level)
	assert.Equal(t, "OLDDC7", got[0].Computer)
	assert.Equal(t, 2010, got[0].Time.Year())
	assert.Equal(t, 21, got[0].Time.Hour(), "Date and Time lines joined")
	assert.Equal(t, "The local domain controller detected a USN problem on its partner.", got[0].Message)
	assert.Equal(t, "NTDS General", got[1].Provider)
	assert.EqualValues(t, 1113, got[1].EventID)
	assert.EqualValues(t, 3, got[1].Level)
	assert.Equal(t, "Inbound replication is off.", got[1].Message)
}
