/* lwIP 2.1 options for Kiln: NO_SYS (one polled loop, no threads), IPv4 with ARP, ICMP,
 * UDP, TCP and DHCP, raw PCBs for ICMP echo. All lwIP memory (heap and pools) comes from
 * one region of the kernel's page allocator (net/stack.c); nothing uses malloc. */
#ifndef KILN_LWIPOPTS_H
#define KILN_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_TIMERS 1

/* ---- memory: the heap lives in pages from page_alloc; pools are carved from it ---- */
extern unsigned char *net_lwip_heap;
#define NET_LWIP_HEAP_BYTES (8u * 1024u * 1024u)
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEM_SIZE NET_LWIP_HEAP_BYTES
#define LWIP_RAM_HEAP_POINTER net_lwip_heap
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define PBUF_POOL_SIZE 512
#define PBUF_POOL_BUFSIZE 1536

/* ---- protocols ---- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ARP_TABLE_SIZE 32
#define ARP_QUEUEING 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_BROADCAST_PING 0

/* ---- TCP: a full unscaled window for bulk transfer and iperf ---- */
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS)
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_TIMESTAMPS 0
#define TCP_QUEUE_OOSEQ 1

/* ---- interfaces: one netif per port, link state followed by net/netif.c ---- */
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_HAVE_LOOPIF 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_SINGLE_NETIF 0
/* Several ports share one stack and often one subnet: route by source address first
 * (net/netif.c), so traffic leaves through the port that owns the address. */
struct netif;
struct ip4_addr;
struct netif *net_if_route_src(const struct ip4_addr *src, const struct ip4_addr *dest);
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest) net_if_route_src((src), (dest))

/* ---- the hot paths (docs/net.md "Fast paths"): bulk copies a word at a time (rep movsb
 * costs a translated-block turn per byte under emulation), the checksum 8 bytes a step ---- */
#include <stddef.h>
#include <stdint.h>
void copy_fast(void *restrict d, const void *restrict s, size_t n); /* kernel/lib/copy.h */
uint16_t net_chksum(const void *data, int len);                     /* net/chksum.h */
#define MEMCPY(dst, src, len) copy_fast((dst), (src), (len))
#define LWIP_CHKSUM net_chksum

/* ---- checksums in software, always generated and always checked ---- */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1

#define LWIP_STATS 0
#define LWIP_DEBUG 0

#endif
