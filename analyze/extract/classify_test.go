package extract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A head cut from a longer UTF-8 file may end inside a character; the head
// must still be read as UTF-8 rather than as an 8-bit code page, or every
// accented letter before the cut comes out wrong for the sniffers.
func TestHeadDecodesACutCharacterAsUTF8(t *testing.T) {
	line := "Beschreibung: Zugriff verweigert f\u00fcr die Pr\u00fcfpunktdatei.\n"
	b := []byte(strings.Repeat(line, 40))
	cut := strings.LastIndex(string(b), "\u00fc") + 1 // inside the last ü
	h := NewHead("notes.txt", b[:cut], false)
	text := h.decoded()
	assert.Contains(t, text, "f\u00fcr die Pr\u00fcfpunktdatei")
	assert.NotContains(t, text, "\u00c3", "UTF-8 read as an 8-bit code page")

	// The same bytes as a whole file are damaged text: a code page is
	// guessed, as before, and then every complete line, UTF-8 shown as
	// that code page, is mended back (wintext.Mend); the cut line keeps
	// what the code page made of it.
	whole := NewHead("notes.txt", b[:cut], true).decoded()
	lines := strings.Split(whole, "\n")
	assert.Equal(t, strings.TrimSuffix(line, "\n"), lines[0])
	assert.Contains(t, lines[len(lines)-1], "\u00c3", "the cut line")
}

// An Event Viewer copy whose line breaks a web form lost, with no code in
// it, is claimed as free text so that its events are read (ReadMixed);
// the same words in a short sentence are not.
func TestClassifyLostBreakEventCopy(t *testing.T) {
	l := "Events below. Log Name: System Source: iScsiPrt Date: 9/24/2025 1:47:12 AM Event ID: 129 Task Category: None " +
		"Level: Warning Keywords: Classic User: N/A Computer: HV-4.example.local Description: Reset to device, \\Device\\RaidPort3, was issued."
	c := Classify(Default(), NewHead("paste.txt", []byte(l), true))
	assert.Equal(t, KindFreeText, c.Kind)
	c = Classify(Default(), NewHead("note.txt", []byte("Log Name: System, Source: iScsiPrt, nothing else.\n"), true))
	assert.NotEqual(t, KindFreeText, c.Kind)
}

// A file named after a VM's ID in its "Virtual Machines" folder gives the
// VM ID and the configuration location, for the steps about it.
func TestVMConfigFile(t *testing.T) {
	id, loc, ok := vmConfigFile(`\\BLD-7\images\base\Virtual Machines\`, "9B3E1C7A-40D2-4F85-A6E9-2C7D5B1F8E34.vmcx")
	assert.True(t, ok)
	assert.Equal(t, "9B3E1C7A-40D2-4F85-A6E9-2C7D5B1F8E34", id)
	assert.Equal(t, `\\BLD-7\images\base`, loc)
	_, _, ok = vmConfigFile(`D:\VMs\base\Snapshots`, "9B3E1C7A-40D2-4F85-A6E9-2C7D5B1F8E34.xml")
	assert.False(t, ok, "a checkpoint's configuration is not the VM's")
	_, _, ok = vmConfigFile(`D:\VMs\base\Virtual Machines`, "notes.xml")
	assert.False(t, ok)
}
