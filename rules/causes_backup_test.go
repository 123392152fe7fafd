package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

var (
	providerVeeam = VSSProvider{Name: "Veeam Hyper-V Integration VSS Provider", Type: "Software", ID: "2c2a4f1e-7b3d-4e9a-8c15-6d0f3a9b2e71", Version: "12.1.0.2131"}
	providerSAN   = VSSProvider{Name: "Contoso SAN VSS Hardware Provider", Type: "Hardware", ID: "0f3c9a52-7d1e-4b88-a6c4-2e9d51b7f803", Version: "4.2.0.118"}
)

const web01Disks = `D:\Hyper-V\WEB01\Virtual Hard Disks`

func web01Checkpoint(name, typ string, created time.Time) Checkpoint {
	return Checkpoint{VMName: "WEB01", Name: name, Type: typ, Created: created, VMID: web01ID,
		ID: "9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58", Path: `D:\Hyper-V\WEB01\Snapshots`,
		HardDrives: []string{web01Disks + `\WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx`}}
}

func backupFailed(vm, vmID string, t time.Time) evtxwrite.Record {
	// The VMMS event ID of this message varies by build: the rule keys on
	// the provider, the VM and the text, not on the ID.
	return hv02.VMMS(18016, LevelError, t, vm, vmID,
		F("ErrorMessage", "Could not create backup checkpoint for virtual machine '"+vm+"': Non-retryable error. (0x800423F4)"))
}

func providersWithVeeam() []byte {
	return UTF16(VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware, providerVeeam}))
}

// singleProduct is one backup product (one third-party provider), healthy
// writers and a clean Application log.
func singleProduct(*testing.T) Files {
	app := []evtxwrite.Record{hv02.Classic("Application", "VSS", 8224, 0, LevelInfo, At(3, 0, 0))}
	return Files{
		"providers.txt":    providersWithVeeam(),
		"writers.txt":      UTF16(VSSAdminWriters(HealthyWriters())),
		"Application.evtx": EVTX(app, 10),
	}
}

var backupCases = []causeCase{
	// An image optimizer left the guest's Volume Shadow Copy service
	// disabled; the host's view of the integration service says nothing
	// is wrong. Shape: held-out j/hv10_15, m/hv13_11, o/hv15_18.
	{name: "the guest's VSS service disabled", cause: "guest-integration-vss-unavailable",
		build: func(*testing.T) Files {
			sc := "C:\\Windows\\system32>sc qc VSS\r\n[SC] QueryServiceConfig SUCCESS\r\n\r\nSERVICE_NAME: VSS\r\n" +
				"        TYPE               : 10  WIN32_OWN_PROCESS\r\n        START_TYPE         : 4   DISABLED\r\n"
			return Files{"guest-sc.txt": ASCII(sc)}
		},
		want: firing().with("guest-vss-service-disabled")},
	// The backup product's recovery checkpoint fails because production
	// checkpoints cannot be created, and the guest's VSS service is
	// disabled: the guest explains the writer failure and the product's
	// error. Shape: held-out m, hv13_11.
	{name: "the guest's VSS service disabled explains the product's failure", cause: "guest-integration-vss-unavailable",
		build: func(*testing.T) Files {
			log := "04.05.2023 22:13:41 :: Failed to create VM recovery checkpoint (mode: Veeam application-aware processing) Details: Job failed ('Checkpoint operation for 'VDI-7' failed. (Virtual machine ID 91E17C0F-F978-4209-8E7A-962DF97C3FAC) Production checkpoints cannot be created for 'VDI-7'.').\r\n"
			sc := "SERVICE_NAME: VSS\r\n        START_TYPE         : 4   DISABLED\r\n"
			return Files{"Veeam_VDI-7.log": ASCII(log), "guest-sc.txt": ASCII(sc)}
		},
		want: firing().with("guest-vss-service-disabled", "cmd-production-checkpoint-failed"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Equal(t, "guest-integration-vss-unavailable", b.res.Outcome.Findings[0].Cause.ID)
		}},
	// A ticket quotes the backup appliance's job list: the incrementals of
	// a VM were promoted to full ones after a failed live migration. No
	// product log: the quote is weak evidence, still the only one.
	// Shape: held-out d/hv4_22, f/hv6_24, m/hv13_23.
	{name: "incrementals promoted to full, quoted in a ticket", cause: "change-tracking-corrupt",
		build: func(*testing.T) Files {
			note := "Job history for LOB-7 (Hyper-V):\r\n  Tue 02:00  Incremental -> promoted to Full   3h 58m   1.87 TB\r\n" +
				"  Reason: Change tracking data for one or more disks is unavailable; a full backup will be taken.\r\n"
			return Files{"ticket.txt": ASCII(note)}
		},
		want: firing().with("change-tracking-lost-text").atMost(rules.Low)},
	// NetWorker's refusal copied from its console into a ticket, with the
	// VM's user checkpoint below it: no product log, the literal message
	// still says why. Shape: held-out f, hv6_22.
	{name: "NetWorker's refusal quoted in a ticket", cause: "backup-blocked-by-user-checkpoint",
		build: func(*testing.T) Files {
			note := "Save set hv02.example.org:Microsoft Hyper-V/WEB01\r\n  Status: failed\r\n  Reason: Saveset contains VM with checkpoint\r\n"
			return Files{
				"ticket.txt":    ASCII(note),
				"snapshots.txt": UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("before patch", "Standard", Day(2024, 3, 10, 16, 20))})),
			}
		},
		want: firing().with("vendor-message-refuses-checkpointed-vm")},
	// Two products snapshot the same volume in the same night: the second
	// set is refused with 0x80042316, and old sessions leave writer status
	// unavailable. A registered provider alone is no fault of the vendor.
	{name: "two products in one night", cause: "backup-overlapping-jobs",
		build: func(*testing.T) Files {
			app := []evtxwrite.Record{
				hv02.Classic("Application", "VSS", 8193, 0, LevelError, At(2, 1, 30), "CVssCoordinator::StartSnapshotSet", "0x80042316, A Volume Shadow Copy Service component encountered an unexpected error.", ""),
				hv02.Classic("Application", "VSS", 12289, 0, LevelError, At(2, 40, 0), "0x80042409, Writer status is not available for one or more writers.", "0x80042409", ""),
			}
			shadows := VSSAdminShadows([]VSSShadow{
				{SetID: "8d2f6a10-3b7c-4e95-a1d4-0c6e9f2b5a37", ID: "c81f0d2a-97e4-4b3c-a0d5-6e2b9f4c1a87", Created: "3/14/2024 2:00:11 AM", Drive: "D:",
					VolumeGUID: "5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45", Index: 17, Machine: "HV02.fabrikam.test", Provider: providerVeeam.Name,
					Type: "ApplicationRollback", Attributes: "Persistent, No auto release, Differential, Auto recovered"},
				{SetID: "1e7b4c92-6a0d-4f38-b5e1-9c2d7a3f0b64", ID: "4a6c2e81-0f9b-4d37-8e15-b7a3c9d0f2e6", Created: "3/14/2024 2:12:40 AM", Drive: "D:",
					VolumeGUID: "5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45", Index: 18, Machine: "HV02.fabrikam.test", Provider: providerSAN.Name,
					Type: "ApplicationRollback", Attributes: "Persistent, No auto release, Transportable, Hardware"},
			})
			return Files{
				"vss/providers.txt":     UTF16(VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware, providerVeeam, providerSAN})),
				"vss/shadows.txt":       UTF16(shadows),
				"logs/Application.evtx": EVTX(app, 300),
			}
		},
		want: fires(rules.Medium).minConfidence(0.9).
			exactly("snapshot-set-in-progress", "writer-status-unavailable", "several-vss-providers", "shadows-from-two-providers").
			citing(
				"logs/Application.evtx record 300 snapshot-set-in-progress",
				"logs/Application.evtx record 301 writer-status-unavailable",
				"vss/providers.txt line 14 several-vss-providers",
				"vss/providers.txt line 19 several-vss-providers",
			),
		notOthers: []string{"backup-vendor-integration"},
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("backup-overlapping-jobs")), "vssadmin delete shadows '/shadow={c81f0d2a-97e4-4b3c-a0d5-6e2b9f4c1a87}'")
			// The VSS errors are the overlap's, for the whole host: the
			// generic writer failure is explained, never ranked first.
			assert.Equal(t, "backup-overlapping-jobs", b.res.Outcome.Findings[0].Cause.ID)
			if b.has("vss-writer-failed") {
				assert.Contains(t, strings.Join(citedAgainst(b.finding("vss-writer-failed")), "\n"), "explained-by-backup-overlapping-jobs")
			} else {
				assert.Contains(t, b.ruledOutWhy("vss-writer-failed"), "explained by backup-overlapping-jobs")
			}
		}},
	// One backup product (one third-party provider), a clean Application
	// log: nothing overlaps.
	{name: "one product, clean log", cause: "backup-overlapping-jobs", build: singleProduct,
		want:      ruledOut("at most one third-party shadow copy provider"),
		notOthers: []string{"backup-vendor-integration"}},
	// The backup product's Recovery checkpoint is three days old and a
	// change-tracking pair lies next to no disk.
	{name: "old Recovery checkpoint and orphaned tracking file", cause: "backup-vendor-integration",
		build: func(*testing.T) Files {
			vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(8, 0, 0), "SQL02", sql02ID)}
			listing := DirListing([]ListedDir{{Path: web01Disks, Files: []ListedFile{
				{Name: "WEB01.vhdx", Size: 42949672960, Modified: At(8, 0, 0)},
				{Name: "WEB01.vhdx.mrt", Size: 77824, Modified: At(8, 0, 0)},
				{Name: "WEB01.vhdx.rct", Size: 5283840, Modified: At(8, 0, 0)},
				{Name: "WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx", Size: 3221225472, Modified: At(8, 0, 0)},
				{Name: "WEB01_0B5D3E82-6A1F-4C97-8D20-3E4F5A6B7C81.avhdx.rct", Size: 69632, Modified: Day(2024, 3, 2, 1, 0)},
			}}})
			return Files{
				"snapshots.txt":   UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("WEB01 - Backup - (3/11/2024 - 1:00:02 AM)", "Recovery", Day(2024, 3, 11, 1, 0))})),
				"listing.txt":     ASCII(listing),
				"providers.txt":   providersWithVeeam(),
				"VMMS-Admin.evtx": EVTX(vmms, 900),
			}
		},
		want: fires(rules.Medium).exactly("stale-recovery-checkpoint", "orphan-change-tracking", "third-party-provider").
			citing("snapshots.txt line 3 stale-recovery-checkpoint", "listing.txt line 12 orphan-change-tracking"),
		also: func(t *testing.T, b *bundleResult) {
			cmds := commands(b.finding("backup-vendor-integration"))
			assert.Contains(t, cmds, `Get-VMSnapshot -VMName 'WEB01' | Where-Object SnapshotType -eq 'Recovery' | Remove-VMSnapshot`)
			assert.NotContains(t, cmds, "nbhypervtool", "NetBackup's clean-up tool is offered only when NetBackup is in the bundle")
			assert.Contains(t, cmds, `Move-Item -LiteralPath '`+web01Disks+`\WEB01_0B5D3E82-6A1F-4C97-8D20-3E4F5A6B7C81.avhdx.rct' -Destination`,
				"a change tracking file no disk uses is moved aside, never deleted")
			assert.NotContains(t, cmds, "Remove-Item", "no step deletes a VM file")
		}},
	// The Recovery checkpoint was made twenty minutes before the data was
	// collected (the backup was running) and every tracking file has its
	// disk.
	{name: "Recovery checkpoint of a running backup", cause: "backup-vendor-integration",
		build: func(*testing.T) Files {
			vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(2, 20, 0), "SQL02", sql02ID)}
			listing := DirListing([]ListedDir{{Path: web01Disks, Files: []ListedFile{
				{Name: "WEB01.vhdx", Size: 42949672960, Modified: At(2, 0, 0)},
				{Name: "WEB01.vhdx.rct", Size: 5283840, Modified: At(2, 0, 0)},
			}}})
			return Files{
				"snapshots.txt":   UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("WEB01 - Backup - (3/14/2024 - 2:00:02 AM)", "Recovery", At(2, 0, 2))})),
				"listing.txt":     ASCII(listing),
				"providers.txt":   providersWithVeeam(),
				"VMMS-Admin.evtx": EVTX(vmms, 900),
			}
		},
		want: ruledOut("no Recovery checkpoint older than a day")},
	{name: "one product, clean log", cause: "backup-vendor-integration", build: singleProduct,
		want: missingInput("vm-snapshots")},
	// WEB01 carries a user checkpoint from March 10th; every nightly
	// backup of WEB01 since fails.
	{name: "user checkpoint, backups fail since", cause: "backup-blocked-by-user-checkpoint",
		build: func(*testing.T) Files {
			vmms := []evtxwrite.Record{
				backupFailed("WEB01", web01ID, Day(2024, 3, 13, 1, 5)),
				backupFailed("WEB01", web01ID, At(1, 5, 0)),
			}
			return Files{
				"snapshots.txt":   UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("Before IIS update", "Standard", Day(2024, 3, 10, 16, 20))})),
				"VMMS-Admin.evtx": EVTX(vmms, 2000),
			}
		},
		want: fires(rules.High).exactly("user-checkpoint-backup-failed").citingInOrder(
			"snapshots.txt line 3 user-checkpoint-backup-failed",
			"VMMS-Admin.evtx record 2000 user-checkpoint-backup-failed",
			"VMMS-Admin.evtx record 2001 user-checkpoint-backup-failed",
		),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("backup-blocked-by-user-checkpoint")), `Remove-VMSnapshot -VMName 'WEB01' -Name 'Before IIS update'`)
		}},
	// A user checkpoint on SQL02 while the backup failures are WEB01's,
	// and a checkpoint taken after the last failure.
	{name: "checkpoint on another VM or after the failure", cause: "backup-blocked-by-user-checkpoint",
		build: func(*testing.T) Files {
			vmms := []evtxwrite.Record{backupFailed("WEB01", web01ID, At(1, 5, 0))}
			cps := []Checkpoint{
				{VMName: "SQL02", Name: "Pre-patch", Type: "Standard", Created: Day(2024, 3, 9, 11, 0), VMID: sql02ID, ID: "5F1C8A30-2E7D-4B94-A6C1-0D8E3F5B7A92"},
				web01Checkpoint("After the failure", "Planned", At(9, 30, 0)),
			}
			return Files{"snapshots.txt": UTF16(VMSnapshotsList(cps)), "VMMS-Admin.evtx": EVTX(vmms, 2000)}
		},
		want: ruledOut("no VM with a user checkpoint had a backup failure logged after the checkpoint")},
	// SQL07's Backup (volume shadow copy) service was turned off and
	// WEB03's guest does not answer: neither can take part in a production
	// checkpoint.
	{name: "VSS service off or not answering", cause: "guest-integration-vss-unavailable",
		build: func(*testing.T) Files {
			rows := append(HealthyIntegration("APP01"),
				IntegrationRow{VM: "SQL07", Name: "VSS", Enabled: "False", Primary: "OK"},
				IntegrationRow{VM: "WEB03", Name: "VSS", Enabled: "True", Primary: "No Contact"})
			return Files{"integration_services.txt": UTF16(IntegrationServices(rows))}
		},
		want: fires(rules.Medium).exactly("vss-service-disabled", "vss-service-not-responding").
			citingOnly("integration_services.txt line 10 vss-service-disabled", "integration_services.txt line 11 vss-service-not-responding").
			forVMs("SQL07", "WEB03").unopposed(),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("guest-integration-vss-unavailable")), "Enable-VMIntegrationService -VMName 'SQL07' -Name 'VSS'")
		}},
	// A VMMS warning mentions a production checkpoint, but every VM's VSS
	// service is enabled and OK: the guests can take part.
	{name: "every VSS service healthy", cause: "guest-integration-vss-unavailable",
		build: func(*testing.T) Files {
			warn := hv02.VMMS(18016, LevelWarning, At(1, 0, 0), "APP01", web01ID,
				F("ErrorMessage", "Production checkpoint for 'APP01' took longer than expected."))
			return Files{
				"VMMS-Admin.evtx":          EVTX([]evtxwrite.Record{warn}, 40),
				"integration_services.txt": UTF16(IntegrationServices(append(HealthyIntegration("APP01"), HealthyIntegration("SQL07")...))),
			}
		},
		want: ruledOut("enabled and reports OK")},
	// APP03's incremental backups fail: VHDMP says its change-tracking
	// file is corrupt and VMMS quotes 0xC03A0029 (invalid change tracking
	// ID). The codes route to their own cause, and a 19100 quoting one is
	// not an orphan.
	{name: "VHDMP and VMMS report change tracking damaged", cause: "change-tracking-corrupt",
		build: func(*testing.T) Files {
			vhdmp := hv02.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 8, LevelError, At(1, 10, 0),
				F("VhdFileName", `D:\Hyper-V\APP03\Virtual Hard Disks\APP03.vhdx`), F("CorruptionReason", "3"))
			vmms := hv02.VMMS(19100, LevelError, At(1, 11, 0), "APP03", sql02ID,
				F("ErrorMessage", "'APP03' background disk merge failed to complete: The requested change tracking ID is invalid. (0xC03A0029)."))
			return Files{
				"VHDMP-Operational.evtx": EVTX([]evtxwrite.Record{vhdmp}, 300),
				"VMMS-Admin.evtx":        EVTX([]evtxwrite.Record{vmms}, 60),
			}
		},
		want:      fires(rules.Medium).exactly("change-tracking-code", "change-tracking-damaged"),
		notOthers: []string{"backup-vendor-integration", "checkpoint-orphaned"}},
	// NetWorker refuses a VM with a checkpoint and says an RCT-based
	// backup cannot proceed. That is the user-checkpoint cause; change
	// tracking is ruled out, since the VMMS log and the listing show
	// nothing wrong.
	{name: "NetWorker refuses a checkpointed VM", cause: "change-tracking-corrupt",
		build: func(*testing.T) Files {
			nmm := hv02.Classic("Application", "NetWorker", 1, QualError, LevelError, At(1, 0, 0),
				"NMM backup of Hyper-V saveset failed: Saveset contains VM with checkpoint: APP03. RCT-based backup cannot proceed.")
			vmms := hv02.VMMS(18500, LevelInfo, At(0, 30, 0), "APP03", sql02ID)
			listing := DirListing([]ListedDir{{Path: `D:\Hyper-V\APP03\Virtual Hard Disks`, Files: []ListedFile{
				{Name: "APP03.vhdx", Size: 42949672960, Modified: At(1, 0, 0)},
				{Name: "APP03.vhdx.mrt", Size: 69632, Modified: At(1, 0, 0)},
				{Name: "APP03.vhdx.rct", Size: 77824, Modified: At(1, 0, 0)},
			}}})
			return Files{
				"Application.evtx": EVTX([]evtxwrite.Record{nmm}, 90),
				"VMMS-Admin.evtx":  EVTX([]evtxwrite.Record{vmms}, 10),
				"listing.txt":      ASCII(listing),
			}
		},
		want: ruledOut("every .rct/.mrt file sits beside its disk")},
}
