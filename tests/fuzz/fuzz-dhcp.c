/*
 * libFuzzer target for pipeline/dhcp: any input is a client's UDP payload.
 * The parser must not read outside it; a parsed request must yield a reply
 * frame whose DHCP payload stays within DHCP_MAX_REPLY and whose options
 * walk cleanly.  Built with clang -fsanitize=fuzzer,address,undefined by
 * "make fuzz"; "make fuzz-run" runs it for FUZZ_SECONDS.
 */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "packets.h"
#include "pipeline/dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dhcp_request req;
    /* A private copy, so that the sanitizer sees any read past 'size'. */
    uint8_t *copy = malloc(size ? size : 1);

    memcpy(copy, data, size);
    if (dhcp_parse_request(copy, size, &req) == DHCP_PARSE_OK) {
        struct dhcp_lease lease;
        memset(&lease, 0, sizeof lease);
        lease.server_ip = htonl(0x0a000001);
        lease.ip = htonl(0x0a00000b);
        lease.netmask = htonl(0xffffff00);
        lease.router = htonl(0x0a000001);
        lease.n_dns = DHCP_MAX_DNS;
        lease.n_routes = DHCP_MAX_ROUTES;
        lease.mtu = 1500;
        lease.lease_time = 3600;
        memset(lease.hostname, 'h', DHCP_MAX_HOSTNAME);
        memset(lease.domain, 'd', DHCP_MAX_DOMAIN);

        uint8_t type = dhcp_reply_type(&req, &lease);
        if (type) {
            struct dp_packet b;
            uint8_t opt[1024];

            dp_packet_init(&b, 0);
            dhcp_build_reply(&req, &lease, type, req.chaddr, &b);
            const uint8_t *p = (const uint8_t *) dp_packet_l4(&b) + 8;
            size_t len = (const uint8_t *) dp_packet_tail(&b) - p;
            if (len > DHCP_MAX_REPLY
                || dhcp_options_find(p, len, 53, opt, sizeof opt) != 1
                || opt[0] != type) {
                abort();
            }
            dp_packet_uninit(&b);
        }
    }
    free(copy);
    return 0;
}
