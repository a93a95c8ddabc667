/**
 * The {@code zproj} command line: picocli commands, config and the wiring of the modules
 * into one runnable jar, started by the {@code ./zproj} launcher.
 */
package io.zproj.cli;
