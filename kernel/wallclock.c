#include "kernel/wallclock.h"

#include "boot/boot_info.h"
#include "kernel/lib/fmt.h"
#include "kernel/time.h"

#define UEFI_TZ_UNSPECIFIED 2047

static int64_t start_ms;
static uint64_t start_ns;
static int valid;

/* Days from 1970-01-01 (H. Hinnant's days_from_civil algorithm). */
int64_t wallclock_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int wallclock_format_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	int64_t rem = ms - days * 86400000;
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	return ksnprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", (long long)y, (long long)m,
			 (long long)d, (long long)(rem / 3600000), (long long)(rem / 60000 % 60),
			 (long long)(rem / 1000 % 60), (long long)(rem % 1000));
}

/* May run before the TSC is calibrated: time_ns() counts from calibration (about when
 * UEFI's time was read), and reads 0 until then. */
void wallclock_init(const struct boot_info *bi)
{
	start_ns = 0;
	if (!bi->start_time.valid || bi->start_time.month < 1 || bi->start_time.month > 12)
		return;
	int64_t days = wallclock_days_from_civil(bi->start_time.year, bi->start_time.month, bi->start_time.day);
	int64_t secs = days * 86400 + bi->start_time.hour * 3600 + bi->start_time.minute * 60 + bi->start_time.second;
	if (bi->start_time.tz_minutes != UEFI_TZ_UNSPECIFIED)
		secs -= (int64_t)bi->start_time.tz_minutes * 60; /* UEFI 2.10 §8.3: local = UTC + TimeZone */
	start_ms = secs * 1000 + bi->start_time.nanosecond / 1000000;
	valid = 1;
}

int wallclock_valid(void) { return valid; }
int64_t wallclock_now_ms(void) { return start_ms + (int64_t)((time_ns() - start_ns) / NS_PER_MS); }
