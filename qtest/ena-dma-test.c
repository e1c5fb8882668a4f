/*
 * QTest testcases for ena DMA that fails: every path on which the device
 * reads or writes guest memory, pointed at an address with no RAM, at a
 * BAR, across the end of RAM, with bus mastering off, or behind an IOMMU
 * whose mappings are gone. A ring the device cannot use latches
 * DEV_STS.FATAL_ERROR, a command buffer gets an error status, a packet
 * buffer costs a dropped and counted frame; QEMU keeps running and a reset
 * brings the device back. Also: Function Level Reset, and CQs that a
 * polling driver creates without an interrupt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/bitops.h"
#include <sys/socket.h>
#include "hw/pci/pci_regs.h"
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#include "libqos/ena.h"

#define MS          (1000 * 1000LL)
#define RAM_MB      256
#define RAM_END     ((uint64_t)RAM_MB << 20)
#define NO_RAM      0x20000000ull   /* above RAM, below the PCI hole */
#define DEPTH       64
#define VECTORS     3               /* queues=2 */

/* Intel VT-d registers (q35's intel-iommu) */
#define VTD_BASE        0xfed90000ull
#define VTD_GCMD        0x18
#define VTD_GSTS        0x1c
#define VTD_RTADDR      0x20
#define VTD_GCMD_TE     (1u << 31)
#define VTD_GCMD_SRTP   (1u << 30)

/*
 * Every case runs twice: on the instant model and on the timed one, where
 * the outcome of a doorbell comes after its modelled delays.
 */
static bool timed;
#define SETTLE_NS   (100 * 1000LL)  /* longer than any delay at defaults */

typedef struct DmaTest {
    QOSState *qs;
    QTestState *qts;
    QEna d;
    int sock[2];                /* [0] ours, [1] the -netdev socket */
} DmaTest;

typedef struct Queue {
    uint16_t sq_idx, cq_idx;
    uint32_t db;
    uint64_t sq, cq;
    uint16_t tail, head;
    uint8_t cq_entry;
} Queue;

static uint64_t zalloc(DmaTest *t, size_t size)
{
    uint64_t a = guest_alloc(&t->qs->alloc, size);

    qtest_memset(t->qts, a, 0, size);
    return a;
}

static uint32_t dev_sts(DmaTest *t)
{
    return qena_readl(&t->d, ENA_REGS_DEV_STS_OFF);
}

static bool is_fatal(DmaTest *t)
{
    return dev_sts(t) & ENA_REGS_DEV_STS_FATAL_ERROR_MASK;
}

static void alive(DmaTest *t)
{
    qtest_qmp_assert_success(t->qts, "{'execute': 'query-status'}");
}

static void set_groups(DmaTest *t, uint32_t groups)
{
    EnaAdminAenqConfigFeature a = { .enabled_groups = cpu_to_le32(groups) };

    g_assert_cmpint(qena_set_feature(&t->d, ENA_ADMIN_AENQ_CONFIG, &a,
                                     sizeof(a), 0, 0), ==, 0);
}

/* Reset handshake and admin queue, as a driver brings the device up. */
static void admin_up(DmaTest *t)
{
    qena_readless_init(&t->d);
    g_assert_cmpint(qena_reset(&t->d, ENA_REGS_RESET_NORMAL, 100 * MS), >=,
                    0);
    g_assert_false(is_fatal(t));
    qena_admin_init(&t->d, true);
    qena_aenq_ack(&t->d);       /* every AENQ entry free, as drivers do */
}

/* After whatever happened: QEMU answers, a reset clears the error. */
static void recovers(DmaTest *t)
{
    alive(t);
    admin_up(t);
    g_assert_cmpint(qena_get_feature(&t->d, ENA_ADMIN_DEVICE_ATTRIBUTES, 0,
                                     0, 0, NULL, 0), ==, 0);
    g_assert_false(is_fatal(t));
}

static void dma_start(DmaTest *t, const char *extra)
{
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(4, 0),
        .vendor_id = PCI_VENDOR_ID_AMAZON,
    };

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, t->sock), ==, 0);
    t->qs = qtest_pc_boot("-M q35 -m %d -nodefaults %s "
                          "-netdev socket,fd=%d,id=n0 "
                          "-device ena,netdev=n0,id=ena0,addr=04.0,queues=2,"
                          "timing=%s",
                          RAM_MB, extra ? extra : "", t->sock[1],
                          timed ? "on" : "off");
    t->qts = t->qs->qts;
    memset(&t->d, 0, sizeof(t->d));
    qena_init(&t->d, t->qs->pcibus, &addr, &t->qs->alloc);
    qpci_device_enable(&t->d.dev);
    qpci_msix_enable(&t->d.dev);
    admin_up(t);
}

static void dma_stop(DmaTest *t)
{
    qpci_msix_disable(&t->d.dev);
    qpci_iounmap(&t->d.dev, t->d.bar);
    qtest_shutdown(t->qs);
    close(t->sock[0]);
    close(t->sock[1]);
}

/* Let QEMU run until @cond holds, in steps of virtual time. */
static bool wait_for(DmaTest *t, bool (*cond)(DmaTest *t))
{
    for (int i = 0; i < 2000; i++) {
        if (cond(t)) {
            return true;
        }
        qtest_clock_step(t->qts, MS);
    }
    return false;
}

/* ---- IO queues ------------------------------------------------------ */

static uint8_t create_cq(DmaTest *t, Queue *q, uint8_t dir, uint64_t ba,
                         uint8_t caps_1, uint32_t vector)
{
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    EnaAdminCreateCqCmd *cq = (EnaAdminCreateCqCmd *)&c;
    EnaAdminCreateCqResp *cqr = (EnaAdminCreateCqResp *)&r;
    uint8_t st;

    q->cq_entry = dir == ENA_ADMIN_SQ_DIRECTION_TX ? 8 : 16;
    q->cq = ba ? ba : zalloc(t, DEPTH * q->cq_entry);
    cq->aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cq->cq_caps_1 = caps_1;
    cq->cq_caps_2 = q->cq_entry / 4;
    cq->cq_depth = cpu_to_le16(DEPTH);
    cq->msix_vector = cpu_to_le32(vector);
    qena_addr48(&cq->cq_ba, q->cq);
    st = qena_admin_exec(&t->d, &c, &r);
    q->cq_idx = le16_to_cpu(cqr->cq_idx);
    return st;
}

/*
 * A CQ (interrupt on vector 1) and an SQ in host placement; @cq_ba and
 * @sq_ba, when not 0, place the rings where the test wants them.
 */
static void queue_pair(DmaTest *t, Queue *q, uint8_t dir, uint64_t cq_ba,
                       uint64_t sq_ba)
{
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)&c;
    EnaAdminCreateSqResp *sqr = (EnaAdminCreateSqResp *)&r;

    memset(q, 0, sizeof(*q));
    g_assert_cmpint(create_cq(t, q, dir, cq_ba,
                    ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK,
                    1), ==, 0);
    q->sq = sq_ba ? sq_ba : zalloc(t, DEPTH * 16);
    sq->aq_common.opcode = ENA_ADMIN_CREATE_SQ;
    sq->sq_identity = dir << ENA_ADMIN_SQ_DIRECTION_SHIFT;
    sq->sq_caps_2 = ENA_ADMIN_PLACEMENT_POLICY_HOST;
    sq->sq_caps_3 = ENA_ADMIN_SQ_IS_PHYSICALLY_CONTIGUOUS_MASK;
    sq->cq_idx = cpu_to_le16(q->cq_idx);
    sq->sq_depth = cpu_to_le16(DEPTH);
    qena_addr48(&sq->sq_ba, q->sq);
    g_assert_cmpint(qena_admin_exec(&t->d, &c, &r), ==, 0);
    q->sq_idx = le16_to_cpu(sqr->sq_idx);
    q->db = le32_to_cpu(sqr->sq_doorbell_offset);
}

/* Timed model: let the modelled delays of what was just asked pass. */
static void settle(DmaTest *t)
{
    if (timed) {
        qtest_clock_step(t->qts, SETTLE_NS);
    }
}

static uint32_t phase_of(uint16_t ctr)
{
    return !((ctr / DEPTH) & 1);
}

/* A one-buffer packet at @buf, written only when the SQ is in RAM. */
static void tx_one(DmaTest *t, Queue *q, uint16_t req_id, uint64_t buf,
                   uint16_t len)
{
    EnaEthIoTxDesc d = { 0 };

    d.len_ctrl = cpu_to_le32(len | ENA_ETH_IO_TX_DESC_FIRST_MASK |
                             ENA_ETH_IO_TX_DESC_LAST_MASK |
                             ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
                             (phase_of(q->tail) <<
                              ENA_ETH_IO_TX_DESC_PHASE_SHIFT));
    d.meta_ctrl = cpu_to_le32((req_id & 0x3ff) <<
                              ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
    d.buff_addr_lo = cpu_to_le32((uint32_t)buf);
    d.buff_addr_hi_hdr_sz = cpu_to_le32(buf >> 32);
    if (q->sq < RAM_END) {
        qtest_memwrite(t->qts, q->sq + (q->tail & (DEPTH - 1)) * 16, &d,
                       sizeof(d));
    }
    q->tail++;
    qena_writel(&t->d, q->db, q->tail);
    settle(t);
}

static bool tx_cmpl(DmaTest *t, Queue *q, uint16_t *req_id)
{
    EnaEthIoTxCdesc cd;

    qtest_memread(t->qts, q->cq + (q->head & (DEPTH - 1)) * 8, &cd,
                  sizeof(cd));
    if ((cd.flags & ENA_ETH_IO_TX_CDESC_PHASE_MASK) != phase_of(q->head)) {
        return false;
    }
    q->head++;
    *req_id = le16_to_cpu(cd.req_id);
    return true;
}

static void rx_post(DmaTest *t, Queue *q, uint64_t buf, uint16_t len)
{
    EnaEthIoRxDesc d = { 0 };

    d.length = cpu_to_le16(len);
    d.ctrl = ENA_ETH_IO_RX_DESC_FIRST_MASK | ENA_ETH_IO_RX_DESC_LAST_MASK |
             ENA_ETH_IO_RX_DESC_COMP_REQ_MASK | phase_of(q->tail);
    d.req_id = cpu_to_le16(q->tail);
    d.buff_addr_lo = cpu_to_le32((uint32_t)buf);
    d.buff_addr_hi = cpu_to_le16(buf >> 32);
    if (q->sq < RAM_END) {
        qtest_memwrite(t->qts, q->sq + (q->tail & (DEPTH - 1)) * 16, &d,
                       sizeof(d));
    }
    q->tail++;
    qena_writel(&t->d, q->db, q->tail);
    settle(t);
}

/* A frame from the network: 4-byte length, then the bytes. */
static void sock_send(DmaTest *t, size_t len)
{
    uint8_t f[1514];
    uint32_t l = htonl(len);

    g_assert_cmpint(len, <=, sizeof(f));
    memset(f, 0xff, 6);
    memcpy(f + 6, "\x52\x54\x00\x00\x00\x02\x08\x00", 8);
    for (size_t i = 14; i < len; i++) {
        f[i] = i;
    }
    g_assert_cmpint(send(t->sock[0], &l, sizeof(l), 0), ==, sizeof(l));
    g_assert_cmpint(send(t->sock[0], f, len, 0), ==, len);
}

/* The next frame the device sent, or 0 if there is none waiting. */
static size_t sock_take(DmaTest *t, uint8_t *buf, size_t size)
{
    uint32_t len;
    ssize_t r = recv(t->sock[0], &len, sizeof(len), MSG_DONTWAIT);

    if (r < 0 && errno == EAGAIN) {
        return 0;
    }
    g_assert_cmpint(r, ==, sizeof(len));
    len = ntohl(len);
    g_assert_cmpint(len, <=, size);
    g_assert_cmpint(recv(t->sock[0], buf, len, MSG_WAITALL), ==, len);
    return len;
}

static uint64_t tx_drops(DmaTest *t)
{
    EnaAdminAcqEntry r;
    EnaAdminBasicStats s;

    g_assert_cmpint(qena_get_stats(&t->d, ENA_ADMIN_GET_STATS_TYPE_BASIC, 0,
                                   0, 0, &r), ==, 0);
    memcpy(&s, r.data, sizeof(s));
    return le32_to_cpu(s.tx_drops_low) |
           ((uint64_t)le32_to_cpu(s.tx_drops_high) << 32);
}

/* ---- AENQ ------------------------------------------------------------ */

static void aenq_at(DmaTest *t, uint64_t addr)
{
    qena_writel(&t->d, ENA_REGS_AENQ_BASE_LO_OFF, (uint32_t)addr);
    qena_writel(&t->d, ENA_REGS_AENQ_BASE_HI_OFF, addr >> 32);
}

/*
 * The keep-alive is due with the AENQ where no RAM is: the device latches
 * FATAL_ERROR, and its own FATAL_ERROR event, which cannot be written
 * either, does not bring it back to the failing write.
 */
static void test_aenq_no_ram(void)
{
    DmaTest t;

    dma_start(&t, NULL);
    set_groups(&t, BIT(ENA_ADMIN_KEEP_ALIVE) | BIT(ENA_ADMIN_FATAL_ERROR));
    aenq_at(&t, NO_RAM);
    qtest_clock_step(t.qts, 1500 * MS);
    g_assert_true(is_fatal(&t));
    /* nothing more is tried while fatal: keep-alives stop */
    qtest_clock_step(t.qts, 3000 * MS);
    g_assert_cmpint(qena_qom_get_uint(t.qts, "ena0", "keepalives-sent"), ==,
                    0);
    recovers(&t);
    dma_stop(&t);
}

/*
 * The AENQ on the device's own BAR0: the LINK_CHANGE event that enabling
 * the group posts (from the admin queue's bottom half, so the device's
 * re-entrancy guard blocks the write) fails, and FATAL_ERROR follows.
 */
static void test_aenq_on_bar0(void)
{
    DmaTest t;

    dma_start(&t, NULL);
    aenq_at(&t, t.d.bar.addr);
    set_groups(&t, BIT(ENA_ADMIN_LINK_CHANGE) | BIT(ENA_ADMIN_FATAL_ERROR) |
               BIT(ENA_ADMIN_KEEP_ALIVE));
    g_assert_true(is_fatal(&t));
    qtest_clock_step(t.qts, 3000 * MS);
    recovers(&t);
    dma_stop(&t);
}

/* Bus mastering off (a driver gone): the keep-alive's write fails. */
static void test_aenq_bus_master_off(void)
{
    DmaTest t;
    uint16_t cmd;

    dma_start(&t, NULL);
    set_groups(&t, BIT(ENA_ADMIN_KEEP_ALIVE) | BIT(ENA_ADMIN_FATAL_ERROR));
    cmd = qpci_config_readw(&t.d.dev, PCI_COMMAND);
    qpci_config_writew(&t.d.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    qtest_clock_step(t.qts, 1500 * MS);
    g_assert_true(is_fatal(&t));
    qpci_config_writew(&t.d.dev, PCI_COMMAND, cmd);
    recovers(&t);
    dma_stop(&t);
}

/* ---- admin queue, readless, host info -------------------------------- */

/*
 * A completion that cannot be written: FATAL_ERROR, and the event for it
 * reaches the driver through the AENQ, which still works.
 */
static void test_acq_no_ram(void)
{
    DmaTest t;
    EnaAdminAqEntry c = { .aq_common.opcode = ENA_ADMIN_GET_FEATURE };
    EnaAdminAenqEntry e;
    bool seen = false;

    dma_start(&t, NULL);
    set_groups(&t, BIT(ENA_ADMIN_FATAL_ERROR));
    qena_writel(&t.d, ENA_REGS_ACQ_BASE_LO_OFF, (uint32_t)NO_RAM);
    qena_writel(&t.d, ENA_REGS_ACQ_BASE_HI_OFF, 0);
    ((EnaAdminGetSetFeatureCmd *)&c)->feature_id =
        ENA_ADMIN_DEVICE_ATTRIBUTES;
    qena_admin_submit(&t.d, &c);
    qtest_clock_step(t.qts, MS);
    g_assert_true(is_fatal(&t));
    while (qena_aenq_take(&t.d, &e)) {
        seen |= le16_to_cpu(e.aenq_common.group) == ENA_ADMIN_FATAL_ERROR;
    }
    g_assert_true(seen);
    recovers(&t);
    dma_stop(&t);
}

/* A submission queue whose first entry runs past the end of RAM. */
static void test_aq_across_ram_end(void)
{
    DmaTest t;

    dma_start(&t, NULL);
    t.d.aq = RAM_END - 32;
    qena_writel(&t.d, ENA_REGS_AQ_BASE_LO_OFF, (uint32_t)t.d.aq);
    qena_writel(&t.d, ENA_REGS_AQ_BASE_HI_OFF, 0);
    qena_writel(&t.d, ENA_REGS_AQ_CAPS_OFF, 0x00400020);
    t.d.aq_tail = 0;
    qena_writel(&t.d, ENA_REGS_AQ_DB_OFF, 1);
    qtest_clock_step(t.qts, MS);
    g_assert_true(is_fatal(&t));
    recovers(&t);
    dma_stop(&t);
}

/* A readless response that cannot land is lost, like a dropped one. */
static void test_readless_no_ram(void)
{
    DmaTest t;
    uint32_t v;

    dma_start(&t, NULL);
    qena_writel(&t.d, ENA_REGS_MMIO_RESP_LO_OFF, (uint32_t)NO_RAM);
    qena_writel(&t.d, ENA_REGS_MMIO_RESP_HI_OFF, 0);
    qena_writel(&t.d, ENA_REGS_MMIO_REG_READ_OFF,
                (ENA_REGS_VERSION_OFF << 16) | 1);
    qtest_clock_step(t.qts, MS);
    g_assert_false(is_fatal(&t));
    qena_readless_init(&t.d);
    g_assert_true(qena_readless_read(&t.d, ENA_REGS_VERSION_OFF, &v,
                                     10 * MS));
    g_assert_cmphex(v, !=, 0);
    dma_stop(&t);
}

/* Host info the device cannot read: the SET_FEATURE fails, nothing else. */
static void test_host_info_no_ram(void)
{
    DmaTest t;
    EnaAdminHostAttrFeature h = { 0 };

    dma_start(&t, NULL);
    qena_addr48(&h.os_info_ba, NO_RAM);
    g_assert_cmpint(qena_set_feature(&t.d, ENA_ADMIN_HOST_ATTR_CONFIG, &h,
                                     sizeof(h), 0, 0), ==,
                    ENA_ADMIN_MALFORMED_REQUEST);
    qena_addr48(&h.os_info_ba, RAM_END - 8);
    g_assert_cmpint(qena_set_feature(&t.d, ENA_ADMIN_HOST_ATTR_CONFIG, &h,
                                     sizeof(h), 0, 0), ==,
                    ENA_ADMIN_MALFORMED_REQUEST);
    g_assert_false(is_fatal(&t));
    dma_stop(&t);
}

/* ---- IO --------------------------------------------------------------- */

static void test_tx_sq_no_ram(void)
{
    DmaTest t;
    Queue q;

    dma_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 0, NO_RAM);
    tx_one(&t, &q, 1, zalloc(&t, 64), 64);
    g_assert_true(is_fatal(&t));
    recovers(&t);
    dma_stop(&t);
}

/* The frame leaves; its completion cannot be written. */
static void test_tx_cq_no_ram(void)
{
    DmaTest t;
    Queue q;
    uint8_t out[128];

    dma_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, NO_RAM, 0);
    tx_one(&t, &q, 1, zalloc(&t, 64), 64);
    g_assert_cmpint(sock_take(&t, out, sizeof(out)), ==, 64);
    g_assert_true(is_fatal(&t));
    recovers(&t);
    dma_stop(&t);
}

/*
 * Packet buffers with no RAM, on a BAR, or across the end of RAM: each
 * packet is dropped, counted and completed; the queue goes on.
 */
static void test_tx_buffers(void)
{
    DmaTest t;
    Queue q;
    uint8_t out[128], want[64];
    uint64_t good;
    uint16_t id;
    const uint64_t bad[] = { NO_RAM, 0, RAM_END - 16 };

    dma_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 0, 0);
    for (int i = 0; i < ARRAY_SIZE(bad); i++) {
        tx_one(&t, &q, 10 + i, bad[i] ? bad[i] : t.d.bar.addr, 64);
        g_assert_true(tx_cmpl(&t, &q, &id));
        g_assert_cmpint(id, ==, 10 + i);
        g_assert_cmpint(sock_take(&t, out, sizeof(out)), ==, 0);
    }
    g_assert_cmpint(tx_drops(&t), ==, ARRAY_SIZE(bad));
    good = zalloc(&t, sizeof(want));
    for (int i = 0; i < sizeof(want); i++) {
        want[i] = 0xa0 + i;
    }
    qtest_memwrite(t.qts, good, want, sizeof(want));
    tx_one(&t, &q, 20, good, sizeof(want));
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 20);
    g_assert_cmpint(sock_take(&t, out, sizeof(out)), ==, sizeof(want));
    g_assert_cmpmem(out, sizeof(want), want, sizeof(want));
    g_assert_false(is_fatal(&t));
    dma_stop(&t);
}

/*
 * A TX completion ring on the device's own BAR0: the write, made while
 * the doorbell is handled, is blocked as re-entrant I/O and fails.
 */
static void test_tx_cq_on_bar0(void)
{
    DmaTest t;
    Queue q;
    uint8_t out[128];

    dma_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, t.d.bar.addr, 0);
    tx_one(&t, &q, 1, zalloc(&t, 64), 64);
    g_assert_cmpint(sock_take(&t, out, sizeof(out)), ==, 64);
    g_assert_true(is_fatal(&t));
    recovers(&t);
    dma_stop(&t);
}

typedef enum RxBad {
    RX_SQ_NO_RAM,
    RX_BUF_NO_RAM,
    RX_CQ_NO_RAM,
    RX_BUF_ON_BAR0,
} RxBad;

/* An RX ring, buffer or completion ring the device cannot use. */
static void test_rx(const void *arg)
{
    RxBad which = GPOINTER_TO_INT(arg);
    DmaTest t;
    Queue q;
    uint64_t buf;

    dma_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX,
               which == RX_CQ_NO_RAM ? NO_RAM : 0,
               which == RX_SQ_NO_RAM ? NO_RAM : 0);
    buf = which == RX_BUF_NO_RAM ? NO_RAM :
          which == RX_BUF_ON_BAR0 ? t.d.bar.addr : zalloc(&t, 2048);
    rx_post(&t, &q, buf, 2048);
    sock_send(&t, 200);
    g_assert_true(wait_for(&t, is_fatal));
    recovers(&t);
    dma_stop(&t);
}

/* ---- IOMMU ------------------------------------------------------------ */

static uint32_t vtd_sts(DmaTest *t)
{
    return qtest_readl(t->qts, VTD_BASE + VTD_GSTS);
}

/*
 * Translation turned on with an empty root table: every mapping the
 * device had is gone, as when a user-space driver exits and vfio unmaps
 * its memory. The next keep-alive faults in the IOMMU.
 */
static void test_iommu_revoked(void)
{
    DmaTest t;
    EnaAdminAenqEntry e;
    uint64_t root;
    Queue q;

    dma_start(&t, "-device intel-iommu");
    set_groups(&t, BIT(ENA_ADMIN_KEEP_ALIVE) | BIT(ENA_ADMIN_FATAL_ERROR));
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX, 0, 0);
    rx_post(&t, &q, zalloc(&t, 2048), 2048);
    qtest_clock_step(t.qts, 1100 * MS);
    g_assert_true(qena_aenq_take(&t.d, &e));
    g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                    ENA_ADMIN_KEEP_ALIVE);

    root = ROUND_UP(guest_alloc(&t.qs->alloc, 8192), 4096);
    qtest_memset(t.qts, root, 0, 4096);
    qtest_writeq(t.qts, VTD_BASE + VTD_RTADDR, root);
    qtest_writel(t.qts, VTD_BASE + VTD_GCMD, VTD_GCMD_SRTP);
    g_assert_true(vtd_sts(&t) & VTD_GCMD_SRTP);
    qtest_writel(t.qts, VTD_BASE + VTD_GCMD, VTD_GCMD_TE);
    g_assert_true(vtd_sts(&t) & VTD_GCMD_TE);

    /* a frame arriving now cannot be read or written either */
    sock_send(&t, 200);
    qtest_clock_step(t.qts, 1100 * MS);
    g_assert_true(is_fatal(&t));
    alive(&t);

    qtest_writel(t.qts, VTD_BASE + VTD_GCMD, 0);
    g_assert_false(vtd_sts(&t) & VTD_GCMD_TE);
    recovers(&t);
    dma_stop(&t);
}

/* ---- FLR and polled CQs ---------------------------------------------- */

/* FLR puts the function back to its power-on state, fatal error included. */
static void test_flr(void)
{
    DmaTest t;
    uint8_t exp = 0;
    uint32_t bars[6];
    uint16_t cmd, ctl;

    dma_start(&t, NULL);
    qena_writel(&t.d, ENA_REGS_AQ_BASE_LO_OFF, (uint32_t)NO_RAM);
    qena_writel(&t.d, ENA_REGS_AQ_DB_OFF, 1);
    qtest_clock_step(t.qts, MS);
    g_assert_true(is_fatal(&t));

    exp = qpci_find_capability(&t.d.dev, PCI_CAP_ID_EXP, 0);
    g_assert_cmpint(exp, !=, 0);
    g_assert_true(qpci_config_readl(&t.d.dev, exp + PCI_EXP_DEVCAP) &
                  PCI_EXP_DEVCAP_FLR);
    for (int i = 0; i < 6; i++) {
        bars[i] = qpci_config_readl(&t.d.dev, PCI_BASE_ADDRESS_0 + 4 * i);
    }
    cmd = qpci_config_readw(&t.d.dev, PCI_COMMAND);
    ctl = qpci_config_readw(&t.d.dev, exp + PCI_EXP_DEVCTL);
    qpci_config_writew(&t.d.dev, exp + PCI_EXP_DEVCTL,
                       ctl | PCI_EXP_DEVCTL_BCR_FLR);

    /* config space was reset too: put the BARs back, as vfio-pci does */
    g_assert_cmphex(qpci_config_readw(&t.d.dev, PCI_COMMAND), ==, 0);
    g_assert_false(qpci_config_readw(&t.d.dev, exp + PCI_EXP_DEVCTL) &
                   PCI_EXP_DEVCTL_BCR_FLR);
    for (int i = 0; i < 6; i++) {
        qpci_config_writel(&t.d.dev, PCI_BASE_ADDRESS_0 + 4 * i, bars[i]);
    }
    qpci_config_writew(&t.d.dev, PCI_COMMAND, cmd);

    g_assert_cmphex(dev_sts(&t), ==, ENA_REGS_DEV_STS_READY_MASK);
    g_assert_cmphex(qena_readl(&t.d, ENA_REGS_AQ_BASE_LO_OFF), ==, 0);
    g_assert_cmphex(qena_readl(&t.d, ENA_REGS_AQ_CAPS_OFF), ==, 0);
    /* an FLR is no DEV_CTL reset: the reset history does not move */
    g_assert_cmpint(qena_qom_get_uint(t.qts, "ena0", "reset-count"), ==, 1);
    recovers(&t);
    dma_stop(&t);
}

/*
 * DPDK creates its CQs with interrupt mode set and vector 0xffffffff:
 * accepted, completions are written, and no vector ever fires.
 */
static void test_cq_polled(void)
{
    DmaTest t;
    Queue q, q2, q3;
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)&c;
    EnaAdminCreateSqResp *sqr = (EnaAdminCreateSqResp *)&r;
    uint8_t out[128];
    uint16_t id;

    dma_start(&t, NULL);
    for (int v = 0; v < VECTORS; v++) {
        qena_msix_route(&t.d, v);
    }
    memset(&q, 0, sizeof(q));
    g_assert_cmpint(create_cq(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX, 0,
                    ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK,
                    ENA_ADMIN_CQ_NO_MSIX_VECTOR), ==, 0);
    /* interrupt mode clear: the vector is not looked at */
    g_assert_cmpint(create_cq(&t, &q2, ENA_ADMIN_SQ_DIRECTION_TX, 0, 0,
                              0x12345), ==, 0);
    /* any other vector out of range is still refused */
    g_assert_cmpint(create_cq(&t, &q3, ENA_ADMIN_SQ_DIRECTION_TX, 0,
                    ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK,
                    0xfffffffe), ==, ENA_ADMIN_ILLEGAL_PARAMETER);

    q.sq = zalloc(&t, DEPTH * 16);
    sq->aq_common.opcode = ENA_ADMIN_CREATE_SQ;
    sq->sq_identity = ENA_ADMIN_SQ_DIRECTION_TX <<
                      ENA_ADMIN_SQ_DIRECTION_SHIFT;
    sq->sq_caps_2 = ENA_ADMIN_PLACEMENT_POLICY_HOST;
    sq->sq_caps_3 = ENA_ADMIN_SQ_IS_PHYSICALLY_CONTIGUOUS_MASK;
    sq->cq_idx = cpu_to_le16(q.cq_idx);
    sq->sq_depth = cpu_to_le16(DEPTH);
    qena_addr48(&sq->sq_ba, q.sq);
    g_assert_cmpint(qena_admin_exec(&t.d, &c, &r), ==, 0);
    q.db = le32_to_cpu(sqr->sq_doorbell_offset);

    tx_one(&t, &q, 3, zalloc(&t, 64), 64);
    g_assert_cmpint(sock_take(&t, out, sizeof(out)), ==, 64);
    g_assert_true(tx_cmpl(&t, &q, &id));
    g_assert_cmpint(id, ==, 3);
    qtest_clock_step(t.qts, MS);
    for (int v = 0; v < VECTORS; v++) {
        g_assert_false(qena_msix_take(&t.d, v));
    }
    dma_stop(&t);
}

typedef struct ModeCase {
    void (*fn)(void);
    void (*data_fn)(const void *arg);
    const void *arg;
    bool timed;
} ModeCase;

static void run_case(const void *opaque)
{
    const ModeCase *c = opaque;

    timed = c->timed;
    if (c->fn) {
        c->fn();
    } else {
        c->data_fn(c->arg);
    }
}

static void add_case(const char *name, void (*fn)(void),
                     void (*data_fn)(const void *), const void *arg)
{
    for (int m = 0; m < 2; m++) {
        ModeCase *c = g_new0(ModeCase, 1);
        g_autofree char *path = g_strdup_printf("/ena/dma%s/%s",
                                                m ? "-timed" : "", name);

        *c = (ModeCase) { fn, data_fn, arg, m };
        qtest_add_data_func(path, c, run_case);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add_case("aenq-no-ram", test_aenq_no_ram, NULL, NULL);
    add_case("aenq-on-bar0", test_aenq_on_bar0, NULL, NULL);
    add_case("aenq-bus-master-off", test_aenq_bus_master_off, NULL, NULL);
    add_case("acq-no-ram", test_acq_no_ram, NULL, NULL);
    add_case("aq-across-ram-end", test_aq_across_ram_end, NULL, NULL);
    add_case("readless-no-ram", test_readless_no_ram, NULL, NULL);
    add_case("host-info-no-ram", test_host_info_no_ram, NULL, NULL);
    add_case("tx-sq-no-ram", test_tx_sq_no_ram, NULL, NULL);
    add_case("tx-cq-no-ram", test_tx_cq_no_ram, NULL, NULL);
    add_case("tx-buffers", test_tx_buffers, NULL, NULL);
    add_case("tx-cq-on-bar0", test_tx_cq_on_bar0, NULL, NULL);
    add_case("rx-sq-no-ram", NULL, test_rx, GINT_TO_POINTER(RX_SQ_NO_RAM));
    add_case("rx-buffer-no-ram", NULL, test_rx,
             GINT_TO_POINTER(RX_BUF_NO_RAM));
    add_case("rx-cq-no-ram", NULL, test_rx, GINT_TO_POINTER(RX_CQ_NO_RAM));
    add_case("rx-buffer-on-bar0", NULL, test_rx,
             GINT_TO_POINTER(RX_BUF_ON_BAR0));
    add_case("iommu-revoked", test_iommu_revoked, NULL, NULL);
    add_case("flr", test_flr, NULL, NULL);
    add_case("cq-polled", test_cq_polled, NULL, NULL);
    return g_test_run();
}
