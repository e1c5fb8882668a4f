/*
 * ENA bare-metal guest: the machine (port I/O, serial, PCI, HPET, LAPIC).
 *
 * A 32-bit protected-mode, identity-mapped, single-CPU environment booted
 * by QEMU's multiboot loader on the pc machine. Nothing here knows about
 * ENA; plat_baremetal.c builds the driver's platform on top of it.
 *
 * Time is the HPET main counter, which can be started from QEMU's virtual
 * clock (bm_time_init()). Waiting halts the CPU with a LAPIC one-shot
 * timer armed for the deadline, so that under -icount sleep=off an idle
 * guest costs no host time, and so that QEMU's main loop runs (and with
 * it the device's bottom halves) while the guest waits: see bm_sync().
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_BM_H
#define ENA_BM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>

#define BM_NS_PER_US        1000ull
#define BM_NS_PER_MS        1000000ull
#define BM_NS_PER_SEC       1000000000ull

/* ---- port and memory-mapped I/O ----------------------------------------- */

static inline void bm_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void bm_outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t bm_inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t bm_inl(uint16_t port)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t bm_mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;     /* volatile: a device register */
}

static inline void bm_mmio_write32(uintptr_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;        /* volatile: a device register */
}

static inline void bm_mmio_write8(uintptr_t addr, uint8_t v)
{
    *(volatile uint8_t *)addr = v;         /* volatile: device memory */
}

/* ---- serial console (16550 at 0x3f8) and formatted output --------------- */

void bm_serial_init(void);
void bm_putc(char c);
void bm_puts(const char *s);
/*
 * printf subset: %d %i %u %x %X %c %s %p %%, flags 0 and -, a width, a
 * precision for %s, length modifiers l ll z h.
 */
int bm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int bm_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void bm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- end of the run ----------------------------------------------------- */

/* isa-debug-exit at 0xf4: QEMU exits with status (code << 1) | 1. */
void bm_exit(uint8_t code) __attribute__((noreturn));
/*
 * pvpanic at 0x505: with -action panic=pause QEMU stops right after this
 * write and reports GUEST_PANICKED over QMP; 'cont' resumes here.
 */
void bm_pause(void);

/* ---- PCI configuration mechanism #1 ------------------------------------- */

uint32_t bm_pci_read32(uint16_t bdf, uint8_t off);
uint16_t bm_pci_read16(uint16_t bdf, uint8_t off);
uint8_t bm_pci_read8(uint16_t bdf, uint8_t off);
void bm_pci_write32(uint16_t bdf, uint8_t off, uint32_t v);
void bm_pci_write16(uint16_t bdf, uint8_t off, uint16_t v);
/*
 * Find the @index-th function (0 first) with @vendor, on bus 0 and the
 * buses behind PCI-PCI bridges; returns its bus << 8 | dev << 3 | fn, or
 * -1.
 */
int bm_pci_find(uint16_t vendor, unsigned index);
/* The memory address of BAR @bar (64-bit BARs joined); 0 if unusable. */
uint64_t bm_pci_bar_addr(uint16_t bdf, unsigned bar);
/* Offset of capability @id in config space, 0 if absent. */
uint8_t bm_pci_find_cap(uint16_t bdf, uint8_t id);

/* ---- time --------------------------------------------------------------- */

/*
 * Enable the HPET and the LAPIC timer; false if either is missing.
 * @vclock: start the HPET at the TSC's count, which under -icount is
 * QEMU's virtual time in ns; else at 0.
 */
bool bm_time_init(bool vclock);
/* Nanoseconds of HPET time (see bm_time_init()). */
uint64_t bm_time_ns(void);
/* Halt until bm_time_ns() >= @deadline_ns. */
void bm_sleep_until(uint64_t deadline_ns);
/* Busy-wait until then (cheaper than a halt for microseconds). */
void bm_spin_until(uint64_t deadline_ns);
/*
 * Let QEMU's main loop run at least once: two idle periods, each ended
 * by the LAPIC timer. See the comment in bm_hw.c.
 */
void bm_sync(void);

/* ---- interrupts --------------------------------------------------------- */

/* Load the GDT and IDT of boot.c, mask the legacy PICs. */
void bm_cpu_init(void);
/* Called by the exception stubs of boot.c. */
void bm_exception(uint32_t vector, uint32_t error, uint32_t eip);
/* Called by the LAPIC timer stub of boot.c. */
void bm_timer_irq(void);

/* ---- memory (GCC may emit calls to these) ------------------------------- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t bm_strlen(const char *s);

#endif /* ENA_BM_H */
