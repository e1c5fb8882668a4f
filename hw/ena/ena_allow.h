/*
 * AWS Elastic Network Adapter: ENI allowances (EC2's traffic shaping)
 *
 * The state of the shapers and of the connection-tracking table; the
 * rules are in ena_allow.c and docs/allowances.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ENA_ALLOW_H
#define HW_ENA_ALLOW_H

#include "ena_timing.h"

/* The ENI counters, in GET_STATS ENI and CUSTOMER_METRICS order (§11) */
enum {
    ENA_ALLOW_BW_IN,
    ENA_ALLOW_BW_OUT,
    ENA_ALLOW_PPS,
    ENA_ALLOW_CONNTRACK,
    ENA_ALLOW_LINKLOCAL,
    ENA_ALLOW_CONNTRACK_AVAIL,
    ENA_ALLOW__MAX,
};

/* The largest connection-tracking allowance the model accepts */
#define ENA_CT_MAX                  (1u << 20)
/* A flow's key: addresses, ports (big endian), protocol, IPv6 flag */
#define ENA_FLOW_KEY_LEN            38

typedef struct ENAAllowParams {
    uint32_t bw_in_mbps;        /* 0: unlimited, as every allowance */
    uint32_t bw_out_mbps;
    uint32_t pps;               /* both directions together */
    uint32_t conntrack;         /* tracked flows at most */
    uint32_t linklocal_pps;
    uint32_t flow_mbps;         /* each flow's bandwidth, both ways */
    uint32_t burst_us;          /* bucket depth: this long at the rate */
    uint32_t queue_us;          /* longest wait in a shaper's queue */
    uint32_t tcp_established_s; /* idle timeouts of tracked flows */
    uint32_t udp_s;
    uint32_t udp_stream_s;
} ENAAllowParams;

typedef struct ENAFlow {
    uint8_t key[ENA_FLOW_KEY_LEN];
    uint8_t state;              /* ENA_CT_* (ena_allow.c) */
    uint8_t last_dir;           /* 1: from the key's first end, 2: second */
    uint8_t turns;              /* direction changes, up to 255 */
    int64_t last;               /* virtual ns of its last packet */
    ENAPace pace;               /* its bucket for allowance-flow-mbps */
} ENAFlow;

/*
 * Each shaper is a token bucket kept as its theoretical arrival time
 * (GCRA): the bucket is full when free_at <= now and holds
 * (now - (free_at - depth)) × rate tokens otherwise. ENAPace carries
 * the sub-nanosecond remainder, as for the wire.
 */
typedef struct ENAAllow {
    ENAAllowParams p;
    ENAPace bw_in;
    ENAPace bw_out;
    ENAPace pps;
    ENAPace linklocal;
    ENAFlow *flows;             /* nflows in use, cap allocated */
    int32_t nflows;
    uint32_t cap;
    GHashTable *index;          /* key -> position in flows + 1 */
    /*
     * No flow expires before this virtual ns, so that a full table does
     * not cost a scan per new flow; 0: unknown, scan. Not migrated.
     */
    int64_t expire_lb;
} ENAAllow;

#endif /* HW_ENA_ALLOW_H */
