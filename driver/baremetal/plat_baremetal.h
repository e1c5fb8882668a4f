/*
 * ENA reference driver: platform backend for the bare-metal guest.
 *
 * The driver core runs on the CPU of a small multiboot guest. The device
 * is found on PCI; BAR0 and the MSI-X table are used through identity-
 * mapped MMIO; DMA memory comes from a page allocator over a RAM window;
 * MSI-X vectors write to RAM words that ena_plat_intr_take() swaps with 0
 * (no interrupt controller involved, as in the qtest backend).
 *
 * Time is logical, as under qtest: ena_plat_now_ns() moves only in
 * ena_plat_delay_us(), which then halts until the HPET reaches the new
 * time. Before the core reads device-written memory after a register
 * write, the backend lets QEMU's main loop run (bm_sync()), so that the
 * admin bottom half has run; the event log is then identical run after
 * run under -icount sleep=off.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_PLAT_BAREMETAL_H
#define ENA_PLAT_BAREMETAL_H

#include "ena_plat.h"

/* Called for each received frame with a contiguous copy of it. */
typedef void (*EnaPlatBmRxFn)(void *opaque, uint16_t qid,
                              const uint8_t *frame, uint32_t len);

/*
 * Hand the DMA allocator the RAM window [@base, @base + @size) (page
 * aligned, identity-mapped, unused by anything else).
 */
void ena_plat_bm_dma_init(uint64_t base, uint64_t size);
/*
 * Find the @index-th Amazon PCI function, enable memory decoding and bus
 * mastering, map BAR0. NULL (and a message) if there is none.
 */
EnaPlat *ena_plat_bm_open(unsigned index, EnaLogLevel log_level);
void ena_plat_bm_set_rx(EnaPlat *plat, EnaPlatBmRxFn fn, void *opaque);
/* Does the function still answer config reads (not hot-unplugged)? */
bool ena_plat_bm_present(EnaPlat *plat);
/* DMA bytes currently allocated (leak checks). */
uint64_t ena_plat_bm_dma_in_use(void);
/* Count of bm_sync() round trips, for the statistics. */
uint64_t ena_plat_bm_syncs(EnaPlat *plat);

#endif /* ENA_PLAT_BAREMETAL_H */
