/*
 * bench/dhcp-load: a DHCP client load generator for the system tests and
 * benchmarks.  On interface IFACE (a VM's eth0, inside its namespace) it
 * sends DHCPDISCOVERs from MAC at RATE per second for SECONDS seconds on
 * a raw socket, counts the DHCPOFFERs that come back for them, and prints
 * one line:
 *
 *   sent N received M in S s: X/s sent, Y/s answered, p50 A ms, p99 B ms
 *
 * Usage: dhcp-load IFACE MAC RATE SECONDS
 */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "csum.h"
#include "lib/dhcp.h"
#include "packets.h"
#include "pipeline/dhcp.h"

#define MAX_SAMPLES (1 << 20)

static long long int
now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Writes a broadcast DHCPDISCOVER with 'xid' from 'mac' into 'buf';
 * returns its length. */
static size_t
make_discover(uint8_t *buf, struct eth_addr mac, uint32_t xid)
{
    struct eth_header *eth = (struct eth_header *) buf;
    struct ip_header *ip = (struct ip_header *) (eth + 1);
    struct udp_header *udp = (struct udp_header *) (ip + 1);
    struct dhcp_header *dh = (struct dhcp_header *) (udp + 1);
    uint8_t *opt = (uint8_t *) (dh + 1);
    size_t dhcp_len = sizeof *dh + 4 + 3 + 1 + 56;
    ovs_be32 cookie = htonl(DHCP_MAGIC_COOKIE);

    memset(buf, 0, ETH_HEADER_LEN + IP_HEADER_LEN + UDP_HEADER_LEN
           + dhcp_len);
    eth->eth_dst = eth_addr_broadcast;
    eth->eth_src = mac;
    eth->eth_type = htons(ETH_TYPE_IP);
    dh->op = DHCP_OP_REQUEST;
    dh->htype = 1;
    dh->hlen = 6;
    dh->xid = htonl(xid);
    memcpy(dh->chaddr, mac.ea, 6);
    memcpy(opt, &cookie, 4);
    opt[4] = DHCPV4_OPT_MSG_TYPE;
    opt[5] = 1;
    opt[6] = DHCPV4_DISCOVER;
    opt[7] = DHCPV4_OPT_END;

    size_t udp_len = UDP_HEADER_LEN + dhcp_len;
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(IP_HEADER_LEN + udp_len);
    ip->ip_ttl = 64;
    ip->ip_proto = IPPROTO_UDP;
    put_16aligned_be32(&ip->ip_src, 0);
    put_16aligned_be32(&ip->ip_dst, OVS_BE32_MAX);
    ip->ip_csum = csum(ip, IP_HEADER_LEN);
    udp->udp_src = htons(68);
    udp->udp_dst = htons(67);
    udp->udp_len = htons(udp_len);
    udp->udp_csum = csum_finish(csum_continue(packet_csum_pseudoheader(ip),
                                              udp, udp_len));
    return ETH_HEADER_LEN + IP_HEADER_LEN + udp_len;
}

static int
compare_ll(const void *a_, const void *b_)
{
    const long long int *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

int
main(int argc, char *argv[])
{
    struct eth_addr mac;

    if (argc != 5 || !eth_addr_from_string(argv[2], &mac)) {
        fprintf(stderr, "usage: %s IFACE MAC RATE SECONDS\n", argv[0]);
        return 2;
    }
    double rate = atof(argv[3]), seconds = atof(argv[4]);
    unsigned int ifindex = if_nametoindex(argv[1]);
    if (!ifindex || rate <= 0 || seconds <= 0) {
        fprintf(stderr, "%s: bad interface, rate or duration\n", argv[0]);
        return 2;
    }

    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_IP));
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_IP),
        .sll_ifindex = ifindex,
    };
    if (fd < 0 || bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        fprintf(stderr, "%s: raw socket on %s: %s\n", argv[0], argv[1],
                strerror(errno));
        return 1;
    }
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);

    /* Send times by xid, for latencies. */
    size_t max_sent = MIN((size_t) (rate * seconds) + 1, MAX_SAMPLES);
    long long int *sent_at = calloc(max_sent, sizeof *sent_at);
    long long int *lat = calloc(max_sent, sizeof *lat);
    uint32_t xid_base = (uint32_t) now_usec() & 0xfff00000;
    uint64_t n_sent = 0, n_received = 0;
    long long int start = now_usec();
    long long int end = start + (long long int) (seconds * 1e6);
    long long int drain = end + 500000;      /* Late replies. */
    uint8_t frame[1514];

    for (;;) {
        long long int now = now_usec();
        if (now >= drain) {
            break;
        }
        /* Send what the schedule says is due. */
        uint64_t due = now < end ? (uint64_t) ((now - start) * rate / 1e6)
                                 : n_sent;
        while (n_sent < due && n_sent < max_sent) {
            size_t len = make_discover(frame, mac, xid_base + n_sent);
            if (send(fd, frame, len, 0) < 0) {
                if (errno == EAGAIN || errno == ENOBUFS) {
                    break;
                }
                fprintf(stderr, "send: %s\n", strerror(errno));
                return 1;
            }
            sent_at[n_sent++] = now;
        }

        /* Receive offers. */
        for (;;) {
            ssize_t n = recv(fd, frame, sizeof frame, 0);
            if (n < 0) {
                break;
            }
            const struct eth_header *eth = (const struct eth_header *) frame;
            const struct ip_header *ip = (const void *) (eth + 1);
            const struct udp_header *udp = (const void *) (ip + 1);
            const struct dhcp_header *dh = (const void *) (udp + 1);
            if (n < ETH_HEADER_LEN + IP_HEADER_LEN + UDP_HEADER_LEN
                    + DHCP_HEADER_LEN
                || eth->eth_type != htons(ETH_TYPE_IP)
                || ip->ip_ihl_ver != IP_IHL_VER(5, 4)
                || ip->ip_proto != IPPROTO_UDP
                || udp->udp_src != htons(67) || dh->op != DHCP_OP_REPLY
                || memcmp(dh->chaddr, mac.ea, 6)) {
                continue;
            }
            uint32_t i = ntohl(dh->xid) - xid_base;
            if (i < n_sent && sent_at[i]) {
                lat[n_received++] = now_usec() - sent_at[i];
                sent_at[i] = 0;
            }
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        poll(&pfd, 1, 1);
    }

    double secs = seconds;
    qsort(lat, n_received, sizeof *lat, compare_ll);
    printf("sent %"PRIu64" received %"PRIu64" in %.1f s: %.0f/s sent, "
           "%.0f/s answered, p50 %.2f ms, p99 %.2f ms\n",
           n_sent, n_received, secs, n_sent / secs, n_received / secs,
           n_received ? lat[n_received / 2] / 1000.0 : 0.0,
           n_received ? lat[n_received * 99 / 100] / 1000.0 : 0.0);
    free(sent_at);
    free(lat);
    close(fd);
    return 0;
}
