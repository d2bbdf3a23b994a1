/* Linear DMA through a compute queue: one CB of LIN_DMA packets (copy or memset) between
 * host memory, SRAM and HBM, started and finished separately so several engines and
 * streams can move data at once. A transfer that stops the queue is explained with the
 * queue's own error event and the DMA core's event (source, destination, faulting address). */
#include "drivers/accel/accel.h"

#include "drivers/accel/cb.h"
#include "drivers/accel/hw/kiln_eq.h"
#include "drivers/accel/hw/kiln_packets.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

/* One LIN_DMA moves at most this much; larger transfers are several packets in one CB. */
#define DMA_PKT_MAX (1ull << 30)
#define DMA_CB_BYTES 4096u

int accel_dma_start(struct accel *a, unsigned q, struct accel_dma_job *j, uint64_t src, uint64_t dst, uint64_t size,
		    bool memset_op)
{
	j->q = q;
	j->ticket = 0;
	j->ev_before = a->ev_seq;
	j->src = src;
	j->dst = dst;
	j->size = size;
	j->cb.host = 0;
	if (q >= KILN_NUM_QUEUES || size == 0 || size > (DMA_CB_BYTES / KILN_PKT_SIZE_LIN_DMA) * DMA_PKT_MAX)
		return ACCEL_EINVAL;
	int r = accel_buf_alloc(&j->cb, DMA_CB_BYTES);
	if (r)
		return r;
	struct cb c;
	cb_init(&c, j->cb.host, DMA_CB_BYTES);
	for (uint64_t done = 0; done < size;) {
		uint64_t n = size - done < DMA_PKT_MAX ? size - done : DMA_PKT_MAX;
		if (memset_op)
			cb_memset(&c, dst + done, src, (uint32_t)n, false);
		else
			cb_lin_dma(&c, src + done, dst + done, (uint32_t)n, false, 0);
		done += n;
	}
	if (!cb_ok(&c)) {
		accel_buf_free(&j->cb);
		return ACCEL_EINVAL;
	}
	r = accel_submit(a, q, j->cb.dev, cb_len(&c), &j->ticket);
	if (r)
		accel_buf_free(&j->cb);
	return r;
}

uint32_t accel_dma_timeout_ms(uint64_t size)
{
	/* generous: a base for the queue plus 1 ms per 64 KiB (64 MB/s is far below any engine) */
	return 2000u + (uint32_t)(size >> 16);
}

int accel_dma_finish(struct accel *a, struct accel_dma_job *j, uint32_t timeout_ms, char *why, unsigned len)
{
	if (!j->cb.host)
		return ACCEL_EINVAL;
	int r = accel_wait(a, j->q, j->ticket, timeout_ms, why, len);
	if (r == ACCEL_ESTOPPED) {
		/* Both error events, decoded, say it all: the queue's (cause, PQ index, packet) and
		 * the DMA core's (source, destination, the address that faulted). Without them, the
		 * queue's own registers as accel_wait described them. */
		unsigned e = j->q / KILN_STREAMS_PER_ENGINE, s = j->q % KILN_STREAMS_PER_ENGINE;
		accel_eq_poll(a);
		const struct accel_event *qm = 0, *core = 0;
		for (uint64_t after = j->ev_before;;) { /* this stream's events, not a sibling's */
			const struct accel_event *f = accel_event_find(a, KILN_EVENT_DMA_QM(e), after);
			struct kiln_ev_qman_err p;
			if (f)
				memcpy(&p, f->data, sizeof p);
			if (!f || p.stream == s) {
				qm = f;
				break;
			}
			after = f->seq;
		}
		core = accel_event_find(a, KILN_EVENT_DMA_CORE(e), j->ev_before);
		if (core) {
			struct kiln_ev_dma_core p;
			memcpy(&p, core->data, sizeof p);
			if (p.stream != s)
				core = 0;
		}
		if (qm) {
			char name[16], q1[160], c1[180] = "";
			accel_event_describe(qm, q1, sizeof q1);
			if (core)
				accel_event_describe(core, c1, sizeof c1);
			ksnprintf(why, len, "queue %s stopped: %s%s%s", accel_queue_name(j->q, name), q1, core ? "; " : "", c1);
		}
	}
	/* Only free the CB once the device is done with it: after a timeout it may still run. */
	if (r != ACCEL_ETIMEDOUT)
		accel_buf_free(&j->cb);
	return r;
}

int accel_dma(struct accel *a, unsigned q, uint64_t src, uint64_t dst, uint64_t size, char *why, unsigned len)
{
	struct accel_dma_job j;
	int r = accel_dma_start(a, q, &j, src, dst, size, false);
	if (r) {
		char name[16];
		ksnprintf(why, len, "starting a %llu-byte DMA on %s: %s", (unsigned long long)size, accel_queue_name(q, name),
			  accel_strerror(r));
		return r;
	}
	return accel_dma_finish(a, &j, accel_dma_timeout_ms(size), why, len);
}

int accel_dma_memset(struct accel *a, unsigned q, uint64_t dst, uint64_t pattern, uint64_t size, char *why,
		     unsigned len)
{
	struct accel_dma_job j;
	int r = accel_dma_start(a, q, &j, pattern, dst, size, true);
	if (r) {
		char name[16];
		ksnprintf(why, len, "starting a %llu-byte memset on %s: %s", (unsigned long long)size,
			  accel_queue_name(q, name), accel_strerror(r));
		return r;
	}
	return accel_dma_finish(a, &j, accel_dma_timeout_ms(size), why, len);
}
