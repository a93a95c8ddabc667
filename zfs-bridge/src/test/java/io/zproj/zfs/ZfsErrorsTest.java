package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each stderr below is literally what zfs-fuse 0.7 (or OpenZFS, where marked) prints. */
class ZfsErrorsTest {

    private static final List<String> CMD = List.of("/usr/sbin/zfs", "destroy", "tank/x");

    static Stream<Arguments> literalMessages() {
        return Stream.of(
                Arguments.of("cannot open 'tp1/nope': dataset does not exist\n", DatasetNotFoundException.class),
                Arguments.of("cannot open 'nopool/x': dataset does not exist\n", DatasetNotFoundException.class),
                Arguments.of("cannot open 'tp1/x@nope': dataset does not exist\n", DatasetNotFoundException.class),
                Arguments.of("cannot receive new filesystem stream: dataset does not exist\n",
                        DatasetNotFoundException.class),
                Arguments.of("cannot create 'zpt1_x/nope/x': parent does not exist\n", DatasetNotFoundException.class),
                Arguments.of("WARNING: could not send zpt1_x/src@nope: does not exist\n",
                        DatasetNotFoundException.class),
                // OpenZFS
                Arguments.of("could not find any snapshots to destroy; check snapshot names.\n",
                        DatasetNotFoundException.class),
                Arguments.of("cannot open 'nopool': no such pool\n", PoolNotFoundException.class),
                Arguments.of("cannot create 'nopool/x': no such pool 'nopool'\n", PoolNotFoundException.class),
                Arguments.of("cannot create 'tp1/x': dataset already exists\n", DatasetExistsException.class),
                Arguments.of("cannot create snapshot 'tp1/x@s1': dataset already exists\n",
                        DatasetExistsException.class),
                Arguments.of("cannot receive new filesystem stream: destination 'tp1/z' exists\n"
                        + "must specify -F to overwrite it\n", DatasetExistsException.class),
                Arguments.of("cannot create 'tp3': pool already exists\n", DatasetExistsException.class),
                Arguments.of("cannot destroy 'tp1/y': dataset is busy\n", DatasetBusyException.class),
                Arguments.of("umount: /tmp/zt/mx: target is busy.\n"
                        + "cannot unmount '/tmp/zt/mx': umount failed: umount child process failed\n",
                        DatasetBusyException.class),
                Arguments.of("cannot export 'tp1': pool is busy\n", DatasetBusyException.class),
                Arguments.of("cannot receive new filesystem stream: out of space\n", OutOfSpaceException.class),
                // OpenZFS
                Arguments.of("cannot receive new filesystem stream: destination tank/q/r space quota exceeded.\n",
                        QuotaExceededException.class),
                Arguments.of("cannot set property for 'tp1/y': size is less than current used or reserved space\n",
                        QuotaExceededException.class),
                Arguments.of("cannot receive new filesystem stream: invalid backup stream\n",
                        InvalidStreamException.class),
                Arguments.of("cannot receive: failed to read from stream\n", InvalidStreamException.class),
                // OpenZFS
                Arguments.of("cannot receive incremental stream: checksum mismatch or incomplete stream.\n",
                        InvalidStreamException.class),
                Arguments.of("cannot receive incremental stream: most recent snapshot of tp1/z does not\n"
                        + "match incremental source\n", IncrementalMismatchException.class),
                Arguments.of("warning: cannot send 'tp1/y@b': not an earlier snapshot from the same fs\n",
                        IncrementalMismatchException.class),
                Arguments.of("cannot receive incremental stream: destination tp1/z has been modified\n"
                        + "since most recent snapshot\n", DestinationModifiedException.class),
                Arguments.of("connect: Connection refused\nPlease make sure that the zfs-fuse daemon is running.\n"
                        + "internal error: failed to initialize ZFS library\n", ZfsUnavailableException.class));
    }

    @ParameterizedTest
    @MethodSource("literalMessages")
    void classify_literalMessage_givesTypedException(String stderr, Class<? extends ZfsException> expected) {
        ZfsException e = ZfsErrors.classify(CMD, 1, stderr);
        assertThat(e).isExactlyInstanceOf(expected);
        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.stderr()).isEqualTo(stderr);
        assertThat(e.command()).isEqualTo(CMD);
    }

    @Test
    void classify_unknownMessage_isPlainZfsException() {
        ZfsException e = ZfsErrors.classify(CMD, 2, "cannot set property for 'tp1/y': invalid property 'x'\n");
        assertThat(e).isExactlyInstanceOf(ZfsException.class);
        assertThat(e).hasMessage("zfs destroy tank/x failed (exit 2): "
                + "cannot set property for 'tp1/y': invalid property 'x'");
    }

    @Test
    void classify_wrappedMessage_isFoldedToOneLine() {
        ZfsException e = ZfsErrors.classify(CMD, 1,
                "cannot receive incremental stream: most recent snapshot of tp1/z does not\nmatch incremental source\n");
        assertThat(e.getMessage()).endsWith("most recent snapshot of tp1/z does not match incremental source");
    }

    @Test
    void classify_withOutcome_appendsIt() {
        ZfsException e = ZfsErrors.classify(CMD, 1, "cannot receive: failed to read from stream\n",
                "tank/x does not exist; nothing partial was kept");
        assertThat(e).isInstanceOf(InvalidStreamException.class)
                .hasMessageEndingWith("failed to read from stream; tank/x does not exist; nothing partial was kept");
    }

    @Test
    void fold_dropsUsageAndBounds() {
        assertThat(ZfsErrors.fold("invalid option 'N'\nusage:\n\timport [-d dir] [-D]\n"))
                .isEqualTo("invalid option 'N'");
        assertThat(ZfsErrors.fold("x".repeat(5000))).hasSize(603);
        assertThat(ZfsErrors.fold(null)).isEmpty();
    }
}
