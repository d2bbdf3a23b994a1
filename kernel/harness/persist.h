/* The last run's record in a non-volatile UEFI variable, so a result survives a reset
 * and can be read from Linux (efivarfs: KilnLastRun-4b494c4e-8a31-4c2e-b6d5-7f3e2a9c1d05)
 * or the UEFI shell (dmpstore KilnLastRun). */
#ifndef KILN_PERSIST_H
#define KILN_PERSIST_H

#define PERSIST_VAR_NAME "KilnLastRun"
#define PERSIST_MAX 1024

/* Print the previous run's record ("# kiln: previous run ..."), if there is one. */
void persist_print_previous(void);
/* Store this run's summary line, first failure and exit code. */
void persist_save(const char *result_line, const char *first_failure, int exit_code);

#endif
