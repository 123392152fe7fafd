package cmdout

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestVMSID(t *testing.T) {
	const id, sid = "D9E0EB0A-5B37-508E-9173-67E9ADE83ACF", "S-1-5-83-1-3655396106-1351506743-3915871121-3476744365"
	for _, in := range []string{id, "{d9e0eb0a-5b37-508e-9173-67e9ade83acf}"} {
		got, err := VMSID(in)
		require.NoError(t, err)
		assert.Equal(t, sid, got)
	}
	back, err := VMIDFromSID(sid)
	require.NoError(t, err)
	assert.Equal(t, "d9e0eb0a-5b37-508e-9173-67e9ade83acf", back)

	_, err = VMSID("not-a-guid")
	assert.Error(t, err)
	_, err = VMIDFromSID("S-1-5-83-0")
	assert.Error(t, err)
	_, err = VMIDFromSID("S-1-5-83-1-9999999999-1-2-3")
	assert.Error(t, err)
}

const seceditSample = "[Unicode]\r\nUnicode=yes\r\n[Privilege Rights]\r\n" +
	"SeNetworkLogonRight = *S-1-1-0,*S-1-5-32-544,*S-1-5-32-545\r\n" +
	"SeServiceLogonRight = *S-1-5-80-0,svc_backup\r\n" +
	"SeCreateSymbolicLinkPrivilege = *S-1-5-32-544,*S-1-5-83-0\r\n" +
	"garbage line\r\n" +
	"[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n"

func TestParse_secedit(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	text, enc, _ := Decode(append([]byte{0xff, 0xfe}, mustEncode(t, le, seceditSample)...))
	assert.Equal(t, EncUTF16LEBOM, enc)
	assert.Equal(t, KindSecedit, Sniff(text))
	d, problems := Parse(text)
	require.Len(t, problems, 1)
	assert.Equal(t, 7, problems[0].Line)
	require.Len(t, d.Rights, 3)
	r := d.Rights[1]
	assert.Equal(t, PrivilegeRight{Line: 5, Right: "SeServiceLogonRight",
		Accounts: []Account{{Value: "S-1-5-80-0", Star: true}, {Value: "svc_backup"}}}, r)
	assert.False(t, r.Has(VirtualMachinesSID))
	assert.True(t, d.Rights[2].Has(VirtualMachinesSID))
}

func TestParse_whoamiPriv(t *testing.T) {
	text := readTestdata(t, "whoami_priv.txt")
	assert.Equal(t, KindWhoamiPriv, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.Privileges, 3)
	assert.Equal(t, Privilege{Line: 7, Name: "SeShutdownPrivilege", Description: "Shut down the system", State: "Disabled"}, d.Privileges[0])
	assert.Equal(t, "Enabled", d.Privileges[1].State)
}

func TestParse_icacls(t *testing.T) {
	// cmd.exe redirection writes the OEM code page.
	b := mustEncode(t, charmap.CodePage850, readTestdata(t, "icacls.txt"))
	text, enc, _ := Decode(b)
	assert.Equal(t, EncCP850, enc)
	assert.Equal(t, KindIcacls, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.ACLs, 4)

	a := d.ACLs[0]
	assert.Equal(t, `E:\VMs\WEB02`, a.Path)
	require.Len(t, a.ACEs, 7)
	assert.Equal(t, ACE{Line: 1, Principal: `NT VIRTUAL MACHINE\Virtual Machines`, Flags: []string{"OI", "CI"}, Rights: []string{"RX"}}, a.ACEs[0])
	assert.Equal(t, []string{"I", "OI", "CI", "IO"}, a.ACEs[4].Flags)
	assert.True(t, a.ACEs[4].Inherited)
	assert.True(t, a.ACEs[5].Deny)
	assert.Equal(t, []string{"W"}, a.ACEs[5].Rights)

	v := d.ACLs[1]
	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\WEB02-system.vhdx`, v.Path)
	assert.Equal(t, "S-1-5-83-1-3655396106-1351506743-3915871121-3476744365", v.ACEs[0].SID)
	assert.Equal(t, []string{"R", "W"}, v.ACEs[0].Rights)
	assert.Empty(t, v.ACEs[1].SID)

	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\Gäste Überlauf.vhdx`, d.ACLs[2].Path)
	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\only one.vhdx`, d.ACLs[3].Path)
	assert.Equal(t, `BUILTIN\Administrators`, d.ACLs[3].ACEs[0].Principal)

	assert.Equal(t, []IcaclsSummary{{Line: 9, Succeeded: 1, Failed: 0}, {Line: 18, Succeeded: 3, Failed: 1}}, d.IcaclsSummaries)
	require.Len(t, d.Errors, 1)
	assert.Equal(t, ErrorRecord{Line: 17, Command: "icacls", Path: `E:\VMs\WEB02\missing.vhdx`,
		Message: "The system cannot find the file specified."}, d.Errors[0])
}

func TestParse_fltmc(t *testing.T) {
	text := readTestdata(t, "tss_Storage_fltmc.txt")
	assert.Equal(t, KindFltmcFilters, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	assert.Equal(t, []Kind{KindFltmcFilters, KindFltmcInstances}, d.Kinds)
	require.Len(t, d.Filters, 12)
	assert.Equal(t, Filter{Line: 4, Name: "bindflt", Instances: 1, Altitude: "409800", AltitudeValue: 409800, Frame: 0}, d.Filters[0])
	assert.Equal(t, 385250.5, d.Filters[7].AltitudeValue)
	legacy := d.Filters[8]
	assert.True(t, legacy.Legacy)
	assert.Equal(t, -1, legacy.Instances)
	assert.Equal(t, -1, legacy.Frame)
	assert.Equal(t, "Anti-Virus", BandOf(legacy.AltitudeValue))

	require.Len(t, d.FilterInstances, 5)
	fi := d.FilterInstances[2]
	assert.Equal(t, FilterInstance{Line: 24, Filter: "WdFilter", Volume: `C:\ClusterStorage\Volume1`, Altitude: "328010",
		AltitudeValue: 328010, Instance: "WdFilter Instance", Frame: 0, SupportedFeatures: "0000000f"}, fi)
}

func TestParse_fltmcError(t *testing.T) {
	d, _ := Parse("\r\nFilter listing failed with error: 0x80070005\r\nAccess is denied.\r\n\r\n")
	assert.Equal(t, []Kind{KindFltmcFilters}, d.Kinds)
	require.Len(t, d.Errors, 1)
	assert.Equal(t, uint32(0x80070005), d.Errors[0].HResult)
	assert.Equal(t, 2, d.Errors[0].Line)
	assert.Contains(t, d.Errors[0].Message, "Access is denied.")
}

func TestBands(t *testing.T) {
	tests := []struct {
		alt  float64
		band string
	}{
		{328010, "Anti-Virus"}, {329998, "Anti-Virus"}, {329999, ""}, {389040, "Activity Monitor"},
		{285000, "Continuous Backup"}, {409800, "Top"}, {141100, "Encryption"}, {385250.5, "Activity Monitor"}, {1, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.band, BandOf(tt.alt), "%v", tt.alt)
	}
}

// fltmc headers are localized; the table is recognised by its shape.
func TestParse_fltmcGerman(t *testing.T) {
	text := "\r\nFiltername                      Anz. Instanzen    Höhe        Frame\r\n" +
		"------------------------------  -------------  ------------  -----\r\n" +
		"WdFilter                                6       328010         0\r\n" +
		"klif                                    4       320400         0\r\n"
	assert.Equal(t, KindFltmcFilters, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.Filters, 2)
	assert.Equal(t, "klif", d.Filters[1].Name)
	assert.Equal(t, 4, d.Filters[1].Instances)
	assert.Equal(t, "Anti-Virus", BandOf(d.Filters[1].AltitudeValue))
}
