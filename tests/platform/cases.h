/* The cases of suite `platform`, one file per concept under tests/platform/. */
#ifndef KILN_TESTS_PLATFORM_CASES_H
#define KILN_TESTS_PLATFORM_CASES_H

struct kt;

void platform_memory_map(struct kt *t);
void platform_page_allocator(struct kt *t);

#endif
