/*
 * qtest: one ENA fault scenario, run by the reference driver in-process
 *
 * The qtest target of scripts/ena-scenario.py. The scenario comes as JSON
 * in ENA_SCENARIO:
 *   {"device": ["prop=value", ...],
 *    "traffic": "idle|ping|tcp|admin|jumbo|flood",
 *    "duration_ns": N, "props": ["reset-count", ...],
 *    "actions": [{"t_ns": N, "kind": "fault|set|link|unplug",
 *                 "point": "...", "rule": "...", "up": true}, ...]}
 * ("set": "point" names a property, "rule" holds its value).
 * QEMU starts with the device, the driver probes it (t0 is when it is up),
 * the actions are applied at t0 + t_ns of virtual time while traffic runs
 * against the other end of a socket netdev, and after the duration the
 * driver gets up to 40 virtual seconds for traffic to pass again. The
 * result goes to stdout, one line each, for parse_driver_output():
 *   T0 <ns>
 *   EVENT <t_ns> <id> <reason name|-> <event name> detail=<n> [<msg>]
 *   INJECT <t_ns> <what was applied>
 *   STAT <counters of the traffic rounds>
 *   PROP <name> <value, the rest of the line>
 *   TRAFFIC ok|failed
 * ENA_SCENARIO_REPEAT=N runs the scenario N times, prints the first run
 * and "DETERMINISTIC yes|no": whether every run printed the same lines.
 *
 * Determinism: everything the driver sees must depend only on the order
 * of qtest commands. Frames from the device reach the socket during the
 * MMIO write that rings the doorbell. Frames to the device are written
 * into the socket between clock steps, and the test waits until QEMU has
 * read them (SIOCOUTQ is 0) before it moves on: QEMU hands them on in the
 * same main-loop callback, before it takes the next qtest command. The
 * socket reaches the device through a hub that has a third port, a sink
 * that drops everything, so the hub always takes what the socket brings.
 * A frame the device cannot take (no RX buffers during a reset, a full RX
 * FIFO, a fatal error) then waits in the device's queue in QEMU until the
 * device asks for it, at an instant of virtual time. Connected directly,
 * the socket would stop being read instead, and the next frame would be
 * read at a moment set by the host scheduler.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <linux/sockios.h>
#include "libqtest.h"
#include "libqos/pci.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qemu/iov.h"
#include "qapi/error.h"
#include "qobject/qbool.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "ena-driver/plat_qtest.h"
#include "ena-driver/ena_drv.h"

#define ETH_TYPE_TEST       0x88b5      /* IEEE local experimental */
#define FRAME_MAX           (9216 + 22)
/* our header after the Ethernet one: magic, direction, round, index ... */
#define HDR_LEN             36
#define PING_LEN            98          /* an ICMP echo of 56 bytes */
#define TCP_LEN             1514
#define JUMBO_MTU           9001
#define JUMBO_LEN           (JUMBO_MTU + 14)
#define TCP_FRAMES          32
/* 8 x 5 RX buffers of 2 KiB: well inside the 256-entry ring */
#define JUMBO_FRAMES        8
#define MAX_FRAMES          32
#define RDBUF_SIZE          65536
#define ROUND_NS            ENA_NS_PER_SEC
#define RECOVER_NS          (40 * ENA_NS_PER_SEC)
/* host time, only as a guard against a hang: nothing is timed by it */
#define PEER_GUARD_US       (30 * G_USEC_PER_SEC)

enum { DIR_D2P = 1, DIR_P2D = 2 };

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

typedef enum TrafficKind {
    TRAFFIC_IDLE,
    TRAFFIC_PING,
    TRAFFIC_TCP,
    TRAFFIC_ADMIN,
    TRAFFIC_JUMBO,
    TRAFFIC_FLOOD,
} TrafficKind;

static const char *const traffic_names[] = {
    [TRAFFIC_IDLE] = "idle",
    [TRAFFIC_PING] = "ping",
    [TRAFFIC_TCP] = "tcp",
    [TRAFFIC_ADMIN] = "admin",
    [TRAFFIC_JUMBO] = "jumbo",
    [TRAFFIC_FLOOD] = "flood",
};

typedef enum ActionKind {
    ACTION_FAULT,
    ACTION_SET,                 /* a uint32 property, qom-set at run time */
    ACTION_LINK,
    ACTION_UNPLUG,
} ActionKind;

typedef struct ScnAction {
    uint64_t t_ns;
    guint order;                /* position in the file, for equal times */
    ActionKind kind;
    char *point;
    char *rule;
    bool up;
} ScnAction;

typedef struct Scn {
    GPtrArray *device;          /* "prop=value" */
    TrafficKind traffic;
    uint64_t duration_ns;
    GArray *actions;            /* ScnAction, by time */
    GPtrArray *props;           /* names to qom-get at the end */
} Scn;

/* One round of traffic: n frames each way, echoed by the peer. */
typedef struct Round {
    uint32_t id;                /* 0: none started yet */
    uint16_t n;
    uint32_t len;
    bool open;
    bool failed;                /* a send was refused or a frame was bad */
    uint16_t replies;           /* distinct good replies the driver got */
    bool got[MAX_FRAMES];
} Round;

typedef struct Run {
    const Scn *scn;
    EnaPlat *plat;
    EnaDrv *drv;
    int peer;                   /* our end of the netdev socket pair */
    GByteArray *inbuf;          /* socket bytes not yet a whole frame */
    uint8_t *rdbuf;             /* one recv() */
    GString *out;
    uint64_t t0;
    uint64_t ev_next;           /* sequence number of the next event */
    bool unplugged;
    bool mtu_low;               /* admin traffic: MTU now 1400 */
    Round r;
    uint32_t rounds_ok;
    uint32_t rounds_failed;
    uint32_t final_rounds;
    bool final;                 /* the check after the story */
    uint64_t peer_ok;           /* good driver frames the peer got */
    uint64_t peer_bad;
    uint64_t drv_ok;            /* good peer frames the driver got */
    uint64_t drv_bad;
    uint64_t stale;             /* good frames of a finished round */
    uint64_t xmit_refused;
    uint64_t mtu_failed;
} Run;

/* ---- the scenario ------------------------------------------------------- */

static bool scn_strings(QDict *d, const char *key, GPtrArray *to, char **err)
{
    QList *list = qdict_get_qlist(d, key);
    QListEntry *e;

    if (!list) {
        *err = g_strdup_printf("'%s' is not a list", key);
        return false;
    }
    QLIST_FOREACH_ENTRY(list, e) {
        QString *s = qobject_to(QString, qlist_entry_obj(e));

        if (!s) {
            *err = g_strdup_printf("'%s' holds a non-string", key);
            return false;
        }
        g_ptr_array_add(to, g_strdup(qstring_get_str(s)));
    }
    return true;
}

static bool scn_action(QDict *a, guint order, ScnAction *act, char **err)
{
    const char *kind = qdict_get_try_str(a, "kind");
    int64_t t = qdict_get_try_int(a, "t_ns", -1);

    if (!kind || t < 0) {
        *err = g_strdup("an action lacks 'kind' or 't_ns'");
        return false;
    }
    act->t_ns = t;
    act->order = order;
    act->up = qdict_get_try_bool(a, "up", true);
    act->point = g_strdup(qdict_get_try_str(a, "point") ?: "");
    act->rule = g_strdup(qdict_get_try_str(a, "rule") ?: "");
    if (!strcmp(kind, "fault") && act->point[0]) {
        act->kind = ACTION_FAULT;
    } else if (!strcmp(kind, "set") && act->point[0]) {
        uint64_t v;

        if (qemu_strtou64(act->rule, NULL, 10, &v) < 0 || v > UINT32_MAX) {
            *err = g_strdup_printf("set %s: '%s' is not an unsigned 32-bit "
                                   "number", act->point, act->rule);
            return false;
        }
        act->kind = ACTION_SET;
    } else if (!strcmp(kind, "link")) {
        act->kind = ACTION_LINK;
    } else if (!strcmp(kind, "unplug")) {
        act->kind = ACTION_UNPLUG;
    } else {
        *err = g_strdup_printf("unknown action kind '%s'", kind);
        return false;
    }
    return true;
}

static gint scn_action_cmp(gconstpointer a, gconstpointer b)
{
    const ScnAction *x = a, *y = b;

    if (x->t_ns != y->t_ns) {
        return x->t_ns < y->t_ns ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

static void scn_free(Scn *scn)
{
    for (guint i = 0; scn->actions && i < scn->actions->len; i++) {
        ScnAction *a = &g_array_index(scn->actions, ScnAction, i);

        g_free(a->point);
        g_free(a->rule);
    }
    if (scn->actions) {
        g_array_unref(scn->actions);
    }
    if (scn->device) {
        g_ptr_array_unref(scn->device);
    }
    if (scn->props) {
        g_ptr_array_unref(scn->props);
    }
}

static bool scn_parse(const char *json, Scn *scn, char **err)
{
    Error *local_err = NULL;
    QObject *obj = qobject_from_json(json, &local_err);
    QDict *d = qobject_to(QDict, obj);
    const char *traffic;
    QList *actions;
    QListEntry *e;
    int64_t duration;
    bool ok = false;

    memset(scn, 0, sizeof(*scn));
    scn->device = g_ptr_array_new_with_free_func(g_free);
    scn->props = g_ptr_array_new_with_free_func(g_free);
    scn->actions = g_array_new(false, true, sizeof(ScnAction));
    if (!d) {
        *err = local_err ? g_strdup(error_get_pretty(local_err)) :
                           g_strdup("not a JSON object");
        error_free(local_err);
        goto out;
    }
    if (!scn_strings(d, "device", scn->device, err) ||
        !scn_strings(d, "props", scn->props, err)) {
        goto out;
    }
    traffic = qdict_get_try_str(d, "traffic");
    scn->traffic = G_N_ELEMENTS(traffic_names);
    for (unsigned i = 0; traffic && i < G_N_ELEMENTS(traffic_names); i++) {
        if (!strcmp(traffic, traffic_names[i])) {
            scn->traffic = i;
        }
    }
    if (scn->traffic == G_N_ELEMENTS(traffic_names)) {
        *err = g_strdup_printf("unknown traffic '%s'", traffic ?: "");
        goto out;
    }
    duration = qdict_get_try_int(d, "duration_ns", -1);
    if (duration <= 0) {
        *err = g_strdup("'duration_ns' must be a positive number");
        goto out;
    }
    scn->duration_ns = duration;
    actions = qdict_get_qlist(d, "actions");
    if (!actions) {
        *err = g_strdup("'actions' is not a list");
        goto out;
    }
    QLIST_FOREACH_ENTRY(actions, e) {
        QDict *a = qobject_to(QDict, qlist_entry_obj(e));
        ScnAction act = { 0 };

        if (!a) {
            *err = g_strdup("an action is not an object");
            goto out;
        }
        /* appended first, so that scn_free() frees a half-parsed one */
        g_array_append_val(scn->actions, act);
        if (!scn_action(a, scn->actions->len - 1,
                        &g_array_index(scn->actions, ScnAction,
                                       scn->actions->len - 1), err)) {
            goto out;
        }
    }
    /* several actions may share a time: the file's order then */
    g_array_sort(scn->actions, scn_action_cmp);
    ok = true;
out:
    qobject_unref(obj);
    return ok;
}

/* ---- output ------------------------------------------------------------- */

static uint64_t run_now(Run *run)
{
    return ena_plat_now_ns(run->plat);
}

/* Every event logged since the last call, in order. */
static void emit_events(Run *run)
{
    const EnaEvlog *log = &run->drv->evlog;
    uint64_t first = ena_evlog_dropped(log);

    if (run->ev_next < first) {
        g_string_append_printf(run->out, "NOTE %" PRIu64 " events were "
                               "overwritten before they were printed\n",
                               first - run->ev_next);
        run->ev_next = first;
    }
    for (; run->ev_next < log->total; run->ev_next++) {
        const EnaEvent *ev = ena_evlog_get(log, run->ev_next - first);

        g_string_append_printf(run->out, "EVENT %" PRIu64 " %u %s %s "
                               "detail=%" PRIu64 "%s%s\n", ev->ts_ns, ev->id,
                               ev->reason == ENA_EVLOG_NO_REASON ? "-" :
                               ena_reset_reason_str(ev->reason),
                               ena_evlog_id_name(ev->id), ev->detail,
                               ev->msg && ev->msg[0] ? " " : "",
                               ev->msg ? ev->msg : "");
    }
}

/* ---- frames ------------------------------------------------------------- */

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811c9dc5;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x01000193;
    }
    return h;
}

/*
 * A test frame: Ethernet header, "ENAS", direction, traffic kind, round,
 * index, length, a checksum of the payload, then a payload that differs
 * per direction, round and index, so that a frame from another round or
 * a swapped buffer cannot pass for the expected one.
 */
static void frame_build(Run *run, uint8_t *buf, uint32_t len, uint8_t dir,
                        uint32_t round, uint16_t idx)
{
    memcpy(buf, dir == DIR_D2P ? peer_mac : run->drv->mac, 6);
    memcpy(buf + 6, dir == DIR_D2P ? run->drv->mac : peer_mac, 6);
    stw_be_p(buf + 12, ETH_TYPE_TEST);
    memcpy(buf + 14, "ENAS", 4);
    buf[18] = dir;
    buf[19] = run->scn->traffic;
    stl_be_p(buf + 20, round);
    stw_be_p(buf + 24, idx);
    stw_be_p(buf + 26, 0);
    stl_be_p(buf + 28, len);
    for (uint32_t i = HDR_LEN; i < len; i++) {
        buf[i] = (uint8_t)(i * 7 + round * 13 + idx * 31 + dir * 101 +
                           (i >> 8));
    }
    stl_be_p(buf + 32, fnv1a(buf + HDR_LEN, len - HDR_LEN));
}

/*
 * Check a received frame: its header, its payload checksum, then every
 * byte against the frame its header names (which the checksum alone would
 * not catch: a whole frame of another round or direction).
 */
static bool frame_check(Run *run, const uint8_t *buf, uint32_t len,
                        uint8_t dir, uint32_t *round, uint16_t *idx)
{
    g_autofree uint8_t *want = NULL;

    if (len < HDR_LEN || len > FRAME_MAX || memcmp(buf + 14, "ENAS", 4) ||
        buf[18] != dir || ldl_be_p(buf + 28) != len ||
        ldl_be_p(buf + 32) != fnv1a(buf + HDR_LEN, len - HDR_LEN)) {
        return false;
    }
    *round = ldl_be_p(buf + 20);
    *idx = lduw_be_p(buf + 24);
    want = g_malloc(len);
    frame_build(run, want, len, dir, *round, *idx);
    return memcmp(want, buf, len) == 0;
}

/* ---- the socket peer ---------------------------------------------------- */

/*
 * Wait until QEMU has read everything we wrote: from then on what
 * happens to those frames depends only on the qtest commands that follow.
 */
static void peer_wait_consumed(Run *run)
{
    gint64 guard = g_get_monotonic_time() + PEER_GUARD_US;
    int outq;

    for (;;) {
        g_assert_cmpint(ioctl(run->peer, SIOCOUTQ, &outq), ==, 0);
        if (!outq) {
            return;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, guard);
        g_usleep(10);
    }
}

static void peer_send(Run *run, const uint8_t *buf, uint32_t len)
{
    uint32_t be = cpu_to_be32(len);
    struct iovec iov[] = {
        { .iov_base = &be, .iov_len = sizeof(be) },
        { .iov_base = (void *)buf, .iov_len = len },
    };

    g_assert_cmpint(iov_send(run->peer, iov, 2, 0, sizeof(be) + len), ==,
                    sizeof(be) + len);
}

/*
 * Take what the device sent (it is in the socket once the doorbell write
 * has returned) and echo every good frame back: a reply of the same
 * length, the same round and index, and a payload of its own.
 */
static void peer_service(Run *run)
{
    g_autofree uint8_t *reply = g_malloc(FRAME_MAX);
    bool sent = false;
    ssize_t n;

    while ((n = recv(run->peer, run->rdbuf, RDBUF_SIZE, MSG_DONTWAIT)) > 0) {
        g_byte_array_append(run->inbuf, run->rdbuf, n);
    }
    while (run->inbuf->len >= 4) {
        uint32_t len = ldl_be_p(run->inbuf->data);
        const uint8_t *f = run->inbuf->data + 4;
        uint32_t round;
        uint16_t idx;

        g_assert_cmpuint(len, <=, FRAME_MAX);
        if (run->inbuf->len < 4 + len) {
            break;
        }
        if (frame_check(run, f, len, DIR_D2P, &round, &idx)) {
            run->peer_ok++;
            frame_build(run, reply, len, DIR_P2D, round, idx);
            peer_send(run, reply, len);
            sent = true;
        } else {
            run->peer_bad++;
            if (run->r.open) {
                run->r.failed = true;
            }
        }
        g_byte_array_remove_range(run->inbuf, 0, 4 + len);
    }
    if (sent) {
        peer_wait_consumed(run);
    }
}

/* After every clock step: the far end answers what the device sent. */
static void peer_step_hook(void *opaque)
{
    peer_service(opaque);
}

static bool round_done(const Round *r)
{
    return r->open && !r->failed && r->replies == r->n;
}

/* The driver delivered a frame (from ena_drv_poll()). */
static void drv_rx(void *opaque, uint16_t qid, const uint8_t *frame,
                   uint32_t len, const EnaRxInfo *info)
{
    Run *run = opaque;
    Round *r = &run->r;
    uint32_t round;
    uint16_t idx;

    if (!frame_check(run, frame, len, DIR_P2D, &round, &idx)) {
        run->drv_bad++;
        if (r->open) {
            r->failed = true;
        }
        return;
    }
    run->drv_ok++;
    if (!r->open || round != r->id || idx >= r->n || r->got[idx]) {
        run->stale++;       /* e.g. held in QEMU through a reset */
        return;
    }
    r->got[idx] = true;
    r->replies++;
    if (run->final && round_done(r)) {
        ena_drv_run_break(run->drv);    /* run_final_check() has its answer */
    }
}

/* ---- traffic rounds ----------------------------------------------------- */

static bool round_finish(Run *run)
{
    bool ok = round_done(&run->r);

    if (run->r.open) {
        if (ok) {
            run->rounds_ok++;
        } else {
            run->rounds_failed++;
        }
    }
    run->r.open = false;
    return ok;
}

/*
 * Send one round from the driver: a ping (idle's final check pings too),
 * a ping after an MTU change (admin), or a burst over every queue (tcp,
 * jumbo).
 */
static void round_start(Run *run)
{
    EnaDrv *drv = run->drv;
    Round *r = &run->r;
    g_autofree uint8_t *frame = g_malloc(FRAME_MAX);
    uint32_t id = r->id + 1;

    round_finish(run);
    memset(r, 0, sizeof(*r));
    r->id = id;
    r->open = true;
    switch (run->scn->traffic) {
    case TRAFFIC_FLOOD:
        /* the check after the story pings: a flood proves nothing there */
        if (run->final) {
            r->n = 1;
            r->len = PING_LEN;
            break;
        }
        /* fall through: a flood is a TCP burst every second, not waiting */
    case TRAFFIC_TCP:
        r->n = TCP_FRAMES;
        r->len = TCP_LEN;
        break;
    case TRAFFIC_JUMBO:
        r->n = JUMBO_FRAMES;
        r->len = JUMBO_LEN;
        break;
    default:
        r->n = 1;
        r->len = PING_LEN;
        break;
    }
    if (run->scn->traffic == TRAFFIC_ADMIN) {
        /* as "ip link set mtu": a SET_FEATURE(MTU) while the link is up */
        if (ena_drv_set_mtu(drv, run->mtu_low ? 1500 : 1400)) {
            run->mtu_failed++;
        } else {
            run->mtu_low = !run->mtu_low;
        }
    }
    for (uint16_t i = 0; i < r->n; i++) {
        uint16_t qid = drv->num_queues ? i % drv->num_queues : 0;
        EnaFrag frag = { frame, r->len };

        frame_build(run, frame, r->len, DIR_D2P, r->id, i);
        if (ena_drv_xmit(drv, qid, &frag, 1) < 0) {
            run->xmit_refused++;
            r->failed = true;
            break;
        }
    }
}

/* ---- actions ------------------------------------------------------------ */

static char *qmp_error(QDict *rsp)
{
    QDict *e = qdict_get_qdict(rsp, "error");

    if (!e) {
        return NULL;
    }
    return g_strdup(qdict_get_try_str(e, "desc") ?: "error");
}

static void apply_action(Run *run, const ScnAction *a)
{
    QTestState *qts = ena_plat_qtest_qts(run->plat);
    g_autofree char *what = NULL;
    g_autofree char *err = NULL;
    QDict *rsp = NULL;

    switch (a->kind) {
    case ACTION_FAULT:
        what = g_strdup_printf("fault-%s = %s", a->point,
                               a->rule[0] ? a->rule : "none");
        if (!run->unplugged) {
            g_autofree char *prop = g_strdup_printf("fault-%s", a->point);

            rsp = qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': "
                            "{'path': '/machine/peripheral/ena0', "
                            "'property': %s, 'value': %s}}", prop, a->rule);
        }
        break;
    case ACTION_SET:
        what = g_strdup_printf("%s = %s", a->point, a->rule);
        if (!run->unplugged) {
            rsp = qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': "
                            "{'path': '/machine/peripheral/ena0', "
                            "'property': %s, 'value': %" PRIu64 "}}",
                            a->point, g_ascii_strtoull(a->rule, NULL, 10));
        }
        break;
    case ACTION_LINK:
        what = g_strdup_printf("link %s", a->up ? "up" : "down");
        if (!run->unplugged) {
            rsp = qtest_qmp(qts, "{'execute': 'set_link', 'arguments': "
                            "{'name': 'ena0', 'up': %i}}", a->up);
        }
        break;
    case ACTION_UNPLUG:
        what = g_strdup("device_del (surprise removal)");
        if (!run->unplugged) {
            QPCIDevice *dev = ena_plat_qtest_dev(run->plat);

            /* device_del, the eject a guest's ACPI code would write */
            qpci_unplug_acpi_device_test(qts, "ena0", dev->devfn >> 3);
            run->unplugged = true;
            ena_plat_qtest_unplugged(run->plat);
            /* what an OS's hot-plug code tells the driver afterwards */
            ena_drv_surprise_removed(run->drv);
        }
        break;
    }
    if (run->unplugged && a->kind != ACTION_UNPLUG) {
        err = g_strdup("the device is gone");
    } else if (rsp) {
        err = qmp_error(rsp);
    }
    qobject_unref(rsp);
    g_string_append_printf(run->out, "INJECT %" PRIu64 " %s%s%s%s\n",
                           run_now(run), what, err ? " (refused: " : "",
                           err ? err : "", err ? ")" : "");
}

/* ---- the run ------------------------------------------------------------ */

static EnaLogLevel log_level(void)
{
    const char *s = g_getenv("ENA_DRV_LOG");

    return s ? (EnaLogLevel)atoi(s) : ENA_LOG_WARN;
}

static void run_start(Run *run, const Scn *scn)
{
    g_autoptr(GString) dev = g_string_new("ena,id=ena0,netdev=n0");
    g_autofree char *dev_q = NULL;
    g_autofree char *args = NULL;
    EnaPlatQtestOpts opts = {
        .log_level = log_level(),
        .deadline_steps = true,
    };
    EnaDrvConfig cfg;
    int sndbuf = 1 << 20;
    int sv[2], sink[2];

    for (guint i = 0; i < scn->device->len; i++) {
        g_autofree char *esc = NULL;
        g_auto(GStrv) parts = g_strsplit(g_ptr_array_index(scn->device, i),
                                         ",", -1);

        /* a ',' inside a -device value is written ',,' */
        esc = g_strjoinv(",,", parts);
        g_string_append_printf(dev, ",%s", esc);
    }
    /* QEMU's command line goes through sh -c */
    dev_q = g_shell_quote(dev->str);

    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    /* room for a whole burst from the device while we are not reading */
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    /*
     * The sink: a socket whose far end is closed. QEMU's writes to it fail
     * and, once it has read the end of the stream, it marks the link down
     * and drops what it is given; either way it never refuses a frame.
     */
    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, sink), ==, 0);
    close(sink[0]);
    args = g_strdup_printf("-netdev socket,id=peer,fd=%d "
                           "-netdev socket,id=sink,fd=%d "
                           "-netdev hubport,id=n0,hubid=0 "
                           "-netdev hubport,id=hp,hubid=0,netdev=peer "
                           "-netdev hubport,id=hs,hubid=0,netdev=sink "
                           "-device %s", sv[1], sink[1], dev_q);
    opts.extra_args = args;
    memset(run, 0, sizeof(*run));
    run->scn = scn;
    run->out = g_string_new("");
    run->inbuf = g_byte_array_new();
    run->rdbuf = g_malloc(RDBUF_SIZE);
    run->plat = ena_plat_qtest_start(&opts);
    close(sv[1]);
    close(sink[1]);
    run->peer = sv[0];
    ena_plat_qtest_set_rx(run->plat, drv_rx, run);
    ena_plat_qtest_set_step_hook(run->plat, peer_step_hook, run);

    ena_drv_config_default(&cfg);
    cfg.num_queues = 2;
    /*
     * Linux's ring sizes: room to halve them when the device answers
     * RESOURCE_ALLOCATION_FAILURE (the back-off stops at 256).
     */
    cfg.tx_depth = 1024;
    cfg.rx_depth = 1024;
    cfg.mtu = scn->traffic == TRAFFIC_JUMBO ? JUMBO_MTU : 1500;
    run->drv = g_new0(EnaDrv, 1);
    /* a failed probe is a scenario outcome (5208), not a test failure */
    ena_drv_probe(run->drv, run->plat, &cfg);
    /* the LINK_CHANGE event waits for the first interrupt we take */
    ena_drv_poll(run->drv);
    run->t0 = run_now(run);
    g_string_append_printf(run->out, "T0 %" PRIu64 "\n", run->t0);
    emit_events(run);
}

/* The scenario's duration: actions on time, traffic every second. */
static void run_timeline(Run *run)
{
    const Scn *scn = run->scn;
    uint64_t end = run->t0 + scn->duration_ns;
    uint64_t next_round = run->t0;
    guint next_act = 0;

    for (;;) {
        uint64_t now = run_now(run);
        uint64_t target;

        /* what happened before an action is printed before it */
        emit_events(run);
        while (next_act < scn->actions->len &&
               run->t0 + g_array_index(scn->actions, ScnAction,
                                       next_act).t_ns <= now) {
            apply_action(run, &g_array_index(scn->actions, ScnAction,
                                             next_act++));
        }
        if (scn->traffic != TRAFFIC_IDLE && now >= next_round && now < end) {
            round_start(run);
            /* an admin command may have waited out its timeout */
            while (next_round <= now) {
                next_round += ROUND_NS;
            }
        }
        peer_service(run);
        emit_events(run);
        now = run_now(run);
        if (now >= end) {
            break;
        }
        target = end;
        if (scn->traffic != TRAFFIC_IDLE) {
            target = MIN(target, MAX(next_round, now + 1000));
        }
        if (next_act < scn->actions->len) {
            uint64_t t = run->t0 + g_array_index(scn->actions, ScnAction,
                                                 next_act).t_ns;

            target = MIN(target, MAX(t, now + 1000));
        }
        /* the driver wakes at each device event, the peer after each step */
        ena_drv_run(run->drv, target - now);
    }
    round_finish(run);
}

/*
 * After the story: does traffic pass again? A round a second for up to
 * 40 s, as scripts/linux/guest/scenario.sh gives the Linux driver.
 */
static bool run_final_check(Run *run)
{
    uint64_t deadline = run_now(run) + RECOVER_NS;

    run->final = true;
    while (run_now(run) < deadline) {
        uint64_t round_end;

        round_start(run);
        run->final_rounds++;
        round_end = run_now(run) + ROUND_NS;
        for (;;) {
            uint64_t now;

            peer_service(run);
            emit_events(run);
            if (round_done(&run->r)) {
                round_finish(run);
                return true;
            }
            now = run_now(run);
            if (now >= round_end) {
                break;
            }
            ena_drv_run(run->drv, round_end - now);
        }
    }
    round_finish(run);
    return false;
}

static void print_prop(Run *run, const char *name)
{
    QDict *rsp = qtest_qmp(ena_plat_qtest_qts(run->plat),
                           "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/ena0', "
                           "'property': %s}}", name);
    g_autofree char *err = qmp_error(rsp);
    QObject *ret = qdict_get(rsp, "return");
    g_autofree char *val = NULL;

    if (err || !ret) {
        val = g_strdup_printf("error: %s", err ?: "no value");
    } else if (qobject_type(ret) == QTYPE_QNUM) {
        val = qnum_to_string(qobject_to(QNum, ret));
    } else if (qobject_type(ret) == QTYPE_QSTRING) {
        /* one line whatever it holds (debug-area has many) */
        val = g_strescape(qstring_get_str(qobject_to(QString, ret)), NULL);
    } else if (qobject_type(ret) == QTYPE_QBOOL) {
        val = g_strdup(qbool_get_bool(qobject_to(QBool, ret)) ? "true" :
                       "false");
    } else {
        val = g_strdup("error: not a number, string or bool");
    }
    g_string_append_printf(run->out, "PROP %s %s\n", name, val);
    qobject_unref(rsp);
}

/* One whole run; returns what it printed. */
static GString *run_once(const Scn *scn, uint64_t *virtual_ns)
{
    Run run;
    bool traffic_ok;

    run_start(&run, scn);
    run_timeline(&run);
    g_string_append_printf(run.out, "STAT during rounds_ok=%u "
                           "rounds_failed=%u\n", run.rounds_ok,
                           run.rounds_failed);
    traffic_ok = run_final_check(&run);
    emit_events(&run);
    g_string_append_printf(run.out, "STAT final_rounds=%u driver=%s "
                           "peer_ok=%" PRIu64 " peer_bad=%" PRIu64
                           " drv_ok=%" PRIu64 " drv_bad=%" PRIu64
                           " stale=%" PRIu64 " xmit_refused=%" PRIu64
                           " mtu_failed=%" PRIu64 " resets=%" PRIu64 "\n",
                           run.final_rounds,
                           ena_drv_state_name(run.drv->state), run.peer_ok,
                           run.peer_bad, run.drv_ok, run.drv_bad, run.stale,
                           run.xmit_refused, run.mtu_failed,
                           run.drv->stats.resets);
    /* only where the device offered PHC, so other traces stay as they were */
    if (run.drv->stats.phc_reads) {
        const EnaComPhcStats *p = &run.drv->com.phc.stats;

        g_string_append_printf(run.out, "STAT phc reads=%" PRIu64
                               " ok=%" PRIu64 " expired=%" PRIu64
                               " skipped=%" PRIu64 " err_device=%" PRIu64
                               " err_ts=%" PRIu64 " err_eb=%" PRIu64 "\n",
                               run.drv->stats.phc_reads, p->ok, p->expired,
                               p->skipped, p->err_device, p->err_ts,
                               p->err_eb);
    }
    /* before the remove below, whose SHUTDOWN reset would count */
    for (guint i = 0; i < scn->props->len; i++) {
        print_prop(&run, g_ptr_array_index(scn->props, i));
    }
    g_string_append_printf(run.out, "TRAFFIC %s\n",
                           traffic_ok ? "ok" : "failed");

    if (run.drv->state != ENA_DRV_STATE_OFF) {
        ena_drv_remove(run.drv);
    }
    *virtual_ns = run_now(&run);
    ena_plat_qtest_stop(run.plat);
    close(run.peer);
    g_byte_array_unref(run.inbuf);
    g_free(run.rdbuf);
    g_free(run.drv);
    return run.out;
}

/* The first line where two outputs differ, for the log. */
static void report_difference(const char *a, const char *b)
{
    g_auto(GStrv) la = g_strsplit(a, "\n", -1);
    g_auto(GStrv) lb = g_strsplit(b, "\n", -1);

    for (guint i = 0; la[i] || lb[i]; i++) {
        if (!la[i] || !lb[i] || strcmp(la[i], lb[i])) {
            g_printerr("ena-scenario-test: runs differ at line %u:\n"
                       "  first: %s\n  again: %s\n", i + 1,
                       la[i] ?: "(end)", lb[i] ?: "(end)");
            return;
        }
    }
}

static void test_scenario(void)
{
    const char *json = g_getenv("ENA_SCENARIO");
    const char *rep = g_getenv("ENA_SCENARIO_REPEAT");
    int repeat = rep ? atoi(rep) : 1;
    g_autofree char *err = NULL;
    bool same = true;
    GString *first;
    uint64_t virtual_ns;
    gint64 wall_us;
    Scn scn;

    if (!json) {
        g_test_skip("no ENA_SCENARIO: scripts/ena-scenario.py runs this");
        return;
    }
    if (!scn_parse(json, &scn, &err)) {
        g_printerr("ena-scenario-test: ENA_SCENARIO: %s\n", err);
        scn_free(&scn);
        g_test_fail();
        return;
    }
    wall_us = g_get_monotonic_time();
    first = run_once(&scn, &virtual_ns);
    wall_us = g_get_monotonic_time() - wall_us;
    fputs(first->str, stdout);
    /* QEMU's start and exit included; not part of the trace */
    printf("TIME wall_us=%" PRId64 " virtual_ns=%" PRIu64 "\n", wall_us,
           virtual_ns);
    fflush(stdout);
    for (int i = 1; i < repeat; i++) {
        g_autoptr(GString) again = run_once(&scn, &virtual_ns);

        if (strcmp(first->str, again->str)) {
            if (same) {
                report_difference(first->str, again->str);
            }
            same = false;
        }
    }
    if (repeat > 1) {
        printf("DETERMINISTIC %s\n", same ? "yes" : "no");
        fflush(stdout);
    }
    g_string_free(first, true);
    scn_free(&scn);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /*
     * peer_wait_consumed() sleeps for a few microseconds at a time; the
     * default timer slack (50 us) would stretch each sleep tenfold.
     */
    prctl(PR_SET_TIMERSLACK, 1UL);
    /*
     * No qtest_has_device("ena"): it costs a QEMU start-up per scenario,
     * and the runner that sets ENA_SCENARIO runs a QEMU with the device.
     */
    qtest_add_func("/ena-scenario/run", test_scenario);
    return g_test_run();
}
