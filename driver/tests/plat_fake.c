/*
 * ENA reference driver unit tests: a fake platform with a scripted device.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plat_fake.h"
#include "ena_util.h"

static void *fake_ptr(uint64_t addr)
{
    return (void *)(uintptr_t)addr;
}

static uint64_t fake_addr48(const EnaAddr48 *a)
{
    return a->lo | ((uint64_t)a->hi << 32);
}

EnaPlat *fake_new(void)
{
    EnaPlat *p = calloc(1, sizeof(*p));
    static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

    p->revision = 0;
    /* reset timeout 3 s (30 x 100 ms), DMA width 48, admin timeout 0 */
    p->caps = (30 << ENA_REGS_CAPS_RESET_TIMEOUT_SHIFT) |
              (48 << ENA_REGS_CAPS_DMA_ADDR_WIDTH_SHIFT);
    p->ctrl_version = 0x00010000;
    p->supported_features = ENA_BIT(ENA_ADMIN_DEVICE_ATTRIBUTES) |
                            ENA_BIT(ENA_ADMIN_MAX_QUEUES_EXT) |
                            ENA_BIT(ENA_ADMIN_HW_HINTS) |
                            ENA_BIT(ENA_ADMIN_STATELESS_OFFLOAD_CONFIG) |
                            ENA_BIT(ENA_ADMIN_MTU) |
                            ENA_BIT(ENA_ADMIN_INTERRUPT_MODERATION) |
                            ENA_BIT(ENA_ADMIN_AENQ_CONFIG) |
                            ENA_BIT(ENA_ADMIN_HOST_ATTR_CONFIG);
    p->capabilities = ENA_BIT(ENA_ADMIN_EXTENDED_RESET_REASONS) |
                      ENA_BIT(ENA_ADMIN_CDESC_MBZ);
    p->aenq_supported = 0x1f;
    p->max_queues = 2;
    p->max_depth = 1024;
    p->max_mtu = 9216;
    p->max_descs = 19;
    memcpy(p->mac, mac, sizeof(mac));
    p->admin_fail_opcode = -1;
    p->admin_fail_feature = -1;
    p->tx_autocomplete = true;
    p->dma_fail_after = -1;
    p->dev_sts = ENA_REGS_DEV_STS_READY_MASK;
    p->verbose = getenv("FAKE_VERBOSE") != NULL;
    return p;
}

void fake_free(EnaPlat *p)
{
    free(p->llq_mem);
    free(p);
}

void fake_llq_enable(EnaPlat *p, uint64_t bar_size)
{
    p->supported_features |= ENA_BIT(ENA_ADMIN_LLQ);
    free(p->llq_mem);
    p->llq_mem = bar_size ? calloc(1, bar_size) : NULL;
    p->llq_bar_size = bar_size;
    memset(&p->llq, 0, sizeof(p->llq));
    p->llq.max_llq_num = p->max_queues;
    p->llq.max_llq_depth = p->max_depth;
    p->llq.header_location_ctrl_supported = ENA_ADMIN_INLINE_HEADER;
    p->llq.entry_size_ctrl_supported = ENA_ADMIN_LIST_ENTRY_SIZE_128B |
                                       ENA_ADMIN_LIST_ENTRY_SIZE_192B |
                                       ENA_ADMIN_LIST_ENTRY_SIZE_256B;
    p->llq.desc_num_before_header_supported = 1 | 2 | 4;
    p->llq.descriptors_stride_ctrl_supported =
        ENA_ADMIN_SINGLE_DESC_PER_ENTRY | ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY;
    p->llq.entry_size_recommended = ENA_ADMIN_LIST_ENTRY_SIZE_128B;
}

/* ---- interrupts --------------------------------------------------------- */

static void fake_fire(EnaPlat *p, uint16_t v)
{
    if (v >= FAKE_MAX_VEC) {
        return;
    }
    if (v > 0) {
        /* IO vectors auto-mask until the driver unmasks */
        if (p->vec_masked[v]) {
            p->vec_pending[v] = true;
            return;
        }
        p->vec_masked[v] = true;
        p->vec_pending[v] = false;
    }
    p->intr[v] = true;
}

/* ---- AENQ --------------------------------------------------------------- */

bool fake_aenq_post(EnaPlat *p, uint16_t group, uint16_t syndrome,
                    const void *payload, size_t len)
{
    uint16_t depth = p->aenq_caps & ENA_REGS_Q_CAPS_DEPTH_MASK;
    EnaAdminAenqEntry *e;

    if (p->removed || !p->aenq_base || !depth ||
        !(p->aenq_groups & ENA_BIT(group))) {
        return false;
    }
    if ((uint16_t)(p->aenq_tail - (uint16_t)(p->aenq_head_db - depth)) >=
        depth) {
        return false;
    }
    e = (EnaAdminAenqEntry *)fake_ptr(p->aenq_base) +
        ena_ring_slot(p->aenq_tail, depth);
    memset(e, 0, sizeof(*e));
    e->aenq_common.group = group;
    e->aenq_common.syndrome = syndrome;
    e->aenq_common.timestamp_low = (uint32_t)(p->now_ns / 1000000);
    if (payload) {
        memcpy(e->inline_data_w4, payload,
               ENA_MIN(len, sizeof(e->inline_data_w4)));
    }
    e->aenq_common.flags = ena_ring_phase(p->aenq_tail, depth);
    p->aenq_tail++;
    fake_fire(p, 0);
    return true;
}

static void fake_timers(EnaPlat *p)
{
    while (p->keepalive_ns && p->next_keepalive_ns &&
           p->now_ns >= p->next_keepalive_ns) {
        EnaAdminAenqKeepAlive ka;

        memset(&ka, 0, sizeof(ka));
        fake_aenq_post(p, ENA_ADMIN_KEEP_ALIVE, 0, &ka, sizeof(ka));
        p->next_keepalive_ns += p->keepalive_ns;
    }
}

void fake_advance(EnaPlat *p, uint64_t ns)
{
    p->now_ns += ns;
    fake_timers(p);
}

/* ---- admin queue -------------------------------------------------------- */

static int fake_alloc_queue(FakeQueue *qs)
{
    for (int i = 0; i < FAKE_MAX_QUEUES; i++) {
        if (!qs[i].valid) {
            return i;
        }
    }
    return -1;
}

int fake_find_sq(EnaPlat *p, uint8_t dir)
{
    for (int i = 0; i < FAKE_MAX_QUEUES; i++) {
        if (p->sq[i].valid && p->sq[i].dir == dir) {
            return i;
        }
    }
    return -1;
}

static uint8_t fake_get_feature(EnaPlat *p, const EnaAdminGetSetFeatureCmd *c,
                                uint8_t *out)
{
    switch (c->feature_id) {
    case ENA_ADMIN_DEVICE_ATTRIBUTES: {
        EnaAdminDeviceAttrFeature a;

        memset(&a, 0, sizeof(a));
        a.supported_features = p->supported_features;
        a.capabilities = p->capabilities;
        a.max_mtu = p->max_mtu;
        memcpy(a.mac_addr, p->mac, 6);
        memcpy(out, &a, sizeof(a));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_MAX_QUEUES_EXT: {
        EnaAdminMaxQueuesExtFeature q;

        if (c->feature_version != 1) {
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        memset(&q, 0, sizeof(q));
        q.version = 1;
        q.max_tx_sq_num = q.max_tx_cq_num = p->max_queues;
        q.max_rx_sq_num = q.max_rx_cq_num = p->max_queues;
        q.max_tx_sq_depth = q.max_tx_cq_depth = p->max_depth;
        q.max_rx_sq_depth = q.max_rx_cq_depth = p->max_depth;
        q.max_per_packet_tx_descs = p->max_descs;
        q.max_per_packet_rx_descs = p->max_descs;
        memcpy(out, &q, sizeof(q));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_MAX_QUEUES_NUM: {
        EnaAdminMaxQueuesFeature q;

        memset(&q, 0, sizeof(q));
        q.max_sq_num = q.max_cq_num = p->max_queues;
        q.max_sq_depth = q.max_cq_depth = p->max_depth;
        q.max_packet_tx_descs = q.max_packet_rx_descs = p->max_descs;
        memcpy(out, &q, sizeof(q));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_AENQ_CONFIG: {
        EnaAdminAenqConfigFeature a = {
            .supported_groups = p->aenq_supported,
            .enabled_groups = p->aenq_groups,
        };
        memcpy(out, &a, sizeof(a));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_STATELESS_OFFLOAD_CONFIG:
        memset(out, 0, sizeof(EnaAdminOffloadFeature));
        return ENA_ADMIN_SUCCESS;
    case ENA_ADMIN_HW_HINTS:
        memcpy(out, &p->hints, sizeof(p->hints));
        return ENA_ADMIN_SUCCESS;
    case ENA_ADMIN_INTERRUPT_MODERATION: {
        EnaAdminIntrModerationFeature m = { .intr_delay_resolution = 1 };
        memcpy(out, &m, sizeof(m));
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_LLQ:
        p->llq_gets++;
        memcpy(out, &p->llq, sizeof(p->llq));
        return ENA_ADMIN_SUCCESS;
    default:
        return ENA_ADMIN_UNSUPPORTED_OPCODE;
    }
}

static uint8_t fake_set_feature(EnaPlat *p, const EnaAdminGetSetFeatureCmd *c)
{
    switch (c->feature_id) {
    case ENA_ADMIN_AENQ_CONFIG: {
        EnaAdminAenqConfigFeature a;

        memcpy(&a, c->payload, sizeof(a));
        if (a.enabled_groups & ~p->aenq_supported) {
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        p->aenq_groups = a.enabled_groups;
        p->next_keepalive_ns = p->keepalive_ns ?
                               p->now_ns + p->keepalive_ns : 0;
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_MTU:
    case ENA_ADMIN_HOST_ATTR_CONFIG:
        return ENA_ADMIN_SUCCESS;
    case ENA_ADMIN_LLQ:
        p->llq_sets++;
        memcpy(&p->llq_set, c->payload, sizeof(p->llq_set));
        if (p->llq_set_fail) {
            return p->llq_set_fail;
        }
        p->llq_configured = true;
        return ENA_ADMIN_SUCCESS;
    default:
        return ENA_ADMIN_UNSUPPORTED_OPCODE;
    }
}

static uint8_t fake_exec(EnaPlat *p, const EnaAdminAqEntry *cmd,
                         EnaAdminAcqEntry *resp)
{
    const EnaAdminGetSetFeatureCmd *f = (const void *)cmd;
    uint8_t *out = (uint8_t *)resp->data;
    int i;

    switch (cmd->aq_common.opcode) {
    case ENA_ADMIN_GET_FEATURE:
    case ENA_ADMIN_SET_FEATURE:
        if (f->feature_id >= 32 ||
            !(p->supported_features & ENA_BIT(f->feature_id))) {
            return ENA_ADMIN_UNSUPPORTED_OPCODE;
        }
        if (p->admin_fail_feature == f->feature_id) {
            return p->admin_fail_status;
        }
        return cmd->aq_common.opcode == ENA_ADMIN_GET_FEATURE ?
               fake_get_feature(p, f, out) : fake_set_feature(p, f);
    case ENA_ADMIN_CREATE_CQ: {
        const EnaAdminCreateCqCmd *c = (const void *)cmd;
        EnaAdminCreateCqResp *r = (void *)resp;

        i = fake_alloc_queue(p->cq);
        if (i < 0) {
            return ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
        }
        p->cq[i] = (FakeQueue) {
            .valid = true,
            .entry_size = (c->cq_caps_2 & 0x1f) * 4,
            .depth = c->cq_depth,
            .vector = (uint16_t)c->msix_vector,
            .ba = fake_addr48(&c->cq_ba),
        };
        r->cq_idx = i;
        r->cq_interrupt_unmask_register_offset = FAKE_CQ_UNMASK_BASE + 4 * i;
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_CREATE_SQ: {
        const EnaAdminCreateSqCmd *c = (const void *)cmd;
        EnaAdminCreateSqResp *r = (void *)resp;

        i = fake_alloc_queue(p->sq);
        if (i < 0) {
            return ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE;
        }
        p->sq[i] = (FakeQueue) {
            .valid = true,
            .dir = c->sq_identity >> ENA_ADMIN_SQ_DIRECTION_SHIFT,
            .depth = c->sq_depth,
            .cq_idx = c->cq_idx,
            .ba = fake_addr48(&c->sq_ba),
        };
        if ((c->sq_caps_2 & ENA_ADMIN_SQ_PLACEMENT_POLICY_MASK) ==
            ENA_ADMIN_PLACEMENT_POLICY_DEV) {
            if (!p->llq_configured || !p->llq_mem ||
                p->sq[i].dir != ENA_ADMIN_SQ_DIRECTION_TX) {
                p->sq[i].valid = false;
                return ENA_ADMIN_ILLEGAL_PARAMETER;
            }
            p->sq[i].llq = true;
            p->sq[i].llq_off = p->llq_bad_offset ?
                               (uint32_t)p->llq_bar_size - 64 :
                               (uint32_t)((i % 4) * FAKE_LLQ_WINDOW);
            r->llq_descriptors_offset = p->sq[i].llq_off;
        }
        r->sq_idx = i;
        r->sq_doorbell_offset = FAKE_SQ_DB_BASE + 4 * i;
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_DESTROY_SQ: {
        const EnaAdminDestroySqCmd *c = (const void *)cmd;

        if (c->sq_idx >= FAKE_MAX_QUEUES || !p->sq[c->sq_idx].valid) {
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        p->sq[c->sq_idx].valid = false;
        return ENA_ADMIN_SUCCESS;
    }
    case ENA_ADMIN_DESTROY_CQ: {
        const EnaAdminDestroyCqCmd *c = (const void *)cmd;

        if (c->cq_idx >= FAKE_MAX_QUEUES || !p->cq[c->cq_idx].valid) {
            return ENA_ADMIN_ILLEGAL_PARAMETER;
        }
        p->cq[c->cq_idx].valid = false;
        return ENA_ADMIN_SUCCESS;
    }
    default:
        return ENA_ADMIN_BAD_OPCODE;
    }
}

static void fake_aq_doorbell(EnaPlat *p, uint16_t tail)
{
    uint16_t depth = p->aq_caps & ENA_REGS_Q_CAPS_DEPTH_MASK;

    while (depth && p->aq_head != tail) {
        EnaAdminAqEntry cmd;
        EnaAdminAcqEntry resp, *slot;
        uint8_t status;

        memcpy(&cmd, (EnaAdminAqEntry *)fake_ptr(p->aq_base) +
               ena_ring_slot(p->aq_head, depth), sizeof(cmd));
        p->aq_head++;
        p->admin_cmds++;
        p->last_opcode = cmd.aq_common.opcode;
        if (p->admin_drop) {
            continue;
        }
        memset(&resp, 0, sizeof(resp));
        status = fake_exec(p, &cmd, &resp);
        if (p->admin_fail_opcode == cmd.aq_common.opcode) {
            status = p->admin_fail_status;
        }
        if (p->admin_fail_count && status != ENA_ADMIN_SUCCESS &&
            (p->admin_fail_opcode >= 0 || p->admin_fail_feature >= 0) &&
            --p->admin_fail_count == 0) {
            p->admin_fail_opcode = -1;
            p->admin_fail_feature = -1;
        }
        resp.acq_common.command = p->admin_bad_id ? 0x7ff :
                                  cmd.aq_common.command_id;
        resp.acq_common.status = status;
        resp.acq_common.flags = ena_ring_phase(p->acq_tail, depth);
        slot = (EnaAdminAcqEntry *)fake_ptr(p->acq_base) +
               ena_ring_slot(p->acq_tail, depth);
        memcpy(slot, &resp, sizeof(resp));
        p->acq_tail++;
        if (!(p->intr_mask & ENA_REGS_ADMIN_INTR_MASK) && !p->admin_no_intr) {
            fake_fire(p, 0);
        }
    }
}

/* ---- IO ----------------------------------------------------------------- */

static void fake_tx_complete(EnaPlat *p, FakeQueue *cq, uint16_t req_id)
{
    EnaEthIoTxCdesc *c = (EnaEthIoTxCdesc *)fake_ptr(cq->ba) +
                         ena_ring_slot(cq->tail, cq->depth);

    memset(c, 0, sizeof(*c));
    c->req_id = req_id;
    c->flags = ena_ring_phase(cq->tail, cq->depth);
    cq->tail++;
}

static uint16_t fake_llq_esize(const EnaPlat *p)
{
    uint16_t v = p->llq_set.entry_size_ctrl_enabled;

    return v == ENA_ADMIN_LIST_ENTRY_SIZE_256B ? 256 :
           v == ENA_ADMIN_LIST_ENTRY_SIZE_192B ? 192 : 128;
}

/* Entries from BAR2, as the device reads them (§7.9), completed at last. */
static void fake_llq_doorbell(EnaPlat *p, FakeQueue *sq, uint16_t tail)
{
    FakeQueue *cq = &p->cq[sq->cq_idx];
    uint16_t esize = fake_llq_esize(p);
    uint16_t before = p->llq_set.desc_num_before_header_enabled;
    uint16_t per = p->llq_set.descriptors_stride_ctrl_enabled ==
                   ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY ? esize / 16 : 1;
    bool done = false;

    for (; sq->head != tail; sq->head++) {
        uint64_t off = sq->llq_off +
                       (uint64_t)ena_ring_slot(sq->head, sq->depth) * esize;
        const EnaEthIoTxDesc *d;
        bool first = !sq->llq_in_pkt;

        if (off + esize > p->llq_bar_size) {
            break;
        }
        d = (const EnaEthIoTxDesc *)(p->llq_mem + off);
        sq->llq_in_pkt = true;
        for (uint16_t k = 0; k < (first ? before : per); k++) {
            uint32_t lc = d[k].len_ctrl;

            if (lc & ENA_ETH_IO_TX_DESC_META_DESC_MASK) {
                continue;
            }
            if (lc & ENA_ETH_IO_TX_DESC_COMP_REQ_MASK) {
                sq->llq_req_id =
                    (((lc & ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK) >>
                      ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) << 10) |
                    (d[k].meta_ctrl >> ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
                p->llq_last_hdr_len = d[k].buff_addr_hi_hdr_sz >>
                                      ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT;
            }
            if (lc & ENA_ETH_IO_TX_DESC_LAST_MASK) {
                sq->llq_in_pkt = false;
                p->llq_pkts++;
                if (p->tx_autocomplete) {
                    fake_tx_complete(p, cq, sq->llq_req_id);
                    done = true;
                }
                break;
            }
        }
    }
    if (done && !p->io_no_intr) {
        fake_fire(p, cq->vector);
    }
}

static void fake_tx_doorbell(EnaPlat *p, FakeQueue *sq, uint16_t tail)
{
    FakeQueue *cq = &p->cq[sq->cq_idx];
    uint16_t req_id = 0;
    bool done = false;

    for (; sq->head != tail; sq->head++) {
        EnaEthIoTxDesc *d = (EnaEthIoTxDesc *)fake_ptr(sq->ba) +
                            ena_ring_slot(sq->head, sq->depth);

        if (d->len_ctrl & ENA_ETH_IO_TX_DESC_FIRST_MASK) {
            req_id = (((d->len_ctrl & ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK) >>
                       ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) << 10) |
                     (d->meta_ctrl >> ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
        }
        if ((d->len_ctrl & ENA_ETH_IO_TX_DESC_LAST_MASK) &&
            p->tx_autocomplete) {
            fake_tx_complete(p, cq, req_id);
            done = true;
        }
    }
    if (done && !p->io_no_intr) {
        fake_fire(p, cq->vector);
    }
}

/* ---- registers ---------------------------------------------------------- */

static uint32_t fake_reg_value(EnaPlat *p, uint32_t off)
{
    switch (off) {
    case ENA_REGS_VERSION_OFF:
        return 0x00000002;
    case ENA_REGS_CONTROLLER_VERSION_OFF:
        return p->ctrl_version;
    case ENA_REGS_CAPS_OFF:
        return p->caps;
    case ENA_REGS_DEV_STS_OFF:
        return p->not_ready ? p->dev_sts & ~ENA_REGS_DEV_STS_READY_MASK :
                              p->dev_sts;
    case ENA_REGS_INTR_MASK_OFF:
        return p->intr_mask;
    default:
        return 0;
    }
}

static void fake_device_reset(EnaPlat *p)
{
    p->resp_addr = 0;
    p->aq_base = p->acq_base = p->aenq_base = 0;
    p->aq_caps = p->acq_caps = p->aenq_caps = 0;
    p->aq_head = p->acq_tail = p->aenq_tail = p->aenq_head_db = 0;
    p->aenq_groups = 0;
    p->llq_configured = false;
    p->intr_mask = 0;
    p->next_keepalive_ns = 0;
    memset(p->sq, 0, sizeof(p->sq));
    memset(p->cq, 0, sizeof(p->cq));
    memset(p->vec_masked, 0, sizeof(p->vec_masked));
    memset(p->vec_pending, 0, sizeof(p->vec_pending));
}

uint32_t ena_plat_reg_read32(EnaPlat *p, uint32_t off)
{
    return p->removed ? 0xffffffff : fake_reg_value(p, off);
}

void ena_plat_reg_write32(EnaPlat *p, uint32_t off, uint32_t val)
{
    p->reg_writes++;
    if (p->removed) {
        return;
    }
    if (off >= FAKE_CQ_UNMASK_BASE) {
        uint32_t i = (off - FAKE_CQ_UNMASK_BASE) / 4;

        p->unmask_writes++;
        if (i < FAKE_MAX_QUEUES && p->cq[i].valid &&
            (val & ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK) &&
            p->cq[i].vector < FAKE_MAX_VEC) {
            uint16_t v = p->cq[i].vector;

            p->vec_masked[v] = false;
            if (p->vec_pending[v]) {
                fake_fire(p, v);
            }
        }
        return;
    }
    if (off >= FAKE_SQ_DB_BASE) {
        uint32_t i = (off - FAKE_SQ_DB_BASE) / 4;

        p->sq_doorbells++;
        if (i < FAKE_MAX_QUEUES && p->sq[i].valid) {
            if (p->sq[i].dir == ENA_ADMIN_SQ_DIRECTION_TX) {
                if (p->tx_db_count < FAKE_DB_LOG) {
                    p->tx_db_log[p->tx_db_count] = (uint16_t)val;
                }
                p->tx_db_count++;
            }
            if (p->sq[i].dir == ENA_ADMIN_SQ_DIRECTION_TX && p->sq[i].llq) {
                fake_llq_doorbell(p, &p->sq[i], (uint16_t)val);
            } else if (p->sq[i].dir == ENA_ADMIN_SQ_DIRECTION_TX) {
                fake_tx_doorbell(p, &p->sq[i], (uint16_t)val);
            } else {
                p->sq[i].tail = (uint16_t)val;
            }
        }
        return;
    }
    switch (off) {
    case ENA_REGS_MMIO_RESP_LO_OFF:
        p->resp_addr = (p->resp_addr & ~0xffffffffull) | val;
        break;
    case ENA_REGS_MMIO_RESP_HI_OFF:
        p->resp_addr = (p->resp_addr & 0xffffffffull) | ((uint64_t)val << 32);
        break;
    case ENA_REGS_MMIO_REG_READ_OFF:
        if (!p->readless_drop && p->resp_addr) {
            EnaMmioReadResp *r = fake_ptr(p->resp_addr);
            uint16_t reg = val >> 16;

            r->reg_val = fake_reg_value(p, reg);
            r->reg_off = p->readless_bad_off ? reg + 4 : reg;
            r->req_id = val & 0xffff;
        }
        break;
    case ENA_REGS_DEV_CTL_OFF:
        if ((val & ENA_REGS_DEV_CTL_DEV_RESET_MASK) &&
            !(p->dev_ctl & ENA_REGS_DEV_CTL_DEV_RESET_MASK)) {
            p->reset_count++;
            p->last_dev_ctl_reset = val;
            p->last_reset_reason =
                (val >> ENA_REGS_DEV_CTL_RESET_REASON_SHIFT) |
                (((val & ENA_REGS_DEV_CTL_RESET_REASON_EXT_MASK) >>
                  ENA_REGS_DEV_CTL_RESET_REASON_EXT_SHIFT) << 4);
            if (p->reset_count <= sizeof(p->reset_history)) {
                p->reset_history[p->reset_count - 1] =
                    (uint8_t)p->last_reset_reason;
            }
            fake_device_reset(p);
            if (!p->reset_never_on) {
                p->dev_sts |= ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK;
            }
        } else if (!(val & ENA_REGS_DEV_CTL_DEV_RESET_MASK) &&
                   !p->reset_never_off) {
            p->dev_sts &= ~ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK;
        }
        p->dev_ctl = val;
        break;
    case ENA_REGS_AQ_BASE_LO_OFF:
        p->aq_base = (p->aq_base & ~0xffffffffull) | val;
        break;
    case ENA_REGS_AQ_BASE_HI_OFF:
        p->aq_base = (p->aq_base & 0xffffffffull) | ((uint64_t)val << 32);
        break;
    case ENA_REGS_ACQ_BASE_LO_OFF:
        p->acq_base = (p->acq_base & ~0xffffffffull) | val;
        break;
    case ENA_REGS_ACQ_BASE_HI_OFF:
        p->acq_base = (p->acq_base & 0xffffffffull) | ((uint64_t)val << 32);
        break;
    case ENA_REGS_AENQ_BASE_LO_OFF:
        p->aenq_base = (p->aenq_base & ~0xffffffffull) | val;
        break;
    case ENA_REGS_AENQ_BASE_HI_OFF:
        p->aenq_base = (p->aenq_base & 0xffffffffull) | ((uint64_t)val << 32);
        break;
    case ENA_REGS_AQ_CAPS_OFF:
        p->aq_caps = val;
        p->aq_head = 0;
        break;
    case ENA_REGS_ACQ_CAPS_OFF:
        p->acq_caps = val;
        p->acq_tail = 0;
        break;
    case ENA_REGS_AENQ_CAPS_OFF:
        p->aenq_caps = val;
        p->aenq_tail = p->aenq_head_db = 0;
        break;
    case ENA_REGS_AQ_DB_OFF:
        fake_aq_doorbell(p, (uint16_t)val);
        break;
    case ENA_REGS_AENQ_HEAD_DB_OFF: {
        bool first = p->aenq_head_db == 0;

        p->aenq_head_db = (uint16_t)val;
        if (first) {
            uint32_t up = ENA_ADMIN_AENQ_LINK_CHANGE_DESC_LINK_STATUS_MASK;

            fake_aenq_post(p, ENA_ADMIN_LINK_CHANGE, 0, &up, sizeof(up));
        }
        break;
    }
    case ENA_REGS_INTR_MASK_OFF:
        p->intr_mask = val;
        break;
    default:
        break;
    }
}

uint64_t ena_plat_llq_bar_size(EnaPlat *p)
{
    p->llq_bar_queries++;
    return p->removed ? 0 : p->llq_bar_size;
}

void ena_plat_llq_write(EnaPlat *p, uint64_t off, const void *src,
                        uint32_t len)
{
    p->llq_writes++;
    if (p->removed || !p->llq_mem || off > p->llq_bar_size ||
        len > p->llq_bar_size - off) {
        p->llq_writes_oob++;
        return;
    }
    memcpy(p->llq_mem + off, src, len);
}

uint8_t ena_plat_pci_revision(EnaPlat *p)
{
    return p->revision;
}

uint16_t ena_plat_pci_bdf(EnaPlat *p)
{
    return 0x0018;
}

/* ---- DMA ---------------------------------------------------------------- */

int ena_plat_dma_alloc(EnaPlat *p, uint64_t size, EnaDmaMem *mem)
{
    uint64_t rounded = (size + 4095) & ~4095ull;
    void *v;

    if (p->dma_fail_after == 0) {
        return -ENA_ENOMEM;
    }
    if (p->dma_fail_after > 0) {
        p->dma_fail_after--;
    }
    v = aligned_alloc(4096, rounded);
    if (!v) {
        return -ENA_ENOMEM;
    }
    memset(v, 0, rounded);
    mem->virt = v;
    mem->phys = (uint64_t)(uintptr_t)v;
    mem->size = size;
    mem->handle = (uintptr_t)rounded;
    p->dma_in_use += rounded;
    return 0;
}

void ena_plat_dma_free(EnaPlat *p, EnaDmaMem *mem)
{
    if (!mem->virt) {
        return;
    }
    p->dma_in_use -= mem->handle;
    free(mem->virt);
    memset(mem, 0, sizeof(*mem));
}

void ena_plat_dma_sync(EnaPlat *p, const EnaDmaMem *mem, uint64_t off,
                       uint64_t len, EnaDmaSyncDir dir)
{
}

void ena_plat_wmb(EnaPlat *p)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

void ena_plat_rmb(EnaPlat *p)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/* ---- time and interrupts ------------------------------------------------ */

uint64_t ena_plat_now_ns(EnaPlat *p)
{
    return p->now_ns;
}

void ena_plat_delay_us(EnaPlat *p, uint32_t us)
{
    p->delays++;
    fake_advance(p, (uint64_t)us * 1000);
}

uint32_t ena_plat_wait_device(EnaPlat *p, uint32_t slice_us,
                              uint64_t limit_ns)
{
    ena_plat_delay_us(p, slice_us);
    return slice_us;
}

int ena_plat_msix_setup(EnaPlat *p, uint16_t nvec)
{
    p->nvec = ENA_MIN(nvec, FAKE_MAX_VEC);
    return p->nvec;
}

void ena_plat_msix_teardown(EnaPlat *p)
{
    p->nvec = 0;
}

bool ena_plat_intr_take(EnaPlat *p, uint16_t vector)
{
    if (vector >= p->nvec || !p->intr[vector]) {
        return false;
    }
    p->intr[vector] = false;
    return true;
}

/* ---- frames, logging, locks --------------------------------------------- */

void ena_plat_rx_frame(EnaPlat *p, uint16_t qid, const EnaFrag *frags,
                       uint16_t nfrags, uint32_t len, const EnaRxInfo *info)
{
    p->rx_frames++;
    p->rx_last_len = len;
}

void ena_plat_log(EnaPlat *p, EnaLogLevel level, const char *fmt, ...)
{
    va_list ap;

    p->log_count[level]++;
    va_start(ap, fmt);
    vsnprintf(p->last_log, sizeof(p->last_log), fmt, ap);
    va_end(ap);
    if (p->verbose) {
        fprintf(stderr, "[fake %llu.%09llu %d] %s\n",
                (unsigned long long)(p->now_ns / 1000000000),
                (unsigned long long)(p->now_ns % 1000000000), level,
                p->last_log);
    }
}

void ena_plat_lock(EnaPlat *p, EnaLockId id)
{
}

void ena_plat_unlock(EnaPlat *p, EnaLockId id)
{
}

const char *ena_plat_name(EnaPlat *p)
{
    return "fake";
}
