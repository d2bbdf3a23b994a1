/* Suite `events`: the event queue end to end — consumption across many wraps of the ring
 * with every entry acknowledged and none lost, every event id the device can raise decoded
 * by name, real error events provoked and decoded, overflow detected when the driver stops
 * consuming, and every interrupt source delivered. */
#include "drivers/accel/accel.h"
#include "drivers/accel/accel_priv.h"
#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_core.h"
#include "drivers/accel/hw/kiln_hbm.h"
#include "drivers/accel/hw/kiln_packets.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "tests/suites/accel/accel_test.h"

#define WRAP_EVENTS (2 * ACCEL_EQ_ENTRIES + ACCEL_EQ_ENTRIES / 4 + 1) /* more than two laps */
#define WRAP_BATCH (ACCEL_EQ_ENTRIES / 4)                           /* posted between polls */
#define OVERFLOW_EXTRA 9u     /* events posted beyond what the ring holds */
#define EVENT_WAIT_MS 2000
#define RUN_MS 2000
#define CB_BYTES 4096
/* no packet has opcode 0xE (docs/device.md section 6: 0x0, 0xE, 0x10-0x1F are illegal) */
#define ILLEGAL_OPCODE (KILN_PKT_WAIT + 1)

static uint32_t eq_reg(struct accel *a, uint32_t off) { return accel_rd(a, KILN_BLK_EQ + off); }

/* Drain what is there and forget it (the cases below count from a clean start). */
static void drain(struct accel *a) { accel_eq_poll(a); }

/* Poll until `n` more events than `base` were consumed, or the deadline. */
static bool consume_until(struct accel *a, uint64_t target_seq)
{
	struct deadline d = deadline_in_ms(EVENT_WAIT_MS);
	while (a->ev_seq < target_seq) {
		accel_eq_poll(a);
		if (a->ev_seq >= target_seq)
			break;
		if (accel_check_alive(a) || deadline_passed(d))
			return false;
		cpu_relax();
	}
	return true;
}

/* Post more than two rings' worth of test events, consuming in batches: every one arrives
 * in order (payload count and device index consecutive), is acknowledged (CI follows), and
 * nothing is lost. */
static void events_wrap(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		drain(a);
		uint32_t lost0 = eq_reg(a, KILN_EQ_LOST);
		uint64_t first = a->ev_seq + 1, prev_count = 0;
		uint32_t prev_index = 0;
		unsigned got = 0, laps0 = a->eq_ci;
		bool bad = false;
		for (unsigned posted = 0; posted < WRAP_EVENTS && !bad;) {
			unsigned batch = WRAP_EVENTS - posted < WRAP_BATCH ? WRAP_EVENTS - posted : WRAP_BATCH;
			uint64_t before = a->ev_seq;
			for (unsigned k = 0; k < batch; k++)
				accel_wr(a, KILN_BLK_CORE + KILN_CORE_TEST_EVENT, KILN_EVENT_TEST);
			posted += batch;
			if (!consume_until(a, before + batch)) {
				kt_fail(t, "%s: %llu of %u test events arrived within %u ms (EQ PI %u CI %u, LOST %u)%s", a->bdf,
					(unsigned long long)(a->ev_seq - before), batch, EVENT_WAIT_MS, eq_reg(a, KILN_EQ_PI),
					eq_reg(a, KILN_EQ_CI), eq_reg(a, KILN_EQ_LOST), a->gone ? ": device not responding" : "");
				bad = true;
				break;
			}
			for (uint64_t s = before + 1; s <= a->ev_seq; s++) {
				const struct accel_event *e = &a->ev_log[(s - 1) % ACCEL_EVENT_LOG];
				if (e->type != KILN_EVENT_TEST || e->data[0] != KILN_EV_TEST_MAGIC)
					continue; /* a real event meanwhile (e.g. a NIC link change) */
				if (prev_count && (e->data[1] != prev_count + 1 || e->index != ((prev_index + 1) & 0xffffu))) {
					kt_fail(t, "%s: test event %u: payload count %llu / device index %u after %llu / %u: "
						   "events lost or out of order",
						a->bdf, got, (unsigned long long)e->data[1], e->index, (unsigned long long)prev_count,
						prev_index);
					bad = true;
					break;
				}
				prev_count = e->data[1];
				prev_index = e->index;
				got++;
			}
		}
		uint32_t ci = eq_reg(a, KILN_EQ_CI), lost = eq_reg(a, KILN_EQ_LOST), st = eq_reg(a, KILN_EQ_STATUS);
		if (ci != a->eq_ci)
			kt_fail(t, "%s: EQ CI register %u, the driver consumed up to %u: not acknowledged", a->bdf, ci, a->eq_ci);
		if (lost != lost0)
			kt_fail(t, "%s: EQ LOST went %u -> %u while every event was consumed in time", a->bdf, lost0, lost);
		if (st & KILN_EQ_STATUS_DMA_FAULT)
			kt_fail(t, "%s: EQ STATUS 0x%x: an entry could not be written", a->bdf, st);
		if (!bad && got != WRAP_EVENTS)
			kt_fail(t, "%s: %u test events consumed, %u posted", a->bdf, got, WRAP_EVENTS);
		(void)first;
		(void)laps0;
		kt_diag(t, "%s: %u test events through a %u-entry ring (%u laps), CI %u, LOST %u", a->bdf, got,
			ACCEL_EQ_ENTRIES, got / ACCEL_EQ_ENTRIES, ci, lost);
	}
}

/* Every event id the device can raise, posted through the test hook, comes back with its
 * id and a name (never UNKNOWN). */
static void events_names(struct kt *t)
{
	static const struct {
		uint32_t first;
		unsigned count;
		const char *prefix; /* what the name starts with */
	} kinds[] = {
		{KILN_EVENT_HBM_SERR(0), KILN_HBM_STACKS, "HBM_"},  {KILN_EVENT_HBM_DERR(0), KILN_HBM_STACKS, "HBM_"},
		{KILN_EVENT_DMA_QM(0), KILN_NUM_DMA_ENGINES, "DMA"}, {KILN_EVENT_DMA_CORE(0), KILN_NUM_DMA_ENGINES, "DMA"},
		{KILN_EVENT_NIC_QM(0), KILN_EVENT_NIC_GAUDI_PORTS, "NIC"},
		{KILN_EVENT_NIC_QM(KILN_EVENT_NIC_GAUDI_PORTS), KILN_MAX_PORTS - KILN_EVENT_NIC_GAUDI_PORTS, "NIC"},
		{KILN_EVENT_NIC_STATUS(0), KILN_EVENT_NIC_GAUDI_PORTS, "STATUS_NIC"},
		{KILN_EVENT_NIC_STATUS(KILN_EVENT_NIC_GAUDI_PORTS), KILN_MAX_PORTS - KILN_EVENT_NIC_GAUDI_PORTS, "STATUS_NIC"},
		{KILN_EVENT_POWER_ENV_S, 1, "FIX_POWER_ENV_S"},     {KILN_EVENT_POWER_ENV_E, 1, "FIX_POWER_ENV_E"},
		{KILN_EVENT_THERMAL_ENV_S, 1, "FIX_THERMAL_ENV_S"}, {KILN_EVENT_THERMAL_ENV_E, 1, "FIX_THERMAL_ENV_E"},
		{KILN_EVENT_SM_ERR, 1, "SM_ERR"},                   {KILN_EVENT_CPUCP_ERR, 1, "CPUCP_ERR"},
		{KILN_EVENT_TEST, 1, "TEST"},
	};
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		drain(a);
		unsigned n = 0;
		for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0] && !a->gone; k++) {
			for (unsigned j = 0; j < kinds[k].count; j++) {
				uint32_t id = kinds[k].first + j;
				uint64_t before = a->ev_seq;
				struct accel_event ev;
				accel_wr(a, KILN_BLK_CORE + KILN_CORE_TEST_EVENT, id);
				int r = accel_event_wait(a, id, before, EVENT_WAIT_MS, &ev);
				const char *name = accel_event_name(id);
				if (r) {
					kt_fail(t, "%s: event %u (%s) posted through TEST_EVENT: %s", a->bdf, id, name, accel_strerror(r));
					break;
				}
				if (strncmp(name, kinds[k].prefix, strlen(kinds[k].prefix)) || !strncmp(name, "UNKNOWN", 7))
					kt_fail(t, "%s: event %u is named %s, expected a %s... name", a->bdf, id, name, kinds[k].prefix);
				char desc[200];
				accel_event_describe(&ev, desc, sizeof desc);
				if (strncmp(desc, name, strlen(name)))
					kt_fail(t, "%s: event %u described as \"%s\"", a->bdf, id, desc);
				n++;
			}
		}
		kt_diag(t, "%s: %u event ids posted, received and named", a->bdf, n);
	}
}

/* Wait for a real (device-raised) event of `type` after `after`; fail with what is known. */
static const struct accel_event *expect_event(struct kt *t, struct accel *a, uint32_t type, uint64_t after,
					      const char *provoked)
{
	struct deadline d = deadline_in_ms(EVENT_WAIT_MS);
	for (;;) {
		accel_eq_poll(a);
		const struct accel_event *e = accel_test_real_event(a, type, after);
		if (e) {
			char desc[240];
			accel_event_describe(e, desc, sizeof desc);
			kt_diag(t, "%s: %s -> %s", a->bdf, provoked, desc);
			return e;
		}
		if (accel_check_alive(a) || deadline_passed(d)) {
			kt_fail(t, "%s: %s: no %s event within %u ms%s", a->bdf, provoked, accel_event_name(type), EVENT_WAIT_MS,
				a->gone ? " (device not responding)" : "");
			return 0;
		}
		cpu_relax();
	}
}

/* Real events: an illegal opcode (DMAe_QM), a LIN_DMA to nowhere (DMAe_CORE + DMAe_QM),
 * a monitor armed on a group that does not exist (SM_ERR); each decoded, each queue
 * recovered by a stream reset. */
static void events_errors(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		struct accel_buf cbuf;
		if (accel_buf_alloc(&cbuf, CB_BYTES)) {
			kt_fail(t, "%s: out of memory for a command buffer", a->bdf);
			return;
		}
		drain(a);
		char why[300], qn[16];
		/* 1: illegal opcode on the last stream of engine 1 */
		unsigned q = KILN_QUEUE_ID(KILN_NUM_DMA_ENGINES - 1, KILN_STREAMS_PER_ENGINE - 1);
		struct cb c;
		cb_init(&c, cbuf.host, CB_BYTES);
		cb_nop(&c, 0);
		cb_raw(&c, 0, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, ILLEGAL_OPCODE));
		uint64_t before = a->ev_seq;
		int r = accel_run(a, q, cbuf.dev, cb_len(&c), RUN_MS, why, sizeof why);
		if (r == ACCEL_OK)
			kt_fail(t, "%s %s: a CB with an illegal opcode completed", a->bdf, accel_queue_name(q, qn));
		const struct accel_event *e =
			expect_event(t, a, KILN_EVENT_DMA_QM(KILN_NUM_DMA_ENGINES - 1), before, "illegal opcode");
		if (e) {
			struct kiln_ev_qman_err p;
			memcpy(&p, e->data, sizeof p);
			if (p.cause != KILN_QM_ERR_BAD_OPCODE || p.stream != KILN_STREAMS_PER_ENGINE - 1 ||
			    p.cb_offset != KILN_PKT_SIZE_SHORT)
				kt_fail(t, "%s: DMA_QM payload: stream %u cause %u (%s) offset %u, expected stream %u cause %u offset %u",
					a->bdf, p.stream, p.cause, accel_qm_err_name(p.cause), p.cb_offset,
					KILN_STREAMS_PER_ENGINE - 1, KILN_QM_ERR_BAD_OPCODE, KILN_PKT_SIZE_SHORT);
		}
		accel_queue_reset(a, q);
		/* 2: LIN_DMA from SRAM to an address in no window, on engine 0 stream 0 */
		q = KILN_QUEUE_ID(0, 0);
		cb_init(&c, cbuf.host, CB_BYTES);
		uint64_t bad = accel_hbm_addr(a->hbm_size); /* just past the end of the HBM: nowhere */
		cb_lin_dma(&c, accel_sram_addr(0), bad, CB_BYTES, false, 0);
		before = a->ev_seq;
		r = accel_run(a, q, cbuf.dev, cb_len(&c), RUN_MS, why, sizeof why);
		if (r == ACCEL_OK)
			kt_fail(t, "%s %s: a LIN_DMA to 0x%llx (past the end of the HBM) completed", a->bdf, accel_queue_name(q, qn),
				(unsigned long long)bad);
		e = expect_event(t, a, KILN_EVENT_DMA_CORE(0), before, "LIN_DMA past the end of the HBM");
		if (e) {
			struct kiln_ev_dma_core p;
			memcpy(&p, e->data, sizeof p);
			if (p.cause != KILN_QM_ERR_DMA_DST || p.dst != bad || p.tsize != CB_BYTES)
				kt_fail(t, "%s: DMA_CORE payload: cause %u (%s) dst 0x%llx size %u, expected cause %u dst 0x%llx size %u",
					a->bdf, p.cause, accel_qm_err_name(p.cause), (unsigned long long)p.dst, p.tsize,
					KILN_QM_ERR_DMA_DST, (unsigned long long)bad, CB_BYTES);
		}
		expect_event(t, a, KILN_EVENT_DMA_QM(0), before, "LIN_DMA past the end of the HBM");
		accel_queue_reset(a, q);
		/* both queues work again after the reset */
		unsigned qs[] = {KILN_QUEUE_ID(0, 0), KILN_QUEUE_ID(KILN_NUM_DMA_ENGINES - 1, KILN_STREAMS_PER_ENGINE - 1)};
		for (unsigned k = 0; k < 2 && !a->gone; k++) {
			cb_init(&c, cbuf.host, CB_BYTES);
			cb_nop(&c, 0);
			if ((r = accel_run(a, qs[k], cbuf.dev, cb_len(&c), RUN_MS, why, sizeof why)))
				kt_fail(t, "%s %s: not recovered by a stream reset: %s", a->bdf, accel_queue_name(qs[k], qn), why);
		}
		/* 3: a monitor armed on a sync group that does not exist */
		unsigned m = a->monitors - 1;
		before = a->ev_seq;
		accel_mon_arm(a, m, KILN_SM_NUM_GROUPS, 0, KILN_SM_MON_MODE_GE, 1, 0, 0, false);
		e = expect_event(t, a, KILN_EVENT_SM_ERR, before, "monitor armed on a missing group");
		if (e) {
			struct kiln_ev_sm_err p;
			memcpy(&p, e->data, sizeof p);
			if (p.cause != KILN_SM_ERR_BAD_GID || p.monitor != m)
				kt_fail(t, "%s: SM_ERR payload: cause %u monitor %u, expected cause %u monitor %u", a->bdf, p.cause,
					p.monitor, KILN_SM_ERR_BAD_GID, m);
		}
		accel_buf_free(&cbuf);
	}
}

/* The driver stops consuming: the ring fills, the device counts what it drops and flags
 * OVERFLOW; the driver sees both, then catches up. */
static void events_overflow(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		drain(a);
		accel_wr(a, KILN_BLK_EQ + KILN_EQ_STATUS, KILN_EQ_STATUS_OVERFLOW);
		uint32_t lost0 = eq_reg(a, KILN_EQ_LOST);
		unsigned post = ACCEL_EQ_ENTRIES - 1 + OVERFLOW_EXTRA; /* the ring holds entries - 1 */
		for (unsigned k = 0; k < post; k++)
			accel_wr(a, KILN_BLK_CORE + KILN_CORE_TEST_EVENT, KILN_EVENT_TEST);
		uint32_t lost = eq_reg(a, KILN_EQ_LOST) - lost0, st = eq_reg(a, KILN_EQ_STATUS);
		uint64_t before = a->ev_seq;
		accel_eq_poll(a);
		uint64_t got = a->ev_seq - before;
		if (a->gone) {
			kt_fail(t, "%s: device not responding", a->bdf);
			continue;
		}
		if (!(st & KILN_EQ_STATUS_OVERFLOW) || lost < OVERFLOW_EXTRA)
			kt_fail(t, "%s: %u events posted into a full %u-entry ring: STATUS 0x%x, LOST +%u; overflow not reported",
				a->bdf, post, ACCEL_EQ_ENTRIES, st, lost);
		else
			kt_diag(t, "%s: EQ overflow detected: %u events lost (LOST +%u, STATUS OVERFLOW) after %u posted "
				   "unconsumed; %llu consumed afterwards",
				a->bdf, lost, lost, post, (unsigned long long)got);
		if (got + lost < post)
			kt_fail(t, "%s: %u posted, %llu consumed + %u lost: events vanished", a->bdf, post,
				(unsigned long long)got, lost);
		/* acknowledge the condition: the ring works again */
		accel_wr(a, KILN_BLK_EQ + KILN_EQ_STATUS, KILN_EQ_STATUS_OVERFLOW);
		a->ev_lost_seen = eq_reg(a, KILN_EQ_LOST);
		before = a->ev_seq;
		accel_wr(a, KILN_BLK_CORE + KILN_CORE_TEST_EVENT, KILN_EVENT_TEST);
		if (accel_event_wait(a, KILN_EVENT_TEST, before, EVENT_WAIT_MS, 0))
			kt_fail(t, "%s: the EQ does not deliver events after the overflow was consumed", a->bdf);
		if (eq_reg(a, KILN_EQ_STATUS) & KILN_EQ_STATUS_OVERFLOW)
			kt_fail(t, "%s: EQ STATUS OVERFLOW does not clear (RW1C)", a->bdf);
	}
}

/* Every interrupt source raised by the self-test hook arrives on its vector; the EQ vector
 * also fires for a real EQ entry. A lost one is an interrupt fault. */
static void events_irq(struct kt *t)
{
	unsigned tested = 0;
	FOR_EACH_ACCEL(i, a) {
		if (!accel_test_alive(t, a))
			continue;
		if (a->irq_mode == ACCEL_IRQ_POLL) {
			kt_diag(t, "%s: interrupts not in use %s", a->bdf, a->irq_note);
			continue;
		}
		tested++;
		unsigned sources = KILN_VEC_NIC_TX(0) + 2 * a->ports, bad = 0;
		char why[240];
		for (unsigned v = 0; v < sources && !a->gone; v++) {
			if (accel_irq_selftest(a, v, why, sizeof why)) {
				kt_fail(t, "%s: source %u: %s", a->bdf, v, why);
				bad++;
			}
		}
		/* the EQ vector for a real entry, not only the hook */
		uint64_t n0 = a->irq_count[KILN_VEC_EQ], before = a->ev_seq;
		accel_wr(a, KILN_BLK_CORE + KILN_CORE_TEST_EVENT, KILN_EVENT_TEST);
		if (accel_event_wait(a, KILN_EVENT_TEST, before, EVENT_WAIT_MS, 0) == ACCEL_OK) {
			struct deadline d = deadline_in_ms(EVENT_WAIT_MS);
			while (a->irq_count[KILN_VEC_EQ] == n0 && !deadline_passed(d))
				cpu_relax();
			if (a->irq_count[KILN_VEC_EQ] == n0) {
				kt_fail(t, "%s: interrupt fault: an EQ entry arrived (found by polling) but vector %u never fired "
					   "within %u ms (IRQ_STATUS 0x%08x)",
					a->bdf, KILN_VEC_EQ, EVENT_WAIT_MS, accel_rd(a, KILN_BLK_CORE + KILN_CORE_IRQ_STATUS));
				bad++;
			}
		}
		if (!bad)
			kt_diag(t, "%s: %u interrupt sources delivered (%s)", a->bdf, sources,
				a->irq_mode == ACCEL_IRQ_MSIX ? "one MSI-X vector each" : "one shared vector");
	}
	if (!tested && !kt_failed(t))
		kt_skip(t, "no accelerator uses interrupts (accel_irq=poll or no MSI-X)");
}

static const struct kt_case cases[] = {
	{"events-wrap", events_wrap, 0},
	{"events-names", events_names, 0},
	{"events-errors", events_errors, 0},
	{"events-overflow", events_overflow, 0},
	{"events-irq", events_irq, 0},
};

KT_SUITE(events, KT_SUITE_DEVICE | KT_SUITE_LANES);
