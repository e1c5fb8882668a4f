/*
 * Unit tests: TX descriptor building, req_id tracking, the missing-TX
 * check, RX refill and RX completion chain parsing (good and malformed).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include "unit.h"
#include "plat_fake.h"
#include "ena_eth.h"

static EnaPlat *plat;
static EnaEthTxQueue txq;
static EnaEthRxQueue rxq;

static void setup(void)
{
    plat = fake_new();
}

static void teardown(void)
{
    ena_eth_tx_free(&txq, plat);
    ena_eth_rx_free(&rxq, plat);
    ck_assert_uint_eq(plat->dma_in_use, 0);
    fake_free(plat);
}

/* A TX queue as if CREATE_CQ/CREATE_SQ had succeeded. */
static void tx_make(uint16_t depth, uint32_t buf_size, uint16_t max_descs)
{
    ck_assert_int_eq(ena_eth_tx_setup(&txq, plat, 0, depth, buf_size,
                                      max_descs), 0);
    txq.sq.created = txq.cq.created = true;
    txq.sq.db_off = FAKE_SQ_DB_BASE;
    txq.cq.unmask_off = FAKE_CQ_UNMASK_BASE;
}

static int tx_send(uint32_t len)
{
    static uint8_t frame[65536];
    EnaFrag f = { frame, len };

    for (uint32_t i = 0; i < len; i++) {
        frame[i] = (uint8_t)(i + len);
    }
    return ena_eth_xmit(&txq, plat, &f, 1, plat->now_ns);
}

/* Write the device's completion for @req_id at TX CQ counter @ctr. */
static void tx_cdesc(uint16_t ctr, uint16_t req_id, uint8_t extra_flags)
{
    EnaEthIoTxCdesc *c = (EnaEthIoTxCdesc *)txq.cq.mem.virt +
                         ena_ring_slot(ctr, txq.cq.depth);

    c->req_id = req_id;
    c->flags = ena_ring_phase(ctr, txq.cq.depth) | extra_flags;
}

static EnaEthIoTxDesc *tx_desc(uint16_t slot)
{
    return (EnaEthIoTxDesc *)txq.sq.mem.virt + slot;
}

/* ---- TX ----------------------------------------------------------------- */

START_TEST(test_tx_desc_fields)
{
    EnaEthTxSeg segs[] = {
        { .addr = 0x123456789abcull, .len = 100 },
        { .addr = 0x1000, .len = 200 },
    };
    EnaEthIoTxDesc *d;

    tx_make(8, 256, 4);
    ck_assert_uint_eq(ena_eth_tx_write_descs(&txq.sq, 0xfff, segs, 2, 42), 2);
    d = tx_desc(0);
    /* req_id 0xfff: bits 9:0 in meta_ctrl 31:22, bits 15:10 in 21:16 */
    ck_assert_uint_eq(d->len_ctrl, 100 | (1u << 24) | (1u << 26) |
                      (1u << 28) | (0x3u << 16));
    ck_assert_uint_eq(d->meta_ctrl, 0x3ffu << 22);
    ck_assert_uint_eq(d->buff_addr_lo, 0x56789abc);
    ck_assert_uint_eq(d->buff_addr_hi_hdr_sz, 0x1234 | (42u << 24));
    d = tx_desc(1);
    ck_assert_uint_eq(d->len_ctrl, 200 | (1u << 24) | (1u << 27));
    ck_assert_uint_eq(d->meta_ctrl, 0);
    ck_assert_uint_eq(d->buff_addr_lo, 0x1000);
    ck_assert_uint_eq(d->buff_addr_hi_hdr_sz, 0);
    ck_assert_uint_eq(txq.sq.tail, 2);
}
END_TEST

/* One descriptor per packet on a ring of 4: the 5th carries phase 0. */
START_TEST(test_tx_desc_phase_wrap)
{
    EnaEthTxSeg seg = { .addr = 0x2000, .len = 60 };

    tx_make(4, 256, 4);
    for (uint16_t i = 0; i < 6; i++) {
        ena_eth_tx_write_descs(&txq.sq, i, &seg, 1, 0);
        ck_assert_uint_eq(!!(tx_desc(i % 4)->len_ctrl & (1u << 24)), i < 4);
        /* single descriptor: first, last and comp_req all set */
        ck_assert_uint_eq(tx_desc(i % 4)->len_ctrl & (7u << 26), 7u << 26);
    }
}
END_TEST

START_TEST(test_tx_xmit_splits_and_copies)
{
    const uint8_t *buf;
    int id;

    tx_make(8, 256, 4);
    id = tx_send(600);
    ck_assert_int_ge(id, 0);
    ck_assert_uint_eq(txq.descs_in_flight, 3);
    ck_assert_uint_eq(txq.pkts_in_flight, 1);
    ck_assert(txq.info[id].in_flight);
    ck_assert_uint_eq(txq.info[id].ndescs, 3);
    ck_assert_uint_eq(tx_desc(0)->len_ctrl & 0xffff, 256);
    ck_assert_uint_eq(tx_desc(1)->len_ctrl & 0xffff, 256);
    ck_assert_uint_eq(tx_desc(2)->len_ctrl & 0xffff, 88);
    ck_assert(!(tx_desc(1)->len_ctrl & ENA_ETH_IO_TX_DESC_FIRST_MASK));
    ck_assert(tx_desc(2)->len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK);
    /* each piece in its slot's buffer, addressed by the descriptor */
    buf = txq.bufs.virt;
    for (uint32_t i = 0; i < 600; i++) {
        ck_assert_uint_eq(buf[i], (uint8_t)(i + 600));
    }
    ck_assert_uint_eq(tx_desc(2)->buff_addr_lo,
                      (uint32_t)(txq.bufs.phys + 2 * 256));
    /* the doorbell went to the SQ's register */
    ck_assert_uint_eq(plat->sq_doorbells, 1);
    ck_assert_uint_eq(txq.stats.bytes, 600);
}
END_TEST

START_TEST(test_tx_limits)
{
    EnaFrag none = { NULL, 0 };

    tx_make(8, 256, 4);
    ck_assert_int_eq(tx_send(5 * 256), -ENA_EMSGSIZE);
    ck_assert_uint_eq(txq.stats.too_many_descs, 1);
    ck_assert_int_eq(ena_eth_xmit(&txq, plat, &none, 1, 0), -ENA_EINVAL);
    /* at most depth - 1 descriptors in flight */
    for (int i = 0; i < 7; i++) {
        ck_assert_int_ge(tx_send(60), 0);
    }
    ck_assert_int_eq(tx_send(60), -ENA_ENOSPC);
    ck_assert_uint_eq(txq.stats.ring_full, 1);
    ck_assert_uint_eq(ena_eth_tx_free_ids(&txq), 1);
    ck_assert_uint_eq(plat->sq_doorbells, 7);
}
END_TEST

START_TEST(test_tx_clean_out_of_order)
{
    uint8_t reason = ENA_RESET_REASON_NONE;
    int a, b, c;

    tx_make(8, 256, 4);
    a = tx_send(300);           /* 2 descriptors */
    b = tx_send(60);
    c = tx_send(60);
    tx_cdesc(0, c, 0);
    tx_cdesc(1, a, 0);
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), 2);
    ck_assert_uint_eq(reason, ENA_RESET_REASON_NONE);
    ck_assert(!txq.info[a].in_flight);
    ck_assert(txq.info[b].in_flight);
    ck_assert(!txq.info[c].in_flight);
    ck_assert_uint_eq(txq.descs_in_flight, 1);
    ck_assert_uint_eq(txq.cq.head, 2);
    /* nothing more: the next entry still has the old phase */
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), 0);
    tx_cdesc(2, b, 0);
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 1, &reason), 1);
    ck_assert_uint_eq(ena_eth_tx_free_ids(&txq), 8);
    ck_assert_uint_eq(txq.stats.completions, 3);
}
END_TEST

START_TEST(test_tx_clean_bad_req_id)
{
    uint8_t reason = ENA_RESET_REASON_NONE;
    int a;

    tx_make(8, 256, 4);
    a = tx_send(60);
    /* beyond the ring */
    tx_cdesc(0, 8, 0);
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), -ENA_EINVAL);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_INV_TX_REQ_ID);
    ck_assert_uint_eq(txq.cq.head, 0);      /* not consumed */
    /* in range, but not a packet in flight */
    tx_cdesc(0, (a + 1) % 8, 0);
    reason = ENA_RESET_REASON_NONE;
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), -ENA_EINVAL);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_INV_TX_REQ_ID);
    /* the right one, then the same one again */
    tx_cdesc(0, a, 0);
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), 1);
    tx_cdesc(1, a, 0);
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), -ENA_EINVAL);
    ck_assert_uint_eq(txq.stats.bad_req_id, 3);
}
END_TEST

START_TEST(test_tx_clean_mbz)
{
    uint8_t reason = ENA_RESET_REASON_NONE;
    int a;

    tx_make(8, 256, 4);
    a = tx_send(60);
    tx_cdesc(0, a, 0x40);
    /* without the capability the bits are not looked at */
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), 1);
    a = tx_send(60);
    tx_cdesc(1, a, 0x80);
    txq.cdesc_mbz = true;
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), -ENA_EIO);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_TX_DESCRIPTOR_MALFORMED);
    ck_assert_uint_eq(txq.stats.bad_cdesc, 1);
}
END_TEST

/*
 * Buffers belong to SQ slots: a completion out of order must not let a new
 * packet reuse slots of an older one still in flight.
 */
START_TEST(test_tx_slots_stay_busy)
{
    uint8_t reason;
    int a, b;

    tx_make(8, 256, 8);
    a = tx_send(2 * 256);       /* slots 0-1 */
    b = tx_send(5 * 256);       /* slots 2-6 */
    tx_cdesc(0, b, 0);
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), 1);
    ck_assert_uint_eq(txq.descs_in_flight, 2);
    /* would take slots 7, 0, 1, 2, 3: 0 and 1 still hold packet a */
    ck_assert_int_eq(tx_send(5 * 256), -ENA_ENOSPC);
    tx_cdesc(1, a, 0);
    ck_assert_int_eq(ena_eth_tx_clean(&txq, plat, 64, &reason), 1);
    ck_assert_int_ge(tx_send(5 * 256), 0);
}
END_TEST

START_TEST(test_tx_missing_check)
{
    uint64_t to = 5000000000ull;
    uint32_t late, fresh;

    tx_make(8, 256, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_ge(tx_send(60), 0);
    }
    plat->now_ns = to;          /* exactly the timeout: not late yet */
    ck_assert_uint_eq(ena_eth_tx_check_missing(&txq, plat->now_ns, to, 2,
                                               true, &late, &fresh),
                      ENA_RESET_REASON_NONE);
    ck_assert_uint_eq(late, 0);
    plat->now_ns = to + 1;
    ck_assert_uint_eq(ena_eth_tx_check_missing(&txq, plat->now_ns, to, 2,
                                               true, &late, &fresh),
                      ENA_REGS_RESET_MISS_TX_CMPL);
    ck_assert_uint_eq(late, 4);
    ck_assert_uint_eq(fresh, 4);
    /* "more than" the threshold; each packet is news only once */
    ck_assert_uint_eq(ena_eth_tx_check_missing(&txq, plat->now_ns, to, 4,
                                               true, &late, &fresh),
                      ENA_RESET_REASON_NONE);
    ck_assert_uint_eq(late, 4);
    ck_assert_uint_eq(fresh, 0);
    ck_assert_uint_eq(txq.stats.missed_tx, 4);
    /* 2 x timeout and the vector never fired: blame the interrupt */
    plat->now_ns = 2 * to + 1;
    ck_assert_uint_eq(ena_eth_tx_check_missing(&txq, plat->now_ns, to, 100,
                                               false, &late, &fresh),
                      ENA_REGS_RESET_MISS_INTERRUPT);
    ck_assert_uint_eq(ena_eth_tx_check_missing(&txq, plat->now_ns, to, 100,
                                               true, &late, &fresh),
                      ENA_RESET_REASON_NONE);
    /* a disabled watchdog never complains */
    ck_assert_uint_eq(ena_eth_tx_check_missing(&txq, UINT64_MAX / 2,
                                               ENA_TIMEOUT_NEVER, 0, false,
                                               &late, &fresh),
                      ENA_RESET_REASON_NONE);
}
END_TEST

/* ---- RX ----------------------------------------------------------------- */

static void rx_make(uint16_t depth, uint32_t buf_size, uint16_t max_descs)
{
    ck_assert_int_eq(ena_eth_rx_setup(&rxq, plat, 0, depth, buf_size,
                                      max_descs), 0);
    rxq.sq.created = rxq.cq.created = true;
    rxq.sq.db_off = FAKE_SQ_DB_BASE + 4;
}

/* Write an RX completion at CQ counter @ctr. */
static void rx_cdesc(uint16_t ctr, uint16_t req_id, uint16_t len, bool first,
                     bool last, uint32_t extra)
{
    EnaEthIoRxCdesc *c = (EnaEthIoRxCdesc *)rxq.cq.mem.virt +
                         ena_ring_slot(ctr, rxq.cq.depth);

    memset(c, 0, sizeof(*c));
    c->req_id = req_id;
    c->length = len;
    c->hash = 0x1000 + ctr;
    c->status = extra |
                ((uint32_t)ena_ring_phase(ctr, rxq.cq.depth) << 24) |
                (first ? ENA_ETH_IO_RX_CDESC_FIRST_MASK : 0) |
                (last ? ENA_ETH_IO_RX_CDESC_LAST_MASK : 0);
}

START_TEST(test_rx_refill)
{
    EnaEthIoRxDesc *d;

    rx_make(8, 128, 4);
    d = rxq.sq.mem.virt;
    ck_assert_int_eq(ena_eth_rx_refill(&rxq, plat), 7);
    ck_assert_uint_eq(rxq.posted, 7);
    ck_assert_uint_eq(rxq.sq.tail, 7);
    for (uint16_t i = 0; i < 7; i++) {
        ck_assert_uint_eq(d[i].ctrl, 0x1c | 1);
        ck_assert_uint_eq(d[i].req_id, i);
        ck_assert_uint_eq(d[i].length, 128);
        ck_assert_uint_eq(d[i].buff_addr_lo,
                          (uint32_t)(rxq.bufs.phys + i * 128));
        ck_assert_uint_eq(d[i].buff_addr_hi,
                          (uint16_t)((rxq.bufs.phys + i * 128) >> 32));
    }
    ck_assert_uint_eq(d[7].ctrl, 0);        /* one slot always empty */
    ck_assert_int_eq(ena_eth_rx_refill(&rxq, plat), 0);
    ck_assert_uint_eq(plat->sq_doorbells, 1);
}
END_TEST

START_TEST(test_rx_single_and_jumbo)
{
    EnaEthRxPkt pkt;
    EnaFrag frags[ENA_ETH_MAX_PKT_DESCS];
    uint8_t reason = ENA_RESET_REASON_NONE;

    rx_make(8, 128, 4);
    ena_eth_rx_refill(&rxq, plat);
    ck_assert(!ena_eth_cq_pending(&rxq.cq, plat));
    rx_cdesc(0, 0, 60, true, true, 0);
    ck_assert(ena_eth_cq_pending(&rxq.cq, plat));
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 1);
    ck_assert_uint_eq(pkt.total_len, 60);
    ck_assert_uint_eq(pkt.hash, 0x1000);
    ck_assert_uint_eq(ena_eth_rx_frags(&rxq, &pkt, frags), 1);
    ck_assert_ptr_eq(frags[0].data, rxq.bufs.virt);
    ena_eth_rx_release(&rxq, &pkt);
    ck_assert_uint_eq(rxq.posted, 6);

    /* a frame over three buffers: flags and hash from the last one */
    rx_cdesc(1, 1, 128, true, false, 0);
    rx_cdesc(2, 2, 128, false, false, 0);
    rx_cdesc(3, 3, 44, false, true, ENA_ETH_IO_L3_PROTO_IPV4);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 3);
    ck_assert_uint_eq(pkt.total_len, 300);
    ck_assert_uint_eq(pkt.req_id[2], 3);
    ck_assert_uint_eq(pkt.len[2], 44);
    ck_assert_uint_eq(pkt.status & 0x1f, ENA_ETH_IO_L3_PROTO_IPV4);
    ck_assert_uint_eq(pkt.hash, 0x1003);
    ck_assert_uint_eq(ena_eth_rx_frags(&rxq, &pkt, frags), 3);
    ck_assert_ptr_eq(frags[1].data, (uint8_t *)rxq.bufs.virt + 2 * 128);
    ck_assert_uint_eq(rxq.cq.head, 4);
    ck_assert_uint_eq(rxq.stats.multi_desc_pkts, 1);
    ck_assert_uint_eq(reason, ENA_RESET_REASON_NONE);
}
END_TEST

/* A chain without its last entry stays where it is until it completes. */
START_TEST(test_rx_partial_chain)
{
    EnaEthRxPkt pkt;
    uint8_t reason = ENA_RESET_REASON_NONE;

    rx_make(8, 128, 4);
    ena_eth_rx_refill(&rxq, plat);
    rx_cdesc(0, 0, 128, true, false, 0);
    rx_cdesc(1, 1, 128, false, false, 0);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 0);
    ck_assert_uint_eq(rxq.cq.head, 0);
    rx_cdesc(2, 2, 10, false, true, 0);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 3);
    ck_assert_uint_eq(pkt.total_len, 266);
}
END_TEST

START_TEST(test_rx_malformed)
{
    EnaEthRxPkt pkt;
    uint8_t reason;

    rx_make(8, 128, 4);
    ena_eth_rx_refill(&rxq, plat);

    /* first bit on the second entry of a chain */
    rx_cdesc(0, 0, 128, true, false, 0);
    rx_cdesc(1, 1, 128, true, true, 0);
    reason = ENA_RESET_REASON_NONE;
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), -ENA_EIO);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED);

    /* no first bit where a chain starts */
    rx_cdesc(0, 0, 128, false, true, 0);
    reason = ENA_RESET_REASON_NONE;
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), -ENA_EIO);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED);
    ck_assert_uint_eq(rxq.stats.malformed, 2);
    ck_assert_uint_eq(rxq.cq.head, 0);

    /* must-be-zero bits, once the device promised them */
    rx_cdesc(0, 0, 60, true, true, 1u << 17);
    reason = ENA_RESET_REASON_NONE;
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 1);
    ena_eth_rx_release(&rxq, &pkt);
    rxq.cdesc_mbz = true;
    rx_cdesc(1, 1, 60, true, true, 1u << 7);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), -ENA_EIO);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED);
}
END_TEST

START_TEST(test_rx_too_many_descs)
{
    EnaEthRxPkt pkt;
    uint8_t reason = ENA_RESET_REASON_NONE;

    rx_make(8, 128, 4);
    ena_eth_rx_refill(&rxq, plat);
    rx_cdesc(0, 0, 128, true, false, 0);
    for (uint16_t i = 1; i < 4; i++) {
        rx_cdesc(i, i, 128, false, false, 0);
    }
    rx_cdesc(4, 4, 1, false, true, 0);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), -ENA_EIO);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_TOO_MANY_RX_DESCS);
    ck_assert_uint_eq(rxq.stats.bad_desc_num, 1);
    /* exactly the limit is fine */
    rx_cdesc(3, 3, 1, false, true, 0);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 4);
}
END_TEST

START_TEST(test_rx_bad_req_id)
{
    EnaEthRxPkt pkt;
    uint8_t reason;

    rx_make(8, 128, 4);
    ena_eth_rx_refill(&rxq, plat);
    /* beyond the ring */
    rx_cdesc(0, 8, 60, true, true, 0);
    reason = ENA_RESET_REASON_NONE;
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason),
                     -ENA_EINVAL);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_INV_RX_REQ_ID);
    /* the one free buffer (7 of 8 are posted) is not the device's */
    rx_cdesc(0, 7, 60, true, true, 0);
    reason = ENA_RESET_REASON_NONE;
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason),
                     -ENA_EINVAL);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_INV_RX_REQ_ID);
    /* the same buffer twice in one chain */
    rx_cdesc(0, 2, 128, true, false, 0);
    rx_cdesc(1, 2, 10, false, true, 0);
    reason = ENA_RESET_REASON_NONE;
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason),
                     -ENA_EINVAL);
    ck_assert_uint_eq(reason, ENA_REGS_RESET_INV_RX_REQ_ID);
    ck_assert_uint_eq(rxq.stats.bad_req_id, 3);
    /* a returned buffer cannot come back from the device */
    rx_cdesc(0, 2, 60, true, true, 0);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 1);
    ena_eth_rx_release(&rxq, &pkt);
    rx_cdesc(1, 2, 60, true, true, 0);
    ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason),
                     -ENA_EINVAL);
}
END_TEST

/* Three laps around an 8-entry ring, refilling as a driver does. */
START_TEST(test_rx_ring_laps)
{
    EnaEthRxPkt pkt;
    uint8_t reason = ENA_RESET_REASON_NONE;
    uint16_t ctr = 0;

    rx_make(8, 128, 4);
    ena_eth_rx_refill(&rxq, plat);
    for (int n = 0; n < 24; n++) {
        /* the device takes buffers in SQ order */
        EnaEthIoRxDesc *d = (EnaEthIoRxDesc *)rxq.sq.mem.virt +
                            ena_ring_slot(ctr, 8);

        ck_assert_uint_eq(d->ctrl & 1, ena_ring_phase(ctr, 8));
        rx_cdesc(ctr, d->req_id, 50, true, true, 0);
        ck_assert_int_eq(ena_eth_rx_parse(&rxq, plat, &pkt, &reason), 1);
        ck_assert_uint_eq(pkt.req_id[0], d->req_id);
        ena_eth_rx_release(&rxq, &pkt);
        ck_assert_int_eq(ena_eth_rx_refill(&rxq, plat), 1);
        ctr++;
    }
    ck_assert_uint_eq(rxq.cq.head, 24);
    ck_assert_uint_eq(rxq.cq.phase, 0);
    ck_assert_uint_eq(rxq.sq.tail, 31);
    ck_assert_uint_eq(rxq.stats.pkts, 24);
}
END_TEST

static Suite *eth_suite(void)
{
    Suite *s = suite_create("eth");
    TCase *tx = tcase_create("tx");
    TCase *rx = tcase_create("rx");

    tcase_add_checked_fixture(tx, setup, teardown);
    tcase_add_test(tx, test_tx_desc_fields);
    tcase_add_test(tx, test_tx_desc_phase_wrap);
    tcase_add_test(tx, test_tx_xmit_splits_and_copies);
    tcase_add_test(tx, test_tx_limits);
    tcase_add_test(tx, test_tx_clean_out_of_order);
    tcase_add_test(tx, test_tx_clean_bad_req_id);
    tcase_add_test(tx, test_tx_clean_mbz);
    tcase_add_test(tx, test_tx_slots_stay_busy);
    tcase_add_test(tx, test_tx_missing_check);
    suite_add_tcase(s, tx);

    tcase_add_checked_fixture(rx, setup, teardown);
    tcase_add_test(rx, test_rx_refill);
    tcase_add_test(rx, test_rx_single_and_jumbo);
    tcase_add_test(rx, test_rx_partial_chain);
    tcase_add_test(rx, test_rx_malformed);
    tcase_add_test(rx, test_rx_too_many_descs);
    tcase_add_test(rx, test_rx_bad_req_id);
    tcase_add_test(rx, test_rx_ring_laps);
    suite_add_tcase(s, rx);
    return s;
}

int main(void)
{
    return unit_run(eth_suite());
}
