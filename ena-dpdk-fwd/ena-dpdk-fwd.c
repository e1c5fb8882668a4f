/*
 * ena-dpdk-fwd: a small DPDK application that drives ENA ports the way the
 * PMD's users do, for the dpdk target of the scenario runner.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every port found is configured with one RX and one TX queue. The main
 * loop sends a few UDP frames on every port at a steady rate (all ports
 * share one QEMU hub, so what one port sends the others receive), counts
 * and frees what arrives, and calls rte_timer_manage(), which runs the
 * PMD's watchdog (keep-alive timeout, missing TX completions, admin queue
 * state). When the PMD raises RTE_ETH_EVENT_INTR_RESET the main loop
 * resets the port (rte_eth_dev_reset()), configures it again and starts it.
 *
 * Usage: ena-dpdk-fwd [EAL options] -- [--duration S] [--recover S]
 *                     [--pkts N] [--traffic ping|admin|idle]
 *
 * Output on stdout, line-buffered; times are seconds since start:
 *   APP-EVENT T WHAT [key=value...]   port-started, ready, link,
 *                                     reset-requested, reset-done,
 *                                     reset-failed, mtu-failed, story-end
 *   APP-STATS T port=N rx=R tx=T      every second
 *   APP-XSTAT port=N NAME=VALUE       a few PMD xstats at the end
 *   APP-RESULT traffic=ok|failed ...  last line
 *   LOG T TEXT                        every EAL/PMD log line
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_timer.h>
#include <rte_udp.h>

#define NB_RXD 512
#define NB_TXD 512
#define NB_MBUFS 8191
#define BURST 32
#define GEN_BURST 8         /* frames a port sends per generator tick */
#define GEN_HZ 50           /* generator ticks per second */
#define FRAME_LEN 64        /* without CRC */
#define READY_TIMEOUT 120   /* seconds to wait for traffic at start */
#define RESET_RETRIES 10

struct port {
    bool used;
    bool reset_pending;     /* set by the reset callback, same thread */
    bool up;                /* configured and started */
    unsigned int resets;
    unsigned int reset_failures;
    uint64_t rx, tx, tx_full;
    uint64_t rx_base;       /* rx when the recovery check began */
    struct rte_ether_addr mac;
};

static struct port ports[RTE_MAX_ETHPORTS];
static struct rte_mempool *pool;
static uint64_t hz, t_start;

static double now_s(void)
{
    return (double)(rte_get_timer_cycles() - t_start) / hz;
}

/*
 * EAL's and the PMD's log lines, each prefixed with "LOG <time>" so that
 * the runner can place them on its timeline. glibc serializes writes to
 * the stream, so the line buffer needs no lock of its own.
 */
static char log_line[1024];
static size_t log_len;

static ssize_t log_write(void *cookie, const char *buf, size_t size)
{
    size_t i;

    for (i = 0; i < size; i++) {
        if (buf[i] == '\n' || log_len == sizeof(log_line) - 1) {
            log_line[log_len] = '\0';
            printf("LOG %.3f %s\n", now_s(), log_line);
            log_len = 0;
            if (buf[i] == '\n') {
                continue;
            }
        }
        log_line[log_len++] = buf[i];
    }
    return size;
}

static int event_cb(uint16_t port_id, enum rte_eth_event_type type,
                    void *arg, void *ret_param)
{
    struct rte_eth_link link;

    if (type == RTE_ETH_EVENT_INTR_RESET) {
        /* Runs in rte_timer_manage() of the main loop: just ask for it. */
        printf("APP-EVENT %.3f reset-requested port=%u\n", now_s(), port_id);
        ports[port_id].reset_pending = true;
    } else if (type == RTE_ETH_EVENT_INTR_LSC) {
        if (rte_eth_link_get_nowait(port_id, &link) == 0) {
            printf("APP-EVENT %.3f link port=%u up=%u\n", now_s(), port_id,
                   link.link_status);
        }
    }
    return 0;
}

/* Configure @pid with one RX and one TX queue and start it. */
static int port_setup(uint16_t pid)
{
    struct rte_eth_conf conf;
    uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD;
    int socket = rte_eth_dev_socket_id(pid);
    int rc;

    memset(&conf, 0, sizeof(conf));
    conf.intr_conf.lsc = 1;
    rc = rte_eth_dev_configure(pid, 1, 1, &conf);
    if (rc == 0) {
        rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb_rxd, &nb_txd);
    }
    if (rc == 0) {
        rc = rte_eth_rx_queue_setup(pid, 0, nb_rxd, socket < 0 ? 0 : socket,
                                    NULL, pool);
    }
    if (rc == 0) {
        rc = rte_eth_tx_queue_setup(pid, 0, nb_txd, socket < 0 ? 0 : socket,
                                    NULL);
    }
    if (rc == 0) {
        rc = rte_eth_dev_start(pid);
    }
    if (rc == 0) {
        rte_eth_macaddr_get(pid, &ports[pid].mac);
        ports[pid].up = true;
        printf("APP-EVENT %.3f port-started port=%u\n", now_s(), pid);
    } else {
        printf("APP-EVENT %.3f port-start-failed port=%u rc=%d\n", now_s(),
               pid, rc);
    }
    return rc;
}

/* The sequence DPDK documents for RTE_ETH_EVENT_INTR_RESET. */
static void port_reset(uint16_t pid)
{
    struct port *p = &ports[pid];
    int rc;

    p->reset_pending = false;
    p->up = false;
    rc = rte_eth_dev_reset(pid);
    if (rc == 0) {
        rc = port_setup(pid);
    }
    if (rc == 0) {
        p->resets++;
        printf("APP-EVENT %.3f reset-done port=%u\n", now_s(), pid);
        return;
    }
    p->reset_failures++;
    printf("APP-EVENT %.3f reset-failed port=%u rc=%d\n", now_s(), pid, rc);
    if (p->reset_failures < RESET_RETRIES) {
        p->reset_pending = true;        /* try again on the next pass */
    }
}

/* A UDP/IPv4 frame from port @pid to every other port (broadcast). */
static struct rte_mbuf *make_frame(uint16_t pid, uint32_t seq)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    struct rte_ether_hdr *eth;
    struct rte_ipv4_hdr *ip;
    struct rte_udp_hdr *udp;

    if (!m) {
        return NULL;
    }
    eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FRAME_LEN);
    if (!eth) {
        rte_pktmbuf_free(m);
        return NULL;
    }
    memset(eth, 0, FRAME_LEN);
    memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
    rte_ether_addr_copy(&ports[pid].mac, &eth->src_addr);
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    ip = (struct rte_ipv4_hdr *)(eth + 1);
    ip->version_ihl = RTE_IPV4_VHL_DEF;
    ip->total_length = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth));
    ip->time_to_live = 64;
    ip->next_proto_id = IPPROTO_UDP;
    ip->src_addr = rte_cpu_to_be_32(0xc0a80001 + pid);
    ip->dst_addr = rte_cpu_to_be_32(0xc0a800ff);
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    udp = (struct rte_udp_hdr *)(ip + 1);
    udp->src_port = rte_cpu_to_be_16(9000 + pid);
    udp->dst_port = rte_cpu_to_be_16(9);
    udp->dgram_len = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eth) -
                                      sizeof(*ip));
    *(uint32_t *)(udp + 1) = rte_cpu_to_be_32(seq);
    return m;
}

static void port_send(uint16_t pid)
{
    struct rte_mbuf *burst[GEN_BURST];
    static uint32_t seq;
    uint16_t n = 0, sent;

    while (n < GEN_BURST) {
        burst[n] = make_frame(pid, seq++);
        if (!burst[n]) {
            break;
        }
        n++;
    }
    sent = rte_eth_tx_burst(pid, 0, burst, n);
    ports[pid].tx += sent;
    if (sent < n) {
        ports[pid].tx_full += n - sent;
        rte_pktmbuf_free_bulk(&burst[sent], n - sent);
    }
}

static void port_receive(uint16_t pid)
{
    struct rte_mbuf *burst[BURST];
    uint16_t n;

    n = rte_eth_rx_burst(pid, 0, burst, BURST);
    ports[pid].rx += n;
    rte_pktmbuf_free_bulk(burst, n);
}

/* The smallest number of frames a port received since its rx_base. */
static uint64_t min_rx(void)
{
    uint64_t m = UINT64_MAX;
    uint16_t pid;

    RTE_ETH_FOREACH_DEV(pid) {
        if (ports[pid].used) {
            m = RTE_MIN(m, ports[pid].rx - ports[pid].rx_base);
        }
    }
    return m;
}

/* A few of the PMD's own counters (xstats), by name. */
static void print_xstats(uint16_t pid)
{
    static const char *const wanted[] = {
        "wd_expired", "dev_start", "dev_stop", "tx_drops",
        "tx_q0_missed_tx", "rx_q0_bad_req_id", "tx_q0_bad_req_id",
    };
    struct rte_eth_xstat_name *names;
    struct rte_eth_xstat *vals;
    int n, i;
    size_t w;

    n = rte_eth_xstats_get_names(pid, NULL, 0);
    if (n <= 0) {
        return;
    }
    names = calloc(n, sizeof(*names));
    vals = calloc(n, sizeof(*vals));
    if (names && vals && rte_eth_xstats_get_names(pid, names, n) == n &&
        rte_eth_xstats_get(pid, vals, n) == n) {
        for (i = 0; i < n; i++) {
            for (w = 0; w < RTE_DIM(wanted); w++) {
                if (strcmp(names[vals[i].id].name, wanted[w]) == 0) {
                    printf("APP-XSTAT port=%u %s=%" PRIu64 "\n", pid,
                           wanted[w], vals[i].value);
                }
            }
        }
    }
    free(names);
    free(vals);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "duration", required_argument, NULL, 'd' },
        { "recover", required_argument, NULL, 'r' },
        { "pkts", required_argument, NULL, 'p' },
        { "traffic", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    static cookie_io_functions_t log_fns = { .write = log_write };
    double duration = 15, recover = 40;
    uint64_t pkts = 200;
    const char *traffic = "ping";
    enum { WAIT_READY, STORY, RECOVER, DONE } phase = WAIT_READY;
    uint64_t next_gen, next_stats, next_mtu, t_phase;
    uint16_t pid, mtu = 1500;
    unsigned int nports = 0, resets = 0;
    const char *verdict = "failed";
    FILE *log_stream;
    int rc, c;

    setvbuf(stdout, NULL, _IOLBF, 0);
    hz = rte_get_timer_hz();
    rc = rte_eal_init(argc, argv);
    if (rc < 0) {
        printf("APP-RESULT traffic=failed reason=eal-init\n");
        return 1;
    }
    hz = rte_get_timer_hz();
    t_start = rte_get_timer_cycles();
    log_stream = fopencookie(NULL, "w", log_fns);
    if (log_stream) {
        setvbuf(log_stream, NULL, _IONBF, 0);
        rte_openlog_stream(log_stream);
    }
    argc -= rc;
    argv += rc;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            duration = atof(optarg);
            break;
        case 'r':
            recover = atof(optarg);
            break;
        case 'p':
            pkts = strtoull(optarg, NULL, 0);
            break;
        case 't':
            traffic = optarg;
            break;
        default:
            printf("APP-RESULT traffic=failed reason=usage\n");
            return 2;
        }
    }

    pool = rte_pktmbuf_pool_create("mbufs", NB_MBUFS, 256, 0,
                                   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
    if (!pool) {
        printf("APP-RESULT traffic=failed reason=mempool\n");
        return 1;
    }
    rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RESET,
                                  event_cb, NULL);
    rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_LSC,
                                  event_cb, NULL);
    RTE_ETH_FOREACH_DEV(pid) {
        ports[pid].used = true;
        nports++;
        if (port_setup(pid) != 0) {
            printf("APP-RESULT traffic=failed reason=port-start port=%u\n",
                   pid);
            return 1;
        }
    }
    printf("APP-EVENT %.3f ports n=%u traffic=%s\n", now_s(), nports,
           traffic);
    if (nports == 0) {
        printf("APP-RESULT traffic=failed reason=no-ports\n");
        return 1;
    }

    t_phase = next_gen = next_stats = next_mtu = rte_get_timer_cycles();
    while (phase != DONE) {
        uint64_t now = rte_get_timer_cycles();

        /* The PMD's watchdog is an rte_timer: it runs only from here. */
        rte_timer_manage();
        RTE_ETH_FOREACH_DEV(pid) {
            if (ports[pid].reset_pending) {
                port_reset(pid);
            }
        }
        RTE_ETH_FOREACH_DEV(pid) {
            if (ports[pid].up) {
                port_receive(pid);
            }
        }
        if (now >= next_gen && strcmp(traffic, "idle") != 0) {
            next_gen = now + hz / GEN_HZ;
            RTE_ETH_FOREACH_DEV(pid) {
                if (ports[pid].up) {
                    port_send(pid);
                }
            }
        }
        if (now >= next_mtu && phase == STORY &&
            strcmp(traffic, "admin") == 0) {
            /* A SET_FEATURE(MTU) admin command to every port each second. */
            next_mtu = now + hz;
            mtu = mtu == 1500 ? 1400 : 1500;
            RTE_ETH_FOREACH_DEV(pid) {
                rc = ports[pid].up ? rte_eth_dev_set_mtu(pid, mtu) : 0;
                if (rc != 0) {
                    printf("APP-EVENT %.3f mtu-failed port=%u mtu=%u rc=%d\n",
                           now_s(), pid, mtu, rc);
                }
            }
        }
        if (now >= next_stats) {
            next_stats = now + hz;
            RTE_ETH_FOREACH_DEV(pid) {
                printf("APP-STATS %.3f port=%u rx=%" PRIu64 " tx=%" PRIu64
                       " tx_full=%" PRIu64 " up=%d resets=%u\n", now_s(), pid,
                       ports[pid].rx, ports[pid].tx, ports[pid].tx_full,
                       ports[pid].up, ports[pid].resets);
            }
        }

        switch (phase) {
        case WAIT_READY:
            /* In idle stories nothing is sent before the check. */
            if (strcmp(traffic, "idle") == 0 || min_rx() > 0) {
                printf("APP-EVENT %.3f ready\n", now_s());
                phase = STORY;
                t_phase = now;
            } else if (now - t_phase > READY_TIMEOUT * hz) {
                printf("APP-EVENT %.3f no-traffic-at-start\n", now_s());
                phase = DONE;
            }
            break;
        case STORY:
            if (now - t_phase >= duration * hz) {
                printf("APP-EVENT %.3f story-end\n", now_s());
                RTE_ETH_FOREACH_DEV(pid) {
                    ports[pid].rx_base = ports[pid].rx;
                }
                if (strcmp(traffic, "idle") == 0) {
                    traffic = "ping";   /* the check needs frames */
                }
                phase = RECOVER;
                t_phase = now;
            }
            break;
        case RECOVER:
            if (min_rx() >= pkts) {
                verdict = "ok";
                phase = DONE;
            } else if (now - t_phase >= recover * hz) {
                phase = DONE;
            }
            break;
        case DONE:
            break;
        }
    }

    RTE_ETH_FOREACH_DEV(pid) {
        resets += ports[pid].resets;
        printf("APP-STATS %.3f port=%u rx=%" PRIu64 " tx=%" PRIu64
               " tx_full=%" PRIu64 " up=%d resets=%u\n", now_s(), pid,
               ports[pid].rx, ports[pid].tx, ports[pid].tx_full,
               ports[pid].up, ports[pid].resets);
        if (ports[pid].up) {
            print_xstats(pid);
        }
    }
    printf("APP-RESULT traffic=%s resets=%u recovered_rx=%" PRIu64 "\n",
           verdict, resets, min_rx());
    RTE_ETH_FOREACH_DEV(pid) {
        if (ports[pid].up) {
            rte_eth_dev_stop(pid);
        }
        rte_eth_dev_close(pid);
    }
    rte_eal_cleanup();
    return 0;
}
