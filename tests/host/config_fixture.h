/* The config host tests' shared fixture (tests/host/config_fixture.c): the error buffer,
 * exactly CFG_ERR_MAX bytes on the heap so ASan sees any overrun, and set() for one key. */
#ifndef KILN_TEST_CONFIG_FIXTURE_H
#define KILN_TEST_CONFIG_FIXTURE_H

#include "kernel/harness/config.h"

extern char *err;

/* cmocka group setup/teardown: allocate and free err */
int setup(void **state);
int teardown(void **state);
/* config_set() of key=val with the origin "test"; the message lands in err */
int set(struct kiln_config *c, const char *key, const char *val);

#endif
