/* Shell-style name matching for suite and case selection: '*' any run, '?' one character. */
#ifndef KILN_GLOB_H
#define KILN_GLOB_H

#include <stdbool.h>
#include <stddef.h>

bool glob_match(const char *pattern, const char *name);
/* Match `name` against a list of patterns separated by commas or spaces. An empty list
 * matches nothing. */
bool glob_match_list(const char *list, const char *name);

#endif
