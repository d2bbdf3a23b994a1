#include "kernel/harness/persist.h"

#include "kernel/console.h"
#include "kernel/efirt.h"
#include "kernel/lib/fmt.h"
#include "kernel/wallclock.h"

/* Kiln's vendor GUID for its variables. */
static const struct efirt_guid kiln_guid = {0x4b494c4e, 0x8a31, 0x4c2e, {0xb6, 0xd5, 0x7f, 0x3e, 0x2a, 0x9c, 0x1d, 0x05}};
#define EFI_NOT_FOUND_STATUS 0x800000000000000eull

extern const char kiln_version_string[];

void persist_print_previous(void)
{
	static char buf[PERSIST_MAX + 1];
	size_t size = PERSIST_MAX;
	uint64_t s = efirt_get_variable(PERSIST_VAR_NAME, &kiln_guid, buf, &size);
	if (s == EFI_NOT_FOUND_STATUS) {
		kprintf("# kiln: previous run: none recorded\n");
		return;
	}
	if (s) {
		kprintf("# kiln: previous run: cannot read variable %s (EFI status 0x%llx)\n", PERSIST_VAR_NAME,
			(unsigned long long)s);
		return;
	}
	buf[size < PERSIST_MAX ? size : PERSIST_MAX] = 0;
	/* one "# kiln: previous run ..." line per stored line */
	char *p = buf;
	while (*p) {
		char *e = p;
		while (*e && *e != '\n')
			e++;
		char c = *e;
		*e = 0;
		for (char *q = p; *q; q++)
			if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
				*q = '?';
		kprintf("# kiln: previous run %s\n", p);
		if (!c)
			break;
		p = e + 1;
	}
}

void persist_save(const char *result_line, const char *first_failure, int exit_code)
{
	static char buf[PERSIST_MAX];
	char when[40];
	wallclock_format_rfc3339(wallclock_now_ms(), when, sizeof when);
	int n = ksnprintf(buf, sizeof buf, "%s\nexit=%d\nfirst_failure=%s\nended=%s\nversion=%s\n", result_line, exit_code,
			  first_failure[0] ? first_failure : "none", when, kiln_version_string);
	if (n >= (int)sizeof buf)
		n = (int)sizeof buf - 1;
	uint64_t s = efirt_set_variable(PERSIST_VAR_NAME, &kiln_guid,
					EFIRT_VAR_NON_VOLATILE | EFIRT_VAR_BOOTSERVICE | EFIRT_VAR_RUNTIME, buf,
					(size_t)n);
	if (s)
		kprintf("# kiln: could not store the run record in variable %s (EFI status 0x%llx)\n", PERSIST_VAR_NAME,
			(unsigned long long)s);
}
