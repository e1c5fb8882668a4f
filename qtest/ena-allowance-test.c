/*
 * QTest testcases for the ena ENI allowances: traffic over each allowance,
 * the counters read back through GET_STATS (ENI and CUSTOMER_METRICS) as
 * the drivers read them, and qom-get. Every expectation is computed here
 * from the properties as docs/allowances.md states the model. Two devices
 * share a hub: a sends, b receives.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#include "libqos/ena.h"

#define RAM_MB          256
#define NS_PER_S        1000000000ll

typedef struct Dev {
    QEna d;
    QEnaIoQueue q;
} Dev;

typedef struct AllowTest {
    QOSState *qs;
    QTestState *qts;
    Dev a, b;
    uint16_t next_id;
} AllowTest;

static void dev_up(AllowTest *t, Dev *v, int slot, uint8_t dir)
{
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(slot, 0),
        .vendor_id = PCI_VENDOR_ID_AMAZON,
    };

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

/*
 * a sends with @opts_a, b receives with @opts_b, 128 RX buffers posted;
 * @extra: more QEMU options
 */
static void allow_start_with(AllowTest *t, const char *extra,
                             const char *opts_a, const char *opts_b)
{
    t->qs = qtest_pc_boot("-M q35 -m %d -nodefaults %s "
                          "-netdev hubport,id=n0,hubid=0 "
                          "-netdev hubport,id=n1,hubid=0 "
                          "-device ena,netdev=n0,id=a,addr=04.0,queues=1,"
                          "keepalive-ms=0%s "
                          "-device ena,netdev=n1,id=b,addr=05.0,queues=1,"
                          "keepalive-ms=0%s", RAM_MB, extra, opts_a, opts_b);
    t->qts = t->qs->qts;
    dev_up(t, &t->a, 4, ENA_ADMIN_SQ_DIRECTION_TX);
    dev_up(t, &t->b, 5, ENA_ADMIN_SQ_DIRECTION_RX);
    for (int i = 0; i < 128; i++) {
        qena_rx_post(&t->b.d, &t->b.q, i, 2048);
    }
    qena_sq_doorbell(&t->b.d, &t->b.q);
}

static void allow_start(AllowTest *t, const char *opts_a, const char *opts_b)
{
    allow_start_with(t, "", opts_a, opts_b);
}

static void allow_stop(AllowTest *t)
{
    qtest_shutdown(t->qs);
}

static uint64_t prop(AllowTest *t, const char *id, const char *name)
{
    return qena_qom_get_uint(t->qts, id, name);
}

static void prop_set(AllowTest *t, const char *id, const char *name,
                     uint64_t val)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-set', 'arguments': "
                           "{'path': %s, 'property': %s, 'value': %"
                           PRIu64 "}}", path, name, val);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

static int64_t now(AllowTest *t)
{
    return qtest_clock_step(t->qts, 1);
}

static void step_to(AllowTest *t, int64_t when)
{
    int64_t cur = now(t);

    g_assert_cmpint(cur, <=, when);
    if (cur < when) {
        g_assert_cmpint(qtest_clock_step(t->qts, when - cur), ==, when);
    }
}

#define TCP_FIN         0x01
#define TCP_ACK         0x10

/*
 * An Ethernet/IPv4 frame of @len bytes from 10.0.0.1:@sport to
 * @dst:@dport, UDP or (with @tcp_flags) TCP (the addresses are bytes in
 * guest memory: nothing leaves the hub between the two devices).
 */
static uint64_t ip_buf(AllowTest *t, uint16_t len, const uint8_t *dst,
                       uint16_t sport, uint16_t dport, bool tcp,
                       uint8_t tcp_flags)
{
    g_autofree uint8_t *f = g_malloc0(len);
    uint64_t a = guest_alloc(&t->qs->alloc, len);
    static const uint8_t src[4] = { 10, 0, 0, 1 };

    memset(f, 0x02, 12);
    stw_be_p(f + 12, 0x0800);
    f[14] = 0x45;
    stw_be_p(f + 16, len - 14);
    f[22] = 64;
    f[23] = tcp ? 6 : 17;
    memcpy(f + 26, src, 4);
    memcpy(f + 30, dst, 4);
    stw_be_p(f + 34, sport);
    stw_be_p(f + 36, dport);
    if (tcp) {
        f[46] = 5 << 4;                 /* data offset: 20 bytes */
        f[47] = tcp_flags;
    } else {
        stw_be_p(f + 38, len - 34);
    }
    qtest_memwrite(t->qts, a, f, len);
    return a;
}

static uint64_t udp_buf(AllowTest *t, uint16_t len, const uint8_t *dst,
                        uint16_t sport, uint16_t dport)
{
    return ip_buf(t, len, dst, sport, dport, false, 0);
}

static const uint8_t peer[4] = { 10, 0, 0, 2 };
static const uint8_t imds[4] = { 169, 254, 169, 254 };

/* Queue a UDP packet on a's SQ (the doorbell is the caller's) */
static void queue_udp(AllowTest *t, uint16_t len, const uint8_t *dst,
                      uint16_t sport)
{
    uint64_t buf = udp_buf(t, len, dst, sport, 9);

    qena_tx_packet(&t->a.d, &t->a.q, t->next_id++ % QENA_IO_DEPTH, &buf,
                   &len, 1, 0, NULL);
}

static int take_tx(AllowTest *t)
{
    uint16_t id;
    int n = 0;

    while (qena_tx_cmpl(&t->a.d, &t->a.q, &id)) {
        n++;
    }
    return n;
}

static int take_rx(AllowTest *t)
{
    EnaEthIoRxCdesc cd;
    int n = 0;

    while (qena_rx_cmpl(&t->b.d, &t->b.q, &cd)) {
        n++;
    }
    return n;
}

/* Send @n packets to @dst from source ports @sport.. (one if @same_flow) */
static void send_udp(AllowTest *t, int n, const uint8_t *dst,
                     uint16_t sport, bool same_flow)
{
    for (int i = 0; i < n; i++) {
        queue_udp(t, 200, dst, same_flow ? sport : sport + i);
    }
    qena_sq_doorbell(&t->a.d, &t->a.q);
}

/* timing=off: send, all complete at once; how many arrived */
static int burst(AllowTest *t, int n, const uint8_t *dst, uint16_t sport,
                 bool same_flow)
{
    send_udp(t, n, dst, sport, same_flow);
    g_assert_cmpint(take_tx(t), ==, n);
    return take_rx(t);
}

/* A TCP segment with @flags on each of @n flows from @sport..; arrivals */
static int burst_tcp(AllowTest *t, int n, uint16_t sport, uint8_t flags)
{
    for (int i = 0; i < n; i++) {
        uint16_t len = 200;
        uint64_t buf = ip_buf(t, len, peer, sport + i, 80, true, flags);

        qena_tx_packet(&t->a.d, &t->a.q, t->next_id++ % QENA_IO_DEPTH, &buf,
                       &len, 1, 0, NULL);
    }
    qena_sq_doorbell(&t->a.d, &t->a.q);
    g_assert_cmpint(take_tx(t), ==, n);
    return take_rx(t);
}

/* The five ENI counters of device @d through GET_STATS ENI */
static void eni_stats(Dev *v, uint64_t out[5])
{
    EnaAdminAcqEntry r;

    g_assert_cmpint(qena_get_stats(&v->d, ENA_ADMIN_GET_STATS_TYPE_ENI, 0, 0,
                                   0, &r), ==, 0);
    for (int i = 0; i < 5; i++) {
        out[i] = le32_to_cpu(r.data[2 * i]) |
                 (uint64_t)le32_to_cpu(r.data[2 * i + 1]) << 32;
    }
}

/*
 * The six customer metrics as Linux 6.12 reads them: the query form for
 * the supported bitmap, then the values into a buffer.
 */
static void customer_metrics(AllowTest *t, Dev *v, uint64_t out[6])
{
    EnaAdminAcqEntry r;
    uint64_t buf = guest_alloc(&t->qs->alloc, 512);
    uint64_t vals[6];

    g_assert_cmpint(qena_get_stats(&v->d,
                                   ENA_ADMIN_GET_STATS_TYPE_CUSTOMER_METRICS,
                                   0, 0, 0x3f, &r), ==, 0);
    g_assert_cmphex(le32_to_cpu(r.data[0]), ==, 0x3f);
    g_assert_cmpint(qena_get_stats(&v->d,
                                   ENA_ADMIN_GET_STATS_TYPE_CUSTOMER_METRICS,
                                   buf, 512, 0x3f, &r), ==, 0);
    qtest_memread(t->qts, buf, vals, sizeof(vals));
    for (int i = 0; i < 6; i++) {
        out[i] = le64_to_cpu(vals[i]);
    }
}

/* Counters by GET_STATS ENI, customer metrics and qom-get agree */
static void check_counters(AllowTest *t, Dev *v, const char *id,
                           const uint64_t want[6])
{
    static const char *const names[6] = {
        "bw-in-allowance-exceeded", "bw-out-allowance-exceeded",
        "pps-allowance-exceeded", "conntrack-allowance-exceeded",
        "linklocal-allowance-exceeded", "conntrack-allowance-available",
    };
    uint64_t eni[5], cm[6];

    eni_stats(v, eni);
    customer_metrics(t, v, cm);
    for (int i = 0; i < 6; i++) {
        if (i < 5) {
            g_assert_cmpuint(eni[i], ==, want[i]);
        }
        g_assert_cmpuint(cm[i], ==, want[i]);
        g_assert_cmpuint(prop(t, id, names[i]), ==, want[i]);
    }
}

/*
 * PPS without timing: nothing waits. A full bucket holds burst-us of the
 * rate, so that many packets pass at once and the rest drop; each
 * 1/pps s brings one more. A qom-set at run time turns it on and off.
 */
static void test_pps(void)
{
    AllowTest t = { 0 };
    const uint64_t pps = 1000, burst_us = 5000;
    uint64_t depth = burst_us * pps / 1000000;      /* packets */
    uint64_t want[6] = { 0 };
    int64_t t0;

    allow_start(&t, ",timing=off,allowance-burst-us=5000", ",timing=off");
    g_assert_cmpuint(prop(&t, "a", "allowance-burst-us"), ==, burst_us);
    /* off: everything passes, nothing counted */
    g_assert_cmpint(burst(&t, 12, peer, 1000, true), ==, 12);
    check_counters(&t, &t.a, "a", want);

    prop_set(&t, "a", "allowance-pps", pps);
    g_assert_cmpuint(prop(&t, "a", "allowance-pps"), ==, pps);
    t0 = now(&t);
    g_assert_cmpint(burst(&t, 12, peer, 1000, true), ==, depth);
    want[2] = 12 - depth;
    /* 3 ms bring 3 tokens */
    step_to(&t, t0 + 3 * NS_PER_S / pps);
    g_assert_cmpint(burst(&t, 5, peer, 1000, true), ==, 3);
    want[2] += 2;
    check_counters(&t, &t.a, "a", want);

    prop_set(&t, "a", "allowance-pps", 0);
    g_assert_cmpint(burst(&t, 12, peer, 1000, true), ==, 12);
    check_counters(&t, &t.a, "a", want);
    allow_stop(&t);
}

/*
 * Outbound bandwidth with timing: frames queue for their tokens, up to
 * queue-us, then drop and take none. At 100 Mb/s a 1250-byte frame costs
 * exactly 100 us; a 200 us bucket lets two go at once; the k-th (from 0)
 * would wait (k + 1) × 100 - 200 us, less the few ns its read came after
 * the first's. With 500 us of queue frames 2-6 wait and 7-9 drop.
 */
static void test_bw_out(void)
{
    AllowTest t = { 0 };
    const int n = 10;
    const uint16_t len = 1250;
    const int64_t mbps = 100, depth = 200000, queue = 500000;
    const int64_t cost = (int64_t)len * 8 * 1000 / mbps;
    uint64_t dma, pcie, link;
    int64_t t0, first, last_at, last_cmpl;
    int waited = 0, dropped = 0, sent;
    uint64_t want[6] = { 0 };

    allow_start(&t, ",allowance-bw-out-mbps=100,allowance-burst-us=200,"
                "allowance-queue-us=500", "");
    dma = prop(&t, "a", "dma-mbps");
    pcie = prop(&t, "a", "pcie-latency-ns");
    link = prop(&t, "a", "link-speed");
    for (int i = 0; i < n; i++) {
        queue_udp(&t, len, peer, 1000);
    }
    t0 = now(&t);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    /* as in ena-timing-test: the first frame's descriptor and bytes read */
    first = t0 + (int64_t)len * 8 * 1000 / dma + 4 * pcie;
    for (int k = 0; k < n; k++) {
        int64_t wait = (k + 1) * cost - depth;

        if (wait > queue) {
            dropped++;
        } else if (wait > 0) {
            waited++;
        }
    }
    sent = n - dropped;
    g_assert_cmpint(waited, ==, 5);
    g_assert_cmpint(dropped, ==, 3);
    /* the last frame sent leaves when its tokens are in */
    last_at = first + sent * cost - depth;
    /* its wire time, give or take the nanosecond the wire carries */
    last_cmpl = last_at + ((int64_t)len + 24) * 8 * 1000 / link + pcie;
    step_to(&t, last_at - 1);
    g_assert_cmpint(take_tx(&t), ==, sent - 1);
    step_to(&t, last_cmpl + 1);
    /* the last sent and the dropped ones behind it */
    g_assert_cmpint(take_tx(&t), ==, 1 + dropped);
    step_to(&t, last_cmpl + 100000);
    g_assert_cmpint(take_rx(&t), ==, sent);
    want[1] = waited + dropped;
    check_counters(&t, &t.a, "a", want);
    allow_stop(&t);
}

/*
 * Per-flow bandwidth: the same numbers as test_bw_out, for each of two
 * flows sent interleaved: each flow gets its own bucket, so twice as
 * many frames pass as under the aggregate allowance, and no ENI counter
 * moves (EC2 has none for the per-flow limit).
 */
static void test_flow(void)
{
    AllowTest t = { 0 };
    const int n = 10;
    uint64_t want[6] = { 0 };
    int64_t t0;

    allow_start(&t, ",allowance-flow-mbps=100,allowance-burst-us=200,"
                "allowance-queue-us=500", "");
    for (int i = 0; i < 2 * n; i++) {
        queue_udp(&t, 1250, peer, 1000 + i % 2);
    }
    t0 = now(&t);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    step_to(&t, t0 + 2 * NS_PER_S / 1000);
    g_assert_cmpint(take_tx(&t), ==, 2 * n);
    /* per flow: 2 at once, 5 wait, 3 drop */
    g_assert_cmpint(take_rx(&t), ==, 2 * 7);
    check_counters(&t, &t.a, "a", want);
    allow_stop(&t);
}

/* Inbound bandwidth: the same on b's side, frames off a's wire */
static void test_bw_in(void)
{
    AllowTest t = { 0 };
    const int n = 10;
    uint64_t want[6] = { 0 };
    int64_t t0;

    allow_start(&t, "", ",allowance-bw-in-mbps=100,allowance-burst-us=200,"
                "allowance-queue-us=500");
    for (int i = 0; i < n; i++) {
        queue_udp(&t, 1250, peer, 1000);
    }
    t0 = now(&t);
    qena_sq_doorbell(&t.a.d, &t.a.q);
    step_to(&t, t0 + 2 * NS_PER_S / 1000);
    g_assert_cmpint(take_tx(&t), ==, n);
    /* frames arrive 408 ns apart: 2 at once, 5 wait, 3 drop */
    g_assert_cmpint(take_rx(&t), ==, 7);
    want[0] = 8;
    check_counters(&t, &t.b, "b", want);
    want[0] = 0;
    check_counters(&t, &t.a, "a", want);
    allow_stop(&t);
}

/*
 * Connection tracking: at most N flows; a new one beyond is dropped,
 * packets of tracked flows pass; a UDP flow idle for conntrack-udp-s
 * goes and makes room. Raising the allowance at run time makes room too.
 */
static void test_conntrack(void)
{
    AllowTest t = { 0 };
    const uint64_t max = 3;
    uint64_t want[6] = { 0 };
    uint64_t udp_s;
    int64_t t_last;

    allow_start(&t, ",timing=off,allowance-conntrack=3", ",timing=off");
    udp_s = prop(&t, "a", "conntrack-udp-s");
    g_assert_cmpuint(udp_s, ==, 30);                /* EC2's default */
    want[5] = max;
    check_counters(&t, &t.a, "a", want);
    /* 5 new flows: 3 tracked, 2 dropped */
    g_assert_cmpint(burst(&t, 5, peer, 2000, false), ==, max);
    want[3] = 2;
    want[5] = 0;
    check_counters(&t, &t.a, "a", want);
    /* the tracked ones go on */
    g_assert_cmpint(burst(&t, 3, peer, 2000, false), ==, 3);
    t_last = now(&t);
    check_counters(&t, &t.a, "a", want);
    /* still new: dropped again */
    g_assert_cmpint(burst(&t, 1, peer, 2003, false), ==, 0);
    want[3]++;
    /*
     * idle flows leave once their timeout is over, not a ns before (qom-get:
     * GET_STATS would move the clock); the last packets went at t_last - 1
     */
    step_to(&t, t_last - 1 + udp_s * NS_PER_S - 1);
    g_assert_cmpuint(prop(&t, "a", "conntrack-allowance-available"), ==, 0);
    step_to(&t, t_last - 1 + udp_s * NS_PER_S);
    g_assert_cmpuint(prop(&t, "a", "conntrack-allowance-available"), ==,
                     max);
    want[5] = max;
    check_counters(&t, &t.a, "a", want);
    g_assert_cmpint(burst(&t, 1, peer, 2003, false), ==, 1);
    want[5] = max - 1;
    check_counters(&t, &t.a, "a", want);
    /* a larger allowance at run time */
    prop_set(&t, "a", "allowance-conntrack", 6);
    want[5] = 6 - 1;
    check_counters(&t, &t.a, "a", want);
    allow_stop(&t);
}

/*
 * A new UDP flow to @port is refused 1 ns before @edge (counted in
 * *@exceeded) and admitted at it.
 */
static void new_flow_at_edge(AllowTest *t, int64_t edge, uint16_t port,
                             uint64_t *exceeded)
{
    step_to(t, edge - 1);
    g_assert_cmpint(burst(t, 1, peer, port, false), ==, 0);
    (*exceeded)++;
    g_assert_cmpuint(prop(t, "a", "conntrack-allowance-exceeded"), ==,
                     *exceeded);
    step_to(t, edge);
    g_assert_cmpint(burst(t, 1, peer, port, false), ==, 1);
}

/*
 * A full table admits a new flow at the nanosecond its earliest flow
 * expires and not one before, whichever flow that is: a TCP flow whose
 * FIN cut its timeout to a closing flow's 120 s (docs/allowances.md), a
 * UDP flow admitted among longer-lived ones, flows whose timeout a
 * qom-set shortened at run time. Each edge is tried before any counter
 * read, by a new flow's frame or by reading conntrack-allowance-available.
 */
static void test_conntrack_edges(void)
{
    AllowTest t = { 0 };
    const uint64_t max = 4;
    const int64_t closing = 120 * NS_PER_S;
    uint64_t want[6] = { 0 };
    int64_t est, udp, t0, t1, t2, t3, edge, short_s;

    allow_start(&t, ",timing=off,allowance-conntrack=4", ",timing=off");
    est = prop(&t, "a", "conntrack-tcp-established-s") * NS_PER_S;
    udp = prop(&t, "a", "conntrack-udp-s") * NS_PER_S;

    /* 4 established TCP flows (first seen mid-stream) fill the table */
    g_assert_cmpint(burst_tcp(&t, max, 4000, TCP_ACK), ==, max);
    t0 = now(&t) - 1;
    g_assert_cmpint(burst(&t, 1, peer, 5000, false), ==, 0);
    want[3] = 1;
    check_counters(&t, &t.a, "a", want);

    /* a FIN: flow 4000 now goes 120 s after it */
    g_assert_cmpint(burst_tcp(&t, 1, 4000, TCP_FIN | TCP_ACK), ==, 1);
    t1 = now(&t) - 1;
    edge = t1 + closing;
    g_assert_cmpint(edge, <, t0 + est);
    new_flow_at_edge(&t, edge, 5000, &want[3]);
    t2 = now(&t) - 1;
    g_assert_cmpuint(prop(&t, "a", "conntrack-allowance-available"), ==, 0);

    /* the UDP flow just admitted goes first now */
    edge = t2 + udp;
    g_assert_cmpint(edge, <, t0 + est);
    new_flow_at_edge(&t, edge, 5001, &want[3]);
    t3 = now(&t) - 1;
    check_counters(&t, &t.a, "a", want);

    /*
     * A shorter established timeout at run time, still ahead of now: the
     * three TCP flows left (idle since t0) go before UDP flow 5001
     */
    short_s = (now(&t) - t0) / NS_PER_S + 1;
    edge = t0 + short_s * NS_PER_S;
    g_assert_cmpint(edge, <, t3 + udp);
    g_assert_cmpint(short_s * NS_PER_S, <, est);
    prop_set(&t, "a", "conntrack-tcp-established-s", short_s);
    step_to(&t, edge - 1);
    g_assert_cmpuint(prop(&t, "a", "conntrack-allowance-available"), ==, 0);
    step_to(&t, edge);
    g_assert_cmpuint(prop(&t, "a", "conntrack-allowance-available"), ==,
                     max - 1);
    want[5] = max - 1;
    check_counters(&t, &t.a, "a", want);
    /* room for exactly that many new flows */
    g_assert_cmpint(burst(&t, max, peer, 6000, false), ==, max - 1);
    want[3]++;
    want[5] = 0;
    check_counters(&t, &t.a, "a", want);
    allow_stop(&t);
}

/* How many lines of @path hold trace event @name */
static int trace_count(const char *path, const char *name)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    int n = 0;

    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        n += strstr(lines[i], name) != NULL;
    }
    return n;
}

/*
 * The walk of a full table for idle flows happens once its earliest flow
 * can have expired, not for every new flow it refuses nor for every read
 * of conntrack-allowance-available: 4 UDP flows, then 20 new ones refused
 * and counters read at several instants before the flows' timeout cost
 * one walk (the first refusal finds the earliest expiry); at the timeout
 * one more walk empties the table. Counted with trace event
 * ena_allow_ct_scan (QEMU's log backend writes it to a file).
 */
static void test_conntrack_scan(void)
{
    AllowTest t = { 0 };
    const uint64_t max = 4;
    uint64_t want[6] = { 0 };
    g_autofree char *log = NULL;
    g_autofree char *extra = NULL;
    int64_t udp, t0;
    int fd, scans;

    fd = g_file_open_tmp("ena-ct-scan-XXXXXX.log", &log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    extra = g_strdup_printf("-trace enable=ena_allow_ct_scan,file=%s", log);
    allow_start_with(&t, extra, ",timing=off,allowance-conntrack=4",
                     ",timing=off");
    udp = prop(&t, "a", "conntrack-udp-s") * NS_PER_S;
    g_assert_cmpint(burst(&t, max, peer, 7000, false), ==, max);
    t0 = now(&t) - 1;
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(burst(&t, 5, peer, 8000 + 5 * i, false), ==, 0);
        want[3] += 5;
        check_counters(&t, &t.a, "a", want);
        step_to(&t, t0 + (i + 1) * udp / 5);
    }
    step_to(&t, t0 + udp - 1);
    g_assert_cmpuint(prop(&t, "a", "conntrack-allowance-available"), ==, 0);
    step_to(&t, t0 + udp);
    g_assert_cmpint(burst(&t, 1, peer, 9000, false), ==, 1);
    for (int i = 0; i < 3; i++) {
        want[5] = max - 1;
        check_counters(&t, &t.a, "a", want);
    }
    allow_stop(&t);
    scans = trace_count(log, "ena_allow_ct_scan");
    unlink(log);
    g_assert_cmpint(scans, ==, 2);
}

/*
 * Link-local services: packets to 169.254.169.254 past their rate drop
 * at once (no queue); other traffic is not limited by it.
 */
static void test_linklocal(void)
{
    AllowTest t = { 0 };
    const uint64_t pps = 1000, burst_us = 4000;
    uint64_t want[6] = { 0 };
    int64_t t0;

    allow_start(&t, ",allowance-linklocal-pps=1000,allowance-burst-us=4000,"
                "allowance-queue-us=10000", "");
    t0 = now(&t);
    send_udp(&t, 10, imds, 3000, false);
    step_to(&t, t0 + NS_PER_S / 100);
    g_assert_cmpint(take_tx(&t), ==, 10);
    /* b is no metadata server, but the frames that passed reach it */
    g_assert_cmpint(take_rx(&t), ==, burst_us * pps / 1000000);
    want[4] = 10 - burst_us * pps / 1000000;
    /* 20 frames to the peer: all pass */
    send_udp(&t, 20, peer, 3000, false);
    step_to(&t, t0 + 2 * NS_PER_S / 100);
    g_assert_cmpint(take_tx(&t), ==, 20);
    g_assert_cmpint(take_rx(&t), ==, 20);
    check_counters(&t, &t.a, "a", want);
    allow_stop(&t);
}

/* A value out of range is refused with its name, and nothing changes */
static void test_bad_value(void)
{
    AllowTest t = { 0 };
    QDict *rsp;
    const char *desc;

    allow_start(&t, ",timing=off", ",timing=off");
    rsp = qtest_qmp(t.qts, "{'execute': 'qom-set', 'arguments': "
                    "{'path': '/machine/peripheral/a', "
                    "'property': 'allowance-conntrack', "
                    "'value': 2000000}}");
    g_assert(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    g_assert_nonnull(strstr(desc, "allowance-conntrack"));
    qobject_unref(rsp);
    g_assert_cmpuint(prop(&t, "a", "allowance-conntrack"), ==, 0);
    allow_stop(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/ena/allowance/pps", test_pps);
    qtest_add_func("/ena/allowance/bw-out", test_bw_out);
    qtest_add_func("/ena/allowance/bw-in", test_bw_in);
    qtest_add_func("/ena/allowance/flow", test_flow);
    qtest_add_func("/ena/allowance/conntrack", test_conntrack);
    qtest_add_func("/ena/allowance/conntrack-edges", test_conntrack_edges);
    qtest_add_func("/ena/allowance/conntrack-scan", test_conntrack_scan);
    qtest_add_func("/ena/allowance/linklocal", test_linklocal);
    qtest_add_func("/ena/allowance/bad-value", test_bad_value);
    return g_test_run();
}
