package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.zproj.transport.ErrorCode;
import io.zproj.transport.RemoteException;
import io.zproj.transport.TransportException;
import io.zproj.zfs.OutOfSpaceException;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Outcomes come from types and error codes: the same message text classifies by its type. */
class OutcomeTest {

    private static final String TEXT = "diverged: refused, busy"; // words that must not decide

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(new DivergedException(TEXT), Outcome.DIVERGED),
                Arguments.of(new RemoteException(ErrorCode.DIVERGED, TEXT), Outcome.DIVERGED),
                Arguments.of(new RemoteException(ErrorCode.BAD_VERSION, TEXT), Outcome.REFUSED),
                Arguments.of(new RemoteException(ErrorCode.BAD_REQUEST, TEXT), Outcome.REFUSED),
                Arguments.of(new RemoteException(ErrorCode.BUSY, TEXT), Outcome.TEMPORARY),
                Arguments.of(new RemoteException(ErrorCode.NO_SPACE, TEXT), Outcome.TEMPORARY),
                Arguments.of(new RemoteException(ErrorCode.UNAVAILABLE, TEXT), Outcome.TEMPORARY),
                Arguments.of(new RemoteException(ErrorCode.FORBIDDEN, TEXT), Outcome.REFUSED),
                Arguments.of(new RemoteException(ErrorCode.CHECKSUM, TEXT), Outcome.TEMPORARY),
                Arguments.of(new TransportException(TEXT), Outcome.TEMPORARY),
                Arguments.of(new OutOfSpaceException(TEXT, java.util.List.of("zfs"), 1, ""), Outcome.TEMPORARY),
                Arguments.of(new IOException(TEXT), Outcome.TEMPORARY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void classifiesByTypeAndCode(Exception e, Outcome expected) {
        assertThat(Outcome.of(e)).isEqualTo(expected);
        assertThat(expected.permanent()).isEqualTo(expected == Outcome.DIVERGED || expected == Outcome.REFUSED);
    }
}
