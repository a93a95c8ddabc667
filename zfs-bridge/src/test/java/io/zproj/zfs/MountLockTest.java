package io.zproj.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MountLockTest {

    @Test
    void commandsThatMayMount_areTheOnesThatTakeTheLock() {
        assertThat(MountLock.mayMount(List.of("/usr/sbin/zfs", "mount", "p/a"))).isTrue();
        assertThat(MountLock.mayMount(List.of("zfs", "create", "-o", "canmount=noauto", "p/a"))).isTrue();
        assertThat(MountLock.mayMount(List.of("zfs", "rename", "p/a", "p/b"))).isTrue();
        assertThat(MountLock.mayMount(List.of("zfs", "set", "mountpoint=/x", "p/a"))).isTrue();
        assertThat(MountLock.mayMount(List.of("zfs", "set", "canmount=on", "p/a"))).isTrue();
        assertThat(MountLock.mayMount(List.of("/sbin/zpool", "import", "-d", "/d", "p"))).isTrue();
        assertThat(MountLock.mayMount(List.of("zpool", "create", "p", "/f"))).isTrue();
        assertThat(MountLock.mayMount(List.of("zfs", "set", "canmount=off", "p/a"))).isTrue();
        assertThat(MountLock.mayMount(List.of("zfs", "set", "canmount=noauto", "p/a")))
                .as("noauto neither mounts nor unmounts").isFalse();
        assertThat(MountLock.mayMount(List.of("zfs", "set", "quota=1G", "p/a"))).isFalse();
        assertThat(MountLock.mayMount(List.of("zfs", "get", "-H", "mountpoint", "p/a"))).isFalse();
        assertThat(MountLock.mayMount(List.of("zfs", "snapshot", "p/a@s"))).isFalse();
        assertThat(MountLock.mayMount(List.of("zfs", "unmount", "p/a"))).isFalse();
        assertThat(MountLock.mayMount(List.of("zpool", "list"))).isFalse();
    }

    @Test
    void oneHolderAtATime() throws Exception {
        CountDownLatch tried = new CountDownLatch(1);
        AtomicBoolean got = new AtomicBoolean();
        Thread other;
        try (MountLock.Held held = MountLock.acquire()) {
            other = new Thread(() -> {
                tried.countDown();
                try (MountLock.Held h = MountLock.acquire()) {
                    got.set(true);
                }
            });
            other.start();
            assertThat(tried.await(5, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (other.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until it parks on the lock
            }
            assertThat(other.getState()).isEqualTo(Thread.State.WAITING);
            assertThat(got).isFalse();
        }
        other.join(5_000);
        assertThat(got).isTrue();
    }
}
