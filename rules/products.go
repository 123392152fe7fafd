package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
)

// Product categories. A minifilter driver is antivirus, edr, backup-cbt
// or microsoft; a process is antivirus, edr, backup or hyper-v (a
// process that holds VM files by design).
const (
	CategoryAntivirus = "antivirus"
	CategoryEDR       = "edr"
	CategoryBackupCBT = "backup-cbt"
	CategoryMicrosoft = "microsoft"
	CategoryBackup    = "backup"
	CategoryHyperV    = "hyper-v"
)

var (
	filterCategories  = []string{CategoryAntivirus, CategoryEDR, CategoryBackupCBT, CategoryMicrosoft}
	processCategories = []string{CategoryAntivirus, CategoryEDR, CategoryBackup, CategoryHyperV}
)

// Products is what hvtriage knows about the products found beside
// Hyper-V: antivirus, EDR and backup products, by the minifilter drivers
// they load, the processes they run and the event sources they log
// under. It is data (products/products.json), loaded strictly by
// LoadProducts; the extractors report only what they read (a filter's
// name and altitude, a handle's process) and Annotate adds what the data
// knows.
type Products struct {
	Filters            []ProductFilter     `json:"filters"`
	Processes          []ProductProcess    `json:"processes"`
	BackupEventSources []BackupEventSource `json:"backup_event_sources"`

	filterByName   map[string]*ProductFilter
	processByImage map[string]*ProductProcess
	sourceByName   map[string]*BackupEventSource
}

// ProductFilter is a minifilter driver whose product is known.
type ProductFilter struct {
	Driver   string `json:"driver"`
	Altitude string `json:"altitude"` // as allocated; "" when several are in use
	Product  string `json:"product"`
	Category string `json:"category"`
}

// ProductProcess is a process image whose product is known.
type ProductProcess struct {
	Image    string `json:"image"` // as Handle.exe prints it, e.g. "vmwp.exe"
	Product  string `json:"product"`
	Category string `json:"category"`
}

// BackupEventSource is an event source a backup product logs under in the
// Application log.
type BackupEventSource struct {
	Source  string `json:"source"`
	Product string `json:"product"`
}

//go:embed products/products.json
var productsJSON []byte

// defaultProducts is the embedded product data, read by Annotate's callers
// and by the checks that name backup products' event sources. It is
// validated by tests: a load error here is a broken build.
var defaultProducts = mustLoadProducts(productsJSON)

func mustLoadProducts(b []byte) *Products {
	p, err := LoadProducts(bytes.NewReader(b))
	if err != nil {
		panic(fmt.Sprintf("rules: embedded products/products.json: %v", err))
	}
	return p
}

// DefaultProducts returns the embedded product data.
func DefaultProducts() *Products { return defaultProducts }

var altitudePattern = regexp.MustCompile(`^\d{1,6}(?:\.\d+)?$`)

// LoadProducts reads product data strictly: unknown fields, empty names,
// categories outside the closed lists, malformed altitudes and duplicate
// drivers, images or sources (ignoring case, as Windows does) are all
// errors, reported together.
func LoadProducts(r io.Reader) (*Products, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var p Products
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("products: %w", err)
	}
	if dec.More() {
		return nil, errors.New("products: trailing data")
	}
	p.filterByName = make(map[string]*ProductFilter, len(p.Filters))
	p.processByImage = make(map[string]*ProductProcess, len(p.Processes))
	p.sourceByName = make(map[string]*BackupEventSource, len(p.BackupEventSources))
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for i := range p.Filters {
		f := &p.Filters[i]
		key := strings.ToLower(f.Driver)
		switch {
		case strings.TrimSpace(f.Driver) == "" || strings.TrimSpace(f.Product) == "":
			bad("filter #%d: driver and product are required", i)
			continue
		case p.filterByName[key] != nil:
			bad("filter %q: duplicate driver", f.Driver)
		}
		if !slices.Contains(filterCategories, f.Category) {
			bad("filter %q: category %q is not one of %s", f.Driver, f.Category, strings.Join(filterCategories, ", "))
		}
		if f.Altitude != "" && !altitudePattern.MatchString(f.Altitude) {
			bad("filter %q: altitude %q is not a number", f.Driver, f.Altitude)
		}
		p.filterByName[key] = f
	}
	for i := range p.Processes {
		pr := &p.Processes[i]
		key := strings.ToLower(pr.Image)
		switch {
		case strings.TrimSpace(pr.Image) == "" || strings.TrimSpace(pr.Product) == "":
			bad("process #%d: image and product are required", i)
			continue
		case p.processByImage[key] != nil:
			bad("process %q: duplicate image", pr.Image)
		}
		if !slices.Contains(processCategories, pr.Category) {
			bad("process %q: category %q is not one of %s", pr.Image, pr.Category, strings.Join(processCategories, ", "))
		}
		p.processByImage[key] = pr
	}
	for i := range p.BackupEventSources {
		s := &p.BackupEventSources[i]
		key := strings.ToLower(s.Source)
		switch {
		case strings.TrimSpace(s.Source) == "" || strings.TrimSpace(s.Product) == "":
			bad("backup event source #%d: source and product are required", i)
			continue
		case p.sourceByName[key] != nil:
			bad("backup event source %q: duplicate source", s.Source)
		}
		p.sourceByName[key] = s
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("products: %w", err)
	}
	return &p, nil
}

// Filter finds a minifilter driver by name, ignoring case.
func (p *Products) Filter(driver string) (ProductFilter, bool) {
	if f := p.filterByName[strings.ToLower(driver)]; f != nil {
		return *f, true
	}
	return ProductFilter{}, false
}

// Process finds a process by image name, ignoring case.
func (p *Products) Process(image string) (ProductProcess, bool) {
	if pr := p.processByImage[strings.ToLower(image)]; pr != nil {
		return *pr, true
	}
	return ProductProcess{}, false
}

// IsBackupEventSource reports whether provider is the event source of a
// backup product, ignoring case.
func (p *Products) IsBackupEventSource(provider string) bool {
	return p.sourceByName[strings.ToLower(provider)] != nil
}

// BackupEventSourceNames lists the backup products' event sources, in the
// data's order.
func (p *Products) BackupEventSourceNames() []string {
	out := make([]string, len(p.BackupEventSources))
	for i, s := range p.BackupEventSources {
		out[i] = s.Source
	}
	return out
}

// Annotate adds to the extractors' evidence what the data knows about
// the products it names, in place:
//
//	filter  product category            (when the driver is known)
//	handle  av_process hyperv_process   ("true" or "false", always)
//
// A handle's two flags are always set, since signals match
// hyperv_process=false: a process the data does not know is neither.
func (p *Products) Annotate(evs []evidence.Evidence) {
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case evidence.KindFilter:
			f, ok := p.Filter(e.Attrs[evidence.AttrName])
			if !ok {
				continue
			}
			e.Attrs["product"], e.Attrs["category"] = f.Product, f.Category
		case evidence.KindHandle:
			pr, ok := p.Process(e.Attrs["process"])
			if e.Attrs == nil {
				e.Attrs = map[string]string{}
			}
			av := ok && (pr.Category == CategoryAntivirus || pr.Category == CategoryEDR)
			e.Attrs["av_process"], e.Attrs["hyperv_process"] = boolAttr(av), boolAttr(ok && pr.Category == CategoryHyperV)
		}
	}
}

func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
