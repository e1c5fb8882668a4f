/*
 * QTest testcases for ena: the RSS hash functions (CRC32 beside
 * Toeplitz), the EC2 drop of frames that find the RX ring empty
 * (rx-drop-when-empty), the RX offset (rx-offset), and the fault points
 * that corrupt completions (MBZ bits, a stray FIRST bit, more RX
 * descriptors than allowed).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/bitops.h"
#include "qobject/qdict.h"
#include <sys/socket.h>
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#include "libqos/ena.h"

#define MS          (1000 * 1000)
#define DEPTH       QENA_IO_DEPTH

typedef struct RxTest {
    QEna *d;
    QTestState *qts;
    int sock;                   /* our end of the socket back end */
} RxTest;

static int *rx_sockets;

static void rx_up(RxTest *t, QEna *d, uint32_t groups)
{
    EnaAdminAenqConfigFeature a = { .enabled_groups = cpu_to_le32(groups) };

    t->d = d;
    t->qts = d->dev.bus->qts;
    t->sock = rx_sockets[0];
    qena_readless_init(d);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(d, true);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_AENQ_CONFIG, &a, sizeof(a),
                                     0, 0), ==, 0);
    qena_aenq_ack(d);
}

static void sock_send(RxTest *t, const uint8_t *buf, size_t len)
{
    uint32_t l = htonl(len);

    g_assert_cmpint(send(t->sock, &l, sizeof(l), 0), ==, sizeof(l));
    g_assert_cmpint(send(t->sock, buf, len, 0), ==, len);
}

static size_t sock_recv(RxTest *t, uint8_t *buf, size_t size)
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

/* Let QEMU read the socket and deliver; wait for a completion. */
static bool rx_wait(RxTest *t, QEnaIoQueue *q, EnaEthIoRxCdesc *cd)
{
    for (int i = 0; i < 1000; i++) {
        if (qena_rx_cmpl(t->d, q, cd)) {
            return true;
        }
        qtest_clock_step(t->qts, 10000);
    }
    return false;
}

static void fault_set(RxTest *t, const char *point, const char *spec)
{
    g_autofree char *prop = g_strdup_printf("fault-%s", point);

    qtest_qmp_assert_success(t->qts, "{'execute': 'qom-set', 'arguments':"
                             " {'path': '/machine/peripheral/ena0', "
                             "'property': %s, 'value': %s}}", prop, spec);
}

static uint64_t hits(RxTest *t, const char *point)
{
    g_autofree char *prop = g_strdup_printf("fault-%s-hits", point);

    return qena_qom_get_uint(t->qts, "ena0", prop);
}

/* A TCP/IPv4 frame 10.0.0.1:@sport -> 10.0.0.2:@dport (checksums 0) */
static size_t build_tcp4(uint8_t *f, size_t payload, uint16_t sport,
                         uint16_t dport)
{
    uint8_t *ip = f + 14, *tcp = ip + 20;
    size_t iplen = 20 + 20 + payload;

    memset(f, 0, 14 + iplen);
    memcpy(f, "\x52\x54\x00\x00\x00\x02\x52\x54\x00\x12\x34\x56\x08\x00",
           14);
    ip[0] = 0x45;
    stw_be_p(ip + 2, iplen);
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    stw_be_p(tcp, sport);
    stw_be_p(tcp + 2, dport);
    tcp[12] = 5 << 4;
    tcp[13] = 0x18;
    for (size_t i = 0; i < payload; i++) {
        tcp[20 + i] = sport + i * 13;
    }
    return 14 + iplen;
}

/* ---- RSS: CRC32 ------------------------------------------------------ */

/*
 * Reflected CRC-32 (IEEE 802.3, polynomial 0xEDB88320), table-driven as
 * zlib does it, register seeded with @init, complemented at the end.
 */
static uint32_t ref_crc32(uint32_t init, const uint8_t *p, size_t n)
{
    static uint32_t tab[256];
    uint32_t c = init;

    if (!tab[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t v = i;

            for (int k = 0; k < 8; k++) {
                v = v & 1 ? 0xEDB88320u ^ (v >> 1) : v >> 1;
            }
            tab[i] = v;
        }
    }
    for (size_t i = 0; i < n; i++) {
        c = tab[(c ^ p[i]) & 0xff] ^ (c >> 8);
    }
    return ~c;
}

/* The hash input of a TCP/IPv4 flow: addresses, then ports. */
static uint32_t flow_crc32(uint32_t init, uint16_t sport, uint16_t dport)
{
    uint8_t in[12] = { 10, 0, 0, 1, 10, 0, 0, 2 };

    stw_be_p(in + 8, sport);
    stw_be_p(in + 10, dport);
    return ref_crc32(init, in, sizeof(in));
}

static uint8_t rss_set_func(RxTest *t, uint32_t sel, uint32_t init)
{
    EnaAdminRssHashFunctionFeature h = {
        .selected_func = cpu_to_le32(sel),
        .init_val = cpu_to_le32(init),
    };
    uint64_t kbuf = guest_alloc(t->d->alloc, sizeof(EnaAdminRssHashKey));

    qtest_memset(t->qts, kbuf, 0x5a, sizeof(EnaAdminRssHashKey));
    return qena_set_feature(t->d, ENA_ADMIN_RSS_HASH_FUNCTION, &h, sizeof(h),
                            kbuf, sizeof(EnaAdminRssHashKey));
}

/*
 * CRC32 selected through the admin queue: each frame's completion carries
 * the CRC32 of its flow, and the indirection table entry that hash picks
 * decides its queue.
 */
static void test_ena_rss_crc32(void *obj, void *data, QGuestAllocator *alloc)
{
    static const uint8_t check[] = "123456789";
    RxTest t;
    QEnaIoQueue q[2];
    EnaEthIoRxCdesc cd;
    EnaAdminRssHashFunctionFeature h;
    EnaAdminRssIndTableFeature tf = {
        .size = cpu_to_le16(7),
        .inline_index = cpu_to_le32(0xffffffff),
    };
    uint64_t tbuf;
    uint8_t f[200];
    int landed_on[2] = { 0, 0 };

    /* the test's own CRC is the standard one */
    g_assert_cmphex(ref_crc32(0xffffffff, check, 9), ==, 0xCBF43926);

    rx_up(&t, obj, 1);
    qena_io_queue(t.d, &q[0], ENA_ADMIN_SQ_DIRECTION_RX, 1,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);
    qena_io_queue(t.d, &q[1], ENA_ADMIN_SQ_DIRECTION_RX, 2,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);
    for (int i = 0; i < 64; i++) {
        qena_rx_post(t.d, &q[0], i, 2048);
        qena_rx_post(t.d, &q[1], i, 2048);
    }
    qena_sq_doorbell(t.d, &q[0]);
    qena_sq_doorbell(t.d, &q[1]);
    /* entry i: queue (i / 3) & 1, so that more than the low bit matters */
    tbuf = guest_alloc(t.d->alloc, 512);
    for (int i = 0; i < 128; i++) {
        qtest_writel(t.qts, tbuf + 4 * i, q[(i / 3) & 1].sq_idx);
    }
    g_assert_cmpint(qena_set_feature(t.d,
                                     ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     &tf, sizeof(tf), tbuf, 512), ==, 0);

    /* both functions offered, Toeplitz selected after reset */
    g_assert_cmpint(qena_get_feature(t.d, ENA_ADMIN_RSS_HASH_FUNCTION, 0, 0,
                                     0, &h, sizeof(h)), ==, 0);
    g_assert_cmphex(le32_to_cpu(h.supported_func) & 0xff, ==, 0x6);
    g_assert_cmphex(le32_to_cpu(h.selected_func), ==, 0x2);
    /* one function at a time */
    g_assert_cmpint(rss_set_func(&t, 0x6, 0xffffffff), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);

    for (int round = 0; round < 2; round++) {
        uint32_t init = round ? 0x12345678 : 0xffffffff;

        g_assert_cmpint(rss_set_func(&t, 1 << ENA_ADMIN_RSS_CRC32, init),
                        ==, 0);
        g_assert_cmpint(qena_get_feature(t.d, ENA_ADMIN_RSS_HASH_FUNCTION, 0,
                                         0, 0, &h, sizeof(h)), ==, 0);
        g_assert_cmphex(le32_to_cpu(h.selected_func), ==, 0x4);
        g_assert_cmphex(le32_to_cpu(h.init_val), ==, init);
        for (int p = 0; p < 12; p++) {
            uint16_t sport = 3000 + 17 * p, dport = 443;
            uint32_t want = flow_crc32(init, sport, dport);
            int expect_q = ((want & 127) / 3) & 1, got = -1;

            sock_send(&t, f, build_tcp4(f, 60, sport, dport));
            for (int i = 0; i < 1000 && got < 0; i++) {
                if (qena_rx_cmpl(t.d, &q[0], &cd)) {
                    got = 0;
                } else if (qena_rx_cmpl(t.d, &q[1], &cd)) {
                    got = 1;
                } else {
                    qtest_clock_step(t.qts, 10000);
                }
            }
            g_assert_cmpint(got, ==, expect_q);
            g_assert_cmphex(le32_to_cpu(cd.hash), ==, want);
            landed_on[got]++;
        }
    }
    g_assert_cmpint(landed_on[0], >, 0);
    g_assert_cmpint(landed_on[1], >, 0);

    /* back to Toeplitz: the same flow hashes otherwise */
    g_assert_cmpint(rss_set_func(&t, 1 << ENA_ADMIN_RSS_TOEPLITZ,
                                 0xffffffff), ==, 0);
    sock_send(&t, f, build_tcp4(f, 60, 3000, 443));
    for (int i = 0; i < 1000; i++) {
        if (qena_rx_cmpl(t.d, &q[0], &cd) || qena_rx_cmpl(t.d, &q[1], &cd)) {
            break;
        }
        qtest_clock_step(t.qts, 10000);
    }
    g_assert_cmphex(le32_to_cpu(cd.hash), !=,
                    flow_crc32(0xffffffff, 3000, 443));
}

/* ---- RX with an empty ring ------------------------------------------ */

static void basic_stats(RxTest *t, uint64_t *rx_drops, uint64_t *overruns)
{
    EnaAdminAcqEntry r;
    EnaAdminBasicStats st;

    g_assert_cmpint(qena_get_stats(t->d, ENA_ADMIN_GET_STATS_TYPE_BASIC, 0, 0,
                                   0, &r), ==, 0);
    memcpy(&st, r.data, sizeof(st));
    *rx_drops = le32_to_cpu(st.rx_drops_low) |
                (uint64_t)le32_to_cpu(st.rx_drops_high) << 32;
    *overruns = le32_to_cpu(st.rx_overruns_low) |
                (uint64_t)le32_to_cpu(st.rx_overruns_high) << 32;
}

/* The next keep-alive's counters (the clock steps to it). */
static void keepalive_counters(RxTest *t, uint64_t *rx_drops,
                               uint64_t *overruns)
{
    EnaAdminAenqEntry e;
    EnaAdminAenqKeepAlive ka;

    /* those already posted carry older counters */
    while (qena_aenq_take(t->d, &e)) {
        continue;
    }
    qena_aenq_ack(t->d);
    for (int i = 0; i < 30; i++) {
        while (qena_aenq_take(t->d, &e)) {
            if (le16_to_cpu(e.aenq_common.group) == ENA_ADMIN_KEEP_ALIVE) {
                qena_aenq_ack(t->d);
                memcpy(&ka, e.inline_data_w4, sizeof(ka));
                *rx_drops = le32_to_cpu(ka.rx_drops_low) |
                            (uint64_t)le32_to_cpu(ka.rx_drops_high) << 32;
                *overruns = le32_to_cpu(ka.rx_overruns_low) |
                            (uint64_t)le32_to_cpu(ka.rx_overruns_high) << 32;
                return;
            }
        }
        qena_aenq_ack(t->d);
        qtest_clock_step(t->qts, 100 * MS);
    }
    g_assert_not_reached();
}

/*
 * rx-drop-when-empty=on: a frame that finds no buffer, or too few, is
 * dropped and counted as an overrun, in GET_STATS and the keep-alive;
 * buffers posted later see only the frames after them.
 */
static void test_ena_rx_drop_empty(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    RxTest t;
    QEnaIoQueue q;
    EnaEthIoRxCdesc cd;
    g_autofree uint8_t *f = g_malloc(3000);
    uint64_t drops, overruns;

    rx_up(&t, obj, BIT(ENA_ADMIN_LINK_CHANGE) | BIT(ENA_ADMIN_KEEP_ALIVE));
    qena_io_queue(t.d, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);
    basic_stats(&t, &drops, &overruns);
    g_assert_cmpint(overruns, ==, 0);

    /* no buffer: dropped, not held */
    sock_send(&t, f, build_tcp4(f, 100, 1, 2));
    g_assert_false(rx_wait(&t, &q, &cd));
    basic_stats(&t, &drops, &overruns);
    g_assert_cmpint(drops, ==, 1);
    g_assert_cmpint(overruns, ==, 1);

    /* one 2 KiB buffer for a 3000-byte frame: dropped too */
    qena_rx_post(t.d, &q, 7, 2048);
    qena_sq_doorbell(t.d, &q);
    g_assert_false(rx_wait(&t, &q, &cd));
    sock_send(&t, f, build_tcp4(f, 3000 - 54, 1, 2));
    g_assert_false(rx_wait(&t, &q, &cd));
    basic_stats(&t, &drops, &overruns);
    g_assert_cmpint(overruns, ==, 2);

    /* the buffer is still there for the next frame that fits */
    sock_send(&t, f, build_tcp4(f, 200, 1, 2));
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 7);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, 254);
    basic_stats(&t, &drops, &overruns);
    g_assert_cmpint(drops, ==, 2);
    g_assert_cmpint(overruns, ==, 2);

    keepalive_counters(&t, &drops, &overruns);
    g_assert_cmpint(drops, ==, 2);
    g_assert_cmpint(overruns, ==, 2);
}

/* The default holds the frame until a buffer comes, and counts nothing. */
static void test_ena_rx_hold_default(void *obj, void *data,
                                     QGuestAllocator *alloc)
{
    RxTest t;
    QEnaIoQueue q;
    EnaEthIoRxCdesc cd;
    uint8_t f[200];
    uint64_t drops, overruns;

    rx_up(&t, obj, 1);
    qena_io_queue(t.d, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);
    sock_send(&t, f, build_tcp4(f, 100, 1, 2));
    g_assert_false(rx_wait(&t, &q, &cd));
    qena_rx_post(t.d, &q, 3, 2048);
    qena_sq_doorbell(t.d, &q);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, 3);
    basic_stats(&t, &drops, &overruns);
    g_assert_cmpint(drops, ==, 0);
    g_assert_cmpint(overruns, ==, 0);
}

/* ---- RX offset ------------------------------------------------------- */

#define RX_OFFSET   40          /* the rx-offset the test device runs with */

static void host_info_features(RxTest *t, uint32_t features)
{
    EnaAdminHostInfo hi = {
        .os_type = cpu_to_le32(ENA_ADMIN_OS_LINUX),
        .driver_supported_features = cpu_to_le32(features),
    };
    EnaAdminHostAttrFeature a = { 0 };
    uint64_t buf = guest_alloc(t->d->alloc, sizeof(hi));

    qtest_memwrite(t->qts, buf, &hi, sizeof(hi));
    qena_addr48(&a.os_info_ba, buf);
    g_assert_cmpint(qena_set_feature(t->d, ENA_ADMIN_HOST_ATTR_CONFIG, &a,
                                     sizeof(a), 0, 0), ==, 0);
}

/* The frame @f of @len landed at @buf + @at, and @buf's first @at are 0 */
static void assert_landed(RxTest *t, uint64_t buf, uint32_t at,
                          const uint8_t *f, size_t len)
{
    g_autofree uint8_t *got = g_malloc(at + len);

    qtest_memread(t->qts, buf, got, at + len);
    for (uint32_t i = 0; i < at; i++) {
        g_assert_cmpint(got[i], ==, 0);
    }
    g_assert_cmpmem(got + at, len, f, len);
}

/*
 * rx-offset: a frame starts that far into its first buffer, and the first
 * completion says so, once the driver has said in its host info that it
 * reads the offset; the first buffer then holds that much less.
 */
static void test_ena_rx_offset(void *obj, void *data, QGuestAllocator *alloc)
{
    RxTest t;
    QEnaIoQueue q;
    EnaEthIoRxCdesc cd;
    g_autofree uint8_t *f = g_malloc(3000);
    uint64_t b[3];
    size_t len;

    rx_up(&t, obj, 1);
    qena_io_queue(t.d, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);

    /* a driver that did not ask for it gets frames at offset 0 */
    b[0] = qena_rx_post(t.d, &q, 1, 2048);
    qena_sq_doorbell(t.d, &q);
    len = build_tcp4(f, 100, 1, 2);
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(cd.offset, ==, 0);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, len);
    assert_landed(&t, b[0], 0, f, len);

    /* host info with rx_offset: the frame starts RX_OFFSET bytes in */
    host_info_features(&t, ENA_ADMIN_HOST_INFO_RX_OFFSET_MASK);
    b[0] = qena_rx_post(t.d, &q, 2, 2048);
    qena_sq_doorbell(t.d, &q);
    len = build_tcp4(f, 120, 3, 4);
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(cd.offset, ==, RX_OFFSET);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, len);
    g_assert_cmpint(le32_to_cpu(cd.status) & ENA_ETH_IO_RX_CDESC_LAST_MASK,
                    !=, 0);
    assert_landed(&t, b[0], RX_OFFSET, f, len);

    /* over two buffers: the first holds 2048 - RX_OFFSET, the second 0 in */
    b[0] = qena_rx_post(t.d, &q, 3, 2048);
    b[1] = qena_rx_post(t.d, &q, 4, 2048);
    qena_sq_doorbell(t.d, &q);
    len = build_tcp4(f, 2100, 5, 6);
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(cd.offset, ==, RX_OFFSET);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, 2048 - RX_OFFSET);
    assert_landed(&t, b[0], RX_OFFSET, f, 2048 - RX_OFFSET);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(cd.offset, ==, 0);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, len - (2048 - RX_OFFSET));
    assert_landed(&t, b[1], 0, f + 2048 - RX_OFFSET,
                  len - (2048 - RX_OFFSET));

    /* a first buffer no longer than the offset is used from its start */
    b[0] = qena_rx_post(t.d, &q, 5, RX_OFFSET);
    b[1] = qena_rx_post(t.d, &q, 6, 2048);
    qena_sq_doorbell(t.d, &q);
    len = build_tcp4(f, 80, 7, 8);
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(cd.offset, ==, 0);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, RX_OFFSET);
    assert_landed(&t, b[0], 0, f, RX_OFFSET);
    g_assert_true(rx_wait(&t, &q, &cd));
    assert_landed(&t, b[1], 0, f + RX_OFFSET, len - RX_OFFSET);

    g_assert_cmpuint(qena_qom_get_uint(t.qts, "ena0", "rx-offset-frames"),
                     ==, 2);

    /* a device reset forgets the host info, and with it the offset */
    rx_up(&t, obj, 1);
    qena_io_queue(t.d, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);
    b[2] = qena_rx_post(t.d, &q, 9, 2048);
    qena_sq_doorbell(t.d, &q);
    len = build_tcp4(f, 64, 9, 10);
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(cd.offset, ==, 0);
    assert_landed(&t, b[2], 0, f, len);
}

/* ---- completions drivers must reject -------------------------------- */

/* TX: flags bits 7:6 set on the completion the rule hits, once. */
static void test_ena_fault_tx_mbz(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    RxTest t;
    QEnaIoQueue q;
    uint8_t out[128];
    uint64_t b;
    uint16_t len = 64, id;

    rx_up(&t, obj, 1);
    qena_io_queue(t.d, &q, ENA_ADMIN_SQ_DIRECTION_TX, 1,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);
    b = guest_alloc(t.d->alloc, len);
    qtest_memset(t.qts, b, 0x11, len);
    fault_set(&t, "tx", "mbz:at=2:once");
    for (int i = 0; i < 3; i++) {
        uint8_t flags;

        qena_tx_packet(t.d, &q, 40 + i, &b, &len, 1, 0, NULL);
        qena_sq_doorbell(t.d, &q);
        g_assert_cmpint(sock_recv(&t, out, sizeof(out)), ==, len);
        for (int k = 0; k < 1000 && !qena_tx_cmpl(t.d, &q, &id); k++) {
            qtest_clock_step(t.qts, 10000);
        }
        g_assert_cmpint(id, ==, 40 + i);
        flags = qtest_readb(t.qts, q.cq + ((q.head - 1) & (DEPTH - 1)) * 8 +
                            3);
        g_assert_cmphex(flags & 0xc0, ==, i == 1 ? 0xc0 : 0);
    }
    g_assert_cmpint(hits(&t, "tx"), ==, 1);
}

typedef enum RxFault { RX_MBZ, RX_FIRST, RX_TOO_MANY } RxFault;

/* The per-packet RX buffer limit the device advertises */
static int max_rx_descs(RxTest *t)
{
    EnaAdminMaxQueuesExtFeature m;

    g_assert_cmpint(qena_get_feature(t->d, ENA_ADMIN_MAX_QUEUES_EXT, 1, 0, 0,
                                     &m, sizeof(m)), ==, 0);
    return le16_to_cpu(m.max_per_packet_rx_descs);
}

/*
 * RX: the frame the rule hits is written whole into posted buffers, its
 * completions corrupted as the action says; the next frame is clean.
 */
static void test_ena_fault_rx_cdesc(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    static const char *const rules[] = {
        [RX_MBZ] = "mbz:queue=%d:once",
        [RX_FIRST] = "stray-first:queue=%d:once",
        [RX_TOO_MANY] = "too-many-descs:queue=%d:once",
    };
    RxFault kind = GPOINTER_TO_INT(data);
    RxTest t;
    QEnaIoQueue q;
    EnaEthIoRxCdesc cd;
    uint8_t f[300], in[300];
    uint64_t buf[64];
    g_autofree char *rule = NULL;
    size_t len, off = 0;
    int want, n = 0;

    rx_up(&t, obj, 1);
    qena_io_queue(t.d, &q, ENA_ADMIN_SQ_DIRECTION_RX, 1,
                  ENA_ADMIN_PLACEMENT_POLICY_HOST);
    for (int i = 0; i < 64; i++) {
        buf[i] = qena_rx_post(t.d, &q, i, 2048);
    }
    qena_sq_doorbell(t.d, &q);
    want = kind == RX_MBZ ? 1 : kind == RX_FIRST ? 2 : max_rx_descs(&t) + 1;
    rule = g_strdup_printf(rules[kind], q.sq_idx);
    fault_set(&t, "rx", rule);

    len = build_tcp4(f, 200, 5, 6);
    sock_send(&t, f, len);
    while (n < want) {
        uint32_t st;
        uint16_t l;

        g_assert_true(rx_wait(&t, &q, &cd));
        st = le32_to_cpu(cd.status);
        l = le16_to_cpu(cd.length);
        g_assert_cmpint(le16_to_cpu(cd.req_id), ==, n);
        g_assert_cmpint(!!(st & ENA_ETH_IO_RX_CDESC_LAST_MASK), ==,
                        n == want - 1);
        g_assert_cmpint(!!(st & ENA_ETH_IO_RX_CDESC_FIRST_MASK), ==,
                        n == 0 || kind == RX_FIRST);
        g_assert_cmphex(st & ((1u << 7) | (1u << 17)), ==,
                        kind == RX_MBZ && n == 0 ? (1u << 7) | (1u << 17) :
                        0);
        g_assert_cmpint(off + l, <=, len);
        qtest_memread(t.qts, buf[n], in + off, l);
        off += l;
        n++;
    }
    g_assert_cmpint(off, ==, len);
    g_assert_cmpmem(in, len, f, len);
    g_assert_false(qena_rx_cmpl(t.d, &q, &cd));
    g_assert_cmpint(hits(&t, "rx"), ==, 1);

    /* spent: the next frame takes one clean completion */
    sock_send(&t, f, len);
    g_assert_true(rx_wait(&t, &q, &cd));
    g_assert_cmpint(le16_to_cpu(cd.req_id), ==, want);
    g_assert_cmphex(le32_to_cpu(cd.status) &
                    (ENA_ETH_IO_RX_CDESC_FIRST_MASK |
                     ENA_ETH_IO_RX_CDESC_LAST_MASK | (1u << 7) | (1u << 17)),
                    ==, ENA_ETH_IO_RX_CDESC_FIRST_MASK |
                    ENA_ETH_IO_RX_CDESC_LAST_MASK);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, len);
}

/* RX-only actions are refused on the TX point, with the point named. */
static void test_ena_fault_cdesc_bad_spec(void *obj, void *data,
                                          QGuestAllocator *alloc)
{
    QEna *d = obj;
    QDict *rsp = qtest_qmp(d->dev.bus->qts,
                           "{'execute': 'qom-set', 'arguments':"
                           " {'path': '/machine/peripheral/ena0', "
                           "'property': 'fault-tx', "
                           "'value': 'stray-first'}}");

    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
}

/*
 * One case: a pc machine with the device on a socket netdev (the test
 * holds the other end), timing off as the qos tests' baseline, plus the
 * case's own device options. A stand-alone test, not a qos one: the
 * qos graph walk has room for only so many tests on one node.
 */
typedef struct RxCase {
    const char *path;
    void (*fn)(void *obj, void *data, QGuestAllocator *alloc);
    const char *opts;
    int arg;
} RxCase;

static void rx_run(const void *opaque)
{
    const RxCase *c = opaque;
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(4, 0),
        .vendor_id = PCI_VENDOR_ID_AMAZON,
    };
    QOSState *qs;
    QEna d = { 0 };

    rx_sockets = g_new(int, 2);
    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, rx_sockets), ==, 0);
    qs = qtest_pc_boot("-M pc -nodefaults -netdev socket,fd=%d,id=hs0 "
                       "-device ena,addr=04.0,netdev=hs0,timing=off,id=ena0,"
                       "queues=4%s%s", rx_sockets[1], c->opts ? "," : "",
                       c->opts ?: "");
    qena_init(&d, qs->pcibus, &addr, &qs->alloc);
    qpci_device_enable(&d.dev);
    qpci_msix_enable(&d.dev);
    c->fn(&d, GINT_TO_POINTER(c->arg), &qs->alloc);
    qpci_msix_disable(&d.dev);
    qpci_iounmap(&d.dev, d.bar);
    qtest_shutdown(qs);
    close(rx_sockets[0]);
    close(rx_sockets[1]);
    g_free(rx_sockets);
    rx_sockets = NULL;
}

static const RxCase rx_cases[] = {
    { "rss/crc32", test_ena_rss_crc32 },
    { "rx/hold-default", test_ena_rx_hold_default },
    { "fault/tx-mbz", test_ena_fault_tx_mbz },
    { "fault/rx-mbz", test_ena_fault_rx_cdesc, NULL, RX_MBZ },
    { "fault/rx-stray-first", test_ena_fault_rx_cdesc, NULL, RX_FIRST },
    { "fault/rx-too-many-descs", test_ena_fault_rx_cdesc, NULL,
      RX_TOO_MANY },
    { "fault/cdesc-bad-spec", test_ena_fault_cdesc_bad_spec },
    { "rx/offset", test_ena_rx_offset, "rx-offset=" stringify(RX_OFFSET) },
    { "rx/drop-when-empty", test_ena_rx_drop_empty,
      "rx-drop-when-empty=on,timing=on" },
    { "rx/drop-when-empty-instant", test_ena_rx_drop_empty,
      "rx-drop-when-empty=on" },
};

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(rx_cases); i++) {
        g_autofree char *path = g_strdup_printf("/ena/%s",
                                                rx_cases[i].path);

        qtest_add_data_func(path, &rx_cases[i], rx_run);
    }
    return g_test_run();
}
