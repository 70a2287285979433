package dev.pgcdc.json.debezium;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kafka Connect schema as its {@code JsonConverter} writes it with {@code schemas.enable=true}:
 * {@code {"type", "items"|"fields", "optional", "name", "version", "doc", "parameters", "default"}}, and
 * for a struct field its name last as {@code "field"}. Built once per table shape, never per event.
 *
 * @param type         Connect's type: int16, int32, int64, float32, float64, boolean, string, bytes, array, struct
 * @param optional     whether the value may be null
 * @param name         the logical name (e.g. {@code io.debezium.time.MicroTimestamp}), or null
 * @param version      the logical type's version, or null
 * @param doc          documentation, or null
 * @param parameters   the logical type's parameters (e.g. {@code scale}), empty when none
 * @param defaultValue a string default, or null
 * @param items        an array's element schema, a map's value schema, else null
 * @param keys         a map's key schema, else null
 * @param fields       a struct's fields in order, else empty
 */
record ConnectSchema(String type, boolean optional, String name, Integer version, String doc, Map<String, String> parameters,
        String defaultValue, ConnectSchema items, ConnectSchema keys, List<Field> fields) {

    /** A struct field. */
    record Field(String name, ConnectSchema schema) {
    }

    ConnectSchema {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters)); // in the order given, as Connect writes them
        fields = List.copyOf(fields);
    }

    static ConnectSchema of(String type) {
        return new ConnectSchema(type, false, null, null, null, Map.of(), null, null, null, List.of());
    }

    /** A logical type: {@code type} with Debezium's or Connect's {@code name} and version 1. */
    static ConnectSchema named(String type, String name) {
        return new ConnectSchema(type, false, name, 1, null, Map.of(), null, null, null, List.of());
    }

    static ConnectSchema arrayOf(ConnectSchema items) {
        return new ConnectSchema("array", false, null, null, null, Map.of(), null, items.asOptional(), null, List.of());
    }

    /** An array whose items keep their own optionality (Debezium's arrays of enums: required items). */
    static ConnectSchema arrayOfAsIs(ConnectSchema items) {
        return new ConnectSchema("array", false, null, null, null, Map.of(), null, items, null, List.of());
    }

    static ConnectSchema mapOf(ConnectSchema keys, ConnectSchema values) {
        return new ConnectSchema("map", false, null, null, null, Map.of(), null, values, keys, List.of());
    }

    static ConnectSchema struct(String name, Integer version, List<Field> fields) {
        return new ConnectSchema("struct", false, name, version, null, Map.of(), null, null, null, fields);
    }

    ConnectSchema asOptional() {
        return withOptional(true);
    }

    ConnectSchema withOptional(boolean value) {
        return new ConnectSchema(type, value, name, version, doc, parameters, defaultValue, items, keys, fields);
    }

    /** Parameters kept in the given order, as Connect keeps them. */
    ConnectSchema withParameters(String... keysAndValues) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            ordered.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new ConnectSchema(type, optional, name, version, doc, ordered, defaultValue, items, keys, fields);
    }

    ConnectSchema withDoc(String text) {
        return new ConnectSchema(type, optional, name, version, text, parameters, defaultValue, items, keys, fields);
    }

    ConnectSchema withDefault(String value) {
        return new ConnectSchema(type, optional, name, version, doc, parameters, value, items, keys, fields);
    }

    void write(JsonGenerator generator) throws IOException {
        writeBody(generator, null);
    }

    private void writeBody(JsonGenerator generator, String fieldName) throws IOException {
        generator.writeStartObject();
        generator.writeStringField("type", type);
        if (keys != null) {
            generator.writeFieldName("keys");
            keys.write(generator);
            generator.writeFieldName("values");
            items.write(generator);
        } else if (items != null) {
            generator.writeFieldName("items");
            items.write(generator);
        }
        if (type.equals("struct")) {
            generator.writeArrayFieldStart("fields");
            for (Field field : fields) {
                field.schema().writeBody(generator, field.name());
            }
            generator.writeEndArray();
        }
        generator.writeBooleanField("optional", optional);
        if (name != null) {
            generator.writeStringField("name", name);
        }
        if (version != null) {
            generator.writeNumberField("version", version);
        }
        if (doc != null) {
            generator.writeStringField("doc", doc);
        }
        if (!parameters.isEmpty()) {
            generator.writeObjectFieldStart("parameters");
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                generator.writeStringField(parameter.getKey(), parameter.getValue());
            }
            generator.writeEndObject();
        }
        if (defaultValue != null) {
            generator.writeStringField("default", defaultValue);
        }
        if (fieldName != null) {
            generator.writeStringField("field", fieldName);
        }
        generator.writeEndObject();
    }
}
