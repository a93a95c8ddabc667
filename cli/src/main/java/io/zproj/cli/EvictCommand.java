package io.zproj.cli;

import picocli.CommandLine.Command;

/** {@code zproj evict}: take one project out of the local cache, if every replica has it. */
@Command(name = "evict", description = {
        "Remove a project from the local cache: written back first, then unmounted and destroyed, but only",
        "if every replica holds its newest snapshot. Says why not otherwise (exit 1)."})
final class EvictCommand extends WriterCommands.Base {

    @Override
    String verb() {
        return "evict";
    }
}
