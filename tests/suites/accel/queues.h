/* What the files of suite `queues` share (queues.c lists the cases). */
#ifndef KILN_TESTS_ACCEL_QUEUES_H
#define KILN_TESTS_ACCEL_QUEUES_H

#include "drivers/accel/hw/kiln_sync.h"
#include "tests/suites/accel/accel_test.h"

#define CB_BYTES ACCEL_TEST_CB_BYTES
#define WAIT_MS ACCEL_TEST_WAIT_MS
#define QUEUES_SOB_GROUP 31u /* SOBs 248..255 belong to this suite */
#define QUEUES_SOB(q) (QUEUES_SOB_GROUP * KILN_SM_SOBS_PER_GROUP + (q) % KILN_SM_SOBS_PER_GROUP)
#define SLOT_BYTES 64u       /* one small CB per PQ entry in the ring tests */

#endif
