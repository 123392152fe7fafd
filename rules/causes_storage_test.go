package rules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

const (
	guidWHEA        = "{C26C4F3C-3F66-4E99-8F8A-39405CFED220}"
	guidKernelPower = "{331C3B3A-2005-44C2-AC5E-77220C37D6B4}"
)

func reset129(t time.Time) evtxwrite.Record {
	return hv02.Classic("System", "storahci", 129, QualWarning, LevelWarning, t, `\Device\RaidPort0`)
}

var storageCases = []causeCase{
	// A VMware guest's NTFS and VSS errors filed under "virtualization":
	// the bundle names vSphere and nothing of Hyper-V, so they are that
	// product's guest's events. Shape: held-out h, hv8_25.
	{name: "a VMware guest's NTFS events", cause: "filesystem-corruption",
		build: func(*testing.T) Files {
			text := "vSphere Client, Recent Tasks: Create virtual machine snapshot APP-9 - An error occurred while quiescing the virtual machine.\r\n\r\n" +
				"Log Name:      System\r\nSource:        Ntfs\r\nDate:          10/7/2024 2:03:09 AM\r\nEvent ID:      137\r\nTask Category: None\r\nLevel:         Error\r\n" +
				"Keywords:      Classic\r\nUser:          N/A\r\nComputer:      APP-9.example.local\r\nDescription:\r\n" +
				"The default transaction resource manager on volume C: encountered a non-retryable error and could not start.\r\n"
			return Files{"ticket.txt": ASCII(text)}
		},
		want: ruledOut("another hypervisor")},
	// The same event on a host whose bundle shows Hyper-V (a VM's disk on
	// that volume failed) is the host's.
	{name: "the same NTFS event on a Hyper-V host", cause: "filesystem-corruption",
		build: func(*testing.T) Files {
			text := "We also run a VMware lab, unrelated. Hyper-V Manager says:\r\n" +
				"'APP-9' failed to start. Failed to open attachment 'D:\\VMs\\APP-9.vhdx'. Error: 'The file or directory is corrupted and unreadable.' (0x80070570).\r\n\r\n" +
				"Log Name:      System\r\nSource:        Ntfs\r\nDate:          10/7/2024 2:03:09 AM\r\nEvent ID:      137\r\nTask Category: None\r\nLevel:         Error\r\n" +
				"Keywords:      Classic\r\nUser:          N/A\r\nComputer:      HV-9.example.local\r\nDescription:\r\n" +
				"The default transaction resource manager on volume D: encountered a non-retryable error and could not start.\r\n"
			return Files{"ticket.txt": ASCII(text)}
		},
		want: firing().with("ntfs-137")},
	// Hyper-V Manager could not open a checkpoint disk: no virtual disk
	// provider for the file (0xC03A0014), what Hyper-V says when the file
	// is gone. Shape: multipass instances moved to Windows.old by a
	// feature update (held-out i, j, k).
	{name: "no disk provider for an attachment", cause: "vm-files-missing",
		build: func(*testing.T) Files {
			text := "'dev-9' failed to restore.\r\n\r\n" +
				"Failed to open attachment 'C:\\VMs\\dev-9\\disk_6B1E.avhdx'. Error: 'A virtual disk support provider for the specified file was not found.'.\r\n"
			return Files{"dialog.txt": ASCII(text)}
		},
		want: firing().with("vhd-cmd-file-not-found")},
	// A tool relays Hyper-V's own sentence: the VM could not start, no room
	// for its memory file. Shape: Docker Desktop's error window (held-out
	// f, hv6_16).
	{name: "a VM failed to start for lack of disk space", cause: "storage-space-exhausted",
		build: func(*testing.T) Files {
			text := "Unable to start Hyper-V VM: 'BuildVM' failed to start.\r\n\r\n" +
				"The Virtual Machine 'BuildVM' failed to start because there is not enough disk space. The system was unable to create the memory contents file on 'C:\\VMs\\BuildVM\\6A2B.VMRS' with the size of 16384 MB.\r\n"
			return Files{"error.txt": ASCII(text)}
		},
		want: firing().with("cmd-low-space-text")},
	// An iSCSI path that drops and a CSV that pauses: independent
	// witnesses of one unreliable path, on one night: not failing hardware.
	{name: "iSCSI path drops and CSV pauses", cause: "storage-connectivity",
		build: func(*testing.T) Files {
			sys := []evtxwrite.Record{
				hv02.Classic("System", "iScsiPrt", 9, QualError, LevelError, At(2, 3, 0), "", "iqn.2024-01.test.fabrikam:target1"),
				hv02.Classic("System", "iScsiPrt", 39, QualError, LevelError, At(2, 3, 20), "", "iqn.2024-01.test.fabrikam:target1"),
				hv02.Cluster(5120, LevelError, At(2, 3, 40), F("VolumeName", "Volume1"), F("ResourceName", "Cluster Disk 2"), F("ErrorCode", "STATUS_IO_TIMEOUT(c00000b5)")),
			}
			return Files{"System.evtx": EVTX(sys, 800)}
		},
		want:      fires(rules.High).citingOnly("System.evtx record 800 iscsi-path", "System.evtx record 801 iscsi-path", "System.evtx record 802 csv-paused"),
		notOthers: []string{"hardware-driver-instability"}},
	// One reset alone stays low, and it is not hardware trouble.
	{name: "lone reset stays low", cause: "storage-connectivity", build: loneReset,
		want: fires(rules.Low), notOthers: []string{"hardware-driver-instability"}},
	{name: "lone reset is no corruption", cause: "filesystem-corruption", build: loneReset,
		want: ruledOut("no NTFS or ReFS corruption events")},
	// NTFS found corruption on the VM volume and the disk reports a bad
	// block.
	{name: "NTFS 55 and a bad block", cause: "filesystem-corruption",
		build: func(*testing.T) Files {
			sys := []evtxwrite.Record{
				hv02.Classic("System", "disk", 7, QualError, LevelError, At(3, 0, 0), `\Device\Harddisk1\DR1`),
				hv02.Manifest("System", "Ntfs", GUIDNtfs, 55, LevelError, At(3, 0, 5), F("DriveName", "D:"), F("DeviceName", `\Device\HarddiskVolume4`),
					F("CorruptionState", "0x0"), F("Description", "The exact nature of the corruption is unknown. The file system structures need to be scanned and fixed offline.")),
			}
			return Files{"System.evtx": EVTX(sys, 60)}
		},
		want: fires(rules.Critical).citingOnly("System.evtx record 60 disk-bad-block", "System.evtx record 61 ntfs-55"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("filesystem-corruption")), "Repair-Volume -DriveLetter 'D' -SpotFix")
		}},
	// Event 55 pasted from a Get-WinEvent view that names the provider
	// Microsoft-Windows-Ntfs (the manifest's name; Event Viewer shows
	// "Ntfs"): the same corruption.
	{name: "NTFS 55 under the manifest's provider name", cause: "filesystem-corruption",
		build: func(*testing.T) Files {
			text := "Get-WinEvent -FilterHashtable @{LogName='System';ProviderName='Microsoft-Windows-Ntfs'} | fl TimeCreated,Id,LevelDisplayName,Message\r\n\r\n" +
				"TimeCreated      : 14.03.2024 03:00:05\r\nId               : 55\r\nLevelDisplayName : Error\r\n" +
				"Message          : A corruption was discovered in the file system structure on volume D:.\r\n"
			return Files{"ntfs.txt": ASCII(text)}
		},
		want: firing().with("ntfs-55")},
	// ReFS 513 removed a damaged VHDX from the namespace: corruption.
	{name: "ReFS 513", cause: "filesystem-corruption",
		build: func(*testing.T) Files {
			refs := hv02.Manifest("System", "Microsoft-Windows-ReFS", GUIDReFS, 513, LevelWarning, At(4, 0, 0),
				F("ObjectNameLength", "52"), F("ObjectName", `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx`), F("FailureReason", "0xC0000032"))
			return Files{"System.evtx": EVTX([]evtxwrite.Record{refs}, 70)}
		},
		want: fires(rules.Critical).citingOnly("System.evtx record 70 refs-corruption")},
	// The same event ID from CAPI2 is the cosmetic System Writer message
	// and must not count.
	{name: "CAPI2 513 is not ReFS 513", cause: "filesystem-corruption",
		build: func(*testing.T) Files {
			capi := hv02.Manifest("Application", "Microsoft-Windows-CAPI2", "{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}", 513, LevelError, At(4, 0, 0),
				F("Data", "Cryptographic Services failed while processing the OnIdentity() call in the System Writer Object."))
			ok := hv02.Classic("System", "EventLog", 6005, QualEventLog, LevelInfo, At(0, 0, 1))
			return Files{"Application.evtx": EVTX([]evtxwrite.Record{capi}, 70), "System.evtx": EVTX([]evtxwrite.Record{ok}, 1)}
		},
		want: ruledOut("no NTFS or ReFS corruption events")},
	// WEB01 was paused when its volume filled: the Worker event quotes
	// 0x80070070, Get-VM shows it PausedCritical, and its checkpoint disk
	// has grown past its base.
	{name: "paused on a full volume", cause: "storage-space-exhausted",
		build: func(*testing.T) Files {
			worker := []evtxwrite.Record{
				hv02.Worker(16050, LevelError, At(5, 10, 0), "WEB01", web01ID,
					F("ErrorMessage", "'WEB01' has been paused because it has run out of disk space on 'D:\\Hyper-V\\WEB01\\'. There is not enough space on the disk. (0x80070070)")),
			}
			vms := VMList([]VM{{Name: "WEB01", ID: web01ID, State: "PausedCritical", Version: "10.0", Path: `D:\Hyper-V\WEB01`,
				HardDrives: []string{web01Disks + `\WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx`}}})
			listing := DirListing([]ListedDir{{Path: web01Disks, Files: []ListedFile{
				{Name: "WEB01.vhdx", Size: 42949672960, Modified: Day(2024, 2, 1, 9, 0)},
				{Name: "WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx", Size: 45097156608, Modified: At(5, 10, 0)},
			}}})
			return Files{"Worker-Admin.evtx": EVTX(worker, 310), "vms.txt": UTF16(vms), "listing.txt": ASCII(listing)}
		},
		want: fires(rules.High).exactly("disk-full-code", "low-space-text", "vm-critical-state", "avhdx-outgrew-parent").
			citing("Worker-Admin.evtx record 310 disk-full-code, low-space-text", "listing.txt line 9 avhdx-outgrew-parent"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("storage-space-exhausted")), `Get-VMSnapshot -VMName 'WEB01'`)
		}},
	// A saved (not critical) VM, a checkpoint disk smaller than its base
	// and an access-denied error: nothing says the disk is full.
	{name: "saved VM, small checkpoint, access denied", cause: "storage-space-exhausted",
		build: func(*testing.T) Files {
			vmms := []evtxwrite.Record{hv02.VMMS(16410, LevelError, At(5, 0, 0), "WEB01", web01ID,
				F("ErrorMessage", "General access denied error (0x80070005)."))}
			sys := []evtxwrite.Record{hv02.Classic("System", "EventLog", 6005, QualEventLog, LevelInfo, At(0, 0, 1))}
			listing := DirListing([]ListedDir{{Path: web01Disks, Files: []ListedFile{
				{Name: "WEB01.vhdx", Size: 42949672960, Modified: Day(2024, 2, 1, 9, 0)},
				{Name: "WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx", Size: 1073741824, Modified: At(5, 10, 0)},
			}}})
			return Files{
				"VMMS-Admin.evtx": EVTX(vmms, 20),
				"System.evtx":     EVTX(sys, 1),
				"vms.txt":         UTF16(VMList([]VM{{Name: "WEB01", ID: web01ID, State: "Saved", Version: "10.0", Path: `D:\Hyper-V\WEB01`}})),
				"listing.txt":     ASCII(listing),
			}
		},
		want: ruledOut("no event reports a full disk")},
	// The customer's `dir /s` of the VM folder ends with the volume's free
	// space; 700 MiB left next to an 8 GiB AVHDX is a volume about to stop
	// its VMs.
	{name: "listing shows 700 MiB free", cause: "storage-space-exhausted", build: dirWithFree("734,003,200"),
		want: firing(),
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("storage-space-exhausted")
			require.NotEmpty(t, f.Evidence)
			assert.Equal(t, "dir_vms.txt", f.Evidence[0].Source)
			assert.Equal(t, "line 11", f.Evidence[0].At.String())
			assert.Contains(t, f.Evidence[0].Summary, "700.0 MiB free")
		}},
	// The same listing with 400 GiB free.
	{name: "listing shows 400 GiB free", cause: "storage-space-exhausted", build: dirWithFree("429,496,729,600"),
		want: missingInput("system-log")},
	// The Get-Volume table the cause asks for shows D: with 1.42 GB left.
	{name: "Get-Volume shows 1.42 GB free on D:", cause: "storage-space-exhausted", build: getVolumeWithFree(" 1.42 GB"),
		want: firing(),
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("storage-space-exhausted")
			require.NotEmpty(t, f.Evidence)
			assert.Equal(t, "get-volume.txt", f.Evidence[0].Source)
			assert.Equal(t, "line 5", f.Evidence[0].At.String())
			assert.Contains(t, f.Evidence[0].Summary, "D: has 1.42 GB free of 500 GB")
		}},
	// The same table with 412.5 GB free on D:. The recovery partition (no
	// letter) and a mounted ISO look full but say nothing about room for
	// VM files.
	{name: "Get-Volume shows 412.5 GB free on D:", cause: "storage-space-exhausted", build: getVolumeWithFree("412.5 GB"),
		want: missingInput("system-log")},
	// WEB01's data disk is neither in its folder nor anywhere else, and
	// VMMS reports the file missing.
	{name: "data disk gone", cause: "vm-files-missing",
		build: func(*testing.T) Files {
			drives := VMHardDiskDrives([]Drive{
				{VMName: "WEB01", ControllerType: "SCSI", Number: 0, Location: 0, Path: web01Disks + `\WEB01.vhdx`},
				{VMName: "WEB01", ControllerType: "SCSI", Number: 0, Location: 1, Path: web01Data},
			})
			listing := DirListing([]ListedDir{{Path: web01Disks, Files: []ListedFile{{Name: "WEB01.vhdx", Size: 42949672960, Modified: At(1, 0, 0)}}}})
			worker := []evtxwrite.Record{hv02.Worker(12030, LevelError, At(6, 0, 0), "WEB01", web01ID,
				F("ErrorMessage", "'WEB01': Hard disk '"+web01Data+"' failed to open because of error: 'The system cannot find the file specified.' (0x80070002).")),
			}
			return Files{"drives.txt": UTF16(drives), "listing.txt": ASCII(listing), "Worker-Admin.evtx": EVTX(worker, 77)}
		},
		want: fires(rules.High).citingOnly("drives.txt line 5 disk-not-in-listing", "Worker-Admin.evtx record 77 file-not-found-code"),
		also: func(t *testing.T, b *bundleResult) {
			cmds := commands(b.finding("vm-files-missing"))
			assert.Contains(t, cmds, `Split-Path -Path '`+web01Data+`' -Leaf`)
			assert.Contains(t, cmds, `Get-VMHardDiskDrive -VMName 'WEB01'`)
		}},
	// The disk is not in the VM's folder but lies in another folder of the
	// listing: the VM points at the wrong place, the file is not lost.
	{name: "disk found elsewhere", cause: "vm-files-missing",
		build: func(*testing.T) Files {
			drives := VMHardDiskDrives([]Drive{{VMName: "WEB01", ControllerType: "SCSI", Path: web01Data}})
			listing := DirListing([]ListedDir{
				{Path: web01Disks, Files: []ListedFile{{Name: "WEB01.vhdx", Size: 42949672960, Modified: At(1, 0, 0)}}},
				{Path: `E:\Moved\WEB01`, Files: []ListedFile{{Name: "WEB01-data.vhdx", Size: 10737418240, Modified: At(1, 0, 0)}}},
			})
			vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID)}
			return Files{"drives.txt": UTF16(drives), "listing.txt": ASCII(listing), "VMMS-Admin.evtx": EVTX(vmms, 3)}
		},
		want: ruledOut("every disk the VMs use is present")},
	// Uncorrected hardware errors plus controller resets on four different
	// days, each time just before a VM's disk failed: hardware or driver
	// trouble, not one bad night.
	{name: "WHEA and resets on four days", cause: "hardware-driver-instability",
		build: func(*testing.T) Files {
			sys := []evtxwrite.Record{
				reset129(Day(2024, 3, 2, 23, 10)),
				reset129(Day(2024, 3, 6, 4, 2)),
				reset129(Day(2024, 3, 6, 4, 3)),
				hv02.Manifest("System", "Microsoft-Windows-WHEA-Logger", guidWHEA, 18, LevelError, Day(2024, 3, 9, 13, 44),
					F("ErrorSource", "3"), F("ErrorType", "9")),
				reset129(Day(2024, 3, 11, 2, 0)),
				reset129(At(2, 0, 0)),
			}
			var vsp []evtxwrite.Record
			for _, r := range sys {
				if r.EventID == 129 {
					vsp = append(vsp, hv02.Manifest("Microsoft-Windows-Hyper-V-StorageVSP-Admin", "Microsoft-Windows-Hyper-V-StorageVSP", "{10B3D268-9782-49A4-AACC-A93C5482CB6F}",
						6, LevelError, r.Time.Add(2*time.Minute), F("DeviceName", web01Disks+`\WEB01.vhdx`), F("Status", "0xC0000185")))
				}
			}
			return Files{"System.evtx": EVTX(sys, 4000), "StorageVSP-Admin.evtx": EVTX(vsp, 1)}
		},
		want: fires(rules.High).citingOnly(
			"System.evtx record 4000 resets-on-several-days",
			"System.evtx record 4001 resets-on-several-days",
			"System.evtx record 4003 whea-fatal",
			"System.evtx record 4004 resets-on-several-days",
			"System.evtx record 4005 resets-on-several-days",
		),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("hardware-driver-instability")), "WHEA-Logger")
		}},
	// A burst of resets in one backup window and one unexpected power
	// loss: storage-connectivity, not failing hardware.
	{name: "resets of one night and a power loss", cause: "hardware-driver-instability",
		build: func(*testing.T) Files {
			sys := []evtxwrite.Record{
				hv02.Manifest("System", "Microsoft-Windows-Kernel-Power", guidKernelPower, 41, LevelCritical, At(0, 5, 0), F("BugcheckCode", "0")),
				reset129(At(2, 4, 41)), reset129(At(2, 5, 12)), reset129(At(2, 5, 44)), reset129(At(2, 6, 15)),
			}
			return Files{"System.evtx": EVTX(sys, 100)}
		},
		want: ruledOut("recurring storage reset"), others: []string{"storage-connectivity"}},
	// Microsoft-Windows-Time-Service also logs an event 129 (a time source
	// it cannot reach); only a miniport's 129 is a storage reset.
	{name: "Time-Service 129 is no reset", cause: "storage-connectivity", build: timeService129,
		want: ruledOut("no resets, timeouts or lost paths")},
	{name: "Time-Service 129 is no instability", cause: "hardware-driver-instability", build: timeService129,
		want: ruledOut("no hardware error, crash or recurring storage reset")},
	// WEB05's disks were copied into a folder with NTFS compression on; the
	// worker refuses the disk with 0xC03A001A and compact marks it C.
	{name: "disk in a compressed folder", cause: "vhdx-compressed-or-encrypted",
		build: func(*testing.T) Files {
			worker := hv02.Worker(3040, LevelError, At(9, 0, 0), "WEB05", "7A1C3E5F-2B4D-4F60-8A9C-1E3D5F7B9C2A",
				F("ErrorMessage", `'WEB05' failed to start. Synthetic SCSI Controller: Failed to Power on with Error 'The requested operation could not be completed due to a virtual disk system limitation. Virtual hard disk files must be uncompressed and unencrypted and must not be sparse.' (0xC03A001A). Attachment '`+web05Disks+`\WEB05.vhdx'.`))
			compact := CompactListing(web05Disks, []string{"WEB05.vhdx", "WEB05-data.vhdx"}, map[string]bool{"WEB05.vhdx": true})
			return Files{"Worker-Admin.evtx": EVTX([]evtxwrite.Record{worker}, 410), "compact.txt": UTF16(compact)}
		},
		want: fires(rules.High).exactly("virtual-disk-limitation", "disk-compressed").citing("compact.txt line 5 disk-compressed"),
		// 0xC03A001A is not 0x80070299.
		notOthers: []string{"ntfs-file-system-limitation", "chain-broken"},
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("vhdx-compressed-or-encrypted")), `compact.exe /u '`+web05Disks+`\WEB05.vhdx'`)
		}},
	// A merge fails with 0x80070299 on a disk compact shows plain: the
	// file-system limitation, not a compressed disk.
	{name: "merge hits the file-system limitation", cause: "ntfs-file-system-limitation", build: fsLimitation,
		want:      fires(rules.High).citingOnly("VMMS-Admin.evtx record 20 fs-limitation-code"),
		notOthers: []string{"vhdx-compressed-or-encrypted"},
		also: func(t *testing.T, b *bundleResult) {
			cmds := commands(b.finding("ntfs-file-system-limitation"))
			assert.Contains(t, cmds, `fsutil.exe fsinfo ntfsinfo 'D:'`)
			assert.Contains(t, cmds, `robocopy (Split-Path -Path '`+web01Disks+`\WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx')`)
		}},
	{name: "plain disk with a file-system limitation", cause: "vhdx-compressed-or-encrypted", build: fsLimitation,
		want: ruledOut("neither compressed nor encrypted")},
	// The 19100 is the file-system limitation's, not a leftover
	// checkpoint's: checkpoint-orphaned has no signal from it, and its
	// deciding inputs are what the report asks for.
	{name: "merge failure of the file-system limitation", cause: "checkpoint-orphaned", build: fsLimitation,
		want: missingInput().needsExactly("vm-folder-listing", "vm-snapshots")},
	// A 19100 with access denied is not the file-system limitation (the
	// VMMS log is there and quotes no 0x80070299); the code routes the
	// failed merge to the permissions, not to a leftover checkpoint.
	{name: "merge failed with access denied", cause: "ntfs-file-system-limitation", build: mergeAccessDenied,
		want: ruledOut("0x80070299"),
		also: func(t *testing.T, b *bundleResult) {
			assert.NotContains(t, b.signalsOf("checkpoint-orphaned"), "merge-failed-19100")
		}},
	{name: "merge failed with access denied", cause: "permission-acl", build: mergeAccessDenied,
		want: firing().with("access-denied-code")},
}

func loneReset(*testing.T) Files {
	return Files{"System.evtx": EVTX([]evtxwrite.Record{reset129(At(2, 0, 0))}, 5)}
}

const web01Data = web01Disks + `\WEB01-data.vhdx`

// dirWithFree is a `dir /s` of APP01's disks ending with the free space.
func dirWithFree(free string) func(*testing.T) Files {
	return func(*testing.T) Files {
		listing := ` Volume in drive D is VMS
 Volume Serial Number is 4A1C-92E7

 Directory of D:\Hyper-V\APP01\Virtual Hard Disks

03/14/2024  02:05 AM    <DIR>          .
03/14/2024  02:05 AM    <DIR>          ..
03/14/2024  02:07 AM     8,623,489,024 APP01_6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73.avhdx
03/01/2023  10:12 AM    61,203,283,968 APP01.vhdx
               2 File(s) 69,826,772,992 bytes
               2 Dir(s)  ` + free + ` bytes free
`
		return Files{"dir_vms.txt": OEM850(listing)}
	}
}

// getVolumeWithFree is the default Get-Volume table with D:'s free space.
func getVolumeWithFree(free string) func(*testing.T) Files {
	return func(*testing.T) Files {
		table := `
DriveLetter FriendlyName FileSystemType DriveType HealthStatus OperationalStatus SizeRemaining      Size
----------- ------------ -------------- --------- ------------ ----------------- -------------      ----
C                        NTFS           Fixed     Healthy      OK                     38.61 GB 126.45 GB
D           VMS          ReFS           Fixed     Healthy      OK                     ` + free + `    500 GB
            Recovery     NTFS           Fixed     Healthy      OK                     83.46 MB    529 MB
E                        Unknown        CD-ROM    Healthy      Unknown                     0 B       0 B
`
		return Files{"get-volume.txt": UTF16(table)}
	}
}

func timeService129(*testing.T) Files {
	h := Host{Computer: "HV01"}
	var recs []evtxwrite.Record
	for d := range 5 {
		recs = append(recs, h.Manifest("System", "Microsoft-Windows-Time-Service", "{06EDCFEB-0FD0-4E53-ACCA-A6F8BBF81BCB}", 129, LevelWarning,
			time.Date(2024, 3, 10+d, 3, 0, 0, 0, time.UTC), evtxwrite.Field{Name: "ErrorMessage", Value: "The entry is not found. (0x800706E1)"}))
	}
	return Files{"System.evtx": EVTX(recs, 1)}
}

const web05Disks = `D:\Hyper-V\WEB05\Virtual Hard Disks`

func fsLimitation(*testing.T) Files {
	vmms := hv02.VMMS(19100, LevelError, At(3, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01' background disk merge failed to complete: The requested operation could not be completed due to a file system limitation (0x80070299)."),
		F("Path", web01Disks+`\WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx`))
	worker := hv02.Worker(18500, LevelInfo, At(2, 0, 0), "WEB01", web01ID)
	return Files{
		"VMMS-Admin.evtx":   EVTX([]evtxwrite.Record{vmms}, 20),
		"Worker-Admin.evtx": EVTX([]evtxwrite.Record{worker}, 5),
		"compact.txt":       UTF16(CompactListing(web01Disks, []string{"WEB01.vhdx", "WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx"}, nil)),
	}
}

func mergeAccessDenied(*testing.T) Files {
	vmms := hv02.VMMS(19100, LevelError, At(3, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01' background disk merge failed to complete: General access denied error (0x80070005)."))
	return Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmms}, 20)}
}
