package pscheck

import "testing"

// FuzzLint: Lint and grammarWorkarounds take any string without panicking,
// and the offset map of the rewrite stays usable.
func FuzzLint(f *testing.F) {
	for _, c := range []string{
		`Format-List Name, Path`, `Get-VM -Name <vm> && x`, `icacls "a":(F)`, "a `", `'It''s'`,
		`$x / 1GB`, `gci $env:TEMP\x, D:\`, `/shadow={1234abcd-1111-2222-3333-444455556666}`, `"open`,
	} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		for _, h := range Lint(cmd) {
			if h.Code == "" || h.Message == "" {
				t.Fatalf("empty hazard %+v for %q", h, cmd)
			}
		}
		if bare, _ := unquoted(cmd); len(bare) != len(cmd) {
			t.Fatalf("unquoted changed the length of %q", cmd)
		}
		out, offs := grammarWorkarounds(cmd)
		if len(offs) != len(out)+1 || offs[len(out)] != len(cmd) {
			t.Fatalf("offset map of %d for %d bytes (%q -> %q)", len(offs), len(out), cmd, out)
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] < offs[i-1] {
				t.Fatalf("offset map goes back at %d (%q -> %q)", i, cmd, out)
			}
		}
	})
}
