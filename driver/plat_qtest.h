/*
 * ENA reference driver: platform backend over QEMU's qtest protocol.
 *
 * The driver core runs in the test process. QEMU is started with its RAM
 * in a shared file that this process maps too, so descriptors and buffers
 * are plain memory; registers go over qtest (libqos PCI), time is QEMU's
 * virtual clock (a delay is a clock_step) and MSI-X vectors are pointed at
 * guest-RAM words that ena_plat_intr_take() polls and clears.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_PLAT_QTEST_H
#define ENA_PLAT_QTEST_H

#include "libqtest.h"
#include "libqos/pci.h"
#include "ena_plat.h"

typedef struct EnaPlatQtestOpts {
    /* the device and its netdev, e.g. "-device ena,netdev=n0,id=ena0 ..." */
    const char *extra_args;
    uint32_t ram_mb;            /* guest RAM, shared; 0: 256 */
    uint32_t dma_mb;            /* DMA window at the top of RAM; 0: 64 */
    EnaLogLevel log_level;      /* print messages up to this level */
    /*
     * Step to deadlines: ena_plat_wait_device() steps the clock to the
     * machine's next timer deadline (a device event) or the caller's
     * deadline, whichever is first, instead of one slice. The machine then
     * runs without the PIT, and every other periodic virtual-clock timer
     * (a filter-buffer's, say) would be a stop of its own.
     */
    bool deadline_steps;
} EnaPlatQtestOpts;

/* Called for each received frame with a contiguous copy of it. */
typedef void (*EnaPlatQtestRxFn)(void *opaque, uint16_t qid,
                                 const uint8_t *frame, uint32_t len,
                                 const EnaRxInfo *info);

/*
 * Start QEMU (-M pc with shared RAM plus @opts->extra_args), map its RAM,
 * find the first Amazon PCI function, enable it and map BAR0.
 */
EnaPlat *ena_plat_qtest_start(const EnaPlatQtestOpts *opts);
/* Quit QEMU and free everything. */
void ena_plat_qtest_stop(EnaPlat *plat);

QTestState *ena_plat_qtest_qts(EnaPlat *plat);
QPCIDevice *ena_plat_qtest_dev(EnaPlat *plat);
void ena_plat_qtest_set_rx(EnaPlat *plat, EnaPlatQtestRxFn fn, void *opaque);
/*
 * A qtest round trip that does not move the clock: QEMU's main loop
 * runs (expired timers, netdev reads) before it is answered, so what the
 * device wrote is visible afterwards.
 */
void ena_plat_qtest_sync(EnaPlat *plat);
/*
 * Step QEMU's virtual clock by @ns and return it. Tests that move the
 * clock themselves must use this: the backend's "now" is the value the
 * last step returned (qtest cannot read the clock without stepping it).
 */
int64_t ena_plat_qtest_clock_step(EnaPlat *plat, int64_t ns);
/*
 * The device was unplugged (device_del): from now on register accesses
 * read all-ones and write nothing, and ena_plat_qtest_stop() leaves its
 * configuration space alone.
 */
void ena_plat_qtest_unplugged(EnaPlat *plat);
/* Called after every clock step, e.g. to serve the far end of a netdev. */
void ena_plat_qtest_set_step_hook(EnaPlat *plat, void (*fn)(void *opaque),
                                  void *opaque);
/* DMA bytes currently allocated (leak checks). */
uint64_t ena_plat_qtest_dma_in_use(EnaPlat *plat);
/* Frames delivered to the RX callback so far. */
uint64_t ena_plat_qtest_rx_frames(EnaPlat *plat);

#endif /* ENA_PLAT_QTEST_H */
