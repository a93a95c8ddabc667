package io.zproj.zfs;

import java.util.Objects;

/**
 * A validated ZFS pool name: starts with a letter, then letters, digits, {@code _ - . :};
 * not one of the names {@code zpool} reserves for vdev types.
 */
public record PoolName(String value) {

    public PoolName {
        Objects.requireNonNull(value, "value");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException("invalid pool name " + Names.quote(value) + ": " + problem);
        }
    }

    /** Parses a pool name. @throws IllegalArgumentException if it is not valid */
    public static PoolName of(String value) {
        return new PoolName(value);
    }

    private static String problem(String value) {
        if (value.length() > Names.MAX_NAME_LENGTH) {
            return "longer than " + Names.MAX_NAME_LENGTH + " characters";
        }
        String p = Names.componentProblem(value);
        if (p != null) {
            return p;
        }
        char first = value.charAt(0);
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
            return "must start with a letter";
        }
        for (String reserved : new String[] {"mirror", "raidz", "spare", "log", "cache", "draid"}) {
            if (value.startsWith(reserved)) {
                return "names starting with '" + reserved + "' are reserved by zpool";
            }
        }
        if (value.matches("c[0-9].*")) {
            return "names like 'c0...' are reserved by zpool";
        }
        return null;
    }

    /** The pool's root dataset. */
    public DatasetName rootDataset() {
        return DatasetName.of(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
