/*
 * Unit tests: ring and phase arithmetic, register encodings, errno map.
 *
 * SPDX-License-Identifier: MIT
 */
#include "unit.h"
#include "ena_com.h"
#include "ena_eth.h"

/* Following a counter across the u16 wrap keeps slot and phase right. */
START_TEST(test_ring_advance_matches_formula)
{
    static const uint16_t depths[] = { 2, 16, 32, 256, 1024 };
    uint16_t depth = depths[_i];
    uint16_t ctr = 0;
    uint8_t phase = 1;
    uint32_t bad = 0, flips = 0;

    for (uint32_t n = 0; n < 65536u + 3u * depth + 7; n++) {
        uint8_t before = phase;

        bad += ena_ring_phase(ctr, depth) != phase;
        bad += ena_ring_slot(ctr, depth) != n % depth;
        ena_ring_advance(&ctr, &phase, depth);
        flips += phase != before;
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(flips, (65536u + 3u * depth + 7) / depth);
}
END_TEST

START_TEST(test_ring_phase_flips_at_slot0)
{
    uint16_t ctr = 0;
    uint8_t phase = 1;

    for (int i = 0; i < 31; i++) {
        ena_ring_advance(&ctr, &phase, 32);
        ck_assert_uint_eq(phase, 1);
    }
    ena_ring_advance(&ctr, &phase, 32);
    ck_assert_uint_eq(ctr, 32);
    ck_assert_uint_eq(phase, 0);
    ctr = 0xffff;
    phase = 0;
    ena_ring_advance(&ctr, &phase, 32);
    ck_assert_uint_eq(ctr, 0);
    ck_assert_uint_eq(phase, 1);
}
END_TEST

/*
 * The AENQ consumer starts at head = depth with phase 1 while the device
 * produces from 0: both views must agree entry by entry.
 */
START_TEST(test_ring_aenq_convention)
{
    uint16_t head = 16, prod = 0;
    uint8_t phase = 1;

    for (int i = 0; i < 100; i++) {
        ck_assert_uint_eq(ena_ring_slot(head, 16), ena_ring_slot(prod, 16));
        ck_assert_uint_eq(phase, ena_ring_phase(prod, 16));
        ena_ring_advance(&head, &phase, 16);
        prod++;
    }
}
END_TEST

START_TEST(test_pow2_helpers)
{
    ck_assert(ena_is_pow2(1));
    ck_assert(ena_is_pow2(1024));
    ck_assert(!ena_is_pow2(0));
    ck_assert(!ena_is_pow2(768));
    ck_assert_uint_eq(ena_rounddown_pow2(1), 1);
    ck_assert_uint_eq(ena_rounddown_pow2(8192), 8192);
    ck_assert_uint_eq(ena_rounddown_pow2(1000), 512);
    ck_assert_uint_eq(ena_rounddown_pow2(0xffffffffu), 0x80000000u);
}
END_TEST

START_TEST(test_reset_ctl_encoding)
{
    /* §8.4 table */
    ck_assert_uint_eq(ena_com_reset_ctl_value(ENA_REGS_RESET_NORMAL, false),
                      0x00000001);
    ck_assert_uint_eq(ena_com_reset_ctl_value(ENA_REGS_RESET_KEEP_ALIVE_TO,
                                              false), 0x10000001);
    ck_assert_uint_eq(ena_com_reset_ctl_value(ENA_REGS_RESET_INIT_ERR, false),
                      0x70000001);
    ck_assert_uint_eq(ena_com_reset_ctl_value(ENA_REGS_RESET_SHUTDOWN, true),
                      0xB0000001);
    ck_assert_uint_eq(ena_com_reset_ctl_value(ENA_REGS_RESET_MISS_INTERRUPT,
                                              false), 0xE0000001);
    /* >= 16: extension bits, or GENERIC without the capability */
    ck_assert_uint_eq(ena_com_reset_ctl_value(
                          ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED, false),
                      0xD0000001);
    ck_assert_uint_eq(ena_com_reset_ctl_value(
                          ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED, true),
                      0x01000001);
    ck_assert_uint_eq(ena_com_reset_ctl_value(
                          ENA_REGS_RESET_MISSING_ADMIN_INTERRUPT, true),
                      0x21000001);
    ck_assert_uint_eq(ena_com_reset_ctl_value(
                          ENA_REGS_RESET_MISS_FIRST_INTERRUPT, true),
                      0x41000001);
}
END_TEST

START_TEST(test_intr_reg_encoding)
{
    ck_assert_uint_eq(ena_eth_intr_reg_value(0, 0, true), 1u << 30);
    ck_assert_uint_eq(ena_eth_intr_reg_value(20, 64, true),
                      20 | (64u << 15) | (1u << 30));
    ck_assert_uint_eq(ena_eth_intr_reg_value(5, 0, false), 5);
    /* oversized delays are clipped to their fields */
    ck_assert_uint_eq(ena_eth_intr_reg_value(0xffff, 0xffff, false),
                      0x7fff | (0x7fffu << 15));
}
END_TEST

START_TEST(test_status_errno)
{
    ck_assert_int_eq(ena_com_status_to_errno(ENA_ADMIN_SUCCESS), 0);
    ck_assert_int_eq(ena_com_status_to_errno(
                         ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE), -ENA_ENOMEM);
    ck_assert_int_eq(ena_com_status_to_errno(ENA_ADMIN_BAD_OPCODE),
                     -ENA_EINVAL);
    ck_assert_int_eq(ena_com_status_to_errno(ENA_ADMIN_UNSUPPORTED_OPCODE),
                     -ENA_EOPNOTSUPP);
    ck_assert_int_eq(ena_com_status_to_errno(ENA_ADMIN_MALFORMED_REQUEST),
                     -ENA_EINVAL);
    ck_assert_int_eq(ena_com_status_to_errno(ENA_ADMIN_ILLEGAL_PARAMETER),
                     -ENA_EINVAL);
    ck_assert_int_eq(ena_com_status_to_errno(ENA_ADMIN_UNKNOWN_ERROR),
                     -ENA_EINVAL);
    ck_assert_int_eq(ena_com_status_to_errno(ENA_ADMIN_RESOURCE_BUSY),
                     -ENA_EAGAIN);
    ck_assert_int_eq(ena_com_status_to_errno(200), -ENA_EINVAL);
}
END_TEST

static Suite *ring_suite(void)
{
    Suite *s = suite_create("ring");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_ring_advance_matches_formula, 0, 5);
    tcase_add_test(tc, test_ring_phase_flips_at_slot0);
    tcase_add_test(tc, test_ring_aenq_convention);
    tcase_add_test(tc, test_pow2_helpers);
    tcase_add_test(tc, test_reset_ctl_encoding);
    tcase_add_test(tc, test_intr_reg_encoding);
    tcase_add_test(tc, test_status_errno);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(ring_suite());
}
