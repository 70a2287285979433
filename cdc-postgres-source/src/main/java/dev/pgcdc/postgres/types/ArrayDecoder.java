package dev.pgcdc.postgres.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Decodes PostgreSQL's array text ({@code {1,2,NULL}}, {@code {{a,b},{c,d}}},
 * {@code {"x y","q\"uote"}}, {@code [0:1]={7,8}}) into unmodifiable lists (nested for more
 * dimensions; {@code NULL} elements kept as {@code null}); each element is decoded by the element
 * type's decoder. Lower bounds other than 1 are dropped: the list holds the elements in order.
 */
public final class ArrayDecoder implements ValueDecoder {

    private final ValueDecoder element;
    private final byte delimiter;

    public ArrayDecoder(ValueDecoder element, char delimiter) {
        this.element = element;
        this.delimiter = (byte) delimiter;
    }

    @Override
    public Object decode(byte[] b, int off, int len) {
        Parser parser = new Parser(b, off, off + len);
        if (len > 0 && b[off] == '[') {
            parser.skipDimensions();
        }
        List<Object> list = parser.array();
        parser.skipSpaces();
        if (parser.pos != parser.end) {
            throw parser.error();
        }
        return list;
    }

    private final class Parser {
        private final byte[] b;
        private final int start;
        private final int end;
        private int pos;

        Parser(byte[] b, int start, int end) {
            this.b = b;
            this.start = start;
            this.end = end;
            this.pos = start;
        }

        void skipDimensions() {
            while (pos < end && b[pos] != '=') {
                pos++;
            }
            pos++;
        }

        List<Object> array() {
            skipSpaces();
            expect('{');
            List<Object> items = new ArrayList<>();
            skipSpaces();
            if (peek() == '}') {
                pos++;
                return Collections.emptyList();
            }
            while (true) {
                skipSpaces();
                if (peek() == '{') {
                    items.add(array());
                } else if (peek() == '"') {
                    items.add(quoted());
                } else {
                    items.add(unquoted());
                }
                skipSpaces();
                int c = peek();
                pos++;
                if (c == '}') {
                    return Collections.unmodifiableList(Arrays.asList(items.toArray()));
                }
                if (c != delimiter) {
                    pos--;
                    throw error();
                }
            }
        }

        private Object quoted() {
            pos++;
            int from = pos;
            boolean escaped = false;
            while (pos < end && b[pos] != '"') {
                if (b[pos] == '\\') {
                    escaped = true;
                    pos++;
                }
                pos++;
            }
            if (pos >= end) {
                throw error();
            }
            int to = pos;
            pos++;
            return escaped ? decodeUnescaped(from, to) : element.decode(b, from, to - from);
        }

        private Object unquoted() {
            int from = pos;
            boolean escaped = false;
            while (pos < end && b[pos] != delimiter && b[pos] != '}') {
                if (b[pos] == '\\') {
                    escaped = true;
                    pos++;
                }
                pos++;
            }
            int to = pos;
            while (to > from && isSpace(b[to - 1])) {
                to--;
            }
            if (to == from) {
                throw error();
            }
            if (!escaped && to - from == 4 && (b[from] | 0x20) == 'n' && (b[from + 1] | 0x20) == 'u' && (b[from + 2] | 0x20) == 'l'
                    && (b[from + 3] | 0x20) == 'l') {
                return null;
            }
            return escaped ? decodeUnescaped(from, to) : element.decode(b, from, to - from);
        }

        private Object decodeUnescaped(int from, int to) {
            byte[] plain = new byte[to - from];
            int n = 0;
            for (int i = from; i < to; i++) {
                if (b[i] == '\\' && i + 1 < to) {
                    i++;
                }
                plain[n++] = b[i];
            }
            return element.decode(plain, 0, n);
        }

        int peek() {
            return pos < end ? b[pos] : -1;
        }

        void expect(char c) {
            if (peek() != c) {
                throw error();
            }
            pos++;
        }

        void skipSpaces() {
            while (pos < end && isSpace(b[pos])) {
                pos++;
            }
        }

        private boolean isSpace(byte c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r';
        }

        IllegalArgumentException error() {
            return new IllegalArgumentException("malformed array at offset " + (pos - start) + " of \""
                    + new String(b, start, end - start, java.nio.charset.StandardCharsets.UTF_8) + "\"");
        }
    }
}
