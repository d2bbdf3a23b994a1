#include "kernel/harness/coverage.h"

#include "drivers/accel/accel.h"
#include "kernel/arch/x86/atomic.h"
#include "kernel/arch/x86/percpu.h"
#include "kernel/harness/identity.h"
#include "kernel/harness/ktest.h"
#include "kernel/lib/fmt.h"

#define MIB (1024ull * 1024ull)

static uint64_t hbm[ACCEL_MAX];
static uint64_t queues[ACCEL_MAX], ports[ACCEL_MAX];
static uint64_t host_ram;
/* CPUs (struct cpu index) that ran test code: the boot CPU runs every case; an AP counts
 * once a lane (a device lane, a memory job, a selftest probe) ran on it. Set from any CPU. */
#define CPU_WORDS ((SMP_MAX_CPUS + 63) / 64)
static uint64_t cpus_ran[CPU_WORDS] = {1};

void kt_cover(struct kt *t, enum kt_cover what, unsigned dev, uint64_t amount)
{
	(void)t;
	if (what != KT_COVER_CPUS && what != KT_COVER_HOST_RAM && dev >= ACCEL_MAX)
		return;
	switch (what) {
	case KT_COVER_HBM:
		if (amount > hbm[dev])
			hbm[dev] = amount;
		break;
	case KT_COVER_QUEUE:
		if (amount < 64)
			queues[dev] |= 1ull << amount;
		break;
	case KT_COVER_PORT:
		if (amount < 64)
			ports[dev] |= 1ull << amount;
		break;
	case KT_COVER_CPUS:
		if (amount < SMP_MAX_CPUS)
			__atomic_or_fetch(&cpus_ran[amount / 64], 1ull << (amount % 64), __ATOMIC_SEQ_CST);
		break;
	case KT_COVER_HOST_RAM:
		if (amount > host_ram)
			host_ram = amount;
		break;
	}
}

static unsigned bits(uint64_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* "accel0:256/256MiB,accel1:0/256MiB" style lists: tested / present. */
static size_t per_device(char *b, size_t len, const char *key, int kind)
{
	size_t n = (size_t)ksnprintf(b, len, " %s=", key);
	unsigned count = accel_count();
	if (!count)
		n += (size_t)ksnprintf(b + n, len > n ? len - n : 0, "none");
	for (unsigned i = 0; i < count && n < len; i++) {
		const struct accel *a = accel_get(i);
		const char *sep = i ? "," : "";
		if (kind == 0)
			n += (size_t)ksnprintf(b + n, len - n, "%saccel%u:%llu/%lluMiB", sep, i,
					       (unsigned long long)(hbm[i] / MIB), (unsigned long long)(a->hbm_size / MIB));
		else if (kind == 1)
			n += (size_t)ksnprintf(b + n, len - n, "%saccel%u:%u/%u", sep, i, bits(queues[i]), KILN_NUM_QUEUES);
		else
			n += (size_t)ksnprintf(b + n, len - n, "%saccel%u:%u/%u", sep, i, bits(ports[i]), a->ports);
	}
	return n;
}

int coverage_format(char *buf, size_t len)
{
	unsigned cpus = 0;
	for (unsigned w = 0; w < CPU_WORDS; w++)
		cpus += bits(atomic_load(&cpus_ran[w]));
	size_t n = (size_t)ksnprintf(buf, len, " coverage: devices=%u", accel_count());
	if (n < len)
		n += per_device(buf + n, len - n, "hbm", 0);
	if (n < len)
		n += per_device(buf + n, len - n, "queues", 1);
	if (n < len)
		n += per_device(buf + n, len - n, "ports", 2);
	if (n < len)
		n += (size_t)ksnprintf(buf + n, len - n, " cpus=%u/%u host_ram=%lluMiB", cpus, identity_get()->cpus,
				       (unsigned long long)(host_ram / MIB));
	return (int)(n < len ? n : len - 1);
}
