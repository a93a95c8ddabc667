package io.zproj.cli;

import io.zproj.zfs.Capabilities;
import io.zproj.zfs.PoolInfo;
import io.zproj.zfs.Zfs;
import io.zproj.zfs.ZfsConfig;
import io.zproj.zfs.ZfsException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code zproj}: the entry point of the launcher jar. */
@Command(name = "zproj", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Projects of a fleet of ZFS hosts under one lazy FUSE namespace.",
        subcommands = {MountCommand.class, CaCommand.class, WriterCommands.Take.class, WriterCommands.Release.class, WhereCommand.class, SyncCommand.class, StatusCommand.class, EvictCommand.class, ResolveCommand.class, SnapshotsCommand.class, ChangesCommand.class, SetupEmbeddedCommand.class, ServerCommand.class, PullCommand.class, PushCommand.class, LsCommand.class, ReplicateCommand.class,
                Main.CapabilitiesCommand.class, Main.PoolsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        if (args.length == 0 || !(args[0].equals("server") || args[0].equals("mount"))) {
            // one-shot commands print their own results; only warnings go to the log
            java.util.logging.Logger.getLogger("io.zproj").setLevel(java.util.logging.Level.WARNING);
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with zproj's error handling: a failure is one line on stderr, exit 1; a
     * bad argument (a malformed UUID, dataset or address) exit 2.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("zproj: " + e.getMessage());
                return 2;
            }
            if (e instanceof IOException) {
                commandLine.getErr().println("zproj: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"zproj " + (v == null ? "(development build)" : v)};
        }
    }

    @Command(name = "capabilities", description = "Show what the ZFS on this host supports, as zproj probes it.")
    static final class CapabilitiesCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws ZfsException {
            try (Zfs zfs = Zfs.open(ZfsConfig.defaults())) {
                Capabilities c = zfs.capabilities();
                PrintWriter out = spec.commandLine().getOut();
                out.println(c.describe());
                out.printf("zfs diff:            %s%n", yes(c.zfsDiff()));
                out.printf("written property:    %s%n", yes(c.writtenProperty()));
                out.printf("lz4 compression:     %s%n", yes(c.lz4Compression()));
                out.printf("zpool import -N:     %s%n", yes(c.importNoMount()));
                out.printf("zfs list -p:         %s%n", yes(c.zfsListParsable()));
                out.printf("zpool list -p:       %s%n", yes(c.zpoolListParsable()));
                out.printf("resumable receive:   %s%n", yes(c.resumableReceive()));
                out.printf("zfs receive -u:      %s%n", yes(c.receiveNoMount()));
                return 0;
            }
        }

        private static String yes(boolean b) {
            return b ? "yes" : "no";
        }
    }

    @Command(name = "pools", description = "List the imported pools with their size, free space and health.")
    static final class PoolsCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws ZfsException {
            try (Zfs zfs = Zfs.open(ZfsConfig.defaults())) {
                PrintWriter out = spec.commandLine().getOut();
                out.printf("%-24s %14s %14s %14s  %s%n", "NAME", "SIZE", "ALLOCATED", "FREE", "HEALTH");
                for (PoolInfo p : zfs.listPools()) {
                    out.printf("%-24s %14d %14d %14d  %s%n", p.name(), p.sizeBytes(), p.allocatedBytes(),
                            p.freeBytes(), p.health());
                }
                return 0;
            }
        }
    }
}
