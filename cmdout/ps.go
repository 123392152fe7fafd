package cmdout

import (
	"strconv"
	"strings"
)

// VHD is one Get-VHD object (Format-List, Format-Table or CliXML).
// Numbers are -1 when the field is blank or absent.
type VHD struct {
	Line                    int
	ComputerName            string
	Path                    string
	PathLine                int
	VhdFormat               string // VHD, VHDX, VHDSet
	VhdType                 string // Fixed, Dynamic, Differencing, Unknown
	FileSize                int64  // bytes on disk
	Size                    int64  // virtual size in bytes
	MinimumSize             int64
	LogicalSectorSize       int64
	PhysicalSectorSize      int64
	BlockSize               int64
	ParentPath              string
	ParentPathLine          int
	DiskIdentifier          string // canonical GUID form
	FragmentationPercentage int64
	Alignment               int64
	Attached                string // True/False as printed
	DiskNumber              int64
	Truncated               bool // a value was cut with "..."
	// Props holds every property as printed, keyed by its name.
	Props map[string]string
}

// ChainLink is one row of the Get-VHDChain helper function's output.
type ChainLink struct {
	Line      int
	VMName    string
	Number    int    // 1 = the disk the VM points at, rising toward the base; -1 unknown
	Type      string // Differencing, Dynamic, Fixed, or "Error"
	Path      string
	Truncated bool // Path (or another cell) was cut with "..."
}

// Error reports the row Get-VHD could not open.
func (c ChainLink) Error() bool { return strings.EqualFold(c.Type, "Error") }

// Snapshot is one Get-VMSnapshot (Get-VMCheckpoint) object.
type Snapshot struct {
	Line               int
	VMName             string
	Name               string
	SnapshotType       string
	CreationTime       Timestamp
	ParentSnapshotName string
	// List and CliXML forms only.
	ID                    string // canonical GUID form
	ParentSnapshotID      string
	VMID                  string
	Path                  string
	ConfigurationLocation string
	State                 string
	HardDrives            []string // paths, or the printed item text when not a path
	HardDrivesCut         bool     // the list was cut by $FormatEnumerationLimit
	Truncated             bool
	Props                 map[string]string
}

// SnapshotTypes lists the Microsoft.HyperV.PowerShell.SnapshotType names.
var SnapshotTypes = []string{"Standard", "Recovery", "Planned", "Missing", "Replica", "AppConsistentReplica", "SyncedReplica"}

// UserCheckpoint reports a checkpoint taken by a person (Standard or
// Planned/production) rather than by backup or replication software.
func (s Snapshot) UserCheckpoint() bool {
	return strings.EqualFold(s.SnapshotType, "Standard") || strings.EqualFold(s.SnapshotType, "Planned")
}

// VM is one Get-VM object.
type VM struct {
	Line                  int
	Name                  string
	State                 string // VMState name, e.g. Running, OffCritical
	CPUUsage              int64  // percent; -1 when absent
	MemoryAssigned        int64  // bytes in list/CliXML form; MB column in the table form; -1 absent
	Uptime                string
	Status                string // may be localized
	Version               string // configuration version
	VMID                  string // canonical GUID form
	Path                  string
	ConfigurationLocation string
	SnapshotFileLocation  string
	SmartPagingFilePath   string
	CheckpointType        string
	AutomaticStopAction   string
	Generation            int64
	ParentSnapshotName    string
	ParentSnapshotID      string
	IsClustered           string
	HardDrives            []string
	HardDrivesCut         bool
	Truncated             bool
	Props                 map[string]string
}

// VMStates lists the VMState names Get-VM prints, Critical variants included.
var VMStates = []string{"Other", "Running", "Off", "Stopping", "Saved", "Paused", "Starting", "Reset",
	"Saving", "Pausing", "Resuming", "FastSaved", "FastSaving",
	"RunningCritical", "OffCritical", "StoppingCritical", "SavedCritical", "PausedCritical",
	"StartingCritical", "ResetCritical", "SavingCritical", "PausingCritical", "ResumingCritical",
	"FastSavedCritical", "FastSavingCritical"}

// Critical reports a "…Critical" state: the VM's storage is not reachable.
func (v VM) Critical() bool { return strings.HasSuffix(strings.ToLower(v.State), "critical") }

// HardDrive is one Get-VMHardDiskDrive object.
type HardDrive struct {
	Line               int
	VMName             string
	ControllerType     string // IDE, SCSI
	ControllerNumber   int64  // -1 when absent
	ControllerLocation int64
	DiskNumber         int64 // pass-through disk number; -1 when blank
	Path               string
	Truncated          bool
	Props              map[string]string
}

func num(s string) int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil {
			return int64(f)
		}
		return -1
	}
	return n
}

func cutValue(s string) bool {
	s = strings.TrimSuffix(s, "}")
	return strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…")
}

func propsOf(o *listObject) map[string]string {
	m := make(map[string]string, len(o.keys))
	for _, k := range o.keys {
		m[k] = o.get(k)
	}
	return m
}

func anyCut(m map[string]string) bool {
	for _, v := range m {
		if cutValue(v) {
			return true
		}
	}
	return false
}

// drivePaths turns a HardDrives rendering into paths. Format-List shows the
// objects' ToString ("Hard Drive on SCSI controller number 0 at location
// 0"), which is kept as printed since it is all there is.
func drivePaths(v string) ([]string, bool) {
	if strings.TrimSpace(v) == "" || v == "{}" {
		return nil, false
	}
	return listItems(v)
}

// classifyList names the record type of a Format-List object from its keys.
func classifyList(o *listObject) Kind {
	switch {
	case o.has("StateInfo") && (o.has("FileSystemRedirectedIOReason") || o.has("BlockRedirectedIOReason") || o.has("Node")):
		return KindCSVState
	case o.has("PrimaryStatusDescription") && o.has("Enabled") && !o.has("State"):
		return KindVMIntegration
	case o.has("VhdFormat") || (o.has("VhdType") && o.has("Path")):
		return KindGetVHD
	case o.has("SnapshotType"):
		return KindVMSnapshots
	case o.has("ControllerType") && o.has("Path"):
		return KindVMHardDisk
	case o.has("VHDNumber"):
		return KindVHDChain
	case o.has("State") && (o.has("VMId") || o.has("Uptime") || o.has("Generation") || o.has("CheckpointType")):
		return KindVMList
	}
	return ""
}

func (d *Doc) addListObject(k Kind, o *listObject) {
	p := propsOf(o)
	switch k {
	case KindVMIntegration:
		d.addIntegrationList(o)
	case KindCSVState:
		d.addCSVStateList(o)
	case KindGetVHD:
		d.VHDs = append(d.VHDs, VHD{
			Line: o.line, ComputerName: o.get("ComputerName"), Path: o.get("Path"), PathLine: o.lineOf("Path"),
			VhdFormat: o.get("VhdFormat"), VhdType: o.get("VhdType"),
			FileSize: num(o.get("FileSize")), Size: num(o.get("Size")), MinimumSize: num(o.get("MinimumSize")),
			LogicalSectorSize: num(o.get("LogicalSectorSize")), PhysicalSectorSize: num(o.get("PhysicalSectorSize")),
			BlockSize: num(o.get("BlockSize")), ParentPath: o.get("ParentPath"), ParentPathLine: o.lineOf("ParentPath"),
			DiskIdentifier:          NormGUID(o.get("DiskIdentifier")),
			FragmentationPercentage: num(o.get("FragmentationPercentage")), Alignment: num(o.get("Alignment")),
			Attached: o.get("Attached"), DiskNumber: num(o.get("DiskNumber")), Truncated: anyCut(p), Props: p,
		})
	case KindVMSnapshots:
		hd, cut := drivePaths(o.get("HardDrives"))
		d.Snapshots = append(d.Snapshots, Snapshot{
			Line: o.line, VMName: o.get("VMName"), Name: o.get("Name"), SnapshotType: o.get("SnapshotType"),
			CreationTime:       d.timestamp(o.get("CreationTime"), o.lineOf("CreationTime")),
			ParentSnapshotName: o.get("ParentSnapshotName"), ID: NormGUID(o.get("Id")),
			ParentSnapshotID: NormGUID(o.get("ParentSnapshotId")), VMID: NormGUID(o.get("VMId")),
			Path: o.get("Path"), ConfigurationLocation: o.get("ConfigurationLocation"), State: o.get("State"),
			HardDrives: hd, HardDrivesCut: cut, Truncated: anyCut(p), Props: p,
		})
	case KindVMList:
		hd, cut := drivePaths(o.get("HardDrives"))
		name := o.get("Name")
		if name == "" {
			name = o.get("VMName")
		}
		cpu := o.get("CPUUsage")
		d.VMs = append(d.VMs, VM{
			Line: o.line, Name: name, State: o.get("State"), CPUUsage: num(cpu),
			MemoryAssigned: num(o.get("MemoryAssigned")), Uptime: o.get("Uptime"), Status: o.get("Status"),
			Version: o.get("Version"), VMID: NormGUID(firstNonEmpty(o.get("VMId"), o.get("Id"))), Path: o.get("Path"),
			ConfigurationLocation: o.get("ConfigurationLocation"), SnapshotFileLocation: o.get("SnapshotFileLocation"),
			SmartPagingFilePath: o.get("SmartPagingFilePath"), CheckpointType: o.get("CheckpointType"),
			AutomaticStopAction: o.get("AutomaticStopAction"), Generation: num(o.get("Generation")),
			ParentSnapshotName: o.get("ParentSnapshotName"), ParentSnapshotID: NormGUID(o.get("ParentSnapshotId")),
			IsClustered: o.get("IsClustered"), HardDrives: hd, HardDrivesCut: cut, Truncated: anyCut(p), Props: p,
		})
	case KindVMHardDisk:
		d.HardDrives = append(d.HardDrives, HardDrive{
			Line: o.line, VMName: o.get("VMName"), ControllerType: o.get("ControllerType"),
			ControllerNumber: num(o.get("ControllerNumber")), ControllerLocation: num(o.get("ControllerLocation")),
			DiskNumber: num(o.get("DiskNumber")), Path: o.get("Path"), Truncated: anyCut(p), Props: p,
		})
	case KindVHDChain:
		d.Chain = append(d.Chain, ChainLink{
			Line: o.line, VMName: firstNonEmpty(o.get("Name"), o.get("VMName")), Number: int(num(o.get("VHDNumber"))),
			Type: o.get("VHDType"), Path: firstNonEmpty(o.get("VHD"), o.get("Path")), Truncated: anyCut(p),
		})
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// classifyTable names the record type of a Format-Table by its header.
// Property names are not localized, so English column names are reliable
// for PowerShell tables; fltmc and whoami are recognised by shape too.
func classifyTable(t *table) Kind {
	switch {
	case t.has("StateInfo"):
		return KindCSVState
	case t.has("Name", "StartType"): // Get-Service | Select Name, Status, StartType
		return KindServices
	case t.has("PrimaryStatusDescription", "Enabled"):
		return KindVMIntegration
	case t.has("VHDNumber"):
		return KindVHDChain
	case t.has("SnapshotType"):
		return KindVMSnapshots
	case t.has("ControllerType"):
		return KindVMHardDisk
	case t.has("VhdType") || t.has("VhdFormat"):
		return KindGetVHD
	case t.has("Name", "State") && (t.has("CPUUsage(%)") || t.has("Uptime") || t.has("MemoryAssigned(M)") || t.has("Status")),
		t.has("Name", "CheckpointType"), // only a VM has a checkpoint type (Get-VM | Select …)
		t.has("Name", "State") && (t.has("SnapshotFileLocation") || t.has("ConfigurationLocation") || t.has("Path") && t.has("Generation")):
		return KindVMList
	case t.has("Mode", "Name") && (t.has("LastWriteTime") || t.has("Length")),
		t.has("Name", "Length", "LastWriteTime"),                        // Get-ChildItem | ft Name,Length,LastWriteTime
		t.has("FullName", "Length"), t.has("FullName", "LastWriteTime"): // gci -Recurse | ft Length,FullName
		return KindListing
	}
	return classifyNativeTable(t)
}

func (d *Doc) addTable(k Kind, t *table) {
	for _, r := range t.rows {
		switch k {
		case KindVMIntegration:
			d.addRecord(IntegrationService{Line: r.line, VMName: t.cell(r, "VMName"),
				VMID: NormGUID(t.cell(r, "VMId")), Name: t.cell(r, "Name"), Enabled: t.cell(r, "Enabled"),
				PrimaryStatus: t.cell(r, "PrimaryStatusDescription"), SecondaryStatus: t.cell(r, "SecondaryStatusDescription"),
				Truncated: r.truncated})
		case KindCSVState:
			d.addRecord(CSVState{Line: r.line, Name: t.cell(r, "Name"), VolumeName: t.cell(r, "VolumeName"),
				VolumeFriendlyName: t.cell(r, "VolumeFriendlyName"), Node: t.cell(r, "Node"), StateInfo: t.cell(r, "StateInfo"),
				FileSystemRedirectedIOReason: t.cell(r, "FileSystemRedirectedIOReason"), BlockRedirectedIOReason: t.cell(r, "BlockRedirectedIOReason")})
		case KindVHDChain:
			path := t.cell(r, "VHD")
			if path == "" {
				path = t.cell(r, "Path")
			}
			d.Chain = append(d.Chain, ChainLink{Line: r.line, VMName: firstNonEmpty(t.cell(r, "Name"), t.cell(r, "VMName")),
				Number: int(num(t.cell(r, "VHDNumber"))), Type: t.cell(r, "VHDType"), Path: path, Truncated: r.truncated})
		case KindVMSnapshots:
			d.Snapshots = append(d.Snapshots, Snapshot{Line: r.line, VMName: t.cell(r, "VMName"), Name: t.cell(r, "Name"),
				SnapshotType: t.cell(r, "SnapshotType"), CreationTime: d.timestamp(t.cell(r, "CreationTime"), r.line),
				ParentSnapshotName: t.cell(r, "ParentSnapshotName"), ID: NormGUID(t.cell(r, "Id")), Path: t.cell(r, "Path"),
				Truncated: r.truncated})
		case KindVMList:
			d.VMs = append(d.VMs, VM{Line: r.line, Name: t.cell(r, "Name"), State: t.cell(r, "State"),
				CPUUsage: num(t.cell(r, "CPUUsage(%)")), MemoryAssigned: num(t.cell(r, "MemoryAssigned(M)")),
				Uptime: t.cell(r, "Uptime"), Status: t.cell(r, "Status"), Version: t.cell(r, "Version"),
				VMID: NormGUID(t.cell(r, "VMId")), Generation: num(t.cell(r, "Generation")), Path: t.cell(r, "Path"),
				CheckpointType: t.cell(r, "CheckpointType"), Truncated: r.truncated})
		case KindVMHardDisk:
			d.HardDrives = append(d.HardDrives, HardDrive{Line: r.line, VMName: t.cell(r, "VMName"),
				ControllerType: t.cell(r, "ControllerType"), ControllerNumber: num(t.cell(r, "ControllerNumber")),
				ControllerLocation: num(t.cell(r, "ControllerLocation")), DiskNumber: num(t.cell(r, "DiskNumber")),
				Path: t.cell(r, "Path"), Truncated: r.truncated})
		case KindGetVHD:
			d.VHDs = append(d.VHDs, VHD{Line: r.line, ComputerName: t.cell(r, "ComputerName"), Path: t.cell(r, "Path"),
				PathLine: r.line, VhdFormat: t.cell(r, "VhdFormat"), VhdType: t.cell(r, "VhdType"),
				FileSize: num(t.cell(r, "FileSize")), Size: num(t.cell(r, "Size")), MinimumSize: -1,
				LogicalSectorSize: num(t.cell(r, "LogicalSectorSize")), PhysicalSectorSize: num(t.cell(r, "PhysicalSectorSize")),
				BlockSize: num(t.cell(r, "BlockSize")), ParentPath: t.cell(r, "ParentPath"), FragmentationPercentage: -1,
				Alignment: -1, DiskNumber: num(t.cell(r, "DiskNumber")), Attached: t.cell(r, "Attached"), Truncated: r.truncated})
		}
	}
}
