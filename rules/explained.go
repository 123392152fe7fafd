package rules

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// explainedWeight is how much a finding loses when a more specific cause
// found for the same VM in the same hours explains it (a failed merge that
// left a checkpoint behind because a backup agent held the file: the lock
// is the cause, the leftover is its consequence).
const explainedWeight = 0.5

// explainedWindow is how close the two findings' evidence must be in time.
const explainedWindow = 6 * time.Hour

// explain lowers each finding whose cause names, in ExplainedBy, another
// finding about the same VM in the same hours. The explaining finding's
// evidence is cited against it. A finding left below ReportThreshold is
// ruled out with the explanation as the reason.
func explain(findings []Finding) (kept []Finding, ruledOut []RuledOut) {
	byCause := map[string]*Finding{}
	for i := range findings {
		byCause[findings[i].Cause.ID] = &findings[i]
	}
	for i := range findings {
		f := &findings[i]
		for _, id := range f.Cause.ExplainedBy {
			g := byCause[id]
			if g == nil || g.Confidence < f.Confidence*explainedWeight {
				continue
			}
			vm, at := sharedIncident(f, g)
			host := false
			if vm == "" {
				// The same record cited by both (the sharing violation an
				// antivirus filter explains) is the same incident.
				vm, at, host = sharedRecord(f, g)
			}
			if vm == "" {
				// A damaged volume explains the errors on the VM files it
				// holds.
				vm, at, host = sharedVolume(f, g)
			}
			if vm == "" {
				// Causes of the whole host (VSS builds one shadow copy set
				// at a time for all of it): with no VM named on either side,
				// the same hours are the same incident, and the explaining
				// finding must be at least as sure.
				if at, host = hostIncident(f, g); !host || g.Confidence < f.Confidence {
					continue
				}
				vm = hostIncidentName
			}
			f.Confidence = math.Round(f.Confidence*(1-explainedWeight)*100) / 100
			f.Severity = severityFor(f.Cause.Severity, f.Confidence)
			says := fmt.Sprintf("explained by %s: %s, found for %s at the same time", g.Cause.ID, g.Cause.Title, vm)
			for _, c := range g.Evidence {
				if (host || strings.EqualFold(c.VM(), vm)) && near(c.Time, at) {
					f.Against = append(f.Against, Cited{Evidence: c.Evidence, Signal: "explained-by-" + g.Cause.ID, Says: says})
				}
			}
			if f.Confidence < ReportThreshold {
				ruledOut = append(ruledOut, RuledOut{Cause: f.Cause.ID, Why: says + "; its own evidence is the consequence"})
			}
			break
		}
	}
	for _, f := range findings {
		if f.Confidence >= ReportThreshold {
			kept = append(kept, f)
		}
	}
	return kept, ruledOut
}

// hostIncidentName stands for the VM in what an explanation says when the
// shared incident is the host's.
const hostIncidentName = "the host"

// hostIncident reports whether the explained finding f cites no evidence
// about a VM (by name or by a VM file's path) and some evidence of each is
// within explainedWindow of the other's; it returns the explaining
// evidence's time. The explaining finding may name a VM: a host-wide
// failure (the Hyper-V VSS writer failing a snapshot) is the consequence
// of what went wrong for one VM at the same time (its checkpoint could
// not be made).
func hostIncident(f, g *Finding) (time.Time, bool) {
	for _, c := range f.Evidence {
		if c.VM() != "" || c.Attrs[evidence.AttrPath] != "" {
			return time.Time{}, false
		}
	}
	for _, a := range f.Evidence {
		for _, b := range g.Evidence {
			if near(a.Time, b.Time) {
				return b.Time, true
			}
		}
	}
	return time.Time{}, false
}

// sharedRecord reports an evidence item both findings cite: the VM it
// names (hostIncidentName when it names none), its time, and whether the
// explaining finding's evidence is to be cited regardless of VM.
func sharedRecord(f, g *Finding) (string, time.Time, bool) {
	for _, a := range f.Evidence {
		for _, b := range g.Evidence {
			if a.Source == b.Source && a.At == b.At {
				if vm := b.VM(); vm != "" {
					return vm, b.Time, false
				}
				return hostIncidentName, b.Time, true
			}
		}
	}
	return "", time.Time{}, false
}

// sharedVolume reports a volume the explaining finding's evidence is
// about (its drive letter) that holds a file the explained finding's
// evidence names, within explainedWindow: "volume D:", the explaining
// evidence's time, and true (the volume's evidence names no VM, and is
// cited whatever VM the file belongs to).
func sharedVolume(f, g *Finding) (string, time.Time, bool) {
	for _, a := range f.Evidence {
		d := driveLetterOf(&a.Evidence)
		if d == "" {
			continue
		}
		for _, b := range g.Evidence {
			if strings.EqualFold(driveLetterOf(&b.Evidence), d) && near(a.Time, b.Time) {
				return "volume " + strings.ToUpper(d) + ":", b.Time, true
			}
		}
	}
	return "", time.Time{}, false
}

// driveLetterOf is the drive an item is about: its volume's letter, or
// the drive of the file it names ("" for neither).
func driveLetterOf(e *evidence.Evidence) string {
	if d := e.Attrs[evidence.AttrDriveLetter]; d != "" {
		return d
	}
	if p := e.Attrs[evidence.AttrPath]; len(p) >= 3 && p[1] == ':' && p[2] == '\\' {
		return p[:1]
	}
	return ""
}

// sharedIncident returns a VM both findings cite evidence about, within
// explainedWindow of each other (evidence without a time matches any), and
// the time of the explaining evidence.
func sharedIncident(f, g *Finding) (string, time.Time) {
	for _, a := range f.Evidence {
		for _, b := range g.Evidence {
			if a.VM() != "" && strings.EqualFold(a.VM(), b.VM()) && near(a.Time, b.Time) {
				return b.VM(), b.Time
			}
		}
	}
	// Evidence without a VM (a listing line) belongs to the VM whose
	// files it names: match the explaining finding's VMs by path.
	for _, a := range f.Evidence {
		p := strings.ToLower(a.Attrs[evidence.AttrPath])
		if a.VM() != "" || p == "" {
			continue
		}
		for _, b := range g.Evidence {
			vm := strings.ToLower(b.VM())
			if vm == "" || !near(a.Time, b.Time) {
				continue
			}
			dir := strings.ToLower(winDirOf(b.Attrs[evidence.AttrPath]))
			if (dir != "" && strings.HasPrefix(p, dir)) || diskStem(p) == vm || strings.Contains(p, `\`+vm+`\`) {
				return b.VM(), b.Time
			}
		}
	}
	return "", time.Time{}
}

func winDirOf(p string) string {
	if i := strings.LastIndexByte(p, '\\'); i > 0 {
		return p[:i+1]
	}
	return ""
}

func near(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return true
	}
	d := a.Sub(b)
	return d < explainedWindow && d > -explainedWindow
}
