#include "kernel/harness/upload.h"

#include "drivers/accel/nic.h"
#include "kernel/harness/config.h"
#include "kernel/console_log.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"
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

int net_upload_results(const struct kiln_config *c, const char *unit, const char *result, int exit_code, char *why,
		       size_t whylen)
{
	const struct cfg_net *n = &c->net;
	memset(&u, 0, sizeof u);
	if (!n->uplink_set) {
		ksnprintf(why, whylen, "net.collector is set but net.uplink=none: no port leads to it");
		return -1;
	}
	struct net_uplink ul;
	if (net_uplink_up(n->uplink_accel, n->uplink_port, &ul, why, whylen) != NET_UPLINK_UP) {
		net_uplink_down(&ul);
		return -1;
	}
	u.i = ul.i;
	struct nic_port *np = ul.port;
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
	ksnprintf(why, whylen, "%llu bytes to %s:%u via %s, collector said '%s'", (unsigned long long)body, host,
		  n->collector_port, nic_name(np), u.reply);
	drop();
	net_uplink_down(&ul);
	return 0;
fail:
	drop();
	net_uplink_down(&ul);
	return -1;
}
