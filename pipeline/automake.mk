# pipeline/: the flow model, the pure compiler of the L2 pipeline and the
# DHCP wire format.
libdvrflow_la_SOURCES += \
	pipeline/dhcp.c pipeline/dhcp.h \
	pipeline/flow.c pipeline/flow.h \
	pipeline/actions.c pipeline/actions.h \
	pipeline/l2.c pipeline/l2.h \
	pipeline/icmp.c pipeline/icmp.h \
	pipeline/l3.c pipeline/l3.h \
	pipeline/sg.c pipeline/sg.h \
	pipeline/tables.c pipeline/tables.h
