package io.zproj.server;

import io.zproj.transport.ErrorCode;
import io.zproj.transport.ServiceException;
import io.zproj.zfs.DatasetBusyException;
import io.zproj.zfs.DatasetExistsException;
import io.zproj.zfs.DatasetNotFoundException;
import io.zproj.zfs.DestinationModifiedException;
import io.zproj.zfs.IncrementalMismatchException;
import io.zproj.zfs.InvalidStreamException;
import io.zproj.zfs.OutOfSpaceException;
import io.zproj.zfs.QuotaExceededException;
import io.zproj.zfs.ZfsException;
import io.zproj.zfs.ZfsUnavailableException;

/** ZFS errors as the codes a client sees. */
final class Errors {

    private Errors() {}

    static ServiceException toService(ZfsException e) {
        return new ServiceException(code(e), e.getMessage(), e);
    }

    static ErrorCode code(ZfsException e) {
        if (e instanceof DatasetNotFoundException) {
            return ErrorCode.NOT_FOUND;
        }
        if (e instanceof DatasetExistsException) {
            return ErrorCode.EXISTS;
        }
        if (e instanceof IncrementalMismatchException || e instanceof DestinationModifiedException) {
            return ErrorCode.DIVERGED;
        }
        if (e instanceof OutOfSpaceException || e instanceof QuotaExceededException) {
            return ErrorCode.NO_SPACE;
        }
        if (e instanceof DatasetBusyException) {
            return ErrorCode.BUSY;
        }
        if (e instanceof InvalidStreamException) {
            return ErrorCode.CHECKSUM;
        }
        if (e instanceof ZfsUnavailableException) {
            return ErrorCode.UNAVAILABLE;
        }
        return ErrorCode.INTERNAL;
    }
}
