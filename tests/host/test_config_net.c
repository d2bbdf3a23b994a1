// sources: tests/host/config_fixture.c kernel/harness/config.c kernel/harness/config_value.c kernel/harness/config_keys.c kernel/lib/fmt.c
/* kernel/harness/config.c, the net.* keys (docs/config.md, docs/net.md) and the effective
 * configuration line: good values land in struct cfg_net and come back out of
 * config_format() only when set; "none" clears; bad values stop with the key, the value
 * and what is allowed, and change nothing. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_fixture.h"
#include "kernel/harness/config.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static void good_values(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	assert_false(c.net.uplink_set || c.net.addr_set || c.net.iperf_server_set || c.net.collector_set);
	assert_int_equal(c.net.npeers, 0);
	assert_int_equal(c.net.iperf_listen, CFG_OFF);

	assert_int_equal(set(&c, "net.uplink", "accel3.port7"), 0);
	assert_true(c.net.uplink_set);
	assert_int_equal(c.net.uplink_accel, 3);
	assert_int_equal(c.net.uplink_port, 7);
	assert_int_equal(set(&c, "net.addr", "10.77.0.1/24"), 0);
	assert_true(c.net.addr_set);
	assert_int_equal(c.net.addr, IP(10, 77, 0, 1));
	assert_int_equal(c.net.prefix, 24);
	assert_int_equal(set(&c, "net.peers", "10.77.0.2,10.77.0.3"), 0);
	assert_int_equal(c.net.npeers, 2);
	assert_int_equal(c.net.peers[0], IP(10, 77, 0, 2));
	assert_int_equal(c.net.peers[1], IP(10, 77, 0, 3));
	assert_int_equal(set(&c, "net.iperf_server", "10.0.2.100"), 0);
	assert_true(c.net.iperf_server_set);
	assert_int_equal(c.net.iperf_server, IP(10, 0, 2, 100));
	assert_int_equal(c.net.iperf_port, CFG_NET_IPERF_PORT_DEFAULT);
	assert_int_equal(set(&c, "net.iperf_server", "10.0.2.100:5201"), 0);
	assert_int_equal(c.net.iperf_port, 5201);
	assert_int_equal(set(&c, "net.iperf_listen", "on"), 0);
	assert_int_equal(c.net.iperf_listen, CFG_ON);
	assert_int_equal(set(&c, "net.collector", "10.0.2.2:8080"), 0);
	assert_true(c.net.collector_set);
	assert_int_equal(c.net.collector, IP(10, 0, 2, 2));
	assert_int_equal(c.net.collector_port, 8080);

	char b[800];
	config_format(&c, b, sizeof b);
	assert_non_null(strstr(b, " accel_irq=msix cpus=all parallel=devices net.uplink=accel3.port7 net.addr=10.77.0.1/24 "
				  "net.peers=10.77.0.2,10.77.0.3 net.iperf_server=10.0.2.100:5201 net.iperf_listen=on "
				  "net.collector=10.0.2.2:8080"));

	static const char *const keys[] = {"net.uplink", "net.addr", "net.peers", "net.iperf_server", "net.collector"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_int_equal(set(&c, keys[i], "none"), 0);
	assert_int_equal(set(&c, "net.iperf_listen", "off"), 0);
	assert_false(c.net.uplink_set || c.net.addr_set || c.net.iperf_server_set || c.net.collector_set);
	assert_int_equal(c.net.npeers, 0);
	config_format(&c, b, sizeof b);
	assert_null(strstr(b, "net."));
	size_t n = strlen(b);
	const char *tail = " accel_irq=msix cpus=all parallel=devices";
	assert_true(n > strlen(tail) && !strcmp(b + n - strlen(tail), tail));

	/* edges */
	assert_int_equal(set(&c, "net.uplink", "accel15.port0"), 0);
	assert_int_equal(set(&c, "net.addr", "0.0.0.0/1"), 0);
	assert_int_equal(set(&c, "net.addr", "255.255.255.255/30"), 0);
	assert_int_equal(set(&c, "net.peers", "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,8.8.8.8"), 0);
	assert_int_equal(c.net.npeers, CFG_NET_PEERS_MAX);
	assert_int_equal(set(&c, "net.collector", "1.2.3.4:65535"), 0);
	assert_int_equal(set(&c, "net.iperf_server", "1.2.3.4:1"), 0);
}

static void bad_values(void **state)
{
	(void)state;
	static const struct {
		const char *key, *val, *allowed;
	} bad[] = {
		{"net.uplink", "accel16.port0", "none or accelN.portM with N 0..15 and M 0..7"},
		{"net.uplink", "accel0.port8", "none or accelN.portM with N 0..15 and M 0..7"},
		{"net.uplink", "accel0", "none or accelN.portM with N 0..15 and M 0..7"},
		{"net.uplink", "accel.port1", "none or accelN.portM with N 0..15 and M 0..7"},
		{"net.uplink", "Accel0.port1", "none or accelN.portM with N 0..15 and M 0..7"},
		{"net.uplink", "", "none or accelN.portM with N 0..15 and M 0..7"},
		{"net.addr", "10.77.0.1", "none or an IPv4 address with a prefix length 1..30, e.g. 10.77.0.1/24"},
		{"net.addr", "10.77.0.1/31", "none or an IPv4 address with a prefix length 1..30, e.g. 10.77.0.1/24"},
		{"net.addr", "10.77.0.1/0", "none or an IPv4 address with a prefix length 1..30, e.g. 10.77.0.1/24"},
		{"net.addr", "10.77.0/24", "none or an IPv4 address with a prefix length 1..30, e.g. 10.77.0.1/24"},
		{"net.addr", "10.77.0.256/24", "none or an IPv4 address with a prefix length 1..30, e.g. 10.77.0.1/24"},
		{"net.addr", "10.077.0.1/24", "none or an IPv4 address with a prefix length 1..30, e.g. 10.77.0.1/24"},
		{"net.peers", "", "none or 1..8 IPv4 addresses separated by commas"},
		{"net.peers", "1.1.1.1,", "none or 1..8 IPv4 addresses separated by commas"},
		{"net.peers", "1.1.1.1,,2.2.2.2", "none or 1..8 IPv4 addresses separated by commas"},
		{"net.peers", "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,8.8.8.8,9.9.9.9",
		 "none or 1..8 IPv4 addresses separated by commas"},
		{"net.iperf_server", "1.2.3.4:0", "none or an IPv4 address with an optional :port (default 5001)"},
		{"net.iperf_server", "1.2.3.4:65536", "none or an IPv4 address with an optional :port (default 5001)"},
		{"net.iperf_server", "1.2.3.4:", "none or an IPv4 address with an optional :port (default 5001)"},
		{"net.iperf_server", "host:5001", "none or an IPv4 address with an optional :port (default 5001)"},
		{"net.collector", "1.2.3.4", "none or an IPv4 address and port, e.g. 10.0.2.2:8080"},
		{"net.collector", "1.2.3.4:0", "none or an IPv4 address and port, e.g. 10.0.2.2:8080"},
		{"net.collector", "None", "none or an IPv4 address and port, e.g. 10.0.2.2:8080"},
		{"net.iperf_listen", "yes", "off|on"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kiln_config c, before;
		config_defaults(&c);
		assert_int_equal(config_parse_cmdline(&c, "net.uplink=accel1.port2 net.addr=10.1.0.1/16 net.peers=10.1.0.2 "
							 "net.iperf_server=10.0.2.100 net.collector=10.0.2.2:80",
						      err),
				 0);
		before = c;
		if (set(&c, bad[i].key, bad[i].val) != -1)
			fail_msg("%s=%s was accepted", bad[i].key, bad[i].val);
		char want[CFG_ERR_MAX];
		snprintf(want, sizeof want, "test: key '%s' value '%s' is not allowed; allowed: %s", bad[i].key, bad[i].val,
			 bad[i].allowed);
		assert_string_equal(err, want);
		if (memcmp(&c, &before, sizeof c))
			fail_msg("refused %s=%s changed the configuration", bad[i].key, bad[i].val);
	}
}

/* The effective line with every key that it shows set away from its default. */
static void effective_line(void **state)
{
	(void)state;
	struct kiln_config c;
	config_defaults(&c);
	char b[800];
	config_format(&c, b, sizeof b);
	assert_string_equal(b, "suites=(default) cases=* exclude=(none) seed=0x0 timeout=60 exit=auto console=auto "
			       "passes=1 duration=(none) on_failure=continue heartbeat=60 ldjson=off persist=on "
			       "accel_irq=msix cpus=all parallel=devices");
	assert_int_equal(config_parse_cmdline(&c, "suites=a,b cases=c* exclude=d seed=0xfeed timeout=600 exit=halt "
						 "console=com4 passes=7 duration=90061 on_failure=halt heartbeat=0 "
						 "ldjson=on persist=off accel_irq=poll temp_max=90 hbm_range=0:64M "
						 "net.iperf_listen=on",
					      err),
			 0);
	config_format(&c, b, sizeof b);
	assert_string_equal(b, "suites=a,b cases=c* exclude=d seed=0xfeed timeout=600 exit=halt console=com4 passes=7 "
			       "duration=1d1h1m1s on_failure=halt heartbeat=0 ldjson=on persist=off accel_irq=poll "
			       "cpus=all parallel=devices net.iperf_listen=on");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(good_values, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(effective_line, setup, teardown),
	};
	return cmocka_run_group_tests_name("config-net", tests, NULL, NULL);
}
