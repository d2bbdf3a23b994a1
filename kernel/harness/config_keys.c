/* Every configuration key, one row each: the parser (config.c), the unknown-key message,
 * the effective-configuration line and docs/config.md's key table all come from this table.
 * Adding a key: a field in struct kiln_config (config.h), a row here, `make config-doc`
 * (docs/config.md, "Adding a key"). The order here is the order of the known-keys message,
 * of the effective line and of the docs table. */
#include <stddef.h>

#include "kernel/harness/config.h"

static const char *const exit_choices[] = {"auto", "debug-port", "shutdown", "reboot", "halt", NULL};
/* the order of enum cfg_console; "pci:<BDF>" takes a PCI address (CFG_T_PCI_CHOICE) */
static const char *const console_choices[] = {"auto", "spcr", "com1", "com2", "com3", "com4", "pci:<BDF>", NULL};
/* the order of enum cfg_mgmt */
static const char *const mgmt_choices[] = {"auto", "none", "<BDF>", NULL};
static const char *const on_failure_choices[] = {"continue", "stop", "halt", NULL};
static const char *const switch_choices[] = {"off", "on", NULL};
static const char *const parallel_choices[] = {"off", "devices", NULL};
static const char *const skips_choices[] = {"allow", "fail", NULL};
/* the order of enum cfg_accel_irq */
static const char *const accel_irq_choices[] = {"msix", "shared", "poll", NULL};

/* The field a row sets: offset and size in struct kiln_config. */
#define FIELD(f) .off = offsetof(struct kiln_config, f), .size = sizeof(((struct kiln_config *)0)->f)
#define FIELD2(f) .off2 = offsetof(struct kiln_config, f), .size2 = sizeof(((struct kiln_config *)0)->f)
#define SET(f) .set = 1 + offsetof(struct kiln_config, f)

const struct cfg_key config_keys[] = {
	{.name = "suites", .type = CFG_T_LIST, FIELD(suites), .unset = "(default)",
	 .doc_default = "every suite not marked explicit",
	 .help = "suites to run. Explicit-only suites (`selftest`) run only when named exactly"},
	{.name = "cases", .type = CFG_T_LIST, FIELD(cases), .unset = "*", .doc_default = "all",
	 .help = "cases to run within the selected suites (e.g. `cases=platform-pci-*`)"},
	{.name = "exclude", .type = CFG_T_LIST, FIELD(exclude), .unset = "(none)", .doc_default = "none",
	 .help = "suites or cases to leave out; wins over `suites`/`cases`"},
	{.name = "seed", .type = CFG_T_UINT, FIELD(seed), SET(seed_set), .max = UINT64_MAX, .flags = CFG_F_HEX,
	 .doc_default = "random, printed",
	 .help = "seed of every case's patterns. Each case mixes it with its own name, so a case draws the same "
		 "numbers whatever else is selected. The header prints `seed=0x… repeats this run`"},
	{.name = "timeout", .type = CFG_T_TIME, FIELD(timeout_s), .min = 1, .max = 86400, .def = "60",
	 .flags = CFG_F_SECONDS,
	 .help = "per-case deadline, unless a case declares its own. A case past its deadline is aborted and "
		 "reported `not ok N name # TIMEOUT no result after N s`; the run goes on"},
	{.name = "exit", .type = CFG_T_ENUM, FIELD(exit_mode), .choices = exit_choices, .def = "auto",
	 .help = "how the run ends: `debug-port` writes the exit code to QEMU's isa-debug-exit (0xf4) and falls "
		 "back to shutdown; `auto` is `debug-port` when the ACPI tables are QEMU's (OEM `BOCHS `), else "
		 "`shutdown` (UEFI ResetSystem); `halt` stops the CPU so the console stays readable"},
	{.name = "console", .type = CFG_T_PCI_CHOICE, FIELD(console), FIELD2(console_addr), .choices = console_choices,
	 .def = "auto",
	 .help = "the serial console: `auto` uses the ACPI SPCR UART when it describes a 16550, else COM1 "
		 "(0x3F8, 115200 8N1); `pci:[ssss:]bb:dd.f` a 16550-compatible PCI UART (class 07.00.02, e.g. a "
		 "BMC's serial-over-LAN UART) at its BAR0. A function that is not one, or no function, keeps COM1 "
		 "and says why (`# kiln: console: ...`)"},
	{.name = "passes", .type = CFG_T_UINT, FIELD(passes), .min = 1, .max = CFG_PASSES_MAX, .unset = "1",
	 .doc_default = "`1`",
	 .help = "burn-in: run the selection this many times. More than one pass nests the output as KTAP "
		 "subtests `pass-1`, `pass-2`, … (docs/output.md)"},
	{.name = "duration", .type = CFG_T_TIME, FIELD(duration_s), .min = 1, .max = CFG_DURATION_MAX_S,
	 .unset = "(none)", .doc_default = "none",
	 .help = "burn-in: keep starting passes until this much time has gone by (the pass under way finishes). "
		 "With `passes` too, whichever bound comes first ends the run. The top-level plan is omitted, "
		 "since the number of passes is not known in advance"},
	{.name = "on_failure", .type = CFG_T_ENUM, FIELD(on_failure), .choices = on_failure_choices,
	 .def = "continue",
	 .help = "`continue`: count the failure and go on. `stop`: end the run after the first failing case; "
		 "cases not run are reported `ok … # SKIP not run: on_failure=stop after <case> failed` so every "
		 "plan holds. With `passes`, the top-level plan is omitted (as with `duration`): a failure may end "
		 "the run before the last pass. `halt`: stop at the first failure without resetting anything, print how to inspect "
		 "the device, and stay halted (the heartbeat goes on with `state=halted`) until someone "
		 "power-cycles; under QEMU the host runner's budget ends it (exit 5)"},
	{.name = "heartbeat", .type = CFG_T_TIME, FIELD(heartbeat_s), .min = 0, .max = 86400, .unit = "0: off",
	 .def = "60", .flags = CFG_F_SECONDS,
	 .help = "period of `# kiln: heartbeat …` lines, printed from the timer interrupt so they keep coming "
		 "while one long case runs; never inside another line"},
	{.name = "ldjson", .type = CFG_T_ENUM, FIELD(ldjson), .choices = switch_choices, .def = "off",
	 .help = "also print OCP Test & Validation output spec v2.0 records, one per line, framed as "
		 "`# ocp: {…}`"},
	{.name = "persist", .type = CFG_T_ENUM, FIELD(persist), .choices = switch_choices, .def = "on",
	 .help = "keep the run's result line, exit code and first failure in the non-volatile UEFI variable "
		 "`KilnLastRun` (vendor GUID 4b494c4e-8a31-4c2e-b6d5-7f3e2a9c1d05) and print the previous run's "
		 "record at start"},
	{.name = "accel_irq", .type = CFG_T_ENUM, FIELD(accel_irq), .choices = accel_irq_choices, .def = "msix",
	 .help = "how the accelerator driver takes interrupts: one MSI-X vector per source, one shared vector "
		 "demultiplexed through IRQ_STATUS, or none (polling). The driver falls back by itself, with the "
		 "reason in the identity line, when MSI-X is missing or vectors run out"},
	{.name = "cpus", .type = CFG_T_THRESHOLD, FIELD(cpus), .min = 1, .max = CFG_CPUS_MAX, .unit = "CPUs",
	 .def = "all", .flags = CFG_F_ALL,
	 .help = "how many CPUs Kiln uses, the boot CPU included: the first N the ACPI MADT lists are started "
		 "(INIT-SIPI-SIPI, docs/harness.md). The header says `cpus N online of M present`; a CPU that does "
		 "not report in is named by APIC id and fails `platform-cpus`. More than the MADT lists is not an "
		 "error: every listed CPU is used"},
	{.name = "parallel", .type = CFG_T_ENUM, FIELD(parallel), .choices = parallel_choices, .def = "devices",
	 .help = "device suites (queues, dma, sync, events, hbm, sensors, pci) with more than one accelerator: "
		 "`devices` runs each case once per accelerator, each on its own AP at the same time, with a view of "
		 "only its device and its MSI-X entries steered to that AP; every lane's diagnostics are kept and "
		 "printed in device order when all are back, so the KTAP has the same cases in the same order and "
		 "each device's lines together. A device whose lane faults, hangs or passes the case deadline is "
		 "named by BDF while the others' results stand. Needs an idle AP per accelerator, or one fewer (the "
		 "boot CPU then drives the first device as a lane of its own; `cpus=`), else the "
		 "cases run one device after another (said once in the header); nic and net always do (cables join "
		 "devices, lwIP is one stack). `off`: one CPU, one device after another"},
	{.name = "temp_max", .type = CFG_T_THRESHOLD, FIELD(temp_max_c), .min = 1, .max = 200, .unit = "degrees C",
	 .def = "off", .show = CFG_SHOW_NEVER,
	 .help = "`sensors-thermal` fails when the device temperature is above the lower of this and the "
		 "device's own limit (cpucp TEMPERATURE_GET max); `off` leaves the device's limit. The diagnosis "
		 "gives value, limit and whose limit it was"},
	{.name = "power_max", .type = CFG_T_THRESHOLD, FIELD(power_max_w), .min = 1, .max = 5000, .unit = "watts",
	 .def = "off", .show = CFG_SHOW_NEVER,
	 .help = "`sensors-power`: the same for power against the device's MAX_POWER_GET"},
	{.name = "ecc_serr_max", .type = CFG_T_THRESHOLD, FIELD(ecc_serr_max), .min = 0, .max = 1000000,
	 .unit = "corrected errors per device", .def = "off", .show = CFG_SHOW_NEVER,
	 .help = "`hbm-ecc` (and the health watch, throughout the run) fails when a device counted more corrected "
		 "single-bit HBM ECC errors than this since the driver bound it, device resets within the run "
		 "included (0: any corrected error fails). Uncorrected errors always fail; `off`: corrected errors "
		 "are only counted and reported with their addresses"},
	{.name = "ecc_serr_rate_max", .type = CFG_T_THRESHOLD, FIELD(ecc_serr_rate_max), .min = 0, .max = 1000000,
	 .unit = "corrected errors per hour per device", .def = "off", .show = CFG_SHOW_NEVER,
	 .help = "`hbm-ecc` (and the health watch) fails when corrected HBM ECC errors since the driver bound the "
		 "device exceed this rate, judged over at least one hour (on the longer of the host's clock and the "
		 "device's, docs/device.md UPTIME_GET): a run shorter than an hour may see this many, an 8-hour "
		 "burn-in eight times as many. The diagnosis gives the count, the time and the rate"},
	{.name = "hbm_range", .type = CFG_T_RANGE, FIELD(hbm_range_off), FIELD2(hbm_range_size), SET(hbm_range_set),
	 .def = "quick", .show = CFG_SHOW_NEVER,
	 .help = "the HBM the `hbm` cases test, on every device. `quick`: the DMA cases cover the whole HBM, the "
		 "BAR cases (CPU loads/stores through the sliding 256 MiB window, slow under emulation) its first "
		 "1 GiB, and a BAR case on a larger HBM prints `partial coverage:` with the MiB it left out (a "
		 "failure under `skips=fail`); `all`: every case covers the whole HBM; offset:size: that range. A "
		 "range beyond a device's HBM fails each case with the HBM size; every case prints the range it "
		 "covered. Each case's deadline is `timeout` plus the bytes it moves at a worst-case rate under "
		 "emulation (docs/testing.md), printed as `deadline N s`"},
	{.name = "fan_min_rpm", .type = CFG_T_THRESHOLD, FIELD(fan_min_rpm), .min = 1, .max = 100000, .unit = "rpm",
	 .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`sensors-fan` and the health watch fail when a device's fan turns slower than the higher of this "
		 "and the device's own minimum (cpucp FAN_SPEED_GET min); the diagnosis gives value, limit and whose "
		 "limit it was"},
	{.name = "voltage_min", .type = CFG_T_THRESHOLD, FIELD(voltage_min_mv), .min = 1, .max = 100000,
	 .unit = "millivolts", .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`sensors-voltage` and the health watch: the device's voltage must not be below the higher of this "
		 "and the device's own minimum (VOLTAGE_GET min)"},
	{.name = "voltage_max", .type = CFG_T_THRESHOLD, FIELD(voltage_max_mv), .min = 1, .max = 100000,
	 .unit = "millivolts", .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "... nor above the lower of this and the device's own maximum (VOLTAGE_GET max)"},
	{.name = "current_max", .type = CFG_T_THRESHOLD, FIELD(current_max_a), .min = 1, .max = 10000,
	 .unit = "amperes", .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`sensors-current` and the health watch: the current against the lower of this and the device's "
		 "own maximum (CURRENT_GET max)"},
	{.name = "pcie_replay_max", .type = CFG_T_THRESHOLD, FIELD(pcie_replay_max), .min = 0, .max = 1000000000,
	 .unit = "replays", .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`sensors-pcie-replay` and the health watch fail when the device's PCIe replay counter (cpucp "
		 "PCIE_REPLAY_CNT_GET) is above this; devices report no limit of their own, so `off` only reports "
		 "the count"},
	{.name = "nic.flaps_max", .type = CFG_T_UINT, FIELD(nic_flaps_max), .min = 0, .max = 1000000,
	 .unit = "link-down events per port", .def = "0", .show = CFG_SHOW_IF_SET,
	 .help = "`nic-link-stable` fails for a port whose link went down more often than this in its 3 s window "
		 "(0: any flap fails), or that is down at the end"},
	{.name = "nic.loss_max_ppm", .type = CFG_T_UINT, FIELD(nic_loss_max_ppm), .min = 0, .max = 1000000,
	 .unit = "frames lost per million", .def = "0", .show = CFG_SHOW_IF_SET,
	 .help = "`nic-pair-burst` fails for a direction that lost more frames than this (0: any lost frame "
		 "fails); a loss within it is printed with its rate. Corrupt, duplicated and reordered frames always "
		 "fail"},
	{.name = "skips", .type = CFG_T_ENUM, FIELD(skips_fail), .choices = skips_choices, .def = "allow",
	 .show = CFG_SHOW_IF_SET,
	 .help = "`fail` (burn-in profiles): a case that skips is failed with its reason, `skips=fail: the case "
		 "skipped (…)`; leave out what you expect to skip with `exclude=`. Exempt: the explicit-only "
		 "`selftest` suite and the cases `on_failure=stop` did not run. A case that covered only part of "
		 "what it tests (`partial coverage: …`, e.g. the `hbm` BAR cases under `hbm_range=quick` on an HBM "
		 "above 1 GiB) fails the same way, `skips=fail: partial coverage: …`. A skip without a reason is "
		 "always a failure"},
	{.name = "expect.accels", .type = CFG_T_THRESHOLD, FIELD(expect_accels), .min = 0, .max = 64,
	 .unit = "accelerators", .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`topology-accels` fails unless exactly this many accelerators are under test, naming the bound "
		 "BDFs (and, above them, each one that failed bring-up with its reason)"},
	{.name = "expect.ports", .type = CFG_T_THRESHOLD, FIELD(expect_ports), .min = 0, .max = 24,
	 .unit = "ports with link up per accelerator", .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`topology-ports` opens every NIC port and fails for each accelerator with fewer links up over "
		 "a cable within 2 s, naming its BDF and the ports that are down"},
	{.name = "expect.hbm", .type = CFG_T_SIZE, FIELD(expect_hbm), .min = 0, .max = 1ull << 50,
	 .doc_default = "not set", .show = CFG_SHOW_IF_SET,
	 .help = "`topology-hbm` fails for each accelerator with less HBM than this (0: not set)"},
	{.name = "expect.pcie", .type = CFG_T_PCIE_LINK, FIELD(expect_pcie_speed), FIELD2(expect_pcie_width),
	 .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`topology-pcie` fails for each accelerator whose negotiated link (Link Status) is slower or "
		 "narrower, with the BDF, found and expected"},
	{.name = "expect.cpus", .type = CFG_T_THRESHOLD, FIELD(expect_cpus), .min = 1, .max = 65536, .unit = "CPUs",
	 .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`topology-cpus` fails unless the ACPI MADT lists exactly this many CPUs"},
	{.name = "expect.memory", .type = CFG_T_SIZE, FIELD(expect_memory), .min = 0, .max = 1ull << 50,
	 .doc_default = "not set", .show = CFG_SHOW_IF_SET,
	 .help = "`topology-memory` fails when the firmware's memory map holds less RAM than this (it leaves out "
		 "what firmware keeps for itself: set a little below the installed size; 0: not set)"},
	{.name = "net.uplink", .type = CFG_T_NET_PORT, FIELD(net.uplink_accel), FIELD2(net.uplink_port),
	 SET(net.uplink_set), .max = CFG_NET_ACCEL_MAX, .aux = CFG_NET_PORT_MAX, .def = "none",
	 .show = CFG_SHOW_IF_SET,
	 .help = "the NIC port cabled to an outside network (a lab switch, QEMU's user-mode network): left out "
		 "of the port-pair bursts, and where `net-uplink-*` run DHCP, ping the gateway it names, and the "
		 "iperf 2 interop. `none`: those cases are skipped"},
	{.name = "net.addr", .type = CFG_T_IPV4_CIDR, FIELD(net.addr), FIELD2(net.prefix), SET(net.addr_set),
	 .min = 1, .max = 30, .def = "none", .show = CFG_SHOW_IF_SET,
	 .help = "this machine's address on the port cabled to another machine (found by L2 discovery, "
		 "docs/net.md); with `net.peers`, the `net-peer-*` cases run lwIP traffic to each peer"},
	{.name = "net.peers", .type = CFG_T_IPV4_LIST, FIELD(net.peers), FIELD2(net.npeers),
	 .max = CFG_NET_PEERS_MAX, .def = "none", .show = CFG_SHOW_IF_SET,
	 .help = "the other machines: the only sources the `net-peer-*` interfaces accept, and the machines "
		 "those cases test traffic with"},
	{.name = "net.iperf_server", .type = CFG_T_IPV4_PORT, FIELD(net.iperf_server), FIELD2(net.iperf_port),
	 SET(net.iperf_server_set), .aux = CFG_NET_IPERF_PORT_DEFAULT, .def = "none", .show = CFG_SHOW_IF_SET,
	 .help = "an iperf 2 server (`iperf -s`) reachable through `net.uplink`: `net-uplink-iperf-client` runs "
		 "lwiperf's 10 s client against it"},
	{.name = "net.iperf_listen", .type = CFG_T_ENUM, FIELD(net.iperf_listen), .choices = switch_choices,
	 .def = "off", .show = CFG_SHOW_IF_SET,
	 .help = "`on`: `net-uplink-iperf-server` listens on the uplink's address, port 5001, for one iperf 2 "
		 "client (`iperf -c`) from the gateway's address, for that case only"},
	{.name = "net.collector", .type = CFG_T_IPV4_PORT, FIELD(net.collector), FIELD2(net.collector_port),
	 SET(net.collector_set), .def = "none", .show = CFG_SHOW_IF_SET,
	 .help = "a lab collector (tools/kiln-collector) that receives the run's log at the end, over the "
		 "management NIC `net.mgmt` chooses, else over `net.uplink` (docs/collector.md); an upload failure "
		 "is printed and does not change the exit code"},
	{.name = "expect.fabric", .type = CFG_T_FABRIC, FIELD(fabric), .min = 2, .max = 16,
	 .aux = 24, .def = "none", .show = CFG_SHOW_IF_SET,
	 .help = "the cabling suite `fabric` must find (`fabric-map`): `mesh:NxK` is N accelerators bound, "
		 "accelerator i's ports facing j as `TOPOLOGY=mesh` wires them (docs/device.md section 13); a list "
		 "`A.P-B.Q,...` names every cable (accelerator A port P to accelerator B port Q; `make run` "
		 "prints its wiring as such a line and writes it to `wiring.txt`); the ports not named have no cable. A missing, crossed or "
		 "extra link fails naming both ends"},
	{.name = "net.mgmt", .type = CFG_T_PCI_CHOICE, FIELD(net.mgmt), FIELD2(net.mgmt_addr), .choices = mgmt_choices,
	 .def = "auto", .show = CFG_SHOW_IF_SET,
	 .help = "the server's own NIC (virtio-net, Intel 82574L/e1000e; docs/net.md) that carries DHCP and the "
		 "upload. `auto`: the first bound management NIC whose link comes up within 3 s, else `net.uplink`; "
		 "a BDF: that NIC or the upload fails naming it; `none`: only `net.uplink`. The accelerator's ports "
		 "are never chosen by `auto`"},
	{.name = "pcie.aer_cor_mask", .type = CFG_T_UINT, FIELD(pcie.aer_cor_mask), .max = UINT32_MAX,
	 .flags = CFG_F_HEX, .def = "0x0", .show = CFG_SHOW_IF_SET,
	 .help = "AER correctable status bits that do not fail `pcie-aer` (they are still printed; docs/pcie.md)"},
	{.name = "pcie.aer_uncor_mask", .type = CFG_T_UINT, FIELD(pcie.aer_uncor_mask), .max = UINT32_MAX,
	 .flags = CFG_F_HEX, .def = "0x0", .show = CFG_SHOW_IF_SET,
	 .help = "AER uncorrectable status bits that do not fail `pcie-aer` (they are still printed)"},
	{.name = "pcie.aer_cor_max", .type = CFG_T_THRESHOLD, FIELD(pcie.aer_cor_max), .min = 0, .max = 1000000,
	 .unit = "correctable AER errors per device in the run", .def = "0", .show = CFG_SHOW_IF_SET,
	 .help = "`pci-aer`, `pcie-aer` and the health watch fail when more correctable AER errors than this were "
		 "counted on a device in the run. A count is one status bit seen set, then cleared by Kiln (RW1C) so "
		 "its next occurrence counts again (PCIe defines no AER counter and no device limit: the threshold "
		 "is this key's alone). 0: any error fails; `off`: counted and reported only"},
	{.name = "pcie.aer_uncor_max", .type = CFG_T_THRESHOLD, FIELD(pcie.aer_uncor_max), .min = 0, .max = 1000000,
	 .unit = "uncorrectable AER errors per device in the run", .def = "0", .show = CFG_SHOW_IF_SET,
	 .help = "... the same for uncorrectable AER errors"},
	{.name = "expect.dimms", .type = CFG_T_MODULES, FIELD(memory.modules), FIELD2(memory.module_mib), .min = 1,
	 .max = 4096, .aux = 1u << 24, .def = "none", .show = CFG_SHOW_IF_SET,
	 .help = "`platform-memory-modules` fails unless SMBIOS describes at least N populated memory modules of "
		 "at least that size each: a smaller module is named by locator, bank, part and serial, missing "
		 "ones by the empty slots"},
	{.name = "stress.time", .type = CFG_T_TIME, FIELD(stress_time_s), .min = 1, .max = 86400, .def = "60",
	 .flags = CFG_F_SECONDS, .show = CFG_SHOW_IF_SET,
	 .help = "suite `stress` (run when named): how long each pass keeps every DMA stream of every "
		 "accelerator, every cabled NIC pair and the host memory test running at once (docs/harness.md). "
		 "With `duration=`, passes repeat until the duration is over"},
	{.name = "stress.sample_ms", .type = CFG_T_UINT, FIELD(stress_sample_ms), .min = 100, .max = 3600000,
	 .unit = "milliseconds", .def = "1000", .show = CFG_SHOW_IF_SET,
	 .help = "suite `stress`: the period of the sensor samples (temperature, power, fan, HBM ECC counts, "
		 "links up) printed as measurement series and judged against the thresholds during the load; "
		 "under NIC traffic a sample waits for the burst round under way"},
	{.name = "expect.pcie.<target>", .type = CFG_T_PCIE_RULE, FIELD(pcie.rule), FIELD2(pcie.nrules), .min = 1,
	 .max = 6, .aux = 32, .flags = CFG_F_FAMILY, .doc_default = "none", .show = CFG_SHOW_IF_SET,
	 .help = "`pcie-link`: the link of that device (`expect.pcie.3b:00.0=gen5`) or of the device in that "
		 "physical slot (`expect.pcie.slot3=gen4x16`) must run at least this fast (gen1 2.5 GT/s .. gen6 "
		 "64 GT/s) and wide; replaces the check against the device's own capability. A later key for the "
		 "same target replaces the earlier (docs/pcie.md)"},
};

const size_t config_nkeys = sizeof config_keys / sizeof config_keys[0];
