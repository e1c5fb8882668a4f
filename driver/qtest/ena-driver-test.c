/*
 * qtest: the ENA reference driver against the ena device model
 *
 * The driver core runs in this process over plat_qtest.c: it probes the
 * device, exchanges frames with the other end of a socket netdev byte for
 * byte (standard and 9001-byte MTU, single- and multi-buffer), survives
 * keep-alive time, resets and recovers, and its event log is the same on
 * every run.
 *
 * SPDX-License-Identifier: MIT
 */
#include "qemu/osdep.h"
#include <poll.h>
#include "libqtest.h"
#include "qemu/iov.h"
#include "qobject/qdict.h"
#include "ena-driver/plat_qtest.h"
#include "ena-driver/ena_drv.h"

#define FRAME_MAX       (9216 + 22)
#define ETH_TYPE_TEST   0x88b5      /* IEEE local experimental */

typedef struct TestEnv {
    int peer;                   /* our end of the netdev socket pair */
    EnaPlat *plat;
    EnaDrv *drv;
    GPtrArray *rx;              /* GByteArray per received frame */
    GArray *rx_qid;
} TestEnv;

static EnaLogLevel test_log_level(void)
{
    const char *s = g_getenv("ENA_DRV_LOG");

    return s ? (EnaLogLevel)atoi(s) : ENA_LOG_WARN;
}

static void env_rx(void *opaque, uint16_t qid, const uint8_t *frame,
                   uint32_t len, const EnaRxInfo *info)
{
    TestEnv *e = opaque;

    g_ptr_array_add(e->rx, g_byte_array_append(g_byte_array_new(), frame,
                                               len));
    g_array_append_val(e->rx_qid, qid);
}

static void free_frame(gpointer p)
{
    g_byte_array_unref(p);
}

/* @qemu_args: more QEMU options (may be NULL) */
static void env_start_args(TestEnv *e, const char *dev_props,
                           const char *qemu_args, const EnaDrvConfig *cfg)
{
    g_autofree char *args = NULL;
    EnaPlatQtestOpts opts = { .log_level = test_log_level() };
    int sv[2];

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    args = g_strdup_printf("-netdev socket,id=n0,fd=%d "
                           "-device ena,netdev=n0,id=ena0%s%s %s", sv[1],
                           dev_props ? "," : "", dev_props ? dev_props : "",
                           qemu_args ? qemu_args : "");
    opts.extra_args = args;
    e->plat = ena_plat_qtest_start(&opts);
    close(sv[1]);
    e->peer = sv[0];
    e->rx = g_ptr_array_new_with_free_func(free_frame);
    e->rx_qid = g_array_new(false, false, sizeof(uint16_t));
    ena_plat_qtest_set_rx(e->plat, env_rx, e);
    e->drv = g_new0(EnaDrv, 1);
    g_assert_cmpint(ena_drv_probe(e->drv, e->plat, cfg), ==, 0);
}

static void env_start(TestEnv *e, const char *dev_props,
                      const EnaDrvConfig *cfg)
{
    env_start_args(e, dev_props, NULL, cfg);
}

static void env_stop(TestEnv *e)
{
    if (e->drv->state != ENA_DRV_STATE_OFF) {
        ena_drv_remove(e->drv);
    }
    /* every ring, buffer and MSI-X word went back */
    g_assert_cmpuint(ena_plat_qtest_dma_in_use(e->plat), ==, 0);
    ena_plat_qtest_stop(e->plat);
    close(e->peer);
    g_ptr_array_unref(e->rx);
    g_array_unref(e->rx_qid);
    g_free(e->drv);
}

static uint64_t env_qom_get(TestEnv *e, const char *prop)
{
    QDict *rsp = qtest_qmp(ena_plat_qtest_qts(e->plat),
                           "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/ena0', "
                           "'property': %s}}", prop);
    uint64_t val;

    g_assert(qdict_haskey(rsp, "return"));
    val = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return val;
}

static void env_fault_set(TestEnv *e, const char *point, const char *spec)
{
    g_autofree char *prop = g_strdup_printf("fault-%s", point);

    qtest_qmp_assert_success(ena_plat_qtest_qts(e->plat),
                             "{'execute': 'qom-set', 'arguments': "
                             "{'path': '/machine/peripheral/ena0', "
                             "'property': %s, 'value': %s}}", prop, spec);
}

static void env_config(EnaDrvConfig *cfg, uint32_t mtu)
{
    ena_drv_config_default(cfg);
    cfg->num_queues = 2;
    cfg->mtu = mtu;
}

/* ---- the socket peer: frames are a 4-byte big-endian length + data ------ */

/* A wall-clock guard against a hang only; nothing here is timed by it. */
static void peer_read_full(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        g_assert_cmpint(poll(&pfd, 1, 10000), ==, 1);
        n = read(fd, p, len);
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= n;
    }
}

static bool peer_has_data(TestEnv *e);

/*
 * A frame leaves the device when the modelled wire gets to it: move the
 * virtual clock a microsecond at a time until it is out (bounded).
 */
static uint32_t peer_recv(TestEnv *e, uint8_t *buf, uint32_t cap)
{
    uint32_t be, len;

    for (int i = 0; i < 100000 && !peer_has_data(e); i++) {
        ena_plat_qtest_clock_step(e->plat, 1000);
    }
    peer_read_full(e->peer, &be, sizeof(be));
    len = ntohl(be);
    g_assert_cmpuint(len, <=, cap);
    peer_read_full(e->peer, buf, len);
    return len;
}

static bool peer_has_data(TestEnv *e)
{
    struct pollfd pfd = { .fd = e->peer, .events = POLLIN };

    return poll(&pfd, 1, 0) == 1;
}

static void peer_send(TestEnv *e, const uint8_t *buf, uint32_t len)
{
    uint32_t be = htonl(len);
    struct iovec iov[] = {
        { .iov_base = &be, .iov_len = sizeof(be) },
        { .iov_base = (void *)buf, .iov_len = len },
    };

    g_assert_cmpint(iov_send(e->peer, iov, 2, 0, sizeof(be) + len), ==,
                    sizeof(be) + len);
}

static void make_frame(TestEnv *e, uint8_t *buf, uint32_t len, uint32_t seed)
{
    static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

    g_assert_cmpuint(len, >=, 14);
    memcpy(buf, e->drv->mac, 6);
    memcpy(buf + 6, src, 6);
    buf[12] = ETH_TYPE_TEST >> 8;
    buf[13] = ETH_TYPE_TEST & 0xff;
    for (uint32_t i = 14; i < len; i++) {
        buf[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 8));
    }
}

/*
 * Wait until @want frames were received: frames from the socket reach
 * the device asynchronously, then take their modelled time on the wire
 * and the bus, so this spins on qtest round trips, moving the virtual
 * clock a microsecond each (bounded).
 */
static void wait_rx(TestEnv *e, guint want)
{
    for (int i = 0; i < 200000 && e->rx->len < want; i++) {
        ena_plat_qtest_clock_step(e->plat, 1000);
        ena_drv_poll(e->drv);
    }
    g_assert_cmpuint(e->rx->len, ==, want);
}

/* Send one frame of @len bytes in @nfrags pieces and check the wire. */
static void check_tx(TestEnv *e, uint16_t qid, uint32_t len, uint32_t seed,
                     uint16_t nfrags)
{
    g_autofree uint8_t *frame = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(FRAME_MAX);
    EnaFrag frags[4];
    uint32_t off = 0;

    g_assert_cmpuint(nfrags, >=, 1);
    g_assert_cmpuint(nfrags, <=, 4);
    make_frame(e, frame, len, seed);
    for (uint16_t i = 0; i < nfrags; i++) {
        uint32_t piece = i == nfrags - 1 ? len - off : len / nfrags;

        frags[i].data = frame + off;
        frags[i].len = piece;
        off += piece;
    }
    g_assert_cmpint(ena_drv_xmit(e->drv, qid, frags, nfrags), >=, 0);
    g_assert_cmpuint(peer_recv(e, got, FRAME_MAX), ==, len);
    g_assert(memcmp(got, frame, len) == 0);
}

static void check_rx(TestEnv *e, uint32_t len, uint32_t seed)
{
    g_autofree uint8_t *frame = g_malloc(len);
    guint n = e->rx->len;
    GByteArray *got;

    make_frame(e, frame, len, seed);
    peer_send(e, frame, len);
    wait_rx(e, n + 1);
    got = g_ptr_array_index(e->rx, n);
    g_assert_cmpuint(got->len, ==, len);
    g_assert(memcmp(got->data, frame, len) == 0);
}

/* Let the driver take its TX completion interrupts. */
static void drain_tx(TestEnv *e)
{
    ena_drv_run(e->drv, 2 * ENA_NS_PER_MS);
    for (uint16_t q = 0; q < e->drv->num_queues; q++) {
        g_assert_cmpuint(e->drv->tx[q].pkts_in_flight, ==, 0);
    }
}

/* Print the event log in the TAP output, one diagnostic line per event. */
static void print_events(const char *what, const char *log)
{
    g_auto(GStrv) lines = g_strsplit(log, "\n", -1);

    g_test_message("%s:", what);
    for (int i = 0; lines[i] && lines[i][0]; i++) {
        g_test_message("  %s", lines[i]);
    }
}

static void assert_events(TestEnv *e, const uint16_t *ids,
                          const uint8_t *reasons, uint32_t n)
{
    char buf[ENA_EVLOG_SIZE * ENA_EVLOG_LINE_MAX];

    ena_evlog_format_all(&e->drv->evlog, buf, sizeof(buf));
    print_events("event log", buf);
    g_assert_cmpuint(ena_evlog_count(&e->drv->evlog), ==, n);
    for (uint32_t i = 0; i < n; i++) {
        const EnaEvent *ev = ena_evlog_get(&e->drv->evlog, i);

        g_assert_cmpuint(ev->id, ==, ids[i]);
        g_assert_cmpuint(ev->reason, ==, reasons[i]);
    }
}

/* ---- tests -------------------------------------------------------------- */

static void test_ena_drv_probe(void)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED };
    static const uint8_t reasons[] = { ENA_EVLOG_NO_REASON };
    static const uint8_t qemu_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    env_start(&e, NULL, &cfg);
    g_assert_cmpint(e.drv->state, ==, ENA_DRV_STATE_RUNNING);
    g_assert_true(e.drv->up);
    g_assert_true(e.drv->com.readless);
    g_assert_cmpuint(e.drv->num_queues, ==, 2);
    g_assert(memcmp(e.drv->mac, qemu_mac, 6) == 0);
    g_assert_cmpuint(e.drv->max_mtu, ==, 9216);
    /* the LINK_CHANGE event came with the first interrupt after probe */
    g_assert_true(e.drv->link_up);
    g_assert_true(e.drv->keep_alive_armed);
    g_assert_false(e.drv->com.admin.polling);
    g_assert_cmpuint(e.drv->com.stats.mmio_read_timeouts, ==, 0);
    g_assert_cmpuint(e.drv->com.stats.admin_no_completion, ==, 0);
    g_assert_cmpuint(e.drv->com.stats.admin_error_status, ==, 0);
    g_assert_cmpuint(e.drv->com.stats.admin_completed, ==,
                     e.drv->com.stats.admin_submitted);
    g_assert_cmpuint(env_qom_get(&e, "reset-count"), ==, 1);
    g_assert_cmpuint(env_qom_get(&e, "last-reset-reason"), ==,
                     ENA_REGS_RESET_NORMAL);
    g_assert_cmpuint(env_qom_get(&e, "admin-commands"), ==,
                     e.drv->com.stats.admin_submitted);
    assert_events(&e, ids, reasons, 1);
    env_stop(&e);
}

static void test_ena_drv_traffic_1500(void)
{
    static const uint32_t sizes[] = { 60, 64, 1000, 1500, 1514 };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    env_start(&e, NULL, &cfg);
    for (unsigned i = 0; i < G_N_ELEMENTS(sizes); i++) {
        check_tx(&e, i % 2, sizes[i], i, 1);
        check_rx(&e, sizes[i], 100 + i);
    }
    /* gather: one frame from three pieces, three descriptors */
    check_tx(&e, 0, 1514, 7, 3);
    drain_tx(&e);
    g_assert_cmpuint(e.drv->tx[0].stats.descs, ==, 3 + 3);
    g_assert_cmpuint(e.drv->rx[0].stats.multi_desc_pkts, ==, 0);
    /* the device has a single RX queue in use without RSS */
    g_assert_cmpuint(e.drv->rx[0].stats.pkts, ==, G_N_ELEMENTS(sizes));
    g_assert_cmpuint(e.drv->stats.io_errors, ==, 0);
    g_assert_false(peer_has_data(&e));
    env_stop(&e);
}

static void test_ena_drv_traffic_9001(void)
{
    static const uint32_t sizes[] = { 9001, 9015, 2048, 2049, 4097 };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    uint64_t descs;

    env_config(&cfg, 9001);
    env_start(&e, NULL, &cfg);
    g_assert_cmpuint(e.drv->mtu, ==, 9001);
    for (unsigned i = 0; i < G_N_ELEMENTS(sizes); i++) {
        check_tx(&e, 1, sizes[i], i, 1);
        check_rx(&e, sizes[i], 200 + i);
    }
    drain_tx(&e);
    /* 2048-byte buffers: 5 + 5 + 1 + 2 + 3 pieces, on both sides */
    descs = 5 + 5 + 1 + 2 + 3;
    g_assert_cmpuint(e.drv->tx[1].stats.descs, ==, descs);
    g_assert_cmpuint(e.drv->rx[0].stats.descs, ==, descs);
    g_assert_cmpuint(e.drv->rx[0].stats.multi_desc_pkts, ==, 4);
    /* a frame above the MTU is refused before it reaches the ring */
    {
        g_autofree uint8_t *big = g_malloc0(9001 + 23);
        EnaFrag f = { big, 9001 + 23 };

        g_assert_cmpint(ena_drv_xmit(e.drv, 0, &f, 1), ==, -ENA_EMSGSIZE);
    }
    g_assert_cmpuint(e.drv->stats.io_errors, ==, 0);
    env_stop(&e);
}

/* Many frames each way: every ring wraps and flips its phase twice. */
static void test_ena_drv_traffic_wrap(void)
{
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    const unsigned n = 600;

    env_config(&cfg, 1500);
    env_start(&e, NULL, &cfg);
    for (unsigned i = 0; i < n; i++) {
        check_tx(&e, 0, 60 + i % 1455, i, 1 + i % 3);
        if (i % 8 == 7) {
            ena_drv_poll(e.drv);
        }
    }
    drain_tx(&e);
    for (unsigned i = 0; i < n; i += 50) {
        g_autofree uint8_t *frame = g_malloc(1514);
        guint base = e.rx->len;

        for (unsigned k = 0; k < 50; k++) {
            make_frame(&e, frame, 60 + (i + k) % 1455, i + k);
            peer_send(&e, frame, 60 + (i + k) % 1455);
        }
        wait_rx(&e, base + 50);
        for (unsigned k = 0; k < 50; k++) {
            GByteArray *got = g_ptr_array_index(e.rx, base + k);

            make_frame(&e, frame, 60 + (i + k) % 1455, i + k);
            g_assert_cmpuint(got->len, ==, 60 + (i + k) % 1455);
            g_assert(memcmp(got->data, frame, got->len) == 0);
        }
    }
    g_assert_cmpuint(e.drv->tx[0].stats.completions, ==, n);
    g_assert_cmpuint(e.drv->rx[0].stats.pkts, ==, n);
    g_assert_cmpuint(e.drv->stats.io_errors, ==, 0);
    env_stop(&e);
}

static void test_ena_drv_keepalive(void)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED };
    static const uint8_t reasons[] = { ENA_EVLOG_NO_REASON };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    uint64_t t0;

    env_config(&cfg, 1500);
    env_start(&e, NULL, &cfg);
    t0 = ena_plat_now_ns(e.plat);
    ena_drv_run(e.drv, 10 * ENA_NS_PER_SEC + 500 * ENA_NS_PER_MS);
    g_assert_cmpuint(ena_plat_now_ns(e.plat) - t0, >=,
                     10 * ENA_NS_PER_SEC);
    /* one a second from the device, each one resetting the watchdog */
    g_assert_cmpuint(e.drv->stats.keep_alives, >=, 10);
    g_assert_cmpuint(e.drv->stats.service_runs, >=, 10);
    g_assert_cmpuint(e.drv->stats.wd_expired, ==, 0);
    g_assert_cmpuint(e.drv->stats.resets, ==, 0);
    g_assert_cmpuint(env_qom_get(&e, "keepalives-sent"), ==,
                     e.drv->stats.keep_alives);
    assert_events(&e, ids, reasons, 1);
    env_stop(&e);
}

static void test_ena_drv_reset(void)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RESTARTED,
    };
    static const uint8_t reasons[] = {
        ENA_EVLOG_NO_REASON, ENA_REGS_RESET_USER_TRIGGER,
        ENA_REGS_RESET_USER_TRIGGER,
    };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 9001);
    env_start(&e, NULL, &cfg);
    check_tx(&e, 0, 1514, 1, 1);
    check_rx(&e, 9015, 2);
    ena_drv_request_reset(e.drv, ENA_REGS_RESET_USER_TRIGGER);
    /* the next service run performs it */
    ena_drv_run(e.drv, ENA_NS_PER_SEC + ENA_NS_PER_MS);
    g_assert_cmpint(e.drv->state, ==, ENA_DRV_STATE_RUNNING);
    g_assert_true(e.drv->up);
    g_assert_cmpuint(e.drv->stats.resets, ==, 1);
    g_assert_cmpuint(e.drv->stats.recoveries, ==, 1);
    /* probe's reset, the triggered one, and restore's NORMAL one */
    g_assert_cmpuint(env_qom_get(&e, "reset-count"), ==, 3);
    g_assert_cmpuint(env_qom_get(&e, "last-reset-reason"), ==,
                     ENA_REGS_RESET_NORMAL);
    g_assert_cmpuint(e.drv->mtu, ==, 9001);
    /* the rebuilt queues carry traffic */
    check_tx(&e, 1, 9015, 3, 2);
    check_rx(&e, 9001, 4);
    check_rx(&e, 60, 5);
    drain_tx(&e);
    assert_events(&e, ids, reasons, G_N_ELEMENTS(ids));
    env_stop(&e);
}

static void test_ena_drv_remove(void)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED, ENA_EV_HALTED };
    static const uint8_t reasons[] = {
        ENA_EVLOG_NO_REASON, ENA_REGS_RESET_SHUTDOWN,
    };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    env_start(&e, NULL, &cfg);
    check_tx(&e, 0, 100, 1, 1);
    ena_drv_remove(e.drv);
    g_assert_cmpint(e.drv->state, ==, ENA_DRV_STATE_OFF);
    g_assert_cmpuint(env_qom_get(&e, "last-reset-reason"), ==,
                     ENA_REGS_RESET_SHUTDOWN);
    /* graceful: every queue destroyed with admin commands first */
    g_assert_cmpuint(e.drv->com.stats.admin_error_status, ==, 0);
    assert_events(&e, ids, reasons, G_N_ELEMENTS(ids));
    env_stop(&e);
}

/* revision bit 0 set: the driver reads registers with plain loads */
static void test_ena_drv_plain_reads(void)
{
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    env_start(&e, "readless=off", &cfg);
    g_assert_false(e.drv->com.readless);
    g_assert_cmpuint(e.drv->com.mmio_seq, ==, 0);
    g_assert_cmpuint(e.drv->com.stats.mmio_reads, >, 0);
    check_tx(&e, 0, 1514, 1, 1);
    check_rx(&e, 1514, 2);
    g_assert_cmpint(ena_drv_reset(e.drv, ENA_REGS_RESET_USER_TRIGGER), ==, 0);
    check_rx(&e, 60, 3);
    env_stop(&e);
}

/* Admin completions by polling all along; AENQ still by MSI-X. */
static void test_ena_drv_admin_polling(void)
{
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    cfg.admin_polling = true;
    env_start(&e, NULL, &cfg);
    g_assert_true(e.drv->com.admin.polling);
    /* the link event waits for the first vector-0 interrupt we take */
    ena_drv_run(e.drv, 2 * ENA_NS_PER_MS);
    g_assert_true(e.drv->link_up);
    g_assert_cmpint(ena_drv_set_mtu(e.drv, 9001), ==, 0);
    check_tx(&e, 1, 9001, 1, 1);
    check_rx(&e, 9001, 2);
    ena_drv_run(e.drv, 3 * ENA_NS_PER_SEC);
    g_assert_cmpuint(e.drv->stats.keep_alives, >=, 2);
    g_assert_cmpuint(e.drv->com.stats.admin_no_completion, ==, 0);
    env_stop(&e);
}

/* HW hints the device reports at probe replace the driver's defaults. */
static void test_ena_drv_hints(void)
{
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    env_start(&e, "hint-keepalive-timeout-ms=2500,"
              "hint-missing-tx-timeout-ms=65535,hint-missing-tx-threshold=3,"
              "hint-admin-timeout-ms=700,hint-mmio-read-timeout-ms=20,"
              "hint-netdev-wd-timeout-ms=4000", &cfg);
    g_assert_cmpuint(e.drv->to.keep_alive_ns, ==, 2500 * ENA_NS_PER_MS);
    g_assert_cmpuint(e.drv->to.missing_tx_ns, ==, ENA_TIMEOUT_NEVER);
    g_assert_cmpuint(e.drv->to.missing_tx_threshold, ==, 3);
    g_assert_cmpuint(e.drv->com.admin.timeout_us, ==, 700000);
    g_assert_cmpuint(e.drv->com.mmio_read_polls, ==, 20000);
    g_assert_cmpuint(e.drv->to.netdev_wd_ns, ==, 4 * ENA_NS_PER_SEC);
    env_stop(&e);
}

/*
 * A device that sends no keep-alive: the watchdog (6 s) fires on the 7 s
 * service run, the driver resets with KEEP_ALIVE_TO and recovers.
 */
static void test_ena_drv_keepalive_timeout(void)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        ENA_EVLOG_NO_REASON, ENA_REGS_RESET_KEEP_ALIVE_TO,
        ENA_REGS_RESET_KEEP_ALIVE_TO,
    };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    env_start(&e, "keepalive-ms=0", &cfg);
    ena_drv_run(e.drv, 6 * ENA_NS_PER_SEC + 500 * ENA_NS_PER_MS);
    g_assert_cmpuint(e.drv->stats.resets, ==, 0);
    ena_drv_run(e.drv, ENA_NS_PER_SEC);
    assert_events(&e, ids, reasons, G_N_ELEMENTS(ids));
    /*
     * The 7 s service run: service runs count from a point inside the
     * probe, which takes modelled time (it ends at event 0).
     */
    g_assert_cmpuint(ena_evlog_get(&e.drv->evlog, 1)->ts_ns, >=,
                     7 * ENA_NS_PER_SEC);
    g_assert_cmpuint(ena_evlog_get(&e.drv->evlog, 1)->ts_ns, <=,
                     ena_evlog_get(&e.drv->evlog, 0)->ts_ns +
                     7 * ENA_NS_PER_SEC);
    g_assert_cmpuint(e.drv->stats.wd_expired, ==, 1);
    g_assert_cmpuint(e.drv->stats.keep_alives, ==, 0);
    /* probe, the watchdog's reset, the re-probe */
    g_assert_cmpuint(env_qom_get(&e, "reset-count"), ==, 3);
    check_tx(&e, 0, 1514, 1, 1);
    check_rx(&e, 1514, 2);
    env_stop(&e);
}

static char *env_qom_get_str(TestEnv *e, const char *prop)
{
    QDict *rsp = qtest_qmp(ena_plat_qtest_qts(e->plat),
                           "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/ena0', "
                           "'property': %s}}", prop);
    char *val;

    g_assert(qdict_haskey(rsp, "return"));
    val = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return val;
}

/*
 * The keep-alive reset again, under strict=on: the device read the
 * driver's record of it, and neither bring-up, traffic nor the recovery
 * broke one of strict mode's rules.
 */
static void test_ena_drv_debug_area_strict(void)
{
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    g_autofree char *text = NULL;

    env_config(&cfg, 1500);
    env_start(&e, "keepalive-ms=0,strict=on", &cfg);
    check_tx(&e, 0, 1514, 1, 1);
    check_rx(&e, 1514, 2);
    g_assert_cmpuint(env_qom_get(&e, "debug-area-reads"), ==, 0);
    ena_drv_run(e.drv, 7 * ENA_NS_PER_SEC + 500 * ENA_NS_PER_MS);
    g_assert_cmpuint(e.drv->stats.wd_expired, ==, 1);
    g_assert_cmpuint(e.drv->stats.recoveries, ==, 1);
    g_assert_cmpuint(env_qom_get(&e, "debug-area-reads"), ==, 1);
    g_assert_cmpuint(env_qom_get(&e, "debug-area-errors"), ==, 0);
    text = env_qom_get_str(&e, "debug-area");
    g_assert_nonnull(strstr(text, "reset_reason KEEP_ALIVE_TO\n"));
    g_assert_nonnull(strstr(text, "\nwd_expired 1\n"));
    g_assert_nonnull(strstr(text, "\nresets 1\n"));
    check_tx(&e, 1, 1514, 3, 2);
    check_rx(&e, 60, 4);
    drain_tx(&e);
    g_assert_cmpuint(env_qom_get(&e, "strict-violations"), ==, 0);
    env_stop(&e);
}

/* The same device, with the watchdog turned off by the 0xffff hint. */
static void test_ena_drv_keepalive_hint_off(void)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED };
    static const uint8_t reasons[] = { ENA_EVLOG_NO_REASON };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    env_start(&e, "keepalive-ms=0,hint-keepalive-timeout-ms=65535", &cfg);
    ena_drv_run(e.drv, 15 * ENA_NS_PER_SEC);
    g_assert_cmpuint(e.drv->stats.resets, ==, 0);
    assert_events(&e, ids, reasons, G_N_ELEMENTS(ids));
    env_stop(&e);
}

/* Interface down destroys the queues with admin commands; up rebuilds. */
static void test_ena_drv_down_up(void)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_PAUSED, ENA_EV_RESTARTED,
    };
    static const uint8_t reasons[] = {
        ENA_EVLOG_NO_REASON, ENA_EVLOG_NO_REASON, ENA_EVLOG_NO_REASON,
    };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    uint64_t cmds;

    env_config(&cfg, 1500);
    env_start(&e, NULL, &cfg);
    check_tx(&e, 0, 100, 1, 1);
    cmds = e.drv->com.stats.admin_completed;
    g_assert_cmpint(ena_drv_down(e.drv), ==, 0);
    /* two pairs: 4 DESTROY_SQ + 4 DESTROY_CQ, all accepted */
    g_assert_cmpuint(e.drv->com.stats.admin_completed, ==, cmds + 8);
    g_assert_cmpuint(e.drv->com.stats.admin_error_status, ==, 0);
    g_assert_cmpint(ena_drv_up(e.drv), ==, 0);
    check_tx(&e, 1, 1514, 2, 1);
    check_rx(&e, 1514, 3);
    drain_tx(&e);
    assert_events(&e, ids, reasons, G_N_ELEMENTS(ids));
    env_stop(&e);
}

/* One fixed script: probe, traffic, time, a reset, time, remove. */
static char *run_script(void)
{
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    char *log = g_malloc(ENA_EVLOG_SIZE * ENA_EVLOG_LINE_MAX);

    env_config(&cfg, 9001);
    env_start(&e, NULL, &cfg);
    check_tx(&e, 0, 9001, 1, 1);
    check_rx(&e, 1500, 2);
    ena_drv_run(e.drv, 3 * ENA_NS_PER_SEC);
    g_assert_cmpint(ena_drv_reset(e.drv, ENA_REGS_RESET_MISS_TX_CMPL), ==, 0);
    ena_drv_run(e.drv, 2 * ENA_NS_PER_SEC);
    ena_drv_remove(e.drv);
    ena_evlog_format_all(&e.drv->evlog, log,
                         ENA_EVLOG_SIZE * ENA_EVLOG_LINE_MAX);
    env_stop(&e);
    return log;
}

/*
 * The PHC on the device's timed model: a read returns the device clock
 * sampled during the call; a lost response fails the read after the
 * expire time and blocks reads (refused without asking the device) until
 * the block time has passed, when the failure is counted as a device
 * error; error flags fail the read at once and are counted by kind.
 */
static void test_ena_drv_phc(void)
{
    const EnaComPhcStats *st;
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    uint64_t t0, ts = 0;

    env_config(&cfg, 1500);
    env_start(&e, "phc=on,phc-expire-us=1000,phc-block-us=2000,"
              "phc-error-bound-ns=777", &cfg);
    st = &e.drv->com.phc.stats;
    g_assert_true(e.drv->com.phc.active);
    g_assert_cmpuint(e.drv->com.phc.expire_ns, ==, 1000 * ENA_NS_PER_US);
    g_assert_cmpuint(e.drv->com.phc.block_ns, ==, 2000 * ENA_NS_PER_US);

    t0 = ena_plat_now_ns(e.plat);
    g_assert_cmpint(ena_com_phc_get_time(&e.drv->com, &ts), ==, 0);
    g_assert_cmpuint(ts, >=, t0);
    g_assert_cmpuint(ts, <=, ena_plat_now_ns(e.plat));
    g_assert_cmpuint(e.drv->com.phc.error_bound, ==, 777);
    g_assert_cmpuint(st->ok, ==, 1);

    env_fault_set(&e, "phc", "drop:once");
    t0 = ena_plat_now_ns(e.plat);
    g_assert_cmpint(ena_com_phc_get_time(&e.drv->com, &ts), ==,
                    -ENA_EBUSY);
    g_assert_cmpuint(ena_plat_now_ns(e.plat) - t0, >=, 1000 * ENA_NS_PER_US);
    g_assert_cmpuint(e.drv->com.phc.error_bound, ==, ENA_COM_PHC_NO_BOUND);
    g_assert_cmpint(ena_com_phc_get_time(&e.drv->com, &ts), ==,
                    -ENA_EBUSY);
    g_assert_cmpuint(st->skipped, ==, 1);
    g_assert_cmpuint(env_qom_get(&e, "phc-requests"), ==, 2);
    ena_plat_qtest_clock_step(e.plat, 2 * ENA_NS_PER_MS);
    g_assert_cmpint(ena_com_phc_get_time(&e.drv->com, &ts), ==, 0);
    g_assert_cmpuint(st->err_device, ==, 1);
    g_assert_cmpuint(st->ok, ==, 2);

    env_fault_set(&e, "phc", "error:flags=2:once");
    g_assert_cmpint(ena_com_phc_get_time(&e.drv->com, &ts), ==,
                    -ENA_EBUSY);
    ena_plat_qtest_clock_step(e.plat, 2 * ENA_NS_PER_MS);
    g_assert_cmpint(ena_com_phc_get_time(&e.drv->com, &ts), ==, 0);
    g_assert_cmpuint(st->err_eb, ==, 1);
    g_assert_cmpuint(st->err_ts, ==, 0);
    g_assert_cmpuint(st->err_device, ==, 1);
    g_assert_cmpuint(st->expired, ==, 0);
    g_assert_cmpuint(env_qom_get(&e, "phc-responses"), ==, 4);
    env_stop(&e);
}

/*
 * LLQ, asked for with cfg.llq: the TX rings are in BAR2 (the driver has
 * no host TX ring at all), so every frame the peer gets byte for byte
 * came out of LLQ entries: frames inside the pushed header room, frames
 * whose header is longer than it, multi-buffer and gathered ones. The
 * device's trace (log backend, into a file) shows the LLQ SQs it made.
 */
static void llq_traffic(const char *dev_props, uint32_t tx_buf_size,
                        uint16_t entry_size, uint16_t accel)
{
    static const uint32_t sizes[] = { 60, 96, 97, 200, 1514, 9001 };
    TestEnv e = { 0 };
    EnaDrvConfig cfg;
    g_autofree char *log = NULL;
    g_autofree char *args = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    uint64_t entries = 0, bursts = 0;
    unsigned created = 0;
    int fd;

    fd = g_file_open_tmp("ena-llq-XXXXXX.log", &log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    args = g_strdup_printf("-d trace:ena_create_sq_llq -D %s", log);
    env_config(&cfg, 9001);
    cfg.llq = true;
    cfg.tx_buf_size = tx_buf_size;
    env_start_args(&e, dev_props, args, &cfg);
    g_assert_true(e.drv->llq_active);
    g_assert_cmpuint(e.drv->llq.entry_size, ==, entry_size);
    g_assert_cmpuint(e.drv->stats.llq_fallbacks, ==, 0);
    g_assert_cmpuint(env_qom_get(&e, "llq-accel"), ==, accel);
    for (uint16_t q = 0; q < e.drv->num_queues; q++) {
        g_assert_true(e.drv->tx[q].llq == &e.drv->llq);
        g_assert_null(e.drv->tx[q].sq.mem.virt);
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(sizes); i++) {
        check_tx(&e, i % 2, sizes[i], i, 1);
        /* gathered: the pushed bytes come from more than one piece */
        check_tx(&e, (i + 1) % 2, sizes[i], 50 + i, 1 + i % 4);
        check_rx(&e, sizes[i], 300 + i);
    }
    /* enough to wrap the 256-entry rings */
    for (unsigned i = 0; i < 300; i++) {
        check_tx(&e, 0, 60 + i * 5, 1000 + i, 1 + i % 3);
        if (i % 8 == 7) {
            ena_drv_poll(e.drv);
        }
    }
    drain_tx(&e);
    for (uint16_t q = 0; q < e.drv->num_queues; q++) {
        entries += e.drv->tx[q].stats.descs;      /* LLQ: entries */
        /* one doorbell per frame, and the ones of full bursts */
        bursts += e.drv->tx[q].stats.doorbells - e.drv->tx[q].stats.pkts;
    }
    g_assert_cmpuint(entries, >, 2 * G_N_ELEMENTS(sizes) + 300);
    /* with LIMIT_TX_BURST, the long frames were rung in mid-packet */
    g_assert_cmpuint(bursts > 0, ==,
                     !!(accel & ENA_BIT(ENA_ADMIN_LLQ_ACCEL_LIMIT_TX_BURST)));
    g_assert_cmpuint(e.drv->stats.io_errors, ==, 0);
    g_assert_cmpuint(env_qom_get(&e, "llq-refused"), ==, 0);
    g_assert_cmpuint(env_qom_get(&e, "llq-burst-violations"), ==, 0);
    g_assert_cmpuint(env_qom_get(&e, "llq-meta-missing"), ==, 0);
    g_assert_false(peer_has_data(&e));
    env_stop(&e);

    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    unlink(log);
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        created += strstr(lines[i], "ena_create_sq_llq") != NULL;
    }
    g_assert_cmpuint(created, ==, 2);
}

static void test_ena_drv_llq(void)
{
    llq_traffic(NULL, 2048, 128, 0);
}

/* The device recommends 256-byte entries: 224 header bytes each. */
static void test_ena_drv_llq_256(void)
{
    llq_traffic("llq-entry-size-recommended=256", 2048, 256, 0);
}

/*
 * Both accel modes: a meta descriptor with every packet, and 2 entries
 * per doorbell at most; 512-byte buffers make a 9001-byte frame 4
 * entries long, so doorbells also fall inside packets.
 */
static void test_ena_drv_llq_accel(void)
{
    llq_traffic("llq-disable-meta-caching=on,llq-max-tx-burst=256", 512,
                128, 3);
}

/* Asked for, but the device has no BAR2: host placement, same frames. */
static void test_ena_drv_llq_no_bar(void)
{
    TestEnv e = { 0 };
    EnaDrvConfig cfg;

    env_config(&cfg, 1500);
    cfg.llq = true;
    env_start(&e, "llq-mem-bar=off", &cfg);
    g_assert_false(e.drv->llq_active);
    g_assert_cmpuint(e.drv->stats.llq_fallbacks, ==, 1);
    g_assert_null(e.drv->tx[0].llq);
    check_tx(&e, 0, 1514, 1, 3);
    check_tx(&e, 1, 60, 2, 1);
    drain_tx(&e);
    env_stop(&e);
}

static void test_ena_drv_deterministic(void)
{
    g_autofree char *a = run_script();
    g_autofree char *b = run_script();

    print_events("event log (both runs)", a);
    g_assert_cmpstr(a, ==, b);
    /* initialized, reset-started, recovered (a fault reason), halted */
    g_assert_nonnull(strstr(a, " 5200 initialized "));
    g_assert_nonnull(strstr(a, " 5205 reset-started "
                            "reason=MISS_TX_CMPL(3) "));
    g_assert_nonnull(strstr(a, " 5210 recovered reason=MISS_TX_CMPL(3) "));
    g_assert_nonnull(strstr(a, " 5201 halted reason=SHUTDOWN(11) "));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("ena")) {
        g_test_skip("the ena device is not built in");
        return g_test_run();
    }
    qtest_add_func("/ena-driver/probe", test_ena_drv_probe);
    qtest_add_func("/ena-driver/traffic/mtu1500", test_ena_drv_traffic_1500);
    qtest_add_func("/ena-driver/traffic/mtu9001", test_ena_drv_traffic_9001);
    qtest_add_func("/ena-driver/traffic/wrap", test_ena_drv_traffic_wrap);
    qtest_add_func("/ena-driver/keepalive", test_ena_drv_keepalive);
    qtest_add_func("/ena-driver/reset", test_ena_drv_reset);
    qtest_add_func("/ena-driver/remove", test_ena_drv_remove);
    qtest_add_func("/ena-driver/plain-reads", test_ena_drv_plain_reads);
    qtest_add_func("/ena-driver/admin-polling", test_ena_drv_admin_polling);
    qtest_add_func("/ena-driver/hints", test_ena_drv_hints);
    qtest_add_func("/ena-driver/keepalive-timeout",
                   test_ena_drv_keepalive_timeout);
    qtest_add_func("/ena-driver/keepalive-hint-off",
                   test_ena_drv_keepalive_hint_off);
    qtest_add_func("/ena-driver/down-up", test_ena_drv_down_up);
    qtest_add_func("/ena-driver/debug-area-strict",
                   test_ena_drv_debug_area_strict);
    qtest_add_func("/ena-driver/phc", test_ena_drv_phc);
    qtest_add_func("/ena-driver/deterministic", test_ena_drv_deterministic);
    qtest_add_func("/ena-driver/llq/traffic", test_ena_drv_llq);
    qtest_add_func("/ena-driver/llq/entry256", test_ena_drv_llq_256);
    qtest_add_func("/ena-driver/llq/accel", test_ena_drv_llq_accel);
    qtest_add_func("/ena-driver/llq/no-bar", test_ena_drv_llq_no_bar);
    return g_test_run();
}
