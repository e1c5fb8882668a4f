/*
 * AWS Elastic Network Adapter: hardware interface (registers, queues,
 * admin commands, events). Shared by the device model, the reference
 * driver and the tests; freestanding (stdint/stdbool only).
 *
 * Names follow the ENA drivers' (ENA_REGS_*, ENA_ADMIN_*) so that readers
 * can cross-check; the layout facts are from docs/interface.md.
 * All multi-byte fields are little-endian.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later OR MIT
 */
#ifndef HW_ENA_HW_H
#define HW_ENA_HW_H

#include <stdint.h>
#include <stdbool.h>

#define ENA_CHECK_SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), "bad size of " #type)

/* PCI identity */
#define PCI_VENDOR_ID_AMAZON            0x1d0f
#define ENA_PCI_DEVICE_ID_PF            0x0ec2
#define ENA_PCI_DEVICE_ID_LLQ_PF        0x1ec2
#define ENA_PCI_DEVICE_ID_VF            0xec20
#define ENA_PCI_DEVICE_ID_LLQ_VF        0xec21
#define ENA_PCI_DEVICE_ID_RESRV0        0x0051
/* Revision ID bit 0: registers are read with plain loads (no readless) */
#define ENA_PCI_REV_MMIO_READ_DISABLE   0x01

#define ENA_REG_BAR                     0
#define ENA_MEM_BAR                     2

/* BAR0 registers */
#define ENA_REGS_VERSION_OFF                0x00
#define ENA_REGS_CONTROLLER_VERSION_OFF     0x04
#define ENA_REGS_CAPS_OFF                   0x08
#define ENA_REGS_CAPS_EXT_OFF               0x0c
#define ENA_REGS_AQ_BASE_LO_OFF             0x10
#define ENA_REGS_AQ_BASE_HI_OFF             0x14
#define ENA_REGS_AQ_CAPS_OFF                0x18
#define ENA_REGS_ACQ_BASE_LO_OFF            0x20
#define ENA_REGS_ACQ_BASE_HI_OFF            0x24
#define ENA_REGS_ACQ_CAPS_OFF               0x28
#define ENA_REGS_AQ_DB_OFF                  0x2c
#define ENA_REGS_ACQ_TAIL_OFF               0x30
#define ENA_REGS_AENQ_CAPS_OFF              0x34
#define ENA_REGS_AENQ_BASE_LO_OFF           0x38
#define ENA_REGS_AENQ_BASE_HI_OFF           0x3c
#define ENA_REGS_AENQ_HEAD_DB_OFF           0x40
#define ENA_REGS_AENQ_TAIL_OFF              0x44
#define ENA_REGS_INTR_MASK_OFF              0x4c
#define ENA_REGS_DEV_CTL_OFF                0x54
#define ENA_REGS_DEV_STS_OFF                0x58
#define ENA_REGS_MMIO_REG_READ_OFF          0x5c
#define ENA_REGS_MMIO_RESP_LO_OFF           0x60
#define ENA_REGS_MMIO_RESP_HI_OFF           0x64
#define ENA_REGS_RSS_IND_ENTRY_UPDATE_OFF   0x68
/* PHC doorbell: where the drivers' headers put it; GET PHC_CONFIG says so */
#define ENA_REGS_PHC_DB_OFF                 0x100
#define ENA_REGS_PHC_DB_REQ_ID_MASK         0xffffu

/* VERSION */
#define ENA_REGS_VERSION_MINOR_MASK                     0xffu
#define ENA_REGS_VERSION_MAJOR_SHIFT                    8
#define ENA_REGS_VERSION_MAJOR_MASK                     0xff00u

/* CONTROLLER_VERSION */
#define ENA_REGS_CONTROLLER_VERSION_SUBMINOR_MASK       0xffu
#define ENA_REGS_CONTROLLER_VERSION_MINOR_SHIFT         8
#define ENA_REGS_CONTROLLER_VERSION_MINOR_MASK          0xff00u
#define ENA_REGS_CONTROLLER_VERSION_MAJOR_SHIFT         16
#define ENA_REGS_CONTROLLER_VERSION_MAJOR_MASK          0xff0000u
#define ENA_REGS_CONTROLLER_VERSION_IMPL_ID_SHIFT       24
#define ENA_REGS_CONTROLLER_VERSION_IMPL_ID_MASK        0xff000000u

/* CAPS */
#define ENA_REGS_CAPS_CONTIGUOUS_QUEUE_REQUIRED_MASK    0x1u
#define ENA_REGS_CAPS_RESET_TIMEOUT_SHIFT               1
#define ENA_REGS_CAPS_RESET_TIMEOUT_MASK                0x3eu
#define ENA_REGS_CAPS_DMA_ADDR_WIDTH_SHIFT              8
#define ENA_REGS_CAPS_DMA_ADDR_WIDTH_MASK               0xff00u
#define ENA_REGS_CAPS_ADMIN_CMD_TO_SHIFT                16
#define ENA_REGS_CAPS_ADMIN_CMD_TO_MASK                 0xf0000u
/* RESET_TIMEOUT and ADMIN_CMD_TO are in units of 100 ms */
#define ENA_REGS_CAPS_TIMEOUT_UNIT_MS                   100

/* AQ_CAPS, ACQ_CAPS, AENQ_CAPS: depth 15:0, entry size 31:16 */
#define ENA_REGS_Q_CAPS_DEPTH_MASK                      0xffffu
#define ENA_REGS_Q_CAPS_ENTRY_SIZE_SHIFT                16
#define ENA_REGS_Q_CAPS_ENTRY_SIZE_MASK                 0xffff0000u

/* INTR_MASK */
#define ENA_REGS_ADMIN_INTR_MASK                        0x1u

/* DEV_CTL */
#define ENA_REGS_DEV_CTL_DEV_RESET_MASK                 0x1u
#define ENA_REGS_DEV_CTL_AQ_RESTART_MASK                0x2u
#define ENA_REGS_DEV_CTL_QUIESCENT_MASK                 0x4u
#define ENA_REGS_DEV_CTL_IO_RESUME_MASK                 0x8u
#define ENA_REGS_DEV_CTL_RESET_REASON_EXT_SHIFT         24
#define ENA_REGS_DEV_CTL_RESET_REASON_EXT_MASK          0xf000000u
#define ENA_REGS_DEV_CTL_RESET_REASON_SHIFT             28
#define ENA_REGS_DEV_CTL_RESET_REASON_MASK              0xf0000000u

/* DEV_STS */
#define ENA_REGS_DEV_STS_READY_MASK                     0x1u
#define ENA_REGS_DEV_STS_AQ_RESTART_IN_PROGRESS_MASK    0x2u
#define ENA_REGS_DEV_STS_AQ_RESTART_FINISHED_MASK       0x4u
#define ENA_REGS_DEV_STS_RESET_IN_PROGRESS_MASK         0x8u
#define ENA_REGS_DEV_STS_RESET_FINISHED_MASK            0x10u
#define ENA_REGS_DEV_STS_FATAL_ERROR_MASK               0x20u
#define ENA_REGS_DEV_STS_QUIESCENT_STATE_IN_PROGRESS_MASK 0x40u
#define ENA_REGS_DEV_STS_QUIESCENT_STATE_ACHIEVED_MASK  0x80u

/* MMIO_REG_READ */
#define ENA_REGS_MMIO_REG_READ_REQ_ID_MASK              0xffffu
#define ENA_REGS_MMIO_REG_READ_REG_OFF_SHIFT            16
#define ENA_REGS_MMIO_REG_READ_REG_OFF_MASK             0xffff0000u

/* Reset reasons, written to DEV_CTL 31:28 (and 27:24 for bits 7:4) */
enum EnaResetReason {
    ENA_REGS_RESET_NORMAL                       = 0,
    ENA_REGS_RESET_KEEP_ALIVE_TO                = 1,
    ENA_REGS_RESET_ADMIN_TO                     = 2,
    ENA_REGS_RESET_MISS_TX_CMPL                 = 3,
    ENA_REGS_RESET_INV_RX_REQ_ID                = 4,
    ENA_REGS_RESET_INV_TX_REQ_ID                = 5,
    ENA_REGS_RESET_TOO_MANY_RX_DESCS            = 6,
    ENA_REGS_RESET_INIT_ERR                     = 7,
    ENA_REGS_RESET_DRIVER_INVALID_STATE         = 8,
    ENA_REGS_RESET_OS_TRIGGER                   = 9,
    ENA_REGS_RESET_OS_NETDEV_WD                 = 10,
    ENA_REGS_RESET_SHUTDOWN                     = 11,
    ENA_REGS_RESET_USER_TRIGGER                 = 12,
    ENA_REGS_RESET_GENERIC                      = 13,
    ENA_REGS_RESET_MISS_INTERRUPT               = 14,
    ENA_REGS_RESET_SUSPECTED_POLL_STARVATION    = 15,
    ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED      = 16,
    ENA_REGS_RESET_TX_DESCRIPTOR_MALFORMED      = 17,
    ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT      = 18,
    ENA_REGS_RESET_DEVICE_REQUEST               = 19,
    ENA_REGS_RESET_MISS_FIRST_INTERRUPT         = 20,
    ENA_REGS_RESET_LAST,
};

/* A reset reason's name as the drivers spell it; NULL if unknown. */
static inline const char *ena_regs_reset_reason_name(uint32_t reason)
{
    static const char *const names[ENA_REGS_RESET_LAST] = {
        [ENA_REGS_RESET_NORMAL] = "NORMAL",
        [ENA_REGS_RESET_KEEP_ALIVE_TO] = "KEEP_ALIVE_TO",
        [ENA_REGS_RESET_ADMIN_TO] = "ADMIN_TO",
        [ENA_REGS_RESET_MISS_TX_CMPL] = "MISS_TX_CMPL",
        [ENA_REGS_RESET_INV_RX_REQ_ID] = "INV_RX_REQ_ID",
        [ENA_REGS_RESET_INV_TX_REQ_ID] = "INV_TX_REQ_ID",
        [ENA_REGS_RESET_TOO_MANY_RX_DESCS] = "TOO_MANY_RX_DESCS",
        [ENA_REGS_RESET_INIT_ERR] = "INIT_ERR",
        [ENA_REGS_RESET_DRIVER_INVALID_STATE] = "DRIVER_INVALID_STATE",
        [ENA_REGS_RESET_OS_TRIGGER] = "OS_TRIGGER",
        [ENA_REGS_RESET_OS_NETDEV_WD] = "OS_NETDEV_WD",
        [ENA_REGS_RESET_SHUTDOWN] = "SHUTDOWN",
        [ENA_REGS_RESET_USER_TRIGGER] = "USER_TRIGGER",
        [ENA_REGS_RESET_GENERIC] = "GENERIC",
        [ENA_REGS_RESET_MISS_INTERRUPT] = "MISS_INTERRUPT",
        [ENA_REGS_RESET_SUSPECTED_POLL_STARVATION] =
            "SUSPECTED_POLL_STARVATION",
        [ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED] = "RX_DESCRIPTOR_MALFORMED",
        [ENA_REGS_RESET_TX_DESCRIPTOR_MALFORMED] = "TX_DESCRIPTOR_MALFORMED",
        [ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT] = "MISSING_ADMIN_INTERRUPT",
        [ENA_REGS_RESET_DEVICE_REQUEST] = "DEVICE_REQUEST",
        [ENA_REGS_RESET_MISS_FIRST_INTERRUPT] = "MISS_FIRST_INTERRUPT",
    };

    return reason < ENA_REGS_RESET_LAST ? names[reason] : NULL;
}

/* Readless register read response, DMA-written by the device (8 bytes) */
typedef struct EnaMmioReadResp {
    uint16_t req_id;
    uint16_t reg_off;
    uint32_t reg_val;
} EnaMmioReadResp;
ENA_CHECK_SIZE(EnaMmioReadResp, 8);

/* 48-bit DMA address as carried in commands and descriptors */
typedef struct EnaAddr48 {
    uint32_t lo;
    uint16_t hi;
    uint16_t reserved;
} EnaAddr48;
ENA_CHECK_SIZE(EnaAddr48, 8);

/* ---- Admin queue ------------------------------------------------------ */

#define ENA_ADMIN_QUEUE_DEPTH           32
#define ENA_ADMIN_AENQ_DEPTH            16
#define ENA_ADMIN_ENTRY_SIZE            64

enum EnaAdminOpcode {
    ENA_ADMIN_CREATE_SQ     = 1,
    ENA_ADMIN_DESTROY_SQ    = 2,
    ENA_ADMIN_CREATE_CQ     = 3,
    ENA_ADMIN_DESTROY_CQ    = 4,
    ENA_ADMIN_GET_FEATURE   = 8,
    ENA_ADMIN_SET_FEATURE   = 9,
    ENA_ADMIN_GET_STATS     = 11,
};

enum EnaAdminStatus {
    ENA_ADMIN_SUCCESS                       = 0,
    ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE   = 1,
    ENA_ADMIN_BAD_OPCODE                    = 2,
    ENA_ADMIN_UNSUPPORTED_OPCODE            = 3,
    ENA_ADMIN_MALFORMED_REQUEST             = 4,
    ENA_ADMIN_ILLEGAL_PARAMETER             = 5,
    ENA_ADMIN_UNKNOWN_ERROR                 = 6,
    ENA_ADMIN_RESOURCE_BUSY                 = 7,
};

/* AQ entry common header, bytes 0-3 */
#define ENA_ADMIN_AQ_COMMON_DESC_COMMAND_ID_MASK        0x0fffu
#define ENA_ADMIN_AQ_COMMON_DESC_PHASE_MASK             0x01u
#define ENA_ADMIN_AQ_COMMON_DESC_CTRL_DATA_MASK         0x02u
#define ENA_ADMIN_AQ_COMMON_DESC_CTRL_DATA_INDIRECT_MASK 0x04u

typedef struct EnaAdminAqCommon {
    uint16_t command_id;
    uint8_t opcode;
    uint8_t flags;
} EnaAdminAqCommon;
ENA_CHECK_SIZE(EnaAdminAqCommon, 4);

/* Control buffer at AQ bytes 4-15 */
typedef struct EnaAdminCtrlBuf {
    uint32_t length;
    EnaAddr48 address;
} EnaAdminCtrlBuf;
ENA_CHECK_SIZE(EnaAdminCtrlBuf, 12);

typedef struct EnaAdminAqEntry {
    EnaAdminAqCommon aq_common;
    EnaAdminCtrlBuf ctrl;
    uint32_t data[12];
} EnaAdminAqEntry;
ENA_CHECK_SIZE(EnaAdminAqEntry, 64);

/* ACQ entry common header, bytes 0-7 */
#define ENA_ADMIN_ACQ_COMMON_DESC_COMMAND_ID_MASK       0x0fffu
#define ENA_ADMIN_ACQ_COMMON_DESC_PHASE_MASK            0x01u

typedef struct EnaAdminAcqCommon {
    uint16_t command;
    uint8_t status;
    uint8_t flags;
    uint16_t extended_status;
    uint16_t sq_head_indx;
} EnaAdminAcqCommon;
ENA_CHECK_SIZE(EnaAdminAcqCommon, 8);

typedef struct EnaAdminAcqEntry {
    EnaAdminAcqCommon acq_common;
    uint32_t data[14];
} EnaAdminAcqEntry;
ENA_CHECK_SIZE(EnaAdminAcqEntry, 64);

/* Bytes the Linux driver copies into a slot; the rest is stale. */
#define ENA_ADMIN_CREATE_SQ_CMD_SIZE    36
#define ENA_ADMIN_CREATE_CQ_CMD_SIZE    20
#define ENA_ADMIN_DESTROY_CMD_SIZE      8
#define ENA_ADMIN_GET_STATS_CMD_SIZE    32

/* CREATE_CQ */
#define ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK  0x20u
#define ENA_ADMIN_AQ_CREATE_CQ_CMD_CQ_ENTRY_SIZE_WORDS_MASK     0x1fu
/* msix_vector of a CQ that is polled (DPDK), interrupt mode set or not */
#define ENA_ADMIN_CQ_NO_MSIX_VECTOR     0xffffffffu

typedef struct EnaAdminCreateCqCmd {
    EnaAdminAqCommon aq_common;
    uint8_t cq_caps_1;
    uint8_t cq_caps_2;
    uint16_t cq_depth;
    uint32_t msix_vector;
    EnaAddr48 cq_ba;
} EnaAdminCreateCqCmd;
ENA_CHECK_SIZE(EnaAdminCreateCqCmd, ENA_ADMIN_CREATE_CQ_CMD_SIZE);

typedef struct EnaAdminCreateCqResp {
    EnaAdminAcqCommon acq_common;
    uint16_t cq_idx;
    uint16_t cq_actual_depth;
    uint32_t numa_node_register_offset;
    uint32_t cq_head_db_register_offset;
    uint32_t cq_interrupt_unmask_register_offset;
} EnaAdminCreateCqResp;
ENA_CHECK_SIZE(EnaAdminCreateCqResp, 24);

/* CREATE_SQ */
#define ENA_ADMIN_SQ_DIRECTION_SHIFT                    5
#define ENA_ADMIN_SQ_DIRECTION_MASK                     0xe0u
enum EnaAdminSqDirection {
    ENA_ADMIN_SQ_DIRECTION_TX = 1,
    ENA_ADMIN_SQ_DIRECTION_RX = 2,
};
#define ENA_ADMIN_SQ_PLACEMENT_POLICY_MASK              0x0fu
#define ENA_ADMIN_SQ_COMPLETION_POLICY_SHIFT            4
#define ENA_ADMIN_SQ_COMPLETION_POLICY_MASK             0x70u
#define ENA_ADMIN_SQ_IS_PHYSICALLY_CONTIGUOUS_MASK      0x01u
enum EnaAdminPlacementPolicy {
    ENA_ADMIN_PLACEMENT_POLICY_HOST = 1,
    ENA_ADMIN_PLACEMENT_POLICY_DEV  = 3,
};
enum EnaAdminCompletionPolicy {
    ENA_ADMIN_COMPLETION_POLICY_DESC            = 0,
    ENA_ADMIN_COMPLETION_POLICY_DESC_ON_DEMAND  = 1,
    ENA_ADMIN_COMPLETION_POLICY_HEAD_ON_DEMAND  = 2,
    ENA_ADMIN_COMPLETION_POLICY_HEAD            = 3,
};

typedef struct EnaAdminCreateSqCmd {
    EnaAdminAqCommon aq_common;
    uint8_t sq_identity;
    uint8_t reserved5;
    uint8_t sq_caps_2;
    uint8_t sq_caps_3;
    uint16_t cq_idx;
    uint16_t sq_depth;
    EnaAddr48 sq_ba;
    EnaAddr48 sq_head_writeback;
    uint32_t reserved28[2];
} EnaAdminCreateSqCmd;
ENA_CHECK_SIZE(EnaAdminCreateSqCmd, ENA_ADMIN_CREATE_SQ_CMD_SIZE);

typedef struct EnaAdminCreateSqResp {
    EnaAdminAcqCommon acq_common;
    uint16_t sq_idx;
    uint16_t reserved;
    uint32_t sq_doorbell_offset;
    uint32_t llq_descriptors_offset;
    uint32_t llq_headers_offset;
} EnaAdminCreateSqResp;
ENA_CHECK_SIZE(EnaAdminCreateSqResp, 24);

/* DESTROY_SQ / DESTROY_CQ */
typedef struct EnaAdminDestroySqCmd {
    EnaAdminAqCommon aq_common;
    uint16_t sq_idx;
    uint8_t sq_identity;        /* direction in 7:5 */
    uint8_t reserved;
} EnaAdminDestroySqCmd;
ENA_CHECK_SIZE(EnaAdminDestroySqCmd, ENA_ADMIN_DESTROY_CMD_SIZE);

typedef struct EnaAdminDestroyCqCmd {
    EnaAdminAqCommon aq_common;
    uint16_t cq_idx;
    uint16_t reserved;
} EnaAdminDestroyCqCmd;
ENA_CHECK_SIZE(EnaAdminDestroyCqCmd, ENA_ADMIN_DESTROY_CMD_SIZE);

/* GET_FEATURE / SET_FEATURE */
enum EnaAdminFeatureId {
    ENA_ADMIN_DEVICE_ATTRIBUTES             = 1,
    ENA_ADMIN_MAX_QUEUES_NUM                = 2,
    ENA_ADMIN_HW_HINTS                      = 3,
    ENA_ADMIN_LLQ                           = 4,
    ENA_ADMIN_EXTRA_PROPERTIES_STRINGS      = 5,
    ENA_ADMIN_EXTRA_PROPERTIES_FLAGS        = 6,
    ENA_ADMIN_MAX_QUEUES_EXT                = 7,
    ENA_ADMIN_FRAG_BYPASS                   = 8,
    ENA_ADMIN_RSS_HASH_FUNCTION             = 10,
    ENA_ADMIN_STATELESS_OFFLOAD_CONFIG      = 11,
    ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG  = 12,
    ENA_ADMIN_MTU                           = 14,
    ENA_ADMIN_RSS_HASH_INPUT                = 18,
    ENA_ADMIN_INTERRUPT_MODERATION          = 20,
    ENA_ADMIN_AENQ_CONFIG                   = 26,
    ENA_ADMIN_LINK_CONFIG                   = 27,
    ENA_ADMIN_HOST_ATTR_CONFIG              = 28,
    ENA_ADMIN_PHC_CONFIG                    = 29,
    ENA_ADMIN_FLOW_STEERING_CONFIG          = 30,
    ENA_ADMIN_HW_TIMESTAMP                  = 31,
    ENA_ADMIN_FEATURES_OPCODE_NUM           = 32,
};

#define ENA_ADMIN_GET_FEAT_SELECT_MASK                  0x03u
#define ENA_ADMIN_FEATURE_PAYLOAD_SIZE                  44

typedef struct EnaAdminGetSetFeatureCmd {
    EnaAdminAqCommon aq_common;
    EnaAdminCtrlBuf ctrl;
    uint8_t flags;
    uint8_t feature_id;
    uint8_t feature_version;
    uint8_t reserved;
    uint8_t payload[ENA_ADMIN_FEATURE_PAYLOAD_SIZE];
} EnaAdminGetSetFeatureCmd;
ENA_CHECK_SIZE(EnaAdminGetSetFeatureCmd, 64);

/* GET response / SET request payloads */
typedef struct EnaAdminDeviceAttrFeature {
    uint32_t impl_id;
    uint32_t device_version;
    uint32_t supported_features;
    uint32_t capabilities;
    uint32_t phys_addr_width;
    uint32_t virt_addr_width;
    uint8_t mac_addr[6];
    uint16_t flow_steering_max_entries;
    uint32_t max_mtu;
} EnaAdminDeviceAttrFeature;
ENA_CHECK_SIZE(EnaAdminDeviceAttrFeature, 36);

enum EnaAdminCapability {
    ENA_ADMIN_ENI_STATS                 = 0,
    ENA_ADMIN_ENA_SRD_INFO              = 1,
    ENA_ADMIN_CUSTOMER_METRICS          = 2,
    ENA_ADMIN_EXTENDED_RESET_REASONS    = 3,
    ENA_ADMIN_CDESC_MBZ                 = 4,
};

typedef struct EnaAdminMaxQueuesFeature {
    uint32_t max_sq_num;
    uint32_t max_sq_depth;
    uint32_t max_cq_num;
    uint32_t max_cq_depth;
    uint32_t max_legacy_llq_num;
    uint32_t max_legacy_llq_depth;
    uint32_t max_header_size;
    uint16_t max_packet_tx_descs;
    uint16_t max_packet_rx_descs;
} EnaAdminMaxQueuesFeature;
ENA_CHECK_SIZE(EnaAdminMaxQueuesFeature, 32);

typedef struct EnaAdminMaxQueuesExtFeature {
    uint8_t version;
    uint8_t reserved1[3];
    uint32_t max_tx_sq_num;
    uint32_t max_tx_cq_num;
    uint32_t max_rx_sq_num;
    uint32_t max_rx_cq_num;
    uint32_t max_tx_sq_depth;
    uint32_t max_tx_cq_depth;
    uint32_t max_rx_sq_depth;
    uint32_t max_rx_cq_depth;
    uint32_t max_tx_header_size;
    uint16_t max_per_packet_tx_descs;
    uint16_t max_per_packet_rx_descs;
} EnaAdminMaxQueuesExtFeature;
ENA_CHECK_SIZE(EnaAdminMaxQueuesExtFeature, 44);
#define ENA_FEATURE_MAX_QUEUE_EXT_VER   1

/* A hint of 0 keeps the driver default; 0xffff disables a watchdog. */
#define ENA_HW_HINTS_NO_TIMEOUT         0xffff
typedef struct EnaAdminHwHints {
    uint16_t mmio_read_timeout;             /* ms */
    uint16_t driver_watchdog_timeout;       /* ms */
    uint16_t missing_tx_completion_timeout; /* ms */
    uint16_t missed_tx_completion_count_threshold_to_reset;
    uint16_t admin_completion_tx_timeout;   /* ms */
    uint16_t netdev_wd_timeout;             /* ms */
    uint16_t max_tx_sgl_size;
    uint16_t max_rx_sgl_size;
    uint16_t reserved[8];
} EnaAdminHwHints;
ENA_CHECK_SIZE(EnaAdminHwHints, 32);

typedef struct EnaAdminLlqFeature {
    uint32_t max_llq_num;
    uint32_t max_llq_depth;
    uint16_t header_location_ctrl_supported;
    uint16_t header_location_ctrl_enabled;
    uint16_t entry_size_ctrl_supported;
    uint16_t entry_size_ctrl_enabled;
    uint16_t desc_num_before_header_supported;
    uint16_t desc_num_before_header_enabled;
    uint16_t descriptors_stride_ctrl_supported;
    uint16_t descriptors_stride_ctrl_enabled;
    uint8_t feature_version;
    uint8_t entry_size_recommended;
    uint16_t max_wide_llq_depth;
    /* accel_mode: GET supported_flags / SET enabled_flags */
    uint16_t accel_flags;
    uint16_t accel_max_tx_burst_size;       /* GET only, bytes */
    uint32_t accel_reserved;
} EnaAdminLlqFeature;
ENA_CHECK_SIZE(EnaAdminLlqFeature, 36);

/* LLQ negotiation values; each *_supported field is a bitmap of them */
#define ENA_ADMIN_INLINE_HEADER                 0x1
#define ENA_ADMIN_HEADER_RING                   0x2
#define ENA_ADMIN_LIST_ENTRY_SIZE_128B          0x1
#define ENA_ADMIN_LIST_ENTRY_SIZE_192B          0x2
#define ENA_ADMIN_LIST_ENTRY_SIZE_256B          0x4
#define ENA_ADMIN_SINGLE_DESC_PER_ENTRY         0x1
#define ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY      0x2
/* descriptors before the header: the value is the count (1, 2, 4, 8) */
#define ENA_ADMIN_LLQ_ACCEL_DISABLE_META_CACHING    0   /* flag bits */
#define ENA_ADMIN_LLQ_ACCEL_LIMIT_TX_BURST          1

#define ENA_ADMIN_RSS_TOEPLITZ          1       /* function id; bit 1 */
#define ENA_ADMIN_RSS_CRC32             2
#define ENA_ADMIN_RSS_KEY_PARTS         10
typedef struct EnaAdminRssHashFunctionFeature {
    uint32_t supported_func;
    uint32_t selected_func;
    uint32_t init_val;
} EnaAdminRssHashFunctionFeature;
ENA_CHECK_SIZE(EnaAdminRssHashFunctionFeature, 12);

typedef struct EnaAdminRssHashKey {
    uint32_t key_parts;
    uint32_t reserved;
    uint32_t key[ENA_ADMIN_RSS_KEY_PARTS];
} EnaAdminRssHashKey;
ENA_CHECK_SIZE(EnaAdminRssHashKey, 48);

/* STATELESS_OFFLOAD_CONFIG bits */
#define ENA_ADMIN_TX_L3_CSUM_IPV4                   (1u << 0)
#define ENA_ADMIN_TX_L4_IPV4_CSUM_PART              (1u << 1)
#define ENA_ADMIN_TX_L4_IPV4_CSUM_FULL              (1u << 2)
#define ENA_ADMIN_TX_L4_IPV6_CSUM_PART              (1u << 3)
#define ENA_ADMIN_TX_L4_IPV6_CSUM_FULL              (1u << 4)
#define ENA_ADMIN_TX_TSO_IPV4                       (1u << 5)
#define ENA_ADMIN_TX_TSO_IPV6                       (1u << 6)
#define ENA_ADMIN_TX_TSO_ECN                        (1u << 7)
#define ENA_ADMIN_RX_L3_CSUM_IPV4                   (1u << 0)
#define ENA_ADMIN_RX_L4_IPV4_CSUM                   (1u << 1)
#define ENA_ADMIN_RX_L4_IPV6_CSUM                   (1u << 2)
#define ENA_ADMIN_RX_HASH                           (1u << 3)
typedef struct EnaAdminOffloadFeature {
    uint32_t tx;
    uint32_t rx_supported;
    uint32_t rx_enabled;
} EnaAdminOffloadFeature;
ENA_CHECK_SIZE(EnaAdminOffloadFeature, 12);

typedef struct EnaAdminRssIndTableFeature {
    uint16_t min_size;          /* log2 */
    uint16_t max_size;          /* log2 */
    uint16_t size;              /* log2, SET */
    uint8_t flags;
    uint8_t reserved;
    uint32_t inline_index;
    uint16_t inline_entry_cq_idx;
    uint16_t inline_entry_reserved;
} EnaAdminRssIndTableFeature;
ENA_CHECK_SIZE(EnaAdminRssIndTableFeature, 16);

typedef struct EnaAdminRssIndTableEntry {
    uint16_t cq_idx;            /* Linux stores the RX sq_idx here */
    uint16_t reserved;
} EnaAdminRssIndTableEntry;
ENA_CHECK_SIZE(EnaAdminRssIndTableEntry, 4);

typedef struct EnaAdminMtuFeature {
    uint32_t mtu;
} EnaAdminMtuFeature;
ENA_CHECK_SIZE(EnaAdminMtuFeature, 4);

/* RSS_HASH_INPUT: protocols index the 16-entry field arrays */
enum EnaAdminFlowHashProto {
    ENA_ADMIN_RSS_TCP4      = 0,
    ENA_ADMIN_RSS_UDP4      = 1,
    ENA_ADMIN_RSS_TCP6      = 2,
    ENA_ADMIN_RSS_UDP6      = 3,
    ENA_ADMIN_RSS_IP4       = 4,
    ENA_ADMIN_RSS_IP6       = 5,
    ENA_ADMIN_RSS_IP4_FRAG  = 6,
    ENA_ADMIN_RSS_NOT_IP    = 7,
    ENA_ADMIN_RSS_TCP6_EX   = 8,
    ENA_ADMIN_RSS_IP6_EX    = 9,
    ENA_ADMIN_RSS_PROTO_NUM = 16,
};
#define ENA_ADMIN_RSS_L2_DA     (1u << 0)
#define ENA_ADMIN_RSS_L2_SA     (1u << 1)
#define ENA_ADMIN_RSS_L3_DA     (1u << 2)
#define ENA_ADMIN_RSS_L3_SA     (1u << 3)
#define ENA_ADMIN_RSS_L4_DP     (1u << 4)
#define ENA_ADMIN_RSS_L4_SP     (1u << 5)
#define ENA_ADMIN_RSS_L3_SORT   (1u << 1)
#define ENA_ADMIN_RSS_L4_SORT   (1u << 2)

typedef struct EnaAdminRssHashInputFeature {
    uint16_t supported_input_sort;
    uint16_t enabled_input_sort;
} EnaAdminRssHashInputFeature;
ENA_CHECK_SIZE(EnaAdminRssHashInputFeature, 4);

typedef struct EnaAdminRssHashField {
    uint16_t fields;
    uint16_t reserved;
} EnaAdminRssHashField;

typedef struct EnaAdminRssHashCtrl {
    EnaAdminRssHashField supported_fields[ENA_ADMIN_RSS_PROTO_NUM];
    EnaAdminRssHashField selected_fields[ENA_ADMIN_RSS_PROTO_NUM];
    uint32_t reserved[32];
} EnaAdminRssHashCtrl;
ENA_CHECK_SIZE(EnaAdminRssHashCtrl, 256);

typedef struct EnaAdminIntrModerationFeature {
    uint16_t intr_delay_resolution;     /* us per unit */
    uint16_t reserved;
} EnaAdminIntrModerationFeature;
ENA_CHECK_SIZE(EnaAdminIntrModerationFeature, 4);

typedef struct EnaAdminAenqConfigFeature {
    uint32_t supported_groups;
    uint32_t enabled_groups;
} EnaAdminAenqConfigFeature;
ENA_CHECK_SIZE(EnaAdminAenqConfigFeature, 8);

#define ENA_ADMIN_LINK_SPEED_1G         0x1u
#define ENA_ADMIN_LINK_SPEED_2_HALF_G   0x2u
#define ENA_ADMIN_LINK_SPEED_5G         0x4u
#define ENA_ADMIN_LINK_SPEED_10G        0x8u
#define ENA_ADMIN_LINK_SPEED_25G        0x10u
#define ENA_ADMIN_LINK_SPEED_40G        0x20u
#define ENA_ADMIN_LINK_SPEED_50G        0x40u
#define ENA_ADMIN_LINK_SPEED_100G       0x80u
#define ENA_ADMIN_LINK_SPEED_200G       0x100u
#define ENA_ADMIN_LINK_SPEED_400G       0x200u
#define ENA_ADMIN_LINK_AUTONEG          0x1u
#define ENA_ADMIN_LINK_DUPLEX_FULL      0x2u
typedef struct EnaAdminLinkConfigFeature {
    uint32_t speed;             /* Mb/s */
    uint32_t supported;
    uint32_t flags;
} EnaAdminLinkConfigFeature;
ENA_CHECK_SIZE(EnaAdminLinkConfigFeature, 12);

/* PHC_CONFIG (feature 29), version 0: readless, with an error bound */
#define ENA_ADMIN_PHC_FEATURE_VERSION_0     0
typedef struct EnaAdminPhcFeature {
    uint8_t version;            /* GET: highest version offered */
    uint8_t reserved1[3];
    uint32_t doorbell_offset;   /* GET: in BAR0 */
    uint32_t expire_timeout_usec;   /* GET: 0 = the driver's default */
    uint32_t block_timeout_usec;    /* GET: 0 = the driver's default */
    EnaAddr48 output_address;   /* SET: where EnaAdminPhcResp goes */
    uint32_t output_length;     /* SET */
} EnaAdminPhcFeature;
ENA_CHECK_SIZE(EnaAdminPhcFeature, 28);

#define ENA_ADMIN_PHC_ERROR_FLAG_TIMESTAMP      0x1u
#define ENA_ADMIN_PHC_ERROR_FLAG_ERROR_BOUND    0x2u
/* What the device DMAs for each doorbell; req_id tells the driver it is new */
typedef struct EnaAdminPhcResp {
    uint16_t req_id;            /* the doorbell's */
    uint8_t reserved1[6];
    uint64_t timestamp;         /* ns */
    uint8_t reserved2[8];
    uint32_t error_bound;       /* ns */
    uint32_t error_flags;
    uint8_t reserved3[32];
} EnaAdminPhcResp;
ENA_CHECK_SIZE(EnaAdminPhcResp, 64);

typedef struct EnaAdminHostAttrFeature {
    EnaAddr48 os_info_ba;
    EnaAddr48 debug_ba;
    uint32_t debug_area_size;
} EnaAdminHostAttrFeature;
ENA_CHECK_SIZE(EnaAdminHostAttrFeature, 20);

enum EnaAdminOsType {
    ENA_ADMIN_OS_LINUX      = 1,
    ENA_ADMIN_OS_WIN        = 2,
    ENA_ADMIN_OS_DPDK       = 3,
    ENA_ADMIN_OS_FREEBSD    = 4,
    ENA_ADMIN_OS_IPXE       = 5,
    ENA_ADMIN_OS_ESXI       = 6,
};

typedef struct EnaAdminHostInfo {
    uint32_t os_type;
    uint8_t os_dist_str[128];
    uint32_t os_dist;
    uint8_t kernel_ver_str[32];
    uint32_t kernel_ver;
    uint32_t driver_version;
    uint32_t supported_network_features[2];
    uint16_t ena_spec_version;
    uint16_t bdf;
    uint16_t num_cpus;
    uint16_t reserved;
    uint32_t driver_supported_features;
} EnaAdminHostInfo;
ENA_CHECK_SIZE(EnaAdminHostInfo, 196);

/* GET_STATS */
enum EnaAdminGetStatsType {
    ENA_ADMIN_GET_STATS_TYPE_BASIC              = 0,
    ENA_ADMIN_GET_STATS_TYPE_EXTENDED           = 1,
    ENA_ADMIN_GET_STATS_TYPE_ENI                = 2,
    ENA_ADMIN_GET_STATS_TYPE_ENA_SRD            = 3,
    ENA_ADMIN_GET_STATS_TYPE_CUSTOMER_METRICS   = 4,
};
#define ENA_ADMIN_CUSTOMER_METRICS_SUPPORT_MASK     0x3fu
#define ENA_ADMIN_CUSTOMER_METRICS_NUM              6

typedef struct EnaAdminGetStatsCmd {
    EnaAdminAqCommon aq_common;
    EnaAdminCtrlBuf ctrl;
    uint8_t type;
    uint8_t scope;
    uint16_t reserved;
    uint16_t queue_idx;
    uint16_t device_id;
    uint64_t requested_metrics;
} EnaAdminGetStatsCmd;
ENA_CHECK_SIZE(EnaAdminGetStatsCmd, ENA_ADMIN_GET_STATS_CMD_SIZE);

typedef struct EnaAdminBasicStats {
    uint32_t tx_bytes_low, tx_bytes_high;
    uint32_t tx_pkts_low, tx_pkts_high;
    uint32_t rx_bytes_low, rx_bytes_high;
    uint32_t rx_pkts_low, rx_pkts_high;
    uint32_t rx_drops_low, rx_drops_high;
    uint32_t tx_drops_low, tx_drops_high;
    uint32_t rx_overruns_low, rx_overruns_high;
} EnaAdminBasicStats;
ENA_CHECK_SIZE(EnaAdminBasicStats, 56);

typedef struct EnaAdminEniStats {
    uint64_t bw_in_allowance_exceeded;
    uint64_t bw_out_allowance_exceeded;
    uint64_t pps_allowance_exceeded;
    uint64_t conntrack_allowance_exceeded;
    uint64_t linklocal_allowance_exceeded;
} EnaAdminEniStats;
ENA_CHECK_SIZE(EnaAdminEniStats, 40);

typedef struct EnaAdminSrdInfo {
    uint64_t flags;
    uint64_t ena_srd_tx_pkts;
    uint64_t ena_srd_eligible_tx_pkts;
    uint64_t ena_srd_rx_pkts;
    uint64_t ena_srd_resource_utilization;
} EnaAdminSrdInfo;
ENA_CHECK_SIZE(EnaAdminSrdInfo, 40);

/* ---- AENQ ------------------------------------------------------------- */

enum EnaAdminAenqGroup {
    ENA_ADMIN_LINK_CHANGE           = 0,
    ENA_ADMIN_FATAL_ERROR           = 1,
    ENA_ADMIN_WARNING               = 2,
    ENA_ADMIN_NOTIFICATION          = 3,
    ENA_ADMIN_KEEP_ALIVE            = 4,
    ENA_ADMIN_REFRESH_CAPABILITIES  = 5,
    ENA_ADMIN_CONF_NOTIFICATIONS    = 6,
    ENA_ADMIN_DEVICE_REQUEST_RESET  = 7,
    ENA_ADMIN_AENQ_GROUPS_NUM       = 8,
};

enum EnaAdminAenqNotificationSyndrome {
    ENA_ADMIN_SUSPEND       = 0,
    ENA_ADMIN_RESUME        = 1,
    ENA_ADMIN_UPDATE_HINTS  = 2,
};

#define ENA_ADMIN_AENQ_COMMON_DESC_PHASE_MASK   0x01u
#define ENA_ADMIN_AENQ_LINK_CHANGE_DESC_LINK_STATUS_MASK 0x1u

typedef struct EnaAdminAenqCommon {
    uint16_t group;
    uint16_t syndrome;
    uint8_t flags;
    uint8_t reserved1[3];
    uint32_t timestamp_low;
    uint32_t timestamp_high;
} EnaAdminAenqCommon;
ENA_CHECK_SIZE(EnaAdminAenqCommon, 16);

typedef struct EnaAdminAenqEntry {
    EnaAdminAenqCommon aenq_common;
    uint32_t inline_data_w4[12];
} EnaAdminAenqEntry;
ENA_CHECK_SIZE(EnaAdminAenqEntry, 64);

typedef struct EnaAdminAenqKeepAlive {
    uint32_t rx_drops_low, rx_drops_high;
    uint32_t tx_drops_low, tx_drops_high;
    uint32_t rx_overruns_low, rx_overruns_high;
} EnaAdminAenqKeepAlive;
ENA_CHECK_SIZE(EnaAdminAenqKeepAlive, 24);

/* ---- IO queues -------------------------------------------------------- */

/* TX data / meta descriptor (16 bytes) */
typedef struct EnaEthIoTxDesc {
    uint32_t len_ctrl;
    uint32_t meta_ctrl;
    uint32_t buff_addr_lo;
    uint32_t buff_addr_hi_hdr_sz;
} EnaEthIoTxDesc;
ENA_CHECK_SIZE(EnaEthIoTxDesc, 16);

#define ENA_ETH_IO_TX_DESC_LENGTH_MASK              0x0000ffffu
#define ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT          16
#define ENA_ETH_IO_TX_DESC_REQ_ID_HI_MASK           0x003f0000u
#define ENA_ETH_IO_TX_DESC_META_DESC_MASK           (1u << 23)
#define ENA_ETH_IO_TX_DESC_PHASE_SHIFT              24
#define ENA_ETH_IO_TX_DESC_PHASE_MASK               (1u << 24)
#define ENA_ETH_IO_TX_DESC_FIRST_MASK               (1u << 26)
#define ENA_ETH_IO_TX_DESC_LAST_MASK                (1u << 27)
#define ENA_ETH_IO_TX_DESC_COMP_REQ_MASK            (1u << 28)
#define ENA_ETH_IO_TX_DESC_L3_PROTO_IDX_MASK        0x0000000fu
#define ENA_ETH_IO_TX_DESC_DF_MASK                  (1u << 4)
#define ENA_ETH_IO_TX_DESC_TSO_EN_MASK              (1u << 7)
#define ENA_ETH_IO_TX_DESC_L4_PROTO_IDX_SHIFT       8
#define ENA_ETH_IO_TX_DESC_L4_PROTO_IDX_MASK        0x00001f00u
#define ENA_ETH_IO_TX_DESC_L3_CSUM_EN_MASK          (1u << 13)
#define ENA_ETH_IO_TX_DESC_L4_CSUM_EN_MASK          (1u << 14)
#define ENA_ETH_IO_TX_DESC_ETHERNET_FCS_DIS_MASK    (1u << 15)
#define ENA_ETH_IO_TX_DESC_L4_CSUM_PARTIAL_MASK     (1u << 17)
#define ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT          22
#define ENA_ETH_IO_TX_DESC_REQ_ID_LO_MASK           0xffc00000u
#define ENA_ETH_IO_TX_DESC_ADDR_HI_MASK             0x0000ffffu
#define ENA_ETH_IO_TX_DESC_HEADER_LENGTH_SHIFT      24
#define ENA_ETH_IO_TX_DESC_HEADER_LENGTH_MASK       0xff000000u

/* Meta descriptor fields (len_ctrl and word 2 = buff_addr_lo slot) */
#define ENA_ETH_IO_TX_META_DESC_EXT_VALID_MASK      (1u << 14)
#define ENA_ETH_IO_TX_META_DESC_MSS_HI_SHIFT        16
#define ENA_ETH_IO_TX_META_DESC_MSS_HI_MASK         0x000f0000u
#define ENA_ETH_IO_TX_META_DESC_ETH_META_TYPE_MASK  (1u << 20)
#define ENA_ETH_IO_TX_META_DESC_META_STORE_MASK     (1u << 21)
#define ENA_ETH_IO_TX_META_DESC_L3_HDR_LEN_MASK     0x000000ffu
#define ENA_ETH_IO_TX_META_DESC_L3_HDR_OFF_SHIFT    8
#define ENA_ETH_IO_TX_META_DESC_L3_HDR_OFF_MASK     0x0000ff00u
#define ENA_ETH_IO_TX_META_DESC_L4_HDR_LEN_SHIFT    16
#define ENA_ETH_IO_TX_META_DESC_L4_HDR_LEN_MASK     0x003f0000u
#define ENA_ETH_IO_TX_META_DESC_MSS_LO_SHIFT        22
#define ENA_ETH_IO_TX_META_DESC_MSS_LO_MASK         0xffc00000u

enum EnaEthIoL3ProtoIndex {
    ENA_ETH_IO_L3_PROTO_UNKNOWN = 0,
    ENA_ETH_IO_L3_PROTO_IPV4    = 8,
    ENA_ETH_IO_L3_PROTO_IPV6    = 11,
};
enum EnaEthIoL4ProtoIndex {
    ENA_ETH_IO_L4_PROTO_UNKNOWN = 0,
    ENA_ETH_IO_L4_PROTO_TCP     = 12,
    ENA_ETH_IO_L4_PROTO_UDP     = 13,
};

/* TX completion (8 bytes) */
typedef struct EnaEthIoTxCdesc {
    uint16_t req_id;
    uint8_t status;
    uint8_t flags;              /* bit 0 phase */
    uint16_t sub_qid;
    uint16_t sq_head_idx;
} EnaEthIoTxCdesc;
ENA_CHECK_SIZE(EnaEthIoTxCdesc, 8);
#define ENA_ETH_IO_TX_CDESC_PHASE_MASK              0x01u
#define ENA_ETH_IO_TX_CDESC_MBZ_MASK                0xc0u   /* flags 7:6 */

/* RX submission descriptor (16 bytes) */
typedef struct EnaEthIoRxDesc {
    uint16_t length;            /* 0 means 64 KiB */
    uint8_t reserved2;
    uint8_t ctrl;
    uint16_t req_id;
    uint16_t reserved6;
    uint32_t buff_addr_lo;
    uint16_t buff_addr_hi;
    uint16_t reserved16_w3;
} EnaEthIoRxDesc;
ENA_CHECK_SIZE(EnaEthIoRxDesc, 16);
#define ENA_ETH_IO_RX_DESC_PHASE_MASK               0x01u
#define ENA_ETH_IO_RX_DESC_FIRST_MASK               0x04u
#define ENA_ETH_IO_RX_DESC_LAST_MASK                0x08u
#define ENA_ETH_IO_RX_DESC_COMP_REQ_MASK            0x10u

/* RX completion (16 bytes) */
typedef struct EnaEthIoRxCdesc {
    uint32_t status;
    uint16_t length;
    uint16_t req_id;
    uint32_t hash;
    uint16_t sub_qid;
    uint8_t offset;
    uint8_t reserved;
} EnaEthIoRxCdesc;
ENA_CHECK_SIZE(EnaEthIoRxCdesc, 16);
#define ENA_ETH_IO_RX_CDESC_L3_PROTO_IDX_MASK       0x0000001fu
#define ENA_ETH_IO_RX_CDESC_MBZ_MASK                ((1u << 7) | (1u << 17))
#define ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_SHIFT      8
#define ENA_ETH_IO_RX_CDESC_L4_PROTO_IDX_MASK       0x00001f00u
#define ENA_ETH_IO_RX_CDESC_L3_CSUM_ERR_MASK        (1u << 13)
#define ENA_ETH_IO_RX_CDESC_L4_CSUM_ERR_MASK        (1u << 14)
#define ENA_ETH_IO_RX_CDESC_IPV4_FRAG_MASK          (1u << 15)
#define ENA_ETH_IO_RX_CDESC_L4_CSUM_CHECKED_MASK    (1u << 16)
#define ENA_ETH_IO_RX_CDESC_PHASE_SHIFT             24
#define ENA_ETH_IO_RX_CDESC_PHASE_MASK              (1u << 24)
#define ENA_ETH_IO_RX_CDESC_FIRST_MASK              (1u << 26)
#define ENA_ETH_IO_RX_CDESC_LAST_MASK               (1u << 27)
#define ENA_ETH_IO_RX_CDESC_BUFFER_MASK             (1u << 30)

/* CQ interrupt unmask register */
#define ENA_ETH_IO_INTR_REG_RX_INTR_DELAY_MASK      0x00007fffu
#define ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_SHIFT     15
#define ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_MASK      0x3fff8000u
#define ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK        (1u << 30)
#define ENA_ETH_IO_INTR_REG_NO_MODERATION_UPDATE_MASK (1u << 31)

/* NUMA node register */
#define ENA_ETH_IO_NUMA_NODE_CFG_REG_NUMA_MASK      0x000000ffu
#define ENA_ETH_IO_NUMA_NODE_CFG_REG_ENABLED_MASK   (1u << 31)

#endif /* HW_ENA_HW_H */
