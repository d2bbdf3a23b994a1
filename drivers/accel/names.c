/* Words for what the device reports: event ids (Gaudi's names where Gaudi has the
 * event, include/gaudi/gaudi_async_events.h), queue stop causes, payload decoding. */
#include "drivers/accel/accel.h"

#include "drivers/accel/hw/kiln_nic.h"
#include "drivers/accel/hw/kiln_sync.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

const char *accel_qm_err_name(uint32_t cause)
{
	switch (cause) {
	case KILN_QM_ERR_NONE: return "no error";
	case KILN_QM_ERR_BAD_OPCODE: return "illegal packet opcode";
	case KILN_QM_ERR_PI_RANGE: return "PI out of range";
	case KILN_QM_ERR_PQ_OVERRUN: return "PQ overrun";
	case KILN_QM_ERR_RING_CONFIG: return "bad ring configuration";
	case KILN_QM_ERR_PQ_FETCH: return "BD fetch faulted";
	case KILN_QM_ERR_CB_FETCH: return "CB fetch faulted";
	case KILN_QM_ERR_CB_SIZE: return "bad CB size";
	case KILN_QM_ERR_CB_TRUNCATED: return "packet runs past the CB";
	case KILN_QM_ERR_DMA_SRC: return "DMA source faulted";
	case KILN_QM_ERR_DMA_DST: return "DMA destination faulted";
	case KILN_QM_ERR_BUS_MASTER: return "host DMA with bus mastering off";
	case KILN_QM_ERR_REG_OFFSET: return "register write outside the engine";
	case KILN_QM_ERR_MSG_ADDR: return "message address faulted";
	case KILN_QM_ERR_BAD_FIELD: return "bad packet field";
	case KILN_QM_ERR_CQ_WRITE: return "CQ write faulted";
	case KILN_QM_ERR_NESTING: return "CP_DMA/REPEAT nested";
	case KILN_QM_ERR_DMA_INJECTED: return "DMA error (injected fault address)";
	case KILN_QM_ERR_SHADOW: return "shadow doorbell access faulted";
	case KILN_QM_ERR_STOP_PACKET: return "STOP packet";
	}
	return "unknown cause";
}

const char *accel_event_name(uint32_t t)
{
	/* one buffer per CPU: device lanes name events on several CPUs at once */
	static char bufs[SMP_MAX_CPUS][32];
	char *buf = bufs[this_cpu()->index];
	if (t >= KILN_EVENT_HBM_SERR(0) && t < KILN_EVENT_HBM_SERR(4)) {
		ksnprintf(buf, sizeof bufs[0], "HBM_%u_SERR", t - KILN_EVENT_HBM_SERR(0));
		return buf;
	}
	if (t >= KILN_EVENT_HBM_DERR(0) && t < KILN_EVENT_HBM_DERR(4)) {
		ksnprintf(buf, sizeof bufs[0], "HBM_%u_DERR", t - KILN_EVENT_HBM_DERR(0));
		return buf;
	}
	if (t >= KILN_EVENT_DMA_QM(0) && t < KILN_EVENT_DMA_QM(8)) {
		ksnprintf(buf, sizeof bufs[0], "DMA%u_QM", t - KILN_EVENT_DMA_QM(0));
		return buf;
	}
	if (kiln_event_nic_port(t, 0) >= 0) {
		ksnprintf(buf, sizeof bufs[0], "NIC%d_QM", kiln_event_nic_port(t, 0));
		return buf;
	}
	if (t >= KILN_EVENT_DMA_CORE(0) && t < KILN_EVENT_DMA_CORE(8)) {
		ksnprintf(buf, sizeof bufs[0], "DMA%u_CORE", t - KILN_EVENT_DMA_CORE(0));
		return buf;
	}
	if (kiln_event_nic_port(t, 1) >= 0) {
		ksnprintf(buf, sizeof bufs[0], "STATUS_NIC%d", kiln_event_nic_port(t, 1));
		return buf;
	}
	switch (t) {
	case KILN_EVENT_POWER_ENV_S: return "FIX_POWER_ENV_S";
	case KILN_EVENT_POWER_ENV_E: return "FIX_POWER_ENV_E";
	case KILN_EVENT_THERMAL_ENV_S: return "FIX_THERMAL_ENV_S";
	case KILN_EVENT_THERMAL_ENV_E: return "FIX_THERMAL_ENV_E";
	case KILN_EVENT_SM_ERR: return "SM_ERR";
	case KILN_EVENT_CPUCP_ERR: return "CPUCP_ERR";
	case KILN_EVENT_TEST: return "TEST";
	}
	ksnprintf(buf, sizeof bufs[0], "UNKNOWN_%u", t);
	return buf;
}

int accel_event_describe(const struct accel_event *e, char *b, unsigned len)
{
	uint32_t t = e->type;
	const char *n = accel_event_name(t);
	char name[32];
	ksnprintf(name, sizeof name, "%s", n); /* accel_event_name may reuse its buffer */
	if (t >= KILN_EVENT_DMA_QM(0) && t < KILN_EVENT_DMA_QM(8)) {
		struct kiln_ev_qman_err p;
		memcpy(&p, e->data, sizeof p);
		return ksnprintf(b, len, "%s (%u) stream %u: %s (cause %u) at PQ index %u offset %u address 0x%llx opcode 0x%x",
				 name, t, p.stream, accel_qm_err_name(p.cause), p.cause, p.pq_index, p.cb_offset,
				 (unsigned long long)p.addr, p.opcode);
	}
	if (t >= KILN_EVENT_DMA_CORE(0) && t < KILN_EVENT_DMA_CORE(8)) {
		struct kiln_ev_dma_core p;
		memcpy(&p, e->data, sizeof p);
		return ksnprintf(b, len, "%s (%u) stream %u: %s, %u bytes 0x%llx -> 0x%llx faulted at 0x%llx", name, t, p.stream,
				 accel_qm_err_name(p.cause), p.tsize, (unsigned long long)p.src, (unsigned long long)p.dst,
				 (unsigned long long)p.fault_addr);
	}
	if ((t >= KILN_EVENT_HBM_SERR(0) && t < KILN_EVENT_HBM_SERR(4)) ||
	    (t >= KILN_EVENT_HBM_DERR(0) && t < KILN_EVENT_HBM_DERR(4))) {
		struct kiln_ev_hbm_ecc p;
		memcpy(&p, e->data, sizeof p);
		return ksnprintf(b, len, "%s (%u) at hbm+0x%llx stack %u, %u corrected / %u uncorrected so far", name, t,
				 (unsigned long long)p.addr, p.stack, p.serr_count, p.derr_count);
	}
	if (kiln_event_nic_port(t, 1) >= 0) {
		struct kiln_ev_nic_status p;
		memcpy(&p, e->data, sizeof p);
		return ksnprintf(b, len, "%s (%u) port %u link %s reason %u, %u flaps so far", name, t, p.port,
				 p.link_up ? "up" : "down", p.reason, p.flap_count);
	}
	if (kiln_event_nic_port(t, 0) >= 0) {
		struct kiln_ev_nic_err p;
		memcpy(&p, e->data, sizeof p);
		return ksnprintf(b, len, "%s (%u) port %u cause %u index %u address 0x%llx", name, t, p.port, p.cause, p.index,
				 (unsigned long long)p.addr);
	}
	if (t >= KILN_EVENT_POWER_ENV_S && t <= KILN_EVENT_THERMAL_ENV_E) {
		struct kiln_ev_env p;
		memcpy(&p, e->data, sizeof p);
		int thermal = t >= KILN_EVENT_THERMAL_ENV_S;
		return ksnprintf(b, len, "%s (%u) %s %u %s, limit %u", name, t, thermal ? "temperature" : "power", p.value,
				 thermal ? "mC" : "mW", p.limit);
	}
	if (t == KILN_EVENT_SM_ERR) {
		struct kiln_ev_sm_err p;
		memcpy(&p, e->data, sizeof p);
		return ksnprintf(b, len, "%s (%u) cause %u monitor/SOB %u address 0x%llx", name, t, p.cause, p.monitor,
				 (unsigned long long)p.addr);
	}
	if (t == KILN_EVENT_TEST) {
		struct kiln_ev_test p;
		memcpy(&p, e->data, sizeof p);
		return ksnprintf(b, len, "%s (%u) magic 0x%llx count %llu", name, t, (unsigned long long)p.magic,
				 (unsigned long long)p.count);
	}
	return ksnprintf(b, len, "%s (%u) data 0x%llx 0x%llx", name, t, (unsigned long long)e->data[0],
			 (unsigned long long)e->data[1]);
}
