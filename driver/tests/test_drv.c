/*
 * Unit tests: the driver proper over the fake device and clock: probe and
 * its failures, hints, the watchdogs (keep-alive, admin, missing TX,
 * missed interrupts), IO-path errors, reset and recovery, and the event
 * log each of them leaves.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include "unit.h"
#include "plat_fake.h"
#include "ena_drv.h"

#define SEC 1000000000ull
#define NONE ENA_EVLOG_NO_REASON

static EnaPlat *plat;
static EnaDrv *drv;
static EnaDrvConfig cfg;

static void setup(void)
{
    plat = fake_new();
    plat->keepalive_ns = SEC;
    drv = calloc(1, sizeof(*drv));
    ena_drv_config_default(&cfg);
}

static void teardown(void)
{
    if (drv->state != ENA_DRV_STATE_OFF) {
        ena_drv_remove(drv);
    }
    ck_assert_uint_eq(plat->dma_in_use, 0);
    free(drv);
    fake_free(plat);
}

static void probe_ok(void)
{
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), 0);
}

/* The log holds exactly @n events with these ids and reasons. */
static void expect_events(const uint16_t *ids, const uint8_t *reasons,
                          uint32_t n)
{
    ck_assert_uint_eq(ena_evlog_count(&drv->evlog), n);
    for (uint32_t i = 0; i < n; i++) {
        const EnaEvent *ev = ena_evlog_get(&drv->evlog, i);

        ck_assert_uint_eq(ev->id, ids[i]);
        ck_assert_uint_eq(ev->reason, reasons[i]);
    }
}

#define EXPECT_EVENTS(ids, reasons) \
    expect_events(ids, reasons, sizeof(ids) / sizeof(ids[0]))

static int send_frame(uint16_t qid, uint32_t len)
{
    static uint8_t frame[9216];
    EnaFrag f = { frame, len };

    return ena_drv_xmit(drv, qid, &f, 1);
}

/* Write an RX completion on pair @qid's RX CQ at its head + @k. */
static void rx_cdesc(uint16_t qid, uint16_t k, uint16_t req_id, uint16_t len,
                     bool first, bool last)
{
    EnaEthCq *cq = &drv->rx[qid].cq;
    uint16_t ctr = cq->head + k;
    EnaEthIoRxCdesc *c = (EnaEthIoRxCdesc *)cq->mem.virt +
                         ena_ring_slot(ctr, cq->depth);

    memset(c, 0, sizeof(*c));
    c->req_id = req_id;
    c->length = len;
    c->status = ((uint32_t)ena_ring_phase(ctr, cq->depth) << 24) |
                (first ? ENA_ETH_IO_RX_CDESC_FIRST_MASK : 0) |
                (last ? ENA_ETH_IO_RX_CDESC_LAST_MASK : 0);
}

/* The req_id the device would take next from pair @qid's RX SQ. */
static uint16_t rx_next_req_id(uint16_t qid, uint16_t k)
{
    EnaEthSq *sq = &drv->rx[qid].sq;
    EnaEthIoRxDesc *d = (EnaEthIoRxDesc *)sq->mem.virt +
                        ena_ring_slot(drv->rx[qid].cq.head + k, sq->depth);

    return d->req_id;
}

/* ---- probe -------------------------------------------------------------- */

START_TEST(test_probe)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED };
    static const uint8_t reasons[] = { NONE };

    probe_ok();
    EXPECT_EVENTS(ids, reasons);
    ck_assert_int_eq(drv->state, ENA_DRV_STATE_RUNNING);
    ck_assert(drv->up);
    ck_assert_uint_eq(drv->num_queues, 2);
    ck_assert(memcmp(drv->mac, plat->mac, 6) == 0);
    ck_assert(drv->link_up);
    ck_assert(drv->keep_alive_armed);
    ck_assert_uint_eq(drv->aenq_groups, 0x1f);
    ck_assert_uint_eq(plat->intr_mask, 0);
    ck_assert_uint_eq(plat->reset_count, 1);
    ck_assert_uint_eq(plat->reset_history[0], ENA_REGS_RESET_NORMAL);
    ck_assert_int_ge(fake_find_sq(plat, ENA_ADMIN_SQ_DIRECTION_RX), 0);
    ck_assert_uint_eq(drv->rx[0].posted, cfg.rx_depth - 1);
    ck_assert_uint_eq(drv->rx[1].posted, cfg.rx_depth - 1);
    ck_assert_uint_eq(plat->unmask_writes, 2);
    ck_assert(drv->tx[0].cdesc_mbz);
    ck_assert_uint_eq(drv->com.stats.admin_error_status, 0);
}
END_TEST

START_TEST(test_remove)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED, ENA_EV_HALTED };
    static const uint8_t reasons[] = { NONE, ENA_REGS_RESET_SHUTDOWN };
    uint64_t done;

    probe_ok();
    done = drv->com.stats.admin_completed;
    ena_drv_remove(drv);
    /* graceful: four SQs and four CQs destroyed before the reset */
    ck_assert_uint_eq(drv->com.stats.admin_completed, done + 8);
    ck_assert_uint_eq(plat->last_reset_reason, ENA_REGS_RESET_SHUTDOWN);
    ck_assert_uint_eq(plat->resp_addr, 0);
    ck_assert_int_eq(drv->state, ENA_DRV_STATE_OFF);
    EXPECT_EVENTS(ids, reasons);
}
END_TEST

START_TEST(test_probe_fails_readless)
{
    static const uint16_t ids[] = {
        ENA_EV_TIMEOUT, ENA_EV_TIMEOUT, ENA_EV_INIT_FAILED,
    };
    static const uint8_t reasons[] = { NONE, NONE, NONE };
    const EnaEvent *ev;

    plat->readless_drop = true;
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), -ENA_ETIME);
    EXPECT_EVENTS(ids, reasons);
    ev = ena_evlog_get(&drv->evlog, 2);
    ck_assert_uint_eq(ev->detail, ENA_ETIME);
    ck_assert_str_eq(ev->msg, "Can not reset device");
    ck_assert_int_eq(drv->state, ENA_DRV_STATE_DEAD);
    ck_assert_uint_eq(plat->dma_in_use, 0);
    ck_assert_uint_eq(drv->stats.init_failures, 1);
}
END_TEST

START_TEST(test_probe_fails_attributes)
{
    static const uint16_t ids[] = { ENA_EV_INIT_FAILED };
    static const uint8_t reasons[] = { ENA_REGS_RESET_INIT_ERR };

    plat->admin_fail_feature = ENA_ADMIN_DEVICE_ATTRIBUTES;
    plat->admin_fail_status = ENA_ADMIN_ILLEGAL_PARAMETER;
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), -ENA_EINVAL);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_str_eq(ena_evlog_get(&drv->evlog, 0)->msg,
                     "Cannot get attribute for ena device");
    /* the admin rings were live: the device is stopped before the free */
    ck_assert_uint_eq(plat->reset_count, 2);
    ck_assert_uint_eq(plat->last_reset_reason, ENA_REGS_RESET_INIT_ERR);
}
END_TEST

START_TEST(test_probe_fails_oom)
{
    static const uint16_t ids[] = {
        ENA_EV_OUT_OF_RESOURCES, ENA_EV_INIT_FAILED,
    };
    static const uint8_t reasons[] = { NONE, NONE };

    plat->dma_fail_after = 0;
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), -ENA_ENOMEM);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(drv->stats.dma_alloc_failures, 1);
}
END_TEST

/* A configuration the driver cannot use is refused before any access. */
START_TEST(test_probe_bad_config)
{
    cfg.tx_depth = 300;
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), -ENA_EINVAL);
    ck_assert_uint_eq(plat->reg_writes, 0);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 0)->id, ENA_EV_INIT_FAILED);
}
END_TEST

START_TEST(test_probe_fails_reset)
{
    plat->reset_never_on = true;
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), -ENA_ETIME);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 0)->id, ENA_EV_INIT_FAILED);
}
END_TEST

/* RESOURCE_ALLOCATION_FAILURE once: the rings are halved and it works. */
START_TEST(test_probe_ring_backoff)
{
    cfg.tx_depth = cfg.rx_depth = 1024;
    plat->admin_fail_opcode = ENA_ADMIN_CREATE_CQ;
    plat->admin_fail_status = ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
    plat->admin_fail_count = 1;
    probe_ok();
    ck_assert_uint_eq(drv->tx_depth, 512);
    ck_assert_uint_eq(drv->rx_depth, 512);
    ck_assert_uint_eq(drv->rx[0].posted, 511);
}
END_TEST

/* ... always: down to 256, then out of resources and an INIT_ERR reset. */
START_TEST(test_probe_ring_backoff_gives_up)
{
    static const uint16_t ids[] = {
        ENA_EV_OUT_OF_RESOURCES, ENA_EV_INIT_FAILED,
    };
    static const uint8_t reasons[] = { NONE, ENA_REGS_RESET_INIT_ERR };

    cfg.tx_depth = cfg.rx_depth = 1024;
    plat->admin_fail_opcode = ENA_ADMIN_CREATE_CQ;
    plat->admin_fail_status = ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), -ENA_ENOMEM);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 0)->detail, 256);
    ck_assert_uint_eq(plat->last_reset_reason, ENA_REGS_RESET_INIT_ERR);
}
END_TEST

/* ---- hints -------------------------------------------------------------- */

START_TEST(test_hints_at_probe)
{
    plat->hints = (EnaAdminHwHints) {
        .mmio_read_timeout = 10,
        .driver_watchdog_timeout = 3000,
        .missing_tx_completion_timeout = ENA_HW_HINTS_NO_TIMEOUT,
        .missed_tx_completion_count_threshold_to_reset = 7,
        .admin_completion_tx_timeout = 500,
        .netdev_wd_timeout = 4000,
    };
    probe_ok();
    ck_assert_uint_eq(drv->com.mmio_read_polls, 10000);
    ck_assert_uint_eq(drv->to.keep_alive_ns, 3 * SEC);
    ck_assert_uint_eq(drv->to.missing_tx_ns, ENA_TIMEOUT_NEVER);
    ck_assert_uint_eq(drv->to.missing_tx_threshold, 7);
    ck_assert_uint_eq(drv->com.admin.timeout_us, 500000);
    ck_assert_uint_eq(drv->to.netdev_wd_ns, 4 * SEC);
}
END_TEST

START_TEST(test_hints_zero_keeps_defaults)
{
    EnaAdminHwHints zero;

    probe_ok();
    memset(&zero, 0, sizeof(zero));
    ena_drv_apply_hints(drv, &zero);
    ck_assert_uint_eq(drv->to.keep_alive_ns, 6 * SEC);
    ck_assert_uint_eq(drv->to.missing_tx_ns, 5 * SEC);
    ck_assert_uint_eq(drv->to.missing_tx_threshold, 128);
    ck_assert_uint_eq(drv->com.admin.timeout_us, 3000000);
    ck_assert_uint_eq(drv->com.mmio_read_polls, 200000);
}
END_TEST

START_TEST(test_hints_by_aenq)
{
    EnaAdminHwHints h = {
        .driver_watchdog_timeout = ENA_HW_HINTS_NO_TIMEOUT,
        .missing_tx_completion_timeout = 2000,
    };

    probe_ok();
    ck_assert(fake_aenq_post(plat, ENA_ADMIN_NOTIFICATION,
                             ENA_ADMIN_UPDATE_HINTS, &h, sizeof(h)));
    ena_drv_poll(drv);
    ck_assert_uint_eq(drv->stats.hints_updates, 1);
    ck_assert_uint_eq(drv->to.keep_alive_ns, ENA_TIMEOUT_NEVER);
    ck_assert_uint_eq(drv->to.missing_tx_ns, 2 * SEC);
}
END_TEST

/* ---- keep-alive --------------------------------------------------------- */

START_TEST(test_keep_alive_ok)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED };
    static const uint8_t reasons[] = { NONE };

    probe_ok();
    ena_drv_run(drv, 10 * SEC + SEC / 2);
    ck_assert_uint_eq(drv->stats.keep_alives, 10);
    ck_assert_uint_eq(drv->stats.service_runs, 10);
    ck_assert_uint_eq(drv->stats.resets, 0);
    EXPECT_EVENTS(ids, reasons);
}
END_TEST

/* No keep-alive after probe at t=0: expiry at 6 s, seen by the 7 s tick. */
START_TEST(test_keep_alive_timeout)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_KEEP_ALIVE_TO, ENA_REGS_RESET_KEEP_ALIVE_TO,
    };
    const EnaEvent *ev;

    plat->keepalive_ns = 0;
    probe_ok();
    ck_assert_uint_eq(ena_drv_check_keep_alive(drv, 6 * SEC),
                      ENA_RESET_REASON_NONE);
    ck_assert_uint_eq(ena_drv_check_keep_alive(drv, 6 * SEC + 1),
                      ENA_REGS_RESET_KEEP_ALIVE_TO);
    ena_drv_run(drv, 6 * SEC + SEC / 2);
    ck_assert_uint_eq(drv->stats.resets, 0);
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    ev = ena_evlog_get(&drv->evlog, 1);
    ck_assert_uint_eq(ev->ts_ns, 7 * SEC);
    ck_assert_uint_eq(ev->detail, 7000);
    ck_assert_uint_eq(drv->stats.wd_expired, 1);
    ck_assert_uint_eq(drv->stats.reset_reason[ENA_REGS_RESET_KEEP_ALIVE_TO],
                      1);
    /* the watchdog's reset, then the re-probe's NORMAL one */
    ck_assert_uint_eq(plat->reset_count, 3);
    ck_assert_uint_eq(plat->reset_history[1], ENA_REGS_RESET_KEEP_ALIVE_TO);
    ck_assert_uint_eq(plat->reset_history[2], ENA_REGS_RESET_NORMAL);
    ck_assert_int_eq(drv->state, ENA_DRV_STATE_RUNNING);
    ck_assert(drv->up);
}
END_TEST

START_TEST(test_keep_alive_off)
{
    probe_ok();
    drv->keep_alive_armed = false;
    ck_assert_uint_eq(ena_drv_check_keep_alive(drv, 100 * SEC),
                      ENA_RESET_REASON_NONE);
    drv->keep_alive_armed = true;
    drv->to.keep_alive_ns = ENA_TIMEOUT_NEVER;
    ck_assert_uint_eq(ena_drv_check_keep_alive(drv, UINT64_MAX),
                      ENA_RESET_REASON_NONE);
}
END_TEST

/* A device without the KEEP_ALIVE group gets no watchdog. */
START_TEST(test_keep_alive_unsupported)
{
    plat->keepalive_ns = 0;
    plat->aenq_supported = 0x0f;
    probe_ok();
    ck_assert(!drv->keep_alive_armed);
    ena_drv_run(drv, 20 * SEC);
    ck_assert_uint_eq(drv->stats.resets, 0);
}
END_TEST

/* ---- admin queue -------------------------------------------------------- */

START_TEST(test_admin_timeout_reset)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_ADMIN_TIMEOUT, ENA_EV_RESET_STARTED,
        ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, NONE, ENA_REGS_RESET_ADMIN_TO, ENA_REGS_RESET_ADMIN_TO,
    };

    probe_ok();
    plat->admin_drop = true;
    ck_assert_int_eq(ena_drv_set_mtu(drv, 9000), -ENA_ETIME);
    ck_assert_uint_eq(plat->now_ns, 3 * SEC);
    ck_assert_uint_eq(ena_drv_check_admin(drv), ENA_REGS_RESET_ADMIN_TO);
    plat->admin_drop = false;
    ena_drv_run(drv, SEC / 2);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(drv->stats.admin_q_pause, 1);
    ck_assert(drv->com.admin.running);
    /* the MTU was never accepted */
    ck_assert_uint_eq(drv->mtu, 1500);
}
END_TEST

static void admin_missing_intr(bool ext, uint8_t want)
{
    uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_ADMIN_TIMEOUT, ENA_EV_RESET_STARTED,
        ENA_EV_RECOVERED,
    };
    uint8_t reasons[] = { NONE, NONE, want, want };

    if (!ext) {
        plat->capabilities &= ~ENA_BIT(ENA_ADMIN_EXTENDED_RESET_REASONS);
    }
    /* any vector-0 interrupt (a keep-alive) would also pick it up */
    plat->keepalive_ns = 0;
    probe_ok();
    plat->admin_no_intr = true;
    ck_assert_int_eq(ena_drv_set_mtu(drv, 9000), -ENA_ETIME);
    ck_assert(drv->com.admin.missing_intr);
    plat->admin_no_intr = false;
    ena_drv_run(drv, SEC / 2);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(plat->reset_history[1], want);
}

START_TEST(test_admin_missing_intr_reset)
{
    admin_missing_intr(true, ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT);
}
END_TEST

START_TEST(test_admin_missing_intr_reset_4bit)
{
    admin_missing_intr(false, ENA_REGS_RESET_ADMIN_TO);
}
END_TEST

/* ---- TX watchdogs ------------------------------------------------------- */

START_TEST(test_tx_completes)
{
    cfg.mtu = 9000;
    probe_ok();
    ck_assert_int_ge(send_frame(1, 5000), 0);
    ck_assert_uint_eq(drv->tx[1].pkts_in_flight, 1);
    ena_drv_poll(drv);
    ck_assert_uint_eq(drv->tx[1].pkts_in_flight, 0);
    ck_assert_uint_eq(drv->tx[1].stats.descs, 3);
    ck_assert_uint_eq(drv->stats.io_interrupts, 1);
    ck_assert_uint_eq(plat->unmask_writes, 3);
    ck_assert_int_eq(send_frame(2, 60), -ENA_EINVAL);
    ck_assert_int_eq(send_frame(0, 9000 + 23), -ENA_EMSGSIZE);
}
END_TEST

/* Three packets stuck: late but under the threshold, until a hint. */
START_TEST(test_missing_tx_threshold)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_MISS_TX_CMPL, ENA_REGS_RESET_MISS_TX_CMPL,
    };
    EnaAdminHwHints h = { .missed_tx_completion_count_threshold_to_reset = 2 };

    probe_ok();
    plat->tx_autocomplete = false;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_ge(send_frame(0, 100), 0);
    }
    ena_drv_run(drv, 6 * SEC + SEC / 2);
    ck_assert_uint_eq(drv->tx[0].stats.missed_tx, 3);
    ck_assert_uint_eq(drv->stats.resets, 0);
    fake_aenq_post(plat, ENA_ADMIN_NOTIFICATION, ENA_ADMIN_UPDATE_HINTS, &h,
                   sizeof(h));
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 1)->detail, 3);
    ck_assert_uint_eq(drv->stats.missing_tx_cmpl, 1);
    /* the stuck packets were dropped with the old rings */
    ck_assert_uint_eq(drv->tx[0].stats.dropped_on_reset, 3);
    ck_assert_uint_eq(drv->tx[0].pkts_in_flight, 0);
}
END_TEST

/* Completions are written but no MSI-X comes: blame the vector at 2 x 5 s. */
START_TEST(test_missing_tx_interrupt)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_MISS_INTERRUPT, ENA_REGS_RESET_MISS_INTERRUPT,
    };

    probe_ok();
    plat->io_no_intr = true;
    ck_assert_int_ge(send_frame(0, 100), 0);
    ena_drv_run(drv, 10 * SEC + SEC / 2);
    ck_assert_uint_eq(drv->stats.resets, 0);
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 1)->ts_ns, 11 * SEC);
    ck_assert_uint_eq(drv->stats.missing_intr, 1);
}
END_TEST

/* RX completions wait while the vector never fired: third check resets. */
START_TEST(test_missing_rx_interrupt)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_MISS_INTERRUPT, ENA_REGS_RESET_MISS_INTERRUPT,
    };

    probe_ok();
    rx_cdesc(0, 0, rx_next_req_id(0, 0), 60, true, true);
    ena_drv_run(drv, 2 * SEC + SEC / 2);
    ck_assert_uint_eq(drv->rx[0].no_intr_checks, 2);
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 1)->ts_ns, 3 * SEC);
}
END_TEST

/*
 * The ring fills and stays full (missing-TX check off by hint): the
 * netdev-style watchdog resets with OS_NETDEV_WD once 5 s have passed.
 */
START_TEST(test_tx_ring_stuck_full)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_OS_NETDEV_WD, ENA_REGS_RESET_OS_NETDEV_WD,
    };

    plat->hints.missing_tx_completion_timeout = ENA_HW_HINTS_NO_TIMEOUT;
    probe_ok();
    plat->tx_autocomplete = false;
    for (int i = 0; i < cfg.tx_depth - 1; i++) {
        ck_assert_int_ge(send_frame(0, 60), 0);
    }
    ena_drv_run(drv, SEC / 2);
    ck_assert_int_eq(send_frame(0, 60), -ENA_ENOSPC);
    ck_assert(drv->tx[0].full);
    ena_drv_run(drv, 5 * SEC);
    ck_assert_uint_eq(drv->stats.resets, 0);
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 1)->ts_ns, 6 * SEC);
    ck_assert_uint_eq(drv->stats.tx_timeout, 1);
    ck_assert(!drv->tx[0].full);
}
END_TEST

/* Shutdown differs from remove only in the event it leaves. */
START_TEST(test_shutdown)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED, ENA_EV_SHUT_DOWN };
    static const uint8_t reasons[] = { NONE, ENA_REGS_RESET_SHUTDOWN };

    probe_ok();
    ena_drv_shutdown(drv);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(plat->last_reset_reason, ENA_REGS_RESET_SHUTDOWN);
}
END_TEST

/* ---- IO path errors ----------------------------------------------------- */

START_TEST(test_rx_delivery)
{
    uint16_t a, b;

    probe_ok();
    a = rx_next_req_id(1, 0);
    b = rx_next_req_id(1, 1);
    rx_cdesc(1, 0, a, 2048, true, false);
    rx_cdesc(1, 1, b, 500, false, true);
    plat->intr[2] = true;       /* pair 1 */
    ena_drv_poll(drv);
    ck_assert_uint_eq(plat->rx_frames, 1);
    ck_assert_uint_eq(plat->rx_last_len, 2548);
    ck_assert_uint_eq(drv->rx[1].posted, cfg.rx_depth - 1);
    ck_assert_uint_eq(drv->rx[1].stats.multi_desc_pkts, 1);
    ck_assert(drv->vector_fired[2]);
}
END_TEST

START_TEST(test_bad_tx_req_id)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_HW_ERROR, ENA_EV_RESET_STARTED,
        ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_INV_TX_REQ_ID, ENA_REGS_RESET_INV_TX_REQ_ID,
        ENA_REGS_RESET_INV_TX_REQ_ID,
    };
    EnaEthCq *cq;
    EnaEthIoTxCdesc *c;

    probe_ok();
    plat->tx_autocomplete = false;
    ck_assert_int_ge(send_frame(0, 100), 0);
    cq = &drv->tx[0].cq;
    c = (EnaEthIoTxCdesc *)cq->mem.virt;
    c->req_id = 999;
    c->flags = 1;
    plat->intr[1] = true;
    ena_drv_poll(drv);
    ck_assert(drv->reset_pending);
    ck_assert_int_eq(send_frame(0, 100), -ENA_EBUSY);
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(drv->tx[0].stats.bad_req_id, 1);
    ck_assert_uint_eq(drv->stats.io_errors, 1);
    ck_assert_uint_eq(plat->reset_history[1], ENA_REGS_RESET_INV_TX_REQ_ID);
}
END_TEST

START_TEST(test_rx_malformed_reset)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_HW_ERROR, ENA_EV_RESET_STARTED,
        ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED,
        ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED,
        ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED,
    };

    probe_ok();
    rx_cdesc(0, 0, rx_next_req_id(0, 0), 2048, true, false);
    rx_cdesc(0, 1, rx_next_req_id(0, 1), 100, true, true);
    plat->intr[1] = true;
    ena_drv_poll(drv);
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    /* reason 16 needs the extension bits, which this device has */
    ck_assert_uint_eq(plat->reset_history[1],
                      ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED);
    ck_assert_uint_eq(drv->rx[0].stats.malformed, 1);
}
END_TEST

START_TEST(test_fatal_error_event)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_HW_ERROR, ENA_EV_RESET_STARTED,
        ENA_EV_RECOVERED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_GENERIC, ENA_REGS_RESET_GENERIC,
        ENA_REGS_RESET_GENERIC,
    };

    probe_ok();
    ck_assert(fake_aenq_post(plat, ENA_ADMIN_FATAL_ERROR, 3, NULL, 0));
    ena_drv_run(drv, SEC);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 1)->detail, 3);
    ck_assert_uint_eq(drv->stats.fatal_errors, 1);
}
END_TEST

/* Newer groups are counted and otherwise ignored. */
START_TEST(test_unhandled_event)
{
    probe_ok();
    plat->aenq_groups |= ENA_BIT(ENA_ADMIN_DEVICE_REQUEST_RESET);
    ck_assert(fake_aenq_post(plat, ENA_ADMIN_DEVICE_REQUEST_RESET, 0, NULL,
                             0));
    ena_drv_run(drv, 2 * SEC);
    ck_assert_uint_eq(drv->stats.unhandled_events, 1);
    ck_assert_uint_eq(drv->com.stats.aenq_unhandled, 1);
    ck_assert_uint_eq(drv->stats.resets, 0);
}
END_TEST

/* ---- reset and recovery ------------------------------------------------- */

START_TEST(test_reset_user)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RESTARTED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_USER_TRIGGER, ENA_REGS_RESET_USER_TRIGGER,
    };

    probe_ok();
    ck_assert_int_eq(ena_drv_reset(drv, ENA_REGS_RESET_USER_TRIGGER), 0);
    EXPECT_EVENTS(ids, reasons);
    ck_assert(drv->up);
    ck_assert(drv->link_up);
    ck_assert_int_ge(send_frame(0, 100), 0);
    ena_drv_poll(drv);
    ck_assert_uint_eq(drv->tx[0].pkts_in_flight, 0);
}
END_TEST

/* RESET_IN_PROGRESS sticks: the restore fails, the driver stays dead. */
START_TEST(test_reset_fails)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_RESET_STARTED, ENA_EV_RESET_FAILED,
    };
    static const uint8_t reasons[] = {
        NONE, ENA_REGS_RESET_USER_TRIGGER, ENA_REGS_RESET_USER_TRIGGER,
    };

    probe_ok();
    plat->reset_never_off = true;
    ck_assert_int_eq(ena_drv_reset(drv, ENA_REGS_RESET_USER_TRIGGER),
                     -ENA_ETIME);
    EXPECT_EVENTS(ids, reasons);
    ck_assert_str_eq(ena_evlog_get(&drv->evlog, 2)->msg,
                     "Can not reset device");
    ck_assert_int_eq(drv->state, ENA_DRV_STATE_DEAD);
    ck_assert_uint_eq(drv->stats.reset_failures, 1);
    ck_assert_uint_eq(plat->dma_in_use, 0);
    ena_drv_run(drv, 5 * SEC);
    ck_assert_uint_eq(drv->stats.service_runs, 0);
    ck_assert_int_eq(send_frame(0, 100), -ENA_ENETDOWN);
    ck_assert_int_eq(ena_drv_reset(drv, 0), -ENA_ENODEV);
}
END_TEST

/* A device that comes back with another MAC is not ours any more. */
START_TEST(test_reset_mac_changed)
{
    probe_ok();
    plat->mac[5] ^= 1;
    ck_assert_int_eq(ena_drv_reset(drv, ENA_REGS_RESET_NORMAL), -ENA_EINVAL);
    ck_assert_str_eq(ena_evlog_get(&drv->evlog, 2)->msg,
                     "Error, mac address are different");
    ck_assert_int_eq(drv->state, ENA_DRV_STATE_DEAD);
    /* the failure path resets with DRIVER_INVALID_STATE */
    ck_assert_uint_eq(plat->last_reset_reason,
                      ENA_REGS_RESET_DRIVER_INVALID_STATE);
}
END_TEST

START_TEST(test_down_up)
{
    static const uint16_t ids[] = {
        ENA_EV_INITIALIZED, ENA_EV_PAUSED, ENA_EV_RESTARTED,
    };
    static const uint8_t reasons[] = { NONE, NONE, NONE };

    probe_ok();
    ck_assert_int_eq(ena_drv_down(drv), 0);
    ck_assert_int_eq(fake_find_sq(plat, ENA_ADMIN_SQ_DIRECTION_TX), -1);
    ck_assert_int_eq(send_frame(0, 100), -ENA_ENETDOWN);
    ck_assert_int_eq(ena_drv_up(drv), 0);
    ck_assert_int_ge(send_frame(0, 100), 0);
    EXPECT_EVENTS(ids, reasons);
}
END_TEST

/* Probe without bringing the interface up; the first up is no restart. */
START_TEST(test_probe_without_up)
{
    static const uint16_t ids[] = { ENA_EV_INITIALIZED };
    static const uint8_t reasons[] = { NONE };

    cfg.bring_up = false;
    probe_ok();
    ck_assert(!drv->up);
    ck_assert_int_eq(fake_find_sq(plat, ENA_ADMIN_SQ_DIRECTION_TX), -1);
    ck_assert_int_eq(ena_drv_up(drv), 0);
    ck_assert_int_ge(send_frame(1, 100), 0);
    EXPECT_EVENTS(ids, reasons);
}
END_TEST

START_TEST(test_surprise_removal)
{
    unsigned writes;

    probe_ok();
    plat->removed = true;
    writes = plat->reg_writes;
    ena_drv_surprise_removed(drv);
    ck_assert_uint_eq(ena_evlog_get(&drv->evlog, 1)->id,
                      ENA_EV_SURPRISE_REMOVED);
    ena_drv_run(drv, 10 * SEC);
    ena_drv_remove(drv);
    /* not one register access after the device went away */
    ck_assert_uint_eq(plat->reg_writes, writes);
}
END_TEST

/* The same inputs give the same log, to the nanosecond. */
START_TEST(test_log_deterministic)
{
    char a[4096], b[4096];

    for (int run = 0; run < 2; run++) {
        EnaPlat *p = fake_new();
        EnaDrv *d = calloc(1, sizeof(*d));

        p->keepalive_ns = 0;
        ck_assert_int_eq(ena_drv_probe(d, p, &cfg), 0);
        ena_drv_run(d, 8 * SEC);
        ena_drv_remove(d);
        ena_evlog_format_all(&d->evlog, run ? b : a, sizeof(a));
        free(d);
        fake_free(p);
    }
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a,
        "0.000000000 5200 initialized reason=- detail=2 adapter initialized\n"
        "7.000000000 5205 reset-started reason=KEEP_ALIVE_TO(1) detail=7000 "
        "keep-alive watchdog expired\n"
        "7.000000000 5210 recovered reason=KEEP_ALIVE_TO(1) detail=7000 "
        "recovered from device issue\n"
        "8.000000000 5201 halted reason=SHUTDOWN(11) detail=0 adapter "
        "halted\n");
}
END_TEST

static Suite *drv_suite(void)
{
    Suite *s = suite_create("drv");
    TCase *probe = tcase_create("probe");
    TCase *wd = tcase_create("watchdogs");
    TCase *io = tcase_create("io");
    TCase *reset = tcase_create("reset");

    tcase_add_checked_fixture(probe, setup, teardown);
    tcase_add_test(probe, test_probe);
    tcase_add_test(probe, test_remove);
    tcase_add_test(probe, test_probe_fails_readless);
    tcase_add_test(probe, test_probe_fails_attributes);
    tcase_add_test(probe, test_probe_fails_oom);
    tcase_add_test(probe, test_probe_fails_reset);
    tcase_add_test(probe, test_probe_bad_config);
    tcase_add_test(probe, test_probe_ring_backoff);
    tcase_add_test(probe, test_probe_ring_backoff_gives_up);
    tcase_add_test(probe, test_hints_at_probe);
    tcase_add_test(probe, test_hints_zero_keeps_defaults);
    tcase_add_test(probe, test_hints_by_aenq);
    suite_add_tcase(s, probe);

    tcase_add_checked_fixture(wd, setup, teardown);
    tcase_add_test(wd, test_keep_alive_ok);
    tcase_add_test(wd, test_keep_alive_timeout);
    tcase_add_test(wd, test_keep_alive_off);
    tcase_add_test(wd, test_keep_alive_unsupported);
    tcase_add_test(wd, test_admin_timeout_reset);
    tcase_add_test(wd, test_admin_missing_intr_reset);
    tcase_add_test(wd, test_admin_missing_intr_reset_4bit);
    tcase_add_test(wd, test_missing_tx_threshold);
    tcase_add_test(wd, test_missing_tx_interrupt);
    tcase_add_test(wd, test_missing_rx_interrupt);
    tcase_add_test(wd, test_tx_ring_stuck_full);
    suite_add_tcase(s, wd);

    tcase_add_checked_fixture(io, setup, teardown);
    tcase_add_test(io, test_tx_completes);
    tcase_add_test(io, test_rx_delivery);
    tcase_add_test(io, test_bad_tx_req_id);
    tcase_add_test(io, test_rx_malformed_reset);
    tcase_add_test(io, test_fatal_error_event);
    tcase_add_test(io, test_unhandled_event);
    suite_add_tcase(s, io);

    tcase_add_checked_fixture(reset, setup, teardown);
    tcase_add_test(reset, test_reset_user);
    tcase_add_test(reset, test_reset_fails);
    tcase_add_test(reset, test_reset_mac_changed);
    tcase_add_test(reset, test_down_up);
    tcase_add_test(reset, test_probe_without_up);
    tcase_add_test(reset, test_surprise_removal);
    tcase_add_test(reset, test_shutdown);
    tcase_add_test(reset, test_log_deterministic);
    suite_add_tcase(s, reset);
    return s;
}

int main(void)
{
    return unit_run(drv_suite());
}
