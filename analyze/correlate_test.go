package analyze

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/rules"
)

func TestCorrelateTiesEvidenceToVMs(t *testing.T) {
	ev := []rules.Evidence{
		{Kind: rules.KindVM, Attrs: map[string]string{rules.AttrVM: "APP01", rules.AttrVMID: "D9E0EB0A-5B37-508E-9173-67E9ADE83ACF",
			rules.AttrDiskPaths: `D:\VMs\APP01\APP01.vhdx` + "\n" + `D:\VMs\APP01\APP01_6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73.avhdx`}},
		{Kind: rules.KindEvent, Attrs: map[string]string{"user_sid": "S-1-5-83-1-3655396106-1351506743-3915871121-3476744365"}},
		{Kind: rules.KindEvent, Attrs: map[string]string{rules.AttrVMID: "d9e0eb0a-5b37-508e-9173-67e9ade83acf"}},
		{Kind: rules.KindDisk, Source: "disks/app01_6f0d2c41-9a3b-4e7c-8b15-2d4f6a9c0e73.AVHDX", Attrs: map[string]string{}},
		{Kind: rules.KindChainIssue, Attrs: map[string]string{"child": "x/APP01.vhdx"}},
		{Kind: rules.KindEvent, Attrs: map[string]string{rules.AttrVMID: "00000000-0000-0000-0000-000000000001"}},
		{Kind: rules.KindEvent, Attrs: map[string]string{rules.AttrVM: "SQL01", rules.AttrVMID: "D9E0EB0A-5B37-508E-9173-67E9ADE83ACF"}},
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
	ev := []rules.Evidence{
		{Kind: rules.KindVM, Attrs: map[string]string{rules.AttrVM: "SQL05", rules.AttrVMID: "8d1c2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"}},
		{Kind: rules.KindSnapshot, Attrs: map[string]string{rules.AttrVM: "SQL05"}},
	}
	correlate(ev)
	assert.Equal(t, "8D1C2E3F-4A5B-4C6D-8E9F-0A1B2C3D4E5F", ev[1].Attrs[rules.AttrVMID])
}
