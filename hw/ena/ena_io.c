/*
 * AWS Elastic Network Adapter: data path
 *
 * IO submission queues and their doorbells, TX in host placement and LLQ,
 * completions, RX with checksum flags and RSS queue selection.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "net/eth.h"
#include "hw/pci/pci_device.h"
#include "hw/net/net_tx_pkt.h"
#include "hw/net/net_rx_pkt.h"
#include "ena_internal.h"
#include "trace.h"

/* ---- IO queue teardown and doorbells --------------------------------- */

/* Fragments are guest buffers mapped for DMA, or an LLQ pushed header. */
static void ena_tx_unmap(void *opaque, void *base, size_t len)
{
    ENACore *core = opaque;

    if ((uint8_t *)base >= (uint8_t *)core->sq &&
        (uint8_t *)base < (uint8_t *)(core->sq + ENA_MAX_IO_SQ)) {
        return;
    }
    net_tx_pkt_unmap_frag_pci(core->owner, base, len);
}

void ena_sq_free(ENACore *core, ENAIoSq *sq)
{
    if (sq->valid && sq->llq) {
        core->llq_slots &= ~BIT(sq->llq_slot);
    }
    if (sq->tx_pkt) {
        net_tx_pkt_reset(sq->tx_pkt, ena_tx_unmap, core);
        net_tx_pkt_uninit(sq->tx_pkt);
    }
    memset(sq, 0, sizeof(*sq));
}

void ena_sq_doorbell(ENACore *core, uint32_t idx, uint32_t val)
{
    ENAIoSq *sq = &core->sq[idx];
    uint16_t tail = val;

    if (!sq->valid) {
        ENA_GUEST_ERR(ena_ub_sq_db_invalid, "doorbell 0x%x on SQ %u that "
                      "does not exist", val, idx);
        return;
    }
    if ((uint16_t)(tail - sq->head) >= sq->depth) {
        ENA_GUEST_ERR(ena_ub_sq_db_jump, "SQ %u doorbell %u past the ring "
                      "(head %u depth %u)", idx, tail, sq->head, sq->depth);
        return;
    }
    trace_ena_sq_doorbell(idx, tail);
    sq->tail = tail;
    if (sq->direction == ENA_ADMIN_SQ_DIRECTION_TX) {
        ena_tx_process(core, sq);
    } else {
        /* frames the back end queued while there were no buffers */
        qemu_flush_queued_packets(qemu_get_queue(core->nic));
    }
}

/* ---- IO: completions ------------------------------------------------- */

static bool ena_cq_post(ENACore *core, ENAIoCq *cq, uint8_t *entry,
                        size_t len)
{
    uint64_t addr = cq->ba +
                    (uint64_t)(cq->tail & (cq->depth - 1)) * cq->entry_size;
    uint8_t buf[32] = { 0 };

    memcpy(buf, entry, MIN(len, sizeof(buf)));
    if (ena_write_entry(core, addr, buf, cq->entry_size, 0)) {
        ena_set_fatal(core, "CQ write failed", addr);
        return false;
    }
    cq->tail++;
    return true;
}

/* ---- IO: transmit ---------------------------------------------------- */

static void ena_tx_complete(ENACore *core, ENAIoSq *sq, uint16_t req_id)
{
    ENAIoCq *cq = &core->cq[sq->cq_idx];
    const ENAFaultRule *r = ena_fault_fire(&core->faults, ENA_FAULT_TX,
                                           BIT(ENA_FA_DROP) |
                                           BIT(ENA_FA_BAD_REQ_ID),
                                           ena_sq_idx(core, sq),
                                           ENA_FAULT_ANY);

    if (r) {
        if (r->action == ENA_FA_DROP) {
            return;     /* sent, but the completion is lost */
        }
        req_id = ENA_FAULT_BAD_REQ_ID;
    }

    EnaEthIoTxCdesc cd = {
        .req_id = cpu_to_le16(req_id),
        .flags = ena_phase(cq->tail, cq->depth),
        .sq_head_idx = cpu_to_le16(sq->head),
    };
    trace_ena_tx_complete(ena_sq_idx(core, sq), req_id);
    ena_cq_post(core, cq, (uint8_t *)&cd, sizeof(cd));
}

static bool ena_tx_offloads(ENACore *core, ENAIoSq *sq)
{
    uint32_t mc = sq->pkt_meta_ctrl;
    bool tso = mc & ENA_ETH_IO_TX_DESC_TSO_EN_MASK;
    bool l4 = mc & ENA_ETH_IO_TX_DESC_L4_CSUM_EN_MASK;
    bool partial = mc & ENA_ETH_IO_TX_DESC_L4_CSUM_PARTIAL_MASK;
    uint32_t mss;

    if (tso) {
        if (!sq->meta_valid) {
            ENA_GUEST_ERR(ena_ub_tx_no_meta, "TSO packet on SQ %d with no "
                          "metadata stored", ena_sq_idx(core, sq));
            return false;
        }
        mss = ((sq->meta_len_ctrl & ENA_ETH_IO_TX_META_DESC_MSS_HI_MASK) >>
               ENA_ETH_IO_TX_META_DESC_MSS_HI_SHIFT) << 10;
        mss |= (sq->meta_word2 & ENA_ETH_IO_TX_META_DESC_MSS_LO_MASK) >>
               ENA_ETH_IO_TX_META_DESC_MSS_LO_SHIFT;
        if (!mss) {
            ENA_GUEST_ERR(ena_ub_tx_tso_mss, "TSO packet req_id %u on SQ %d "
                          "with MSS 0", sq->pkt_req_id, ena_sq_idx(core, sq));
            return false;
        }
        if (!net_tx_pkt_build_vheader(sq->tx_pkt, true, true, mss)) {
            return false;
        }
        net_tx_pkt_update_ip_checksums(sq->tx_pkt);
        return true;
    }
    if (l4) {
        if (!net_tx_pkt_build_vheader(sq->tx_pkt, false, true, 0)) {
            return false;
        }
        if (!partial) {
            net_tx_pkt_update_ip_checksums(sq->tx_pkt);
        }
    }
    if (mc & ENA_ETH_IO_TX_DESC_L3_CSUM_EN_MASK) {
        net_tx_pkt_update_ip_hdr_checksum(sq->tx_pkt);
    }
    return true;
}

static void ena_tx_send(ENACore *core, ENAIoSq *sq)
{
    NetClientState *nc = qemu_get_queue(core->nic);
    size_t len;

    if (sq->pkt_bad || !ena_link_up(core) || !net_tx_pkt_parse(sq->tx_pkt) ||
        !ena_tx_offloads(core, sq)) {
        core->stats.tx_drops++;
        trace_ena_tx_drop(ena_sq_idx(core, sq), sq->pkt_req_id);
        return;
    }
    len = net_tx_pkt_get_total_len(sq->tx_pkt);
    trace_ena_tx_packet(ena_sq_idx(core, sq), sq->pkt_req_id, len,
                        sq->pkt_descs);
    net_tx_pkt_send(sq->tx_pkt, nc);
    core->stats.tx_pkts++;
    core->stats.tx_bytes += len;
}

/*
 * One TX descriptor, from the host ring or from an LLQ entry: a meta
 * descriptor updates the cached metadata; data descriptors gather the
 * packet, which is sent and completed at the one marked last.
 */
static void ena_tx_desc(ENACore *core, ENAIoSq *sq, const EnaEthIoTxDesc *d)
{
    uint32_t len_ctrl = le32_to_cpu(d->len_ctrl);
    uint32_t meta_ctrl = le32_to_cpu(d->meta_ctrl);
    uint32_t hi_hdr = le32_to_cpu(d->buff_addr_hi_hdr_sz);
    uint16_t len = len_ctrl & ENA_ETH_IO_TX_DESC_LENGTH_MASK;
    uint64_t buf;

    if (len_ctrl & ENA_ETH_IO_TX_DESC_META_DESC_MASK) {
        if (len_ctrl & ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK) {
            sq->meta_len_ctrl = len_ctrl;
            sq->meta_word2 = le32_to_cpu(d->buff_addr_lo);
            sq->meta_valid = true;
        }
        return;
    }

    if (!sq->pkt_open) {
        sq->pkt_open = true;
        sq->pkt_bad = false;
        sq->pkt_descs = 0;
        sq->pkt_meta_ctrl = meta_ctrl;
        sq->pkt_req_id =
            (((len_ctrl & ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK) >>
              ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) << 10) |
            ((meta_ctrl & ENA_ETH_IO_TX_DESC_REQ_ID_LO_MASK) >>
             ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
        if (sq->llq) {
            /* the packet starts with the bytes pushed into its entry */
            unsigned hlen = (hi_hdr & ENA_ETH_IO_TX_DESC_HEADER_LENGTH_MASK) >>
                            ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT;
            unsigned room = core->llq_entry_size -
                            core->llq_descs_before_hdr *
                            sizeof(EnaEthIoTxDesc);

            if (hlen > room) {
                ENA_GUEST_ERR(ena_ub_tx_llq_header, "TX packet req_id %u on "
                              "SQ %d pushes %u header bytes, the entry holds "
                              "%u", sq->pkt_req_id, ena_sq_idx(core, sq),
                              hlen, room);
                sq->pkt_bad = true;
            } else if (hlen &&
                       !net_tx_pkt_add_raw_fragment(sq->tx_pkt, sq->llq_hdr,
                                                    hlen)) {
                sq->pkt_bad = true;
            }
        }
    }
    buf = le32_to_cpu(d->buff_addr_lo) |
          ((uint64_t)(hi_hdr & ENA_ETH_IO_TX_DESC_ADDR_HI_MASK) << 32);
    if (++sq->pkt_descs > ENA_MAX_PKT_DESCS) {
        if (!sq->pkt_bad) {
            ENA_GUEST_ERR(ena_ub_tx_too_many_descs, "TX packet req_id %u "
                          "on SQ %d has more than %d descriptors",
                          sq->pkt_req_id, ena_sq_idx(core, sq),
                          ENA_MAX_PKT_DESCS);
        }
        sq->pkt_bad = true;
    } else if (len && !sq->pkt_bad) {
        if (!ena_dma_is_ram(core, buf, len) ||
            !net_tx_pkt_add_raw_fragment_pci(sq->tx_pkt, core->owner,
                                             buf, len)) {
            ENA_GUEST_ERR(ena_ub_tx_buf, "TX buffer 0x%" PRIx64 " len %u "
                          "cannot be mapped", buf, len);
            sq->pkt_bad = true;
        }
    }
    if (len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK) {
        ena_tx_send(core, sq);
        net_tx_pkt_reset(sq->tx_pkt, ena_tx_unmap, core);
        sq->pkt_open = false;
        ena_tx_complete(core, sq, sq->pkt_req_id);
    }
}

static bool ena_tx_phase_ok(ENACore *core, ENAIoSq *sq,
                            const EnaEthIoTxDesc *d)
{
    if (!!(le32_to_cpu(d->len_ctrl) & ENA_ETH_IO_TX_DESC_PHASE_MASK) !=
        ena_phase(sq->head, sq->depth)) {
        ENA_GUEST_ERR(ena_ub_tx_phase, "TX SQ %d descriptor %u has a "
                      "stale phase", ena_sq_idx(core, sq), sq->head);
        return false;
    }
    return true;
}

/* Host placement: 16-byte descriptors in a guest ring. */
static void ena_tx_process_host(ENACore *core, ENAIoSq *sq)
{
    EnaEthIoTxDesc d;
    uint64_t addr;

    while (sq->head != sq->tail && !ena_fatal(core)) {
        addr = sq->ba + (uint64_t)(sq->head & (sq->depth - 1)) * sizeof(d);
        if (ena_dma_read(core, addr, &d, sizeof(d))) {
            ena_set_fatal(core, "TX SQ read failed", addr);
            break;
        }
        if (!ena_tx_phase_ok(core, sq, &d)) {
            break;
        }
        sq->head++;
        ena_tx_desc(core, sq, &d);
    }
}

/*
 * Device placement (LLQ, §7.9): the doorbell counts entries in BAR2. A
 * packet's first entry holds llq_descs_before_hdr descriptor slots and
 * then the pushed header; further entries hold descriptors only. The
 * packet ends at its last descriptor; the rest of that entry is padding.
 */
static void ena_tx_process_llq(ENACore *core, ENAIoSq *sq)
{
    const unsigned esz = core->llq_entry_size;
    const unsigned dsz = sizeof(EnaEthIoTxDesc);
    EnaEthIoTxDesc d[ENA_LLQ_MAX_ENTRY_SIZE / sizeof(EnaEthIoTxDesc)];
    const uint8_t *e;
    unsigned slots, n;
    bool first, ends;

    while (sq->head != sq->tail && !ena_fatal(core)) {
        /* the window was sized for this at CREATE_SQ; keep it provable */
        uint64_t off = (uint64_t)sq->llq_slot * ENA_LLQ_SQ_WINDOW +
                       (uint64_t)(sq->head & (sq->depth - 1)) * esz;

        if (off + esz > core->llq_mem_size) {
            ena_set_fatal(core, "LLQ entry outside BAR2", off);
            break;
        }
        e = core->llq_mem + off;
        first = !sq->llq_in_pkt;
        slots = first ? core->llq_descs_before_hdr :
                core->llq_stride == ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY ?
                esz / dsz : 1;
        /* check the entry whole before taking it */
        ends = false;
        for (n = 0; n < slots; n++) {
            memcpy(&d[n], e + n * dsz, dsz);
            if (!ena_tx_phase_ok(core, sq, &d[n])) {
                return;
            }
            if ((le32_to_cpu(d[n].len_ctrl) &
                 (ENA_ETH_IO_TX_DESC_LAST_MASK |
                  ENA_ETH_IO_TX_DESC_META_DESC_MASK)) ==
                ENA_ETH_IO_TX_DESC_LAST_MASK) {
                n++;
                ends = true;
                break;
            }
        }
        trace_ena_tx_llq_entry(ena_sq_idx(core, sq), sq->head, n, first);
        if (first) {
            memcpy(sq->llq_hdr, e + slots * dsz, esz - slots * dsz);
        }
        sq->head++;
        sq->llq_in_pkt = !ends;
        for (unsigned i = 0; i < n; i++) {
            ena_tx_desc(core, sq, &d[i]);
        }
    }
}

void ena_tx_process(ENACore *core, ENAIoSq *sq)
{
    ENAIoCq *cq = &core->cq[sq->cq_idx];
    uint16_t completed = cq->tail;

    if (ena_fault_held(&core->faults, ENA_FAULT_TX, ENA_FA_STALL,
                       ena_sq_idx(core, sq))) {
        return;         /* the queue is stuck until the fault ends */
    }
    if (sq->llq) {
        ena_tx_process_llq(core, sq);
    } else {
        ena_tx_process_host(core, sq);
    }
    if (cq->tail != completed && cq->vector != ENA_CQ_NO_IRQ) {
        ena_io_irq(core, cq->vector, false);
    }
}

/* ---- IO: receive ----------------------------------------------------- */

static ENAIoSq *ena_rx_first_queue(ENACore *core)
{
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        if (core->sq[i].valid &&
            core->sq[i].direction == ENA_ADMIN_SQ_DIRECTION_RX) {
            return &core->sq[i];
        }
    }
    return NULL;
}

bool ena_core_can_receive(ENACore *core)
{
    if (ena_fatal(core) || !(core->owner->config[PCI_COMMAND] &
                             PCI_COMMAND_MASTER)) {
        return false;
    }
    if (ena_fault_held(&core->faults, ENA_FAULT_RX, ENA_FA_STALL,
                       ENA_FAULT_ANY)) {
        return false;
    }
    for (int i = 0; i < ENA_MAX_IO_SQ; i++) {
        ENAIoSq *sq = &core->sq[i];
        if (sq->valid && sq->direction == ENA_ADMIN_SQ_DIRECTION_RX &&
            sq->head != sq->tail) {
            return true;
        }
    }
    return false;
}

void ena_core_start_recv(ENACore *core)
{
    if (ena_core_can_receive(core)) {
        qemu_flush_queued_packets(qemu_get_queue(core->nic));
    }
}

/* Toeplitz hash over the fields the driver selected, and its RSS type. */
static uint32_t ena_rx_hash(ENACore *core, bool v4, bool v6,
                            EthL4HdrProto l4, bool frag)
{
    int proto;
    NetRxPktRssType type;
    uint16_t fields;
    bool ports;

    if (!(core->rss_func & BIT(ENA_ADMIN_RSS_TOEPLITZ)) || (!v4 && !v6)) {
        return 0;
    }
    if (l4 == ETH_L4_HDR_PROTO_TCP && !frag) {
        proto = v4 ? ENA_ADMIN_RSS_TCP4 : ENA_ADMIN_RSS_TCP6;
    } else if (l4 == ETH_L4_HDR_PROTO_UDP && !frag) {
        proto = v4 ? ENA_ADMIN_RSS_UDP4 : ENA_ADMIN_RSS_UDP6;
    } else {
        proto = v4 ? (frag ? ENA_ADMIN_RSS_IP4_FRAG : ENA_ADMIN_RSS_IP4) :
                ENA_ADMIN_RSS_IP6;
    }
    fields = core->rss_fields[proto];
    if (!(fields & (ENA_ADMIN_RSS_L3_DA | ENA_ADMIN_RSS_L3_SA))) {
        return 0;
    }
    ports = fields & (ENA_ADMIN_RSS_L4_DP | ENA_ADMIN_RSS_L4_SP);
    if (ports && l4 == ETH_L4_HDR_PROTO_TCP) {
        type = v4 ? NetPktRssIpV4Tcp : NetPktRssIpV6Tcp;
    } else if (ports && l4 == ETH_L4_HDR_PROTO_UDP) {
        type = v4 ? NetPktRssIpV4Udp : NetPktRssIpV6Udp;
    } else {
        type = v4 ? NetPktRssIpV4 : NetPktRssIpV6;
    }
    return net_rx_pkt_calc_rss_hash(core->rx_pkt, type, core->rss_key);
}

static uint32_t ena_rx_flags(ENACore *core, bool v4, bool v6,
                             EthL4HdrProto l4, bool *frag)
{
    uint32_t st = 0;
    bool valid;

    *frag = v4 && net_rx_pkt_get_ip4_info(core->rx_pkt)->fragment;
    if (v4) {
        st |= ENA_ETH_IO_L3_PROTO_IPV4;
    } else if (v6) {
        st |= ENA_ETH_IO_L3_PROTO_IPV6;
    }
    if (l4 == ETH_L4_HDR_PROTO_TCP) {
        st |= ENA_ETH_IO_L4_PROTO_TCP << ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_SHIFT;
    } else if (l4 == ETH_L4_HDR_PROTO_UDP) {
        st |= ENA_ETH_IO_L4_PROTO_UDP << ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_SHIFT;
    }
    if (*frag) {
        st |= ENA_ETH_IO_RX_CDESC_IPV4_FRAG_MASK;
    }
    if (!core->params.offloads) {
        return st;
    }
    if (v4 && (!net_rx_pkt_validate_l3_csum(core->rx_pkt, &valid) ||
               !valid)) {
        st |= ENA_ETH_IO_RX_CDESC_L3_CSUM_ERR_MASK;
    }
    if ((l4 == ETH_L4_HDR_PROTO_TCP || l4 == ETH_L4_HDR_PROTO_UDP) &&
        !*frag && net_rx_pkt_validate_l4_csum(core->rx_pkt, &valid)) {
        st |= ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK;
        if (!valid) {
            st |= ENA_ETH_IO_RX_CDESC_L4_CSUM_ERR_MASK;
        }
    }
    return st;
}

static ENAIoSq *ena_rx_select(ENACore *core, uint32_t hash)
{
    uint16_t idx;

    if (core->rss_table_set) {
        idx = core->rss_table[hash & (ENA_RSS_IND_TABLE_SIZE - 1)];
        if (idx < ENA_MAX_IO_SQ && core->sq[idx].valid &&
            core->sq[idx].direction == ENA_ADMIN_SQ_DIRECTION_RX) {
            return &core->sq[idx];
        }
    }
    return ena_rx_first_queue(core);
}

ssize_t ena_core_receive_iov(ENACore *core, const struct iovec *iov,
                             int iovcnt)
{
    size_t size = iov_size(iov, iovcnt);
    EnaEthIoRxDesc d[ENA_MAX_PKT_DESCS];
    uint32_t blen[ENA_MAX_PKT_DESCS];
    EnaEthIoRxCdesc cd;
    bool v4, v6, frag, bad_id;
    EthL4HdrProto l4;
    uint32_t hash, flags, cap = 0;
    size_t off = 0;
    ENAIoSq *sq;
    ENAIoCq *cq;
    unsigned n = 0, i;
    uint64_t addr;

    if (!ena_core_can_receive(core)) {
        return 0;
    }
    if (!ena_link_up(core)) {
        return size;
    }
    if (size > core->params.max_mtu + ENA_MAX_L2_OVERHEAD) {
        core->stats.rx_drops++;
        trace_ena_rx_drop(size, "larger than max MTU");
        return size;
    }

    /* headers for the parse, the frame itself for checksum validation */
    net_rx_pkt_set_protocols(core->rx_pkt, iov, iovcnt, 0);
    net_rx_pkt_attach_iovec(core->rx_pkt, iov, iovcnt, 0, false);
    net_rx_pkt_get_protocols(core->rx_pkt, &v4, &v6, &l4);
    flags = ena_rx_flags(core, v4, v6, l4, &frag);
    hash = ena_rx_hash(core, v4, v6, l4, frag);
    sq = ena_rx_select(core, hash);
    if (!sq) {
        return 0;
    }
    if (ena_fault_held(&core->faults, ENA_FAULT_RX, ENA_FA_STALL,
                       ena_sq_idx(core, sq))) {
        return 0;       /* held until the fault ends */
    }
    if (ena_fault_fire(&core->faults, ENA_FAULT_RX, BIT(ENA_FA_DROP),
                       ena_sq_idx(core, sq), ENA_FAULT_ANY)) {
        core->stats.rx_drops++;
        trace_ena_rx_drop(size, "fault");
        return size;
    }
    cq = &core->cq[sq->cq_idx];

    /* gather enough posted buffers for the whole frame */
    while (cap < size) {
        if (n == ENA_MAX_PKT_DESCS) {
            core->stats.rx_drops++;
            trace_ena_rx_drop(size, "needs too many buffers");
            return size;
        }
        if ((uint16_t)(sq->tail - sq->head) <= n) {
            trace_ena_rx_blocked(ena_sq_idx(core, sq), size);
            return 0;
        }
        addr = sq->ba + (uint64_t)((sq->head + n) & (sq->depth - 1)) *
                        sizeof(d[0]);
        if (ena_dma_read(core, addr, &d[n], sizeof(d[n]))) {
            ena_set_fatal(core, "RX SQ read failed", addr);
            return size;
        }
        if (!!(d[n].ctrl & ENA_ETH_IO_RX_DESC_PHASE_MASK) !=
            ena_phase(sq->head + n, sq->depth)) {
            ENA_GUEST_ERR(ena_ub_rx_phase, "RX SQ %d descriptor %u has a "
                          "stale phase", ena_sq_idx(core, sq),
                          (uint16_t)(sq->head + n));
            return 0;
        }
        blen[n] = le16_to_cpu(d[n].length) ?: 65536;
        cap += blen[n];
        n++;
    }
    bad_id = ena_fault_fire(&core->faults, ENA_FAULT_RX,
                            BIT(ENA_FA_BAD_REQ_ID), ena_sq_idx(core, sq),
                            ENA_FAULT_ANY);

    for (i = 0; i < n; i++) {
        uint32_t chunk = MIN(blen[i], size - off);
        uint64_t ba = le32_to_cpu(d[i].buff_addr_lo) |
                      ((uint64_t)le16_to_cpu(d[i].buff_addr_hi) << 32);
        uint32_t st = flags | ENA_ETH_IO_RX_CDESC_BUFFER_MASK;

        if (ena_dma_write_iov(core, ba, iov, iovcnt, off, chunk)) {
            /* as for a ring: the device cannot go on writing blind */
            ENA_GUEST_ERR(ena_ub_rx_buf, "RX buffer 0x%" PRIx64 " len %u "
                          "cannot be written", ba, chunk);
            core->stats.rx_drops++;
            ena_set_fatal(core, "RX buffer write failed", ba);
            return size;
        }
        off += chunk;
        if (i == 0) {
            st |= ENA_ETH_IO_RX_CDESC_FIRST_MASK;
        }
        if (i == n - 1) {
            st |= ENA_ETH_IO_RX_CDESC_LAST_MASK;
        }
        if (ena_phase(cq->tail, cq->depth)) {
            st |= ENA_ETH_IO_RX_CDESC_PHASE_MASK;
        }
        memset(&cd, 0, sizeof(cd));
        cd.status = cpu_to_le32(st);
        cd.length = cpu_to_le16(chunk);
        cd.req_id = i == 0 && bad_id ? cpu_to_le16(ENA_FAULT_BAD_REQ_ID) :
                    d[i].req_id;
        cd.hash = cpu_to_le32(hash);
        if (!ena_cq_post(core, cq, (uint8_t *)&cd, sizeof(cd))) {
            return size;
        }
    }
    sq->head += n;
    core->stats.rx_pkts++;
    core->stats.rx_bytes += size;
    trace_ena_rx_packet(ena_sq_idx(core, sq), size, n, hash);
    if (cq->vector != ENA_CQ_NO_IRQ) {
        ena_io_irq(core, cq->vector, true);
    }
    return size;
}

