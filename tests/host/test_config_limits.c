// sources: tests/host/config_fixture.c kernel/harness/config.c kernel/harness/config_value.c kernel/harness/config_keys.c kernel/lib/fmt.c
/* kernel/harness/config.c, the device keys: thresholds temp_max / power_max / ecc_serr_max ("off"
 * or a number in range, with the unit in the message) and hbm_range ("all" or
 * offset:size with K/M/G suffixes, multiples of 8). Bad values change nothing. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fixture.h"
#include "kernel/harness/config.h"

static void defaults_are_off(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(c.temp_max_c, CFG_LIMIT_OFF);
	assert_int_equal(c.power_max_w, CFG_LIMIT_OFF);
	assert_int_equal(c.ecc_serr_max, CFG_LIMIT_OFF);
	assert_false(c.hbm_range_set);
}

static void thresholds(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "temp_max", "85"), 0);
	assert_int_equal(c.temp_max_c, 85);
	assert_int_equal(set(&c, "temp_max", "off"), 0);
	assert_int_equal(c.temp_max_c, CFG_LIMIT_OFF);
	assert_int_equal(set(&c, "power_max", "0x15e"), 0);
	assert_int_equal(c.power_max_w, 350);
	assert_int_equal(set(&c, "ecc_serr_max", "0"), 0);
	assert_int_equal(c.ecc_serr_max, 0);
	assert_int_equal(set(&c, "ecc_serr_max", "1000000"), 0);

	assert_int_equal(set(&c, "temp_max", "201"), -1);
	assert_string_equal(err, "test: key 'temp_max' value '201' is out of range; allowed: off or 1..200 degrees C");
	assert_int_equal(set(&c, "temp_max", "0"), -1);
	assert_int_equal(set(&c, "power_max", "hot"), -1);
	assert_string_equal(err, "test: key 'power_max' value 'hot' is not a number; allowed: off or 1..5000 watts");
	assert_int_equal(set(&c, "ecc_serr_max", "99999999999999999999999"), -1);
	assert_string_equal(err, "test: key 'ecc_serr_max' value '99999999999999999999999' is too large; allowed: off or "
				 "0..1000000 corrected errors per device");
	assert_int_equal(set(&c, "temp_max", "Off"), -1);
	assert_int_equal(set(&c, "temp_max", ""), -1);
	/* refused values changed nothing */
	assert_int_equal(c.temp_max_c, CFG_LIMIT_OFF);
	assert_int_equal(c.power_max_w, 350);
	assert_int_equal(c.ecc_serr_max, 1000000);
}

static void ranges(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	static const struct {
		const char *text;
		uint64_t off, size;
	} good[] = {
		{"0:64M", 0, 64ull << 20},        {"1G:512M", 1ull << 30, 512ull << 20}, {"16k:8K", 16384, 8192},
		{"0x1000:4096", 0x1000, 4096},    {"8:8", 8, 8},                          {"0:64G", 0, 64ull << 30},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(set(&c, "hbm_range", good[i].text), 0);
		assert_true(c.hbm_range_set);
		assert_int_equal(c.hbm_range_off, good[i].off);
		assert_int_equal(c.hbm_range_size, good[i].size);
	}
	static const char *const bad[] = {"64M", ":64M", "0:", "0:0", "4:8", "0:12", "0:64T", "x:1M", "1M:M",
					  "0:18446744073709551615G", "18446744073709551608:16", "all:1", "ALL", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (set(&c, "hbm_range", bad[i]) != -1)
			fail_msg("hbm_range=%s was accepted", bad[i]);
		assert_non_null(strstr(err, "is not a range; allowed: all, or offset:size"));
		assert_int_equal(c.hbm_range_off, 0); /* the last good value stays */
		assert_int_equal(c.hbm_range_size, 64ull << 30);
	}
	/* all: set, size 0 (each device's whole HBM); quick: the default, unset */
	assert_int_equal(set(&c, "hbm_range", "all"), 0);
	assert_true(c.hbm_range_set);
	assert_int_equal(c.hbm_range_off, 0);
	assert_int_equal(c.hbm_range_size, 0);
	assert_int_equal(set(&c, "hbm_range", "quick"), 0);
	assert_false(c.hbm_range_set);
}

/* ecc_serr_rate_max takes off or a number like the other thresholds */
static void rate_threshold(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(c.ecc_serr_rate_max, CFG_LIMIT_OFF);
	assert_int_equal(set(&c, "ecc_serr_rate_max", "12"), 0);
	assert_int_equal(c.ecc_serr_rate_max, 12);
	assert_int_equal(set(&c, "ecc_serr_rate_max", "off"), 0);
	assert_int_equal(c.ecc_serr_rate_max, CFG_LIMIT_OFF);
	assert_int_equal(set(&c, "ecc_serr_rate_max", "1000001"), -1);
	assert_non_null(strstr(err, "ecc_serr_rate_max"));
	assert_non_null(strstr(err, "corrected errors per hour per device"));
}

/* expect.fabric: none, mesh:NxK or a list of cables the fabric suite checks the discovered
 * cabling against; a bad value leaves the last good one and names key, value and allowed */
static void fabric(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(c.fabric.accels, 0);
	assert_int_equal(c.fabric.nlinks, 0);
	assert_int_equal(set(&c, "expect.fabric", "mesh:8x3"), 0);
	assert_int_equal(c.fabric.accels, 8);
	assert_int_equal(c.fabric.per_peer, 3);
	assert_int_equal(set(&c, "expect.fabric", "mesh:2x24"), 0);
	static const char *const bad[] = {"ring", "mesh", "mesh:", "mesh:8", "mesh:8x", "mesh:x3", "mesh:1x3", "mesh:17x1",
					  "mesh:8x4", "mesh:4x0", "mesh:4x3x1", "MESH:4x3", "mesh:4X3", "",
					  /* lists */
					  "0.0", "0.0-", "0.0-1", "0.0-1.", "0.0-1.0,", ",0.0-1.0", "0.0-1.0,,1.1-2.1",
					  "0.0-0.0", "0.0-1.0,0.0-2.0", "0.0-1.0,2.0-1.0", "16.0-1.0", "0.24-1.0", "0.0-1.100",
					  "00.0-1.0x", "0.0 1.0", "0.0-1.0;", "a.0-1.0", "0.0--1.0", "-0.0-1.0", "0.0-1.0-2.0",
					  "accel0.port0-accel1.port0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (set(&c, "expect.fabric", bad[i]) != -1)
			fail_msg("expect.fabric=%s was accepted", bad[i]);
		assert_non_null(strstr(err, "key 'expect.fabric'"));
		assert_non_null(strstr(err, "allowed: none, or mesh:NxK"));
		assert_non_null(strstr(err, "or the cables as A.P-B.Q,..."));
		assert_int_equal(c.fabric.accels, 2); /* the last good value stays */
		assert_int_equal(c.fabric.per_peer, 24);
		assert_int_equal(c.fabric.nlinks, 0);
	}
	assert_int_equal(set(&c, "expect.fabric", "0.0-1.0,0.1-2.0,1.23-15.7,3.4-3.5"), 0);
	assert_int_equal(c.fabric.accels, 0);
	assert_int_equal(c.fabric.nlinks, 4);
	assert_int_equal(c.fabric.link[2].a, 1);
	assert_int_equal(c.fabric.link[2].p, 23);
	assert_int_equal(c.fabric.link[2].b, 15);
	assert_int_equal(c.fabric.link[2].q, 7);
	assert_int_equal(c.fabric.link[3].a, 3); /* two ports of one device */
	assert_int_equal(c.fabric.link[3].q, 5);
	char buf[256];
	const struct cfg_key *k = NULL;
	for (size_t i = 0; i < config_nkeys; i++)
		if (!strcmp(config_keys[i].name, "expect.fabric"))
			k = &config_keys[i];
	assert_non_null(k);
	config_format_key(k, &c, buf, sizeof buf);
	assert_string_equal(buf, "0.0-1.0,0.1-2.0,1.23-15.7,3.4-3.5"); /* what set takes back */
	/* a list as long as a whole 8 x 24 box (96 cables), and one cable more refused */
	char big[96 * 10 + 16];
	size_t at = 0;
	for (unsigned i = 0; i < 96; i++)
		at += (size_t)snprintf(big + at, sizeof big - at, "%s%u.%u-%u.%u", i ? "," : "", i / 12, i % 12,
				       i / 12 + 8 < 16 ? i / 12 + 8 : 0, i % 12 + 12);
	assert_int_equal(set(&c, "expect.fabric", big), 0);
	assert_int_equal(c.fabric.nlinks, 96);
	snprintf(big + at, sizeof big - at, ",15.23-14.23");
	assert_int_equal(set(&c, "expect.fabric", big), -1);
	assert_int_equal(c.fabric.nlinks, 96);
	assert_int_equal(set(&c, "expect.fabric", "mesh:4x3"), 0); /* a mesh replaces a list */
	assert_int_equal(c.fabric.nlinks, 0);
	assert_int_equal(set(&c, "expect.fabric", "none"), 0);
	assert_int_equal(c.fabric.accels, 0);
	assert_int_equal(c.fabric.nlinks, 0);
}

static void known_keys_list_them(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "temp", "1"), -1);
	assert_non_null(strstr(err, "temp_max, power_max, ecc_serr_max, ecc_serr_rate_max, hbm_range"));
}

/* cpus=: "all" (0) or 1..256, the error naming both. */
static void cpus_key(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(c.cpus, 0);
	assert_int_equal(set(&c, "cpus", "4"), 0);
	assert_int_equal(c.cpus, 4);
	assert_int_equal(set(&c, "cpus", "all"), 0);
	assert_int_equal(c.cpus, 0);
	assert_int_equal(set(&c, "cpus", "256"), 0);
	assert_int_equal(set(&c, "cpus", "0"), -1);
	assert_string_equal(err, "test: key 'cpus' value '0' is out of range; allowed: all or 1..256 CPUs");
	assert_int_equal(set(&c, "cpus", "257"), -1);
	assert_int_equal(set(&c, "cpus", "many"), -1);
	assert_string_equal(err, "test: key 'cpus' value 'many' is not a number; allowed: all or 1..256 CPUs");
	assert_int_equal(set(&c, "cpus", "off"), -1);
	assert_int_equal(c.cpus, 256);
	char buf[800];
	config_format(&c, buf, sizeof buf);
	assert_non_null(strstr(buf, " cpus=256"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(defaults_are_off, setup, teardown),
		cmocka_unit_test_setup_teardown(thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(rate_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(fabric, setup, teardown),
		cmocka_unit_test_setup_teardown(known_keys_list_them, setup, teardown),
		cmocka_unit_test_setup_teardown(cpus_key, setup, teardown),
	};
	return cmocka_run_group_tests_name("config-limits", tests, NULL, NULL);
}
