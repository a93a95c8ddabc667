package io.zproj.bench;

import io.zproj.transport.tls.CertificateAuthority;
import io.zproj.transport.tls.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The benchmarks run zproj as users do, over mutual TLS: one CA for the run (in a temporary
 * directory removed at exit) with a server, a client and an admin certificate.
 */
final class BenchTls {

    private static Path dir;

    private BenchTls() {}

    private static synchronized Path dir() {
        if (dir == null) {
            try {
                Path d = Files.createTempDirectory("zproj-bench-tls-");
                CertificateAuthority ca = CertificateAuthority.init(d.resolve("ca"), "zproj-bench-ca",
                        Duration.ofDays(2), Clock.systemUTC());
                ca.issue("bench-server", Role.SERVER, List.of("127.0.0.1", "localhost"), Duration.ofDays(1),
                        d.resolve("server"));
                ca.issue("bench-client", Role.CLIENT, List.of(), Duration.ofDays(1), d.resolve("client"));
                ca.issue("bench-admin", Role.ADMIN, List.of(), Duration.ofDays(1), d.resolve("admin"));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Sh.run(Duration.ofMinutes(1), "rm", "-rf", d.toString());
                    } catch (IOException e) {
                        // a temporary directory left behind
                    }
                }));
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the benchmark's certificates", e);
            }
        }
        return dir;
    }

    static Path server() {
        return dir().resolve("server");
    }

    static Path client() {
        return dir().resolve("client");
    }

    /** What one-shot commands use (ZPROJ_TLS of every child process). */
    static Path admin() {
        return dir().resolve("admin");
    }

    static Path crl() {
        return dir().resolve("ca/crl.pem");
    }
}
