/*
 * QTest testcases for the ena data path: TX and RX through a socket back
 * end, checksum and TSO offloads, multi-buffer (jumbo) RX, frames held
 * until buffers are posted, RSS queue selection, interrupt auto-masking.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/bitops.h"
#include <sys/socket.h>
#include "libqtest-single.h"
#include "libqos/pci.h"
#include "libqos/qgraph.h"
#include "libqos/ena.h"

#define MS          (1000 * 1000)
#define DEPTH       QENA_IO_DEPTH
#define BUF_SIZE    3712        /* Linux's RX buffer on x86-64 */

typedef QEnaIoQueue IoQueue;

typedef struct IoTest {
    QEna *d;
    QTestState *qts;
    int sock;                   /* our end of the socket back end */
} IoTest;

static int *io_sockets;

static uint64_t zalloc(QEna *d, size_t size)
{
    uint64_t a = guest_alloc(d->alloc, size);

    qtest_memset(d->dev.bus->qts, a, 0, size);
    return a;
}

static void io_up(IoTest *t, QEna *d)
{
    EnaAdminAenqConfigFeature a = { .enabled_groups = cpu_to_le32(1) };

    t->d = d;
    t->qts = d->dev.bus->qts;
    t->sock = io_sockets[0];
    qena_readless_init(d);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(d, true);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_AENQ_CONFIG, &a, sizeof(a),
                                     0, 0), ==, 0);
    qena_aenq_ack(d);
}

static void io_queue_ex(IoTest *t, IoQueue *q, uint8_t dir, uint32_t vector,
                        uint8_t placement)
{
    qena_io_queue(t->d, q, dir, vector, placement);
}

static void io_queue(IoTest *t, IoQueue *q, uint8_t dir, uint32_t vector)
{
    io_queue_ex(t, q, dir, vector, ENA_ADMIN_PLACEMENT_POLICY_HOST);
}

static uint32_t phase_of(uint16_t ctr)
{
    return !((ctr / DEPTH) & 1);
}

/* ---- TX ------------------------------------------------------------- */

/* One packet from @nbufs guest buffers, optionally after a meta desc. */
static void tx_packet(IoTest *t, IoQueue *q, uint16_t req_id,
                      const uint64_t *bufs, const uint16_t *lens, int nbufs,
                      uint32_t meta_ctrl, const EnaEthIoTxDesc *meta)
{
    qena_tx_packet(t->d, q, req_id, bufs, lens, nbufs, meta_ctrl, meta);
}

static bool tx_cmpl(IoTest *t, IoQueue *q, uint16_t *req_id)
{
    return qena_tx_cmpl(t->d, q, req_id);
}

/* Read one frame the device sent to the socket back end. */
static size_t sock_recv(IoTest *t, uint8_t *buf, size_t size)
{
    uint32_t len;
    size_t got = 0;
    ssize_t r;

    r = recv(t->sock, &len, sizeof(len), MSG_WAITALL);
    g_assert_cmpint(r, ==, sizeof(len));
    len = ntohl(len);
    g_assert_cmpint(len, <=, size);
    while (got < len) {
        r = recv(t->sock, buf + got, len - got, 0);
        g_assert_cmpint(r, >, 0);
        got += r;
    }
    return len;
}

static void sock_send(IoTest *t, const uint8_t *buf, size_t len)
{
    uint32_t l = htonl(len);

    g_assert_cmpint(send(t->sock, &l, sizeof(l), 0), ==, sizeof(l));
    g_assert_cmpint(send(t->sock, buf, len, 0), ==, len);
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        p[i] = seed + i * 7 + (i >> 8);
    }
}

static void test_ena_tx_basic(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t frame[1514], out[2048];
    uint64_t b[2];
    uint16_t lens[2] = { 100, sizeof(frame) - 100 };
    uint16_t id;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    qena_msix_route(t.d, 1);
    fill(frame, sizeof(frame), 1);
    b[0] = zalloc(t.d, lens[0]);
    b[1] = zalloc(t.d, lens[1]);
    qtest_memwrite(t.qts, b[0], frame, lens[0]);
    qtest_memwrite(t.qts, b[1], frame + lens[0], lens[1]);

    tx_packet(&t, &q, 0x2a5, b, lens, 2, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, sizeof(frame));
    g_assert_cmpmem(out, sizeof(frame), frame, sizeof(frame));
    /* exactly one completion, for the packet's req_id */
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmphex(id, ==, 0x2a5);
    g_assert_false(tx_cmpl(&t, &q, &id));
    g_assert_true(qena_msix_take(t.d, 1));

    /* auto-masked: the next packet raises nothing until the unmask */
    tx_packet(&t, &q, 7, b, lens, 1, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, lens[0]);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 7);
    g_assert_false(qena_msix_take(t.d, 1));
    qena_writel(t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK);
    g_assert_true(qena_msix_take(t.d, 1));
    /* unmasked with nothing pending: no interrupt */
    qena_writel(t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK);
    g_assert_false(qena_msix_take(t.d, 1));
}

/* Many packets around the ring: phases flip, completions stay in order. */
static void test_ena_tx_wrap(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t out[128];
    uint64_t b;
    uint16_t len = 64, id;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    b = zalloc(t.d, len);
    for (int i = 0; i < 3 * DEPTH; i++) {
        qtest_writel(t.qts, b, i);
        tx_packet(&t, &q, i % DEPTH, &b, &len, 1, 0, NULL);
        qena_writel(t.d, q.db, q.tail);
        g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, len);
        g_assert_cmpint(ldl_le_p(out), ==, i);
        g_assert_true(tx_cmpl(&t, &q, &id));
        g_assert_cmpint(id, ==, i % DEPTH);
    }
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    return sum;
}

/* TCP/IPv4 pseudo-header sum for a segment of @l4len bytes */
static uint32_t pseudo_sum(const uint8_t *ip, size_t l4len)
{
    uint32_t sum = csum_add(0, ip + 12, 8);

    return sum + 6 + l4len;
}

static size_t build_tcp4(uint8_t *f, size_t payload, uint16_t sport,
                         uint16_t dport, uint32_t seq)
{
    uint8_t *ip = f + 14, *tcp = ip + 20;
    size_t iplen = 20 + 20 + payload;

    memset(f, 0, 14 + iplen);
    memcpy(f, "\x52\x54\x00\x00\x00\x02\x52\x54\x00\x12\x34\x56\x08\x00",
           14);
    ip[0] = 0x45;
    stw_be_p(ip + 2, iplen);
    ip[6] = 0x40;               /* DF */
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    stw_be_p(ip + 10, ~csum_fold(csum_add(0, ip, 20)));
    stw_be_p(tcp, sport);
    stw_be_p(tcp + 2, dport);
    stl_be_p(tcp + 4, seq);
    tcp[12] = 5 << 4;
    tcp[13] = 0x18;
    stw_be_p(tcp + 14, 65535);
    fill(tcp + 20, payload, sport);
    stw_be_p(tcp + 16, ~csum_fold(csum_add(pseudo_sum(ip, iplen - 20), tcp,
                                          iplen - 20)));
    return 14 + iplen;
}

static bool tcp4_csums_ok(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + 14;
    size_t l4len = lduw_be_p(ip + 2) - 20;

    return csum_fold(csum_add(0, ip, 20)) == 0xffff &&
           14 + 20 + l4len == len &&
           csum_fold(csum_add(pseudo_sum(ip, l4len), ip + 20, l4len)) ==
           0xffff;
}

/* l4_csum_partial: the driver pre-fills the pseudo-header sum. */
static void test_ena_tx_csum(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t f[1514], out[2048];
    size_t len = build_tcp4(f, 1000, 1234, 80, 1);
    uint16_t l = len, id;
    uint64_t b;
    EnaEthIoTxDesc meta = { 0 };

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    stw_be_p(f + 14 + 20 + 16, csum_fold(pseudo_sum(f + 14, len - 34)));
    g_assert_false(tcp4_csums_ok(f, len));
    b = zalloc(t.d, len);
    qtest_memwrite(t.qts, b, f, len);
    meta.len_ctrl = cpu_to_le32(ENA_ETH_IO_TX_DESC_META_DESC_MASK |
                                ENA_ETH_IO_TX_META_DESC_META_STORE_MASK |
                                ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK |
                                ENA_ETH_IO_TX_DESC_FIRST_MASK);
    meta.buff_addr_lo = cpu_to_le32(20 | (14 << 8));
    tx_packet(&t, &q, 1, &b, &l, 1,
              ENA_ETH_IO_L3_PROTO_IPV4 | ENA_ETH_IO_TX_DESC_L4_CSUM_EN_MASK |
              ENA_ETH_IO_TX_DESC_L4_CSUM_PARTIAL_MASK |
              (ENA_ETH_IO_L4_PROTO_TCP << ENA_ETH_IO_TX_DESC_L4_PROTO_IDX_SHIFT),
              &meta);
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, len);
    g_assert_true(tcp4_csums_ok(out, len));
    g_assert_cmpmem(out + 54, len - 54, f + 54, len - 54);
    g_assert_true(tx_cmpl(&t, &q, &id));
}

/* TSO: 3000 bytes with MSS 1000 leave as three valid segments. */
/* The device's TX drop counter (GET_STATS basic). */
static uint64_t tx_drops(IoTest *t)
{
    EnaAdminAcqEntry r;
    EnaAdminBasicStats st;

    g_assert_cmpint(qena_get_stats(t->d, ENA_ADMIN_GET_STATS_TYPE_BASIC, 0, 0,
                                   0, &r), ==, 0);
    memcpy(&st, r.data, sizeof(st));
    return le32_to_cpu(st.tx_drops_low) |
           (uint64_t)le32_to_cpu(st.tx_drops_high) << 32;
}

static void test_ena_tx_tso(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t f[3054], out[2048];
    size_t len = build_tcp4(f, 3000, 5555, 80, 1000);
    uint16_t l = len, id;
    uint64_t b;
    uint32_t mss = 1000;
    EnaEthIoTxDesc meta;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    b = zalloc(t.d, len);
    qtest_memwrite(t.qts, b, f, len);
    qena_tso_meta(&meta, 20, 14, 5, mss);
    tx_packet(&t, &q, 9, &b, &l, 1,
              ENA_ETH_IO_L3_PROTO_IPV4 | ENA_ETH_IO_TX_DESC_TSO_EN_MASK |
              ENA_ETH_IO_TX_DESC_L3_CSUM_EN_MASK |
              ENA_ETH_IO_TX_DESC_L4_CSUM_EN_MASK |
              (ENA_ETH_IO_L4_PROTO_TCP << ENA_ETH_IO_TX_DESC_L4_PROTO_IDX_SHIFT),
              &meta);
    qena_writel(t.d, q.db, q.tail);
    for (int i = 0; i < 3; i++) {
        size_t n = sock_recv(&t, out, sizeof(out));
        g_assert_cmpint(n, ==, 14 + 20 + 20 + 1000);
        g_assert_true(tcp4_csums_ok(out, n));
        g_assert_cmpint(ldl_be_p(out + 38), ==, 1000 + i * 1000);
        g_assert_cmpmem(out + 54, 1000, f + 54 + i * 1000, 1000);
    }
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 9);
    g_assert_false(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(tx_drops(&t), ==, 0);

    /* MSS 0 cannot be segmented: dropped and counted, still completed */
    meta.len_ctrl &= ~cpu_to_le32(ENA_ETH_IO_TX_META_DESC_MSS_HI_MASK);
    meta.buff_addr_lo &= ~cpu_to_le32(ENA_ETH_IO_TX_META_DESC_MSS_LO_MASK);
    tx_packet(&t, &q, 10, &b, &l, 1,
              ENA_ETH_IO_L3_PROTO_IPV4 | ENA_ETH_IO_TX_DESC_TSO_EN_MASK |
              (ENA_ETH_IO_L4_PROTO_TCP << ENA_ETH_IO_TX_DESC_L4_PROTO_IDX_SHIFT),
              &meta);
    l = 60;
    tx_packet(&t, &q, 11, &b, &l, 1, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, 60);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 10);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 11);
    g_assert_cmpint(tx_drops(&t), ==, 1);
}

/* ---- RX ------------------------------------------------------------- */

static uint64_t rx_post(IoTest *t, IoQueue *q, uint16_t req_id, uint16_t len)
{
    return qena_rx_post(t->d, q, req_id, len);
}

static bool rx_cmpl(IoTest *t, IoQueue *q, EnaEthIoRxCdesc *cd)
{
    return qena_rx_cmpl(t->d, q, cd);
}

/* Let QEMU read the socket and deliver; wait for a completion. */
static bool rx_wait(IoTest *t, IoQueue *q, EnaEthIoRxCdesc *cd)
{
    for (int i = 0; i < 1000; i++) {
        if (rx_cmpl(t, q, cd)) {
            return true;
        }
        qtest_clock_step(t->qts, 10000);
    }
    return false;
}

static void test_ena_rx_basic(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    EnaEthIoRxCdesc cd;
    uint8_t f[1514], in[1514];
    size_t len = build_tcp4(f, 1460, 80, 40000, 7);
    uint64_t buf[4];
    uint32_t st;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX, 2);
    qena_msix_route(t.d, 2);
    for (int i = 0; i < 4; i++) {
        buf[i] = rx_post(&t, &q, 10 + i, 2048);
    }
    qena_writel(t.d, q.db, q.tail);
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    st = le32_to_cpu(cd.status);
    g_assert_cmphex(st & (ENA_ETH_IO_RX_CDESC_FIRST_MASK |
                          ENA_ETH_IO_RX_CDESC_LAST_MASK), ==,
                    ENA_ETH_IO_RX_CDESC_FIRST_MASK |
                    ENA_ETH_IO_RX_CDESC_LAST_MASK);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, len);
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 10);
    g_assert_cmpint(st & ENA_ETH_IO_RX_CDESC_L3_PROTO_IDX_MASK, ==,
                    ENA_ETH_IO_L3_PROTO_IPV4);
    g_assert_cmpint((st & ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_MASK) >>
                    ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_SHIFT, ==,
                    ENA_ETH_IO_L4_PROTO_TCP);
    /* valid checksums: checked, no error */
    g_assert_cmphex(st & (ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK |
                          ENA_ETH_IO_RX_CDESC_L4_CSUM_ERR_MASK |
                          ENA_ETH_IO_RX_CDESC_L3_CSUM_ERR_MASK), ==,
                    ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK);
    qtest_memread(t.qts, buf[0], in, len);
    g_assert_cmpmem(in, len, f, len);
    g_assert_true(qena_msix_take(t.d, 2));

    /* a corrupted TCP checksum is reported */
    f[60] ^= 0xff;
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 11);
    g_assert_cmphex(le32_to_cpu(cd.status) &
                    ENA_ETH_IO_RX_CDESC_L4_CSUM_ERR_MASK, !=, 0);
}

/* IPv4 or IPv6, TCP or UDP, @payload bytes: every checksum right. */
static size_t build_l4(uint8_t *f, bool v6, bool udp, size_t payload)
{
    uint8_t *ip = f + 14;
    size_t l3 = v6 ? 40 : 20, l4h = udp ? 8 : 20, l4len = l4h + payload;
    uint8_t *l4 = ip + l3;
    uint8_t proto = udp ? 17 : 6;
    uint32_t sum;
    uint16_t csum;

    memset(f, 0, 14 + l3 + l4len);
    memcpy(f, "\x52\x54\x00\x00\x00\x02\x52\x54\x00\x12\x34\x56", 12);
    stw_be_p(f + 12, v6 ? 0x86dd : 0x0800);
    if (v6) {
        ip[0] = 0x60;
        stw_be_p(ip + 4, l4len);
        ip[6] = proto;
        ip[7] = 64;
        ip[8] = ip[24] = 0xfd;      /* fd00::1 to fd00::2 */
        ip[23] = 1;
        ip[39] = 2;
        sum = csum_add(0, ip + 8, 32);
    } else {
        ip[0] = 0x45;
        stw_be_p(ip + 2, 20 + l4len);
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = proto;
        memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
        stw_be_p(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, 20)));
        sum = csum_add(0, ip + 12, 8);
    }
    sum += proto + l4len;
    stw_be_p(l4, 1234);
    stw_be_p(l4 + 2, 5678);
    if (udp) {
        stw_be_p(l4 + 4, l4len);
    } else {
        stl_be_p(l4 + 4, 1);
        l4[12] = 5 << 4;
        l4[13] = 0x18;
        stw_be_p(l4 + 14, 65535);
    }
    fill(l4 + l4h, payload, payload);
    csum = ~csum_fold(csum_add(sum, l4, l4len));
    if (udp && !csum) {
        csum = 0xffff;              /* 0 would mean "no checksum" */
    }
    stw_be_p(l4 + (udp ? 6 : 16), csum);
    return 14 + l3 + l4len;
}

#define CSUM_BITS   (ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK | \
                     ENA_ETH_IO_RX_CDESC_L4_CSUM_ERR_MASK | \
                     ENA_ETH_IO_RX_CDESC_L3_CSUM_ERR_MASK)
#define CSUM_GOOD   ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK
#define CSUM_BAD    (ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK | \
                     ENA_ETH_IO_RX_CDESC_L4_CSUM_ERR_MASK)

/* Receive @f; the checksum bits of its last completion. */
static uint32_t rx_csum_bits(IoTest *t, IoQueue *q, unsigned *posted,
                             const uint8_t *f, size_t len)
{
    EnaEthIoRxCdesc cd;
    uint32_t st;
    size_t got = 0;

    /* three buffers take the largest frame */
    for (; *posted < 3; (*posted)++) {
        rx_post(t, q, 0, BUF_SIZE);
    }
    qena_writel(t->d, q->db, q->tail);
    sock_send(t, f, len);
    do {
        g_assert_true(rx_wait(t, q, &cd));
        (*posted)--;
        st = le32_to_cpu(cd.status);
        got += le16_to_cpu(cd.length);
    } while (!(st & ENA_ETH_IO_RX_CDESC_LAST_MASK));
    g_assert_cmpint(got, ==, len);
    return st & CSUM_BITS;
}

/*
 * RX checksum validation against the test's own byte-wise sum: TCP and
 * UDP over IPv4 and IPv6, odd and even lengths up to a jumbo frame, each
 * right and with its last byte changed; a UDP datagram without a
 * checksum; a short frame padded to 60 bytes.
 */
static void test_ena_rx_csum(void *obj, void *data, QGuestAllocator *alloc)
{
    static const size_t payloads[] = { 0, 1, 7, 8, 9, 1459, 8941 };
    IoTest t;
    IoQueue q;
    g_autofree uint8_t *f = g_malloc(9015);
    unsigned posted = 0;
    size_t len;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1);
    for (int v6 = 0; v6 < 2; v6++) {
        for (int udp = 0; udp < 2; udp++) {
            for (size_t i = 0; i < ARRAY_SIZE(payloads); i++) {
                len = build_l4(f, v6, udp, payloads[i]);
                g_assert_cmphex(rx_csum_bits(&t, &q, &posted, f, len), ==,
                                CSUM_GOOD);
                f[len - 1] ^= 0x5a;
                g_assert_cmphex(rx_csum_bits(&t, &q, &posted, f, len), ==,
                                CSUM_BAD);
            }
        }
    }
    /* UDP checksum 0: not checked, over IPv4 and IPv6 */
    for (int v6 = 0; v6 < 2; v6++) {
        len = build_l4(f, v6, true, 9);
        stw_be_p(f + 14 + (v6 ? 40 : 20) + 6, 0);
        g_assert_cmphex(rx_csum_bits(&t, &q, &posted, f, len), ==, 0);
    }
    /* Ethernet padding after the IP datagram is not summed */
    len = build_l4(f, false, false, 0);
    g_assert_cmpint(len, ==, 54);
    memset(f + len, 0xa5, 6);
    g_assert_cmphex(rx_csum_bits(&t, &q, &posted, f, 60), ==, CSUM_GOOD);
}

/* A 9015-byte frame (MTU 9001) spans three 3712-byte buffers. */
static void test_ena_rx_jumbo(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    EnaEthIoRxCdesc cd;
    g_autofree uint8_t *f = g_malloc(9015);
    g_autofree uint8_t *in = g_malloc(9015);
    static const uint16_t expect[3] = { BUF_SIZE, BUF_SIZE, 9015 - 2 * BUF_SIZE };
    uint64_t buf[4];
    size_t off = 0;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1);
    for (int i = 0; i < 4; i++) {
        buf[i] = rx_post(&t, &q, 100 + i, BUF_SIZE);
    }
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(build_tcp4(f, 9001 - 40, 1, 2, 3), ==, 9015);
    sock_send(&t, f, 9015);
    for (int i = 0; i < 3; i++) {
        uint32_t st;

        g_assert_true(rx_wait(&t, &q, &cd));
        st = le32_to_cpu(cd.status);
        g_assert_cmpint(le16_to_cpu(cd.length), ==, expect[i]);
        g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 100 + i);
        g_assert_cmpint(!!(st & ENA_ETH_IO_RX_CDESC_FIRST_MASK), ==, i == 0);
        g_assert_cmpint(!!(st & ENA_ETH_IO_RX_CDESC_LAST_MASK), ==, i == 2);
        qtest_memread(t.qts, buf[i], in + off, expect[i]);
        off += expect[i];
    }
    g_assert_cmpmem(in, 9015, f, 9015);
    g_assert_false(rx_cmpl(&t, &q, &cd));
}

/* With no buffers the frame is held, and delivered after the doorbell. */
static void test_ena_rx_held(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    EnaEthIoRxCdesc cd;
    uint8_t f[100];

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1);
    fill(f, sizeof(f), 3);
    sock_send(&t, f, sizeof(f));
    g_assert_false(rx_wait(&t, &q, &cd));
    rx_post(&t, &q, 5, 2048);
    qena_writel(t.d, q.db, q.tail);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 5);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, sizeof(f));
}

/* The indirection table's RX sq_idx values steer frames. */
static void test_ena_rx_rss(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q0, q1;
    EnaEthIoRxCdesc cd;
    EnaAdminRssIndTableFeature tf = {
        .size = cpu_to_le16(7),
        .inline_index = cpu_to_le32(0xffffffff),
    };
    uint64_t tbuf;
    uint8_t f[200];
    size_t len;
    int hits[2] = { 0, 0 };

    io_up(&t, obj);
    io_queue(&t, &q0, ENA_ADMIN_SQ_DIRECTION_RX, 1);
    io_queue(&t, &q1, ENA_ADMIN_SQ_DIRECTION_RX, 2);
    for (int i = 0; i < 32; i++) {
        rx_post(&t, &q0, i, 2048);
        rx_post(&t, &q1, i, 2048);
    }
    qena_writel(t.d, q0.db, q0.tail);
    qena_writel(t.d, q1.db, q1.tail);

    /* every entry on q1 first: all frames go there */
    tbuf = zalloc(t.d, 512);
    for (int i = 0; i < 128; i++) {
        qtest_writel(t.qts, tbuf + 4 * i, q1.sq_idx);
    }
    g_assert_cmpint(qena_set_feature(t.d,
                                     ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     &tf, sizeof(tf), tbuf, 512), ==, 0);
    len = build_tcp4(f, 100, 1000, 80, 1);
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q1, &cd));
    g_assert_false(rx_cmpl(&t, &q0, &cd));

    /* alternate entries: different flows spread over both queues */
    for (int i = 0; i < 128; i++) {
        qtest_writel(t.qts, tbuf + 4 * i, i & 1 ? q1.sq_idx : q0.sq_idx);
    }
    g_assert_cmpint(qena_set_feature(t.d,
                                     ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     &tf, sizeof(tf), tbuf, 512), ==, 0);
    for (int p = 0; p < 16; p++) {
        int landed = -1;

        len = build_tcp4(f, 100, 2000 + p, 80, 1);
        sock_send(&t, f, len);
        for (int i = 0; i < 1000 && landed < 0; i++) {
            if (rx_cmpl(&t, &q0, &cd)) {
                landed = 0;
            } else if (rx_cmpl(&t, &q1, &cd)) {
                landed = 1;
            } else {
                qtest_clock_step(t.qts, 10000);
            }
        }
        g_assert_cmpint(landed, >=, 0);
        hits[landed == 1]++;
        /* the reported hash picks the queue through the table */
        g_assert_cmpint(le32_to_cpu(cd.hash) & 1, ==, landed);
    }
    g_assert_cmpint(hits[0], >, 0);
    g_assert_cmpint(hits[1], >, 0);
}

/*
 * Interrupt moderation: with a TX delay of 100 units of 1 us (from the
 * unmask write) the interrupt leaves 100 us after the first completion,
 * and completions in that window share it.
 */
static void test_ena_irq_moderation(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t out[128];
    uint64_t b;
    uint16_t len = 64, id;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    qena_msix_route(t.d, 1);
    b = zalloc(t.d, len);
    qena_writel(t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK |
                (100 << ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_SHIFT));
    for (int i = 0; i < 3; i++) {
        tx_packet(&t, &q, i, &b, &len, 1, 0, NULL);
        qena_writel(t.d, q.db, q.tail);
        sock_recv(&t, out, sizeof(out));
        g_assert_true(tx_cmpl(&t, &q, &id));
        qtest_clock_step(t.qts, 10 * 1000);
    }
    g_assert_false(qena_msix_take(t.d, 1));
    qtest_clock_step(t.qts, 70 * 1000 - 1);
    g_assert_false(qena_msix_take(t.d, 1));
    qtest_clock_step(t.qts, 1);
    g_assert_true(qena_msix_take(t.d, 1));
    qtest_clock_step(t.qts, 1000 * 1000);
    g_assert_false(qena_msix_take(t.d, 1));
}

/* ---- data-path faults ---------------------------------------------- */

static void fault_set(IoTest *t, const char *point, const char *spec)
{
    g_autofree char *prop = g_strdup_printf("fault-%s", point);

    qtest_qmp_assert_success(t->qts, "{'execute': 'qom-set', 'arguments':"
                             " {'path': '/machine/peripheral/ena0', "
                             "'property': %s, 'value': %s}}", prop, spec);
}

/* A stuck TX queue: nothing leaves or completes until the fault ends. */
static void test_ena_fault_tx_stall(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t out[128];
    uint64_t b;
    uint16_t len = 64, id;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    b = zalloc(t.d, len);
    fault_set(&t, "tx", "stall:queue=0:for=3s");
    tx_packet(&t, &q, 1, &b, &len, 1, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    qtest_clock_step(t.qts, 3000 * (int64_t)MS - 1);
    g_assert_false(tx_cmpl(&t, &q, &id));
    qtest_clock_step(t.qts, 1);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, len);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 1);
}

/* Lost completions: the frame goes out, its completion never comes. */
static void test_ena_fault_tx_drop(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t out[128];
    uint64_t b;
    uint16_t len = 64, id;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    b = zalloc(t.d, len);
    fault_set(&t, "tx", "drop:count=2");
    for (int i = 0; i < 3; i++) {
        tx_packet(&t, &q, 10 + i, &b, &len, 1, 0, NULL);
        qena_writel(t.d, q.db, q.tail);
        g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, len);
    }
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 12);
    g_assert_false(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(qena_qom_get_uint(t.qts, "ena0", "fault-tx-hits"), ==, 2);
}

static void test_ena_fault_rx(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    EnaEthIoRxCdesc cd;
    uint8_t f[100];

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1);
    for (int i = 0; i < 8; i++) {
        rx_post(&t, &q, i, 2048);
    }
    qena_writel(t.d, q.db, q.tail);
    fill(f, sizeof(f), 9);
    /* dropped frames never show up */
    fault_set(&t, "rx", "drop:once");
    sock_send(&t, f, sizeof(f));
    sock_send(&t, f, sizeof(f));
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 0);
    g_assert_false(rx_wait(&t, &q, &cd));
    /* a stall holds frames until it ends */
    fault_set(&t, "rx", "stall:for=2s");
    sock_send(&t, f, sizeof(f));
    g_assert_false(rx_wait(&t, &q, &cd));     /* 10 ms of virtual time */
    qtest_clock_step(t.qts, 2000 * (int64_t)MS);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 1);
}

/* Corrupted completions: a req_id beyond the ring, once per rule hit. */
static void test_ena_fault_bad_req_id(void *obj, void *data,
                                      QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue tq, rq;
    EnaEthIoRxCdesc cd;
    uint8_t f[100], out[128];
    uint64_t b;
    uint16_t len = 64, id;

    io_up(&t, obj);
    io_queue(&t, &tq, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    io_queue(&t, &rq, ENA_ADMIN_SQ_DIRECTION_RX, 2);
    b = zalloc(t.d, len);
    fault_set(&t, "tx", "bad-req-id:at=2:once");
    for (int i = 0; i < 3; i++) {
        tx_packet(&t, &tq, 20 + i, &b, &len, 1, 0, NULL);
        qena_writel(t.d, tq.db, tq.tail);
        g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, len);
        g_assert_true(tx_cmpl(&t, &tq, &id));
        g_assert_cmphex(id, ==, i == 1 ? 0xffff : 20 + i);
    }
    g_assert_cmpint(qena_qom_get_uint(t.qts, "ena0", "fault-tx-hits"), ==, 1);

    for (int i = 0; i < 4; i++) {
        rx_post(&t, &rq, i, 2048);
    }
    qena_writel(t.d, rq.db, rq.tail);
    fill(f, sizeof(f), 3);
    fault_set(&t, "rx", "bad-req-id:once");
    for (int i = 0; i < 2; i++) {
        sock_send(&t, f, sizeof(f));
        g_assert_true(rx_wait(&t, &rq, &cd));
        g_assert_cmphex(le16_to_cpu(cd.req_id), ==, i == 0 ? 0xffff : 1);
        g_assert_cmpint(le16_to_cpu(cd.length), ==, sizeof(f));
    }
    g_assert_cmpint(qena_qom_get_uint(t.qts, "ena0", "fault-rx-hits"), ==, 1);
}

/* The first IO interrupt is lost; the vector stays masked meanwhile. */
static void test_ena_fault_irq(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    uint8_t out[128];
    uint64_t b;
    uint16_t len = 64, id;

    io_up(&t, obj);
    io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
    qena_msix_route(t.d, 1);
    b = zalloc(t.d, len);
    fault_set(&t, "irq", "drop:vector=1:once");
    tx_packet(&t, &q, 1, &b, &len, 1, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    sock_recv(&t, out, sizeof(out));
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_false(qena_msix_take(t.d, 1));
    /* after the driver's unmask, interrupts flow again */
    qena_writel(t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK);
    tx_packet(&t, &q, 2, &b, &len, 1, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    sock_recv(&t, out, sizeof(out));
    g_assert_true(qena_msix_take(t.d, 1));
}

/* ---- TX in device placement (LLQ) ------------------------------------- */

typedef struct LlqCfg {
    uint16_t entry;             /* bytes */
    uint16_t before;            /* descriptors before the header */
    uint16_t stride;            /* ENA_ADMIN_*_DESC(S)_PER_ENTRY */
} LlqCfg;

typedef struct Llq {
    LlqCfg c;
    QPCIBar bar;
    uint64_t bar_size;
} Llq;

static const LlqCfg llq_linux = { 128, 2, ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY };

/* SET_FEATURE(LLQ) with these enabled values; the status. */
static uint8_t llq_set(IoTest *t, uint16_t hdr_loc, uint16_t size_ctrl,
                       uint16_t before, uint16_t stride)
{
    EnaAdminLlqFeature f = {
        .header_location_ctrl_enabled = cpu_to_le16(hdr_loc),
        .entry_size_ctrl_enabled = cpu_to_le16(size_ctrl),
        .desc_num_before_header_enabled = cpu_to_le16(before),
        .descriptors_stride_ctrl_enabled = cpu_to_le16(stride),
        .accel_flags = cpu_to_le16(3),      /* what Linux sends */
    };

    return qena_set_feature(t->d, ENA_ADMIN_LLQ, &f, sizeof(f), 0, 0);
}

/* GET and SET the LLQ feature, then create TX SQ + CQ in device placement */
static void llq_up(IoTest *t, IoQueue *q, Llq *l, const LlqCfg *c)
{
    EnaAdminLlqFeature f;

    g_assert_cmpint(qena_get_feature(t->d, ENA_ADMIN_LLQ, 0, 0, 0, &f,
                                     sizeof(f)), ==, ENA_ADMIN_SUCCESS);
    g_assert_cmpint(le32_to_cpu(f.max_llq_num), ==, 4);
    g_assert_cmpint(le32_to_cpu(f.max_llq_depth), ==, 1024);
    g_assert_cmphex(le16_to_cpu(f.header_location_ctrl_supported), ==,
                    ENA_ADMIN_INLINE_HEADER);
    g_assert_cmphex(le16_to_cpu(f.entry_size_ctrl_supported), ==, 0x7);
    g_assert_cmphex(le16_to_cpu(f.desc_num_before_header_supported), ==,
                    0x7);
    g_assert_cmphex(le16_to_cpu(f.descriptors_stride_ctrl_supported), ==,
                    0x3);

    g_assert_cmpint(llq_set(t, ENA_ADMIN_INLINE_HEADER,
                            c->entry == 128 ? 1 : c->entry == 192 ? 2 : 4,
                            c->before, c->stride), ==, ENA_ADMIN_SUCCESS);
    io_queue_ex(t, q, ENA_ADMIN_SQ_DIRECTION_TX, 1,
                ENA_ADMIN_PLACEMENT_POLICY_DEV);
    l->c = *c;
    l->bar = qpci_iomap(&t->d->dev, ENA_MEM_BAR, &l->bar_size);
    g_assert_cmpint(q->llq_off + DEPTH * c->entry, <=, l->bar_size);
}

/* Copy one entry into BAR2 the way Linux does: 64-bit writes. */
static void llq_write_entry(IoTest *t, IoQueue *q, Llq *l, const uint8_t *e)
{
    uint64_t off = q->llq_off + (q->tail & (DEPTH - 1)) * l->c.entry;

    for (unsigned i = 0; i < l->c.entry; i += 8) {
        qpci_io_writeq(&t->d->dev, l->bar, off + i, ldq_le_p(e + i));
    }
    q->tail++;
}

/*
 * One packet as the Linux driver lays it out: @hlen bytes of @hdr pushed
 * into the first entry after the first @before descriptors, the data
 * buffers described by the descriptors, entries filled in order.
 */
static void llq_packet(IoTest *t, IoQueue *q, Llq *l, uint16_t req_id,
                       const uint8_t *hdr, unsigned hlen,
                       const uint64_t *bufs, const uint16_t *lens, int nbufs,
                       const EnaEthIoTxDesc *meta)
{
    EnaEthIoTxDesc d[20];       /* meta + 19 data descriptors */
    unsigned n = 0, i = 0, slots;
    uint8_t e[256];
    bool first = true;
    static const uint64_t none_buf;
    static const uint16_t none_len;

    if (meta) {
        d[n++] = *meta;
    }
    if (!nbufs) {               /* everything was pushed */
        bufs = &none_buf;
        lens = &none_len;
        nbufs = 1;
    }
    for (int b = 0; b < nbufs; b++, n++) {
        uint32_t lc = lens[b];
        uint32_t mc = 0;

        if (b == 0) {
            lc |= ((req_id >> 10) << ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) |
                  ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
                  (meta ? 0 : ENA_ETH_IO_TX_DESC_FIRST_MASK);
            mc = (req_id & 0x3ff) << ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT;
        }
        if (b == nbufs - 1) {
            lc |= ENA_ETH_IO_TX_DESC_LAST_MASK;
        }
        d[n].len_ctrl = cpu_to_le32(lc);
        d[n].meta_ctrl = cpu_to_le32(mc);
        d[n].buff_addr_lo = cpu_to_le32((uint32_t)bufs[b]);
        d[n].buff_addr_hi_hdr_sz = cpu_to_le32((bufs[b] >> 32) |
                                               (b == 0 ? hlen << 24 : 0));
    }
    while (i < n) {
        memset(e, 0, sizeof(e));
        slots = first ? l->c.before :
                l->c.stride == ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY ?
                l->c.entry / 16 : 1;
        for (unsigned k = 0; k < slots && i < n; k++, i++) {
            EnaEthIoTxDesc x = d[i];
            uint32_t lc = le32_to_cpu(x.len_ctrl);

            lc |= phase_of(q->tail) << ENA_ETH_IO_TX_DESC_PHASE_SHIFT;
            x.len_ctrl = cpu_to_le32(lc);
            memcpy(e + k * 16, &x, 16);
        }
        if (first) {
            memcpy(e + l->c.before * 16, hdr, hlen);
            first = false;
        }
        llq_write_entry(t, q, l, e);
    }
}

/* Linux's default geometry: 128-byte entries, 2 descriptors, 96 B pushed */
static void test_ena_tx_llq(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    Llq l;
    uint8_t frame[1514], out[2048];
    uint64_t b[5];
    uint16_t lens[5], id;
    EnaEthIoTxDesc meta = { 0 };

    io_up(&t, obj);
    llq_up(&t, &q, &l, &llq_linux);
    qena_msix_route(t.d, 1);
    fill(frame, sizeof(frame), 9);

    /* a small frame is pushed whole: one descriptor, length 0, address 0 */
    llq_packet(&t, &q, &l, 0x155, frame, 60, NULL, NULL, 0, NULL);
    g_assert_cmpint(q.tail, ==, 1);
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, 60);
    g_assert_cmpmem(out, 60, frame, 60);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmphex(id, ==, 0x155);
    g_assert_true(qena_msix_take(t.d, 1));
    qena_writel(t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK);

    /* 96 pushed bytes, the rest in two buffers: still a single entry */
    lens[0] = 700;
    lens[1] = sizeof(frame) - 96 - 700;
    b[0] = zalloc(t.d, lens[0]);
    b[1] = zalloc(t.d, lens[1]);
    qtest_memwrite(t.qts, b[0], frame + 96, lens[0]);
    qtest_memwrite(t.qts, b[1], frame + 96 + lens[0], lens[1]);
    llq_packet(&t, &q, &l, 0x3ff, frame, 96, b, lens, 2, NULL);
    g_assert_cmpint(q.tail, ==, 2);

    /* meta + 5 buffers: 2 descriptors in the first entry, 4 in the next */
    meta.len_ctrl = cpu_to_le32(ENA_ETH_IO_TX_DESC_META_DESC_MASK |
                                ENA_ETH_IO_TX_DESC_FIRST_MASK |
                                ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK |
                                ENA_ETH_IO_TX_META_DESC_META_STORE_MASK);
    for (int i = 0; i < 5; i++) {
        lens[i] = i < 4 ? 250 : sizeof(frame) - 64 - 4 * 250;
        b[i] = zalloc(t.d, lens[i]);
        qtest_memwrite(t.qts, b[i], frame + 64 + i * 250, lens[i]);
    }
    llq_packet(&t, &q, &l, 0x400, frame, 64, b, lens, 5, &meta);
    g_assert_cmpint(q.tail, ==, 4);
    /* one doorbell for both packets */
    qena_writel(t.d, q.db, q.tail);
    for (int p = 0; p < 2; p++) {
        g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, sizeof(frame));
        g_assert_cmpmem(out, sizeof(frame), frame, sizeof(frame));
    }
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmphex(id, ==, 0x3ff);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmphex(id, ==, 0x400);
    g_assert_false(tx_cmpl(&t, &q, &id));
    g_assert_true(qena_msix_take(t.d, 1));

    /* around the ring three times: entry phases flip */
    for (int i = 0; i < 3 * DEPTH; i++) {
        stl_le_p(frame, i);
        llq_packet(&t, &q, &l, i % DEPTH, frame, 60, NULL, NULL, 0, NULL);
        qena_writel(t.d, q.db, q.tail);
        g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, 60);
        g_assert_cmpint(ldl_le_p(out), ==, i);
        g_assert_true(tx_cmpl(&t, &q, &id));
        g_assert_cmpint(id, ==, i % DEPTH);
    }
}

/* 256-byte entries, one descriptor before the header, one per entry */
static void test_ena_tx_llq_single(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    static const LlqCfg c = { 256, 1, ENA_ADMIN_SINGLE_DESC_PER_ENTRY };
    IoTest t;
    IoQueue q;
    Llq l;
    uint8_t frame[1000], out[2048];
    uint64_t b[3];
    uint16_t lens[3] = { 300, 300, 1000 - 200 - 600 }, id;
    EnaEthIoTxDesc meta = { 0 };

    io_up(&t, obj);
    llq_up(&t, &q, &l, &c);
    fill(frame, sizeof(frame), 33);
    for (int i = 0; i < 3; i++) {
        b[i] = zalloc(t.d, lens[i]);
        qtest_memwrite(t.qts, b[i], frame + 200 + i * 300, lens[i]);
    }
    meta.len_ctrl = cpu_to_le32(ENA_ETH_IO_TX_DESC_META_DESC_MASK |
                                ENA_ETH_IO_TX_DESC_FIRST_MASK);
    /* [meta + 200 B header], [data], [data], [data, last] */
    llq_packet(&t, &q, &l, 77, frame, 200, b, lens, 3, &meta);
    g_assert_cmpint(q.tail, ==, 4);
    /* a doorbell before the packet's last entry sends nothing yet */
    qena_writel(t.d, q.db, 3);
    g_assert_false(tx_cmpl(&t, &q, &id));
    qena_writel(t.d, q.db, 4);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, sizeof(frame));
    g_assert_cmpmem(out, sizeof(frame), frame, sizeof(frame));
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 77);
}

/* Malformed entries: defined outcomes, and the queue goes on afterwards. */
static void test_ena_tx_llq_bad(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    Llq l;
    uint8_t frame[128], out[256], e[128];
    uint16_t id;

    io_up(&t, obj);
    llq_up(&t, &q, &l, &llq_linux);
    fill(frame, sizeof(frame), 5);

    /* more header bytes than the entry holds (96): dropped, completed */
    llq_packet(&t, &q, &l, 1, frame, 120, NULL, NULL, 0, NULL);
    llq_packet(&t, &q, &l, 2, frame, 70, NULL, NULL, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, 70);
    g_assert_cmpmem(out, 70, frame, 70);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 1);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 2);

    /* an entry with a stale phase is not taken until it is rewritten */
    memset(e, 0, sizeof(e));
    llq_write_entry(&t, &q, &l, e);
    qena_writel(t.d, q.db, q.tail);
    g_assert_false(tx_cmpl(&t, &q, &id));
    q.tail--;
    llq_packet(&t, &q, &l, 3, frame, 64, NULL, NULL, 0, NULL);
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, 64);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 3);
}

/*
 * Random entries with valid phases (data 0, 1: LLQ geometries; 2: host
 * placement, 16-byte descriptors in the guest ring): descriptors of any
 * kind, lengths, addresses (inside and outside guest RAM) and header
 * lengths. Whatever the device makes of them, QEMU must survive and the
 * device must still answer after a reset.
 */
static void test_ena_tx_llq_garbage(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    static const LlqCfg cfgs[] = {
        { 128, 2, ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY },
        { 192, 4, ENA_ADMIN_SINGLE_DESC_PER_ENTRY },
    };
    g_autoptr(GRand) rnd = g_rand_new_with_seed(0x454e41);
    IoTest t;
    IoQueue q;
    Llq l;
    uint8_t e[256], junk[4096];
    EnaAdminDeviceAttrFeature a;

    int mode = GPOINTER_TO_INT(data);

    io_up(&t, obj);
    if (mode < 2) {
        llq_up(&t, &q, &l, &cfgs[mode]);
    } else {
        io_queue(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1);
        l.c.entry = 16;
    }
    for (int i = 0; i < 4 * DEPTH; i++) {
        for (unsigned k = 0; k < l.c.entry; k += 4) {
            stl_le_p(e + k, g_rand_int(rnd));
        }
        for (unsigned k = 0; k < l.c.entry; k += 16) {
            uint32_t lc = ldl_le_p(e + k) & ~ENA_ETH_IO_TX_DESC_PHASE_MASK;
            uint64_t addr = g_rand_boolean(rnd) ?
                            0x100000 + g_rand_int_range(rnd, 0, 0x100000) :
                            ((uint64_t)g_rand_int(rnd) << 16);

            lc |= phase_of(q.tail) << ENA_ETH_IO_TX_DESC_PHASE_SHIFT;
            stl_le_p(e + k, lc);
            stl_le_p(e + k + 8, (uint32_t)addr);
            stl_le_p(e + k + 12, (ldl_le_p(e + k + 12) & 0xff000000u) |
                                 ((addr >> 32) & 0xffff));
        }
        if (mode < 2) {
            llq_write_entry(&t, &q, &l, e);
        } else {
            qtest_memwrite(t.qts, q.sq + (q.tail & (DEPTH - 1)) * 16, e, 16);
            q.tail++;
        }
        if (g_rand_int_range(rnd, 0, 4) == 0) {
            qena_writel(t.d, q.db, q.tail);
        }
        /* keep the socket drained so the back end never backs up */
        while (recv(t.sock, junk, sizeof(junk), MSG_DONTWAIT) > 0) {
            ;
        }
    }
    qena_writel(t.d, q.db, q.tail);
    g_assert_cmpint(qena_reset(t.d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(t.d, true);
    g_assert_cmpint(qena_get_feature(t.d, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, 0,
                                     0, &a, sizeof(a)), ==, ENA_ADMIN_SUCCESS);
}

/* A fresh CQ, and in @c a CREATE_SQ for a TX SQ in device placement. */
static void llq_sq_cmd(IoTest *t, EnaAdminAqEntry *c)
{
    EnaAdminCreateCqCmd *cq = (EnaAdminCreateCqCmd *)c;
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)c;
    EnaAdminAcqEntry r;

    memset(c, 0, sizeof(*c));
    cq->aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cq->cq_caps_2 = 2;
    cq->cq_depth = cpu_to_le16(DEPTH);
    qena_addr48(&cq->cq_ba, zalloc(t->d, DEPTH * 8));
    g_assert_cmpint(qena_admin_exec(t->d, c, &r), ==, 0);
    memset(c, 0, sizeof(*c));
    sq->aq_common.opcode = ENA_ADMIN_CREATE_SQ;
    sq->sq_identity = ENA_ADMIN_SQ_DIRECTION_TX << ENA_ADMIN_SQ_DIRECTION_SHIFT;
    sq->sq_caps_2 = ENA_ADMIN_PLACEMENT_POLICY_DEV;
    sq->cq_idx = ((EnaAdminCreateCqResp *)&r)->cq_idx;
    sq->sq_depth = cpu_to_le16(DEPTH);
}

/* GET_FEATURE(LLQ) as the driver reads it */
static void llq_get(IoTest *t, EnaAdminLlqFeature *f)
{
    g_assert_cmpint(qena_get_feature(t->d, ENA_ADMIN_LLQ, 0, 0, 0, f,
                                     sizeof(*f)), ==, ENA_ADMIN_SUCCESS);
}

static uint64_t llq_counter(IoTest *t, const char *name)
{
    return qena_qom_get_uint(t->qts, "ena0", name);
}

/* CREATE_SQ of an LLQ TX SQ @depth deep after SET LLQ with @size_ctrl */
static uint8_t llq_create_at(IoTest *t, uint16_t size_ctrl, uint16_t depth)
{
    EnaAdminAqEntry c;
    EnaAdminAcqEntry r;
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)&c;

    g_assert_cmpint(qena_reset(t->d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(t->d, true);
    g_assert_cmpint(llq_set(t, ENA_ADMIN_INLINE_HEADER, size_ctrl, 2,
                            ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY), ==, 0);
    llq_sq_cmd(t, &c);
    sq->sq_depth = cpu_to_le16(depth);
    return qena_admin_exec(t->d, &c, &r);
}

/*
 * fault-llq. wrong-geometry: the answer recommends 256 B entries and a
 * max_wide_llq_depth of the full depth, which CREATE_SQ then refuses (the
 * device's own limit being half). wrong-entry-size: only 256 B entries
 * are offered and then refused by SET_FEATURE(LLQ), until a reset.
 */
static void llq_fault_checks(IoTest *t)
{
    EnaAdminLlqFeature f;
    uint64_t refused = llq_counter(t, "llq-refused");

    fault_set(t, "llq", "wrong-geometry:once");
    llq_get(t, &f);
    g_assert_cmpint(f.entry_size_recommended, ==,
                    ENA_ADMIN_LIST_ENTRY_SIZE_256B);
    g_assert_cmpint(le16_to_cpu(f.max_wide_llq_depth), ==, 1024);
    g_assert_cmpint(llq_create_at(t, ENA_ADMIN_LIST_ENTRY_SIZE_256B, 1024),
                    ==, ENA_ADMIN_UNKNOWN_ERROR);
    g_assert_cmpint(llq_create_at(t, ENA_ADMIN_LIST_ENTRY_SIZE_256B, 512),
                    ==, ENA_ADMIN_SUCCESS);
    /* spent: the next answer is the device's own */
    llq_get(t, &f);
    g_assert_cmpint(f.entry_size_recommended, ==,
                    ENA_ADMIN_LIST_ENTRY_SIZE_128B);
    g_assert_cmpint(le16_to_cpu(f.max_wide_llq_depth), ==, 0);
    g_assert_cmpint(llq_counter(t, "fault-llq-hits"), ==, 1);
    g_assert_cmpint(llq_counter(t, "llq-refused"), ==, refused + 1);

    g_assert_cmpint(qena_reset(t->d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(t->d, true);
    fault_set(t, "llq", "wrong-entry-size:once");
    llq_get(t, &f);
    g_assert_cmphex(le16_to_cpu(f.entry_size_ctrl_supported), ==,
                    ENA_ADMIN_LIST_ENTRY_SIZE_256B);
    g_assert_cmpint(f.entry_size_recommended, ==,
                    ENA_ADMIN_LIST_ENTRY_SIZE_256B);
    g_assert_cmpint(llq_set(t, ENA_ADMIN_INLINE_HEADER,
                            ENA_ADMIN_LIST_ENTRY_SIZE_256B, 2,
                            ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    g_assert_cmpint(llq_counter(t, "llq-refused"), ==, refused + 2);
    /* 128 B, which the device really takes, still works */
    g_assert_cmpint(llq_set(t, ENA_ADMIN_INLINE_HEADER,
                            ENA_ADMIN_LIST_ENTRY_SIZE_128B, 2,
                            ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY), ==, 0);
    /* a reset ends the refusal; the spent rule no longer changes GET */
    g_assert_cmpint(llq_create_at(t, ENA_ADMIN_LIST_ENTRY_SIZE_256B, 512),
                    ==, ENA_ADMIN_SUCCESS);
    llq_get(t, &f);
    g_assert_cmphex(le16_to_cpu(f.entry_size_ctrl_supported), ==, 0x7);
    g_assert_cmpint(llq_counter(t, "llq-refused"), ==, refused + 2);
    g_assert_cmpint(llq_counter(t, "fault-llq-hits"), ==, 2);
}

/* Negotiation and queue creation rules. */
static void test_ena_llq_admin(void *obj, void *data, QGuestAllocator *alloc)
{
    IoTest t;
    IoQueue q;
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)&c;
    static const uint16_t bad[][4] = {
        /* header location, entry size, before header, stride */
        { 2, 1, 2, 2 },         /* header ring: not offered */
        { 1, 3, 2, 2 },         /* two entry sizes */
        { 1, 1, 8, 2 },         /* 8 before the header: not offered */
        { 1, 1, 0, 2 },
        { 1, 1, 2, 0 },
        { 1, 8, 2, 2 },
    };

    io_up(&t, obj);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_cmpint(llq_set(&t, bad[i][0], bad[i][1], bad[i][2],
                                bad[i][3]), ==, ENA_ADMIN_ILLEGAL_PARAMETER);
    }

    /* device placement before SET LLQ, or for RX: refused */
    llq_sq_cmd(&t, &c);
    g_assert_cmpint(qena_admin_exec(t.d, &c, &r), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);

    /* set up: TX works; RX, or deeper than max_llq_depth, does not */
    g_assert_cmpint(llq_set(&t, 1, 1, 2, 2), ==, 0);
    sq->sq_identity = ENA_ADMIN_SQ_DIRECTION_RX << ENA_ADMIN_SQ_DIRECTION_SHIFT;
    g_assert_cmpint(qena_admin_exec(t.d, &c, &r), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    sq->sq_identity = ENA_ADMIN_SQ_DIRECTION_TX << ENA_ADMIN_SQ_DIRECTION_SHIFT;
    sq->sq_depth = cpu_to_le16(2048);
    g_assert_cmpint(qena_admin_exec(t.d, &c, &r), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    /* the bad SETs and the depth: geometries refused */
    g_assert_cmpint(qena_qom_get_uint(t.qts, "ena0", "llq-refused"), ==,
                    ARRAY_SIZE(bad) + 1);
    io_queue_ex(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1,
                ENA_ADMIN_PLACEMENT_POLICY_DEV);
    g_assert_cmpint(q.llq_off % (1024 * 256), ==, 0);
    /* no re-negotiation under a live LLQ SQ */
    g_assert_cmpint(llq_set(&t, 1, 1, 2, 2), ==, ENA_ADMIN_RESOURCE_BUSY);

    /* a reset forgets the configuration */
    g_assert_cmpint(qena_reset(t.d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(t.d, true);
    llq_sq_cmd(&t, &c);
    g_assert_cmpint(qena_admin_exec(t.d, &c, &r), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);

    /* 256 B entries: half the depth, as max_wide_llq_depth is 0 */
    g_assert_cmpint(llq_create_at(&t, ENA_ADMIN_LIST_ENTRY_SIZE_256B, 1024),
                    ==, ENA_ADMIN_UNKNOWN_ERROR);
    g_assert_cmpint(llq_create_at(&t, ENA_ADMIN_LIST_ENTRY_SIZE_256B, 512),
                    ==, ENA_ADMIN_SUCCESS);
    /* fault-llq here: qos-test has no room for more tests under ena */
    llq_fault_checks(&t);
}

static void io_close_sockets(gpointer unused)
{
    close(io_sockets[0]);
    close(io_sockets[1]);
    g_free(io_sockets);
    io_sockets = NULL;
    qos_invalidate_command_line();
}

static void *io_before(GString *cmd_line, void *arg)
{
    io_sockets = g_new(int, 2);
    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, io_sockets), ==, 0);
    g_string_append_printf(cmd_line, " -netdev socket,fd=%d,id=hs0 ",
                           io_sockets[1]);
    g_test_queue_destroy(io_close_sockets, NULL);
    return arg;
}

static void register_ena_io_test(void)
{
    QOSGraphTestOptions opts = {
        .before = io_before,
        .edge.extra_device_opts = "id=ena0,queues=4",
    };

    qos_add_test("io/tx-basic", "ena", test_ena_tx_basic, &opts);
    qos_add_test("io/tx-wrap", "ena", test_ena_tx_wrap, &opts);
    qos_add_test("io/tx-csum", "ena", test_ena_tx_csum, &opts);
    qos_add_test("io/tx-tso", "ena", test_ena_tx_tso, &opts);
    qos_add_test("io/rx-basic", "ena", test_ena_rx_basic, &opts);
    qos_add_test("io/rx-jumbo", "ena", test_ena_rx_jumbo, &opts);
    qos_add_test("io/rx-csum", "ena", test_ena_rx_csum, &opts);
    qos_add_test("io/rx-held", "ena", test_ena_rx_held, &opts);
    qos_add_test("io/rx-rss", "ena", test_ena_rx_rss, &opts);
    qos_add_test("io/irq-moderation", "ena", test_ena_irq_moderation, &opts);
    qos_add_test("io/tx-llq", "ena", test_ena_tx_llq, &opts);
    qos_add_test("io/tx-llq-single", "ena", test_ena_tx_llq_single, &opts);
    qos_add_test("io/tx-llq-bad", "ena", test_ena_tx_llq_bad, &opts);
    qos_add_test("io/llq-admin", "ena", test_ena_llq_admin, &opts);
    opts.arg = GINT_TO_POINTER(0);
    qos_add_test("io/tx-llq-garbage-128", "ena", test_ena_tx_llq_garbage,
                 &opts);
    opts.arg = GINT_TO_POINTER(1);
    qos_add_test("io/tx-llq-garbage-192", "ena", test_ena_tx_llq_garbage,
                 &opts);
    opts.arg = GINT_TO_POINTER(2);
    qos_add_test("io/tx-garbage", "ena", test_ena_tx_llq_garbage, &opts);
    opts.arg = NULL;
    qos_add_test("fault/tx-stall", "ena", test_ena_fault_tx_stall, &opts);
    qos_add_test("fault/tx-drop", "ena", test_ena_fault_tx_drop, &opts);
    qos_add_test("fault/rx", "ena", test_ena_fault_rx, &opts);
    qos_add_test("fault/irq", "ena", test_ena_fault_irq, &opts);
    qos_add_test("fault/bad-req-id", "ena", test_ena_fault_bad_req_id, &opts);

}

libqos_init(register_ena_io_test);
