/*
 * AWS Elastic Network Adapter: fault injection
 *
 * A rule is written ACTION[:KEY=VALUE]..., for example
 *   stop                       keep-alives stop from now on
 *   stall:queue=0:after=2s:for=5s
 *   status:opcode=1:status=1:count=2
 * It is set with the device property fault-POINT, at start-up or with
 * qom-set, and cleared by setting "" or "none". Times are virtual.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "migration/vmstate.h"
#include "ena_fault.h"
#include "trace.h"

typedef enum ENAFaultKey {
    ENA_FK_AFTER, ENA_FK_FOR, ENA_FK_AT, ENA_FK_COUNT, ENA_FK_ONCE,
    ENA_FK_RESET, ENA_FK_MATCH, ENA_FK_FEATURE, ENA_FK_STATUS, ENA_FK_DELAY,
    ENA_FK_HINT, ENA_FK_FLAGS,
} ENAFaultKey;

#define FK(k) (1u << ENA_FK_##k)
#define FA(a) (1u << ENA_FA_##a)
#define ENA_FK_COMMON (FK(AFTER) | FK(FOR) | FK(AT) | FK(COUNT) | FK(ONCE) | \
                       FK(RESET))

typedef struct ENAFaultPointInfo {
    const char *name;
    uint32_t actions;
    uint32_t keys;
    const char *match_key;      /* name of the ENA_FK_MATCH key */
    uint32_t timed;             /* actions that run at the start time */
} ENAFaultPointInfo;

static const ENAFaultPointInfo ena_fault_points[ENA_FAULT__MAX] = {
    [ENA_FAULT_KEEPALIVE] = {
        "keepalive", FA(STOP) | FA(DELAY) | FA(NO_IRQ),
        ENA_FK_COMMON | FK(DELAY), NULL, 0,
    },
    [ENA_FAULT_READLESS] = {
        "readless", FA(DROP) | FA(BAD_REQ_ID) | FA(BAD_OFFSET),
        ENA_FK_COMMON | FK(MATCH), "reg", 0,
    },
    [ENA_FAULT_REG] = {
        "reg", FA(ALL_ONES), ENA_FK_COMMON | FK(MATCH), "reg", 0,
    },
    [ENA_FAULT_ADMIN] = {
        "admin", FA(DROP) | FA(DELAY) | FA(STATUS) | FA(NO_IRQ),
        ENA_FK_COMMON | FK(MATCH) | FK(FEATURE) | FK(STATUS) | FK(DELAY),
        "opcode", 0,
    },
    [ENA_FAULT_TX] = {
        "tx", FA(STALL) | FA(DROP) | FA(BAD_REQ_ID) | FA(MBZ),
        ENA_FK_COMMON | FK(MATCH), "queue", 0,
    },
    [ENA_FAULT_RX] = {
        "rx", FA(STALL) | FA(DROP) | FA(BAD_REQ_ID) | FA(MBZ) |
        FA(STRAY_FIRST) | FA(TOO_MANY_DESCS),
        ENA_FK_COMMON | FK(MATCH), "queue", 0,
    },
    [ENA_FAULT_IRQ] = {
        "irq", FA(DROP), ENA_FK_COMMON | FK(MATCH), "vector", 0,
    },
    [ENA_FAULT_RESET] = {
        "reset", FA(NEVER_ASSERT) | FA(NEVER_DEASSERT) | FA(NOT_READY),
        ENA_FK_COMMON | FK(MATCH), "reason", 0,
    },
    [ENA_FAULT_FATAL] = {
        "fatal", FA(RAISE) | FA(REQUEST_RESET), FK(AFTER) | FK(RESET), NULL,
        FA(RAISE) | FA(REQUEST_RESET),
    },
    [ENA_FAULT_LINK] = {
        "link", FA(DOWN), FK(AFTER) | FK(FOR) | FK(RESET), NULL, FA(DOWN),
    },
    [ENA_FAULT_HINTS] = {
        "hints", FA(NOTIFY), FK(AFTER) | FK(RESET) | FK(HINT), NULL,
        FA(NOTIFY),
    },
    [ENA_FAULT_PHC] = {
        "phc", FA(DROP) | FA(ERROR) | FA(DELAY),
        ENA_FK_COMMON | FK(DELAY) | FK(FLAGS), NULL, 0,
    },
};

static const char *const ena_fault_action_names[ENA_FA__MAX] = {
    [ENA_FA_NONE] = "none",
    [ENA_FA_STOP] = "stop",
    [ENA_FA_DELAY] = "delay",
    [ENA_FA_NO_IRQ] = "no-irq",
    [ENA_FA_DROP] = "drop",
    [ENA_FA_BAD_REQ_ID] = "bad-req-id",
    [ENA_FA_BAD_OFFSET] = "bad-offset",
    [ENA_FA_ALL_ONES] = "all-ones",
    [ENA_FA_STATUS] = "status",
    [ENA_FA_STALL] = "stall",
    [ENA_FA_NEVER_ASSERT] = "never-assert",
    [ENA_FA_NEVER_DEASSERT] = "never-deassert",
    [ENA_FA_NOT_READY] = "not-ready",
    [ENA_FA_RAISE] = "raise",
    [ENA_FA_REQUEST_RESET] = "request-reset",
    [ENA_FA_DOWN] = "down",
    [ENA_FA_NOTIFY] = "notify",
    [ENA_FA_MBZ] = "mbz",
    [ENA_FA_STRAY_FIRST] = "stray-first",
    [ENA_FA_TOO_MANY_DESCS] = "too-many-descs",
    [ENA_FA_ERROR] = "error",
};

/* hints=... keys of the "hints" point, in EnaAdminHwHints order */
static const char *const ena_fault_hint_keys[] = {
    "mmio-read-timeout-ms", "keepalive-timeout-ms", "missing-tx-timeout-ms",
    "missing-tx-threshold", "admin-timeout-ms", "netdev-wd-timeout-ms",
};

const char *ena_fault_point_name(ENAFaultPoint p)
{
    return ena_fault_points[p].name;
}

static int64_t ena_fault_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* "5s", "200ms", "10us", "7ns"; a bare number is in ms */
static bool ena_fault_parse_time(const char *s, int64_t *ns)
{
    static const struct { const char *sfx; int64_t mul; } units[] = {
        { "ns", 1 }, { "us", SCALE_US }, { "ms", SCALE_MS },
        { "s", NANOSECONDS_PER_SECOND }, { "", SCALE_MS },
    };
    const char *end;
    uint64_t v;

    if (qemu_strtou64(s, &end, 0, &v) || end == s) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
        if (!strcmp(end, units[i].sfx)) {
            /* a quarter of the range: now + after + for stays in int64 */
            if (v > INT64_MAX / 4 / units[i].mul) {
                return false;
            }
            *ns = v * units[i].mul;
            return true;
        }
    }
    return false;
}

static bool ena_fault_parse_uint(const char *s, uint64_t max, uint64_t *v)
{
    return !qemu_strtou64(s, NULL, 0, v) && *v <= max;
}

static void ena_fault_rule_clear(ENAFaultRule *r)
{
    uint64_t hits = r->hits;
    QEMUTimer *t = r->timer;

    if (t) {
        timer_del(t);
    }
    g_free(r->spec);
    memset(r, 0, sizeof(*r));
    r->hits = hits;
    r->timer = t;
}

/* Schedule the next edge of a rule: its start (timed actions) or end. */
static void ena_fault_arm(ENAFaults *f, ENAFaultPoint p)
{
    ENAFaultRule *r = &f->rule[p];
    const ENAFaultPointInfo *info = &ena_fault_points[p];
    int64_t now = ena_fault_now();
    bool timed = info->timed & BIT(r->action);

    if (!r->timer || r->action == ENA_FA_NONE) {
        return;
    }
    if (timed && !r->started) {
        if (r->start_ns > now) {
            timer_mod(r->timer, r->start_ns);
            return;
        }
        r->started = true;
        r->fired = true;
        r->hits++;
        trace_ena_fault_edge(info->name, ena_fault_action_names[r->action],
                             true);
        f->edge(f->opaque, p, r, true);
    }
    if (r->end_ns != INT64_MAX) {
        if (r->end_ns > now) {
            timer_mod(r->timer, r->end_ns);
            return;
        }
        trace_ena_fault_edge(info->name, ena_fault_action_names[r->action],
                             false);
        ena_fault_rule_clear(r);
        f->edge(f->opaque, p, r, false);
    }
}

static void ena_fault_timer_cb(void *opaque)
{
    ENAFaultTimerCtx *c = opaque;

    ena_fault_arm(c->faults, c->point);
}

/*
 * Parse a rule's text (not "" or "none") for point @p into @r, with its
 * times relative: start_ns is the after= delay, *dur the for= duration or
 * -1. Nothing else is touched.
 */
static bool ena_fault_parse(ENAFaultPoint p, const char *spec,
                            ENAFaultRule *out, int64_t *dur_out,
                            Error **errp)
{
    const ENAFaultPointInfo *info = &ena_fault_points[p];
    g_auto(GStrv) parts = NULL;
    ENAFaultRule r = {
        .match = ENA_FAULT_ANY,
        .match2 = ENA_FAULT_ANY,
        .count = UINT64_MAX,
        .end_ns = INT64_MAX,
    };
    int64_t after = 0, dur = -1, t;
    bool has_flags = false;
    uint64_t v;
    int a;

    if (strlen(spec) >= ENA_FAULT_SPEC_MAX) {
        error_setg(errp, "fault-%s: a rule is at most %d characters",
                   info->name, ENA_FAULT_SPEC_MAX - 1);
        return false;
    }
    parts = g_strsplit(spec, ":", -1);
    for (a = ENA_FA_NONE + 1; a < ENA_FA__MAX; a++) {
        if ((info->actions & BIT(a)) &&
            !strcmp(parts[0], ena_fault_action_names[a])) {
            break;
        }
    }
    if (a == ENA_FA__MAX) {
        g_autoptr(GString) ok = g_string_new("");
        for (int i = 0; i < ENA_FA__MAX; i++) {
            if (info->actions & BIT(i)) {
                g_string_append_printf(ok, "%s%s", ok->len ? ", " : "",
                                       ena_fault_action_names[i]);
            }
        }
        error_setg(errp, "fault-%s: unknown action '%s' (expected %s, or "
                   "none)", info->name, parts[0], ok->str);
        return false;
    }
    r.action = a;
    if (a == ENA_FA_STATUS) {
        r.value = ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
    } else if (a == ENA_FA_ERROR) {
        r.value = ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP;
    }

    for (int i = 1; parts[i]; i++) {
        char *key = parts[i], *val = strchr(key, '=');
        ENAFaultKey k;
        int hint = -1;

        if (val) {
            *val++ = 0;
        }
        if (!strcmp(key, "after")) {
            k = ENA_FK_AFTER;
        } else if (!strcmp(key, "for")) {
            k = ENA_FK_FOR;
        } else if (!strcmp(key, "at")) {
            k = ENA_FK_AT;
        } else if (!strcmp(key, "count")) {
            k = ENA_FK_COUNT;
        } else if (!strcmp(key, "once")) {
            k = ENA_FK_ONCE;
        } else if (!strcmp(key, "reset")) {
            k = ENA_FK_RESET;
        } else if (info->match_key && !strcmp(key, info->match_key)) {
            k = ENA_FK_MATCH;
        } else if (!strcmp(key, "feature")) {
            k = ENA_FK_FEATURE;
        } else if (!strcmp(key, "status")) {
            k = ENA_FK_STATUS;
        } else if (!strcmp(key, "delay")) {
            k = ENA_FK_DELAY;
        } else if (!strcmp(key, "flags")) {
            k = ENA_FK_FLAGS;
        } else {
            k = ENA_FK_HINT;
            for (size_t h = 0; h < ARRAY_SIZE(ena_fault_hint_keys); h++) {
                if (!strcmp(key, ena_fault_hint_keys[h])) {
                    hint = h;
                }
            }
            if (hint < 0) {
                k = -1;
            }
        }
        if (k == (ENAFaultKey)-1 || !(info->keys & BIT(k))) {
            error_setg(errp, "fault-%s: '%s' is not a parameter of this "
                       "fault point (see docs/faults.md)", info->name, key);
            return false;
        }
        if (k != ENA_FK_ONCE && !val) {
            error_setg(errp, "fault-%s: '%s' needs a value (%s=...)",
                       info->name, key, key);
            return false;
        }
        switch (k) {
        case ENA_FK_AFTER:
        case ENA_FK_FOR:
        case ENA_FK_DELAY:
            if (!ena_fault_parse_time(val, &t)) {
                error_setg(errp, "fault-%s: %s=%s is not a time (e.g. 500ms, "
                           "2s, 10us)", info->name, key, val);
                return false;
            }
            if (k == ENA_FK_AFTER) {
                after = t;
            } else if (k == ENA_FK_FOR) {
                dur = t;
            } else {
                r.value = t;
            }
            break;
        case ENA_FK_ONCE:
            r.count = 1;
            break;
        case ENA_FK_RESET:
            if (!val || (strcmp(val, "keep") && strcmp(val, "clear"))) {
                error_setg(errp, "fault-%s: reset=%s: expected keep or clear",
                           info->name, val ?: "");
                return false;
            }
            r.clear_on_reset = !strcmp(val, "clear");
            break;
        default:
            if (!ena_fault_parse_uint(val, k == ENA_FK_HINT ? UINT16_MAX :
                                      UINT32_MAX, &v)) {
                error_setg(errp, "fault-%s: %s=%s is not a number in range",
                           info->name, key, val);
                return false;
            }
            if (k == ENA_FK_AT) {
                r.at = v;
            } else if (k == ENA_FK_COUNT) {
                r.count = v;
            } else if (k == ENA_FK_MATCH) {
                r.match = v;
            } else if (k == ENA_FK_FEATURE) {
                r.match2 = v;
            } else if (k == ENA_FK_STATUS || k == ENA_FK_FLAGS) {
                r.value = v;
                has_flags |= k == ENA_FK_FLAGS;
            } else {
                ((uint16_t *)&r.hints)[hint] = v;
            }
            break;
        }
    }
    if (a == ENA_FA_DELAY && !r.value) {
        error_setg(errp, "fault-%s: delay needs delay=TIME", info->name);
        return false;
    }
    if (has_flags && a != ENA_FA_ERROR) {
        error_setg(errp, "fault-%s: flags= goes with the error action only",
                   info->name);
        return false;
    }
    if (a == ENA_FA_ERROR && !r.value) {
        error_setg(errp, "fault-%s: error needs flags=N with a bit set "
                   "(1: timestamp, 2: error bound)", info->name);
        return false;
    }
    r.start_ns = after;
    *out = r;
    *dur_out = dur;
    return true;
}

bool ena_fault_set(ENAFaults *f, ENAFaultPoint p, const char *spec,
                   Error **errp)
{
    const ENAFaultPointInfo *info = &ena_fault_points[p];
    ENAFaultRule r;
    int64_t dur;

    if (!spec || !*spec || !strcmp(spec, "none")) {
        trace_ena_fault_set(info->name, "none");
        ena_fault_rule_clear(&f->rule[p]);
        f->edge(f->opaque, p, &f->rule[p], false);
        return true;
    }
    if (!ena_fault_parse(p, spec, &r, &dur, errp)) {
        return false;
    }

    /* before realize (from -device) times count from realize */
    r.start_ns += f->rule[p].timer ? ena_fault_now() : 0;
    if (dur >= 0) {
        r.end_ns = r.start_ns + dur;
    }
    r.spec = g_strdup(spec);
    r.hits = f->rule[p].hits;
    r.timer = f->rule[p].timer;
    g_free(f->rule[p].spec);
    f->rule[p] = r;
    trace_ena_fault_set(info->name, spec);
    ena_fault_arm(f, p);
    return true;
}

char *ena_fault_get(ENAFaults *f, ENAFaultPoint p)
{
    return g_strdup(f->rule[p].spec ?: "");
}

static bool ena_fault_window(ENAFaultRule *r, int64_t match, int64_t match2)
{
    int64_t now = ena_fault_now();

    return r->action != ENA_FA_NONE && now >= r->start_ns &&
           now < r->end_ns &&
           (r->match == ENA_FAULT_ANY || r->match == match) &&
           (r->match2 == ENA_FAULT_ANY || r->match2 == match2);
}

uint64_t *ena_fault_hits(ENAFaults *f, ENAFaultPoint p)
{
    return &f->rule[p].hits;
}

const ENAFaultRule *ena_fault_fire(ENAFaults *f, ENAFaultPoint p,
                                   uint32_t actions, int64_t match,
                                   int64_t match2)
{
    ENAFaultRule *r = &f->rule[p];

    if (!(actions & BIT(r->action)) || !ena_fault_window(r, match, match2)) {
        return NULL;
    }
    r->seen++;
    if ((r->at && r->seen < r->at) || !r->count) {
        return NULL;
    }
    if (r->count != UINT64_MAX) {
        r->count--;
    }
    r->fired = true;
    r->hits++;
    trace_ena_fault_fire(ena_fault_points[p].name,
                         ena_fault_action_names[r->action], match, r->hits);
    return r;
}

uint32_t ena_fault_peek(ENAFaults *f, ENAFaultPoint p, uint32_t actions,
                        int64_t match)
{
    ENAFaultRule *r = &f->rule[p];

    if (!(actions & BIT(r->action)) ||
        !ena_fault_window(r, match, ENA_FAULT_ANY) || !r->count ||
        (r->at && r->seen + 1 < r->at)) {
        return ENA_FA_NONE;
    }
    return r->action;
}

bool ena_fault_held(ENAFaults *f, ENAFaultPoint p, uint32_t action,
                    int64_t match)
{
    ENAFaultRule *r = &f->rule[p];

    if (r->action != action || !ena_fault_window(r, match, ENA_FAULT_ANY)) {
        return false;
    }
    r->fired = true;
    r->hits++;
    trace_ena_fault_fire(ena_fault_points[p].name,
                         ena_fault_action_names[r->action], match, r->hits);
    return true;
}

void ena_fault_device_reset(ENAFaults *f)
{
    for (int p = 0; p < ENA_FAULT__MAX; p++) {
        if (f->rule[p].clear_on_reset && f->rule[p].fired) {
            trace_ena_fault_set(ena_fault_points[p].name, "none (reset)");
            ena_fault_rule_clear(&f->rule[p]);
            f->edge(f->opaque, p, &f->rule[p], false);
        }
    }
}

void ena_fault_init(ENAFaults *f, ENAFaultEdgeFn *edge, void *opaque)
{
    f->edge = edge;
    f->opaque = opaque;
    for (int p = 0; p < ENA_FAULT__MAX; p++) {
        f->rule[p].match = ENA_FAULT_ANY;
    }
}

void ena_fault_realize(ENAFaults *f)
{
    for (int p = 0; p < ENA_FAULT__MAX; p++) {
        ENAFaultTimerCtx *c = &f->timer_ctx[p];
        ENAFaultRule *r = &f->rule[p];

        c->faults = f;
        c->point = p;
        r->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ena_fault_timer_cb, c);
        /* rules from -device count their times from realize */
        if (r->action != ENA_FA_NONE) {
            int64_t now = ena_fault_now();
            r->start_ns += now;
            if (r->end_ns != INT64_MAX) {
                r->end_ns += now;
            }
            ena_fault_arm(f, p);
        }
    }
}

void ena_fault_unrealize(ENAFaults *f)
{
    for (int p = 0; p < ENA_FAULT__MAX; p++) {
        ena_fault_rule_clear(&f->rule[p]);
        timer_free(f->rule[p].timer);
        f->rule[p].timer = NULL;
    }
}

/* Is rule @r, as loaded, one that ena_fault_set() could have made? */
static bool ena_fault_rule_valid(ENAFaultPoint p, const ENAFaultRule *r)
{
    ENAFaultRule want;
    int64_t dur;

    if (r->action == ENA_FA_NONE) {
        return !r->spec;
    }
    if (r->action >= ENA_FA__MAX ||
        !(ena_fault_points[p].actions & BIT(r->action)) || !r->spec ||
        !r->spec_len || r->spec[r->spec_len - 1] ||
        strlen(r->spec) + 1 != r->spec_len ||
        !ena_fault_parse(p, r->spec, &want, &dur, NULL)) {
        return false;
    }
    /* what the text says; the counters and times only as they can move */
    return want.action == r->action && want.match == r->match &&
           want.match2 == r->match2 && want.value == r->value &&
           want.at == r->at && want.clear_on_reset == r->clear_on_reset &&
           !memcmp(&want.hints, &r->hints, sizeof(want.hints)) &&
           r->count <= want.count && r->start_ns >= 0 &&
           (dur < 0 ? r->end_ns == INT64_MAX :
            r->end_ns >= r->start_ns && r->end_ns - r->start_ns == dur);
}

bool ena_fault_post_load(ENAFaults *f)
{
    int p;

    for (p = 0; p < ENA_FAULT__MAX; p++) {
        if (!ena_fault_rule_valid(p, &f->rule[p])) {
            trace_ena_fault_set(ena_fault_points[p].name,
                                "none (bad migration stream)");
            for (p = 0; p < ENA_FAULT__MAX; p++) {
                ena_fault_rule_clear(&f->rule[p]);
            }
            return false;
        }
    }
    for (p = 0; p < ENA_FAULT__MAX; p++) {
        ENAFaultRule *r = &f->rule[p];
        bool start = (ena_fault_points[p].timed & BIT(r->action)) &&
                     !r->started;

        /* an edge still to come has its timer (the stream carries it) */
        if (r->action != ENA_FA_NONE && !timer_pending(r->timer) &&
            (start || r->end_ns != INT64_MAX)) {
            timer_mod(r->timer, start ? r->start_ns : r->end_ns);
        }
    }
    return true;
}

static int ena_fault_rule_pre_save(void *opaque)
{
    ENAFaultRule *r = opaque;

    r->spec_len = r->spec ? strlen(r->spec) + 1 : 0;
    return 0;
}

/* The text is allocated as it is read: drop the one the rule had. */
static int ena_fault_rule_pre_load(void *opaque)
{
    ENAFaultRule *r = opaque;

    g_free(r->spec);
    r->spec = NULL;
    r->spec_len = 0;
    return 0;
}

static bool ena_fault_spec_len_ok(void *opaque, int version_id)
{
    ENAFaultRule *r = opaque;

    return r->spec_len <= ENA_FAULT_SPEC_MAX;
}

/*
 * The text goes with the rule, so that qom-get shows on the destination
 * what was set on the source; post_load checks that the two agree.
 */
const VMStateDescription vmstate_ena_fault_rule = {
    .name = "ena-fault-rule",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = ena_fault_rule_pre_save,
    .pre_load = ena_fault_rule_pre_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(action, ENAFaultRule),
        VMSTATE_INT64(start_ns, ENAFaultRule),
        VMSTATE_INT64(end_ns, ENAFaultRule),
        VMSTATE_UINT64(at, ENAFaultRule),
        VMSTATE_UINT64(count, ENAFaultRule),
        VMSTATE_UINT64(seen, ENAFaultRule),
        VMSTATE_INT64(match, ENAFaultRule),
        VMSTATE_INT64(match2, ENAFaultRule),
        VMSTATE_INT64(value, ENAFaultRule),
        VMSTATE_BOOL(clear_on_reset, ENAFaultRule),
        VMSTATE_BOOL(fired, ENAFaultRule),
        VMSTATE_BOOL(started, ENAFaultRule),
        VMSTATE_UINT16(hints.mmio_read_timeout, ENAFaultRule),
        VMSTATE_UINT16(hints.driver_watchdog_timeout, ENAFaultRule),
        VMSTATE_UINT16(hints.missing_tx_completion_timeout, ENAFaultRule),
        VMSTATE_UINT16(hints.missed_tx_completion_count_threshold_to_reset,
                       ENAFaultRule),
        VMSTATE_UINT16(hints.admin_completion_tx_timeout, ENAFaultRule),
        VMSTATE_UINT16(hints.netdev_wd_timeout, ENAFaultRule),
        VMSTATE_UINT64(hits, ENAFaultRule),
        VMSTATE_TIMER_PTR(timer, ENAFaultRule),
        VMSTATE_UINT32(spec_len, ENAFaultRule),
        VMSTATE_VALIDATE("spec_len <= ENA_FAULT_SPEC_MAX",
                         ena_fault_spec_len_ok),
        VMSTATE_VBUFFER_ALLOC_UINT32(spec, ENAFaultRule, 0, NULL, spec_len),
        VMSTATE_END_OF_LIST()
    }
};
