/*
 * ENA reference driver: event log.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ena_evlog.h"
#include "ena_util.h"
#include "hw/ena/ena_hw.h"

const char *ena_reset_reason_str(uint32_t reason)
{
    const char *name = ena_regs_reset_reason_name(reason);

    return name ? name : "?";
}

const char *ena_evlog_id_name(uint16_t id)
{
    switch (id) {
    case ENA_EV_OUT_OF_RESOURCES:
        return "out-of-resources";
    case ENA_EV_HW_ERROR:
        return "hardware-error";
    case ENA_EV_TIMEOUT:
        return "timeout";
    case ENA_EV_ADMIN_TIMEOUT:
        return "admin-timeout";
    case ENA_EV_RESET_FAILED:
        return "reset-failed";
    case ENA_EV_INITIALIZED:
        return "initialized";
    case ENA_EV_HALTED:
        return "halted";
    case ENA_EV_PAUSED:
        return "paused";
    case ENA_EV_RESTARTED:
        return "restarted";
    case ENA_EV_SHUT_DOWN:
        return "shut-down";
    case ENA_EV_RESET_STARTED:
        return "reset-started";
    case ENA_EV_SURPRISE_REMOVED:
        return "surprise-removed";
    case ENA_EV_INIT_FAILED:
        return "init-failed";
    case ENA_EV_RECOVERED:
        return "recovered";
    default:
        return "?";
    }
}

void ena_evlog_init(EnaEvlog *log)
{
    ena_mem_zero(log, sizeof(*log));
}

void ena_evlog_add(EnaEvlog *log, uint64_t ts_ns, uint16_t id, uint8_t reason,
                   uint64_t detail, const char *msg)
{
    EnaEvent *ev = &log->ring[log->total % ENA_EVLOG_SIZE];

    ev->seq = log->total;
    ev->ts_ns = ts_ns;
    ev->id = id;
    ev->reason = reason;
    ev->detail = detail;
    ev->msg = msg;
    log->total++;
}

uint32_t ena_evlog_count(const EnaEvlog *log)
{
    return log->total < ENA_EVLOG_SIZE ? (uint32_t)log->total :
                                         ENA_EVLOG_SIZE;
}

uint64_t ena_evlog_dropped(const EnaEvlog *log)
{
    return log->total - ena_evlog_count(log);
}

const EnaEvent *ena_evlog_get(const EnaEvlog *log, uint32_t i)
{
    if (i >= ena_evlog_count(log)) {
        return NULL;
    }
    return &log->ring[(ena_evlog_dropped(log) + i) % ENA_EVLOG_SIZE];
}

uint32_t ena_evlog_count_id(const EnaEvlog *log, uint16_t id)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < ena_evlog_count(log); i++) {
        n += ena_evlog_get(log, i)->id == id;
    }
    return n;
}

/* snprintf-like appender: counts everything, stores what fits. */
typedef struct EnaOut {
    char *buf;
    size_t size;
    size_t len;
} EnaOut;

static void ena_out_char(EnaOut *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void ena_out_str(EnaOut *o, const char *s)
{
    while (*s) {
        ena_out_char(o, *s++);
    }
}

/* Unsigned decimal, zero-padded to at least @width digits. */
static void ena_out_u64(EnaOut *o, uint64_t v, unsigned width)
{
    char tmp[20];
    unsigned n = 0;

    do {
        tmp[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (n < width && n < sizeof(tmp)) {
        tmp[n++] = '0';
    }
    while (n) {
        ena_out_char(o, tmp[--n]);
    }
}

static void ena_out_end(EnaOut *o)
{
    if (o->size) {
        o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
    }
}

static void ena_evlog_format_into(const EnaEvent *ev, EnaOut *o)
{
    ena_out_u64(o, ev->ts_ns / ENA_NS_PER_SEC, 1);
    ena_out_char(o, '.');
    ena_out_u64(o, ev->ts_ns % ENA_NS_PER_SEC, 9);
    ena_out_char(o, ' ');
    ena_out_u64(o, ev->id, 1);
    ena_out_char(o, ' ');
    ena_out_str(o, ena_evlog_id_name(ev->id));
    ena_out_str(o, " reason=");
    if (ev->reason == ENA_EVLOG_NO_REASON) {
        ena_out_char(o, '-');
    } else {
        ena_out_str(o, ena_reset_reason_str(ev->reason));
        ena_out_char(o, '(');
        ena_out_u64(o, ev->reason, 1);
        ena_out_char(o, ')');
    }
    ena_out_str(o, " detail=");
    ena_out_u64(o, ev->detail, 1);
    if (ev->msg && ev->msg[0]) {
        ena_out_char(o, ' ');
        ena_out_str(o, ev->msg);
    }
    ena_out_char(o, '\n');
}

size_t ena_evlog_format(const EnaEvent *ev, char *buf, size_t size)
{
    EnaOut o = { .buf = buf, .size = size };

    ena_evlog_format_into(ev, &o);
    ena_out_end(&o);
    return o.len;
}

size_t ena_evlog_format_all(const EnaEvlog *log, char *buf, size_t size)
{
    EnaOut o = { .buf = buf, .size = size };

    for (uint32_t i = 0; i < ena_evlog_count(log); i++) {
        ena_evlog_format_into(ena_evlog_get(log, i), &o);
    }
    ena_out_end(&o);
    return o.len;
}

size_t ena_text_line(char *buf, size_t size, size_t len, const char *key,
                     const char *str, uint64_t val)
{
    EnaOut o = { .buf = buf, .size = size, .len = len };

    if (len >= size) {
        return len;
    }
    ena_out_str(&o, key);
    ena_out_char(&o, ' ');
    if (str) {
        ena_out_str(&o, str);
    } else {
        ena_out_u64(&o, val, 1);
    }
    ena_out_char(&o, '\n');
    ena_out_end(&o);
    /* once full, the buffer stays as it is */
    return o.len < size ? o.len : size - 1;
}
