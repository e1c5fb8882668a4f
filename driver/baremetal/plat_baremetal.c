/*
 * ENA reference driver: platform backend for the bare-metal guest.
 *
 * SPDX-License-Identifier: MIT
 */
#include "bm.h"
#include "plat_baremetal.h"
#include "hw/ena/ena_hw.h"

#define PLAT_PAGE_SIZE      4096u
#define PLAT_PAGE_CONT      UINT32_MAX
/* the DMA window's page map: 512 MiB at most */
#define PLAT_MAX_PAGES      (512u << 20 >> 12)
#define PLAT_MAX_VECTORS    64

#define PCI_COMMAND             0x04
#define PCI_COMMAND_MEMORY      0x0002
#define PCI_COMMAND_MASTER      0x0004
#define PCI_COMMAND_INTX_OFF    0x0400
#define PCI_REVISION_ID         0x08
#define PCI_CAP_ID_MSIX         0x11
#define PCI_MSIX_FLAGS          2
#define PCI_MSIX_FLAGS_QSIZE    0x07ff
#define PCI_MSIX_FLAGS_MASKALL  0x4000
#define PCI_MSIX_FLAGS_ENABLE   0x8000
#define PCI_MSIX_TABLE          4
#define PCI_MSIX_ENTRY_SIZE     16
#define PCI_MSIX_ENTRY_LO       0
#define PCI_MSIX_ENTRY_HI       4
#define PCI_MSIX_ENTRY_DATA     8
#define PCI_MSIX_ENTRY_CTRL     12
#define PCI_MSIX_ENTRY_MASKED   0x1

/* Delays shorter than this spin on the HPET instead of halting. */
#define PLAT_SPIN_MAX_NS        20000u

struct EnaPlat {
    uint16_t bdf;
    uint8_t revision;
    uintptr_t bar0;
    /* BAR2 (LLQ), sized when the core first asks for it; 0: none */
    uintptr_t bar2;
    uint64_t bar2_size;
    bool bar2_probed;

    /* MSI-X: vector v writes v + 1 to the word at msix_mem + 4 v */
    uint8_t msix_cap;
    uintptr_t msix_table;
    uint16_t msix_table_size;
    EnaDmaMem msix_mem;
    uint16_t nvec;

    bool dirty;                 /* a register write since the last sync */
    uint64_t now;               /* logical time, ns */
    uint64_t syncs;
    EnaLogLevel log_level;
    EnaPlatBmRxFn rx_fn;
    void *rx_opaque;
};

static EnaPlat plat_dev;

/* The DMA window: pages[i] = run length at a run's first page, CONT after */
static uint64_t plat_dma_base;
static uint32_t plat_npages;
static uint32_t plat_pages[PLAT_MAX_PAGES];
static uint64_t plat_dma_in_use;

/* ---- lifecycle ---------------------------------------------------------- */

void ena_plat_bm_dma_init(uint64_t base, uint64_t size)
{
    plat_dma_base = base;
    plat_npages = (uint32_t)(size / PLAT_PAGE_SIZE);
    if (plat_npages > PLAT_MAX_PAGES) {
        plat_npages = PLAT_MAX_PAGES;
    }
}

EnaPlat *ena_plat_bm_open(unsigned index, EnaLogLevel log_level)
{
    EnaPlat *p = &plat_dev;
    int bdf = bm_pci_find(PCI_VENDOR_ID_AMAZON, index);
    uint64_t bar0, tbar;
    uint32_t table;
    uint16_t cmd;

    memset(p, 0, sizeof(*p));
    p->log_level = log_level;
    /* logical time starts on a whole microsecond, as every delay is */
    p->now = (bm_time_ns() + BM_NS_PER_US - 1) / BM_NS_PER_US * BM_NS_PER_US;
    bm_sleep_until(p->now);
    if (bdf < 0) {
        bm_printf("no PCI function with vendor 0x%04x\n",
                  PCI_VENDOR_ID_AMAZON);
        return NULL;
    }
    p->bdf = (uint16_t)bdf;
    p->revision = bm_pci_read8(p->bdf, PCI_REVISION_ID);
    bar0 = bm_pci_bar_addr(p->bdf, ENA_REG_BAR);
    if (!bar0 || bar0 >> 32) {
        bm_printf("ENA BAR0 at 0x%llx cannot be reached\n",
                  (unsigned long long)bar0);
        return NULL;
    }
    p->bar0 = (uintptr_t)bar0;

    p->msix_cap = bm_pci_find_cap(p->bdf, PCI_CAP_ID_MSIX);
    if (!p->msix_cap) {
        bm_puts("ENA has no MSI-X capability\n");
        return NULL;
    }
    table = bm_pci_read32(p->bdf, p->msix_cap + PCI_MSIX_TABLE);
    tbar = bm_pci_bar_addr(p->bdf, table & 7);
    if (!tbar || tbar >> 32) {
        bm_printf("MSI-X table BAR %u at 0x%llx cannot be reached\n",
                  table & 7, (unsigned long long)tbar);
        return NULL;
    }
    p->msix_table = (uintptr_t)tbar + (table & ~7u);
    p->msix_table_size = (bm_pci_read16(p->bdf, p->msix_cap +
                                        PCI_MSIX_FLAGS) &
                          PCI_MSIX_FLAGS_QSIZE) + 1;

    cmd = bm_pci_read16(p->bdf, PCI_COMMAND);
    bm_pci_write16(p->bdf, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY |
                   PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
    return p;
}

void ena_plat_bm_set_rx(EnaPlat *p, EnaPlatBmRxFn fn, void *opaque)
{
    p->rx_fn = fn;
    p->rx_opaque = opaque;
}

bool ena_plat_bm_present(EnaPlat *p)
{
    return bm_pci_read16(p->bdf, 0x00) == PCI_VENDOR_ID_AMAZON;
}

uint64_t ena_plat_bm_dma_in_use(void)
{
    return plat_dma_in_use;
}

uint64_t ena_plat_bm_syncs(EnaPlat *p)
{
    return p->syncs;
}

static void plat_sync(EnaPlat *p)
{
    bm_sync();
    p->dirty = false;
    p->syncs++;
}

/* ---- device access ------------------------------------------------------ */

uint32_t ena_plat_reg_read32(EnaPlat *p, uint32_t off)
{
    return bm_mmio_read32(p->bar0 + off);
}

void ena_plat_reg_write32(EnaPlat *p, uint32_t off, uint32_t val)
{
    /* a write may schedule deferred device work (the admin doorbell) */
    p->dirty = true;
    bm_mmio_write32(p->bar0 + off, val);
}

/*
 * Size BAR2 the PCI way (all-ones, read back, restore) with memory
 * decoding off meanwhile, only when the core asks: a run without LLQ
 * touches no more configuration than before. Paging is off, so a BAR
 * below 4 GiB is used at its bus address; one above cannot be reached.
 */
uint64_t ena_plat_llq_bar_size(EnaPlat *p)
{
    uint8_t off = 0x10 + ENA_MEM_BAR * 4;
    uint64_t addr;
    uint32_t lo, sz;
    uint16_t cmd;

    if (p->bar2_probed) {
        return p->bar2_size;
    }
    p->bar2_probed = true;
    lo = bm_pci_read32(p->bdf, off);
    if (lo & 1) {
        return 0;                   /* an I/O BAR: not the LLQ memory */
    }
    addr = bm_pci_bar_addr(p->bdf, ENA_MEM_BAR);
    cmd = bm_pci_read16(p->bdf, PCI_COMMAND);
    bm_pci_write16(p->bdf, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
    bm_pci_write32(p->bdf, off, 0xffffffff);
    sz = bm_pci_read32(p->bdf, off) & ~0xfu;
    bm_pci_write32(p->bdf, off, lo);
    bm_pci_write16(p->bdf, PCI_COMMAND, cmd);
    if (!sz || !addr) {
        return 0;
    }
    /* BARs are naturally aligned powers of two below 4 GiB here */
    p->bar2_size = (uint64_t)(sz & -sz);
    if ((addr >> 32) || addr + p->bar2_size > 0x100000000ull) {
        bm_printf("ENA BAR2 at 0x%llx cannot be reached\n",
                  (unsigned long long)addr);
        p->bar2_size = 0;
        return 0;
    }
    p->bar2 = (uintptr_t)addr;
    return p->bar2_size;
}

void ena_plat_llq_write(EnaPlat *p, uint64_t off, const void *src,
                        uint32_t len)
{
    const uint8_t *b = src;
    uint32_t i = 0;

    if (!p->bar2_size || off > p->bar2_size || len > p->bar2_size - off) {
        return;
    }
    /* plain stores, 32 bits at a time (a 32-bit guest), then the rest */
    for (; i + 4 <= len; i += 4) {
        uint32_t v;

        memcpy(&v, b + i, 4);
        bm_mmio_write32(p->bar2 + (uintptr_t)off + i, v);
    }
    for (; i < len; i++) {
        bm_mmio_write8(p->bar2 + (uintptr_t)off + i, b[i]);
    }
}

uint8_t ena_plat_pci_revision(EnaPlat *p)
{
    return p->revision;
}

uint16_t ena_plat_pci_bdf(EnaPlat *p)
{
    return p->bdf;
}

/* ---- DMA ---------------------------------------------------------------- */

int ena_plat_dma_alloc(EnaPlat *p, uint64_t size, EnaDmaMem *mem)
{
    uint32_t n = (uint32_t)((size + PLAT_PAGE_SIZE - 1) / PLAT_PAGE_SIZE);
    uint32_t run = 0;

    if (!size || n > plat_npages) {
        return -ENA_ENOMEM;
    }
    for (uint32_t i = 0; i < plat_npages; i++) {
        if (plat_pages[i]) {
            run = 0;
            continue;
        }
        if (++run == n) {
            uint32_t first = i + 1 - n;

            plat_pages[first] = n;
            for (uint32_t k = first + 1; k <= i; k++) {
                plat_pages[k] = PLAT_PAGE_CONT;
            }
            mem->phys = plat_dma_base + (uint64_t)first * PLAT_PAGE_SIZE;
            mem->virt = (void *)(uintptr_t)mem->phys;
            mem->size = size;
            mem->handle = first + 1;
            memset(mem->virt, 0, (size_t)n * PLAT_PAGE_SIZE);
            plat_dma_in_use += (uint64_t)n * PLAT_PAGE_SIZE;
            return 0;
        }
    }
    return -ENA_ENOMEM;
}

void ena_plat_dma_free(EnaPlat *p, EnaDmaMem *mem)
{
    uint32_t first, n;

    if (!mem->handle) {
        return;
    }
    first = (uint32_t)mem->handle - 1;
    n = first < plat_npages ? plat_pages[first] : 0;
    if (!n || n == PLAT_PAGE_CONT) {
        bm_printf("dma_free: bad handle %u\n", (unsigned)mem->handle);
        return;
    }
    for (uint32_t k = first; k < first + n; k++) {
        plat_pages[k] = 0;
    }
    plat_dma_in_use -= (uint64_t)n * PLAT_PAGE_SIZE;
    memset(mem, 0, sizeof(*mem));
}

void ena_plat_dma_sync(EnaPlat *p, const EnaDmaMem *mem, uint64_t off,
                       uint64_t len, EnaDmaSyncDir dir)
{
    if (dir == ENA_DMA_SYNC_FROM_DEVICE && p->dirty) {
        plat_sync(p);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void ena_plat_wmb(EnaPlat *p)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void ena_plat_rmb(EnaPlat *p)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/* ---- time --------------------------------------------------------------- */

uint64_t ena_plat_now_ns(EnaPlat *p)
{
    return p->now;
}

/*
 * Logical time moves by exactly @us; the CPU then waits for the HPET to
 * get there (if it is not there already: a guest that fell behind does
 * not wait, and its logical time stays behind until it catches up).
 */
void ena_plat_delay_us(EnaPlat *p, uint32_t us)
{
    uint64_t ns = (uint64_t)us * BM_NS_PER_US;

    p->now += ns;
    if (ns < PLAT_SPIN_MAX_NS) {
        bm_spin_until(p->now);
    } else {
        bm_sleep_until(p->now);
    }
}

/* The guest cannot see the device's timers: a poll every slice. */
uint32_t ena_plat_wait_device(EnaPlat *p, uint32_t slice_us,
                              uint64_t limit_ns)
{
    ena_plat_delay_us(p, slice_us);
    return slice_us;
}

/* ---- interrupts --------------------------------------------------------- */

static uintptr_t plat_msix_entry(EnaPlat *p, uint16_t v, uint32_t field)
{
    return p->msix_table + (uintptr_t)v * PCI_MSIX_ENTRY_SIZE + field;
}

int ena_plat_msix_setup(EnaPlat *p, uint16_t nvec)
{
    uint16_t ctrl;

    if (!p->msix_mem.virt && ena_plat_dma_alloc(p, PLAT_PAGE_SIZE,
                                                &p->msix_mem)) {
        return -ENA_ENOMEM;
    }
    if (nvec > p->msix_table_size) {
        nvec = p->msix_table_size;
    }
    if (nvec > PLAT_MAX_VECTORS) {
        nvec = PLAT_MAX_VECTORS;
    }
    ctrl = bm_pci_read16(p->bdf, p->msix_cap + PCI_MSIX_FLAGS);
    bm_pci_write16(p->bdf, p->msix_cap + PCI_MSIX_FLAGS,
                   (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
    for (uint16_t v = 0; v < nvec; v++) {
        uint64_t addr = p->msix_mem.phys + v * 4u;
        uint32_t vc;

        bm_mmio_write32(plat_msix_entry(p, v, PCI_MSIX_ENTRY_LO),
                        (uint32_t)addr);
        bm_mmio_write32(plat_msix_entry(p, v, PCI_MSIX_ENTRY_HI),
                        (uint32_t)(addr >> 32));
        bm_mmio_write32(plat_msix_entry(p, v, PCI_MSIX_ENTRY_DATA), v + 1u);
        vc = bm_mmio_read32(plat_msix_entry(p, v, PCI_MSIX_ENTRY_CTRL));
        bm_mmio_write32(plat_msix_entry(p, v, PCI_MSIX_ENTRY_CTRL),
                        vc & ~PCI_MSIX_ENTRY_MASKED);
    }
    memset(p->msix_mem.virt, 0, PLAT_PAGE_SIZE);
    p->nvec = nvec;
    p->dirty = true;
    return nvec;
}

void ena_plat_msix_teardown(EnaPlat *p)
{
    /* mask the entries before their words go back to the allocator */
    for (uint16_t v = 0; v < p->nvec; v++) {
        uint32_t vc = bm_mmio_read32(plat_msix_entry(p, v,
                                                     PCI_MSIX_ENTRY_CTRL));

        bm_mmio_write32(plat_msix_entry(p, v, PCI_MSIX_ENTRY_CTRL),
                        vc | PCI_MSIX_ENTRY_MASKED);
    }
    p->nvec = 0;
    ena_plat_dma_free(p, &p->msix_mem);
}

bool ena_plat_intr_take(EnaPlat *p, uint16_t vector)
{
    uint32_t *w;

    if (vector >= p->nvec) {
        return false;
    }
    if (p->dirty) {
        plat_sync(p);
    }
    w = (uint32_t *)p->msix_mem.virt + vector;
    return __atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST) != 0;
}

/* ---- frames, logging, locks --------------------------------------------- */

void ena_plat_rx_frame(EnaPlat *p, uint16_t qid, const EnaFrag *frags,
                       uint16_t nfrags, uint32_t len, const EnaRxInfo *info)
{
    static uint8_t buf[16384];
    uint32_t off = 0;

    for (uint16_t i = 0; i < nfrags; i++) {
        uint32_t n = frags[i].len;

        if (off + n > sizeof(buf)) {
            n = sizeof(buf) - off;
        }
        memcpy(buf + off, frags[i].data, n);
        off += n;
    }
    if (p->rx_fn) {
        p->rx_fn(p->rx_opaque, qid, buf, off);
    }
}

void ena_plat_log(EnaPlat *p, EnaLogLevel level, const char *fmt, ...)
{
    static const char *const names[] = { "err", "warn", "notice", "info",
                                         "debug" };
    char buf[400];
    va_list ap;

    if (level > p->log_level) {
        return;
    }
    va_start(ap, fmt);
    bm_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    bm_printf("LOG %llu %s %s\n", (unsigned long long)p->now,
              names[level], buf);
}

void ena_plat_lock(EnaPlat *p, EnaLockId id)
{
}

void ena_plat_unlock(EnaPlat *p, EnaLockId id)
{
}

const char *ena_plat_name(EnaPlat *p)
{
    return "baremetal";
}
