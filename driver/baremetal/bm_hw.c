/*
 * ENA bare-metal guest: serial, PCI configuration, HPET, LAPIC timer,
 * exit and pause ports, exceptions.
 *
 * SPDX-License-Identifier: MIT
 */
#include "bm.h"
#include "bm_boot.h"

/* ---- serial ------------------------------------------------------------- */

#define BM_COM1             0x3f8
#define BM_UART_THR         0
#define BM_UART_IER         1
#define BM_UART_FCR         2
#define BM_UART_LCR         3
#define BM_UART_MCR         4
#define BM_UART_LSR         5
#define BM_UART_LSR_THRE    0x20

void bm_serial_init(void)
{
    bm_outb(BM_COM1 + BM_UART_IER, 0x00);       /* no interrupts */
    bm_outb(BM_COM1 + BM_UART_LCR, 0x80);       /* DLAB */
    bm_outb(BM_COM1 + 0, 0x01);                 /* 115200 baud */
    bm_outb(BM_COM1 + 1, 0x00);
    bm_outb(BM_COM1 + BM_UART_LCR, 0x03);       /* 8N1 */
    bm_outb(BM_COM1 + BM_UART_FCR, 0x07);       /* FIFOs on and cleared */
    bm_outb(BM_COM1 + BM_UART_MCR, 0x03);       /* DTR, RTS */
}

void bm_putc(char c)
{
    /*
     * Bounded: with a file or pipe chardev QEMU empties THR at once; a
     * console that stalls must not hang the guest.
     */
    for (uint32_t i = 0; i < 1000000; i++) {
        if (bm_inb(BM_COM1 + BM_UART_LSR) & BM_UART_LSR_THRE) {
            break;
        }
    }
    bm_outb(BM_COM1 + BM_UART_THR, (uint8_t)c);
}

void bm_puts(const char *s)
{
    while (*s) {
        if (*s == '\n') {
            bm_putc('\r');
        }
        bm_putc(*s++);
    }
}

void bm_printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    bm_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    bm_puts(buf);
}

/* ---- exit --------------------------------------------------------------- */

#define BM_DEBUG_EXIT_PORT  0xf4
#define BM_PVPANIC_PORT     0x505
#define BM_PVPANIC_PANICKED 0x01

void bm_exit(uint8_t code)
{
    bm_outb(BM_DEBUG_EXIT_PORT, code);
    /* no isa-debug-exit: stop here */
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

void bm_exception(uint32_t vector, uint32_t error, uint32_t eip)
{
    bm_printf("\nEXCEPTION %u error 0x%x at eip 0x%08x\n", vector, error,
              eip);
    bm_puts("ENA-BAREMETAL-CRASHED\n");
    bm_exit(0x7f);
}

/* ---- PCI ---------------------------------------------------------------- */

#define BM_PCI_ADDR         0xcf8
#define BM_PCI_DATA         0xcfc

static void bm_pci_select(uint16_t bdf, uint8_t off)
{
    bm_outl(BM_PCI_ADDR, 0x80000000u | ((uint32_t)bdf << 8) | (off & 0xfc));
}

uint32_t bm_pci_read32(uint16_t bdf, uint8_t off)
{
    bm_pci_select(bdf, off);
    return bm_inl(BM_PCI_DATA);
}

uint16_t bm_pci_read16(uint16_t bdf, uint8_t off)
{
    return bm_pci_read32(bdf, off) >> ((off & 2) * 8);
}

uint8_t bm_pci_read8(uint16_t bdf, uint8_t off)
{
    return bm_pci_read32(bdf, off) >> ((off & 3) * 8);
}

void bm_pci_write32(uint16_t bdf, uint8_t off, uint32_t v)
{
    bm_pci_select(bdf, off);
    bm_outl(BM_PCI_DATA, v);
}

void bm_pci_write16(uint16_t bdf, uint8_t off, uint16_t v)
{
    uint32_t shift = (off & 2) * 8;
    uint32_t old = bm_pci_read32(bdf, off);

    old &= ~(0xffffu << shift);
    bm_pci_write32(bdf, off, old | ((uint32_t)v << shift));
}

/* Depth-first over bus @bus and the buses behind its bridges. */
static int bm_pci_scan(uint8_t bus, uint16_t vendor, unsigned *index,
                       unsigned depth)
{
    for (unsigned dev = 0; dev < 32; dev++) {
        for (unsigned fn = 0; fn < 8; fn++) {
            uint16_t bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
            uint32_t id = bm_pci_read32(bdf, 0x00);
            uint8_t hdr;

            if ((id & 0xffff) == 0xffff) {
                if (fn == 0) {
                    break;
                }
                continue;
            }
            if ((id & 0xffff) == vendor && (*index)-- == 0) {
                return bdf;
            }
            hdr = bm_pci_read8(bdf, 0x0e);
            if ((hdr & 0x7f) == 0x01 && depth < 8) {
                uint8_t sec = bm_pci_read8(bdf, 0x19);
                int r;

                if (sec > bus) {
                    r = bm_pci_scan(sec, vendor, index, depth + 1);
                    if (r >= 0) {
                        return r;
                    }
                }
            }
            if (fn == 0 && !(hdr & 0x80)) {
                break;              /* not multi-function */
            }
        }
    }
    return -1;
}

int bm_pci_find(uint16_t vendor, unsigned index)
{
    return bm_pci_scan(0, vendor, &index, 0);
}

uint64_t bm_pci_bar_addr(uint16_t bdf, unsigned bar)
{
    uint8_t off = 0x10 + bar * 4;
    uint32_t lo = bm_pci_read32(bdf, off);
    uint64_t addr = lo & ~0xfu;

    if (lo & 1) {
        return 0;                   /* an I/O BAR */
    }
    if (((lo >> 1) & 3) == 2) {
        addr |= (uint64_t)bm_pci_read32(bdf, off + 4) << 32;
    }
    return addr;
}

uint8_t bm_pci_find_cap(uint16_t bdf, uint8_t id)
{
    uint8_t pos;

    if (!(bm_pci_read16(bdf, 0x06) & 0x10)) {
        return 0;
    }
    pos = bm_pci_read8(bdf, 0x34) & 0xfc;
    for (unsigned n = 0; pos && n < 48; n++) {
        if (bm_pci_read8(bdf, pos) == id) {
            return pos;
        }
        pos = bm_pci_read8(bdf, pos + 1) & 0xfc;
    }
    return 0;
}

/* ---- HPET and LAPIC timer ----------------------------------------------- */

#define BM_HPET_BASE        0xfed00000u
#define BM_HPET_CAP_HI      0x004       /* counter period, femtoseconds */
#define BM_HPET_CFG         0x010
#define BM_HPET_CFG_ENABLE  0x1
#define BM_HPET_CFG_LEGACY  0x2
#define BM_HPET_COUNT_LO    0x0f0
#define BM_HPET_COUNT_HI    0x0f4
#define BM_HPET_MAX_PERIOD  100000000u  /* 100 ns, the specification's */

#define BM_PIT_CH0          0x40
#define BM_PIT_MODE         0x43

#define BM_MSR_APIC_BASE    0x1b
#define BM_LAPIC_EOI        0x0b0
#define BM_LAPIC_SVR        0x0f0
#define BM_LAPIC_LVT_TIMER  0x320
#define BM_LAPIC_LVT_THERM  0x330
#define BM_LAPIC_LVT_PERF   0x340
#define BM_LAPIC_LVT_LINT0  0x350
#define BM_LAPIC_LVT_LINT1  0x360
#define BM_LAPIC_LVT_ERROR  0x370
#define BM_LAPIC_TIMER_ICR  0x380
#define BM_LAPIC_TIMER_DCR  0x3e0
#define BM_LAPIC_MASKED     0x10000
#define BM_LAPIC_DIV_1      0x0b

/*
 * Idle periods of bm_sync(): long enough that the guest reaches its hlt
 * before the timer fires at any -icount shift up to 6.
 */
#define BM_SYNC_NS          5000u
/* See bm_pause(): more than the few instructions up to the pvpanic write */
#define BM_PAUSE_NS         200u

static uint32_t bm_hpet_period_fs;
static uintptr_t bm_lapic;
static uint32_t bm_spins_per_us = 1;

/*
 * A pure instruction loop, cheap for the host (no 'pause': TCG leaves its
 * execution loop for each one).
 */
static void bm_spin(uint32_t n)
{
    while (n--) {
        __asm__ volatile("" : : : "memory");
    }
}

static uint32_t bm_hpet_read(uint32_t off)
{
    return bm_mmio_read32(BM_HPET_BASE + off);
}

static void bm_lapic_write(uint32_t off, uint32_t v)
{
    bm_mmio_write32(bm_lapic + off, v);
}

static uint64_t bm_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static uint64_t bm_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

bool bm_time_init(bool vclock)
{
    uint64_t start = 0;
    uint32_t cfg;

    bm_hpet_period_fs = bm_hpet_read(BM_HPET_CAP_HI);
    if (!bm_hpet_period_fs || bm_hpet_period_fs > BM_HPET_MAX_PERIOD) {
        bm_printf("no HPET at 0x%08x (period %u fs)\n", BM_HPET_BASE,
                  bm_hpet_period_fs);
        return false;
    }
    /*
     * A halted counter may be written. Under -icount the TSC counts
     * QEMU's virtual nanoseconds (QEMU_CLOCK_VIRTUAL): starting the HPET
     * from it makes our time the device's, so that a runner can place
     * fault rules at absolute virtual instants. Otherwise start from 0.
     */
    cfg = bm_hpet_read(BM_HPET_CFG);
    bm_mmio_write32(BM_HPET_BASE + BM_HPET_CFG,
                    cfg & ~(BM_HPET_CFG_ENABLE | BM_HPET_CFG_LEGACY));
    if (vclock) {
        start = bm_hpet_period_fs % 1000000u == 0 ?
                bm_rdtsc() / (bm_hpet_period_fs / 1000000u) :
                bm_rdtsc() * 1000000u / bm_hpet_period_fs;
    }
    bm_mmio_write32(BM_HPET_BASE + BM_HPET_COUNT_LO, (uint32_t)start);
    bm_mmio_write32(BM_HPET_BASE + BM_HPET_COUNT_HI, (uint32_t)(start >> 32));
    bm_mmio_write32(BM_HPET_BASE + BM_HPET_CFG,
                    (cfg & ~BM_HPET_CFG_LEGACY) | BM_HPET_CFG_ENABLE);

    /*
     * The LAPIC timer (QEMU: one count per virtual ns at divide-by-1)
     * only wakes us; the HPET says what time it is.
     */
    bm_lapic = (uintptr_t)(bm_rdmsr(BM_MSR_APIC_BASE) & 0xfffff000u);
    if (!bm_lapic) {
        bm_puts("no local APIC\n");
        return false;
    }
    bm_lapic_write(BM_LAPIC_SVR, 0x100 | BM_VEC_SPURIOUS);
    bm_lapic_write(BM_LAPIC_LVT_THERM, BM_LAPIC_MASKED);
    bm_lapic_write(BM_LAPIC_LVT_PERF, BM_LAPIC_MASKED);
    bm_lapic_write(BM_LAPIC_LVT_LINT0, BM_LAPIC_MASKED);
    bm_lapic_write(BM_LAPIC_LVT_LINT1, BM_LAPIC_MASKED);
    bm_lapic_write(BM_LAPIC_LVT_ERROR, BM_LAPIC_MASKED);
    bm_lapic_write(BM_LAPIC_TIMER_DCR, BM_LAPIC_DIV_1);
    bm_lapic_write(BM_LAPIC_LVT_TIMER, BM_VEC_TIMER);     /* one-shot */
    bm_lapic_write(BM_LAPIC_TIMER_ICR, 0);

    /*
     * The PIT's 18.2 Hz tick that the BIOS left running: mode 0 with a
     * count of 1 fires once and stops, one timer fewer in QEMU.
     */
    bm_outb(BM_PIT_MODE, 0x30);
    bm_outb(BM_PIT_CH0, 1);
    bm_outb(BM_PIT_CH0, 0);

    /* how long a spin takes (under -icount: exactly, every run the same) */
    {
        uint64_t t0 = bm_time_ns(), dt;

        bm_spin(100000);
        dt = bm_time_ns() - t0;
        bm_spins_per_us = dt ? (uint32_t)(100000 * BM_NS_PER_US / dt) : 1;
        if (!bm_spins_per_us) {
            bm_spins_per_us = 1;
        }
    }
    return true;
}

uint64_t bm_time_ns(void)
{
    uint32_t hi, lo, hi2;
    uint64_t ticks;

    do {
        hi = bm_hpet_read(BM_HPET_COUNT_HI);
        lo = bm_hpet_read(BM_HPET_COUNT_LO);
        hi2 = bm_hpet_read(BM_HPET_COUNT_HI);
    } while (hi != hi2);
    ticks = (uint64_t)hi << 32 | lo;
    if (bm_hpet_period_fs % 1000000u == 0) {
        return ticks * (bm_hpet_period_fs / 1000000u);
    }
    return ticks / 1000000u * bm_hpet_period_fs +
           ticks % 1000000u * bm_hpet_period_fs / 1000000u;
}

void bm_timer_irq(void)
{
    bm_lapic_write(BM_LAPIC_EOI, 0);
}

void bm_sleep_until(uint64_t deadline_ns)
{
    for (;;) {
        uint64_t now = bm_time_ns();
        uint64_t left;

        if (now >= deadline_ns) {
            return;
        }
        left = deadline_ns - now;
        bm_lapic_write(BM_LAPIC_TIMER_ICR,
                       left > 0xffffffffu ? 0xffffffffu : (uint32_t)left);
        /* sti's shadow covers hlt: the wake-up cannot slip in between */
        __asm__ volatile("sti; hlt; cli" : : : "memory");
    }
}

void bm_spin_until(uint64_t deadline_ns)
{
    for (;;) {
        uint64_t now = bm_time_ns();
        uint64_t n;

        if (now >= deadline_ns) {
            return;
        }
        n = (deadline_ns - now) * bm_spins_per_us / BM_NS_PER_US;
        bm_spin(n ? (n > 0xffffffffu ? 0xffffffffu : (uint32_t)n) : 1);
    }
}

/*
 * Why two idle periods make the device's deferred work visible, in a
 * deterministic way, under -icount sleep=off:
 *
 * The ena device completes admin commands in a bottom half that QEMU's
 * main loop runs at a moment of its own, while the vCPU goes on. The vCPU
 * sees the virtual clock move only with its own instructions, or, when it
 * is halted, by a warp that the main loop performs after dispatching its
 * bottom halves, to the next timer deadline (ours). So once the vCPU has
 * halted and been woken by our timer twice, the main loop has dispatched
 * everything scheduled before the first halt (the first warp may have come
 * from an iteration that was already past its dispatch; the second cannot).
 * The guest reads device memory only afterwards: what it sees no longer
 * depends on host timing, and neither does the virtual time it took.
 */
void bm_sync(void)
{
    bm_sleep_until(bm_time_ns() + BM_SYNC_NS);
    bm_sleep_until(bm_time_ns() + BM_SYNC_NS);
}

/*
 * The pause must end at the same virtual instant on every run. QEMU stops
 * the vCPU right after the pvpanic write, but the VM (and its clock) only
 * in its main loop a moment later; if the main loop looks in between, it
 * sees an idle machine and warps the clock to the next timer deadline.
 * So we arm the LAPIC timer just before, to be that deadline: with or
 * without the warp, the hlt after the pause then ends at that instant.
 * (The runner's actions happen at the start or the end of those
 * BM_PAUSE_NS, whichever the race gives: the only residue.)
 */
void bm_pause(void)
{
    bm_lapic_write(BM_LAPIC_TIMER_ICR, BM_PAUSE_NS);
    bm_outb(BM_PVPANIC_PORT, BM_PVPANIC_PANICKED);
    __asm__ volatile("sti; hlt; cli" : : : "memory");
}


/* ---- memory ------------------------------------------------------------- */

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (d < s) {
        while (n--) {
            *d++ = *s++;
        }
    } else {
        while (n--) {
            d[n] = s[n];
        }
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    /* rep stosb: one instruction per byte under icount, but short code */
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    for (; n; n--, x++, y++) {
        if (*x != *y) {
            return *x < *y ? -1 : 1;
        }
    }
    return 0;
}

size_t bm_strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

/* ---- formatted output --------------------------------------------------- */

typedef struct BmOut {
    char *buf;
    size_t size;
    size_t len;
} BmOut;

static void bm_out_c(BmOut *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void bm_out_num(BmOut *o, uint64_t v, unsigned base, bool upper,
                       bool neg, unsigned width, bool zero, bool left)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    unsigned n = 0, len;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    len = n + neg;
    if (neg && zero) {
        bm_out_c(o, '-');
    }
    for (; !left && len < width; len++) {
        bm_out_c(o, zero ? '0' : ' ');
    }
    if (neg && !zero) {
        bm_out_c(o, '-');
    }
    while (n) {
        bm_out_c(o, tmp[--n]);
    }
    for (; left && len < width; len++) {
        bm_out_c(o, ' ');
    }
}

int bm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    BmOut o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        bool zero = false, left = false;
        unsigned width = 0, lng = 0, prec = UINT32_MAX;
        uint64_t u;
        int64_t s;

        if (*fmt != '%') {
            bm_out_c(&o, *fmt);
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '0') {
                zero = true;
            } else if (*fmt == '-') {
                left = true;
            } else {
                break;
            }
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (unsigned)(*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int p = va_arg(ap, int);

                prec = p < 0 ? 0 : (unsigned)p;
                fmt++;
            } else {
                for (prec = 0; *fmt >= '0' && *fmt <= '9'; fmt++) {
                    prec = prec * 10 + (unsigned)(*fmt - '0');
                }
            }
        }
        for (;; fmt++) {
            if (*fmt == 'l') {
                lng++;
            } else if (*fmt == 'z') {
                lng = 1;        /* size_t is long-sized on i386 */
            } else if (*fmt == 'h') {
                continue;       /* promoted to int anyway */
            } else {
                break;
            }
        }
        switch (*fmt) {
        case 'd':
        case 'i':
            s = lng >= 2 ? va_arg(ap, long long) :
                lng ? va_arg(ap, long) : va_arg(ap, int);
            bm_out_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, false,
                       s < 0, width, zero, left);
            break;
        case 'u':
        case 'x':
        case 'X':
            u = lng >= 2 ? va_arg(ap, unsigned long long) :
                lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            bm_out_num(&o, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', false,
                       width, zero, left);
            break;
        case 'p':
            bm_out_c(&o, '0');
            bm_out_c(&o, 'x');
            bm_out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false,
                       8, true, false);
            break;
        case 'c':
            bm_out_c(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            unsigned len;

            str = str ? str : "(null)";
            for (len = 0; len < prec && str[len]; len++) {
                continue;
            }
            for (unsigned i = len; !left && i < width; i++) {
                bm_out_c(&o, ' ');
            }
            for (unsigned i = 0; i < len; i++) {
                bm_out_c(&o, str[i]);
            }
            for (unsigned i = len; left && i < width; i++) {
                bm_out_c(&o, ' ');
            }
            break;
        }
        case '%':
            bm_out_c(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            bm_out_c(&o, '%');
            bm_out_c(&o, *fmt);
            break;
        }
    }
    if (size) {
        buf[o.len < size ? o.len : size - 1] = '\0';
    }
    return (int)o.len;
}

int bm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = bm_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
