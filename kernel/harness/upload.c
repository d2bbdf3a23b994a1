#include "kernel/harness/upload.h"

#include "drivers/mgmt/mgmt.h"
#include "kernel/harness/config.h"
#include "kernel/console.h"
#include "kernel/console_log.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
#include "kernel/time.h"
#include "lwip/tcp.h"
#include "net/netif.h"
#include "net/stack.h"
#include "net/uplink.h"

#define UPLOAD_WAIT_MS 60000u
#define REPLY_MAX 256u

struct upload {
	struct tcp_pcb *pcb;
	struct net_if *i;
	const char *piece[4];
	size_t len[4];
	unsigned npieces, cur;
	size_t off;
	uint64_t sent, acked, total;
	bool connected, closed, failed;
	int err;
	char reply[REPLY_MAX];
	size_t reply_len;
	char header[400];
};
static struct upload u;

static void push(struct tcp_pcb *pcb)
{
	while (u.cur < u.npieces) {
		size_t left = u.len[u.cur] - u.off;
		if (!left) {
			u.cur++;
			u.off = 0;
			continue;
		}
		u16_t room = tcp_sndbuf(pcb);
		if (!room)
			break;
		u16_t n = (u16_t)(left < room ? left : room);
		err_t e = tcp_write(pcb, u.piece[u.cur] + u.off, n, TCP_WRITE_FLAG_MORE);
		if (e == ERR_MEM)
			break;
		if (e != ERR_OK) {
			u.failed = true;
			u.err = e;
			return;
		}
		u.off += n;
		u.sent += n;
	}
	tcp_output(pcb);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	u.acked += len;
	push(pcb);
	return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	if (!p || err != ERR_OK) {
		u.closed = true;
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	size_t room = REPLY_MAX - 1 - u.reply_len;
	u16_t take = (u16_t)(p->tot_len < room ? p->tot_len : room);
	pbuf_copy_partial(p, u.reply + u.reply_len, take, 0);
	/* the reply is printed: a collector answering garbage (NULs, control bytes) must not
	 * hide its line end or reach the console raw */
	for (size_t i = u.reply_len; i < u.reply_len + take; i++) {
		unsigned char ch = (unsigned char)u.reply[i];
		if ((ch < 0x20 && ch != '\r' && ch != '\n') || ch >= 0x7f)
			u.reply[i] = '?';
	}
	u.reply_len += take;
	u.reply[u.reply_len] = 0;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	(void)arg;
	u.pcb = 0; /* lwIP has freed it */
	u.failed = true;
	u.err = err;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK) {
		u.failed = true;
		u.err = err;
		return err;
	}
	u.connected = true;
	push(pcb);
	return ERR_OK;
}

/* Done when the connection failed or closed, or the status line has arrived (a
 * forwarding hop may not pass the collector's close on). */
static bool over(void *arg)
{
	(void)arg;
	return u.failed || u.closed || strchr(u.reply, '\n');
}

static void drop(void)
{
	if (u.pcb) {
		tcp_arg(u.pcb, 0);
		tcp_recv(u.pcb, 0);
		tcp_sent(u.pcb, 0);
		tcp_err(u.pcb, 0);
		if (tcp_close(u.pcb) != ERR_OK)
			tcp_abort(u.pcb);
		u.pcb = 0;
	}
}

/* The port the upload leaves through: a management NIC (net.mgmt), else the accelerator
 * port net.uplink names; up with a DHCP lease (net/uplink.h), or an error in why. */
struct route {
	struct mgmt_nic *m;    /* the management NIC, when the upload goes through one */
	struct net_uplink ul;
};

static void route_close(struct route *r)
{
	net_uplink_down(&r->ul);
	if (r->m) {
		const struct mgmt_counters *k = &r->m->cnt;
		char hw[120] = "";
		if (r->m->ops->hw_counters)
			r->m->ops->hw_counters(r->m, hw, sizeof hw);
		kprintf("# kiln: upload: %s counters tx=%llu/%lluB rx=%llu/%lluB tx_busy=%llu rx_errors=%llu irqs=%llu "
			"irq=%s%s%s\n",
			r->m->port.name, (unsigned long long)k->tx_frames, (unsigned long long)k->tx_bytes,
			(unsigned long long)k->rx_frames, (unsigned long long)k->rx_bytes, (unsigned long long)k->tx_busy,
			(unsigned long long)k->rx_errors, (unsigned long long)k->irqs,
			r->m->irq == MGMT_IRQ_MSIX ? "msix" : "poll", hw[0] ? " " : "", hw);
		r->m->ops->close(r->m);
	}
	r->m = 0;
}

static int open_mgmt(struct mgmt_nic *m, char *why, size_t whylen)
{
	char w[MGMT_WHY_MAX];
	if (m->ops->open(m, w, sizeof w)) {
		ksnprintf(why, whylen, "%s (%s %s): %s", m->port.name, m->model, m->bdf, w);
		return -1;
	}
	if (!mgmt_link_wait(m, MGMT_LINK_WAIT_MS)) {
		ksnprintf(why, whylen, "%s (%s %s): link not up within %u ms", m->port.name, m->model, m->bdf,
			  MGMT_LINK_WAIT_MS);
		m->ops->close(m);
		return -1;
	}
	return 0;
}

/* The management NIC net.mgmt names, opened with link; NULL with why when there is none. */
static struct mgmt_nic *mgmt_pick(const struct cfg_net *n, char *why, size_t whylen)
{
	char w[160];
	if (n->mgmt == CFG_MGMT_BDF) {
		for (unsigned i = 0; i < mgmt_count(); i++) {
			struct mgmt_nic *m = mgmt_get(i);
			const struct pci_dev *d = m->pci;
			const struct cfg_pci_addr *a = &n->mgmt_addr;
			if (d->seg == a->seg && d->bus == a->bus && d->dev == a->dev && d->fn == a->fn)
				return open_mgmt(m, why, whylen) ? 0 : m;
		}
		ksnprintf(why, whylen, "net.mgmt=%04x:%02x:%02x.%x: no management NIC there (%u bound)", n->mgmt_addr.seg,
			  n->mgmt_addr.bus, n->mgmt_addr.dev, n->mgmt_addr.fn, mgmt_count());
		return 0;
	}
	if (n->mgmt == CFG_MGMT_AUTO) /* the first management NIC with link */
		for (unsigned i = 0; i < mgmt_count(); i++) {
			if (open_mgmt(mgmt_get(i), w, sizeof w) == 0)
				return mgmt_get(i);
			kprintf("# kiln: upload: net.mgmt=auto: %s\n", w);
		}
	return 0;
}

static int route_open(const struct cfg_net *n, struct route *r, char *why, size_t whylen)
{
	*r = (struct route){0};
	why[0] = 0;
	r->m = mgmt_pick(n, why, whylen);
	if (r->m)
		return net_uplink_up_port(&r->m->port, &r->ul, why, whylen) == NET_UPLINK_UP ? 0 : -1;
	if (n->mgmt == CFG_MGMT_BDF)
		return -1;
	if (!n->uplink_set) {
		if (n->mgmt == CFG_MGMT_NONE)
			ksnprintf(why, whylen, "net.collector is set but net.mgmt=none and net.uplink=none: no port leads to it");
		else
			ksnprintf(why, whylen, "net.collector is set but no management NIC %s and net.uplink=none",
				  mgmt_count() ? "has link" : "was found");
		return -1;
	}
	return net_uplink_up(n->uplink_accel, n->uplink_port, &r->ul, why, whylen) == NET_UPLINK_UP ? 0 : -1;
}

int net_upload_results(const struct kiln_config *c, const char *unit, const char *result, int exit_code, char *why,
		       size_t whylen)
{
	const struct cfg_net *n = &c->net;
	struct route rt;
	memset(&u, 0, sizeof u);
	if (route_open(n, &rt, why, whylen)) {
		route_close(&rt);
		return -1;
	}
	u.i = rt.ul.i;
	const char *pname = rt.ul.link->name;
	char via[80];
	if (rt.m)
		ksnprintf(via, sizeof via, "%s (%s %s)", pname, rt.m->model, rt.m->bdf);
	else
		ksnprintf(via, sizeof via, "%s", pname);
	/* Only the collector may talk to us while the upload runs. */
	ip4_addr_t coll;
	ip4_addr_set_u32(&coll, lwip_htonl(n->collector));
	net_if_allow_only(u.i, &coll, 1);

	const char *piece[3];
	size_t len[3];
	unsigned k = console_log_pieces(piece, len);
	uint64_t body = 0;
	for (unsigned i = 0; i < k; i++)
		body += len[i];
	char host[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(&coll, host, sizeof host);
	int hl = ksnprintf(u.header, sizeof u.header,
			   "POST " UPLOAD_PATH " HTTP/1.0\r\nHost: %s:%u\r\nContent-Type: text/plain\r\n"
			   "X-Kiln-Unit: %s\r\nX-Kiln-Result: %s\r\nX-Kiln-Exit: %d\r\nX-Kiln-Elided-Bytes: %llu\r\n"
			   "Content-Length: %llu\r\n\r\n",
			   host, n->collector_port, unit, result, exit_code, (unsigned long long)console_log_elided(),
			   (unsigned long long)body);
	u.piece[0] = u.header;
	u.len[0] = (size_t)hl;
	for (unsigned i = 0; i < k; i++) {
		u.piece[1 + i] = piece[i];
		u.len[1 + i] = len[i];
	}
	u.npieces = 1 + k;
	u.total = (uint64_t)hl + body;

	u.pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!u.pcb) {
		ksnprintf(why, whylen, "no memory for a TCP connection");
		goto fail;
	}
	tcp_arg(u.pcb, 0);
	tcp_err(u.pcb, on_err);
	tcp_recv(u.pcb, on_recv);
	tcp_sent(u.pcb, on_sent);
	ip_addr_t to;
	ip_addr_copy_from_ip4(to, coll);
	uint64_t t0 = time_ns();
	err_t e = tcp_connect(u.pcb, &to, n->collector_port, on_connected);
	if (e != ERR_OK) {
		ksnprintf(why, whylen, "connect to %s:%u: %s", host, n->collector_port, net_lwip_err_name(e));
		goto fail;
	}
	bool done = net_poll_until(deadline_in_ms(UPLOAD_WAIT_MS), over, 0);
	if (u.failed) {
		ksnprintf(why, whylen, "%s:%u: %s after %llu of %llu bytes", host, n->collector_port, net_lwip_err_name(u.err),
			  (unsigned long long)u.acked, (unsigned long long)u.total);
		goto fail;
	}
	if (!done) {
		ksnprintf(why, whylen, "%s:%u: no answer within %u ms (%s, %llu of %llu bytes acknowledged)", host,
			  n->collector_port, UPLOAD_WAIT_MS, u.connected ? "connected" : "never connected",
			  (unsigned long long)u.acked, (unsigned long long)u.total);
		goto fail;
	}
	/* "HTTP/1.x 2xx ..." */
	char *eol = strchr(u.reply, '\r');
	if (eol)
		*eol = 0;
	if (strncmp(u.reply, "HTTP/1.", 7) || u.reply_len < 12 || u.reply[9] != '2') {
		ksnprintf(why, whylen, "%s:%u answered '%s'", host, n->collector_port, u.reply_len ? u.reply : "(nothing)");
		goto fail;
	}
	/* for make bench (tools/bench.d/upload): connect to the collector's answer */
	uint64_t us = (time_ns() - t0) / 1000u;
	kprintf("# kiln: upload: rate %llu bytes in %llu us over %s\n", (unsigned long long)u.total,
		(unsigned long long)us, pname);
	ksnprintf(why, whylen, "%llu bytes to %s:%u via %s, collector said '%s'", (unsigned long long)body, host,
		  n->collector_port, via, u.reply);
	drop();
	route_close(&rt);
	return 0;
fail:
	drop();
	route_close(&rt);
	return -1;
}
