package samplegen

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// This file holds what several sample definitions share: disk images,
// per-VM SIDs, and the command-output layouts no fixture composer covers
// (Get-VHD lists and error records, the Get-VHDChain table, TSS and SDP
// multi-section files). Definitions are literals: a failure here is a bug in
// a definition, so helpers panic with the reason.

// disk returns the bytes of a Hyper-V-style VHDX/AVHDX and its parsed form.
func disk(o vhdxtest.Options) ([]byte, *vhdx.File) {
	b, err := vhdxtest.VHDX(o)
	if err != nil {
		panic(fmt.Sprintf("samplegen: disk %s: %v", o.Seed, err))
	}
	f, err := vhdx.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		panic(fmt.Sprintf("samplegen: reopen disk %s: %v", o.Seed, err))
	}
	return b, f
}

// vmSID is the per-VM account SID Worker events carry as their UserID.
func vmSID(vmID string) string {
	s, err := cmdout.VMSID(vmID)
	if err != nil {
		panic(fmt.Sprintf("samplegen: VM SID of %s: %v", vmID, err))
	}
	return s
}

// worker is a Worker-Admin event about one VM, signed with the VM's SID as
// the worker process logs it.
func worker(h fixture.Host, id uint16, level uint8, t time.Time, vm, vmID string, fields ...evtxwrite.Field) evtxwrite.Record {
	r := h.Worker(id, level, t, vm, vmID, fields...)
	r.UserSID = vmSID(vmID)
	return r
}

// vmms is a VMMS-Admin event about one VM, logged by the service (SYSTEM).
func vmms(h fixture.Host, id uint16, level uint8, t time.Time, vm, vmID string, fields ...evtxwrite.Field) evtxwrite.Record {
	r := h.VMMS(id, level, t, vm, vmID, fields...)
	r.UserSID = "S-1-5-18"
	return r
}

// bootSequence is the System-log preamble of a boot on the given build:
// Kernel-General 12, EventLog 6005 and 6009, the VMMS service start.
func bootSequence(h fixture.Host, t time.Time, b fixture.OSBuild) []evtxwrite.Record {
	return []evtxwrite.Record{
		h.BootKernel(t, b),
		h.Classic(fixture.ChanSystem, fixture.ProviderEventLog, 6005, fixture.QualEventLog, fixture.LevelInfo, t.Add(9*time.Second)),
		h.BootEventLog(t.Add(9*time.Second), b),
		h.Classic(fixture.ChanSystem, "Service Control Manager", 7036, fixture.QualInfo, fixture.LevelInfo, t.Add(48*time.Second),
			"Hyper-V Virtual Machine Management", "running"),
	}
}

// shortHost is the NetBIOS name of a host.
func shortHost(h fixture.Host) string { return strings.ToUpper(strings.Split(h.Computer, ".")[0]) }

// VHD is one Get-VHD object.
type VHD struct {
	Path, Type, Parent, DiskID string
	FileSize, Size             int64
	Attached                   bool
	DiskNumber                 string // set when mounted on the host
}

// getVHDList composes `Get-VHD -Path … | Format-List` for several disks.
func getVHDList(computer string, ds []VHD) string {
	var b strings.Builder
	b.WriteString("\n")
	for _, d := range ds {
		block := 33554432
		if d.Type == "Differencing" {
			block = 2097152
		}
		fmt.Fprintf(&b, "\nComputerName            : %s\n", computer)
		fmt.Fprintf(&b, "Path                    : %s\n", d.Path)
		fmt.Fprintf(&b, "VhdFormat               : VHDX\n")
		fmt.Fprintf(&b, "VhdType                 : %s\n", d.Type)
		fmt.Fprintf(&b, "FileSize                : %d\n", d.FileSize)
		fmt.Fprintf(&b, "Size                    : %d\n", d.Size)
		fmt.Fprintf(&b, "MinimumSize             : %d\n", d.Size-2097152)
		fmt.Fprintf(&b, "LogicalSectorSize       : 512\n")
		fmt.Fprintf(&b, "PhysicalSectorSize      : 4096\n")
		fmt.Fprintf(&b, "BlockSize               : %d\n", block)
		fmt.Fprintf(&b, "ParentPath              : %s\n", d.Parent)
		fmt.Fprintf(&b, "DiskIdentifier          : %s\n", d.DiskID)
		fmt.Fprintf(&b, "FragmentationPercentage : \n")
		fmt.Fprintf(&b, "Alignment               : 1\n")
		fmt.Fprintf(&b, "Attached                : %s\n", map[bool]string{true: "True", false: "False"}[d.Attached])
		fmt.Fprintf(&b, "DiskNumber              : %s\n", d.DiskNumber)
		fmt.Fprintf(&b, "IsPMEMCompatible        : False\n")
		fmt.Fprintf(&b, "AddressAbstractionType  : None\n")
		fmt.Fprintf(&b, "Number                  : %s\n", d.DiskNumber)
	}
	b.WriteString("\n\n")
	return b.String()
}

// psError composes the error record PowerShell prints when a cmdlet fails
// on one path: the message lines, the position, category and error ID.
func psError(cmdlet, command, reason string, message []string, category, errorID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s : %s\n", cmdlet, reason)
	for _, l := range message {
		b.WriteString(l + "\n")
	}
	cmdShown := command
	if len(cmdShown) > 60 {
		cmdShown = cmdShown[:57] + "..."
	}
	fmt.Fprintf(&b, "At line:1 char:1\n+ %s\n+ %s\n", cmdShown, strings.Repeat("~", len(cmdShown)))
	fmt.Fprintf(&b, "    + CategoryInfo          : %s\n", category)
	fmt.Fprintf(&b, "    + FullyQualifiedErrorId : %s,Microsoft.Vhd.PowerShell.Cmdlets.%s\n\n", errorID, strings.ReplaceAll(cmdlet, "-", ""))
	return b.String()
}

// ChainRow is one row of the Get-VHDChain table.
type ChainRow struct {
	VM     string
	Number int
	Type   string // Differencing, Dynamic, Fixed or Error
	Path   string
}

// vhdChainTable composes the Get-VHDChain function's default table.
func vhdChainTable(rows []ChainRow) string {
	nameW := len("Name")
	for _, r := range rows {
		nameW = max(nameW, len(r.VM))
	}
	var b strings.Builder
	b.WriteString("\n")
	fmt.Fprintf(&b, "%-*s VHDNumber VHDType      VHD\n", nameW, "Name")
	fmt.Fprintf(&b, "%-*s --------- -------      ---\n", nameW, "----")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s %9d %-12s %s\n", nameW, r.VM, r.Number, r.Type, r.Path)
	}
	b.WriteString("\n\n")
	return b.String()
}

// hexBytes renders binary data for evtxwrite's Binary fields.
func hexBytes(b []byte) string { return fmt.Sprintf("%x", b) }

// corruptHeader2 flips a byte inside the second VHDX header so its CRC no
// longer matches, as a torn write leaves it.
func corruptHeader2(b []byte) []byte {
	out := bytes.Clone(b)
	out[0x20000+200] ^= 0x5A
	return out
}

// must unwraps a builder result of a literal definition.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("samplegen: %v", err))
	}
	return v
}

// BasicInfoDisk is one virtual disk in an SDP Hyper-VBasicInfo VM block.
type BasicInfoDisk struct {
	Path, Type, ID string
	Missing        bool
}

// BasicInfoSnapshot is one checkpoint in an SDP Hyper-VBasicInfo VM block.
type BasicInfoSnapshot struct {
	Name, Type, Parent string
	Created            time.Time
	Files              []string
	MissingFile        string // the file of Files flagged as absent
}

// BasicInfoVM is one VM block of an SDP Hyper-VBasicInfo file.
type BasicInfoVM struct {
	Name, ID, Version string
	PID               int // 0: not running
	Disks             []BasicInfoDisk
	Snapshots         []BasicInfoSnapshot
}

// sdpBasicInfo composes <HOST>_Hyper-VBasicInfo.txt as DC_HyperVBasicInfo
// writes it (hyperv-triage-facts.md §4.2): global settings, then one block
// per VM with its disks and checkpoints, separated by a line of '='.
func sdpBasicInfo(vmPath string, vms []BasicInfoVM) string {
	var b strings.Builder
	rule := strings.Repeat("-", 40)
	fmt.Fprintf(&b, "Hyper-V Global Settings\n%s\n    VirtualHardDiskPath: %s\n    VirtualMachinePath: %s\n\n", rule, vmPath, vmPath)
	fmt.Fprintf(&b, "NUMA Information\n%s\n    NumaSpanningEnabled: True\n\n", rule)
	fmt.Fprintf(&b, "Virtual Machine Settings\n%s\n", rule)
	for _, v := range vms {
		fmt.Fprintf(&b, "<<<<<<<<<< %s >>>>>>>>>>\nBasic information:\n    GUID: %s\n", v.Name, v.ID)
		if v.PID > 0 {
			fmt.Fprintf(&b, "    PID: %d\n", v.PID)
		} else {
			b.WriteString("    PID: N/A => Virtual Machine is not running.\n")
		}
		fmt.Fprintf(&b, "    Version: %s\n    IC version: 10.0.20348.1 => IC version is same with host version.\n", v.Version)
		b.WriteString("Virtual hard disks:\n")
		for _, d := range v.Disks {
			fmt.Fprintf(&b, "        - %s\n", d.Path)
			if d.Missing {
				b.WriteString("        WARNING: the file does not exist.\n")
				continue
			}
			fmt.Fprintf(&b, "            VhdType: %s\n            ID: %s\n", d.Type, d.ID)
		}
		b.WriteString("Snapshot:\n")
		if len(v.Snapshots) == 0 {
			b.WriteString("    No snapshots in this VM.\n")
		}
		for i, s := range v.Snapshots {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "    Name         : %s\n    Type         : %s\n    Creation Time: %s\n    Parent       : %s\n",
				s.Name, s.Type, fixture.USTime(s.Created), s.Parent)
			for j, f := range s.Files {
				if j == 0 {
					fmt.Fprintf(&b, "    File List    : %s\n", f)
				} else {
					fmt.Fprintf(&b, "                   %s\n", f)
				}
				if f == s.MissingFile {
					b.WriteString("            !!! WARNING: above file does not exist !!!\n")
				}
			}
		}
		b.WriteString(strings.Repeat("=", 80) + "\n")
	}
	return b.String()
}
