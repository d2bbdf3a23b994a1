/* The virtio 1.x PCI transport (drivers/virtio_net/virtio_pci.h). */
#include "drivers/virtio_net/virtio_pci.h"

#include "kernel/arch/x86/cpu.h"
#include "kernel/arch/x86/io.h"
#include "kernel/lib/fmt.h"
#include "kernel/time.h"

#define barrier() __asm__ volatile("" ::: "memory")

static uint8_t c8(const struct virtio_pci *v, uint32_t off) { return mmio_read8(v->common + off); }
static uint16_t c16(const struct virtio_pci *v, uint32_t off) { return mmio_read16(v->common + off); }
static uint32_t c32(const struct virtio_pci *v, uint32_t off) { return mmio_read32(v->common + off); }
static void w8(struct virtio_pci *v, uint32_t off, uint8_t x) { mmio_write8(v->common + off, x); }
static void w16(struct virtio_pci *v, uint32_t off, uint16_t x) { mmio_write16(v->common + off, x); }
static void w32(struct virtio_pci *v, uint32_t off, uint32_t x) { mmio_write32(v->common + off, x); }
/* 64-bit fields are written as two halves (§4.1.3.1: drivers must not assume 64-bit access) */
static void w64(struct virtio_pci *v, uint32_t off, uint64_t x)
{
	w32(v, off, (uint32_t)x);
	w32(v, off + 4, (uint32_t)(x >> 32));
}

struct cap_find {
	struct virtio_pci *v;
	const struct pci_dev *d;
	int err;
	char *why;
	unsigned len;
};

/* One vendor capability: the first of each type the driver knows is used (§4.1.4). */
static int visit(void *arg, uint16_t off, uint16_t id, uint8_t version)
{
	(void)version;
	struct cap_find *f = arg;
	if (id != PCI_CAP_ID_VNDR)
		return 0;
	uint8_t type = pci_cfg_read8(f->d, off + VIRTIO_CAP_CFG_TYPE);
	uint8_t bar = pci_cfg_read8(f->d, off + VIRTIO_CAP_BAR);
	uint32_t at = pci_cfg_read32(f->d, off + VIRTIO_CAP_OFFSET);
	uint32_t length = pci_cfg_read32(f->d, off + VIRTIO_CAP_LENGTH);
	uintptr_t *slot = 0;
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG: slot = &f->v->common; break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG: slot = &f->v->notify; break;
	case VIRTIO_PCI_CAP_ISR_CFG: slot = &f->v->isr; break;
	case VIRTIO_PCI_CAP_DEVICE_CFG: slot = &f->v->device; break;
	default: return 0;
	}
	if (*slot)
		return 0;
	struct pci_dev *d = (struct pci_dev *)f->d;
	if (bar >= d->bar_count || (uint64_t)at + length > d->bar[bar].size) {
		ksnprintf(f->why, f->len, "virtio capability type %u at 0x%x points outside BAR%u (0x%x+0x%x)", type, off,
			  bar, at, length);
		f->err = -1;
		return 1;
	}
	int err;
	volatile uint8_t *base = pci_bar_map(d, bar, &err);
	if (!base) {
		ksnprintf(f->why, f->len, "virtio capability type %u: BAR%u cannot be mapped: %s", type, bar,
			  pci_strerror(err));
		f->err = -1;
		return 1;
	}
	*slot = (uintptr_t)(base + at);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		f->v->notify_mult = pci_cfg_read32(f->d, off + VIRTIO_CAP_NOTIFY_MULT);
	if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
		f->v->device_len = length;
	if (type == VIRTIO_PCI_CAP_COMMON_CFG && length < VIRTIO_COMMON_LEN) {
		ksnprintf(f->why, f->len, "virtio common configuration is %u bytes, expected %u", length, VIRTIO_COMMON_LEN);
		f->err = -1;
		return 1;
	}
	return 0;
}

int virtio_pci_attach(struct virtio_pci *v, struct pci_dev *d, char *why, unsigned len)
{
	*v = (struct virtio_pci){.pci = d};
	struct cap_find f = {v, d, 0, why, len};
	uint16_t bad = 0;
	int n = pci_cap_walk(d, visit, &f, &bad);
	if (n < 0) {
		ksnprintf(why, len, "capability list broken at 0x%x: %s", bad, pci_strerror(n));
		return -1;
	}
	if (f.err)
		return -1;
	if (!v->common || !v->notify || !v->device) {
		ksnprintf(why, len, "not a virtio 1.x function: no %s capability (legacy-only devices are not supported)",
			  !v->common ? "common" : (!v->notify ? "notify" : "device"));
		return -1;
	}
	pci_enable_memory(d, true);
	pci_set_master(d, true);
	return 0;
}

uint8_t virtio_status(const struct virtio_pci *v) { return c8(v, VIRTIO_COMMON_STATUS); }
void virtio_status_set(struct virtio_pci *v, uint8_t bits) { w8(v, VIRTIO_COMMON_STATUS, (uint8_t)(virtio_status(v) | bits)); }

int virtio_reset(struct virtio_pci *v, char *why, unsigned len)
{
	w8(v, VIRTIO_COMMON_STATUS, 0);
	struct deadline d = deadline_in_ms(VIRTIO_RESET_WAIT_MS);
	uint8_t st;
	while ((st = virtio_status(v)) != 0) {
		if (deadline_passed(d)) {
			ksnprintf(why, len, "reset: device status still 0x%02x after %u ms%s", st, VIRTIO_RESET_WAIT_MS,
				  st == 0xff ? " (function not responding)" : "");
			return -1;
		}
		cpu_relax();
	}
	return 0;
}

uint64_t virtio_device_features(struct virtio_pci *v)
{
	w32(v, VIRTIO_COMMON_DFSELECT, 0);
	uint64_t lo = c32(v, VIRTIO_COMMON_DF);
	w32(v, VIRTIO_COMMON_DFSELECT, 1);
	uint64_t hi = c32(v, VIRTIO_COMMON_DF);
	return hi << 32 | lo;
}

int virtio_negotiate(struct virtio_pci *v, uint64_t wanted, uint64_t required, char *why, unsigned len)
{
	virtio_status_set(v, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_status_set(v, VIRTIO_STATUS_DRIVER);
	uint64_t dev = virtio_device_features(v);
	if ((dev & required) != required) {
		ksnprintf(why, len, "device features 0x%llx lack required 0x%llx", (unsigned long long)dev,
			  (unsigned long long)required);
		virtio_status_set(v, VIRTIO_STATUS_FAILED);
		return -1;
	}
	v->features = dev & wanted;
	w32(v, VIRTIO_COMMON_GFSELECT, 0);
	w32(v, VIRTIO_COMMON_GF, (uint32_t)v->features);
	w32(v, VIRTIO_COMMON_GFSELECT, 1);
	w32(v, VIRTIO_COMMON_GF, (uint32_t)(v->features >> 32));
	virtio_status_set(v, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(v) & VIRTIO_STATUS_FEATURES_OK)) {
		ksnprintf(why, len, "device refused features 0x%llx (FEATURES_OK did not stick, status 0x%02x)",
			  (unsigned long long)v->features, virtio_status(v));
		virtio_status_set(v, VIRTIO_STATUS_FAILED);
		return -1;
	}
	return 0;
}

uint16_t virtio_queue_max(struct virtio_pci *v, uint16_t index)
{
	w16(v, VIRTIO_COMMON_Q_SELECT, index);
	return c16(v, VIRTIO_COMMON_Q_SIZE);
}

uint16_t virtio_config_msix(struct virtio_pci *v, uint16_t entry)
{
	w16(v, VIRTIO_COMMON_MSIX, entry);
	return c16(v, VIRTIO_COMMON_MSIX);
}

uint8_t virtio_dev_read8(const struct virtio_pci *v, uint32_t off) { return mmio_read8(v->device + off); }
uint16_t virtio_dev_read16(const struct virtio_pci *v, uint32_t off) { return mmio_read16(v->device + off); }

/* Layout in one allocation: descriptors, then the available ring, then (4 KiB aligned) the
 * used ring; the alignments §2.7 asks for (16, 2, 4) follow. */
static uint64_t avail_off(uint16_t size) { return (uint64_t)size * sizeof(struct virtq_desc); }
static uint64_t used_off(uint16_t size)
{
	uint64_t end = avail_off(size) + sizeof(struct virtq_avail_hdr) + (uint64_t)size * 2 + 2;
	return (end + 4095u) & ~(uint64_t)4095u;
}

int virtq_setup(struct virtio_pci *v, struct virtq *q, uint16_t index, uint16_t msix, char *why, unsigned len)
{
	uint16_t max = virtio_queue_max(v, index);
	if (!max) {
		ksnprintf(why, len, "queue %u is not available (size 0)", index);
		return -1;
	}
	uint16_t size = 1;
	while ((uint32_t)size * 2 <= max && size * 2u <= VIRTQ_SIZE_MAX)
		size = (uint16_t)(size * 2);
	uint64_t bytes = used_off(size) + sizeof(struct virtq_used_hdr) + (uint64_t)size * sizeof(struct virtq_used_elem) + 2;
	if (pci_dma_alloc(&q->mem, bytes)) {
		ksnprintf(why, len, "no memory for queue %u", index);
		return -1;
	}
	uint8_t *base = q->mem.host;
	q->index = index;
	q->size = size;
	q->desc = (volatile struct virtq_desc *)base;
	q->avail = (volatile struct virtq_avail_hdr *)(base + avail_off(size));
	q->avail_ring = (volatile uint16_t *)(base + avail_off(size) + sizeof(struct virtq_avail_hdr));
	q->used = (volatile struct virtq_used_hdr *)(base + used_off(size));
	q->used_ring = (volatile struct virtq_used_elem *)(base + used_off(size) + sizeof(struct virtq_used_hdr));
	q->avail_idx = q->used_seen = q->notified = 0;
	w16(v, VIRTIO_COMMON_Q_SELECT, index);
	w16(v, VIRTIO_COMMON_Q_SIZE, size);
	w64(v, VIRTIO_COMMON_Q_DESC, q->mem.dev);
	w64(v, VIRTIO_COMMON_Q_AVAIL, q->mem.dev + avail_off(size));
	w64(v, VIRTIO_COMMON_Q_USED, q->mem.dev + used_off(size));
	w16(v, VIRTIO_COMMON_Q_MSIX, msix);
	q->msix = c16(v, VIRTIO_COMMON_Q_MSIX);
	q->notify_addr = v->notify + (uintptr_t)c16(v, VIRTIO_COMMON_Q_NOFF) * v->notify_mult;
	w16(v, VIRTIO_COMMON_Q_ENABLE, 1);
	if (c16(v, VIRTIO_COMMON_Q_ENABLE) != 1) {
		ksnprintf(why, len, "queue %u: queue_enable reads %u after writing 1", index, c16(v, VIRTIO_COMMON_Q_ENABLE));
		return -1;
	}
	return 0;
}

void virtq_post(struct virtq *q, uint16_t id)
{
	q->avail_ring[q->avail_idx & (q->size - 1)] = id;
	q->avail_idx++;
}

void virtq_kick(struct virtq *q)
{
	if (q->notified == q->avail_idx)
		return;
	barrier(); /* descriptors and ring entries before the index */
	q->avail->idx = q->avail_idx;
	__asm__ volatile("mfence" ::: "memory"); /* the index is visible before the notification */
	mmio_write16(q->notify_addr, q->index);
	q->notified = q->avail_idx;
}

uint16_t virtq_used_idx(const struct virtq *q)
{
	uint16_t i = q->used->idx;
	barrier(); /* the index before the entries it covers */
	return i;
}
