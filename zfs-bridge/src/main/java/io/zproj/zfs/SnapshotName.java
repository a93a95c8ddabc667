package io.zproj.zfs;

import java.util.Objects;

/**
 * A validated snapshot name, {@code dataset@name}. The short name follows the component
 * rules of {@link DatasetName}, so foreign names such as {@code 2013-12-18T18:23:22} are
 * accepted as well as zproj's own {@code zproj-20261124T101500Z}.
 */
public record SnapshotName(DatasetName dataset, String name) {

    public SnapshotName {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(name, "name");
        // ZFS allows a space inside a snapshot name; zproj never makes one, but foreign ones may have it.
        String problem = name.startsWith(" ") || name.endsWith(" ")
                ? "leading or trailing space" : Names.componentProblem(name.replace(' ', '_'));
        if (problem == null && dataset.value().length() + 1 + name.length() > Names.MAX_NAME_LENGTH) {
            problem = "longer than " + Names.MAX_NAME_LENGTH + " characters";
        }
        if (problem != null) {
            throw new IllegalArgumentException("invalid snapshot name " + Names.quote(name) + ": " + problem);
        }
    }

    /** Parses {@code dataset@name}. @throws IllegalArgumentException if it is not valid */
    public static SnapshotName parse(String full) {
        int at = full.indexOf('@');
        if (at < 0 || full.indexOf('@', at + 1) >= 0) {
            throw new IllegalArgumentException("not a snapshot name (dataset@name): " + Names.quote(full));
        }
        return new SnapshotName(DatasetName.of(full.substring(0, at)), full.substring(at + 1));
    }

    /** The full name as zfs prints it. */
    public String full() {
        return dataset.value() + "@" + name;
    }

    @Override
    public String toString() {
        return full();
    }
}
