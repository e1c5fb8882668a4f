#!/usr/bin/python3
# Write the generic-fuzz seed corpus for ena (qtest/fuzz-corpus/).
# SPDX-License-Identifier: GPL-2.0-or-later
"""usage: fuzz-seeds.py OUTDIR

generic-fuzz (QEMU tests/qtest/fuzz/generic_fuzz.c) reads its input as
commands separated by "FUZZ": an opcode byte, then the command's struct.
MMIO writes address a fuzzed region by its index (in address order: the
ena device's BAR0 "ena-regs" comes first) and an offset; what the device
reads by DMA is filled from the DMA patterns, one pattern per read, in
turn. The seeds drive the device the way a driver does: the reset
handshake, the admin queue with each feature, queue creation, and TX and
RX traffic, so that the fuzzer starts from deep states. Random bytes
would take a long time to find the admin queue's layout."""
import os
import struct
import sys

SEP = b'FUZZ'
OP_READ, OP_WRITE, OP_PCI_READ, OP_PCI_WRITE = 2, 3, 4, 5
OP_ADD_DMA_PATTERN, OP_CLEAR_DMA_PATTERNS, OP_CLOCK_STEP = 7, 8, 9
LONG = 2

# BAR0 registers (hw/ena/ena_hw.h)
AQ_BASE_LO, AQ_BASE_HI, AQ_CAPS = 0x10, 0x14, 0x18
ACQ_BASE_LO, ACQ_BASE_HI, ACQ_CAPS = 0x20, 0x24, 0x28
AQ_DB, AENQ_CAPS, AENQ_BASE_LO, AENQ_BASE_HI = 0x2c, 0x34, 0x38, 0x3c
AENQ_HEAD_DB, INTR_MASK, DEV_CTL, DEV_STS = 0x40, 0x4c, 0x54, 0x58
MMIO_REG_READ, MMIO_RESP_LO, MMIO_RESP_HI = 0x5c, 0x60, 0x64
SQ_DB_BASE, CQ_UNMASK_BASE = 0x1000, 0x2000

# admin opcodes and features
CREATE_SQ, DESTROY_SQ, CREATE_CQ, DESTROY_CQ = 1, 2, 3, 4
GET_FEATURE, SET_FEATURE, GET_STATS = 8, 9, 11
F_DEVICE_ATTRIBUTES, F_MAX_QUEUES_NUM, F_HW_HINTS, F_LLQ = 1, 2, 3, 4
F_MAX_QUEUES_EXT, F_RSS_HASH_FUNCTION, F_STATELESS_OFFLOAD = 7, 10, 11
F_RSS_IND_TABLE, F_MTU, F_RSS_HASH_INPUT, F_INTR_MODERATION = 12, 14, 18, 20
F_AENQ_CONFIG, F_LINK_CONFIG, F_HOST_ATTR = 26, 27, 28

# TX descriptor protocol indices
L3_IPV4, L4_TCP, L4_UDP = 8, 12, 13

# guest RAM layout of the seeds (generic-fuzz runs with -m 512M)
AQ, ACQ, AENQ, RESP = 0x100000, 0x110000, 0x120000, 0x130000
CTRL_BUF, HOST_INFO = 0x140000, 0x150000
TX_CQ, TX_SQ, RX_CQ, RX_SQ = 0x200000, 0x210000, 0x220000, 0x230000
TX_BUF, RX_BUF = 0x300000, 0x400000
# fuzzed regions of ena-pair, in address order: BAR0 and the MSI-X table
# and PBA of each device
PAIR_B = 3


# clock steps (each to the next timer deadline) after a doorbell; the
# default timing profile needs up to three timers for an admin command
# (entry read, processing, completion and MSI-X)
SETTLE_STEPS = 4


class Seed:
    def __init__(self, region=0):
        self.cmds = []
        self.region = region
        self.aq_tail = 0

    def cmd(self, op, payload=b''):
        self.cmds.append(bytes([op]) + payload)

    def write(self, off, val, region=None):
        base = self.region if region is None else region
        self.cmd(OP_WRITE, struct.pack('<BBxxIQ', LONG, base, off, val))

    def read(self, off):
        self.cmd(OP_READ, struct.pack('<BBxxI', LONG, self.region, off))

    def step(self, n=1):
        for _ in range(n):
            self.cmd(OP_CLOCK_STEP)

    def patterns(self, *datas):
        """What the device reads next by DMA, one read per pattern."""
        self.cmd(OP_CLEAR_DMA_PATTERNS)
        for d in datas:
            self.cmd(OP_ADD_DMA_PATTERN, b'\0\0' + d)

    def admin(self, entry, *more):
        """One admin command: the AQ entry is the next DMA read."""
        entry = entry.ljust(64, b'\0')
        phase = 1 if (self.aq_tail // 32) % 2 == 0 else 0
        entry = entry[:3] + bytes([entry[3] | phase]) + entry[4:]
        self.patterns(entry, *more)
        self.aq_tail += 1
        self.write(AQ_DB, self.aq_tail)
        self.settle()

    def settle(self):
        """Let the device's modelled time pass (DMA latency, processing)
        before the DMA patterns change: the device reads what a doorbell
        asked for at a later timer, not during the write."""
        self.step(SETTLE_STEPS)

    def bytes(self):
        out = SEP.join(self.cmds)
        assert SEP not in b''.join(self.cmds), 'a command holds "FUZZ"'
        return out


def addr48(a):
    return struct.pack('<IHH', a & 0xffffffff, a >> 32, 0)


def common(op, cid, flags=0):
    return struct.pack('<HBB', cid, op, flags)


def get_feature(cid, fid, ctrl=None, version=0):
    ctrl_buf = struct.pack('<I', 0) + addr48(0) if ctrl is None else ctrl
    return common(GET_FEATURE, cid) + ctrl_buf + bytes([0, fid, version, 0])


def set_feature(cid, fid, payload, ctrl=None, flags=0):
    ctrl_buf = struct.pack('<I', 0) + addr48(0) if ctrl is None else ctrl
    return (common(SET_FEATURE, cid, flags) + ctrl_buf +
            bytes([0, fid, 0, 0]) + payload)


def bring_up(s, reset=True):
    """Readless, reset handshake, admin queue and AENQ, as ena_com does."""
    s.write(MMIO_RESP_LO, RESP)
    s.write(MMIO_RESP_HI, 0)
    s.write(MMIO_REG_READ, (DEV_STS << 16) | 1)
    s.settle()                  # the response, before a reset cancels it
    if reset:
        s.write(DEV_CTL, 1 | (9 << 28))
        s.step(2)
        s.write(DEV_CTL, 0)
        s.step(2)
        s.read(DEV_STS)
    s.write(AQ_BASE_LO, AQ)
    s.write(AQ_BASE_HI, 0)
    s.write(AQ_CAPS, 32 | (64 << 16))
    s.write(ACQ_BASE_LO, ACQ)
    s.write(ACQ_BASE_HI, 0)
    s.write(ACQ_CAPS, 32 | (64 << 16))
    s.write(AENQ_BASE_LO, AENQ)
    s.write(AENQ_BASE_HI, 0)
    s.write(AENQ_CAPS, 16 | (64 << 16))
    s.write(AENQ_HEAD_DB, 16)
    s.write(INTR_MASK, 0)


def features(s):
    s.admin(get_feature(1, F_DEVICE_ATTRIBUTES))
    s.admin(get_feature(2, F_MAX_QUEUES_EXT, version=1))
    s.admin(get_feature(3, F_HW_HINTS))
    s.admin(set_feature(4, F_AENQ_CONFIG, struct.pack('<II', 0, 0xdf)))
    host_attr = addr48(HOST_INFO) + addr48(0) + struct.pack('<I', 0)
    s.admin(set_feature(5, F_HOST_ATTR, host_attr),
            struct.pack('<I', 1) + b'debian'.ljust(128, b'\0'))
    s.admin(set_feature(6, F_MTU, struct.pack('<I', 1500)))
    s.admin(get_feature(7, F_STATELESS_OFFLOAD))
    s.admin(set_feature(8, F_STATELESS_OFFLOAD,
                        struct.pack('<III', 0, 0, 0xf)))
    s.admin(get_feature(9, F_LINK_CONFIG))
    s.admin(common(GET_STATS, 10) + struct.pack('<I', 0) + addr48(0) +
            bytes([0, 0]))
    s.step(3)                   # keep-alives into the AENQ
    s.write(AENQ_HEAD_DB, 17)


def rss(s):
    s.admin(get_feature(20, F_RSS_HASH_FUNCTION))
    s.admin(set_feature(21, F_RSS_HASH_FUNCTION,
                        struct.pack('<III', 0, 2, 0),
                        ctrl=struct.pack('<I', 48) + addr48(CTRL_BUF)),
            struct.pack('<II', 10, 0) + bytes(range(40)))
    tbl = struct.pack('<HHHBxIHH', 0, 0, 3, 0, 0, 0, 0)
    s.admin(set_feature(22, F_RSS_IND_TABLE, tbl,
                        ctrl=struct.pack('<I', 32) + addr48(CTRL_BUF)),
            struct.pack('<HH', 1, 0) * 8)
    s.admin(get_feature(23, F_RSS_HASH_INPUT))


def create_queues(s, rx=True):
    # CREATE_CQ: interrupt mode, 2-word TX completions, vector 1
    s.admin(common(CREATE_CQ, 30) + bytes([0x20, 2]) +
            struct.pack('<HI', 64, 1) + addr48(TX_CQ))
    # CREATE_SQ: TX, host placement, contiguous, CQ 0
    s.admin(common(CREATE_SQ, 31) + bytes([1 << 5, 0, 1, 1]) +
            struct.pack('<HH', 0, 64) + addr48(TX_SQ) + addr48(0))
    if rx:
        s.admin(common(CREATE_CQ, 32) + bytes([0x20, 4]) +
                struct.pack('<HI', 64, 2) + addr48(RX_CQ))
        s.admin(common(CREATE_SQ, 33) + bytes([2 << 5, 0, 1, 1]) +
                struct.pack('<HH', 1, 64) + addr48(RX_SQ) + addr48(0))


def frame(n=60, sport=1234, dport=5678, tcp_flags=None):
    """IPv4 UDP, or TCP with @tcp_flags, from 10.0.0.1 to 10.0.0.2."""
    proto = 17 if tcp_flags is None else 6
    eth = bytes.fromhex('ffffffffffff' '0a0000000001' '0800')
    ip = bytes.fromhex('4500') + struct.pack('>H', n - 14) + \
        bytes.fromhex('0000400040') + bytes([proto]) + \
        bytes.fromhex('00000a0000010a000002')
    if tcp_flags is None:
        l4 = struct.pack('>HHHH', sport, dport, n - 34, 0)
    else:
        l4 = struct.pack('>HHIIBBHHH', sport, dport, 1, 0, 5 << 4,
                         tcp_flags, 65535, 0, 0)
    return (eth + ip + l4).ljust(n, b'x')


def tx(s, sq=0, count=2, frames=None):
    frames = frames or [frame(60 + 40 * i) for i in range(count)]
    for i, f in enumerate(frames):
        l4 = L4_TCP if f[23] == 6 else L4_UDP
        # FIRST | LAST | COMP_REQ | phase 1; IPv4 and L4 checksum
        # offloads, request id i
        desc = struct.pack('<IIII', len(f) | (1 << 24) | (1 << 26) |
                           (1 << 27) | (1 << 28),
                           (1 << 13) | (1 << 14) | L3_IPV4 | (l4 << 8) |
                           (i << 22),
                           TX_BUF, 0)
        s.patterns(desc, f)
        s.write(SQ_DB_BASE + 4 * sq, i + 1)
        s.settle()
    s.write(CQ_UNMASK_BASE, 1 << 30)


def rx_post(s, sq=1, count=8):
    descs = b''.join(struct.pack('<HBBHHIHH', 2048, 0, 0x1d, i, 0,
                                 RX_BUF + i * 2048, 0, 0)
                     for i in range(count))
    s.patterns(descs)
    s.write(SQ_DB_BASE + 4 * sq, count)
    s.settle()


def teardown(s):
    s.admin(common(DESTROY_SQ, 40) + struct.pack('<HBB', 0, 1 << 5, 0))
    s.admin(common(DESTROY_CQ, 41) + struct.pack('<HH', 0, 0))
    s.write(DEV_CTL, 1)
    s.step(2)
    s.write(DEV_CTL, 0)
    s.step(2)


def llq(s):
    llq_set = struct.pack('<IIHHHHHHHHBBHHHI', 0, 0, 0, 1, 0, 1, 0, 2,
                          0, 1, 0, 0, 0, 0, 0, 0)
    s.admin(get_feature(50, F_LLQ))
    s.admin(set_feature(51, F_LLQ, llq_set))
    s.admin(common(CREATE_CQ, 52) + bytes([0x20, 2]) +
            struct.pack('<HI', 64, 1) + addr48(TX_CQ))
    s.admin(common(CREATE_SQ, 53) + bytes([1 << 5, 0, 3, 1]) +
            struct.pack('<HH', 0, 64) + addr48(0) + addr48(0))
    s.write(SQ_DB_BASE, 1)


REACH = {
    'ena/bringup': ['ena_readless_timer_cb'],
    'ena/admin': ['ena_cmd_feature', 'ena_aenq_write'],
    'ena/rss': ['ena_ctrl_buf_read'],
    'ena/queues': ['ena_alloc_idx', 'ena_sq_doorbell'],
    'ena/tx': ['ena_tx_wire_frame', 'ena_tx_complete', 'ena_cq_post'],
    'ena/llq': ['ena_tx_process_llq'],
    'ena-pair/a-to-b': ['ena_rx_deliver', 'ena_flow_update'],
    'ena-pair/b-to-a': ['ena_rx_deliver', 'ena_flow_update'],
    'ena-pair/flows': ['ena_flow_expire', 'ena_allow_count'],
}


def main():
    out = sys.argv[1]
    seeds = {}

    s = Seed()
    bring_up(s)
    seeds['ena/bringup'] = s

    s = Seed()
    bring_up(s, reset=False)
    features(s)
    seeds['ena/admin'] = s

    s = Seed()
    bring_up(s, reset=False)
    features(s)
    rss(s)
    seeds['ena/rss'] = s

    s = Seed()
    bring_up(s, reset=False)
    create_queues(s)
    rx_post(s)
    teardown(s)
    seeds['ena/queues'] = s

    s = Seed()
    bring_up(s, reset=False)
    create_queues(s, rx=False)
    tx(s)
    s.step(2)
    seeds['ena/tx'] = s

    s = Seed()
    bring_up(s, reset=False)
    llq(s)
    seeds['ena/llq'] = s

    # ena-pair: one device posts RX buffers, the other sends; both are on
    # hub 0. Region PAIR_B is the second device's BAR0.
    for name, (txr, rxr) in (('ena-pair/a-to-b', (0, PAIR_B)),
                             ('ena-pair/b-to-a', (PAIR_B, 0))):
        s = Seed(rxr)
        bring_up(s, reset=False)
        create_queues(s)
        rx_post(s)
        s.region, s.aq_tail = txr, 0
        bring_up(s, reset=False)
        create_queues(s, rx=False)
        tx(s)
        s.step(2)
        seeds[name] = s

    # ena-pair/flows: the second device (16 tracked flows) sends a TCP
    # handshake and close, then more UDP flows than its table holds
    syn, ack, fin, psh = 0x02, 0x10, 0x01, 0x08
    s = Seed(0)
    bring_up(s, reset=False)
    create_queues(s)
    rx_post(s, count=32)
    s.region, s.aq_tail = PAIR_B, 0
    bring_up(s, reset=False)
    create_queues(s, rx=False)
    tcp = [frame(60, 40000, 80, f) for f in
           (syn, ack, psh | ack, fin | ack)]
    udp = [frame(60, 20000 + i, 53) for i in range(17)]
    tx(s, frames=tcp + udp)
    s.step(2)
    seeds['ena-pair/flows'] = s

    for name, s in seeds.items():
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(s.bytes())
    # what each seed must reach, checked by fuzz.sh --smoke: a seed that
    # stops short (the device's timing changed under it) is a shallow
    # start for the fuzzer, not a failure anything else would notice
    for target in sorted({n.split('/')[0] for n in seeds}):
        with open(os.path.join(out, target + '.reach'), 'w') as f:
            f.write('# seed, then device functions it must cover '
                    '(scripts/fuzz-seeds.py)\n')
            for name in sorted(seeds):
                if name.startswith(target + '/'):
                    f.write('%s %s\n' % (name.split('/', 1)[1],
                                          ' '.join(REACH[name])))


if __name__ == '__main__':
    main()
