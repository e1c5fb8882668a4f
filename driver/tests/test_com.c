/*
 * Unit tests: readless reads, the reset handshake, the admin queue in
 * polling and interrupt mode, and AENQ dispatch, against the fake device
 * on a fake clock.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include "unit.h"
#include "plat_fake.h"
#include "ena_com.h"

static EnaPlat *plat;
static EnaCom com;
static EnaEvlog evlog;

static void setup(void)
{
    plat = fake_new();
    ena_evlog_init(&evlog);
    ena_com_init(&com, plat, &evlog);
}

static void teardown(void)
{
    ena_com_admin_destroy(&com);
    ena_com_mmio_destroy(&com);
    ck_assert_uint_eq(plat->dma_in_use, 0);
    fake_free(plat);
}

/* ---- readless ----------------------------------------------------------- */

START_TEST(test_readless_read)
{
    ck_assert_int_eq(ena_com_mmio_init(&com), 0);
    ck_assert(com.readless);
    ck_assert_uint_eq(plat->resp_addr, com.mmio_resp.phys);
    ck_assert_uint_eq(ena_com_reg_read32(&com, ENA_REGS_CAPS_OFF), plat->caps);
    ck_assert_uint_eq(ena_com_reg_read32(&com, ENA_REGS_DEV_STS_OFF),
                      ENA_REGS_DEV_STS_READY_MASK);
    ck_assert_uint_eq(com.mmio_seq, 2);
    ck_assert_uint_eq(com.stats.mmio_reads, 2);
    /* the device answered at once: no time passed */
    ck_assert_uint_eq(plat->now_ns, 0);
}
END_TEST

/* No answer: all ones after 200000 polls of 1 us, and event 5005. */
START_TEST(test_readless_timeout)
{
    const EnaEvent *ev;

    ena_com_mmio_init(&com);
    plat->readless_drop = true;
    ck_assert_uint_eq(ena_com_reg_read32(&com, ENA_REGS_DEV_STS_OFF),
                      ENA_MMIO_READ_TIMEOUT);
    ck_assert_uint_eq(plat->now_ns, 200000ull * 1000);
    ck_assert_uint_eq(com.stats.mmio_read_timeouts, 1);
    ck_assert_uint_eq(ena_evlog_count(&evlog), 1);
    ev = ena_evlog_get(&evlog, 0);
    ck_assert_uint_eq(ev->id, ENA_EV_TIMEOUT);
    ck_assert_uint_eq(ev->detail, ENA_REGS_DEV_STS_OFF);
    ck_assert_uint_eq(ev->ts_ns, 200000ull * 1000);
    /* a 10 ms hint shortens the wait */
    com.mmio_read_polls = 10 * 1000;
    ena_com_reg_read32(&com, ENA_REGS_CAPS_OFF);
    ck_assert_uint_eq(plat->now_ns, 210000ull * 1000);
}
END_TEST

START_TEST(test_readless_wrong_offset)
{
    ena_com_mmio_init(&com);
    plat->readless_bad_off = true;
    ck_assert_uint_eq(ena_com_reg_read32(&com, ENA_REGS_CAPS_OFF),
                      ENA_MMIO_READ_TIMEOUT);
    ck_assert_uint_eq(com.stats.mmio_read_bad_offset, 1);
    ck_assert_uint_eq(com.stats.mmio_read_timeouts, 0);
}
END_TEST

START_TEST(test_plain_reads)
{
    plat->revision = ENA_PCI_REV_MMIO_READ_DISABLE;
    ena_com_mmio_init(&com);
    ck_assert(!com.readless);
    plat->readless_drop = true;     /* not used */
    ck_assert_uint_eq(ena_com_reg_read32(&com, ENA_REGS_CAPS_OFF), plat->caps);
    ck_assert_uint_eq(com.mmio_seq, 0);
    /* the response address is programmed all the same */
    ck_assert_uint_eq(plat->resp_addr, com.mmio_resp.phys);
}
END_TEST

/* ---- reset -------------------------------------------------------------- */

START_TEST(test_reset_ok)
{
    ena_com_mmio_init(&com);
    ck_assert_int_eq(ena_com_dev_reset(&com, ENA_REGS_RESET_KEEP_ALIVE_TO), 0);
    ck_assert_uint_eq(plat->reset_count, 1);
    ck_assert_uint_eq(plat->last_dev_ctl_reset, 0x10000001);
    ck_assert_uint_eq(plat->dev_ctl, 0);
    /* the device forgot the readless address; the driver wrote it again */
    ck_assert_uint_eq(plat->resp_addr, com.mmio_resp.phys);
    ck_assert_uint_eq(com.admin.timeout_us, 3000000);
    /* CAPS.ADMIN_CMD_TO in 100 ms units */
    plat->caps |= 5 << ENA_REGS_CAPS_ADMIN_CMD_TO_SHIFT;
    ck_assert_int_eq(ena_com_dev_reset(&com, ENA_REGS_RESET_NORMAL), 0);
    ck_assert_uint_eq(com.admin.timeout_us, 500000);
}
END_TEST

/* RESET_IN_PROGRESS never rises: -ETIME after CAPS.RESET_TIMEOUT. */
START_TEST(test_reset_never_on)
{
    ena_com_mmio_init(&com);
    plat->reset_never_on = true;
    ck_assert_int_eq(ena_com_dev_reset(&com, ENA_REGS_RESET_NORMAL),
                     -ENA_ETIME);
    ck_assert_uint_ge(plat->now_ns, 3000000000ull);
    ck_assert_uint_lt(plat->now_ns, 3000000000ull + 5000000ull);
    ck_assert_uint_eq(com.stats.dev_reset_failures, 1);
    ck_assert_str_eq(plat->last_log, "Reset indication didn't turn on");
}
END_TEST

START_TEST(test_reset_never_off)
{
    ena_com_mmio_init(&com);
    plat->reset_never_off = true;
    ck_assert_int_eq(ena_com_dev_reset(&com, ENA_REGS_RESET_NORMAL),
                     -ENA_ETIME);
    ck_assert_str_eq(plat->last_log, "Reset indication didn't turn off");
}
END_TEST

START_TEST(test_reset_preconditions)
{
    ena_com_mmio_init(&com);
    plat->not_ready = true;
    ck_assert_int_eq(ena_com_dev_reset(&com, 0), -ENA_EINVAL);
    plat->not_ready = false;
    plat->caps &= ~ENA_REGS_CAPS_RESET_TIMEOUT_MASK;
    ck_assert_int_eq(ena_com_dev_reset(&com, 0), -ENA_EINVAL);
    plat->readless_drop = true;
    ck_assert_int_eq(ena_com_dev_reset(&com, 0), -ENA_ETIME);
    ck_assert_uint_eq(plat->reset_count, 0);
    ck_assert_uint_eq(com.stats.dev_reset_failures, 3);
}
END_TEST

START_TEST(test_reset_extended_reason)
{
    ena_com_mmio_init(&com);
    ena_com_dev_reset(&com, ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED);
    ck_assert_uint_eq(plat->last_reset_reason, ENA_REGS_RESET_GENERIC);
    com.capabilities = ENA_BIT(ENA_ADMIN_EXTENDED_RESET_REASONS);
    ena_com_dev_reset(&com, ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED);
    ck_assert_uint_eq(plat->last_reset_reason,
                      ENA_REGS_RESET_RX_DESCRIPTOR_MALFORMED);
}
END_TEST

START_TEST(test_version_and_width)
{
    ena_com_mmio_init(&com);
    ck_assert_int_eq(ena_com_validate_version(&com), 0);
    ck_assert_int_eq(ena_com_get_dma_width(&com), 0);
    ck_assert_uint_eq(com.dma_width, 48);
    plat->ctrl_version = 0xff000000;    /* impl id only: version 0.0.0 */
    ck_assert_int_eq(ena_com_validate_version(&com), -ENA_EINVAL);
    plat->caps = (plat->caps & ~ENA_REGS_CAPS_DMA_ADDR_WIDTH_MASK) |
                 (64 << ENA_REGS_CAPS_DMA_ADDR_WIDTH_SHIFT);
    ck_assert_int_eq(ena_com_get_dma_width(&com), -ENA_EINVAL);
}
END_TEST

/* ---- admin queue -------------------------------------------------------- */

static void admin_up(bool polling)
{
    ena_com_mmio_init(&com);
    ck_assert_int_eq(ena_com_admin_init(&com), 0);
    ck_assert_uint_eq(plat->aq_caps, 0x00400020);
    ck_assert_uint_eq(plat->acq_caps, 0x00400020);
    ck_assert_uint_eq(plat->aenq_caps, 0x00400010);
    ck_assert_uint_eq(plat->intr_mask, 1);
    com.supported_features = plat->supported_features;
    if (!polling) {
        ck_assert_int_eq(ena_plat_msix_setup(plat, 1), 1);
        ena_com_set_admin_polling(&com, false);
        ck_assert_uint_eq(plat->intr_mask, 0);
    }
}

static int get_attr(EnaAdminDeviceAttrFeature *a)
{
    return ena_com_get_feature(&com, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, NULL, 0,
                               a, sizeof(*a));
}

START_TEST(test_admin_polling)
{
    EnaAdminDeviceAttrFeature a;

    admin_up(true);
    /* 40 commands: ids and phases wrap on both 32-entry rings */
    for (int i = 0; i < 40; i++) {
        memset(&a, 0, sizeof(a));
        ck_assert_int_eq(get_attr(&a), 0);
        ck_assert(memcmp(a.mac_addr, plat->mac, 6) == 0);
    }
    ck_assert_uint_eq(plat->admin_cmds, 40);
    ck_assert_uint_eq(com.admin.sq_tail, 40);
    ck_assert_uint_eq(com.admin.sq_phase, 0);
    ck_assert_uint_eq(com.admin.cq_phase, 0);
    ck_assert_uint_eq(com.admin.curr_cmd_id, 40 % 32);
    ck_assert_uint_eq(com.stats.admin_completed, 40);
    ck_assert_uint_eq(com.admin.outstanding, 0);
    ck_assert_uint_eq(plat->now_ns, 0);
}
END_TEST

START_TEST(test_admin_interrupt_mode)
{
    EnaAdminDeviceAttrFeature a;

    admin_up(false);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(get_attr(&a), 0);
    }
    ck_assert_uint_eq(com.stats.mgmt_interrupts, 3);
    ck_assert_uint_eq(plat->now_ns, 0);
}
END_TEST

/* Polling mode, no completion: -ETIME after 3 s, queue not running. */
START_TEST(test_admin_timeout_polling)
{
    EnaAdminDeviceAttrFeature a;
    const EnaEvent *ev;

    admin_up(true);
    plat->admin_drop = true;
    ck_assert_int_eq(get_attr(&a), -ENA_ETIME);
    ck_assert_uint_ge(plat->now_ns, 3000000000ull);
    ck_assert_uint_lt(plat->now_ns, 3000000000ull + 5000000ull);
    ck_assert(!com.admin.running);
    ck_assert(!com.admin.missing_intr);
    ck_assert_uint_eq(com.stats.admin_no_completion, 1);
    ev = ena_evlog_get(&evlog, 0);
    ck_assert_uint_eq(ev->id, ENA_EV_ADMIN_TIMEOUT);
    ck_assert_uint_eq(ev->detail, ENA_ADMIN_GET_FEATURE);
    /* nothing is sent any more */
    plat->admin_drop = false;
    ck_assert_int_eq(get_attr(&a), -ENA_ENODEV);
    ck_assert_uint_eq(plat->admin_cmds, 1);
    ck_assert_uint_eq(com.stats.admin_not_running, 1);
}
END_TEST

/* Interrupt mode, completion written but no MSI-X. */
START_TEST(test_admin_missing_interrupt)
{
    EnaAdminDeviceAttrFeature a;

    admin_up(false);
    com.admin.timeout_us = 500000;      /* as a 500 ms hint would */
    plat->admin_no_intr = true;
    ck_assert_int_eq(get_attr(&a), -ENA_ETIME);
    ck_assert_uint_ge(plat->now_ns, 500000000ull);
    ck_assert_uint_lt(plat->now_ns, 501000000ull);
    ck_assert(com.admin.missing_intr);
    ck_assert_uint_eq(com.stats.admin_missing_intr, 1);
    ck_assert(!com.admin.running);
}
END_TEST

START_TEST(test_admin_error_status)
{
    static const struct {
        uint8_t status;
        int err;
    } map[] = {
        { ENA_ADMIN_UNSUPPORTED_OPCODE, -ENA_EOPNOTSUPP },
        { ENA_ADMIN_ILLEGAL_PARAMETER, -ENA_EINVAL },
        { ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE, -ENA_ENOMEM },
        { ENA_ADMIN_RESOURCE_BUSY, -ENA_EAGAIN },
        { ENA_ADMIN_MALFORMED_REQUEST, -ENA_EINVAL },
    };
    EnaAdminMtuFeature m = { .mtu = 9000 };

    admin_up(true);
    for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        plat->admin_fail_feature = ENA_ADMIN_MTU;
        plat->admin_fail_status = map[i].status;
        ck_assert_int_eq(ena_com_set_feature(&com, ENA_ADMIN_MTU, 0, &m,
                                             sizeof(m), NULL, 0), map[i].err);
    }
    /* an error status is an answer: the queue keeps running */
    ck_assert(com.admin.running);
    ck_assert_uint_eq(com.stats.admin_error_status, 5);
    plat->admin_fail_feature = -1;
    ck_assert_int_eq(ena_com_set_feature(&com, ENA_ADMIN_MTU, 0, &m,
                                         sizeof(m), NULL, 0), 0);
}
END_TEST

START_TEST(test_admin_bad_command_id)
{
    EnaAdminDeviceAttrFeature a;

    admin_up(true);
    plat->admin_bad_id = true;
    ck_assert_int_eq(get_attr(&a), -ENA_ETIME);
    ck_assert_uint_eq(com.stats.admin_bad_cmd_id, 1);
    ck_assert(!com.admin.running);
}
END_TEST

/* Feature bit clear: refused locally, nothing reaches the device. */
START_TEST(test_admin_feature_gate)
{
    EnaAdminLlqFeature llq;

    admin_up(true);
    ck_assert(!ena_com_feature_supported(&com, ENA_ADMIN_LLQ));
    ck_assert(ena_com_feature_supported(&com, ENA_ADMIN_HOST_ATTR_CONFIG));
    com.supported_features = 0;
    ck_assert(ena_com_feature_supported(&com, ENA_ADMIN_DEVICE_ATTRIBUTES));
    ck_assert_int_eq(ena_com_get_feature(&com, ENA_ADMIN_LLQ, 0, NULL, 0,
                                         &llq, sizeof(llq)),
                     -ENA_EOPNOTSUPP);
    ck_assert_uint_eq(plat->admin_cmds, 0);
}
END_TEST

/* ---- AENQ --------------------------------------------------------------- */

typedef struct AenqSeen {
    int link_up, link_down, keep_alive, hints, fatal, warning, unhandled;
    uint64_t rx_drops, tx_drops;
    uint16_t hint_wd, last_group, last_syndrome;
} AenqSeen;

static AenqSeen seen;

static void on_link(void *o, bool up)
{
    if (up) {
        seen.link_up++;
    } else {
        seen.link_down++;
    }
}

static void on_ka(void *o, const EnaComKeepAlive *ka)
{
    seen.keep_alive++;
    seen.rx_drops = ka->rx_drops;
    seen.tx_drops = ka->tx_drops;
}

static void on_hints(void *o, const EnaAdminHwHints *h)
{
    seen.hints++;
    seen.hint_wd = h->driver_watchdog_timeout;
}

static void on_fatal(void *o, uint16_t syndrome)
{
    seen.fatal++;
    seen.last_syndrome = syndrome;
}

static void on_warning(void *o, uint16_t syndrome)
{
    seen.warning++;
}

static void on_unhandled(void *o, uint16_t group, uint16_t syndrome)
{
    seen.unhandled++;
    seen.last_group = group;
}

static const EnaComAenqOps ops = {
    .link_change = on_link,
    .keep_alive = on_ka,
    .hints = on_hints,
    .fatal_error = on_fatal,
    .warning = on_warning,
    .unhandled = on_unhandled,
};

static void aenq_up(void)
{
    admin_up(true);
    memset(&seen, 0, sizeof(seen));
    ena_com_aenq_set_ops(&com, &ops, NULL);
    plat->aenq_groups = 0xff;   /* every group, newer ones included */
    ena_com_aenq_start(&com);
    ck_assert_uint_eq(plat->aenq_head_db, 16);
    com.aenq.enabled = true;
}

START_TEST(test_aenq_groups)
{
    EnaAdminAenqKeepAlive ka = {
        .rx_drops_low = 5, .rx_drops_high = 1, .tx_drops_low = 7,
    };
    EnaAdminHwHints h = { .driver_watchdog_timeout = 3000 };
    uint32_t down = 0;

    aenq_up();
    /* the link-up the device posted at the first head doorbell */
    ck_assert_int_eq(ena_com_aenq_process(&com), 1);
    ck_assert_int_eq(seen.link_up, 1);
    fake_aenq_post(plat, ENA_ADMIN_LINK_CHANGE, 0, &down, sizeof(down));
    fake_aenq_post(plat, ENA_ADMIN_KEEP_ALIVE, 0, &ka, sizeof(ka));
    fake_aenq_post(plat, ENA_ADMIN_NOTIFICATION, ENA_ADMIN_UPDATE_HINTS, &h,
                   sizeof(h));
    fake_aenq_post(plat, ENA_ADMIN_NOTIFICATION, ENA_ADMIN_SUSPEND, NULL, 0);
    fake_aenq_post(plat, ENA_ADMIN_FATAL_ERROR, 0x77, NULL, 0);
    fake_aenq_post(plat, ENA_ADMIN_WARNING, 1, NULL, 0);
    fake_aenq_post(plat, ENA_ADMIN_DEVICE_REQUEST_RESET, 0, NULL, 0);
    fake_aenq_post(plat, ENA_ADMIN_REFRESH_CAPABILITIES, 0, NULL, 0);
    /* processed only when dispatching is enabled */
    com.aenq.enabled = false;
    ck_assert_int_eq(ena_com_aenq_process(&com), 0);
    com.aenq.enabled = true;
    ck_assert_int_eq(ena_com_aenq_process(&com), 8);
    ck_assert_int_eq(seen.link_down, 1);
    ck_assert_int_eq(seen.keep_alive, 1);
    ck_assert_uint_eq(seen.rx_drops, 0x100000005ull);
    ck_assert_uint_eq(seen.tx_drops, 7);
    ck_assert_int_eq(seen.hints, 1);
    ck_assert_uint_eq(seen.hint_wd, 3000);
    ck_assert_uint_eq(com.stats.aenq_bad_syndrome, 1);
    ck_assert_int_eq(seen.fatal, 1);
    ck_assert_uint_eq(seen.last_syndrome, 0x77);
    ck_assert_int_eq(seen.warning, 1);
    ck_assert_int_eq(seen.unhandled, 2);
    ck_assert_uint_eq(com.stats.aenq_unhandled, 2);
    ck_assert_uint_eq(com.stats.aenq_events, 9);
    ck_assert_uint_eq(com.stats.aenq_group[ENA_ADMIN_NOTIFICATION], 2);
    /* the head doorbell says how far we got */
    ck_assert_uint_eq(plat->aenq_head_db, 16 + 9);
}
END_TEST

/* Forty events in batches: the ring wraps, the doorbell frees entries. */
START_TEST(test_aenq_wrap)
{
    EnaAdminAenqKeepAlive ka;

    aenq_up();
    ena_com_aenq_process(&com);
    memset(&ka, 0, sizeof(ka));
    for (int batch = 0; batch < 4; batch++) {
        for (int i = 0; i < 10; i++) {
            ck_assert(fake_aenq_post(plat, ENA_ADMIN_KEEP_ALIVE, 0, &ka,
                                     sizeof(ka)));
        }
        ck_assert_int_eq(ena_com_aenq_process(&com), 10);
    }
    ck_assert_int_eq(seen.keep_alive, 40);
    ck_assert_uint_eq(com.aenq.head, 16 + 41);
    ck_assert_uint_eq(plat->aenq_head_db, com.aenq.head);
    /* the device may fill at most 16 before the next doorbell */
    for (int i = 0; i < 16; i++) {
        ck_assert(fake_aenq_post(plat, ENA_ADMIN_KEEP_ALIVE, 0, &ka,
                                 sizeof(ka)));
    }
    ck_assert(!fake_aenq_post(plat, ENA_ADMIN_KEEP_ALIVE, 0, &ka, sizeof(ka)));
    ck_assert_int_eq(ena_com_aenq_process(&com), 16);
}
END_TEST

static Suite *com_suite(void)
{
    Suite *s = suite_create("com");
    TCase *mmio = tcase_create("readless");
    TCase *reset = tcase_create("reset");
    TCase *admin = tcase_create("admin");
    TCase *aenq = tcase_create("aenq");

    tcase_add_checked_fixture(mmio, setup, teardown);
    tcase_add_test(mmio, test_readless_read);
    tcase_add_test(mmio, test_readless_timeout);
    tcase_add_test(mmio, test_readless_wrong_offset);
    tcase_add_test(mmio, test_plain_reads);
    suite_add_tcase(s, mmio);

    tcase_add_checked_fixture(reset, setup, teardown);
    tcase_add_test(reset, test_reset_ok);
    tcase_add_test(reset, test_reset_never_on);
    tcase_add_test(reset, test_reset_never_off);
    tcase_add_test(reset, test_reset_preconditions);
    tcase_add_test(reset, test_reset_extended_reason);
    tcase_add_test(reset, test_version_and_width);
    suite_add_tcase(s, reset);

    tcase_add_checked_fixture(admin, setup, teardown);
    tcase_add_test(admin, test_admin_polling);
    tcase_add_test(admin, test_admin_interrupt_mode);
    tcase_add_test(admin, test_admin_timeout_polling);
    tcase_add_test(admin, test_admin_missing_interrupt);
    tcase_add_test(admin, test_admin_error_status);
    tcase_add_test(admin, test_admin_bad_command_id);
    tcase_add_test(admin, test_admin_feature_gate);
    suite_add_tcase(s, admin);

    tcase_add_checked_fixture(aenq, setup, teardown);
    tcase_add_test(aenq, test_aenq_groups);
    tcase_add_test(aenq, test_aenq_wrap);
    suite_add_tcase(s, aenq);
    return s;
}

int main(void)
{
    return unit_run(com_suite());
}
