// Package toolxml reads the stream of <Event> elements that other EVTX
// readers print (libevtx's evtxexport -f xml, python-evtx's evtx_dump.py),
// so tests can compare what they read with what hvtriage reads.
package toolxml

import (
	"encoding/xml"
	"regexp"
	"strings"
)

// Node is a generic XML element.
type Node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []Node     `xml:",any"`
}

// Child returns the first child element with the local name, or an empty
// node, so lookups can be chained without nil checks.
func (n *Node) Child(name string) *Node {
	for i := range n.Children {
		if n.Children[i].XMLName.Local == name {
			return &n.Children[i]
		}
	}
	return &Node{}
}

// Attr returns the value of the attribute with the local name, or "".
func (n *Node) Attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

var firstEvent = regexp.MustCompile(`<Event[ >]`)

// Events parses the <Event> elements of a tool's output, ignoring the
// banner and trailing text tools print around them.
func Events(out []byte) ([]Node, error) {
	s := string(out)
	loc := firstEvent.FindStringIndex(s)
	end := strings.LastIndex(s, "</Event>")
	if loc == nil || end < 0 {
		return nil, nil
	}
	var root struct {
		Events []Node `xml:"Event"`
	}
	err := xml.Unmarshal([]byte("<Events>"+s[loc[0]:end+len("</Event>")]+"</Events>"), &root)
	return root.Events, err
}
