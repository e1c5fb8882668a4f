/*
 * AWS Elastic Network Adapter: admin queue
 *
 * The admin submission and completion queues, the IO queue commands,
 * GET/SET_FEATURE and GET_STATS.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "hw/pci/pci_device.h"
#include "hw/net/net_tx_pkt.h"
#include "ena_internal.h"
#include "trace.h"

/* Until a driver sets one, hash with the common default Toeplitz key. */
const uint8_t ena_rss_default_key[ENA_RSS_KEY_SIZE] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
    0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
    0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

const uint16_t ena_rss_supported_fields[ENA_ADMIN_RSS_PROTO_NUM] = {
    [ENA_ADMIN_RSS_TCP4] = 0x3c, [ENA_ADMIN_RSS_UDP4] = 0x3c,
    [ENA_ADMIN_RSS_TCP6] = 0x3c, [ENA_ADMIN_RSS_UDP6] = 0x3c,
    [ENA_ADMIN_RSS_IP4] = 0x0c, [ENA_ADMIN_RSS_IP6] = 0x0c,
    [ENA_ADMIN_RSS_IP4_FRAG] = 0x0c, [ENA_ADMIN_RSS_NOT_IP] = 0x03,
    [ENA_ADMIN_RSS_TCP6_EX] = 0x3c, [ENA_ADMIN_RSS_IP6_EX] = 0x0c,
};

/* ---- admin queue: doorbell ------------------------------------------- */

/* Are the AQ and ACQ programmed well enough to be used? */
static bool ena_admin_configured(ENACore *core)
{
    uint16_t depth = ena_q_depth(core->aq_caps);

    return depth && is_power_of_2(depth) && depth <= ENA_MAX_ADMIN_DEPTH &&
           ena_q_entry_size(core->aq_caps) == ENA_ADMIN_ENTRY_SIZE &&
           core->aq_base && core->acq_base &&
           ena_q_depth(core->acq_caps) == depth &&
           ena_q_entry_size(core->acq_caps) == ENA_ADMIN_ENTRY_SIZE;
}

/*
 * Timing: one admin command takes the read of its entry (a PCIe round
 * trip), the device's work on it, and the posted write of its completion.
 */
static int64_t ena_admin_cmd_ns(ENACore *core)
{
    if (!core->params.timing) {
        return 0;
    }
    return 3 * (int64_t)core->params.pcie_latency_ns +
           core->params.admin_latency_ns;
}

static void ena_admin_not_configured(ENACore *core, uint16_t tail)
{
    ENA_GUEST_ERR(ena_ub_aq_not_configured,
                  "AQ doorbell %u with admin queue not configured "
                  "(AQ caps 0x%x ACQ caps 0x%x)", tail,
                  core->aq_caps, core->acq_caps);
    ena_set_fatal(core, "admin queue not configured", core->aq_base);
}

void ena_aq_doorbell(ENACore *core, uint16_t tail)
{
    uint16_t depth = ena_q_depth(core->aq_caps);

    if (!ena_admin_configured(core)) {
        ena_admin_not_configured(core, tail);
        return;
    }
    if ((uint16_t)(tail - core->aq_head) > depth) {
        ENA_GUEST_ERR(ena_ub_aq_db_jump,
                      "AQ doorbell %u jumps past the ring (head %u depth %u)",
                      tail, core->aq_head, depth);
        ena_set_fatal(core, "AQ doorbell past the ring", core->aq_base);
        return;
    }
    trace_ena_aq_doorbell(tail);
    core->aq_tail = tail;
    /*
     * On the virtual clock even when instant: a bottom half would run
     * whenever the host's main loop got to it, which -icount and
     * record/replay cannot reproduce.
     */
    if (!timer_pending(core->aq_timer)) {
        timer_mod(core->aq_timer, ena_now() + ena_admin_cmd_ns(core));
    }
}

/* ---- admin queue: IO queue commands ---------------------------------- */

static int ena_alloc_idx(ENACore *core, bool cq)
{
    for (int i = 0; i < (cq ? ENA_MAX_IO_CQ : ENA_MAX_IO_SQ); i++) {
        if (!(cq ? core->cq[i].valid : core->sq[i].valid)) {
            return i;
        }
    }
    return -1;
}

static uint8_t ena_cmd_create_cq(ENACore *core, const EnaAdminAqEntry *cmd,
                                 EnaAdminAcqEntry *resp)
{
    EnaAdminCreateCqCmd c;
    EnaAdminCreateCqResp *r = (EnaAdminCreateCqResp *)resp;
    uint16_t depth;
    uint32_t vector;
    uint8_t words;
    uint64_t ba;
    bool irq;
    int idx;

    memcpy(&c, cmd, sizeof(c));
    depth = le16_to_cpu(c.cq_depth);
    vector = le32_to_cpu(c.msix_vector);
    words = c.cq_caps_2 & ENA_ADMIN_AQ_CREATE_CQ_CMD_CQ_ENTRY_SIZE_WORDS_MASK;
    ba = ena_addr48(&c.cq_ba);

    if (!ena_depth_ok(core, depth)) {
        ENA_GUEST_ERR(ena_ub_cq_depth, "CREATE_CQ depth %u: not a power of "
                      "two in [2, %u]", depth, core->params.max_depth);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    if (words != 2 && words != 4 && words != 8) {
        ENA_GUEST_ERR(ena_ub_cq_entry_size, "CREATE_CQ entry size %u words",
                      words);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    /*
     * Polling drivers (DPDK) keep interrupt mode set and pass vector
     * 0xffffffff for "none": such a CQ is written but never signals.
     */
    irq = (c.cq_caps_1 &
           ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK) &&
          vector != ENA_ADMIN_CQ_NO_MSIX_VECTOR;
    if (irq && (vector == 0 || vector >= core->nr_vectors)) {
        ENA_GUEST_ERR(ena_ub_cq_vector, "CREATE_CQ MSI-X vector %u not in "
                      "[1, %u)", vector, core->nr_vectors);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    if (!ena_dma_ok(core, ba, (uint64_t)depth * words * 4)) {
        ENA_GUEST_ERR(ena_ub_cq_addr, "CREATE_CQ ring address 0x%" PRIx64,
                      ba);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    idx = ena_alloc_idx(core, true);
    if (idx < 0) {
        return ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
    }

    core->cq[idx] = (ENAIoCq) {
        .valid = true,
        .entry_size = words * 4,
        .depth = depth,
        .vector = irq ? vector : ENA_CQ_NO_IRQ,
        .ba = ba,
    };
    r->cq_idx = cpu_to_le16(idx);
    r->cq_actual_depth = cpu_to_le16(depth);
    r->numa_node_register_offset =
        cpu_to_le32(ENA_CQ_NUMA_BASE + idx * ENA_PER_QUEUE_STRIDE);
    r->cq_head_db_register_offset = 0;
    r->cq_interrupt_unmask_register_offset =
        cpu_to_le32(ENA_CQ_UNMASK_BASE + idx * ENA_PER_QUEUE_STRIDE);
    trace_ena_create_cq(idx, depth, words * 4, vector, ba);
    return ENA_ADMIN_SUCCESS;
}

static unsigned ena_count_sq(ENACore *core, uint8_t direction)
{
    unsigned n = 0;

    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        n += core->sq[i].valid && core->sq[i].direction == direction;
    }
    return n;
}

static uint8_t ena_cmd_create_sq(ENACore *core, const EnaAdminAqEntry *cmd,
                                 EnaAdminAcqEntry *resp)
{
    EnaAdminCreateSqCmd c;
    EnaAdminCreateSqResp *r = (EnaAdminCreateSqResp *)resp;
    uint8_t dir, placement, policy;
    uint16_t depth, cq_idx;
    uint64_t ba;
    ENAIoSq *sq;
    bool llq = false;
    unsigned slot = 0;
    int idx;

    memcpy(&c, cmd, sizeof(c));
    dir = (c.sq_identity & ENA_ADMIN_SQ_DIRECTION_MASK) >>
          ENA_ADMIN_SQ_DIRECTION_SHIFT;
    placement = c.sq_caps_2 & ENA_ADMIN_SQ_PLACEMENT_POLICY_MASK;
    policy = (c.sq_caps_2 & ENA_ADMIN_SQ_COMPLETION_POLICY_MASK) >>
             ENA_ADMIN_SQ_COMPLETION_POLICY_SHIFT;
    depth = le16_to_cpu(c.sq_depth);
    cq_idx = le16_to_cpu(c.cq_idx);
    ba = ena_addr48(&c.sq_ba);

    if (dir != ENA_ADMIN_SQ_DIRECTION_TX && dir != ENA_ADMIN_SQ_DIRECTION_RX) {
        ENA_GUEST_ERR(ena_ub_sq_direction, "CREATE_SQ direction %u", dir);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    if (placement == ENA_ADMIN_PLACEMENT_POLICY_DEV) {
        llq = true;
        if (dir != ENA_ADMIN_SQ_DIRECTION_TX || !core->llq_set ||
            !core->llq_mem) {
            ENA_GUEST_ERR(ena_ub_sq_placement, "CREATE_SQ placement %u: "
                          "device placement needs a TX SQ and LLQ set up",
                          placement);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        if (depth > ENA_LLQ_MAX_DEPTH) {
            ENA_GUEST_ERR(ena_ub_sq_depth, "CREATE_SQ depth %u: more than "
                          "the LLQ depth %u", depth, ENA_LLQ_MAX_DEPTH);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
    } else if (placement != ENA_ADMIN_PLACEMENT_POLICY_HOST) {
        ENA_GUEST_ERR(ena_ub_sq_placement, "CREATE_SQ placement %u: not "
                      "host (1) or device (3)", placement);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    if (policy != ENA_ADMIN_COMPLETION_POLICY_DESC) {
        qemu_log_mask(LOG_UNIMP, "ena: completion policy %u\n", policy);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    if (!ena_depth_ok(core, depth)) {
        ENA_GUEST_ERR(ena_ub_sq_depth, "CREATE_SQ depth %u: not a power of "
                      "two in [2, %u]", depth, core->params.max_depth);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    if (cq_idx >= ENA_MAX_IO_CQ || !core->cq[cq_idx].valid) {
        ENA_GUEST_ERR(ena_ub_sq_cq, "CREATE_SQ with CQ %u that does not "
                      "exist", cq_idx);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        if (core->sq[i].valid && core->sq[i].cq_idx == cq_idx) {
            ENA_GUEST_ERR(ena_ub_sq_cq_busy, "CREATE_SQ with CQ %u already "
                          "used by SQ %d", cq_idx, i);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
    }
    if (!llq &&
        !ena_dma_ok(core, ba, (uint64_t)depth * sizeof(EnaEthIoTxDesc))) {
        ENA_GUEST_ERR(ena_ub_sq_addr, "CREATE_SQ ring address 0x%" PRIx64,
                      ba);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    idx = ena_alloc_idx(core, false);
    if (idx < 0 || ena_count_sq(core, dir) >= core->params.queues) {
        return ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
    }
    if (llq) {
        /* TX SQs never outnumber the windows, one per queue pair */
        slot = ctz32(~core->llq_slots);
        if (slot >= core->params.queues) {
            return ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
        }
        core->llq_slots |= BIT(slot);
        ba = 0;
    }

    sq = &core->sq[idx];
    *sq = (ENAIoSq) {
        .valid = true,
        .direction = dir,
        .cq_idx = cq_idx,
        .depth = depth,
        .ba = ba,
        .llq = llq,
        .llq_slot = slot,
    };
    if (dir == ENA_ADMIN_SQ_DIRECTION_TX) {
        net_tx_pkt_init(&sq->tx_pkt, ENA_MAX_PKT_DESCS + 1);
    }
    r->sq_idx = cpu_to_le16(idx);
    if (llq) {
        r->llq_descriptors_offset = cpu_to_le32(slot * ENA_LLQ_SQ_WINDOW);
        trace_ena_create_sq_llq(idx, slot * ENA_LLQ_SQ_WINDOW);
    }
    r->sq_doorbell_offset =
        cpu_to_le32(ENA_SQ_DB_BASE + idx * ENA_PER_QUEUE_STRIDE);
    trace_ena_create_sq(idx, dir, depth, cq_idx, ba);
    return ENA_ADMIN_SUCCESS;
}

static uint8_t ena_cmd_destroy_sq(ENACore *core, const EnaAdminAqEntry *cmd)
{
    EnaAdminDestroySqCmd c;
    uint16_t idx;
    uint8_t dir;

    memcpy(&c, cmd, sizeof(c));
    idx = le16_to_cpu(c.sq_idx);
    dir = (c.sq_identity & ENA_ADMIN_SQ_DIRECTION_MASK) >>
          ENA_ADMIN_SQ_DIRECTION_SHIFT;
    if (idx >= ENA_MAX_IO_SQ || !core->sq[idx].valid ||
        core->sq[idx].direction != dir) {
        ENA_GUEST_ERR(ena_ub_destroy_sq, "DESTROY_SQ %u direction %u: no "
                      "such queue", idx, dir);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    ena_sq_free(core, &core->sq[idx]);
    trace_ena_destroy_sq(idx);
    return ENA_ADMIN_SUCCESS;
}

static uint8_t ena_cmd_destroy_cq(ENACore *core, const EnaAdminAqEntry *cmd)
{
    EnaAdminDestroyCqCmd c;
    uint16_t idx;

    memcpy(&c, cmd, sizeof(c));
    idx = le16_to_cpu(c.cq_idx);
    if (idx >= ENA_MAX_IO_CQ || !core->cq[idx].valid) {
        ENA_GUEST_ERR(ena_ub_destroy_cq, "DESTROY_CQ %u: no such queue", idx);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        if (core->sq[i].valid && core->sq[i].cq_idx == idx) {
            ENA_GUEST_ERR(ena_ub_destroy_cq_busy, "DESTROY_CQ %u still used by "
                          "SQ %d", idx, i);
            return ENA_ADMIN_RESOURCE_BUSY;
        }
    }
    memset(&core->cq[idx], 0, sizeof(core->cq[idx]));
    trace_ena_destroy_cq(idx);
    return ENA_ADMIN_SUCCESS;
}

/* ---- admin queue: features ------------------------------------------- */

typedef struct ENAFeatCtx {
    const EnaAdminGetSetFeatureCmd *cmd;
    uint8_t *out;               /* GET payload: ACQ bytes 8..63 */
    uint32_t buf_len;
    uint64_t buf_addr;
} ENAFeatCtx;

/* Control buffers are flat at AQ bytes 4-15 whatever the flag bits say. */
static uint8_t ena_ctrl_buf_read(ENACore *core, ENAFeatCtx *f, void *dst,
                                 uint32_t len)
{
    if (f->buf_len < len || !f->buf_addr) {
        ENA_GUEST_ERR(ena_ub_ctrl_buf, "control buffer of %u bytes at 0x%"
                      PRIx64 ", %u needed", f->buf_len, f->buf_addr, len);
        return ENA_ADMIN_MALFORMED_REQUEST;
    }
    if (ena_dma_read(core, f->buf_addr, dst, len)) {
        ENA_GUEST_ERR(ena_err_ctrl_buf_dma, "control buffer read at 0x%"
                      PRIx64 " failed", f->buf_addr);
        return ENA_ADMIN_MALFORMED_REQUEST;
    }
    return ENA_ADMIN_SUCCESS;
}

static uint8_t ena_ctrl_buf_write(ENACore *core, ENAFeatCtx *f,
                                  const void *src, uint32_t len)
{
    if (ena_dma_write(core, f->buf_addr, src, MIN(len, f->buf_len))) {
        ENA_GUEST_ERR(ena_err_ctrl_buf_dma, "control buffer write at 0x%"
                      PRIx64 " failed", f->buf_addr);
        return ENA_ADMIN_MALFORMED_REQUEST;
    }
    return ENA_ADMIN_SUCCESS;
}

static void ena_hints_le(ENACore *core, EnaAdminHwHints *h)
{
    const EnaAdminHwHints *p = &core->params.hints;

    memset(h, 0, sizeof(*h));
    h->mmio_read_timeout = cpu_to_le16(p->mmio_read_timeout);
    h->driver_watchdog_timeout = cpu_to_le16(p->driver_watchdog_timeout);
    h->missing_tx_completion_timeout =
        cpu_to_le16(p->missing_tx_completion_timeout);
    h->missed_tx_completion_count_threshold_to_reset =
        cpu_to_le16(p->missed_tx_completion_count_threshold_to_reset);
    h->admin_completion_tx_timeout =
        cpu_to_le16(p->admin_completion_tx_timeout);
    h->netdev_wd_timeout = cpu_to_le16(p->netdev_wd_timeout);
    h->max_tx_sgl_size = cpu_to_le16(ENA_MAX_PKT_DESCS);
    h->max_rx_sgl_size = cpu_to_le16(ENA_MAX_PKT_DESCS);
}

static uint32_t ena_link_speed_bit(uint32_t mbps)
{
    static const struct { uint32_t mbps, bit; } map[] = {
        { 1000, ENA_ADMIN_LINK_SPEED_1G },
        { 2500, ENA_ADMIN_LINK_SPEED_2_HALF_G },
        { 5000, ENA_ADMIN_LINK_SPEED_5G },
        { 10000, ENA_ADMIN_LINK_SPEED_10G },
        { 25000, ENA_ADMIN_LINK_SPEED_25G },
        { 40000, ENA_ADMIN_LINK_SPEED_40G },
        { 50000, ENA_ADMIN_LINK_SPEED_50G },
        { 100000, ENA_ADMIN_LINK_SPEED_100G },
        { 200000, ENA_ADMIN_LINK_SPEED_200G },
        { 400000, ENA_ADMIN_LINK_SPEED_400G },
    };

    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (map[i].mbps == mbps) {
            return map[i].bit;
        }
    }
    return 0;
}

/* ---- PHC (PHC_CONFIG, the doorbell in BAR0) --------------------------- */

static uint8_t ena_phc_get(ENACore *core, ENAFeatCtx *f)
{
    EnaAdminPhcFeature d = {
        .version = ENA_ADMIN_PHC_FEATURE_VERSION_0,
        .doorbell_offset = cpu_to_le32(ENA_REGS_PHC_DB_OFF),
        .expire_timeout_usec = cpu_to_le32(core->params.phc_expire_us),
        .block_timeout_usec = cpu_to_le32(core->params.phc_block_us),
    };

    memcpy(f->out, &d, sizeof(d));
    return ENA_ADMIN_SUCCESS;
}

static uint8_t ena_phc_set(ENACore *core, ENAFeatCtx *f)
{
    EnaAdminPhcFeature d;
    uint64_t addr;
    uint32_t len;

    memcpy(&d, f->cmd->payload, sizeof(d));
    addr = ena_addr48(&d.output_address);
    len = le32_to_cpu(d.output_length);
    if (f->cmd->feature_version != ENA_ADMIN_PHC_FEATURE_VERSION_0) {
        ENA_GUEST_ERR(ena_ub_phc_version, "SET PHC_CONFIG version %u, "
                      "only 0", f->cmd->feature_version);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    if (len < sizeof(EnaAdminPhcResp) ||
        !ena_dma_ok(core, addr, sizeof(EnaAdminPhcResp))) {
        ENA_GUEST_ERR(ena_ub_phc_set, "SET PHC_CONFIG response at 0x%"
                      PRIx64 " of %u bytes: need %u addressable bytes",
                      addr, len, (uint32_t)sizeof(EnaAdminPhcResp));
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
    /* a response for the old address must not land in the new one */
    timer_del(core->phc_timer);
    core->phc_pending = false;
    core->phc_addr = addr;
    trace_ena_phc_config(addr, len);
    return ENA_ADMIN_SUCCESS;
}

static void ena_phc_write(ENACore *core)
{
    EnaAdminPhcResp r = {
        .req_id = cpu_to_le16(core->phc_req_id),
        .timestamp = cpu_to_le64(core->phc_stamp),
        .error_bound = cpu_to_le32(core->params.phc_error_bound_ns),
        .error_flags = cpu_to_le32(core->phc_flags),
    };

    core->phc_pending = false;
    /* the req_id word last: it tells the driver the rest is there */
    if (ena_write_entry(core, core->phc_addr, (const uint8_t *)&r,
                        sizeof(r), 0)) {
        core->phc_dma_errors++;
        ENA_GUEST_ERR(ena_err_phc_dma, "PHC response req_id %u to 0x%"
                      PRIx64 " failed", core->phc_req_id, core->phc_addr);
        return;
    }
    core->phc_responses++;
    trace_ena_phc_resp(core->phc_req_id, core->phc_stamp, core->phc_flags);
}

static void ena_phc_timer_run(void *opaque)
{
    ENACore *core = opaque;

    if (core->phc_pending && !ena_fatal(core)) {
        ena_phc_write(core);
    }
}

void ena_phc_timer_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_phc_timer_run, opaque);
}

/*
 * A doorbell: sample the clock now, write {req_id, timestamp, error
 * bound, flags} to the configured address, req_id last. With timing it
 * is a posted write of 64 bytes (docs/timing.md); faults may drop it,
 * flag it as failed, or hold it back.
 */
void ena_phc_doorbell(ENACore *core, uint32_t val)
{
    uint16_t req_id = val & ENA_REGS_PHC_DB_REQ_ID_MASK;
    const ENAFaultRule *fr;
    int64_t now = ena_now();
    int64_t due = now;

    if (!core->phc_addr) {
        ENA_GUEST_ERR(ena_ub_phc_no_addr, "PHC doorbell req_id %u before "
                      "SET PHC_CONFIG", req_id);
        return;
    }
    if (ena_fatal(core)) {
        return;         /* a failed device answers nothing */
    }
    core->phc_requests++;
    if (core->phc_pending) {
        trace_ena_phc_replaced(core->phc_req_id, req_id);
    }
    timer_del(core->phc_timer);
    core->phc_pending = false;
    fr = ena_fault_fire(&core->faults, ENA_FAULT_PHC, ENA_FA_ANY,
                        ENA_FAULT_ANY, ENA_FAULT_ANY);
    trace_ena_phc_doorbell(req_id, now);
    if (fr && fr->action == ENA_FA_DROP) {
        return;
    }
    core->phc_req_id = req_id;
    core->phc_stamp = now;
    core->phc_flags = (fr && fr->action == ENA_FA_ERROR) ? fr->value : 0;
    if (core->params.timing) {
        ena_pace_take(&core->dma_wr, now, sizeof(EnaAdminPhcResp) * 8,
                      (uint64_t)core->params.dma_mbps * 1000);
        due = core->dma_wr.free_at + core->params.pcie_latency_ns;
    }
    if (fr && fr->action == ENA_FA_DELAY) {
        due += fr->value;
    }
    core->phc_pending = true;
    core->phc_due = due;
    if (due <= now) {
        ena_phc_write(core);
    } else {
        timer_mod(core->phc_timer, due);
    }
}

static uint8_t ena_feat_get(ENACore *core, ENAFeatCtx *f, uint8_t id)
{
    const ENAParams *p = &core->params;

    switch (id) {
    case ENA_ADMIN_DEVICE_ATTRIBUTES: {
        EnaAdminDeviceAttrFeature a = {
            .impl_id = 0,
            .device_version = cpu_to_le32(ENA_VERSION_VALUE),
            .supported_features = cpu_to_le32(ena_features(core)),
            .capabilities = cpu_to_le32(ENA_CAPABILITIES),
            .phys_addr_width = cpu_to_le32(p->dma_width),
            .virt_addr_width = cpu_to_le32(48),
            .max_mtu = cpu_to_le32(p->max_mtu),
        };
        memcpy(a.mac_addr, core->mac, sizeof(a.mac_addr));
        memcpy(f->out, &a, sizeof(a));
        break;
    }
    case ENA_ADMIN_MAX_QUEUES_NUM: {
        EnaAdminMaxQueuesFeature q = {
            .max_sq_num = cpu_to_le32(p->queues),
            .max_sq_depth = cpu_to_le32(p->max_depth),
            .max_cq_num = cpu_to_le32(p->queues),
            .max_cq_depth = cpu_to_le32(p->max_depth),
            .max_header_size = cpu_to_le32(ENA_MAX_TX_HEADER_SIZE),
            .max_packet_tx_descs = cpu_to_le16(ENA_MAX_PKT_DESCS),
            .max_packet_rx_descs = cpu_to_le16(ENA_MAX_PKT_DESCS),
        };
        memcpy(f->out, &q, sizeof(q));
        break;
    }
    case ENA_ADMIN_MAX_QUEUES_EXT: {
        EnaAdminMaxQueuesExtFeature q = {
            .version = ENA_FEATURE_MAX_QUEUE_EXT_VER,
            .max_tx_sq_num = cpu_to_le32(p->queues),
            .max_tx_cq_num = cpu_to_le32(p->queues),
            .max_rx_sq_num = cpu_to_le32(p->queues),
            .max_rx_cq_num = cpu_to_le32(p->queues),
            .max_tx_sq_depth = cpu_to_le32(p->max_depth),
            .max_tx_cq_depth = cpu_to_le32(p->max_depth),
            .max_rx_sq_depth = cpu_to_le32(p->max_depth),
            .max_rx_cq_depth = cpu_to_le32(p->max_depth),
            .max_tx_header_size = cpu_to_le32(ENA_MAX_TX_HEADER_SIZE),
            .max_per_packet_tx_descs = cpu_to_le16(ENA_MAX_PKT_DESCS),
            .max_per_packet_rx_descs = cpu_to_le16(ENA_MAX_PKT_DESCS),
        };
        if (f->cmd->feature_version < ENA_FEATURE_MAX_QUEUE_EXT_VER) {
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        memcpy(f->out, &q, sizeof(q));
        break;
    }
    case ENA_ADMIN_LLQ: {
        /* without BAR2 this is the "advertised, but no mem bar" profile */
        EnaAdminLlqFeature l = {
            .max_llq_num = cpu_to_le32(p->queues),
            .max_llq_depth = cpu_to_le32(MIN(p->max_depth,
                                             ENA_LLQ_MAX_DEPTH)),
            .header_location_ctrl_supported =
                cpu_to_le16(ENA_ADMIN_INLINE_HEADER),
            .entry_size_ctrl_supported = cpu_to_le16(ENA_LLQ_ENTRY_SIZES),
            .desc_num_before_header_supported =
                cpu_to_le16(ENA_LLQ_DESCS_BEFORE_HDR),
            .descriptors_stride_ctrl_supported =
                cpu_to_le16(ENA_LLQ_STRIDES),
            .entry_size_recommended = ENA_ADMIN_LIST_ENTRY_SIZE_128B,
        };
        memcpy(f->out, &l, sizeof(l));
        break;
    }
    case ENA_ADMIN_HW_HINTS: {
        EnaAdminHwHints h;
        ena_hints_le(core, &h);
        memcpy(f->out, &h, sizeof(h));
        break;
    }
    case ENA_ADMIN_RSS_HASH_FUNCTION: {
        EnaAdminRssHashFunctionFeature h = {
            .supported_func = cpu_to_le32(ENA_RSS_SUPPORTED_FUNCS),
            .selected_func = cpu_to_le32(core->rss_func),
            .init_val = cpu_to_le32(core->rss_init_val),
        };
        memcpy(f->out, &h, sizeof(h));
        if (f->buf_addr && f->buf_len) {
            EnaAdminRssHashKey k = {
                .key_parts = cpu_to_le32(ENA_ADMIN_RSS_KEY_PARTS),
            };
            memcpy(k.key, core->rss_key, sizeof(k.key));
            return ena_ctrl_buf_write(core, f, &k, sizeof(k));
        }
        break;
    }
    case ENA_ADMIN_STATELESS_OFFLOAD_CONFIG: {
        EnaAdminOffloadFeature o = { 0 };
        if (p->offloads) {
            o.tx = cpu_to_le32(ENA_ADMIN_TX_L3_CSUM_IPV4 |
                               ENA_ADMIN_TX_L4_IPV4_CSUM_PART |
                               ENA_ADMIN_TX_L4_IPV6_CSUM_PART |
                               ENA_ADMIN_TX_TSO_IPV4 | ENA_ADMIN_TX_TSO_IPV6);
            o.rx_supported = cpu_to_le32(ENA_ADMIN_RX_L3_CSUM_IPV4 |
                                         ENA_ADMIN_RX_L4_IPV4_CSUM |
                                         ENA_ADMIN_RX_L4_IPV6_CSUM |
                                         ENA_ADMIN_RX_HASH);
            o.rx_enabled = o.rx_supported;
        }
        memcpy(f->out, &o, sizeof(o));
        break;
    }
    case ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG: {
        EnaAdminRssIndTableFeature t = {
            .min_size = cpu_to_le16(ENA_RSS_IND_TABLE_LOG2),
            .max_size = cpu_to_le16(ENA_RSS_IND_TABLE_LOG2),
            .size = cpu_to_le16(ENA_RSS_IND_TABLE_LOG2),
            .inline_index = cpu_to_le32(0xffffffff),
        };
        memcpy(f->out, &t, sizeof(t));
        if (f->buf_addr && f->buf_len) {
            EnaAdminRssIndTableEntry e[ENA_RSS_IND_TABLE_SIZE];
            for (int i = 0; i < ENA_RSS_IND_TABLE_SIZE; i++) {
                e[i].cq_idx = cpu_to_le16(core->rss_table[i]);
                e[i].reserved = 0;
            }
            return ena_ctrl_buf_write(core, f, e, sizeof(e));
        }
        break;
    }
    case ENA_ADMIN_MTU: {
        EnaAdminMtuFeature m = { .mtu = cpu_to_le32(core->mtu) };
        memcpy(f->out, &m, sizeof(m));
        break;
    }
    case ENA_ADMIN_RSS_HASH_INPUT: {
        EnaAdminRssHashInputFeature in = {
            .supported_input_sort = cpu_to_le16(ENA_ADMIN_RSS_L3_SORT |
                                                ENA_ADMIN_RSS_L4_SORT),
            .enabled_input_sort = cpu_to_le16(core->rss_input_sort),
        };
        memcpy(f->out, &in, sizeof(in));
        if (f->buf_addr && f->buf_len) {
            EnaAdminRssHashCtrl hc;
            memset(&hc, 0, sizeof(hc));
            for (int i = 0; i < ENA_ADMIN_RSS_PROTO_NUM; i++) {
                hc.supported_fields[i].fields =
                    cpu_to_le16(ena_rss_supported_fields[i]);
                hc.selected_fields[i].fields = cpu_to_le16(core->rss_fields[i]);
            }
            return ena_ctrl_buf_write(core, f, &hc, sizeof(hc));
        }
        break;
    }
    case ENA_ADMIN_INTERRUPT_MODERATION: {
        EnaAdminIntrModerationFeature m = {
            .intr_delay_resolution = cpu_to_le16(p->intr_delay_resolution),
        };
        memcpy(f->out, &m, sizeof(m));
        break;
    }
    case ENA_ADMIN_AENQ_CONFIG: {
        EnaAdminAenqConfigFeature a = {
            .supported_groups = cpu_to_le32(ENA_AENQ_SUPPORTED_GROUPS),
            .enabled_groups = cpu_to_le32(core->aenq_groups),
        };
        memcpy(f->out, &a, sizeof(a));
        break;
    }
    case ENA_ADMIN_LINK_CONFIG: {
        EnaAdminLinkConfigFeature l = {
            .speed = cpu_to_le32(p->link_speed),
            .supported = cpu_to_le32(ena_link_speed_bit(p->link_speed)),
            .flags = cpu_to_le32(ENA_ADMIN_LINK_DUPLEX_FULL),
        };
        memcpy(f->out, &l, sizeof(l));
        break;
    }
    case ENA_ADMIN_PHC_CONFIG:
        return ena_phc_get(core, f);
    default:
        /* supported but SET-only (HOST_ATTR_CONFIG) */
        return ENA_ADMIN_UNSUPPORTED_OPCODE;
    }
    return ENA_ADMIN_SUCCESS;
}

static uint8_t ena_host_info_read(ENACore *core, uint64_t addr)
{
    EnaAdminHostInfo hi;
    ENAHostInfo *h = &core->host_info;

    if (!addr) {
        return ENA_ADMIN_SUCCESS;
    }
    if (ena_dma_read(core, addr, &hi, sizeof(hi))) {
        ENA_GUEST_ERR(ena_ub_host_info, "host info read at 0x%" PRIx64
                      " failed", addr);
        return ENA_ADMIN_MALFORMED_REQUEST;
    }
    h->os_type = le32_to_cpu(hi.os_type);
    h->driver_version = le32_to_cpu(hi.driver_version);
    h->kernel_ver = le32_to_cpu(hi.kernel_ver);
    memcpy(h->os_dist_str, hi.os_dist_str, sizeof(hi.os_dist_str));
    h->os_dist_str[sizeof(hi.os_dist_str)] = 0;
    memcpy(h->kernel_ver_str, hi.kernel_ver_str, sizeof(hi.kernel_ver_str));
    h->kernel_ver_str[sizeof(hi.kernel_ver_str)] = 0;
    trace_ena_host_info(h->os_type, h->driver_version,
                        (const char *)h->os_dist_str,
                        (const char *)h->kernel_ver_str);
    return ENA_ADMIN_SUCCESS;
}

static uint8_t ena_feat_set(ENACore *core, ENAFeatCtx *f, uint8_t id)
{
    const uint8_t *in = f->cmd->payload;
    uint8_t st;

    switch (id) {
    case ENA_ADMIN_RSS_HASH_FUNCTION: {
        EnaAdminRssHashFunctionFeature h;
        EnaAdminRssHashKey k;
        uint32_t sel;

        memcpy(&h, in, sizeof(h));
        sel = le32_to_cpu(h.selected_func);
        /* one function at a time: the driver sends 1 << func */
        if (!is_power_of_2(sel) || (sel & ~ENA_RSS_SUPPORTED_FUNCS)) {
            ENA_GUEST_ERR(ena_ub_rss_func, "RSS hash function 0x%x, "
                          "supported 0x%x", sel,
                          (uint32_t)ENA_RSS_SUPPORTED_FUNCS);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        st = ena_ctrl_buf_read(core, f, &k, sizeof(k));
        if (st) {
            return st;
        }
        core->rss_func = sel;
        core->rss_init_val = le32_to_cpu(h.init_val);
        memcpy(core->rss_key, k.key, sizeof(core->rss_key));
        break;
    }
    case ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG: {
        EnaAdminRssIndTableFeature t;
        EnaAdminRssIndTableEntry e[ENA_RSS_IND_TABLE_SIZE];
        uint32_t inline_idx;

        memcpy(&t, in, sizeof(t));
        inline_idx = le32_to_cpu(t.inline_index);
        if (inline_idx != 0xffffffff) {
            if (inline_idx >= ENA_RSS_IND_TABLE_SIZE) {
                return ENA_ADMIN_ILLEGAL_PARAMETER;
            }
            core->rss_table[inline_idx] = le16_to_cpu(t.inline_entry_cq_idx);
            break;
        }
        if (le16_to_cpu(t.size) != ENA_RSS_IND_TABLE_LOG2) {
            ENA_GUEST_ERR(ena_ub_rss_table, "indirection table size 2^%u, "
                          "only 2^%u", le16_to_cpu(t.size),
                          ENA_RSS_IND_TABLE_LOG2);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        st = ena_ctrl_buf_read(core, f, e, sizeof(e));
        if (st) {
            return st;
        }
        for (int i = 0; i < ENA_RSS_IND_TABLE_SIZE; i++) {
            core->rss_table[i] = le16_to_cpu(e[i].cq_idx);
        }
        core->rss_table_set = true;
        break;
    }
    case ENA_ADMIN_LLQ: {
        EnaAdminLlqFeature l;
        uint16_t hdr, size, before, stride;

        memcpy(&l, in, sizeof(l));
        hdr = le16_to_cpu(l.header_location_ctrl_enabled);
        size = le16_to_cpu(l.entry_size_ctrl_enabled);
        before = le16_to_cpu(l.desc_num_before_header_enabled);
        stride = le16_to_cpu(l.descriptors_stride_ctrl_enabled);
        if (hdr != ENA_ADMIN_INLINE_HEADER ||
            !is_power_of_2(size) || !(size & ENA_LLQ_ENTRY_SIZES) ||
            !is_power_of_2(before) || !(before & ENA_LLQ_DESCS_BEFORE_HDR) ||
            !is_power_of_2(stride) || !(stride & ENA_LLQ_STRIDES)) {
            ENA_GUEST_ERR(ena_ub_llq_set, "SET LLQ header location 0x%x, "
                          "entry size 0x%x, descriptors before header %u, "
                          "stride 0x%x: not one offered value each",
                          hdr, size, before, stride);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        if (core->llq_slots) {
            ENA_GUEST_ERR(ena_ub_llq_busy, "SET LLQ with %d LLQ SQs alive",
                          ctpop32(core->llq_slots));
            return ENA_ADMIN_RESOURCE_BUSY;
        }
        core->llq_entry_size = size == ENA_ADMIN_LIST_ENTRY_SIZE_128B ? 128 :
                               size == ENA_ADMIN_LIST_ENTRY_SIZE_192B ? 192 :
                               256;
        core->llq_descs_before_hdr = before;
        core->llq_stride = stride;
        core->llq_set = true;
        trace_ena_llq_set(core->llq_entry_size, before, stride,
                          le16_to_cpu(l.accel_flags));
        break;
    }
    case ENA_ADMIN_MTU: {
        EnaAdminMtuFeature m;
        uint32_t mtu;

        memcpy(&m, in, sizeof(m));
        mtu = le32_to_cpu(m.mtu);
        if (mtu < 68 || mtu > core->params.max_mtu) {
            ENA_GUEST_ERR(ena_ub_mtu, "MTU %u not in [68, %u]", mtu,
                          core->params.max_mtu);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        core->mtu = mtu;
        trace_ena_mtu(mtu);
        break;
    }
    case ENA_ADMIN_RSS_HASH_INPUT: {
        EnaAdminRssHashInputFeature hin;
        EnaAdminRssHashCtrl hc;

        memcpy(&hin, in, sizeof(hin));
        st = ena_ctrl_buf_read(core, f, &hc, sizeof(hc));
        if (st) {
            return st;
        }
        for (int i = 0; i < ENA_ADMIN_RSS_PROTO_NUM; i++) {
            uint16_t sel = le16_to_cpu(hc.selected_fields[i].fields);
            if (sel & ~ena_rss_supported_fields[i]) {
                ENA_GUEST_ERR(ena_ub_rss_input, "RSS fields 0x%x for proto "
                              "%d, supported 0x%x", sel, i,
                              ena_rss_supported_fields[i]);
                return ENA_ADMIN_ILLEGAL_PARAMETER;
            }
        }
        for (int i = 0; i < ENA_ADMIN_RSS_PROTO_NUM; i++) {
            core->rss_fields[i] = le16_to_cpu(hc.selected_fields[i].fields);
        }
        core->rss_input_sort = le16_to_cpu(hin.enabled_input_sort) &
                               (ENA_ADMIN_RSS_L3_SORT | ENA_ADMIN_RSS_L4_SORT);
        break;
    }
    case ENA_ADMIN_AENQ_CONFIG: {
        EnaAdminAenqConfigFeature a;
        uint32_t want, old = core->aenq_groups;

        memcpy(&a, in, sizeof(a));
        want = le32_to_cpu(a.enabled_groups);
        if (want & ~ENA_AENQ_SUPPORTED_GROUPS) {
            ENA_GUEST_ERR(ena_ub_aenq_groups, "AENQ groups 0x%x, supported "
                          "0x%x", want, (uint32_t)ENA_AENQ_SUPPORTED_GROUPS);
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        core->aenq_groups = want;
        trace_ena_aenq_config(want);
        if ((want & ~old) & BIT(ENA_ADMIN_LINK_CHANGE)) {
            core->link_event_pending = true;
        }
        ena_keepalive_arm(core);
        ena_aenq_flush_pending(core);
        break;
    }
    case ENA_ADMIN_HOST_ATTR_CONFIG: {
        EnaAdminHostAttrFeature h;

        memcpy(&h, in, sizeof(h));
        return ena_host_info_read(core, ena_addr48(&h.os_info_ba));
    }
    case ENA_ADMIN_PHC_CONFIG:
        return ena_phc_set(core, f);
    default:
        /* supported but GET-only */
        return ENA_ADMIN_UNSUPPORTED_OPCODE;
    }
    return ENA_ADMIN_SUCCESS;
}

static uint8_t ena_cmd_feature(ENACore *core, const EnaAdminAqEntry *cmd,
                               EnaAdminAcqEntry *resp, bool set)
{
    const EnaAdminGetSetFeatureCmd *c = (const EnaAdminGetSetFeatureCmd *)cmd;
    ENAFeatCtx f = {
        .cmd = c,
        .out = (uint8_t *)resp->data,
        .buf_len = le32_to_cpu(c->ctrl.length),
        .buf_addr = ena_addr48(&c->ctrl.address),
    };
    uint8_t id = c->feature_id;
    uint8_t st;

    if (id >= ENA_ADMIN_FEATURES_OPCODE_NUM ||
        !(ena_features(core) & BIT(id))) {
        trace_ena_feature_unsupported(set, id);
        return ENA_ADMIN_UNSUPPORTED_OPCODE;
    }
    st = set ? ena_feat_set(core, &f, id) : ena_feat_get(core, &f, id);
    trace_ena_feature(set, id, c->feature_version, st);
    return st;
}

/* ---- admin queue: statistics ----------------------------------------- */

static uint8_t ena_cmd_get_stats(ENACore *core, const EnaAdminAqEntry *cmd,
                                 EnaAdminAcqEntry *resp)
{
    EnaAdminGetStatsCmd c;
    ENAStats *s = &core->stats;
    ENAFeatCtx f = { 0 };
    uint8_t *out = (uint8_t *)resp->data;

    memcpy(&c, cmd, sizeof(c));
    f.buf_len = le32_to_cpu(c.ctrl.length);
    f.buf_addr = ena_addr48(&c.ctrl.address);
    trace_ena_get_stats(c.type);
    ena_allow_refresh(core);

    switch (c.type) {
    case ENA_ADMIN_GET_STATS_TYPE_BASIC: {
        EnaAdminBasicStats b = {
            .tx_bytes_low = cpu_to_le32(s->tx_bytes),
            .tx_bytes_high = cpu_to_le32(s->tx_bytes >> 32),
            .tx_pkts_low = cpu_to_le32(s->tx_pkts),
            .tx_pkts_high = cpu_to_le32(s->tx_pkts >> 32),
            .rx_bytes_low = cpu_to_le32(s->rx_bytes),
            .rx_bytes_high = cpu_to_le32(s->rx_bytes >> 32),
            .rx_pkts_low = cpu_to_le32(s->rx_pkts),
            .rx_pkts_high = cpu_to_le32(s->rx_pkts >> 32),
            .rx_drops_low = cpu_to_le32(s->rx_drops),
            .rx_drops_high = cpu_to_le32(s->rx_drops >> 32),
            .tx_drops_low = cpu_to_le32(s->tx_drops),
            .tx_drops_high = cpu_to_le32(s->tx_drops >> 32),
            .rx_overruns_low = cpu_to_le32(s->rx_overruns),
            .rx_overruns_high = cpu_to_le32(s->rx_overruns >> 32),
        };
        memcpy(out, &b, sizeof(b));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_GET_STATS_TYPE_EXTENDED: {
        g_autofree char *txt = g_strdup_printf(
            "tx_bytes %" PRIu64 "\ntx_pkts %" PRIu64 "\nrx_bytes %" PRIu64
            "\nrx_pkts %" PRIu64 "\nrx_drops %" PRIu64 "\ntx_drops %" PRIu64
            "\n", s->tx_bytes, s->tx_pkts, s->rx_bytes, s->rx_pkts,
            s->rx_drops, s->tx_drops);
        if (!f.buf_addr || !f.buf_len) {
            return ENA_ADMIN_MALFORMED_REQUEST;
        }
        /* NUL-terminated within the buffer */
        if (strlen(txt) + 1 > f.buf_len) {
            txt[f.buf_len - 1] = 0;
        }
        return ena_ctrl_buf_write(core, &f, txt, strlen(txt) + 1);
    }
    case ENA_ADMIN_GET_STATS_TYPE_ENI: {
        EnaAdminEniStats e;
        uint64_t *v = &e.bw_in_allowance_exceeded;
        for (int i = 0; i < 5; i++) {
            v[i] = cpu_to_le64(s->eni[i]);
        }
        memcpy(out, &e, sizeof(e));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_GET_STATS_TYPE_ENA_SRD: {
        EnaAdminSrdInfo srd = { 0 };
        memcpy(out, &srd, sizeof(srd));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_GET_STATS_TYPE_CUSTOMER_METRICS: {
        uint64_t want = le64_to_cpu(c.requested_metrics) &
                        ENA_ADMIN_CUSTOMER_METRICS_SUPPORT_MASK;
        uint64_t vals[ENA_ADMIN_CUSTOMER_METRICS_NUM];
        unsigned n = 0;

        if (!f.buf_addr || !f.buf_len) {
            /* query form: which metrics exist */
            uint64_t sup = cpu_to_le64(want);
            memcpy(out, &sup, sizeof(sup));
            return ENA_ADMIN_SUCCESS;
        }
        for (int i = 0; i < ENA_ADMIN_CUSTOMER_METRICS_NUM; i++) {
            if (want & BIT_ULL(i)) {
                vals[n++] = cpu_to_le64(s->eni[i]);
            }
        }
        return ena_ctrl_buf_write(core, &f, vals, n * sizeof(vals[0]));
    }
    default:
        ENA_GUEST_ERR(ena_ub_stats_type, "GET_STATS type %u", c.type);
        return ENA_ADMIN_ILLEGAL_PARAMETER;
    }
}

/* ---- admin queue: processing ----------------------------------------- */

static void ena_acq_post(ENACore *core, EnaAdminAcqEntry *resp, bool irq)
{
    uint16_t depth = ena_q_depth(core->acq_caps);

    if (!ena_admin_configured(core)) {
        ena_admin_not_configured(core, core->aq_tail);
        return;
    }
    uint64_t addr = core->acq_base +
        (uint64_t)(core->acq_tail & (depth - 1)) * ENA_ADMIN_ENTRY_SIZE;

    resp->acq_common.flags = ena_phase(core->acq_tail, depth);
    resp->acq_common.sq_head_indx = cpu_to_le16(core->aq_head);
    if (ena_write_entry(core, addr, (uint8_t *)resp, sizeof(*resp), 0)) {
        ena_set_fatal(core, "ACQ write failed", addr);
        return;
    }
    core->acq_tail++;
    if (irq) {
        ena_mgmt_irq(core, true);
    }
}

/* Post the completions a "delay" fault held back, once they are due. */
static void ena_admin_delay_run(void *opaque)
{
    ENACore *core = opaque;
    int64_t now = ena_now(), next = INT64_MAX;

    for (;;) {
        ENADelayedCmpl *due = NULL;

        for (int i = 0; i < ENA_MAX_DELAYED_CMPL; i++) {
            ENADelayedCmpl *c = &core->admin_delayed[i];
            if (c->used && c->when <= now && (!due || c->when < due->when)) {
                due = c;
            }
        }
        if (!due) {
            break;
        }
        due->used = false;
        ena_acq_post(core, &due->resp, true);
    }
    for (int i = 0; i < ENA_MAX_DELAYED_CMPL; i++) {
        if (core->admin_delayed[i].used) {
            next = MIN(next, core->admin_delayed[i].when);
        }
    }
    if (next != INT64_MAX) {
        timer_mod(core->admin_delay_timer, next);
    }
}

void ena_admin_delay_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_admin_delay_run, opaque);
}

static void ena_admin_delay(ENACore *core, EnaAdminAcqEntry *resp,
                            int64_t delay)
{
    for (int i = 0; i < ENA_MAX_DELAYED_CMPL; i++) {
        ENADelayedCmpl *c = &core->admin_delayed[i];
        if (!c->used) {
            c->used = true;
            c->when = ena_now() + delay;
            c->resp = *resp;
            ena_admin_delay_cb(core);
            return;
        }
    }
    ena_acq_post(core, resp, true);
}

static uint8_t ena_admin_exec(ENACore *core, const EnaAdminAqEntry *cmd,
                              EnaAdminAcqEntry *resp)
{
    switch (cmd->aq_common.opcode) {
    case ENA_ADMIN_CREATE_SQ:
        return ena_cmd_create_sq(core, cmd, resp);
    case ENA_ADMIN_DESTROY_SQ:
        return ena_cmd_destroy_sq(core, cmd);
    case ENA_ADMIN_CREATE_CQ:
        return ena_cmd_create_cq(core, cmd, resp);
    case ENA_ADMIN_DESTROY_CQ:
        return ena_cmd_destroy_cq(core, cmd);
    case ENA_ADMIN_GET_FEATURE:
        return ena_cmd_feature(core, cmd, resp, false);
    case ENA_ADMIN_SET_FEATURE:
        return ena_cmd_feature(core, cmd, resp, true);
    case ENA_ADMIN_GET_STATS:
        return ena_cmd_get_stats(core, cmd, resp);
    default:
        ENA_GUEST_ERR(ena_ub_aq_opcode, "unknown admin opcode %u",
                      cmd->aq_common.opcode);
        return ENA_ADMIN_BAD_OPCODE;
    }
}

/* Execute up to @max commands; how many are left to do. */
static uint16_t ena_aq_process(ENACore *core, unsigned max)
{
    uint16_t depth = ena_q_depth(core->aq_caps);
    EnaAdminAqEntry cmd;
    EnaAdminAcqEntry resp;
    const ENAFaultRule *fr;
    uint64_t addr;
    int64_t feature;
    uint16_t id;
    uint8_t status, op;

    /* the guest may have re-programmed the rings since the doorbell */
    if (core->aq_head != core->aq_tail && !ena_admin_configured(core)) {
        ena_admin_not_configured(core, core->aq_tail);
        return 0;
    }
    for (; max && core->aq_head != core->aq_tail && !ena_fatal(core); max--) {
        addr = core->aq_base +
               (uint64_t)(core->aq_head & (depth - 1)) * ENA_ADMIN_ENTRY_SIZE;
        if (ena_dma_read(core, addr, &cmd, sizeof(cmd))) {
            ena_set_fatal(core, "AQ read failed", addr);
            return 0;
        }
        if ((cmd.aq_common.flags & ENA_ADMIN_AQ_COMMON_DESC_PHASE_MASK) !=
            ena_phase(core->aq_head, depth)) {
            trace_ena_ub_aq_phase(core->aq_head, cmd.aq_common.flags);
        }
        core->aq_head++;
        core->admin_cmds++;

        id = le16_to_cpu(cmd.aq_common.command_id) &
             ENA_ADMIN_AQ_COMMON_DESC_COMMAND_ID_MASK;
        op = cmd.aq_common.opcode;
        feature = (op == ENA_ADMIN_GET_FEATURE ||
                   op == ENA_ADMIN_SET_FEATURE) ?
                  ((EnaAdminGetSetFeatureCmd *)&cmd)->feature_id :
                  ENA_FAULT_ANY;
        fr = ena_fault_fire(&core->faults, ENA_FAULT_ADMIN, ENA_FA_ANY, op,
                            feature);
        memset(&resp, 0, sizeof(resp));
        if (fr && fr->action == ENA_FA_DROP) {
            trace_ena_admin_cmd(id, op, 0xff);
            continue;
        }
        status = (fr && fr->action == ENA_FA_STATUS) ? fr->value :
                 ena_admin_exec(core, &cmd, &resp);
        resp.acq_common.command = cpu_to_le16(id);
        resp.acq_common.status = status;
        trace_ena_admin_cmd(id, op, status);
        if (fr && fr->action == ENA_FA_DELAY) {
            resp.acq_common.sq_head_indx = cpu_to_le16(core->aq_head);
            ena_admin_delay(core, &resp, fr->value);
        } else {
            ena_acq_post(core, &resp, !(fr && fr->action == ENA_FA_NO_IRQ));
        }
    }
    return ena_fatal(core) ? 0 : (uint16_t)(core->aq_tail - core->aq_head);
}

/* The command at the head is done (instant: all of them); on to the next. */
static void ena_aq_timer_run(void *opaque)
{
    ENACore *core = opaque;

    /* instant: every command rung so far, as one batch */
    if (ena_aq_process(core, core->params.timing ? 1 : UINT_MAX)) {
        timer_mod(core->aq_timer, ena_now() + ena_admin_cmd_ns(core));
    }
}

void ena_aq_timer_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_aq_timer_run, opaque);
}

