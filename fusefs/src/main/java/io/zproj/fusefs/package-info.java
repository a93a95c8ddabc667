/**
 * The jnr-fuse adapter: the {@code /projects} namespace root and the passthrough of every
 * operation to the project's backing mount. The only package that speaks errno.
 */
package io.zproj.fusefs;
