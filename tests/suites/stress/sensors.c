/* The stress suite's sensor watch, on the boot CPU: every stress.sample_ms, each device's
 * temperature, power, fan speed, HBM ECC counts (corrected, uncorrected) and NIC links up
 * become one element of a measurement series each ("# measure" lines; OCP
 * measurementSeries records with ldjson=on), and are judged during the load: temperature,
 * power and fan against the tighter of the device's limit and the configured one
 * (temp_max, power_max, fan_min_rpm), any new uncorrected ECC error, corrected ones above
 * ecc_serr_max, a cabled port whose link dropped (more than nic.flaps_max times), and any
 * error event the device raised (HBM DERR, DMA QM/core, NIC QM, power/thermal, sync
 * manager, device CPU). A breach fails at once with sensor, device, value, limit and time
 * into the stress. */
#include "kernel/harness/config.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "tests/suites/stress/stress.h"

enum series { S_TEMP, S_POWER, S_FAN, S_SERR, S_DERR, S_LINKS, S_COUNT };
static const struct {
	const char *name, *unit;
	unsigned decimals;
} series_def[S_COUNT] = {
	[S_TEMP] = {"temperature", "C", 3},   [S_POWER] = {"power", "W", 3},
	[S_FAN] = {"fan", "rpm", 0},          [S_SERR] = {"hbm-ecc-corrected", "errors", 0},
	[S_DERR] = {"hbm-ecc-uncorrected", "errors", 0}, [S_LINKS] = {"links-up", "ports", 0},
};

/* The device's error events (docs/device.md section 8): one raised during the load fails it. */
#define ERROR_EVENTS (4u + 2u * KILN_NUM_DMA_ENGINES + KILN_EVENT_NIC_PORTS + 4u)

struct stress_sensors {
	struct stress_nic *nic;
	struct accel_limits lim;
	struct kt_series s[ACCEL_MAX][S_COUNT];
	uint32_t derr0[ACCEL_MAX];
	uint32_t ev[ERROR_EVENTS];               /* the error event ids */
	uint64_t ev0[ACCEL_MAX][ERROR_EVENTS];   /* their counts when last looked at */
	unsigned samples;
};

static void error_events(uint32_t *ev)
{
	unsigned n = 0;
	for (unsigned k = 0; k < 4; k++)
		ev[n++] = KILN_EVENT_HBM_DERR(k);
	for (unsigned e = 0; e < KILN_NUM_DMA_ENGINES; e++) {
		ev[n++] = KILN_EVENT_DMA_QM(e);
		ev[n++] = KILN_EVENT_DMA_CORE(e);
	}
	for (unsigned p = 0; p < KILN_EVENT_NIC_PORTS; p++)
		ev[n++] = KILN_EVENT_NIC_QM(p);
	ev[n++] = KILN_EVENT_POWER_ENV_S;
	ev[n++] = KILN_EVENT_THERMAL_ENV_S;
	ev[n++] = KILN_EVENT_SM_ERR;
	ev[n++] = KILN_EVENT_CPUCP_ERR;
}
static struct stress_sensors sensors;

struct stress_sensors *stress_sensors_start(struct kt *t, struct stress_nic *nic)
{
	struct stress_sensors *s = &sensors;
	memset(s, 0, sizeof *s);
	s->nic = nic;
	const struct kiln_config *k = kiln_cfg;
	s->lim = (struct accel_limits){ACCEL_LIMIT_OFF, ACCEL_LIMIT_OFF, ACCEL_LIMIT_OFF, ACCEL_LIMIT_OFF,
				       ACCEL_LIMIT_OFF, ACCEL_LIMIT_OFF, ACCEL_LIMIT_OFF};
	if (k)
		s->lim = (struct accel_limits){k->temp_max_c, k->power_max_w, k->fan_min_rpm, k->voltage_min_mv,
					       k->voltage_max_mv, k->current_max_a, k->pcie_replay_max};
	error_events(s->ev);
	for (unsigned i = 0; i < accel_count() && i < ACCEL_MAX; i++) {
		struct accel_ecc e;
		struct accel *a = accel_get(i);
		accel_ecc_read(a, &e);
		s->derr0[i] = e.derr;
		accel_eq_poll(a);
		for (unsigned k = 0; k < ERROR_EVENTS; k++)
			s->ev0[i][k] = a->ev_count[s->ev[k]];
		for (unsigned j = 0; j < S_COUNT; j++) {
			if (j == S_LINKS && !nic)
				continue;
			char name[64];
			ksnprintf(name, sizeof name, "stress-accel%u-%s", i, series_def[j].name);
			kt_series_start(t, &s->s[i][j], name, series_def[j].decimals, series_def[j].unit);
		}
	}
	return s;
}

static void at(char *b, size_t n)
{
	uint64_t ms = stress_ms();
	ksnprintf(b, n, "at %llu.%03llu s into the stress", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}

static bool read_value(struct kt *t, struct accel *a, enum accel_sensor id, uint64_t *v)
{
	unsigned n;
	const struct accel_sensor_def *defs = accel_sensor_defs(&n);
	uint32_t rc = 0;
	int r = accel_sensor_read(a, &defs[id], v, &rc);
	if (r == ACCEL_OK)
		return true;
	char when[48];
	at(when, sizeof when);
	kt_fail(t, "%s: reading %s during the stress: %s (rc %u), %s", a->bdf, defs[id].name, accel_strerror(r), rc, when);
	return false;
}

/* Judge one signal with the driver's own check (value, limit, whose limit). */
static bool judge(struct kt *t, struct stress_sensors *s, struct accel *a, enum accel_check c)
{
	char why[240], when[48];
	int r = accel_check(a, c, &s->lim, why, sizeof why);
	if (r == 0)
		return true;
	at(when, sizeof when);
	kt_fail(t, "%s, %s", why, when);
	return false;
}

bool stress_sensors_sample(struct kt *t, struct stress_sensors *s)
{
	bool ok = true;
	char when[48];
	uint32_t serr_max = kiln_cfg ? kiln_cfg->ecc_serr_max : CFG_LIMIT_OFF;
	for (unsigned i = 0; i < accel_count() && i < ACCEL_MAX; i++) {
		struct accel *a = accel_get(i);
		if (accel_check_alive(a) != ACCEL_OK) {
			at(when, sizeof when);
			kt_fail(t, "%s: device not responding (configuration BAR reads all-ones), %s", a->bdf, when);
			ok = false;
			continue;
		}
		/* error events the device raised since the last sample (the newest one described) */
		accel_eq_poll(a);
		for (unsigned k = 0; k < ERROR_EVENTS; k++) {
			uint64_t n = a->ev_count[s->ev[k]] - s->ev0[i][k];
			if (!n)
				continue;
			char text[200] = "";
			const struct accel_event *ev = accel_event_find(a, s->ev[k], 0);
			if (ev)
				accel_event_describe(ev, text, sizeof text);
			at(when, sizeof when);
			kt_fail(t, "%s: %llu error event(s) %s during the stress%s%s, %s", a->bdf, (unsigned long long)n,
				accel_event_name(s->ev[k]), text[0] ? ": " : "", text, when);
			s->ev0[i][k] = a->ev_count[s->ev[k]];
			ok = false;
		}
		/* events, then the limits, then the values for the series: a change that lands
		 * mid-sample fails this sample or the next, and the series shows the failing value */
		ok &= judge(t, s, a, ACCEL_CHECK_TEMP);
		ok &= judge(t, s, a, ACCEL_CHECK_POWER);
		ok &= judge(t, s, a, ACCEL_CHECK_FAN);
		uint64_t v;
		if (read_value(t, a, ACCEL_SENSOR_TEMP, &v))
			kt_series_add(t, &s->s[i][S_TEMP], (int64_t)v);
		else
			ok = false;
		if (read_value(t, a, ACCEL_SENSOR_POWER, &v))
			kt_series_add(t, &s->s[i][S_POWER], (int64_t)v);
		else
			ok = false;
		if (read_value(t, a, ACCEL_SENSOR_FAN, &v))
			kt_series_add(t, &s->s[i][S_FAN], (int64_t)v);
		else
			ok = false;
		struct accel_ecc e;
		accel_ecc_read(a, &e);
		kt_series_add(t, &s->s[i][S_SERR], e.serr);
		kt_series_add(t, &s->s[i][S_DERR], e.derr);
		if (e.derr > s->derr0[i]) {
			at(when, sizeof when);
			kt_fail(t, "%s: HBM ECC: %u uncorrected (double-bit) error(s) during the stress, last at hbm+0x%llx stack "
				"%u, %s", a->bdf, e.derr - s->derr0[i], (unsigned long long)e.last_addr, e.last_stack, when);
			s->derr0[i] = e.derr;
			ok = false;
		}
		if (serr_max != CFG_LIMIT_OFF && e.serr > serr_max) {
			at(when, sizeof when);
			kt_fail(t, "%s: HBM ECC: %u corrected errors, above the limit %u (ecc_serr_max), last at hbm+0x%llx, %s",
				a->bdf, e.serr, serr_max, (unsigned long long)e.last_addr, when);
			ok = false;
		}
		if (s->nic) {
			const char *down = 0;
			unsigned up = stress_nic_links_up(s->nic, i, &down);
			kt_series_add(t, &s->s[i][S_LINKS], up);
			if (down) {
				at(when, sizeof when);
				kt_fail(t, "%s: link went down during the stress (nic.flaps_max=%u), %s", down,
					kiln_cfg ? kiln_cfg->nic_flaps_max : 0, when);
				ok = false;
			}
		}
	}
	s->samples++;
	return ok;
}

void stress_sensors_end(struct kt *t, struct stress_sensors *s)
{
	for (unsigned i = 0; i < accel_count() && i < ACCEL_MAX; i++)
		for (unsigned j = 0; j < S_COUNT; j++)
			kt_series_end(t, &s->s[i][j]);
	kt_diag(t, "sensors: %u sample(s) of %u device(s), every %u ms", s->samples, accel_count(),
		kiln_cfg ? kiln_cfg->stress_sample_ms : 0);
}
