package io.zproj.cli;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** {@code --etcd URL[,URL...]}: etcd's client endpoints, checked before anything connects. */
final class EtcdOptions {

    private EtcdOptions() {}

    /** @throws IllegalArgumentException (a usage error) for anything but http(s)://HOST:PORT endpoints */
    static List<URI> endpoints(String list) {
        List<URI> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String s : list.split(",")) {
            URI u;
            try {
                u = URI.create(s.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--etcd: '" + s + "' is not a URL");
            }
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                    || u.getPort() < 0) {
                throw new IllegalArgumentException("--etcd: '" + s + "' is not http(s)://HOST:PORT (e.g. "
                        + "http://127.0.0.1:2379)");
            }
            out.add(u);
        }
        return out;
    }
}
