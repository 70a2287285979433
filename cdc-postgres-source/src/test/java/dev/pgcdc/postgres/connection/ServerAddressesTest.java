package dev.pgcdc.postgres.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerAddressesTest {

    @Test
    void parsesHostsWithAndWithoutPorts() {
        ServerAddresses servers = ServerAddresses.parse(List.of("db1", " db2:5433 ", "::1", "[fe80::1]:6000", "[fe80::2]"), 5432);
        assertThat(servers.urlPart()).isEqualTo("db1:5432,db2:5433,[::1]:5432,[fe80::1]:6000,[fe80::2]:5432");
        assertThat(servers.several()).isTrue();
        assertThat(servers.firstHost()).isEqualTo("db1");
        assertThat(servers.firstPort()).isEqualTo(5432);
        assertThat(ServerAddresses.parse(List.of("[::1]:7000"), 5432).firstHost()).isEqualTo("::1");
    }

    @Test
    void oneHostIsNotSeveral() {
        ServerAddresses single = ServerAddresses.single("::1", 5432);
        assertThat(single.urlPart()).isEqualTo("[::1]:5432");
        assertThat(single.several()).isFalse();
        assertThat(new ConnectionFactory("db", 5432, "shop", "cdc", null, "prefer", null).description())
                .isEqualTo("database \"shop\" at db:5432 as user \"cdc\"");
    }

    @Test
    void refusesWhatIsNotHostOrHostPort() {
        for (String bad : List.of("", "db:", "db:0", "db:65536", "db:x", "[::1", "[::1]x", "a/b", "a,b")) {
            assertThatThrownBy(() -> ServerAddresses.parse(List.of("ok", bad), 5432)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("\"" + bad + "\" is not host or host:port");
        }
        assertThatThrownBy(() -> ServerAddresses.parse(List.of(), 5432)).isInstanceOf(IllegalArgumentException.class);
    }
}
