/* libc shim for lwIP only: netif_find() parses an interface number with atoi(). */
#ifndef KILN_LWIP_SHIM_STDLIB_H
#define KILN_LWIP_SHIM_STDLIB_H

static inline int atoi(const char *s)
{
	int sign = 1;
	unsigned v = 0;
	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	while (*s >= '0' && *s <= '9' && v < 100000000u)
		v = v * 10u + (unsigned)(*s++ - '0');
	return sign * (int)v;
}

#endif
