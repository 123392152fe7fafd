// Package collect writes the PowerShell script that gathers what a report
// says is missing, so the next bundle can decide what this one could not.
//
// The script is generated from the catalog's inputs (rules.Input): each
// input's Collect command is what runs, adapted for a script in three
// ways only, all mechanical:
//
//   - it runs inside the output folder (Push-Location), so the relative
//     output names of the catalog ('vss_writers.txt', System.evtx,
//     Join-Path $PWD …) land there;
//   - the catalog's "every VM" forms are narrowed to the VMs and folders the
//     report names: (Get-VM).Path becomes the folder list $hvFolders and
//     -VMName * becomes -VMName $hvVMNames (Get-VM | … stays: the inventory
//     of every VM on the host is what decides orphans);
//   - it is wrapped in a step that records what it wrote or why it was
//     skipped, guarded by Get-Command when it needs the Hyper-V module.
//
// Commands that copy disk bytes (the disk-header inputs) run through one
// helper instead, which keeps the catalog's method (the first 4 MiB, read
// with sharing so a running VM is not disturbed) but files each copy under
// a numbered folder per source folder, so names stay unique and a child's
// relative parent path still resolves. A command that holds a <placeholder>
// the script cannot fill (a tool to download, a command to run inside a
// guest) or that would change the host is never run: the summary lists it
// to do by hand.
//
// Every line of the script is a complete statement, so line-based checkers
// (pscheck, the reviewers' pslint.py) read it as it runs.
package collect

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

// Plan is what one script collects.
type Plan struct {
	// From names the report the plan comes from; "" for the default set.
	From    string
	Inputs  []*rules.Input
	VMs     []string // VM names the report names; none: every VM on the host
	Folders []string // host folders the report names (where its disks live)
}

// DefaultPlan collects every input of the catalog, for every VM.
func DefaultPlan(cat *rules.Catalog) Plan {
	return Plan{Inputs: slices.Clone(cat.Inputs)}
}

// PlanFromReport collects what the report lists as missing, for the VMs
// and folders it names. Inputs are taken from the catalog by ID, so the
// script runs the current command; a row whose input the catalog no longer
// knows keeps the report's own command.
func PlanFromReport(doc *report.Document, cat *rules.Catalog) Plan {
	p := Plan{From: doc.Bundle.Name}
	for _, m := range doc.Missing {
		if in := cat.Input(m.Input); in != nil {
			p.Inputs = append(p.Inputs, in)
			continue
		}
		p.Inputs = append(p.Inputs, &rules.Input{ID: m.Input, What: m.What, Collect: m.Collect})
	}
	var vms, folders []string
	for _, f := range doc.Findings {
		vms = append(vms, f.VMs...)
	}
	for _, v := range doc.Timeline.VMs {
		vms = append(vms, v.VM)
	}
	for _, n := range doc.Chains.Nodes {
		vms = append(vms, n.VMs...)
		if dir := winDir(n.HostPath); dir != "" {
			folders = append(folders, dir)
		}
	}
	p.VMs = uniqueNames(vms)
	p.Folders = uniqueNames(folders)
	return p
}

// winDir is the folder of an absolute Windows path ("D:\VMs\a.vhdx" →
// "D:\VMs"), or "" when p is not one.
func winDir(p string) string {
	if !absWindows.MatchString(p) {
		return ""
	}
	i := strings.LastIndex(p, `\`)
	if i <= 2 {
		return p[:i+1]
	}
	return p[:i]
}

var absWindows = regexp.MustCompile(`^([A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)`)

// uniqueNames drops empty names, names with control characters (they
// cannot be a VM name or a path worth quoting) and repeats, case-blind as
// Windows is, and sorts the rest.
func uniqueNames(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || strings.IndexFunc(s, unicode.IsControl) >= 0 || seen[strings.ToLower(s)] {
			continue
		}
		seen[strings.ToLower(s)] = true
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Quote writes s as a PowerShell single-quoted literal. PowerShell also
// ends a single-quoted string at the typographic quotes, so those are
// doubled as well.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201A', '\u201B':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = Quote(s)
	}
	return "@(" + strings.Join(q, ", ") + ")"
}

// How the catalog's commands are recognized and adapted.
var (
	// A <placeholder> the person running the command must fill.
	placeholder = regexp.MustCompile(`<[^<>]+>`)
	// Commands that copy the bytes of disk files: the disk headers.
	copiesDisk = regexp.MustCompile(`(?i)WriteAllBytes`)
	diskGlob   = regexp.MustCompile(`'\*\.[A-Za-z0-9]+'`)
	// Cmdlets of the Hyper-V module (Get-VM, Get-VMSnapshot, Get-VHD, …).
	hyperVCmdlet = regexp.MustCompile(`(?i)\b(Get|Export|Measure|Test)-(VM|VHD)\w*`)
	// Verbs and tools that change a host. The catalog's inputs are
	// read-only by design; this is the generator's own guard, so a future
	// input that is not can never reach a collection script.
	changesHost = regexp.MustCompile(`(?i)\b(Set|Remove|Stop|Restart|Merge|Mount|Dismount|Update|Repair|Suspend|Resume|Enable|Disable|Grant|Revoke|Clear|Optimize|Resize|Convert|Rename|Move|Reset|Restore|Checkpoint|Import|Install|Uninstall|Start|Register|Unregister)-[A-Za-z]\w*` +
		`|\b(icacls\b[^;|]*/(grant|deny|remove|reset|setowner|restore)|vssadmin\s+(delete|resize|create|add|revert)|bcdedit\s+/(set|delete|create|copy)|net\s+(stop|start)|sc(\.exe)?\s+(stop|start|config|delete)|chkdsk|fsutil\s+\w+\s+set|reg\s+(add|delete|import)|-accepteula)\b`)
)

// step is one input as the script runs it.
type step struct {
	in     *rules.Input
	ids    []string // every input this step collects (they share its command)
	kind   stepKind
	cmd    string   // adapted command (stepCommand)
	globs  []string // file patterns (stepDisks)
	needs  []string // PowerShell conditions, all of which must hold
	reason string   // why it runs by hand (stepByHand)
}

type stepKind int

const (
	stepCommand stepKind = iota
	stepDisks
	stepByHand
)

// conditions a step may need, with the reason the summary gives when one
// does not hold.
var conditions = []struct {
	uses, test, why string
}{
	{"$hvHyperV", "$hvHyperV", "needs the Hyper-V PowerShell module, which this host does not have"},
	{"$hvVMNames", "$hvVMNames.Count -gt 0", "no VM to collect it for on this host"},
	{"$hvFolders", "$hvFolders.Count -gt 0", "no VM folder to read on this host"},
}

func plan(in *rules.Input) step {
	s := step{in: in, ids: []string{in.ID}}
	c := strings.TrimSpace(in.Collect)
	switch {
	case c == "":
		s.kind, s.reason = stepByHand, "the catalog has no command for it"
		return s
	case changesHost.MatchString(unquotedText(c)):
		s.kind, s.reason = stepByHand, "its command would change the host, which this script never does"
		return s
	case placeholder.MatchString(c):
		s.kind = stepByHand
		s.reason = "its command needs " + strings.Join(placeholder.FindAllString(c, -1), ", ") + " filled in by hand"
		return s
	case copiesDisk.MatchString(c):
		s.kind = stepDisks
		for _, g := range diskGlob.FindAllString(c, -1) {
			s.globs = append(s.globs, strings.Trim(g, "'"))
		}
		if len(s.globs) == 0 {
			s.globs = []string{"*.vhdx", "*.avhdx"}
		}
		s.needs = []string{"$hvFolders"}
		return s
	}
	c = strings.ReplaceAll(c, "(Get-VM).Path", "$hvFolders")
	c = strings.ReplaceAll(c, "-VMName *", "-VMName $hvVMNames")
	s.kind, s.cmd = stepCommand, c
	if hyperVCmdlet.MatchString(c) {
		s.needs = append(s.needs, "$hvHyperV")
	}
	for _, v := range []string{"$hvVMNames", "$hvFolders"} {
		if strings.Contains(c, v) {
			s.needs = append(s.needs, v)
		}
	}
	return s
}

// unquotedText blanks out single- and double-quoted text, so a verb inside
// a message or a file name is not mistaken for a command.
func unquotedText(s string) string {
	var b strings.Builder
	var q rune
	for _, r := range s {
		switch {
		case q == 0 && (r == '\'' || r == '"'):
			q = r
			b.WriteByte(' ')
		case q != 0 && r == q:
			q = 0
			b.WriteByte(' ')
		case q != 0:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MaxDiskFiles is the default bound on the number of disk headers read.
const MaxDiskFiles = 200

// Script writes the collection script for p. Lines end in CRLF; the text
// has no byte-order mark (writers add one for Windows PowerShell 5.1,
// which reads a .ps1 without one in the ANSI code page).
func Script(p Plan, version string) string {
	var steps []step
	seen := map[string]int{}
	for _, in := range p.Inputs {
		// Two inputs may share a command (disk headers, or Get-VHD in
		// their place): it runs once.
		if i, ok := seen[in.Collect]; ok {
			steps[i].ids = append(steps[i].ids, in.ID)
			continue
		}
		seen[in.Collect] = len(steps)
		steps = append(steps, plan(in))
	}

	var w lines
	w.add("# hvtriage collection script (hvtriage %s)", version)
	if p.From != "" {
		w.add("# Collects what the report on %s lists as missing.", commentText(p.From))
	} else {
		w.add("# Collects every input that the rule catalog of hvtriage reads.")
	}
	w.add("# Read-only: it reads event logs, command outputs and the first 4 MiB of virtual disks,")
	w.add("# writes them to a new folder under $hvRoot (below: TEMP) and zips that folder.")
	w.add("# Run it in an elevated Windows PowerShell 5.1 console:")
	w.add("#   powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\\collect.ps1")
	w.add("# Where the folder and the zip go, and at most how many disk headers to read:")
	w.add("$hvRoot = $env:TEMP")
	w.add("$hvMaxDisks = %d", MaxDiskFiles)
	w.add("$ErrorActionPreference = 'Continue'")
	w.add("$hvStamp = Get-Date -Format 'yyyyMMdd_HHmmss'")
	w.add("$hvName = 'hvtriage_' + $env:COMPUTERNAME + '_' + $hvStamp")
	w.add("$hvOut = Join-Path $hvRoot $hvName")
	w.add("$null = New-Item -ItemType Directory -Path $hvOut -ErrorAction Stop")
	w.add("$hvWrote = New-Object System.Collections.Generic.List[string]")
	w.add("$hvSkipped = New-Object System.Collections.Generic.List[string]")
	w.add("$hvByHand = New-Object System.Collections.Generic.List[string]")
	w.add("# The VMs and folders the report names (none: every VM of this host).")
	w.add("$hvWanted = %s", quoteList(p.VMs))
	w.add("$hvReportFolders = %s", quoteList(p.Folders))
	w.add("$hvHyperV = $null -ne (Get-Command -Name 'Get-VM' -Module 'Hyper-V' -ErrorAction SilentlyContinue)")
	w.add("$hvVMs = @()")
	w.add("if ($hvHyperV) { $hvVMs = @(Get-VM | Where-Object { $hvWanted.Count -eq 0 -or $hvWanted -contains $_.Name }) } else { $hvSkipped.Add('Hyper-V module: not installed on this host, so no Hyper-V cmdlet ran and no VM folder was looked up') }")
	w.add("if ($hvHyperV) { foreach ($hvW in $hvWanted) { if (-not ($hvVMs | Where-Object { $_.Name -eq $hvW })) { $hvSkipped.Add('VM ' + $hvW + ': not registered on this host (another cluster node?); collect on the node that runs it too') } } }")
	w.add("$hvVMNames = @($hvVMs | ForEach-Object { $_.Name })")
	w.add("$hvVMFolders = @($hvVMs | ForEach-Object { $_.Path; foreach ($hvD in $_.HardDrives) { if ($hvD.Path) { Split-Path -Path $hvD.Path -Parent } } })")
	w.add("$hvFolders = @(@($hvVMFolders) + @($hvReportFolders) | Where-Object { $_ -and (Test-Path -LiteralPath $_ -PathType Container) } | Sort-Object -Unique)")
	w.add("foreach ($hvF in $hvReportFolders) { if (-not (Test-Path -LiteralPath $hvF -PathType Container)) { $hvSkipped.Add('folder ' + $hvF + ': not found on this host') } }")
	w.add("# Runs one step in the output folder and records what it wrote, or why not.")
	w.add("function Invoke-HvStep([string]$Id, [string]$What, [scriptblock]$Run) { $before = @(Get-ChildItem -LiteralPath $hvOut -Recurse -File).Count; $Error.Clear(); $global:LASTEXITCODE = 0; Push-Location -LiteralPath $hvOut; try { . $Run; if ($LASTEXITCODE) { throw ('exit code ' + $LASTEXITCODE) }; $n = @(Get-ChildItem -LiteralPath $hvOut -Recurse -File).Count - $before; $note = ''; if ($Error.Count -gt 0) { $note = ' (' + $Error.Count + ' errors, first: ' + $Error[$Error.Count - 1].Exception.Message + ')' }; $hvWrote.Add($Id + ': ' + $What + ', ' + $n + ' files' + $note) } catch { $hvSkipped.Add($Id + ': failed: ' + $_.Exception.Message) } finally { Pop-Location } }")
	w.add("# Copies the first 4 MiB of every matching disk file, read with sharing so running VMs are not disturbed, to disks\\NN_folder\\file.")
	w.add("function Save-HvDiskHeaders([string[]]$Include) { $i = 0; $count = 0; $seen = @{}; foreach ($f in $hvFolders) { $i++; $leaf = (Split-Path -Path $f -Leaf) -replace '[^A-Za-z0-9._-]', '_'; $dest = Join-Path (Join-Path $hvOut 'disks') ('{0:D2}_{1}' -f $i, $leaf); foreach ($file in @(Get-ChildItem -LiteralPath $f -Recurse -File -Include $Include -ErrorAction SilentlyContinue)) { if ($seen.ContainsKey($file.FullName)) { continue }; if ($count -ge $hvMaxDisks) { $hvSkipped.Add('disk headers: more than ' + $hvMaxDisks + ' disk files; from ' + $file.FullName + ' on not read (raise $hvMaxDisks at the top of the script)'); return }; $seen[$file.FullName] = $true; $count++; $null = New-Item -ItemType Directory -Path $dest -Force; $s = [IO.File]::Open($file.FullName, 'Open', 'Read', 'ReadWrite'); try { $b = New-Object byte[] 4MB; $n = 0; while ($n -lt $b.Length) { $r = $s.Read($b, $n, $b.Length - $n); if ($r -le 0) { break }; $n += $r } } finally { $s.Close() }; $o = [IO.File]::Create((Join-Path $dest $file.Name)); try { $o.Write($b, 0, $n) } finally { $o.Close() } } } }")
	w.add("# The steps, one per input the report lists as missing.")
	for _, s := range steps {
		w.step(s)
	}
	w.add("# Summary, then the zip.")
	w.add("$hvFiles = @(Get-ChildItem -LiteralPath $hvOut -Recurse -File)")
	w.add("$hvBytes = ($hvFiles | Measure-Object -Property Length -Sum).Sum")
	w.add("$hvSummary = @('hvtriage collection on ' + $env:COMPUTERNAME + ' at ' + $hvStamp + ': ' + $hvFiles.Count + ' files, ' + [math]::Round($hvBytes / 1MB, 1) + ' MiB in ' + $hvOut, '', 'Collected:') + @($hvWrote | ForEach-Object { '  ' + $_ }) + @('', 'Skipped:') + @($hvSkipped | ForEach-Object { '  ' + $_ })")
	w.add("if ($hvByHand.Count -gt 0) { $hvSummary += @('', 'To do by hand, then add the files to the zip:') + @($hvByHand | ForEach-Object { '  ' + $_ }) }")
	w.add("$hvSummary | Out-File -FilePath (Join-Path $hvOut 'collect_summary.txt') -Width 4096")
	w.add("$hvZip = Join-Path $hvRoot ($hvName + '.zip')")
	w.add("try { Compress-Archive -Path (Join-Path $hvOut '*') -DestinationPath $hvZip -ErrorAction Stop; $hvSummary += @('', 'Send this file: ' + $hvZip) } catch { $hvSummary += @('', 'The zip could not be written (' + $_.Exception.Message + '); send the folder ' + $hvOut) }")
	w.add("$hvSummary | ForEach-Object { Write-Host $_ }")
	return w.String()
}

type lines struct{ b strings.Builder }

func (w *lines) add(format string, args ...any) {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	w.b.WriteString(format)
	w.b.WriteString("\r\n")
}

func (w *lines) String() string { return w.b.String() }

// step writes one step as a single statement.
func (w *lines) step(s step) {
	id, what := Quote(s.in.ID), Quote(oneLine(s.in.What))
	w.add("# Input: %s", commentText(strings.Join(s.ids, ", ")))
	if s.kind == stepByHand {
		w.add("$hvByHand.Add(%s)", Quote(oneLine(s.in.ID)+": "+s.reason+": "+oneLine(s.in.Collect)))
		return
	}
	body := s.cmd
	if s.kind == stepDisks {
		var g []string
		for _, x := range s.globs {
			g = append(g, Quote(x))
		}
		body = "Save-HvDiskHeaders -Include " + strings.Join(g, ", ")
	}
	run := "Invoke-HvStep -Id " + id + " -What " + what + " -Run { " + body + " }"
	if len(s.needs) == 0 {
		w.add("%s", run)
		return
	}
	// The first condition that fails gives the reason.
	var b strings.Builder
	for i, n := range s.needs {
		for _, c := range conditions {
			if c.uses != n {
				continue
			}
			if i > 0 {
				b.WriteString(" elseif ")
			} else {
				b.WriteString("if ")
			}
			fmt.Fprintf(&b, "(-not (%s)) { $hvSkipped.Add(%s) }", c.test, Quote(oneLine(s.in.ID)+": "+c.why))
		}
	}
	fmt.Fprintf(&b, " else { %s }", run)
	w.add("%s", b.String())
}

// oneLine keeps text from the bundle or the catalog on one line of the
// script: a line break inside a comment would start a statement.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085'
	}), " ")
}

// commentText keeps a comment plain: letters, digits and a few marks. Text
// from a report (a bundle name) could otherwise unbalance the quotes that
// line-based checkers count, comments included.
func commentText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .,:_-()", r) {
			return r
		}
		return '_'
	}, oneLine(s))
}
