/*
 * ENA reference driver: platform backend over QEMU's qtest protocol.
 *
 * Guest RAM is a shared file: QEMU maps it as the pc machine's memory and
 * so do we, so a guest physical address below the PCI hole is an offset
 * into our mapping. DMA memory comes from a page allocator over a window
 * at the top of that RAM, which nothing else in a qtest guest uses.
 *
 * Ordering: the device may finish the work an MMIO write asked for on a
 * timer that is already due. QEMU's main loop runs due timers before it
 * reads the next qtest command, so one more round trip after a register
 * access makes the device's writes visible. The backend
 * tracks whether such a round trip is owed ("dirty") and pays it in
 * ena_plat_dma_sync(FROM_DEVICE) and ena_plat_intr_take(). A clock step
 * is such a round trip too; a sync that must not move the clock is a
 * guest RAM read. Whether a poll finds an entry therefore depends only
 * on the command sequence, never on host timing, and runs replay.
 *
 * SPDX-License-Identifier: MIT
 */
#include "qemu/osdep.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "plat_qtest.h"
#include "hw/ena/ena_hw.h"

#define PLAT_PAGE_SIZE      4096u
#define PLAT_PAGE_CONT      UINT32_MAX
#define PLAT_MAX_VECTORS    64

struct EnaPlat {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0;
    /* BAR2 (LLQ), mapped when the core first asks for it */
    QPCIBar bar2;
    uint64_t bar2_size;
    bool bar2_probed;
    uint8_t revision;
    uint16_t bdf;

    /* shared guest RAM */
    uint8_t *ram;
    uint64_t ram_size;

    /* DMA window: pages[i] = run length at a run's first page, CONT after */
    uint64_t dma_base;
    uint32_t npages;
    uint32_t *pages;
    uint64_t dma_in_use;

    /* MSI-X: vector v writes v + 1 to the word at msix_words + 4 v */
    EnaDmaMem msix_mem;
    uint16_t nvec;
    bool msix_enabled;

    bool gone;                  /* unplugged: no config or BAR access */
    bool dirty;                 /* a round trip is owed before reading */
    uint64_t now;               /* virtual clock, from the last clock_step */
    bool deadline_steps;        /* wait_device steps to the next deadline */
    uint64_t alarm_ns;          /* the HPET alarm armed for it; 0: none */
    void (*step_hook)(void *opaque);
    void *step_opaque;
    EnaLogLevel log_level;
    EnaPlatQtestRxFn rx_fn;
    void *rx_opaque;
    uint64_t rx_frames;
};

/* ---- lifecycle ---------------------------------------------------------- */

/*
 * The first function with Amazon's vendor ID, in devfn order. The walk
 * stops there: qpci_device_foreach() would read all 256 functions, two
 * qtest round trips each, a tenth of a short scenario's wall time.
 */
static QPCIDevice *plat_find_dev(QPCIBus *bus)
{
    for (int devfn = 0; devfn < 256; devfn++) {
        if (bus->config_readw(bus, devfn, PCI_VENDOR_ID) ==
            PCI_VENDOR_ID_AMAZON) {
            return qpci_device_find(bus, devfn);
        }
    }
    return NULL;
}

/*
 * The alarm that bounds a step to the next deadline: HPET timer 0 of the
 * pc machine, one-shot, 64-bit, its interrupt off. Its counter starts
 * with the clock at 0 (nothing has stepped it yet), so comparator value
 * N fires at N ticks of 10 ns.
 */
#define PLAT_HPET_BASE      0xfed00000ull
#define PLAT_HPET_CFG       0x010
#define PLAT_HPET_CFG_ENABLE    1
#define PLAT_HPET_T0_CFG    0x100
#define PLAT_HPET_T0_CMP    0x108
#define PLAT_HPET_TICK_NS   10

static void plat_alarm_init(EnaPlat *p)
{
    g_assert_cmpuint(p->now, ==, 0);
    qtest_writeq(p->qts, PLAT_HPET_BASE + PLAT_HPET_T0_CFG, 0);
    qtest_writeq(p->qts, PLAT_HPET_BASE + PLAT_HPET_T0_CMP, UINT64_MAX);
    qtest_writeq(p->qts, PLAT_HPET_BASE + PLAT_HPET_CFG,
                 PLAT_HPET_CFG_ENABLE);
}

/*
 * The test and QEMU take turns: in every qtest round trip one of them
 * waits for the other, so one CPU is enough for both. On one CPU the
 * hand-over is a context switch; across two it is a wake-up of the other
 * CPU, several times dearer in a virtual machine. The CPU is the one the
 * scheduler gave this process when it started; QEMU inherits the mask.
 *
 * On that CPU QEMU's main loop also works after it has answered (event
 * notifications, timer bookkeeping). Where the test may raise its own
 * priority (CAP_SYS_NICE), it runs PLAT_BOOST steps above QEMU, so that
 * work waits until the test has sent its next command and blocks. QEMU
 * keeps the test's original priority: it is never below its neighbours.
 * ENA_QTEST_PIN=0 leaves the scheduler and the priorities alone.
 */
#define PLAT_BOOST          10

static struct {
    bool pinned;
    bool boosted;
    int nice;                   /* before the boost */
} plat_sched;

static bool plat_sched_wanted(void)
{
    const char *env = g_getenv("ENA_QTEST_PIN");

    return !env || strcmp(env, "0");
}

/* Before QEMU starts: pin (once); QEMU is to have the original nice. */
static void plat_sched_before_qemu(void)
{
    cpu_set_t set;
    int cpu;

    if (!plat_sched_wanted()) {
        return;
    }
    if (plat_sched.boosted) {
        setpriority(PRIO_PROCESS, 0, plat_sched.nice);
        plat_sched.boosted = false;
    }
    if (plat_sched.pinned) {
        return;
    }
    plat_sched.pinned = true;
    cpu = sched_getcpu();
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return;
    }
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    /* only a speed-up: a refusal (a cgroup's cpuset) leaves it as it was */
    sched_setaffinity(0, sizeof(set), &set);
}

static void plat_sched_after_qemu(void)
{
    int nice;

    if (!plat_sched_wanted()) {
        return;
    }
    errno = 0;
    nice = getpriority(PRIO_PROCESS, 0);
    if (errno) {
        return;
    }
    /* without CAP_SYS_NICE this fails and nothing changes */
    if (!setpriority(PRIO_PROCESS, 0, MAX(nice - PLAT_BOOST, -20))) {
        plat_sched.nice = nice;
        plat_sched.boosted = true;
    }
}

EnaPlat *ena_plat_qtest_start(const EnaPlatQtestOpts *opts)
{
    static unsigned counter;
    EnaPlat *p = g_new0(EnaPlat, 1);
    uint32_t ram_mb = opts->ram_mb ? opts->ram_mb : 256;
    uint32_t dma_mb = opts->dma_mb ? opts->dma_mb : 64;
    g_autofree char *path = NULL;
    g_autofree char *args = NULL;
    int fd;

    g_assert_cmpuint(dma_mb, <=, ram_mb / 2);
    /* all of it must be low RAM on pc: below the 3.5 GiB PCI hole */
    g_assert_cmpuint(ram_mb, <=, 2048);
    p->ram_size = (uint64_t)ram_mb << 20;
    p->log_level = opts->log_level;
    p->deadline_steps = opts->deadline_steps;

    path = g_strdup_printf("/dev/shm/ena-drv-%d-%u", (int)getpid(),
                           counter++);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    g_assert(fd >= 0);
    g_assert(ftruncate(fd, p->ram_size) == 0);
    p->ram = mmap(NULL, p->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                  0);
    g_assert(p->ram != MAP_FAILED);
    close(fd);

    args = g_strdup_printf("-M pc,memory-backend=mem%s -m %uM -nodefaults "
                           "-object memory-backend-file,id=mem,size=%uM,"
                           "mem-path=%s,share=on %s",
                           p->deadline_steps ? ",pit=off" : "", ram_mb, ram_mb,
                           path, opts->extra_args ? opts->extra_args : "");
    plat_sched_before_qemu();
    p->qts = qtest_init(args);
    plat_sched_after_qemu();
    /* QEMU has the file mapped now; nothing must be left in /dev/shm */
    unlink(path);

    p->bus = qpci_new_pc(p->qts, NULL);
    p->dev = plat_find_dev(p->bus);
    g_assert(p->dev);
    qpci_device_enable(p->dev);
    p->bar0 = qpci_iomap(p->dev, ENA_REG_BAR, NULL);
    if (p->deadline_steps) {
        plat_alarm_init(p);
    }
    p->revision = qpci_config_readb(p->dev, PCI_REVISION_ID);
    p->bdf = p->dev->devfn;     /* bus 0 */

    p->npages = (uint32_t)(((uint64_t)dma_mb << 20) / PLAT_PAGE_SIZE);
    p->dma_base = p->ram_size - ((uint64_t)dma_mb << 20);
    p->pages = g_new0(uint32_t, p->npages);
    return p;
}

/*
 * libqtest stops QEMU with SIGTERM and then polls for its exit every
 * 100 ms; a QMP quit and a finer poll end most runs a tenth of a second
 * sooner. After PLAT_QUIT_POLLS polls it is left to qtest_quit().
 */
#define PLAT_QUIT_POLLS     10000
#define PLAT_QUIT_POLL_US   1000

static void plat_quit(QTestState *qts)
{
    qobject_unref(qtest_qmp(qts, "{'execute': 'quit'}"));
    for (int i = 0; i < PLAT_QUIT_POLLS && qtest_probe_child(qts); i++) {
        g_usleep(PLAT_QUIT_POLL_US);
    }
    qtest_quit(qts);
}

void ena_plat_qtest_stop(EnaPlat *p)
{
    if (!p) {
        return;
    }
    ena_plat_dma_free(p, &p->msix_mem);
    /* an unplugged function reads all-ones: its capability walk never ends */
    if (p->msix_enabled && !p->gone) {
        qpci_msix_disable(p->dev);
    }
    qpci_iounmap(p->dev, p->bar0);
    if (p->bar2_size) {
        qpci_iounmap(p->dev, p->bar2);
    }
    g_free(p->dev);
    qpci_free_pc(p->bus);
    plat_quit(p->qts);
    munmap(p->ram, p->ram_size);
    g_free(p->pages);
    g_free(p);
}

QTestState *ena_plat_qtest_qts(EnaPlat *p)
{
    return p->qts;
}

QPCIDevice *ena_plat_qtest_dev(EnaPlat *p)
{
    return p->dev;
}

void ena_plat_qtest_set_rx(EnaPlat *p, EnaPlatQtestRxFn fn, void *opaque)
{
    p->rx_fn = fn;
    p->rx_opaque = opaque;
}

void ena_plat_qtest_sync(EnaPlat *p)
{
    /* qtest refuses "clock_step 0": any command will do, a RAM read is it */
    qtest_readb(p->qts, p->dma_base);
    p->dirty = false;
}

/* The clock is at @now after a step: what every step is followed by. */
static int64_t plat_stepped(EnaPlat *p, int64_t now)
{
    p->now = now;
    p->dirty = false;
    if (p->alarm_ns && p->alarm_ns <= p->now) {
        p->alarm_ns = 0;        /* fired: one-shot */
    }
    if (p->step_hook) {
        p->step_hook(p->step_opaque);
    }
    return p->now;
}

int64_t ena_plat_qtest_clock_step(EnaPlat *p, int64_t ns)
{
    return plat_stepped(p, qtest_clock_step(p->qts, ns));
}

void ena_plat_qtest_set_step_hook(EnaPlat *p, void (*fn)(void *opaque),
                                  void *opaque)
{
    p->step_hook = fn;
    p->step_opaque = opaque;
}

void ena_plat_qtest_unplugged(EnaPlat *p)
{
    p->gone = true;
}

uint64_t ena_plat_qtest_dma_in_use(EnaPlat *p)
{
    return p->dma_in_use;
}

uint64_t ena_plat_qtest_rx_frames(EnaPlat *p)
{
    return p->rx_frames;
}

/* ---- device access ------------------------------------------------------ */

uint32_t ena_plat_reg_read32(EnaPlat *p, uint32_t off)
{
    if (p->gone) {
        return 0xffffffff;      /* what a read of a vanished device gives */
    }
    p->dirty = true;
    return qpci_io_readl(p->dev, p->bar0, off);
}

void ena_plat_reg_write32(EnaPlat *p, uint32_t off, uint32_t val)
{
    if (p->gone) {
        return;
    }
    p->dirty = true;
    qpci_io_writel(p->dev, p->bar0, off, val);
}

/*
 * BAR2 is assigned only on demand, so that a run that never asks for it
 * lays out the other BARs (MSI-X) exactly as before. A BAR that is not
 * implemented reads back 0 after the all-ones write (qpci_iomap() would
 * assert on it).
 */
uint64_t ena_plat_llq_bar_size(EnaPlat *p)
{
    uint32_t v;

    if (p->bar2_probed || p->gone) {
        return p->bar2_size;
    }
    p->bar2_probed = true;
    qpci_config_writel(p->dev, PCI_BASE_ADDRESS_2, 0xffffffff);
    v = qpci_config_readl(p->dev, PCI_BASE_ADDRESS_2);
    if ((v & PCI_BASE_ADDRESS_SPACE_IO) || !(v & PCI_BASE_ADDRESS_MEM_MASK)) {
        qpci_config_writel(p->dev, PCI_BASE_ADDRESS_2, 0);
        return 0;
    }
    p->bar2 = qpci_iomap(p->dev, ENA_MEM_BAR, &p->bar2_size);
    return p->bar2_size;
}

void ena_plat_llq_write(EnaPlat *p, uint64_t off, const void *src,
                        uint32_t len)
{
    if (p->gone || !p->bar2_size || off > p->bar2_size ||
        len > p->bar2_size - off) {
        return;
    }
    /* RAM behind the BAR: the device reads it at the doorbell */
    qpci_memwrite(p->dev, p->bar2, off, src, len);
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

    if (!size || n > p->npages) {
        return -ENA_ENOMEM;
    }
    for (uint32_t i = 0; i < p->npages; i++) {
        if (p->pages[i]) {
            run = 0;
            continue;
        }
        if (++run == n) {
            uint32_t first = i + 1 - n;

            p->pages[first] = n;
            for (uint32_t k = first + 1; k <= i; k++) {
                p->pages[k] = PLAT_PAGE_CONT;
            }
            mem->phys = p->dma_base + (uint64_t)first * PLAT_PAGE_SIZE;
            mem->virt = p->ram + mem->phys;
            mem->size = size;
            mem->handle = first + 1;
            memset(mem->virt, 0, (size_t)n * PLAT_PAGE_SIZE);
            p->dma_in_use += (uint64_t)n * PLAT_PAGE_SIZE;
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
    g_assert_cmpuint(first, <, p->npages);
    n = p->pages[first];
    g_assert(n && n != PLAT_PAGE_CONT);
    for (uint32_t k = first; k < first + n; k++) {
        p->pages[k] = 0;
    }
    p->dma_in_use -= (uint64_t)n * PLAT_PAGE_SIZE;
    memset(mem, 0, sizeof(*mem));
}

void ena_plat_dma_sync(EnaPlat *p, const EnaDmaMem *mem, uint64_t off,
                       uint64_t len, EnaDmaSyncDir dir)
{
    if (dir == ENA_DMA_SYNC_FROM_DEVICE && p->dirty) {
        ena_plat_qtest_sync(p);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void ena_plat_wmb(EnaPlat *p)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

void ena_plat_rmb(EnaPlat *p)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/* ---- time --------------------------------------------------------------- */

/*
 * qtest cannot read the virtual clock without moving it, so "now" is the
 * value the last clock_step returned. Under -accel qtest the clock starts
 * at 0 and moves only on clock_step, so this is exact as long as the
 * clock is stepped through ena_plat_qtest_clock_step().
 */
uint64_t ena_plat_now_ns(EnaPlat *p)
{
    return p->now;
}

void ena_plat_delay_us(EnaPlat *p, uint32_t us)
{
    ena_plat_qtest_clock_step(p, (int64_t)us * 1000);
}

/*
 * Between two timer deadlines nothing a poll can see changes (the device
 * does what an MMIO write asks at once or on a timer), so the clock can go
 * from one deadline to the next in one step: "clock_step" without a count
 * goes to the machine's next deadline, and the HPET alarm, on the 10 ns
 * grid at or before the caller's deadline, keeps it from going further.
 * The last few nanoseconds to a deadline off the grid are a plain step.
 */
uint32_t ena_plat_wait_device(EnaPlat *p, uint32_t slice_us,
                              uint64_t limit_ns)
{
    uint64_t start = p->now;
    uint64_t until = start + MAX(limit_ns, 1);
    uint64_t alarm = until / PLAT_HPET_TICK_NS * PLAT_HPET_TICK_NS;

    if (!p->deadline_steps) {
        ena_plat_delay_us(p, slice_us);
        return slice_us;
    }
    if (alarm <= start) {
        ena_plat_qtest_clock_step(p, (int64_t)(until - start));
    } else {
        if (alarm != p->alarm_ns) {
            qtest_writeq(p->qts, PLAT_HPET_BASE + PLAT_HPET_T0_CMP,
                         alarm / PLAT_HPET_TICK_NS);
            p->alarm_ns = alarm;
        }
        plat_stepped(p, qtest_clock_step_next(p->qts));
    }
    return (uint32_t)MIN(DIV_ROUND_UP(p->now - start, 1000), UINT32_MAX);
}

/* ---- interrupts --------------------------------------------------------- */

int ena_plat_msix_setup(EnaPlat *p, uint16_t nvec)
{
    QPCIDevice *d = p->dev;
    uint16_t table;

    if (!p->msix_enabled) {
        qpci_msix_enable(d);
        p->msix_enabled = true;
    }
    if (!p->msix_mem.virt && ena_plat_dma_alloc(p, PLAT_PAGE_SIZE,
                                                &p->msix_mem)) {
        return -ENA_ENOMEM;
    }
    table = qpci_msix_table_size(d);
    nvec = MIN(MIN(nvec, table), PLAT_MAX_VECTORS);
    for (uint16_t v = 0; v < nvec; v++) {
        uint64_t off = d->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;
        uint64_t addr = p->msix_mem.phys + v * 4;
        uint32_t ctrl;

        qpci_io_writel(d, d->msix_table_bar, off + PCI_MSIX_ENTRY_LOWER_ADDR,
                       (uint32_t)addr);
        qpci_io_writel(d, d->msix_table_bar, off + PCI_MSIX_ENTRY_UPPER_ADDR,
                       addr >> 32);
        qpci_io_writel(d, d->msix_table_bar, off + PCI_MSIX_ENTRY_DATA,
                       v + 1);
        ctrl = qpci_io_readl(d, d->msix_table_bar,
                             off + PCI_MSIX_ENTRY_VECTOR_CTRL);
        qpci_io_writel(d, d->msix_table_bar, off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                       ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
    memset(p->msix_mem.virt, 0, PLAT_PAGE_SIZE);
    p->nvec = nvec;
    p->dirty = true;
    return nvec;
}

void ena_plat_msix_teardown(EnaPlat *p)
{
    QPCIDevice *d = p->dev;

    /* mask the entries before their words go back to the allocator */
    for (uint16_t v = 0; v < p->nvec && !p->gone; v++) {
        uint64_t off = d->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;
        uint32_t ctrl = qpci_io_readl(d, d->msix_table_bar,
                                      off + PCI_MSIX_ENTRY_VECTOR_CTRL);

        qpci_io_writel(d, d->msix_table_bar, off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                       ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT);
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
        ena_plat_qtest_sync(p);
    }
    w = (uint32_t *)p->msix_mem.virt + vector;
    /* QEMU may write the word concurrently (frames from the socket) */
    return __atomic_exchange_n(w, 0, __ATOMIC_SEQ_CST) != 0;
}

/* ---- frames, logging, locks --------------------------------------------- */

void ena_plat_rx_frame(EnaPlat *p, uint16_t qid, const EnaFrag *frags,
                       uint16_t nfrags, uint32_t len, const EnaRxInfo *info)
{
    g_autofree uint8_t *buf = g_malloc(len ? len : 1);
    uint32_t off = 0;

    for (uint16_t i = 0; i < nfrags; i++) {
        g_assert_cmpuint(off + frags[i].len, <=, len);
        memcpy(buf + off, frags[i].data, frags[i].len);
        off += frags[i].len;
    }
    p->rx_frames++;
    if (p->rx_fn) {
        p->rx_fn(p->rx_opaque, qid, buf, off, info);
    }
}

void ena_plat_log(EnaPlat *p, EnaLogLevel level, const char *fmt, ...)
{
    static const char *const names[] = { "err", "warn", "notice", "info",
                                         "debug" };
    va_list ap;

    if (level > p->log_level) {
        return;
    }
    fprintf(stderr, "[ena %" PRIu64 ".%09" PRIu64 " %s] ",
            p->now / 1000000000, p->now % 1000000000,
            names[level]);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void ena_plat_lock(EnaPlat *p, EnaLockId id)
{
}

void ena_plat_unlock(EnaPlat *p, EnaLockId id)
{
}

const char *ena_plat_name(EnaPlat *p)
{
    return "qtest";
}
