package evtx

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An Event Viewer copy that lost its line breaks in a chat paste, with
// prose before it and after a paragraph gap. Names are our own.
func TestSplitDetailsLine(t *testing.T) {
	l := "the worker log says: Log Name: Microsoft-Windows-Hyper-V-Worker-Admin Source: Microsoft-Windows-Hyper-V-Worker " +
		"Date: 02.06.2026 09:14:51 Event ID: 3040 Task Category: None Level: Error User: NT VIRTUAL MACHINE\\5D1C Computer: LAB-HV7.corp.example " +
		"Description: 'QA-APP9' could not initialize. (Virtual machine ID 5D1C0A4E-8B27-4F63-9E10-2A7C4D8B6F15)   any idea? thanks"
	lines, ok := SplitDetailsLine(l)
	require.True(t, ok)
	assert.Equal(t, "Log Name: Microsoft-Windows-Hyper-V-Worker-Admin", lines[0])
	assert.Equal(t, "Event ID: 3040", lines[3])
	assert.Equal(t, "Description:", lines[len(lines)-2])
	assert.Equal(t, "'QA-APP9' could not initialize. (Virtual machine ID 5D1C0A4E-8B27-4F63-9E10-2A7C4D8B6F15)", lines[len(lines)-1])

	var got []*Event
	_, err := WalkText(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"), func(ev *Event) error {
		got = append(got, ev)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, uint32(3040), uint32(got[0].EventID))
	assert.Equal(t, "Microsoft-Windows-Hyper-V-Worker", got[0].Provider)

	// The same words in prose, with no event ID or description, are no block.
	_, ok = SplitDetailsLine("Log Name: System, Source: Disk, then it rebooted")
	assert.False(t, ok)
	_, ok = SplitDetailsLine("Source: VSS Event ID: 8193 Description: something")
	assert.False(t, ok, "no log name")
}
