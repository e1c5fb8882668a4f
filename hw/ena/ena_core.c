/*
 * AWS Elastic Network Adapter: device core
 *
 * Registers, readless MMIO reads, the reset handshake, the admin queue and
 * its features, the AENQ with keep-alive, IO queues, TX, RX and RSS.
 * Every delay runs on the virtual clock so that runs are reproducible.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/iov.h"
#include "qemu/host-utils.h"
#include "qemu/rcu.h"
#include "exec/memory.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"
#include "net/eth.h"
#include "hw/net/net_tx_pkt.h"
#include "hw/net/net_rx_pkt.h"
#include "ena_core.h"
#include "trace.h"

#define ENA_GUEST_ERR(trace, fmt, ...) \
    do { \
        (trace_##trace)(__VA_ARGS__); \
        qemu_log_mask(LOG_GUEST_ERROR, "ena: " #trace ": " fmt "\n", \
                      ## __VA_ARGS__); \
    } while (0)

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

/* Features this model implements; bit n = feature id n (§5.1). */
#define ENA_SUPPORTED_FEATURES \
    (BIT(ENA_ADMIN_DEVICE_ATTRIBUTES) | BIT(ENA_ADMIN_MAX_QUEUES_NUM) | \
     BIT(ENA_ADMIN_HW_HINTS) | BIT(ENA_ADMIN_MAX_QUEUES_EXT) | \
     BIT(ENA_ADMIN_RSS_HASH_FUNCTION) | \
     BIT(ENA_ADMIN_STATELESS_OFFLOAD_CONFIG) | \
     BIT(ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG) | BIT(ENA_ADMIN_MTU) | \
     BIT(ENA_ADMIN_RSS_HASH_INPUT) | BIT(ENA_ADMIN_INTERRUPT_MODERATION) | \
     BIT(ENA_ADMIN_AENQ_CONFIG) | BIT(ENA_ADMIN_LINK_CONFIG) | \
     BIT(ENA_ADMIN_HOST_ATTR_CONFIG))

/* What GET_FEATURE(LLQ) offers (§5.6): inline headers only */
#define ENA_LLQ_ENTRY_SIZES \
    (ENA_ADMIN_LIST_ENTRY_SIZE_128B | ENA_ADMIN_LIST_ENTRY_SIZE_192B | \
     ENA_ADMIN_LIST_ENTRY_SIZE_256B)
#define ENA_LLQ_DESCS_BEFORE_HDR    (1 | 2 | 4)
#define ENA_LLQ_STRIDES \
    (ENA_ADMIN_SINGLE_DESC_PER_ENTRY | ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY)

#define ENA_CAPABILITIES \
    (BIT(ENA_ADMIN_ENI_STATS) | BIT(ENA_ADMIN_ENA_SRD_INFO) | \
     BIT(ENA_ADMIN_CUSTOMER_METRICS) | \
     BIT(ENA_ADMIN_EXTENDED_RESET_REASONS) | BIT(ENA_ADMIN_CDESC_MBZ))

#define ENA_AENQ_SUPPORTED_GROUPS \
    (BIT(ENA_ADMIN_LINK_CHANGE) | BIT(ENA_ADMIN_FATAL_ERROR) | \
     BIT(ENA_ADMIN_WARNING) | BIT(ENA_ADMIN_NOTIFICATION) | \
     BIT(ENA_ADMIN_KEEP_ALIVE) | BIT(ENA_ADMIN_CONF_NOTIFICATIONS) | \
     BIT(ENA_ADMIN_DEVICE_REQUEST_RESET))

#define ENA_RSS_SUPPORTED_FUNCS     BIT(ENA_ADMIN_RSS_TOEPLITZ)

/* Until a driver sets one, hash with the common default Toeplitz key. */
static const uint8_t ena_rss_default_key[ENA_RSS_KEY_SIZE] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
    0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
    0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const uint16_t ena_rss_supported_fields[ENA_ADMIN_RSS_PROTO_NUM] = {
    [ENA_ADMIN_RSS_TCP4] = 0x3c, [ENA_ADMIN_RSS_UDP4] = 0x3c,
    [ENA_ADMIN_RSS_TCP6] = 0x3c, [ENA_ADMIN_RSS_UDP6] = 0x3c,
    [ENA_ADMIN_RSS_IP4] = 0x0c, [ENA_ADMIN_RSS_IP6] = 0x0c,
    [ENA_ADMIN_RSS_IP4_FRAG] = 0x0c, [ENA_ADMIN_RSS_NOT_IP] = 0x03,
    [ENA_ADMIN_RSS_TCP6_EX] = 0x3c, [ENA_ADMIN_RSS_IP6_EX] = 0x0c,
};

/* ---- helpers -------------------------------------------------------- */

static inline uint16_t ena_q_depth(uint32_t caps)
{
    return caps & ENA_REGS_Q_CAPS_DEPTH_MASK;
}

static inline uint16_t ena_q_entry_size(uint32_t caps)
{
    return (caps & ENA_REGS_Q_CAPS_ENTRY_SIZE_MASK) >>
           ENA_REGS_Q_CAPS_ENTRY_SIZE_SHIFT;
}

/* Phase of the entry at free-running counter @ctr: 1 on the first pass. */
static inline uint8_t ena_phase(uint16_t ctr, uint16_t depth)
{
    return !((ctr / depth) & 1);
}

static inline uint64_t ena_addr48(const EnaAddr48 *a)
{
    return le32_to_cpu(a->lo) | ((uint64_t)le16_to_cpu(a->hi) << 32);
}

static inline bool ena_fatal(ENACore *core)
{
    return core->dev_sts & ENA_REGS_DEV_STS_FATAL_ERROR_MASK;
}

static inline uint32_t ena_features(ENACore *core)
{
    return ENA_SUPPORTED_FEATURES |
           (core->params.llq ? BIT(ENA_ADMIN_LLQ) : 0);
}

static inline int64_t ena_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* What became of an AENQ event */
typedef enum {
    ENA_AENQ_POSTED,
    ENA_AENQ_SKIPPED,       /* group off, AENQ not set up, or full */
    ENA_AENQ_DMA_FAILED,
} ENAAenqResult;

static ENAAenqResult ena_aenq_write(ENACore *core, uint16_t group,
                                    uint16_t syndrome, const void *payload,
                                    size_t len, bool irq, uint64_t *addr);
static bool ena_aenq_post(ENACore *core, uint16_t group, uint16_t syndrome,
                          const void *payload, size_t len);

static inline int ena_sq_idx(ENACore *core, ENAIoSq *sq)
{
    return sq - core->sq;
}

/*
 * A DMA failure on a ring means the device can no longer report anything
 * through it: latch DEV_STS.FATAL_ERROR (until reset) and stop processing.
 * The bit goes up before the FATAL_ERROR event is tried, and that attempt
 * never comes back here: an AENQ that cannot be written (outside RAM, on
 * a BAR, an IOMMU mapping gone) ends in the latched bit, not in a loop.
 */
static void ena_set_fatal(ENACore *core, const char *why, uint64_t addr)
{
    if (ena_fatal(core)) {
        return;
    }
    ENA_GUEST_ERR(ena_err_fatal, "%s at 0x%" PRIx64, why, addr);
    core->dev_sts |= ENA_REGS_DEV_STS_FATAL_ERROR_MASK;
    ena_aenq_write(core, ENA_ADMIN_FATAL_ERROR, 0, NULL, 0, true, &addr);
}

static bool ena_dma_ok(ENACore *core, uint64_t addr, size_t len)
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
static bool ena_dma_is_ram(ENACore *core, uint64_t addr, size_t len)
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

static MemTxResult ena_dma_read(ENACore *core, uint64_t addr, void *buf,
                                size_t len)
{
    if (!ena_dma_ok(core, addr, len)) {
        return MEMTX_DECODE_ERROR;
    }
    return pci_dma_read(core->owner, addr, buf, len);
}

static MemTxResult ena_dma_write(ENACore *core, uint64_t addr,
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
static MemTxResult ena_dma_write_iov(ENACore *core, uint64_t addr,
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

static MemTxResult ena_write_entry(ENACore *core, uint64_t addr,
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

/* ---- interrupts ----------------------------------------------------- */

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
static void ena_mgmt_irq(ENACore *core, bool admin)
{
    if (admin && (core->intr_mask & ENA_REGS_ADMIN_INTR_MASK)) {
        trace_ena_irq_admin_masked();
        return;
    }
    ena_msix_notify(core, 0);
}

static void ena_io_fire(ENACore *core, uint32_t vector)
{
    if (core->faults[ENA_FAULT_IRQ].action == ENA_FA_DROP &&
        ena_fault_check(core, ENA_FAULT_IRQ, vector, ENA_FAULT_ANY)) {
        return;         /* lost: the vector stays masked, as after a send */
    }
    ena_msix_notify(core, vector);
}

static void ena_io_moderation_cb(void *opaque)
{
    ENAVectorTimerCtx *c = opaque;

    ena_io_fire(c->core, c->vector);
}

/*
 * IO vectors auto-mask: one interrupt until the driver unmasks. With a
 * moderation delay the interrupt leaves that long after the first
 * completion, so the completions of the meantime share it.
 */
static void ena_io_irq(ENACore *core, uint32_t vector, bool rx)
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

static void ena_io_unmask(ENACore *core, uint32_t vector, uint32_t val)
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

/* ---- AENQ ----------------------------------------------------------- */

static bool ena_aenq_ready(ENACore *core)
{
    uint16_t depth = ena_q_depth(core->aenq_caps);

    return core->aenq_base && depth && is_power_of_2(depth) &&
           ena_q_entry_size(core->aenq_caps) == ENA_ADMIN_ENTRY_SIZE;
}

static bool ena_aenq_post_ex(ENACore *core, uint16_t group,
                             uint16_t syndrome, const void *payload,
                             size_t len, bool irq);

static bool ena_aenq_post(ENACore *core, uint16_t group, uint16_t syndrome,
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
static bool ena_link_up(ENACore *core)
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
static void ena_aenq_flush_pending(ENACore *core)
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

static void ena_keepalive_arm(ENACore *core)
{
    if (core->params.keepalive_ms &&
        (core->aenq_groups & BIT(ENA_ADMIN_KEEP_ALIVE))) {
        timer_mod(core->keepalive_timer,
                  ena_now() + (int64_t)core->params.keepalive_ms * SCALE_MS);
    } else {
        timer_del(core->keepalive_timer);
    }
}

static void ena_keepalive_cb(void *opaque)
{
    ENACore *core = opaque;
    ENAFaultRule *r = NULL;
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
        r = ena_fault_check(core, ENA_FAULT_KEEPALIVE, ENA_FAULT_ANY,
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

void ena_core_set_link_status(ENACore *core, bool up)
{
    trace_ena_link_status(up);
    core->link_event_pending = true;
    ena_aenq_flush_pending(core);
    if (up) {
        ena_core_start_recv(core);
    }
}

/* ---- IO queue teardown and reset ----------------------------------- */

/* Fragments are guest buffers mapped for DMA, or an LLQ pushed header. */
static void ena_tx_unmap(void *opaque, void *base, size_t len)
{
    ENACore *core = opaque;

    if ((uint8_t *)base >= (uint8_t *)core->sq &&
        (uint8_t *)base < (uint8_t *)(core->sq + ENA_MAX_IO_SQ)) {
        return;
    }
    net_tx_pkt_unmap_frag_pci(core->owner, base, len);
}

static void ena_sq_free(ENACore *core, ENAIoSq *sq)
{
    if (sq->valid && sq->llq) {
        core->llq_slots &= ~BIT(sq->llq_slot);
    }
    if (sq->tx_pkt) {
        net_tx_pkt_reset(sq->tx_pkt, ena_tx_unmap, core);
        net_tx_pkt_uninit(sq->tx_pkt);
    }
    memset(sq, 0, sizeof(*sq));
}

static void ena_quiesce(ENACore *core)
{
    int i;

    qemu_bh_cancel(core->aq_bh);
    timer_del(core->keepalive_timer);
    timer_del(core->admin_delay_timer);
    memset(core->admin_delayed, 0, sizeof(core->admin_delayed));
    core->keepalive_delayed = false;

    for (i = 0; i < ENA_MAX_IO_SQ; i++) {
        ena_sq_free(core, &core->sq[i]);
    }
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
    core->rss_func = ENA_RSS_SUPPORTED_FUNCS;
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
    }
}

static void ena_reset_deassert(ENACore *core);

/* Does a reset-handshake fault of kind @action hit the current reset? */
static bool ena_reset_fault(ENACore *core, uint32_t action)
{
    return core->faults[ENA_FAULT_RESET].action == action &&
           ena_fault_check(core, ENA_FAULT_RESET, core->last_reset_reason,
                           ENA_FAULT_ANY);
}

static void ena_reset_timer_cb(void *opaque)
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
        ena_fault_device_reset(core);
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

/* ---- registers ------------------------------------------------------ */

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
    if (core->faults[ENA_FAULT_REG].action == ENA_FA_ALL_ONES &&
        ena_fault_check(core, ENA_FAULT_REG, off, ENA_FAULT_ANY)) {
        *val = 0xffffffff;
        return true;
    }
    return ena_reg_value(core, off, val);
}

/* Readless read: DMA {req_id, reg_off, value}, the req_id word last. */
static void ena_mmio_reg_read(ENACore *core, uint32_t val)
{
    uint16_t req_id = val & ENA_REGS_MMIO_REG_READ_REQ_ID_MASK;
    uint16_t off = (val & ENA_REGS_MMIO_REG_READ_REG_OFF_MASK) >>
                   ENA_REGS_MMIO_REG_READ_REG_OFF_SHIFT;
    EnaMmioReadResp resp;
    ENAFaultRule *fr;
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
    fr = ena_fault_check(core, ENA_FAULT_READLESS, off, ENA_FAULT_ANY);
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
    if (ena_write_entry(core, core->mmio_resp_addr, (uint8_t *)&resp,
                        sizeof(resp), 0)) {
        ENA_GUEST_ERR(ena_err_readless_dma, "response write to 0x%" PRIx64
                      " failed", core->mmio_resp_addr);
    }
}

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

static void ena_admin_not_configured(ENACore *core, uint16_t tail)
{
    ENA_GUEST_ERR(ena_ub_aq_not_configured,
                  "AQ doorbell %u with admin queue not configured "
                  "(AQ caps 0x%x ACQ caps 0x%x)", tail,
                  core->aq_caps, core->acq_caps);
    ena_set_fatal(core, "admin queue not configured", core->aq_base);
}

static void ena_aq_doorbell(ENACore *core, uint16_t tail)
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
    qemu_bh_schedule(core->aq_bh);
}

static void ena_aenq_head_db(ENACore *core, uint16_t head)
{
    uint16_t depth = ena_q_depth(core->aenq_caps);

    if (!ena_aenq_ready(core)) {
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

static void ena_tx_process(ENACore *core, ENAIoSq *sq);

static void ena_sq_doorbell(ENACore *core, uint32_t idx, uint32_t val)
{
    ENAIoSq *sq = &core->sq[idx];
    uint16_t tail = val;

    if (!sq->valid) {
        ENA_GUEST_ERR(ena_ub_sq_db_invalid, "doorbell 0x%x on SQ %u that "
                      "does not exist", val, idx);
        return;
    }
    if ((uint16_t)(tail - sq->head) >= sq->depth) {
        ENA_GUEST_ERR(ena_ub_sq_db_jump, "SQ %u doorbell %u past the ring "
                      "(head %u depth %u)", idx, tail, sq->head, sq->depth);
        return;
    }
    trace_ena_sq_doorbell(idx, tail);
    sq->tail = tail;
    if (sq->direction == ENA_ADMIN_SQ_DIRECTION_TX) {
        ena_tx_process(core, sq);
    } else {
        /* frames the back end queued while there were no buffers */
        qemu_flush_queued_packets(qemu_get_queue(core->nic));
    }
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

/* ---- admin queue: IO queue commands -------------------------------- */

static int ena_alloc_idx(ENACore *core, bool cq)
{
    for (int i = 0; i < (cq ? ENA_MAX_IO_CQ : ENA_MAX_IO_SQ); i++) {
        if (!(cq ? core->cq[i].valid : core->sq[i].valid)) {
            return i;
        }
    }
    return -1;
}

static bool ena_depth_ok(ENACore *core, uint32_t depth)
{
    return depth >= 2 && is_power_of_2(depth) &&
           depth <= core->params.max_depth;
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

/* ---- admin queue: features ----------------------------------------- */

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
        if (!sel || (sel & ~ENA_RSS_SUPPORTED_FUNCS)) {
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

/* ---- admin queue: statistics ---------------------------------------- */

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

/* ---- admin queue: processing ---------------------------------------- */

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
static void ena_admin_delay_cb(void *opaque)
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

static void ena_aq_bh(void *opaque)
{
    ENACore *core = opaque;
    uint16_t depth = ena_q_depth(core->aq_caps);
    EnaAdminAqEntry cmd;
    EnaAdminAcqEntry resp;
    ENAFaultRule *fr;
    uint64_t addr;
    int64_t feature;
    uint16_t id;
    uint8_t status, op;

    /* the guest may have re-programmed the rings since the doorbell */
    if (core->aq_head != core->aq_tail && !ena_admin_configured(core)) {
        ena_admin_not_configured(core, core->aq_tail);
        return;
    }
    while (core->aq_head != core->aq_tail && !ena_fatal(core)) {
        addr = core->aq_base +
               (uint64_t)(core->aq_head & (depth - 1)) * ENA_ADMIN_ENTRY_SIZE;
        if (ena_dma_read(core, addr, &cmd, sizeof(cmd))) {
            ena_set_fatal(core, "AQ read failed", addr);
            return;
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
        fr = ena_fault_check(core, ENA_FAULT_ADMIN, op, feature);
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
}

/* ---- IO: completions ----------------------------------------------- */

static bool ena_cq_post(ENACore *core, ENAIoCq *cq, uint8_t *entry,
                        size_t len)
{
    uint64_t addr = cq->ba +
                    (uint64_t)(cq->tail & (cq->depth - 1)) * cq->entry_size;
    uint8_t buf[32] = { 0 };

    memcpy(buf, entry, MIN(len, sizeof(buf)));
    if (ena_write_entry(core, addr, buf, cq->entry_size, 0)) {
        ena_set_fatal(core, "CQ write failed", addr);
        return false;
    }
    cq->tail++;
    return true;
}

/* ---- IO: transmit --------------------------------------------------- */

static void ena_tx_complete(ENACore *core, ENAIoSq *sq, uint16_t req_id)
{
    ENAIoCq *cq = &core->cq[sq->cq_idx];
    uint8_t fa = core->faults[ENA_FAULT_TX].action;

    if ((fa == ENA_FA_DROP || fa == ENA_FA_BAD_REQ_ID) &&
        ena_fault_check(core, ENA_FAULT_TX, ena_sq_idx(core, sq),
                        ENA_FAULT_ANY)) {
        if (fa == ENA_FA_DROP) {
            return;     /* sent, but the completion is lost */
        }
        req_id = ENA_FAULT_BAD_REQ_ID;
    }

    EnaEthIoTxCdesc cd = {
        .req_id = cpu_to_le16(req_id),
        .flags = ena_phase(cq->tail, cq->depth),
        .sq_head_idx = cpu_to_le16(sq->head),
    };
    trace_ena_tx_complete(ena_sq_idx(core, sq), req_id);
    ena_cq_post(core, cq, (uint8_t *)&cd, sizeof(cd));
}

static bool ena_tx_offloads(ENACore *core, ENAIoSq *sq)
{
    uint32_t mc = sq->pkt_meta_ctrl;
    bool tso = mc & ENA_ETH_IO_TX_DESC_TSO_EN_MASK;
    bool l4 = mc & ENA_ETH_IO_TX_DESC_L4_CSUM_EN_MASK;
    bool partial = mc & ENA_ETH_IO_TX_DESC_L4_CSUM_PARTIAL_MASK;
    uint32_t mss;

    if (tso) {
        if (!sq->meta_valid) {
            ENA_GUEST_ERR(ena_ub_tx_no_meta, "TSO packet on SQ %d with no "
                          "metadata stored", ena_sq_idx(core, sq));
            return false;
        }
        mss = ((sq->meta_len_ctrl & ENA_ETH_IO_TX_META_DESC_MSS_HI_MASK) >>
               ENA_ETH_IO_TX_META_DESC_MSS_HI_SHIFT) << 10;
        mss |= (sq->meta_word2 & ENA_ETH_IO_TX_META_DESC_MSS_LO_MASK) >>
               ENA_ETH_IO_TX_META_DESC_MSS_LO_SHIFT;
        if (!mss) {
            ENA_GUEST_ERR(ena_ub_tx_tso_mss, "TSO packet req_id %u on SQ %d "
                          "with MSS 0", sq->pkt_req_id, ena_sq_idx(core, sq));
            return false;
        }
        if (!net_tx_pkt_build_vheader(sq->tx_pkt, true, true, mss)) {
            return false;
        }
        net_tx_pkt_update_ip_checksums(sq->tx_pkt);
        return true;
    }
    if (l4) {
        if (!net_tx_pkt_build_vheader(sq->tx_pkt, false, true, 0)) {
            return false;
        }
        if (!partial) {
            net_tx_pkt_update_ip_checksums(sq->tx_pkt);
        }
    }
    if (mc & ENA_ETH_IO_TX_DESC_L3_CSUM_EN_MASK) {
        net_tx_pkt_update_ip_hdr_checksum(sq->tx_pkt);
    }
    return true;
}

static void ena_tx_send(ENACore *core, ENAIoSq *sq)
{
    NetClientState *nc = qemu_get_queue(core->nic);
    size_t len;

    if (sq->pkt_bad || !ena_link_up(core) || !net_tx_pkt_parse(sq->tx_pkt) ||
        !ena_tx_offloads(core, sq)) {
        core->stats.tx_drops++;
        trace_ena_tx_drop(ena_sq_idx(core, sq), sq->pkt_req_id);
        return;
    }
    len = net_tx_pkt_get_total_len(sq->tx_pkt);
    trace_ena_tx_packet(ena_sq_idx(core, sq), sq->pkt_req_id, len,
                        sq->pkt_descs);
    net_tx_pkt_send(sq->tx_pkt, nc);
    core->stats.tx_pkts++;
    core->stats.tx_bytes += len;
}

/*
 * One TX descriptor, from the host ring or from an LLQ entry: a meta
 * descriptor updates the cached metadata; data descriptors gather the
 * packet, which is sent and completed at the one marked last.
 */
static void ena_tx_desc(ENACore *core, ENAIoSq *sq, const EnaEthIoTxDesc *d)
{
    uint32_t len_ctrl = le32_to_cpu(d->len_ctrl);
    uint32_t meta_ctrl = le32_to_cpu(d->meta_ctrl);
    uint32_t hi_hdr = le32_to_cpu(d->buff_addr_hi_hdr_sz);
    uint16_t len = len_ctrl & ENA_ETH_IO_TX_DESC_LENGTH_MASK;
    uint64_t buf;

    if (len_ctrl & ENA_ETH_IO_TX_DESC_META_DESC_MASK) {
        if (len_ctrl & ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK) {
            sq->meta_len_ctrl = len_ctrl;
            sq->meta_word2 = le32_to_cpu(d->buff_addr_lo);
            sq->meta_valid = true;
        }
        return;
    }

    if (!sq->pkt_open) {
        sq->pkt_open = true;
        sq->pkt_bad = false;
        sq->pkt_descs = 0;
        sq->pkt_meta_ctrl = meta_ctrl;
        sq->pkt_req_id =
            (((len_ctrl & ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK) >>
              ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) << 10) |
            ((meta_ctrl & ENA_ETH_IO_TX_DESC_REQ_ID_LO_MASK) >>
             ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
        if (sq->llq) {
            /* the packet starts with the bytes pushed into its entry */
            unsigned hlen = (hi_hdr & ENA_ETH_IO_TX_DESC_HEADER_LENGTH_MASK) >>
                            ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT;
            unsigned room = core->llq_entry_size -
                            core->llq_descs_before_hdr *
                            sizeof(EnaEthIoTxDesc);

            if (hlen > room) {
                ENA_GUEST_ERR(ena_ub_tx_llq_header, "TX packet req_id %u on "
                              "SQ %d pushes %u header bytes, the entry holds "
                              "%u", sq->pkt_req_id, ena_sq_idx(core, sq),
                              hlen, room);
                sq->pkt_bad = true;
            } else if (hlen &&
                       !net_tx_pkt_add_raw_fragment(sq->tx_pkt, sq->llq_hdr,
                                                    hlen)) {
                sq->pkt_bad = true;
            }
        }
    }
    buf = le32_to_cpu(d->buff_addr_lo) |
          ((uint64_t)(hi_hdr & ENA_ETH_IO_TX_DESC_ADDR_HI_MASK) << 32);
    if (++sq->pkt_descs > ENA_MAX_PKT_DESCS) {
        if (!sq->pkt_bad) {
            ENA_GUEST_ERR(ena_ub_tx_too_many_descs, "TX packet req_id %u "
                          "on SQ %d has more than %d descriptors",
                          sq->pkt_req_id, ena_sq_idx(core, sq),
                          ENA_MAX_PKT_DESCS);
        }
        sq->pkt_bad = true;
    } else if (len && !sq->pkt_bad) {
        if (!ena_dma_is_ram(core, buf, len) ||
            !net_tx_pkt_add_raw_fragment_pci(sq->tx_pkt, core->owner,
                                             buf, len)) {
            ENA_GUEST_ERR(ena_ub_tx_buf, "TX buffer 0x%" PRIx64 " len %u "
                          "cannot be mapped", buf, len);
            sq->pkt_bad = true;
        }
    }
    if (len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK) {
        ena_tx_send(core, sq);
        net_tx_pkt_reset(sq->tx_pkt, ena_tx_unmap, core);
        sq->pkt_open = false;
        ena_tx_complete(core, sq, sq->pkt_req_id);
    }
}

static bool ena_tx_phase_ok(ENACore *core, ENAIoSq *sq,
                            const EnaEthIoTxDesc *d)
{
    if (!!(le32_to_cpu(d->len_ctrl) & ENA_ETH_IO_TX_DESC_PHASE_MASK) !=
        ena_phase(sq->head, sq->depth)) {
        ENA_GUEST_ERR(ena_ub_tx_phase, "TX SQ %d descriptor %u has a "
                      "stale phase", ena_sq_idx(core, sq), sq->head);
        return false;
    }
    return true;
}

/* Host placement: 16-byte descriptors in a guest ring. */
static void ena_tx_process_host(ENACore *core, ENAIoSq *sq)
{
    EnaEthIoTxDesc d;
    uint64_t addr;

    while (sq->head != sq->tail && !ena_fatal(core)) {
        addr = sq->ba + (uint64_t)(sq->head & (sq->depth - 1)) * sizeof(d);
        if (ena_dma_read(core, addr, &d, sizeof(d))) {
            ena_set_fatal(core, "TX SQ read failed", addr);
            break;
        }
        if (!ena_tx_phase_ok(core, sq, &d)) {
            break;
        }
        sq->head++;
        ena_tx_desc(core, sq, &d);
    }
}

/*
 * Device placement (LLQ, §7.9): the doorbell counts entries in BAR2. A
 * packet's first entry holds llq_descs_before_hdr descriptor slots and
 * then the pushed header; further entries hold descriptors only. The
 * packet ends at its last descriptor; the rest of that entry is padding.
 */
static void ena_tx_process_llq(ENACore *core, ENAIoSq *sq)
{
    const unsigned esz = core->llq_entry_size;
    const unsigned dsz = sizeof(EnaEthIoTxDesc);
    EnaEthIoTxDesc d[ENA_LLQ_MAX_ENTRY_SIZE / sizeof(EnaEthIoTxDesc)];
    const uint8_t *e;
    unsigned slots, n;
    bool first, ends;

    while (sq->head != sq->tail && !ena_fatal(core)) {
        /* the window was sized for this at CREATE_SQ; keep it provable */
        uint64_t off = (uint64_t)sq->llq_slot * ENA_LLQ_SQ_WINDOW +
                       (uint64_t)(sq->head & (sq->depth - 1)) * esz;

        if (off + esz > core->llq_mem_size) {
            ena_set_fatal(core, "LLQ entry outside BAR2", off);
            break;
        }
        e = core->llq_mem + off;
        first = !sq->llq_in_pkt;
        slots = first ? core->llq_descs_before_hdr :
                core->llq_stride == ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY ?
                esz / dsz : 1;
        /* check the entry whole before taking it */
        ends = false;
        for (n = 0; n < slots; n++) {
            memcpy(&d[n], e + n * dsz, dsz);
            if (!ena_tx_phase_ok(core, sq, &d[n])) {
                return;
            }
            if ((le32_to_cpu(d[n].len_ctrl) &
                 (ENA_ETH_IO_TX_DESC_LAST_MASK |
                  ENA_ETH_IO_TX_DESC_META_DESC_MASK)) ==
                ENA_ETH_IO_TX_DESC_LAST_MASK) {
                n++;
                ends = true;
                break;
            }
        }
        trace_ena_tx_llq_entry(ena_sq_idx(core, sq), sq->head, n, first);
        if (first) {
            memcpy(sq->llq_hdr, e + slots * dsz, esz - slots * dsz);
        }
        sq->head++;
        sq->llq_in_pkt = !ends;
        for (unsigned i = 0; i < n; i++) {
            ena_tx_desc(core, sq, &d[i]);
        }
    }
}

static void ena_tx_process(ENACore *core, ENAIoSq *sq)
{
    ENAIoCq *cq = &core->cq[sq->cq_idx];
    uint16_t completed = cq->tail;

    if (core->faults[ENA_FAULT_TX].action == ENA_FA_STALL &&
        ena_fault_active(core, ENA_FAULT_TX, ena_sq_idx(core, sq))) {
        return;         /* the queue is stuck until the fault ends */
    }
    if (sq->llq) {
        ena_tx_process_llq(core, sq);
    } else {
        ena_tx_process_host(core, sq);
    }
    if (cq->tail != completed && cq->vector != ENA_CQ_NO_IRQ) {
        ena_io_irq(core, cq->vector, false);
    }
}

/* ---- IO: receive ---------------------------------------------------- */

static ENAIoSq *ena_rx_first_queue(ENACore *core)
{
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        if (core->sq[i].valid &&
            core->sq[i].direction == ENA_ADMIN_SQ_DIRECTION_RX) {
            return &core->sq[i];
        }
    }
    return NULL;
}

bool ena_core_can_receive(ENACore *core)
{
    if (ena_fatal(core) || !(core->owner->config[PCI_COMMAND] &
                             PCI_COMMAND_MASTER)) {
        return false;
    }
    if (core->faults[ENA_FAULT_RX].action == ENA_FA_STALL &&
        core->faults[ENA_FAULT_RX].match == ENA_FAULT_ANY &&
        ena_fault_active(core, ENA_FAULT_RX, ENA_FAULT_ANY)) {
        return false;
    }
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        ENAIoSq *sq = &core->sq[i];
        if (sq->valid && sq->direction == ENA_ADMIN_SQ_DIRECTION_RX &&
            sq->head != sq->tail) {
            return true;
        }
    }
    return false;
}

void ena_core_start_recv(ENACore *core)
{
    if (ena_core_can_receive(core)) {
        qemu_flush_queued_packets(qemu_get_queue(core->nic));
    }
}

/* Toeplitz hash over the fields the driver selected, and its RSS type. */
static uint32_t ena_rx_hash(ENACore *core, bool v4, bool v6,
                            EthL4HdrProto l4, bool frag)
{
    int proto;
    NetRxPktRssType type;
    uint16_t fields;
    bool ports;

    if (!(core->rss_func & BIT(ENA_ADMIN_RSS_TOEPLITZ)) || (!v4 && !v6)) {
        return 0;
    }
    if (l4 == ETH_L4_HDR_PROTO_TCP && !frag) {
        proto = v4 ? ENA_ADMIN_RSS_TCP4 : ENA_ADMIN_RSS_TCP6;
    } else if (l4 == ETH_L4_HDR_PROTO_UDP && !frag) {
        proto = v4 ? ENA_ADMIN_RSS_UDP4 : ENA_ADMIN_RSS_UDP6;
    } else {
        proto = v4 ? (frag ? ENA_ADMIN_RSS_IP4_FRAG : ENA_ADMIN_RSS_IP4) :
                ENA_ADMIN_RSS_IP6;
    }
    fields = core->rss_fields[proto];
    if (!(fields & (ENA_ADMIN_RSS_L3_DA | ENA_ADMIN_RSS_L3_SA))) {
        return 0;
    }
    ports = fields & (ENA_ADMIN_RSS_L4_DP | ENA_ADMIN_RSS_L4_SP);
    if (ports && l4 == ETH_L4_HDR_PROTO_TCP) {
        type = v4 ? NetPktRssIpV4Tcp : NetPktRssIpV6Tcp;
    } else if (ports && l4 == ETH_L4_HDR_PROTO_UDP) {
        type = v4 ? NetPktRssIpV4Udp : NetPktRssIpV6Udp;
    } else {
        type = v4 ? NetPktRssIpV4 : NetPktRssIpV6;
    }
    return net_rx_pkt_calc_rss_hash(core->rx_pkt, type, core->rss_key);
}

static uint32_t ena_rx_flags(ENACore *core, bool v4, bool v6,
                             EthL4HdrProto l4, bool *frag)
{
    uint32_t st = 0;
    bool valid;

    *frag = v4 && net_rx_pkt_get_ip4_info(core->rx_pkt)->fragment;
    if (v4) {
        st |= ENA_ETH_IO_L3_PROTO_IPV4;
    } else if (v6) {
        st |= ENA_ETH_IO_L3_PROTO_IPV6;
    }
    if (l4 == ETH_L4_HDR_PROTO_TCP) {
        st |= ENA_ETH_IO_L4_PROTO_TCP << ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_SHIFT;
    } else if (l4 == ETH_L4_HDR_PROTO_UDP) {
        st |= ENA_ETH_IO_L4_PROTO_UDP << ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_SHIFT;
    }
    if (*frag) {
        st |= ENA_ETH_IO_RX_CDESC_IPV4_FRAG_MASK;
    }
    if (!core->params.offloads) {
        return st;
    }
    if (v4 && (!net_rx_pkt_validate_l3_csum(core->rx_pkt, &valid) ||
               !valid)) {
        st |= ENA_ETH_IO_RX_CDESC_L3_CSUM_ERR_MASK;
    }
    if ((l4 == ETH_L4_HDR_PROTO_TCP || l4 == ETH_L4_HDR_PROTO_UDP) &&
        !*frag && net_rx_pkt_validate_l4_csum(core->rx_pkt, &valid)) {
        st |= ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK;
        if (!valid) {
            st |= ENA_ETH_IO_RX_CDESC_L4_CSUM_ERR_MASK;
        }
    }
    return st;
}

static ENAIoSq *ena_rx_select(ENACore *core, uint32_t hash)
{
    uint16_t idx;

    if (core->rss_table_set) {
        idx = core->rss_table[hash & (ENA_RSS_IND_TABLE_SIZE - 1)];
        if (idx < ENA_MAX_IO_SQ && core->sq[idx].valid &&
            core->sq[idx].direction == ENA_ADMIN_SQ_DIRECTION_RX) {
            return &core->sq[idx];
        }
    }
    return ena_rx_first_queue(core);
}

ssize_t ena_core_receive_iov(ENACore *core, const struct iovec *iov,
                             int iovcnt)
{
    size_t size = iov_size(iov, iovcnt);
    EnaEthIoRxDesc d[ENA_MAX_PKT_DESCS];
    uint32_t blen[ENA_MAX_PKT_DESCS];
    EnaEthIoRxCdesc cd;
    bool v4, v6, frag, bad_id;
    EthL4HdrProto l4;
    uint32_t hash, flags, cap = 0;
    size_t off = 0;
    ENAIoSq *sq;
    ENAIoCq *cq;
    unsigned n = 0, i;
    uint64_t addr;

    if (!ena_core_can_receive(core)) {
        return 0;
    }
    if (!ena_link_up(core)) {
        return size;
    }
    if (size > core->params.max_mtu + ENA_MAX_L2_OVERHEAD) {
        core->stats.rx_drops++;
        trace_ena_rx_drop(size, "larger than max MTU");
        return size;
    }

    /* headers for the parse, the frame itself for checksum validation */
    net_rx_pkt_set_protocols(core->rx_pkt, iov, iovcnt, 0);
    net_rx_pkt_attach_iovec(core->rx_pkt, iov, iovcnt, 0, false);
    net_rx_pkt_get_protocols(core->rx_pkt, &v4, &v6, &l4);
    flags = ena_rx_flags(core, v4, v6, l4, &frag);
    hash = ena_rx_hash(core, v4, v6, l4, frag);
    sq = ena_rx_select(core, hash);
    if (!sq) {
        return 0;
    }
    if (core->faults[ENA_FAULT_RX].action == ENA_FA_STALL &&
        ena_fault_active(core, ENA_FAULT_RX, ena_sq_idx(core, sq))) {
        return 0;       /* held until the fault ends */
    }
    if (core->faults[ENA_FAULT_RX].action == ENA_FA_DROP &&
        ena_fault_check(core, ENA_FAULT_RX, ena_sq_idx(core, sq),
                        ENA_FAULT_ANY)) {
        core->stats.rx_drops++;
        trace_ena_rx_drop(size, "fault");
        return size;
    }
    cq = &core->cq[sq->cq_idx];

    /* gather enough posted buffers for the whole frame */
    while (cap < size) {
        if (n == ENA_MAX_PKT_DESCS) {
            core->stats.rx_drops++;
            trace_ena_rx_drop(size, "needs too many buffers");
            return size;
        }
        if ((uint16_t)(sq->tail - sq->head) <= n) {
            trace_ena_rx_blocked(ena_sq_idx(core, sq), size);
            return 0;
        }
        addr = sq->ba + (uint64_t)((sq->head + n) & (sq->depth - 1)) *
                        sizeof(d[0]);
        if (ena_dma_read(core, addr, &d[n], sizeof(d[n]))) {
            ena_set_fatal(core, "RX SQ read failed", addr);
            return size;
        }
        if (!!(d[n].ctrl & ENA_ETH_IO_RX_DESC_PHASE_MASK) !=
            ena_phase(sq->head + n, sq->depth)) {
            ENA_GUEST_ERR(ena_ub_rx_phase, "RX SQ %d descriptor %u has a "
                          "stale phase", ena_sq_idx(core, sq),
                          (uint16_t)(sq->head + n));
            return 0;
        }
        blen[n] = le16_to_cpu(d[n].length) ?: 65536;
        cap += blen[n];
        n++;
    }
    bad_id = core->faults[ENA_FAULT_RX].action == ENA_FA_BAD_REQ_ID &&
             ena_fault_check(core, ENA_FAULT_RX, ena_sq_idx(core, sq),
                             ENA_FAULT_ANY);

    for (i = 0; i < n; i++) {
        uint32_t chunk = MIN(blen[i], size - off);
        uint64_t ba = le32_to_cpu(d[i].buff_addr_lo) |
                      ((uint64_t)le16_to_cpu(d[i].buff_addr_hi) << 32);
        uint32_t st = flags | ENA_ETH_IO_RX_CDESC_BUFFER_MASK;

        if (ena_dma_write_iov(core, ba, iov, iovcnt, off, chunk)) {
            /* as for a ring: the device cannot go on writing blind */
            ENA_GUEST_ERR(ena_ub_rx_buf, "RX buffer 0x%" PRIx64 " len %u "
                          "cannot be written", ba, chunk);
            core->stats.rx_drops++;
            ena_set_fatal(core, "RX buffer write failed", ba);
            return size;
        }
        off += chunk;
        if (i == 0) {
            st |= ENA_ETH_IO_RX_CDESC_FIRST_MASK;
        }
        if (i == n - 1) {
            st |= ENA_ETH_IO_RX_CDESC_LAST_MASK;
        }
        if (ena_phase(cq->tail, cq->depth)) {
            st |= ENA_ETH_IO_RX_CDESC_PHASE_MASK;
        }
        memset(&cd, 0, sizeof(cd));
        cd.status = cpu_to_le32(st);
        cd.length = cpu_to_le16(chunk);
        cd.req_id = i == 0 && bad_id ? cpu_to_le16(ENA_FAULT_BAD_REQ_ID) :
                    d[i].req_id;
        cd.hash = cpu_to_le32(hash);
        if (!ena_cq_post(core, cq, (uint8_t *)&cd, sizeof(cd))) {
            return size;
        }
    }
    sq->head += n;
    core->stats.rx_pkts++;
    core->stats.rx_bytes += size;
    trace_ena_rx_packet(ena_sq_idx(core, sq), size, n, hash);
    if (cq->vector != ENA_CQ_NO_IRQ) {
        ena_io_irq(core, cq->vector, true);
    }
    return size;
}

/* ---- LLQ memory (BAR2) ---------------------------------------------- */

uint32_t ena_core_llq_bar_size(const ENAParams *p)
{
    return pow2ceil((uint64_t)p->queues * ENA_LLQ_SQ_WINDOW);
}

/* ---- life cycle ----------------------------------------------------- */

void ena_core_realize(ENACore *core, PCIDevice *owner, NICState *nic,
                      const uint8_t *mac, uint32_t nr_vectors)
{
    core->owner = owner;
    core->nic = nic;
    core->nr_vectors = nr_vectors;
    memcpy(core->mac, mac, sizeof(core->mac));
    core->aq_bh = qemu_bh_new_guarded(ena_aq_bh, core,
                                      &DEVICE(owner)->mem_reentrancy_guard);
    core->keepalive_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                         ena_keepalive_cb, core);
    core->reset_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                     ena_reset_timer_cb, core);
    core->admin_delay_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                           ena_admin_delay_cb, core);
    for (uint32_t i = 0; i < ENA_MAX_MSIX_VECTORS; i++) {
        core->vec_timer_ctx[i] = (ENAVectorTimerCtx) { core, i };
        core->vec[i].timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                          ena_io_moderation_cb,
                                          &core->vec_timer_ctx[i]);
    }
    net_rx_pkt_init(&core->rx_pkt);
    ena_core_reset(core, ENA_RESET_POWER_ON);
    ena_fault_realize(core);
}

void ena_core_unrealize(ENACore *core)
{
    ena_quiesce(core);
    qemu_bh_delete(core->aq_bh);
    timer_free(core->keepalive_timer);
    timer_free(core->reset_timer);
    timer_free(core->admin_delay_timer);
    for (int i = 0; i < ENA_MAX_MSIX_VECTORS; i++) {
        timer_free(core->vec[i].timer);
    }
    ena_fault_unrealize(core);
    net_rx_pkt_uninit(core->rx_pkt);

}

int ena_core_post_load(ENACore *core)
{
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        ENAIoSq *sq = &core->sq[i];

        if (sq->valid && (sq->cq_idx >= ENA_MAX_IO_CQ ||
                          !core->cq[sq->cq_idx].valid ||
                          !ena_depth_ok(core, sq->depth))) {
            return -EINVAL;
        }
        if (sq->valid && sq->llq &&
            (sq->direction != ENA_ADMIN_SQ_DIRECTION_TX || !core->llq_set ||
             sq->llq_slot >= core->params.queues ||
             sq->depth > ENA_LLQ_MAX_DEPTH ||
             !(core->llq_slots & BIT(sq->llq_slot)))) {
            return -EINVAL;
        }
        /* a packet half-gathered at save time is dropped */
        sq->pkt_open = false;
        sq->llq_in_pkt = false;
        if (sq->valid && sq->direction == ENA_ADMIN_SQ_DIRECTION_TX) {
            net_tx_pkt_init(&sq->tx_pkt, ENA_MAX_PKT_DESCS + 1);
        } else {
            sq->tx_pkt = NULL;
        }
    }
    for (int i = 0; i < ENA_MAX_IO_CQ; i++) {
        if (core->cq[i].valid && (!is_power_of_2(core->cq[i].depth) ||
                                  core->cq[i].entry_size > 32)) {
            return -EINVAL;
        }
    }
    if (core->llq_set &&
        (!core->llq_mem ||
         (core->llq_entry_size != 128 && core->llq_entry_size != 192 &&
          core->llq_entry_size != 256) ||
         !(core->llq_descs_before_hdr & ENA_LLQ_DESCS_BEFORE_HDR) ||
         !is_power_of_2(core->llq_descs_before_hdr) ||
         !(core->llq_stride & ENA_LLQ_STRIDES) ||
         !is_power_of_2(core->llq_stride))) {
        return -EINVAL;
    }
    if (core->aq_head != core->aq_tail) {
        qemu_bh_schedule(core->aq_bh);
    }
    return 0;
}

static const VMStateDescription vmstate_ena_sq = {
    .name = "ena-io-sq",
    .version_id = 2,
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
        VMSTATE_BOOL_V(llq, ENAIoSq, 2),
        VMSTATE_UINT16_V(llq_slot, ENAIoSq, 2),
        VMSTATE_END_OF_LIST()
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

const VMStateDescription vmstate_ena_core = {
    .name = "ena-core",
    .version_id = 1,
    .minimum_version_id = 1,
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
        VMSTATE_STRUCT_ARRAY(faults, ENACore, ENA_FAULT__MAX, 1,
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
        NULL
    }
};

/* ---- fault edges ---------------------------------------------------- */

void ena_core_fault_edge(ENACore *core, ENAFaultPoint p, ENAFaultRule *r,
                         bool start)
{
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
