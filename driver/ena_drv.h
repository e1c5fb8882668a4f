/*
 * ENA reference driver: probe, interface up/down, service routine, reset.
 *
 * The driver proper, on top of ena_com (admin/AENQ) and ena_eth (rings).
 * A platform calls, in order: ena_drv_probe(), then ena_drv_poll()
 * whenever it likes (it looks at the MSI-X indications and does the work
 * an interrupt handler and NAPI would), and ena_drv_service() once a
 * second (the Linux timer: keep-alive, admin queue, missing TX
 * completions, missed interrupts, and the reset and recovery they ask
 * for). ena_drv_run() does both for a span of platform time.
 *
 * Everything that matters lands in the event log (ena_evlog.h) and in the
 * statistics below, so that tests can assert on both.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_DRV_H
#define ENA_DRV_H

#include "ena_com.h"
#include "ena_eth.h"
#include "ena_evlog.h"

#define ENA_DRV_MAX_QUEUES              4
#define ENA_DRV_VERSION_MAJOR           0
#define ENA_DRV_VERSION_MINOR           1
#define ENA_DRV_VERSION_SUBMINOR        0
/* host_info module type byte ('K' in-tree Linux, 'g' amzn-drivers) */
#define ENA_DRV_MODULE_TYPE             'R'
/* host_info os_type: this driver is none of the OSes the ABI lists */
#define ENA_DRV_HOST_OS_TYPE            0

/* Linux defaults (docs/interface.md §9.2) */
#define ENA_DRV_SERVICE_PERIOD_NS       ENA_NS_PER_SEC
#define ENA_DRV_KEEP_ALIVE_TIMEOUT_NS   (6 * ENA_NS_PER_SEC)
#define ENA_DRV_TX_TIMEOUT_NS           (5 * ENA_NS_PER_SEC)
#define ENA_DRV_MISSING_TX_THRESHOLD    128
#define ENA_DRV_MONITORED_QUEUES        4
#define ENA_DRV_RX_NO_INTR_CHECKS       3
/* ring-size backoff on RESOURCE_ALLOCATION_FAILURE stops below this */
#define ENA_DRV_MIN_RING_DEPTH          256
#define ENA_DRV_MIN_MTU                 128

typedef struct EnaDrvConfig {
    uint16_t num_queues;        /* IO queue pairs; 0: as many as allowed */
    uint16_t tx_depth;          /* ring sizes, powers of two */
    uint16_t rx_depth;
    uint32_t tx_buf_size;       /* bytes per TX descriptor buffer */
    uint32_t rx_buf_size;       /* bytes per RX buffer */
    uint32_t mtu;
    uint16_t tx_intr_delay_us;  /* moderation written with each unmask */
    uint16_t rx_intr_delay_us;
    uint32_t poll_interval_us;  /* ena_drv_run() step */
    bool admin_polling;         /* keep admin in polling mode after probe */
    bool bring_up;              /* probe also brings the interface up */
    bool phc;                   /* use the PHC when the device offers it */
    /*
     * TX rings in the device's memory (LLQ, §7.9) when the device offers
     * it and has BAR2; otherwise host placement, as without it. Off by
     * default.
     */
    bool llq;
} EnaDrvConfig;

typedef enum EnaDrvState {
    ENA_DRV_STATE_OFF,          /* before probe, after remove */
    ENA_DRV_STATE_RUNNING,
    ENA_DRV_STATE_RESETTING,
    ENA_DRV_STATE_DEAD,         /* init or recovery failed for good */
    ENA_DRV_STATE_REMOVED,      /* surprise removal */
} EnaDrvState;

/* Watchdog settings; ENA_TIMEOUT_NEVER disables one. */
typedef struct EnaDrvTimeouts {
    uint64_t keep_alive_ns;
    uint64_t missing_tx_ns;
    uint32_t missing_tx_threshold;
    uint64_t netdev_wd_ns;      /* TX ring full for longer: OS_NETDEV_WD */
} EnaDrvTimeouts;

typedef struct EnaDrvStats {
    uint64_t service_runs;
    uint64_t resets;            /* reset-and-recover attempts */
    uint64_t reset_reason[ENA_REGS_RESET_LAST];
    uint64_t recoveries;
    uint64_t reset_failures;
    uint64_t init_failures;
    uint64_t wd_expired;        /* keep-alive watchdog */
    uint64_t admin_q_pause;     /* admin queue found not running */
    uint64_t missing_tx_cmpl;   /* MISS_TX_CMPL verdicts */
    uint64_t missing_intr;      /* MISS_INTERRUPT verdicts */
    uint64_t tx_timeout;        /* OS_NETDEV_WD: a TX ring stuck full */
    uint64_t io_errors;         /* bad req_id, malformed chain ... */
    uint64_t dma_alloc_failures;
    uint64_t keep_alives;
    uint64_t link_up;
    uint64_t link_down;
    uint64_t hints_updates;
    uint64_t fatal_errors;
    uint64_t warnings;
    uint64_t unhandled_events;
    uint64_t dev_rx_drops;      /* last KEEP_ALIVE values (absolute) */
    uint64_t dev_tx_drops;
    uint64_t dev_rx_overruns;
    uint64_t io_interrupts;
    uint64_t unmask_writes;
    uint64_t xmit_refused;      /* down, resetting or link down */
    uint64_t rx_frames;
    uint64_t tx_frames;
    uint64_t phc_reads;         /* service-timer reads of the PHC */
    uint64_t phc_last_ns;       /* the last good reading */
    uint64_t llq_fallbacks;     /* LLQ asked for, host placement used */
} EnaDrvStats;

typedef struct EnaDrv {
    EnaPlat *plat;
    EnaDrvConfig cfg;
    EnaDrvState state;
    EnaEvlog evlog;
    EnaCom com;

    /* what the device told us */
    uint8_t mac[6];
    uint32_t max_mtu;
    uint32_t aenq_supported;
    uint32_t aenq_groups;       /* enabled */
    uint32_t max_tx_queues;
    uint32_t max_rx_queues;
    uint32_t max_tx_depth;
    uint32_t max_rx_depth;
    uint16_t max_tx_descs;
    uint16_t max_rx_descs;
    uint16_t intr_delay_resolution;
    bool have_mac;

    /*
     * LLQ, when cfg.llq asked for it and SET_FEATURE(LLQ) took it; its
     * queue and depth limits are folded into max_tx_queues/max_tx_depth.
     */
    bool llq_active;
    EnaEthLlq llq;

    /* interface */
    bool up;
    bool paused;                /* brought down by ena_drv_down() */
    bool link_up;
    uint32_t mtu;
    uint16_t num_queues;
    uint16_t tx_depth;
    uint16_t rx_depth;
    uint16_t nvec;
    bool vector_fired[1 + ENA_DRV_MAX_QUEUES];
    EnaEthTxQueue tx[ENA_DRV_MAX_QUEUES];
    EnaEthRxQueue rx[ENA_DRV_MAX_QUEUES];
    EnaDmaMem host_info;
    EnaDmaMem debug_area;       /* text for the device, written at resets */

    /* watchdogs */
    EnaDrvTimeouts to;
    bool keep_alive_armed;
    uint64_t last_keep_alive_ns;
    uint16_t tx_check_next;     /* round robin over queues */
    uint64_t next_service_ns;
    bool run_break;             /* ena_drv_run_break() was called */
    bool reset_pending;
    uint8_t reset_reason;
    uint64_t reset_detail;

    EnaDrvStats stats;
} EnaDrv;

void ena_drv_config_default(EnaDrvConfig *cfg);

/*
 * Probe (docs/interface.md §8.1): readless setup, reset, version, DMA width,
 * admin queue in polling mode, host attributes, device features, AENQ
 * groups, MSI-X and interrupt mode, then (cfg->bring_up) the IO queues.
 * Logs 5200 on success, 5208 on failure (with 5001/5005/5007 before it
 * when that is the cause).
 */
int ena_drv_probe(EnaDrv *drv, EnaPlat *plat, const EnaDrvConfig *cfg);
/*
 * Create the IO queues, set the MTU, fill RX rings, unmask (§8.2); logs
 * 5203 when it ends a pause.
 */
int ena_drv_up(EnaDrv *drv);
/* Destroy the IO queues with admin commands (§8.3); logs 5202. */
int ena_drv_down(EnaDrv *drv);
/* Graceful teardown and a SHUTDOWN reset; logs 5201 (remove) or 5204. */
void ena_drv_remove(EnaDrv *drv);
void ena_drv_shutdown(EnaDrv *drv);
/* The device is gone (hot unplug): stop touching it; logs 5206. */
void ena_drv_surprise_removed(EnaDrv *drv);

int ena_drv_set_mtu(EnaDrv *drv, uint32_t mtu);
/* Send one frame on IO queue pair @qid; see ena_eth_xmit(). */
int ena_drv_xmit(EnaDrv *drv, uint16_t qid, const EnaFrag *frags,
                 uint16_t nfrags);

/* Handle MSI-X indications: management vector, then each IO pair. */
void ena_drv_poll(EnaDrv *drv);
/* The once-a-second timer: watchdogs, then any pending reset. */
void ena_drv_service(EnaDrv *drv);
/*
 * Run for @ns of platform time: poll every cfg.poll_interval_us (or at
 * each of the device's events, where the platform knows them) and call
 * the service routine on each whole second.
 */
void ena_drv_run(EnaDrv *drv, uint64_t ns);
/*
 * Make the ena_drv_run() in progress return after its current poll, e.g.
 * from the RX callback once the frames a caller waits for are in.
 */
void ena_drv_run_break(EnaDrv *drv);

/* Ask for a reset with @reason at the next service run. */
void ena_drv_request_reset(EnaDrv *drv, uint8_t reason);
/*
 * Reset the device with @reason and rebuild everything now; logs 5205,
 * then 5210 (fault reasons) or 5203 (NORMAL, OS and user triggers), or
 * 5032 when recovery is impossible (the driver is then DEAD).
 */
int ena_drv_reset(EnaDrv *drv, uint8_t reason);

/* Apply a HW hints block (host order) to the timeouts (§5.5). */
void ena_drv_apply_hints(EnaDrv *drv, const EnaAdminHwHints *hints);
/* Watchdog verdicts, ENA_RESET_REASON_NONE when all is well. */
uint8_t ena_drv_check_keep_alive(EnaDrv *drv, uint64_t now);
uint8_t ena_drv_check_admin(EnaDrv *drv);

const char *ena_drv_state_name(EnaDrvState state);

#endif /* ENA_DRV_H */
