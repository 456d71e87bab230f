#!/usr/bin/python3
"""Every command the project's scripts run comes from a package that
tools/install-deps installs.

Reads the shell scripts (tests, tools, bench) and the Python scripts'
subprocess calls (and the benchmarks' Node.cmd("command", ...) calls,
bench/lib/nodes.py), takes the words in command position (first word of a
line or of a pipeline stage, after `exec`, `timeout N`, `env A=B`,
`ip netns exec NS`, `sb exec NAME`, ...), and for each word that is an
executable on this machine asks dpkg which package ships it.  That
package must be one that tools/install-deps names, one of its
dependencies (recursively, so installed with it), or one that a fresh
Debian 12 has (Priority required, or what the README assumes: git, gcc,
make, sudo).  Prints one line per offending use, naming the script, the
line, the command and its package, and exits 1; exit 77 (skip) where
dpkg or apt-cache is missing.

Usage: commands.py TOP_SRCDIR
"""

import os
import re
import shutil
import subprocess
import sys

# What a fresh Debian 12 with git (the README's only assumption, plus the
# compiler and make that the chroot of ../shared/tools/fresh-machine has)
# brings besides Priority: required.
BASE_PACKAGES = {"git", "gcc", "make", "sudo", "ca-certificates"}

# Words that introduce a command: the command is the next word (after
# their own options and arguments, which WRAPPER_ARGS counts).
WRAPPERS = {"exec", "timeout", "env", "nice", "sudo", "command", "time",
            "xargs", "setsid", "nohup", "stdbuf", "chroot"}
SEPARATORS = re.compile(r"\|\||&&|[|;(`]|\$\(|\bthen\b|\bdo\b|\belse\b"
                        r"|\bif\b|\bwhile\b|\buntil\b|!")
PY_CALL = re.compile(r"(?:(?:run|Popen|check_output|check_call|call)\(\s*\[\s*"
                     r"|\.cmd\(\s*)[\"']([A-Za-z0-9_.+-]+)[\"']")
SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def declared_packages(top):
    """The package names in tools/install-deps' PACKAGES and
    OVN_PACKAGES (and any other *PACKAGES="..." list)."""
    text = open(os.path.join(top, "tools", "install-deps")).read()
    names = set()
    for m in re.finditer(r'^[A-Z_]*PACKAGES="([^"]*)"', text, re.M):
        names.update(m.group(1).split())
    return names


def dependency_closure(packages):
    """The packages apt surely installs along with PACKAGES: their
    Depends and Pre-Depends, recursively, leaving out groups of
    alternatives (any one of them may be the one installed)."""
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends",
         "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
         "--no-enhances", "--installed"] + sorted(packages),
        capture_output=True, text=True).stdout
    deps = {}
    current = None
    in_group = False
    for line in out.splitlines():
        if not line.startswith(" "):
            current = deps.setdefault(line.strip().split(":")[0], [])
            in_group = False
            continue
        m = re.match(r"\s*(\|?)(?:Pre)?Depends: (<?)([^>\s]+)", line)
        if not m or current is None:
            continue
        alternative = m.group(1) == "|"
        if not alternative and not in_group and not m.group(2):
            current.append(m.group(3).split(":")[0])
        in_group = alternative
    closure = set()
    todo = list(packages)
    while todo:
        pkg = todo.pop()
        if pkg not in closure:
            closure.add(pkg)
            todo.extend(deps.get(pkg, []))
    return closure


def required_packages():
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${Priority}\n"],
        capture_output=True, text=True).stdout
    return {p for p, _, prio in (line.partition(" ")
                                 for line in out.splitlines())
            if prio == "required"}


def file_owners():
    """Every installed file's package, from dpkg's own lists."""
    owners = {}
    info = "/var/lib/dpkg/info"
    for name in os.listdir(info):
        if name.endswith(".list"):
            pkg = name[:-len(".list")].split(":")[0]
            for path in open(os.path.join(info, name), errors="replace"):
                owners[path.rstrip("\n")] = pkg
    return owners


def owner(owners, path):
    """The package that ships PATH (following symlinks and Debian's
    alternatives, and the merged /usr), or None."""
    for cand in (path, os.path.realpath(path)):
        for variant in (cand, cand[4:] if cand.startswith("/usr/")
                        else "/usr" + cand):
            if variant in owners:
                return owners[variant]
    return None


def command_words(line):
    """The words in command position on one shell line."""
    line = re.sub(r"(^|\s)#.*", "", line)
    words = []
    for stage in SEPARATORS.split(line):
        tokens = stage.split()
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tok) or tok in (
                    "{", "}", "[[", "]]", "-q", "--"):
                i += 1
                continue
            if tok in WRAPPERS:
                i += 1
                # Their options, and timeout's duration.
                while i < len(tokens) and (tokens[i].startswith("-") or
                                           re.match(r"^[0-9.]+[smh]?$",
                                                    tokens[i])):
                    i += 1
                continue
            if tok == "ip" and tokens[i + 1:i + 3] == ["netns", "exec"]:
                i += 4
                continue
            if tok in ("sb", "sandbox") and i + 1 < len(tokens) and \
                    tokens[i + 1] == "exec":
                i += 3
                continue
            words.append(tok)
            break
    return words


FUNCTION = re.compile(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)"
                      r"\s*\(\)")


def shell_functions(path):
    """The names of the shell functions 'path' defines: a word in command
    position that names one is no command (e.g. a test's node())."""
    return {m.group(1) for m in map(FUNCTION.match,
                                    open(path, errors="replace")) if m}


HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")


def logical_lines(path):
    """(number, text) of each line, a shell line continued with a
    backslash joined to the next ones; the bodies of here-documents (the
    scripts' embedded Python, configuration files) are left out."""
    pending, first, until = "", None, None
    for n, line in enumerate(open(path, errors="replace"), 1):
        line = line.rstrip("\n")
        if until is not None:
            if line.strip() == until:
                until = None
            continue
        m = HEREDOC.search(line)
        if m and not path.endswith(".py"):
            until = m.group(1)
        if first is None:
            first = n
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield first, pending + line
        pending, first = "", None
    if pending:
        yield first, pending


def scripts(top):
    for sub in ("tests", "tools", "bench"):
        for root, dirs, files in os.walk(os.path.join(top, sub)):
            dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
            for name in files:
                path = os.path.join(root, name)
                try:
                    head = open(path, "rb").read(200)
                except OSError:
                    continue
                if name.endswith(".sh") or head.startswith(b"#!") and \
                        b"sh" in head.split(b"\n")[0]:
                    yield path, "sh"
                elif name.endswith(".py") or head.startswith(b"#!") and \
                        b"python" in head.split(b"\n")[0]:
                    yield path, "py"


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    if not shutil.which("dpkg-query") or not shutil.which("apt-cache"):
        print("commands: no dpkg here, skipped")
        return 77
    declared = declared_packages(top)
    allowed = dependency_closure(declared | BASE_PACKAGES) \
        | required_packages() | BASE_PACKAGES
    owners = file_owners()
    cache = {}
    bad = []
    checked = set()
    for path, kind in scripts(top):
        rel = os.path.relpath(path, top)
        functions = shell_functions(path) if kind == "sh" else set()
        for n, line in logical_lines(path):
            if kind == "sh":
                words = command_words(line)
            else:
                words = PY_CALL.findall(line)
            for word in words:
                word = word.strip("\"'")
                if "/" in word or not re.match(r"^[A-Za-z0-9_.+-]+$", word) \
                        or word in functions:
                    continue
                exe = shutil.which(word, path=SEARCH_PATH)
                if exe is None:
                    continue
                if word not in cache:
                    cache[word] = owner(owners, exe)
                pkg = cache[word]
                checked.add(word)
                if pkg is not None and pkg not in allowed:
                    bad.append("%s:%d: %s (package %s) is not installed by "
                               "tools/install-deps" % (rel, n, word, pkg))
    for line in bad:
        print("FAIL: " + line)
    print("commands: %d distinct commands checked, %d uses of packages "
          "that tools/install-deps does not install"
          % (len(checked), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
