package io.zproj.fusefs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A bash process that stays where it was started and runs scripts sent to it: a user's shell
 * whose current directory was entered at a given moment (e.g. before a project's native mount
 * appeared, so it stays on the FUSE directory). Each {@link #run} returns the script's output.
 */
final class Shell implements AutoCloseable {

    private final Process process;
    private final OutputStream in;
    private final BufferedReader out;

    private Shell(Process process) {
        this.process = process;
        this.in = process.getOutputStream();
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** A shell whose current directory is {@code dir}, entered now. */
    static Shell in(Path dir) throws IOException {
        return new Shell(new ProcessBuilder("bash", "--norc", "--noprofile").directory(dir.toFile())
                .redirectErrorStream(true).start());
    }

    long pid() {
        return process.pid();
    }

    /** Runs {@code script} in the shell (its cwd kept) and returns what it printed, stdout and stderr. */
    String run(String script) throws IOException {
        String end = "--end-" + UUID.randomUUID() + "--";
        in.write(("{\n" + script + "\n} 2>&1\necho; echo " + end + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null && !line.equals(end)) {
            sb.append(line).append('\n');
        }
        if (line == null) {
            throw new IOException("the shell ended: " + sb);
        }
        return sb.toString().stripTrailing();
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
