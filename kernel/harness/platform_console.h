/* Choosing the console UART: the `console=` key, ACPI SPCR, or COM1. */
#ifndef KILN_PLATFORM_CONSOLE_H
#define KILN_PLATFORM_CONSOLE_H

#include "kernel/acpi.h"
#include "kernel/harness/config.h"

/* Switch the console as configured; returns a note worth printing, or NULL. */
const char *platform_console_select(enum cfg_console want, const struct acpi_info *ai);

#endif
