package io.zproj.cache;

import java.util.List;

/** Every replica was tried and none could serve the request; the message lists why for each. */
public class NoReplicaException extends CacheException {

    private static final long serialVersionUID = 1L;

    private final List<String> reasons;

    public NoReplicaException(String what, List<String> reasons) {
        super(what + ": " + (reasons.isEmpty() ? "no replica given" : String.join("; ", reasons)));
        this.reasons = List.copyOf(reasons);
    }

    public List<String> reasons() {
        return reasons;
    }
}
