#include "kernel/console_log.h"

#include "kernel/pmm.h"
#include "kernel/lib/string.h"

static char *head, *tail;
static size_t head_len, tail_pos;
static uint64_t total, in_tail;

int console_log_start(void)
{
	head = page_alloc(CONSOLE_LOG_HEAD / PMM_PAGE);
	tail = page_alloc(CONSOLE_LOG_TAIL / PMM_PAGE);
	if (!head || !tail) {
		page_free(head, CONSOLE_LOG_HEAD / PMM_PAGE);
		page_free(tail, CONSOLE_LOG_TAIL / PMM_PAGE);
		head = tail = 0;
		return -1;
	}
	return 0;
}

void console_log_append(const char *s, size_t n)
{
	if (!head)
		return;
	total += n;
	size_t h = CONSOLE_LOG_HEAD - head_len < n ? CONSOLE_LOG_HEAD - head_len : n;
	memcpy(head + head_len, s, h);
	head_len += h;
	s += h;
	n -= h;
	while (n) {
		size_t k = CONSOLE_LOG_TAIL - tail_pos < n ? CONSOLE_LOG_TAIL - tail_pos : n;
		memcpy(tail + tail_pos, s, k);
		tail_pos = (tail_pos + k) % CONSOLE_LOG_TAIL;
		in_tail += k;
		s += k;
		n -= k;
	}
}

uint64_t console_log_total(void) { return total; }
uint64_t console_log_elided(void) { return in_tail > CONSOLE_LOG_TAIL ? in_tail - CONSOLE_LOG_TAIL : 0; }

unsigned console_log_pieces(const char *out[3], size_t len[3])
{
	unsigned k = 0;
	if (!head)
		return 0;
	out[k] = head;
	len[k++] = head_len;
	if (in_tail > CONSOLE_LOG_TAIL) {
		out[k] = tail + tail_pos;
		len[k++] = CONSOLE_LOG_TAIL - tail_pos;
		if (tail_pos) {
			out[k] = tail;
			len[k++] = tail_pos;
		}
	} else if (in_tail) {
		out[k] = tail;
		len[k++] = (size_t)in_tail;
	}
	return k;
}
