/*
 * QTest testcases for the ena control plane: the admin queue, every
 * feature, statistics, the AENQ with keep-alive and link events, bad
 * input, and the Linux driver's probe sequence up to IO queue creation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/bitops.h"
#include "libqtest-single.h"
#include "libqos/pci.h"
#include "libqos/qgraph.h"
#include "libqos/ena.h"
#include "hw/pci/pci_regs.h"

#define MS                  (1000 * 1000)
#define TEST_MAC            "52:54:00:12:34:56"
#define TEST_QUEUES         4

static QTestState *qts_of(QEna *d)
{
    return d->dev.bus->qts;
}

/* Device freshly reset and its admin queue set up as Linux does. */
static void admin_up(QEna *d, bool polling)
{
    qena_readless_init(d);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL, 100 * MS), >=, 0);
    qena_admin_init(d, polling);
}

static void aenq_enable(QEna *d, uint32_t groups)
{
    EnaAdminAenqConfigFeature a = { .enabled_groups = cpu_to_le32(groups) };

    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_AENQ_CONFIG, &a, sizeof(a),
                                     0, 0), ==, ENA_ADMIN_SUCCESS);
}

/* ---- admin queue ---------------------------------------------------- */

static void test_ena_admin_polling(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminDeviceAttrFeature a;
    const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

    admin_up(d, true);
    qena_msix_route(d, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, 0, 0,
                                     &a, sizeof(a)), ==, ENA_ADMIN_SUCCESS);
    g_assert_cmpmem(a.mac_addr, 6, mac, 6);
    g_assert_cmpint(le32_to_cpu(a.max_mtu), ==, 9216);
    /* the bits Linux needs (§13): 1, 2 or 7, 11, 26, plus 3, 14, 20 */
    g_assert_cmphex(le32_to_cpu(a.supported_features) & 0x04104886, ==,
                    0x04104886);
    /* LLQ (4) is offered by default */
    g_assert_cmphex(le32_to_cpu(a.supported_features) &
                    BIT(ENA_ADMIN_LLQ), ==, BIT(ENA_ADMIN_LLQ));
    /* polling mode: no interrupt */
    g_assert_false(qena_msix_take(d, 0));
}

static void test_ena_admin_interrupt(void *obj, void *data,
                                     QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminAcqEntry r;
    EnaAdminAqEntry c = { .aq_common.opcode = ENA_ADMIN_GET_FEATURE };

    admin_up(d, false);
    qena_msix_route(d, 0);
    ((EnaAdminGetSetFeatureCmd *)&c)->feature_id = ENA_ADMIN_HW_HINTS;
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, ENA_ADMIN_SUCCESS);
    g_assert_true(qena_msix_take(d, 0));

    /* INTR_MASK=1 stops the admin interrupt again */
    qena_writel(d, ENA_REGS_INTR_MASK_OFF, 1);
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, ENA_ADMIN_SUCCESS);
    g_assert_false(qena_msix_take(d, 0));
}

/* 80 commands wrap the 32-entry rings twice: ids and phases stay right. */
static void test_ena_admin_wrap(void *obj, void *data,
                                QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminMtuFeature m;

    admin_up(d, true);
    for (int i = 0; i < 80; i++) {
        m.mtu = cpu_to_le32(1500 + i);
        g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_MTU, &m, sizeof(m), 0,
                                         0), ==, ENA_ADMIN_SUCCESS);
    }
    g_assert_cmpint(qena_qom_get_uint(qts_of(d), "ena0", "admin-commands"),
                    ==, 80);
}

/* Several commands in one doorbell complete in order, each echoing ids. */
static void test_ena_admin_batch(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminGetSetFeatureCmd c;
    EnaAdminAcqEntry r;

    admin_up(d, true);
    for (int i = 0; i < 5; i++) {
        memset(&c, 0, sizeof(c));
        c.aq_common.opcode = ENA_ADMIN_GET_FEATURE;
        c.aq_common.command_id = cpu_to_le16(i);
        c.aq_common.flags = 1;
        c.feature_id = ENA_ADMIN_LINK_CONFIG;
        qtest_memwrite(qts, d->aq + i * ENA_ADMIN_ENTRY_SIZE, &c, sizeof(c));
    }
    d->aq_tail = 5;
    d->cmd_id = 5;
    qena_writel(d, ENA_REGS_AQ_DB_OFF, 5);
    for (int i = 0; i < 5; i++) {
        g_assert_true(qena_admin_poll(d, &r, 10 * MS));
        g_assert_cmpint(le16_to_cpu(r.acq_common.command), ==, i);
        g_assert_cmpint(r.acq_common.status, ==, ENA_ADMIN_SUCCESS);
    }
}

/*
 * Linux copies only the command's size into a slot; the rest holds stale
 * bytes of earlier commands (docs/interface.md §4.2).
 */
static void test_ena_admin_stale_bytes(void *obj, void *data,
                                       QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminAqEntry c;
    EnaAdminCreateCqCmd *cq = (EnaAdminCreateCqCmd *)&c;
    EnaAdminAcqEntry r;

    admin_up(d, true);
    memset(&c, 0xa5, sizeof(c));
    memset(cq, 0, sizeof(*cq));
    cq->aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cq->cq_caps_1 = ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK;
    cq->cq_caps_2 = 2;
    cq->cq_depth = cpu_to_le16(256);
    cq->msix_vector = cpu_to_le32(1);
    qena_addr48(&cq->cq_ba, qena_alloc_zeroed(d, 256 * 8));
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, ENA_ADMIN_SUCCESS);
}

/* ---- features ------------------------------------------------------- */

static void test_ena_features_get(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminMaxQueuesExtFeature qx;
    EnaAdminMaxQueuesFeature q;
    EnaAdminHwHints h;
    EnaAdminOffloadFeature o;
    EnaAdminRssIndTableFeature t;
    EnaAdminIntrModerationFeature im;
    EnaAdminAenqConfigFeature ac;
    EnaAdminLinkConfigFeature l;
    EnaAdminRssHashFunctionFeature hf;

    admin_up(d, true);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_MAX_QUEUES_EXT,
                                     ENA_FEATURE_MAX_QUEUE_EXT_VER, 0, 0,
                                     &qx, sizeof(qx)), ==, 0);
    g_assert_cmpint(qx.version, ==, 1);
    g_assert_cmpint(le32_to_cpu(qx.max_tx_sq_num), ==, TEST_QUEUES);
    g_assert_cmpint(le32_to_cpu(qx.max_rx_cq_num), ==, TEST_QUEUES);
    g_assert_cmpint(le32_to_cpu(qx.max_rx_sq_depth), ==, 8192);
    g_assert_cmpint(le16_to_cpu(qx.max_per_packet_rx_descs), >=, 6);
    /*
     * Regression: 256 here broke ifup on Linux 6.12, whose rings keep the
     * value in a u8 and then allocate a 0-byte push buffer.
     */
    g_assert_cmpint(le32_to_cpu(qx.max_tx_header_size), >, 0);
    g_assert_cmpint(le32_to_cpu(qx.max_tx_header_size), <=, 255);
    /* the extended form must be asked for with version 1 */
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_MAX_QUEUES_EXT, 0, 0, 0,
                                     NULL, 0), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_MAX_QUEUES_NUM, 0, 0, 0,
                                     &q, sizeof(q)), ==, 0);
    g_assert_cmpint(le32_to_cpu(q.max_sq_num), ==, TEST_QUEUES);
    g_assert_cmpint(le32_to_cpu(q.max_cq_depth), ==, 8192);
    g_assert_cmpint(le16_to_cpu(q.max_packet_tx_descs), ==, 19);

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_HW_HINTS, 0, 0, 0,
                                     &h, sizeof(h)), ==, 0);
    g_assert_cmpint(le16_to_cpu(h.driver_watchdog_timeout), ==, 1500);
    g_assert_cmpint(le16_to_cpu(h.mmio_read_timeout), ==, 0);

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_STATELESS_OFFLOAD_CONFIG,
                                     0, 0, 0, &o, sizeof(o)), ==, 0);
    g_assert_cmphex(le32_to_cpu(o.tx) & (ENA_ADMIN_TX_L4_IPV4_CSUM_PART |
                                         ENA_ADMIN_TX_TSO_IPV4), ==,
                    ENA_ADMIN_TX_L4_IPV4_CSUM_PART | ENA_ADMIN_TX_TSO_IPV4);
    g_assert_cmphex(le32_to_cpu(o.rx_supported) & ENA_ADMIN_RX_L4_IPV4_CSUM,
                    ==, ENA_ADMIN_RX_L4_IPV4_CSUM);

    /* Linux 6.x needs min <= 7 <= max */
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     0, 0, 0, &t, sizeof(t)), ==, 0);
    g_assert_cmpint(le16_to_cpu(t.min_size), <=, 7);
    g_assert_cmpint(le16_to_cpu(t.max_size), >=, 7);

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_INTERRUPT_MODERATION, 0, 0,
                                     0, &im, sizeof(im)), ==, 0);
    g_assert_cmpint(le16_to_cpu(im.intr_delay_resolution), ==, 1);

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_AENQ_CONFIG, 0, 0, 0,
                                     &ac, sizeof(ac)), ==, 0);
    g_assert_cmphex(le32_to_cpu(ac.supported_groups) & 0x1f, ==, 0x1f);
    g_assert_cmphex(le32_to_cpu(ac.enabled_groups), ==, 0);

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_LINK_CONFIG, 0, 0, 0,
                                     &l, sizeof(l)), ==, 0);
    g_assert_cmpint(le32_to_cpu(l.speed), ==, 25000);
    g_assert_cmphex(le32_to_cpu(l.supported), ==, ENA_ADMIN_LINK_SPEED_25G);

    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_HASH_FUNCTION, 0, 0, 0,
                                     &hf, sizeof(hf)), ==, 0);
    g_assert_cmphex(le32_to_cpu(hf.supported_func), ==,
                    BIT(ENA_ADMIN_RSS_TOEPLITZ) | BIT(ENA_ADMIN_RSS_CRC32));
}

static void test_ena_features_unsupported(void *obj, void *data,
                                          QGuestAllocator *alloc)
{
    static const uint8_t ids[] = {
        0, ENA_ADMIN_EXTRA_PROPERTIES_STRINGS,
        ENA_ADMIN_FRAG_BYPASS, 9, ENA_ADMIN_PHC_CONFIG,
        ENA_ADMIN_FLOW_STEERING_CONFIG, ENA_ADMIN_HW_TIMESTAMP, 32, 255,
    };
    QEna *d = obj;
    uint32_t zero[4] = { 0 };

    admin_up(d, true);
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        g_assert_cmpint(qena_get_feature(d, ids[i], 0, 0, 0, NULL, 0), ==,
                        ENA_ADMIN_UNSUPPORTED_OPCODE);
        g_assert_cmpint(qena_set_feature(d, ids[i], zero, sizeof(zero), 0,
                                         0), ==,
                        ENA_ADMIN_UNSUPPORTED_OPCODE);
    }
    /* GET-only and SET-only features the other way round */
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_DEVICE_ATTRIBUTES, zero,
                                     sizeof(zero), 0, 0), ==,
                    ENA_ADMIN_UNSUPPORTED_OPCODE);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_HOST_ATTR_CONFIG, 0, 0, 0,
                                     NULL, 0), ==,
                    ENA_ADMIN_UNSUPPORTED_OPCODE);
    /* without phc=on the PHC doorbell is no register: logged, ignored */
    qena_writel(d, ENA_REGS_PHC_DB_OFF, 1);
    g_assert_cmpuint(qena_qom_get_uint(qts_of(d), "ena0", "phc-requests"),
                     ==, 0);
}

static void test_ena_features_set(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminMtuFeature m;
    EnaAdminRssHashFunctionFeature hf = {
        .selected_func = cpu_to_le32(BIT(ENA_ADMIN_RSS_TOEPLITZ)),
        .init_val = cpu_to_le32(0xffffffff),
    };
    EnaAdminRssHashKey key = { .key_parts = cpu_to_le32(10) }, back;
    EnaAdminRssIndTableFeature t = {
        .size = cpu_to_le16(7),
        .inline_index = cpu_to_le32(0xffffffff),
    };
    EnaAdminRssIndTableEntry tbl[128], tbl_back[128];
    EnaAdminRssHashInputFeature hin = { .enabled_input_sort = cpu_to_le16(6) };
    EnaAdminRssHashCtrl hc;
    uint64_t kbuf = qena_alloc_zeroed(d, sizeof(key));
    uint64_t tbuf = qena_alloc_zeroed(d, sizeof(tbl));
    uint64_t hbuf = qena_alloc_zeroed(d, sizeof(hc));

    admin_up(d, true);

    m.mtu = cpu_to_le32(9001);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_MTU, &m, sizeof(m), 0, 0),
                    ==, ENA_ADMIN_SUCCESS);
    m.mtu = cpu_to_le32(9217);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_MTU, &m, sizeof(m), 0, 0),
                    ==, ENA_ADMIN_ILLEGAL_PARAMETER);

    /* RSS key: SET with the buffer, GET it back through a buffer */
    for (int i = 0; i < 10; i++) {
        key.key[i] = cpu_to_le32(0x6d5a6d5a + i);
    }
    qtest_memwrite(qts, kbuf, &key, sizeof(key));
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_FUNCTION, &hf,
                                     sizeof(hf), kbuf, sizeof(key)), ==, 0);
    qtest_memset(qts, kbuf, 0, sizeof(key));
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_HASH_FUNCTION, 0, kbuf,
                                     sizeof(key), &hf, sizeof(hf)), ==, 0);
    qtest_memread(qts, kbuf, &back, sizeof(back));
    g_assert_cmpmem(back.key, sizeof(back.key), key.key, sizeof(key.key));
    g_assert_cmphex(le32_to_cpu(hf.selected_func), ==,
                    BIT(ENA_ADMIN_RSS_TOEPLITZ));
    /* function 3 is not offered (CRC32: ena-rx-test.c) */
    hf.selected_func = cpu_to_le32(BIT(3));
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_FUNCTION, &hf,
                                     sizeof(hf), kbuf, sizeof(key)), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);

    /* indirection table round trip */
    for (int i = 0; i < 128; i++) {
        tbl[i].cq_idx = cpu_to_le16(i % 3);
        tbl[i].reserved = 0;
    }
    qtest_memwrite(qts, tbuf, tbl, sizeof(tbl));
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     &t, sizeof(t), tbuf, sizeof(tbl)), ==, 0);
    qtest_memset(qts, tbuf, 0, sizeof(tbl));
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     0, tbuf, sizeof(tbl), NULL, 0), ==, 0);
    qtest_memread(qts, tbuf, tbl_back, sizeof(tbl_back));
    g_assert_cmpmem(tbl_back, sizeof(tbl_back), tbl, sizeof(tbl));
    t.size = cpu_to_le16(8);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     &t, sizeof(t), tbuf, sizeof(tbl)), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);

    /* hash input: GET supported+selected, SET Linux's defaults */
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_HASH_INPUT, 0, hbuf,
                                     sizeof(hc), NULL, 0), ==, 0);
    qtest_memread(qts, hbuf, &hc, sizeof(hc));
    g_assert_cmphex(le16_to_cpu(hc.supported_fields[ENA_ADMIN_RSS_TCP4].fields),
                    ==, 0x3c);
    g_assert_cmphex(le16_to_cpu(hc.supported_fields[ENA_ADMIN_RSS_NOT_IP]
                                .fields), ==, 0x03);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_INPUT, &hin,
                                     sizeof(hin), hbuf, sizeof(hc)), ==, 0);
    /* a field the device does not hash on is refused */
    hc.selected_fields[ENA_ADMIN_RSS_IP4].fields = cpu_to_le16(0x3c);
    qtest_memwrite(qts, hbuf, &hc, sizeof(hc));
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_INPUT, &hin,
                                     sizeof(hin), hbuf, sizeof(hc)), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    /* a required buffer that is missing */
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_INPUT, &hin,
                                     sizeof(hin), 0, 0), ==,
                    ENA_ADMIN_MALFORMED_REQUEST);
}

/* Control buffers are flat at bytes 4-15 even when flags say nothing. */
static void test_ena_features_flat_ctrl_buf(void *obj, void *data,
                                            QGuestAllocator *alloc)
{
    QEna *d = obj;
    uint64_t buf = qena_alloc_zeroed(d, 512);
    EnaAdminGetStatsCmd c = {
        .aq_common.opcode = ENA_ADMIN_GET_STATS,
        .type = ENA_ADMIN_GET_STATS_TYPE_CUSTOMER_METRICS,
        .requested_metrics = cpu_to_le64(0x3f),
    };
    EnaAdminAqEntry e = { 0 };
    EnaAdminAcqEntry r;

    admin_up(d, true);
    c.ctrl.length = cpu_to_le32(512);
    qena_addr48(&c.ctrl.address, buf);
    qtest_memset(qts_of(d), buf, 0xff, 512);
    /* the command is 32 bytes; the AQ entry written is 64 (ASan) */
    memcpy(&e, &c, sizeof(c));
    g_assert_cmpint(qena_admin_exec(d, &e, &r), ==, 0);
    /* six zero counters written, the rest untouched */
    g_assert_cmphex(qtest_readq(qts_of(d), buf), ==, 0);
    g_assert_cmphex(qtest_readq(qts_of(d), buf + 40), ==, 0);
    g_assert_cmphex(qtest_readq(qts_of(d), buf + 48), ==, UINT64_MAX);
}

static void test_ena_host_info(void *obj, void *data,
                               QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    uint64_t page = qena_alloc_zeroed(d, 4096);
    EnaAdminHostInfo hi = {
        .os_type = cpu_to_le32(ENA_ADMIN_OS_LINUX),
        .driver_version = cpu_to_le32(0x4B000102),
        .ena_spec_version = cpu_to_le16(0x0200),
    };
    EnaAdminHostAttrFeature h = { 0 };

    admin_up(d, true);
    strcpy((char *)hi.os_dist_str, "6.12.95+deb12-amd64");
    qtest_memwrite(qts, page, &hi, sizeof(hi));
    qena_addr48(&h.os_info_ba, page);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_HOST_ATTR_CONFIG, &h,
                                     sizeof(h), 0, 0), ==, 0);
    g_assert_cmpint(qena_qom_get_uint(qts, "ena0", "guest-os-type"), ==,
                    ENA_ADMIN_OS_LINUX);
    g_assert_cmphex(qena_qom_get_uint(qts, "ena0", "guest-driver-version"),
                    ==, 0x4B000102);
}

/* ---- statistics ----------------------------------------------------- */

static void test_ena_stats(void *obj, void *data, QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminAcqEntry r;
    uint64_t buf = qena_alloc_zeroed(d, 1024);
    char text[64];

    admin_up(d, true);
    g_assert_cmpint(qena_get_stats(d, ENA_ADMIN_GET_STATS_TYPE_BASIC, 0, 0,
                                   0, &r), ==, 0);
    g_assert_cmphex(r.data[0], ==, 0);      /* tx_bytes_low */
    g_assert_cmpint(qena_get_stats(d, ENA_ADMIN_GET_STATS_TYPE_ENI, 0, 0, 0,
                                   &r), ==, 0);
    g_assert_cmpint(qena_get_stats(d, ENA_ADMIN_GET_STATS_TYPE_ENA_SRD, 0, 0,
                                   0, &r), ==, 0);
    /* customer metrics, query form: the supported bitmap at byte 8 */
    g_assert_cmpint(qena_get_stats(d,
                                   ENA_ADMIN_GET_STATS_TYPE_CUSTOMER_METRICS,
                                   0, 0, 0x3f, &r), ==, 0);
    g_assert_cmphex(r.data[0], ==, 0x3f);
    /* extended: text into the buffer, NUL-terminated */
    g_assert_cmpint(qena_get_stats(d, ENA_ADMIN_GET_STATS_TYPE_EXTENDED, buf,
                                   1024, 0, &r), ==, 0);
    qtest_memread(qts_of(d), buf, text, sizeof(text));
    g_assert_true(g_str_has_prefix(text, "tx_bytes 0\n"));
    g_assert_cmpint(qena_get_stats(d, ENA_ADMIN_GET_STATS_TYPE_EXTENDED, 0, 0,
                                   0, &r), ==, ENA_ADMIN_MALFORMED_REQUEST);
    g_assert_cmpint(qena_get_stats(d, 9, 0, 0, 0, &r), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
}

/* ---- AENQ ----------------------------------------------------------- */

static void test_ena_aenq_link(void *obj, void *data, QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminAenqEntry e;

    admin_up(d, false);
    qena_msix_route(d, 0);
    aenq_enable(d, 0x1f & ~BIT(ENA_ADMIN_KEEP_ALIVE));
    qena_msix_take(d, 0);       /* the SET's own completion */
    /* nothing may be posted before the driver frees the entries */
    g_assert_false(qena_aenq_take(d, &e));
    qena_aenq_ack(d);
    g_assert_true(qena_aenq_take(d, &e));
    g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                    ENA_ADMIN_LINK_CHANGE);
    g_assert_cmphex(le32_to_cpu(e.inline_data_w4[0]) & 1, ==, 1);
    g_assert_true(qena_msix_take(d, 0));
    qena_aenq_ack(d);

    qtest_qmp_assert_success(qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'ena0', 'up': false}}");
    g_assert_true(qena_aenq_take(d, &e));
    g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                    ENA_ADMIN_LINK_CHANGE);
    g_assert_cmphex(le32_to_cpu(e.inline_data_w4[0]) & 1, ==, 0);
    qena_aenq_ack(d);
    qtest_qmp_assert_success(qts, "{'execute': 'set_link', 'arguments': "
                             "{'name': 'ena0', 'up': true}}");
    g_assert_true(qena_aenq_take(d, &e));
    g_assert_cmphex(le32_to_cpu(e.inline_data_w4[0]) & 1, ==, 1);
}

/* One KEEP_ALIVE every keepalive-ms of virtual time, and not before. */
static void test_ena_aenq_keepalive_cadence(void *obj, void *data,
                                            QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    int period = GPOINTER_TO_INT(data);
    EnaAdminAenqEntry e;

    admin_up(d, true);
    aenq_enable(d, BIT(ENA_ADMIN_KEEP_ALIVE));
    qena_aenq_ack(d);
    for (int i = 0; i < 5; i++) {
        qtest_clock_step(qts, (int64_t)period * MS - 1);
        g_assert_false(qena_aenq_take(d, &e));
        qtest_clock_step(qts, 1);
        g_assert_true(qena_aenq_take(d, &e));
        g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                        ENA_ADMIN_KEEP_ALIVE);
        qena_aenq_ack(d);
    }
    g_assert_cmpint(qena_qom_get_uint(qts, "ena0", "keepalives-sent"), ==, 5);
}

/*
 * An AENQ the driver does not consume fills after 16 events; the device
 * then drops keep-alives, and resumes, with the phase flipped, once the
 * driver acknowledges.
 */
static void test_ena_aenq_wrap(void *obj, void *data, QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminAenqEntry e;
    int seen = 0;

    admin_up(d, true);
    aenq_enable(d, BIT(ENA_ADMIN_KEEP_ALIVE));
    qena_aenq_ack(d);
    qtest_clock_step(qts, 20 * 1000 * (int64_t)MS);
    g_assert_cmpint(qena_qom_get_uint(qts, "ena0", "keepalives-sent"), ==,
                    QENA_AENQ_DEPTH);
    while (qena_aenq_take(d, &e)) {
        seen++;
    }
    g_assert_cmpint(seen, ==, QENA_AENQ_DEPTH);
    qena_aenq_ack(d);
    /* second pass: phase 0 entries */
    for (int i = 0; i < 20; i++) {
        qtest_clock_step(qts, 1000 * (int64_t)MS);
        g_assert_true(qena_aenq_take(d, &e));
        g_assert_cmpint(e.aenq_common.flags & 1, ==,
                        !((d->aenq_head - 1) / QENA_AENQ_DEPTH & 1));
        qena_aenq_ack(d);
    }
}

/* ---- bad input ------------------------------------------------------ */

static void test_ena_bad_commands(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    EnaAdminCreateCqResp cqr;
    uint64_t ring = qena_alloc_zeroed(d, 4096 * 16);

    admin_up(d, true);
    for (int op = 0; op < 16; op++) {
        if (op == 1 || op == 2 || op == 3 || op == 4 || op == 8 || op == 9 ||
            op == 11) {
            continue;
        }
        memset(&c, 0, sizeof(c));
        c.aq_common.opcode = op;
        g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, ENA_ADMIN_BAD_OPCODE);
    }
    /* depth not a power of two, too large, too small */
    g_assert_cmpint(qena_create_cq(d, 100, 1, 2, ring, NULL), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    g_assert_cmpint(qena_create_cq(d, 16384, 1, 2, ring, NULL), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    g_assert_cmpint(qena_create_cq(d, 0, 1, 2, ring, NULL), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    /* MSI-X vector beyond the table, entry size 3 words */
    g_assert_cmpint(qena_create_cq(d, 256, 9, 2, ring, NULL), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    g_assert_cmpint(qena_create_cq(d, 256, 1, 3, ring, NULL), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    /* ring address beyond the DMA width */
    g_assert_cmpint(qena_create_cq(d, 256, 1, 2, 1ull << 48, NULL), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    /* SQ on a CQ that does not exist, then a valid pair */
    g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_TX, 7, 256, ring,
                              NULL), ==, ENA_ADMIN_ILLEGAL_PARAMETER);
    g_assert_cmpint(qena_create_cq(d, 256, 1, 2, ring, &cqr), ==, 0);
    g_assert_cmpint(qena_create_sq(d, 3, le16_to_cpu(cqr.cq_idx), 256,
                              ring + 4096, NULL), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_TX,
                              le16_to_cpu(cqr.cq_idx), 256, ring + 4096,
                              NULL), ==, 0);
    /* the CQ is in use: busy; bad queue index on destroy */
    memset(&c, 0, sizeof(c));
    c.aq_common.opcode = ENA_ADMIN_DESTROY_CQ;
    ((EnaAdminDestroyCqCmd *)&c)->cq_idx = cqr.cq_idx;
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==, ENA_ADMIN_RESOURCE_BUSY);
    memset(&c, 0, sizeof(c));
    c.aq_common.opcode = ENA_ADMIN_DESTROY_SQ;
    ((EnaAdminDestroySqCmd *)&c)->sq_idx = cpu_to_le16(60);
    ((EnaAdminDestroySqCmd *)&c)->sq_identity = 1 << 5;
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    memset(&c, 0, sizeof(c));
    c.aq_common.opcode = ENA_ADMIN_DESTROY_CQ;
    ((EnaAdminDestroyCqCmd *)&c)->cq_idx = cpu_to_le16(0xffff);
    g_assert_cmpint(qena_admin_exec(d, &c, &r), ==,
                    ENA_ADMIN_ILLEGAL_PARAMETER);
    /* a control buffer outside guest RAM */
    {
        EnaAdminRssHashFunctionFeature hf = {
            .selected_func = cpu_to_le32(BIT(ENA_ADMIN_RSS_TOEPLITZ)),
        };
        g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_FUNCTION, &hf,
                                         sizeof(hf), 0xfff000000000ull, 48),
                        ==, ENA_ADMIN_MALFORMED_REQUEST);
    }
    /* the device is still healthy */
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    (ENA_REGS_DEV_STS_READY_MASK |
                     ENA_REGS_DEV_STS_FATAL_ERROR_MASK), ==,
                    ENA_REGS_DEV_STS_READY_MASK);
}

/* Too many IO queues: resource allocation failure, as Linux backs off on. */
static void test_ena_too_many_queues(void *obj, void *data,
                                     QGuestAllocator *alloc)
{
    QEna *d = obj;
    EnaAdminCreateCqResp cqr;
    uint64_t ring = qena_alloc_zeroed(d, 4096);

    admin_up(d, true);
    for (int i = 0; i <= TEST_QUEUES; i++) {
        g_assert_cmpint(qena_create_cq(d, 256, 1, 2, ring, &cqr), ==, 0);
        g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_TX,
                                  le16_to_cpu(cqr.cq_idx), 256, ring, NULL),
                        ==, i < TEST_QUEUES ? ENA_ADMIN_SUCCESS :
                        ENA_ADMIN_RESOURCE_ALLOCATION_FAILURE);
    }
}

/* A ring outside guest RAM latches FATAL_ERROR; QEMU keeps running. */
static void test_ena_bad_ring_address(void *obj, void *data,
                                      QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);

    admin_up(d, true);
    qena_writel(d, ENA_REGS_AQ_BASE_LO_OFF, 0);
    qena_writel(d, ENA_REGS_AQ_BASE_HI_OFF, 0xfff0);
    qena_writel(d, ENA_REGS_AQ_DB_OFF, 1);
    qtest_clock_step(qts, MS);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, !=, 0);
    /* a reset clears it and the admin queue works again */
    admin_up(d, true);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, ==, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, 0, 0,
                                     NULL, 0), ==, 0);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
}

/* A doorbell that jumps past the ring is refused with FATAL_ERROR. */
static void test_ena_bad_doorbells(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminCreateCqResp cqr;
    EnaAdminCreateSqResp sqr;
    uint64_t ring = qena_alloc_zeroed(d, 8192);

    admin_up(d, true);
    g_assert_cmpint(qena_create_cq(d, 256, 1, 4, ring, &cqr), ==, 0);
    g_assert_cmpint(qena_create_sq(d, ENA_ADMIN_SQ_DIRECTION_RX,
                              le16_to_cpu(cqr.cq_idx), 256, ring + 4096, &sqr),
                    ==, 0);
    /* IO doorbell past the ring: ignored (guest error) */
    qena_writel(d, le32_to_cpu(sqr.sq_doorbell_offset), 300);
    /* AENQ head beyond what was produced: ignored */
    qena_writel(d, ENA_REGS_AENQ_HEAD_DB_OFF, 1000);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, ==, 0);
    /* admin doorbell past the ring: fatal */
    qena_writel(d, ENA_REGS_AQ_DB_OFF, 100);
    qtest_clock_step(qts, MS);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, !=, 0);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
}

/*
 * Regression: re-programming the ACQ to depth 0 while a completion was
 * still to be posted divided by zero in the device. A delayed completion
 * (fault-admin) makes the window deterministic.
 */
static void test_ena_bad_reprogram(void *obj, void *data,
                                   QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    EnaAdminGetSetFeatureCmd c = {
        .aq_common.opcode = ENA_ADMIN_GET_FEATURE,
        .aq_common.flags = 1,
        .feature_id = ENA_ADMIN_DEVICE_ATTRIBUTES,
    };

    admin_up(d, true);
    qtest_qmp_assert_success(qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': '/machine/peripheral/ena0', "
                             "'property': 'fault-admin', "
                             "'value': 'delay:delay=1ms'}}");
    qtest_memwrite(qts, d->aq, &c, sizeof(c));
    qena_writel(d, ENA_REGS_AQ_DB_OFF, 1);
    qtest_clock_step(qts, 100 * 1000);
    qena_writel(d, ENA_REGS_ACQ_CAPS_OFF, 0);
    qtest_clock_step(qts, 2 * MS);
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF) &
                    ENA_REGS_DEV_STS_FATAL_ERROR_MASK, !=, 0);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
}

/* ---- the Linux probe sequence (docs/interface.md §8.1, §8.2) ---------- */

static void test_ena_linux_probe(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    QEna *d = obj;
    QTestState *qts = qts_of(d);
    uint32_t val, supported;
    EnaAdminDeviceAttrFeature attr;
    EnaAdminMaxQueuesExtFeature qx;
    EnaAdminAenqConfigFeature ac;
    EnaAdminRssHashKey key = { 0 };
    EnaAdminRssHashFunctionFeature hf;
    EnaAdminRssHashInputFeature hin = { .enabled_input_sort = cpu_to_le16(6) };
    EnaAdminRssIndTableFeature t;
    EnaAdminHostAttrFeature host = { 0 };
    EnaAdminMtuFeature mtu = { .mtu = cpu_to_le32(1500) };
    uint64_t kbuf = qena_alloc_zeroed(d, sizeof(key));
    uint64_t hbuf = qena_alloc_zeroed(d, 256);
    uint64_t tbuf = qena_alloc_zeroed(d, 512);
    uint64_t hpage = qena_alloc_zeroed(d, 4096);
    uint16_t sq_idx[TEST_QUEUES], doorbells[2 * TEST_QUEUES];
    int n = 0;

    /* 2-6: readless, reset, versions, DMA width */
    qena_readless_init(d);
    g_assert_true(qena_readless_read(d, ENA_REGS_DEV_STS_OFF, &val, MS));
    g_assert_cmphex(val & ENA_REGS_DEV_STS_READY_MASK, !=, 0);
    g_assert_true(qena_readless_read(d, ENA_REGS_CAPS_OFF, &val, MS));
    g_assert_cmpint((val & ENA_REGS_CAPS_RESET_TIMEOUT_MASK) >>
                    ENA_REGS_CAPS_RESET_TIMEOUT_SHIFT, >, 0);
    g_assert_cmpint(qena_reset(d, ENA_REGS_RESET_NORMAL,
                               3000 * (int64_t)MS), >=, 0);
    g_assert_true(qena_readless_read(d, ENA_REGS_CONTROLLER_VERSION_OFF, &val,
                                     MS));
    g_assert_cmphex(val & 0xffffff, >=, 1);
    g_assert_true(qena_readless_read(d, ENA_REGS_CAPS_OFF, &val, MS));
    val = (val & ENA_REGS_CAPS_DMA_ADDR_WIDTH_MASK) >>
          ENA_REGS_CAPS_DMA_ADDR_WIDTH_SHIFT;
    g_assert_cmpint(val, >=, 32);
    g_assert_cmpint(val, <=, 48);
    /* 7-8: admin init in polling mode */
    g_assert_true(qena_readless_read(d, ENA_REGS_DEV_STS_OFF, &val, MS));
    g_assert_cmphex(val & ENA_REGS_DEV_STS_READY_MASK, !=, 0);
    qena_admin_init(d, true);
    /* 9: host info */
    qena_addr48(&host.os_info_ba, hpage);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_HOST_ATTR_CONFIG, &host,
                                     sizeof(host), 0, 0), ==, 0);
    /* 10: attributes */
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, 0, 0,
                                     &attr, sizeof(attr)), ==, 0);
    supported = le32_to_cpu(attr.supported_features);
    g_assert_true(supported & BIT(ENA_ADMIN_MAX_QUEUES_EXT));
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_MAX_QUEUES_EXT, 1, 0, 0,
                                     &qx, sizeof(qx)), ==, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_AENQ_CONFIG, 0, 0, 0, &ac,
                                     sizeof(ac)), ==, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_STATELESS_OFFLOAD_CONFIG, 0,
                                     0, 0, NULL, 0), ==, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_HW_HINTS, 0, 0, 0, NULL, 0),
                    ==, 0);
    /* 6.12 asks for customer metrics when capability bit 2 is set */
    g_assert_true(le32_to_cpu(attr.capabilities) &
                  BIT(ENA_ADMIN_CUSTOMER_METRICS));
    /* 11: AENQ config, the driver's 0x1F ANDed with what is supported */
    aenq_enable(d, 0x1f & le32_to_cpu(ac.supported_groups));
    /* 14: interrupt moderation */
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_INTERRUPT_MODERATION, 0, 0,
                                     0, NULL, 0), ==, 0);
    /* 15-16: MSI-X, interrupt mode, AENQ head */
    qena_msix_route(d, 0);
    qena_writel(d, ENA_REGS_INTR_MASK_OFF, 0);
    qena_aenq_ack(d);
    /* 17: RSS defaults */
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     0, 0, 0, &t, sizeof(t)), ==, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_HASH_FUNCTION, 0, kbuf,
                                     sizeof(key), &hf, sizeof(hf)), ==, 0);
    g_assert_true(le32_to_cpu(hf.supported_func) &
                  BIT(ENA_ADMIN_RSS_TOEPLITZ));
    hf.selected_func = cpu_to_le32(BIT(ENA_ADMIN_RSS_TOEPLITZ));
    hf.init_val = cpu_to_le32(0xffffffff);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_FUNCTION, &hf,
                                     sizeof(hf), kbuf, sizeof(key)), ==, 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_RSS_HASH_INPUT, 0, hbuf, 256,
                                     NULL, 0), ==, 0);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_HASH_INPUT, &hin,
                                     sizeof(hin), hbuf, 256), ==, 0);
    /* the link-up event is waiting */
    {
        EnaAdminAenqEntry e;
        g_assert_true(qena_aenq_take(d, &e));
        g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                        ENA_ADMIN_LINK_CHANGE);
    }
    /* §8.2 ifup: TX pairs, then RX pairs, each CQ then SQ */
    for (int dir = ENA_ADMIN_SQ_DIRECTION_TX;
         dir <= ENA_ADMIN_SQ_DIRECTION_RX; dir++) {
        for (int i = 0; i < TEST_QUEUES; i++) {
            EnaAdminCreateCqResp cqr;
            EnaAdminCreateSqResp sqr;
            uint16_t depth = 1024;
            uint8_t words = dir == ENA_ADMIN_SQ_DIRECTION_TX ? 2 : 4;
            uint32_t unmask, db;

            g_assert_cmpint(qena_create_cq(d, depth, 1 + i, words,
                                      qena_alloc_zeroed(d, depth * words * 4),
                                      &cqr), ==, 0);
            unmask = le32_to_cpu(cqr.cq_interrupt_unmask_register_offset);
            g_assert_cmphex(unmask, >=, 0x6c);
            g_assert_cmphex(unmask, <, 0x4000);
            g_assert_cmphex(le32_to_cpu(cqr.cq_head_db_register_offset), ==, 0);
            g_assert_cmpint(qena_create_sq(d, dir, le16_to_cpu(cqr.cq_idx), depth,
                                      qena_alloc_zeroed(d, depth * 16), &sqr),
                            ==, 0);
            db = le32_to_cpu(sqr.sq_doorbell_offset);
            g_assert_cmphex(db, >=, 0x6c);
            g_assert_cmphex(db, <, 0x4000);
            for (int k = 0; k < n; k++) {
                g_assert_cmphex(doorbells[k], !=, db);
            }
            doorbells[n++] = db;
            if (dir == ENA_ADMIN_SQ_DIRECTION_RX) {
                sq_idx[i] = le16_to_cpu(sqr.sq_idx);
            }
            if (cqr.numa_node_register_offset) {
                qena_writel(d, le32_to_cpu(cqr.numa_node_register_offset),
                            0x80000000);
            }
        }
    }
    /* RSS table with RX sq_idx values, MTU, like ena_up() */
    for (int i = 0; i < 128; i++) {
        qtest_writel(qts, tbuf + 4 * i, sq_idx[i % TEST_QUEUES]);
    }
    t.size = cpu_to_le16(7);
    t.inline_index = cpu_to_le32(0xffffffff);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_RSS_INDIRECTION_TABLE_CONFIG,
                                     &t, sizeof(t), tbuf, 512), ==, 0);
    g_assert_cmpint(qena_set_feature(d, ENA_ADMIN_MTU, &mtu, sizeof(mtu), 0,
                                     0), ==, 0);
    g_assert_true(qena_msix_take(d, 0));
    g_assert_cmphex(qena_readl(d, ENA_REGS_DEV_STS_OFF), ==,
                    ENA_REGS_DEV_STS_READY_MASK |
                    ENA_REGS_DEV_STS_RESET_FINISHED_MASK);
    /* Linux's order breaks none of strict mode's rules (when it is on) */
    g_assert_cmpuint(qena_qom_get_uint(qts, "ena0", "strict-violations"), ==,
                     0);
}

/*
 * llq=off: host placement only, as drivers see on instances without LLQ;
 * llq-mem-bar=off: LLQ advertised without BAR2, a profile drivers must
 * survive by falling back to host placement.
 */
static void test_ena_llq_profiles(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    QEna *d = obj;
    bool offered = GPOINTER_TO_INT(data);
    EnaAdminDeviceAttrFeature a;
    EnaAdminLlqFeature l;

    admin_up(d, true);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_DEVICE_ATTRIBUTES, 0, 0, 0,
                                     &a, sizeof(a)), ==, ENA_ADMIN_SUCCESS);
    g_assert_cmphex(le32_to_cpu(a.supported_features) & BIT(ENA_ADMIN_LLQ),
                    ==, offered ? BIT(ENA_ADMIN_LLQ) : 0);
    g_assert_cmpint(qena_get_feature(d, ENA_ADMIN_LLQ, 0, 0, 0, &l,
                                     sizeof(l)), ==,
                    offered ? ENA_ADMIN_SUCCESS :
                    ENA_ADMIN_UNSUPPORTED_OPCODE);
    /* either way there is no BAR2 */
    qpci_config_writel(&d->dev, PCI_BASE_ADDRESS_2, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(&d->dev, PCI_BASE_ADDRESS_2), ==, 0);
}

static void register_ena_admin_test(void)
{
    QOSGraphTestOptions opts = {
        .before = qena_test_before,
        .edge.extra_device_opts = "id=ena0,mac=" TEST_MAC ",queues=4,"
                                  "hint-keepalive-timeout-ms=1500",
    };

    qos_add_test("admin/polling", "ena", test_ena_admin_polling, &opts);
    qos_add_test("admin/interrupt", "ena", test_ena_admin_interrupt, &opts);
    qos_add_test("admin/wrap", "ena", test_ena_admin_wrap, &opts);
    qos_add_test("admin/batch", "ena", test_ena_admin_batch, &opts);
    qos_add_test("admin/stale-bytes", "ena", test_ena_admin_stale_bytes,
                 &opts);
    qos_add_test("features/get", "ena", test_ena_features_get, &opts);
    qos_add_test("features/unsupported", "ena",
                 test_ena_features_unsupported, &opts);
    qos_add_test("features/set", "ena", test_ena_features_set, &opts);
    qos_add_test("features/flat-ctrl-buf", "ena",
                 test_ena_features_flat_ctrl_buf, &opts);
    qos_add_test("features/host-info", "ena", test_ena_host_info, &opts);
    qos_add_test("stats", "ena", test_ena_stats, &opts);
    qos_add_test("aenq/link", "ena", test_ena_aenq_link, &opts);
    opts.arg = GINT_TO_POINTER(1000);
    qos_add_test("aenq/keepalive-cadence", "ena",
                 test_ena_aenq_keepalive_cadence, &opts);
    qos_add_test("aenq/wrap", "ena", test_ena_aenq_wrap, &opts);
    opts.arg = NULL;
    qos_add_test("bad/commands", "ena", test_ena_bad_commands, &opts);
    qos_add_test("bad/too-many-queues", "ena", test_ena_too_many_queues,
                 &opts);
    qos_add_test("bad/ring-address", "ena", test_ena_bad_ring_address, &opts);
    qos_add_test("bad/doorbells", "ena", test_ena_bad_doorbells, &opts);
    qos_add_test("bad/reprogram", "ena", test_ena_bad_reprogram, &opts);
    /* strict=on: Linux's order breaks none of strict mode's rules */
    opts.edge.extra_device_opts = "id=ena0,mac=" TEST_MAC ",queues=4,"
                                  "hint-keepalive-timeout-ms=1500,strict=on";
    qos_add_test("probe/linux-sequence", "ena", test_ena_linux_probe, &opts);

    opts.edge.extra_device_opts = "id=ena0,keepalive-ms=250";
    opts.arg = GINT_TO_POINTER(250);
    qos_add_test("aenq/keepalive-cadence-250", "ena",
                 test_ena_aenq_keepalive_cadence, &opts);

    opts.edge.extra_device_opts = "id=ena0,llq=off";
    opts.arg = GINT_TO_POINTER(false);
    qos_add_test("features/llq-off", "ena", test_ena_llq_profiles, &opts);
    opts.edge.extra_device_opts = "id=ena0,llq-mem-bar=off";
    opts.arg = GINT_TO_POINTER(true);
    qos_add_test("features/llq-no-mem-bar", "ena", test_ena_llq_profiles,
                 &opts);
}

libqos_init(register_ena_admin_test);
