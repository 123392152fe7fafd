package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestApplyAligned(t *testing.T) {
	m := NewMap()
	m.Add(ClassVM, "DC01")
	m.Add(ClassVM, "FILE02")
	m.Add(ClassVM, "X")
	in := "\r\nVMName Name                            SnapshotType\r\n" +
		"------ ----                            ------------\r\n" +
		"DC01   DC01 - (3/12/2024 - 9:15:40 PM) Standard\r\n" +
		"FILE02 Before share migration          Production\r\n\r\n" +
		"'FILE02' failed. 'DC01' (id 6D2F8A47-B3E1-4C96-9D05-A8C7E2DC0164)\r\n"
	want := "\r\nVMName Name                            SnapshotType\r\n" +
		"------ ----                            ------------\r\n" +
		"DC-1   DC-1 - (3/12/2024 - 9:15:40 PM) Standard\r\n" +
		"VM-2   Before share migration          Production\r\n\r\n" +
		"'VM-2' failed. 'DC-1' (id 6D2F8A47-B3E1-4C96-9D05-A8C7E2DC0164)\r\n"
	assert.Equal(t, want, m.applyAligned(in))
}

// A summary cut short in the middle of a name leaks no part of it.
func TestApplyReplacesANameCutShort(t *testing.T) {
	m := NewMap()
	m.Add(ClassVM, "SQL01")
	got := m.Apply("'SQL01' failed; then 'SQL0…")
	assert.NotContains(t, got, "SQL0")
	assert.True(t, strings.HasSuffix(got, "'VM-1…"), got)
	assert.Equal(t, "the log ends…", m.Apply("the log ends…"), "a word that begins no name stays")
}
