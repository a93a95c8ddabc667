package io.zproj.zfs;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One mount at a time on this host. zfs-fuse hands a newly mounted filesystem to its FUSE
 * listener with two unlocked writes to one pipe ({@code zfsfuse_newfs} in fuse_listener.c):
 * two mounts at the same moment can interleave them, and the listener then waits forever for
 * a length it read from the middle of a path, holding the lock every FUSE request needs, so
 * every zfs-fuse mount on the host hangs until the daemon is killed (seen here, under the
 * mount ITs). Every command that may mount ({@code zfs mount}, {@code create}, {@code rename},
 * {@code set mountpoint}, {@code set canmount} but to {@code noauto}, {@code zpool create/import})
 * therefore runs under this lock:
 * a lock within the JVM, and a file lock across zproj processes ({@code /run/lock}). Commands
 * run by hand are beyond it; the README says so.
 */
final class MountLock {

    private static final System.Logger LOG = System.getLogger(MountLock.class.getName());
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();
    private static final Path FILE = lockFile();
    private static final Set<String> MOUNTING_ZFS = Set.of("mount", "create", "clone", "rename", "inherit");
    private static final Set<String> MOUNTING_ZPOOL = Set.of("create", "import");

    private MountLock() {}

    /** Whether a {@code zfs} or {@code zpool} command may mount a filesystem. */
    static boolean mayMount(List<String> command) {
        if (command.size() < 2) {
            return false;
        }
        String tool = Path.of(command.get(0)).getFileName().toString();
        String verb = command.get(1);
        if (tool.equals("zpool")) {
            return MOUNTING_ZPOOL.contains(verb);
        }
        if (MOUNTING_ZFS.contains(verb)) {
            return true;
        }
        // canmount=noauto neither mounts nor unmounts (libzfs leaves the mount as it is for it)
        return verb.equals("set") && command.stream().anyMatch(a -> a.startsWith("mountpoint=")
                || a.startsWith("canmount=") && !a.equals("canmount=noauto"));
    }

    /** Held while a mounting command runs; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for the host's mount lock. */
    static Held acquire() {
        IN_PROCESS.lock();
        FileChannel channel = null;
        FileLock lock = null;
        try {
            channel = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.lock();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "no file lock " + FILE + " (" + e + "): mounts are serialized in this process only");
            closeQuietly(channel);
            channel = null;
        }
        FileChannel c = channel;
        FileLock l = lock;
        return () -> {
            try {
                if (l != null) {
                    l.release();
                }
            } catch (IOException e) {
                // closing the channel releases it too
            } finally {
                closeQuietly(c);
                IN_PROCESS.unlock();
            }
        };
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing held any more
            }
        }
    }

    private static Path lockFile() {
        Path run = Path.of("/run/lock");
        Path dir = Files.isDirectory(run) && Files.isWritable(run) ? run : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("zproj-zfs-mounts.lock");
    }
}
