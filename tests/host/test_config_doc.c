// sources: kernel/harness/config.c kernel/harness/config_value.c kernel/harness/config_keys.c kernel/lib/fmt.c
/* The key table (kernel/harness/config_keys.c) is sound, and docs/config.md's key table is
 * the one it makes. `make config-doc` rewrites docs/config.md's table from the C table
 * (this binary with --write FILE; --print shows it); `make test-host` fails here when the
 * two differ, naming the first line that does. Run from the repository's top. */
#include "host_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/harness/config.h"
#include "kernel/harness/config_value.h"

#define DOC "docs/config.md"
#define BEGIN "<!-- keys: made from kernel/harness/config_keys.c by `make config-doc`; make test-host checks it -->\n"
#define END "<!-- end of keys -->\n"

static char *err;

static int setup(void **state)
{
	(void)state;
	err = malloc(CFG_ERR_MAX);
	return err ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(err);
	return 0;
}

/* A growing string. */
struct text {
	char *s;
	size_t n, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->n + (size_t)need + 1 > t->cap) {
		t->cap = (t->n + (size_t)need + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
	va_end(ap);
	t->n += (size_t)need;
}

/* A cell: '|' would end it early, and outside `code` a '<' would start an HTML tag
 * ("<BDF>" would vanish). */
static void add_cell(struct text *t, const char *s)
{
	bool code = false;
	add(t, " ");
	for (; *s; s++) {
		if (*s == '`')
			code = !code;
		if (*s == '|')
			add(t, "\\|");
		else if (*s == '<' && !code)
			add(t, "\\<");
		else
			add(t, "%c", *s);
	}
	add(t, " |");
}

/* docs/config.md's key table, as the C table makes it (the lines between the markers). */
static struct text make_table(void)
{
	struct text t = {0};
	add(&t, "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct cfg_key *k = &config_keys[i];
		char name[80], def[200], allowed[CFG_ERR_MAX];
		snprintf(name, sizeof name, "`%s`", k->name);
		if (k->doc_default)
			snprintf(def, sizeof def, "%s", k->doc_default);
		else
			snprintf(def, sizeof def, "`%s`", k->def ? k->def : "");
		config_key_allowed(k, allowed, sizeof allowed);
		add(&t, "|");
		add_cell(&t, name);
		add_cell(&t, config_type_name(k));
		add_cell(&t, def);
		add_cell(&t, allowed);
		add_cell(&t, k->help ? k->help : "");
		add(&t, "\n");
	}
	return t;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct text t = {0};
	char buf[4096];
	size_t n;
	add(&t, "%s", "");
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		add(&t, "%.*s", (int)n, buf);
	fclose(f);
	*len = t.n;
	return t.s;
}

/* The part of the document between the markers; NULL when they are missing. */
static const char *between(const char *doc, size_t *len)
{
	const char *b = strstr(doc, BEGIN);
	const char *e = b ? strstr(b, END) : NULL;
	if (!e)
		return NULL;
	b += strlen(BEGIN);
	*len = (size_t)(e - b);
	return b;
}

static void docs_table_is_the_c_table(void **state)
{
	(void)state;
	size_t len, part;
	char *doc = read_all(DOC, &len);
	if (!doc)
		fail_msg("cannot read %s (run from the repository's top)", DOC);
	const char *found = between(doc, &part);
	if (!found) {
		free(doc);
		fail_msg("%s lacks the markers around the key table: %s ... %s", DOC, BEGIN, END);
	}
	struct text want = make_table();
	if (part != want.n || memcmp(found, want.s, part)) {
		/* name the first line that differs */
		const char *a = want.s, *b = found;
		unsigned line = 1;
		while (*a && b < found + part && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		while (a > want.s && a[-1] != '\n')
			a--;
		while (b > found && b[-1] != '\n')
			b--;
		printf("# %s's key table differs from kernel/harness/config_keys.c at table line %u:\n", DOC, line);
		printf("#   table makes: %.*s\n", (int)strcspn(a, "\n"), a);
		printf("#   docs have:   %.*s\n", (int)strcspn(b, "\n"), b);
		printf("# run `make config-doc` to write the table from the C table\n");
	}
	bool same = part == want.n && !memcmp(found, want.s, part);
	free(want.s);
	free(doc);
	if (!same)
		fail_msg("docs/config.md's key table is not the C table's");
}

/* Every row is whole: a name of lowercase letters, digits, '.' and '_' (a family's ends in
 * "<what>" after its prefix), seen once; a default that the key's own handler takes and
 * that formats back to itself; numbers that fit their field; help without line breaks or '|'. */
static void table_is_sound(void **state)
{
	(void)state;
	assert_true(config_nkeys > 0);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct cfg_key *k = &config_keys[i];
		assert_non_null(k->name);
		const char *lt = strchr(k->name, '<');
		if (k->flags & CFG_F_FAMILY) {
			size_t n = strlen(k->name);
			if (!lt || lt == k->name || lt[-1] != '.' || n < 3 || k->name[n - 1] != '>' ||
			    strchr(lt + 1, '<') || strchr(lt, '>') != k->name + n - 1)
				fail_msg("family '%s': its name is not <prefix ending in '.'><what>", k->name);
			if (!cfg_types[k->type].member || cfg_types[k->type].set)
				fail_msg("family '%s': its type has no member handler, or a set handler", k->name);
		} else if (lt || !cfg_types[k->type].set) {
			fail_msg("key '%s' is not a family but has '<' or a type without a set handler", k->name);
		}
		for (const char *p = k->name; *p && p != lt; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_'))
				fail_msg("key '%s' has '%c'", k->name, *p);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(config_keys[j].name, k->name))
				fail_msg("key '%s' is in the table twice", k->name);
		if (!k->help || !*k->help || strpbrk(k->help, "|\n"))
			fail_msg("key '%s': its help is missing or has '|' or a line break", k->name);
		if (!k->def && !k->doc_default)
			fail_msg("key '%s' has neither a default value nor a default text for the docs", k->name);
		assert_true(k->type <= CFG_T_PCIE_LINK);
		assert_true(k->size > 0 && k->off + k->size <= sizeof(struct kiln_config));
		assert_true(k->off2 + k->size2 <= sizeof(struct kiln_config));
		assert_true(k->set == 0 || k->set - 1u + sizeof(bool) <= sizeof(struct kiln_config));
		assert_true(k->min <= k->max || k->type == CFG_T_LIST || k->type == CFG_T_ENUM ||
			    k->type == CFG_T_PCI_CHOICE || k->type == CFG_T_RANGE || k->type == CFG_T_IPV4_PORT);
		if (k->type == CFG_T_UINT || k->type == CFG_T_TIME || k->type == CFG_T_SIZE || k->type == CFG_T_THRESHOLD)
			if (k->size < 8 && k->max >> (8 * k->size))
				fail_msg("key '%s': max %llu does not fit its %u-byte field", k->name,
					 (unsigned long long)k->max, k->size);
		if (k->type == CFG_T_THRESHOLD && (k->size != 4 || k->max >= CFG_LIMIT_OFF || !k->unit))
			fail_msg("key '%s': a threshold is a uint32_t below CFG_LIMIT_OFF with a unit", k->name);
		if ((k->type == CFG_T_ENUM || k->type == CFG_T_PCI_CHOICE) && (!k->choices || !k->choices[0]))
			fail_msg("key '%s': a choice without choices", k->name);
		if (k->type == CFG_T_PCI_CHOICE && k->size2 != sizeof(struct cfg_pci_addr))
			fail_msg("key '%s': its second field is not a struct cfg_pci_addr", k->name);
		if (k->type == CFG_T_PCIE_RULE && (!k->size || k->size % sizeof(struct cfg_pcie_rule)))
			fail_msg("key '%s': its field is not an array of struct cfg_pcie_rule", k->name);
		if (k->type == CFG_T_MODULES && (k->size != sizeof(uint32_t) || k->size2 != sizeof(uint64_t) || !k->aux))
			fail_msg("key '%s': modules take a uint32_t count and a uint64_t MiB with a largest size", k->name);
		if (k->type == CFG_T_IPV4_LIST && k->max * sizeof(uint32_t) != k->size)
			fail_msg("key '%s': max %llu addresses, field of %u bytes", k->name, (unsigned long long)k->max,
				 k->size);
		if (k->flags & CFG_F_FAMILY)
			continue; /* no default; its members' round trip is in test_config.c */
		/* the default goes through the handler, and formats back to a value that does too */
		struct kiln_config c, d;
		config_defaults(&c);
		if (k->def && config_set(&c, k->name, strlen(k->name), k->def, strlen(k->def), "default", err))
			fail_msg("key '%s': its default does not parse: %s", k->name, err);
		static const char zero[256];
		if (k->unset && k->size <= sizeof zero && !memcmp((char *)&c + k->off, zero, k->size))
			continue; /* not set: the effective line shows k->unset ("(none)"), not a value */
		char b[CFG_ERR_MAX];
		config_format_key(k, &c, b, sizeof b);
		d = c;
		if (config_set(&d, k->name, strlen(k->name), b, strlen(b), "formatted", err))
			fail_msg("key '%s': its value formats as '%s', which does not parse: %s", k->name, b, err);
		if (k->set && !k->def) /* no default (seed): setting the value it shows sets the key */
			*((bool *)&d + k->set - 1) = *((bool *)&c + k->set - 1);
		assert_memory_equal(&c, &d, sizeof c);
	}
	/* the unknown-key message lists every key whole, with room for a long origin and key */
	char known[4 * CFG_ERR_MAX];
	size_t n = 0;
	for (size_t i = 0; i < config_nkeys; i++)
		n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "", config_keys[i].name);
	size_t frame = strlen("\\EFI\\BOOT\\kiln.cfg line 99999: unknown key ''; known keys: ") + 64;
	if (frame + n >= CFG_ERR_MAX)
		fail_msg("the known-keys list is %zu characters: raise CFG_ERR_MAX (%d)", n, CFG_ERR_MAX);
}

/* Every typed handler through a table of its own, the types no key of today's table uses
 * (size) included: good values, each refusal's message, and nothing changed on refusal. */
struct sample {
	uint64_t bytes;
	uint32_t ms;
	bool bytes_set;
};

static const struct cfg_key sample_keys[] = {
	{.name = "mem", .type = CFG_T_SIZE, .off = offsetof(struct sample, bytes), .size = sizeof(uint64_t),
	 .set = 1 + offsetof(struct sample, bytes_set), .min = 1u << 20, .max = 64ull << 30, .help = "x"},
	{.name = "delay", .type = CFG_T_TIME, .off = offsetof(struct sample, ms), .size = sizeof(uint32_t), .min = 1,
	 .max = 3600000, .flags = CFG_F_MS, .help = "x"},
};

static int sample_set(struct sample *s, const char *key, const char *val)
{
	return config_set_in(sample_keys, 2, s, key, strlen(key), val, strlen(val), "test", err);
}

static void size_and_millisecond_handlers(void **state)
{
	(void)state;
	struct sample s = {0};
	static const struct {
		const char *text;
		uint64_t v;
		const char *back;
	} sizes[] = {{"1M", 1u << 20, "1M"}, {"64G", 64ull << 30, "64G"}, {"1536k", 1536u << 10, "1536K"},
		     {"0x100000", 1u << 20, "1M"}, {"1048577", 1048577, "1048577"}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		assert_int_equal(sample_set(&s, "mem", sizes[i].text), 0);
		assert_int_equal(s.bytes, sizes[i].v);
		assert_true(s.bytes_set);
		char b[64];
		config_format_key(&sample_keys[0], &s, b, sizeof b);
		assert_string_equal(b, sizes[i].back);
	}
	static const struct {
		const char *text, *why;
	} bad[] = {{"1023K", "is out of range"}, {"65G", "is out of range"}, {"1T", "is not a size"},
		   {"", "is not a size"}, {"M", "is not a size"}, {"99999999999999999999", "is too large"},
		   {"17179869184G", "is too large"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sample before = s;
		assert_int_equal(sample_set(&s, "mem", bad[i].text), -1);
		char want[CFG_ERR_MAX];
		snprintf(want, sizeof want,
			 "test: key 'mem' value '%s' %s; allowed: 1M..64G bytes, with an optional K/M/G suffix (e.g. 64M)",
			 bad[i].text, bad[i].why);
		assert_string_equal(err, want);
		assert_memory_equal(&s, &before, sizeof s);
	}
	static const struct {
		const char *text;
		uint32_t ms;
		const char *back;
	} times[] = {{"500ms", 500, "500ms"}, {"1", 1000, "1s"}, {"1m30s250ms", 90250, "1m30s250ms"}, {"1h", 3600000, "1h"}};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		assert_int_equal(sample_set(&s, "delay", times[i].text), 0);
		assert_int_equal(s.ms, times[i].ms);
		char b[64];
		config_format_key(&sample_keys[1], &s, b, sizeof b);
		assert_string_equal(b, times[i].back);
	}
	assert_int_equal(sample_set(&s, "delay", "0ms"), -1);
	assert_string_equal(err, "test: key 'delay' value '0ms' is out of range; allowed: 1ms..1h as a number of seconds "
				 "or parts like 500ms, 90s, 15m, 8h, 2d, 1h30m");
	assert_int_equal(sample_set(&s, "size", "1"), -1);
	assert_string_equal(err, "test: unknown key 'size'; known keys: mem, delay");
}

/* make config-doc: write (or print) the table into docs/config.md between the markers. */
static int write_doc(const char *path)
{
	size_t len, part;
	char *doc = read_all(path, &len);
	if (!doc) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	const char *found = between(doc, &part);
	if (!found) {
		fprintf(stderr, "%s lacks the markers:\n%s...\n%s", path, BEGIN, END);
		return 1;
	}
	struct text t = make_table();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(doc, 1, (size_t)(found - doc), f) != (size_t)(found - doc) || fwrite(t.s, 1, t.n, f) != t.n ||
	    fwrite(found + part, 1, len - (size_t)(found + part - doc), f) != len - (size_t)(found + part - doc) ||
	    fclose(f)) {
		fprintf(stderr, "cannot write %s\n", path);
		return 1;
	}
	printf("%s: key table written from kernel/harness/config_keys.c (%zu keys)\n", path, config_nkeys);
	free(t.s);
	free(doc);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write"))
		return write_doc(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "--print")) {
		struct text t = make_table();
		fputs(t.s, stdout);
		free(t.s);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(table_is_sound, setup, teardown),
		cmocka_unit_test_setup_teardown(docs_table_is_the_c_table, setup, teardown),
		cmocka_unit_test_setup_teardown(size_and_millisecond_handlers, setup, teardown),
	};
	return cmocka_run_group_tests_name("config-doc", tests, NULL, NULL);
}
