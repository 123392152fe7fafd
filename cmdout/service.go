package cmdout

import (
	"fmt"
	"regexp"
	"strings"
)

// This file reads how Windows services are set to start, as people paste
// it from inside a guest or a host: `sc qc NAME` (SERVICE_NAME and
// START_TYPE lines, or the same on one line when a chat ate the breaks)
// and Get-Service cut to Name, Status and StartType. A guest image
// "optimized" with the Volume Shadow Copy service disabled cannot take part
// in a production checkpoint or an application-consistent backup.

// KindServices is sc qc or Get-Service output.
const KindServices Kind = "services"

// Service is one service's start type (and status when printed).
type Service struct {
	Line      int
	Name      string // the service's short name (VSS, vmicvss)
	StartType string // Disabled, Manual, Automatic, …
	Status    string // Running, Stopped; "" when not printed
}

// Evidence is a service item.
func (s Service) Evidence() Fact {
	summary := fmt.Sprintf("service %s starts %s", s.Name, strings.ToLower(s.StartType))
	if s.Status != "" {
		summary += ", " + strings.ToLower(s.Status)
	}
	return Fact{Kind: "service", Line: s.Line, Summary: summary, Attrs: map[string]string{
		"name": s.Name, "start_type": s.StartType, "status": s.Status,
	}}
}

var (
	// scServiceRe and scStartRe read sc qc's lines; "START_TYPE : 4
	// DISABLED" names the type after its number.
	scServiceRe = regexp.MustCompile(`SERVICE_NAME:\s*(\S+)`)
	scStartRe   = regexp.MustCompile(`START_TYPE\s*:\s*\d+\s+([A-Z_]+)`)
)

// scStartTypes words sc's start types as Get-Service does.
var scStartTypes = map[string]string{"DISABLED": "Disabled", "DEMAND_START": "Manual", "AUTO_START": "Automatic",
	"BOOT_START": "Boot", "SYSTEM_START": "System"}

// scLookahead bounds how far below SERVICE_NAME its START_TYPE may be.
const scLookahead = 6

func isSCQueryHead(l string) bool { return strings.Contains(l, "SERVICE_NAME:") }

// parseSCQuery reads one service of sc qc, on its lines or on one line.
func parseSCQuery(lines []string, i int, d *Doc) int {
	m := scServiceRe.FindStringSubmatch(lines[i])
	for j := i; j < len(lines) && j <= i+scLookahead; j++ {
		if j > i && strings.Contains(lines[j], "SERVICE_NAME:") {
			break
		}
		if s := scStartRe.FindStringSubmatch(lines[j]); s != nil {
			if st, ok := scStartTypes[s[1]]; ok {
				d.addRecord(Service{Line: j + 1, Name: m[1], StartType: st})
			}
			return j + 1
		}
	}
	return i + 1
}

// addServiceTable reads Get-Service | Select Name, Status, StartType.
func (d *Doc) addServiceTable(t *table) {
	for _, r := range t.rows {
		if name, st := t.cell(r, "Name"), t.cell(r, "StartType"); name != "" && st != "" {
			d.addRecord(Service{Line: r.line, Name: name, StartType: st, Status: t.cell(r, "Status")})
		}
	}
}
