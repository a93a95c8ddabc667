package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.zproj.transport.Load;
import io.zproj.transport.ProjectInfo;
import io.zproj.transport.SnapshotEntry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProjectTransfersTest {

    private static final UUID P = UUID.randomUUID();

    /** A replica whose snapshots have these GUIDs (oldest first) and, each, this creation time. */
    private static ProjectTransfers.Candidate candidate(String name, long[] guids, long creation, long rttMillis,
            int streams) {
        List<SnapshotEntry> snaps = new ArrayList<>();
        for (int i = 0; i < guids.length; i++) {
            snaps.add(new SnapshotEntry("s" + guids[i], guids[i], i + 1, creation));
        }
        return new ProjectTransfers.Candidate(InetSocketAddress.createUnresolved(name, 1),
                new ProjectInfo(P, 0, 0, 0, snaps), Duration.ofMillis(rttMillis), new Load(streams, 0));
    }

    @Test
    void bestFirst_mostAdvancedHistoryThenRttThenLoad() {
        ProjectTransfers.Candidate behind = candidate("behind-but-near", new long[] {1, 2}, 100, 1, 0);
        ProjectTransfers.Candidate farBusy = candidate("far-busy", new long[] {1, 2, 3}, 200, 50, 9);
        ProjectTransfers.Candidate farIdle = candidate("far-idle", new long[] {1, 2, 3}, 200, 50, 0);
        ProjectTransfers.Candidate near = candidate("near", new long[] {1, 2, 3}, 200, 5, 3);
        ProjectTransfers.Candidate empty = candidate("no-snapshot", new long[] {}, 0, 0, 0);
        List<ProjectTransfers.Candidate> ranked = ProjectTransfers.bestFirst(
                List.of(empty, behind, farBusy, farIdle, near));
        assertThat(ranked).containsExactly(near, farIdle, farBusy, behind, empty);
    }

    @Test
    void bestFirst_isNotFooledByAClockAhead() {
        // "clock-ahead" stamps its snapshots an hour late, but it is behind: it lacks 3.
        ProjectTransfers.Candidate advanced = candidate("advanced", new long[] {1, 2, 3}, 1000, 20, 0);
        ProjectTransfers.Candidate ahead = candidate("clock-ahead", new long[] {1, 2}, 4600, 1, 0);
        assertThat(ProjectTransfers.bestFirst(List.of(ahead, advanced))).containsExactly(advanced, ahead);
    }

    @Test
    void bestFirst_divergedHeadsAreRankedByRoundTrip() {
        // Neither of two diverged heads descends from the other: history cannot choose, the round trip does.
        ProjectTransfers.Candidate far = candidate("far", new long[] {1, 2, 3}, 1000, 20, 0);
        ProjectTransfers.Candidate near = candidate("near", new long[] {1, 2, 9}, 1000, 1, 0);
        ProjectTransfers.Candidate behind = candidate("behind", new long[] {1, 2}, 1000, 0, 0);
        assertThat(ProjectTransfers.bestFirst(List.of(far, behind, near))).containsExactly(near, far, behind);
    }
}
