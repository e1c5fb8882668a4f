/*
 * QTest testcases for ena migration: the device is saved in one QEMU and
 * loaded into another (a unix socket, or a file and back) in every state
 * a driver can leave it in, and the driver-visible behaviour goes on as
 * if nothing had happened: admin completions held by a "delay" rule, TX
 * descriptors written and not yet rung, a TX queue stalled by a rule with
 * an end, RX buffers posted, frames held for want of buffers, LLQ entries
 * in BAR2, a moderated interrupt on its way, a keep-alive rule that starts
 * later. Rules keep their text (qom-get) and act at the same virtual time.
 * Also: a snapshot loaded back into the live device, and streams whose
 * rule text does not match the rule, which the destination refuses.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/bitops.h"
#include <sys/socket.h>
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#include "libqos/ena.h"

#define US          (1000LL)
#define MS          (1000 * 1000LL)
#define RAM_MB      256
#define DEPTH       64
#define ETH_P_RARP  0x8035

typedef enum MigVia {
    MIG_SOCKET,                 /* source and destination side by side */
    MIG_FILE,                   /* saved to a file, then loaded from it */
} MigVia;

typedef struct MigTest {
    QOSState *qs;               /* the QEMU the device runs in now */
    QTestState *qts;
    QEna d;
    int sock[2];                /* its socket back end: [0] ours */
    const char *dev_opts;       /* the same on both sides */
    char *dir;
} MigTest;

typedef struct Queue {
    uint16_t sq_idx, cq_idx;
    uint32_t db, unmask;
    uint64_t sq, cq;
    uint16_t tail, head;
    uint8_t cq_entry;
    uint32_t llq_off;
} Queue;

static uint64_t zalloc(MigTest *t, size_t size)
{
    uint64_t a = guest_alloc(&t->qs->alloc, size);

    qtest_memset(t->qts, a, 0, size);
    return a;
}

static QOSState *boot(MigTest *t, const char *incoming)
{
    g_assert_cmpint(socketpair(PF_UNIX, SOCK_STREAM, 0, t->sock), ==, 0);
    /* the instant model unless a test asks for timing */
    return qtest_pc_boot("-M q35 -m %d -nodefaults "
                         "-netdev socket,fd=%d,id=n0 "
                         "-device ena,netdev=n0,id=ena0,addr=04.0,"
                         "queues=2,%s %s", RAM_MB, t->sock[1],
                         t->dev_opts ? t->dev_opts : "timing=off",
                         incoming ? incoming : "");
}

/* The virtual time; qtest has no plain read of it, a 1 ns step tells it. */
static int64_t clock_now(QTestState *qts)
{
    return qtest_clock_step(qts, 1);
}

static void set_groups(MigTest *t, uint32_t groups)
{
    EnaAdminAenqConfigFeature a = { .enabled_groups = cpu_to_le32(groups) };

    g_assert_cmpint(qena_set_feature(&t->d, ENA_ADMIN_AENQ_CONFIG, &a,
                                     sizeof(a), 0, 0), ==, 0);
}

static void mig_start(MigTest *t, const char *dev_opts)
{
    QPCIAddress addr = {
        .devfn = QPCI_DEVFN(4, 0),
        .vendor_id = PCI_VENDOR_ID_AMAZON,
    };

    memset(t, 0, sizeof(*t));
    t->dev_opts = dev_opts;
    t->dir = g_dir_make_tmp("ena-migration-XXXXXX", NULL);
    g_assert(t->dir);
    t->qs = boot(t, NULL);
    t->qts = t->qs->qts;
    qena_init(&t->d, t->qs->pcibus, &addr, &t->qs->alloc);
    qpci_device_enable(&t->d.dev);
    qpci_msix_enable(&t->d.dev);
    qena_readless_init(&t->d);
    g_assert_cmpint(qena_reset(&t->d, ENA_REGS_RESET_NORMAL, 100 * MS), >=,
                    0);
    qena_admin_init(&t->d, true);
    qena_aenq_ack(&t->d);
}

static void mig_stop(MigTest *t)
{
    g_autofree char *path = g_build_filename(t->dir, "state", NULL);

    qpci_msix_disable(&t->d.dev);
    qpci_iounmap(&t->d.dev, t->d.bar);
    qtest_shutdown(t->qs);
    close(t->sock[0]);
    close(t->sock[1]);
    unlink(path);
    g_free(t->dir);
}

static const char *mig_status(QTestState *qts)
{
    static char st[32];
    QDict *rsp = qtest_qmp(qts, "{'execute': 'query-migrate'}");
    QDict *ret = qdict_get_qdict(rsp, "return");

    g_strlcpy(st, qdict_haskey(ret, "status") ?
              qdict_get_str(ret, "status") : "none", sizeof(st));
    qobject_unref(rsp);
    return st;
}

static bool mig_done(QTestState *qts)
{
    const char *st = mig_status(qts);

    if (!strcmp(st, "failed") || !strcmp(st, "cancelled")) {
        g_error("migration %s", st);
    }
    return !strcmp(st, "completed");
}

/*
 * Move the device to a new QEMU: same machine, RAM and device options,
 * its own socket back end, the virtual clock where the source left it
 * (qtest's clock is not part of the stream), then the state through
 * @via. The source is gone afterwards.
 */
static void mig_move(MigTest *t, MigVia via)
{
    g_autofree char *path = g_build_filename(t->dir, "state", NULL);
    g_autofree char *uri = g_strdup_printf("%s:%s", via == MIG_FILE ?
                                           "file" : "unix", path);
    int64_t now = clock_now(t->qts);
    QOSState *src = t->qs, *dst;
    int src_sock[2] = { t->sock[0], t->sock[1] };

    dst = boot(t, "-incoming defer");
    g_assert_cmpint(qtest_clock_set(dst->qts, now), ==, now);

    if (via == MIG_SOCKET) {
        qtest_qmp_assert_success(dst->qts, "{'execute': 'migrate-incoming',"
                                 " 'arguments': {'uri': %s}}", uri);
    }
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    qtest_qmp_eventwait(src->qts, "STOP");
    while (!mig_done(src->qts)) {
        g_usleep(5000);
    }
    if (via == MIG_FILE) {
        qtest_qmp_assert_success(dst->qts, "{'execute': 'migrate-incoming',"
                                 " 'arguments': {'uri': %s}}", uri);
    }
    qtest_qmp_eventwait(dst->qts, "RESUME");
    g_assert_true(mig_done(dst->qts));
    migrate_allocator(&src->alloc, &dst->alloc);

    qtest_shutdown(src);
    close(src_sock[0]);
    close(src_sock[1]);
    t->qs = dst;
    t->qts = dst->qts;
    t->d.dev.bus = dst->pcibus;
    t->d.alloc = &dst->alloc;
}

static void fault_set(MigTest *t, const char *point, const char *spec)
{
    g_autofree char *prop = g_strdup_printf("fault-%s", point);

    qtest_qmp_assert_success(t->qts, "{'execute': 'qom-set', 'arguments':"
                             " {'path': '/machine/peripheral/ena0', "
                             "'property': %s, 'value': %s}}", prop, spec);
}

static char *fault_get(MigTest *t, const char *point)
{
    g_autofree char *prop = g_strdup_printf("fault-%s", point);
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/ena0', "
                           "'property': %s}}", prop);
    char *spec;

    g_assert(qdict_haskey(rsp, "return"));
    spec = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return spec;
}

static uint64_t qom_uint(MigTest *t, const char *prop)
{
    return qena_qom_get_uint(t->qts, "ena0", prop);
}

/* ---- IO queues ------------------------------------------------------ */

static uint32_t phase_of(uint16_t ctr)
{
    return !((ctr / DEPTH) & 1);
}

static void queue_pair(MigTest *t, Queue *q, uint8_t dir, uint8_t placement)
{
    EnaAdminAqEntry c = { 0 };
    EnaAdminAcqEntry r;
    EnaAdminCreateCqCmd *cq = (EnaAdminCreateCqCmd *)&c;
    EnaAdminCreateSqCmd *sq = (EnaAdminCreateSqCmd *)&c;
    EnaAdminCreateCqResp *cqr = (EnaAdminCreateCqResp *)&r;
    EnaAdminCreateSqResp *sqr = (EnaAdminCreateSqResp *)&r;

    memset(q, 0, sizeof(*q));
    q->cq_entry = dir == ENA_ADMIN_SQ_DIRECTION_TX ? 8 : 16;
    q->cq = zalloc(t, DEPTH * q->cq_entry);
    q->sq = zalloc(t, DEPTH * 16);
    cq->aq_common.opcode = ENA_ADMIN_CREATE_CQ;
    cq->cq_caps_1 = ENA_ADMIN_AQ_CREATE_CQ_CMD_INTERRUPT_MODE_ENABLED_MASK;
    cq->cq_caps_2 = q->cq_entry / 4;
    cq->cq_depth = cpu_to_le16(DEPTH);
    cq->msix_vector = cpu_to_le32(1);
    qena_addr48(&cq->cq_ba, q->cq);
    g_assert_cmpint(qena_admin_exec(&t->d, &c, &r), ==, 0);
    q->cq_idx = le16_to_cpu(cqr->cq_idx);
    q->unmask = le32_to_cpu(cqr->cq_interrupt_unmask_register_offset);

    memset(&c, 0, sizeof(c));
    sq->aq_common.opcode = ENA_ADMIN_CREATE_SQ;
    sq->sq_identity = dir << ENA_ADMIN_SQ_DIRECTION_SHIFT;
    sq->sq_caps_2 = placement;
    sq->sq_caps_3 = ENA_ADMIN_SQ_IS_PHYSICALLY_CONTIGUOUS_MASK;
    sq->cq_idx = cpu_to_le16(q->cq_idx);
    sq->sq_depth = cpu_to_le16(DEPTH);
    if (placement == ENA_ADMIN_PLACEMENT_POLICY_HOST) {
        qena_addr48(&sq->sq_ba, q->sq);
    }
    g_assert_cmpint(qena_admin_exec(&t->d, &c, &r), ==, 0);
    q->sq_idx = le16_to_cpu(sqr->sq_idx);
    q->db = le32_to_cpu(sqr->sq_doorbell_offset);
    q->llq_off = le32_to_cpu(sqr->llq_descriptors_offset);
}

static void fill(uint8_t *f, size_t len, uint8_t seed)
{
    memcpy(f, "\x52\x54\x00\x00\x00\x02\x52\x54\x00\x12\x34\x56\x88\xb5",
           14);
    for (size_t i = 14; i < len; i++) {
        f[i] = seed + i * 7;
    }
}

/* A one-buffer frame (seed @seed) in the TX ring; the doorbell is apart. */
static void tx_post(MigTest *t, Queue *q, uint16_t req_id, uint8_t seed,
                    uint16_t len)
{
    EnaEthIoTxDesc d = { 0 };
    uint8_t f[1514];
    uint64_t buf = zalloc(t, len);

    fill(f, len, seed);
    qtest_memwrite(t->qts, buf, f, len);
    d.len_ctrl = cpu_to_le32(len | ENA_ETH_IO_TX_DESC_FIRST_MASK |
                             ENA_ETH_IO_TX_DESC_LAST_MASK |
                             ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
                             ((req_id >> 10) <<
                              ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) |
                             (phase_of(q->tail) <<
                              ENA_ETH_IO_TX_DESC_PHASE_SHIFT));
    d.meta_ctrl = cpu_to_le32((req_id & 0x3ff) <<
                              ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
    d.buff_addr_lo = cpu_to_le32((uint32_t)buf);
    d.buff_addr_hi_hdr_sz = cpu_to_le32(buf >> 32);
    qtest_memwrite(t->qts, q->sq + (q->tail & (DEPTH - 1)) * 16, &d,
                   sizeof(d));
    q->tail++;
}

static void ring(MigTest *t, Queue *q)
{
    qena_writel(&t->d, q->db, q->tail);
}

static bool tx_cmpl(MigTest *t, Queue *q, uint16_t *req_id)
{
    EnaEthIoTxCdesc cd;

    qtest_memread(t->qts, q->cq + (q->head & (DEPTH - 1)) * 8, &cd,
                  sizeof(cd));
    if ((cd.flags & ENA_ETH_IO_TX_CDESC_PHASE_MASK) != phase_of(q->head)) {
        return false;
    }
    q->head++;
    *req_id = le16_to_cpu(cd.req_id);
    return true;
}

static void tx_expect_cmpl(MigTest *t, Queue *q, uint16_t req_id)
{
    uint16_t id;

    g_assert_true(tx_cmpl(t, q, &id));
    g_assert_cmphex(id, ==, req_id);
}

/*
 * The next frame the device sent, or 0 if none is waiting. The RARP
 * frames QEMU announces the destination with (a timer on the host
 * clock) are not the device's: skipped.
 */
static size_t sock_take(MigTest *t, uint8_t *buf, size_t size)
{
    uint8_t f[2048];
    uint32_t len;
    ssize_t r;

    for (;;) {
        r = recv(t->sock[0], &len, sizeof(len), MSG_DONTWAIT);
        if (r < 0 && errno == EAGAIN) {
            return 0;
        }
        g_assert_cmpint(r, ==, sizeof(len));
        len = ntohl(len);
        g_assert_cmpint(len, <=, sizeof(f));
        g_assert_cmpint(recv(t->sock[0], f, len, MSG_WAITALL), ==, len);
        if (len < 14 || lduw_be_p(f + 12) != ETH_P_RARP) {
            break;
        }
    }
    g_assert_cmpint(len, <=, size);
    memcpy(buf, f, len);
    return len;
}

static void sock_expect(MigTest *t, uint8_t seed, uint16_t len)
{
    uint8_t want[1514], got[2048];

    fill(want, len, seed);
    g_assert_cmpint(sock_take(t, got, sizeof(got)), ==, len);
    g_assert_cmpmem(got, len, want, len);
}

static void sock_send(MigTest *t, uint8_t seed, size_t len)
{
    uint8_t f[1514];
    uint32_t l = htonl(len);

    fill(f, len, seed);
    g_assert_cmpint(send(t->sock[0], &l, sizeof(l), 0), ==, sizeof(l));
    g_assert_cmpint(send(t->sock[0], f, len, 0), ==, len);
}

static void rx_post(MigTest *t, Queue *q, uint64_t buf)
{
    EnaEthIoRxDesc d = { 0 };

    d.length = cpu_to_le16(2048);
    d.ctrl = ENA_ETH_IO_RX_DESC_FIRST_MASK | ENA_ETH_IO_RX_DESC_LAST_MASK |
             ENA_ETH_IO_RX_DESC_COMP_REQ_MASK | phase_of(q->tail);
    d.req_id = cpu_to_le16(0x100 + q->tail);
    d.buff_addr_lo = cpu_to_le32((uint32_t)buf);
    d.buff_addr_hi = cpu_to_le16(buf >> 32);
    qtest_memwrite(t->qts, q->sq + (q->tail & (DEPTH - 1)) * 16, &d,
                   sizeof(d));
    q->tail++;
}

/* Let QEMU's main loop deliver what the socket holds: a little time. */
static bool rx_cmpl(MigTest *t, Queue *q, EnaEthIoRxCdesc *cd)
{
    for (int i = 0; i < 100; i++) {
        qtest_memread(t->qts, q->cq + (q->head & (DEPTH - 1)) * 16, cd,
                      sizeof(*cd));
        if (!!(le32_to_cpu(cd->status) & ENA_ETH_IO_RX_CDESC_PHASE_MASK) ==
            phase_of(q->head)) {
            q->head++;
            return true;
        }
        qtest_clock_step(t->qts, 10 * US);
    }
    return false;
}

/* The frame of seed @seed landed in the buffer of ring slot @slot. */
static void rx_expect(MigTest *t, Queue *q, const uint64_t *bufs,
                      uint16_t slot, uint8_t seed, uint16_t len)
{
    EnaEthIoRxCdesc cd;
    uint8_t want[1514], got[1514];

    g_assert_true(rx_cmpl(t, q, &cd));
    g_assert_cmphex(le16_to_cpu(cd.req_id), ==, 0x100 + slot);
    g_assert_cmpint(le16_to_cpu(cd.length), ==, len);
    fill(want, len, seed);
    qtest_memread(t->qts, bufs[slot & (DEPTH - 1)], got, len);
    g_assert_cmpmem(got, len, want, len);
}

/* ---- admin queue ---------------------------------------------------- */

static uint16_t submit_get_attrs(MigTest *t)
{
    EnaAdminGetSetFeatureCmd c = {
        .aq_common.opcode = ENA_ADMIN_GET_FEATURE,
        .feature_id = ENA_ADMIN_DEVICE_ATTRIBUTES,
    };

    return qena_admin_submit(&t->d, (EnaAdminAqEntry *)&c);
}

/* The next ACQ entry is there now, for command @id, successful. */
static void admin_expect(MigTest *t, uint16_t id)
{
    EnaAdminAcqEntry r;

    g_assert_true(qena_admin_poll(&t->d, &r, 0));
    g_assert_cmpint(le16_to_cpu(r.acq_common.command) &
                    ENA_ADMIN_ACQ_COMMON_DESC_COMMAND_ID_MASK, ==, id);
    g_assert_cmpint(r.acq_common.status, ==, 0);
}

static void admin_expect_none(MigTest *t)
{
    EnaAdminAcqEntry r;
    uint16_t head = t->d.acq_head;

    g_assert_false(qena_admin_poll(&t->d, &r, 0));
    g_assert_cmpint(t->d.acq_head, ==, head);
}

/*
 * Admin commands whose completions a "delay" rule holds: they arrive on
 * the destination at the virtual times they were due, with their ids
 * and the ACQ phase (the ring wraps among them), and the rule is there.
 */
static void test_admin_delayed(const void *arg)
{
    MigVia via = GPOINTER_TO_INT(arg);
    MigTest t;
    uint16_t id[3];
    int64_t t0;
    g_autofree char *spec = NULL;

    mig_start(&t, NULL);
    /* the ACQ head to 30 of 32: the delayed ones wrap it */
    while (t.d.acq_head < QENA_AQ_DEPTH - 2) {
        g_assert_cmpint(qena_get_feature(&t.d, ENA_ADMIN_DEVICE_ATTRIBUTES,
                                         0, 0, 0, NULL, 0), ==, 0);
    }
    fault_set(&t, "admin", "delay:delay=50ms");
    t0 = clock_now(t.qts);
    for (int i = 0; i < 3; i++) {
        id[i] = submit_get_attrs(&t);
        qtest_clock_step(t.qts, 10 * MS);
    }
    admin_expect_none(&t);

    mig_move(&t, via);
    spec = fault_get(&t, "admin");
    g_assert_cmpstr(spec, ==, "delay:delay=50ms");
    for (int i = 0; i < 3; i++) {
        qtest_clock_set(t.qts, t0 + (50 + 10 * i) * MS - 1);
        admin_expect_none(&t);
        qtest_clock_step(t.qts, 1);
        admin_expect(&t, id[i]);
    }
    g_assert_cmpint(qom_uint(&t, "fault-admin-hits"), ==, 3);
    /* the rule goes on acting on the destination */
    id[0] = submit_get_attrs(&t);
    qtest_clock_step(t.qts, 50 * MS - 1);
    admin_expect_none(&t);
    qtest_clock_step(t.qts, 1);
    admin_expect(&t, id[0]);
    mig_stop(&t);
}

/*
 * TX: frames already sent, then descriptors written but not rung at
 * save time; the doorbell on the destination sends them from there.
 */
static void test_tx_posted(void)
{
    MigTest t;
    Queue q;
    uint16_t id;

    mig_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    /* near the end of the ring: the phase flips after the move */
    for (int i = 0; i < DEPTH - 1; i++) {
        tx_post(&t, &q, i, i, 60);
        ring(&t, &q);
        sock_expect(&t, i, 60);
        tx_expect_cmpl(&t, &q, i);
    }
    tx_post(&t, &q, 0x2a5, 0xa0, 100);
    tx_post(&t, &q, 0x155, 0xb0, 1514);

    mig_move(&t, MIG_SOCKET);
    g_assert_cmpint(sock_take(&t, NULL, 0), ==, 0);
    ring(&t, &q);
    sock_expect(&t, 0xa0, 100);
    sock_expect(&t, 0xb0, 1514);
    tx_expect_cmpl(&t, &q, 0x2a5);
    tx_expect_cmpl(&t, &q, 0x155);
    g_assert_false(tx_cmpl(&t, &q, &id));
    mig_stop(&t);
}

/*
 * TX rung while a "stall ... for=" rule holds the queue: the frames stay
 * inside until the rule ends, on the destination, at its virtual time;
 * then they leave, complete and raise the interrupt.
 */
static void test_tx_stalled(void)
{
    MigTest t;
    Queue q;
    int64_t t0;
    uint16_t id;
    g_autofree char *spec = NULL, *after = NULL;

    mig_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    qena_msix_route(&t.d, 1);
    g_assert_cmpint(q.sq_idx, ==, 0);
    t0 = clock_now(t.qts);
    fault_set(&t, "tx", "stall:queue=0:for=30ms");
    tx_post(&t, &q, 1, 0x11, 80);
    tx_post(&t, &q, 2, 0x22, 90);
    ring(&t, &q);
    qtest_clock_step(t.qts, 10 * MS);
    g_assert_cmpint(sock_take(&t, NULL, 0), ==, 0);

    mig_move(&t, MIG_SOCKET);
    spec = fault_get(&t, "tx");
    g_assert_cmpstr(spec, ==, "stall:queue=0:for=30ms");
    qtest_clock_set(t.qts, t0 + 30 * MS - 1);
    g_assert_cmpint(sock_take(&t, NULL, 0), ==, 0);
    g_assert_false(tx_cmpl(&t, &q, &id));
    g_assert_false(qena_msix_take(&t.d, 1));
    qtest_clock_step(t.qts, 1);
    sock_expect(&t, 0x11, 80);
    sock_expect(&t, 0x22, 90);
    tx_expect_cmpl(&t, &q, 1);
    tx_expect_cmpl(&t, &q, 2);
    g_assert_true(qena_msix_take(&t.d, 1));
    after = fault_get(&t, "tx");
    g_assert_cmpstr(after, ==, "");
    mig_stop(&t);
}

/*
 * RX: buffers posted before the move take the frames sent after it, in
 * order, with their req_ids, after one frame received on the source.
 */
static void test_rx_posted(void)
{
    MigTest t;
    Queue q;
    uint64_t bufs[DEPTH];

    mig_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    for (int i = 0; i < 4; i++) {
        bufs[i] = zalloc(&t, 2048);
        rx_post(&t, &q, bufs[i]);
    }
    ring(&t, &q);
    sock_send(&t, 0x40, 200);
    rx_expect(&t, &q, bufs, 0, 0x40, 200);

    mig_move(&t, MIG_SOCKET);
    for (int i = 1; i < 4; i++) {
        sock_send(&t, 0x40 + i, 300 + i);
    }
    for (int i = 1; i < 4; i++) {
        rx_expect(&t, &q, bufs, i, 0x40 + i, 300 + i);
    }
    mig_stop(&t);
}

/*
 * A frame held because no buffer was posted belongs to the network back
 * end's queue, which QEMU empties when the source stops (every NIC loses
 * such frames, as a real network may): nothing of it may remain in the
 * device, and the buffers posted on the destination take the next frames.
 */
static void test_rx_held(void)
{
    MigTest t;
    Queue q;
    uint64_t bufs[DEPTH];

    mig_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_RX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    sock_send(&t, 0x50, 400);
    qtest_clock_step(t.qts, MS);

    mig_move(&t, MIG_FILE);
    for (int i = 0; i < 2; i++) {
        bufs[i] = zalloc(&t, 2048);
        rx_post(&t, &q, bufs[i]);
    }
    ring(&t, &q);
    sock_send(&t, 0x60, 500);
    rx_expect(&t, &q, bufs, 0, 0x60, 500);
    g_assert_cmpint(q.head, ==, 1);
    mig_stop(&t);
}

/* ---- LLQ ------------------------------------------------------------ */

#define LLQ_ENTRY   128
#define LLQ_BEFORE  2

static void llq_setup(MigTest *t, Queue *q, QPCIBar *bar)
{
    EnaAdminLlqFeature f = {
        .header_location_ctrl_enabled = cpu_to_le16(ENA_ADMIN_INLINE_HEADER),
        .entry_size_ctrl_enabled = cpu_to_le16(ENA_ADMIN_LIST_ENTRY_SIZE_128B),
        .desc_num_before_header_enabled = cpu_to_le16(LLQ_BEFORE),
        .descriptors_stride_ctrl_enabled =
            cpu_to_le16(ENA_ADMIN_MULTIPLE_DESCS_PER_ENTRY),
    };

    g_assert_cmpint(qena_set_feature(&t->d, ENA_ADMIN_LLQ, &f, sizeof(f), 0,
                                     0), ==, 0);
    queue_pair(t, q, ENA_ADMIN_SQ_DIRECTION_TX,
               ENA_ADMIN_PLACEMENT_POLICY_DEV);
    *bar = qpci_iomap(&t->d.dev, ENA_MEM_BAR, NULL);
}

static void llq_entry(MigTest *t, Queue *q, QPCIBar bar, const uint8_t *e)
{
    uint64_t off = q->llq_off + (q->tail & (DEPTH - 1)) * LLQ_ENTRY;

    for (unsigned i = 0; i < LLQ_ENTRY; i += 8) {
        qpci_io_writeq(&t->d.dev, bar, off + i, ldq_le_p(e + i));
    }
    q->tail++;
}

static EnaEthIoTxDesc llq_desc(Queue *q, uint16_t req_id, bool first,
                               bool last, uint16_t len, uint64_t buf,
                               unsigned hlen)
{
    EnaEthIoTxDesc d = { 0 };
    uint32_t lc = len | (phase_of(q->tail) << ENA_ETH_IO_TX_DESC_PHASE_SHIFT);

    if (first) {
        lc |= ((req_id >> 10) << ENA_ETH_IO_TX_DESC_REQ_ID_HI_SHIFT) |
              ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
              ENA_ETH_IO_TX_DESC_FIRST_MASK;
        d.meta_ctrl = cpu_to_le32((req_id & 0x3ff) <<
                                  ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
    }
    if (last) {
        lc |= ENA_ETH_IO_TX_DESC_LAST_MASK;
    }
    d.len_ctrl = cpu_to_le32(lc);
    d.buff_addr_lo = cpu_to_le32((uint32_t)buf);
    d.buff_addr_hi_hdr_sz = cpu_to_le32((buf >> 32) | (hlen << 24));
    return d;
}

/* A whole frame pushed into one entry (header only, 64 bytes). */
static void llq_small(MigTest *t, Queue *q, QPCIBar bar, uint16_t req_id,
                      uint8_t seed)
{
    uint8_t e[LLQ_ENTRY] = { 0 };
    EnaEthIoTxDesc d = llq_desc(q, req_id, true, true, 0, 0, 64);

    memcpy(e, &d, sizeof(d));
    fill(e + LLQ_BEFORE * 16, 64, seed);
    llq_entry(t, q, bar, e);
}

/*
 * LLQ: SET_FEATURE(LLQ), a TX SQ in device placement, entries written
 * into BAR2 but not rung at save time: BAR2 and the LLQ geometry come
 * along, and the doorbell on the destination sends the frames.
 */
static void test_llq(void)
{
    MigTest t;
    Queue q;
    QPCIBar bar;

    mig_start(&t, NULL);
    llq_setup(&t, &q, &bar);
    llq_small(&t, &q, bar, 5, 0x70);
    ring(&t, &q);
    sock_expect(&t, 0x70, 64);
    tx_expect_cmpl(&t, &q, 5);
    llq_small(&t, &q, bar, 6, 0x71);
    llq_small(&t, &q, bar, 7, 0x72);

    mig_move(&t, MIG_SOCKET);
    ring(&t, &q);
    sock_expect(&t, 0x71, 64);
    sock_expect(&t, 0x72, 64);
    tx_expect_cmpl(&t, &q, 6);
    tx_expect_cmpl(&t, &q, 7);
    mig_stop(&t);
}

/*
 * LLQ, a packet rung half-way: its first entry (descriptors and pushed
 * header) was taken on the source, the second (more descriptors) is rung
 * on the destination. The destination must read that entry as the
 * continuation it is, not as the first entry of a packet: the packet
 * completes with its own req_id, and the next one goes out intact.
 * (Regression: llq_in_pkt was not migrated and post_load cleared it.)
 */
static void test_llq_half_rung(void)
{
    MigTest t;
    Queue q;
    QPCIBar bar;
    uint8_t e[LLQ_ENTRY], f[1514], got[2048];
    EnaEthIoTxDesc d[LLQ_ENTRY / 16];
    uint64_t buf[LLQ_ENTRY / 16];
    int n = LLQ_ENTRY / 16;
    size_t len;
    uint16_t id;

    mig_start(&t, NULL);
    llq_setup(&t, &q, &bar);
    /* entry 1: two descriptors and 64 header bytes; entry 2: eight more */
    fill(f, 1514, 0x80);
    memset(e, 0, sizeof(e));
    for (int i = 0; i < LLQ_BEFORE; i++) {
        buf[i] = zalloc(&t, 100);
        qtest_memwrite(t.qts, buf[i], f + 64 + 100 * i, 100);
        d[i] = llq_desc(&q, 9, i == 0, false, 100, buf[i], i ? 0 : 64);
        memcpy(e + 16 * i, &d[i], 16);
    }
    memcpy(e + LLQ_BEFORE * 16, f, 64);
    llq_entry(&t, &q, bar, e);
    ring(&t, &q);
    g_assert_cmpint(sock_take(&t, got, sizeof(got)), ==, 0);

    for (int i = 0; i < n; i++) {
        buf[i] = zalloc(&t, 100);
        qtest_memwrite(t.qts, buf[i], f + 264 + 100 * i, 100);
        d[i] = llq_desc(&q, 0, false, i == n - 1, 100, buf[i], 0);
        memcpy(e + 16 * i, &d[i], 16);
    }
    llq_entry(&t, &q, bar, e);

    mig_move(&t, MIG_SOCKET);
    ring(&t, &q);
    /* sent whole, or dropped and counted: never a frame of garbage */
    len = sock_take(&t, got, sizeof(got));
    if (len) {
        g_assert_cmpint(len, ==, 64 + 100 * (LLQ_BEFORE + n));
        g_assert_cmpmem(got, len, f, len);
    }
    tx_expect_cmpl(&t, &q, 9);
    g_assert_false(tx_cmpl(&t, &q, &id));
    llq_small(&t, &q, bar, 10, 0x90);
    ring(&t, &q);
    sock_expect(&t, 0x90, 64);
    tx_expect_cmpl(&t, &q, 10);
    mig_stop(&t);
}

/* ---- interrupts and keep-alives -------------------------------------- */

/*
 * Interrupt moderation: an interrupt delayed 100 us at save time leaves
 * on the destination at its time; the vector stays auto-masked, a
 * completion while masked waits for the unmask, and the delay the driver
 * set on the source still applies.
 */
static void test_irq_moderation(void)
{
    MigTest t;
    Queue q;
    int64_t t0;

    mig_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    qena_msix_route(&t.d, 1);
    qena_writel(&t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK |
                (100 << ENA_ETH_IO_INTR_REG_TX_INTR_DELAY_SHIFT));
    t0 = clock_now(t.qts);
    tx_post(&t, &q, 1, 1, 60);
    ring(&t, &q);
    sock_expect(&t, 1, 60);
    tx_expect_cmpl(&t, &q, 1);
    qtest_clock_step(t.qts, 40 * US);
    g_assert_false(qena_msix_take(&t.d, 1));

    mig_move(&t, MIG_FILE);
    qtest_clock_set(t.qts, t0 + 100 * US - 1);
    g_assert_false(qena_msix_take(&t.d, 1));
    qtest_clock_step(t.qts, 1);
    g_assert_true(qena_msix_take(&t.d, 1));

    /* still masked: this completion waits for the unmask */
    tx_post(&t, &q, 2, 2, 60);
    ring(&t, &q);
    sock_expect(&t, 2, 60);
    tx_expect_cmpl(&t, &q, 2);
    qtest_clock_step(t.qts, MS);
    g_assert_false(qena_msix_take(&t.d, 1));
    qena_writel(&t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK |
                ENA_ETH_IO_INTR_REG_NO_MODERATION_UPDATE_MASK);
    g_assert_true(qena_msix_take(&t.d, 1));

    /* the 100 us the driver set before the move */
    qena_writel(&t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK |
                ENA_ETH_IO_INTR_REG_NO_MODERATION_UPDATE_MASK);
    tx_post(&t, &q, 3, 3, 60);
    ring(&t, &q);
    sock_expect(&t, 3, 60);
    tx_expect_cmpl(&t, &q, 3);
    qtest_clock_step(t.qts, 100 * US - 1);
    g_assert_false(qena_msix_take(&t.d, 1));
    qtest_clock_step(t.qts, 1);
    g_assert_true(qena_msix_take(&t.d, 1));
    mig_stop(&t);
}

static int keepalives(MigTest *t)
{
    EnaAdminAenqEntry e;
    int n = 0;

    while (qena_aenq_take(&t->d, &e)) {
        g_assert_cmpint(le16_to_cpu(e.aenq_common.group), ==,
                        ENA_ADMIN_KEEP_ALIVE);
        n++;
    }
    qena_aenq_ack(&t->d);
    return n;
}

/*
 * fault-keepalive with after=: keep-alives go on every second on the
 * destination until the rule starts, at the virtual time set on the
 * source; the rule's text and counters come along.
 */
static void test_keepalive_rule(void)
{
    MigTest t;
    int64_t t0;
    g_autofree char *spec = NULL;

    mig_start(&t, NULL);
    t0 = clock_now(t.qts);
    set_groups(&t, BIT(ENA_ADMIN_KEEP_ALIVE));
    fault_set(&t, "keepalive", "stop:after=2500ms");
    qtest_clock_step(t.qts, 1500 * MS);
    g_assert_cmpint(keepalives(&t), ==, 1);

    mig_move(&t, MIG_SOCKET);
    spec = fault_get(&t, "keepalive");
    g_assert_cmpstr(spec, ==, "stop:after=2500ms");
    g_assert_cmpint(qom_uint(&t, "keepalives-sent"), ==, 1);
    qtest_clock_set(t.qts, t0 + 2000 * MS - 1);
    g_assert_cmpint(keepalives(&t), ==, 0);
    qtest_clock_step(t.qts, 1);
    g_assert_cmpint(keepalives(&t), ==, 1);
    g_assert_cmpint(qom_uint(&t, "fault-keepalive-hits"), ==, 0);
    qtest_clock_set(t.qts, t0 + 5000 * MS);
    g_assert_cmpint(keepalives(&t), ==, 0);
    g_assert_cmpint(qom_uint(&t, "keepalives-sent"), ==, 2);
    g_assert_cmpint(qom_uint(&t, "fault-keepalive-hits"), ==, 3);
    mig_stop(&t);
}

/*
 * PHC: the response address and a response held back by a "delay" rule
 * move with the device; it lands at the same virtual time, with the
 * timestamp of the source's doorbell, and the next doorbell is answered.
 */
static void test_phc(void)
{
    MigTest t;
    EnaAdminPhcFeature f = { 0 };
    EnaAdminPhcResp r;
    uint64_t resp;
    uint16_t stale = cpu_to_le16(0xffff);
    int64_t t0;

    mig_start(&t, "timing=off,phc=on");
    resp = zalloc(&t, sizeof(r));
    qena_addr48(&f.output_address, resp);
    f.output_length = cpu_to_le32(sizeof(r));
    g_assert_cmpint(qena_set_feature(&t.d, ENA_ADMIN_PHC_CONFIG, &f,
                                     sizeof(f), 0, 0), ==, 0);
    fault_set(&t, "phc", "delay:delay=5ms:once");
    qtest_memwrite(t.qts, resp, &stale, sizeof(stale));
    t0 = clock_now(t.qts);
    qena_writel(&t.d, ENA_REGS_PHC_DB_OFF, 3);

    mig_move(&t, MIG_SOCKET);
    qtest_clock_set(t.qts, t0 + 5 * MS - 1);
    qtest_memread(t.qts, resp, &r, sizeof(r));
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, 0xffff);
    qtest_clock_step(t.qts, 1);
    qtest_memread(t.qts, resp, &r, sizeof(r));
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, 3);
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t0);
    t0 = clock_now(t.qts);
    qena_writel(&t.d, ENA_REGS_PHC_DB_OFF, 4);
    qtest_memread(t.qts, resp, &r, sizeof(r));
    g_assert_cmpuint(le16_to_cpu(r.req_id), ==, 4);
    g_assert_cmpint(le64_to_cpu(r.timestamp), ==, t0);
    g_assert_cmpint(qom_uint(&t, "phc-requests"), ==, 2);
    g_assert_cmpint(qom_uint(&t, "phc-responses"), ==, 2);
    mig_stop(&t);
}

/* ---- snapshot-save / snapshot-load into the same device --------------- */

/* Wait for job @id to conclude, check it had no error, dismiss it. */
static void job_wait(MigTest *t, const char *id)
{
    for (;;) {
        QDict *rsp = qtest_qmp(t->qts, "{'execute': 'query-jobs'}");
        QList *l = qdict_get_qlist(rsp, "return");
        QDict *j = qobject_to(QDict, qlist_peek(l));
        bool done;

        g_assert_nonnull(j);
        g_assert_cmpstr(qdict_get_str(j, "id"), ==, id);
        done = !strcmp(qdict_get_str(j, "status"), "concluded");
        if (done && qdict_haskey(j, "error")) {
            g_error("job %s: %s", id, qdict_get_str(j, "error"));
        }
        qobject_unref(rsp);
        if (done) {
            break;
        }
        g_usleep(5000);
    }
    qtest_qmp_assert_success(t->qts, "{'execute': 'job-dismiss', "
                             "'arguments': {'id': %s}}", id);
}

/*
 * snapshot-save, then snapshot-load into the same, live device (a qcow2
 * image that QEMU formats itself holds the snapshot): the load resets
 * the machine and loads over the device as it was, with its queue and
 * its rule's text, which must not leak (ASan) and must come back as
 * saved; the ring goes on from the saved state.
 */
static void test_snapshot_load(void)
{
    g_autofree char *img = NULL, *spec = NULL;
    MigTest t;
    Queue q;
    uint16_t id;
    int fd;

    fd = g_file_open_tmp("ena-migration-XXXXXX.qcow2", &img, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    mig_start(&t, NULL);
    qtest_qmp_assert_success(t.qts, "{'execute': 'blockdev-add', "
                             "'arguments': {'driver': 'file', "
                             "'node-name': 'f', 'filename': %s}}", img);
    qtest_qmp_assert_success(t.qts, "{'execute': 'blockdev-create', "
                             "'arguments': {'job-id': 'c', 'options': "
                             "{'driver': 'qcow2', 'file': 'f', "
                             "'size': 67108864}}}");
    job_wait(&t, "c");
    qtest_qmp_assert_success(t.qts, "{'execute': 'blockdev-add', "
                             "'arguments': {'driver': 'qcow2', "
                             "'node-name': 'q', 'file': 'f'}}");

    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    fault_set(&t, "irq", "drop:vector=2:count=5");
    tx_post(&t, &q, 0x33, 0x33, 70);
    qtest_qmp_assert_success(t.qts, "{'execute': 'snapshot-save', "
                             "'arguments': {'job-id': 's', 'tag': 's1', "
                             "'vmstate': 'q', 'devices': ['q']}}");
    job_wait(&t, "s");
    /* between the two: the ring moves on, the rule changes */
    ring(&t, &q);
    sock_expect(&t, 0x33, 70);
    tx_expect_cmpl(&t, &q, 0x33);
    fault_set(&t, "irq", "drop:vector=1");

    qtest_qmp_assert_success(t.qts, "{'execute': 'snapshot-load', "
                             "'arguments': {'job-id': 'l', 'tag': 's1', "
                             "'vmstate': 'q', 'devices': ['q']}}");
    job_wait(&t, "l");
    spec = fault_get(&t, "irq");
    g_assert_cmpstr(spec, ==, "drop:vector=2:count=5");
    /* guest RAM is back too: the completion is not written yet */
    q.head--;
    g_assert_false(tx_cmpl(&t, &q, &id));
    ring(&t, &q);
    sock_expect(&t, 0x33, 70);
    tx_expect_cmpl(&t, &q, 0x33);
    g_assert_false(tx_cmpl(&t, &q, &id));
    mig_stop(&t);
    unlink(img);
}

/* ---- a stream that does not add up ---------------------------------- */

/*
 * The state of a device with fault-admin "delay:delay=50ms" is saved to
 * a file, whose copy of the rule's text is then changed to @bad (same
 * length): to a text that does not describe the rule's fields, or to an
 * action the point does not have. The destination refuses the state
 * (the load fails, QEMU stays up) and installs no rule.
 */
static void test_bad_rule_text(const void *arg)
{
    const char *bad = arg;
    const char *good = "delay:delay=50ms";
    g_autofree char *path = NULL, *uri = NULL, *buf = NULL;
    g_autofree char *spec = NULL;
    g_autoptr(GError) err = NULL;
    QOSState *dst;
    MigTest t;
    char *hit;
    gsize len;

    g_assert_cmpint(strlen(bad), ==, strlen(good));
    mig_start(&t, NULL);
    fault_set(&t, "admin", good);
    path = g_build_filename(t.dir, "state", NULL);
    uri = g_strdup_printf("file:%s", path);
    qtest_qmp_assert_success(t.qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    qtest_qmp_eventwait(t.qts, "STOP");
    while (!mig_done(t.qts)) {
        g_usleep(5000);
    }
    g_assert_true(g_file_get_contents(path, &buf, &len, &err));
    hit = memmem(buf, len, good, strlen(good));
    g_assert_nonnull(hit);
    memcpy(hit, bad, strlen(bad));
    g_assert_null(memmem(hit + 1, len - (hit + 1 - buf), good,
                         strlen(good)));
    g_assert_true(g_file_set_contents(path, buf, len, &err));

    qtest_shutdown(t.qs);
    close(t.sock[0]);
    close(t.sock[1]);
    dst = boot(&t, "-incoming defer");
    qtest_qmp_assert_success(dst->qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s, "
                             "'exit-on-error': false}}", uri);
    while (strcmp(mig_status(dst->qts), "failed")) {
        g_assert_cmpstr(mig_status(dst->qts), !=, "completed");
        g_usleep(5000);
    }
    qtest_qmp_assert_success(dst->qts, "{'execute': 'query-status'}");
    t.qs = dst;
    t.qts = dst->qts;
    t.d.dev.bus = dst->pcibus;
    spec = fault_get(&t, "admin");
    g_assert_cmpstr(spec, ==, "");
    qtest_shutdown(dst);
    close(t.sock[0]);
    close(t.sock[1]);
    unlink(path);
    g_free(t.dir);
}

/*
 * Timing: three frames rung at 1 Mb/s, the first on the wire and two in
 * the TX FIFO when the device moves. On the destination each goes out
 * and completes on the nanosecond it would have on the source.
 */
static void test_timing_in_flight(void)
{
    enum { N = 3, LEN = 1514 };
    const uint64_t bits = (LEN + 24) * 8;
    MigTest t;
    Queue q;
    int64_t t0, first, end[N + 1], pcie;
    uint16_t id;

    mig_start(&t, "timing=on,link-speed=1");
    pcie = qom_uint(&t, "pcie-latency-ns");
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    qena_msix_route(&t.d, 1);
    for (int i = 1; i <= N; i++) {
        tx_post(&t, &q, i, 0x10 * i, LEN);
    }
    t0 = clock_now(t.qts);
    ring(&t, &q);
    /* as docs/timing.md: reads, then one wire time after another */
    first = t0 + LEN * 8 * 1000 / qom_uint(&t, "dma-mbps") + 4 * pcie;
    for (int k = 1; k <= N; k++) {
        end[k] = first + k * bits * 1000 / 1;
    }
    qtest_clock_set(t.qts, first);
    sock_expect(&t, 0x10, LEN);

    mig_move(&t, MIG_SOCKET);
    for (int k = 1; k <= N; k++) {
        if (k < N) {
            qtest_clock_set(t.qts, end[k] - 1);
            g_assert_cmpint(sock_take(&t, NULL, 0), ==, 0);
            qtest_clock_set(t.qts, end[k]);
            sock_expect(&t, 0x10 * (k + 1), LEN);
        }
        qtest_clock_set(t.qts, end[k] + pcie - 1);
        g_assert_false(tx_cmpl(&t, &q, &id));
        qtest_clock_set(t.qts, end[k] + pcie);
        tx_expect_cmpl(&t, &q, k);
        g_assert_true(qena_msix_take(&t.d, 1));
        /* the vector auto-masked: unmask it for the next completion */
        qena_writel(&t.d, q.unmask, ENA_ETH_IO_INTR_REG_INTR_UNMASK_MASK);
    }
    g_assert_cmpint(sock_take(&t, NULL, 0), ==, 0);
    mig_stop(&t);
}

/* An IPv4/UDP frame of 100 bytes from port @sport, rung at once */
static void udp_send(MigTest *t, Queue *q, uint16_t req_id, uint16_t sport)
{
    EnaEthIoTxDesc d = { 0 };
    uint8_t f[100];
    uint64_t buf = zalloc(t, sizeof(f));

    fill(f, sizeof(f), 0);
    memset(f + 14, 0, 28);      /* IPv4 and UDP headers: no fragment */
    stw_be_p(f + 12, 0x0800);
    f[14] = 0x45;
    stw_be_p(f + 16, sizeof(f) - 14);
    f[23] = 17;
    memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    stw_be_p(f + 34, sport);
    stw_be_p(f + 36, 9);
    qtest_memwrite(t->qts, buf, f, sizeof(f));
    d.len_ctrl = cpu_to_le32(sizeof(f) | ENA_ETH_IO_TX_DESC_FIRST_MASK |
                             ENA_ETH_IO_TX_DESC_LAST_MASK |
                             ENA_ETH_IO_TX_DESC_COMP_REQ_MASK |
                             (phase_of(q->tail) <<
                              ENA_ETH_IO_TX_DESC_PHASE_SHIFT));
    d.meta_ctrl = cpu_to_le32(req_id << ENA_ETH_IO_TX_DESC_REQ_ID_LO_SHIFT);
    d.buff_addr_lo = cpu_to_le32((uint32_t)buf);
    d.buff_addr_hi_hdr_sz = cpu_to_le32(buf >> 32);
    qtest_memwrite(t->qts, q->sq + (q->tail & (DEPTH - 1)) * 16, &d,
                   sizeof(d));
    q->tail++;
    ring(t, q);
    tx_expect_cmpl(t, q, req_id);
}

/*
 * The ENI allowances as qom-set on the source, the tracked flows and the
 * counters arrive on the destination, whose own options had none: a
 * tracked flow passes there, a new one beyond the allowance does not.
 */
static void test_allowance(void)
{
    MigTest t;
    Queue q;
    uint8_t f[2048];

    mig_start(&t, NULL);
    queue_pair(&t, &q, ENA_ADMIN_SQ_DIRECTION_TX,
               ENA_ADMIN_PLACEMENT_POLICY_HOST);
    qtest_qmp_assert_success(t.qts, "{'execute': 'qom-set', 'arguments':"
                             " {'path': '/machine/peripheral/ena0', "
                             "'property': 'allowance-conntrack', "
                             "'value': 2}}");
    for (uint16_t i = 0; i < 3; i++) {
        udp_send(&t, &q, i, 1000 + i);
        g_assert_cmpint(sock_take(&t, f, sizeof(f)), ==, (i < 2 ? 100 : 0));
    }
    g_assert_cmpuint(qom_uint(&t, "conntrack-allowance-exceeded"), ==, 1);

    mig_move(&t, MIG_SOCKET);
    g_assert_cmpuint(qom_uint(&t, "allowance-conntrack"), ==, 2);
    g_assert_cmpuint(qom_uint(&t, "conntrack-allowance-exceeded"), ==, 1);
    g_assert_cmpuint(qom_uint(&t, "conntrack-allowance-available"), ==, 0);
    udp_send(&t, &q, 3, 1001);
    g_assert_cmpint(sock_take(&t, f, sizeof(f)), ==, 100);
    udp_send(&t, &q, 4, 1003);
    g_assert_cmpint(sock_take(&t, f, sizeof(f)), ==, 0);
    g_assert_cmpuint(qom_uint(&t, "conntrack-allowance-exceeded"), ==, 2);
    mig_stop(&t);
}

/*
 * A saved state whose conntrack allowance is out of range (edited in the
 * file) does not load: the destination stays up with every allowance off.
 */
static void test_allowance_bad(void)
{
    /* bw-in and bw-out as they are saved (big endian), to find them */
    static const uint8_t mark[8] = { 0x00, 0x12, 0x34, 0x57,
                                     0x00, 0x76, 0x54, 0x33 };
    g_autofree char *path = NULL, *uri = NULL, *buf = NULL;
    g_autoptr(GError) err = NULL;
    QOSState *dst;
    MigTest t;
    uint8_t *hit;
    gsize len;

    mig_start(&t, "timing=off,allowance-bw-in-mbps=1193047,"
              "allowance-bw-out-mbps=7754803,allowance-conntrack=5");
    path = g_build_filename(t.dir, "state", NULL);
    uri = g_strdup_printf("file:%s", path);
    qtest_qmp_assert_success(t.qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    qtest_qmp_eventwait(t.qts, "STOP");
    while (!mig_done(t.qts)) {
        g_usleep(5000);
    }
    g_assert_true(g_file_get_contents(path, &buf, &len, &err));
    hit = memmem(buf, len, mark, sizeof(mark));
    g_assert_nonnull(hit);
    /* then pps (0), then the conntrack allowance */
    g_assert_cmpint(ldl_be_p(hit + 12), ==, 5);
    stl_be_p(hit + 12, 0xffffffff);
    g_assert_true(g_file_set_contents(path, buf, len, &err));

    qtest_shutdown(t.qs);
    close(t.sock[0]);
    close(t.sock[1]);
    t.dev_opts = "timing=off";
    dst = boot(&t, "-incoming defer");
    qtest_qmp_assert_success(dst->qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s, "
                             "'exit-on-error': false}}", uri);
    while (strcmp(mig_status(dst->qts), "failed")) {
        g_assert_cmpstr(mig_status(dst->qts), !=, "completed");
        g_usleep(5000);
    }
    t.qs = dst;
    t.qts = dst->qts;
    g_assert_cmpuint(qom_uint(&t, "allowance-conntrack"), ==, 0);
    g_assert_cmpuint(qom_uint(&t, "allowance-bw-in-mbps"), ==, 0);
    qtest_shutdown(dst);
    close(t.sock[0]);
    close(t.sock[1]);
    unlink(path);
    g_free(t.dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_data_func("/ena/migration/admin-delayed",
                        GINT_TO_POINTER(MIG_SOCKET), test_admin_delayed);
    qtest_add_data_func("/ena/migration/admin-delayed-file",
                        GINT_TO_POINTER(MIG_FILE), test_admin_delayed);
    qtest_add_func("/ena/migration/tx-posted", test_tx_posted);
    qtest_add_func("/ena/migration/tx-stalled", test_tx_stalled);
    qtest_add_func("/ena/migration/rx-posted", test_rx_posted);
    qtest_add_func("/ena/migration/rx-held", test_rx_held);
    qtest_add_func("/ena/migration/llq", test_llq);
    qtest_add_func("/ena/migration/llq-half-rung", test_llq_half_rung);
    qtest_add_func("/ena/migration/irq-moderation", test_irq_moderation);
    qtest_add_func("/ena/migration/keepalive-rule", test_keepalive_rule);
    qtest_add_func("/ena/migration/phc", test_phc);
    qtest_add_func("/ena/migration/snapshot-load", test_snapshot_load);
    qtest_add_func("/ena/migration/timing-in-flight", test_timing_in_flight);
    qtest_add_func("/ena/migration/allowance", test_allowance);
    qtest_add_func("/ena/migration/allowance-bad", test_allowance_bad);
    qtest_add_data_func("/ena/migration/bad-rule-value",
                        "delay:delay=60ms", test_bad_rule_text);
    qtest_add_data_func("/ena/migration/bad-rule-action",
                        "stall:delay=50ms", test_bad_rule_text);
    return g_test_run();
}
