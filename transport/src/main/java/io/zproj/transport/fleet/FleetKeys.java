package io.zproj.transport.fleet;

import io.zproj.transport.Addresses;
import io.zproj.transport.ProjectEntry;
import io.zproj.transport.SnapshotEntry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What zproj keeps in etcd, all under {@code /zproj/}, all bound to the lease of the server that
 * wrote it (a server that dies drops out when its lease expires):
 * <pre>
 *   /zproj/servers/&lt;server&gt;                  the address clients dial (HOST:PORT)
 *   /zproj/projects/&lt;uuid&gt;/&lt;server&gt;         that server's copy: used quota [guid txg created name]
 *   /zproj/writers/&lt;uuid&gt;                   the one host that may write the project (its name), under
 *                                              that mount daemon's lease
 * </pre>
 * One owner of the layout and its text encoding, for the servers that write it and the
 * clients that watch it.
 */
public final class FleetKeys {

    public static final String PREFIX = "/zproj/";
    static final String SERVERS = PREFIX + "servers/";
    static final String PROJECTS = PREFIX + "projects/";
    static final String WRITERS = PREFIX + "writers/";

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private FleetKeys() {}

    public static String server(String name) {
        return SERVERS + name;
    }

    public static String project(UUID id, String server) {
        return PROJECTS + id + "/" + server;
    }

    public static String writer(UUID id) {
        return WRITERS + id;
    }

    /** A parsed key: a server's address, a server's copy of a project, or a project's writer. */
    public sealed interface Key permits ServerKey, ProjectKey, WriterKey {}

    public record WriterKey(UUID project) implements Key {}

    public record ServerKey(String server) implements Key {}

    public record ProjectKey(UUID project, String server) implements Key {}

    /** The key's meaning, or empty for a key zproj does not know (left alone). */
    public static Optional<Key> parse(String key) {
        if (key.startsWith(SERVERS) && key.length() > SERVERS.length() && key.indexOf('/', SERVERS.length()) < 0) {
            return Optional.of(new ServerKey(key.substring(SERVERS.length())));
        }
        if (key.startsWith(WRITERS) && UUID_TEXT.matcher(key.substring(WRITERS.length())).matches()) {
            return Optional.of(new WriterKey(UUID.fromString(key.substring(WRITERS.length()))));
        }
        if (key.startsWith(PROJECTS)) {
            String rest = key.substring(PROJECTS.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && slash < rest.length() - 1 && UUID_TEXT.matcher(rest.substring(0, slash)).matches()) {
                return Optional.of(new ProjectKey(UUID.fromString(rest.substring(0, slash)), rest.substring(slash + 1)));
            }
        }
        return Optional.empty();
    }

    public static byte[] encodeAddress(InetSocketAddress a) {
        return Addresses.format(a).getBytes(StandardCharsets.UTF_8);
    }

    /** The address, resolved (as the servers a client is configured with are). */
    public static InetSocketAddress decodeAddress(byte[] value) {
        InetSocketAddress a = Addresses.parse(new String(value, StandardCharsets.UTF_8));
        return new InetSocketAddress(a.getHostString(), a.getPort());
    }

    /** {@code used quota} then, if it has one, the newest snapshot's {@code guid txg created name} (the name last: it may hold spaces). */
    public static byte[] encodeEntry(ProjectEntry e) {
        StringBuilder b = new StringBuilder().append(e.usedBytes()).append(' ').append(e.quotaBytes());
        e.newest().ifPresent(s -> b.append(' ').append(s.guid()).append(' ').append(s.createTxg()).append(' ')
                .append(s.creationEpochSecond()).append(' ').append(s.name()));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException if {@code value} is not what {@link #encodeEntry} writes */
    public static ProjectEntry decodeEntry(UUID id, byte[] value) {
        String[] f = new String(value, StandardCharsets.UTF_8).split(" ", 6);
        try {
            if (f.length == 2) {
                return new ProjectEntry(id, Optional.empty(), Long.parseLong(f[0]), Long.parseLong(f[1]));
            }
            if (f.length == 6) {
                return new ProjectEntry(id, Optional.of(new SnapshotEntry(f[5], Long.parseLong(f[2]),
                        Long.parseLong(f[3]), Long.parseLong(f[4]))), Long.parseLong(f[0]), Long.parseLong(f[1]));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("not a zproj project entry: '" + new String(value, StandardCharsets.UTF_8)
                + "'");
    }
}
