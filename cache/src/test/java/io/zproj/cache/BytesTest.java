package io.zproj.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void powersOf1024_oneDecimal() {
        assertThat(Bytes.format(0)).isEqualTo("0 B");
        assertThat(Bytes.format(1023)).isEqualTo("1023 B");
        assertThat(Bytes.format(1024)).isEqualTo("1.0 KiB");
        assertThat(Bytes.format(5_347_737)).isEqualTo("5.1 MiB");
        assertThat(Bytes.format(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(Bytes.format(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }
}
