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

    private static ProjectTransfers.Candidate candidate(String name, long newestCreation, long rttMillis, int streams) {
        List<SnapshotEntry> snaps = newestCreation < 0 ? List.of()
                : List.of(new SnapshotEntry("s", newestCreation, 1, newestCreation));
        return new ProjectTransfers.Candidate(InetSocketAddress.createUnresolved(name, 1),
                new ProjectInfo(P, 0, 0, snaps), Duration.ofMillis(rttMillis), new Load(streams, 0));
    }

    @Test
    void bestFirst_newestSnapshotThenRttThenLoad() {
        ProjectTransfers.Candidate old = candidate("old-but-near", 100, 1, 0);
        ProjectTransfers.Candidate farBusy = candidate("far-busy", 200, 50, 9);
        ProjectTransfers.Candidate farIdle = candidate("far-idle", 200, 50, 0);
        ProjectTransfers.Candidate near = candidate("near", 200, 5, 3);
        ProjectTransfers.Candidate empty = candidate("no-snapshot", -1, 0, 0);
        List<ProjectTransfers.Candidate> list = new ArrayList<>(List.of(empty, old, farBusy, farIdle, near));
        list.sort(ProjectTransfers.BEST_FIRST);
        assertThat(list).containsExactly(near, farIdle, farBusy, old, empty);
    }
}
