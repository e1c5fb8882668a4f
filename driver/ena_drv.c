/*
 * ENA reference driver: probe, interface up/down, service routine, reset.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ena_drv.h"

/* Largest L2 header the device accepts on top of the MTU (two VLANs). */
#define ENA_DRV_L2_OVERHEAD     (14 + 2 * 4)
#define ENA_DRV_HOST_INFO_SIZE  4096
/* What the device may read at a reset: a few "name value" lines */
#define ENA_DRV_DEBUG_AREA_SIZE 512

static uint64_t ena_drv_now(EnaDrv *drv)
{
    return ena_plat_now_ns(drv->plat);
}

static void ena_drv_event(EnaDrv *drv, uint16_t id, uint8_t reason,
                          uint64_t detail, const char *msg)
{
    ena_evlog_add(&drv->evlog, ena_drv_now(drv), id, reason, detail, msg);
    ena_plat_log(drv->plat, ENA_LOG_NOTICE,
                 "event %u %s reason=%s detail=%llu %s", id,
                 ena_evlog_id_name(id),
                 reason == ENA_EVLOG_NO_REASON ? "-" :
                 ena_reset_reason_str(reason),
                 (unsigned long long)detail, msg ? msg : "");
}

const char *ena_drv_state_name(EnaDrvState state)
{
    switch (state) {
    case ENA_DRV_STATE_OFF:
        return "off";
    case ENA_DRV_STATE_RUNNING:
        return "running";
    case ENA_DRV_STATE_RESETTING:
        return "resetting";
    case ENA_DRV_STATE_DEAD:
        return "dead";
    case ENA_DRV_STATE_REMOVED:
        return "removed";
    default:
        return "?";
    }
}

void ena_drv_config_default(EnaDrvConfig *cfg)
{
    ena_mem_zero(cfg, sizeof(*cfg));
    cfg->num_queues = 0;
    cfg->tx_depth = 256;
    cfg->rx_depth = 256;
    cfg->tx_buf_size = 2048;
    cfg->rx_buf_size = 2048;
    cfg->mtu = 1500;
    cfg->poll_interval_us = 1000;
    cfg->bring_up = true;
    cfg->phc = true;
}

static void ena_drv_default_timeouts(EnaDrv *drv)
{
    drv->to.keep_alive_ns = ENA_DRV_KEEP_ALIVE_TIMEOUT_NS;
    drv->to.missing_tx_ns = ENA_DRV_TX_TIMEOUT_NS;
    drv->to.missing_tx_threshold = ENA_DRV_MISSING_TX_THRESHOLD;
    drv->to.netdev_wd_ns = ENA_DRV_TX_TIMEOUT_NS;
}

static uint64_t ena_drv_hint_ns(uint16_t ms)
{
    return ms == ENA_HW_HINTS_NO_TIMEOUT ? ENA_TIMEOUT_NEVER :
           ms * ENA_NS_PER_MS;
}

void ena_drv_apply_hints(EnaDrv *drv, const EnaAdminHwHints *h)
{
    /* 0 keeps the current value; 0xffff turns a watchdog off */
    if (h->admin_completion_tx_timeout) {
        drv->com.admin.timeout_us = h->admin_completion_tx_timeout * 1000ull;
    }
    if (h->mmio_read_timeout) {
        drv->com.mmio_read_polls = h->mmio_read_timeout * 1000u;
    }
    if (h->missed_tx_completion_count_threshold_to_reset) {
        drv->to.missing_tx_threshold =
            h->missed_tx_completion_count_threshold_to_reset;
    }
    if (h->missing_tx_completion_timeout) {
        drv->to.missing_tx_ns =
            ena_drv_hint_ns(h->missing_tx_completion_timeout);
    }
    if (h->netdev_wd_timeout) {
        drv->to.netdev_wd_ns = h->netdev_wd_timeout * ENA_NS_PER_MS;
    }
    if (h->driver_watchdog_timeout) {
        drv->to.keep_alive_ns = ena_drv_hint_ns(h->driver_watchdog_timeout);
    }
}

/* ---- reset requests ----------------------------------------------------- */

static void ena_drv_request(EnaDrv *drv, uint8_t reason, uint64_t detail)
{
    /* the first verdict wins: later ones are consequences */
    if (drv->reset_pending) {
        return;
    }
    drv->reset_pending = true;
    drv->reset_reason = reason;
    drv->reset_detail = detail;
}

void ena_drv_request_reset(EnaDrv *drv, uint8_t reason)
{
    ena_drv_request(drv, reason, 0);
}

static void ena_drv_io_error(EnaDrv *drv, uint8_t reason, uint16_t qid,
                             const char *what)
{
    drv->stats.io_errors++;
    ena_drv_event(drv, ENA_EV_HW_ERROR, reason, qid, what);
    ena_drv_request(drv, reason, qid);
}

/* ---- AENQ handlers ------------------------------------------------------ */

static void ena_drv_aenq_link(void *opaque, bool up)
{
    EnaDrv *drv = opaque;

    drv->link_up = up;
    if (up) {
        drv->stats.link_up++;
    } else {
        drv->stats.link_down++;
    }
    ena_plat_log(drv->plat, ENA_LOG_INFO, "link is %s", up ? "up" : "down");
}

static void ena_drv_aenq_keep_alive(void *opaque, const EnaComKeepAlive *ka)
{
    EnaDrv *drv = opaque;

    drv->last_keep_alive_ns = ena_drv_now(drv);
    drv->stats.keep_alives++;
    drv->stats.dev_rx_drops = ka->rx_drops;
    drv->stats.dev_tx_drops = ka->tx_drops;
    drv->stats.dev_rx_overruns = ka->rx_overruns;
}

static void ena_drv_aenq_hints(void *opaque, const EnaAdminHwHints *hints)
{
    EnaDrv *drv = opaque;

    drv->stats.hints_updates++;
    ena_drv_apply_hints(drv, hints);
}

static void ena_drv_aenq_fatal(void *opaque, uint16_t syndrome)
{
    EnaDrv *drv = opaque;

    /* the device stops until reset (DEV_STS.FATAL_ERROR): reset it */
    drv->stats.fatal_errors++;
    ena_drv_event(drv, ENA_EV_HW_ERROR, ENA_REGS_RESET_GENERIC, syndrome,
                  "device reported a fatal error");
    ena_drv_request(drv, ENA_REGS_RESET_GENERIC, syndrome);
}

static void ena_drv_aenq_warning(void *opaque, uint16_t syndrome)
{
    EnaDrv *drv = opaque;

    drv->stats.warnings++;
    ena_plat_log(drv->plat, ENA_LOG_WARN, "device warning, syndrome %u",
                 syndrome);
}

static void ena_drv_aenq_unhandled(void *opaque, uint16_t group,
                                   uint16_t syndrome)
{
    EnaDrv *drv = opaque;

    drv->stats.unhandled_events++;
}

static const EnaComAenqOps ena_drv_aenq_ops = {
    .link_change = ena_drv_aenq_link,
    .keep_alive = ena_drv_aenq_keep_alive,
    .hints = ena_drv_aenq_hints,
    .fatal_error = ena_drv_aenq_fatal,
    .warning = ena_drv_aenq_warning,
    .unhandled = ena_drv_aenq_unhandled,
};

/* ---- device initialisation ---------------------------------------------- */

static int ena_drv_oom(EnaDrv *drv, int rc, const char *what)
{
    if (rc == -ENA_ENOMEM) {
        drv->stats.dma_alloc_failures++;
        ena_drv_event(drv, ENA_EV_OUT_OF_RESOURCES, ENA_EVLOG_NO_REASON, 0,
                      what);
    }
    return rc;
}

static void ena_drv_set_host_info(EnaDrv *drv)
{
    EnaAdminHostAttrFeature attr;
    EnaAdminHostInfo *hi;
    uint32_t ver = ENA_DRV_VERSION_MAJOR |
                   (ENA_DRV_VERSION_MINOR << 8) |
                   (ENA_DRV_VERSION_SUBMINOR << 16) |
                   ((uint32_t)ENA_DRV_MODULE_TYPE << 24);
    int rc;

    if (!drv->host_info.virt &&
        ena_plat_dma_alloc(drv->plat, ENA_DRV_HOST_INFO_SIZE,
                           &drv->host_info)) {
        ena_plat_log(drv->plat, ENA_LOG_WARN, "Cannot allocate host info");
        return;
    }
    hi = drv->host_info.virt;
    ena_mem_zero(hi, sizeof(*hi));
    hi->os_type = ena_le32(ENA_DRV_HOST_OS_TYPE);
    ena_str_copy((char *)hi->os_dist_str, "ena-reference-driver",
                 sizeof(hi->os_dist_str));
    ena_str_copy((char *)hi->kernel_ver_str, ena_plat_name(drv->plat),
                 sizeof(hi->kernel_ver_str));
    hi->driver_version = ena_le32(ver);
    hi->ena_spec_version = ena_le16(0x0200);
    hi->bdf = ena_le16(ena_plat_pci_bdf(drv->plat));
    hi->num_cpus = ena_le16(1);
    /*
     * bit 1: we read rx_cdesc.offset (ena_eth_rx_frags()); bit 2: we
     * write moderation delays with every unmask
     */
    hi->driver_supported_features = ena_le32(ENA_BIT(1) | ENA_BIT(2));
    ena_plat_dma_sync(drv->plat, &drv->host_info, 0, sizeof(*hi),
                      ENA_DMA_SYNC_TO_DEVICE);

    /* optional: without it the device just sees no record at a reset */
    if (!drv->debug_area.virt &&
        ena_plat_dma_alloc(drv->plat, ENA_DRV_DEBUG_AREA_SIZE,
                           &drv->debug_area)) {
        ena_plat_log(drv->plat, ENA_LOG_WARN, "Cannot allocate debug area");
    }

    ena_mem_zero(&attr, sizeof(attr));
    attr.os_info_ba.lo = ena_le32((uint32_t)drv->host_info.phys);
    attr.os_info_ba.hi = ena_le16((uint16_t)(drv->host_info.phys >> 32));
    if (drv->debug_area.virt) {
        attr.debug_ba.lo = ena_le32((uint32_t)drv->debug_area.phys);
        attr.debug_ba.hi = ena_le16((uint16_t)(drv->debug_area.phys >> 32));
        attr.debug_area_size = ena_le32(ENA_DRV_DEBUG_AREA_SIZE);
    }
    rc = ena_com_set_feature(&drv->com, ENA_ADMIN_HOST_ATTR_CONFIG, 0,
                             &attr, sizeof(attr), NULL, 0);
    if (rc) {
        ena_plat_log(drv->plat,
                     rc == -ENA_EOPNOTSUPP ? ENA_LOG_WARN : ENA_LOG_ERR,
                     "Cannot set host attributes (%d)", rc);
    }
}

static void ena_drv_free_host_attr(EnaDrv *drv)
{
    ena_plat_dma_free(drv->plat, &drv->host_info);
    ena_plat_dma_free(drv->plat, &drv->debug_area);
}

/*
 * Just before a reset: why, and the counters behind the verdict, as
 * "name value" lines the device can show (docs/features.md).
 */
static void ena_drv_write_debug_area(EnaDrv *drv, uint8_t reason)
{
    const EnaDrvStats *st = &drv->stats;
    const struct {
        const char *name;
        uint64_t val;
    } lines[] = {
        { "resets", st->resets },
        { "wd_expired", st->wd_expired },
        { "admin_q_pause", st->admin_q_pause },
        { "missing_tx_cmpl", st->missing_tx_cmpl },
        { "missing_intr", st->missing_intr },
        { "tx_timeout", st->tx_timeout },
        { "io_errors", st->io_errors },
        { "fatal_errors", st->fatal_errors },
    };
    char *buf = drv->debug_area.virt;
    size_t len;

    if (!buf) {
        return;
    }
    ena_mem_zero(buf, ENA_DRV_DEBUG_AREA_SIZE);
    len = ena_text_line(buf, ENA_DRV_DEBUG_AREA_SIZE, 0, "reset_reason",
                        ena_reset_reason_str(reason), 0);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        len = ena_text_line(buf, ENA_DRV_DEBUG_AREA_SIZE, len, lines[i].name,
                            NULL, lines[i].val);
    }
    ena_plat_dma_sync(drv->plat, &drv->debug_area, 0,
                      ENA_DRV_DEBUG_AREA_SIZE, ENA_DMA_SYNC_TO_DEVICE);
}

/* A reset the driver decides on: the record first, then the request. */
static int ena_drv_dev_reset(EnaDrv *drv, uint8_t reason)
{
    ena_drv_write_debug_area(drv, reason);
    return ena_com_dev_reset(&drv->com, reason);
}

static bool ena_drv_mac_valid(const uint8_t *mac)
{
    static const uint8_t zero[6];

    return !(mac[0] & 1) && !ena_mem_equal(mac, zero, 6);
}

static int ena_drv_get_features(EnaDrv *drv, const char **what)
{
    EnaCom *com = &drv->com;
    EnaAdminDeviceAttrFeature attr;
    EnaAdminAenqConfigFeature aenq;
    EnaAdminOffloadFeature offload;
    uint8_t mac[6];
    uint32_t max_mtu;
    int rc;

    rc = ena_com_get_feature(com, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, NULL, 0,
                             &attr, sizeof(attr));
    if (rc) {
        *what = "Cannot get attribute for ena device";
        return rc;
    }
    com->supported_features = ena_le32(attr.supported_features);
    com->capabilities = ena_le32(attr.capabilities);
    max_mtu = ena_le32(attr.max_mtu);
    ena_mem_copy(mac, attr.mac_addr, sizeof(mac));
    if (!ena_drv_mac_valid(mac)) {
        /* no RNG here: a fixed locally administered address */
        static const uint8_t fallback[6] = { 0x02, 0, 0, 0, 0, 0x01 };

        ena_plat_log(drv->plat, ENA_LOG_WARN,
                     "Invalid MAC address from the device, using a "
                     "local one");
        ena_mem_copy(mac, fallback, sizeof(mac));
    }
    if (drv->have_mac && !ena_mem_equal(mac, drv->mac, sizeof(mac))) {
        *what = "Error, mac address are different";
        return -ENA_EINVAL;
    }
    if (drv->have_mac && max_mtu < drv->mtu) {
        *what = "Error, device max mtu is smaller than netdev MTU";
        return -ENA_EINVAL;
    }
    ena_mem_copy(drv->mac, mac, sizeof(mac));
    drv->have_mac = true;
    drv->max_mtu = max_mtu;

    if (ena_com_feature_supported(com, ENA_ADMIN_MAX_QUEUES_EXT)) {
        EnaAdminMaxQueuesExtFeature q;

        rc = ena_com_get_feature(com, ENA_ADMIN_MAX_QUEUES_EXT,
                                 ENA_FEATURE_MAX_QUEUE_EXT_VER, NULL, 0,
                                 &q, sizeof(q));
        if (!rc && q.version != ENA_FEATURE_MAX_QUEUE_EXT_VER) {
            rc = -ENA_EINVAL;
        }
        if (rc) {
            *what = "Cannot get max queues (ext)";
            return rc;
        }
        drv->max_tx_queues = ENA_MIN(ena_le32(q.max_tx_sq_num),
                                     ena_le32(q.max_tx_cq_num));
        drv->max_rx_queues = ENA_MIN(ena_le32(q.max_rx_sq_num),
                                     ena_le32(q.max_rx_cq_num));
        drv->max_tx_depth = ENA_MIN(ena_le32(q.max_tx_sq_depth),
                                    ena_le32(q.max_tx_cq_depth));
        drv->max_rx_depth = ENA_MIN(ena_le32(q.max_rx_sq_depth),
                                    ena_le32(q.max_rx_cq_depth));
        drv->max_tx_descs = ena_le16(q.max_per_packet_tx_descs);
        drv->max_rx_descs = ena_le16(q.max_per_packet_rx_descs);
    } else {
        EnaAdminMaxQueuesFeature q;

        rc = ena_com_get_feature(com, ENA_ADMIN_MAX_QUEUES_NUM, 0, NULL, 0,
                                 &q, sizeof(q));
        if (rc) {
            *what = "Cannot get max queues";
            return rc;
        }
        drv->max_tx_queues = ENA_MIN(ena_le32(q.max_sq_num),
                                     ena_le32(q.max_cq_num));
        drv->max_rx_queues = drv->max_tx_queues;
        drv->max_tx_depth = ENA_MIN(ena_le32(q.max_sq_depth),
                                    ena_le32(q.max_cq_depth));
        drv->max_rx_depth = drv->max_tx_depth;
        drv->max_tx_descs = ena_le16(q.max_packet_tx_descs);
        drv->max_rx_descs = ena_le16(q.max_packet_rx_descs);
    }
    drv->max_tx_descs = ENA_MIN(drv->max_tx_descs, ENA_ETH_MAX_PKT_DESCS);
    drv->max_rx_descs = ENA_MIN(drv->max_rx_descs, ENA_ETH_MAX_PKT_DESCS);

    rc = ena_com_get_feature(com, ENA_ADMIN_AENQ_CONFIG, 0, NULL, 0, &aenq,
                             sizeof(aenq));
    if (rc) {
        *what = "Cannot get AENQ configuration";
        return rc;
    }
    drv->aenq_supported = ena_le32(aenq.supported_groups);

    /* no offloads are used, but Linux requires the feature */
    rc = ena_com_get_feature(com, ENA_ADMIN_STATELESS_OFFLOAD_CONFIG, 0, NULL,
                             0, &offload, sizeof(offload));
    if (rc) {
        *what = "Cannot get offload configuration";
        return rc;
    }

    if (ena_com_feature_supported(com, ENA_ADMIN_HW_HINTS)) {
        EnaAdminHwHints hints;

        rc = ena_com_get_feature(com, ENA_ADMIN_HW_HINTS, 0, NULL, 0, &hints,
                                 sizeof(hints));
        if (!rc) {
            ena_com_hints_to_host(&hints);
            ena_drv_apply_hints(drv, &hints);
        } else if (rc != -ENA_EOPNOTSUPP) {
            *what = "Cannot get HW hints";
            return rc;
        }
    }
    if (!drv->cfg.llq && ena_com_feature_supported(com, ENA_ADMIN_LLQ)) {
        ena_plat_log(drv->plat, ENA_LOG_INFO,
                     "LLQ offered; this driver uses host placement");
    }
    return 0;
}

static void ena_drv_llq_fallback(EnaDrv *drv, const char *why, int rc)
{
    drv->stats.llq_fallbacks++;
    ena_plat_log(drv->plat, ENA_LOG_NOTICE,
                 "LLQ not used (%s, %d); TX rings in host memory", why, rc);
}

/*
 * §5.6: with cfg.llq, and the device offering LLQ with a memory BAR, agree
 * on a geometry with GET/SET_FEATURE(LLQ); anything short of that leaves
 * host placement. Again after every reset: the device forgets it.
 */
static void ena_drv_llq_config(EnaDrv *drv)
{
    EnaCom *com = &drv->com;
    EnaAdminLlqFeature offer, set;
    EnaEthLlq llq;
    uint32_t depth;
    int rc;

    drv->llq_active = false;
    if (!drv->cfg.llq) {
        return;
    }
    if (!ena_com_feature_supported(com, ENA_ADMIN_LLQ)) {
        ena_drv_llq_fallback(drv, "the device does not offer it", 0);
        return;
    }
    if (!ena_plat_llq_bar_size(drv->plat)) {
        ena_drv_llq_fallback(drv, "offered, but the device has no memory "
                             "BAR", 0);
        return;
    }
    rc = ena_com_get_feature(com, ENA_ADMIN_LLQ, 0, NULL, 0, &offer,
                             sizeof(offer));
    if (rc) {
        ena_drv_llq_fallback(drv, "GET_FEATURE(LLQ) failed", rc);
        return;
    }
    rc = ena_eth_llq_choose(&offer, &llq, &set, &depth);
    if (rc) {
        ena_drv_llq_fallback(drv, "no usable configuration offered", rc);
        return;
    }
    rc = ena_com_set_feature(com, ENA_ADMIN_LLQ, 0, &set, sizeof(set),
                             NULL, 0);
    if (rc) {
        ena_drv_llq_fallback(drv, "SET_FEATURE(LLQ) failed", rc);
        return;
    }
    drv->llq = llq;
    /* every TX SQ is an LLQ one, no deeper than the entry size allows */
    drv->max_tx_queues = ENA_MIN(drv->max_tx_queues,
                                 ena_le32(offer.max_llq_num));
    drv->max_tx_depth = ENA_MIN(drv->max_tx_depth, depth);
    drv->llq_active = true;
    ena_plat_log(drv->plat, ENA_LOG_INFO,
                 "LLQ: %u-byte entries, %u descriptors before a header of up "
                 "to %u bytes, %u per entry after, burst %u entries, meta "
                 "descriptor %s", llq.entry_size, llq.descs_before_hdr,
                 llq.max_header, llq.descs_per_entry, llq.burst_entries,
                 llq.meta_every_pkt ? "always" : "never");
}

static int ena_drv_config_aenq(EnaDrv *drv)
{
    EnaAdminAenqConfigFeature cfg;
    int rc;

    ena_mem_zero(&cfg, sizeof(cfg));
    drv->aenq_groups = ENA_COM_AENQ_GROUPS_WANTED & drv->aenq_supported;
    cfg.enabled_groups = ena_le32(drv->aenq_groups);
    rc = ena_com_set_feature(&drv->com, ENA_ADMIN_AENQ_CONFIG, 0, &cfg,
                             sizeof(cfg), NULL, 0);
    /* the keep-alive watchdog only runs when the device sends them */
    drv->keep_alive_armed = !rc &&
        (drv->aenq_groups & ENA_BIT(ENA_ADMIN_KEEP_ALIVE));
    return rc;
}

static int ena_drv_queue_limits(EnaDrv *drv)
{
    uint32_t max_q = ENA_MIN(ENA_MIN(drv->max_tx_queues, drv->max_rx_queues),
                             (uint32_t)ENA_DRV_MAX_QUEUES);
    uint16_t num;

    if (drv->nvec) {
        /* after a reset: the vectors we already have */
        max_q = ENA_MIN(max_q, (uint32_t)drv->nvec - 1);
    }
    num = drv->cfg.num_queues ? ENA_MIN(drv->cfg.num_queues, max_q) : max_q;
    if (!num || drv->max_tx_depth < 2 || drv->max_rx_depth < 2) {
        return -ENA_EFAULT;
    }
    drv->num_queues = num;
    drv->tx_depth = ENA_MIN(drv->cfg.tx_depth,
                            ena_rounddown_pow2(drv->max_tx_depth));
    drv->rx_depth = ENA_MIN(drv->cfg.rx_depth,
                            ena_rounddown_pow2(drv->max_rx_depth));
    return 0;
}

static int ena_drv_intr_moderation(EnaDrv *drv)
{
    EnaAdminIntrModerationFeature m;
    int rc;

    drv->intr_delay_resolution = 1;
    if (!ena_com_feature_supported(&drv->com,
                                   ENA_ADMIN_INTERRUPT_MODERATION)) {
        return 0;
    }
    rc = ena_com_get_feature(&drv->com, ENA_ADMIN_INTERRUPT_MODERATION, 0,
                             NULL, 0, &m, sizeof(m));
    if (rc == -ENA_EOPNOTSUPP) {
        return 0;
    }
    if (rc) {
        return rc;
    }
    drv->intr_delay_resolution = ena_le16(m.intr_delay_resolution);
    if (!drv->intr_delay_resolution) {
        ena_plat_log(drv->plat, ENA_LOG_WARN,
                     "Illegal intr_delay_resolution provided. Going to use "
                     "default 1 usec resolution");
        drv->intr_delay_resolution = 1;
    }
    return 0;
}

/* §8.1 steps 2-14; also the restore half of a reset. */
static int ena_drv_device_init(EnaDrv *drv, const char **what)
{
    EnaCom *com = &drv->com;
    int rc;

    rc = ena_com_mmio_init(com);
    if (rc) {
        *what = "Cannot allocate the readless response buffer";
        return ena_drv_oom(drv, rc, *what);
    }
    rc = ena_com_dev_reset(com, ENA_REGS_RESET_NORMAL);
    if (rc) {
        *what = "Can not reset device";
        return rc;
    }
    rc = ena_com_validate_version(com);
    if (rc) {
        *what = "Device version is too low";
        return rc;
    }
    rc = ena_com_get_dma_width(com);
    if (rc) {
        *what = "Invalid dma width value";
        return rc;
    }
    rc = ena_com_admin_init(com);
    if (rc) {
        *what = "Can not initialize ena admin queue with device";
        return ena_drv_oom(drv, rc, *what);
    }
    ena_drv_set_host_info(drv);
    rc = ena_drv_get_features(drv, what);
    if (rc) {
        return rc;
    }
    rc = ena_drv_config_aenq(drv);
    if (rc) {
        *what = "Cannot configure aenq groups";
        return rc;
    }
    ena_drv_llq_config(drv);
    rc = ena_drv_queue_limits(drv);
    if (rc) {
        *what = "No IO queues available";
        return rc;
    }
    rc = ena_drv_intr_moderation(drv);
    if (rc) {
        *what = "Failed to query interrupt moderation feature";
        return rc;
    }
    /* optional, as in Linux: the NIC works without its clock */
    if (drv->cfg.phc &&
        ena_com_feature_supported(com, ENA_ADMIN_PHC_CONFIG)) {
        rc = ena_com_phc_config(com);
        if (rc) {
            ena_plat_log(drv->plat, ENA_LOG_ERR,
                         "Failed to config phc, error: %d", rc);
        }
    }
    return 0;
}

/* §8.1 step 16: admin completions and AENQ events by MSI-X from now on. */
static void ena_drv_enable_intr(EnaDrv *drv)
{
    if (!drv->cfg.admin_polling) {
        ena_com_set_admin_polling(&drv->com, false);
    }
    ena_com_aenq_start(&drv->com);
}

/* ---- IO queues ---------------------------------------------------------- */

static void ena_drv_free_queues(EnaDrv *drv, bool graceful)
{
    for (uint16_t i = 0; i < ENA_DRV_MAX_QUEUES; i++) {
        if (graceful && drv->com.admin.running) {
            ena_eth_destroy_sq(&drv->com, &drv->tx[i].sq,
                               ENA_ADMIN_SQ_DIRECTION_TX);
            ena_eth_destroy_cq(&drv->com, &drv->tx[i].cq);
        }
        ena_eth_tx_free(&drv->tx[i], drv->plat);
    }
    for (uint16_t i = 0; i < ENA_DRV_MAX_QUEUES; i++) {
        if (graceful && drv->com.admin.running) {
            ena_eth_destroy_sq(&drv->com, &drv->rx[i].sq,
                               ENA_ADMIN_SQ_DIRECTION_RX);
            ena_eth_destroy_cq(&drv->com, &drv->rx[i].cq);
        }
        ena_eth_rx_free(&drv->rx[i], drv->plat);
    }
}

/*
 * Create every TX pair, then every RX pair (§8.2). *no_res tells that the
 * device answered RESOURCE_ALLOCATION_FAILURE, which asks for smaller
 * rings.
 */
static int ena_drv_create_queues(EnaDrv *drv, uint16_t tx_depth,
                                 uint16_t rx_depth, bool *no_res)
{
    bool mbz = drv->com.capabilities & ENA_BIT(ENA_ADMIN_CDESC_MBZ);
    int rc;

    *no_res = false;
    for (uint16_t i = 0; i < drv->num_queues; i++) {
        EnaEthTxQueue *q = &drv->tx[i];

        rc = ena_eth_tx_setup_llq(q, drv->plat, i, tx_depth,
                                  drv->cfg.tx_buf_size, drv->max_tx_descs,
                                  drv->llq_active ? &drv->llq : NULL);
        if (rc) {
            return ena_drv_oom(drv, rc, "TX queue allocation failed");
        }
        q->cdesc_mbz = mbz;
        rc = ena_eth_create_cq(&drv->com, &q->cq, 1 + i);
        if (!rc && drv->llq_active) {
            rc = ena_eth_create_tx_sq_llq(&drv->com, q, q->cq.idx,
                                          ena_plat_llq_bar_size(drv->plat));
        } else if (!rc) {
            rc = ena_eth_create_sq(&drv->com, &q->sq,
                                   ENA_ADMIN_SQ_DIRECTION_TX, q->cq.idx);
        }
        if (rc) {
            *no_res = rc == -ENA_ENOMEM;
            return rc;
        }
    }
    for (uint16_t i = 0; i < drv->num_queues; i++) {
        EnaEthRxQueue *q = &drv->rx[i];

        rc = ena_eth_rx_setup(q, drv->plat, i, rx_depth,
                              drv->cfg.rx_buf_size, drv->max_rx_descs);
        if (rc) {
            return ena_drv_oom(drv, rc, "RX queue allocation failed");
        }
        q->cdesc_mbz = mbz;
        rc = ena_eth_create_cq(&drv->com, &q->cq, 1 + i);
        if (!rc) {
            rc = ena_eth_create_sq(&drv->com, &q->sq,
                                   ENA_ADMIN_SQ_DIRECTION_RX, q->cq.idx);
        }
        if (rc) {
            *no_res = rc == -ENA_ENOMEM;
            return rc;
        }
    }
    return 0;
}

static uint32_t ena_drv_unmask_value(EnaDrv *drv)
{
    uint16_t res = drv->intr_delay_resolution ? drv->intr_delay_resolution : 1;

    return ena_eth_intr_reg_value(drv->cfg.rx_intr_delay_us / res,
                                  drv->cfg.tx_intr_delay_us / res, true);
}

static int ena_drv_up_internal(EnaDrv *drv)
{
    uint16_t tx_depth = drv->tx_depth, rx_depth = drv->rx_depth;
    EnaAdminMtuFeature mtu;
    bool no_res;
    int rc;

    for (;;) {
        rc = ena_drv_create_queues(drv, tx_depth, rx_depth, &no_res);
        if (!rc) {
            break;
        }
        ena_drv_free_queues(drv, true);
        if (!no_res || ENA_MAX(tx_depth, rx_depth) / 2 <
                       ENA_DRV_MIN_RING_DEPTH) {
            if (no_res) {
                ena_drv_event(drv, ENA_EV_OUT_OF_RESOURCES,
                              ENA_EVLOG_NO_REASON, tx_depth,
                              "device has no resources for IO queues");
            }
            return rc;
        }
        /* halve the larger ring, or both when they are equal */
        if (tx_depth == rx_depth) {
            tx_depth /= 2;
            rx_depth /= 2;
        } else if (tx_depth > rx_depth) {
            tx_depth /= 2;
        } else {
            rx_depth /= 2;
        }
        ena_plat_log(drv->plat, ENA_LOG_NOTICE,
                     "Retrying queue creation with sizes TX %u RX %u",
                     tx_depth, rx_depth);
    }
    drv->tx_depth = tx_depth;
    drv->rx_depth = rx_depth;

    if (ena_com_feature_supported(&drv->com, ENA_ADMIN_MTU)) {
        mtu.mtu = ena_le32(drv->mtu);
        rc = ena_com_set_feature(&drv->com, ENA_ADMIN_MTU, 0, &mtu,
                                 sizeof(mtu), NULL, 0);
        if (rc) {
            ena_plat_log(drv->plat, ENA_LOG_ERR, "Failed to set MTU to %u",
                         drv->mtu);
        }
    }
    for (uint16_t i = 0; i < drv->num_queues; i++) {
        ena_eth_rx_refill(&drv->rx[i], drv->plat);
    }
    for (uint16_t i = 0; i <= ENA_DRV_MAX_QUEUES; i++) {
        drv->vector_fired[i] = false;
    }
    for (uint16_t i = 0; i < drv->num_queues; i++) {
        /* one register per pair: the TX CQ's unmasks the whole vector */
        ena_eth_unmask(drv->plat, &drv->tx[i].cq, ena_drv_unmask_value(drv));
        drv->stats.unmask_writes++;
    }
    drv->up = true;
    return 0;
}

int ena_drv_up(EnaDrv *drv)
{
    int rc;

    if (drv->state != ENA_DRV_STATE_RUNNING) {
        return -ENA_ENODEV;
    }
    if (drv->up) {
        return 0;
    }
    rc = ena_drv_up_internal(drv);
    if (!rc && drv->paused) {
        drv->paused = false;
        ena_drv_event(drv, ENA_EV_RESTARTED, ENA_EVLOG_NO_REASON,
                      drv->num_queues, "interface up");
    }
    return rc;
}

int ena_drv_down(EnaDrv *drv)
{
    if (drv->state != ENA_DRV_STATE_RUNNING || !drv->up) {
        return 0;
    }
    ena_drv_free_queues(drv, true);
    drv->up = false;
    drv->paused = true;
    ena_drv_event(drv, ENA_EV_PAUSED, ENA_EVLOG_NO_REASON, 0,
                  "interface down");
    if (!drv->com.admin.running) {
        ena_plat_log(drv->plat, ENA_LOG_ERR,
                     "Destroy failure, restarting device");
        ena_drv_request(drv, ena_drv_check_admin(drv), 0);
    }
    return 0;
}

/* Free everything; @touch_device: also write the registers that say so. */
static void ena_drv_teardown(EnaDrv *drv, bool touch_device)
{
    ena_drv_free_queues(drv, false);
    drv->up = false;
    ena_com_admin_destroy(&drv->com);
    if (touch_device) {
        ena_com_mmio_destroy(&drv->com);
    } else {
        ena_plat_dma_free(drv->plat, &drv->com.mmio_resp);
    }
}

/* ---- probe -------------------------------------------------------------- */

static bool ena_drv_config_ok(const EnaDrvConfig *cfg)
{
    return ena_is_pow2(cfg->tx_depth) && cfg->tx_depth >= 2 &&
           cfg->tx_depth <= ENA_ETH_MAX_DEPTH &&
           ena_is_pow2(cfg->rx_depth) && cfg->rx_depth >= 2 &&
           cfg->rx_depth <= ENA_ETH_MAX_DEPTH &&
           cfg->tx_buf_size && cfg->tx_buf_size <= 0xffff &&
           cfg->rx_buf_size && cfg->rx_buf_size <= ENA_ETH_MAX_BUF_SIZE &&
           cfg->mtu >= ENA_DRV_MIN_MTU;
}

static int ena_drv_probe_failed(EnaDrv *drv, int rc, const char *what,
                                bool reset_dev)
{
    /* rings the device knows about are freed only after it is stopped */
    reset_dev = reset_dev || drv->com.admin.sq_mem.virt;
    drv->stats.init_failures++;
    ena_plat_log(drv->plat, ENA_LOG_ERR, "%s (%d)", what, rc);
    ena_plat_log(drv->plat, ENA_LOG_ERR, "ENA device init failed");
    if (reset_dev) {
        ena_drv_dev_reset(drv, ENA_REGS_RESET_INIT_ERR);
    }
    ena_drv_teardown(drv, true);
    ena_plat_msix_teardown(drv->plat);
    drv->nvec = 0;
    ena_drv_free_host_attr(drv);
    ena_com_phc_destroy(&drv->com);
    drv->state = ENA_DRV_STATE_DEAD;
    ena_drv_event(drv, ENA_EV_INIT_FAILED,
                  reset_dev ? ENA_REGS_RESET_INIT_ERR : ENA_EVLOG_NO_REASON,
                  (uint64_t)-rc, what);
    return rc;
}

static uint64_t ena_drv_next_second(uint64_t now)
{
    return (now / ENA_DRV_SERVICE_PERIOD_NS + 1) * ENA_DRV_SERVICE_PERIOD_NS;
}

int ena_drv_probe(EnaDrv *drv, EnaPlat *plat, const EnaDrvConfig *cfg)
{
    const char *what = "";
    int rc, granted;

    ena_mem_zero(drv, sizeof(*drv));
    drv->plat = plat;
    if (cfg) {
        drv->cfg = *cfg;
    } else {
        ena_drv_config_default(&drv->cfg);
    }
    if (!drv->cfg.poll_interval_us) {
        drv->cfg.poll_interval_us = 1000;
    }
    ena_evlog_init(&drv->evlog);
    ena_com_init(&drv->com, plat, &drv->evlog);
    ena_com_aenq_set_ops(&drv->com, &ena_drv_aenq_ops, drv);
    ena_drv_default_timeouts(drv);
    drv->mtu = drv->cfg.mtu;
    if (!ena_drv_config_ok(&drv->cfg)) {
        return ena_drv_probe_failed(drv, -ENA_EINVAL,
                                    "Invalid driver configuration", false);
    }

    rc = ena_drv_device_init(drv, &what);
    if (rc) {
        return ena_drv_probe_failed(drv, rc, what, false);
    }
    if (drv->mtu > drv->max_mtu) {
        ena_plat_log(drv->plat, ENA_LOG_WARN,
                     "MTU %u above the device maximum %u, using that",
                     drv->mtu, drv->max_mtu);
        drv->mtu = drv->max_mtu;
    }

    granted = ena_plat_msix_setup(plat, 1 + drv->num_queues);
    if (granted < 2) {
        return ena_drv_probe_failed(drv, granted < 0 ? granted : -ENA_ENOSPC,
                                    "Can not reserve msix vectors", false);
    }
    drv->nvec = granted;
    if (drv->num_queues > granted - 1) {
        drv->num_queues = granted - 1;
    }
    ena_drv_enable_intr(drv);

    drv->state = ENA_DRV_STATE_RUNNING;
    drv->com.aenq.enabled = true;
    drv->last_keep_alive_ns = ena_drv_now(drv);
    drv->next_service_ns = ena_drv_next_second(drv->last_keep_alive_ns);

    if (drv->cfg.bring_up) {
        rc = ena_drv_up_internal(drv);
        if (rc) {
            drv->state = ENA_DRV_STATE_OFF;
            return ena_drv_probe_failed(drv, rc, "Cannot bring up the "
                                        "interface", true);
        }
    }
    ena_plat_log(plat, ENA_LOG_INFO,
                 "Elastic Network Adapter (ENA) found, mac addr "
                 "%02x:%02x:%02x:%02x:%02x:%02x, %u queue pairs",
                 drv->mac[0], drv->mac[1], drv->mac[2], drv->mac[3],
                 drv->mac[4], drv->mac[5], drv->num_queues);
    ena_drv_event(drv, ENA_EV_INITIALIZED, ENA_EVLOG_NO_REASON,
                  drv->num_queues, "adapter initialized");
    return 0;
}

/* ---- reset and recovery ------------------------------------------------- */

static const char *ena_drv_reason_msg(uint8_t reason)
{
    switch (reason) {
    case ENA_REGS_RESET_KEEP_ALIVE_TO:
        return "keep-alive watchdog expired";
    case ENA_REGS_RESET_ADMIN_TO:
        return "admin queue not running";
    case ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT:
        return "admin completion without interrupt";
    case ENA_REGS_RESET_MISS_TX_CMPL:
        return "TX completions missing";
    case ENA_REGS_RESET_MISS_INTERRUPT:
        return "IO interrupt never fired";
    case ENA_REGS_RESET_OS_NETDEV_WD:
        return "TX queue stuck full";
    case ENA_REGS_RESET_INV_RX_REQ_ID:
    case ENA_REGS_RESET_INV_TX_REQ_ID:
        return "invalid req_id";
    case ENA_REGS_RESET_TOO_MANY_RX_DESCS:
        return "RX chain too long";
    case ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED:
    case ENA_REGS_RESET_TX_DESCRIPTOR_MALFORMED:
        return "malformed completion";
    case ENA_REGS_RESET_GENERIC:
        return "device fatal error";
    case ENA_REGS_RESET_NORMAL:
    case ENA_REGS_RESET_OS_TRIGGER:
    case ENA_REGS_RESET_USER_TRIGGER:
        return "reset requested";
    default:
        return "reset";
    }
}

static bool ena_drv_reason_is_fault(uint8_t reason)
{
    return reason != ENA_REGS_RESET_NORMAL &&
           reason != ENA_REGS_RESET_OS_TRIGGER &&
           reason != ENA_REGS_RESET_USER_TRIGGER;
}

int ena_drv_reset(EnaDrv *drv, uint8_t reason)
{
    uint64_t detail = drv->reset_pending ? drv->reset_detail : 0;
    bool was_up = drv->up;
    const char *what = "";
    int rc;

    if (drv->state != ENA_DRV_STATE_RUNNING) {
        return -ENA_ENODEV;
    }
    drv->state = ENA_DRV_STATE_RESETTING;
    drv->stats.resets++;
    if (reason < ENA_REGS_RESET_LAST) {
        drv->stats.reset_reason[reason]++;
    }
    ena_drv_event(drv, ENA_EV_RESET_STARTED, reason, detail,
                  ena_drv_reason_msg(reason));

    /* destroy: nothing more goes through the admin queue */
    drv->com.admin.running = false;
    drv->com.aenq.enabled = false;
    rc = ena_drv_dev_reset(drv, reason);
    if (rc) {
        ena_plat_log(drv->plat, ENA_LOG_ERR, "Device reset failed (%d)", rc);
    }
    ena_drv_teardown(drv, true);
    drv->reset_pending = false;
    drv->reset_reason = 0;

    /* restore: probe again, check the device is the same one */
    rc = ena_drv_device_init(drv, &what);
    if (!rc) {
        ena_drv_enable_intr(drv);
        drv->state = ENA_DRV_STATE_RUNNING;
        drv->com.aenq.enabled = true;
        drv->last_keep_alive_ns = ena_drv_now(drv);
        if (was_up) {
            rc = ena_drv_up_internal(drv);
            what = "Cannot bring up the interface";
        }
    }
    if (rc) {
        ena_plat_log(drv->plat, ENA_LOG_ERR, "Can not initialize device: %s",
                     what);
        ena_plat_log(drv->plat, ENA_LOG_ERR,
                     "Reset attempt failed. Can not reset the device");
        drv->state = ENA_DRV_STATE_DEAD;
        ena_drv_dev_reset(drv, ENA_REGS_RESET_DRIVER_INVALID_STATE);
        ena_drv_teardown(drv, true);
        ena_plat_msix_teardown(drv->plat);
        drv->nvec = 0;
        ena_drv_free_host_attr(drv);
        ena_com_phc_destroy(&drv->com);
        drv->stats.reset_failures++;
        ena_drv_event(drv, ENA_EV_RESET_FAILED, reason, (uint64_t)-rc, what);
        return rc;
    }
    drv->stats.recoveries++;
    drv->last_keep_alive_ns = ena_drv_now(drv);
    ena_plat_log(drv->plat, ENA_LOG_INFO,
                 "Device reset completed successfully");
    if (ena_drv_reason_is_fault(reason)) {
        ena_drv_event(drv, ENA_EV_RECOVERED, reason, detail,
                      "recovered from device issue");
    } else {
        ena_drv_event(drv, ENA_EV_RESTARTED, reason, detail,
                      "adapter restarted");
    }
    return 0;
}

/* ---- remove ------------------------------------------------------------- */

static void ena_drv_stop(EnaDrv *drv, uint16_t event, const char *msg)
{
    if (drv->state == ENA_DRV_STATE_OFF) {
        return;
    }
    if (drv->state == ENA_DRV_STATE_RUNNING) {
        if (drv->up) {
            ena_drv_free_queues(drv, true);
            drv->up = false;
        }
        ena_drv_dev_reset(drv, ENA_REGS_RESET_SHUTDOWN);
    }
    if (drv->state != ENA_DRV_STATE_REMOVED) {
        ena_drv_teardown(drv, true);
        ena_plat_msix_teardown(drv->plat);
    }
    drv->nvec = 0;
    ena_drv_free_host_attr(drv);
    ena_com_phc_destroy(&drv->com);
    drv->state = ENA_DRV_STATE_OFF;
    ena_drv_event(drv, event, ENA_REGS_RESET_SHUTDOWN, 0, msg);
}

void ena_drv_remove(EnaDrv *drv)
{
    ena_drv_stop(drv, ENA_EV_HALTED, "adapter halted");
}

void ena_drv_shutdown(EnaDrv *drv)
{
    ena_drv_stop(drv, ENA_EV_SHUT_DOWN, "adapter shut down");
}

void ena_drv_surprise_removed(EnaDrv *drv)
{
    if (drv->state == ENA_DRV_STATE_OFF ||
        drv->state == ENA_DRV_STATE_REMOVED) {
        return;
    }
    /* no register access any more: only free our memory */
    ena_drv_teardown(drv, false);
    drv->state = ENA_DRV_STATE_REMOVED;
    ena_drv_event(drv, ENA_EV_SURPRISE_REMOVED, ENA_EVLOG_NO_REASON, 0,
                  "adapter surprise removed");
}

/* ---- data path ---------------------------------------------------------- */

int ena_drv_set_mtu(EnaDrv *drv, uint32_t mtu)
{
    EnaAdminMtuFeature m;
    int rc;

    if (mtu < ENA_DRV_MIN_MTU || mtu > drv->max_mtu) {
        return -ENA_EINVAL;
    }
    if (drv->state == ENA_DRV_STATE_RUNNING && drv->up) {
        m.mtu = ena_le32(mtu);
        rc = ena_com_set_feature(&drv->com, ENA_ADMIN_MTU, 0, &m, sizeof(m),
                                 NULL, 0);
        if (rc) {
            ena_plat_log(drv->plat, ENA_LOG_ERR, "Failed to set MTU to %u",
                         mtu);
            return rc;
        }
    }
    drv->mtu = mtu;
    return 0;
}

int ena_drv_xmit(EnaDrv *drv, uint16_t qid, const EnaFrag *frags,
                 uint16_t nfrags)
{
    uint32_t len = 0;
    int rc;

    if (drv->state != ENA_DRV_STATE_RUNNING || !drv->up ||
        drv->reset_pending || !drv->link_up) {
        drv->stats.xmit_refused++;
        return drv->reset_pending ? -ENA_EBUSY : -ENA_ENETDOWN;
    }
    if (qid >= drv->num_queues) {
        return -ENA_EINVAL;
    }
    for (uint16_t i = 0; i < nfrags; i++) {
        len += frags[i].len;
    }
    if (len > drv->mtu + ENA_DRV_L2_OVERHEAD) {
        drv->tx[qid].stats.bad_frame++;
        return -ENA_EMSGSIZE;
    }
    rc = ena_eth_xmit(&drv->tx[qid], drv->plat, frags, nfrags,
                      ena_drv_now(drv));
    if (rc >= 0) {
        drv->stats.tx_frames++;
    }
    return rc;
}

static int ena_drv_rx_process(EnaDrv *drv, uint16_t qid)
{
    EnaEthRxQueue *q = &drv->rx[qid];
    EnaFrag frags[ENA_ETH_MAX_PKT_DESCS];
    EnaEthRxPkt pkt;
    EnaRxInfo info;
    uint8_t reason = ENA_RESET_REASON_NONE;

    for (uint16_t budget = q->sq.depth; budget; budget--) {
        uint32_t len = 0;
        uint16_t n;
        int rc = ena_eth_rx_parse(q, drv->plat, &pkt, &reason);

        if (!rc) {
            break;
        }
        if (rc < 0) {
            ena_drv_io_error(drv, reason, qid, "bad RX completion");
            return rc;
        }
        n = ena_eth_rx_frags(q, &pkt, frags);
        for (uint16_t i = 0; i < n; i++) {
            len += frags[i].len;
        }
        info.status = pkt.status;
        info.hash = pkt.hash;
        info.ndescs = pkt.ndescs;
        ena_plat_rx_frame(drv->plat, qid, frags, n, len, &info);
        drv->stats.rx_frames++;
        ena_eth_rx_release(q, &pkt);
    }
    ena_eth_rx_refill(q, drv->plat);
    return 0;
}

/* What an IO interrupt does: clean TX, receive, then unmask the vector. */
static void ena_drv_napi(EnaDrv *drv, uint16_t qid)
{
    EnaEthTxQueue *tx = &drv->tx[qid];
    uint8_t reason = ENA_RESET_REASON_NONE;
    int rc;

    rc = ena_eth_tx_clean(tx, drv->plat, tx->sq.depth, &reason);
    if (rc < 0) {
        ena_drv_io_error(drv, reason, qid, "bad TX completion");
        return;
    }
    if (ena_drv_rx_process(drv, qid)) {
        return;
    }
    ena_eth_unmask(drv->plat, &tx->cq, ena_drv_unmask_value(drv));
    drv->stats.unmask_writes++;
}

void ena_drv_poll(EnaDrv *drv)
{
    if (drv->state != ENA_DRV_STATE_RUNNING) {
        return;
    }
    if (ena_plat_intr_take(drv->plat, 0)) {
        ena_com_mgmt_intr(&drv->com);
    }
    if (!drv->up || drv->reset_pending) {
        return;
    }
    for (uint16_t i = 0; i < drv->num_queues && !drv->reset_pending; i++) {
        if (ena_plat_intr_take(drv->plat, 1 + i)) {
            drv->vector_fired[1 + i] = true;
            drv->stats.io_interrupts++;
            ena_drv_napi(drv, i);
        }
    }
}

/* ---- service routine ---------------------------------------------------- */

uint8_t ena_drv_check_keep_alive(EnaDrv *drv, uint64_t now)
{
    uint64_t expiry;

    if (!drv->keep_alive_armed || drv->to.keep_alive_ns == ENA_TIMEOUT_NEVER) {
        return ENA_RESET_REASON_NONE;
    }
    expiry = drv->last_keep_alive_ns + drv->to.keep_alive_ns;
    if (expiry < drv->last_keep_alive_ns) {
        return ENA_RESET_REASON_NONE;   /* beyond the end of time */
    }
    return now > expiry ? ENA_REGS_RESET_KEEP_ALIVE_TO :
                          ENA_RESET_REASON_NONE;
}

uint8_t ena_drv_check_admin(EnaDrv *drv)
{
    bool ext = drv->com.capabilities &
               ENA_BIT(ENA_ADMIN_EXTENDED_RESET_REASONS);

    if (drv->com.admin.running) {
        return ENA_RESET_REASON_NONE;
    }
    /* a completion that came without its interrupt has its own reason */
    return drv->com.admin.missing_intr && ext ?
           ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT : ENA_REGS_RESET_ADMIN_TO;
}

static void ena_drv_check_io(EnaDrv *drv, uint64_t now)
{
    uint16_t n = ENA_MIN(drv->num_queues, ENA_DRV_MONITORED_QUEUES);

    for (uint16_t k = 0; k < n && !drv->reset_pending; k++) {
        uint16_t qid = (drv->tx_check_next + k) % drv->num_queues;
        bool fired = drv->vector_fired[1 + qid];
        EnaEthRxQueue *rx = &drv->rx[qid];
        uint32_t late, new_late;
        uint8_t v;

        v = ena_eth_tx_check_missing(&drv->tx[qid], now, drv->to.missing_tx_ns,
                                     drv->to.missing_tx_threshold, fired,
                                     &late, &new_late);
        if (new_late) {
            ena_plat_log(drv->plat, ENA_LOG_NOTICE,
                         "Found %u Tx that weren't completed on time, qid "
                         "%u. Missing Tx timeout value %llu msecs",
                         new_late, qid, (unsigned long long)
                         (drv->to.missing_tx_ns / ENA_NS_PER_MS));
        }
        if (v == ENA_REGS_RESET_MISS_INTERRUPT) {
            ena_plat_log(drv->plat, ENA_LOG_ERR,
                         "Potential MSIX issue on Tx side Queue = %u. Reset "
                         "the device", qid);
            drv->stats.missing_intr++;
            ena_drv_request(drv, v, qid);
            break;
        }
        if (v == ENA_REGS_RESET_MISS_TX_CMPL) {
            ena_plat_log(drv->plat, ENA_LOG_ERR,
                         "The number of lost tx completions is above the "
                         "threshold (%u > %u). Reset the device", late,
                         drv->to.missing_tx_threshold);
            drv->stats.missing_tx_cmpl++;
            ena_drv_request(drv, v, late);
            break;
        }

        /* the kernel's netdev watchdog: a queue that cannot send */
        if (drv->tx[qid].full &&
            now - drv->tx[qid].full_since_ns > drv->to.netdev_wd_ns) {
            ena_plat_log(drv->plat, ENA_LOG_ERR,
                         "TX q %u is paused for too long (threshold %llu "
                         "msecs)", qid, (unsigned long long)
                         (drv->to.netdev_wd_ns / ENA_NS_PER_MS));
            drv->stats.tx_timeout++;
            ena_drv_request(drv, ENA_REGS_RESET_OS_NETDEV_WD, qid);
            break;
        }

        /* RX: completions waiting while the vector never fired */
        if (!fired && ena_eth_cq_pending(&rx->cq, drv->plat)) {
            if (++rx->no_intr_checks >= ENA_DRV_RX_NO_INTR_CHECKS) {
                ena_plat_log(drv->plat, ENA_LOG_ERR,
                             "Potential MSIX issue on Rx side Queue = %u. "
                             "Reset the device", qid);
                drv->stats.missing_intr++;
                ena_drv_request(drv, ENA_REGS_RESET_MISS_INTERRUPT, qid);
                break;
            }
        } else {
            rx->no_intr_checks = 0;
        }

        /* an RX ring the device has nothing in gets refilled */
        if (!rx->posted) {
            if (++rx->empty_checks >= 2) {
                rx->stats.empty_ring++;
                rx->empty_checks = 0;
                ena_eth_rx_refill(rx, drv->plat);
            }
        } else {
            rx->empty_checks = 0;
        }
    }
    if (drv->num_queues) {
        drv->tx_check_next = (drv->tx_check_next + n) % drv->num_queues;
    }
}

void ena_drv_service(EnaDrv *drv)
{
    uint64_t now = ena_drv_now(drv);
    uint8_t v;

    if (drv->state != ENA_DRV_STATE_RUNNING) {
        return;
    }
    drv->stats.service_runs++;
    v = ena_drv_check_keep_alive(drv, now);
    if (v != ENA_RESET_REASON_NONE) {
        uint64_t ms = (now - drv->last_keep_alive_ns) / ENA_NS_PER_MS;

        ena_plat_log(drv->plat, ENA_LOG_ERR,
                     "Keep alive watchdog timeout, %llu msecs since last "
                     "keep alive", (unsigned long long)ms);
        drv->stats.wd_expired++;
        ena_drv_request(drv, v, ms);
    }
    v = ena_drv_check_admin(drv);
    if (v != ENA_RESET_REASON_NONE && !drv->reset_pending) {
        ena_plat_log(drv->plat, ENA_LOG_ERR,
                     "ENA admin queue is not in running state!");
        drv->stats.admin_q_pause++;
        ena_drv_request(drv, v, 0);
    }
    if (drv->up && !drv->reset_pending) {
        ena_drv_check_io(drv, now);
    }
    /* what a time daemon polling /dev/ptp would do, once a second */
    if (drv->com.phc.active && !drv->reset_pending) {
        uint64_t ts;

        drv->stats.phc_reads++;
        if (!ena_com_phc_get_time(&drv->com, &ts)) {
            drv->stats.phc_last_ns = ts;
        }
    }
    if (drv->reset_pending) {
        ena_plat_log(drv->plat, ENA_LOG_ERR, "Trigger reset is on");
        ena_drv_reset(drv, drv->reset_reason);
    }
}

void ena_drv_run(EnaDrv *drv, uint64_t ns)
{
    uint64_t now = ena_drv_now(drv);
    uint64_t end = now + ns;
    uint32_t step = drv->cfg.poll_interval_us ? drv->cfg.poll_interval_us :
                                                1000;

    drv->run_break = false;
    for (;;) {
        uint64_t until;

        ena_drv_poll(drv);
        now = ena_drv_now(drv);
        if (drv->state == ENA_DRV_STATE_RUNNING &&
            now >= drv->next_service_ns) {
            ena_drv_service(drv);
            now = ena_drv_now(drv);
            drv->next_service_ns = ena_drv_next_second(now);
        }
        if (now >= end || drv->run_break) {
            break;
        }
        until = end;
        if (drv->state == ENA_DRV_STATE_RUNNING) {
            until = ENA_MIN(until, drv->next_service_ns);
        }
        ena_plat_wait_device(drv->plat,
                             (uint32_t)ENA_MIN((uint64_t)step,
                                               (end - now + 999) / 1000),
                             until > now ? until - now : 1);
    }
    drv->run_break = false;
}

void ena_drv_run_break(EnaDrv *drv)
{
    drv->run_break = true;
}
