package io.zproj.bench;

import picocli.CommandLine;

/** The benchmarks' command lines, parsed by picocli as the CLI's are; a bad one is an {@link IllegalArgumentException} with picocli's reason. */
final class Args {

    private Args() {}

    /** Fills {@code options} (a class with picocli {@code @Option} fields) from {@code argv}. */
    static <T> T parse(T options, String[] argv) {
        try {
            new CommandLine(options).parseArgs(argv);
            return options;
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + new CommandLine(options).getUsageMessage()
                    .lines().filter(l -> l.startsWith("Usage:")).findFirst().orElse("").trim() + ")", e);
        }
    }
}
