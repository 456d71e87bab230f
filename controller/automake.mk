# controller/: dvr-controller, the per-node daemon.
libdvrflow_la_SOURCES += \
	controller/binding.c controller/binding.h \
	controller/bridges.c controller/bridges.h \
	controller/chassis.c controller/chassis.h \
	controller/config.c controller/config.h \
	controller/dhcp-server.c controller/dhcp-server.h \
	controller/dhcp6-server.c controller/dhcp6-server.h \
	controller/ra-server.c controller/ra-server.h \
	controller/engine.c controller/engine.h \
	controller/engine-private.h \
	controller/engine-net.c controller/engine-port.c \
	controller/engine-qos.c \
	controller/engine-trunk.c \
	controller/trunk.c controller/trunk.h \
	controller/engine-sg.c controller/engine-sg.h \
	controller/nb-monitor.c controller/nb-monitor.h \
	controller/ofctrl.c controller/ofctrl.h \
	controller/pinctrl.c controller/pinctrl.h

# The metadata service uses libevent, jansson and libcrypto: a convenience
# library of its own for their flags, part of libdvrflow.la.
noinst_LTLIBRARIES += controller/libdvrmeta.la
libdvrflow_la_LIBADD += controller/libdvrmeta.la
controller_libdvrmeta_la_SOURCES = \
	controller/metadata.c controller/metadata.h
controller_libdvrmeta_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(JANSSON_CFLAGS) $(LIBCRYPTO_CFLAGS)
controller_libdvrmeta_la_LIBADD = $(LIBEVENT_LIBS) $(JANSSON_LIBS) \
	$(LIBCRYPTO_LIBS)

sbin_PROGRAMS += controller/dvr-controller
controller_dvr_controller_SOURCES = controller/dvr-controller.c
controller_dvr_controller_LDADD = libdvrflow.la $(OVS_LIBS) $(LIBEVENT_LIBS) \
	$(JANSSON_LIBS) $(LIBCRYPTO_LIBS)

TESTS += tests/component/nb-monitor.sh tests/component/nb-monitor-ack.sh \
	tests/component/nb-monitor-gateway.sh
EXTRA_DIST += tests/component/nb-monitor.sh tests/component/nb-monitor-ack.sh \
	tests/component/nb-monitor-gateway.sh
TESTS += tests/component/ofctrl-idle.sh \
	tests/component/controller-l2.sh tests/component/routing-bad-input.sh \
	tests/component/controller-sg.sh tests/component/controller-dhcp.sh
EXTRA_DIST += tests/component/ofctrl-idle.sh \
	tests/component/controller-l2.sh \
	tests/component/routing-bad-input.sh tests/component/controller-sg.sh \
	tests/component/controller-dhcp.sh
# IPv6 router and neighbour discovery (issue 18).
TESTS += tests/component/controller-ipv6.sh
EXTRA_DIST += tests/component/controller-ipv6.sh tests/lib/nd.py
# IPv6 routing, ICMPv6 errors (issue 18).
TESTS += tests/component/routing-ipv6.sh
EXTRA_DIST += tests/component/routing-ipv6.sh
TESTS += tests/component/gateway-ipv6.sh
EXTRA_DIST += tests/component/gateway-ipv6.sh
# The DHCPv6 server (issue 18).
TESTS += tests/component/controller-dhcp6.sh
EXTRA_DIST += tests/component/controller-dhcp6.sh tests/lib/dhcp6.py
TESTS += tests/system/controller-l2.sh tests/system/controller-provider.sh \
	tests/system/routing.sh
EXTRA_DIST += tests/system/controller-l2.sh \
	tests/system/controller-provider.sh tests/system/routing.sh
TESTS += tests/system/controller-sg.sh tests/system/controller-sg-live.sh \
	tests/system/controller-sg-fip.sh
EXTRA_DIST += tests/system/controller-sg.sh tests/system/controller-sg-live.sh \
	tests/system/controller-sg-fip.sh
# Floating IP port forwarding (dvr/pf, api/portforwarding).
TESTS += tests/component/pf-bad-input.sh tests/component/pf-range.sh \
	tests/system/port-forwarding.sh
EXTRA_DIST += tests/component/pf-bad-input.sh tests/component/pf-range.sh \
	tests/system/port-forwarding.sh
TESTS += tests/system/qos.sh tests/system/qos-fip.sh \
	tests/system/qos-gateway.sh
EXTRA_DIST += tests/system/qos.sh tests/system/qos-fip.sh \
	tests/system/qos-gateway.sh
TESTS += tests/component/controller-qos.sh tests/component/qos-fip.sh
EXTRA_DIST += tests/component/controller-qos.sh tests/component/qos-fip.sh

# The metrics endpoint's content (metrics/, doc/metrics.md).
libdvrflow_la_SOURCES += controller/exporter.c controller/exporter.h
TESTS += tests/component/controller-trunk.sh tests/system/trunk.sh
EXTRA_DIST += tests/component/controller-trunk.sh tests/system/trunk.sh \
	tests/system/vlan-tap.py
