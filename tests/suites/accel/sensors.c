/* Suite `sensors`: what the device CPU says about the unit — identity (card, firmware,
 * serial), every sensor it offers, its heartbeat — and the thresholds: temperature and
 * power against the device's own limit and the configured one (temp_max=, power_max=),
 * with the device's thermal/power events reported; fan, voltage, current and the PCIe
 * replay count likewise (drivers/accel/health.c accel_check). A breach is `not ok` with
 * value and limit. */
#include "drivers/accel/accel.h"
#include "drivers/accel/hw/kiln_cpucp.h"
#include <stddef.h>

#include "kernel/harness/config.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/string.h"
#include "tests/suites/accel/accel_test.h"

#define MILLI 1000u
#define TEMP_PLAUSIBLE_MAX_MC 150000u   /* a die reading above 150 C is a broken sensor */
#define TEMP_PLAUSIBLE_MIN_MC 1000u     /* ... and below 1 C too, in a running server */
#define HEARTBEAT_MAGIC 0x6b696c6e00000000ull

static bool read_one(struct kt *t, struct accel *a, enum accel_sensor id, uint64_t *v)
{
	unsigned n;
	const struct accel_sensor_def *d = accel_sensor_defs(&n);
	uint32_t rc = 0;
	int r = accel_sensor_read(a, &d[id], v, &rc);
	if (r == ACCEL_ERC)
		kt_fail(t, "%s: device CPU refused %s (opcode %u): rc %u", a->bdf, d[id].name, d[id].opcode, rc);
	else if (r)
		kt_fail(t, "%s: reading %s (opcode %u): %s", a->bdf, d[id].name, d[id].opcode, accel_strerror(r));
	return r == ACCEL_OK;
}

/* Strings from the device: printable and terminated, non-empty. */
static bool good_string(const char *s, unsigned cap)
{
	unsigned n = 0;
	while (n < cap && s[n]) {
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] > 0x7e)
			return false;
		n++;
	}
	return n > 0 && n < cap;
}

static void sensors_identity(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		struct kiln_cpucp_info info;
		int r = accel_cpucp_info(a, &info);
		if (r) {
			kt_fail(t, "%s: device CPU INFO_GET: %s", a->bdf, accel_strerror(r));
			continue;
		}
		if (info.struct_version != KILN_CPUCP_INFO_VERSION)
			kt_fail(t, "%s: INFO_GET structure version %u, this driver reads version %u", a->bdf,
				info.struct_version, KILN_CPUCP_INFO_VERSION);
		static const struct {
			const char *what;
			size_t off;
			unsigned cap;
		} strs[] = {
			{"card name", offsetof(struct kiln_cpucp_info, card_name), KILN_CPUCP_CARD_NAME_LEN},
			{"firmware version", offsetof(struct kiln_cpucp_info, fw_version), KILN_CPUCP_VERSION_LEN},
			{"cpucp version", offsetof(struct kiln_cpucp_info, cpucp_version), KILN_CPUCP_VERSION_LEN},
			{"serial number", offsetof(struct kiln_cpucp_info, serial), KILN_CPUCP_SERIAL_LEN},
		};
		for (unsigned k = 0; k < sizeof strs / sizeof strs[0]; k++)
			if (!good_string((const char *)&info + strs[k].off, strs[k].cap))
				kt_fail(t, "%s: INFO_GET %s is empty, unterminated or not printable", a->bdf, strs[k].what);
		if (info.hbm_size != a->hbm_size || info.sram_size != a->sram_size)
			kt_fail(t, "%s: INFO_GET says HBM %llu / SRAM %llu bytes, the core registers %llu / %llu", a->bdf,
				(unsigned long long)info.hbm_size, (unsigned long long)info.sram_size,
				(unsigned long long)a->hbm_size, (unsigned long long)a->sram_size);
		if (info.num_ports != a->ports)
			kt_fail(t, "%s: INFO_GET says %u NIC ports, the core registers %u", a->bdf, info.num_ports, a->ports);
		if (a->dsn && info.dsn && info.dsn != a->dsn)
			kt_fail(t, "%s: INFO_GET DSN 0x%016llx differs from the PCI DSN 0x%016llx", a->bdf,
				(unsigned long long)info.dsn, (unsigned long long)a->dsn);
		kt_diag(t, "%s: card \"%s\" serial \"%s\" fw \"%s\" cpucp \"%s\" dsn 0x%016llx", a->bdf, info.card_name,
			info.serial, info.fw_version, info.cpucp_version, (unsigned long long)info.dsn);
	}
}

/* Every reading: answered with success, plausible, printed as a measurement. */
static void sensors_read(struct kt *t)
{
	unsigned n;
	const struct accel_sensor_def *d = accel_sensor_defs(&n);
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		char line[400];
		unsigned pos = 0;
		uint64_t v[ACCEL_SENSOR_COUNT] = {0};
		for (unsigned k = 0; k < n; k++) {
			if (!read_one(t, a, d[k].id, &v[k])) {
				if (a->gone)
					break;
				continue;
			}
			char name[48];
			ksnprintf(name, sizeof name, "accel%u-%s", a->index, d[k].name);
			if (d[k].id != ACCEL_SENSOR_HBM_ECC) /* two counts in one word: the hbm suite measures them */
				kt_measure(t, name, (int64_t)v[k], 0, d[k].unit);
			pos += (unsigned)ksnprintf(line + pos, sizeof line - pos, "%s%s %llu %s", k ? ", " : "", d[k].name,
						   (unsigned long long)v[k], d[k].unit);
		}
		if (a->gone) {
			kt_fail(t, "%s: device not responding during the sensor read-out", a->bdf);
			continue;
		}
		uint64_t tmc = v[ACCEL_SENSOR_TEMP];
		if (tmc < TEMP_PLAUSIBLE_MIN_MC || tmc > TEMP_PLAUSIBLE_MAX_MC)
			kt_fail(t, "%s: temperature reads %llu mC, outside what a working sensor gives (%u..%u mC)", a->bdf,
				(unsigned long long)tmc, TEMP_PLAUSIBLE_MIN_MC, TEMP_PLAUSIBLE_MAX_MC);
		if (!v[ACCEL_SENSOR_TEMP_LIMIT] || !v[ACCEL_SENSOR_POWER_LIMIT])
			kt_fail(t, "%s: the device reports no thermal or power limit (temperature max %llu mC, power max %llu mW)",
				a->bdf, (unsigned long long)v[ACCEL_SENSOR_TEMP_LIMIT],
				(unsigned long long)v[ACCEL_SENSOR_POWER_LIMIT]);
		if (!v[ACCEL_SENSOR_VOLTAGE] || !v[ACCEL_SENSOR_POWER])
			kt_fail(t, "%s: voltage %llu mV, power %llu mW: a powered device reads non-zero", a->bdf,
				(unsigned long long)v[ACCEL_SENSOR_VOLTAGE], (unsigned long long)v[ACCEL_SENSOR_POWER]);
		/* the HBM ECC counts cpucp reports are the HBM block's */
		struct accel_ecc e;
		accel_ecc_read(a, &e);
		uint64_t ecc = v[ACCEL_SENSOR_HBM_ECC];
		if ((uint32_t)ecc != e.serr_dev || (uint32_t)(ecc >> 32) != e.derr_dev)
			kt_fail(t, "%s: device CPU reports %u corrected / %u uncorrected HBM errors, the ECC block %u / %u",
				a->bdf, (uint32_t)ecc, (uint32_t)(ecc >> 32), e.serr_dev, e.derr_dev);
		kt_diag(t, "%s: %s", a->bdf, line);
	}
}

/* The device CPU answers an echo with the same value, and counts it. */
static void sensors_heartbeat(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		uint32_t before = accel_rd(a, KILN_BLK_CPUCP + KILN_CPUCP_ANSWERED);
		uint64_t want = HEARTBEAT_MAGIC | (uint32_t)kt_rand(t), got = 0;
		uint32_t rc = 0;
		int r = accel_cpucp(a, KILN_CPUCP_TEST, want, 0, 0, &got, &rc);
		uint32_t after = accel_rd(a, KILN_BLK_CPUCP + KILN_CPUCP_ANSWERED);
		if (r)
			kt_fail(t, "%s: device CPU heartbeat (TEST echo): %s (rc %u)", a->bdf, accel_strerror(r), rc);
		else if (got != want)
			kt_fail(t, "%s: device CPU echoed 0x%016llx for 0x%016llx", a->bdf, (unsigned long long)got,
				(unsigned long long)want);
		else if (after - before != 1)
			kt_fail(t, "%s: device CPU answered, but its ANSWERED counter went %u -> %u", a->bdf, before, after);
		else
			kt_diag(t, "%s: device CPU answers (%u requests so far)", a->bdf, after);
	}
}

/* Report the device's environment events (crossed above and back) seen so far; true
 * when the last one says the limit is crossed now. */
static bool env_events(struct kt *t, struct accel *a, uint32_t above, uint32_t below)
{
	accel_eq_poll(a);
	const struct accel_event *s = accel_test_real_event(a, above, 0), *e = accel_test_real_event(a, below, 0);
	char desc[160];
	if (s) {
		accel_event_describe(s, desc, sizeof desc);
		kt_diag(t, "%s: device event %s", a->bdf, desc);
	}
	if (e) {
		accel_event_describe(e, desc, sizeof desc);
		kt_diag(t, "%s: device event %s", a->bdf, desc);
	}
	return s && (!e || e->seq < s->seq);
}

/* value (milli-units) against the lower of the device's limit and the configured one. */
static void judge(struct kt *t, struct accel *a, const char *what, const char *unit, uint64_t value_milli,
		  uint64_t dev_limit_milli, uint32_t cfg_limit, const char *key, bool event_over)
{
	uint64_t limit = dev_limit_milli;
	const char *whose = "the device's limit";
	if (cfg_limit != CFG_LIMIT_OFF && (uint64_t)cfg_limit * MILLI < limit) {
		limit = (uint64_t)cfg_limit * MILLI;
		whose = key;
	}
	if (value_milli > limit)
		kt_fail(t, "%s: %s %llu.%03llu %s above the limit %llu.%03llu %s (%s)", a->bdf, what,
			(unsigned long long)(value_milli / MILLI), (unsigned long long)(value_milli % MILLI), unit,
			(unsigned long long)(limit / MILLI), (unsigned long long)(limit % MILLI), unit, whose);
	else if (event_over)
		kt_fail(t, "%s: the device reports %s above its limit (event), reading %llu.%03llu %s, limit %llu.%03llu %s",
			a->bdf, what, (unsigned long long)(value_milli / MILLI), (unsigned long long)(value_milli % MILLI),
			unit, (unsigned long long)(limit / MILLI), (unsigned long long)(limit % MILLI), unit);
	else
		kt_diag(t, "%s: %s %llu.%03llu %s, limit %llu.%03llu %s (%s)", a->bdf, what,
			(unsigned long long)(value_milli / MILLI), (unsigned long long)(value_milli % MILLI), unit,
			(unsigned long long)(limit / MILLI), (unsigned long long)(limit % MILLI), unit, whose);
}

static void sensors_thermal(struct kt *t)
{
	uint32_t cfg = kiln_cfg ? kiln_cfg->temp_max_c : CFG_LIMIT_OFF;
	FOR_EACH_ACCEL(i, a) {
		uint64_t v, lim;
		if (!accel_test_alive(t, a) || !read_one(t, a, ACCEL_SENSOR_TEMP, &v) ||
		    !read_one(t, a, ACCEL_SENSOR_TEMP_LIMIT, &lim))
			continue;
		bool over = env_events(t, a, KILN_EVENT_THERMAL_ENV_S, KILN_EVENT_THERMAL_ENV_E);
		judge(t, a, "temperature", "C", v, lim, cfg, "temp_max", over);
	}
}

static void sensors_power(struct kt *t)
{
	uint32_t cfg = kiln_cfg ? kiln_cfg->power_max_w : CFG_LIMIT_OFF;
	FOR_EACH_ACCEL(i, a) {
		uint64_t v, lim;
		if (!accel_test_alive(t, a) || !read_one(t, a, ACCEL_SENSOR_POWER, &v) ||
		    !read_one(t, a, ACCEL_SENSOR_POWER_LIMIT, &lim))
			continue;
		bool over = env_events(t, a, KILN_EVENT_POWER_ENV_S, KILN_EVENT_POWER_ENV_E);
		judge(t, a, "power", "W", v, lim, cfg, "power_max", over);
	}
}

/* Fan, voltage, current and PCIe replays: each against the device's own limit and the
 * configured one (fan_min_rpm=, voltage_min= / voltage_max=, current_max=, pcie_replay_max=). */
static void check_all(struct kt *t, enum accel_check c)
{
	const struct kiln_config *k = kiln_cfg;
	struct accel_limits l = {CFG_LIMIT_OFF, CFG_LIMIT_OFF, CFG_LIMIT_OFF, CFG_LIMIT_OFF, CFG_LIMIT_OFF, CFG_LIMIT_OFF,
				 CFG_LIMIT_OFF};
	if (k)
		l = (struct accel_limits){k->temp_max_c, k->power_max_w, k->fan_min_rpm, k->voltage_min_mv,
					  k->voltage_max_mv, k->current_max_a, k->pcie_replay_max};
	for (unsigned i = 0; i < accel_count(); i++) {
		struct accel *a = accel_get(i);
		if (!accel_test_alive(t, a))
			continue;
		char why[240];
		int r = accel_check(a, c, &l, why, sizeof why);
		if (r)
			kt_fail(t, "%s", why);
		else
			kt_diag(t, "%s", why);
	}
}

static void sensors_fan(struct kt *t) { check_all(t, ACCEL_CHECK_FAN); }
static void sensors_voltage(struct kt *t) { check_all(t, ACCEL_CHECK_VOLTAGE); }
static void sensors_current(struct kt *t) { check_all(t, ACCEL_CHECK_CURRENT); }
static void sensors_pcie_replay(struct kt *t) { check_all(t, ACCEL_CHECK_REPLAY); }

static const struct kt_case cases[] = {
	{"sensors-identity", sensors_identity, 0},
	{"sensors-read", sensors_read, 0},
	{"sensors-heartbeat", sensors_heartbeat, 0},
	{"sensors-thermal", sensors_thermal, 0},
	{"sensors-power", sensors_power, 0},
	{"sensors-fan", sensors_fan, 0},
	{"sensors-voltage", sensors_voltage, 0},
	{"sensors-current", sensors_current, 0},
	{"sensors-pcie-replay", sensors_pcie_replay, 0},
};

KT_SUITE(sensors, KT_SUITE_DEVICE | KT_SUITE_LANES);
