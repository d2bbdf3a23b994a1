/* Choosing the console UART: the `console=` key (COMn, SPCR, a PCI 16550), ACPI SPCR, or COM1. */
#ifndef KILN_PLATFORM_CONSOLE_H
#define KILN_PLATFORM_CONSOLE_H

#include "kernel/acpi.h"
#include "kernel/harness/config.h"

/* Switch the console as configured; returns a note worth printing, or NULL. */
const char *platform_console_select(const struct kiln_config *c, const struct acpi_info *ai);

#endif
