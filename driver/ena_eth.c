/*
 * ENA reference driver: IO queues.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ena_eth.h"

static void ena_eth_addr48(EnaAddr48 *a, uint64_t addr)
{
    a->lo = ena_le32((uint32_t)addr);
    a->hi = ena_le16((uint16_t)(addr >> 32));
    a->reserved = 0;
}

static void ena_eth_ring_init(EnaEthSq *sq, EnaEthCq *cq, uint16_t depth,
                              uint8_t cq_entry_size)
{
    sq->depth = depth;
    sq->tail = 0;
    sq->phase = 1;
    sq->created = false;
    cq->depth = depth;
    cq->head = 0;
    cq->phase = 1;
    cq->entry_size = cq_entry_size;
    cq->created = false;
}

static void ena_eth_free_list_init(uint16_t *ids, uint16_t *take,
                                   uint16_t *put, uint16_t depth)
{
    for (uint16_t i = 0; i < depth; i++) {
        ids[i] = i;
    }
    *take = 0;
    *put = depth;
}

static bool ena_eth_depth_ok(uint16_t depth, uint32_t buf_size)
{
    return ena_is_pow2(depth) && depth >= 2 && depth <= ENA_ETH_MAX_DEPTH &&
           buf_size && buf_size <= ENA_ETH_MAX_BUF_SIZE;
}

/* A geometry the entry layout code can build (§7.9). */
static bool ena_eth_llq_ok(const EnaEthLlq *l)
{
    uint32_t before = (uint32_t)l->descs_before_hdr * sizeof(EnaEthIoTxDesc);

    return (l->entry_size == 128 || l->entry_size == 192 ||
            l->entry_size == 256) &&
           l->descs_before_hdr && before < l->entry_size &&
           l->descs_per_entry &&
           l->descs_per_entry * sizeof(EnaEthIoTxDesc) <= l->entry_size &&
           l->max_header && l->max_header <= l->entry_size - before;
}

int ena_eth_tx_setup(EnaEthTxQueue *q, EnaPlat *plat, uint16_t qid,
                     uint16_t depth, uint32_t buf_size, uint16_t max_descs)
{
    return ena_eth_tx_setup_llq(q, plat, qid, depth, buf_size, max_descs,
                                NULL);
}

int ena_eth_tx_setup_llq(EnaEthTxQueue *q, EnaPlat *plat, uint16_t qid,
                         uint16_t depth, uint32_t buf_size,
                         uint16_t max_descs, const EnaEthLlq *llq)
{
    EnaEthTxStats stats_tx;
    int rc = 0;

    /* a TX descriptor length is 16 bits: no 64 KiB buffers */
    if (!ena_eth_depth_ok(depth, buf_size) || buf_size > 0xffff ||
        (llq && !ena_eth_llq_ok(llq))) {
        return -ENA_EINVAL;
    }
    /* counters outlive a reset: tests read them after recovery */
    stats_tx = q->stats;
    ena_mem_zero(q, sizeof(*q));
    q->stats = stats_tx;
    q->qid = qid;
    q->buf_size = buf_size;
    q->max_descs = ENA_MIN(ENA_MAX(max_descs, 1), ENA_ETH_MAX_PKT_DESCS);
    q->max_header = 128;
    if (llq) {
        q->llq = llq;
        q->max_header = llq->max_header;
    }
    ena_eth_ring_init(&q->sq, &q->cq, depth, ENA_ETH_TX_CDESC_SIZE);
    ena_eth_free_list_init(q->free_ids, &q->free_take, &q->free_put, depth);

    if (!llq) {
        rc = ena_plat_dma_alloc(plat,
                                (uint64_t)depth * sizeof(EnaEthIoTxDesc),
                                &q->sq.mem);
    }
    if (!rc) {
        rc = ena_plat_dma_alloc(plat, (uint64_t)depth * ENA_ETH_TX_CDESC_SIZE,
                                &q->cq.mem);
    }
    if (!rc) {
        rc = ena_plat_dma_alloc(plat, (uint64_t)depth * buf_size, &q->bufs);
    }
    if (rc) {
        ena_eth_tx_free(q, plat);
    }
    return rc;
}

void ena_eth_tx_free(EnaEthTxQueue *q, EnaPlat *plat)
{
    ena_eth_tx_drop_all(q);
    ena_plat_dma_free(plat, &q->sq.mem);
    ena_plat_dma_free(plat, &q->cq.mem);
    ena_plat_dma_free(plat, &q->bufs);
    q->sq.created = false;
    q->cq.created = false;
}

int ena_eth_rx_setup(EnaEthRxQueue *q, EnaPlat *plat, uint16_t qid,
                     uint16_t depth, uint32_t buf_size, uint16_t max_descs)
{
    EnaEthRxStats stats_rx;
    int rc;

    if (!ena_eth_depth_ok(depth, buf_size)) {
        return -ENA_EINVAL;
    }
    stats_rx = q->stats;
    ena_mem_zero(q, sizeof(*q));
    q->stats = stats_rx;
    q->qid = qid;
    q->buf_size = buf_size;
    q->max_descs = ENA_MIN(ENA_MAX(max_descs, 1), ENA_ETH_MAX_PKT_DESCS);
    ena_eth_ring_init(&q->sq, &q->cq, depth, ENA_ETH_RX_CDESC_SIZE);
    ena_eth_free_list_init(q->free_ids, &q->free_take, &q->free_put, depth);

    rc = ena_plat_dma_alloc(plat, (uint64_t)depth * sizeof(EnaEthIoRxDesc),
                            &q->sq.mem);
    if (!rc) {
        rc = ena_plat_dma_alloc(plat, (uint64_t)depth * ENA_ETH_RX_CDESC_SIZE,
                                &q->cq.mem);
    }
    if (!rc) {
        rc = ena_plat_dma_alloc(plat, (uint64_t)depth * buf_size, &q->bufs);
    }
    if (rc) {
        ena_eth_rx_free(q, plat);
    }
    return rc;
}

void ena_eth_rx_free(EnaEthRxQueue *q, EnaPlat *plat)
{
    ena_eth_rx_drop_all(q);
    ena_plat_dma_free(plat, &q->sq.mem);
    ena_plat_dma_free(plat, &q->cq.mem);
    ena_plat_dma_free(plat, &q->bufs);
    q->sq.created = false;
    q->cq.created = false;
}

/* ---- admin commands ----------------------------------------------------- */

/* A BAR0 offset the device handed out must be usable for 32-bit writes. */
static bool ena_eth_reg_off_ok(uint32_t off)
{
    return off && !(off & 3);
}

int ena_eth_create_cq(EnaCom *com, EnaEthCq *cq, uint16_t vector)
{
    union {
        EnaAdminAqEntry entry;
        EnaAdminCreateCqCmd c;
    } cmd;
    union {
        EnaAdminAcqEntry entry;
        EnaAdminCreateCqResp r;
    } resp;
    int rc;

    ena_mem_zero(&cmd, sizeof(cmd));
    ena_mem_zero(&resp, sizeof(resp));
    cmd.c.aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cmd.c.cq_caps_1 = ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK;
    cmd.c.cq_caps_2 = (cq->entry_size / 4) &
                      ENA_ADMIN_AQ_CREATE_CQ_CMD_CQ_ENTRY_SIZE_WORDS_MASK;
    cmd.c.cq_depth = ena_le16(cq->depth);
    cmd.c.msix_vector = ena_le32(vector);
    ena_eth_addr48(&cmd.c.cq_ba, cq->mem.phys);

    rc = ena_com_admin_exec(com, &cmd.entry, sizeof(cmd.c), &resp.entry,
                            sizeof(resp.r));
    if (rc) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Failed to create IO CQ. error: %d", rc);
        return rc;
    }
    cq->idx = ena_le16(resp.r.cq_idx);
    cq->unmask_off = ena_le32(resp.r.cq_interrupt_unmask_register_offset);
    cq->numa_off = ena_le32(resp.r.numa_node_register_offset);
    cq->vector = vector;
    cq->head = 0;
    cq->phase = 1;
    cq->created = true;
    if (!ena_eth_reg_off_ok(cq->unmask_off)) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "CREATE_CQ returned unmask register offset 0x%x",
                     cq->unmask_off);
        return -ENA_EPROTO;
    }
    if (cq->numa_off) {
        /* node 0, enabled: only a hint to the device */
        ena_plat_reg_write32(com->plat, cq->numa_off,
                             ENA_ETH_IO_NUMA_NODE_CFG_REG_ENABLED_MASK);
    }
    return 0;
}

static int ena_eth_create_sq_at(EnaCom *com, EnaEthSq *sq, uint8_t direction,
                                uint16_t cq_idx, uint8_t placement,
                                uint32_t *llq_off)
{
    union {
        EnaAdminAqEntry entry;
        EnaAdminCreateSqCmd c;
    } cmd;
    union {
        EnaAdminAcqEntry entry;
        EnaAdminCreateSqResp r;
    } resp;
    int rc;

    ena_mem_zero(&cmd, sizeof(cmd));
    ena_mem_zero(&resp, sizeof(resp));
    cmd.c.aq_common.opcode = ENA_ADMIN_CREATE_SQ;
    cmd.c.sq_identity = (direction << ENA_ADMIN_SQ_DIRECTION_SHIFT) &
                        ENA_ADMIN_SQ_DIRECTION_MASK;
    cmd.c.sq_caps_2 = placement |
                      (ENA_ADMIN_COMPLETION_POLICY_DESC <<
                       ENA_ADMIN_SQ_COMPLETION_POLICY_SHIFT);
    cmd.c.sq_caps_3 = ENA_ADMIN_SQ_IS_PHYSICALLY_CONTIGUOUS_MASK;
    cmd.c.cq_idx = ena_le16(cq_idx);
    cmd.c.sq_depth = ena_le16(sq->depth);
    /* an LLQ ring is the device's: its address field stays 0 */
    if (placement == ENA_ADMIN_PLACEMENT_POLICY_HOST) {
        ena_eth_addr48(&cmd.c.sq_ba, sq->mem.phys);
    }

    rc = ena_com_admin_exec(com, &cmd.entry, sizeof(cmd.c), &resp.entry,
                            sizeof(resp.r));
    if (rc) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Failed to create IO SQ. error: %d", rc);
        return rc;
    }
    sq->idx = ena_le16(resp.r.sq_idx);
    sq->db_off = ena_le32(resp.r.sq_doorbell_offset);
    sq->tail = 0;
    sq->phase = 1;
    sq->created = true;
    if (llq_off) {
        *llq_off = ena_le32(resp.r.llq_descriptors_offset);
    }
    if (!ena_eth_reg_off_ok(sq->db_off)) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "CREATE_SQ returned doorbell offset 0x%x", sq->db_off);
        return -ENA_EPROTO;
    }
    return 0;
}

int ena_eth_create_sq(EnaCom *com, EnaEthSq *sq, uint8_t direction,
                      uint16_t cq_idx)
{
    return ena_eth_create_sq_at(com, sq, direction, cq_idx,
                                ENA_ADMIN_PLACEMENT_POLICY_HOST, NULL);
}

int ena_eth_create_tx_sq_llq(EnaCom *com, EnaEthTxQueue *q, uint16_t cq_idx,
                             uint64_t bar_size)
{
    uint64_t ring;
    uint32_t off = 0;
    int rc;

    if (!q->llq) {
        return -ENA_EINVAL;
    }
    ring = (uint64_t)q->sq.depth * q->llq->entry_size;
    rc = ena_eth_create_sq_at(com, &q->sq, ENA_ADMIN_SQ_DIRECTION_TX, cq_idx,
                              ENA_ADMIN_PLACEMENT_POLICY_DEV, &off);
    if (rc) {
        return rc;
    }
    /* entries are written with 64-bit stores and must stay inside BAR2 */
    if ((off & 7) || off > bar_size || ring > bar_size - off) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "CREATE_SQ returned LLQ offset 0x%x: %u entries of %u "
                     "bytes do not fit the 0x%llx-byte memory BAR", off,
                     q->sq.depth, q->llq->entry_size,
                     (unsigned long long)bar_size);
        return -ENA_EPROTO;
    }
    q->llq_off = off;
    q->llq_burst_used = 0;
    q->buf_tail = 0;
    return 0;
}

int ena_eth_destroy_sq(EnaCom *com, EnaEthSq *sq, uint8_t direction)
{
    union {
        EnaAdminAqEntry entry;
        EnaAdminDestroySqCmd c;
    } cmd;
    EnaAdminAcqEntry resp;
    int rc;

    if (!sq->created) {
        return 0;
    }
    ena_mem_zero(&cmd, sizeof(cmd));
    cmd.c.aq_common.opcode = ENA_ADMIN_DESTROY_SQ;
    cmd.c.sq_idx = ena_le16(sq->idx);
    cmd.c.sq_identity = (direction << ENA_ADMIN_SQ_DIRECTION_SHIFT) &
                        ENA_ADMIN_SQ_DIRECTION_MASK;
    sq->created = false;
    rc = ena_com_admin_exec(com, &cmd.entry, sizeof(cmd.c), &resp,
                            sizeof(EnaAdminAcqCommon));
    if (rc) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Failed to destroy io sq error: %d", rc);
    }
    return rc;
}

int ena_eth_destroy_cq(EnaCom *com, EnaEthCq *cq)
{
    union {
        EnaAdminAqEntry entry;
        EnaAdminDestroyCqCmd c;
    } cmd;
    EnaAdminAcqEntry resp;
    int rc;

    if (!cq->created) {
        return 0;
    }
    ena_mem_zero(&cmd, sizeof(cmd));
    cmd.c.aq_common.opcode = ENA_ADMIN_DESTROY_CQ;
    cmd.c.cq_idx = ena_le16(cq->idx);
    cq->created = false;
    rc = ena_com_admin_exec(com, &cmd.entry, sizeof(cmd.c), &resp,
                            sizeof(EnaAdminAcqCommon));
    if (rc) {
        ena_plat_log(com->plat, ENA_LOG_ERR,
                     "Failed to destroy IO CQ. error: %d", rc);
    }
    return rc;
}

/* ---- LLQ negotiation (§5.6) --------------------------------------------- */

/* The first bit of @order (a list of single-bit values) set in @mask. */
static uint16_t ena_eth_pick(uint16_t mask, const uint16_t *order, int n)
{
    for (int i = 0; i < n; i++) {
        if (mask & order[i]) {
            return order[i];
        }
    }
    return 0;
}

int ena_eth_llq_choose(const EnaAdminLlqFeature *offer, EnaEthLlq *llq,
                       EnaAdminLlqFeature *set, uint32_t *max_depth)
{
    static const uint16_t sizes[] = {
        ENA_ADMIN_LIST_ENTRY_SIZE_128B, ENA_ADMIN_LIST_ENTRY_SIZE_192B,
        ENA_ADMIN_LIST_ENTRY_SIZE_256B,
    };
    static const uint16_t befores[] = { 2, 1, 4, 8 };
    static const uint16_t strides[] = {
        ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY, ENA_ADMIN_SINGLE_DESC_PER_ENTRY,
    };
    uint16_t size_sup = ena_le16(offer->entry_size_ctrl_supported);
    uint16_t accel = ena_le16(offer->accel_flags);
    uint16_t burst = ena_le16(offer->accel_max_tx_burst_size);
    uint16_t wide = ena_le16(offer->max_wide_llq_depth);
    uint32_t depth = ena_le32(offer->max_llq_depth);
    uint16_t size, before, stride, flags = 0;
    uint32_t esize;

    ena_mem_zero(llq, sizeof(*llq));
    ena_mem_zero(set, sizeof(*set));
    *max_depth = 0;
    if (!ena_le32(offer->max_llq_num) || depth < 2 ||
        !(ena_le16(offer->header_location_ctrl_supported) &
          ENA_ADMIN_INLINE_HEADER)) {
        return -ENA_EOPNOTSUPP;
    }
    stride = ena_eth_pick(ena_le16(offer->descriptors_stride_ctrl_supported),
                          strides, 2);
    if (offer->entry_size_recommended == ENA_ADMIN_LIST_ENTRY_SIZE_256B &&
        (size_sup & ENA_ADMIN_LIST_ENTRY_SIZE_256B)) {
        size = ENA_ADMIN_LIST_ENTRY_SIZE_256B;
    } else {
        size = ena_eth_pick(size_sup, sizes, 3);
    }
    before = ena_eth_pick(ena_le16(offer->desc_num_before_header_supported),
                          befores, 4);
    esize = size == ENA_ADMIN_LIST_ENTRY_SIZE_128B ? 128 :
            size == ENA_ADMIN_LIST_ENTRY_SIZE_192B ? 192 : 256;
    /* a header needs room after the descriptors: no 8 before in 128 B */
    if (!stride || !size || !before || before * 16u >= esize) {
        return -ENA_EOPNOTSUPP;
    }
    if (accel & ENA_BIT(ENA_ADMIN_LLQ_ACCEL_DISABLE_META_CACHING)) {
        flags |= ENA_BIT(ENA_ADMIN_LLQ_ACCEL_DISABLE_META_CACHING);
        llq->meta_every_pkt = true;
    }
    if ((accel & ENA_BIT(ENA_ADMIN_LLQ_ACCEL_LIMIT_TX_BURST)) &&
        burst >= esize) {
        flags |= ENA_BIT(ENA_ADMIN_LLQ_ACCEL_LIMIT_TX_BURST);
        llq->burst_entries = burst / esize;
    }
    llq->entry_size = (uint16_t)esize;
    llq->descs_before_hdr = (uint8_t)before;
    llq->descs_per_entry = stride == ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY ?
                           (uint8_t)(esize / 16) : 1;
    llq->max_header = (uint8_t)ENA_MIN(esize - before * 16u, 255u);
    /*
     * max_llq_depth counts 128-byte entries; wider ones get the depth the
     * device names for them, or the same memory's worth.
     */
    *max_depth = esize == 128 ? depth : wide ? wide : depth * 128 / esize;
    set->header_location_ctrl_enabled = ena_le16(ENA_ADMIN_INLINE_HEADER);
    set->entry_size_ctrl_enabled = ena_le16(size);
    set->desc_num_before_header_enabled = ena_le16(before);
    set->descriptors_stride_ctrl_enabled = ena_le16(stride);
    set->accel_flags = ena_le16(flags);
    return 0;
}

/* ---- TX ----------------------------------------------------------------- */

uint16_t ena_eth_tx_free_ids(const EnaEthTxQueue *q)
{
    return q->free_put - q->free_take;
}

/*
 * Data descriptor @i of @nsegs of a packet. @first: no meta descriptor
 * precedes it, so the first data descriptor carries the first bit.
 */
static void ena_eth_tx_desc_build(EnaEthIoTxDesc *d, const EnaEthTxSeg *segs,
                                  uint16_t i, uint16_t nsegs, uint16_t req_id,
                                  uint8_t header_len, uint8_t phase,
                                  bool first)
{
    uint32_t len_ctrl, meta_ctrl = 0, hi;

    len_ctrl = (segs[i].len & ENA_ETH_IO_TX_DESC_LENGTH_MASK) |
               ((uint32_t)phase << ENA_ETH_IO_TX_DESC_PHASE_SHIFT);
    hi = (uint32_t)(segs[i].addr >> 32) & ENA_ETH_IO_TX_DESC_ADDR_HI_MASK;
    if (i == 0) {
        len_ctrl |= (first ? ENA_ETH_IO_TX_DESC_FIRST_MASK : 0) |
                    ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
                    (((uint32_t)(req_id >> 10) <<
                      ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) &
                     ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK);
        meta_ctrl = ((uint32_t)(req_id & 0x3ff) <<
                     ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT) &
                    ENA_ETH_IO_TX_DESC_REQ_ID_LO_MASK;
        hi |= (uint32_t)header_len << ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT;
    }
    if (i == nsegs - 1) {
        len_ctrl |= ENA_ETH_IO_TX_DESC_LAST_MASK;
    }
    d->buff_addr_lo = ena_le32((uint32_t)segs[i].addr);
    d->buff_addr_hi_hdr_sz = ena_le32(hi);
    d->meta_ctrl = ena_le32(meta_ctrl);
    d->len_ctrl = ena_le32(len_ctrl);
}

uint16_t ena_eth_tx_write_descs(EnaEthSq *sq, uint16_t req_id,
                                const EnaEthTxSeg *segs, uint16_t nsegs,
                                uint8_t header_len)
{
    for (uint16_t i = 0; i < nsegs; i++) {
        EnaEthIoTxDesc *d = (EnaEthIoTxDesc *)sq->mem.virt +
                            ena_ring_slot(sq->tail, sq->depth);

        ena_eth_tx_desc_build(d, segs, i, nsegs, req_id, header_len,
                              sq->phase, true);
        ena_ring_advance(&sq->tail, &sq->phase, sq->depth);
    }
    return nsegs;
}

/* A refused send starts the clock of the (netdev-style) TX watchdog. */
static int ena_eth_tx_full(EnaEthTxQueue *q, uint64_t now)
{
    q->stats.ring_full++;
    if (!q->full) {
        q->full = true;
        q->full_since_ns = now;
    }
    return -ENA_ENOSPC;
}

/* ---- TX, LLQ (§7.9) ---------------------------------------------------- */

/* The SQ doorbell, counting entries, after every entry is in BAR2. */
static void ena_eth_llq_doorbell(EnaEthTxQueue *q, EnaPlat *plat)
{
    ena_plat_wmb(plat);
    ena_plat_reg_write32(plat, q->sq.db_off, q->sq.tail);
    q->stats.doorbells++;
    q->llq_burst_used = 0;
}

/*
 * Write @entry (built in a bounce buffer) as the entry at the SQ tail.
 * With a burst limit, the entries already written are rung in first when
 * this one would make the burst too long.
 */
static void ena_eth_llq_put_entry(EnaEthTxQueue *q, EnaPlat *plat,
                                  const uint8_t *entry)
{
    const EnaEthLlq *l = q->llq;
    uint64_t off;

    if (l->burst_entries && q->llq_burst_used >= l->burst_entries) {
        ena_eth_llq_doorbell(q, plat);
    }
    off = q->llq_off +
          (uint64_t)ena_ring_slot(q->sq.tail, q->sq.depth) * l->entry_size;
    ena_plat_llq_write(plat, off, entry, l->entry_size);
    ena_ring_advance(&q->sq.tail, &q->sq.phase, q->sq.depth);
    q->llq_burst_used++;
    q->stats.descs++;
}

/* Entries that @ndescs descriptors take: the first, then full ones. */
static uint16_t ena_eth_llq_entries(const EnaEthLlq *l, uint16_t ndescs)
{
    if (ndescs <= l->descs_before_hdr) {
        return 1;
    }
    return 1 + (ndescs - l->descs_before_hdr + l->descs_per_entry - 1) /
               l->descs_per_entry;
}

/* Copy the first @len bytes of a frame to @dst. */
static void ena_eth_frags_head(uint8_t *dst, const EnaFrag *frags,
                               uint16_t nfrags, uint32_t len)
{
    for (uint16_t f = 0; f < nfrags && len; f++) {
        uint32_t c = ENA_MIN(frags[f].len, len);

        ena_mem_copy(dst, frags[f].data, c);
        dst += c;
        len -= c;
    }
}

/* Lay descs[0..ndescs) and the pushed bytes out as entries, in BAR2. */
static void ena_eth_llq_put_pkt(EnaEthTxQueue *q, EnaPlat *plat,
                                const EnaEthIoTxDesc *descs, uint16_t ndescs,
                                const EnaFrag *frags, uint16_t nfrags,
                                uint32_t push)
{
    const EnaEthLlq *l = q->llq;
    const uint32_t dsz = sizeof(EnaEthIoTxDesc);
    /* the bounce buffer: on the stack, so idle queues do not carry it */
    uint8_t entry[ENA_ETH_LLQ_MAX_ENTRY];
    uint16_t d = 0;
    bool first = true;

    while (first || d < ndescs) {
        uint16_t slots = first ? l->descs_before_hdr : l->descs_per_entry;
        uint32_t phase = ena_le32((uint32_t)q->sq.phase <<
                                  ENA_ETH_IO_TX_DESC_PHASE_SHIFT);

        ena_mem_zero(entry, l->entry_size);
        for (uint16_t s = 0; s < slots && d < ndescs; s++, d++) {
            EnaEthIoTxDesc x = descs[d];

            /* every descriptor carries the phase of its entry */
            x.len_ctrl |= phase;
            ena_mem_copy(entry + s * dsz, &x, dsz);
        }
        if (first) {
            ena_eth_frags_head(entry + l->descs_before_hdr * dsz,
                               frags, nfrags, push);
        }
        ena_eth_llq_put_entry(q, plat, entry);
        first = false;
    }
}

static int ena_eth_xmit_llq(EnaEthTxQueue *q, EnaPlat *plat,
                            const EnaFrag *frags, uint16_t nfrags,
                            uint64_t now)
{
    const EnaEthLlq *l = q->llq;
    EnaEthTxSeg segs[ENA_ETH_MAX_PKT_DESCS];
    EnaEthIoTxDesc descs[1 + ENA_ETH_MAX_PKT_DESCS];
    uint16_t depth = q->sq.depth;
    uint32_t total = 0, push, skip, nbufs = 0;
    uint16_t n = 0, ndata, nmeta, ndescs, nentries, req_id, first_buf;

    for (uint16_t f = 0; f < nfrags; f++) {
        total += frags[f].len;
    }
    if (!total) {
        q->stats.bad_frame++;
        return -ENA_EINVAL;
    }
    /* the first bytes travel in the entry; buffers hold what follows */
    push = ENA_MIN(total, (uint32_t)l->max_header);
    skip = push;
    for (uint16_t f = 0; f < nfrags; f++) {
        uint32_t len = frags[f].len;

        if (skip >= len) {
            skip -= len;
            continue;
        }
        nbufs += (len - skip + q->buf_size - 1) / q->buf_size;
        skip = 0;
    }
    /* a frame that fits the entry: one descriptor of length 0 */
    ndata = nbufs ? nbufs : 1;
    if (ndata > q->max_descs || nbufs > depth) {
        q->stats.too_many_descs++;
        return -ENA_EMSGSIZE;
    }
    nmeta = l->meta_every_pkt ? 1 : 0;
    ndescs = nmeta + ndata;
    nentries = ena_eth_llq_entries(l, ndescs);
    if (!ena_eth_tx_free_ids(q) ||
        q->descs_in_flight + nentries > (uint32_t)depth - 1) {
        return ena_eth_tx_full(q, now);
    }
    for (uint32_t k = 0; k < nbufs; k++) {
        if (q->slot_busy[ena_ring_slot(q->buf_tail + k, depth)]) {
            return ena_eth_tx_full(q, now);
        }
    }

    req_id = q->free_ids[ena_ring_slot(q->free_take++, depth)];
    first_buf = ena_ring_slot(q->buf_tail, depth);
    skip = push;
    for (uint16_t f = 0; f < nfrags; f++) {
        const uint8_t *src = frags[f].data;
        uint32_t left = frags[f].len, c = ENA_MIN(skip, left);

        src += c;
        left -= c;
        skip -= c;
        while (left) {
            uint16_t slot = ena_ring_slot(q->buf_tail + n, depth);
            uint32_t chunk = ENA_MIN(left, q->buf_size);
            uint64_t off = (uint64_t)slot * q->buf_size;

            ena_mem_copy((uint8_t *)q->bufs.virt + off, src, chunk);
            segs[n].addr = q->bufs.phys + off;
            segs[n].len = (uint16_t)chunk;
            q->slot_busy[slot] = true;
            src += chunk;
            left -= chunk;
            n++;
        }
    }
    if (!nbufs) {
        segs[0].addr = 0;
        segs[0].len = 0;
    }
    q->info[req_id] = (EnaEthTxInfo) {
        .submit_ns = now,
        .len = total,
        .ndescs = (uint16_t)nbufs,
        .nslots = nentries,
        .first_slot = first_buf,
        .in_flight = true,
    };
    q->buf_tail += nbufs;
    q->descs_in_flight += nentries;
    q->pkts_in_flight++;
    if (nbufs) {
        ena_plat_dma_sync(plat, &q->bufs, 0, q->bufs.size,
                          ENA_DMA_SYNC_TO_DEVICE);
    }

    if (nmeta) {
        /* no offloads: zeroed metadata, stored, marking the packet start */
        ena_mem_zero(&descs[0], sizeof(descs[0]));
        descs[0].len_ctrl =
            ena_le32(ENA_ETH_IO_TX_DESC_META_DESC_MASK |
                     ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK |
                     ENA_ETH_IO_TX_META_DESC_ETH_META_TYPE_MASK |
                     ENA_ETH_IO_TX_META_DESC_META_STORE_MASK |
                     ENA_ETH_IO_TX_DESC_FIRST_MASK);
    }
    for (uint16_t i = 0; i < ndata; i++) {
        ena_eth_tx_desc_build(&descs[nmeta + i], segs, i, ndata, req_id,
                              (uint8_t)push, 0, !nmeta);
    }
    ena_eth_llq_put_pkt(q, plat, descs, ndescs, frags, nfrags, push);
    ena_eth_llq_doorbell(q, plat);
    q->stats.pkts++;
    q->stats.bytes += total;
    return req_id;
}

int ena_eth_xmit(EnaEthTxQueue *q, EnaPlat *plat, const EnaFrag *frags,
                 uint16_t nfrags, uint64_t now)
{
    EnaEthTxSeg segs[ENA_ETH_MAX_PKT_DESCS];
    uint16_t depth = q->sq.depth;
    uint32_t need = 0, total = 0;
    uint16_t n = 0, req_id, first_slot;

    if (!q->sq.created) {
        return -ENA_ENETDOWN;
    }
    if (q->llq) {
        return ena_eth_xmit_llq(q, plat, frags, nfrags, now);
    }
    for (uint16_t f = 0; f < nfrags; f++) {
        need += (frags[f].len + q->buf_size - 1) / q->buf_size;
        total += frags[f].len;
    }
    if (!total) {
        q->stats.bad_frame++;
        return -ENA_EINVAL;
    }
    if (need > q->max_descs) {
        q->stats.too_many_descs++;
        return -ENA_EMSGSIZE;
    }
    /* at most depth - 1 descriptors in flight, and the slots must be free */
    if (!ena_eth_tx_free_ids(q) ||
        q->descs_in_flight + need > (uint32_t)depth - 1) {
        return ena_eth_tx_full(q, now);
    }
    for (uint32_t k = 0; k < need; k++) {
        if (q->slot_busy[ena_ring_slot(q->sq.tail + k, depth)]) {
            return ena_eth_tx_full(q, now);
        }
    }

    req_id = q->free_ids[ena_ring_slot(q->free_take++, depth)];
    first_slot = ena_ring_slot(q->sq.tail, depth);
    for (uint16_t f = 0; f < nfrags; f++) {
        const uint8_t *src = frags[f].data;
        uint32_t left = frags[f].len;

        while (left) {
            uint16_t slot = ena_ring_slot(q->sq.tail + n, depth);
            uint32_t chunk = ENA_MIN(left, q->buf_size);
            uint64_t off = (uint64_t)slot * q->buf_size;

            ena_mem_copy((uint8_t *)q->bufs.virt + off, src, chunk);
            segs[n].addr = q->bufs.phys + off;
            segs[n].len = (uint16_t)chunk;      /* buf_size <= 0xffff */
            q->slot_busy[slot] = true;
            src += chunk;
            left -= chunk;
            n++;
        }
    }
    q->info[req_id] = (EnaEthTxInfo) {
        .submit_ns = now,
        .len = total,
        .ndescs = n,
        .nslots = n,
        .first_slot = first_slot,
        .in_flight = true,
    };
    ena_eth_tx_write_descs(&q->sq, req_id, segs, n,
                           (uint8_t)ENA_MIN(segs[0].len, q->max_header));
    q->descs_in_flight += n;
    q->pkts_in_flight++;

    ena_plat_dma_sync(plat, &q->bufs, 0, q->bufs.size, ENA_DMA_SYNC_TO_DEVICE);
    ena_plat_dma_sync(plat, &q->sq.mem, 0, q->sq.mem.size,
                      ENA_DMA_SYNC_TO_DEVICE);
    ena_plat_wmb(plat);
    ena_plat_reg_write32(plat, q->sq.db_off, q->sq.tail);
    q->stats.doorbells++;
    q->stats.pkts++;
    q->stats.bytes += total;
    q->stats.descs += n;
    return req_id;
}

bool ena_eth_tx_req_id_valid(const EnaEthTxQueue *q, uint16_t req_id)
{
    return req_id < q->sq.depth && q->info[req_id].in_flight;
}

static void ena_eth_tx_release(EnaEthTxQueue *q, uint16_t req_id)
{
    EnaEthTxInfo *ti = &q->info[req_id];
    uint16_t depth = q->sq.depth;

    for (uint16_t k = 0; k < ti->ndescs; k++) {
        q->slot_busy[ena_ring_slot(ti->first_slot + k, depth)] = false;
    }
    q->descs_in_flight -= ti->nslots;
    q->pkts_in_flight--;
    q->full = false;
    ti->in_flight = false;
    q->free_ids[ena_ring_slot(q->free_put++, depth)] = req_id;
}

int ena_eth_tx_clean(EnaEthTxQueue *q, EnaPlat *plat, uint16_t budget,
                     uint8_t *reason)
{
    EnaEthCq *cq = &q->cq;
    int n = 0;

    if (!cq->mem.virt) {
        return 0;
    }
    while (n < budget) {
        uint16_t slot = ena_ring_slot(cq->head, cq->depth);
        EnaEthIoTxCdesc *cd = (EnaEthIoTxCdesc *)cq->mem.virt + slot;
        uint8_t flags;
        uint16_t req_id;

        ena_plat_dma_sync(plat, &cq->mem, slot * ENA_ETH_TX_CDESC_SIZE,
                          ENA_ETH_TX_CDESC_SIZE, ENA_DMA_SYNC_FROM_DEVICE);
        flags = ena_read_once8(&cd->flags);
        if ((flags & ENA_ETH_IO_TX_CDESC_PHASE_MASK) != cq->phase) {
            break;
        }
        ena_plat_rmb(plat);
        req_id = ena_le16(ena_read_once16(&cd->req_id));
        if (q->cdesc_mbz && (flags & ENA_ETH_TX_CDESC_MBZ_MASK)) {
            q->stats.bad_cdesc++;
            ena_plat_log(plat, ENA_LOG_ERR,
                         "Corrupted TX descriptor on q_id: %u, req_id: %u",
                         q->qid, req_id);
            *reason = ENA_REGS_RESET_TX_DESCRIPTOR_MALFORMED;
            return -ENA_EIO;
        }
        if (!ena_eth_tx_req_id_valid(q, req_id)) {
            q->stats.bad_req_id++;
            if (req_id >= q->sq.depth) {
                ena_plat_log(plat, ENA_LOG_ERR, "Invalid req_id %u in qid %u",
                             req_id, q->qid);
            } else {
                ena_plat_log(plat, ENA_LOG_ERR,
                             "tx_info doesn't have valid frame. qid %u "
                             "req_id %u", q->qid, req_id);
            }
            *reason = ENA_REGS_RESET_INV_TX_REQ_ID;
            return -ENA_EINVAL;
        }
        ena_eth_tx_release(q, req_id);
        q->stats.completions++;
        ena_ring_advance(&cq->head, &cq->phase, cq->depth);
        n++;
    }
    return n;
}

void ena_eth_tx_drop_all(EnaEthTxQueue *q)
{
    for (uint16_t id = 0; id < q->sq.depth && id < ENA_ETH_MAX_DEPTH; id++) {
        if (q->info[id].in_flight) {
            ena_eth_tx_release(q, id);
            q->stats.dropped_on_reset++;
        }
    }
}

uint8_t ena_eth_tx_check_missing(EnaEthTxQueue *q, uint64_t now,
                                 uint64_t timeout_ns, uint32_t threshold,
                                 bool vector_fired, uint32_t *late,
                                 uint32_t *new_missed)
{
    uint64_t twice = timeout_ns > ENA_TIMEOUT_NEVER / 2 ? ENA_TIMEOUT_NEVER :
                     2 * timeout_ns;
    uint8_t verdict = ENA_RESET_REASON_NONE;

    *late = 0;
    *new_missed = 0;
    if (timeout_ns == ENA_TIMEOUT_NEVER) {
        return verdict;
    }
    for (uint16_t id = 0; id < q->sq.depth; id++) {
        EnaEthTxInfo *ti = &q->info[id];
        uint64_t age;

        if (!ti->in_flight) {
            continue;
        }
        age = now > ti->submit_ns ? now - ti->submit_ns : 0;
        if (!vector_fired && age > twice) {
            /* no interrupt ever came: the vector is the suspect */
            verdict = ENA_REGS_RESET_MISS_INTERRUPT;
        }
        if (age > timeout_ns) {
            if (!ti->missed) {
                ti->missed = true;
                (*new_missed)++;
                q->stats.missed_tx++;
            }
            (*late)++;
        }
    }
    if (verdict == ENA_RESET_REASON_NONE && *late > threshold) {
        verdict = ENA_REGS_RESET_MISS_TX_CMPL;
    }
    return verdict;
}

/* ---- RX ----------------------------------------------------------------- */

int ena_eth_rx_refill(EnaEthRxQueue *q, EnaPlat *plat)
{
    uint16_t depth = q->sq.depth;
    int n = 0;

    if (!q->sq.created) {
        return 0;
    }
    while ((uint16_t)(q->free_put - q->free_take) &&
           q->posted < depth - 1) {
        uint16_t id = q->free_ids[ena_ring_slot(q->free_take++, depth)];
        EnaEthIoRxDesc *d = (EnaEthIoRxDesc *)q->sq.mem.virt +
                            ena_ring_slot(q->sq.tail, depth);
        uint64_t addr = q->bufs.phys + (uint64_t)id * q->buf_size;

        d->length = ena_le16((uint16_t)q->buf_size);    /* 65536 -> 0 */
        d->reserved2 = 0;
        d->req_id = ena_le16(id);
        d->reserved6 = 0;
        d->buff_addr_lo = ena_le32((uint32_t)addr);
        d->buff_addr_hi = ena_le16((uint16_t)(addr >> 32));
        d->reserved16_w3 = 0;
        d->ctrl = ENA_ETH_IO_RX_DESC_FIRST_MASK |
                  ENA_ETH_IO_RX_DESC_LAST_MASK |
                  ENA_ETH_IO_RX_DESC_COMP_REQ_MASK | q->sq.phase;
        q->owned[id] = true;
        q->posted++;
        ena_ring_advance(&q->sq.tail, &q->sq.phase, depth);
        n++;
    }
    if (n) {
        ena_plat_dma_sync(plat, &q->sq.mem, 0, q->sq.mem.size,
                          ENA_DMA_SYNC_TO_DEVICE);
        ena_plat_wmb(plat);
        ena_plat_reg_write32(plat, q->sq.db_off, q->sq.tail);
        q->stats.doorbells++;
        q->stats.posted += n;
    }
    return n;
}

static uint32_t ena_eth_cdesc_word0(const EnaEthCq *cq, EnaPlat *plat,
                                    uint16_t ctr)
{
    uint16_t slot = ena_ring_slot(ctr, cq->depth);
    const uint8_t *entry = (const uint8_t *)cq->mem.virt +
                           (uint64_t)slot * cq->entry_size;

    ena_plat_dma_sync(plat, &cq->mem, (uint64_t)slot * cq->entry_size,
                      cq->entry_size, ENA_DMA_SYNC_FROM_DEVICE);
    return ena_le32(ena_read_once32(entry));
}

int ena_eth_rx_parse(EnaEthRxQueue *q, EnaPlat *plat, EnaEthRxPkt *pkt,
                     uint8_t *reason)
{
    EnaEthCq *cq = &q->cq;
    uint16_t head = cq->head;
    uint8_t phase = cq->phase;
    uint16_t n = 0;

    if (!cq->mem.virt) {
        return 0;
    }
    pkt->ndescs = 0;
    pkt->total_len = 0;
    /* walk a copy of head/phase: a partial chain stays for the next call */
    for (;;) {
        const EnaEthIoRxCdesc *cd;
        uint32_t status = ena_eth_cdesc_word0(cq, plat, head);
        uint16_t req_id, len;

        if (!!(status & ENA_ETH_IO_RX_CDESC_PHASE_MASK) != phase) {
            return 0;
        }
        ena_plat_rmb(plat);
        cd = (const EnaEthIoRxCdesc *)cq->mem.virt +
             ena_ring_slot(head, cq->depth);
        req_id = ena_le16(ena_read_once16(&cd->req_id));
        len = ena_le16(ena_read_once16(&cd->length));

        if (n == 0 && !(status & ENA_ETH_IO_RX_CDESC_FIRST_MASK)) {
            q->stats.malformed++;
            ena_plat_log(plat, ENA_LOG_ERR,
                         "First bit is off in descriptor #0 on q_id: %u, "
                         "req_id: %u", q->qid, req_id);
            *reason = ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED;
            return -ENA_EIO;
        }
        if (n > 0 && (status & ENA_ETH_IO_RX_CDESC_FIRST_MASK)) {
            q->stats.malformed++;
            ena_plat_log(plat, ENA_LOG_ERR,
                         "First bit is on in descriptor #%u on q_id: %u, "
                         "req_id: %u", n, q->qid, req_id);
            *reason = ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED;
            return -ENA_EIO;
        }
        if (q->cdesc_mbz && (status & ENA_ETH_RX_CDESC_MBZ_MASK)) {
            q->stats.malformed++;
            ena_plat_log(plat, ENA_LOG_ERR,
                         "Corrupted RX descriptor #%u on q_id: %u, "
                         "req_id: %u", n, q->qid, req_id);
            *reason = ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED;
            return -ENA_EIO;
        }
        if (n >= q->max_descs) {
            q->stats.bad_desc_num++;
            ena_plat_log(plat, ENA_LOG_ERR,
                         "Too many RX cdescs (%u) > MAX(%u)", n + 1,
                         q->max_descs);
            *reason = ENA_REGS_RESET_TOO_MANY_RX_DESCS;
            return -ENA_EIO;
        }
        if (req_id >= q->sq.depth || !q->owned[req_id]) {
            q->stats.bad_req_id++;
            ena_plat_log(plat, ENA_LOG_ERR,
                         "Bad req_id in descriptor #%u on q_id: %u, "
                         "req_id: %u", n, q->qid, req_id);
            *reason = ENA_REGS_RESET_INV_RX_REQ_ID;
            return -ENA_EINVAL;
        }
        for (uint16_t k = 0; k < n; k++) {
            if (pkt->req_id[k] == req_id) {
                /* the same buffer twice in one chain */
                q->stats.bad_req_id++;
                ena_plat_log(plat, ENA_LOG_ERR,
                             "Duplicate req_id %u in one chain on q_id: %u",
                             req_id, q->qid);
                *reason = ENA_REGS_RESET_INV_RX_REQ_ID;
                return -ENA_EINVAL;
            }
        }
        if (n == 0) {
            pkt->offset = ena_read_once8(&cd->offset);
        }
        pkt->req_id[n] = req_id;
        pkt->len[n] = len;
        pkt->total_len += len;
        n++;
        ena_ring_advance(&head, &phase, cq->depth);
        if (status & ENA_ETH_IO_RX_CDESC_LAST_MASK) {
            pkt->ndescs = n;
            pkt->status = status;
            pkt->hash = ena_le32(ena_read_once32(&cd->hash));
            cq->head = head;
            cq->phase = phase;
            q->stats.pkts++;
            q->stats.bytes += pkt->total_len;
            q->stats.descs += n;
            if (n > 1) {
                q->stats.multi_desc_pkts++;
            }
            return n;
        }
    }
}

uint16_t ena_eth_rx_frags(const EnaEthRxQueue *q, const EnaEthRxPkt *pkt,
                          EnaFrag *frags)
{
    for (uint16_t i = 0; i < pkt->ndescs; i++) {
        uint64_t off = (uint64_t)pkt->req_id[i] * q->buf_size;
        uint32_t skip = i == 0 ? ENA_MIN(pkt->offset, q->buf_size) : 0;

        frags[i].data = (const uint8_t *)q->bufs.virt + off + skip;
        frags[i].len = ENA_MIN(pkt->len[i], q->buf_size - skip);
    }
    return pkt->ndescs;
}

void ena_eth_rx_release(EnaEthRxQueue *q, const EnaEthRxPkt *pkt)
{
    for (uint16_t i = 0; i < pkt->ndescs; i++) {
        uint16_t id = pkt->req_id[i];

        if (id < q->sq.depth && q->owned[id]) {
            q->owned[id] = false;
            q->posted--;
            q->free_ids[ena_ring_slot(q->free_put++, q->sq.depth)] = id;
        }
    }
}

void ena_eth_rx_drop_all(EnaEthRxQueue *q)
{
    for (uint16_t id = 0; id < q->sq.depth && id < ENA_ETH_MAX_DEPTH; id++) {
        if (q->owned[id]) {
            q->owned[id] = false;
            q->posted--;
            q->free_ids[ena_ring_slot(q->free_put++, q->sq.depth)] = id;
            q->stats.dropped_on_reset++;
        }
    }
}

/* ---- completion queues and interrupts ----------------------------------- */

bool ena_eth_cq_pending(const EnaEthCq *cq, EnaPlat *plat)
{
    if (!cq->mem.virt) {
        return false;
    }
    return !!(ena_eth_cdesc_word0(cq, plat, cq->head) &
              ENA_ETH_CDESC_PHASE_MASK) == cq->phase;
}

uint32_t ena_eth_intr_reg_value(uint32_t rx_delay, uint32_t tx_delay,
                                bool unmask)
{
    return (rx_delay & ENA_ETH_IO_INTR_REG_RX_INTR_DELAY_MASK) |
           ((tx_delay << ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_SHIFT) &
            ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_MASK) |
           (unmask ? ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK : 0);
}

void ena_eth_unmask(EnaPlat *plat, const EnaEthCq *cq, uint32_t val)
{
    ena_plat_wmb(plat);
    ena_plat_reg_write32(plat, cq->unmask_off, val);
}
