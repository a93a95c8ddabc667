package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.zproj.transport.SnapshotEntry;
import io.zproj.zfs.ProjectId;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControlServerTest {

    private static final ProjectId P = ProjectId.parse("0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69");
    private static final InetSocketAddress A = InetSocketAddress.createUnresolved("10.0.0.1", 7070);

    private static ProjectCache.ProjectStatus status(Optional<Transfers.Progress> transfer, Optional<String> conflict) {
        SnapshotEntry newest = new SnapshotEntry("zproj-20261124T120000Z", 2, 2, 1_795_521_600L);
        SnapshotEntry acked = new SnapshotEntry("zproj-20261124T115900Z", 1, 1, 1_795_521_540L);
        return new ProjectCache.ProjectStatus(P, 1234, conflict.isPresent() ? "conflicted" : "dirty", conflict,
                Optional.of(newest), Map.of(A, new WriteBack.ReplicaState(Optional.of(acked), Outcome.TEMPORARY, "timed out", 2, 0)),
                false, true, true, true, Optional.of(3), transfer);
    }

    @Test
    void text_showsStateReplicaLagErrorsAndProgress() {
        List<ProjectCache.ProjectStatus> one = List.of(status(
                Optional.of(new Transfers.Progress("writing back to 10.0.0.1:7070", 4096, 8192)), Optional.empty()));
        List<String> lines = ControlServer.text(one, false, java.time.Instant.ofEpochSecond(1_795_521_600L + 3 * 3600));
        assertThat(String.join("\n", ControlServer.text(one, true, java.time.Instant.ofEpochSecond(1_795_521_600L + 3 * 3600)))).contains(" 1234 ");
        assertThat(String.join("\n", lines)).contains("1.2 KiB").doesNotContain(" 1234 ");
        assertThat(String.join("\n", lines)).contains(P.toString()).contains("dirty").contains("native")
                .contains("@zproj-20261124T120000Z (3 hours ago)").contains("3 snapshots behind")
                .contains("writing back to 10.0.0.1:7070: 4096 of 8192 bytes")
                .contains("acked @zproj-20261124T115900Z (60 s behind); last attempt temporary (attempt 2, retried with backoff): timed out")
                .contains("1 cached projects");
    }

    @Test
    void json_isOneArray_withEscapedStrings() {
        String json = ControlServer.json(List.of(status(Optional.empty(), Optional.of("server said \"no\"\n"))));
        assertThat(json).startsWith("[{\"project\":\"" + P + "\"").endsWith("}}]")
                .contains("\"state\":\"conflicted\"").contains("\"conflict\":\"server said \\\"no\\\"\\n\"")
                .contains("\"transfer\":null").contains("\"10.0.0.1:7070\":{\"acked\":\"zproj-20261124T115900Z\",\"outcome\":\"temporary\",\"failures\":2,");
    }

    /** The request parser is picocli's: a request it cannot parse is FAILED with picocli's reason, and touches nothing. */
    @Test
    void badRequests_areFailed_withAReason_beforeTheCacheIsAsked() {
        ControlCommands.Parsers parsers = new ControlCommands.Parsers(null, java.time.Clock::systemUTC);
        assertThat(parsers.answer("frobnicate")).last().isEqualTo("FAILED");
        assertThat(String.join("\n", parsers.answer("frobnicate"))).contains("frobnicate");
        assertThat(parsers.answer("")).last().isEqualTo("FAILED");
        assertThat(String.join("\n", parsers.answer("evict not-a-uuid"))).contains("not-a-uuid")
                .endsWith("FAILED");
        assertThat(String.join("\n", parsers.answer("changes " + P + " --since yesterday")))
                .contains("not an ISO-8601 duration").endsWith("FAILED");
        assertThat(String.join("\n", parsers.answer("resolve " + P + " theirs")))
                .contains("local or remote").endsWith("FAILED");
        assertThat(String.join("\n", parsers.answer("status --bogus"))).contains("--bogus")
                .endsWith("FAILED");
        assertThat(parsers.kept()).as("one parser served every request, one after the other").isEqualTo(1);
    }

    /**
     * A kept parser carries nothing of one request into the next: the option a request gave is
     * back at its default in the next, and each answer holds only its own lines.
     */
    @Test
    void aKeptParser_startsEachRequestAfresh() {
        ControlCommands.Parsers parsers = new ControlCommands.Parsers(null, java.time.Clock::systemUTC);
        String first = String.join("\n", parsers.answer("changes " + P + " --since yesterday"));
        assertThat(first).contains("not an ISO-8601 duration").endsWith("FAILED");
        // the same command without --since: had "yesterday" stayed, it would fail the same way; with the
        // default it gets past the option to the cache, which this test has none of
        String second = String.join("\n", parsers.answer("changes " + P));
        assertThat(second).doesNotContain("ISO-8601").doesNotContain("yesterday").contains("internal error")
                .endsWith("FAILED");
        assertThat(parsers.answer("evict not-a-uuid")).noneMatch(l -> l.contains("ISO-8601") || l.contains("internal"));
        assertThat(parsers.kept()).isEqualTo(1);
    }

    /** Requests answered at the same time each get a parser; they are all kept for the next ones. */
    @Test
    void requestsAtTheSameTime_eachHaveTheirOwnParser() throws Exception {
        ControlCommands.Parsers parsers = new ControlCommands.Parsers(null, java.time.Clock::systemUTC);
        int threads = 4;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<List<String>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String request = i % 2 == 0 ? "resolve " + P + " theirs-" + i : "evict not-a-uuid-" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    List<String> a = null;
                    for (int k = 0; k < 200; k++) {
                        a = parsers.answer(request);
                    }
                    return a;
                }));
            }
            for (int i = 0; i < threads; i++) {
                String answer = String.join("\n", answers.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS));
                assertThat(answer).as("request %d", i).endsWith("FAILED")
                        .contains(i % 2 == 0 ? "theirs-" + i : "not-a-uuid-" + i)
                        .doesNotContain(i % 2 == 0 ? "not-a-uuid" : "theirs");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(parsers.kept()).isBetween(1, threads);
    }
}
