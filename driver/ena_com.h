/*
 * ENA reference driver: communication layer (registers, reset, admin, AENQ).
 *
 * Everything here knows the device's register and admin-queue protocol
 * (docs/interface.md §2-§6) and nothing about an operating system:
 * readless register reads, the DEV_CTL reset handshake, the admin queue
 * in polling and interrupt mode, GET/SET_FEATURE, and AENQ dispatch.
 * Every wait is bounded in platform time and every failure is counted.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_COM_H
#define ENA_COM_H

#include "ena_plat.h"
#include "ena_util.h"
#include "ena_evlog.h"
#include "hw/ena/ena_hw.h"

#define ENA_COM_ADMIN_DEPTH             ENA_ADMIN_QUEUE_DEPTH
#define ENA_COM_AENQ_DEPTH              ENA_ADMIN_AENQ_DEPTH
/* Readless poll limit: this many 1 us polls (about 200 ms). */
#define ENA_COM_MMIO_READ_POLLS         200000u
#define ENA_COM_READLESS_POLL_MAX_US    1024u
/* Returned by a register read that timed out or came back wrong. */
#define ENA_MMIO_READ_TIMEOUT           0xffffffffu
/* Admin completion timeout when CAPS.ADMIN_CMD_TO is 0. */
#define ENA_COM_ADMIN_TIMEOUT_US        3000000ull
/* Admin polling and reset-handshake backoff: 100 us doubling to 5 ms. */
#define ENA_COM_POLL_MIN_US             100u
#define ENA_COM_POLL_MAX_US             5000u
/* Interrupt mode: how often a waiter looks for the MSI-X indication. */
#define ENA_COM_INTR_POLL_US            100u
/* Groups the driver asks for (0-4, as Linux 6.x), ANDed with support. */
#define ENA_COM_AENQ_GROUPS_WANTED \
    (ENA_BIT(ENA_ADMIN_LINK_CHANGE) | ENA_BIT(ENA_ADMIN_FATAL_ERROR) | \
     ENA_BIT(ENA_ADMIN_WARNING) | ENA_BIT(ENA_ADMIN_NOTIFICATION) | \
     ENA_BIT(ENA_ADMIN_KEEP_ALIVE))
/* A reset reason that no check produced. */
#define ENA_RESET_REASON_NONE           0xff

typedef struct EnaComStats {
    uint64_t mmio_reads;
    uint64_t mmio_read_timeouts;
    uint64_t mmio_read_bad_offset;
    uint64_t dev_resets;
    uint64_t dev_reset_failures;
    uint64_t admin_submitted;
    uint64_t admin_completed;
    uint64_t admin_error_status;    /* completed with status != SUCCESS */
    uint64_t admin_not_running;     /* refused: queue marked not running */
    uint64_t admin_out_of_space;
    uint64_t admin_no_completion;   /* timed out, nothing in the ACQ */
    uint64_t admin_missing_intr;    /* timed out, completion without MSI-X */
    uint64_t admin_bad_cmd_id;      /* completion names no pending command */
    uint64_t admin_aborted;
    uint64_t mgmt_interrupts;
    uint64_t aenq_events;
    uint64_t aenq_group[ENA_ADMIN_AENQ_GROUPS_NUM];
    uint64_t aenq_unhandled;        /* groups 5+ and unknown ids */
    uint64_t aenq_bad_syndrome;     /* NOTIFICATION with an unknown one */
    uint64_t aenq_bad_flags;        /* reserved flag bits set */
} EnaComStats;

typedef struct EnaComCmdCtx {
    bool occupied;
    bool done;
    uint8_t status;
    uint8_t opcode;
    EnaAdminAcqEntry *resp;         /* caller's buffer */
    uint16_t resp_size;
} EnaComCmdCtx;

typedef struct EnaComAdmin {
    EnaDmaMem sq_mem;
    EnaDmaMem cq_mem;
    uint16_t depth;
    uint16_t sq_tail;               /* free-running */
    uint8_t sq_phase;
    uint16_t cq_head;               /* free-running */
    uint8_t cq_phase;
    uint16_t curr_cmd_id;
    uint16_t outstanding;
    bool running;                   /* false after a timeout or bad id */
    bool polling;                   /* INTR_MASK = 1 */
    bool missing_intr;              /* last timeout found a completion */
    uint64_t timeout_us;
    EnaComCmdCtx ctx[ENA_COM_ADMIN_DEPTH];
} EnaComAdmin;

typedef struct EnaComAenq {
    EnaDmaMem mem;
    uint16_t depth;
    uint16_t head;                  /* free-running, starts at depth */
    uint8_t phase;
    bool enabled;                   /* dispatch events (after probe) */
} EnaComAenq;

/* The KEEP_ALIVE payload, converted to host order. */
typedef struct EnaComKeepAlive {
    uint64_t rx_drops;
    uint64_t tx_drops;
    uint64_t rx_overruns;
} EnaComKeepAlive;

/* What the driver does with each AENQ group; NULL members are skipped. */
typedef struct EnaComAenqOps {
    void (*link_change)(void *opaque, bool up);
    void (*keep_alive)(void *opaque, const EnaComKeepAlive *ka);
    /* UPDATE_HINTS, payload in host order */
    void (*hints)(void *opaque, const EnaAdminHwHints *hints);
    void (*fatal_error)(void *opaque, uint16_t syndrome);
    void (*warning)(void *opaque, uint16_t syndrome);
    void (*unhandled)(void *opaque, uint16_t group, uint16_t syndrome);
} EnaComAenqOps;

/*
 * PHC: timeouts a device leaves at 0 take these (the values Linux uses);
 * an expiry longer than the block period is cut to it.
 */
#define ENA_COM_PHC_EXPIRE_US           10u
#define ENA_COM_PHC_BLOCK_US            1000u
/* Prefilled into the response's req_id so that a stale one never matches */
#define ENA_COM_PHC_STALE_OFFSET        0xdead
/* error_bound while no valid reading is cached */
#define ENA_COM_PHC_NO_BOUND            0xffffffffu

typedef struct EnaComPhcStats {
    uint64_t ok;            /* readings returned */
    uint64_t expired;       /* answered only after the expiry */
    uint64_t skipped;       /* asked for while blocked */
    uint64_t err_device;    /* never answered, even within the block */
    uint64_t err_ts;        /* answered with the timestamp error flag */
    uint64_t err_eb;        /* answered with the error-bound error flag */
} EnaComPhcStats;

typedef struct EnaComPhc {
    bool active;            /* configured in the device */
    EnaDmaMem resp;         /* EnaAdminPhcResp */
    uint32_t doorbell;      /* BAR0 offset */
    uint64_t expire_ns, block_ns;
    uint16_t req_id;        /* last one rung */
    bool blocked;           /* the last request failed ... */
    uint64_t blocked_at;    /* ... when it was rung */
    uint32_t error_bound;   /* of the last good reading */
    EnaComPhcStats stats;
} EnaComPhc;

typedef struct EnaCom {
    EnaPlat *plat;
    EnaEvlog *evlog;                /* where 5005/5007 events go */

    /* register access */
    bool readless;
    EnaDmaMem mmio_resp;
    uint16_t mmio_seq;
    uint32_t mmio_read_polls;

    /* from CAPS and DEVICE_ATTRIBUTES */
    uint32_t dma_width;
    uint32_t supported_features;
    uint32_t capabilities;

    EnaComAdmin admin;
    EnaComAenq aenq;
    const EnaComAenqOps *aenq_ops;
    void *aenq_opaque;

    EnaComPhc phc;

    EnaComStats stats;
} EnaCom;

/* Set up @com for @plat; no device access. */
void ena_com_init(EnaCom *com, EnaPlat *plat, EnaEvlog *evlog);

/* ---- register access ---------------------------------------------------- */

/*
 * Allocate the readless response buffer, program MMIO_RESP_LO/HI and pick
 * readless or plain reads from PCI revision bit 0.
 */
int ena_com_mmio_init(EnaCom *com);
/* Re-program MMIO_RESP_LO/HI (a device reset forgets them). */
void ena_com_mmio_write_resp_addr(EnaCom *com);
/* Write 0 to MMIO_RESP_LO/HI and free the buffer. */
void ena_com_mmio_destroy(EnaCom *com);
/*
 * Read a BAR0 register. With readless reads: write MMIO_REG_READ and poll
 * the response for up to mmio_read_polls us (polls further apart as the
 * wait grows); ENA_MMIO_READ_TIMEOUT on timeout or on a response for
 * another offset.
 */
uint32_t ena_com_reg_read32(EnaCom *com, uint16_t off);
void ena_com_reg_write32(EnaCom *com, uint16_t off, uint32_t val);

/* ---- reset and identification ------------------------------------------- */

/* DEV_CTL value that starts a reset with @reason (§2 encoding). */
uint32_t ena_com_reset_ctl_value(uint32_t reason, bool extended);
/*
 * The DEV_CTL reset handshake (§8.4) with @reason; re-programs the
 * readless address and sets the admin timeout from CAPS on success.
 */
int ena_com_dev_reset(EnaCom *com, uint32_t reason);
int ena_com_validate_version(EnaCom *com);
/* Read CAPS.DMA_ADDR_WIDTH into com->dma_width (32..48). */
int ena_com_get_dma_width(EnaCom *com);

/* ---- admin queue -------------------------------------------------------- */

/* Allocate and program AQ/ACQ/AENQ; starts in polling mode (INTR_MASK=1). */
int ena_com_admin_init(EnaCom *com);
/* Abort what is pending and free the rings (no device access). */
void ena_com_admin_destroy(EnaCom *com);
/* INTR_MASK: polling (1) or interrupt (0) completion delivery. */
void ena_com_set_admin_polling(EnaCom *com, bool polling);
/*
 * Submit @cmd (@cmd_size bytes are copied into the slot) and wait for its
 * completion. The first @resp_size bytes of the ACQ entry are copied to
 * @resp. Returns 0, the errno of the completion status, -ENA_ETIME on
 * timeout (the queue is then marked not running) or -ENA_ENODEV when the
 * queue is not running.
 */
int ena_com_admin_exec(EnaCom *com, EnaAdminAqEntry *cmd, uint16_t cmd_size,
                       EnaAdminAcqEntry *resp, uint16_t resp_size);
/* Consume ACQ entries that have arrived. */
void ena_com_admin_process(EnaCom *com);
/* Vector 0 fired: admin completions, then AENQ events when enabled. */
void ena_com_mgmt_intr(EnaCom *com);
/* Errno for an admin completion status (§4.7). */
int ena_com_status_to_errno(uint8_t status);

bool ena_com_feature_supported(const EnaCom *com, uint8_t feature_id);
/*
 * GET_FEATURE @id: copies up to @out_len bytes of the response payload
 * (ACQ bytes 8..) to @out. @buf (may be NULL) is the control buffer.
 * Returns -ENA_EOPNOTSUPP without sending when the feature bit is clear.
 */
int ena_com_get_feature(EnaCom *com, uint8_t id, uint8_t version,
                        const EnaDmaMem *buf, uint32_t buf_len, void *out,
                        uint32_t out_len);
int ena_com_set_feature(EnaCom *com, uint8_t id, uint8_t version,
                        const void *payload, uint32_t len,
                        const EnaDmaMem *buf, uint32_t buf_len);

/* ---- PHC ---------------------------------------------------------------- */

/*
 * GET PHC_CONFIG (version 0 only), allocate the response area, SET it.
 * -ENA_EOPNOTSUPP when the device does not offer PHC. Again after every
 * device reset: the device forgets the address.
 */
int ena_com_phc_config(EnaCom *com);
/* Forget the configuration and free the response area. */
void ena_com_phc_destroy(EnaCom *com);
/*
 * Read the device clock (ns) into @ts: ring the doorbell with a new req_id
 * and poll the response until it carries that req_id, for the expire
 * timeout. A response that does not come in time, or comes with error
 * flags, fails with -ENA_EBUSY and blocks reads for the block timeout
 * (each one then fails at once, -ENA_EBUSY, counted as skipped); the
 * first read after that looks at what the failed one got, and counts it.
 */
int ena_com_phc_get_time(EnaCom *com, uint64_t *ts);

/* ---- AENQ --------------------------------------------------------------- */

void ena_com_aenq_set_ops(EnaCom *com, const EnaComAenqOps *ops,
                          void *opaque);
/* Convert a HW hints block (GET_FEATURE or UPDATE_HINTS) to host order. */
void ena_com_hints_to_host(EnaAdminHwHints *h);
/* Tell the device all entries are free (AENQ_HEAD_DB = depth). */
void ena_com_aenq_start(EnaCom *com);
/* Dispatch the events that have arrived; returns how many. */
int ena_com_aenq_process(EnaCom *com);

#endif /* ENA_COM_H */
