/*
 * ENA reference driver unit tests: common runner.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ENA_UNIT_H
#define ENA_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <check.h>

/*
 * Run @s with Check's verbosity from CK_VERBOSITY (meson sets "verbose"),
 * print a one-line summary, exit status 1 if anything failed.
 */
static inline int unit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int total, failed;

    srunner_run_all(sr, CK_ENV);
    total = srunner_ntests_run(sr);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("SUMMARY: %d checks, %d failed\n", total, failed);
    return failed || !total ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* ENA_UNIT_H */
