/*
 * AWS Elastic Network Adapter: fault injection
 *
 * Named fault points inside the device, each with at most one rule in the
 * manner of blkdebug: an action, an optional match, when it starts (after
 * a virtual delay, or at the Nth matching event), how long or how many
 * times it fires, and whether it survives a device reset. docs/faults.md
 * lists every point and action.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ENA_FAULT_H
#define HW_ENA_FAULT_H

#include "qemu/timer.h"
#include "ena_hw.h"

typedef enum ENAFaultPoint {
    ENA_FAULT_KEEPALIVE,    /* KEEP_ALIVE events */
    ENA_FAULT_READLESS,     /* MMIO_REG_READ responses */
    ENA_FAULT_REG,          /* register values, direct and readless */
    ENA_FAULT_ADMIN,        /* admin completions */
    ENA_FAULT_TX,           /* TX queues and their completions */
    ENA_FAULT_RX,           /* RX delivery */
    ENA_FAULT_IRQ,          /* IO interrupts */
    ENA_FAULT_RESET,        /* the DEV_CTL reset handshake */
    ENA_FAULT_FATAL,        /* a fatal device error */
    ENA_FAULT_LINK,         /* link down for a while */
    ENA_FAULT_HINTS,        /* a NOTIFICATION carrying new HW hints */
    ENA_FAULT_PHC,          /* PHC doorbell responses */
    ENA_FAULT__MAX,
} ENAFaultPoint;

typedef enum ENAFaultAction {
    ENA_FA_NONE,
    ENA_FA_STOP,            /* keepalive: post nothing */
    ENA_FA_DELAY,           /* keepalive, admin, phc: post late */
    ENA_FA_NO_IRQ,          /* keepalive, admin: post without the MSI-X */
    ENA_FA_DROP,            /* readless, admin, tx, rx, irq, phc: never
                             * happens */
    ENA_FA_BAD_REQ_ID,      /* readless: answer with another req_id;
                             * tx, rx: a completion names no buffer */
    ENA_FA_BAD_OFFSET,      /* readless: answer with another offset */
    ENA_FA_ALL_ONES,        /* reg: read as 0xffffffff */
    ENA_FA_STATUS,          /* admin: complete with an error status */
    ENA_FA_STALL,           /* tx, rx: hold everything until the end */
    ENA_FA_NEVER_ASSERT,    /* reset: RESET_IN_PROGRESS never rises */
    ENA_FA_NEVER_DEASSERT,  /* reset: RESET_IN_PROGRESS never falls */
    ENA_FA_NOT_READY,       /* reset: READY stays clear */
    ENA_FA_RAISE,           /* fatal: DEV_STS.FATAL_ERROR + FATAL_ERROR */
    ENA_FA_REQUEST_RESET,   /* fatal: DEVICE_REQUEST_RESET event */
    ENA_FA_DOWN,            /* link: down, then up at the end */
    ENA_FA_NOTIFY,          /* hints: NOTIFICATION / UPDATE_HINTS */
    ENA_FA_MBZ,             /* tx, rx: must-be-zero completion bits set */
    ENA_FA_STRAY_FIRST,     /* rx: FIRST on a later completion */
    ENA_FA_TOO_MANY_DESCS,  /* rx: more completions than allowed */
    ENA_FA_ERROR,           /* phc: answer with error flags */
    ENA_FA__MAX,
} ENAFaultAction;

#define ENA_FAULT_ANY       (-1)
/* req_id of a "bad-req-id" completion: beyond any ring (depth <= 8192) */
#define ENA_FAULT_BAD_REQ_ID    0xffff

typedef struct ENAFaultRule {
    uint32_t action;            /* ENAFaultAction; NONE = no rule */
    int64_t start_ns;           /* absolute virtual time */
    int64_t end_ns;             /* INT64_MAX: until cleared */
    uint64_t at;                /* first firing at the Nth match; 0: any */
    uint64_t count;             /* firings left; UINT64_MAX: unlimited */
    uint64_t seen;              /* matching events so far */
    int64_t match;              /* opcode, queue, vector or register */
    int64_t match2;             /* admin: feature id */
    int64_t value;              /* status, delay in ns, PHC error flags */
    bool clear_on_reset;
    bool fired;                 /* has acted since it was set */
    bool started;               /* timed actions: the start has run */
    EnaAdminHwHints hints;      /* host order */
    uint64_t hits;
    char *spec;                 /* the text it was set with */
    uint32_t spec_len;          /* migration: strlen(spec) + 1, or 0 */
    QEMUTimer *timer;
} ENAFaultRule;

/* Longest rule text accepted (and so the most a migration stream holds) */
#define ENA_FAULT_SPEC_MAX  1024

/*
 * Called when a timed rule starts or ends, or a rule is cleared (start
 * false): the device acts on edges (a link going down, a stall ending).
 */
typedef void ENAFaultEdgeFn(void *opaque, ENAFaultPoint p,
                            const ENAFaultRule *r, bool start);

typedef struct ENAFaults ENAFaults;

typedef struct ENAFaultTimerCtx {
    ENAFaults *faults;
    ENAFaultPoint point;
} ENAFaultTimerCtx;

/* Every rule of one device; only ena_fault.c looks inside. */
struct ENAFaults {
    ENAFaultRule rule[ENA_FAULT__MAX];
    ENAFaultTimerCtx timer_ctx[ENA_FAULT__MAX];
    ENAFaultEdgeFn *edge;
    void *opaque;
};

/* Any action, for ena_fault_fire() */
#define ENA_FA_ANY      UINT32_MAX

const char *ena_fault_point_name(ENAFaultPoint p);

void ena_fault_init(ENAFaults *f, ENAFaultEdgeFn *edge, void *opaque);
void ena_fault_realize(ENAFaults *f);
void ena_fault_unrealize(ENAFaults *f);
/*
 * A device reset: drop the rules marked reset=clear that have acted (so
 * the driver's own probe-time reset does not drop a -device rule).
 */
void ena_fault_device_reset(ENAFaults *f);

/* Parse and install @spec ("" or "none" clears); false + errp if bad. */
bool ena_fault_set(ENAFaults *f, ENAFaultPoint p, const char *spec,
                   Error **errp);
char *ena_fault_get(ENAFaults *f, ENAFaultPoint p);
/* How often point @p has acted (a read-only device property). */
uint64_t *ena_fault_hits(ENAFaults *f, ENAFaultPoint p);

/*
 * An event at point @p: if its rule's action is in @actions (a mask of
 * BIT(ENA_FA_*), or ENA_FA_ANY), the event counts against the rule, and
 * the rule is returned when it fires (a hit); else NULL.
 */
const ENAFaultRule *ena_fault_fire(ENAFaults *f, ENAFaultPoint p,
                                   uint32_t actions, int64_t match,
                                   int64_t match2);
/*
 * Is a state-like rule of @action (a stall) in force now for @match? A
 * rule for one queue does not hold ENA_FAULT_ANY.
 */
bool ena_fault_held(ENAFaults *f, ENAFaultPoint p, uint32_t action,
                    int64_t match);
/*
 * The action ena_fault_fire() would return for the next event at @p
 * matching @match, without counting that event; ENA_FA_NONE if none.
 * For an action that shapes the event before it fires.
 */
uint32_t ena_fault_peek(ENAFaults *f, ENAFaultPoint p, uint32_t actions,
                        int64_t match);

/*
 * After the rules were loaded from a migration stream: check each against
 * its point and its own text (re-parsed), so that a stream cannot install
 * what ena_fault_set() would refuse. On failure every rule is cleared,
 * without edges, and false is returned.
 */
bool ena_fault_post_load(ENAFaults *f);

extern const VMStateDescription vmstate_ena_fault_rule;

#endif /* HW_ENA_FAULT_H */
