/* Suite `platform`: the machine Kiln runs on, before any device under test. Each case
 * checks a real fact and can fail. */
#include "kernel/harness/ktest.h"
#include "tests/suites/platform/cases.h"

static const struct kt_case cases[] = {
	{"platform-memory-map", platform_memory_map, 0},
	{"platform-page-allocator", platform_page_allocator, 120},
	{"platform-acpi-tables", platform_acpi_tables, 0},
	{"platform-timer-calibration", platform_timer_calibration, 0},
	{"platform-exceptions", platform_exceptions, 0},
	{"platform-pci-enumeration", platform_pci_enumeration, 0},
	{"platform-pci-capabilities", platform_pci_capabilities, 0},
	{"platform-msi-edu", platform_msi_edu, 0},
	{"platform-memory-modules", platform_memory_modules, 0},
};

const struct kt_suite suite_platform = {"platform", KT_CASES(cases), 0};
