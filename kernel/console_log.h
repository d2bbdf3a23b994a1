/* A copy of what Kiln printed, kept in memory so a run's log can be uploaded to a lab
 * collector at the end. The first CONSOLE_LOG_HEAD bytes (header, identity) are kept for
 * good; after that a ring keeps the most recent CONSOLE_LOG_TAIL bytes. */
#ifndef KILN_CONSOLE_LOG_H
#define KILN_CONSOLE_LOG_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_LOG_HEAD (256u << 10)
#define CONSOLE_LOG_TAIL (8u << 20)

/* Start capturing (allocates the buffers); 0, or -1 when memory is short. */
int console_log_start(void);
void console_log_append(const char *s, size_t n);
/* Bytes captured in all, and bytes dropped from the middle when the ring wrapped. */
uint64_t console_log_total(void);
uint64_t console_log_elided(void);
/* The log as up to three pieces, in order: head, the tail ring's older part, its newer
 * part. Returns how many pieces are non-empty (0..3) through out/len. */
unsigned console_log_pieces(const char *out[3], size_t len[3]);

#endif
