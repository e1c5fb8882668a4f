/*
 * ENA reference driver: communication layer (registers, reset, admin, AENQ).
 *
 * SPDX-License-Identifier: MIT
 */
#include "ena_com.h"

/* Every admin command type, viewed as the 64-byte slot it is copied to. */
typedef union EnaComCmd {
    EnaAdminAqEntry entry;
    EnaAdminGetSetFeatureCmd feat;
} EnaComCmd;

static uint64_t ena_com_now(EnaCom *com)
{
    return ena_plat_now_ns(com->plat);
}

static void ena_com_event(EnaCom *com, uint16_t id, uint64_t detail,
                          const char *msg)
{
    if (com->evlog) {
        ena_evlog_add(com->evlog, ena_com_now(com), id, ENA_EVLOG_NO_REASON,
                      detail, msg);
    }
}

void ena_com_init(EnaCom *com, EnaPlat *plat, EnaEvlog *evlog)
{
    ena_mem_zero(com, sizeof(*com));
    com->plat = plat;
    com->evlog = evlog;
    com->mmio_read_polls = ENA_COM_MMIO_READ_POLLS;
    com->dma_width = 48;
    com->admin.depth = ENA_COM_ADMIN_DEPTH;
    com->admin.timeout_us = ENA_COM_ADMIN_TIMEOUT_US;
    com->aenq.depth = ENA_COM_AENQ_DEPTH;
}

/* ---- register access ---------------------------------------------------- */

void ena_com_reg_write32(EnaCom *com, uint16_t off, uint32_t val)
{
    ena_plat_reg_write32(com->plat, off, val);
}

void ena_com_mmio_write_resp_addr(EnaCom *com)
{
    ena_com_reg_write32(com, ENA_REGS_MMIO_RESP_LO_OFF,
                        (uint32_t)com->mmio_resp.phys);
    ena_com_reg_write32(com, ENA_REGS_MMIO_RESP_HI_OFF,
                        (uint32_t)(com->mmio_resp.phys >> 32));
}

int ena_com_mmio_init(EnaCom *com)
{
    EnaMmioReadResp *resp;
    int rc;

    if (!com->mmio_resp.virt) {
        rc = ena_plat_dma_alloc(com->plat, sizeof(EnaMmioReadResp),
                                &com->mmio_resp);
        if (rc) {
            return rc;
        }
    }
    resp = com->mmio_resp.virt;
    resp->req_id = 0;
    com->mmio_seq = 0;
    com->readless = !(ena_plat_pci_revision(com->plat) &
                      ENA_PCI_REV_MMIO_READ_DISABLE);
    /* the address is programmed whether or not readless is used (§3) */
    ena_com_mmio_write_resp_addr(com);
    return 0;
}

void ena_com_mmio_destroy(EnaCom *com)
{
    if (!com->mmio_resp.virt) {
        return;     /* never set up: the device was not touched */
    }
    ena_com_reg_write32(com, ENA_REGS_MMIO_RESP_LO_OFF, 0);
    ena_com_reg_write32(com, ENA_REGS_MMIO_RESP_HI_OFF, 0);
    ena_plat_dma_free(com->plat, &com->mmio_resp);
}

uint32_t ena_com_reg_read32(EnaCom *com, uint16_t off)
{
    EnaMmioReadResp *resp = com->mmio_resp.virt;
    uint32_t polls = ENA_MAX(com->mmio_read_polls, 1u);
    uint16_t seq, got_id, got_off;
    uint32_t i, delay, waited, val;

    com->stats.mmio_reads++;
    if (!com->readless) {
        return ena_plat_reg_read32(com->plat, off);
    }
    if (!resp) {
        return ENA_MMIO_READ_TIMEOUT;
    }

    ena_plat_lock(com->plat, ENA_LOCK_MMIO);
    seq = ++com->mmio_seq;
    /* a stale response can never carry this id */
    ena_write_once16(&resp->req_id, ena_le16((uint16_t)(seq + 0xdead)));
    ena_plat_dma_sync(com->plat, &com->mmio_resp, 0, sizeof(*resp),
                      ENA_DMA_SYNC_TO_DEVICE);
    ena_plat_wmb(com->plat);
    ena_com_reg_write32(com, ENA_REGS_MMIO_REG_READ_OFF,
                        ((uint32_t)off <<
                         ENA_REGS_MMIO_REG_READ_REG_OFF_SHIFT) | seq);
    /*
     * A response comes in a microsecond or two; one that does not is a
     * failure being waited out, so the polls thin out (1, 2, 4 ... up to
     * ENA_COM_READLESS_POLL_MAX_US apart) within the same total time.
     */
    for (i = 0, delay = 1;; delay = ENA_MIN(delay * 2,
                                            ENA_COM_READLESS_POLL_MAX_US)) {
        ena_plat_dma_sync(com->plat, &com->mmio_resp, 0, sizeof(*resp),
                          ENA_DMA_SYNC_FROM_DEVICE);
        if (ena_le16(ena_read_once16(&resp->req_id)) == seq ||
            i == polls) {
            break;
        }
        delay = ENA_MIN(delay, polls - i);
        waited = ena_plat_wait_device(com->plat, delay,
                                      (uint64_t)(polls - i) * ENA_NS_PER_US);
        i += ENA_MIN(waited, polls - i);
    }
    ena_plat_rmb(com->plat);
    got_id = ena_le16(ena_read_once16(&resp->req_id));
    got_off = ena_le16(ena_read_once16(&resp->reg_off));
    val = ena_le32(ena_read_once32(&resp->reg_val));
    ena_plat_unlock(com->plat, ENA_LOCK_MMIO);

    if (got_id != seq) {
        com->stats.mmio_read_timeouts++;
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Reading reg failed for timeout. expected: req id[%u] "
                     "offset[%u] actual: req id[%u] offset[%u]",
                     seq, off, got_id, got_off);
        ena_com_event(com, ENA_EV_TIMEOUT, off, "register read timed out");
        return ENA_MMIO_READ_TIMEOUT;
    }
    if (got_off != off) {
        com->stats.mmio_read_bad_offset++;
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Read failure: wrong offset provided (asked 0x%x, "
                     "got 0x%x)", off, got_off);
        return ENA_MMIO_READ_TIMEOUT;
    }
    return val;
}

/* ---- reset and identification ------------------------------------------- */

uint32_t ena_com_reset_ctl_value(uint32_t reason, bool extended)
{
    uint32_t v = ENA_REGS_DEV_CTL_DEV_RESET_MASK;

    /* without the capability only 4 bits reach the device */
    if (reason > 0xf && !extended) {
        reason = ENA_REGS_RESET_GENERIC;
    }
    v |= (reason << ENA_REGS_DEV_CTL_RESET_REASON_SHIFT) &
         ENA_REGS_DEV_CTL_RESET_REASON_MASK;
    if (extended) {
        v |= ((reason >> 4) << ENA_REGS_DEV_CTL_RESET_REASON_EXT_SHIFT) &
             ENA_REGS_DEV_CTL_RESET_REASON_EXT_MASK;
    }
    return v;
}

/* Poll DEV_STS.RESET_IN_PROGRESS until it equals @on (backoff, bounded). */
static int ena_com_wait_reset_state(EnaCom *com, uint32_t timeout_ms, bool on)
{
    uint64_t deadline = ena_com_now(com) + timeout_ms * ENA_NS_PER_MS;
    uint32_t delay = ENA_COM_POLL_MIN_US;
    uint32_t sts;

    for (;;) {
        sts = ena_com_reg_read32(com, ENA_REGS_DEV_STS_OFF);
        if (sts == ENA_MMIO_READ_TIMEOUT) {
            ena_plat_log(com->plat, ENA_LOG_ERR, "Reg read timeout occurred");
            return -ENA_ETIME;
        }
        if (!!(sts & ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK) == on) {
            return 0;
        }
        if (ena_com_now(com) >= deadline) {
            return -ENA_ETIME;
        }
        ena_plat_wait_device(com->plat, delay, deadline - ena_com_now(com));
        delay = ENA_MIN(delay * 2, ENA_COM_POLL_MAX_US);
    }
}

int ena_com_dev_reset(EnaCom *com, uint32_t reason)
{
    bool ext = com->capabilities & ENA_BIT(ENA_ADMIN_EXTENDED_RESET_REASONS);
    uint32_t sts, caps, timeout, admin_to;
    int rc;

    com->stats.dev_resets++;
    sts = ena_com_reg_read32(com, ENA_REGS_DEV_STS_OFF);
    caps = ena_com_reg_read32(com, ENA_REGS_CAPS_OFF);
    if (sts == ENA_MMIO_READ_TIMEOUT || caps == ENA_MMIO_READ_TIMEOUT) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "Reg read32 timeout occurred");
        rc = -ENA_ETIME;
        goto fail;
    }
    if (!(sts & ENA_REGS_DEV_STS_READY_MASK)) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Device isn't ready, can't reset device");
        rc = -ENA_EINVAL;
        goto fail;
    }
    timeout = (caps & ENA_REGS_CAPS_RESET_TIMEOUT_MASK) >>
              ENA_REGS_CAPS_RESET_TIMEOUT_SHIFT;
    if (!timeout) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "Invalid timeout value");
        rc = -ENA_EINVAL;
        goto fail;
    }

    ena_com_reg_write32(com, ENA_REGS_DEV_CTL_OFF,
                        ena_com_reset_ctl_value(reason, ext));
    /* the device forgot the readless address */
    ena_com_mmio_write_resp_addr(com);

    rc = ena_com_wait_reset_state(com, timeout * ENA_REGS_CAPS_TIMEOUT_UNIT_MS,
                                  true);
    if (rc) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Reset indication didn't turn on");
        goto fail;
    }
    ena_com_reg_write32(com, ENA_REGS_DEV_CTL_OFF, 0);
    rc = ena_com_wait_reset_state(com, timeout * ENA_REGS_CAPS_TIMEOUT_UNIT_MS,
                                  false);
    if (rc) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Reset indication didn't turn off");
        goto fail;
    }

    admin_to = (caps & ENA_REGS_CAPS_ADMIN_CMD_TO_MASK) >>
               ENA_REGS_CAPS_ADMIN_CMD_TO_SHIFT;
    com->admin.timeout_us = admin_to ?
        admin_to * ENA_REGS_CAPS_TIMEOUT_UNIT_MS * 1000ull :
        ENA_COM_ADMIN_TIMEOUT_US;
    return 0;

fail:
    com->stats.dev_reset_failures++;
    return rc;
}

int ena_com_validate_version(EnaCom *com)
{
    uint32_t ver = ena_com_reg_read32(com, ENA_REGS_VERSION_OFF);
    uint32_t ctrl = ena_com_reg_read32(com, ENA_REGS_CONTROLLER_VERSION_OFF);
    uint32_t ctrl_num;

    if (ver == ENA_MMIO_READ_TIMEOUT || ctrl == ENA_MMIO_READ_TIMEOUT) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "Reg read timeout occurred");
        return -ENA_ETIME;
    }
    ena_plat_log(com->plat, ENA_LOG_INFO, "ENA device version: %u.%u",
                 (ver & ENA_REGS_VERSION_MAJOR_MASK) >>
                 ENA_REGS_VERSION_MAJOR_SHIFT,
                 ver & ENA_REGS_VERSION_MINOR_MASK);
    ena_plat_log(com->plat, ENA_LOG_INFO,
                 "ENA controller version: %u.%u.%u implementation version %u",
                 (ctrl & ENA_REGS_CONTROLLER_VERSION_MAJOR_MASK) >>
                 ENA_REGS_CONTROLLER_VERSION_MAJOR_SHIFT,
                 (ctrl & ENA_REGS_CONTROLLER_VERSION_MINOR_MASK) >>
                 ENA_REGS_CONTROLLER_VERSION_MINOR_SHIFT,
                 ctrl & ENA_REGS_CONTROLLER_VERSION_SUBMINOR_MASK,
                 (ctrl & ENA_REGS_CONTROLLER_VERSION_IMPL_ID_MASK) >>
                 ENA_REGS_CONTROLLER_VERSION_IMPL_ID_SHIFT);
    ctrl_num = ctrl & (ENA_REGS_CONTROLLER_VERSION_MAJOR_MASK |
                       ENA_REGS_CONTROLLER_VERSION_MINOR_MASK |
                       ENA_REGS_CONTROLLER_VERSION_SUBMINOR_MASK);
    if (ctrl_num < 1) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "ENA ctrl version is lower than the minimal ctrl "
                     "version the driver supports");
        return -ENA_EINVAL;
    }
    return 0;
}

int ena_com_get_dma_width(EnaCom *com)
{
    uint32_t caps = ena_com_reg_read32(com, ENA_REGS_CAPS_OFF);
    uint32_t width;

    if (caps == ENA_MMIO_READ_TIMEOUT) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "Reg read timeout occurred");
        return -ENA_ETIME;
    }
    width = (caps & ENA_REGS_CAPS_DMA_ADDR_WIDTH_MASK) >>
            ENA_REGS_CAPS_DMA_ADDR_WIDTH_SHIFT;
    if (width < 32 || width > 48) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "DMA width illegal value: %u",
                     width);
        return -ENA_EINVAL;
    }
    com->dma_width = width;
    return 0;
}

/* ---- admin queue -------------------------------------------------------- */

int ena_com_status_to_errno(uint8_t status)
{
    switch (status) {
    case ENA_ADMIN_SUCCESS:
        return 0;
    case ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE:
        return -ENA_ENOMEM;
    case ENA_ADMIN_UNSUPPORTED_OPCODE:
        return -ENA_EOPNOTSUPP;
    case ENA_ADMIN_RESOURCE_BUSY:
        return -ENA_EAGAIN;
    case ENA_ADMIN_BAD_OPCODE:
    case ENA_ADMIN_MALFORMED_REQUEST:
    case ENA_ADMIN_ILLEGAL_PARAMETER:
    case ENA_ADMIN_UNKNOWN_ERROR:
    default:
        return -ENA_EINVAL;
    }
}

static void ena_com_free_rings(EnaCom *com)
{
    ena_plat_dma_free(com->plat, &com->admin.sq_mem);
    ena_plat_dma_free(com->plat, &com->admin.cq_mem);
    ena_plat_dma_free(com->plat, &com->aenq.mem);
}

int ena_com_admin_init(EnaCom *com)
{
    EnaComAdmin *aq = &com->admin;
    EnaComAenq *aenq = &com->aenq;
    uint32_t sts = ena_com_reg_read32(com, ENA_REGS_DEV_STS_OFF);
    uint32_t size = aq->depth * ENA_ADMIN_ENTRY_SIZE;
    int rc;

    if (sts == ENA_MMIO_READ_TIMEOUT) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "Reg read timeout occurred");
        return -ENA_ETIME;
    }
    if (!(sts & ENA_REGS_DEV_STS_READY_MASK)) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Device isn't ready, abort com init");
        return -ENA_ENODEV;
    }

    rc = ena_plat_dma_alloc(com->plat, size, &aq->sq_mem);
    if (!rc) {
        rc = ena_plat_dma_alloc(com->plat, size, &aq->cq_mem);
    }
    if (!rc) {
        rc = ena_plat_dma_alloc(com->plat,
                                aenq->depth * ENA_ADMIN_ENTRY_SIZE,
                                &aenq->mem);
    }
    if (rc) {
        ena_com_free_rings(com);
        return rc;
    }

    aq->sq_tail = 0;
    aq->sq_phase = 1;
    aq->cq_head = 0;
    aq->cq_phase = 1;
    aq->curr_cmd_id = 0;
    aq->outstanding = 0;
    aq->missing_intr = false;
    ena_mem_zero(aq->ctx, sizeof(aq->ctx));
    /* the driver consumes AENQ entries from "depth": all free at start */
    aenq->head = aenq->depth;
    aenq->phase = 1;
    aenq->enabled = false;

    ena_com_reg_write32(com, ENA_REGS_AQ_BASE_LO_OFF,
                        (uint32_t)aq->sq_mem.phys);
    ena_com_reg_write32(com, ENA_REGS_AQ_BASE_HI_OFF,
                        (uint32_t)(aq->sq_mem.phys >> 32));
    ena_com_reg_write32(com, ENA_REGS_ACQ_BASE_LO_OFF,
                        (uint32_t)aq->cq_mem.phys);
    ena_com_reg_write32(com, ENA_REGS_ACQ_BASE_HI_OFF,
                        (uint32_t)(aq->cq_mem.phys >> 32));
    ena_com_reg_write32(com, ENA_REGS_AQ_CAPS_OFF, aq->depth |
                        (ENA_ADMIN_ENTRY_SIZE <<
                         ENA_REGS_Q_CAPS_ENTRY_SIZE_SHIFT));
    ena_com_reg_write32(com, ENA_REGS_ACQ_CAPS_OFF, aq->depth |
                        (ENA_ADMIN_ENTRY_SIZE <<
                         ENA_REGS_Q_CAPS_ENTRY_SIZE_SHIFT));
    ena_com_reg_write32(com, ENA_REGS_AENQ_BASE_LO_OFF,
                        (uint32_t)aenq->mem.phys);
    ena_com_reg_write32(com, ENA_REGS_AENQ_BASE_HI_OFF,
                        (uint32_t)(aenq->mem.phys >> 32));
    ena_com_reg_write32(com, ENA_REGS_AENQ_CAPS_OFF, aenq->depth |
                        (ENA_ADMIN_ENTRY_SIZE <<
                         ENA_REGS_Q_CAPS_ENTRY_SIZE_SHIFT));
    aq->running = true;
    ena_com_set_admin_polling(com, true);
    return 0;
}

void ena_com_admin_destroy(EnaCom *com)
{
    EnaComAdmin *aq = &com->admin;

    for (unsigned i = 0; i < ENA_COM_ADMIN_DEPTH; i++) {
        if (aq->ctx[i].occupied) {
            com->stats.admin_aborted++;
            aq->ctx[i].occupied = false;
        }
    }
    aq->outstanding = 0;
    aq->running = false;
    com->aenq.enabled = false;
    ena_com_free_rings(com);
}

void ena_com_set_admin_polling(EnaCom *com, bool polling)
{
    ena_com_reg_write32(com, ENA_REGS_INTR_MASK_OFF,
                        polling ? ENA_REGS_ADMIN_INTR_MASK : 0);
    com->admin.polling = polling;
}

static int ena_com_admin_submit(EnaCom *com, EnaAdminAqEntry *cmd,
                                uint16_t cmd_size, EnaAdminAcqEntry *resp,
                                uint16_t resp_size, EnaComCmdCtx **ctx_out)
{
    EnaComAdmin *aq = &com->admin;
    uint16_t mask = aq->depth - 1;
    uint16_t id = aq->curr_cmd_id & mask;
    uint16_t slot = ena_ring_slot(aq->sq_tail, aq->depth);
    EnaComCmdCtx *ctx = &aq->ctx[id];
    uint8_t *dst;

    if (!aq->running || !aq->sq_mem.virt) {
        com->stats.admin_not_running++;
        return -ENA_ENODEV;
    }
    if (aq->outstanding >= aq->depth || ctx->occupied) {
        /* as Linux: a full admin queue is a broken admin queue */
        com->stats.admin_out_of_space++;
        aq->running = false;
        ena_plat_log(com->plat, ENA_LOG_ERR, "Admin queue is full");
        return -ENA_ENOSPC;
    }

    aq->curr_cmd_id = (aq->curr_cmd_id + 1) & mask;
    cmd->aq_common.command_id = ena_le16(id);
    cmd->aq_common.flags = (cmd->aq_common.flags &
                            ~ENA_ADMIN_AQ_COMMON_DESC_PHASE_MASK) |
                           aq->sq_phase;
    /* only the command's own bytes: the rest of the slot stays stale */
    dst = (uint8_t *)aq->sq_mem.virt + slot * ENA_ADMIN_ENTRY_SIZE;
    ena_mem_copy(dst, cmd, ENA_MIN(cmd_size, ENA_ADMIN_ENTRY_SIZE));

    ctx->occupied = true;
    ctx->done = false;
    ctx->status = 0;
    ctx->opcode = cmd->aq_common.opcode;
    ctx->resp = resp;
    ctx->resp_size = ENA_MIN(resp_size, sizeof(EnaAdminAcqEntry));
    ena_ring_advance(&aq->sq_tail, &aq->sq_phase, aq->depth);
    aq->outstanding++;
    com->stats.admin_submitted++;

    ena_plat_dma_sync(com->plat, &aq->sq_mem, slot * ENA_ADMIN_ENTRY_SIZE,
                      ENA_ADMIN_ENTRY_SIZE, ENA_DMA_SYNC_TO_DEVICE);
    ena_plat_wmb(com->plat);
    ena_com_reg_write32(com, ENA_REGS_AQ_DB_OFF, aq->sq_tail);
    *ctx_out = ctx;
    return 0;
}

void ena_com_admin_process(EnaCom *com)
{
    EnaComAdmin *aq = &com->admin;

    if (!aq->cq_mem.virt) {
        return;
    }
    /* at most one ring's worth per call: the device cannot have more */
    for (unsigned n = 0; n < aq->depth; n++) {
        uint16_t slot = ena_ring_slot(aq->cq_head, aq->depth);
        EnaAdminAcqEntry *e = (EnaAdminAcqEntry *)aq->cq_mem.virt + slot;
        EnaComCmdCtx *ctx;
        uint16_t id;

        ena_plat_dma_sync(com->plat, &aq->cq_mem,
                          slot * ENA_ADMIN_ENTRY_SIZE, ENA_ADMIN_ENTRY_SIZE,
                          ENA_DMA_SYNC_FROM_DEVICE);
        if ((ena_read_once8(&e->acq_common.flags) &
             ENA_ADMIN_ACQ_COMMON_DESC_PHASE_MASK) != aq->cq_phase) {
            break;
        }
        ena_plat_rmb(com->plat);
        id = ena_le16(ena_read_once16(&e->acq_common.command)) &
             ENA_ADMIN_ACQ_COMMON_DESC_COMMAND_ID_MASK;
        ctx = id < aq->depth ? &aq->ctx[id] : NULL;
        if (!ctx || !ctx->occupied || ctx->done) {
            com->stats.admin_bad_cmd_id++;
            aq->running = false;
            if (id >= aq->depth) {
                ena_plat_log(com->plat, ENA_LOG_ERR,
                             "Command id is larger than the queue size. "
                             "cmd_id: %u queue size %u", id, aq->depth);
            } else {
                ena_plat_log(com->plat, ENA_LOG_ERR,
                             "Completion for command id %u that is not "
                             "pending", id);
            }
            ena_plat_log(com->plat, ENA_LOG_ERR,
                         "comp_ctx is NULL. Changing the admin queue "
                         "running state");
        } else {
            ctx->status = ena_read_once8(&e->acq_common.status);
            if (ctx->resp) {
                ena_mem_copy(ctx->resp, e, ctx->resp_size);
            }
            ctx->done = true;
            com->stats.admin_completed++;
        }
        ena_ring_advance(&aq->cq_head, &aq->cq_phase, aq->depth);
    }
}

void ena_com_mgmt_intr(EnaCom *com)
{
    com->stats.mgmt_interrupts++;
    ena_com_admin_process(com);
    if (com->aenq.enabled) {
        ena_com_aenq_process(com);
    }
}

static void ena_com_admin_timed_out(EnaCom *com, EnaComCmdCtx *ctx)
{
    com->admin.running = false;
    ena_com_event(com, ENA_EV_ADMIN_TIMEOUT, ctx->opcode,
                  com->admin.missing_intr ?
                  "admin completion without interrupt" :
                  "admin command timed out");
}

static int ena_com_wait_polling(EnaCom *com, EnaComCmdCtx *ctx)
{
    uint64_t deadline = ena_com_now(com) +
                        com->admin.timeout_us * ENA_NS_PER_US;
    uint32_t delay = ENA_COM_POLL_MIN_US;

    for (;;) {
        ena_com_admin_process(com);
        if (ctx->done) {
            return 0;
        }
        if (ena_com_now(com) >= deadline) {
            ena_plat_log(com->plat, ENA_LOG_ERR,
                         "Wait for completion (polling) timeout");
            com->stats.admin_no_completion++;
            com->admin.missing_intr = false;
            ena_com_admin_timed_out(com, ctx);
            return -ENA_ETIME;
        }
        ena_plat_wait_device(com->plat, delay, deadline - ena_com_now(com));
        delay = ENA_MIN(delay * 2, ENA_COM_POLL_MAX_US);
    }
}

static int ena_com_wait_intr(EnaCom *com, EnaComCmdCtx *ctx)
{
    uint64_t deadline = ena_com_now(com) +
                        com->admin.timeout_us * ENA_NS_PER_US;
    uint64_t now;

    for (;;) {
        if (ena_plat_intr_take(com->plat, 0)) {
            ena_com_mgmt_intr(com);
        }
        if (ctx->done) {
            return 0;
        }
        now = ena_com_now(com);
        if (now >= deadline) {
            /* one last look: did it come without an interrupt? */
            ena_com_admin_process(com);
            if (ctx->done) {
                ena_plat_log(com->plat, ENA_LOG_ERR,
                             "The ena device sent a completion but the "
                             "driver didn't receive a MSI-X interrupt "
                             "(cmd %u)", ctx->opcode);
                com->stats.admin_missing_intr++;
                com->admin.missing_intr = true;
            } else {
                ena_plat_log(com->plat, ENA_LOG_ERR,
                             "The ena device didn't send a completion for "
                             "the admin cmd %u status %u", ctx->opcode,
                             ctx->status);
                com->stats.admin_no_completion++;
                com->admin.missing_intr = false;
            }
            ena_com_admin_timed_out(com, ctx);
            return -ENA_ETIME;
        }
        ena_plat_wait_device(com->plat, ENA_COM_INTR_POLL_US, deadline - now);
    }
}

int ena_com_admin_exec(EnaCom *com, EnaAdminAqEntry *cmd, uint16_t cmd_size,
                       EnaAdminAcqEntry *resp, uint16_t resp_size)
{
    EnaComAdmin *aq = &com->admin;
    EnaComCmdCtx *ctx;
    uint8_t status;
    int rc;

    ena_plat_lock(com->plat, ENA_LOCK_ADMIN);
    rc = ena_com_admin_submit(com, cmd, cmd_size, resp, resp_size, &ctx);
    if (rc) {
        ena_plat_unlock(com->plat, ENA_LOCK_ADMIN);
        return rc;
    }
    rc = aq->polling ? ena_com_wait_polling(com, ctx) :
                       ena_com_wait_intr(com, ctx);
    status = ctx->status;
    ctx->occupied = false;
    aq->outstanding--;
    ena_plat_unlock(com->plat, ENA_LOCK_ADMIN);
    if (rc) {
        return rc;
    }
    if (status != ENA_ADMIN_SUCCESS) {
        com->stats.admin_error_status++;
        ena_plat_log(com->plat,
                     status == ENA_ADMIN_UNSUPPORTED_OPCODE ? ENA_LOG_NOTICE :
                                                              ENA_LOG_ERR,
                     "Admin command %u failed (%u)", ctx->opcode, status);
    }
    return ena_com_status_to_errno(status);
}

bool ena_com_feature_supported(const EnaCom *com, uint8_t feature_id)
{
    /* these two go out before the supported bitmap is known */
    if (feature_id == ENA_ADMIN_DEVICE_ATTRIBUTES ||
        feature_id == ENA_ADMIN_HOST_ATTR_CONFIG) {
        return true;
    }
    return feature_id < 32 && (com->supported_features & ENA_BIT(feature_id));
}

static void ena_com_feature_cmd(EnaComCmd *cmd, uint8_t opcode, uint8_t id,
                                uint8_t version, const EnaDmaMem *buf,
                                uint32_t buf_len)
{
    ena_mem_zero(cmd, sizeof(*cmd));
    cmd->feat.aq_common.opcode = opcode;
    cmd->feat.feature_id = id;
    cmd->feat.feature_version = version;
    if (buf && buf->virt) {
        /* one flat buffer, flagged as Linux flags it (§4.5) */
        cmd->feat.aq_common.flags =
            ENA_ADMIN_AQ_COMMON_DESC_CTRL_DATA_INDIRECT_MASK;
        cmd->feat.ctrl.length = ena_le32(buf_len);
        cmd->feat.ctrl.address.lo = ena_le32((uint32_t)buf->phys);
        cmd->feat.ctrl.address.hi = ena_le16((uint16_t)(buf->phys >> 32));
    }
}

int ena_com_get_feature(EnaCom *com, uint8_t id, uint8_t version,
                        const EnaDmaMem *buf, uint32_t buf_len, void *out,
                        uint32_t out_len)
{
    EnaComCmd cmd;
    EnaAdminAcqEntry resp;
    int rc;

    if (!ena_com_feature_supported(com, id)) {
        ena_plat_log(com->plat, ENA_LOG_DEBUG,
                     "Feature %u isn't supported", id);
        return -ENA_EOPNOTSUPP;
    }
    ena_com_feature_cmd(&cmd, ENA_ADMIN_GET_FEATURE, id, version, buf,
                        buf_len);
    ena_mem_zero(&resp, sizeof(resp));
    rc = ena_com_admin_exec(com, &cmd.entry, sizeof(cmd.feat), &resp,
                            sizeof(resp));
    if (rc) {
        return rc;
    }
    ena_mem_copy(out, resp.data, ENA_MIN(out_len, sizeof(resp.data)));
    return 0;
}

int ena_com_set_feature(EnaCom *com, uint8_t id, uint8_t version,
                        const void *payload, uint32_t len,
                        const EnaDmaMem *buf, uint32_t buf_len)
{
    EnaComCmd cmd;
    EnaAdminAcqEntry resp;

    if (!ena_com_feature_supported(com, id)) {
        ena_plat_log(com->plat, ENA_LOG_DEBUG,
                     "Feature %u isn't supported", id);
        return -ENA_EOPNOTSUPP;
    }
    if (len > ENA_ADMIN_FEATURE_PAYLOAD_SIZE) {
        return -ENA_EINVAL;
    }
    ena_com_feature_cmd(&cmd, ENA_ADMIN_SET_FEATURE, id, version, buf,
                        buf_len);
    ena_mem_copy(cmd.feat.payload, payload, len);
    return ena_com_admin_exec(com, &cmd.entry, sizeof(cmd.feat), &resp,
                              sizeof(resp));
}

/* ---- PHC ---------------------------------------------------------------- */

int ena_com_phc_config(EnaCom *com)
{
    EnaComPhc *phc = &com->phc;
    EnaAdminPhcFeature f;
    uint64_t expire_us, block_us;
    int rc;

    phc->active = false;
    phc->blocked = false;
    rc = ena_com_get_feature(com, ENA_ADMIN_PHC_CONFIG,
                             ENA_ADMIN_PHC_FEATURE_VERSION_0, NULL, 0, &f,
                             sizeof(f));
    if (rc) {
        return rc;
    }
    if (f.version != ENA_ADMIN_PHC_FEATURE_VERSION_0) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "Unsupported PHC version %u",
                     f.version);
        return -ENA_EOPNOTSUPP;
    }
    phc->doorbell = ena_le32(f.doorbell_offset);
    expire_us = ena_le32(f.expire_timeout_usec) ?: ENA_COM_PHC_EXPIRE_US;
    block_us = ena_le32(f.block_timeout_usec) ?: ENA_COM_PHC_BLOCK_US;
    phc->expire_ns = ENA_MIN(expire_us, block_us) * ENA_NS_PER_US;
    phc->block_ns = block_us * ENA_NS_PER_US;
    if (!phc->resp.virt) {
        rc = ena_plat_dma_alloc(com->plat, sizeof(EnaAdminPhcResp),
                                &phc->resp);
        if (rc) {
            return rc;
        }
    }
    ena_mem_zero(phc->resp.virt, sizeof(EnaAdminPhcResp));
    ena_plat_dma_sync(com->plat, &phc->resp, 0, sizeof(EnaAdminPhcResp),
                      ENA_DMA_SYNC_TO_DEVICE);
    ena_mem_zero(&f, sizeof(f));
    f.output_address.lo = ena_le32((uint32_t)phc->resp.phys);
    f.output_address.hi = ena_le16((uint16_t)(phc->resp.phys >> 32));
    f.output_length = ena_le32(sizeof(EnaAdminPhcResp));
    rc = ena_com_set_feature(com, ENA_ADMIN_PHC_CONFIG,
                             ENA_ADMIN_PHC_FEATURE_VERSION_0, &f, sizeof(f),
                             NULL, 0);
    if (rc) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "Failed to enable PHC: %d", rc);
        return rc;
    }
    phc->error_bound = ENA_COM_PHC_NO_BOUND;
    phc->active = true;
    return 0;
}

void ena_com_phc_destroy(EnaCom *com)
{
    com->phc.active = false;
    com->phc.blocked = false;
    ena_plat_dma_free(com->plat, &com->phc.resp);
}

/* The request that blocked reads is over: count how it ended. */
static void ena_com_phc_account(EnaCom *com, const EnaAdminPhcResp *r)
{
    EnaComPhc *phc = &com->phc;
    uint32_t flags = ena_le32(r->error_flags);

    if (ena_le16(r->req_id) != phc->req_id) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "PHC request 0x%x failed: no "
                     "response from the device", phc->req_id);
        phc->stats.err_device++;
    } else if (flags & (ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP |
                        ENA_ADMIN_PHC_ERROR_FLAG_ERROR_BOUND)) {
        ena_plat_log(com->plat, ENA_LOG_ERR, "PHC request 0x%x failed: "
                     "error flags 0x%x", phc->req_id, flags);
        phc->stats.err_ts += !!(flags & ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP);
        phc->stats.err_eb += !!(flags & ENA_ADMIN_PHC_ERROR_FLAG_ERROR_BOUND);
    } else {
        phc->stats.expired++;
    }
}

int ena_com_phc_get_time(EnaCom *com, uint64_t *ts)
{
    EnaComPhc *phc = &com->phc;
    EnaAdminPhcResp *resp = phc->resp.virt;
    EnaAdminPhcResp r;
    uint64_t start, now;

    if (!phc->active) {
        return -ENA_EOPNOTSUPP;
    }
    start = ena_com_now(com);
    if (phc->blocked) {
        if (start < phc->blocked_at + phc->block_ns) {
            phc->stats.skipped++;
            return -ENA_EBUSY;
        }
        ena_plat_dma_sync(com->plat, &phc->resp, 0, sizeof(r),
                          ENA_DMA_SYNC_FROM_DEVICE);
        ena_mem_copy(&r, resp, sizeof(r));
        ena_com_phc_account(com, &r);
        phc->blocked = false;
    }
    phc->req_id++;
    ena_write_once16(&resp->req_id,
                     ena_le16((uint16_t)(phc->req_id +
                                         ENA_COM_PHC_STALE_OFFSET)));
    ena_plat_dma_sync(com->plat, &phc->resp, 0, sizeof(r),
                      ENA_DMA_SYNC_TO_DEVICE);
    ena_plat_wmb(com->plat);
    ena_com_reg_write32(com, phc->doorbell, phc->req_id);
    for (;;) {
        ena_plat_dma_sync(com->plat, &phc->resp, 0, sizeof(r),
                          ENA_DMA_SYNC_FROM_DEVICE);
        if (ena_le16(ena_read_once16(&resp->req_id)) == phc->req_id) {
            /* the req_id is written last: the rest is there */
            ena_plat_rmb(com->plat);
            ena_mem_copy(&r, resp, sizeof(r));
            if (ena_le32(r.error_flags) &
                (ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP |
                 ENA_ADMIN_PHC_ERROR_FLAG_ERROR_BOUND)) {
                break;
            }
            *ts = ena_le64(r.timestamp);
            phc->error_bound = ena_le32(r.error_bound);
            phc->stats.ok++;
            return 0;
        }
        now = ena_com_now(com);
        if (now >= start + phc->expire_ns) {
            break;
        }
        ena_plat_wait_device(com->plat, 1, start + phc->expire_ns - now);
    }
    phc->blocked = true;
    phc->blocked_at = start;
    phc->error_bound = ENA_COM_PHC_NO_BOUND;
    return -ENA_EBUSY;
}

/* ---- AENQ --------------------------------------------------------------- */

void ena_com_aenq_set_ops(EnaCom *com, const EnaComAenqOps *ops,
                          void *opaque)
{
    com->aenq_ops = ops;
    com->aenq_opaque = opaque;
}

void ena_com_aenq_start(EnaCom *com)
{
    ena_com_reg_write32(com, ENA_REGS_AENQ_HEAD_DB_OFF, com->aenq.head);
}

void ena_com_hints_to_host(EnaAdminHwHints *h)
{
    h->mmio_read_timeout = ena_le16(h->mmio_read_timeout);
    h->driver_watchdog_timeout = ena_le16(h->driver_watchdog_timeout);
    h->missing_tx_completion_timeout =
        ena_le16(h->missing_tx_completion_timeout);
    h->missed_tx_completion_count_threshold_to_reset =
        ena_le16(h->missed_tx_completion_count_threshold_to_reset);
    h->admin_completion_tx_timeout = ena_le16(h->admin_completion_tx_timeout);
    h->netdev_wd_timeout = ena_le16(h->netdev_wd_timeout);
    h->max_tx_sgl_size = ena_le16(h->max_tx_sgl_size);
    h->max_rx_sgl_size = ena_le16(h->max_rx_sgl_size);
}

static uint64_t ena_com_u64(uint32_t lo, uint32_t hi)
{
    return ena_le32(lo) | ((uint64_t)ena_le32(hi) << 32);
}

static void ena_com_aenq_dispatch(EnaCom *com, const EnaAdminAenqEntry *e)
{
    const EnaComAenqOps *ops = com->aenq_ops;
    void *opaque = com->aenq_opaque;
    uint16_t group = ena_le16(e->aenq_common.group);
    uint16_t syndrome = ena_le16(e->aenq_common.syndrome);
    const uint32_t *w = e->inline_data_w4;

    com->stats.aenq_events++;
    if (group < ENA_ADMIN_AENQ_GROUPS_NUM) {
        com->stats.aenq_group[group]++;
    }
    switch (group) {
    case ENA_ADMIN_LINK_CHANGE:
        if (ops && ops->link_change) {
            ops->link_change(opaque, ena_le32(w[0]) &
                             ENA_ADMIN_AENQ_LINK_CHANGE_DESC_LINK_STATUS_MASK);
        }
        break;
    case ENA_ADMIN_KEEP_ALIVE: {
        EnaComKeepAlive ka = {
            .rx_drops = ena_com_u64(w[0], w[1]),
            .tx_drops = ena_com_u64(w[2], w[3]),
            .rx_overruns = ena_com_u64(w[4], w[5]),
        };
        if (ops && ops->keep_alive) {
            ops->keep_alive(opaque, &ka);
        }
        break;
    }
    case ENA_ADMIN_NOTIFICATION: {
        EnaAdminHwHints h;

        if (syndrome != ENA_ADMIN_UPDATE_HINTS) {
            com->stats.aenq_bad_syndrome++;
            ena_plat_log(com->plat, ENA_LOG_ERR,
                         "Invalid aenq notification link state %u",
                         syndrome);
            break;
        }
        ena_mem_copy(&h, w, sizeof(h));
        ena_com_hints_to_host(&h);
        if (ops && ops->hints) {
            ops->hints(opaque, &h);
        }
        break;
    }
    case ENA_ADMIN_FATAL_ERROR:
        if (ops && ops->fatal_error) {
            ops->fatal_error(opaque, syndrome);
        }
        break;
    case ENA_ADMIN_WARNING:
        if (ops && ops->warning) {
            ops->warning(opaque, syndrome);
        }
        break;
    default:
        /* REFRESH_CAPABILITIES, CONF_NOTIFICATIONS, DEVICE_REQUEST_RESET... */
        com->stats.aenq_unhandled++;
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Unknown event was received or event with "
                     "unimplemented handler (group %u syndrome %u)",
                     group, syndrome);
        if (ops && ops->unhandled) {
            ops->unhandled(opaque, group, syndrome);
        }
        break;
    }
}

int ena_com_aenq_process(EnaCom *com)
{
    EnaComAenq *aenq = &com->aenq;
    int n = 0;

    if (!aenq->enabled || !aenq->mem.virt) {
        return 0;
    }
    ena_plat_lock(com->plat, ENA_LOCK_AENQ);
    /* bounded: the device cannot produce past the last head doorbell */
    while (n < aenq->depth) {
        uint16_t slot = ena_ring_slot(aenq->head, aenq->depth);
        EnaAdminAenqEntry *e = (EnaAdminAenqEntry *)aenq->mem.virt + slot;
        EnaAdminAenqEntry copy;
        uint8_t flags;

        ena_plat_dma_sync(com->plat, &aenq->mem, slot * ENA_ADMIN_ENTRY_SIZE,
                          ENA_ADMIN_ENTRY_SIZE, ENA_DMA_SYNC_FROM_DEVICE);
        flags = ena_read_once8(&e->aenq_common.flags);
        if ((flags & ENA_ADMIN_AENQ_COMMON_DESC_PHASE_MASK) != aenq->phase) {
            break;
        }
        ena_plat_rmb(com->plat);
        ena_mem_copy(&copy, e, sizeof(copy));
        if (flags & ~ENA_ADMIN_AENQ_COMMON_DESC_PHASE_MASK) {
            com->stats.aenq_bad_flags++;
        }
        ena_ring_advance(&aenq->head, &aenq->phase, aenq->depth);
        n++;
        ena_com_aenq_dispatch(com, &copy);
    }
    if (n) {
        ena_plat_wmb(com->plat);
        ena_com_reg_write32(com, ENA_REGS_AENQ_HEAD_DB_OFF, aenq->head);
    }
    ena_plat_unlock(com->plat, ENA_LOCK_AENQ);
    return n;
}
