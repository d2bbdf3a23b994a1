/* The cases of suite `platform`, one file per concept under tests/suites/platform/. */
#ifndef KILN_TESTS_PLATFORM_CASES_H
#define KILN_TESTS_PLATFORM_CASES_H

struct kt;

void platform_memory_map(struct kt *t);
void platform_page_allocator(struct kt *t);
void platform_acpi_tables(struct kt *t);
void platform_timer_calibration(struct kt *t);
void platform_exceptions(struct kt *t);
void platform_pci_enumeration(struct kt *t);
void platform_pci_capabilities(struct kt *t);
void platform_msi_edu(struct kt *t);
void platform_memory_modules(struct kt *t);

#endif
