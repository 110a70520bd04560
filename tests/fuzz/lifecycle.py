#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""lifecycle.py: vtun devices created, used and destroyed, fast.

One process per network namespace talks rtnetlink and generic netlink
itself (tests/fuzz/nlfuzz.py's encoder), so a cycle costs no process
starts: under TCG that makes it ~50 times faster than ip + vtunctl.

A cycle, in the namespace the process runs in:
  two vtun devices, A and B, are created; one DEV_SETCONF each gives them
  their ports (4500, 4501), a peer (the other, over 127.0.0.1 or ::1), routes and a
  pair of SAs (AES-GCM or ChaCha20-Poly1305, alternating); they go up; inner packets
  are written straight onto A with an AF_PACKET socket, so routing never
  shortcuts them locally: A encrypts, B decrypts and counts them; then
  both devices are deleted (or, every few cycles, left for the namespace
  or the module to take away).

    lifecycle.py cycles N [--packets P] [--tag T]
        N checked cycles: each must deliver its packets and leave no device
    lifecycle.py chaos SECONDS [--tag T]
        cycles without checks, errors tolerated: to run while the module is
        unloaded or the namespace deleted under it
    lifecycle.py pair --dev-a A --dev-b B
        one configured pair that stays (checked like a cycle)
    lifecycle.py flood SECONDS --dev A
        inner packets onto A as fast as one process can write them
    lifecycle.py rekey SECONDS --dev-a A --dev-b B
        replace the SAs of a pair (make before break, new SPIs) as fast
        as possible, while floods run
    lifecycle.py adders SECONDS --dev D [--tag T]
        PEER_NEW, ROUTE_NEW and SA_NEW on D, whatever fails: the requests
        that run without RTNL, to race with D's deletion (issue 14, item 2)
    lifecycle.py churn SECONDS --dev D
        create D, bring it up, delete it, as fast as possible
Prints "lifecycle: ok ..." or "lifecycle: FAIL ..."; exit status 0 or 1.
"""

import argparse
import errno
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from esp_craft import csum  # noqa: E402
from nlfuzz import (A, A_IFNAME, A_PEER, A_ROUTE, A_SA, A_LISTEN_PORT,  # noqa: E402
                    A_STATS, AES_GCM, CHACHA, CMD_DEV_GET, CMD_DEV_SETCONF,
                    CMD_PEER_NEW, CMD_ROUTE_NEW, CMD_SA_DEL, CMD_SA_NEW, Genl, NlError, PEER_ADDR4,
                    PEER_ADDR6, PEER_ID, PEER_PORT, ROUTE_ADDR, ROUTE_FAMILY,
                    ROUTE_PEER_ID, ROUTE_PLEN, SA_ALG, SA_DIR, SA_ICV_BITS,
                    SA_KEY, SA_PEER_ID, SA_SPI, cstr, parse_attrs, u8, u16,
                    u32)

NETLINK_ROUTE = 0
RTM_NEWLINK, RTM_DELLINK = 16, 17
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 1, 4, 0x200, 0x400
IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 18, 1
IFF_UP = 1
ETH_P_IP, ETH_P_IPV6 = 0x0800, 0x86DD
STAT_RX_PACKETS = 2

KEY_GCM = bytes.fromhex("4c4946454359434c452d6b65792d3132") + b"salt"
KEY_CHACHA = KEY_GCM[:16] * 2 + b"SALT"


class Rtnl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.seq = 0

    def call(self, msgtype, flags, ifi, attrs):
        self.seq += 1
        body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, *ifi)
        body += b"".join(a.encode() for a in attrs)
        hdr = struct.pack("=IHHII", 16 + len(body), msgtype,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0)
        self.sock.send(hdr + body)
        while True:
            data = self.sock.recv(65536)
            off = 0
            while off + 16 <= len(data):
                ln, t, _, s, _ = struct.unpack_from("=IHHII", data, off)
                if s == self.seq and t == 2:
                    err = -struct.unpack_from("=i", data, off + 16)[0]
                    if err:
                        raise OSError(err, "%s: %s" % (os.strerror(err), msgtype))
                    return
                off += (ln + 3) & ~3

    def add(self, name):
        self.call(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (0, 0, 0),
                  [A(IFLA_IFNAME, cstr(name)),
                   A(IFLA_LINKINFO, [A(IFLA_INFO_KIND, cstr("vtun"))])])

    def up(self, name):
        self.call(RTM_NEWLINK, 0, (0, IFF_UP, IFF_UP), [A(IFLA_IFNAME, cstr(name))])

    def delete(self, name):
        self.call(RTM_DELLINK, 0, (0, 0, 0), [A(IFLA_IFNAME, cstr(name))])


def peer(pid, v6, port):
    if v6:
        ep = [A(PEER_ADDR6, socket.inet_pton(socket.AF_INET6, "::1"))]
    else:
        ep = [A(PEER_ADDR4, socket.inet_aton("127.0.0.1"))]
    return A(A_PEER, [A(PEER_ID, u32(pid))] + ep + [A(PEER_PORT, u16(port))])


def route(pid, prefix):
    addr, plen = prefix.split("/")
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    return A(A_ROUTE, [A(ROUTE_PEER_ID, u32(pid)), A(ROUTE_FAMILY, u16(fam)),
                       A(ROUTE_ADDR, socket.inet_pton(fam, addr)), A(ROUTE_PLEN, u8(int(plen)))])


def sa(pid, d, spi, chacha):
    """An SA whose key is its SPI's own: vtun refuses one key for two SAs
    of a device, and each end's outbound SA is the other's inbound."""
    alg, key = (CHACHA, KEY_CHACHA) if chacha else (AES_GCM, KEY_GCM)
    key = struct.pack(">I", spi) + key[4:]
    return A(A_SA, [A(SA_PEER_ID, u32(pid)), A(SA_DIR, u8(d)), A(SA_SPI, u32(spi)),
                    A(SA_ALG, cstr(alg)), A(SA_KEY, key), A(SA_ICV_BITS, u16(128))])


def configure(nl, a, b, v6, chacha, spi):
    """A (port 4500) and B (4501), each the other's peer 1."""
    nl.do(CMD_DEV_SETCONF, [A(A_IFNAME, cstr(a)), A(A_LISTEN_PORT, u16(4500)),
                            peer(1, v6, 4501), route(1, "10.2.0.0/16"),
                            route(1, "fd02::/64"), sa(1, 2, spi, chacha),
                            sa(1, 1, spi + 1, chacha)])
    nl.do(CMD_DEV_SETCONF, [A(A_IFNAME, cstr(b)), A(A_LISTEN_PORT, u16(4501)),
                            peer(1, v6, 4500), route(1, "10.1.0.0/16"),
                            route(1, "fd01::/64"), sa(1, 1, spi, chacha),
                            sa(1, 2, spi + 1, chacha)])


def inner4(n):
    payload = b"lifecycle" + struct.pack("!I", n)
    udp = struct.pack("!HHHH", 9, 9, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0, 64, 17, 0,
                      socket.inet_aton("10.1.0.1"), socket.inet_aton("10.2.0.1"))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp


def inner6(n):
    payload = b"lifecycle" + struct.pack("!I", n)
    udp = struct.pack("!HHHH", 9, 9, 8 + len(payload), 0xFFFF) + payload
    return struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + \
        socket.inet_pton(socket.AF_INET6, "fd01::1") + \
        socket.inet_pton(socket.AF_INET6, "fd02::1") + udp


class Injector:
    """AF_PACKET sockets bound to a device: inner packets straight onto it.
    Bound once, by index: sendto() by name would look the name up every
    time and, once the device is gone, ask modprobe for "netdev-NAME"."""

    def __init__(self, dev):
        self.s4 = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        self.s6 = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IPV6))
        self.s4.bind((dev, ETH_P_IP))
        self.s6.bind((dev, ETH_P_IPV6))
        self.gone = False

    def send(self, count):
        sent = 0
        for n in range(count):
            try:
                if n % 2:
                    self.s6.send(inner6(n))
                else:
                    self.s4.send(inner4(n))
                sent += 1
            except OSError as e:
                if e.errno in (errno.ENXIO, errno.ENODEV, errno.ENETDOWN):
                    self.gone = True	# the device went away
                    break
                if e.errno != errno.ENOBUFS:
                    raise
        return sent

    def close(self):
        self.s4.close()
        self.s6.close()


def send_inner(dev, count):
    inj = Injector(dev)
    try:
        return inj.send(count)
    finally:
        inj.close()


def rx_packets(nl, dev):
    msgs = nl.do(CMD_DEV_GET, [A(A_IFNAME, cstr(dev))])
    for t, v in parse_attrs(msgs[0][4:]):
        if t == A_STATS:
            for st, sv in parse_attrs(v):
                if st == STAT_RX_PACKETS:
                    return struct.unpack("=Q", sv)[0]
    return 0


def mode_cycles(args):
    rt, nl = Rtnl(), Genl()
    failures = []
    start = time.time()
    for i in range(args.n):
        a, b = "%sa%d" % (args.tag, i % 4), "%sb%d" % (args.tag, i % 4)
        v6, chacha = bool(i & 1), bool(i & 2)
        rt.add(a)
        rt.add(b)
        # ports first: both would want 4500 when they go up
        configure(nl, a, b, v6, chacha, 0x1000 + 2 * i)
        rt.up(a)
        rt.up(b)
        sent = send_inner(a, args.packets)
        deadline = time.time() + 10
        got = rx_packets(nl, b)
        while got < sent and time.time() < deadline:
            time.sleep(0.005)
            got = rx_packets(nl, b)
        if got != sent:
            failures.append("cycle %d (%s outer, %s): %d of %d packets arrived"
                            % (i, "IPv6" if v6 else "IPv4", "ChaCha20" if chacha else "AES-GCM",
                               got, sent))
            if len(failures) > 5:
                break
        rt.delete(a)
        rt.delete(b)
    secs = time.time() - start
    for f in failures:
        print("# FAIL: " + f)
    left = [n for _, n in socket.if_nameindex() if n.startswith(args.tag)]
    if left:
        failures.append("devices left: %s" % left)
        print("# FAIL: devices left: %s" % left)
    print("# %d cycles in %.1f s (%.1f/s)" % (i + 1, secs, (i + 1) / secs))
    print("lifecycle: %s" % ("FAIL" if failures else "ok"))
    return 1 if failures else 0


def mode_chaos(args):
    """Cycles until the time is up, whatever fails (the module may go away)."""
    end = time.time() + args.seconds
    cycles = errors = 0
    i = 0
    while time.time() < end:
        i += 1
        a, b = "%sa%d" % (args.tag, i % 3), "%sb%d" % (args.tag, i % 3)
        try:
            rt, nl = Rtnl(), Genl()
            for n in (a, b):
                try:
                    rt.delete(n)
                except OSError:
                    pass
            rt.add(a)
            rt.add(b)
            configure(nl, a, b, bool(i & 1), bool(i & 2), 0x1000 + 2 * (i % 1000))
            rt.up(a)
            rt.up(b)
            send_inner(a, 20)
            if i % 3:		# leave some for rmmod / netns deletion
                rt.delete(a)
                rt.delete(b)
            cycles += 1
        except (OSError, NlError, RuntimeError):
            errors += 1
            time.sleep(0.01)
    print("# chaos: %d cycles, %d interrupted" % (cycles, errors))
    print("lifecycle: ok")
    return 0


def mode_pair(args):
    """A configured pair that stays, for flood and rekey."""
    rt, nl = Rtnl(), Genl()
    rt.add(args.dev_a)
    rt.add(args.dev_b)
    configure(nl, args.dev_a, args.dev_b, False, False, 0x1000)
    rt.up(args.dev_a)
    rt.up(args.dev_b)
    sent = send_inner(args.dev_a, 10)
    deadline = time.time() + 10
    while rx_packets(nl, args.dev_b) < sent and time.time() < deadline:
        time.sleep(0.01)
    got = rx_packets(nl, args.dev_b)
    print("# pair %s -> %s: %d of %d packets" % (args.dev_a, args.dev_b, got, sent))
    print("lifecycle: %s" % ("ok" if got == sent else "FAIL"))
    return 0 if got == sent else 1


def mode_flood(args):
    """Inner packets onto a device as fast as one process can."""
    end = time.time() + args.seconds
    sent = 0
    inj = Injector(args.dev)
    while time.time() < end and not inj.gone:
        sent += inj.send(200)
    inj.close()
    print("# flood: %d packets onto %s%s" % (sent, args.dev,
                                             " (until it went away)" if inj.gone else ""))
    print("lifecycle: ok")
    return 0


def mode_rekey(args):
    """New SA pair under a new SPI on both sides, then the old one goes."""
    nl = Genl()
    end = time.time() + args.seconds
    spi = args.first_spi
    old = None
    rounds = 0
    while time.time() < end:
        chacha = bool(rounds & 1)
        # inbound first on the receiver, then outbound on the sender
        nl.do(CMD_SA_NEW, [A(A_IFNAME, cstr(args.dev_b)), sa(1, 1, spi, chacha)])
        nl.do(CMD_SA_NEW, [A(A_IFNAME, cstr(args.dev_a)), sa(1, 2, spi, chacha)])
        nl.do(CMD_SA_NEW, [A(A_IFNAME, cstr(args.dev_a)), sa(1, 1, spi + 1, chacha)])
        nl.do(CMD_SA_NEW, [A(A_IFNAME, cstr(args.dev_b)), sa(1, 2, spi + 1, chacha)])
        if old is not None:
            for dev, d, s in ((args.dev_a, 2, old), (args.dev_b, 1, old),
                              (args.dev_b, 2, old + 1), (args.dev_a, 1, old + 1)):
                nl.do(CMD_SA_DEL, [A(A_IFNAME, cstr(dev)),
                                   A(A_SA, [A(SA_DIR, u8(d)), A(SA_SPI, u32(s))])])
        old = spi
        spi += 2
        rounds += 1
    print("# %d SA replacements in %d s" % (rounds, args.seconds))
    print("lifecycle: ok")
    return 0


def mode_adders(args):
    """Peers, routes and SAs added to a device that comes and goes."""
    end = time.time() + args.seconds
    seed = sum(args.tag.encode()) * 7919
    done = errors = i = 0
    nl = None
    while time.time() < end:
        i += 1
        pid = 1 + (seed + i) % 500
        dev = [A(A_IFNAME, cstr(args.dev))]
        try:
            nl = nl or Genl()
            nl.do(CMD_PEER_NEW, dev + [A(A_PEER, [A(PEER_ID, u32(pid))])])
            nl.do(CMD_ROUTE_NEW, dev + [route(pid, "10.%d.%d.0/24" % (pid >> 8, pid & 255))])
            nl.do(CMD_SA_NEW, dev + [sa(pid, 1 + i % 2, 0x100000 + (seed + i) % 0xfffff,
                                        bool(i & 4))])
            done += 1
        except NlError:
            errors += 1
        except OSError:
            errors += 1
            nl = None
    print("# adders on %s: %d rounds complete, %d interrupted" % (args.dev, done, errors))
    print("lifecycle: ok")
    return 0


def mode_churn(args):
    """The device created and deleted again and again."""
    end = time.time() + args.seconds
    rt = Rtnl()
    n = 0
    while time.time() < end:
        try:
            rt.add(args.dev)
            rt.up(args.dev)
            time.sleep(0.002 * (n % 5))
            rt.delete(args.dev)
            n += 1
        except OSError:
            time.sleep(0.005)
    print("# churn of %s: %d devices" % (args.dev, n))
    print("lifecycle: ok")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("cycles")
    c.add_argument("n", type=int)
    c.add_argument("--packets", type=int, default=10)
    c.add_argument("--tag", default="lc")
    h = sub.add_parser("chaos")
    h.add_argument("seconds", type=float)
    h.add_argument("--tag", default="ch")
    r = sub.add_parser("rekey")
    r.add_argument("seconds", type=int)
    r.add_argument("--dev-a", required=True)
    r.add_argument("--dev-b", required=True)
    r.add_argument("--first-spi", type=lambda v: int(v, 0), default=0x10000)
    pa = sub.add_parser("pair")
    pa.add_argument("--dev-a", required=True)
    pa.add_argument("--dev-b", required=True)
    f = sub.add_parser("flood")
    f.add_argument("seconds", type=float)
    f.add_argument("--dev", required=True)
    ad = sub.add_parser("adders")
    ad.add_argument("seconds", type=float)
    ad.add_argument("--dev", required=True)
    ad.add_argument("--tag", default="ad")
    ch = sub.add_parser("churn")
    ch.add_argument("seconds", type=float)
    ch.add_argument("--dev", required=True)
    args = p.parse_args()
    return {"cycles": mode_cycles, "chaos": mode_chaos, "rekey": mode_rekey,
            "pair": mode_pair, "flood": mode_flood, "adders": mode_adders,
            "churn": mode_churn}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
