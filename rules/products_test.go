package rules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
)

func TestLoadProductsIsStrict(t *testing.T) {
	const ok = `{"filters": [{"driver": "WdFilter", "altitude": "328010", "product": "Microsoft Defender", "category": "antivirus"}],
		"processes": [{"image": "vmwp.exe", "product": "Hyper-V", "category": "hyper-v"}],
		"backup_event_sources": [{"source": "Veeam MP", "product": "Veeam"}]}`
	_, err := LoadProducts(strings.NewReader(ok))
	require.NoError(t, err)

	tests := []struct {
		name, json, want string
	}{
		{"unknown top-level field", `{"filters": [], "vendors": []}`, `unknown field "vendors"`},
		{"unknown filter field", `{"filters": [{"driver": "x", "product": "X", "category": "antivirus", "vendor": "X"}]}`, `unknown field "vendor"`},
		{"unknown source field", `{"backup_event_sources": [{"source": "x", "product": "X", "category": "backup"}]}`, `unknown field "category"`},
		{"unknown filter category", `{"filters": [{"driver": "x", "product": "X", "category": "firewall"}]}`, `category "firewall"`},
		{"process category on a filter", `{"filters": [{"driver": "x", "product": "X", "category": "hyper-v"}]}`, `category "hyper-v"`},
		{"unknown process category", `{"processes": [{"image": "x.exe", "product": "X", "category": "backup-cbt"}]}`, `category "backup-cbt"`},
		{"duplicate driver", `{"filters": [{"driver": "VeeamFCT", "product": "Veeam", "category": "backup-cbt"},
			{"driver": "veeamfct", "product": "Veeam", "category": "backup-cbt"}]}`, `"veeamfct": duplicate driver`},
		{"duplicate image", `{"processes": [{"image": "MsMpEng.exe", "product": "X", "category": "antivirus"},
			{"image": "msmpeng.exe", "product": "Y", "category": "edr"}]}`, `duplicate image`},
		{"duplicate source", `{"backup_event_sources": [{"source": "NetBackup", "product": "NetBackup"},
			{"source": "NETBACKUP", "product": "NetBackup"}]}`, `duplicate source`},
		{"empty driver", `{"filters": [{"driver": "", "product": "X", "category": "antivirus"}]}`, `driver and product are required`},
		{"empty product", `{"processes": [{"image": "x.exe", "product": " ", "category": "antivirus"}]}`, `image and product are required`},
		{"bad altitude", `{"filters": [{"driver": "x", "altitude": "32x", "product": "X", "category": "antivirus"}]}`, `altitude "32x"`},
		{"trailing data", `{} {}`, `trailing data`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadProducts(strings.NewReader(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestDefaultProducts is a sanity test of the embedded data: every row has
// a category from the closed lists and is the one its own name finds, and
// the rows the Go checks rely on by name are there.
func TestDefaultProducts(t *testing.T) {
	p := DefaultProducts()
	require.NotEmpty(t, p.Filters)
	require.NotEmpty(t, p.Processes)
	require.NotEmpty(t, p.BackupEventSources)
	for _, f := range p.Filters {
		assert.Contains(t, filterCategories, f.Category, f.Driver)
		got, ok := p.Filter(strings.ToUpper(f.Driver))
		assert.True(t, ok, f.Driver)
		assert.Equal(t, f, got)
	}
	for _, pr := range p.Processes {
		assert.Contains(t, processCategories, pr.Category, pr.Image)
		got, ok := p.Process(strings.ToUpper(pr.Image))
		assert.True(t, ok, pr.Image)
		assert.Equal(t, pr, got)
	}
	for _, s := range p.BackupEventSources {
		assert.True(t, p.IsBackupEventSource(strings.ToLower(s.Source)), s.Source)
	}
	assert.Equal(t, len(p.BackupEventSources), len(p.BackupEventSourceNames()))

	// permAVFilters sets Microsoft Defender's filter aside by name.
	f, ok := p.Filter("WdFilter")
	require.True(t, ok)
	assert.Equal(t, CategoryAntivirus, f.Category)
	// backupFailureEvents and isHyperVFailure read the vendor sources.
	assert.Subset(t, backupFailureProviders, p.BackupEventSourceNames())
}

func TestAnnotate(t *testing.T) {
	evs := []evidence.Evidence{
		{Kind: evidence.KindFilter, Attrs: map[string]string{evidence.AttrName: "CSAgent", "altitude": "321410"}},
		{Kind: evidence.KindFilter, Attrs: map[string]string{evidence.AttrName: "nosuchflt", "altitude": "321000"}},
		{Kind: evidence.KindFilterInst, Attrs: map[string]string{evidence.AttrName: "csagent", "volume": "C:"}},
		{Kind: evidence.KindHandle, Attrs: map[string]string{"process": "MsMpEng.exe", evidence.AttrPath: `D:\VMs\a.vhdx`, "vm_file": "true"}},
		{Kind: evidence.KindHandle, Attrs: map[string]string{"process": "vmwp.exe", evidence.AttrPath: `D:\VMs\a.vhdx`, "vm_file": "true"}},
		{Kind: evidence.KindHandle, Attrs: map[string]string{"process": "notepad.exe", evidence.AttrPath: `D:\VMs\a.vhdx`, "vm_file": "true"}},
		{Kind: evidence.KindEvent, Attrs: map[string]string{evidence.AttrProvider: "Veeam MP", "process": "MsMpEng.exe"}},
	}
	NewEngine(&Catalog{}).Annotate(evs)

	assert.Equal(t, map[string]string{evidence.AttrName: "CSAgent", "altitude": "321410",
		"product": "CrowdStrike", "category": CategoryAntivirus}, evs[0].Attrs)
	assert.Equal(t, map[string]string{evidence.AttrName: "nosuchflt", "altitude": "321000"}, evs[1].Attrs, "unknown driver")
	assert.Equal(t, map[string]string{evidence.AttrName: "csagent", "volume": "C:"}, evs[2].Attrs, "only filters carry a product")

	handle := func(av, hv string) map[string]string {
		return map[string]string{evidence.AttrPath: `D:\VMs\a.vhdx`, "vm_file": "true", "av_process": av, "hyperv_process": hv}
	}
	want := handle("true", "false")
	want["process"] = "MsMpEng.exe"
	assert.Equal(t, want, evs[3].Attrs)
	want = handle("false", "true")
	want["process"] = "vmwp.exe"
	assert.Equal(t, want, evs[4].Attrs)
	// An unknown process is neither: the signals match hyperv_process=false.
	want = handle("false", "false")
	want["process"] = "notepad.exe"
	assert.Equal(t, want, evs[5].Attrs)
	assert.Len(t, evs[6].Attrs, 2, "events are left alone")
}

// TestCatalogVendorSourcesAreKnown keeps the catalog's vendor signals and
// the product data saying the same: an event signal that names a backup
// product's source names no other source than Microsoft's and those of
// products/products.json.
func TestCatalogVendorSourcesAreKnown(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	p := DefaultProducts()
	checked := 0
	for _, c := range cat.Causes {
		for _, s := range append(append([]Signal{}, c.Signals...), c.Against...) {
			providers := append([]string{s.Equals[evidence.AttrProvider]}, s.AnyOf[evidence.AttrProvider]...)
			vendor := false
			for _, pr := range providers {
				vendor = vendor || p.IsBackupEventSource(pr)
			}
			if !vendor {
				continue
			}
			checked++
			for _, pr := range providers {
				if pr != "" && !strings.HasPrefix(pr, "Microsoft-Windows-") {
					assert.True(t, p.IsBackupEventSource(pr), "%s/%s names %q, which products/products.json does not list", c.ID, s.ID, pr)
				}
			}
		}
	}
	assert.NotZero(t, checked, "no catalog signal names a backup product's source")
}
