package dev.pgcdc.postgres.pgoutput;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes pgoutput messages as the protocol documentation describes them, for decoder tests. */
final class Messages {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    private Messages(char type) {
        byte8(type);
    }

    static Messages of(char type) {
        return new Messages(type);
    }

    static ByteBuffer begin(long finalLsn, long commitMicros, int xid) {
        return of('B').int64(finalLsn).int64(commitMicros).int32(xid).buffer();
    }

    static ByteBuffer commit(long commitLsn, long endLsn, long commitMicros) {
        return of('C').byte8(0).int64(commitLsn).int64(endLsn).int64(commitMicros).buffer();
    }

    static ByteBuffer streamStart(int xid, boolean first) {
        return of('S').int32(xid).byte8(first ? 1 : 0).buffer();
    }

    static ByteBuffer streamStop() {
        return of('E').buffer();
    }

    static ByteBuffer streamCommit(int xid, long commitLsn, long endLsn, long commitMicros) {
        return of('c').int32(xid).byte8(0).int64(commitLsn).int64(endLsn).int64(commitMicros).buffer();
    }

    static ByteBuffer streamAbort(int xid, int subxid) {
        return of('A').int32(xid).int32(subxid).buffer();
    }

    static ByteBuffer beginPrepare(long prepareLsn, long endLsn, int xid, String gid) {
        return of('b').int64(prepareLsn).int64(endLsn).int64(0).int32(xid).string(gid).buffer();
    }

    static ByteBuffer prepare(long prepareLsn, long endLsn, int xid, String gid) {
        return of('P').byte8(0).int64(prepareLsn).int64(endLsn).int64(0).int32(xid).string(gid).buffer();
    }

    static ByteBuffer streamPrepare(long prepareLsn, long endLsn, int xid, String gid) {
        return of('p').byte8(0).int64(prepareLsn).int64(endLsn).int64(0).int32(xid).string(gid).buffer();
    }

    static ByteBuffer commitPrepared(long commitLsn, long endLsn, int xid, String gid) {
        return of('K').byte8(0).int64(commitLsn).int64(endLsn).int64(0).int32(xid).string(gid).buffer();
    }

    static ByteBuffer rollbackPrepared(long prepareEndLsn, long endLsn, int xid, String gid) {
        return of('r').byte8(0).int64(prepareEndLsn).int64(endLsn).int64(0).int64(0).int32(xid).string(gid).buffer();
    }

    /** A Message; {@code streamXid} null outside a stream block. */
    static ByteBuffer message(Integer streamXid, boolean transactional, long lsn, String prefix, String content) {
        Messages m = of('M');
        if (streamXid != null) {
            m.int32(streamXid);
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        m.byte8(transactional ? 1 : 0).int64(lsn).string(prefix).int32(bytes.length);
        m.bytes.write(bytes, 0, bytes.length);
        return m.buffer();
    }

    /** An Update outside a stream block: {@code oldKind} K or O with {@code oldValues}, or 0 for none. */
    static ByteBuffer update(int relation, char oldKind, String[] oldValues, String... newValues) {
        Messages m = of('U').int32(relation);
        if (oldKind != 0) {
            m.byte8(oldKind).tuple(oldValues);
        }
        return m.byte8('N').tuple(newValues).buffer();
    }

    /** A Relation message; {@code streamXid} null outside a stream block. Columns: name, type OID, key. */
    static ByteBuffer relation(Integer streamXid, int id, String schema, String name, char identity, Object... columns) {
        Messages m = of('R');
        if (streamXid != null) {
            m.int32(streamXid);
        }
        m.int32(id).string(schema).string(name).byte8(identity).int16(columns.length / 3);
        for (int i = 0; i < columns.length; i += 3) {
            m.byte8(Boolean.TRUE.equals(columns[i + 2]) ? 1 : 0).string((String) columns[i]).int32((Integer) columns[i + 1]).int32(-1);
        }
        return m.buffer();
    }

    /** An Insert with text values (null for SQL NULL, {@link #UNCHANGED} for u). */
    static ByteBuffer insert(Integer streamXid, int relation, String... values) {
        Messages m = of('I');
        if (streamXid != null) {
            m.int32(streamXid);
        }
        return m.int32(relation).byte8('N').tuple(values).buffer();
    }

    static final String UNCHANGED = new String("<u>");

    Messages tuple(String... values) {
        int16(values.length);
        for (String value : values) {
            if (value == null) {
                byte8('n');
            } else if (value == UNCHANGED) {
                byte8('u');
            } else {
                byte[] text = value.getBytes(StandardCharsets.UTF_8);
                byte8('t').int32(text.length);
                bytes.write(text, 0, text.length);
            }
        }
        return this;
    }

    Messages byte8(int value) {
        try {
            out.writeByte(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Messages int16(int value) {
        try {
            out.writeShort(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Messages int32(int value) {
        try {
            out.writeInt(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Messages int64(long value) {
        try {
            out.writeLong(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Messages string(String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        bytes.write(text, 0, text.length);
        return byte8(0);
    }

    /** The message in a heap buffer whose array has a header before it, as pgjdbc hands it out (slice at offset 25). */
    ByteBuffer buffer() {
        byte[] message = bytes.toByteArray();
        byte[] withHeader = new byte[25 + message.length];
        System.arraycopy(message, 0, withHeader, 25, message.length);
        return ByteBuffer.wrap(withHeader).position(25).slice();
    }
}
