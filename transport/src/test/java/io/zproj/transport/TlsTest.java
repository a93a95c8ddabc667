package io.zproj.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.PooledByteBufAllocator;
import io.zproj.transport.tls.CertificateAuthority;
import io.zproj.transport.tls.NodeTls;
import io.zproj.transport.tls.Pem;
import io.zproj.transport.tls.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS, identities, authorization and the server's bounds, on real sockets with real
 * certificates made by {@link CertificateAuthority}: what is refused is refused at the
 * handshake or with FORBIDDEN, nothing is served, and the log says why.
 */
class TlsTest {

    private static final UUID P = UUID.fromString("0b5c4a3e-9d1f-4c2a-8e7b-1f2d3c4b5a69");
    private static final UUID Q = UUID.fromString("7e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b");

    @TempDir
    Path dir;

    private final FakeService service = new FakeService();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final List<AutoCloseable> open = new ArrayList<>();
    private CertificateAuthority ca;
    private TransportServer server;

    @BeforeEach
    void setUp() throws Exception {
        Logger.getLogger("io.zproj").addHandler(capture);
        ca = CertificateAuthority.init(dir.resolve("ca"), "test-ca", Duration.ofDays(30), Clock.systemUTC());
        service.lengths.put(P, 300_000L);
        service.lengths.put(Q, 1000L);
    }

    @AfterEach
    void tearDown() throws Exception {
        Logger.getLogger("io.zproj").removeHandler(capture);
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Path node(String name, Role role, String... sans) throws IOException {
        Path out = dir.resolve("nodes").resolve(name);
        ca.issue(name, role, List.of(sans), Duration.ofDays(10), out);
        return out;
    }

    private Transport transport(Path node, TransportConfig config) throws IOException {
        Transport t = Transport.create(config, Optional.of(NodeTls.load(node, Optional.of(dir.resolve("ca/crl.pem")))));
        open.add(t);
        return t;
    }

    private Transport transport(Path node) throws IOException {
        return transport(node, TransportConfig.defaults().withRequestTimeout(Duration.ofSeconds(20)));
    }

    private TransportServer serve(TransportConfig config, Access access) throws IOException {
        server = transport(node("replica-a", Role.SERVER, "127.0.0.1", "localhost"), config)
                .serve(new InetSocketAddress("127.0.0.1", 0), service, access);
        open.add(server);
        return server;
    }

    private TransportServer serve() throws IOException {
        return serve(TransportConfig.defaults(), Access.open());
    }

    private TransportClient connect(Path node) throws IOException {
        TransportClient c = transport(node).connect(server.address(), "ignored-with-tls");
        open.add(c);
        return c;
    }

    @Test
    void pullAndPush_overMutualTls_withBoringSsl_peerNamedByItsCertificate() throws Exception {
        serve();
        Path alice = node("alice", Role.CLIENT);
        assertThat(NodeTls.load(alice, Optional.empty()).provider()).isEqualTo("BoringSSL");
        TransportClient c = connect(alice);
        GeneratedStream.Sink sink = new GeneratedStream.Sink();
        TransportClient.PullResult<Long> r = c.pull(P, OptionalLong.empty(), h -> sink);
        assertThat(r.value()).isEqualTo(300_000L);
        assertThat(sink.completed).isTrue();
        c.push(new StreamHeader(P, FakeService.A, Optional.of(FakeService.B)), new GeneratedStream.Source(50_000));
        assertThat(service.received.get(P).completed).isTrue();
        assertThat(service.peers).extracting(Peer::name).containsExactly("alice", "alice");
        assertThat(service.peers).extracting(Peer::role).containsOnly(Role.CLIENT);
    }

    @Test
    void plainTextClient_isRefusedAtTheHandshake_nothingServed() throws Exception {
        serve();
        try (Transport plain = Transport.create(TransportConfig.defaults())) {
            assertThatThrownBy(() -> plain.connect(server.address(), "mallory"))
                    .isInstanceOf(TransportException.class).hasMessageContaining("handshake with")
                    .hasMessageContaining("--tls");
        }
        assertThat(service.served).hasValue(0);
        until(() -> log.stream().anyMatch(l -> l.contains("TLS handshake with") && l.contains("failed")));
    }

    @Test
    void clientWithoutCertificate_isRefused() throws Exception {
        serve();
        SSLContext noCert = jdkContext(null, dir.resolve("ca/ca.pem"));
        try (SSLSocket s = (SSLSocket) noCert.getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(TransportTest.frame(new Message.Hello("anonymous")));
            s.getOutputStream().flush();
            assertThatThrownBy(() -> readAll(s.getInputStream())).isInstanceOf(IOException.class);
        }
        assertThat(service.served).hasValue(0);
        until(() -> log.stream().anyMatch(l -> l.contains("TLS handshake with") && l.contains("failed")));
    }

    @Test
    void certificateOfAnotherCa_isRefused_withTheReasonLogged() throws Exception {
        serve();
        CertificateAuthority other = CertificateAuthority.init(dir.resolve("other-ca"), "other", Duration.ofDays(30),
                Clock.systemUTC());
        Path eve = dir.resolve("eve");
        other.issue("eve", Role.ADMIN, List.of(), Duration.ofDays(1), eve);
        Transport t = Transport.create(TransportConfig.defaults(), Optional.of(NodeTls.load(eve, Optional.empty())));
        open.add(t);
        assertThatThrownBy(() -> t.connect(server.address(), "eve")).isInstanceOf(TransportException.class);
        assertThat(service.served).hasValue(0);
        until(() -> log.stream().anyMatch(l -> l.contains("refused TLS peer 127.0.0.1")
                && l.contains("was not issued by this node's CA")));
    }

    @Test
    void expiredCertificate_isRefused() throws Exception {
        serve();
        CertificateAuthority past = CertificateAuthority.open(dir.resolve("ca"),
                Clock.offset(Clock.systemUTC(), Duration.ofDays(-3)));
        Path old = dir.resolve("old");
        past.issue("old", Role.CLIENT, List.of(), Duration.ofDays(1), old);
        // the node refuses to load its own expired certificate, so present it with the JDK's client
        assertThatThrownBy(() -> NodeTls.load(old, Optional.empty())).hasMessageContaining("cannot be used");
        SSLContext jdk = jdkContext(old, dir.resolve("ca/ca.pem"));
        try (SSLSocket s = (SSLSocket) jdk.getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(TransportTest.frame(new Message.Hello("old")));
            s.getOutputStream().write(TransportTest.frame(new Message.ListProjects()));
            s.getOutputStream().flush();
            assertThatThrownBy(() -> readAll(s.getInputStream())).isInstanceOf(IOException.class);
        }
        assertThat(service.served).hasValue(0);
        until(() -> log.stream().anyMatch(l -> l.contains("CN=old") && l.contains("expired on")));
    }

    @Test
    void revokedCertificate_isRefused_withoutRestartingTheServer() throws Exception {
        serve();
        Path bob = node("bob", Role.CLIENT);
        assertThat(connect(bob).list()).hasSize(2);
        int before = service.served.get();
        assertThat(ca.revoke("bob")).hasSize(1);
        assertThatThrownBy(() -> transport(bob).connect(server.address(), "bob").list())
                .isInstanceOf(TransportException.class);
        assertThat(service.served).hasValue(before);
        until(() -> log.stream().anyMatch(l -> l.contains("CN=bob") && l.contains("is revoked")));
        // others are still served
        assertThat(connect(node("carol", Role.CLIENT)).list()).hasSize(2);
        assertThatThrownBy(() -> ca.revoke("nobody")).hasMessageContaining("issued no certificate to 'nobody'");
    }

    @Test
    void clientChecksTheServersNameAndRole() throws Exception {
        server = transport(node("elsewhere", Role.SERVER, "10.9.9.9"))
                .serve(new InetSocketAddress("127.0.0.1", 0), service);
        open.add(server);
        assertThatThrownBy(() -> connect(node("alice", Role.CLIENT)))
                .isInstanceOf(TransportException.class).hasMessageContaining("TLS handshake");
        server.close();
        server = transport(node("impostor", Role.CLIENT)).serve(new InetSocketAddress("127.0.0.1", 0), service);
        open.add(server);
        assertThatThrownBy(() -> connect(node("dave", Role.CLIENT)))
                .isInstanceOf(TransportException.class).hasMessageContaining("TLS handshake");
        until(() -> log.stream().anyMatch(l -> l.contains("is a client's, not a server's")));
        until(() -> log.stream().anyMatch(l -> l.contains("does not match")));
        assertThat(service.served).hasValue(0);
    }

    @Test
    void roles_and_allowList_decideWhatAClientMayDo() throws Exception {
        Path allow = dir.resolve("allow");
        Files.writeString(allow, "# who may touch what\nalice " + Q + "\nci *\n");
        serve(TransportConfig.defaults(), Access.allowList(allow));
        TransportClient alice = connect(node("alice", Role.CLIENT));
        assertThat(alice.list()).extracting(ProjectEntry::id).containsExactly(Q);
        int before = service.served.get();
        assertThatThrownBy(() -> alice.pull(P, OptionalLong.empty(), h -> new GeneratedStream.Sink()))
                .isInstanceOf(RemoteException.class).hasMessageContaining("FORBIDDEN")
                .hasMessageContaining("alice may not touch project " + P);
        assertThatThrownBy(() -> alice.push(new StreamHeader(P, FakeService.A, Optional.of(FakeService.B)),
                new GeneratedStream.Source(1000))).hasMessageContaining("FORBIDDEN");
        assertThatThrownBy(() -> alice.setAside(P, 1)).hasMessageContaining("FORBIDDEN");
        assertThatThrownBy(() -> alice.info(P)).hasMessageContaining("FORBIDDEN");
        UUID fresh = UUID.randomUUID();
        assertThatThrownBy(() -> alice.create(fresh, 0)).hasMessageContaining("FORBIDDEN")
                .hasMessageContaining("may not create projects");
        assertThat(service.served).hasValue(before);
        assertThat(service.lengths).containsOnlyKeys(P, Q);
        assertThat(service.received).isEmpty();
        assertThat(log).anyMatch(l -> l.contains("refused CREATE of " + fresh + " to alice@"));
        // the same connection may still fetch what it is allowed
        assertThat(alice.pull(Q, OptionalLong.empty(), h -> new GeneratedStream.Sink()).value()).isEqualTo(1000L);
        // a name not in the list touches nothing; * touches all; admins create
        assertThat(connect(node("stranger", Role.CLIENT)).list()).isEmpty();
        assertThat(connect(node("ci", Role.CLIENT)).list()).hasSize(2);
        assertThat(connect(node("root", Role.ADMIN)).create(fresh, 0).project()).isEqualTo(fresh);
        // the list is read again when it changes
        Files.writeString(allow, "alice " + P + ", " + Q + "\n");
        Files.setLastModifiedTime(allow, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
        assertThat(alice.list()).extracting(ProjectEntry::id).containsExactlyInAnyOrder(P, Q);
    }

    @Test
    void flood_ofHalfHandshakes_andAHugeFrame_leavesMemoryBounded_andAPullSucceeds() throws Exception {
        serve(TransportConfig.defaults().withConnectionLimits(512, 32, Duration.ofSeconds(30)), Access.open());
        int port = server.address().getPort();
        List<Socket> flood = new ArrayList<>();
        try {
            SecureRandom random = new SecureRandom();
            byte[] hello = clientHello();
            for (int i = 0; i < 64; i++) {
                Socket s = new Socket("127.0.0.1", port);
                flood.add(s);
                if (i % 2 == 0) {
                    byte[] junk = new byte[16 << 10];
                    random.nextBytes(junk);
                    s.getOutputStream().write(junk);
                } else {
                    s.getOutputStream().write(hello); // and then silence
                }
            }
            // an authenticated peer declares a 16 MiB frame after its HELLO
            SSLContext admin = jdkContext(node("greedy", Role.ADMIN), dir.resolve("ca/ca.pem"));
            try (SSLSocket s = (SSLSocket) admin.getSocketFactory().createSocket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(TransportTest.frame(new Message.Hello("greedy")));
                out.write(new byte[] {(byte) 0x5A, (byte) 0x50, (byte) Protocol.VERSION, (byte) Protocol.Type.LIST.code, 1, 0, 0, 0});
                out.flush(); // the header alone is refused: nothing is allocated for the body
                assertThat(new String(readAll(s.getInputStream()))).contains("longer than the maximum 65536");
            }
            TransportClient c = connect(node("alice", Role.CLIENT));
            GeneratedStream.Sink sink = new GeneratedStream.Sink();
            assertThat(c.pull(P, OptionalLong.empty(), h -> sink).value()).isEqualTo(300_000L);
            long used = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()
                    + PooledByteBufAllocator.DEFAULT.metric().usedHeapMemory();
            assertThat(used).as("pooled memory during the flood").isLessThan(48L << 20);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
    }

    @Test
    void aClientHelloFollowedBySilence_isDroppedAtTheHandshakeDeadline() throws Exception {
        serve(TransportConfig.defaults().withConnectionLimits(512, 32, Duration.ofMillis(500)), Access.open());
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.getOutputStream().write(clientHello());
            s.setSoTimeout(20_000);
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // the server's hello, then the close
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        until(() -> server.connections() == 0);
        until(() -> log.stream().anyMatch(l -> l.contains("TLS handshake with") && l.contains("timed out")));
        assertThat(service.served).hasValue(0);
    }

    @Test
    void connectionLimits_total_andPerPeer() throws Exception {
        serve(TransportConfig.defaults().withConnectionLimits(3, 2, Duration.ofSeconds(10)), Access.open());
        Path alice = node("alice", Role.CLIENT);
        connect(alice);
        connect(alice);
        assertThatThrownBy(() -> connect(alice)).hasMessageContaining("BUSY")
                .hasMessageContaining("holds the most connections one peer may (2)");
        until(() -> server.connections() == 2);
        connect(node("bob", Role.CLIENT));
        assertThatThrownBy(() -> connect(node("carol", Role.CLIENT))).isInstanceOf(TransportException.class);
        assertThat(server.refusedConnections()).isEqualTo(2);
    }

    @Test
    void preHelloFrame_largerThanAFewKiB_isRefused() throws Exception {
        try (Transport plain = Transport.create(TransportConfig.defaults());
                TransportServer s = plain.serve(new InetSocketAddress("127.0.0.1", 0), service);
                Socket raw = new Socket("127.0.0.1", s.address().getPort())) {
            raw.getOutputStream().write(new byte[] {(byte) 0x5A, (byte) 0x50, (byte) Protocol.VERSION,
                    (byte) Protocol.Type.HELLO.code, 1, 0, 0, 0});
            List<Object> got = TransportTest.readUntilClosed(raw);
            assertThat(got).singleElement().isInstanceOf(Message.Error.class);
            assertThat(((Message.Error) got.get(0)).message()).contains("before the handshake");
        }
    }

    @Test
    void loadingANodeDir_checksItsKeyAndSaysWhatIsWrong() throws Exception {
        Path alice = node("alice", Role.CLIENT);
        assertThat(Files.getPosixFilePermissions(alice.resolve("node.key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(alice.resolve("node.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> NodeTls.load(alice, Optional.empty())).hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> NodeTls.load(dir.resolve("missing"), Optional.empty()))
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> CertificateAuthority.init(dir.resolve("ca"), "again", Duration.ofDays(1),
                Clock.systemUTC())).hasMessageContaining("already holds a CA");
        Files.writeString(dir.resolve("ca/crl.pem"), "garbage");
        Path bob = node("bob", Role.CLIENT);
        assertThatThrownBy(() -> NodeTls.load(bob, Optional.of(dir.resolve("ca/crl.pem"))))
                .hasMessageContaining("crl.pem");
    }

    /** A JDK TLS client context with {@code node}'s certificate (none if null), trusting {@code caPem}. */
    private static SSLContext jdkContext(Path node, Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", Pem.certificate(caPem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (node != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", Pem.privateKey(node.resolve("node.key")), new char[0],
                    new Certificate[] {Pem.certificate(node.resolve("node.pem"))});
            kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The bytes of a real TLS ClientHello. */
    private static byte[] clientHello() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine("127.0.0.1", 1);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    /** Waits up to 20 s for {@code condition}. */
    private static void until(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
