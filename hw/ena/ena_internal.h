/*
 * AWS Elastic Network Adapter: what the files of the device core share
 *
 * ena_core.c (registers, reset, life cycle), ena_admin.c (admin queue,
 * features, statistics), ena_io.c (TX, RX, RSS), ena_allow.c (ENI
 * allowances) and ena_event.c (DMA, interrupts, AENQ). Nothing outside
 * hw/ena includes it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ENA_INTERNAL_H
#define HW_ENA_INTERNAL_H

#include "qemu/log.h"
#include "ena_core.h"

#define ENA_GUEST_ERR(trace, fmt, ...) \
    do { \
        (trace_##trace)(__VA_ARGS__); \
        qemu_log_mask(LOG_GUEST_ERROR, "ena: " #trace ": " fmt "\n", \
                      ## __VA_ARGS__); \
    } while (0)

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

#define ENA_RSS_SUPPORTED_FUNCS \
    (BIT(ENA_ADMIN_RSS_TOEPLITZ) | BIT(ENA_ADMIN_RSS_CRC32))

extern const uint8_t ena_rss_default_key[ENA_RSS_KEY_SIZE];
extern const uint16_t ena_rss_supported_fields[ENA_ADMIN_RSS_PROTO_NUM];

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
           (core->params.llq ? BIT(ENA_ADMIN_LLQ) : 0) |
           (core->params.phc ? BIT(ENA_ADMIN_PHC_CONFIG) : 0);
}

static inline int64_t ena_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static inline int ena_sq_idx(ENACore *core, ENAIoSq *sq)
{
    return sq - core->sq;
}

static inline bool ena_depth_ok(ENACore *core, uint32_t depth)
{
    return depth >= 2 && is_power_of_2(depth) &&
           depth <= core->params.max_depth;
}

/* ena_event.c */
bool ena_guard_begin(ENACore *core);
void ena_guard_end(ENACore *core, bool began);
void ena_guarded_call(ENACore *core, void (*fn)(void *), void *opaque);
void ena_set_fatal(ENACore *core, const char *why, uint64_t addr);
bool ena_dma_ok(ENACore *core, uint64_t addr, size_t len);
bool ena_dma_is_ram(ENACore *core, uint64_t addr, size_t len);
MemTxResult ena_dma_read(ENACore *core, uint64_t addr, void *buf,
                         size_t len);
MemTxResult ena_dma_write(ENACore *core, uint64_t addr, const void *buf,
                          size_t len);
MemTxResult ena_dma_write_iov(ENACore *core, uint64_t addr,
                              const struct iovec *iov, int iovcnt,
                              size_t off, size_t len);
MemTxResult ena_write_entry(ENACore *core, uint64_t addr,
                            const uint8_t *entry, size_t len,
                            size_t phase_word_off);
void ena_mgmt_irq(ENACore *core, bool admin);
void ena_io_irq(ENACore *core, uint32_t vector, bool rx);
bool ena_aenq_post(ENACore *core, uint16_t group, uint16_t syndrome,
                   const void *payload, size_t len);
void ena_aenq_flush_pending(ENACore *core);
void ena_keepalive_arm(ENACore *core);
bool ena_link_up(ENACore *core);
void ena_io_unmask(ENACore *core, uint32_t vector, uint32_t val);
void ena_aenq_head_db(ENACore *core, uint16_t head);
void ena_keepalive_cb(void *opaque);
void ena_io_moderation_cb(void *opaque);

/* ena_allow.c */
bool ena_allow_active(ENACore *core);
bool ena_allow_pass(ENACore *core, bool tx, const uint8_t *f, size_t len,
                    int64_t *at, bool can_queue);
void ena_allow_refresh(ENACore *core);
void ena_allow_clear(ENACore *core);
void ena_allow_init(ENACore *core);
void ena_allow_reset(ENACore *core);
void ena_allow_finalize(ENACore *core);
void ena_allow_pre_load(ENACore *core);
bool ena_allow_nflows_ok(ENACore *core);
bool ena_allow_post_load(ENACore *core);

/* ena_admin.c */
void ena_aq_doorbell(ENACore *core, uint16_t tail);
void ena_aq_timer_cb(void *opaque);
void ena_admin_delay_cb(void *opaque);
void ena_phc_doorbell(ENACore *core, uint32_t val);
void ena_phc_timer_cb(void *opaque);

/* ena_io.c */
void ena_sq_doorbell(ENACore *core, uint32_t idx, uint32_t val);
void ena_tx_process(ENACore *core, ENAIoSq *sq);
void ena_sq_free(ENACore *core, ENAIoSq *sq);
void ena_tx_timer_cb(void *opaque);
void ena_rx_timer_cb(void *opaque);
void ena_io_timing_reset(ENACore *core);

#endif /* HW_ENA_INTERNAL_H */
