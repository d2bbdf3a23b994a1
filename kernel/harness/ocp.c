#include "kernel/harness/ocp.h"

#include "kernel/harness/config.h"
#include "kernel/console.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/identity.h"
#include "kernel/lib/json.h"
#include "kernel/lib/string.h"
#include "kernel/wallclock.h"

#define OCP_RECORD_MAX 16384 /* testRunStart lists every DIMM */

static bool enabled;
static bool started;
static unsigned seq;
static const char *run_version, *run_cmdline;
static const struct kiln_config *run_cfg;
static unsigned next_step = 1;
static char rec[OCP_RECORD_MAX];

void ocp_enable(bool on) { enabled = on; }
bool ocp_enabled(void) { return enabled; }

static void begin(struct jbuf *j)
{
	jb_init(j, rec, sizeof rec);
	jb_obj_begin(j, 0);
}

static void finish(struct jbuf *j)
{
	char ts[40];
	wallclock_format_rfc3339(wallclock_now_ms(), ts, sizeof ts);
	jb_int(j, "sequenceNumber", seq++);
	jb_str(j, "timestamp", ts);
	jb_obj_end(j);
	if (!console_at_line_start())
		console_puts("\n");
	if (!jb_ok(j)) {
		/* never emit a broken record: say so in one that fits */
		struct jbuf e;
		static char small[256];
		jb_init(&e, small, sizeof small);
		jb_obj_begin(&e, 0);
		jb_obj_begin(&e, "testRunArtifact");
		jb_obj_begin(&e, "log");
		jb_str(&e, "severity", "ERROR");
		jb_str(&e, "message", "kiln: an OCP record was longer than 3072 bytes and was dropped");
		jb_obj_end(&e);
		jb_obj_end(&e);
		jb_int(&e, "sequenceNumber", seq - 1);
		jb_str(&e, "timestamp", ts);
		jb_obj_end(&e);
		console_puts(OCP_PREFIX);
		console_puts(jb_text(&e));
		console_puts("\n");
		return;
	}
	console_puts(OCP_PREFIX);
	console_puts(jb_text(j));
	console_puts("\n");
}

static void hw_info(struct jbuf *j, const char *id, const char *name, const char *mfr, const char *serial)
{
	jb_obj_begin(j, 0);
	jb_str(j, "hardwareInfoId", id);
	jb_str(j, "name", name);
	if (mfr && *mfr)
		jb_str(j, "manufacturer", mfr);
	if (serial && *serial)
		jb_str(j, "serialNumber", serial);
	jb_obj_end(j);
}

static void emit_run_start(void);

/* Every record comes after schemaVersion and testRunStart, also an error that ends the
 * run before it really began (a config error): the start is emitted on first need. */
static void ensure_started(void)
{
	if (!started) {
		started = true;
		emit_run_start();
	}
}

void ocp_run_start(const char *version, const char *cmdline, const struct kiln_config *c)
{
	run_version = version;
	run_cmdline = cmdline;
	run_cfg = c;
	if (enabled)
		ensure_started();
}

/* dutInfoId: the system serial, else a real SMBIOS UUID, else "unknown". */
static const char *dut_id(const struct smbios_info *s)
{
	if (s->sys_serial[0])
		return s->sys_serial;
	if (s->sys_uuid[0] && s->sys_uuid[0] != '(')
		return s->sys_uuid;
	return "unknown";
}

static void emit_run_start(void)
{
	const char *version = run_version ? run_version : "unknown";
	const char *cmdline = run_cmdline ? run_cmdline : "";
	const struct kiln_config *c = run_cfg;
	struct jbuf j;
	const struct identity *id = identity_get();
	const struct smbios_info *s = &id->smbios;
	char params[400];
	begin(&j);
	jb_obj_begin(&j, "schemaVersion");
	jb_int(&j, "major", 2);
	jb_int(&j, "minor", 0);
	jb_obj_end(&j);
	finish(&j);

	begin(&j);
	jb_obj_begin(&j, "testRunArtifact");
	jb_obj_begin(&j, "testRunStart");
	jb_str(&j, "name", "kiln");
	jb_str(&j, "version", version);
	jb_str(&j, "commandLine", cmdline);
	jb_obj_begin(&j, "parameters");
	if (c) {
		config_format(c, params, sizeof params);
		jb_str(&j, "effective", params);
	}
	jb_obj_end(&j);
	jb_obj_begin(&j, "dutInfo");
	jb_str(&j, "dutInfoId", dut_id(s));
	jb_str(&j, "name", s->sys_product[0] ? s->sys_product : "unknown");
	jb_arr_begin(&j, "platformInfos");
	jb_obj_begin(&j, 0);
	jb_str(&j, "info", id->cpu_brand);
	jb_obj_end(&j);
	jb_arr_end(&j);
	jb_arr_begin(&j, "softwareInfos");
	jb_obj_begin(&j, 0);
	jb_str(&j, "softwareInfoId", "firmware");
	jb_str(&j, "name", id->fw_vendor);
	jb_str(&j, "version", s->bios_version);
	jb_str(&j, "softwareType", "FIRMWARE");
	jb_obj_end(&j);
	jb_obj_begin(&j, 0);
	jb_str(&j, "softwareInfoId", "kiln");
	jb_str(&j, "name", "kiln");
	jb_str(&j, "version", version);
	jb_str(&j, "softwareType", "APPLICATION");
	jb_obj_end(&j);
	jb_arr_end(&j);
	jb_arr_begin(&j, "hardwareInfos");
	hw_info(&j, "system", s->sys_product[0] ? s->sys_product : "system", s->sys_manufacturer, s->sys_serial);
	hw_info(&j, "baseboard", s->board_product[0] ? s->board_product : "baseboard", s->board_manufacturer,
		s->board_serial);
	for (unsigned i = 0; id->smbios_ok && i < s->dimm_slots && i < SMBIOS_DIMM_MAX; i++) {
		const struct smbios_dimm *d = &s->dimm[i];
		char hid[16], name[64], tb[12];
		if (!d->size_mib && !d->size_unknown)
			continue; /* an empty slot is not hardware */
		ksnprintf(hid, sizeof hid, "dimm%u", i);
		ksnprintf(name, sizeof name, "%s %llu MiB %u MT/s", smbios_mem_type_name(d->type, tb),
			  (unsigned long long)d->size_mib, d->speed_mts);
		jb_obj_begin(&j, 0);
		jb_str(&j, "hardwareInfoId", hid);
		jb_str(&j, "name", name);
		jb_str(&j, "location", d->locator);
		if (d->manufacturer[0])
			jb_str(&j, "manufacturer", d->manufacturer);
		if (d->serial[0])
			jb_str(&j, "serialNumber", d->serial);
		if (d->part[0])
			jb_str(&j, "partNumber", d->part);
		jb_obj_end(&j);
	}
	jb_arr_end(&j);
	jb_obj_end(&j);
	jb_obj_end(&j);
	jb_obj_end(&j);
	finish(&j);
}

static void step_begin(struct jbuf *j, unsigned step)
{
	char id[16];
	ensure_started();
	begin(j);
	jb_obj_begin(j, "testStepArtifact");
	ksnprintf(id, sizeof id, "%u", step);
	jb_str(j, "testStepId", id);
}

static void step_finish(struct jbuf *j)
{
	jb_obj_end(j);
	finish(j);
}

unsigned ocp_step_start(const char *name)
{
	unsigned step = next_step++;
	if (!enabled)
		return step;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "testStepStart");
	jb_str(&j, "name", name);
	jb_obj_end(&j);
	step_finish(&j);
	return step;
}

void ocp_measure(unsigned step, const char *name, int64_t value, unsigned decimals, const char *unit)
{
	if (!enabled)
		return;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "measurement");
	jb_str(&j, "name", name);
	jb_fixed(&j, "value", value, decimals);
	jb_str(&j, "unit", unit);
	jb_obj_end(&j);
	step_finish(&j);
}

void ocp_series_start(unsigned step, const char *id, const char *name, const char *unit)
{
	if (!enabled)
		return;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "measurementSeriesStart");
	jb_str(&j, "measurementSeriesId", id);
	jb_str(&j, "name", name);
	jb_str(&j, "unit", unit);
	jb_obj_end(&j);
	step_finish(&j);
}

void ocp_series_element(unsigned step, const char *id, unsigned index, int64_t value, unsigned decimals)
{
	if (!enabled)
		return;
	struct jbuf j;
	char ts[40];
	wallclock_format_rfc3339(wallclock_now_ms(), ts, sizeof ts);
	step_begin(&j, step);
	jb_obj_begin(&j, "measurementSeriesElement");
	jb_int(&j, "index", index);
	jb_str(&j, "measurementSeriesId", id);
	jb_fixed(&j, "value", value, decimals);
	jb_str(&j, "timestamp", ts);
	jb_obj_end(&j);
	step_finish(&j);
}

void ocp_series_end(unsigned step, const char *id, unsigned count)
{
	if (!enabled)
		return;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "measurementSeriesEnd");
	jb_str(&j, "measurementSeriesId", id);
	jb_int(&j, "totalCount", count);
	jb_obj_end(&j);
	step_finish(&j);
}

void ocp_diagnosis(unsigned step, const char *verdict, const char *type, const char *message)
{
	if (!enabled)
		return;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "diagnosis");
	jb_str(&j, "verdict", verdict);
	jb_str(&j, "type", type);
	if (message && *message)
		jb_str(&j, "message", message);
	jb_obj_end(&j);
	step_finish(&j);
}

void ocp_step_log(unsigned step, const char *severity, const char *message)
{
	if (!enabled)
		return;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "log");
	jb_str(&j, "severity", severity);
	jb_str(&j, "message", message);
	jb_obj_end(&j);
	step_finish(&j);
}

void ocp_step_error(unsigned step, const char *symptom, const char *message)
{
	if (!enabled)
		return;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "error");
	jb_str(&j, "symptom", symptom);
	jb_str(&j, "message", message);
	jb_obj_end(&j);
	step_finish(&j);
}

void ocp_step_end(unsigned step, const char *status)
{
	if (!enabled)
		return;
	struct jbuf j;
	step_begin(&j, step);
	jb_obj_begin(&j, "testStepEnd");
	jb_str(&j, "status", status);
	jb_obj_end(&j);
	step_finish(&j);
}

static void run_artifact(const char *kind, const char *k1, const char *v1, const char *k2, const char *v2)
{
	if (!enabled)
		return;
	ensure_started();
	struct jbuf j;
	begin(&j);
	jb_obj_begin(&j, "testRunArtifact");
	jb_obj_begin(&j, kind);
	jb_str(&j, k1, v1);
	jb_str(&j, k2, v2);
	jb_obj_end(&j);
	jb_obj_end(&j);
	finish(&j);
}

void ocp_run_log(const char *severity, const char *message) { run_artifact("log", "severity", severity, "message", message); }
void ocp_run_error(const char *symptom, const char *message) { run_artifact("error", "symptom", symptom, "message", message); }
void ocp_run_end(const char *status, const char *result) { run_artifact("testRunEnd", "status", status, "result", result); }
