/*
 * AWS Elastic Network Adapter: device core
 *
 * Registers, readless MMIO reads, the reset handshake, the device life
 * cycle, migration and the device's side of fault rules. Below it:
 * ena_admin.c (the admin queue), ena_io.c (the data path) and
 * ena_event.c (DMA, interrupts, AENQ), each calling only the ones after
 * it. Every delay runs on the virtual clock so that runs are
 * reproducible.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "migration/vmstate.h"
#include "hw/pci/pci_device.h"
#include "hw/net/net_tx_pkt.h"
#include "hw/net/net_rx_pkt.h"
#include "ena_internal.h"
#include "trace.h"

enum {
    ENA_RESET_PHASE_IDLE,
    ENA_RESET_PHASE_ASSERTING,      /* DEV_RESET=1, indication not yet up */
    ENA_RESET_PHASE_IN_PROGRESS,    /* RESET_IN_PROGRESS shown */
    ENA_RESET_PHASE_DEASSERTING,    /* DEV_RESET=0, indication going down */
};

const char *ena_reset_reason_name(uint32_t reason)
{
    return ena_regs_reset_reason_name(reason) ?: "UNKNOWN";
}

char *ena_core_reset_history(ENACore *core)
{
    GString *s = g_string_new("");
    uint64_t first = core->reset_count > ENA_RESET_HISTORY ?
                     core->reset_count - ENA_RESET_HISTORY : 0;

    for (uint64_t i = first; i < core->reset_count; i++) {
        g_string_append_printf(s, "%s%s", s->len ? " " : "",
            ena_reset_reason_name(core->reset_history[i % ENA_RESET_HISTORY]));
    }
    return g_string_free(s, false);
}

void ena_core_set_link_status(ENACore *core, bool up)
{
    trace_ena_link_status(up);
    core->link_event_pending = true;
    ena_aenq_flush_pending(core);
    if (up) {
        ena_core_start_recv(core);
    }
}

/* ---- reset ----------------------------------------------------------- */

static void ena_quiesce(ENACore *core)
{
    int i;

    if (core->aq_timer) {
        timer_del(core->aq_timer);
        timer_del(core->readless_timer);
        timer_del(core->phc_timer);
    }
    core->readless_head = core->readless_count = 0;
    /* the driver configures PHC again after a reset */
    core->phc_addr = 0;
    core->phc_pending = false;
    timer_del(core->keepalive_timer);
    timer_del(core->admin_delay_timer);
    memset(core->admin_delayed, 0, sizeof(core->admin_delayed));
    core->keepalive_delayed = false;

    for (i = 0; i < ENA_MAX_IO_SQ; i++) {
        ena_sq_free(core, &core->sq[i]);
    }
    ena_io_timing_reset(core);
    memset(core->cq, 0, sizeof(core->cq));
    core->llq_set = false;
    core->llq_slots = 0;
    core->llq_entry_size = 0;
    core->llq_descs_before_hdr = 0;
    core->llq_stride = 0;
    /*
     * BAR2 keeps its bytes: an SQ created later starts over at entry 0
     * and the device reads only entries the driver rang in since.
     */
    for (i = 0; i < ENA_MAX_MSIX_VECTORS; i++) {
        ENAVector *v = &core->vec[i];
        if (v->timer) {
            timer_del(v->timer);
        }
        v->masked = v->pending = false;
        v->tx_delay_us = v->rx_delay_us = 0;
    }

    core->aq_base = core->acq_base = core->aenq_base = 0;
    core->aq_caps = core->acq_caps = core->aenq_caps = 0;
    core->aq_head = core->aq_tail = core->acq_tail = 0;
    core->aenq_tail = core->aenq_head_db = 0;
    core->aenq_groups = 0;
    core->intr_mask = 0;
    core->mmio_resp_addr = 0;
    core->link_event_pending = true;

    core->mtu = ENA_DEFAULT_MTU;
    core->rss_func = BIT(ENA_ADMIN_RSS_TOEPLITZ);
    core->rss_init_val = 0xffffffff;
    memcpy(core->rss_key, ena_rss_default_key, sizeof(core->rss_key));
    memcpy(core->rss_fields, ena_rss_supported_fields,
           sizeof(core->rss_fields));
    core->rss_input_sort = 0;
    memset(core->rss_table, 0, sizeof(core->rss_table));
    core->rss_table_set = false;
    memset(&core->host_info, 0, sizeof(core->host_info));

    /* the device's drop counters count "since the last reset" */
    core->stats.rx_drops = core->stats.tx_drops = 0;
    core->stats.rx_overruns = 0;
}

void ena_core_reset(ENACore *core, ENAResetKind kind)
{
    trace_ena_reset(kind);
    ena_quiesce(core);
    if (kind == ENA_RESET_POWER_ON) {
        timer_del(core->reset_timer);
        core->reset_phase = ENA_RESET_PHASE_IDLE;
        core->dev_ctl = 0;
        core->dev_sts = ENA_REGS_DEV_STS_READY_MASK;
        memset(&core->stats, 0, sizeof(core->stats));
        /* EC2's shaping is outside the device: only power-on clears it */
        ena_allow_reset(core);
    }
}

static void ena_reset_deassert(ENACore *core);

/* Does a reset-handshake fault of kind @action hit the current reset? */
static bool ena_reset_fault(ENACore *core, uint32_t action)
{
    return ena_fault_fire(&core->faults, ENA_FAULT_RESET, BIT(action),
                          core->last_reset_reason,
                           ENA_FAULT_ANY);
}

static void ena_reset_timer_run(void *opaque)
{
    ENACore *core = opaque;

    switch (core->reset_phase) {
    case ENA_RESET_PHASE_ASSERTING:
        core->dev_sts |= ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK;
        core->reset_phase = ENA_RESET_PHASE_IN_PROGRESS;
        trace_ena_reset_in_progress();
        if (!(core->dev_ctl & ENA_REGS_DEV_CTL_DEV_RESET_MASK)) {
            ena_reset_deassert(core);
        }
        break;
    case ENA_RESET_PHASE_DEASSERTING:
        core->dev_sts &= ~ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK;
        core->dev_sts |= ENA_REGS_DEV_STS_RESET_FINISHED_MASK;
        if (!ena_reset_fault(core, ENA_FA_NOT_READY)) {
            core->dev_sts |= ENA_REGS_DEV_STS_READY_MASK;
        }
        core->reset_phase = ENA_RESET_PHASE_IDLE;
        trace_ena_reset_done(core->last_reset_reason);
        break;
    default:
        break;
    }
}

static void ena_reset_timer_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_reset_timer_run, opaque);
}

static void ena_reset_deassert(ENACore *core)
{
    core->reset_phase = ENA_RESET_PHASE_DEASSERTING;
    if (ena_reset_fault(core, ENA_FA_NEVER_DEASSERT)) {
        return;         /* RESET_IN_PROGRESS stays up */
    }
    timer_mod(core->reset_timer,
              ena_now() + core->params.reset_latency_us * SCALE_US);
}

static void ena_dev_ctl_write(ENACore *core, uint32_t val)
{
    bool was = core->dev_ctl & ENA_REGS_DEV_CTL_DEV_RESET_MASK;
    bool now = val & ENA_REGS_DEV_CTL_DEV_RESET_MASK;
    int64_t latency = (int64_t)core->params.reset_latency_us * SCALE_US;
    uint32_t reason;

    core->dev_ctl = val;
    if (val & (ENA_REGS_DEV_CTL_AQ_RESTART_MASK |
               ENA_REGS_DEV_CTL_QUIESCENT_MASK |
               ENA_REGS_DEV_CTL_IO_RESUME_MASK)) {
        qemu_log_mask(LOG_UNIMP, "ena: DEV_CTL bits 0x%x not implemented\n",
                      val & 0xe);
    }

    /*
     * A new request whenever the device is not already acknowledging one,
     * so that a driver can retry a reset a fault left stuck.
     */
    if (now && (!was || core->reset_phase == ENA_RESET_PHASE_IDLE ||
                (core->reset_phase == ENA_RESET_PHASE_ASSERTING &&
                 !timer_pending(core->reset_timer)))) {
        reason = (val & ENA_REGS_DEV_CTL_RESET_REASON_MASK) >>
                 ENA_REGS_DEV_CTL_RESET_REASON_SHIFT;
        reason |= ((val & ENA_REGS_DEV_CTL_RESET_REASON_EXT_MASK) >>
                   ENA_REGS_DEV_CTL_RESET_REASON_EXT_SHIFT) << 4;
        core->last_reset_reason = reason;
        core->reset_history[core->reset_count % ENA_RESET_HISTORY] = reason;
        core->reset_count++;
        trace_ena_reset_request(reason, ena_reset_reason_name(reason),
                                core->reset_count);
        /* stop all DMA now: the driver frees its rings right after */
        ena_quiesce(core);
        ena_fault_device_reset(&core->faults);
        core->dev_sts &= ~(ENA_REGS_DEV_STS_READY_MASK |
                           ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK |
                           ENA_REGS_DEV_STS_RESET_FINISHED_MASK |
                           ENA_REGS_DEV_STS_FATAL_ERROR_MASK);
        core->reset_phase = ENA_RESET_PHASE_ASSERTING;
        if (ena_reset_fault(core, ENA_FA_NEVER_ASSERT)) {
            timer_del(core->reset_timer);
            return;
        }
        timer_mod(core->reset_timer, ena_now() + latency);
    } else if (!now && was) {
        if (core->reset_phase == ENA_RESET_PHASE_IN_PROGRESS) {
            ena_reset_deassert(core);
        }
        /* in ASSERTING the timer sees DEV_RESET clear and continues */
    }
}

/* ---- registers ------------------------------------------------------- */

static uint32_t ena_caps(ENACore *core)
{
    return (core->params.caps_reset_to << ENA_REGS_CAPS_RESET_TIMEOUT_SHIFT) |
           (core->params.dma_width << ENA_REGS_CAPS_DMA_ADDR_WIDTH_SHIFT) |
           (core->params.caps_admin_to << ENA_REGS_CAPS_ADMIN_CMD_TO_SHIFT);
}

/* Value of a readable register; false for an offset with no register. */
static bool ena_reg_value(ENACore *core, uint32_t off, uint32_t *val)
{
    switch (off) {
    case ENA_REGS_VERSION_OFF:
        *val = ENA_VERSION_VALUE;
        break;
    case ENA_REGS_CONTROLLER_VERSION_OFF:
        *val = ENA_CTRL_VERSION_VALUE;
        break;
    case ENA_REGS_CAPS_OFF:
        *val = ena_caps(core);
        break;
    case ENA_REGS_CAPS_EXT_OFF:
    case ENA_REGS_MMIO_REG_READ_OFF:
    case ENA_REGS_RSS_IND_ENTRY_UPDATE_OFF:
        *val = 0;
        break;
    case ENA_REGS_AQ_BASE_LO_OFF:
        *val = core->aq_base;
        break;
    case ENA_REGS_AQ_BASE_HI_OFF:
        *val = core->aq_base >> 32;
        break;
    case ENA_REGS_AQ_CAPS_OFF:
        *val = core->aq_caps;
        break;
    case ENA_REGS_ACQ_BASE_LO_OFF:
        *val = core->acq_base;
        break;
    case ENA_REGS_ACQ_BASE_HI_OFF:
        *val = core->acq_base >> 32;
        break;
    case ENA_REGS_ACQ_CAPS_OFF:
        *val = core->acq_caps;
        break;
    case ENA_REGS_AQ_DB_OFF:
        *val = core->aq_tail;
        break;
    case ENA_REGS_ACQ_TAIL_OFF:
        *val = core->acq_tail;
        break;
    case ENA_REGS_AENQ_CAPS_OFF:
        *val = core->aenq_caps;
        break;
    case ENA_REGS_AENQ_BASE_LO_OFF:
        *val = core->aenq_base;
        break;
    case ENA_REGS_AENQ_BASE_HI_OFF:
        *val = core->aenq_base >> 32;
        break;
    case ENA_REGS_AENQ_HEAD_DB_OFF:
        *val = core->aenq_head_db;
        break;
    case ENA_REGS_AENQ_TAIL_OFF:
        *val = core->aenq_tail;
        break;
    case ENA_REGS_INTR_MASK_OFF:
        *val = core->intr_mask;
        break;
    case ENA_REGS_DEV_CTL_OFF:
        *val = core->dev_ctl;
        break;
    case ENA_REGS_DEV_STS_OFF:
        *val = core->dev_sts;
        break;
    case ENA_REGS_MMIO_RESP_LO_OFF:
        *val = core->mmio_resp_addr;
        break;
    case ENA_REGS_MMIO_RESP_HI_OFF:
        *val = core->mmio_resp_addr >> 32;
        break;
    default:
        return false;
    }
    return true;
}

/* A register as the driver reads it, either way: faults may blank it. */
static bool ena_reg_read_value(ENACore *core, uint32_t off, uint32_t *val)
{
    if (ena_fault_fire(&core->faults, ENA_FAULT_REG, BIT(ENA_FA_ALL_ONES),
                       off, ENA_FAULT_ANY)) {
        *val = 0xffffffff;
        return true;
    }
    return ena_reg_value(core, off, val);
}

static void ena_readless_write(ENACore *core, uint64_t addr,
                               const EnaMmioReadResp *resp)
{
    if (ena_write_entry(core, addr, (const uint8_t *)resp, sizeof(*resp),
                        0)) {
        ENA_GUEST_ERR(ena_err_readless_dma, "response write to 0x%" PRIx64
                      " failed", addr);
    }
}

/*
 * Readless read: DMA {req_id, reg_off, value}, the req_id word last; with
 * timing, readless-latency-ns after the request.
 */
static void ena_mmio_reg_read(ENACore *core, uint32_t val)
{
    ENAReadlessResp *slot;
    uint16_t req_id = val & ENA_REGS_MMIO_REG_READ_REQ_ID_MASK;
    uint16_t off = (val & ENA_REGS_MMIO_REG_READ_REG_OFF_MASK) >>
                   ENA_REGS_MMIO_REG_READ_REG_OFF_SHIFT;
    EnaMmioReadResp resp;
    const ENAFaultRule *fr;
    uint32_t reg = 0;

    if (!core->mmio_resp_addr) {
        ENA_GUEST_ERR(ena_ub_readless_no_addr,
                      "MMIO_REG_READ 0x%x with no response address", val);
        return;
    }
    if (!ena_reg_read_value(core, off, &reg)) {
        ENA_GUEST_ERR(ena_ub_readless_bad_off,
                      "readless read of unknown offset 0x%x", off);
        reg = 0;
    }
    fr = ena_fault_fire(&core->faults, ENA_FAULT_READLESS, ENA_FA_ANY, off,
                        ENA_FAULT_ANY);
    if (fr && fr->action == ENA_FA_DROP) {
        return;
    } else if (fr && fr->action == ENA_FA_BAD_REQ_ID) {
        req_id++;
    } else if (fr && fr->action == ENA_FA_BAD_OFFSET) {
        off ^= 4;
    }
    resp.req_id = cpu_to_le16(req_id);
    resp.reg_off = cpu_to_le16(off);
    resp.reg_val = cpu_to_le32(reg);
    trace_ena_readless(req_id, off, reg);
    if (!core->params.timing) {
        ena_readless_write(core, core->mmio_resp_addr, &resp);
        return;
    }
    /* the value is the register's now; the host sees it at due */
    if (core->readless_count == ENA_READLESS_INFLIGHT) {
        ENA_GUEST_ERR(ena_ub_readless_busy, "MMIO_REG_READ req_id %u with "
                      "%d responses in flight: dropped", req_id,
                      ENA_READLESS_INFLIGHT);
        return;
    }
    slot = &core->readless[(core->readless_head + core->readless_count++) %
                           ENA_READLESS_INFLIGHT];
    slot->due = ena_now() + core->params.readless_latency_ns;
    slot->addr = core->mmio_resp_addr;
    slot->resp = resp;
    if (!timer_pending(core->readless_timer)) {
        timer_mod(core->readless_timer, slot->due);
    }
}

static void ena_readless_timer_run(void *opaque)
{
    ENACore *core = opaque;
    ENAReadlessResp *r;

    while (core->readless_count) {
        r = &core->readless[core->readless_head];
        if (r->due > ena_now()) {
            timer_mod(core->readless_timer, r->due);
            return;
        }
        core->readless_head = (core->readless_head + 1) %
                              ENA_READLESS_INFLIGHT;
        core->readless_count--;
        ena_readless_write(core, r->addr, &r->resp);
    }
}

static void ena_readless_timer_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_readless_timer_run, opaque);
}

uint64_t ena_core_read(ENACore *core, hwaddr addr, unsigned size)
{
    uint32_t val = 0;

    if (size != 4 || (addr & 3)) {
        ENA_GUEST_ERR(ena_ub_mmio_size, "read of %u bytes at 0x%" HWADDR_PRIx
                      ": only aligned 32-bit accesses", size, addr);
        return 0;
    }
    if (addr >= ENA_SQ_DB_BASE) {
        ENA_GUEST_ERR(ena_ub_mmio_wo, "read of write-only queue register "
                      "0x%" HWADDR_PRIx, addr);
        return 0;
    }
    if (!ena_reg_read_value(core, addr, &val)) {
        ENA_GUEST_ERR(ena_ub_mmio_read_unknown, "read of unknown register "
                      "0x%" HWADDR_PRIx, addr);
        return 0;
    }
    trace_ena_mmio_read(addr, val);
    return val;
}

void ena_core_write(ENACore *core, hwaddr addr, uint64_t val64, unsigned size)
{
    uint32_t val = val64;
    uint32_t idx;

    if (size != 4 || (addr & 3)) {
        ENA_GUEST_ERR(ena_ub_mmio_size, "write of %u bytes at 0x%"
                      HWADDR_PRIx ": only aligned 32-bit accesses",
                      size, addr);
        return;
    }
    trace_ena_mmio_write(addr, val);

    if (addr >= ENA_SQ_DB_BASE) {
        idx = (addr & 0xfff) / ENA_PER_QUEUE_STRIDE;
        switch (addr & ~0xfffull) {
        case ENA_SQ_DB_BASE:
            if (idx < ENA_MAX_IO_SQ) {
                ena_sq_doorbell(core, idx, val);
                return;
            }
            break;
        case ENA_CQ_UNMASK_BASE:
            if (idx < ENA_MAX_IO_CQ && core->cq[idx].valid) {
                ena_io_unmask(core, core->cq[idx].vector, val);
                return;
            }
            break;
        case ENA_CQ_NUMA_BASE:
            if (idx < ENA_MAX_IO_CQ && core->cq[idx].valid) {
                trace_ena_numa(idx, val);
                return;
            }
            break;
        }
        ENA_GUEST_ERR(ena_ub_mmio_write_unknown, "write 0x%x to 0x%"
                      HWADDR_PRIx ": no such queue register", val, addr);
        return;
    }

    switch (addr) {
    case ENA_REGS_AQ_BASE_LO_OFF:
        core->aq_base = deposit64(core->aq_base, 0, 32, val);
        break;
    case ENA_REGS_AQ_BASE_HI_OFF:
        core->aq_base = deposit64(core->aq_base, 32, 32, val);
        break;
    case ENA_REGS_AQ_CAPS_OFF:
        core->aq_caps = val;
        core->aq_head = core->aq_tail = 0;
        break;
    case ENA_REGS_ACQ_BASE_LO_OFF:
        core->acq_base = deposit64(core->acq_base, 0, 32, val);
        break;
    case ENA_REGS_ACQ_BASE_HI_OFF:
        core->acq_base = deposit64(core->acq_base, 32, 32, val);
        break;
    case ENA_REGS_ACQ_CAPS_OFF:
        core->acq_caps = val;
        core->acq_tail = 0;
        break;
    case ENA_REGS_AQ_DB_OFF:
        ena_aq_doorbell(core, val);
        break;
    case ENA_REGS_AENQ_CAPS_OFF:
        core->aenq_caps = val;
        core->aenq_tail = core->aenq_head_db = 0;
        break;
    case ENA_REGS_AENQ_BASE_LO_OFF:
        core->aenq_base = deposit64(core->aenq_base, 0, 32, val);
        break;
    case ENA_REGS_AENQ_BASE_HI_OFF:
        core->aenq_base = deposit64(core->aenq_base, 32, 32, val);
        break;
    case ENA_REGS_AENQ_HEAD_DB_OFF:
        ena_aenq_head_db(core, val);
        break;
    case ENA_REGS_INTR_MASK_OFF:
        core->intr_mask = val & ENA_REGS_ADMIN_INTR_MASK;
        break;
    case ENA_REGS_DEV_CTL_OFF:
        ena_dev_ctl_write(core, val);
        break;
    case ENA_REGS_MMIO_REG_READ_OFF:
        ena_mmio_reg_read(core, val);
        break;
    case ENA_REGS_MMIO_RESP_LO_OFF:
        core->mmio_resp_addr = deposit64(core->mmio_resp_addr, 0, 32, val);
        break;
    case ENA_REGS_MMIO_RESP_HI_OFF:
        core->mmio_resp_addr = deposit64(core->mmio_resp_addr, 32, 32, val);
        break;
    case ENA_REGS_VERSION_OFF:
    case ENA_REGS_CONTROLLER_VERSION_OFF:
    case ENA_REGS_CAPS_OFF:
    case ENA_REGS_CAPS_EXT_OFF:
    case ENA_REGS_ACQ_TAIL_OFF:
    case ENA_REGS_AENQ_TAIL_OFF:
    case ENA_REGS_DEV_STS_OFF:
        ENA_GUEST_ERR(ena_ub_mmio_ro, "write 0x%x to read-only register "
                      "0x%" HWADDR_PRIx, val, addr);
        break;
    case ENA_REGS_PHC_DB_OFF:
        if (!core->params.phc) {
            ENA_GUEST_ERR(ena_ub_mmio_write_unknown, "write 0x%x to 0x%"
                          HWADDR_PRIx ": PHC doorbell, but phc=off", val,
                          addr);
            break;
        }
        ena_phc_doorbell(core, val);
        break;
    case ENA_REGS_RSS_IND_ENTRY_UPDATE_OFF:
        qemu_log_mask(LOG_UNIMP, "ena: RSS_IND_ENTRY_UPDATE not "
                      "implemented\n");
        break;
    default:
        ENA_GUEST_ERR(ena_ub_mmio_write_unknown, "write 0x%x to 0x%"
                      HWADDR_PRIx ": no such queue register", val, addr);
        break;
    }
}

/* ---- LLQ memory (BAR2) ----------------------------------------------- */

uint32_t ena_core_llq_bar_size(const ENAParams *p)
{
    return pow2ceil((uint64_t)p->queues * ENA_LLQ_SQ_WINDOW);
}

/* ---- life cycle ------------------------------------------------------ */

void ena_core_realize(ENACore *core, PCIDevice *owner, NICState *nic,
                      const uint8_t *mac, uint32_t nr_vectors)
{
    core->owner = owner;
    core->nic = nic;
    core->nr_vectors = nr_vectors;
    memcpy(core->mac, mac, sizeof(core->mac));
    core->keepalive_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                         ena_keepalive_cb, core);
    core->reset_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                     ena_reset_timer_cb, core);
    core->admin_delay_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                           ena_admin_delay_cb, core);
    core->aq_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ena_aq_timer_cb, core);
    core->readless_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                        ena_readless_timer_cb, core);
    core->phc_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ena_phc_timer_cb, core);
    core->tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ena_tx_timer_cb, core);
    core->rx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ena_rx_timer_cb, core);
    for (uint32_t i = 0; i < ENA_MAX_MSIX_VECTORS; i++) {
        core->vec_timer_ctx[i] = (ENAVectorTimerCtx) { core, i };
        core->vec[i].timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                          ena_io_moderation_cb,
                                          &core->vec_timer_ctx[i]);
    }
    net_rx_pkt_init(&core->rx_pkt);
    ena_allow_init(core);
    ena_core_reset(core, ENA_RESET_POWER_ON);
    ena_fault_realize(&core->faults);
}

void ena_core_unrealize(ENACore *core)
{
    ena_quiesce(core);
    timer_free(core->keepalive_timer);
    timer_free(core->reset_timer);
    timer_free(core->admin_delay_timer);
    timer_free(core->aq_timer);
    timer_free(core->readless_timer);
    timer_free(core->phc_timer);
    timer_free(core->tx_timer);
    timer_free(core->rx_timer);
    for (int i = 0; i < ENA_MAX_MSIX_VECTORS; i++) {
        timer_free(core->vec[i].timer);
    }
    ena_fault_unrealize(&core->faults);
    ena_allow_finalize(core);
    net_rx_pkt_uninit(core->rx_pkt);

}

/* ---- migration ------------------------------------------------------- */

/*
 * Before the state is loaded over a device that may be live (HMP loadvm
 * and COLO load into a realized device): free what the stream replaces,
 * so that nothing leaks and no field keeps a value a missing subsection
 * would not overwrite.
 */
static int ena_core_pre_load(void *opaque)
{
    ENACore *core = opaque;

    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        ena_sq_free(core, &core->sq[i]);
    }
    ena_io_timing_reset(core);
    ena_allow_pre_load(core);
    core->readless_head = core->readless_count = 0;
    core->phc_addr = 0;
    core->phc_pending = false;
    core->phc_requests = core->phc_responses = core->phc_dma_errors = 0;
    core->llq_set = false;
    core->llq_slots = 0;
    core->llq_entry_size = 0;
    core->llq_descs_before_hdr = 0;
    core->llq_stride = 0;
    return 0;
}

static bool ena_cq_load_ok(ENACore *core, const ENAIoCq *cq)
{
    return (cq->entry_size == 8 || cq->entry_size == 16 ||
            cq->entry_size == 32) &&
           ena_depth_ok(core, cq->depth) &&
           (cq->vector == ENA_CQ_NO_IRQ ||
            (cq->vector >= 1 && cq->vector < core->nr_vectors)) &&
           ena_dma_ok(core, cq->ba, (uint64_t)cq->depth * cq->entry_size);
}

/* Frames only of TX SQs that exist; readless ring within its bounds. */
static bool ena_timing_load_ok(ENACore *core)
{
    ENATxFrame *f;

    QTAILQ_FOREACH(f, &core->tx_frames, next) {
        if (f->sq >= ENA_MAX_IO_SQ || !core->sq[f->sq].valid ||
            core->sq[f->sq].direction != ENA_ADMIN_SQ_DIRECTION_TX) {
            return false;
        }
    }
    /* what the FIFOs can hold, past their limit by one packet at most */
    if (core->tx_frames_n > ENA_TX_MAX_FRAMES + 64 ||
        core->tx_fifo_used > core->params.tx_fifo_kb * KiB + 64 * KiB ||
        core->rx_fifo_used > core->params.rx_fifo_kb * KiB) {
        return false;
    }
    return core->tx_rr < ENA_MAX_IO_SQ &&
           core->readless_head < ENA_READLESS_INFLIGHT &&
           core->readless_count <= ENA_READLESS_INFLIGHT &&
           (!core->rx_waiting || !QTAILQ_EMPTY(&core->rx_frames));
}

/* An SQ as CREATE_SQ and the doorbells can leave it. */
static bool ena_sq_load_ok(ENACore *core, int idx, uint32_t *slots)
{
    const ENAIoSq *sq = &core->sq[idx];

    if ((sq->direction != ENA_ADMIN_SQ_DIRECTION_TX &&
         sq->direction != ENA_ADMIN_SQ_DIRECTION_RX) ||
        sq->cq_idx >= ENA_MAX_IO_CQ || !core->cq[sq->cq_idx].valid ||
        !ena_depth_ok(core, sq->depth) ||
        (uint16_t)(sq->tail - sq->head) >= sq->depth) {
        return false;
    }
    for (int i = 0; i < idx; i++) {
        if (core->sq[i].valid && core->sq[i].cq_idx == sq->cq_idx) {
            return false;
        }
    }
    if (!sq->llq) {
        return !sq->llq_in_pkt &&
               ena_dma_ok(core, sq->ba, (uint64_t)sq->depth *
                                        sizeof(EnaEthIoTxDesc));
    }
    if (sq->direction != ENA_ADMIN_SQ_DIRECTION_TX || !core->llq_set ||
        !core->llq_mem || sq->depth > ENA_LLQ_MAX_DEPTH ||
        sq->llq_slot >= core->params.queues || (*slots & BIT(sq->llq_slot))) {
        return false;
    }
    *slots |= BIT(sq->llq_slot);
    return true;
}

/* LLQ as SET_FEATURE(LLQ) accepts it (§5.6); BAR2 may be off. */
static bool ena_llq_load_ok(ENACore *core)
{
    if (!core->llq_set) {
        return !core->llq_slots;
    }
    return core->params.llq &&
           (core->llq_entry_size == 128 || core->llq_entry_size == 192 ||
            core->llq_entry_size == 256) &&
           is_power_of_2(core->llq_descs_before_hdr) &&
           (core->llq_descs_before_hdr & ENA_LLQ_DESCS_BEFORE_HDR) &&
           is_power_of_2(core->llq_stride) &&
           (core->llq_stride & ENA_LLQ_STRIDES);
}

static bool ena_core_load_ok(ENACore *core)
{
    uint32_t max_delay = ENA_ETH_IO_INTR_REG_RX_INTR_DELAY_MASK *
                         core->params.intr_delay_resolution;
    unsigned n[2] = { 0, 0 };
    uint32_t slots = 0;

    if (core->reset_phase > ENA_RESET_PHASE_DEASSERTING ||
        core->mtu < 68 || core->mtu > core->params.max_mtu ||
        (uint16_t)(core->aq_tail - core->aq_head) >
        ena_q_depth(core->aq_caps) ||
        !ena_llq_load_ok(core) ||
        (core->phc_addr && (!core->params.phc ||
                            !ena_dma_ok(core, core->phc_addr,
                                        sizeof(EnaAdminPhcResp)))) ||
        (core->phc_pending && !core->phc_addr)) {
        return false;
    }
    for (int i = 0; i < ENA_MAX_IO_CQ; i++) {
        if (core->cq[i].valid && !ena_cq_load_ok(core, &core->cq[i])) {
            return false;
        }
    }
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        if (core->sq[i].valid) {
            if (!ena_sq_load_ok(core, i, &slots)) {
                return false;
            }
            n[core->sq[i].direction == ENA_ADMIN_SQ_DIRECTION_RX]++;
        }
    }
    if (n[0] > core->params.queues || n[1] > core->params.queues ||
        slots != core->llq_slots || !ena_timing_load_ok(core)) {
        return false;
    }
    for (uint32_t v = 0; v < ENA_MAX_MSIX_VECTORS; v++) {
        ENAVector *vec = &core->vec[v];

        if (vec->tx_delay_us > max_delay || vec->rx_delay_us > max_delay ||
            (v >= core->nr_vectors &&
             (vec->masked || vec->pending || timer_pending(vec->timer)))) {
            return false;
        }
    }
    return true;
}

int ena_core_post_load(ENACore *core)
{
    int64_t next = INT64_MAX;

    /* the rules first: a bad one is cleared before anything can fire it */
    if (!ena_fault_post_load(&core->faults) || !ena_core_load_ok(core)) {
        error_report("ena: inconsistent device state in the migration "
                     "stream");
        /* whatever the stream set: no LLQ window to give back, no packet */
        for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
            core->sq[i].llq = false;
        }
        ena_core_reset(core, ENA_RESET_POWER_ON);
        return -EINVAL;
    }
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        ENAIoSq *sq = &core->sq[i];

        if (!sq->valid) {
            memset(sq, 0, sizeof(*sq));
            continue;
        }
        /*
         * The fragments a half-gathered packet had mapped stayed behind:
         * its remaining descriptors are consumed and it completes as a
         * dropped packet, with its req_id (e1000e's skip_cp).
         */
        sq->pkt_bad = sq->pkt_open;
        if (sq->direction == ENA_ADMIN_SQ_DIRECTION_TX) {
            net_tx_pkt_init(&sq->tx_pkt, ENA_MAX_PKT_DESCS + 1);
        }
    }
    /* the strings are C strings to whoever reads them */
    core->host_info.os_dist_str[sizeof(core->host_info.os_dist_str) - 1] = 0;
    core->host_info.kernel_ver_str[sizeof(core->host_info.kernel_ver_str) -
                                   1] = 0;
    for (int i = 0; i < ENA_MAX_DELAYED_CMPL; i++) {
        if (core->admin_delayed[i].used) {
            next = MIN(next, core->admin_delayed[i].when);
        }
    }
    if (next != INT64_MAX && !timer_pending(core->admin_delay_timer)) {
        timer_mod(core->admin_delay_timer, next);
    }
    if (core->phc_pending && !timer_pending(core->phc_timer)) {
        timer_mod(core->phc_timer, core->phc_due);
    }
    if (core->aq_head != core->aq_tail && !timer_pending(core->aq_timer)) {
        timer_mod(core->aq_timer, ena_now());
    }
    return 0;
}

/*
 * A packet in progress: only when the driver rang a doorbell in the
 * middle of one (no driver does), or an LLQ packet spans entries.
 */
static bool ena_sq_pkt_needed(void *opaque)
{
    ENAIoSq *sq = opaque;

    return sq->pkt_open || sq->llq_in_pkt;
}

static const VMStateDescription vmstate_ena_sq_pkt = {
    .name = "ena-io-sq/pkt",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ena_sq_pkt_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(pkt_open, ENAIoSq),
        VMSTATE_UINT16(pkt_req_id, ENAIoSq),
        VMSTATE_UINT16(pkt_descs, ENAIoSq),
        VMSTATE_BOOL(llq_in_pkt, ENAIoSq),
        VMSTATE_UINT8_ARRAY(llq_hdr, ENAIoSq, ENA_LLQ_MAX_ENTRY_SIZE),
        VMSTATE_END_OF_LIST()
    }
};

/*
 * Version 1 throughout: the device has not been released, so no stream
 * of an older layout exists to be read (nested sections carry no version
 * of their own in the stream; a _V field in one would never be skipped).
 */
static const VMStateDescription vmstate_ena_sq = {
    .name = "ena-io-sq",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(valid, ENAIoSq),
        VMSTATE_UINT8(direction, ENAIoSq),
        VMSTATE_UINT16(cq_idx, ENAIoSq),
        VMSTATE_UINT16(depth, ENAIoSq),
        VMSTATE_UINT16(head, ENAIoSq),
        VMSTATE_UINT16(tail, ENAIoSq),
        VMSTATE_UINT64(ba, ENAIoSq),
        VMSTATE_BOOL(meta_valid, ENAIoSq),
        VMSTATE_UINT32(meta_len_ctrl, ENAIoSq),
        VMSTATE_UINT32(meta_word2, ENAIoSq),
        VMSTATE_BOOL(llq, ENAIoSq),
        VMSTATE_UINT16(llq_slot, ENAIoSq),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_ena_sq_pkt,
        NULL
    }
};

static const VMStateDescription vmstate_ena_cq = {
    .name = "ena-io-cq",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(valid, ENAIoCq),
        VMSTATE_UINT8(entry_size, ENAIoCq),
        VMSTATE_UINT16(depth, ENAIoCq),
        VMSTATE_UINT16(vector, ENAIoCq),
        VMSTATE_UINT16(tail, ENAIoCq),
        VMSTATE_UINT64(ba, ENAIoCq),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_ena_vector = {
    .name = "ena-vector",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(masked, ENAVector),
        VMSTATE_BOOL(pending, ENAVector),
        VMSTATE_UINT32(tx_delay_us, ENAVector),
        VMSTATE_UINT32(rx_delay_us, ENAVector),
        VMSTATE_TIMER_PTR(timer, ENAVector),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_ena_stats = {
    .name = "ena-stats",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(tx_bytes, ENAStats),
        VMSTATE_UINT64(tx_pkts, ENAStats),
        VMSTATE_UINT64(rx_bytes, ENAStats),
        VMSTATE_UINT64(rx_pkts, ENAStats),
        VMSTATE_UINT64(rx_drops, ENAStats),
        VMSTATE_UINT64(tx_drops, ENAStats),
        VMSTATE_UINT64(rx_overruns, ENAStats),
        VMSTATE_UINT64_ARRAY(eni, ENAStats, 6),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_ena_delayed_cmpl = {
    .name = "ena-delayed-cmpl",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(used, ENADelayedCmpl),
        VMSTATE_INT64(when, ENADelayedCmpl),
        VMSTATE_BUFFER_UNSAFE(resp, ENADelayedCmpl, 0,
                              sizeof(EnaAdminAcqEntry)),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_ena_host_info = {
    .name = "ena-host-info",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(os_type, ENAHostInfo),
        VMSTATE_UINT32(driver_version, ENAHostInfo),
        VMSTATE_UINT32(kernel_ver, ENAHostInfo),
        VMSTATE_UINT8_ARRAY(os_dist_str, ENAHostInfo, 129),
        VMSTATE_UINT8_ARRAY(kernel_ver_str, ENAHostInfo, 33),
        VMSTATE_END_OF_LIST()
    }
};

/* ---- migration: the timing model's state ------------------------------ */

static bool ena_tx_frame_len_ok(void *opaque, int version_id)
{
    ENATxFrame *f = opaque;

    if (!f->len) {
        f->data = NULL;         /* sent: the stream carries no bytes */
    }
    /* a frame the device would not send never entered the FIFO */
    return f->len <= ENA_MAX_MTU + ENA_MAX_L2_OVERHEAD;
}

static const VMStateDescription vmstate_ena_tx_frame = {
    .name = "ena-tx-frame",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_INT64(wire_at, ENATxFrame),
        VMSTATE_INT64(done_at, ENATxFrame),
        VMSTATE_UINT16(sq, ENATxFrame),
        VMSTATE_UINT16(req_id, ENATxFrame),
        VMSTATE_BOOL(cmpl, ENATxFrame),
        VMSTATE_UINT32(len, ENATxFrame),
        VMSTATE_VALIDATE("tx frame length", ena_tx_frame_len_ok),
        VMSTATE_VBUFFER_ALLOC_UINT32(data, ENATxFrame, 0, NULL, len),
        VMSTATE_END_OF_LIST()
    }
};

static bool ena_rx_frame_len_ok(void *opaque, int version_id)
{
    ENARxFrame *f = opaque;

    return f->len && f->len <= ENA_MAX_MTU + ENA_MAX_L2_OVERHEAD;
}

static const VMStateDescription vmstate_ena_rx_frame = {
    .name = "ena-rx-frame",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_INT64(due, ENARxFrame),
        VMSTATE_UINT32(len, ENARxFrame),
        VMSTATE_VALIDATE("rx frame length", ena_rx_frame_len_ok),
        VMSTATE_VBUFFER_ALLOC_UINT32(data, ENARxFrame, 0, NULL, len),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_ena_pace = {
    .name = "ena-pace",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_INT64(free_at, ENAPace),
        VMSTATE_UINT64(rem, ENAPace),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_ena_readless = {
    .name = "ena-readless",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_INT64(due, ENAReadlessResp),
        VMSTATE_UINT64(addr, ENAReadlessResp),
        VMSTATE_BUFFER_UNSAFE(resp, ENAReadlessResp, 0,
                              sizeof(EnaMmioReadResp)),
        VMSTATE_END_OF_LIST()
    }
};

static bool ena_timing_needed(void *opaque)
{
    ENACore *core = opaque;

    return core->params.timing;
}

/* The counts follow from the lists, whatever the stream said. */
static int ena_timing_post_load(void *opaque, int version_id)
{
    ENACore *core = opaque;
    ENATxFrame *tf;
    ENARxFrame *rf;

    core->tx_fifo_used = core->rx_fifo_used = 0;
    core->tx_frames_n = 0;
    QTAILQ_FOREACH(tf, &core->tx_frames, next) {
        core->tx_fifo_used += tf->len;
        core->tx_frames_n++;
    }
    QTAILQ_FOREACH(rf, &core->rx_frames, next) {
        core->rx_fifo_used += MAX(rf->len, ENA_MIN_FRAME);
    }
    return 0;
}

static const VMStateDescription vmstate_ena_timing = {
    .name = "ena-core/timing",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ena_timing_needed,
    .post_load = ena_timing_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_QTAILQ_V(tx_frames, ENACore, 1, vmstate_ena_tx_frame,
                         ENATxFrame, next),
        VMSTATE_INT64(tx_done_last, ENACore),
        VMSTATE_UINT32(tx_rr, ENACore),
        VMSTATE_TIMER_PTR(tx_timer, ENACore),
        VMSTATE_QTAILQ_V(rx_frames, ENACore, 1, vmstate_ena_rx_frame,
                         ENARxFrame, next),
        VMSTATE_BOOL(rx_waiting, ENACore),
        VMSTATE_TIMER_PTR(rx_timer, ENACore),
        VMSTATE_STRUCT(tx_wire, ENACore, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_STRUCT(rx_wire, ENACore, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_STRUCT(dma_rd, ENACore, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_STRUCT(dma_wr, ENACore, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_TIMER_PTR(aq_timer, ENACore),
        VMSTATE_STRUCT_ARRAY(readless, ENACore, ENA_READLESS_INFLIGHT, 1,
                             vmstate_ena_readless, ENAReadlessResp),
        VMSTATE_UINT8(readless_head, ENACore),
        VMSTATE_UINT8(readless_count, ENACore),
        VMSTATE_TIMER_PTR(readless_timer, ENACore),
        VMSTATE_END_OF_LIST()
    }
};

/* Until SET_FEATURE(LLQ), no LLQ SQ can exist and BAR2 means nothing. */
static bool ena_llq_needed(void *opaque)
{
    ENACore *core = opaque;

    return core->llq_set;
}

/* (BAR2's contents migrate as a RAM block of their own.) */
static const VMStateDescription vmstate_ena_llq = {
    .name = "ena-core/llq",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ena_llq_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(llq_set, ENACore),
        VMSTATE_UINT16(llq_entry_size, ENACore),
        VMSTATE_UINT8(llq_descs_before_hdr, ENACore),
        VMSTATE_UINT8(llq_stride, ENACore),
        VMSTATE_UINT32(llq_slots, ENACore),
        VMSTATE_END_OF_LIST()
    }
};

/* PHC: once the driver configured it (counters alone stay behind). */
static bool ena_phc_needed(void *opaque)
{
    ENACore *core = opaque;

    return core->phc_addr || core->phc_requests;
}

static const VMStateDescription vmstate_ena_phc = {
    .name = "ena-core/phc",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ena_phc_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(phc_addr, ENACore),
        VMSTATE_BOOL(phc_pending, ENACore),
        VMSTATE_UINT16(phc_req_id, ENACore),
        VMSTATE_UINT32(phc_flags, ENACore),
        VMSTATE_INT64(phc_stamp, ENACore),
        VMSTATE_INT64(phc_due, ENACore),
        VMSTATE_TIMER_PTR(phc_timer, ENACore),
        VMSTATE_UINT64(phc_requests, ENACore),
        VMSTATE_UINT64(phc_responses, ENACore),
        VMSTATE_UINT64(phc_dma_errors, ENACore),
        VMSTATE_END_OF_LIST()
    }
};

/*
 * The allowances: what qom-set changed, the buckets and the tracked flows.
 * Sent while an allowance is on or flows are left from one.
 */
static bool ena_allow_needed(void *opaque)
{
    ENACore *core = opaque;

    return ena_allow_active(core) || core->allow.nflows;
}

static bool ena_allow_nflows_valid(void *opaque, int version_id)
{
    return ena_allow_nflows_ok(opaque);
}

static int ena_allow_vm_post_load(void *opaque, int version_id)
{
    ENACore *core = opaque;

    if (!ena_allow_post_load(core)) {
        error_report("ena: inconsistent allowance state in the migration "
                     "stream");
        /* no value from the stream stays: every allowance off */
        ena_allow_defaults(&core->allow.p);
        ena_allow_clear(core);
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_ena_flow = {
    .name = "ena-flow",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(key, ENAFlow, ENA_FLOW_KEY_LEN),
        VMSTATE_UINT8(state, ENAFlow),
        VMSTATE_UINT8(last_dir, ENAFlow),
        VMSTATE_UINT8(turns, ENAFlow),
        VMSTATE_INT64(last, ENAFlow),
        VMSTATE_STRUCT(pace, ENAFlow, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_ena_allow = {
    .name = "ena-core/allowance",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ena_allow_needed,
    .post_load = ena_allow_vm_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(allow.p.bw_in_mbps, ENACore),
        VMSTATE_UINT32(allow.p.bw_out_mbps, ENACore),
        VMSTATE_UINT32(allow.p.pps, ENACore),
        VMSTATE_UINT32(allow.p.conntrack, ENACore),
        VMSTATE_UINT32(allow.p.linklocal_pps, ENACore),
        VMSTATE_UINT32(allow.p.flow_mbps, ENACore),
        VMSTATE_UINT32(allow.p.burst_us, ENACore),
        VMSTATE_UINT32(allow.p.queue_us, ENACore),
        VMSTATE_UINT32(allow.p.tcp_established_s, ENACore),
        VMSTATE_UINT32(allow.p.udp_s, ENACore),
        VMSTATE_UINT32(allow.p.udp_stream_s, ENACore),
        VMSTATE_STRUCT(allow.bw_in, ENACore, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_STRUCT(allow.bw_out, ENACore, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_STRUCT(allow.pps, ENACore, 1, vmstate_ena_pace, ENAPace),
        VMSTATE_STRUCT(allow.linklocal, ENACore, 1, vmstate_ena_pace,
                       ENAPace),
        VMSTATE_INT32(allow.nflows, ENACore),
        VMSTATE_VALIDATE("ena allowance flow count", ena_allow_nflows_valid),
        VMSTATE_STRUCT_VARRAY_ALLOC(allow.flows, ENACore, allow.nflows, 1,
                                    vmstate_ena_flow, ENAFlow),
        VMSTATE_END_OF_LIST()
    }
};

const VMStateDescription vmstate_ena_core = {
    .name = "ena-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = ena_core_pre_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(dev_sts, ENACore),
        VMSTATE_UINT32(dev_ctl, ENACore),
        VMSTATE_UINT32(intr_mask, ENACore),
        VMSTATE_UINT64(mmio_resp_addr, ENACore),
        VMSTATE_UINT32(reset_phase, ENACore),
        VMSTATE_TIMER_PTR(reset_timer, ENACore),
        VMSTATE_UINT64(aq_base, ENACore),
        VMSTATE_UINT32(aq_caps, ENACore),
        VMSTATE_UINT16(aq_head, ENACore),
        VMSTATE_UINT16(aq_tail, ENACore),
        VMSTATE_UINT64(acq_base, ENACore),
        VMSTATE_UINT32(acq_caps, ENACore),
        VMSTATE_UINT16(acq_tail, ENACore),
        VMSTATE_UINT64(aenq_base, ENACore),
        VMSTATE_UINT32(aenq_caps, ENACore),
        VMSTATE_UINT16(aenq_tail, ENACore),
        VMSTATE_UINT16(aenq_head_db, ENACore),
        VMSTATE_UINT32(aenq_groups, ENACore),
        VMSTATE_BOOL(link_event_pending, ENACore),
        VMSTATE_TIMER_PTR(keepalive_timer, ENACore),
        VMSTATE_UINT64(keepalives_sent, ENACore),
        VMSTATE_UINT64(aenq_dropped, ENACore),
        VMSTATE_UINT32(mtu, ENACore),
        VMSTATE_UINT32(rss_func, ENACore),
        VMSTATE_UINT32(rss_init_val, ENACore),
        VMSTATE_UINT8_ARRAY(rss_key, ENACore, ENA_RSS_KEY_SIZE),
        VMSTATE_UINT16_ARRAY(rss_fields, ENACore, ENA_ADMIN_RSS_PROTO_NUM),
        VMSTATE_UINT16(rss_input_sort, ENACore),
        VMSTATE_UINT16_ARRAY(rss_table, ENACore, ENA_RSS_IND_TABLE_SIZE),
        VMSTATE_BOOL(rss_table_set, ENACore),
        VMSTATE_STRUCT(host_info, ENACore, 1, vmstate_ena_host_info,
                       ENAHostInfo),
        VMSTATE_STRUCT_ARRAY(sq, ENACore, ENA_MAX_IO_SQ, 1, vmstate_ena_sq,
                             ENAIoSq),
        VMSTATE_STRUCT_ARRAY(cq, ENACore, ENA_MAX_IO_CQ, 1, vmstate_ena_cq,
                             ENAIoCq),
        VMSTATE_STRUCT_ARRAY(vec, ENACore, ENA_MAX_MSIX_VECTORS, 1,
                             vmstate_ena_vector, ENAVector),
        VMSTATE_STRUCT(stats, ENACore, 1, vmstate_ena_stats, ENAStats),
        VMSTATE_UINT64(reset_count, ENACore),
        VMSTATE_UINT32(last_reset_reason, ENACore),
        VMSTATE_UINT8_ARRAY(reset_history, ENACore, ENA_RESET_HISTORY),
        VMSTATE_UINT64(admin_cmds, ENACore),
        VMSTATE_STRUCT_ARRAY(faults.rule, ENACore, ENA_FAULT__MAX, 1,
                             vmstate_ena_fault_rule, ENAFaultRule),
        VMSTATE_BOOL(fault_link_down, ENACore),
        VMSTATE_BOOL(hints_pending, ENACore),
        VMSTATE_BUFFER_UNSAFE(hints_notify, ENACore, 0,
                              sizeof(EnaAdminHwHints)),
        VMSTATE_BOOL(keepalive_delayed, ENACore),
        VMSTATE_STRUCT_ARRAY(admin_delayed, ENACore, ENA_MAX_DELAYED_CMPL, 1,
                             vmstate_ena_delayed_cmpl, ENADelayedCmpl),
        VMSTATE_TIMER_PTR(admin_delay_timer, ENACore),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_ena_llq,
        &vmstate_ena_timing,
        &vmstate_ena_allow,
        &vmstate_ena_phc,
        NULL
    }
};

/* ---- fault edges ----------------------------------------------------- */

static void ena_core_fault_edge(void *opaque, ENAFaultPoint p,
                                const ENAFaultRule *r, bool start)
{
    ENACore *core = opaque;

    if (!core->nic) {
        return;         /* set from -device: nothing runs before realize */
    }
    switch (p) {
    case ENA_FAULT_FATAL:
        if (start && r->action == ENA_FA_RAISE) {
            ena_set_fatal(core, "injected fatal error", 0);
        } else if (start && r->action == ENA_FA_REQUEST_RESET) {
            ena_aenq_post(core, ENA_ADMIN_DEVICE_REQUEST_RESET, 0, NULL, 0);
        }
        break;
    case ENA_FAULT_LINK:
        if (core->fault_link_down != start) {
            core->fault_link_down = start;
            core->link_event_pending = true;
            ena_aenq_flush_pending(core);
            if (!start) {
                ena_core_start_recv(core);
            }
        }
        break;
    case ENA_FAULT_HINTS:
        if (start) {
            const uint16_t *src = (const uint16_t *)&r->hints;
            uint16_t *dst = (uint16_t *)&core->hints_notify;

            /* posted once the driver has its AENQ and the group enabled */
            for (size_t i = 0; i < sizeof(core->hints_notify) / 2; i++) {
                dst[i] = cpu_to_le16(src[i]);
            }
            core->hints_pending = true;
            ena_aenq_flush_pending(core);
        }
        break;
    case ENA_FAULT_TX:
        /* a stall ended or was cleared: send what waited */
        for (int i = 0; !start && i < ENA_MAX_IO_SQ; i++) {
            if (core->sq[i].valid &&
                core->sq[i].direction == ENA_ADMIN_SQ_DIRECTION_TX) {
                ena_tx_process(core, &core->sq[i]);
            }
        }
        break;
    case ENA_FAULT_RX:
        if (!start) {
            ena_core_start_recv(core);
        }
        break;
    default:
        break;
    }
}

void ena_core_init(ENACore *core)
{
    QTAILQ_INIT(&core->tx_frames);
    QTAILQ_INIT(&core->rx_frames);
    ena_fault_init(&core->faults, ena_core_fault_edge, core);
    ena_allow_defaults(&core->allow.p);
}
