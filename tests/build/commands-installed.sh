#!/usr/bin/env bash
# Build test: every command the project's scripts run comes from a package
# that tools/install-deps installs (tests/build/commands.py says how it
# finds them), so the README's commands work on a fresh Debian 12.
exec /usr/bin/python3 "$abs_top_srcdir/tests/build/commands.py" \
    "$abs_top_srcdir"
