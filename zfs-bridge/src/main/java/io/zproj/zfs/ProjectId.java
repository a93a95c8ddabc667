package io.zproj.zfs;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The identity of a project: a UUID in its canonical lower-case form and nothing else.
 *
 * <p>{@code 0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69} is a project id;
 * {@code 0B5C4A3E-...}, {@code {0b5c...}} or a UUID without dashes are not, so that one
 * project has exactly one name in every path and dataset.
 */
public record ProjectId(UUID uuid) implements Comparable<ProjectId> {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public ProjectId {
        Objects.requireNonNull(uuid, "uuid");
    }

    /**
     * Parses a canonical lower-case UUID.
     *
     * @throws IllegalArgumentException if {@code text} is not exactly one
     */
    public static ProjectId parse(String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException("not a project id (a lower-case UUID like "
                    + "0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69): " + Names.quote(text));
        }
        return new ProjectId(UUID.fromString(text));
    }

    /** Whether {@code text} is a canonical lower-case UUID; never throws. */
    public static boolean isValid(String text) {
        return text != null && text.length() == 36 && CANONICAL.matcher(text).matches();
    }

    /** The id as 16 bytes, big-endian (the key of a project in zproj's local stores: they sort as the UUIDs do). */
    public byte[] bytes() {
        return java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
    }

    /** The id whose {@link #bytes()} start at {@code offset} of {@code b}. */
    public static ProjectId fromBytes(byte[] b, int offset) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, offset, 16);
        return new ProjectId(new UUID(buf.getLong(), buf.getLong()));
    }

    /** A new random project id. */
    public static ProjectId random() {
        return new ProjectId(UUID.randomUUID());
    }

    /**
     * The order of the canonical strings, without making them: fixed-width lower-case hex sorts
     * as the unsigned 128-bit number it spells.
     */
    @Override
    public int compareTo(ProjectId other) {
        int c = Long.compareUnsigned(uuid.getMostSignificantBits(), other.uuid.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(uuid.getLeastSignificantBits(), other.uuid.getLeastSignificantBits());
    }

    @Override
    public String toString() {
        return uuid.toString();
    }
}
