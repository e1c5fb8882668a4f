/*
 * AWS Elastic Network Adapter (ENA) PCI device
 *
 * QOM, PCI configuration, BARs, MSI-X, the network back end, properties
 * and migration. Device behaviour lives in ena_core.c and the files
 * under it (ena_internal.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/module.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "net/net.h"
#include "qom/object.h"
#include "ena_core.h"
#include "trace.h"

#define TYPE_ENA "ena"
OBJECT_DECLARE_SIMPLE_TYPE(ENAState, ENA)

struct ENAState {
    PCIDevice parent_obj;

    NICState *nic;
    NICConf conf;
    MemoryRegion mmio;
    MemoryRegion llq;

    /* properties in user units; converted into core.params at realize */
    uint32_t admin_timeout_ms;
    uint32_t reset_timeout_ms;
    uint32_t dma_width;

    ENACore core;
};

static uint64_t ena_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    ENAState *s = opaque;

    return ena_core_read(&s->core, addr, size);
}

static void ena_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    ENAState *s = opaque;

    ena_core_write(&s->core, addr, val, size);
}

/*
 * Every width reaches the core so that a bad access is logged there as a
 * guest error with a trace event, and then ignored.
 */
static const MemoryRegionOps ena_mmio_ops = {
    .read = ena_mmio_read,
    .write = ena_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static bool ena_nc_can_receive(NetClientState *nc)
{
    ENAState *s = qemu_get_nic_opaque(nc);

    return ena_core_can_receive(&s->core);
}

static ssize_t ena_nc_receive_iov(NetClientState *nc, const struct iovec *iov,
                                  int iovcnt)
{
    ENAState *s = qemu_get_nic_opaque(nc);

    return ena_core_receive_iov(&s->core, iov, iovcnt);
}

static ssize_t ena_nc_receive(NetClientState *nc, const uint8_t *buf,
                              size_t size)
{
    const struct iovec iov = {
        .iov_base = (uint8_t *)buf,
        .iov_len = size,
    };

    return ena_nc_receive_iov(nc, &iov, 1);
}

static void ena_nc_link_status_changed(NetClientState *nc)
{
    ENAState *s = qemu_get_nic_opaque(nc);

    ena_core_set_link_status(&s->core, !nc->link_down);
}

static NetClientInfo net_ena_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = ena_nc_can_receive,
    .receive = ena_nc_receive,
    .receive_iov = ena_nc_receive_iov,
    .link_status_changed = ena_nc_link_status_changed,
};

static void ena_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                             int len)
{
    ENAState *s = ENA(dev);

    pci_default_write_config(dev, addr, val, len);
    /* FLR: vfio-pci resets the function this way when a process opens it */
    pcie_cap_flr_write_config(dev, addr, val, len);
    if (range_covers_byte(addr, len, PCI_COMMAND) &&
        (dev->config[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
        ena_core_start_recv(&s->core);
    }
}

static bool ena_check_params(ENAState *s, Error **errp)
{
    ENAParams *p = &s->core.params;

    switch (p->device_id) {
    case ENA_PCI_DEVICE_ID_PF:
    case ENA_PCI_DEVICE_ID_LLQ_PF:
    case ENA_PCI_DEVICE_ID_VF:
    case ENA_PCI_DEVICE_ID_LLQ_VF:
    case ENA_PCI_DEVICE_ID_RESRV0:
        break;
    default:
        error_setg(errp, "device-id 0x%x is not an ENA device id "
                   "(0x0ec2, 0x1ec2, 0xec20, 0xec21 or 0x0051)", p->device_id);
        return false;
    }
    if (p->queues < 1 || p->queues > ENA_MAX_QUEUE_PAIRS) {
        error_setg(errp, "queues=%u: must be 1 to %d", p->queues,
                   ENA_MAX_QUEUE_PAIRS);
        return false;
    }
    if (p->max_depth < ENA_MIN_QUEUE_DEPTH ||
        p->max_depth > ENA_MAX_QUEUE_DEPTH || !is_power_of_2(p->max_depth)) {
        error_setg(errp, "queue-depth=%u: must be a power of two from %d "
                   "to %d", p->max_depth, ENA_MIN_QUEUE_DEPTH,
                   ENA_MAX_QUEUE_DEPTH);
        return false;
    }
    if (p->max_mtu < ENA_DEFAULT_MTU || p->max_mtu > ENA_MAX_MTU) {
        error_setg(errp, "max-mtu=%u: must be %d to %d", p->max_mtu,
                   ENA_DEFAULT_MTU, ENA_MAX_MTU);
        return false;
    }
    if (p->keepalive_ms > 60000) {
        error_setg(errp, "keepalive-ms=%u: must be at most 60000 (0 sends "
                   "no keep-alive)", p->keepalive_ms);
        return false;
    }
    if (s->admin_timeout_ms % 100 || s->admin_timeout_ms > 1500) {
        error_setg(errp, "admin-timeout-ms=%u: must be a multiple of 100 up "
                   "to 1500 (0 leaves the driver's default)",
                   s->admin_timeout_ms);
        return false;
    }
    if (s->reset_timeout_ms % 100 || s->reset_timeout_ms < 100 ||
        s->reset_timeout_ms > 3100) {
        error_setg(errp, "reset-timeout-ms=%u: must be a multiple of 100 "
                   "from 100 to 3100", s->reset_timeout_ms);
        return false;
    }
    if (s->dma_width < 32 || s->dma_width > 48) {
        error_setg(errp, "dma-width=%u: must be 32 to 48", s->dma_width);
        return false;
    }
    if (p->reset_latency_us > 10 * 1000 * 1000) {
        error_setg(errp, "reset-latency-us=%u: must be at most 10 s",
                   p->reset_latency_us);
        return false;
    }
    if (!p->link_speed || p->link_speed > 1000000) {
        error_setg(errp, "link-speed=%u: must be 1 to 1000000 Mb/s",
                   p->link_speed);
        return false;
    }
    if (p->wire_kbps > 1000000000) {
        error_setg(errp, "wire-kbps=%u: must be at most 1000000000 (0: "
                   "link-speed)", p->wire_kbps);
        return false;
    }
    if (!p->dma_mbps || p->dma_mbps > 1000000) {
        error_setg(errp, "dma-mbps=%u: must be 1 to 1000000 Mb/s",
                   p->dma_mbps);
        return false;
    }
    if (p->pcie_latency_ns > 1000000 || p->admin_latency_ns > 1000000000 ||
        p->readless_latency_ns > 1000000000) {
        error_setg(errp, "pcie-latency-ns=%u admin-latency-ns=%u "
                   "readless-latency-ns=%u: at most 1 ms, 1 s and 1 s",
                   p->pcie_latency_ns, p->admin_latency_ns,
                   p->readless_latency_ns);
        return false;
    }
    if (!p->tx_fifo_kb || p->tx_fifo_kb > 65536) {
        error_setg(errp, "tx-fifo-kb=%u: must be 1 to 65536", p->tx_fifo_kb);
        return false;
    }
    if (p->rx_fifo_kb > 65536 ||
        (uint64_t)p->rx_fifo_kb * KiB < p->max_mtu + ENA_MAX_L2_OVERHEAD) {
        error_setg(errp, "rx-fifo-kb=%u: must hold a frame of max-mtu=%u "
                   "and be at most 65536", p->rx_fifo_kb, p->max_mtu);
        return false;
    }
    if (p->phc_expire_us > p->phc_block_us) {
        error_setg(errp, "phc-expire-us=%u is longer than phc-block-us=%u: "
                   "drivers would cut it to the block time",
                   p->phc_expire_us, p->phc_block_us);
        return false;
    }
    if (p->phc_block_us > 60 * 1000 * 1000) {
        error_setg(errp, "phc-block-us=%u: must be at most 60 s",
                   p->phc_block_us);
        return false;
    }
    if (p->phc_error_bound_ns == UINT32_MAX) {
        error_setg(errp, "phc-error-bound-ns=%u: drivers take 0xffffffff "
                   "for \"no valid bound\"", p->phc_error_bound_ns);
        return false;
    }
    if (!p->intr_delay_resolution || p->intr_delay_resolution > 0xffff) {
        error_setg(errp, "intr-delay-resolution=%u: must be 1 to 65535",
                   p->intr_delay_resolution);
        return false;
    }
    p->caps_admin_to = s->admin_timeout_ms / 100;
    p->caps_reset_to = s->reset_timeout_ms / 100;
    p->dma_width = s->dma_width;
    return true;
}

static void ena_pci_realize(PCIDevice *pci_dev, Error **errp)
{
    ENAState *s = ENA(pci_dev);
    DeviceState *dev = DEVICE(pci_dev);
    uint32_t nr_vectors = 1 + s->core.params.queues;

    if (!ena_check_params(s, errp)) {
        return;
    }

    pci_dev->config_write = ena_write_config;
    pci_config_set_device_id(pci_dev->config, s->core.params.device_id);
    pci_config_set_revision(pci_dev->config, s->core.params.readless ?
                            0 : ENA_PCI_REV_MMIO_READ_DISABLE);
    pci_dev->config[PCI_INTERRUPT_PIN] = 1;

    memory_region_init_io(&s->mmio, OBJECT(s), &ena_mmio_ops, s, "ena-regs",
                          ENA_BAR0_SIZE);
    pci_register_bar(pci_dev, ENA_REG_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);
    if (s->core.params.llq && s->core.params.llq_mem_bar) {
        /*
         * Plain RAM: drivers fill entries with streams of 64-bit writes,
         * which then cost no exit each; the device reads them only when
         * the SQ doorbell rings. It migrates as a RAM block.
         */
        if (!memory_region_init_ram(&s->llq, OBJECT(s), "ena-llq",
                                    ena_core_llq_bar_size(&s->core.params),
                                    errp)) {
            return;
        }
        s->core.llq_mem = memory_region_get_ram_ptr(&s->llq);
        s->core.llq_mem_size = memory_region_size(&s->llq);
        pci_register_bar(pci_dev, ENA_MEM_BAR,
                         PCI_BASE_ADDRESS_SPACE_MEMORY |
                         PCI_BASE_ADDRESS_MEM_TYPE_64 |
                         PCI_BASE_ADDRESS_MEM_PREFETCH, &s->llq);
    }

    if (pcie_endpoint_cap_init(pci_dev, 0xa0) < 0) {
        error_setg(errp, "ena: cannot add the PCIe capability");
        return;
    }
    if (msix_init_exclusive_bar(pci_dev, nr_vectors, ENA_MSIX_BAR, errp)) {
        return;
    }
    for (uint32_t v = 0; v < nr_vectors; v++) {
        msix_vector_use(pci_dev, v);
    }
    pcie_cap_flr_init(pci_dev);

    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    s->nic = qemu_new_nic(&net_ena_info, &s->conf,
                          object_get_typename(OBJECT(s)), dev->id,
                          &dev->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);

    ena_core_realize(&s->core, pci_dev, s->nic, s->conf.macaddr.a,
                     nr_vectors);
    trace_ena_realize(s->core.params.device_id, s->core.params.queues,
                      s->core.params.readless);
}

static void ena_pci_uninit(PCIDevice *pci_dev)
{
    ENAState *s = ENA(pci_dev);

    ena_core_unrealize(&s->core);
    if (s->core.llq_mem) {
        vmstate_unregister_ram(&s->llq, DEVICE(pci_dev));
        s->core.llq_mem = NULL;
    }
    msix_unuse_all_vectors(pci_dev);
    msix_uninit_exclusive_bar(pci_dev);
    qemu_del_nic(s->nic);
}

static void ena_qdev_reset_hold(Object *obj, ResetType type)
{
    ENAState *s = ENA(obj);

    ena_core_reset(&s->core, ENA_RESET_POWER_ON);
}

static int ena_post_load(void *opaque, int version_id)
{
    ENAState *s = opaque;

    return ena_core_post_load(&s->core);
}

static const VMStateDescription ena_vmstate = {
    .name = "ena",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ena_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, ENAState),
        VMSTATE_MSIX(parent_obj, ENAState),
        VMSTATE_STRUCT(core, ENAState, 1, vmstate_ena_core, ENACore),
        VMSTATE_END_OF_LIST()
    }
};

static const Property ena_properties[] = {
    DEFINE_NIC_PROPERTIES(ENAState, conf),
    DEFINE_PROP_UINT16("device-id", ENAState, core.params.device_id,
                       ENA_PCI_DEVICE_ID_VF),
    DEFINE_PROP_BOOL("readless", ENAState, core.params.readless, true),
    DEFINE_PROP_UINT32("queues", ENAState, core.params.queues, 8),
    DEFINE_PROP_UINT32("queue-depth", ENAState, core.params.max_depth, 8192),
    DEFINE_PROP_UINT32("max-mtu", ENAState, core.params.max_mtu, 9216),
    DEFINE_PROP_UINT32("link-speed", ENAState, core.params.link_speed, 25000),
    DEFINE_PROP_UINT32("keepalive-ms", ENAState, core.params.keepalive_ms,
                       1000),
    DEFINE_PROP_UINT32("admin-timeout-ms", ENAState, admin_timeout_ms, 0),
    DEFINE_PROP_UINT32("reset-timeout-ms", ENAState, reset_timeout_ms, 3000),
    DEFINE_PROP_UINT32("dma-width", ENAState, dma_width, 48),
    DEFINE_PROP_UINT32("reset-latency-us", ENAState,
                       core.params.reset_latency_us, 1000),
    DEFINE_PROP_UINT32("intr-delay-resolution", ENAState,
                       core.params.intr_delay_resolution, 1),
    DEFINE_PROP_BOOL("offloads", ENAState, core.params.offloads, true),
    DEFINE_PROP_BOOL("llq", ENAState, core.params.llq, true),
    DEFINE_PROP_BOOL("llq-mem-bar", ENAState, core.params.llq_mem_bar, true),
    DEFINE_PROP_BOOL("phc", ENAState, core.params.phc, false),
    DEFINE_PROP_UINT32("phc-expire-us", ENAState, core.params.phc_expire_us,
                       1000),
    DEFINE_PROP_UINT32("phc-block-us", ENAState, core.params.phc_block_us,
                       10000),
    DEFINE_PROP_UINT32("phc-error-bound-ns", ENAState,
                       core.params.phc_error_bound_ns, 10000),
    DEFINE_PROP_BOOL("timing", ENAState, core.params.timing, true),
    DEFINE_PROP_UINT32("pcie-latency-ns", ENAState,
                       core.params.pcie_latency_ns, 500),
    DEFINE_PROP_UINT32("dma-mbps", ENAState, core.params.dma_mbps, 126000),
    DEFINE_PROP_UINT32("wire-kbps", ENAState, core.params.wire_kbps, 0),
    DEFINE_PROP_UINT32("admin-latency-ns", ENAState,
                       core.params.admin_latency_ns, 10000),
    DEFINE_PROP_UINT32("readless-latency-ns", ENAState,
                       core.params.readless_latency_ns, 1000),
    DEFINE_PROP_UINT32("tx-fifo-kb", ENAState, core.params.tx_fifo_kb, 256),
    DEFINE_PROP_UINT32("rx-fifo-kb", ENAState, core.params.rx_fifo_kb, 256),
    DEFINE_PROP_BOOL("rx-drop-when-empty", ENAState,
                     core.params.rx_drop_when_empty, false),
    DEFINE_PROP_UINT16("hint-mmio-read-timeout-ms", ENAState,
                       core.params.hints.mmio_read_timeout, 0),
    DEFINE_PROP_UINT16("hint-keepalive-timeout-ms", ENAState,
                       core.params.hints.driver_watchdog_timeout, 0),
    DEFINE_PROP_UINT16("hint-missing-tx-timeout-ms", ENAState,
                       core.params.hints.missing_tx_completion_timeout, 0),
    DEFINE_PROP_UINT16("hint-missing-tx-threshold", ENAState,
        core.params.hints.missed_tx_completion_count_threshold_to_reset, 0),
    DEFINE_PROP_UINT16("hint-admin-timeout-ms", ENAState,
                       core.params.hints.admin_completion_tx_timeout, 0),
    DEFINE_PROP_UINT16("hint-netdev-wd-timeout-ms", ENAState,
                       core.params.hints.netdev_wd_timeout, 0),
};

static const struct {
    const char *name;
    const char *desc;
} ena_property_help[] = {
    { "device-id", "PCI device id: 0xec20 VF (default), 0xec21 VF LLQ, "
      "0x0ec2 PF, 0x1ec2 PF LLQ, 0x0051" },
    { "readless", "drivers read registers through MMIO_REG_READ and DMA "
      "(revision bit 0 clear); off: plain MMIO reads" },
    { "queues", "IO queue pairs offered, 1-32 (MSI-X vectors = 1 + queues)" },
    { "queue-depth", "largest SQ/CQ depth accepted, power of two 256-8192" },
    { "max-mtu", "largest MTU reported in DEVICE_ATTRIBUTES (bytes)" },
    { "link-speed", "LINK_CONFIG speed in Mb/s; with timing, also the "
      "wire's rate each way unless wire-kbps is set" },
    { "keepalive-ms", "virtual ms between KEEP_ALIVE events; 0: none" },
    { "admin-timeout-ms", "CAPS.ADMIN_CMD_TO, multiple of 100 ms; "
      "0: the driver's default (3 s)" },
    { "reset-timeout-ms", "CAPS.RESET_TIMEOUT, 100-3100 ms per reset phase" },
    { "dma-width", "CAPS.DMA_ADDR_WIDTH in bits, 32-48" },
    { "reset-latency-us", "virtual time each phase of the reset handshake "
      "takes" },
    { "intr-delay-resolution", "interrupt moderation unit in us" },
    { "offloads", "offer TX checksum/TSO and RX checksum offloads" },
    { "llq", "offer LLQ: TX descriptors and headers pushed into BAR2" },
    { "llq-mem-bar", "expose BAR2; off with llq=on: LLQ offered without its "
      "memory BAR" },
    { "phc", "offer PHC_CONFIG (feature 29): a PTP clock read through a "
      "doorbell, the virtual clock in ns (default off, as on EC2 instance "
      "types without it)" },
    { "phc-expire-us", "PHC_CONFIG expire_timeout_usec: how long drivers "
      "wait for a PHC response" },
    { "phc-block-us", "PHC_CONFIG block_timeout_usec: how long drivers "
      "stop asking after a failed PHC read" },
    { "phc-error-bound-ns", "error_bound of every PHC response" },
    { "timing", "model the time operations take (docs/timing.md); off: "
      "each completes the instant it is asked for" },
    { "pcie-latency-ns", "timing: one-way PCIe latency; a DMA read costs "
      "two, a write or MSI-X one" },
    { "dma-mbps", "timing: DMA bandwidth in Mb/s, each direction" },
    { "wire-kbps", "timing: the wire's rate in kb/s, each way; 0: "
      "link-speed (a slower wire than the link the driver is told of)" },
    { "admin-latency-ns", "timing: the device's work on one admin command" },
    { "readless-latency-ns", "timing: MMIO_REG_READ write to its response "
      "in host memory" },
    { "tx-fifo-kb", "timing: frames read from the host, not yet on the wire "
      "(KiB)" },
    { "rx-fifo-kb", "timing: frames off the wire, not yet written to the "
      "host (KiB); at least the largest frame" },
    { "hint-mmio-read-timeout-ms", "HW hint: readless read timeout; 0: "
      "driver default" },
    { "hint-keepalive-timeout-ms", "HW hint: keep-alive watchdog; 0: driver "
      "default, 65535: off" },
    { "hint-missing-tx-timeout-ms", "HW hint: missing TX completion timeout;"
      " 0: driver default, 65535: off" },
    { "hint-missing-tx-threshold", "HW hint: lost TX completions before a "
      "reset; 0: driver default" },
    { "hint-admin-timeout-ms", "HW hint: admin completion timeout; 0: driver "
      "default" },
    { "hint-netdev-wd-timeout-ms", "HW hint: netdev TX watchdog; 0: driver "
      "default" },
};

static void ena_fault_prop_get(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    ENAState *s = ENA(obj);
    g_autofree char *spec = ena_fault_get(&s->core.faults,
                                          (ENAFaultPoint)(uintptr_t)opaque);

    visit_type_str(v, name, &spec, errp);
}

static void ena_fault_prop_set(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    ENAState *s = ENA(obj);
    g_autofree char *spec = NULL;

    if (!visit_type_str(v, name, &spec, errp)) {
        return;
    }
    ena_fault_set(&s->core.faults, (ENAFaultPoint)(uintptr_t)opaque, spec,
                  errp);
}

/*
 * The allowances (ena_allow.c): set at start-up or with qom-set at run
 * time, when each bucket starts over full at its new rate.
 */
static const struct {
    const char *name;
    size_t off;
    const char *desc;
} ena_allow_props[] = {
    { "allowance-bw-in-mbps", offsetof(ENAAllowParams, bw_in_mbps),
      "EC2 inbound aggregate bandwidth allowance in Mb/s; 0: unlimited" },
    { "allowance-bw-out-mbps", offsetof(ENAAllowParams, bw_out_mbps),
      "EC2 outbound aggregate bandwidth allowance in Mb/s; 0: unlimited" },
    { "allowance-pps", offsetof(ENAAllowParams, pps),
      "EC2 packets per second allowance, both directions; 0: unlimited" },
    { "allowance-conntrack", offsetof(ENAAllowParams, conntrack),
      "EC2 connection tracking allowance, flows; 0: unlimited (untracked)" },
    { "allowance-linklocal-pps", offsetof(ENAAllowParams, linklocal_pps),
      "packets per second to 169.254.169.254/.123/.253 (EC2: 1024); "
      "0: unlimited" },
    { "allowance-flow-mbps", offsetof(ENAAllowParams, flow_mbps),
      "EC2 per-flow bandwidth in Mb/s, each 5-tuple flow (EC2: 5000 outside "
      "a cluster placement group, 10000 inside); 0: unlimited" },
    { "allowance-burst-us", offsetof(ENAAllowParams, burst_us),
      "depth of each allowance's token bucket, as the time its rate "
      "takes to fill it (default 1000)" },
    { "allowance-queue-us", offsetof(ENAAllowParams, queue_us),
      "timing: longest a packet waits for bandwidth or PPS tokens before "
      "it is dropped (default 5000); without timing nothing waits" },
    { "conntrack-tcp-established-s",
      offsetof(ENAAllowParams, tcp_established_s),
      "idle timeout of an established TCP flow (EC2 default 432000)" },
    { "conntrack-udp-s", offsetof(ENAAllowParams, udp_s),
      "idle timeout of a one-way or single-exchange UDP flow (EC2 default "
      "30)" },
    { "conntrack-udp-stream-s", offsetof(ENAAllowParams, udp_stream_s),
      "idle timeout of a UDP stream (EC2 default 180)" },
};

static uint32_t *ena_allow_field(ENAState *s, void *opaque)
{
    return (uint32_t *)((uint8_t *)&s->core.allow.p +
                        ena_allow_props[(uintptr_t)opaque].off);
}

static void ena_allow_prop_get(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    uint32_t val = *ena_allow_field(ENA(obj), opaque);

    visit_type_uint32(v, name, &val, errp);
}

static void ena_allow_prop_set(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    ENAState *s = ENA(obj);
    ENAAllowParams p = s->core.allow.p;
    uint32_t val;

    if (!visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    *(uint32_t *)((uint8_t *)&p + ena_allow_props[(uintptr_t)opaque].off) =
        val;
    if (!ena_allow_params_ok(&p, errp)) {
        return;
    }
    s->core.allow.p = p;
    ena_allow_changed(&s->core);
}

/* The ENI counters as GET_STATS reports them, for qom-get */
static const char *const ena_allow_counters[ENA_ALLOW__MAX] = {
    [ENA_ALLOW_BW_IN] = "bw-in-allowance-exceeded",
    [ENA_ALLOW_BW_OUT] = "bw-out-allowance-exceeded",
    [ENA_ALLOW_PPS] = "pps-allowance-exceeded",
    [ENA_ALLOW_CONNTRACK] = "conntrack-allowance-exceeded",
    [ENA_ALLOW_LINKLOCAL] = "linklocal-allowance-exceeded",
    [ENA_ALLOW_CONNTRACK_AVAIL] = "conntrack-allowance-available",
};

static void ena_allow_counter_get(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    uint64_t val = ena_allow_metric(&ENA(obj)->core, (uintptr_t)opaque);

    visit_type_uint64(v, name, &val, errp);
}

static char *ena_get_reset_reasons(Object *obj, Error **errp)
{
    return ena_core_reset_history(&ENA(obj)->core);
}

static const char *const ena_fault_help[ENA_FAULT__MAX] = {
    [ENA_FAULT_KEEPALIVE] = "keep-alives: stop | delay:delay=T | no-irq",
    [ENA_FAULT_READLESS] = "readless responses: drop | bad-req-id | "
                           "bad-offset [:reg=OFF]",
    [ENA_FAULT_REG] = "register reads: all-ones [:reg=OFF]",
    [ENA_FAULT_ADMIN] = "admin completions: drop | delay:delay=T | "
                        "status:status=N | no-irq [:opcode=N:feature=N]",
    [ENA_FAULT_TX] = "TX queues: stall | drop (completions) [:queue=SQ]",
    [ENA_FAULT_RX] = "RX delivery: stall | drop [:queue=SQ]",
    [ENA_FAULT_IRQ] = "IO interrupts: drop [:vector=N]",
    [ENA_FAULT_RESET] = "reset handshake: never-assert | never-deassert | "
                        "not-ready [:reason=N]",
    [ENA_FAULT_FATAL] = "raise (DEV_STS.FATAL_ERROR) | request-reset",
    [ENA_FAULT_LINK] = "down [:for=T]",
    [ENA_FAULT_HINTS] = "notify:keepalive-timeout-ms=N:... (UPDATE_HINTS)",
    [ENA_FAULT_PHC] = "PHC responses: drop | error:flags=N | delay:delay=T",
};

static void ena_instance_init(Object *obj)
{
    ENAState *s = ENA(obj);

    /*
     * Fault rules: settable at start-up and with qom-set at run time;
     * common keys after=T, for=T, at=N, count=N, once, reset=keep|clear.
     */
    object_property_add_str(obj, "reset-reasons", ena_get_reset_reasons,
                            NULL);
    object_property_set_description(obj, "reset-reasons", "reasons of the "
                                    "last 16 DEV_CTL resets, oldest first");
    ena_core_init(&s->core);
    for (int p = 0; p < ENA_FAULT__MAX; p++) {
        g_autofree char *name = g_strdup_printf("fault-%s",
                                                ena_fault_point_name(p));
        g_autofree char *hits = g_strdup_printf("fault-%s-hits",
                                                ena_fault_point_name(p));
        g_autofree char *hdesc = g_strdup_printf("times fault-%s fired",
                                                 ena_fault_point_name(p));

        object_property_add(obj, name, "str", ena_fault_prop_get,
                            ena_fault_prop_set, NULL,
                            (void *)(uintptr_t)p);
        object_property_set_description(obj, name, ena_fault_help[p]);
        object_property_add_uint64_ptr(obj, hits,
                                       ena_fault_hits(&s->core.faults, p),
                                       OBJ_PROP_FLAG_READ);
        object_property_set_description(obj, hits, hdesc);
    }
    for (size_t i = 0; i < ARRAY_SIZE(ena_allow_props); i++) {
        object_property_add(obj, ena_allow_props[i].name, "uint32",
                            ena_allow_prop_get, ena_allow_prop_set, NULL,
                            (void *)(uintptr_t)i);
        object_property_set_description(obj, ena_allow_props[i].name,
                                        ena_allow_props[i].desc);
    }
    for (int i = 0; i < ENA_ALLOW__MAX; i++) {
        object_property_add(obj, ena_allow_counters[i], "uint64",
                            ena_allow_counter_get, NULL, NULL,
                            (void *)(uintptr_t)i);
        object_property_set_description(obj, ena_allow_counters[i],
                                        "ENI metric as GET_STATS reports it "
                                        "(docs/allowances.md)");
    }
    static const struct {
        const char *name;
        const char *desc;
        size_t off;
        bool is64;
    } counters[] = {
        { "reset-count", "device resets requested through DEV_CTL",
          offsetof(ENACore, reset_count), true },
        { "last-reset-reason", "reason code of the last DEV_CTL reset",
          offsetof(ENACore, last_reset_reason), false },
        { "keepalives-sent", "KEEP_ALIVE events posted",
          offsetof(ENACore, keepalives_sent), true },
        { "admin-commands", "admin commands executed",
          offsetof(ENACore, admin_cmds), true },
        { "guest-os-type", "host_info os_type the driver reported",
          offsetof(ENACore, host_info.os_type), false },
        { "guest-driver-version", "host_info driver_version the driver "
          "reported", offsetof(ENACore, host_info.driver_version), false },
        { "phc-requests", "PHC doorbells taken",
          offsetof(ENACore, phc_requests), true },
        { "phc-responses", "PHC responses written",
          offsetof(ENACore, phc_responses), true },
        { "phc-dma-errors", "PHC responses whose DMA failed",
          offsetof(ENACore, phc_dma_errors), true },
    };

    for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
        void *p = (uint8_t *)&s->core + counters[i].off;
        ObjectProperty *op;

        if (counters[i].is64) {
            op = object_property_add_uint64_ptr(obj, counters[i].name, p,
                                                OBJ_PROP_FLAG_READ);
        } else {
            op = object_property_add_uint32_ptr(obj, counters[i].name, p,
                                                OBJ_PROP_FLAG_READ);
        }
        object_property_set_description(obj, op->name, counters[i].desc);
    }
}

static void ena_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);
    PCIDeviceClass *c = PCI_DEVICE_CLASS(oc);

    c->realize = ena_pci_realize;
    c->exit = ena_pci_uninit;
    c->vendor_id = PCI_VENDOR_ID_AMAZON;
    c->device_id = ENA_PCI_DEVICE_ID_VF;
    c->subsystem_vendor_id = PCI_VENDOR_ID_AMAZON;
    c->class_id = PCI_CLASS_NETWORK_ETHERNET;

    rc->phases.hold = ena_qdev_reset_hold;

    dc->desc = "AWS Elastic Network Adapter (ENA)";
    dc->vmsd = &ena_vmstate;
    device_class_set_props(dc, ena_properties);
    for (size_t i = 0; i < ARRAY_SIZE(ena_property_help); i++) {
        object_class_property_set_description(oc, ena_property_help[i].name,
                                              ena_property_help[i].desc);
    }
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo ena_info = {
    .name = TYPE_ENA,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(ENAState),
    .instance_init = ena_instance_init,
    .class_init = ena_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void ena_register_types(void)
{
    type_register_static(&ena_info);
}

type_init(ena_register_types)
