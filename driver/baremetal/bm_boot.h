/*
 * ENA bare-metal guest: symbols shared by the boot stub and the C code.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_BM_BOOT_H
#define ENA_BM_BOOT_H

#include <stdint.h>

#define BM_VEC_TIMER        0x40
#define BM_VEC_SPURIOUS     0xff

/* Multiboot v1 information (the fields we read). */
typedef struct BmMultibootInfo {
    uint32_t flags;
    uint32_t mem_lower;         /* KiB below 1 MiB (flags bit 0) */
    uint32_t mem_upper;         /* KiB above 1 MiB (flags bit 0) */
    uint32_t boot_device;
    uint32_t cmdline;           /* physical address (flags bit 2) */
} BmMultibootInfo;

#define BM_MB_INFO_MEM      (1u << 0)
#define BM_MB_INFO_CMDLINE  (1u << 2)
#define BM_MB_BOOT_MAGIC    0x2BADB002

extern const uint32_t bm_isr_table[32];
void bm_isr_timer(void);
void bm_isr_spurious(void);
void bm_main(uint32_t magic, const BmMultibootInfo *info);

/* Linker script symbols. */
extern char __bss_start[], __bss_end[], __image_end[];

#endif /* ENA_BM_BOOT_H */
