package extract

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
)

// MaxTextFile bounds what is read of a command output or a free-text file.
// Real outputs are kilobytes; a listing of a big cluster reaches a few
// megabytes. A larger file is read up to the limit and listed as cut: a
// bundle of hundreds of huge outputs must not take gigabytes and minutes.
const MaxTextFile = 8 << 20

// TextOutputs reads captured command outputs (vssadmin, Hyper-V cmdlets,
// fltmc, icacls, secedit, listings, Export-Clixml) in whatever encoding
// they came in, and turns every record into evidence with its line.
//
// The attributes each kind carries are the contract with the catalog:
//
//	vss.writer       name writer_id instance_id state state_text last_error last_error_ok failed busy
//	vss.provider     name provider_id type version third_party
//	vss.shadow       set_id id volume provider type attributes persistent
//	vss.storage      volume storage_volume used_bytes max_bytes used_percent unbounded
//	disk.info        path format vhd_type parent_path size file_size disk_identifier attached [vm chain_number]
//	chain.error      path text code command [vm chain_number]
//	command.error    command text code path hresults [vm vm_id wmi_code] [weak source] (weak: from free text)
//	                 [product level target_codes more] (from a backup product's log, see BackupLogs)
//	vm               vm vm_id state critical status version path config_location snapshot_location
//	                 checkpoint_type generation parent_snapshot disk_paths is_clustered running ic_mismatch
//	vm.disk          vm path controller_type controller_number controller_location missing
//	vm.snapshot      vm name snapshot_type created parent_snapshot id vm_id disk_paths missing_files
//	filter           name altitude band instances legacy [product category] (product and category
//	                 are added by rules.Engine.Annotate from the rules side's product data)
//	filter.instance  name volume altitude band
//	right            right accounts has_vm_group token_privilege state
//	acl              path aces vm_sids has_vm_group has_deny
//	file             path dir name ext size is_dir
//	volume           drive dir free_bytes
//	handle           process pid path user vm_file [hyperv_process av_process] (the two flags are
//	                 added by rules.Engine.Annotate; vm_file is the path's file type, read here)
//	host             computer vhd_path vm_path
//	vm.integration   vm vm_id name service enabled primary_status status_ok secondary_status
//	                 (service: vss, heartbeat, shutdown, time-sync, kvp, guest-services or "";
//	                 status_ok: true for OK, false for any other status, "" when blank)
//	csv.state        name csv_path volume_name volume_friendly_name computer state_info fs_reason block_reason
//	boot.entry       identifier title description hypervisorlaunchtype current (true for {current})
//	host.sysinfo     hypervisor_detected vm_monitor_mode virt_in_firmware slat dep
//	                 (each requirement true/false, "" when not printed)
//	file.attr        path dir name tool compressed|encrypted (compact sets compressed, cipher encrypted)
type TextOutputs struct{}

// Name identifies the extractor.
func (TextOutputs) Name() string { return "text" }

// Kinds lists the inventory kinds it reads: every kind cmdout recognizes.
func (TextOutputs) Kinds() []string {
	var kinds []string
	for _, k := range cmdout.AllKinds() {
		if k != cmdout.KindUnknown {
			kinds = append(kinds, string(k))
		}
	}
	return kinds
}

// Sniff claims the command outputs and error records cmdout.Sniff
// recognizes; a whole small file is parsed once, here, and the parse kept
// for Extract.
func (TextOutputs) Sniff(h *Head) Claim {
	if h.isBinary() {
		return Claim{}
	}
	if k := h.outputKind(); k != cmdout.KindUnknown {
		return Claim{Kind: string(k)}
	}
	return Claim{}
}

// Extract decodes the file and turns every record of every section into
// evidence.
func (TextOutputs) Extract(ctx context.Context, in Input) (Extraction, error) {
	var (
		doc      *cmdout.Doc
		problems []cmdout.Problem
		out      Extraction
	)
	if p := in.Head.parsed(in.Kind); p != nil {
		// A small output, parsed whole when it was classified.
		doc, problems = p.doc, append(slices.Clone(p.decodeProblems), p.parseProblems...)
		out.text = p.text
		return textExtraction(in, doc, problems, out), nil
	}
	raw, cut, err := readText(in, MaxTextFile)
	if err != nil {
		return Extraction{}, err
	}
	if in.Kind == string(cmdout.KindCliXML) {
		doc, problems = cmdout.ParseCliXML(bytes.NewReader(raw))
		if cut {
			out.Problems = append(out.Problems, cutProblem(in, MaxTextFile))
		}
	} else {
		text, decodeProblems, cutProblems := decodeText(in, raw, cut, MaxTextFile)
		raw = nil // the decoded text is all that is needed now
		doc, problems = cmdout.Parse(text)
		problems = append(decodeProblems, problems...)
		out.text = text
		out.Problems = append(out.Problems, cutProblems...)
	}
	return textExtraction(in, doc, problems, out), nil
}

// textExtraction turns a parsed output into evidence.
func textExtraction(in Input, doc *cmdout.Doc, problems []cmdout.Problem, out Extraction) Extraction {
	for _, p := range problems {
		if p.Note {
			out.Notes = append(out.Notes, p.String())
		} else {
			out.Problems = append(out.Problems, textProblem(p))
		}
	}
	for _, k := range doc.Kinds {
		out.Coverage = append(out.Coverage, "file:"+string(k))
	}
	m := textMapper{src: in.Path}
	m.vss(doc)
	m.disks(doc)
	m.vms(doc)
	m.security(doc)
	m.listings(doc)
	m.handles(doc)
	m.records(doc)
	m.errors(doc)
	out.Evidence = m.out
	out.Records = len(m.out)
	out.covered = doc.Covered
	out.dropped = m.dropped
	if note := m.droppedNote(); note != "" {
		out.Notes = append(out.Notes, note)
	}
	return out
}

// droppedNote says how many items the mapper dropped over its cap.
func (m *textMapper) droppedNote() string {
	if m.dropped == 0 {
		return ""
	}
	return fmt.Sprintf("%d more records not kept as evidence (at most %d per file)", m.dropped, MaxTextEvidence)
}

// MaxTextEvidence bounds the evidence kept from one command output. Real
// outputs give a few hundred items; a crafted one repeating a record
// millions of times must not fill memory.
const MaxTextEvidence = 5000

// textMapper turns cmdout records into evidence for one file.
type textMapper struct {
	src     string
	out     []evidence.Evidence
	dropped int // records over MaxTextEvidence, counted only
}

func (m *textMapper) add(kind evidence.Kind, line int, t time.Time, summary string, attrs map[string]string) {
	if len(m.out) >= MaxTextEvidence {
		m.dropped++
		return
	}
	if !t.IsZero() {
		attrs[evidence.AttrTimeLocal] = "true" // command outputs print the host's local time
	}
	// Values cut from the decoded text would keep all of it alive until
	// the run ends; kept evidence gets its own copies.
	for k, v := range attrs {
		attrs[k] = strings.Clone(v)
	}
	summary = strings.Clone(summary)
	m.out = append(m.out, evidence.Evidence{Kind: kind, Source: m.src, At: evidence.AtLine(line), Time: t, Summary: summary, Attrs: attrs})
}

// noErrorTexts are the "Last error" values that mean success, in the
// languages vssadmin is commonly seen in.
var noErrorTexts = []string{"no error", "kein fehler", "aucune erreur", "ningún error", "nessun errore", "brak błędu", "geen fout", "nenhum erro"}

func (m *textMapper) vss(doc *cmdout.Doc) {
	for _, w := range doc.Writers {
		lastOK := strings.TrimSpace(w.LastError) == ""
		for _, t := range noErrorTexts {
			lastOK = lastOK || strings.EqualFold(strings.TrimSpace(w.LastError), t)
		}
		summary := fmt.Sprintf("VSS writer %s state [%d] %s", quote(w.Name), w.State, w.StateText)
		if w.LastError != "" {
			summary += ", last error: " + w.LastError
		}
		line := w.Line
		if w.StateLine > 0 && (w.Failed() || w.Busy() || !lastOK) {
			line = w.StateLine // cite the line that shows the failure
		}
		m.add(evidence.KindVSSWriter, line, time.Time{}, summary, map[string]string{
			evidence.AttrName: w.Name, "writer_id": w.ID, "instance_id": w.InstanceID,
			evidence.AttrState: strconv.Itoa(w.State), "state_text": w.StateText,
			evidence.AttrLastError: w.LastError, "last_error_ok": boolText(lastOK),
			evidence.AttrFailed: boolText(w.Failed()), "busy": boolText(w.Busy()),
		})
	}
	for _, p := range doc.Providers {
		m.add(evidence.KindVSSProvider, p.Line, time.Time{}, fmt.Sprintf("VSS provider %s (%s, %s)", quote(p.Name), p.Type, p.Version),
			map[string]string{evidence.AttrName: p.Name, "provider_id": p.ID, "type": p.Type,
				"version": p.Version, "third_party": boolText(p.ThirdParty())})
	}
	for _, s := range doc.Shadows {
		attrs := strings.Join(s.Attributes, ", ")
		m.add(evidence.KindVSSShadow, s.Line, stamp(s.CreationTime), fmt.Sprintf("shadow copy %s of %s, %s (%s)", s.ID, s.OriginalVolume.Raw, s.Type, attrs),
			map[string]string{"set_id": s.SetID, "id": s.ID, "volume": cmpOr(s.OriginalVolume.Drive, s.OriginalVolume.Raw),
				"provider": s.Provider, "type": s.Type, "attributes": attrs,
				"persistent": boolText(containsFold(s.Attributes, "Persistent")), "created_raw": s.CreationTime.Raw, "raw_volume": s.OriginalVolume.Raw})
	}
	for _, st := range doc.ShadowStorage {
		m.add(evidence.KindVSSStorage, st.Line, time.Time{}, fmt.Sprintf("shadow storage for %s: used %s, max %s", st.ForVolume.Raw, st.Used.Raw, st.Maximum.Raw),
			map[string]string{"volume": cmpOr(st.ForVolume.Drive, st.ForVolume.Raw), "storage_volume": cmpOr(st.StorageVolume.Drive, st.StorageVolume.Raw),
				"used_bytes": strconv.FormatUint(st.Used.Bytes, 10), "max_bytes": strconv.FormatUint(st.Maximum.Bytes, 10),
				"used_percent": strconv.Itoa(st.Used.Percent), "unbounded": boolText(st.Maximum.Unbounded), "raw_volume": st.ForVolume.Raw + " " + st.StorageVolume.Raw})
	}
}

func (m *textMapper) disks(doc *cmdout.Doc) {
	for _, v := range doc.VHDs {
		summary := fmt.Sprintf("Get-VHD: %s, %s %s", v.Path, v.VhdFormat, v.VhdType)
		if v.ParentPath != "" {
			summary += ", parent " + v.ParentPath
		}
		m.add(evidence.KindDiskInfo, cmpOrInt(v.PathLine, v.Line), time.Time{}, summary, map[string]string{
			evidence.AttrPath: v.Path, "format": v.VhdFormat, "vhd_type": v.VhdType, "parent_path": v.ParentPath,
			"size": strconv.FormatInt(v.Size, 10), "file_size": strconv.FormatInt(v.FileSize, 10),
			"disk_identifier": v.DiskIdentifier, "attached": v.Attached, "truncated": boolText(v.Truncated),
		})
	}
	for _, c := range doc.Chain {
		attrs := map[string]string{evidence.AttrVM: c.VMName, evidence.AttrPath: c.Path, "vhd_type": c.Type,
			"chain_number": strconv.Itoa(c.Number), "truncated": boolText(c.Truncated)}
		if strings.EqualFold(c.Type, "Error") {
			attrs["text"] = "Get-VHDChain reports an Error link at " + c.Path
			attrs["command"] = "Get-VHDChain"
			m.add(evidence.KindChainError, c.Line, time.Time{}, fmt.Sprintf("Get-VHDChain: link %d of %s is Error: %s", c.Number, c.VMName, c.Path), attrs)
			continue
		}
		m.add(evidence.KindDiskInfo, c.Line, time.Time{}, fmt.Sprintf("Get-VHDChain: %s link %d, %s %s", c.VMName, c.Number, c.Type, c.Path), attrs)
		if c.Number == 1 {
			// The first link is the disk the VM's configuration points at.
			m.add(evidence.KindVMDisk, c.Line, time.Time{}, fmt.Sprintf("%s uses %s", c.VMName, c.Path),
				map[string]string{evidence.AttrVM: c.VMName, evidence.AttrPath: c.Path})
		}
	}
}

func (m *textMapper) vms(doc *cmdout.Doc) {
	for _, v := range doc.VMs {
		m.add(evidence.KindVM, v.Line, time.Time{}, fmt.Sprintf("VM %s: %s, %s, version %s", v.Name, v.State, v.Status, v.Version), map[string]string{
			evidence.AttrVM: v.Name, evidence.AttrVMID: v.VMID, evidence.AttrState: v.State, "critical": boolText(strings.HasSuffix(v.State, "Critical")),
			"status": v.Status, "version": v.Version, evidence.AttrPath: v.Path, "config_location": v.ConfigurationLocation,
			"snapshot_location": v.SnapshotFileLocation, "checkpoint_type": v.CheckpointType, "generation": intText(v.Generation),
			"parent_snapshot": v.ParentSnapshotName, evidence.AttrDiskPaths: strings.Join(v.HardDrives, "\n"), "is_clustered": v.IsClustered,
			"automatic_stop_action": v.AutomaticStopAction, "uptime": v.Uptime,
		})
	}
	for _, h := range doc.HardDrives {
		m.add(evidence.KindVMDisk, h.Line, time.Time{}, fmt.Sprintf("%s %s %d:%d uses %s", h.VMName, h.ControllerType, h.ControllerNumber, h.ControllerLocation, h.Path),
			map[string]string{evidence.AttrVM: h.VMName, evidence.AttrPath: h.Path, "controller_type": h.ControllerType,
				"controller_number": intText(h.ControllerNumber), "controller_location": intText(h.ControllerLocation), "missing": "false"})
	}
	for _, s := range doc.Snapshots {
		m.add(evidence.KindSnapshot, s.Line, stamp(s.CreationTime), fmt.Sprintf("checkpoint %s of %s, %s, created %s", quote(s.Name), s.VMName, s.SnapshotType, s.CreationTime.Raw),
			map[string]string{evidence.AttrVM: s.VMName, evidence.AttrName: s.Name, "snapshot_type": s.SnapshotType, "created_raw": s.CreationTime.Raw,
				"parent_snapshot": s.ParentSnapshotName, "id": s.ID, evidence.AttrVMID: s.VMID, evidence.AttrDiskPaths: strings.Join(s.HardDrives, "\n"),
				"missing_files": "false"})
	}
	for _, v := range doc.BasicInfo {
		var paths []string
		for _, d := range v.Disks {
			paths = append(paths, d.Path)
			summary := fmt.Sprintf("%s uses %s (%s)", v.Name, d.Path, d.VhdType)
			if d.Missing {
				summary += ": the file does not exist"
			}
			m.add(evidence.KindVMDisk, d.Line, time.Time{}, summary, map[string]string{evidence.AttrVM: v.Name, evidence.AttrPath: d.Path,
				"vhd_type": d.VhdType, "missing": boolText(d.Missing), "owner": d.Owner})
			if len(d.ACL) > 0 {
				m.basicInfoACL(d)
			}
		}
		m.add(evidence.KindVM, v.Line, time.Time{}, fmt.Sprintf("VM %s (SDP basic info), version %s", v.Name, v.Version), map[string]string{
			evidence.AttrVM: v.Name, evidence.AttrVMID: v.GUID, "version": v.Version, "running": boolText(v.Running),
			"ic_mismatch": boolText(v.ICVersionMismatch), evidence.AttrDiskPaths: strings.Join(paths, "\n"),
		})
		for _, s := range v.Snapshots {
			var files []string
			missing := false
			for _, f := range s.Files {
				files = append(files, f.Path)
				missing = missing || f.Missing
			}
			summary := fmt.Sprintf("checkpoint %s of %s, %s, created %s", quote(s.Name), v.Name, s.Type, s.CreationTime.Raw)
			if missing {
				summary += "; some of its files do not exist"
			}
			m.add(evidence.KindSnapshot, s.Line, stamp(s.CreationTime), summary, map[string]string{evidence.AttrVM: v.Name, evidence.AttrName: s.Name,
				"snapshot_type": s.Type, "created_raw": s.CreationTime.Raw, "parent_snapshot": s.Parent, evidence.AttrVMID: v.GUID,
				evidence.AttrDiskPaths: strings.Join(files, "\n"), "missing_files": boolText(missing)})
		}
	}
	for _, h := range doc.Hosts {
		m.add(evidence.KindHost, h.Line, time.Time{}, fmt.Sprintf("Hyper-V host %s, VM path %s, VHD path %s", h.ComputerName, h.VirtualMachinePath, h.VirtualHardDiskPath),
			map[string]string{"computer": h.ComputerName, "vhd_path": h.VirtualHardDiskPath, "vm_path": h.VirtualMachinePath})
	}
}

// vmGroupSID is NT VIRTUAL MACHINE\Virtual Machines, the group every VM's
// worker process belongs to.
const vmGroupSID = "S-1-5-83-0"

func (m *textMapper) security(doc *cmdout.Doc) {
	for _, f := range doc.Filters {
		attrs := map[string]string{evidence.AttrName: f.Name, "altitude": f.Altitude, "band": cmdout.BandOf(f.AltitudeValue),
			"instances": strconv.Itoa(f.Instances), "legacy": boolText(f.Legacy)}
		m.add(evidence.KindFilter, f.Line, time.Time{}, fmt.Sprintf("filter %s at altitude %s (%s)", f.Name, f.Altitude, cmpOr(attrs["band"], "no band")), attrs)
	}
	for _, fi := range doc.FilterInstances {
		m.add(evidence.KindFilterInst, fi.Line, time.Time{}, fmt.Sprintf("filter %s on %s", fi.Filter, fi.Volume),
			map[string]string{evidence.AttrName: fi.Filter, "volume": fi.Volume, "altitude": fi.Altitude, "band": cmdout.BandOf(fi.AltitudeValue)})
	}
	for _, r := range doc.Rights {
		var accounts []string
		hasGroup := false
		for _, a := range r.Accounts {
			accounts = append(accounts, a.Value)
			hasGroup = hasGroup || strings.EqualFold(a.Value, vmGroupSID) || strings.EqualFold(a.Value, `NT VIRTUAL MACHINE\Virtual Machines`)
		}
		m.add(evidence.KindRight, r.Line, time.Time{}, fmt.Sprintf("%s = %s", r.Right, strings.Join(accounts, ", ")),
			map[string]string{"right": r.Right, "accounts": strings.Join(accounts, "\n"), "has_vm_group": boolText(hasGroup), "token_privilege": "false"})
	}
	for _, p := range doc.Privileges {
		m.add(evidence.KindRight, p.Line, time.Time{}, fmt.Sprintf("token privilege %s: %s", p.Name, p.State),
			map[string]string{"right": p.Name, "state": p.State, "token_privilege": "true"})
	}
	for _, a := range doc.ACLs {
		var aces, vmSIDs []string
		hasGroup, hasDeny := false, false
		for _, e := range a.ACEs {
			aces = append(aces, fmt.Sprintf("%s:%s%s", e.Principal, denyText(e.Deny), strings.Join(append(append([]string{}, e.Flags...), e.Rights...), ",")))
			hasDeny = hasDeny || e.Deny
			switch {
			case strings.EqualFold(e.SID, vmGroupSID) || strings.EqualFold(e.Principal, `NT VIRTUAL MACHINE\Virtual Machines`):
				hasGroup = !e.Deny
			case strings.HasPrefix(strings.ToUpper(e.SID), "S-1-5-83-1-") || strings.HasPrefix(strings.ToUpper(e.Principal), `NT VIRTUAL MACHINE\`):
				vmSIDs = append(vmSIDs, cmpOr(e.SID, e.Principal))
			}
		}
		m.add(evidence.KindACL, a.Line, time.Time{}, fmt.Sprintf("ACL of %s: %s", a.Path, strings.Join(aces, "; ")), map[string]string{
			evidence.AttrPath: a.Path, "aces": strings.Join(aces, "\n"), "vm_sids": strings.Join(vmSIDs, "\n"),
			"has_vm_group": boolText(hasGroup), "has_deny": boolText(hasDeny),
		})
	}
}

func (m *textMapper) basicInfoACL(d cmdout.BasicInfoDisk) {
	var aces, vmSIDs []string
	hasGroup := false
	for _, e := range d.ACL {
		aces = append(aces, e.Identity+":"+e.Rights)
		up := strings.ToUpper(e.Identity)
		switch {
		case strings.EqualFold(e.Identity, `NT VIRTUAL MACHINE\Virtual Machines`) || up == vmGroupSID:
			hasGroup = true
		case strings.HasPrefix(up, `NT VIRTUAL MACHINE\`) || strings.HasPrefix(up, "S-1-5-83-1-"):
			vmSIDs = append(vmSIDs, e.Identity)
		}
	}
	m.add(evidence.KindACL, d.ACL[0].Line, time.Time{}, fmt.Sprintf("ACL of %s: %s", d.Path, strings.Join(aces, "; ")), map[string]string{
		evidence.AttrPath: d.Path, "aces": strings.Join(aces, "\n"), "vm_sids": strings.Join(vmSIDs, "\n"),
		"has_vm_group": boolText(hasGroup), "has_deny": "false",
	})
}

func (m *textMapper) listings(doc *cmdout.Doc) {
	for _, f := range doc.Files {
		full := f.Name
		if f.Dir != "" {
			full = strings.TrimRight(f.Dir, `\`) + `\` + f.Name
		}
		ext := ""
		if i := strings.LastIndexByte(f.Name, '.'); i > 0 && !f.IsDir {
			ext = strings.ToLower(f.Name[i:])
		}
		summary := fmt.Sprintf("listing: %s", full)
		if !f.IsDir && f.Size >= 0 {
			summary += fmt.Sprintf(", %d bytes", f.Size)
		}
		if f.Modified.Raw != "" {
			summary += ", modified " + f.Modified.Raw
		}
		attrs := map[string]string{evidence.AttrPath: full, "dir": f.Dir,
			evidence.AttrName: f.Name, "ext": ext, "size": strconv.FormatInt(f.Size, 10), "is_dir": boolText(f.IsDir)}
		if id, loc, ok := vmConfigFile(f.Dir, f.Name); ok {
			// A VM's own file names its VM and, by its folder, where the
			// VM's configuration lives: steps about it can name both.
			attrs[evidence.AttrVMID], attrs["config_location"] = id, loc
		}
		m.add(evidence.KindFile, f.Line, stamp(f.Modified), summary, attrs)
	}
	for _, v := range doc.FreeSpace {
		m.add(evidence.KindVolume, v.Line, time.Time{}, fmt.Sprintf("volume %s has %s free (listing of %s)", cmpOr(v.Drive, "?"), humanBytes(v.Bytes), v.Dir),
			map[string]string{"drive": v.Drive, "dir": v.Dir, "free_bytes": strconv.FormatInt(v.Bytes, 10)})
	}
}

// vmConfigFileRe is a file Hyper-V names after the VM's ID: its
// configuration (.vmcx, or .xml before 2016), runtime and guest state.
var vmConfigFileRe = regexp.MustCompile(`(?i)^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(vmcx|vmrs|vmgs|xml|bin|vsv)$`)

// vmConfigFile reads the VM ID and the configuration location from a
// file in a VM's "Virtual Machines" folder.
func vmConfigFile(dir, name string) (id, location string, ok bool) {
	m := vmConfigFileRe.FindStringSubmatch(name)
	d := strings.TrimRight(dir, `\`)
	const sub = `\Virtual Machines`
	if m == nil || len(d) <= len(sub) || !strings.EqualFold(d[len(d)-len(sub):], sub) {
		return "", "", false
	}
	return m[1], d[:len(d)-len(sub)], true
}

// vmFileExtensions are the files a VM's worker process holds open.
var vmFileExtensions = map[string]bool{".vhdx": true, ".avhdx": true, ".vhd": true, ".avhd": true, ".vhds": true,
	".vmcx": true, ".vmrs": true, ".vmgs": true, ".bin": true, ".vsv": true, ".iso": true}

func (m *textMapper) handles(doc *cmdout.Doc) {
	for _, h := range doc.Handles {
		ext := strings.ToLower(path.Ext(strings.ReplaceAll(h.Path, `\`, "/")))
		m.add(evidence.KindHandle, h.Line, time.Time{}, fmt.Sprintf("%s (pid %d) holds %s", h.Process, h.PID, h.Path), map[string]string{
			"process": h.Process, "pid": strconv.Itoa(h.PID), evidence.AttrPath: h.Path, "user": h.User,
			"vm_file": boolText(vmFileExtensions[ext]),
		})
	}
}

// records maps the outputs that say their own evidence (cmdout.Record):
// integration services, CSV modes, boot entries, systeminfo, compact and
// cipher listings, and any output added the same way.
func (m *textMapper) records(doc *cmdout.Doc) {
	for _, r := range doc.Records {
		f := r.Evidence()
		m.add(evidence.Kind(f.Kind), f.Line, stamp(f.Time), f.Summary, f.Attrs)
	}
}

func (m *textMapper) errors(doc *cmdout.Doc) {
	for _, e := range doc.Errors {
		code := ""
		if e.HResult != 0 {
			code = fmt.Sprintf("0x%08X", e.HResult)
		}
		codes := e.Codes
		if code != "" && !containsFold(codes, code) {
			codes = append([]string{code}, codes...)
		}
		if code == "" && len(codes) > 0 && len(codes[0]) == len("0x00000000") {
			code = codes[0] // named only by its message text
		}
		attrs := map[string]string{"command": e.Command, "text": e.Message, "code": code, evidence.AttrPath: e.Path,
			evidence.AttrHResults: strings.ToLower(strings.Join(codes, " "))}
		if e.VM != "" {
			attrs[evidence.AttrVM] = e.VM
		}
		if e.VMID != "" {
			attrs[evidence.AttrVMID] = e.VMID
		}
		if e.WMICode != "" {
			attrs["wmi_code"] = e.WMICode
		}
		kind := evidence.KindCmdError
		// A VHD cmdlet that fails, or any VHD error code, is a statement
		// about the chain itself.
		if strings.HasSuffix(strings.ToLower(e.Command), "-vhd") || strings.EqualFold(e.Command, "Get-VHDChain") || e.HResult>>16 == 0xC03A {
			kind = evidence.KindChainError
		}
		m.add(kind, e.Line, time.Time{}, fmt.Sprintf("%s failed: %s", cmpOr(e.Command, "command"), e.Message), attrs)
	}
}

// humanBytes prints a size the way people read it (binary units).
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// stamp returns the time of a culture-dependent timestamp when it could be
// read without guessing, and the zero time otherwise.
func stamp(t cmdout.Timestamp) time.Time {
	if t.Time.IsZero() || t.Ambiguous {
		return time.Time{}
	}
	return t.Time.UTC()
}

func boolText(b bool) string { return strconv.FormatBool(b) }

func intText(n int64) string {
	if n < 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func denyText(deny bool) string {
	if deny {
		return "DENY,"
	}
	return ""
}

func quote(s string) string { return "'" + s + "'" }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmpOrInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}
