// sources: tests/host/config_fixture.c kernel/harness/config.c kernel/harness/config_value.c kernel/harness/config_keys.c kernel/lib/fmt.c
/* kernel/harness/config.c, the verdict keys: expected topology (expect.accels, expect.ports,
 * expect.hbm, expect.pcie, expect.cpus, expect.memory), the health limits (fan_min_rpm,
 * voltage_min, voltage_max, current_max, pcie_replay_max), the NIC thresholds (nic.flaps_max,
 * nic.loss_max_ppm) and skips=allow|fail. Good values
 * set the field, "off" clears it, bad ones are refused naming key, value and what is
 * allowed, and change nothing. */
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
	assert_int_equal(c.expect_accels, CFG_LIMIT_OFF);
	assert_int_equal(c.expect_ports, CFG_LIMIT_OFF);
	assert_int_equal(c.expect_cpus, CFG_LIMIT_OFF);
	assert_true(c.expect_hbm == 0 && c.expect_memory == 0);
	assert_int_equal(c.expect_pcie_speed, 0);
	assert_int_equal(c.fan_min_rpm, CFG_LIMIT_OFF);
	assert_int_equal(c.voltage_min_mv, CFG_LIMIT_OFF);
	assert_int_equal(c.voltage_max_mv, CFG_LIMIT_OFF);
	assert_int_equal(c.current_max_a, CFG_LIMIT_OFF);
	assert_int_equal(c.pcie_replay_max, CFG_LIMIT_OFF);
	assert_int_equal(c.skips_fail, CFG_OFF);
}

static void topology_keys(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "expect.accels", "8"), 0);
	assert_int_equal(c.expect_accels, 8);
	assert_int_equal(set(&c, "expect.accels", "0"), 0);
	assert_int_equal(c.expect_accels, 0);
	assert_int_equal(set(&c, "expect.ports", "3"), 0);
	assert_int_equal(c.expect_ports, 3);
	assert_int_equal(set(&c, "expect.cpus", "224"), 0);
	assert_int_equal(c.expect_cpus, 224);
	assert_int_equal(set(&c, "expect.hbm", "96G"), 0);
	assert_true(c.expect_hbm == 96ull << 30);
	assert_int_equal(set(&c, "expect.memory", "2048G"), 0);
	assert_true(c.expect_memory == 2ull << 40);
	assert_int_equal(set(&c, "expect.memory", "0"), 0);
	assert_true(c.expect_memory == 0);
	assert_int_equal(set(&c, "expect.pcie", "gen5x16"), 0);
	assert_int_equal(c.expect_pcie_speed, 5);
	assert_int_equal(c.expect_pcie_width, 16);
	assert_int_equal(set(&c, "expect.pcie", "off"), 0);
	assert_int_equal(c.expect_pcie_speed, 0);
}

static void topology_keys_refused(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "expect.accels", "65"), -1);
	assert_string_equal(err, "test: key 'expect.accels' value '65' is out of range; allowed: off or 0..64 accelerators");
	assert_int_equal(set(&c, "expect.ports", "25"), -1);
	assert_int_equal(set(&c, "expect.cpus", "0"), -1);
	assert_int_equal(set(&c, "expect.hbm", "96X"), -1);
	assert_string_equal(err, "test: key 'expect.hbm' value '96X' is not a size; allowed: 0..1048576G bytes, with an "
				 "optional K/M/G suffix (e.g. 64M)");
	assert_int_equal(set(&c, "expect.memory", "2T"), -1);
	const char *bad_pcie[] = {"gen6x16", "gen4x3", "gen4x64", "gen4", "x16", "gen4x", "Gen4x16", "gen0x1"};
	for (size_t i = 0; i < sizeof bad_pcie / sizeof bad_pcie[0]; i++) {
		assert_int_equal(set(&c, "expect.pcie", bad_pcie[i]), -1);
		assert_non_null(strstr(err, "allowed: off or genNxW"));
	}
	struct kiln_config d;
	config_defaults(&d);
	assert_memory_equal(&c, &d, sizeof c);
}

static void health_limits(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "fan_min_rpm", "1500"), 0);
	assert_int_equal(c.fan_min_rpm, 1500);
	assert_int_equal(set(&c, "voltage_min", "780"), 0);
	assert_int_equal(set(&c, "voltage_max", "920"), 0);
	assert_int_equal(c.voltage_min_mv, 780);
	assert_int_equal(c.voltage_max_mv, 920);
	assert_int_equal(set(&c, "current_max", "300"), 0);
	assert_int_equal(c.current_max_a, 300);
	assert_int_equal(set(&c, "pcie_replay_max", "0"), 0);
	assert_int_equal(c.pcie_replay_max, 0);
	assert_int_equal(set(&c, "fan_min_rpm", "0"), -1);
	assert_string_equal(err, "test: key 'fan_min_rpm' value '0' is out of range; allowed: off or 1..100000 rpm");
	assert_int_equal(set(&c, "current_max", "10001"), -1);
	assert_string_equal(err, "test: key 'current_max' value '10001' is out of range; allowed: off or 1..10000 amperes");
	assert_int_equal(set(&c, "pcie_replay_max", "lots"), -1);
	assert_int_equal(c.pcie_replay_max, 0);
}

static void nic_thresholds(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(c.nic_flaps_max, 0);
	assert_int_equal(c.nic_loss_max_ppm, 0);
	assert_int_equal(set(&c, "nic.flaps_max", "3"), 0);
	assert_int_equal(c.nic_flaps_max, 3);
	assert_int_equal(set(&c, "nic.loss_max_ppm", "1000"), 0);
	assert_int_equal(c.nic_loss_max_ppm, 1000);
	assert_int_equal(set(&c, "nic.loss_max_ppm", "1000001"), -1);
	assert_string_equal(err, "test: key 'nic.loss_max_ppm' value '1000001' is out of range; allowed: 0..1000000 "
				 "frames lost per million");
	assert_int_equal(set(&c, "nic.flaps_max", "off"), -1);
	assert_int_equal(c.nic_flaps_max, 3);
}

static void skips_key(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_int_equal(set(&c, "skips", "fail"), 0);
	assert_int_equal(c.skips_fail, CFG_ON);
	assert_int_equal(set(&c, "skips", "allow"), 0);
	assert_int_equal(c.skips_fail, CFG_OFF);
	assert_int_equal(set(&c, "skips", "never"), -1);
	assert_string_equal(err, "test: key 'skips' value 'never' is not allowed; allowed: allow|fail");
	assert_int_equal(set(&c, "expect.pcie", "gen6x16"), -1);
	assert_string_equal(err, "test: key 'expect.pcie' value 'gen6x16' is not allowed; allowed: off or genNxW with N "
				 "1..5 (2.5/5/8/16/32 GT/s) and W 1, 2, 4, 8, 16 or 32 (e.g. gen5x16)");
}

static void effective_line_names_what_is_set(void **state)
{
	(void)state;
	struct kiln_config c;
	char b[1200];
	config_defaults(&c);
	config_format(&c, b, sizeof b);
	assert_null(strstr(b, "expect."));
	assert_null(strstr(b, "skips="));
	assert_int_equal(set(&c, "expect.accels", "8"), 0);
	assert_int_equal(set(&c, "expect.pcie", "gen4x16"), 0);
	assert_int_equal(set(&c, "expect.hbm", "96G"), 0);
	assert_int_equal(set(&c, "skips", "fail"), 0);
	assert_int_equal(set(&c, "fan_min_rpm", "1200"), 0);
	config_format(&c, b, sizeof b);
	assert_non_null(strstr(b, " skips=fail"));
	assert_non_null(strstr(b, " fan_min_rpm=1200"));
	assert_non_null(strstr(b, " expect.accels=8"));
	assert_non_null(strstr(b, " expect.hbm=96G"));
	assert_non_null(strstr(b, " expect.pcie=gen4x16"));
}

/* The documented lab profile is a kiln.cfg this parser takes as it is (run from the tree's root). */
static void lab_profile_parses(void **state)
{
	(void)state;
	static char text[65536];
	FILE *f = fopen("tools/lab/profiles/8x-server.cfg", "rb");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof text, f);
	fclose(f);
	struct kiln_config c;
	config_defaults(&c);
	int r = config_parse_file(&c, text, n, "8x-server.cfg", err);
	if (r)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(r, 0);
	assert_int_equal(c.expect_accels, 8);
	assert_int_equal(c.expect_pcie_speed, 5);
	assert_int_equal(c.expect_pcie_width, 16);
	assert_int_equal(c.skips_fail, CFG_ON);
	assert_true(c.duration_s == 8 * 3600);
	assert_int_equal(c.stress_time_s, 600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(defaults_are_off, setup, teardown),
		cmocka_unit_test_setup_teardown(topology_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(topology_keys_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(health_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(nic_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(skips_key, setup, teardown),
		cmocka_unit_test_setup_teardown(effective_line_names_what_is_set, setup, teardown),
		cmocka_unit_test_setup_teardown(lab_profile_parses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
