package io.zproj.zfs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Callable;

/** Waiting for a condition in a test, with a deadline that fails the test and says what was awaited. */
public final class Await {

    private Await() {}

    /** Waits up to {@code seconds} for {@code condition}, checking every 20 ms. */
    public static void within(double seconds, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what + " within " + seconds + " s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
