/*
 * ENA reference driver: freestanding helpers (byte order, rings, memory).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_UTIL_H
#define ENA_UTIL_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define ENA_ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define ENA_MIN(a, b)       ((a) < (b) ? (a) : (b))
#define ENA_MAX(a, b)       ((a) > (b) ? (a) : (b))
#define ENA_BIT(n)          (1u << (n))

#define ENA_NS_PER_US       1000ull
#define ENA_NS_PER_MS       1000000ull
#define ENA_NS_PER_SEC      1000000000ull
/* A timeout that never expires (a hint of 0xffff disables a watchdog). */
#define ENA_TIMEOUT_NEVER   UINT64_MAX

/* The device is little-endian; these are no-ops on x86. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint16_t ena_le16(uint16_t v)
{
    return __builtin_bswap16(v);
}

static inline uint32_t ena_le32(uint32_t v)
{
    return __builtin_bswap32(v);
}

static inline uint64_t ena_le64(uint64_t v)
{
    return __builtin_bswap64(v);
}
#else
static inline uint16_t ena_le16(uint16_t v)
{
    return v;
}

static inline uint32_t ena_le32(uint32_t v)
{
    return v;
}

static inline uint64_t ena_le64(uint64_t v)
{
    return v;
}
#endif

static inline bool ena_is_pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

/* Largest power of two <= v (v > 0). */
static inline uint32_t ena_rounddown_pow2(uint32_t v)
{
    uint32_t p = 1;

    while (p <= v / 2) {
        p <<= 1;
    }
    return p;
}

/*
 * Ring arithmetic. Producer and consumer indices are free-running u16
 * counters; the slot is the counter masked by depth - 1 (depth a power of
 * two), and the phase starts at 1 and flips whenever the counter wraps to
 * slot 0.
 */
static inline uint16_t ena_ring_slot(uint16_t ctr, uint16_t depth)
{
    return ctr & (depth - 1);
}

/* Phase of the entry written at counter @ctr of a ring that began at 0. */
static inline uint8_t ena_ring_phase(uint16_t ctr, uint16_t depth)
{
    return !((ctr / depth) & 1);
}

/* Advance a counter and flip @phase when it wraps to slot 0. */
static inline void ena_ring_advance(uint16_t *ctr, uint8_t *phase,
                                    uint16_t depth)
{
    (*ctr)++;
    if (ena_ring_slot(*ctr, depth) == 0) {
        *phase ^= 1;
    }
}

/*
 * Memory the device writes (completions, the readless response) is read
 * field by field exactly once, as it stands at that moment: the compiler
 * may neither cache nor re-read it. Ordering comes from ena_plat_rmb().
 */
static inline uint8_t ena_read_once8(const void *p)
{
    return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
}

static inline uint16_t ena_read_once16(const void *p)
{
    return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static inline uint32_t ena_read_once32(const void *p)
{
    return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}

static inline void ena_write_once16(void *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

static inline void ena_mem_copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--) {
        *d++ = *s++;
    }
}

static inline void ena_mem_zero(void *dst, size_t n)
{
    uint8_t *d = dst;

    while (n--) {
        *d++ = 0;
    }
}

static inline bool ena_mem_equal(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    while (n--) {
        if (*x++ != *y++) {
            return false;
        }
    }
    return true;
}

/* Copy a NUL-terminated string into @dst of @size bytes, always ending it. */
static inline void ena_str_copy(char *dst, const char *src, size_t size)
{
    size_t i = 0;

    if (!size) {
        return;
    }
    while (src && src[i] && i + 1 < size) {
        dst[i] = src[i];
        i++;
    }
    dst[i] = 0;
}

#endif /* ENA_UTIL_H */
