package io.zproj.cache;

import java.io.IOException;

/** The root of the client side's errors: a project that could not be fetched, pushed or served. */
public class CacheException extends IOException {

    private static final long serialVersionUID = 1L;

    public CacheException(String message) {
        super(message);
    }

    public CacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
