/* queues: malformed programming. Each kind of bad CB stops its stream; the wait reports
 * it with the QM error event decoded by name, and a queue reset brings the stream back. */
#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_packets.h"
#include "drivers/accel/hw/kiln_qman.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "tests/suites/accel/accel_test.h"
#include "tests/suites/accel/queues.h"

enum bad_kind { BAD_OPCODE_0, BAD_OPCODE_E, BAD_ARB_CFG, BAD_REPEAT_NESTED, BAD_CP_DMA_NESTED, BAD_WREG_RANGE,
		BAD_TRUNCATED, BAD_MSG_ADDR, BAD_KINDS };

static const struct {
	const char *what;
	uint32_t cause;
} bad_kinds[BAD_KINDS] = {
	[BAD_OPCODE_0] = {"packet with opcode 0x0", KILN_QM_ERR_BAD_OPCODE},
	[BAD_OPCODE_E] = {"packet with opcode 0xe", KILN_QM_ERR_BAD_OPCODE},
	[BAD_ARB_CFG] = {"ARB_POINT with a non-zero cfg", KILN_QM_ERR_BAD_FIELD},
	[BAD_REPEAT_NESTED] = {"REPEAT inside REPEAT", KILN_QM_ERR_NESTING},
	[BAD_CP_DMA_NESTED] = {"CP_DMA inside CP_DMA", KILN_QM_ERR_NESTING},
	[BAD_WREG_RANGE] = {"WREG_32 past the engine block", KILN_QM_ERR_REG_OFFSET},
	[BAD_TRUNCATED] = {"LIN_DMA cut short by the end of the CB", KILN_QM_ERR_CB_TRUNCATED},
	[BAD_MSG_ADDR] = {"MSG_LONG to an address in no window", KILN_QM_ERR_MSG_ADDR},
};

#define NOWHERE_ADDR (KILN_DEV_CFG_BASE + KILN_DEV_HBM_BASE) /* window 0x4..: nothing there */

static void build_bad(struct cb *c, enum bad_kind k, struct accel_buf *aux)
{
	cb_nop(c, 0);
	switch (k) {
	case BAD_OPCODE_0:
		cb_raw(c, 0, 0);
		break;
	case BAD_OPCODE_E:
		cb_raw(c, 0, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, 0xe));
		break;
	case BAD_ARB_CFG:
		cb_raw(c, 1, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_ARB_POINT));
		break;
	case BAD_REPEAT_NESTED: /* the encoder refuses to build it: raw words */
		cb_raw(c, 2, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		cb_raw(c, 2, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		cb_raw(c, KILN_PKT_REPEAT_CFG_END, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		cb_raw(c, KILN_PKT_REPEAT_CFG_END, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_REPEAT));
		break;
	case BAD_CP_DMA_NESTED: {
		/* aux+0: a buffer whose only packet is a CP_DMA of aux+64 (a NOP) */
		struct cb inner, leaf;
		cb_init(&leaf, (uint8_t *)aux->host + 64, KILN_PKT_SIZE_SHORT);
		cb_nop(&leaf, 0);
		cb_init(&inner, aux->host, KILN_PKT_SIZE_LONG);
		cb_cp_dma(&inner, aux->dev + 64, cb_len(&leaf));
		cb_cp_dma(c, aux->dev, cb_len(&inner));
		break;
	}
	case BAD_WREG_RANGE:
		cb_raw(c, 0, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_WREG_32) | KILN_BLK_SIZE);
		break;
	case BAD_TRUNCATED:
		cb_raw(c, 8, (uint32_t)KILN_FIELD_PREP(KILN_PKT_CTL_OPCODE, KILN_PKT_LIN_DMA) | KILN_PKT_LIN_DMA_CTL_LIN);
		break;
	case BAD_MSG_ADDR:
		cb_msg_long(c, NOWHERE_ADDR, 1, 0);
		break;
	case BAD_KINDS:
		break;
	}
}

/* Each malformed CB stops its stream; the wait reports it with the DMA QM error event
 * decoded by name (cause, PQ index, packet offset), the event's fields are the right
 * ones, and after a queue reset a good CB runs on the same stream. */
void queues_malformed(struct kt *t)
{
	FOR_EACH_ACCEL(i, a) {
		struct test_bufs b;
		if (!test_bufs_get(t, a, &b, CB_BYTES, 4096, 4096))
			return;
		unsigned caught = 0, total = 0;
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], evname[16];
			unsigned e = q / KILN_STREAMS_PER_ENGINE, s = q % KILN_STREAMS_PER_ENGINE;
			accel_queue_name(q, name);
			ksnprintf(evname, sizeof evname, "DMA%u_QM", e);
			for (unsigned k = 0; k < BAD_KINDS; k++) {
				char why[400];
				struct cb c;
				total++;
				cb_init(&c, b.cb.host, CB_BYTES);
				build_bad(&c, (enum bad_kind)k, &b.aux);
				uint64_t ev0 = a->ev_seq;
				int r = accel_run(a, q, b.cb.dev, cb_len(&c), WAIT_MS, why, sizeof why);
				if (r != ACCEL_ESTOPPED) {
					kt_fail(t, "%s %s: %s: wait returned '%s', expected the queue stopped on an error%s%s", a->bdf,
						name, bad_kinds[k].what, accel_strerror(r), r ? ": " : "", r ? why : "");
					test_recover(t, a, q);
					continue;
				}
				const struct accel_event *ev = accel_event_find(a, KILN_EVENT_DMA_QM(e), ev0);
				struct kiln_ev_qman_err p;
				if (!ev) {
					kt_fail(t, "%s %s: %s stopped the queue without a %s error event: %s", a->bdf, name,
						bad_kinds[k].what, evname, why);
				} else if (memcpy(&p, ev->data, sizeof p), p.stream != s || p.cause != bad_kinds[k].cause) {
					kt_fail(t, "%s %s: %s: event names stream %u cause %u (%s), expected stream %u cause %u (%s)",
						a->bdf, name, bad_kinds[k].what, p.stream, p.cause, accel_qm_err_name(p.cause), s,
						bad_kinds[k].cause, accel_qm_err_name(bad_kinds[k].cause));
				} else if (!test_contains(why, evname) || !test_contains(why, accel_qm_err_name(bad_kinds[k].cause))) {
					kt_fail(t, "%s %s: %s: the report does not name the event and its cause: %s", a->bdf, name,
						bad_kinds[k].what, why);
				} else {
					caught++;
					if (q == 0)
						kt_diag(t, "%s %s: %s: %s", a->bdf, name, bad_kinds[k].what, why);
				}
				int rr = accel_queue_reset(a, q);
				if (rr) {
					kt_fail(t, "%s %s: queue reset after %s: %s", a->bdf, name, bad_kinds[k].what,
						accel_strerror(rr));
					continue;
				}
				volatile uint32_t *word = (volatile uint32_t *)b.host.host + q;
				uint32_t v = (uint32_t)kt_rand(t) | 1;
				cb_init(&c, b.cb.host, CB_BYTES);
				cb_msg_long(&c, b.host.dev + 4 * q, v, 0);
				if (!test_run(t, a, q, &b.cb, &c, "good CB after the reset") && *word != v)
					kt_fail(t, "%s %s: after the reset MSG_LONG wrote 0x%08x, expected 0x%08x", a->bdf, name, *word,
						v);
			}
		}
		kt_diag(t, "%s: %u of %u malformed CBs stopped their stream with the right decoded event; each stream ran "
			   "again after a reset",
			a->bdf, caught, total);
		test_bufs_put(&b);
	}
}
