/* Linked into every host test binary by host.mk. A sanitizer report ends the process
 * without flushing stdio: line-buffer stdout so every result cmocka printed before the
 * crash reaches the TAP file, in order with the report (run-host-test merges stderr). */
#include <stdio.h>

__attribute__((constructor)) static void host_test_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
}
