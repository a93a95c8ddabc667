package io.zproj.zfs;

import java.util.Objects;

/**
 * A validated filesystem dataset name, {@code pool[/child]*}: never a snapshot, never a
 * component that is empty, {@code .}, {@code ..}, starts with {@code -} or holds a character
 * outside letters, digits and {@code _ - . :}.
 */
public record DatasetName(String value) {

    public DatasetName {
        Objects.requireNonNull(value, "value");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException("invalid dataset name " + Names.quote(value) + ": " + problem);
        }
    }

    /** Parses a dataset name. @throws IllegalArgumentException if it is not valid */
    public static DatasetName of(String value) {
        return new DatasetName(value);
    }

    private static String problem(String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        if (value.length() > Names.MAX_NAME_LENGTH) {
            return "longer than " + Names.MAX_NAME_LENGTH + " characters";
        }
        String[] parts = value.split("/", -1);
        for (String part : parts) {
            String p = Names.componentProblem(part);
            if (p != null) {
                return p;
            }
        }
        char first = value.charAt(0);
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
            return "the pool part must start with a letter";
        }
        return null;
    }

    /** The pool this dataset lives in. */
    public PoolName pool() {
        int slash = value.indexOf('/');
        return PoolName.of(slash < 0 ? value : value.substring(0, slash));
    }

    /** The child {@code this/name}. @throws IllegalArgumentException if {@code name} is not one valid component */
    public DatasetName child(String name) {
        if (name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("not a single component: " + Names.quote(name));
        }
        return new DatasetName(value + "/" + name);
    }

    /** The dataset of a project under this root: {@code this/<uuid>}. */
    public DatasetName child(ProjectId project) {
        return child(project.toString());
    }

    /** Whether {@code other} is a direct child of this dataset. */
    public boolean isParentOf(DatasetName other) {
        String v = other.value;
        return v.length() > value.length() + 1 && v.startsWith(value) && v.charAt(value.length()) == '/'
                && v.indexOf('/', value.length() + 1) < 0;
    }

    /** The last component, e.g. the project's UUID for {@code projects/<uuid>}. */
    public String leaf() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** The snapshot {@code this@name}. */
    public SnapshotName snapshot(String name) {
        return new SnapshotName(this, name);
    }

    @Override
    public String toString() {
        return value;
    }
}
