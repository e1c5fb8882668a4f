/*
 * ENA bare-metal guest: test traffic (ARP and ICMP echo to the gateway).
 *
 * SPDX-License-Identifier: MIT
 */
#include "bm.h"
#include "bm_net.h"

#define ETH_HLEN            14
#define ETH_P_IP            0x0800
#define ETH_P_ARP           0x0806
#define ARP_LEN             28
#define ARP_REQUEST         1
#define ARP_REPLY           2
#define IP_HLEN             20
#define IP_PROTO_ICMP       1
#define ICMP_HLEN           8
#define ICMP_ECHO_REPLY     0
#define ICMP_ECHO_REQUEST   8
#define BM_NET_MIN_FRAME    60
#define BM_NET_MAX_PAYLOAD  1472

static uint8_t bm_net_txbuf[ETH_HLEN + IP_HLEN + ICMP_HLEN +
                            BM_NET_MAX_PAYLOAD];

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The Internet checksum of @len bytes (0 when a received sum is right). */
static uint16_t bm_net_csum(const uint8_t *p, uint32_t len)
{
    uint32_t sum = 0;

    for (; len > 1; p += 2, len -= 2) {
        sum += get16(p);
    }
    if (len) {
        sum += (uint32_t)p[0] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static uint8_t bm_net_pattern(uint16_t seq, uint32_t i)
{
    return (uint8_t)(seq * 31u + i * 7u + (i >> 8));
}

void bm_net_init(BmNet *net, EnaDrv *drv, uint32_t ip, uint32_t gw)
{
    memset(net, 0, sizeof(*net));
    net->drv = drv;
    memcpy(net->mac, drv->mac, sizeof(net->mac));
    net->ip = ip;
    net->gw = gw;
    net->ident = 0x454e;        /* "EN" */
}

static bool bm_net_send(BmNet *net, uint16_t qid, uint8_t *frame,
                        uint32_t len)
{
    EnaFrag frag;

    if (len < BM_NET_MIN_FRAME) {
        memset(frame + len, 0, BM_NET_MIN_FRAME - len);
        len = BM_NET_MIN_FRAME;
    }
    frag.data = frame;
    frag.len = len;
    if (ena_drv_xmit(net->drv, qid, &frag, 1) < 0) {
        net->stats.tx_refused++;
        return false;
    }
    net->stats.tx_frames++;
    return true;
}

static void bm_net_arp_frame(BmNet *net, uint16_t op, const uint8_t *dst_mac,
                             uint32_t dst_ip)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t zero[6];
    uint8_t *f = bm_net_txbuf, *a = f + ETH_HLEN;

    memcpy(f, op == ARP_REQUEST ? bcast : dst_mac, 6);
    memcpy(f + 6, net->mac, 6);
    put16(f + 12, ETH_P_ARP);
    put16(a, 1);                /* Ethernet */
    put16(a + 2, ETH_P_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, net->mac, 6);
    put32(a + 14, net->ip);
    memcpy(a + 18, op == ARP_REQUEST ? zero : dst_mac, 6);
    put32(a + 24, dst_ip);
    bm_net_send(net, 0, f, ETH_HLEN + ARP_LEN);
}

void bm_net_arp(BmNet *net)
{
    net->stats.arp_requests++;
    bm_net_arp_frame(net, ARP_REQUEST, NULL, net->gw);
}

void bm_net_flush(BmNet *net)
{
    if (net->arp_reply_due && net->have_gw) {
        net->arp_reply_due = false;
        net->stats.arp_replies_sent++;
        bm_net_arp_frame(net, ARP_REPLY, net->gw_mac, net->gw);
    }
}

static bool bm_net_echo(BmNet *net, uint16_t qid, uint16_t seq,
                        unsigned payload)
{
    uint8_t *f = bm_net_txbuf, *ip = f + ETH_HLEN, *icmp = ip + IP_HLEN;
    uint32_t iplen = IP_HLEN + ICMP_HLEN + payload;

    memcpy(f, net->gw_mac, 6);
    memcpy(f + 6, net->mac, 6);
    put16(f + 12, ETH_P_IP);
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)iplen);
    put16(ip + 4, seq);
    put16(ip + 6, 0x4000);      /* don't fragment */
    ip[8] = 64;
    ip[9] = IP_PROTO_ICMP;
    put16(ip + 10, 0);
    put32(ip + 12, net->ip);
    put32(ip + 16, net->gw);
    put16(ip + 10, bm_net_csum(ip, IP_HLEN));
    icmp[0] = ICMP_ECHO_REQUEST;
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, net->ident);
    put16(icmp + 6, seq);
    for (uint32_t i = 0; i < payload; i++) {
        icmp[ICMP_HLEN + i] = bm_net_pattern(seq, i);
    }
    put16(icmp + 2, bm_net_csum(icmp, ICMP_HLEN + payload));
    return bm_net_send(net, qid, f, ETH_HLEN + iplen);
}

unsigned bm_net_round_start(BmNet *net, unsigned count, unsigned payload)
{
    unsigned sent = 0;

    if (count > BM_NET_MAX_BURST) {
        count = BM_NET_MAX_BURST;
    }
    if (payload > BM_NET_MAX_PAYLOAD) {
        payload = BM_NET_MAX_PAYLOAD;
    }
    net->seq0 = net->seq;
    net->count = (uint16_t)count;
    net->payload = (uint16_t)payload;
    net->got = 0;
    net->bad = false;
    net->seq += (uint16_t)count;
    if (!net->have_gw) {
        bm_net_arp(net);
        return 0;
    }
    for (unsigned i = 0; i < count; i++) {
        /* bursts spread over the TX queues (replies come on the first) */
        uint16_t qid = net->drv->num_queues ? i % net->drv->num_queues : 0;

        sent += bm_net_echo(net, qid, (uint16_t)(net->seq0 + i), payload);
    }
    return sent;
}

bool bm_net_round_ok(const BmNet *net)
{
    uint64_t all = net->count >= 64 ? ~0ull : (1ull << net->count) - 1;

    return net->count && !net->bad && net->got == all;
}

static void bm_net_rx_arp(BmNet *net, const uint8_t *a, uint32_t len)
{
    uint16_t op;

    if (len < ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_P_IP ||
        a[4] != 6 || a[5] != 4) {
        net->stats.rx_other++;
        return;
    }
    op = get16(a + 6);
    if (get32(a + 14) == net->gw) {
        memcpy(net->gw_mac, a + 8, 6);
        net->have_gw = true;
    }
    if (op == ARP_REQUEST && get32(a + 24) == net->ip &&
        get32(a + 14) == net->gw) {
        net->arp_reply_due = true;
    }
}

static void bm_net_rx_ip(BmNet *net, const uint8_t *ip, uint32_t len)
{
    const uint8_t *icmp = ip + IP_HLEN;
    uint32_t iplen;
    uint16_t seq, idx;

    if (len < IP_HLEN + ICMP_HLEN || ip[0] != 0x45 ||
        ip[9] != IP_PROTO_ICMP || get32(ip + 12) != net->gw ||
        get32(ip + 16) != net->ip) {
        net->stats.rx_other++;
        return;
    }
    iplen = get16(ip + 2);
    if (iplen > len || iplen < IP_HLEN + ICMP_HLEN ||
        bm_net_csum(ip, IP_HLEN) != 0 || icmp[0] != ICMP_ECHO_REPLY ||
        get16(icmp + 4) != net->ident) {
        net->stats.rx_bad++;
        net->bad = true;
        return;
    }
    seq = get16(icmp + 6);
    idx = (uint16_t)(seq - net->seq0);
    if (idx >= net->count) {
        return;                 /* a late reply to an earlier round */
    }
    if (iplen - IP_HLEN - ICMP_HLEN != net->payload ||
        bm_net_csum(icmp, iplen - IP_HLEN) != 0) {
        net->stats.rx_bad++;
        net->bad = true;
        return;
    }
    for (uint32_t i = 0; i < net->payload; i++) {
        if (icmp[ICMP_HLEN + i] != bm_net_pattern(seq, i)) {
            net->stats.rx_bad++;
            net->bad = true;
            return;
        }
    }
    net->got |= 1ull << idx;
    net->stats.rx_echo_ok++;
}

void bm_net_rx(void *opaque, uint16_t qid, const uint8_t *frame,
               uint32_t len)
{
    BmNet *net = opaque;

    net->stats.rx_frames++;
    if (len < ETH_HLEN) {
        net->stats.rx_other++;
        return;
    }
    switch (get16(frame + 12)) {
    case ETH_P_ARP:
        bm_net_rx_arp(net, frame + ETH_HLEN, len - ETH_HLEN);
        break;
    case ETH_P_IP:
        bm_net_rx_ip(net, frame + ETH_HLEN, len - ETH_HLEN);
        break;
    default:
        net->stats.rx_other++;
        break;
    }
}
