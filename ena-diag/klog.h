/*
 * ena-diag: the ena driver's kernel-log lines and the events they mean.
 *
 * The Linux ena driver prints text, not event ids. This module reads the
 * kernel log (/dev/kmsg, klogctl, or a saved `dmesg -r` file), keeps the
 * lines of the ena driver (and the PCIe hotplug lines that say a slot
 * lost its card), and gives each the id of the ENA troubleshooting guide
 * that it stands for, following the reset sequence across lines: the
 * cause line, "Trigger reset is on", and how the reset ended.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ENA_DIAG_KLOG_H
#define ENA_DIAG_KLOG_H

#include <stddef.h>
#include <stdio.h>

#define KLOG_BDF_LEN    16      /* "0000:00:01.0" and its NUL */

/* The guide's event ids (the Windows driver's System log ids). */
enum {
    EV_NONE             = 0,
    EV_OUT_OF_RESOURCES = 5001,
    EV_HW_ERROR         = 5002,
    EV_TIMEOUT          = 5005,
    EV_OP_TIMEOUT       = 5007,
    EV_RESET_FAILED     = 5032,
    EV_INITIALIZED      = 5200,
    EV_HALTED           = 5201,
    EV_PAUSED           = 5202,
    EV_RESTARTED        = 5203,
    EV_SHUT_DOWN        = 5204,
    EV_RESET            = 5205,
    EV_SURPRISE_REMOVED = 5206,
    EV_INIT_FAILED      = 5208,
    EV_RECOVERED        = 5210,
};

typedef struct KlogLine {
    double ts;                  /* seconds since boot; -1 unknown */
    int level;                  /* syslog level; -1 unknown */
    char bdf[KLOG_BDF_LEN];     /* the ENA function, "" if none */
    char port[KLOG_BDF_LEN];    /* a hotplug line's port, "" if none */
    char ifname[32];
    char *text;                 /* the message after the device prefix */
    int id;                     /* EV_*, or EV_NONE */
    const char *reason;         /* reset reason of a 5205/5210/5032 */
    const char *note;           /* why a line means what it means */
    unsigned flags;             /* KLF_* */
} KlogLine;

enum {
    KLF_MMIO_TIMEOUT = 1u << 0, /* a register read timed out */
    KLF_CAUSE        = 1u << 1, /* names the reason of the next reset */
    KLF_SLOT_GONE    = 1u << 2, /* pciehp: the slot lost its card */
};

typedef struct Klog {
    KlogLine *line;
    size_t n, cap;
    double now;                 /* uptime when read; last ts for a file */
} Klog;

/* Read the running kernel's log; 0, or -errno (message on stderr). */
int klog_read_kernel(Klog *log);
/* Read a saved log: `dmesg -r`, `dmesg` or plain lines. */
int klog_read_file(Klog *log, FILE *f);
/*
 * Give each line its event id. @port_of maps an ENA function to the PCIe
 * port above it (for hotplug lines), or NULL; it may be NULL.
 */
void klog_map(Klog *log, const char *(*port_of)(const char *bdf));
/*
 * Append an event ena-diag found itself (not a line of the log), such as
 * a function the log names that is gone from the bus. 0 or -ENOMEM.
 */
int klog_add_event(Klog *log, double ts, const char *bdf, int id,
                   const char *text, const char *note);
void klog_free(Klog *log);

/* "Adapter has been reset", ... ; NULL for an unknown id. */
const char *klog_event_text(int id);
/* Parse "500ms", "2s", "1m", "30" (s): seconds, or -1. */
double klog_parse_duration(const char *s);

#endif
