/*
 * Unit tests: LLQ (TX rings in the device's BAR2) over the fake device:
 * the choice among what GET_FEATURE(LLQ) offers, the fallbacks to host
 * placement, the bytes of each entry, and the doorbells (entries, the
 * burst limit).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include "unit.h"
#include "plat_fake.h"
#include "ena_drv.h"

#define DSZ ((uint32_t)sizeof(EnaEthIoTxDesc))

static EnaPlat *plat;
static EnaDrv *drv;
static EnaDrvConfig cfg;
static uint8_t frame[9216];

static void setup(void)
{
    plat = fake_new();
    fake_llq_enable(plat, FAKE_LLQ_BAR_SIZE);
    drv = calloc(1, sizeof(*drv));
    ena_drv_config_default(&cfg);
    cfg.llq = true;
    for (uint32_t i = 0; i < sizeof(frame); i++) {
        frame[i] = (uint8_t)(i * 7 + 3);
    }
}

static void teardown(void)
{
    if (drv->state != ENA_DRV_STATE_OFF) {
        ena_drv_remove(drv);
    }
    ck_assert_uint_eq(plat->dma_in_use, 0);
    ck_assert_uint_eq(plat->llq_writes_oob, 0);
    free(drv);
    fake_free(plat);
}

static void probe_ok(void)
{
    ck_assert_int_eq(ena_drv_probe(drv, plat, &cfg), 0);
}

static int send_frags(uint16_t qid, const uint32_t *lens, uint16_t n)
{
    EnaFrag f[8];
    uint32_t off = 0;

    for (uint16_t i = 0; i < n; i++) {
        f[i].data = frame + off;
        f[i].len = lens[i];
        off += lens[i];
    }
    return ena_drv_xmit(drv, qid, f, n);
}

static int send_frame(uint16_t qid, uint32_t len)
{
    return send_frags(qid, &len, 1);
}

/* The fake's view of TX queue @qid's SQ. */
static FakeQueue *fake_tx_sq(uint16_t qid)
{
    return &plat->sq[drv->tx[qid].sq.idx];
}

/* Entry @k (ring slot) of TX queue @qid, in BAR2. */
static const uint8_t *entry(uint16_t qid, uint16_t k)
{
    return plat->llq_mem + fake_tx_sq(qid)->llq_off +
           (uint32_t)k * drv->llq.entry_size;
}

static const EnaEthIoTxDesc *entry_desc(uint16_t qid, uint16_t k, int i)
{
    return (const EnaEthIoTxDesc *)entry(qid, k) + i;
}

static bool all_zero(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static uint16_t desc_req_id(const EnaEthIoTxDesc *d)
{
    return (uint16_t)((((d->len_ctrl & ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK) >>
                        ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) << 10) |
                      (d->meta_ctrl >> ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT));
}

/* ---- negotiation -------------------------------------------------------- */

/* The offer of the QEMU model, as fake_llq_enable() makes it. */
static EnaAdminLlqFeature model_offer(void)
{
    EnaAdminLlqFeature o;

    memset(&o, 0, sizeof(o));
    o.max_llq_num = 4;
    o.max_llq_depth = 1024;
    o.header_location_ctrl_supported = ENA_ADMIN_INLINE_HEADER;
    o.entry_size_ctrl_supported = 7;
    o.desc_num_before_header_supported = 7;
    o.descriptors_stride_ctrl_supported = 3;
    o.entry_size_recommended = ENA_ADMIN_LIST_ENTRY_SIZE_128B;
    return o;
}

START_TEST(test_choose_default)
{
    EnaAdminLlqFeature o = model_offer(), set;
    EnaEthLlq l;
    uint32_t depth;

    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert_uint_eq(l.entry_size, 128);
    ck_assert_uint_eq(l.descs_before_hdr, 2);
    ck_assert_uint_eq(l.descs_per_entry, 8);
    ck_assert_uint_eq(l.max_header, 96);
    ck_assert_uint_eq(l.burst_entries, 0);
    ck_assert(!l.meta_every_pkt);
    ck_assert_uint_eq(depth, 1024);
    ck_assert_uint_eq(set.header_location_ctrl_enabled,
                      ENA_ADMIN_INLINE_HEADER);
    ck_assert_uint_eq(set.entry_size_ctrl_enabled,
                      ENA_ADMIN_LIST_ENTRY_SIZE_128B);
    ck_assert_uint_eq(set.desc_num_before_header_enabled, 2);
    ck_assert_uint_eq(set.descriptors_stride_ctrl_enabled,
                      ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY);
    ck_assert_uint_eq(set.accel_flags, 0);
    ck_assert_uint_eq(set.max_llq_num, 0);
}
END_TEST

START_TEST(test_choose_fallback_orders)
{
    EnaAdminLlqFeature o = model_offer(), set;
    EnaEthLlq l;
    uint32_t depth;

    /* 2 not offered: 1 comes next, then 4 */
    o.desc_num_before_header_supported = 1 | 4;
    o.descriptors_stride_ctrl_supported = ENA_ADMIN_SINGLE_DESC_PER_ENTRY;
    o.entry_size_ctrl_supported = ENA_ADMIN_LIST_ENTRY_SIZE_192B |
                                  ENA_ADMIN_LIST_ENTRY_SIZE_256B;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert_uint_eq(l.descs_before_hdr, 1);
    ck_assert_uint_eq(l.descs_per_entry, 1);
    ck_assert_uint_eq(l.entry_size, 192);
    ck_assert_uint_eq(l.max_header, 176);
    ck_assert_uint_eq(set.entry_size_ctrl_enabled,
                      ENA_ADMIN_LIST_ENTRY_SIZE_192B);
    ck_assert_uint_eq(set.descriptors_stride_ctrl_enabled,
                      ENA_ADMIN_SINGLE_DESC_PER_ENTRY);
    /* no max_wide_llq_depth: the same memory's worth of wider entries */
    ck_assert_uint_eq(depth, 1024 * 128 / 192);
    o.desc_num_before_header_supported = 4;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert_uint_eq(l.descs_before_hdr, 4);
}
END_TEST

START_TEST(test_choose_recommended_256)
{
    EnaAdminLlqFeature o = model_offer(), set;
    EnaEthLlq l;
    uint32_t depth;

    o.entry_size_recommended = ENA_ADMIN_LIST_ENTRY_SIZE_256B;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert_uint_eq(l.entry_size, 256);
    ck_assert_uint_eq(l.max_header, 224);
    ck_assert_uint_eq(l.descs_per_entry, 16);
    ck_assert_uint_eq(depth, 512);
    o.max_wide_llq_depth = 256;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert_uint_eq(depth, 256);
    /* recommended but not supported: 128 */
    o.entry_size_ctrl_supported = ENA_ADMIN_LIST_ENTRY_SIZE_128B;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert_uint_eq(l.entry_size, 128);
    ck_assert_uint_eq(depth, 1024);
}
END_TEST

START_TEST(test_choose_accel)
{
    EnaAdminLlqFeature o = model_offer(), set;
    EnaEthLlq l;
    uint32_t depth;

    o.accel_flags = ENA_BIT(ENA_ADMIN_LLQ_ACCEL_DISABLE_META_CACHING) |
                    ENA_BIT(ENA_ADMIN_LLQ_ACCEL_LIMIT_TX_BURST);
    o.accel_max_tx_burst_size = 512;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert(l.meta_every_pkt);
    ck_assert_uint_eq(l.burst_entries, 4);
    ck_assert_uint_eq(set.accel_flags, 3);
    /* a burst shorter than one entry cannot be honoured: not asked for */
    o.accel_max_tx_burst_size = 100;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth), 0);
    ck_assert_uint_eq(l.burst_entries, 0);
    ck_assert_uint_eq(set.accel_flags, 1);
}
END_TEST

START_TEST(test_choose_refuses)
{
    EnaAdminLlqFeature o, set;
    EnaEthLlq l;
    uint32_t depth;

    o = model_offer();
    o.max_llq_num = 0;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth),
                     -ENA_EOPNOTSUPP);
    o = model_offer();
    o.header_location_ctrl_supported = ENA_ADMIN_HEADER_RING;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth),
                     -ENA_EOPNOTSUPP);
    o = model_offer();
    o.entry_size_ctrl_supported = 0;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth),
                     -ENA_EOPNOTSUPP);
    o = model_offer();
    o.descriptors_stride_ctrl_supported = 0;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth),
                     -ENA_EOPNOTSUPP);
    /* 8 descriptors fill a 128-byte entry: no room for a header */
    o = model_offer();
    o.entry_size_ctrl_supported = ENA_ADMIN_LIST_ENTRY_SIZE_128B;
    o.desc_num_before_header_supported = 8;
    ck_assert_int_eq(ena_eth_llq_choose(&o, &l, &set, &depth),
                     -ENA_EOPNOTSUPP);
}
END_TEST

/* ---- probe: on, off, fallbacks ------------------------------------------ */

START_TEST(test_probe_llq)
{
    probe_ok();
    ck_assert(drv->llq_active);
    ck_assert_uint_eq(plat->llq_gets, 1);
    ck_assert_uint_eq(plat->llq_sets, 1);
    ck_assert_uint_eq(plat->llq_set.entry_size_ctrl_enabled,
                      ENA_ADMIN_LIST_ENTRY_SIZE_128B);
    ck_assert_uint_eq(plat->llq_set.desc_num_before_header_enabled, 2);
    for (uint16_t q = 0; q < drv->num_queues; q++) {
        ck_assert(fake_tx_sq(q)->llq);
        ck_assert(!plat->sq[drv->rx[q].sq.idx].llq);
        ck_assert_ptr_null(drv->tx[q].sq.mem.virt);
        ck_assert_ptr_eq(drv->tx[q].llq, &drv->llq);
    }
    ck_assert_uint_eq(drv->stats.llq_fallbacks, 0);
}
END_TEST

/* Not asked for: not even asked about (default configuration). */
START_TEST(test_probe_llq_off)
{
    cfg.llq = false;
    probe_ok();
    ck_assert(!drv->llq_active);
    ck_assert_uint_eq(plat->llq_gets, 0);
    ck_assert_uint_eq(plat->llq_sets, 0);
    ck_assert_uint_eq(plat->llq_bar_queries, 0);
    ck_assert(!fake_tx_sq(0)->llq);
    ck_assert_int_ge(send_frame(0, 60), 0);
    ck_assert_uint_eq(plat->llq_writes, 0);
}
END_TEST

/* Host placement after a fallback: traffic works, nothing in BAR2. */
static void expect_host(void)
{
    ck_assert(!drv->llq_active);
    ck_assert_uint_eq(drv->stats.llq_fallbacks, 1);
    ck_assert(!fake_tx_sq(0)->llq);
    ck_assert_int_ge(send_frame(0, 60), 0);
    ena_drv_poll(drv);
    ck_assert_uint_eq(drv->tx[0].stats.completions, 1);
    ck_assert_uint_eq(plat->llq_writes, 0);
    ck_assert_uint_eq(drv->state, ENA_DRV_STATE_RUNNING);
}

START_TEST(test_fallback_not_offered)
{
    plat->supported_features &= ~ENA_BIT(ENA_ADMIN_LLQ);
    probe_ok();
    ck_assert_uint_eq(plat->llq_gets, 0);
    expect_host();
}
END_TEST

START_TEST(test_fallback_no_bar)
{
    fake_llq_enable(plat, 0);
    probe_ok();
    ck_assert_uint_eq(plat->llq_gets, 0);
    ck_assert_uint_eq(plat->llq_sets, 0);
    expect_host();
}
END_TEST

START_TEST(test_fallback_no_llq_num)
{
    plat->llq.max_llq_num = 0;
    probe_ok();
    ck_assert_uint_eq(plat->llq_gets, 1);
    ck_assert_uint_eq(plat->llq_sets, 0);
    expect_host();
}
END_TEST

START_TEST(test_fallback_set_fails)
{
    plat->llq_set_fail = ENA_ADMIN_ILLEGAL_PARAMETER;
    probe_ok();
    ck_assert_uint_eq(plat->llq_sets, 1);
    expect_host();
}
END_TEST

START_TEST(test_fallback_get_fails)
{
    plat->admin_fail_feature = ENA_ADMIN_LLQ;
    plat->admin_fail_status = ENA_ADMIN_UNKNOWN_ERROR;
    probe_ok();
    ck_assert_uint_eq(plat->llq_sets, 0);
    expect_host();
}
END_TEST

/* A ring offset the BAR cannot hold: refused, nothing written past it. */
START_TEST(test_bad_llq_offset)
{
    plat->llq_bad_offset = true;
    ck_assert_int_lt(ena_drv_probe(drv, plat, &cfg), 0);
    ck_assert_uint_eq(plat->llq_writes, 0);
}
END_TEST

START_TEST(test_depth_limited)
{
    plat->llq.max_llq_depth = 64;
    cfg.tx_depth = 256;
    cfg.rx_depth = 256;
    probe_ok();
    ck_assert_uint_eq(drv->tx_depth, 64);
    ck_assert_uint_eq(drv->rx_depth, 256);
    ck_assert_uint_eq(fake_tx_sq(0)->depth, 64);
}
END_TEST

START_TEST(test_queues_limited)
{
    plat->llq.max_llq_num = 1;
    probe_ok();
    ck_assert_uint_eq(drv->num_queues, 1);
}
END_TEST

/* A reset forgets the configuration: recovery agrees on it again. */
START_TEST(test_reset_renegotiates)
{
    probe_ok();
    ck_assert_int_eq(ena_drv_reset(drv, ENA_REGS_RESET_USER_TRIGGER), 0);
    ck_assert_uint_eq(plat->llq_sets, 2);
    ck_assert(drv->llq_active);
    ck_assert(fake_tx_sq(0)->llq);
    ck_assert_int_ge(send_frame(0, 60), 0);
    ena_drv_poll(drv);
    ck_assert_uint_eq(plat->llq_pkts, 1);
}
END_TEST

/* ---- entries ------------------------------------------------------------ */

/* A frame that fits the header room: one descriptor, length 0. */
START_TEST(test_entry_small_frame)
{
    const EnaEthIoTxDesc *d;
    int req_id;

    probe_ok();
    req_id = send_frame(0, 60);
    ck_assert_int_ge(req_id, 0);
    d = entry_desc(0, 0, 0);
    ck_assert_uint_eq(d->len_ctrl & ENA_ETH_IO_TX_DESC_LENGTH_MASK, 0);
    ck_assert_uint_eq(d->len_ctrl & ~ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK &
                      ~ENA_ETH_IO_TX_DESC_LENGTH_MASK,
                      ENA_ETH_IO_TX_DESC_FIRST_MASK |
                      ENA_ETH_IO_TX_DESC_LAST_MASK |
                      ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
                      ENA_ETH_IO_TX_DESC_PHASE_MASK);
    ck_assert_uint_eq(desc_req_id(d), req_id);
    ck_assert_uint_eq(d->buff_addr_lo, 0);
    ck_assert_uint_eq(d->buff_addr_hi_hdr_sz,
                      60u << ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT);
    ck_assert(all_zero(entry(0, 0) + DSZ, DSZ));
    ck_assert_mem_eq(entry(0, 0) + 2 * DSZ, frame, 60);
    ck_assert(all_zero(entry(0, 0) + 2 * DSZ + 60, 128 - 2 * DSZ - 60));
    /* the doorbell counts entries */
    ck_assert_uint_eq(plat->tx_db_count, 1);
    ck_assert_uint_eq(plat->tx_db_log[0], 1);
    ck_assert_uint_eq(drv->tx[0].stats.descs, 1);
    ena_drv_poll(drv);
    ck_assert_uint_eq(plat->llq_pkts, 1);
    ck_assert_uint_eq(plat->llq_last_hdr_len, 60);
    ck_assert_uint_eq(drv->tx[0].stats.completions, 1);
    ck_assert_uint_eq(drv->tx[0].pkts_in_flight, 0);
}
END_TEST

/* Two fragments: 96 bytes pushed across both, the rest in a buffer. */
START_TEST(test_entry_header_split)
{
    static const uint32_t lens[] = { 50, 250 };
    const EnaEthIoTxDesc *d;
    uint64_t addr;

    probe_ok();
    ck_assert_int_ge(send_frags(0, lens, 2), 0);
    d = entry_desc(0, 0, 0);
    ck_assert_uint_eq(d->len_ctrl & ENA_ETH_IO_TX_DESC_LENGTH_MASK, 204);
    ck_assert(d->len_ctrl & ENA_ETH_IO_TX_DESC_FIRST_MASK);
    ck_assert(d->len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK);
    ck_assert_uint_eq(d->buff_addr_hi_hdr_sz >>
                      ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT, 96);
    addr = d->buff_addr_lo |
           ((uint64_t)(d->buff_addr_hi_hdr_sz &
                       ENA_ETH_IO_TX_DESC_ADDR_HI_MASK) << 32);
    ck_assert_mem_eq((const void *)(uintptr_t)addr, frame + 96, 204);
    ck_assert_mem_eq(entry(0, 0) + 2 * DSZ, frame, 96);
    ena_drv_poll(drv);
    ck_assert_uint_eq(plat->llq_last_hdr_len, 96);
}
END_TEST

/*
 * Five buffers: two descriptors in the first entry, three in the next
 * (descriptors only, the rest zero), one doorbell for both entries.
 */
START_TEST(test_entry_multi_desc)
{
    const EnaEthIoTxDesc *d;

    cfg.tx_buf_size = 128;
    cfg.mtu = 9000;
    probe_ok();
    ck_assert_int_ge(send_frame(1, 96 + 4 * 128 + 10), 0);
    for (int i = 0; i < 5; i++) {
        d = i < 2 ? entry_desc(1, 0, i) : entry_desc(1, 1, i - 2);
        ck_assert_uint_eq(d->len_ctrl & ENA_ETH_IO_TX_DESC_LENGTH_MASK,
                          i < 4 ? 128 : 10);
        ck_assert(d->len_ctrl & ENA_ETH_IO_TX_DESC_PHASE_MASK);
        ck_assert_uint_eq(!!(d->len_ctrl & ENA_ETH_IO_TX_DESC_FIRST_MASK),
                          i == 0);
        ck_assert_uint_eq(!!(d->len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK),
                          i == 4);
    }
    ck_assert_mem_eq(entry(1, 0) + 2 * DSZ, frame, 96);
    ck_assert(all_zero(entry(1, 1) + 3 * DSZ, 128 - 3 * DSZ));
    ck_assert_uint_eq(plat->tx_db_count, 1);
    ck_assert_uint_eq(plat->tx_db_log[0], 2);
    ck_assert_uint_eq(drv->tx[1].descs_in_flight, 2);
    ena_drv_poll(drv);
    ck_assert_uint_eq(plat->llq_pkts, 1);
    ck_assert_uint_eq(drv->tx[1].descs_in_flight, 0);
    /* 20 buffers: one more than the device takes */
    ck_assert_int_eq(send_frame(1, 96 + 19 * 128 + 1), -ENA_EMSGSIZE);
    ck_assert_uint_eq(drv->tx[1].stats.too_many_descs, 1);
}
END_TEST

/* The phase flips when the entry counter wraps; so does every entry's. */
START_TEST(test_entry_phase_wrap)
{
    cfg.tx_depth = 8;
    probe_ok();
    for (int i = 0; i < 10; i++) {
        ck_assert_int_ge(send_frame(0, 60 + i), 0);
        ena_drv_poll(drv);
    }
    ck_assert_uint_eq(plat->llq_pkts, 10);
    ck_assert_uint_eq(plat->tx_db_log[9], 10);
    /* slots 0 and 1 were written again after the wrap, with phase 0 */
    ck_assert(!(entry_desc(0, 0, 0)->len_ctrl &
                ENA_ETH_IO_TX_DESC_PHASE_MASK));
    ck_assert(!(entry_desc(0, 1, 0)->len_ctrl &
                ENA_ETH_IO_TX_DESC_PHASE_MASK));
    ck_assert(entry_desc(0, 2, 0)->len_ctrl & ENA_ETH_IO_TX_DESC_PHASE_MASK);
    ck_assert_mem_eq(entry(0, 1) + 2 * DSZ, frame, 69);
}
END_TEST

/* At most depth - 1 entries in flight. */
START_TEST(test_entry_ring_full)
{
    cfg.tx_depth = 8;
    plat->tx_autocomplete = false;
    probe_ok();
    for (int i = 0; i < 7; i++) {
        ck_assert_int_ge(send_frame(0, 60), 0);
    }
    ck_assert_int_eq(send_frame(0, 60), -ENA_ENOSPC);
    ck_assert_uint_eq(drv->tx[0].stats.ring_full, 1);
}
END_TEST

/* DISABLE_META_CACHING: a zeroed meta descriptor leads every packet. */
START_TEST(test_entry_meta_every_pkt)
{
    const EnaEthIoTxDesc *m, *d;

    plat->llq.accel_flags = ENA_BIT(ENA_ADMIN_LLQ_ACCEL_DISABLE_META_CACHING);
    probe_ok();
    ck_assert_uint_eq(plat->llq_set.accel_flags, 1);
    ck_assert_int_ge(send_frame(0, 60), 0);
    m = entry_desc(0, 0, 0);
    d = entry_desc(0, 0, 1);
    ck_assert_uint_eq(m->len_ctrl,
                      ENA_ETH_IO_TX_DESC_META_DESC_MASK |
                      ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK |
                      ENA_ETH_IO_TX_META_DESC_ETH_META_TYPE_MASK |
                      ENA_ETH_IO_TX_META_DESC_META_STORE_MASK |
                      ENA_ETH_IO_TX_DESC_FIRST_MASK |
                      ENA_ETH_IO_TX_DESC_PHASE_MASK);
    ck_assert_uint_eq(m->meta_ctrl | m->buff_addr_lo |
                      m->buff_addr_hi_hdr_sz, 0);
    ck_assert(!(d->len_ctrl & ENA_ETH_IO_TX_DESC_FIRST_MASK));
    ck_assert(d->len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK);
    ck_assert(d->len_ctrl & ENA_ETH_IO_TX_DESC_COMP_REQ_MASK);
    ck_assert_mem_eq(entry(0, 0) + 2 * DSZ, frame, 60);
    ena_drv_poll(drv);
    ck_assert_uint_eq(drv->tx[0].stats.completions, 1);
}
END_TEST

/*
 * LIMIT_TX_BURST of 256 bytes = 2 entries: a packet of 3 entries gets a
 * doorbell after its second entry and one at the end; the next packet's
 * burst starts afresh.
 */
START_TEST(test_burst_doorbell)
{
    plat->llq.accel_flags = ENA_BIT(ENA_ADMIN_LLQ_ACCEL_LIMIT_TX_BURST);
    plat->llq.accel_max_tx_burst_size = 256;
    cfg.tx_buf_size = 128;
    cfg.mtu = 9000;
    probe_ok();
    ck_assert_uint_eq(drv->llq.burst_entries, 2);
    ck_assert_uint_eq(plat->llq_set.accel_flags, 2);
    /* 17 buffers: 2 descriptors, 8, 7: three entries */
    ck_assert_int_ge(send_frame(0, 96 + 16 * 128 + 5), 0);
    ck_assert_uint_eq(plat->tx_db_count, 2);
    ck_assert_uint_eq(plat->tx_db_log[0], 2);
    ck_assert_uint_eq(plat->tx_db_log[1], 3);
    ck_assert_uint_eq(drv->tx[0].stats.doorbells, 2);
    ck_assert_uint_eq(plat->llq_pkts, 1);
    ck_assert_int_ge(send_frame(0, 60), 0);
    ck_assert_int_ge(send_frame(0, 60), 0);
    ck_assert_uint_eq(plat->tx_db_count, 4);
    ck_assert_uint_eq(plat->tx_db_log[3], 5);
    ck_assert_uint_eq(drv->tx[0].stats.doorbells, 4);
}
END_TEST

/* 256-byte entries when the device recommends them: 224 bytes pushed. */
START_TEST(test_entry_256)
{
    plat->llq.entry_size_recommended = ENA_ADMIN_LIST_ENTRY_SIZE_256B;
    probe_ok();
    ck_assert_uint_eq(drv->llq.entry_size, 256);
    ck_assert_int_ge(send_frame(0, 300), 0);
    ck_assert_uint_eq(entry_desc(0, 0, 0)->buff_addr_hi_hdr_sz >>
                      ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT, 224);
    ck_assert_mem_eq(entry(0, 0) + 2 * DSZ, frame, 224);
    ck_assert_uint_eq(entry_desc(0, 0, 0)->len_ctrl &
                      ENA_ETH_IO_TX_DESC_LENGTH_MASK, 76);
    ena_drv_poll(drv);
    ck_assert_uint_eq(plat->llq_pkts, 1);
}
END_TEST

static Suite *llq_suite(void)
{
    Suite *s = suite_create("llq");
    TCase *choose = tcase_create("choose");
    TCase *probe = tcase_create("probe");
    TCase *tx = tcase_create("tx");

    tcase_add_test(choose, test_choose_default);
    tcase_add_test(choose, test_choose_fallback_orders);
    tcase_add_test(choose, test_choose_recommended_256);
    tcase_add_test(choose, test_choose_accel);
    tcase_add_test(choose, test_choose_refuses);
    suite_add_tcase(s, choose);

    tcase_add_checked_fixture(probe, setup, teardown);
    tcase_add_test(probe, test_probe_llq);
    tcase_add_test(probe, test_probe_llq_off);
    tcase_add_test(probe, test_fallback_not_offered);
    tcase_add_test(probe, test_fallback_no_bar);
    tcase_add_test(probe, test_fallback_no_llq_num);
    tcase_add_test(probe, test_fallback_set_fails);
    tcase_add_test(probe, test_fallback_get_fails);
    tcase_add_test(probe, test_bad_llq_offset);
    tcase_add_test(probe, test_depth_limited);
    tcase_add_test(probe, test_queues_limited);
    tcase_add_test(probe, test_reset_renegotiates);
    suite_add_tcase(s, probe);

    tcase_add_checked_fixture(tx, setup, teardown);
    tcase_add_test(tx, test_entry_small_frame);
    tcase_add_test(tx, test_entry_header_split);
    tcase_add_test(tx, test_entry_multi_desc);
    tcase_add_test(tx, test_entry_phase_wrap);
    tcase_add_test(tx, test_entry_ring_full);
    tcase_add_test(tx, test_entry_meta_every_pkt);
    tcase_add_test(tx, test_burst_doorbell);
    tcase_add_test(tx, test_entry_256);
    suite_add_tcase(s, tx);
    return s;
}

int main(void)
{
    return unit_run(llq_suite());
}
