package wintext

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLines(t *testing.T) {
	assert.Nil(t, Lines(""))
	assert.Equal(t, []string{"a", "b"}, Lines("a\r\nb\n"))
	assert.Equal(t, []string{"a", "", "b"}, Lines("a\n\nb"))
}

func TestHeadLinesDropsTheCutLine(t *testing.T) {
	assert.Equal(t, []string{"Log Name: System", "Source: VHDMP"}, HeadLines("Log Name: System\r\nSource: VHDMP\r\nEvent I"))
	assert.Equal(t, []string{"one line only"}, HeadLines("one line only"))
}
