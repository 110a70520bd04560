#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Craft ESP-in-UDP packets for vtun's tests, independently of vtun.

An ESP implementation of its own (RFC 4303 tunnel mode, RFC 4106 AES-GCM,
RFC 4304 ESN, RFC 3948 UDP encapsulation) built on the 'cryptography'
package, so that tests can send valid, subtly broken and hostile packets
to a vtun device, and replay captured ones.

Packets leave through a raw socket with our own UDP header, so they can
carry the source port of the real peer (4500) without binding it.

    esp_craft.py [--src A] --dst B [--sport P] [--dport P] CMD ...
      [--dry-run] esp --key HEX --spi N --seq N [options]   one or more ESP packets
      udp HEX                                   a raw UDP payload
      truncations --key HEX --spi N --seq N     a valid packet cut at every length
      replay PCAP IFACE                         resend captured frames as they are
Prints how many packets it sent.
"""

import argparse
import ipaddress
import socket
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NH_IPV4, NH_IPV6, NH_DUMMY = 4, 41, 59


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def icmp4_echo(src, dst, ident=0x7674, seq=1, payload=b"vtun-test" * 4, tos=0):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    total = 20 + len(icmp)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, total, 0, 0x4000, 64, 1, 0,
                      ipaddress.IPv4Address(src).packed,
                      ipaddress.IPv4Address(dst).packed)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + icmp


def icmp6_echo(src, dst, ident=0x7674, seq=1, payload=b"vtun-test" * 4):
    s = ipaddress.IPv6Address(src).packed
    d = ipaddress.IPv6Address(dst).packed
    icmp = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + payload
    pseudo = s + d + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
    hdr = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 64) + s + d
    return hdr + icmp


def esp_packet(key, spi, seq, inner, nh, icv=16, esn=False, pad=None,
               bad_pad=False, tfc=0, iv=None, padlen_field=None):
    """One ESP packet (no UDP header). key is AES key || 4-byte salt."""
    aes, salt = key[:-4], key[-4:]
    inner = inner + b"\0" * tfc
    if pad is None:
        pad = (-(len(inner) + 2)) % 4
    padding = bytes((i + 1) & 0xFF for i in range(pad))
    if bad_pad and pad:
        padding = b"\xee" * pad
    padlen = pad if padlen_field is None else padlen_field
    plain = inner + padding + bytes([padlen, nh])
    seq_lo = seq & 0xFFFFFFFF
    hdr = struct.pack("!II", spi, seq_lo)
    aad = struct.pack("!III", spi, seq >> 32, seq_lo) if esn else hdr
    iv = struct.pack("!Q", seq) if iv is None else iv
    sealed = AESGCM(aes).encrypt(salt + iv, plain, aad)
    ct, tag = sealed[:-16], sealed[-16:][:icv]
    return hdr + iv + ct + tag


class Sender:
    def __init__(self, src, dst, sport, dport, dry_run=False, tos=0):
        self.dst = ipaddress.ip_address(dst)
        self.v6 = self.dst.version == 6
        fam = socket.AF_INET6 if self.v6 else socket.AF_INET
        self.src = ipaddress.ip_address(src) if src else None
        self.sock = None
        if not dry_run:
            self.sock = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_UDP)
            if tos:
                self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
            if self.src:
                self.sock.bind((str(self.src), 0))
        self.sport, self.dport = sport, dport
        self.sent = 0

    def udp(self, payload):
        length = 8 + len(payload)
        hdr = struct.pack("!HHHH", self.sport, self.dport, length, 0)
        if self.v6 and self.sock:
            # UDP over IPv6 must carry a checksum: needs our address.
            src = self.src or self._source_for(self.dst)
            pseudo = src.packed + self.dst.packed + struct.pack("!I3xB", length, 17)
            c = csum(pseudo + hdr + payload) or 0xFFFF
            hdr = hdr[:6] + struct.pack("!H", c)
        # RFC 3948: IPv4 ESP-in-UDP goes with a zero UDP checksum.
        if self.sock:
            self.sock.sendto(hdr + payload, (str(self.dst), 0))
        self.sent += 1

    @staticmethod
    def _source_for(dst):
        probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        probe.connect((str(dst), 9))
        addr = ipaddress.ip_address(probe.getsockname()[0])
        probe.close()
        return addr


def inner_packet(args):
    if args.inner_hex is not None:
        return bytes.fromhex(args.inner_hex)
    src, dst = args.inner_src, args.inner_dst
    if ":" in dst:
        return icmp6_echo(src, dst, seq=args.icmp_seq)
    return icmp4_echo(src, dst, seq=args.icmp_seq, tos=args.inner_tos)


def build_esp(args, seq):
    inner = inner_packet(args)
    nh = args.nh
    if nh is None:
        nh = NH_IPV6 if (inner[0] >> 4) == 6 else NH_IPV4
    pkt = bytearray(esp_packet(bytes.fromhex(args.key), args.spi, seq, inner,
                               nh, icv=args.icv, esn=args.esn, pad=args.pad,
                               bad_pad=args.bad_pad, tfc=args.tfc,
                               padlen_field=args.padlen_field))
    if args.flip is not None:
        pkt[args.flip % len(pkt)] ^= 0x01
    if args.truncate is not None:
        del pkt[args.truncate:]
    return bytes(pkt)


def cmd_esp(snd, args):
    for i in range(args.count):
        snd.udp(build_esp(args, args.seq + i))


def cmd_truncations(snd, args):
    full = build_esp(args, args.seq)
    for n in range(len(full)):
        snd.udp(full[:n])


def cmd_udp(snd, args):
    snd.udp(bytes.fromhex(args.payload))


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield data[off:off + incl]
        off += incl


def cmd_replay(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    n = 0
    for frame in read_pcap(args.pcap):
        s.send(frame)
        n += 1
    return n


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--src")
    p.add_argument("--dst")
    p.add_argument("--sport", type=int, default=4500)
    p.add_argument("--dport", type=int, default=4500)
    p.add_argument("--dry-run", action="store_true", help="count, send nothing")
    p.add_argument("--tos", type=lambda v: int(v, 0), default=0, help="outer IPv4 TOS byte")
    sub = p.add_subparsers(dest="cmd", required=True)

    def esp_opts(sp):
        num = lambda s: int(s, 0)
        sp.add_argument("--key", required=True, type=lambda s: s[2:] if s.startswith("0x") else s)
        sp.add_argument("--spi", required=True, type=num)
        sp.add_argument("--seq", required=True, type=num)
        sp.add_argument("--esn", action="store_true")
        sp.add_argument("--icv", type=int, default=16, help="ICV bytes")
        sp.add_argument("--nh", type=num, help="next header (default from inner)")
        sp.add_argument("--inner-src", default="10.1.0.1")
        sp.add_argument("--inner-dst", default="10.2.0.1")
        sp.add_argument("--inner-hex", help="inner packet as hex")
        sp.add_argument("--icmp-seq", type=int, default=1)
        sp.add_argument("--inner-tos", type=num, default=0, help="inner IPv4 TOS byte")
        sp.add_argument("--pad", type=int, help="padding bytes")
        sp.add_argument("--bad-pad", action="store_true", help="padding not 1, 2, 3...")
        sp.add_argument("--tfc", type=int, default=0, help="TFC padding after inner")
        sp.add_argument("--padlen-field", type=int, help="lie in the pad length byte")
        sp.add_argument("--flip", type=int, help="flip a bit of this byte (negative: from end)")
        sp.add_argument("--truncate", type=int, help="keep this many bytes")
        sp.add_argument("--count", type=int, default=1)

    esp_opts(sub.add_parser("esp"))
    esp_opts(sub.add_parser("truncations"))
    u = sub.add_parser("udp")
    u.add_argument("payload")
    r = sub.add_parser("replay")
    r.add_argument("pcap")
    r.add_argument("iface")
    return p.parse_args()


def main():
    args = parse()
    if args.cmd == "replay":
        print(cmd_replay(args))
        return 0
    if not args.dst:
        sys.exit("esp_craft.py: --dst is needed")
    snd = Sender(args.src, args.dst, args.sport, args.dport, args.dry_run, args.tos)
    {"esp": cmd_esp, "truncations": cmd_truncations, "udp": cmd_udp}[args.cmd](snd, args)
    print(snd.sent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
