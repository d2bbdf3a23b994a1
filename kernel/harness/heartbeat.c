#include "kernel/harness/heartbeat.h"

#include "kernel/console.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/runner.h"
#include "kernel/harness/watch.h"
#include "kernel/time.h"

static uint64_t period_ns, next_ns;
static volatile unsigned cur_pass;
static volatile uint64_t eta = HEARTBEAT_ETA_UNKNOWN;
static const char *volatile state;

void heartbeat_state(const char *s) { state = s; }

void heartbeat_configure(uint32_t period_s)
{
	period_ns = (uint64_t)period_s * NS_PER_S;
	next_ns = time_ns() + period_ns;
}

void heartbeat_progress(unsigned pass, uint64_t eta_s)
{
	cur_pass = pass;
	eta = eta_s;
}

void heartbeat_tick(void)
{
	if (!period_ns)
		return;
	uint64_t now = time_ns();
	if (now < next_ns)
		return;
	next_ns += period_ns;
	if (next_ns <= now) /* we were held up: do not fire a burst */
		next_ns = now + period_ns;
	const struct run_totals *t = runner_totals();
	char line[200], e[32];
	if (eta == HEARTBEAT_ETA_UNKNOWN)
		ksnprintf(e, sizeof e, "unknown");
	else
		ksnprintf(e, sizeof e, "%llus", (unsigned long long)eta);
	const char *c = runner_current_case();
	int n = ksnprintf(line, sizeof line, "# kiln: heartbeat elapsed=%llus pass=%u ok=%u failed=%u skipped=%u eta=%s%s%s%s%s\n",
			  (unsigned long long)(now / NS_PER_S), cur_pass, t->passed, t->failed, t->skipped, e,
			  c ? " running=" : "", c ? c : "", state ? " state=" : "", state ? state : "");
	console_write_async(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	watch_tick(c); /* every device's health signals, at every heartbeat */
}
