"""ovsdbrpc: a minimal OVSDB JSON-RPC client (RFC 7047) on a unix socket.

Enough for the benchmarks: "transact" of any size (no command-line limit)
and "monitor" (or "monitor_cond") of a few columns, with the updates
folded into a local copy of the monitored rows so that a caller can wait
for a condition on them (a chassis acknowledging nb_cfg).  No dependency
beyond the standard library.
"""
import json
import select
import socket
import time


class OvsdbError(Exception):
    pass


class Connection:
    def __init__(self, remote, timeout=60.0):
        path = remote[len("unix:"):] if remote.startswith("unix:") else remote
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.setblocking(False)
        self.timeout = timeout
        self.buf = ""
        self.dec = json.JSONDecoder()
        self.next_id = 1
        self.replies = {}
        # monitor id -> {table: {uuid: row}}
        self.tables = {}

    def close(self):
        self.sock.close()

    def _send(self, msg):
        data = json.dumps(msg, separators=(",", ":")).encode()
        self.sock.setblocking(True)
        try:
            self.sock.sendall(data)
        finally:
            self.sock.setblocking(False)

    def _handle(self, msg):
        method = msg.get("method")
        if method == "echo":
            self._send({"result": msg["params"], "error": None,
                        "id": msg["id"]})
        elif method == "update":
            mon_id, updates = msg["params"][0], msg["params"][1]
            self._apply(mon_id, updates)
        elif method == "update2":
            mon_id, updates = msg["params"][0], msg["params"][1]
            self._apply2(mon_id, updates)
        elif "id" in msg and method is None:
            self.replies[msg["id"]] = msg

    def _apply(self, mon_id, updates):
        tables = self.tables.setdefault(mon_id, {})
        for table, rows in updates.items():
            t = tables.setdefault(table, {})
            for uuid, change in rows.items():
                new = change.get("new")
                if new is None:
                    t.pop(uuid, None)
                else:
                    t[uuid] = new

    def _apply2(self, mon_id, updates):
        """Folds a monitor_cond "update2" in; a "modify" carries the new
        value of each changed column (enough for the scalar columns the
        benchmarks watch: sets and maps would need their diff applied)."""
        tables = self.tables.setdefault(mon_id, {})
        for table, rows in updates.items():
            t = tables.setdefault(table, {})
            for uuid, change in rows.items():
                if "delete" in change:
                    t.pop(uuid, None)
                elif "modify" in change:
                    t.setdefault(uuid, {}).update(change["modify"])
                else:
                    t[uuid] = change.get("initial", change.get("insert", {}))

    def poll(self, timeout):
        """Reads and handles whatever arrives within 'timeout' seconds."""
        r, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        if not r:
            return
        chunk = self.sock.recv(1 << 22)
        if not chunk:
            raise OvsdbError("connection closed by the server")
        self.buf += chunk.decode()
        while True:
            s = self.buf.lstrip()
            if not s:
                self.buf = ""
                break
            try:
                msg, end = self.dec.raw_decode(s)
            except ValueError:
                self.buf = s
                break
            self.buf = s[end:]
            self._handle(msg)

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self._send({"method": method, "params": params, "id": rid})
        deadline = time.monotonic() + self.timeout
        while rid not in self.replies:
            left = deadline - time.monotonic()
            if left <= 0:
                raise OvsdbError("no reply to %s in %.0f s"
                                 % (method, self.timeout))
            self.poll(left)
        reply = self.replies.pop(rid)
        if reply.get("error"):
            raise OvsdbError("%s: %s" % (method, reply["error"]))
        return reply["result"]

    def transact(self, db, ops):
        """Runs 'ops' in one transaction; raises on any error."""
        result = self.request("transact", [db] + ops)
        for i, r in enumerate(result):
            if r is not None and "error" in r:
                op = ops[i] if i < len(ops) else None
                raise OvsdbError("transaction failed at op %d (%s): %s"
                                 % (i, json.dumps(op)[:300] if op else "-",
                                    r))
        return result

    def monitor(self, db, mon_id, table_columns):
        """Monitors {table: [columns]}; returns the rows' local copy."""
        reqs = {t: {"columns": cols} for t, cols in table_columns.items()}
        initial = self.request("monitor", [db, mon_id, reqs])
        self.tables[mon_id] = {}
        self._apply(mon_id, initial)
        return self.tables[mon_id]

    def monitor_cond(self, db, mon_id, table_requests):
        """Monitors {table: {"columns": [...], "where": [...]}} with
        monitor_cond: only the rows the conditions select arrive."""
        initial = self.request("monitor_cond", [db, mon_id, table_requests])
        self.tables[mon_id] = {}
        self._apply2(mon_id, initial)
        return self.tables[mon_id]

    def wait_for(self, predicate, timeout):
        """Polls until predicate() is true; returns False on timeout."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.poll(min(left, 0.5))
        return True
