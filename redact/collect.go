package redact

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/vhdx"
)

// found gathers sensitive values per class in the order they were met, so
// that numbering follows the bundle's (sorted) file order.
type found struct {
	lists map[Class][]string
	seen  map[string]bool
}

func newFound() *found { return &found{lists: map[Class][]string{}, seen: map[string]bool{}} }

func (f *found) add(c Class, v string) {
	v = strings.TrimSpace(strings.Trim(v, `"'`))
	if v == "" {
		return
	}
	k := string(c) + "\x00" + fold(v)
	if f.seen[k] {
		return
	}
	f.seen[k] = true
	f.lists[c] = append(f.lists[c], v)
}

// host records a computer name; a fully qualified one gives its domain too.
func (f *found) host(name string) {
	name = strings.TrimSuffix(strings.TrimSpace(name), ".")
	if name == "" || strings.ContainsAny(name, `\/ :`) {
		return
	}
	if a, err := netip.ParseAddr(name); err == nil {
		f.ip(a)
		return
	}
	h, dom, ok := strings.Cut(name, ".")
	f.add(ClassHost, h)
	if ok && dom != "" {
		f.add(ClassDomain, dom)
	}
}

// account records "DOMAIN\user", "user@domain" or a bare user name.
// Well-known authorities and their accounts stay.
func (f *found) account(s string) {
	s = strings.TrimSpace(strings.TrimPrefix(s, "*"))
	if s == "" || strings.HasPrefix(s, "S-1-") {
		return
	}
	if d, u, ok := strings.Cut(s, `\`); ok {
		if wellKnownAuthority[fold(d)] {
			return
		}
		f.add(classDomainNetBIOS, d)
		f.add(ClassUser, u)
		return
	}
	if u, d, ok := strings.Cut(s, "@"); ok {
		f.add(ClassUser, u)
		f.add(ClassDomain, d)
		return
	}
	f.add(ClassUser, s)
}

var wellKnownAuthority = setOf("nt authority", "builtin", "nt virtual machine", "nt service", "window manager",
	"font driver host", "iis apppool", "nt vm", "application package authority")

// classDomainNetBIOS is a NetBIOS domain name: given a DOMAIN-n pseudonym
// after the DNS domains, so that CONTOSO joins contoso.local's.
const classDomainNetBIOS Class = "domain-netbios"

func (f *found) ip(a netip.Addr) {
	switch {
	case a.Is4() || a.Is4In6():
		f.add(ClassIPv4, a.Unmap().String())
	default:
		f.add(ClassIPv6, a.String())
	}
}

var (
	ipv4RE  = regexp.MustCompile(`(?:^|[^0-9.])((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?:$|[^0-9.])`)
	ipv6RE  = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}`)
	uncRE   = regexp.MustCompile(`\\\\([A-Za-z0-9][A-Za-z0-9.-]*)\\([^\\/\s"'<>|:*?]+)`)
	usersRE = regexp.MustCompile(`(?i)\\Users\\([^\\/\s"'<>|:*?]+)`)
)

var keepShares = setOf("c$", "d$", "e$", "f$", "admin$", "ipc$", "print$", "sysvol", "netlogon", "clusterstorage$")

// scan finds values by shape in any text: IP addresses, the server and
// share of UNC paths, user profile folders.
func (f *found) scan(text string) {
	for _, loc := range ipv4RE.FindAllStringSubmatchIndex(text, -1) {
		s := text[loc[2]:loc[3]]
		// A dotted quad after "version" on its line is a version number.
		line := text[strings.LastIndexByte(text[:loc[2]], '\n')+1 : loc[2]]
		if strings.Contains(strings.ToLower(line), "version") {
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil {
			f.ip(a)
		}
	}
	for _, s := range ipv6RE.FindAllString(text, -1) {
		if !strings.Contains(s, "::") && strings.Count(s, ":") != 7 {
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() && !a.Is4In6() {
			f.ip(a)
		}
	}
	for _, m := range uncRE.FindAllStringSubmatch(text, -1) {
		if m[1] == "?" || m[1] == "." {
			continue
		}
		f.host(m[1])
		if !keepShares[fold(m[2])] {
			f.add(ClassShare, m[2])
		}
	}
	for _, m := range usersRE.FindAllStringSubmatch(text, -1) {
		if !setOf("public", "default", "all users", "default user")[fold(m[1])] {
			f.add(ClassUser, m[1])
		}
	}
}

// event collects from one event, whatever format it came in.
func (f *found) event(e *evtx.Event) {
	f.host(e.Computer)
	for _, fs := range [][]evtx.Field{e.Data, e.UserData} {
		for _, fl := range fs {
			switch fold(fl.Name) {
			case "vmname", "virtualmachinename", "vm_name":
				f.add(ClassVM, fl.Value)
			case "servername", "computername", "nodename", "hostname", "workstationname", "machinename":
				f.host(strings.TrimPrefix(fl.Value, `\\`))
			case "targetusername", "subjectusername", "username", "accountname", "user":
				f.account(fl.Value)
			case "targetdomainname", "subjectdomainname", "domainname", "domain":
				if !wellKnownAuthority[fold(fl.Value)] {
					f.add(classDomainNetBIOS, fl.Value)
				}
			}
			f.scan(fl.Value)
		}
	}
	f.scan(e.Message)
}

// doc collects from a parsed command output.
func (f *found) doc(d *cmdout.Doc) {
	for _, v := range d.VMs {
		f.add(ClassVM, v.Name)
	}
	for _, s := range d.Snapshots {
		f.add(ClassVM, s.VMName)
	}
	for _, h := range d.HardDrives {
		f.add(ClassVM, h.VMName)
	}
	for _, c := range d.Chain {
		f.add(ClassVM, c.VMName)
	}
	for _, b := range d.BasicInfo {
		f.add(ClassVM, b.Name)
	}
	for _, e := range d.Errors {
		f.add(ClassVM, e.VM)
	}
	for _, s := range cmdout.RecordsOf[cmdout.IntegrationService](d) {
		f.add(ClassVM, s.VMName)
	}
	for _, c := range cmdout.RecordsOf[cmdout.CSVState](d) {
		f.host(c.Node)
	}
	for _, v := range d.VHDs {
		f.host(v.ComputerName)
	}
	for _, h := range d.Hosts {
		f.host(h.ComputerName)
	}
	for _, a := range d.ACLs {
		for _, ace := range a.ACEs {
			if ace.SID == "" {
				f.account(ace.Principal)
			}
		}
	}
	for _, r := range d.Rights {
		for _, a := range r.Accounts {
			if !a.Star {
				f.account(a.Value)
			}
		}
	}
	for _, h := range d.Handles {
		f.account(h.User)
	}
}

// collectEntry reads one file of the bundle for sensitive values.
func collectEntry(ctx context.Context, f *found, e *analyze.Entry, kind string) error {
	f.scan(e.Path)
	switch kind {
	case analyze.KindEVTX:
		ra, err := e.ReaderAt()
		if err != nil {
			return err
		}
		_, err = evtx.Walk(ctx, ra, e.Size, func(ev *evtx.Event) error { f.event(ev); return nil })
		return err
	case analyze.KindVHDX:
		ra, err := e.ReaderAt()
		if err != nil {
			return err
		}
		d, err := vhdx.Open(ra, e.Size)
		if err != nil || d.Parent == nil {
			return err
		}
		for _, en := range d.Parent.Entries {
			f.scan(en.Value)
		}
		return nil
	case analyze.KindVHD:
		ra, err := e.ReaderAt()
		if err != nil {
			return err
		}
		v, err := vhdx.OpenVHD(ra, e.Size)
		if err != nil || v.Dynamic == nil {
			return err
		}
		f.scan(v.Dynamic.ParentName)
		for _, l := range v.Dynamic.Locators {
			f.scan(l.Path)
		}
		return nil
	case analyze.KindZip, analyze.KindLocaleMetadata, analyze.KindUnknown:
		if kind == analyze.KindUnknown {
			if b, err := readAll(e); err == nil && !isBinaryText(b) {
				text, _, _ := cmdout.Decode(b)
				f.scan(text)
			}
		}
		return nil
	}
	b, err := readAll(e)
	if err != nil {
		return err
	}
	text, _, _ := cmdout.Decode(b)
	f.scan(text)
	if kind != analyze.KindEVTXXML && kind != analyze.KindEVTXText {
		// Event Viewer copies whose line breaks were lost (a web form
		// joined them into one line) name hosts and users the analysis
		// reads from them too.
		f.inlineEvents(ctx, text)
	}
	switch kind {
	case analyze.KindEVTXXML:
		_, err = evtx.WalkXML(ctx, bytes.NewReader(b), func(ev *evtx.Event) error { f.event(ev); return nil })
	case analyze.KindEVTXText:
		_, err = evtx.WalkText(ctx, bytes.NewReader(b), func(ev *evtx.Event) error { f.event(ev); return nil })
	case analyze.KindBackupLog:
		// A backup product's log names the VMs it protects in its own
		// words; the reader that finds them for the analysis finds them
		// here.
		for _, e := range cmdout.ParseBackupLog(text).Entries {
			f.add(ClassVM, e.VM)
		}
	default:
		d, _ := cmdout.Parse(text)
		f.doc(d)
	}
	return err
}

// inlineEvents collects the values of the events held in lines whose
// breaks were lost (evtx.SplitDetailsLine).
func (f *found) inlineEvents(ctx context.Context, text string) {
	for _, l := range strings.Split(text, "\n") {
		if len(l) < evtx.MinDetailsLine {
			continue
		}
		if block, ok := evtx.SplitDetailsLine(l); ok {
			_, _ = evtx.WalkText(ctx, strings.NewReader(strings.Join(block, "\n")+"\n"), func(ev *evtx.Event) error { f.event(ev); return nil })
		}
	}
}

// maxRead bounds what the redactor holds of one text or disk file.
const maxRead = 512 << 20

func readAll(e *analyze.Entry) ([]byte, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if e.Size > maxRead {
		return nil, errTooLarge
	}
	return io.ReadAll(io.LimitReader(rc, maxRead+1))
}

// fill gives pseudonyms to what was found: VMs first (a guest's computer
// name is its VM's name), then hosts, DNS domains with their first label as
// the NetBIOS name, NetBIOS-only domains, users, shares and addresses.
func (f *found) fill(m *Map) {
	for _, v := range f.lists[ClassVM] {
		m.Add(ClassVM, v)
	}
	for _, h := range f.lists[ClassHost] {
		m.Add(ClassHost, h)
	}
	for _, d := range f.lists[ClassDomain] {
		if p, ok := m.Add(ClassDomain, d); ok {
			if first, _, dotted := strings.Cut(d, "."); dotted {
				m.alias(ClassDomain, first, p)
			}
		}
	}
	for _, d := range f.lists[classDomainNetBIOS] {
		m.Add(ClassDomain, d)
	}
	for _, c := range []Class{ClassUser, ClassShare, ClassIPv4, ClassIPv6} {
		for _, v := range f.lists[c] {
			m.Add(c, v)
		}
	}
}
