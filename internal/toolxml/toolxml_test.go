package toolxml

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvents(t *testing.T) {
	out := []byte("evtxexport 20181227\n\n<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"VSS\"/><EventID Qualifiers=\"0\">8229</EventID></System></Event>\n<Event><System><EventID>7</EventID></System></Event>\n\nAll done.\n")
	evs, err := Events(out)
	require.NoError(t, err)
	require.Len(t, evs, 2)
	assert.Equal(t, "VSS", evs[0].Child("System").Child("Provider").Attr("Name"))
	assert.Equal(t, "8229", evs[0].Child("System").Child("EventID").Text)
	assert.Equal(t, "0", evs[0].Child("System").Child("EventID").Attr("Qualifiers"))
	assert.Equal(t, "", evs[1].Child("System").Child("Missing").Child("Deeper").Text)

	none, err := Events([]byte("no events here"))
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = Events([]byte("<Event><System></Event>"))
	assert.Error(t, err)
}

func TestPythonStrings(t *testing.T) {
	assert.Equal(t, []string{"a", "b"}, PythonStrings([]string{"a", "b"}))
	assert.Equal(t, []string{"a", "", "b"}, PythonStrings([]string{"a", "", "b"}))
	assert.Equal(t, []string{"x", ""}, PythonStrings([]string{"", "x"}), "a leading empty string moves after the first value")
	assert.Empty(t, PythonStrings(nil))
}
