package io.zproj.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * A node's TLS material, from the directory {@code zproj ca issue} wrote ({@code ca.pem},
 * {@code node.pem}, {@code node.key}): the contexts its servers and clients use. TLS 1.3 only,
 * client certificates required, BoringSSL when netty-tcnative loads (the JDK's provider
 * otherwise). Checked when loaded: the key is the owner's alone, the certificate is this CA's
 * and valid now.
 */
public final class NodeTls {

    private final Path dir;
    private final Identity identity;
    private final SslContext server;
    private final SslContext client;
    private final SslProvider provider;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final X509Certificate ca;

    private NodeTls(Path dir, Identity identity, SslContext server, SslContext client, SslProvider provider,
            PrivateKey key, X509Certificate cert, X509Certificate ca) {
        this.dir = dir;
        this.identity = identity;
        this.server = server;
        this.client = client;
        this.provider = provider;
        this.key = key;
        this.cert = cert;
        this.ca = ca;
    }

    /**
     * Sets up another client's TLS with this node's certificate and CA (etcd's gRPC client builds
     * its own context, with the protocols gRPC needs).
     */
    public void configureClient(SslContextBuilder b) {
        b.keyManager(key, cert).trustManager(ca);
    }

    /**
     * @param crl the revocation list to check peers against, read again when it changes
     * @throws IOException with what is wrong and how to fix it
     */
    public static NodeTls load(Path dir, Optional<Path> crl) throws IOException {
        return load(dir, crl, Clock.systemUTC());
    }

    static NodeTls load(Path dir, Optional<Path> crl, Clock clock) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("--tls " + dir + " is not a directory; issue one with: zproj ca issue NAME --ca CADIR "
                    + "--out " + dir);
        }
        Path keyFile = dir.resolve(CertificateAuthority.NODE_KEY);
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(keyFile);
        if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            throw new IOException(keyFile + " can be read by others than its owner; chmod 600 " + keyFile);
        }
        X509Certificate ca = Pem.certificate(dir.resolve(CertificateAuthority.NODE_CA));
        X509Certificate cert = Pem.certificate(dir.resolve(CertificateAuthority.NODE_CERT));
        PrivateKey key = Pem.privateKey(keyFile);
        Identity identity;
        try {
            cert.verify(ca.getPublicKey());
            cert.checkValidity(Date.from(clock.instant()));
            identity = Identity.of(cert);
        } catch (GeneralSecurityException e) {
            throw new IOException(dir.resolve(CertificateAuthority.NODE_CERT) + " cannot be used: " + e.getMessage()
                    + " (issue a new one with zproj ca issue)", e);
        }
        CaTrust trust = new CaTrust(ca, crl, clock);
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        try {
            SslContext server = SslContextBuilder.forServer(key, cert)
                    .sslProvider(provider)
                    .protocols("TLSv1.3")
                    .trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
            SslContext client = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .protocols("TLSv1.3")
                    .keyManager(key, cert)
                    .trustManager(trust)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
            return new NodeTls(dir, identity, server, client, provider, key, cert, ca);
        } catch (SSLException e) {
            throw new IOException("cannot set up TLS from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Who this node is: its certificate's name and role. */
    public Identity identity() {
        return identity;
    }

    public Path dir() {
        return dir;
    }

    public SslContext serverContext() {
        return server;
    }

    public SslContext clientContext() {
        return client;
    }

    /** {@code BoringSSL} or {@code JDK}. */
    public String provider() {
        return provider == SslProvider.OPENSSL ? "BoringSSL" : "JDK";
    }
}
