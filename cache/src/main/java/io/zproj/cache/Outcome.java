package io.zproj.cache;

import io.zproj.transport.RemoteException;

/**
 * How the last transfer with one replica ended: what decides whether, and when, it is tried
 * again, and what {@code zproj status} says. Classified from the exception's type and the
 * server's error code, never from message text.
 */
public enum Outcome {
    /** Acked, or the replica already had it. */
    OK(false),
    /** Unreachable, busy, out of space, cut off: tried again with backoff. */
    TEMPORARY(false),
    /** Both sides moved on from their common snapshot: not tried again until resolved. */
    DIVERGED(true),
    /** The replica will not take it as sent (a bad request, another protocol version): not tried again until the next change or restart. */
    REFUSED(true);

    private final boolean permanent;

    Outcome(boolean permanent) {
        this.permanent = permanent;
    }

    /** Needs someone to act (resolve, upgrade) before a retry can succeed. */
    public boolean permanent() {
        return permanent;
    }

    /** The word status shows. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** What a failed transfer was. */
    public static Outcome of(Throwable e) {
        if (e instanceof DivergedException) {
            return DIVERGED;
        }
        if (e instanceof RemoteException r) {
            return switch (r.code()) {
                case DIVERGED, NOT_WRITER -> DIVERGED;
                case BAD_REQUEST, BAD_VERSION, FORBIDDEN -> REFUSED;
                default -> TEMPORARY; // BUSY, NO_SPACE, UNAVAILABLE, INTERNAL, CHECKSUM, NOT_FOUND, EXISTS
            };
        }
        return TEMPORARY;
    }
}
