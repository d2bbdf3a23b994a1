// sources: tests/host/config_fixture.c kernel/harness/config.c kernel/harness/config_value.c kernel/harness/config_keys.c kernel/lib/fmt.c
/* kernel/harness/config.c: kiln.cfg and the UEFI load options share one parser. Checks the
 * defaults, every key with good values, the file syntax (comments, blank lines, spaces,
 * CRLF), load options winning over the file, and that every bad input stops with a
 * message naming the key, the value and what is allowed, without changing the config. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fixture.h"
#include "kernel/harness/config.h"

static int parse_file(struct kiln_config *c, const char *text)
{
	return config_parse_file(c, text, strlen(text), "kiln.cfg", err);
}

/* `s` is `prefix`, or `prefix` followed by more words (keys added later extend lists and
 * the formatted configuration at the end). */
static void assert_words_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) || (s[n] && s[n] != ' ' && s[n] != ','))
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

/* The file is refused with exactly `msg`. */
static void file_fails_with(const char *text, const char *msg)
{
	struct kiln_config c;
	config_defaults(&c);
	if (parse_file(&c, text) != -1)
		fail_msg("kiln.cfg \"%s\" was accepted", text);
	assert_string_equal(err, msg);
}

static void cmdline_fails_with(const char *text, const char *msg)
{
	struct kiln_config c;
	config_defaults(&c);
	if (config_parse_cmdline(&c, text, err) != -1)
		fail_msg("load options \"%s\" were accepted", text);
	assert_string_equal(err, msg);
}

/* A refused value leaves the configuration exactly as it was. */
static void refused_value_changes_nothing(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{"suites", "Platform"}, {"suites", "a/b"}, {"cases", "x/y"}, {"seed", "12x"},
		{"seed", "18446744073709551616"}, {"timeout", "0"}, {"timeout", "86401"}, {"timeout", ""},
		{"exit", "off"}, {"console", "com5"}, {"bogus", "1"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kiln_config c, before;
		config_defaults(&c);
		assert_int_equal(parse_file(&c, "suites = a\ncases = b\nseed = 3\ntimeout = 9\nexit = halt\n"), 0);
		before = c;
		if (set(&c, bad[i][0], bad[i][1]) != -1)
			fail_msg("%s = %s was accepted", bad[i][0], bad[i][1]);
		assert_memory_equal(&c, &before, sizeof c);
	}
}

static void defaults(void **state)
{
	(void)state;
	struct kiln_config c;
	memset(&c, 0xa5, sizeof c);
	config_defaults(&c);
	assert_string_equal(c.suites, "");
	assert_string_equal(c.cases, "");
	assert_string_equal(c.exclude, "");
	assert_int_equal(c.seed, 0);
	assert_false(c.seed_set);
	assert_int_equal(c.timeout_s, 60);
	assert_int_equal(c.exit_mode, CFG_EXIT_AUTO);
	assert_int_equal(c.console, CFG_CONSOLE_AUTO);
	char b[256];
	int n = config_format(&c, b, sizeof b);
	assert_words_prefix(b, "suites=(default) cases=* exclude=(none) seed=0x0 timeout=60 exit=auto console=auto");
	assert_int_equal(n, (int)strlen(b));
	/* truncated, it still returns the full length and terminates */
	char small[10];
	assert_int_equal(config_format(&c, small, sizeof small), n);
	assert_string_equal(small, "suites=(d");
}

static void every_key_accepts_good_values(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "suites", "platform,selftest"), 0);
	assert_string_equal(c.suites, "platform,selftest");
	assert_int_equal(set(&c, "cases", "dma-*,mem?-test_1.x"), 0);
	assert_string_equal(c.cases, "dma-*,mem?-test_1.x");
	assert_int_equal(set(&c, "exclude", "selftest"), 0);
	assert_string_equal(c.exclude, "selftest");
	assert_int_equal(set(&c, "suites", ""), 0); /* an empty list resets to the default */
	assert_string_equal(c.suites, "");

	static const struct {
		const char *text;
		uint64_t v;
	} seeds[] = {
		{"0", 0}, {"7", 7}, {"007", 7}, {"18446744073709551615", UINT64_MAX}, {"0x0", 0}, {"0xabcDEF", 0xabcdef},
		{"0XFFFFFFFFFFFFFFFF", UINT64_MAX}, {"0x00000000000000000001", 1},
	};
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		config_defaults(&c);
		assert_int_equal(set(&c, "seed", seeds[i].text), 0);
		assert_int_equal(c.seed, seeds[i].v);
		assert_true(c.seed_set);
	}
	static const struct {
		const char *text;
		uint32_t v;
	} timeouts[] = {{"1", 1},     {"60", 60},      {"86400", 86400}, {"0x10", 16},   {"0x15180", 86400},
			{"90s", 90},  {"2m", 120},     {"15m", 900},     {"8h", 28800},  {"1h30m", 5400},
			{"1d", 86400}, {"2000ms", 2},   {"1m500ms500ms", 61}};
	for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
		assert_int_equal(set(&c, "timeout", timeouts[i].text), 0);
		assert_int_equal(c.timeout_s, timeouts[i].v);
	}
	static const char *const exits[] = {"auto", "debug-port", "shutdown", "reboot", "halt"};
	static const enum cfg_exit exit_values[] = {CFG_EXIT_AUTO, CFG_EXIT_DEBUG_PORT, CFG_EXIT_SHUTDOWN,
						    CFG_EXIT_REBOOT, CFG_EXIT_HALT};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(set(&c, "exit", exits[i]), 0);
		assert_int_equal(c.exit_mode, exit_values[i]);
	}
	static const char *const consoles[] = {"auto", "spcr", "com1", "com2", "com3", "com4"};
	static const enum cfg_console console_values[] = {CFG_CONSOLE_AUTO, CFG_CONSOLE_SPCR, CFG_CONSOLE_COM1,
							  CFG_CONSOLE_COM2, CFG_CONSOLE_COM3, CFG_CONSOLE_COM4};
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(set(&c, "console", consoles[i]), 0);
		assert_int_equal(c.console, console_values[i]);
	}
	/* the formatted configuration names what was set */
	config_defaults(&c);
	assert_int_equal(set(&c, "suites", "platform"), 0);
	assert_int_equal(set(&c, "seed", "0x2a"), 0);
	assert_int_equal(set(&c, "exit", "debug-port"), 0);
	assert_int_equal(set(&c, "console", "com2"), 0);
	char b[256];
	config_format(&c, b, sizeof b);
	assert_words_prefix(b, "suites=platform cases=* exclude=(none) seed=0x2a timeout=60 exit=debug-port console=com2");
}

/* config_set takes counted strings: the bytes after klen/vlen are not part of them. */
static void counted_strings(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "timeoutXYZ", 7, "120junk", 3, "test", err), 0);
	assert_int_equal(c.timeout_s, 120);
	assert_int_equal(config_set(&c, "suites,", 6, "abc,def!", 7, "test", err), 0);
	assert_string_equal(c.suites, "abc,def");
	/* a key that is a prefix or an extension of a known key is unknown */
	assert_int_equal(config_set(&c, "suite", 5, "x", 1, "test", err), -1);
	assert_int_equal(config_set(&c, "suitess", 7, "x", 1, "test", err), -1);
	assert_int_equal(config_set(&c, "", 0, "x", 1, "test", err), -1);
}

static void file_syntax(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	const char *text = "# Kiln configuration\n"
			   "\n"
			   "   \n"
			   "suites=platform\n"
			   "  cases   =   mem-*   \n"
			   "\texclude\t=\tselftest\t# not today\n"
			   "seed = 0x10 #comment right after\r\n"
			   "timeout =90\r\n"
			   "   # indented comment = not a key\n"
			   "exit= shutdown\n"
			   "console = com3"; /* no newline at the end */
	assert_int_equal(parse_file(&c, text), 0);
	assert_string_equal(c.suites, "platform");
	assert_string_equal(c.cases, "mem-*");
	assert_string_equal(c.exclude, "selftest");
	assert_int_equal(c.seed, 16);
	assert_true(c.seed_set);
	assert_int_equal(c.timeout_s, 90);
	assert_int_equal(c.exit_mode, CFG_EXIT_SHUTDOWN);
	assert_int_equal(c.console, CFG_CONSOLE_COM3);

	/* empty, only comments, only blank lines; a later line overrides an earlier one */
	config_defaults(&c);
	assert_int_equal(parse_file(&c, ""), 0);
	assert_int_equal(parse_file(&c, "\n\n\r\n# x\n#\n"), 0);
	assert_int_equal(parse_file(&c, "timeout = 5\ntimeout = 6\n"), 0);
	assert_int_equal(c.timeout_s, 6);
	/* non-ASCII bytes in a comment are fine: people write comments in their language */
	assert_int_equal(parse_file(&c, "# caf\xc3\xa9 \xe2\x9c\x93\ntimeout = 7 # \xff\n"), 0);
	assert_int_equal(c.timeout_s, 7);
	/* an empty value: a list may be empty, a number may not */
	assert_int_equal(parse_file(&c, "suites = platform\nsuites =\n"), 0);
	assert_string_equal(c.suites, "");
	/* the length bounds the text: what follows is not parsed */
	const char *t2 = "timeout = 8\ntimeout = bogus";
	assert_int_equal(config_parse_file(&c, t2, 12, "kiln.cfg", err), 0);
	assert_int_equal(c.timeout_s, 8);
}

static void load_options_syntax(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(config_parse_cmdline(&c, "", err), 0);
	assert_int_equal(config_parse_cmdline(&c, "   \t  ", err), 0);
	assert_int_equal(config_parse_cmdline(&c, "  suites=platform\tseed=7   timeout=30 exit=halt\r", err), 0);
	assert_string_equal(c.suites, "platform");
	assert_int_equal(c.seed, 7);
	assert_int_equal(c.timeout_s, 30);
	assert_int_equal(c.exit_mode, CFG_EXIT_HALT);
	assert_int_equal(config_parse_cmdline(&c, "suites= cases=a*,b?", err), 0);
	assert_string_equal(c.suites, "");
	assert_string_equal(c.cases, "a*,b?");
}

static void load_options_override_file(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(parse_file(&c, "suites = platform\nseed = 1\ntimeout = 100\nconsole = com2\n"), 0);
	assert_int_equal(config_parse_cmdline(&c, "seed=2 console=spcr", err), 0);
	assert_string_equal(c.suites, "platform"); /* from the file */
	assert_int_equal(c.timeout_s, 100);        /* from the file */
	assert_int_equal(c.seed, 2);               /* the options win */
	assert_int_equal(c.console, CFG_CONSOLE_SPCR);
}

static void unknown_key(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(parse_file(&c, "suites = platform\n\nsutes = platform\n"), -1);
	assert_words_prefix(err, "kiln.cfg line 3: unknown key 'sutes'; known keys: suites, cases, exclude, seed, "
				 "timeout, exit, console");
	assert_int_equal(config_parse_cmdline(&c, "seed=1 Seed=2", err), -1);
	assert_words_prefix(err, "load options: unknown key 'Seed'; known keys: suites, cases, exclude, seed, timeout, "
				 "exit, console");
	/* the list of known keys is whole: it ends with the table's last key, not cut off */
	const char *last = config_keys[config_nkeys - 1].name;
	size_t n = strlen(err), m = strlen(last);
	assert_true(n > m && !strcmp(err + n - m, last) && err[n - m - 1] == ' ');
}

static void bad_numbers(void **state)
{
	(void)state;
	file_fails_with("seed = 12x\n", "kiln.cfg line 1: key 'seed' value '12x' is not a number; allowed: a decimal "
					"or 0x-hex number below 2^64");
	cmdline_fails_with("seed=-1", "load options: key 'seed' value '-1' is not a number; allowed: a decimal or "
				      "0x-hex number below 2^64");
	cmdline_fails_with("seed=18446744073709551616", "load options: key 'seed' value '18446744073709551616' is too "
							"large; allowed: a decimal or 0x-hex number below 2^64");
	cmdline_fails_with("seed=0x10000000000000000", "load options: key 'seed' value '0x10000000000000000' is too "
						       "large; allowed: a decimal or 0x-hex number below 2^64");
	file_fails_with("timeout = 0\n", "kiln.cfg line 1: key 'timeout' value '0' is out of range; allowed: 1s..1d "
					  "as a number of seconds or parts like 90s, 15m, 8h, 2d, 1h30m");
	file_fails_with("# a\ntimeout = 86401\n", "kiln.cfg line 2: key 'timeout' value '86401' is out of range; "
						  "allowed: 1s..1d as a number of seconds or parts like 90s, 15m, 8h, "
						  "2d, 1h30m");
	file_fails_with("timeout = 4294967297\n", "kiln.cfg line 1: key 'timeout' value '4294967297' is out of range; "
						 "allowed: 1s..1d as a number of seconds or parts like 90s, 15m, 8h, "
						 "2d, 1h30m");
	file_fails_with("timeout = 99999999999999999999\n", "kiln.cfg line 1: key 'timeout' value "
							     "'99999999999999999999' is too large; allowed: 1s..1d as a "
							     "number of seconds or parts like 90s, 15m, 8h, 2d, 1h30m");
	file_fails_with("timeout = 1500ms\n", "kiln.cfg line 1: key 'timeout' value '1500ms' is not a whole number of "
					     "seconds; allowed: 1s..1d as a number of seconds or parts like 90s, 15m, "
					     "8h, 2d, 1h30m");
	/* what is not a number (seed) or a duration (timeout), each with the key and the value */
	static const char *const bad[] = {"", "0x", "x10", "1 0", "+5", "1.5", "0xg", "0b101", "١", "5S", "1h 30m"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kiln_config c;
		config_defaults(&c);
		assert_int_equal(set(&c, "timeout", bad[i]), -1);
		char want[CFG_ERR_MAX];
		snprintf(want, sizeof want,
			 "test: key 'timeout' value '%s' is not a duration; allowed: 1s..1d as a number of seconds or "
			 "parts like 90s, 15m, 8h, 2d, 1h30m",
			 bad[i]);
		assert_string_equal(err, want);
		assert_int_equal(c.timeout_s, 60);
		assert_false(c.seed_set);
		assert_int_equal(set(&c, "seed", bad[i]), -1);
		snprintf(want, sizeof want,
			 "test: key 'seed' value '%s' is not a number; allowed: a decimal or 0x-hex number below 2^64",
			 bad[i]);
		assert_string_equal(err, want);
		assert_false(c.seed_set);
	}
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "seed", "5s"), -1);
}

#define CONSOLE_BDF " with <BDF> a PCI address [ssss:]bb:dd.f in hex, e.g. 00:03.0"

static void bad_enums(void **state)
{
	(void)state;
	file_fails_with("exit = poweroff\n", "kiln.cfg line 1: key 'exit' value 'poweroff' is not allowed; allowed: "
					     "auto|debug-port|shutdown|reboot|halt");
	cmdline_fails_with("console=COM1", "load options: key 'console' value 'COM1' is not allowed; allowed: "
					   "auto|spcr|com1|com2|com3|com4|pci:<BDF>" CONSOLE_BDF);
	cmdline_fails_with("console=", "load options: key 'console' value '' is not allowed; allowed: "
				       "auto|spcr|com1|com2|com3|com4|pci:<BDF>" CONSOLE_BDF);
	cmdline_fails_with("exit=hal", "load options: key 'exit' value 'hal' is not allowed; allowed: "
				       "auto|debug-port|shutdown|reboot|halt");
	cmdline_fails_with("exit=halted", "load options: key 'exit' value 'halted' is not allowed; allowed: "
					  "auto|debug-port|shutdown|reboot|halt");
}

/* net.mgmt: auto (the default), none, or a PCI address with or without the segment. */
static void net_mgmt(void **state)
{
	(void)state;
	struct kiln_config c;
	char line[CFG_ERR_MAX];
	config_defaults(&c);
	assert_int_equal(c.net.mgmt, CFG_MGMT_AUTO);
	assert_int_equal(config_parse_cmdline(&c, "net.mgmt=00:1f.6", err), 0);
	assert_int_equal(c.net.mgmt, CFG_MGMT_BDF);
	assert_int_equal(c.net.mgmt_addr.seg, 0);
	assert_int_equal(c.net.mgmt_addr.bus, 0);
	assert_int_equal(c.net.mgmt_addr.dev, 0x1f);
	assert_int_equal(c.net.mgmt_addr.fn, 6);
	assert_int_equal(config_parse_cmdline(&c, "net.mgmt=0001:3b:00.1", err), 0);
	assert_int_equal(c.net.mgmt_addr.seg, 1);
	assert_int_equal(c.net.mgmt_addr.bus, 0x3b);
	config_format(&c, line, sizeof line);
	assert_non_null(strstr(line, " net.mgmt=0001:3b:00.1"));
	assert_int_equal(config_parse_cmdline(&c, "net.mgmt=none", err), 0);
	assert_int_equal(c.net.mgmt, CFG_MGMT_NONE);
	config_format(&c, line, sizeof line);
	assert_non_null(strstr(line, " net.mgmt=none"));
	assert_int_equal(config_parse_cmdline(&c, "net.mgmt=auto", err), 0);
	assert_int_equal(c.net.mgmt, CFG_MGMT_AUTO);
	config_format(&c, line, sizeof line);
	assert_null(strstr(line, "net.mgmt"));
	/* console=pci:<BDF> shares the address syntax */
	assert_int_equal(config_parse_cmdline(&c, "console=pci:00:1e.0", err), 0);
	assert_int_equal(c.console, CFG_CONSOLE_PCI);
	assert_int_equal(c.console_addr.dev, 0x1e);
	config_format(&c, line, sizeof line);
	assert_non_null(strstr(line, " console=pci:0000:00:1e.0 "));
	cmdline_fails_with("console=pci:00:1e", "load options: key 'console' value 'pci:00:1e' is not allowed; allowed: "
						"auto|spcr|com1|com2|com3|com4|pci:<BDF>" CONSOLE_BDF);
	static const char *const bad[] = {"eth0", "00:1f", "00:20.0", "00:1f.8", "100:00.0", "00.1f.0", "00:1f.0.1",
					  "0:0:0:0.0", "00:1F.0", "00:1f.", ":1f.0", "12345:00:00.0", "", "0:1:2:3.0", "00:1f.6.1"};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char opt[64], msg[200];
		snprintf(opt, sizeof opt, "net.mgmt=%s", bad[i]);
		snprintf(msg, sizeof msg, "load options: key 'net.mgmt' value '%s' is not allowed; allowed: auto|none|<BDF> "
			 "with <BDF> a PCI address [ssss:]bb:dd.f in hex, e.g. 00:03.0", bad[i]);
		cmdline_fails_with(opt, msg);
	}
}

/* expect.pcie.<target>=genN[xW], the AER masks and expect.dimms=<N>x<size>. */
static void pcie_and_memory_expectations(void **state)
{
	(void)state;
	struct kiln_config c;
	char line[CFG_ERR_MAX];
	config_defaults(&c);
	assert_int_equal(c.pcie.nrules, 0);
	assert_int_equal(config_parse_cmdline(&c, "expect.pcie.slot3=gen4x16 expect.pcie.3b:00.0=gen5 "
						  "expect.pcie.slot3=gen3x8 pcie.aer_cor_mask=0x2000 expect.dimms=16x32G",
					      err),
			 0);
	assert_int_equal(c.pcie.nrules, 2); /* slot3 given twice: the later one wins */
	assert_string_equal(c.pcie.rule[0].target, "slot3");
	assert_int_equal(c.pcie.rule[0].speed, 3);
	assert_int_equal(c.pcie.rule[0].width, 8);
	assert_string_equal(c.pcie.rule[1].target, "3b:00.0");
	assert_int_equal(c.pcie.rule[1].speed, 5);
	assert_int_equal(c.pcie.rule[1].width, 0);
	assert_int_equal(c.pcie.aer_cor_mask, 0x2000);
	assert_int_equal(c.memory.modules, 16);
	assert_int_equal(c.memory.module_mib, 32768);
	config_format(&c, line, sizeof line);
	assert_non_null(strstr(line, " pcie.aer_cor_mask=0x2000 expect.dimms=16x32G expect.pcie.slot3=gen3x8 "
				     "expect.pcie.3b:00.0=gen5"));
	/* a size that is not whole GiB is shown in MiB */
	assert_int_equal(config_parse_cmdline(&c, "expect.dimms=2x1536M", err), 0);
	config_format(&c, line, sizeof line);
	assert_non_null(strstr(line, " expect.dimms=2x1536M "));
	assert_int_equal(config_parse_cmdline(&c, "expect.dimms=none", err), 0);
	assert_int_equal(c.memory.modules, 0);
	static const char *const bad_rules[] = {"gen", "gen0", "gen7", "genx4", "gen4x", "gen4x0", "gen4x33", "4x16", "Gen4"};
	for (unsigned i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++) {
		char opt[64], msg[300];
		snprintf(opt, sizeof opt, "expect.pcie.slot1=%s", bad_rules[i]);
		snprintf(msg, sizeof msg, "load options: key 'expect.pcie.slot1' value '%s' is not allowed; allowed: a key "
			 "expect.pcie.<[ssss:]bb:dd.f or slotN> and a value genN or genNxW (N 1..6, W 1..32), e.g. gen4x16; at "
			 "most 16 such keys",
			 bad_rules[i]);
		cmdline_fails_with(opt, msg);
	}
	cmdline_fails_with("expect.pcie.Slot1=gen4", "load options: key 'expect.pcie.Slot1' value 'gen4' is not allowed; "
						      "allowed: a key expect.pcie.<[ssss:]bb:dd.f or slotN> and a value genN or "
						      "genNxW (N 1..6, W 1..32), e.g. gen4x16; at most 16 such keys");
	static const char *const bad_mem[] = {"16", "x32G", "16x", "16xG", "0x32G", "16x32T", "16x0G", "16x32", "16X32G"};
	for (unsigned i = 0; i < sizeof bad_mem / sizeof bad_mem[0]; i++) {
		char opt[64], msg[300];
		snprintf(opt, sizeof opt, "expect.dimms=%s", bad_mem[i]);
		snprintf(msg, sizeof msg, "load options: key 'expect.dimms' value '%s' is not allowed; allowed: none or "
			 "<modules>x<size> with size in M or G, e.g. 16x32G (at least 16 modules of at least 32 GiB each)",
			 bad_mem[i]);
		cmdline_fails_with(opt, msg);
	}
	/* the rule table is bounded */
	config_defaults(&c);
	for (unsigned i = 0; i < CFG_PCIE_RULES_MAX; i++) {
		char opt[64];
		snprintf(opt, sizeof opt, "expect.pcie.slot%u=gen1", i);
		assert_int_equal(config_parse_cmdline(&c, opt, err), 0);
	}
	assert_int_equal(config_parse_cmdline(&c, "expect.pcie.slot99=gen1", err), -1);
	assert_string_equal(err, "load options: key 'expect.pcie.slot99' value 'gen1' is one key too many; allowed: a key "
				 "expect.pcie.<[ssss:]bb:dd.f or slotN> and a value genN or genNxW (N 1..6, W 1..32), e.g. "
				 "gen4x16; at most 16 such keys");
	/* a target already set is replaced, not one too many */
	assert_int_equal(config_parse_cmdline(&c, "expect.pcie.slot3=gen2x2", err), 0);
	assert_int_equal(c.pcie.nrules, CFG_PCIE_RULES_MAX);
	assert_int_equal(c.pcie.rule[3].speed, 2);
}

static void not_key_value(void **state)
{
	(void)state;
	file_fails_with("timeout = 5\nsuites platform\n", "kiln.cfg line 2: 'suites platform' is not 'key = value'");
	file_fails_with("  = 5\n", "kiln.cfg line 1: '= 5' has no key before '='");
	cmdline_fails_with("seed=1 verbose", "load options: 'verbose' is not key=value");
	cmdline_fails_with("=5", "load options: '=5' is not key=value");
	/* a later '=' is part of the value, and not a list character */
	cmdline_fails_with("suites=a=b", "load options: key 'suites' value 'a=b' has '='; allowed: names or globs "
					 "of a-z 0-9 - _ . * ? separated by commas or spaces, "
					 "at most 255 characters");
}

static void list_values(void **state)
{
	(void)state;
	char line[400];
	char value[CFG_LIST_MAX + 1];
	memset(value, 'a', sizeof value);
	value[CFG_LIST_MAX - 1] = 0; /* 255 characters: the longest allowed */
	struct kiln_config c;
	config_defaults(&c);
	snprintf(line, sizeof line, "suites = %s\n", value);
	assert_int_equal(parse_file(&c, line), 0);
	assert_int_equal(strlen(c.suites), CFG_LIST_MAX - 1);
	value[CFG_LIST_MAX - 1] = 'a';
	value[CFG_LIST_MAX] = 0; /* 256 */
	snprintf(line, sizeof line, "exclude = %s\n", value);
	file_fails_with(line, "kiln.cfg line 1: key 'exclude' value is 256 characters; allowed: at most 255");
	file_fails_with("suites = Platform\n", "kiln.cfg line 1: key 'suites' value 'Platform' has 'P'; allowed: "
					      "names or globs of a-z 0-9 - _ . * ? separated by commas or spaces, "
					 "at most 255 characters");
	/* a kiln.cfg list may be written with spaces after the commas */
	assert_int_equal(parse_file(&c, "cases = a, b\n"), 0);
	assert_string_equal(c.cases, "a, b");
	cmdline_fails_with("suites=plat/form", "load options: key 'suites' value 'plat/form' has '/'; allowed: "
					       "names or globs of a-z 0-9 - _ . * ? separated by commas or spaces, "
					 "at most 255 characters");
}

static void not_text(void **state)
{
	(void)state;
	file_fails_with("suites = pl\xc3\xa4tform\n",
			"kiln.cfg line 1: not text (byte 0xc3); kiln.cfg is ASCII 'key = value' lines");
	file_fails_with("# ok\n\xef\xbb\xbfseed = 1\n",
			"kiln.cfg line 2: not text (byte 0xef); kiln.cfg is ASCII 'key = value' lines");
	file_fails_with("seed = 1\x7f\n", "kiln.cfg line 1: not text (byte 0x7f); kiln.cfg is ASCII 'key = value' lines");
	file_fails_with("seed = 1\x1b[0m\n",
			"kiln.cfg line 1: not text (byte 0x1b); kiln.cfg is ASCII 'key = value' lines");
	/* a NUL byte inside the counted text */
	struct kiln_config c;
	config_defaults(&c);
	static const char with_nul[] = "seed = 1\nti\0meout = 2\n";
	assert_int_equal(config_parse_file(&c, with_nul, sizeof with_nul - 1, "kiln.cfg", err), -1);
	assert_string_equal(err, "kiln.cfg line 2: not text (byte 0x00); kiln.cfg is ASCII 'key = value' lines");
}

/* Whatever the key's length, the message fits CFG_ERR_MAX and is terminated. */
static void long_inputs_fit_the_message(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	size_t n = 5000;
	char *text = malloc(n + 8);
	assert_non_null(text);
	memset(text, 'k', n);
	memcpy(text + n, " = 1\n", 6);
	assert_int_equal(parse_file(&c, text), -1);
	assert_true(strlen(err) < CFG_ERR_MAX);
	assert_memory_equal(err, "kiln.cfg line 1: unknown key 'kkkk", 34);
	memset(text, 'x', n);
	memcpy(text, "timeout=", 8);
	text[n] = 0;
	assert_int_equal(config_parse_cmdline(&c, text, err), -1);
	assert_true(strlen(err) < CFG_ERR_MAX);
	assert_memory_equal(err, "load options: key 'timeout' value 'xxx", 38);
	free(text);
}

/* Random bytes never crash the parser (ASan/UBSan watch), and every failure leaves a
 * terminated message that starts with where the problem was. */
static void random_input_is_survived(void **state)
{
	(void)state;
	uint64_t rng = host_test_seed(0x636f6e666967ull);
	static const char *const pieces[] = {"suites", "seed", "timeout", "exit", "console", "=", " = ", "#",
					     "\n", "\r\n", " ", "\t", "0x", "9", "18446744073709551615", "halt",
					     "platform", ",", "*", "\xc3", "\0"};
	int accepted = 0;
	for (int iter = 0; iter < 20000; iter++) {
		char text[256];
		size_t n = 0;
		for (int k = (int)(host_rand(&rng) % 12); k > 0; k--) {
			const char *p = pieces[host_rand(&rng) % (sizeof pieces / sizeof pieces[0])];
			size_t l = *p ? strlen(p) : 1;
			if (n + l >= sizeof text)
				break;
			memcpy(text + n, p, l);
			n += l;
		}
		struct kiln_config c;
		config_defaults(&c);
		memset(err, 0x5a, CFG_ERR_MAX);
		char *exact = malloc(n ? n : 1); /* exactly n bytes: no reading past the length */
		memcpy(exact, text, n);
		int r = config_parse_file(&c, exact, n, "kiln.cfg", err);
		free(exact);
		if (r == 0) {
			accepted++;
			assert_true(c.timeout_s >= 1 && c.timeout_s <= 86400);
			assert_true(c.exit_mode <= CFG_EXIT_HALT && c.console <= CFG_CONSOLE_COM4);
		} else {
			assert_int_equal(r, -1);
			assert_non_null(memchr(err, 0, CFG_ERR_MAX));
			assert_memory_equal(err, "kiln.cfg line ", 14);
		}
		text[n] = 0; /* as load options: up to the first NUL */
		config_defaults(&c);
		r = config_parse_cmdline(&c, text, err);
		if (r) {
			assert_int_equal(r, -1);
			assert_non_null(memchr(err, 0, CFG_ERR_MAX));
			assert_memory_equal(err, "load options: ", 14);
		}
	}
	printf("# %d of 20000 random files accepted\n", accepted);
	assert_true(accepted > 100); /* the generator does reach valid input */
}

/* ---- burn-in and reporting keys ------------------------------------------------- */

static void burn_in_defaults(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(c.passes, 0);
	assert_int_equal(c.duration_s, 0);
	assert_int_equal(c.on_failure, CFG_ON_FAILURE_CONTINUE);
	assert_int_equal(c.heartbeat_s, 60);
	assert_int_equal(c.ldjson, CFG_OFF);
	assert_int_equal(c.persist, CFG_ON);
	char b[512];
	config_format(&c, b, sizeof b);
	static const char *const words[] = {" passes=1 ", " duration=(none) ", " on_failure=continue ", " heartbeat=60 ",
					    " ldjson=off ", " persist=on"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strstr(b, words[i]))
			fail_msg("\"%s\" lacks \"%s\"", b, words[i]);
}

static void burn_in_keys_accept_good_values(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "passes", "1"), 0);
	assert_int_equal(c.passes, 1);
	assert_int_equal(set(&c, "passes", "1000000"), 0);
	assert_int_equal(c.passes, CFG_PASSES_MAX);
	assert_int_equal(set(&c, "heartbeat", "0"), 0); /* off */
	assert_int_equal(c.heartbeat_s, 0);
	assert_int_equal(set(&c, "heartbeat", "86400"), 0);
	assert_int_equal(c.heartbeat_s, 86400);
	static const char *const onf[] = {"continue", "stop", "halt"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(set(&c, "on_failure", onf[i]), 0);
		assert_int_equal(c.on_failure, i);
	}
	assert_int_equal(set(&c, "ldjson", "on"), 0);
	assert_int_equal(c.ldjson, CFG_ON);
	assert_int_equal(set(&c, "persist", "off"), 0);
	assert_int_equal(c.persist, CFG_OFF);
	static const struct {
		const char *text;
		uint64_t s;
	} durations[] = {
		{"1", 1}, {"90", 90}, {"90s", 90}, {"15m", 900}, {"8h", 28800}, {"2d", 172800}, {"1h30m", 5400},
		{"1d23h59m59s", 172799}, {"30d", CFG_DURATION_MAX_S}, {"2592000", CFG_DURATION_MAX_S}, {"720h", 2592000},
		{"0d1s", 1}, {"001m", 60},
	};
	for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
		if (set(&c, "duration", durations[i].text) != 0)
			fail_msg("duration=%s refused: %s", durations[i].text, err);
		assert_int_equal(c.duration_s, durations[i].s);
	}
	config_defaults(&c);
	assert_int_equal(config_parse_cmdline(&c, "passes=3 duration=1h30m on_failure=stop ldjson=on", err), 0);
	char b[512];
	config_format(&c, b, sizeof b);
	assert_non_null(strstr(b, " passes=3 duration=1h30m on_failure=stop "));
	assert_non_null(strstr(b, " ldjson=on "));
}

static void burn_in_keys_refuse_bad_values(void **state)
{
	(void)state;
	cmdline_fails_with("passes=0", "load options: key 'passes' value '0' is out of range; allowed: 1..1000000");
	cmdline_fails_with("passes=1000001",
			   "load options: key 'passes' value '1000001' is out of range; allowed: 1..1000000");
	cmdline_fails_with("heartbeat=86401", "load options: key 'heartbeat' value '86401' is out of range; allowed: "
					      "0s..1d (0: off) as a number of seconds or parts like 90s, 15m, 8h, 2d, "
					      "1h30m");
	cmdline_fails_with("heartbeat=25h", "load options: key 'heartbeat' value '25h' is out of range; allowed: "
					    "0s..1d (0: off) as a number of seconds or parts like 90s, 15m, 8h, 2d, "
					    "1h30m");
	cmdline_fails_with("on_failure=abort", "load options: key 'on_failure' value 'abort' is not allowed; allowed: "
					       "continue|stop|halt");
	cmdline_fails_with("ldjson=yes", "load options: key 'ldjson' value 'yes' is not allowed; allowed: off|on");
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"0", "is out of range"}, {"0s", "is out of range"}, {"31d", "is out of range"},
		{"30d1s", "is out of range"}, {"1h30", "is not a duration"}, {"90s10", "is not a duration"},
		{"1H", "is not a duration"}, {"h", "is not a duration"}, {"1.5h", "is not a duration"},
		{"-1s", "is not a duration"}, {"+1s", "is not a duration"}, {"1w", "is not a duration"},
		{"1h-30m", "is not a duration"}, {"s1", "is not a duration"}, {"1sm", "is not a duration"},
		{"500ms", "is not a whole number of seconds"}, {"1s1ms", "is not a whole number of seconds"},
		{"18446744073709551615d", "is too large"}, {"99999999999999999999", "is too large"},
		{"99999999999999999999x", "is not a duration"},
		{"1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d", "is out of range"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kiln_config c;
		config_defaults(&c);
		if (set(&c, "duration", bad[i].text) != -1)
			fail_msg("duration=%s accepted as %llu s", bad[i].text, (unsigned long long)c.duration_s);
		char want[CFG_ERR_MAX];
		snprintf(want, sizeof want,
			 "test: key 'duration' value '%s' %s; allowed: 1s..30d as a number of seconds or parts like 90s, "
			 "15m, 8h, 2d, 1h30m",
			 bad[i].text, bad[i].why);
		assert_string_equal(err, want);
		assert_int_equal(c.duration_s, 0);
	}
	file_fails_with("duration = 1h 30m\n", "kiln.cfg line 1: key 'duration' value '1h 30m' is not a duration; "
					       "allowed: 1s..30d as a number of seconds or parts like 90s, 15m, 8h, 2d, "
					       "1h30m");
	file_fails_with("duration =\n", "kiln.cfg line 1: key 'duration' value '' is not a duration; allowed: 1s..30d "
					"as a number of seconds or parts like 90s, 15m, 8h, 2d, 1h30m");
}

static void time_parse_edges(void **state)
{
	(void)state;
	uint64_t v = 12345;
	assert_int_equal(config_parse_time("", 0, &v), -1);
	assert_int_equal(v, 12345); /* untouched on failure */
	static const struct {
		const char *text;
		uint64_t ms;
	} good[] = {
		{"0", 0}, {"90", 90000}, {"90s", 90000}, {"15m", 900000}, {"8h", 28800000}, {"2d", 172800000},
		{"1h30m", 5400000}, {"500ms", 500}, {"1m500ms", 60500}, {"0ms", 0}, {"0x10", 16000}, {"30m1h", 5400000},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (config_parse_time(good[i].text, strlen(good[i].text), &v) != 0 || v != good[i].ms)
			fail_msg("\"%s\" is not %llu ms", good[i].text, (unsigned long long)good[i].ms);
	}
	/* very large numbers: refused as too large (-2) before they overflow, never wrapped */
	assert_int_equal(config_parse_time("18446744073709551", 17, &v), 0); /* 2^64 / 1000, rounded down */
	assert_int_equal(v, 18446744073709551000ull);
	assert_int_equal(config_parse_time("18446744073709552", 17, &v), -2);
	assert_int_equal(config_parse_time("18446744073709551615ms", 22, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(config_parse_time("18446744073709551616ms", 22, &v), -2);
	assert_int_equal(config_parse_time("99999999999999999999999", 23, &v), -2);
	assert_int_equal(config_parse_time("213503982334d", 13, &v), 0); /* 2^64 / 86400000, rounded down */
	assert_int_equal(v, 213503982334ull * 86400000);
	assert_int_equal(config_parse_time("213503982335d", 13, &v), -2);
	assert_int_equal(config_parse_time("0x4189374BC6A7EF", 16, &v), 0);
	assert_int_equal(config_parse_time("0x4189374BC6A7F0", 16, &v), -2);
	assert_int_equal(config_parse_time("9223372036854775807ms9223372036854775807ms9ms", 45, &v), -2); /* the sum */
	assert_int_equal(config_parse_time("99999999999999999999d1x", 23, &v), -1); /* not a time at all */
	/* the length bounds the text */
	assert_int_equal(config_parse_time("15mjunk", 3, &v), 0);
	assert_int_equal(v, 900000);
	assert_int_equal(config_parse_time("15mjunk", 2, &v), 0);
	assert_int_equal(v, 15000);
	assert_int_equal(config_parse_time("15msjunk", 3, &v), 0);
	assert_int_equal(v, 900000);
}

/* Every time-valued key takes the same forms (issue 10): walks the table, so a key added
 * later is covered. */
static void every_time_key_takes_every_form(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint64_t s;
	} forms[] = {{"90", 90}, {"90s", 90}, {"15m", 900}, {"8h", 28800}, {"1h30m", 5400}, {"2000ms", 2}};
	unsigned keys = 0;
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct cfg_key *k = &config_keys[i];
		if (k->type != CFG_T_TIME)
			continue;
		keys++;
		for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
			uint64_t want = k->flags & CFG_F_MS ? forms[f].s * 1000 : forms[f].s;
			if (want < k->min || want > k->max)
				continue;
			struct kiln_config c;
			config_defaults(&c);
			if (set(&c, k->name, forms[f].text) != 0)
				fail_msg("%s=%s refused: %s", k->name, forms[f].text, err);
			char b[64];
			config_format_key(k, &c, b, sizeof b);
			struct kiln_config d;
			config_defaults(&d);
			assert_int_equal(set(&d, k->name, b), 0);
			assert_memory_equal(&c, &d, sizeof c);
			if (memcmp((char *)&c + k->off, &want, k->size)) /* little-endian: the low bytes */
				fail_msg("%s=%s is not %llu", k->name, forms[f].text, (unsigned long long)want);
		}
	}
	assert_true(keys >= 3); /* timeout, duration, heartbeat */
}

static void duration_format_round_trip(void **state)
{
	(void)state;
	static const struct {
		uint64_t s;
		const char *text;
	} fmts[] = {
		{0, "0s"}, {1, "1s"}, {59, "59s"}, {60, "1m"}, {61, "1m1s"}, {3600, "1h"}, {5400, "1h30m"},
		{86400, "1d"}, {90061, "1d1h1m1s"}, {2592000, "30d"}, {172799, "1d23h59m59s"},
		{UINT64_MAX, "213503982334601d7h15s"},
	};
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		char b[64];
		int n = config_format_duration(fmts[i].s, b, sizeof b);
		assert_string_equal(b, fmts[i].text);
		assert_int_equal(n, (int)strlen(fmts[i].text));
	}
	/* format then parse gives the number back, for every size of buffer that holds it */
	uint64_t rng = host_test_seed(0x647572ull);
	for (int iter = 0; iter < 20000; iter++) {
		uint64_t s = host_rand(&rng) % (iter % 2 ? CFG_DURATION_MAX_S + 1 : 100000);
		char b[64];
		int n = config_format_duration(s, b, sizeof b);
		uint64_t back = 0;
		assert_int_equal(n, (int)strlen(b));
		if (config_parse_time(b, strlen(b), &back) != 0 || (back /= 1000) != s)
			fail_msg("%llu s formats as \"%s\", which parses as %llu", (unsigned long long)s, b,
				 (unsigned long long)back);
	}
	/* truncated: a terminated prefix, nothing written past the buffer */
	for (size_t len = 1; len <= 10; len++) {
		char *b = malloc(len);
		config_format_duration(90061, b, len);
		assert_true(strlen(b) < len);
		assert_memory_equal(b, "1d1h1m1s", strlen(b));
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(every_key_accepts_good_values, setup, teardown),
		cmocka_unit_test_setup_teardown(counted_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(file_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(load_options_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(load_options_override_file, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_enums, setup, teardown),
		cmocka_unit_test_setup_teardown(not_key_value, setup, teardown),
		cmocka_unit_test_setup_teardown(net_mgmt, setup, teardown),
		cmocka_unit_test_setup_teardown(pcie_and_memory_expectations, setup, teardown),
		cmocka_unit_test_setup_teardown(list_values, setup, teardown),
		cmocka_unit_test_setup_teardown(not_text, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_value_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(long_inputs_fit_the_message, setup, teardown),
		cmocka_unit_test_setup_teardown(random_input_is_survived, setup, teardown),
		cmocka_unit_test_setup_teardown(burn_in_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(burn_in_keys_accept_good_values, setup, teardown),
		cmocka_unit_test_setup_teardown(burn_in_keys_refuse_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(time_parse_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(every_time_key_takes_every_form, setup, teardown),
		cmocka_unit_test_setup_teardown(duration_format_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
