/*
 * dvr/neighbor: the controller's part in routing, on the packet
 * path (controller/pinctrl).
 *
 *   - Next hops outside the cloud (the external network's gateway) are
 *     resolved by ARP: a packet that finds no next hop in l3_nexthop comes
 *     here (PIN_ARP_RESOLVE), an ARP request goes out from the address and
 *     MAC the packet leaves with (a floating IP or a router's gateway);
 *     the reply (PIN_ARP_LEARN) becomes an l3_nexthop flow.  IPv6 next
 *     hops (xxreg3) the same way by neighbour solicitation, from the
 *     link-local address of the MAC the packet leaves with (the packet's
 *     own source is a tenant's address: IPv6 is not NATed), learned from
 *     the neighbour advertisement; with the same bounds and expiry.  The
 *     packets that found no next hop are held meanwhile (at most 4 per
 *     next hop, 256 on the node, 3 s each) and sent on with the learned
 *     MAC, so the first packets to a next hop are not lost to its ARP.  Known next
 *     hops are asked again every third of the timeout (30 s by default),
 *     so a changed MAC is learned, and so is a gratuitous ARP from a next
 *     hop.  Only addresses that were asked for are learned.  A next hop
 *     that has not answered for the timeout (NEIGHBOR_TIMEOUT_MSEC, 90 s,
 *     or --neighbor-timeout) is forgotten, its flow removed: the next
 *     packet for it resolves it again.  At most 4,096 next hops; a new one
 *     evicts the oldest unanswered one.
 *   - ICMP errors a router owes (PIN_ICMP_TTL, PIN_ICMP_UNREACH,
 *     PIN_ICMP_FRAG) are built (pipeline/icmp) from the router's address
 *     on the ingress network (reg4) and sent back into br-int's l2_lookup
 *     on that network; so are the ICMPv6 ones (PIN_ICMP6_TTL,
 *     PIN_ICMP6_UNREACH, PIN_ICMP6_BIG), from the router's IPv6 address
 *     there (xxreg3).
 *   - Gratuitous ARPs the engine queues (a floating IP that arrived, a
 *     gateway that became active) are sent.
 *
 * The learned next hops are flows with cookie COOKIE_NEIGHBOR in the
 * engine's br-int set; neighbor_install() puts them there after every
 * engine run that may have cleared them.
 */

#ifndef DVR_NEIGHBOR_H
#define DVR_NEIGHBOR_H 1

#include <stdbool.h>
#include <stdint.h>

struct ds;
struct flow_set;
struct ovs_list;
struct pinctrl;

#define NEIGHBOR_TIMEOUT_MSEC 90000

/* The cookie of learned next-hop flows (no NB row owns them). */
#define COOKIE_NEIGHBOR UINT64_C(0x00000000000000a1)

struct neighbor *neighbor_create(struct pinctrl *);
void neighbor_destroy(struct neighbor *);

/* Sends the gratuitous ARPs in 'garps' ("struct engine_garp"s, freed). */
void neighbor_announce(struct neighbor *, struct ovs_list *garps);

/* Sets the timeout (the refresh interval is a third of it). */
void neighbor_set_timeout(struct neighbor *, long long int msec);

/* Refreshes known next hops, and expires stale ones, when due. */
void neighbor_run(struct neighbor *);
void neighbor_wait(struct neighbor *);

/* True if the learned next hops changed since the last install. */
bool neighbor_changed(const struct neighbor *);
void neighbor_install(struct neighbor *, struct flow_set *int_flows);

void neighbor_format(const struct neighbor *, struct ds *);

#endif /* dvr/neighbor.h */
