/**
 * The replica server ({@code zproj server}): the catalog of the projects under its root,
 * send and receive sessions, and the divergence check that refuses a write-back whose base
 * is not the server's newest snapshot.
 */
package io.zproj.server;
