#!/usr/bin/env bash
# Attack: packets that conntrack calls invalid reach the host un-NATed.
# A VM's TCP to 169.254.169.254:80 is source-NATed to its client address
# in the VIF's metadata zone and sent out of dvr-meta, into the host's
# stack.  A packet that conntrack calls invalid (SYN+ACK or SYN+FIN
# without a connection, no flags at all, FIN without ACK; a lone ACK is
# picked up as a connection, so it is NATed) is neither committed nor
# NATed: unless the flow drops
# ct_state=+inv, it reaches the host with the VM's own source address
# (anything the VM likes, with port security off).  The test crafts such
# packets with a raw socket in the VM and captures on dvr-meta: nothing
# but the client addresses (169.254.64.0/18) may come out of it.  The VMs:
# one with port security and an open security group, one without.
set -euo pipefail
. "$abs_top_srcdir/tests/system/lib.sh"
sb_init
sb_up --no-api
P=$SB_PREFIX

net=$(sb_network tenant geneve 311 1442)
sub=$(sb_subnet "$net" 10.0.0.0/24 10.0.0.1 true)
sb_vm vma hv1 "$net" "$sub" 10.0.0.11 fa:16:3e:00:0a:11
sb_vm vmb hv1 "$net" "$sub" 10.0.0.12 fa:16:3e:00:0a:12 false
for vm in vma vmb; do
    ok=no
    for _ in $(seq 40); do
        sb exec $vm curl -sf --max-time 2 -o /dev/null \
            http://169.254.169.254/latest/ && { ok=yes; break; }
        # No Instance row: 404 also proves the path works.
        code=$(sb exec $vm curl -s --max-time 2 -o /dev/null -w '%{http_code}' \
            http://169.254.169.254/latest/ || true)
        [ "$code" = 404 ] && { ok=yes; break; }
        sleep 0.25
    done
    [ $ok = yes ] || sb_fail "$vm cannot reach the metadata service"
done

# crafted.py SRC COUNT FLAGS: COUNT TCP segments with FLAGS from SRC
# (the VM's address) to 169.254.169.254:80, no connection behind them
# (each from another source port).
cat > "$SB_TMP/crafted.py" <<'PY'
import socket, struct, sys
src, count, flags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
dst = "169.254.169.254"
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for i in range(count):
    sport = 40000 + i
    hdr = struct.pack("!HHIIBBHHH", sport, 80, 1000 + i, 5000, 5 << 4,
                      flags, 8192, 0, 0)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, socket.IPPROTO_TCP,
                         len(hdr))
    c = csum(pseudo + hdr)
    hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
    s.sendto(hdr, (dst, 0))
PY

leaked=""
for vm in vma vmb; do
    ip=$([ $vm = vma ] && echo 10.0.0.11 || echo 10.0.0.12)
    pcap=$SB_TMP/$vm.pcap
    # Everything TCP that leaves br-int for the host, but the NATed
    # requests (client addresses) and the service's own replies.
    sb exec hv1 timeout 6 tcpdump -i dvr-meta -nn -U -w "$pcap" \
        'tcp and not src net 169.254.64.0/18 and not src host 169.254.169.254' \
        2>/dev/null &
    tpid=$!
    sleep 2
    for flags in 0x12 0x03 0x00 0x01 0x29; do   # SYN+ACK SYN+FIN none FIN FIN+PSH+URG
        sb exec $vm python3 "$SB_TMP/crafted.py" "$ip" 10 $flags
    done
    wait "$tpid" 2>/dev/null || true
    n=$(tcpdump -nn -r "$pcap" 2>/dev/null | wc -l)
    echo "$vm ($ip): $n invalid segments reached the host un-NATed"
    tcpdump -nn -r "$pcap" 2>/dev/null | head -3
    [ "$n" = 0 ] || leaked="$leaked $vm:$n"
done
# The service still works for both.
for vm in vma vmb; do
    code=$(sb exec $vm curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
        http://169.254.169.254/latest/ || true)
    [ "$code" = 404 ] || [ "$code" = 200 ] || sb_fail "$vm: metadata now answers $code"
done
[ -z "$leaked" ] || sb_fail "invalid packets reached dvr-meta un-NATed:$leaked"
echo "no invalid packet reaches the host; the service still answers: ok"
