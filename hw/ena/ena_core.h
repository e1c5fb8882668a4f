/*
 * AWS Elastic Network Adapter: device core (all guest-visible state)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ENA_CORE_H
#define HW_ENA_CORE_H

#include "qemu/timer.h"
#include "qemu/units.h"
#include "hw/pci/pci_device.h"
#include "net/net.h"
#include "ena_hw.h"
#include "ena_fault.h"
#include "ena_timing.h"
#include "ena_allow.h"

#define ENA_MAX_QUEUE_PAIRS         32
#define ENA_MAX_IO_SQ               (2 * ENA_MAX_QUEUE_PAIRS)
#define ENA_MAX_IO_CQ               (2 * ENA_MAX_QUEUE_PAIRS)
#define ENA_MAX_MSIX_VECTORS        (1 + ENA_MAX_QUEUE_PAIRS)
#define ENA_MIN_QUEUE_DEPTH         256
#define ENA_MAX_QUEUE_DEPTH         8192
#define ENA_MAX_PKT_DESCS           19      /* per packet, TX data and RX */
#define ENA_DEFAULT_MTU             1500
/*
 * TX max header size: Linux keeps it in a u8 per ring (6.1, 6.12) and
 * sizes a buffer by it, so 256 would become 0 and break ifup.
 */
#define ENA_MAX_TX_HEADER_SIZE      128
#define ENA_MAX_MTU                 16384
/*
 * LLQ: every TX SQ in device placement owns a fixed window of BAR2 big
 * enough for the deepest ring of the widest entries.
 */
#define ENA_LLQ_MAX_DEPTH           1024
#define ENA_LLQ_MAX_ENTRY_SIZE      256
#define ENA_LLQ_SQ_WINDOW           (ENA_LLQ_MAX_DEPTH * ENA_LLQ_MAX_ENTRY_SIZE)
#define ENA_MAX_L2_OVERHEAD         (14 + 2 * 4)    /* Ethernet + 2 VLAN tags */
#define ENA_RSS_IND_TABLE_LOG2      7
#define ENA_RSS_IND_TABLE_SIZE      (1 << ENA_RSS_IND_TABLE_LOG2)
#define ENA_RSS_KEY_SIZE            40
#define ENA_MAX_ADMIN_DEPTH         4096
#define ENA_MAX_AENQ_DEPTH          4096
#define ENA_DEBUG_AREA_MAX          (1024u * 1024u) /* debug-area-max, at most */

/* BAR0 layout: registers, then the per-queue registers we hand out */
#define ENA_BAR0_SIZE               0x4000
#define ENA_REGS_END                0x6c
#define ENA_SQ_DB_BASE              0x1000
#define ENA_CQ_UNMASK_BASE          0x2000
#define ENA_CQ_NUMA_BASE            0x3000
#define ENA_PER_QUEUE_STRIDE        4
#define ENA_MSIX_BAR                4

#define ENA_VERSION_VALUE           0x00000002  /* spec 0.2 */
#define ENA_CTRL_VERSION_VALUE      0x00010000  /* 1.0.0, impl 0 */

typedef struct ENAParams {
    uint16_t device_id;
    bool readless;              /* revision bit 0 clear */
    uint32_t queues;
    uint32_t max_depth;
    uint32_t max_mtu;
    uint32_t link_speed;        /* Mb/s */
    uint32_t keepalive_ms;
    uint8_t caps_admin_to;      /* CAPS.ADMIN_CMD_TO, 100 ms units */
    uint8_t caps_reset_to;      /* CAPS.RESET_TIMEOUT, 100 ms units */
    uint8_t dma_width;
    uint32_t reset_latency_us;  /* per phase of the reset handshake */
    uint32_t intr_delay_resolution;
    bool offloads;
    bool llq;                   /* offer the LLQ feature */
    bool llq_mem_bar;           /* expose BAR2 (off: LLQ without its BAR) */
    uint16_t llq_entry_recommended; /* bytes, 128 or 256 */
    uint16_t llq_max_wide_depth;    /* 0: n/a, 256 B SQs get half the depth */
    bool llq_no_meta_caching;       /* offer DISABLE_META_CACHING */
    uint16_t llq_max_tx_burst;      /* bytes; 0: no LIMIT_TX_BURST */
    /* timing model (docs/timing.md); off: every operation is instant */
    bool timing;
    uint32_t pcie_latency_ns;   /* one way, host <-> device */
    uint32_t dma_mbps;          /* DMA bandwidth, each direction */
    uint32_t wire_kbps;         /* the wire's rate; 0: link_speed */
    uint32_t admin_latency_ns;  /* the device's work on one admin command */
    uint32_t readless_latency_ns;   /* MMIO_REG_READ write to response */
    uint32_t tx_fifo_kb;        /* frames gathered, not yet on the wire */
    uint32_t rx_fifo_kb;        /* frames received, not yet written */
    bool rx_drop_when_empty;    /* EC2: drop (rx_overruns), do not hold */
    uint8_t rx_offset;          /* first RX buffer: data this far in */
    /* PHC_CONFIG (feature 29): the clock is QEMU_CLOCK_VIRTUAL */
    bool phc;
    uint32_t phc_expire_us;     /* GET PHC_CONFIG: expire_timeout_usec */
    uint32_t phc_block_us;      /* GET PHC_CONFIG: block_timeout_usec */
    uint32_t phc_error_bound_ns;    /* in every response */
    uint32_t phc_rate;          /* requests a second answered; 0: any */
    uint32_t debug_area_max;    /* bytes of the debug area read; 0: none */
    bool strict;                /* report rules real devices enforce */
    EnaAdminHwHints hints;      /* host byte order */
} ENAParams;

/*
 * State of one MSI-X vector: IO vectors auto-mask after they fire, and
 * may hold an interrupt back by the moderation delays of the last unmask.
 */
typedef struct ENAVector {
    bool masked;
    bool pending;
    uint32_t tx_delay_us;
    uint32_t rx_delay_us;
    QEMUTimer *timer;           /* a moderated interrupt on its way */
} ENAVector;

typedef struct ENAVectorTimerCtx {
    struct ENACore *core;
    uint32_t vector;
} ENAVectorTimerCtx;

#define ENA_CQ_NO_IRQ   UINT16_MAX

typedef struct ENAIoCq {
    bool valid;
    uint8_t entry_size;         /* bytes */
    uint16_t depth;
    uint16_t vector;            /* ENA_CQ_NO_IRQ: polled */
    uint16_t tail;              /* free-running producer count */
    uint64_t ba;
} ENAIoCq;

typedef struct ENAIoSq {
    bool valid;
    uint8_t direction;          /* ENA_ADMIN_SQ_DIRECTION_* */
    uint16_t cq_idx;
    uint16_t depth;
    uint16_t head;              /* free-running device consumer count */
    uint16_t tail;              /* last doorbell value */
    uint64_t ba;
    /* TX: cached metadata (meta_store) and the packet being gathered */
    bool meta_valid;
    uint32_t meta_len_ctrl;
    uint32_t meta_word2;
    bool pkt_open;
    bool pkt_bad;
    uint16_t pkt_req_id;
    uint16_t pkt_descs;
    uint32_t pkt_dma_bytes;     /* read from guest buffers (timing) */
    uint32_t pkt_meta_ctrl;
    bool pkt_has_meta;
    struct NetTxPkt *tx_pkt;
    /* TX in device placement (LLQ): entries live in BAR2 */
    bool llq;
    uint16_t llq_slot;          /* which BAR2 window */
    bool llq_in_pkt;            /* the next entry continues a packet */
    /* LIMIT_TX_BURST: entries before llq_drop_until belong to a burst */
    bool llq_dropping;          /* over the limit, so they are dropped */
    uint16_t llq_drop_until;
    bool llq_pkt_drop;          /* the packet being gathered is dropped */
    uint8_t llq_hdr[ENA_LLQ_MAX_ENTRY_SIZE];    /* pushed header bytes */
} ENAIoSq;

/*
 * Timing model: a TX frame between its gather from guest memory and its
 * packet's completion. It goes to the netdev when its first bit would
 * leave (wire_at); the last frame of a packet carries the completion,
 * written at done_at. Both times only grow along the list.
 */
typedef struct ENATxFrame {
    QTAILQ_ENTRY(ENATxFrame) next;
    int64_t wire_at;
    int64_t done_at;
    uint8_t *data;              /* NULL once sent (or nothing to send) */
    uint32_t len;               /* of data */
    uint16_t sq;
    uint16_t req_id;
    bool cmpl;
} ENATxFrame;

/*
 * TX entries in flight at most: packets that send nothing (dropped) take
 * no FIFO bytes but still wait for their completion time.
 */
#define ENA_TX_MAX_FRAMES           4096
#define ENA_MIN_FRAME               64

/* A received frame, written to the host at due if it has buffers then. */
typedef struct ENARxFrame {
    QTAILQ_ENTRY(ENARxFrame) next;
    int64_t due;
    uint8_t *data;
    uint32_t len;
} ENARxFrame;

/* A readless response on its way to the host (a ring, in issue order). */
#define ENA_READLESS_INFLIGHT       8
typedef struct ENAReadlessResp {
    int64_t due;
    uint64_t addr;
    EnaMmioReadResp resp;
} ENAReadlessResp;

/* An admin completion held back by a "delay" fault. */
#define ENA_MAX_DELAYED_CMPL        ENA_ADMIN_QUEUE_DEPTH
typedef struct ENADelayedCmpl {
    bool used;
    int64_t when;
    EnaAdminAcqEntry resp;
} ENADelayedCmpl;

typedef struct ENAStats {
    uint64_t tx_bytes;
    uint64_t tx_pkts;
    uint64_t rx_bytes;
    uint64_t rx_pkts;
    uint64_t rx_drops;
    uint64_t tx_drops;
    uint64_t rx_overruns;
    uint64_t rx_offset_pkts;    /* frames written at rx-offset */
    /* customer metrics: the five allowance counters, then conntrack avail */
    uint64_t eni[6];
} ENAStats;

typedef struct ENAHostInfo {
    uint32_t os_type;
    uint32_t driver_version;
    uint32_t kernel_ver;
    uint32_t driver_features;   /* ENA_ADMIN_HOST_INFO_* */
    uint8_t os_dist_str[129];
    uint8_t kernel_ver_str[33];
} ENAHostInfo;

/* Strict mode's rules (docs/strict.md), each with a counter */
typedef enum ENAStrictRule {
    ENA_STRICT_AENQ_UNCONFIGURED,   /* AENQ doorbell with no AENQ ring */
    ENA_STRICT_NO_HOST_INFO,        /* IO queue before host info */
    ENA_STRICT_NO_READLESS,         /* CREATE_CQ before MMIO_RESP_LO/HI */
    ENA_STRICT_CDESC_SIZE,          /* CREATE_CQ entry size not offered */
    ENA_STRICT_DOORBELL,            /* SQ doorbell moves back or too far */
    ENA_STRICT__MAX
} ENAStrictRule;

typedef struct ENACore {
    PCIDevice *owner;
    NICState *nic;
    ENAParams params;
    uint8_t mac[6];

    /* registers */
    uint32_t dev_sts;
    uint32_t dev_ctl;
    uint32_t intr_mask;
    uint64_t mmio_resp_addr;
    uint32_t reset_phase;
    QEMUTimer *reset_timer;

    /* admin SQ / CQ */
    uint64_t aq_base;
    uint32_t aq_caps;
    uint16_t aq_head;
    uint16_t aq_tail;
    uint64_t acq_base;
    uint32_t acq_caps;
    uint16_t acq_tail;

    /* AENQ */
    uint64_t aenq_base;
    uint32_t aenq_caps;
    uint16_t aenq_tail;
    uint16_t aenq_head_db;
    uint32_t aenq_groups;       /* enabled by the driver */
    bool link_event_pending;
    QEMUTimer *keepalive_timer;
    uint64_t keepalives_sent;
    uint64_t aenq_dropped;

    /* features */
    uint32_t mtu;
    uint32_t rss_func;          /* selected function, as a bitmap */
    uint32_t rss_init_val;
    uint8_t rss_key[ENA_RSS_KEY_SIZE];
    uint16_t rss_fields[ENA_ADMIN_RSS_PROTO_NUM];
    uint16_t rss_input_sort;
    uint16_t rss_table[ENA_RSS_IND_TABLE_SIZE];
    bool rss_table_set;
    ENAHostInfo host_info;
    /* the driver's debug area (HOST_ATTR_CONFIG), read at DEV_CTL resets */
    uint64_t debug_ba;
    uint32_t debug_size;

    /* IO */
    ENAIoSq sq[ENA_MAX_IO_SQ];
    ENAIoCq cq[ENA_MAX_IO_CQ];
    ENAVector vec[ENA_MAX_MSIX_VECTORS];
    ENAVectorTimerCtx vec_timer_ctx[ENA_MAX_MSIX_VECTORS];
    uint32_t nr_vectors;
    struct NetRxPkt *rx_pkt;

    ENAStats stats;
    ENAAllow allow;             /* EC2's shaping (ena_allow.c) */

    /* LLQ: BAR2 (RAM, set up by ena.c) and what SET_FEATURE(LLQ) chose */
    uint8_t *llq_mem;
    uint32_t llq_mem_size;
    bool llq_set;
    uint16_t llq_entry_size;    /* bytes: 128, 192 or 256 */
    uint8_t llq_descs_before_hdr;
    uint8_t llq_stride;         /* ENA_ADMIN_*_DESC(S)_PER_ENTRY */
    uint32_t llq_slots;         /* bitmap of BAR2 windows in use */
    uint32_t llq_accel;         /* ENA_ADMIN_LLQ_ACCEL_* bits in force */
    bool llq_refuse_256;        /* fault: GET offered 256 B that SET refuses */
    uint64_t llq_refused;       /* geometries refused (SET, CREATE_SQ) */
    uint64_t llq_burst_violations;  /* doorbells over max_tx_burst_size */
    uint64_t llq_meta_missing;  /* packets without their meta descriptor */

    /* fault injection (ena_fault.c) */
    ENAFaults faults;
    bool fault_link_down;
    bool hints_pending;         /* an UPDATE_HINTS waiting for the AENQ */
    EnaAdminHwHints hints_notify;   /* its payload, little-endian */
    bool keepalive_delayed;
    ENADelayedCmpl admin_delayed[ENA_MAX_DELAYED_CMPL];
    QEMUTimer *admin_delay_timer;

    /* timing model: TX and RX pipelines (ena_io.c), admin, readless */
    QTAILQ_HEAD(, ENATxFrame) tx_frames;
    uint32_t tx_fifo_used;      /* bytes of frames not yet on the wire */
    uint32_t tx_frames_n;       /* entries, sent or not */
    int64_t tx_done_last;       /* completions are written in order */
    uint32_t tx_rr;             /* SQ to refill the FIFO from first */
    QEMUTimer *tx_timer;
    QTAILQ_HEAD(, ENARxFrame) rx_frames;
    uint32_t rx_fifo_used;
    bool rx_waiting;            /* the first frame waits for buffers */
    bool rx_refused;            /* the netdev may hold frames for us */
    QEMUTimer *rx_timer;
    ENAPace tx_wire, rx_wire, dma_rd, dma_wr;
    QEMUTimer *aq_timer;
    ENAReadlessResp readless[ENA_READLESS_INFLIGHT];
    uint8_t readless_head;
    uint8_t readless_count;
    QEMUTimer *readless_timer;

    /*
     * PHC (ena_admin.c): where SET PHC_CONFIG put the response, and the
     * one response on its way (a newer doorbell replaces it)
     */
    uint64_t phc_addr;          /* 0: not configured */
    bool phc_pending;
    uint16_t phc_req_id;
    uint32_t phc_flags;         /* error_flags of the pending response */
    int64_t phc_stamp;          /* the clock when the doorbell came */
    int64_t phc_due;            /* when it is written */
    QEMUTimer *phc_timer;
    int64_t phc_tat;            /* rate limit: when the bucket is empty */
    uint64_t phc_requests;      /* doorbells taken */
    uint64_t phc_responses;     /* responses written */
    uint64_t phc_dma_errors;    /* responses whose write failed */

    /* observability (read-only QOM properties) */
    uint64_t reset_count;
    uint32_t last_reset_reason;
#define ENA_RESET_HISTORY           16
    uint8_t reset_history[ENA_RESET_HISTORY];  /* ring, by reset_count */
    uint64_t admin_cmds;
    char *debug_area;           /* its text at the last reset; NULL: none */
    uint64_t debug_area_reads;
    uint64_t debug_area_errors;
    /* strict mode: what the guest did before the checks want it done */
    bool strict_host_info;      /* HOST_ATTR_CONFIG with host info seen */
    uint64_t strict_hits[ENA_STRICT__MAX];
} ENACore;

typedef enum ENAResetKind {
    ENA_RESET_POWER_ON,         /* realize, system reset, FLR */
    ENA_RESET_DEV_CTL,          /* DEV_CTL.DEV_RESET from the driver */
} ENAResetKind;

/* At instance_init, before properties (fault rules) are set */
void ena_core_init(ENACore *core);
void ena_core_realize(ENACore *core, PCIDevice *owner, NICState *nic,
                      const uint8_t *mac, uint32_t nr_vectors);
void ena_core_unrealize(ENACore *core);
void ena_core_reset(ENACore *core, ENAResetKind kind);

uint64_t ena_core_read(ENACore *core, hwaddr addr, unsigned size);
void ena_core_write(ENACore *core, hwaddr addr, uint64_t val, unsigned size);
uint32_t ena_core_llq_bar_size(const ENAParams *p);

bool ena_core_can_receive(ENACore *core);
ssize_t ena_core_receive_iov(ENACore *core, const struct iovec *iov,
                             int iovcnt);
void ena_core_set_link_status(ENACore *core, bool up);
void ena_core_start_recv(ENACore *core);

int ena_core_post_load(ENACore *core);
const char *ena_reset_reason_name(uint32_t reason);
/* The reasons of the last resets, oldest first, space-separated names. */
char *ena_core_reset_history(ENACore *core);
extern const VMStateDescription vmstate_ena_core;
const char *ena_strict_rule_name(ENAStrictRule rule);

/* ena_allow.c: the allowances' properties and counters */
void ena_allow_defaults(ENAAllowParams *p);
bool ena_allow_params_ok(const ENAAllowParams *p, Error **errp);
void ena_allow_changed(ENACore *core);
uint64_t ena_allow_metric(ENACore *core, int which);

#endif /* HW_ENA_CORE_H */
