package io.zproj.cli;

import io.zproj.transport.tls.NodeTls;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --tls NODEDIR} (and {@code --crl}, {@code --insecure}) of every networked command: the
 * node directory {@code zproj ca issue} wrote. {@code ZPROJ_TLS} in the environment is the
 * default (the launcher sets it to the embedded default's admin certificate).
 */
final class TlsOptions {

    private static final System.Logger LOG = System.getLogger(TlsOptions.class.getName());

    @Option(names = "--tls", paramLabel = "NODEDIR", defaultValue = "${env:ZPROJ_TLS}",
            description = "this node's certificate directory (ca.pem, node.pem, node.key from zproj ca issue): "
                    + "connections use mutual TLS 1.3 (default: $ZPROJ_TLS)")
    Path dir;

    @Option(names = "--crl", paramLabel = "FILE", description = "the CA's revocation list (crl.pem from zproj ca revoke):"
            + " peers whose certificate it names are refused; read again whenever it changes")
    Path crl;

    @Option(names = "--insecure", description = "serve in plain text with no authentication: only on a loopback "
            + "--listen address, for trying things out")
    boolean insecure;

    /** For a client: TLS if a node directory is given, plain text otherwise. */
    Optional<NodeTls> client() throws IOException {
        if (dir == null || dir.toString().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(NodeTls.load(dir, Optional.ofNullable(crl)));
    }

    /**
     * For a server: TLS, or plain text only with {@code --insecure} on a loopback address.
     *
     * @throws IllegalArgumentException (a usage error) otherwise
     */
    Optional<NodeTls> server(InetSocketAddress listen) throws IOException {
        if (dir != null && !dir.toString().isEmpty()) {
            if (insecure) {
                throw new IllegalArgumentException("--tls and --insecure exclude each other");
            }
            return client();
        }
        if (!insecure) {
            throw new IllegalArgumentException("a server needs --tls NODEDIR (see zproj ca issue --role server); "
                    + "--insecure serves in plain text, on a loopback address only");
        }
        if (listen.getAddress() == null || !listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--insecure is accepted only with a loopback --listen address (such as "
                    + "127.0.0.1), not " + listen.getHostString());
        }
        LOG.log(Level.WARNING, "serving in plain text with no authentication (--insecure): any local process may read "
                + "and write every project");
        return Optional.empty();
    }
}
