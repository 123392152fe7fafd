package rules

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// backupChecks are the checks of catalog/backup.json.
var backupChecks = map[string]check{
	"backup.several-vss-providers":        backupSeveralProviders,
	"backup.several-cbt-filters":          backupSeveralCBTFilters,
	"backup.shadows-from-two-providers":   backupShadowsOverlap,
	"backup.stale-recovery-checkpoint":    backupStaleRecoveryCheckpoint,
	"backup.orphan-change-tracking":       backupOrphanChangeTracking,
	"backup.user-checkpoint-same-vm":      backupUserCheckpointSameVM,
	"backup.user-checkpoint-host-failure": backupUserCheckpointHostFailure,
	"backup.guest-vss-all-ok":             guestVSSAllOK,
	"backup.production-refused-no-writer": productionRefusedNoWriter,
}

// backupCheckEvents are the event providers the backup checks read (see checkEvents).
var backupCheckEvents = map[string][]string{
	"backup.user-checkpoint-same-vm":      backupFailureProviders,
	"backup.user-checkpoint-host-failure": backupFailureProviders,
}

// backupFailureProviders are the providers backupFailureEvents reads.
var backupFailureProviders = append([]string{providerVMMS, providerWorker, "Microsoft-Windows-Backup", providerVSS}, defaultProducts.BackupEventSourceNames()...)

const (
	// backupOverlapWindow is how close two shadow copies from different
	// providers must be to count as two products snapshotting at once; a
	// host-level backup of a few VMs takes minutes, not hours.
	backupOverlapWindow = 30 * time.Minute
	// backupRecoveryStaleAfter is the age after which a Recovery checkpoint
	// is a leftover rather than the backup running while data was collected.
	backupRecoveryStaleAfter = 24 * time.Hour
)

// backupSeveralProviders fires when one providers listing names two or more
// third-party VSS providers: two backup or storage products that can each
// start snapshots on the same volumes. One third-party provider is normal.
func backupSeveralProviders(ix *index) []*evidence.Evidence {
	bySource := map[string][]*evidence.Evidence{}
	var order []string
	for _, p := range ix.of(evidence.KindVSSProvider) {
		if p.Attrs["third_party"] != "true" {
			continue
		}
		if _, ok := bySource[p.Source]; !ok {
			order = append(order, p.Source)
		}
		bySource[p.Source] = append(bySource[p.Source], p)
	}
	var out []*evidence.Evidence
	for _, src := range order {
		if ps := bySource[src]; len(distinctBy(ps, evidence.AttrName)) >= 2 {
			out = append(out, ps...)
		}
	}
	return out
}

// backupSeveralCBTFilters fires when change-tracking filters of two or more
// backup products are loaded: each product tracks and snapshots the same
// disks on its own schedule.
func backupSeveralCBTFilters(ix *index) []*evidence.Evidence {
	var cbt []*evidence.Evidence
	for _, f := range ix.of(evidence.KindFilter) {
		if f.Attrs["category"] == CategoryBackupCBT {
			cbt = append(cbt, f)
		}
	}
	if len(distinctBy(cbt, "product")) < 2 {
		return nil
	}
	return cbt
}

// backupShadowsOverlap fires when two shadow copies made by different
// providers were created within backupOverlapWindow of each other: two
// snapshot sets in flight at once, which VSS serializes or refuses. Both
// shadows are cited.
func backupShadowsOverlap(ix *index) []*evidence.Evidence {
	var timed []*evidence.Evidence
	for _, s := range ix.of(evidence.KindVSSShadow) {
		if !s.Time.IsZero() && s.Attrs["provider"] != "" {
			timed = append(timed, s)
		}
	}
	hit := map[*evidence.Evidence]bool{}
	for i, a := range timed {
		for _, b := range timed[i+1:] {
			if b.Time.Sub(a.Time) > backupOverlapWindow {
				break // the index keeps evidence in time order
			}
			if !strings.EqualFold(a.Attrs["provider"], b.Attrs["provider"]) {
				hit[a], hit[b] = true, true
			}
		}
	}
	return keepOrder(timed, hit)
}

// backupStaleRecoveryCheckpoint fires for Recovery checkpoints (made by
// backup software) older than backupRecoveryStaleAfter when the bundle was
// collected: the product that made them did not remove them. A Recovery
// checkpoint without a readable creation time is not judged.
func backupStaleRecoveryCheckpoint(ix *index) []*evidence.Evidence {
	latest := ix.latest()
	var out []*evidence.Evidence
	for _, s := range ix.of(evidence.KindSnapshot) {
		if strings.EqualFold(s.Attrs["snapshot_type"], "Recovery") && !s.Time.IsZero() && latest.Sub(s.Time) >= backupRecoveryStaleAfter {
			out = append(out, s)
		}
	}
	return out
}

// backupOrphanChangeTracking fires for resilient change tracking files
// (.rct/.mrt) in a listing whose disk is not in the same folder: a backup
// product enabled change tracking on a disk that has since been merged,
// moved or deleted, and its tracking was never cleaned up.
func backupOrphanChangeTracking(ix *index) []*evidence.Evidence {
	present := map[string]bool{}
	for _, f := range ix.of(evidence.KindFile) {
		present[strings.ToLower(f.Attrs[evidence.AttrPath])] = true
	}
	var out []*evidence.Evidence
	for _, f := range ix.of(evidence.KindFile) {
		ext := f.Attrs["ext"]
		if ext != ".rct" && ext != ".mrt" {
			continue
		}
		p := f.Attrs[evidence.AttrPath]
		if len(p) <= len(ext) || f.Attrs["is_dir"] == "true" {
			continue
		}
		if !present[strings.ToLower(p[:len(p)-len(ext)])] {
			out = append(out, f)
		}
	}
	return out
}

// backupErrorText recognizes a Hyper-V event about a backup: backup
// checkpoints, recovery checkpoints, VSS, and the writer and overlap codes.
var backupErrorText = regexp.MustCompile(`(?i)backup|recovery checkpoint|shadow cop|\bVSS\b|saveset contains VM with checkpoint`)

var backupErrorCodes = regexp.MustCompile(`0x800423f[0-5b]|0x80042316|0x80042306|0x8004230f`)

// backupFailureEvents are error events that say a backup of a VM failed:
// Hyper-V events about backup checkpoints or VSS, Windows Server Backup
// errors, backup products' own errors (events and their logs), and VSS
// writer vetoes on the host.
func backupFailureEvents(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindEvent) {
		level := e.Attrs[evidence.AttrLevel]
		if level != "1" && level != "2" && !(level == "3" && e.Attrs[evidence.AttrEventID] == "8229") {
			continue
		}
		p := e.Attrs[evidence.AttrProvider]
		switch {
		case isHyperVProvider(p) && (backupErrorText.MatchString(e.Attrs[evidence.AttrText]) || backupErrorCodes.MatchString(e.Attrs[evidence.AttrHResults])):
		case strings.EqualFold(p, "Microsoft-Windows-Backup"):
		case defaultProducts.IsBackupEventSource(p): // a backup product's own source (products/products.json)
		case strings.EqualFold(p, "VSS") && (e.Attrs[evidence.AttrEventID] == "8229" || e.Attrs[evidence.AttrEventID] == "12293"):
		default:
			continue
		}
		out = append(out, e)
	}
	// Backup products' own logs: their errors are backup failures too.
	for _, e := range ix.of(evidence.KindCmdError) {
		if e.Attrs["product"] != "" && e.Attrs["level"] == "error" {
			out = append(out, e)
		}
	}
	return out
}

func backupIsUserCheckpoint(s *evidence.Evidence) bool {
	t := s.Attrs["snapshot_type"]
	return strings.EqualFold(t, "Standard") || strings.EqualFold(t, "Planned")
}

// userCheckpointBefore reports whether checkpoint s existed when event e
// was logged. A checkpoint or event without a time cannot be ordered and
// counts as existing: the checkpoint is still there at collection time.
func userCheckpointBefore(s, e *evidence.Evidence) bool {
	return s.Time.IsZero() || e.Time.IsZero() || !s.Time.After(e.Time)
}

// backupUserCheckpointSameVM fires when a VM with user (Standard or
// Planned) checkpoints had a backup failure logged against it after the
// checkpoint was taken: backup products that rely on resilient change
// tracking refuse, or mishandle, VMs that carry user checkpoints. It cites
// the checkpoints and the failures of the same VM.
func backupUserCheckpointSameVM(ix *index) []*evidence.Evidence {
	failures := backupFailureEvents(ix)
	hit := map[*evidence.Evidence]bool{}
	for _, s := range ix.of(evidence.KindSnapshot) {
		vm := s.VM()
		if !backupIsUserCheckpoint(s) || vm == "" {
			continue
		}
		for _, e := range failures {
			if (strings.EqualFold(e.VM(), vm) || (e.VM() == "" && mentionsVM(e, vm))) && userCheckpointBefore(s, e) {
				hit[s], hit[e] = true, true
			}
		}
	}
	return slices.Concat(keepOrder(ix.of(evidence.KindSnapshot), hit), keepOrder(failures, hit))
}

// mentionsVM reports whether an event's text names the VM as a word: backup
// products write the VM name into their messages rather than into fields.
func mentionsVM(e *evidence.Evidence, vm string) bool {
	text := strings.ToLower(e.Attrs[evidence.AttrText])
	name := strings.ToLower(vm)
	for i := strings.Index(text, name); i >= 0; {
		end := i + len(name)
		before := i == 0 || !isWordByte(text[i-1])
		after := end == len(text) || !isWordByte(text[end])
		if before && after {
			return true
		}
		next := strings.Index(text[i+1:], name)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z'
}

// backupUserCheckpointHostFailure is the weaker form: user checkpoints
// exist and a backup failure was logged after them, but the failure names
// no VM (a host writer veto, a Windows Server Backup error), so it cannot
// be tied to the checkpointed VM. A failure that names another VM does not
// count.
func backupUserCheckpointHostFailure(ix *index) []*evidence.Evidence {
	failures := backupFailureEvents(ix)
	hit := map[*evidence.Evidence]bool{}
	for _, s := range ix.of(evidence.KindSnapshot) {
		if !backupIsUserCheckpoint(s) {
			continue
		}
		for _, e := range failures {
			if e.VM() == "" && !mentionsAnotherVM(ix, e, s.VM()) && userCheckpointBefore(s, e) {
				hit[s], hit[e] = true, true
			}
		}
	}
	return slices.Concat(keepOrder(ix.of(evidence.KindSnapshot), hit), keepOrder(failures, hit))
}

// mentionsAnotherVM reports whether the event names a known VM other than
// vm: such a failure belongs to that VM, not to the checkpointed one.
func mentionsAnotherVM(ix *index, e *evidence.Evidence, vm string) bool {
	for _, v := range ix.of(evidence.KindVM) {
		if other := v.VM(); other != "" && !strings.EqualFold(other, vm) && mentionsVM(e, other) {
			return true
		}
	}
	for _, s := range ix.of(evidence.KindSnapshot) {
		if other := s.VM(); other != "" && !strings.EqualFold(other, vm) && mentionsVM(e, other) {
			return true
		}
	}
	return false
}

// distinctBy returns the distinct non-empty values (case-insensitive) of an
// attribute over a list.
func distinctBy(list []*evidence.Evidence, attr string) []string {
	var vals []string
	for _, e := range list {
		v := strings.ToLower(e.Attrs[attr])
		if v != "" && !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	return vals
}

// keepOrder returns the items of list that are in set, in list order.
func keepOrder(list []*evidence.Evidence, set map[*evidence.Evidence]bool) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, e := range list {
		if set[e] {
			out = append(out, e)
		}
	}
	return out
}

// guestVSSAllOK fires when the bundle lists the Backup (volume shadow copy)
// integration service of at least one VM and every one of them is enabled
// and reports OK: the guests can take part in production checkpoints. It
// cites those rows.
func guestVSSAllOK(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, s := range ix.of(evidence.KindIntegration) {
		if s.Attrs["service"] != "vss" {
			continue
		}
		if s.Attrs["enabled"] != "true" || s.Attrs["status_ok"] != "true" {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// productionRefusedText is Hyper-V's sentence for a production checkpoint
// the guest did not take part in.
var (
	productionRefusedText = regexp.MustCompile(`(?i)production checkpoints? cannot be created|could not create (a )?production checkpoint|failed to create production checkpoint`)
	writerErrorCode       = regexp.MustCompile(`(?i)0x800423f[0-9a-f]`)
)

// productionRefusedNoWriter finds cmdlet, dialog or product errors saying
// production checkpoints cannot be created, with no VSS writer error in
// the same record: a writer that failed inside the guest (0x800423F4…)
// means the guest did take part, and is the writer cause's.
func productionRefusedNoWriter(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindCmdError) {
		if productionRefusedText.MatchString(e.Attrs[evidence.AttrText]) && !writerErrorCode.MatchString(e.Attrs[evidence.AttrHResults]) {
			out = append(out, e)
		}
	}
	return out
}
