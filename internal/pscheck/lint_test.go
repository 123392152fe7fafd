package pscheck

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func codes(hs []Hazard) []string {
	var cs []string
	for _, h := range hs {
		cs = append(cs, h.Code)
	}
	return cs
}

func TestLint(t *testing.T) {
	tests := []struct {
		name string
		cmd  string
		want []string // hazard codes, in Lint's order; nil for none
	}{
		// quotes
		{"balanced single", `Get-VM -Name 'web01'`, nil},
		{"doubled single quote", `Write-Output 'It''s'`, nil},
		{"doubled single quote in a name", `Get-VMSnapshot -VMName 'A''B' | Where-Object SnapshotType -eq 'Recovery'`, nil},
		{"backtick-escaped double quote", "Write-Output \"a`\"b\"", nil},
		{"single quote inside double", `Write-Output "it's"`, nil},
		{"double quote inside single", `Write-Output 'say "hi"'`, nil},
		{"escaped quote outside quotes", "Write-Output `'", nil},
		{"open single quote", `Get-VM -Name 'web01`, []string{CodeQuotes}},
		{"open double quote", `Get-VM -Name "web01`, []string{CodeQuotes}},
		{"backslash does not escape", `Write-Output "a\"b"`, []string{CodeQuotes}},
		{"single quote backtick does not escape", "Write-Output 'a`'b'", []string{CodeQuotes}},
		{"doubled quote then open", `Write-Output 'It''s`, []string{CodeQuotes}},
		{"open quote hides everything else", `gpupdate /force && echo "x`, []string{CodeQuotes}},

		// && and ||
		{"and-and", `gpupdate /force && secedit /export /cfg "$env:TEMP\rights.inf"`, []string{CodeAndAnd}},
		{"or-or", `Get-VM -Name 'a' || Write-Output 'none'`, []string{CodeOrOr}},
		{"both", `a && b || c`, []string{CodeAndAnd, CodeOrOr}},
		{"and-and quoted", `Write-Output 'a && b'`, nil},
		{"and-and in cmd /c", `cmd /c "dir %TEMP% && echo x"`, nil},
		{"and-and after cmd /c, unquoted", `cmd /c dir && echo x`, []string{CodeAndAnd}},
		{"-and operator", `Get-VM | Where-Object { $_.State -eq 'Off' -and $_.Name -like 'w*' }`, nil},
		{"pipe is not or-or", `Get-VM | Format-Table`, nil},

		// &
		{"call operator at start", `& 'C:\Program Files\x\tool.exe' -a`, nil},
		{"call operator after ;", `Get-VM; & 'C:\x\tool.exe'`, nil},
		{"call operator after |", `Get-VM | & { process { $_.Name } }`, nil},
		{"call operator after (", `(& 'C:\x\tool.exe' -v)`, nil},
		{"call operator after {", `Invoke-Command { & 'C:\x\tool.exe' }`, nil},
		{"call operator after =", `$out = & 'C:\x\tool.exe'`, nil},
		{"call operator after = and spaces", "$out =   & $exe", nil},
		{"bare & between commands", `net stop vss & net start vss`, []string{CodeBareAmp}},
		{"bare & at end", `Start-VM -Name 'a' &`, []string{CodeBareAmp}},
		{"& quoted", `Write-Output 'a & b'`, nil},
		{"& escaped", "Write-Output a `& b", nil},
		{"redirection 2>&1", `Get-VM -Name 'a' 2>&1`, []string{CodeRedirectAmp}},

		// <
		{"placeholder", `Get-VM -Name <vm name>`, []string{CodeBareLt}},
		{"placeholder in a list", `Set-VMHardDiskDrive -ControllerType <SCSI|IDE> -ControllerNumber <n>`, []string{CodeBareLt}},
		{"< in single quotes", `Get-VM -Name '<vm name>'`, nil},
		{"< in double quotes", `Get-ChildItem -Filter "<parent file name>"`, nil},
		{"-lt operator", `Get-ChildItem | Where-Object { $_.Length -lt 5 }`, nil},
		{"< in cmd /c quotes", `cmd /c "sort < C:\x.txt"`, nil},
		{"< unquoted after cmd /c is PowerShell's", `cmd /c sort < C:\x.txt`, []string{CodeBareLt}},
		{"> redirection is fine", `vssadmin list writers > vss_writers.txt`, nil},

		// %VAR%
		{"cmd var quoted", `gpresult /scope computer /h "%TEMP%\gpresult.html"`, []string{CodeCmdVar}},
		{"cmd var bare", `dir %SystemRoot%\System32`, []string{CodeCmdVar}},
		{"cmd var in cmd /c", `cmd /c "dir %TEMP%"`, nil},
		{"cmd var in cmd.exe /C", `CMD.EXE /C "echo %COMPUTERNAME%"`, nil},
		{"cmd var after cmd /c statement", `cmd /c "echo x"; dir %TEMP%`, []string{CodeCmdVar}},
		{"env var", `gpresult /scope computer /h "$env:TEMP\gpresult.html"`, nil},
		{"percent alias", `Get-VM | % Name`, nil},
		{"modulo", `$a % $b`, nil},
		{"format", `'{0:P0}' -f 0.5`, nil},

		// "…":(F)
		{"icacls quoted then paren", `icacls "D:\VMs\a.vhdx" /grant "NT VIRTUAL MACHINE\1234":(F)`, []string{CodeParenArg}},
		{"icacls single quoted then paren", `icacls 'D:\a' /grant 'Everyone':(RX)`, []string{CodeParenArg}},
		{"icacls fully quoted", `icacls "D:\VMs\a.vhdx" /grant "NT VIRTUAL MACHINE\1234:(F)"`, nil},
		{"icacls bare", `icacls D:\VMs\a.vhdx /grant Administrators:F`, nil},

		// {GUID}
		{"guid after =", `vssadmin list shadows /shadow={1234abcd-1111-2222-3333-444455556666}`, []string{CodeBraceArg}},
		{"short guid-ish after =", `tool /id={1234abcd-12}`, []string{CodeBraceArg}},
		{"guid as its own argument", `bcdedit /enum {9dea862c-5cdd-4e70-acc1-f32b344d4795}`, []string{CodeBraceArg}},
		{"switch value in braces", `vssadmin delete shadows /shadow={id}`, []string{CodeBraceArg}},
		{"switch value in braces after :", `tool /id:{x}`, []string{CodeBraceArg}},
		{"switch value quoted", `vssadmin delete shadows '/shadow={id}'`, nil},
		{"bcd identifier", `bcdedit /set {current} hypervisorlaunchtype auto`, []string{CodeBraceArg}},
		{"guid quoted", `vssadmin list shadows '/shadow={1234abcd-1111-2222-3333-444455556666}'`, nil},
		{"bcd identifier quoted", `bcdedit /set '{current}' hypervisorlaunchtype auto`, nil},
		{"script block", `Get-VM | ForEach-Object { $_.Name }`, nil},
		{"guid compared in a script block", `Get-VM | Where-Object { $_.VMId -eq '1234abcd-1111-2222-3333-444455556666' }`, nil},
		{"calculated property", `Get-VMSnapshot -VMName 'a' | Select-Object Name, @{n='Disks';e={$_.HardDrives.Path}}`, nil},

		// ordinary commands
		{"hashtable filter", `Get-WinEvent -FilterHashtable @{LogName='System'; Id=41,6008}`, nil},
		{"two statements", `$r = Compare-VM -Path 'x'; $r.Incompatibilities | Format-Table`, nil},
		{"cmd /c", `cmd /c "gpupdate /force"`, nil},
		{"robocopy", `robocopy 'D:\a' 'E:\b' /E /COPY:DATS`, nil},
		{"several hazards", `gpresult /h "%TEMP%\x.html" && icacls "<path>":(F)`, []string{CodeAndAnd, CodeCmdVar, CodeParenArg}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Lint(tt.cmd)
			assert.Equal(t, tt.want, codes(got), "%s", tt.cmd)
			for _, h := range got {
				assert.NotEmpty(t, h.Message)
			}
		})
	}
}

func TestUnquoted(t *testing.T) {
	tests := []struct {
		cmd, bare string
		ok        bool
	}{
		{`a 'b' c`, `a     c`, true},
		{`a 'It''s' c`, `a         c`, true},
		{"a \"x`\"y\" c", `a        c`, true},
		{"a `& b", `a    b`, true},
		{`a "b`, `a   `, false},
		{"", "", true},
	}
	for _, tt := range tests {
		bare, ok := unquoted(tt.cmd)
		assert.Equal(t, tt.bare, bare, "%q", tt.cmd)
		assert.Equal(t, tt.ok, ok, "%q", tt.cmd)
		assert.Len(t, bare, len(tt.cmd))
	}
}
