# tools/: installation of dependencies, the check driver, the sandbox.
EXTRA_DIST += tools/install-deps tools/build tools/check tools/demo

TESTS += tests/system/demo.sh
EXTRA_DIST += tests/system/demo.sh
