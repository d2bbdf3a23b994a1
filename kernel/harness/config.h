/* Kiln's configuration: kiln.cfg ("key = value" lines, '#' comments) and the UEFI load
 * options ("key=value" words) go through one parser; load options are applied last and
 * win. Pure code, unit-tested on the host. docs/config.md lists every key. */
#ifndef KILN_CONFIG_H
#define KILN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_LIST_MAX 256
#define CFG_ERR_MAX 1024

enum cfg_exit { CFG_EXIT_AUTO, CFG_EXIT_DEBUG_PORT, CFG_EXIT_SHUTDOWN, CFG_EXIT_REBOOT, CFG_EXIT_HALT };
enum cfg_console { CFG_CONSOLE_AUTO, CFG_CONSOLE_SPCR, CFG_CONSOLE_COM1, CFG_CONSOLE_COM2,
		   CFG_CONSOLE_COM3, CFG_CONSOLE_COM4, CFG_CONSOLE_PCI };
enum cfg_on_failure { CFG_ON_FAILURE_CONTINUE, CFG_ON_FAILURE_STOP, CFG_ON_FAILURE_HALT };
enum cfg_switch { CFG_OFF, CFG_ON };
enum cfg_parallel { CFG_PARALLEL_OFF, CFG_PARALLEL_DEVICES };
enum cfg_accel_irq { CFG_ACCEL_IRQ_MSIX, CFG_ACCEL_IRQ_SHARED, CFG_ACCEL_IRQ_POLL };

#define CFG_DURATION_MAX_S (30ull * 24 * 3600) /* 30 days */
#define CFG_CPUS_MAX 256 /* cpus=: at most SMP_MAX_CPUS (kernel/arch/x86/percpu.h) */
#define CFG_LIMIT_OFF UINT32_MAX /* a threshold key set to "off" (the default) */
#define CFG_PASSES_MAX 1000000u

#define CFG_NET_PEERS_MAX 8
#define CFG_FABRIC_LINKS_MAX 96 /* expect.fabric list: eight accelerators x 24 ports, two per cable */

/* expect.fabric: mesh:NxK (accels = N, per_peer = K) or an explicit list of cables
 * (nlinks > 0: accelerator a port p to accelerator b port q); all zero: nothing expected. */
struct cfg_fabric_link {
	uint8_t a, p, b, q;
};
struct cfg_fabric {
	uint32_t accels, per_peer;
	uint32_t nlinks;
	struct cfg_fabric_link link[CFG_FABRIC_LINKS_MAX];
};
#define CFG_NET_ACCEL_MAX 15            /* net.uplink accelN: N <= this */
#define CFG_NET_PORT_MAX 7              /* net.uplink portM: M <= this */
#define CFG_NET_IPERF_PORT_DEFAULT 5001 /* iperf 2's port */

/* A PCI function's address, as console=pci:<BDF> and net.mgmt=<BDF> give it. */
struct cfg_pci_addr {
	uint16_t seg;
	uint8_t bus, dev, fn;
};

/* net.mgmt: the NIC for DHCP and the upload (the order of its choices in config_keys.c) */
enum cfg_mgmt { CFG_MGMT_AUTO, CFG_MGMT_NONE, CFG_MGMT_BDF };

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
	enum cfg_mgmt mgmt;         /* net.mgmt: the NIC for DHCP and the upload */
	struct cfg_pci_addr mgmt_addr; /* net.mgmt=<BDF> */
	bool collector_set;         /* net.collector: where the run's log is uploaded at the end */
	uint32_t collector;
	uint16_t collector_port;
};

/* suite pcie (docs/pcie.md): expect.pcie.<BDF|slotN>=genN[xW] rules and AER masks */
#define CFG_PCIE_RULES_MAX 16
#define CFG_PCIE_TARGET_MAX 16
struct cfg_pcie_rule {
	char target[CFG_PCIE_TARGET_MAX]; /* "0000:01:00.0", "01:00.0" or "slot3" */
	uint8_t speed, width;             /* Link Capabilities encoding (1 = 2.5 GT/s); width 0: any */
};
struct cfg_pcie {
	unsigned nrules;
	struct cfg_pcie_rule rule[CFG_PCIE_RULES_MAX];
	uint32_t aer_cor_mask, aer_uncor_mask; /* AER status bits that do not fail pcie-aer */
	uint32_t aer_cor_max, aer_uncor_max;   /* AER errors per device in the run (CFG_LIMIT_OFF: off) */
};

/* expect.dimms=<N>x<size>: at least N memory modules, each at least size MiB */
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
	struct cfg_pci_addr console_addr; /* console=pci:<BDF>: a 16550 UART on PCI */
	/* burn-in: repeat the selection for `passes` passes and/or `duration_s` seconds */
	uint32_t passes;            /* 0: not set (one pass unless a duration is set) */
	uint64_t duration_s;        /* 0: not set */
	enum cfg_on_failure on_failure;
	uint32_t heartbeat_s;       /* 0: no heartbeat lines */
	enum cfg_switch ldjson;     /* OCP TV output spec v2.0 records on the console */
	enum cfg_switch persist;    /* last run's summary in a UEFI variable */
	enum cfg_accel_irq accel_irq; /* how the accelerator driver takes interrupts */
	uint32_t cpus;              /* CPUs used, the boot CPU included; 0: all that start */
	enum cfg_parallel parallel; /* device suites: one lane per accelerator, or serial */
	/* device thresholds: CFG_LIMIT_OFF leaves only the device's own limit */
	uint32_t temp_max_c;        /* degrees C */
	uint32_t power_max_w;       /* watts */
	uint32_t ecc_serr_max;      /* corrected HBM ECC errors per device per run */
	uint32_t ecc_serr_rate_max; /* corrected HBM ECC errors per hour per device (at least an hour's window) */
	/* more device thresholds (docs/config.md): CFG_LIMIT_OFF leaves the device's own limit */
	uint32_t fan_min_rpm;       /* rpm: a fan slower than this fails */
	uint32_t current_max_a;     /* amperes */
	uint32_t voltage_min_mv, voltage_max_mv; /* millivolts */
	uint32_t pcie_replay_max;   /* the device's PCIe replay count */
	uint32_t nic_flaps_max;     /* link-down events a port may have in nic-link-stable's window (0: none) */
	uint32_t nic_loss_max_ppm;  /* frames lost per million, per direction of a nic-pair-burst (0: none) */
	/* skips=fail: a skip the selection did not ask for is a failure (burn-in profiles) */
	enum cfg_switch skips_fail;
	/* expected topology (expect.*): CFG_LIMIT_OFF / 0 means not set: found is only reported */
	uint32_t expect_accels;     /* accelerators bound */
	uint32_t expect_ports;      /* NIC ports with link up, per accelerator */
	uint64_t expect_hbm;        /* bytes of HBM per accelerator, at least; 0: not set */
	uint8_t expect_pcie_speed, expect_pcie_width; /* Link Status speed code (1..5) and width; 0: not set */
	uint32_t expect_cpus;       /* CPUs in the ACPI MADT */
	uint64_t expect_memory;     /* bytes of host RAM, at least; 0: not set */
	/* HBM memory test range: hbm_range_set false is `quick` (the default coverage); set with
	 * size 0 is `all` (offset 0 to the end of each device's HBM) */
	bool hbm_range_set;
	uint64_t hbm_range_off, hbm_range_size;
	struct cfg_net net;
	struct cfg_pcie pcie;
	struct cfg_memory memory;
	/* expect.fabric: the cabling suite fabric must find; nothing set: any */
	struct cfg_fabric fabric;
	/* suite stress: how long each pass loads the machine, and the sensor sampling period */
	uint32_t stress_time_s;
	uint32_t stress_sample_ms;
};

/* The run's configuration, for cases that read their own keys (set by kernel/harness/main.c
 * before any case; NULL in host tests). */
extern const struct kiln_config *kiln_cfg;

/* ---- the key table ---------------------------------------------------------------------
 * Every key is one row of config_keys[] (kernel/harness/config_keys.c): its name, its type
 * (one handler each, kernel/harness/config_value.c), where its value lives in struct
 * kiln_config, its default, what is allowed and its help.
 * The parser, the unknown-key message, the effective-configuration line and docs/config.md's
 * key table (make config-doc; tests/host/test_config_doc.c fails when they differ) all come
 * from it. docs/config.md says how to add a key. */
enum cfg_type {
	CFG_T_LIST,      /* globs of a-z 0-9 - _ . * ?, at most CFG_LIST_MAX - 1 characters (char[]) */
	CFG_T_UINT,      /* decimal or 0x-hex number in min..max (any unsigned field of 1..8 bytes) */
	CFG_T_TIME,      /* 90, 90s, 15m, 8h, 2d, 1h30m (500ms with CFG_F_MS) in min..max; bare: seconds */
	CFG_T_SIZE,      /* bytes with an optional K/M/G suffix (binary units) in min..max */
	CFG_T_ENUM,      /* one of choices[]; the field (an enum) takes the index */
	CFG_T_THRESHOLD, /* "off" (CFG_LIMIT_OFF) or a number in min..max, in unit (uint32_t); with
			    CFG_F_ALL: "all" (0) instead of "off" */
	CFG_T_RANGE,     /* "quick" (unset), "all" (set, size 0) or offset:size, sizes as CFG_T_SIZE, multiples of 8 (2 x uint64_t) */
	CFG_T_NET_PORT,  /* "none" or accelN.portM, N <= max, M <= aux (2 x uint8_t) */
	CFG_T_IPV4_CIDR, /* "none" or a.b.c.d/n, n in min..max (uint32_t address, uint8_t prefix) */
	CFG_T_IPV4_LIST, /* "none" or 1..max addresses separated by commas (uint32_t[], unsigned count) */
	CFG_T_IPV4_PORT, /* "none" or a.b.c.d:port; aux: the port when it is left out (0: required) */
	CFG_T_PCI_CHOICE, /* one of choices[], one of which may be "<prefix><BDF>": that choice's index
			   * in the field (an enum), the address [ssss:]bb:dd.f in off2 (struct cfg_pci_addr) */
	CFG_T_MODULES,   /* "none" or <N>x<size>, size in M or G: N in min..max (uint32_t), size in
			  * MiB 1..aux (uint64_t, off2) */
	CFG_T_PCIE_RULE, /* a family (CFG_F_FAMILY): <prefix><target>=genN[xW], N 1..max, W 1..aux;
			  * the field is struct cfg_pcie_rule[], off2 counts them */
	CFG_T_FABRIC,    /* "none", mesh:NxK (N in min..max, K >= 1, K x (N - 1) <= aux) or a list
			  * A.P-B.Q,... (A, B < max, P, Q < aux, each port once) (struct cfg_fabric) */
	CFG_T_PCIE_LINK, /* "off" or genNxW: N 1..5 (Link Status speed code), W a power of two 1..32 (2 x uint8_t) */
};

/* How a key appears in the effective-configuration line (config_format). */
enum cfg_show { CFG_SHOW_ALWAYS, CFG_SHOW_IF_SET, CFG_SHOW_NEVER };

#define CFG_F_HEX 1u     /* CFG_T_UINT: shown as 0x... */
#define CFG_F_SECONDS 2u /* CFG_T_TIME: shown as a bare number of seconds, not 1h30m */
#define CFG_F_MS 4u      /* CFG_T_TIME: the field holds milliseconds (500ms allowed) */
#define CFG_F_ALL 8u     /* CFG_T_THRESHOLD: the word is "all", stored as 0, not "off" */
/* A family of keys: the row's name is "<prefix><what>" (e.g. "expect.pcie.<target>"), and
 * every key that starts with the prefix and goes on is a member, set by its type's `member`
 * handler; the effective line shows each member as a key=value word of its own. */
#define CFG_F_FAMILY 16u

struct cfg_key {
	const char *name;
	enum cfg_type type;
	uint16_t off, size;   /* the value's field */
	uint16_t off2, size2; /* a second field: range size, port, prefix, count of a list */
	uint16_t set;         /* 1 + offset of a bool "was set" field; 0: none */
	uint64_t min, max;    /* numbers, times (in the field's unit), sizes, prefix lengths, list length */
	uint64_t aux;         /* CFG_T_NET_PORT: highest port; CFG_T_IPV4_PORT: default port */
	const char *const *choices; /* CFG_T_ENUM: NULL-terminated, index = enum value */
	const char *unit;     /* shown after min..max: "seconds", "degrees C"; a note for times */
	const char *def;      /* the default as a value of this key; NULL: zero, nothing set */
	const char *unset;    /* the effective line's text for a zero/empty value; NULL: the value */
	const char *doc_default; /* docs/config.md's default column when not `def` */
	const char *help;     /* docs/config.md's meaning column */
	uint8_t show, flags;
};

extern const struct cfg_key config_keys[];
extern const size_t config_nkeys;

/* What a key allows, as in its error messages and docs/config.md ("1..1000000",
 * "auto|spcr|com1|com2|com3|com4", ...). Returns the length it needed. */
int config_key_allowed(const struct cfg_key *k, char *buf, size_t len);
/* The docs' name of the key's type ("list of globs", "duration", ...). */
const char *config_type_name(const struct cfg_key *k);
/* Set one key of a table from text into the struct at base (config_set with a table of its
 * own, for tests of the typed handlers). */
int config_set_in(const struct cfg_key *keys, size_t nkeys, void *base, const char *key, size_t klen,
		  const char *val, size_t vlen, const char *origin, char *err);
/* One key's current value as text that config_set takes back. */
int config_format_key(const struct cfg_key *k, const void *base, char *buf, size_t len);

/* Parse a time: "90s", "15m", "8h", "2d", "1h30m", "500ms" or a bare number of seconds,
 * into milliseconds. Returns 0, -1 (not a time) or -2 (too large). */
int config_parse_time(const char *s, size_t n, uint64_t *ms);
/* "1h30m5s"-style text for a number of seconds. */
int config_format_duration(uint64_t seconds, char *buf, size_t len);

void config_defaults(struct kiln_config *c);
/* Set one key from text. On error returns -1 and writes a message naming the key, the
 * value and what is allowed into err (CFG_ERR_MAX bytes), and changes nothing. `origin`
 * prefixes the message (e.g. "kiln.cfg line 4", "load options"). */
int config_set(struct kiln_config *c, const char *key, size_t klen, const char *val, size_t vlen,
	       const char *origin, char *err);
/* kiln.cfg text: one "key = value" per line; blank lines and '#' comments ignored. */
int config_parse_file(struct kiln_config *c, const char *text, size_t len, const char *name, char *err);
/* Load options: whitespace-separated key=value words. */
int config_parse_cmdline(struct kiln_config *c, const char *text, char *err);
/* The effective configuration as "key=value" words, for the run's log: every key shown
 * always, then those shown when set that differ from their default. */
int config_format(const struct kiln_config *c, char *buf, size_t len);

#endif
