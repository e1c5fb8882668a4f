/*
 * ENA reference driver: the platform interface the core is written against.
 *
 * The core (ena_com, ena_eth, ena_drv, ena_evlog) is freestanding C and
 * reaches the world only through the functions declared here. Each backend
 * (plat_qtest.c under QEMU's qtest, a bare-metal guest, the unit tests'
 * fake) defines struct EnaPlat and implements every function.
 *
 * Rules the core relies on:
 * - Registers are addressed by BAR0 offset through an opaque handle, since
 *   under qtest there is no host pointer to the BAR.
 * - Time is the platform's: ena_plat_now_ns() is monotonic and
 *   ena_plat_delay_us() advances it (under qtest both are QEMU's virtual
 *   clock), so every bounded wait is reproducible.
 * - DMA memory is coherent and zeroed. The core calls ena_plat_dma_sync()
 *   before a doorbell (TO_DEVICE) and before reading what the device wrote
 *   (FROM_DEVICE); a backend may turn these into cache maintenance, fences,
 *   or (qtest) a round trip that lets the device's deferred work run.
 * - GCC may emit calls to memcpy, memset, memmove and memcmp even in a
 *   freestanding build; the platform links them in.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_PLAT_H
#define ENA_PLAT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* Error codes, returned negated (-ENA_ETIME), with Linux errno values. */
#define ENA_EIO         5
#define ENA_EAGAIN      11
#define ENA_ENOMEM      12
#define ENA_EFAULT      14
#define ENA_EBUSY       16
#define ENA_ENODEV      19
#define ENA_EINVAL      22
#define ENA_ENOSPC      28
#define ENA_ERANGE      34
#define ENA_ETIME       62
#define ENA_EPROTO      71
#define ENA_EMSGSIZE    90
#define ENA_EOPNOTSUPP  95
#define ENA_ENETDOWN    100

typedef struct EnaPlat EnaPlat;     /* defined by each backend */

typedef enum EnaLogLevel {
    ENA_LOG_ERR,
    ENA_LOG_WARN,
    ENA_LOG_NOTICE,
    ENA_LOG_INFO,
    ENA_LOG_DEBUG,
} EnaLogLevel;

/* A coherent DMA buffer: CPU view, device (bus) address, backend cookie. */
typedef struct EnaDmaMem {
    void *virt;
    uint64_t phys;
    uint64_t size;
    uintptr_t handle;
} EnaDmaMem;

typedef enum EnaDmaSyncDir {
    ENA_DMA_SYNC_TO_DEVICE,     /* CPU wrote, device will read */
    ENA_DMA_SYNC_FROM_DEVICE,   /* device wrote, CPU will read */
} EnaDmaSyncDir;

/* One piece of a frame in CPU memory. */
typedef struct EnaFrag {
    const void *data;
    uint32_t len;
} EnaFrag;

/* What the device said about a received frame (last completion). */
typedef struct EnaRxInfo {
    uint32_t status;            /* RX completion status word, host order */
    uint32_t hash;
    uint16_t ndescs;
} EnaRxInfo;

typedef enum EnaLockId {
    ENA_LOCK_MMIO,
    ENA_LOCK_ADMIN,
    ENA_LOCK_AENQ,
    ENA_LOCK_IO,
} EnaLockId;

/* ---- device access ------------------------------------------------------ */

uint32_t ena_plat_reg_read32(EnaPlat *plat, uint32_t off);
void ena_plat_reg_write32(EnaPlat *plat, uint32_t off, uint32_t val);
/* PCI revision id; bit 0 set means plain register reads (no readless). */
uint8_t ena_plat_pci_revision(EnaPlat *plat);
/* bus << 8 | device << 3 | function, reported to the device in host_info */
uint16_t ena_plat_pci_bdf(EnaPlat *plat);

/*
 * BAR2, the device memory that LLQ TX rings live in (docs/interface.md
 * §1.3, §7.9). Optional: a device without it reports size 0, and the core
 * asks only when its configuration requests LLQ. Writes go to @off bytes
 * into the BAR; they may be combined and reordered until the next
 * ena_plat_wmb(), which the core issues before the SQ doorbell. A backend
 * ignores a write that does not fit inside the BAR.
 */
uint64_t ena_plat_llq_bar_size(EnaPlat *plat);
void ena_plat_llq_write(EnaPlat *plat, uint64_t off, const void *src,
                        uint32_t len);

/* ---- DMA ---------------------------------------------------------------- */

/* Allocate @size bytes of zeroed coherent memory, at least 4 KiB aligned. */
int ena_plat_dma_alloc(EnaPlat *plat, uint64_t size, EnaDmaMem *mem);
/* Free memory from ena_plat_dma_alloc(); clears @mem. No-op when empty. */
void ena_plat_dma_free(EnaPlat *plat, EnaDmaMem *mem);
/* Make [off, off + len) of @mem coherent in direction @dir. */
void ena_plat_dma_sync(EnaPlat *plat, const EnaDmaMem *mem, uint64_t off,
                       uint64_t len, EnaDmaSyncDir dir);
/* Order descriptor writes before the doorbell register write. */
void ena_plat_wmb(EnaPlat *plat);
/* Order the read of a phase bit before the reads of the entry's body. */
void ena_plat_rmb(EnaPlat *plat);

/* ---- time --------------------------------------------------------------- */

uint64_t ena_plat_now_ns(EnaPlat *plat);
void ena_plat_delay_us(EnaPlat *plat, uint32_t us);
/*
 * Let the device work while the caller polls for what it will do: wait
 * @slice_us, as ena_plat_delay_us() does. A platform that knows when the
 * device next acts (qtest: its next timer) may go straight to that moment
 * instead, sooner or later than @slice_us but never more than @limit_ns
 * from now, so a caller's deadline is never overshot because of it.
 * Returns the wait in microseconds, rounded up.
 */
uint32_t ena_plat_wait_device(EnaPlat *plat, uint32_t slice_us,
                              uint64_t limit_ns);

/* ---- interrupts --------------------------------------------------------- */

/*
 * Enable MSI-X with @nvec vectors (0: admin + AENQ, 1 + i: IO pair i).
 * Returns the number of vectors granted (>= 2) or a negative error.
 */
int ena_plat_msix_setup(EnaPlat *plat, uint16_t nvec);
void ena_plat_msix_teardown(EnaPlat *plat);
/* Has @vector fired since the last call for it? Clears the indication. */
bool ena_plat_intr_take(EnaPlat *plat, uint16_t vector);

/* ---- frames ------------------------------------------------------------- */

/*
 * A frame arrived on IO queue pair @qid: @nfrags pieces of @len bytes in
 * total. The pieces point into the driver's RX buffers and are reused as
 * soon as this returns, so the platform copies what it keeps.
 */
void ena_plat_rx_frame(EnaPlat *plat, uint16_t qid, const EnaFrag *frags,
                       uint16_t nfrags, uint32_t len, const EnaRxInfo *info);

/* ---- logging and locks -------------------------------------------------- */

void ena_plat_log(EnaPlat *plat, EnaLogLevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Locks for multi-threaded platforms; single-threaded ones make no-ops. */
void ena_plat_lock(EnaPlat *plat, EnaLockId id);
void ena_plat_unlock(EnaPlat *plat, EnaLockId id);
/* Short platform name for host_info (e.g. "qtest"). */
const char *ena_plat_name(EnaPlat *plat);

#endif /* ENA_PLAT_H */
