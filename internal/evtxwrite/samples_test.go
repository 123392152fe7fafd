package evtxwrite

import (
	"fmt"
	"time"
)

// Records shaped like the events Hyper-V hosts write. Values are composed
// (fake host, VM names, GUIDs); only the layout follows real logs.

const (
	testHost     = "HV01.contoso.local"
	guidVMMS     = "{6066F867-7CA1-4418-85FD-36E3F9C0600C}"
	guidWorker   = "{51ddfa29-d5c8-4803-be4b-2ecb715570fe}"
	guidKernelG  = "{a68ca8b7-004f-d7b6-a698-07e2de0f1f5d}"
	guidNtfs     = "{3ff37a1c-a68d-4d6e-8c9b-f79e8b16c482}"
	guidReFS     = "{cd9c6198-bf73-4106-803b-c17d26559018}"
	guidVHDMP    = "{e2816346-87f4-4f85-95c3-0c79409aa89d}"
	guidCluster  = "{baf908ea-3421-4ca9-9b84-6689b8c6f85f}"
	guidSCM      = "{555908d1-a6d7-4695-8e1e-26931d2012f4}"
	vmSID        = "S-1-5-83-1-1863134273-1316788795-1328354699-1930337386"
	vmID         = "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73"
	chanVMMS     = "Microsoft-Windows-Hyper-V-VMMS-Admin"
	chanWorker   = "Microsoft-Windows-Hyper-V-Worker-Admin"
	ioPacketHead = "0f0104000300"
)

// clock hands out increasing times with 100 ns resolution so that time
// precision is exercised.
type clock struct{ t time.Time }

func (c *clock) next() time.Time {
	c.t = c.t.Add(1234567800 * time.Nanosecond)
	return c.t
}

func newClock() *clock { return &clock{t: time.Date(2024, 3, 14, 1, 59, 0, 100, time.UTC)} }

func classicRec(c *clock, provider, channel string, id, qual uint16, level uint8, data []string, bin []byte) Record {
	r := Record{
		Provider: provider, Channel: channel, Computer: testHost,
		EventID: id, Qualifiers: qual, HasQualifiers: true, Level: level,
		Keywords: 0x80000000000000, Time: c.next(), Binary: bin,
	}
	for _, d := range data {
		r.Data = append(r.Data, Field{Value: d})
	}
	return r
}

func manifestRec(c *clock, provider, guid, channel string, id uint16, level uint8, task uint16, fields ...Field) Record {
	return Record{
		Provider: provider, ProviderGUID: guid, Channel: channel, Computer: testHost,
		EventID: id, Level: level, Task: task, Keywords: 0x8000000000000000,
		Time: c.next(), ProcessID: 4, ThreadID: 172, UserSID: "S-1-5-18", Data: fields,
	}
}

func vmlRec(c *clock, provider, guid, channel string, id uint16, level uint8, fields ...Field) Record {
	return Record{
		Provider: provider, ProviderGUID: guid, Channel: channel, Computer: testHost,
		EventID: id, Level: level, Keywords: 0x8000000000000000, Version: 0,
		Time: c.next(), ProcessID: 2740, ThreadID: 5136, UserSID: vmSID,
		UserData: &UserData{Name: "VmlEventLog", Namespace: VMLNamespace, Fields: fields},
	}
}

func hexBytes(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		fmt.Sscanf(s[2*i:2*i+2], "%02x", &b[i])
	}
	return b
}

func systemRecords(c *clock) []Record {
	f := func(n, v string, t Type) Field { return Field{Name: n, Value: v, Type: t} }
	return []Record{
		classicRec(c, "EventLog", "System", 6009, 0x8000, 4, []string{"10.00.", "17763", "", "Multiprocessor Free", "17763.5576.amd64fre.rs5_release.180914-1434"}, nil),
		classicRec(c, "EventLog", "System", 6005, 0x8000, 4, nil, hexBytes("e80703000400030002003b000000a000")),
		manifestRec(c, "Microsoft-Windows-Kernel-General", guidKernelG, "System", 12, 4, 1,
			f("MajorVersion", "10", UInt32), f("MinorVersion", "0", UInt32), f("BuildVersion", "17763", UInt32),
			f("QfeVersion", "5576", UInt32), f("ServiceVersion", "0", UInt16), f("BootMode", "0", UInt32),
			f("StartTime", "2024-03-14T01:58:57.5000001Z", FileTime)),
		classicRec(c, "disk", "System", 153, 0x8004, 3, []string{`\Device\Harddisk3\DR3`, "0x2a81f400", "3", `\Device\00000052`}, hexBytes(ioPacketHead+"2c00000000009900048000000000000000000000")),
		classicRec(c, "disk", "System", 7, 0xc004, 2, []string{`\Device\Harddisk3\DR3`}, hexBytes(ioPacketHead+"2c0000000000070004c0")),
		classicRec(c, "disk", "System", 51, 0x8004, 3, []string{`\Device\Harddisk2\DR2`}, hexBytes(ioPacketHead+"2c000000000033000480")),
		classicRec(c, "storahci", "System", 129, 0x8004, 3, []string{`\Device\RaidPort0`}, hexBytes(ioPacketHead+"680000000000810004800000000000000000")),
		classicRec(c, "Ntfs", "System", 55, 0xc004, 2, []string{"", "D:", ""}, hexBytes("000004000200300000000000370004c0")),
		classicRec(c, "iScsiPrt", "System", 9, 0xc000, 2, []string{""}, hexBytes("0000040001002c0000000000090000c0")),
		classicRec(c, "iScsiPrt", "System", 39, 0xc000, 2, []string{""}, hexBytes("0000040001002c0000000000270000c0")),
		manifestRec(c, "Microsoft-Windows-FailoverClustering", guidCluster, "System", 1069, 2, 3,
			f("ResourceName", "Virtual Machine Configuration APP01", String), f("ResourceGroup", "APP01", String),
			f("ResTypeDll", "Virtual Machine Configuration", String), f("RpcStatus", "5", UInt32),
			f("RhsResult", "0", UInt32), f("ResourceStatus", "", String)),
		manifestRec(c, "Microsoft-Windows-FailoverClustering", guidCluster, "System", 5120, 2, 38,
			f("VolumeName", "Volume1", String), f("ResourceName", "Cluster Disk 2", String),
			f("ErrorCode", "STATUS_IO_TIMEOUT(c00000b5)", String), f("DiskDeviceNumber", "4", UInt32),
			f("Status", "0xc00000b5", HexInt32)),
		manifestRec(c, "Microsoft-Windows-Ntfs", guidNtfs, "System", 98, 4, 0,
			f("DriveName", "D:", String), f("DeviceName", `\Device\HarddiskVolume5`, String),
			f("CorruptionActionState", "2", UInt32)),
		manifestRec(c, "Microsoft-Windows-ReFS", guidReFS, "System", 133, 2, 0,
			f("ObjectNameLength", "49", UInt16), f("ObjectName", `E:\Hyper-V\APP01\Virtual Hard Disks\APP01.vhdx`, String),
			f("FailureReason", "0xc000003f", HexInt32)),
		manifestRec(c, "Microsoft-Windows-ReFS", guidReFS, "System", 513, 3, 0,
			f("ObjectNameLength", "51", UInt16), f("ObjectName", `E:\Hyper-V\APP01\Virtual Hard Disks\APP01_A1.avhdx`, String),
			f("FailureReason", "0xc0000428", HexInt32)),
		manifestRec(c, "Microsoft-Windows-VHDMP", guidVHDMP, "System", 7, 2, 0,
			f("ParentLastWriteGUID", "{0c3a4e5d-2b1a-4f9e-8d7c-6b5a49382716}", GUID),
			f("ExpectedParentLastWriteGUID1", "{1d4b5f6e-3c2b-4a0f-9e8d-7c6b5a493827}", GUID),
			f("ExpectedParentLastWriteGUID2", "{00000000-0000-0000-0000-000000000000}", GUID),
			f("VhdFileName", `E:\Hyper-V\APP01\Virtual Hard Disks\APP01_A1.avhdx`, String)),
		func() Record {
			r := manifestRec(c, "Service Control Manager", guidSCM, "System", 7031, 2, 0,
				f("param1", "Hyper-V Virtual Machine Management", String), f("param2", "1", String),
				f("param3", "60000", String), f("param4", "1", String), f("param5", "Restart the service", String))
			r.EventSourceName = "Service Control Manager"
			r.HasQualifiers, r.Qualifiers = true, 0xc000
			r.Binary = utf16le("vmms")
			return r
		}(),
		classicRec(c, "EventLog", "System", 6008, 0x8000, 2, []string{"2:05:13 AM", "3/14/2024", "", "", "9478", "", ""}, hexBytes("e80703000400")),
		classicRec(c, "EventLog", "System", 6006, 0x8000, 4, nil, nil),
		manifestRec(c, "Microsoft-Windows-Kernel-General", guidKernelG, "System", 13, 4, 2,
			f("StopTime", "2024-03-14T02:10:00.0000005Z", FileTime)),
	}
}

func applicationRecords(c *clock) []Record {
	ctx := "\n\nOperation:\n   PrepareForSnapshot Event\n\nContext:\n   Execution Context: Writer\n" +
		"   Writer Class Id: {66841cd4-6ded-4f4b-8f17-fd23f8ddc3de}\n   Writer Name: Microsoft Hyper-V VSS Writer\n" +
		"   Writer Instance ID: {4b1e5c3a-2d7f-4e0a-9b8c-1f2e3d4c5b6a}\n   Command Line: C:\\Windows\\system32\\vmms.exe\n   Process ID: 2740"
	return []Record{
		classicRec(c, "VSS", "Application", 8229, 0, 3, []string{"0x800423f4, The writer experienced a non-transient error.  If the backup process is retried,\nthe error is likely to reoccur.\n", ctx}, hexBytes("2d20436f64653a20575254575254494330303030303432342d2043616c6c3a20575254575254494330303030303331")),
		classicRec(c, "VSS", "Application", 12293, 0, 2, []string{"{b5946137-7b9f-4925-af80-51abd60b20d5}", "PreFinalCommitSnapshots({6c4c2f1a-0e3b-4d5c-9a8b-7f6e5d4c3b2a}, 5)", "0x80042306, The shadow copy provider had an unexpected error while trying to process the specified operation.", "\n\nOperation:\n   Executing Asynchronous Operation\n\nContext:\n   Current State: DoSnapshotSet"}, hexBytes("2d20436f64653a2020434f52534e50534330303030303434342d2043616c6c3a2020434f52534e505343")),
		classicRec(c, "VSS", "Application", 8193, 0, 2, []string{"CVssWriterShim::OnIdentify", "0x80070005, Access is denied.\n", "\n\nOperation:\n   Gather writers' metadata"}, hexBytes("2d20436f64653a2020575254574d4f53")),
		// Characters that must be escaped in XML, and non-ASCII text.
		classicRec(c, "VSS", "Application", 8193, 0, 2, []string{`a<b & "c" > 'd'`, "Dépôt – 日本語 ✓", "tab\there"}, nil),
	}
}

func vmmsRecords(c *clock) []Record {
	s := func(n, v string) Field { return Field{Name: n, Value: v} }
	return []Record{
		vmlRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 13002, 4, s("VmName", "APP01"), s("VmId", vmID)),
		vmlRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 19100, 2, s("VmName", "APP01"), s("VmId", vmID),
			s("ErrorMessage", "General access denied error"), s("ErrorCode", "0x80070005")),
		vmlRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 14050, 2, s("Parameter0", "Hyper-V Replica Service")),
		vmlRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 18303, 4, s("VmName", "APP01"), s("VmId", vmID)),
		vmlRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 16010, 2, s("VmName", "APP01"), s("VmId", vmID),
			s("Parameter0", ""), s("Parameter1", `E:\Hyper-V\APP01\Virtual Hard Disks\APP01_A1.avhdx`)),
	}
}

func workerRecords(c *clock) []Record {
	s := func(n, v string) Field { return Field{Name: n, Value: v} }
	return []Record{
		vmlRec(c, "Microsoft-Windows-Hyper-V-Worker", guidWorker, chanWorker, 18500, 4, s("VmName", "APP01"), s("VmId", vmID)),
		vmlRec(c, "Microsoft-Windows-Hyper-V-Worker", guidWorker, chanWorker, 3040, 2, s("VmName", "APP01"), s("VmId", vmID)),
		vmlRec(c, "Microsoft-Windows-Hyper-V-Worker", guidWorker, chanWorker, 3050, 2, s("VmName", "APP01"), s("VmId", vmID),
			s("ErrorCode", "%%2147942405"), s("HResult", "0x80070005")),
		vmlRec(c, "Microsoft-Windows-Hyper-V-Worker", guidWorker, chanWorker, 3080, 2, s("VmName", "APP01"), s("VmId", vmID),
			s("MemoryFilePath", `E:\Hyper-V\APP01\Virtual Machines\6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73.vmrs`)),
		vmlRec(c, "Microsoft-Windows-Hyper-V-Worker", guidWorker, chanWorker, 18590, 1, s("VmName", "APP01"), s("VmId", vmID),
			s("VmErrorCode0", "0x79"), s("VmErrorCode1", "0x6"), s("VmErrorCode2", "0xf"),
			s("VmErrorCode3", "0xfffff8012a6b2c40"), s("VmErrorCode4", "0x0"), s("VmErrorMessage", "")),
		vmlRec(c, "Microsoft-Windows-Hyper-V-Worker", guidWorker, chanWorker, 18502, 4, s("VmName", "APP01"), s("VmId", vmID)),
	}
}

// typeRecords has one field of every type, in EventData and in UserData.
func typeRecords(c *clock) []Record {
	fields := []Field{
		{"S", "text", String}, {"I8", "-5", Int8}, {"U8", "250", UInt8}, {"I16", "-3000", Int16},
		{"U16", "65000", UInt16}, {"I32", "-70000", Int32}, {"U32", "4000000000", UInt32},
		{"I64", "-9000000000", Int64}, {"U64", "18000000000000000000", UInt64}, {"B", "true", Bool},
		{"Bin", "00ff10", Binary}, {"G", "{0c3a4e5d-2b1a-4f9e-8d7c-6b5a49382716}", GUID},
		{"FT", "2024-03-14T02:06:41.1234567Z", FileTime}, {"ST", "2024-03-14T02:06:41.123Z", SystemTime},
		{"Sid", "S-1-5-21-1004336348-1177238915-682003330-512", SID}, {"H32", "0xc00000b5", HexInt32},
		{"H64", "0xfffff8012a6b2c40", HexInt64}, {"EmptyS", "", String},
	}
	md := manifestRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 999, 4, 0, fields...)
	md.ActivityID = "{a1b2c3d4-e5f6-4711-8899-aabbccddeeff}"
	ud := vmlRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 998, 4, fields...)
	// A payload-less manifest event and a classic event without a GUID whose
	// data are named.
	bare := manifestRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, 997, 4, 0)
	named := classicRec(c, "MyClassicSource", "Application", 1000, 0, 4, nil, []byte{1, 2, 3})
	named.Data = []Field{{Name: "first", Value: "1"}, {Name: "second", Value: ""}}
	return []Record{md, ud, bare, named}
}

// manyTemplateRecords makes n distinct UserData templates.
func manyTemplateRecords(c *clock, n int) []Record {
	var out []Record
	for i := range n {
		fields := []Field{{Name: "VmName", Value: fmt.Sprintf("VM%02d", i)}, {Name: "VmId", Value: vmID}}
		for j := range i % 7 {
			fields = append(fields, Field{Name: fmt.Sprintf("Parameter%d", j), Value: fmt.Sprintf("value %d.%d", i, j)})
		}
		fields = append(fields, Field{Name: fmt.Sprintf("Extra%d", i), Value: "x"})
		out = append(out, vmlRec(c, "Microsoft-Windows-Hyper-V-VMMS", guidVMMS, chanVMMS, uint16(20000+i), 4, fields...))
	}
	return out
}

type sampleFile struct {
	name string
	recs []Record
	opt  Options
}

func sampleFiles() []sampleFile {
	c := newClock()
	files := []sampleFile{
		{"System.evtx", systemRecords(c), Options{Dirty: true}},
		{"Application.evtx", applicationRecords(c), Options{FirstRecordID: 4711}},
		{"Microsoft-Windows-Hyper-V-VMMS-Admin.evtx", vmmsRecords(c), Options{}},
		{"Microsoft-Windows-Hyper-V-Worker-Admin.evtx", workerRecords(c), Options{Dirty: true, Full: true}},
		{"Types.evtx", typeRecords(c), Options{}},
		{"Empty.evtx", nil, Options{}},
	}
	// A log of several chunks mixing every shape, with more templates per
	// chunk than the 32 template buckets, starting at a high record ID as a
	// wrapped log does.
	var big []Record
	for len(big) < 1200 {
		big = append(big, systemRecords(c)...)
		big = append(big, applicationRecords(c)...)
		big = append(big, vmmsRecords(c)...)
		big = append(big, workerRecords(c)...)
		big = append(big, typeRecords(c)...)
		big = append(big, manyTemplateRecords(c, 45)...)
	}
	files = append(files, sampleFile{"Multi.evtx", big, Options{FirstRecordID: 90001, Dirty: true}})
	return files
}
