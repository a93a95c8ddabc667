package io.zproj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShTest {

    @Test
    void stopAll_killsARunningCommandAndWhatItStarted() throws Exception {
        CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> {
            try {
                return Sh.run(Duration.ofMinutes(2), "bash", "-c", "sleep 600 & sleep 600; wait");
            } catch (IOException e) {
                return "failed: " + e.getMessage();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Sh.running() == 0 || ProcessHandle.current().descendants().filter(this::isSleep).count() < 2) {
            assertThat(System.nanoTime()).as("the command and its two sleeps start").isLessThan(deadline);
            Thread.sleep(10);
        }
        Sh.stopAll();
        assertThat(run.get(10, TimeUnit.SECONDS)).startsWith("failed: bash -c").contains("(exit 137)");
        assertThat(Sh.running()).isZero();
        assertThat(ProcessHandle.current().descendants().filter(this::isSleep)).isEmpty();
    }

    private boolean isSleep(ProcessHandle h) {
        return h.info().command().map(c -> c.endsWith("/sleep")).orElse(false);
    }
}
