package dev.pgcdc.postgres.slot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.ServerInfo;
import org.junit.jupiter.api.Test;

class FailoverSlotChecksTest {

    @Test
    void readsTheSlotNamesOfSynchronizedStandbySlots() {
        assertThat(FailoverSlotChecks.names("")).isEmpty();
        assertThat(FailoverSlotChecks.names(null)).isEmpty();
        assertThat(FailoverSlotChecks.names("standby1, \"Standby \"\"2\"\"\" ,")).containsExactly("standby1", "Standby \"2\"");
    }

    @Test
    void failoverSlotsNeedPostgres17() {
        assertThatThrownBy(() -> FailoverSlotChecks.requireSupported(new ServerInfo(160004, "16.4", "shop", "cdc")))
                .isInstanceOf(SourceException.class)
                .hasMessageStartingWith("slot.failover = true needs PostgreSQL 17 or newer (failover slots), but the server is PostgreSQL 16.4");
        FailoverSlotChecks.requireSupported(new ServerInfo(170011, "17.11", "shop", "cdc"));
    }
}
