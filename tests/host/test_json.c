// sources: kernel/lib/json.c kernel/lib/fmt.c
/* kernel/lib/json.c, the LDJSON record writer: exact records with nesting and commas, the
 * escaping of every byte value, integers and fixed-point numbers at their limits, the
 * nesting limit, and a record cut at every buffer size (sticky overflow, never a write
 * past the buffer: the buffers are exact-size heap blocks). */
#include "host_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/lib/json.h"

/* A record exercising every call, written into buf of cap bytes. */
static void sample_record(struct jbuf *j, char *buf, size_t cap)
{
	jb_init(j, buf, cap);
	jb_obj_begin(j, NULL);
	jb_obj_begin(j, "schemaVersion");
	jb_int(j, "major", 2);
	jb_int(j, "minor", 0);
	jb_obj_end(j);
	jb_int(j, "sequenceNumber", 7);
	jb_str(j, "timestamp", "2025-01-01T00:00:00Z");
	jb_obj_begin(j, "testStepArtifact");
	jb_obj_begin(j, "measurement");
	jb_str(j, "name", "dma-h2d-bw");
	jb_fixed(j, "value", 123450, 2);
	jb_str(j, "unit", "MB/s");
	jb_arr_begin(j, "validators");
	jb_obj_begin(j, NULL);
	jb_str(j, "type", "GREATER_THAN");
	jb_int(j, "value", -1);
	jb_obj_end(j);
	jb_arr_end(j);
	jb_bool(j, "ok", true);
	jb_bool(j, "bad", false);
	jb_arr_begin(j, "empty");
	jb_arr_end(j);
	jb_obj_end(j);
	jb_obj_end(j);
	jb_obj_end(j);
}

static const char sample_text[] =
	"{\"schemaVersion\":{\"major\":2,\"minor\":0},\"sequenceNumber\":7,\"timestamp\":\"2025-01-01T00:00:00Z\","
	"\"testStepArtifact\":{\"measurement\":{\"name\":\"dma-h2d-bw\",\"value\":1234.50,\"unit\":\"MB/s\","
	"\"validators\":[{\"type\":\"GREATER_THAN\",\"value\":-1}],\"ok\":true,\"bad\":false,\"empty\":[]}}}";

static void whole_record(void **state)
{
	(void)state;
	char buf[1024];
	struct jbuf j;
	sample_record(&j, buf, sizeof buf);
	assert_true(jb_ok(&j));
	assert_string_equal(jb_text(&j), sample_text);
	assert_ptr_equal(jb_text(&j), buf);
}

static void arrays_and_top_level_values(void **state)
{
	(void)state;
	char buf[256];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_arr_begin(&j, NULL);
	jb_int(&j, NULL, 1);
	jb_str(&j, NULL, "x");
	jb_arr_begin(&j, NULL);
	jb_arr_end(&j);
	jb_obj_begin(&j, NULL);
	jb_obj_end(&j);
	jb_bool(&j, NULL, false);
	jb_arr_end(&j);
	assert_true(jb_ok(&j));
	assert_string_equal(buf, "[1,\"x\",[],{},false]");
	jb_init(&j, buf, sizeof buf);
	jb_obj_begin(&j, NULL);
	jb_obj_end(&j);
	assert_true(jb_ok(&j));
	assert_string_equal(buf, "{}");
	jb_init(&j, buf, sizeof buf);
	assert_true(jb_ok(&j));
	assert_string_equal(buf, "");
}

static void integers(void **state)
{
	(void)state;
	char buf[256];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_arr_begin(&j, NULL);
	jb_int(&j, NULL, 0);
	jb_int(&j, NULL, -1);
	jb_int(&j, NULL, INT64_MAX);
	jb_int(&j, NULL, INT64_MIN);
	jb_arr_end(&j);
	assert_true(jb_ok(&j));
	assert_string_equal(buf, "[0,-1,9223372036854775807,-9223372036854775808]");
}

static const char *fixed(int64_t v, unsigned d)
{
	static char buf[128];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_fixed(&j, NULL, v, d);
	assert_true(jb_ok(&j));
	return buf;
}

static void fixed_point(void **state)
{
	(void)state;
	assert_string_equal(fixed(12345, 2), "123.45");
	assert_string_equal(fixed(-12345, 2), "-123.45");
	assert_string_equal(fixed(5, 3), "0.005");
	assert_string_equal(fixed(-5, 3), "-0.005");
	assert_string_equal(fixed(0, 2), "0.00");
	assert_string_equal(fixed(7, 0), "7");
	assert_string_equal(fixed(-7, 0), "-7");
	assert_string_equal(fixed(100, 2), "1.00");
	assert_string_equal(fixed(INT64_MAX, 18), "9.223372036854775807");
	assert_string_equal(fixed(INT64_MIN, 2), "-92233720368547758.08");
	assert_string_equal(fixed(INT64_MIN, 0), "-9223372036854775808");
	/* more decimals than an int64 has digits: the integer part is 0 */
	assert_string_equal(fixed(1, 19), "0.0000000000000000001");
	assert_string_equal(fixed(1000000000000000000ll, 19), "0.1000000000000000000");
	assert_string_equal(fixed(-INT64_MAX, 20), "-0.09223372036854775807");

	/* every value and number of decimals: the digits are the value's, the point in place */
	uint64_t rng = host_test_seed(0x6a736f6eull);
	for (int iter = 0; iter < 50000; iter++) {
		int64_t v = (int64_t)host_rand(&rng);
		if (iter % 3 == 0)
			v %= 100000;
		unsigned d = (unsigned)(host_rand(&rng) % 25);
		const char *s = fixed(v, d);
		char digits[64];
		size_t n = 0;
		const char *dot = strchr(s, '.');
		for (const char *c = s + (v < 0); *c; c++)
			if (*c != '.')
				digits[n++] = *c;
		digits[n] = 0;
		char want[64];
		snprintf(want, sizeof want, "%0*llu", (int)d + 1,
			 (unsigned long long)(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v));
		if ((v < 0) != (s[0] == '-') || strcmp(digits, want) || (d ? !dot || strlen(dot + 1) != d : dot != NULL) ||
		    (dot && dot - s - (v < 0) > 1 && s[v < 0] == '0'))
			fail_msg("jb_fixed(%lld, %u) = \"%s\"", (long long)v, d, s);
	}
}

/* Every byte value in a string (and a key) comes out as valid JSON text. */
static void escaping(void **state)
{
	(void)state;
	for (int c = 1; c < 256; c++) {
		char in[4] = {'a', (char)c, 'b', 0}, buf[64], want[64];
		struct jbuf j;
		jb_init(&j, buf, sizeof buf);
		jb_obj_begin(&j, NULL);
		jb_str(&j, in, in);
		jb_obj_end(&j);
		assert_true(jb_ok(&j));
		char esc[8];
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof esc, "\\%c", c);
		else if (c == '\n')
			strcpy(esc, "\\n");
		else if (c == '\t')
			strcpy(esc, "\\t");
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof esc, "\\u%04x", c);
		else if (c > 0x7f)
			strcpy(esc, "?");
		else
			snprintf(esc, sizeof esc, "%c", c);
		snprintf(want, sizeof want, "{\"a%sb\":\"a%sb\"}", esc, esc);
		if (strcmp(buf, want))
			fail_msg("byte 0x%02x: %s, expected %s", c, buf, want);
	}
	char buf[32];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	jb_str(&j, NULL, NULL);
	assert_string_equal(buf, "\"\"");
}

/* Cut at every capacity: ok only when it all fit, always a terminated prefix. */
static void overflow_at_every_size(void **state)
{
	(void)state;
	size_t full = strlen(sample_text);
	struct jbuf j;
	sample_record(&j, NULL, 0);
	assert_false(jb_ok(&j));
	for (size_t cap = 1; cap <= full + 2; cap++) {
		char *b = malloc(cap);
		assert_non_null(b);
		sample_record(&j, b, cap);
		size_t keep = full < cap - 1 ? full : cap - 1;
		if (jb_ok(&j) != (cap > full))
			fail_msg("cap %zu: jb_ok %d", cap, jb_ok(&j));
		assert_int_equal(strlen(b), keep);
		assert_memory_equal(b, sample_text, keep);
		free(b);
	}
}

static void nesting_limit(void **state)
{
	(void)state;
	char buf[256];
	struct jbuf j;
	jb_init(&j, buf, sizeof buf);
	for (int i = 0; i < JB_MAX_DEPTH - 1; i++)
		jb_arr_begin(&j, NULL);
	jb_int(&j, NULL, 1);
	for (int i = 0; i < JB_MAX_DEPTH - 1; i++)
		jb_arr_end(&j);
	assert_true(jb_ok(&j));
	assert_string_equal(buf, "[[[[[[[[[[[1]]]]]]]]]]]");
	/* one level more than it can track: the record is not ok */
	jb_init(&j, buf, sizeof buf);
	for (int i = 0; i < JB_MAX_DEPTH; i++)
		jb_arr_begin(&j, NULL);
	for (int i = 0; i < JB_MAX_DEPTH; i++)
		jb_arr_end(&j);
	assert_false(jb_ok(&j));
	/* an object left open is not a record */
	jb_init(&j, buf, sizeof buf);
	jb_obj_begin(&j, NULL);
	jb_int(&j, "a", 1);
	assert_false(jb_ok(&j));
	jb_obj_end(&j);
	assert_true(jb_ok(&j));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_record),
		cmocka_unit_test(arrays_and_top_level_values),
		cmocka_unit_test(integers),
		cmocka_unit_test(fixed_point),
		cmocka_unit_test(escaping),
		cmocka_unit_test(overflow_at_every_size),
		cmocka_unit_test(nesting_limit),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
