/*
 * ENA reference driver: IO queues (TX/RX submission and completion rings).
 *
 * No offloads, so every TX packet is a chain of data descriptors (plus a
 * zeroed meta descriptor where LLQ's DISABLE_META_CACHING asks for one)
 * and every RX buffer a single descriptor (docs/interface.md §7). TX SQs
 * are in host memory, or with LLQ (§7.9) in the device's BAR2, where each
 * packet is written as entries holding its descriptors and its first
 * bytes. The queue structures are fixed-size: no allocation beyond the
 * DMA memory the platform hands out.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_ETH_H
#define ENA_ETH_H

#include "ena_com.h"

#define ENA_ETH_MAX_DEPTH           1024
/* Linux's cap on TX SGL length and RX chain length */
#define ENA_ETH_MAX_PKT_DESCS       19
#define ENA_ETH_TX_CDESC_SIZE       8
#define ENA_ETH_RX_CDESC_SIZE       16
#define ENA_ETH_MAX_BUF_SIZE        65536
/*
 * Must-be-zero bits in IO completions, checked when the device offers
 * capability CDESC_MBZ (docs/interface.md §7.4, §7.6). Not in ena_hw.h.
 */
#define ENA_ETH_TX_CDESC_MBZ_MASK   0xc0u           /* flags byte 7:6 */
#define ENA_ETH_RX_CDESC_MBZ_MASK   ((1u << 7) | (1u << 17))
/* The phase bit of both completion kinds: bit 24 of the first LE word. */
#define ENA_ETH_CDESC_PHASE_MASK    (1u << 24)
/* The widest LLQ entry the driver builds */
#define ENA_ETH_LLQ_MAX_ENTRY       256

/* An LLQ geometry agreed with SET_FEATURE(LLQ) (§5.6, §7.9). */
typedef struct EnaEthLlq {
    uint16_t entry_size;        /* bytes: 128, 192 or 256 */
    uint16_t burst_entries;     /* entries per doorbell at most; 0: any */
    uint8_t descs_before_hdr;   /* descriptor slots ahead of the header */
    uint8_t descs_per_entry;    /* slots in each following entry */
    uint8_t max_header;         /* bytes pushed at most */
    bool meta_every_pkt;        /* DISABLE_META_CACHING in force */
} EnaEthLlq;

typedef struct EnaEthSq {
    EnaDmaMem mem;
    uint16_t depth;
    uint16_t tail;              /* free-running producer count */
    uint8_t phase;
    uint16_t idx;               /* device handle from CREATE_SQ */
    uint32_t db_off;
    bool created;
} EnaEthSq;

typedef struct EnaEthCq {
    EnaDmaMem mem;
    uint16_t depth;
    uint16_t head;              /* free-running consumer count */
    uint8_t phase;
    uint8_t entry_size;
    uint16_t idx;               /* device handle from CREATE_CQ */
    uint16_t vector;
    uint32_t unmask_off;
    uint32_t numa_off;
    bool created;
} EnaEthCq;

/* One TX data descriptor's buffer. */
typedef struct EnaEthTxSeg {
    uint64_t addr;
    uint16_t len;
} EnaEthTxSeg;

typedef struct EnaEthTxInfo {
    uint64_t submit_ns;
    uint32_t len;
    uint16_t ndescs;            /* buffers used (host: = SQ slots) */
    uint16_t nslots;            /* SQ slots: descriptors, or LLQ entries */
    uint16_t first_slot;        /* of the buffers */
    bool in_flight;
    bool missed;                /* already reported as late */
} EnaEthTxInfo;

typedef struct EnaEthTxStats {
    uint64_t pkts;
    uint64_t bytes;
    uint64_t descs;             /* SQ slots: descriptors; LLQ: entries */
    uint64_t doorbells;
    uint64_t completions;
    uint64_t ring_full;
    uint64_t too_many_descs;
    uint64_t bad_frame;
    uint64_t bad_req_id;
    uint64_t bad_cdesc;
    uint64_t missed_tx;
    uint64_t dropped_on_reset;
} EnaEthTxStats;

typedef struct EnaEthTxQueue {
    uint16_t qid;
    EnaEthSq sq;
    EnaEthCq cq;
    EnaDmaMem bufs;             /* one buffer per SQ slot */
    uint32_t buf_size;
    uint16_t max_descs;         /* per packet */
    uint8_t max_header;         /* header_length cap (informational) */
    bool cdesc_mbz;
    /*
     * LLQ: the SQ is in BAR2 at llq_off, one entry per SQ slot. Kept
     * small: the bare-metal guest's traces move with the size of EnaDrv.
     */
    const EnaEthLlq *llq;       /* the caller's geometry; NULL: host SQ */
    uint32_t llq_off;
    uint16_t llq_burst_used;    /* entries since the last doorbell */
    uint16_t buf_tail;          /* free-running buffer counter */
    uint16_t descs_in_flight;   /* SQ slots in flight */
    uint16_t pkts_in_flight;
    bool full;                  /* a send was refused for lack of room */
    uint64_t full_since_ns;     /* ... since then, until a completion */
    uint16_t free_take;         /* free-running; free_put - free_take free */
    uint16_t free_put;
    uint16_t free_ids[ENA_ETH_MAX_DEPTH];
    bool slot_busy[ENA_ETH_MAX_DEPTH];
    EnaEthTxInfo info[ENA_ETH_MAX_DEPTH];
    EnaEthTxStats stats;
} EnaEthTxQueue;

typedef struct EnaEthRxStats {
    uint64_t pkts;
    uint64_t bytes;
    uint64_t descs;
    uint64_t multi_desc_pkts;
    uint64_t doorbells;
    uint64_t posted;
    uint64_t bad_req_id;
    uint64_t bad_desc_num;      /* chain longer than allowed */
    uint64_t malformed;         /* first bit misplaced, MBZ bits set */
    uint64_t empty_ring;
    uint64_t dropped_on_reset;
} EnaEthRxStats;

typedef struct EnaEthRxQueue {
    uint16_t qid;
    EnaEthSq sq;
    EnaEthCq cq;
    EnaDmaMem bufs;             /* one buffer per req_id */
    uint32_t buf_size;
    uint16_t max_descs;
    bool cdesc_mbz;
    uint16_t posted;            /* buffers the device owns */
    uint16_t free_take;
    uint16_t free_put;
    uint16_t free_ids[ENA_ETH_MAX_DEPTH];
    bool owned[ENA_ETH_MAX_DEPTH];  /* buffer req_id is with the device */
    uint8_t no_intr_checks;
    uint8_t empty_checks;
    EnaEthRxStats stats;
} EnaEthRxQueue;

/* A parsed RX chain: one entry per buffer. */
typedef struct EnaEthRxPkt {
    uint16_t ndescs;
    uint16_t req_id[ENA_ETH_MAX_PKT_DESCS];
    uint16_t len[ENA_ETH_MAX_PKT_DESCS];
    uint32_t total_len;
    uint32_t status;            /* of the last completion */
    uint32_t hash;
    uint8_t offset;             /* of the first completion */
} EnaEthRxPkt;

/* ---- queue memory and admin commands ------------------------------------ */

int ena_eth_tx_setup(EnaEthTxQueue *q, EnaPlat *plat, uint16_t qid,
                     uint16_t depth, uint32_t buf_size, uint16_t max_descs);
/*
 * As ena_eth_tx_setup(), for a TX queue whose SQ will be in BAR2 with
 * geometry @llq, which must outlive the queue (no host descriptor ring
 * is allocated); NULL: host SQ.
 */
int ena_eth_tx_setup_llq(EnaEthTxQueue *q, EnaPlat *plat, uint16_t qid,
                         uint16_t depth, uint32_t buf_size,
                         uint16_t max_descs, const EnaEthLlq *llq);
void ena_eth_tx_free(EnaEthTxQueue *q, EnaPlat *plat);
int ena_eth_rx_setup(EnaEthRxQueue *q, EnaPlat *plat, uint16_t qid,
                     uint16_t depth, uint32_t buf_size, uint16_t max_descs);
void ena_eth_rx_free(EnaEthRxQueue *q, EnaPlat *plat);

/* CREATE_CQ with interrupts on @vector; fills idx and register offsets. */
int ena_eth_create_cq(EnaCom *com, EnaEthCq *cq, uint16_t vector);
/* CREATE_SQ (host placement, one completion per descriptor). */
int ena_eth_create_sq(EnaCom *com, EnaEthSq *sq, uint8_t direction,
                      uint16_t cq_idx);
/*
 * CREATE_SQ for an LLQ TX queue (placement DEV, no ring address). The
 * ring must fit BAR2 (@bar_size bytes) at the llq_descriptors_offset the
 * device returns, or -ENA_EPROTO (the SQ exists then; destroy it).
 */
int ena_eth_create_tx_sq_llq(EnaCom *com, EnaEthTxQueue *q, uint16_t cq_idx,
                             uint64_t bar_size);
int ena_eth_destroy_sq(EnaCom *com, EnaEthSq *sq, uint8_t direction);
int ena_eth_destroy_cq(EnaCom *com, EnaEthCq *cq);

/*
 * Choose an LLQ geometry among what GET_FEATURE(LLQ) offers (@offer, as
 * the device wrote it, little-endian): inline header (required), several
 * descriptors per entry when offered, 256-byte entries when the device
 * recommends them, else 128, 192, 256 in that order, 2 descriptors before
 * the header, else 1, 4, 8, and the accel modes offered (LIMIT_TX_BURST
 * only with a burst of at least one entry). Fills @llq, the SET_FEATURE
 * payload @set (little-endian) and *max_depth, the deepest TX SQ of that
 * entry size. -ENA_EOPNOTSUPP when nothing offered can be used.
 */
int ena_eth_llq_choose(const EnaAdminLlqFeature *offer, EnaEthLlq *llq,
                       EnaAdminLlqFeature *set, uint32_t *max_depth);

/* ---- TX ----------------------------------------------------------------- */

/* Free req_ids (all of them when the queue is idle). */
uint16_t ena_eth_tx_free_ids(const EnaEthTxQueue *q);
/*
 * Write the data descriptors of one packet at the SQ tail: req_id, first
 * and comp_req on the first, last on the final one, the SQ phase on all.
 * Advances the tail; returns the number written.
 */
uint16_t ena_eth_tx_write_descs(EnaEthSq *sq, uint16_t req_id,
                                const EnaEthTxSeg *segs, uint16_t nsegs,
                                uint8_t header_len);
/*
 * Copy a frame into the queue's buffers (each fragment split into
 * buf_size pieces, one descriptor each), post it and ring the doorbell.
 * LLQ: the first min(len, max_header) bytes go into the packet's first
 * entry instead, the rest into buffers as above (none: one descriptor of
 * length 0), and the doorbell counts entries; it is also rung before an
 * entry that would make the burst longer than burst_entries.
 * Returns the req_id used, -ENA_ENOSPC when the ring is full,
 * -ENA_EMSGSIZE when it needs more than max_descs descriptors.
 */
int ena_eth_xmit(EnaEthTxQueue *q, EnaPlat *plat, const EnaFrag *frags,
                 uint16_t nfrags, uint64_t now);
/* Is @req_id a packet the device owes a completion for? */
bool ena_eth_tx_req_id_valid(const EnaEthTxQueue *q, uint16_t req_id);
/*
 * Consume up to @budget TX completions. Returns how many, or a negative
 * error with *reason set (INV_TX_REQ_ID, TX_DESCRIPTOR_MALFORMED).
 */
int ena_eth_tx_clean(EnaEthTxQueue *q, EnaPlat *plat, uint16_t budget,
                     uint8_t *reason);
/* Forget every in-flight packet (the device was reset). */
void ena_eth_tx_drop_all(EnaEthTxQueue *q);
/*
 * The missing-completion check of one queue at time @now: marks packets
 * older than @timeout_ns (counting newly late ones in *new_missed), and
 * returns MISS_INTERRUPT when a packet waited 2 x timeout while the
 * queue's vector never fired, MISS_TX_CMPL when more than @threshold are
 * late, else ENA_RESET_REASON_NONE. *late gets the number of late ones.
 */
uint8_t ena_eth_tx_check_missing(EnaEthTxQueue *q, uint64_t now,
                                 uint64_t timeout_ns, uint32_t threshold,
                                 bool vector_fired, uint32_t *late,
                                 uint32_t *new_missed);

/* ---- RX ----------------------------------------------------------------- */

/* Post every free buffer (up to depth - 1 owned) and ring the doorbell. */
int ena_eth_rx_refill(EnaEthRxQueue *q, EnaPlat *plat);
/*
 * Parse the next complete chain from the RX CQ into @pkt and consume it.
 * Returns the number of buffers (> 0), 0 when no complete chain is there
 * (a partial one is left in place), or a negative error with *reason set:
 * RX_DESCRIPTOR_MALFORMED (first bit misplaced, MBZ bits),
 * TOO_MANY_RX_DESCS, INV_RX_REQ_ID.
 */
int ena_eth_rx_parse(EnaEthRxQueue *q, EnaPlat *plat, EnaEthRxPkt *pkt,
                     uint8_t *reason);
/* The CPU view of a parsed chain's buffers; returns the count. */
uint16_t ena_eth_rx_frags(const EnaEthRxQueue *q, const EnaEthRxPkt *pkt,
                          EnaFrag *frags);
/* Give a parsed chain's buffers back to the free list. */
void ena_eth_rx_release(EnaEthRxQueue *q, const EnaEthRxPkt *pkt);
/* Forget buffers the device owned (the device was reset). */
void ena_eth_rx_drop_all(EnaEthRxQueue *q);

/* ---- completion queues and interrupts ----------------------------------- */

/* Does the entry at the CQ head carry the expected phase? */
bool ena_eth_cq_pending(const EnaEthCq *cq, EnaPlat *plat);
/* Value of the unmask register (§7.8). */
uint32_t ena_eth_intr_reg_value(uint32_t rx_delay, uint32_t tx_delay,
                                bool unmask);
void ena_eth_unmask(EnaPlat *plat, const EnaEthCq *cq, uint32_t val);

#endif /* ENA_ETH_H */
