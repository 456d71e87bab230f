# tests/lib/nova.sh: Nova's side of the Neutron tier, from Debian's
# packages, started by the test itself and stopped by pid.
# shellcheck shell=bash
#
# RabbitMQ (its own node name, ports, epmd and directories), Placement
# (uwsgi), Glance (file store), nova-api (compute API and metadata API),
# nova-conductor, nova-scheduler and one nova-compute per host with the
# fake virt driver (compute_driver = fake.FakeDriver), run from
# python3-nova's entry point: the nova-compute package wants a hypervisor
# package.  Each compute's `host` is a sandbox node's name, so Neutron
# binds the server's port to that node's Chassis.  Keystone and MariaDB
# come from tests/lib/keystone.sh (source it first and ks_up): the
# databases are made by ks_db_create (or $NOVA_DB_CREATE NAME, which
# prints a SQLAlchemy URL).
#
#   nova_up DIR HOST...   starts everything with its files in DIR, one
#                         nova-compute per HOST, registers the services
#                         in Keystone and returns once every HOST is a
#                         resource provider in Placement and mapped to
#                         cell1.  Prints nothing; fails with a message.
#                         Phase times go to DIR/log/phases.
#   nova_start DIR HOST... / nova_wait
#                         the two halves of nova_up, so that the caller
#                         can start neutron-server meanwhile
#   nova_down             stops what nova_up started (by pid; safe to call
#                         twice and from a trap)
#   nova_compute_stop HOST / nova_compute_start HOST
#   nova_vif_plugged PORT prints how many network-vif-plugged events
#                         nova-api accepted for PORT
#   nova_log NAME         the log file of service NAME (api, conductor,
#                         scheduler, compute-HOST, placement, glance,
#                         rabbit)
#
#   nova_metadata_forward NETNS...
#                         Nova's metadata API on 127.0.0.1:8775 in each
#                         namespace (for dvr-controller's proxy)
#
# Sets NOVA_API_URL, NOVA_METADATA_PORT, NOVA_METADATA_SECRET (kept if
# the caller set it: the controllers' shared secret),
# NOVA_TRANSPORT_URL (Neutron's notifier needs only Keystone's catalog).
#
# Databases: the migrated schemas of nova_api, nova, nova_cell0, placement
# and glance are cached as mysqldump files in $DVRFLOW_CACHE (default
# /var/cache/dvrflow), keyed by the versions of the packages that migrate
# them; a cache miss runs the packages' own db sync and fills the cache.
#
# Ports: from $NOVA_PORT_BASE (default 19700) on, each the next free one.

: "${DVRFLOW_CACHE:=/var/cache/dvrflow}"
: "${NOVA_PORT_BASE:=19700}"
NOVA_DIR=
NOVA_PIDS=()
NOVA_PYTHON=/usr/bin/python3
NOVA_SERVICE_PW=dvrflow-nova-test
NOVA_DBS="nova_api nova nova_cell0 placement glance"

_nova_log() { printf 'nova.sh: %s\n' "$*" >&2; }
_nova_die() { _nova_log "error: $*"; return 1; }

# _nova_port N: prints a free TCP port on 127.0.0.1 at or after N.
_nova_port() {
    local p=$1
    while ss -Htln "sport = :$p" | grep -q . \
          || [[ " ${_nova_taken[*]} " == *" $p "* ]]; do
        p=$((p + 1))
    done
    _nova_taken+=("$p")
    echo "$p"
}

# _nova_wait_port PORT SECONDS NAME: waits until PORT listens on loopback.
_nova_wait_port() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        ss -Htln "sport = :$1" | grep -q . && return 0
        sleep 0.1
    done
    _nova_die "$3 does not listen on port $1 after $2 s (see $NOVA_DIR/log)"
}

# _nova_spawn NAME CMD...: starts CMD in the background with its output in
# log/NAME.out; records its pid in NAME.pid.
_nova_spawn() {
    local name=$1
    shift
    (cd / && exec "$@") >"$NOVA_DIR/log/$name.out" 2>&1 &
    echo $! >"$NOVA_DIR/$name.pid"
    NOVA_PIDS+=("$!")
}

# _nova_versions: the cache key: the packages whose migrations make the
# schemas.
_nova_versions() {
    dpkg-query -W -f='${Version}\n' python3-nova python3-placement \
        python3-glance 2>/dev/null | tr '\n:~+' '____' | tr -cd 'a-z0-9._-'
}

_nova_conf_auth() {
    # [section] user: a keystone password-auth block.
    cat <<EOF
auth_url = $KS_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $NOVA_SERVICE_PW
region_name = RegionOne
EOF
}

_nova_conf_authtoken() {
    cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KS_URL
memcached_servers =
service_token_roles_required = true
$(_nova_conf_auth "$1")
EOF
}

_nova_write_configs() {
    local d=$NOVA_DIR
    mkdir -p "$d/placement" "$d/glance/images" "$d/glance/staging" \
        "$d/glance/tasks" "$d/lock" "$d/state" "$d/instances" "$d/log" \
        "$d/rabbit"
    : "${NOVA_METADATA_SECRET:=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
    cat >"$d/placement/placement.conf" <<EOF
[DEFAULT]
log_file = $d/log/placement.log
[placement_database]
connection = $(_nova_db_url placement)
[api]
auth_strategy = keystone
$(_nova_conf_authtoken placement)
EOF
    cat >"$d/glance-api.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $NOVA_GLANCE_PORT
workers = 1
log_file = $d/log/glance-api.log
enabled_backends = fs:file
[database]
connection = $(_nova_db_url glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $d/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $d/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $d/glance/tasks
$(_nova_conf_authtoken glance)
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $d/lock
EOF
    cat >"$d/nova.conf" <<EOF
[DEFAULT]
transport_url = $NOVA_TRANSPORT_URL
compute_driver = fake.FakeDriver
my_ip = 127.0.0.1
state_path = $d/state
instances_path = $d/instances
enabled_apis = osapi_compute,metadata
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = $NOVA_API_PORT
osapi_compute_workers = 1
metadata_listen = 127.0.0.1
metadata_listen_port = $NOVA_METADATA_PORT
metadata_workers = 1
heal_instance_info_cache_interval = -1
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[api_database]
connection = $(_nova_db_url nova_api)
[database]
connection = $(_nova_db_url nova)
$(_nova_conf_authtoken nova)
[placement]
$(_nova_conf_auth placement)
[neutron]
$(_nova_conf_auth nova)
${NEUTRON_URL:+endpoint_override = $NEUTRON_URL}
service_metadata_proxy = true
metadata_proxy_shared_secret = $NOVA_METADATA_SECRET
[glance]
api_servers = http://127.0.0.1:$NOVA_GLANCE_PORT
[scheduler]
discover_hosts_in_cells_interval = -1
workers = 1
[conductor]
workers = 1
[oslo_concurrency]
lock_path = $d/lock
[vnc]
enabled = false
EOF
}

# _nova_compute_conf HOST: the per-compute overrides.
_nova_compute_conf() {
    mkdir -p "$NOVA_DIR/compute-$1/state" "$NOVA_DIR/compute-$1/instances"
    cat >"$NOVA_DIR/compute-$1/nova.conf" <<EOF
[DEFAULT]
host = $1
state_path = $NOVA_DIR/compute-$1/state
instances_path = $NOVA_DIR/compute-$1/instances
EOF
}

# _nova_rabbit: RabbitMQ in the foreground, on its own ports, with its own
# epmd (ERL_EPMD_PORT), node name and directories.
_nova_rabbit() {
    local r=$NOVA_DIR/rabbit
    : >"$r/enabled_plugins"
    cat >"$r/env" <<EOF
export HOME=$r
export RABBITMQ_NODENAME=dvrnova$NOVA_RABBIT_PORT@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$NOVA_RABBIT_PORT
export RABBITMQ_DIST_PORT=$NOVA_RABBIT_DIST_PORT
export ERL_EPMD_PORT=$NOVA_EPMD_PORT
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE=$r/mnesia
export RABBITMQ_LOG_BASE=$NOVA_DIR/log
export RABBITMQ_ENABLED_PLUGINS_FILE=$r/enabled_plugins
export RABBITMQ_CONFIG_FILE=$r/rabbitmq
export RABBITMQ_ADVANCED_CONFIG_FILE=$r/advanced.config
export RABBITMQ_PID_FILE=$r/rabbit.pid
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
    printf 'loopback_users = none\n' >"$r/rabbitmq.conf"
    printf '[].\n' >"$r/advanced.config"
    # shellcheck disable=SC1091
    _nova_spawn rabbit bash -c ". $r/env && exec /usr/lib/rabbitmq/bin/rabbitmq-server"
}

# _nova_db_url NAME: the SQLAlchemy URL of database NAME.
_nova_db_url() {
    echo "${_nova_db_urls[$1]}"
}

# _nova_sql NAME mysql|mysqldump ARGS...: runs the MariaDB client on
# database NAME (unix socket or host from its URL).
_nova_sql() {
    local url=${_nova_db_urls[$1]} cmd=$2 args
    shift 2
    mapfile -t args < <("$NOVA_PYTHON" - "$url" <<'EOF'
import sys
import urllib.parse as up
u = up.urlparse(sys.argv[1])
query = up.parse_qs(u.query)
args = []
if 'unix_socket' in query:
    args += ['--socket=' + query['unix_socket'][0]]
else:
    args += ['--host=' + (u.hostname or 'localhost')]
    if u.port:
        args += ['--port=%d' % u.port]
args += ['--user=' + up.unquote(u.username or 'root')]
if u.password:
    args += ['--password=' + up.unquote(u.password)]
args.append(u.path.lstrip('/'))
print('\n'.join(args))
EOF
)
    "$cmd" --no-defaults "${args[@]:0:${#args[@]}-1}" "$@" "${args[-1]}"
}

# _nova_db_ready: every database exists and is migrated: from the cache
# when it has this package set's dump, else by the packages' db sync
# (which then fills the cache).  The cell mappings are rewritten for this
# run's database URLs and transport URL.
_nova_db_ready() {
    local key db dump sync_rc=0
    key=$(_nova_versions)
    dump=$DVRFLOW_CACHE/nova-db-$key
    if [ -f "$dump/.complete" ]; then
        local pids=()
        for db in $NOVA_DBS; do
            _nova_sql "$db" mysql <"$dump/$db.sql" &
            pids+=("$!")
        done
        for db in "${pids[@]}"; do
            wait "$db" || sync_rc=1
        done
        [ $sync_rc = 0 ] || _nova_die "cannot restore the databases" \
            "from $dump" || return 1
    else
        _nova_log "no cached schema for $key: migrating (about a minute)"
        (
            local c="--config-file $NOVA_DIR/nova.conf"
            # shellcheck disable=SC2086
            nova-manage $c api_db sync && nova-manage $c cell_v2 map_cell0 \
                --database_connection "$(_nova_db_url nova_cell0)" \
                && nova-manage $c cell_v2 create_cell --name=cell1 \
                && nova-manage $c db sync
        ) >"$NOVA_DIR/log/nova-dbsync.log" 2>&1 &
        local vp=$!
        placement-manage --config-file "$NOVA_DIR/placement/placement.conf" \
            db sync >"$NOVA_DIR/log/placement-dbsync.log" 2>&1 &
        local pp=$!
        glance-manage --config-file "$NOVA_DIR/glance-api.conf" db_sync \
            >"$NOVA_DIR/log/glance-dbsync.log" 2>&1 || sync_rc=1
        wait $pp || sync_rc=1
        wait $vp || sync_rc=1
        [ $sync_rc = 0 ] || _nova_die "db sync failed (see $NOVA_DIR/log)" \
            || return 1
        mkdir -p "$dump.tmp.$$"
        for db in $NOVA_DBS; do
            _nova_sql "$db" mysqldump --skip-comments \
                >"$dump.tmp.$$/$db.sql" || sync_rc=1
        done
        if [ $sync_rc = 0 ]; then
            touch "$dump.tmp.$$/.complete"
            rm -rf "$dump"
            mv "$dump.tmp.$$" "$dump" || rm -rf "$dump.tmp.$$"
        else
            rm -rf "$dump.tmp.$$"
        fi
    fi
    _nova_sql nova_api mysql <<EOF
UPDATE cell_mappings SET transport_url = '$NOVA_TRANSPORT_URL',
    database_connection = '$(_nova_db_url nova)' WHERE name = 'cell1';
UPDATE cell_mappings SET transport_url = 'none:///',
    database_connection = '$(_nova_db_url nova_cell0)'
    WHERE uuid = '00000000-0000-0000-0000-000000000000';
EOF
}

# _nova_keystone: the service project, users nova, placement and glance
# (admin in project service; nova also talks to Neutron), neutron if
# missing and NEUTRON_KEYSTONE_PASSWORD is set, and the endpoints of
# compute, placement, image and (with NEUTRON_URL) network.
_nova_keystone() {
    eval "$(ks_env admin "$KS_ADMIN_PASSWORD" admin)"
    NOVA_SERVICE_PW=$NOVA_SERVICE_PW \
    NEUTRON_KEYSTONE_PASSWORD=${NEUTRON_KEYSTONE_PASSWORD:-} \
    NOVA_ENDPOINTS="compute nova http://127.0.0.1:$NOVA_API_PORT/v2.1
placement placement http://127.0.0.1:$NOVA_PLACEMENT_PORT
image glance http://127.0.0.1:$NOVA_GLANCE_PORT
${NEUTRON_URL:+network neutron $NEUTRON_URL}" \
    "$NOVA_PYTHON" - <<'EOF'
import os
from keystoneauth1 import loading, session
from keystoneclient.v3 import client

auth = loading.get_plugin_loader('password').load_from_options(
    auth_url=os.environ['OS_AUTH_URL'], username=os.environ['OS_USERNAME'],
    password=os.environ['OS_PASSWORD'],
    project_name=os.environ['OS_PROJECT_NAME'],
    user_domain_id='default', project_domain_id='default')
ks = client.Client(session=session.Session(auth=auth))


def find(manager, **kw):
    found = manager.list(**kw)
    return found[0] if found else None


project = (find(ks.projects, name='service')
           or ks.projects.create(name='service', domain='default'))
admin = find(ks.roles, name='admin')
service_role = find(ks.roles, name='service')
for name in ('nova', 'placement', 'glance'):
    user = find(ks.users, name=name)
    if user is None:
        user = ks.users.create(name=name, domain='default',
                               password=os.environ['NOVA_SERVICE_PW'])
    else:
        ks.users.update(user, password=os.environ['NOVA_SERVICE_PW'])
    ks.roles.grant(admin, user=user, project=project)
    if service_role is not None:
        ks.roles.grant(service_role, user=user, project=project)
# Neutron's user, only if Keystone's setup did not make it.
if (os.environ['NEUTRON_KEYSTONE_PASSWORD']
        and find(ks.users, name='neutron') is None):
    user = ks.users.create(name='neutron', domain='default',
                           password=os.environ['NEUTRON_KEYSTONE_PASSWORD'])
    ks.roles.grant(admin, user=user, project=project)
for line in os.environ['NOVA_ENDPOINTS'].splitlines():
    if not line.strip():
        continue
    kind, name, url = line.split()
    svc = find(ks.services, type=kind)
    if svc is None:
        svc = ks.services.create(name=name, type=kind)
    for ep in ks.endpoints.list(service=svc):
        ks.endpoints.delete(ep)
    for iface in ('public', 'internal', 'admin'):
        ks.endpoints.create(service=svc, url=url, interface=iface,
                            region='RegionOne')
EOF
}

# nova_compute_start HOST: one nova-compute with the fake driver.
nova_compute_start() {
    _nova_compute_conf "$1"
    _nova_spawn "compute-$1" "$NOVA_PYTHON" -c '
import sys
from nova.cmd.compute import main
sys.argv = ["nova-compute"] + sys.argv[1:]
sys.exit(main())' --config-file "$NOVA_DIR/nova.conf" \
        --config-file "$NOVA_DIR/compute-$1/nova.conf" \
        --log-file "$NOVA_DIR/log/compute-$1.log"
}

# nova_compute_stop HOST
nova_compute_stop() {
    _nova_stop_pidfile "$NOVA_DIR/compute-$1.pid"
}

# _nova_stop_pidfile FILE: SIGTERM, then SIGKILL after 10 s.
_nova_stop_pidfile() {
    local pid i
    [ -f "$1" ] || return 0
    pid=$(cat "$1")
    rm -f "$1"
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        # A zombie counts as stopped (PID 1 reaps late here).
        [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    return 0
}

# _nova_wait_computes HOST...: each HOST is a resource provider in
# Placement (nova-compute has registered), then maps them to cell1.
_nova_wait_computes() {
    local i h rps missing token
    token=$(ks_admin_token) || return 1
    for ((i = 0; i < 900; i++)); do
        rps=$(curl -sf -H "X-Auth-Token: $token" \
                  -H 'OpenStack-API-Version: placement 1.20' \
                  "http://127.0.0.1:$NOVA_PLACEMENT_PORT/resource_providers")
        missing=
        for h in "$@"; do
            [[ $rps == *"\"name\": \"$h\""* || $rps == *"\"name\":\"$h\""* ]] \
                || missing="$missing $h"
        done
        [ -z "$missing" ] && break
        sleep 0.2
    done
    [ -z "$missing" ] || _nova_die "computes not in Placement after 180 s:" \
        "$missing (see $NOVA_DIR/log/compute-*.log)" || return 1
    nova-manage --config-file "$NOVA_DIR/nova.conf" cell_v2 discover_hosts \
        >"$NOVA_DIR/log/discover.log" 2>&1 \
        || _nova_die "discover_hosts failed (see $NOVA_DIR/log/discover.log)"
}

nova_up() {
    nova_start "$@" && nova_wait
}

# _nova_phase NAME: notes how long bring-up took to reach NAME (in
# log/phases).
_nova_phase() {
    echo "$(( ($(date +%s%N) - _nova_t0) / 1000000 )) ms $1" \
        >>"$NOVA_DIR/log/phases"
}

nova_start() {
    local h db ks_pid
    NOVA_DIR=$1
    shift
    NOVA_HOSTS=("$@")
    _nova_t0=$(date +%s%N)
    mkdir -p "$NOVA_DIR/log" || return 1
    _nova_taken=()
    NOVA_RABBIT_PORT=$(_nova_port "$NOVA_PORT_BASE")
    NOVA_RABBIT_DIST_PORT=$(_nova_port "$((NOVA_RABBIT_PORT + 1))")
    NOVA_EPMD_PORT=$(_nova_port "$((NOVA_RABBIT_DIST_PORT + 1))")
    NOVA_PLACEMENT_PORT=$(_nova_port "$((NOVA_EPMD_PORT + 1))")
    NOVA_GLANCE_PORT=$(_nova_port "$((NOVA_PLACEMENT_PORT + 1))")
    NOVA_API_PORT=$(_nova_port "$((NOVA_GLANCE_PORT + 1))")
    NOVA_METADATA_PORT=$(_nova_port "$((NOVA_API_PORT + 1))")
    NOVA_API_URL=http://127.0.0.1:$NOVA_API_PORT/v2.1
    NOVA_TRANSPORT_URL=rabbit://guest:guest@127.0.0.1:$NOVA_RABBIT_PORT/
    mkdir -p "$NOVA_DIR/rabbit"
    _nova_rabbit
    _nova_keystone >"$NOVA_DIR/log/keystone-setup.log" 2>&1 &
    ks_pid=$!
    declare -gA _nova_db_urls=()
    for db in $NOVA_DBS; do
        _nova_db_urls[$db]=$(${NOVA_DB_CREATE:-ks_db_create} "$db") \
            && [ -n "${_nova_db_urls[$db]}" ] \
            || _nova_die "cannot create database $db" || return 1
    done
    _nova_write_configs || return 1
    _nova_db_ready || return 1
    _nova_phase "databases ready"
    wait "$ks_pid" \
        || _nova_die "Keystone setup failed:" \
                     "$(tail -n 3 "$NOVA_DIR/log/keystone-setup.log")" \
        || return 1
    _nova_spawn placement env OS_PLACEMENT_CONFIG_DIR="$NOVA_DIR/placement" \
        uwsgi --plugins python3 --http-socket "127.0.0.1:$NOVA_PLACEMENT_PORT" \
        --wsgi-file /usr/bin/placement-api --processes 1 --threads 4 \
        --master --die-on-term --need-app --add-header 'Connection: close'
    _nova_spawn glance glance-api --config-file "$NOVA_DIR/glance-api.conf"
    # The services wait for RabbitMQ themselves (oslo.messaging retries).
    _nova_spawn api nova-api --config-file "$NOVA_DIR/nova.conf" \
        --log-file "$NOVA_DIR/log/api.log"
    _nova_spawn conductor nova-conductor --config-file "$NOVA_DIR/nova.conf" \
        --log-file "$NOVA_DIR/log/conductor.log"
    _nova_spawn scheduler nova-scheduler --config-file "$NOVA_DIR/nova.conf" \
        --log-file "$NOVA_DIR/log/scheduler.log"
    for h in "$@"; do
        nova_compute_start "$h"
    done
    _nova_phase "Keystone set up, services started"
}

# nova_wait: returns once nova_start's services answer and its computes
# are in Placement and cell1.
nova_wait() {
    _nova_wait_port "$NOVA_RABBIT_PORT" 120 RabbitMQ || return 1
    _nova_phase "RabbitMQ listens"
    _nova_wait_port "$NOVA_PLACEMENT_PORT" 120 Placement || return 1
    _nova_phase "Placement listens"
    _nova_wait_computes "${NOVA_HOSTS[@]}" || return 1
    _nova_phase "computes in Placement and cell1"
    _nova_wait_port "$NOVA_API_PORT" 120 nova-api || return 1
    _nova_wait_port "$NOVA_METADATA_PORT" 120 "nova-api (metadata)" \
        || return 1
    _nova_wait_port "$NOVA_GLANCE_PORT" 120 glance-api || return 1
    _nova_phase "APIs listen"
}

# nova_neutron_conf: the [nova] section neutron-server needs to send Nova
# its events (network-vif-plugged): for tests/lib/neutron.sh's
# NEUTRON_NOVA_CONF.
nova_neutron_conf() {
    printf '[nova]\n'
    _nova_conf_auth nova
}

# nova_down: stops every service nova_up started, computes first.
nova_down() {
    local f epmd stoppers=()
    [ -n "$NOVA_DIR" ] || return 0
    # In parallel; only these jobs are waited for (the caller may have
    # others, e.g. neutron-server).
    for f in "$NOVA_DIR"/fwd-*.pid "$NOVA_DIR"/compute-*.pid \
             "$NOVA_DIR"/{scheduler,conductor,api,glance,placement}.pid; do
        [ -f "$f" ] || continue
        _nova_stop_pidfile "$f" &
        stoppers+=("$!")
    done
    for f in "${stoppers[@]}"; do
        wait "$f"
    done
    # The Erlang VM first (RabbitMQ writes its pid), then the start script.
    _nova_stop_pidfile "$NOVA_DIR/rabbit/rabbit.pid"
    _nova_stop_pidfile "$NOVA_DIR/rabbit.pid"
    # The epmd that RabbitMQ started on our own port: by its pid.
    epmd=$(ss -Htlnp "sport = :$NOVA_EPMD_PORT" 2>/dev/null \
               | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
    [ -n "$epmd" ] && kill -TERM "$epmd" 2>/dev/null
    return 0
}

# nova_metadata_forward NETNS...: Nova's metadata API on 127.0.0.1:8775
# inside each network namespace NETNS (a sandbox node, where dvr-controller
# runs with --metadata-proxy=http://127.0.0.1:8775): socat there relays to
# a unix socket in NOVA_DIR, and socat in the root namespace from it to
# the API (the nodes' namespaces cannot reach the root's loopback; a cloud
# has a management network instead).
nova_metadata_forward() {
    local ns sock=$NOVA_DIR/metadata.sock
    if [ ! -f "$NOVA_DIR/fwd-root.pid" ]; then
        _nova_spawn fwd-root socat \
            "UNIX-LISTEN:$sock,fork,unlink-early,mode=600" \
            "TCP:127.0.0.1:$NOVA_METADATA_PORT"
    fi
    for ns in "$@"; do
        _nova_spawn "fwd-$ns" ip netns exec "$ns" socat \
            TCP-LISTEN:8775,bind=127.0.0.1,fork,reuseaddr \
            "UNIX-CONNECT:$sock"
    done
    for ns in "$@"; do
        for _ in $(seq 50); do
            ip netns exec "$ns" ss -Htln 'sport = :8775' | grep -q . && break
            sleep 0.1
        done
    done
}

# nova_log NAME: prints the path of service NAME's log.
nova_log() {
    echo "$NOVA_DIR/log/$1.log"
}

# nova_vif_plugged PORT: how many network-vif-plugged events for PORT
# nova-api accepted (from Neutron's notifier).
nova_vif_plugged() {
    grep -c "network-vif-plugged:$1" "$NOVA_DIR/log/api.log" 2>/dev/null \
        || true
}
