package io.zproj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    private static String run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return Integer.toString(cl.execute(args));
    }

    @Test
    void help_listsTheCommands() {
        StringWriter out = new StringWriter();
        assertThat(run(out, new StringWriter(), "--help")).isEqualTo("0");
        assertThat(out.toString()).contains("capabilities").contains("pools");
    }

    @Test
    void unknownCommand_isUsageError() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "frobnicate")).isEqualTo("2");
        assertThat(err.toString()).contains("Unmatched argument");
    }
}
