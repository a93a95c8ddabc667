package io.zproj.zfs;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Properties for a new dataset, validated as they are set: native names are lower-case
 * words, user properties have a colon ({@code io.zproj:owner}); values are non-empty, short
 * and free of control characters. Insertion order is kept. Not thread-safe.
 */
public final class DatasetProperties {

    /** How a dataset may be mounted. */
    public enum CanMount {
        ON, OFF, NOAUTO;

        String zfsValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Pattern NATIVE = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern USER = Pattern.compile("[a-z0-9_.\\-]+:[a-z0-9_.:\\-]+");
    private static final int MAX_VALUE_LENGTH = 1024;

    private final Map<String, String> values = new LinkedHashMap<>();

    /** Properties to be set: none yet. */
    public static DatasetProperties create() {
        return new DatasetProperties();
    }

    /**
     * {@code compression}: e.g. {@code on}, {@code off}, {@code lz4}, {@code gzip-6}. Where the
     * host lacks lz4, the bridge uses {@code on} instead.
     */
    public DatasetProperties compression(String algorithm) {
        return set("compression", algorithm);
    }

    /** {@code quota} in bytes; 0 means none. */
    public DatasetProperties quota(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("quota must be >= 0: " + bytes);
        }
        return set("quota", bytes == 0 ? "none" : Long.toString(bytes));
    }

    /** {@code atime}. */
    public DatasetProperties atime(boolean on) {
        return set("atime", on ? "on" : "off");
    }

    /** {@code snapdir}: whether {@code .zfs} is visible. */
    public DatasetProperties snapdirVisible(boolean visible) {
        return set("snapdir", visible ? "visible" : "hidden");
    }

    /** {@code canmount}. */
    public DatasetProperties canmount(CanMount value) {
        return set("canmount", value.zfsValue());
    }

    /** {@code mountpoint}: an absolute, normalized path. */
    public DatasetProperties mountpoint(Path path) {
        return set("mountpoint", requireMountpoint(path));
    }

    /** {@code mountpoint=none}. */
    public DatasetProperties noMountpoint() {
        return set("mountpoint", "none");
    }

    /**
     * Any property.
     *
     * @throws IllegalArgumentException if the name or value is not acceptable
     */
    public DatasetProperties set(String name, String value) {
        values.put(requireName(name), requireValue(name, value));
        return this;
    }

    /** The properties in the order they were set. */
    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    static String requireName(String name) {
        if (name == null || name.length() > 256 || !(NATIVE.matcher(name).matches() || USER.matcher(name).matches())) {
            throw new IllegalArgumentException("invalid property name " + Names.quote(name));
        }
        return name;
    }

    static String requireValue(String name, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("invalid value for " + name + ": " + Names.quote(value));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("invalid value for " + name + ": control character "
                        + Names.describe(c));
            }
        }
        return value;
    }

    static String requireMountpoint(Path path) {
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new IllegalArgumentException("mountpoint must be an absolute path without '.' or '..': " + path);
        }
        return requireValue("mountpoint", path.toString());
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
