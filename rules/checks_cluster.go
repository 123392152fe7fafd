package rules

import (
	"regexp"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// clusterChecks are the checks of catalog/cluster.json.
var clusterChecks = map[string]check{
	"cluster.unexpected-restart-with-role-failures": restartWithRoleFailures(true),
	"cluster.planned-restart-with-role-failures":    restartWithRoleFailures(false),
	"cluster.restart-after-drain":                   restartAfterDrain,
	"cluster.role-failures-explained-by-restart":    roleFailuresExplainedByRestart,
	"cluster.csv-all-direct":                        csvAllDirect,
	"cluster.vm-record-mismatch":                    vmRecordMismatch,
	"cluster.role-failures-of-mismatched-vm":        roleFailuresOfMismatchedVM,
}

// clusterCheckEvents are the event providers the cluster checks read (see checkEvents).
var clusterCheckEvents = map[string][]string{
	"cluster.unexpected-restart-with-role-failures": append(roleFailureEvents, providerEventLog, providerKernelPower),
	"cluster.planned-restart-with-role-failures":    append(roleFailureEvents, providerUser32),
	"cluster.role-failures-explained-by-restart":    append(roleFailureEvents, providerEventLog, providerKernelPower, providerUser32),
	// A drain is told by the cluster's own events and by Cluster-Aware
	// Updating's restart request; the record mismatch reads the VM
	// resource failures (1069) and the high-availability 21502s.
	"cluster.restart-after-drain":            {providerClustering, providerUser32, providerEventLog, providerKernelPower},
	"cluster.vm-record-mismatch":             {providerClustering, providerHighAvailability},
	"cluster.role-failures-of-mismatched-vm": {providerClustering, providerHighAvailability},
}

// roleFailureEvents are the events isRoleFailure reads (roleFailureIDs).
var roleFailureEvents = []string{
	providerClustering + ":1069", providerClustering + ":1205", providerClustering + ":1254", providerClustering + ":1146",
}

// roleFailuresExplainedByRestart fires when role failures sit in the window
// of a node restart, planned or not: then the restart, not a cluster
// record out of step, is the first explanation of those failures. It
// cites what the two restart checks cite.
func roleFailuresExplainedByRestart(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, unexpected := range []bool{true, false} {
		for _, r := range restartsWithRoleFailures(ix, unexpected) {
			out = append(out, r.restart)
			out = append(out, r.failures...)
		}
	}
	return out
}

// drainText recognises a FailoverClustering event about draining a node
// (as rendered exports print it); failedDrain one saying the drain did
// not complete (1677 "node drain failed", 1137 "move ... for drain could
// not be completed"), which is no drain at all.
var (
	drainText  = regexp.MustCompile(`(?i)\bdrain`)
	failedText = regexp.MustCompile(`(?i)fail|could not|not be completed|error`)
)

// drainWindow is how long before a restart a drain of the same node
// still counts as its preparation.
const drainWindow = 3 * time.Hour

// drainsBefore lists the signs that the restarted node was drained or
// handed to planned maintenance before the restart r: a FailoverClustering
// event about a completed or started node drain of that node, or a
// restart asked for by Cluster-Aware Updating, which pauses and drains
// each node before it restarts it. A drain that failed does not count.
func drainsBefore(ix *index, r *evidence.Evidence) []*evidence.Evidence {
	node := strings.ToLower(r.Attrs[evidence.AttrComputer])
	short, _, _ := strings.Cut(node, ".")
	if isPlannedRestart(r) && strings.Contains(strings.ToLower(r.Attrs[evidence.AttrText]), "clusterawareupdating") {
		return []*evidence.Evidence{r}
	}
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindEvent) {
		if !strings.EqualFold(e.Attrs[evidence.AttrProvider], providerClustering) || e.Time.IsZero() ||
			e.Time.After(r.Time) || e.Time.Before(r.Time.Add(-drainWindow)) {
			continue
		}
		text := e.Attrs[evidence.AttrText]
		if !drainText.MatchString(text) || failedText.MatchString(text) || e.Attrs[evidence.AttrEventID] == "1677" || e.Attrs[evidence.AttrEventID] == "1137" {
			continue
		}
		sameNode := strings.EqualFold(e.Attrs[evidence.AttrComputer], node) || (short != "" && strings.Contains(strings.ToLower(text), short))
		if sameNode {
			out = append(out, e)
		}
	}
	return out
}

// restartAfterDrain fires for a node restart with role failures around it
// whose node was drained first (see drainsBefore): that restart does not
// count as one without drain. It cites the drain signs and the restart.
func restartAfterDrain(ix *index) []*evidence.Evidence {
	var out []*evidence.Evidence
	for _, unexpected := range []bool{true, false} {
		for _, r := range restartsWithRoleFailures(ix, unexpected) {
			if len(r.drains) > 0 {
				out = append(out, r.drains...)
				if r.drains[0] != r.restart {
					out = append(out, r.restart)
				}
			}
		}
	}
	return out
}

const (
	providerUser32      = "User32"
	providerKernelPower = "Microsoft-Windows-Kernel-Power"
	providerClustering  = "Microsoft-Windows-FailoverClustering"
)

// roleFailureIDs are the FailoverClustering events that say a clustered
// role or resource failed: resource failed (1069), role not brought fully
// online or offline (1205), failover threshold exceeded (1254), resource
// host crashed (1146).
var roleFailureIDs = map[string]bool{"1069": true, "1205": true, "1254": true, "1146": true}

func isRoleFailure(e *evidence.Evidence) bool {
	return strings.EqualFold(e.Attrs[evidence.AttrProvider], providerClustering) && roleFailureIDs[e.Attrs[evidence.AttrEventID]]
}

// isUnexpectedRestart: EventLog 6008 (logged at the next boot: the previous
// shutdown was unexpected) or Kernel-Power 41 (rebooted without a clean
// shutdown). isPlannedRestart: User32 1074 (a process or person asked for a
// restart or shutdown).
func isUnexpectedRestart(e *evidence.Evidence) bool {
	id, p := e.Attrs[evidence.AttrEventID], e.Attrs[evidence.AttrProvider]
	return (strings.EqualFold(p, providerEventLog) && id == "6008") || (strings.EqualFold(p, providerKernelPower) && id == "41")
}

func isPlannedRestart(e *evidence.Evidence) bool {
	return strings.EqualFold(e.Attrs[evidence.AttrProvider], providerUser32) && e.Attrs[evidence.AttrEventID] == "1074"
}

// restartWithRoleFailures returns a check for a node restart followed by
// clustered role failures. A node paused and drained first (or shut down
// with the cluster's drain-on-shutdown) hands its roles over before it
// goes, so nothing fails; roles failing around the restart mean they were
// still online on the node. A restart whose node was drained first (see
// drainsBefore) does not count; restartAfterDrain cites it against.
// It cites the restart event and the failures in its window.
func restartWithRoleFailures(unexpected bool) check {
	return func(ix *index) []*evidence.Evidence {
		var out []*evidence.Evidence
		cited := map[*evidence.Evidence]bool{}
		for _, r := range restartsWithRoleFailures(ix, unexpected) {
			if len(r.drains) > 0 {
				continue
			}
			out = append(out, r.restart)
			for _, f := range r.failures {
				if !cited[f] {
					cited[f] = true
					out = append(out, f)
				}
			}
		}
		return out
	}
}

// restartFailures is one node restart, the role failures in its window,
// and the signs that its node was drained first.
type restartFailures struct {
	restart  *evidence.Evidence
	failures []*evidence.Evidence
	drains   []*evidence.Evidence
}

// restartsWithRoleFailures lists the restarts of one sort that have role
// failures in their window.
//
// Windows: a 1074 is written when the restart is asked for, so failures
// count in the hour after it. A 6008 or Kernel-Power 41 is written at the
// next boot, after the crash itself, so failures count from two hours
// before it (the crash and the failover) to an hour after (roles that do
// not come back). Failures on any node of the bundle count: the roles fail
// over to, and are logged by, the surviving nodes.
func restartsWithRoleFailures(ix *index, unexpected bool) []restartFailures {
	events := ix.of(evidence.KindEvent)
	var failures []*evidence.Evidence
	for _, e := range events {
		if isRoleFailure(e) && !e.Time.IsZero() {
			failures = append(failures, e)
		}
	}
	if len(failures) == 0 {
		return nil
	}
	var out []restartFailures
	for _, r := range events {
		var from, to time.Time
		switch {
		case r.Time.IsZero():
			continue
		case unexpected && isUnexpectedRestart(r):
			from, to = r.Time.Add(-2*time.Hour), r.Time.Add(time.Hour)
		case !unexpected && isPlannedRestart(r):
			from, to = r.Time, r.Time.Add(time.Hour)
		default:
			continue
		}
		var inWindow []*evidence.Evidence
		for _, f := range failures {
			if !f.Time.Before(from) && !f.Time.After(to) {
				inWindow = append(inWindow, f)
			}
		}
		if len(inWindow) > 0 {
			out = append(out, restartFailures{restart: r, failures: inWindow, drains: drainsBefore(ix, r)})
		}
	}
	return out
}

// csvAllDirect fires when Get-ClusterSharedVolumeState lists at least one
// volume and every row is in Direct access: whatever redirection the logs
// show has ended. It cites the rows.
func csvAllDirect(ix *index) []*evidence.Evidence {
	rows := ix.of(evidence.KindCSVState)
	for _, r := range rows {
		if !strings.EqualFold(r.Attrs["state_info"], "Direct") {
			return nil
		}
	}
	return rows
}

const providerHighAvailability = "Microsoft-Windows-Hyper-V-High-Availability"

// notFoundReason recognises a failure because something the cluster's
// record points to is not there; configReason one that blames the VM's
// configuration. The second is read only in the reason itself (ErrorString
// of 1069, the message of 21502), never in a resource name such as
// "Virtual Machine Configuration SQL07".
var (
	notFoundReason = regexp.MustCompile(`(?i)not found|cannot find|could not find|can't find|does not exist|no longer exists|0x80070002|0x80070003|0x8007048f`)
	configReason   = regexp.MustCompile(`(?i)configuration`)
)

// roleOf is the clustered role (for a VM role, the VM's name) an event is
// about.
func roleOf(e *evidence.Evidence) string {
	if g := e.Attrs["data.ResourceGroup"]; g != "" {
		return strings.ToLower(g)
	}
	// An event pasted as text has only its message.
	if m := clusteredRoleText.FindStringSubmatch(e.Attrs[evidence.AttrText]); m != nil {
		return strings.ToLower(m[1])
	}
	return strings.ToLower(e.VM())
}

var (
	// clusteredRoleText is the role a cluster message names (1069, 1205,
	// 1254 in English).
	clusteredRoleText = regexp.MustCompile(`(?i)clustered role '([^']+)'`)
	// resourceFailedText is 1069's message: resource, type, and the error
	// code and its text.
	resourceFailedText = regexp.MustCompile(`(?i)Cluster resource '([^']+)' of type '([^']+)' in clustered role '[^']+' failed\.(?:\s*The error code was '([^']*)' \('([^']*)'\))?`)
)

// resourceFailure reads a 1069's resource name and type, and its error
// code and text: from the event's data, or from its message when it was
// pasted as text.
func resourceFailure(e *evidence.Evidence) (name, typ, code, errText string) {
	name, typ = e.Attrs["data.ResourceName"], e.Attrs["data.ResourceType"]
	code, errText = e.Attrs["data.ErrorCode"], e.Attrs["data.ErrorString"]
	if name == "" && typ == "" {
		if m := resourceFailedText.FindStringSubmatch(e.Attrs[evidence.AttrText]); m != nil {
			name, typ, code, errText = m[1], m[2], m[3], m[4]
		}
	}
	return name, typ, code, errText
}

// vmRecordMismatch fires for signs that the cluster's record of a VM and
// the VM itself disagree: a VM resource (Virtual Machine or Virtual Machine
// Configuration) failing because its configuration is not found or is
// blamed, a 21502 from Hyper-V high availability saying the same, or a VM
// resource failing for a VM that no Get-VM listing of the bundle shows
// (created or removed outside Failover Cluster Manager). A VM resource
// failing for any other reason is not such a sign. It cites the events.
func vmRecordMismatch(ix *index) []*evidence.Evidence {
	listed := map[string]bool{}
	vms := ix.of(evidence.KindVM)
	for _, v := range vms {
		listed[strings.ToLower(v.Attrs[evidence.AttrName])] = true
	}
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindEvent) {
		p, id := e.Attrs[evidence.AttrProvider], e.Attrs[evidence.AttrEventID]
		switch {
		case strings.EqualFold(p, providerClustering) && id == "1069":
			name, typ, code, errText := resourceFailure(e)
			if !strings.Contains(strings.ToLower(typ+" "+name), "virtual machine") {
				continue
			}
			reason := errText + " " + code
			missing := len(vms) > 0 && roleOf(e) != "" && !listed[roleOf(e)]
			if notFoundReason.MatchString(reason) || configReason.MatchString(errText) || missing {
				out = append(out, e)
			}
		case strings.EqualFold(p, providerHighAvailability) && id == "21502":
			if t := e.Attrs[evidence.AttrText]; notFoundReason.MatchString(t) || configReason.MatchString(t) {
				out = append(out, e)
			}
		}
	}
	return out
}

// roleFailuresOfMismatchedVM fires for the role failures (1069, 1205,
// 1254, 1146) of the roles vmRecordMismatch found; failures of other roles
// do not count, and neither do the mismatch events themselves. It cites
// the failures.
func roleFailuresOfMismatchedVM(ix *index) []*evidence.Evidence {
	mismatch := vmRecordMismatch(ix)
	roles, seen := map[string]bool{}, map[*evidence.Evidence]bool{}
	for _, e := range mismatch {
		seen[e] = true
		if r := roleOf(e); r != "" {
			roles[r] = true
		}
	}
	var out []*evidence.Evidence
	for _, e := range ix.of(evidence.KindEvent) {
		if isRoleFailure(e) && !seen[e] && roles[roleOf(e)] {
			out = append(out, e)
		}
	}
	return out
}
