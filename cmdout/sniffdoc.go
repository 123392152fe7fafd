package cmdout

// SniffDoc classifies text as Sniff does and, when the text is short
// enough for Sniff to have parsed all of it, also returns that parse (the
// Doc and its problems, as Parse returns them), so that a small file is
// parsed once for classification and extraction together. doc is nil when
// the text was cut for sniffing or is CliXML.
func SniffDoc(text string) (kind Kind, doc *Doc, problems []Problem) {
	if len(text) > sniffTextLimit || isCliXML(text) {
		return Sniff(text), nil, nil
	}
	d, problems := Parse(text)
	switch {
	case len(d.Kinds) > 0:
		return d.Kinds[0], d, problems
	case len(d.NoItems) > 0:
		return KindVSSShadows, d, problems
	}
	return KindUnknown, d, problems
}
