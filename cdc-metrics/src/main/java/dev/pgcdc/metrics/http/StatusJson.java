package dev.pgcdc.metrics.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.status.ActiveInstance;
import dev.pgcdc.metrics.status.ServiceState;
import dev.pgcdc.metrics.status.SnapshotStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes the JSON bodies of the endpoints. Stateless and thread-safe. */
final class StatusJson {

    private static final JsonFactory JSON = new JsonFactory();

    private StatusJson() {
    }

    /** {@code /status} when PostgreSQL answered. */
    static byte[] up(ServiceState state, String slotName, SlotFigures figures) {
        return write(json -> {
            json.writeStringField("status", "up");
            writeState(json, state, slotName);
            json.writeBooleanField("slotExists", figures.exists());
            json.writeBooleanField("slotActive", figures.active());
            writeLsn(json, "confirmedLsn", figures.exists() ? figures.confirmedFlushLsn() : Lsn.INVALID);
            writeLsn(json, "currentLsn", figures.currentLsn());
            if (figures.exists()) {
                json.writeNumberField("lagBytes", figures.lagBytes());
            } else {
                json.writeNullField("lagBytes");
            }
            json.writeStringField("observedAt", figures.observedAt().toString());
        });
    }

    /** {@code /status} when PostgreSQL did not answer. */
    static byte[] down(ServiceState state, String slotName, String error) {
        return write(json -> {
            json.writeStringField("status", "down");
            writeState(json, state, slotName);
            json.writeStringField("error", "PostgreSQL does not answer: " + error);
        });
    }

    /** {@code /slot}. */
    static byte[] slot(SlotFigures figures) {
        return write(json -> {
            json.writeStringField("slot", figures.slotName());
            json.writeBooleanField("exists", figures.exists());
            json.writeBooleanField("active", figures.active());
            if (figures.activePid() > 0) {
                json.writeNumberField("pid", figures.activePid());
            } else {
                json.writeNullField("pid");
            }
            writeLsn(json, "restartLsn", figures.restartLsn());
            writeLsn(json, "confirmedFlushLsn", figures.confirmedFlushLsn());
            writeLsn(json, "currentLsn", figures.currentLsn());
            json.writeNumberField("lagBytes", figures.lagBytes());
            json.writeNumberField("retainedWalBytes", figures.retainedWalBytes());
            if (figures.walStatus() != null) {
                json.writeStringField("walStatus", figures.walStatus());
            } else {
                json.writeNullField("walStatus");
            }
            json.writeStringField("observedAt", figures.observedAt().toString());
        });
    }

    /** A health or error body: {@code {"status": ..., "phase": ...}}. */
    static byte[] health(String status, ServiceState state) {
        return write(json -> {
            json.writeStringField("status", status);
            json.writeStringField("phase", state.phase().label());
            if (state.failure().isPresent()) {
                json.writeStringField("failure", state.failure().get());
            }
        });
    }

    /** {@code {"error": message}}. */
    static byte[] error(String message) {
        return write(json -> json.writeStringField("error", message));
    }

    private static void writeState(JsonGenerator json, ServiceState state, String slotName) throws IOException {
        json.writeStringField("role", state.role().label());
        json.writeStringField("phase", state.phase().label());
        json.writeStringField("slot", slotName);
        if (state.instanceId().isPresent()) {
            json.writeStringField("instance", state.instanceId().get());
        }
        if (state.activeInstance().isPresent()) {
            ActiveInstance active = state.activeInstance().get();
            json.writeObjectFieldStart("activeInstance");
            json.writeNumberField("pid", active.pid());
            writeOptional(json, "applicationName", active.applicationName());
            writeOptional(json, "clientAddress", active.clientAddress());
            json.writeEndObject();
        }
        if (state.snapshot().isPresent()) {
            writeSnapshot(json, state.snapshot().get());
        }
        if (state.failure().isPresent()) {
            json.writeStringField("failure", state.failure().get());
        }
    }

    private static void writeSnapshot(JsonGenerator json, SnapshotStatus snapshot) throws IOException {
        json.writeObjectFieldStart("snapshot");
        json.writeBooleanField("inProgress", snapshot.inProgress());
        json.writeNumberField("tablesDone", snapshot.doneTables());
        json.writeNumberField("tablesTotal", snapshot.totalTables());
        json.writeNumberField("chunksDone", snapshot.doneChunks());
        json.writeNumberField("chunksTotal", snapshot.totalChunks());
        json.writeNumberField("rowsDone", snapshot.rows());
        json.writeNumberField("rowsReadHere", snapshot.emittedRows());
        json.writeNumberField("rowsPerSecond", Math.round(snapshot.rowsPerSecond()));
        if (snapshot.etaSeconds().isPresent()) {
            json.writeNumberField("etaSeconds", snapshot.etaSeconds().getAsLong());
        } else {
            json.writeNullField("etaSeconds");
        }
        json.writeEndObject();
    }

    private static void writeOptional(JsonGenerator json, String field, String value) throws IOException {
        if (value != null) {
            json.writeStringField(field, value);
        } else {
            json.writeNullField(field);
        }
    }

    private static void writeLsn(JsonGenerator json, String field, Lsn lsn) throws IOException {
        if (lsn.isValid()) {
            json.writeStringField(field, lsn.toString());
        } else {
            json.writeNullField(field);
        }
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            body.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator json) throws IOException;
    }
}
