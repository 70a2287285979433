package dev.pgcdc.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TestNamesTest {

    @Test
    void keepsThePrefixAndAddsASuffix() {
        assertThat(TestNames.unique("users")).matches("users_[a-z0-9]{8}");
    }

    @Test
    void makesAnyPrefixAValidUnquotedIdentifier() {
        assertThat(TestNames.unique("Orders-Topic.v2")).matches("orders_topic_v2_[a-z0-9]{8}");
        assertThat(TestNames.unique("1st")).matches("t1st_[a-z0-9]{8}");
        assertThat(TestNames.unique("x".repeat(100))).hasSize(63);
    }

    @Test
    void neverRepeatsItself() {
        Set<String> names = new HashSet<>();
        IntStream.range(0, 100_000).forEach(i -> names.add(TestNames.unique("t")));
        assertThat(names).hasSize(100_000);
    }
}
