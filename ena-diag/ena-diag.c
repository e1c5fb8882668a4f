/*
 * ena-diag: the ENA troubleshooting guide's four steps for Linux.
 *
 *   status   every ENA PCI function and one verdict for each
 *   events   the ena driver's kernel-log lines as the guide's events
 *   metrics  allowance counters and packet/byte rates per interval
 *   tune     ring sizes, queues, RSS and MTU against the guide
 *
 * It reads only what a real instance has: PCI config space (libpci),
 * sysfs, BAR0's read-only registers (when the kernel lets it map them),
 * the ethtool ioctls and the kernel log. It changes nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pci/pci.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "klog.h"

#define ENA_VENDOR          0x1d0f
#define SYSFS_PCI           "/sys/bus/pci/devices"

/* BAR0 registers that reading does not disturb (docs/interface.md §2) */
#define REG_VERSION         0x00
#define REG_CTRL_VERSION    0x04
#define REG_CAPS            0x08
#define REG_DEV_STS         0x58
#define DEV_STS_READY       (1u << 0)
#define DEV_STS_RESET_IN_PROGRESS (1u << 3)
#define DEV_STS_FATAL_ERROR (1u << 5)

/* a reset loop: this many resets started within the window */
#define LOOP_RESETS         3
#define LOOP_WINDOW_S       300.0

/* the guide's performance settings */
#define RX_RING_DEFAULT     1024
#define RX_RING_MAX         8192
#define QUEUES_MAX          32
#define RSS_SKIP_CPU0_OVER  16
#define JUMBO_MTU           9001

static const struct {
    uint16_t id;
    const char *name;
} ena_ids[] = {
    { 0x0ec2, "ENA PF" },
    { 0x1ec2, "ENA PF (LLQ)" },
    { 0xec20, "ENA VF" },
    { 0xec21, "ENA VF (LLQ)" },
    { 0x0051, "ENA (reserved id)" },
};

/* What is wrong with a function, most serious first. */
typedef enum Problem {
    P_OK,
    P_REMOVED,
    P_NOT_RESPONDING,
    P_FATAL,
    P_PROBE_FAILED,
    P_NO_DRIVER,
    P_RESET_FAILED,
    P_RESET_LOOP,
    P_MMIO_TIMEOUTS,
    P_LINK_DOWN,
    P_COUNT
} Problem;

static const struct {
    const char *code;
    const char *text;
} problems[P_COUNT] = {
    [P_OK] = { "ok", "This device is working properly" },
    [P_REMOVED] = { "removed", "The device was removed: the driver had it, "
                               "the PCI bus has it no more" },
    [P_NOT_RESPONDING] = { "not-responding",
                           "The device does not respond (config space "
                           "reads all ones)" },
    [P_FATAL] = { "fatal-error", "The device is in fatal error "
                                 "(DEV_STS.FATAL_ERROR)" },
    [P_PROBE_FAILED] = { "probe-failed", "The driver failed to probe the "
                                         "device" },
    [P_NO_DRIVER] = { "no-driver", "No driver is bound to the device" },
    [P_RESET_FAILED] = { "reset-failed", "The driver failed to reset the "
                                         "device; it is not in use" },
    [P_RESET_LOOP] = { "reset-loop", "The device is in a reset loop" },
    [P_MMIO_TIMEOUTS] = { "mmio-timeouts", "MMIO register reads time out" },
    [P_LINK_DOWN] = { "link-down", "The link is down" },
};

typedef struct Stats {
    size_t n;
    char (*name)[ETH_GSTRING_LEN];
    uint64_t *val;
} Stats;

typedef struct Func {
    struct pci_dev *pdev;       /* NULL: known from the log only */
    char bdf[KLOG_BDF_LEN];
    char port[KLOG_BDF_LEN];    /* the PCIe port above it, if any */
    uint16_t device_id;
    uint8_t rev;
    const char *model;
    char driver[64];
    char drv_version[64];
    char ifname[IF_NAMESIZE];
    bool up, carrier;
    char operstate[16];
    /* config space */
    bool cfg_ones;
    uint16_t command, status;
    int msix_size;              /* -1 none */
    bool msix_enabled;
    bool stats_skipped;         /* not asked: the device is not answering */
    /* BAR0 */
    bool bar_read;
    char bar_err[160];
    uint32_t reg_version, reg_ctrl_version, reg_caps, reg_dev_sts;
    /* the log */
    int resets, resets_recent, recovered, init_failed, mmio_timeouts;
    int failed_resets;
    const char *last_reason;
    double last_reset_ts;
    bool log_removed, log_failed_last, log_init_failed_last;
    /* verdict */
    bool problem[P_COUNT];
    Problem verdict;
    Stats st;
} Func;

static struct pci_access *pacc;
static Func funcs[64];
static size_t nfuncs;
static Klog klog;
static bool opt_json;
static bool opt_brief;
static const char *opt_device;
static const char *opt_log_file;

/* ------------------------------------------------------------------ */
/* JSON output: a streaming writer, one document per call site. */

static int json_depth;
static bool json_need_comma[32];

static void json_sep(void)
{
    if (json_depth && json_need_comma[json_depth]) {
        putchar(',');
    }
    if (json_depth) {
        json_need_comma[json_depth] = true;
    }
}

static void json_str_raw(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = *s;

        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20) {
            printf("\\u%04x", c);
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

static void json_key(const char *k)
{
    json_sep();
    json_str_raw(k);
    putchar(':');
    json_need_comma[json_depth] = false;
    json_depth++;              /* the value follows without a comma */
}

static void json_val_done(void)
{
    json_depth--;
    json_need_comma[json_depth] = true;
}

static void json_open(const char *key, char c)
{
    if (key) {
        json_key(key);
        json_depth--;
    } else {
        json_sep();
    }
    putchar(c);
    json_depth++;
    json_need_comma[json_depth] = false;
}

static void json_close(char c)
{
    putchar(c);
    json_depth--;
    if (json_depth) {
        json_need_comma[json_depth] = true;
    } else {
        putchar('\n');
    }
}

static void json_s(const char *k, const char *v)
{
    if (k) {
        json_key(k);
    } else {
        json_sep();
        json_depth++;
    }
    if (v) {
        json_str_raw(v);
    } else {
        fputs("null", stdout);
    }
    json_val_done();
}

static void json_i(const char *k, long long v)
{
    json_key(k);
    printf("%lld", v);
    json_val_done();
}

static void json_u(const char *k, unsigned long long v)
{
    json_key(k);
    printf("%llu", v);
    json_val_done();
}

static void json_b(const char *k, bool v)
{
    json_key(k);
    fputs(v ? "true" : "false", stdout);
    json_val_done();
}

static void json_f(const char *k, double v)
{
    json_key(k);
    if (v < 0) {
        fputs("null", stdout);
    } else {
        printf("%.6f", v);
    }
    json_val_done();
}

/* ------------------------------------------------------------------ */
/* sysfs and ethtool */

/* Copy @src into @dst of @size, cut short if need be. */
static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);

    memcpy(dst, src, n);
    dst[n] = 0;
}

static int read_sysfs(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return -errno;
    }
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) {
        return -errno;
    }
    buf[n] = 0;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) {
        buf[--n] = 0;
    }
    return 0;
}

static int ethtool_ioctl(const char *ifname, void *cmd)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

    if (fd < 0) {
        return -errno;
    }
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    ifr.ifr_data = cmd;
    if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
        rc = -errno;
    }
    close(fd);
    return rc;
}

static void stats_free(Stats *st)
{
    free(st->name);
    free(st->val);
    memset(st, 0, sizeof(*st));
}

/* Every `ethtool -S` counter of @ifname. */
static int stats_read(const char *ifname, Stats *st)
{
    struct {
        struct ethtool_sset_info hdr;
        uint32_t len;
    } sset = { .hdr = { .cmd = ETHTOOL_GSSET_INFO,
                        .sset_mask = 1ull << ETH_SS_STATS } };
    struct ethtool_gstrings *gs;
    struct ethtool_stats *es;
    size_t n;
    int rc;

    memset(st, 0, sizeof(*st));
    rc = ethtool_ioctl(ifname, &sset);
    if (rc) {
        return rc;
    }
    n = sset.hdr.sset_mask ? sset.len : 0;
    gs = calloc(1, sizeof(*gs) + n * ETH_GSTRING_LEN);
    es = calloc(1, sizeof(*es) + n * sizeof(uint64_t));
    if (!gs || !es) {
        free(gs);
        free(es);
        return -ENOMEM;
    }
    gs->cmd = ETHTOOL_GSTRINGS;
    gs->string_set = ETH_SS_STATS;
    gs->len = n;
    es->cmd = ETHTOOL_GSTATS;
    es->n_stats = n;
    rc = ethtool_ioctl(ifname, gs);
    if (!rc) {
        rc = ethtool_ioctl(ifname, es);
    }
    /* the set may have changed between the calls: keep what agrees */
    if (!rc) {
        n = gs->len < es->n_stats ? gs->len : es->n_stats;
        st->name = malloc(n * ETH_GSTRING_LEN + 1);
        st->val = malloc(n * sizeof(uint64_t) + 1);
        if (st->name && st->val) {
            memcpy(st->name, gs->data, n * ETH_GSTRING_LEN);
            memcpy(st->val, es->data, n * sizeof(uint64_t));
            st->n = n;
            for (size_t i = 0; i < n; i++) {
                st->name[i][ETH_GSTRING_LEN - 1] = 0;
            }
        } else {
            rc = -ENOMEM;
        }
    }
    free(gs);
    free(es);
    return rc;
}

/* Counter @name, or -1. */
static long long stat_get(const Stats *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++) {
        if (!strcmp(st->name[i], name)) {
            return (long long)st->val[i];
        }
    }
    return -1;
}

/* The sum of every counter whose name ends in @suffix, or -1. */
static long long stat_sum_suffix(const Stats *st, const char *suffix)
{
    size_t ls = strlen(suffix);
    long long sum = -1;

    for (size_t i = 0; i < st->n; i++) {
        size_t l = strlen(st->name[i]);

        if (l >= ls && !strcmp(st->name[i] + l - ls, suffix)) {
            sum = (sum < 0 ? 0 : sum) + (long long)st->val[i];
        }
    }
    return sum;
}

static bool is_allowance(const char *name)
{
    return strstr(name, "_allowance_") != NULL;
}

/* ------------------------------------------------------------------ */
/* discovery */

static const char *model_of(uint16_t id)
{
    for (size_t i = 0; i < sizeof(ena_ids) / sizeof(ena_ids[0]); i++) {
        if (ena_ids[i].id == id) {
            return ena_ids[i].name;
        }
    }
    return NULL;
}

static Func *func_by_bdf(const char *bdf)
{
    for (size_t i = 0; i < nfuncs; i++) {
        if (!strcmp(funcs[i].bdf, bdf)) {
            return &funcs[i];
        }
    }
    return NULL;
}

/* The PCIe port above a function: for the log's hotplug lines. */
static const char *port_of(const char *bdf)
{
    static char port[KLOG_BDF_LEN];
    Func *f = func_by_bdf(bdf);
    unsigned dom, bus, dev, fn;
    struct pci_dev *d;

    if (f && f->port[0]) {
        return f->port;
    }
    /* gone from the bus: the bridge whose secondary bus it was on */
    if (!pacc || sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4) {
        return NULL;
    }
    for (d = pacc->devices; d; d = d->next) {
        pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
        if (d->device_class != PCI_CLASS_BRIDGE_PCI ||
            (unsigned)d->domain != dom ||
            pci_read_byte(d, PCI_SECONDARY_BUS) != bus) {
            continue;
        }
        snprintf(port, sizeof(port), "%04x:%02x:%02x.%x", d->domain, d->bus,
                 d->dev, d->func);
        return port;
    }
    return NULL;
}

static void read_config(Func *f)
{
    struct pci_dev *d = f->pdev;
    struct pci_cap *cap;

    f->msix_size = -1;
    if (pci_read_word(d, PCI_VENDOR_ID) == 0xffff) {
        f->cfg_ones = true;
        return;
    }
    f->command = pci_read_word(d, PCI_COMMAND);
    f->status = pci_read_word(d, PCI_STATUS);
    cap = pci_find_cap(d, PCI_CAP_ID_MSIX, PCI_CAP_NORMAL);
    if (cap) {
        uint16_t ctl = pci_read_word(d, cap->addr + 2 /* message control */);

        f->msix_size = (ctl & PCI_MSIX_TABSIZE) + 1;
        f->msix_enabled = ctl & PCI_MSIX_ENABLE;
    }
}

/*
 * VERSION, CONTROLLER_VERSION, CAPS and DEV_STS with plain loads. These
 * have no read side effects. A kernel with CONFIG_IO_STRICT_DEVMEM (as
 * Debian's) refuses the mapping while ena holds the BAR; booting with
 * iomem=relaxed allows it.
 */
static void read_bar0(Func *f)
{
    char path[PATH_MAX];
    volatile uint32_t *regs;    /* device registers: one load each */
    int fd;

    snprintf(path, sizeof(path), SYSFS_PCI "/%s/resource0", f->bdf);
    fd = open(path, O_RDONLY | O_SYNC | O_CLOEXEC);
    if (fd < 0) {
        snprintf(f->bar_err, sizeof(f->bar_err), "resource0: %s",
                 strerror(errno));
        return;
    }
    regs = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    if (regs == MAP_FAILED) {
        snprintf(f->bar_err, sizeof(f->bar_err), "cannot map BAR0: %s%s",
                 strerror(errno), f->driver[0] ?
                 " (the kernel keeps it for the driver; boot with "
                 "iomem=relaxed to allow reading it)" : "");
        close(fd);
        return;
    }
    f->reg_version = regs[REG_VERSION / 4];
    f->reg_ctrl_version = regs[REG_CTRL_VERSION / 4];
    f->reg_caps = regs[REG_CAPS / 4];
    f->reg_dev_sts = regs[REG_DEV_STS / 4];
    f->bar_read = true;
    munmap((void *)regs, 4096);
    close(fd);
}

static void read_netdev(Func *f)
{
    char path[PATH_MAX], buf[64];
    struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
    struct dirent *de;
    DIR *dir;

    snprintf(path, sizeof(path), SYSFS_PCI "/%s/net", f->bdf);
    dir = opendir(path);
    if (!dir) {
        return;
    }
    while ((de = readdir(dir))) {
        if (de->d_name[0] != '.') {
            copy_str(f->ifname, sizeof(f->ifname), de->d_name);
            break;
        }
    }
    closedir(dir);
    if (!f->ifname[0]) {
        return;
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/flags", f->ifname);
    if (!read_sysfs(path, buf, sizeof(buf))) {
        f->up = strtoul(buf, NULL, 0) & IFF_UP;
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", f->ifname);
    f->carrier = !read_sysfs(path, buf, sizeof(buf)) && !strcmp(buf, "1");
    snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", f->ifname);
    if (read_sysfs(path, f->operstate, sizeof(f->operstate))) {
        snprintf(f->operstate, sizeof(f->operstate), "unknown");
    }
    if (!ethtool_ioctl(f->ifname, &di)) {
        snprintf(f->drv_version, sizeof(f->drv_version), "%s", di.version);
    }
    /*
     * ena answers `ethtool -S` with GET_STATS admin commands; a device that
     * has stopped answering would time out and the driver would reset it
     * for the admin timeout, a story of ena-diag's making. Leave it alone.
     */
    if (f->bar_read && (f->reg_dev_sts == 0xffffffff ||
                        (f->reg_dev_sts & DEV_STS_FATAL_ERROR))) {
        f->stats_skipped = true;
        return;
    }
    stats_read(f->ifname, &f->st);
}

static void read_driver(Func *f)
{
    char path[PATH_MAX], link[PATH_MAX];
    ssize_t n;

    snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", f->bdf);
    n = readlink(path, link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = 0;
        copy_str(f->driver, sizeof(f->driver), strrchr(link, '/') ?
                 strrchr(link, '/') + 1 : link);
    }
    if (!strcmp(f->driver, "ena")) {
        /* the out-of-tree driver has a module version; in-tree has none */
        if (read_sysfs("/sys/module/ena/version", f->drv_version,
                       sizeof(f->drv_version))) {
            f->drv_version[0] = 0;
        }
    }
}

static void discover(bool full)
{
    struct pci_dev *d;

    pacc = pci_alloc();
    pci_init(pacc);
    pci_scan_bus(pacc);
    for (d = pacc->devices; d && nfuncs < sizeof(funcs) / sizeof(funcs[0]);
         d = d->next) {
        Func *f;

        pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS |
                      PCI_FILL_CLASS_EXT | PCI_FILL_PARENT);
        if (d->vendor_id != ENA_VENDOR || !model_of(d->device_id)) {
            continue;
        }
        f = &funcs[nfuncs++];
        memset(f, 0, sizeof(*f));
        f->pdev = d;
        snprintf(f->bdf, sizeof(f->bdf), "%04x:%02x:%02x.%x", d->domain,
                 d->bus, d->dev, d->func);
        if (d->parent) {
            snprintf(f->port, sizeof(f->port), "%04x:%02x:%02x.%x",
                     d->parent->domain, d->parent->bus, d->parent->dev,
                     d->parent->func);
        }
        f->device_id = d->device_id;
        f->rev = d->rev_id;
        f->model = model_of(d->device_id);
        if (!full) {
            continue;
        }
        read_config(f);
        read_driver(f);
        /* BAR0 first: a device in fatal error is not sent admin commands */
        read_bar0(f);
        if (!strcmp(f->driver, "ena")) {
            read_netdev(f);
        }
    }
}

static int load_log(void)
{
    int rc;

    if (opt_log_file) {
        FILE *fp = fopen(opt_log_file, "r");

        if (!fp) {
            fprintf(stderr, "ena-diag: %s: %s\n", opt_log_file,
                    strerror(errno));
            return -errno;
        }
        rc = klog_read_file(&klog, fp);
        fclose(fp);
    } else {
        rc = klog_read_kernel(&klog);
    }
    klog_map(&klog, port_of);
    return rc;
}

/* What the log says about each function; functions it alone knows. */
static void apply_log(void)
{
    for (size_t i = 0; i < klog.n; i++) {
        KlogLine *l = &klog.line[i];
        Func *f;

        if (!l->bdf[0]) {
            continue;
        }
        f = func_by_bdf(l->bdf);
        if (!f && nfuncs < sizeof(funcs) / sizeof(funcs[0])) {
            /* the driver had it, the bus has it no more */
            f = &funcs[nfuncs++];
            memset(f, 0, sizeof(*f));
            snprintf(f->bdf, sizeof(f->bdf), "%s", l->bdf);
            f->msix_size = -1;
            f->model = "ENA";
        }
        if (!f) {
            continue;
        }
        if (l->flags & KLF_MMIO_TIMEOUT && l->id) {
            f->mmio_timeouts++;
        }
        switch (l->id) {
        case EV_INITIALIZED:
            f->log_init_failed_last = f->log_failed_last = false;
            f->mmio_timeouts = 0;
            break;
        case EV_INIT_FAILED:
            f->init_failed++;
            f->log_init_failed_last = true;
            break;
        case EV_RESET:
            f->resets++;
            f->last_reason = l->reason;
            f->last_reset_ts = l->ts;
            if (l->ts >= 0 && klog.now - l->ts <= LOOP_WINDOW_S) {
                f->resets_recent++;
            }
            break;
        case EV_RESET_FAILED:
            f->failed_resets++;
            f->log_failed_last = true;
            break;
        case EV_RECOVERED:
            f->recovered++;
            f->log_failed_last = false;
            f->mmio_timeouts = 0;
            break;
        case EV_SURPRISE_REMOVED:
            f->log_removed = true;
            break;
        }
    }
}

static void judge(Func *f)
{
    bool *p = f->problem;

    if (!f->pdev) {
        p[P_REMOVED] = true;
    } else if (f->cfg_ones) {
        p[P_NOT_RESPONDING] = true;
    } else {
        if (f->bar_read && f->reg_dev_sts != 0xffffffff &&
            (f->reg_dev_sts & DEV_STS_FATAL_ERROR)) {
            p[P_FATAL] = true;
        }
        if (f->bar_read && f->reg_dev_sts == 0xffffffff) {
            p[P_NOT_RESPONDING] = true;
        }
        if (!f->driver[0]) {
            p[f->log_init_failed_last ? P_PROBE_FAILED : P_NO_DRIVER] = true;
        }
        if (!strcmp(f->driver, "ena")) {
            if (f->log_failed_last) {
                p[P_RESET_FAILED] = true;
            }
            if (f->resets_recent >= LOOP_RESETS) {
                p[P_RESET_LOOP] = true;
            }
            if (f->up && !f->carrier) {
                p[P_LINK_DOWN] = true;
            }
        }
        if (f->mmio_timeouts) {
            p[P_MMIO_TIMEOUTS] = true;
        }
    }
    f->verdict = P_OK;
    for (int i = 1; i < P_COUNT; i++) {
        if (p[i]) {
            f->verdict = i;
            break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* status */

static bool selected(const Func *f)
{
    return !opt_device || !strcmp(opt_device, f->bdf) ||
           (f->ifname[0] && !strcmp(opt_device, f->ifname));
}

static void status_text(const Func *f)
{
    printf("%s  %s", f->bdf, f->model);
    if (f->pdev) {
        printf(" [%04x:%04x] rev %02x", ENA_VENDOR, f->device_id, f->rev);
    }
    printf("\n");
    if (f->pdev) {
        printf("  driver     %s%s%s\n", f->driver[0] ? f->driver : "(none)",
               f->drv_version[0] ? " " : "", f->drv_version);
        if (f->ifname[0]) {
            printf("  netdev     %s, %s, link %s (%s)\n", f->ifname,
                   f->up ? "up" : "down", f->carrier ? "up" : "down",
                   f->operstate);
        }
        if (f->cfg_ones) {
            printf("  config     reads all ones\n");
        } else {
            printf("  config     memory %s, bus master %s, MSI-X %s "
                   "(%d vectors), register reads %s\n",
                   f->command & PCI_COMMAND_MEMORY ? "on" : "off",
                   f->command & PCI_COMMAND_MASTER ? "on" : "off",
                   f->msix_size < 0 ? "absent" : f->msix_enabled ? "enabled" :
                   "disabled", f->msix_size < 0 ? 0 : f->msix_size,
                   f->rev & 1 ? "plain" : "readless");
        }
        if (f->bar_read) {
            printf("  BAR0       version %u.%u, controller %u.%u.%u, "
                   "DEV_STS 0x%08x (%s%s%s)\n",
                   (f->reg_version >> 8) & 0xff, f->reg_version & 0xff,
                   (f->reg_ctrl_version >> 16) & 0xff,
                   (f->reg_ctrl_version >> 8) & 0xff,
                   f->reg_ctrl_version & 0xff, f->reg_dev_sts,
                   f->reg_dev_sts == 0xffffffff ? "all ones" :
                   f->reg_dev_sts & DEV_STS_READY ? "ready" : "not ready",
                   f->reg_dev_sts != 0xffffffff &&
                   (f->reg_dev_sts & DEV_STS_RESET_IN_PROGRESS) ?
                   ", reset in progress" : "",
                   f->reg_dev_sts != 0xffffffff &&
                   (f->reg_dev_sts & DEV_STS_FATAL_ERROR) ?
                   ", FATAL ERROR" : "");
        } else {
            printf("  BAR0       not read: %s\n", f->bar_err);
        }
        if (f->stats_skipped) {
            printf("  counters   not read: the device does not answer admin "
                   "commands now\n");
        } else if (f->st.n) {
            printf("  counters   wd_expired %lld, admin_q_pause %lld, "
                   "tx_timeout %lld, missed_tx %lld",
                   stat_get(&f->st, "wd_expired"),
                   stat_get(&f->st, "admin_q_pause"),
                   stat_get(&f->st, "tx_timeout"),
                   stat_sum_suffix(&f->st, "_tx_missed_tx"));
            if (stat_get(&f->st, "reset_fail") >= 0) {
                printf(", reset_fail %lld", stat_get(&f->st, "reset_fail"));
            }
            printf("\n");
        }
    }
    printf("  log        %d reset%s (%d in the last %.0f s), %d recovered, "
           "%d failed, %d init failure%s", f->resets, f->resets == 1 ? "" :
           "s", f->resets_recent, LOOP_WINDOW_S, f->recovered,
           f->failed_resets, f->init_failed, f->init_failed == 1 ? "" : "s");
    if (f->last_reason) {
        printf("; last reset %s at %.3f s", f->last_reason, f->last_reset_ts);
    }
    printf("\n  status     %s\n", problems[f->verdict].text);
    for (int i = 1; i < P_COUNT; i++) {
        if (f->problem[i] && (Problem)i != f->verdict) {
            printf("  also       %s\n", problems[i].text);
        }
    }
}

static void status_json(const Func *f)
{
    json_open(NULL, '{');
    json_s("pci", f->bdf);
    json_s("model", f->model);
    json_b("present", f->pdev != NULL);
    if (f->pdev) {
        json_i("device_id", f->device_id);
        json_i("revision", f->rev);
        json_s("driver", f->driver[0] ? f->driver : NULL);
        json_s("driver_version", f->drv_version[0] ? f->drv_version : NULL);
        json_s("netdev", f->ifname[0] ? f->ifname : NULL);
        json_b("up", f->up);
        json_b("link", f->carrier);
        json_open("config", '{');
        json_b("all_ones", f->cfg_ones);
        json_i("command", f->command);
        json_i("status", f->status);
        json_i("msix_vectors", f->msix_size);
        json_b("msix_enabled", f->msix_enabled);
        json_b("readless", !(f->rev & 1));
        json_close('}');
        json_open("bar0", '{');
        json_b("read", f->bar_read);
        if (f->bar_read) {
            json_u("version", f->reg_version);
            json_u("controller_version", f->reg_ctrl_version);
            json_u("caps", f->reg_caps);
            json_u("dev_sts", f->reg_dev_sts);
        } else {
            json_s("error", f->bar_err);
        }
        json_close('}');
        json_open("counters", '{');
        for (size_t i = 0; i < f->st.n; i++) {
            const char *n = f->st.name[i];

            if (!strncmp(n, "queue_", 6) && !strstr(n, "missed_tx") &&
                !strstr(n, "bad_req_id")) {
                continue;
            }
            json_u(n, f->st.val[i]);
        }
        json_close('}');
    }
    json_open("log", '{');
    json_i("resets", f->resets);
    json_i("resets_recent", f->resets_recent);
    json_i("recovered", f->recovered);
    json_i("reset_failures", f->failed_resets);
    json_i("init_failures", f->init_failed);
    json_i("mmio_timeouts", f->mmio_timeouts);
    json_s("last_reset_reason", f->last_reason);
    json_close('}');
    json_s("status", problems[f->verdict].code);
    json_s("verdict", problems[f->verdict].text);
    json_open("problems", '[');
    for (int i = 1; i < P_COUNT; i++) {
        if (f->problem[i]) {
            json_s(NULL, problems[i].code);
        }
    }
    json_close(']');
    json_close('}');
}

static int cmd_status(void)
{
    bool healthy = true;
    size_t shown = 0;

    discover(true);
    load_log();
    apply_log();
    if (opt_json) {
        json_open(NULL, '{');
        json_open("devices", '[');
    }
    for (size_t i = 0; i < nfuncs; i++) {
        Func *f = &funcs[i];

        judge(f);
        if (!selected(f)) {
            continue;
        }
        shown++;
        healthy &= f->verdict == P_OK;
        if (opt_json) {
            status_json(f);
        } else if (opt_brief) {
            printf("%s %s", f->bdf, problems[f->verdict].code);
            for (int k = 1; k < P_COUNT; k++) {
                if (f->problem[k] && (Problem)k != f->verdict) {
                    printf(" %s", problems[k].code);
                }
            }
            printf("\n");
        } else {
            status_text(f);
        }
    }
    if (opt_json) {
        json_close(']');
        json_b("healthy", healthy && shown);
        json_close('}');
    } else if (!shown && !opt_brief) {
        printf("No ENA device found%s%s\n", opt_device ? " matching " : "",
               opt_device ? opt_device : "");
    }
    return healthy && shown ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* events */

static const char *opt_since;
static int opt_ids[32];
static int opt_nids;
static bool opt_mapped;

/*
 * A function the driver logged that is no longer on the bus was removed
 * while the system ran. 6.x's ena prints nothing when it lets a device go,
 * and an ACPI eject logs nothing either; only a PCIe hotplug slot says
 * so (mapped in klog.c). Say it once, at the time of looking.
 */
static void note_removed(void)
{
    size_t n = klog.n;

    for (size_t i = 0; i < n; i++) {
        const char *bdf = klog.line[i].bdf;
        bool said = false;

        if (!bdf[0] || func_by_bdf(bdf)) {
            continue;
        }
        for (size_t j = 0; j < klog.n && !said; j++) {
            said = klog.line[j].id == EV_SURPRISE_REMOVED &&
                   !strcmp(klog.line[j].bdf, bdf);
        }
        if (!said) {
            klog_add_event(&klog, klog.now, bdf, EV_SURPRISE_REMOVED,
                           "(no longer on the PCI bus)",
                           "found by ena-diag: removed while the system ran");
        }
    }
}

static int cmd_events(void)
{
    double since = 0;
    size_t shown = 0;
    bool bad = false;

    if (!opt_log_file) {
        discover(false);        /* the hotplug ports above the functions */
    }
    if (load_log()) {
        return 2;
    }
    if (!opt_log_file) {
        note_removed();
    }
    if (opt_since) {
        if (opt_since[0] == '-') {
            double d = klog_parse_duration(opt_since + 1);

            if (d < 0) {
                fprintf(stderr, "ena-diag: --since %s: not a duration\n",
                        opt_since);
                return 2;
            }
            since = klog.now - d;
        } else if (strcmp(opt_since, "boot")) {
            since = klog_parse_duration(opt_since);
            if (since < 0) {
                fprintf(stderr, "ena-diag: --since %s: expected boot, "
                        "seconds since boot or -DURATION\n", opt_since);
                return 2;
            }
        }
    }
    if (opt_json) {
        json_open(NULL, '{');
        json_open("events", '[');
    }
    for (size_t i = 0; i < klog.n; i++) {
        const KlogLine *l = &klog.line[i];
        bool want = !opt_nids;

        if (!l->bdf[0] || (l->ts >= 0 && l->ts < since) ||
            (opt_device && strcmp(opt_device, l->bdf) &&
             strcmp(opt_device, l->ifname))) {
            continue;
        }
        for (int k = 0; k < opt_nids; k++) {
            want |= opt_ids[k] == l->id;
        }
        if (!want || (opt_mapped && !l->id)) {
            continue;
        }
        shown++;
        bad |= l->id && l->id != EV_INITIALIZED && l->id != EV_RECOVERED;
        if (opt_json) {
            json_open(NULL, '{');
            json_f("time", l->ts);
            json_s("pci", l->bdf);
            json_s("netdev", l->ifname[0] ? l->ifname : NULL);
            json_i("level", l->level);
            if (l->id) {
                json_i("id", l->id);
                json_s("event", klog_event_text(l->id));
            } else {
                json_s("id", NULL);
            }
            json_s("reason", l->reason);
            json_s("note", l->note);
            json_s("text", l->text);
            json_close('}');
        } else {
            char ts[32] = "?";

            if (l->ts >= 0) {
                snprintf(ts, sizeof(ts), "%.3f", l->ts);
            }
            if (l->id) {
                printf("%12s %s  %d  %s%s%s%s\n%12s %*s  \"%s\"\n", ts,
                       l->bdf, l->id, klog_event_text(l->id),
                       l->reason ? " (" : "", l->reason ? l->reason : "",
                       l->reason ? ")" : "", "", (int)strlen(l->bdf), "",
                       l->text);
            } else {
                printf("%12s %s  -     \"%s\"%s%s\n", ts, l->bdf, l->text,
                       l->note ? ": " : "", l->note ? l->note : "");
            }
        }
    }
    if (opt_json) {
        json_close(']');
        json_b("problems", bad);
        json_close('}');
    } else if (!shown) {
        printf("No ena driver events%s\n", opt_nids ? " with these ids" : "");
    }
    return bad ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* metrics */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int read_u64(const char *ifname, const char *name, uint64_t *v)
{
    char path[PATH_MAX], buf[32];
    int rc;

    snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname,
             name);
    rc = read_sysfs(path, buf, sizeof(buf));
    if (!rc) {
        *v = strtoull(buf, NULL, 10);
    }
    return rc;
}

typedef struct Sample {
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
    Stats st;
    double t;
} Sample;

static void sample(const char *ifname, Sample *s)
{
    struct timespec t;

    read_u64(ifname, "rx_packets", &s->rx_packets);
    read_u64(ifname, "tx_packets", &s->tx_packets);
    read_u64(ifname, "rx_bytes", &s->rx_bytes);
    read_u64(ifname, "tx_bytes", &s->tx_bytes);
    stats_read(ifname, &s->st);
    clock_gettime(CLOCK_MONOTONIC, &t);
    s->t = t.tv_sec + t.tv_nsec / 1e9;
}

static double opt_interval = 1.0;
static long opt_count = -1;

static int cmd_metrics(void)
{
    Func *f[64];
    Sample prev[64], cur;
    size_t n = 0;
    bool exceeded = false;
    struct sigaction sa = { .sa_handler = on_signal };

    discover(true);
    for (size_t i = 0; i < nfuncs; i++) {
        if (funcs[i].ifname[0] && selected(&funcs[i])) {
            f[n++] = &funcs[i];
        }
    }
    if (!n) {
        fprintf(stderr, "ena-diag: no ENA network interface%s%s\n",
                opt_device ? " matching " : "", opt_device ? opt_device : "");
        return 1;
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (size_t i = 0; i < n; i++) {
        memset(&prev[i], 0, sizeof(prev[i]));
        sample(f[i]->ifname, &prev[i]);
    }
    for (long k = 0; !stop && (opt_count < 0 || k < opt_count); k++) {
        struct timespec ts = { (time_t)opt_interval,
                               (long)((opt_interval - (time_t)opt_interval) *
                                      1e9) };

        while (nanosleep(&ts, &ts) && errno == EINTR && !stop) {
            continue;           /* a signal other than ours: sleep on */
        }
        if (stop) {
            break;
        }
        for (size_t i = 0; i < n; i++) {
            Sample *p = &prev[i];
            double dt;

            memset(&cur, 0, sizeof(cur));
            sample(f[i]->ifname, &cur);
            dt = cur.t - p->t > 0 ? cur.t - p->t : 1;
            if (opt_json) {
                json_open(NULL, '{');
                json_s("netdev", f[i]->ifname);
                json_s("pci", f[i]->bdf);
                json_f("interval", dt);
                json_f("rx_pps", (cur.rx_packets - p->rx_packets) / dt);
                json_f("tx_pps", (cur.tx_packets - p->tx_packets) / dt);
                json_f("rx_bps", (cur.rx_bytes - p->rx_bytes) * 8 / dt);
                json_f("tx_bps", (cur.tx_bytes - p->tx_bytes) * 8 / dt);
                json_open("allowance", '{');
            } else {
                printf("%s  rx %.0f pkt/s %.0f bit/s  tx %.0f pkt/s "
                       "%.0f bit/s", f[i]->ifname,
                       (cur.rx_packets - p->rx_packets) / dt,
                       (cur.rx_bytes - p->rx_bytes) * 8 / dt,
                       (cur.tx_packets - p->tx_packets) / dt,
                       (cur.tx_bytes - p->tx_bytes) * 8 / dt);
            }
            for (size_t s = 0; s < cur.st.n; s++) {
                long long was = stat_get(&p->st, cur.st.name[s]);
                long long d;

                if (!is_allowance(cur.st.name[s])) {
                    continue;
                }
                d = was < 0 ? 0 : (long long)cur.st.val[s] - was;
                /* "available" is a level, the others count events */
                if (!strstr(cur.st.name[s], "available") && d > 0) {
                    exceeded = true;
                }
                if (opt_json) {
                    json_open(cur.st.name[s], '{');
                    json_u("value", cur.st.val[s]);
                    json_i("delta", d);
                    json_close('}');
                } else {
                    printf("  %s %llu (%+lld)", cur.st.name[s],
                           (unsigned long long)cur.st.val[s], d);
                }
            }
            if (opt_json) {
                json_close('}');
                json_close('}');
            } else {
                printf("\n");
            }
            fflush(stdout);
            stats_free(&p->st);
            *p = cur;
        }
    }
    for (size_t i = 0; i < n; i++) {
        stats_free(&prev[i].st);
    }
    return exceeded ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* tune */

typedef struct Finding {
    const char *what;
    char have[96];
    char want[160];
    char cmd[160];
    bool change;                /* below the guide: counts against health */
} Finding;

static Finding *finding(Finding *list, int *n, const char *what, bool change,
                        const char *cmd)
{
    Finding *f = &list[(*n)++];

    memset(f, 0, sizeof(*f));
    f->what = what;
    f->change = change;
    snprintf(f->cmd, sizeof(f->cmd), "%s", cmd ? cmd : "");
    return f;
}

#define SET(field, ...) snprintf(field, sizeof(field), __VA_ARGS__)

/* The CPUs an IO queue's interrupt may run on contain CPU 0. */
static bool queue_irq_on_cpu0(const char *ifname, int q)
{
    char want[64], line[512];
    FILE *fp = fopen("/proc/interrupts", "r");
    bool on0 = false;

    if (!fp) {
        return false;
    }
    snprintf(want, sizeof(want), "%s-Tx-Rx-%d", ifname, q);
    while (fgets(line, sizeof(line), fp)) {
        char *end = line + strcspn(line, "\n");
        size_t lw = strlen(want);
        unsigned irq;

        *end = 0;
        if ((size_t)(end - line) > lw && !strcmp(end - lw, want) &&
            sscanf(line, " %u:", &irq) == 1) {
            char path[64], buf[256];

            snprintf(path, sizeof(path), "/proc/irq/%u/effective_affinity_list",
                     irq);
            if (read_sysfs(path, buf, sizeof(buf))) {
                snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list",
                         irq);
                if (read_sysfs(path, buf, sizeof(buf))) {
                    break;
                }
            }
            on0 = buf[0] == '0' && (buf[1] == 0 || buf[1] == ',' ||
                                    buf[1] == '-');
            break;
        }
    }
    fclose(fp);
    return on0;
}

static int tune_one(Func *f, bool *ok)
{
    struct ethtool_ringparam ring = { .cmd = ETHTOOL_GRINGPARAM };
    struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
    struct {
        struct ethtool_rxfh_indir hdr;
        uint32_t ring_index[1024];
    } indir;
    Finding list[8], *x;
    int n = 0, ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    char cmd[160], path[PATH_MAX], buf[32];
    int mtu = 0, used = 0, combined = 0;
    bool seen[1024] = { false }, q0_in_rss = false;
    uint32_t size = 0;

    if (!ethtool_ioctl(f->ifname, &ring)) {
        unsigned top = ring.rx_max_pending < RX_RING_MAX ?
                       ring.rx_max_pending : RX_RING_MAX;
        bool low = ring.rx_pending < RX_RING_DEFAULT &&
                   ring.rx_max_pending >= RX_RING_DEFAULT;

        snprintf(cmd, sizeof(cmd), "ethtool -G %s rx %u", f->ifname,
                 low ? RX_RING_DEFAULT : top);
        x = finding(list, &n, "rx-ring", low,
                    ring.rx_pending < top ? cmd : NULL);
        SET(x->have, "%u (max %u)", ring.rx_pending, ring.rx_max_pending);
        SET(x->want, "%u by default, up to %u if packets drop in bursts",
            RX_RING_DEFAULT, top);
    }
    if (!ethtool_ioctl(f->ifname, &ch)) {
        int want = (int)ch.max_combined;

        combined = (int)ch.combined_count;
        want = want > ncpu ? ncpu : want;
        want = want > QUEUES_MAX ? QUEUES_MAX : want;
        snprintf(cmd, sizeof(cmd), "ethtool -L %s combined %d", f->ifname,
                 want);
        x = finding(list, &n, "queues", combined < want,
                    combined < want ? cmd : NULL);
        SET(x->have, "%u of %u (%d vCPUs)", ch.combined_count,
            ch.max_combined, ncpu);
        SET(x->want, "one per vCPU, 1 to %d: %d", QUEUES_MAX, want);
    }
    memset(&indir, 0, sizeof(indir));
    indir.hdr.cmd = ETHTOOL_GRXFHINDIR;
    if (combined && !ethtool_ioctl(f->ifname, &indir.hdr) &&
        indir.hdr.size && indir.hdr.size <= 1024) {
        size = indir.hdr.size;
        if (!ethtool_ioctl(f->ifname, &indir.hdr)) {
            for (uint32_t i = 0; i < size; i++) {
                uint32_t q = indir.hdr.ring_index[i] % 1024;

                used += !seen[q];
                seen[q] = true;
            }
            q0_in_rss = seen[0];
        } else {
            size = 0;
        }
    }
    if (size) {
        bool cpu0 = ncpu > RSS_SKIP_CPU0_OVER && combined > 1 && q0_in_rss &&
                    queue_irq_on_cpu0(f->ifname, 0);

        if (cpu0) {
            snprintf(cmd, sizeof(cmd), "ethtool -X %s start 1 equal %d",
                     f->ifname, combined - 1);
        } else {
            snprintf(cmd, sizeof(cmd), "ethtool -X %s equal %d", f->ifname,
                     combined);
        }
        x = finding(list, &n, "rss", cpu0 || used < combined,
                    cpu0 || used < combined ? cmd : NULL);
        SET(x->have, "%d of %d queues in a %u-entry table%s", used, combined,
            size, cpu0 ? ", queue 0 on CPU 0" : "");
        SET(x->want, "RSS over every queue%s", ncpu > RSS_SKIP_CPU0_OVER ?
            "; CPU 0 out of RSS with more than 16 vCPUs" : "");
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", f->ifname);
    if (!read_sysfs(path, buf, sizeof(buf))) {
        mtu = atoi(buf);
        snprintf(cmd, sizeof(cmd), "ip link set dev %s mtu %d", f->ifname,
                 JUMBO_MTU);
        x = finding(list, &n, "mtu", false, mtu < JUMBO_MTU ? cmd : NULL);
        SET(x->have, "%d", mtu);
        SET(x->want, "up to %d (jumbo frames) for traffic within the VPC",
            JUMBO_MTU);
    }
    if (opt_json) {
        json_open(NULL, '{');
        json_s("netdev", f->ifname);
        json_s("pci", f->bdf);
        json_open("settings", '[');
    } else {
        printf("%s (%s)\n", f->ifname, f->bdf);
    }
    for (int i = 0; i < n; i++) {
        x = &list[i];

        *ok &= !x->change;
        if (opt_json) {
            json_open(NULL, '{');
            json_s("setting", x->what);
            json_s("current", x->have);
            json_s("recommended", x->want);
            json_s("verdict", x->change ? "change" : "ok");
            json_s("command", x->cmd[0] ? x->cmd : NULL);
            json_close('}');
        } else {
            printf("  %-8s %-6s %s; guide: %s\n", x->what,
                   x->change ? "CHANGE" : "ok", x->have, x->want);
            if (x->cmd[0]) {
                printf("  %-8s %-6s %s\n", "", "", x->cmd);
            }
        }
    }
    if (opt_json) {
        json_close(']');
        json_close('}');
    }
    return 0;
}

static int cmd_tune(void)
{
    bool ok = true;
    size_t shown = 0;

    discover(true);
    if (opt_json) {
        json_open(NULL, '{');
        json_open("interfaces", '[');
    }
    for (size_t i = 0; i < nfuncs; i++) {
        if (funcs[i].ifname[0] && selected(&funcs[i])) {
            tune_one(&funcs[i], &ok);
            shown++;
        }
    }
    if (opt_json) {
        json_close(']');
        json_b("as_recommended", ok && shown);
        json_close('}');
    } else if (!shown) {
        printf("No ENA network interface%s%s\n", opt_device ? " matching " :
               "", opt_device ? opt_device : "");
    }
    return ok && shown ? 0 : 1;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(out,
"usage: ena-diag [--json] [--device PCI|IFNAME] COMMAND [options]\n"
"\n"
"  status [--brief]       every ENA function and its verdict (--brief: one\n"
"                         line each, its status and its other problems)\n"
"  events [--since T] [--id N[,N...]] [--mapped] [--log FILE]\n"
"                         the ena driver's kernel-log lines as the\n"
"                         troubleshooting guide's events; T is 'boot',\n"
"                         seconds since boot, or -DURATION (-10m)\n"
"  metrics [--interval S] [--count N]\n"
"                         allowance counters and rates per interval\n"
"  tune                   rings, queues, RSS and MTU against the guide\n"
"\n"
"Exit status: 0 healthy (status: every device working properly; events:\n"
"no problem event; metrics: no allowance exceeded; tune: as recommended),\n"
"1 not, 2 usage error.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "brief", no_argument, NULL, 'b' },
        { "device", required_argument, NULL, 'd' },
        { "since", required_argument, NULL, 's' },
        { "id", required_argument, NULL, 'i' },
        { "mapped", no_argument, NULL, 'm' },
        { "log", required_argument, NULL, 'l' },
        { "interval", required_argument, NULL, 'n' },
        { "count", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = NULL;
    int c, rc;

    /* options may come before or after the command */
    while (optind < argc) {
        c = getopt_long(argc, argv, "+jbd:s:i:ml:n:c:h", opts, NULL);
        if (c == -1) {
            if (cmd) {
                fprintf(stderr, "ena-diag: unexpected '%s'\n", argv[optind]);
                return 2;
            }
            cmd = argv[optind++];
            continue;
        }
        switch (c) {
        case 'j':
            opt_json = true;
            break;
        case 'b':
            opt_brief = true;
            break;
        case 'd':
            opt_device = optarg;
            break;
        case 's':
            opt_since = optarg;
            break;
        case 'i':
            for (char *tok = strtok(optarg, ","); tok;
                 tok = strtok(NULL, ",")) {
                char *end;
                long v = strtol(tok, &end, 10);

                if (*end || v <= 0 || !klog_event_text((int)v) ||
                    opt_nids == 32) {
                    fprintf(stderr, "ena-diag: --id %s: not an event id of "
                            "the guide\n", tok);
                    return 2;
                }
                opt_ids[opt_nids++] = (int)v;
            }
            break;
        case 'm':
            opt_mapped = true;
            break;
        case 'l':
            opt_log_file = optarg;
            break;
        case 'n':
            opt_interval = klog_parse_duration(optarg);
            if (opt_interval <= 0) {
                fprintf(stderr, "ena-diag: --interval %s: not a positive "
                        "duration\n", optarg);
                return 2;
            }
            break;
        case 'c': {
            char *end;

            opt_count = strtol(optarg, &end, 10);
            if (*end || opt_count <= 0) {
                fprintf(stderr, "ena-diag: --count %s: not a positive "
                        "number\n", optarg);
                return 2;
            }
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!cmd) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(cmd, "status")) {
        rc = cmd_status();
    } else if (!strcmp(cmd, "events")) {
        rc = cmd_events();
    } else if (!strcmp(cmd, "metrics")) {
        rc = cmd_metrics();
    } else if (!strcmp(cmd, "tune")) {
        rc = cmd_tune();
    } else {
        fprintf(stderr, "ena-diag: unknown command '%s'\n", cmd);
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < nfuncs; i++) {
        stats_free(&funcs[i].st);
    }
    klog_free(&klog);
    if (pacc) {
        pci_cleanup(pacc);
    }
    return rc;
}
