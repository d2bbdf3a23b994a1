/*
 * Kiln accelerator device model: interface between the stream scheduler (kiln-qman.c) and
 * the packet executor (kiln-packets.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_KILN_QMAN_H
#define HW_MISC_KILN_QMAN_H

#include "kiln-accel.h"

typedef enum KilnExecResult {
    KILN_EXEC_CONTINUE,     /* more packets (or DMA) to run in this CB */
    KILN_EXEC_CB_DONE,      /* the CB ended (or a STOP packet): complete it */
    KILN_EXEC_YIELD,        /* ARB_POINT: let the other streams run */
    KILN_EXEC_BLOCKED,      /* FENCE or WAIT: nothing to do until woken */
    KILN_EXEC_ABORTED,      /* the stream stopped or was reset */
} KilnExecResult;

/* kiln-packets.c */
KilnExecResult kiln_exec_step(KilnStream *st, int *budget);
void kiln_exec_wait_done(KilnStream *st);

/* kiln-qman.c */
void kiln_stream_stop(KilnStream *st, uint32_t cause, uint64_t addr, uint32_t opcode);
void kiln_stream_kick(KilnStream *st);
void kiln_stream_free_exec(KilnStream *st);
uint32_t kiln_qm_mem_cause(KilnMemResult r, uint32_t otherwise);

#endif /* HW_MISC_KILN_QMAN_H */
