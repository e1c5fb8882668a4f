/*
 * QTest testcases for the ena debug area and strict mode: what the device
 * reads from the driver's debug area at a reset, and each of strict
 * mode's rules broken on purpose, once, by a sequence a real driver would
 * not use (docs/strict.md, docs/features.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#include "libqos/ena.h"
#include "qobject/qdict.h"

#define MS              (1000 * 1000)

typedef struct Env {
    QOSState *qs;
    QEna d;
} Env;

static Env env;

/* One device with @props; the admin queue up as Linux sets it (polling). */
static QEna *dev_start(const char *props)
{
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(4, 0),
        .vendor_id = PCI_VENDOR_ID_AMAZON,
    };
    QEna *d = &env.d;

    env.qs = qtest_pc_boot("-M q35 -m 256 -nodefaults "
                           "-netdev hubport,id=n0,hubid=0 "
                           "-device ena,netdev=n0,id=ena0,addr=04.0,"
                           "queues=4,keepalive-ms=0%s%s",
                           props ? "," : "", props ? props : "");
    qena_init(d, env.qs->pcibus, &addr, &env.qs->alloc);
    qpci_device_enable(&d->dev);
    qpci_msix_enable(&d->dev);
    qena_readless_init(d);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(d, true);
    return d;
}

static void dev_stop(void)
{
    qtest_shutdown(env.qs);
    memset(&env, 0, sizeof(env));
}

static QTestState *qts_of(QEna *d)
{
    return d->dev.bus->qts;
}

static void aenq_enable(QEna *d, uint32_t groups)
{
    EnaAdminAenqConfigFeature a = { .enabled_groups = cpu_to_le32(groups) };

    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_AENQ_CONFIG, &a, sizeof(a),
                                     0, 0), ==, ENA_ADMIN_SUCCESS);
}

/* ---- debug area ------------------------------------------------------ */

/* HOST_ATTR_CONFIG with a debug area at @ba of @size bytes (and host info) */
static void debug_area_set(QEna *d, uint64_t ba, uint32_t size)
{
    EnaAdminHostAttrFeature h = { .debug_area_size = cpu_to_le32(size) };

    qena_addr48(&h.os_info_ba, qena_alloc_zeroed(d, 4096));
    qena_addr48(&h.debug_ba, ba);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_HOST_ATTR_CONFIG, &h,
                                     sizeof(h), 0, 0), ==, 0);
}

/*
 * A DEV_CTL reset reads the area: printable runs of four or more bytes,
 * a line each, whatever binary lies between them. debug-area-max (from
 * the test's argument) caps the read.
 */
typedef struct DebugCase {
    const char *props;
    const char *want;
} DebugCase;

static void test_ena_debug_area(const void *data)
{
    static const char area[] = "reset_reason KEEP_ALIVE_TO\nwd_expired 1\n"
                               "\x01\x02\x03" "abc" "\xff" "tx_stats\0\0\0";
    const DebugCase *c = data;
    QEna *d = dev_start(c->props);
    QTestState *qts = qts_of(d);
    uint64_t page = qena_alloc_zeroed(d, 4096);
    g_autofree char *text = NULL;

    text = qena_qom_get_str(qts, "ena0", "debug-area");
    g_assert_cmpstr(text, ==, "");
    qtest_memwrite(qts, page, area, sizeof(area));
    debug_area_set(d, page, 4096);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_KEEP_ALIVE_TO, 100 * MS), >=,
                    0);
    g_free(text);
    text = qena_qom_get_str(qts, "ena0", "debug-area");
    g_assert_cmpstr(text, ==, c->want);
    g_assert_cmpuint(qena_qom_get_uint(qts, "ena0", "debug-area-reads"), ==,
                     1);
    /* the reset forgot the area: the next one keeps the text */
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    g_assert_cmpuint(qena_qom_get_uint(qts, "ena0", "debug-area-reads"), ==,
                     1);
    g_free(text);
    text = qena_qom_get_str(qts, "ena0", "debug-area");
    g_assert_cmpstr(text, ==, c->want);
    dev_stop();
}

/* A debug area outside RAM: counted, and the reset goes on. */
static void test_ena_debug_area_dma_error(const void *data)
{
    QEna *d = dev_start(NULL);
    QTestState *qts = qts_of(d);
    g_autofree char *text = NULL;

    debug_area_set(d, 1ULL << 46, 4096);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_ADMIN_TO, 100 * MS), >=, 0);
    g_assert_cmpuint(qena_qom_get_uint(qts, "ena0", "debug-area-errors"), ==,
                     1);
    g_assert_cmpuint(qena_qom_get_uint(qts, "ena0", "debug-area-reads"), ==,
                     0);
    text = qena_qom_get_str(qts, "ena0", "debug-area");
    g_assert_cmpstr(text, ==, "");
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    (ENA_REGS_DEV_STS_READY_MASK |
                     ENA_REGS_DEV_STS_FATAL_ERROR_MASK), ==,
                    ENA_REGS_DEV_STS_READY_MASK);
    dev_stop();
}

/* ---- strict mode ------------------------------------------------------ */

static uint64_t strict_hits(QEna *d, const char *rule)
{
    g_autofree char *prop = g_strdup_printf("strict-%s", rule);

    return qena_qom_get_uint(qts_of(d), "ena0", prop);
}

/* Each rule once, and no other: the rule's counter and the total agree. */
static void assert_strict(QEna *d, const char *rule, uint64_t n)
{
    g_assert_cmpuint(strict_hits(d, rule), ==, n);
    g_assert_cmpuint(qena_qom_get_uint(qts_of(d), "ena0",
                                       "strict-violations"), ==, n);
}

static void host_info_set(QEna *d)
{
    debug_area_set(d, 0, 0);
}

/*
 * The AENQ head doorbell after a reset, before AENQ_BASE and AENQ_CAPS
 * describe a ring again. Before SET_FEATURE(AENQ_CONFIG) is no mistake:
 * DPDK's PMD rings it at probe and configures the groups at start.
 */
static void test_ena_strict_aenq(const void *data)
{
    QEna *d = dev_start(data ? "strict=on" : NULL);

    qena_writel(d, ENA_REGS_AENQ_HEAD_DB_OFF, 16);
    assert_strict(d, "aenq-unconfigured", 0);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_writel(d, ENA_REGS_AENQ_HEAD_DB_OFF, 16);
    /* strict=off (data NULL): the device says nothing */
    assert_strict(d, "aenq-unconfigured", data ? 1 : 0);
    qena_admin_init(d, true);
    qena_writel(d, ENA_REGS_AENQ_HEAD_DB_OFF, 16);
    aenq_enable(d, 1u << ENA_ADMIN_LINK_CHANGE);
    assert_strict(d, "aenq-unconfigured", data ? 1 : 0);
    dev_stop();
}

/* An IO queue before HOST_ATTR_CONFIG gave the host info */
static void test_ena_strict_host_info(const void *data)
{
    QEna *d = dev_start("strict=on");
    uint64_t ring = qena_alloc_zeroed(d, 8192);

    g_assert_cmpint(qena_create_cq(d, 256, 1, 4, ring, NULL), ==, 0);
    assert_strict(d, "queues-before-host-info", 1);
    host_info_set(d);
    g_assert_cmpint(qena_create_cq(d, 256, 2, 4, ring + 4096, NULL), ==, 0);
    assert_strict(d, "queues-before-host-info", 1);
    dev_stop();
}

/* CREATE_CQ with no readless response address registered */
static void test_ena_strict_readless(const void *data)
{
    QEna *d = dev_start("strict=on");
    uint64_t ring = qena_alloc_zeroed(d, 8192);

    host_info_set(d);
    g_assert_cmpint(qena_create_cq(d, 256, 1, 4, ring, NULL), ==, 0);
    assert_strict(d, "cq-before-readless", 0);
    qena_writel(d, ENA_REGS_MMIO_RESP_LO_OFF, 0);
    qena_writel(d, ENA_REGS_MMIO_RESP_HI_OFF, 0);
    g_assert_cmpint(qena_create_cq(d, 256, 2, 4, ring + 4096, NULL), ==, 0);
    assert_strict(d, "cq-before-readless", 1);
    dev_stop();
}

/* A TX SQ on a CQ of 16-byte entries, an RX SQ on one of 8 */
static void test_ena_strict_cdesc_size(const void *data)
{
    QEna *d = dev_start("strict=on");
    uint64_t ring = qena_alloc_zeroed(d, 6 * 4096);
    EnaAdminCreateCqResp cqr;

    host_info_set(d);
    g_assert_cmpint(qena_create_cq(d, 256, 1, 2, ring, &cqr), ==, 0);
    g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_TX,
                                   le16_to_cpu(cqr.cq_idx), 256,
                                   ring + 4096, NULL), ==, 0);
    assert_strict(d, "cdesc-size", 0);
    g_assert_cmpint(qena_create_cq(d, 256, 2, 4, ring + 2 * 4096, &cqr), ==, 0);
    g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_TX,
                                   le16_to_cpu(cqr.cq_idx), 256,
                                   ring + 3 * 4096, NULL), ==, 0);
    assert_strict(d, "cdesc-size", 1);
    g_assert_cmpint(qena_create_cq(d, 256, 3, 2, ring + 4 * 4096, &cqr), ==, 0);
    g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_RX,
                                   le16_to_cpu(cqr.cq_idx), 256,
                                   ring + 5 * 4096, NULL), ==, 0);
    assert_strict(d, "cdesc-size", 2);
    dev_stop();
}

/* An SQ doorbell that moves the tail back, then one past the ring */
static void test_ena_strict_doorbell(const void *data)
{
    QEna *d = dev_start("strict=on");
    uint64_t ring = qena_alloc_zeroed(d, 8192);
    EnaAdminCreateCqResp cqr;
    EnaAdminCreateSqResp sqr;
    uint32_t db;

    host_info_set(d);
    g_assert_cmpint(qena_create_cq(d, 256, 1, 4, ring, &cqr), ==, 0);
    g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_RX,
                                   le16_to_cpu(cqr.cq_idx), 256,
                                   ring + 4096, &sqr), ==, 0);
    db = le32_to_cpu(sqr.sq_doorbell_offset);
    /* no buffers arrive (no peer): the device consumes nothing */
    qena_writel(d, db, 10);
    qena_writel(d, db, 10);
    assert_strict(d, "sq-doorbell", 0);
    qena_writel(d, db, 5);
    assert_strict(d, "sq-doorbell", 1);
    qena_writel(d, db, 300);
    assert_strict(d, "sq-doorbell", 2);
    dev_stop();
}


static const DebugCase debug_full = {
    .want = "reset_reason KEEP_ALIVE_TO\nwd_expired 1\ntx_stats\n",
};
static const DebugCase debug_capped = {
    .props = "debug-area-max=20",
    .want = "reset_reason KEEP_AL\n",
};

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_data_func("/ena-strict/debug-area/read", &debug_full,
                        test_ena_debug_area);
    qtest_add_data_func("/ena-strict/debug-area/max", &debug_capped,
                        test_ena_debug_area);
    qtest_add_data_func("/ena-strict/debug-area/dma-error", NULL,
                        test_ena_debug_area_dma_error);
    qtest_add_data_func("/ena-strict/off", NULL, test_ena_strict_aenq);
    qtest_add_data_func("/ena-strict/aenq-unconfigured", "on",
                        test_ena_strict_aenq);
    qtest_add_data_func("/ena-strict/queues-before-host-info", NULL,
                        test_ena_strict_host_info);
    qtest_add_data_func("/ena-strict/cq-before-readless", NULL,
                        test_ena_strict_readless);
    qtest_add_data_func("/ena-strict/cdesc-size", NULL,
                        test_ena_strict_cdesc_size);
    qtest_add_data_func("/ena-strict/sq-doorbell", NULL,
                        test_ena_strict_doorbell);
    return g_test_run();
}
