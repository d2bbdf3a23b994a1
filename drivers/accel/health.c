/* Device health read-outs for the suites: every cpucp sensor, the HBM ECC block and the
 * thresholds a breach is judged against (the device's own limit and the configured one). */
#include "drivers/accel/accel.h"

#include "drivers/accel/hw/kiln_hbm.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

void accel_ecc_read(struct accel *a, struct accel_ecc *e)
{
	e->serr_dev = accel_rd(a, KILN_BLK_HBM + KILN_HBM_SERR_COUNT);
	e->derr_dev = accel_rd(a, KILN_BLK_HBM + KILN_HBM_DERR_COUNT);
	e->serr = (uint32_t)(a->ecc_serr_base + e->serr_dev);
	e->derr = (uint32_t)(a->ecc_derr_base + e->derr_dev);
	e->last_addr = accel_rd(a, KILN_BLK_HBM + KILN_HBM_LAST_ADDR_LO) |
		       (uint64_t)accel_rd(a, KILN_BLK_HBM + KILN_HBM_LAST_ADDR_HI) << 32;
	uint32_t info = accel_rd(a, KILN_BLK_HBM + KILN_HBM_LAST_INFO);
	e->last_valid = (info & KILN_HBM_INFO_VALID) != 0;
	e->last_derr = (info & KILN_HBM_INFO_DERR) != 0;
	e->last_stack = (unsigned)KILN_FIELD_GET(KILN_HBM_INFO_STACK, info);
}

void accel_ecc_fold(struct accel *a)
{
	uint32_t serr = accel_rd(a, KILN_BLK_HBM + KILN_HBM_SERR_COUNT);
	uint32_t derr = accel_rd(a, KILN_BLK_HBM + KILN_HBM_DERR_COUNT);
	if (a->gone)
		return;
	a->ecc_serr_base += serr;
	a->ecc_derr_base += derr;
}

uint64_t accel_elapsed_ns(struct accel *a)
{
	uint64_t host = time_ns() - a->bound_ns, ms = 0;
	uint32_t rc;
	if (a->dev_clock && accel_cpucp(a, KILN_CPUCP_UPTIME_GET, 0, 0, 0, &ms, &rc) == ACCEL_OK &&
	    ms >= a->dev_clock_bound_ms) {
		uint64_t dev = (ms - a->dev_clock_bound_ms) * NS_PER_MS;
		if (dev > host)
			return dev;
	}
	return host;
}

static const struct accel_sensor_def defs[] = {
	{ACCEL_SENSOR_TEMP, "temperature", KILN_CPUCP_TEMPERATURE_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "mC"},
	{ACCEL_SENSOR_TEMP_LIMIT, "temperature-limit", KILN_CPUCP_TEMPERATURE_GET, true, 0, KILN_CPUCP_SENSOR_MAX, "mC"},
	{ACCEL_SENSOR_VOLTAGE, "voltage", KILN_CPUCP_VOLTAGE_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "mV"},
	{ACCEL_SENSOR_CURRENT, "current", KILN_CPUCP_CURRENT_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "mA"},
	{ACCEL_SENSOR_POWER, "power", KILN_CPUCP_POWER_GET, false, 0, 0, "mW"},
	{ACCEL_SENSOR_POWER_LIMIT, "power-limit", KILN_CPUCP_MAX_POWER_GET, false, 0, 0, "mW"},
	{ACCEL_SENSOR_FAN, "fan", KILN_CPUCP_FAN_SPEED_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "rpm"},
	{ACCEL_SENSOR_PCIE_TX, "pcie-tx", KILN_CPUCP_PCIE_THROUGHPUT_GET, false, 0, 0, "bytes"},
	{ACCEL_SENSOR_PCIE_RX, "pcie-rx", KILN_CPUCP_PCIE_THROUGHPUT_GET, false, 1, 0, "bytes"},
	{ACCEL_SENSOR_PCIE_REPLAY, "pcie-replay", KILN_CPUCP_PCIE_REPLAY_CNT_GET, false, 0, 0, "replays"},
	{ACCEL_SENSOR_HBM_ECC, "hbm-ecc", KILN_CPUCP_HBM_ECC_GET, false, 0, 0, "derr<<32|serr"},
	{ACCEL_SENSOR_FAN_MIN, "fan-min", KILN_CPUCP_FAN_SPEED_GET, true, 0, KILN_CPUCP_FAN_MIN, "rpm"},
	{ACCEL_SENSOR_VOLTAGE_MIN, "voltage-min", KILN_CPUCP_VOLTAGE_GET, true, 0, KILN_CPUCP_IN_MIN, "mV"},
	{ACCEL_SENSOR_VOLTAGE_MAX, "voltage-max", KILN_CPUCP_VOLTAGE_GET, true, 0, KILN_CPUCP_IN_MAX, "mV"},
	{ACCEL_SENSOR_CURRENT_MAX, "current-max", KILN_CPUCP_CURRENT_GET, true, 0, KILN_CPUCP_CURR_MAX, "mA"},
};
_Static_assert(sizeof defs / sizeof defs[0] == ACCEL_SENSOR_COUNT, "one definition per sensor, in order");

const struct accel_sensor_def *accel_sensor_defs(unsigned *count)
{
	*count = sizeof defs / sizeof defs[0];
	return defs;
}

int accel_sensor_read(struct accel *a, const struct accel_sensor_def *d, uint64_t *value, uint32_t *rc)
{
	uint32_t index = d->index;
	if (d->sensor) { /* sensor_index and attribute type share the index word */
		struct kiln_cpucp_packet p;
		memset(&p, 0, sizeof p);
		p.sensor_index = (uint16_t)d->index;
		p.type = (uint16_t)d->type;
		index = p.index;
	}
	return accel_cpucp(a, d->opcode, 0, index, 0, value, rc);
}

static const char *const check_names[ACCEL_CHECKS] = {
	[ACCEL_CHECK_TEMP] = "temperature", [ACCEL_CHECK_POWER] = "power", [ACCEL_CHECK_FAN] = "fan",
	[ACCEL_CHECK_VOLTAGE] = "voltage", [ACCEL_CHECK_CURRENT] = "current", [ACCEL_CHECK_REPLAY] = "pcie-replay",
};

const char *accel_check_name(enum accel_check c) { return c < ACCEL_CHECKS ? check_names[c] : "?"; }

/* -1: the device reports no such limit; else the value. */
static int read_limit(struct accel *a, enum accel_sensor id, uint64_t *v)
{
	uint32_t rc = 0;
	int r = accel_sensor_read(a, &defs[id], v, &rc);
	if (r == ACCEL_ERC && rc == KILN_CPUCP_RC_INVALID_PARAMS)
		return -1;
	return r;
}

/* The tighter of the device's limit and the configured one (scaled to the reading's unit). */
struct bound {
	uint64_t v;
	const char *whose;          /* NULL: no limit at all */
};

static void tighter(struct bound *b, uint64_t dev, bool have_dev, uint32_t cfg, uint64_t scale, const char *key, bool upper)
{
	b->whose = 0;
	if (have_dev) {
		b->v = dev;
		b->whose = "the device's limit";
	}
	if (cfg != ACCEL_LIMIT_OFF) {
		uint64_t c = (uint64_t)cfg * scale;
		if (!b->whose || (upper ? c < b->v : c > b->v)) {
			b->v = c;
			b->whose = key;
		}
	}
}

int accel_check(struct accel *a, enum accel_check c, const struct accel_limits *l, char *why, unsigned len)
{
	static const struct {
		enum accel_sensor value, lo, hi; /* ACCEL_SENSOR_COUNT: none */
		const char *unit;
	} map[ACCEL_CHECKS] = {
		[ACCEL_CHECK_TEMP] = {ACCEL_SENSOR_TEMP, ACCEL_SENSOR_COUNT, ACCEL_SENSOR_TEMP_LIMIT, "mC"},
		[ACCEL_CHECK_POWER] = {ACCEL_SENSOR_POWER, ACCEL_SENSOR_COUNT, ACCEL_SENSOR_POWER_LIMIT, "mW"},
		[ACCEL_CHECK_FAN] = {ACCEL_SENSOR_FAN, ACCEL_SENSOR_FAN_MIN, ACCEL_SENSOR_COUNT, "rpm"},
		[ACCEL_CHECK_VOLTAGE] = {ACCEL_SENSOR_VOLTAGE, ACCEL_SENSOR_VOLTAGE_MIN, ACCEL_SENSOR_VOLTAGE_MAX, "mV"},
		[ACCEL_CHECK_CURRENT] = {ACCEL_SENSOR_CURRENT, ACCEL_SENSOR_COUNT, ACCEL_SENSOR_CURRENT_MAX, "mA"},
		[ACCEL_CHECK_REPLAY] = {ACCEL_SENSOR_PCIE_REPLAY, ACCEL_SENSOR_COUNT, ACCEL_SENSOR_COUNT, "replays"},
	};
	if (c >= ACCEL_CHECKS)
		return ACCEL_EINVAL;
	uint64_t v, dlo = 0, dhi = 0;
	uint32_t rc = 0;
	int r = accel_sensor_read(a, &defs[map[c].value], &v, &rc);
	if (r) {
		ksnprintf(why, len, "%s: reading %s: %s (rc %u)", a->bdf, defs[map[c].value].name, accel_strerror(r), rc);
		return r;
	}
	int rlo = -1, rhi = -1;
	if (map[c].lo != ACCEL_SENSOR_COUNT && (rlo = read_limit(a, map[c].lo, &dlo)) > 0)
		rlo = -1;
	if (map[c].hi != ACCEL_SENSOR_COUNT && (rhi = read_limit(a, map[c].hi, &dhi)) > 0)
		rhi = -1;
	if (rlo < -1 || rhi < -1) {
		ksnprintf(why, len, "%s: reading the %s limits: %s", a->bdf, check_names[c], accel_strerror(rlo < -1 ? rlo : rhi));
		return rlo < -1 ? rlo : rhi;
	}
	struct bound lo = {0, 0}, hi = {0, 0};
	switch (c) {
	case ACCEL_CHECK_TEMP: tighter(&hi, dhi, rhi == 0, l->temp_max_c, 1000, "temp_max", true); break;
	case ACCEL_CHECK_POWER: tighter(&hi, dhi, rhi == 0, l->power_max_w, 1000, "power_max", true); break;
	case ACCEL_CHECK_FAN: tighter(&lo, dlo, rlo == 0, l->fan_min_rpm, 1, "fan_min_rpm", false); break;
	case ACCEL_CHECK_VOLTAGE:
		tighter(&lo, dlo, rlo == 0, l->voltage_min_mv, 1, "voltage_min", false);
		tighter(&hi, dhi, rhi == 0, l->voltage_max_mv, 1, "voltage_max", true);
		break;
	case ACCEL_CHECK_CURRENT: tighter(&hi, dhi, rhi == 0, l->current_max_a, 1000, "current_max", true); break;
	case ACCEL_CHECK_REPLAY:
		tighter(&hi, 0, false, l->replay_max, 1, "pcie_replay_max", true);
		break;
	case ACCEL_CHECKS: break;
	}
	const char *unit = map[c].unit;
	const char *what = c == ACCEL_CHECK_REPLAY ? "PCIe replay count" : check_names[c];
	if (lo.whose && v < lo.v) {
		ksnprintf(why, len, "%s: %s %llu %s below the limit %llu %s (%s)", a->bdf, what, (unsigned long long)v, unit,
			  (unsigned long long)lo.v, unit, lo.whose);
		return 1;
	}
	if (hi.whose && v > hi.v) {
		ksnprintf(why, len, "%s: %s %llu %s above the limit %llu %s (%s)", a->bdf, what, (unsigned long long)v, unit,
			  (unsigned long long)hi.v, unit, hi.whose);
		return 1;
	}
	char lim[120];
	if (lo.whose && hi.whose)
		ksnprintf(lim, sizeof lim, "limits %llu..%llu %s (%s, %s)", (unsigned long long)lo.v, (unsigned long long)hi.v,
			  unit, lo.whose, hi.whose);
	else if (lo.whose || hi.whose)
		ksnprintf(lim, sizeof lim, "limit %s%llu %s (%s)", lo.whose ? ">= " : "<= ",
			  (unsigned long long)(lo.whose ? lo.v : hi.v), unit, lo.whose ? lo.whose : hi.whose);
	else
		ksnprintf(lim, sizeof lim, "no limit (the device reports none; %s off)",
			  c == ACCEL_CHECK_REPLAY ? "pcie_replay_max" : "the key is");
	ksnprintf(why, len, "%s: %s %llu %s, %s", a->bdf, what, (unsigned long long)v, unit, lim);
	return 0;
}
