package evidence

import (
	"slices"
	"strings"
)

// Schema is the vocabulary shared by the extractors (which produce
// evidence) and the catalog (which matches it): for each kind, the
// attributes an item of that kind may carry. The catalog loader rejects a
// signal that matches an attribute its kind does not declare, so a typo in
// the catalog fails the tests instead of silently never matching, and a
// test over the samples holds the extractors to the same list.
var Schema = map[Kind][]string{
	KindEvent: {AttrProvider, AttrEventID, AttrLevel, AttrChannel, AttrComputer, AttrText, AttrHResults,
		"qualifiers", "user_sid", "binary", AttrPath, AttrDrive, AttrDriveLetter, AttrCSVPath},
	KindVSSWriter:   {AttrName, "writer_id", "instance_id", AttrState, "state_text", AttrLastError, "last_error_ok", AttrFailed, "busy"},
	KindVSSProvider: {AttrName, "provider_id", "type", "version", "third_party"},
	KindVSSShadow:   {"set_id", "id", "volume", "provider", "type", "attributes", "persistent", "created_raw", "machine", "raw_volume"},
	KindVSSStorage:  {"volume", "storage_volume", "used_bytes", "max_bytes", "used_percent", "unbounded", "raw_volume"},
	KindDisk: {AttrPath, "format", "type", "virtual_size", "dirty", "corrupt", "truncated", "logical_sector",
		"virtual_disk_id", "parent_info_known", "id", "parent_paths"},
	KindDiskInfo:  {AttrPath, "format", "vhd_type", "parent_path", "size", "file_size", "disk_identifier", "attached", "chain_number", "truncated"},
	KindChainLink: {"child", "parent", "status", "reason", "matched_by", "parent_id", "child_linkage"},
	KindChainIssue: {"issue", "child", "parent", "severity", "fix", "child_guid", "parent_guid", "code", "parent_offset",
		"parent_recorded_path", "child_host_path"},
	KindChainError: {AttrPath, AttrText, "code", "command", "chain_number", AttrHResults, "wmi_code", "vhd_type", "truncated", "product", "level", "target_codes"},
	KindCmdError:   {"command", AttrText, "code", AttrPath, AttrHResults, "wmi_code", "product", "level", "target_codes"},
	KindVM: {AttrState, "critical", "status", "version", AttrPath, "config_location", "snapshot_location", "checkpoint_type",
		"generation", "parent_snapshot", AttrDiskPaths, "is_clustered", "running", "ic_mismatch", "missing",
		"automatic_stop_action", "uptime"},
	KindVMDisk:      {AttrPath, "controller_type", "controller_number", "controller_location", "missing", "owner", "vhd_type"},
	KindSnapshot:    {AttrName, "snapshot_type", "created", "created_raw", "parent_snapshot", "id", AttrDiskPaths, "missing_files", "path"},
	KindFilter:      {AttrName, "altitude", "band", "instances", "legacy", "product", "category"},
	KindFilterInst:  {AttrName, "volume", "altitude", "band"},
	KindRight:       {"right", "accounts", "has_vm_group", "token_privilege", AttrState},
	KindACL:         {AttrPath, "aces", "vm_sids", "has_vm_group", "has_deny"},
	KindFile:        {AttrPath, "dir", AttrName, "ext", "size", "is_dir", "modified", AttrVMID, "config_location"},
	KindVolume:      {AttrDrive, "dir", "free_bytes"},
	KindHandle:      {"process", "pid", AttrPath, "user", "vm_file", "hyperv_process", "av_process", "handle"},
	KindHost:        {AttrComputer, "vhd_path", "vm_path"},
	KindIntegration: {AttrName, "service", "enabled", "primary_status", "status_ok", "secondary_status"},
	KindCSVState:    {AttrName, AttrCSVPath, "volume_name", "volume_friendly_name", AttrComputer, "state_info", "fs_reason", "block_reason"},
	KindBootEntry:   {"identifier", "title", "description", "hypervisorlaunchtype", "current"},
	KindSysinfo:     {"hypervisor_detected", "vm_monitor_mode", "virt_in_firmware", "slat", "dep"},
	KindFileAttr:    {AttrPath, "dir", AttrName, "tool", "compressed", "encrypted"},
	KindService:     {AttrName, "start_type", "status"},
	KindDerived:     nil,
}

// commonAttrs may be carried by an item of any kind: the VM it concerns,
// where its time came from, how many identical items it stands for, and
// whether it was read from free text (a weaker witness).
var commonAttrs = []string{AttrVM, AttrVMID, AttrTimeLocal, AttrMore, "weak", AttrSourceKind, "damaged_record"}

// Declares reports whether items of kind k may carry attribute attr.
// Event payload fields ("data.<Name>", "user.<Name>") are open-ended: their
// names come from each provider's manifest.
func Declares(k Kind, attr string) bool {
	if k == KindEvent && (strings.HasPrefix(attr, "data.") || strings.HasPrefix(attr, "user.")) {
		return true
	}
	return slices.Contains(commonAttrs, attr) || slices.Contains(Schema[k], attr)
}
