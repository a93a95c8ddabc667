package io.zproj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zproj.zfs.DatasetName;
import io.zproj.zfs.DatasetProperties;
import io.zproj.zfs.ProjectId;
import io.zproj.zfs.ReceiveOptions;
import io.zproj.zfs.SendStream;
import io.zproj.zfs.Snapshot;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.testing.TestPool;
import io.zproj.zfs.testing.Trees;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.zproj.zfs.testing.Await;

/**
 * The launcher jar as a user runs it: {@code zproj server} processes on loopback, {@code zproj
 * pull/push/ls} processes against them, a server killed with SIGKILL before and during a pull.
 */
class CliIT {

    private static final Path JAR = Path.of("target", "zproj.jar").toAbsolutePath();

    private static TestPool pool;
    private static Zfs zfs;
    private static ProjectId project;
    private final List<Process> servers = new ArrayList<>();
    /** The test's CA and nodes, made with zproj ca: every server, mount and command below uses mutual TLS. */
    private static Path tls;

    @BeforeAll
    static void seed() throws IOException {
        assertThat(JAR).as("the shaded jar is built in the package phase").exists();
        pool = TestPool.create(1L << 30);
        zfs = pool.bridge();
        tls = pool.dir().resolve("tls");
        try {
            assertThat(run("ca", "init", tls.resolve("ca").toString()).exit()).isZero();
            assertThat(run("ca", "issue", "replica", "--ca", tls.resolve("ca").toString(), "--out",
                    tls.resolve("replica").toString(), "--role", "server", "--san", "127.0.0.1,localhost").exit())
                    .isZero();
            assertThat(run("ca", "issue", "operator", "--ca", tls.resolve("ca").toString(), "--out",
                    tls.resolve("operator").toString(), "--role", "admin").exit()).isZero();
            assertThat(run("ca", "issue", "laptop", "--ca", tls.resolve("ca").toString(), "--out",
                    tls.resolve("laptop").toString()).exit()).isZero();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        project = ProjectId.random();
        for (String root : List.of("srv0", "srv1", "srv2", "client", "third", "sender", "added")) {
            zfs.createDataset(pool.dataset(root), DatasetProperties.create());
        }
        DatasetName src = pool.dataset("srv0").child(project);
        zfs.createDataset(src, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Path mnt = pool.dir().resolve("seed");
        zfs.mount(src, mnt);
        Trees.populate(mnt, 77, 150, 120 << 20);
        zfs.unmount(src);
        Snapshot snap = zfs.snapshot(src.snapshot("2013-12-18T18:23:22")); // a foreign name, as in the seed
        try (SendStream send = zfs.send(snap.name(), Optional.empty())) {
            zfs.receive(pool.dataset("srv1").child(project), send.stream(), ReceiveOptions.defaults());
            send.finish();
        }
    }

    @AfterAll
    static void destroy() throws IOException {
        pool.close();
    }

    @AfterEach
    void stopServers() throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ProcessBuilder zproj(String... args) {
        // the daemons' JVM options, as ./zproj up and the systemd units start them
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("..", "packaging", "jvm.options").toAbsolutePath(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().put("ZPROJ_TLS", tls.resolve("operator").toString());
        return b;
    }

    /** Starts {@code zproj server} and waits for it to say it is serving. */
    private String startServer(String root, String... more) throws IOException {
        String address = "127.0.0.1:" + freePort();
        List<String> args = new ArrayList<>(List.of("server", "--root", pool.dataset(root).value(), "--listen", address,
                "--state", pool.dir().resolve("state-" + root).toString(), "--tls", tls.resolve("replica").toString(),
                "--crl", tls.resolve("ca/crl.pem").toString(), "--name", root));
        args.addAll(List.of(more));
        Process p = zproj(args.toArray(String[]::new)).redirectErrorStream(true).start();
        servers.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("zproj server: serving")) {
                drain(out);
                return address;
            }
        }
        throw new IOException("zproj server for " + root + " exited before serving");
    }

    private static void drain(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe from filling
                }
            } catch (IOException e) {
                // process gone
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** Runs a one-shot command to its end: exit code, stdout, stderr. */
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) throws IOException, InterruptedException {
        Path outFile = Files.createTempFile(pool.dir(), "out", ".txt");
        Path errFile = Files.createTempFile(pool.dir(), "err", ".txt");
        Process p = zproj(args).redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
    }

    private static Map<String, String> tree(DatasetName ds) throws IOException {
        return Trees.describe(zfs, ds, pool.dir().resolve("view").resolve(ds.value().replace('/', '_')));
    }

    @Test
    void ls_pull_push_endToEnd() throws Exception {
        String srv0 = startServer("srv0");
        Run ls = run("ls", "--from", srv0);
        assertThat(ls.exit()).isZero();
        assertThat(ls.out()).contains(project.toString()).contains("@2013-12-18T18:23:22").contains("1 projects");

        Run pull = run("pull", project.toString(), "--from", srv0, "--root", pool.dataset("client").value());
        assertThat(pull.exit()).as(pull.err()).isZero();
        assertThat(pull.out()).contains("pulled " + project).contains("in full").contains("on the wire");
        DatasetName local = pool.dataset("client").child(project);
        assertThat(tree(local)).isEqualTo(tree(pool.dataset("srv0").child(project)));

        Path mnt = pool.dir().resolve("edit");
        zfs.mount(local, mnt);
        Files.writeString(mnt.resolve("NEW.txt"), "pushed from the client");
        zfs.unmount(local);
        Run push = run("push", project.toString(), "--to", srv0, "--root", pool.dataset("client").value());
        assertThat(push.exit()).as(push.err()).isZero();
        assertThat(push.out()).contains("pushed " + project).contains("incrementally");

        Run third = run("pull", project.toString(), "--from", srv0, "--root", pool.dataset("third").value());
        assertThat(third.exit()).as(third.err()).isZero();
        assertThat(tree(pool.dataset("third").child(project))).isEqualTo(tree(local)).containsKey("NEW.txt");
    }

    @Test
    void anEmptyReplicaAdded_receivesEveryProject_withReplicate() throws Exception {
        String srv0 = startServer("srv0");
        String added = startServer("added");
        Run first = run("replicate", "--from", srv0, "--to", added, "--all");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        long held = zfs.listChildren(pool.dataset("srv0")).stream()
                .filter(d -> ProjectId.isValid(d.name().leaf())).count(); // other tests add projects to srv0
        assertThat(first.out()).contains(project + ": sent").contains("in full")
                .contains(held + " of " + held + " projects");
        assertThat(tree(pool.dataset("added").child(project))).isEqualTo(tree(pool.dataset("srv0").child(project)));
        Run again = run("replicate", "--from", srv0, "--to", added, project.toString());
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains(project + ": up to date");
        Run same = run("replicate", "--from", srv0, "--to", srv0, "--all");
        assertThat(same.exit()).isEqualTo(2);
        assertThat(same.err()).contains("the same replica");
    }

    @Test
    void pull_oneServerKilledBefore_andOneKilledMidStream_stillSucceeds() throws Exception {
        String srv0 = startServer("srv0");
        String srv1 = startServer("srv1");
        String dead = "127.0.0.1:" + freePort();
        DatasetName target = pool.dataset("client").child(project);
        zfs.destroyDataset(target);

        // killed before: a server that is gone; killed mid-stream: whichever serves first
        Process pull = zproj("pull", project.toString(), "--from", dead + "," + srv0 + "," + srv1,
                "--root", pool.dataset("client").value()).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(pull.getErrorStream(), StandardCharsets.UTF_8));
        String first = null;
        String line;
        StringBuilder log = new StringBuilder();
        while ((line = err.readLine()) != null) {
            log.append(line).append('\n');
            if (first == null && line.startsWith("zproj: pull ") && line.contains(" with ")) {
                first = line.substring(line.lastIndexOf(' ') + 1);
                Process victim = servers.get(first.equals(srv0) ? 0 : 1);
                victim.destroyForcibly(); // SIGKILL mid-stream
                victim.waitFor();
            }
        }
        assertThat(pull.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String out = new String(pull.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(first).as(log.toString()).isNotNull();
        assertThat(pull.exitValue()).as(log + out).isZero();
        assertThat(log).contains(first + " failed");
        String survivor = first.equals(srv0) ? srv1 : srv0;
        assertThat(out).contains("from " + survivor);
        assertThat(tree(target)).isEqualTo(tree(pool.dataset("srv1").child(project)));
    }

    @Test
    void server_sigtermDuringAReceive_abortsIt_leavingNothing() throws Exception {
        String srv2 = startServer("srv2");
        Process server = servers.get(servers.size() - 1);
        DatasetName sender = pool.dataset("sender").child(project);
        if (!zfs.exists(sender)) {
            try (SendStream send = zfs.send(zfs.newestSnapshot(pool.dataset("srv1").child(project)).orElseThrow().name(),
                    Optional.empty())) {
                zfs.receive(sender, send.stream(), ReceiveOptions.defaults());
                send.finish();
            }
        }
        Process push = zproj("push", project.toString(), "--to", srv2, "--root", pool.dataset("sender").value())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(push.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder log = new StringBuilder();
        while ((line = err.readLine()) != null) {
            log.append(line).append('\n');
            if (line.startsWith("zproj: push ")) {
                Thread.sleep(300);
                server.destroy(); // SIGTERM mid-stream
                break;
            }
        }
        drain(err);
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as(log.toString()).isTrue();
        assertThat(push.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(push.exitValue()).as("the push must fail, not claim success").isNotZero();
        assertThat(zfs.exists(pool.dataset("srv2").child(project))).as("no partial dataset on the server").isFalse();
    }

    /** Starts {@code zproj mount} and waits for the mountpoint to appear. */
    /** Starts {@code zproj mount} (its output in {@code mount.log}) and waits until its mountpoint answers. */
    private Process startMount(Path mountpoint, Path state, String servers) throws Exception {
        return startMountWith(mountpoint, state, "--servers", servers);
    }

    private Process startMountWith(Path mountpoint, Path state, String... fleet) throws Exception {
        return startMountAs("client", "laptop", mountpoint, state, fleet);
    }

    private Process startMountAs(String cacheRoot, String node, Path mountpoint, Path state, String... fleet)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("mount", mountpoint.toString(), "--cache-root",
                pool.dataset(cacheRoot).value(), "--state", state.toString(), "--writeback-interval", "1h",
                "--tls", tls.resolve(node).toString()));
        args.addAll(List.of(fleet));
        Process p = zproj(args.toArray(String[]::new))
                .redirectErrorStream(true).redirectOutput(pool.dir().resolve("mount.log").toFile())
                .start();
        for (int i = 0; i < 240 && !(isMounted(mountpoint) && answers(mountpoint)); i++) {
            assertThat(p.isAlive()).as("zproj mount runs").isTrue();
            Thread.sleep(250);
        }
        assertThat(isMounted(mountpoint) && answers(mountpoint)).as("zproj mount came up").isTrue();
        return p;
    }

    /** Whether a mount is live (a dead FUSE mount answers ENOTCONN). */
    private static boolean answers(Path dir) {
        try {
            Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits for a mount at {@code dir} (a project's native mount is made in the background). */
    private static void awaitMounted(Path dir) throws Exception {
        for (int i = 0; i < 240 && !isMounted(dir); i++) {
            Thread.sleep(250);
        }
        assertThat(isMounted(dir)).as("mounted: " + dir).isTrue();
    }

    private static boolean isMounted(Path mountpoint) {
        return io.zproj.zfs.MountTable.isMounted(mountpoint);
    }

    @Test
    void withEtcd_theMountFollowsWhatTheServersPublish_newProjectsAtOnce_aKilledServerDropsOut() throws Exception {
        try (io.zproj.server.fleet.LocalEtcd etcd = io.zproj.server.fleet.LocalEtcd.launch()) {
            String url = etcd.endpoint().toString();
            startServer("srv0", "--etcd", url);
            String srv2At = "127.0.0.1:" + freePort();
            Process srv2 = zproj("server", "--root", pool.dataset("srv2").value(), "--listen", srv2At,
                    "--state", pool.dir().resolve("state-srv2-etcd").toString(), "--tls",
                    tls.resolve("replica").toString(), "--name", "srv2", "--etcd", url)
                    .redirectErrorStream(true).redirectOutput(pool.dir().resolve("srv2-etcd.log").toFile()).start();
            servers.add(srv2);
            Path mountpoint = pool.dir().resolve("projects-etcd");
            Process mount = startMountWith(mountpoint, pool.dir().resolve("client-state-etcd"), "--etcd", url);
            try {
                Await.within(30, "the seeded project listed", () -> Files.exists(mountpoint.resolve(project.toString())));
                // a project pushed to srv2 appears in the mount by the watch (no list request is made)
                ProjectId fresh = ProjectId.random();
                zfs.createDataset(pool.dataset("sender").child(fresh),
                        DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
                Await.within(30, "srv2 published", () -> run("ls", "--from", srv2At).exit() == 0);
                Run push = run("push", fresh.toString(), "--to", srv2At, "--root",
                        pool.dataset("sender").value());
                assertThat(push.exit()).as(push.err()).isZero();
                Await.within(2, "the pushed project listed", () -> Files.exists(mountpoint.resolve(fresh.toString())));
                // srv2 killed: its lease expires, and what only it held leaves the namespace
                srv2.destroyForcibly();
                srv2.waitFor();
                Await.within(25, "the killed server's project gone", () -> !Files.exists(mountpoint.resolve(fresh.toString())));
                assertThat(mountpoint.resolve(project.toString())).exists();
            } finally {
                mount.destroy();
                assertThat(mount.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void withEtcd_aWriterKilledWith9_losesItsKeyWithItsLease_andAnotherHostTakesItWithTheNewestData() throws Exception {
        ProjectId shared = ProjectId.random(); // on both replicas at the same snapshot
        DatasetName src = pool.dataset("srv0").child(shared);
        zfs.createDataset(src, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Snapshot first = zfs.snapshot(src);
        try (SendStream send = zfs.send(first.name(), Optional.empty())) {
            zfs.receive(pool.dataset("srv1").child(shared), send.stream(), ReceiveOptions.defaults());
            send.finish();
        }
        assertThat(run("ca", "issue", "desk", "--ca", tls.resolve("ca").toString(), "--out",
                tls.resolve("desk").toString()).exit()).isZero();
        for (String root : List.of("etcd-a", "etcd-b")) {
            if (!zfs.exists(pool.dataset(root))) {
                zfs.createDataset(pool.dataset(root), DatasetProperties.create());
            }
        }
        Path mpA = pool.dir().resolve("projects-a");
        Path mpB = pool.dir().resolve("projects-b");
        Path stateA = pool.dir().resolve("state-a");
        Path stateB = pool.dir().resolve("state-b");
        try (io.zproj.server.fleet.LocalEtcd etcd = io.zproj.server.fleet.LocalEtcd.launch()) {
            String url = etcd.endpoint().toString();
            startServer("srv0", "--etcd", url);
            startServer("srv1", "--etcd", url);
            Process a = startMountAs("etcd-a", "laptop", mpA, stateA, "--etcd", url);
            Process b = null;
            try {
                Await.within(30, "a lists the project", () -> Files.exists(mpA.resolve(shared.toString())));
                Files.writeString(mpA.resolve(shared.toString()).resolve("acked.txt"), "acked before the kill");
                Run sync = run("sync", "--state", stateA.toString());
                assertThat(sync.exit()).as(sync.out() + sync.err()).isZero();
                b = startMountAs("etcd-b", "desk", mpB, stateB, "--etcd", url);
                Path onB = mpB.resolve(shared.toString());
                Await.within(30, "b lists the project", () -> Files.exists(onB));
                assertThat(Files.readString(onB.resolve("acked.txt"))).isEqualTo("acked before the kill");
                assertThatThrownBy(() -> Files.writeString(onB.resolve("b.txt"), "b"))
                        .hasMessageContaining("Read-only file system");
                Run taken = run("take", shared.toString(), "--state", stateB.toString());
                assertThat(taken.exit()).isEqualTo(1);
                assertThat(taken.out() + taken.err()).contains("is written by laptop");

                a.destroyForcibly(); // kill -9: no write-back, no release, its lease runs out
                a.waitFor();
                Await.within(40, "b takes the key once a's lease expired",
                        () -> run("take", shared.toString(), "--state", stateB.toString()).exit() == 0);
                Files.writeString(onB.resolve("b.txt"), "b writes now");
                assertThat(Files.readString(onB.resolve("acked.txt"))).isEqualTo("acked before the kill");
                Run where = run("where", shared.toString(), "--etcd", url);
                assertThat(where.out()).contains("writer: desk").contains("srv0").contains("srv1");
            } finally {
                if (b != null) {
                    b.destroy();
                    assertThat(b.waitFor(60, TimeUnit.SECONDS)).isTrue();
                }
                // a died with its mounts in place: take them away as its next start would
                for (Path m : List.of(mpA.resolve(shared.toString()), mpA)) {
                    new ProcessBuilder("umount", "-l", m.toString()).start().waitFor();
                }
            }
        }
    }


    @Test
    void mountKilledBetweenAWriteAndItsWriteBack_theWriteReachesTheReplicasAfterRestart() throws Exception {
        ProjectId project = ProjectId.random(); // on both replicas at the same snapshot
        DatasetName src = pool.dataset("srv0").child(project);
        zfs.createDataset(src, DatasetProperties.create().canmount(DatasetProperties.CanMount.NOAUTO));
        Snapshot first = zfs.snapshot(src);
        try (SendStream send = zfs.send(first.name(), Optional.empty())) {
            zfs.receive(pool.dataset("srv1").child(project), send.stream(), ReceiveOptions.defaults());
            send.finish();
        }
        String srv0 = startServer("srv0");
        String srv1 = startServer("srv1");
        Path mountpoint = pool.dir().resolve("projects");
        Path state = pool.dir().resolve("client-state");
        Process mount = startMount(mountpoint, state, srv0 + "," + srv1);
        Path file = mountpoint.resolve(project.toString()).resolve("KILL-9.txt");
        Files.writeString(file, "written just before kill -9");
        Path projectDir = mountpoint.resolve(project.toString());
        awaitMounted(projectDir); // its native mount, made in the background
        assertThat(Files.readString(Path.of("/proc/1/mountinfo"))).as("made in the host's mount namespace: pid 1 sees it")
                .contains(" " + projectDir + " ");

        mount.destroyForcibly(); // SIGKILL: no write-back, no unmount
        mount.waitFor();
        assertThat(isMounted(mountpoint)).as("the dead FUSE mount stays").isTrue();
        assertThat(isMounted(projectDir)).as("with the project mounted on top").isTrue();

        Process again = startMount(mountpoint, state, srv0 + "," + srv1);
        try {
            assertThat(Files.readString(pool.dir().resolve("mount.log"))).as("the next start clears both")
                    .contains("detached " + projectDir).contains("cleared the dead mount at " + mountpoint);
            assertThat(Files.readString(file)).isEqualTo("written just before kill -9");
            awaitMounted(projectDir);
            Run sync = run("sync", "--state", state.toString());
            assertThat(sync.exit()).as(sync.out() + sync.err()).isZero();
            assertThat(sync.out()).contains("acked");
            Run status = run("status", "--json", "--state", state.toString());
            assertThat(status.exit()).isZero();
            assertThat(status.out()).contains("\"project\":\"" + project + "\"").contains("\"state\":\"clean\"");
        } finally {
            again.destroy(); // SIGTERM: clean unmount
            assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(isMounted(mountpoint)).isFalse();
        for (String root : List.of("srv0", "srv1")) {
            DatasetName ds = pool.dataset(root).child(project);
            Path m = pool.dir().resolve("check-" + root);
            zfs.mount(ds, m);
            try {
                assertThat(Files.readString(m.resolve("KILL-9.txt"))).isEqualTo("written just before kill -9");
            } finally {
                zfs.unmount(ds);
            }
        }
    }

    @Test
    void syncWithoutADaemon_saysSo() throws Exception {
        Run sync = run("sync", "--state", pool.dir().resolve("no-daemon-here").toString());
        assertThat(sync.exit()).isEqualTo(1);
        assertThat(sync.err()).contains("no mount daemon is running");
    }

    @Test
    void badInput_givesClearErrorsAndExitCodes() throws Exception {
        Run badUuid = run("pull", "../etc", "--from", "127.0.0.1:1", "--root", "x");
        assertThat(badUuid.exit()).isEqualTo(2);
        assertThat(badUuid.err()).contains("not a project id");

        Run badAddress = run("ls", "--from", "nohostport");
        assertThat(badAddress.exit()).isEqualTo(2);
        assertThat(badAddress.err()).contains("not HOST:PORT");

        Run nobody = run("ls", "--from", "127.0.0.1:" + freePort());
        assertThat(nobody.exit()).isEqualTo(1);
        assertThat(nobody.err()).contains("cannot connect to");

        Run badRoot = run("server", "--root", pool.dataset("missing").value(), "--listen", "127.0.0.1:" + freePort(),
                "--tls", tls.resolve("replica").toString());
        assertThat(badRoot.exit()).isEqualTo(1);
        assertThat(badRoot.err()).contains("does not exist");
    }

    @Test
    void trust_serversNeedTls_revokedAndPlainClientsAreRefused() throws Exception {
        Run noTls = run("server", "--root", pool.dataset("srv0").value(), "--listen", "127.0.0.1:" + freePort(),
                "--tls", "");
        assertThat(noTls.exit()).isEqualTo(2);
        assertThat(noTls.err()).contains("a server needs --tls NODEDIR");
        Run wide = run("server", "--root", pool.dataset("srv0").value(), "--listen", "0.0.0.0:" + freePort(),
                "--tls", "", "--insecure");
        assertThat(wide.exit()).isEqualTo(2);
        assertThat(wide.err()).contains("only with a loopback --listen address");

        String srv = startServer("srv0");
        Run plain = run("ls", "--from", srv, "--tls", "");
        assertThat(plain.exit()).isEqualTo(1);
        assertThat(plain.err()).contains("handshake with " + srv + " failed").contains("--tls");
        Run ok = run("ls", "--from", srv, "--tls", tls.resolve("laptop").toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains(project.toString());

        assertThat(run("ca", "issue", "stolen", "--ca", tls.resolve("ca").toString(), "--out",
                tls.resolve("stolen").toString()).exit()).isZero();
        assertThat(run("ls", "--from", srv, "--tls", tls.resolve("stolen").toString()).exit()).isZero();
        Run revoke = run("ca", "revoke", "stolen", "--ca", tls.resolve("ca").toString());
        assertThat(revoke.out()).contains("revoked 1 certificate(s) of stolen");
        Run refused = run("ls", "--from", srv, "--tls", tls.resolve("stolen").toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("handshake with " + srv + " failed");
        assertThat(Files.getPosixFilePermissions(tls.resolve("stolen/node.key")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
}
