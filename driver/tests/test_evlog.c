/*
 * Unit tests: event log ring and its text form.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include "unit.h"
#include "ena_evlog.h"
#include "hw/ena/ena_hw.h"

static EnaEvlog evlog;

START_TEST(test_evlog_empty)
{
    char buf[16] = "junk";

    ena_evlog_init(&evlog);
    ck_assert_uint_eq(ena_evlog_count(&evlog), 0);
    ck_assert_uint_eq(ena_evlog_dropped(&evlog), 0);
    ck_assert_ptr_null(ena_evlog_get(&evlog, 0));
    ck_assert_uint_eq(ena_evlog_format_all(&evlog, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_evlog_format_line)
{
    char buf[ENA_EVLOG_LINE_MAX];
    size_t n;

    ena_evlog_init(&evlog);
    ena_evlog_add(&evlog, 12345678901ull, ENA_EV_RESET_STARTED,
                  ENA_REGS_RESET_KEEP_ALIVE_TO, 7000, "keep-alive");
    n = ena_evlog_format(ena_evlog_get(&evlog, 0), buf, sizeof(buf));
    ck_assert_str_eq(buf, "12.345678901 5205 reset-started "
                     "reason=KEEP_ALIVE_TO(1) detail=7000 keep-alive\n");
    ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(test_evlog_format_variants)
{
    char buf[ENA_EVLOG_LINE_MAX];

    ena_evlog_init(&evlog);
    /* nanoseconds keep their leading zeros; no reason; no message */
    ena_evlog_add(&evlog, 5, ENA_EV_INITIALIZED, ENA_EVLOG_NO_REASON, 2,
                  NULL);
    ena_evlog_add(&evlog, 3000000000ull, 4242, 99, UINT64_MAX, "");
    ena_evlog_add(&evlog, 0, ENA_EV_RESET_FAILED,
                  ENA_REGS_RESET_MISS_FIRST_INTERRUPT, 0, "x");
    ena_evlog_format(ena_evlog_get(&evlog, 0), buf, sizeof(buf));
    ck_assert_str_eq(buf, "0.000000005 5200 initialized reason=- detail=2\n");
    ena_evlog_format(ena_evlog_get(&evlog, 1), buf, sizeof(buf));
    ck_assert_str_eq(buf, "3.000000000 4242 ? reason=?(99) "
                     "detail=18446744073709551615\n");
    ena_evlog_format(ena_evlog_get(&evlog, 2), buf, sizeof(buf));
    ck_assert_str_eq(buf, "0.000000000 5032 reset-failed "
                     "reason=MISS_FIRST_INTERRUPT(20) detail=0 x\n");
}
END_TEST

START_TEST(test_evlog_names)
{
    static const uint16_t ids[] = {
        5001, 5002, 5005, 5007, 5032, 5200, 5201, 5202, 5203, 5204, 5205,
        5206, 5208, 5210,
    };

    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        ck_assert_str_ne(ena_evlog_id_name(ids[i]), "?");
    }
    for (unsigned r = 0; r < ENA_REGS_RESET_LAST; r++) {
        ck_assert_str_ne(ena_reset_reason_str(r), "?");
    }
    ck_assert_str_eq(ena_reset_reason_str(ENA_REGS_RESET_LAST), "?");
    ck_assert_str_eq(ena_reset_reason_str(ENA_REGS_RESET_MISS_TX_CMPL),
                     "MISS_TX_CMPL");
}
END_TEST

/* A full ring drops the oldest entries and says how many. */
START_TEST(test_evlog_wrap)
{
    ena_evlog_init(&evlog);
    for (uint64_t i = 0; i < 300; i++) {
        ena_evlog_add(&evlog, i * 1000, i % 2 ? ENA_EV_RESET_STARTED :
                      ENA_EV_RECOVERED, (uint8_t)(i % 21), i, "e");
    }
    ck_assert_uint_eq(ena_evlog_count(&evlog), ENA_EVLOG_SIZE);
    ck_assert_uint_eq(ena_evlog_dropped(&evlog), 300 - ENA_EVLOG_SIZE);
    ck_assert_uint_eq(ena_evlog_get(&evlog, 0)->seq, 300 - ENA_EVLOG_SIZE);
    ck_assert_uint_eq(ena_evlog_get(&evlog, 0)->detail,
                      300 - ENA_EVLOG_SIZE);
    ck_assert_uint_eq(ena_evlog_get(&evlog, ENA_EVLOG_SIZE - 1)->seq, 299);
    ck_assert_ptr_null(ena_evlog_get(&evlog, ENA_EVLOG_SIZE));
    ck_assert_uint_eq(ena_evlog_count_id(&evlog, ENA_EV_RESET_STARTED),
                      ENA_EVLOG_SIZE / 2);
}
END_TEST

/* snprintf semantics: truncate, terminate, report the full length. */
START_TEST(test_evlog_truncation)
{
    char big[ENA_EVLOG_SIZE * ENA_EVLOG_LINE_MAX], small[20];
    size_t full, cut;

    ena_evlog_init(&evlog);
    for (int i = 0; i < 3; i++) {
        ena_evlog_add(&evlog, 1000000000ull * i, ENA_EV_TIMEOUT,
                      ENA_EVLOG_NO_REASON, 0x58, "register read timed out");
    }
    full = ena_evlog_format_all(&evlog, big, sizeof(big));
    ck_assert_uint_eq(full, strlen(big));
    cut = ena_evlog_format_all(&evlog, small, sizeof(small));
    ck_assert_uint_eq(cut, full);
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
    ck_assert(strncmp(small, big, sizeof(small) - 1) == 0);
    ck_assert_uint_eq(ena_evlog_format_all(&evlog, NULL, 0), full);
    /* three lines, all alike but for the time */
    ck_assert_str_eq(big,
        "0.000000000 5005 timeout reason=- detail=88 register read timed out\n"
        "1.000000000 5005 timeout reason=- detail=88 register read timed out\n"
        "2.000000000 5005 timeout reason=- detail=88 register read timed "
        "out\n");
}
END_TEST

static Suite *evlog_suite(void)
{
    Suite *s = suite_create("evlog");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_evlog_empty);
    tcase_add_test(tc, test_evlog_format_line);
    tcase_add_test(tc, test_evlog_format_variants);
    tcase_add_test(tc, test_evlog_names);
    tcase_add_test(tc, test_evlog_wrap);
    tcase_add_test(tc, test_evlog_truncation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(evlog_suite());
}
