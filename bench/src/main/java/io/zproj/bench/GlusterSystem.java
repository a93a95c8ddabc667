package io.zproj.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * GlusterFS as Debian ships it (default volume options): a {@code replica 2} volume with two
 * bricks on the local disk under {@code base/gluster} ({@code force}: they share the root file
 * system), served by {@code glusterd} and its brick daemons on loopback ({@code 127.0.0.2} —
 * gluster refuses {@code localhost} and {@code 127.0.0.1} as a brick host) and mounted with the
 * FUSE client ({@code mount -t glusterfs}). A {@code glusterd} that already runs is used and left
 * running; one started here (pid file {@value #GLUSTERD_PID_FILE}) is stopped by {@link #close}.
 * Leftovers of a crashed run — {@code zbench<pid>} volumes and mounts whose JVM is gone, a
 * {@code glusterd} such a run started — are removed on {@link #start}.
 */
final class GlusterSystem implements BenchSystem {

    /** Marks a glusterd that a bench run started, so a later run may adopt and stop it. */
    static final String GLUSTERD_PID_FILE = "/run/zproj-bench-glusterd.pid";

    private static final String HOST = "127.0.0.2";
    private static final Pattern BENCH_VOLUME = Pattern.compile("zbench(\\d+)(?:_\\d+)?");
    private static final Duration CLI = Duration.ofMinutes(3);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Path dir;
    private final Path mountpoint;
    private final List<Path> bricks;
    private final String volume;

    /** The glusterd this instance started or adopted, stopped by {@link #close}; 0 if none. */
    private long ourGlusterd;
    private boolean volumeRequested;

    GlusterSystem(Path base) {
        Path real;
        try {
            real = base.toRealPath(); // /proc/mounts lists resolved paths
        } catch (IOException e) {
            real = base.toAbsolutePath().normalize();
        }
        this.dir = real.resolve("gluster");
        this.mountpoint = dir.resolve("mnt");
        this.bricks = List.of(dir.resolve("brick1"), dir.resolve("brick2"));
        this.volume = "zbench" + ProcessHandle.current().pid() + "_" + INSTANCES.getAndIncrement();
    }

    @Override
    public String name() {
        return "gluster";
    }

    /** For example {@code GlusterFS 10.3}, from {@code glusterfs --version}. */
    String version() {
        try {
            String first = Sh.run(Duration.ofSeconds(30), exe("glusterfs"), "--version").lines()
                    .findFirst().orElse("").strip();
            Matcher m = Pattern.compile("glusterfs\\s+(\\S+)").matcher(first);
            return m.lookingAt() ? "GlusterFS " + m.group(1) : first;
        } catch (IOException | RuntimeException e) {
            return "GlusterFS (version unknown)";
        }
    }

    @Override
    public void start() throws IOException {
        for (String program : List.of("gluster", "glusterd", "glusterfs", "glusterfsd", "mount.glusterfs")) {
            if (exe(program) == null) {
                throw new IOException("glusterfs-server and glusterfs-client are not installed (./zproj bench installs them)");
            }
        }
        try {
            unmountStale();
            ensureGlusterd();
            removeStaleVolumes();
            if (ourGlusterd == 0) {
                adoptBenchGlusterd();
            }
            Sh.run(Duration.ofMinutes(10), "rm", "-rf", "--one-file-system", dir.toString());
            for (Path brick : bricks) {
                Files.createDirectories(brick);
            }
            Files.createDirectories(mountpoint);
            volumeRequested = true;
            List<String> create = new ArrayList<>(List.of(exe("gluster"), "--mode=script", "volume", "create",
                    volume, "replica", "2"));
            bricks.forEach(b -> create.add(HOST + ":" + b));
            create.add("force");
            Sh.run(CLI, create.toArray(String[]::new));
            gluster("volume", "start", volume);
            mount();
            Path probe = mountpoint.resolve(".zproj-bench-probe");
            Files.writeString(probe, "ok\n");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public Path workDir() {
        return mountpoint;
    }

    /** Unmounts and mounts again (about 0.1 s), then drops the kernel's caches. */
    @Override
    public void dropCaches() throws IOException {
        Sh.run(Duration.ofMinutes(2), "umount", mountpoint.toString());
        mount();
        Sh.dropKernelCaches();
    }

    @Override
    public String coldMeans() {
        return "volume unmounted and mounted again (a fresh FUSE client: its md-cache, quick-read and"
                + " inode table are empty), then kernel page, dentry and inode caches dropped (bricks included)";
    }

    @Override
    public void close() {
        try {
            if (isMounted(mountpoint)) {
                Sh.Result r = Sh.runAllowingFailure(Duration.ofMinutes(2), "umount", mountpoint.toString());
                if (r.exitCode() != 0) {
                    warn("umount " + mountpoint + ": " + r.stderr().strip() + "; detaching it lazily");
                    Sh.runAllowingFailure(Duration.ofMinutes(1), "umount", "-l", mountpoint.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            warn("could not unmount " + mountpoint + ": " + e.getMessage());
        }
        if (volumeRequested) {
            deleteVolume(volume);
            volumeRequested = false;
        }
        if (ourGlusterd != 0) {
            stopGlusterd(ourGlusterd);
            ourGlusterd = 0;
        }
        killProcessesOf(volume, false);
        try {
            if (Files.exists(dir)) {
                if (isMountedUnder(dir)) {
                    warn("left " + dir + " in place: something is still mounted below it");
                } else {
                    Sh.run(Duration.ofMinutes(10), "rm", "-rf", "--one-file-system", dir.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            warn("could not remove " + dir + ": " + e.getMessage());
        }
    }

    // --- glusterd ---------------------------------------------------------------------------

    private void ensureGlusterd() throws IOException {
        if (glusterdAnswers()) {
            return;
        }
        long stale = benchGlusterdPid();
        if (stale != 0) {
            warn("glusterd " + stale + " from an earlier bench run does not answer; stopping it");
            stopGlusterd(stale);
        }
        Files.deleteIfExists(Path.of(GLUSTERD_PID_FILE));
        Sh.run(Duration.ofMinutes(1), exe("glusterd"), "-p", GLUSTERD_PID_FILE);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!glusterdAnswers()) {
            if (System.nanoTime() > deadline) {
                long pid = benchGlusterdPid();
                if (pid != 0) {
                    stopGlusterd(pid);
                }
                throw new IOException("glusterd did not answer within 60 s (see /var/log/glusterfs/glusterd.log)");
            }
            sleep(100);
        }
        ourGlusterd = benchGlusterdPid();
        if (ourGlusterd == 0) {
            throw new IOException("glusterd answers but " + GLUSTERD_PID_FILE + " names no glusterd process");
        }
    }

    /** A glusterd that a crashed bench run started, now serving no volume, becomes ours. */
    private void adoptBenchGlusterd() throws IOException {
        long pid = benchGlusterdPid();
        if (pid != 0 && volumes().isEmpty()) {
            ourGlusterd = pid;
        }
    }

    private boolean glusterdAnswers() {
        try {
            return Sh.runAllowingFailure(Duration.ofSeconds(30), exe("gluster"), "--mode=script", "volume", "list")
                    .exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The live glusterd started with {@link #GLUSTERD_PID_FILE}, or 0. */
    private static long benchGlusterdPid() {
        try {
            long pid = Long.parseLong(Files.readString(Path.of(GLUSTERD_PID_FILE)).strip());
            List<String> argv = cmdline(pid);
            return isAlive(pid) && !argv.isEmpty() && argv.get(0).endsWith("glusterd")
                    && argv.contains(GLUSTERD_PID_FILE) ? pid : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void stopGlusterd(long pid) {
        // Its children are hook scripts (a volume delete runs S57glusterfind-delete-post, which
        // calls back into glusterd); let them finish. Bricks and daemons are reparented to init.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline && ProcessHandle.of(pid)
                .map(h -> h.descendants().anyMatch(d -> isAlive(d.pid()))).orElse(false)) {
            sleep(100);
        }
        terminate(pid, "glusterd");
        try {
            Files.deleteIfExists(Path.of(GLUSTERD_PID_FILE));
        } catch (IOException e) {
            warn("could not remove " + GLUSTERD_PID_FILE + ": " + e.getMessage());
        }
        // Without glusterd, nothing stops a self-heal daemon that is left over.
        killProcessesOf(volume, true);
    }

    // --- volumes and leftovers --------------------------------------------------------------

    private List<String> volumes() throws IOException {
        return gluster("volume", "list").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private String gluster(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(exe("gluster"), "--mode=script"));
        argv.addAll(List.of(args));
        return Sh.run(CLI, argv.toArray(String[]::new));
    }

    /** Stops and deletes a volume if it exists, then removes its run-state directories; never throws. */
    private void deleteVolume(String name) {
        try {
            if (!glusterdAnswers()) {
                warn("glusterd does not answer; volume " + name + " not deleted");
                return;
            }
            Sh.Result info = Sh.runAllowingFailure(CLI, exe("gluster"), "--mode=script", "volume", "info", name);
            if (info.exitCode() != 0) {
                return;
            }
            if (info.stdout().contains("Status: Started")) {
                gluster("volume", "stop", name, "force");
            }
            gluster("volume", "delete", name);
        } catch (IOException | RuntimeException e) {
            warn("could not delete volume " + name + ": " + e.getMessage());
        }
        killProcessesOf(name, false);
        for (String run : List.of("/run/gluster/vols/", "/run/gluster/shd/")) {
            try {
                Files.deleteIfExists(Path.of(run + name));
            } catch (IOException e) {
                // not empty: leave it
            }
        }
    }

    /** Lazily unmounts glusterfs mounts of {@code zbench<pid>} volumes whose JVM is gone. */
    private void unmountStale() throws IOException {
        for (io.zproj.zfs.MountTable.Mount m : io.zproj.zfs.MountTable.read()) {
            if (!m.fsType().equals("fuse.glusterfs")) {
                continue;
            }
            String name = m.source().substring(m.source().lastIndexOf('/') + 1);
            if (isStale(name)) {
                String where = m.mountpoint().toString();
                warn("unmounting " + where + ", a leftover of a crashed run");
                Sh.runAllowingFailure(Duration.ofMinutes(1), "umount", "-l", where);
                killProcessesOf(name, false);
            }
        }
    }

    /** Deletes {@code zbench<pid>} volumes whose JVM is gone, and their brick directories. */
    private void removeStaleVolumes() throws IOException {
        for (String name : volumes()) {
            if (!isStale(name)) {
                continue;
            }
            warn("deleting volume " + name + ", a leftover of a crashed run");
            try {
                List<Path> oldBricks = gluster("volume", "info", name).lines()
                        .filter(l -> l.matches("Brick\\d+: .*"))
                        .map(l -> Path.of(l.substring(l.indexOf(":/") + 1).strip()))
                        .filter(p -> p.getFileName().toString().matches("brick\\d")
                                && p.getParent() != null && p.getParent().getFileName().toString().equals("gluster"))
                        .toList();
                deleteVolume(name);
                for (Path old : oldBricks.stream().map(Path::getParent).distinct().toList()) {
                    removeOldDir(old);
                }
            } catch (IOException | RuntimeException e) {
                warn("could not remove leftover volume " + name + ": " + e.getMessage());
            }
        }
    }

    /** Removes a crashed run's {@code gluster} directory if it holds only bricks and a mountpoint. */
    private static void removeOldDir(Path old) throws IOException {
        if (!Files.isDirectory(old) || isMountedUnder(old)) {
            return;
        }
        try (Stream<Path> entries = Files.list(old)) {
            if (!entries.allMatch(e -> e.getFileName().toString().matches("brick\\d|mnt"))) {
                return;
            }
        }
        Sh.runAllowingFailure(Duration.ofMinutes(10), "rm", "-rf", "--one-file-system", old.toString());
    }

    /** A {@code zbench<pid>} name whose pid is no longer a live JVM (a reused pid is not one). */
    private static boolean isStale(String volumeName) {
        Matcher m = BENCH_VOLUME.matcher(volumeName);
        if (!m.matches()) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        List<String> argv = cmdline(pid);
        return pid != ProcessHandle.current().pid()
                && (!isAlive(pid) || argv.isEmpty() || !Path.of(argv.get(0)).getFileName().toString().equals("java"));
    }

    // --- the mount --------------------------------------------------------------------------

    /** {@code mount.glusterfs} returns once a stat of the mountpoint succeeds through the client. */
    private void mount() throws IOException {
        Sh.run(Duration.ofMinutes(2), "mount", "-t", "glusterfs", HOST + ":/" + volume, mountpoint.toString());
        if (!isMounted(mountpoint)) {
            throw new IOException("mount -t glusterfs " + HOST + ":/" + volume + " " + mountpoint
                    + " succeeded but /proc/mounts does not list it");
        }
    }

    private static boolean isMounted(Path where) throws IOException {
        return Mounts.isMounted(where);
    }

    private static boolean isMountedUnder(Path where) throws IOException {
        return Mounts.isMounted(where) || !Mounts.under(where).isEmpty();
    }

    // --- processes --------------------------------------------------------------------------

    /**
     * Ends the gluster processes of a volume that outlived its stop or unmount: bricks
     * ({@code --volfile-id <vol>.host.path}), FUSE clients ({@code --volfile-id=/<vol>}), and
     * with {@code withShd} the self-heal daemon ({@code shd/<vol>}), which may also serve other
     * volumes of its glusterd — so only once that glusterd is ours and gone. Never throws.
     */
    private static void killProcessesOf(String name, boolean withShd) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String f = p.getFileName().toString();
                if (!f.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(f);
                List<String> argv = cmdline(pid);
                if (argv.isEmpty() || !Set.of("glusterfs", "glusterfsd").contains(Path.of(argv.get(0)).getFileName().toString())) {
                    continue;
                }
                boolean mine = argv.stream().anyMatch(a -> a.startsWith(name + ".") || a.equals("--volfile-id=/" + name)
                        || a.equals("/" + name) || a.endsWith(":/" + name) || (withShd && a.equals("shd/" + name)));
                if (mine && isAlive(pid)) {
                    terminate(pid, String.join(" ", argv));
                }
            }
        } catch (IOException | RuntimeException e) {
            warn("could not look for processes of volume " + name + ": " + e.getMessage());
        }
    }

    /** SIGTERM, up to 10 s, then SIGKILL; never throws. */
    private static void terminate(long pid, String what) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (isAlive(pid) && System.nanoTime() < deadline) {
            sleep(50);
        }
        if (isAlive(pid)) {
            warn("killing " + pid + " (" + what + ")");
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static List<String> cmdline(long pid) {
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Running, not a zombie (here PID 1 reaps orphans late, so zombies linger). */
    private static boolean isAlive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String state = Daemon.statFields(stat)[0];
            return !state.startsWith("Z") && !state.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // --- helpers ----------------------------------------------------------------------------

    /** The program on the PATH, or in /usr/sbin or /sbin (a non-login PATH may lack them); null if absent. */
    private static String exe(String program) {
        if (Sh.onPath(program)) {
            return program;
        }
        for (String d : List.of("/usr/sbin/", "/sbin/")) {
            if (Files.isExecutable(Path.of(d + program))) {
                return d + program;
            }
        }
        return null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void warn(String message) {
        System.err.println("gluster: " + message);
    }
}
