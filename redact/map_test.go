package redact

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMap_ReuseKeepsPseudonyms(t *testing.T) {
	m := NewMap()
	p1, _ := m.Add(ClassHost, "HV03")
	p2, _ := m.Add(ClassVM, "SQL07")
	_, _ = m.Add(ClassIPv4, "10.1.2.3")
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))

	again, err := LoadMap(&buf)
	require.NoError(t, err)
	got, _ := again.Add(ClassHost, "hv03")
	assert.Equal(t, p1, got, "same value, any case, same pseudonym")
	got, _ = again.Add(ClassVM, "SQL07")
	assert.Equal(t, p2, got)
	next, _ := again.Add(ClassHost, "HV04")
	assert.Equal(t, "HOST-2", next, "numbering continues after the loaded pairs")
	ip, _ := again.Add(ClassIPv4, "10.1.2.4")
	assert.Equal(t, "192.0.2.2", ip)
}

func TestMap_KeepsWindowsNamesAndGUIDs(t *testing.T) {
	m := NewMap()
	_, ok := m.Add(ClassHost, "localhost")
	assert.False(t, ok)
	_, ok = m.Add(ClassVM, "Volume1")
	assert.False(t, ok)
	m.Add(ClassVM, "DC01")
	m.Add(ClassVM, "FS01")
	m.Add(ClassDomain, "contoso.local")
	in := `C:\ClusterStorage\Volume1\Hyper-V\FS01\Virtual Hard Disks\FS01_6D2F8A47-B3E1-4C96-9D05-A8C7E2DC0164.avhdx on HV.contoso.local, 0xDC01`
	want := `C:\ClusterStorage\Volume1\Hyper-V\VM-2\Virtual Hard Disks\VM-2_6D2F8A47-B3E1-4C96-9D05-A8C7E2DC0164.avhdx on HV.DOMAIN-1, 0xDC01`
	assert.Equal(t, want, m.Apply(in))
	r, _ := m.Add(ClassVM, "R&D")
	assert.Equal(t, "'"+r+"' DC-1", m.Apply("'R&amp;D' DC01"), "the XML-escaped spelling is found too")
}
