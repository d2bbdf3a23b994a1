/* The config host tests' shared fixture (config_fixture.h). */
#include "config_fixture.h"

#include <stdlib.h>
#include <string.h>

char *err;

int setup(void **state)
{
	(void)state;
	err = malloc(CFG_ERR_MAX);
	if (!err)
		return -1;
	memset(err, 0x5a, CFG_ERR_MAX);
	return 0;
}

int teardown(void **state)
{
	(void)state;
	free(err);
	err = NULL;
	return 0;
}

int set(struct kiln_config *c, const char *key, const char *val)
{
	return config_set(c, key, strlen(key), val, strlen(val), "test", err);
}
