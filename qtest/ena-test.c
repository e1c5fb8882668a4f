/*
 * QTest testcases for the AWS Elastic Network Adapter (ena): PCI identity,
 * registers (direct and readless), the reset handshake and bad accesses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "libqtest-single.h"
#include "libqos/pci.h"
#include "libqos/qgraph.h"
#include "libqos/ena.h"

#define READ_TIMEOUT_NS     (200 * 1000 * 1000)  /* the drivers' 200 ms */
#define RESET_LATENCY_NS    (1000 * 1000)        /* reset-latency-us=1000 */

static QTestState *qena_qts(QEna *d)
{
    return d->dev.bus->qts;
}

static void test_ena_pci_identity(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QEna *d = obj;

    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_VENDOR_ID), ==,
                    PCI_VENDOR_ID_AMAZON);
    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_DEVICE_ID), ==,
                    ENA_PCI_DEVICE_ID_VF);
    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_CLASS_DEVICE), ==,
                    0x0200);
    /* readless reads are the default: revision bit 0 clear */
    g_assert_cmphex(qpci_config_readb(&d->dev, PCI_REVISION_ID) &
                    ENA_PCI_REV_MMIO_READ_DISABLE, ==, 0);
    /* MSI-X capability with 1 + queues (8) vectors */
    g_assert_cmpint(qpci_msix_table_size(&d->dev), ==, 9);
}

static void test_ena_pci_direct_reads(void *obj, void *data,
                                      QGuestAllocator *alloc)
{
    QEna *d = obj;

    g_assert_cmphex(qpci_config_readb(&d->dev, PCI_REVISION_ID) &
                    ENA_PCI_REV_MMIO_READ_DISABLE, ==,
                    ENA_PCI_REV_MMIO_READ_DISABLE);
    g_assert_cmphex(qpci_config_readw(&d->dev, PCI_DEVICE_ID), ==,
                    ENA_PCI_DEVICE_ID_PF);
}

static uint32_t expected_caps(void)
{
    /* reset-timeout-ms=3000, dma-width=48, admin-timeout-ms=0 */
    return (30 << ENA_REGS_CAPS_RESET_TIMEOUT_SHIFT) |
           (48 << ENA_REGS_CAPS_DMA_ADDR_WIDTH_SHIFT);
}

static void test_ena_regs_direct(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEna *d = obj;
    uint32_t ctrl = qena_readl(d, ENA_REGS_CONTROLLER_VERSION_OFF);

    g_assert_cmphex(qena_readl(d, ENA_REGS_VERSION_OFF) &
                    ENA_REGS_VERSION_MAJOR_MASK, ==, 0);
    g_assert_cmphex(qena_readl(d, ENA_REGS_VERSION_OFF) &
                    ENA_REGS_VERSION_MINOR_MASK, !=, 0);
    /* drivers need controller version >= 0.0.1 */
    g_assert_cmphex(ctrl & 0xffffff, >=, 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_CAPS_OFF), ==, expected_caps());
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF), ==,
                    ENA_REGS_DEV_STS_READY_MASK);
}

/* Every readable register gives the same value both ways. */
static void test_ena_regs_readless(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    static const uint32_t regs[] = {
        ENA_REGS_VERSION_OFF, ENA_REGS_CONTROLLER_VERSION_OFF,
        ENA_REGS_CAPS_OFF, ENA_REGS_CAPS_EXT_OFF, ENA_REGS_AQ_CAPS_OFF,
        ENA_REGS_ACQ_CAPS_OFF, ENA_REGS_AENQ_CAPS_OFF,
        ENA_REGS_INTR_MASK_OFF, ENA_REGS_DEV_CTL_OFF, ENA_REGS_DEV_STS_OFF,
        ENA_REGS_MMIO_RESP_LO_OFF, ENA_REGS_MMIO_RESP_HI_OFF,
    };
    QEna *d = obj;
    uint32_t val;

    qena_writel(d, ENA_REGS_AQ_CAPS_OFF, 0x00400020);
    qena_writel(d, ENA_REGS_INTR_MASK_OFF, 1);
    qena_readless_init(d);
    for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
        g_assert_true(qena_readless_read(d, regs[i], &val, READ_TIMEOUT_NS));
        g_assert_cmphex(val, ==, qena_readl(d, regs[i]));
    }
    g_assert_true(qena_readless_read(d, ENA_REGS_CAPS_OFF, &val,
                                     READ_TIMEOUT_NS));
    g_assert_cmphex(val, ==, expected_caps());
    g_assert_true(qena_readless_read(d, ENA_REGS_AQ_CAPS_OFF, &val,
                                     READ_TIMEOUT_NS));
    g_assert_cmphex(val, ==, 0x00400020);
}

/* The response needs no virtual time, and its req_id echoes the request. */
static void test_ena_readless_echo(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qena_qts(d);
    EnaMmioReadResp r;

    qena_readless_init(d);
    qena_writel(d, ENA_REGS_MMIO_REG_READ_OFF,
                (ENA_REGS_DEV_STS_OFF << 16) | 0x1234);
    qtest_memread(qts, d->resp, &r, sizeof(r));
    g_assert_cmphex(le16_to_cpu(r.req_id), ==, 0x1234);
    g_assert_cmphex(le16_to_cpu(r.reg_off), ==, ENA_REGS_DEV_STS_OFF);
    g_assert_cmphex(le32_to_cpu(r.reg_val), ==, ENA_REGS_DEV_STS_READY_MASK);
}

/* A device reset forgets the response address (drivers re-write it). */
static void test_ena_readless_reset_forgets(void *obj, void *data,
                                            QGuestAllocator *alloc)
{
    QEna *d = obj;
    uint32_t val;

    qena_readless_init(d);
    qena_writel(d, ENA_REGS_DEV_CTL_OFF, ENA_REGS_DEV_CTL_DEV_RESET_MASK);
    g_assert_cmphex(qena_readl(d, ENA_REGS_MMIO_RESP_LO_OFF), ==, 0);
    g_assert_false(qena_readless_read(d, ENA_REGS_DEV_STS_OFF, &val,
                                      READ_TIMEOUT_NS / 100));
    /* once re-armed, reads work during the reset too */
    qena_readless_init(d);
    qtest_clock_step(qena_qts(d), RESET_LATENCY_NS);
    g_assert_true(qena_readless_read(d, ENA_REGS_DEV_STS_OFF, &val,
                                     READ_TIMEOUT_NS));
    g_assert_cmphex(val & ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK, ==,
                    ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK);
}

/* Each phase of the handshake takes reset-latency-us of virtual time. */
static void test_ena_reset_timing(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qena_qts(d);

    qena_writel(d, ENA_REGS_DEV_CTL_OFF, ENA_REGS_DEV_CTL_DEV_RESET_MASK |
                (ENA_REGS_RESET_KEEP_ALIVE_TO <<
                 ENA_REGS_DEV_CTL_RESET_REASON_SHIFT));
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK, ==, 0);
    qtest_clock_step(qts, RESET_LATENCY_NS - 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK, ==, 0);
    qtest_clock_step(qts, 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK, !=, 0);

    qena_writel(d, ENA_REGS_DEV_CTL_OFF, 0);
    qtest_clock_step(qts, RESET_LATENCY_NS - 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK, !=, 0);
    qtest_clock_step(qts, 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    (ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK |
                     ENA_REGS_DEV_STS_READY_MASK), ==,
                    ENA_REGS_DEV_STS_READY_MASK);

    /* the reason is recorded on the device side */
    g_assert_cmpint(qena_qom_get_uint(qts, "ena0",
                                       "last-reset-reason"), ==,
                    ENA_REGS_RESET_KEEP_ALIVE_TO);
    g_assert_cmpint(qena_qom_get_uint(qts, "ena0",
                                       "reset-count"), ==, 1);
}

/* Extended reset reasons use DEV_CTL 27:24 for bits 7:4. */
static void test_ena_reset_reason_ext(void *obj, void *data,
                                      QGuestAllocator *alloc)
{
    QEna *d = obj;

    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT,
                               100 * RESET_LATENCY_NS), >=,
                    2 * RESET_LATENCY_NS);
    g_assert_cmpint(qena_qom_get_uint(qena_qts(d), "ena0",
                                       "last-reset-reason"), ==,
                    ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT);
}

/* A longer modelled latency is honoured as configured. */
static void test_ena_reset_latency_prop(void *obj, void *data,
                                        QGuestAllocator *alloc)
{
    QEna *d = obj;
    int64_t t = qena_reset(d, ENA_REGS_RESET_NORMAL, 1000 * 1000 * 1000);

    /* polled with a 5 ms backoff cap: within 5 ms per phase */
    g_assert_cmpint(t, >=, 2 * 250 * 1000 * 1000);
    g_assert_cmpint(t, <=, 2 * 255 * 1000 * 1000);
}

/*
 * Bad accesses: unknown offsets, wrong widths, writes to read-only
 * registers. Each is logged as a guest error and has no effect.
 */
static void test_ena_bad_access(void *obj, void *data,
                                QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qena_qts(d);
    uint32_t caps = qena_readl(d, ENA_REGS_CAPS_OFF);

    g_assert_cmphex(qena_readl(d, 0x1c), ==, 0);
    g_assert_cmphex(qena_readl(d, 0x48), ==, 0);
    g_assert_cmphex(qena_readl(d, 0x800), ==, 0);
    g_assert_cmphex(qena_readl(d, 0x1000), ==, 0);   /* write-only doorbell */
    qena_writel(d, 0x50, 0xdeadbeef);
    qena_writel(d, 0x1000, 1);                       /* no such SQ */
    qena_writel(d, 0x2000, 1);                       /* no such CQ */
    qena_writel(d, 0x3ffc, 1);

    /* wrong widths read as 0 and write nothing */
    g_assert_cmphex(qpci_io_readb(&d->dev, d->bar, ENA_REGS_CAPS_OFF), ==, 0);
    g_assert_cmphex(qpci_io_readw(&d->dev, d->bar, ENA_REGS_CAPS_OFF), ==, 0);
    g_assert_cmphex(qpci_io_readq(&d->dev, d->bar, ENA_REGS_VERSION_OFF), ==,
                    0);
    qpci_io_writeb(&d->dev, d->bar, ENA_REGS_DEV_CTL_OFF, 1);
    qpci_io_writew(&d->dev, d->bar, ENA_REGS_DEV_CTL_OFF, 1);
    /*
     * 64-bit at an 8-aligned offset spanning DEV_CTL; at 0x54 itself the
     * memory core would split it into two legal 32-bit writes.
     */
    qpci_io_writeq(&d->dev, d->bar, ENA_REGS_DEV_CTL_OFF - 4,
                   1ull << 32);
    qpci_io_writel(&d->dev, d->bar, ENA_REGS_DEV_CTL_OFF + 2, 1);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_CTL_OFF), ==, 0);

    /* read-only registers keep their value */
    qena_writel(d, ENA_REGS_CAPS_OFF, 0);
    qena_writel(d, ENA_REGS_VERSION_OFF, 0xffffffff);
    qena_writel(d, ENA_REGS_DEV_STS_OFF, 0);
    g_assert_cmphex(qena_readl(d, ENA_REGS_CAPS_OFF), ==, caps);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF), ==,
                    ENA_REGS_DEV_STS_READY_MASK);

    /* readless reads of unknown offsets still answer, and say 0 */
    {
        uint32_t val = 1;
        qena_readless_init(d);
        g_assert_true(qena_readless_read(d, 0x1c, &val, READ_TIMEOUT_NS));
        g_assert_cmphex(val, ==, 0);
    }
    /* MMIO_REG_READ with no response address is ignored */
    qena_writel(d, ENA_REGS_MMIO_RESP_LO_OFF, 0);
    qena_writel(d, ENA_REGS_MMIO_RESP_HI_OFF, 0);
    qena_writel(d, ENA_REGS_MMIO_REG_READ_OFF, 0x00580001);

    /* the device and QEMU are still fine */
    qtest_clock_step(qts, 10 * RESET_LATENCY_NS);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF), ==,
                    ENA_REGS_DEV_STS_READY_MASK);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
}

/* Hot-add a second ena and unplug it again (ACPI hot-plug on pc). */
static void test_ena_hotplug(void *obj, void *data, QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qena_qts(d);

    if (d->dev.bus->not_hotpluggable) {
        g_test_skip("pci bus does not support hotplug");
        return;
    }
    qtest_qmp_device_add(qts, "ena", "ena_hot",
                         "{'addr': '0x06', 'netdev': 'hs1', "
                         "'fault-keepalive': 'stop'}");
    qpci_unplug_acpi_device_test(qts, "ena_hot", 0x06);
    /* the first device is untouched */
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF), ==,
                    ENA_REGS_DEV_STS_READY_MASK);
}

static void register_ena_test(void)
{
    QOSGraphTestOptions opts = {
        .before = qena_test_before,
        .edge.extra_device_opts = "id=ena0",
    };

    qos_add_test("pci/identity", "ena", test_ena_pci_identity, &opts);
    qos_add_test("regs/direct", "ena", test_ena_regs_direct, &opts);
    qos_add_test("regs/readless", "ena", test_ena_regs_readless, &opts);
    qos_add_test("regs/readless-echo", "ena", test_ena_readless_echo, &opts);
    qos_add_test("regs/readless-reset", "ena",
                 test_ena_readless_reset_forgets, &opts);
    qos_add_test("reset/timing", "ena", test_ena_reset_timing, &opts);
    qos_add_test("reset/reason-ext", "ena", test_ena_reset_reason_ext, &opts);
    qos_add_test("bad-access", "ena", test_ena_bad_access, &opts);
    qos_add_test("hotplug", "ena", test_ena_hotplug, &opts);

    opts.edge.extra_device_opts = "id=ena0,readless=off,device-id=0x0ec2";
    qos_add_test("pci/direct-reads", "ena", test_ena_pci_direct_reads, &opts);
    opts.edge.extra_device_opts = "id=ena0,reset-latency-us=250000";
    qos_add_test("reset/latency-prop", "ena", test_ena_reset_latency_prop,
                 &opts);
}

libqos_init(register_ena_test);
