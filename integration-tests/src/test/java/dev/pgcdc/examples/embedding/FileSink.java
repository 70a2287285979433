package dev.pgcdc.examples.embedding;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.sink.Sink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Example user code: a sink of one's own that appends each record's value as a line to a file. A
 * write is reported durable only after the file is forced to disk, so the pipeline acknowledges the
 * position to PostgreSQL only for lines that survive a crash.
 */
public final class FileSink implements Sink {

    private final Path file;
    private FileChannel channel;

    public FileSink(Path file) {
        this.file = file;
    }

    @Override
    public void start() {
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new SinkException("cannot open " + file, e);
        }
    }

    @Override
    public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
        try {
            for (OutRecord record : records) {
                channel.write(ByteBuffer.wrap(record.value()));
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            }
            channel.force(false);
            callback.onDurable();
        } catch (IOException e) {
            callback.onFailure(new SinkException("cannot append to " + file, e));
        }
    }

    @Override
    public void flush() {
        // every write is forced before it is confirmed
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            throw new SinkException("cannot close " + file, e);
        }
    }
}
