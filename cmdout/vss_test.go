package cmdout

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	text, _, _ := Decode(b)
	return text
}

func TestParse_writersEnglish(t *testing.T) {
	d, problems := Parse(readTestdata(t, "vssadmin_writers_en.txt"))
	assert.Empty(t, problems)
	assert.Equal(t, []Kind{KindVSSWriters}, d.Kinds)
	require.Len(t, d.Writers, 4)
	assert.Equal(t, Writer{
		Line: 13, Name: "Microsoft Hyper-V VSS Writer",
		ID: "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de", InstanceID: "7c2f9e14-58ab-4d03-b6e1-0f3a2d4c5b67",
		State: 9, StateText: "Failed", LastError: "Timed out", StateLine: 16,
	}, d.Writers[1])
	assert.True(t, d.Writers[1].Failed())
	assert.Equal(t, "VSS_WS_FAILED_AT_FREEZE", WriterStateName(d.Writers[1].State))
	assert.Equal(t, 11, d.Writers[2].State)
	assert.Equal(t, "Non-retryable error", d.Writers[2].LastError)
	assert.True(t, d.Writers[3].Busy())
	assert.False(t, d.Writers[0].Failed())
}

func TestParse_writersLocalized(t *testing.T) {
	tests := []struct {
		file      string
		name      string
		lastError string
	}{
		{"vssadmin_writers_de.txt", "Microsoft Hyper-V VSS Writer", "Zeitüberschreitung"},
		{"vssadmin_writers_fr.txt", "Microsoft Hyper-V VSS Writer", "Délai d'attente dépassé"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			text := readTestdata(t, tt.file)
			assert.Equal(t, KindVSSWriters, Sniff(text))
			d, problems := Parse(text)
			assert.Empty(t, problems)
			require.NotEmpty(t, d.Writers)
			w := d.Writers[0]
			assert.Equal(t, tt.name, w.Name)
			assert.Equal(t, 9, w.State)
			assert.Equal(t, "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de", w.ID)
			assert.NotEmpty(t, w.InstanceID)
			assert.Equal(t, tt.lastError, w.LastError)
			assert.Equal(t, 4, w.Line)
		})
	}
}

// Every VSS_WRITER_STATE and every documented Last error string.
func TestParse_writerStatesAndErrors(t *testing.T) {
	texts := []string{"Unknown", "Stable", "Waiting for freeze", "Waiting for thaw",
		"Waiting for post snapshot", "Waiting for completion"}
	lastErrors := []string{"No error", "Timed out", "Retryable error", "Non-retryable error",
		"Inconsistent shadow copy", "Out of resources", "Unexpected error"}
	for n := 0; n <= 15; n++ {
		for _, le := range lastErrors {
			t.Run(fmt.Sprintf("state_%d_%s", n, strings.ReplaceAll(le, " ", "_")), func(t *testing.T) {
				st := "Failed"
				if n < len(texts) {
					st = texts[n]
				}
				text := fmt.Sprintf("Writer name: 'Contoso Writer'\r\n   Writer Id: {0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}\r\n"+
					"   Writer Instance Id: {1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e}\r\n   State: [%d] %s\r\n   Last error: %s\r\n", n, st, le)
				d, problems := Parse(text)
				assert.Empty(t, problems)
				require.Len(t, d.Writers, 1)
				w := d.Writers[0]
				assert.Equal(t, n, w.State)
				assert.Equal(t, st, w.StateText)
				assert.Equal(t, le, w.LastError)
				assert.Equal(t, n >= 6, w.Failed())
				assert.Equal(t, n >= 2 && n <= 5, w.Busy())
				assert.NotEmpty(t, WriterStateName(n))
			})
		}
	}
	assert.Empty(t, WriterStateName(16))
	assert.Empty(t, WriterStateName(-1))
}

func TestParse_writersTruncated(t *testing.T) {
	text := readTestdata(t, "vssadmin_writers_en.txt")
	cut := text[:strings.Index(text, "   State: [11]")]
	d, problems := Parse(cut)
	require.Len(t, d.Writers, 3)
	last := d.Writers[2]
	assert.Equal(t, "NTDS", last.Name)
	assert.Equal(t, -1, last.State)
	assert.Equal(t, "b2014c9e-8711-4c5c-a5a9-3cf384484757", last.ID)
	require.Len(t, problems, 1)
	assert.Equal(t, 19, problems[0].Line)
	assert.Contains(t, problems[0].Msg, "no state line")
}

func TestParse_writerGarbageLines(t *testing.T) {
	text := "Writer name: 'X'\n   Writer Id: {0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}\n   ???\n   State: [99] Weird\n   Last error: No error\n"
	d, problems := Parse(text)
	require.Len(t, d.Writers, 1)
	assert.Equal(t, -1, d.Writers[0].State)
	require.Len(t, problems, 2)
	assert.Equal(t, 3, problems[0].Line)
	assert.Equal(t, 4, problems[1].Line)
}

func TestSniff_empty(t *testing.T) {
	text := readTestdata(t, "vssadmin_shadows_empty.txt")
	assert.Equal(t, KindVSSShadows, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	assert.Equal(t, []int{4}, d.NoItems)
	assert.Empty(t, d.Kinds)
	assert.Equal(t, KindUnknown, Sniff("hello\nworld\n"))
}

func TestParse_tssVSSAdminAllSections(t *testing.T) {
	text := readTestdata(t, "tss_Storage_VSSAdmin.txt")
	assert.Equal(t, KindVSSWriters, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	assert.Equal(t, []Kind{KindVSSWriters, KindVSSProviders, KindVSSShadows, KindVSSShadowStorage}, d.Kinds)
	require.Len(t, d.Writers, 1)

	require.Len(t, d.Providers, 3)
	assert.Equal(t, Provider{Line: 33, Name: "Fabrikam Array VSS Hardware Provider", Type: "Hardware",
		ID: "3c5e7a9b-1d2f-4e6a-8b0c-2d4e6f8a0b1c", Version: "7.1.0.42"}, d.Providers[2])
	assert.False(t, d.Providers[0].ThirdParty())
	assert.False(t, d.Providers[1].ThirdParty())
	assert.True(t, d.Providers[2].ThirdParty())

	require.Len(t, d.Shadows, 3)
	s := d.Shadows[1]
	assert.Equal(t, 51, s.Line)
	assert.Equal(t, 41, s.SetLine)
	assert.Equal(t, "9d8c7b6a-5f4e-4d3c-8b2a-190817263544", s.SetID)
	assert.Equal(t, 2, s.Count)
	assert.Equal(t, "3/14/2024 2:05:11 AM", s.CreationTime.Raw)
	assert.Equal(t, "2024-03-14T02:05:11Z", s.CreationTime.Time.Format(time.RFC3339))
	assert.Equal(t, "1b0c9d8e-7f6a-4b5c-8d3e-2f1a0b9c8d7e", s.ID)
	assert.Equal(t, "C:", s.OriginalVolume.Drive)
	assert.Equal(t, "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", s.OriginalVolume.GUID)
	assert.Equal(t, `\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy24`, s.ShadowVolume)
	assert.Equal(t, "HVNODE7.fabrikam.test", s.OriginatingMachine)
	assert.Equal(t, "HVNODE7.fabrikam.test", s.ServiceMachine)
	assert.Equal(t, "Microsoft Software Shadow Copy provider 1.0", s.Provider)
	assert.Equal(t, "ApplicationRollback", s.Type)
	assert.Equal(t, []string{"Persistent", "No auto release", "Differential", "Auto recovered"}, s.Attributes)
	assert.Equal(t, "2024-03-02T23:40:03Z", d.Shadows[2].CreationTime.Time.Format(time.RFC3339))
	assert.Equal(t, "ClientAccessibleWriters", d.Shadows[2].Type)

	require.Len(t, d.ShadowStorage, 2)
	st := d.ShadowStorage[0]
	assert.Equal(t, 74, st.Line)
	assert.Equal(t, "D:", st.ForVolume.Drive)
	assert.Equal(t, "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", st.StorageVolume.GUID)
	assert.InDelta(t, 18.4, st.Used.Value, 1e-9)
	assert.Equal(t, "GB", st.Used.Unit)
	assert.Equal(t, uint64(19756849561), st.Used.Bytes)
	assert.Equal(t, 1, st.Allocated.Percent)
	assert.True(t, st.Maximum.Unbounded)
	assert.Equal(t, 100, st.Maximum.Percent)
	assert.Equal(t, uint64(0), d.ShadowStorage[1].Used.Bytes)
	assert.Equal(t, 5, d.ShadowStorage[1].Maximum.Percent)
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in        string
		ok        bool
		bytes     uint64
		unbounded bool
		percent   int
	}{
		{"18.4 GB (1%)", true, uint64(19756849561), false, 1},
		{"18,4 GB (1%)", true, uint64(19756849561), false, 1},
		{"512 MB (3%)", true, 512 << 20, false, 3},
		{"1,024 KB (0%)", true, 1024 << 10, false, 0},
		{"UNBOUNDED (100%)", true, 0, true, 100},
		{"ILLIMITÉ (100%)", true, 0, true, 100},
		{"0 B (0%)", true, 0, false, 0},
		{"lots", false, 0, false, -1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseSize(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.bytes, got.Bytes)
			assert.Equal(t, tt.unbounded, got.Unbounded)
			assert.Equal(t, tt.percent, got.Percent)
		})
	}
}

func TestParse_shadowsTruncated(t *testing.T) {
	text := readTestdata(t, "tss_Storage_VSSAdmin.txt")
	i := strings.Index(text, "         Type: ClientAccessibleWriters")
	d, _ := Parse(text[:i])
	require.Len(t, d.Shadows, 3)
	assert.Empty(t, d.Shadows[2].Type)
	assert.Equal(t, "Microsoft Software Shadow Copy provider 1.0", d.Shadows[2].Provider)
}

func TestParse_shadowsFrench(t *testing.T) {
	text := "vssadmin 1.1 - Outil ligne de commande d'administration du service de cliché instantané de volume\r\n" +
		"(C) Copyright 2001-2013 Microsoft Corp.\r\n\r\n" +
		"Contenu de l'ID de jeu de clichés instantanés : {9d8c7b6a-5f4e-4d3c-8b2a-190817263544}\r\n" +
		"   Contenait 1 clichés instantanés au moment de la création : 14/03/2024 02:05:11\r\n" +
		"      ID de cliché instantané : {0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d}\r\n" +
		"         Volume original : (D:)\\\\?\\Volume{7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d}\\\r\n" +
		"         Volume de cliché instantané : \\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy23\r\n" +
		"         Ordinateur d'origine : HVNODE7.fabrikam.test\r\n" +
		"         Ordinateur de service : HVNODE8.fabrikam.test\r\n" +
		"         Fournisseur : 'Microsoft Software Shadow Copy provider 1.0'\r\n" +
		"         Type : ApplicationRollback\r\n" +
		"         Attributs : Persistant\r\n\r\n" +
		"Association de stockage pour cliché instantané\r\n" +
		"   Pour le volume : (D:)\\\\?\\Volume{7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d}\\\r\n" +
		"   Volume de stockage de cliché instantané : (E:)\\\\?\\Volume{1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b}\\\r\n" +
		"   Espace de stockage utilisé pour le cliché instantané : 18,4 Go (1 %)\r\n" +
		"   Espace de stockage alloué pour le cliché instantané : 19,1 Go (1 %)\r\n" +
		"   Espace de stockage maximum pour le cliché instantané : ILLIMITÉ (100 %)\r\n"
	d, problems := Parse(text)
	assert.Empty(t, problems)
	assert.Equal(t, []Kind{KindVSSShadows, KindVSSShadowStorage}, d.Kinds)
	require.Len(t, d.Shadows, 1)
	s := d.Shadows[0]
	assert.Equal(t, "2024-03-14T02:05:11Z", s.CreationTime.Time.Format(time.RFC3339))
	assert.Equal(t, "D:", s.OriginalVolume.Drive)
	assert.Equal(t, `\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy23`, s.ShadowVolume)
	assert.Equal(t, "HVNODE7.fabrikam.test", s.OriginatingMachine)
	assert.Equal(t, "HVNODE8.fabrikam.test", s.ServiceMachine)
	assert.Equal(t, "Microsoft Software Shadow Copy provider 1.0", s.Provider)
	assert.Equal(t, "ApplicationRollback", s.Type)
	assert.Equal(t, []string{"Persistant"}, s.Attributes)
	require.Len(t, d.ShadowStorage, 1)
	st := d.ShadowStorage[0]
	assert.Equal(t, "E:", st.StorageVolume.Drive)
	assert.Equal(t, uint64(19756849561), st.Used.Bytes)
	assert.True(t, st.Maximum.Unbounded)
	assert.Equal(t, 100, st.Maximum.Percent)
}

func TestVMStatesCritical(t *testing.T) {
	for _, st := range VMStates {
		text := "Name  State\r\n----  -----\r\nVM01  " + st + "\r\n"
		d, _ := Parse(text)
		require.Len(t, d.VMs, 0, "a two-column Name/State table is not Get-VM")
		text = "Name  State " + strings.Repeat(" ", 20) + "Status\r\n----  ----- " + strings.Repeat(" ", 20) + "------\r\nVM01  " + st + strings.Repeat(" ", 26-len(st)) + "Operating normally\r\n"
		d, _ = Parse(text)
		require.Len(t, d.VMs, 1, st)
		assert.Equal(t, st, d.VMs[0].State)
		assert.Equal(t, strings.HasSuffix(st, "Critical"), d.VMs[0].Critical(), st)
	}
}
