package io.zproj.cache;

import io.zproj.zfs.ProjectId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The requests a mount daemon answers on its control socket, parsed by picocli as the CLI's own
 * commands are: one line of words in, answer lines out, the last {@code OK} or {@code FAILED}.
 * The CLI's {@code sync}, {@code status}, {@code resolve}, {@code take}, {@code release},
 * {@code evict}, {@code snapshots} and {@code changes} send these.
 */
@Command(name = "control", description = "a request to the mount daemon")
final class ControlCommands {

    private final ProjectCache cache;
    private final java.time.Clock clock;
    /** This request's answer (set for each request, before the parse). */
    private PrintWriter out;
    private final CommandLine cl;

    private ControlCommands(ProjectCache cache, java.time.Clock clock) {
        this.cache = cache;
        this.clock = clock;
        this.cl = new CommandLine(this);
        cl.setExpandAtFiles(false); // a word is a word: no "@file" read by the daemon
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            out.println(e instanceof IOException || e instanceof IllegalArgumentException
                    ? e.getMessage() : "internal error: " + e);
            return 1;
        });
    }

    /**
     * Answers control requests, each with a parser of its own while it runs, so that requests
     * run side by side (a long {@code sync} holds up no {@code status}). A parser is built when
     * none is free and kept for the next request: picocli builds its model of the commands by
     * reflection, reading every method's annotations anew, which cost the mount daemon about
     * 6 ms of CPU for each request when each built its own, and kept the JIT compiling that
     * path for as long as requests came. picocli resets every option and parameter before it
     * parses, so nothing of one request is left for the next.
     */
    static final class Parsers {
        private final ProjectCache cache;
        private final java.util.function.Supplier<java.time.Clock> clock;
        private final java.util.concurrent.ConcurrentLinkedQueue<ControlCommands> free =
                new java.util.concurrent.ConcurrentLinkedQueue<>();

        /** @param clock asked when a parser is built (not before the first request) */
        Parsers(ProjectCache cache, java.util.function.Supplier<java.time.Clock> clock) {
            this.cache = cache;
            this.clock = clock;
        }

        /** Answers one request line: its answer lines, the last {@code OK} or {@code FAILED}. */
        List<String> answer(String request) {
            ControlCommands parser = free.poll();
            if (parser == null) {
                parser = new ControlCommands(cache, clock.get());
            }
            try {
                return parser.answer(request);
            } finally {
                free.offer(parser);
            }
        }

        /** How many parsers are kept for the next requests (as many as were ever answering at once). */
        int kept() {
            return free.size();
        }
    }

    private List<String> answer(String request) {
        String[] words = request.isBlank() ? new String[0] : request.trim().split("\\s+");
        StringWriter text = new StringWriter();
        out = new PrintWriter(text);
        cl.setOut(out);
        cl.setErr(out);
        int code = words.length == 0 ? 2 : cl.execute(words);
        if (words.length == 0) {
            out.println("no request (sync | status | resolve | take | release | evict | snapshots | changes)");
        }
        out.flush();
        List<String> lines = new ArrayList<>(text.toString().lines().toList());
        lines.add(code == 0 ? "OK" : "FAILED");
        return lines;
    }

    private static ProjectId project(String uuid) {
        return ProjectId.parse(uuid); // IllegalArgumentException: "not a project id: ..."
    }

    @Command(name = "sync")
    int sync(@Parameters(arity = "0..1", paramLabel = "UUID") String uuid) {
        ProjectCache.SyncReport r = cache.sync(Optional.ofNullable(uuid).map(ControlCommands::project));
        r.lines().forEach(out::println);
        return r.ok() ? 0 : 1;
    }

    @Command(name = "status")
    int status(@Option(names = "--json") boolean json, @Option(names = "--bytes") boolean bytes) {
        if (json) {
            out.println(ControlServer.json(cache.status()));
        } else {
            ControlServer.text(cache.status(), bytes, clock.instant()).forEach(out::println);
            out.println(cache.fleetStatus());
        }
        return 0;
    }

    @Command(name = "resolve")
    int resolve(@Parameters(paramLabel = "UUID") String uuid, @Parameters(paramLabel = "local|remote") String keep)
            throws IOException {
        if (!keep.equals("local") && !keep.equals("remote")) {
            throw new IllegalArgumentException("--keep must be local or remote, not '" + keep + "'");
        }
        cache.resolve(project(uuid), keep.equals("local")).forEach(out::println);
        return 0;
    }

    @Command(name = "take")
    int take(@Parameters(paramLabel = "UUID") String uuid) throws IOException {
        out.println(cache.take(project(uuid)));
        return 0;
    }

    @Command(name = "release")
    int release(@Parameters(paramLabel = "UUID") String uuid) throws IOException {
        out.println(cache.release(project(uuid)));
        return 0;
    }

    @Command(name = "evict")
    int evict(@Parameters(paramLabel = "UUID") String uuid) {
        ProjectId id = project(uuid);
        Optional<String> why = cache.evict(id);
        out.println(why.map(w -> "cannot evict " + id + ": " + w).orElse("evicted " + id));
        return why.isEmpty() ? 0 : 1;
    }

    @Command(name = "snapshots")
    int snapshots(@Parameters(paramLabel = "UUID") String uuid, @Option(names = "--remote") boolean remote,
            @Option(names = "--json") boolean json, @Option(names = "--bytes") boolean bytes) throws IOException {
        ProjectCache.SnapshotList list = cache.snapshotList(project(uuid), remote);
        Instant now = clock.instant();
        if (json) {
            com.fasterxml.jackson.databind.node.ArrayNode all = ControlServer.JSON.createArrayNode();
            for (ProjectCache.SnapshotInfo s : list.snapshots()) {
                com.fasterxml.jackson.databind.node.ObjectNode o = all.addObject();
                o.put("name", s.name());
                o.put("created", s.created().toString());
                o.put("local", s.local());
                o.put("referencedBytes", s.local() ? s.referencedBytes() : null);
                o.put("usedBytes", s.local() ? s.usedBytes() : null);
                s.replicas().forEach(o.putArray("replicas")::add);
            }
            out.println(ControlServer.writeJson(all));
            return list.unreachable().isEmpty() ? 0 : 1;
        }
        out.println(String.format(Locale.ROOT, "%-30s  %-16s  %10s  %10s  %s", "SNAPSHOT", "TAKEN", "SIZE", "UNIQUE",
                remote ? "HELD BY" : ""));
        for (ProjectCache.SnapshotInfo s : list.snapshots()) {
            out.println(String.format(Locale.ROOT, "%-30s  %-16s  %10s  %10s  %s", s.name(), Ages.format(s.created(), now),
                    s.local() ? size(s.referencedBytes(), bytes) : "-", s.local() ? size(s.usedBytes(), bytes) : "-",
                    remote ? (s.local() ? "here" + (s.replicas().isEmpty() ? "" : ", ") : "")
                            + String.join(", ", s.replicas()) : "").stripTrailing());
        }
        list.unreachable().forEach(u -> out.println("not answering: " + u));
        out.println(list.snapshots().size() + " snapshots" + (remote ? "" : " here; --remote adds the replicas'")
                + (list.snapshots().stream().anyMatch(ProjectCache.SnapshotInfo::local)
                        ? "; browse them at /projects/.snapshots/" + uuid + "/" : ""));
        return list.unreachable().isEmpty() ? 0 : 1;
    }

    private static String size(long n, boolean exact) {
        return exact ? Long.toString(n) : Bytes.format(n);
    }

    @Command(name = "changes")
    int changes(@Parameters(paramLabel = "UUID") String uuid,
            @Option(names = "--since", paramLabel = "ISO-8601", defaultValue = "P1D") String since,
            @Option(names = "--json") boolean json) throws IOException {
        Duration window;
        try {
            window = Duration.parse(since);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--since: not an ISO-8601 duration: '" + since + "'");
        }
        ProjectCache.RecentChanges r = cache.recentChanges(project(uuid), window);
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode o = ControlServer.JSON.createObjectNode();
            o.put("project", uuid);
            o.put("since", r.since().toString());
            o.put("comparedWith", r.base());
            o.put("comparedWithCreated", r.baseCreated().toString());
            o.put("historyShorterThanWindow", r.sinceOldest());
            com.fasterxml.jackson.databind.node.ArrayNode list = o.putArray("changes");
            for (FileChanges.Change c : r.changes()) {
                com.fasterxml.jackson.databind.node.ObjectNode e = list.addObject();
                e.put("path", c.path());
                e.put("change", c.kind().word());
                e.put("time", c.when().toString());
                e.put("sizeBytes", c.sizeBytes());
                e.put("directory", c.directory());
            }
            out.println(ControlServer.writeJson(o));
            return 0;
        }
        Instant now = clock.instant();
        for (FileChanges.Change c : r.changes()) {
            out.println(String.format(Locale.ROOT, "%-14s  %-8s  %s%s", Ages.format(c.when(), now), c.kind().word(),
                    c.path(), c.directory() ? "/" : ""));
        }
        out.println(r.changes().size() + " changes since " + Ages.format(r.since(), now) + " (compared with @" + r.base()
                + ", taken " + Ages.format(r.baseCreated(), now)
                + (r.sinceOldest() ? ": the oldest snapshot here, so the window reaches back no further" : "") + ")");
        return 0;
    }
}
