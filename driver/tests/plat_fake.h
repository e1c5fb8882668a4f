/*
 * ENA reference driver unit tests: a fake platform with a scripted device.
 *
 * Implements ena_plat.h over host memory and a fake clock. Behind the
 * register interface sits a small model of the device, enough to probe,
 * run the watchdogs and reset: readless reads, the reset handshake, the
 * admin queue (features, IO queue commands), the AENQ with keep-alives on
 * the fake clock, and TX completion on a doorbell. Every behaviour has a
 * knob to break it. DMA addresses are the host pointers.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_PLAT_FAKE_H
#define ENA_PLAT_FAKE_H

#include "ena_plat.h"
#include "hw/ena/ena_hw.h"

#define FAKE_MAX_VEC        9
#define FAKE_MAX_QUEUES     16
#define FAKE_SQ_DB_BASE     0x1000
#define FAKE_CQ_UNMASK_BASE 0x2000
#define FAKE_REGS_SIZE      0x100
/* BAR2 (fake_llq_enable): one window of this size per LLQ SQ */
#define FAKE_LLQ_WINDOW     0x40000
#define FAKE_LLQ_BAR_SIZE   (4 * FAKE_LLQ_WINDOW)
#define FAKE_DB_LOG         64

typedef struct FakeQueue {
    bool valid;
    uint8_t dir;
    uint8_t entry_size;
    uint16_t depth;
    uint16_t cq_idx;
    uint16_t vector;
    uint16_t head;              /* device consumer (SQ) */
    uint16_t tail;              /* driver producer (SQ) or device (CQ) */
    uint64_t ba;
    bool llq;                   /* placement DEV: entries in BAR2 */
    uint32_t llq_off;
    bool llq_in_pkt;            /* parsing: inside a packet's entries */
    uint16_t llq_req_id;
} FakeQueue;

struct EnaPlat {
    /* clock */
    uint64_t now_ns;
    uint64_t delays;

    /* identity and capabilities */
    uint8_t revision;           /* bit 0: plain reads */
    uint32_t caps;              /* CAPS register */
    uint32_t ctrl_version;
    uint32_t supported_features;
    uint32_t capabilities;
    uint32_t aenq_supported;
    uint32_t max_queues;
    uint32_t max_depth;
    uint32_t max_mtu;
    uint16_t max_descs;
    uint8_t mac[6];
    EnaAdminHwHints hints;      /* host order */

    /* breakage knobs */
    bool readless_drop;         /* never answer MMIO_REG_READ */
    bool readless_bad_off;      /* answer with another offset */
    bool reset_never_on;        /* RESET_IN_PROGRESS never rises */
    bool reset_never_off;       /* ... never falls */
    bool not_ready;             /* DEV_STS.READY clear */
    bool admin_drop;            /* swallow admin commands */
    bool admin_no_intr;         /* complete without MSI-X */
    bool admin_bad_id;          /* complete with a bogus command id */
    int admin_fail_opcode;      /* fail this opcode (-1 none) ... */
    int admin_fail_feature;     /* ... or this GET/SET feature (-1 none) */
    uint8_t admin_fail_status;  /* ... with this status */
    unsigned admin_fail_count;  /* how many times (0: always) */
    bool tx_autocomplete;       /* complete TX packets on the doorbell */
    bool io_no_intr;            /* IO completions raise no MSI-X */
    uint64_t keepalive_ns;      /* 0: no keep-alives */
    int dma_fail_after;         /* fail the allocation after N more; -1 */
    bool removed;               /* hot-unplugged: no registers, no DMA */

    /* LLQ (fake_llq_enable); the GET answer is in device byte order */
    uint64_t llq_bar_size;      /* 0: no BAR2 */
    uint8_t *llq_mem;
    EnaAdminLlqFeature llq;     /* what GET_FEATURE(LLQ) answers */
    EnaAdminLlqFeature llq_set; /* what the last SET_FEATURE(LLQ) asked */
    bool llq_configured;
    uint8_t llq_set_fail;       /* SET_FEATURE(LLQ) status; 0: success */
    bool llq_bad_offset;        /* CREATE_SQ answers an offset past BAR2 */
    unsigned llq_gets, llq_sets;
    unsigned llq_bar_queries;
    unsigned llq_writes;
    unsigned llq_writes_oob;    /* ignored: outside BAR2 */
    unsigned llq_pkts;          /* packets parsed from entries */
    uint8_t llq_last_hdr_len;   /* header_length of the last one */
    /* TX SQ doorbell values, in order (the first FAKE_DB_LOG) */
    uint16_t tx_db_log[FAKE_DB_LOG];
    unsigned tx_db_count;

    /* device state */
    uint32_t dev_sts;
    uint32_t dev_ctl;
    uint32_t intr_mask;
    uint64_t resp_addr;
    uint64_t aq_base, acq_base, aenq_base;
    uint32_t aq_caps, acq_caps, aenq_caps;
    uint16_t aq_head, acq_tail, aenq_tail, aenq_head_db;
    uint32_t aenq_groups;
    uint64_t next_keepalive_ns;
    FakeQueue sq[FAKE_MAX_QUEUES];
    FakeQueue cq[FAKE_MAX_QUEUES];
    bool vec_masked[FAKE_MAX_VEC];
    bool vec_pending[FAKE_MAX_VEC];

    /* what the platform sees */
    bool intr[FAKE_MAX_VEC];
    uint16_t nvec;
    uint64_t dma_in_use;

    /* observation */
    unsigned reset_count;
    uint8_t reset_history[32];  /* reasons of the first 32 resets */
    uint32_t last_reset_reason;
    unsigned reg_writes;
    uint32_t last_dev_ctl_reset;
    unsigned admin_cmds;
    uint8_t last_opcode;
    unsigned unmask_writes;
    unsigned sq_doorbells;
    unsigned rx_frames;
    uint32_t rx_last_len;
    unsigned log_count[5];
    char last_log[256];
    bool verbose;
};

/* A healthy device with 2 queue pairs, 1 s keep-alives off by default. */
EnaPlat *fake_new(void);
void fake_free(EnaPlat *p);
/* Post an AENQ event (if configured and enabled) and raise vector 0. */
bool fake_aenq_post(EnaPlat *p, uint16_t group, uint16_t syndrome,
                    const void *payload, size_t len);
/* Advance the fake clock (device timers run) without a driver delay. */
void fake_advance(EnaPlat *p, uint64_t ns);
/*
 * Give the device BAR2 of @bar_size bytes and offer LLQ like the QEMU
 * model does (inline header; 128/192/256 B entries, 128 recommended;
 * 1/2/4 descriptors before the header; both strides; no accel modes).
 * @bar_size 0: LLQ offered, but no BAR2.
 */
void fake_llq_enable(EnaPlat *p, uint64_t bar_size);
/* Index of the first valid SQ with direction @dir, or -1. */
int fake_find_sq(EnaPlat *p, uint8_t dir);

#endif /* ENA_PLAT_FAKE_H */
