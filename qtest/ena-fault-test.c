/*
 * QTest testcases for ena fault injection on the control plane: each
 * fault point's effect on the device side, set with qom-set or -device,
 * in virtual time. The data-path faults are in ena-io-test.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/bitops.h"
#include "qobject/qdict.h"
#include "libqtest-single.h"
#include "libqos/pci.h"
#include "libqos/qgraph.h"
#include "libqos/ena.h"

#define MS          (1000 * 1000)
#define SEC         (1000 * (int64_t)MS)

static QTestState *qts_of(QEna *d)
{
    return d->dev.bus->qts;
}

static void fault_set(QEna *d, const char *point, const char *spec)
{
    g_autofree char *prop = g_strdup_printf("fault-%s", point);

    qtest_qmp_assert_success(qts_of(d), "{'execute': 'qom-set', 'arguments':"
                             " {'path': '/machine/peripheral/ena0', "
                             "'property': %s, 'value': %s}}", prop, spec);
}

static char *fault_get(QEna *d, const char *point)
{
    g_autofree char *prop = g_strdup_printf("fault-%s", point);
    QDict *rsp = qtest_qmp(qts_of(d), "{'execute': 'qom-get', 'arguments':"
                           " {'path': '/machine/peripheral/ena0', "
                           "'property': %s}}", prop);
    char *spec = g_strdup(qdict_get_str(rsp, "return"));

    qobject_unref(rsp);
    return spec;
}

static uint64_t fault_hits(QEna *d, const char *point)
{
    g_autofree char *prop = g_strdup_printf("fault-%s-hits", point);

    return qena_qom_get_uint(qts_of(d), "ena0", prop);
}

static void up(QEna *d, bool polling, uint32_t groups)
{
    EnaAdminAenqConfigFeature a = { .enabled_groups = cpu_to_le32(groups) };

    qena_readless_init(d);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(d, polling);
    if (groups) {
        g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_AENQ_CONFIG, &a,
                                         sizeof(a), 0, 0), ==, 0);
        qena_aenq_ack(d);
    }
}

/* Drain the AENQ; count events of @group, acknowledging them all. */
static int aenq_count(QEna *d, uint16_t group)
{
    EnaAdminAenqEntry e;
    int n = 0;

    while (qena_aenq_take(d, &e)) {
        n += le16_to_cpu(e.aenq_common.group) == group;
    }
    qena_aenq_ack(d);
    return n;
}

static void test_ena_fault_keepalive_stop(void *obj, void *data,
                                          QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);

    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    qtest_clock_step(qts, 2 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 2);
    fault_set(d, "keepalive", "stop");
    qtest_clock_step(qts, 10 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 0);
    g_assert_cmpint(fault_hits(d, "keepalive"), ==, 10);
    fault_set(d, "keepalive", "none");
    qtest_clock_step(qts, 3 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 3);
}

/* after= and for= bound the fault in virtual time. */
static void test_ena_fault_keepalive_window(void *obj, void *data,
                                            QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    g_autofree char *spec = NULL;

    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    fault_set(d, "keepalive", "stop:after=2500ms:for=4s");
    qtest_clock_step(qts, 2 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 2);
    qtest_clock_step(qts, 4 * SEC);     /* 3, 4, 5, 6 s: stopped */
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 0);
    qtest_clock_step(qts, 2 * SEC);     /* 7, 8 s */
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 2);
    /* the rule expired by itself */
    spec = fault_get(d, "keepalive");
    g_assert_cmpstr(spec, ==, "");
}

/* One keep-alive late by 4.5 s (inside Linux's 6 s), then the cadence. */
static void test_ena_fault_keepalive_delay(void *obj, void *data,
                                           QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);

    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    fault_set(d, "keepalive", "delay:delay=4500ms:once");
    qtest_clock_step(qts, 5500 * (int64_t)MS - 1);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 0);
    qtest_clock_step(qts, 1);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 1);
    qtest_clock_step(qts, SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 1);
}

/* The event is in the AENQ, but vector 0 never fires. */
static void test_ena_fault_keepalive_no_irq(void *obj, void *data,
                                            QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);

    up(d, false, BIT(ENA_ADMIN_KEEP_ALIVE));
    qena_msix_route(d, 0);
    fault_set(d, "keepalive", "no-irq");
    qena_msix_take(d, 0);
    qtest_clock_step(qts, SEC);
    g_assert_false(qena_msix_take(d, 0));
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 1);
}

static void test_ena_fault_readless(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    QEna *d = obj;
    uint32_t val;

    qena_readless_init(d);
    fault_set(d, "readless", "drop:reg=0x58");
    g_assert_false(qena_readless_read(d, ENA_REGS_DEV_STS_OFF, &val, 10 * MS));
    g_assert_true(qena_readless_read(d, ENA_REGS_CAPS_OFF, &val, 10 * MS));
    fault_set(d, "readless", "bad-req-id");
    g_assert_false(qena_readless_read(d, ENA_REGS_CAPS_OFF, &val, 10 * MS));
    fault_set(d, "readless", "bad-offset:count=1");
    g_assert_false(qena_readless_read(d, ENA_REGS_CAPS_OFF, &val, 10 * MS));
    g_assert_true(qena_readless_read(d, ENA_REGS_CAPS_OFF, &val, 10 * MS));
    g_assert_cmpint(fault_hits(d, "readless"), ==, 3);
}

/* Registers read as all-ones, directly and readless (a device gone). */
static void test_ena_fault_reg_all_ones(void *obj, void *data,
                                        QGuestAllocator *alloc)
{
    QEna *d = obj;
    uint32_t val;

    qena_readless_init(d);
    fault_set(d, "reg", "all-ones:reg=0x58:count=2");
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF), ==, 0xffffffff);
    g_assert_true(qena_readless_read(d, ENA_REGS_DEV_STS_OFF, &val, MS));
    g_assert_cmphex(val, ==, 0xffffffff);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF), ==,
                    ENA_REGS_DEV_STS_READY_MASK);
    g_assert_cmphex(qena_readl(d, ENA_REGS_CAPS_OFF), !=, 0xffffffff);
}

static uint8_t create_cq(QEna *d, EnaAdminAcqEntry *r)
{
    EnaAdminAqEntry c = { 0 };
    EnaAdminCreateCqCmd *cq = (EnaAdminCreateCqCmd *)&c;
    uint64_t ring = guest_alloc(d->alloc, 256 * 8);

    cq->aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cq->cq_caps_1 = ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK;
    cq->cq_caps_2 = 2;
    cq->cq_depth = cpu_to_le16(256);
    cq->msix_vector = cpu_to_le32(1);
    cq->cq_ba.lo = cpu_to_le32(ring);
    return qena_admin_exec(d, &c, r);
}

static void test_ena_fault_admin(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminAqEntry c = { .aq_common.opcode = ENA_ADMIN_GET_FEATURE };
    EnaAdminAcqEntry r;

    up(d, false, 0);
    qena_msix_route(d, 0);
    ((EnaAdminGetSetFeatureCmd *)&c)->feature_id = ENA_ADMIN_HW_HINTS;

    /* status: the command fails without side effects, then succeeds */
    fault_set(d, "admin", "status:opcode=3:status=1:count=1");
    g_assert_cmpint(create_cq(d, &r), ==,
                    ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE);
    g_assert_cmpint(create_cq(d, &r), ==, 0);
    g_assert_cmpint(le16_to_cpu(((EnaAdminCreateCqResp *)&r)->cq_idx), ==, 0);

    /* no-irq: the completion is written, vector 0 stays quiet */
    fault_set(d, "admin", "no-irq:once");
    qena_msix_take(d, 0);
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, 0);
    g_assert_false(qena_msix_take(d, 0));

    /* delay: nothing for 2 s, then the completion and its interrupt */
    fault_set(d, "admin", "delay:delay=2s:feature=3");
    qena_admin_submit(d, &c);
    qtest_clock_step(qts, 2 * SEC - 1);
    g_assert_false(qena_admin_poll(d, &r, 0));
    qtest_clock_step(qts, 1);
    g_assert_true(qena_admin_poll(d, &r, 0));
    g_assert_true(qena_msix_take(d, 0));

    /* drop: never completes (other features still do) */
    fault_set(d, "admin", "drop:opcode=8:feature=3");
    qena_admin_submit(d, &c);
    qtest_clock_step(qts, 10 * SEC);
    g_assert_false(qena_admin_poll(d, &r, 0));
    fault_set(d, "admin", "");
    g_assert_cmpint(fault_hits(d, "admin"), ==, 4);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
}

static void test_ena_fault_reset(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEna *d = obj;

    qena_readless_init(d);
    /* RESET_IN_PROGRESS never rises: the driver times out */
    fault_set(d, "reset", "never-assert:once");
    g_assert_cmpint(qena_reset(d, 0, 100 * MS), ==, -1);
    /* a retry (the rule is spent) works */
    g_assert_cmpint(qena_reset(d, 0, 100 * MS), >=, 0);
    /* only resets with reason 0 hang at the end */
    fault_set(d, "reset", "never-deassert:reason=0");
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_KEEP_ALIVE_TO, 100 * MS),
                    >=, 0);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), ==, -1);
    fault_set(d, "reset", "not-ready");
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_READY_MASK, ==, 0);
    fault_set(d, "reset", "none");
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_READY_MASK, !=, 0);
}

/* FATAL_ERROR: the bit, the event, and a device that stops answering. */
static void test_ena_fault_fatal(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminAenqEntry e;
    EnaAdminAqEntry c = { .aq_common.opcode = ENA_ADMIN_GET_FEATURE };
    EnaAdminAcqEntry r;

    up(d, true, 0x1f);
    aenq_count(d, ENA_ADMIN_LINK_CHANGE);
    fault_set(d, "fatal", "raise:after=1s");
    qtest_clock_step(qts, SEC - 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, ==, 0);
    qtest_clock_step(qts, 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, !=, 0);
    while (qena_aenq_take(d, &e) &&
           le16_to_cpu(e.aenq_common.group) == ENA_ADMIN_KEEP_ALIVE) {
        /* keep-alives posted before the error */
    }
    g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                    ENA_ADMIN_FATAL_ERROR);
    qena_aenq_ack(d);
    /* no more keep-alives, no admin completions, until a reset */
    qtest_clock_step(qts, 3 * SEC);
    g_assert_false(qena_aenq_take(d, &e));
    ((EnaAdminGetSetFeatureCmd *)&c)->feature_id = ENA_ADMIN_HW_HINTS;
    qena_admin_submit(d, &c);
    qtest_clock_step(qts, SEC);
    g_assert_false(qena_admin_poll(d, &r, 0));
    up(d, true, 0);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, ==, 0);
}

static void test_ena_fault_request_reset(void *obj, void *data,
                                         QGuestAllocator *alloc)
{
    QEna *d = obj;

    up(d, true, 0xdf);
    aenq_count(d, ENA_ADMIN_LINK_CHANGE);
    fault_set(d, "fatal", "request-reset");
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_DEVICE_REQUEST_RESET), ==, 1);
}

static void test_ena_fault_link(void *obj, void *data,
                                QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminAenqEntry e;

    up(d, true, BIT(ENA_ADMIN_LINK_CHANGE));
    g_assert_true(qena_aenq_take(d, &e));
    qena_aenq_ack(d);
    fault_set(d, "link", "down:after=1s:for=2s");
    qtest_clock_step(qts, SEC);
    g_assert_true(qena_aenq_take(d, &e));
    g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                    ENA_ADMIN_LINK_CHANGE);
    g_assert_cmphex(le32_to_cpu(e.inline_data_w4[0]) & 1, ==, 0);
    qena_aenq_ack(d);
    qtest_clock_step(qts, 2 * SEC - 1);
    g_assert_false(qena_aenq_take(d, &e));
    qtest_clock_step(qts, 1);
    g_assert_true(qena_aenq_take(d, &e));
    g_assert_cmphex(le32_to_cpu(e.inline_data_w4[0]) & 1, ==, 1);
}

static void test_ena_fault_hints(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminAenqEntry e;
    EnaAdminHwHints h;

    up(d, true, BIT(ENA_ADMIN_NOTIFICATION));
    fault_set(d, "hints", "notify:keepalive-timeout-ms=1500:"
              "missing-tx-threshold=1:missing-tx-timeout-ms=800");
    g_assert_true(qena_aenq_take(d, &e));
    g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                    ENA_ADMIN_NOTIFICATION);
    g_assert_cmpint(le16_to_cpu(e.aenq_common.syndrome), ==,
                    ENA_ADMIN_UPDATE_HINTS);
    memcpy(&h, e.inline_data_w4, sizeof(h));
    g_assert_cmpint(le16_to_cpu(h.driver_watchdog_timeout), ==, 1500);
    g_assert_cmpint(le16_to_cpu(h.missed_tx_completion_count_threshold_to_reset),
                    ==, 1);
    g_assert_cmpint(le16_to_cpu(h.missing_tx_completion_timeout), ==, 800);
    g_assert_cmpint(le16_to_cpu(h.mmio_read_timeout), ==, 0);
}

/* Rules survive a device reset unless reset=clear; counted ones expire. */
static void test_ena_fault_lifetime(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);

    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    fault_set(d, "keepalive", "stop");
    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    qtest_clock_step(qts, 2 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 0);
    fault_set(d, "keepalive", "stop:reset=clear");
    /* a reset before the rule acted keeps it: it must act first */
    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    qtest_clock_step(qts, SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 0);
    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    qtest_clock_step(qts, 2 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 2);
    fault_set(d, "keepalive", "stop:at=2:count=2");
    qtest_clock_step(qts, 5 * SEC);     /* 1 posted, 2-3 stopped, 4-5 */
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 3);
}

/* Given on the command line, the rule counts from start-up. */
static void test_ena_fault_cmdline(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    QEna *d = obj;

    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    qtest_clock_step(qts_of(d), 3 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 0);
    g_assert_cmpint(fault_hits(d, "keepalive"), ==, 3);
}

/*
 * Regression: a reset=clear rule from -device was dropped by the driver's
 * probe-time reset before it ever acted.
 */
static void test_ena_fault_cmdline_reset_clear(void *obj, void *data,
                                               QGuestAllocator *alloc)
{
    QEna *d = obj;

    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    qtest_clock_step(qts_of(d), 3 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 0);
    /* the reset after it acted clears it */
    up(d, true, BIT(ENA_ADMIN_KEEP_ALIVE));
    qtest_clock_step(qts_of(d), 3 * SEC);
    g_assert_cmpint(aenq_count(d, ENA_ADMIN_KEEP_ALIVE), ==, 3);
}

/*
 * Regression: a hints notification from -device fired before the driver
 * had an AENQ and was lost; it now waits for the NOTIFICATION group.
 */
static void test_ena_fault_cmdline_hints(void *obj, void *data,
                                         QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminAenqEntry e;

    up(d, true, BIT(ENA_ADMIN_NOTIFICATION));
    g_assert_true(qena_aenq_take(d, &e));
    g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                    ENA_ADMIN_NOTIFICATION);
    g_assert_cmpint(le16_to_cpu(e.aenq_common.syndrome), ==,
                    ENA_ADMIN_UPDATE_HINTS);
}

static void test_ena_fault_bad_spec(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    static const struct {
        const char *point, *spec, *error;
    } bad[] = {
        { "keepalive", "explode", "unknown action 'explode'" },
        { "keepalive", "stop:after=soon", "after=soon is not a time" },
        { "keepalive", "stop:queue=1", "'queue' is not a parameter" },
        { "tx", "stall:queue=x", "queue=x is not a number" },
        { "admin", "delay", "delay needs delay=TIME" },
        { "link", "down:reset=maybe", "expected keep or clear" },
        { "hints", "notify:keepalive-timeout-ms=70000", "not a number" },
        { "phc", "error:flags=0", "error needs flags=N" },
        { "phc", "drop:flags=1", "flags= goes with the error action" },
        { "phc", "stall", "unknown action 'stall'" },
    };
    QEna *d = obj;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *prop = g_strdup_printf("fault-%s", bad[i].point);
        QDict *rsp = qtest_qmp(qts_of(d), "{'execute': 'qom-set', "
                               "'arguments': {'path': "
                               "'/machine/peripheral/ena0', 'property': %s,"
                               " 'value': %s}}", prop, bad[i].spec);
        QDict *err = qdict_get_qdict(rsp, "error");

        g_assert_nonnull(err);
        g_assert_nonnull(strstr(qdict_get_str(err, "desc"), bad[i].error));
        qobject_unref(rsp);
    }
    qtest_qmp_assert_success(qts_of(d), "{'execute': 'query-status'}");
}

/* ---- PHC: PHC_CONFIG, the doorbell and its response ----------------- */

#define PHC_REQ_ID_OFFSET   0xdead  /* what drivers prefill, to tell new */

typedef struct Phc {
    uint64_t resp;
    uint16_t req_id;
} Phc;

static int64_t clock_now(QEna *d)
{
    /* qtest refuses a zero step; one ns is part of no expectation here */
    return qtest_clock_step(qts_of(d), 1);
}

/* GET and SET PHC_CONFIG as drivers do; the response area zeroed. */
static void phc_up(QEna *d, Phc *p)
{
    EnaAdminPhcFeature f;

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_PHC_CONFIG, 0, 0, 0, &f,
                                     sizeof(f)), ==, ENA_ADMIN_SUCCESS);
    g_assert_cmpuint(le32_to_cpu(f.doorbell_offset), ==,
                     ENA_REGS_PHC_DB_OFF);
    p->resp = guest_alloc(d->alloc, sizeof(EnaAdminPhcResp));
    qtest_memset(qts_of(d), p->resp, 0, sizeof(EnaAdminPhcResp));
    memset(&f, 0, sizeof(f));
    qena_addr48(&f.output_address, p->resp);
    f.output_length = cpu_to_le32(sizeof(EnaAdminPhcResp));
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_PHC_CONFIG, &f, sizeof(f),
                                     0, 0), ==, ENA_ADMIN_SUCCESS);
    p->req_id = 0;
}

/* One request: prefill another req_id, ring; returns the clock then. */
static int64_t phc_ring(QEna *d, Phc *p)
{
    uint16_t stale = cpu_to_le16(++p->req_id + PHC_REQ_ID_OFFSET);
    int64_t t = clock_now(d);

    qtest_memwrite(qts_of(d), p->resp, &stale, sizeof(stale));
    qena_writel(d, ENA_REGS_PHC_DB_OFF, p->req_id);
    return t;
}

static void phc_read(QEna *d, Phc *p, EnaAdminPhcResp *r)
{
    qtest_memread(qts_of(d), p->resp, r, sizeof(*r));
}

/* Was the response for the last request written? */
static bool phc_answered(QEna *d, Phc *p)
{
    EnaAdminPhcResp r;

    phc_read(d, p, &r);
    return le16_to_cpu(r.req_id) == p->req_id;
}

/* PHC_CONFIG and the doorbell without faults (phc=off: ena-admin-test) */
static void phc_config_and_read(QEna *d)
{
    EnaAdminDeviceAttrFeature a;
    EnaAdminPhcFeature f;
    EnaAdminPhcResp r;
    Phc p;
    int64_t t;

    up(d, true, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, 0, 0,
                                     &a, sizeof(a)), ==, ENA_ADMIN_SUCCESS);
    g_assert_cmphex(le32_to_cpu(a.supported_features) &
                    BIT(ENA_ADMIN_PHC_CONFIG), ==, BIT(ENA_ADMIN_PHC_CONFIG));
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_PHC_CONFIG, 0, 0, 0, &f,
                                     sizeof(f)), ==, ENA_ADMIN_SUCCESS);
    g_assert_cmpuint(f.version, ==, ENA_ADMIN_PHC_FEATURE_VERSION_0);
    g_assert_cmpuint(le32_to_cpu(f.expire_timeout_usec), ==, 700);
    g_assert_cmpuint(le32_to_cpu(f.block_timeout_usec), ==, 5000);

    /* a doorbell before SET PHC_CONFIG has nowhere to go */
    qena_writel(d, ENA_REGS_PHC_DB_OFF, 1);
    g_assert_cmpuint(qena_qom_get_uint(qts_of(d), "ena0", "phc-requests"),
                     ==, 0);

    /* a response area too short, or at address 0, is refused */
    memset(&f, 0, sizeof(f));
    qena_addr48(&f.output_address, guest_alloc(d->alloc, 64));
    f.output_length = cpu_to_le32(16);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_PHC_CONFIG, &f, sizeof(f),
                                     0, 0), ==, ENA_ADMIN_ILLEGAL_PARAMETER);
    memset(&f, 0, sizeof(f));
    f.output_length = cpu_to_le32(64);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_PHC_CONFIG, &f, sizeof(f),
                                     0, 0), ==, ENA_ADMIN_ILLEGAL_PARAMETER);

    phc_up(d, &p);
    t = phc_ring(d, &p);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, p.req_id);
    /* the virtual clock when the doorbell was written, in ns */
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t);
    g_assert_cmpuint(le32_to_cpu(r.error_bound), ==, 1234);
    g_assert_cmpuint(le32_to_cpu(r.error_flags), ==, 0);

    /* the clock advances with virtual time, to the ns */
    qtest_clock_step(qts_of(d), 3 * MS + 7);
    t = phc_ring(d, &p);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, p.req_id);
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t);
    g_assert_cmpuint(qena_qom_get_uint(qts_of(d), "ena0", "phc-requests"),
                     ==, 2);
    g_assert_cmpuint(qena_qom_get_uint(qts_of(d), "ena0", "phc-responses"),
                     ==, 2);

    /* a device reset forgets the address until the driver sets it again */
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    phc_ring(d, &p);
    g_assert_false(phc_answered(d, &p));
    qena_admin_init(d, true);
    phc_up(d, &p);
    phc_ring(d, &p);
    g_assert_true(phc_answered(d, &p));
}

/*
 * One qos test for both (the qos graph walk has room for few more): the
 * feature, then each PHC fault point's effect on the response, as a
 * driver sees it.
 */
static void test_ena_fault_phc(void *obj, void *data, QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminPhcResp r;
    Phc p;
    int64_t t;

    phc_config_and_read(d);
    phc_up(d, &p);

    /* drop: the response never comes; the next one does */
    fault_set(d, "phc", "drop:once");
    phc_ring(d, &p);
    qtest_clock_step(qts_of(d), 10 * MS);
    g_assert_false(phc_answered(d, &p));
    g_assert_cmpuint(fault_hits(d, "phc"), ==, 1);
    phc_ring(d, &p);
    g_assert_true(phc_answered(d, &p));

    /* error: answered, with the flags asked for */
    fault_set(d, "phc", "error:flags=3:once");
    t = phc_ring(d, &p);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, p.req_id);
    g_assert_cmpuint(le32_to_cpu(r.error_flags), ==, 3);
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t);
    fault_set(d, "phc", "error");
    phc_ring(d, &p);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le32_to_cpu(r.error_flags), ==,
                     ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP);
    fault_set(d, "phc", "none");
    phc_ring(d, &p);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le32_to_cpu(r.error_flags), ==, 0);

    /* delay: the response lands that much later, stamped at the doorbell */
    fault_set(d, "phc", "delay:delay=2ms:once");
    t = phc_ring(d, &p);
    qtest_clock_step(qts_of(d), 2 * MS - 1);
    g_assert_false(phc_answered(d, &p));
    qtest_clock_step(qts_of(d), 1);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, p.req_id);
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t);

    /* a request while one is held replaces it: only the newest is written */
    fault_set(d, "phc", "delay:delay=1ms:once");
    phc_ring(d, &p);
    t = phc_ring(d, &p);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, p.req_id);
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t);
    qtest_clock_step(qts_of(d), 2 * MS);
    phc_read(d, &p, &r);
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, p.req_id);
    g_assert_cmpuint(fault_hits(d, "phc"), ==, 5);
}

static void register_ena_fault_test(void)
{
    QOSGraphTestOptions opts = {
        .before = qena_test_before,
        .edge.extra_device_opts = "id=ena0,queues=2",
    };

    qos_add_test("fault/keepalive-stop", "ena",
                 test_ena_fault_keepalive_stop, &opts);
    qos_add_test("fault/keepalive-window", "ena",
                 test_ena_fault_keepalive_window, &opts);
    qos_add_test("fault/keepalive-delay", "ena",
                 test_ena_fault_keepalive_delay, &opts);
    qos_add_test("fault/keepalive-no-irq", "ena",
                 test_ena_fault_keepalive_no_irq, &opts);
    qos_add_test("fault/readless", "ena", test_ena_fault_readless, &opts);
    qos_add_test("fault/reg-all-ones", "ena", test_ena_fault_reg_all_ones,
                 &opts);
    qos_add_test("fault/admin", "ena", test_ena_fault_admin, &opts);
    qos_add_test("fault/reset", "ena", test_ena_fault_reset, &opts);
    qos_add_test("fault/fatal", "ena", test_ena_fault_fatal, &opts);
    qos_add_test("fault/request-reset", "ena", test_ena_fault_request_reset,
                 &opts);
    qos_add_test("fault/link", "ena", test_ena_fault_link, &opts);
    qos_add_test("fault/hints", "ena", test_ena_fault_hints, &opts);
    qos_add_test("fault/lifetime", "ena", test_ena_fault_lifetime, &opts);
    qos_add_test("fault/bad-spec", "ena", test_ena_fault_bad_spec, &opts);
    opts.edge.extra_device_opts = "id=ena0,fault-keepalive=stop";
    qos_add_test("fault/cmdline", "ena", test_ena_fault_cmdline, &opts);
    opts.edge.extra_device_opts = "id=ena0,fault-keepalive=stop:reset=clear";
    qos_add_test("fault/cmdline-reset-clear", "ena",
                 test_ena_fault_cmdline_reset_clear, &opts);
    opts.edge.extra_device_opts = "id=ena0,"
                                  "fault-hints=notify:keepalive-timeout-ms=1500";
    qos_add_test("fault/cmdline-hints", "ena", test_ena_fault_cmdline_hints,
                 &opts);
    opts.edge.extra_device_opts = "id=ena0,phc=on,phc-expire-us=700,"
                                  "phc-block-us=5000,phc-error-bound-ns=1234";
    qos_add_test("fault/phc", "ena", test_ena_fault_phc, &opts);
}

libqos_init(register_ena_fault_test);
