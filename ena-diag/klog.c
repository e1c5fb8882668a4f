/*
 * ena-diag: reading the kernel log and mapping the ena driver's lines to
 * the troubleshooting guide's events (klog.h).
 *
 * The strings are those of Debian's 6.1 and 6.12 ena.ko (the project's
 * docs/interface.md §9.3 has the catalogue); where the two kernels word
 * the same event differently, both are listed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <time.h>
#include <unistd.h>

#include "klog.h"

#define SYSLOG_ACTION_READ_ALL      3
#define SYSLOG_ACTION_SIZE_BUFFER   10

static const struct {
    int id;
    const char *text;
} event_texts[] = {
    { EV_OUT_OF_RESOURCES, "Hardware is out of resources" },
    { EV_HW_ERROR, "Adapter has detected a hardware error" },
    { EV_TIMEOUT, "Adapter has timed out on an operation that did not "
                  "complete in time" },
    { EV_OP_TIMEOUT, "Timed out during an operation" },
    { EV_RESET_FAILED, "Adapter has failed to reset the device" },
    { EV_INITIALIZED, "Adapter has been initialized" },
    { EV_HALTED, "Adapter has been halted" },
    { EV_PAUSED, "Adapter has been paused" },
    { EV_RESTARTED, "Adapter has been restarted" },
    { EV_SHUT_DOWN, "Adapter has been shut down" },
    { EV_RESET, "Adapter has been reset" },
    { EV_SURPRISE_REMOVED, "Adapter has been surprise removed" },
    { EV_INIT_FAILED, "Adapter initialization routine has failed" },
    { EV_RECOVERED, "Adapter has encountered and successfully recovered "
                    "an internal issue" },
};

const char *klog_event_text(int id)
{
    size_t i;

    for (i = 0; i < sizeof(event_texts) / sizeof(event_texts[0]); i++) {
        if (event_texts[i].id == id) {
            return event_texts[i].text;
        }
    }
    return NULL;
}

double klog_parse_duration(const char *s)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v < 0) {
        return -1;
    }
    if (!*end || !strcmp(end, "s")) {
        return v;
    }
    if (!strcmp(end, "ms")) {
        return v / 1000;
    }
    if (!strcmp(end, "m")) {
        return v * 60;
    }
    if (!strcmp(end, "h")) {
        return v * 3600;
    }
    return -1;
}

/*
 * What a line of the driver means. A line with a reason names the cause
 * of the reset that follows ("Trigger reset is on" carries it).
 */
typedef struct Rule {
    const char *needle;
    int id;
    const char *reason;
    unsigned flags;
    const char *note;
} Rule;

static const Rule rules[] = {
    { "Elastic Network Adapter (ENA) found at mem", EV_INITIALIZED, NULL, 0,
      "probe succeeded" },
    { "ENA device init failed", EV_INIT_FAILED, NULL, 0,
      "probe failed (the kernel may try it again later)" },
    /* register reads (readless or plain) that got no answer */
    { "Reading reg failed for timeout", EV_TIMEOUT, NULL, KLF_MMIO_TIMEOUT,
      "MMIO register read timed out" },
    { "Read failure: wrong offset provided", EV_TIMEOUT, NULL,
      KLF_MMIO_TIMEOUT, "MMIO register read answered for another register" },
    { "Reg read32 timeout occurred", EV_NONE, NULL, KLF_MMIO_TIMEOUT, NULL },
    { "Reg read timeout occurred", EV_NONE, NULL, KLF_MMIO_TIMEOUT, NULL },
    /* admin commands */
    { "didn't send a completion for the admin cmd", EV_OP_TIMEOUT, NULL, 0,
      "admin command timed out" },
    { "sent a completion but the driver didn't receive a MSI-X interrupt",
      EV_OP_TIMEOUT, NULL, 0, "admin completion without its interrupt" },
    { "Wait for completion (polling) timeout", EV_OP_TIMEOUT, NULL, 0,
      "admin command timed out (polling)" },
    /* an AENQ group ena has no handler for: FATAL_ERROR or WARNING */
    { "Unknown event was received or event with unimplemented handler",
      EV_HW_ERROR, NULL, 0,
      "the device raised an event ena does not handle (fatal error or "
      "warning)" },
    /* causes of the reset that follows */
    { "Keep alive watchdog timeout", EV_NONE, "KEEP_ALIVE_TO", KLF_CAUSE,
      NULL },
    { "ENA admin queue is not in running state", EV_NONE, "ADMIN_TO",
      KLF_CAUSE, NULL },
    /* 6.1 */
    { "The number of lost tx completions is above the threshold", EV_NONE,
      "MISS_TX_CMPL", KLF_CAUSE, NULL },
    /* 6.12 */
    { "Lost TX completions are above the threshold", EV_NONE,
      "MISS_TX_CMPL", KLF_CAUSE, NULL },
    { "Potential MSIX issue on", EV_NONE, "MISS_INTERRUPT", KLF_CAUSE, NULL },
    /* 6.1's ndo_tx_timeout, then 6.12's */
    { "Transmit time out", EV_NONE, "OS_NETDEV_WD", KLF_CAUSE, NULL },
    { "is paused for too long (threshold", EV_NONE, "OS_NETDEV_WD",
      KLF_CAUSE, NULL },
    { "napi handler hasn't been called for a long time but is scheduled",
      EV_NONE, "SUSPECTED_POLL_STARVATION", KLF_CAUSE, NULL },
    { "Invalid req_id", EV_NONE, "INV_TX_REQ_ID", KLF_CAUSE, NULL },
    { "Invalid req id", EV_NONE, "INV_RX_REQ_ID", KLF_CAUSE, NULL },
    { "Too many RX cdescs", EV_NONE, "TOO_MANY_RX_DESCS", KLF_CAUSE, NULL },
    { "First bit is on in descriptor", EV_NONE, "RX_DESCRIPTOR_MALFORMED",
      KLF_CAUSE, NULL },
    /* the reset itself and its end */
    { "Trigger reset is on", EV_RESET, NULL, 0, "reset started" },
    { "Reset attempt failed", EV_RESET_FAILED, NULL, 0,
      "the driver could not restore the device" },
    { "Device reset completed successfully", EV_RECOVERED, NULL, 0,
      "reset completed" },
    { "Device reset failed", EV_RESET_FAILED, NULL, 0,
      "the device did not complete its reset" },
    { "Failed to enable MSI-X", EV_OUT_OF_RESOURCES, NULL, 0,
      "no MSI-X vectors" },
};

static void line_add(Klog *log, double ts, int level, const char *msg);

static char *skip_ws(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

/* "<6>[    4.38] msg", "[    4.38] msg" or "msg" */
static void parse_text_line(Klog *log, char *s)
{
    int level = -1;
    double ts = -1;
    char *end;

    if (s[0] == '<' && isdigit((unsigned char)s[1])) {
        level = (int)strtol(s + 1, &end, 10) & 7;
        s = *end == '>' ? end + 1 : s;
    }
    if (*s == '[') {
        char *close;

        ts = strtod(s + 1, &end);
        close = end != s + 1 ? strchr(end, ']') : NULL;
        if (close) {
            s = skip_ws(close + 1);
        } else {
            ts = -1;
        }
    }
    line_add(log, ts, level, s);
}

int klog_read_file(Klog *log, FILE *f)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;

    while ((len = getline(&buf, &cap, f)) >= 0) {
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
            buf[--len] = 0;
        }
        parse_text_line(log, buf);
    }
    free(buf);
    log->now = log->n ? log->line[log->n - 1].ts : 0;
    return 0;
}

static double uptime_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* /dev/kmsg: one record per read, "pri,seq,usec,flags[,...];text\n...". */
static int read_kmsg(Klog *log)
{
    char rec[8192];
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return -errno;
    }
    for (;;) {
        unsigned long long usec;
        int pri;
        char *text, *nl;

        n = read(fd, rec, sizeof(rec) - 1);
        if (n < 0 && errno == EPIPE) {
            continue;           /* overwritten while we read: go on */
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        rec[n] = 0;
        text = strchr(rec, ';');
        if (!text || sscanf(rec, "%d,%*u,%llu", &pri, &usec) != 2) {
            continue;
        }
        text++;
        nl = strchr(text, '\n');
        if (nl) {
            *nl = 0;
        }
        line_add(log, usec / 1e6, pri & 7, text);
    }
    n = errno;
    close(fd);
    return n == EAGAIN || n == 0 ? 0 : -(int)n;
}

int klog_read_kernel(Klog *log)
{
    int rc = read_kmsg(log);
    int size;
    char *buf, *s, *nl;

    log->now = uptime_now();
    if (rc == 0) {
        return 0;
    }
    /* no /dev/kmsg (or not readable): the syslog(2) buffer */
    size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
    if (size <= 0) {
        fprintf(stderr, "ena-diag: cannot read the kernel log: /dev/kmsg: "
                "%s; klogctl: %s\n", strerror(-rc), strerror(errno));
        return -errno;
    }
    buf = malloc(size + 1);
    if (!buf) {
        return -ENOMEM;
    }
    size = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
    if (size < 0) {
        rc = -errno;
        fprintf(stderr, "ena-diag: cannot read the kernel log: %s\n",
                strerror(errno));
        free(buf);
        return rc;
    }
    buf[size] = 0;
    for (s = buf; *s; s = nl + 1) {
        nl = strchrnul(s, '\n');
        if (!*nl) {
            parse_text_line(log, s);
            break;
        }
        *nl = 0;
        parse_text_line(log, s);
    }
    free(buf);
    return 0;
}

/* "dddd:bb:dd.f" at @s: its length (12), or 0. */
static size_t bdf_at(const char *s)
{
    static const char pat[] = "xxxx:xx:xx.x";
    size_t i;

    for (i = 0; pat[i]; i++) {
        if (pat[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != pat[i]) {
            return 0;
        }
    }
    return i;
}

/* A statistics dump line ("wd_expired: 1"), printed by every reset. */
static bool is_stat_dump(const char *t)
{
    const char *p = t;

    while (isalnum((unsigned char)*p) || *p == '_') {
        p++;
    }
    if (p == t || p[0] != ':' || p[1] != ' ') {
        return false;
    }
    p += 2;
    if (*p == '-') {
        p++;
    }
    if (!isdigit((unsigned char)*p)) {
        return false;
    }
    while (isdigit((unsigned char)*p)) {
        p++;
    }
    return *p == 0;
}

static int push_line(Klog *log, KlogLine *l, const char *text)
{
    if (log->n == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 64;
        KlogLine *nl = realloc(log->line, cap * sizeof(*nl));

        if (!nl) {
            return -ENOMEM;
        }
        log->line = nl;
        log->cap = cap;
    }
    l->text = strdup(text);
    if (!l->text) {
        return -ENOMEM;
    }
    log->line[log->n++] = *l;
    return 0;
}

static void line_add(Klog *log, double ts, int level, const char *msg)
{
    KlogLine l = { .ts = ts, .level = level };
    const char *text = NULL, *p;
    const char *wd = strstr(msg, "NETDEV WATCHDOG: ");
    size_t bl = 0;

    if (!strncmp(msg, "ena ", 4)) {
        bl = bdf_at(msg + 4);
    } else if (!strncmp(msg, "pcieport ", 9)) {
        bl = bdf_at(msg + 9);
    }
    if (!strncmp(msg, "ena ", 4) && bl) {
        memcpy(l.bdf, msg + 4, bl);
        p = msg + 4 + bl;
        if (p[0] == ':' && p[1] == ' ') {
            text = p + 2;
        } else if (p[0] == ' ') {
            const char *colon = strstr(p, ": ");

            if (!colon) {
                return;
            }
            if (p[1] != '(' && (size_t)(colon - p - 1) < sizeof(l.ifname)) {
                memcpy(l.ifname, p + 1, colon - p - 1);
            }
            text = colon + 2;
        } else {
            return;
        }
    } else if (!strncmp(msg, "ena: ", 5)) {
        text = msg + 5;
        p = strstr(text, "probe of ");
        bl = p ? bdf_at(p + 9) : 0;
        if (bl) {
            memcpy(l.bdf, p + 9, bl);
        }
    } else if (!strncmp(msg, "pcieport ", 9) && bl &&
               strstr(msg, "pciehp: ")) {
        memcpy(l.port, msg + 9, bl);
        text = strstr(msg, "pciehp: ") + 8;
        if (strstr(text, "Card not present") || strstr(text, "Link Down") ||
            strstr(text, "Powering off due to button press")) {
            l.flags |= KLF_SLOT_GONE;
        }
    } else if (wd && strstr(wd, "(ena)")) {
        /* the kernel's TX watchdog: "NETDEV WATCHDOG: eth0 (ena): ..." */
        const char *sp;

        p = wd + 17;
        sp = strchr(p, ' ');
        if (sp && (size_t)(sp - p) < sizeof(l.ifname)) {
            memcpy(l.ifname, p, sp - p);
        }
        text = msg;
    }
    if (!text || is_stat_dump(text)) {
        return;
    }
    push_line(log, &l, text);
}

/* Per function: the reset in progress and its cause. */
typedef struct DevState {
    char bdf[KLOG_BDF_LEN];
    const char *cause;          /* last cause line since the last reset */
    const char *reason;         /* the reset in progress */
    bool in_reset, failed;
} DevState;

static DevState *state_of(DevState *st, size_t *n, size_t cap,
                          const char *bdf)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (!strcmp(st[i].bdf, bdf)) {
            return &st[i];
        }
    }
    if (*n == cap) {
        return NULL;
    }
    memset(&st[*n], 0, sizeof(st[*n]));
    snprintf(st[*n].bdf, sizeof(st[*n].bdf), "%s", bdf);
    return &st[(*n)++];
}

void klog_map(Klog *log, const char *(*port_of)(const char *bdf))
{
    DevState st[64];
    size_t nst = 0, i, j, r;

    for (i = 0; i < log->n; i++) {
        KlogLine *l = &log->line[i];
        DevState *d;

        /* a line that names only the interface: the function it was on */
        if (!l->bdf[0] && l->ifname[0]) {
            for (j = i; j-- > 0;) {
                if (log->line[j].bdf[0] &&
                    !strcmp(log->line[j].ifname, l->ifname)) {
                    memcpy(l->bdf, log->line[j].bdf, sizeof(l->bdf));
                    break;
                }
            }
            if (!l->bdf[0]) {
                continue;
            }
            l->flags |= KLF_CAUSE;
            l->reason = "OS_NETDEV_WD";
        }
        if (l->port[0]) {
            /* the slot of a function the driver had: it was removed */
            if (!(l->flags & KLF_SLOT_GONE) || !port_of) {
                continue;
            }
            for (j = 0; j < nst; j++) {
                const char *port = port_of(st[j].bdf);

                if (port && !strcmp(port, l->port)) {
                    memcpy(l->bdf, st[j].bdf, sizeof(l->bdf));
                    l->id = EV_SURPRISE_REMOVED;
                    l->note = "its PCIe slot lost the card";
                    port = NULL;
                    break;
                }
            }
            continue;
        }
        if (!l->bdf[0]) {
            continue;
        }
        d = state_of(st, &nst, sizeof(st) / sizeof(st[0]), l->bdf);
        for (r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
            if (strstr(l->text, rules[r].needle)) {
                break;
            }
        }
        if (r == sizeof(rules) / sizeof(rules[0])) {
            continue;
        }
        l->id = rules[r].id;
        l->note = rules[r].note;
        l->flags |= rules[r].flags;
        if (rules[r].reason) {
            l->reason = rules[r].reason;
        }
        if (!d) {
            continue;
        }
        if (l->flags & KLF_CAUSE) {
            d->cause = l->reason;
        }
        switch (l->id) {
        case EV_INITIALIZED:
            d->in_reset = d->failed = false;
            d->cause = NULL;
            break;
        case EV_RESET:
            d->reason = l->reason = d->cause ? d->cause : "unknown";
            d->cause = NULL;
            d->in_reset = true;
            d->failed = false;
            break;
        case EV_RESET_FAILED:
            if (strstr(l->text, "Device reset failed") && d->in_reset) {
                /* part of the reset under way; its end says the rest */
                l->id = EV_NONE;
                break;
            }
            l->reason = d->in_reset ? d->reason : NULL;
            d->failed = true;
            break;
        case EV_RECOVERED:
            /* 6.1 and 6.12 print it after a failed restore too */
            if (!d->in_reset || d->failed) {
                l->id = EV_NONE;
                l->note = d->failed ? "printed after the failed attempt: "
                          "the device was not restored" : NULL;
            } else {
                l->reason = d->reason;
            }
            d->in_reset = false;
            break;
        }
    }
}

int klog_add_event(Klog *log, double ts, const char *bdf, int id,
                   const char *text, const char *note)
{
    KlogLine l = { .ts = ts, .level = -1, .id = id, .note = note };

    snprintf(l.bdf, sizeof(l.bdf), "%s", bdf);
    return push_line(log, &l, text);
}

void klog_free(Klog *log)
{
    size_t i;

    for (i = 0; i < log->n; i++) {
        free(log->line[i].text);
    }
    free(log->line);
    memset(log, 0, sizeof(*log));
}
