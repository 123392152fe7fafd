package rules

import (
	"strings"
	"time"
)

// clusterChecks are the checks of catalog/cluster.json.
var clusterChecks = map[string]check{
	"cluster.unexpected-restart-with-role-failures": restartWithRoleFailures(true),
	"cluster.planned-restart-with-role-failures":    restartWithRoleFailures(false),
	"cluster.role-failures-explained-by-restart":    roleFailuresExplainedByRestart,
	"cluster.csv-all-direct":                        csvAllDirect,
}

// clusterCheckEvents are the event providers the cluster checks read (see checkEvents).
var clusterCheckEvents = map[string][]string{
	"cluster.unexpected-restart-with-role-failures": append(roleFailureEvents, providerEventLog, providerKernelPower),
	"cluster.planned-restart-with-role-failures":    append(roleFailureEvents, providerUser32),
	"cluster.role-failures-explained-by-restart":    append(roleFailureEvents, providerEventLog, providerKernelPower, providerUser32),
}

// roleFailureEvents are the events isRoleFailure reads (roleFailureIDs).
var roleFailureEvents = []string{
	providerClustering + ":1069", providerClustering + ":1205", providerClustering + ":1254", providerClustering + ":1146",
}

// roleFailuresExplainedByRestart fires when role failures sit in the window
// of a node restart, planned or not: then the restart, not a cluster
// record out of step, is the first explanation of those failures. It
// cites what the two restart checks cite.
func roleFailuresExplainedByRestart(ix *index) []*Evidence {
	return append(restartWithRoleFailures(true)(ix), restartWithRoleFailures(false)(ix)...)
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

func isRoleFailure(e *Evidence) bool {
	return strings.EqualFold(e.Attrs[AttrProvider], providerClustering) && roleFailureIDs[e.Attrs[AttrEventID]]
}

// isUnexpectedRestart: EventLog 6008 (logged at the next boot: the previous
// shutdown was unexpected) or Kernel-Power 41 (rebooted without a clean
// shutdown). isPlannedRestart: User32 1074 (a process or person asked for a
// restart or shutdown).
func isUnexpectedRestart(e *Evidence) bool {
	id, p := e.Attrs[AttrEventID], e.Attrs[AttrProvider]
	return (strings.EqualFold(p, providerEventLog) && id == "6008") || (strings.EqualFold(p, providerKernelPower) && id == "41")
}

func isPlannedRestart(e *Evidence) bool {
	return strings.EqualFold(e.Attrs[AttrProvider], providerUser32) && e.Attrs[AttrEventID] == "1074"
}

// restartWithRoleFailures returns a check for a node restart followed by
// clustered role failures. A node paused and drained first (or shut down
// with the cluster's drain-on-shutdown) hands its roles over before it
// goes, so nothing fails; roles failing around the restart mean they were
// still online on the node.
//
// Windows: a 1074 is written when the restart is asked for, so failures
// count in the hour after it. A 6008 or Kernel-Power 41 is written at the
// next boot, after the crash itself, so failures count from two hours
// before it (the crash and the failover) to an hour after (roles that do
// not come back). Failures on any node of the bundle count: the roles fail
// over to, and are logged by, the surviving nodes. It cites the restart
// event and the failures in its window.
func restartWithRoleFailures(unexpected bool) check {
	return func(ix *index) []*Evidence {
		events := ix.of(KindEvent)
		var failures []*Evidence
		for _, e := range events {
			if isRoleFailure(e) && !e.Time.IsZero() {
				failures = append(failures, e)
			}
		}
		if len(failures) == 0 {
			return nil
		}
		var out []*Evidence
		cited := map[*Evidence]bool{}
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
			var inWindow []*Evidence
			for _, f := range failures {
				if !f.Time.Before(from) && !f.Time.After(to) {
					inWindow = append(inWindow, f)
				}
			}
			if len(inWindow) == 0 {
				continue
			}
			out = append(out, r)
			for _, f := range inWindow {
				if !cited[f] {
					cited[f] = true
					out = append(out, f)
				}
			}
		}
		return out
	}
}

// csvAllDirect fires when Get-ClusterSharedVolumeState lists at least one
// volume and every row is in Direct access: whatever redirection the logs
// show has ended. It cites the rows.
func csvAllDirect(ix *index) []*Evidence {
	rows := ix.of(KindCSVState)
	for _, r := range rows {
		if !strings.EqualFold(r.Attrs["state_info"], "Direct") {
			return nil
		}
	}
	return rows
}
