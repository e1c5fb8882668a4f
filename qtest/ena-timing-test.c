/*
 * QTest testcases for the ena timing model: each modelled delay lands on
 * the nanosecond the device's properties give, computed here from the
 * properties as docs/timing.md states the model, never from the device's
 * code. Two devices share a hub, so that one's TX is the other's RX.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include <sys/socket.h>
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#include "libqos/ena.h"

#define RAM_MB          256
#define FRAME           1514
#define WIRE_OVERHEAD   24      /* preamble, SFD, FCS, inter-frame gap */

typedef struct Dev {
    QEna d;
    const char *id;
    QEnaIoQueue q;
} Dev;

typedef struct TimingTest {
    QOSState *qs;
    QTestState *qts;
    Dev a, b;                   /* a sends, b receives */
    /* the model's parameters, read back from the device */
    uint64_t pcie, dma, link, admin, readless;
    uint64_t wire_kbps;         /* the wire's rate */
} TimingTest;

static void dev_up(TimingTest *t, Dev *v, const char *id, int slot,
                   uint8_t dir)
{
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(slot, 0),
        .vendor_id = PCI_VENDOR_ID_AMAZON,
    };

    v->id = id;
    qena_init(&v->d, t->qs->pcibus, &addr, &t->qs->alloc);
    qpci_device_enable(&v->d.dev);
    qpci_msix_enable(&v->d.dev);
    qena_readless_init(&v->d);
    g_assert_cmpint(qena_reset(&v->d, ENA_REGS_RESET_NORMAL,
                               100 * 1000 * 1000), >=, 0);
    qena_admin_init(&v->d, true);
    qena_msix_route(&v->d, 1);
    qena_io_queue(&v->d, &v->q, dir, 1, ENA_ADMIN_PLACEMENT_POLICY_HOST);
}

static uint64_t prop(TimingTest *t, const char *name)
{
    return qena_qom_get_uint(t->qts, "a", name);
}

/* Two devices on one hub, no keep-alives: no timer but the model's. */
static void timing_start(TimingTest *t, const char *opts)
{
    const char *o = opts ? opts : "";

    t->qs = qtest_pc_boot("-M q35 -m %d -nodefaults "
                          "-netdev hubport,id=n0,hubid=0 "
                          "-netdev hubport,id=n1,hubid=0 "
                          "-device ena,netdev=n0,id=a,addr=04.0,queues=1,"
                          "keepalive-ms=0%s "
                          "-device ena,netdev=n1,id=b,addr=05.0,queues=1,"
                          "keepalive-ms=0%s", RAM_MB, o, o);
    t->qts = t->qs->qts;
    dev_up(t, &t->a, "a", 4, ENA_ADMIN_SQ_DIRECTION_TX);
    dev_up(t, &t->b, "b", 5, ENA_ADMIN_SQ_DIRECTION_RX);
    t->pcie = prop(t, "pcie-latency-ns");
    t->dma = prop(t, "dma-mbps");
    t->link = prop(t, "link-speed");
    t->admin = prop(t, "admin-latency-ns");
    t->readless = prop(t, "readless-latency-ns");
    t->wire_kbps = prop(t, "wire-kbps") ?: t->link * 1000;
}

static void timing_stop(TimingTest *t)
{
    qtest_shutdown(t->qs);
}

static int64_t now(TimingTest *t)
{
    /* qtest refuses a zero step; a nanosecond is part of no expectation */
    return qtest_clock_step(t->qts, 1);
}

static void step_to(TimingTest *t, int64_t when)
{
    int64_t cur = now(t);

    g_assert_cmpint(cur, <=, when);
    if (cur < when) {
        g_assert_cmpint(qtest_clock_step(t->qts, when - cur), ==, when);
    }
}

/* Whole ns @bytes take at @mbps when the resource was idle */
static int64_t ns_of(uint64_t bytes, uint64_t mbps)
{
    return bytes * 8 * 1000 / mbps;
}

static int64_t wire_of(TimingTest *t, uint64_t bytes)
{
    return (bytes + WIRE_OVERHEAD) * 8 * 1000 * 1000 / t->wire_kbps;
}

static uint64_t tx_buf(TimingTest *t, uint32_t len, uint8_t seed)
{
    g_autofree uint8_t *f = g_malloc(len);
    uint64_t a = guest_alloc(&t->qs->alloc, len);

    for (uint32_t i = 0; i < len; i++) {
        f[i] = i < 12 ? 0x02 : (uint8_t)(i * 13 + seed);
    }
    qtest_memwrite(t->qts, a, f, len);
    return a;
}

static bool a_done(TimingTest *t, uint16_t want)
{
    uint16_t id;

    if (!qena_tx_cmpl(&t->a.d, &t->a.q, &id)) {
        return false;
    }
    g_assert_cmpuint(id, ==, want);
    return true;
}

static bool b_done(TimingTest *t, uint32_t len)
{
    EnaEthIoRxCdesc cd;

    if (!qena_rx_cmpl(&t->b.d, &t->b.q, &cd)) {
        return false;
    }
    g_assert_cmpuint(le16_to_cpu(cd.length), ==, len);
    return true;
}

/*
 * One frame from a's TX doorbell to b's RX completion and interrupt: a
 * reads the descriptor and the buffer (a PCIe round trip each, the bytes
 * at the DMA rate), the frame takes the wire, b receives it at the same
 * rate, writes it at the DMA rate, and the host sees the writes one PCIe
 * latency later, the completion's MSI-X with them.
 */
static void frame_latency(const char *opts)
{
    TimingTest t = { 0 };
    uint16_t len = FRAME;
    uint64_t buf;
    int64_t t0, sent, a_cmpl, b_cmpl;

    timing_start(&t, opts);
    buf = tx_buf(&t, len, 1);
    qena_rx_post(&t.b.d, &t.b.q, 7, 2048);
    qena_sq_doorbell(&t.b.d, &t.b.q);
    qena_tx_packet(&t.a.d, &t.a.q, 3, &buf, &len, 1, 0, NULL);

    t0 = now(&t);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    sent = t0 + ns_of(len, t.dma) + 2 * t.pcie + 2 * t.pcie;
    a_cmpl = sent + wire_of(&t, len) + t.pcie;
    b_cmpl = sent + wire_of(&t, len) + ns_of(len, t.dma) + t.pcie;
    g_assert_cmpint(a_cmpl, <, b_cmpl);

    step_to(&t, a_cmpl - 1);
    g_assert_false(a_done(&t, 3));
    g_assert_false(qena_msix_take(&t.a.d, 1));
    step_to(&t, a_cmpl);
    g_assert_true(a_done(&t, 3));
    g_assert_true(qena_msix_take(&t.a.d, 1));

    step_to(&t, b_cmpl - 1);
    g_assert_false(b_done(&t, len));
    g_assert_false(qena_msix_take(&t.b.d, 1));
    step_to(&t, b_cmpl);
    g_assert_true(b_done(&t, len));
    g_assert_true(qena_msix_take(&t.b.d, 1));
    timing_stop(&t);
}

static void test_frame_latency(void)
{
    frame_latency(NULL);
}

/* A wire slower than the link speed the driver is told of: 200 kb/s */
static void test_wire_kbps(void)
{
    frame_latency(",wire-kbps=200");
}

/*
 * N frames at 3 Mb/s, where a frame takes a third of a nanosecond more
 * than a whole number: the k-th completes when k frames' bits have left,
 * to the nanosecond (remainders carry), and b gets each as a's wire ends.
 */
static void test_slow_link(void)
{
    enum { N = 5 };
    TimingTest t = { 0 };
    uint16_t len = FRAME;
    uint64_t bits = (uint64_t)(len + WIRE_OVERHEAD) * 8;
    int64_t t0, first, end[N + 1];

    timing_start(&t, ",link-speed=3");
    g_assert_cmpuint(bits * 1000 % t.link, !=, 0);
    for (int i = 0; i < N; i++) {
        uint64_t buf = tx_buf(&t, len, i);

        qena_tx_packet(&t.a.d, &t.a.q, i, &buf, &len, 1, 0, NULL);
        qena_rx_post(&t.b.d, &t.b.q, i, 2048);
    }
    qena_sq_doorbell(&t.b.d, &t.b.q);

    t0 = now(&t);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    /* the reads run far ahead of a 3 Mb/s wire: only the first waits */
    first = t0 + ns_of(len, t.dma) + 4 * t.pcie;
    for (int k = 1; k <= N; k++) {
        end[k] = first + (int64_t)(k * bits * 1000 / t.link);
    }
    for (int k = 1; k <= N; k++) {
        /* b's writes, back to back at the DMA rate, carry remainders too */
        int64_t b_at = end[k] + ns_of((uint64_t)k * len, t.dma) -
                       ns_of((uint64_t)(k - 1) * len, t.dma) + t.pcie;

        step_to(&t, end[k] + t.pcie - 1);
        g_assert_false(a_done(&t, k - 1));
        step_to(&t, end[k] + t.pcie);
        g_assert_true(a_done(&t, k - 1));
        step_to(&t, b_at - 1);
        g_assert_false(b_done(&t, len));
        step_to(&t, b_at);
        g_assert_true(b_done(&t, len));
    }
    /* no faster than the wire: N frames took N frame times */
    g_assert_cmpint(end[N] - first, ==, N * bits * 1000 / t.link);
    timing_stop(&t);
}

/*
 * A frame that finds no RX buffer waits in the device; the doorbell that
 * posts one costs a descriptor read and the write.
 */
static void test_rx_waits_for_buffers(void)
{
    TimingTest t = { 0 };
    uint16_t len = 600;
    uint64_t buf;
    int64_t t1, at;

    timing_start(&t, NULL);
    buf = tx_buf(&t, len, 9);
    qena_tx_packet(&t.a.d, &t.a.q, 1, &buf, &len, 1, 0, NULL);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    step_to(&t, now(&t) + 1000 * 1000);
    g_assert_true(a_done(&t, 1));
    g_assert_false(b_done(&t, len));

    qena_rx_post(&t.b.d, &t.b.q, 5, 2048);
    t1 = now(&t);
    qena_sq_doorbell(&t.b.d, &t.b.q);
    at = t1 + 3 * t.pcie;
    step_to(&t, at - 1);
    g_assert_false(b_done(&t, len));
    step_to(&t, at);
    g_assert_true(b_done(&t, len));
    timing_stop(&t);
}

/* An admin command: its entry read, the device's work, the completion. */
static void test_admin_latency(void)
{
    TimingTest t = { 0 };
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    QEna *d = &t.a.d;
    uint64_t entry;
    uint8_t phase;
    int64_t t0, at;

    timing_start(&t, NULL);
    c.aq_common.opcode = ENA_ADMIN_GET_FEATURE;
    ((EnaAdminGetSetFeatureCmd *)&c)->feature_id =
        ENA_ADMIN_DEVICE_ATTRIBUTES;
    entry = d->acq + (d->acq_head & (QENA_AQ_DEPTH - 1)) *
            ENA_ADMIN_ENTRY_SIZE;
    phase = !((d->acq_head / QENA_AQ_DEPTH) & 1);
    t0 = now(&t);
    qena_admin_submit(d, &c);
    at = t0 + 3 * t.pcie + t.admin;
    step_to(&t, at - 1);
    qtest_memread(t.qts, entry, &r, sizeof(r));
    g_assert_cmpuint(r.acq_common.flags & ENA_ADMIN_ACQ_COMMON_DESC_PHASE_MASK,
                     !=, phase);
    step_to(&t, at);
    g_assert_true(qena_admin_poll(d, &r, 0));
    g_assert_cmpuint(r.acq_common.status, ==, 0);
    timing_stop(&t);
}

/* A readless read: the response lands readless-latency-ns later. */
static void test_readless_latency(void)
{
    TimingTest t = { 0 };
    QEna *d = &t.a.d;
    uint16_t id = 0x55;
    uint32_t word;
    int64_t t0, at;

    timing_start(&t, ",readless-latency-ns=2345");
    g_assert_cmpuint(t.readless, ==, 2345);
    qtest_writel(t.qts, d->resp, 0xffffffff);
    t0 = now(&t);
    qena_writel(d, ENA_REGS_MMIO_REG_READ_OFF,
                (ENA_REGS_VERSION_OFF << ENA_REGS_MMIO_REG_READ_REG_OFF_SHIFT) |
                id);
    at = t0 + t.readless;
    step_to(&t, at - 1);
    g_assert_cmphex(qtest_readl(t.qts, d->resp), ==, 0xffffffff);
    step_to(&t, at);
    word = qtest_readl(t.qts, d->resp);
    g_assert_cmphex(word & 0xffff, ==, id);
    g_assert_cmphex(word >> 16, ==, ENA_REGS_VERSION_OFF);
    timing_stop(&t);
}

/*
 * A PHC read: the clock is sampled at the doorbell, and the 64-byte
 * response is a posted DMA write, visible its bytes at dma-mbps plus one
 * PCIe latency later.
 */
static void test_phc_latency(void)
{
    TimingTest t = { 0 };
    QEna *d = &t.a.d;
    EnaAdminPhcFeature f = { 0 };
    EnaAdminPhcResp r;
    uint64_t resp;
    uint16_t stale = cpu_to_le16(0xffff);
    int64_t t0, at;

    timing_start(&t, ",phc=on");
    resp = guest_alloc(&t.qs->alloc, sizeof(r));
    qtest_memset(t.qts, resp, 0, sizeof(r));
    qena_addr48(&f.output_address, resp);
    f.output_length = cpu_to_le32(sizeof(r));
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_PHC_CONFIG, &f, sizeof(f),
                                     0, 0), ==, ENA_ADMIN_SUCCESS);
    qtest_memwrite(t.qts, resp, &stale, sizeof(stale));
    t0 = now(&t);
    qena_writel(d, ENA_REGS_PHC_DB_OFF, 7);
    at = t0 + ns_of(sizeof(r), t.dma) + t.pcie;
    step_to(&t, at - 1);
    qtest_memread(t.qts, resp, &r, sizeof(r));
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, 0xffff);
    step_to(&t, at);
    qtest_memread(t.qts, resp, &r, sizeof(r));
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, 7);
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t0);
    timing_stop(&t);
}

/*
 * PHC requests beyond phc-rate-limit a second (in bursts of as many) are
 * answered with the timestamp error flag; one more is answered each
 * 1/rate s after.
 */
static void test_phc_rate_limit(void)
{
    TimingTest t = { 0 };
    QEna *d = &t.a.d;
    EnaAdminPhcFeature f = { 0 };
    EnaAdminPhcResp r;
    uint64_t resp;
    uint16_t id = 0;

    timing_start(&t, ",phc=on,phc-rate-limit=4");
    resp = guest_alloc(&t.qs->alloc, sizeof(r));
    qena_addr48(&f.output_address, resp);
    f.output_length = cpu_to_le32(sizeof(r));
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_PHC_CONFIG, &f, sizeof(f),
                                     0, 0), ==, ENA_ADMIN_SUCCESS);
    for (int i = 0; i < 6; i++) {
        qena_writel(d, ENA_REGS_PHC_DB_OFF, ++id);
        step_to(&t, now(&t) + 10000);
        qtest_memread(t.qts, resp, &r, sizeof(r));
        g_assert_cmpuint(le16_to_cpu(r.req_id), ==, id);
        g_assert_cmpuint(le32_to_cpu(r.error_flags), ==,
                         i < 4 ? 0 : ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP);
    }
    /* a quarter of a second later one more token */
    step_to(&t, now(&t) + 250 * 1000 * 1000);
    for (int i = 0; i < 2; i++) {
        qena_writel(d, ENA_REGS_PHC_DB_OFF, ++id);
        step_to(&t, now(&t) + 10000);
        qtest_memread(t.qts, resp, &r, sizeof(r));
        g_assert_cmpuint(le16_to_cpu(r.req_id), ==, id);
        g_assert_cmpuint(le32_to_cpu(r.error_flags), ==,
                         i < 1 ? 0 : ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP);
    }
    timing_stop(&t);
}

/*
 * Interrupt moderation on the modelled clock: with a 64 us TX delay, three
 * frames completing 100 Mb/s wire times apart (7 us, inside the window) make
 * one MSI-X, 64 us after the first completion.
 */
static void test_moderation(void)
{
    enum { N = 3, LEN = 60, DELAY_US = 64 };
    TimingTest t = { 0 };
    uint16_t len = LEN;
    int64_t t0, first, done[N + 1];
    uint64_t bits = (LEN + WIRE_OVERHEAD) * 8;

    timing_start(&t, ",link-speed=100");
    qena_writel(&t.a.d, t.a.q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK |
                (DELAY_US << ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_SHIFT));
    for (int i = 0; i < N; i++) {
        uint64_t buf = tx_buf(&t, len, i);

        qena_tx_packet(&t.a.d, &t.a.q, i, &buf, &len, 1, 0, NULL);
    }
    t0 = now(&t);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    first = t0 + ns_of(len, t.dma) + 4 * t.pcie;
    for (int k = 1; k <= N; k++) {
        done[k] = first + (int64_t)(k * bits * 1000 / t.link) + t.pcie;
    }
    g_assert_cmpint(done[N], <, done[1] + DELAY_US * 1000);
    for (int k = 1; k <= N; k++) {
        step_to(&t, done[k]);
        g_assert_true(a_done(&t, k - 1));
    }
    step_to(&t, done[1] + DELAY_US * 1000 - 1);
    g_assert_false(qena_msix_take(&t.a.d, 1));
    step_to(&t, done[1] + DELAY_US * 1000);
    g_assert_true(qena_msix_take(&t.a.d, 1));
    step_to(&t, done[1] + 10 * DELAY_US * 1000);
    g_assert_false(qena_msix_take(&t.a.d, 1));
    timing_stop(&t);
}

/* timing=off: the completion is there the instant of the doorbell. */
static void test_timing_off(void)
{
    TimingTest t = { 0 };
    uint16_t len = FRAME;
    uint64_t buf;

    timing_start(&t, ",timing=off");
    buf = tx_buf(&t, len, 2);
    qena_rx_post(&t.b.d, &t.b.q, 1, 2048);
    qena_sq_doorbell(&t.b.d, &t.b.q);
    qena_tx_packet(&t.a.d, &t.a.q, 4, &buf, &len, 1, 0, NULL);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    g_assert_true(a_done(&t, 4));
    g_assert_true(b_done(&t, len));
    timing_stop(&t);
}

/* ---- TSO on the timed path ------------------------------------------ */

#define TSO_PAYLOAD     5000
#define TSO_MSS         1001    /* odd: odd segment lengths, odd tails */

/* TCP over IPv4 or IPv6 with FIN, PSH, CWR and ACK: what TSO must fix */
static size_t tso_packet(uint8_t *f, bool v6)
{
    uint8_t *ip = f + 14, *tcp = ip + (v6 ? 40 : 20);
    size_t len = tcp + 20 + TSO_PAYLOAD - f;

    memset(f, 0, len);
    memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    stw_be_p(f + 12, v6 ? 0x86dd : 0x0800);
    if (v6) {
        ip[0] = 0x60;
        stw_be_p(ip + 4, 20 + TSO_PAYLOAD);
        ip[6] = 6;
        ip[7] = 64;
        ip[8] = ip[24] = 0xfd;
        ip[23] = 1;
        ip[39] = 2;
    } else {
        ip[0] = 0x45;
        stw_be_p(ip + 2, 20 + 20 + TSO_PAYLOAD);
        stw_be_p(ip + 4, 0x1234);
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = 6;
        memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    }
    stw_be_p(tcp, 40000);
    stw_be_p(tcp + 2, 5201);
    stl_be_p(tcp + 4, 0xfffff000);      /* the sequence number wraps */
    stl_be_p(tcp + 8, 77);
    tcp[12] = 5 << 4;
    tcp[13] = 0x80 | 0x10 | 0x08 | 0x01; /* CWR ACK PSH FIN */
    stw_be_p(tcp + 14, 512);
    stw_be_p(tcp + 16, 0xbeef);         /* the device writes the sum */
    for (size_t i = tcp + 20 - f; i < len; i++) {
        f[i] = i * 31 + (i >> 7);
    }
    return len;
}

static void tso_send(QTestState *qts, QOSState *qs, Dev *v, uint16_t req_id,
                     bool v6)
{
    g_autofree uint8_t *f = g_malloc(14 + 40 + 20 + TSO_PAYLOAD);
    uint16_t len = tso_packet(f, v6);
    uint64_t buf = guest_alloc(&qs->alloc, len);
    uint8_t l3 = v6 ? 40 : 20;
    EnaEthIoTxDesc meta;

    qtest_memwrite(qts, buf, f, len);
    qena_tso_meta(&meta, l3, 14, 5, TSO_MSS);
    qena_tx_packet(&v->d, &v->q, req_id, &buf, &len, 1,
                   (v6 ? ENA_ETH_IO_L3_PROTO_IPV6 :
                         ENA_ETH_IO_L3_PROTO_IPV4 |
                         ENA_ETH_IO_TX_DESC_L3_CSUM_EN_MASK) |
                   ENA_ETH_IO_TX_DESC_TSO_EN_MASK |
                   ENA_ETH_IO_TX_DESC_L4_CSUM_EN_MASK |
                   (ENA_ETH_IO_L4_PROTO_TCP <<
                    ENA_ETH_IO_TX_DESC_L4_PROTO_IDX_SHIFT), &meta);
    qena_sq_doorbell(&v->d, &v->q);
    /* the timed device puts the segments on the wire within a millisecond */
    qtest_clock_step(qts, 1000 * 1000);
}

/* The frames of one packet as the socket back end got them, concatenated */
static GByteArray *tso_frames(int sock, unsigned *n)
{
    GByteArray *all = g_byte_array_new();
    size_t want = TSO_PAYLOAD;

    *n = 0;
    while (want) {
        uint32_t len;
        uint8_t f[2048];

        g_assert_cmpint(recv(sock, &len, 4, MSG_WAITALL), ==, 4);
        len = be32_to_cpu(len);
        g_assert_cmpuint(len, <=, sizeof(f));
        g_assert_cmpint(recv(sock, f, len, MSG_WAITALL), ==, len);
        g_byte_array_append(all, f, len);
        g_assert_cmpuint(len, >, 14 + 20 + 20);
        want -= MIN(want, len - 14 - 20 - 20 - (f[12] == 0x86 ? 20 : 0));
        (*n)++;
    }
    return all;
}

/*
 * With timing the device segments TCP itself (ena_tx_tso_capture());
 * with timing=off QEMU's net_tx_pkt does. Both must put the same bytes
 * on the wire: every header field TSO fixes, both checksums, for IPv4
 * and IPv6.
 */
static void test_tso_frames(void)
{
    QOSState *qs;
    QTestState *qts;
    Dev a = { 0 }, b = { 0 };
    int sv[2];

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    qs = qtest_pc_boot("-M q35 -m %d -nodefaults "
                       "-netdev socket,id=s,fd=%d "
                       "-netdev hubport,id=hs,hubid=0,netdev=s "
                       "-netdev hubport,id=n0,hubid=0 "
                       "-netdev hubport,id=n1,hubid=0 "
                       "-device ena,netdev=n0,id=a,addr=04.0,queues=1,"
                       "keepalive-ms=0 "
                       "-device ena,netdev=n1,id=b,addr=05.0,queues=1,"
                       "keepalive-ms=0,timing=off", RAM_MB, sv[1]);
    close(sv[1]);
    qts = qs->qts;
    {
        TimingTest t = { .qs = qs, .qts = qts };

        dev_up(&t, &a, "a", 4, ENA_ADMIN_SQ_DIRECTION_TX);
        dev_up(&t, &b, "b", 5, ENA_ADMIN_SQ_DIRECTION_TX);
    }
    for (int v6 = 0; v6 < 2; v6++) {
        g_autoptr(GByteArray) timed = NULL;
        g_autoptr(GByteArray) instant = NULL;
        unsigned nt, ni;

        tso_send(qts, qs, &a, 1 + v6, v6);
        timed = tso_frames(sv[0], &nt);
        tso_send(qts, qs, &b, 1 + v6, v6);
        instant = tso_frames(sv[0], &ni);
        g_assert_cmpuint(nt, ==, DIV_ROUND_UP(TSO_PAYLOAD, TSO_MSS));
        g_assert_cmpuint(ni, ==, nt);
        g_assert_cmpmem(timed->data, timed->len, instant->data,
                        instant->len);
    }
    qtest_shutdown(qs);
    close(sv[0]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/ena-timing/frame-latency", test_frame_latency);
    qtest_add_func("/ena-timing/wire-kbps", test_wire_kbps);
    qtest_add_func("/ena-timing/slow-link", test_slow_link);
    qtest_add_func("/ena-timing/rx-waits-for-buffers",
                   test_rx_waits_for_buffers);
    qtest_add_func("/ena-timing/admin-latency", test_admin_latency);
    qtest_add_func("/ena-timing/readless-latency", test_readless_latency);
    qtest_add_func("/ena-timing/phc-latency", test_phc_latency);
    qtest_add_func("/ena-timing/phc-rate-limit", test_phc_rate_limit);
    qtest_add_func("/ena-timing/moderation", test_moderation);
    qtest_add_func("/ena-timing/off", test_timing_off);
    qtest_add_func("/ena-timing/tso-frames", test_tso_frames);
    return g_test_run();
}
