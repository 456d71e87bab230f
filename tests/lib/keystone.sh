# tests/lib/keystone.sh: a private MariaDB and a Keystone for tests.
# shellcheck shell=bash
#
# Source it, then:
#
#   ks_up DIR                 starts a MariaDB (datadir DIR/mysql, unix
#                             socket only, no TCP) and Keystone (uwsgi on
#                             127.0.0.1, a free port) with the admin user
#                             and project "admin", the "service" project,
#                             the roles admin, member and reader, and
#                             Keystone's own endpoints in RegionOne.
#                             Exports KS_DIR, KS_PORT, KS_URL (".../v3"),
#                             KS_DB_SOCKET, KS_ADMIN_PASSWORD.  The
#                             migrated and bootstrapped databases are cached
#                             under $DVRFLOW_CACHE (default
#                             /var/cache/dvrflow), keyed by the package
#                             versions and this file: a second ks_up takes
#                             a few seconds.
#   ks_down                   stops both by pid (safe to call twice, and
#                             from a trap); DIR is left for the caller.
#   ks_mysql [ARGS...]        the mysql client on the private server.
#   ks_db_create NAME         creates database NAME (dropped first if it
#                             exists); prints its SQLAlchemy URL.
#   ks_admin_token            prints a token of admin in project admin.
#   ks_project NAME           creates project NAME (once); prints its id.
#   ks_user NAME PASSWORD PROJECT [ROLE]
#                             creates user NAME (once) with ROLE (default
#                             member) on PROJECT (created if missing);
#                             prints the user's id.
#   ks_service TYPE NAME URL  registers a service and its public, internal
#                             and admin endpoints.
#   ks_token USER PASSWORD PROJECT
#                             prints a project-scoped token.
#   ks_env USER PASSWORD PROJECT
#                             prints the OS_* variables for the openstack
#                             client, one "export" per line (eval it).
#
# Setting: KS_BIND_PORT, if set, is the TCP port on 127.0.0.1 Keystone
# listens on (default: a free port the kernel picks).
#
# Everything runs as root with files under DIR only; nothing is started
# in another namespace.  Errors print "keystone: ..." on stderr and return
# 1.

KS_ADMIN_PASSWORD=dvrflow-admin
KS_DIR=
KS_PORT=
KS_URL=
KS_DB_SOCKET=
_ks_self=$(readlink -f "${BASH_SOURCE[0]}")

_ks_die() {
    echo "keystone: $*" >&2
    return 1
}

# _ks_free_port: prints a TCP port on 127.0.0.1 that nothing listens on.
_ks_free_port() {
    /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# _ks_wait SECONDS CMD...: runs CMD every 0.2 s until it succeeds.
_ks_wait() {
    local deadline=$(($(date +%s) + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

_ks_conf() {
    cat > "$KS_DIR/keystone.conf" <<EOF
[DEFAULT]
log_file = $KS_DIR/keystone.log
[database]
connection = mysql+pymysql://root@localhost/keystone?unix_socket=$KS_DB_SOCKET
[token]
provider = fernet
[fernet_tokens]
key_repository = $KS_DIR/fernet-keys
[credential]
key_repository = $KS_DIR/credential-keys
EOF
}

_ks_mysqld_start() {
    mkdir -p "$KS_DIR/mysql-run"
    mariadbd --no-defaults --user=root --datadir="$KS_DIR/mysql" \
        --socket="$KS_DB_SOCKET" --skip-networking \
        --pid-file="$KS_DIR/mysqld.pid" \
        --log-error="$KS_DIR/mysqld.log" \
        --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
        --max-connections=500 </dev/null >/dev/null 2>&1 &
    echo $! > "$KS_DIR/mysqld.bgpid"
    _ks_wait 60 mariadb-admin --socket="$KS_DB_SOCKET" -uroot ping \
        || _ks_die "MariaDB did not start (see $KS_DIR/mysqld.log)"
}

# uwsgi's --http-socket keeps no connection alive: without "Connection:
# close" a client that reuses its connection (the openstack client) has it
# reset under it.
_ks_keystone_start() {
    KS_PORT=${KS_BIND_PORT:-$(_ks_free_port)}
    KS_URL=http://127.0.0.1:$KS_PORT/v3
    (cd / && OS_KEYSTONE_CONFIG_FILES=$KS_DIR/keystone.conf \
        exec uwsgi --plugins python3 --http-socket "127.0.0.1:$KS_PORT" \
        --wsgi-file /usr/bin/keystone-wsgi-public --processes 1 \
        --threads 4 --master --die-on-term --need-app \
        --add-header 'Connection: close' \
        --pidfile "$KS_DIR/uwsgi.pid" --logto "$KS_DIR/uwsgi.log" \
        </dev/null >/dev/null 2>&1) &
    echo $! > "$KS_DIR/uwsgi.bgpid"
    _ks_wait 60 curl -sf "$KS_URL" \
        || _ks_die "Keystone did not start (see $KS_DIR/uwsgi.log)"
}

# _ks_prepare: the migrated, bootstrapped state of DIR, made once.
_ks_prepare() {
    mariadb-install-db --no-defaults --user=root \
        --datadir="$KS_DIR/mysql" --auth-root-authentication-method=normal \
        --skip-test-db >"$KS_DIR/install-db.log" 2>&1 \
        || _ks_die "mariadb-install-db failed (see $KS_DIR/install-db.log)" \
        || return 1
    _ks_mysqld_start || return 1
    ks_mysql -e 'CREATE DATABASE keystone' || return 1
    local manage="keystone-manage --config-file $KS_DIR/keystone.conf"
    (cd "$KS_DIR" && $manage db_sync \
        && $manage fernet_setup --keystone-user root --keystone-group root \
        && $manage credential_setup --keystone-user root \
            --keystone-group root \
        && $manage bootstrap --bootstrap-password "$KS_ADMIN_PASSWORD" \
            --bootstrap-region-id RegionOne \
            --bootstrap-admin-url "http://127.0.0.1:9/v3/" \
            --bootstrap-internal-url "http://127.0.0.1:9/v3/" \
            --bootstrap-public-url "http://127.0.0.1:9/v3/") \
        >"$KS_DIR/manage.log" 2>&1 \
        || _ks_die "keystone-manage failed (see $KS_DIR/manage.log)" \
        || return 1
}

ks_up() {
    KS_DIR=$(mkdir -p "$1" && cd "$1" && pwd) || return 1
    KS_DB_SOCKET=$KS_DIR/mysql.sock
    export KS_DIR KS_DB_SOCKET KS_ADMIN_PASSWORD
    local cache=${DVRFLOW_CACHE:-/var/cache/dvrflow} key
    key=$(dpkg-query -W -f='${Version}' keystone mariadb-server \
        | cat - "$_ks_self" | sha1sum | cut -c1-12)
    local tarball=$cache/keystone-$key.tar
    _ks_conf
    mkdir -p "$cache"
    (
        flock 9
        if [ ! -f "$tarball" ]; then
            local tmp
            tmp=$(mktemp -d "$cache/keystone-prep.XXXXXX")
            (
                KS_DIR=$tmp KS_DB_SOCKET=$tmp/mysql.sock
                _ks_conf && _ks_prepare
                rc=$?
                _ks_stop_pidfile "$tmp/mysqld.pid" "$tmp/mysqld.bgpid"
                [ $rc = 0 ] && tar -C "$tmp" -cf "$tarball.new" mysql \
                    fernet-keys credential-keys \
                    && mv "$tarball.new" "$tarball" \
                    && find "$cache" -maxdepth 1 -name 'keystone-*.tar' \
                        ! -path "$tarball" -delete
            )
            rm -rf "$tmp"
        fi
    ) 9>"$cache/keystone.lock"
    [ -f "$tarball" ] || _ks_die "could not prepare Keystone's database" \
        || return 1
    tar -C "$KS_DIR" -xf "$tarball" || return 1
    _ks_mysqld_start || return 1
    _ks_keystone_start || return 1
    # The catalog, made with port 9 (discard) as a placeholder, names the
    # port this Keystone got.
    ks_mysql keystone -e "UPDATE endpoint SET url =
        REPLACE(url, '127.0.0.1:9/', '127.0.0.1:$KS_PORT/')" || return 1
    export KS_PORT KS_URL
}

# _ks_stop_pidfile PIDFILE...: stops the process of each pid file, by
# pid, and waits for it (at most 10 s, then SIGKILL).
_ks_stop_pidfile() {
    local f pid i
    for f in "$@"; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null)
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null || continue
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] \
                && break
            sleep 0.2
        done
        kill -9 "$pid" 2>/dev/null || true
    done
}

ks_down() {
    [ -n "$KS_DIR" ] || return 0
    _ks_stop_pidfile "$KS_DIR/uwsgi.pid" "$KS_DIR/uwsgi.bgpid" \
        "$KS_DIR/mysqld.pid" "$KS_DIR/mysqld.bgpid"
}

ks_mysql() {
    mariadb --no-defaults --socket="$KS_DB_SOCKET" -uroot "$@"
}

ks_db_create() {
    ks_mysql -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`" \
        || return 1
    echo "mysql+pymysql://root@localhost/$1?unix_socket=$KS_DB_SOCKET"
}

# _ks_auth_body USER PASSWORD PROJECT: a password authentication request.
_ks_auth_body() {
    jq -n --arg u "$1" --arg p "$2" --arg pr "$3" '{auth: {
        identity: {methods: ["password"], password: {user: {name: $u,
            domain: {id: "default"}, password: $p}}},
        scope: {project: {name: $pr, domain: {id: "default"}}}}}'
}

ks_token() {
    _ks_auth_body "$1" "$2" "$3" \
        | curl -sf -D - -o /dev/null -H 'Content-Type: application/json' \
            -d @- "$KS_URL/auth/tokens" \
        | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *\([^[:space:]]*\).*/\1/p' \
        | grep . || _ks_die "no token for $1 in $3"
}

ks_admin_token() {
    ks_token admin "$KS_ADMIN_PASSWORD" admin
}

# _ks_api METHOD PATH [BODY]: an admin request; prints the answer.
_ks_api() {
    local token
    token=$(ks_admin_token) || return 1
    curl -sf -X "$1" -H "X-Auth-Token: $token" \
        -H 'Content-Type: application/json' ${3:+-d "$3"} "$KS_URL$2"
}

# _ks_find KIND NAME: prints the id of the object KIND (projects, users,
# roles, services) named NAME, if any.
_ks_find() {
    _ks_api GET "/$1?name=$2" | jq -r ".$1[0].id // empty"
}

ks_project() {
    local id
    id=$(_ks_find projects "$1")
    [ -n "$id" ] || id=$(_ks_api POST /projects "$(jq -n --arg n "$1" \
        '{project: {name: $n, domain_id: "default"}}')" \
        | jq -r .project.id)
    [ -n "$id" ] || _ks_die "cannot create project $1" || return 1
    echo "$id"
}

ks_user() {
    local name=$1 password=$2 project=$3 role=${4:-member} uid pid rid
    pid=$(ks_project "$project") || return 1
    uid=$(_ks_find users "$name")
    [ -n "$uid" ] || uid=$(_ks_api POST /users "$(jq -n --arg n "$name" \
        --arg p "$password" --arg pr "$pid" '{user: {name: $n,
            password: $p, domain_id: "default", default_project_id: $pr}}')" \
        | jq -r .user.id)
    [ -n "$uid" ] || _ks_die "cannot create user $name" || return 1
    rid=$(_ks_find roles "$role")
    [ -n "$rid" ] || rid=$(_ks_api POST /roles "$(jq -n --arg n "$role" \
        '{role: {name: $n}}')" | jq -r .role.id)
    _ks_api PUT "/projects/$pid/users/$uid/roles/$rid" >/dev/null \
        || _ks_die "cannot give $name the role $role on $project" \
        || return 1
    echo "$uid"
}

ks_service() {
    local type=$1 name=$2 url=$3 sid iface
    sid=$(_ks_api POST /services "$(jq -n --arg t "$type" --arg n "$name" \
        '{service: {type: $t, name: $n}}')" | jq -r .service.id)
    [ -n "$sid" ] || _ks_die "cannot register service $name" || return 1
    for iface in public internal admin; do
        _ks_api POST /endpoints "$(jq -n --arg s "$sid" --arg i "$iface" \
            --arg u "$url" '{endpoint: {service_id: $s, interface: $i,
                url: $u, region_id: "RegionOne"}}')" >/dev/null \
            || _ks_die "cannot register $name's $iface endpoint" || return 1
    done
}

ks_env() {
    cat <<EOF
export OS_AUTH_URL=$KS_URL
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=$1
export OS_PASSWORD=$2
export OS_PROJECT_NAME=$3
export OS_USER_DOMAIN_ID=default
export OS_PROJECT_DOMAIN_ID=default
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
EOF
}
