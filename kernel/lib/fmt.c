#include "kernel/lib/fmt.h"

#include <stdint.h>

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int count)
{
	while (count-- > 0)
		put(o, c);
}

enum { F_LEFT = 1, F_PLUS = 2, F_SPACE = 4, F_ZERO = 8, F_ALT = 16, F_PTR = 32 };

static void put_uint(struct out *o, uintmax_t v, unsigned base, int upper, int neg, int flags, int width,
		     int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0;
	int nonzero = v != 0;
	while (v) {
		tmp[nd++] = digits[v % base];
		v /= base;
	}
	/* zero prints as "0", except with precision 0 (C11 7.21.6.1p8) */
	if (nd == 0 && prec != 0)
		tmp[nd++] = '0';
	int zeros = prec > nd ? prec - nd : 0;
	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	/* '#': 0x only on a nonzero value; for octal, a leading zero only if there is none
	 * (C11 7.21.6.1p6). %p always shows 0x. */
	if (((flags & F_ALT) && base == 16 && nonzero) || (flags & F_PTR))
		prefix = upper ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8 && zeros == 0 && (nd == 0 || tmp[nd - 1] != '0'))
		zeros = 1;
	int plen = 0;
	while (prefix[plen])
		plen++;
	int body = plen + zeros + nd;
	if (!(flags & F_LEFT) && (flags & F_ZERO) && prec < 0 && width > body) {
		zeros += width - body;
		body = width;
	}
	if (!(flags & F_LEFT))
		pad(o, ' ', width - body);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (nd)
		put(o, tmp[--nd]);
	if (flags & F_LEFT)
		pad(o, ' ', width - body);
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = {buf, n, 0};
	va_list args;
	va_copy(args, ap);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		p++;
		int flags = 0;
		for (;; p++) {
			if (*p == '-') flags |= F_LEFT;
			else if (*p == '+') flags |= F_PLUS;
			else if (*p == ' ') flags |= F_SPACE;
			else if (*p == '0') flags |= F_ZERO;
			else if (*p == '#') flags |= F_ALT;
			else break;
		}
		int width = 0;
		if (*p == '*') {
			width = va_arg(args, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		int prec = -1;
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(args, int);
				if (prec < 0)
					prec = -1;
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
			}
		}
		enum { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE, L_MAX, L_PTRDIFF } len = L_INT;
		if (*p == 'h') {
			len = L_SHORT;
			if (*++p == 'h') {
				len = L_CHAR;
				p++;
			}
		} else if (*p == 'l') {
			len = L_LONG;
			if (*++p == 'l') {
				len = L_LLONG;
				p++;
			}
		} else if (*p == 'z') {
			len = L_SIZE;
			p++;
		} else if (*p == 'j') {
			len = L_MAX;
			p++;
		} else if (*p == 't') {
			len = L_PTRDIFF;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			intmax_t v;
			switch (len) {
			case L_CHAR: v = (signed char)va_arg(args, int); break;
			case L_SHORT: v = (short)va_arg(args, int); break;
			case L_LONG: v = va_arg(args, long); break;
			case L_LLONG: v = va_arg(args, long long); break;
			case L_SIZE: v = (intmax_t)va_arg(args, size_t); break;
			case L_MAX: v = va_arg(args, intmax_t); break;
			case L_PTRDIFF: v = va_arg(args, ptrdiff_t); break;
			default: v = va_arg(args, int); break;
			}
			uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
			put_uint(&o, mag, 10, 0, v < 0, flags, width, prec);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uintmax_t v;
			switch (len) {
			case L_CHAR: v = (unsigned char)va_arg(args, unsigned); break;
			case L_SHORT: v = (unsigned short)va_arg(args, unsigned); break;
			case L_LONG: v = va_arg(args, unsigned long); break;
			case L_LLONG: v = va_arg(args, unsigned long long); break;
			case L_SIZE: v = va_arg(args, size_t); break;
			case L_MAX: v = va_arg(args, uintmax_t); break;
			case L_PTRDIFF: v = (uintmax_t)va_arg(args, ptrdiff_t); break;
			default: v = va_arg(args, unsigned); break;
			}
			unsigned base = *p == 'o' ? 8 : (*p == 'u' ? 10 : 16);
			put_uint(&o, v, base, *p == 'X', 0, flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(args, void *);
			put_uint(&o, v, 16, 0, 0, F_PTR | (flags & F_LEFT), width, prec);
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, c);
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			int sl = 0;
			while ((prec < 0 || sl < prec) && s[sl]) /* no read past the precision */
				sl++;
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - sl);
			for (int i = 0; i < sl; i++)
				put(&o, s[i]);
			if (flags & F_LEFT)
				pad(&o, ' ', width - sl);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case 0:
			p--; /* a lone trailing '%': print nothing more */
			break;
		default:
			put(&o, '%');
			put(&o, *p);
			break;
		}
	}
	va_end(args);
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int kfmt_fixed(char *buf, size_t n, int64_t value, unsigned decimals)
{
	const char *sign = value < 0 ? "-" : "";
	uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	if (!decimals)
		return ksnprintf(buf, n, "%s%llu", sign, (unsigned long long)mag);
	if (decimals > 18) /* |value| < 10^19 <= 10^decimals: the integer part is 0 */
		return ksnprintf(buf, n, "%s0.%0*llu", sign, (int)decimals, (unsigned long long)mag);
	uint64_t scale = 1;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	return ksnprintf(buf, n, "%s%llu.%0*llu", sign, (unsigned long long)(mag / scale), (int)decimals,
			 (unsigned long long)(mag % scale));
}
