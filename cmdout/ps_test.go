package cmdout

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse_getVHDList(t *testing.T) {
	text := readTestdata(t, "get-vhd_list.txt")
	assert.Equal(t, KindGetVHD, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	assert.Equal(t, []Kind{KindGetVHD}, d.Kinds)
	require.Len(t, d.VHDs, 2)
	v := d.VHDs[0]
	assert.Equal(t, 3, v.Line)
	assert.Equal(t, 4, v.PathLine)
	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\WEB02_0C4B9E27-5D13-4A86-B3F0-7E21D9A5C648.avhdx`, v.Path)
	assert.Equal(t, "Differencing", v.VhdType)
	assert.Equal(t, int64(4731174912), v.FileSize)
	assert.Equal(t, int64(107374182400), v.Size)
	assert.Equal(t, int64(2097152), v.BlockSize)
	assert.Equal(t, int64(4096), v.PhysicalSectorSize)
	// The wrapped value was cut mid-word at column 80.
	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\Long Folder Name For Wrapping Test\WEB02-system.vhdx`, v.ParentPath)
	assert.Equal(t, 13, v.ParentPathLine)
	assert.Equal(t, "5e8a1c47-2b9d-4f30-a6e1-93c70d2b8f54", v.DiskIdentifier)
	assert.Equal(t, int64(-1), v.FragmentationPercentage)
	assert.Equal(t, int64(-1), v.DiskNumber)
	assert.Equal(t, "True", v.Attached)
	assert.Equal(t, "None", v.Props["AddressAbstractionType"])
	assert.Equal(t, int64(3), d.VHDs[1].FragmentationPercentage)
	assert.Empty(t, d.VHDs[1].ParentPath)

	require.Len(t, d.Errors, 2)
	e := d.Errors[0]
	assert.Equal(t, 46, e.Line)
	assert.Equal(t, "Get-VHD", e.Command)
	assert.Equal(t, uint32(0xC03A000E), e.HResult)
	assert.Equal(t, "0xC03A000E", e.HResultText)
	assert.Contains(t, e.Message, "mismatch in the identifiers")
	assert.Equal(t, `E:\VMs\WEB02\Vi...8C1D2E3F.avhdx`, e.Path)
	assert.Equal(t, "ObjectNotFound,Microsoft.Vhd.PowerShell.Cmdlets.GetVHD", e.ErrorID)
	assert.Equal(t, `E:\VMs\OLD\gone.vhdx`, d.Errors[1].Path)
	assert.Zero(t, d.Errors[1].HResult)
}

func TestParse_vhdChain(t *testing.T) {
	text := readTestdata(t, "vhdchain.txt")
	assert.Equal(t, KindVHDChain, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.Chain, 5)
	assert.Equal(t, ChainLink{Line: 4, VMName: "WEB02", Number: 1, Type: "Differencing",
		Path: `E:\VMs\WEB02\Virtual Hard Disks\WEB02_0C4B9E27-5D13-4A86-B3F0-7E21D9A5C648.avhdx`}, d.Chain[0])
	assert.True(t, d.Chain[2].Error())
	assert.False(t, d.Chain[1].Error())
	assert.Equal(t, `F:\Hyper-V\DB03\Virtual Hard Disks\DB03 OS Disk.vhdx`, d.Chain[3].Path)
	assert.Equal(t, 10, d.Chain[4].Number)
	assert.True(t, d.Chain[4].Truncated)
	assert.False(t, d.Chain[3].Truncated)
}

func TestParse_snapshotsTable(t *testing.T) {
	text := readTestdata(t, "snapshots_table.txt")
	assert.Equal(t, KindVMSnapshots, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.Snapshots, 7)
	var types []string
	for _, s := range d.Snapshots {
		types = append(types, s.SnapshotType)
	}
	assert.Equal(t, SnapshotTypes, types)
	s := d.Snapshots[1]
	assert.Equal(t, 5, s.Line)
	assert.Equal(t, "WEB02 - Backup - (3/14/2024 - 2:05:09 AM)", s.Name)
	assert.Equal(t, "Before patch (3/1/2023 - 10:12:44 AM)", s.ParentSnapshotName)
	assert.Equal(t, "2024-03-14T02:05:09Z", s.CreationTime.Time.Format(time.RFC3339))
	assert.Equal(t, "2022-06-02T16:40:01Z", d.Snapshots[3].CreationTime.Time.Format(time.RFC3339))
	assert.True(t, d.Snapshots[0].UserCheckpoint())
	assert.True(t, d.Snapshots[2].UserCheckpoint())
	assert.False(t, d.Snapshots[1].UserCheckpoint())
	assert.Empty(t, d.Snapshots[0].ParentSnapshotName)
}

func TestParse_snapshotsList(t *testing.T) {
	d, problems := Parse(readTestdata(t, "snapshots_list.txt"))
	assert.Empty(t, problems)
	require.Len(t, d.Snapshots, 1)
	s := d.Snapshots[0]
	assert.Equal(t, "0c4b9e27-5d13-4a86-b3f0-7e21d9a5c648", s.ID)
	assert.Equal(t, "9c2b7e15-3d48-4a6f-b1e0-5f7a2c8d4e91", s.VMID)
	assert.Empty(t, s.ParentSnapshotID)
	assert.Equal(t, "2024-03-14T02:05:09Z", s.CreationTime.Time.Format(time.RFC3339))
	assert.Equal(t, []string{`E:\VMs\WEB02\Virtual Hard Disks\WEB02-system.vhdx`, `E:\VMs\WEB02\Virtual Hard Disks\WEB02-data.vhdx`}, s.HardDrives)
	assert.Equal(t, `E:\VMs\WEB02`, s.Path)
}

func TestParse_vmsTable(t *testing.T) {
	text := readTestdata(t, "vms_table.txt")
	assert.Equal(t, KindVMList, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.VMs, 4)
	assert.Equal(t, VM{Line: 4, Name: "WEB02", State: "Running", CPUUsage: 3, MemoryAssigned: 8192,
		Uptime: "12.04:17:22.5310000", Status: "Operating normally", Version: "9.0", Generation: -1}, d.VMs[0])
	assert.True(t, d.VMs[1].Critical())
	assert.True(t, d.VMs[1].Truncated)
	assert.Equal(t, "Cannot connect to virtual m...", d.VMs[1].Status)
	assert.True(t, d.VMs[2].Critical())
	assert.False(t, d.VMs[3].Critical())
	assert.Equal(t, "8.0", d.VMs[3].Version)
}

// Out-File at 80 columns drops columns that do not fit and cuts values.
func TestParse_vmsTable80Columns(t *testing.T) {
	text := "\r\nName  State       CPUUsage(%) MemoryAssigned(M) Uptime           Status\r\n" +
		"----  -----       ----------- ----------------- ------           ------\r\n" +
		"SQL01 SavedCritical         0                 0 00:00:00         Cannot conn...\r\n" +
		"WEB02 Running               3              8192 12.04:17:22.5310 Operatin\r\n"
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.VMs, 2)
	assert.Equal(t, "SavedCritical", d.VMs[0].State)
	assert.Equal(t, int64(0), d.VMs[0].CPUUsage)
	assert.True(t, d.VMs[0].Truncated)
	assert.Empty(t, d.VMs[0].Version)
	assert.Equal(t, "Operatin", d.VMs[1].Status)
}

func TestParse_vmsList(t *testing.T) {
	d, problems := Parse(readTestdata(t, "vms_list.txt"))
	assert.Empty(t, problems)
	require.Len(t, d.VMs, 1)
	v := d.VMs[0]
	assert.Equal(t, "9c2b7e15-3d48-4a6f-b1e0-5f7a2c8d4e91", v.VMID)
	assert.Equal(t, int64(2), v.Generation)
	assert.Equal(t, int64(8589934592), v.MemoryAssigned)
	assert.Equal(t, "Production", v.CheckpointType)
	assert.Equal(t, "WEB02 - (14.03.2024 - 02:05:09)", v.ParentSnapshotName)
	assert.Equal(t, "0c4b9e27-5d13-4a86-b3f0-7e21d9a5c648", v.ParentSnapshotID)
	assert.Equal(t, []string{"Hard Drive on SCSI controller number 0 at location 0", "Hard Drive on SCSI controller number 0 at location 1"}, v.HardDrives)
	assert.Equal(t, `E:\VMs\WEB02`, v.SnapshotFileLocation)
}

func TestParse_hardDisk(t *testing.T) {
	text := readTestdata(t, "harddisk.txt")
	assert.Equal(t, KindVMHardDisk, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.HardDrives, 3)
	assert.Equal(t, HardDrive{Line: 4, VMName: "WEB02", ControllerType: "SCSI", ControllerNumber: 0, ControllerLocation: 0,
		DiskNumber: -1, Path: `E:\VMs\WEB02\Virtual Hard Disks\WEB02_0C4B9E27-5D13-4A86-B3F0-7E21D9A5C648.avhdx`}, d.HardDrives[0])
	assert.Equal(t, int64(3), d.HardDrives[2].DiskNumber)
	assert.Equal(t, "IDE", d.HardDrives[2].ControllerType)
}

// Table rows wrapped by Format-Table -Wrap continue in the next line with
// an empty first column.
func TestReadTable_wrap(t *testing.T) {
	lines := Lines("VMName ControllerType Path\n------ -------------- ----\nWEB02  SCSI           E:\\VMs\\WEB02\\Virtual\n                      Hard Disks\\a.vhdx\n")
	tb := readTable(lines, 0)
	require.Len(t, tb.rows, 1)
	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\a.vhdx`, tb.cell(tb.rows[0], "Path"))
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		raw       string
		order     DateOrder
		want      string
		ambiguous bool
		msg       bool
	}{
		{"3/14/2024 2:05:11 AM", OrderUnknown, "2024-03-14T02:05:11Z", false, false},
		{"3/1/2023 10:12:44 AM", OrderUnknown, "2023-03-01T10:12:44Z", false, false},
		{"3/1/2023 12:12:44 AM", OrderUnknown, "2023-03-01T00:12:44Z", false, false},
		{"3/1/2023 12:12:44 PM", OrderUnknown, "2023-03-01T12:12:44Z", false, false},
		{"14/3/2024 2:05:11 PM", OrderUnknown, "2024-03-14T14:05:11Z", false, false},
		{"14.03.2024 02:05:11", OrderUnknown, "2024-03-14T02:05:11Z", false, false},
		{"2024/03/14 2:05:11", OrderUnknown, "2024-03-14T02:05:11Z", false, false},
		{"2024-03-14T02:05:11.1234567Z", OrderUnknown, "2024-03-14T02:05:11.1234567Z", false, false},
		{"2024-03-14T02:05:11.5+01:00", OrderUnknown, "2024-03-14T02:05:11.5+01:00", false, false},
		{"14/03/2024 02:05:11", OrderUnknown, "2024-03-14T02:05:11Z", false, false},
		{"03/04/2024 02:05:11", OrderUnknown, "", true, true},
		{"03/04/2024 02:05:11", DayFirst, "2024-04-03T02:05:11Z", false, false},
		{"03/04/2024 02:05:11", MonthFirst, "2024-03-04T02:05:11Z", false, false},
		{"31.02.2024 02:05:11", OrderUnknown, "", false, true},
		{"2024-03-14 오전 2:05:11", OrderUnknown, "", false, true},
		{"", OrderUnknown, "", false, false},
	}
	for _, tt := range tests {
		t.Run(strings.NewReplacer("/", "_", ":", "_", " ", "_").Replace(tt.raw), func(t *testing.T) {
			ts, msg := ParseTimestamp(tt.raw, tt.order)
			assert.Equal(t, tt.raw, ts.Raw)
			assert.Equal(t, tt.ambiguous, ts.Ambiguous)
			assert.Equal(t, tt.msg, msg != "", msg)
			if tt.want == "" {
				assert.True(t, ts.Time.IsZero())
			} else {
				assert.Equal(t, tt.want, ts.Time.Format(time.RFC3339Nano))
			}
		})
	}
}

func TestInferDateOrder(t *testing.T) {
	assert.Equal(t, DayFirst, InferDateOrder("01/02/2024 x 25/02/2024"))
	assert.Equal(t, MonthFirst, InferDateOrder("01/02/2024 x 02/25/2024"))
	assert.Equal(t, OrderUnknown, InferDateOrder("01/02/2024"))
	assert.Equal(t, OrderUnknown, InferDateOrder("25/02/2024 02/25/2024"))
}

// A document whose dates are all ambiguous reports each one.
func TestParse_ambiguousDatesReported(t *testing.T) {
	text := "VMName Name SnapshotType CreationTime\n------ ---- ------------ ------------\nA      s1   Standard     03/04/2024 10:00:00\n"
	d, problems := Parse(text)
	require.Len(t, d.Snapshots, 1)
	assert.True(t, d.Snapshots[0].CreationTime.Ambiguous)
	require.Len(t, problems, 1)
	assert.Equal(t, 3, problems[0].Line)
}

func TestParse_moreShapes(t *testing.T) {
	t.Run("get_vhd_table", func(t *testing.T) {
		text := "\r\nComputerName Path                     VhdFormat VhdType    FileSize         Size\r\n" +
			"------------ ----                     --------- -------    --------         ----\r\n" +
			"HVNODE7      E:\\VMs\\a\\disk one.vhdx    VHDX      Dynamic   4194304 137438953472\r\n"
		assert.Equal(t, KindGetVHD, Sniff(text))
		d, problems := Parse(text)
		assert.Empty(t, problems)
		require.Len(t, d.VHDs, 1)
		assert.Equal(t, `E:\VMs\a\disk one.vhdx`, d.VHDs[0].Path)
		assert.Equal(t, int64(4194304), d.VHDs[0].FileSize)
		assert.Equal(t, int64(137438953472), d.VHDs[0].Size)
	})
	t.Run("harddisk_list", func(t *testing.T) {
		text := "\r\nVMName             : WEB02\r\nControllerType     : SCSI\r\nControllerNumber   : 0\r\n" +
			"ControllerLocation : 1\r\nDiskNumber         :\r\nPath               : E:\\VMs\\WEB02\\data.vhdx\r\n"
		assert.Equal(t, KindVMHardDisk, Sniff(text))
		d, _ := Parse(text)
		require.Len(t, d.HardDrives, 1)
		assert.Equal(t, int64(1), d.HardDrives[0].ControllerLocation)
		assert.Equal(t, int64(-1), d.HardDrives[0].DiskNumber)
		assert.Equal(t, `E:\VMs\WEB02\data.vhdx`, d.HardDrives[0].Path)
	})
	t.Run("ps7_concise_error", func(t *testing.T) {
		d, _ := Parse("Get-VMSnapshot: Hyper-V was unable to find a virtual machine with name \"NOPE\".\r\n")
		require.Len(t, d.Errors, 1)
		assert.Equal(t, "Get-VMSnapshot", d.Errors[0].Command)
		assert.Equal(t, []Kind{KindVMSnapshots}, d.Kinds)
	})
	t.Run("not_a_cmdlet", func(t *testing.T) {
		d, _ := Parse("Hyper-V : enabled\r\n")
		assert.Empty(t, d.Errors)
	})
	t.Run("snapshot_list_cut_enumeration", func(t *testing.T) {
		d, _ := Parse("VMName       : A\r\nName         : s\r\nSnapshotType : Standard\r\nHardDrives   : {E:\\a.vhdx, E:\\b.avhdx, E:\\c.avhdx, E:\\d.avhdx...}\r\n")
		require.Len(t, d.Snapshots, 1)
		assert.True(t, d.Snapshots[0].Truncated)
		assert.Len(t, d.Snapshots[0].HardDrives, 4)
	})
}

func TestParse_snapshotTimeCut(t *testing.T) {
	text := "VMName Name SnapshotType CreationTime\r\n------ ---- ------------ ------------\r\nA      s1   Standard     3/14/2024 2:0...\r\n"
	d, problems := Parse(text)
	require.Len(t, d.Snapshots, 1)
	assert.True(t, d.Snapshots[0].Truncated)
	assert.True(t, d.Snapshots[0].CreationTime.Time.IsZero())
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0].Msg, "cut short")
}
