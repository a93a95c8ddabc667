package io.zproj.transport.tls;

import java.util.Locale;

/**
 * What a certificate's holder is, carried in its subject as {@code OU=<role>}: a mount or
 * command-line {@code client}, an {@code admin} (a client that may also create projects), or a
 * replica {@code server} (which dials its peers with the same certificate).
 */
public enum Role {
    CLIENT, ADMIN, SERVER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for anything but client, admin or server */
    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.wire().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + s + "': expected client, admin or server");
    }

    @Override
    public String toString() {
        return wire();
    }
}
