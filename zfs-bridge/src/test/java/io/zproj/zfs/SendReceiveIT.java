package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.zfs.testing.TestPool;
import io.zproj.zfs.testing.Trees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Send and receive on real zfs-fuse: byte-identical round trips, and receives that are cut
 * short, killed, stale or diverged, none of which may leave anything partial behind.
 */
class SendReceiveIT {

    private static TestPool pool;
    private static Zfs zfs;
    /** A source dataset with snapshots @a (a tree) and @b (that tree changed), shared by the tests. */
    private static DatasetName source;
    private static Path sourceMnt;
    private static byte[] fullStreamA;
    private static byte[] incrementalAB;

    @BeforeAll
    static void createSource() throws IOException {
        pool = TestPool.create(512L << 20);
        zfs = pool.bridge();
        source = pool.dataset("src");
        sourceMnt = pool.dir().resolve("src");
        zfs.createDataset(source, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        zfs.mount(source, sourceMnt);
        Trees.populate(sourceMnt, 42, 300, 12 << 20);
        zfs.snapshot(source.snapshot("a"));
        Files.delete(sourceMnt.resolve("d1/e1/f1.bin"));
        Files.write(sourceMnt.resolve("d2/e2/f2.bin"), new byte[] {1, 2, 3});
        Files.createDirectories(sourceMnt.resolve("new/dir"));
        Files.writeString(sourceMnt.resolve("new/dir/file.txt"), "added after @a");
        Files.move(sourceMnt.resolve("d3"), sourceMnt.resolve("d3-renamed"));
        zfs.snapshot(source.snapshot("b"));
        fullStreamA = sendAll(source.snapshot("a"), Optional.empty());
        incrementalAB = sendAll(source.snapshot("b"), Optional.of(source.snapshot("a")));
    }

    @AfterAll
    static void destroyPool() throws IOException {
        pool.close();
    }

    private static byte[] sendAll(SnapshotName snap, Optional<SnapshotName> base) throws IOException {
        try (SendStream send = zfs.send(snap, base)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            send.stream().transferTo(out);
            assertThat(send.finish()).isEqualTo(out.size());
            return out.toByteArray();
        }
    }

    private static Snapshot receive(DatasetName target, byte[] stream, ReceiveOptions options) throws ZfsException {
        return zfs.receive(target, new ByteArrayInputStream(stream), options);
    }

    /** Mounts {@code ds} at a fresh path, describes its tree, unmounts. */
    private static java.util.Map<String, String> treeOf(DatasetName ds) throws IOException {
        return Trees.describe(zfs, ds, pool.dir().resolve("view-" + ds.leaf()));
    }

    @Test
    void fullThenIncremental_roundTrip_isByteIdentical() throws Exception {
        DatasetName copy = pool.dataset("copy");
        Snapshot a = receive(copy, fullStreamA, ReceiveOptions.defaults().withQuota(200L << 20));
        assertThat(a.name()).isEqualTo(copy.snapshot("a"));
        assertThat(a.guid()).isEqualTo(zfs.listSnapshots(source).get(0).guid());
        assertThat(zfs.isMounted(copy)).isFalse();
        assertThat(zfs.getProperty(copy, "canmount")).isEqualTo("noauto");
        assertThat(zfs.quota(copy)).isEqualTo(OptionalLong.of(200L << 20));

        // the tree at @a: roll the source's view back by cloning is not needed; compare @b after the incremental
        Snapshot b = receive(copy, incrementalAB, ReceiveOptions.defaults());
        assertThat(b.name()).isEqualTo(copy.snapshot("b"));
        assertThat(zfs.quota(copy)).as("quota re-applied after receive").isEqualTo(OptionalLong.of(200L << 20));
        assertThat(Snapshots.newestCommon(zfs.listSnapshots(source), zfs.listSnapshots(copy)))
                .map(Snapshot::name).contains(source.snapshot("b"));

        java.util.Map<String, String> expected = Trees.describe(sourceMnt);
        assertThat(expected).containsKey("new/dir/file.txt").doesNotContainKey("d1/e1/f1.bin");
        assertThat(treeOf(copy)).isEqualTo(expected);
    }

    @Test
    void fullReceive_matchesSnapshotA() throws Exception {
        DatasetName copyA = pool.dataset("copya");
        receive(copyA, fullStreamA, ReceiveOptions.defaults());
        java.util.Map<String, String> tree = treeOf(copyA);
        assertThat(tree).containsKey("d1/e1/f1.bin").doesNotContainKey("new/dir/file.txt");
        assertThat(tree.get("big.bin")).isEqualTo(Trees.describe(sourceMnt).get("big.bin"));
        assertThat(tree.get("link-to-big")).isEqualTo("link -> big.bin");
    }

    @Test
    void receive_streamCutShort_leavesNothing_andRetrySucceeds() throws Exception {
        DatasetName target = pool.dataset("cut");
        byte[] firstFourMb = Arrays.copyOf(fullStreamA, 4 << 20);
        assertThatThrownBy(() -> receive(target, firstFourMb, ReceiveOptions.defaults()))
                .isInstanceOf(InvalidStreamException.class)
                .hasMessageContaining(target + " does not exist; nothing partial was kept");
        assertThat(zfs.exists(target)).isFalse();

        Snapshot retried = receive(target, fullStreamA, ReceiveOptions.defaults());
        assertThat(retried.name()).isEqualTo(target.snapshot("a"));
    }

    @Test
    void receive_killedMidStream_leavesNothing() throws Exception {
        DatasetName target = pool.dataset("killed");
        try (ReceiveStream receive = zfs.receive(target, ReceiveOptions.defaults())) {
            receive.stream().write(fullStreamA, 0, 6 << 20);
            receive.stream().flush();
            assertThat(receive.bytes()).isEqualTo(6 << 20);
            String state = receive.abort();
            assertThat(state).contains(target.toString()).contains("nothing");
        }
        assertThat(zfs.exists(target)).isFalse();
        assertThat(receive(target, fullStreamA, ReceiveOptions.defaults()).name().name()).isEqualTo("a");
    }

    @Test
    void receive_sourceFailsMidStream_abortsAndSaysSo() throws Exception {
        DatasetName target = pool.dataset("srcfail");
        InputStream failing = new InputStream() {
            private int served;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served > 3 << 20) {
                    throw new IOException("replica went away");
                }
                int n = Math.min(len, fullStreamA.length - served);
                System.arraycopy(fullStreamA, served, b, off, n);
                served += n;
                return n;
            }
        };
        assertThatThrownBy(() -> zfs.receive(target, failing, ReceiveOptions.defaults()))
                .isInstanceOf(InvalidStreamException.class)
                .hasMessageContaining("replica went away")
                .hasMessageContaining("nothing partial was kept");
        assertThat(zfs.exists(target)).isFalse();
    }

    @Test
    void incremental_cutShort_leavesTargetAtItsSnapshot() throws Exception {
        DatasetName target = pool.dataset("inc-cut");
        receive(target, fullStreamA, ReceiveOptions.defaults());
        byte[] half = Arrays.copyOf(incrementalAB, incrementalAB.length / 2);
        assertThatThrownBy(() -> receive(target, half, ReceiveOptions.defaults()))
                .isInstanceOf(InvalidStreamException.class)
                .hasMessageContaining(target + " is as it was, its newest snapshot @a");
        assertThat(zfs.listSnapshots(target)).extracting(s -> s.name().name()).containsExactly("a");
        assertThat(receive(target, incrementalAB, ReceiveOptions.defaults()).name().name()).isEqualTo("b");
    }

    @Test
    void incremental_onWrongBase_isMismatch_andChangesNothing() throws Exception {
        DatasetName target = pool.dataset("stale");
        receive(target, fullStreamA, ReceiveOptions.defaults());
        receive(target, incrementalAB, ReceiveOptions.defaults());
        assertThatThrownBy(() -> receive(target, incrementalAB, ReceiveOptions.defaults()))
                .isInstanceOf(IncrementalMismatchException.class)
                .hasMessageContaining("is as it was, its newest snapshot @b");
        assertThat(zfs.listSnapshots(target)).extracting(s -> s.name().name()).containsExactly("a", "b");
    }

    @Test
    void incremental_intoModifiedTarget_isRefusedWithoutForce_acceptedWithForce() throws Exception {
        DatasetName target = pool.dataset("modified");
        receive(target, fullStreamA, ReceiveOptions.defaults());
        Path mnt = pool.dir().resolve("modified");
        zfs.mount(target, mnt);
        Files.writeString(mnt.resolve("local-change.txt"), "written on the target");
        zfs.unmount(target);

        assertThatThrownBy(() -> receive(target, incrementalAB, ReceiveOptions.defaults()))
                .isInstanceOf(DestinationModifiedException.class);
        zfs.mount(target, mnt);
        assertThat(mnt.resolve("local-change.txt")).exists();
        zfs.unmount(target);

        try {
            receive(target, incrementalAB, ReceiveOptions.defaults().withForce(true));
        } catch (ZfsException e) {
            // zfs-fuse tears the refused receive (and the unmount) down asynchronously; a -F receive right after
            // can meet that and fail with EIO, leaving the target as it was (seen once in about 12 runs). zproj
            // itself never receives with -F. Such a failure changed nothing, which is checked; then once more.
            assertThat(e.getMessage()).contains("I/O error").contains("is as it was");
            receive(target, incrementalAB, ReceiveOptions.defaults().withForce(true));
        }
        assertThat(treeOf(target)).isEqualTo(Trees.describe(sourceMnt));
    }

    @Test
    void fullReceive_ontoExisting_isExists() throws Exception {
        DatasetName target = pool.dataset("exists");
        receive(target, fullStreamA, ReceiveOptions.defaults());
        assertThatThrownBy(() -> receive(target, fullStreamA, ReceiveOptions.defaults()))
                .isInstanceOf(DatasetExistsException.class);
        assertThat(zfs.listSnapshots(target)).hasSize(1);
    }

    @Test
    void receiveNew_ontoADatasetThatAppearedMeanwhile_isExists_andLeavesItAsItIs() throws Exception {
        DatasetName target = pool.dataset("appeared");
        receive(target, fullStreamA, ReceiveOptions.defaults()); // made by someone else after the caller looked
        try (ReceiveStream r = zfs.receiveNew(target, ReceiveOptions.defaults())) {
            assertThatThrownBy(() -> {
                r.stream().write(fullStreamA);
                r.finish();
            }).isInstanceOf(DatasetExistsException.class).hasMessageContaining("it was left as it is");
        }
        assertThat(zfs.exists(target)).as("not destroyed as if it were a partial receive").isTrue();
        assertThat(zfs.listSnapshots(target)).extracting(Snapshot::name).containsExactly(target.snapshot("a"));
    }

    @Test
    void receiveNew_withMountAt_isMountedThere_andNotMountedByAPoolImport() throws Exception {
        DatasetName target = pool.dataset("mounted-new");
        Path at = pool.dir().resolve("mnt-new");
        Snapshot a;
        try (ReceiveStream r = zfs.receiveNew(target, ReceiveOptions.defaults().withMountAt(at))) {
            r.stream().write(fullStreamA);
            a = r.finish();
        }
        try {
            assertThat(a.name()).isEqualTo(target.snapshot("a"));
            assertThat(MountTable.at(at)).as("the kernel's mount table, not zfs's word")
                    .hasValueSatisfying(m -> assertThat(m.source()).isEqualTo(target.value()));
            assertThat(zfs.getProperty(target, "canmount")).isEqualTo("noauto");
            assertThat(Trees.describe(at)).containsKey("d1/e1/f1.bin").doesNotContainKey("new/dir/file.txt");
        } finally {
            zfs.unmount(target);
        }
    }

    @Test
    void receive_intoAnUnmountedCopy_withMountAt_isMountedThereWithWhatItReceived() throws Exception {
        DatasetName target = pool.dataset("mounted-inc");
        Path at = pool.dir().resolve("mnt-inc");
        receive(target, fullStreamA, ReceiveOptions.defaults());
        zfs.mount(target, at);
        zfs.unmount(target); // as a refresh leaves it: unmounted, its mountpoint set
        receive(target, incrementalAB, ReceiveOptions.defaults().withMountAt(at));
        try {
            assertThat(MountTable.isMounted(at)).isTrue();
            assertThat(Trees.describe(at)).isEqualTo(Trees.describe(sourceMnt));
        } finally {
            zfs.unmount(target);
        }
    }

    @Test
    void receive_intoFullPool_isOutOfSpace_andLeavesNothing() throws Exception {
        try (TestPool small = TestPool.create(64L << 20)) {
            DatasetName target = small.dataset("toolarge");
            byte[] big = sendAll(source.snapshot("b"), Optional.empty());
            zfs.createDataset(small.dataset("limit"), DatasetProperties.create().quota(4L << 20));
            DatasetName limited = small.dataset("limit").child("x");
            assertThatThrownBy(() -> receive(limited, big, ReceiveOptions.defaults()))
                    .isInstanceOfAny(OutOfSpaceException.class, QuotaExceededException.class)
                    .hasMessageContaining("nothing");
            assertThat(zfs.exists(limited)).isFalse();
            assertThat(zfs.exists(target)).isFalse();
        }
    }

    @Test
    void receive_thatGivesUpMidStream_failsTheWriteWithItsTypedError() throws Exception {
        DatasetName target = pool.dataset("no-such-parent").child("x");
        ZfsException failure = null;
        try (ReceiveStream receive = zfs.receive(target, ReceiveOptions.defaults())) {
            for (int off = 0; off < fullStreamA.length; off += 1 << 16) {
                receive.stream().write(fullStreamA, off, Math.min(1 << 16, fullStreamA.length - off));
            }
            receive.finish();
        } catch (ZfsException e) {
            failure = e;
        }
        assertThat(failure).isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining("does not exist; nothing partial was kept");
    }

    @Test
    void send_missingSnapshot_failsAtFinishWithNotFound() throws Exception {
        try (SendStream send = zfs.send(source.snapshot("nope"), Optional.empty())) {
            assertThat(send.stream().readAllBytes()).isEmpty();
            assertThatThrownBy(send::finish).isInstanceOf(DatasetNotFoundException.class);
        }
    }

    @Test
    void send_incrementalFromLaterSnapshot_isMismatch() throws Exception {
        try (SendStream send = zfs.send(source.snapshot("a"), Optional.of(source.snapshot("b")))) {
            send.stream().readAllBytes();
            assertThatThrownBy(send::finish).isInstanceOf(IncrementalMismatchException.class);
        }
    }

    @Test
    void send_closedEarly_killsTheSend() throws Exception {
        SendStream send = zfs.send(source.snapshot("a"), Optional.empty());
        assertThat(send.stream().readNBytes(1 << 20)).hasSize(1 << 20);
        send.close();
        send.close();
        assertThat(send.bytes()).isEqualTo(1 << 20);
    }

    @Test
    void send_baseOfOtherDataset_isRejectedBeforeRunning() {
        assertThatThrownBy(() -> zfs.send(source.snapshot("b"), Optional.of(pool.dataset("x").snapshot("a"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(source)).isNotEmpty();
    }
}
