package analyze

import (
	"path"
	"strings"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
)

// correlate ties evidence to the VM it concerns when the item does not say
// so itself: Worker events carry the VM's SID, VMMS events its GUID, disk
// headers and chain issues only a file name. Knowing the VM lets findings
// name it, lets the report build a per-VM timeline, and lets commands be
// filled in with the VM's name.
func correlate(evs []evidence.Evidence) {
	byID := map[string]string{}   // VM GUID (canonical) → name
	bySID := map[string]string{}  // per-VM SID → name
	byDisk := map[string]string{} // lower-case disk file name → VM name
	idOf := map[string]string{}   // lower-case VM name → VM GUID as first seen
	// The VM inventory (Get-VM, checkpoints, disks) is the authority on
	// names; events only fill in what it does not say. First seen wins.
	ordered := make([]*evidence.Evidence, 0, len(evs))
	for pass := range 2 {
		for i := range evs {
			e := &evs[i]
			inventory := e.Kind == evidence.KindVM || e.Kind == evidence.KindSnapshot || e.Kind == evidence.KindVMDisk
			if inventory == (pass == 0) {
				ordered = append(ordered, e)
			}
		}
	}
	for _, e := range ordered {
		name := e.Attrs[evidence.AttrVM]
		if name == "" {
			continue
		}
		if id := cmdout.NormGUID(e.Attrs[evidence.AttrVMID]); id != "" {
			if _, known := idOf[strings.ToLower(name)]; !known {
				idOf[strings.ToLower(name)] = strings.ToUpper(id)
			}
			if _, known := byID[id]; !known {
				byID[id] = name
				if sid, err := cmdout.VMSID(id); err == nil {
					bySID[strings.ToUpper(sid)] = name
				}
			}
		}
		switch e.Kind {
		case evidence.KindVMDisk, evidence.KindDiskInfo:
			addDiskName(byDisk, e.Attrs[evidence.AttrPath], name)
		case evidence.KindVM, evidence.KindSnapshot:
			for _, p := range strings.Split(e.Attrs[evidence.AttrDiskPaths], "\n") {
				addDiskName(byDisk, p, name)
			}
		}
	}
	for i := range evs {
		e := &evs[i]
		if e.Attrs == nil {
			continue
		}
		if vm := e.Attrs[evidence.AttrVM]; vm != "" {
			// Commands need the VM's GUID too (icacls on its SID account).
			if e.Attrs[evidence.AttrVMID] == "" && idOf[strings.ToLower(vm)] != "" {
				e.Attrs[evidence.AttrVMID] = idOf[strings.ToLower(vm)]
			}
			continue
		}
		var vm string
		switch e.Kind {
		case evidence.KindEvent:
			vm = byID[cmdout.NormGUID(e.Attrs[evidence.AttrVMID])]
			if vm == "" {
				vm = bySID[strings.ToUpper(e.Attrs["user_sid"])]
			}
		case evidence.KindDisk:
			vm = byDisk[diskName(e.Source)]
		case evidence.KindChainIssue, evidence.KindChainLink:
			vm = byDisk[diskName(e.Attrs["child"])]
		case evidence.KindVMDisk, evidence.KindDiskInfo, evidence.KindACL:
			vm = byDisk[diskName(e.Attrs[evidence.AttrPath])]
		}
		if vm != "" {
			e.Attrs[evidence.AttrVM] = vm
			if e.Attrs[evidence.AttrVMID] == "" {
				e.Attrs[evidence.AttrVMID] = idOf[strings.ToLower(vm)]
			}
		}
	}
}

func addDiskName(m map[string]string, p, vm string) {
	if n := diskName(p); n != "" {
		if _, taken := m[n]; !taken {
			m[n] = vm
		}
	}
}

// diskName is the lower-case file name of a Windows or bundle path, used
// to recognise the same disk file seen from two sides.
func diskName(p string) string {
	p = strings.TrimSpace(strings.ReplaceAll(p, `\`, "/"))
	if p == "" {
		return ""
	}
	return strings.ToLower(path.Base(p))
}
