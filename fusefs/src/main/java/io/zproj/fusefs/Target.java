package io.zproj.fusefs;

import io.zproj.zfs.ProjectId;

/**
 * A path under the mount as FUSE gives it: the root, a project's directory, or something inside
 * a project ({@code rest}, starting with {@code /}).
 */
record Target(ProjectId project, String rest) {

    static final Target ROOT = new Target(null, "");

    boolean isRoot() {
        return project == null;
    }

    boolean isProjectDir() {
        return project != null && rest.isEmpty();
    }

    /** Splits a FUSE path; a name that is not a project id is ENOENT, and so is any {@code ..}. */
    static Target of(String path) throws ErrnoException {
        if (path.equals("/")) {
            return ROOT;
        }
        int slash = path.indexOf('/', 1);
        String name = slash < 0 ? path.substring(1) : path.substring(1, slash);
        String rest = slash < 0 ? "" : path.substring(slash);
        if (!ProjectId.isValid(name) || rest.contains("/../") || rest.endsWith("/..")) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        return new Target(ProjectId.parse(name), rest);
    }

    /** The target of an operation that makes a name: never directly under the root (EPERM). */
    static Target newName(String path) throws ErrnoException {
        if (path.indexOf('/', 1) < 0) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return of(path);
    }

    /** This path, if it is inside a project (not the root, not a project's directory itself); else EPERM. */
    Target inside() throws ErrnoException {
        if (isRoot() || isProjectDir()) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return this;
    }
}
