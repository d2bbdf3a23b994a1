/* Suite `queues`: every stream of every compute queue of every accelerator. */
#include "drivers/accel/accel.h"
#include "drivers/accel/cb.h"
#include "kernel/ktest.h"

#define CB_BYTES 4096
#define WAIT_MS 2000

/* A NOP and a MSG_LONG to host memory through every stream: the CB runs, its
 * completion carries the right shadow index, the message lands, the CQ interrupt fires. */
static void queues_nop_every_stream(struct kt *t)
{
	for (unsigned i = 0; i < accel_count(); i++) {
		struct accel *a = accel_get(i);
		struct accel_buf cbuf, fence;
		if (accel_buf_alloc(&cbuf, CB_BYTES) || accel_buf_alloc(&fence, 4096)) {
			kt_fail(t, "%s: out of memory for a command buffer", a->bdf);
			return;
		}
		for (unsigned q = 0; q < KILN_NUM_QUEUES; q++) {
			char name[16], why[300];
			volatile uint32_t *word = (volatile uint32_t *)fence.host + q;
			uint32_t value = 0x4b000000u | (i << 8) | q;
			struct cb c;
			cb_init(&c, cbuf.host, CB_BYTES);
			cb_nop(&c, 0);
			cb_msg_long(&c, fence.dev + 4 * q, value, CB_MB);
			if (!cb_ok(&c)) {
				kt_fail(t, "command buffer overflow");
				break;
			}
			int r = accel_run(a, q, cbuf.dev, cb_len(&c), WAIT_MS, why, sizeof why);
			if (r)
				kt_fail(t, "%s %s: %s", a->bdf, accel_queue_name(q, name), why);
			else if (*word != value)
				kt_fail(t, "%s %s: MSG_LONG wrote 0x%08x to host 0x%llx, expected 0x%08x", a->bdf,
					accel_queue_name(q, name), *word, (unsigned long long)(fence.dev + 4 * q), value);
		}
		kt_diag(t, "%s: %u streams ran a NOP + MSG_LONG CB, irq mode %s", a->bdf, KILN_NUM_QUEUES,
			a->irq_mode == ACCEL_IRQ_MSIX ? "msix" : (a->irq_mode == ACCEL_IRQ_SHARED ? "shared" : "poll"));
		accel_buf_free(&cbuf);
		accel_buf_free(&fence);
	}
}

static const struct kt_case cases[] = {
	{"queues-nop-every-stream", queues_nop_every_stream, 0},
};

const struct kt_suite suite_queues = {"queues", KT_CASES(cases), KT_SUITE_DEVICE};
