package io.zproj.cache;

/**
 * The local copy and a replica have each moved on from their newest common snapshot (or share
 * none): neither may overwrite the other. Nothing was changed on either side.
 */
public class DivergedException extends CacheException {

    private static final long serialVersionUID = 1L;

    public DivergedException(String message) {
        super(message);
    }
}
