/*
 * AWS Elastic Network Adapter: the arithmetic of the timing model
 *
 * A link or a DMA direction is a resource busy until some virtual time.
 * Its rate is in kbit/s, so one bit takes 10^6 / rate ns; what a transfer
 * leaves over is carried to the next one, so that N transfers take
 * exactly the time their total size takes, to the nanosecond, however
 * the sizes fall. docs/timing.md has the model.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ENA_TIMING_H
#define HW_ENA_TIMING_H

/* Ethernet preamble, start delimiter, FCS and inter-frame gap, in bytes */
#define ENA_WIRE_OVERHEAD           24

typedef struct ENAPace {
    int64_t free_at;            /* busy until then */
    uint64_t rem;               /* carried: bits * 10^6 not yet turned
                                 * into whole ns, in units of 1/rate ns */
} ENAPace;

/* Nanoseconds @bits take at @kbps, carrying the remainder in @p. */
static inline int64_t ena_pace_ns(ENAPace *p, uint64_t bits, uint64_t kbps)
{
    uint64_t num = bits * 1000000 + p->rem;

    p->rem = num % kbps;
    return num / kbps;
}

/*
 * Occupy @p for @bits from @ready at the earliest: returns when the
 * transfer starts; @p is then busy until it ends.
 */
static inline int64_t ena_pace_take(ENAPace *p, int64_t ready, uint64_t bits,
                                    uint64_t kbps)
{
    int64_t start = MAX(ready, p->free_at);

    p->free_at = start + ena_pace_ns(p, bits, kbps);
    return start;
}

static inline void ena_pace_reset(ENAPace *p, int64_t now)
{
    p->free_at = now;
    p->rem = 0;
}

/* The bits a frame of @len bytes occupies the wire for */
static inline uint64_t ena_wire_bits(uint32_t len)
{
    return ((uint64_t)len + ENA_WIRE_OVERHEAD) * 8;
}

#endif /* HW_ENA_TIMING_H */
