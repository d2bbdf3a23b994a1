/* Suite `queues`: every stream of every compute queue of every accelerator: each packet
 * kind the QMAN runs (queues_packets.c), completions in order, ring wrap-around and a full
 * PQ outstanding (queues_order.c), malformed CBs decoded from their error events and
 * recovered from by a queue reset (queues_malformed.c), and the submission rate and
 * latency beside the device's own empty-CB rate (queues_rate.c). */
#include "kernel/harness/ktest.h"

#define QUEUES_CASES(X)                                                                                        \
	X(queues_nop_every_stream, "queues-nop-every-stream", 0)                                               \
	X(queues_stop, "queues-stop", 0)                                                                       \
	X(queues_wreg, "queues-wreg", 0)                                                                       \
	X(queues_msg_long, "queues-msg-long", 0)                                                               \
	X(queues_cp_dma, "queues-cp-dma", 0)                                                                   \
	X(queues_repeat, "queues-repeat", 0)                                                                   \
	X(queues_wait, "queues-wait", 0)                                                                       \
	X(queues_arb_point, "queues-arb-point", 0)                                                             \
	X(queues_load_and_exe, "queues-load-and-exe", 0)                                                       \
	X(queues_in_order, "queues-in-order", 0)                                                               \
	X(queues_wrap, "queues-wrap", 0)                                                                       \
	X(queues_held_stream, "queues-held-stream", 0)                                                         \
	X(queues_many_outstanding, "queues-many-outstanding", 0)                                               \
	X(queues_malformed, "queues-malformed", 0)                                                             \
	X(queues_submit_rate, "queues-submit-rate", 0)

KT_CASES_DECLARE(QUEUES_CASES)
static const struct kt_case cases[] = {KT_CASES_TABLE(QUEUES_CASES)};
KT_SUITE(queues, KT_SUITE_DEVICE | KT_SUITE_LANES);
