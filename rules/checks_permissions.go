package rules

import (
	"regexp"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/wintext"
)

// permissionChecks are the checks of catalog/permissions.json.
var permissionChecks = map[string]check{
	"perm.acl-lacks-vm-sid":                    permACLLacksVMSID,
	"perm.av-filter-with-locks":                permAVFilterWithLocks,
	"perm.av-filter-with-vss-stall":            permAVFilterWithVSSStall,
	"perm.av-filter-with-worker-start-failure": permAVFilterWithWorkerStart,
	"perm.logon-right-given-back":              permLogonRightGivenBack,
}

// permissionCheckEvents are the event providers the permission checks read (see checkEvents).
var permissionCheckEvents = map[string][]string{
	"perm.acl-lacks-vm-sid":                    {providerVMMS, providerWorker},
	"perm.av-filter-with-locks":                {providerVMMS, providerWorker, providerVHDMP},
	"perm.av-filter-with-vss-stall":            {providerVSS},
	"perm.av-filter-with-worker-start-failure": {providerVMMS, providerWorker},
	// Only these two events of the Security log: the right removed, then
	// given back.
	"perm.logon-right-given-back": {"Microsoft-Windows-Security-Auditing:4704", "Microsoft-Windows-Security-Auditing:4705"},
}

// permVMFile matches the files Hyper-V opens under the VM's own account.
var permVMFile = regexp.MustCompile(`(?i)\.(a?vhdx?|vhds|vmcx|vmrs|vmgs|iso)$`)

// permACLLacksVMSID fires for an icacls (or SDP) ACL of a VM file that
// grants nothing to the VM that uses it: neither its per-VM account
// (NT VIRTUAL MACHINE\<VMId>, S-1-5-83-1-…) nor the Virtual Machines group.
// The VM is the one the file belongs to (correlated from the VM inventory);
// when it is unknown, an ACL with no VM account and no group at all still
// counts. An ACL naming another VM only (a file copied from elsewhere)
// fires too.
func permACLLacksVMSID(ix *index) []*evidence.Evidence {
	vmIDs := map[string]string{} // VM name (lower case) → canonical GUID
	for _, k := range []evidence.Kind{evidence.KindVM, evidence.KindSnapshot, evidence.KindEvent} {
		for _, e := range ix.of(k) {
			if vm, id := strings.ToLower(e.VM()), wintext.NormGUID(e.Attrs[evidence.AttrVMID]); vm != "" && id != "" {
				if _, ok := vmIDs[vm]; !ok {
					vmIDs[vm] = id
				}
			}
		}
	}
	var out []*evidence.Evidence
	for _, a := range ix.of(evidence.KindACL) {
		if !permVMFile.MatchString(strings.TrimSpace(a.Attrs[evidence.AttrPath])) || a.Attrs["has_vm_group"] == "true" {
			continue
		}
		var granted []string
		for _, s := range strings.Split(a.Attrs["vm_sids"], "\n") {
			if s = strings.TrimSpace(s); s != "" {
				granted = append(granted, strings.ToUpper(s))
			}
		}
		id := vmIDs[strings.ToLower(a.VM())]
		if id == "" {
			if len(granted) == 0 {
				out = append(out, a)
			}
			continue
		}
		sid, err := wintext.VMSID(id)
		if err != nil {
			continue
		}
		want := []string{strings.ToUpper(sid), strings.ToUpper(`NT VIRTUAL MACHINE\` + id)}
		found := false
		for _, g := range granted {
			for _, w := range want {
				found = found || g == w
			}
		}
		if !found {
			out = append(out, a)
		}
	}
	return out
}

// permAVFilters are the loaded filters of on-access antivirus or EDR
// products: the anti-virus altitude band, or a known product's driver.
func permAVFilters(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, f := range ix.of(evidence.KindFilter) {
		c := f.Attrs["category"]
		// Microsoft Defender's filter is on every Windows Server since
		// 2016, and Defender excludes Hyper-V's files and processes by
		// itself: its presence says nothing. Only a detection on a VM file
		// (a signal of its own) or a handle it holds implicates it.
		if strings.EqualFold(f.Attrs[evidence.AttrName], "WdFilter") {
			continue
		}
		if f.Attrs["band"] == "Anti-Virus" || c == CategoryAntivirus || c == CategoryEDR {
			out = append(out, f)
		}
	}
	return out
}

// permSharingViolations are Hyper-V and virtual disk events quoting
// 0x80070020 (the file is in use by another process), and the same error
// printed by a cmdlet or Hyper-V Manager's dialog (the cmdlet-file-in-use
// signals of stale-file-lock): a scanner that locks VM files shows up
// wherever the failure was copied from.
func permSharingViolations(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindEvent) {
		p := e.Attrs[evidence.AttrProvider]
		if (isHyperVProvider(p) || strings.EqualFold(p, "Microsoft-Windows-VHDMP")) && scannerLockCodes.MatchString(e.Attrs[evidence.AttrHResults]) {
			out = append(out, e)
		}
	}
	for _, k := range []evidence.Kind{evidence.KindCmdError, evidence.KindChainError} {
		for _, e := range ix.of(k) {
			if scannerLockCodes.MatchString(e.Attrs[evidence.AttrHResults]) {
				out = append(out, e)
			}
		}
	}
	return out
}

// scannerLockCodes are the errors a scanner holding a VM file causes: the
// file is in use by another process (0x80070020), or another process has
// it mapped (0x800704C8, a user-mapped section is open: scanners map the
// files they read).
var scannerLockCodes = regexp.MustCompile(`(?i)0x80070020|0x800704c8`)

// permAVFilterWithLocks fires when an on-access scanner's filter is loaded
// and Hyper-V logged sharing violations on its files: the pairing that
// points at the scanner holding VM files open. A scanner alone, or locks
// with no scanner, do not fire. Cites the filters and the violations.
func permAVFilterWithLocks(ix *index) []*evidence.Evidence {
	av := permAVFilters(ix)
	locks := permSharingViolations(ix)
	if len(av) == 0 || len(locks) == 0 {
		return nil
	}
	return append(av, locks...)
}

// workerStartFailed is Hyper-V's sentence for a worker process that did
// not start.
var workerStartFailed = regexp.MustCompile(`(?i)failed to start (the )?worker process`)

// permAVFilterWithWorkerStart pairs a scanner's filter with a worker
// process that could not start, in an event or a copied error: products
// that inject into new processes stop vmwp.exe before the VM exists.
func permAVFilterWithWorkerStart(ix *index) []*evidence.Evidence {
	av := permAVFilters(ix)
	if len(av) == 0 {
		return nil
	}
	var failed []*evidence.Evidence
	for _, k := range []evidence.Kind{evidence.KindEvent, evidence.KindCmdError} {
		for _, e := range ix.of(k) {
			if k == evidence.KindEvent && !isHyperVProvider(e.Attrs[evidence.AttrProvider]) {
				continue
			}
			if workerStartFailed.MatchString(e.Attrs[evidence.AttrText]) {
				failed = append(failed, e)
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return append(av, failed...)
}

// permAVFilterWithVSSStall is the weaker pairing: a scanner's filter and
// VSS failing to flush or hold writes (12297, 12298) or a writer timeout
// (0x800423F2), which on-access scanning of VM files can cause but so can
// slow storage.
func permAVFilterWithVSSStall(ix *index) []*evidence.Evidence {
	av := permAVFilters(ix)
	if len(av) == 0 {
		return nil
	}
	var stalls []*evidence.Evidence
	for _, e := range ix.of(evidence.KindEvent) {
		id := e.Attrs[evidence.AttrEventID]
		if strings.EqualFold(e.Attrs[evidence.AttrProvider], "VSS") && (id == "12297" || id == "12298" || strings.Contains(e.Attrs[evidence.AttrHResults], "0x800423f2")) {
			stalls = append(stalls, e)
		}
	}
	if len(stalls) == 0 {
		return nil
	}
	return append(av, stalls...)
}

// vmGroupSID is NT VIRTUAL MACHINE\Virtual Machines, the group every VM's
// worker process account belongs to.
const vmGroupSID = "S-1-5-83-0"

// isServiceLogonRightChange reports whether a Security event of the given
// ID (4704 assigned, 4705 removed) is about SeServiceLogonRight for the
// Virtual Machines group (TargetSid, PrivilegeList).
func isServiceLogonRightChange(e *evidence.Evidence, id string) bool {
	return strings.EqualFold(e.Attrs[evidence.AttrProvider], "Microsoft-Windows-Security-Auditing") && e.Attrs[evidence.AttrEventID] == id &&
		strings.EqualFold(strings.TrimSpace(e.Attrs["data.TargetSid"]), vmGroupSID) &&
		strings.Contains(strings.ToLower(e.Attrs["data.PrivilegeList"]), "seservicelogonright")
}

// permLogonRightGivenBack fires for a 4704 that assigned SeServiceLogonRight
// to the Virtual Machines group after a 4705 removed it: the removal was
// undone. It cites the 4704 events that follow a removal.
func permLogonRightGivenBack(ix *index) []*evidence.Evidence {
	var removed []*evidence.Evidence
	events := ix.of(evidence.KindEvent)
	for _, e := range events {
		if isServiceLogonRightChange(e, "4705") && !e.Time.IsZero() {
			removed = append(removed, e)
		}
	}
	var out []*evidence.Evidence
	for _, e := range events {
		if !isServiceLogonRightChange(e, "4704") {
			continue
		}
		for _, r := range removed {
			if e.Time.After(r.Time) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
