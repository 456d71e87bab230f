# doc/: the design of record, the pipeline reference and the man pages.
EXTRA_DIST += doc/architecture.md doc/pipeline.md doc/security-groups.md \
	doc/dhcp-metadata.md doc/ipv6.md doc/security.md doc/neutron.md doc/pipeline.svg \
	doc/benchmarks-curve.svg
dist_man_MANS += doc/dvrflow.7 doc/dvr-controller.8 doc/dvrflow-db-sync.8
