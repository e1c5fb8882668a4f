/*
 * ENA reference driver: event log (fixed ring, deterministic text form).
 *
 * Event ids follow the ENA Windows driver's System log events, so that a
 * scenario can name the same ids for both. Each entry carries the virtual
 * time, the reset reason it concerns (or none), a number and a short
 * static string. The ring never allocates; when full, the oldest entries
 * are overwritten and counted as dropped.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_EVLOG_H
#define ENA_EVLOG_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define ENA_EVLOG_SIZE          128
/* Reason field of an event that is not about a reset. */
#define ENA_EVLOG_NO_REASON     0xff
/* Longest line ena_evlog_format() produces, including '\n' and NUL. */
#define ENA_EVLOG_LINE_MAX      160

typedef enum EnaEventId {
    ENA_EV_OUT_OF_RESOURCES = 5001,
    ENA_EV_HW_ERROR         = 5002,
    ENA_EV_TIMEOUT          = 5005,     /* register (readless) read */
    ENA_EV_ADMIN_TIMEOUT    = 5007,     /* admin command */
    ENA_EV_RESET_FAILED     = 5032,
    ENA_EV_INITIALIZED      = 5200,
    ENA_EV_HALTED           = 5201,
    ENA_EV_PAUSED           = 5202,
    ENA_EV_RESTARTED        = 5203,
    ENA_EV_SHUT_DOWN        = 5204,
    ENA_EV_RESET_STARTED    = 5205,
    ENA_EV_SURPRISE_REMOVED = 5206,
    ENA_EV_INIT_FAILED      = 5208,
    ENA_EV_RECOVERED        = 5210,
} EnaEventId;

typedef struct EnaEvent {
    uint64_t seq;               /* position since ena_evlog_init() */
    uint64_t ts_ns;             /* platform (virtual) time */
    uint64_t detail;
    const char *msg;            /* static string, may be NULL */
    uint16_t id;                /* EnaEventId */
    uint8_t reason;             /* ENA_REGS_RESET_* or ENA_EVLOG_NO_REASON */
} EnaEvent;

typedef struct EnaEvlog {
    EnaEvent ring[ENA_EVLOG_SIZE];
    uint64_t total;             /* events ever added */
} EnaEvlog;

void ena_evlog_init(EnaEvlog *log);
void ena_evlog_add(EnaEvlog *log, uint64_t ts_ns, uint16_t id, uint8_t reason,
                   uint64_t detail, const char *msg);
/* Entries still held (at most ENA_EVLOG_SIZE). */
uint32_t ena_evlog_count(const EnaEvlog *log);
/* Entries overwritten because the ring was full. */
uint64_t ena_evlog_dropped(const EnaEvlog *log);
/* Entry @i of those held, 0 being the oldest; NULL past the end. */
const EnaEvent *ena_evlog_get(const EnaEvlog *log, uint32_t i);
/* Number of held entries with id @id. */
uint32_t ena_evlog_count_id(const EnaEvlog *log, uint16_t id);

/*
 * Format one entry as a single line ending in '\n':
 *   "<sec>.<nsec, 9 digits> <id> <name> reason=<REASON>(<n>)|- detail=<u64>
 *    [<msg>]" (one line).
 * Like snprintf: writes at most @size bytes including the NUL and returns
 * the length the whole line needs (without the NUL).
 */
size_t ena_evlog_format(const EnaEvent *ev, char *buf, size_t size);
/* All held entries, oldest first; same return convention. */
size_t ena_evlog_format_all(const EnaEvlog *log, char *buf, size_t size);

/*
 * Append "<key> <str>\n" (or "<key> <val>\n" when @str is NULL) at @len in
 * @buf of @size bytes, NUL-terminated; returns the new length, which stops
 * growing when @buf is full.
 */
size_t ena_text_line(char *buf, size_t size, size_t len, const char *key,
                     const char *str, uint64_t val);

/* Short names: "reset-started", "KEEP_ALIVE_TO"; "?" when unknown. */
const char *ena_evlog_id_name(uint16_t id);
const char *ena_reset_reason_str(uint32_t reason);

#endif /* ENA_EVLOG_H */
