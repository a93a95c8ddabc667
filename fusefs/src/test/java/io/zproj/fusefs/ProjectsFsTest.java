package io.zproj.fusefs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zproj.cache.CacheException;
import io.zproj.zfs.OutOfSpaceException;
import io.zproj.zfs.QuotaExceededException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectsFsTest {

    @Test
    void errno_outOfSpaceOrQuotaAnywhereInTheCauses_isEnospcOrEdquot_elseEio() {
        OutOfSpaceException full = new OutOfSpaceException("out of space", List.of("zfs", "receive"), 1, "out of space");
        QuotaExceededException quota = new QuotaExceededException("disk quota exceeded", List.of("zfs"), 1, "");
        assertThat(ProjectsFs.errno(full)).isEqualTo(Errnos.ENOSPC);
        assertThat(ProjectsFs.errno(new CacheException("cannot fault in", new IOException("stream", full))))
                .isEqualTo(Errnos.ENOSPC);
        assertThat(ProjectsFs.errno(new CacheException("cannot fault in", quota))).isEqualTo(Errnos.EDQUOT);
        assertThat(ProjectsFs.errno(new CacheException("no replica answered"))).isEqualTo(Errnos.EIO);
    }
}
