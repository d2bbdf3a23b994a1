/* PCI: every function on every segment and bus the ACPI MCFG table describes, found
 * through ECAM, with its BARs sized and its capabilities located. Errors are values
 * (enum pci_err) with words from pci_strerror().
 *
 * The declarations here are pure (no kernel-only headers): kernel/pci/bar.c and
 * kernel/pci/cap.c build on the host too, where the tests supply the config accessors
 * over a fake configuration space. */
#ifndef KILN_PCI_H
#define KILN_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/pci/regs.h"

enum pci_err {
	PCI_OK = 0,
	PCI_EGONE = -1,          /* config reads return all ones: the function vanished */
	PCI_ENOCAP = -2,         /* the capability is not present */
	PCI_ECAPLOOP = -3,       /* a capability list points back into itself */
	PCI_ECAPRANGE = -4,      /* a capability pointer leaves the capability area */
	PCI_ENOBAR = -5,         /* BAR index out of range, not implemented, or an upper half */
	PCI_EUNASSIGNED = -6,    /* the BAR has no address assigned */
	PCI_EMAP = -7,           /* the page tables could not map the range */
	PCI_ENOMEM = -8,         /* no memory for the device table */
	PCI_ENOMCFG = -9,        /* ACPI has no MCFG: no way to reach configuration space */
	PCI_EBARSIZE = -10,      /* BAR sizing read back an impossible mask */
	PCI_EBARTYPE = -11,      /* reserved BAR type, or a 64-bit BAR in the last slot */
	PCI_EINVAL = -12,        /* a bad argument (entry index, vector) */
	PCI_ENOTINIT = -13,      /* pci_init() has not run */
	PCI_ERANGE = -14,        /* an MSI-X table or PBA lies outside its BAR */
};
const char *pci_strerror(int err);

/* One base address register after sizing. */
struct pci_bar {
	uint64_t base;   /* address as programmed (bus address == physical on x86) */
	uint64_t size;   /* bytes; 0 when the BAR is not implemented */
	uint32_t flags;  /* PCI_BARF_* */
	uint32_t probe;  /* what the low dword read back after all ones were written */
};
#define PCI_BARF_IO 0x1u
#define PCI_BARF_MEM64 0x2u
#define PCI_BARF_PREFETCH 0x4u
#define PCI_BARF_UPPER 0x8u /* this slot holds the upper half of the 64-bit BAR below it */

/* One function. */
struct pci_dev {
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;      /* PCI_HEADER_* without the multi-function bit */
	bool multifunction;
	uint8_t bar_count;        /* slots for this header type */
	struct pci_bar bar[PCI_BAR_MAX];
	int8_t bar_err[PCI_BAR_MAX]; /* enum pci_err from sizing each slot */
	volatile uint8_t *cfg;    /* this function's 4 KiB ECAM window, mapped uncached */
	/* capability offsets, 0 when absent (filled by pci_caps_scan) */
	uint8_t cap_pm, cap_msi, cap_msix, cap_exp;
	uint16_t ext_aer, ext_dsn;
	int8_t cap_err, ext_err;  /* walk results (enum pci_err) */
	uint16_t cap_err_off, ext_err_off; /* where a walk went wrong */
	uint8_t cap_count;
	uint16_t ext_count;
	/* MSI-X state, once pci_msix_enable() ran */
	volatile uint8_t *msix_table, *msix_pba;
	uint16_t msix_size;
};

/* ---- configuration space (kernel/pci/pci.c over ECAM; the host tests fake these) ----
 * Offsets must be naturally aligned and below 4096; a bad offset reads all ones and
 * writes nothing, like an unimplemented register. */
uint8_t pci_cfg_read8(const struct pci_dev *d, uint16_t off);
uint16_t pci_cfg_read16(const struct pci_dev *d, uint16_t off);
uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off);
void pci_cfg_write8(const struct pci_dev *d, uint16_t off, uint8_t v);
void pci_cfg_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_cfg_write32(const struct pci_dev *d, uint16_t off, uint32_t v);
/* PCI_OK while the function answers, PCI_EGONE once its vendor/device read all ones. */
int pci_check_present(const struct pci_dev *d);

/* ---- enumeration (kernel/pci/pci.c) ---- */
/* Scan every MCFG segment and bus. Returns the number of functions or an enum pci_err;
 * the result is kept and reported again by pci_init_status(). */
int pci_init(void);
int pci_init_status(void);
unsigned pci_device_count(void);
unsigned pci_segment_count(void);
struct pci_dev *pci_device(unsigned i);
/* The nth (0-based) function with these ids, or NULL. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device, unsigned nth);
/* The nth function of this class/subclass; prog_if < 0 matches any. */
struct pci_dev *pci_find_class(uint8_t class_code, uint8_t subclass, int prog_if, unsigned nth);
/* The bridge whose secondary bus is this function's bus (its upstream port), or NULL on a
 * root bus. */
struct pci_dev *pci_upstream_bridge(const struct pci_dev *d);
/* "ssss:bb:dd.f" into buf (at least PCI_BDF_LEN bytes); returns buf. */
#define PCI_BDF_LEN 13
char *pci_bdf(const struct pci_dev *d, char *buf);

/* One function reached before pci_init() (the console is chosen before enumeration): its
 * ECAM window mapped, ids, class and header filled, BARs and capabilities not. PCI_OK,
 * PCI_ENOMCFG (no MCFG covers the segment and bus), PCI_EMAP, or PCI_EGONE (nothing
 * answers there). */
int pci_early_function(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, struct pci_dev *out);

/* ---- command register (kernel/pci/pci.c) ---- */
void pci_enable_memory(struct pci_dev *d, bool on);
void pci_enable_io(struct pci_dev *d, bool on);
void pci_set_master(struct pci_dev *d, bool on);
void pci_intx_disable(struct pci_dev *d, bool disabled);

/* ---- BARs ---- */
/* Decode one BAR from its original value and the value read back after writing all ones
 * (PCI 3.0 §6.2.5.1). For a 64-bit memory BAR pass the upper dword's pair too, else 0, 0.
 * Pure (kernel/pci/bar.c). */
int pci_bar_decode(uint32_t orig_lo, uint32_t probe_lo, uint32_t orig_hi, uint32_t probe_hi, struct pci_bar *b);
bool pci_bar_is_pow2(uint64_t size);
bool pci_ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size);
/* "mem64 pf 0xfe000000+16K" etc. into buf; returns buf. Pure (kernel/pci/bar.c). */
char *pci_bar_describe(const struct pci_bar *b, char *buf, size_t n);
/* Map a memory BAR uncached (anywhere, including above 4 GiB) and return a pointer to
 * it, or NULL with *err (may be NULL) set. Does not enable memory decode. */
volatile void *pci_bar_map(struct pci_dev *d, unsigned bar, int *err);

/* ---- capabilities (kernel/pci/cap.c, pure) ---- */
/* Called for each capability; return nonzero to stop the walk. */
typedef int (*pci_cap_visit_fn)(void *arg, uint16_t off, uint16_t id, uint8_t version);
/* Walk the standard list / the extended list. Return the number of capabilities visited
 * or an enum pci_err; on an error *bad_off (may be NULL) is the offset that was wrong. */
int pci_cap_walk(const struct pci_dev *d, pci_cap_visit_fn fn, void *arg, uint16_t *bad_off);
int pci_ext_cap_walk(const struct pci_dev *d, pci_cap_visit_fn fn, void *arg, uint16_t *bad_off);
/* Offset of the first capability with this id, 0 when absent or the list is broken
 * anywhere (a capability from a corrupt list is not used). */
uint8_t pci_cap_find(const struct pci_dev *d, uint8_t id);
uint16_t pci_ext_cap_find(const struct pci_dev *d, uint16_t id);
/* Walk both lists and fill the cached offsets and walk results in *d; a broken list
 * leaves its offsets 0 and its error in cap_err/ext_err. */
void pci_caps_scan(struct pci_dev *d);

struct pci_link {
	uint8_t port_type;        /* PCI_EXP_TYPE_* */
	bool has_link;            /* false for root-complex integrated functions */
	uint8_t max_speed, max_width;  /* link capabilities */
	uint8_t cur_speed, cur_width;  /* link status */
	bool training, dll_active;
};
/* PCI_ENOCAP for a function without a PCI Express capability. */
int pci_link_info(const struct pci_dev *d, struct pci_link *l);
/* "2.5 GT/s" ... "64 GT/s", "unknown" for reserved codes. */
const char *pci_link_speed_name(uint8_t code);
const char *pci_exp_type_name(uint8_t type);
/* Device Serial Number (extended capability 3). */
int pci_dsn_read(const struct pci_dev *d, uint64_t *serial);
/* Advanced Error Reporting status (extended capability 1). */
struct pci_aer_status {
	uint32_t uncor_status, uncor_mask, uncor_severity;
	uint32_t cor_status, cor_mask;
};
int pci_aer_read(const struct pci_dev *d, struct pci_aer_status *s);
/* The header log (the TLP of the first uncorrectable error) and the first error pointer. */
int pci_aer_header_log(const struct pci_dev *d, uint32_t log[PCI_ERR_HEADER_LOG_DWORDS], uint8_t *first_error);
/* Device Status error bits (PCI_EXP_DEVSTA_ERRORS), PCI_ENOCAP without PCI Express. */
int pci_devsta_errors(const struct pci_dev *d, uint16_t *bits);
/* The physical slot number a root or downstream port advertises (PCI_ENOCAP: no slot). */
int pci_port_slot(const struct pci_dev *port, unsigned *slot);
/* Clear the logged error bits (RW1C) that *s reports. */
int pci_aer_clear(const struct pci_dev *d, const struct pci_aer_status *s);

#endif
