package io.zproj.transport;

import io.zproj.transport.tls.Identity;
import io.zproj.transport.tls.ReloadingFile;
import io.zproj.transport.tls.Role;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who may ask a server what. By role: a {@code client} may list, fetch, write back and set
 * aside; an {@code admin} may also create projects; a {@code server} (a replica catching up
 * its peers) may do what a client may. An allow list ({@code --allow FILE}) may narrow which
 * projects each client name may touch; admins and servers are not narrowed. A refusal is a
 * {@link ErrorCode#FORBIDDEN} error that changes nothing, logged with the identity.
 *
 * <p>The allow list holds one client per line: its certificate name, then the project ids it
 * may touch (separated by spaces or commas) or {@code *} for all; {@code #} starts a comment.
 * A client not listed may touch none. The file is read again when it changes; while it cannot
 * be read, every client is refused.
 */
public final class Access {

    private static final System.Logger LOG = System.getLogger(Access.class.getName());

    /** What a request does, as far as access goes. */
    public enum Op { LIST, INFO, PING, CREATE, SEND, RECEIVE, SET_ASIDE }

    /** Client name to its projects; {@link #ALL} for {@code *}. */
    private static final Set<UUID> ALL = Set.of(new UUID(0, 0));

    private final Optional<ReloadingFile<Map<String, Set<UUID>>>> allow;

    private Access(Optional<ReloadingFile<Map<String, Set<UUID>>>> allow) {
        this.allow = allow;
    }

    /** Access by role alone. */
    public static Access open() {
        return new Access(Optional.empty());
    }

    /** Access by role, clients narrowed by the allow list in {@code file}. @throws IOException if it is bad now */
    public static Access allowList(Path file) throws IOException {
        ReloadingFile<Map<String, Set<UUID>>> f = new ReloadingFile<>(file, Access::parse);
        f.get();
        return new Access(Optional.of(f));
    }

    static Map<String, Set<UUID>> parse(Path file) throws IOException {
        Map<String, Set<UUID>> out = new HashMap<>();
        int n = 0;
        for (String raw : Files.readAllLines(file)) {
            n++;
            String line = raw.replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("[\\s,]+");
            try {
                Identity.checkName(f[0]);
                if (f.length < 2) {
                    throw new IllegalArgumentException("no projects after the name (use * for all)");
                }
                Set<UUID> projects = new HashSet<>(out.getOrDefault(f[0], Set.of()));
                for (int i = 1; i < f.length; i++) {
                    if (f[i].equals("*")) {
                        projects = ALL;
                        break;
                    }
                    projects.add(UUID.fromString(f[i]));
                }
                out.put(f[0], projects == ALL ? ALL : Set.copyOf(projects));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + n + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** Whether {@code peer} may touch {@code project} at all (for filtering a list). */
    public boolean mayTouch(Peer peer, UUID project) {
        if (peer.role() != Role.CLIENT || allow.isEmpty()) {
            return true;
        }
        try {
            Set<UUID> p = allow.get().get().getOrDefault(peer.name(), Set.of());
            return p == ALL || p.contains(project);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "refusing client " + peer + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * @param project the project the request is about; null for LIST and PING
     * @throws ServiceException FORBIDDEN, saying why
     */
    public void check(Peer peer, Op op, UUID project) throws ServiceException {
        String why = null;
        if (op == Op.CREATE && peer.role() != Role.ADMIN) {
            why = "a " + peer.role() + " may not create projects (an admin certificate may)";
        } else if (project != null && !mayTouch(peer, project)) {
            why = "client " + peer.name() + " may not touch project " + project + " on this server (allow list "
                    + allow.get().file() + ")";
        }
        if (why != null) {
            TransportMeters.forbidden();
            LOG.log(Level.WARNING, "refused " + op + (project == null ? "" : " of " + project) + " to " + peer + " ("
                    + peer.role() + "): " + why);
            throw new ServiceException(ErrorCode.FORBIDDEN, why);
        }
    }
}
