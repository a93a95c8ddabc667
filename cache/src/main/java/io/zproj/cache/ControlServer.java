package io.zproj.cache;

import io.zproj.transport.Addresses;
import io.zproj.zfs.ProjectId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The mount daemon's local control socket ({@code <state>/control.sock}), for {@code zproj sync}
 * and {@code zproj status}. One request line in, answer lines out, the last of which is
 * {@code OK} or {@code FAILED}. Only root can reach it (the state directory is root's).
 */
public final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    private final ServerSocketChannel channel;
    private final Path path;
    private final ProjectCache cache;
    private final ControlCommands.Parsers parsers;
    private final Thread acceptor;

    private ControlServer(ServerSocketChannel channel, Path path, ProjectCache cache) {
        this.channel = channel;
        this.path = path;
        this.cache = cache;
        this.parsers = new ControlCommands.Parsers(cache, () -> cache.clock());
        this.acceptor = new Thread(this::acceptLoop, "zproj-control");
        this.acceptor.setDaemon(true);
    }

    /** The socket path for a state directory. */
    public static Path socketPath(Path stateDir) {
        return stateDir.resolve("control.sock");
    }

    /** Listens on {@code <stateDir>/control.sock}, replacing a stale socket file of a dead daemon. */
    public static ControlServer start(Path stateDir, ProjectCache cache) throws IOException {
        Path path = socketPath(stateDir);
        Files.createDirectories(stateDir);
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        ControlServer server = new ControlServer(ch, path, cache);
        server.acceptor.start();
        return server;
    }

    private void acceptLoop() {
        while (channel.isOpen()) {
            try {
                SocketChannel c = channel.accept();
                Thread t = new Thread(() -> serve(c), "zproj-control-request");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (channel.isOpen()) {
                    LOG.log(Level.WARNING, "control socket: " + e.getMessage());
                }
            }
        }
    }

    /** Who may use the socket: root, and the user the daemon runs as. */
    static boolean allowed(UnixDomainPrincipal peer, String self) {
        String user = peer.user().getName();
        return user.equals("root") || user.equals(self);
    }

    private void serve(SocketChannel c) {
        try (c; OutputStream out = Channels.newOutputStream(c)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                    StandardCharsets.UTF_8));
            String request = in.readLine(); // read before any answer: closing on unread data resets the connection
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!allowed(peer, System.getProperty("user.name"))) {
                LOG.log(Level.WARNING, "control socket: refused user " + peer.user().getName()
                        + " (only root and the daemon's own user may use it)");
                out.write(("user " + peer.user().getName() + " may not use this daemon's control socket\nFAILED\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            List<String> answer;
            try {
                answer = handle(request == null ? "" : request.trim());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "control request '" + request + "' failed", e);
                answer = List.of("internal error: " + e, "FAILED");
            }
            out.write((String.join("\n", answer) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "control request failed: " + e.getMessage());
        }
    }

    /** Answers one request ({@link ControlCommands}); the last line is OK or FAILED. */
    List<String> handle(String request) {
        return parsers.answer(request);
    }

    /** The status as lines; sizes as {@code 5.1 MiB}, or to the byte if {@code exact}; times as ages at {@code now}. */
    static List<String> text(List<ProjectCache.ProjectStatus> projects, boolean exact, java.time.Instant now) {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-36s  %12s  %-10s  %s", "PROJECT", "SIZE", "STATE", "NEWEST / REPLICAS"));
        for (ProjectCache.ProjectStatus p : projects) {
            out.add(String.format(Locale.ROOT, "%-36s  %12s  %-10s  %s%s%s%s", p.id(),
                    exact ? Long.toString(p.sizeBytes()) : Bytes.format(p.sizeBytes()), p.state(),
                    p.localNewest().map(s -> "@" + s.name() + " (" + Ages.format(java.time.Instant.ofEpochSecond(
                            s.creationEpochSecond()), now) + ")").orElse("-"),
                    p.nativeMount() ? "  native" : p.mounted() ? "  mounted" : "",
                    p.behind().map(n -> n < 0 ? "  behind a replica (in use; refreshed when it is not)"
                            : "  " + n + " snapshots behind (in use; refreshed when it is not)").orElse(""),
                    p.transfer().map(t -> "  (" + t.kind() + ": " + t.done() + (t.total() > 0 ? " of " + t.total() : "")
                            + " bytes)").orElse(p.fetching() ? "  (fetching)" : p.writingBack() ? "  (writing back)" : "")));
            for (Map.Entry<InetSocketAddress, WriteBack.ReplicaState> r : p.replicas().entrySet()) {
                WriteBack.ReplicaState st = r.getValue();
                long lag = p.localNewest().isPresent() && st.acked().isPresent()
                        ? p.localNewest().get().creationEpochSecond() - st.acked().get().creationEpochSecond() : -1;
                out.add(String.format(Locale.ROOT, "    %-21s acked %s%s%s", Addresses.format(r.getKey()),
                        st.acked().map(s -> "@" + s.name()).orElse("nothing yet"),
                        lag > 0 ? " (" + lag + " s behind)" : lag == 0 ? " (current)" : "",
                        st.error().isEmpty() ? "" : "; last attempt " + st.outcome().word()
                                + (st.outcome().permanent() ? " (needs you)" : " (attempt " + st.failures()
                                + ", retried with backoff)") + ": " + st.error()));
            }
            p.conflict().ifPresent(c -> out.add("    conflict: " + c));
        }
        out.add(projects.size() + " cached projects");
        return out;
    }

    static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    static String writeJson(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** {@code status --json}: one array, a project per object, in the same order as the text. */
    static String json(List<ProjectCache.ProjectStatus> projects) {
        com.fasterxml.jackson.databind.node.ArrayNode all = JSON.createArrayNode();
        for (ProjectCache.ProjectStatus p : projects) {
            com.fasterxml.jackson.databind.node.ObjectNode o = all.addObject();
            o.put("project", p.id().toString());
            o.put("sizeBytes", p.sizeBytes());
            o.put("state", p.state());
            o.put("newest", p.localNewest().map(s -> s.name()).orElse(null));
            o.put("mounted", p.mounted());
            o.put("native", p.nativeMount());
            o.put("behind", p.behind().orElse(null));
            o.put("fetching", p.fetching());
            o.put("writingBack", p.writingBack());
            if (p.transfer().isPresent()) {
                Transfers.Progress t = p.transfer().get();
                com.fasterxml.jackson.databind.node.ObjectNode tr = o.putObject("transfer");
                tr.put("kind", t.kind());
                tr.put("bytesDone", t.done());
                tr.put("bytesTotal", t.total() > 0 ? t.total() : null);
            } else {
                o.putNull("transfer");
            }
            o.put("conflict", p.conflict().orElse(null));
            com.fasterxml.jackson.databind.node.ObjectNode replicas = o.putObject("replicas");
            for (Map.Entry<InetSocketAddress, WriteBack.ReplicaState> r : p.replicas().entrySet()) {
                com.fasterxml.jackson.databind.node.ObjectNode rep = replicas.putObject(Addresses.format(r.getKey()));
                rep.put("acked", r.getValue().acked().map(s -> s.name()).orElse(null));
                rep.put("outcome", r.getValue().outcome().word());
                rep.put("failures", r.getValue().failures());
                rep.put("error", r.getValue().error());
            }
        }
        return writeJson(all);
    }

    /** Sends one request to a daemon's control socket and returns its answer lines. */
    public static List<String> call(Path stateDir, String request) throws IOException {
        Path p = socketPath(stateDir);
        if (!Files.exists(p)) {
            throw new CacheException("no mount daemon is running with state directory " + stateDir
                    + " (no " + p + "); start one with 'zproj mount' or pass --state");
        }
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            c.write(java.nio.ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                    StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
            return lines;
        } catch (java.net.ConnectException e) {
            throw new CacheException("the mount daemon for " + stateDir + " does not answer (" + e.getMessage()
                    + "); it may have stopped");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing the control socket: " + e.getMessage());
        }
    }
}
