package io.zproj.bench;

import picocli.CommandLine;

/** The benchmarks' command lines, parsed by picocli as the CLI's are; a bad one is an {@link IllegalArgumentException} with picocli's reason. */
final class Args {

    private Args() {}

    /**
     * Fills {@code options} (a class with picocli {@code @Option} fields) from {@code argv}. An
     * option given twice takes its last value: the launcher passes its defaults (e.g.
     * {@code --out bench/results}) before the user's arguments.
     */
    static <T> T parse(T options, String[] argv) {
        try {
            new CommandLine(options).setOverwrittenOptionsAllowed(true).parseArgs(argv);
            return options;
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + new CommandLine(options).getUsageMessage()
                    .lines().filter(l -> l.startsWith("Usage:")).findFirst().orElse("").trim() + ")", e);
        }
    }
}
