package dev.pgcdc.postgres.replication;

/** The pgoutput protocol version to ask for: the highest the server supports. */
public final class ProtocolVersion {

    private ProtocolVersion() {
    }

    /** 4 on PostgreSQL 16+, 3 on 15, 2 on 14 (streaming), 1 before. */
    public static int forServer(int serverVersionNum) {
        if (serverVersionNum >= 160000) {
            return 4;
        }
        if (serverVersionNum >= 150000) {
            return 3;
        }
        if (serverVersionNum >= 140000) {
            return 2;
        }
        return 1;
    }
}
