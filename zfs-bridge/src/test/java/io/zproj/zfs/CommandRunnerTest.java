package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner on ordinary programs standing in for zfs: exit codes, bounds, timeouts. */
class CommandRunnerTest {

    private final ZfsConfig config = ZfsConfig.defaults().withCommandTimeout(Duration.ofSeconds(1))
            .withStreamIdleTimeout(Duration.ofSeconds(1));
    private final CommandRunner runner = new CommandRunner(config);

    @AfterEach
    void close() {
        runner.close();
    }

    private static List<String> sh(String script) {
        return List.of("/bin/sh", "-c", script);
    }

    @Test
    void run_success_returnsStdout() throws Exception {
        CommandRunner.Result r = runner.run(sh("printf 'a\\tb\\n'"));
        assertThat(r.stdout()).isEqualTo("a\tb\n");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void run_environment_isCLocale() throws Exception {
        assertThat(runner.run(sh("echo $LC_ALL")).stdout()).isEqualTo("C\n");
    }

    @Test
    void run_nonZeroExit_throwsTypedFromStderr() {
        assertThatThrownBy(() -> runner.run(sh("echo \"cannot open 'x/y': dataset does not exist\" >&2; exit 1")))
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessageContaining("dataset does not exist")
                .satisfies(e -> assertThat(((ZfsException) e).exitCode()).isEqualTo(1));
    }

    @Test
    void run_pastTimeout_isKilledWithTimeoutException() {
        assertThatThrownBy(() -> runner.run(List.of("/bin/sleep", "30")))
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessageContaining("did not finish within 1 s and was killed");
    }

    @Test
    void runAllowingFailure_hugeStderr_isBounded() throws Exception {
        CommandRunner.Result r = runner.runAllowingFailure(sh("head -c 3000000 /dev/zero | tr '\\0' x >&2; exit 3"));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).hasSize(ZfsConfig.DEFAULT_MAX_STDERR_BYTES);
    }

    @Test
    void run_stdoutOverBound_fails() {
        assertThatThrownBy(() -> runner.run(sh("head -c 70000000 /dev/zero")))
                .isInstanceOf(ZfsException.class)
                .hasMessageContaining("printed more than");
    }

    @Test
    void run_missingBinary_saysSo() {
        assertThatThrownBy(() -> runner.run(List.of("/nonexistent/zfs", "list")))
                .isInstanceOf(ZfsException.class)
                .hasMessageContaining("cannot run zfs list");
    }

    @Test
    void startStream_noProgress_isKilledAsStalled() throws Exception {
        StreamProcess p = runner.startStream(List.of("/bin/sleep", "30"), false);
        assertThat(p.process().getInputStream().read()).isEqualTo(-1); // ends when the watchdog kills it
        assertThatThrownBy(p::awaitExit)
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessageContaining("moved no data for 1 s");
    }

    @Test
    void startStream_countsProgressAndExits() throws Exception {
        StreamProcess p = runner.startStream(sh("head -c 100000 /dev/zero"), false);
        byte[] buf = new byte[8192];
        int n;
        while ((n = p.process().getInputStream().read(buf)) > 0) {
            p.progressed(n);
        }
        assertThat(p.awaitExit()).isZero();
        assertThat(p.bytes()).isEqualTo(100000);
    }
}
