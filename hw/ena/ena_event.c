/*
 * AWS Elastic Network Adapter: how the device reaches the driver
 *
 * DMA into guest memory and the fatal-error latch for when it fails,
 * MSI-X with auto-masking and moderation, and the AENQ: events, the
 * keep-alive and link changes. The layer under the admin queue and the
 * data path; it calls nothing above it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/rcu.h"
#include "exec/memory.h"
#include "hw/pci/msix.h"
#include "ena_internal.h"
#include "trace.h"

/* ---- strict mode ----------------------------------------------------- */

static const char *const ena_strict_names[ENA_STRICT__MAX] = {
    [ENA_STRICT_AENQ_UNCONFIGURED] = "aenq-unconfigured",
    [ENA_STRICT_NO_HOST_INFO] = "queues-before-host-info",
    [ENA_STRICT_NO_READLESS] = "cq-before-readless",
    [ENA_STRICT_CDESC_SIZE] = "cdesc-size",
    [ENA_STRICT_DOORBELL] = "sq-doorbell",
};

const char *ena_strict_rule_name(ENAStrictRule rule)
{
    return rule < ENA_STRICT__MAX ? ena_strict_names[rule] : "?";
}

/*
 * A rule real devices enforce without saying so: with strict=on, count
 * it, trace it and tell the driver's author. The device still does what
 * it does with strict=off, so a run differs only in what it reports.
 */
void ena_strict(ENACore *core, ENAStrictRule rule, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!core->params.strict) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    core->strict_hits[rule]++;
    trace_ena_strict(ena_strict_rule_name(rule), core->strict_hits[rule],
                     msg);
    qemu_log_mask(LOG_GUEST_ERROR, "ena: strict %s: %s\n",
                  ena_strict_rule_name(rule), msg);
}

/* ---- DMA and the fatal-error latch ----------------------------------- */

/* What became of an AENQ event */
typedef enum {
    ENA_AENQ_POSTED,
    ENA_AENQ_SKIPPED,       /* group off, AENQ not set up, or full */
    ENA_AENQ_DMA_FAILED,
} ENAAenqResult;

static ENAAenqResult ena_aenq_write(ENACore *core, uint16_t group,
                                    uint16_t syndrome, const void *payload,
                                    size_t len, bool irq, uint64_t *addr);

/*
 * A DMA failure on a ring means the device can no longer report anything
 * through it: latch DEV_STS.FATAL_ERROR (until reset) and stop processing.
 * The bit goes up before the FATAL_ERROR event is tried, and that attempt
 * never comes back here: an AENQ that cannot be written (outside RAM, on
 * a BAR, an IOMMU mapping gone) ends in the latched bit, not in a loop.
 */
void ena_set_fatal(ENACore *core, const char *why, uint64_t addr)
{
    if (ena_fatal(core)) {
        return;
    }
    ENA_GUEST_ERR(ena_err_fatal, "%s at 0x%" PRIx64, why, addr);
    core->dev_sts |= ENA_REGS_DEV_STS_FATAL_ERROR_MASK;
    ena_aenq_write(core, ENA_ADMIN_FATAL_ERROR, 0, NULL, 0, true, &addr);
}

/*
 * Timer callbacks run as the device's MMIO handlers do, behind QEMU's
 * re-entrancy guard: a DMA or MSI-X write of theirs that lands in the
 * device's own BARs is refused, and then handled as any failed DMA,
 * instead of re-entering the device in the middle of its work (a guarded
 * bottom half gets the same from QEMU).
 */
bool ena_guard_begin(ENACore *core)
{
    MemReentrancyGuard *g = &DEVICE(core->owner)->mem_reentrancy_guard;

    if (g->engaged_in_io) {
        return false;   /* called from inside the device's own work */
    }
    g->engaged_in_io = true;
    return true;
}

void ena_guard_end(ENACore *core, bool began)
{
    if (began) {
        DEVICE(core->owner)->mem_reentrancy_guard.engaged_in_io = false;
    }
}

void ena_guarded_call(ENACore *core, void (*fn)(void *), void *opaque)
{
    bool began = ena_guard_begin(core);

    fn(opaque);
    ena_guard_end(core, began);
}

bool ena_dma_ok(ENACore *core, uint64_t addr, size_t len)
{
    uint8_t width = core->params.dma_width;

    return addr != 0 && (width >= 64 || ((addr + len - 1) >> width) == 0);
}

/*
 * Is [addr, addr + len) guest RAM as the device sees it, through the
 * IOMMU if there is one and only with bus mastering on? TX fragments go
 * to the net back end as host pointers: anything but RAM (a BAR, a hole)
 * would be a bounce buffer filled by MMIO reads at map time.
 */
bool ena_dma_is_ram(ENACore *core, uint64_t addr, size_t len)
{
    AddressSpace *as = pci_get_address_space(core->owner);

    if (!ena_dma_ok(core, addr, len)) {
        return false;
    }
    RCU_READ_LOCK_GUARD();
    while (len) {
        hwaddr xlat, plen = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &plen,
                                                   false,
                                                   MEMTXATTRS_UNSPECIFIED);

        if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) ||
            !plen) {
            return false;
        }
        addr += plen;
        len -= MIN(len, plen);
    }
    return true;
}

MemTxResult ena_dma_read(ENACore *core, uint64_t addr, void *buf,
                                size_t len)
{
    if (!ena_dma_ok(core, addr, len)) {
        return MEMTX_DECODE_ERROR;
    }
    return pci_dma_read(core->owner, addr, buf, len);
}

MemTxResult ena_dma_write(ENACore *core, uint64_t addr,
                                 const void *buf, size_t len)
{
    if (!ena_dma_ok(core, addr, len)) {
        return MEMTX_DECODE_ERROR;
    }
    return pci_dma_write(core->owner, addr, buf, len);
}

/*
 * Write a ring entry whose phase lives in its first 32-bit word: the body
 * first, the phase word last, so a driver polling the phase never sees a
 * half-written entry.
 */
/* @len bytes of @iov from byte @off on, straight into guest memory. */
MemTxResult ena_dma_write_iov(ENACore *core, uint64_t addr,
                                     const struct iovec *iov, int iovcnt,
                                     size_t off, size_t len)
{
    MemTxResult res = MEMTX_OK;

    if (!ena_dma_ok(core, addr, len)) {
        return MEMTX_DECODE_ERROR;
    }
    for (int i = 0; i < iovcnt && len; i++) {
        size_t n;

        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        n = MIN(iov[i].iov_len - off, len);
        res |= pci_dma_write(core->owner, addr,
                             (uint8_t *)iov[i].iov_base + off, n);
        addr += n;
        len -= n;
        off = 0;
    }
    return res;
}

MemTxResult ena_write_entry(ENACore *core, uint64_t addr,
                                   const uint8_t *entry, size_t len,
                                   size_t phase_word_off)
{
    MemTxResult r = MEMTX_OK;

    if (phase_word_off > 0) {
        r |= ena_dma_write(core, addr, entry, phase_word_off);
    }
    if (len > phase_word_off + 4) {
        r |= ena_dma_write(core, addr + phase_word_off + 4,
                           entry + phase_word_off + 4,
                           len - phase_word_off - 4);
    }
    r |= ena_dma_write(core, addr + phase_word_off, entry + phase_word_off, 4);
    return r;
}

/* ---- interrupts ------------------------------------------------------ */

static void ena_msix_notify(ENACore *core, uint32_t vector)
{
    if (vector >= core->nr_vectors) {
        ENA_GUEST_ERR(ena_err_msix_vector, "vector %u out of range (%u)",
                      vector, core->nr_vectors);
        return;
    }
    trace_ena_irq_msix(vector);
    msix_notify(core->owner, vector);
}

/* Management vector: admin completions and AENQ events. */
void ena_mgmt_irq(ENACore *core, bool admin)
{
    if (admin && (core->intr_mask & ENA_REGS_ADMIN_INTR_MASK)) {
        trace_ena_irq_admin_masked();
        return;
    }
    ena_msix_notify(core, 0);
}

static void ena_io_fire(ENACore *core, uint32_t vector)
{
    if (ena_fault_fire(&core->faults, ENA_FAULT_IRQ, BIT(ENA_FA_DROP), vector,
                       ENA_FAULT_ANY)) {
        return;         /* lost: the vector stays masked, as after a send */
    }
    ena_msix_notify(core, vector);
}

static void ena_io_moderation_run(void *opaque)
{
    ENAVectorTimerCtx *c = opaque;

    ena_io_fire(c->core, c->vector);
}

void ena_io_moderation_cb(void *opaque)
{
    ENAVectorTimerCtx *c = opaque;

    ena_guarded_call(c->core, ena_io_moderation_run, opaque);
}

/*
 * IO vectors auto-mask: one interrupt until the driver unmasks. With a
 * moderation delay the interrupt leaves that long after the first
 * completion, so the completions of the meantime share it.
 */
void ena_io_irq(ENACore *core, uint32_t vector, bool rx)
{
    ENAVector *v;
    uint32_t delay_us;

    if (vector >= core->nr_vectors) {
        return;
    }
    v = &core->vec[vector];
    delay_us = rx ? v->rx_delay_us : v->tx_delay_us;
    if (v->masked) {
        /* a moderated interrupt not yet sent: keep the shorter delay */
        if (timer_pending(v->timer) &&
            timer_expire_time_ns(v->timer) > ena_now() + delay_us * SCALE_US) {
            timer_mod(v->timer, ena_now() + delay_us * SCALE_US);
        } else if (!timer_pending(v->timer)) {
            v->pending = true;
            trace_ena_irq_io_deferred(vector);
        }
        return;
    }
    v->masked = true;
    v->pending = false;
    if (delay_us) {
        timer_mod(v->timer, ena_now() + delay_us * SCALE_US);
        return;
    }
    ena_io_fire(core, vector);
}

void ena_io_unmask(ENACore *core, uint32_t vector, uint32_t val)
{
    ENAVector *v;

    if (vector >= core->nr_vectors) {
        return;
    }
    v = &core->vec[vector];
    trace_ena_irq_unmask(vector, val);
    if (!(val & ENA_ETH_IO_INTR_REG_NO_MODERATION_UPDATE_MASK)) {
        /* capped at 15 bits of resolution units, as the fields are */
        v->rx_delay_us = (val & ENA_ETH_IO_INTR_REG_RX_INTR_DELAY_MASK) *
                         core->params.intr_delay_resolution;
        v->tx_delay_us = ((val & ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_MASK) >>
                          ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_SHIFT) *
                         core->params.intr_delay_resolution;
    }
    if (!(val & ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK)) {
        return;
    }
    v->masked = false;
    if (v->pending) {
        /* completions waited while masked: no further delay for them */
        v->pending = false;
        v->masked = true;
        ena_io_fire(core, vector);
    }
}

/* ---- AENQ ------------------------------------------------------------ */

static bool ena_aenq_ready(ENACore *core)
{
    uint16_t depth = ena_q_depth(core->aenq_caps);

    return core->aenq_base && depth && is_power_of_2(depth) &&
           ena_q_entry_size(core->aenq_caps) == ENA_ADMIN_ENTRY_SIZE;
}

static bool ena_aenq_post_ex(ENACore *core, uint16_t group,
                             uint16_t syndrome, const void *payload,
                             size_t len, bool irq);

bool ena_aenq_post(ENACore *core, uint16_t group, uint16_t syndrome,
                          const void *payload, size_t len)
{
    return ena_aenq_post_ex(core, group, syndrome, payload, len, true);
}

/*
 * Write one event at the AENQ tail. Nothing here looks at or raises the
 * fatal state: ena_set_fatal() uses it for its own event.
 */
static ENAAenqResult ena_aenq_write(ENACore *core, uint16_t group,
                                    uint16_t syndrome, const void *payload,
                                    size_t len, bool irq, uint64_t *addr)
{
    EnaAdminAenqEntry e;
    uint16_t depth = ena_q_depth(core->aenq_caps);
    uint16_t free_from = core->aenq_head_db - depth;
    uint64_t ts = ena_now() / SCALE_MS;

    if (!(core->aenq_groups & BIT(group))) {
        trace_ena_aenq_disabled(group, syndrome);
        return ENA_AENQ_SKIPPED;
    }
    if (!ena_aenq_ready(core)) {
        trace_ena_aenq_not_ready(group, syndrome);
        return ENA_AENQ_SKIPPED;
    }
    if ((uint16_t)(core->aenq_tail - free_from) >= depth) {
        core->aenq_dropped++;
        trace_ena_aenq_full(group, syndrome, core->aenq_tail,
                            core->aenq_head_db);
        return ENA_AENQ_SKIPPED;
    }

    memset(&e, 0, sizeof(e));
    e.aenq_common.group = cpu_to_le16(group);
    e.aenq_common.syndrome = cpu_to_le16(syndrome);
    e.aenq_common.flags = ena_phase(core->aenq_tail, depth);
    e.aenq_common.timestamp_low = cpu_to_le32(ts);
    e.aenq_common.timestamp_high = cpu_to_le32(ts >> 32);
    if (payload) {
        memcpy(e.inline_data_w4, payload,
               MIN(len, sizeof(e.inline_data_w4)));
    }
    *addr = core->aenq_base +
            (uint64_t)(core->aenq_tail & (depth - 1)) * ENA_ADMIN_ENTRY_SIZE;
    /* the phase is in byte 4: write bytes 8.. first, then the header */
    if (ena_dma_write(core, *addr + 8, (uint8_t *)&e + 8, sizeof(e) - 8) ||
        ena_dma_write(core, *addr, &e, 8)) {
        trace_ena_err_aenq_dma(group, *addr);
        return ENA_AENQ_DMA_FAILED;
    }
    trace_ena_aenq_post(group, syndrome, core->aenq_tail);
    core->aenq_tail++;
    if (irq) {
        ena_mgmt_irq(core, false);
    }
    return ENA_AENQ_POSTED;
}

static bool ena_aenq_post_ex(ENACore *core, uint16_t group,
                             uint16_t syndrome, const void *payload,
                             size_t len, bool irq)
{
    uint64_t addr = 0;

    if (ena_fatal(core)) {
        trace_ena_aenq_not_ready(group, syndrome);
        return false;
    }
    switch (ena_aenq_write(core, group, syndrome, payload, len, irq, &addr)) {
    case ENA_AENQ_POSTED:
        return true;
    case ENA_AENQ_DMA_FAILED:
        ena_set_fatal(core, "AENQ write failed", addr);
        return false;
    default:
        return false;
    }
}

/* The link as the driver sees it: the back end's, unless a fault took it. */
bool ena_link_up(ENACore *core)
{
    return !qemu_get_queue(core->nic)->link_down && !core->fault_link_down;
}

static void ena_aenq_post_link(ENACore *core)
{
    uint32_t flags = cpu_to_le32(ena_link_up(core) ?
                        ENA_ADMIN_AENQ_LINK_CHANGE_DESC_LINK_STATUS_MASK : 0);

    if (ena_aenq_post(core, ENA_ADMIN_LINK_CHANGE, 0, &flags,
                      sizeof(flags))) {
        core->link_event_pending = false;
    }
}

/* Post what had to wait for the driver to free AENQ entries. */
void ena_aenq_flush_pending(ENACore *core)
{
    if (core->link_event_pending &&
        (core->aenq_groups & BIT(ENA_ADMIN_LINK_CHANGE))) {
        ena_aenq_post_link(core);
    }
    if (core->hints_pending &&
        (core->aenq_groups & BIT(ENA_ADMIN_NOTIFICATION)) &&
        ena_aenq_post(core, ENA_ADMIN_NOTIFICATION, ENA_ADMIN_UPDATE_HINTS,
                      &core->hints_notify, sizeof(core->hints_notify))) {
        core->hints_pending = false;
    }
}

void ena_keepalive_arm(ENACore *core)
{
    if (core->params.keepalive_ms &&
        (core->aenq_groups & BIT(ENA_ADMIN_KEEP_ALIVE))) {
        timer_mod(core->keepalive_timer,
                  ena_now() + (int64_t)core->params.keepalive_ms * SCALE_MS);
    } else {
        timer_del(core->keepalive_timer);
    }
}

static void ena_keepalive_run(void *opaque)
{
    ENACore *core = opaque;
    const ENAFaultRule *r = NULL;
    bool irq = true;
    EnaAdminAenqKeepAlive ka = {
        .rx_drops_low = cpu_to_le32(core->stats.rx_drops),
        .rx_drops_high = cpu_to_le32(core->stats.rx_drops >> 32),
        .tx_drops_low = cpu_to_le32(core->stats.tx_drops),
        .tx_drops_high = cpu_to_le32(core->stats.tx_drops >> 32),
        .rx_overruns_low = cpu_to_le32(core->stats.rx_overruns),
        .rx_overruns_high = cpu_to_le32(core->stats.rx_overruns >> 32),
    };

    if (core->keepalive_delayed) {
        core->keepalive_delayed = false;    /* the late one goes out now */
    } else {
        r = ena_fault_fire(&core->faults, ENA_FAULT_KEEPALIVE, ENA_FA_ANY,
                           ENA_FAULT_ANY,
                            ENA_FAULT_ANY);
    }
    if (r && r->action == ENA_FA_STOP) {
        ena_keepalive_arm(core);
        return;
    }
    if (r && r->action == ENA_FA_DELAY) {
        core->keepalive_delayed = true;
        timer_mod(core->keepalive_timer, ena_now() + r->value);
        return;
    }
    irq = !(r && r->action == ENA_FA_NO_IRQ);
    if (ena_aenq_post_ex(core, ENA_ADMIN_KEEP_ALIVE, 0, &ka, sizeof(ka),
                         irq)) {
        core->keepalives_sent++;
        trace_ena_keepalive(core->keepalives_sent);
    }
    ena_keepalive_arm(core);
}

void ena_keepalive_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_keepalive_run, opaque);
}

/* ---- AENQ head doorbell ---------------------------------------------- */

void ena_aenq_head_db(ENACore *core, uint16_t head)
{
    uint16_t depth = ena_q_depth(core->aenq_caps);

    if (!ena_aenq_ready(core)) {
        ena_strict(core, ENA_STRICT_AENQ_UNCONFIGURED, "AENQ head doorbell "
                   "%u before AENQ_BASE and AENQ_CAPS describe a ring", head);
        ENA_GUEST_ERR(ena_ub_aenq_not_configured,
                      "AENQ head doorbell %u with AENQ not configured", head);
        return;
    }
    /* the head may only move forward, and not past what was produced */
    if ((uint16_t)(head - core->aenq_head_db) >
        (uint16_t)(core->aenq_tail + depth - core->aenq_head_db)) {
        ENA_GUEST_ERR(ena_ub_aenq_db_jump,
                      "AENQ head %u beyond produced %u (depth %u)",
                      head, core->aenq_tail, depth);
        return;
    }
    trace_ena_aenq_head(head);
    core->aenq_head_db = head;
    ena_aenq_flush_pending(core);
}
