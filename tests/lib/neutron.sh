# tests/lib/neutron.sh: a real neutron-server (Debian's, /usr/bin/python3)
# with the networking-dvrflow driver, on a private MariaDB, for the
# Neutron tier.  Source it from a test (bash).
# shellcheck shell=bash
#
# Interface (stable; the Nova tests use it too):
#
#   nt_db_up DIR                  a private MariaDB (datadir DIR/mysql,
#                                 unix socket only, no TCP), started from a
#                                 cached datadir that already holds the
#                                 migrated database "neutron"; sets
#                                 NT_DB_SOCK.  neutron_up calls it unless
#                                 NT_DB_URL is set.
#   nt_db_create NAME             creates database NAME on it; prints its
#                                 SQLAlchemy URL
#   neutron_up DIR NB_REMOTE      starts neutron-server with
#                                 mechanism_drivers=dvrflow,
#                                 extension_drivers=port_security,qos and
#                                 service_plugins=dvrflow-router, qos,
#                                 trunk, dvrflow-port-forwarding against the
#                                 NB database NB_REMOTE (comma-separated
#                                 remotes allowed); waits until it answers.
#                                 Sets NEUTRON_URL, NEUTRON_PID, NEUTRON_CONF,
#                                 NEUTRON_LOG.  Its database is loaded from
#                                 the cached migrated schema
#                                 ($DVRFLOW_CACHE/neutron-<version>.sql, made
#                                 on first use by neutron-db-manage upgrade
#                                 heads), so it takes seconds.
#   neutron_stop / neutron_start  stops / restarts that neutron-server
#                                 (same configuration and database)
#   neutron_down                  stops neutron-server and MariaDB (by pid);
#                                 call it from the test's EXIT trap
#   nt_os ARGS...                 the openstack client against it (auth as
#                                 configured below); prints its output
#   nt_wait_log PATTERN [SECS]    waits until NEUTRON_LOG matches PATTERN
#
# Settings (environment, read by neutron_up):
#
#   NEUTRON_PORT       TCP port on 127.0.0.1 (default 19696)
#   NEUTRON_AUTH       noauth (default) or keystone.  keystone, either:
#                      - NEUTRON_KEYSTONE_URL and NEUTRON_KEYSTONE_PASSWORD
#                        set: Keystone's URL and the password of the
#                        service user "neutron" (project "service"), which
#                        the caller creates, with the network endpoints;
#                      - or only tests/lib/keystone.sh's ks_up done before:
#                        neutron_up creates that user (admin in "service")
#                        and the "network" service with its endpoints at
#                        NEUTRON_URL itself.
#                      nt_os then runs as admin in project admin (ks_env)
#   NT_DB_URL          SQLAlchemy URL of an existing empty database to use
#                      instead of nt_db_up + nt_db_create
#   NEUTRON_TRANSPORT  oslo.messaging transport_url (default fake://: no
#                      agent listens; Nova's tests give RabbitMQ's)
#   NEUTRON_NOVA_CONF  text of a [nova] section (password auth to Keystone);
#                      if set, Nova is notified of port changes
#                      (network-vif-plugged)
#   NEUTRON_EXTRA_CONF ini text appended to neutron.conf
#   NEUTRON_SYNC_INTERVAL  [dvrflow] sync_interval (default 300)
#
# The driver is taken from this source tree (PYTHONPATH, with its entry
# points from a generated egg-info), not from an installed copy, so a test
# always runs the code it was checked out with.

: "${abs_top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${DVRFLOW_CACHE:=/var/cache/dvrflow}"
. "$abs_top_srcdir/tests/lib/osc.sh"

NT_PY=/usr/bin/python3
NT_PIDS=()
NEUTRON_KEYSTONE_PASSWORD=${NEUTRON_KEYSTONE_PASSWORD:-dvrflow-neutron}

_nt_log() { printf 'neutron.sh: %s\n' "$*" >&2; }

_nt_kill() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        grep -q '^State:.*Z' /proc/"$pid"/status 2>/dev/null && return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

_nt_mariadbd_start() {
    local dir=$1
    mariadbd --no-defaults --datadir="$dir/data" --socket="$NT_DB_SOCK" \
        --skip-networking --pid-file="$dir/mysqld.pid" --user=root \
        --log-error="$dir/error.log" --innodb-buffer-pool-size=64M \
        --skip-log-bin --innodb-flush-log-at-trx-commit=0 \
        --innodb-doublewrite=0 --innodb-log-file-size=16M \
        >/dev/null 2>&1 &
    NT_DB_PID=$!
    NT_PIDS+=("$NT_DB_PID")
    local i
    for i in $(seq 150); do
        mariadb --no-defaults -S "$NT_DB_SOCK" -uroot -e 'select 1' \
            >/dev/null 2>&1 && return 0
        kill -0 "$NT_DB_PID" 2>/dev/null || break
        sleep 0.2
    done
    cat "$dir/error.log" >&2
    return 1
}

_nt_mariadbd_stop() {
    _nt_kill "$NT_DB_PID"
}

# A datadir with the migrated Neutron database "neutron" in it, cached as
# a tarball per Neutron and MariaDB version: a test's MariaDB starts from
# it in a second or two instead of ~20 s of mariadb-install-db and schema.
_nt_datadir_cache() {
    local v
    v=$(_nt_version)-$(mariadbd --version 2>/dev/null | sha1sum | cut -c1-8)
    echo "$DVRFLOW_CACHE/neutron-$v-mariadb2.tar"
}

nt_db_up() {
    local dir=$1/mysql cache
    mkdir -p "$dir"
    NT_DB_DIR=$dir
    NT_DB_SOCK=$dir/mysql.sock
    cache=$(_nt_datadir_cache)
    if [ -s "$cache" ]; then
        tar -xf "$cache" -C "$dir" || return 1
        _nt_mariadbd_start "$dir" || return 1
        NT_DB_NEUTRON=yes
        return 0
    fi
    mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$dir/install.log" 2>&1 \
        || { cat "$dir/install.log" >&2; return 1; }
    _nt_mariadbd_start "$dir" || return 1
    local url
    url=$(nt_db_create neutron) || return 1
    NEUTRON_DIR=${NEUTRON_DIR:-$1/neutron}
    mkdir -p "$NEUTRON_DIR"
    _nt_load_schema "$url" || return 1
    _nt_mariadbd_stop
    mkdir -p "$DVRFLOW_CACHE"
    tar -cf "$cache.tmp.$$" -C "$dir" data && mv "$cache.tmp.$$" "$cache"
    _nt_mariadbd_start "$dir" || return 1
    NT_DB_NEUTRON=yes
}

nt_db_create() {
    mariadb --no-defaults -S "$NT_DB_SOCK" -uroot \
        -e "CREATE DATABASE \`$1\` CHARACTER SET utf8" || return 1
    echo "mysql+pymysql://root@localhost/$1?unix_socket=$NT_DB_SOCK"
}

# _nt_pythonpath DIR: the source tree's driver, with entry points.
_nt_pythonpath() {
    local egg=$1/egg
    mkdir -p "$egg"
    (cd "$abs_top_srcdir/networking-dvrflow" \
        && $NT_PY setup.py -q egg_info --egg-base "$egg" \
            >"$1/egg_info.log" 2>&1) \
        || { cat "$1/egg_info.log" >&2; return 1; }
    # setup.py egg_info leaves a build/ beside the sources only with
    # "build"; nothing else is written into the tree.
    echo "$abs_top_srcdir/networking-dvrflow:$egg"
}

_nt_version() {
    dpkg-query -W -f='${Version}' python3-neutron 2>/dev/null \
        | tr -c 'A-Za-z0-9.+-' '_'
}

# _nt_load_schema URL: the migrated Neutron schema, from the cache (made
# once per Neutron version).
_nt_load_schema() {
    local url=$1 cache conf
    cache=$DVRFLOW_CACHE/neutron-$(_nt_version).sql
    if [ ! -s "$cache" ]; then
        _nt_log "migrating a Neutron database (once per version): $cache"
        conf=$NEUTRON_DIR/migrate.conf
        printf '[DEFAULT]\ncore_plugin = ml2\n[database]\nconnection = %s\n' \
            "$url" > "$conf"
        neutron-db-manage --config-file "$conf" upgrade heads \
            >"$NEUTRON_DIR/migrate.log" 2>&1 \
            || { cat "$NEUTRON_DIR/migrate.log" >&2; return 1; }
        mkdir -p "$DVRFLOW_CACHE"
        _nt_mysqldump "$url" > "$cache.tmp.$$" && mv "$cache.tmp.$$" "$cache"
        return
    fi
    _nt_mysql "$url" < "$cache"
}

# The database name, socket or host of a pymysql URL, for the clients.
_nt_url_args() {
    $NT_PY - "$1" <<'EOF'
import sys, urllib.parse as up
u = up.urlparse(sys.argv[1])
q = up.parse_qs(u.query)
args = []
if 'unix_socket' in q:
    args += ['-S', q['unix_socket'][0]]
else:
    args += ['-h', u.hostname or 'localhost']
    if u.port:
        args += ['-P', str(u.port)]
args += ['-u', up.unquote(u.username or 'root')]
if u.password:
    args += ['-p' + up.unquote(u.password)]
args.append(u.path.lstrip('/'))
print('\n'.join(args))
EOF
}

_nt_mysql() {
    local args
    mapfile -t args < <(_nt_url_args "$1")
    mariadb --no-defaults "${args[@]}"
}

_nt_mysqldump() {
    local args
    mapfile -t args < <(_nt_url_args "$1")
    mysqldump --no-defaults --skip-comments "${args[@]}"
}

_nt_write_conf() {
    local dir=$NEUTRON_DIR
    cat > "$NEUTRON_CONF" <<EOF
[DEFAULT]
core_plugin = ml2
service_plugins = dvrflow-router,qos,trunk,dvrflow-port-forwarding
auth_strategy = ${NEUTRON_AUTH:-noauth}
bind_host = 127.0.0.1
bind_port = ${NEUTRON_PORT:-19696}
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
transport_url = ${NEUTRON_TRANSPORT:-fake://}
log_file = $dir/neutron-server.log
state_path = $dir/state
api_paste_config = /etc/neutron/api-paste.ini
allow_overlapping_ips = true
notify_nova_on_port_status_changes = $([ -n "${NEUTRON_NOVA_CONF:-}" ] && echo true || echo false)
notify_nova_on_port_data_changes = $([ -n "${NEUTRON_NOVA_CONF:-}" ] && echo true || echo false)
agent_down_time = 30
[database]
connection = $NEUTRON_DB_URL
[ml2]
type_drivers = flat,vlan,vxlan,geneve
tenant_network_types = vxlan
mechanism_drivers = dvrflow
extension_drivers = port_security,qos
[ml2_type_vxlan]
vni_ranges = 1:4000
[ml2_type_geneve]
vni_ranges = 1:4000
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = physnet1,ext
[securitygroup]
enable_security_group = true
[oslo_concurrency]
lock_path = $dir/lock
[oslo_policy]
enforce_new_defaults = false
enforce_scope = false
[dvrflow]
nb_connection = $NEUTRON_NB
sync_interval = ${NEUTRON_SYNC_INTERVAL:-300}
EOF
    if [ "${NEUTRON_AUTH:-noauth}" = keystone ]; then
        cat >> "$NEUTRON_CONF" <<EOF
[keystone_authtoken]
www_authenticate_uri = ${NEUTRON_KEYSTONE_URL:-$KS_URL}
auth_url = ${NEUTRON_KEYSTONE_URL:-$KS_URL}
memcached_servers =
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = $NEUTRON_KEYSTONE_PASSWORD
region_name = RegionOne
EOF
    fi
    if [ -n "${NEUTRON_NOVA_CONF:-}" ]; then
        printf '%s\n' "$NEUTRON_NOVA_CONF" >> "$NEUTRON_CONF"
    fi
    if [ -n "${NEUTRON_EXTRA_CONF:-}" ]; then
        printf '%s\n' "$NEUTRON_EXTRA_CONF" >> "$NEUTRON_CONF"
    fi
}

neutron_start() {
    : > "$NEUTRON_LOG.out"
    (cd / && PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$NEUTRON_PYTHONPATH \
        exec $NT_PY -c '
import sys
from neutron.cmd.eventlet.server import main
sys.argv = ["neutron-server"] + sys.argv[1:]
sys.exit(main())' --config-file "$NEUTRON_CONF") \
        >>"$NEUTRON_LOG.out" 2>&1 &
    NEUTRON_PID=$!
    NT_PIDS+=("$NEUTRON_PID")
    local i
    for i in $(seq 300); do
        if curl -sf -o /dev/null "$NEUTRON_URL/" 2>/dev/null; then
            return 0
        fi
        kill -0 "$NEUTRON_PID" 2>/dev/null || break
        sleep 0.2
    done
    _nt_log "neutron-server did not start; its log:"
    tail -n 50 "$NEUTRON_LOG" "$NEUTRON_LOG.out" >&2
    return 1
}

neutron_stop() {
    [ -n "${NEUTRON_PID:-}" ] || return 0
    # The server's workers are its children: stop them with it.
    local kids
    kids=$(pgrep -P "$NEUTRON_PID" 2>/dev/null || true)
    _nt_kill "$NEUTRON_PID"
    for k in $kids; do _nt_kill "$k"; done
    NEUTRON_PID=
}

neutron_up() {
    NEUTRON_DIR=$1/neutron
    NEUTRON_NB=$2
    mkdir -p "$NEUTRON_DIR/state" "$NEUTRON_DIR/lock"
    NEUTRON_CONF=$NEUTRON_DIR/neutron.conf
    NEUTRON_LOG=$NEUTRON_DIR/neutron-server.log
    NEUTRON_URL=http://127.0.0.1:${NEUTRON_PORT:-19696}
    if [ -n "${NT_DB_URL:-}" ]; then
        NEUTRON_DB_URL=$NT_DB_URL
        _nt_load_schema "$NEUTRON_DB_URL" || return 1
    else
        [ -n "${NT_DB_SOCK:-}" ] || nt_db_up "$1" || return 1
        if [ "${NT_DB_NEUTRON:-}" = yes ]; then
            NEUTRON_DB_URL="mysql+pymysql://root@localhost/neutron"
            NEUTRON_DB_URL+="?unix_socket=$NT_DB_SOCK"
            NT_DB_NEUTRON=used
        else
            NEUTRON_DB_URL=$(nt_db_create "neutron$$") || return 1
            _nt_load_schema "$NEUTRON_DB_URL" || return 1
        fi
    fi
    NEUTRON_PYTHONPATH=$(_nt_pythonpath "$NEUTRON_DIR") || return 1
    if [ "${NEUTRON_AUTH:-noauth}" = keystone ] \
       && [ -z "${NEUTRON_KEYSTONE_URL:-}" ]; then
        [ -n "${KS_URL:-}" ] || { _nt_log "NEUTRON_AUTH=keystone: no ks_up"; \
                                  return 1; }
        ks_user neutron "$NEUTRON_KEYSTONE_PASSWORD" service admin \
            >/dev/null || return 1
        ks_service network neutron "$NEUTRON_URL" >/dev/null || return 1
    fi
    _nt_write_conf
    neutron_start
}

neutron_down() {
    neutron_stop
    local pid
    for pid in "${NT_PIDS[@]}"; do
        _nt_kill "$pid"
    done
    NT_PIDS=()
}

nt_os() {
    if [ "${NEUTRON_AUTH:-noauth}" = noauth ]; then
        osc "$NEUTRON_URL" "$@"
    else
        (eval "$(ks_env admin "$KS_ADMIN_PASSWORD" admin)"
         openstack "$@")
    fi
}

nt_wait_log() {
    local pattern=$1 secs=${2:-30} i
    for i in $(seq $((secs * 5))); do
        grep -q -- "$pattern" "$NEUTRON_LOG" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}
