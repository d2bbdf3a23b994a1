/* Suite `platform`: the machine Kiln runs on, before any device under test. Each case
 * checks a real fact and can fail. */
#include "kernel/harness/ktest.h"

#define PLATFORM_CASES(X)                                                                                      \
	X(platform_memory_map, "platform-memory-map", 0)                                                       \
	X(platform_page_allocator, "platform-page-allocator", 120)                                             \
	X(platform_acpi_tables, "platform-acpi-tables", 0)                                                     \
	X(platform_timer_calibration, "platform-timer-calibration", 0)                                         \
	X(platform_cpus, "platform-cpus", 0)                                                                   \
	X(platform_exceptions, "platform-exceptions", 0)                                                       \
	X(platform_pci_enumeration, "platform-pci-enumeration", 0)                                             \
	X(platform_pci_capabilities, "platform-pci-capabilities", 0)                                           \
	X(platform_msi_edu, "platform-msi-edu", 0)                                                             \
	X(platform_memory_modules, "platform-memory-modules", 0)

KT_CASES_DECLARE(PLATFORM_CASES)
static const struct kt_case cases[] = {KT_CASES_TABLE(PLATFORM_CASES)};

KT_SUITE(platform, 0);
