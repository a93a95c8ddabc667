package io.zproj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DaemonTest {

    /** utime and stime are fields 14 and 15, counted after the last ')' (a name may hold both parentheses and spaces). */
    @Test
    void cpuTicks_readsUtimePlusStime_whateverTheThreadIsCalled() {
        String stat = "4242 (C2 CompilerThre) S 1 4242 4242 0 -1 4194368 5 0 0 0 123 45 0 0 20 0 40 0 100 0 0";
        assertThat(Daemon.cpuTicks(stat)).isEqualTo(168);
        String odd = "4243 (a) (b c)) R 1 4242 4242 0 -1 4194368 5 0 0 0 7 3 0 0 20 0 40 0 100 0 0";
        assertThat(Daemon.cpuTicks(odd)).isEqualTo(10);
    }

    /** This JVM's own threads: the compilers' time is counted, every other thread's is not. */
    @Test
    void compilerTicks_countsOnlyTheJitCompilerThreads() throws Exception {
        long others = 0;
        int compilerThreads = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                String comm = Files.readString(t.resolve("comm")).strip();
                long ticks = Daemon.compilerTicks(t);
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                    compilerThreads++;
                    // read again after: a compiler may be compiling now, its time only grows
                    assertThat(ticks).as(comm).isBetween(0L, Daemon.cpuTicks(Files.readString(t.resolve("stat"))));
                } else {
                    others += ticks;
                }
            }
        }
        assertThat(compilerThreads).as("a tiered JVM runs a C1 and a C2 compiler thread").isGreaterThanOrEqualTo(2);
        assertThat(others).as("the time of threads that are not compilers").isZero();
    }
}
