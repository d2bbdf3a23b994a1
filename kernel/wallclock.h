/* Wall-clock time for records: the UEFI time read at entry, advanced by the TSC. */
#ifndef KILN_WALLCLOCK_H
#define KILN_WALLCLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Seconds since 1970-01-01 UTC for a civil date (proleptic Gregorian); pure. */
int64_t wallclock_days_from_civil(int64_t y, unsigned m, unsigned d);
/* RFC 3339 "YYYY-MM-DDTHH:MM:SS.mmmZ" for epoch milliseconds; pure. */
int wallclock_format_rfc3339(int64_t epoch_ms, char *buf, size_t len);

struct boot_info;
void wallclock_init(const struct boot_info *bi);
int wallclock_valid(void);
/* Now, in epoch milliseconds (from 1970 if the firmware gave no time). */
int64_t wallclock_now_ms(void);

#endif
