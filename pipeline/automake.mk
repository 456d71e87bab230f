# pipeline/: the flow model, the pure compilers (L2, security groups, the
# services' steering; L3 is in dvr/) and the ICMP and DHCP wire formats.
libdvrflow_la_SOURCES += \
	pipeline/dhcp.c pipeline/dhcp.h \
	pipeline/dhcp6.c pipeline/dhcp6.h \
	pipeline/flow.c pipeline/flow.h \
	pipeline/actions.c pipeline/actions.h \
	pipeline/l2.c pipeline/l2.h \
	pipeline/ra.c pipeline/ra.h \
	pipeline/icmp.c pipeline/icmp.h \
	pipeline/qos.c pipeline/qos.h \
	pipeline/sg.c pipeline/sg.h \
	pipeline/services.c pipeline/services.h \
	pipeline/tables.c pipeline/tables.h \
	pipeline/trunk.c pipeline/trunk.h
