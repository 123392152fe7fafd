package analyze

import (
	"testing"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/stretchr/testify/assert"
)

func TestCorrelateTiesEvidenceToVMs(t *testing.T) {
	ev := []evidence.Evidence{
		{Kind: evidence.KindVM, Attrs: map[string]string{evidence.AttrVM: "APP01", evidence.AttrVMID: "D9E0EB0A-5B37-508E-9173-67E9ADE83ACF",
			evidence.AttrDiskPaths: `D:\VMs\APP01\APP01.vhdx` + "\n" + `D:\VMs\APP01\APP01_6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73.avhdx`}},
		{Kind: evidence.KindEvent, Attrs: map[string]string{"user_sid": "S-1-5-83-1-3655396106-1351506743-3915871121-3476744365"}},
		{Kind: evidence.KindEvent, Attrs: map[string]string{evidence.AttrVMID: "d9e0eb0a-5b37-508e-9173-67e9ade83acf"}},
		{Kind: evidence.KindDisk, Source: "disks/app01_6f0d2c41-9a3b-4e7c-8b15-2d4f6a9c0e73.AVHDX", Attrs: map[string]string{}},
		{Kind: evidence.KindChainIssue, Attrs: map[string]string{"child": "x/APP01.vhdx"}},
		{Kind: evidence.KindEvent, Attrs: map[string]string{evidence.AttrVMID: "00000000-0000-0000-0000-000000000001"}},
		{Kind: evidence.KindEvent, Attrs: map[string]string{evidence.AttrVM: "SQL01", evidence.AttrVMID: "D9E0EB0A-5B37-508E-9173-67E9ADE83ACF"}},
	}
	correlate(ev)
	assert.Equal(t, "APP01", ev[1].VM(), "Worker event by the VM's SID")
	assert.Equal(t, "APP01", ev[2].VM(), "VMMS event by the VM's GUID, any case")
	assert.Equal(t, "APP01", ev[3].VM(), "disk header by file name")
	assert.Equal(t, "APP01", ev[4].VM(), "chain issue by the child's file name")
	assert.Equal(t, "", ev[5].VM(), "unknown GUID stays unattributed")
	assert.Equal(t, "SQL01", ev[6].VM(), "an item that names its VM keeps it")
}

func TestCorrelateFillsVMID(t *testing.T) {
	ev := []evidence.Evidence{
		{Kind: evidence.KindVM, Attrs: map[string]string{evidence.AttrVM: "SQL05", evidence.AttrVMID: "8d1c2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"}},
		{Kind: evidence.KindSnapshot, Attrs: map[string]string{evidence.AttrVM: "SQL05"}},
	}
	correlate(ev)
	assert.Equal(t, "8D1C2E3F-4A5B-4C6D-8E9F-0A1B2C3D4E5F", ev[1].Attrs[evidence.AttrVMID])
}
