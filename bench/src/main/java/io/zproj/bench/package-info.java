/**
 * The benchmark harness: the same workloads on zproj, native ZFS and GlusterFS on one
 * machine, with results written to files.
 */
package io.zproj.bench;
