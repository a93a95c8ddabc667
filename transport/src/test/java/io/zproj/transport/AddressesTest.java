package io.zproj.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void parse_hostPortAndList() {
        assertThat(Addresses.format(Addresses.parse("127.0.0.1:7070"))).isEqualTo("127.0.0.1:7070");
        assertThat(Addresses.format(Addresses.parse("[::1]:80"))).isEqualTo("::1:80");
        assertThat(Addresses.parseList("a:1, b:2,")).extracting(Addresses::format).containsExactly("a:1", "b:2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", ":80", "host:", "host:0", "host:65536", "host:x"})
    void parse_bad_isRejectedWithTheText(String text) {
        assertThatThrownBy(() -> Addresses.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
