package io.zproj.fusefs;

import io.zproj.zfs.ProjectId;

/**
 * A path under the mount as FUSE gives it: the root, a project's directory, or something inside
 * a project ({@code rest}, starting with {@code /}); or, under {@code /.snapshots}, the list of
 * projects, one project's list of snapshots, or something inside one snapshot ({@code snapshot}
 * names it), all read-only.
 *
 * @param inSnapshots the path is under {@code /.snapshots}
 */
record Target(ProjectId project, String rest, String snapshot, boolean inSnapshots) {

    /** The directory of snapshots to browse, beside the projects (hidden: {@code ls -a} shows it). */
    static final String SNAPSHOTS = ".snapshots";

    static final Target ROOT = new Target(null, "", null, false);
    static final Target SNAPSHOTS_DIR = new Target(null, "", null, true);

    Target(ProjectId project, String rest) {
        this(project, rest, null, false);
    }

    /** The root or {@code /.snapshots}: directories of the daemon's, listing projects. */
    boolean isRoot() {
        return project == null;
    }

    boolean isSnapshotsDir() {
        return project == null && inSnapshots;
    }

    /** A project's directory, {@code /<uuid>}. */
    boolean isProjectDir() {
        return project != null && !inSnapshots && rest.isEmpty();
    }

    /** {@code /.snapshots/<uuid>}: the list of a project's snapshots. */
    boolean isSnapshotList() {
        return project != null && inSnapshots && snapshot == null;
    }

    /** {@code /.snapshots/<uuid>/<name>}: the top of one snapshot. */
    boolean isSnapshotTop() {
        return snapshot != null && rest.isEmpty();
    }

    /** Splits a FUSE path; a name that is not a project id (or snapshot) is ENOENT, and so is any {@code ..}. */
    static Target of(String path) throws ErrnoException {
        if (path.equals("/")) {
            return ROOT;
        }
        int slash = path.indexOf('/', 1);
        String name = slash < 0 ? path.substring(1) : path.substring(1, slash);
        String rest = slash < 0 ? "" : path.substring(slash);
        if (rest.contains("/../") || rest.endsWith("/..")) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        if (name.equals(SNAPSHOTS)) {
            return snapshots(rest);
        }
        if (!ProjectId.isValid(name)) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        return new Target(ProjectId.parse(name), rest);
    }

    /** {@code rest} of a path under {@code /.snapshots}: "", "/<uuid>", or "/<uuid>/<name>[/...]". */
    private static Target snapshots(String rest) throws ErrnoException {
        if (rest.isEmpty()) {
            return SNAPSHOTS_DIR;
        }
        int slash = rest.indexOf('/', 1);
        String id = slash < 0 ? rest.substring(1) : rest.substring(1, slash);
        if (!ProjectId.isValid(id)) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        if (slash < 0) {
            return new Target(ProjectId.parse(id), "", null, true);
        }
        int next = rest.indexOf('/', slash + 1);
        String snap = next < 0 ? rest.substring(slash + 1) : rest.substring(slash + 1, next);
        if (snap.isEmpty() || snap.equals(".") || snap.equals("..")) {
            throw new ErrnoException(Errnos.ENOENT);
        }
        return new Target(ProjectId.parse(id), next < 0 ? "" : rest.substring(next), snap, true);
    }

    /** The target of an operation that makes a name: never directly under the root (EPERM). */
    static Target newName(String path) throws ErrnoException {
        if (path.indexOf('/', 1) < 0) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return of(path);
    }

    /**
     * This path, if it is inside a project (not the root, not a project's directory itself); else
     * EPERM. Anything under {@code /.snapshots} is read-only: EROFS.
     */
    Target inside() throws ErrnoException {
        if (inSnapshots) {
            throw new ErrnoException(Errnos.EROFS);
        }
        if (isRoot() || isProjectDir()) {
            throw new ErrnoException(Errnos.EPERM);
        }
        return this;
    }
}
