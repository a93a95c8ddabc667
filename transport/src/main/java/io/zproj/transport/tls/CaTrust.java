package io.zproj.transport.tls;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer whose certificate this node's CA issued, that is valid now, not revoked in
 * the revocation list (read again whenever the file changes) and names a zproj identity; a
 * server must also be a {@code server} and carry the name or address it was dialed by (the
 * JDK's PKIX checks: chain, key usage, host name). Every refusal is logged with the reason
 * and the peer's address.
 */
final class CaTrust extends X509ExtendedTrustManager {

    private static final System.Logger LOG = System.getLogger(CaTrust.class.getName());

    private final X509Certificate ca;
    private final X509ExtendedTrustManager pkix;
    private final Optional<ReloadingFile<Set<BigInteger>>> revoked;
    private final Clock clock;

    CaTrust(X509Certificate ca, Optional<Path> crl, Clock clock) throws IOException {
        this.ca = ca;
        this.clock = clock;
        this.revoked = crl.map(f -> new ReloadingFile<>(f, this::revokedSerials));
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("zproj-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ks);
            X509ExtendedTrustManager found = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    found = x;
                }
            }
            this.pkix = found;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + ca.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
        if (revoked.isPresent()) {
            revoked.get().get(); // a bad list at start is an error at start
        }
    }

    private Set<BigInteger> revokedSerials(Path file) throws IOException {
        X509CRL crl = Pem.crl(file);
        try {
            crl.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not signed by " + ca.getSubjectX500Principal());
        }
        Set<BigInteger> out = new HashSet<>();
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        if (entries != null) {
            entries.forEach(e -> out.add(e.getSerialNumber()));
        }
        return out;
    }

    /** The zproj checks; throws with a reason a log line can show. */
    private Identity check(X509Certificate[] chain, boolean server, String peer) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw refuse("no certificate", peer);
        }
        X509Certificate leaf = chain[0];
        String who = leaf.getSubjectX500Principal().getName();
        try {
            leaf.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw refuse("certificate " + who + " was not issued by this node's CA (" + ca.getSubjectX500Principal()
                    + "; it names " + leaf.getIssuerX500Principal() + ")", peer);
        }
        try {
            leaf.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException e) {
            throw refuse("certificate " + who + " expired on " + leaf.getNotAfter().toInstant(), peer);
        } catch (CertificateNotYetValidException e) {
            throw refuse("certificate " + who + " is not valid before " + leaf.getNotBefore().toInstant(), peer);
        }
        if (revoked.isPresent()) {
            try {
                if (revoked.get().get().contains(leaf.getSerialNumber())) {
                    throw refuse("certificate " + who + " (serial " + leaf.getSerialNumber().toString(16)
                            + ") is revoked", peer);
                }
            } catch (IOException e) {
                throw refuse("the revocation list cannot be read, so no one is trusted: " + e.getMessage(), peer);
            }
        }
        Identity id;
        try {
            id = Identity.of(leaf);
        } catch (CertificateException e) {
            throw refuse(e.getMessage(), peer);
        }
        if (server && id.role() != Role.SERVER) {
            throw refuse("certificate " + who + " is a " + id.role() + "'s, not a server's", peer);
        }
        return id;
    }

    private static CertificateException refuse(String why, String peer) {
        LOG.log(Level.WARNING, "refused TLS peer " + peer + ": " + why);
        return new CertificateException(why);
    }

    private static String peer(SSLEngine engine) {
        return engine == null || engine.getPeerHost() == null ? "(unknown)"
                : engine.getPeerHost() + ":" + engine.getPeerPort();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, false, peer(engine));
        pkix.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, true, peer(engine));
        try {
            pkix.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refuse("server certificate " + chain[0].getSubjectX500Principal().getName() + " does not match: "
                    + e.getMessage(), peer(engine));
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, false, String.valueOf(socket == null ? null : socket.getRemoteSocketAddress()));
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, true, String.valueOf(socket == null ? null : socket.getRemoteSocketAddress()));
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, false, "(unknown)");
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, true, "(unknown)");
        pkix.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {ca};
    }
}
