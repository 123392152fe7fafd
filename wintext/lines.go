package wintext

import "strings"

// Lines splits text into lines without their terminators. A trailing
// newline does not produce an extra empty line. A stray CR at a line's end
// is removed, so text that did not go through Decode is read the same.
func Lines(text string) []string {
	if text == "" {
		return nil
	}
	ls := strings.Split(text, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	for i, l := range ls {
		ls[i] = strings.TrimRight(l, "\r")
	}
	return ls
}

// HeadLines splits the decoded head of a longer text into lines like
// Lines, but drops the last line, which the cut may have ended in the
// middle (unless it is the only one).
func HeadLines(head string) []string {
	lines := strings.Split(head, "\n")
	if len(lines) > 1 {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}
