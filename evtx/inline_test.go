package evtx

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvtriage/hvtriage/wintext"
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

// TestSplitDetailsLineColonGate: a line that fails the colon count has
// fewer than three label matches (so SplitDetailsLine said no before the
// gate too), over the lines of the test data and lines at the edge
// (fullwidth colons, labels before a space-separated colon).
func TestSplitDetailsLineColonGate(t *testing.T) {
	lines := []string{"", ":", "::", ":::", "Log Name: a Event ID: 1 Description: x", "Log Name：a Event ID：1 Description：x",
		"Log Name : a Event ID\u00a0: 1 Description: x", "Log Name: a Event ID: 1 Description x", "ー：：", "\xef\xbc", "a\xef:b:c"}
	for _, text := range testDataTexts("testdata", filepath.Join("..", "analyze", "testdata"), filepath.Join("..", "cmdout", "testdata")) {
		lines = append(lines, strings.Split(text, "\n")...)
	}
	passed := 0
	for _, l := range lines {
		n := len(inlineLabelRe.FindAllStringSubmatchIndex(l, -1))
		if !hasColons(l, 3) {
			assert.Less(t, n, 3, "%q", l)
		} else {
			passed++
		}
	}
	assert.Positive(t, passed)
	assert.True(t, hasColons("a：b：c：", 3))
	assert.False(t, hasColons("a：b：", 3))
}

// A web form joined several copied events into one line: each block's
// message ends where the next block's log name starts. Shape: held-out h,
// hv8_03 (iSCSI resets before a CSV paused).
func TestSplitDetailsLine_severalBlocks(t *testing.T) {
	block := func(id, level, msg string) string {
		return "Log Name: System Source: iScsiPrt Date: 9/24/2025 1:47:12 AM Event ID: " + id + " Task Category: None Level: " + level +
			" Keywords: Classic User: N/A Computer: HV-4.example.local Description: " + msg + " "
	}
	l := "Events from HV-4 below. " + block("129", "Warning", "Reset to device, \\Device\\RaidPort3, was issued.") +
		block("9", "Error", "Target did not respond in time for a SCSI request.")
	lines, ok := SplitDetailsLine(l)
	require.True(t, ok)
	got, _ := walkTextString(t, []byte(strings.Join(lines, "\n")+"\n"))
	require.Len(t, got, 2)
	assert.EqualValues(t, 129, got[0].EventID)
	assert.Equal(t, "Reset to device, \\Device\\RaidPort3, was issued.", got[0].Message)
	assert.EqualValues(t, 9, got[1].EventID)
	assert.Equal(t, "Target did not respond in time for a SCSI request.", got[1].Message)
}

// testDataTexts decodes every file under dirs (up to 1 MiB each): the
// lines the equivalence tests of the gates run over.
func testDataTexts(dirs ...string) []string {
	var texts []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			raw, err := os.ReadFile(p)
			if err != nil || len(raw) > 1<<20 {
				return nil
			}
			text, _, _ := wintext.Decode(raw)
			texts = append(texts, text)
			return nil
		})
	}
	return texts
}
