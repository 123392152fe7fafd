package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
)

// Resolution steps are what an engineer pastes into an elevated Windows
// PowerShell 5.1 console on a customer's host. Everything in this file is
// there so that a paste cannot hurt: each step declares what it does to the
// host, which signals it is about (and so which evidence may fill it), and
// every value put into a command is checked for what it must be and quoted
// so that PowerShell reads it as a literal.

// Risk says what a resolution step does to the host.
type Risk string

// Risks, from harmless to dangerous.
const (
	// RiskReadOnly steps only look: listings, Get-* cmdlets, log queries.
	RiskReadOnly Risk = "read-only"
	// RiskChangesSettings steps change configuration or service state
	// (exclusions, rights, restarts) but no VM data.
	RiskChangesSettings Risk = "changes-settings"
	// RiskRewritesData steps rewrite or delete VM data (merges, deletes,
	// repairs, re-pointing a chain). They always carry a warning and come
	// after a step of the same finding that makes a copy.
	RiskRewritesData Risk = "rewrites-data"
)

var knownRisks = map[Risk]bool{RiskReadOnly: true, RiskChangesSettings: true, RiskRewritesData: true}

// Step is one resolution step of a cause.
type Step struct {
	Text    string `json:"text"`
	Command string `json:"command,omitempty"`
	Risk    Risk   `json:"risk"`
	Warning string `json:"warning,omitempty"`
	// Signals names the signals of the cause this step is about. The step
	// is shown only when one of them fired, and its {placeholders} are
	// filled only from the evidence those signals cited. Empty means every
	// signal of the cause (a step that applies whatever fired); steps that
	// rewrite data must name theirs.
	Signals []string `json:"signals,omitempty"`
	// Copies marks a step whose command makes a real copy of the VM's
	// files (robocopy keeping ACLs, Export-VM, Export-VMSnapshot).
	Copies bool `json:"copies,omitempty"`
	// Requires lists placeholders without which the step makes no sense
	// (the CSV step needs the CSV's path): when one cannot be filled from
	// the evidence, the step is left out instead of rendered with a token.
	Requires []string `json:"requires,omitempty"`
}

// A placeholder is written '{name}' inside single quotes in a catalog
// command. When it is filled, the value is escaped for a single-quoted
// PowerShell string (” for '), so a $ or a backtick in a VM name stays
// literal. When no evidence holds a valid value it becomes '<name>': a
// quoted token that makes the command fail instead of acting on something
// else.
type placeholderType struct {
	// attrs are the evidence attributes tried, in order.
	attrs []string
	// valid says whether a value can stand for the placeholder.
	valid func(string) bool
	// form, when set, puts a valid value in the form the command needs.
	form func(string) string
	// vmAttr: when the cited evidence lacks it, the attribute of the
	// bundle's VM record (Get-VM, SDP) for the VM the evidence names.
	vmAttr string
	// driveAttr: likewise, the attribute of the VM's drive row
	// (Get-VMHardDiskDrive) for the disk the evidence names.
	driveAttr string
}

var (
	guidPattern      = regexp.MustCompile(`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`)
	windowsPath      = regexp.MustCompile(`^(?:[A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)`)
	csvRoot          = regexp.MustCompile(`(?i)^[A-Z]:\\ClusterStorage\\[^\\]+$`)
	diskExt          = regexp.MustCompile(`(?i)\.(?:vhdx|avhdx|vhd|avhd)$`)
	diffDiskExt      = regexp.MustCompile(`(?i)\.(?:avhdx|avhd)$`)
	changeTrackExt   = regexp.MustCompile(`(?i)\.(?:vhdx|avhdx)\.(?:rct|mrt)$|\.(?:rct|mrt)$`)
	digits           = regexp.MustCompile(`^[0-9]{1,10}$`)
	driveOnly        = regexp.MustCompile(`^[A-Za-z]:$`)
	letterOnly       = regexp.MustCompile(`^[A-Za-z]$`)
	hostName         = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$`)
	controllerTypes  = map[string]bool{"scsi": true, "ide": true}
	generationValues = map[string]bool{"1": true, "2": true}
)

// oneLine: a value that came from the bundle and can stand as a name.
func oneLine(v string) bool {
	return v != "" && len(v) <= 1024 && !strings.ContainsAny(v, "\r\n\x00")
}

func isPath(v string) bool { return oneLine(v) && windowsPath.MatchString(v) }

// placeholders is every {name} a catalog command may use. The loader
// rejects any other, so a typo cannot render as a literal brace.
var placeholders = map[string]placeholderType{
	"vm":    {attrs: []string{evidence.AttrVM}, valid: oneLine},
	"vm_id": {attrs: []string{evidence.AttrVMID}, valid: guidPattern.MatchString, vmAttr: evidence.AttrVMID},
	// name: a checkpoint's name.
	"name": {attrs: []string{evidence.AttrName}, valid: oneLine},
	// path: any file the evidence is about (shown, listed, granted).
	"path": {attrs: []string{evidence.AttrPath}, valid: isPath},
	// disk_path: a virtual disk; never used as the target of a delete.
	"disk_path": {attrs: []string{evidence.AttrPath, "child_host_path"}, valid: func(v string) bool { return isPath(v) && diskExt.MatchString(v) }},
	// avhdx_path: a differencing disk, the only disk a merge may start from.
	"avhdx_path": {attrs: []string{evidence.AttrPath, "child_host_path"}, valid: func(v string) bool { return isPath(v) && diffDiskExt.MatchString(v) }},
	// change_tracking_path: a .rct or .mrt file, the only VM file a step may
	// move aside.
	"change_tracking_path": {attrs: []string{evidence.AttrPath}, valid: func(v string) bool { return isPath(v) && changeTrackExt.MatchString(v) }},
	"child_host_path":      {attrs: []string{"child_host_path"}, valid: func(v string) bool { return isPath(v) && diffDiskExt.MatchString(v) }},
	"parent_recorded_path": {attrs: []string{"parent_recorded_path"}, valid: func(v string) bool { return isPath(v) && diskExt.MatchString(v) }},
	"found_path":           {attrs: []string{"found_path"}, valid: func(v string) bool { return isPath(v) && diskExt.MatchString(v) }},
	// drive and drive_letter: a volume with a letter. Extractors never set
	// them from a Cluster Shared Volume path (those are csv_path), and the
	// check here makes sure of it.
	"drive":        {attrs: []string{evidence.AttrDrive}, valid: driveOnly.MatchString},
	"drive_letter": {attrs: []string{evidence.AttrDriveLetter}, valid: letterOnly.MatchString},
	// csv_path: the root of a Cluster Shared Volume (C:\ClusterStorage\Volume1).
	"csv_path": {attrs: []string{evidence.AttrCSVPath}, valid: csvRoot.MatchString},
	"pid":      {attrs: []string{"pid"}, valid: digits.MatchString},
	"process":  {attrs: []string{"process"}, valid: oneLine},
	// shadow_id: a shadow copy's ID as vssadmin prints it, braces included.
	"shadow_id": {attrs: []string{"id"}, valid: guidPattern.MatchString, form: braced},
	"node":      {attrs: []string{evidence.AttrComputer}, valid: hostName.MatchString},
	// VM facts from the bundle's inventory.
	"vm_folder":  {valid: isPath, vmAttr: evidence.AttrPath},
	"config_dir": {attrs: []string{"config_location"}, valid: isPath, vmAttr: "config_location"},
	"generation": {valid: func(v string) bool { return generationValues[v] }, vmAttr: "generation"},
	// The controller slot of the disk the step is about.
	"controller_type":     {valid: func(v string) bool { return controllerTypes[strings.ToLower(v)] }, driveAttr: "controller_type"},
	"controller_number":   {valid: digits.MatchString, driveAttr: "controller_number"},
	"controller_location": {valid: digits.MatchString, driveAttr: "controller_location"},
}

var placeholderRef = regexp.MustCompile(`\{([a-z_]+)\}`)

// Patterns of what a command does, used by the loader to hold each step to
// its declared risk. They are facts about the cmdlets, not style.
var (
	// destructivePattern: statements that delete, merge, repair, stop
	// Hyper-V's service or throw away state. Each needs a warning and
	// must never follow ';' (it would run even when the step before failed).
	destructivePattern = regexp.MustCompile(`(?i)\b(?:Remove-Item|Remove-VM|Remove-VMSnapshot|Merge-VHD|Remove-VMHardDiskDrive|Remove-VMSavedState|Remove-ClusterGroup|Update-VMVersion|Stop-Process)\b` +
		`|-IgnoreIdMismatch\b|-OfflineScanAndFix\b|\bchkdsk\b[^;|]*\s/[fFrRxX]\b|\bvssadmin\s+delete\b` +
		`|\b(?:Stop|Restart)-Service\b[^;|]*\b(?:vmms|vss|swprv)\b|\bnet\s+stop\b`)
	// rewritesPattern: statements that rewrite or delete VM data and so
	// must come after a copy.
	rewritesPattern = regexp.MustCompile(`(?i)\b(?:Merge-VHD|Remove-VM|Remove-VMHardDiskDrive|Remove-VMSnapshot|Remove-VMSavedState)\b` +
		`|-IgnoreIdMismatch\b|-OfflineScanAndFix\b|\bchkdsk\b[^;|]*\s/[fFrRxX]\b|\bRemove-Item\b`)
	// copyPattern: commands that make a real copy.
	copyPattern = regexp.MustCompile(`(?i)\b(?:robocopy|Export-VM|Export-VMSnapshot|Copy-Item)\b`)
	// removePattern: a delete, whose target must never be a VM's data file.
	removePattern = regexp.MustCompile(`(?i)\bRemove-Item\b`)
)

// validateSteps holds a cause's resolution to the safety rules; the loader
// reports every violation.
func (c *Cause) validateSteps() []error {
	var errs []error
	sc := stepContext{signals: map[string]bool{}}
	for _, s := range c.Signals {
		sc.signals[s.ID] = true
	}
	for i, s := range c.Resolution {
		sc.placeholders = placeholdersIn(s.Command)
		for _, rule := range stepRules {
			for _, problem := range rule(s, &sc) {
				errs = append(errs, fmt.Errorf("cause %q: resolution step #%d: %s", c.ID, i+1, problem))
			}
		}
		sc.copied = sc.copied || s.Copies
	}
	return errs
}

// stepContext is what the step rules know beyond the step itself.
type stepContext struct {
	signals      map[string]bool // the cause's signal IDs
	copied       bool            // an earlier step makes a copy
	placeholders []placeholderUse
}

// placeholderUse is one {name} in a command and where it stands.
type placeholderUse struct {
	name string
	at   int
}

func placeholdersIn(cmd string) []placeholderUse {
	var out []placeholderUse
	for _, m := range placeholderRef.FindAllStringSubmatchIndex(cmd, -1) {
		out = append(out, placeholderUse{name: cmd[m[2]:m[3]], at: m[0]})
	}
	return out
}

func (sc *stepContext) uses(name string) bool {
	return slices.ContainsFunc(sc.placeholders, func(p placeholderUse) bool { return p.name == name })
}

// stepRules are the safety rules, one concern each. A rule returns what is
// wrong with the step, or nothing.
var stepRules = []func(s Step, sc *stepContext) []string{
	// Text and risk are declared.
	func(s Step, _ *stepContext) (out []string) {
		if strings.TrimSpace(s.Text) == "" {
			out = append(out, "empty text")
		}
		if !knownRisks[s.Risk] {
			out = append(out, fmt.Sprintf("risk %q is not read-only, changes-settings or rewrites-data", s.Risk))
		}
		return out
	},
	// Signals and requires name things that exist.
	func(s Step, sc *stepContext) (out []string) {
		for _, id := range s.Signals {
			if !sc.signals[id] {
				out = append(out, fmt.Sprintf("names unknown signal %q", id))
			}
		}
		for _, r := range s.Requires {
			if !sc.uses(r) {
				out = append(out, fmt.Sprintf("requires {%s}, which its command does not use", r))
			}
		}
		return out
	},
	// Placeholders are known and stand inside single quotes, so a value
	// from the bundle stays a literal.
	func(s Step, sc *stepContext) (out []string) {
		for _, p := range sc.placeholders {
			if _, ok := placeholders[p.name]; !ok {
				out = append(out, fmt.Sprintf("unknown placeholder {%s}", p.name))
			}
			if !insideSingleQuotes(s.Command, p.at) {
				out = append(out, fmt.Sprintf("placeholder {%s} must sit inside single quotes, so its value stays literal", p.name))
			}
		}
		return out
	},
	// A destructive statement carries a warning and never follows ';'
	// (it would run even if the statement before failed).
	func(s Step, _ *stepContext) (out []string) {
		if destructivePattern.MatchString(s.Command) && s.Warning == "" {
			out = append(out, "a destructive command needs a warning")
		}
		for _, stmt := range statements(s.Command)[1:] {
			if destructivePattern.MatchString(stmt) {
				out = append(out, fmt.Sprintf("destructive statement after ';' (it would run even if the one before failed): %q", strings.TrimSpace(stmt)))
			}
		}
		return out
	},
	// What rewrites data says so, and then keeps every promise of
	// rewrites-data: a warning, a copy before it, named signals, one
	// statement.
	func(s Step, sc *stepContext) (out []string) {
		if rewritesPattern.MatchString(s.Command) && s.Risk != RiskRewritesData {
			out = append(out, fmt.Sprintf("the command rewrites or deletes data but the risk is %q", s.Risk))
		}
		if s.Risk != RiskRewritesData {
			return out
		}
		switch {
		case s.Warning == "":
			out = append(out, "rewrites-data needs a warning")
		case !sc.copied:
			out = append(out, "rewrites-data before any step of the cause makes a copy")
		case len(s.Signals) == 0 && s.Command != "":
			out = append(out, "rewrites-data must name the signals whose evidence fills it")
		}
		if n := len(statements(s.Command)); n > 1 {
			out = append(out, fmt.Sprintf("rewrites-data holds %d statements; it must hold one", n))
		}
		return out
	},
	// A delete only ever targets a change tracking file; a VM's disk,
	// configuration or state is never the target.
	func(s Step, sc *stepContext) (out []string) {
		if !removePattern.MatchString(s.Command) {
			return nil
		}
		for _, p := range sc.placeholders {
			if p.name != "change_tracking_path" {
				out = append(out, fmt.Sprintf("Remove-Item may only target {change_tracking_path}, not {%s}", p.name))
			}
		}
		return out
	},
	// Set-VMHardDiskDrive fed from a pipeline changes every drive of the VM
	// unless the pipeline picks one.
	func(s Step, _ *stepContext) []string {
		low := strings.ToLower(s.Command)
		if strings.Contains(low, "set-vmharddiskdrive") && strings.Contains(low, "|") && !strings.Contains(low, "where-object") {
			return []string{"Set-VMHardDiskDrive fed from a pipeline without Where-Object would change every drive of the VM"}
		}
		return nil
	},
	// A step that claims to copy does.
	func(s Step, _ *stepContext) []string {
		if s.Copies && !copyPattern.MatchString(s.Command) {
			return []string{"copies is set but the command makes no copy"}
		}
		return nil
	},
}

// insideSingleQuotes reports whether byte offset at of a PowerShell
// command lies inside a single-quoted string.
func insideSingleQuotes(cmd string, at int) bool {
	var q byte
	for i := 0; i < at && i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case q == 0 && (c == '\'' || c == '"'):
			q = c
		case q == 0 && c == '`':
			i++
		case q == '\'' && c == '\'':
			if i+1 < at && cmd[i+1] == '\'' {
				i++
			} else {
				q = 0
			}
		case q == '"' && c == '`':
			i++
		case q == '"' && c == '"':
			q = 0
		}
	}
	return q == '\''
}

// statements splits a command at the ';' that separate its top-level
// statements (not inside quotes, braces or parentheses).
func statements(cmd string) []string {
	var (
		out   []string
		q     byte
		depth int
		start int
	)
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else if c == '`' && q == '"' {
				i++
			}
		case c == '\'' || c == '"':
			q = c
		case c == '`':
			i++
		case c == '{' || c == '(':
			depth++
		case c == '}' || c == ')':
			depth--
		case c == ';' && depth == 0:
			out = append(out, cmd[start:i])
			start = i + 1
		}
	}
	return append(out, cmd[start:])
}

// quoteValue escapes a value for a single-quoted PowerShell string.
func quoteValue(v string) string { return strings.ReplaceAll(v, "'", "''") }

// vmFacts is what the bundle's inventory says about VMs and their drives,
// for placeholders the cited evidence does not carry (a VM's ID, folder and
// generation, a disk's controller slot).
type vmFacts struct {
	byVM   map[string]*evidence.Evidence   // lower-case VM name → its Get-VM record
	drives map[string][]*evidence.Evidence // lower-case VM name → its Get-VMHardDiskDrive rows
}

func newVMFacts(ix *index) vmFacts {
	f := vmFacts{byVM: map[string]*evidence.Evidence{}, drives: map[string][]*evidence.Evidence{}}
	for _, e := range ix.of(evidence.KindVM) {
		if vm := strings.ToLower(e.VM()); vm != "" && f.byVM[vm] == nil {
			f.byVM[vm] = e
		}
	}
	for _, e := range ix.of(evidence.KindVMDisk) {
		if vm := strings.ToLower(e.VM()); vm != "" {
			f.drives[vm] = append(f.drives[vm], e)
		}
	}
	return f
}

// fillSteps renders a finding's steps: steps whose signals did not fire
// are left out, and each placeholder is filled from the evidence of the
// step's own signals (then from the inventory of the VM that evidence
// names), checked for what it must be, and quoted.
func fillSteps(steps []Step, cited []Cited, facts vmFacts) []Step {
	out := make([]Step, 0, len(steps))
	for _, s := range steps {
		ev := stepEvidence(s, cited)
		if len(ev) == 0 {
			continue
		}
		missing := false
		s.Command = placeholderRef.ReplaceAllStringFunc(s.Command, func(m string) string {
			name := m[1 : len(m)-1]
			if v := fillValue(name, ev, facts); v != "" {
				return quoteValue(v)
			}
			if slices.Contains(s.Requires, name) {
				missing = true
			}
			return "<" + name + ">"
		})
		if missing {
			continue
		}
		out = append(out, s)
	}
	return out
}

// stepEvidence is the cited evidence a step may draw values from: that of
// its own signals, or all of the finding's for a step that names none.
func stepEvidence(s Step, cited []Cited) []*evidence.Evidence {
	var ev []*evidence.Evidence
	for i := range cited {
		if len(s.Signals) == 0 || slices.ContainsFunc(s.Signals, func(id string) bool { return citedBy(cited[i], id) }) {
			ev = append(ev, &cited[i].Evidence)
		}
	}
	return ev
}

// citedBy reports whether c was cited by the signal id (merged citations
// list several signals, comma-separated).
func citedBy(c Cited, id string) bool {
	for _, s := range strings.Split(c.Signal, ", ") {
		if s == id {
			return true
		}
	}
	return false
}

func fillValue(name string, ev []*evidence.Evidence, facts vmFacts) string {
	p := placeholders[name]
	for _, e := range ev {
		for _, a := range p.attrs {
			if v := validValue(p, e.Attrs[a]); v != "" {
				return v
			}
		}
	}
	for _, e := range ev {
		vm := strings.ToLower(e.VM())
		if rec := facts.byVM[vm]; rec != nil && p.vmAttr != "" {
			if v := validValue(p, rec.Attrs[p.vmAttr]); v != "" {
				return v
			}
		}
		if disk := e.Attrs[evidence.AttrPath]; disk != "" && p.driveAttr != "" {
			for _, d := range facts.drives[vm] {
				if strings.EqualFold(d.Attrs[evidence.AttrPath], disk) {
					if v := validValue(p, d.Attrs[p.driveAttr]); v != "" {
						return v
					}
				}
			}
		}
	}
	return ""
}

func validValue(p placeholderType, v string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" || !p.valid(v):
		return ""
	case p.form != nil:
		return p.form(v)
	}
	return v
}

// braced writes a GUID the way vssadmin wants it: {…}.
func braced(guid string) string { return "{" + strings.Trim(guid, "{}") + "}" }
