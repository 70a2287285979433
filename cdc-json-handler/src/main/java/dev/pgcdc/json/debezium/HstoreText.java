package dev.pgcdc.json.debezium;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;

/**
 * Reads hstore's text output, {@code "a"=>"1", "b"=>NULL} (keys and values double-quoted, {@code "} and
 * {@code \} escaped by a backslash, NULL unquoted), pair by pair in the order PostgreSQL wrote them.
 */
final class HstoreText {

    private HstoreText() {
    }

    /** The pairs as the text of a compact JSON object, as Debezium's {@code hstore.handling.mode = json}. */
    static String toJson(String text, String column) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('{');
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        Parser parser = new Parser(text, column);
        boolean first = true;
        while (parser.next()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append('"');
            encoder.quoteAsString(parser.key, json);
            json.append("\":");
            if (parser.value == null) {
                json.append("null");
            } else {
                json.append('"');
                encoder.quoteAsString(parser.value, json);
                json.append('"');
            }
        }
        return json.append('}').toString();
    }

    /** The pairs as a JSON object: a Connect map ({@code hstore.handling.mode = map}). */
    static void writeObject(JsonGenerator g, String text, String column) throws IOException {
        Parser parser = new Parser(text, column);
        g.writeStartObject();
        while (parser.next()) {
            g.writeStringField(parser.key, parser.value);
        }
        g.writeEndObject();
    }

    private static final class Parser {
        private final String text;
        private final String column;
        private int pos;
        String key;
        String value;

        Parser(String text, String column) {
            this.text = text;
            this.column = column;
        }

        /** Reads the next pair into {@link #key} and {@link #value}; false at the end. */
        boolean next() {
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                skipSpaces();
            }
            if (pos >= text.length()) {
                return false;
            }
            key = quoted();
            skipSpaces();
            expect('=');
            expect('>');
            skipSpaces();
            if (text.startsWith("NULL", pos)) {
                pos += 4;
                value = null;
            } else {
                value = quoted();
            }
            return true;
        }

        private String quoted() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                out.append(c);
            }
            throw malformed();
        }

        private void expect(char c) {
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw malformed();
            }
            pos++;
        }

        private void skipSpaces() {
            while (pos < text.length() && text.charAt(pos) == ' ') {
                pos++;
            }
        }

        private IllegalArgumentException malformed() {
            return new IllegalArgumentException("column \"" + column + "\" is not hstore text at offset " + pos + ": " + text);
        }
    }
}
