/* The kiln-accel model's trace events (generated from tools/qemu/trace-events). */
#include "trace/trace-hw_misc_kiln.h"
