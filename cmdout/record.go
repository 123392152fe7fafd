package cmdout

import "strconv"

// A Record is one item of a command output that is one piece of evidence
// on its own: a boot entry, a CSV's I/O mode, a volume's free space. The
// parsers of such outputs append their records to Doc.Records, and the
// analyzer turns every record into evidence the same way, so an output of
// this shape needs no mapping code outside its parser's file.
//
// Outputs whose records combine into evidence (vssadmin, the VM and VHD
// cmdlets, icacls and secedit, listings, error records) keep their typed
// fields in Doc and their mapping in the analyzer.
type Record interface {
	// Evidence says what the record is evidence of. The package does not
	// know the evidence vocabulary: Kind and the attribute names are plain
	// strings, held to evidence.Schema by a test in package analyze.
	Evidence() Fact
}

// Fact is a record seen as evidence.
type Fact struct {
	Kind    string            // the evidence kind, "boot.entry"
	Line    int               // the line to cite, 1-based
	Time    Timestamp         // when, if the output says (zero otherwise)
	Summary string            // one line for people
	Attrs   map[string]string // the kind's attributes
}

// addRecord appends a record in file order.
func (d *Doc) addRecord(r Record) { d.Records = append(d.Records, r) }

// RecordsOf returns the records of type T, in file order.
func RecordsOf[T Record](d *Doc) []T {
	var out []T
	for _, r := range d.Records {
		if t, ok := r.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// quote and orText help word summaries.
func quote(s string) string { return "'" + s + "'" }

func orText(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}

func boolText(b bool) string { return strconv.FormatBool(b) }
