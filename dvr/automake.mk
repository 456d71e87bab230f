# dvr/: distributed routing: the L3 compiler (routers, floating IPs, SNAT),
# the gateway chassis' ranking, the controller's routing runtime (ARP
# resolution, ICMP errors, gratuitous ARPs) and the engine's router and
# floating-IP modules (they share controller/engine-private.h).
libdvrflow_la_SOURCES += \
	dvr/l3.c dvr/l3.h \
	dvr/pf.c dvr/pf.h \
	dvr/gateway.c dvr/gateway.h \
	dvr/neighbor.c dvr/neighbor.h \
	dvr/engine-router.c dvr/engine-fip.c
