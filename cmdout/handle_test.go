package cmdout

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandleOutput(t *testing.T) {
	const out = `
Nthandle v5.0 - Handle viewer
Copyright (C) 1997-2022 Mark Russinovich
Sysinternals - www.sysinternals.com

vmwp.exe           pid: 4321   type: File           5A4: D:\Hyper-V\APP01\Virtual Hard Disks\APP01.vhdx
MsMpEng.exe        pid: 2980   type: File           1F0: D:\Hyper-V\APP01\Virtual Hard Disks\APP01_6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73.avhdx
backup agent.exe   pid: 77     type: File   CONTOSO\svc_backup   2C: D:\Hyper-V\APP01\Virtual Machines\6F0D2C41.vmcx
`
	require.Equal(t, KindHandle, Sniff(out))
	d, problems := Parse(out)
	assert.Empty(t, problems)
	require.Len(t, d.Handles, 3)
	assert.Equal(t, Handle{Line: 6, Process: "vmwp.exe", PID: 4321, Type: "File", ID: "5A4", Path: `D:\Hyper-V\APP01\Virtual Hard Disks\APP01.vhdx`}, d.Handles[0])
	assert.Equal(t, "MsMpEng.exe", d.Handles[1].Process)
	assert.Equal(t, "backup agent.exe", d.Handles[2].Process, "image names may hold spaces")
	assert.Equal(t, `CONTOSO\svc_backup`, d.Handles[2].User)
	assert.Equal(t, `D:\Hyper-V\APP01\Virtual Machines\6F0D2C41.vmcx`, d.Handles[2].Path)

	empty, _ := Parse("Nthandle v5.0 - Handle viewer\r\n\r\nNo matching handles found.\r\n")
	assert.Empty(t, empty.Handles)
}
