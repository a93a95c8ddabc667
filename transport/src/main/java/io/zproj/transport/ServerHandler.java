package io.zproj.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.zproj.transport.tls.Identity;
import io.zproj.transport.tls.Role;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.UUID;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One server connection: a handshake, then one request at a time, each run on a worker.
 *
 * <pre>
 *   HELLO -> HELLO_OK
 *   LIST | INFO | PING | CREATE -> answer | ERROR
 *   SEND -> STREAM_START, client READY, CHUNK* STREAM_END   | UP_TO_DATE | ERROR
 *   RECEIVE -> READY, client CHUNK* STREAM_END, ACK          | ERROR (e.g. DIVERGED)
 * </pre>
 */
final class ServerHandler extends PeerHandler {

    private static final System.Logger LOG = System.getLogger(ServerHandler.class.getName());
    private static final Message CLOSED = new Message.Error(ErrorCode.UNAVAILABLE, "connection closed");

    private final TransportServer server;
    private final LinkedBlockingQueue<Message> replies = new LinkedBlockingQueue<>();
    private static final int MAX_PENDING = 4;

    private final ArrayDeque<Message> pending = new ArrayDeque<>();
    private volatile Peer peer;
    private volatile boolean awaitingAnswer;
    private boolean running;
    private Channel channel;

    ServerHandler(TransportServer server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    protected void onMessage(ChannelHandlerContext ctx, Message msg) {
        if (peer == null) {
            if (msg instanceof Message.Hello h) {
                Peer p;
                try {
                    p = identify(ctx, h);
                } catch (ProtocolException e) {
                    violation(ctx, e);
                    return;
                }
                if (!server.admitPeer(p.name())) {
                    TransportMeters.busy("connections");
                    LOG.log(Level.WARNING, "closing connection from " + p + ": it holds "
                            + server.config().maxConnectionsPerPeer() + " connections already");
                    ctx.writeAndFlush(new Message.Error(ErrorCode.BUSY, p.name() + " holds the most connections one peer "
                            + "may (" + server.config().maxConnectionsPerPeer() + ")"))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                peer = p;
                ctx.writeAndFlush(new Message.HelloOk(server.service().name()));
            } else {
                violation(ctx, new ProtocolException("expected HELLO first, got " + msg.type()));
            }
            return;
        }
        if (msg instanceof Message.Ready || msg instanceof Message.Error) {
            if (awaitingAnswer) {
                replies.add(msg); // the client's answer to STREAM_START, or its refusal
            } else if (msg instanceof Message.Ready) {
                violation(ctx, new ProtocolException("READY when no stream was offered"));
            }
            return; // an error frame between requests (e.g. after an aborted stream) needs no answer
        }
        synchronized (this) {
            if (running) {
                // The client may send its next request as soon as it has our last frame, a moment
                // before this worker is done: queue it, but only a few.
                if (pending.size() >= MAX_PENDING) {
                    violation(ctx, new ProtocolException("more than " + MAX_PENDING + " requests in flight"));
                    return;
                }
                pending.add(msg);
                return;
            }
            running = true;
        }
        dispatch(msg);
    }

    /** The peer by its certificate with TLS (the name it says in HELLO is not trusted), by its HELLO without. */
    private static Peer identify(ChannelHandlerContext ctx, Message.Hello h) throws ProtocolException {
        String address = String.valueOf(ctx.channel().remoteAddress());
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return new Peer(h.peer(), address, Role.ADMIN);
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            Identity id = Identity.of((X509Certificate) chain[0]);
            return new Peer(id.name(), address, id.role());
        } catch (SSLPeerUnverifiedException | CertificateException e) {
            throw new ProtocolException("no usable peer certificate: " + e.getMessage());
        }
    }

    /** Runs {@code msg} on a worker, then whatever queued meanwhile. */
    private void dispatch(Message msg) {
        try {
            server.workers().execute(() -> {
                Message next = msg;
                while (next != null) {
                    handle(next);
                    synchronized (this) {
                        next = pending.poll();
                        if (next == null) {
                            running = false;
                        }
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                running = false;
                pending.clear();
            }
            TransportMeters.busy("workers");
            channel.writeAndFlush(new Message.Error(ErrorCode.BUSY, "server has no free worker"));
        }
    }

    @Override
    protected void onClosed() {
        replies.add(CLOSED);
        Peer p = peer;
        if (p != null) {
            server.releasePeer(p.name());
        }
    }

    private void handle(Message msg) {
        if (!channel.isActive()) {
            return; // the client went away with this request still queued
        }
        try {
            authorize(msg);
        } catch (ServiceException e) {
            reply(new Message.Error(e.code(), e.getMessage()));
            return;
        }
        boolean stream = msg instanceof Message.Send || msg instanceof Message.Receive;
        if (stream && !server.tryAcquireStream()) {
            TransportMeters.busy("streams");
            reply(new Message.Error(ErrorCode.BUSY, "server is at its limit of " + server.config().maxStreams()
                    + " concurrent streams; try again or another replica"));
            return;
        }
        writability.reset();
        replies.clear();
        try {
            ReplicaService service = server.service();
            if (msg instanceof Message.ListProjects) {
                Peer p = peer;
                reply(new Message.ProjectList(service.list().stream()
                        .filter(e -> server.access().mayTouch(p, e.id())).toList()));
            } else if (msg instanceof Message.Info i) {
                reply(new Message.InfoReply(service.info(i.project())));
            } else if (msg instanceof Message.Ping p) {
                reply(new Message.Pong(p.nanos(), new Load(server.activeStreams(), service.freeBytes())));
            } else if (msg instanceof Message.Create c) {
                reply(new Message.Acked(service.create(c.project(), c.quotaBytes())));
            } else if (msg instanceof Message.SetAside a) {
                reply(new Message.Aside(service.setAside(a.project(), a.expectedHeadGuid())));
            } else if (msg instanceof Message.Send s) {
                send(s);
            } else if (msg instanceof Message.Receive r) {
                receive(r);
            } else {
                reply(new Message.Error(ErrorCode.BAD_REQUEST, "unexpected " + msg.type()));
            }
        } catch (ServiceException e) {
            reply(new Message.Error(e.code(), e.getMessage()));
        } catch (TransportException e) {
            LOG.log(Level.INFO, "request " + msg.type() + " from " + peer + " ended: " + e.getMessage());
            channel.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "request " + msg.type() + " from " + peer + " failed", e);
            reply(new Message.Error(ErrorCode.INTERNAL, String.valueOf(e.getMessage())));
        } finally {
            if (stream) {
                server.releaseStream();
            }
        }
    }

    /** @throws ServiceException FORBIDDEN if this peer may not make this request */
    private void authorize(Message msg) throws ServiceException {
        Access.Op op;
        UUID project = null;
        if (msg instanceof Message.ListProjects) {
            op = Access.Op.LIST;
        } else if (msg instanceof Message.Ping) {
            op = Access.Op.PING;
        } else if (msg instanceof Message.Info i) {
            op = Access.Op.INFO;
            project = i.project();
        } else if (msg instanceof Message.Create c) {
            op = Access.Op.CREATE;
            project = c.project();
        } else if (msg instanceof Message.SetAside a) {
            op = Access.Op.SET_ASIDE;
            project = a.project();
        } else if (msg instanceof Message.Send s) {
            op = Access.Op.SEND;
            project = s.project();
        } else if (msg instanceof Message.Receive r) {
            op = Access.Op.RECEIVE;
            project = r.header().project();
        } else {
            return; // answered as a bad request below
        }
        server.access().check(peer, op, project);
    }

    private void send(Message.Send request) throws IOException {
        ReplicaService.Outgoing out = server.service().send(request.project(), request.baseGuid(), peer);
        if (out.isUpToDate()) {
            reply(new Message.UpToDate(request.project(), out.newest()));
            return;
        }
        try (StreamSource source = out.source().orElseThrow()) {
            replies.clear();
            awaitingAnswer = true;
            reply(new Message.StreamStart(out.header().orElseThrow()));
            Message answer;
            try {
                answer = awaitReply();
            } finally {
                awaitingAnswer = false;
            }
            if (answer instanceof Message.Error e) {
                LOG.log(Level.INFO, "client " + peer + " declined the stream of " + request.project() + ": "
                        + e.message());
                return;
            }
            StreamStats stats = ChunkPump.send(channel, source, server.config().chunkBytes(),
                    server.config().compression(), writability);
            LOG.log(Level.INFO, "sent " + out.header().get() + " to " + peer + ": " + stats.rawBytes() + " bytes, "
                    + stats.wireBytes() + " on the wire");
        }
    }

    private void receive(Message.Receive request) throws IOException {
        StreamSink<Ack> sink = server.service().receive(request.header(), peer, request.writerRevision());
        ChunkReader r = new ChunkReader(channel, server.config(), server.receiveSpare());
        reader = r;
        try {
            reply(new Message.Ready());
            ChunkReader.Result<Ack> result = r.drain(sink);
            reply(new Message.Acked(result.value()));
            LOG.log(Level.INFO, "received " + request.header() + " from " + peer + ": " + result.stats().rawBytes()
                    + " bytes, " + result.stats().wireBytes() + " on the wire");
        } catch (RemoteException e) {
            LOG.log(Level.INFO, "client " + peer + " aborted its stream of " + request.header().project() + ": "
                    + e.getMessage());
        } catch (ChecksumException e) {
            failStream(ErrorCode.CHECKSUM, e);
        } catch (StalledException e) {
            failStream(ErrorCode.UNAVAILABLE, e);
        } catch (ServiceException e) {
            failStream(e.code(), e);
        } catch (TransportException e) {
            throw e; // the connection is gone: nobody to tell
        } catch (IOException | RuntimeException e) {
            failStream(ErrorCode.INTERNAL, e);
        } finally {
            reader = null;
        }
    }

    /** How long a client may go on sending a stream this server gave up on before the connection is closed. */
    static final Duration DISCARD_GRACE = Duration.ofSeconds(2);

    /**
     * A stream failed on our side: tell the client, and drop the chunks it still has in flight
     * until its end frame. Closing at once would reset the connection while those chunks arrive,
     * and a reset can throw away the answer before the client reads it: the client would see a
     * dropped connection instead of why (a full pool, a bad checksum). A client that keeps on
     * sending past {@link #DISCARD_GRACE} is cut off.
     */
    private void failStream(ErrorCode code, Exception e) {
        LOG.log(Level.WARNING, "receive from " + peer + " failed: " + e.getMessage());
        discarding = true;
        channel.writeAndFlush(new Message.Error(code, String.valueOf(e.getMessage())));
        channel.eventLoop().schedule(() -> {
            if (discarding && channel.isActive()) {
                LOG.log(Level.INFO, "closing connection with " + peer + ": its stream failed "
                        + DISCARD_GRACE.toSeconds() + " s ago and it has not ended it");
                channel.close();
            }
        }, DISCARD_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reply(Message m) {
        channel.writeAndFlush(m);
    }

    private Message awaitReply() throws TransportException {
        try {
            long deadline = System.nanoTime() + server.config().requestTimeout().toNanos();
            Message m = null;
            while (m == null && channel.isActive() && System.nanoTime() < deadline) {
                m = replies.poll(200, TimeUnit.MILLISECONDS);
            }
            if (m == null && !channel.isActive()) {
                m = CLOSED;
            }
            if (m == null) {
                throw new TransportException("client " + peer + " did not answer STREAM_START in time");
            }
            if (m == CLOSED) {
                throw new TransportException("client " + peer + " went away before the stream");
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted", e);
        }
    }
}
