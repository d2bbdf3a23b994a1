/* The device-CPU channel: cpucp-style requests (include/common/cpucp_if.h) through a
 * queue of buffer descriptors; the device answers in place and writes the fence value
 * last, which the host polls for with a deadline. */
#include "drivers/accel/accel.h"

#include "drivers/accel/accel_priv.h"
#include "drivers/accel/hw/kiln_cpucp.h"
#include "drivers/accel/hw/kiln_ring.h"
#include "kernel/arch/x86/cpu.h"
#include "kernel/pmm.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"

static struct accel_buf info_buf[ACCEL_MAX];

int accel_cpucp_setup(struct accel *a)
{
	int r = accel_ring_alloc(&a->cpucp, ACCEL_CPUCP_ENTRIES, sizeof(struct kiln_bd));
	if (r)
		return r;
	if (!a->cpucp_pkt) {
		a->cpucp_pkt = page_alloc(1);
		if (!a->cpucp_pkt)
			return ACCEL_ENOMEM;
	}
	memset(a->cpucp_pkt, 0, ACCEL_CPUCP_ENTRIES * sizeof(struct kiln_cpucp_packet));
	a->cpucp_pi = 0;
	accel_wr(a, KILN_BLK_CPUCP + KILN_CPUCP_PQ_BASE_LO, lo32(a->cpucp.dev));
	accel_wr(a, KILN_BLK_CPUCP + KILN_CPUCP_PQ_BASE_HI, hi32(a->cpucp.dev));
	accel_wr(a, KILN_BLK_CPUCP + KILN_CPUCP_PQ_SIZE, ACCEL_CPUCP_ENTRIES);
	accel_wr(a, KILN_BLK_CPUCP + KILN_CPUCP_PQ_PI, 0);
	return accel_check_alive(a);
}

int accel_cpucp(struct accel *a, uint32_t opcode, uint64_t value, uint32_t index, uint32_t port, uint64_t *result,
		uint32_t *rc)
{
	if (a->gone)
		return ACCEL_EGONE;
	unsigned slot = kiln_ring_slot(a->cpucp_pi, ACCEL_CPUCP_ENTRIES);
	volatile struct kiln_cpucp_packet *p = &a->cpucp_pkt[slot];
	p->value = value;
	p->ctl = (uint32_t)KILN_FIELD_PREP(KILN_CPUCP_CTL_OPCODE, opcode);
	p->fence = 0;
	p->index = index;
	p->port_index = port;
	volatile struct kiln_bd *bd = (struct kiln_bd *)a->cpucp.mem + slot;
	bd->ptr = (uint64_t)(uintptr_t)p;
	bd->len = sizeof(struct kiln_cpucp_packet);
	bd->ctl = slot;
	__asm__ volatile("" ::: "memory");
	a->cpucp_pi = kiln_ring_next(a->cpucp_pi, ACCEL_CPUCP_ENTRIES);
	accel_wr(a, KILN_BLK_CPUCP + KILN_CPUCP_PQ_PI, a->cpucp_pi);
	struct deadline d = deadline_in_ms(ACCEL_CPUCP_TIMEOUT_MS);
	while (p->fence != KILN_CPUCP_FENCE_VAL) {
		if (accel_check_alive(a))
			return ACCEL_EGONE;
		if (deadline_passed(d))
			return ACCEL_ETIMEDOUT;
		cpu_relax();
	}
	uint32_t code = (uint32_t)KILN_FIELD_GET(KILN_CPUCP_CTL_RC, p->ctl);
	if (rc)
		*rc = code;
	if (result)
		*result = p->value;
	return code == KILN_CPUCP_RC_SUCCESS ? ACCEL_OK : ACCEL_ERC;
}

int accel_cpucp_info(struct accel *a, struct kiln_cpucp_info *out)
{
	struct accel_buf *b = &info_buf[a->index];
	if (!b->host && accel_buf_alloc(b, sizeof *out))
		return ACCEL_ENOMEM;
	memset(b->host, 0, sizeof *out);
	int r = accel_cpucp(a, KILN_CPUCP_INFO_GET, b->dev, sizeof *out, 0, 0, 0);
	if (r)
		return r;
	memcpy(out, b->host, sizeof *out);
	/* strings from the device are not trusted to be terminated */
	out->card_name[KILN_CPUCP_CARD_NAME_LEN - 1] = 0;
	out->cpucp_version[KILN_CPUCP_VERSION_LEN - 1] = 0;
	out->fw_version[KILN_CPUCP_VERSION_LEN - 1] = 0;
	out->serial[KILN_CPUCP_SERIAL_LEN - 1] = 0;
	return out->struct_version == KILN_CPUCP_INFO_VERSION ? ACCEL_OK : ACCEL_EDEVICE;
}
