/* Kiln's configuration: kiln.cfg ("key = value" lines, '#' comments) and the UEFI load
 * options ("key=value" words) go through one parser; load options are applied last and
 * win. Pure code, unit-tested on the host. docs/config.md lists every key. */
#ifndef KILN_CONFIG_H
#define KILN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_LIST_MAX 256
#define CFG_ERR_MAX 640

enum cfg_exit { CFG_EXIT_AUTO, CFG_EXIT_DEBUG_PORT, CFG_EXIT_SHUTDOWN, CFG_EXIT_REBOOT, CFG_EXIT_HALT };
enum cfg_console { CFG_CONSOLE_AUTO, CFG_CONSOLE_SPCR, CFG_CONSOLE_COM1, CFG_CONSOLE_COM2,
		   CFG_CONSOLE_COM3, CFG_CONSOLE_COM4, CFG_CONSOLE_PCI };
enum cfg_on_failure { CFG_ON_FAILURE_CONTINUE, CFG_ON_FAILURE_STOP, CFG_ON_FAILURE_HALT };
enum cfg_switch { CFG_OFF, CFG_ON };
/* same order as enum accel_irq_mode (drivers/accel/accel.h) */
enum cfg_accel_irq { CFG_ACCEL_IRQ_MSIX, CFG_ACCEL_IRQ_SHARED, CFG_ACCEL_IRQ_POLL };

#define CFG_DURATION_MAX_S (30ull * 24 * 3600) /* 30 days */
#define CFG_LIMIT_OFF UINT32_MAX /* a threshold key set to "off" (the default) */
#define CFG_PASSES_MAX 1000000u

#define CFG_NET_PEERS_MAX 8
#define CFG_NET_ACCEL_MAX 15            /* net.uplink accelN: N <= this */
#define CFG_NET_PORT_MAX 7              /* net.uplink portM: M <= this */
#define CFG_NET_IPERF_PORT_DEFAULT 5001 /* iperf 2's port */
#define CFG_NET_FORMAT_MAX 256          /* the net.* part of config_format() */

/* net.* keys (docs/config.md, docs/net.md); IPv4 addresses in host byte order. */
struct cfg_net {
	bool uplink_set;            /* net.uplink: the port cabled to an outside network */
	uint8_t uplink_accel, uplink_port;
	bool addr_set;              /* net.addr: this machine's address towards its peers */
	uint32_t addr;
	uint8_t prefix;
	unsigned npeers;            /* net.peers: the only machines net cases talk to */
	uint32_t peers[CFG_NET_PEERS_MAX];
	bool iperf_server_set;      /* net.iperf_server: an iperf 2 server for the lwiperf client */
	uint32_t iperf_server;
	uint16_t iperf_port;
	enum cfg_switch iperf_listen; /* net.iperf_listen: serve one iperf 2 client on the uplink */
	enum { CFG_MGMT_AUTO, CFG_MGMT_NONE, CFG_MGMT_BDF } mgmt; /* net.mgmt: the NIC for DHCP and the upload */
	uint16_t mgmt_seg;          /* net.mgmt=<BDF> */
	uint8_t mgmt_bus, mgmt_dev, mgmt_fn;
	bool collector_set;         /* net.collector: where the run's log is uploaded at the end */
	uint32_t collector;
	uint16_t collector_port;
};

/* suite pcie (docs/pcie.md): expect.pcie.<BDF|slotN>=genN[xW] rules and AER masks */
#define CFG_PCIE_RULES_MAX 16
#define CFG_PCIE_TARGET_MAX 16
struct cfg_pcie {
	unsigned nrules;
	struct {
		char target[CFG_PCIE_TARGET_MAX]; /* "0000:01:00.0", "01:00.0" or "slot3" */
		uint8_t speed, width;             /* Link Capabilities encoding (1 = 2.5 GT/s); width 0: any */
	} rule[CFG_PCIE_RULES_MAX];
	uint32_t aer_cor_mask, aer_uncor_mask; /* AER status bits that do not fail pcie-aer */
};

/* expect.memory=<N>x<size>: at least N memory modules, each at least size MiB */
struct cfg_memory {
	uint32_t modules;           /* 0: not set */
	uint64_t module_mib;
};

struct kiln_config {
	char suites[CFG_LIST_MAX];  /* globs; empty: every suite not marked explicit-only */
	char cases[CFG_LIST_MAX];   /* globs on case names; empty: all */
	char exclude[CFG_LIST_MAX]; /* globs on suite or case names */
	uint64_t seed;
	bool seed_set;
	uint32_t timeout_s;         /* per-case deadline unless a case sets its own */
	enum cfg_exit exit_mode;
	enum cfg_console console;
	uint16_t console_seg;       /* console=pci:<BDF>: a 16550 UART on PCI */
	uint8_t console_bus, console_dev, console_fn;
	/* burn-in: repeat the selection for `passes` passes and/or `duration_s` seconds */
	uint32_t passes;            /* 0: not set (one pass unless a duration is set) */
	uint64_t duration_s;        /* 0: not set */
	enum cfg_on_failure on_failure;
	uint32_t heartbeat_s;       /* 0: no heartbeat lines */
	enum cfg_switch ldjson;     /* OCP TV output spec v2.0 records on the console */
	enum cfg_switch persist;    /* last run's summary in a UEFI variable */
	enum cfg_accel_irq accel_irq; /* how the accelerator driver takes interrupts */
	/* device thresholds: CFG_LIMIT_OFF leaves only the device's own limit */
	uint32_t temp_max_c;        /* degrees C */
	uint32_t power_max_w;       /* watts */
	uint32_t ecc_serr_max;      /* corrected HBM ECC errors per device per run */
	uint32_t ecc_serr_rate_max; /* corrected HBM ECC errors per hour per device (at least an hour's window) */
	/* HBM memory test range: hbm_range_set false means the default coverage */
	bool hbm_range_set;
	uint64_t hbm_range_off, hbm_range_size;
	struct cfg_net net;
	struct cfg_pcie pcie;
	struct cfg_memory memory;
};

/* The run's configuration, for cases that read their own keys (set by kernel/harness/main.c
 * before any case; NULL in host tests). */
extern const struct kiln_config *kiln_cfg;

/* Parse "90s", "15m", "8h", "2d", "1h30m" or a bare number of seconds. Returns 0 or -1. */
int config_parse_duration(const char *s, size_t n, uint64_t *seconds);
/* "1h30m5s"-style text for a number of seconds. */
int config_format_duration(uint64_t seconds, char *buf, size_t len);

void config_defaults(struct kiln_config *c);
/* Set one key from text. On error returns -1 and writes a message naming the key, the
 * value and what is allowed into err (CFG_ERR_MAX bytes). `origin` prefixes the message
 * (e.g. "kiln.cfg line 4", "load options"). */
int config_set(struct kiln_config *c, const char *key, size_t klen, const char *val, size_t vlen,
	       const char *origin, char *err);
/* kiln.cfg text: one "key = value" per line; blank lines and '#' comments ignored. */
int config_parse_file(struct kiln_config *c, const char *text, size_t len, const char *name, char *err);
/* Load options: whitespace-separated key=value words. */
int config_parse_cmdline(struct kiln_config *c, const char *text, char *err);
/* The effective configuration as "key=value" words, for the run's log. */
int config_format(const struct kiln_config *c, char *buf, size_t len);

#endif
