/**
 * The local pool of faulted-in projects on a client node: per-project state, single-flight
 * fault-in, incremental refresh, the write-back scheduler and eviction.
 */
package io.zproj.cache;
