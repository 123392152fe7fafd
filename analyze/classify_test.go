package analyze

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClassifyContentFirst(t *testing.T) {
	xmlExport := `<?xml version="1.0" encoding="UTF-8"?><Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="VSS"/></System></Event></Events>`
	tests := []struct {
		name     string
		file     string
		head     []byte
		kind     string
		wantNote string
	}{
		{"evtx by magic", "whatever.bin", []byte("ElfFile\x00\x00\x00\x00"), KindEVTX, ""},
		{"evtx with a damaged file signature but an intact chunk", "System.evtx", damagedSignatureHead(), KindEVTX, ""},
		{"vhdx by magic", "disk.avhdx", []byte("vhdxfile\x00\x00M\x00"), KindVHDX, ""},
		{"vhd by footer copy", "old.avhd", []byte("conectix\x00\x00\x00\x02"), KindVHD, ""},
		{"fixed vhd has no footer copy at 0", "fixed.vhd", []byte{0xeb, 0x52, 0x90, 0, 0, 0}, KindVHD, ""},
		{"renamed text is not evtx", "System.evtx", []byte("\x00\x01\x02garbage\x00"), KindUnknown, "named .evtx"},
		{"utf-16 writers by content", "output.txt", utf16(t, failedWriters), "vssadmin-writers", ""},
		{"utf-8 writers by content, odd name", "x.log", []byte(failedWriters), "vssadmin-writers", ""},
		{"xml event export", "vmms.xml", []byte(xmlExport), KindEVTXXML, ""},
		{"utf-16 xml event export", "vmms.xml", utf16(t, xmlExport), KindEVTXXML, ""},
		{"event viewer copy with its xml", "event.txt", []byte("Log Name:      System\r\nSource:        Microsoft-Windows-VHDMP\r\nEvent ID:      7\r\nDescription:\r\nThe chain is corrupted.\r\nEvent Xml:\r\n<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System/></Event>\r\n"), KindEVTXText, ""},
		{"get-winevent table", "events.txt", []byte("\r\n   ProviderName: Microsoft-Windows-Hyper-V-VMMS\r\n\r\nTimeCreated                     Id LevelDisplayName Message\r\n-----------                     -- ---------------- -------\r\n12/5/2026 3:04:05 AM         19100 Error            'APP01' background disk merge failed...\r\n"), KindEVTXText, ""},
		{"get-eventlog table", "system.txt", []byte("\r\n   Index Time          EntryType   Source                 InstanceID Message\r\n   ----- ----          ---------   ------                 ---------- -------\r\n   48211 Dec 05 03:01  Warning     disk                   2147745945 The IO operation was retried.\r\n"), KindEVTXText, ""},
		{"event viewer saved csv", "saved.csv", []byte("Level,Date and Time,Source,Event ID,Task Category\r\nError,12/5/2026 3:04:05 AM,Microsoft-Windows-Hyper-V-VMMS,19100,None,merge failed\r\n"), KindEVTXText, ""},
		{"locale metadata", "LocaleMetaData/System_1033.MTA", []byte{1, 2, 0, 0, 7}, KindLocaleMetadata, ""},
		{"plain prose", "notes.txt", []byte("The customer says the backup failed last night.\r\n"), KindUnknown, ""},
		{"empty file", "empty.txt", nil, KindUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := classify(tt.file, tt.head)
			assert.Equal(t, tt.kind, c.Kind)
			if tt.wantNote == "" {
				assert.Empty(t, c.Note)
			} else {
				assert.Contains(t, c.Note, tt.wantNote)
			}
		})
	}
}

// damagedSignatureHead is the start of an event log whose file signature
// has one bit flipped ("ElfFilf") while its first chunk is intact.
func damagedSignatureHead() []byte {
	b := make([]byte, 4096+512)
	copy(b, "ElfFilf\x00")
	copy(b[4096:], "ElfChnk\x00")
	return b
}
