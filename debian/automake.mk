# debian/: the Debian packages (tests/build/packages.sh builds them).
EXTRA_DIST += \
	debian/changelog \
	debian/control \
	debian/dvrflow-api.install \
	debian/dvrflow-api.logrotate \
	debian/dvrflow-controller.install \
	debian/dvrflow-controller.logrotate \
	debian/dvrflow-nb.install \
	debian/dvrflow-nb.logrotate \
	debian/dvrflow-tools.install \
	debian/etc/dvr-api \
	debian/etc/dvr-controller.conf \
	debian/etc/dvrflow-nb \
	debian/etc/keystone.conf \
	debian/nb-db-prepare \
	debian/nb-db-upgrade \
	debian/not-installed \
	debian/rules \
	debian/source/format \
	debian/systemd/dvr-api.service \
	debian/systemd/dvr-controller.service \
	debian/systemd/dvrflow-nb.service

# The packaged NB service as a Raft cluster, from these files (no package
# build).
TESTS += tests/component/nb-cluster-packaged.sh
EXTRA_DIST += tests/component/nb-cluster-packaged.sh
