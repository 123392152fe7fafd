// Package redact makes a copy of a support bundle that can be shared
// without the customer's names: host and domain names, user names, IP
// addresses, VM names and share names are replaced by stable pseudonyms
// (HOST-1, DOMAIN-1, user-1, VM-1, SHARE-1, 192.0.2.1, 2001:db8::1), the
// same pseudonym for the same value in every file, file name and format.
// GUIDs, codes, event IDs, sizes, times and Windows' own folder names stay,
// so the analysis reads the same facts from the copy.
//
// Redaction works in two passes over the bundle: Collect gathers the
// sensitive values into a Map, then Write rewrites every file with the
// rewriter for its kind (see rewriters). A file no rewriter can redact
// safely is left out of the copy and listed, never copied through.
package redact

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/hvtriage/hvtriage/rules"
)

// Class is the kind of a sensitive value; it selects the pseudonym form.
type Class string

// Classes of sensitive values.
const (
	ClassHost   Class = "host"
	ClassDomain Class = "domain"
	ClassUser   Class = "user"
	ClassVM     Class = "vm"
	ClassShare  Class = "share"
	ClassIPv4   Class = "ipv4"
	ClassIPv6   Class = "ipv6"
)

var prefixes = map[Class]string{
	ClassHost: "HOST-", ClassDomain: "DOMAIN-", ClassUser: "user-", ClassVM: "VM-", ClassShare: "SHARE-",
}

// Pair is one original value and its pseudonym.
type Pair struct {
	Class     Class  `json:"class"`
	Original  string `json:"original"`
	Pseudonym string `json:"pseudonym"`
}

// Map holds the pseudonyms of one case. Originals are matched without
// regard to case (Windows names are case-insensitive). The zero value is
// not usable; call NewMap or LoadMap.
type Map struct {
	mu    sync.Mutex
	pairs []Pair
	index map[string]int // folded original → pairs index
	next  map[Class]int
	rep   *replacer // built lazily, reset by Add
}

// mapFile is the JSON form of a map file.
type mapFile struct {
	Schema string `json:"schema"`
	Note   string `json:"note"`
	Pairs  []Pair `json:"pairs"`
}

// MapSchema identifies the map file format.
const MapSchema = "hvtriage-redact-map/1"

// NewMap returns an empty map.
func NewMap() *Map {
	return &Map{index: map[string]int{}, next: map[Class]int{}}
}

// LoadMap reads a map written by Save, so that a second bundle of the same
// case gets the same pseudonyms and numbering continues after them.
func LoadMap(r io.Reader) (*Map, error) {
	var f mapFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("redact map: %w", err)
	}
	if f.Schema != MapSchema {
		return nil, fmt.Errorf("redact map: schema %q, want %q", f.Schema, MapSchema)
	}
	m := NewMap()
	for _, p := range f.Pairs {
		if p.Original == "" || p.Pseudonym == "" {
			return nil, errors.New("redact map: a pair has an empty original or pseudonym")
		}
		if _, dup := m.index[fold(p.Original)]; dup {
			continue
		}
		m.index[fold(p.Original)] = len(m.pairs)
		m.pairs = append(m.pairs, p)
		if n := pseudonymNumber(p); n > m.next[p.Class] {
			m.next[p.Class] = n
		}
	}
	return m, nil
}

// LoadMapFile reads a map file; a missing file gives an empty map.
func LoadMapFile(path string) (*Map, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return NewMap(), nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadMap(f)
}

// Save writes the map as JSON. The map is the key to the pseudonyms: it
// stays with the engineer and never goes into a redacted bundle.
func (m *Map) Save(w io.Writer) error {
	m.mu.Lock()
	f := mapFile{Schema: MapSchema, Note: "original → pseudonym; keep private, never share with the redacted bundle", Pairs: slices.Clone(m.pairs)}
	m.mu.Unlock()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(f)
}

// SaveFile writes the map to path, readable by its owner only.
func (m *Map) SaveFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Pairs returns the pairs in the order they were added.
func (m *Map) Pairs() []Pair {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.pairs)
}

// Lookup returns the pseudonym of an original value.
func (m *Map) Lookup(original string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[fold(original)]
	if !ok {
		return "", false
	}
	return m.pairs[i].Pseudonym, true
}

// Add records a sensitive value and returns its pseudonym: the existing
// one when the value (in any case) is known, else the next of its class.
// Values that must stay readable (Windows' own names, well-known accounts,
// loopback addresses) and values too short to replace safely are refused
// with ok false.
func (m *Map) Add(c Class, original string) (pseudonym string, ok bool) {
	original = strings.TrimSpace(original)
	if !worthRedacting(c, original) {
		return "", false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if i, ok := m.index[fold(original)]; ok {
		return m.pairs[i].Pseudonym, true
	}
	return m.addLocked(c, original), true
}

// alias maps another spelling of a value to an existing pseudonym (a
// domain's NetBIOS name to its DNS suffix's pseudonym).
func (m *Map) alias(c Class, original, pseudonym string) {
	if !worthRedacting(c, original) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.index[fold(original)]; ok {
		return
	}
	m.index[fold(original)] = len(m.pairs)
	m.pairs = append(m.pairs, Pair{Class: c, Original: original, Pseudonym: pseudonym})
	m.rep = nil
}

func (m *Map) addLocked(c Class, original string) string {
	m.next[c]++
	n := m.next[c]
	var p string
	switch c {
	case ClassIPv4:
		// TEST-NET-1 (RFC 5737): 192.0.2.1 … 192.0.2.254, then TEST-NET-2 and -3.
		nets := []string{"192.0.2.", "198.51.100.", "203.0.113."}
		p = fmt.Sprintf("%s%d", nets[((n-1)/254)%3], (n-1)%254+1)
	case ClassIPv6:
		p = fmt.Sprintf("2001:db8::%x", n) // RFC 3849 documentation prefix
	case ClassVM:
		// A name that says the VM is a domain controller is evidence a
		// rule weighs (rules.NamedLikeDC); the pseudonym keeps the hint (DC-n, as short as VM-n for table columns).
		p = fmt.Sprintf("VM-%d", n)
		if rules.NamedLikeDC(original) {
			p = fmt.Sprintf("DC-%d", n)
		}
	default:
		p = fmt.Sprintf("%s%d", prefixes[c], n)
	}
	m.index[fold(original)] = len(m.pairs)
	m.pairs = append(m.pairs, Pair{Class: c, Original: original, Pseudonym: p})
	m.rep = nil
	return p
}

func pseudonymNumber(p Pair) int {
	var n int
	switch p.Class {
	case ClassIPv4:
		a, err := netip.ParseAddr(p.Pseudonym)
		if err != nil || !a.Is4() {
			return 0
		}
		b := a.As4()
		base := map[[3]byte]int{{192, 0, 2}: 0, {198, 51, 100}: 254, {203, 0, 113}: 508}[[3]byte{b[0], b[1], b[2]}]
		return base + int(b[3])
	case ClassIPv6:
		fmt.Sscanf(strings.TrimPrefix(p.Pseudonym, "2001:db8::"), "%x", &n)
	default:
		rest := strings.TrimPrefix(p.Pseudonym, prefixes[p.Class])
		if p.Class == ClassVM {
			rest = strings.TrimPrefix(rest, "DC-")
		}
		fmt.Sscanf(rest, "%d", &n)
	}
	return n
}

// fold is the case-insensitive key of a value.
func fold(s string) string { return strings.ToLower(s) }

// keep lists names that look like host, user or folder names but are
// Windows' own (or too generic to hide anything) and must stay readable.
var keep = setOf(
	"localhost", "windows", "system", "system32", "microsoft", "hyper-v", "program files", "programdata",
	"program files (x86)", "users", "public", "default", "virtual hard disks", "virtual machines", "snapshots",
	"clusterstorage", "administrator", "administrators", "guest", "everyone", "nt authority", "builtin",
	"nt virtual machine", "nt service", "network service", "local service", "creator owner", "authenticated users",
	"domain admins", "domain users", "hyper-v administrators", "backup operators", "users", "workgroup",
	"n/a", "none", "true", "false", "unknown", "local", "localdomain", "cluster", "vmms", "vmwp",
	"default switch", "name", "vmname", "host", "computer", "node", "server", "vm", "disk",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func worthRedacting(c Class, s string) bool {
	switch c {
	case ClassIPv4, ClassIPv6:
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		return !(a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || a.IsLinkLocalMulticast() ||
			isDocumentation(a) || a == netip.MustParseAddr("255.255.255.255"))
	}
	if len(s) < 2 || keep[fold(s)] || isPseudonym(s) {
		return false
	}
	if strings.HasPrefix(fold(s), "volume") && strings.Trim(s[6:], "0123456789") == "" {
		return false // ClusterStorage\VolumeN
	}
	return strings.ContainsFunc(s, func(r rune) bool { return r > '9' || r < '0' }) // not a bare number
}

func isDocumentation(a netip.Addr) bool {
	for _, p := range []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"} {
		if netip.MustParsePrefix(p).Contains(a) {
			return true
		}
	}
	return false
}

func isPseudonym(s string) bool {
	for _, p := range append(slices.Collect(maps.Values(prefixes)), "DC-") {
		rest, ok := strings.CutPrefix(s, p)
		if ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}
