package io.zproj.cli;

import io.zproj.transport.tls.CertificateAuthority;
import io.zproj.transport.tls.Role;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code zproj ca}: the certificates of a zproj fleet. */
@Command(name = "ca", description = "Make a certificate authority, issue node certificates, revoke them.",
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Revoke.class})
final class CaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    @Command(name = "init", description = {"Make a CA in DIR: ca.key (0600), ca.pem, an empty revocation list crl.pem.",
            "Keep DIR on an operator's machine, not on the servers."})
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR")
        Path dir;

        @Option(names = "--name", defaultValue = "zproj-ca", description = "the CA's name (default ${DEFAULT-VALUE})")
        String name;

        @Option(names = "--days", defaultValue = "3650", description = "validity in days (default ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() throws IOException {
            CertificateAuthority ca = CertificateAuthority.init(dir, name, Duration.ofDays(days), Clock.systemUTC());
            spec.commandLine().getOut().println("made CA " + name + " in " + dir + " (valid until "
                    + ca.certificate().getNotAfter().toInstant() + ")");
            return 0;
        }
    }

    @Command(name = "issue", description = {"Issue a certificate for NAME into NODEDIR: ca.pem, node.pem, node.key (0600).",
            "Give a server every name and address clients dial it by (--san); clients check them."})
    static final class Issue implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "the node's name: servers know clients by it, --allow lists it")
        String name;

        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "the CA's directory")
        Path ca;

        @Option(names = "--out", required = true, paramLabel = "NODEDIR", description = "where to write the node's files")
        Path out;

        @Option(names = "--role", defaultValue = "client", description = "server, client or admin (default ${DEFAULT-VALUE})")
        String role;

        @Option(names = "--san", paramLabel = "NAME|ADDRESS", split = ",",
                description = "a host name or IP address the node is dialed by (repeatable; a server's default: NAME)")
        List<String> sans = new ArrayList<>();

        @Option(names = "--days", defaultValue = "365", description = "validity in days (default ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() throws IOException {
            Role r = Role.parse(role);
            List<String> names = new ArrayList<>(sans);
            if (r == Role.SERVER && names.isEmpty()) {
                names.add(name);
            }
            X509Certificate cert = CertificateAuthority.open(ca, Clock.systemUTC())
                    .issue(name, r, names, Duration.ofDays(days), out);
            PrintWriter o = spec.commandLine().getOut();
            o.println("issued " + name + " (" + r + ", serial " + cert.getSerialNumber().toString(16) + ", valid until "
                    + cert.getNotAfter().toInstant() + (names.isEmpty() ? "" : ", for " + String.join(", ", names))
                    + ") in " + out);
            return 0;
        }
    }

    @Command(name = "revoke", description = {"Revoke every certificate issued to NAME into the CA's crl.pem.",
            "Copy crl.pem to every server's --crl file: each reads it again when it changes, no restart."})
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "the CA's directory")
        Path ca;

        @Override
        public Integer call() throws IOException {
            List<BigInteger> serials = CertificateAuthority.open(ca, Clock.systemUTC()).revoke(name);
            spec.commandLine().getOut().println(serials.isEmpty()
                    ? name + "'s certificates were already revoked"
                    : "revoked " + serials.size() + " certificate(s) of " + name + " in "
                            + ca.resolve(CertificateAuthority.CRL) + "; copy it to every server's --crl file");
            return 0;
        }
    }
}
