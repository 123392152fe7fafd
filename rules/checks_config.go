package rules

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// configChecks are the checks of catalog/config.json.
var configChecks = map[string]check{
	"config.vmcx-empty":                 emptyVMConfig,
	"config.vmcx-missing":               missingVMConfig,
	"config.unregistered-vm-files":      unregisteredVMFiles,
	"config.version-outside-host-range": versionOutsideHostRange,
	"config.disk-elsewhere":             diskFoundElsewhere,
	"saved.state-kept-long":             savedStateKeptLong,
	"config.version-5-on-newer-host":    version5OnNewerHost,
}

// configCheckEvents are the event providers the config checks read (see checkEvents).
var configCheckEvents = map[string][]string{
	"config.version-outside-host-range": {providerKernelGeneral, providerEventLog},
	"config.disk-elsewhere":             {providerVMMS, providerWorker},
	"config.version-5-on-newer-host":    {providerKernelGeneral, providerEventLog},
}

// emptyVMConfig finds VM or checkpoint configuration files (.vmcx) that a
// listing shows with zero length: Hyper-V cannot load them, and the VM
// either vanishes from Hyper-V Manager or fails with 3070. It cites the
// listing lines.
func emptyVMConfig(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, f := range ix.of(evidence.KindFile) {
		if f.Attrs["size"] == "0" && isVMConfigFile(f) {
			out = append(out, f)
		}
	}
	return out
}

// isVMConfigFile says a listed file is a VM's configuration: a .vmcx, or
// (Windows Server 2012 R2 and before) a <VM ID>.xml in a "Virtual
// Machines" folder, which the listing's reader marks with the VM's
// configuration location.
func isVMConfigFile(f *evidence.Evidence) bool {
	switch f.Attrs["ext"] {
	case ".vmcx":
		return true
	case ".xml":
		return f.Attrs["config_location"] != ""
	}
	return false
}

// configDir is the folder that holds a VM's configuration file:
// "<ConfigurationLocation>\Virtual Machines" (lower case, slashes).
func configDir(vm *evidence.Evidence) string {
	loc := vm.Attrs["config_location"]
	if loc == "" {
		loc = vm.Attrs[evidence.AttrPath]
	}
	if strings.TrimSpace(loc) == "" {
		return ""
	}
	return winDir(strings.TrimRight(loc, `\/`) + `\Virtual Machines\x`)
}

// missingVMConfig finds VMs whose configuration folder is in a listing but
// holds no <VMID>.vmcx (nor a version 5.0 <VMID>.xml): the configuration
// was deleted or lost with its volume while the VM is still registered. It
// cites the VM's inventory line.
func missingVMConfig(ix *index) []*evidence.Evidence {
	dirs, files := listedDirs(ix)
	var out []*evidence.Evidence
	for _, vm := range ix.of(evidence.KindVM) {
		id := strings.ToLower(strings.Trim(vm.Attrs[evidence.AttrVMID], "{}"))
		dir := configDir(vm)
		if id == "" || dir == "" || !dirs[dir] {
			continue
		}
		if !files[dir+"/"+id+".vmcx"] && !files[dir+"/"+id+".xml"] {
			out = append(out, vm)
		}
	}
	return out
}

var guidName = regexp.MustCompile(`(?i)^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.vmcx$`)

// unregisteredVMFiles finds VM configuration files (<GUID>.vmcx in a
// "Virtual Machines" folder) whose GUID is no VM of the inventory: a VM
// that Hyper-V no longer knows although its files are there (the host's
// registration store lost it, or it was removed without its files). It
// needs an inventory that names VM IDs, and cites the listing lines.
func unregisteredVMFiles(ix *index) []*evidence.Evidence {
	known := map[string]bool{}
	for _, k := range []evidence.Kind{evidence.KindVM, evidence.KindSnapshot} {
		for _, e := range ix.of(k) {
			if id := strings.ToLower(strings.Trim(e.Attrs[evidence.AttrVMID], "{}")); id != "" && k == evidence.KindVM {
				known[id] = true
			}
			if id := strings.ToLower(e.Attrs["id"]); id != "" {
				known[id] = true // a checkpoint's own configuration
			}
		}
	}
	if len(known) == 0 {
		return nil
	}
	var out []*evidence.Evidence
	for _, f := range ix.of(evidence.KindFile) {
		m := guidName.FindStringSubmatch(f.Attrs[evidence.AttrName])
		dir := strings.ToLower(f.Attrs["dir"])
		if m == nil || !strings.HasSuffix(strings.TrimRight(dir, `\`), `\virtual machines`) || strings.Contains(dir, "planned virtual machines") {
			continue
		}
		if !known[strings.ToLower(m[1])] {
			out = append(out, f)
		}
	}
	return out
}

// configVersion is a VM configuration version, "9.0" → {9, 0}.
type configVersion struct{ major, minor int }

func parseConfigVersion(s string) (configVersion, bool) {
	maj, mnr, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return configVersion{}, false
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(mnr)
	return configVersion{a, b}, err1 == nil && err2 == nil && a > 0 && b >= 0
}

func (v configVersion) less(o configVersion) bool {
	return v.major < o.major || (v.major == o.major && v.minor < o.minor)
}

// hostSupport is the range of VM configuration versions a host OS runs
// (hyperv-triage-facts.md §3.8, Microsoft's "upgrade VM version" table).
// When only is set, the host runs exactly those versions.
type hostSupport struct {
	product  string
	min, max configVersion
	only     []configVersion
}

// supportByBuild maps a Windows build number to what it supports. Builds
// shared by a client and a server release with the same range are listed
// once; builds whose range depends on the edition (19044: LTSC 2021 or
// Windows 10 21H2) are left out, so nothing is claimed about them.
var supportByBuild = map[int]hostSupport{
	9600:  {product: "Windows Server 2012 R2", min: configVersion{5, 0}, max: configVersion{5, 0}},
	10240: {product: "Windows 10 LTSB 2015", only: []configVersion{{5, 0}, {6, 2}}},
	14393: {product: "Windows Server 2016", min: configVersion{5, 0}, max: configVersion{8, 0}},
	17763: {product: "Windows Server 2019", min: configVersion{5, 0}, max: configVersion{9, 0}},
	20348: {product: "Windows Server 2022", min: configVersion{8, 0}, max: configVersion{10, 0}},
	22000: {product: "Windows 11 21H2", min: configVersion{8, 0}, max: configVersion{10, 0}},
	22621: {product: "Windows 11 22H2", min: configVersion{8, 0}, max: configVersion{11, 0}},
	22631: {product: "Windows 11 23H2", min: configVersion{8, 0}, max: configVersion{11, 0}},
	26100: {product: "Windows Server 2025 / Windows 11 24H2", min: configVersion{8, 0}, max: configVersion{12, 0}},
}

func (h hostSupport) supports(v configVersion) bool {
	if len(h.only) > 0 {
		for _, o := range h.only {
			if o == v {
				return true
			}
		}
		return false
	}
	return !v.less(h.min) && !h.max.less(v)
}

// currentHostBuilds returns, per computer, its newest boot event with the
// OS version it reports.
func currentHostBuilds(ix *index) map[string]*evidence.Evidence {
	out := map[string]*evidence.Evidence{}
	for host, boots := range bootVersions(ix) {
		out[host] = boots[len(boots)-1]
	}
	return out
}

// versionOutsideHostRange compares each VM's configuration version with
// the versions the host's current OS supports, the OS being read from its
// newest boot event (Kernel-General 12 or EventLog 6009). When the bundle
// holds several hosts' logs, a VM is reported only if no host supports
// its version; an unknown build decides nothing. It cites the VM's
// inventory line and the boot event that gives the host's build.
func versionOutsideHostRange(ix *index) []*evidence.Evidence {
	hosts := currentHostBuilds(ix)
	var known []*evidence.Evidence
	var support []hostSupport
	for _, boot := range hosts {
		v, _ := bootVersion(boot)
		hs, ok := supportByBuild[v.build]
		if !ok {
			return nil // a host we cannot judge might run the VM
		}
		known = append(known, boot)
		support = append(support, hs)
	}
	if len(known) == 0 {
		return nil
	}
	var out []*evidence.Evidence
	for _, vm := range ix.of(evidence.KindVM) {
		v, ok := parseConfigVersion(vm.Attrs["version"])
		if !ok {
			continue
		}
		supported := false
		for _, hs := range support {
			supported = supported || hs.supports(v)
		}
		if !supported {
			out = append(out, vm)
		}
	}
	if len(out) == 0 {
		return nil
	}
	// Map order is random: cite the hosts' boot events in a stable order.
	slices.SortFunc(known, func(a, b *evidence.Evidence) int {
		if a.Less(b) {
			return -1
		}
		return 1
	})
	return append(out, known...)
}

// diskFoundElsewhere finds VM disks that are not where the VM's settings
// point (the listing covers that folder and lacks the file, the SDP basic
// info says it does not exist, or a Hyper-V "not found" error names that
// path) while a file of the same name is listed in another folder: the VM
// or its storage was moved and the settings were not updated. A same-named
// file elsewhere with nothing proving the original gone is only a copy,
// and a disk that is nowhere is a missing file (another cause). It cites
// the VM's disk line, with the path where the file was found added as
// found_path, the listing line of that file, and the error if any.
func diskFoundElsewhere(ix *index) []*evidence.Evidence {
	dirs, files := listedDirs(ix)
	if len(files) == 0 {
		return nil
	}
	byName := map[string][]*evidence.Evidence{}
	for _, f := range ix.of(evidence.KindFile) {
		if isDiskPath(f.Attrs[evidence.AttrPath]) {
			n := winBase(f.Attrs[evidence.AttrPath])
			byName[n] = append(byName[n], f)
		}
	}
	notFound := notFoundEvents(ix)
	var out []*evidence.Evidence
	seen := map[string]bool{}
	proofCited := map[*evidence.Evidence]bool{}
	for _, k := range []evidence.Kind{evidence.KindVMDisk, evidence.KindVM} {
		for _, e := range ix.of(k) {
			for _, p := range diskPathsOf(e) {
				key := strings.ToLower(strings.ReplaceAll(p, `\`, "/"))
				others := byName[winBase(p)]
				if len(others) == 0 || seen[key] || files[key] {
					continue
				}
				// Absence is proven by a listing of the folder, by the SDP
				// "file does not exist" mark, or by Hyper-V failing to find
				// this very path.
				var proof *evidence.Evidence
				for _, ev := range notFound {
					text := strings.ToLower(ev.Attrs[evidence.AttrText])
					// "Path not found" proves the whole folder gone, so it
					// covers the VM's other disks in that folder too.
					folder := strings.ToLower(p[:max(strings.LastIndexByte(p, '\\'), 0)])
					if strings.Contains(text, strings.ToLower(p)) ||
						(folder != "" && strings.Contains(ev.Attrs[evidence.AttrHResults], "0x80070003") && strings.Contains(text, folder+`\`)) {
						proof = ev
						break
					}
				}
				absent := dirs[winDir(p)] || (k == evidence.KindVMDisk && e.Attrs["missing"] == "true") || proof != nil
				if !absent {
					continue
				}
				seen[key] = true
				found := *e
				found.Attrs = maps.Clone(e.Attrs)
				found.Attrs[evidence.AttrPath] = p
				found.Attrs["found_path"] = others[0].Attrs[evidence.AttrPath]
				out = append(out, &found, others[0])
				if proof != nil && !proofCited[proof] {
					proofCited[proof] = true
					out = append(out, proof)
				}
			}
		}
	}
	return out
}

// notFoundEvents are VMMS and worker events quoting "file not found" or
// "path not found" (0x80070002, 0x80070003), and the cmdlet or dialog
// errors that do (Start-VM's "Failed to open attachment '…'": the same
// failure, printed instead of logged).
func notFoundEvents(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindCmdError) {
		if h := e.Attrs[evidence.AttrHResults]; strings.Contains(h, "0x80070002") || strings.Contains(h, "0x80070003") {
			out = append(out, e)
		}
	}
	for _, e := range ix.of(evidence.KindEvent) {
		p := e.Attrs[evidence.AttrProvider]
		if !strings.EqualFold(p, providerVMMS) && !strings.EqualFold(p, providerWorker) {
			continue
		}
		if h := e.Attrs[evidence.AttrHResults]; strings.Contains(h, "0x80070002") || strings.Contains(h, "0x80070003") {
			out = append(out, e)
		}
	}
	return out
}

// savedLongAgo is how long a VM may sit in Saved state before it counts as
// stuck rather than parked for a host restart.
const savedLongAgo = 7 * 24 * time.Hour

// savedStateKeptLong finds VMs in Saved state whose saved-state file
// (<VM ID>.vmrs, or the 5.0 <VM ID>.vsv) was last written more than a week
// before the newest time in the bundle: the VM has been saved since then.
// It cites the VM and the file's listing line.
func savedStateKeptLong(ix *index) []*evidence.Evidence {
	latest := ix.latest()
	stateFile := map[string]*evidence.Evidence{}
	for _, f := range ix.of(evidence.KindFile) {
		name := strings.ToLower(f.Attrs[evidence.AttrName])
		for _, ext := range []string{".vmrs", ".vsv"} {
			if strings.HasSuffix(name, ext) && !f.Time.IsZero() {
				stateFile[strings.TrimSuffix(name, ext)] = f
			}
		}
	}
	var out []*evidence.Evidence
	for _, vm := range ix.of(evidence.KindVM) {
		if !strings.EqualFold(vm.Attrs[evidence.AttrState], "Saved") {
			continue
		}
		id := strings.ToLower(strings.Trim(vm.Attrs[evidence.AttrVMID], "{}"))
		if f := stateFile[id]; id != "" && f != nil && latest.Sub(f.Time) > savedLongAgo {
			out = append(out, vm, f)
		}
	}
	return out
}

// version5OnNewerHost finds VMs still at configuration version 5.0 (the
// Windows Server 2012 R2 format) on a host that runs them but offers more:
// Windows Server 2016 or 2019, known from the host's newest boot event, or,
// without one, from another VM of the inventory at 6.2 or later (which only
// a 2016+ host runs). Such a VM starts, but cannot take production
// checkpoints (6.2+) nor be backed up through change tracking, so backups
// fall back. A host whose build does not run 5.0 at all is the stronger
// version-outside-host-range signal, not this one. It cites the VM's
// inventory line and what tells the host's release.
func version5OnNewerHost(ix *index) []*evidence.Evidence {
	five := configVersion{5, 0}
	var old, newer []*evidence.Evidence
	for _, vm := range ix.of(evidence.KindVM) {
		v, ok := parseConfigVersion(vm.Attrs["version"])
		switch {
		case !ok:
		case v == five:
			old = append(old, vm)
		case !v.less(configVersion{6, 2}):
			newer = append(newer, vm)
		}
	}
	if len(old) == 0 {
		return nil
	}
	var witness []*evidence.Evidence
	for _, boot := range currentHostBuilds(ix) {
		v, _ := bootVersion(boot)
		hs, known := supportByBuild[v.build]
		switch {
		case !known:
		case !hs.supports(five):
			return nil // the VM cannot run here: the other signal says so
		case v.build >= 14393:
			witness = append(witness, boot)
		}
	}
	slices.SortFunc(witness, chronological)
	if len(witness) == 0 && len(newer) > 0 {
		witness = newer[:1]
	}
	if len(witness) == 0 {
		return nil
	}
	return append(old, witness...)
}
