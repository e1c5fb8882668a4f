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
#include "net/checksum.h"
#include "standard-headers/linux/virtio_net.h"
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

/*
 * The TCP/UDP checksums of TX segmentation and RX validation, eight bytes
 * at a step: QEMU's byte-wise net_checksum_add_cont() took a quarter of
 * a jumbo receiver's main loop, with the BQL held.
 *
 * The one's complement sum of @len bytes as big-endian 16-bit words,
 * folded to 16 bits. Summing host-endian words gives the same sum byte-
 * swapped (RFC 1071, 2(B)); a short tail is padded with zeroes.
 */
static uint32_t ena_csum_bytes(const uint8_t *p, size_t len)
{
    uint64_t sum = 0, w;
    uint8_t tail[8] = { 0 };

    for (; len >= 8; p += 8, len -= 8) {
        w = ldq_he_p(p);
        sum += (uint32_t)w;
        sum += w >> 32;
    }
    if (len) {
        memcpy(tail, p, len);
        w = ldq_he_p(tail);
        sum += (uint32_t)w;
        sum += w >> 32;
    }
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return be16_to_cpu((uint16_t)sum);
}

/* ---- timing: the TX pipeline --------------------------------------- */

static void ena_tx_frame_free(ENACore *core, ENATxFrame *f)
{
    QTAILQ_REMOVE(&core->tx_frames, f, next);
    core->tx_frames_n--;
    if (f->data) {
        core->tx_fifo_used -= f->len;
        g_free(f->data);
    }
    g_free(f);
}

/* What a destroyed SQ had in flight goes nowhere and completes nothing. */
static void ena_tx_purge(ENACore *core, int idx)
{
    ENATxFrame *f, *nf;

    QTAILQ_FOREACH_SAFE(f, &core->tx_frames, next, nf) {
        if (f->sq == idx) {
            ena_tx_frame_free(core, f);
        }
    }
}

static int64_t ena_pcie_ns(ENACore *core)
{
    return core->params.pcie_latency_ns;
}

/* The wire's rate: the link speed the driver is told, unless set apart */
static uint64_t ena_wire_kbps(ENACore *core)
{
    return core->params.wire_kbps ?:
           (uint64_t)core->params.link_speed * 1000;
}

static void ena_tx_timer_arm(ENACore *core)
{
    ENATxFrame *f, *head = QTAILQ_FIRST(&core->tx_frames);
    int64_t next;

    if (!head) {
        timer_del(core->tx_timer);
        return;
    }
    next = head->done_at;
    QTAILQ_FOREACH(f, &core->tx_frames, next) {
        if (f->data) {
            next = MIN(next, f->wire_at);
            break;
        }
    }
    timer_mod(core->tx_timer, next);
}

/*
 * Queue a frame behind the others on the wire: it leaves once its bytes
 * have been read (@ready) and the frames before it are out.
 */
static ENATxFrame *ena_tx_frame_add(ENACore *core, ENAIoSq *sq,
                                    int64_t ready, uint8_t *data,
                                    uint32_t len)
{
    ENATxFrame *f = g_new0(ENATxFrame, 1);

    f->sq = ena_sq_idx(core, sq);
    f->data = data;
    f->len = len;
    if (data) {
        f->wire_at = ena_pace_take(&core->tx_wire, ready, ena_wire_bits(len),
                                   ena_wire_kbps(core));
        f->done_at = core->tx_wire.free_at + ena_pcie_ns(core);
        core->tx_fifo_used += len;
    } else {
        f->wire_at = ready;
        f->done_at = ready + ena_pcie_ns(core);
    }
    /* completions are written in the order the packets were taken */
    f->done_at = MAX(f->done_at, core->tx_done_last);
    core->tx_done_last = f->done_at;
    QTAILQ_INSERT_TAIL(&core->tx_frames, f, next);
    core->tx_frames_n++;
    trace_ena_tx_frame(f->sq, len, f->wire_at, f->done_at);
    return f;
}

typedef struct ENATxCapture {
    ENACore *core;
    ENAIoSq *sq;
    int64_t ready;
    bool failed;                /* the packet could not be segmented */
} ENATxCapture;

/* A frame for the wire queue, which takes @data (g_malloc'ed) over. */
static void ena_tx_wire_frame(ENATxCapture *c, uint8_t *data, size_t len)
{
    int64_t at = c->ready;

    if (len > c->core->params.max_mtu + ENA_MAX_L2_OVERHEAD) {
        /* the wire takes no frame over the MTU */
        ENA_GUEST_ERR(ena_ub_tx_frame_len, "TX frame of %zu bytes on SQ %d "
                      "is over the largest MTU", len,
                      ena_sq_idx(c->core, c->sq));
        c->core->stats.tx_drops++;
        g_free(data);
        return;
    }
    /* EC2's shaping holds the frame back, or drops it, before the wire */
    if (!ena_allow_pass(c->core, true, data, len, &at, true)) {
        g_free(data);
        return;
    }
    ena_tx_frame_add(c->core, c->sq, at, data, len);
}

/* net_tx_pkt hands over each frame on the wire */
static void ena_tx_capture(void *opaque, const struct iovec *iov, int iovcnt,
                           const struct iovec *virt_iov, int virt_iovcnt)
{
    size_t len = iov_size(iov, iovcnt);
    uint8_t *data = g_malloc(len);

    iov_to_buf(iov, iovcnt, 0, data, len);
    ena_tx_wire_frame(opaque, data, len);
}

/*
 * TCP segmentation for the timed path. net_tx_pkt would segment into
 * fragments, sum each segment byte by byte (a twentieth of a jumbo
 * sender's CPU, much of it with the BQL held) and hand the pieces to
 * ena_tx_capture() to be copied. Here net_tx_pkt only parses and hands
 * over the whole packet with its virtio-net header (offload); each
 * segment is built straight into the buffer the wire queue keeps and
 * summed eight bytes at a step. The frames are byte for byte those of
 * net_tx_pkt_do_sw_fragmentation(), whose clearing of FIN and PSH on
 * every segment included.
 */
static void ena_tx_tso_capture(void *opaque, const struct iovec *iov,
                               int iovcnt, const struct iovec *virt_iov,
                               int virt_iovcnt)
{
    ENATxCapture *c = opaque;
    const struct virtio_net_hdr *vh = virt_iov[0].iov_base;
    bool v4 = (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
              VIRTIO_NET_HDR_GSO_TCPV4;
    size_t total = iov_size(iov, iovcnt);
    size_t l2 = eth_get_l2_hdr_length_iov(iov, iovcnt, 0);
    size_t l4 = vh->csum_start, hdr = vh->hdr_len, mss = vh->gso_size;
    g_autofree uint8_t *tmpl = NULL;
    uint32_t seq;
    uint16_t id;

    /*
     * As net_tx_pkt_tcp_fragment_init(): the whole TCP header or nothing.
     * Its parse guarantees the IP header; this code must not rely on it.
     */
    if (l4 < l2 + (v4 ? sizeof(struct ip_header) : sizeof(struct ip6_header))
        || hdr < l4 + sizeof(struct tcp_hdr) || hdr > total || !mss) {
        c->failed = true;
        return;
    }
    tmpl = g_malloc(hdr);
    iov_to_buf(iov, iovcnt, 0, tmpl, hdr);
    tmpl[l4 + 13] &= ~(TH_FIN | TH_PUSH);
    seq = ldl_be_p(tmpl + l4 + 4);
    id = lduw_be_p(tmpl + l2 + 4);
    for (size_t off = hdr; off < total; off += mss) {
        size_t n = MIN(mss, total - off);
        uint8_t *f = g_malloc(hdr + n);
        uint8_t *ip = f + l2, *tcp = f + l4;
        uint16_t csl = hdr - l4 + n, c16;
        uint32_t sum, cso;

        memcpy(f, tmpl, hdr);
        iov_to_buf(iov, iovcnt, off, f + hdr, n);
        /* the headers sit at odd offsets: QEMU's helpers get copies */
        if (v4) {
            struct ip_header h4;

            stw_be_p(ip + 2, l4 - l2 + csl);
            stw_be_p(ip + 4, id++);
            stw_he_p(ip + 10, 0);
            stw_be_p(ip + 10, net_raw_checksum(ip, l4 - l2));
            memcpy(&h4, ip, sizeof(h4));
            sum = eth_calc_ip4_pseudo_hdr_csum(&h4, csl, &cso);
        } else {
            struct ip6_header h6;

            stw_be_p(ip + 4, l4 - l2 + csl - sizeof(struct ip6_header));
            memcpy(&h6, ip, sizeof(h6));
            sum = eth_calc_ip6_pseudo_hdr_csum(&h6, csl, IP_PROTO_TCP, &cso);
        }
        stl_be_p(tcp + 4, seq + (off - hdr));
        if (off > hdr) {
            tcp[13] &= ~TH_CWR;
        }
        stw_he_p(tcp + vh->csum_offset, 0);
        sum += ena_csum_bytes(tcp, csl);
        c16 = net_checksum_finish_nozero(sum);
        stw_be_p(tcp + vh->csum_offset, c16);
        ena_tx_wire_frame(c, f, hdr + n);
    }
}

/* Without timing, the allowances cannot queue: a frame passes or drops. */
static void ena_tx_send_allowed(void *opaque, const struct iovec *iov,
                                int iovcnt, const struct iovec *virt_iov,
                                int virt_iovcnt)
{
    ENACore *core = opaque;
    size_t len = iov_size(iov, iovcnt);
    g_autofree uint8_t *data = g_malloc(len);
    int64_t at = ena_now();

    iov_to_buf(iov, iovcnt, 0, data, len);
    if (ena_allow_pass(core, true, data, len, &at, false)) {
        qemu_send_packet(qemu_get_queue(core->nic), data, len);
    }
}

static bool ena_tx_send_now(ENACore *core, ENAIoSq *sq)
{
    if (ena_allow_active(core)) {
        return net_tx_pkt_send_custom(sq->tx_pkt, false, ena_tx_send_allowed,
                                      core);
    }
    return net_tx_pkt_send(sq->tx_pkt, qemu_get_queue(core->nic));
}

/*
 * A packet gathered at the current time, in modelled time: its descriptors
 * (host placement; LLQ pushed them) and its buffers are read at one PCIe
 * round trip each, its bytes at the DMA rate behind earlier reads; then
 * each of its frames takes the wire in turn.
 */
static bool ena_tx_send_timed(ENACore *core, ENAIoSq *sq)
{
    int64_t ready = ena_now();
    ENATxCapture c = { core, sq };
    uint8_t gso;

    if (sq->pkt_dma_bytes) {
        ena_pace_take(&core->dma_rd, ready, (uint64_t)sq->pkt_dma_bytes * 8,
                      (uint64_t)core->params.dma_mbps * 1000);
        ready = core->dma_rd.free_at + 2 * ena_pcie_ns(core);
    }
    if (!sq->llq) {
        ready += 2 * ena_pcie_ns(core);
    }
    c.ready = ready;
    gso = net_tx_pkt_get_vhdr(sq->tx_pkt)->gso_type &
          ~VIRTIO_NET_HDR_GSO_ECN;
    if (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6) {
        return net_tx_pkt_send_custom(sq->tx_pkt, true, ena_tx_tso_capture,
                                      &c) && !c.failed;
    }
    return net_tx_pkt_send_custom(sq->tx_pkt, false, ena_tx_capture, &c);
}

/* A packet that sends nothing still completes, after its reads. */
static void ena_tx_complete_timed(ENACore *core, ENAIoSq *sq, uint16_t req_id)
{
    ENATxFrame *last = QTAILQ_LAST(&core->tx_frames);

    if (!last || last->sq != ena_sq_idx(core, sq) || last->cmpl) {
        int64_t ready = ena_now() + (sq->llq ? 0 : 2 * ena_pcie_ns(core));

        last = ena_tx_frame_add(core, sq, ready, NULL, 0);
    }
    last->cmpl = true;
    last->req_id = req_id;
}

void ena_sq_free(ENACore *core, ENAIoSq *sq)
{
    ena_tx_purge(core, ena_sq_idx(core, sq));
    if (sq->valid && sq->llq) {
        core->llq_slots &= ~BIT(sq->llq_slot);
    }
    if (sq->tx_pkt) {
        net_tx_pkt_reset(sq->tx_pkt, ena_tx_unmap, core);
        net_tx_pkt_uninit(sq->tx_pkt);
    }
    memset(sq, 0, sizeof(*sq));
}

/*
 * LIMIT_TX_BURST: the driver rings after at most max_tx_burst_size bytes
 * of entries. The limit stands for the device's buffer of pushed entries,
 * so a longer burst has overrun it: the packets that start in that burst
 * are dropped (and completed, so the ring stays in step) rather than sent
 * from entries the device could not have kept.
 */
static void ena_llq_burst_check(ENACore *core, ENAIoSq *sq, uint16_t tail)
{
    uint16_t n = tail - sq->tail;
    uint32_t bytes = (uint32_t)n * core->llq_entry_size;

    /* a doorbell behind the last one is no burst (nor a valid doorbell) */
    if (n >= sq->depth || bytes <= core->params.llq_max_tx_burst) {
        return;
    }
    core->llq_burst_violations++;
    ENA_GUEST_ERR(ena_ub_llq_burst, "SQ %d doorbell %u after %u bytes of "
                  "LLQ entries, the burst limit is %u; its packets are "
                  "dropped", ena_sq_idx(core, sq), tail, bytes,
                  core->params.llq_max_tx_burst);
    sq->llq_dropping = true;
    sq->llq_drop_until = tail;
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
        ena_strict(core, ENA_STRICT_DOORBELL, "SQ %u doorbell %u past the "
                   "ring (head %u depth %u)", idx, tail, sq->head, sq->depth);
        ENA_GUEST_ERR(ena_ub_sq_db_jump, "SQ %u doorbell %u past the ring "
                      "(head %u depth %u)", idx, tail, sq->head, sq->depth);
        return;
    }
    /* entries once rung in are the device's: a tail never moves back */
    if ((uint16_t)(tail - sq->head) < (uint16_t)(sq->tail - sq->head)) {
        ena_strict(core, ENA_STRICT_DOORBELL, "SQ %u doorbell %u behind the "
                   "last one, %u", idx, tail, sq->tail);
    }
    trace_ena_sq_doorbell(idx, tail);
    if (sq->llq &&
        (core->llq_accel & BIT(ENA_ADMIN_LLQ_ACCEL_LIMIT_TX_BURST))) {
        ena_llq_burst_check(core, sq, tail);
    }
    sq->tail = tail;
    if (sq->direction == ENA_ADMIN_SQ_DIRECTION_TX) {
        ena_tx_process(core, sq);
    } else {
        /* frames that waited for buffers, in the device or the back end */
        ena_core_start_recv(core);
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
                                           BIT(ENA_FA_BAD_REQ_ID) |
                                           BIT(ENA_FA_MBZ),
                                           ena_sq_idx(core, sq),
                                           ENA_FAULT_ANY);

    if (r) {
        if (r->action == ENA_FA_DROP) {
            return;     /* sent, but the completion is lost */
        }
        if (r->action == ENA_FA_BAD_REQ_ID) {
            req_id = ENA_FAULT_BAD_REQ_ID;
        }
    }

    EnaEthIoTxCdesc cd = {
        .req_id = cpu_to_le16(req_id),
        .flags = ena_phase(cq->tail, cq->depth) |
                 (r && r->action == ENA_FA_MBZ ? ENA_ETH_IO_TX_CDESC_MBZ_MASK :
                  0),
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
    if (!(core->params.timing ? ena_tx_send_timed(core, sq) :
          ena_tx_send_now(core, sq))) {
        /* net_tx_pkt: an IP datagram TSO would make over 64 KiB */
        core->stats.tx_drops++;
        trace_ena_tx_drop(ena_sq_idx(core, sq), sq->pkt_req_id);
        return;
    }
    core->stats.tx_pkts++;
    core->stats.tx_bytes += len;
}

/* DISABLE_META_CACHING in force: every LLQ packet brings its metadata */
static bool ena_llq_no_meta_cache(ENACore *core, ENAIoSq *sq)
{
    return sq->llq &&
           (core->llq_accel & BIT(ENA_ADMIN_LLQ_ACCEL_DISABLE_META_CACHING));
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
            sq->pkt_has_meta = true;
        }
        return;
    }

    if (!sq->pkt_open) {
        sq->pkt_open = true;
        sq->pkt_bad = sq->llq && sq->llq_pkt_drop;
        if (ena_llq_no_meta_cache(core, sq) && !sq->pkt_has_meta) {
            /* the device kept no metadata: this packet has none at all */
            core->llq_meta_missing++;
            ENA_GUEST_ERR(ena_ub_llq_no_meta, "TX packet on SQ %d without "
                          "a meta descriptor, meta caching is off",
                          ena_sq_idx(core, sq));
            sq->pkt_bad = true;
        }
        sq->pkt_descs = 0;
        sq->pkt_dma_bytes = 0;
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
        sq->pkt_dma_bytes += len;
    }
    if (len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK) {
        ena_tx_send(core, sq);
        net_tx_pkt_reset(sq->tx_pkt, ena_tx_unmap, core);
        sq->pkt_open = false;
        sq->pkt_has_meta = false;
        sq->llq_pkt_drop = false;
        if (ena_llq_no_meta_cache(core, sq)) {
            sq->meta_valid = false;
        }
        if (core->params.timing) {
            ena_tx_complete_timed(core, sq, sq->pkt_req_id);
        } else {
            ena_tx_complete(core, sq, sq->pkt_req_id);
        }
    }
}

/* Timing: gather while the TX FIFO has room; the wire drains it. */
static bool ena_tx_room(ENACore *core)
{
    return !core->params.timing ||
           (core->tx_fifo_used < core->params.tx_fifo_kb * KiB &&
            core->tx_frames_n < ENA_TX_MAX_FRAMES);
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

    while (sq->head != sq->tail && !ena_fatal(core) && ena_tx_room(core)) {
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

    while (sq->head != sq->tail && !ena_fatal(core) && ena_tx_room(core)) {
        /* the window was sized for this at CREATE_SQ; keep it provable */
        uint64_t off = (uint64_t)sq->llq_slot * ENA_LLQ_SQ_WINDOW +
                       (uint64_t)(sq->head & (sq->depth - 1)) * esz;

        if (off + esz > core->llq_mem_size) {
            ena_set_fatal(core, "LLQ entry outside BAR2", off);
            break;
        }
        e = core->llq_mem + off;
        first = !sq->llq_in_pkt;
        if (sq->llq_dropping && sq->head == sq->llq_drop_until) {
            sq->llq_dropping = false;       /* past the overrun burst */
        }
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
            sq->llq_pkt_drop = sq->llq_dropping;
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
    if (core->params.timing) {
        ena_tx_timer_arm(core);
    } else if (cq->tail != completed && cq->vector != ENA_CQ_NO_IRQ) {
        ena_io_irq(core, cq->vector, false);
    }
}

/*
 * Timing: frames whose time has come go out, packets whose time has come
 * complete (then their CQs interrupt), and the FIFO room this makes is
 * refilled from the SQs, taken in turn from where the last pass stopped.
 */
static void ena_tx_timer_run(void *opaque)
{
    ENACore *core = opaque;
    NetClientState *nc = qemu_get_queue(core->nic);
    int64_t now = ena_now();
    uint64_t irq_cqs = 0;
    ENATxFrame *f, *nf;
    bool sent = false;

    if (ena_fatal(core)) {
        return;         /* the device has stopped; a reset clears all */
    }
    QTAILQ_FOREACH(f, &core->tx_frames, next) {
        if (!f->data) {
            continue;
        }
        if (f->wire_at > now) {
            break;
        }
        qemu_send_packet(nc, f->data, f->len);
        core->tx_fifo_used -= f->len;
        g_free(f->data);
        f->data = NULL;
        f->len = 0;
        sent = true;
    }
    QTAILQ_FOREACH_SAFE(f, &core->tx_frames, next, nf) {
        if (f->data || f->done_at > now) {
            break;
        }
        if (f->cmpl) {
            ENAIoSq *sq = &core->sq[f->sq];
            ENAIoCq *cq = &core->cq[sq->cq_idx];
            uint16_t tail = cq->tail;

            ena_tx_complete(core, sq, f->req_id);
            if (cq->tail != tail && cq->vector != ENA_CQ_NO_IRQ) {
                irq_cqs |= BIT_ULL(sq->cq_idx);
            }
        }
        ena_tx_frame_free(core, f);
    }
    for (int i = 0; irq_cqs && i < ENA_MAX_IO_CQ; i++) {
        if (irq_cqs & BIT_ULL(i)) {
            ena_io_irq(core, core->cq[i].vector, false);
        }
    }
    for (int n = 0; sent && n < ENA_MAX_IO_SQ && ena_tx_room(core); n++) {
        ENAIoSq *sq = &core->sq[(core->tx_rr + n) % ENA_MAX_IO_SQ];

        if (!sq->valid || sq->direction != ENA_ADMIN_SQ_DIRECTION_TX ||
            sq->head == sq->tail ||
            ena_fault_held(&core->faults, ENA_FAULT_TX, ENA_FA_STALL,
                           ena_sq_idx(core, sq))) {
            continue;
        }
        if (sq->llq) {
            ena_tx_process_llq(core, sq);
        } else {
            ena_tx_process_host(core, sq);
        }
        core->tx_rr = (ena_sq_idx(core, sq) + 1) % ENA_MAX_IO_SQ;
    }
    ena_tx_timer_arm(core);
}

void ena_tx_timer_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_tx_timer_run, opaque);
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

/* Can a frame be written to the host now? */
static bool ena_rx_ready(ENACore *core)
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
            (sq->head != sq->tail || core->params.rx_drop_when_empty)) {
            return true;
        }
    }
    return false;
}

/*
 * The RX FIFO room a frame takes: a tiny frame counts as a minimum one,
 * so that the number of frames held stays bounded too.
 */
static uint32_t ena_rx_room_of(uint32_t len)
{
    return MAX(len, ENA_MIN_FRAME);
}

/* The largest frame the device accepts from the wire */
static uint32_t ena_rx_max_frame(ENACore *core)
{
    return core->params.max_mtu + ENA_MAX_L2_OVERHEAD;
}

/*
 * A frame the device takes and throws away: any while the link is down,
 * one over the largest MTU (counted).
 */
static bool ena_rx_refused(ENACore *core, size_t size)
{
    if (!ena_link_up(core)) {
        return true;
    }
    if (size > ena_rx_max_frame(core)) {
        core->stats.rx_drops++;
        trace_ena_rx_drop(size, "larger than max MTU");
        return true;
    }
    return false;
}

/*
 * Can the device take a frame from the netdev? With timing, a frame goes
 * into the RX FIFO first, while it has room for the largest frame.
 */
bool ena_core_can_receive(ENACore *core)
{
    bool ok;

    if (!core->params.timing) {
        ok = ena_rx_ready(core);
    } else {
        ok = !ena_fatal(core) &&
             (core->owner->config[PCI_COMMAND] & PCI_COMMAND_MASTER) &&
             core->rx_fifo_used + ena_rx_max_frame(core) <=
             core->params.rx_fifo_kb * KiB;
    }
    /* the net layer now queues what it has for us */
    core->rx_refused |= !ok;
    return ok;
}

/*
 * Timing: the first frame of the RX FIFO waited for buffers (or for a
 * stall to end) and now may have them: the device reads the new
 * descriptor and writes the frame, a round trip and a posted write.
 */
static void ena_rx_kick(ENACore *core)
{
    ENARxFrame *f = QTAILQ_FIRST(&core->rx_frames);

    if (f && core->rx_waiting) {
        core->rx_waiting = false;
        f->due = MAX(f->due, ena_now() + 3 * ena_pcie_ns(core));
        timer_mod(core->rx_timer, f->due);
    }
}

/*
 * Take what the netdev queued while we refused it. Only then: a flush
 * also wakes QEMU's main loop (qemu_notify_event()), which for every RX
 * doorbell of a guest would be a hand-over from its vCPU thread.
 */
static void ena_rx_resume(ENACore *core)
{
    if (core->rx_refused && ena_core_can_receive(core)) {
        /* a frame refused again during the flush sets it again */
        core->rx_refused = false;
        qemu_flush_queued_packets(qemu_get_queue(core->nic));
    }
}

void ena_core_start_recv(ENACore *core)
{
    if (core->params.timing) {
        ena_rx_kick(core);
    }
    ena_rx_resume(core);
}

/*
 * The CRC32 RSS hash (docs/features.md): the reflected CRC-32 of IEEE
 * 802.3 (polynomial 0xEDB88320), its register seeded with the driver's
 * init_val and complemented at the end, over the tuple Toeplitz hashes:
 * source and destination address, then source and destination port, in
 * network order. With init_val 0xffffffff it is zlib's crc32().
 */
static uint32_t ena_rx_crc32(ENACore *core, const struct iovec *iov,
                             int iovcnt, bool v4, bool ports)
{
    uint8_t in[36];
    size_t n = 0;
    uint32_t crc = core->rss_init_val;

    if (v4) {
        const struct ip_header *ip =
            &net_rx_pkt_get_ip4_info(core->rx_pkt)->ip4_hdr;

        memcpy(in, &ip->ip_src, 4);
        memcpy(in + 4, &ip->ip_dst, 4);
        n = 8;
    } else {
        const struct ip6_header *ip6 =
            &net_rx_pkt_get_ip6_info(core->rx_pkt)->ip6_hdr;

        memcpy(in, &ip6->ip6_src, 16);
        memcpy(in + 16, &ip6->ip6_dst, 16);
        n = 32;
    }
    if (ports) {
        size_t off = net_rx_pkt_get_l4_hdr_offset(core->rx_pkt);

        /* the ports lead TCP and UDP headers alike */
        if (iov_to_buf(iov, iovcnt, off, in + n, 4) == 4) {
            n += 4;
        }
    }
    for (size_t i = 0; i < n; i++) {
        crc ^= in[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
        }
    }
    return ~crc;
}

/* The selected hash over the fields the driver selected, by RSS type. */
static uint32_t ena_rx_hash(ENACore *core, const struct iovec *iov,
                            int iovcnt, bool v4, bool v6, EthL4HdrProto l4,
                            bool frag)
{
    int proto;
    NetRxPktRssType type;
    uint16_t fields;
    bool ports;

    if (!(core->rss_func & ENA_RSS_SUPPORTED_FUNCS) || (!v4 && !v6)) {
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
    if (core->rss_func & BIT(ENA_ADMIN_RSS_CRC32)) {
        return ena_rx_crc32(core, iov, iovcnt, v4,
                            type != NetPktRssIpV4 && type != NetPktRssIpV6);
    }
    return net_rx_pkt_calc_rss_hash(core->rx_pkt, type, core->rss_key);
}

/*
 * Like net_rx_pkt_validate_l4_csum() for TCP and UDP (the same pseudo-
 * header, the same length from the IP or UDP header, no more than the
 * frame holds): false if unchecked. A frame in one piece (every back
 * end and the RX FIFO deliver them so) takes the fast sum; anything
 * else QEMU's.
 */
static bool ena_rx_l4_csum(ENACore *core, const struct iovec *iov,
                           int iovcnt, bool v4, EthL4HdrProto l4,
                           bool *valid)
{
    size_t off = net_rx_pkt_get_l4_hdr_offset(core->rx_pkt);
    const uint8_t *frame = iov[0].iov_base;
    size_t len = iov[0].iov_len;
    struct udp_hdr udp;
    uint32_t sum, cso;
    uint16_t csl, c;

    if (iovcnt != 1) {
        return net_rx_pkt_validate_l4_csum(core->rx_pkt, valid);
    }
    if (l4 == ETH_L4_HDR_PROTO_UDP) {
        if (off > len || len - off < sizeof(udp)) {
            return false;
        }
        memcpy(&udp, frame + off, sizeof(udp));
        if (!udp.uh_sum) {
            return false;       /* UDP without a checksum */
        }
    }
    if (v4) {
        eth_ip4_hdr_info *ip4 = net_rx_pkt_get_ip4_info(core->rx_pkt);

        csl = l4 == ETH_L4_HDR_PROTO_UDP ? be16_to_cpu(udp.uh_ulen) :
              be16_to_cpu(ip4->ip4_hdr.ip_len) - IP_HDR_GET_LEN(&ip4->ip4_hdr);
        sum = eth_calc_ip4_pseudo_hdr_csum(&ip4->ip4_hdr, csl, &cso);
    } else {
        eth_ip6_hdr_info *ip6 = net_rx_pkt_get_ip6_info(core->rx_pkt);

        csl = l4 == ETH_L4_HDR_PROTO_UDP ? be16_to_cpu(udp.uh_ulen) :
              be16_to_cpu(ip6->ip6_hdr.ip6_ctlun.ip6_un1.ip6_un1_plen) -
              (ip6->full_hdr_len - sizeof(struct ip6_header));
        sum = eth_calc_ip6_pseudo_hdr_csum(&ip6->ip6_hdr, csl, ip6->l4proto,
                                           &cso);
    }
    /* no further than the frame goes, as QEMU's sum */
    if (off < len) {
        sum += ena_csum_bytes(frame + off, MIN(csl, len - off));
    }
    c = net_checksum_finish(sum);
    *valid = c == 0 || c == 0xffff;
    return true;
}

static uint32_t ena_rx_flags(ENACore *core, const struct iovec *iov,
                             int iovcnt, bool v4, bool v6, EthL4HdrProto l4,
                             bool *frag)
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
        !*frag && ena_rx_l4_csum(core, iov, iovcnt, v4, l4, &valid)) {
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

/*
 * rx-drop-when-empty: a frame that finds its ring without (enough)
 * buffers is dropped as on EC2, and counted both as a drop (the
 * keep-alive's rx_drops) and as an overrun (rx_overruns).
 */
static ssize_t ena_rx_overrun(ENACore *core, ENAIoSq *sq, size_t size)
{
    core->stats.rx_drops++;
    core->stats.rx_overruns++;
    trace_ena_rx_overrun(ena_sq_idx(core, sq), size);
    return size;
}

/*
 * The fewest buffers a frame is spread over: one, unless a fault rule
 * about to fire on this queue wants a stray FIRST bit (two completions)
 * or more completions than the driver may take (one over the limit).
 */
static unsigned ena_rx_min_bufs(ENACore *core, ENAIoSq *sq)
{
    switch (ena_fault_peek(&core->faults, ENA_FAULT_RX,
                           BIT(ENA_FA_STRAY_FIRST) |
                           BIT(ENA_FA_TOO_MANY_DESCS),
                           ena_sq_idx(core, sq))) {
    case ENA_FA_STRAY_FIRST:
        return 2;
    case ENA_FA_TOO_MANY_DESCS:
        return ENA_MAX_PKT_DESCS + 1;
    default:
        return 1;
    }
}

/*
 * rx-offset: where in its first buffer a frame starts, if the driver
 * said in its host info that it reads rx_cdesc.offset.
 */
static uint8_t ena_rx_offset(ENACore *core)
{
    return core->host_info.driver_features &
           ENA_ADMIN_HOST_INFO_RX_OFFSET_MASK ? core->params.rx_offset : 0;
}

static ssize_t ena_rx_deliver(ENACore *core, const struct iovec *iov,
                              int iovcnt)
{
    size_t size = iov_size(iov, iovcnt);
    /* one over the limit, for the too-many-descs fault */
    EnaEthIoRxDesc d[ENA_MAX_PKT_DESCS + 1];
    uint32_t blen[ENA_MAX_PKT_DESCS + 1];
    EnaEthIoRxCdesc cd;
    const ENAFaultRule *r;
    unsigned nmin, nmax;
    bool v4, v6, frag;
    EthL4HdrProto l4;
    uint32_t hash, flags, cap = 0;
    uint8_t pofs = ena_rx_offset(core);
    size_t off = 0;
    ENAIoSq *sq;
    ENAIoCq *cq;
    unsigned n = 0, i;
    uint64_t addr;

    if (!ena_rx_ready(core)) {
        return 0;
    }
    if (ena_rx_refused(core, size)) {
        return size;
    }

    /* headers for the parse, the frame itself for checksum validation */
    net_rx_pkt_set_protocols(core->rx_pkt, iov, iovcnt, 0);
    net_rx_pkt_attach_iovec(core->rx_pkt, iov, iovcnt, 0, false);
    net_rx_pkt_get_protocols(core->rx_pkt, &v4, &v6, &l4);
    flags = ena_rx_flags(core, iov, iovcnt, v4, v6, l4, &frag);
    hash = ena_rx_hash(core, iov, iovcnt, v4, v6, l4, frag);
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
    nmin = MIN(ena_rx_min_bufs(core, sq), size);
    nmax = MAX(nmin, ENA_MAX_PKT_DESCS);

    /* gather enough posted buffers for the whole frame */
    while (cap < size) {
        if (n == nmax) {
            core->stats.rx_drops++;
            trace_ena_rx_drop(size, "needs too many buffers");
            return size;
        }
        if ((uint16_t)(sq->tail - sq->head) <= n) {
            if (core->params.rx_drop_when_empty) {
                return ena_rx_overrun(core, sq, size);
            }
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
        if (n == 0) {
            /* a first buffer with no room past the offset gets none */
            pofs = blen[0] > pofs ? pofs : 0;
            blen[0] -= pofs;
        }
        if (n < nmin) {
            /* spread evenly: leave each later buffer its share */
            blen[n] = MIN(blen[n], MAX((size - cap) / (nmin - n), 1));
        }
        cap += blen[n];
        n++;
    }
    if (!core->params.timing && ena_allow_active(core)) {
        /* the frame has its buffers: now the allowances may drop it */
        g_autofree uint8_t *data = g_malloc(size);
        int64_t at = ena_now();

        iov_to_buf(iov, iovcnt, 0, data, size);
        if (!ena_allow_pass(core, false, data, size, &at, false)) {
            return size;
        }
    }
    r = ena_fault_fire(&core->faults, ENA_FAULT_RX,
                       BIT(ENA_FA_BAD_REQ_ID) | BIT(ENA_FA_MBZ) |
                       BIT(ENA_FA_STRAY_FIRST) | BIT(ENA_FA_TOO_MANY_DESCS),
                       ena_sq_idx(core, sq), ENA_FAULT_ANY);

    for (i = 0; i < n; i++) {
        uint32_t chunk = MIN(blen[i], size - off);
        uint64_t ba = le32_to_cpu(d[i].buff_addr_lo) |
                      ((uint64_t)le16_to_cpu(d[i].buff_addr_hi) << 32);
        uint32_t st = flags | ENA_ETH_IO_RX_CDESC_BUFFER_MASK;

        if (i == 0) {
            ba += pofs;
        }
        if (ena_dma_write_iov(core, ba, iov, iovcnt, off, chunk)) {
            /* as for a ring: the device cannot go on writing blind */
            ENA_GUEST_ERR(ena_ub_rx_buf, "RX buffer 0x%" PRIx64 " len %u "
                          "cannot be written", ba, chunk);
            core->stats.rx_drops++;
            ena_set_fatal(core, "RX buffer write failed", ba);
            return size;
        }
        off += chunk;
        if (i == 0 || (r && r->action == ENA_FA_STRAY_FIRST)) {
            st |= ENA_ETH_IO_RX_CDESC_FIRST_MASK;
        }
        if (i == 0 && r && r->action == ENA_FA_MBZ) {
            st |= ENA_ETH_IO_RX_CDESC_MBZ_MASK;
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
        cd.req_id = i == 0 && r && r->action == ENA_FA_BAD_REQ_ID ?
                    cpu_to_le16(ENA_FAULT_BAD_REQ_ID) : d[i].req_id;
        cd.hash = cpu_to_le32(hash);
        cd.offset = i == 0 ? pofs : 0;
        if (!ena_cq_post(core, cq, (uint8_t *)&cd, sizeof(cd))) {
            return size;
        }
    }
    sq->head += n;
    core->stats.rx_pkts++;
    core->stats.rx_offset_pkts += !!pofs;
    core->stats.rx_bytes += size;
    trace_ena_rx_packet(ena_sq_idx(core, sq), size, n, hash, pofs);
    if (cq->vector != ENA_CQ_NO_IRQ) {
        ena_io_irq(core, cq->vector, true);
    }
    return size;
}


/*
 * Timing: frames whose time has come are written, in arrival order; one
 * that finds no buffers waits at the head until a doorbell brings some.
 */
static void ena_rx_timer_run(void *opaque)
{
    ENACore *core = opaque;
    int64_t now = ena_now();
    ENARxFrame *f;
    bool freed = false;

    while ((f = QTAILQ_FIRST(&core->rx_frames)) && f->due <= now) {
        struct iovec iov = { .iov_base = f->data, .iov_len = f->len };

        if (!ena_rx_deliver(core, &iov, 1)) {
            core->rx_waiting = true;
            trace_ena_rx_wait(f->len);
            return;
        }
        QTAILQ_REMOVE(&core->rx_frames, f, next);
        core->rx_fifo_used -= ena_rx_room_of(f->len);
        g_free(f->data);
        g_free(f);
        freed = true;
    }
    if (f) {
        timer_mod(core->rx_timer, f->due);
    }
    if (freed) {
        ena_rx_resume(core);
    }
}

void ena_rx_timer_cb(void *opaque)
{
    ena_guarded_call(opaque, ena_rx_timer_run, opaque);
}

/*
 * A frame from the netdev. With timing, it is received at the link rate
 * behind the frames before it, then written at the DMA rate, the
 * completion right behind it, visible to the host one PCIe latency on.
 */
ssize_t ena_core_receive_iov(ENACore *core, const struct iovec *iov,
                             int iovcnt)
{
    size_t size = iov_size(iov, iovcnt);
    int64_t end, at = ena_now();
    ENARxFrame *f;
    uint8_t *data;

    if (!core->params.timing) {
        /* the netdev delivers from the main loop: guard as a timer */
        bool g = ena_guard_begin(core);
        ssize_t ret = ena_rx_deliver(core, iov, iovcnt);

        ena_guard_end(core, g);
        core->rx_refused |= !ret;
        return ret;
    }
    if (!ena_core_can_receive(core)) {
        return 0;
    }
    if (ena_rx_refused(core, size)) {
        return size;
    }
    data = g_malloc(size);
    iov_to_buf(iov, iovcnt, 0, data, size);
    /* EC2's shaping comes before the device's own link */
    if (!ena_allow_pass(core, false, data, size, &at, true)) {
        g_free(data);
        return size;
    }
    f = g_new0(ENARxFrame, 1);
    f->len = size;
    f->data = data;
    ena_pace_take(&core->rx_wire, at, ena_wire_bits(size),
                  ena_wire_kbps(core));
    end = core->rx_wire.free_at;
    ena_pace_take(&core->dma_wr, end, (uint64_t)size * 8,
                  (uint64_t)core->params.dma_mbps * 1000);
    f->due = core->dma_wr.free_at + ena_pcie_ns(core);
    core->rx_fifo_used += ena_rx_room_of(size);
    trace_ena_rx_frame(size, end, f->due);
    if (QTAILQ_EMPTY(&core->rx_frames) && !core->rx_waiting) {
        timer_mod(core->rx_timer, f->due);
    }
    QTAILQ_INSERT_TAIL(&core->rx_frames, f, next);
    return size;
}

/* Timing: drop everything in flight; the links and DMA are idle now. */
void ena_io_timing_reset(ENACore *core)
{
    ENATxFrame *tf, *ntf;
    ENARxFrame *rf, *nrf;
    int64_t now = ena_now();

    QTAILQ_FOREACH_SAFE(tf, &core->tx_frames, next, ntf) {
        ena_tx_frame_free(core, tf);
    }
    QTAILQ_FOREACH_SAFE(rf, &core->rx_frames, next, nrf) {
        QTAILQ_REMOVE(&core->rx_frames, rf, next);
        g_free(rf->data);
        g_free(rf);
    }
    core->tx_fifo_used = core->rx_fifo_used = 0;
    core->tx_frames_n = 0;
    core->rx_waiting = false;
    core->tx_done_last = now;
    core->tx_rr = 0;
    ena_pace_reset(&core->tx_wire, now);
    ena_pace_reset(&core->rx_wire, now);
    ena_pace_reset(&core->dma_rd, now);
    ena_pace_reset(&core->dma_wr, now);
    if (core->tx_timer) {
        timer_del(core->tx_timer);
        timer_del(core->rx_timer);
    }
}
