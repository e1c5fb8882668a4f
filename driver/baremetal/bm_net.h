/*
 * ENA bare-metal guest: test traffic (ARP and ICMP echo to the gateway).
 *
 * The runner gives the NIC QEMU's user-mode network (slirp). slirp
 * answers ARP for its gateway 10.0.2.2 and reflects ICMP echo requests
 * sent to it synchronously, inside the TX doorbell write that sent them:
 * the echo comes back at a moment that depends only on the guest, so
 * traffic does not disturb determinism. A round of traffic is a burst of
 * echo requests whose replies are checked in full (IP and ICMP checksums,
 * identifier, sequence number, payload).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_BM_NET_H
#define ENA_BM_NET_H

#include "ena_drv.h"

#define BM_NET_MAX_BURST    64

typedef struct BmNetStats {
    uint64_t tx_frames;
    uint64_t tx_refused;        /* the driver said no (down, resetting) */
    uint64_t rx_frames;
    uint64_t rx_echo_ok;
    uint64_t rx_bad;            /* a reply that failed a check */
    uint64_t rx_other;          /* frames that are none of ours */
    uint64_t arp_requests;
    uint64_t arp_replies_sent;
} BmNetStats;

typedef struct BmNet {
    EnaDrv *drv;
    uint8_t mac[6];
    uint8_t gw_mac[6];
    bool have_gw;
    uint32_t ip;                /* host order */
    uint32_t gw;
    uint16_t ident;
    uint16_t seq;

    /* the current round: requests seq0 .. seq0 + count - 1 */
    uint16_t seq0;
    uint16_t count;
    uint16_t payload;
    uint64_t got;               /* bit i: reply to seq0 + i arrived intact */
    bool bad;

    /* ARP answers owed to the gateway, sent after the poll */
    bool arp_reply_due;

    BmNetStats stats;
} BmNet;

void bm_net_init(BmNet *net, EnaDrv *drv, uint32_t ip, uint32_t gw);
/* The receive callback for ena_plat_bm_set_rx(). */
void bm_net_rx(void *opaque, uint16_t qid, const uint8_t *frame,
               uint32_t len);
/* Send what the receive path owes (ARP replies). */
void bm_net_flush(BmNet *net);
/* Ask for the gateway's MAC address. */
void bm_net_arp(BmNet *net);
/*
 * Start a round: @count echo requests with @payload bytes each. Returns
 * how many the driver took.
 */
unsigned bm_net_round_start(BmNet *net, unsigned count, unsigned payload);
/* Did every request of the round come back intact? */
bool bm_net_round_ok(const BmNet *net);

#endif /* ENA_BM_NET_H */
