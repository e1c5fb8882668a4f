/*
 * ENA bare-metal guest: multiboot header, entry, GDT, IDT and interrupt
 * stubs.
 *
 * QEMU's multiboot loader enters _start in 32-bit protected mode with
 * paging off, interrupts off, EAX = 0x2BADB002 and EBX = the multiboot
 * information. We load our own flat GDT, clear .bss, switch to our stack
 * and call bm_main(magic, info). Exceptions print and end the run; vector
 * 0x40 is the LAPIC timer that ends bm_sleep_until()'s halts.
 *
 * SPDX-License-Identifier: MIT
 */
#include "bm.h"
#include "bm_boot.h"


__asm__(
    ".section .multiboot, \"a\"\n"
    ".align 4\n"
    ".long 0x1BADB002\n"
    ".long 0x00000003\n"
    ".long -(0x1BADB002 + 0x00000003)\n"

    ".section .bss\n"
    ".align 16\n"
    "bm_stack:\n"
    ".skip 65536\n"
    "bm_stack_top:\n"

    ".section .text\n"
    ".globl _start\n"
    "_start:\n"
    "    cli\n"
    "    cld\n"
    "    movl %eax, %esi\n"
    "    movl %ebx, %ebp\n"
    "    lgdt bm_gdt_desc\n"
    "    ljmp $0x08, $1f\n"
    "1:  movw $0x10, %ax\n"
    "    movw %ax, %ds\n"
    "    movw %ax, %es\n"
    "    movw %ax, %fs\n"
    "    movw %ax, %gs\n"
    "    movw %ax, %ss\n"
    "    movl $bm_stack_top, %esp\n"
    "    movl $__bss_start, %edi\n"
    "    movl $__bss_end, %ecx\n"
    "    subl %edi, %ecx\n"
    "    xorl %eax, %eax\n"
    "    rep stosb\n"
    "    pushl %ebp\n"
    "    pushl %esi\n"
    "    call bm_main\n"
    "2:  cli\n"
    "    hlt\n"
    "    jmp 2b\n"

    /* CPU exceptions: push a 0 where the CPU pushes no error code */
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n"
    "bm_isr_\\n:\n"
    ".if (\\n != 8) && (\\n != 10) && (\\n != 11) && (\\n != 12) && "
    "(\\n != 13) && (\\n != 14) && (\\n != 17) && (\\n != 21) && "
    "(\\n != 29) && (\\n != 30)\n"
    "    pushl $0\n"
    ".endif\n"
    "    pushl $\\n\n"
    "    jmp bm_isr_common\n"
    ".endr\n"

    /* stack: vector, error, eip: call bm_exception(vector, error, eip) */
    "bm_isr_common:\n"
    "    pushl 8(%esp)\n"
    "    pushl 8(%esp)\n"
    "    pushl 8(%esp)\n"
    "    call bm_exception\n"
    "3:  cli\n"
    "    hlt\n"
    "    jmp 3b\n"

    ".globl bm_isr_timer\n"
    "bm_isr_timer:\n"
    "    pushal\n"
    "    cld\n"
    "    call bm_timer_irq\n"
    "    popal\n"
    "    iret\n"

    ".globl bm_isr_spurious\n"
    "bm_isr_spurious:\n"
    "    iret\n"

    ".section .rodata\n"
    ".align 4\n"
    ".globl bm_isr_table\n"
    "bm_isr_table:\n"
    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n"
    "    .long bm_isr_\\n\n"
    ".endr\n"

    /* flat 4 GiB code (0x08) and data (0x10) segments */
    ".align 8\n"
    "bm_gdt:\n"
    "    .quad 0\n"
    "    .quad 0x00cf9a000000ffff\n"
    "    .quad 0x00cf92000000ffff\n"
    "bm_gdt_desc:\n"
    "    .word 3 * 8 - 1\n"
    "    .long bm_gdt\n"
    ".text\n"
);

typedef struct BmIdtGate {
    uint16_t off_lo;
    uint16_t sel;
    uint16_t flags;             /* present, DPL 0, 32-bit interrupt gate */
    uint16_t off_hi;
} __attribute__((packed)) BmIdtGate;

typedef struct BmIdtDesc {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed)) BmIdtDesc;

static BmIdtGate bm_idt[256];

static void bm_idt_set(unsigned vec, void (*fn)(void))
{
    uint32_t a = (uint32_t)(uintptr_t)fn;

    bm_idt[vec].off_lo = a & 0xffff;
    bm_idt[vec].sel = 0x08;
    bm_idt[vec].flags = 0x8e00;
    bm_idt[vec].off_hi = a >> 16;
}

void bm_cpu_init(void)
{
    BmIdtDesc d;

    for (unsigned v = 0; v < 32; v++) {
        bm_idt_set(v, (void (*)(void))(uintptr_t)bm_isr_table[v]);
    }
    bm_idt_set(BM_VEC_TIMER, bm_isr_timer);
    bm_idt_set(BM_VEC_SPURIOUS, bm_isr_spurious);
    d.limit = sizeof(bm_idt) - 1;
    d.base = (uint32_t)(uintptr_t)bm_idt;
    __asm__ volatile("lidt %0" : : "m"(d));

    /* the 8259s stay masked: the LAPIC timer is our only interrupt */
    bm_outb(0x21, 0xff);
    bm_outb(0xa1, 0xff);
}
