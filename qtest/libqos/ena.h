/*
 * libqos driver for the AWS Elastic Network Adapter (ena)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QOS_ENA_H
#define QOS_ENA_H

#include "qgraph.h"
#include "pci.h"
#include "../../../hw/ena/ena_hw.h"

#define QENA_MAX_VECTORS    33

typedef struct QEna {
    QOSGraphObject obj;
    QPCIDevice dev;
    QPCIBar bar;
    QGuestAllocator *alloc;
    uint64_t resp;              /* readless response buffer */
    uint16_t read_seq;

    /* admin rings, as docs/interface.md §4.1 (32/32/16 entries of 64 B) */
    uint64_t aq, acq, aenq;
    uint16_t aq_tail;           /* free-running */
    uint16_t acq_head;
    uint16_t aenq_head;         /* consumed events; doorbell is +16 */
    uint16_t cmd_id;

    uint64_t msix_word[QENA_MAX_VECTORS];
} QEna;

#define QENA_AQ_DEPTH       32
#define QENA_AENQ_DEPTH     16
#define QENA_ADMIN_TIMEOUT_NS  (1000 * 1000 * 1000)

/*
 * Set up @d for the ena function at @addr, for tests that start QEMU
 * themselves rather than through the qos graph (q35 with an IOMMU ...).
 */
void qena_init(QEna *d, QPCIBus *bus, QPCIAddress *addr,
               QGuestAllocator *alloc);

uint32_t qena_readl(QEna *d, uint32_t off);
void qena_writel(QEna *d, uint32_t off, uint32_t val);

/* Program MMIO_RESP_LO/HI with the node's response buffer. */
void qena_readless_init(QEna *d);
/*
 * Readless register read; returns false when no response arrived within
 * @timeout_ns of virtual time (the driver's 0xffffffff case).
 */
bool qena_readless_read(QEna *d, uint32_t off, uint32_t *val,
                        uint64_t timeout_ns);

/*
 * The DEV_CTL reset handshake as drivers do it; returns the virtual time it
 * took in ns, or -1 if RESET_IN_PROGRESS did not rise and fall within
 * @timeout_ns per phase.
 */
int64_t qena_reset(QEna *d, uint32_t reason, uint64_t timeout_ns);

static inline void qena_test_restart_qemu(gpointer unused)
{
    qos_invalidate_command_line();
}

/*
 * QOSGraphTestOptions.before for the qos ena tests: hub-port back ends
 * hs0 and hs1, and a fresh QEMU for each test so that no device state
 * leaks. Inline: qos_invalidate_command_line() exists in qos-test only.
 */
static inline void *qena_test_before(GString *cmd_line, void *arg)
{
    g_string_append(cmd_line, " -netdev hubport,hubid=0,id=hs0 "
                    "-netdev hubport,hubid=0,id=hs1 ");
    g_test_queue_destroy(qena_test_restart_qemu, NULL);
    return arg;
}

/* @size bytes of guest memory, zeroed */
uint64_t qena_alloc_zeroed(QEna *d, size_t size);
/* qom-get of an integer property of the device with id @id */
uint64_t qena_qom_get_uint(QTestState *qts, const char *id,
                           const char *prop);
/* ... of a string property; the caller frees it */
char *qena_qom_get_str(QTestState *qts, const char *id, const char *prop);

/* Point MSI-X table entry @vector at a guest RAM word and unmask it. */
void qena_msix_route(QEna *d, uint16_t vector);
/* Has @vector fired since the last call? (clears the word) */
bool qena_msix_take(QEna *d, uint16_t vector);

/*
 * Allocate and program the AQ, ACQ and AENQ as the Linux driver does;
 * @polling writes INTR_MASK=1.
 */
void qena_admin_init(QEna *d, bool polling);
/* Copy @cmd into the next AQ slot with id and phase, ring the doorbell. */
uint16_t qena_admin_submit(QEna *d, EnaAdminAqEntry *cmd);
/* Wait up to @timeout_ns for the next ACQ entry; false if none came. */
bool qena_admin_poll(QEna *d, EnaAdminAcqEntry *resp, uint64_t timeout_ns);
/* submit + poll, asserting the completion arrives and echoes the id */
uint8_t qena_admin_exec(QEna *d, EnaAdminAqEntry *cmd,
                        EnaAdminAcqEntry *resp);
uint8_t qena_get_feature(QEna *d, uint8_t id, uint8_t version,
                         uint64_t buf, uint32_t buf_len, void *out,
                         size_t out_len);
uint8_t qena_set_feature(QEna *d, uint8_t id, const void *payload,
                         size_t len, uint64_t buf, uint32_t buf_len);
/* GET_STATS of @type (control buffer @buf/@len, if any); the status. */
uint8_t qena_get_stats(QEna *d, uint8_t type, uint64_t buf, uint32_t len,
                       uint64_t metrics, EnaAdminAcqEntry *r);
/*
 * CREATE_CQ (@words: entry size in 4-byte words) and CREATE_SQ (host
 * placement); the status, and the response in @out if not NULL.
 */
uint8_t qena_create_cq(QEna *d, uint16_t depth, uint32_t vector,
                       uint8_t words, uint64_t ba, EnaAdminCreateCqResp *out);
uint8_t qena_create_sq(QEna *d, uint8_t dir, uint16_t cq_idx,
                       uint16_t depth, uint64_t ba,
                       EnaAdminCreateSqResp *out);
/* A 48-bit DMA address as the admin commands carry it. */
void qena_addr48(EnaAddr48 *a, uint64_t addr);

/* Take the next AENQ event if the device has written one. */
bool qena_aenq_take(QEna *d, EnaAdminAenqEntry *e);
/* Tell the device how far the AENQ was consumed (AENQ_HEAD_DB). */
void qena_aenq_ack(QEna *d);

/*
 * IO queues of QENA_IO_DEPTH entries: an SQ and its CQ (8-byte TX, 16-byte
 * RX completions), in host placement or LLQ.
 */
#define QENA_IO_DEPTH       256

typedef struct QEnaIoQueue {
    uint16_t sq_idx, cq_idx;
    uint32_t db, unmask;        /* BAR0 offsets */
    uint64_t sq, cq;
    uint16_t tail;              /* SQ producer, free-running */
    uint16_t head;              /* CQ consumer, free-running */
    uint8_t cq_entry;
    uint32_t llq_off;           /* LLQ: the ring's offset in BAR2 */
} QEnaIoQueue;

void qena_io_queue(QEna *d, QEnaIoQueue *q, uint8_t dir, uint32_t vector,
                   uint8_t placement);
/* One descriptor at the tail, in the phase of its pass over the ring */
void qena_tx_push(QEna *d, QEnaIoQueue *q, const EnaEthIoTxDesc *desc);
/*
 * The meta descriptor of a TSO packet: an L3 header of @l3_len bytes at
 * @l3_off, a TCP header of @l4_words 32-bit words, segments of @mss.
 */
void qena_tso_meta(EnaEthIoTxDesc *meta, uint8_t l3_len, uint8_t l3_off,
                   uint8_t l4_words, uint16_t mss);
/* One packet from @nbufs guest buffers, after a meta descriptor if any */
void qena_tx_packet(QEna *d, QEnaIoQueue *q, uint16_t req_id,
                    const uint64_t *bufs, const uint16_t *lens, int nbufs,
                    uint32_t meta_ctrl, const EnaEthIoTxDesc *meta);
bool qena_tx_cmpl(QEna *d, QEnaIoQueue *q, uint16_t *req_id);
/* Post an RX buffer of @len bytes; returns its guest address */
uint64_t qena_rx_post(QEna *d, QEnaIoQueue *q, uint16_t req_id,
                      uint16_t len);
bool qena_rx_cmpl(QEna *d, QEnaIoQueue *q, EnaEthIoRxCdesc *cd);
void qena_sq_doorbell(QEna *d, QEnaIoQueue *q);

#endif
