# ovsdb/: the NB schema, the C IDL generated from it, and the bindings the
# daemons share.

dist_pkgdata_DATA += ovsdb/dvrflow-nb.ovsschema
EXTRA_DIST += ovsdb/nb-idl.ann

ovsdb/nb-idl.ovsidl: ovsdb/dvrflow-nb.ovsschema ovsdb/nb-idl.ann
	$(AM_V_GEN)$(MKDIR_P) ovsdb && \
	$(OVSDB_IDLC) annotate $(srcdir)/ovsdb/dvrflow-nb.ovsschema \
		$(srcdir)/ovsdb/nb-idl.ann > $@.tmp && mv $@.tmp $@

NB_IDL_BUILT = ovsdb/nb-idl.c ovsdb/nb-idl.h ovsdb/nb-idl.ovsidl
BUILT_SOURCES += $(NB_IDL_BUILT)
CLEANFILES += $(NB_IDL_BUILT)
nodist_libdvrflow_la_SOURCES += ovsdb/nb-idl.c ovsdb/nb-idl.h
libdvrflow_la_SOURCES += ovsdb/nb-session.c ovsdb/nb-session.h
