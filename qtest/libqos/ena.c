/*
 * libqos driver for the AWS Elastic Network Adapter (ena)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "../libqtest.h"
#include "qgraph.h"
#include "pci.h"
#include "ena.h"

/* readless polls; the drivers use 1 us, coarser keeps qtest fast */
#define QENA_POLL_NS    (100 * 1000)
/* DEV_STS polls: the Linux driver's backoff, 100 us doubling to 5 ms */
#define QENA_STS_POLL_MIN_NS    (100 * 1000)
#define QENA_STS_POLL_MAX_NS    (5000 * 1000)

uint32_t qena_readl(QEna *d, uint32_t off)
{
    return qpci_io_readl(&d->dev, d->bar, off);
}

void qena_writel(QEna *d, uint32_t off, uint32_t val)
{
    qpci_io_writel(&d->dev, d->bar, off, val);
}

void qena_readless_init(QEna *d)
{
    QTestState *qts = d->dev.bus->qts;

    qtest_writeq(qts, d->resp, 0);
    qena_writel(d, ENA_REGS_MMIO_RESP_LO_OFF, (uint32_t)d->resp);
    qena_writel(d, ENA_REGS_MMIO_RESP_HI_OFF, d->resp >> 32);
}

bool qena_readless_read(QEna *d, uint32_t off, uint32_t *val,
                        uint64_t timeout_ns)
{
    QTestState *qts = d->dev.bus->qts;
    uint16_t seq = ++d->read_seq;
    EnaMmioReadResp r;
    uint64_t waited = 0;

    qtest_writew(qts, d->resp, (uint16_t)(seq + 0xdead));
    qena_writel(d, ENA_REGS_MMIO_REG_READ_OFF, (off << 16) | seq);
    for (;;) {
        qtest_memread(qts, d->resp, &r, sizeof(r));
        if (le16_to_cpu(r.req_id) == seq) {
            break;
        }
        if (waited >= timeout_ns) {
            return false;
        }
        qtest_clock_step(qts, QENA_POLL_NS);
        waited += QENA_POLL_NS;
    }
    if (le16_to_cpu(r.reg_off) != off) {
        return false;
    }
    *val = le32_to_cpu(r.reg_val);
    return true;
}

static bool qena_wait_sts(QEna *d, uint32_t mask, uint32_t want,
                          uint64_t timeout_ns, int64_t *spent)
{
    QTestState *qts = d->dev.bus->qts;
    uint64_t waited = 0, step = QENA_STS_POLL_MIN_NS;

    while ((qena_readl(d, ENA_REGS_DEV_STS_OFF) & mask) != want) {
        if (waited >= timeout_ns) {
            return false;
        }
        qtest_clock_step(qts, step);
        waited += step;
        step = MIN(step * 2, QENA_STS_POLL_MAX_NS);
    }
    *spent += waited;
    return true;
}

int64_t qena_reset(QEna *d, uint32_t reason, uint64_t timeout_ns)
{
    int64_t spent = 0;

    qena_writel(d, ENA_REGS_DEV_CTL_OFF, ENA_REGS_DEV_CTL_DEV_RESET_MASK |
                ((reason & 0xf) << ENA_REGS_DEV_CTL_RESET_REASON_SHIFT) |
                ((reason >> 4) << ENA_REGS_DEV_CTL_RESET_REASON_EXT_SHIFT));
    qena_readless_init(d);
    if (!qena_wait_sts(d, ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK,
                       ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK, timeout_ns,
                       &spent)) {
        return -1;
    }
    qena_writel(d, ENA_REGS_DEV_CTL_OFF, 0);
    if (!qena_wait_sts(d, ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK, 0,
                       timeout_ns, &spent)) {
        return -1;
    }
    return spent;
}

uint64_t qena_qom_get_uint(QTestState *qts, const char *id,
                           const char *prop)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': %s, 'property': %s}}", path, prop);
    uint64_t val;

    g_assert(qdict_haskey(rsp, "return"));
    val = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return val;
}

char *qena_qom_get_str(QTestState *qts, const char *id, const char *prop)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': %s, 'property': %s}}", path, prop);
    char *val;

    g_assert(qdict_haskey(rsp, "return"));
    val = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return val;
}

void qena_msix_route(QEna *d, uint16_t vector)
{
    QTestState *qts = d->dev.bus->qts;
    uint64_t off = d->dev.msix_table_off + vector * PCI_MSIX_ENTRY_SIZE;
    uint32_t ctrl;

    g_assert(d->dev.msix_enabled);
    g_assert_cmpint(vector, <, QENA_MAX_VECTORS);
    if (!d->msix_word[vector]) {
        d->msix_word[vector] = guest_alloc(d->alloc, 4);
    }
    qtest_writel(qts, d->msix_word[vector], 0);
    qpci_io_writel(&d->dev, d->dev.msix_table_bar,
                   off + PCI_MSIX_ENTRY_LOWER_ADDR,
                   (uint32_t)d->msix_word[vector]);
    qpci_io_writel(&d->dev, d->dev.msix_table_bar,
                   off + PCI_MSIX_ENTRY_UPPER_ADDR,
                   d->msix_word[vector] >> 32);
    qpci_io_writel(&d->dev, d->dev.msix_table_bar,
                   off + PCI_MSIX_ENTRY_DATA, 0x4e00 + vector);
    ctrl = qpci_io_readl(&d->dev, d->dev.msix_table_bar,
                         off + PCI_MSIX_ENTRY_VECTOR_CTRL);
    qpci_io_writel(&d->dev, d->dev.msix_table_bar,
                   off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

bool qena_msix_take(QEna *d, uint16_t vector)
{
    QTestState *qts = d->dev.bus->qts;

    g_assert(d->msix_word[vector]);
    if (qtest_readl(qts, d->msix_word[vector]) != 0x4e00u + vector) {
        return false;
    }
    qtest_writel(qts, d->msix_word[vector], 0);
    return true;
}

uint64_t qena_alloc_zeroed(QEna *d, size_t size)
{
    uint64_t addr = guest_alloc(d->alloc, size);

    qtest_memset(d->dev.bus->qts, addr, 0, size);
    return addr;
}

void qena_admin_init(QEna *d, bool polling)
{
    d->aq = qena_alloc_zeroed(d, QENA_AQ_DEPTH * ENA_ADMIN_ENTRY_SIZE);
    d->acq = qena_alloc_zeroed(d, QENA_AQ_DEPTH * ENA_ADMIN_ENTRY_SIZE);
    d->aenq = qena_alloc_zeroed(d, QENA_AENQ_DEPTH * ENA_ADMIN_ENTRY_SIZE);
    d->aq_tail = d->acq_head = d->aenq_head = d->cmd_id = 0;

    qena_writel(d, ENA_REGS_AQ_BASE_LO_OFF, (uint32_t)d->aq);
    qena_writel(d, ENA_REGS_AQ_BASE_HI_OFF, d->aq >> 32);
    qena_writel(d, ENA_REGS_ACQ_BASE_LO_OFF, (uint32_t)d->acq);
    qena_writel(d, ENA_REGS_ACQ_BASE_HI_OFF, d->acq >> 32);
    qena_writel(d, ENA_REGS_AQ_CAPS_OFF, 0x00400020);
    qena_writel(d, ENA_REGS_ACQ_CAPS_OFF, 0x00400020);
    qena_writel(d, ENA_REGS_AENQ_BASE_LO_OFF, (uint32_t)d->aenq);
    qena_writel(d, ENA_REGS_AENQ_BASE_HI_OFF, d->aenq >> 32);
    qena_writel(d, ENA_REGS_AENQ_CAPS_OFF, 0x00400010);
    qena_writel(d, ENA_REGS_INTR_MASK_OFF, polling);
}

uint16_t qena_admin_submit(QEna *d, EnaAdminAqEntry *cmd)
{
    QTestState *qts = d->dev.bus->qts;
    uint16_t slot = d->aq_tail & (QENA_AQ_DEPTH - 1);
    uint16_t id = d->cmd_id++ & (QENA_AQ_DEPTH - 1);

    cmd->aq_common.command_id = cpu_to_le16(id);
    cmd->aq_common.flags &= ~ENA_ADMIN_AQ_COMMON_DESC_PHASE_MASK;
    cmd->aq_common.flags |= !((d->aq_tail / QENA_AQ_DEPTH) & 1);
    qtest_memwrite(qts, d->aq + slot * ENA_ADMIN_ENTRY_SIZE, cmd,
                   sizeof(*cmd));
    d->aq_tail++;
    qena_writel(d, ENA_REGS_AQ_DB_OFF, d->aq_tail);
    return id;
}

bool qena_admin_poll(QEna *d, EnaAdminAcqEntry *resp, uint64_t timeout_ns)
{
    QTestState *qts = d->dev.bus->qts;
    uint64_t addr = d->acq + (d->acq_head & (QENA_AQ_DEPTH - 1)) *
                    ENA_ADMIN_ENTRY_SIZE;
    uint8_t phase = !((d->acq_head / QENA_AQ_DEPTH) & 1);
    uint64_t waited = 0;

    for (;;) {
        qtest_memread(qts, addr, resp, sizeof(*resp));
        if ((resp->acq_common.flags & ENA_ADMIN_ACQ_COMMON_DESC_PHASE_MASK)
            == phase) {
            d->acq_head++;
            return true;
        }
        if (waited >= timeout_ns) {
            return false;
        }
        qtest_clock_step(qts, QENA_POLL_NS);
        waited += QENA_POLL_NS;
    }
}

uint8_t qena_admin_exec(QEna *d, EnaAdminAqEntry *cmd,
                        EnaAdminAcqEntry *resp)
{
    uint16_t id = qena_admin_submit(d, cmd);

    g_assert_true(qena_admin_poll(d, resp, QENA_ADMIN_TIMEOUT_NS));
    g_assert_cmpint(le16_to_cpu(resp->acq_common.command) &
                    ENA_ADMIN_ACQ_COMMON_DESC_COMMAND_ID_MASK, ==, id);
    return resp->acq_common.status;
}

void qena_addr48(EnaAddr48 *a, uint64_t addr)
{
    a->lo = cpu_to_le32((uint32_t)addr);
    a->hi = cpu_to_le16(addr >> 32);
    a->reserved = 0;
}

static void qena_feature_cmd(EnaAdminGetSetFeatureCmd *c, uint8_t opcode,
                             uint8_t id, uint64_t buf, uint32_t buf_len)
{
    memset(c, 0, sizeof(*c));
    c->aq_common.opcode = opcode;
    c->feature_id = id;
    if (buf) {
        c->aq_common.flags = ENA_ADMIN_AQ_COMMON_DESC_CTRL_DATA_INDIRECT_MASK;
        c->ctrl.length = cpu_to_le32(buf_len);
        qena_addr48(&c->ctrl.address, buf);
    }
}

uint8_t qena_get_feature(QEna *d, uint8_t id, uint8_t version,
                         uint64_t buf, uint32_t buf_len, void *out,
                         size_t out_len)
{
    EnaAdminGetSetFeatureCmd c;
    EnaAdminAcqEntry r;
    uint8_t st;

    qena_feature_cmd(&c, ENA_ADMIN_GET_FEATURE, id, buf, buf_len);
    c.feature_version = version;
    st = qena_admin_exec(d, (EnaAdminAqEntry *)&c, &r);
    if (out) {
        g_assert_cmpint(out_len, <=, sizeof(r.data));
        memcpy(out, r.data, out_len);
    }
    return st;
}

uint8_t qena_set_feature(QEna *d, uint8_t id, const void *payload,
                         size_t len, uint64_t buf, uint32_t buf_len)
{
    EnaAdminGetSetFeatureCmd c;
    EnaAdminAcqEntry r;

    qena_feature_cmd(&c, ENA_ADMIN_SET_FEATURE, id, buf, buf_len);
    g_assert_cmpint(len, <=, sizeof(c.payload));
    memcpy(c.payload, payload, len);
    return qena_admin_exec(d, (EnaAdminAqEntry *)&c, &r);
}

uint8_t qena_get_stats(QEna *d, uint8_t type, uint64_t buf, uint32_t len,
                       uint64_t metrics, EnaAdminAcqEntry *r)
{
    EnaAdminGetStatsCmd c = {
        .aq_common.opcode = ENA_ADMIN_GET_STATS,
        .type = type,
        .requested_metrics = cpu_to_le64(metrics),
    };
    /* the command is 32 bytes; the AQ entry written is 64 (ASan) */
    EnaAdminAqEntry e = { 0 };

    c.ctrl.length = cpu_to_le32(len);
    qena_addr48(&c.ctrl.address, buf);
    memcpy(&e, &c, sizeof(c));
    return qena_admin_exec(d, &e, r);
}

bool qena_aenq_take(QEna *d, EnaAdminAenqEntry *e)
{
    QTestState *qts = d->dev.bus->qts;
    uint64_t addr = d->aenq + (d->aenq_head & (QENA_AENQ_DEPTH - 1)) *
                    ENA_ADMIN_ENTRY_SIZE;
    uint8_t phase = !((d->aenq_head / QENA_AENQ_DEPTH) & 1);

    qtest_memread(qts, addr, e, sizeof(*e));
    if ((e->aenq_common.flags & ENA_ADMIN_AENQ_COMMON_DESC_PHASE_MASK) !=
        phase) {
        return false;
    }
    d->aenq_head++;
    return true;
}

void qena_aenq_ack(QEna *d)
{
    qena_writel(d, ENA_REGS_AENQ_HEAD_DB_OFF,
                (uint16_t)(d->aenq_head + QENA_AENQ_DEPTH));
}

static void *qena_get_driver(void *obj, const char *interface)
{
    QEna *d = obj;

    if (!g_strcmp0(interface, "pci-device")) {
        return &d->dev;
    }
    fprintf(stderr, "%s not present in ena\n", interface);
    g_assert_not_reached();
}

static void qena_start_hw(QOSGraphObject *obj)
{
    QEna *d = (QEna *)obj;

    qpci_device_enable(&d->dev);
    qpci_msix_enable(&d->dev);
}

static void qena_destructor(QOSGraphObject *obj)
{
    QEna *d = (QEna *)obj;

    qpci_iounmap(&d->dev, d->bar);
    if (d->dev.msix_enabled) {
        qpci_msix_disable(&d->dev);
    }
}

void qena_init(QEna *d, QPCIBus *bus, QPCIAddress *addr,
               QGuestAllocator *alloc)
{
    qpci_device_init(&d->dev, bus, addr);
    d->bar = qpci_iomap(&d->dev, ENA_REG_BAR, NULL);
    d->alloc = alloc;
    d->resp = guest_alloc(alloc, 8);
}

static void *qena_create(void *pci_bus, QGuestAllocator *alloc, void *addr)
{
    QEna *d = g_new0(QEna, 1);

    qena_init(d, pci_bus, addr, alloc);
    d->obj.get_driver = qena_get_driver;
    d->obj.start_hw = qena_start_hw;
    d->obj.destructor = qena_destructor;
    return &d->obj;
}

static void qena_register_nodes(void)
{
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(4, 0),
        .vendor_id = PCI_VENDOR_ID_AMAZON,
        /* no device id: tests select the others with device-id= */
    };
    QOSGraphEdgeOptions opts = {
        /* the instant baseline; ena-timing-test covers the timed model */
        .extra_device_opts = "addr=04.0,netdev=hs0,timing=off",
    };

    add_qpci_address(&opts, &addr);
    qos_node_create_driver("ena", qena_create);
    qos_node_consumes("ena", "pci-bus", &opts);
    qos_node_produces("ena", "pci-device");
}

libqos_init(qena_register_nodes);

/* CREATE_CQ / CREATE_SQ (host placement), as bad-input tests vary them */
uint8_t qena_create_cq(QEna *d, uint16_t depth, uint32_t vector,
                       uint8_t words, uint64_t ba, EnaAdminCreateCqResp *out)
{
    EnaAdminAqEntry c = { 0 };
    EnaAdminCreateCqCmd *cq = (EnaAdminCreateCqCmd *)&c;
    EnaAdminAcqEntry r;
    uint8_t st;

    cq->aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cq->cq_caps_1 = ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK;
    cq->cq_caps_2 = words;
    cq->cq_depth = cpu_to_le16(depth);
    cq->msix_vector = cpu_to_le32(vector);
    qena_addr48(&cq->cq_ba, ba);
    st = qena_admin_exec(d, &c, &r);
    if (out) {
        memcpy(out, &r, sizeof(*out));
    }
    return st;
}

uint8_t qena_create_sq(QEna *d, uint8_t dir, uint16_t cq_idx,
                       uint16_t depth, uint64_t ba,
                       EnaAdminCreateSqResp *out)
{
    EnaAdminAqEntry c = { 0 };
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)&c;
    EnaAdminAcqEntry r;
    uint8_t st;

    sq->aq_common.opcode = ENA_ADMIN_CREATE_SQ;
    sq->sq_identity = dir << ENA_ADMIN_SQ_DIRECTION_SHIFT;
    sq->sq_caps_2 = ENA_ADMIN_PLACEMENT_POLICY_HOST;
    sq->sq_caps_3 = ENA_ADMIN_SQ_IS_PHYSICALLY_CONTIGUOUS_MASK;
    sq->cq_idx = cpu_to_le16(cq_idx);
    sq->sq_depth = cpu_to_le16(depth);
    qena_addr48(&sq->sq_ba, ba);
    st = qena_admin_exec(d, &c, &r);
    if (out) {
        memcpy(out, &r, sizeof(*out));
    }
    return st;
}

/* ---- IO queues --------------------------------------------------------- */

static uint32_t qena_io_phase(uint16_t ctr)
{
    return !((ctr / QENA_IO_DEPTH) & 1);
}

void qena_io_queue(QEna *d, QEnaIoQueue *q, uint8_t dir, uint32_t vector,
                   uint8_t placement)
{
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    EnaAdminCreateCqCmd *cq = (EnaAdminCreateCqCmd *)&c;
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)&c;
    EnaAdminCreateCqResp *cqr = (EnaAdminCreateCqResp *)&r;
    EnaAdminCreateSqResp *sqr = (EnaAdminCreateSqResp *)&r;

    memset(q, 0, sizeof(*q));
    q->cq_entry = dir == ENA_ADMIN_SQ_DIRECTION_TX ? 8 : 16;
    q->cq = qena_alloc_zeroed(d, QENA_IO_DEPTH * q->cq_entry);
    q->sq = qena_alloc_zeroed(d, QENA_IO_DEPTH * 16);

    cq->aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cq->cq_caps_1 = ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK;
    cq->cq_caps_2 = q->cq_entry / 4;
    cq->cq_depth = cpu_to_le16(QENA_IO_DEPTH);
    cq->msix_vector = cpu_to_le32(vector);
    qena_addr48(&cq->cq_ba, q->cq);
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, 0);
    q->cq_idx = le16_to_cpu(cqr->cq_idx);
    q->unmask = le32_to_cpu(cqr->cq_interrupt_unmask_register_offset);

    memset(&c, 0, sizeof(c));
    sq->aq_common.opcode = ENA_ADMIN_CREATE_SQ;
    sq->sq_identity = dir << ENA_ADMIN_SQ_DIRECTION_SHIFT;
    sq->sq_caps_2 = placement;
    sq->sq_caps_3 = ENA_ADMIN_SQ_IS_PHYSICALLY_CONTIGUOUS_MASK;
    sq->cq_idx = cpu_to_le16(q->cq_idx);
    sq->sq_depth = cpu_to_le16(QENA_IO_DEPTH);
    if (placement == ENA_ADMIN_PLACEMENT_POLICY_HOST) {
        qena_addr48(&sq->sq_ba, q->sq);
    }
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, 0);
    q->sq_idx = le16_to_cpu(sqr->sq_idx);
    q->db = le32_to_cpu(sqr->sq_doorbell_offset);
    q->llq_off = le32_to_cpu(sqr->llq_descriptors_offset);
}

void qena_tx_push(QEna *d, QEnaIoQueue *q, const EnaEthIoTxDesc *desc)
{
    EnaEthIoTxDesc x = *desc;

    x.len_ctrl = cpu_to_le32(le32_to_cpu(x.len_ctrl) |
                             (qena_io_phase(q->tail) <<
                              ENA_ETH_IO_TX_DESC_PHASE_SHIFT));
    qtest_memwrite(d->dev.bus->qts,
                   q->sq + (q->tail & (QENA_IO_DEPTH - 1)) * 16, &x,
                   sizeof(x));
    q->tail++;
}

void qena_tso_meta(EnaEthIoTxDesc *meta, uint8_t l3_len, uint8_t l3_off,
                   uint8_t l4_words, uint16_t mss)
{
    memset(meta, 0, sizeof(*meta));
    meta->len_ctrl = cpu_to_le32(ENA_ETH_IO_TX_DESC_META_DESC_MASK |
                                 ENA_ETH_IO_TX_META_DESC_META_STORE_MASK |
                                 ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK |
                                 ENA_ETH_IO_TX_DESC_FIRST_MASK |
                                 ((mss >> 10) <<
                                  ENA_ETH_IO_TX_META_DESC_MSS_HI_SHIFT));
    meta->buff_addr_lo = cpu_to_le32(l3_len | (l3_off << 8) |
                                     (l4_words << 16) |
                                     ((mss & 0x3ff) <<
                                      ENA_ETH_IO_TX_META_DESC_MSS_LO_SHIFT));
}

void qena_tx_packet(QEna *d, QEnaIoQueue *q, uint16_t req_id,
                    const uint64_t *bufs, const uint16_t *lens, int nbufs,
                    uint32_t meta_ctrl, const EnaEthIoTxDesc *meta)
{
    EnaEthIoTxDesc x;

    if (meta) {
        qena_tx_push(d, q, meta);
    }
    for (int i = 0; i < nbufs; i++) {
        memset(&x, 0, sizeof(x));
        x.len_ctrl = lens[i];
        if (i == 0) {
            x.len_ctrl |= ((req_id >> 10) << ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT)
                          | ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
                          (meta ? 0 : ENA_ETH_IO_TX_DESC_FIRST_MASK);
            x.meta_ctrl = cpu_to_le32(meta_ctrl |
                                      ((req_id & 0x3ff) <<
                                       ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT));
        }
        if (i == nbufs - 1) {
            x.len_ctrl |= ENA_ETH_IO_TX_DESC_LAST_MASK;
        }
        x.len_ctrl = cpu_to_le32(x.len_ctrl);
        x.buff_addr_lo = cpu_to_le32((uint32_t)bufs[i]);
        x.buff_addr_hi_hdr_sz = cpu_to_le32(bufs[i] >> 32);
        qena_tx_push(d, q, &x);
    }
}

bool qena_tx_cmpl(QEna *d, QEnaIoQueue *q, uint16_t *req_id)
{
    EnaEthIoTxCdesc cd;

    qtest_memread(d->dev.bus->qts,
                  q->cq + (q->head & (QENA_IO_DEPTH - 1)) * 8, &cd,
                  sizeof(cd));
    if ((cd.flags & ENA_ETH_IO_TX_CDESC_PHASE_MASK) !=
        qena_io_phase(q->head)) {
        return false;
    }
    q->head++;
    *req_id = le16_to_cpu(cd.req_id);
    return true;
}

uint64_t qena_rx_post(QEna *d, QEnaIoQueue *q, uint16_t req_id,
                      uint16_t len)
{
    EnaEthIoRxDesc x = { 0 };
    uint64_t buf = qena_alloc_zeroed(d, len);

    x.length = cpu_to_le16(len);
    x.ctrl = ENA_ETH_IO_RX_DESC_FIRST_MASK | ENA_ETH_IO_RX_DESC_LAST_MASK |
             ENA_ETH_IO_RX_DESC_COMP_REQ_MASK | qena_io_phase(q->tail);
    x.req_id = cpu_to_le16(req_id);
    x.buff_addr_lo = cpu_to_le32((uint32_t)buf);
    x.buff_addr_hi = cpu_to_le16(buf >> 32);
    qtest_memwrite(d->dev.bus->qts,
                   q->sq + (q->tail & (QENA_IO_DEPTH - 1)) * 16, &x,
                   sizeof(x));
    q->tail++;
    return buf;
}

bool qena_rx_cmpl(QEna *d, QEnaIoQueue *q, EnaEthIoRxCdesc *cd)
{
    qtest_memread(d->dev.bus->qts,
                  q->cq + (q->head & (QENA_IO_DEPTH - 1)) * 16, cd,
                  sizeof(*cd));
    if (!!(le32_to_cpu(cd->status) & ENA_ETH_IO_RX_CDESC_PHASE_MASK) !=
        qena_io_phase(q->head)) {
        return false;
    }
    q->head++;
    return true;
}

void qena_sq_doorbell(QEna *d, QEnaIoQueue *q)
{
    qena_writel(d, q->db, q->tail);
}
