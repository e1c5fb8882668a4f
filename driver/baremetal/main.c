/*
 * ENA bare-metal guest: bring the device up with the reference driver,
 * run a fault scenario's clock and traffic, print the event log.
 *
 * Command line (multiboot, -append), all optional, times in ns:
 *   duration=T     the story's length after the driver is up (10 s)
 *   traffic=K      idle, ping, tcp, jumbo, admin or flood (ping)
 *   vclock=1       our time is QEMU's virtual clock (run under -icount)
 *   ready=T        the instant of scenario time 0 (1 s); if bring-up ends
 *                  later, the next whole second, and a LATE line says so
 *   hold=1         pause (pvpanic) at each time of at= and at the end of
 *                  the story, for the runner to act and read the device
 *   at=T,T,...     scenario times (sorted) at which to pause
 *   recover=T      how long traffic may take to pass after the story (20 s)
 *   log=N          driver messages up to level N (0 err ... 4 debug; 2)
 *   mtu=N          driver MTU (1500; jumbo: 9001)
 *   queues=N       IO queue pairs (2, as the qtest target; 0: as many as
 *                  the device allows, at most 4)
 *   depth=N        ring entries (1024, Linux's: room to halve them when
 *                  the device has no resources)
 *   llq=1          TX rings in the device's memory (LLQ) when it offers
 *                  them (0: host memory, the default)
 *
 * Output on COM1, one record per line (scripts/enascn/targets/guest.py):
 *   PCI ..., PROBE ..., PRE-READY ...   what bring-up found
 *   READY <ns>                      logical time of scenario time 0
 *   LATE <ns>                       bring-up ended after ready=
 *   PAUSE <t_ns> <n>                pausing (hold=1)
 *   EVENT <t_ns> <id> <REASON|-> <name> detail=<n> [<message>]
 *   LOG <ns> <level> <message>      driver messages (absolute time)
 *   UNPLUGGED <t_ns>                the slot was ejected (device_del)
 *   TRAFFIC-ROUNDS ok=N failed=M    traffic during the story
 *   RECOVER <t_ns>                  end of the after-story traffic check
 *   TRAFFIC ok|failed               traffic passed again after the story
 *   STAT <name> <value>
 *   ENA-BAREMETAL-DONE
 * then QEMU exits through isa-debug-exit. Scenario times t_ns are relative
 * to READY and may be negative (bring-up).
 *
 * SPDX-License-Identifier: MIT
 */
#include "bm.h"
#include "bm_boot.h"
#include "bm_net.h"
#include "plat_baremetal.h"
#include "ena_drv.h"

#define BM_MAX_PAUSES       32
#define BM_DMA_BASE         (16u << 20)
#define BM_DMA_MAX          (448u << 20)
#define BM_IP               0x0a00020fu     /* 10.0.2.15 */
#define BM_GW               0x0a000202u     /* 10.0.2.2, slirp's gateway */
#define BM_ROUND_START_NS   (200 * BM_NS_PER_MS)
#define BM_ROUND_CHECK_NS   (900 * BM_NS_PER_MS)
#define BM_ACPI_PCIHP_DOWN  0xae04
#define BM_ACPI_PCIHP_EJ    0xae08
#define BM_ACPI_PCIHP_SEL   0xae10

typedef enum BmTraffic {
    BM_TRAFFIC_IDLE,
    BM_TRAFFIC_PING,
    BM_TRAFFIC_TCP,
    BM_TRAFFIC_JUMBO,
    BM_TRAFFIC_ADMIN,
    BM_TRAFFIC_FLOOD,
} BmTraffic;

typedef struct BmArgs {
    uint64_t duration;
    uint64_t ready;
    uint64_t recover;
    BmTraffic traffic;
    bool hold;
    bool vclock;
    uint32_t npauses;
    uint64_t pauses[BM_MAX_PAUSES];
    uint32_t log;
    uint32_t mtu;
    uint32_t queues;
    uint32_t depth;
    bool llq;
} BmArgs;

static BmArgs bm_args = {
    .duration = 10 * BM_NS_PER_SEC,
    .ready = BM_NS_PER_SEC,
    .recover = 20 * BM_NS_PER_SEC,
    .traffic = BM_TRAFFIC_PING,
    .log = ENA_LOG_NOTICE,
    .mtu = 1500,
    .queues = 2,
    .depth = 1024,
};

static EnaDrv bm_drv;
static EnaPlat *bm_plat;
static BmNet bm_net;
static uint64_t bm_ready;
static bool bm_ready_known;
static uint64_t bm_events_printed;
static bool bm_removed;

/* ---- command line ------------------------------------------------------- */

static bool bm_parse_u64(const char **s, uint64_t *v)
{
    const char *p = *s;
    uint64_t n = 0;

    if (*p < '0' || *p > '9') {
        return false;
    }
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t)(*p++ - '0');
    }
    *s = p;
    *v = n;
    return true;
}

static bool bm_word_is(const char *w, size_t len, const char *lit)
{
    size_t n = bm_strlen(lit);

    return len == n && !memcmp(w, lit, n);
}

static bool bm_parse_arg(const char *key, size_t klen, const char *val,
                         size_t vlen)
{
    const char *p = val;
    uint64_t v;

    if (bm_word_is(key, klen, "traffic")) {
        static const char *const names[] = { "idle", "ping", "tcp", "jumbo",
                                             "admin", "flood" };

        for (unsigned i = 0; i < 6; i++) {
            if (bm_word_is(val, vlen, names[i])) {
                bm_args.traffic = (BmTraffic)i;
                return true;
            }
        }
        return false;
    }
    if (bm_word_is(key, klen, "at")) {
        while (p < val + vlen) {
            if (!bm_parse_u64(&p, &v) || bm_args.npauses == BM_MAX_PAUSES) {
                return false;
            }
            bm_args.pauses[bm_args.npauses++] = v;
            if (*p == ',') {
                p++;
            }
        }
        return true;
    }
    if (!bm_parse_u64(&p, &v) || p != val + vlen) {
        return false;
    }
    if (bm_word_is(key, klen, "duration")) {
        bm_args.duration = v;
    } else if (bm_word_is(key, klen, "ready")) {
        bm_args.ready = v;
    } else if (bm_word_is(key, klen, "recover")) {
        bm_args.recover = v;
    } else if (bm_word_is(key, klen, "vclock")) {
        bm_args.vclock = v != 0;
    } else if (bm_word_is(key, klen, "hold")) {
        bm_args.hold = v != 0;
    } else if (bm_word_is(key, klen, "log")) {
        bm_args.log = (uint32_t)v;
    } else if (bm_word_is(key, klen, "mtu")) {
        bm_args.mtu = (uint32_t)v;
    } else if (bm_word_is(key, klen, "queues")) {
        bm_args.queues = (uint32_t)v;
    } else if (bm_word_is(key, klen, "depth")) {
        bm_args.depth = (uint32_t)v;
    } else if (bm_word_is(key, klen, "llq")) {
        bm_args.llq = v != 0;
    } else {
        return false;
    }
    return true;
}

/* "kernel-path key=value ...": words without '=' are skipped. */
static void bm_parse_cmdline(const char *s)
{
    while (*s) {
        const char *w = s, *eq = NULL;

        while (*s && *s != ' ') {
            if (*s == '=' && !eq) {
                eq = s;
            }
            s++;
        }
        if (eq && !bm_parse_arg(w, (size_t)(eq - w), eq + 1,
                                (size_t)(s - eq - 1))) {
            bm_printf("WARNING bad argument '%.*s'\n", (int)(s - w), w);
        }
        while (*s == ' ') {
            s++;
        }
    }
}

/* ---- output ------------------------------------------------------------- */

static int64_t bm_rel(uint64_t t)
{
    return (int64_t)(t - bm_ready);
}

static void bm_print_events(void)
{
    const EnaEvlog *log = &bm_drv.evlog;
    uint32_t held = ena_evlog_count(log);
    uint64_t first = log->total - held;

    if (!bm_ready_known) {
        return;                 /* times are relative to READY */
    }
    if (bm_events_printed < first) {
        bm_printf("NOTE %llu events lost (event log full)\n",
                  (unsigned long long)(first - bm_events_printed));
        bm_events_printed = first;
    }
    for (; bm_events_printed < log->total; bm_events_printed++) {
        const EnaEvent *ev = ena_evlog_get(log, (uint32_t)(bm_events_printed -
                                                           first));

        /* the qtest target's form (qtest/ena-scenario-test.c) */
        bm_printf("EVENT %lld %u %s %s detail=%llu%s%s\n",
                  (long long)bm_rel(ev->ts_ns), ev->id,
                  ev->reason == ENA_EVLOG_NO_REASON ? "-" :
                  ena_reset_reason_str(ev->reason),
                  ena_evlog_id_name(ev->id), (unsigned long long)ev->detail,
                  ev->msg && ev->msg[0] ? " " : "", ev->msg ? ev->msg : "");
    }
}

static void bm_stat(const char *name, uint64_t v)
{
    bm_printf("STAT %s %llu\n", name, (unsigned long long)v);
}

static void bm_print_stats(void)
{
    const EnaDrvStats *s = &bm_drv.stats;

    bm_stat("driver_state", bm_drv.state);
    bm_stat("resets", s->resets);
    bm_stat("recoveries", s->recoveries);
    bm_stat("reset_failures", s->reset_failures);
    bm_stat("keep_alives", s->keep_alives);
    bm_stat("link_down", s->link_down);
    bm_stat("link_up", s->link_up);
    bm_stat("io_interrupts", s->io_interrupts);
    bm_stat("tx_frames", s->tx_frames);
    bm_stat("rx_frames", s->rx_frames);
    bm_stat("xmit_refused", s->xmit_refused);
    bm_stat("net_tx", bm_net.stats.tx_frames);
    bm_stat("net_tx_refused", bm_net.stats.tx_refused);
    bm_stat("net_rx", bm_net.stats.rx_frames);
    bm_stat("net_echo_ok", bm_net.stats.rx_echo_ok);
    bm_stat("net_rx_bad", bm_net.stats.rx_bad);
    bm_stat("dma_in_use", ena_plat_bm_dma_in_use());
    if (bm_plat) {
        bm_stat("syncs", ena_plat_bm_syncs(bm_plat));
    }
    /* only when asked for, so other traces stay as they were */
    if (bm_args.llq) {
        uint64_t entries = 0;

        for (uint16_t i = 0; i < bm_drv.num_queues; i++) {
            entries += bm_drv.tx[i].stats.descs;   /* LLQ: entries */
        }
        bm_stat("llq_active", bm_drv.llq_active);
        bm_stat("llq_fallbacks", s->llq_fallbacks);
        bm_stat("llq_entries", entries);
    }
    /* only where the device offered PHC, so other traces stay as they were */
    if (s->phc_reads) {
        const EnaComPhcStats *p = &bm_drv.com.phc.stats;

        bm_stat("phc_reads", s->phc_reads);
        bm_stat("phc_ok", p->ok);
        bm_stat("phc_expired", p->expired);
        bm_stat("phc_skipped", p->skipped);
        bm_stat("phc_err_device", p->err_device);
        bm_stat("phc_err_ts", p->err_ts);
        bm_stat("phc_err_eb", p->err_eb);
    }
}

static void __attribute__((noreturn)) bm_finish(bool traffic_ok, uint8_t code)
{
    bm_ready_known = true;
    bm_print_events();
    bm_print_stats();
    bm_printf("TRAFFIC %s\n", traffic_ok ? "ok" : "failed");
    bm_puts("ENA-BAREMETAL-DONE\n");
    bm_exit(code);
}

/* ---- the scenario clock ------------------------------------------------- */

static uint64_t bm_now(void)
{
    return bm_plat ? ena_plat_now_ns(bm_plat) : bm_time_ns();
}

/* Run the driver until logical time @t (absolute). */
static void bm_run_until(uint64_t t)
{
    uint64_t now = bm_now();

    if (t > now) {
        if (bm_plat) {
            ena_drv_run(&bm_drv, t - now);
        } else {
            bm_sleep_until(t);
        }
    }
    if (bm_plat && !bm_removed) {
        bm_net_flush(&bm_net);
    }
    bm_print_events();
}

/*
 * After 'device_del' on the pc machine QEMU asks the OS, through the ACPI
 * PCI hot-plug registers, to eject the slot. We eject it at once (the
 * device is gone from then on) and tell the driver, which learns it the
 * way it would from a surprise removal.
 */
static void bm_unplug_check(void)
{
    uint16_t bdf = ena_plat_pci_bdf(bm_plat);
    uint32_t slot = 1u << ((bdf >> 3) & 31);

    if (bm_removed || (bdf >> 8)) {
        return;                 /* only bus 0 is watched */
    }
    bm_outl(BM_ACPI_PCIHP_SEL, 0);
    if (!(bm_inl(BM_ACPI_PCIHP_DOWN) & slot)) {
        return;
    }
    bm_outl(BM_ACPI_PCIHP_EJ, slot);
    if (ena_plat_bm_present(bm_plat)) {
        bm_puts("WARNING ejected slot still answers\n");
        return;
    }
    bm_removed = true;
    bm_printf("UNPLUGGED %lld\n", (long long)bm_rel(bm_now()));
    ena_drv_surprise_removed(&bm_drv);
    bm_print_events();
}

static void bm_pause_point(uint32_t n)
{
    bm_printf("PAUSE %lld %u\n", (long long)bm_rel(bm_now()), n);
    bm_pause();
    if (bm_plat) {
        bm_unplug_check();
    }
}

/* One round of traffic: start it (the check comes later). */
static void bm_round_start(void)
{
    static uint32_t mtu_toggle;

    if (!bm_plat || bm_removed) {
        return;
    }
    if (!bm_net.have_gw) {
        bm_net_arp(&bm_net);
        bm_run_until(bm_now() + 10 * BM_NS_PER_MS);
    }
    switch (bm_args.traffic) {
    case BM_TRAFFIC_ADMIN:
        /* SET_FEATURE(MTU) through the admin queue, as 'ip link set mtu' */
        mtu_toggle ^= 1;
        ena_drv_set_mtu(&bm_drv, mtu_toggle ? 1400 : 1500);
        bm_net_round_start(&bm_net, 1, 56);
        break;
    case BM_TRAFFIC_TCP:
    case BM_TRAFFIC_JUMBO:
    case BM_TRAFFIC_FLOOD:
        bm_net_round_start(&bm_net, 32, 1400);
        break;
    default:
        bm_net_round_start(&bm_net, 1, 56);
        break;
    }
}

static bool bm_round_ok(void)
{
    return bm_plat && !bm_removed && bm_net_round_ok(&bm_net);
}

/* ---- main --------------------------------------------------------------- */

static void bm_bring_up(const BmMultibootInfo *info)
{
    uint64_t top = 0, base = BM_DMA_BASE;
    EnaDrvConfig cfg;
    int rc;

    if (info->flags & BM_MB_INFO_MEM) {
        top = (1ull << 20) + (uint64_t)info->mem_upper * 1024;
    }
    if ((uintptr_t)__image_end > base || top < base + (32u << 20)) {
        bm_printf("not enough memory (image end %p, top 0x%llx)\n",
                  (void *)__image_end, (unsigned long long)top);
        bm_finish(false, 2);
    }
    top -= 1u << 20;
    if (top - base > BM_DMA_MAX) {
        top = base + BM_DMA_MAX;
    }
    ena_plat_bm_dma_init(base, top - base);

    bm_plat = ena_plat_bm_open(0, (EnaLogLevel)bm_args.log);
    if (!bm_plat) {
        bm_finish(false, 2);
    }
    bm_printf("PCI ena at %02x:%02x.%x revision %u\n",
              ena_plat_pci_bdf(bm_plat) >> 8,
              (ena_plat_pci_bdf(bm_plat) >> 3) & 31,
              ena_plat_pci_bdf(bm_plat) & 7, ena_plat_pci_revision(bm_plat));

    ena_drv_config_default(&cfg);
    cfg.mtu = bm_args.traffic == BM_TRAFFIC_JUMBO ? 9001 : bm_args.mtu;
    cfg.num_queues = (uint16_t)bm_args.queues;
    cfg.tx_depth = (uint16_t)bm_args.depth;
    cfg.rx_depth = (uint16_t)bm_args.depth;
    cfg.llq = bm_args.llq;
    rc = ena_drv_probe(&bm_drv, bm_plat, &cfg);
    bm_net_init(&bm_net, &bm_drv, BM_IP, BM_GW);
    ena_plat_bm_set_rx(bm_plat, bm_net_rx, &bm_net);
    bm_printf("PROBE %d state %s queues %u mtu %u mac "
              "%02x:%02x:%02x:%02x:%02x:%02x\n", rc,
              ena_drv_state_name(bm_drv.state), bm_drv.num_queues,
              bm_drv.mtu, bm_drv.mac[0], bm_drv.mac[1], bm_drv.mac[2],
              bm_drv.mac[3], bm_drv.mac[4], bm_drv.mac[5]);
}

void bm_main(uint32_t magic, const BmMultibootInfo *info)
{
    const char *cmdline = "";
    uint64_t t_end, t, next_round, check_at = 0, rounds_ok = 0;
    uint64_t rounds_failed = 0;
    uint32_t pi = 0;
    bool round_open = false, final_ok = false;

    bm_cpu_init();
    bm_serial_init();
    if (magic != BM_MB_BOOT_MAGIC) {
        bm_printf("not booted by a multiboot loader (0x%x)\n", magic);
        bm_exit(2);
    }
    if ((info->flags & BM_MB_INFO_CMDLINE) && info->cmdline) {
        cmdline = (const char *)(uintptr_t)info->cmdline;
    }
    bm_printf("ENA-BAREMETAL start: %s\n", cmdline);
    bm_parse_cmdline(cmdline);
    if (!bm_time_init(bm_args.vclock)) {
        bm_finish(false, 2);
    }

    bm_bring_up(info);

    /*
     * Before the story: learn the gateway's address, one frame. (More
     * frames in a burst would change which TX watchdog fires first when
     * a scenario loses interrupts from the start.)
     */
    if (bm_drv.state == ENA_DRV_STATE_RUNNING) {
        bm_net_arp(&bm_net);
        bm_run_until(bm_now() + 20 * BM_NS_PER_MS);
        bm_printf("PRE-READY gateway %s\n",
                  bm_net.have_gw ? "answers" : "silent");
    }

    /*
     * Scenario time 0: a fixed instant, so that a runner can place timed
     * fault rules before the guest even starts.
     */
    bm_ready = bm_args.ready;
    if (bm_now() > bm_ready) {
        bm_ready = (bm_now() + BM_NS_PER_SEC - 1) / BM_NS_PER_SEC *
                   BM_NS_PER_SEC;
        bm_printf("LATE %llu\n", (unsigned long long)bm_now());
    }
    bm_run_until(bm_ready);
    bm_ready_known = true;
    bm_printf("READY %llu\n", (unsigned long long)bm_ready);
    bm_print_events();

    /* the story: pauses for the runner's actions, traffic rounds */
    t_end = bm_ready + bm_args.duration;
    next_round = bm_ready + BM_ROUND_START_NS;
    for (;;) {
        uint64_t tp = bm_args.hold && pi < bm_args.npauses ?
                      bm_ready + bm_args.pauses[pi] : UINT64_MAX;
        uint64_t tr = bm_args.traffic != BM_TRAFFIC_IDLE &&
                      next_round + (BM_ROUND_CHECK_NS - BM_ROUND_START_NS) <=
                      t_end ? next_round : UINT64_MAX;
        uint64_t tc = round_open ? check_at : UINT64_MAX;

        t = tp < tr ? tp : tr;
        t = tc < t ? tc : t;
        if (t > t_end) {
            break;
        }
        bm_run_until(t);
        if (t == tp) {
            bm_pause_point(pi++);
        } else if (t == tc) {
            round_open = false;
            if (bm_round_ok()) {
                rounds_ok++;
            } else {
                rounds_failed++;
            }
        } else {
            bm_round_start();
            round_open = true;
            check_at = next_round + (BM_ROUND_CHECK_NS - BM_ROUND_START_NS);
            next_round += BM_NS_PER_SEC;
        }
    }
    bm_run_until(t_end);
    bm_printf("TRAFFIC-ROUNDS ok=%llu failed=%llu\n",
              (unsigned long long)rounds_ok,
              (unsigned long long)rounds_failed);
    if (bm_args.hold) {
        bm_pause_point(pi);
    }

    /* after the story: does traffic pass again (idle and flood ping)? */
    if (bm_args.traffic == BM_TRAFFIC_IDLE ||
        bm_args.traffic == BM_TRAFFIC_FLOOD) {
        bm_args.traffic = BM_TRAFFIC_PING;
    }
    for (t = bm_now(); !final_ok && bm_now() - t < bm_args.recover; ) {
        uint64_t start = bm_now();

        bm_round_start();
        bm_run_until(start + (BM_ROUND_CHECK_NS - BM_ROUND_START_NS));
        final_ok = bm_round_ok();
        if (!final_ok) {
            bm_run_until(start + BM_NS_PER_SEC);
        }
    }
    bm_printf("RECOVER %lld\n", (long long)bm_rel(bm_now()));
    bm_finish(final_ok, 0);
}
