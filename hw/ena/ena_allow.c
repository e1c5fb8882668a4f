/*
 * AWS Elastic Network Adapter: ENI allowances
 *
 * EC2 shapes an interface's traffic past its instance's allowances and
 * counts each packet it shaped: aggregate bandwidth in and out and packets
 * per second are queued, then dropped once the queue is full; packets of
 * new flows past the connection-tracking allowance and packets to the
 * link-local services past their rate are dropped. Everything here runs on
 * the virtual clock in integer nanoseconds, so that a run repeats exactly.
 * docs/allowances.md has the model and its defaults.
 *
 * The data path (ena_io.c) asks ena_allow_pass() about every frame; the
 * admin queue reads the counters through ena_allow_metric().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "ena_internal.h"
#include "trace.h"

/* Flow states of the connection tracking */
enum {
    ENA_CT_TCP_OPENING,         /* a SYN seen, not yet established */
    ENA_CT_TCP_ESTABLISHED,
    ENA_CT_TCP_CLOSING,         /* a FIN or RST seen */
    ENA_CT_UDP,                 /* one direction or one exchange */
    ENA_CT_UDP_STREAM,          /* more than one request and response */
    ENA_CT_OTHER,               /* other IP protocols */
    ENA_CT__MAX,
};

/*
 * EC2 documents only the established TCP and the UDP timeouts; a TCP flow
 * that is opening or closing is kept as long as Linux's conntrack keeps
 * SYN_SENT and TIME_WAIT (an assumption).
 */
#define ENA_CT_TCP_TRANSIENT_S      120

#define NS_PER_S                    1000000000ull

/* The per-flow limit: traced, counted by no ENI metric (EC2 has none) */
#define ENA_ALLOW_FLOW              ENA_ALLOW__MAX

static const char *const ena_allow_names[ENA_ALLOW__MAX + 1] = {
    [ENA_ALLOW_BW_IN] = "bw_in",
    [ENA_ALLOW_BW_OUT] = "bw_out",
    [ENA_ALLOW_PPS] = "pps",
    [ENA_ALLOW_CONNTRACK] = "conntrack",
    [ENA_ALLOW_LINKLOCAL] = "linklocal",
    [ENA_ALLOW_CONNTRACK_AVAIL] = "conntrack_available",
    [ENA_ALLOW_FLOW] = "flow_bw",
};

/* ---- token buckets ---------------------------------------------------- */

/*
 * The nanoseconds @units take at @per_s units a second, carrying the
 * remainder in @p so that N packets cost exactly what their total costs.
 */
static int64_t ena_allow_cost(ENAPace *p, uint64_t units, uint64_t per_s)
{
    uint64_t num = units * NS_PER_S + p->rem;

    p->rem = num % per_s;
    return num / per_s;
}

/*
 * When a packet of @units arriving at @now may pass bucket @b: at @now if
 * the bucket holds enough tokens, else once they have trickled in. *@next
 * is the bucket with the packet taken, for the caller to keep or not. A
 * packet larger than the bucket passes when the bucket is full.
 */
static int64_t ena_allow_when(const ENAAllow *a, const ENAPace *b,
                              ENAPace *next, int64_t now, uint64_t units,
                              uint64_t per_s)
{
    int64_t depth = (int64_t)a->p.burst_us * 1000;
    int64_t cost;

    *next = *b;
    cost = ena_allow_cost(next, units, per_s);
    next->free_at = MAX(next->free_at, now) + cost;
    return MAX(now, next->free_at - MAX(depth, cost));
}

/* A bucket starts full */
static void ena_allow_refill(ENAPace *b, int64_t now)
{
    b->free_at = now;
    b->rem = 0;
}

/* ---- frames ----------------------------------------------------------- */

typedef struct ENAFrameInfo {
    bool ip;
    bool v6;
    bool later_frag;            /* an IPv4 fragment after the first */
    uint8_t proto;
    uint8_t tcp_flags;
    const uint8_t *src, *dst;   /* 4 or 16 bytes */
    uint16_t sport, dport;      /* big endian, as on the wire */
} ENAFrameInfo;

#define ENA_TCP_FIN     0x01
#define ENA_TCP_SYN     0x02
#define ENA_TCP_RST     0x04
#define ENA_TCP_ACK     0x10

/* What the allowances look at: the IP header and the ports, if any. */
static void ena_allow_parse(const uint8_t *f, size_t len, ENAFrameInfo *fi)
{
    size_t off = 12, l4;
    uint16_t type;

    memset(fi, 0, sizeof(*fi));
    if (len < off + 2) {
        return;
    }
    type = lduw_be_p(f + off);
    /* up to two VLAN tags */
    for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); i++) {
        off += 4;
        if (len < off + 2) {
            return;
        }
        type = lduw_be_p(f + off);
    }
    off += 2;
    if (type == 0x0800) {
        unsigned ihl;

        if (len < off + 20 || (f[off] >> 4) != 4) {
            return;
        }
        ihl = (f[off] & 0xf) * 4;
        if (ihl < 20) {
            return;
        }
        fi->proto = f[off + 9];
        fi->src = f + off + 12;
        fi->dst = f + off + 16;
        fi->later_frag = lduw_be_p(f + off + 6) & 0x1fff;
        l4 = off + ihl;
    } else if (type == 0x86dd) {
        if (len < off + 40 || (f[off] >> 4) != 6) {
            return;
        }
        fi->v6 = true;
        /* extension headers are not walked: the flow is the protocol */
        fi->proto = f[off + 6];
        fi->src = f + off + 8;
        fi->dst = f + off + 24;
        l4 = off + 40;
    } else {
        return;
    }
    fi->ip = true;
    if (fi->later_frag) {
        return;
    }
    if ((fi->proto == IPPROTO_TCP || fi->proto == IPPROTO_UDP) &&
        len >= l4 + 4) {
        memcpy(&fi->sport, f + l4, 2);
        memcpy(&fi->dport, f + l4 + 2, 2);
        if (fi->proto == IPPROTO_TCP && len >= l4 + 14) {
            fi->tcp_flags = f[l4 + 13];
        }
    }
}

/* 169.254.169.254 (metadata), .123 (time), .253 (DNS) and their IPv6 */
static bool ena_allow_linklocal(const ENAFrameInfo *fi)
{
    /* fd00:ec2::254, ::123, ::253 */
    static const uint8_t v6[14] = { 0xfd, 0x00, 0x0e, 0xc2 };
    uint16_t last;

    if (!fi->ip) {
        return false;
    }
    if (fi->v6) {
        if (memcmp(fi->dst, v6, sizeof(v6))) {
            return false;
        }
        last = lduw_be_p(fi->dst + 14);
        return last == 0x254 || last == 0x123 || last == 0x253;
    }
    if (fi->dst[0] != 169 || fi->dst[1] != 254 || fi->dst[2] != 169) {
        return false;
    }
    last = fi->dst[3];
    return last == 254 || last == 123 || last == 253;
}

/* ---- connection tracking ---------------------------------------------- */

static guint ena_flow_hash(gconstpointer k)
{
    const uint8_t *p = k;
    uint32_t h = 2166136261u;           /* FNV-1a */

    for (int i = 0; i < ENA_FLOW_KEY_LEN; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static gboolean ena_flow_equal(gconstpointer a, gconstpointer b)
{
    return !memcmp(a, b, ENA_FLOW_KEY_LEN);
}

/*
 * The key of the flow a frame belongs to, the same both ways: its lower
 * end (address, then port) first. Returns 1 if the frame comes from the
 * first end, 2 if from the second.
 */
static uint8_t ena_flow_key(const ENAFrameInfo *fi, uint8_t *key)
{
    size_t alen = fi->v6 ? 16 : 4;
    int c = memcmp(fi->src, fi->dst, alen);
    bool swap = c > 0 || (c == 0 && be16_to_cpu(fi->sport) >
                          be16_to_cpu(fi->dport));

    memset(key, 0, ENA_FLOW_KEY_LEN);
    memcpy(key, swap ? fi->dst : fi->src, alen);
    memcpy(key + 16, swap ? fi->src : fi->dst, alen);
    memcpy(key + 32, swap ? &fi->dport : &fi->sport, 2);
    memcpy(key + 34, swap ? &fi->sport : &fi->dport, 2);
    key[36] = fi->proto;
    key[37] = fi->v6;
    return swap ? 2 : 1;
}

static int64_t ena_flow_timeout_ns(const ENAAllow *a, const ENAFlow *fl)
{
    uint32_t s;

    switch (fl->state) {
    case ENA_CT_TCP_ESTABLISHED:
        s = a->p.tcp_established_s;
        break;
    case ENA_CT_UDP_STREAM:
        s = a->p.udp_stream_s;
        break;
    case ENA_CT_UDP:
    case ENA_CT_OTHER:
        s = a->p.udp_s;
        break;
    default:
        s = ENA_CT_TCP_TRANSIENT_S;
        break;
    }
    return (int64_t)s * NS_PER_S;
}

static bool ena_flow_expired(const ENAAllow *a, const ENAFlow *fl,
                             int64_t now)
{
    return now - fl->last >= ena_flow_timeout_ns(a, fl);
}

/*
 * The first instant ena_flow_expired() holds, INT64_MAX if it never can
 * (a migrated @last near the end of the clock).
 */
static int64_t ena_flow_expiry(const ENAAllow *a, const ENAFlow *fl)
{
    int64_t t = ena_flow_timeout_ns(a, fl);

    return fl->last > INT64_MAX - t ? INT64_MAX : fl->last + t;
}

static void ena_flow_index(ENAAllow *a, int32_t i)
{
    g_hash_table_replace(a->index, g_memdup2(a->flows[i].key,
                                             ENA_FLOW_KEY_LEN),
                         GINT_TO_POINTER(i + 1));
}

/* Forget flow @i; the last one takes its place. */
static void ena_flow_remove(ENAAllow *a, int32_t i)
{
    g_hash_table_remove(a->index, a->flows[i].key);
    a->nflows--;
    if (i != a->nflows) {
        a->flows[i] = a->flows[a->nflows];
        ena_flow_index(a, i);
    }
}

/*
 * Drop every flow idle for longer than its timeout. The walk is over the
 * whole table, so it is skipped until the earliest expiry it last found,
 * or an earlier one noted since.
 */
static void ena_flow_expire(ENAAllow *a, int64_t now)
{
    int64_t lb = INT64_MAX;
    int32_t n = a->nflows;

    if (now < a->expire_lb) {
        return;
    }
    for (int32_t i = a->nflows - 1; i >= 0; i--) {
        if (ena_flow_expired(a, &a->flows[i], now)) {
            trace_ena_allow_ct_expire(a->flows[i].state, a->nflows - 1);
            ena_flow_remove(a, i);
        } else {
            /* the flow moved into slot i has been looked at already */
            lb = MIN(lb, ena_flow_expiry(a, &a->flows[i]));
        }
    }
    a->expire_lb = lb;
    trace_ena_allow_ct_scan(n, a->nflows, lb);
}

static void ena_flow_update(ENAAllow *a, ENAFlow *fl, const ENAFrameInfo *fi,
                            uint8_t dir, int64_t now)
{
    uint8_t fl_tcp = fi->tcp_flags;

    if (fl->last_dir && fl->last_dir != dir && fl->turns < UINT8_MAX) {
        fl->turns++;
    }
    fl->last_dir = dir;
    fl->last = now;
    switch (fl->state) {
    case ENA_CT_TCP_OPENING:
        if (fl_tcp & (ENA_TCP_FIN | ENA_TCP_RST)) {
            fl->state = ENA_CT_TCP_CLOSING;
        } else if (fl->turns >= 2 && (fl_tcp & ENA_TCP_ACK) &&
                   !(fl_tcp & ENA_TCP_SYN)) {
            /* SYN, SYN-ACK, then the opener's ACK */
            fl->state = ENA_CT_TCP_ESTABLISHED;
        }
        break;
    case ENA_CT_TCP_ESTABLISHED:
        if (fl_tcp & (ENA_TCP_FIN | ENA_TCP_RST)) {
            fl->state = ENA_CT_TCP_CLOSING;
        }
        break;
    case ENA_CT_UDP:
        /* request, response, request, response: a stream */
        if (fl->turns >= 3) {
            fl->state = ENA_CT_UDP_STREAM;
        }
        break;
    default:
        break;
    }
    /*
     * A new flow, or a state with a shorter timeout, can expire before
     * every other flow; a later @last alone leaves the bound valid.
     */
    a->expire_lb = MIN(a->expire_lb, ena_flow_expiry(a, fl));
}

/*
 * Track the frame's flow, into *@out (NULL if it is not tracked): false if
 * it is a new flow and the table is at the conntrack allowance even after
 * idle flows have gone. Without that allowance (flows tracked for their
 * own bandwidth only) a flow past ENA_CT_MAX goes untracked.
 */
static bool ena_allow_track(ENAAllow *a, const ENAFrameInfo *fi, int64_t now,
                            ENAFlow **out)
{
    uint32_t max = a->p.conntrack ?: ENA_CT_MAX;
    uint8_t key[ENA_FLOW_KEY_LEN];
    uint8_t dir;
    gpointer v;
    ENAFlow *fl;

    *out = NULL;
    if (!fi->ip || fi->later_frag) {
        return true;
    }
    dir = ena_flow_key(fi, key);
    v = g_hash_table_lookup(a->index, key);
    if (v) {
        fl = &a->flows[GPOINTER_TO_INT(v) - 1];
        if (!ena_flow_expired(a, fl, now)) {
            ena_flow_update(a, fl, fi, dir, now);
            *out = fl;
            return true;
        }
        /* the same 5-tuple after its flow timed out is a new flow */
        ena_flow_remove(a, GPOINTER_TO_INT(v) - 1);
    }
    if ((uint32_t)a->nflows >= max) {
        ena_flow_expire(a, now);
        if ((uint32_t)a->nflows >= max) {
            return !a->p.conntrack;
        }
    }
    if ((uint32_t)a->nflows == a->cap) {
        a->cap = MIN(MAX(a->cap * 2, 64), ENA_CT_MAX);
        a->flows = g_renew(ENAFlow, a->flows, a->cap);
    }
    fl = &a->flows[a->nflows];
    memset(fl, 0, sizeof(*fl));
    memcpy(fl->key, key, sizeof(key));
    ena_allow_refill(&fl->pace, now);
    if (fi->proto == IPPROTO_TCP) {
        fl->state = (fi->tcp_flags & (ENA_TCP_SYN | ENA_TCP_ACK)) ==
                    ENA_TCP_SYN ? ENA_CT_TCP_OPENING :
                    ENA_CT_TCP_ESTABLISHED;
    } else if (fi->proto == IPPROTO_UDP) {
        fl->state = ENA_CT_UDP;
    } else {
        fl->state = ENA_CT_OTHER;
    }
    ena_flow_index(a, a->nflows++);
    ena_flow_update(a, fl, fi, dir, now);
    trace_ena_allow_ct_new(fi->proto, fl->state, a->nflows);
    *out = fl;
    return true;
}

/* Flows are tracked for the conntrack allowance or their own bandwidth */
static bool ena_allow_tracking(const ENAAllowParams *p)
{
    return p->conntrack || p->flow_mbps;
}

/* ---- the data path ------------------------------------------------------ */

static void ena_allow_count(ENACore *core, int which, uint32_t len,
                            bool dropped, int64_t wait)
{
    if (which < ENA_ALLOW__MAX) {
        core->stats.eni[which]++;
    }
    if (dropped) {
        trace_ena_allow_drop(ena_allow_names[which], len);
    } else {
        trace_ena_allow_queue(ena_allow_names[which], len, wait);
    }
}

bool ena_allow_active(ENACore *core)
{
    const ENAAllowParams *p = &core->allow.p;

    return p->bw_in_mbps || p->bw_out_mbps || p->pps || p->conntrack ||
           p->linklocal_pps || p->flow_mbps;
}

/*
 * May the frame @f of @len bytes, going out (@tx) or coming in, pass the
 * allowances? It arrives at *@at; on true *@at is when the shapers let it
 * go on, at most queue_us later if @can_queue, else at once. Each
 * allowance that queued or dropped it counts it.
 */
bool ena_allow_pass(ENACore *core, bool tx, const uint8_t *f, size_t len,
                    int64_t *at, bool can_queue)
{
    ENAAllow *a = &core->allow;
    const ENAAllowParams *p = &a->p;
    int64_t now = *at;
    int64_t limit = can_queue ? (int64_t)p->queue_us * 1000 : 0;
    uint32_t bw = tx ? p->bw_out_mbps : p->bw_in_mbps;
    ENAPace *bwb = tx ? &a->bw_out : &a->bw_in;
    int which_bw = tx ? ENA_ALLOW_BW_OUT : ENA_ALLOW_BW_IN;
    ENAPace nbw, npps, nll, nfl;
    int64_t t_bw = now, t_pps = now, t_fl = now, rel;
    ENAFlow *fl = NULL;
    ENAFrameInfo fi;

    if (!ena_allow_active(core)) {
        return true;
    }
    ena_allow_parse(f, len, &fi);
    if (ena_allow_tracking(p) && !ena_allow_track(a, &fi, now, &fl)) {
        ena_allow_count(core, ENA_ALLOW_CONNTRACK, len, true, 0);
        return false;
    }
    if (tx && p->linklocal_pps && ena_allow_linklocal(&fi)) {
        /* EC2 drops what goes past the link-local rate: no queue */
        if (ena_allow_when(a, &a->linklocal, &nll, now, 1,
                           p->linklocal_pps) > now) {
            ena_allow_count(core, ENA_ALLOW_LINKLOCAL, len, true, 0);
            return false;
        }
        a->linklocal = nll;
    }
    if (p->pps) {
        t_pps = ena_allow_when(a, &a->pps, &npps, now, 1, p->pps);
    }
    if (bw) {
        t_bw = ena_allow_when(a, bwb, &nbw, now, (uint64_t)len * 8,
                              (uint64_t)bw * 1000000);
    }
    if (p->flow_mbps && fl) {
        t_fl = ena_allow_when(a, &fl->pace, &nfl, now, (uint64_t)len * 8,
                              (uint64_t)p->flow_mbps * 1000000);
    }
    rel = MAX(MAX(t_pps, t_bw), t_fl);
    if (rel - now > limit) {
        /* the queue is full: dropped, and it takes no tokens */
        if (t_pps - now > limit) {
            ena_allow_count(core, ENA_ALLOW_PPS, len, true, 0);
        }
        if (t_bw - now > limit) {
            ena_allow_count(core, which_bw, len, true, 0);
        }
        if (t_fl - now > limit) {
            ena_allow_count(core, ENA_ALLOW_FLOW, len, true, 0);
        }
        return false;
    }
    if (p->flow_mbps && fl) {
        fl->pace = nfl;
        if (t_fl > now) {
            ena_allow_count(core, ENA_ALLOW_FLOW, len, false, t_fl - now);
        }
    }
    if (p->pps) {
        a->pps = npps;
        if (t_pps > now) {
            ena_allow_count(core, ENA_ALLOW_PPS, len, false, t_pps - now);
        }
    }
    if (bw) {
        *bwb = nbw;
        if (t_bw > now) {
            ena_allow_count(core, which_bw, len, false, t_bw - now);
        }
    }
    *at = rel;
    return true;
}

/* ---- counters, properties, life cycle ------------------------------------ */

/* Counter @which as GET_STATS reports it now */
uint64_t ena_allow_metric(ENACore *core, int which)
{
    ENAAllow *a = &core->allow;

    if (which != ENA_ALLOW_CONNTRACK_AVAIL) {
        return core->stats.eni[which];
    }
    if (!a->p.conntrack) {
        return 0;       /* nothing is tracked without an allowance */
    }
    ena_flow_expire(a, ena_now());
    return a->p.conntrack > (uint32_t)a->nflows ?
           a->p.conntrack - a->nflows : 0;
}

/* The counters GET_STATS reports, the last computed now */
void ena_allow_refresh(ENACore *core)
{
    core->stats.eni[ENA_ALLOW_CONNTRACK_AVAIL] =
        ena_allow_metric(core, ENA_ALLOW_CONNTRACK_AVAIL);
}

/*
 * An allowance changed (qom-set): its bucket starts full at the new rate;
 * a smaller conntrack allowance keeps the flows it has, and admits new
 * ones once they are fewer than it.
 */
void ena_allow_changed(ENACore *core)
{
    ENAAllow *a = &core->allow;
    int64_t now = ena_now();

    ena_allow_refill(&a->bw_in, now);
    ena_allow_refill(&a->bw_out, now);
    ena_allow_refill(&a->pps, now);
    ena_allow_refill(&a->linklocal, now);
    for (int32_t i = 0; i < a->nflows; i++) {
        ena_allow_refill(&a->flows[i].pace, now);
    }
    if (!ena_allow_tracking(&a->p)) {
        ena_allow_clear(core);
    }
    /* a shorter timeout brings expiries earlier: scan next time */
    a->expire_lb = 0;
    trace_ena_allow_set(a->p.bw_in_mbps, a->p.bw_out_mbps, a->p.pps,
                        a->p.conntrack, a->p.linklocal_pps);
}

/* Forget every flow (power-on reset; the allowance turned off) */
void ena_allow_clear(ENACore *core)
{
    ENAAllow *a = &core->allow;

    a->nflows = 0;
    a->expire_lb = 0;
    if (a->index) {
        g_hash_table_remove_all(a->index);
    }
}

void ena_allow_init(ENACore *core)
{
    ENAAllow *a = &core->allow;

    a->index = g_hash_table_new_full(ena_flow_hash, ena_flow_equal, g_free,
                                     NULL);
}

void ena_allow_reset(ENACore *core)
{
    ena_allow_clear(core);
    ena_allow_changed(core);
}

void ena_allow_finalize(ENACore *core)
{
    ENAAllow *a = &core->allow;

    g_free(a->flows);
    a->flows = NULL;
    a->nflows = 0;
    a->cap = 0;
    if (a->index) {
        g_hash_table_destroy(a->index);
        a->index = NULL;
    }
}

/* Migration: the stream replaces the table */
void ena_allow_pre_load(ENACore *core)
{
    ENAAllow *a = &core->allow;

    ena_allow_clear(core);
    g_free(a->flows);
    a->flows = NULL;
    a->cap = 0;
}

bool ena_allow_nflows_ok(ENACore *core)
{
    return core->allow.nflows >= 0 &&
           (uint32_t)core->allow.nflows <= ENA_CT_MAX;
}

/* Migration: check what came in and rebuild the index; false if bad */
bool ena_allow_post_load(ENACore *core)
{
    ENAAllow *a = &core->allow;
    const ENAAllowParams *p = &a->p;

    if (!ena_allow_params_ok(p, NULL) || !ena_allow_nflows_ok(core)) {
        return false;
    }
    a->cap = a->nflows;
    g_hash_table_remove_all(a->index);
    for (int32_t i = 0; i < a->nflows; i++) {
        ENAFlow *fl = &a->flows[i];

        if (fl->state >= ENA_CT__MAX || fl->last_dir > 2 || fl->key[37] > 1 ||
            g_hash_table_contains(a->index, fl->key)) {
            return false;
        }
        ena_flow_index(a, i);
    }
    a->expire_lb = 0;
    return true;
}

/* Every allowance off; EC2's idle timeouts; the model's queue and bucket */
void ena_allow_defaults(ENAAllowParams *p)
{
    *p = (ENAAllowParams) {
        .burst_us = 1000,
        .queue_us = 5000,
        .tcp_established_s = 432000,
        .udp_s = 30,
        .udp_stream_s = 180,
    };
}

/* Are the allowances' parameters in range? Says which is not in @errp. */
bool ena_allow_params_ok(const ENAAllowParams *p, Error **errp)
{
    static const struct {
        const char *name;
        size_t off;
        uint32_t min, max;
    } lim[] = {
        { "allowance-bw-in-mbps", offsetof(ENAAllowParams, bw_in_mbps),
          0, 10000000 },
        { "allowance-bw-out-mbps", offsetof(ENAAllowParams, bw_out_mbps),
          0, 10000000 },
        { "allowance-pps", offsetof(ENAAllowParams, pps), 0, 1000000000 },
        { "allowance-conntrack", offsetof(ENAAllowParams, conntrack),
          0, ENA_CT_MAX },
        { "allowance-linklocal-pps", offsetof(ENAAllowParams, linklocal_pps),
          0, 1000000000 },
        { "allowance-flow-mbps", offsetof(ENAAllowParams, flow_mbps),
          0, 10000000 },
        { "allowance-burst-us", offsetof(ENAAllowParams, burst_us),
          0, 10000000 },
        { "allowance-queue-us", offsetof(ENAAllowParams, queue_us),
          0, 10000000 },
        { "conntrack-tcp-established-s",
          offsetof(ENAAllowParams, tcp_established_s), 1, 432000 },
        { "conntrack-udp-s", offsetof(ENAAllowParams, udp_s), 1, 432000 },
        { "conntrack-udp-stream-s", offsetof(ENAAllowParams, udp_stream_s),
          1, 432000 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(lim); i++) {
        uint32_t v = *(const uint32_t *)((const uint8_t *)p + lim[i].off);

        if (v < lim[i].min || v > lim[i].max) {
            error_setg(errp, "ena: %s=%" PRIu32 " is out of range "
                       "%" PRIu32 "-%" PRIu32, lim[i].name, v, lim[i].min,
                       lim[i].max);
            return false;
        }
    }
    return true;
}
