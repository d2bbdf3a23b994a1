/* TCP bulk transfer (raw lwIP TCP API, callbacks). Every callback argument is this file's
 * static state, never a case's stack, so an aborted case leaves nothing dangling. */
#include "net/tcpbulk.h"

#include "kernel/lib/pattern.h"
#include "kernel/lib/string.h"
#include "lwip/tcp.h"
#include "net/cycles.h"
#include "net/stack.h"

#define CHUNK 2048u /* bytes generated per tcp_write */

static struct {
	struct tcp_pcb *listen, *rx, *tx;
	ip4_addr_t peer;
	uint64_t rx_seed, tx_seed, total;
	struct net_tcpbulk_rx r;
	struct net_tcpbulk_tx *t;
	uint8_t chunk[CHUNK];
} tb;

static struct net_cleanup tcpbulk_cleanup_hook;

static void drop_pcb(struct tcp_pcb **pp)
{
	struct tcp_pcb *p = *pp;
	if (!p)
		return;
	*pp = 0;
	tcp_arg(p, 0);
	if (p->state == LISTEN) {
		tcp_close(p);
		return;
	}
	tcp_recv(p, 0);
	tcp_sent(p, 0);
	tcp_err(p, 0);
	tcp_poll(p, 0, 0);
	tcp_abort(p);
}

static void tcpbulk_close(void)
{
	drop_pcb(&tb.listen);
	drop_pcb(&tb.rx);
	drop_pcb(&tb.tx);
	tb.t = 0;
}

static void hook(void)
{
	tcpbulk_cleanup_hook.fn = tcpbulk_close;
	net_cleanup_register(&tcpbulk_cleanup_hook);
}

/* ---- server --------------------------------------------------------------------------- */

static void rx_err(void *arg, err_t err)
{
	(void)arg;
	tb.rx = 0; /* lwIP has freed it */
	tb.r.err = err;
}

static err_t rx_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	if (!p) {
		tb.r.finished = true;
		tcp_arg(pcb, 0);
		tcp_recv(pcb, 0);
		tcp_err(pcb, 0);
		tb.rx = 0;
		if (tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
		return err == ERR_OK ? ERR_OK : ERR_ABRT;
	}
	uint64_t now = time_ns();
	if (!tb.r.bytes)
		tb.r.first_ns = now;
	tb.r.last_ns = now;
	struct pattern_err e = {tb.r.mismatch.bad_bytes, tb.r.mismatch.first_off, tb.r.mismatch.expected,
				    tb.r.mismatch.actual};
	struct net_cycles_span sp = net_cycles_begin();
	for (struct pbuf *q = p; q; q = q->next) {
		pattern_check_err(q->payload, q->len, tb.rx_seed, tb.r.bytes, &e);
		tb.r.bytes += q->len;
	}
	net_cycles_end(sp, &net_cycles.rx_verify);
	tb.r.mismatch.bad_bytes = e.bad_bytes;
	tb.r.mismatch.first_off = e.first_off;
	tb.r.mismatch.expected = e.expected;
	tb.r.mismatch.actual = e.actual;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t rx_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (!ip4_addr_cmp(ip_2_ip4(&pcb->remote_ip), &tb.peer) || tb.rx || tb.r.accepted) {
		tb.r.refused++;
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	tb.rx = pcb;
	tb.r.accepted = true;
	tcp_arg(pcb, 0);
	tcp_recv(pcb, rx_recv);
	tcp_err(pcb, rx_err);
	return ERR_OK;
}

int net_tcpbulk_listen(const ip4_addr_t *local, uint16_t port, const ip4_addr_t *peer, uint64_t seed)
{
	hook();
	drop_pcb(&tb.listen);
	drop_pcb(&tb.rx);
	memset(&tb.r, 0, sizeof tb.r);
	tb.peer = *peer;
	tb.rx_seed = seed;
	struct tcp_pcb *p = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!p)
		return -1;
	ip_addr_t a;
	ip_addr_copy_from_ip4(a, *local);
	if (tcp_bind(p, &a, port) != ERR_OK) {
		tcp_abort(p);
		return -1;
	}
	tb.listen = tcp_listen(p);
	if (!tb.listen) {
		tcp_abort(p);
		return -1;
	}
	tcp_accept(tb.listen, rx_accept);
	return 0;
}

const struct net_tcpbulk_rx *net_tcpbulk_rx_stats(void) { return &tb.r; }

void net_tcpbulk_stop_listen(void)
{
	drop_pcb(&tb.listen);
	drop_pcb(&tb.rx);
}

/* ---- client --------------------------------------------------------------------------- */

static void tx_err(void *arg, err_t err)
{
	(void)arg;
	tb.tx = 0;
	if (tb.t)
		tb.t->err = err;
}

static void tx_push(struct tcp_pcb *pcb)
{
	struct net_tcpbulk_tx *t = tb.t;
	while (t->bytes_queued < tb.total) {
		uint64_t left = tb.total - t->bytes_queued;
		u16_t room = tcp_sndbuf(pcb);
		uint32_t n = left < CHUNK ? (uint32_t)left : CHUNK;
		if (room < n)
			n = room;
		if (!n || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
			break;
		struct net_cycles_span sp = net_cycles_begin();
		pattern_fill(tb.chunk, n, tb.tx_seed, t->bytes_queued);
		net_cycles_end(sp, &net_cycles.tx_fill);
		sp = net_cycles_begin();
		err_t e = tcp_write(pcb, tb.chunk, (u16_t)n,
				    TCP_WRITE_FLAG_COPY | (t->bytes_queued + n < tb.total ? TCP_WRITE_FLAG_MORE : 0));
		net_cycles_end(sp, &net_cycles.tx_write);
		if (e == ERR_MEM)
			break;
		if (e != ERR_OK) {
			t->err = e;
			return;
		}
		t->bytes_queued += n;
	}
	struct net_cycles_span sp = net_cycles_begin();
	tcp_output(pcb);
	net_cycles_end(sp, &net_cycles.tx_lwip);
}

static err_t tx_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	struct net_tcpbulk_tx *t = tb.t;
	if (!t)
		return ERR_OK;
	t->bytes_acked += len;
	if (t->bytes_acked >= tb.total) {
		t->end_ns = time_ns();
		t->finished = true;
		tcp_arg(pcb, 0);
		tcp_sent(pcb, 0);
		tcp_err(pcb, 0);
		tb.tx = 0;
		if (tcp_close(pcb) != ERR_OK) {
			tcp_abort(pcb);
			return ERR_ABRT;
		}
		return ERR_OK;
	}
	tx_push(pcb);
	return ERR_OK;
}

static err_t tx_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (!tb.t)
		return ERR_OK;
	if (err != ERR_OK) {
		tb.t->err = err;
		return ERR_OK;
	}
	tb.t->connected = true;
	tb.t->start_ns = time_ns();
	tx_push(pcb);
	return ERR_OK;
}

static bool tx_over(void *arg)
{
	(void)arg;
	return !tb.t || tb.t->finished || tb.t->err;
}

int net_tcpbulk_send(const ip4_addr_t *src, const ip4_addr_t *dst, uint16_t port, uint64_t bytes, uint64_t seed,
		     struct deadline d, struct net_tcpbulk_tx *tx)
{
	hook();
	drop_pcb(&tb.tx);
	memset(tx, 0, sizeof *tx);
	tb.t = tx;
	tb.total = bytes;
	tb.tx_seed = seed;
	struct tcp_pcb *p = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!p) {
		tx->err = ERR_MEM;
		return -1;
	}
	ip_addr_t a, to;
	ip_addr_copy_from_ip4(a, *src);
	ip_addr_copy_from_ip4(to, *dst);
	if (tcp_bind(p, &a, 0) != ERR_OK) {
		tcp_abort(p);
		tx->err = ERR_USE;
		return -1;
	}
	tb.tx = p;
	tcp_arg(p, 0);
	tcp_err(p, tx_err);
	tcp_sent(p, tx_sent);
	err_t e = tcp_connect(p, &to, port, tx_connected);
	if (e != ERR_OK) {
		drop_pcb(&tb.tx);
		tx->err = e;
		return -1;
	}
	/* tx_sent pushes as acks free room; this loop pushes when room appeared otherwise */
	bool done = false;
	while (!(done = tx_over(0)) && !deadline_passed(d)) {
		net_poll();
		if (tb.tx && tx->connected && tx->bytes_queued < bytes)
			tx_push(tb.tx);
	}
	tb.t = 0;
	if (!done || !tx->finished) {
		drop_pcb(&tb.tx);
		return -1;
	}
	return 0;
}
